"""Session flows in process (starlette's TestClient): every message type, valid and invalid, and its effect."""
import json
import struct
import time

import numpy as np
import pytest

from wire import STANDARD, make_client, open_page, run


def params_of(binary: bytes) -> np.ndarray:
    count = struct.unpack_from("<I", binary, 8)[0]
    return np.frombuffer(binary, dtype="<f4", count=count, offset=12)


def configure(page, **settings) -> dict:
    page.send({"type": "configure", "settings": settings})
    return page.until("config")


def paused_frame(page) -> tuple[dict, bytes]:
    """Pause, then the first frame that shows it."""
    page.send({"type": "control", "action": "pause"})
    page.until("status", where=lambda m: m["state"] != "playing")
    return page.frame(where=lambda m: m["state"] != "playing")


def test_welcome_comes_first_then_config_data_and_a_frame(client):
    context, page, welcome = open_page(client)
    assert welcome["protocol"] == 1 and welcome["session"] and len(welcome["token"]) >= 20
    assert welcome["resumed"] is False and welcome["limits"]["grid_size"] == [2, 128]
    assert "spiral" in welcome["choices"]["datasets"]
    config = page.recv()
    assert config["type"] == "config" and config["change"] == "unchanged"
    assert config["network"]["sizes"][0] == 2 and config["network"]["n_params"] > 0
    data = page.recv()
    assert data["type"] == "data" and data["is_plane"] and len(data["train"]) == data["n_train"]
    frame, binary = page.frame()
    assert frame["state"] == "paused" and frame["counters"]["epoch"] == 0
    assert binary[:4] == b"NNP1" and params_of(binary).size == config["network"]["n_params"]
    context.__exit__(None, None, None)


def test_configure_replies_config_data_history_then_frame(page):
    config = configure(page, **STANDARD)
    assert config["change"] == "data" and config["network"]["sizes"] == [2, 8, 8, 1]
    assert config["config"]["learning_rate"] == 0.03 and config["config"]["output_activation"] == "tanh"
    data = page.recv()
    assert data["type"] == "data" and data["n_train"] + data["n_test"] == 500
    assert page.recv()["type"] == "history"
    frame, binary = page.frame()
    assert params_of(binary).size == 2 * 8 + 8 + 8 * 8 + 8 + 8 + 1
    assert frame["maps"]["output"]["count"] == 1 and frame["maps"]["output"]["size"] == 48


def test_play_loss_falls_and_a_live_learning_rate_keeps_counting(page):
    configure(page, **STANDARD)
    page.send({"type": "control", "action": "play"})
    assert page.until("status")["state"] == "playing"
    first, _ = page.frame(where=lambda m: m["state"] == "playing")
    last, _ = page.frame(where=lambda m: m["counters"]["epoch"] > 300)
    assert last["metrics"]["train"]["loss"] < first["metrics"]["train"]["loss"]
    assert last["history"] or any(f["history"] for f in page.frames)
    config = configure(page, learning_rate=0.01)
    assert config["change"] == "live" and config["config"]["learning_rate"] == 0.01
    after, _ = page.frame()
    assert after["counters"]["epoch"] >= last["counters"]["epoch"]
    later, _ = page.frame(where=lambda m: m["counters"]["epoch"] > after["counters"]["epoch"] + 50)
    assert later["state"] == "playing"
    frame, _ = paused_frame(page)
    assert frame["state"] == "paused" and frame["epochs_per_second"] == 0


def test_step_step_batch_and_reset(page):
    configure(page, **STANDARD)
    page.send({"type": "control", "action": "step"})
    frame, _ = page.frame(where=lambda m: m["counters"]["epoch"] == 1)
    assert frame["counters"]["iteration"] == 25 and frame["history"][-1]["epoch"] == 1
    page.send({"type": "control", "action": "step_batch"})
    frame, _ = page.frame(where=lambda m: m["counters"]["iteration"] == 26)
    assert frame["counters"]["epoch"] == 1 and frame["counters"]["batch_in_epoch"] == 1
    page.send({"type": "control", "action": "reset"})
    assert page.until("history")["rows"] == []
    frame, _ = page.frame()
    assert frame["counters"] == {"epoch": 0, "iteration": 0, "examples_seen": 0, "batches_per_epoch": 25,
                                 "batch_in_epoch": 0}


