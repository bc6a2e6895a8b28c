"""A page's socket carried to the process that owns what it shows: the page's process accepts the socket and passes
every message both ways over the two processes' inboxes (link.py); the owner runs the route's own handler on a
`CarriedSocket`, which looks like a WebSocket to it. So sessions and classes need no sticky load balancer: a page
may land on any process. Either end closes when the other process stops beating or Redis stops answering; the page
then reconnects, as after any lost connection.
"""
import asyncio
import logging
import secrets
from typing import Awaitable, Callable

from starlette.datastructures import QueryParams

from . import records
from .link import Link

log = logging.getLogger("nnplayground.cluster")

CHECK = 1.0                     # seconds of silence after which an end checks that the other process still beats
MAX_WAITING = 1000              # messages from the page waiting for the owner's handler; beyond, dropped
GONE = (1012, "the server process of this page went away; reconnecting")
MAX_QUERY, MAX_VALUE = 10, 200


class Tunnels:
    """This process's ends of carried sockets. `routes`: path → the handler a carried socket is run by."""

    def __init__(self, link: Link, app, routes: dict[str, Callable[..., Awaitable[None]]]):
        self.link, self.app, self.routes = link, app, routes
        self.ends: set = set()
        link.handlers["open"] = self._open
        link.listeners.append(self._on_link)

    def _on_link(self, up: bool) -> None:
        if not up:
            for end in list(self.ends):
                end.lost()

    # ------------------------------------------------------------------ the page's process
    async def carry(self, websocket, owner: str, path: str) -> None:
        """Serve `websocket` (not yet accepted) by process `owner`'s handler of `path` until either side closes."""
        query = list(websocket.query_params.items())
        await websocket.accept()
        if len(query) > MAX_QUERY or any(len(k) > 20 or len(v) > MAX_VALUE for k, v in query):
            await websocket.close(1008, "the address is too long")
            return
        end = PageEnd(self.link, websocket, owner)
        self.ends.add(end)
        try:
            await self.link.send(owner, {"op": "open", "tid": end.tid, "path": path, "query": dict(query),
                                         "host": websocket.headers.get("host", "")[:200]})
            await end.run()
        finally:
            self.ends.discard(end)
            self.link.tunnels.pop(end.tid, None)

    # ------------------------------------------------------------------ the owner's process
    def _open(self, envelope: records.Envelope, _payload: bytes):
        route = self.routes.get(envelope.path or "")
        if route is None or envelope.tid is None or envelope.tid in self.link.tunnels:
            return None
        socket = CarriedSocket(self.link, envelope, self.app)
        return self._serve(route, socket)

    async def _serve(self, route, socket: "CarriedSocket") -> None:
        self.ends.add(socket)
        try:
            await route(socket)
        finally:
            self.ends.discard(socket)
            self.link.tunnels.pop(socket.tid, None)
            await socket.close(1000, "")


