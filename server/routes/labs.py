"""The two small labs' endpoints, POST /api/one-weight and POST /api/perceptron: one JSON request, one answer
computed by server/labs.py in a worker thread, at most LAB_CALLS_AT_ONCE at a time (app.state.lab_slots)."""
import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...engine import ConfigError
from .. import labs, protocol
from ..protocol import ProtocolError, dumps
from .bodies import read_body
from .errors import ApiError

LAB_CALLS_AT_ONCE = 2           # the labs' answers take milliseconds; a slider drag must not queue up the CPU
router = APIRouter(prefix="/api")


async def answer(request: Request, model, compute) -> Response:
    """Parse the body as `model` (protocol.parse_lab), compute the answer, send it as strict JSON."""
    body = await read_body(request, protocol.LAB_BODY_BYTES)
    try:
        message = protocol.parse_lab(model, body)
    except ProtocolError as error:
        raise ApiError(413 if error.code == "too_large" else 400, error.code, error.message) from None
    async with request.app.state.lab_slots:
        try:
            result = await asyncio.to_thread(compute, message)
        except ConfigError as error:
            raise ApiError(400, "invalid_config", str(error)[:500]) from None
    # strict JSON straight from the dict: FastAPI's generic encoder is ~50× slower on a long path or log
    return Response(dumps(result), media_type="application/json")


@router.post("/one-weight")
async def one_weight(request: Request):
    return await answer(request, protocol.OneWeightRequest, labs.one_weight_path)


@router.post("/perceptron")
async def perceptron(request: Request):
    return await answer(request, protocol.PerceptronRequest, labs.perceptron_result)


def slots() -> asyncio.Semaphore:
    """An app's lab slots (app.state.lab_slots)."""
    return asyncio.Semaphore(LAB_CALLS_AT_ONCE)
