"""Engine threads: a few worker threads that take turns running sessions, without the event loop in between.

The engine's kernels release the GIL, so engine work runs in worker threads while the event loop serves sockets.
Sessions wait in a run queue; a worker pops one, runs one bounded turn (``session.turn()``: apply its commands, train
one chunk, encode a frame if due), and puts it back at the end of the queue if it wants to go on training. Results
travel to the event loop through ``deliver``: one wake-up of the loop carries every result that piled up meanwhile.
The loop never has to wake up for a worker to continue, so a busy loop (a hundred pages to send to) does not leave
the CPUs idle.

Sessions with commands waiting go to the front (a click shows at once); the others take turns in order, so a
hundred sessions at full speed share the CPUs instead of starving each other. A session is never in two threads
at once, so its trainer needs no lock.
"""
import collections
import logging
import os
import sys
import threading
import time


log = logging.getLogger("nnplayground.scheduler")
SWITCH_INTERVAL = 0.0002     # seconds a thread waits for the GIL before asking its holder to let go


class Scheduler:
    def __init__(self, workers: int | None = None, fps: float = 30.0, max_chunk: float = 0.012,
                 min_chunk: float = 0.0005):
        # one CPU is left to the event loop (it parses, paces and sends to every page); the rest train
        self.workers = max(1, workers or (os.cpu_count() or 2) - 1)
        # A turn hands the GIL back and forth with the event loop at every kernel call (the kernels release it);
        # with Python's default 5 ms switch interval each return from a kernel could wait 5 ms for a busy loop.
        sys.setswitchinterval(SWITCH_INTERVAL)
        self.interval = 1.0 / fps
        self.max_chunk, self.min_chunk = max_chunk, min_chunk
        self.busy_seconds = 0.0
        self.turns = 0
        self.overhead = 0.0003      # seconds of a turn not spent training (commands, history, frame): a running mean
        self._active: set = set()
        self._lock = threading.Condition()
        self._urgent: collections.deque = collections.deque()
        self._ready: collections.deque = collections.deque()
        self._queued: set = set()
        self._running: set = set()
        self._again: set = set()
        self._closed = False
        self._deliveries: dict = {}          # event loop -> deque of (callback, args) not yet run there
        self._delivery_lock = threading.Lock()
        self._threads = [threading.Thread(target=self._work, name=f"nnp-engine-{i}", daemon=True)
                         for i in range(self.workers)]
        for thread in self._threads:
            thread.start()

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
                if urgent and session in self._ready:
                    self._ready.remove(session)
                    self._urgent.append(session)
                return
            self._queued.add(session)
            (self._urgent if urgent else self._ready).append(session)
            self._lock.notify()

    def deliver(self, loop, callback, *args) -> None:
        """Run callback(*args) on the event loop `loop`, in the order of the calls. Thread-safe. While the loop has
        not yet run earlier deliveries, a new one joins them instead of waking the loop again."""
        with self._delivery_lock:
            waiting = self._deliveries.get(loop)
            if waiting is not None:
                waiting.append((callback, args))
                return
            self._deliveries[loop] = collections.deque([(callback, args)])
        try:
            loop.call_soon_threadsafe(self._run_deliveries, loop)
        except RuntimeError:                # the loop is closed: nobody is left to deliver to
            with self._delivery_lock:
                self._deliveries.pop(loop, None)

    def _run_deliveries(self, loop) -> None:
        with self._delivery_lock:
            waiting = self._deliveries.pop(loop, ())
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

    def chunk_seconds(self) -> float:
        """How long one training chunk should last so that every active session gets a turn per frame: its share
        of the workers' time per frame less what the rest of a turn costs — about 12 ms alone, shrinking as more
        sessions train (never under min_chunk)."""
        share = 0.8 * self.interval * self.workers / max(1, len(self._active)) - self.overhead
        return min(self.max_chunk, max(self.min_chunk, share))

    @property
    def queued(self) -> int:
        return len(self._urgent) + len(self._ready)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._urgent.clear()
            self._ready.clear()
            self._queued.clear()
            self._lock.notify_all()

    # ------------------------------------------------------------------ worker threads
    def _work(self) -> None:
        while True:
            with self._lock:
                while not (self._urgent or self._ready) and not self._closed:
                    self._lock.wait()
                if self._closed:
                    return
                session = (self._urgent or self._ready).popleft()
                self._queued.discard(session)
                self._running.add(session)
            started = time.perf_counter()
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
                    self.overhead = 0.95 * self.overhead + 0.05 * max(took - session.training_seconds, 0.0)
                with self._lock:
                    self._running.discard(session)
                    requeue = again or session in self._again
                    self._again.discard(session)
                    if requeue and not self._closed and not session.closed:
                        self._queued.add(session)
                        (self._urgent if session.urgent() else self._ready).append(session)
                        self._lock.notify()
