"""Bad configurations are refused before anything is allocated, with a message that names what is allowed;
a refused change leaves a trainer exactly as it was."""
import math
import time
import tracemalloc

import numpy as np
import pytest

from nnplayground.engine import Config, ConfigError, Trainer
from nnplayground.engine.datasets import DataError

# (settings, words the message must contain)
BAD = [
    (dict(learning_rate=-0.1), "between 0 and 100"),
    (dict(learning_rate=math.nan), "between 0 and 100"),
    (dict(learning_rate=math.inf), "between 0 and 100"),
    (dict(learning_rate=-math.inf), "between 0 and 100"),
    (dict(learning_rate=1000.0), "between 0 and 100"),
    (dict(learning_rate="0.1"), "must be a number between 0 and 100"),
    (dict(learning_rate=None), "must be a number between 0 and 100"),
    (dict(learning_rate=True), "must be a number between 0 and 100"),
    (dict(batch_size=0), "between 1 and 10000"),
    (dict(batch_size=2.5), "whole number between 1 and 10000"),
    (dict(batch_size=True), "must be a number between 1 and 10000"),
    (dict(batch_size=10**12), "between 1 and 10000"),
    (dict(hidden=(4,) * 10_000), "at most 16 hidden layers"),
    (dict(hidden=range(10**9)), "at most 16 hidden layers"),
    (dict(hidden=(10**9,)), "hidden layer width must be between 1 and 256"),
    (dict(hidden=(0,)), "between 1 and 256"),
    (dict(hidden=(4.5,)), "whole number between 1 and 256"),
    (dict(hidden=(True, 4)), "must be a number between 1 and 256"),
    (dict(hidden=8), "list of layer widths"),
    (dict(hidden="8"), "list of layer widths"),
    (dict(hidden=(256,) * 16), "the limit is 200,000"),
    (dict(dataset="mnist"), "dataset must be one of circle, xor"),
    (dict(activation="swish"), "activation must be one of linear, sigmoid, tanh, relu, leaky_relu, step"),
    (dict(hidden_activations=("tanh", "gelu")), "hidden activation must be one of linear, sigmoid"),
    (dict(hidden_activations=("tanh",)), "one name per hidden layer (2)"),
    (dict(hidden_activations="tanh"), "one name per hidden layer"),
    (dict(loss="mae"), "loss for the binary task must be one of bce, mse, hinge, perceptron"),
    (dict(optimizer="lbfgs"), "optimizer must be one of sgd, momentum, adagrad, rmsprop, adam"),
    (dict(features=("x1", "x3")), "x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2"),
    (dict(features=()), "non-empty"),
    (dict(features=5), "features must be a list of names from: x1, x2"),
    (dict(task="ranking"), "task must be one of binary, multiclass, regression"),
    (dict(init="orthogonal"), "init must be one of auto, glorot, he, zeros"),
    (dict(regularization="l3"), "regularization must be one of none, l1, l2"),
    (dict(task="multiclass", dataset="blobs", n_classes=11), "n_classes must be between 2 and 10"),
    (dict(task="multiclass", dataset="blobs", n_classes=1), "n_classes must be between 2 and 10"),
    (dict(activation="step"), "step is the classic perceptron"),
    (dict(hidden=(), activation="step", loss="mse"), "only as the output of a network with no hidden layers"),
    (dict(hidden=(), activation="step", loss="bce"), "with the perceptron loss"),
    (dict(task="regression", dataset="plane", hidden=(), activation="step"), "on the binary task"),
    (dict(hidden=(3,), hidden_activations=("step",)), "step is the classic perceptron"),
    (dict(hidden=(), output_activation="step", loss="mse"), "its slope is zero everywhere"),
    (dict(hidden=(4,), output_activation="step", loss="perceptron"), "perceptron"),
    (dict(task="regression", dataset="bumps", loss="bce"), "loss for the regression task must be one of mse, huber"),
    (dict(task="multiclass", dataset="blobs", loss="hinge"), "must be one of cce, kl, mse"),
    (dict(loss="bce", output_activation="tanh"), "the bce loss needs output activation sigmoid"),
    (dict(loss="hinge", output_activation="sigmoid"), "the hinge loss needs output activation linear"),
    (dict(task="multiclass", dataset="blobs", output_activation="sigmoid"), "needs output activation softmax"),
    (dict(task="regression", dataset="circle"), "data set 'circle' is for the binary task"),
    (dict(momentum=1.0), "between 0 and 0.999"),
    (dict(dropout=0.95), "between 0 and 0.9"),
    (dict(reg_rate=-1.0), "between 0 and 10"),
    (dict(epsilon=0.0), "between 1e-12 and 1"),
    (dict(n_points=5), "between 10 and 2000"),
    (dict(n_points=10**6), "between 10 and 2000"),
    (dict(noise=2.0), "between 0 and 0.5"),
    (dict(train_ratio=1.0), "between 0.1 and 0.9"),
    (dict(seed=-1), "between 0 and"),
    (dict(learn_bias=1), "learn_bias must be true or false"),
    (dict(learning_rte=0.1), "unknown setting(s): learning_rte"),
]


