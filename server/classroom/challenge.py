"""A class challenge: whether a student's network has reached the teacher's goal, and the results as a table.

A session's `summary` (server/session.py: Session.summary, written with each frame) is what is judged:

    {"epoch": int, "dataset": str, "features": [str], "hidden": [int], "shape": [int], "settings": {…},
     "train": {"loss": float, "accuracy": float, …}, "test": {…}}

Reached when the data set is the challenge's, the network keeps within its limits (hidden neurons in all, epochs,
only x1 and x2 as inputs) and the test metric passes the target: test loss below it, or test accuracy (a fraction,
0–1) at or above it.
"""
import csv
import io
import math

from .store import Result

PLAIN_INPUTS = ("x1", "x2")
CSV_COLUMNS = ("rank", "name", "reached_at_epoch", "seconds", "network", "settings", "train_loss", "test_loss",
               "train_accuracy", "test_accuracy")


def reached(challenge: dict, summary: dict) -> bool:
    if summary.get("dataset") != challenge["dataset"]:
        return False
    if challenge.get("max_neurons") is not None and sum(summary["hidden"]) > challenge["max_neurons"]:
        return False
    if challenge.get("max_epochs") is not None and summary["epoch"] > challenge["max_epochs"]:
        return False
    if challenge.get("plain_inputs") and tuple(summary["features"]) != PLAIN_INPUTS:
        return False
    if summary["epoch"] < 1:
        return False
    value = summary["test"].get("loss" if challenge["metric"] == "test_loss" else "accuracy")
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        return False
    return value < challenge["target"] if challenge["metric"] == "test_loss" else value >= challenge["target"]


def result(member, summary: dict, seconds: float) -> Result:
    """The record of `member` reaching the challenge now, `seconds` after it was set."""
    def metric(part: str, name: str):
        value = summary[part].get(name)
        return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None

    return Result(member=member.id, name=member.name, epoch=int(summary["epoch"]), seconds=round(seconds, 1),
                  shape=tuple(summary["shape"]), settings=dict(summary["settings"]),
                  train_loss=metric("train", "loss"), test_loss=metric("test", "loss"),
                  train_accuracy=metric("train", "accuracy"), test_accuracy=metric("test", "accuracy"))


def results_csv(results: list[Result]) -> str:
    """The ranking as CSV text (CSV_COLUMNS), first reached first. A cell a spreadsheet would run as a formula
    (starting with = + - @) is prefixed with an apostrophe: names are typed by students."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for rank, r in enumerate(results, 1):
        settings = " ".join(f"{k}={v}" for k, v in sorted(r.settings.items()))
        writer.writerow([rank, _cell(r.name), r.epoch, r.seconds, "-".join(map(str, r.shape)), _cell(settings),
                         _number(r.train_loss), _number(r.test_loss), _number(r.train_accuracy),
                         _number(r.test_accuracy)])
    return out.getvalue()


def _cell(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)
