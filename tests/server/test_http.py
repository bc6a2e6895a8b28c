"""HTTP routes in process: the page, health, CSV upload and preview, saved state; refusals are typed, never technical."""
import json
from pathlib import Path

import pytest

from wire import STANDARD, make_client, open_page

ROOT = Path(__file__).resolve().parents[2]
CSV = "height,weight,kind\n1.5,50,a\n1.7,70,b\n1.6,55,a\n1.9,90,b\n1.4,45,a\n1.8,80,b\n"


@pytest.fixture
def session(client):
    context, page, welcome = open_page(client)
    page.until("frame")
    page.recv()
    yield client, page, {"X-Session-Token": welcome["token"]}
    context.__exit__(None, None, None)


def assert_plain(response):
    text = response.text
    assert "Traceback" not in text and "/work/" not in text and 'File "' not in text


def test_health_and_page(client):
    assert client.get("/healthz").json() == {"ok": True, "protocol": 1, "sessions": 0}
    if (ROOT / "templates" / "index.html").exists():
        page = client.get("/")
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert page.headers["x-frame-options"] == "SAMEORIGIN" and page.headers["x-content-type-options"] == "nosniff"


def test_unknown_routes_are_plain_404(client):
    response = client.get("/nope")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get("/docs").status_code == 404 and client.get("/openapi.json").status_code == 404


