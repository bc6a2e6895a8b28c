"""Warped-space view and optimizer race."""
import numpy as np
import pytest

from nnplayground.engine import Config, ConfigError, Trainer
from nnplayground.engine.race import Race
from nnplayground.engine.warp import warped_space


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
    with pytest.raises(ConfigError):
        Race(Config(), [{}, {"optimizer": "adam"}], 0.1, max_epochs=0)
    with pytest.raises(ConfigError):
        Race(Config(), [{}, {"optimizer": "adam"}], -1.0)


def test_a_lane_trains_exactly_as_the_same_network_trained_alone():
    base = Config(dataset="moons", hidden=(6,), noise=0.2, seed=9)
    lanes = [{"optimizer": "momentum", "learning_rate": 0.05, "batch_size": 25}, {"optimizer": "rmsprop",
                                                                                 "learning_rate": 0.01}]
    race = Race(base, lanes, target_loss=0.15, max_epochs=400)
    np.testing.assert_array_equal(race.lanes[0].train_idx, race.lanes[1].train_idx)
    race.run(400)
    assert race.over and race.winner is not None
    for k, lane in enumerate(lanes):
        alone = Trainer(base.replace(**lane))
        reached = None
        for _ in range(race.lanes[k].epoch):
            alone.train(1)
            if reached is None and alone.loss("train") <= 0.15:
                reached = alone.epoch
        assert race.finished[k] == reached
        np.testing.assert_array_equal(alone.params, race.lanes[k].params)   # stopped where it finished


def test_a_race_trained_a_few_batches_at_a_time_is_the_same_race():
    base = Config(dataset="moons", hidden=(6,), noise=0.2, seed=9, dropout=0.1)
    lanes = [{"optimizer": "momentum", "learning_rate": 0.05, "batch_size": 25}, {"optimizer": "adam",
                                                                                 "learning_rate": 0.01}]
    whole = Race(base, lanes, target_loss=0.2, max_epochs=80)
    whole.run(80)
    pieces = Race(base, lanes, target_loss=0.2, max_epochs=80)
    assert pieces.batches_per_epoch() == 10 + 25
    calls = 0
    while not pieces.over:
        pieces.step(7)
        calls += 1
    assert calls > 2 * max(t.epoch for t in whole.lanes)         # epochs were split across calls
    assert pieces.finished == whole.finished and pieces.winner == whole.winner is not None
    for a, b in zip(whole.lanes, pieces.lanes):
        np.testing.assert_array_equal(a.params, b.params)
    assert pieces.iterations == sum(t.iteration for t in whole.lanes)


def test_a_diverging_lane_drops_out_and_the_race_goes_on():
    race = Race(Config(task="regression", dataset="plane", hidden=(8,), activation="relu", seed=4),
                [{"optimizer": "sgd", "learning_rate": 5.0}, {"optimizer": "adam", "learning_rate": 0.01}],
                target_loss=0.01, max_epochs=300)
    race.run(300)
    standings = race.standings()
    assert standings[0]["diverged"] and standings[0]["finished_at"] is None and standings[0]["epoch"] <= 1
    assert race.winner == 1 and standings[1]["train_loss"] <= 0.01


def test_nobody_wins_when_the_epochs_run_out_and_reset_returns_to_the_start():
    race = Race(Config(dataset="spiral", hidden=(3,), seed=1),
                [{"learning_rate": 0.001}, {"learning_rate": 0.002}], target_loss=0.01, max_epochs=5)
    start = race.lanes[0].params.copy()
    race.run(50)
    assert race.over and race.winner is None and [t.epoch for t in race.lanes] == [5, 5]
    assert race.step() == []
    race.reset()
    assert not race.over and [t.epoch for t in race.lanes] == [0, 0]
    np.testing.assert_array_equal(race.lanes[1].params, start)


def test_a_tie_goes_to_the_first_lane():
    race = Race(Config(dataset="gauss", hidden=(2,), seed=3), [{"learning_rate": 0.1}, {"learning_rate": 0.1}],
                target_loss=0.3, max_epochs=200)
    race.run(200)
    assert race.finished[0] == race.finished[1] is not None and race.winner == 0
