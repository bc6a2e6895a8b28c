"""An optimizer race: the same network, data and initial weights trained side by side with different
optimizers or learning rates, until one reaches a chosen training loss."""
from .config import Config, ConfigError
from .trainer import Trainer

MAX_LANES = 4
LANE_SETTINGS = frozenset({"optimizer", "learning_rate", "momentum", "beta1", "beta2", "rho", "epsilon",
                           "batch_size"})


class Race:
    """Lanes share `base` (seed included, so identical initial weights) and differ only in their settings."""

    def __init__(self, base: Config, lanes: list[dict], target_loss: float):
        if not 2 <= len(lanes) <= MAX_LANES:
            raise ConfigError(f"a race needs 2 to {MAX_LANES} lanes")
        for lane in lanes:
            if not isinstance(lane, dict) or set(lane) - LANE_SETTINGS:
                raise ConfigError(f"a lane may set only {', '.join(sorted(LANE_SETTINGS))}")
        if not isinstance(target_loss, (int, float)) or not 0 < target_loss < 1e6:
            raise ConfigError("the target loss must be a positive number")
        self.lanes = [Trainer(base.replace(**lane)) for lane in lanes]
        self.settings = lanes
        self.target_loss = float(target_loss)
        self.finished: list[int | None] = [None] * len(lanes)   # epoch at which each lane reached the target

    def run(self, epochs: int) -> None:
        """Train every lane that has not yet finished for `epochs` epochs, one epoch at a time."""
        for _ in range(epochs):
            for k, trainer in enumerate(self.lanes):
                if self.finished[k] is not None or trainer.divergence:
                    continue
                trainer.train(1)
                loss = trainer.loss("train")
                if loss is not None and loss <= self.target_loss:
                    self.finished[k] = trainer.epoch

    @property
    def winner(self) -> int | None:
        """Index of the lane that reached the target in the fewest epochs (None while no lane has)."""
        done = [(epoch, k) for k, epoch in enumerate(self.finished) if epoch is not None]
        return min(done)[1] if done else None

    def standings(self) -> list[dict]:
        return [{"settings": s, "epoch": t.epoch, "train_loss": t.loss("train"), "test_loss": t.loss("test"),
                 "finished_at": f, "diverged": t.divergence is not None}
                for s, t, f in zip(self.settings, self.lanes, self.finished)]
