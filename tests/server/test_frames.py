"""The binary frame layout and the strict JSON of frames, against the engine's own numbers."""
import struct

import numpy as np

from nnplayground.engine import Config, Trainer
from nnplayground.server import frames
from nnplayground.server.protocol import loads_strict, server_adapter


def decode(binary: bytes, layout: dict | None):
    magic, seq, count = struct.unpack_from("<4sII", binary, 0)
    params = np.frombuffer(binary, dtype="<f4", count=count, offset=12)
    offset, blocks = 12 + 4 * count, {}
    for name in ("output", "units", "inputs", "focus"):
        if layout and name in layout:
            blocks[name], offset = frames.dequantise(binary, offset)
            assert blocks[name].shape == (layout[name]["count"], layout[name]["size"] ** 2)
    assert offset == len(binary)
    return magic, seq, params, blocks


def test_frame_round_trip_matches_the_engine():
    t = Trainer(Config(dataset="spiral", hidden=(8, 8), loss="mse", learning_rate=0.03))
    t.train(3)
    t.train(2)
    frame = frames.encode_frame(7, t, state="playing", speed=0, rows=t.history[-2:], grid_size=20, unit_size=10,
                                focus=3, cache=frames.MapCache(), epochs_per_second=123.4)
    message = loads_strict(frame.text)
    server_adapter.validate_python(message)
    assert message["seq"] == 7 and message["counters"]["epoch"] == 5 and len(message["history"]) == 2
    magic, seq, params, blocks = decode(frame.binary, message["maps"])
    assert magic == b"NNP1" and seq == 7
    np.testing.assert_allclose(params, t.params.astype(np.float32))
    inputs, units = t.maps(20)
    span = units.max(axis=1) - units.min(axis=1)
    tolerance = span[:, None] / 255 * 0.51 + 1e-6
    assert np.all(np.abs(blocks["output"] - units[-1:]) <= tolerance[-1:])
    assert np.all(np.abs(blocks["focus"] - units[3:4]) <= tolerance[3:4])
    small_inputs, small_units = t.maps(10)
    assert blocks["units"].shape == small_units.shape
    assert np.all(np.abs(blocks["inputs"] - small_inputs) <= (np.ptp(small_inputs, axis=1)[:, None] / 255 + 1e-6))
    assert message["maps"]["focus"]["unit"] == 3


def test_multiclass_output_block_has_one_map_per_class():
    t = Trainer(Config(task="multiclass", dataset="blobs", n_classes=4, hidden=(5,)))
    frame = frames.encode_frame(1, t, state="paused", speed=1, rows=[], grid_size=12, unit_size=8, focus=None,
                                cache=frames.MapCache(), epochs_per_second=0)
    message = loads_strict(frame.text)
    assert message["maps"]["output"] == {"count": 4, "size": 12}
    _, _, _, blocks = decode(frame.binary, message["maps"])
    np.testing.assert_allclose(blocks["output"].sum(axis=0), 1.0, atol=0.02)   # softmax probabilities


def test_digits_frames_have_no_maps():
    t = Trainer(Config(task="multiclass", dataset="digits", hidden=(8,)))
    frame = frames.encode_frame(2, t, state="paused", speed=1, rows=[], grid_size=12, unit_size=8, focus=None,
                                cache=frames.MapCache(), epochs_per_second=0)
    message = loads_strict(frame.text)
    assert message["maps"] is None
    _, _, params, _ = decode(frame.binary, None)
    assert params.size == t.params.size


def test_non_finite_parameters_never_reach_the_wire():
    t = Trainer(Config(dataset="spiral", hidden=(4,), loss="mse"))
    t.params[0], t.params[1], t.params[2] = np.nan, np.inf, -1e300
    frame = frames.encode_frame(3, t, state="diverged", speed=1, rows=[{"epoch": 1, "iteration": 2,
                                                                        "train_loss": float("inf"),
                                                                        "test_loss": None}],
                                grid_size=8, unit_size=8, focus=None, cache=frames.MapCache(), epochs_per_second=0)
    message = loads_strict(frame.text)
    assert message["nonfinite_params"] == 2 and message["maps"] is None
    assert message["history"][0]["train_loss"] is None
    _, _, params, _ = decode(frame.binary, None)
    assert np.isfinite(params).all() and params[0] == 0 and params[1] > 1e38 and params[2] < -1e38


