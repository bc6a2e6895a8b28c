"""The two WebSockets: /ws (a playground session) and /ws/race (an optimizer race). Each opens or resumes its
session under the server's cap, says welcome, then hands every message the protocol accepts to the session."""
import time

from fastapi import APIRouter, WebSocket

from ..cluster import STORE_ERRORS
from ..protocol import ProtocolError, dumps, error_message, parse_client, parse_race, welcome_message
from ..race import RaceSession
from ..registry import Registry, ServerFull
from ..session import Session
from ..subscriber import Subscriber

router = APIRouter()
STORE_DOWN = (1013, "the shared session store (Redis) does not answer; trying again")


class TokenBucket:
    """At most `rate` messages a second on average, `burst` at once."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@router.websocket("/ws")
async def session_socket(websocket: WebSocket):
    await serve(websocket, Session, parse_client)


@router.websocket("/ws/race")
async def race_socket(websocket: WebSocket):
    await serve(websocket, RaceSession, parse_race)


async def serve(websocket: WebSocket, kind: type, parse) -> None:
    """One page's socket for a session of `kind` (Session or RaceSession): open or resume it under the cap,
    welcome, then hand every message `parse` accepts to the session; refusals get an `error`, the socket stays
    open."""
    state = websocket.app.state
    registry: Registry = state.registry
    resume = websocket.query_params.get("resume")
    try:
        if kind is Session and await carried(websocket, resume, "/ws"):
            return
        session, resumed = await registry.open(resume, kind)
    except ServerFull:
        await websocket.accept()
        await websocket.close(1013, "the server is full; try again in a minute")
        return
    except STORE_ERRORS:
        await websocket.accept()
        await websocket.close(*STORE_DOWN)
        return
    await websocket.accept()
    page = Subscriber(websocket, state.settings.fps)
    page.send_message(dumps(welcome_message(state.facts, session.id, session.token, resumed)))
    session.attach(page, resumed)
    try:
        await receive(websocket, page, session, parse, TokenBucket(state.settings.rate, state.settings.burst))
    except Exception:                     # the socket broke mid-receive: same as a disconnect
        pass
    finally:
        await session.detach(page)
        if registry.keeper is not None and not session.subscribers:
            await registry.keeper.flush(session)      # its last page left: the snapshot says so at once


async def carried(websocket, token: str | None, path: str) -> bool:
    """With several processes: carry the socket to the process that holds what `token` opens, when that is another
    live one (cluster/tunnel.py); True when it was carried. A socket carried here is never carried on."""
    cluster = websocket.app.state.cluster
    if cluster is None or not token or not isinstance(websocket, WebSocket) \
            or websocket.app.state.registry.get(token) is not None:
        return False
    owner = await cluster.owner_of(token)
    if owner is None:
        return False
    await cluster.tunnels.carry(websocket, owner, path)
    return True


async def receive(websocket: WebSocket, page: Subscriber, session, parse, bucket: TokenBucket,
                  heard=None) -> None:
    """Until the page disconnects: each text message parsed and submitted, or refused with an `error` to this page
    (binary, invalid, too many: one rate_limited refusal per half second at most; a page that may only watch:
    read_only). `heard()` is called for each message that arrives within the rate."""
    last_refusal = 0.0

    def refuse(code: str, message: str, field: str | None = None) -> None:
        page.send_message(dumps(error_message(code, message, field)))

    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        if not bucket.take():
            now = time.monotonic()
            if now - last_refusal > 0.5:
                last_refusal = now
                refuse("rate_limited", "too many messages: slow down; the session goes on")
            continue
        if heard is not None:
            heard()
        if page.read_only is not None:
            refuse("read_only", page.read_only)
            continue
        text = message.get("text")
        if text is None:
            refuse("invalid_message", "binary messages are not accepted: send JSON text")
            continue
        try:
            command = parse(text)
        except ProtocolError as error:
            refuse(error.code, error.message, error.field)
            continue
        if not session.submit(command.type, command, origin=page):
            refuse("rate_limited", "the session is busy: slow down")
