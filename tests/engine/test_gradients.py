"""The kernels' forward pass, loss and gradient against central finite differences and the NumPy reference.

Every allowed (task, loss, output activation) of engine.losses.ALLOWED is combined with every hidden activation
of engine.activations.HIDDEN on a 3 -> 4 -> 3 -> K network (and with no hidden layer). Inputs are drawn away from
the kinks of relu, leaky relu, step, hinge (margin 1) and Huber (|r| = delta) so that the loss is smooth within
the finite-difference step.
"""
import numpy as np
import pytest

import reference as ref
from nnplayground.engine import Trainer
from nnplayground.engine.activations import CODES as ACT_CODES, HIDDEN
from nnplayground.engine.kernels import evaluate, example_gradient
from nnplayground.engine.layout import build_layout
from nnplayground.engine.losses import ALLOWED, CODES as LOSS_CODES

N_IN, HIDDEN_SIZES, N_EXAMPLES = 3, (4, 3), 4
HUBER_DELTA = 0.5
FD_STEP = 1e-5
TOLERANCE = 1e-6
KINK_GAP = 1e-3          # minimum distance of every z (or margin, or residual) from a kink


def _cases():
    cases = []
    for task, by_loss in ALLOWED.items():
        for loss, outputs in by_loss.items():
            for output in outputs:
                if loss == "perceptron":
                    cases.append((task, loss, output, None))       # the perceptron has no hidden layer
                    continue
                cases.append((task, loss, output, None))
                cases.extend((task, loss, output, act) for act in HIDDEN)
    return cases


CASES = _cases()


def rel_error(g, want, floor=1e-12):
    """||g - want|| / max(||want||, floor)."""
    return np.linalg.norm(g - want) / max(np.linalg.norm(want), floor)


def _targets(task, loss, output, rng, n, k):
    if task == "multiclass":
        return np.eye(k)[rng.integers(0, k, n)]
    if task == "regression":
        return rng.normal(0.0, 1.0, (n, 1))
    labels = rng.integers(0, 2, (n, 1)).astype(float)
    signed = loss == "hinge" or (loss == "mse" and output in ("tanh", "linear"))
    return 2 * labels - 1 if signed else labels


def _far_from_kinks(net, x, t, loss):
    zs, acts = ref.forward(net, x)
    for z, name in zip(zs, net.activations):
        if name in ("relu", "leaky_relu", "step") and np.abs(z).min() < KINK_GAP:
            return False
        # the engine's tanh switches formula at |z| = 4.5 (sigmoid: at |z| = 9); keep finite differences off it
        if name == "tanh" and np.abs(np.abs(z) - 4.5).min() < KINK_GAP:
            return False
        if name == "sigmoid" and np.abs(np.abs(z) - 9.0).min() < KINK_GAP:
            return False
    if loss == "hinge" and np.abs(1 - t * zs[-1]).min() < KINK_GAP:
        return False
    if loss == "huber":
        r = np.abs(acts[-1] - t)
        if np.abs(r - HUBER_DELTA).min() < KINK_GAP or not ((r < HUBER_DELTA).any() and (r > HUBER_DELTA).any()):
            return False       # both branches of Huber must be exercised
    if loss == "hinge" and not (1 - t * zs[-1] > 0).any():
        return False           # at least one example inside the margin, so the gradient is not all zero
    if loss == "perceptron" and (ref.activation("step", zs[-1]) == t).all():
        return False           # at least one misclassified example
    return True