def test_step_while_playing_pauses_first(page):
    page.send({"type": "control", "action": "play"})
    page.until("status")
    page.send({"type": "control", "action": "step"})
    assert page.until("status", where=lambda m: m["state"] == "paused")["message"]
    frame, _ = page.frame(where=lambda m: m["state"] == "paused")
    assert frame["counters"]["epoch"] >= 1


def test_speed_sets_epochs_per_frame(page):
    configure(page, **STANDARD)
    page.send({"type": "speed", "epochs_per_frame": 2})
    assert page.frame()[0]["speed"] == 2
    page.send({"type": "control", "action": "play"})
    page.until("status")
    epochs = [page.frame()[0]["counters"]["epoch"] for _ in range(12)]
    steps = np.diff(epochs)
    assert np.median(steps) == 2 and np.all(steps % 2 == 0)     # 2 per frame (a late frame may be skipped)
    frame, _ = paused_frame(page)
    assert frame["counters"]["epoch"] % 2 == 0


def test_edit_weight_and_bias_change_the_next_frame(page):
    configure(page, **STANDARD)
    page.frame()
    page.send({"type": "edit_weight", "layer": 0, "source": 1, "target": 2, "value": 2.5})
    _, binary = page.frame()
    assert params_of(binary)[1 * 8 + 2] == 2.5                    # W0 is 2×8, row-major
    page.send({"type": "edit_bias", "layer": 2, "unit": 0, "value": -1.25})
    _, binary = page.frame()
    assert params_of(binary)[-1] == -1.25
    page.send({"type": "edit_weight", "layer": 0, "source": 5, "target": 0, "value": 1})
    error = page.until("error")
    assert error["code"] == "invalid_config" and "layer 0" in error["message"]
    page.send({"type": "edit_bias", "layer": 9, "unit": 0, "value": 1})
    assert page.until("error")["code"] == "invalid_config"


def test_set_points_replaces_the_data(page):
    points = [[-3, -3, 0], [-2.5, -3, 0], [3, 3, 1], [2.5, 3.5, 1], [3, 2, 1], [-3, -2, 0]]
    page.send({"type": "set_points", "points": points})
    config = page.until("config")
    assert config["config"]["dataset"] == "points"
    data = page.until("data")
    assert data["n_train"] + data["n_test"] == 6
    page.send({"type": "set_points", "points": [[0, 0, 3]]})
    error = page.until("error")
    assert error["code"] == "data_error" and "label" in error["message"]
    page.send({"type": "set_points", "points": []})
    assert page.until("data")["n_train"] == 0
    page.send({"type": "control", "action": "play"})
    assert "nothing to train" in page.until("status")["message"]


def test_inspect_and_follow(page):
    configure(page, **STANDARD)
    page.send({"type": "inspect", "point": [1.0, -2.0], "label": 1, "follow": True})
    inspection = page.until("inspection")
    assert inspection["point"] == [1.0, -2.0] and len(inspection["layers"]) == 3
    assert len(inspection["layers"][0]["w"]) == 2 and len(inspection["layers"][0]["w"][0]) == 8
    page.send({"type": "control", "action": "step"})
    page.frame(where=lambda m: m["counters"]["epoch"] == 1)
    followed = page.recv()
    assert followed["type"] == "inspection" and followed["follow"] is True
    assert followed["layers"][0]["w"] != inspection["layers"][0]["w"]
    page.send({"type": "inspect", "point": None})
    page.send({"type": "control", "action": "step"})
    page.frame(where=lambda m: m["counters"]["epoch"] == 2)
    page.send({"type": "control", "action": "step"})
    page.frame(where=lambda m: m["counters"]["epoch"] == 3)
    assert page.seen[-1]["type"] == "frame"
    page.send({"type": "inspect", "point": [1, 2, 3], "label": 0})
    assert page.until("error")["code"] == "invalid_config"
    page.send({"type": "inspect", "point": [1, 2], "label": 7})
    assert "label" in page.until("error")["message"]


