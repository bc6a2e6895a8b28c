"""Warming the engine before serving: compile (or load from numba's cache) every kernel a session uses, so the first
click trains at once."""
import logging
import time

from ..engine import Config, Trainer
from ..engine.one_weight import OneWeight

from . import frames

warm_log = logging.getLogger("nnplayground.warm_up")     # warm_up's progress (the CLI prints it)
COMPILED_SECONDS = 3.0      # a warm-up longer than this compiled the kernels (loading them from the cache is ~1 s)


def warm_up() -> None:
    """Run every kernel group once. Each group is logged to `warm_log` (INFO) as it starts, "n of m: what", and the
    total time when done: compiling takes about 10 s the first time; numba's cache then makes it about a second."""
    trainer = None

    def train():
        nonlocal trainer
        trainer = Trainer(Config(dataset="xor", n_points=40, hidden=(3,), batch_size=10))
        trainer.train(1)
        trainer.train_batches(1)

    groups = (
        ("training kernels", train),
        ("inspector", lambda: trainer.inspect([0.5, -0.5], 1)),
        ("predictions", lambda: trainer.predict([[0.0, 0.0]])),
        ("gradient-descent lab", lambda: OneWeight().step(1)),
        ("maps and frames", lambda: frames.encode_frame(0, trainer, state="paused", speed=1, rows=[], grid_size=8,
                                                       unit_size=8, focus=0, cache=frames.MapCache(),
                                                       epochs_per_second=0.0)),
    )
    started = time.perf_counter()
    for n, (name, run) in enumerate(groups, 1):
        warm_log.info("  engine %d of %d: %s", n, len(groups), name)
        run()
    took = time.perf_counter() - started
    if took > COMPILED_SECONDS:
        warm_log.info("  engine compiled in %.1f s and cached: the next start takes about a second", took)
    else:
        warm_log.info("  engine ready in %.1f s (loaded from numba's cache)", took)
