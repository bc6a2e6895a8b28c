"""Saved states are checked like everything else that enters (issue 10, item 5): each hostile state is answered 400
with a typed code and a message naming the field, and the session goes on unchanged; each acceptable one loads and
then trains. And on the way out, a message that cannot be sent becomes an `error` for its page and a log line, never
a silent page.

Every text frame a page receives here must also be valid UTF-8: a lone surrogate passes through the in-process test
client, but a real socket cannot send it (its sender would die and the page go deaf)."""
import copy
import json

import pytest

from nnplayground.server.protocol import ERROR_CODES, loads_strict
from nnplayground.server.turns import Outcome
from wire import STANDARD, make_client, open_page

CSV = ("width,height,depth,kind\n1.0,2.0,0.5,a\n2.0,1.0,0.7,b\n3.0,3.5,0.1,c\n1.5,2.5,0.9,a\n2.5,1.5,0.3,b\n"
       "3.5,3.0,0.2,c\n1.2,2.2,0.6,a\n2.2,1.2,0.4,b\n")
PLANE = {**STANDARD, "dataset": "xor", "n_points": 60, "hidden": [4], "optimizer": "adam", "batch_size": 7}


class Utf8Only:
    """A test-client socket whose received text frames must encode as UTF-8 (as a real socket's must)."""

    def __init__(self, ws):
        self.ws = ws

    def receive(self):
        raw = self.ws.receive()
        if raw.get("text") is not None:
            raw["text"].encode("utf-8")      # UnicodeEncodeError: a real socket could not send this
        return raw

    def send_text(self, text: str) -> None:
        self.ws.send_text(text)


def strict_page(client):
    """A new page (and session), its first frame read; every text it receives is checked (see Utf8Only)."""
    context, page, welcome = open_page(client)
    page.ws = Utf8Only(page.ws)
    page.token = {"X-Session-Token": welcome["token"]}
    page.until("frame")
    return context, page


def answers(page, speed: int) -> None:
    """The session still takes commands and its page still gets frames: a speed change comes back in a frame."""
    page.send({"type": "speed", "epochs_per_frame": speed})
    page.until("frame", where=lambda m: m["speed"] == speed)


def trains(page, batches: int = 3) -> None:
    """Each step_batch is answered by a frame one iteration on (a loaded state trains)."""
    data, start = [m for m in page.seen if m["type"] == "data"][-1], len(page.seen)
    assert data["n_train"] > 0
    for _ in range(batches):
        before = page.frames[-1]["counters"]["iteration"]
        page.send({"type": "control", "action": "step_batch"})
        page.until("frame", where=lambda m, b=before: m["counters"]["iteration"] == b + 1)
    assert not [m for m in page.seen[start:] if m["type"] == "error"], "a loaded state's training was refused"


def assert_refusal(response, code: str | None = None) -> dict:
    """A typed 400: strict JSON, a code from ERROR_CODES, a message that names the field when one is given."""
    assert response.status_code == 400, response.text
    body = loads_strict(response.content)
    assert body["type"] == "error" and body["code"] in ERROR_CODES and body["message"]
    assert code is None or body["code"] == code, body
    assert body["field"] is None or body["field"] in body["message"], body
    assert "Traceback" not in response.text and "/work/" not in response.text
    return body


@pytest.fixture(scope="module")
def app_client():
    with make_client() as client:
        yield client


@pytest.fixture
def page(app_client):
    context, page = strict_page(app_client)
    yield page
    context.__exit__(None, None, None)


@pytest.fixture(scope="module")
def states(app_client):
    context, page = strict_page(app_client)
    found = {}
    try:
        build_states(app_client, page, found)
        yield found
    finally:
        context.__exit__(None, None, None)


def build_states(client, page, found: dict) -> None:
    """Real saved states, made by a page: "plane", a network mid-epoch with Adam's moments; "csv", a table of 3
    columns and 3 classes; "drawn", hand-placed binary points."""
    page.send({"type": "configure", "settings": PLANE})
    page.until("config", where=lambda m: m["config"]["dataset"] == "xor")
    for iteration in (1, 2, 3):
        page.send({"type": "control", "action": "step_batch"})
        page.until("frame", where=lambda m, i=iteration: m["counters"]["iteration"] == i)
    found["plane"] = client.get("/api/state", headers=page.token).json()
    assert found["plane"]["pending"] is not None and any(found["plane"]["s"])
    page.send({"type": "configure", "settings": {"task": "multiclass", "dataset": "blobs", "loss": None,
                                                 "output_activation": None}})
    page.until("config", where=lambda m: m["config"]["task"] == "multiclass")
    assert client.post("/api/csv?label=kind", content=CSV, headers=page.token).status_code == 200
    page.send({"type": "control", "action": "step"})
    page.until("frame", where=lambda m: m["counters"]["epoch"] == 1)
    found["csv"] = client.get("/api/state", headers=page.token).json()
    assert found["csv"]["custom"]["columns"] == ["width", "height", "depth"]
    page.send({"type": "configure", "settings": {"task": "binary", "dataset": "circle", "loss": None,
                                                 "output_activation": None}})
    page.until("config", where=lambda m: m["config"]["task"] == "binary")
    page.send({"type": "set_points", "points": [[1.0, 1.0, 1], [-1.0, -1.0, 0], [2.0, -2.0, 1], [-2.5, 2.0, 0],
                                                [0.5, -3.0, 1], [-4.0, 1.0, 0]]})
    page.until("data", where=lambda m: m["n_train"] + m["n_test"] == 6)
    page.send({"type": "control", "action": "step"})
    page.until("frame", where=lambda m: m["counters"]["epoch"] == 1)
    found["drawn"] = client.get("/api/state", headers=page.token).json()
    assert found["drawn"]["custom"]["name"] == "drawn"


