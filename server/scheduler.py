"""CPU slots for engine work: a small thread pool shared by all sessions, handed out fairly.

The engine's kernels release the GIL, so engine work runs in worker threads while the event loop keeps serving
sockets. There are exactly as many slots as threads, so work never queues inside the executor: a session first
waits for a slot here (in asyncio, where waiting costs nothing and can be cancelled), then runs one bounded chunk in
the thread it was given. Slots go first to sessions with pending commands (a click should show at once), then in
first-come order, so a hundred sessions at full speed take turns instead of starving each other.
"""
import asyncio
import os
import time
from concurrent.futures import ThreadPoolExecutor


class Scheduler:
    def __init__(self, workers: int | None = None, fps: float = 30.0, max_chunk: float = 0.012,
                 min_chunk: float = 0.0005):
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.interval = 1.0 / fps
        self.max_chunk, self.min_chunk = max_chunk, min_chunk
        self._active: set = set()
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="nnp-engine")
        self._free = self.workers
        self._waiting: list[tuple[object, asyncio.Future]] = []
        self.busy_seconds = 0.0

    @property
    def queued(self) -> int:
        return len(self._waiting)

    def set_active(self, owner, active: bool) -> None:
        """Mark an owner as wanting to train continuously (it shares the CPU with the others)."""
        (self._active.add if active else self._active.discard)(owner)

    def chunk_seconds(self) -> float:
        """How long one training chunk should last so that every active session gets a turn per frame:
        about 12 ms alone, shrinking as more sessions train (never under half a millisecond)."""
        share = 0.8 * self.interval * self.workers / max(1, len(self._active))
        return min(self.max_chunk, max(self.min_chunk, share))

    async def run(self, owner, fn, *args):
        """Wait for a slot (urgent owners first), run fn(*args) in a worker thread, return its result.

        `owner.urgent()` says whether it has commands waiting. If the awaiting task is cancelled while the
        function runs, this waits for the function to finish before re-raising: the caller's state is never
        touched by two threads at once.
        """
        await self._acquire(owner)
        loop = asyncio.get_running_loop()
        started = time.perf_counter()
        try:
            future = loop.run_in_executor(self._executor, fn, *args)
            try:
                return await asyncio.shield(future)
            except asyncio.CancelledError:
                await asyncio.wait([future])
                raise
        finally:
            self.busy_seconds += time.perf_counter() - started
            self._release()

    async def _acquire(self, owner) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        granted = asyncio.get_running_loop().create_future()
        entry = (owner, granted)
        self._waiting.append(entry)
        try:
            await granted
        except asyncio.CancelledError:
            if granted.done() and not granted.cancelled():
                self._release()          # the slot was handed over just as we were cancelled: pass it on
            elif entry in self._waiting:
                self._waiting.remove(entry)
            raise

    def _release(self) -> None:
        while self._waiting:
            index = next((i for i, (owner, _) in enumerate(self._waiting) if owner.urgent()), 0)
            _, granted = self._waiting.pop(index)
            if not granted.done():
                granted.set_result(None)
                return
        self._free += 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