class PageEnd:
    """The page's side: its real WebSocket, and the owner's messages queued for it."""

    def __init__(self, link: Link, websocket, owner: str):
        self.link, self.ws, self.owner = link, websocket, owner
        self.tid = secrets.token_hex(8)
        self.incoming: asyncio.Queue = asyncio.Queue()
        link.tunnels[self.tid] = self._arrive

    def _arrive(self, envelope: records.Envelope, payload: bytes) -> None:
        if envelope.sender == self.owner:
            self.incoming.put_nowait((envelope.op, envelope, payload))

    def lost(self) -> None:
        self.incoming.put_nowait(("gone", None, b""))

    async def run(self) -> None:
        upstream = asyncio.create_task(self._upstream())
        downstream = asyncio.create_task(self._downstream())
        done, pending = await asyncio.wait({upstream, downstream}, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        if upstream in done:            # the page left: the owner's handler hears a disconnect
            try:
                await asyncio.wait_for(self.link.send(self.owner, {"op": "close", "tid": self.tid}), 1.0)
            except Exception:
                pass

    async def _upstream(self) -> None:
        try:
            while True:
                message = await self.ws.receive()
                if message["type"] == "websocket.disconnect":
                    return
                if message.get("text") is not None:
                    await self.link.send(self.owner, {"op": "in", "tid": self.tid}, message["text"].encode())
                elif message.get("bytes") is not None:
                    await self.link.send(self.owner, {"op": "in_bytes", "tid": self.tid}, message["bytes"])
        except Exception:               # the socket broke: as a disconnect
            return

    async def _downstream(self) -> None:
        while True:
            try:
                op, envelope, payload = await asyncio.wait_for(self.incoming.get(), CHECK)
            except asyncio.TimeoutError:
                if self.link.up and await self._owner_alive():
                    continue
                op, envelope = "gone", None
            try:
                if op == "out":
                    await self.ws.send_text(payload.decode())
                elif op == "out_bytes":
                    await self.ws.send_bytes(payload)
                elif op == "close":
                    await self.ws.close(envelope.code or 1000, envelope.reason or "")
                    return
                elif op == "gone":
                    await self.ws.close(*GONE)
                    return
            except UnicodeDecodeError:
                continue
            except Exception:
                return

    async def _owner_alive(self) -> bool:
        try:
            return await self.link.alive(self.owner)
        except Exception:
            return False


class CarriedSocket:
    """The owner's side: what a route handler uses of a WebSocket (accept, receive, send_text, send_bytes, close,
    query_params, headers, app), each message passed to or from the page's process."""

    def __init__(self, link: Link, envelope: records.Envelope, app):
        self.link, self.peer, self.tid, self.app = link, envelope.sender, envelope.tid, app
        self.query_params = QueryParams(envelope.query or {})
        self.headers = {"host": envelope.host or ""}
        self.closed = False
        self._incoming: asyncio.Queue = asyncio.Queue(MAX_WAITING)
        link.tunnels[self.tid] = self._arrive

    def _arrive(self, envelope: records.Envelope, payload: bytes) -> None:
        if envelope.sender != self.peer or self._incoming.full():
            return
        if envelope.op == "in":
            try:
                self._incoming.put_nowait({"type": "websocket.receive", "text": payload.decode()})
            except UnicodeDecodeError:
                self._incoming.put_nowait({"type": "websocket.receive", "bytes": payload})
        elif envelope.op == "in_bytes":
            self._incoming.put_nowait({"type": "websocket.receive", "bytes": payload})
        elif envelope.op == "close":
            self.lost()

    def lost(self) -> None:
        self.closed = True
        try:
            self._incoming.put_nowait({"type": "websocket.disconnect", "code": 1001})
        except asyncio.QueueFull:
            self._incoming.get_nowait()
            self._incoming.put_nowait({"type": "websocket.disconnect", "code": 1001})

    async def accept(self) -> None:
        pass

    async def receive(self) -> dict:
        while True:
            try:
                return await asyncio.wait_for(self._incoming.get(), CHECK)
            except asyncio.TimeoutError:
                try:
                    alive = self.link.up and await self.link.alive(self.peer)
                except Exception:
                    alive = False
                if not alive:
                    self.closed = True
                    return {"type": "websocket.disconnect", "code": 1001}

    async def send_text(self, text: str) -> None:
        await self._send("out", text.encode())

    async def send_bytes(self, data: bytes) -> None:
        await self._send("out_bytes", bytes(data))

    async def _send(self, op: str, payload: bytes) -> None:
        if self.closed:
            raise ConnectionError("the page's socket is closed")
        await self.link.send(self.peer, {"op": op, "tid": self.tid}, payload)

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        if not self.closed:
            self.closed = True
            await self.link.send(self.peer, {"op": "close", "tid": self.tid, "code": code,
                                             "reason": (reason or "")[:123]})
