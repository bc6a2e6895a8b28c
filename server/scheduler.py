"""Engine threads: a few worker threads that take turns running sessions, without the event loop in between.

The engine's kernels release the GIL, so engine work runs in worker threads while the event loop serves sockets.
Sessions wait in a run queue; a worker pops one, runs one bounded turn (``session.turn()``: apply its commands, train
one chunk, encode a frame if due), and puts it back at the end of the queue if it wants to go on training. Results
travel to the event loop with ``call_soon_threadsafe``; the loop never has to wake up for a worker to continue, so
a busy loop (a hundred pages to send to) does not leave the CPUs idle.

Sessions with commands waiting go to the front (a click shows at once); the others take turns in order, so a
hundred sessions at full speed share the CPUs instead of starving each other. A session is never in two threads
at once, so its trainer needs no lock.
"""
import collections
import os
import threading
import time


class Scheduler:
    def __init__(self, workers: int | None = None, fps: float = 30.0, max_chunk: float = 0.012,
                 min_chunk: float = 0.0005):
        # one CPU is left to the event loop (it parses, paces and sends to every page); the rest train
        self.workers = max(1, workers or (os.cpu_count() or 2) - 1)
        self.interval = 1.0 / fps
        self.max_chunk, self.min_chunk = max_chunk, min_chunk
        self.busy_seconds = 0.0
        self.turns = 0
        self._active: set = set()
        self._lock = threading.Condition()
        self._urgent: collections.deque = collections.deque()
        self._ready: collections.deque = collections.deque()
        self._queued: set = set()
        self._running: set = set()
        self._again: set = set()
        self._closed = False
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

    def busy(self, session) -> bool:
        with self._lock:
            return session in self._queued or session in self._running

    def set_active(self, owner, active: bool) -> None:
        """Mark an owner as training continuously (it shares the CPUs with the others)."""
        with self._lock:
            (self._active.add if active else self._active.discard)(owner)

    def chunk_seconds(self) -> float:
        """How long one training chunk should last so that every active session gets a turn per frame:
        about 12 ms alone, shrinking as more sessions train (never under half a millisecond)."""
        share = 0.8 * self.interval * self.workers / max(1, len(self._active))
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
                self.busy_seconds += time.perf_counter() - started
                self.turns += 1
                with self._lock:
                    self._running.discard(session)
                    requeue = again or session in self._again
                    self._again.discard(session)
                    if requeue and not self._closed and not session.closed:
                        self._queued.add(session)
                        (self._urgent if session.urgent() else self._ready).append(session)
                        self._lock.notify()