@pytest.mark.parametrize("settings,words", BAD, ids=[repr(b[0])[:60] for b in BAD])
def test_bad_configuration_is_refused_before_allocation(settings, words):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ConfigError) as error:
            Trainer(**settings)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert words in str(error.value)
    assert peak < 2_000_000, f"{peak:,} bytes allocated before refusing"
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize("settings,words", BAD[:12], ids=[repr(b[0])[:60] for b in BAD[:12]])
def test_config_replace_refuses_the_same(settings, words):
    with pytest.raises(ConfigError, match="between|number"):
        Config().replace(**settings)


def test_numpy_numbers_are_accepted_as_numbers():
    trainer = Trainer(hidden=np.array([4, 3]), batch_size=np.int64(5), learning_rate=np.float32(0.25))
    assert trainer.config.hidden == (4, 3) and trainer.config.batch_size == 5
    assert type(trainer.config.batch_size) is int and type(trainer.config.learning_rate) is float
    assert trainer.layout.sizes == (2, 4, 3, 1)


def test_limits_themselves_are_allowed():
    """The documented limits are inclusive: 16 hidden layers, 256 units, 10 classes, batch 10,000."""
    Trainer(hidden=(256,), n_points=10)
    Trainer(hidden=(2,) * 16, batch_size=10_000)
    Trainer(task="multiclass", dataset="blobs", n_classes=10, learning_rate=100.0)
    Trainer(hidden=(), activation="step")           # the perceptron


def _state(trainer):
    return (trainer.params.copy(), trainer._m.copy(), trainer._s.copy(), trainer.config, trainer.counters(),
            list(trainer.history), trainer.data, trainer.train_idx.copy(), trainer.layout.sizes)


def _assert_unchanged(trainer, before):
    after = _state(trainer)
    for a, b in zip(before[:3], after[:3]):
        np.testing.assert_array_equal(a, b)
    assert after[3:5] == before[3:5] and after[5] == before[5]
    assert after[6] is before[6] or np.array_equal(after[6].points, before[6].points)
    np.testing.assert_array_equal(after[7], before[7])
    assert after[8] == before[8]


@pytest.mark.parametrize("change", [
    dict(learning_rate=-1.0), dict(learning_rate=math.nan), dict(batch_size=0), dict(hidden=(4,) * 10_000),
    dict(hidden=(10**9,)), dict(activation="swish"), dict(dataset="mnist"), dict(optimizer="lbfgs"),
    dict(loss="cce"), dict(n_classes=11), dict(learning_rate=0.1, momentum=2.0), dict(dropout=True),
    dict(unknown=1), dict(dataset="csv"), dict(task="regression"), dict(features=("x1", "x1"))])
def test_a_refused_change_leaves_the_trainer_as_it_was(change):
    trainer = Trainer(dataset="spiral", hidden=(5, 4), optimizer="adam", batch_size=8).train(3).train_batches(5)
    before = _state(trainer)
    with pytest.raises(ConfigError):
        trainer.configure(**change)
    _assert_unchanged(trainer, before)
    trainer.train(1)                      # and it still trains
    assert trainer.epoch == 4


def test_a_refused_csv_leaves_the_trainer_as_it_was():
    trainer = Trainer(dataset="circle", hidden=(3,)).train(2)
    before = _state(trainer)
    for text, features in (("a,b,label\n1,2,yes\n3,oops,no\n", ["a", "b"]), ("a,label\n" + "1,yes\n" * 10_001, None),
                           ("", None), ("a,b\n1,2\n", None), ("a,label\n1,x\n2,y\n3,z\n", None)):
        with pytest.raises(DataError):
            trainer.load_csv(text, "label", features)
        _assert_unchanged(trainer, before)


def test_bad_csv_messages_name_row_column_and_limit():
    trainer = Trainer(dataset="circle")
    with pytest.raises(DataError, match=r"row 3, column 'b': 'oops' is not a number"):
        trainer.load_csv("a,b,label\n1,2,yes\n3,oops,no\n", "label", ["a", "b"])
    with pytest.raises(DataError, match="more than 10,000 data rows"):
        trainer.load_csv("a,label\n" + "1,yes\n" * 10_001, "label")
    with pytest.raises(DataError, match="larger than the limit of 1,000,000 bytes"):
        trainer.load_csv("a,label\n" + "1,yes\n" * 10**6, "label")
