"""End-to-end server benchmark: a real `nnplayground` in a subprocess, N cheap websocket clients on loopback.

    python benchmarks/server.py                 # 1 client, 100 clients, then one heavy page + 20 default pages
    python benchmarks/server.py --clients 50 --seconds 5 --beside-heavy 0
    python benchmarks/server.py --processes 2   # 100 clients on one process, then on 2 processes sharing a Redis

Every client trains the standard case (spiral, 500 points, 2→8→8→1 tanh, mse, sgd lr 0.03, batch 10) as fast as
the server goes and only counts what it receives. Each client also changes the learning rate now and then and
times how long until the first frame after the server's `config` reply arrives (control-change-to-frame latency).
Epochs are counted by the clients, from the counters of the frames they receive. The server is started with
--debug-stats, which reports its largest event-loop stall; the table also shows the server's memory and CPU (cores
busy) and its CPU milliseconds per frame sent, which depend less on what else the machine is doing than frames per
second do. Memory and CPU are those of the server's whole process tree, read from /proc.

The fairness row runs 20 such clients, first alone, then beside one page training the heaviest network the limits
allow (HEAVY: 4 hidden layers, ~183,000 parameters, 2,000 points, batch 1, every feature, 128² and 64² maps, as fast
as it goes), and compares their frames per second in the same run; it also times how long the heavy page waits for
the answer to its pause (five pauses) and counts its own frames.

Targets on a 2-core machine: 1 client ≥ 30 frames/s while training, p95 ≤ 50 ms; 100 clients ≥ 10 (goal 20)
frames/s each, p95 ≤ 100 ms, no stall over 200 ms, memory ≤ 1 GB; beside the heavy page the 20 pages keep ≥ 80 %
of their frames per second and its pause is answered within 100 ms. The last line reads
`1 client: <fps> fps <eps> epochs/s p95 <ms> ms; 100 clients: <fps> fps p95 <ms> ms; beside a heavy page: <kept> %`,
where the 100 clients' fps is the slowest client's (the target is per client; the table shows the mean too).

With --processes N (N > 1) the run compares instead: the 100 clients on one plain process, then on
`--processes N --redis URL` with a throw-away redis-server of this benchmark's own (no persistence, a free loopback
port; a few lines of its own here, as benchmarks do not import from tests/), and prints both rows, with the CPU of
that Redis and of the clients themselves (they share the cores). /debug/stats answers from whichever process takes
the request, so nothing in this mode is read from it. Targets with 2 processes on a 2-core machine: per client
≥ 20 frames/s and ≥ 60 epochs/s, and ≥ 1.6× the total epochs/s of one process. The last line reads
`1 process: <fps> fps <eps> epochs/s; N processes: <fps> fps <eps> epochs/s (<x>x)`: the slowest client's frames/s
and epochs/s, and the ratio of the total epochs/s.
"""
import argparse
import asyncio
import collections
import contextlib
import json
import math
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import redis
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
    said = collections.deque(maxlen=20)
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the server did not start:\n" + "".join(said))
        said.append(line)
        found = re.search(r"running at (http://\S+)", line)
        if found:
            return proc, found.group(1).rstrip("/")
    raise SystemExit("the server did not start in time")


@dataclass
class Served:
    """A server of this benchmark: its process (the parent of any workers), address, and the Redis it shares."""
    proc: subprocess.Popen
    base: str
    processes: int = 1
    redis_pid: int | None = None


def launch(extra: list[str], processes: int = 1, redis_pid: int | None = None) -> Served:
    """start_server, then its later output drained in the background (a full pipe would block it) and /healthz
    answering (with several processes the first line may come before every worker listens)."""
    proc, base = start_server(extra)
    threading.Thread(target=collections.deque, args=(proc.stdout, 0), daemon=True).start()   # read, dropped
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5):
                return Served(proc, base, processes, redis_pid)
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("the server printed its address but does not answer /healthz") from None
            time.sleep(0.1)


def stop(server: Served) -> float:
    """Ctrl-C the server; the seconds until it exited. Processes of its tree still alive then are killed."""
    family = process_tree(server.proc.pid)[1:]
    stopping = time.perf_counter()
    server.proc.send_signal(signal.SIGINT)
    try:
        server.proc.wait(10)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()
    shutdown = time.perf_counter() - stopping
    for pid in family:
        with contextlib.suppress(OSError):
            if proc_stat(pid)[0] != "Z":
                os.kill(pid, signal.SIGKILL)
                print(f"process {pid} of the server was still running after it exited: killed", file=sys.stderr)
    return shutdown


