"""One weight, one example: gradient descent you can follow by hand.

A single linear neuron y = w·x without bias, one example (x, t), loss L(w) = ½(w·x − t)² (or Huber), trained by
the real engine (a Trainer with biases frozen). With the defaults — w = 5, x = 2, t = 6, η = 0.1 — the slope is
L'(5) = (5·2 − 6)·2 = 8, the step is −η·8 = −0.8, the next weight 4.2, and the optimum w = t/x = 3.
"""
import numpy as np

from .config import ConfigError
from .trainer import Trainer

MAX_ABS = 1000.0
SETTLED = 1e-3          # within this of the optimum, and the next step smaller than this: gradient descent is done
RUNAWAY = 1e12          # |w| beyond this: the run has diverged
CRAWL_STEPS = 40        # settling takes more steps than this: the learning rate crawls
VERDICTS = ("good", "crawling", "overshooting", "bouncing", "diverging")


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
        self.diverged = False

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
        """Take n gradient-descent steps (stops at divergence, setting `diverged`); returns the path so far."""
        for _ in range(n):
            if self.diverged:
                break
            self.trainer.train_batches(1)
            if self.trainer.divergence or not np.isfinite(self.w) or abs(self.w) > RUNAWAY:
                self.diverged = True
                break
            self.path.append(self.point())
        return self.path

    def settled_at(self) -> int | None:
        """The first step k of the path with |w_k − w*| < SETTLED and |step_k| < SETTLED, or None."""
        for k, p in enumerate(self.path):
            if abs(p["w"] - self.optimum) < SETTLED and abs(p["step"]) < SETTLED:
                return k
        return None

    def verdict(self) -> str:
        """How this learning rate behaves on the path so far (one of VERDICTS).

        diverging: w ran away (|w| > 1e12 or non-finite) or ended over 10× further from w* than it started;
        bouncing: not settled, still jumping across w* (plain GD with η = 2/x², or Huber's fixed-size steps);
        crawling: not settled without zig-zagging, or settled only after more than CRAWL_STEPS steps;
        overshooting: settled after jumping across w* at least twice; good: settled quickly and smoothly.
        """
        d = [abs(p["w"] - self.optimum) for p in self.path]
        if self.diverged or d[-1] > 10 * max(d[0], SETTLED):
            return "diverging"
        settled = self.settled_at()
        crossings = self.crossings(settled)
        if settled is None:
            return "bouncing" if crossings >= 2 else "crawling"
        if crossings >= 2:
            return "overshooting"
        return "crawling" if settled > CRAWL_STEPS else "good"

    def crossings(self, upto: int | None = None) -> int:
        """How often the path jumps from one side of w* to the other (points within SETTLED of w* ignored)."""
        sides = [np.sign(p["w"] - self.optimum) for p in self.path[:None if upto is None else upto + 1]
                 if abs(p["w"] - self.optimum) >= SETTLED]
        return sum(1 for a, b in zip(sides, sides[1:]) if a != b)

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
