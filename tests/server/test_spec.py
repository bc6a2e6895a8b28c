"""The page's facts (protocol.spec, served as /spec.js): a valid model, equal to the engine and server values they
mirror, a JavaScript module behind the guard, and nothing in its strings that can end a script."""
import inspect
import json
import struct

import numpy as np
import pytest
from pydantic import ValidationError

from nnplayground.engine import DATASETS, Config, Trainer
from nnplayground.engine import activations, losses, optimizers
from nnplayground.engine.datasets import PLANE_EXTENT
from nnplayground.engine.features import FEATURES, feature_matrix
from nnplayground.engine.one_weight import OneWeight
from nnplayground.engine.race import LANE_SETTINGS, MAX_LANES
from nnplayground.server import ServerSettings, frames, protocol
from nnplayground.server.protocol import Spec, loads_strict, spec, spec_script
from nnplayground.server.race import RaceSession
from wire import make_client, open_page

PREFIX, SUFFIX = "export const SPEC = ", ";\n"


def module_json(text: str) -> dict:
    assert text.startswith(PREFIX) and text.endswith(SUFFIX)
    return loads_strict(text[len(PREFIX):-len(SUFFIX)])


def test_the_spec_is_a_valid_model_that_survives_json():
    facts = spec()
    data = loads_strict(protocol.dumps(facts.model_dump(mode="json")))
    assert Spec.model_validate(data).model_dump(mode="json") == data


def test_spec_js_is_the_module_behind_the_guard():
    settings = {"grid_size": 32, "unit_size": 16, "default_speed": 3, "fps": 20}
    with make_client(**settings) as client:
        answer = client.get("/spec.js")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "text/javascript; charset=utf-8"
        assert answer.headers["content-security-policy"].startswith("default-src 'self'")
        served = module_json(answer.text)
        assert served == spec(ServerSettings(warm_up=False, **settings)).model_dump(mode="json")
        assert served["defaults"]["grid_size"] == 32 and served["defaults"]["speed"] == 3 and served["fps"] == 20
        assert client.get("/spec.js", headers={"Host": "evil.example"}).status_code == 400
    with make_client(join_token="sesame") as gated:
        assert gated.get("/spec.js").status_code == 403
        assert gated.get("/spec.js?join=sesame").status_code == 200


def test_welcome_sends_the_specs_limits_and_choices(client):
    context, page, welcome = open_page(client)
    context.__exit__(None, None, None)
    facts = module_json(client.get("/spec.js").text)
    assert welcome["limits"] == facts["limits"] and welcome["choices"] == facts["choices"]
    assert welcome["fps"] == facts["fps"] and welcome["max_message_bytes"] == facts["max_message_bytes"]


def test_defaults_are_the_engine_and_server_defaults():
    defaults = spec().defaults.model_dump()
    server = ServerSettings()
    assert (defaults["grid_size"], defaults["unit_size"], defaults["speed"]) == \
        (server.grid_size, server.unit_size, server.default_speed) == (48, 24, 10)
    for name, value in Config().as_dict().items():
        assert defaults[name] == (list(value) if isinstance(value, tuple) else value), name
    assert set(defaults) == set(Config().as_dict()) | {"grid_size", "unit_size", "speed"}


def test_every_engine_name_is_offered_with_a_label():
    facts = spec()
    labels = facts.labels
    assert set(labels.optimizers) == set(optimizers.CODES) == set(facts.optimizers)
    assert set(labels.activations) == set(activations.CODES)
    assert set(labels.losses) == set(losses.CODES)
    assert set(labels.features) == set(FEATURES)
    assert set(labels.datasets) == set(DATASETS) | {"points", "csv"}
    assert set(facts.choices.datasets) == set(DATASETS)
    for table in (labels.tasks, labels.datasets, labels.activations, labels.losses, labels.optimizers,
                  labels.regularizations, labels.inits, labels.features):
        assert all(isinstance(text, str) and text for text in table.values())
    assert set(labels.settings) >= set(facts.defaults.model_dump())


def test_optimizer_settings_are_the_engines():
    facts, defaults = spec(), Config()
    for name, fact in facts.optimizers.items():
        assert list(fact.settings) == list(optimizers.SETTINGS[name])
        assert fact.moments == list(optimizers.MOMENTS[name])
        for key, setting in fact.settings.items():
            assert setting.default == getattr(defaults, key)
            assert setting.range == list(protocol._config.RANGES[key])


