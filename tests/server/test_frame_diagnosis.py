"""frame.diagnosis: a stuck network's dead ReLUs and narrow layers reach the page in the frame JSON, valid against
protocol.FrameMessage, worked out at most once a second."""
import time

from nnplayground.engine import Trainer
from nnplayground.engine.diagnosis import INTERVAL, STALL_EPOCHS
from nnplayground.server import frames
from nnplayground.server.protocol import loads_strict, server_adapter


def frame_of(trainer, cache):
    frame = frames.encode_frame(1, trainer, state="playing", speed=1, rows=trainer.history[-1:], grid_size=8,
                                unit_size=8, focus=None, cache=cache, epochs_per_second=0.0)
    message = loads_strict(frame.text)
    server_adapter.validate_python(message)
    return message


def test_a_stuck_network_carries_its_diagnosis_and_it_is_renewed_at_most_once_a_second():
    trainer = Trainer(dataset="spiral", hidden=(6, 2, 2), activation="relu", seed=0)
    cache = frames.MapCache()
    trainer.train(1)
    assert frame_of(trainer, cache)["diagnosis"] is None
    for _ in range(STALL_EPOCHS // 10 + 1):
        trainer.train(10)
    assert frame_of(trainer, cache)["diagnosis"] is None           # the answer of less than a second ago
    time.sleep(INTERVAL)
    found = frame_of(trainer, cache)["diagnosis"]
    assert found["stalled_epochs"] >= STALL_EPOCHS and found["loss"] > 0.69
    assert {"layer": 3, "units": 2, "dead": 2} in found["dead"]
    assert found["narrow"] == [{"layer": 2, "units": 2}, {"layer": 3, "units": 2}]


def test_a_healthy_network_has_none():
    trainer = Trainer(dataset="circle", hidden=(8,), activation="tanh", learning_rate=0.1, seed=1)
    trainer.train(150)
    assert frame_of(trainer, frames.MapCache())["diagnosis"] is None