# ------------------------------------------------------------------------------------------------ mutations
def put(path: tuple, value):
    def mutate(state):
        node = state
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value(node) if callable(value) else value
    return mutate


def drop(path: tuple):
    def mutate(state):
        node = state
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
    return mutate


def wide(columns: int, hidden: list, parameters: int | None = None):
    """The CSV state with `columns` inputs per row, its scaling and names to match, and `hidden` layers."""
    def mutate(state):
        custom = state["custom"]
        custom["columns"] = [f"c{i}" for i in range(columns)]
        custom["points"] = [[0.25] * columns for _ in custom["points"]]
        custom["scaling"] = [[1.0] * columns, [1.0] * columns, [0.0] * columns]
        state["config"]["hidden"] = hidden
        n = parameters or sum((a + 1) * b for a, b in zip([columns] + hidden, hidden + [3]))
        state["params"], state["m"], state["s"] = [0.01] * n, [0.0] * n, [0.0] * n
        state["pending"] = None
    return mutate


def classes(n: int):
    def mutate(state):
        state["custom"]["n_classes"] = n
        state["custom"]["class_names"] = [f"k{i}" for i in range(n)]
    return mutate


def rows(row: dict, count: int):
    return put(("history",), [dict(row, iteration=i) for i in range(count)])


