"""An optimizer race as a kind of session, served on ``/ws/race``: the engine's Race (2–4 lanes with the same
network, data and initial weights, each with its own optimizer settings) behind the same session machinery as the
playground — scheduler turns, frame pacing per page, speed, resume tokens and the session cap (server/turns.py).

Messages (server/protocol.py, docs/protocol.md): the page sends ``race`` (a new race), ``race_control`` (play,
pause, reset) and ``speed``; the server sends ``race`` (what it accepted), ``data``, ``race_history``, ``status``
and ``race_frame`` + a binary frame::

    offset  type      field
    0       4 bytes   magic "NNR1"
    4       u32       seq (equals race_frame.seq)
    8       u32       L, number of map blocks (one per lane, or 0 when the data is not a plane)
    12      L blocks  each lane's output map, in lane order, as the "output" block of docs/protocol.md:
                      u16 count K, u16 size G, then per map f32 lo, f32 hi, u8[G·G] q
"""
import struct
import time

import numpy as np

from ..engine import Config, ConfigError
from ..engine.race import LANE_SETTINGS, Race

from . import frames
from .protocol import FRAME_HEADER, RACE_LANES, RACE_MAGIC, RACE_TARGET, dumps, finite_or_none, struct_format
from .subscriber import MAX_ROWS
from .turns import Command, Outcome, TurnTaker

_HEADER = struct.Struct(struct_format(FRAME_HEADER))
GENERATED = "a race trains on a generated data set: choose one of the data sets (not drawn points or a CSV file)"


