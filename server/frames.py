"""Encoding of what a session shows: the `frame` text message and its binary twin, and the other state messages.

Everything here runs in an engine worker thread, between training chunks, so it may read the trainer freely.
Text is strict JSON: every float goes through ``finite_or_none`` (a non-finite number becomes null, and the frame's
``state``/``divergence``/``nonfinite_params`` say why). The binary layout is written out in ``server/protocol.py``.
"""
import struct
from dataclasses import dataclass, field

import numpy as np

from engine.grid import grid_inputs, unit_maps
from engine.jit import kernel
from engine.mistakes import misclassified
from engine.warp import warped_space

from .protocol import dumps, finite_or_none

MAGIC = b"NNP1"
F32_MAX = float(np.finfo(np.float32).max)
MAP_LIMIT = 1e30       # map values are clamped to ±MAP_LIMIT so that hi − lo stays finite even in float32
_HEADER = struct.Struct("<4sII")
_BLOCK = struct.Struct("<HH")
_DIGITS = 4            # decimals kept for data points on the wire (the plane is 12 units wide)
MAX_REFUSED = 100      # refused CSV rows listed in a data message (n_refused counts them all)


@dataclass
class Frame:
    """One encoded snapshot, shared by every subscriber of a session."""
    seq: int
    meta: dict                  # the frame message without `history`
    rows: list                  # history rows added since the previous frame
    text: str                   # meta + rows, encoded
    binary: bytes
    extras: list = field(default_factory=list)   # texts sent right after the frame: inspection, opt-in views

    def text_with(self, rows: list) -> str:
        """The frame message carrying `rows` instead of its own (for a subscriber that missed frames)."""
        return self.text if rows is self.rows else dumps({**self.meta, "history": rows})


@dataclass
class MapCache:
    """Grid inputs and encoded input-map blocks, kept per (size, features) so a frame costs one pass per size, and
    the last frame's map blocks."""
    inputs: dict = field(default_factory=dict)
    blocks: dict = field(default_factory=dict)
    last_maps: tuple | None = None      # (what they were drawn from, (map blocks, layout)) of the last frame

    def grid(self, size: int, features) -> np.ndarray:
        key = (size, tuple(features))
        if key not in self.inputs:
            if len(self.inputs) > 8:
                self.inputs.clear()
                self.blocks.clear()
            self.inputs[key] = grid_inputs(size, features)
        return self.inputs[key]

    def input_block(self, size: int, features) -> bytes:
        key = (size, tuple(features))
        if key not in self.blocks:
            self.blocks[key] = quantise(self.grid(size, features), size)
        return self.blocks[key]


@kernel
def _quantise_rows(maps, lo, hi, q):
    """Per row m of maps (M, N) float32: lo[m], hi[m] = min, max (NaN counted as 0, values clamped to
    ±MAP_LIMIT) and q[m, p] = round((v − lo) / (hi − lo) · 255) as u8 (0 when hi == lo)."""
    limit = np.float32(MAP_LIMIT)
    for m in range(maps.shape[0]):
        low, high = limit, -limit
        for p in range(maps.shape[1]):
            v = maps[m, p]
            if v != v:
                v = np.float32(0.0)
            v = min(max(v, -limit), limit)
            low = min(low, v)
            high = max(high, v)
        if low > high:
            low, high = np.float32(0.0), np.float32(0.0)
        span = np.float64(high) - np.float64(low)
        scale = 255.0 / span if span > 0 else 0.0
        for p in range(maps.shape[1]):
            v = maps[m, p]
            if v != v:
                v = np.float32(0.0)
            v = min(max(v, -limit), limit)
            x = (np.float64(v) - np.float64(low)) * scale + 0.5
            q[m, p] = np.uint8(min(max(x, 0.0), 255.0))
        lo[m], hi[m] = low, high


