"""One weight, one example: gradient descent you can follow by hand.

A single linear neuron y = w·x without bias, one example (x, t), loss L(w) = ½(w·x − t)² (or Huber), trained by
the real engine (a Trainer with biases frozen). With the defaults — w = 5, x = 2, t = 6, η = 0.1 — the slope is
L'(5) = (5·2 − 6)·2 = 8, the step is −η·8 = −0.8, the next weight 4.2, and the optimum w = t/x = 3.
"""
import numpy as np

from .config import ConfigError
from .trainer import Trainer

MAX_ABS = 1000.0


class OneWeight:
    """The worked example of gradient descent on L(w) for one weight."""

    def __init__(self, w: float = 5.0, x: float = 2.0, target: float = 6.0, learning_rate: float = 0.1,
                 loss: str = "mse", optimizer: str = "sgd", huber_delta: float = 1.0):
        for name, value in (("w", w), ("x", x), ("target", target)):
            if not isinstance(value, (int, float)) or not np.isfinite(value) or abs(value) > MAX_ABS:
                raise ConfigError(f"{name} must be a number within ±{MAX_ABS:g}")
        if not 0 < abs(x) <= 6:
            raise ConfigError("x must be between −6 and 6 and not 0")
        self.x, self.target, self.w0 = float(x), float(target), float(w)
        self.trainer = Trainer(task="regression", dataset="points", features=("x1",), hidden=(), loss=loss,
                               output_activation="linear", optimizer=optimizer, learning_rate=learning_rate,
                               huber_delta=huber_delta, batch_size=1, train_ratio=0.9, learn_bias=False)
        self.trainer.set_points([[self.x, 0.0]], [self.target])
        self.reset()

    def reset(self) -> None:
        """Back to the starting weight, with fresh optimizer state."""
        self.trainer.reset()
        self.trainer.set_bias(0, 0, 0.0)
        self.trainer.set_weight(0, 0, 0, self.w0)
        self.path = [self.point()]

    def configure(self, **changes) -> None:
        """Change learning_rate, optimizer, loss or huber_delta; the current weight is kept."""
        allowed = {"learning_rate", "optimizer", "loss", "huber_delta"}
        if set(changes) - allowed:
            raise ConfigError(f"the one-weight view can change only {', '.join(sorted(allowed))}")
        w = self.w
        self.trainer.configure(**changes)
        self.trainer.set_weight(0, 0, 0, w)

    @property
    def w(self) -> float:
        return float(self.trainer.weights(0)[0, 0])

    def point(self) -> dict:
        """Where we stand: w, L(w), the slope L'(w) and the step the optimizer would take now."""
        look = self.trainer.inspect([self.x, 0.0], self.target)
        w, layer = self.w, look["layers"][0]
        return {"w": w, "loss": look["loss"], "slope": layer["grad_w"][0][0], "step": layer["new_w"][0][0] - w}

    def step(self, n: int = 1) -> list[dict]:
        """Take n gradient-descent steps (stops at divergence); returns the path so far."""
        for _ in range(n):
            self.trainer.train_batches(1)
            if self.trainer.divergence or not np.isfinite(self.w) or abs(self.w) > 1e12:
                break
            self.path.append(self.point())
        return self.path

    def loss_at(self, ws: np.ndarray) -> np.ndarray:
        """L(w) for many w (n,), computed by the engine's loss with each w in turn."""
        trainer, w_now, values = self.trainer, self.w, np.empty(len(ws))
        for k, w in enumerate(ws):
            trainer.params[0] = w
            values[k] = trainer.loss("train")
        trainer.params[0] = w_now
        return values

    @property
    def optimum(self) -> float:
        """The minimum of L: w = t/x."""
        return self.target / self.x
