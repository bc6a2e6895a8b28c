"""A live training session: one Trainer, the commands that change it, the training loop, and the pages watching it.

Threads and ownership
---------------------
Only the session's turns touch the trainer, and they run in an engine worker thread (``Session.turn``, scheduled by
``server/scheduler.py``), one bounded turn at a time: apply the commands that arrived (and send their answers at
once), do one piece of work of about a dozen milliseconds at most (a training chunk, or for a large network a slice
of its loss pass or of its maps: see ``Session._step``), encode a frame if one is due and ready. Everything else
happens on the event loop: pages (``Subscriber``) append commands to a deque and read results from their own outbox
and one-slot frame mailbox. So the trainer needs no lock, a click waits at most one piece, however heavy any
network is, and a slow page never slows training: its mailbox keeps only the newest frame.

Several pages may watch one session (a resume token opened twice, e.g. a teacher's network on a projector and on a
laptop): state messages and frames go to all of them, an `error` only to the page that caused it.
"""
import asyncio
import collections
import logging
import math
import secrets
import time
from dataclasses import dataclass, field

import numpy as np

from ..engine import Config, ConfigError, DataError, Trainer
from ..engine.config import LIVE
from ..engine.datasets import LIMITS as DATA_LIMITS

from . import frames
from .protocol import MAX_SPEED, dumps, finite_or_none

log = logging.getLogger("nnplayground.session")

MAX_ROWS = 2000                 # history rows kept for a page that missed frames
MAX_OUTBOX = 100                # queued messages per page; beyond, new error replies are dropped
MAX_COMMANDS = 256              # queued commands per session; beyond, a command is refused (rate_limited)
REBUILD_INTERVAL = 0.1          # seconds between two rebuilds of one session's data or network (see _held)
VIEW_SETTINGS = frozenset({"grid_size", "unit_size"})   # configure fields that only change what frames show
VIEW_INTERVALS = {"warp": 0.25, "mistakes": 1.0}   # seconds between opt-in view messages while training
MAP_SHARE = 0.5                 # at most this part of a training session's engine time goes to drawing its maps
MAP_RATE = 2.0                  # maps a second a heavy network's map sides are lowered for, at its engine share


@dataclass
class Command:
    kind: str
    payload: object = None
    origin: "Subscriber | None" = None
    future: asyncio.Future | None = None
    run: tuple = ()          # the configure commands merged into this one (see BaseSession._next_command)
    alone: bool = False      # never merged (a part of a merged run that was refused, tried on its own)

    @property
    def mergeable(self) -> bool:
        return self.kind == "configure" and self.future is None and not self.alone


# what a page gets instead of a message that could not be encoded (Outcome) or sent (Subscriber), with a log line
UNENCODABLE = dumps({"type": "error", "code": "internal", "message": "the server could not encode a message for "
                     "this page; the session goes on", "field": None})
UNSENDABLE = dumps({"type": "error", "code": "internal", "message": "a message could not be sent to this page (it "
                    "was not valid text); the session goes on", "field": None})


@dataclass
class Outcome:
    """What one worker turn produced, delivered on the event loop."""
    messages: list = field(default_factory=list)     # (target Subscriber or None for all, coalescing key, text)
    frame: frames.Frame | None = None
    results: list = field(default_factory=list)      # (future, value, exception)
    frame_needed: bool = False

    def broadcast(self, message: dict, key: str | None = None) -> None:
        self._add(None, key or message["type"], message)

    def to(self, target, message: dict, key: str | None = None) -> None:
        self._add(target, key, message)

    def _add(self, target, key: str | None, message: dict) -> None:
        """Queue `message` as strict JSON for `target` (None: every page). One that cannot be encoded (a non-finite
        number, a lone surrogate) is logged and becomes an `error` for the same pages: never silence."""
        try:
            text = dumps(message)
        except ValueError as error:
            log.error("a %s message could not be encoded, so its pages get an error instead: %s",
                      message.get("type"), error)
            key, text = None, UNENCODABLE
        self.messages.append((target, key, text))

    def error(self, target, code: str, message: str, field_name: str | None = None) -> None:
        if target is not None:
            self.to(target, {"type": "error", "code": code, "message": message, "field": field_name})

    def status(self, state: str, message: str) -> None:
        self.broadcast({"type": "status", "state": state, "message": message})


