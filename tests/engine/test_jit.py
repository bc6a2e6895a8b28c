"""The JIT compiles once per process whatever the network's shape, and cache=True makes a new process start fast."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from nnplayground.engine import Trainer
from numba.core.registry import CPUDispatcher as Dispatcher

from nnplayground.engine import activations, grid, kernels, optimizers
from nnplayground.engine.activations import _curve, curve
from nnplayground.engine.grid import unit_maps

# the kernels Python calls: each compiles for exactly one signature
KERNELS = {"train_chunk": kernels.train_chunk, "evaluate": kernels.evaluate,
           "example_gradient": kernels.example_gradient, "unit_maps": unit_maps,
           "add_penalty": kernels.add_penalty, "optimizers.update": optimizers.update, "activations._curve": _curve}
# and every compiled function of the engine: the ones only kernels call are compiled into their callers (or loaded
# with them from the cache) and must not gain signatures of their own either
ALL_KERNELS = {f"{module.__name__}.{name}": value for module in (kernels, grid, activations, optimizers)
               for name, value in vars(module).items() if isinstance(value, Dispatcher)}
ROOT = Path(__file__).resolve().parents[2]


def _exercise(trainer):
    """Everything the page and a notebook do with a trainer."""
    trainer.train(2).train_batches(3)
    trainer.metrics()
    trainer.predict(trainer.data.points[:3])
    trainer.maps(20)
    trainer.inspect(trainer.data.points[0], trainer.data.labels[0])
    trainer.configure(learning_rate=0.01)
    trainer.train_batches(1)


def test_new_shapes_and_settings_do_not_recompile():
    _exercise(Trainer(dataset="xor", hidden=(4,), activation="tanh"))
    curve("tanh", np.linspace(-1, 1, 5))
    assert {name: len(k.signatures) for name, k in KERNELS.items()} == dict.fromkeys(KERNELS, 1)
    counts = {name: len(k.signatures) for name, k in ALL_KERNELS.items()}
    assert len(counts) >= 20, counts
    variants = [
        dict(dataset="spiral", hidden=(), activation="tanh"),
        dict(dataset="spiral", hidden=(16, 16, 16, 16, 16), activation="relu", optimizer="adam"),
        dict(dataset="circle", hidden=(1,), activation="sigmoid", optimizer="momentum", regularization="l1",
             reg_rate=0.01),
        dict(dataset="moons", hidden=(3, 7), hidden_activations=("leaky_relu", "linear"), loss="hinge",
             optimizer="adagrad", dropout=0.3),
        dict(dataset="gauss", hidden=(5,), loss="mse", output_activation="linear", optimizer="rmsprop",
             regularization="l2", reg_rate=0.1, batch_size=1, init="zeros"),
        dict(dataset="gauss", hidden=(), activation="step"),
        dict(task="multiclass", dataset="blobs", n_classes=10, hidden=(12,), loss="kl",
             features=("x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2")),
        dict(task="multiclass", dataset="spiral3", hidden=(6, 6), loss="mse", optimizer="adam", batch_size=500),
        dict(task="regression", dataset="bumps", hidden=(9,), loss="huber", output_activation="relu",
             learn_bias=False),
        dict(task="multiclass", dataset="digits", hidden=(8,), optimizer="adam", batch_size=64),
    ]
    for settings in variants:
        _exercise(Trainer(**settings))
    csv = Trainer(task="regression", dataset="plane")
    csv.load_csv("a,b,c,y\n" + "\n".join(f"{i},{i % 7},{i % 3},{i * 0.5}" for i in range(40)), "y")
    _exercise(csv)
    drawn = Trainer(dataset="points")
    drawn.set_points([[1, 1], [2, -1], [-3, 2], [-1, -1], [0.5, 4], [4, 0]], [1, 0, 1, 0, 1, 0])
    _exercise(drawn)
    curve("relu", np.linspace(-1, 1, 5))
    after = {name: len(k.signatures) for name, k in ALL_KERNELS.items()}
    assert after == counts
    assert {name: len(k.signatures) for name, k in KERNELS.items()} == dict.fromkeys(KERNELS, 1)


_CHILD = """
import time
started = time.perf_counter()
from nnplayground.engine import Trainer
from nnplayground.engine import kernels
from nnplayground.engine.grid import unit_maps
t = Trainer(dataset="spiral", hidden=(8, 8), activation="tanh")
t.train(2)
t.metrics()
t.maps(50)
t.inspect([1.0, 1.0], 1)
elapsed = time.perf_counter() - started
misses = sum(sum(k.stats.cache_misses.values()) for k in (kernels.train_chunk, kernels.evaluate,
                                                       kernels.example_gradient, unit_maps))
print(elapsed, misses)
"""


def test_a_second_process_starts_fast_from_the_cache():
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    runs = []
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", _CHILD], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=240)
        assert done.returncode == 0, done.stderr
        elapsed, misses = done.stdout.split()
        runs.append((float(elapsed), int(misses)))
    elapsed, misses = runs[1]
    assert misses == 0, "the second process compiled instead of loading the cache"
    assert elapsed < 3.0, runs
