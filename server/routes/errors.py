"""HTTP refusals as the WebSocket's: every error answer is a protocol ``error`` message (protocol.error_message) with
a status code; never a traceback or a path."""
import logging

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from ..protocol import error_message
from ..security import COMMON_HEADERS

log = logging.getLogger("nnplayground")


class ApiError(Exception):
    """A refused request: HTTP `status`, an ERROR_CODES `code` and a plain-words `message`."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


async def api_error(request: Request, error: ApiError):
    return JSONResponse(error_message(error.code, error.message, error.field), status_code=error.status)


async def invalid_request(request: Request, error: RequestValidationError):
    first = error.errors()[0] if error.errors() else {}
    where = ".".join(str(p) for p in first.get("loc", ())[1:])
    return JSONResponse(error_message("invalid_message", f"{where}: {first.get('msg', 'invalid request')}"),
                        status_code=400)


async def http_error(request: Request, error: StarletteHTTPException):
    code = "not_found" if error.status_code == 404 else "invalid_message"
    message = "not found" if error.status_code == 404 else "request refused"
    return JSONResponse(error_message(code, message), status_code=error.status_code)


async def client_gone(request: Request, error: ClientDisconnect):
    # the client left in the middle of sending its request (reset, or closed by the request deadline): not the
    # server's error, so no traceback; nobody reads this answer
    return Response(status_code=400)


async def internal_error(request: Request, error: Exception):
    log.exception("request failed")
    # starlette answers an unexpected error outside every middleware: this reply sets the headers itself
    return JSONResponse(error_message("internal", "the server could not do that"), status_code=500,
                        headers=COMMON_HEADERS)


HANDLERS = {ApiError: api_error, RequestValidationError: invalid_request, StarletteHTTPException: http_error,
            ClientDisconnect: client_gone, Exception: internal_error}
