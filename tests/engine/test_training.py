"""Training through the public Trainer: updates against the NumPy reference, the worked example of gradient
descent, reproducibility, live changes, save/load, known problems, divergence, dropout, hand edits, counters."""
import json
import math

import numpy as np
import pytest

import reference as ref
from nnplayground.engine import Trainer
from nnplayground.engine.optimizers import CODES as OPTIMIZERS

# optimizer settings away from the defaults, so that a setting the kernels ignored would show
SETTINGS = dict(momentum=0.8, beta1=0.85, beta2=0.99, rho=0.95, epsilon=1e-7)
SMALL = dict(dataset="circle", n_points=40, noise=0.2, hidden=(4, 3), activation="tanh", learning_rate=0.05, **SETTINGS)
RUN = dict(dataset="spiral", n_points=200, noise=0.1, hidden=(6, 5), activation="tanh", optimizer="adam",
           learning_rate=0.02, batch_size=7, seed=11)


def ref_net(trainer):
    n = trainer.layout.n_layers
    return ref.Net([trainer.weights(l) for l in range(n)], [trainer.bias(l) for l in range(n)],
                   list(trainer.config.layer_activations))


def ref_optimizer(c):
    return ref.Optimizer(c.optimizer, c.learning_rate, momentum=c.momentum, beta1=c.beta1, beta2=c.beta2, rho=c.rho,
                         eps=c.epsilon)


def ref_step(trainer, net, opt, rows, masks=None):
    c = trainer.config
    return ref.train_step(net, opt, trainer.x_train[rows], trainer.t_train[rows], c.loss, c.huber_delta,
                          c.regularization, c.reg_rate, masks)


def assert_matches(trainer, net, tolerance=1e-9):
    """Every layer's W and b equal the reference's, ||engine − reference|| / ||reference|| < tolerance per tensor
    (summation order differs, and Adagrad's g/√(g²) magnifies that for a gradient near zero)."""
    for l in range(trainer.layout.n_layers):
        for got, want in ((trainer.weights(l), net.weights[l]), (trainer.bias(l), net.biases[l])):
            error = np.linalg.norm(got - want) / max(np.linalg.norm(want), 1e-12)
            assert error < tolerance, (l, got, want)


def snapshot(trainer):
    return (trainer.params.copy(), trainer._m.copy(), trainer._s.copy(), trainer.counters(), trainer.config)


def assert_same_run(a, b):
    np.testing.assert_array_equal(a.params, b.params)
    np.testing.assert_array_equal(a._m, b._m)
    np.testing.assert_array_equal(a._s, b._s)
    assert a.counters() == b.counters()


# ------------------------------------------------------------------------------ (a) updates vs the reference

@pytest.mark.parametrize("reg", ["none", "l1", "l2"])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_full_batch_steps_equal_the_reference(optimizer, reg):
    trainer = Trainer(**SMALL, optimizer=optimizer, regularization=reg, reg_rate=0.02, batch_size=10_000)
    assert trainer.batches_per_epoch == 1
    net, opt = ref_net(trainer), ref_optimizer(trainer.config)
    start = trainer.params.copy()
    for _ in range(3):          # three updates: momentum, moments and Adam's t all carry over
        trainer.train(1)
        ref_step(trainer, net, opt, np.arange(len(trainer.train_idx)))
        assert_matches(trainer, net)
    assert not np.allclose(trainer.params, start)