def quantise(maps: np.ndarray, size: int) -> bytes:
    """A block of maps (M, G²) float32 → u16 M, u16 G, then per map f32 lo, f32 hi, u8[G²] with
    q = round((v − lo) / (hi − lo) · 255). Values are clamped to ±MAP_LIMIT and NaN becomes 0, so the block is
    always finite and decodable."""
    maps = np.ascontiguousarray(maps, dtype=np.float32)
    count, cells = maps.shape[0], size * size
    block = np.empty(_BLOCK.size + count * (8 + cells), dtype=np.uint8)
    _BLOCK.pack_into(block, 0, count, size)
    records = block[_BLOCK.size:].reshape(count, 8 + cells)       # each: lo, hi (8 bytes), then the G² codes
    limits = np.empty((count, 2), dtype="<f4")
    _quantise_rows(maps, limits[:, 0], limits[:, 1], records[:, 8:])
    records[:, :8] = limits.view(np.uint8)
    return block.tobytes()


def dequantise(block: bytes, offset: int = 0) -> tuple[np.ndarray, int]:
    """Inverse of quantise for tests and other clients: (maps (M, G²) float32, offset after the block)."""
    count, size = _BLOCK.unpack_from(block, offset)
    offset += _BLOCK.size
    record = np.frombuffer(block, dtype=[("lo", "<f4"), ("hi", "<f4"), ("q", "u1", (size * size,))],
                           count=count, offset=offset)
    lo, hi = record["lo"].astype(np.float64), record["hi"].astype(np.float64)
    maps = lo[:, None] + record["q"] / 255.0 * (hi - lo)[:, None]
    return maps.astype(np.float32), offset + record.nbytes


def params_f32(params: np.ndarray) -> tuple[bytes, int]:
    """Parameters as little-endian float32 and how many were not finite (NaN → 0, ±inf → ±float32 max)."""
    if (np.abs(params) <= F32_MAX).all():        # the usual case: every weight finite and within float32's range
        return params.astype("<f4").tobytes(), 0
    bad = int(params.size - np.count_nonzero(np.isfinite(params)))
    clean = np.clip(np.nan_to_num(params, nan=0.0), -F32_MAX, F32_MAX)
    return clean.astype("<f4").tobytes(), bad


def encode_frame(seq: int, trainer, *, state: str, speed: int, rows: list, grid_size: int, unit_size: int,
                 focus: int | None, cache: MapCache, epochs_per_second: float) -> Frame:
    """The frame message and its binary frame for the trainer as it is now."""
    params, bad = params_f32(trainer.params)
    maps, layout = _map_blocks(trainer, grid_size, unit_size, focus, cache) if trainer.data.is_plane and not bad \
        else (b"", None)
    meta = {
        "type": "frame", "seq": seq, "state": state, "speed": speed, "counters": trainer.counters(),
        "metrics": trainer.metrics(), "maps": layout, "divergence": trainer.divergence,
        "n_params": int(trainer.params.size), "nonfinite_params": bad,
        "epochs_per_second": round(float(epochs_per_second), 1),
    }
    try:
        text = dumps({**meta, "history": rows})
    except ValueError:            # a loss or metric is not finite: send null for it (the state says why)
        meta, rows = finite_or_none(meta), finite_or_none(rows)
        text = dumps({**meta, "history": rows})
    binary = b"".join((_HEADER.pack(MAGIC, seq & 0xFFFFFFFF, trainer.params.size), params, maps))
    return Frame(seq, meta, rows, text, binary)


def _map_blocks(trainer, grid_size: int, unit_size: int, focus: int | None, cache: MapCache) -> tuple[bytes, dict]:
    """The quantised map blocks of a frame (output, every unit, inputs, focused unit) and their layout. While the
    weights and the view stay the same (a paused network, several frames for one edit) the last ones are reused."""
    sizes = trainer.layout.sizes
    features = trainer.config.features
    key = (trainer.params.tobytes(), trainer.layout.table.tobytes(), features, grid_size, unit_size, focus)
    if cache.last_maps is not None and cache.last_maps[0] == key:
        return cache.last_maps[1]
    n_out = sizes[-1]
    table = trainer.layout.table
    full = np.empty((sum(sizes) - sizes[0], grid_size * grid_size), dtype=np.float32)
    unit_maps(trainer.params, table, cache.grid(grid_size, features), full)
    small = np.empty((full.shape[0], unit_size * unit_size), dtype=np.float32)
    unit_maps(trainer.params, table, cache.grid(unit_size, features), small)
    parts = [quantise(full[-n_out:], grid_size), quantise(small, unit_size), cache.input_block(unit_size, features)]
    layout = {"output": {"count": n_out, "size": grid_size},
              "units": {"count": small.shape[0], "size": unit_size},
              "inputs": {"count": sizes[0], "size": unit_size}}
    if focus is not None and focus < full.shape[0]:
        parts.append(quantise(full[focus:focus + 1], grid_size))
        layout["focus"] = {"count": 1, "size": grid_size, "unit": focus}
    cache.last_maps = (key, (b"".join(parts), layout))
    return cache.last_maps[1]