def test_focus_sends_one_unit_at_full_size(page):
    configure(page, **STANDARD, grid_size=32, unit_size=12)
    page.send({"type": "focus", "unit": 4})
    frame, binary = page.frame(where=lambda m: m["maps"] and "focus" in m["maps"])
    assert frame["maps"]["focus"] == {"count": 1, "size": 32, "unit": 4}
    assert frame["maps"]["units"] == {"count": 17, "size": 12}
    expected = 12 + 4 * 105 + (4 + 8 + 32 * 32) + (4 + 17 * (8 + 144)) + (4 + 2 * (8 + 144)) + (4 + 8 + 1024)
    assert len(binary) == expected
    page.send({"type": "focus", "unit": 17})
    error = page.until("error")
    assert error["code"] == "invalid_config" and "unit" in error["message"]
    page.send({"type": "focus", "unit": None})
    frame, _ = page.frame()
    assert "focus" not in frame["maps"]


def test_learn_bias_off_freezes_every_bias_live(page):
    config = configure(page, **STANDARD)
    sizes = config["network"]["sizes"]
    is_bias = np.concatenate([np.r_[np.zeros(a * b, bool), np.ones(b, bool)] for a, b in zip(sizes, sizes[1:])])
    reply = configure(page, learn_bias=False)
    assert reply["change"] == "live" and reply["config"]["learn_bias"] is False
    _, before = page.frame()
    page.send({"type": "control", "action": "step"})
    frame, after = page.frame(where=lambda m: m["counters"]["epoch"] == 1)
    before, after = params_of(before), params_of(after)
    assert len(before) == len(is_bias) == frame["n_params"]
    np.testing.assert_array_equal(after[is_bias], before[is_bias])
    assert np.abs(after[~is_bias] - before[~is_bias]).max() > 1e-4


def test_divergence_pauses_and_step_back_recovers(page):
    configure(page, **{**STANDARD, "output_activation": "linear", "learning_rate": 10})
    page.send({"type": "control", "action": "play"})
    status = page.until("status", where=lambda m: m["state"] == "diverged")
    assert "learning rate" in status["message"]
    frame, binary = page.frame(where=lambda m: m["state"] == "diverged")
    assert frame["divergence"]["advice"] and frame["divergence"]["epoch"] == frame["counters"]["epoch"]
    assert np.isfinite(params_of(binary)).all()                  # non-finite weights are clamped and counted
    page.send({"type": "control", "action": "play"})
    assert page.until("status")["state"] == "diverged"
    page.send({"type": "control", "action": "step_back"})
    assert page.until("status")["state"] == "paused"
    frame, binary = page.frame()
    assert frame["divergence"] is None and frame["nonfinite_params"] == 0 and frame["maps"] is not None
    assert frame["state"] == "paused"
    config = configure(page, learning_rate=0.01)
    assert config["change"] == "live"


def test_a_loss_that_explodes_without_infinity_is_a_divergence(page):
    # the page's default network (tanh 4-2, cross-entropy) at η = 10 on the spiral: finite, but blown up
    configure(page, dataset="spiral", hidden=[4, 2], activation="tanh", loss="bce", output_activation=None,
              optimizer="sgd", batch_size=10, learning_rate=10)
    page.send({"type": "control", "action": "play"})
    status = page.until("status", where=lambda m: m["state"] == "diverged")
    assert "training loss" in status["message"] and "learning rate" in status["message"]
    frame, binary = page.frame(where=lambda m: m["state"] == "diverged")
    report = frame["divergence"]
    assert report["kind"] == "exploding" and report["epoch"] == frame["counters"]["epoch"]
    assert report["loss"] > report["best_loss"] + report["reference_loss"] and frame["nonfinite_params"] == 0
    assert frame["maps"] is not None and np.isfinite(params_of(binary)).all()
    page.send({"type": "control", "action": "play"})                  # refused, and says why
    refused = page.until("status")
    assert refused["state"] == "diverged" and "training loss" in refused["message"]
    configure(page, learning_rate=0.03)                               # steps back by itself
    frame, _ = page.frame()
    assert frame["state"] == "paused" and frame["divergence"] is None


def test_a_live_change_while_diverged_recovers(page):
    configure(page, **{**STANDARD, "output_activation": "linear", "learning_rate": 10})
    page.send({"type": "control", "action": "play"})
    page.until("status", where=lambda m: m["state"] == "diverged")
    configure(page, learning_rate=0.01)
    frame, _ = page.frame()
    assert frame["state"] == "paused" and frame["divergence"] is None


