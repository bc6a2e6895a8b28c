"""Classroom benchmark: a real `nnplayground --class` in a subprocess, one teacher and N students on loopback.

    python benchmarks/classroom.py                     # 1 teacher, 100 students, 5 s per phase
    python benchmarks/classroom.py --students 30 --seconds 8

The clients speak docs/classroom.md as the pages do. The teacher opens the class socket (`/ws/class?key=KEY`) and its
own playground (`/ws/class/view?resume=KEY`), picks follow, sets the standard case of benchmarks/server.py (spiral,
500 points, 2→8→8→1 tanh, mse, sgd lr 0.03, batch 10) at full speed (`speed` epochs_per_frame 0) and plays. Each
student joins on `/ws/class` (`{"type": "join", "name": "s17"}`, answered by `seat`) and opens
`/ws/class/view?resume=SEAT`.

Follow: every student's view shows the teacher's session. Measured: each follower's frames per second over
--seconds, and the teacher-change-to-follower-frame latency — the teacher changes the learning rate every 0.5 s; for
each change and follower, the time from the teacher sending it until that follower's first `frame` after its own
`config` carrying the new rate (p95 over all followers and changes). Once, it checks that two followers received
byte-identical binary frames for the same seq.

Explore: the teacher picks explore; the server closes every student's view with 4000 and each reconnects at once to
`/ws/class/view?resume=SEAT`, now its own session forked from the teacher's, sends `speed` 0 and `control` play (it
never sends a configuration of its own, as the page) and counts its frames per second. The explore row's p95 is the
time from the teacher's phase message to a student's first frame of its own session. Meanwhile the teacher's class
socket counts `dashboard` messages per second.

The table also shows the server's CPU (cores busy), largest event-loop stall and memory from --debug-stats, and
anything that went wrong is listed below it (`error` messages, unexpected close codes, view modes, the server's log).

Targets on a 2-core machine: followers ≥ 20 frames/s each with p95 ≤ 150 ms; exploring students ≥ 10 frames/s
each; dashboard ≥ 2 a second. The last line reads
`follow: <fps> fps p95 <ms> ms; explore: <fps> fps; dashboard: <hz> Hz`, where each fps is the slowest student's
(the targets are per student; the table shows the mean too) and the dashboard rate is the one during explore.
"""
import argparse
import asyncio
import json
import secrets
import signal
import statistics
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.server import STANDARD, percentile, start_server, stats  # noqa: E402

CHANGE_EVERY = 0.5          # seconds between the teacher's learning-rate changes
WARM_UP = 1.5               # seconds of training before a window is counted
BATCH = 20                  # students opening their sockets at once
TIMEOUT = 30.0              # seconds to wait for an answer before giving up on it
PROBLEMS: Counter = Counter()   # what went wrong, with how often


def problem(what: str) -> None:
    PROBLEMS[what] += 1


class Link:
    """Where the class server listens (from the URL it printed) and how a socket reaches it."""

    def __init__(self, url: str, key: str):
        parts = urlsplit(url)
        self.base, self.key = f"{parts.scheme}://{parts.netloc}", key
        self.join = parse_qs(parts.query).get("join", [None])[0]

    async def connect(self, path: str, **query):
        query = {**query, "join": self.join} if self.join else query
        url = self.base.replace("http://", "ws://") + path + (f"?{urlencode(query)}" if query else "")
        return await websockets.connect(url, origin=self.base, max_size=2**23, compression=None,
                                        open_timeout=TIMEOUT)


async def wait_until(done, timeout: float = TIMEOUT) -> bool:
    deadline = time.perf_counter() + timeout
    while not done() and time.perf_counter() < deadline:
        await asyncio.sleep(0.02)
    return done()


async def read_class(ws, who: str, on_message=None) -> None:
    """Read a class socket to its end, noting refusals and an unexpected close."""
    try:
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") == "error":
                problem(f"{who} class socket: error {message.get('code')}: {message.get('message')}")
            elif on_message:
                on_message(message)
    except websockets.ConnectionClosed:
        pass
    if ws.close_code not in (1000, None):
        problem(f"{who} class socket closed with {ws.close_code} {ws.close_reason!r}")