def test_csv_upload_loads_into_the_session(session):
    client, page, token = session
    response = client.post("/api/csv?label=kind&features=height,weight", content=CSV, headers=token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rows"] == 6 and body["columns"] == ["height", "weight"] and body["class_names"] == ["a", "b"]
    config = page.until("config")
    assert config["config"]["dataset"] == "csv"
    data = page.until("data")
    assert data["columns"] == ["height", "weight"] and data["n_train"] + data["n_test"] == 6


def test_csv_errors_name_the_row_and_column(session):
    client, page, token = session
    bad = "x,y,label\n1,2,0\n3,oops,1\n"
    response = client.post("/api/csv?label=label&features=x,y", content=bad, headers=token)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "data_error" and "row 3" in error["message"] and "'y'" in error["message"]
    assert_plain(response)
    response = client.post("/api/csv?label=missing", content=CSV, headers=token)
    assert response.status_code == 400 and "missing" in response.json()["message"]
    response = client.post("/api/csv?label=kind", content=b"\xff\xfe\x00", headers=token)
    assert response.status_code == 400 and "UTF-8" in response.json()["message"]
    response = client.post("/api/csv", content=CSV, headers=token)
    assert response.status_code == 400 and response.json()["code"] == "invalid_message"


def test_csv_size_limit(session):
    client, page, token = session
    big = "a,b,label\n" + "1,2,0\n" * 200_000
    response = client.post("/api/csv?label=label", content=big, headers=token)
    assert response.status_code == 413 and response.json()["code"] == "too_large"


def test_csv_preview(session):
    client, page, token = session
    response = client.post("/api/csv/preview", content=CSV, headers=token)
    assert response.status_code == 200
    assert response.json()["columns"] == ["height", "weight", "kind"] and response.json()["n_rows"] == 6


def test_uploads_need_the_token_and_the_same_origin(session):
    client, page, token = session
    anonymous = client.post("/api/csv?label=kind", content=CSV)
    assert anonymous.status_code == 403 and anonymous.json()["code"] == "no_session"
    missing = client.post("/api/csv?label=kind", content=CSV, headers={"X-Session-Token": "guess"})
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    # another site's page (or a sandboxed one, Origin: null) cannot upload data or a saved state into a session
    state = client.get("/api/state", headers=token).text
    for path, body in (("/api/csv?label=kind", CSV), ("/api/csv/preview", CSV), ("/api/state", state)):
        for origin in ("http://evil.example", "null", "http://localhost.evil.example"):
            cross = client.post(path, content=body, headers={**token, "Origin": origin})
            assert cross.status_code == 403 and cross.json() == {
                "type": "error", "code": "cross_site", "message": "cross-site requests are not allowed", "field": None}
        fetch = client.post(path, content=body, headers={**token, "Sec-Fetch-Site": "cross-site"})
        assert fetch.status_code == 403 and fetch.json()["code"] == "cross_site"
    assert client.get("/api/state", headers=token).text == state, "no refused upload reached the session"
    same = client.post("/api/csv/preview", content=CSV, headers={**token, "Origin": "http://localhost"})
    assert same.status_code == 200
    assert client.get("/api/state").status_code == 403


def test_state_round_trip_into_another_session(client):
    a_ctx, a, a_welcome = open_page(client)
    a.send({"type": "configure", "settings": STANDARD})
    for epoch in (1, 2):
        a.send({"type": "control", "action": "step"})
        a.frame(where=lambda m, e=epoch: m["counters"]["epoch"] == e)
    saved = client.get("/api/state", headers={"X-Session-Token": a_welcome["token"]})
    assert saved.status_code == 200 and "attachment" in saved.headers["content-disposition"]
    state = saved.json()
    b_ctx, b, b_welcome = open_page(client)
    b.until("frame")
    loaded = client.post("/api/state", content=saved.content, headers={"X-Session-Token": b_welcome["token"]})
    assert loaded.status_code == 200 and loaded.json()["epoch"] == 2
    assert b.until("config")["config"]["dataset"] == "spiral"
    assert [row["epoch"] for row in b.until("history")["rows"]] == [row["epoch"] for row in state["history"]]
    frame, _ = b.frame(where=lambda m: m["counters"]["epoch"] == 2)
    b.send({"type": "control", "action": "step"})
    a.send({"type": "control", "action": "step"})
    fa, _ = a.frame(where=lambda m: m["counters"]["epoch"] == 3)
    fb, _ = b.frame(where=lambda m: m["counters"]["epoch"] == 3)
    assert fa["metrics"]["train"]["loss"] == fb["metrics"]["train"]["loss"]      # continues identically
    a_ctx.__exit__(None, None, None)
    b_ctx.__exit__(None, None, None)


def test_bad_states_are_refused(session):
    client, page, token = session
    for body, code in [(b"{", "bad_json"), (b'{"params": NaN}', "bad_json"), (b"[1, 2]", "invalid_config"),
                       (b'{"version": 1}', "invalid_config"), (b'{"version": 99}', "invalid_config")]:
        response = client.post("/api/state", content=body, headers=token)
        assert response.status_code == 400 and response.json()["code"] == code, body
        assert_plain(response)
    page.send({"type": "control", "action": "step"})
    page.frame(where=lambda m: m["counters"]["epoch"] == 1)


def test_a_damaged_shuffle_order_in_a_state_is_refused(client):
    context, page, welcome = open_page(client)
    token = {"X-Session-Token": welcome["token"]}
    page.send({"type": "control", "action": "step_batch"})
    page.frame(where=lambda m: m["counters"]["iteration"] == 1)
    state = client.get("/api/state", headers=token).json()
    assert state["pending"] is not None
    state["pending"][0] = [10**9] * len(state["pending"][0])        # would index far outside the data
    response = client.post("/api/state", content=json.dumps(state), headers=token)
    assert response.status_code == 400 and response.json()["code"] == "invalid_config"
    page.send({"type": "control", "action": "step"})
    page.frame(where=lambda m: m["counters"]["epoch"] == 1)
    context.__exit__(None, None, None)


def test_saving_a_diverged_network_is_a_conflict(session):
    client, page, token = session
    page.send({"type": "configure", "settings": {**STANDARD, "output_activation": "linear", "learning_rate": 10}})
    page.send({"type": "control", "action": "play"})
    page.until("status", where=lambda m: m["state"] == "diverged")
    response = client.get("/api/state", headers=token)
    if response.status_code != 200:                  # non-finite numbers cannot be saved as JSON
        assert response.status_code == 409 and response.json()["code"] == "conflict"
    else:
        json.loads(response.text)


def test_join_token_gates_everything_but_health():
    with make_client(join_token="sesame") as client:
        assert client.get("/healthz").status_code == 200
        assert client.get("/static/nothing.js").status_code == 403
        refused = client.get("/")
        assert refused.status_code == 403 and refused.json()["code"] == "join_required" and "join" in refused.text
        with pytest.raises(Exception):
            open_page(client)
        context, page, welcome = open_page(client, "?join=sesame")
        assert welcome["protocol"] == 1
        context.__exit__(None, None, None)
        if (ROOT / "templates" / "index.html").exists():
            joined = client.get("/?join=sesame")
            assert joined.status_code == 200 and "nnp_join=sesame" in joined.headers["set-cookie"]
            assert "HttpOnly" in joined.headers["set-cookie"] and "SameSite=Strict" in joined.headers["set-cookie"]
            assert client.get("/healthz", cookies={"nnp_join": "sesame"}).status_code == 200
        context, page, welcome = open_page(client, "", cookie="nnp_join=sesame")
        context.__exit__(None, None, None)
