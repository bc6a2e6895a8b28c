"""The two small labs' answers, computed by the engine: one-weight gradient descent and the perceptron.

Each answer is a pure function of its request (no session, nothing kept), so the page asks again whenever a
setting changes; a step, a run or a reset only moves along the path the answer already holds.
"""
import numpy as np

from ..engine.one_weight import OneWeight
from ..engine.perceptron import decide, learn

from .protocol import PERCEPTRON_PASSES, OneWeightRequest, PerceptronRequest, finite_or_none

CURVE_SAMPLES = 161


def one_weight_path(request: OneWeightRequest) -> dict:
    """The path of `steps` optimizer steps from w, its verdict, and L(w) over a range that shows it."""
    view = OneWeight(w=request.w, x=request.x, target=request.target, learning_rate=request.learning_rate,
                     loss=request.loss, optimizer=request.optimizer, huber_delta=request.huber_delta)
    view.step(request.steps)
    ws = np.linspace(*curve_range(view), CURVE_SAMPLES)
    return finite_or_none({
        "type": "one_weight_path", "optimum": view.optimum, "path": view.path, "diverged": view.diverged,
        "settled_at": view.settled_at(), "verdict": view.verdict(),
        "curve": {"w": ws.tolist(), "loss": view.loss_at(ws).tolist()},
    })


def curve_range(view: OneWeight) -> tuple[float, float]:
    """[w* − h, w* + h]: h covers the start and every step that stays within 3× the start's distance (a run-away
    path leaves the picture instead of squashing the curve flat), with 15 % margin and at least ±0.5."""
    start = abs(view.w0 - view.optimum)
    reach = max([abs(p["w"] - view.optimum) for p in view.path if abs(p["w"] - view.optimum) <= 3 * max(start, 0.5)]
                + [start, 0.5])
    half = 1.15 * reach
    return view.optimum - half, view.optimum + half


def perceptron_result(request: PerceptronRequest) -> dict:
    """Learn on the rows first if asked, then decide for the inputs and for every row."""
    weights, threshold = list(request.weights), request.threshold
    updates, mistakes = [], []
    if request.learn != "none":
        table = [row[:-1] for row in request.rows]
        targets = [row[-1] for row in request.rows]
        passes = 1 if request.learn == "pass" else PERCEPTRON_PASSES
        learned = learn(table, targets, weights, threshold, learning_rate=request.learning_rate, epochs=passes)
        weights, threshold = learned["weights"], learned["threshold"]
        updates, mistakes = learned["updates"], learned["mistakes"]
    now = decide(request.inputs, weights, threshold)
    rows = []
    for row in request.rows:
        verdict = decide(row[:-1], weights, threshold)
        rows.append({"sum": verdict["sum"], "decision": verdict["decision"],
                     "correct": verdict["decision"] == row[-1]})
    return {"type": "perceptron_result", "weights": weights, "threshold": threshold, "terms": now["terms"],
            "sum": now["sum"], "decision": now["decision"], "rows": rows,
            "correct": sum(r["correct"] for r in rows), "updates": updates, "mistakes": mistakes}