@pytest.mark.parametrize("batch", [1, 7])
@pytest.mark.parametrize("reg", ["none", "l1", "l2"])
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_stochastic_and_minibatch_steps_equal_the_reference(optimizer, reg, batch):
    """Batch 1 (SGD) and batch 7 of 20 examples (7, 7 and a last batch of 6), in the epoch's shuffled order."""
    trainer = Trainer(**SMALL, optimizer=optimizer, regularization=reg, reg_rate=0.02, batch_size=batch)
    n = len(trainer.train_idx)
    net, opt = ref_net(trainer), ref_optimizer(trainer.config)
    trainer.train_batches(1)
    order = trainer._pending[0].copy()          # the epoch's shuffle, kept for the unfinished epoch
    assert sorted(order) == list(range(n))
    batches = [order[i:i + batch] for i in range(0, n, batch)][:4]
    for k, rows in enumerate(batches):
        if k:
            trainer.train_batches(1)
        ref_step(trainer, net, opt, rows)
        assert_matches(trainer, net)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_dropout_step_equals_the_reference_with_the_same_masks(activation):
    trainer = Trainer(dataset="circle", n_points=40, hidden=(5, 4), activation=activation, dropout=0.5,
                      optimizer="sgd", learning_rate=0.1, batch_size=6)
    net, opt = ref_net(trainer), ref_optimizer(trainer.config)
    trainer.train_batches(1)
    order, seed, _ = trainer._pending
    for start in (0, 6):
        if start:
            trainer.train_batches(1)
        masks = ref.dropout_masks(trainer.layout.sizes, 6, 0.5, (seed + start) & 0x7FFFFFFF)
        assert any((m == 0).any() for m in masks) and any((m == 2).any() for m in masks)
        ref_step(trainer, net, opt, order[start:start + 6], masks)
        assert_matches(trainer, net)


def test_binary_targets_are_encoded_as_documented():
    signed = Trainer(dataset="circle", n_points=20, loss="mse", output_activation="tanh")
    hinge = Trainer(dataset="circle", n_points=20, loss="hinge")
    plain = Trainer(dataset="circle", n_points=20, loss="mse", output_activation="sigmoid")
    labels = signed.data.labels[signed.train_idx]
    np.testing.assert_array_equal(signed.t_train[:, 0], 2.0 * labels - 1)
    np.testing.assert_array_equal(hinge.t_train[:, 0], 2.0 * labels - 1)
    np.testing.assert_array_equal(plain.t_train[:, 0], labels)
    multi = Trainer(task="multiclass", dataset="blobs", n_points=20, n_classes=4)
    np.testing.assert_array_equal(multi.t_train, np.eye(4)[multi.data.labels[multi.train_idx]])


# --------------------------------------------------------------------- (b) the worked example, CONCEPTS item 10

def _one_weight_trainer(learn_bias):
    trainer = Trainer(task="regression", dataset="points", features=("x1",), hidden=(), loss="mse",
                      output_activation="linear", optimizer="sgd", learning_rate=0.1, batch_size=1, train_ratio=0.9,
                      learn_bias=learn_bias)
    trainer.set_points([[2.0, 0.0]], [6.0])      # one example: x = 2 (x2 is not a feature), target 6
    trainer.set_weight(0, 0, 0, 5.0)
    trainer.set_bias(0, 0, 0.0)
    assert trainer.layout.sizes == (1, 1) and len(trainer.train_idx) == 1
    return trainer


def test_worked_example_of_gradient_descent_exactly():
    trainer = _one_weight_trainer(learn_bias=False)
    look = trainer.inspect([2.0, 0.0], 6.0)
    assert look["loss"] == 8.0                          # ½(5·2 − 6)²
    assert look["layers"][0]["grad_w"] == [[8.0]]       # (5·2 − 6)·2
    assert look["layers"][0]["new_w"] == [[4.2]]        # 5 − 0.1·8
    trainer.train_batches(1)
    assert trainer.weights(0)[0, 0] == 4.2 and trainer.bias(0)[0] == 0.0
    path = [5.0, 4.2]
    for _ in range(80):
        trainer.train_batches(1)
        path.append(float(trainer.weights(0)[0, 0]))
    # w ← w − 0.1·2(2w − 6) = 0.6 w + 1.2, so w_k − 3 = 2·0.6^k
    np.testing.assert_allclose(path[:10], [3 + 2 * 0.6 ** k for k in range(10)], rtol=1e-14)
    assert path[-1] == pytest.approx(3.0, abs=1e-14)
    assert trainer.bias(0)[0] == 0.0 and trainer.loss("train") < 1e-25
    assert trainer.iteration == trainer.epoch == 81


