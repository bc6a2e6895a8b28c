"""Connection limits below the app (server/connections.py), against a real server in a subprocess on loopback:
the request deadline (idle, slowloris and slow-body connections), the caps in total and per client, the open-file
limit (raised at start, a reserve kept, no traceback when descriptors run out), the keepalive ping dropping a page
that stopped reading, a ping flood, and what hostile or broken clients can make the server log.

The server's output goes to a file, not a pipe: a server flooding its log must not block on a full pipe here."""
import asyncio
import http.client
import json
import os
import re
import resource
import socket
import struct
import subprocess
import sys
import time

import pytest
import websockets

from nnplayground.server.cli import parse_args
from nnplayground.server.connections import client_of
from wire import ROOT, STANDARD, Client, free_port, run

ATTACKERS = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")    # all of 127/8 is this machine
HEALTH_FROM = "127.0.0.9"
REFUSED = ("RemoteDisconnected", "ConnectionResetError", "BrokenPipeError")    # closed at once: not a timeout


class Server:
    """`python -m server.cli` on a free loopback port, its output in `log_path`; `nofile` sets the open-file limit
    (soft, hard) it starts with."""

    def __init__(self, log_path, *args: str, nofile: tuple[int, int] | None = None):
        self.log_path = log_path
        limit = None if nofile is None else (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, nofile))
        with open(log_path, "w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "nnplayground", "--no-browser", "--port", str(free_port()), *args],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, preexec_fn=limit)
        deadline = time.monotonic() + 120
        while not (found := re.search(r"running at (http://\S+)", self.log())):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the server did not start: " + self.log())
            time.sleep(0.05)
        self.base = found.group(1).rstrip("/")
        self.origin = self.base
        self.ws_url = self.base.replace("http://", "ws://") + "/ws"
        self.port = int(self.base.rsplit(":", 1)[1])

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def fds(self) -> int:
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def rss(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))

    def health(self, source: str = HEALTH_FROM, timeout: float = 3) -> int | str:
        """GET /healthz from `source`: the status, or what went wrong."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout, source_address=(source, 0))
        try:
            conn.request("GET", "/healthz")
            return conn.getresponse().status
        except (OSError, http.client.HTTPException) as error:
            return type(error).__name__
        finally:
            conn.close()

    def stats(self) -> dict:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            conn.request("GET", "/debug/stats")
            return json.loads(conn.getresponse().read())
        finally:
            conn.close()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(2)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def deadline_server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("deadline") / "server.log", "--debug-stats", "--request-timeout", "2")
    yield server
    server.stop()


def connect(server: Server, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket()
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", server.port))
    sock.setblocking(False)
    return sock


def closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1) == b""
    except BlockingIOError:
        return False
    except ConnectionResetError:
        return True


def closed_within(socks: list, seconds: float) -> int:
    """How many of `socks` the server closes within `seconds` (polled every 0.05 s)."""
    closed, deadline = set(), time.monotonic() + seconds
    while time.monotonic() < deadline and len(closed) < len(socks):
        closed.update(i for i, s in enumerate(socks) if i not in closed and closed_by_server(s))
        time.sleep(0.05)
    return len(closed)


def reset(transport) -> None:
    """Drop a connection with a TCP reset (no close frame, no FIN)."""
    transport.get_extra_info("socket").setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def upgrade_request(server: Server) -> bytes:
    return (f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nOrigin: {server.origin}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            "\r\n").encode()


async def open_page(server: Server, settings: dict | None = None, **kw) -> tuple[Client, dict]:
    page = await Client.open(server, **kw)
    welcome = await page.recv()
    await page.send({"type": "configure", "settings": {**STANDARD, **(settings or {})}})
    await page.until("config", where=lambda m: m["change"] == "data")
    return page, welcome


# ------------------------------------------------------------------------------------------------ request deadline
def test_idle_slowloris_and_slow_body_connections_are_closed_by_the_request_deadline(deadline_server):
    server = deadline_server

    async def flow():
        page, _ = await open_page(server)                       # a WebSocket outlives the deadline
        idle = [connect(server) for _ in range(100)]
        heads = [connect(server) for _ in range(100)]
        bodies = [connect(server) for _ in range(100)]
        for sock in heads:
            sock.send(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ")
        for sock in bodies:
            sock.send(b"POST /api/one-weight HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{")
        keep = http.client.HTTPConnection("127.0.0.1", server.port, timeout=3)   # one connection, many requests
        started, closed_at, statuses = time.monotonic(), None, []
        first_sock = None
        for tick in range(32):                                  # 0.25 s apart: 8 s at most
            for sock in heads + bodies:                         # a byte each, as slowloris does
                if not closed_by_server(sock):
                    sock.send(b"a")
            if tick % 2 == 0:
                keep.request("GET", "/healthz")
                answer = keep.getresponse()
                answer.read()
                statuses.append(answer.status)
                first_sock = first_sock or keep.sock
            if all(closed_by_server(s) for s in idle + heads + bodies):
                closed_at = time.monotonic() - started
                break
            if tick == 4:                                       # 1 s: nothing closed yet
                assert not any(closed_by_server(s) for s in idle + heads + bodies)
            await page.drain(0.25)
        assert closed_at is not None, "connections that never finished a request were still open after 8 s"
        assert 1.8 <= closed_at <= 4.0, f"closed after {closed_at:.1f} s (deadline 2 s)"
        assert set(statuses) == {200} and keep.sock is first_sock, "a connection finishing its requests stays"
        await page.send({"type": "control", "action": "step"})
        frame = await page.until("frame", where=lambda m: m["counters"]["epoch"] == 1)
        assert frame["state"] == "paused"
        await page.close()
        for sock in idle + heads + bodies:
            sock.close()
        keep.close()
    run(flow())


# ------------------------------------------------------------------------------------------------ caps
def test_past_the_caps_new_connections_are_closed_at_once_and_places_come_back(tmp_path):
    server = Server(tmp_path / "server.log", "--max-connections", "16", "--max-connections-per-client", "6")
    try:
        first = [connect(server, "127.0.0.5") for _ in range(8)]
        assert closed_within(first, 1.0) == 2, "two over the per-client cap of 6"
        second = [connect(server, "127.0.0.6") for _ in range(6)]
        third = [connect(server, "127.0.0.7") for _ in range(6)]
        assert closed_within(second + third, 1.0) == 2, "two over the total cap of 16"
        assert server.health(timeout=1) in REFUSED, "refused at once, not queued"
        for sock in first:
            sock.close()
        time.sleep(0.2)
        assert server.health() == 200
        again = [connect(server, "127.0.0.5") for _ in range(5)]
        assert closed_within(again, 0.5) == 0, "the closed connections gave their places back"
        assert "refusing new connections" in server.log() and "Traceback" not in server.log()
        for sock in second + third + again:
            sock.close()
    finally:
        server.stop()


def test_a_client_counts_by_ipv4_address_or_ipv6_network():
    assert client_of(("192.168.1.20", 5000)) == "192.168.1.20"
    assert client_of(("::ffff:192.168.1.20", 5000, 0, 0)) == "192.168.1.20"
    assert client_of(("2001:db8:1:2:aaaa::1", 5000, 0, 0)) == client_of(("2001:db8:1:2:bbbb::9", 1, 0, 0)) \
        == "2001:db8:1:2::/64"
    assert client_of(("fe80::1%eth0", 5000, 0, 2)) == "fe80::/64"


# ------------------------------------------------------------------------------------------------ descriptors
def test_under_a_1024_descriptor_limit_1100_idle_connections_do_not_take_the_server_down(tmp_path):
    server = Server(tmp_path / "server.log", "--request-timeout", "3", nofile=(512, 1024))
    try:
        with open(f"/proc/{server.proc.pid}/limits") as f:
            limits = next(line.split()[3:5] for line in f if line.startswith("Max open files"))
        assert limits == ["1024", "1024"], "the soft limit is raised to the hard one at start"
        assert "the open-file limit of 1024 allows 896 connections at once" in server.log()
        socks = [connect(server, ATTACKERS[i % 4]) for i in range(1100)]
        assert closed_within(socks, 1.0) == 1100 - 896, "past the cap new connections are closed at once"
        assert server.fds() <= 896 + 16
        assert server.health(timeout=1) in REFUSED, "full: refused at once, not queued"
        deadline = time.monotonic() + 6
        while server.health() != 200:
            assert time.monotonic() < deadline, "/healthz did not answer after the request deadline"
            time.sleep(0.2)
        assert closed_within(socks, 1.0) == 1100, "the idle connections were closed by the deadline"
        log = server.log()
        assert "Traceback" not in log and len(log) < 2000, log[-2000:]
        for sock in socks:
            sock.close()
    finally:
        server.stop()


def test_descriptors_running_out_anyway_are_logged_once_and_the_server_recovers(tmp_path):
    server = Server(tmp_path / "server.log", "--request-timeout", "3")
    try:
        held = [connect(server, "127.0.0.2") for _ in range(300)]
        time.sleep(0.3)
        resource.prlimit(server.proc.pid, resource.RLIMIT_NOFILE, (200, 200))   # now every descriptor is taken
        waiting = [connect(server, "127.0.0.3") for _ in range(50)]            # accept() fails: EMFILE
        assert server.health(timeout=1) == "TimeoutError"                    # new connections wait
        deadline = time.monotonic() + 8
        while server.health() != 200:                       # the deadline frees the held ones, accepting resumes
            assert time.monotonic() < deadline, "the server did not recover once descriptors were free"
            time.sleep(0.2)
        log = server.log()
        assert "Traceback" not in log and len(log) < 2000, log[-2000:]
        assert log.count("cannot accept connections: [Errno 24] Too many open files") == 1
        for sock in held + waiting:
            sock.close()
    finally:
        server.stop()


# ------------------------------------------------------------------------------------------------ websockets
def test_a_page_that_stops_reading_is_dropped_by_the_keepalive_ping_and_its_session_waits(tmp_path):
    server = Server(tmp_path / "server.log", "--debug-stats", "--ping-interval", "2")
    try:
        async def flow():
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", server.port))
            page, welcome = await open_page(server, {"hidden": [16, 16], "unit_size": 48}, sock=sock, max_queue=1)
            await page.send({"type": "speed", "epochs_per_frame": 0})
            await page.send({"type": "control", "action": "play"})
            await page.until("frame", where=lambda m: m["state"] == "playing")
            stopped = time.monotonic()                          # reads nothing from here on
            for _ in range(40):                                 # 0.5 s apart: 20 s at most
                stats = await asyncio.to_thread(server.stats)
                if stats["pages"] == 0:
                    break
                await asyncio.sleep(0.5)
            took = time.monotonic() - stopped
            assert stats["pages"] == 0, "the page that stopped reading is still attached after 20 s"
            assert took < 8, f"detached after {took:.1f} s (ping every 2 s, 2 s to answer)"
            assert stats["sessions"] == 1 and stats["runners"] == 0
            await asyncio.sleep(1.0)
            assert (await asyncio.to_thread(server.stats))["epochs"] == stats["epochs"], "it stopped training"
            again = await Client.open(server, f"?resume={welcome['token']}")
            resumed = await again.recv()
            assert resumed["resumed"] and resumed["session"] == welcome["session"]
            await again.close()
            page.ws.transport.abort()
        run(flow())
    finally:
        server.stop()


def test_a_ping_flood_from_a_socket_that_never_reads_does_not_grow_memory(deadline_server):
    server = deadline_server
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(upgrade_request(server))
    assert sock.recv(12) == b"HTTP/1.1 101"
    time.sleep(0.5)
    before = server.rss()
    batch = (bytes([0x89, 0x80 | 125]) + b"\0\0\0\0" + b"p" * 125) * 1000      # 1000 masked pings, 125 bytes each
    sock.settimeout(2)
    sent = 0
    try:
        for _ in range(500):                                    # 500,000 pings at most
            sock.sendall(batch)
            sent += 1000
    except socket.timeout:                                      # the server stopped reading: flow control
        pass
    time.sleep(0.5)
    grown = server.rss() - before
    sock.close()
    assert grown < 10 * 2**20, f"{sent:,} pings grew the server by {grown / 2**20:.0f} MB"
    assert server.health("127.0.0.1") == 200


def test_invalid_utf8_and_reset_connections_leave_no_traceback_in_the_log(deadline_server):
    """Runs after the deadline test on the same server: its slow uploads closed by the deadline count too."""
    server = deadline_server

    async def flow():
        page = await Client.open(server)
        await page.recv()
        page.ws.transport.write(bytes([0x81, 0x80 | 2]) + b"\0\0\0\0" + b"\xff\xfe")   # a text frame, not UTF-8
        with pytest.raises(websockets.ConnectionClosed) as closed:
            for _ in range(100):
                await page.recv()
        assert closed.value.rcvd.code == 1007
        for i in range(20):                 # connect, play, reset 0 to 80 ms later
            page, _ = await open_page(server)
            await page.send({"type": "speed", "epochs_per_frame": 0})
            await page.send({"type": "control", "action": "play"})
            await asyncio.sleep(0.02 * (i % 5))
            reset(page.ws.transport)
        for _ in range(10):                 # an upload reset half-way
            _, writer = await asyncio.open_connection("127.0.0.1", server.port)
            writer.write(b"POST /api/one-weight HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{")
            await asyncio.sleep(0.1)
            reset(writer.transport)
        await asyncio.sleep(1.0)
        stats = await asyncio.to_thread(server.stats)
        assert stats["pages"] == 0 and stats["runners"] == 0
    run(flow())
    log = server.log()
    assert "Traceback" not in log and "ERROR" not in log and "Exception" not in log, log[-3000:]


# ------------------------------------------------------------------------------------------------ CLI
@pytest.mark.parametrize("args,words", [
    (["--max-connections", "8"], "--max-connections must be between 16 and 1000000"),
    (["--max-connections-per-client", "0"], "--max-connections-per-client must be between 4 and 1000000"),
    (["--request-timeout", "0.5"], "--request-timeout must be between 1 and 600 seconds"),
    (["--ping-interval", "1000"], "--ping-interval must be between 1 and 600 seconds"),
])
def test_absurd_connection_limits_are_refused_with_the_allowed_range(args, words, capsys):
    with pytest.raises(SystemExit) as done:
        parse_args(args)
    assert done.value.code == 2 and words in capsys.readouterr().err


def test_an_open_file_limit_too_low_for_any_connection_is_refused_at_start():
    done = subprocess.run([sys.executable, "-m", "nnplayground", "--no-browser", "--port", str(free_port())], cwd=ROOT,
                          capture_output=True, text=True, timeout=60,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (100, 100)))
    assert done.returncode == 1 and "the open-file limit of 100 leaves no descriptors" in done.stderr
    assert "Traceback" not in done.stderr
