"""Helpers for the server tests (imported as `wire`; fixtures are in conftest.py): an in-process app (starlette's TestClient) and a real uvicorn in a subprocess.

Every text message a test receives is parsed with the strict loader (a NaN or Infinity fails the test) and
validated against the server → client models of server/protocol.py.
"""
import asyncio
import concurrent.futures
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

import httpx
import websockets
from fastapi.testclient import TestClient

from nnplayground.server import ServerSettings, create_app
from nnplayground.server.classroom.messages import CLASS_MESSAGES
from nnplayground.server.protocol import loads_strict, server_adapter

ROOT = Path(__file__).resolve().parents[2]
STANDARD = {"dataset": "spiral", "n_points": 500, "hidden": [8, 8], "activation": "tanh", "loss": "mse",
            "optimizer": "sgd", "learning_rate": 0.03, "batch_size": 10, "output_activation": None}
ORIGIN = "http://localhost"


def check(text: str) -> dict:
    """A server text message: strict JSON, valid against the protocol, never a traceback or a file path."""
    message = loads_strict(text)
    server_adapter.validate_python(message)
    assert "Traceback" not in text and "/work/" not in text and ".py\"" not in text
    return message


def check_class(text: str) -> dict:
    """A message on a class socket (docs/classroom.md): a class message is checked as `check` does, against its
    model in server/classroom/messages.py (strictly: no coercion); any other goes to `check`."""
    message = loads_strict(text)
    model = CLASS_MESSAGES.get(message.get("type")) if isinstance(message, dict) else None
    if model is None:
        return check(text)
    model.model_validate_json(text, strict=True)
    assert "Traceback" not in text and "/work/" not in text and ".py\"" not in text
    return message


def send(ws, message: dict) -> None:
    ws.send_text(json.dumps(message))


# ------------------------------------------------------------------------------------------------ in process
class Page:
    """A TestClient websocket that parses what it receives."""

    def __init__(self, ws):
        self.ws = ws
        self.frames: list[dict] = []
        self.binaries: list[bytes] = []
        self.seen: list[dict] = []

    def send(self, message: dict) -> None:
        send(self.ws, message)

    def recv(self):
        raw = self.ws.receive()
        if raw.get("type") == "websocket.close":
            raise ConnectionError(f"closed {raw.get('code')} {raw.get('reason')}")
        if raw.get("bytes") is not None:
            self.binaries.append(raw["bytes"])
            return raw["bytes"]
        message = check(raw["text"])
        self.seen.append(message)
        if message["type"] == "frame":
            self.frames.append(message)
        return message

    def until(self, kind: str, limit: int = 2000, where=None) -> dict:
        for _ in range(limit):
            message = self.recv()
            if isinstance(message, dict) and message["type"] == kind and (where is None or where(message)):
                return message
        raise AssertionError(f"no {kind} message in {limit} messages")

    def frame(self, where=None) -> tuple[dict, bytes]:
        """The next frame message and its binary frame."""
        message = self.until("frame", where=where)
        binary = self.recv()
        assert isinstance(binary, bytes)
        assert struct.unpack_from("<I", binary, 4)[0] == message["seq"]
        return message, binary


def make_client(**overrides) -> TestClient:
    settings = ServerSettings(**{"warm_up": False, "default_speed": 0, **overrides})
    return TestClient(create_app(settings), base_url="http://localhost")


def open_page(client, query: str = "", **headers) -> tuple:
    context = client.websocket_connect("ws://localhost/ws" + query, headers=dict(headers))
    ws = context.__enter__()
    page = Page(ws)
    try:
        welcome = page.recv()
    except ConnectionError:
        context.__exit__(None, None, None)
        raise
    assert welcome["type"] == "welcome"
    return context, page, welcome