def test_worked_example_with_a_learning_bias_moves_both():
    """With the bias learning too, the same step also moves b by −0.1·4, and the optimum is on 2w + b = 6."""
    trainer = _one_weight_trainer(learn_bias=True)
    trainer.train_batches(1)
    assert trainer.weights(0)[0, 0] == 4.2 and trainer.bias(0)[0] == pytest.approx(-0.4, abs=1e-15)
    trainer.train(200)
    w, b = trainer.weights(0)[0, 0], trainer.bias(0)[0]
    assert w == pytest.approx(3.4, abs=1e-9) and b == pytest.approx(-0.8, abs=1e-9)   # (5, 0) − s·(2, 1)


def test_turning_bias_learning_off_mid_run_freezes_the_biases():
    for optimizer in ("momentum", "adam"):
        trainer = Trainer(**SMALL, optimizer=optimizer)
        trainer.train(5)
        trainer.configure(learn_bias=False)
        biases = [trainer.bias(l) for l in range(3)]
        weights = trainer.weights(0)
        trainer.train(3)
        for l in range(3):
            np.testing.assert_array_equal(trainer.bias(l), biases[l])
        assert not np.array_equal(trainer.weights(0), weights)


# ---------------------------------------------------------------------------------------- (c) reproducibility

def test_same_seed_same_run_bit_for_bit():
    a, b = Trainer(**RUN).train(12), Trainer(**RUN).train(12)
    assert_same_run(a, b)
    assert a.history == b.history and a.metrics() == b.metrics()
    c = Trainer(**{**RUN, "seed": 12}).train(12)
    assert not np.array_equal(a.params, c.params)


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_chunks_do_not_change_the_run(dropout):
    whole = Trainer(**RUN, dropout=dropout).train(10)
    parts = Trainer(**RUN, dropout=dropout).train(4).train(6)
    assert_same_run(whole, parts)
    per_epoch = whole.batches_per_epoch
    assert per_epoch == 15                                   # ⌈100 / 7⌉
    batches = Trainer(**RUN, dropout=dropout).train_batches(20).train_batches(1).train_batches(3 * per_epoch - 21)
    three = Trainer(**RUN, dropout=dropout).train(3)
    assert_same_run(batches, three)
    # an unfinished epoch, then whole epochs: train() first finishes the epoch that was started
    mixed = Trainer(**RUN, dropout=dropout).train_batches(4).train(3)
    assert_same_run(mixed, three)


@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_examples_in_blocks_give_the_same_run_as_one_at_a_time(dropout):
    """The kernels push a block of examples through each layer together; every sum must still be added in
    the same order as for one example at a time, so the run cannot depend on the block size."""
    settings = {**RUN, "batch_size": 50, "dropout": dropout, "hidden_activations": ("tanh", "relu")}
    blocks = Trainer(**settings)
    single = Trainer(**settings)
    assert blocks._buf.shape[1] >= 32 * blocks.layout.n_units          # blocks of 32, then 18
    single._buf = np.zeros((4, single.layout.n_units))
    blocks.train(3)
    single.train(3)
    assert_same_run(blocks, single)
    assert blocks.history == single.history
    np.testing.assert_array_equal(blocks.outputs("test")[0], single.outputs("test")[0])


# --------------------------------------------------------------------------------- (d) live setting changes

def test_changing_the_learning_rate_keeps_adam_moments():
    trainer = Trainer(**SMALL, optimizer="adam", batch_size=10_000)
    net, opt = ref_net(trainer), ref_optimizer(trainer.config)
    rows = np.arange(len(trainer.train_idx))
    for _ in range(5):
        trainer.train(1)
        ref_step(trainer, net, opt, rows)
    params, m, s, counters, _ = snapshot(trainer)
    assert np.abs(m).max() > 0 and np.abs(s).max() > 0
    assert trainer.configure(learning_rate=0.01) == "live"
    np.testing.assert_array_equal(trainer._m, m)
    np.testing.assert_array_equal(trainer._s, s)
    np.testing.assert_array_equal(trainer.params, params)
    assert trainer.counters() == counters and trainer.config.learning_rate == 0.01
    opt.lr = 0.01                                    # the reference keeps its moments and its t
    for _ in range(5):
        trainer.train(1)
        ref_step(trainer, net, opt, rows)
        assert_matches(trainer, net)
    # had the moments been thrown away, the run would differ
    fresh = Trainer(**{**SMALL, "learning_rate": 0.01}, optimizer="adam", batch_size=10_000)
    fresh.params[:] = params
    fresh.train(5)
    assert not np.allclose(fresh.params, trainer.params, rtol=1e-6)