ROW = {"epoch": 1, "iteration": 3, "train_loss": 0.5, "test_loss": 0.6}
# (what, saved state, mutation, code, field named in the message)
REFUSED = [
    ("a weight given as the string nan", "plane", put(("params", 0), "nan"), "invalid_config", "params.0"),
    ("a moment given as the string inf", "plane", put(("m", 1), "inf"), "invalid_config", "m.1"),
    ("a negative second moment", "plane", put(("s", 2), -1.0), "invalid_config", "s.2"),
    ("a weight as a number too big for a float", "plane", put(("params", 0), 10**400), "invalid_config", "params.0"),
    ("1,000 classes (limit 10)", "csv", classes(1000), "data_error", "custom.n_classes"),
    ("20,000 input columns and 320,033 parameters", "csv", wide(20_000, [16], 320_033), "data_error",
     "custom.columns"),
    ("65 columns (allowed) but 200,483 parameters (limit 200,000)", "csv", wide(65, [256, 256, 256, 200], 100),
     "invalid_config", "parameters"),
    ("hand-placed binary points with a label 7", "drawn", put(("custom", "labels", 0), 7), "data_error",
     "custom.labels"),
    ("CSV data of 3 classes with a label 7", "csv", put(("custom", "labels", 1), 7), "data_error", "custom.labels"),
    ("a class label 1.5", "csv", put(("custom", "labels", 1), 1.5), "data_error", "custom.labels"),
    ("a lone-surrogate key", "plane", put(("config", "\ud800"), 1), "invalid_config", "config"),
    ("a lone-surrogate key at the top", "plane", put(("\ud800",), 1), "invalid_config", None),
    ("a lone surrogate in a history row", "plane", put(("history", 0, "train_loss"), "\ud800"), "invalid_config",
     "history.0.train_loss"),
    ("a lone-surrogate key in a history row", "plane", put(("history", 0, "\ud800"), 0.5), "invalid_config",
     "history.0"),
    ("junk history rows", "plane", put(("history",), [1, "x", None]), "invalid_config", "history.0"),
    ("a history row with a negative epoch", "plane", put(("history", 0, "epoch"), -1), "invalid_config",
     "history.0.epoch"),
    ("a history row with a text loss", "plane", put(("history", 0, "test_loss"), "0.5"), "invalid_config",
     "history.0.test_loss"),
    ("a history row without its test loss", "plane", drop(("history", 0, "test_loss")), "invalid_config",
     "history.0.test_loss"),
    ("a history row with an extra field", "plane", put(("history", 0, "note"), "hi"), "invalid_config",
     "history.0.note"),
    ("2,001 history rows (limit 2,000)", "plane", rows(ROW, 2001), "invalid_config", "history"),
    ("a negative rng field", "plane", put(("rng", "state", "state"), -1), "invalid_config", "rng.state.state"),
    ("a negative rng uinteger", "plane", put(("rng", "uinteger"), -5), "invalid_config", "rng.uinteger"),
    ("an rng state beyond 128 bits", "plane", put(("rng", "state", "inc"), 2**128), "invalid_config",
     "rng.state.inc"),
    ("another bit generator", "plane", put(("rng", "bit_generator"), "MT19937"), "invalid_config",
     "rng.bit_generator"),
    ("one weight too few", "plane", put(("params",), lambda s: s["params"][:-1]), "invalid_config", "params"),
    ("one moment too many", "plane", put(("m",), lambda s: s["m"] + [0.0]), "invalid_config", "m"),
    ("a shuffle order of the wrong length", "plane", put(("pending", 0), lambda p: p[0][:-1]), "invalid_config",
     "pending"),
    ("a shuffle order that repeats a row", "plane", put(("pending", 0), lambda p: [0] * len(p[0])),
     "invalid_config", "pending"),
    ("a negative shuffle seed", "plane", put(("pending", 1), -1), "invalid_config", "pending.1"),
    ("a shuffle position past the data", "plane", put(("pending", 2), 500), "invalid_config", "pending"),
    ("hand-placed points of three coordinates", "drawn",
     put(("custom", "points"), lambda c: [p + [0.0] for p in c["points"]]), "data_error", "custom.points"),
    ("a hand-placed point off the plane", "drawn", put(("custom", "points", 0), [7.0, 0.0]), "data_error",
     "custom.points"),
    ("one label more than points", "drawn", put(("custom", "labels"), lambda c: c["labels"] + [0]), "data_error",
     "custom.labels"),
    ("hand-placed points named like a CSV table", "drawn", put(("custom", "columns"), ["a", "b"]), "data_error",
     "custom.columns"),
    ("a CSV row one number short", "csv", put(("custom", "points", 0), lambda p: p[0][:-1]), "data_error",
     "custom.points"),
    ("a CSV column name with a line break", "csv", put(("custom", "columns", 0), "wid\nth"), "data_error",
     "custom.columns.0"),
    ("a CSV class name holding a lone surrogate", "csv", put(("custom", "class_names", 0), "\ud800"), "data_error",
     "custom.class_names.0"),
    ("a CSV column named twice", "csv", put(("custom", "columns", 1), "width"), "data_error", "custom.columns"),
    ("a CSV scaling of the wrong shape", "csv", put(("custom", "scaling", 0), [1.0]), "data_error",
     "custom.scaling"),
    ("a CSV scaling dividing by 0", "csv", put(("custom", "scaling", 0, 0), 0.0), "data_error", "custom.scaling"),
    ("a CSV table said to be on the plane", "csv", put(("custom", "is_plane"), True), "data_error",
     "custom.is_plane"),
    ("a CSV table with two class names for three classes", "csv",
     put(("custom", "class_names"), ["a", "b"]), "data_error", "custom.class_names"),
    ("an unknown custom data set", "csv", put(("custom", "name"), "digits"), "data_error", "custom.name"),
    ("a negative optimizer step count", "plane", put(("t",), -1), "invalid_config", "t"),
    ("a counter beyond 2**53", "plane", put(("examples_seen",), 2**64), "invalid_config", "examples_seen"),
    ("a fractional epoch", "plane", put(("epoch",), 1.5), "invalid_config", "epoch"),
    ("a boolean iteration", "plane", put(("iteration",), True), "invalid_config", "iteration"),
    ("a learning rate as text", "plane", put(("config", "learning_rate"), "0.1"), "invalid_config",
     "config.learning_rate"),
    ("a learning rate out of range", "plane", put(("config", "learning_rate"), 1e9), "invalid_config",
     "config.learning_rate"),
    ("1,000 classes in the configuration", "plane", put(("config", "n_classes"), 1000), "invalid_config",
     "config.n_classes"),
    ("an unknown data set", "plane", put(("config", "dataset"), "nope"), "invalid_config", "config.dataset"),
    ("the view sizes in the configuration", "plane", put(("config", "grid_size"), 32), "invalid_config",
     "config.grid_size"),
    ("CSV data for another task", "csv", put(("config", "task"), "regression"), "invalid_config", "task"),
    ("an unknown field", "plane", put(("extra",), 1), "invalid_config", "extra"),
    ("no weights", "plane", drop(("params",)), "invalid_config", "params"),
    ("a null configuration", "plane", put(("config",), None), "invalid_config", "config"),
    ("another version", "plane", put(("version",), 2), "invalid_config", "version"),
]
LOADS = [
    ("the plane state as saved", "plane", None),
    ("the CSV state as saved", "csv", None),
    ("the hand-placed points as saved", "drawn", None),
    ("no history", "plane", put(("history",), [])),
    ("2,000 history rows", "plane", rows(ROW, 2000)),
    ("a history row with a null loss", "plane", put(("history", 0, "train_loss"), None)),
    ("no unfinished epoch", "plane", put(("pending",), None)),
    ("no custom data with a generated data set", "plane", put(("custom",), None)),
    ("a higher learning rate", "plane", put(("config", "learning_rate"), 1.0)),
    ("a setting left to the engine's default", "plane", drop(("config", "learn_bias"))),
    ("huge finite weights (the run diverges, and says so)", "plane", put(("params", 0), 1e300)),
    ("the CSV state with 65 columns and a small network", "csv", wide(65, [8])),
]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("what, base, mutate, code, field", REFUSED, ids=[case[0] for case in REFUSED])
def test_a_hostile_state_is_refused_naming_the_field(app_client, states, page, what, base, mutate, code, field):
    client = app_client
    before = client.get("/api/state", headers=page.token).text
    state = copy.deepcopy(states[base])
    mutate(state)
    response = client.post("/api/state", content=json.dumps(state), headers=page.token)
    body = assert_refusal(response, code)
    assert field is None or field in body["message"], body
    assert client.get("/api/state", headers=page.token).text == before, "a refused state changed the session"
    page.send({"type": "control", "action": "step"})
    page.until("frame", where=lambda m: m["counters"]["epoch"] == 1)
    answers(page, 3)


