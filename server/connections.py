"""Limits on connections, below the app: how many a client may hold open, for how long, and what it can make the
server buffer. uvicorn has none of these; the CLI plugs the pieces below into it.

* **Caps.** At most ``max_connections`` sockets are open at once, and ``max_connections_per_client`` from one
  client address (an IPv6 client counts by its /64 network: one host can pick any address in it). The listening
  socket (``Listener``) counts them as it accepts; past a cap a new connection is closed at once, not queued behind
  the others, and the client sees it closed. A connection gives its place back when its socket closes. (asyncio's
  selector loop calls the listener's accept(); on Windows the proactor loop accepts by itself: no caps there.)
* **Descriptors.** At start the open-file limit is raised to the hard limit, and the total cap stays ``RESERVE``
  descriptors below it: accepted sockets never use the descriptors the server needs for itself (static files, the
  event loop, logs). Should descriptors run out anyway (the whole system's, or a lowered limit), asyncio waits a
  second before it accepts again; that is logged once a minute, not as a traceback per attempt.
* **Request deadline** (``HTTPProtocol``). A whole HTTP request, headers and body, must arrive within
  ``request_timeout`` seconds of the connection opening or of the previous response ending; otherwise the
  connection is closed. Idle and slowloris connections go; a WebSocket upgrade ends the deadline.
* **WebSockets** (``WebSocketProtocol``). uvicorn pings every ``ping_interval`` and gives up when no pong comes
  within as long again; the socket is then dropped at once, even with unsent frames buffered (a page that stopped
  reading, whose buffer would never drain), so its session detaches and waits for a resume. While the outgoing
  buffer is over its high-water mark nothing more is read from the connection: a client that never reads cannot
  make the server queue pongs (a ping flood) or replies. Invalid UTF-8 in a text message closes the socket with
  1007 and is not logged as an error: it is the client's mistake, not the server's.
"""
import asyncio
import ipaddress
import logging
import socket
import time

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

try:
    import resource
except ImportError:                     # Windows: no per-process limit to raise
    resource = None

RESERVE = 128
"""Descriptors kept out of the connection cap for the server itself: an idle server holds about 10, and static
files are read by at most 40 threads at once."""
ACCEPT_BATCH = 64
"""Connections refused in one accept() call at most before the event loop gets a turn."""
WARN_EVERY = 60.0
ACCEPT_FAILED = "socket.accept() out of system resource"      # asyncio's message when accept() hits EMFILE etc.
log = logging.getLogger("nnplayground.connections")


def raise_open_file_limit() -> int | None:
    """The process's open-file limit after raising it to the hard limit (None where there is no such limit)."""
    if resource is None:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):   # macOS refuses an "unlimited" hard limit as the soft one: keep what we have
            pass
    return None if soft == resource.RLIM_INFINITY else soft


def connection_cap(wanted: int, open_file_limit: int | None) -> int:
    """The total cap: `wanted`, lowered to RESERVE below the open-file limit (ValueError when that leaves none)."""
    if open_file_limit is None:
        return wanted
    if open_file_limit <= RESERVE:
        raise ValueError(f"the open-file limit of {open_file_limit} leaves no descriptors for connections "
                         f"(the server keeps {RESERVE}); raise it with `ulimit -n`")
    return min(wanted, open_file_limit - RESERVE)


