"""Trainer.evaluate and record: the loss pass of a chunk spread over several calls (what a server does with a large
network, so that no call runs long), against the one pass train_batches makes itself."""
import numpy as np
import pytest

from nnplayground.engine import Config, Trainer

SETTINGS = dict(dataset="spiral", n_points=300, hidden=(16, 16), learning_rate=0.05, batch_size=5)


def test_a_chunk_recorded_from_slices_has_the_row_and_metrics_of_one_pass():
    whole, sliced = Trainer(Config(**SETTINGS)), Trainer(Config(**SETTINGS))
    whole.train_batches(40)
    sliced.train_batches(40, record=False)
    assert sliced.history == [] and np.array_equal(sliced.params, whole.params)
    left, calls = sliced.evaluate(0), 0
    assert left == 300                               # asking with no rows does no work
    while left:
        assert sliced.evaluate(23) < left or left == 0
        left, calls = sliced.evaluate(0), calls + 1
    assert calls == -(-150 // 23) * 2                # train part, then test part, 23 rows a call
    for part in ("train", "test"):
        np.testing.assert_array_equal(sliced.outputs(part)[0], whole.outputs(part)[0])
    sliced.record()
    row, reference = sliced.history[-1], whole.history[-1]
    assert (row["epoch"], row["iteration"]) == (reference["epoch"], reference["iteration"])
    for key in ("train_loss", "test_loss"):
        assert row[key] == pytest.approx(reference[key], rel=1e-12)    # summed by slices: the last bits may differ
    assert sliced.metrics()["test"]["accuracy"] == whole.metrics()["test"]["accuracy"]


def test_new_weights_start_the_pass_over():
    t = Trainer(Config(**SETTINGS))
    t.train_batches(10, record=False)
    assert t.evaluate(100) == 200
    t.train_batches(10, record=False)               # the weights moved: what was done no longer counts
    assert t.evaluate(0) == 300
    assert t.evaluate(1000) == 0 and t.evaluate(0) == 0


def test_chunks_without_rows_still_stop_at_a_non_finite_weight_and_record_checks_for_an_explosion():
    t = Trainer(Config(**SETTINGS))
    t.params[3] = np.nan
    t.train_batches(5, record=False)
    assert t.divergence["kind"] == "nonfinite"
    assert t.history and t.history[-1]["iteration"] == t.iteration        # the divergence wrote its row
    t = Trainer(Config(dataset="spiral", learning_rate=10.0))               # explodes within the first epoch
    for _ in range(100):
        t.train_batches(5, record=False)
        assert t.divergence is None                  # the loss is only checked …
        t.record()                                   # … with the row
        if t.divergence is not None:
            break
    assert t.divergence["kind"] == "exploding" and t.divergence["iteration"] == t.history[-1]["iteration"]