class Teacher:
    """Drives the class: its class socket counts dashboards, its view socket plays and changes the learning rate."""

    def __init__(self, link: Link):
        self.link = link
        self.sent: dict[float, float] = {}      # learning rate → when the change to it was sent
        self.rate = None                        # the learning rate of the newest config on its view
        self.dashboards, self.counting = 0, False
        self.tasks: list[asyncio.Task] = []

    async def open(self) -> None:
        self.cls = await self.link.connect("/ws/class", key=self.link.key)
        self.view = await self.link.connect("/ws/class/view", resume=self.link.key)
        self.tasks = [asyncio.create_task(read_class(self.cls, "teacher", self.on_class)),
                      asyncio.create_task(self.read_view())]
        await self.phase("follow")
        for message in ({"type": "configure", "settings": STANDARD}, {"type": "speed", "epochs_per_frame": 0},
                        {"type": "control", "action": "play"}):
            await self.view.send(json.dumps(message))
        if not await wait_until(lambda: self.rate == STANDARD["learning_rate"]):
            raise SystemExit("the teacher's view never confirmed the standard case")

    def on_class(self, message: dict) -> None:
        if message.get("type") == "dashboard" and self.counting:
            self.dashboards += 1

    async def read_view(self) -> None:
        try:
            async for message in self.view:
                if isinstance(message, str) and message.startswith('{"type":"config"'):
                    self.rate = json.loads(message)["config"]["learning_rate"]
                elif isinstance(message, str) and message.startswith('{"type":"error"'):
                    problem(f"teacher view: {message[:200]}")
        except websockets.ConnectionClosed:
            pass
        if self.view.close_code not in (1000, None):
            problem(f"teacher view closed with {self.view.close_code} {self.view.close_reason!r}")

    async def phase(self, name: str) -> None:
        await self.cls.send(json.dumps({"type": "phase", "phase": name}))

    async def set_rate(self, rate: float) -> None:
        await self.view.send(json.dumps({"type": "configure", "settings": {"learning_rate": rate}}))

    async def change_rates(self, seconds: float) -> None:
        """A new learning rate every CHANGE_EVERY seconds, each different, for the window's length."""
        started, k = time.perf_counter(), 0
        while time.perf_counter() - started < seconds - CHANGE_EVERY:
            k += 1
            rate = round(STANDARD["learning_rate"] + 0.0005 * k, 6)
            self.sent[rate] = time.perf_counter()
            await self.set_rate(rate)
            await asyncio.sleep(CHANGE_EVERY)

    async def close(self) -> None:
        await asyncio.gather(self.cls.close(), self.view.close(), return_exceptions=True)
        for task in self.tasks:
            task.cancel()


class Student:
    """One cheap class page: joins, watches its view, follows the class from one session to the next (4000)."""

    def __init__(self, link: Link, teacher: Teacher, name: str, keep_binaries: bool = False):
        self.link, self.teacher, self.name = link, teacher, name
        self.seat = None
        self.modes: list[str] = []              # the view mode of every welcome, in order
        self.welcomed = asyncio.Event()
        self.frames, self.counting, self.stopping = 0, False, False
        self.awaiting: list[float] = []         # changes whose config came, waiting for the next frame
        self.seen: set[float] = set()
        self.latencies: list[float] = []
        self.binaries: dict[int, bytes] | None = {} if keep_binaries else None
        self.explore_rate = None                # the learning rate of the first config of its own session
        self.moved_at: float | None = None      # its first frame of its own session
        self.tasks: list[asyncio.Task] = []

    @property
    def mode(self) -> str | None:
        return self.modes[-1] if self.modes else None

    async def open(self) -> None:
        self.cls = await self.link.connect("/ws/class")
        await self.cls.send(json.dumps({"type": "join", "name": self.name}))
        while self.seat is None:
            message = json.loads(await asyncio.wait_for(self.cls.recv(), TIMEOUT))
            if message.get("type") == "seat":
                self.seat = message["seat"]
            elif message.get("type") == "error":
                raise SystemExit(f"{self.name} could not join: {message}")
        self.tasks = [asyncio.create_task(read_class(self.cls, "student")), asyncio.create_task(self.run_view())]
        await asyncio.wait_for(self.welcomed.wait(), TIMEOUT)

    async def run_view(self) -> None:
        """The view socket, opened again at once whenever the server closes it with 4000."""
        while not self.stopping:
            self.view = await self.link.connect("/ws/class/view", resume=self.seat)
            try:
                async for message in self.view:
                    await self.receive(message)
            except websockets.ConnectionClosed:
                pass
            code = self.view.close_code
            if code != 4000 and not self.stopping:
                problem(f"student view closed with {code} {self.view.close_reason!r}")
            if code != 4000:
                return

    async def receive(self, message) -> None:
        if isinstance(message, bytes):
            if self.binaries is not None and self.counting:
                self.binaries[struct.unpack_from("<I", message, 4)[0]] = message
        elif message.startswith('{"type":"frame"'):
            self.on_frame(time.perf_counter())
        elif message.startswith('{"type":"config"'):
            self.on_config(json.loads(message)["config"]["learning_rate"])
        elif message.startswith('{"type":"welcome"'):
            self.modes.append(json.loads(message).get("view", {}).get("mode"))
            self.welcomed.set()
            if self.mode == "explore":
                await self.view.send(json.dumps({"type": "speed", "epochs_per_frame": 0}))
                await self.view.send(json.dumps({"type": "control", "action": "play"}))
        elif message.startswith('{"type":"error"'):
            problem(f"student view ({self.mode}): {message[:200]}")

    def on_frame(self, now: float) -> None:
        if self.counting:
            self.frames += 1
        self.latencies += [now - sent for sent in self.awaiting]
        self.awaiting.clear()
        if self.mode == "explore" and self.moved_at is None:
            self.moved_at = now

    def on_config(self, rate: float) -> None:
        if self.mode == "explore" and self.explore_rate is None:
            self.explore_rate = rate
        rate = round(rate, 6)
        sent = self.teacher.sent.get(rate)
        if self.mode == "follow" and sent is not None and rate not in self.seen:
            self.seen.add(rate)
            self.awaiting.append(sent)

    async def close(self) -> None:
        self.stopping = True
        sockets = (self.cls, getattr(self, "view", None))
        await asyncio.gather(*(ws.close() for ws in sockets if ws), return_exceptions=True)
        for task in self.tasks:
            task.cancel()


