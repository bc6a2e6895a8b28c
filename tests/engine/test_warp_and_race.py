"""Warped-space view and optimizer race."""
import numpy as np
import pytest

from engine import Config, ConfigError, Trainer
from engine.race import Race
from engine.warp import warped_space


@pytest.fixture(scope="module")
def trained():
    trainer = Trainer(dataset="circle", hidden=(4, 3), learning_rate=0.1, seed=2)
    trainer.train(100)
    return trainer


def test_points_land_where_the_two_units_activations_are(trained):
    view = warped_space(trained, 1, 0, 2)
    for row in (0, 17, 250):
        layers = trained.inspect(trained.data.points[row], int(trained.data.labels[row]))["layers"]
        assert view["points"][row] == pytest.approx([layers[1]["a"][0], layers[1]["a"][2]], abs=1e-5)
    assert np.asarray(view["horizontal"]).shape == (13, 64, 2)


def test_the_view_changes_as_training_runs():
    trainer = Trainer(dataset="circle", hidden=(4,), learning_rate=0.1, seed=2)
    before = np.asarray(warped_space(trainer, 0, 0, 1)["points"])
    trainer.train(20)
    after = np.asarray(warped_space(trainer, 0, 0, 1)["points"])
    assert np.abs(after - before).max() > 0.05


def test_warp_refuses_what_has_no_hidden_layer(trained):
    with pytest.raises(ConfigError):
        warped_space(Trainer(hidden=()), 0, 0, 1)
    with pytest.raises(ConfigError):
        warped_space(trained, 0, 0, 9)


def test_race_lanes_start_from_identical_weights_and_report_a_winner():
    race = Race(Config(dataset="xor", hidden=(8,), noise=0.1, seed=4),
                [{"optimizer": "sgd", "learning_rate": 0.01}, {"optimizer": "adam", "learning_rate": 0.01}],
                target_loss=0.2)
    np.testing.assert_array_equal(race.lanes[0].params, race.lanes[1].params)
    race.run(300)
    assert race.winner == 1                   # Adam gets there first on this problem
    standings = race.standings()
    assert standings[1]["finished_at"] is not None and standings[1]["train_loss"] <= 0.2


def test_race_refuses_bad_lanes():
    with pytest.raises(ConfigError):
        Race(Config(), [{"optimizer": "adam"}], 0.1)
    with pytest.raises(ConfigError):
        Race(Config(), [{"hidden": (3,)}, {"optimizer": "adam"}], 0.1)