class Subscriber:
    """One page: an ordered outbox of state messages (coalesced by kind) and a one-slot frame mailbox, drained by
    its own send task at most `fps` frames a second."""

    def __init__(self, websocket, fps: float):
        self.ws = websocket
        self.interval = 1.0 / fps
        self.outbox: collections.deque = collections.deque()   # [key, text]
        self.slot: frames.Frame | None = None
        self.slot_rows: list = []
        self.sending = False
        self.closed = False
        self.wake = asyncio.Event()
        self.next_frame_at = 0.0
        self.task: asyncio.Task | None = None
        self._timer: asyncio.TimerHandle | None = None
        self.frames_sent = 0
        self.frames_dropped = 0

    @property
    def ready(self) -> bool:
        """True when a new frame would be sent soon (this page is not behind)."""
        return not self.closed and self.slot is None and not self.sending

    def send_message(self, text: str, key: str | None = None) -> None:
        if self.closed:
            return
        if key is not None:
            for entry in self.outbox:
                if entry[0] == key:
                    entry[1] = text
                    self.wake.set()
                    return
        elif len(self.outbox) >= MAX_OUTBOX:
            return            # the page is not reading; refusals are advisory, state messages are coalesced
        self.outbox.append([key, text])
        self.wake.set()

    def put_frame(self, frame: frames.Frame) -> None:
        if self.closed:
            return
        if self.slot is not None:
            self.frames_dropped += 1
            rows = self.slot_rows + frame.rows
            self.slot_rows = rows[-MAX_ROWS:]
        else:
            self.slot_rows = frame.rows
        self.slot = frame
        self.wake.set()

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._run(), name="nnp-sender")

    def _due(self) -> None:
        self._timer = None
        self.wake.set()

    async def stop(self) -> None:
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.task is not None and self.task is not asyncio.current_task():
            self.task.cancel()
            try:
                await self.task
            except (asyncio.CancelledError, Exception):
                pass

    async def _run(self) -> None:
        try:
            while not self.closed:
                await self.wake.wait()
                self.wake.clear()
                while self.outbox:
                    _, text = self.outbox.popleft()
                    await self.ws.send_text(self._sendable(text))
                if self.slot is None:
                    continue
                delay = self.next_frame_at - time.monotonic()
                if delay > 0:
                    if self._timer is None:         # wake up when the frame is due (or earlier, for a message)
                        self._timer = asyncio.get_running_loop().call_later(delay, self._due)
                    continue
                frame, rows = self.slot, self.slot_rows
                self.slot, self.slot_rows = None, []
                self.sending = True
                started = time.monotonic()
                # a steady cadence of `interval` (a late frame does not push the schedule back; at most one
                # frame comes early, by half an interval, after a pause)
                self.next_frame_at = max(self.next_frame_at + self.interval, started + 0.5 * self.interval)
                try:
                    text = frame.text_with(rows)    # strict JSON and valid UTF-8 (protocol.dumps) …
                except ValueError as error:         # … or not, with the rows of dropped frames joined in
                    text = self._unsendable(error)
                await self.ws.send_text(text)
                if text is not UNSENDABLE:          # the binary frame goes only after its frame message
                    await self.ws.send_bytes(frame.binary)
                for text in frame.extras:
                    await self.ws.send_text(self._sendable(text))
                self.sending = False
                self.frames_sent += 1
        except asyncio.CancelledError:
            raise
        except Exception as error:  # the socket failed: close it, so that the page sees it and resumes (not deaf)
            self.closed = True
            log.info("a page's sender stopped (%s); its socket is closed", type(error).__name__)
            try:
                await asyncio.wait_for(self.ws.close(1011), 0.5)
            except Exception:
                pass

    @classmethod
    def _sendable(cls, text: str) -> str:
        """`text` if a socket can send it (valid UTF-8); else UNSENDABLE, an `error` for this page, and a log line."""
        try:
            if not text.isascii():
                text.encode("utf-8")
            return text
        except UnicodeEncodeError as error:
            return cls._unsendable(error)

    @staticmethod
    def _unsendable(error: ValueError) -> str:
        log.error("a message could not be sent to a page, which gets an error instead: %s", error)
        return UNSENDABLE


