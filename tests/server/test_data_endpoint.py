"""GET /api/data: the rows the session's engine trains and tests on, exactly (every float as the engine holds it),
split as the engine splits them, for the plane, the digits and an uploaded CSV file; the token is required."""
import numpy as np

from nnplayground.server.protocol import loads_strict
from wire import open_page

CSV = "height,weight,age,kind\n" + "\n".join(
    f"{150 + (i * 7) % 40 + i / 7},{45 + (i * 11) % 50},{20 + i % 9},{'heavy' if (i * 11) % 50 > 25 else 'light'}"
    for i in range(30)) + "\n"


def rows_of(client, token: dict) -> dict:
    response = client.get("/api/data", headers=token)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json" and response.headers["cache-control"] == "no-store"
    return loads_strict(response.text)


def assert_the_trainers_rows(data: dict, trainer):
    d = trainer.data
    for part, idx in (("train", trainer.train_idx), ("test", trainer.test_idx)):
        inputs, labels = np.array(data[part]["inputs"]), np.array(data[part]["labels"])
        assert inputs.shape == (len(idx), d.points.shape[1]) and len(idx) > 0
        assert np.array_equal(inputs, d.points[idx]), part                  # bit for bit, not rounded
        assert np.array_equal(labels, d.labels[idx]), part
    assert data["columns"] == list(d.columns) and data["class_names"] == list(d.class_names)
    assert data["is_plane"] is d.is_plane and data["task"] == d.task and data["n_classes"] == d.n_classes


def test_the_rows_are_the_engines_for_plane_digits_and_csv(client):
    context, page, welcome = open_page(client)
    token = {"X-Session-Token": welcome["token"]}
    session = client.app.state.registry.get(welcome["token"])
    page.until("frame")

    plane = rows_of(client, token)
    assert_the_trainers_rows(plane, session.trainer)
    assert plane["is_plane"] and plane["columns"] == ["x1", "x2"] and plane["scaling"] is None
    # full precision: the page's data message rounds to 4 decimals, these do not
    assert any(round(v, 4) != v for row in plane["train"]["inputs"] for v in row)

    page.send({"type": "configure", "settings": {"task": "multiclass", "dataset": "digits", "loss": "cce", "output_activation": "softmax", "hidden": [8]}})
    page.until("data", where=lambda m: not m["is_plane"])
    digits = rows_of(client, token)
    assert_the_trainers_rows(digits, session.trainer)
    assert len(digits["train"]["inputs"]) + len(digits["test"]["inputs"]) == 1797
    assert len(digits["train"]["inputs"][0]) == 64 and digits["class_names"] == [str(k) for k in range(10)]

    response = client.post("/api/csv?label=kind&features=height,weight,age", content=CSV, headers=token)
    assert response.status_code == 200, response.text
    csv = rows_of(client, token)
    assert_the_trainers_rows(csv, session.trainer)
    assert csv["columns"] == ["height", "weight", "age"] and not csv["is_plane"]
    assert csv["class_names"] == ["heavy", "light"]
    assert csv["scaling"] == dict(zip(("divisor", "scale", "offset"), map(list, session.trainer.data.scaling)))
    context.__exit__(None, None, None)


def test_the_rows_need_the_sessions_token(page, client):
    anonymous = client.get("/api/data")
    assert anonymous.status_code == 403 and anonymous.json()["code"] == "no_session"
    unknown = client.get("/api/data", headers={"X-Session-Token": "guess"})
    assert unknown.status_code == 404 and unknown.json()["code"] == "not_found"
    assert client.get("/api/data", headers={"X-Session-Token": page.welcome["token"]}).status_code == 200
