"""Request bodies read under a size limit: the declared length is checked first, then what actually arrives."""
from fastapi import Request

from .errors import ApiError


async def read_body(request: Request, limit: int) -> bytes:
    """The body, or ApiError 413 (too_large) as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise ApiError(413, "too_large", f"the upload is larger than the limit of {limit:,} bytes")
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise ApiError(413, "too_large", f"the upload is larger than the limit of {limit:,} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def read_text(request: Request, limit: int) -> str:
    """The body as UTF-8 text, or ApiError 400 (data_error)."""
    try:
        return (await read_body(request, limit)).decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "data_error", "the file must be UTF-8 text") from None
