"""Engine threads: a few worker threads that take turns running sessions, without the event loop in between.

The engine's kernels release the GIL, so engine work runs in worker threads while the event loop serves sockets.
Sessions wait in a run queue; a worker pops one, runs one bounded turn (``session.turn()``: apply its commands, train
one chunk, encode a frame if due), and puts it back at the end of the queue if it wants to go on training. Results
travel to the event loop through ``deliver``: one wake-up of the loop carries every result that piled up meanwhile.
A turn's frame that no command waits for may wait up to DELIVERY_DELAY for the next turns' (the wake-up is sent
when a turn begins its engine work, see ``flush``, or when the worker runs out of sessions), so a hundred sessions'
frames cost a few wake-ups per frame period, not one each. The loop never has to wake up for a worker to continue,
so a busy loop (a hundred pages to send to) does not leave the CPUs idle.

Sessions with commands waiting go to the front (a click shows at once). The others share the engine by what
their turns really cost (fair queuing on a virtual clock): each session is charged the CPU seconds its turns take
(the worker thread's own time, so a turn the OS or the event loop held up is not charged for the wait), and the
waiting session charged least goes next. A session whose turns are long (a large network's loss pass or maps, which
sessions cut into pieces of about `max_chunk`) so takes turns less often, and a hundred sessions at full speed share
the CPUs instead of starving each other. A session that was idle joins at the clock (an idle spell banks no time),
and its debt is capped at MAX_DEBT (with N sessions a debt is repaid over N times as long). A turn is charged at
most SPIKE times what the session's turns usually cost, so a stall that is nobody's doing (a full garbage
collection, ~0.1 s with a hundred sessions) does not freeze the one page whose turn it fell in, while a session
whose turns are always long pays for all of them. A session is never in two threads at once, so its trainer needs
no lock.
"""
import collections
import heapq
import logging
import os
import sys
import threading
import time
import weakref


log = logging.getLogger("nnplayground.scheduler")
SWITCH_INTERVAL = 0.0002     # seconds a thread waits for the GIL before asking its holder to let go
MAX_DEBT = 0.025             # engine seconds a session may be charged ahead of the clock (about two pieces)
SPIKE = 3.0                  # a turn is charged at most this many times the session's usual turn (a running mean)
DELIVERY_DELAY = 0.002       # seconds a delivery that nobody waits for may wait to share the loop's wake-up