@pytest.mark.timeout(60)
@pytest.mark.parametrize("what, base, mutate", LOADS, ids=[case[0] for case in LOADS])
def test_an_acceptable_state_loads_and_trains(app_client, states, page, what, base, mutate):
    client = app_client
    state = copy.deepcopy(states[base])
    if mutate is not None:
        mutate(state)
    response = client.post("/api/state", content=json.dumps(state), headers=page.token)
    assert response.status_code == 200, response.text
    assert response.json()["epoch"] == state["epoch"]
    history = page.until("history")
    assert len(history["rows"]) == len(state["history"])
    page.until("status", where=lambda m: m["message"] == "state loaded")
    page.until("frame", where=lambda m: m["counters"]["iteration"] == state["iteration"])
    trains(page)
    answers(page, 4)
    saved = client.get("/api/state", headers=page.token)
    assert saved.status_code in (200, 409), saved.text        # 409: the run diverged, as huge weights make it


# ------------------------------------------------------------------------------------------------ the way out
@pytest.mark.timeout(60)
def test_an_unsendable_message_becomes_an_error_and_the_page_goes_on(app_client, page, caplog):
    """A text that a socket cannot send (a lone surrogate) reaching a page's sender: that page gets an `error`
    instead, the server logs one line, and later messages still arrive."""
    client = app_client
    session = client.app.state.registry.get(page.token["X-Session-Token"])
    subscriber = session.subscribers[0]
    caplog.set_level("ERROR", logger="nnplayground.session")
    client.portal.call(subscriber.send_message, '{"type":"status","state":"paused","message":"\ud800"}')
    error = page.until("error")
    assert error["code"] == "internal" and "could not be sent" in error["message"]
    assert len([r for r in caplog.records if "could not be sent" in r.getMessage()]) == 1
    answers(page, 6)
    page.send({"type": "control", "action": "step"})
    page.until("frame", where=lambda m: m["counters"]["epoch"] == 1)


def test_a_message_that_cannot_be_encoded_becomes_an_error_for_its_pages(caplog):
    """Outcome: a message with a non-finite number or a lone surrogate is replaced by an `error` for the same
    pages (one log line each); the messages beside it are kept."""
    caplog.set_level("ERROR", logger="nnplayground.session")
    page = object()
    out = Outcome()
    out.to(page, {"type": "status", "state": "paused", "message": "before"})
    out.to(page, {"type": "inspection", "loss": float("nan")})
    out.broadcast({"type": "status", "state": "paused", "message": "\udfff"})
    out.status("paused", "after")
    (first, _, one), (target, _, bad), (everyone, key, worse), (_, _, last) = out.messages
    assert loads_strict(one)["message"] == "before" and loads_strict(last)["message"] == "after"
    assert target is page and everyone is None and key is None
    for text in (bad, worse):
        error = loads_strict(text)
        assert error["type"] == "error" and error["code"] == "internal", error
        text.encode("utf-8")
    assert len([r for r in caplog.records if "could not be encoded" in r.getMessage()]) == 2