def proc_stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name: [0] state, [1] ppid, [11] utime, [12] stime,
    [21] rss (pages)."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def process_tree(pid: int) -> list[int]:
    """pid and every process below it, found by scanning /proc for parent ids."""
    children = collections.defaultdict(list)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                children[int(proc_stat(int(entry.name))[1])].append(int(entry.name))
    tree, todo = [], [pid]
    while todo:
        tree.append(todo.pop())
        todo.extend(children[tree[-1]])
    return tree


def cpu_and_rss(pids: list[int]) -> tuple[float, int]:
    """CPU seconds (user + system) and resident bytes of these processes, summed (those gone count 0)."""
    cpu, rss = 0.0, 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = proc_stat(pid)
            cpu += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            rss += int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
    return cpu, rss


@contextlib.contextmanager
def redis_server():
    """A throw-away redis-server on a free loopback port (no persistence, a temporary directory); yields its URL and
    process id once it answers PING."""
    if shutil.which("redis-server") is None:
        raise SystemExit("--processes needs redis-server: run `bash .ci/ensure-system`")
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", directory,
                                 "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes"],
                                stdout=subprocess.DEVNULL)
        try:
            client, deadline = redis.Redis(port=port, socket_timeout=1), time.monotonic() + 15
            while True:
                try:
                    client.ping()
                    break
                except redis.RedisError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise SystemExit(f"redis-server on port {port} did not answer PING") from None
                    time.sleep(0.05)
            client.close()
            yield f"redis://127.0.0.1:{port}/0", proc.pid
        finally:
            proc.terminate()
            proc.wait(10)


def stats(base: str, reset: bool = False) -> dict:
    with urllib.request.urlopen(f"{base}/debug/stats?reset={int(reset)}", timeout=10) as response:
        return json.loads(response.read())


class Counter:
    """One cheap client: counts frames, times learning-rate changes, keeps the newest frame (unparsed, for its
    epoch)."""

    def __init__(self, base: str, settings: dict = STANDARD):
        self.base, self.settings = base, settings
        self.frames = 0
        self.paused_at: float | None = None
        self.latencies: list[float] = []
        self.sent_at: float | None = None
        self.awaiting_frame = False
        self.last_frame: str | None = None
        self.ws = None
        self.counting = False

    def epoch(self) -> int:
        return json.loads(self.last_frame)["counters"]["epoch"] if self.last_frame else 0

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
                    self.last_frame = message
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


async def phase(server: Served, n: int, seconds: float, change_every: float) -> dict:
    """n clients training STANDARD at full speed; what they received, and the CPU and memory of the server's
    process tree meanwhile (and the CPU of its Redis and of these clients, which share the machine). The largest
    event-loop stall only with one process."""
    base = server.base
    clients = [Counter(base) for _ in range(n)]
    for i in range(0, n, 20):
        await asyncio.gather(*(c.open() for c in clients[i:i + 20]))
    readers = [asyncio.create_task(c.read()) for c in clients]
    await asyncio.sleep(1.5)                                   # everyone is training
    if server.processes == 1:
        await asyncio.to_thread(stats, base, True)
    cpu_before = cpu_and_rss(process_tree(server.proc.pid))[0]
    redis_before = cpu_and_rss([server.redis_pid] if server.redis_pid else [])[0]
    own_before = time.process_time()
    first_epochs = [c.epoch() for c in clients]
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
    epochs = [(c.epoch() - first) / elapsed for c, first in zip(clients, first_epochs)]
    cpu_after, rss = cpu_and_rss(process_tree(server.proc.pid))
    redis_cpu = cpu_and_rss([server.redis_pid] if server.redis_pid else [])[0] - redis_before
    own_cpu = time.process_time() - own_before
    stall = (await asyncio.to_thread(stats, base))["max_stall_ms"] if server.processes == 1 else None
    for task in changers:
        task.cancel()
    await asyncio.gather(*(c.ws.close() for c in clients), return_exceptions=True)
    for task in readers:
        task.cancel()
    fps = [c.frames / elapsed for c in clients]
    latencies = sorted(x * 1000 for c in clients for x in c.latencies)
    cpu = cpu_after - cpu_before
    return {
        "clients": n, "processes": server.processes, "fps_mean": statistics.mean(fps), "fps_min": min(fps),
        "epochs_per_s": sum(epochs), "eps_mean": statistics.mean(epochs), "eps_min": min(epochs),
        "p50": percentile(latencies, 50), "p95": percentile(latencies, 95), "changes": len(latencies),
        "stall_ms": stall, "rss_mb": rss / 2**20, "server_cpu": cpu / elapsed,
        "redis_cpu": redis_cpu / elapsed if server.redis_pid else None, "clients_cpu": own_cpu / elapsed,
        "cpu_ms_per_frame": 1000 * cpu / max(1, sum(c.frames for c in clients)),
    }


