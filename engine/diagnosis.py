"""Why a network cannot move: hidden units that never fire, and hidden layers too narrow for the task.

A network can sit at the loss of a guess (0.693 for two balanced classes) from its first epoch. When a ReLU unit's
weighted sum is ≤ 0 on every training point it outputs 0 everywhere and its slope is 0 there: it passes nothing up
and lets no gradient down, so nothing can revive it (a "dead ReLU"). A hidden layer of one or two units squeezes
everything the network knows through one or two numbers. `diagnose` says so, in numbers the page turns into words,
once training has stalled on a task it has not solved.
"""
import math
import time

import numpy as np

from .activations import RELU
from .grid import unit_maps
from .layout import ACT, N_IN, N_OUT, OUT_UNIT

STALL_EPOCHS = 100      # epochs without the training loss falling by MIN_GAIN before a network counts as stalled
MIN_GAIN = 0.01         # a fall of 1 % of the loss at the last improvement counts as moving
SOLVED = 0.95           # a training accuracy (or R²) this high is a network that has learned, not a stuck one
NARROW = 2              # hidden layers of at most this many units are named as a bottleneck
CHUNK = 256             # training points per forward pass: the activations kept are (units, CHUNK) float32
INTERVAL = 1.0          # seconds between two diagnoses of one session (Checkup)


def dead_units(params: np.ndarray, table: np.ndarray, x: np.ndarray) -> np.ndarray:
    """How many ReLU units of each hidden layer output 0 on every row of x.

    params (P,) float64 and table (L, 7) int64 as in engine/layout.py; x (N, n0) the network's inputs (features
    applied). Unit j of hidden layer h is dead when z_j = a_{h−1}·W_h[:, j] + b_j ≤ 0 for all N rows, i.e. its
    output a_j = max(z_j, 0) is 0 on every row. Units with another activation count as alive. Returns (L − 1,)
    int64, hidden layers in order; all zero when N = 0. One forward pass (engine.grid.unit_maps, float32) over x in
    slices of CHUNK rows.
    """
    n0 = int(table[0, N_IN])
    units = int(table[-1, OUT_UNIT] + table[-1, N_OUT]) - n0
    fired = np.zeros(units, dtype=bool)
    for start in range(0, x.shape[0], CHUNK):
        inputs = np.ascontiguousarray(x[start:start + CHUNK].T, dtype=np.float32)
        out = np.empty((units, inputs.shape[1]), dtype=np.float32)
        unit_maps(params, table, inputs, out)
        fired |= (out > 0).any(axis=1)
    counts = np.zeros(table.shape[0] - 1, dtype=np.int64)
    if x.shape[0] == 0:
        return counts
    for h in range(table.shape[0] - 1):
        if table[h, ACT] == RELU:
            first = int(table[h, OUT_UNIT]) - n0
            counts[h] = np.count_nonzero(~fired[first:first + int(table[h, N_OUT])])
    return counts


def stalled_epochs(history: list[dict], epoch: int) -> int:
    """Epochs since the training loss last fell by MIN_GAIN of its value at the previous fall.

    history: rows {epoch, train_loss} in the order they were recorded (a None loss never counts as a fall); epoch: the
    network's epoch now. The first row with a loss is the first mark; 0 without one.
    """
    mark, since = math.inf, None
    for row in history:
        loss = row["train_loss"]
        if loss is not None and (since is None or loss < mark * (1 - MIN_GAIN)):
            mark, since = loss, row["epoch"]
    return 0 if since is None else max(0, epoch - since)


def diagnose(trainer) -> dict | None:
    """Why a network that has stalled cannot move, or None when it moves, has learned, or shows no such cause.

    Stalled: STALL_EPOCHS or more without progress (stalled_epochs) at a training accuracy (R² for regression) below
    SOLVED. Then, per hidden layer h = 1, 2, … (1 = nearest the inputs): {"layer": h, "units": n_h, "dead": k} for
    layers with dead ReLUs (dead_units over the training inputs), and {"layer": h, "units": n_h} for layers of at
    most NARROW units. Returns {"stalled_epochs", "loss" (the last training loss), "dead": […], "narrow": […]}.
    """
    if trainer.divergence is not None or not trainer.history:
        return None
    stalled = stalled_epochs(trainer.history, trainer.epoch)
    if stalled < STALL_EPOCHS:
        return None
    train = trainer.metrics()["train"]
    score = train.get("r2") if trainer.config.task == "regression" else train.get("accuracy")
    if score is not None and score >= SOLVED:
        return None
    widths = [int(n) for n in trainer.layout.sizes[1:-1]]
    counts = dead_units(trainer.params, trainer.layout.table, trainer.x_train)
    dead = [{"layer": h + 1, "units": n, "dead": int(k)} for h, (n, k) in enumerate(zip(widths, counts)) if k]
    narrow = [{"layer": h + 1, "units": n} for h, n in enumerate(widths) if n <= NARROW]
    if not dead and not narrow:
        return None
    return {"stalled_epochs": int(stalled), "loss": trainer.history[-1]["train_loss"], "dead": dead, "narrow": narrow}


class Checkup:
    """diagnose() of a session's trainer at most once every INTERVAL seconds; in between, the last answer."""

    def __init__(self):
        self.due = -math.inf
        self.answer: dict | None = None

    def __call__(self, trainer) -> dict | None:
        now = time.monotonic()
        if now >= self.due:
            self.answer = diagnose(trainer)
            self.due = now + INTERVAL
        return self.answer
