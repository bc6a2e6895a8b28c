"""POST /api/one-weight and /api/perceptron: engine numbers for the two labs; refusals are typed and bounded."""
import json

import numpy as np
import pytest

from nnplayground.server.protocol import LAB_BODY_BYTES, OneWeightPath, PerceptronResult, loads_strict

DEFAULT = {"type": "one_weight", "w": 5, "x": 2, "target": 6, "learning_rate": 0.1}
TABLE = [[1, 1, 1, 1], [1, 0, 1, 1], [0, 1, 1, 1], [1, 1, 0, 1], [0, 0, 1, 0], [0, 1, 0, 0], [1, 0, 0, 0],
         [0, 0, 0, 0]]                                   # go when at least two of three are yes
DECIDE = {"type": "perceptron", "inputs": [1, 1, 0], "weights": [0.5, 0.3, 0.2], "threshold": 0.8}


def answer(client, path, body, model):
    response = client.post(path, json=body)
    assert response.status_code == 200, response.text
    data = loads_strict(response.text)               # strict: a NaN or Infinity would fail here
    model.model_validate(data)
    return data


def refusal(client, path, body, status=400):
    response = client.post(path, content=body if isinstance(body, (bytes, str)) else json.dumps(body),
                           headers={"content-type": "application/json"})
    assert response.status_code == status, response.text
    error = response.json()
    assert error["type"] == "error" and "Traceback" not in response.text and "/work/" not in response.text
    return error


def test_worked_example_gradient_8_then_4_2_and_settles_at_3(client):
    data = answer(client, "/api/one-weight", DEFAULT, OneWeightPath)
    path = data["path"]
    assert path[0] == {"w": 5.0, "loss": 8.0, "slope": 8.0, "step": pytest.approx(-0.8)}
    assert path[1]["w"] == pytest.approx(4.2, abs=1e-12)
    assert data["optimum"] == 3.0 and data["verdict"] == "good" and not data["diverged"]
    settled = path[data["settled_at"]]
    assert abs(settled["w"] - 3) < 1e-3 and len(path) == 251


def test_curve_is_the_loss_over_a_range_holding_start_and_optimum(client):
    data = answer(client, "/api/one-weight", {**DEFAULT, "steps": 5}, OneWeightPath)
    ws, losses = np.array(data["curve"]["w"]), np.array(data["curve"]["loss"])
    assert ws[0] < 3 < 5 < ws[-1]
    np.testing.assert_allclose(losses, 0.5 * (2 * ws - 6) ** 2, rtol=1e-12, atol=1e-15)
    huber = answer(client, "/api/one-weight", {**DEFAULT, "loss": "huber", "steps": 5}, OneWeightPath)
    r = 2 * np.array(huber["curve"]["w"]) - 6
    np.testing.assert_allclose(huber["curve"]["loss"], np.where(abs(r) <= 1, 0.5 * r ** 2, abs(r) - 0.5), atol=1e-12)
    assert huber["path"][0]["slope"] == pytest.approx(2.0)


def test_too_large_a_rate_diverges_without_a_non_finite_number(client):
    data = answer(client, "/api/one-weight", {**DEFAULT, "learning_rate": 1.2, "steps": 1000}, OneWeightPath)
    assert data["diverged"] and data["verdict"] == "diverging" and data["settled_at"] is None
    ws = [abs(p["w"] - 3) for p in data["path"]]
    assert all(b > a for a, b in zip(ws, ws[1:])) and len(ws) < 1000
    assert max(data["curve"]["w"]) < 20, "the picture stays around the start, not the run-away end"


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_other_optimizers_take_other_paths_on_the_same_curve(client, optimizer):
    plain = answer(client, "/api/one-weight", {**DEFAULT, "steps": 10}, OneWeightPath)
    other = answer(client, "/api/one-weight", {**DEFAULT, "steps": 10, "optimizer": optimizer}, OneWeightPath)
    assert other["curve"] == plain["curve"] and other["path"][0]["w"] == 5.0
    assert other["path"][3]["w"] != pytest.approx(plain["path"][3]["w"], abs=1e-6)


@pytest.mark.parametrize("change, words", [
    ({"x": 0}, "x must not be 0"),
    ({"x": 7}, "x: "),
    ({"w": 101}, "w: "),
    ({"learning_rate": 0}, "learning_rate"),
    ({"learning_rate": "0.1"}, "learning_rate"),
    ({"steps": 1001}, "steps"),
    ({"steps": 2.5}, "steps"),
    ({"optimizer": "rmsprop"}, "optimizer"),
    ({"loss": "bce"}, "loss"),
    ({"type": "perceptron"}, "type"),
    ({"extra": 1}, "unknown field"),
])
def test_one_weight_refusals_name_the_field(client, change, words):
    error = refusal(client, "/api/one-weight", {**DEFAULT, **change})
    assert error["code"] == "invalid_message" and words in error["message"]