async def beside_heavy(base: str, n: int, seconds: float) -> dict:
    """n standard clients' frames per second alone, then beside one page training HEAVY; the heavy page's frames
    per second and how long its pauses wait for their answer."""
    clients = [Counter(base) for _ in range(n)]
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
    heavy = Counter(base, settings=HEAVY)
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


def single(args: argparse.Namespace, extra: list[str]) -> None:
    """One process: 1 client, the many clients, and the fairness row."""
    server = launch(extra)
    try:
        one = asyncio.run(phase(server, 1, args.seconds, change_every=0.25))
        many = asyncio.run(phase(server, args.clients, args.seconds, change_every=1.0))
        fair = asyncio.run(beside_heavy(server.base, args.beside_heavy, args.seconds)) if args.beside_heavy else None
    finally:
        shutdown = stop(server)
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


def compare(args: argparse.Namespace, extra: list[str]) -> None:
    """The many clients on one plain process, then on args.processes processes sharing a Redis of our own."""
    rows, shutdowns = [], []
    server = launch(extra)
    try:
        rows.append(asyncio.run(phase(server, args.clients, args.seconds, change_every=1.0)))
    finally:
        shutdowns.append(stop(server))
    with redis_server() as (url, redis_pid):
        server = launch(extra + ["--processes", str(args.processes), "--redis", url], args.processes, redis_pid)
        try:
            rows.append(asyncio.run(phase(server, args.clients, args.seconds, change_every=1.0)))
        finally:
            shutdowns.append(stop(server))
    print(f"{args.clients} clients at full speed")
    print(f"{'processes':>9} {'fps/client':>11} {'min fps':>8} {'epochs/s/client':>16} {'min':>6} "
          f"{'epochs/s total':>15} {'p95 ms':>7} {'RSS MB':>7} {'CPU':>5} {'ms/frame':>9} {'Redis CPU':>10} "
          f"{'clients CPU':>12} {'stop s':>7}")
    for r, shutdown in zip(rows, shutdowns):
        redis_cpu = "-" if r["redis_cpu"] is None else f"{r['redis_cpu']:.2f}"
        print(f"{r['processes']:>9} {r['fps_mean']:>11.1f} {r['fps_min']:>8.1f} {r['eps_mean']:>16.1f} "
              f"{r['eps_min']:>6.1f} {r['epochs_per_s']:>15.0f} {r['p95']:>7.1f} {r['rss_mb']:>7.0f} "
              f"{r['server_cpu']:>5.2f} {r['cpu_ms_per_frame']:>9.2f} {redis_cpu:>10} {r['clients_cpu']:>12.2f} "
              f"{shutdown:>7.2f}")
    one, many = rows
    print(f"1 process: {one['fps_min']:.1f} fps {one['eps_min']:.0f} epochs/s; {many['processes']} processes: "
          f"{many['fps_min']:.1f} fps {many['eps_min']:.0f} epochs/s "
          f"({many['epochs_per_s'] / one['epochs_per_s']:.2f}x)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--clients", type=int, default=100)
    p.add_argument("--seconds", type=float, default=8.0)
    p.add_argument("--workers", type=int, default=None, help="server engine threads (default: one per CPU)")
    p.add_argument("--beside-heavy", type=int, default=20, help="clients of the fairness row (0: no such row)")
    p.add_argument("--processes", type=int, default=1,
                   help="above 1: compare the clients on one process with this many sharing a Redis")
    args = p.parse_args()
    extra = ["--workers", str(args.workers)] if args.workers else []
    (compare if args.processes > 1 else single)(args, extra)


if __name__ == "__main__":
    main()