def server_stats(base: str, reset: bool = False) -> dict | None:
    try:
        return stats(base, reset)
    except Exception as error:                  # the numbers are extra: note it and measure on
        problem(f"GET /debug/stats: {error!r}")
        return None


async def window(link: Link, teacher: Teacher, students: list[Student], seconds: float, during=None) -> dict:
    """Count every student's frames and the teacher's dashboards for `seconds`, with the server's CPU."""
    before = await asyncio.to_thread(server_stats, link.base, True)
    for s in students:
        s.frames, s.counting = 0, True
    teacher.dashboards, teacher.counting = 0, True
    started = time.perf_counter()
    task = asyncio.create_task(during) if during else None
    await asyncio.sleep(seconds)
    elapsed = time.perf_counter() - started
    for s in [*students, teacher]:
        s.counting = False
    after = await asyncio.to_thread(server_stats, link.base)
    if task:
        await task
    fps = [s.frames / elapsed for s in students]
    row = {"clients": len(students), "fps_mean": statistics.mean(fps), "fps_min": min(fps),
           "dashboard_hz": teacher.dashboards / elapsed, "cpu": None, "stall_ms": None, "rss_mb": None}
    if before and after:
        row.update(cpu=(after["cpu_seconds"] - before["cpu_seconds"]) / elapsed, stall_ms=after["max_stall_ms"],
                   rss_mb=after["rss_bytes"] / 2**20)
    return row


def identical_frames(a: Student, b: Student) -> str:
    """Whether two followers received the same bytes for the same seq (the newest seq both have)."""
    common = sorted(set(a.binaries) & set(b.binaries))
    if not common:
        return "two followers received no binary frame of the same seq"
    same = sum(a.binaries[seq] == b.binaries[seq] for seq in common)
    newest = common[-1]
    verdict = "byte-identical" if a.binaries[newest] == b.binaries[newest] else "DIFFERENT"
    if same < len(common):
        problem(f"followers' binary frames differ for {len(common) - same} of {len(common)} common seqs")
    return (f"two followers, binary frame seq {newest} ({len(a.binaries[newest])} bytes): {verdict}; "
            f"{same} of {len(common)} seqs both received are identical")


async def follow(link: Link, teacher: Teacher, students: list[Student], seconds: float) -> dict:
    modes = Counter(s.mode for s in students)
    if modes["follow"] != len(students):
        problem(f"views on joining: {dict(modes)} (all should be follow)")
    await asyncio.sleep(WARM_UP)
    row = await window(link, teacher, students, seconds, teacher.change_rates(seconds))
    await asyncio.sleep(1.0)                    # the last change's frames arrive
    latencies = sorted(1000 * x for s in students for x in s.latencies)
    expected = len(teacher.sent) * len(students)
    if len(latencies) < expected:
        problem(f"follow: {expected - len(latencies)} of {expected} (change, follower) pairs never saw the new "
                f"rate's config followed by a frame")
    row.update(scenario="follow", p50=percentile(latencies, 50), p95=percentile(latencies, 95),
               note=f"{len(teacher.sent)} changes × {len(students)} followers: {len(latencies)} timed; "
                    + identical_frames(students[0], students[1]))
    return row