class RaceSession(TurnTaker):
    """A race with the pages watching it. Like a playground session it trains in batches (so a turn stays short
    whatever the network), and a race epoch is one epoch of every lane still running: a frame at speed s shows s
    more epochs of each lane."""

    def __init__(self, race: Race, scheduler, *, fps: float, speed: int = 10, grid_size: int = 48, stats=None):
        super().__init__(scheduler, fps=fps, speed=speed, stats=stats)
        self.race = race
        self.grid_size = grid_size
        self._seq = 0
        self._rows: list = []
        self._rate_mark = (time.perf_counter(), 0)
        self._eps = 0.0

    @staticmethod
    def fresh() -> Race:
        """The race a new page starts with (built in a worker thread): plain gradient descent against Adam."""
        return Race(Config(), [dict(lane) for lane in RACE_LANES], RACE_TARGET)

    @classmethod
    def create(cls, race: Race, scheduler, settings, stats) -> "RaceSession":
        return cls(race, scheduler, fps=settings.fps, speed=settings.default_speed, grid_size=settings.grid_size,
                   stats=stats)

    def _units_per_epoch(self) -> int:
        return self.race.batches_per_epoch()

    # ------------------------------------------------------------------ training and frames (worker thread)
    def _train(self, budget: int, out: Outcome) -> None:
        started, before = time.perf_counter(), self.race.iterations
        while budget > 0:
            mark = self.race.iterations
            completed = self.race.step(budget)
            budget -= self.race.iterations - mark
            for k in completed:
                self._rows.append({"lane": k, **self.race.lanes[k].history[-1]})
            if completed and self.stats is not None:
                self.stats.epochs += len(completed)
            if self.race.iterations == mark:
                break
        if len(self._rows) > MAX_ROWS:
            del self._rows[:-MAX_ROWS]
        done = self.race.iterations - before
        self._seconds_per_unit = 0.7 * self._seconds_per_unit + 0.3 * max(
            (time.perf_counter() - started) / max(done, 1), 1e-7)
        if self.speed:
            self._period_left -= max(done, 1)
        if self.race.over:
            self.state = "paused"
            out.status("paused", "the race is over" if self.race.winner is not None
                       else "the race is over: no lane reached the target loss")
            out.frame_needed = True

    def _frame(self, now: float) -> frames.Frame:
        race = self.race
        epochs = self._furthest_epoch()
        mark_time, mark_epochs = self._rate_mark
        rate = (epochs - mark_epochs) / (now - mark_time) if now > mark_time else 0.0
        self._eps = rate if self.state == "playing" and rate >= 0 else 0.0
        self._rate_mark = (now, epochs)
        self._seq += 1
        blocks = []
        if race.lanes[0].data.is_plane:
            for trainer in race.lanes:
                n_out = trainer.layout.sizes[-1]
                blocks.append(frames.quantise(trainer.maps(self.grid_size)[1][-n_out:], self.grid_size))
        standings = race.standings()
        meta = {
            "type": "race_frame", "seq": self._seq, "state": self.state, "speed": self.speed,
            "lanes": finite_or_none([{k: row[k] for k in ("epoch", "iteration", "train_loss", "test_loss",
                                                          "finished_at", "diverged")} for row in standings]),
            "winner": race.winner, "over": race.over,
            "maps": {"count": len(blocks), "size": self.grid_size} if blocks else None,
            "epochs_per_second": round(float(self._eps), 1),
        }
        rows = finite_or_none(self._rows)
        self._rows = []
        self._last_frame_at = now
        if self.stats is not None:
            self.stats.frames += 1
        binary = _HEADER.pack(RACE_MAGIC, self._seq & 0xFFFFFFFF, len(blocks)) + b"".join(blocks)
        return frames.Frame(self._seq, meta, rows, dumps({**meta, "history": rows}), binary)

    def _furthest_epoch(self) -> int:
        """The epoch of the lanes still running (they move in step; a lane that stopped stays behind)."""
        return max(trainer.epoch for trainer in self.race.lanes)

    def _race_message(self) -> dict:
        race, first = self.race, self.race.lanes[0]
        return {"type": "race", "config": finite_or_none(race.base.as_dict()),
                "lanes": [{key: getattr(t.config, key) for key in sorted(LANE_SETTINGS)} for t in race.lanes],
                "target_loss": race.target_loss, "max_epochs": race.max_epochs,
                "network": {"sizes": list(first.layout.sizes), "activations": list(first.config.layer_activations),
                            "n_params": int(first.layout.n_params)},
                "grid_size": self.grid_size, "speed": self.speed}

    def _history_message(self) -> dict:
        rows = [{"lane": k, **row} for k, trainer in enumerate(self.race.lanes) for row in trainer.history]
        return {"type": "race_history", "rows": finite_or_none(rows)}

    def _restart(self, out: Outcome) -> None:
        """The lanes went back to epoch 0: every page gets the (empty) history and a frame."""
        self._rows = []
        out.broadcast(self._history_message())
        out.frame_needed = True

    # ------------------------------------------------------------------ commands (worker thread)
    def _do_attach(self, command: Command, out: Outcome) -> None:
        page = command.origin
        out.to(page, self._race_message(), "race")
        out.to(page, frames.data_message(self.race.lanes[0]), "data")
        if command.payload:                  # resumed: the page needs every lane's history
            out.to(page, self._history_message(), "race_history")
        out.frame_needed = True

    def _do_race(self, command: Command, out: Outcome) -> None:
        m = command.payload
        settings = m.settings.model_dump(exclude_unset=True)
        if "unit_size" in settings:
            raise ConfigError("unit_size: a race shows no neuron maps; set grid_size for the lanes' maps")
        grid_size = settings.pop("grid_size", self.grid_size)
        base = self.race.base.replace(**settings)
        if base.dataset in ("points", "csv"):
            raise ConfigError(GENERATED)
        lanes = [lane.model_dump(exclude_unset=True) for lane in m.lanes]
        self.race = Race(base, lanes, m.target_loss, m.max_epochs)
        self.grid_size = grid_size
        self.state = "paused"
        self._period_left = 0
        out.broadcast(self._race_message())
        out.broadcast(frames.data_message(self.race.lanes[0]))
        out.status("paused", "a new race is ready: press Start")
        self._restart(out)

    def _do_race_control(self, command: Command, out: Outcome) -> None:
        action = command.payload.action
        if action == "play":
            if self.race.over:
                out.status("paused", "the race is over: reset to run it again")
            else:
                self.state = "playing"
                self._period_left, self._period_end = 0, 0.0
                self._rate_mark = (time.perf_counter(), self._furthest_epoch())
                out.status("playing", "racing")
        elif action == "pause":
            self.state = "paused"
            out.status("paused", "paused")
        elif action == "reset":
            self.race.reset()
            self._period_left = 0
            out.status(self.state, "back to the start: every lane has the same initial weights again")
            self._restart(out)
        out.frame_needed = True


def decode_race_frame(binary: bytes) -> tuple[int, list[np.ndarray]]:
    """For tests and other clients: (seq, per lane its output maps (K, G²) float32) from an NNR1 frame."""
    magic, seq, count = _HEADER.unpack_from(binary, 0)
    if magic != RACE_MAGIC:
        raise ValueError("not an NNR1 frame")
    offset, lanes = _HEADER.size, []
    for _ in range(count):
        maps, offset = frames.dequantise(binary, offset)
        lanes.append(maps)
    return seq, lanes
