"""Taking turns: what every kind of session shares — identity and resume token, the pages watching it, the command
queue, bounded turns in the scheduler's worker threads, frame pacing at a set speed, delivery to the event loop.

Threads and ownership
---------------------
Only a session's turns touch its engine object, and they run in an engine worker thread (``TurnTaker.turn``,
scheduled by ``server/scheduler.py``), one bounded turn at a time: apply the commands that arrived (and send their
answers at once), do one piece of work of about a dozen milliseconds at most (a training chunk, or for a large
network a slice of its loss pass or of its maps: see ``Session._step``), encode a frame if one is due and ready.
Everything else happens on the event loop: pages (``server/subscriber.py``) append commands to a deque and read
results from their own outbox and one-slot frame mailbox. So the engine needs no lock, a click waits at most one
piece, however heavy any network is, and a slow page never slows training: its mailbox keeps only the newest frame.

Several pages may watch one session (a resume token opened twice, e.g. a teacher's network on a projector and on a
laptop): state messages and frames go to all of them, an `error` only to the page that caused it.
"""
import asyncio
import collections
import logging
import secrets
import time
from dataclasses import dataclass, field

from ..engine import ConfigError, DataError
from ..engine.config import LIVE

from . import frames
from .protocol import MAX_SPEED, VIEW_FIELDS, dumps, error_message
from .subscriber import Subscriber

log = logging.getLogger("nnplayground.session")

MAX_COMMANDS = 256              # queued commands per session; beyond, a command is refused (rate_limited)
REBUILD_INTERVAL = 0.1          # seconds between two rebuilds of one session's data or network (see _held)
KEEPS_DATA = LIVE | frozenset(VIEW_FIELDS)      # configure fields that rebuild neither the data nor the network
# what a page gets instead of a message that could not be encoded, with a log line
UNENCODABLE = dumps(error_message("internal", "the server could not encode a message for this page; the session "
                                  "goes on"))


@dataclass
class Command:
    """A page's or an HTTP endpoint's request, run in the session's next turn by its ``_do_<kind>`` method; an
    endpoint waits on `future` for the method's result."""
    kind: str
    payload: object = None
    origin: "Subscriber | None" = None
    future: asyncio.Future | None = None
    run: tuple = ()          # the configure commands merged into this one (see TurnTaker._next_command)
    alone: bool = False      # never merged (a part of a merged run that was refused, tried on its own)

    @property
    def mergeable(self) -> bool:
        return self.kind == "configure" and self.future is None and not self.alone




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
            self.to(target, error_message(code, message, field_name))

    def status(self, state: str, message: str) -> None:
        self.broadcast({"type": "status", "state": state, "message": message})



class TurnTaker:
    """A session as the scheduler and the pages see it (the module docstring): its id and resume token, pages,
    commands, turns, frame pacing at a set speed, delivery to the event loop, closing.

    A kind of session (``server.session.Session`` for the playground, ``server.race.RaceSession`` for an optimizer
    race) adds its engine object and implements ``_units_per_epoch``, ``_train``, ``_frame`` and its
    ``_do_<command>`` methods.
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
        self.submitted = 0                     # commands queued so far (a changed session: cluster/keeper.py)

    # ------------------------------------------------------------------ event-loop side
    def urgent(self) -> bool:
        return bool(self.commands)

    def submit(self, kind: str, payload=None, origin: Subscriber | None = None,
               future: asyncio.Future | None = None) -> bool:
        """Queue a command for the next turn; False (and nothing queued) if too many are waiting."""
        if self.closed or len(self.commands) >= MAX_COMMANDS:
            return False
        self.commands.append(Command(kind, payload, origin, future))
        self.submitted += 1
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
        if out.messages or out.frame is not None or out.results:     # a frame no command asked for may wait a little
            self.scheduler.deliver(self.loop, self._deliver, out,
                                   soon=bool(out.messages or out.results or out.frame_needed))
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
                or set(self.commands[0].payload.settings.model_fields_set) <= KEEPS_DATA:
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
            except Exception:                   # a bug: log it here, say nothing technical to the page
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
        self.scheduler.flush()
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
        out.frame_needed = asked            # a frame a command asked for is delivered at once (see turn)
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


class Conflict(ConfigError):
    """A request that cannot be met in the session's current state."""


def _plain(error: Exception) -> str:
    text = str(error) or "refused"
    return text[:500]


def _field_of(command: Command) -> str | None:
    if command.kind == "configure":
        keys = list(command.payload.settings.model_dump(exclude_unset=True))
        return keys[0] if len(keys) == 1 else None
    return None