class BaseSession:
    """What every kind of session shares: identity and resume token, the pages watching it, the command queue,
    turns in the scheduler's worker threads, frame pacing at a set speed, delivery to the event loop, closing.

    A kind of session (``Session`` for the playground, ``server.race.RaceSession`` for an optimizer race) adds its
    engine object and implements ``_units_per_epoch``, ``_train``, ``_frame`` and its ``_do_<command>`` methods.
    """

    def __init__(self, scheduler, *, fps: float, speed: int = 10, stats=None):
        self.id = secrets.token_hex(6)
        self.token = secrets.token_urlsafe(24)
        self.scheduler = scheduler
        self.stats = stats
        self.interval = 1.0 / fps
        self.state = "paused"
        self.speed = speed
        self.subscribers: tuple[Subscriber, ...] = ()
        self.commands: collections.deque[Command] = collections.deque()
        self.detached_at: float | None = time.monotonic()
        self.closed = False
        self.loop = asyncio.get_running_loop()
        self._last_frame_at = 0.0
        self._rebuilt_at = -1.0                # when a configure last rebuilt data or network (see _held)
        self._seconds_per_unit = 1e-4          # measured time of one unit of training (see _units_per_epoch)
        self._period_left = 0
        self._period_end = 0.0
        self.work_seconds = 0.0                # time the last turn spent on its piece of work (training, a loss
                                               # pass or maps): the scheduler sizes chunks by what a turn costs besides
        self._asked = False                    # a command asked for a frame that could not be built yet

    # ------------------------------------------------------------------ event-loop side
    def urgent(self) -> bool:
        return bool(self.commands)

    def submit(self, kind: str, payload=None, origin: Subscriber | None = None,
               future: asyncio.Future | None = None) -> bool:
        """Queue a command for the next turn; False (and nothing queued) if too many are waiting."""
        if self.closed or len(self.commands) >= MAX_COMMANDS:
            return False
        self.commands.append(Command(kind, payload, origin, future))
        self.scheduler.wake(self, urgent=True)
        return True

    async def call(self, kind: str, payload=None):
        """Run a command and return its result (or raise its error): used by the HTTP endpoints."""
        future = asyncio.get_running_loop().create_future()
        if not self.submit(kind, payload, future=future):
            raise ConfigError("the session is busy; try again in a moment")
        return await future

    def attach(self, subscriber: Subscriber, resumed: bool) -> None:
        self.subscribers = self.subscribers + (subscriber,)
        self.detached_at = None
        subscriber.start()
        self.submit("attach", resumed, origin=subscriber)

    async def detach(self, subscriber: Subscriber) -> None:
        self.subscribers = tuple(s for s in self.subscribers if s is not subscriber)
        await subscriber.stop()
        if not self.subscribers:
            self.detached_at = time.monotonic()
            self.scheduler.set_active(self, False)      # its next turn (if any) trains nothing and ends

    async def close(self, code: int = 1001, reason: str = "server going away") -> None:
        """Close every page's socket; the session takes no more turns."""
        self.closed = True
        self.scheduler.set_active(self, False)
        pages, self.subscribers = self.subscribers, ()
        for page in pages:
            await page.stop()

        async def close_one(page):
            try:
                await asyncio.wait_for(page.ws.close(code, reason), 0.5)
            except Exception:
                pass
        await asyncio.gather(*(close_one(page) for page in pages))
        for command in self.commands:
            if command.future is not None and not command.future.done():
                command.future.set_exception(ConfigError("the session was closed"))
        self.commands.clear()

    def _wants_training(self) -> bool:
        return self.state == "playing" and bool(self.subscribers) and not self.closed

    def _wake_later(self, delay: float) -> None:
        self.loop.call_later(delay, self.scheduler.wake, self)

    def _budget(self) -> int:
        """Units of training (see _units_per_epoch) for this turn (0: wait for the next frame period at this
        speed). A chunk lasts about scheduler.chunk_seconds(), and ends when the next frame is due, so frames go out
        on time."""
        chunk = self.scheduler.chunk_seconds()
        until_frame = self._last_frame_at + 0.95 * self.interval - time.perf_counter()
        if until_frame > self.scheduler.min_chunk:
            chunk = min(chunk, until_frame)
        per_chunk = max(1, int(chunk / self._unit_seconds()))
        if self.speed == 0:
            return per_chunk
        now = time.monotonic()
        if self._period_left <= 0 and now >= self._period_end:
            self._period_left = self.speed * max(1, self._units_per_epoch())
            self._period_end = max(self._period_end + self.interval, now)
        return min(per_chunk, self._period_left) if self._period_left > 0 else 0

    def _deliver(self, outcome: Outcome) -> None:
        pages = self.subscribers
        for target, key, text in outcome.messages:
            for page in (pages if target is None else (target,)):
                page.send_message(text, key)
        if outcome.frame is not None:
            for page in pages:
                page.put_frame(outcome.frame)
        for future, value, error in outcome.results:
            if not future.done():
                if error is not None:
                    future.set_exception(error)
                else:
                    future.set_result(value)

    # ------------------------------------------------------------------ worker-thread side
    def turn(self) -> bool:
        """One turn in an engine thread: commands, then one piece of work (see _step: if no command, a training
        chunk), then a frame if due. Returns True to be queued again at once (still training, or work in pieces
        left)."""
        if self.closed:
            return False
        try:
            train = self._wants_training()
            budget = self._budget() if train and not self._ready() else 0
            out = self._work(budget)
        except Exception:                       # a bug outside any one command: pause and say so, plainly
            log.exception("session turn failed")
            self.state = "paused"
            out = Outcome()
            out.status("paused", "the server hit a problem while training, so the session is paused; "
                                 "press play to go on, or reset")
            self.scheduler.deliver(self.loop, self._deliver, out)
            self.scheduler.set_active(self, False)
            return False
        if out.messages or out.frame is not None or out.results:
            self.scheduler.deliver(self.loop, self._deliver, out)
        train = self._wants_training()
        self.scheduler.set_active(self, train)
        unfinished = bool(self.subscribers) and not self.closed and (self._asked or self._unfinished())
        if train and self.speed and self._period_left <= 0 and not unfinished:
            delay = self._period_end - time.monotonic()
            if delay > 0:
                self.scheduler.deliver(self.loop, self._wake_later, delay)
                return False
        return train or unfinished

    def _held(self) -> float:
        """Seconds the next command must wait: a configure that may rebuild the data or the network waits until
        REBUILD_INTERVAL has passed since the last rebuild, and the configures arriving meanwhile merge with it
        (see _next_command). So one page dragging a slider, or flooding, rebuilds at most 1 / REBUILD_INTERVAL
        times a second and cannot take the engine threads from other sessions; 0 when nothing waits."""
        if not self.commands or not self.commands[0].mergeable \
                or set(self.commands[0].payload.settings.model_fields_set) <= LIVE | VIEW_SETTINGS:
            return 0.0
        return max(0.0, self._rebuilt_at + REBUILD_INTERVAL - time.monotonic())

    def _ready(self) -> bool:
        """A command can run now."""
        return bool(self.commands) and self._held() == 0.0

    def _next_command(self) -> Command:
        """The next command; consecutive `configure`s of one page are merged into one (later values win), so a
        flood of slider moves or rebuilds costs one rebuild per turn. If the merged one is refused, the rest of
        the run goes back on the queue to be applied one by one, each refusal answered on its own."""
        command = self.commands.popleft()
        if not command.mergeable:
            return command
        run = [command]
        while self.commands and self.commands[0].mergeable and self.commands[0].origin is command.origin:
            run.append(self.commands.popleft())
        if len(run) == 1:
            return command
        merged: dict = {}
        for part in run:
            settings = part.payload.settings.model_dump(exclude_unset=True)
            if "hidden" in settings and "hidden_activations" not in settings:
                merged.pop("hidden_activations", None)     # activations chosen for widths that are gone
            merged.update(settings)
        settings = type(command.payload.settings).model_construct(_fields_set=set(merged), **merged)  # each part was validated
        return Command("configure", command.payload.model_copy(update={"settings": settings}), command.origin,
                       run=tuple(run))

    def _work(self, budget: int) -> Outcome:
        out = Outcome()
        while self._ready():
            command = self._next_command()
            try:
                value = getattr(self, "_do_" + command.kind)(command, out)
                if command.future is not None:
                    out.results.append((command.future, value, None))
            except (ConfigError, DataError, ValueError) as error:
                if command.run:                 # a merged run: try its parts one by one instead
                    self.commands.extendleft(reversed([Command(c.kind, c.payload, c.origin, alone=True)
                                                       for c in command.run]))
                    continue
                code = "data_error" if isinstance(error, DataError) else "invalid_config"
                if command.future is not None:
                    out.results.append((command.future, None, error))
                else:
                    out.error(command.origin, code, _plain(error), _field_of(command))
            except Exception as error:          # a bug: log it here, say nothing technical to the page
                log.exception("command %s failed", command.kind)
                if command.future is not None:
                    out.results.append((command.future, None, RuntimeError("internal error")))
                else:
                    out.error(command.origin, "internal", "the server could not do that; the session goes on")
        if self.commands and not self._wants_training() and (wait := self._held()):
            self.scheduler.deliver(self.loop, self._wake_later, wait)   # a training session takes turns anyway
        self.work_seconds = 0.0
        if not self.subscribers:               # nobody to train or draw for
            return out
        if out.messages or out.results:         # answer the commands before any engine work of this turn
            self.scheduler.deliver(self.loop, self._deliver, out)
            out = Outcome(frame_needed=out.frame_needed)
        started = time.perf_counter()
        self._step(budget, out)
        now = time.perf_counter()
        self.work_seconds = now - started
        since = now - self._last_frame_at
        # at a set speed, a frame shows whole periods of `speed` epochs (or progress, once a second, if slow);
        # periods start an interval apart, so a period's frame may come a little early after a late one
        period_done = self.speed == 0 or self._period_left <= 0 or since >= 1.0
        gap = 0.9 if self.speed == 0 else 0.5
        due = self.state == "playing" and since >= gap * self.interval and period_done \
            and any(page.ready for page in self.subscribers)
        asked = out.frame_needed or self._asked
        piece = self.scheduler.max_chunk
        if (asked or due) and self._prepare_frame(asked, max(piece - self.work_seconds, piece / 4)):
            out.frame = self._frame(now)
        self._asked = asked and out.frame is None
        return out

    def _do_speed(self, command: Command, out: Outcome) -> None:
        self.speed = min(max(int(command.payload.epochs_per_frame), 0), MAX_SPEED)
        self._period_left, self._period_end = 0, 0.0
        out.frame_needed = True

    def _step(self, budget: int, out: Outcome) -> None:
        """This turn's piece of engine work, at most about scheduler.max_chunk long: by default a training chunk of
        `budget` units while playing (a kind of session with work in pieces does that first)."""
        if budget and self.state == "playing":
            self._train(budget, out)

    def _prepare_frame(self, asked: bool, seconds: float) -> bool:
        """Whether a frame can be built now (its numbers ready within about `seconds`); `asked`: a command wants
        one, else it is only due. A kind of session that computes frames in pieces says False until they are done."""
        return True

    def _unfinished(self) -> bool:
        """Work in pieces is under way, so the session needs turns even when it does not train."""
        return False

    def _unit_seconds(self) -> float:
        """Expected time of one unit of training (what _budget sizes chunks by)."""
        return self._seconds_per_unit

    def _units_per_epoch(self) -> int:
        """How many units of training make one epoch (the unit `_train` counts its budget in)."""
        raise NotImplementedError

    def _train(self, budget: int, out: Outcome) -> None:
        """Train `budget` units, adding what the pages must hear to `out`."""
        raise NotImplementedError

    def _frame(self, now: float) -> frames.Frame:
        """Encode what the pages show now."""
        raise NotImplementedError


