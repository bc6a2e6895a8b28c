"""Encoding of what a session shows: the `frame` text message and its binary twin, and the other state messages.

Everything here runs in an engine worker thread, between training chunks, so it may read the trainer freely.
Text is strict JSON: every float goes through ``finite_or_none`` (a non-finite number becomes null, and the frame's
``state``/``divergence``/``nonfinite_params`` say why). The binary layout is written out in ``server/protocol.py``.
"""
import functools
import math
import struct
import time
from dataclasses import dataclass, field

import numpy as np

from ..engine.diagnosis import Checkup
from ..engine.grid import grid_inputs, unit_maps
from ..engine.jit import kernel
from ..engine.mistakes import misclassified
from ..engine.warp import warped_space

from .protocol import BLOCK_HEADER, FRAME_HEADER, FRAME_MAGIC, LEVELS, dumps, finite_or_none, struct_format

F32_MAX = float(np.finfo(np.float32).max)
MAP_LIMIT = 1e30       # map values are clamped to ±MAP_LIMIT so that hi − lo stays finite even in float32
_HEADER = struct.Struct(struct_format(FRAME_HEADER))
_BLOCK = struct.Struct(struct_format(BLOCK_HEADER))
_DIGITS = 4            # decimals kept for data points on the wire (the plane is 12 units wide)
MAX_REFUSED = 100      # refused CSV rows listed in a data message (n_refused counts them all)
MIN_SLICE = 64         # grid points a map job computes per kernel call at least
MIN_WEIGHT = 1000      # a network's cost per point is counted as at least this many parameters (call overheads)


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
    """A session's last maps drawn, the map job under way, and what a grid point costs to draw."""
    last_maps: tuple | None = None      # (map_key they were drawn from, (map blocks, layout)) of the last maps drawn
    job: "MapJob | None" = None         # maps being drawn in pieces (see MapJob)
    point_seconds: float = 1.5e-10      # measured seconds per grid point and parameter (see MapJob.cost)
    checkup: Checkup = field(default_factory=Checkup)   # the frame's `diagnosis`, renewed at most once a second


@functools.lru_cache(maxsize=16)
def shared_grid(size: int, features: tuple) -> np.ndarray:
    """Grid inputs (engine.grid.grid_inputs) of one size and feature set, shared by every session (never written):
    one copy stays in the CPU's cache for a hundred sessions."""
    return grid_inputs(size, features)


@functools.lru_cache(maxsize=16)
def input_block(size: int, features: tuple) -> bytes:
    """The quantised block of the input maps (shared_grid): the same for every network with these features."""
    return quantise(shared_grid(size, features), size)


_LIMIT_KEY = int(np.float32(MAP_LIMIT).view(np.int32))     # the float32 bits of MAP_LIMIT, as an integer


@kernel
def _quantise_rows(maps, records):
    """Per row m of maps (M, N) float32, records[m] (8 + N bytes) = f32 lo, f32 hi, u8 q[N] with lo, hi = min, max
    (NaN counted as 0, values clamped to ±MAP_LIMIT) and q = round((v − lo) / (hi − lo) · 255) (0 when hi == lo).

    min and max run on the float32 bits mapped to integers in the floats' order (b ≥ 0: b; else −1 − |b|, with
    NaN and −0 taken as +0), which vectorises where a float min does not. lo and hi are written in the machine's
    byte order: little-endian on every CPU numba compiles for."""
    bits = maps.view(np.int32)
    limits = np.empty(2, dtype=np.float32)
    keys, limit_bytes = limits.view(np.int32), limits.view(np.uint8)
    top, bottom = _LIMIT_KEY, -1 - _LIMIT_KEY
    limit = np.float32(MAP_LIMIT)
    for m in range(maps.shape[0]):
        low, high = top, bottom
        for p in range(maps.shape[1]):
            b = bits[m, p]
            magnitude = b & 0x7FFFFFFF
            key = b if b >= 0 else -1 - magnitude
            key = 0 if magnitude > 0x7F800000 or magnitude == 0 else key
            key = min(max(key, bottom), top)
            low = min(low, key)
            high = max(high, key)
        if low > high:                      # no values
            low, high = 0, 0
        keys[0] = low if low >= 0 else (-1 - low) | -0x80000000
        keys[1] = high if high >= 0 else (-1 - high) | -0x80000000
        span = np.float64(limits[1]) - np.float64(limits[0])
        scale = 255.0 / span if span > 0 else 0.0
        lo = np.float64(limits[0])
        codes = records[m, 8:]
        for p in range(maps.shape[1]):
            v = maps[m, p]
            if v != v:
                v = np.float32(0.0)
            v = min(max(v, -limit), limit)
            x = (np.float64(v) - lo) * scale + 0.5
            codes[p] = np.uint8(min(max(x, 0.0), 255.0))
        records[m, :8] = limit_bytes


def block_bytes(count: int, size: int) -> int:
    """Bytes of a block of `count` maps of side `size` (see quantise)."""
    return _BLOCK.size + count * (8 + size * size)