def make_case(task, loss, output, hidden_act, seed=0):
    """(layout, params, x (N, n0), t (N, K), reference Net), inputs chosen away from kinks."""
    k = 3 if task == "multiclass" else 1
    hidden = HIDDEN_SIZES if hidden_act else ()
    sizes = (N_IN,) + hidden + (k,)
    names = [hidden_act] * len(hidden) + [output]
    layout = build_layout(sizes, [ACT_CODES[a] for a in names])
    rng = np.random.default_rng(seed)
    for _ in range(200):
        params = rng.normal(0.0, 0.8, layout.n_params)
        x = rng.normal(0.0, 1.0, (N_EXAMPLES, N_IN))
        t = _targets(task, loss, output, rng, N_EXAMPLES, k)
        net = ref.Net([layout.weights(params, l).copy() for l in range(len(names))],
                      [layout.bias(params, l).copy() for l in range(len(names))], names)
        if _far_from_kinks(net, x, t, loss):
            return layout, params, x, t, net
    raise AssertionError("no inputs away from the kinks")


def kernel_gradient(layout, params, x, t, loss):
    """Mean loss, mean gradient (P,) and per-example buffers (N, 4, U) from engine.kernels.example_gradient."""
    g, total, value = np.zeros_like(params), np.zeros_like(params), 0.0
    bufs = np.zeros((x.shape[0], 4, layout.n_units))
    for i in range(x.shape[0]):
        value += example_gradient(params, layout.table, x[i], t[i], LOSS_CODES[loss], HUBER_DELTA, g, bufs[i])
        total += g
    return value / x.shape[0], total / x.shape[0], bufs


def kernel_loss(layout, params, x, t, loss):
    out = np.zeros(t.shape)
    buf = np.zeros((4, layout.n_units))
    return evaluate(params, layout.table, x, t, LOSS_CODES[loss], HUBER_DELTA, out, buf)


def finite_differences(layout, params, x, t, loss):
    fd = np.zeros_like(params)
    for p in range(params.size):
        up, down = params.copy(), params.copy()
        up[p] += FD_STEP
        down[p] -= FD_STEP
        fd[p] = (kernel_loss(layout, up, x, t, loss) - kernel_loss(layout, down, x, t, loss)) / (2 * FD_STEP)
    return fd


def _id(case):
    task, loss, output, act = case
    return f"{task}-{loss}-{output}-{act or 'nohidden'}"


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_gradient_matches_finite_differences_and_reference(case):
    task, loss, output, hidden_act = case
    layout, params, x, t, net = make_case(task, loss, output, hidden_act)
    value, grad, bufs = kernel_gradient(layout, params, x, t, loss)
    fd = finite_differences(layout, params, x, t, loss)
    assert np.linalg.norm(fd) > 1e-3, "the case must have a gradient worth checking"

    ref_value, ref_gw, ref_gb, ref_deltas, ref_zs, ref_acts = ref.loss_and_gradients(net, x, t, loss, HUBER_DELTA)
    assert kernel_loss(layout, params, x, t, loss) == pytest.approx(value, rel=1e-12)
    assert abs(value - ref_value) <= TOLERANCE * max(abs(ref_value), 1e-12)
    # a tensor whose gradient is (nearly) zero, e.g. hinge biases whose examples cancel, is compared against a
    # thousandth of the whole gradient instead of its own norm, which finite differences only know to ~1e-11
    floor = 1e-3 * np.linalg.norm(fd)
    for l in range(layout.n_layers):
        for name, kern, want, ref_g in (
                ("W", layout.weights(grad, l), layout.weights(fd, l), ref_gw[l]),
                ("b", layout.bias(grad, l), layout.bias(fd, l), ref_gb[l])):
            assert rel_error(kern, want, floor) < TOLERANCE, f"layer {l} {name}: kernel vs finite differences"
            assert rel_error(kern, ref_g, floor) < TOLERANCE, f"layer {l} {name}: kernel vs reference"
        # forward numbers and error terms of every unit, example by example
        u, n = layout.table[l, 6], layout.sizes[l + 1]
        for row, want in ((0, ref_zs[l]), (1, ref_acts[l]), (2, ref_deltas[l])):
            got = bufs[:, row, u:u + n]
            assert rel_error(got, want) < TOLERANCE, f"layer {l} buffer row {row}"