def test_two_sessions_are_isolated(client):
    a_ctx, a, a_welcome = open_page(client)
    b_ctx, b, b_welcome = open_page(client)
    assert a_welcome["session"] != b_welcome["session"] and a_welcome["token"] != b_welcome["token"]
    configure(a, **{**STANDARD, "learning_rate": 0.5})
    a.send({"type": "control", "action": "play"})
    a.frame(where=lambda m: m["counters"]["epoch"] > 100)
    b.send({"type": "control", "action": "step"})
    frame, _ = b.frame(where=lambda m: m["counters"]["epoch"] == 1)
    assert all(m["config"]["learning_rate"] == 0.03 for m in b.seen if m["type"] == "config")
    assert frame["state"] == "paused"
    a_ctx.__exit__(None, None, None)
    b_ctx.__exit__(None, None, None)


def test_reload_with_the_token_resumes(client):
    context, page, welcome = open_page(client)
    configure(page, **STANDARD)
    for epoch in (1, 2, 3):
        page.send({"type": "control", "action": "step"})
        page.frame(where=lambda m, e=epoch: m["counters"]["epoch"] == e)
    context.__exit__(None, None, None)
    context, again, resumed = open_page(client, f"?resume={welcome['token']}")
    assert resumed["resumed"] is True and resumed["session"] == welcome["session"]
    assert again.recv()["config"]["dataset"] == "spiral"
    assert again.recv()["type"] == "data"
    history = again.recv()
    assert history["type"] == "history" and [r["epoch"] for r in history["rows"]] == [1, 2, 3]
    frame, _ = again.frame()
    assert frame["counters"]["epoch"] == 3
    context.__exit__(None, None, None)
    context, fresh, other = open_page(client, "?resume=not-a-token")
    assert other["resumed"] is False and other["session"] != welcome["session"]
    context.__exit__(None, None, None)


def test_two_pages_can_watch_one_session(client):
    a_ctx, a, welcome = open_page(client)
    b_ctx, b, watcher = open_page(client, f"?resume={welcome['token']}")
    assert watcher["session"] == welcome["session"]
    configure(a, learning_rate=0.2)
    assert b.until("config", where=lambda m: m["config"]["learning_rate"] == 0.2)
    a.send({"type": "control", "action": "jump"})
    assert a.until("error")["code"] == "invalid_message"
    b.send({"type": "control", "action": "step"})
    a.frame(where=lambda m: m["counters"]["epoch"] == 1)
    b.frame(where=lambda m: m["counters"]["epoch"] == 1)
    assert not any(m["type"] == "error" for m in b.seen)
    b_ctx.__exit__(None, None, None)
    a.send({"type": "control", "action": "step"})
    a.frame(where=lambda m: m["counters"]["epoch"] == 2)
    a_ctx.__exit__(None, None, None)


def test_session_cap_refuses_cleanly_and_evicts_only_idle_sessions():
    with make_client(max_sessions=2) as client:
        first = open_page(client)
        second = open_page(client)
        with pytest.raises(ConnectionError, match="1013"):
            open_page(client)
        second[1].send({"type": "control", "action": "step"})
        second[1].frame(where=lambda m: m["counters"]["epoch"] == 1)      # the others are unaffected
        first[0].__exit__(None, None, None)
        third = open_page(client)                    # the idle session makes room
        assert third[2]["resumed"] is False
        assert client.get("/healthz").json()["sessions"] == 2
        second[0].__exit__(None, None, None)
        third[0].__exit__(None, None, None)


def test_one_resume_token_cannot_open_more_pages_than_the_server_allows():
    with make_client(max_pages=3) as client:
        owner = open_page(client)
        token = owner[2]["token"]
        watchers = [open_page(client, f"?resume={token}") for _ in range(2)]
        assert all(w[2]["resumed"] and w[2]["session"] == owner[2]["session"] for w in watchers)
        with pytest.raises(ConnectionError, match="1013"):
            open_page(client, f"?resume={token}")
        with pytest.raises(ConnectionError, match="1013"):
            open_page(client)                            # nor a new session while every page slot is taken
        owner[1].send({"type": "control", "action": "step"})   # the pages already there carry on
        for page in (owner[1], *(w[1] for w in watchers)):
            page.frame(where=lambda m: m["counters"]["epoch"] == 1)
        watchers[0][0].__exit__(None, None, None)
        again = open_page(client, f"?resume={token}")   # a page that left frees its slot
        assert again[2]["resumed"]
        for context in (owner, watchers[1], again):
            context[0].__exit__(None, None, None)


