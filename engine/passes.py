"""Passes of the network over a data part (inputs x (N, n0), targets t (N, K)), kept and resumable.

A pass gives the outputs (N, K) without dropout and the mean loss L = (1/N) Σᵢ ℓ(outputᵢ, tᵢ). It is kept with
what it depends on (a `PassKey`), so asking again with unchanged weights costs nothing; and it can be made in
slices of rows, so a caller with a time limit spreads a large network's pass over several calls.
"""
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .kernels import evaluate


class PassKey(NamedTuple):
    """What a pass depends on: the part's arrays (by identity), the loss code and Huber δ, the parameters' bytes."""
    x: np.ndarray
    t: np.ndarray
    loss: int
    huber_delta: float
    params: bytes

    def matches(self, other: "PassKey") -> bool:
        return (self.x is other.x and self.t is other.t and self.loss == other.loss
                and self.huber_delta == other.huber_delta and self.params == other.params)


@dataclass
class Pass:
    """One pass under way or done: outputs (N, K) of the first `done` rows, their summed loss, and — once every row
    is done — the mean loss (None when N = 0 or not finite)."""
    key: PassKey
    out: np.ndarray
    summed: float = 0.0
    done: int = 0
    loss: float | None = None

    @property
    def finished(self) -> bool:
        return self.done == self.key.x.shape[0]


class Passes:
    """The last finished pass and the pass begun of each part ('train', 'test')."""

    def __init__(self):
        self._finished: dict[str, Pass] = {}
        self._begun: dict[str, Pass] = {}

    def kept(self, part: str, key: PassKey) -> Pass | None:
        """The finished pass over `part` made with `key`, if there is one."""
        done = self._finished.get(part)
        return done if done is not None and done.key.matches(key) else None

    def advance(self, part: str, key: PassKey, w: np.ndarray, table: np.ndarray, buf: np.ndarray,
                n_outputs: int, rows: int) -> tuple[Pass, int]:
        """Carry the pass over `part` with `key` on for at most `rows` more rows (all of them when rows ≥ N);
        returns the pass and how many rows this call evaluated. A pass begun with another key starts over. A pass made in one call keeps the kernel's own mean;
        one made in slices sums the slices' means weighted by their rows, which may differ in the last bits."""
        current = self._begun.get(part)
        if current is None or not current.key.matches(key):
            current = self._begun[part] = Pass(key, np.zeros((key.x.shape[0], n_outputs)))
        n_rows, start = key.x.shape[0], current.done
        n = min(max(rows, 0), n_rows - start)
        if n:
            value = evaluate(w, table, key.x[start:start + n], key.t[start:start + n], key.loss, key.huber_delta,
                             current.out[start:start + n], buf)
            current.summed = value if n == n_rows else current.summed + value * n
            current.done = start + n
        if current.finished:
            del self._begun[part]
            current.out.flags.writeable = False
            mean = current.summed if n == n_rows else (current.summed / n_rows if n_rows else math.nan)
            current.loss = float(mean) if n_rows and math.isfinite(mean) else None
            self._finished[part] = current
        return current, n