def test_the_cases_cover_every_allowed_combination():
    combos = {(task, loss, out) for task, by_loss in ALLOWED.items() for loss, outs in by_loss.items() for out in outs}
    assert {(c[0], c[1], c[2]) for c in CASES} == combos
    assert len(combos) == 19 and len(CASES) == 18 * 6 + 1


def test_mixed_hidden_activations_per_layer():
    """Each hidden layer with its own activation, as Config.hidden_activations allows."""
    names = ["relu", "tanh", "sigmoid", "leaky_relu", "softmax"]
    layout = build_layout((N_IN, 5, 4, 4, 3, 3), [ACT_CODES[a] for a in names])
    rng = np.random.default_rng(3)
    for _ in range(100):
        params = rng.normal(0.0, 0.8, layout.n_params)
        x = rng.normal(0.0, 1.0, (N_EXAMPLES, N_IN))
        t = np.eye(3)[rng.integers(0, 3, N_EXAMPLES)]
        net = ref.Net([layout.weights(params, l).copy() for l in range(5)],
                      [layout.bias(params, l).copy() for l in range(5)], names)
        if _far_from_kinks(net, x, t, "cce"):
            break
    _, grad, _ = kernel_gradient(layout, params, x, t, "cce")
    fd = finite_differences(layout, params, x, t, "cce")
    _, ref_gw, ref_gb, *_ = ref.loss_and_gradients(net, x, t, "cce")
    assert rel_error(grad, fd) < TOLERANCE
    for l in range(5):
        assert rel_error(layout.weights(grad, l), ref_gw[l]) < TOLERANCE
        assert rel_error(layout.bias(grad, l), ref_gb[l]) < TOLERANCE


# ------------------------------------------------------------------------------------------------- perceptron

def _perceptron(points, labels, lr=0.5):
    trainer = Trainer(task="binary", dataset="points", hidden=(), activation="step", optimizer="sgd",
                      learning_rate=lr, batch_size=1, train_ratio=0.9)
    assert trainer.config.loss == "perceptron" and trainer.config.output_activation == "step"
    trainer.set_points(points, labels)
    return trainer


@pytest.mark.parametrize("label", [0, 1])
def test_perceptron_rule_on_a_misclassified_point(label):
    trainer = _perceptron([[1.5, -2.0]], [label])
    trainer.set_weights(0, [[0.4], [0.3]])
    trainer.set_bias(0, 0, 0.1 if label == 0 else -0.2)   # z = 0.6 - 0.6 + b: wrong side in both cases
    x = np.array([1.5, -2.0])
    w, b = trainer.weights(0)[:, 0], trainer.bias(0)[0]
    y = float(trainer.predict([x])[0, 0])
    assert y == 1 - label
    trainer.train_batches(1)
    eta = 0.5
    np.testing.assert_array_equal(trainer.weights(0)[:, 0], w + eta * (label - y) * x)     # w <- w + eta (t - y) x
    assert trainer.bias(0)[0] == b + eta * (label - y)
    assert trainer.predict([x])[0, 0] == label    # this step flips the decision


def test_perceptron_leaves_a_correctly_classified_point_alone():
    trainer = _perceptron([[1.5, -2.0]], [1])
    trainer.set_weights(0, [[0.4], [-0.3]])
    before = trainer.params.copy()
    trainer.train(5)
    np.testing.assert_array_equal(trainer.params, before)


def test_perceptron_separates_a_separable_set():
    rng = np.random.default_rng(0)
    points = rng.uniform(-5, 5, (60, 2))
    points = points[np.abs(points[:, 0] + 0.5 * points[:, 1] - 1) > 0.5]
    labels = (points[:, 0] + 0.5 * points[:, 1] > 1).astype(int)
    trainer = _perceptron(points, labels, lr=0.1)
    trainer.train(200)
    assert trainer.metrics()["train"]["accuracy"] == 1.0


# -------------------------------------------------------------------------------------------------- inspector