class Session(BaseSession):
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
        self._unrecorded, self._since_row = None, 0.0
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
        if self._pending_row() or not self._evaluate(seconds):
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
        if self.stats is not None:
            self.stats.frames += 1
        return frame

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
        view = {k: settings.pop(k) for k in ("grid_size", "unit_size") if k in settings}
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
        action, t = command.payload.action, self.trainer
        if action == "play":
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
        elif action == "pause":
            if self.state == "playing":
                self.state = "paused"
            out.status(self.state, "paused" if self.state == "paused" else "diverged: step back or reset")
        elif action in ("step", "step_batch"):
            if self.state == "playing":
                self.state = "paused"
                out.status("paused", "paused to step")
            if t.divergence is None:
                t.train(1) if action == "step" else t.train_batches(1)
                self._collect_row()
                if t.divergence is not None:
                    self.state = "diverged"
                    out.status("diverged", f"{t.divergence['reason']}: {t.divergence['advice']}")
        elif action == "reset":
            t.reset()
            self._settle_divergence()
            if self.state == "diverged":
                self.state = "paused"
            self._restart_rows(out)
        elif action == "regenerate":
            change = t.configure(seed=(t.config.seed + 1) % (2**31 - 1))
            self._settle_divergence()
            if self.state == "diverged":
                self.state = "paused"
            self.focus = None
            self._config(out, change)
            out.broadcast(frames.data_message(t))
            self._restart_rows(out)
        elif action == "step_back":
            t.step_back()
            if self.state == "diverged":
                self.state = "paused"
            out.status(self.state, "stepped back to the weights before the last training chunk")
            self._restart_rows(out)
        out.frame_needed = True

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
            raise _Conflict("the network has diverged (some numbers are infinite or NaN): step back or reset "
                            "before saving") from None

    def _do_data(self, command: Command, out: Outcome) -> str:
        """The rows the engine trains and tests on, as strict JSON text: each row's raw inputs before input features
        (plane: x1, x2; CSV: the columns as scaled for the network; digits: the 64 pixels) at full float precision,
        and its label, split as the trainer splits them. At most the engine's CSV limits (10,000 rows of 65 columns),
        which also bound the digits and the plane's points."""
        t, d = self.trainer, self.trainer.data
        if d.points.size > DATA_LIMITS["csv_max_rows"] * DATA_LIMITS["csv_max_columns"]:
            raise _Conflict("the data set is larger than the engine's limits allow to send")

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


class _Conflict(ConfigError):
    """A request that cannot be met in the session's current state."""


def _plain(error: Exception) -> str:
    text = str(error) or "refused"
    return text[:500]


def _field_of(command: Command) -> str | None:
    if command.kind == "configure":
        keys = list(command.payload.settings.model_dump(exclude_unset=True))
        return keys[0] if len(keys) == 1 else None
    return None
