"""The misclassified test examples behind the digits' mistakes view."""
import numpy as np
import pytest

from nnplayground.engine import ConfigError, Trainer
from nnplayground.engine.mistakes import misclassified


@pytest.fixture(scope="module")
def digits():
    trainer = Trainer(task="multiclass", dataset="digits", hidden=(8,), learning_rate=0.1, seed=3)
    trainer.train(2)
    return trainer


def test_mistakes_are_the_test_examples_whose_highest_output_is_not_their_label(digits):
    result = misclassified(digits, limit=10)
    outputs = digits.predict(digits.data.points[digits.test_idx])
    labels = digits.data.labels[digits.test_idx]
    wrong = np.flatnonzero(outputs.argmax(axis=1) != labels)
    assert result["count"] == wrong.size > 10 and result["total"] == labels.size
    accuracy = digits.metrics()["test"]["accuracy"]
    assert result["count"] == round((1 - accuracy) * labels.size)
    assert [m["index"] for m in result["shown"]] == digits.test_idx[wrong[:10]].tolist()
    for mistake in result["shown"]:
        row = outputs[list(digits.test_idx).index(mistake["index"])]
        assert mistake["predicted"] == row.argmax() != mistake["label"]
        assert mistake["confidence"] == pytest.approx(row.max())
        assert mistake["input"] == digits.data.points[mistake["index"]].tolist() and len(mistake["input"]) == 64


def test_a_single_output_reports_the_confidence_of_the_class_it_chose():
    trainer = Trainer(dataset="xor", hidden=(2,), noise=0.3, seed=1)
    result = misclassified(trainer, limit=48)
    outputs = trainer.predict(trainer.data.points[trainer.test_idx])[:, 0]
    for mistake in result["shown"]:
        y = outputs[list(trainer.test_idx).index(mistake["index"])]
        assert mistake["confidence"] == pytest.approx(y if mistake["predicted"] == 1 else 1 - y)
        assert mistake["predicted"] == int(y >= 0.5)


def test_mistakes_refuse_regression_and_bad_limits(digits):
    with pytest.raises(ConfigError, match="classification"):
        misclassified(Trainer(task="regression", dataset="plane"))
    with pytest.raises(ConfigError, match="limit"):
        misclassified(digits, limit=1000)
