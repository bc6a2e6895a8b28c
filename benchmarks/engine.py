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
from engine import Config, Trainer  # noqa: E402
from engine.grid import grid_inputs  # noqa: E402

STANDARD = Config(dataset="spiral", n_points=500, train_ratio=0.5, features=("x1", "x2"), hidden=(8, 8),
                  activation="tanh", loss="mse", output_activation="tanh", optimizer="sgd", learning_rate=0.03,
                  batch_size=10, seed=1)
BIGGER = Config(task="multiclass", dataset="spiral3", n_classes=3, n_points=1000, hidden=(32, 32, 32),
                activation="tanh", optimizer="sgd", learning_rate=0.03, batch_size=32, seed=1)
DIGITS = Config(task="multiclass", dataset="digits", hidden=(32,), activation="tanh", optimizer="sgd",
                learning_rate=0.03, batch_size=32, train_ratio=0.7, seed=1)


def rate(run, seconds: float) -> float:
    """Calls of run() per second: the best of several timed rounds (the machine is noisy)."""
    run()
    best, deadline = 0.0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        calls, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 5:
            run()
            calls += 1
        best = max(best, calls / (time.perf_counter() - start))
    return best


def engine_epochs(config: Config, seconds: float, chunk: int = 50) -> float:
    trainer = Trainer(config)
    return chunk * rate(lambda: trainer.train(chunk), seconds)


def numpy_epochs(trainer: Trainer, seconds: float) -> float:
    layers = range(trainer.layout.n_layers)
    net = NumpyNet([trainer.weights(l) for l in layers], [trainer.bias(l) for l in layers])
    rng = np.random.default_rng(0)
    lr, batch = trainer.config.learning_rate, trainer.config.batch_size
    return rate(lambda: net.epoch(trainer.x_train, trainer.t_train, lr, batch, rng), seconds)


def grid_ms(trainer: Trainer, size: int, seconds: float) -> tuple[float, float]:
    """Milliseconds for every unit's map over a size×size grid: (engine, NumPy)."""
    layers = range(trainer.layout.n_layers)
    net = NumpyNet([trainer.weights(l) for l in layers], [trainer.bias(l) for l in layers])
    points = grid_inputs(size, trainer.config.features).T.astype(np.float64)
    return 1e3 / rate(lambda: trainer.maps(size), seconds), 1e3 / rate(lambda: net.unit_maps(points), seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="timing budget per measurement")
    parser.add_argument("--save", type=Path, help="write this run's figures as JSON")
    parser.add_argument("--compare", type=Path, help="a JSON file from --save to compare against")
    args = parser.parse_args()

    standard = Trainer(STANDARD)
    std_engine = engine_epochs(STANDARD, args.seconds)
    std_numpy = numpy_epochs(standard, args.seconds)
    grid_engine, grid_numpy = grid_ms(standard, 100, args.seconds)
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
