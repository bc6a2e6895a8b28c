"""The teacher's dashboard: one card per student from their session's newest frame and summary, and a small output
map cut from that frame's bytes (no drawing: the maps were drawn for the student's own page)."""
import base64
import math
import struct

import numpy as np

from ..frames import Frame
from ..protocol import BLOCK_HEADER, FRAME_HEADER, MAP_HEADER, struct_format

THUMB_SIDE = 24                 # a card's map is at most this many cells a side
_FRAME = struct.Struct(struct_format(FRAME_HEADER))
_BLOCK = struct.Struct(struct_format(BLOCK_HEADER))
_MAP = struct.Struct(struct_format(MAP_HEADER))


def thumbnail(frame: Frame, task: str) -> dict | None:
    """The frame's output maps (count, G²) as a card shows them: every k-th cell of each side so that the side is
    at most THUMB_SIDE, with the frame's lo and hi per map; None when the frame carries no maps."""
    if not frame.meta.get("maps") or "output" not in frame.meta["maps"]:
        return None
    _, _, params = _FRAME.unpack_from(frame.binary, 0)
    at = _FRAME.size + 4 * params
    count, size = _BLOCK.unpack_from(frame.binary, at)
    at += _BLOCK.size
    step = max(1, math.ceil(size / THUMB_SIDE))
    lo, hi, codes = [], [], []
    for _ in range(count):
        low, high = _MAP.unpack_from(frame.binary, at)
        at += _MAP.size
        cells = np.frombuffer(frame.binary, np.uint8, size * size, at).reshape(size, size)
        at += size * size
        lo.append(float(low))
        hi.append(float(high))
        codes.append(cells[::step, ::step])
    side = codes[0].shape[0]
    return {"size": side, "count": count, "task": task, "lo": lo, "hi": hi,
            "q": base64.b64encode(np.stack(codes).tobytes()).decode("ascii")}


def card(member, session, active: bool, idle_seconds: float, thumb: dict | None) -> dict:
    """A student's card: who, whether a page of theirs is open, and their network as of its newest frame (all None
    before their first frame)."""
    summary = getattr(session, "summary", None) if session is not None else None
    base = {"member": member.id, "name": member.name, "active": active, "idle_seconds": round(idle_seconds, 1)}
    if summary is None:
        return {**base, "state": None, "epoch": None, "train_loss": None, "test_loss": None, "test_accuracy": None,
                "shape": None, "n_params": None, "dataset": None, "map": None}
    return {**base, "state": session.state, "epoch": summary["epoch"], "train_loss": _finite(summary["train"], "loss"),
            "test_loss": _finite(summary["test"], "loss"), "test_accuracy": _finite(summary["test"], "accuracy"),
            "shape": summary["shape"], "n_params": summary["n_params"], "dataset": summary["dataset"], "map": thumb}


def _finite(part: dict, name: str) -> float | None:
    value = part.get(name)
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None