def test_other_live_settings_keep_weights_and_optimizer_state():
    trainer = Trainer(**RUN).train(3)
    params, m, s, counters, _ = snapshot(trainer)
    for change in (dict(beta1=0.8), dict(beta2=0.9), dict(epsilon=1e-6), dict(regularization="l2", reg_rate=0.01),
                   dict(dropout=0.2), dict(batch_size=3), dict(huber_delta=2.0)):
        assert trainer.configure(**change) == "live"
        np.testing.assert_array_equal(trainer.params, params)
        np.testing.assert_array_equal(trainer._m, m)
        np.testing.assert_array_equal(trainer._s, s)
        assert trainer.counters()["iteration"] == counters["iteration"]
    assert trainer.configure(beta1=0.8) == "unchanged"


def test_switching_optimizer_keeps_the_weights():
    trainer = Trainer(**SMALL, optimizer="adam", batch_size=10_000).train(5)
    params = trainer.params.copy()
    assert trainer.configure(optimizer="momentum") == "live"
    np.testing.assert_array_equal(trainer.params, params)
    assert trainer.epoch == 5
    net, opt = ref_net(trainer), ref_optimizer(trainer.config)     # momentum starts from zero velocity
    for _ in range(2):
        trainer.train(1)
        ref_step(trainer, net, opt, np.arange(len(trainer.train_idx)))
        assert_matches(trainer, net)


# ------------------------------------------------------------------------------------------- (e) save / load

@pytest.mark.parametrize("how", ["whole epochs", "mid-epoch", "dropout mid-epoch", "hand-placed points", "csv"])
def test_saved_state_continues_identically(how):
    config = dict(RUN, dropout=0.3) if how.startswith("dropout") else dict(RUN)
    if how == "hand-placed points":
        trainer = Trainer(**config)
        rng = np.random.default_rng(5)
        points = rng.uniform(-5, 5, (30, 2))
        trainer.set_points(points, (points[:, 0] > points[:, 1]).astype(int))
    elif how == "csv":
        rng = np.random.default_rng(6)
        rows = "\n".join(f"{a:.3f},{b:.3f},{c:.3f},{'yes' if a + b > c else 'no'}"
                         for a, b, c in rng.normal(0, 1, (60, 3)))
        trainer = Trainer(**config)
        trainer.load_csv("a,b,c,label\n" + rows, "label")
        assert trainer.layout.sizes[0] == 3
    else:
        trainer = Trainer(**config)
    trainer.train(2) if how == "whole epochs" else trainer.train_batches(20)
    state = json.loads(json.dumps(trainer.state_dict(), allow_nan=False))     # strict JSON
    loaded = Trainer.from_state(state)
    assert_same_run(trainer, loaded)
    assert loaded.config == trainer.config and loaded.history == trainer.history
    for t in (trainer, loaded):
        t.train_batches(17).train(2)
    assert_same_run(trainer, loaded)
    assert trainer.metrics() == loaded.metrics()


# -------------------------------------------------------------------------------------- (f) known problems

CLASSIFIERS = {
    "xor": dict(dataset="xor", n_points=400, hidden=(4, 4), optimizer="adam", learning_rate=0.01, epochs=500),
    "circle": dict(dataset="circle", noise=0.1, hidden=(4,), optimizer="adam", learning_rate=0.03, epochs=200),
    "spiral": dict(dataset="spiral", hidden=(16, 16), optimizer="adam", learning_rate=0.01, epochs=1000),
    "spiral3": dict(task="multiclass", dataset="spiral3", n_points=1000, hidden=(16, 16), optimizer="adam",
                    learning_rate=0.01, epochs=300),
    "blobs": dict(task="multiclass", dataset="blobs", n_classes=5, noise=0.1, hidden=(8,), optimizer="adam",
                  learning_rate=0.03, epochs=50),
}


