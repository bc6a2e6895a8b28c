"""The playground's session: one Trainer, the commands that change it, its training in pieces and its frames.

It takes turns as every session does (server/turns.py: threads and ownership); what is its own is the work of a
turn — a training chunk, the loss pass of a history row, or a slice of the maps, each about a dozen milliseconds
whatever the network (see ``Session._step``) — and the ``_do_<command>`` methods of the playground's messages.
"""
import logging
import math
import time

import numpy as np

from ..engine import Config, ConfigError, Trainer
from ..engine.datasets import LIMITS as DATA_LIMITS

from . import frames
from .protocol import VIEW_FIELDS, dumps
from .subscriber import MAX_ROWS
from .turns import Command, Conflict, Outcome, TurnTaker

log = logging.getLogger("nnplayground.session")

VIEW_INTERVALS = {"warp": 0.25, "mistakes": 1.0}   # seconds between opt-in view messages while training
MAP_SHARE = 0.5                 # at most this part of a training session's engine time goes to drawing its maps
MAP_RATE = 2.0                  # maps a second a heavy network's map sides are lowered for, at its engine share


class Session(TurnTaker):
    """A playground session: one trainer with its commands and frames. See the module docstring for the threading."""

    def __init__(self, trainer: Trainer, scheduler, *, fps: float, speed: int = 10, grid_size: int = 48,
                 unit_size: int = 24, stats=None):
        super().__init__(scheduler, fps=fps, speed=speed, stats=stats)
        self.trainer = trainer
        self.grid_size = grid_size
        self.unit_size = unit_size
        self.focus: int | None = None
        self.follow: tuple | None = None          # (point, label) of a followed inspection
        self.views: dict = {}                     # opt-in views: "warp" → (layer, units), "mistakes" → limit
        self._view_at: dict = {}                  # when each view was last sent
        self._cache = frames.MapCache()
        self._seq = 0
        self._rows: list = []
        self._last_row = trainer.history[-1] if trainer.history else None
        self._rate_mark = (time.perf_counter(), trainer.examples_seen)
        self._eps = 0.0
        # work in pieces (see _step): a large network's loss pass and maps are spread over several turns
        self._unrecorded: tuple | None = None     # (trainer, iteration) after chunks trained without a history row
        self._since_row = 0.0                     # training seconds since the last history row
        self._row_seconds = 2.5e-10               # measured seconds of the loss pass per example and parameter
        self._row_written = False                 # this turn's piece of work ended with a history row (see _step)
        self._example_seconds = 5e-9              # measured seconds of training per example and parameter
        self._map_credit = 0.0                    # engine seconds the maps may take now (MAP_SHARE of the work)
        self._maps_drawn = 0                      # maps finished so far (a due frame needs new maps or training)
        self._maps_at: float | None = None        # when the last maps drawn in pieces were finished, while playing
        self._map_rate = 0.0                      # maps drawn in pieces a second while playing (a running mean)
        self._in_pieces = False                   # the newest maps were drawn in pieces
        self._sides: tuple | None = None          # (sides asked, sides drawn) of the maps (see _map_sides)
        self._frame_maps: tuple | None = None     # what _prepare_frame chose for the next frame: (blocks, layout)
        self._limited: dict | None = None         # … and how they are cut down (frame.limited)
        self._frame_mark: tuple | None = None     # (iteration, maps drawn) at the last frame
        # read on the event loop by a class's dashboard and challenge (server/classroom), replaced with each frame
        self.last_frame: frames.Frame | None = None
        self.summary: dict | None = None

    @staticmethod
    def fresh() -> Trainer:
        """What a new session starts with (built in a worker thread)."""
        return Trainer(Config())

    @classmethod
    def create(cls, trainer: Trainer, scheduler, settings, stats) -> "Session":
        """A new session with the server's defaults (speed, map sizes)."""
        return cls(trainer, scheduler, fps=settings.fps, speed=settings.default_speed, grid_size=settings.grid_size,
                   unit_size=settings.unit_size, stats=stats)

    def _units_per_epoch(self) -> int:
        return self.trainer.batches_per_epoch          # a session trains in batches

    def _train(self, batches: int, out: Outcome) -> None:
        t = self.trainer
        if len(t.train_idx) == 0:
            self.state = "paused"
            out.status("paused", "there is nothing to train on: add points or choose a data set")
            out.frame_needed = True
            return
        started, before = time.perf_counter(), t.examples_seen
        t.train_batches(batches, record=False)          # the history row follows (see _step)
        self._since_row += time.perf_counter() - started
        self._unrecorded = (t, t.iteration) if t.divergence is None else None   # a divergence wrote its row
        if self.speed:
            self._period_left -= batches
        if self.stats is not None:
            self.stats.epochs += (t.examples_seen - before) / len(t.train_idx)
        self._collect_row()
        self._check_divergence(out)

    def _unit_seconds(self) -> float:
        return self._example_seconds * self._batch_size_weight()

    def _batch_size_weight(self) -> int:
        """What a batch costs is taken as (examples + 1) × parameters × a time measured per example and parameter,
        so that a new network or batch size starts from a fair guess."""
        t = self.trainer
        return (max(1, min(t.config.batch_size, len(t.train_idx))) + 1) * self._weight()

    def _check_divergence(self, out: Outcome) -> None:
        t = self.trainer
        if t.divergence is not None and self.state != "diverged":
            self.state = "diverged"
            out.status("diverged", f"{t.divergence['reason']} at epoch {t.divergence['epoch']}: "
                                   f"{t.divergence['advice']}")
            out.frame_needed = True

    # work in pieces: a training chunk, the loss pass of a history row, or a slice of the maps per turn
    def _step(self, budget: int, out: Outcome) -> None:
        """One piece of work, the first of: the loss pass for the history row of the chunks trained since the last
        row, when the row is wanted (_row_wanted); a slice of the maps under way, while they have credit (maps
        take at most MAP_SHARE of the work) or there is nothing to train; a training chunk, followed by its row
        when that is cheap. So a turn lasts about scheduler.max_chunk whatever the network, and a large network
        trains several chunks per row (the row costs at most what the training it records did)."""
        piece = self.scheduler.max_chunk
        training = bool(budget) and self.state == "playing"
        started = time.perf_counter()
        self._row_written = False
        if self._row_wanted(out):
            if self._evaluate(piece):
                self._write_row(out)
        elif self._cache.job is not None and (self._map_credit > 0 or not training):
            if self._cache.job.run(piece):
                self._finish_maps(in_pieces=True)
            self._map_credit -= time.perf_counter() - started
            return
        elif training:
            iteration = self.trainer.iteration
            self._train(budget, out)
            if self._row_wanted(out) and self._evaluate(max(piece - (time.perf_counter() - started), piece / 4)):
                self._write_row(out)
            if self.trainer.iteration > iteration:      # a batch's cost, with its share of a row written now
                measured = (time.perf_counter() - started) / (self.trainer.iteration - iteration)
                self._example_seconds = 0.7 * self._example_seconds + 0.3 * measured / self._batch_size_weight()
        else:
            return
        worked = (time.perf_counter() - started) * MAP_SHARE / (1 - MAP_SHARE)
        self._map_credit = min(self._map_credit + worked, 2 * piece)

    def _weight(self) -> int:
        """The parameters a loss pass or a map costs per point (at least frames.MIN_WEIGHT: call overheads)."""
        return max(int(self.trainer.params.size), frames.MIN_WEIGHT)

    def _pending_row(self) -> bool:
        """Chunks were trained since the last history row (a command that trained, reset or replaced the network
        since then wrote its own row or made theirs pointless: forgotten)."""
        t = self.trainer
        if self._unrecorded is not None and self._unrecorded != (t, t.iteration):
            self._unrecorded = None
        return self._unrecorded is not None

    def _row_wanted(self, out: Outcome) -> bool:
        """The pending history row is to be written now: its loss pass is cheap (a quarter of a piece), or costs
        no more than the training since the last row did, or training stops, a period of `speed` epochs is
        complete, or a command waits for a frame."""
        if not self._pending_row():
            return False
        t = self.trainer
        cost = (len(t.train_idx) + len(t.test_idx)) * self._weight() * self._row_seconds
        return bool(cost <= self.scheduler.max_chunk / 4 or self._since_row >= cost or not self._wants_training()
                    or out.frame_needed or self._asked or (self.speed and self._period_left <= 0))

    def _evaluate(self, seconds: float) -> bool:
        """Carry the loss pass of the weights as they are on for about `seconds` (Trainer.evaluate); True when it
        is done, so the history row and the frame's metrics need no pass."""
        t = self.trainer
        left = t.evaluate(0)
        if not left:
            return True
        rows = max(1, int(seconds / (self._weight() * self._row_seconds)))
        started = time.perf_counter()
        remaining = t.evaluate(rows)
        if left > remaining:
            took = (time.perf_counter() - started) / ((left - remaining) * self._weight())
            self._row_seconds = 0.5 * self._row_seconds + 0.5 * took
        return not remaining

    def _write_row(self, out: Outcome) -> None:
        self.trainer.record()
        self._unrecorded, self._since_row, self._row_written = None, 0.0, True
        self._collect_row()
        self._check_divergence(out)

    def _map_sides(self) -> tuple[int, int]:
        """The sides to draw the maps at: as chosen, unless drawing them would take more than MAP_SHARE of this
        session's share of the engine at MAP_RATE maps a second (then smaller: frames.map_sides). The sides stay
        while their cost is within a factor of two of that (a measured cost and a share waver; new sides mean new
        maps)."""
        asked = (self.grid_size, self.unit_size)
        points = MAP_SHARE * self.scheduler.share(self) / MAP_RATE / (self._weight() * self._cache.point_seconds)
        if self._sides is not None and self._sides[0] == asked:
            grid, unit = self._sides[1]
            drawn = grid * grid + unit * unit
            if drawn <= 2 * points and (drawn >= points / 2 or (grid, unit) == asked):
                return grid, unit
        self._sides = (asked, frames.map_sides(*asked, points))
        return self._sides[1]

    def _maps(self, seconds: float) -> tuple | None:
        """The maps for the next frame: those of the weights as they are when they are drawn within `seconds`,
        else the newest finished ones of this network while a job draws new ones in pieces; None while there are
        none to show yet. A job is started here when none runs, and started over when the one running is for
        another network or focused unit, or (not training) for other weights or sides; while training, a job
        for older weights finishes first (its maps are the newest there will be soon)."""
        t, cache = self.trainer, self._cache
        grid, unit = self._map_sides()
        key = frames.map_key(t, grid, unit, self.focus)
        if cache.last_maps is None or cache.last_maps[0] != key:
            job = cache.job
            if job is None or job.key[1:3] != key[1:3] or job.key[5] != key[5] \
                    or (job.key != key and not self._wants_training()):
                job = cache.job = frames.MapJob(t, key, grid, unit, self.focus, cache)
            if job.cost() <= seconds:             # cheap (or the rest of a job begun in pieces): finish now
                begun = job.stage > 0 or job.done > 0
                job.run(math.inf)
                self._finish_maps(in_pieces=begun)
        last = cache.last_maps
        if (grid, unit) != (self.grid_size, self.unit_size) or self._in_pieces or cache.job is not None:
            cost = (grid * grid + unit * unit) * self._weight() * cache.point_seconds
            rate = min(self._map_rate or MAP_SHARE * self.scheduler.share(self) / cost, 1 / self.interval)
            self._limited = {"grid_size": grid, "unit_size": unit, "maps_per_second": max(round(rate, 2), 0.01)}
        else:
            self._limited = None
        return last[1] if last is not None and last[0][1:3] == key[1:3] else None

    def _finish_maps(self, in_pieces: bool) -> None:
        """Keep the maps the job drew; time them when drawn in pieces while playing; a paused page is sent them."""
        cache = self._cache
        cache.last_maps, cache.job = (cache.job.key, cache.job.blocks()), None
        self._maps_drawn += 1
        self._in_pieces = in_pieces
        now = time.perf_counter()
        if in_pieces and self.state == "playing":
            if self._maps_at is not None:
                rate = 1.0 / max(now - self._maps_at, 1e-3)
                self._map_rate = rate if not self._map_rate else 0.7 * self._map_rate + 0.3 * rate
            self._maps_at = now
        else:
            self._maps_at = None
            self._map_rate = self._map_rate if in_pieces else 0.0
            self._asked = self._asked or in_pieces

    def _prepare_frame(self, asked: bool, seconds: float) -> bool:
        """A frame shows the loss and metrics of the weights as they are and the newest maps. Not yet while chunks
        await their history row or new weights their loss pass (both go on in pieces), nor while the first maps of
        a network are drawn in pieces; and a frame that is only due, not asked for, waits for news (training or
        maps) since the last one."""
        t = self.trainer
        if self._pending_row() or not (self._row_written or self._evaluate(seconds)):   # a row made the pass
            return False
        maps = self._maps(seconds) if frames.drawable(t) else (b"", None)
        if maps is None or (not asked and (t.iteration, self._maps_drawn) == self._frame_mark):
            return False
        self._frame_maps = maps
        return True

    def _unfinished(self) -> bool:
        return self._pending_row() or self._cache.job is not None

    def _collect_row(self) -> None:
        history = self.trainer.history
        if history and history[-1] is not self._last_row:
            self._last_row = history[-1]
            self._rows.append(history[-1])
            if len(self._rows) > MAX_ROWS:
                del self._rows[:-MAX_ROWS]

    def _restart_rows(self, out: Outcome) -> None:
        """The history was replaced (reset, new network, loaded state): send it whole, start counting anew."""
        self._rows = []
        self._last_row = self.trainer.history[-1] if self.trainer.history else None
        out.broadcast(frames.history_message(self.trainer))

    def _view_messages(self, now: float) -> list[str]:
        """The opt-in views that are due: all of them with every frame while not playing (such a frame follows a
        command), else each at most every VIEW_INTERVALS seconds."""
        texts = []
        for name, setting in self.views.items():
            if self.state == "playing" and now - self._view_at.get(name, 0.0) < VIEW_INTERVALS[name]:
                continue
            self._view_at[name] = now
            try:
                message = (frames.warp_message(self.trainer, *setting) if name == "warp"
                           else frames.mistakes_message(self.trainer, setting))
            except (ConfigError, ValueError) as error:
                log.warning("view %s could not be drawn: %s", name, error)
                continue
            if message is not None:
                texts.append(dumps(message))
        return texts

    def _frame(self, now: float) -> frames.Frame:
        t = self.trainer
        mark_time, mark_examples = self._rate_mark
        if self.state == "playing" and now > mark_time and len(t.train_idx):
            rate = (t.examples_seen - mark_examples) / len(t.train_idx) / (now - mark_time)
            self._eps = rate if math.isfinite(rate) and rate >= 0 else 0.0
        elif self.state != "playing":
            self._eps = 0.0
        self._rate_mark = (now, t.examples_seen)
        self._seq += 1
        frame = frames.encode_frame(self._seq, t, state=self.state, speed=self.speed, rows=self._rows,
                                    grid_size=self.grid_size, unit_size=self.unit_size, focus=self.focus,
                                    cache=self._cache, epochs_per_second=self._eps, maps=self._frame_maps,
                                    limited=self._limited)
        self._rows = []
        self._last_frame_at = now
        self._frame_mark = (t.iteration, self._maps_drawn)
        if self.follow is not None:
            try:
                frame.extras.append(dumps(frames.inspection_message(t, *self.follow, True)))
            except (ConfigError, ValueError, IndexError):
                self.follow = None
        frame.extras.extend(self._view_messages(now))
        self.last_frame, self.summary = frame, self._summary(frame)
        if self.stats is not None:
            self.stats.frames += 1
        return frame

    def _summary(self, frame: frames.Frame) -> dict:
        """What a class judges and shows of this session (server/classroom/challenge.py), as of `frame`."""
        c, meta = self.trainer.config, frame.meta
        return {"epoch": meta["counters"]["epoch"], "state": self.state, "dataset": c.dataset, "task": c.task,
                "features": list(c.features), "hidden": list(c.hidden), "shape": list(self.trainer.layout.sizes),
                "n_params": meta["n_params"], "train": meta["metrics"]["train"], "test": meta["metrics"]["test"],
                "settings": {"optimizer": c.optimizer, "learning_rate": c.learning_rate, "activation": c.activation,
                             "loss": c.loss, "batch_size": c.batch_size, "features": ",".join(c.features)}}

    def _config(self, out: Outcome, change: str, target=None) -> None:
        message = frames.config_message(self.trainer, change, grid_size=self.grid_size, unit_size=self.unit_size,
                                        speed=self.speed)
        out.broadcast(message) if target is None else out.to(target, message, "config")

    def _settle_divergence(self) -> None:
        if self.state == "diverged" and self.trainer.divergence is None:
            self.state = "paused"

    # commands: each runs in the worker thread, may raise ConfigError / DataError (refused, nothing changed)
    def _do_attach(self, command: Command, out: Outcome) -> None:
        page = command.origin
        self._config(out, "unchanged", page)
        out.to(page, frames.data_message(self.trainer), "data")
        if command.payload:                  # resumed: the page needs the whole loss history
            out.to(page, frames.history_message(self.trainer), "history")
        out.frame_needed = True

    def _do_configure(self, command: Command, out: Outcome) -> str:
        settings = command.payload.settings.model_dump(exclude_unset=True)
        view = {k: settings.pop(k) for k in VIEW_FIELDS if k in settings}
        change = self.trainer.configure(**settings) if settings else "unchanged"
        self.grid_size = view.get("grid_size", self.grid_size)
        self.unit_size = view.get("unit_size", self.unit_size)
        self._settle_divergence()
        if change in ("data", "network"):
            self._rebuilt_at = time.monotonic()
            self.focus = None
            self._period_left = 0
        self._config(out, change)
        if change == "data":
            out.broadcast(frames.data_message(self.trainer))
        if change in ("data", "network"):
            self._restart_rows(out)
        out.frame_needed = True
        return change

    def _do_control(self, command: Command, out: Outcome) -> None:
        self._CONTROLS[command.payload.action](self, out)
        out.frame_needed = True

    def _play(self, out: Outcome) -> None:
        t = self.trainer
        if t.divergence is not None:
            out.status("diverged", f"training stopped because {t.divergence['reason']}: lower the "
                                   "learning rate or step back before playing again")
        elif len(t.train_idx) == 0:
            out.status("paused", "there is nothing to train on: add points or choose a data set")
        else:
            self.state = "playing"
            self._period_left, self._period_end = 0, 0.0
            self._rate_mark = (time.perf_counter(), t.examples_seen)
            out.status("playing", "training")

    def _pause(self, out: Outcome) -> None:
        if self.state == "playing":
            self.state = "paused"
        out.status(self.state, "paused" if self.state == "paused" else "diverged: step back or reset")

    def _step_epoch(self, out: Outcome) -> None:
        self._step_by_hand(out, self.trainer.train)

    def _step_batch(self, out: Outcome) -> None:
        self._step_by_hand(out, self.trainer.train_batches)

    def _step_by_hand(self, out: Outcome, train) -> None:
        """One epoch or one batch (`train(1)`), paused first; a divergence it causes is said at once."""
        t = self.trainer
        if self.state == "playing":
            self.state = "paused"
            out.status("paused", "paused to step")
        if t.divergence is None:
            train(1)
            self._collect_row()
            if t.divergence is not None:
                self.state = "diverged"
                out.status("diverged", f"{t.divergence['reason']}: {t.divergence['advice']}")

    def _reset(self, out: Outcome) -> None:
        self.trainer.reset()
        self._settle_divergence()
        if self.state == "diverged":
            self.state = "paused"
        self._restart_rows(out)

    def _regenerate(self, out: Outcome) -> None:
        t = self.trainer
        change = t.configure(seed=(t.config.seed + 1) % (2**31 - 1))
        self._settle_divergence()
        if self.state == "diverged":
            self.state = "paused"
        self.focus = None
        self._config(out, change)
        out.broadcast(frames.data_message(t))
        self._restart_rows(out)

    def _step_back(self, out: Outcome) -> None:
        self.trainer.step_back()
        if self.state == "diverged":
            self.state = "paused"
        out.status(self.state, "stepped back to the weights before the last training chunk")
        self._restart_rows(out)

    _CONTROLS = {"play": _play, "pause": _pause, "step": _step_epoch, "step_batch": _step_batch, "reset": _reset,
                 "regenerate": _regenerate, "step_back": _step_back}     # protocol.ACTIONS → method

    def _do_edit_weight(self, command: Command, out: Outcome) -> None:
        m = command.payload
        self.trainer.set_weight(m.layer, m.source, m.target, m.value)
        out.frame_needed = True

    def _do_edit_bias(self, command: Command, out: Outcome) -> None:
        m = command.payload
        self.trainer.set_bias(m.layer, m.unit, m.value)
        out.frame_needed = True

    def _do_set_points(self, command: Command, out: Outcome) -> None:
        table = np.asarray(command.payload.points, dtype=np.float64).reshape(-1, 3)
        self.trainer.set_points(table[:, :2], table[:, 2])
        self._settle_divergence()
        self.focus = None if self.focus is None or self.focus >= self._n_units() else self.focus
        self._config(out, "data")
        out.broadcast(frames.data_message(self.trainer))
        self._restart_rows(out)
        out.frame_needed = True

    def _do_inspect(self, command: Command, out: Outcome) -> None:
        m, t = command.payload, self.trainer
        if m.point is None:
            self.follow = None
            return
        width = 2 if t.data.is_plane else len(t.data.columns)
        if len(m.point) != width:
            raise ConfigError(f"point must have {width} numbers")
        label = m.label
        if label is not None and t.config.task != "regression":
            classes = max(t.data.n_classes, 2)
            if label != int(label) or not 0 <= label < classes:
                raise ConfigError(f"label must be a class from 0 to {classes - 1}")
            label = int(label)
        out.broadcast(frames.inspection_message(t, list(m.point), label, m.follow))
        self.follow = (list(m.point), label) if m.follow else None

    def _do_focus(self, command: Command, out: Outcome) -> None:
        unit = command.payload.unit
        if unit is not None and unit >= self._n_units():
            raise ConfigError(f"unit must be between 0 and {self._n_units() - 1}")
        self.focus = unit
        out.frame_needed = True

    def _do_warp(self, command: Command, out: Outcome) -> None:
        m = command.payload
        if m.layer is None:
            self.views.pop("warp", None)
        else:
            self.views["warp"] = (m.layer, tuple(m.units))
            out.frame_needed = True

    def _do_mistakes(self, command: Command, out: Outcome) -> None:
        limit = command.payload.limit
        if limit == 0:
            self.views.pop("mistakes", None)
        else:
            self.views["mistakes"] = limit
            out.frame_needed = True

    def _do_load_csv(self, command: Command, out: Outcome) -> dict:
        text, label, features = command.payload
        data = self.trainer.load_csv(text, label, features)
        self.state = "paused" if self.state != "playing" else self.state
        self._settle_divergence()
        self.focus = self.follow = None
        self._config(out, "data")
        out.broadcast(frames.data_message(self.trainer))
        self._restart_rows(out)
        out.frame_needed = True
        return {"rows": int(len(data.labels)), "columns": list(data.columns), "class_names": list(data.class_names),
                "task": data.task, "is_plane": bool(data.is_plane), "n_refused": len(data.refused),
                "refused": [str(r) for r in data.refused[:frames.MAX_REFUSED]]}

    def _do_save_state(self, command: Command, out: Outcome) -> str:
        try:
            return dumps(self.trainer.state_dict())
        except ValueError:
            raise Conflict("the network has diverged (some numbers are infinite or NaN): step back or reset "
                            "before saving") from None

    def _do_snapshot(self, command: Command, out: Outcome) -> tuple[dict, int]:
        """The trainer's whole state (Trainer.state_dict, its history a copy of the list as it is now) and this
        session's speed: what a class forks from and a snapshot is written of."""
        state = self.trainer.state_dict()
        state["history"] = list(state["history"])
        return state, self.speed

    def _do_data(self, command: Command, out: Outcome) -> str:
        """The rows the engine trains and tests on, as strict JSON text: each row's raw inputs before input features
        (plane: x1, x2; CSV: the columns as scaled for the network; digits: the 64 pixels) at full float precision,
        and its label, split as the trainer splits them. At most the engine's CSV limits (10,000 rows of 65 columns),
        which also bound the digits and the plane's points."""
        t, d = self.trainer, self.trainer.data
        if d.points.size > DATA_LIMITS["csv_max_rows"] * DATA_LIMITS["csv_max_columns"]:
            raise Conflict("the data set is larger than the engine's limits allow to send")

        def part(idx):
            return {"inputs": d.points[idx].tolist(), "labels": d.labels[idx].tolist()}

        return dumps({"task": d.task, "n_classes": int(d.n_classes), "is_plane": bool(d.is_plane),
                      "columns": list(d.columns), "class_names": list(d.class_names),
                      "scaling": None if d.scaling is None else dict(zip(("divisor", "scale", "offset"),
                                                                         map(list, d.scaling))),
                      "train": part(t.train_idx), "test": part(t.test_idx)})

    def _do_load_state(self, command: Command, out: Outcome) -> dict:
        self.trainer = Trainer.from_state(command.payload)
        self.state = "paused"
        self.focus = self.follow = None
        self._cache = frames.MapCache()
        self._config(out, "network")
        out.broadcast(frames.data_message(self.trainer))
        self._restart_rows(out)
        out.status("paused", "state loaded")
        out.frame_needed = True
        return {"epoch": self.trainer.epoch}

    def _n_units(self) -> int:
        sizes = self.trainer.layout.sizes
        return sum(sizes) - sizes[0]
