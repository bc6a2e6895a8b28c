"""The perceptron decision maker (CONCEPTS item 22)."""
import numpy as np
import pytest

from nnplayground.engine import Trainer
from nnplayground.engine.config import ConfigError
from nnplayground.engine.perceptron import decide, learn

WEIGHTS = [0.5, 0.3, 0.2]   # cheap flights, days off, good weather


def test_decision_flips_exactly_when_the_sum_reaches_the_threshold():
    inputs = [1, 1, 0]                                  # sum 0.8
    assert decide(inputs, WEIGHTS, 0.8)["decision"] == 1
    assert decide(inputs, WEIGHTS, 0.8 + 1e-9)["decision"] == 0
    assert decide([0, 0, 0], WEIGHTS, 0.0)["decision"] == 1
    assert decide([1, 0, 1], WEIGHTS, 0.71)["sum"] == pytest.approx(0.7)


def test_learning_separates_a_table_of_past_decisions():
    rows = [[1, 1, 1], [1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1], [0, 1, 0], [1, 0, 0], [0, 0, 0]]
    go = [1, 1, 1, 1, 0, 0, 0, 0]                       # go when at least two of three are yes
    result = learn(rows, go, [0, 0, 0], 0.0, learning_rate=0.1, epochs=100)
    assert result["mistakes"][-1] == 0
    for row, t in zip(rows, go):
        assert decide(row, result["weights"], result["threshold"])["decision"] == t
    first = result["updates"][0]
    assert np.allclose(first["new_w"], np.array(first["w"]) + 0.1 * (go[first["row"]] * 2 - 1) * np.array(rows[first["row"]]))


def test_same_rule_as_the_engines_step_output_network():
    """One update of learn() equals one batch-1 step of a step-output Trainer on the same row (bias = −θ)."""
    trainer = Trainer(dataset="points", features=("x1", "x2"), hidden=(), activation="step", learning_rate=0.1,
                      batch_size=1, train_ratio=0.9)
    trainer.set_points([[1.0, 1.0]], [1])
    trainer.set_weights(0, [[-0.3], [0.1]])
    trainer.set_bias(0, 0, -0.2)                        # θ = 0.2; s = −0.2 < θ: decision 0, target 1
    trainer.train_batches(1)
    rule = learn([[1, 1]], [1], [-0.3, 0.1], 0.2, learning_rate=0.1, epochs=1)
    np.testing.assert_allclose(trainer.weights(0).ravel(), rule["weights"])
    assert trainer.bias(0)[0] == pytest.approx(-rule["threshold"])


def test_bad_tables_are_refused():
    with pytest.raises(ConfigError):
        learn([[1, 2, 0]], [1], [0, 0, 0], 0.0)
    with pytest.raises(ConfigError):
        decide([1, 0], WEIGHTS, 0.5)
    with pytest.raises(ConfigError):
        decide([1, 0, 1], [float("inf"), 0, 0], 0.5)


def test_sums_that_equal_the_threshold_on_paper_reach_it():
    """0.1 + 0.2 is 0.30000000000000004 in floats; the decision follows the arithmetic a person does."""
    assert decide([1, 1, 0], [0.1, 0.2, 0.5], 0.3)["decision"] == 1
    assert decide([1, 1, 0], [0.7, 0.2, 0.5], 0.9)["decision"] == 1     # 0.8999999999999999 reaches 0.9
    assert decide([1, 1, 0], [0.7, 0.2, 0.5], 0.9 + 1e-9)["decision"] == 0
    assert decide([1, 0, 1], [0.5, 0.3, 0.2], 1.0)["terms"] == [0.5, 0.0, 0.2]