def test_bad_json_non_finite_and_oversize_are_refused(client):
    assert refusal(client, "/api/one-weight", b"{not json")["code"] == "bad_json"
    assert refusal(client, "/api/one-weight", '{"type": "one_weight", "w": NaN}')["code"] == "bad_json"
    assert refusal(client, "/api/one-weight", "[1, 2]")["code"] == "invalid_message"
    big = json.dumps({**DECIDE, "pad": "x" * LAB_BODY_BYTES})
    assert refusal(client, "/api/perceptron", big, status=413)["code"] == "too_large"


def test_perceptron_decision_terms_and_sum(client):
    data = answer(client, "/api/perceptron", DECIDE, PerceptronResult)
    assert data["terms"] == [0.5, 0.3, 0.0] and data["sum"] == pytest.approx(0.8) and data["decision"] == 1
    below = answer(client, "/api/perceptron", {**DECIDE, "threshold": 0.81}, PerceptronResult)
    assert below["decision"] == 0
    paper = answer(client, "/api/perceptron", {**DECIDE, "weights": [0.1, 0.2, 0.0], "threshold": 0.3},
                   PerceptronResult)
    assert paper["decision"] == 1, "0.1 + 0.2 reaches 0.3"


def test_perceptron_learns_the_table_until_every_row_is_right(client):
    start = {**DECIDE, "weights": [0, 0, 0], "threshold": 0, "rows": TABLE}
    before = answer(client, "/api/perceptron", start, PerceptronResult)
    assert before["correct"] == 4 and before["updates"] == []
    one = answer(client, "/api/perceptron", {**start, "learn": "pass"}, PerceptronResult)
    assert len(one["mistakes"]) == 1 and len(one["updates"]) == one["mistakes"][0] > 0
    first = one["updates"][0]
    row, go = TABLE[first["row"]][:3], TABLE[first["row"]][3]
    np.testing.assert_allclose(first["new_w"], np.array(first["w"]) + 0.1 * (2 * go - 1) * np.array(row))
    done = answer(client, "/api/perceptron", {**start, "learn": "until_right"}, PerceptronResult)
    assert done["correct"] == len(TABLE) and all(r["correct"] for r in done["rows"]) and done["mistakes"][-1] == 0
    again = answer(client, "/api/perceptron", {**start, "weights": done["weights"], "threshold": done["threshold"]},
                   PerceptronResult)
    assert again["correct"] == len(TABLE), "the learned weights, sent back, still decide every row right"


def test_contradicting_rows_stop_after_100_passes(client):
    rows = [[1, 0, 1, 1], [1, 0, 1, 0]]
    data = answer(client, "/api/perceptron", {**DECIDE, "rows": rows, "learn": "until_right"}, PerceptronResult)
    assert len(data["mistakes"]) == 100 and data["correct"] == 1


@pytest.mark.parametrize("change, words", [
    ({"inputs": [1, 2, 0]}, "inputs.1"),
    ({"inputs": [True, 0, 0]}, "inputs.0"),
    ({"weights": [0.5, 0.3]}, "one weight per input"),
    ({"weights": [1e5, 0, 0]}, "weights.0"),
    ({"threshold": None}, "threshold"),
    ({"rows": [[1, 0, 1]]}, "row 0"),
    ({"rows": [[1, 0, 1, 1]] * 33}, "rows"),
    ({"learn": "until_right"}, "at least one row"),
    ({"learn": "forever", "rows": TABLE}, "learn"),
    ({"learning_rate": 2, "rows": TABLE}, "learning_rate"),
])
def test_perceptron_refusals_name_the_problem(client, change, words):
    error = refusal(client, "/api/perceptron", {**DECIDE, **change})
    assert error["code"] == "invalid_message" and words in error["message"]


def test_cross_site_posts_are_refused(client):
    response = client.post("/api/perceptron", json=DECIDE, headers={"origin": "http://evil.example"})
    assert response.status_code == 403


def test_pages_are_served_with_the_navigation(client):
    for path, title in (("/gradient-descent", "Gradient descent"), ("/perceptron", "Perceptron")):
        page = client.get(path)
        assert page.status_code == 200 and 'class="site-nav"' in page.text
        assert f'href="{path}" aria-current="page"' in page.text and title in page.text