def test_plane_maths_and_task_defaults_mirror_the_engine():
    facts = spec()
    assert facts.plane.extent == PLANE_EXTENT and facts.leaky_slope == activations.LEAKY_SLOPE
    a, b = 5.0, -3.0
    x1sq, x1x2 = feature_matrix(np.array([[a, b]]), ["x1sq", "x1x2"])[0]
    assert x1sq == pytest.approx(a * a / facts.plane.feature_scale)
    assert x1x2 == pytest.approx(a * b / facts.plane.feature_scale)
    assert {tuple(pair) for pair in facts.signed_targets} == losses.SIGNED_TARGETS
    assert facts.default_datasets == {"binary": "circle", "multiclass": "spiral3", "regression": "plane"}
    for task, name in facts.default_datasets.items():
        assert DATASETS[name] == task
    for name, values in facts.presets.items():
        assert values, name


def test_the_frame_layout_reads_a_real_frame():
    layout = spec().frame
    trainer = Trainer(Config(dataset="xor", n_points=40, hidden=(3,)))
    frame = frames.encode_frame(1, trainer, state="paused", speed=1, rows=[], grid_size=8, unit_size=8, focus=None,
                                cache=frames.MapCache(), epochs_per_second=0.0)
    binary = frame.binary
    codes = {"ascii[4]": "4s", "u32": "I", "u16": "H", "f32": "f"}
    header = {f.name: struct.unpack_from("<" + codes[f.type], binary, f.offset)[0] for f in layout.header}
    assert header["magic"].decode() == layout.magic and header["seq"] == 1
    assert header["count"] == trainer.params.size
    at = struct.calcsize("<" + "".join(codes[f.type] for f in layout.header)) + 4 * header["count"]
    names = [name for name in layout.block_order if name in frame.meta["maps"]]
    assert names == list(frame.meta["maps"])               # the blocks come in block_order
    block = {f.name: struct.unpack_from("<" + codes[f.type], binary, at + f.offset)[0] for f in layout.block_header}
    assert (block["count"], block["size"]) == (frame.meta["maps"]["output"]["count"], 8)
    first_map = at + 4
    lo, hi = (struct.unpack_from("<f", binary, first_map + f.offset)[0] for f in layout.map_header)
    maps, _ = frames.dequantise(binary, at)
    q = binary[first_map + 8:first_map + 8 + 64]
    assert np.allclose(maps[0], lo + np.frombuffer(q, np.uint8) / layout.levels * (hi - lo), atol=1e-5)


def test_race_and_lab_facts_are_what_the_server_uses():
    facts = spec()
    race = facts.race
    assert race.lanes == [2, MAX_LANES] and set(race.lane_settings) == set(LANE_SETTINGS)
    fresh = RaceSession.fresh()
    assert [{"optimizer": t.config.optimizer, "learning_rate": t.config.learning_rate} for t in fresh.lanes] == \
        race.model_dump()["default_lanes"]
    assert fresh.target_loss == race.target_loss and race.max_epochs == protocol.RaceSetup.model_fields[
        "max_epochs"].default
    one = facts.labs.one_weight
    starts = {name: p.default for name, p in inspect.signature(OneWeight).parameters.items()}
    assert {k: one.defaults[k] for k in starts} == starts
    assert one.limits["x"] == [-PLANE_EXTENT, PLANE_EXTENT]
    assert facts.labs.perceptron.passes == protocol.PERCEPTRON_PASSES


def test_the_model_refuses_facts_that_do_not_hold():
    good = spec().model_dump(mode="json")
    outside = json.loads(json.dumps(good))
    outside["presets"]["learning_rate"].append(1000)
    with pytest.raises(ValidationError):
        Spec.model_validate(outside)
    unlabelled = json.loads(json.dumps(good))
    del unlabelled["labels"]["optimizers"]["adam"]
    with pytest.raises(ValidationError):
        Spec.model_validate(unlabelled)
    wrong_task = json.loads(json.dumps(good))
    wrong_task["default_datasets"]["regression"] = "circle"
    with pytest.raises(ValidationError):
        Spec.model_validate(wrong_task)
    with pytest.raises(ValidationError):
        Spec.model_validate({**good, "leaky_slope": float("nan")})
    with pytest.raises(ValidationError):
        Spec.model_validate({**good, "surprise": 1})


def test_no_string_in_the_spec_can_end_the_script(monkeypatch):
    hostile = "</script><script>alert(1)</script> & \u2028\u2029 é"
    facts = spec().model_copy(update={"labels": spec().labels.model_copy(update={"tasks": {
        "binary": hostile, "multiclass": "M", "regression": "R"}})})
    text = spec_script(facts)
    assert text.isascii()
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert module_json(text)["labels"]["tasks"]["binary"] == hostile
    with make_client() as client:
        served = client.get("/spec.js").text
    assert served.isascii() and "<" not in served
