"""Export ▸ PyTorch script and Export ▸ Keras script: trained briefly in the page, exported, and run with Python in
a directory of their own. Each script's outputs on every exported point equal the engine's (to 1e-5), it prints the
page's loss and accuracy or RMSE for them, it trains further with the loss going down, and its first full-batch
step leaves the same weights as the engine's next step (to 1e-6), for every optimizer.

The engine's reference is the saved state of the page's session with its data replaced by the exported points (the
page has them to 4 decimals): the same weights, optimizer state and settings on exactly the script's data.
"""
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from engine import Trainer
from engine.datasets import split
from test_page_exports import download, saved_state

FRAMEWORKS = ("torch", "keras")
SCRIPT_SECONDS = 240
# Keras 3 multiplies matrices in float32 on the PyTorch backend (the script says so); PyTorch stays in float64.
NUMBERS_TOLERANCE = {"torch": 1e-9, "keras": 1e-5}

# id → page URL. Mini-batches, dropout and regularisation as a person sets them; together every optimizer.
TRAINED = {
    "binary, hidden tanh, sigmoid output with cross-entropy, gradient descent":
        "?task=binary&dataset=circle&hidden=4,3&activation=tanh&optimizer=sgd&learning_rate=0.1&seed=3",
    "multi-class softmax, relu and leaky relu, all seven features, Adam":
        "?task=multiclass&dataset=spiral3&features=x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2&hidden=8,6"
        "&hidden_activations=relu,leaky_relu&optimizer=adam&learning_rate=0.01&batch_size=25&seed=4",
    "regression with Huber, RMSprop":
        "?task=regression&dataset=bumps&noise=0.1&loss=huber&huber_delta=0.5&hidden=6&activation=tanh"
        "&optimizer=rmsprop&learning_rate=0.003&seed=5",
    "L2 and dropout, momentum":
        "?task=binary&dataset=xor&hidden=8,6&activation=relu&regularization=l2&reg_rate=0.003&dropout=0.2"
        "&optimizer=momentum&learning_rate=0.01&seed=6",
    "KL divergence, L1, Adagrad, frozen biases":
        "?task=multiclass&dataset=blobs&n_classes=4&loss=kl&hidden=5&activation=sigmoid&regularization=l1"
        "&reg_rate=0.001&optimizer=adagrad&learning_rate=0.05&learn_bias=0&seed=7",
}

# id → page URL with one full batch and no dropout, so one epoch is one deterministic step; every optimizer and the
# losses the list above leaves out.
STEPPED = {
    "gradient descent, perceptron (step output, perceptron criterion)":
        "?task=binary&dataset=moons&noise=0.3&hidden=&activation=step&optimizer=sgd&learning_rate=0.1&seed=8",
    "momentum, hinge":
        "?task=binary&dataset=moons&hidden=5&activation=tanh&loss=hinge&optimizer=momentum&learning_rate=0.02&seed=9",
    "Adagrad, squared error with a tanh output (targets ±1)":
        "?task=binary&dataset=circle&hidden=5&activation=relu&loss=mse&output_activation=tanh&optimizer=adagrad"
        "&learning_rate=0.05&seed=10",
    "RMSprop, regression squared error, L1":
        "?task=regression&dataset=plane&hidden=4&activation=leaky_relu&optimizer=rmsprop&learning_rate=0.003"
        "&regularization=l1&reg_rate=0.01&seed=11",
    "Adam, multi-class squared error through softmax, L2":
        "?task=multiclass&dataset=blobs&hidden=6&activation=tanh&loss=mse&optimizer=adam&learning_rate=0.01"
        "&regularization=l2&reg_rate=0.01&seed=12",
}


def need_frameworks():
    pytest.importorskip("torch")
    os.environ.setdefault("KERAS_BACKEND", "torch")     # as the scripts choose it; they are run without this setting
    pytest.importorskip("keras")


def train_in_page(page, query: str, epochs: int):
    page.open(query)
    page.play()
    page.wait_for(f"window.nnp.latest.frame.counters.epoch >= {epochs}")
    page.pause()


def engine_on_exported_points(state: dict, data: dict) -> Trainer:
    """The page's trainer (weights, optimizer state, settings) on exactly the points the scripts hold, in their order:
    a saved state whose data are those points, laid out so that the engine's seeded split picks them as they were."""
    train, test = np.array(data["train"]), np.array(data["test"])
    n = len(train) + len(test)
    config = state["config"]
    train_idx, test_idx = split(n, config["train_ratio"], config["seed"])
    points, labels = np.empty((n, 2)), np.empty(n)
    points[train_idx], labels[train_idx] = train[:, :2], train[:, 2]
    points[test_idx], labels[test_idx] = test[:, :2], test[:, 2]
    custom = {"name": "drawn", "points": points.tolist(), "labels": labels.tolist(), "task": config["task"],
              "n_classes": data["n_classes"], "columns": ["x1", "x2"], "class_names": data["class_names"],
              "is_plane": True, "scaling": None}
    trainer = Trainer.from_state({**state, "config": {**config, "dataset": "points"}, "custom": custom,
                                  "pending": None})
    assert np.array_equal(trainer.data.points[trainer.train_idx], train[:, :2])
    return trainer


