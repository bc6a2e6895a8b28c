"""The optimizer race on /ws/race: its messages valid and invalid, and races run end to end in process."""
import json
import struct

import numpy as np
import pytest

from nnplayground.engine import Config
from nnplayground.engine.race import LANE_SETTINGS, Race
from nnplayground.server.protocol import RACE_TYPES, Lane, ProtocolError, parse_race
from nnplayground.server.race import decode_race_frame
from wire import make_client, open_page

XOR = {"dataset": "xor", "hidden": [8], "noise": 0.1, "seed": 4}
SGD_VS_ADAM = [{"optimizer": "sgd", "learning_rate": 0.01}, {"optimizer": "adam", "learning_rate": 0.01}]


def race_message(settings=XOR, lanes=SGD_VS_ADAM, target_loss=0.2, **more) -> dict:
    return {"type": "race", "settings": settings, "lanes": lanes, "target_loss": target_loss, **more}


# ------------------------------------------------------------------------------------------------ protocol
VALID = [
    race_message(),
    race_message({}, [{"optimizer": "momentum", "learning_rate": 0.1, "momentum": 0.5, "batch_size": 1},
                      {"optimizer": "rmsprop", "learning_rate": 0.01, "rho": 0.8, "epsilon": 1e-6},
                      {"optimizer": "adam", "learning_rate": 0.001, "beta1": 0.8, "beta2": 0.99},
                      {"optimizer": "adagrad", "learning_rate": 1}], 1000, max_epochs=100000),
    {"type": "race_control", "action": "play"},
    {"type": "race_control", "action": "pause"},
    {"type": "race_control", "action": "reset"},
    {"type": "speed", "epochs_per_frame": 0},
]


@pytest.mark.parametrize("message", VALID, ids=lambda m: m["type"])
def test_valid_race_messages_parse(message):
    assert parse_race(json.dumps(message)).type == message["type"]


def test_every_race_type_has_an_example_and_lanes_carry_exactly_the_engines_lane_settings():
    assert {m["type"] for m in VALID} == set(RACE_TYPES)
    assert set(Lane.model_fields) == LANE_SETTINGS


INVALID = [
    (race_message(lanes=SGD_VS_ADAM[:1]), "lanes"),
    (race_message(lanes=SGD_VS_ADAM * 2 + SGD_VS_ADAM[:1]), "lanes"),
    (race_message(lanes=[{"optimizer": "lbfgs", "learning_rate": 0.1}, SGD_VS_ADAM[1]]), "lanes.0.optimizer"),
    (race_message(lanes=[{"optimizer": "sgd"}, SGD_VS_ADAM[1]]), "lanes.0.learning_rate"),
    (race_message(lanes=[{**SGD_VS_ADAM[0], "hidden": [3]}, SGD_VS_ADAM[1]]), "lanes.0.hidden"),
    (race_message(lanes=[{**SGD_VS_ADAM[0], "momentum": 1.5}, SGD_VS_ADAM[1]]), "lanes.0.momentum"),
    (race_message(target_loss=0), "target_loss"),
    (race_message(target_loss=-0.1), "target_loss"),
    (race_message(target_loss="0.1"), "target_loss"),
    (race_message(max_epochs=0), "max_epochs"),
    (race_message({"hidden": [0]}), "hidden.0"),
    ({"type": "race_control", "action": "step"}, "action"),
    ({"type": "configure", "settings": {}}, "type"),
]


@pytest.mark.parametrize("message,field", INVALID, ids=lambda v: v if isinstance(v, str) else None)
def test_invalid_race_messages_are_refused_with_the_field_named(message, field):
    with pytest.raises(ProtocolError) as caught:
        parse_race(json.dumps(message))
    assert caught.value.code == "invalid_message" and caught.value.field == field


# ------------------------------------------------------------------------------------------------ in process
@pytest.fixture
def racer(client):
    context, page, welcome = open_page(client, "/race")
    page.welcome = welcome
    yield page
    context.__exit__(None, None, None)


def race_frame(page, where=None) -> tuple[dict, list[np.ndarray]]:
    """The next race_frame and its lanes' output maps."""
    message = page.until("race_frame", where=where)
    binary = page.recv()
    seq, maps = decode_race_frame(binary)
    assert seq == message["seq"] and len(maps) == (message["maps"] or {"count": 0})["count"]
    return message, maps


def test_a_race_page_is_welcomed_with_the_race_its_data_and_a_frame(racer):
    assert racer.welcome["limits"]["race_lanes"] == [2, 4]
    race = racer.recv()
    assert race["type"] == "race" and [lane["optimizer"] for lane in race["lanes"]] == ["sgd", "adam"]
    assert racer.recv()["type"] == "data"
    frame, maps = race_frame(racer)
    assert frame["state"] == "paused" and frame["winner"] is None and len(frame["lanes"]) == 2
    assert frame["lanes"][0]["train_loss"] == frame["lanes"][1]["train_loss"]
    np.testing.assert_array_equal(maps[0], maps[1])


