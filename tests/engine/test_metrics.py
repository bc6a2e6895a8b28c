"""Fitting metrics (engine/metrics.py) against a plain NumPy reference: the compiled confusion pass counts what
argmax (or the threshold) and bincount count, NaN outputs included."""
import numpy as np
import pytest

from nnplayground.engine.metrics import classification, predicted_classes


def reference(outputs, labels, n_classes, threshold):
    pred = outputs.argmax(axis=1) if outputs.shape[1] > 1 else (outputs[:, 0] >= threshold).astype(np.int64)
    truth = labels.astype(np.int64)
    confusion = np.bincount(truth * n_classes + pred, minlength=n_classes * n_classes)
    accuracy = float(np.count_nonzero(pred == truth) / truth.size) if truth.size else None
    return {"accuracy": accuracy, "confusion": confusion.reshape(n_classes, n_classes).tolist()}


@pytest.mark.parametrize("k", [1, 2, 3, 10])
def test_classification_counts_as_argmax_and_bincount_do(k):
    rng = np.random.default_rng(k)
    classes = max(k, 2)
    for trial in range(20):
        outputs = rng.standard_normal((97, k))
        outputs[rng.random(outputs.shape) < 0.05] = np.nan          # NaN counts as the largest, the first one wins
        outputs[3] = np.nan
        outputs[5] = 0.25                                           # ties: the first largest wins
        labels = rng.integers(0, classes, 97)
        outputs.flags.writeable = False                             # as a kept pass hands them over
        assert classification(outputs, labels, classes, 0.25) == reference(outputs, labels, classes, 0.25)
        assert np.array_equal(predicted_classes(outputs, 0.25),
                              outputs.argmax(axis=1) if k > 1 else (outputs[:, 0] >= 0.25).astype(np.int64))


def test_classification_of_no_examples():
    assert classification(np.zeros((0, 1)), np.zeros(0, dtype=np.int64), 2, 0.5) == \
        {"accuracy": None, "confusion": [[0, 0], [0, 0]]}