def config_message(trainer, change: str, *, grid_size: int, unit_size: int, speed: int) -> dict:
    c = trainer.config
    return {"type": "config", "config": finite_or_none(c.as_dict()), "change": change,
            "network": {"sizes": list(trainer.layout.sizes), "activations": list(c.layer_activations),
                        "n_params": int(trainer.layout.n_params)},
            "grid_size": grid_size, "unit_size": unit_size, "speed": speed}


def data_message(trainer) -> dict:
    d = trainer.data
    train, test = [], []
    if d.is_plane:
        table = np.column_stack([np.round(d.points, _DIGITS), d.labels.astype(np.float64)])
        train, test = table[trainer.train_idx].tolist(), table[trainer.test_idx].tolist()
    refused = [{"row": r.row, "column": r.column, "reason": r.reason} for r in d.refused[:MAX_REFUSED]]
    return {"type": "data", "task": d.task, "n_classes": int(d.n_classes), "class_names": list(d.class_names),
            "columns": list(d.columns), "is_plane": bool(d.is_plane), "train": finite_or_none(train),
            "test": finite_or_none(test), "n_train": int(len(trainer.train_idx)), "n_test": int(len(trainer.test_idx)),
            "refused": refused, "n_refused": len(d.refused),
            "scaling": None if d.scaling is None else dict(zip(("divisor", "scale", "offset"), map(list, d.scaling)))}


def history_message(trainer) -> dict:
    return {"type": "history", "rows": finite_or_none(trainer.history)}


def inspection_message(trainer, point: list, label, follow: bool) -> dict:
    result = trainer.inspect(point, label)
    return {"type": "inspection", "point": list(point), "label": label, "follow": follow,
            **finite_or_none(result)}


def warp_message(trainer, layer: int, units: tuple[int, int]) -> dict:
    """The warped-space view (engine.warp) of hidden layer `layer` through `units`, both clamped to the network;
    without a plane or a hidden layer, empty lists and a `message` saying why."""
    hidden = [int(n) for n in trainer.layout.sizes[1:-1]]
    empty = {"type": "warp", "layer": None, "units": [], "hidden": hidden, "horizontal": [], "vertical": [],
             "points": [], "labels": [], "bounds": [0.0, 0.0]}
    if not trainer.data.is_plane:
        return {**empty, "message": "the warped view needs data on the plane (two inputs)"}
    if not hidden:
        return {**empty, "message": "add a hidden layer to see how it warps the plane"}
    layer = min(layer, len(hidden) - 1)
    units = [min(u, hidden[layer] - 1) for u in units]
    view = warped_space(trainer, layer, *units)
    rounded = {key: _rounded_list(view[key]) for key in ("horizontal", "vertical", "points", "bounds")}
    return {"type": "warp", "layer": layer, "units": units, "hidden": hidden, **rounded,
            "labels": np.asarray(view["labels"], dtype=np.float64).tolist(), "message": None}


def _rounded_list(values) -> list:
    """Nested numbers rounded to _DIGITS decimals, non-finite ones as None (the slow walk only when there are any)."""
    array = np.round(np.asarray(values, dtype=np.float64), _DIGITS)
    return array.tolist() if np.isfinite(array).all() else finite_or_none(array.tolist())


def mistakes_message(trainer, limit: int) -> dict | None:
    """Misclassified test examples (engine.mistakes), or None when the task is not classification."""
    if trainer.config.task == "regression":
        return None
    result = misclassified(trainer, limit)
    for mistake in result["shown"]:
        mistake["input"] = np.round(np.asarray(mistake["input"]), _DIGITS).tolist()
    return {"type": "mistakes", "epoch": int(trainer.epoch), **finite_or_none(result)}
