"""Helpers for test_cluster.py (docs/cluster.md): real `nnplayground --redis URL` servers in subprocesses sharing the
`redis_server` fixture's redis-server, pages on their sockets, and a look at what the processes wrote to Redis.

A server's output is read all along by a thread (so a chatty server never blocks on a full pipe, and a test can wait
for a line such as the supervisor's "starting it again").
"""
import asyncio
import hashlib
import json
import re
import subprocess
import threading
import time

import httpx
import redis
import websockets

from wire import STANDARD, ClassPage, LiveServer

KEY = "SAMEKEY123"              # the teacher key of the class both servers of a test run
PLAY, PAUSE = ({"type": "control", "action": a} for a in ("play", "pause"))
CSV = "height,weight,kind\n1.5,50,a\n1.7,70,b\n1.6,55,a\n1.9,90,b\n1.4,45,a\n1.8,80,b\n"


# ------------------------------------------------------------------------------------------------ servers
class Server(LiveServer):
    """`python -m nnplayground --redis URL …` on a free port, its output kept in `output` as it comes."""

    def __init__(self, redis_url: str, *args: str):
        super().__init__("--redis", redis_url, *args)
        if "/class/" in self.url:                   # a class prints the teacher's link: the origin is cut from it
            self.base = self.origin = self.url.split("/class/")[0]
            self.ws_url = self.base.replace("http://", "ws://", 1) + "/ws"
            self.host_port = self.base.removeprefix("http://")
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.output.append(line)

    def said(self, pattern: str, timeout: float = 30) -> str:
        """The first output line matching `pattern`, waiting for it up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.output):
                if re.search(pattern, line):
                    return line
            time.sleep(0.1)
        raise AssertionError(f"the server never said {pattern!r}:\n" + "".join(self.output[-40:]))

    def api(self, method: str, path: str, token: str, **kw) -> httpx.Response:
        """An HTTP API request as the page makes it: same origin, the session's token in its header."""
        headers = {"Origin": self.origin, "X-Session-Token": token, **kw.pop("headers", {})}
        return httpx.request(method, self.base + path, headers=headers, timeout=kw.pop("timeout", 40), **kw)

    def healthy(self) -> bool:
        return self.proc.poll() is None and httpx.get(self.base + "/healthz", timeout=10).status_code == 200


def class_server(redis_url: str) -> Server:
    """A server running the class of KEY on loopback."""
    return Server(redis_url, "--class", "--class-key", KEY, "--host", "127.0.0.1")


def stop_all(*servers: Server) -> None:
    for server in servers:
        server.stop(15)


# ------------------------------------------------------------------------------------------------ pages
class Page(ClassPage):
    """A page on any socket of a server (wire.ClassPage)."""

    async def welcome(self) -> dict:
        self.hello = await self.recv(20)
        assert self.hello["type"] == "welcome", self.hello
        return self.hello

    def epoch(self) -> int:
        """The newest epoch this page was shown."""
        return self.frames[-1]["counters"]["epoch"]

    async def closed(self, timeout: float = 15) -> int:
        """Read until the server closes the socket: its close code."""
        try:
            while True:
                await self.recv(timeout)
        except websockets.ConnectionClosed as error:
            return error.rcvd.code if error.rcvd else 1006


async def playing(server: Server, query: str = "") -> Page:
    """A new page on /ws with the standard network, as fast as the machine goes, playing, with a frame past
    epoch 0."""
    page = await Page.connect(server, "/ws", query)
    await page.welcome()
    await page.send({"type": "configure", "settings": STANDARD})
    await page.until("config", 20, where=lambda m: m["change"] == "data")
    await page.send({"type": "speed", "epochs_per_frame": 0})
    await page.send(PLAY)
    await page.until("frame", 20, where=lambda m: m["state"] == "playing" and m["counters"]["epoch"] > 0)
    return page


async def close_all(*pages: Page) -> None:
    await asyncio.gather(*(page.ws.close() for page in pages), return_exceptions=True)


# ------------------------------------------------------------------------------------------------ Redis
def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:32]


class Store:
    """What the processes keep in Redis (docs/cluster.md), read and written behind their back."""

    def __init__(self, url: str):
        self.url = url

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)

    def get(self, key: str) -> bytes | None:
        with self.client() as r:
            return r.get(key)

    def snapshot(self, token: str) -> dict | None:
        """The session's snapshot as Redis holds it, its history rows (kept in a list of their own) put back."""
        with self.client() as r:
            raw, rows = r.get(f"nnp:snap:{digest(token)}"), r.lrange(f"nnp:hist:{digest(token)}", 0, -1)
        if raw is None:
            return None
        snapshot = json.loads(raw)
        snapshot["trainer"]["history"] = [json.loads(row) for row in rows]
        return snapshot

    def lease(self, token: str) -> str | None:
        raw = self.get(f"nnp:lease:{digest(token)}")
        return None if raw is None else raw.decode()

    def leases(self) -> dict[str, str]:
        """Every session lease: session digest → the process id holding it."""
        with self.client() as r:
            return {key.decode().rsplit(":", 1)[1]: r.get(key).decode() for key in r.scan_iter("nnp:lease:*")}

    def os_pid(self, process: str) -> int | None:
        raw = self.get(f"nnp:alive:{process}")
        return None if raw is None else int(raw)

    def processes(self) -> dict[str, int]:
        """Live processes: process id → OS pid (their heartbeats)."""
        with self.client() as r:
            return {key.decode().rsplit(":", 1)[1]: int(r.get(key) or 0) for key in r.scan_iter("nnp:alive:*")}

    def put_snapshot(self, token: str, text: str | bytes, rows: list = ()) -> None:
        """Write a snapshot (JSON text without its history) and its history rows under `token`."""
        with self.client() as r:
            r.set(f"nnp:snap:{digest(token)}", text, ex=600)
            if rows:
                r.rpush(f"nnp:hist:{digest(token)}", *rows)

    def publish(self, channel: str, data: bytes) -> int:
        with self.client() as r:
            return r.publish(channel, data)


def wait_for(what, timeout: float = 10, every: float = 0.1, message: str = ""):
    """`what()`'s first truthy answer within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = what()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(message or f"nothing within {timeout} s")
        time.sleep(every)


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """`python -m nnplayground --no-browser ARGS` to its end."""
    import sys
    from wire import ROOT
    return subprocess.run([sys.executable, "-m", "nnplayground", "--no-browser", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)
