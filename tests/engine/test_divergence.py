"""A run that blows up is stopped and explained; healthy runs are never stopped.

Learning rate 10 on the spiral with the page's default network (tanh 4-2, SGD, batches of 10) never reaches
infinity: the loss jumps to two or three times what a know-nothing network scores and stays there. The trainer
must call that an explosion, keep finite weights to step back to, and stay quiet at learning rates 0.03–1.
"""
import math

import numpy as np
import pytest

from nnplayground.engine import Trainer
from nnplayground.engine.datasets import DATASETS
from nnplayground.engine.divergence import LossWatch

SPIRAL_AT_10 = dict(dataset="spiral", learning_rate=10.0)


def train_in_batches(trainer, epochs, chunk=1):
    """Train the way the server does: many small chunks, a check after each."""
    while trainer.epoch < epochs and trainer.divergence is None:
        trainer.train_batches(chunk)
    return trainer


def test_learning_rate_10_on_the_spiral_is_an_explosion_with_finite_weights():
    trainer = train_in_batches(Trainer(**SPIRAL_AT_10), epochs=20)
    report = trainer.divergence
    assert report is not None and report["kind"] == "exploding"
    assert report["epoch"] <= 2 and report["epoch"] == trainer.epoch and report["iteration"] == trainer.iteration
    assert np.isfinite(trainer.params).all() and trainer.loss("train") is not None
    assert report["reference_loss"] == pytest.approx(math.log(2))          # sigmoid(0) = ½ on every point
    assert report["loss"] > report["best_loss"] + report["reference_loss"]
    assert f"{report['loss']:.3g}" in report["reason"] and "learning rate" in report["advice"]
    frozen = (trainer.params.copy(), trainer.counters())
    trainer.train(3).train_batches(5)                                        # stopped: nothing moves
    np.testing.assert_array_equal(trainer.params, frozen[0])
    assert trainer.counters() == frozen[1]


def test_stepping_back_after_an_explosion_returns_to_the_weights_before_the_last_chunk():
    trainer = train_in_batches(Trainer(**SPIRAL_AT_10), epochs=20)
    iteration = trainer.iteration
    trainer.step_back()
    assert trainer.divergence is None and trainer.iteration == iteration - 1
    assert trainer.configure(learning_rate=0.03) == "live"
    train_in_batches(trainer, epochs=trainer.epoch + 20)
    assert trainer.divergence is None


def test_the_explosion_is_found_whatever_the_chunk_size():
    for chunk in (1, 7, 25):
        trainer = train_in_batches(Trainer(**SPIRAL_AT_10), epochs=20, chunk=chunk)
        assert trainer.divergence and trainer.divergence["kind"] == "exploding", chunk
    by_epoch = Trainer(**SPIRAL_AT_10)
    for _ in range(20):
        by_epoch.train(1)
    assert by_epoch.divergence and by_epoch.divergence["epoch"] <= 4


@pytest.mark.parametrize("name", [name for name in DATASETS if name != "digits"])
def test_learning_rates_up_to_1_stay_quiet_on_every_data_set(name):
    for rate in (0.03, 0.3, 1.0):
        trainer = train_in_batches(Trainer(task=DATASETS[name], dataset=name, learning_rate=rate), epochs=40)
        assert trainer.divergence is None, (name, rate, trainer.divergence)


def test_digits_at_learning_rate_1_stay_quiet():
    trainer = train_in_batches(Trainer(task="multiclass", dataset="digits", learning_rate=1.0), epochs=3, chunk=5)
    assert trainer.divergence is None, trainer.divergence


def test_the_know_nothing_loss_is_that_of_an_all_zero_network():
    multi = train_in_batches(Trainer(task="multiclass", dataset="spiral3", n_classes=3, learning_rate=30.0), epochs=20)
    assert multi.divergence["kind"] == "exploding"
    assert multi.divergence["reference_loss"] == pytest.approx(math.log(3))      # a uniform softmax
    regression = Trainer(task="regression", dataset="bumps", hidden=(4,), learning_rate=0.1)
    targets = regression.t_train
    assert regression._know_nothing_loss() == pytest.approx(0.5 * np.mean(targets ** 2))   # output 0


def test_a_hand_edit_that_ruins_the_loss_is_not_an_explosion():
    trainer = train_in_batches(Trainer(dataset="circle", learning_rate=0.1), epochs=30)
    good = trainer.loss("train")
    trainer.set_weight(0, source=0, target=0, value=40.0)
    trainer.set_bias(1, unit=0, value=-30.0)
    assert trainer.loss("train") > good + 1.0
    train_in_batches(trainer, epochs=40)
    assert trainer.divergence is None


def test_raising_the_learning_rate_mid_run_is_judged_from_where_the_run_was():
    trainer = train_in_batches(Trainer(dataset="spiral", learning_rate=0.3), epochs=20)
    trainer.configure(learning_rate=10.0)
    train_in_batches(trainer, epochs=40)
    assert trainer.divergence and trainer.divergence["kind"] == "exploding" and trainer.epoch <= 23


def test_a_watch_needs_a_whole_window_and_ignores_a_zero_reference():
    watch = LossWatch(loss=0.7, iteration=0, reference=0.69)
    assert not watch.exploded(5.0, 1, per_epoch=25)            # one batch's spike: not yet a window
    quiet = LossWatch(loss=0.7, iteration=0, reference=0.0)   # the perceptron criterion: L₀ = 0
    assert not any(quiet.exploded(5.0, i, per_epoch=2) for i in range(1, 40))
    loud = LossWatch(loss=0.7, iteration=0, reference=0.69)
    assert [loud.exploded(2.0, i, per_epoch=2) for i in range(1, 11)] == [False] * 9 + [True]   # 10 iterations