class Scheduler:
    def __init__(self, workers: int | None = None, fps: float = 30.0, max_chunk: float = 0.012,
                 min_chunk: float = 0.0005, cpu_time=time.thread_time):
        # one CPU is left to the event loop (it parses, paces and sends to every page); the rest train
        self.workers = max(1, workers or (os.cpu_count() or 2) - 1)
        # A turn hands the GIL back and forth with the event loop at every kernel call (the kernels release it);
        # with Python's default 5 ms switch interval each return from a kernel could wait 5 ms for a busy loop.
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.interval = 1.0 / fps
        self.max_chunk, self.min_chunk = max_chunk, min_chunk
        self._cpu_time = cpu_time               # the clock turns are charged by: the worker thread's CPU time
        self.busy_seconds = 0.0
        self.turns = 0
        self.overhead = 0.0003      # seconds of a turn not spent on its work (commands, frame): a running mean
        self._active: set = set()
        self._lock = threading.Condition()
        self._urgent: collections.deque = collections.deque()
        self._ready: list = []                  # heap of (virtual time, ticket, session); stale tickets are skipped
        self._queued: dict = {}                 # session -> its ticket in _ready, or None when in _urgent
        self._charged = weakref.WeakKeyDictionary()     # session -> engine seconds charged, on the virtual clock
        self._usual = weakref.WeakKeyDictionary()       # session -> CPU seconds of its turns (a running mean)
        self._clock = 0.0                       # virtual time of the last session that got a turn
        self._tickets = 0
        self._running: set = set()
        self._again: set = set()
        self._closed = False
        self._deliveries: dict = {}          # event loop -> deque of (callback, args) not yet run there
        self._unwoken: dict = {}             # event loop -> when its oldest delivery came, while it is not woken
        self._delivery_lock = threading.Lock()
        self._engine_threads: frozenset = frozenset()      # their idents (see deliver)
        self._threads = [threading.Thread(target=self._work, name=f"nnp-engine-{i}", daemon=True)
                         for i in range(self.workers)]
        for thread in self._threads:
            thread.start()
        self._engine_threads = frozenset(thread.ident for thread in self._threads)

    # ------------------------------------------------------------------ any thread
    def wake(self, session, urgent: bool = False) -> None:
        """Give `session` a turn soon (at the front of the queue when urgent). Thread-safe, idempotent."""
        with self._lock:
            if self._closed:
                return
            if session in self._running:
                self._again.add(session)
                return
            if session in self._queued:
                if urgent and self._queued[session] is not None:
                    self._queued[session] = None          # its ticket in _ready goes stale
                    self._urgent.append(session)
                return
            self._enqueue(session, urgent)
            self._lock.notify()

    def deliver(self, loop, callback, *args, soon: bool = True) -> None:
        """Run callback(*args) on the event loop `loop`, in the order of the calls. Thread-safe. While the loop has
        not yet run earlier deliveries, a new one joins them instead of waking the loop again. soon=False, from an
        engine thread: the wake-up may wait up to DELIVERY_DELAY, or a turn (see flush)."""
        with self._delivery_lock:
            waiting = self._deliveries.get(loop)
            if waiting is None:
                waiting = self._deliveries[loop] = collections.deque()
                self._unwoken[loop] = time.perf_counter()
            waiting.append((callback, args))
            if loop not in self._unwoken or (not soon and threading.get_ident() in self._engine_threads):
                return
            del self._unwoken[loop]
        self._wake_loop(loop)

    def _wake_loop(self, loop) -> None:
        try:
            loop.call_soon_threadsafe(self._run_deliveries, loop)
        except RuntimeError:                # the loop is closed: nobody is left to deliver to
            with self._delivery_lock:
                self._deliveries.pop(loop, None)

    def flush(self, idle: bool = False) -> None:
        """Wake the loops whose deliveries have waited DELIVERY_DELAY; all of them when this worker is `idle` or
        chunks are long (few sessions train: the next turn would come late). A turn calls it as its engine work
        begins, so the loop sends while the kernel runs without the GIL, instead of both waiting for the GIL."""
        if not self._unwoken:
            return
        now, every = time.perf_counter(), idle or self.chunk_seconds() >= DELIVERY_DELAY
        with self._delivery_lock:
            due = [loop for loop, since in self._unwoken.items() if every or now - since >= DELIVERY_DELAY]
            for loop in due:
                del self._unwoken[loop]
        for loop in due:
            self._wake_loop(loop)

    def _run_deliveries(self, loop) -> None:
        with self._delivery_lock:
            waiting = self._deliveries.pop(loop, ())
            self._unwoken.pop(loop, None)
        for callback, args in waiting:
            try:
                callback(*args)
            except Exception:
                log.exception("delivering a turn's results failed")

    def busy(self, session) -> bool:
        with self._lock:
            return session in self._queued or session in self._running

    def set_active(self, owner, active: bool) -> None:
        """Mark an owner as training continuously (it shares the CPUs with the others)."""
        with self._lock:
            (self._active.add if active else self._active.discard)(owner)

    def share(self, session) -> float:
        """Engine seconds per second `session` can count on: the workers shared by the sessions training
        continuously, itself included."""
        return self.workers / (len(self._active) + (session not in self._active))

    def chunk_seconds(self) -> float:
        """How long one training chunk should last so that every active session gets a turn per frame: its share
        of the workers' time per frame less what the rest of a turn costs — about 12 ms alone, shrinking as more
        sessions train (never under min_chunk)."""
        share = 0.8 * self.interval * self.workers / max(1, len(self._active)) - self.overhead
        return min(self.max_chunk, max(self.min_chunk, share))

    @property
    def queued(self) -> int:
        return len(self._queued)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._urgent.clear()
            self._ready.clear()
            self._queued.clear()
            self._lock.notify_all()

    # ------------------------------------------------------------------ queue (with the lock held)
    def _enqueue(self, session, urgent: bool) -> None:
        """Queue `session`: urgent ones in arrival order, the others by the engine time they were charged, never
        less than the clock (an idle session joins at the clock) nor more than MAX_DEBT ahead of it."""
        charged = min(max(self._charged.get(session, self._clock), self._clock), self._clock + MAX_DEBT)
        self._charged[session] = charged
        if urgent:
            self._queued[session] = None
            self._urgent.append(session)
        else:
            self._tickets += 1
            self._queued[session] = self._tickets
            heapq.heappush(self._ready, (charged, self._tickets, session))

    def _next(self):
        """The session to run next (None when none waits): the oldest urgent one, else the one charged least."""
        if self._urgent:
            session = self._urgent.popleft()
        else:
            while self._ready:
                charged, ticket, session = heapq.heappop(self._ready)
                if self._queued.get(session) == ticket:
                    self._clock = max(self._clock, charged)
                    break
            else:
                return None
        del self._queued[session]
        return session

    # ------------------------------------------------------------------ worker threads
    def _work(self) -> None:
        while True:
            if not self._queued:
                self.flush(idle=True)
            with self._lock:
                while not self._closed and (session := self._next()) is None:
                    self._lock.wait()
                if self._closed:
                    return
                self._running.add(session)
            started, cpu = time.perf_counter(), self._cpu_time()
            again = False
            try:
                again = session.turn()
            except Exception:               # a bug in a turn must not kill the thread; the session logs it
                again = False
            finally:
                took = time.perf_counter() - started
                self.busy_seconds += took
                self.turns += 1
                if again:
                    self.overhead = 0.95 * self.overhead + 0.05 * max(took - session.work_seconds, 0.0)
                with self._lock:
                    self._running.discard(session)
                    cost = self._cpu_time() - cpu
                    usual = self._usual.get(session, cost)
                    self._usual[session] = 0.8 * usual + 0.2 * cost
                    charged = max(self._charged.get(session, 0.0), self._clock) + min(cost, SPIKE * usual)
                    self._charged[session] = charged
                    requeue = again or session in self._again
                    self._again.discard(session)
                    if requeue and not self._closed and not session.closed:
                        self._enqueue(session, session.urgent())
                        self._lock.notify()