@pytest.mark.parametrize("task,dataset,optimizer,reg", [
    ("binary", "circle", "adam", "l2"), ("multiclass", "blobs", "momentum", "l1"),
    ("regression", "bumps", "rmsprop", "none")])
def test_inspector_numbers_equal_the_reference(task, dataset, optimizer, reg):
    """The step-through view: z, a, delta, dL/dW, dL/db of one point and the update it alone would cause."""
    trainer = Trainer(task=task, dataset=dataset, n_points=40, hidden=(5, 3), activation="tanh",
                      optimizer=optimizer, learning_rate=0.05, regularization=reg, reg_rate=0.01, batch_size=8)
    trainer.train(3)   # optimizer state is not empty
    point, label = trainer.data.points[trainer.train_idx[0]], trainer.data.labels[trainer.train_idx[0]]
    report = trainer.inspect(point, label)
    x, t = trainer.x_train[:1], trainer.t_train[:1]
    c = trainer.config
    net = ref.Net([trainer.weights(l) for l in range(3)], [trainer.bias(l) for l in range(3)],
                  list(c.layer_activations))
    value, gw, gb, deltas, zs, acts = ref.loss_and_gradients(net, x, t, c.loss, c.huber_delta)
    assert report["loss"] == pytest.approx(value, rel=1e-9)
    assert report["input"] == pytest.approx(list(x[0]))
    for l, layer in enumerate(report["layers"]):
        for key, want in (("z", zs[l][0]), ("a", acts[l][0]), ("delta", deltas[l][0]), ("grad_w", gw[l]),
                          ("grad_b", gb[l])):
            assert rel_error(np.array(layer[key]), want) < TOLERANCE, key
    # the update this point alone would cause, with regularisation and the trainer's optimizer state
    opt = ref.Optimizer(optimizer, c.learning_rate, t=trainer.iteration)
    lay = trainer.layout
    for l in range(3):
        opt.state[("m", 2 * l)] = lay.weights(trainer._m, l).copy()
        opt.state[("s", 2 * l)] = lay.weights(trainer._s, l).copy()
        opt.state[("m", 2 * l + 1)] = lay.bias(trainer._m, l).copy()
        opt.state[("s", 2 * l + 1)] = lay.bias(trainer._s, l).copy()
    before_moments = {key: value.copy() for key, value in opt.state.items()}
    new = net.copy()
    ref.train_step(new, opt, x, t, c.loss, c.huber_delta, reg, 0.01)
    step_w = ref.add_penalty(net, gw, reg, 0.01)
    kept = {"adam": "ms", "momentum": "m", "rmsprop": "s"}[optimizer]
    assert report["update"]["optimizer"] == optimizer and report["update"]["t"] == trainer.iteration + 1
    assert report["update"]["learning_rate"] == c.learning_rate
    for l, layer in enumerate(report["layers"]):
        np.testing.assert_allclose(layer["new_w"], new.weights[l], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(layer["new_b"], new.biases[l], rtol=1e-9, atol=1e-12)
        # the numbers the page writes the update rule with: the gradient taken and the moments before and after
        np.testing.assert_allclose(layer["step_w"], step_w[l], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(layer["step_b"], gb[l], rtol=1e-9, atol=1e-12)
        for k in "ms":
            assert (f"{k}_w" in layer) == (k in kept), k
            if k in kept:
                np.testing.assert_array_equal(layer[f"{k}_w"], before_moments[(k, 2 * l)])
                np.testing.assert_array_equal(layer[f"{k}_b"], before_moments[(k, 2 * l + 1)])
                np.testing.assert_allclose(layer[f"new_{k}_w"], opt.state[(k, 2 * l)], rtol=1e-9, atol=1e-12)
                np.testing.assert_allclose(layer[f"new_{k}_b"], opt.state[(k, 2 * l + 1)], rtol=1e-9, atol=1e-12)
    before = trainer.params.copy()
    trainer.inspect(point, label)
    np.testing.assert_array_equal(trainer.params, before)    # inspecting changes nothing