@pytest.mark.parametrize("name", list(CLASSIFIERS))
def test_small_tanh_nets_solve_the_classic_problems(name):
    settings = dict(CLASSIFIERS[name])
    epochs = settings.pop("epochs")
    trainer = Trainer(activation="tanh", **settings).train(epochs)
    metrics = trainer.metrics()
    assert metrics["test"]["accuracy"] >= 0.95, metrics["test"]
    confusion = np.array(metrics["test"]["confusion"])
    assert confusion.sum() == len(trainer.test_idx) and np.trace(confusion) / confusion.sum() == \
        metrics["test"]["accuracy"]


def test_digits_with_one_hidden_layer():
    trainer = Trainer(task="multiclass", dataset="digits", hidden=(32,), activation="tanh", optimizer="adam",
                      learning_rate=0.003, batch_size=32).train(30)
    assert trainer.layout.sizes == (64, 32, 10)
    accuracy = trainer.metrics()["test"]["accuracy"]
    assert accuracy >= 0.93, accuracy
    answer = trainer.predict(trainer.data.points[trainer.test_idx[:5]])
    np.testing.assert_allclose(answer.sum(axis=1), 1.0, rtol=1e-12)      # 10 probabilities per image


def test_regression_on_bumps():
    trainer = Trainer(task="regression", dataset="bumps", noise=0.05, hidden=(16, 16), activation="tanh",
                      optimizer="adam", learning_rate=0.01).train(300)
    test = trainer.metrics()["test"]
    assert test["r2"] > 0.9 and test["rmse"] < 0.2, test


def test_a_linear_network_cannot_separate_the_circle():
    trainer = Trainer(dataset="circle", hidden=(8, 8), activation="linear", optimizer="adam",
                      learning_rate=0.03).train(300)
    assert trainer.metrics()["test"]["accuracy"] < 0.7
    assert trainer.metrics()["train"]["accuracy"] < 0.7


# ---------------------------------------------------------------------------------------------- (g) divergence

DIVERGING = dict(dataset="spiral", hidden=(8, 8), loss="mse", output_activation="linear", optimizer="sgd",
                 learning_rate=10.0)


def test_divergence_stops_training_says_when_and_steps_back():
    trainer = Trainer(**DIVERGING).train(100)
    report = trainer.divergence
    assert report is not None and trainer.epoch < 100
    assert report["epoch"] == trainer.epoch and report["iteration"] == trainer.iteration
    per_epoch = trainer.batches_per_epoch
    assert report["epoch"] * per_epoch < report["iteration"] <= (report["epoch"] + 1) * per_epoch
    assert "infinite or NaN" in report["reason"] and "learning rate" in report["advice"]
    assert trainer.loss("train") is None and trainer.metrics()["train"]["loss"] is None     # nothing crashes
    frozen = snapshot(trainer)
    trainer.train(10).train_batches(5)
    np.testing.assert_array_equal(trainer.params, frozen[0])
    assert trainer.counters() == frozen[3]
    trainer.step_back()
    assert trainer.divergence is None and np.isfinite(trainer.params).all()
    assert trainer.epoch == 0 and trainer.iteration == 0


def test_divergence_is_found_at_the_same_batch_whatever_the_chunks():
    whole = Trainer(**DIVERGING).train(100)
    assert whole.divergence["kind"] == "nonfinite"
    chunked = Trainer(**DIVERGING)          # chunks too coarse for the loss watch to judge before the overflow
    for _ in range(100):
        chunked.train_batches(40)
        if chunked.divergence:
            break
    assert chunked.divergence == whole.divergence
    chunked.step_back()                      # back to the end of the last good chunk
    assert chunked.iteration == (whole.divergence["iteration"] - 1) // 40 * 40 and np.isfinite(chunked.params).all()
    assert chunked.loss("train") is not None


def test_epoch_by_epoch_the_explosion_is_seen_before_the_overflow():
    whole = Trainer(**DIVERGING).train(100)
    stepwise = Trainer(**DIVERGING)
    for _ in range(100):
        stepwise.train(1)
        if stepwise.divergence:
            break
    assert stepwise.divergence["kind"] == "exploding"
    assert stepwise.divergence["iteration"] <= whole.divergence["iteration"]
    assert np.isfinite(stepwise.params).all()
    stepwise.step_back()
    assert np.isfinite(stepwise.params).all() and stepwise.loss("train") is not None


