"""Health and, with --debug-stats, the numbers the benchmarks read: event-loop stalls, memory, threads, counters."""
import asyncio
import os
import threading
import time

from fastapi import APIRouter, Request

from ..protocol import PROTOCOL_VERSION

router = APIRouter()
debug_router = APIRouter()          # included only when ServerSettings.debug_stats is set


class LoopMonitor:
    """Measures event-loop stalls: how late a 10 ms sleep wakes up (only with --debug-stats)."""

    def __init__(self, interval: float = 0.01):
        self.interval = interval
        self.max_stall = 0.0
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self._run(), name="nnp-loop-monitor")

    async def _run(self) -> None:
        while True:
            start = time.perf_counter()
            await asyncio.sleep(self.interval)
            self.max_stall = max(self.max_stall, time.perf_counter() - start - self.interval)


def rss_bytes() -> int:
    """This process's resident memory (0 where /proc is missing)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@router.get("/healthz")
async def healthz(request: Request):
    return {"ok": True, "protocol": PROTOCOL_VERSION, "sessions": len(request.app.state.registry)}


@debug_router.get("/debug/stats")
async def debug_stats(request: Request, reset: int = 0):
    state = request.app.state
    registry, monitor, scheduler = state.registry, state.monitor, state.scheduler
    sessions = registry.sessions()
    result = {
        "max_stall_ms": round(monitor.max_stall * 1000, 2), "rss_bytes": rss_bytes(),
        "threads": threading.active_count(), "tasks": len(asyncio.all_tasks()),
        "sessions": len(sessions), "attached": sum(1 for s in sessions if s.subscribers),
        "runners": sum(1 for s in sessions if scheduler.busy(s)), "turns": scheduler.turns,
        "playing": sum(1 for s in sessions if s.state == "playing"),
        "pages": sum(len(s.subscribers) for s in sessions),
        "epochs": round(registry.stats.epochs, 1), "frames": registry.stats.frames,
        "refused": registry.stats.refused, "engine_busy_seconds": round(scheduler.busy_seconds, 3),
        "cpu_seconds": round(sum(os.times()[:2]), 3), "time": time.monotonic(),
    }
    if reset:
        monitor.max_stall = 0.0
    return result
