"""End-to-end server benchmark: a real `nnplayground` in a subprocess, N cheap websocket clients on loopback.

    python benchmarks/server.py                 # 1 client, 100 clients, then one heavy page + 20 default pages
    python benchmarks/server.py --clients 50 --seconds 5 --beside-heavy 0

Every client trains the standard case (spiral, 500 points, 2→8→8→1 tanh, mse, sgd lr 0.03, batch 10) as fast as
the server goes and only counts what it receives. Each client also changes the learning rate now and then and
times how long until the first frame after the server's `config` reply arrives (control-change-to-frame latency).
The server is started with --debug-stats, which reports its largest event-loop stall and its memory; the table also
shows the server's CPU (cores busy) and its CPU milliseconds per frame sent, which depend less on what else the
machine is doing than frames per second do.

The fairness row runs 20 such clients, first alone, then beside one page training the heaviest network the limits
allow (HEAVY: 4 hidden layers, ~183,000 parameters, 2,000 points, batch 1, every feature, 128² and 64² maps, as fast
as it goes), and compares their frames per second in the same run; it also times how long the heavy page waits for
the answer to its pause (five pauses) and counts its own frames.

Targets on a 2-core machine: 1 client ≥ 30 frames/s while training, p95 ≤ 50 ms; 100 clients ≥ 10 (goal 20)
frames/s each, p95 ≤ 100 ms, no stall over 200 ms, memory ≤ 1 GB; beside the heavy page the 20 pages keep ≥ 80 %
of their frames per second and its pause is answered within 100 ms. The last line reads
`1 client: <fps> fps <eps> epochs/s p95 <ms> ms; 100 clients: <fps> fps p95 <ms> ms; beside a heavy page: <kept> %`,
where the 100 clients' fps is the slowest client's (the target is per client; the table shows the mean too).
"""
import argparse
import asyncio
import json
import math
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
STANDARD = {"dataset": "spiral", "n_points": 500, "hidden": [8, 8], "activation": "tanh", "loss": "mse",
            "output_activation": None, "optimizer": "sgd", "learning_rate": 0.03, "batch_size": 10}
HEAVY = {"dataset": "spiral", "n_points": 2000, "hidden": [256, 256, 256, 190], "batch_size": 1,
         "features": ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"], "grid_size": 128, "unit_size": 64}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(extra: list[str]) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "nnplayground", "--no-browser", "--debug-stats", "--port",
                             str(free_port()), "--max-sessions", "500", *extra], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the server did not start")
        found = re.search(r"running at (http://\S+)", line)
        if found:
            return proc, found.group(1).rstrip("/")
    raise SystemExit("the server did not start in time")


def stats(base: str, reset: bool = False) -> dict:
    with urllib.request.urlopen(f"{base}/debug/stats?reset={int(reset)}", timeout=10) as response:
        return json.loads(response.read())


class Counter:
    """One cheap client: counts frames, times learning-rate changes, remembers the newest epoch."""

    def __init__(self, base: str, track_epochs: bool, settings: dict = STANDARD):
        self.base, self.track_epochs, self.settings = base, track_epochs, settings
        self.frames = 0
        self.paused_at: float | None = None
        self.latencies: list[float] = []
        self.sent_at: float | None = None
        self.awaiting_frame = False
        self.epoch = 0
        self.ws = None
        self.counting = False

    async def open(self) -> None:
        url = self.base.replace("http://", "ws://") + "/ws"
        self.ws = await websockets.connect(url, origin=self.base, max_size=2**23, compression=None)
        await self.ws.send(json.dumps({"type": "configure", "settings": self.settings}))
        await self.ws.send(json.dumps({"type": "speed", "epochs_per_frame": 0}))
        await self.ws.send(json.dumps({"type": "control", "action": "play"}))

    async def read(self) -> None:
        try:
            async for message in self.ws:
                if isinstance(message, bytes):
                    continue
                if message.startswith('{"type":"frame"'):
                    if self.counting:
                        self.frames += 1
                    if self.awaiting_frame:
                        self.latencies.append(time.perf_counter() - self.sent_at)
                        self.awaiting_frame = False
                    if self.track_epochs:
                        self.epoch = json.loads(message)["counters"]["epoch"]
                elif message.startswith('{"type":"config"') and self.sent_at is not None:
                    self.awaiting_frame = True
                elif message.startswith('{"type":"status","state":"paused"'):
                    self.paused_at = time.perf_counter()
        except websockets.ConnectionClosed:
            pass

    async def change(self, rate: float) -> None:
        if self.awaiting_frame:
            return
        self.sent_at = time.perf_counter()
        self.awaiting_frame = False
        await self.ws.send(json.dumps({"type": "configure", "settings": {"learning_rate": rate}}))