def test_lowering_the_learning_rate_after_divergence_resumes_training():
    trainer = Trainer(**DIVERGING).train(100)
    assert trainer.divergence
    assert trainer.configure(learning_rate=0.01) == "live"
    assert trainer.divergence is None and np.isfinite(trainer.params).all()
    trainer.train(5)
    assert trainer.divergence is None and trainer.epoch == 5 and math.isfinite(trainer.loss("train"))


# ------------------------------------------------------------------------------------------------- (h) dropout

def test_dropout_trains_but_evaluation_never_drops():
    trainer = Trainer(dataset="circle", hidden=(16, 16), activation="tanh", dropout=0.5, optimizer="adam",
                      learning_rate=0.01).train(40)
    assert trainer.metrics()["test"]["accuracy"] > 0.9
    _, test_acts = ref.forward(ref_net(trainer), trainer.x_test)           # the metrics see the whole network
    labels = trainer.data.labels[trainer.test_idx]
    assert trainer.metrics()["test"]["accuracy"] == pytest.approx(np.mean((test_acts[-1][:, 0] > 0.5) == labels))
    points = trainer.data.points[:50]
    first = trainer.predict(points)
    np.testing.assert_array_equal(first, trainer.predict(points))
    _, acts = ref.forward(ref_net(trainer), trainer.inputs[:50])          # no masks
    np.testing.assert_allclose(first, acts[-1], rtol=1e-9)
    np.testing.assert_array_equal(trainer.maps(16)[1], trainer.maps(16)[1])
    assert trainer.inspect(points[0], 1) == trainer.inspect(points[0], 1)
    # and training itself does drop: the same run without dropout ends elsewhere
    plain = Trainer(**{**trainer.config.as_dict(), "dropout": 0.0}).train(40)
    assert not np.allclose(plain.params, trainer.params)


# ---------------------------------------------------------------------------------------------- (i) hand edits

def test_hand_edits_change_predictions():
    from nnplayground.engine import ConfigError
    trainer = Trainer(dataset="circle", hidden=(3,), activation="tanh").train(2)
    points = np.array([[1.0, 2.0], [-3.0, 0.5], [4.0, -4.0]])
    before = trainer.predict(points)
    loss_before = trainer.metrics()["train"]["loss"]
    trainer.set_weight(0, 1, 2, 0.7)
    trainer.set_bias(1, 0, -0.4)
    trainer.set_weights(0, [[0.5, -1.0, 0.25], [1.5, 0.0, 0.7]])
    trainer.set_bias(0, 2, 1.0)
    assert trainer.weights(0).tolist() == [[0.5, -1.0, 0.25], [1.5, 0.0, 0.7]]
    assert trainer.bias(1)[0] == -0.4 and trainer.bias(0)[2] == 1.0
    after = trainer.predict(points)
    assert not np.allclose(before, after)
    _, acts = ref.forward(ref_net(trainer), points)
    np.testing.assert_allclose(after, acts[-1], rtol=1e-9)
    # the losses shown are recomputed for the edited weights (not the last evaluation's, kept for reuse)
    zs, acts = ref.forward(ref_net(trainer), trainer.x_train)
    expected = ref.per_example_loss("bce", zs[-1], acts[-1], trainer.t_train).mean()
    assert trainer.metrics()["train"]["loss"] != loss_before
    assert trainer.metrics()["train"]["loss"] == pytest.approx(expected, rel=1e-9)
    params = trainer.params.copy()
    for bad in (lambda: trainer.set_weight(0, 2, 0, 1.0), lambda: trainer.set_weight(0, 0, 3, 1.0),
                lambda: trainer.set_weight(2, 0, 0, 1.0), lambda: trainer.set_weight(-1, 0, 0, 1.0),
                lambda: trainer.set_weight(0, 0, 0, float("nan")), lambda: trainer.set_weight(0, 0, 0, math.inf),
                lambda: trainer.set_weight(0, 0, 0, 1e7), lambda: trainer.set_weight(0, 0, 0, True),
                lambda: trainer.set_weight(0, 0, 0, "1"), lambda: trainer.set_bias(1, 1, 0.0),
                lambda: trainer.set_bias(0, 0, -math.inf), lambda: trainer.set_weights(0, [[1.0, 2.0, 3.0]]),
                lambda: trainer.set_weights(1, [[1.0], [2.0], [math.nan]]),
                lambda: trainer.set_weights(1, [[1.0], [2.0], [2e6]])):
        with pytest.raises(ConfigError):
            bad()
    np.testing.assert_array_equal(trainer.params, params)