async def explore(link: Link, teacher: Teacher, students: list[Student], seconds: float) -> dict:
    await teacher.set_rate(STANDARD["learning_rate"])       # the forks start from the standard case
    await wait_until(lambda: teacher.rate == STANDARD["learning_rate"])
    started = time.perf_counter()
    await teacher.phase("explore")
    moved = await wait_until(lambda: all(s.moved_at for s in students))
    if not moved:
        stuck = Counter(s.mode for s in students if s.moved_at is None)
        problem(f"explore: {sum(stuck.values())} students had no frame of their own session after {TIMEOUT:.0f} s "
                f"(their view modes: {dict(stuck)})")
    forks = sum(s.explore_rate == STANDARD["learning_rate"] for s in students)
    if forks < len(students):
        problem(f"explore: only {forks} of {len(students)} forks carried the teacher's learning rate")
    times = sorted(1000 * (s.moved_at - started) for s in students if s.moved_at)
    await asyncio.sleep(WARM_UP)
    row = await window(link, teacher, students, seconds)
    row.update(scenario="explore", p50=percentile(times, 50), p95=percentile(times, 95),
               note=f"{len(times)} of {len(students)} students moved to their own session "
                    f"(phase → first own frame at most {max(times, default=0):.0f} ms)")
    return row


async def run(link: Link, n: int, seconds: float) -> list[dict]:
    if n < 2:
        raise SystemExit("--students must be at least 2 (two followers' frames are compared)")
    teacher = Teacher(link)
    await teacher.open()
    students = [Student(link, teacher, f"s{i}", keep_binaries=i < 2) for i in range(n)]
    try:
        for i in range(0, n, BATCH):
            await asyncio.gather(*(s.open() for s in students[i:i + BATCH]))
        return [await follow(link, teacher, students, seconds), await explore(link, teacher, students, seconds)]
    finally:
        await asyncio.gather(*(s.close() for s in students if s.tasks), return_exceptions=True)
        await teacher.close()


def launch(args: argparse.Namespace) -> tuple[subprocess.Popen, Link, list[str], threading.Thread]:
    """The class server (at normal priority), with room for the class; its later output is kept for the report."""
    key = secrets.token_urlsafe(12)
    n = args.students
    extra = ["--class", "--class-key", key, "--host", "127.0.0.1", "--max-students", str(n),
             "--max-sessions", str(max(500, n + 10)), "--max-pages", str(max(400, 2 * n + 10)),
             "--max-connections-per-client", str(max(512, 2 * n + 64))]
    proc, url = start_server(extra + (["--port", str(args.port)] if args.port else []))
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(proc.stdout), daemon=True)
    reader.start()
    return proc, Link(url, key), log, reader


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        problem("the server did not stop within 10 s of Ctrl-C")


def number(value, form: str) -> str:
    return "n/a" if value is None else format(value, form)


def problems_and_log(log: list[str]) -> None:
    for what, count in PROBLEMS.items():
        print(f"PROBLEM ({count}×): {what}")
    if log:
        print("server log (last 40 lines):")
        print("".join(log[-40:]).rstrip())


def report(rows: list[dict], log: list[str]) -> None:
    print(f"{'scenario':>8} {'clients':>8} {'fps mean':>9} {'fps min':>8} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'dashboard Hz':>13} {'CPU':>5} {'stall ms':>9} {'RSS MB':>7}")
    for r in rows:
        print(f"{r['scenario']:>8} {r['clients']:>8} {r['fps_mean']:>9.1f} {r['fps_min']:>8.1f} {r['p50']:>7.0f} "
              f"{r['p95']:>7.0f} {r['dashboard_hz']:>13.2f} {number(r['cpu'], '5.2f'):>5} "
              f"{number(r['stall_ms'], '9.1f'):>9} {number(r['rss_mb'], '7.0f'):>7}")
    print("p50/p95: follow, teacher's change → follower's frame; explore, phase message → student's own frame")
    for r in rows:
        print(f"{r['scenario']}: {r['note']}")
    problems_and_log(log)
    follow_row, explore_row = rows
    print(f"follow: {follow_row['fps_min']:.1f} fps p95 {follow_row['p95']:.0f} ms; "
          f"explore: {explore_row['fps_min']:.1f} fps; dashboard: {explore_row['dashboard_hz']:.1f} Hz")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--students", type=int, default=100)
    p.add_argument("--seconds", type=float, default=5.0, help="length of each phase's measured window")
    p.add_argument("--port", type=int, default=None, help="the server's port (default: a free one)")
    args = p.parse_args()
    proc, link, log, reader = launch(args)
    try:
        rows = asyncio.run(run(link, args.students, args.seconds))
    except BaseException:
        stop(proc)
        reader.join(2)
        problems_and_log(log)
        raise
    stop(proc)
    reader.join(2)
    report(rows, log)


if __name__ == "__main__":
    main()