def quantise_into(maps: np.ndarray, size: int, out: np.ndarray, offset: int) -> int:
    """Write the block of maps (M, G²) float32 (see quantise) into out (u8) at `offset`; returns the offset after."""
    count, end = maps.shape[0], offset + block_bytes(maps.shape[0], size)
    _BLOCK.pack_into(out, offset, count, size)
    _quantise_rows(maps, out[offset + _BLOCK.size:end].reshape(count, 8 + size * size))
    return end


def quantise(maps: np.ndarray, size: int) -> bytes:
    """A block of maps (M, G²) float32 → u16 M, u16 G, then per map f32 lo, f32 hi, u8[G²] with
    q = round((v − lo) / (hi − lo) · 255). Values are clamped to ±MAP_LIMIT and NaN becomes 0, so the block is
    always finite and decodable."""
    maps = np.ascontiguousarray(maps, dtype=np.float32)
    block = np.empty(block_bytes(maps.shape[0], size), dtype=np.uint8)
    quantise_into(maps, size, block, 0)
    return block.tobytes()


def dequantise(block: bytes, offset: int = 0) -> tuple[np.ndarray, int]:
    """Inverse of quantise for tests and other clients: (maps (M, G²) float32, offset after the block)."""
    count, size = _BLOCK.unpack_from(block, offset)
    offset += _BLOCK.size
    record = np.frombuffer(block, dtype=[("lo", "<f4"), ("hi", "<f4"), ("q", "u1", (size * size,))],
                           count=count, offset=offset)
    lo, hi = record["lo"].astype(np.float64), record["hi"].astype(np.float64)
    maps = lo[:, None] + record["q"] / float(LEVELS) * (hi - lo)[:, None]
    return maps.astype(np.float32), offset + record.nbytes


def params_f32(params: np.ndarray) -> tuple[bytes, int]:
    """Parameters as little-endian float32 and how many were not finite (NaN → 0, ±inf → ±float32 max)."""
    if (np.abs(params) <= F32_MAX).all():        # the usual case: every weight finite and within float32's range
        return params.astype("<f4").tobytes(), 0
    bad = int(params.size - np.count_nonzero(np.isfinite(params)))
    clean = np.clip(np.nan_to_num(params, nan=0.0), -F32_MAX, F32_MAX)
    return clean.astype("<f4").tobytes(), bad


def encode_frame(seq: int, trainer, *, state: str, speed: int, rows: list, grid_size: int, unit_size: int,
                 focus: int | None, cache: MapCache, epochs_per_second: float, maps: tuple | None = None,
                 limited: dict | None = None) -> Frame:
    """The frame message and its binary frame for the trainer as it is now. `maps` (blocks, layout) are drawn here
    unless given (a session drawing a large network's maps in pieces passes the last ones it finished);
    `limited` says how a heavy network's maps are cut down (see Session._map_sides)."""
    params, bad = params_f32(trainer.params)
    if not trainer.data.is_plane or bad:
        maps = (b"", None)
    elif maps is None:
        maps = _map_blocks(trainer, grid_size, unit_size, focus, cache)
    meta = {
        "type": "frame", "seq": seq, "state": state, "speed": speed, "counters": trainer.counters(),
        "metrics": trainer.metrics(), "maps": maps[1], "divergence": trainer.divergence,
        "n_params": int(trainer.params.size), "nonfinite_params": bad,
        "epochs_per_second": round(float(epochs_per_second), 1), "limited": limited if maps[1] else None,
        "diagnosis": cache.checkup(trainer),
    }
    try:
        text = dumps({**meta, "history": rows})
    except ValueError:            # a loss or metric is not finite: send null for it (the state says why)
        meta, rows = finite_or_none(meta), finite_or_none(rows)
        text = dumps({**meta, "history": rows})
    binary = b"".join((_HEADER.pack(FRAME_MAGIC, seq & 0xFFFFFFFF, trainer.params.size), params, maps[0]))
    return Frame(seq, meta, rows, text, binary)


def drawable(trainer) -> bool:
    """Whether a frame carries maps: the data is on the plane and every weight is finite in float32."""
    return trainer.data.is_plane and bool((np.abs(trainer.params) <= F32_MAX).all())


def map_key(trainer, grid_size: int, unit_size: int, focus: int | None) -> tuple:
    """What a frame's maps are drawn from: (weights, network, features, output side, neuron side, focused unit).
    Maps whose keys agree in the network and the features have blocks of the same counts."""
    return (trainer.params.tobytes(), trainer.layout.table.tobytes(), trainer.config.features, grid_size,
            unit_size, focus)


def map_sides(grid: int, unit: int, points: float) -> tuple[int, int]:
    """The largest sides up to (grid, unit) whose grid points G² + u² fit in `points`: the neuron maps go down to
    16 a side first, then the output map to 32, then the neuron maps to 8 and the output map to 16 at least (never
    above what was asked). Sides are cut to multiples of 4 so that a share that wavers does not change them."""
    if grid * grid + unit * unit <= points:
        return grid, unit
    for u, floor in ((min(unit, 16), min(grid, 32)), (min(unit, 8), min(grid, 16))):
        g = min(grid, math.isqrt(max(int(points) - u * u, 0)))
        g = g - g % 4 if g > 16 else g
        if g >= floor:
            return g, u
    return floor, u


