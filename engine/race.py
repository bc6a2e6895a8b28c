"""An optimizer race: the same network, data and initial weights trained side by side with different
optimizers or learning rates, until one reaches a chosen training loss.

Every lane is a Trainer built from `base` with only its optimizer settings replaced, so the lanes share the data,
the split, the initial weights θ₀ (P,) and the shuffle of every epoch: the only difference between them is the
update rule. The race is measured in epochs (one pass over the training set), so lanes with different batch sizes
are compared fairly per pass over the data.
"""
from .config import Config, ConfigError
from .trainer import Trainer

MAX_LANES = 4
MAX_EPOCHS = 100_000
LANE_SETTINGS = frozenset({"optimizer", "learning_rate", "momentum", "beta1", "beta2", "rho", "epsilon",
                           "batch_size"})


class Race:
    """Lanes share `base` (seed included, so identical initial weights) and differ only in their settings."""

    def __init__(self, base: Config, lanes: list[dict], target_loss: float, max_epochs: int = 2000):
        if not 2 <= len(lanes) <= MAX_LANES:
            raise ConfigError(f"a race needs 2 to {MAX_LANES} lanes")
        for lane in lanes:
            if not isinstance(lane, dict) or set(lane) - LANE_SETTINGS:
                raise ConfigError(f"a lane may set only {', '.join(sorted(LANE_SETTINGS))}")
        if not isinstance(target_loss, (int, float)) or not 0 < target_loss < 1e6:
            raise ConfigError("the target loss must be a positive number")
        if not isinstance(max_epochs, int) or not 1 <= max_epochs <= MAX_EPOCHS:
            raise ConfigError(f"a race lasts 1 to {MAX_EPOCHS:,} epochs")
        self.base = base
        self.lanes = [Trainer(base.replace(**lane)) for lane in lanes]
        self.settings = lanes
        self.target_loss = float(target_loss)
        self.max_epochs = max_epochs
        self.finished: list[int | None] = [None] * len(lanes)   # epoch at which each lane reached the target

    def running(self, k: int) -> bool:
        """Lane k still trains: it has neither reached the target, nor diverged, nor used up the epochs."""
        trainer = self.lanes[k]
        return self.finished[k] is None and trainer.divergence is None and trainer.epoch < self.max_epochs

    @property
    def over(self) -> bool:
        """No lane trains any more."""
        return not any(self.running(k) for k in range(len(self.lanes)))

    def step(self, max_batches: int = 0) -> list[int]:
        """Bring the running lanes that are behind to the end of the race's next epoch, one lane after another,
        with at most `max_batches` updates in all (0: no limit, so the whole race epoch). Returns the lanes that
        completed an epoch; a lane whose training loss is then at or below the target is finished at that epoch.
        Training an epoch in several calls gives exactly the weights of training it at once."""
        running = [k for k in range(len(self.lanes)) if self.running(k)]
        if not running:
            return []
        goal = min(self.lanes[k].epoch for k in running) + 1
        budget = max_batches if max_batches > 0 else None
        completed = []
        for k in running:
            trainer = self.lanes[k]
            if trainer.epoch >= goal:
                continue
            left = trainer.batches_per_epoch - trainer.counters()["batch_in_epoch"]
            batches = left if budget is None else min(left, budget)
            if batches <= 0:
                break
            trainer.train_batches(batches)
            if budget is not None:
                budget -= batches
            if trainer.epoch >= goal or trainer.divergence is not None:
                completed.append(k)
                loss = trainer.history[-1]["train_loss"] if trainer.history else None
                if trainer.divergence is None and loss is not None and loss <= self.target_loss:
                    self.finished[k] = trainer.epoch
        return completed

    def run(self, epochs: int) -> None:
        """Up to `epochs` race epochs (stops early when the race is over)."""
        for _ in range(epochs):
            if not self.step():
                return

    @property
    def iterations(self) -> int:
        """Updates made so far, summed over the lanes."""
        return sum(trainer.iteration for trainer in self.lanes)

    def batches_per_epoch(self) -> int:
        """Updates one race epoch takes: one epoch of every running lane."""
        return sum(self.lanes[k].batches_per_epoch for k in range(len(self.lanes)) if self.running(k))

    def reset(self) -> None:
        """Every lane back to the shared initial weights, epoch 0."""
        for trainer in self.lanes:
            trainer.reset()
        self.finished = [None] * len(self.lanes)

    @property
    def winner(self) -> int | None:
        """Index of the lane that reached the target in the fewest epochs (the first such lane on a tie; None
        while no lane has)."""
        done = [(epoch, k) for k, epoch in enumerate(self.finished) if epoch is not None]
        return min(done)[1] if done else None

    def standings(self) -> list[dict]:
        """Per lane: its settings, epoch, iteration, training and test loss now, the epoch it reached the target
        at (or None) and whether it diverged."""
        rows = []
        for s, t, f in zip(self.settings, self.lanes, self.finished):
            last = t.history[-1] if t.history else {"train_loss": t.loss("train"), "test_loss": t.loss("test")}
            rows.append({"settings": s, "epoch": t.epoch, "iteration": t.iteration, "train_loss": last["train_loss"],
                         "test_loss": last["test_loss"], "finished_at": f, "diverged": t.divergence is not None})
        return rows
