"""Property-based: real saved states and real WebSocket messages, mutated at random places with hostile values
(huge and negative numbers, strings such as "nan", nulls, lone surrogates, control characters, nested junk), are
answered with a typed error or succeed; a state that loads trains; the session still answers afterwards; and every
text frame a page receives is strict JSON, valid UTF-8 and valid against the protocol's outgoing models."""
import collections
import copy
import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_saved_state import PLANE, answers, assert_refusal, trains
# the same fixtures: one app per module, real saved states made by a page, a page checking every frame strictly
from test_saved_state import app_client, page, states  # noqa: F401

SPECIAL = [None, True, False, 0, 1, -1, 7, 2**31, 2**53, 2**64, -2**63, 10**30, 1e308, -1e308, 5e-324, -0.0, 0.5,
           "", "0.1", "nan", "inf", "-Infinity", "\ud800", "\udfff", "a\x00b", "line\nbreak", "\u2028", "é", "x" * 300,
           [], {}, [[]], {"": None}, [0.0] * 2001, [[0.0, 0.0, 0]] * 2001]
LEAF = st.one_of(st.sampled_from(SPECIAL), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                 st.text(max_size=8))
KEY = st.one_of(st.text(max_size=6), st.sampled_from(["\ud800", "type", "epoch", "params", "x\ty"]))
HOSTILE = st.recursive(LEAF, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEY, inner, max_size=4),
                       max_leaves=10)
# values of the right kind somewhere, so that some mutations are acceptable (and must then train)
PLAUSIBLE = st.one_of(st.integers(0, 12), st.floats(-1.0, 1.0), st.sampled_from(
    [0.5, 0.01, None, True, False, [], [2], "tanh", "relu", "adam", "sgd", "xor", "moons", "l2", "multiclass"]))
# real messages of a page, as the playground sends them
MESSAGES = [
    {"type": "configure", "settings": {"learning_rate": 0.1, "hidden": [3], "batch_size": 5}},
    {"type": "control", "action": "step_batch"},
    {"type": "speed", "epochs_per_frame": 5},
    {"type": "edit_weight", "layer": 0, "source": 0, "target": 0, "value": 0.5},
    {"type": "edit_bias", "layer": 0, "unit": 0, "value": 0.1},
    {"type": "set_points", "points": [[1.0, 2.0, 0], [-1.0, -2.0, 1], [2.5, -1.0, 1], [-3.0, 0.5, 0]]},
    {"type": "inspect", "point": [0.5, 0.5], "label": 1, "follow": False},
    {"type": "focus", "unit": 0},
    {"type": "warp", "layer": 0, "units": [0, 1]},
    {"type": "mistakes", "limit": 5},
]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.data_too_large])


def mutate_once(draw, root: dict) -> None:
    """Walk down from a random field of the root (3 times in 4 on into a random child), then replace that value
    with a hostile or (twice as often) a plausible one, delete it, or insert one beside it (into a list or an
    object)."""
    parent, key = root, draw(st.sampled_from(list(root)))
    node = parent[key]
    while isinstance(node, (dict, list)) and node and draw(st.integers(0, 3)) < 3:
        parent, key = node, draw(st.sampled_from(list(node)) if isinstance(node, dict)
                                 else st.integers(0, len(node) - 1))
        node = parent[key]
    value = copy.deepcopy(draw(st.one_of(HOSTILE, PLAUSIBLE, PLAUSIBLE)))     # sampled lists are shared
    action = draw(st.sampled_from(("replace", "replace", "delete", "insert")))
    if action == "delete":
        del parent[key]
    elif action == "insert" and isinstance(node, dict):
        node[draw(KEY)] = value
    elif action == "insert" and isinstance(node, list):
        node.insert(draw(st.integers(0, len(node))), value)
    else:
        parent[key] = value


@st.composite
def mutated(draw, base: dict) -> dict:
    """A deep copy of `base` with one to three mutations."""
    value = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        if value:
            mutate_once(draw, value)
    return value


@pytest.mark.timeout(150)
def test_mutated_states_and_messages_get_a_typed_answer_and_the_session_goes_on(app_client, states, page):
    """Each example: one to three actions on one session, each the upload of a mutated saved state or a mutated
    message, after which the session must answer a command. An upload is a typed 400 or loads, and a loaded state
    trains; a message gets a typed error or is applied."""
    page.send({"type": "configure", "settings": PLANE})
    page.until("config", where=lambda m: m["config"]["dataset"] == "xor")
    outcomes, speeds = collections.Counter(), itertools.count(1)

    def upload(state: dict) -> None:
        response = app_client.post("/api/state", content=json.dumps(state), headers=page.token)
        if response.status_code != 200:
            outcomes[f"state refused: {assert_refusal(response)['code']}"] += 1
            return
        outcomes["state loaded and trained"] += 1
        page.until("status", where=lambda m: m["message"] == "state loaded")
        page.until("frame", where=lambda m: m["counters"]["iteration"] == state["iteration"])
        if [m for m in page.seen if m["type"] == "data"][-1]["n_train"]:
            trains(page, 1)
        else:                           # an empty canvas: nothing to train on, and the session says so
            page.send({"type": "control", "action": "play"})
            page.until("status", where=lambda m: m["message"].startswith("there is nothing to train on"))

    @FUZZ
    @given(st.data())
    def act(data):
        for _ in range(data.draw(st.integers(1, 3), label="actions")):
            if data.draw(st.booleans(), label="upload a state"):
                upload(data.draw(mutated(states[data.draw(st.sampled_from(sorted(states)))]), label="state"))
            else:
                message = data.draw(mutated(data.draw(st.sampled_from(MESSAGES))), label="message")
                page.ws.send_text(json.dumps(message))
                outcomes["message sent"] += 1
            answers(page, next(speeds))         # and all the answers to this action came before

    act()
    errors = collections.Counter(m["code"] for m in page.seen if m["type"] == "error")
    print("\nmutated states and messages:", dict(outcomes), "\nerrors on the page:", dict(errors))
    assert outcomes["state loaded and trained"] and outcomes["state refused: invalid_config"]
    assert errors["invalid_message"] and "internal" not in errors
