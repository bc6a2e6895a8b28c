"""The perceptron as a decision maker: yes/no inputs, a weight for each, a threshold.

Decision y = 1 ("go") when the weighted sum s = Σ_i w_i x_i reaches the threshold θ, else 0. Learning from a
table of past decisions uses the perceptron rule on each row in turn: w ← w + η (t − y) x, θ ← θ − η (t − y),
the same rule the engine's step-output network follows (its bias is −θ). Sums are compared with the threshold to
TIE = 1e-12, so that 0.1 + 0.2 reaches a threshold of 0.3 as it does on paper.
"""
import numpy as np

from .config import ConfigError

MAX_INPUTS = 8
MAX_ROWS = 64
TIE = 1e-12


def weighted_sum(inputs, weights) -> float:
    """s = Σ_i w_i x_i for inputs x (n,) of 0/1 and weights w (n,)."""
    x, w = _vector(inputs, "inputs"), _vector(weights, "weights")
    if x.shape != w.shape:
        raise ConfigError("one weight per input")
    return float(x @ w)


def decide(inputs, weights, threshold: float) -> dict:
    """{'sum': s, 'terms': [w_i x_i] (n,), 'threshold': θ, 'decision': 1 if s ≥ θ else 0}."""
    s = weighted_sum(inputs, weights)
    terms = (_vector(inputs, "inputs") * _vector(weights, "weights")).tolist()
    return {"sum": s, "terms": terms, "threshold": float(threshold), "decision": int(_reaches(s, threshold))}


def learn(rows, targets, weights, threshold: float, learning_rate: float = 1.0, epochs: int = 10) -> dict:
    """Perceptron rule over rows X (m, n) of 0/1 with decisions t (m,), starting from w (n,) and θ.

    Returns the final weights and threshold, the number of mistakes in each epoch, and every update made
    (row, old w, new w, old θ, new θ), stopping early after an epoch without mistakes.
    """
    x = np.asarray(rows, dtype=np.float64)
    t = np.asarray(targets, dtype=np.float64)
    w = _vector(weights, "weights").copy()
    if x.ndim != 2 or x.shape[0] != t.shape[0] or x.shape[1] != w.shape[0] or not 1 <= x.shape[0] <= MAX_ROWS:
        raise ConfigError(f"give 1 to {MAX_ROWS} rows with one 0/1 value per input and a 0/1 decision each")
    if not (np.isin(x, (0, 1)).all() and np.isin(t, (0, 1)).all()):
        raise ConfigError("inputs and decisions must be 0 or 1")
    if not (0 < learning_rate <= 10 and 1 <= epochs <= 1000):
        raise ConfigError("learning rate must be in (0, 10] and epochs in 1..1000")
    theta, mistakes, updates = float(threshold), [], []
    for _ in range(int(epochs)):
        wrong = 0
        for i in range(x.shape[0]):
            y = float(_reaches(float(x[i] @ w), theta))
            if y != t[i]:
                wrong += 1
                new_w, new_theta = w + learning_rate * (t[i] - y) * x[i], float(theta - learning_rate * (t[i] - y))
                updates.append({"row": i, "w": w.tolist(), "new_w": new_w.tolist(), "threshold": theta,
                                "new_threshold": new_theta})
                w, theta = new_w, float(new_theta)
        mistakes.append(wrong)
        if wrong == 0:
            break
    return {"weights": w.tolist(), "threshold": theta, "mistakes": mistakes, "updates": updates}


def _reaches(s: float, theta: float) -> bool:
    """s ≥ θ, up to TIE (float sums like 0.1 + 0.2 land a hair below 0.3)."""
    return s >= theta - TIE


def _vector(values, what: str) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    if v.ndim != 1 or not 1 <= v.shape[0] <= MAX_INPUTS or not np.isfinite(v).all() or np.abs(v).max() > 1e6:
        raise ConfigError(f"{what} must be 1 to {MAX_INPUTS} finite numbers")
    return v
