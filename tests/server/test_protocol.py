"""Every client message type, valid and invalid, against server/protocol.py (no server needed)."""
import json

import pytest

from nnplayground.server.protocol import (CLIENT_TYPES, MAX_MESSAGE_BYTES, ProtocolError, Settings, choices, limits, loads_strict,
                             parse_client, server_adapter)

VALID = [
    {"type": "configure", "settings": {}},
    {"type": "configure", "settings": {"learning_rate": 0.1, "hidden": [3, 4], "features": ["x1", "x2", "x1x2"],
                                       "dataset": "spiral", "grid_size": 64, "unit_size": 16}},
    {"type": "configure", "settings": {"loss": None, "output_activation": None, "hidden_activations": None}},
    {"type": "configure", "settings": {"learn_bias": False, "init": "zeros"}},
    {"type": "configure", "settings": {"hidden": [], "activation": "step", "task": "binary", "seed": 0,
                                       "batch_size": 1, "learning_rate": 100}},
    {"type": "control", "action": "play"},
    *({"type": "control", "action": a} for a in ("pause", "step", "step_batch", "reset", "regenerate", "step_back")),
    {"type": "speed", "epochs_per_frame": 0},
    {"type": "speed", "epochs_per_frame": 10000},
    {"type": "edit_weight", "layer": 0, "source": 1, "target": 2, "value": -3.5},
    {"type": "edit_bias", "layer": 1, "unit": 0, "value": 1e6},
    {"type": "set_points", "points": [[1.5, -2, 1], [-6, 6, 0]]},
    {"type": "set_points", "points": []},
    {"type": "inspect", "point": [0.5, -1], "label": 1, "follow": True},
    {"type": "inspect", "point": None},
    {"type": "focus", "unit": 3},
    {"type": "focus", "unit": None},
    {"type": "warp", "layer": 1, "units": [0, 3]},
    {"type": "warp", "layer": 0},
    {"type": "warp", "layer": None},
    {"type": "mistakes", "limit": 24},
    {"type": "mistakes", "limit": 0},
]


@pytest.mark.parametrize("message", VALID, ids=lambda m: m["type"])
def test_valid_messages_parse(message):
    model = parse_client(json.dumps(message))
    assert model.type == message["type"]


def test_every_client_type_has_a_valid_example():
    assert {m["type"] for m in VALID} == set(CLIENT_TYPES)


def test_configure_keeps_only_what_was_sent():
    model = parse_client('{"type":"configure","settings":{"loss":null,"learning_rate":0.5}}')
    assert model.settings.model_dump(exclude_unset=True) == {"loss": None, "learning_rate": 0.5}