BAD = [
    ("{not json", "bad_json"),
    ('{"type": "speed", "epochs_per_frame": "fast"}', "invalid_message"),
    ('{"type": "teleport"}', "invalid_message"),
    ('{"type": "control", "action": "play", "please": true}', "invalid_message"),
    ('{"type": "configure", "settings": {"learning_rate": NaN}}', "bad_json"),
    ('{"type": "configure", "settings": {"learning_rate": Infinity}}', "bad_json"),
    ('{"type": "edit_bias", "layer": 0, "unit": 0, "value": 1e999}', "bad_json"),
    ('{"type": "configure", "settings": {"noise": 0.9}}', "invalid_message"),
    ('{"type": "configure", "settings": {"task": "regression"}}', "invalid_config"),
    ('{"type": "configure", "settings": {"dataset": "csv"}}', "invalid_config"),
    ('{"type": "configure", "settings": {"hidden": [256, 256, 256, 256]}}', "invalid_config"),
]


def test_every_bad_message_gets_a_typed_error_and_the_session_goes_on(page):
    for text, code in BAD:
        page.ws.send_text(text)
        error = page.until("error")
        assert error["code"] == code, text
    page.ws.send_bytes(b"\x00\x01binary")
    error = page.until("error")
    assert error["code"] == "invalid_message" and "binary" in error["message"]
    page.ws.send_text(json.dumps({"type": "set_points", "points": [[1.0, 1.0, 0]] * 1000, "pad": "x" * 70_000}))
    assert page.until("error")["code"] == "too_large"
    page.send({"type": "control", "action": "step"})
    frame, _ = page.frame(where=lambda m: m["counters"]["epoch"] == 1)
    assert frame["state"] == "paused"
    for message in page.seen:
        if message["type"] == "error":
            assert "Traceback" not in message["message"] and ".py" not in message["message"]


def test_a_flood_is_rate_limited_and_the_session_survives(page):
    for _ in range(400):
        page.send({"type": "speed", "epochs_per_frame": 3})
    error = page.until("error")
    assert error["code"] == "rate_limited"
    time.sleep(2.5)                                  # the bucket refills
    page.send({"type": "control", "action": "step"})
    page.frame(where=lambda m: m["counters"]["epoch"] == 1)


def test_regenerate_draws_new_data_with_the_next_seed(page):
    configure(page, **STANDARD)
    before = page.until("data")
    page.send({"type": "control", "action": "regenerate"})
    config = page.until("config")
    assert config["config"]["seed"] == 1 and config["change"] == "data"
    after = page.until("data")
    assert after["train"] != before["train"]


def test_sessions_are_forgotten_after_the_resume_window():
    with make_client(resume_seconds=0.3, cleanup_interval=0.1) as client:
        context, page, welcome = open_page(client)
        context.__exit__(None, None, None)
        context, page, again = open_page(client, f"?resume={welcome['token']}")
        assert again["resumed"] is True                      # within the window
        context.__exit__(None, None, None)
        time.sleep(0.8)
        assert client.get("/healthz").json()["sessions"] == 0
        context, page, later = open_page(client, f"?resume={welcome['token']}")
        assert later["resumed"] is False and later["session"] != welcome["session"]
        context.__exit__(None, None, None)


