"""Grid evaluation for drawing: the maps equal the network's own predictions, the float32 tanh keeps its bound."""
import numpy as np
import pytest

import reference as ref
from nnplayground.engine import Trainer
from nnplayground.engine.activations import SIGMOID, TANH
from nnplayground.engine.datasets import PLANE_EXTENT
from nnplayground.engine.features import feature_matrix
from nnplayground.engine.grid import MAX_GRID, grid_points, unit_maps
from nnplayground.engine.layout import build_layout

FAST_TANH_BOUND = 4e-7      # measured 3.6e-7: a few float32 ulps of 1


def _one_unit(activation, x):
    """f(x) for float32 inputs x (N,) through unit_maps on a 1 -> 1 network with w = 1, b = 0."""
    layout = build_layout((1, 1), [activation])
    inputs = np.ascontiguousarray(x, dtype=np.float32).reshape(1, -1)
    out = np.empty_like(inputs)
    unit_maps(np.array([1.0, 0.0]), layout.table, inputs, out)
    return out[0].astype(np.float64)


def test_fast_tanh_error_bound_over_a_dense_range():
    x = np.linspace(-30.0, 30.0, 1_200_001).astype(np.float32)
    got = _one_unit(TANH, x)
    error = np.abs(got - np.tanh(x.astype(np.float64)))
    assert error.max() < FAST_TANH_BOUND, (error.max(), x[error.argmax()])
    assert np.abs(got).max() <= 1.0
    np.testing.assert_array_equal(got, -got[::-1])                 # odd
    sig = _one_unit(SIGMOID, x)
    assert np.abs(sig - 1 / (1 + np.exp(-x.astype(np.float64)))).max() < FAST_TANH_BOUND


def test_fast_tanh_nan_and_infinity():
    got = _one_unit(TANH, np.array([np.nan, np.inf, -np.inf, 0.0, -0.0], dtype=np.float32))
    assert np.isnan(got[0])                                        # a broken network shows up, not hidden
    assert abs(got[1] - 1) < FAST_TANH_BOUND and abs(got[2] + 1) < FAST_TANH_BOUND
    assert got[3] == 0.0 and got[4] == 0.0


def test_grid_points_are_cell_centres_from_the_top_left():
    g = 4
    points = grid_points(g)
    step = 2 * PLANE_EXTENT / g
    assert points.shape == (16, 2)
    np.testing.assert_allclose(points[0], [-PLANE_EXTENT + step / 2, PLANE_EXTENT - step / 2])   # top left
    np.testing.assert_allclose(points[3], [PLANE_EXTENT - step / 2, PLANE_EXTENT - step / 2])    # top right
    np.testing.assert_allclose(points[-1], [PLANE_EXTENT - step / 2, -PLANE_EXTENT + step / 2])  # bottom right
    for bad in (1, MAX_GRID + 1):
        with pytest.raises(ValueError, match=f"between 2 and {MAX_GRID}"):
            grid_points(bad)


NETS = {
    "tanh": dict(dataset="circle", hidden=(6, 5), activation="tanh"),
    "sigmoid": dict(dataset="xor", hidden=(5,), activation="sigmoid", features=("x1", "x2", "x1x2")),
    "relu": dict(dataset="spiral", hidden=(8, 8), activation="relu", features=("x1", "x2", "sinx1", "sinx2")),
    "leaky_relu": dict(task="regression", dataset="bumps", hidden=(6,), activation="leaky_relu",
                       features=("x1", "x2", "x1sq", "x2sq")),
    "softmax": dict(task="multiclass", dataset="blobs", n_classes=4, hidden=(7, 4), activation="tanh"),
    "perceptron": dict(dataset="gauss", hidden=(), activation="step"),
}


@pytest.mark.parametrize("name", list(NETS))
def test_maps_equal_predictions_and_the_reference(name):
    trainer = Trainer(**NETS[name], optimizer="adam", learning_rate=0.02).train(20)
    size = 41
    inputs, maps = trainer.maps(size)
    points = grid_points(size)
    features = feature_matrix(points, trainer.config.features)
    assert inputs.dtype == maps.dtype == np.float32
    assert maps.shape == (trainer.layout.n_units - trainer.layout.sizes[0], size * size)
    np.testing.assert_allclose(inputs, features.T, rtol=1e-6, atol=1e-6)
    out = trainer.predict(points)
    k = trainer.n_outputs
    if name == "perceptron":          # a step flips where z ≈ 0; float32 may flip a point lying on the line
        assert (maps[-1] == out[:, 0]).mean() > 0.99
    else:
        np.testing.assert_allclose(maps[-k:].T, out, rtol=1e-5, atol=1e-5)
    # every hidden unit's map is its activation over the plane
    _, acts = ref.forward(ref.Net([trainer.weights(l) for l in range(trainer.layout.n_layers)],
                                  [trainer.bias(l) for l in range(trainer.layout.n_layers)],
                                  list(trainer.config.layer_activations)), features)
    row = 0
    for l, width in enumerate(trainer.layout.sizes[1:-1]):
        np.testing.assert_allclose(maps[row:row + width].T, acts[l], rtol=1e-5, atol=1e-5)
        row += width
    # the picture is the right way up: the top-left cell is the point (−6 + ½ step, 6 − ½ step)
    np.testing.assert_array_equal(trainer.predict(points[:1]), out[:1])


def test_maps_change_with_the_weights_and_are_not_drawn_for_images():
    trainer = Trainer(dataset="circle", hidden=(3,), activation="tanh")
    first = trainer.maps(16)[1].copy()
    trainer.set_bias(1, 0, 2.0)
    assert not np.array_equal(first[-1], trainer.maps(16)[1][-1])
    np.testing.assert_array_equal(first[:3], trainer.maps(16)[1][:3])      # hidden maps unchanged
    assert Trainer(task="multiclass", dataset="digits", hidden=(4,)).maps(16) is None
