"""The session's HTTP API, for what does not fit a WebSocket message: CSV upload and preview, saving and loading the
whole state, and the training data at full precision. Each names its session by the resume token in a header."""
import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...engine import ConfigError, DataError
from ...engine.datasets import LIMITS as DATA_LIMITS
from ...engine.datasets import preview_csv
from .. import protocol
from ..protocol import ProtocolError
from ..turns import Conflict
from .bodies import read_body, read_text
from .errors import ApiError

TOKEN_HEADER = "x-session-token"
router = APIRouter(prefix="/api")


async def session_of(request: Request):
    """The session whose resume token the request carries — or, in a class, the session the teacher key or a
    student's seat may change (Classroom.session_for_upload) — or ApiError (no_session 403, not_found 404)."""
    token = request.headers.get(TOKEN_HEADER)
    if not token:
        raise ApiError(403, "no_session", f"send the session's resume token in the {TOKEN_HEADER} header")
    session = request.app.state.registry.get(token)
    classroom = request.app.state.classroom
    if session is None and classroom is not None:
        session = await classroom.session_for_upload(token)
    if session is None:
        raise ApiError(404, "not_found", "no such session: reload the page")
    return session


async def call(session, kind: str, payload=None):
    """Run a command in the session's next turn; its refusal becomes an ApiError."""
    try:
        return await session.call(kind, payload)
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
