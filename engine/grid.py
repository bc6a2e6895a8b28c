"""Grid evaluation for drawing: every unit's activation over a G×G grid of the input plane, in float32.

The grid covers [−6, 6]²: cell (r, c) is the point x1 = −6 + (c + ½)·12/G, x2 = 6 − (r + ½)·12/G, so row 0 is
the top of the picture. Points are processed as columns of a (units, G²) array so the inner loops run over
contiguous points and vectorise; tanh and sigmoid use a rational approximation (|error| < 4e−7) for that reason.
"""
import numpy as np
from .jit import kernel

from .activations import LEAKY_RELU, LEAKY_SLOPE, RELU, SIGMOID, SOFTMAX, STEP, TANH
from .features import feature_matrix
from .layout import ACT, B_OFF, IN_UNIT, N_IN, N_OUT, OUT_UNIT, W_OFF
from .datasets import PLANE_EXTENT

MAX_GRID = 128
_BLOCK = 512
# tanh(x) ≈ x·P(x²)/Q(x²) for |x| ≤ 7.9, fitted by iteratively reweighted least squares on [0, 7.9]
# (see tests/engine/test_grid.py for the error bound, 3.6e−7 in float32); beyond, the value at 7.9 is kept.
_CLAMP = np.float32(7.9)
_P0, _P1, _P2, _P3, _P4 = (np.float32(c) for c in (9.99999995e-01, 1.34527207e-01, 3.58152691e-03,
                                                   2.20672216e-05, 1.54951433e-08))
_Q1, _Q2, _Q3, _Q4 = (np.float32(c) for c in (4.67860489e-01, 2.62017707e-02, 3.42788379e-04, 8.62482357e-07))


@kernel
def fast_tanh(x):
    """tanh for float32 scalars by a rational approximation (vectorises; |error| < 4e−7)."""
    t = min(max(x, -_CLAMP), _CLAMP)
    u = t * t
    num = t * (_P0 + u * (_P1 + u * (_P2 + u * (_P3 + u * _P4))))
    den = np.float32(1.0) + u * (_Q1 + u * (_Q2 + u * (_Q3 + u * _Q4)))
    return num / den


@kernel
def _activate(act, v):
    """v ← f(v) in place for one unit's block of points v (B,) float32 (loops from 0 so they vectorise)."""
    half = np.float32(0.5)
    if act == TANH:
        for p in range(v.shape[0]):
            v[p] = fast_tanh(v[p])
    elif act == SIGMOID:
        for p in range(v.shape[0]):
            v[p] = half + half * fast_tanh(half * v[p])
    elif act == RELU:
        for p in range(v.shape[0]):
            v[p] = max(v[p], np.float32(0.0))
    elif act == LEAKY_RELU:
        slope = np.float32(LEAKY_SLOPE)
        for p in range(v.shape[0]):
            v[p] = v[p] if v[p] > 0 else slope * v[p]
    elif act == STEP:
        for p in range(v.shape[0]):
            v[p] = np.float32(1.0) if v[p] >= 0 else np.float32(0.0)


@kernel
def _softmax_columns(rows):
    """Softmax over units for each point of rows (K, B) float32, in place."""
    k = rows.shape[0]
    for p in range(rows.shape[1]):
        top = rows[0, p]
        for j in range(1, k):
            top = max(top, rows[j, p])
        total = np.float32(0.0)
        for j in range(k):
            e = np.exp(rows[j, p] - top)
            rows[j, p] = e
            total += e
        for j in range(k):
            rows[j, p] /= total


@kernel
def unit_maps(w, table, inputs, out):
    """Activations of every non-input unit: inputs (n0, G²) float32 -> out (U − n0, G²) float32, for params w (P,)."""
    n0 = table[0, N_IN]
    n_points = inputs.shape[1]
    for p0 in range(0, n_points, _BLOCK):
        p1 = min(p0 + _BLOCK, n_points)
        for l in range(table.shape[0]):
            w0, b0, n_in, n_out = table[l, W_OFF], table[l, B_OFF], table[l, N_IN], table[l, N_OUT]
            u_in, u_out = table[l, IN_UNIT], table[l, OUT_UNIT]
            for j in range(n_out):
                dst = out[u_out - n0 + j, p0:p1]
                dst[:] = np.float32(w[b0 + j])
                for i in range(n_in):
                    src = inputs[i, p0:p1] if l == 0 else out[u_in - n0 + i, p0:p1]
                    wij = np.float32(w[w0 + i * n_out + j])
                    for p in range(dst.shape[0]):
                        dst[p] += wij * src[p]
                if table[l, ACT] != SOFTMAX:
                    _activate(table[l, ACT], dst)
            if table[l, ACT] == SOFTMAX:
                _softmax_columns(out[u_out - n0:u_out - n0 + n_out, p0:p1])


def grid_points(size: int) -> np.ndarray:
    """Cell centres of the G×G grid, (G², 2) float64, row-major from the top-left corner."""
    if not 2 <= size <= MAX_GRID:
        raise ValueError(f"grid size must be between 2 and {MAX_GRID}, got {size}")
    step = 2 * PLANE_EXTENT / size
    centres = -PLANE_EXTENT + (np.arange(size) + 0.5) * step
    x1, x2 = np.meshgrid(centres, centres[::-1])
    return np.column_stack([x1.ravel(), x2.ravel()])


def grid_inputs(size: int, features) -> np.ndarray:
    """Input-layer maps for a G×G grid: the chosen features of every cell, (F, G²) float32 C-contiguous."""
    return np.ascontiguousarray(feature_matrix(grid_points(size), features).T, dtype=np.float32)
