"""Everything this process reads from Redis, checked by models as strict as the wire's before it is used: the
envelope of a message between processes, and a session's snapshot (its state checked by protocol.SavedState, the
model POST /api/state uses). Nothing in Redis is trusted: another program may have written any key."""
import hashlib
from typing import Annotated, Literal

from pydantic import Field, ValidationError

from ..protocol import MAX_SPEED, STATES, SavedState, Strict, dumps, loads_strict

PROCESS_ID = r"^[0-9a-f]{12}$"
REQUEST_ID = r"^[0-9a-f]{16}$"
SESSION_KEY = r"^[0-9a-f]{32}$"
TOKEN = r"^[A-Za-z0-9_-]{16,64}$"              # a resume token (secrets.token_urlsafe(24) gives 32 characters)
TUNNEL_PATHS = ("/ws", "/ws/class", "/ws/class/view")
OPS = ("open", "in", "in_bytes", "out", "out_bytes", "close",       # a tunnelled socket (tunnel.py)
       "release", "call", "reply")                                   # requests between processes (keeper.py)
CALLS = ("load_csv", "load_state", "save_state", "data")              # the HTTP API's commands (routes/api.py)
MAX_PAYLOAD = 8_000_000         # bytes after an envelope: a message or frame of a page, or an upload's text
SNAPSHOT_VERSION = 1
MAX_SNAPSHOT = 64_000_000       # bytes of a snapshot (the largest network and data set the limits allow fit)
MAX_ROW = 1000                  # bytes of one history row

ProcessId = Annotated[str, Field(pattern=PROCESS_ID)]
Short = Annotated[str, Field(max_length=200)]


class Envelope(Strict):
    """The JSON line before a message's payload on a process's inbox channel (link.py)."""
    op: Literal[OPS]
    sender: ProcessId
    tid: Annotated[str, Field(pattern=REQUEST_ID)] | None = None        # a tunnel
    rid: Annotated[str, Field(pattern=REQUEST_ID)] | None = None        # a request and its reply
    path: Literal[TUNNEL_PATHS] | None = None
    query: Annotated[dict[Annotated[str, Field(max_length=20)], Annotated[str, Field(max_length=200)]],
                     Field(max_length=10)] | None = None
    host: Short | None = None
    token: Annotated[str, Field(max_length=120)] | None = None          # a session's resume token or class credential
    kind: Literal[CALLS] | None = None
    code: Annotated[int, Field(ge=1000, le=4999)] | None = None
    reason: Annotated[str, Field(max_length=123)] | None = None
    ok: bool | None = None
    status: Annotated[int, Field(ge=200, le=599)] | None = None
    error: Annotated[str, Field(max_length=40)] | None = None


class Snapshot(Strict):
    """A session as Redis keeps it: its id, speed and state besides the trainer's saved state."""
    version: Literal[SNAPSHOT_VERSION]
    id: Annotated[str, Field(pattern=r"^[0-9a-f]{12}$")]
    speed: Annotated[int, Field(ge=0, le=MAX_SPEED)]
    state: Literal[STATES]
    trainer: SavedState


def session_key(token: str) -> str:
    """The Redis name of a session: a digest of its resume token, so Redis never holds a token a page could use."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def split(message: bytes) -> tuple[Envelope, bytes]:
    """A message from a process inbox → its envelope and payload (ValueError when anything is off)."""
    if not isinstance(message, bytes) or len(message) > MAX_PAYLOAD + 4096:
        raise ValueError("not a message between processes")
    head, _, payload = message.partition(b"\n")
    try:
        return Envelope.model_validate(loads_strict(head)), payload
    except (ValidationError, RecursionError, UnicodeDecodeError) as error:
        raise ValueError(f"a message between processes was refused: {str(error)[:200]}") from None


def join(envelope: dict, payload: bytes = b"") -> bytes:
    return dumps(envelope).encode() + b"\n" + payload


def dump_snapshot(session_id: str, speed: int, state: str, trainer: dict) -> str:
    """The snapshot's JSON; `trainer` without its history (the rows are kept as a list of their own)."""
    return dumps({"version": SNAPSHOT_VERSION, "id": session_id, "speed": speed, "state": state, "trainer": trainer})


def load_snapshot(raw: bytes, rows: list[bytes]) -> Snapshot:
    """A snapshot read from Redis with its history rows (kept apart, see keeper.py), checked field by field
    (ValueError when anything is off)."""
    if len(raw) > MAX_SNAPSHOT or any(len(row) > MAX_ROW for row in rows):
        raise ValueError("a session snapshot was refused: it is larger than any session can be")
    try:
        data = loads_strict(raw)
        if not isinstance(data, dict) or not isinstance(data.get("trainer"), dict) or "history" in data["trainer"]:
            raise ValueError("a snapshot is an object whose trainer holds no history")
        data["trainer"]["history"] = [loads_strict(row) for row in rows]
        return Snapshot.model_validate(data)
    except (ValidationError, RecursionError, UnicodeDecodeError) as error:
        raise ValueError(f"a session snapshot was refused: {str(error)[:300]}") from None
