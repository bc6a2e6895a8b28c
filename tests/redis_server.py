"""A real redis-server for tests (imported as `redis_server`; the `redis_server` fixture is in conftest.py): its own
loopback port and directory, stopped, killed and started again at will."""
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """`redis-server` on a free loopback port keeping its files in `directory`. With `aof` every write is in the
    append-only file before it is answered (appendfsync always), so data survives stop() or kill() and start()."""

    def __init__(self, directory: Path, aof: bool):
        if shutil.which("redis-server") is None:
            reason = "redis-server is not on PATH: run `bash .ci/ensure-system` (the system package 'redis-server')"
            (pytest.fail if os.environ.get("CI") else pytest.skip)(reason)
        self.directory, self.aof = Path(directory), aof
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "RedisServer":
        """Start on this port and directory (again, after stop() or kill()); returns once it answers PING."""
        args = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
                "--save", "", "--appendonly", "yes" if self.aof else "no", "--daemonize", "no",
                "--protected-mode", "yes"]
        if self.aof:
            args += ["--appendfsync", "always"]
        log = self.directory / "redis.log"
        with log.open("a") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        deadline = time.monotonic() + 15
        while self.proc.poll() is None and time.monotonic() < deadline:
            try:
                client.ping()
                client.close()
                return self
            except redis.RedisError:
                time.sleep(0.02)
        self.kill()
        raise RuntimeError(f"redis-server on port {self.port} did not answer PING:\n{log.read_text()[-2000:]}")

    def stop(self) -> None:
        """SIGTERM and wait (nothing when it is not running)."""
        self._end(signal.SIGTERM)

    def kill(self) -> None:
        """SIGKILL and wait: a crash, nothing flushed on the way out."""
        self._end(signal.SIGKILL)

    def _end(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(15)
        self.proc = None