INVALID = [
    # (text, code, field)
    ("{", "bad_json", None),
    ("", "bad_json", None),
    ("[1, 2]", "invalid_message", None),
    ('"play"', "invalid_message", None),
    ("{}", "invalid_message", "type"),
    ('{"type": "hello"}', "invalid_message", "type"),
    ('{"type": 3}', "invalid_message", "type"),
    ('{"type": "control", "action": "jump"}', "invalid_message", "action"),
    ('{"type": "control"}', "invalid_message", "action"),
    ('{"type": "control", "action": "play", "extra": 1}', "invalid_message", "extra"),
    ('{"type": "speed", "epochs_per_frame": -1}', "invalid_message", "epochs_per_frame"),
    ('{"type": "speed", "epochs_per_frame": 10001}', "invalid_message", "epochs_per_frame"),
    ('{"type": "speed", "epochs_per_frame": 1.5}', "invalid_message", "epochs_per_frame"),
    ('{"type": "speed", "epochs_per_frame": "5"}', "invalid_message", "epochs_per_frame"),
    ('{"type": "speed", "epochs_per_frame": true}', "invalid_message", "epochs_per_frame"),
    ('{"type": "configure", "settings": {"learning_rate": "0.1"}}', "invalid_message", "learning_rate"),
    ('{"type": "configure", "settings": {"learning_rate": 101}}', "invalid_message", "learning_rate"),
    ('{"type": "configure", "settings": {"learning_rate": -0.1}}', "invalid_message", "learning_rate"),
    ('{"type": "configure", "settings": {"lr": 0.1}}', "invalid_message", "lr"),
    ('{"type": "configure", "settings": {"task": null}}', "invalid_message", "task"),
    ('{"type": "configure", "settings": {"dataset": "mnist"}}', "invalid_message", "dataset"),
    ('{"type": "configure", "settings": {"hidden": [0]}}', "invalid_message", "hidden.0"),
    ('{"type": "configure", "settings": {"hidden": [257]}}', "invalid_message", "hidden.0"),
    ('{"type": "configure", "settings": {"hidden": [1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}}', "invalid_message",
     "hidden"),
    ('{"type": "configure", "settings": {"features": []}}', "invalid_message", "features"),
    ('{"type": "configure", "settings": {"features": ["x3"]}}', "invalid_message", "features.0"),
    ('{"type": "configure", "settings": {"n_points": 5}}', "invalid_message", "n_points"),
    ('{"type": "configure", "settings": {"seed": 2147483648}}', "invalid_message", "seed"),
    ('{"type": "configure", "settings": {"grid_size": 1}}', "invalid_message", "grid_size"),
    ('{"type": "configure", "settings": {"grid_size": 129}}', "invalid_message", "grid_size"),
    ('{"type": "configure", "settings": {"unit_size": 65}}', "invalid_message", "unit_size"),
    ('{"type": "configure", "settings": {"batch_size": 2.5}}', "invalid_message", "batch_size"),
    ('{"type": "configure", "settings": {"learn_bias": 1}}', "invalid_message", "learn_bias"),
    ('{"type": "configure", "settings": {"learn_bias": "false"}}', "invalid_message", "learn_bias"),
    ('{"type": "configure", "settings": [1]}', "invalid_message", "settings"),
    ('{"type": "configure"}', "invalid_message", "settings"),
    ('{"type": "edit_weight", "layer": 0, "source": 0, "target": 0, "value": 1e7}', "invalid_message", "value"),
    ('{"type": "edit_weight", "layer": -1, "source": 0, "target": 0, "value": 1}', "invalid_message", "layer"),
    ('{"type": "edit_weight", "layer": 0, "source": 0, "value": 1}', "invalid_message", "target"),
    ('{"type": "edit_bias", "layer": 0, "unit": 0, "value": "big"}', "invalid_message", "value"),
    ('{"type": "set_points", "points": [[7, 0, 1]]}', "invalid_message", None),
    ('{"type": "set_points", "points": [[1, 0]]}', "invalid_message", "points.0"),
    ('{"type": "set_points", "points": "none"}', "invalid_message", "points"),
    ('{"type": "inspect", "point": [], "label": 0}', "invalid_message", "point"),
    ('{"type": "inspect", "point": [0, 0], "follow": "yes"}', "invalid_message", "follow"),
    ('{"type": "focus"}', "invalid_message", "unit"),
    ('{"type": "focus", "unit": 5000}', "invalid_message", "unit"),
    ('{"type": "warp"}', "invalid_message", "layer"),
    ('{"type": "warp", "layer": 0, "units": [1]}', "invalid_message", "units"),
    ('{"type": "warp", "layer": 0, "units": [1, 2, 3]}', "invalid_message", "units"),
    ('{"type": "warp", "layer": 0, "units": [0, -1]}', "invalid_message", "units.1"),
    ('{"type": "warp", "layer": 1.5}', "invalid_message", "layer"),
    ('{"type": "mistakes", "limit": 49}', "invalid_message", "limit"),
    ('{"type": "mistakes", "limit": true}', "invalid_message", "limit"),
    ('{"type": "mistakes"}', "invalid_message", "limit"),
]