def test_quantise_handles_flat_and_non_finite_maps():
    maps = np.array([[1, 1, 1, 1], [0, np.nan, np.inf, -np.inf], [0, 1, 2, 3]], dtype=np.float32)
    decoded, end = frames.dequantise(frames.quantise(maps, 2))
    assert end == 4 + 3 * (8 + 4)
    assert np.allclose(decoded[0], 1) and np.isfinite(decoded).all()
    np.testing.assert_allclose(decoded[2], [0, 1, 2, 3], atol=3 / 255)


def test_data_message_rounds_points_and_splits():
    t = Trainer(Config(dataset="xor", n_points=40))
    message = frames.data_message(t)
    server_adapter.validate_python(message)
    assert message["n_train"] + message["n_test"] == 40 and len(message["train"]) == message["n_train"]
    assert all(len(row) == 3 for row in message["train"])


def test_maps_drawn_in_pieces_from_a_copy_equal_the_maps_drawn_at_once():
    """A map job works on a copy of the weights, a slice of grid points per call; training meanwhile changes
    nothing in it, and its blocks are byte for byte those of one pass."""
    t = Trainer(Config(dataset="spiral", hidden=(12, 9), features=("x1", "x2", "x1x2", "sinx1")))
    whole = frames._map_blocks(t, 30, 10, 5, frames.MapCache())
    cache = frames.MapCache()
    job = frames.MapJob(t, frames.map_key(t, 30, 10, 5), 30, 10, 5, cache)
    t.train(3)                                        # the weights move on; the job keeps its copy
    calls = 0
    while not job.run(0.0):                           # the smallest piece: one slice of MIN_SLICE points
        calls += 1
    assert calls >= (30 * 30 + 10 * 10) // frames.MIN_SLICE - 1
    assert job.blocks() == whole
    assert job.cost() == 0 and cache.point_seconds > 0


def test_map_sides_keep_what_was_asked_when_it_fits_and_shrink_neuron_maps_first():
    assert frames.map_sides(128, 64, 128 * 128 + 64 * 64) == (128, 64)
    g, u = frames.map_sides(128, 64, 10_000)
    assert u == 16 and 32 <= g < 128 and g % 4 == 0 and g * g + u * u <= 10_000
    g, u = frames.map_sides(128, 64, 500)
    assert (u, g) == (8, 20) and g * g + u * u <= 500
    assert frames.map_sides(128, 64, 10) == (16, 8)             # never below 16 and 8 …
    assert frames.map_sides(12, 8, 10) == (12, 8)               # … nor above what was asked


def test_a_frame_with_maps_cut_down_says_so_and_one_without_maps_does_not():
    t = Trainer(Config(dataset="spiral", hidden=(6,)))
    limited = {"grid_size": 20, "unit_size": 8, "maps_per_second": 2.5}
    maps = frames._map_blocks(t, 20, 8, None, frames.MapCache())
    frame = frames.encode_frame(1, t, state="playing", speed=0, rows=[], grid_size=64, unit_size=24, focus=None,
                                cache=frames.MapCache(), epochs_per_second=1, maps=maps, limited=limited)
    message = loads_strict(frame.text)
    server_adapter.validate_python(message)
    assert message["limited"] == limited and message["maps"]["output"]["size"] == 20
    digits = Trainer(Config(task="multiclass", dataset="digits", hidden=(8,)))
    frame = frames.encode_frame(2, digits, state="playing", speed=0, rows=[], grid_size=64, unit_size=24,
                                focus=None, cache=frames.MapCache(), epochs_per_second=1, limited=limited)
    assert loads_strict(frame.text)["limited"] is None
