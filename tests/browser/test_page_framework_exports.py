"""Export ▸ PyTorch script and Export ▸ Keras script: trained briefly in the page, exported, and run with Python in
a directory of their own. Each script's outputs on every exported point equal the engine's (to 1e-5), it prints the
page's loss and accuracy or RMSE for them, it trains further with the loss going down, and its first full-batch
step leaves the same weights as the engine's next step (to 1e-6), for every optimizer.

The engine's reference is the saved state of the page's session: the same weights, optimizer state, settings and
data, for the scripts embed the engine's own rows at full precision (GET /api/data) — plane points, the digits'
pixels and an uploaded CSV file's scaled columns alike.
"""
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

from nnplayground.engine import Trainer
from test_page_exports import download, saved_state

FRAMEWORKS = ("torch", "keras")
SCRIPT_SECONDS = 240
# Keras 3 multiplies matrices in float32 on the PyTorch backend (the script says so); PyTorch stays in float64.
NUMBERS_TOLERANCE = {"torch": 1e-9, "keras": 1e-5}
# three numeric inputs (so not on the plane) and a class to predict, uploaded through the page
CSV = "height,weight,age,kind\n" + "\n".join(
    f"{150 + (i * 7) % 40 + i / 7},{45 + (i * 11) % 50},{20 + i % 9},{'heavy' if (i * 11) % 50 > 25 else 'light'}"
    for i in range(60)) + "\n"

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
    train_in_page_again(page, epochs)


def train_in_page_again(page, epochs: int):
    page.play()
    page.wait_for(f"window.nnp.latest.frame.counters.epoch >= {epochs}")
    page.pause()


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


def check_trained(case: str, page, server, folder):
    """Export the page's trained network, run both scripts for 6 more epochs: the engine's numbers, then lower loss."""
    state = saved_state(page, server)
    reference = Trainer.from_state(state)
    answers = export_and_run(page, folder, epochs=6)
    for framework, (run, printed) in answers.items():
        check_numbers(framework, run, printed, reference, state)
        losses = [row["train"]["loss"] for row in run["epochs"]]
        assert len(losses) == 7 and all(math.isfinite(v) for v in losses), (case, framework, losses)
        assert losses[-1] < losses[0], (case, framework, losses)
        assert "the page's loss for these weights" in printed, (case, framework)


def test_framework_scripts_give_the_engines_numbers_and_train_further(page, server, tmp_path):
    need_frameworks()
    for case, query in TRAINED.items():
        train_in_page(page, query, epochs=8)
        check_trained(case, page, server, tmp_path / str(list(TRAINED).index(case)))


def test_framework_scripts_of_the_digits_hold_every_image_at_full_precision(page, server, tmp_path):
    need_frameworks()
    train_in_page(page, "?task=multiclass&dataset=digits&loss=cce&output_activation=softmax&hidden=6"
                        "&activation=tanh&optimizer=adam&learning_rate=0.01&batch_size=50&seed=13", epochs=2)
    check_trained("digits", page, server, tmp_path)


def test_framework_scripts_of_an_uploaded_csv_file_use_its_scaled_columns(page, server, tmp_path):
    need_frameworks()
    page.open("?task=binary&hidden=4&activation=tanh&optimizer=adam&learning_rate=0.02&seed=14")
    path = tmp_path / "people.csv"
    path.write_text(CSV)
    page.set_input_files("#csv-file", str(path))
    page.wait_for("document.querySelector('#csv-dialog').open")
    page.select_option("#csv-label", "3")                      # predict "kind" from height, weight and age
    page.click("#csv-load")
    page.wait_for("window.nnp.latest.config.dataset === 'csv' && window.nnp.latest.data.columns.length === 3")
    train_in_page_again(page, epochs=20)
    check_trained("csv", page, server, tmp_path / "run")


def test_a_framework_scripts_first_step_is_the_engines_next_step(page, server, tmp_path):
    need_frameworks()
    for case, query in STEPPED.items():
        train_in_page(page, f"{query}&batch_size=10000", epochs=5)
        state = saved_state(page, server)
        assert state["t"] >= 5 and state["config"]["dropout"] == 0
        reference = Trainer.from_state(state)
        answers = export_and_run(page, tmp_path / str(list(STEPPED).index(case)), epochs=1)
        reference.train_batches(1)
        expected = reference.params
        moved = np.abs(expected - np.array(state["params"])).max()
        assert moved > 1e-4, (case, moved)
        for framework, (run, printed) in answers.items():
            check_numbers(framework, run, printed, Trainer.from_state(state), state)
            weights = np.concatenate([np.concatenate([np.ravel(layer["W"]), layer["b"]]) for layer in run["weights"]])
            difference = np.abs(weights - expected).max()
            assert difference <= 1e-6, f"{case}, {framework}: weights after one step differ by {difference:.3g}"


def test_the_menu_offers_the_framework_scripts_unless_one_cannot_carry_the_page_state(page):
    for query in ("?task=multiclass&dataset=digits&hidden=8", "?task=binary&dataset=circle"):
        page.open(query)
        page.click("#export-button")
        for framework in FRAMEWORKS:
            assert page.js(f"document.querySelector('#export-{framework}').disabled") is False, (query, framework)
            assert page.get_attribute(f"#export-{framework}", "title") is None
    # PyTorch keeps momentum's velocity divided by the learning rate: at rate 0 it cannot carry the page's
    page.open("?task=binary&dataset=circle&optimizer=momentum&learning_rate=0")
    assert page.js("document.querySelector('#export-torch').disabled")
    assert "learning rate" in page.get_attribute("#export-torch", "title")
    assert page.js("document.querySelector('#export-keras').disabled") is False