@pytest.mark.parametrize("text, code, field", INVALID)
def test_invalid_messages_are_refused_with_a_typed_error(text, code, field):
    with pytest.raises(ProtocolError) as caught:
        parse_client(text)
    assert caught.value.code == code
    assert caught.value.field == field
    assert caught.value.message and "Traceback" not in caught.value.message


NUMERIC_MESSAGES = [
    '{"type": "configure", "settings": {"learning_rate": %s}}',
    '{"type": "configure", "settings": {"noise": %s}}',
    '{"type": "configure", "settings": {"seed": %s}}',
    '{"type": "speed", "epochs_per_frame": %s}',
    '{"type": "edit_weight", "layer": 0, "source": 0, "target": 0, "value": %s}',
    '{"type": "edit_bias", "layer": 0, "unit": %s, "value": 0}',
    '{"type": "set_points", "points": [[0, %s, 1]]}',
    '{"type": "inspect", "point": [%s, 0], "label": 0}',
    '{"type": "inspect", "point": [0, 0], "label": %s}',
    '{"type": "focus", "unit": %s}',
    '{"type": "warp", "layer": 0, "units": [0, %s]}',
    '{"type": "mistakes", "limit": %s}',
]


@pytest.mark.parametrize("template", NUMERIC_MESSAGES)
@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_non_finite_numbers_are_refused_before_validation(template, number):
    with pytest.raises(ProtocolError) as caught:
        parse_client(template % number)
    assert caught.value.code == "bad_json"


def test_oversize_messages_are_refused():
    text = json.dumps({"type": "set_points", "points": [[-1.1234567890123456, -2.1234567890123456, 1]] * 2000})
    assert len(text) > MAX_MESSAGE_BYTES
    with pytest.raises(ProtocolError) as caught:
        parse_client(text)
    assert caught.value.code == "too_large"
    # multi-byte characters count as bytes
    with pytest.raises(ProtocolError) as caught:
        parse_client('{"type": "x", "pad": "' + "é" * (MAX_MESSAGE_BYTES // 2) + '"}')
    assert caught.value.code == "too_large"


def test_huge_integers_and_deep_nesting_are_bad_json():
    for text in ['{"type": "speed", "epochs_per_frame": ' + "9" * 5000 + "}",
                 "[" * 100_000 + "]" * 100_000]:
        with pytest.raises(ProtocolError) as caught:
            parse_client(text)
        assert caught.value.code in ("bad_json", "too_large")


def test_strict_loader():
    assert loads_strict('{"a": [1, 2.5, -0.0]}') == {"a": [1, 2.5, -0.0]}
    for text in ["NaN", "[Infinity]", '{"a": -Infinity}', "1e400"]:
        with pytest.raises(ValueError):
            loads_strict(text)


def test_limits_and_choices_match_the_models():
    lim, cho = limits(), choices().model_dump()
    assert lim["learning_rate"] == [0.0, 100.0] and lim["grid_size"] == [2, 128]
    assert set(cho["datasets"]) <= set(Settings.model_fields["dataset"].annotation.__args__)
    assert cho["losses"]["binary"]["bce"] == ["sigmoid"]
    json.dumps(lim, allow_nan=False)
    json.dumps(cho, allow_nan=False)


def test_server_models_refuse_unknown_fields_and_non_finite_numbers():
    good = {"type": "status", "state": "paused", "message": "ok"}
    server_adapter.validate_python(good)
    with pytest.raises(Exception):
        server_adapter.validate_python({**good, "surprise": 1})
    with pytest.raises(Exception):
        server_adapter.validate_python({"type": "history", "rows": [{"epoch": 1, "iteration": 1,
                                                                      "train_loss": float("nan"),
                                                                      "test_loss": None}]})


def test_every_control_action_has_its_method():
    from nnplayground.server.protocol import ACTIONS
    from nnplayground.server.session import Session
    assert set(Session._CONTROLS) == set(ACTIONS)
    assert all(callable(method) for method in Session._CONTROLS.values())
