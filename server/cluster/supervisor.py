"""N worker processes serving one listening socket: the parent binds it, forks the workers (each a whole server
with its own event loop and engine threads; the kernel hands each new connection to one of them), restarts a worker
that dies, and on Ctrl-C or SIGTERM stops them all — each writes its sessions' last snapshots before it exits."""
import logging
import multiprocessing
import signal
import time
from typing import Callable

log = logging.getLogger("nnplayground.cluster")

RESTART_DELAY = 1.0             # seconds before a worker that died is started again
STOP_SECONDS = 8.0              # a worker still running this long after SIGTERM is killed


def supervise(processes: int, serve: Callable[[Callable[[], None]], None], announce: Callable[[], None]) -> int:
    """Run `serve(listening)` in `processes` forked workers until stopped, each calling `listening()` once it
    accepts connections; `announce()` once all of them do (so the first pages spread over every worker)."""
    context = multiprocessing.get_context("fork")      # before any thread starts: the socket is inherited
    ready = context.Semaphore(0)
    workers: dict[int, multiprocessing.Process] = {}
    stopping = False
    waiting = processes

    def start(index: int) -> None:
        worker = context.Process(target=serve, args=(ready.release,), name=f"nnplayground-{index}", daemon=False)
        worker.start()
        workers[index] = worker

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for index in range(processes):
            start(index)
        while not stopping:
            if waiting and ready.acquire(timeout=0.2):
                waiting -= 1
                if not waiting:
                    announce()
            else:
                time.sleep(0.2)
            for index, worker in list(workers.items()):
                if not worker.is_alive() and not stopping:
                    print(f"nnplayground: worker {index} (pid {worker.pid}) stopped with code {worker.exitcode}; "
                          "starting it again", flush=True)
                    time.sleep(RESTART_DELAY)
                    start(index)
    finally:
        for worker in workers.values():
            if worker.is_alive():
                worker.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for worker in workers.values():
            worker.join(max(0.0, deadline - time.monotonic()))
            if worker.is_alive():
                worker.kill()
                worker.join()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
