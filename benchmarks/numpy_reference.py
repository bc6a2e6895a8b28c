"""A plain vectorised NumPy implementation of the same training step and grid, the yardstick for engine.py.

Batch of B examples X (B, n0): A_0 = X, Z_l = A_{l−1} W_l + b_l, A_l = f(Z_l); squared error ½‖A_L − T‖²
averaged over the batch; backward by the chain rule; plain gradient descent w ← w − η ∂L/∂w.
"""
import numpy as np


class NumpyNet:
    def __init__(self, weights: list[np.ndarray], biases: list[np.ndarray]):
        self.weights = [w.copy() for w in weights]
        self.biases = [b.copy() for b in biases]

    def forward(self, x: np.ndarray) -> list[np.ndarray]:
        """Activations [A_0 … A_L] for inputs x (B, n0); tanh everywhere."""
        acts = [x]
        for w, b in zip(self.weights, self.biases):
            acts.append(np.tanh(acts[-1] @ w + b))
        return acts

    def sgd_step(self, x: np.ndarray, t: np.ndarray, lr: float) -> float:
        """One mini-batch update on (x (B, n0), t (B, K)); returns the batch's mean loss."""
        acts = self.forward(x)
        out = acts[-1]
        diff = out - t
        delta = diff * (1.0 - out * out) / x.shape[0]
        for l in range(len(self.weights) - 1, -1, -1):
            grad_w = acts[l].T @ delta
            grad_b = delta.sum(axis=0)
            if l:
                delta = (delta @ self.weights[l].T) * (1.0 - acts[l] * acts[l])
            self.weights[l] -= lr * grad_w
            self.biases[l] -= lr * grad_b
        return float(0.5 * (diff * diff).sum() / x.shape[0])

    def epoch(self, x: np.ndarray, t: np.ndarray, lr: float, batch: int, rng: np.random.Generator) -> None:
        order = rng.permutation(x.shape[0])
        for start in range(0, x.shape[0], batch):
            idx = order[start:start + batch]
            self.sgd_step(x[idx], t[idx], lr)

    def unit_maps(self, grid: np.ndarray) -> list[np.ndarray]:
        """Every non-input unit's activation over grid points (G², n0), as float32 arrays (G², n_l)."""
        return [a.astype(np.float32) for a in self.forward(grid)[1:]]
