"""The HTTP API's commands for a session another process owns (an upload that landed on the wrong process): sent
to the owner as a request, run there as if they had arrived there, the answer or refusal sent back."""
import asyncio
from typing import Awaitable, Callable

from ..protocol import ProtocolError, dumps, loads_strict
from . import records
from .link import STORE_ERRORS, Link, PeerGone

CALL_SECONDS = 30.0             # an upload's command may wait for a busy session's turn


class CallFailed(Exception):
    """The owner refused the command: an HTTP status, an error code and plain words."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class RemoteSession:
    """A session as routes/api.py sees it, owned by process `owner`: only `call`. `take_over()`: the session taken
    up here from its snapshot (or None), used when the owner dies before it answers."""

    def __init__(self, link: Link, owner: str, token: str,
                 take_over: Callable[[], Awaitable[object | None]] | None = None):
        self.link, self.owner, self.token, self.take_over = link, owner, token, take_over

    async def call(self, kind: str, payload=None):
        try:
            reply, body = await self.link.request(self.owner, {"op": "call", "token": self.token, "kind": kind},
                                                  dumps(payload).encode(), timeout=CALL_SECONDS, watch=True)
        except asyncio.TimeoutError:
            raise CallFailed(503, "internal", "the server process that holds this session did not answer") from None
        except STORE_ERRORS:
            raise CallFailed(503, "internal", "the shared session store (Redis) does not answer; try again") from None
        except PeerGone:                    # the owner died: its last snapshot is taken up here
            try:
                session = await self.take_over() if self.take_over is not None else None
            except STORE_ERRORS:
                session = None
            if session is None:
                raise CallFailed(503, "internal", "the server process that held this session stopped; try again") \
                    from None
            return await session.call(kind, payload)
        try:
            value = loads_strict(body)
        except ValueError:
            raise CallFailed(500, "internal", "the server could not do that") from None
        if reply.ok:
            return value
        raise CallFailed(reply.status or 500, reply.error or "internal", str(value)[:500])


def serve_calls(link: Link, run: Callable[[str, str, object], Awaitable[object]]) -> None:
    """Answer other processes' calls with `run(token, kind, payload)`, which raises CallFailed to refuse."""

    async def answer(request: records.Envelope, body: bytes) -> None:
        try:
            payload = loads_strict(body)
            if request.kind == "load_csv":          # (text, label, features) as the route made it
                text, label, features = payload
                if not isinstance(text, str) or not isinstance(label, str) \
                        or not (features is None or isinstance(features, list)
                                and all(isinstance(f, str) for f in features)):
                    raise ValueError
            value = await run(request.token or "", request.kind, payload)
            await link.reply(request, {"ok": True}, dumps(value).encode())
        except CallFailed as error:
            await link.reply(request, {"ok": False, "status": error.status, "error": error.code},
                             dumps(error.message).encode())
        except (ValueError, TypeError, ProtocolError):
            await link.reply(request, {"ok": False, "status": 400, "error": "invalid_message"},
                             dumps("the request was refused").encode())

    link.handlers["call"] = answer