def client_of(address: tuple) -> str:
    """The key a connection counts under: its IPv4 address (also when mapped into IPv6), or its IPv6 /64 network."""
    ip = ipaddress.ip_address(address[0].partition("%")[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.IPv6Network((int(ip), 64), strict=False))
    return str(ip)


class Gate:
    """Connections open now, in total and per client key; `admit` takes a place or refuses, `release` gives it
    back. Used from the event loop's thread only."""

    def __init__(self, total: int, per_client: int):
        self.total, self.per_client = total, per_client
        self.open = 0
        self.by_client: dict[str, int] = {}
        self._warned_at = -WARN_EVERY

    def admit(self, client: str) -> bool:
        held = self.by_client.get(client, 0)
        if self.open < self.total and held < self.per_client:
            self.open += 1
            self.by_client[client] = held + 1
            return True
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY:
            self._warned_at = now
            log.warning("refusing new connections: %d open (cap %d), %d from %s (cap %d per client)",
                        self.open, self.total, held, client, self.per_client)
        return False

    def release(self, client: str) -> None:
        self.open -= 1
        left = self.by_client[client] - 1
        if left:
            self.by_client[client] = left
        else:
            del self.by_client[client]


class Connection(socket.socket):
    """An accepted socket that gives its place in the gate back when it is closed (asyncio closes it when the
    connection is lost)."""

    def __init__(self, accepted: socket.socket, client: str, gate: Gate):
        super().__init__(accepted.family, accepted.type, accepted.proto, fileno=accepted.detach())
        self.client, self.gate = client, gate

    def close(self) -> None:
        if self.gate is not None:
            self.gate.release(self.client)
            self.gate = None
        super().close()


class Listener(socket.socket):
    """The listening socket, taking over a bound one. asyncio's selector loop calls its accept(): a connection
    within the caps comes back as a `Connection`; one beyond them is closed then and there."""

    def __init__(self, bound: socket.socket, gate: Gate):
        super().__init__(bound.family, bound.type, bound.proto, fileno=bound.detach())
        self.gate = gate

    def accept(self) -> tuple[Connection, tuple]:
        for _ in range(ACCEPT_BATCH):
            accepted, address = super().accept()    # BlockingIOError when none waits: asyncio stops asking
            client = client_of(address)
            if self.gate.admit(client):
                return Connection(accepted, client, self.gate), address
            accepted.close()
        raise ConnectionAbortedError("a batch of connections refused")   # asyncio asks again on its next turn


def quiet_accept_errors(loop: asyncio.AbstractEventLoop) -> None:
    """Log asyncio's "out of descriptors" accept failures as one line a minute instead of a traceback each (it
    retries every second, and tries up to the listen backlog times per turn); other loop errors as before."""
    warned_at = -WARN_EVERY

    def handle(loop, context):
        nonlocal warned_at
        if context.get("message") != ACCEPT_FAILED:
            loop.default_exception_handler(context)
            return
        now = time.monotonic()
        if now - warned_at >= WARN_EVERY:
            warned_at = now
            log.warning("cannot accept connections: %s; new ones wait until descriptors are free",
                        context.get("exception"))

    loop.set_exception_handler(handle)


class HTTPProtocol(H11Protocol):
    """uvicorn's h11 protocol with the request deadline (use functools.partial to set `request_timeout`)."""

    def __init__(self, *args, request_timeout: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.request_timeout = request_timeout
        self.deadline: asyncio.TimerHandle | None = None

    def _watch(self) -> None:
        """Arm the deadline while this connection waits for a request or the rest of one; disarm it otherwise
        (the request is in, the connection is a WebSocket now, or it is closing)."""
        waiting = (self.conn.their_state in (h11.IDLE, h11.SEND_BODY) and self.transport.get_protocol() is self
                   and not self.transport.is_closing())
        if waiting and self.deadline is None:
            self.deadline = self.loop.call_later(self.request_timeout, self._expire)
        elif not waiting and self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def _expire(self) -> None:
        self.deadline = None
        self.transport.abort()

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._watch()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._watch()

    def connection_lost(self, exc: Exception | None) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None
        super().connection_lost(exc)


class WebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets (sans-I/O) protocol: keepalive that drops non-readers, reads paused while the outgoing
    buffer is full, and invalid UTF-8 closed without an error in the log."""

    def keepalive_timeout(self) -> None:
        super().keepalive_timeout()         # sends the close frame and closes, which waits for the buffer to drain
        self.transport.abort()

    def pause_writing(self) -> None:
        super().pause_writing()
        self.transport.pause_reading()

    def resume_writing(self) -> None:
        super().resume_writing()
        if not self.read_paused:            # uvicorn's own pause: a message waits for the app
            self.transport.resume_reading()

    async def receive(self):
        message = await super().receive()   # resumes reading once the app has taken every message
        if not self.writable.is_set():
            self.transport.pause_reading()
        return message

    def send_receive_event_to_app(self) -> None:
        if self.curr_msg_data_type == "text" and not self.close_sent:     # (after a close, uvicorn drops it)
            try:
                b"".join(self.frames).decode()
            except UnicodeDecodeError:
                self.frames = []
                self.conn.fail(1007, "invalid UTF-8")
                self.handle_parser_exception()
                return
        super().send_receive_event_to_app()
