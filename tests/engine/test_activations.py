"""Activation functions and their derivatives as the page plots them (activations.curve), against the reference."""
import numpy as np
import pytest

import reference as ref
from nnplayground.engine.activations import CODES, HIDDEN, LEAKY_SLOPE, curve, tanh_into

Z = np.concatenate([np.linspace(-30.0, 30.0, 600_001), [-4.5, 4.5, -9.0, 9.0, 0.0, -0.0, 1e-300, -1e-300]])
TANH_BOUND = 5e-12


def test_engine_tanh_error_bound_over_a_dense_range():
    a, da = curve("tanh", Z)
    error = np.abs(a - np.tanh(Z))
    assert error.max() < TANH_BOUND, (error.max(), Z[error.argmax()])
    assert np.abs(a).max() <= 1.0
    positive = np.linspace(0.0, 30.0, 300_001)
    np.testing.assert_array_equal(curve("tanh", -positive)[0], -curve("tanh", positive)[0])     # odd
    np.testing.assert_allclose(da, 1 - np.tanh(Z) ** 2, rtol=0, atol=2 * TANH_BOUND)
    # no visible step where the rational fit hands over to the exp formula
    near = curve("tanh", np.array([4.5 - 1e-12, 4.5, 4.5 + 1e-12]))[0]
    assert np.ptp(near) < TANH_BOUND


def test_the_training_kernels_tanh_gives_the_same_numbers_as_the_plotted_one():
    """Training runs tanh a layer at a time (tanh_into, vectorised); it must not differ from the curve by a bit,
    at the switch to the exp formula, far out, and at NaN and ±inf."""
    z = np.concatenate([Z, [4.5 + 1e-15, -4.5 - 1e-15, 700.0, -700.0, np.nan, np.inf, -np.inf]])
    a = np.full_like(z, 7.0)
    tanh_into(z, a, 1, z.size - 1)
    assert a[0] == 7.0 and a[-1] == 7.0                      # only [start, stop) is written
    np.testing.assert_array_equal(a[1:-1], curve("tanh", z[1:-1])[0])


def test_tanh_and_sigmoid_at_nan_and_infinity():
    special = np.array([np.nan, np.inf, -np.inf])
    a, _ = curve("tanh", special)
    assert np.isnan(a[0]) and a[1] == 1.0 and a[2] == -1.0
    s, _ = curve("sigmoid", special)
    assert np.isnan(s[0]) and s[1] == 1.0 and s[2] == 0.0


@pytest.mark.parametrize("name", list(HIDDEN) + ["step"])
def test_curve_and_derivative_equal_the_reference(name):
    z = Z[np.abs(Z) > 1e-9]                          # relu, leaky relu and step have a kink at 0
    a, da = curve(name, z)
    np.testing.assert_allclose(a, ref.activation(name, z), rtol=1e-11, atol=TANH_BOUND)
    np.testing.assert_allclose(da, ref.derivative(name, z), rtol=1e-11, atol=2 * TANH_BOUND)


def test_values_a_learner_checks_by_hand():
    z = np.array([-2.0, -0.35, 0.0, 0.65, 3.0])
    assert curve("relu", z)[0].tolist() == [0.0, 0.0, 0.0, 0.65, 3.0]      # −0.35 stays off
    assert curve("leaky_relu", z)[0].tolist() == [-0.2, pytest.approx(-0.035), 0.0, 0.65, 3.0]
    assert LEAKY_SLOPE == 0.1
    assert curve("step", z)[0].tolist() == [0.0, 0.0, 1.0, 1.0, 1.0]
    assert curve("step", z)[1].tolist() == [0.0] * 5
    assert curve("linear", z)[0].tolist() == z.tolist() and curve("linear", z)[1].tolist() == [1.0] * 5
    assert curve("sigmoid", np.zeros(1))[0][0] == 0.5 and curve("sigmoid", np.zeros(1))[1][0] == 0.25
    assert curve("tanh", np.zeros(1))[1][0] == 1.0


def test_curve_refuses_softmax_and_unknown_names():
    for name in ("softmax", "gelu"):
        with pytest.raises(ValueError, match="choose one of linear, sigmoid, tanh, relu, leaky_relu, step"):
            curve(name, np.zeros(3))
    assert set(HIDDEN) | {"step", "softmax"} == set(CODES)
