"""Telling a run that has blown up from one that is merely noisy.

Two signs, checked after every training chunk:

  nonfinite  a loss or a weight became ±∞ or NaN (the kernel stops at that very batch).
  exploding  over the last epoch the training loss stayed, on average, more than L₀ above the best L* it had
             reached before that epoch:

                 mean of L over the last epoch's iterations  >  L* + L₀

             L₀ is the loss of the same network with every weight and bias set to zero: it answers act(0) for every
             input (probability ½, a uniform softmax, 0), so it knows nothing. Staying worse than one's best, for a
             whole epoch, by more than all a know-nothing network scores is not noise. A single batch can kick a
             healthy run that far (up to 1.7 L₀ at learning rate 1 on `bumps`), but it comes back within a few
             batches: over learning rates 0.03–1 on every data set the epoch mean stays below L* + 0.5 L₀. A
             saturating activation (tanh, sigmoid) at a huge learning rate blows up without ever reaching infinity:
             at learning rate 10 on the spiral the first epoch throws the weights from |w| = 3 to 23, 95 % of the
             first layer's outputs sit at ±1, and the loss averages 2–3 L₀ from then on. A loss still falling from a
             poor start is never above a best reached before it.

The mean weighs each checked loss by the iterations since the check before it, so it hardly depends on how training
was cut into chunks. The watch restarts (L* and the window forgotten) whenever the person changes the network, the
data, a weight or a setting, or steps back, so a change is judged against the loss it left, not against a history
it invalidated. When L₀ is 0 (the perceptron criterion, all-zero targets) the loss cannot tell an explosion and
only the nonfinite sign applies.
"""
import math
from collections import deque


MIN_ITERATIONS = 10     # a window shorter than this (full-batch: one update per epoch) would judge single steps
MIN_CHECKS = 3          # … and one check per window (whole-epoch chunks) would judge a single sample


class LossWatch:
    """The best training loss since the watch started, the know-nothing loss L₀, and the recent checked losses."""

    def __init__(self, loss: float | None, iteration: int, reference: float | None):
        self.best = loss if loss is not None and math.isfinite(loss) else math.inf
        self.reference = reference if reference is not None and math.isfinite(reference) else 0.0
        self.last = iteration
        # (iterations since the previous check, loss at this check, best loss before this check)
        self.recent: deque[tuple[int, float, float]] = deque()
        self.window: tuple[float, float] | None = None          # (mean loss, best before) of the last window

    def exploded(self, loss: float | None, iteration: int, per_epoch: int) -> bool:
        """Record the loss after `iteration`; True when the last window averages above L* + L₀.

        The window is the latest checks covering at least max(per_epoch, MIN_ITERATIONS) iterations and at least
        MIN_CHECKS checks; each loss counts for the iterations since the check before it."""
        if loss is None or not math.isfinite(loss) or iteration <= self.last:
            return False
        self.recent.append((iteration - self.last, loss, self.best))
        self.last = iteration
        self.best = min(self.best, loss)
        span, needed = 0, max(per_epoch, MIN_ITERATIONS)
        for count, (steps, _, _) in enumerate(reversed(self.recent), 1):
            span += steps
            if span >= needed and count >= MIN_CHECKS:
                break
        else:
            self.window = None
            return False
        while len(self.recent) > count:
            self.recent.popleft()
        mean = sum(steps * value for steps, value, _ in self.recent) / span
        self.window = (mean, self.recent[0][2])
        return self.reference > 0.0 and mean > self.window[1] + self.reference

    def report(self, epoch: int, iteration: int) -> dict:
        """The divergence record of the explosion `exploded` has just seen after (epoch, iteration)."""
        level, best = self.window
        return {"kind": "exploding", "epoch": epoch, "iteration": iteration,
                "reason": f"over the last epoch the training loss averaged {level:.3g}, above its best "
                          f"({best:.3g}) by more than a network that knows nothing scores ({self.reference:.3g})",
                "advice": "lower the learning rate, then step back to the weights before the blow-up",
                "loss": level, "best_loss": best, "reference_loss": self.reference}


def nonfinite_report(epoch: int, iteration: int) -> dict:
    """The divergence record of a loss or weight that became infinite or NaN."""
    return {"kind": "nonfinite", "epoch": epoch, "iteration": iteration,
            "reason": "the loss or a weight became infinite or NaN",
            "advice": "lower the learning rate, then step back to the last finite weights"}
