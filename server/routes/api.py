"""The session's HTTP API, for what does not fit a WebSocket message: CSV upload and preview, saving and loading the
whole state, and the training data at full precision. Each names its session by the resume token in a header."""
import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...engine import ConfigError, DataError
from ...engine.datasets import LIMITS as DATA_LIMITS
from ...engine.datasets import preview_csv
from .. import protocol
from ..cluster import STORE_ERRORS
from ..cluster.remote import CallFailed, RemoteSession
from ..protocol import ProtocolError
from ..turns import Conflict
from .bodies import read_body, read_text
from .errors import ApiError

TOKEN_HEADER = "x-session-token"
router = APIRouter(prefix="/api")


async def session_of(request: Request):
    """The session whose resume token the request carries — or, in a class, the session the teacher key or a
    student's seat may change (Classroom.session_for_upload) — or ApiError (no_session 403, not_found 404). With
    several processes, a session another process owns is a RemoteSession, which passes the command to it."""
    token = request.headers.get(TOKEN_HEADER)
    if not token:
        raise ApiError(403, "no_session", f"send the session's resume token in the {TOKEN_HEADER} header")
    state = request.app.state
    session = await local_session(state, token)
    if session is None and state.cluster is not None:
        try:
            owner = await state.cluster.owner_of(token)
            if owner is not None:
                session = RemoteSession(state.link, owner, token, lambda: state.registry.take_up(token))
            else:                                   # nobody else holds it: its snapshot, if any, is taken up here
                session = await local_session(state, token) or await state.registry.take_up(token)
        except STORE_ERRORS:
            raise ApiError(503, "internal", "the shared session store (Redis) does not answer; try again") from None
    if session is None:
        raise ApiError(404, "not_found", "no such session: reload the page")
    return session


async def local_session(state, token: str):
    """The session this process holds for a resume token or class credential, else None."""
    session = state.registry.get(token)
    if session is None and state.classroom is not None and state.classroom.hosting:
        session = await state.classroom.session_for_upload(token)
    return session


async def for_peer(app, token: str, kind: str, payload):
    """Another process's call for a session held here (cluster/remote.py): checked again as if it came from a page."""
    state = app.state
    session = await local_session(state, token)
    if session is None:
        raise CallFailed(404, "not_found", "no such session: reload the page")
    if kind == "load_state":
        try:
            payload = protocol.parse_state(protocol.dumps(payload).encode())
        except ProtocolError as error:
            raise CallFailed(400, error.code, error.message[:500]) from None
    elif kind == "load_csv":
        payload = tuple(payload)
    try:
        return await call(session, kind, payload)
    except ApiError as error:
        raise CallFailed(error.status, error.code, error.message) from None


async def call(session, kind: str, payload=None):
    """Run a command in the session's next turn; its refusal becomes an ApiError."""
    try:
        return await session.call(kind, payload)
    except CallFailed as error:
        raise ApiError(error.status, error.code, error.message) from None
    except Conflict as error:
        raise ApiError(409, "conflict", str(error)) from None
    except DataError as error:
        raise ApiError(400, "data_error", str(error)[:500]) from None
    except (ConfigError, ValueError) as error:
        raise ApiError(400, "invalid_config", str(error)[:500]) from None
    except RuntimeError:
        raise ApiError(500, "internal", "the server could not do that") from None


@router.post("/csv")
async def upload_csv(request: Request, label: str, features: str | None = None):
    session = await session_of(request)
    if len(label) > 200 or (features is not None and len(features) > 10_000):
        raise ApiError(400, "invalid_message", "column names are too long")
    text = await read_text(request, DATA_LIMITS["csv_max_bytes"])
    chosen = [name.strip() for name in features.split(",")] if features else None
    return {"ok": True, **await call(session, "load_csv", (text, label, chosen))}


@router.post("/csv/preview")
async def csv_preview(request: Request):
    await session_of(request)
    text = await read_text(request, DATA_LIMITS["csv_max_bytes"])
    try:
        return await asyncio.to_thread(preview_csv, text)
    except DataError as error:
        raise ApiError(400, "data_error", str(error)[:500]) from None


@router.get("/state")
async def save_state(request: Request):
    session = await session_of(request)
    text = await call(session, "save_state")
    return Response(text, media_type="application/json",
                    headers={"Content-Disposition": 'attachment; filename="nnplayground-state.json"',
                             "Cache-Control": "no-store"})


@router.post("/state")
async def load_state(request: Request):
    """A saved state checked field by field (protocol.parse_state), then by the engine (Trainer.from_state);
    a refusal is a 400 whose message names the field."""
    session = await session_of(request)
    raw = await read_body(request, request.app.state.settings.max_state_bytes)
    try:
        state = await asyncio.to_thread(protocol.parse_state, raw)
    except ProtocolError as error:
        raise ApiError(400, error.code, error.message[:500], error.field) from None
    return {"ok": True, **await call(session, "load_state", state)}


@router.get("/data")
async def training_data(request: Request):
    """The rows the session's engine trains and tests on, at full precision (Session._do_data)."""
    session = await session_of(request)
    return Response(await call(session, "data"), media_type="application/json", headers={"Cache-Control": "no-store"})
