"""How a hidden layer sees the input plane: grid lines and data points mapped through the network.

For hidden layer l and two of its units (i, j), each point p of the plane goes to (a_i(p), a_j(p)), the two
units' activations. Straight grid lines of the input plane bend into curves; classes that were tangled in the
input plane come apart. Evaluated with the grid kernel (float32), so it costs about as much as one map.
"""
import numpy as np

from .config import ConfigError
from .datasets import PLANE_EXTENT
from .features import feature_matrix
from .grid import unit_maps
from .layout import IN_UNIT
from .trainer import Trainer

MAX_LINES = 41
SAMPLES_PER_LINE = 64


def unit_activations(trainer: Trainer, points: np.ndarray) -> np.ndarray:
    """Every non-input unit's activation for plane points (N, 2): (U − n0, N) float32."""
    inputs = np.ascontiguousarray(feature_matrix(points, trainer.config.features).T, dtype=np.float32)
    out = np.empty((trainer.layout.n_units - inputs.shape[0], inputs.shape[1]), dtype=np.float32)
    unit_maps(trainer.params, trainer.layout.table, inputs, out)
    return out


def warped_space(trainer: Trainer, layer: int, unit_a: int, unit_b: int, lines: int = 13) -> dict:
    """Grid lines and data points of the plane as hidden layer `layer` (0 = first hidden) sees them.

    Returns {'horizontal': (lines, S, 2), 'vertical': (lines, S, 2), 'points': (N, 2), 'labels': (N,),
    'bounds': (lo, hi)} as lists, where each pair is (a_unit_a, a_unit_b).
    """
    hidden = trainer.layout.sizes[1:-1]
    if not trainer.data.is_plane:
        raise ConfigError("the warped view needs a data set on the plane")
    if not isinstance(layer, int) or not 0 <= layer < len(hidden):
        raise ConfigError(f"layer must be a hidden layer, 0..{len(hidden) - 1}" if hidden else
                          "add a hidden layer to see how it warps the plane")
    for unit in (unit_a, unit_b):
        if not isinstance(unit, int) or not 0 <= unit < hidden[layer]:
            raise ConfigError(f"hidden layer {layer} has units 0..{hidden[layer] - 1}")
    if not isinstance(lines, int) or not 2 <= lines <= MAX_LINES:
        raise ConfigError(f"lines must be between 2 and {MAX_LINES}")
    ticks = np.linspace(-PLANE_EXTENT, PLANE_EXTENT, lines)
    along = np.linspace(-PLANE_EXTENT, PLANE_EXTENT, SAMPLES_PER_LINE)
    horizontal = np.stack(np.meshgrid(along, ticks), axis=-1).reshape(-1, 2)     # rows: x2 fixed
    vertical = horizontal[:, ::-1]                                              # rows: x1 fixed
    points = trainer.data.points
    every = np.concatenate([horizontal, vertical, points])
    acts = unit_activations(trainer, every)
    first = trainer.layout.table[layer + 1, IN_UNIT] - trainer.layout.sizes[0]
    pair = np.stack([acts[first + unit_a], acts[first + unit_b]], axis=-1).astype(np.float64)
    n_line = lines * SAMPLES_PER_LINE
    return {"horizontal": pair[:n_line].reshape(lines, SAMPLES_PER_LINE, 2).tolist(),
            "vertical": pair[n_line:2 * n_line].reshape(lines, SAMPLES_PER_LINE, 2).tolist(),
            "points": pair[2 * n_line:].tolist(), "labels": trainer.data.labels.tolist(),
            "bounds": [float(pair.min(initial=0.0)), float(pair.max(initial=0.0))]}