class MapJob:
    """The map blocks of one frame, drawn from a copy of the weights one slice of grid points at a time, so that
    the maps of a large network can be spread over many short turns: first the output units (and the focused one)
    at the output side, then every unit at the neuron side. Each slice is a forward pass of every unit over its
    points (engine.grid.unit_maps); only the rows a block needs are kept."""

    def __init__(self, trainer, key: tuple, grid_size: int, unit_size: int, focus: int | None, cache: MapCache):
        sizes = trainer.layout.sizes
        self.key, self.cache = key, cache
        self.params, self.table = trainer.params.copy(), trainer.layout.table.copy()
        self.features, self.grid, self.unit = tuple(trainer.config.features), grid_size, unit_size
        self.n_inputs, self.n_units, self.n_out = sizes[0], sum(sizes) - sizes[0], sizes[-1]
        self.weight = max(int(trainer.params.size), MIN_WEIGHT)
        self.focus = focus if focus is not None and focus < self.n_units else None
        self.passes = (shared_grid(grid_size, self.features), shared_grid(unit_size, self.features))
        # the output units, then the focused one, at the output side; every unit at the neuron side
        self.top = np.empty((self.n_out + (self.focus is not None), grid_size * grid_size), dtype=np.float32)
        self.units = np.empty((self.n_units, unit_size * unit_size), dtype=np.float32)
        self.stage = 0          # which pass is under way (2: done)
        self.done = 0           # points of that pass computed

    def cost(self) -> float:
        """Estimated seconds still to compute."""
        left = sum(inputs.shape[1] for inputs in self.passes[self.stage:]) - self.done
        return left * self.weight * self.cache.point_seconds

    def run(self, seconds: float) -> bool:
        """Compute slices for about `seconds` (one slice at least); True when every map is drawn."""
        started = time.perf_counter()
        while self.stage < 2:
            inputs = self.passes[self.stage]
            total = inputs.shape[1]
            per_point = self.weight * self.cache.point_seconds
            wanted = (seconds - (time.perf_counter() - started)) / per_point
            n = int(min(total - self.done, max(MIN_SLICE, wanted)))
            a, b = self.done, self.done + n
            whole = n == total                        # all at once: no slice to copy in or out
            part = self.units if whole and self.stage == 1 else np.empty((self.n_units, n), dtype=np.float32)
            began = time.perf_counter()
            unit_maps(self.params, self.table, inputs if whole else np.ascontiguousarray(inputs[:, a:b]), part)
            took = time.perf_counter() - began
            self.cache.point_seconds = 0.5 * self.cache.point_seconds + 0.5 * took / (n * self.weight)
            if self.stage == 0:
                self.top[:self.n_out, a:b] = part[self.n_units - self.n_out:]
                if self.focus is not None:
                    self.top[self.n_out, a:b] = part[self.focus]
            elif not whole:
                self.units[:, a:b] = part
            self.done = b
            if self.done == total:
                self.stage, self.done = self.stage + 1, 0
            if time.perf_counter() - started >= seconds:
                break
        return self.stage == 2

    def blocks(self) -> tuple[bytes, dict]:
        """The quantised map blocks (output, units, inputs, focus) and their layout, once run() is done."""
        top, n_out, grid, unit = self.top, self.n_out, self.grid, self.unit
        inputs = input_block(unit, self.features)
        focus = top.shape[0] - n_out
        out = np.empty(block_bytes(n_out, grid) + block_bytes(self.n_units, unit) + len(inputs)
                       + focus * block_bytes(1, grid), dtype=np.uint8)
        at = quantise_into(top[:n_out], grid, out, 0)
        at = quantise_into(self.units, unit, out, at)
        out[at:at + len(inputs)] = np.frombuffer(inputs, dtype=np.uint8)
        layout = {"output": {"count": n_out, "size": grid}, "units": {"count": self.n_units, "size": unit},
                  "inputs": {"count": self.n_inputs, "size": unit}}
        if focus:
            quantise_into(top[n_out:], grid, out, at + len(inputs))
            layout["focus"] = {"count": 1, "size": grid, "unit": self.focus}
        return out.tobytes(), layout


def _map_blocks(trainer, grid_size: int, unit_size: int, focus: int | None, cache: MapCache) -> tuple[bytes, dict]:
    """The quantised map blocks of a frame (output, every unit, inputs, focused unit) and their layout, drawn at
    once. While the weights and the view stay the same (a paused network, several frames for one edit) the last
    ones are reused."""
    key = map_key(trainer, grid_size, unit_size, focus)
    if cache.last_maps is None or cache.last_maps[0] != key:
        job = MapJob(trainer, key, grid_size, unit_size, focus, cache)
        job.run(math.inf)
        cache.last_maps = (key, job.blocks())
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
