"""Engine speed against a plain vectorised NumPy implementation, measured in the same run.

    python benchmarks/engine.py [--seconds 2] [--save FILE | --compare FILE]

Prints a table (engine, NumPy, ratio) and, last, `standard: <x>x numpy, grid: <y>x numpy`.
--save writes the engine figures as JSON; --compare prints them next to a saved run's (ratios, since machines vary).
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.numpy_reference import NumpyNet  # noqa: E402
from nnplayground.engine import Config, Trainer  # noqa: E402
from nnplayground.engine.grid import grid_inputs  # noqa: E402

STANDARD = Config(dataset="spiral", n_points=500, train_ratio=0.5, features=("x1", "x2"), hidden=(8, 8),
                  activation="tanh", loss="mse", output_activation="tanh", optimizer="sgd", learning_rate=0.03,
                  batch_size=10, seed=1)
BIGGER = Config(task="multiclass", dataset="spiral3", n_classes=3, n_points=1000, hidden=(32, 32, 32),
                activation="tanh", optimizer="sgd", learning_rate=0.03, batch_size=32, seed=1)
DIGITS = Config(task="multiclass", dataset="digits", hidden=(32,), activation="tanh", optimizer="sgd",
                learning_rate=0.03, batch_size=32, train_ratio=0.7, seed=1)


def rates(runs, seconds: float) -> list[float]:
    """Calls per second of each function in `runs`, timed in alternating rounds so that both sides of a
    comparison see the same machine load; the best round of each counts (the machine is noisy)."""
    for run in runs:
        run()
    best = [0.0] * len(runs)
    deadline = time.perf_counter() + seconds * len(runs)
    while time.perf_counter() < deadline:
        for k, run in enumerate(runs):
            calls, start = 0, time.perf_counter()
            while time.perf_counter() - start < seconds / 6:
                run()
                calls += 1
            best[k] = max(best[k], calls / (time.perf_counter() - start))
    return best


def numpy_net(trainer: Trainer) -> NumpyNet:
    layers = range(trainer.layout.n_layers)
    return NumpyNet([trainer.weights(l) for l in layers], [trainer.bias(l) for l in layers])


def standard_epochs(seconds: float, chunk: int = 50) -> tuple[float, float]:
    """Epochs per second of the standard case: (engine, NumPy)."""
    trainer = Trainer(STANDARD)
    net, rng = numpy_net(trainer), np.random.default_rng(0)
    lr, batch = trainer.config.learning_rate, trainer.config.batch_size
    engine, numpy = rates([lambda: trainer.train(chunk),
                           lambda: net.epoch(trainer.x_train, trainer.t_train, lr, batch, rng)], seconds)
    return engine * chunk, numpy


def engine_epochs(config: Config, seconds: float, chunk: int) -> float:
    trainer = Trainer(config)
    return chunk * rates([lambda: trainer.train(chunk)], seconds)[0]


def grid_ms(size: int, seconds: float) -> tuple[float, float]:
    """Milliseconds for every unit's map over a size×size grid of the standard network: (engine, NumPy)."""
    trainer = Trainer(STANDARD)
    net = numpy_net(trainer)
    points = grid_inputs(size, trainer.config.features).T.astype(np.float64)
    engine, numpy = rates([lambda: trainer.maps(size), lambda: net.unit_maps(points)], seconds)
    return 1e3 / engine, 1e3 / numpy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="timing budget per measurement")
    parser.add_argument("--save", type=Path, help="write this run's figures as JSON")
    parser.add_argument("--compare", type=Path, help="a JSON file from --save to compare against")
    args = parser.parse_args()

    std_engine, std_numpy = standard_epochs(args.seconds)
    grid_engine, grid_numpy = grid_ms(100, args.seconds)
    bigger = engine_epochs(BIGGER, args.seconds, chunk=5)
    digits = engine_epochs(DIGITS, args.seconds, chunk=2)
    figures = {"standard_epochs_per_s": std_engine, "grid_ms": grid_engine, "bigger_epochs_per_s": bigger,
               "digits_epochs_per_s": digits}
    rows = [("standard case (2→8→8→1 tanh, 250 train, batch 10)", f"{std_engine:,.0f} epochs/s",
             f"{std_numpy:,.0f} epochs/s", f"{std_engine / std_numpy:.1f}x"),
            ("100×100 grid, every neuron's map", f"{grid_engine:.3f} ms", f"{grid_numpy:.3f} ms",
             f"{grid_numpy / grid_engine:.1f}x"),
            ("bigger (2→32→32→32→3 softmax, 500 train, batch 32)", f"{bigger:,.0f} epochs/s", "", ""),
            ("digits (64→32→10 softmax, 1257 train, batch 32)", f"{digits:,.0f} epochs/s", "", "")]
    if args.compare:
        saved = json.loads(args.compare.read_text())
        print(f"{'figure':<28}{'this run':>14}{'saved':>14}{'ratio':>9}")
        for key, value in figures.items():
            print(f"{key:<28}{value:>14,.3f}{saved[key]:>14,.3f}{value / saved[key]:>8.2f}x")
        print()
    print(f"{'case':<55}{'engine':>18}{'numpy':>18}{'speed-up':>10}")
    for case, engine, numpy, ratio in rows:
        print(f"{case:<55}{engine:>18}{numpy:>18}{ratio:>10}")
    if args.save:
        args.save.write_text(json.dumps(figures, indent=2))
    print(f"standard: {std_engine / std_numpy:.1f}x numpy, grid: {grid_numpy / grid_engine:.1f}x numpy")


if __name__ == "__main__":
    main()