def test_a_server_bug_reaches_the_page_as_a_plain_message_and_the_session_goes_on(page, monkeypatch):
    """A failing command answers `internal` without any traceback or file path; a failing training turn pauses
    the session with a status that says so, and play resumes it."""
    from nnplayground.server.session import Session

    def broken_edit(self, command, out):
        raise RuntimeError("boom in /work/main/server/session.py line 1")
    monkeypatch.setattr(Session, "_do_edit_bias", broken_edit)
    page.send({"type": "edit_bias", "layer": 0, "unit": 0, "value": 0.5})
    error = page.until("error")
    assert error["code"] == "internal" and "/" not in error["message"] and "boom" not in error["message"]
    monkeypatch.undo()

    calls = {"n": 0}
    real_frame = Session._frame

    def frame_fails_once(self, now):
        calls["n"] += 1
        if calls["n"] == 1:
            raise ValueError("bad frame /work/main/engine/grid.py")
        return real_frame(self, now)
    monkeypatch.setattr(Session, "_frame", frame_fails_once)
    page.send({"type": "control", "action": "play"})
    status = page.until("status", where=lambda m: m["state"] == "paused")
    assert "paused" in status["message"] and "/" not in status["message"] and "bad frame" not in status["message"]
    page.send({"type": "control", "action": "play"})
    frame, _ = page.frame(where=lambda m: m["state"] == "playing")
    assert frame["counters"]["epoch"] >= 0
    page.send({"type": "control", "action": "pause"})


def test_configures_queued_together_cost_one_rebuild_and_a_refused_one_is_answered_alone():
    """A burst of configure messages from one page, waiting for the same turn, is applied as one configure (later
    values win); a rebuild waits REBUILD_INTERVAL after the one before; if the burst as a whole is refused, each
    message is tried on its own, so the good ones apply and only the bad one gets an error."""
    from nnplayground.engine import Trainer
    from nnplayground.server import protocol
    from nnplayground.server.session import Session
    from nnplayground.server.turns import REBUILD_INTERVAL

    class Idle:                                  # the turn is run by hand here, not by engine threads
        def wake(self, *a, **k): pass
        def set_active(self, *a): pass
        def deliver(self, *a): pass

    async def on_a_loop():                       # a session belongs to an event loop
        return Session(Trainer(), Idle(), fps=30)
    session = run(on_a_loop())
    calls = []
    real = session.trainer.configure
    session.trainer.configure = lambda **settings: calls.append(settings) or real(**settings)
    page = object()

    def send(settings):
        session.submit("configure", protocol.parse_client(json.dumps({"type": "configure", "settings": settings})),
                       origin=page)

    for settings in ({"noise": 0.1}, {"n_points": 300, "hidden": [5, 5], "hidden_activations": ["relu", "tanh"]},
                     {"hidden": [3]}, {"learning_rate": 0.1}):
        send(settings)
    out = session._work(0)
    assert calls == [{"noise": 0.1, "n_points": 300, "hidden": [3], "learning_rate": 0.1}]
    c = session.trainer.config
    assert (c.noise, c.n_points, c.hidden, c.hidden_activations, c.learning_rate) == (0.1, 300, (3,), None, 0.1)
    assert not [m for m in out.messages if '"error"' in m[2]]

    calls.clear()
    for settings in ({"noise": 0.2}, {"task": "regression"}, {"learning_rate": 0.3}):
        send(settings)
    assert not session._work(0).messages and calls == [], "a rebuild right after a rebuild waits"
    time.sleep(REBUILD_INTERVAL)
    out = session._work(0)
    errors = [m[2] for m in out.messages if '"type": "error"' in m[2] or '"type":"error"' in m[2]]
    assert len(errors) == 1 and "regression" in errors[0]
    c = session.trainer.config
    assert (c.noise, c.task, c.learning_rate) == (0.2, "binary", 0.3)
    assert calls[0] == {"noise": 0.2, "task": "regression", "learning_rate": 0.3} and len(calls) == 4

    # widths, then activations for them in a message of their own: one configure carries both
    time.sleep(REBUILD_INTERVAL)
    calls.clear()
    send({"hidden": [4, 4]})
    send({"hidden_activations": ["relu", "tanh"]})
    session._work(0)
    assert calls == [{"hidden": [4, 4], "hidden_activations": ["relu", "tanh"]}]
    assert (session.trainer.config.hidden, session.trainer.config.hidden_activations) == ((4, 4), ("relu", "tanh"))
    # new widths after widths with activations: the activations were for the widths that are gone
    time.sleep(REBUILD_INTERVAL)
    send({"hidden": [2], "hidden_activations": None})
    session._work(0)
    time.sleep(REBUILD_INTERVAL)
    calls.clear()
    send({"hidden": [5, 5], "hidden_activations": ["relu", "relu"]})
    send({"hidden": [3]})
    session._work(0)
    assert calls == [{"hidden": [3]}] and session.trainer.config.hidden == (3,)
