"""Opt-in views: the warped space of a hidden layer and the misclassified test examples, sent only to sessions
that asked for them; refused CSV rows in the data message."""
import time

import numpy as np
import pytest

from nnplayground.engine import Trainer
from nnplayground.engine.warp import warped_space

from wire import STANDARD

CSV_WITH_BAD_ROWS = "x,y,label\n" + "".join(f"{i % 5},{(i * 3) % 7},{'ab'[i % 2]}\n" for i in range(20)) \
    + "1,oops,a\n2,3\n"


def configure(page, **settings) -> dict:
    page.send({"type": "configure", "settings": settings})
    return page.until("config")


def kinds_until_frames(page, frames: int) -> list[str]:
    """The message types received until `frames` frames have come."""
    kinds, seen = [], 0
    while seen < frames:
        message = page.recv()
        if isinstance(message, dict):
            kinds.append(message["type"])
            seen += message["type"] == "frame"
    return kinds


def test_a_session_that_did_not_ask_gets_no_view_messages(page):
    configure(page, **STANDARD)
    page.send({"type": "control", "action": "play"})
    kinds = kinds_until_frames(page, 12)
    assert "warp" not in kinds and "mistakes" not in kinds


def test_warp_shows_the_chosen_units_and_follows_training_at_a_modest_rate(page):
    configure(page, **STANDARD)
    page.send({"type": "warp", "layer": 1, "units": [2, 5]})
    first = page.until("warp")
    assert first["layer"] == 1 and first["units"] == [2, 5] and first["hidden"] == [8, 8]
    assert np.asarray(first["horizontal"]).shape == (13, 64, 2) and len(first["points"]) == 500
    # the same numbers as the engine's view of an identical network
    reference = warped_space(Trainer(**{**STANDARD, "hidden": (8, 8)}), 1, 2, 5)
    assert np.allclose(first["points"], reference["points"], atol=1e-4)
    page.send({"type": "control", "action": "play"})
    started = time.monotonic()
    kinds = kinds_until_frames(page, 40)
    elapsed = time.monotonic() - started
    assert 1 <= kinds.count("warp") <= elapsed / 0.25 + 2
    later = page.until("warp")
    assert np.abs(np.asarray(later["points"]) - np.asarray(first["points"])).max() > 0.01
    page.send({"type": "warp", "layer": None})
    page.until("frame")
    assert "warp" not in kinds_until_frames(page, 8)


def test_warp_is_clamped_to_the_network_and_explains_when_it_cannot_be_drawn(page):
    configure(page, **STANDARD)
    page.send({"type": "warp", "layer": 7, "units": [30, 0]})
    clamped = page.until("warp")
    assert clamped["layer"] == 1 and clamped["units"] == [7, 0]
    configure(page, hidden=[])
    none = page.until("warp")
    assert none["layer"] is None and "hidden layer" in none["message"] and none["points"] == []
    configure(page, task="multiclass", dataset="digits", hidden=[4], loss=None, output_activation=None)
    digits = page.until("warp")
    assert digits["layer"] is None and "plane" in digits["message"]


def test_mistakes_list_the_misclassified_test_digits(page):
    configure(page, task="multiclass", dataset="digits", hidden=[8], loss=None, output_activation=None)
    n_test = page.until("data")["n_test"]
    page.send({"type": "mistakes", "limit": 12})
    message = page.until("mistakes")
    assert message["total"] == n_test and message["count"] > 12 and len(message["shown"]) == 12
    first = message["shown"][0]
    assert len(first["input"]) == 64 and first["label"] != first["predicted"]
    assert 0 <= first["confidence"] <= 1
    page.send({"type": "control", "action": "step"})
    stepped = page.until("mistakes")
    assert stepped["epoch"] == 1 and stepped["count"] < message["count"]
    page.send({"type": "mistakes", "limit": 0})
    page.send({"type": "control", "action": "step"})
    assert "mistakes" not in kinds_until_frames(page, 1)


def test_refused_csv_rows_travel_with_the_data(client, page):
    token = {"X-Session-Token": page.welcome["token"]}
    response = client.post("/api/csv?label=label&features=x,y", content=CSV_WITH_BAD_ROWS, headers=token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rows"] == 20 and body["n_refused"] == 2
    assert body["refused"] == ["row 22, column 'y': 'oops' is not a number",
                               "row 23 has 2 cells but the header has 3 columns"]
    data = page.until("data")
    assert data["n_refused"] == 2 and data["refused"][0] == {"row": 22, "column": "y",
                                                             "reason": "'oops' is not a number"}
    assert data["refused"][1]["column"] is None
    configure(page, task="binary", dataset="circle")
    assert page.until("data")["refused"] == []