def export_and_run(page, tmp_path, epochs: int) -> dict:
    """Download both scripts and run them at once, each in a directory of its own, as
    `python <script> --epochs <epochs> --json run.json`; return framework → (run.json, what it printed)."""
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    runs = {}
    for framework in FRAMEWORKS:
        name, script = download(page, f"export-{framework}")
        assert name.startswith(f"nnplayground_{framework}_") and name.endswith(".py")
        folder = tmp_path / framework
        folder.mkdir(parents=True)
        (folder / name).write_bytes(script)
        runs[framework] = (folder, subprocess.Popen(
            [sys.executable, name, "--epochs", str(epochs), "--json", "run.json"], cwd=folder, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    answers = {}
    for framework, (folder, process) in runs.items():
        try:
            out, err = process.communicate(timeout=SCRIPT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        assert process.returncode == 0, f"{framework}: {err[-3000:]}"
        answers[framework] = (json.loads((folder / "run.json").read_text()), out)
    return answers


def check_numbers(framework: str, run: dict, printed: str, reference: Trainer, state: dict):
    """The outputs before training, and the loss and fit numbers of the first report, are the engine's."""
    tolerance = NUMBERS_TOLERANCE[framework]
    for part in ("train", "test"):
        outputs = np.array(run["outputs"][part])
        expected = reference.outputs(part)[0]
        assert outputs.shape == expected.shape
        difference = np.abs(outputs - expected).max()
        assert difference <= 1e-5, f"{framework} {part}: outputs differ by {difference:.3g}"
    first = run["epochs"][0]
    assert first["epoch"] == state["epoch"]
    metrics = reference.metrics()
    for part in ("train", "test"):
        assert first[part]["loss"] == pytest.approx(metrics[part]["loss"], rel=tolerance, abs=tolerance)
        for name in ("accuracy", "rmse", "r2"):
            if name in first[part] or metrics[part].get(name) is not None:
                assert first[part][name] == pytest.approx(metrics[part][name], rel=tolerance, abs=tolerance), name
    loss = f"{first['train']['loss']:.4f}"
    assert f"epoch {state['epoch']:5d}   loss: train {loss}" in printed


def test_framework_scripts_give_the_engines_numbers_and_train_further(page, server, tmp_path):
    need_frameworks()
    for case, query in TRAINED.items():
        train_in_page(page, query, epochs=8)
        state = saved_state(page, server)
        data = page.js("window.nnp.latest.data")
        reference = engine_on_exported_points(state, data)
        answers = export_and_run(page, tmp_path / str(list(TRAINED).index(case)), epochs=6)
        for framework, (run, printed) in answers.items():
            check_numbers(framework, run, printed, reference, state)
            losses = [row["train"]["loss"] for row in run["epochs"]]
            assert len(losses) == 7 and all(math.isfinite(v) for v in losses), (case, framework, losses)
            assert losses[-1] < losses[0], (case, framework, losses)
            assert "the page's loss for these weights" in printed, (case, framework)


def test_a_framework_scripts_first_step_is_the_engines_next_step(page, server, tmp_path):
    need_frameworks()
    for case, query in STEPPED.items():
        train_in_page(page, f"{query}&batch_size=10000", epochs=5)
        state = saved_state(page, server)
        assert state["t"] >= 5 and state["config"]["dropout"] == 0
        data = page.js("window.nnp.latest.data")
        reference = engine_on_exported_points(state, data)
        answers = export_and_run(page, tmp_path / str(list(STEPPED).index(case)), epochs=1)
        reference.train_batches(1)
        expected = reference.params
        moved = np.abs(expected - np.array(state["params"])).max()
        assert moved > 1e-4, (case, moved)
        for framework, (run, printed) in answers.items():
            check_numbers(framework, run, printed, engine_on_exported_points(state, data), state)
            weights = np.concatenate([np.concatenate([np.ravel(layer["W"]), layer["b"]]) for layer in run["weights"]])
            difference = np.abs(weights - expected).max()
            assert difference <= 1e-6, f"{case}, {framework}: weights after one step differ by {difference:.3g}"


def test_without_the_data_points_the_menu_says_why_and_offers_no_framework_script(page):
    page.open("?task=multiclass&dataset=digits&hidden=8")
    page.click("#export-button")
    for framework in FRAMEWORKS:
        item = f"#export-{framework}"
        assert page.js(f"document.querySelector('{item}').disabled"), framework
        assert "plane data sets only" in page.get_attribute(item, "title")
        assert "plane data sets only" in page.inner_text(f"{item} .menu-note")
    assert page.js("document.querySelector('#export-py').disabled") is False
    page.open("?task=binary&dataset=circle")
    for framework in FRAMEWORKS:
        assert page.js(f"document.querySelector('#export-{framework}').disabled") is False, framework
        assert page.get_attribute(f"#export-{framework}", "title") is None
    # PyTorch keeps momentum's velocity divided by the learning rate: at rate 0 it cannot carry the page's
    page.open("?task=binary&dataset=circle&optimizer=momentum&learning_rate=0")
    assert page.js("document.querySelector('#export-torch').disabled")
    assert "learning rate" in page.get_attribute("#export-torch", "title")
    assert page.js("document.querySelector('#export-keras').disabled") is False