# ------------------------------------------------------------------------------------------------ (j) counters

@pytest.mark.parametrize("batch", [1, 7, 10, 100, 10_000])
def test_counters_count_epochs_iterations_and_examples(batch):
    trainer = Trainer(dataset="moons", n_points=200, batch_size=batch)
    n = len(trainer.train_idx)
    per_epoch = -(-n // min(batch, n))
    assert n == 100 and trainer.batches_per_epoch == per_epoch
    trainer.train(3)
    assert trainer.counters() == {"epoch": 3, "iteration": 3 * per_epoch, "examples_seen": 300,
                                  "batches_per_epoch": per_epoch, "batch_in_epoch": 0}
    if per_epoch > 2:
        trainer.train_batches(2)
        assert trainer.counters() == {"epoch": 3, "iteration": 3 * per_epoch + 2, "examples_seen": 300 + 2 * batch,
                                      "batches_per_epoch": per_epoch, "batch_in_epoch": 2}
        trainer.train(1)               # finishes the epoch that was started
        assert (trainer.epoch, trainer.iteration, trainer.examples_seen) == (4, 4 * per_epoch, 400)
    assert trainer.history[-1]["epoch"] == trainer.epoch and trainer.history[-1]["iteration"] == trainer.iteration


def test_points_edited_mid_epoch_start_a_fresh_epoch():
    """Drawing a point while an epoch is unfinished must not break training (the old shuffle has the old size)."""
    trainer = Trainer(dataset="points", batch_size=2, train_ratio=0.5)
    rng = np.random.default_rng(1)
    points = rng.uniform(-5, 5, (12, 2))
    labels = (points[:, 0] > 0).astype(int)
    trainer.set_points(points, labels)
    trainer.train_batches(1)
    assert trainer.counters()["batch_in_epoch"] == 1
    more = np.vstack([points, [[1.0, 1.0], [-1.0, -2.0], [2.0, 3.0], [-3.0, 1.0]]])
    trainer.set_points(more, (more[:, 0] > 0).astype(int))
    assert len(trainer.train_idx) == 8
    trainer.train(2)
    assert trainer.counters()["batch_in_epoch"] == 0 and trainer.divergence is None
    trainer.train_batches(1)
    trainer.set_points(points, labels)           # fewer points again, mid-epoch
    trainer.train(1)
    assert trainer.counters()["batch_in_epoch"] == 0


def test_hand_placed_points_survive_a_change_of_data_settings():
    trainer = Trainer(dataset="points")
    points = np.random.default_rng(2).uniform(-5, 5, (20, 2))
    trainer.set_points(points, (points[:, 1] > 0).astype(int))
    assert trainer.configure(train_ratio=0.7) == "data"
    assert len(trainer.data.labels) == 20 and len(trainer.train_idx) == 14
    np.testing.assert_array_equal(trainer.data.points, points)
    trainer.configure(seed=3)
    np.testing.assert_array_equal(trainer.data.points, points)
    trainer.train(3)
    assert trainer.examples_seen == 42


# -------------------------------------------------------------------------------------------------- initialisation

def test_auto_initialisation_is_he_before_relu_layers_and_glorot_before_the_others():
    trainer = Trainer(hidden=(200, 200), hidden_activations=("relu", "tanh"), n_points=40)
    n_in = trainer.layout.sizes
    he, glorot = np.sqrt(2.0 / n_in[1]), np.sqrt(2.0 / (n_in[2] + n_in[3]))
    assert trainer.weights(1).std() == pytest.approx(np.sqrt(2.0 / (n_in[1] + n_in[2])), rel=0.03)  # tanh layer
    relu = Trainer(hidden=(200, 200), activation="relu", n_points=40)
    assert relu.weights(1).std() == pytest.approx(he, rel=0.03)            # 200 → 200 into a ReLU layer: He
    assert relu.weights(2).std() == pytest.approx(glorot, rel=0.2)          # 200 → 1 into the sigmoid output
    assert all(np.all(relu.bias(l) == 0) for l in range(3))
    chosen = Trainer(hidden=(200, 200), activation="relu", init="glorot", n_points=40)
    assert chosen.weights(1).std() == pytest.approx(np.sqrt(2.0 / 400), rel=0.03)


def test_all_zero_weights_never_break_the_symmetry_of_a_layer():
    """Every hidden neuron of a layer starts equal, gets the same gradient and so stays a copy of the others."""
    trainer = Trainer(dataset="circle", hidden=(4, 3), init="zeros", learning_rate=0.1, n_points=100)
    trainer.train(30)
    for l in range(2):
        w = trainer.weights(l)
        assert np.allclose(w, w[:, :1]) and np.allclose(trainer.bias(l), trainer.bias(l)[0])
    assert trainer.metrics()["train"]["accuracy"] < 0.75
    broken = Trainer(dataset="circle", hidden=(4, 3), learning_rate=0.1, n_points=100)
    broken.train(30)
    assert not np.allclose(broken.weights(0), broken.weights(0)[:, :1])


# ------------------------------------------------------- (a′) every allowed combination through the training kernel

from test_gradients import CASES as GRADIENT_CASES   # noqa: E402  (every task × loss × output × hidden activation)

DATASET_OF = {"binary": "circle", "multiclass": "blobs", "regression": "bumps"}


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("task,loss,output,hidden_act", GRADIENT_CASES,
                         ids=["-".join(str(p) for p in case) for case in GRADIENT_CASES])
def test_every_activation_loss_and_optimizer_trains_as_the_reference(task, loss, output, hidden_act, optimizer):
    """Mini-batches of 7 through the batched kernel (the path that trains), two updates, against the reference."""
    perceptron = loss == "perceptron"
    trainer = Trainer(task=task, dataset=DATASET_OF[task], n_points=40, noise=0.1, n_classes=3,
                      hidden=() if hidden_act is None else (4, 3), activation="step" if perceptron else
                      (hidden_act or "tanh"), loss=loss, output_activation=output, optimizer=optimizer,
                      learning_rate=0.05, batch_size=7, huber_delta=0.5, regularization="l2", reg_rate=0.01,
                      **SETTINGS)
    assert trainer.config.layer_activations[-1] == output
    net, opt = ref_net(trainer), ref_optimizer(trainer.config)
    trainer.train_batches(1)
    order = trainer._pending[0].copy()
    for k in range(2):
        if k:
            trainer.train_batches(1)
        ref_step(trainer, net, opt, order[7 * k:7 * k + 7])
        assert_matches(trainer, net, tolerance=1e-8)


def test_the_training_set_is_reshuffled_every_epoch():
    trainer = Trainer(**RUN)
    orders = []
    for _ in range(3):
        trainer.train_batches(1)                           # the first batch of a new epoch: its order is drawn
        orders.append(trainer._pending[0].copy())
        trainer.train_batches(trainer.batches_per_epoch - 1)
    n = len(trainer.train_idx)
    assert all(sorted(o) == list(range(n)) for o in orders)
    assert not np.array_equal(orders[0], orders[1]) and not np.array_equal(orders[1], orders[2])


def test_the_readme_python_example_runs_as_written():
    """The README's notebook example, taken from the README itself, with fewer epochs."""
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    code = readme.split("```python\n", 1)[1].split("```", 1)[0].replace("epochs=500", "epochs=5")
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)     # noqa: S102 — our own documentation
    assert namespace["trainer"].config.hidden == (8,) and "z" in namespace["step"]["layers"][0]
    assert Trainer.from_state(namespace["state"]).counters() == namespace["trainer"].counters()