# ------------------------------------------------------------------------------------------------ real server
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`python -m nnplayground` in a subprocess on a free loopback port (by default this checkout's Python, run
    from the checkout)."""

    def __init__(self, *args: str, env: dict | None = None, python: str = sys.executable, cwd: Path = ROOT):
        self.proc = subprocess.Popen(
            [python, "-m", "nnplayground", "--no-browser", "--port", str(free_port()), *args],
            cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=None if env is None else {**os.environ, **env})
        deadline = time.monotonic() + 240
        self.output = []
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("server exited: " + "".join(self.output))
            self.output.append(line)
            found = re.search(r"running at (http://\S+)", line)
            if found:
                self.url = found.group(1)
                break
        else:
            raise RuntimeError("server did not start")
        base = self.url.split("?")[0].rstrip("/")
        self.base = base
        self.origin = base
        self.ws_url = base.replace("http://", "ws://") + "/ws"
        self.host_port = base.removeprefix("http://")
        self.pid = self.proc.pid

    def stats(self) -> dict:
        return httpx.get(self.base + "/debug/stats", timeout=5).json()

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss(self) -> int:
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def stop(self, timeout: float = 10) -> float:
        """Ctrl-C; returns how long the process took to exit."""
        if self.proc.poll() is not None:
            return 0.0
        started = time.monotonic()
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return time.monotonic() - started


class Client:
    """An asyncio websockets client that parses and validates what it receives."""

    def __init__(self, ws):
        self.ws = ws
        self.frames: list[dict] = []
        self.seen: list[dict] = []

    @classmethod
    async def open(cls, server: LiveServer, query: str = "", origin: str | None = "same", **kw):
        ws = await websockets.connect(server.ws_url + query, origin=server.origin if origin == "same" else origin,
                                      max_size=2**23, open_timeout=10, **kw)
        return cls(ws)

    async def send(self, message: dict) -> None:
        await self.ws.send(json.dumps(message))

    async def recv(self, timeout: float = 10):
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        if isinstance(raw, bytes):
            return raw
        message = check(raw)
        self.seen.append(message)
        if message["type"] == "frame":
            self.frames.append(message)
        return message

    async def until(self, kind: str, timeout: float = 10, where=None) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {kind} within {timeout} s")
            message = await self.recv(left)
            if isinstance(message, dict) and message["type"] == kind and (where is None or where(message)):
                return message

    async def drain(self, seconds: float) -> list:
        """Everything received during `seconds`."""
        got, deadline = [], time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                got.append(await self.recv(left))
            except asyncio.TimeoutError:
                break
        return got

    async def close(self) -> None:
        await self.ws.close()


class ClassPage(Client):
    """A page on any socket (a class's or the playground's): each text message validated (check_class falls back to
    check), frames' text and binary frames kept by seq. The client queues without bound: a test that looks elsewhere
    for a while and then closes the page is not left waiting for a close handshake stuck behind unread frames (a
    browser always reads)."""

    def __init__(self, ws):
        super().__init__(ws)
        self.texts: dict[int, str] = {}         # seq → the frame message as sent
        self.binaries: dict[int, bytes] = {}    # seq → the binary frame

    @classmethod
    async def connect(cls, server: LiveServer, path: str, query: str = "", open_timeout: float = 20):
        ws = await websockets.connect(server.base.replace("http://", "ws://", 1) + path + query, origin=server.origin,
                                      max_size=2**23, open_timeout=open_timeout, max_queue=None)
        return cls(ws)

    async def recv(self, timeout: float = 10):
        raw = await asyncio.wait_for(self.ws.recv(), timeout)
        if isinstance(raw, bytes):
            self.binaries[struct.unpack_from("<I", raw, 4)[0]] = raw
            return raw
        message = check_class(raw)
        self.seen.append(message)
        if message["type"] == "frame":
            self.frames.append(message)
            self.texts[message["seq"]] = raw
        return message


def run(coro):
    """Run a client flow to completion on its own event loop, in its own thread.

    Playwright's sync API keeps an event loop running in the main thread for the
    whole pytest session once a browser test has run, so asyncio.run cannot be
    called there; a short-lived thread has no loop of its own."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