async def phase(base: str, n: int, seconds: float, change_every: float) -> dict:
    clients = [Counter(base, track_epochs=n == 1) for _ in range(n)]
    for i in range(0, n, 20):
        await asyncio.gather(*(c.open() for c in clients[i:i + 20]))
    readers = [asyncio.create_task(c.read()) for c in clients]
    await asyncio.sleep(1.5)                                   # everyone is training
    before = await asyncio.to_thread(stats, base, True)
    first_epoch = clients[0].epoch
    for c in clients:
        c.counting = True
    started = time.perf_counter()

    async def changes(client: Counter, offset: float):
        await asyncio.sleep(offset)
        k = 0
        while time.perf_counter() - started < seconds - 0.3:
            k += 1
            await client.change(0.03 + 0.001 * (k % 2))
            await asyncio.sleep(change_every)
    changers = [asyncio.create_task(changes(c, change_every * i / n)) for i, c in enumerate(clients)]
    await asyncio.sleep(seconds)
    elapsed = time.perf_counter() - started
    for c in clients:
        c.counting = False
    after = await asyncio.to_thread(stats, base)
    for task in changers:
        task.cancel()
    await asyncio.gather(*(c.ws.close() for c in clients), return_exceptions=True)
    for task in readers:
        task.cancel()
    fps = [c.frames / elapsed for c in clients]
    latencies = sorted(x * 1000 for c in clients for x in c.latencies)
    cpu = after["cpu_seconds"] - before["cpu_seconds"]
    return {
        "clients": n, "fps_mean": statistics.mean(fps), "fps_min": min(fps),
        "epochs_per_s": (after["epochs"] - before["epochs"]) / elapsed,
        "epochs_per_s_client0": (clients[0].epoch - first_epoch) / elapsed if n == 1 else None,
        "p50": percentile(latencies, 50), "p95": percentile(latencies, 95), "changes": len(latencies),
        "stall_ms": after["max_stall_ms"], "rss_mb": after["rss_bytes"] / 2**20,
        "server_cpu": cpu / elapsed,
        "cpu_ms_per_frame": 1000 * cpu / max(1, sum(c.frames for c in clients)),
    }


async def beside_heavy(base: str, n: int, seconds: float) -> dict:
    """n standard clients' frames per second alone, then beside one page training HEAVY; the heavy page's frames
    per second and how long its pauses wait for their answer."""
    clients = [Counter(base, track_epochs=False) for _ in range(n)]
    for i in range(0, n, 20):
        await asyncio.gather(*(c.open() for c in clients[i:i + 20]))
    readers = [asyncio.create_task(c.read()) for c in clients]

    async def fps(pages: list[Counter]) -> list[float]:
        for c in pages:
            c.frames, c.counting = 0, True
        started = time.perf_counter()
        await asyncio.sleep(seconds)
        elapsed = time.perf_counter() - started
        for c in pages:
            c.counting = False
        return [c.frames / elapsed for c in pages]

    await asyncio.sleep(1.5)
    alone = await fps(clients)
    heavy = Counter(base, track_epochs=False, settings=HEAVY)
    await heavy.open()
    readers.append(asyncio.create_task(heavy.read()))
    await asyncio.sleep(3.0)                                   # its network is built and training
    *beside, heavy_fps = await fps(clients + [heavy])
    pauses = []
    for _ in range(5):
        heavy.paused_at, sent = None, time.perf_counter()
        await heavy.ws.send(json.dumps({"type": "control", "action": "pause"}))
        while heavy.paused_at is None and time.perf_counter() - sent < 10:
            await asyncio.sleep(0.001)
        pauses.append(1000 * ((heavy.paused_at or math.inf) - sent))
        await heavy.ws.send(json.dumps({"type": "control", "action": "play"}))
        await asyncio.sleep(0.7)
    await asyncio.gather(*(c.ws.close() for c in clients + [heavy]), return_exceptions=True)
    for task in readers:
        task.cancel()
    return {"clients": n, "alone": statistics.mean(alone), "beside": statistics.mean(beside),
            "beside_min": min(beside), "heavy_fps": heavy_fps, "pause_median": statistics.median(pauses),
            "pause_max": max(pauses)}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))
    return values[k]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--clients", type=int, default=100)
    p.add_argument("--seconds", type=float, default=8.0)
    p.add_argument("--workers", type=int, default=None, help="server engine threads (default: one per CPU)")
    p.add_argument("--beside-heavy", type=int, default=20, help="clients of the fairness row (0: no such row)")
    args = p.parse_args()
    extra = ["--workers", str(args.workers)] if args.workers else []
    proc, base = start_server(extra)
    try:
        one = asyncio.run(phase(base, 1, args.seconds, change_every=0.25))
        many = asyncio.run(phase(base, args.clients, args.seconds, change_every=1.0))
        fair = asyncio.run(beside_heavy(base, args.beside_heavy, args.seconds)) if args.beside_heavy else None
    finally:
        stopping = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutdown = time.perf_counter() - stopping
    print(f"{'clients':>8} {'fps/client':>11} {'min fps':>8} {'epochs/s':>10} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'changes':>8} {'stall ms':>9} {'RSS MB':>7} {'CPU':>5} {'ms/frame':>9}")
    for r in (one, many):
        print(f"{r['clients']:>8} {r['fps_mean']:>11.1f} {r['fps_min']:>8.1f} {r['epochs_per_s']:>10.0f} "
              f"{r['p50']:>7.1f} {r['p95']:>7.1f} {r['changes']:>8} {r['stall_ms']:>9.1f} {r['rss_mb']:>7.0f} "
              f"{r['server_cpu']:>5.2f} {r['cpu_ms_per_frame']:>9.2f}")
    last = ""
    if fair:
        kept = 100 * fair["beside"] / fair["alone"]
        print(f"\none heavy page + {fair['clients']} default pages")
        print(f"{'fps/client alone':>17} {'beside heavy':>13} {'min':>6} {'kept':>6} {'heavy fps':>10} "
              f"{'heavy pause ms (median, max)':>29}")
        print(f"{fair['alone']:>17.1f} {fair['beside']:>13.1f} {fair['beside_min']:>6.1f} {kept:>5.0f}% "
              f"{fair['heavy_fps']:>10.1f} {fair['pause_median']:>18.0f}, {fair['pause_max']:.0f}")
        last = f"; beside a heavy page: {kept:.0f} %"
    print(f"server shutdown after Ctrl-C: {shutdown:.2f} s")
    print(f"1 client: {one['fps_mean']:.1f} fps {one['epochs_per_s']:.0f} epochs/s p95 {one['p95']:.0f} ms; "
          f"{many['clients']} clients: {many['fps_min']:.1f} fps p95 {many['p95']:.0f} ms{last}")


if __name__ == "__main__":
    main()