def test_lanes_start_equal_and_a_race_runs_to_the_same_winner_as_the_engine(racer):
    racer.send({"type": "speed", "epochs_per_frame": 0})
    racer.send(race_message())
    race = racer.until("race", where=lambda m: m["config"]["dataset"] == "xor")
    assert race["target_loss"] == 0.2 and race["network"]["sizes"] == [2, 8, 1]
    assert race["lanes"][1]["optimizer"] == "adam" and race["lanes"][1]["learning_rate"] == 0.01
    assert racer.until("race_history")["rows"] == []
    start, maps = race_frame(racer)
    assert [lane["epoch"] for lane in start["lanes"]] == [0, 0]
    assert start["lanes"][0]["train_loss"] == start["lanes"][1]["train_loss"]
    np.testing.assert_array_equal(maps[0], maps[1])              # identical initial weights: identical maps
    racer.send({"type": "race_control", "action": "play"})
    assert racer.until("status")["state"] == "playing"
    won, maps = race_frame(racer, where=lambda m: m["winner"] is not None)
    expected = Race(Config(dataset="xor", hidden=(8,), noise=0.1, seed=4), SGD_VS_ADAM, 0.2)
    expected.run(300)
    assert won["winner"] == expected.winner == 1
    assert won["lanes"][1]["finished_at"] == expected.finished[1]
    assert np.abs(maps[0] - maps[1]).max() > 0.05                # the lanes have learned different maps
    rows = [row for m in racer.seen if m["type"] == "race_frame" for row in m["history"]]
    adam = [row["epoch"] for row in rows if row["lane"] == 1]
    assert adam == list(range(1, expected.finished[1] + 1))     # every epoch of the winner, none lost
    racer.send({"type": "race_control", "action": "pause"})
    assert racer.until("status", where=lambda m: m["state"] == "paused")


def test_a_race_ends_by_itself_and_reset_returns_every_lane_to_the_start(racer):
    racer.send({"type": "speed", "epochs_per_frame": 0})
    racer.send(race_message(target_loss=0.001, max_epochs=20))
    racer.until("race", where=lambda m: m["max_epochs"] == 20)
    racer.send({"type": "race_control", "action": "play"})
    over = racer.until("status", where=lambda m: "over" in m["message"])
    assert over["state"] == "paused" and "no lane reached the target" in over["message"]
    frame, _ = race_frame(racer, where=lambda m: m["over"])
    assert frame["winner"] is None and [lane["epoch"] for lane in frame["lanes"]] == [20, 20]
    racer.send({"type": "race_control", "action": "play"})
    assert "reset" in racer.until("status")["message"]
    racer.send({"type": "race_control", "action": "reset"})
    assert racer.until("race_history")["rows"] == []
    again, _ = race_frame(racer, where=lambda m: not m["over"])
    assert [lane["epoch"] for lane in again["lanes"]] == [0, 0]
    assert again["lanes"][0]["train_loss"] == again["lanes"][1]["train_loss"]


def test_refused_races_get_a_typed_error_change_nothing_and_the_socket_stays_open(racer):
    racer.until("race")
    for message, code in [
        (race_message(lanes=SGD_VS_ADAM[:1]), "invalid_message"),
        (race_message({"dataset": "points"}), "invalid_config"),
        (race_message({"dataset": "csv"}), "invalid_config"),
        (race_message({"unit_size": 16}), "invalid_config"),
        (race_message({"hidden": [256, 256, 256, 256]}), "invalid_config"),       # too many parameters
        ({"type": "control", "action": "play"}, "invalid_message"),
    ]:
        racer.send(message)
        error = racer.until("error")
        assert error["code"] == code and error["message"]
    racer.send({"type": "race_control", "action": "reset"})
    frame, _ = race_frame(racer, where=lambda m: m["seq"] > 1)
    race = next(m for m in racer.seen if m["type"] == "race")
    assert len(frame["lanes"]) == 2 and race["config"]["dataset"] == "circle"     # the first race is still there


def test_a_race_resumes_by_its_token_and_is_never_taken_for_a_playground_session(client):
    context, page, welcome = open_page(client, "/race")
    page.send({"type": "speed", "epochs_per_frame": 0})
    page.send(race_message(max_epochs=30, target_loss=0.001))
    page.send({"type": "race_control", "action": "play"})
    race_frame(page, where=lambda m: m["over"])
    context.__exit__(None, None, None)
    context, page, again = open_page(client, f"/race?resume={welcome['token']}")
    assert again["resumed"] is True and again["session"] == welcome["session"]
    history = page.until("race_history")["rows"]
    assert sorted({(row["lane"], row["epoch"]) for row in history}) == [(k, e) for k in (0, 1) for e in range(1, 31)]
    context.__exit__(None, None, None)
    context, page, other = open_page(client, f"?resume={welcome['token']}")
    assert other["resumed"] is False and page.recv()["type"] == "config"
    context.__exit__(None, None, None)


def test_races_count_toward_the_session_cap():
    with make_client(max_sessions=1) as client:
        context, page, _ = open_page(client, "/race")
        with pytest.raises(ConnectionError, match="1013"):
            open_page(client)
        page.send({"type": "race_control", "action": "reset"})
        assert page.until("race_history")["type"] == "race_history"           # the race is unaffected
        context.__exit__(None, None, None)


def test_the_race_binary_frame_layout():
    # NNR1, seq, lane count, then one output block per lane (u16 count, u16 size, f32 lo, f32 hi, u8[size²])
    block = struct.pack("<HHff", 1, 2, -1.0, 1.0) + bytes([0, 255, 51, 255])
    seq, lanes = decode_race_frame(b"NNR1" + struct.pack("<II", 7, 2) + block + block)
    assert seq == 7 and len(lanes) == 2
    np.testing.assert_allclose(lanes[1][0], [-1.0, 1.0, -0.6, 1.0], atol=1e-6)
    with pytest.raises(ValueError):
        decode_race_frame(b"NNP1" + struct.pack("<II", 7, 0))
