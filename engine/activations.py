"""Activation functions a = f(z) and their derivatives f'(z), chosen inside kernels by integer code.

Hidden layers may use linear, sigmoid, tanh, ReLU, leaky ReLU; a perceptron (no hidden layer) may use step;
a multi-class output uses softmax, a(z)_k = exp(z_k) / sum_j exp(z_j), which is not element-wise and is
handled by the kernels directly.
"""
import math

import numpy as np
from .jit import kernel

LINEAR, SIGMOID, TANH, RELU, LEAKY_RELU, STEP, SOFTMAX = range(7)
CODES = {"linear": LINEAR, "sigmoid": SIGMOID, "tanh": TANH, "relu": RELU,
         "leaky_relu": LEAKY_RELU, "step": STEP, "softmax": SOFTMAX}
NAMES = {code: name for name, code in CODES.items()}
HIDDEN = ("linear", "sigmoid", "tanh", "relu", "leaky_relu")
LABELS = {"linear": "Linear", "sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU", "leaky_relu": "Leaky ReLU",
          "step": "Step", "softmax": "Softmax"}     # what the page shows (served in /spec.js)
LEAKY_SLOPE = 0.1
"""Slope of leaky ReLU for z < 0: f(z) = 0.1 z."""

# For |z| ≤ 4.5, tanh z = z·P(z²)/Q(z²) with |error| < 5e−12 (our own reweighted least-squares fit;
# tests/engine/test_activations.py checks the bound). It is pure arithmetic, about 3× faster than libm's tanh;
# beyond 4.5 the exact 1 − 2/(e^{2|z|} + 1) is used, which has no cancellation there.
_TANH_SPLIT = 4.5
_TP = (9.9999999997528422e-01, 4.0748532331851293e-02, -6.6847743613701188e-03, 9.2188287885561478e-06,
       7.1870488150481129e-06, 6.4613955256281472e-08, 5.8954957552149042e-11)
_TQ = (1.0, 3.7408186551593192e-01, -1.5324152230870410e-02, -1.0081603083642867e-03,
       3.3410688717535144e-05, 8.6150914723947206e-07, 2.8774302811713035e-09)


@kernel
def tanh(z):
    """tanh z for a float64 scalar: a rational approximation near 0, exp beyond (|error| < 5e−12)."""
    if abs(z) <= _TANH_SPLIT:
        u = z * z
        p = _TP[0] + u * (_TP[1] + u * (_TP[2] + u * (_TP[3] + u * (_TP[4] + u * (_TP[5] + u * _TP[6])))))
        q = _TQ[0] + u * (_TQ[1] + u * (_TQ[2] + u * (_TQ[3] + u * (_TQ[4] + u * (_TQ[5] + u * _TQ[6])))))
        return z * p / q
    if z != z:
        return z
    r = 1.0 - 2.0 / (math.exp(2.0 * abs(z)) + 1.0)
    return r if z > 0.0 else -r


@kernel
def tanh_into(z, a, start, stop):
    """a[j] = tanh z[j] for j in [start, stop): the same values as `tanh`, written so the common case
    vectorises — the rational fit on z clamped to ±4.5 for every j, then the exp formula where |z| > 4.5 or z is NaN.
    The second loop runs only when some z is out there: unguarded, the compiler computes its exp for every j."""
    outside = 0
    for j in range(start, stop):
        c = min(max(z[j], -_TANH_SPLIT), _TANH_SPLIT)
        u = c * c
        p = _TP[0] + u * (_TP[1] + u * (_TP[2] + u * (_TP[3] + u * (_TP[4] + u * (_TP[5] + u * _TP[6])))))
        q = _TQ[0] + u * (_TQ[1] + u * (_TQ[2] + u * (_TQ[3] + u * (_TQ[4] + u * (_TQ[5] + u * _TQ[6])))))
        a[j] = c * p / q
        outside += not abs(z[j]) <= _TANH_SPLIT
    if outside:
        for j in range(start, stop):
            if not abs(z[j]) <= _TANH_SPLIT:
                a[j] = tanh(z[j])


@kernel
def activate(code, z):
    """f(z) for one scalar z (not softmax)."""
    if code == TANH:
        return tanh(z)
    if code == RELU:
        return z if z > 0.0 else 0.0
    if code == SIGMOID:
        return 0.5 + 0.5 * tanh(0.5 * z)
    if code == LEAKY_RELU:
        return z if z > 0.0 else LEAKY_SLOPE * z
    if code == STEP:
        return 1.0 if z >= 0.0 else 0.0
    return z


@kernel
def derivative(code, z, a):
    """f'(z) for one scalar, given z and a = f(z) (step: 0 almost everywhere)."""
    if code == TANH:
        return 1.0 - a * a
    if code == RELU:
        return 1.0 if z > 0.0 else 0.0
    if code == SIGMOID:
        return a * (1.0 - a)
    if code == LEAKY_RELU:
        return 1.0 if z > 0.0 else LEAKY_SLOPE
    if code == STEP:
        return 0.0
    return 1.0


@kernel
def _curve(code, z, a, da):
    for i in range(z.shape[0]):
        a[i] = activate(code, z[i])
        da[i] = derivative(code, z[i], a[i])


def curve(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Plot data for an element-wise activation: z (n,) -> (f(z) (n,), f'(z) (n,))."""
    if name not in CODES or name == "softmax":
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(n for n in CODES if n != 'softmax')}")
    z = np.ascontiguousarray(z, dtype=np.float64).ravel()
    a, da = np.empty_like(z), np.empty_like(z)
    _curve(CODES[name], z, a, da)
    return a, da
