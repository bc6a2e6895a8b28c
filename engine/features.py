"""Hand-made input features of a 2-D point (x1, x2), each kept within about [-6, 6] like the plane itself."""

import numpy as np

FEATURES = ('x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2')
LABELS = {'x1': 'x₁', 'x2': 'x₂', 'x1sq': 'x₁²', 'x2sq': 'x₂²', 'x1x2': 'x₁x₂', 'sinx1': 'sin x₁', 'sinx2': 'sin x₂'}

_FORMULAS = {
    'x1': lambda x1, x2: x1,
    'x2': lambda x1, x2: x2,
    'x1sq': lambda x1, x2: x1 * x1 / 6.0,
    'x2sq': lambda x1, x2: x2 * x2 / 6.0,
    'x1x2': lambda x1, x2: x1 * x2 / 6.0,
    'sinx1': lambda x1, x2: np.sin(x1),
    'sinx2': lambda x1, x2: np.sin(x2),
}


def validate(names) -> tuple[str, ...]:
    """The chosen feature names in FEATURES order; ValueError unless a non-empty set of known names without repeats."""
    allowed = ', '.join(FEATURES)
    if isinstance(names, str):
        raise ValueError(f'features must be a list of names from: {allowed}')
    names = list(names)
    unknown = [n for n in names if n not in FEATURES]
    if not names or unknown or len(set(names)) != len(names):
        raise ValueError(f'features must be a non-empty list without repeats of: {allowed}; got {names!r}')
    return tuple(f for f in FEATURES if f in names)


def feature_matrix(points: np.ndarray, names) -> np.ndarray:
    """Features of points (N, 2) -> (N, F) float64, C-contiguous, columns in the order of validate(names).

    x1, x2 as given; x1sq = x1^2 / 6, x2sq = x2^2 / 6, x1x2 = x1 * x2 / 6 (so on [-6, 6]^2 they stay in [-6, 6]);
    sinx1 = sin(x1), sinx2 = sin(x2).
    """
    names = validate(names)
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f'points must have shape (N, 2); got {points.shape}')
    x1, x2 = points[:, 0], points[:, 1]
    out = np.empty((len(points), len(names)))
    for j, name in enumerate(names):
        out[:, j] = _FORMULAS[name](x1, x2)
    return out
