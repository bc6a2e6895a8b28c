"""The wire protocol, version 1: the single specification of every message between a page and the server.

Text frames are strict JSON. A client message is parsed by :func:`parse_client` in two steps:

1. ``json.loads`` with hooks that refuse NaN, Infinity and numbers that overflow to infinity (``1e999``), so no
   non-finite number ever reaches the models;
2. validation against :data:`ClientMessage`, a discriminated union on the literal ``type`` of strict pydantic models
   (no type coercion: ``"0.1"`` is not a number, ``true`` is not an integer), ``extra='forbid'`` and a bound on every
   field.

Anything outside this file is refused with a typed :class:`ProtocolError` that becomes an ``error`` reply; the socket
stays open. The server → client models below describe what the server sends (the tests validate every outgoing
message against them); frames are encoded by ``server/frames.py`` for speed.

Binary frame (server → client, little-endian), always preceded by a ``frame`` text message with the same ``seq``
(the layout is FRAME_HEADER, BLOCK_HEADER and MAP_HEADER below, served to the page in ``spec().frame``)::

    offset  type      field
    0       4 bytes   magic "NNP1"
    4       u32       seq
    8       u32       P, number of parameters
    12      f32[P]    parameters in engine layout: per layer W (n_in × n_out, row-major), then b (n_out)
    then the map blocks named in frame.maps, in this order: output, units, inputs, focus
      block: u16 count, u16 size G, then per map: f32 lo, f32 hi, u8[G·G] q
      value = lo + q / 255 · (hi − lo); row 0 is the top of the plane (x2 = +6), column 0 its left (x1 = −6)

A race frame (``/ws/race``) has the same header with magic "NNR1" and the lane count L in place of P, then L output
blocks, one per lane. Blocks are not padded, so a reader must use unaligned reads (``DataView``) for lo and hi.

The page's facts — defaults, limits, choices and their labels, presets, this layout — come from :func:`spec`, served
as ``/spec.js``; nothing the page shows is retyped there.
"""
import inspect
import itertools
import json
import math
import struct
import unicodedata
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_serializer,
                      model_validator)

from ..engine import DATASETS
from ..engine import activations as _activations
from ..engine import config as _config
from ..engine import losses as _losses
from ..engine import optimizers as _optimizers
from ..engine.datasets import LIMITS as _DATA_LIMITS
from ..engine.datasets import PLANE_EXTENT
from ..engine.features import FEATURES, LABELS as FEATURE_LABELS
from ..engine.grid import MAX_GRID
from ..engine.mistakes import MAX_SHOWN as MAX_MISTAKES
from ..engine.race import LANE_SETTINGS as _LANE_SETTINGS, MAX_EPOCHS as MAX_RACE_EPOCHS, MAX_LANES
from ..engine.one_weight import SETTLED as _SETTLED, VERDICTS as _VERDICTS, OneWeight as _OneWeight
from ..engine.trainer import HISTORY_LIMIT, MAX_COUNT, STATE_VERSION

from .settings import ServerSettings

PROTOCOL_VERSION = 1
MAX_MESSAGE_BYTES = 65_536          # a larger text message gets an error reply (too_large)
MAX_POINTS = _DATA_LIMITS["max_points"]
MAX_WEIGHT = 1e6
MAX_SPEED = 10_000                  # epochs per frame; 0 = as fast as the machine goes
MIN_UNIT_SIZE, MAX_UNIT_SIZE = 8, 64
MAX_INDEX = 4096                    # bound on layer / unit / row indices (the engine checks the real shape)
MAX_INPUTS = _DATA_LIMITS["csv_max_columns"]
ERROR_CODES = ("bad_json", "invalid_message", "invalid_config", "too_large", "rate_limited", "data_error",
               "not_found", "conflict", "internal", "no_session", "bad_host", "cross_site", "join_required",
               # the classroom (docs/classroom.md)
               "read_only", "class_key", "class_full", "name_taken")
ACTIONS = ("play", "pause", "step", "step_batch", "reset", "regenerate", "step_back")
RACE_ACTIONS = ("play", "pause", "reset")
MAX_TARGET_LOSS = 1000.0
STATES = ("playing", "paused", "diverged")
CHANGES = ("unchanged", "live", "data", "network")

# the binary frames: (field, struct code) in order, little-endian; see the module docstring
FRAME_MAGIC, RACE_MAGIC = b"NNP1", b"NNR1"
FRAME_HEADER = (("magic", "4s"), ("seq", "I"), ("count", "I"))     # count: P parameters, or L lanes in a race
BLOCK_HEADER = (("count", "H"), ("size", "H"))
MAP_HEADER = (("lo", "f"), ("hi", "f"))                              # then u8[size²] q
BLOCK_ORDER = ("output", "units", "inputs", "focus")
LEVELS = 255                                                         # value = lo + q / LEVELS · (hi − lo)


def struct_format(layout: tuple) -> str:
    """The little-endian struct format of a layout such as FRAME_HEADER: "<4sII"."""
    return "<" + "".join(code for _, code in layout)


DATASET_NAMES = tuple(DATASETS) + ("points", "csv")
TASKS = _config.TASKS
HIDDEN_ACTIVATIONS = _activations.HIDDEN
ACTIVATIONS = tuple(_activations.CODES)
LOSSES = tuple(_losses.CODES)
OPTIMIZERS = tuple(_optimizers.CODES)


class ProtocolError(Exception):
    """A refused client message: ``code`` is one of ERROR_CODES, ``message`` plain words, ``field`` optional."""

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code, self.message, self.field = code, message, field


# ------------------------------------------------------------------------------------------------ strict JSON
def _refuse_constant(name: str):
    raise ValueError(f"{name} is not allowed: numbers must be finite")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("numbers must be finite")
    return value


def loads_strict(text: str | bytes) -> Any:
    """json.loads that refuses NaN, Infinity, -Infinity and numbers too large for a float (ValueError)."""
    return json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)


def dumps(obj: Any) -> str:
    """Compact strict JSON that a socket can send: raises ValueError on a non-finite float (sanitise first) and on a
    string that is not valid Unicode (a lone surrogate has no UTF-8 encoding)."""
    text = json.dumps(obj, allow_nan=False, separators=(",", ":"), ensure_ascii=False)
    if not text.isascii():
        text.encode("utf-8")        # UnicodeEncodeError, a ValueError
    return text


def dumps_script(obj: Any) -> str:
    """Strict JSON (as dumps) that is also safe inside JavaScript and HTML: ASCII only, so U+2028 and U+2029 (line
    ends in old JavaScript) are escaped, and so are <, > and & (no ``</script>`` can appear)."""
    text = json.dumps(obj, allow_nan=False, separators=(",", ":"), ensure_ascii=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def finite_or_none(obj: Any) -> Any:
    """A copy of nested lists/dicts with every non-finite float replaced by None."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite_or_none(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite_or_none(v) for v in obj]
    return obj


# ------------------------------------------------------------------------------------------------ field types
def _bounded(low: float, high: float, integer: bool = False):
    return Annotated[int if integer else float, Field(ge=low, le=high)]


def _range(name: str, integer: bool = False):
    low, high = _config.RANGES[name]
    return _bounded(low, high, integer)


Task = Literal[TASKS]
DatasetName = Literal[DATASET_NAMES]
Feature = Literal[FEATURES]
HiddenActivation = Literal[HIDDEN_ACTIVATIONS + ("step",)]
Activation = Literal[ACTIVATIONS]
Loss = Literal[LOSSES]
Optimizer = Literal[OPTIMIZERS]
Init = Literal[_config.INITS]
Regularization = Literal[_config.REGULARIZATIONS]
Width = _bounded(1, _config.MAX_WIDTH, integer=True)
Index = _bounded(0, MAX_INDEX, integer=True)
Value = _bounded(-MAX_WEIGHT, MAX_WEIGHT)


class Strict(BaseModel):
    """Base of every message: unknown fields refused, no coercion, finite numbers only."""
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)


class OptimizerSettings(Strict):
    """The optimizers' settings besides the learning rate (each read by some: engine/optimizers.py SETTINGS), and
    the batch size; unset = unchanged."""
    momentum: _range("momentum") = Field(default=None)
    beta1: _range("beta1") = Field(default=None)
    beta2: _range("beta2") = Field(default=None)
    rho: _range("rho") = Field(default=None)
    epsilon: _range("epsilon") = Field(default=None)
    batch_size: _range("batch_size", True) = Field(default=None)


class EngineSettings(OptimizerSettings):
    """Any subset of the engine settings (names as in engine.Config); unset = unchanged.

    ``null`` is accepted only where the engine gives it a meaning (hidden_activations, output_activation, loss:
    "use the default")."""
    task: Task = Field(default=None)
    dataset: DatasetName = Field(default=None)
    n_points: _range("n_points", True) = Field(default=None)
    noise: _range("noise") = Field(default=None)
    n_classes: _range("n_classes", True) = Field(default=None)
    train_ratio: _range("train_ratio") = Field(default=None)
    features: Annotated[list[Feature], Field(min_length=1, max_length=len(FEATURES))] = Field(default=None)
    hidden: Annotated[list[Width], Field(max_length=_config.MAX_HIDDEN_LAYERS)] = Field(default=None)
    activation: HiddenActivation = Field(default=None)
    hidden_activations: Annotated[list[Literal[HIDDEN_ACTIVATIONS]],
                                  Field(max_length=_config.MAX_HIDDEN_LAYERS)] | None = None
    output_activation: Activation | None = None
    loss: Loss | None = None
    init: Init = Field(default=None)
    optimizer: Optimizer = Field(default=None)
    learning_rate: _range("learning_rate") = Field(default=None)
    regularization: Regularization = Field(default=None)
    reg_rate: _range("reg_rate") = Field(default=None)
    dropout: _range("dropout") = Field(default=None)
    huber_delta: _range("huber_delta") = Field(default=None)
    learn_bias: bool = Field(default=None)             # False freezes every bias at its current value
    seed: _range("seed", True) = Field(default=None)


class Settings(EngineSettings):
    """Any subset of the engine settings plus the view sizes; unset = unchanged."""
    grid_size: _bounded(2, MAX_GRID, True) = Field(default=None)
    unit_size: _bounded(MIN_UNIT_SIZE, MAX_UNIT_SIZE, True) = Field(default=None)


VIEW_FIELDS = ("grid_size", "unit_size")
ENGINE_FIELDS = tuple(f for f in Settings.model_fields if f not in VIEW_FIELDS)


# ------------------------------------------------------------------------------------------ client → server
class Configure(Strict):
    type: Literal["configure"]
    settings: Settings


class Control(Strict):
    type: Literal["control"]
    action: Literal[ACTIONS]


class Speed(Strict):
    type: Literal["speed"]
    epochs_per_frame: _bounded(0, MAX_SPEED, True)


class EditWeight(Strict):
    type: Literal["edit_weight"]
    layer: Index
    source: Index
    target: Index
    value: Value


class EditBias(Strict):
    type: Literal["edit_bias"]
    layer: Index
    unit: Index
    value: Value


class SetPoints(Strict):
    type: Literal["set_points"]
    points: Annotated[list[Annotated[list[Value], Field(min_length=3, max_length=3)]],
                      Field(max_length=MAX_POINTS)]

    @model_validator(mode="after")
    def _inside_plane(self):
        for i, (x1, x2, _) in enumerate(self.points):
            if abs(x1) > PLANE_EXTENT or abs(x2) > PLANE_EXTENT:
                raise ValueError(f"point {i} lies outside [-{PLANE_EXTENT:g}, {PLANE_EXTENT:g}]²")
        return self


class Inspect(Strict):
    type: Literal["inspect"]
    point: Annotated[list[Value], Field(min_length=1, max_length=MAX_INPUTS)] | None
    label: Value | None = None
    follow: bool = False


class Focus(Strict):
    type: Literal["focus"]
    unit: Index | None


class Warp(Strict):
    """Subscribe to the warped-space view of hidden layer `layer` (0 = first hidden) through the two hidden units
    `units`; `layer` null ends the subscription. The server clamps both to the network it has."""
    type: Literal["warp"]
    layer: Index | None
    units: Annotated[list[Index], Field(min_length=2, max_length=2)] = [0, 1]


class Mistakes(Strict):
    """Subscribe to the misclassified test examples, up to `limit` of them; 0 ends the subscription."""
    type: Literal["mistakes"]
    limit: _bounded(0, MAX_MISTAKES, integer=True)


ClientMessage = Annotated[Union[Configure, Control, Speed, EditWeight, EditBias, SetPoints, Inspect, Focus, Warp,
                                Mistakes], Field(discriminator="type")]
_client_adapter = TypeAdapter(ClientMessage)
CLIENT_TYPES = ("configure", "control", "speed", "edit_weight", "edit_bias", "set_points", "inspect", "focus",
                "warp", "mistakes")


# ------------------------------------------------------------------------------- client → server on /ws/race
class Lane(OptimizerSettings):
    """One lane of a race: its optimizer and learning rate, and optionally that optimizer's other settings."""
    optimizer: Optimizer
    learning_rate: _range("learning_rate")


class RaceSetup(Strict):
    """A new race: the shared data and network (``settings``, seed included), the lanes, the target loss."""
    type: Literal["race"]
    settings: Settings
    lanes: Annotated[list[Lane], Field(min_length=2, max_length=MAX_LANES)]
    target_loss: Annotated[float, Field(gt=0, le=MAX_TARGET_LOSS)]
    max_epochs: _bounded(1, MAX_RACE_EPOCHS, True) = 2000


# what a new race page starts with: plain gradient descent against Adam, to a training loss of 0.1, two epochs per
# frame (slow enough to follow the lanes by eye), lane maps at most 48 a side (L lanes × G² points per frame)
RACE_LANES = ({"optimizer": "sgd", "learning_rate": 0.03}, {"optimizer": "adam", "learning_rate": 0.03})
RACE_TARGET = 0.1
RACE_SPEED = 2
RACE_MAX_GRID = 48


class RaceControl(Strict):
    type: Literal["race_control"]
    action: Literal[RACE_ACTIONS]


RaceClientMessage = Annotated[Union[RaceSetup, RaceControl, Speed], Field(discriminator="type")]
_race_adapter = TypeAdapter(RaceClientMessage)
RACE_TYPES = ("race", "race_control", "speed")


def parse_race(text: str) -> BaseModel:
    """One message on a race socket → its model, or ProtocolError (as parse_client)."""
    return parse_client(text, _race_adapter, RACE_TYPES)


def parse_client(text: str, adapter: TypeAdapter = _client_adapter, types: tuple = CLIENT_TYPES) -> BaseModel:
    """One client text message → its model, or ProtocolError (bad_json, too_large, invalid_message)."""
    data = _load_object(text, MAX_MESSAGE_BYTES, "message")
    try:
        return adapter.validate_python(data)
    except ValidationError as error:
        raise _explain(error, data, types) from None


def _load_object(raw: str | bytes, limit: int, what: str) -> dict:
    """A JSON object of at most `limit` bytes (strict: finite numbers only), or ProtocolError (too_large, bad_json,
    invalid_message) naming `what` it should have been ("message", "request")."""
    if len(raw) > limit or (isinstance(raw, str) and len(raw.encode("utf-8", "surrogatepass")) > limit):
        raise ProtocolError("too_large", f"{what}s are limited to {limit:,} bytes")
    try:
        data = loads_strict(raw)
    except (ValueError, RecursionError) as error:
        detail = str(error) if "finite" in str(error) else f"the {what} is not valid JSON"
        raise ProtocolError("bad_json", detail) from None
    if not isinstance(data, dict):
        raise ProtocolError("invalid_message", f"a {what} must be a JSON object with a 'type'")
    return data


def _explain(error: ValidationError, data: dict, types: tuple) -> ProtocolError:
    first = error.errors(include_url=False, include_input=False)[0]
    kind = first["type"]
    loc = [part if len(part) <= 40 else part[:40] + "…" for part in map(str, first["loc"])]   # long unknown keys
    if kind == "union_tag_not_found":
        return ProtocolError("invalid_message", "a message needs a 'type'", "type")
    if kind == "union_tag_invalid":
        shown = str(data.get("type"))[:40]
        return ProtocolError("invalid_message", f"unknown message type {shown!r}; the types are "
                             f"{', '.join(types)}", "type")
    # the first location part is the union tag chosen; drop it
    loc = loc[1:] if loc and loc[0] in types else loc
    if loc[:1] == ["settings"] and len(loc) > 1:
        loc = loc[1:]
    field = ".".join(loc) or None
    message = first["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        message = "unknown field"
    elif kind == "string_unicode":        # a name or text holding a lone surrogate
        message = "a name or text that is not valid Unicode (a lone surrogate)"
    elif kind == "model_type":
        message = "must be a JSON object"
    text = f"{field}: {message}" if field else message
    return ProtocolError("invalid_message", text, field)


# ------------------------------------------------------------------------------ HTTP: the two small labs
# POST /api/one-weight and POST /api/perceptron take one JSON object each and answer one; nothing is kept between
# calls (each answer is a pure function of the request), so they need no session.
LAB_BODY_BYTES = 16_384
ONE_WEIGHT_MAX = 100.0              # |w| and |target| on the one-weight page
ONE_WEIGHT_MAX_STEPS = 1000
PERCEPTRON_MAX_INPUTS = 8
PERCEPTRON_MAX_ROWS = 32
PERCEPTRON_PASSES = 100             # "until_right" learns for at most this many passes over the rows
PERCEPTRON_MAX_WEIGHT = 10_000.0    # learning at rate ≤ 1 for ≤ 100 passes over ≤ 32 rows stays inside
Bit = _bounded(0, 1, integer=True)   # strict: true/false are not 0/1


class OneWeightRequest(Strict):
    """Gradient descent on L(w) for y = w·x and one example (x, target), `steps` steps from w."""
    type: Literal["one_weight"]
    w: _bounded(-ONE_WEIGHT_MAX, ONE_WEIGHT_MAX)
    x: _bounded(-PLANE_EXTENT, PLANE_EXTENT)
    target: _bounded(-ONE_WEIGHT_MAX, ONE_WEIGHT_MAX)
    learning_rate: _bounded(1e-4, 10.0)
    loss: Literal["mse", "huber"] = "mse"
    optimizer: Literal["sgd", "momentum", "adam"] = "sgd"
    huber_delta: _range("huber_delta") = 1.0
    steps: _bounded(0, ONE_WEIGHT_MAX_STEPS, True) = 250

    @model_validator(mode="after")
    def _x_not_zero(self):
        if self.x == 0:
            raise ValueError("x must not be 0: with x = 0 the weight has no effect on the output")
        return self


class PerceptronRequest(Strict):
    """A decision for `inputs`, each table row's decision, and optionally learning on the table first.

    rows: past decisions, each the inputs followed by the decision taken (0 stay, 1 go). learn: "none", one
    "pass" over the rows with the perceptron rule, or passes "until_right" (at most 100)."""
    type: Literal["perceptron"]
    inputs: Annotated[list[Bit], Field(min_length=1, max_length=PERCEPTRON_MAX_INPUTS)]
    weights: Annotated[list[_bounded(-PERCEPTRON_MAX_WEIGHT, PERCEPTRON_MAX_WEIGHT)],
                       Field(min_length=1, max_length=PERCEPTRON_MAX_INPUTS)]
    threshold: _bounded(-PERCEPTRON_MAX_WEIGHT, PERCEPTRON_MAX_WEIGHT)
    rows: Annotated[list[Annotated[list[Bit], Field(min_length=2, max_length=PERCEPTRON_MAX_INPUTS + 1)]],
                    Field(max_length=PERCEPTRON_MAX_ROWS)] = []
    learn: Literal["none", "pass", "until_right"] = "none"
    learning_rate: _bounded(1e-3, 1.0) = 0.1

    @model_validator(mode="after")
    def _same_width(self):
        if len(self.weights) != len(self.inputs):
            raise ValueError("give one weight per input")
        for i, row in enumerate(self.rows):
            if len(row) != len(self.inputs) + 1:
                raise ValueError(f"row {i} needs one 0/1 value per input and then the decision (0 or 1)")
        if self.learn != "none" and not self.rows:
            raise ValueError("learning needs at least one row of past decisions")
        return self


def parse_lab(model: type[BaseModel], raw: bytes) -> BaseModel:
    """One lab request body → its model, or ProtocolError (bad_json, too_large, invalid_message)."""
    data = _load_object(raw, LAB_BODY_BYTES, "request")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise _explain(error, data, ()) from None


# ------------------------------------------------------------------------------ HTTP: saved states
# POST /api/state takes what GET /api/state gave (engine.Trainer.state_dict()). parse_state checks every field's
# type and bounds here, before anything reaches the engine; Trainer.from_state then checks what only the engine
# knows (shapes against the network it builds, the parameter count, labels against the task and classes), so a
# state that loads always trains, and everything it holds can go out again in messages the models below accept.
MAX_DATA_ROWS = max(_DATA_LIMITS["csv_max_rows"], MAX_POINTS)      # rows of a custom data set
Count = _bounded(0, MAX_COUNT, integer=True)     # counters stay exact as JSON numbers in the page


def _printable(text: str) -> str:
    """Refuse text that is not valid Unicode (a lone surrogate) or holds a control character (line breaks, tabs,
    escapes, the line and paragraph separators): names travel to pages and into exported scripts."""
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cs") or char in "\u2028\u2029":
            raise ValueError(f"names cannot hold U+{ord(char):04X} (a control character or a lone surrogate)")
    return text


Name = Annotated[str, Field(min_length=1, max_length=_DATA_LIMITS["csv_max_name"]), AfterValidator(_printable)]


class SavedData(Strict):
    """The session's custom data set: hand-placed points ("drawn") or a CSV table ("csv"), points (N, D) as the
    network sees them and labels (N,); the engine checks N, D, the labels and the names against the task."""
    name: Literal["drawn", "csv"]
    task: Task
    n_classes: _bounded(1, _config.MAX_CLASSES, True)
    columns: Annotated[list[Name], Field(min_length=1, max_length=MAX_INPUTS)]
    class_names: Annotated[list[Name], Field(max_length=_config.MAX_CLASSES)]
    is_plane: bool
    points: Annotated[list[Annotated[list[Value], Field(min_length=1, max_length=MAX_INPUTS)]],
                      Field(max_length=MAX_DATA_ROWS)]
    labels: Annotated[list[float], Field(max_length=MAX_DATA_ROWS)]       # regression targets are not scaled
    scaling: Annotated[list[Annotated[list[float], Field(min_length=1, max_length=MAX_INPUTS)]],
                       Field(min_length=3, max_length=3)] | None


class SavedRow(Strict):
    """One loss-history row, as HistoryRow sends it."""
    epoch: Count
    iteration: Count
    train_loss: float | None
    test_loss: float | None


class Pcg64(Strict):
    """PCG64's 128-bit state and increment."""
    state: _bounded(0, 2**128 - 1, True)
    inc: _bounded(0, 2**128 - 1, True)


class RngState(Strict):
    """The shuffle generator's state as numpy gives it (PCG64, the bit generator of numpy.random.default_rng)."""
    bit_generator: Literal["PCG64"]
    state: Pcg64
    has_uint32: Bit
    uinteger: _bounded(0, 2**32 - 1, True)


# the unfinished epoch: [shuffle order of the training rows, its dropout seed, the position in it] (a JSON array,
# hence strict=False for the tuple alone: its items stay strict)
Pending = Annotated[tuple[Annotated[list[_bounded(0, MAX_DATA_ROWS - 1, True)], Field(max_length=MAX_DATA_ROWS)],
                          _bounded(0, 2**31 - 1, True), _bounded(0, MAX_DATA_ROWS, True)], Field(strict=False)]
Vector = Annotated[list[float], Field(max_length=_config.MAX_PARAMS)]


class SavedState(Strict):
    """A saved session (engine.Trainer.state_dict()). Settings left out of `config` take the engine's defaults;
    every other field is required. `s` (the optimizers' running sums of squared gradients) is never negative."""
    version: Literal[STATE_VERSION]
    config: EngineSettings
    custom: SavedData | None
    params: Vector
    m: Vector
    s: Annotated[list[Annotated[float, Field(ge=0)]], Field(max_length=_config.MAX_PARAMS)]
    t: Count
    epoch: Count
    iteration: Count
    examples_seen: Count
    pending: Pending | None
    rng: RngState
    history: Annotated[list[SavedRow], Field(max_length=HISTORY_LIMIT)]


def parse_state(raw: bytes) -> dict:
    """A POST /api/state body → the state as Trainer.from_state takes it, or ProtocolError naming the field:
    bad_json, data_error (the custom data set) or invalid_config (anything else)."""
    try:
        data = loads_strict(raw)
    except (ValueError, RecursionError):
        raise ProtocolError("bad_json", "the file is not a saved state (invalid or non-finite JSON)") from None
    if not isinstance(data, dict):
        raise ProtocolError("invalid_config", "the file is not a saved nnplayground state")
    try:
        return SavedState.model_validate(data).model_dump(exclude_unset=True)
    except ValidationError as error:
        refusal = _explain(error, data, ())
    code = "data_error" if (refusal.field or "").split(".")[0] == "custom" else "invalid_config"
    raise ProtocolError(code, refusal.message, refusal.field)


# ------------------------------------------------------------------------------------ limits and choices
Range = Annotated[list[int | float], Field(min_length=2, max_length=2)]     # [low, high], inclusive
Limits = dict[str, Range | int | float]


def limits() -> dict:
    """Allowed ranges of every setting and message, as sent in ``welcome.limits`` and ``spec().limits``."""
    ranges = {name: [low, high] for name, (low, high) in _config.RANGES.items()}
    return {
        **ranges,
        "hidden_layers": [0, _config.MAX_HIDDEN_LAYERS], "width": [1, _config.MAX_WIDTH],
        "max_params": _config.MAX_PARAMS, "grid_size": [2, MAX_GRID], "unit_size": [MIN_UNIT_SIZE, MAX_UNIT_SIZE],
        "epochs_per_frame": [0, MAX_SPEED], "points": MAX_POINTS, "plane": [-PLANE_EXTENT, PLANE_EXTENT],
        "weight": [-MAX_WEIGHT, MAX_WEIGHT], "message_bytes": MAX_MESSAGE_BYTES,
        "csv_bytes": _DATA_LIMITS["csv_max_bytes"], "csv_rows": _DATA_LIMITS["csv_max_rows"],
        "csv_columns": _DATA_LIMITS["csv_max_columns"], "mistakes": MAX_MISTAKES,
        "race_lanes": [2, MAX_LANES], "target_loss": [0, MAX_TARGET_LOSS], "race_epochs": [1, MAX_RACE_EPOCHS],
    }


class ActivationChoices(Strict):
    hidden: list[Literal[HIDDEN_ACTIVATIONS]]
    perceptron: list[Literal["step"]]       # the output of a network without hidden layers only
    output: list[Activation]


class Choices(Strict):
    """Names the page can offer (``welcome.choices``, ``spec().choices``): each data set's task, each task's losses
    with the output activations they fit (the first is the default), and which settings keep the weights (live) or
    regenerate the data."""
    datasets: dict[DatasetName, Task]
    tasks: list[Task]
    activations: ActivationChoices
    losses: dict[Task, dict[Loss, list[Activation]]]
    default_loss: dict[Task, Loss]
    optimizers: list[Optimizer]
    features: dict[Feature, str]
    inits: list[Init]
    regularizations: list[Regularization]
    actions: list[Literal[ACTIONS]]
    race_actions: list[Literal[RACE_ACTIONS]]
    live_settings: list[Literal[ENGINE_FIELDS]]
    data_settings: list[Literal[ENGINE_FIELDS]]


def choices() -> Choices:
    """The engine's names, as sent in ``welcome.choices`` and ``spec().choices``."""
    return Choices(
        datasets=dict(DATASETS), tasks=list(TASKS),
        activations=ActivationChoices(hidden=list(HIDDEN_ACTIVATIONS), perceptron=["step"], output=list(ACTIVATIONS)),
        losses={task: {loss: list(outputs) for loss, outputs in table.items()}
                for task, table in _losses.ALLOWED.items()},
        default_loss=dict(_losses.DEFAULT_LOSS),
        optimizers=list(OPTIMIZERS),
        features=dict(FEATURE_LABELS), inits=list(_config.INITS),
        regularizations=list(_config.REGULARIZATIONS), actions=list(ACTIONS), race_actions=list(RACE_ACTIONS),
        live_settings=sorted(_config.LIVE), data_settings=sorted(_config.DATA))


# ------------------------------------------------------------------------------------------ server → client
class Out(BaseModel):
    """What the server sends; the tests validate every outgoing message, so a field missing here fails them."""
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class ClassView(Out):
    mode: Literal["lead", "follow", "explore", "locked", "watch"]
    read_only: bool


class Welcome(Out):
    type: Literal["welcome"]
    protocol: Literal[PROTOCOL_VERSION]
    session: str
    token: str
    resumed: bool
    limits: Limits
    choices: Choices
    fps: int
    max_message_bytes: int
    view: ClassView | None = None      # a class's view socket: which session this page sees, and whether it may
                                         # change it (docs/classroom.md)



class Network(Out):
    sizes: list[int]
    activations: list[str]
    n_params: int


class ConfigMessage(Out):
    type: Literal["config"]
    config: dict[str, Any]
    change: Literal[CHANGES]
    network: Network
    grid_size: int
    unit_size: int
    speed: int


class Refused(Out):
    row: int
    column: str | None
    reason: str


class CsvScaling(Out):
    """How a CSV file's raw columns became the network's inputs: input = raw / divisor · scale + offset, per column."""
    divisor: list[float]
    scale: list[float]
    offset: list[float]


class DataMessage(Out):
    type: Literal["data"]
    task: Task
    n_classes: int
    class_names: list[str]
    columns: list[str]
    is_plane: bool
    train: list[list[float]]
    test: list[list[float]]
    n_train: int
    n_test: int
    refused: list[Refused]
    n_refused: int
    scaling: CsvScaling | None


class Counters(Out):
    epoch: int
    iteration: int
    examples_seen: int
    batches_per_epoch: int
    batch_in_epoch: int


class HistoryRow(Out):
    epoch: int
    iteration: int
    train_loss: float | None
    test_loss: float | None


class Block(Out):
    count: int
    size: int
    unit: int | None = None


class Divergence(Out):
    """Why training stopped (engine/divergence.py): a non-finite loss or weight, or a loss that exploded."""
    kind: Literal["nonfinite", "exploding"]
    epoch: int
    iteration: int
    reason: str
    advice: str
    loss: float | None = None               # exploding: the last epoch's mean training loss …
    best_loss: float | None = None          # … the best reached before that epoch …
    reference_loss: float | None = None     # … and the loss of an all-zero (know-nothing) network


class MapsLimited(Out):
    """How a network too heavy for its share of the engine has its maps cut down: drawn at these sides (at most
    the chosen grid_size and unit_size) and, in pieces between training chunks, about this many times a second."""
    grid_size: int
    unit_size: int
    maps_per_second: float


class DeadLayer(Out):
    layer: int                                  # hidden layer, 1 = nearest the inputs
    units: int
    dead: int                                   # ReLU units that output 0 on every training point


class NarrowLayer(Out):
    layer: int
    units: int


class Diagnosis(Out):
    """Why a stalled network cannot move (engine/diagnosis.py): dead ReLUs, layers of at most 2 units."""
    stalled_epochs: int
    loss: float | None
    dead: list[DeadLayer]
    narrow: list[NarrowLayer]


class FrameMessage(Out):
    type: Literal["frame"]
    seq: int
    state: Literal[STATES]
    speed: int
    counters: Counters
    metrics: dict[Literal["train", "test"], dict[str, Any]]
    history: list[HistoryRow]
    maps: dict[Literal[BLOCK_ORDER], Block] | None
    divergence: Divergence | None
    n_params: int
    nonfinite_params: int
    epochs_per_second: float
    limited: MapsLimited | None
    diagnosis: Diagnosis | None = None


class HistoryMessage(Out):
    type: Literal["history"]
    rows: list[HistoryRow]


class InspectionLayer(Out):
    z: list[float | None]
    a: list[float | None]
    delta: list[float | None]
    w: list[list[float | None]]
    b: list[float | None]
    grad_w: list[list[float | None]]
    grad_b: list[float | None]
    new_w: list[list[float | None]]
    new_b: list[float | None]
    step_w: list[list[float | None]]             # the gradient the optimizer takes: ∂L/∂w plus the L1/L2 slope
    step_b: list[float | None]
    m_w: list[list[float | None]] | None = None  # momentum's velocity or Adam's first moment, before the step …
    m_b: list[float | None] | None = None
    new_m_w: list[list[float | None]] | None = None  # … and after it
    new_m_b: list[float | None] | None = None
    s_w: list[list[float | None]] | None = None  # Adagrad's sum, RMSprop's or Adam's average of g², before …
    s_b: list[float | None] | None = None
    new_s_w: list[list[float | None]] | None = None  # … and after
    new_s_b: list[float | None] | None = None
    activation: str


class InspectionUpdate(Out):
    """The optimizer step the inspection's new_w, new_b come from: its name, count t and settings."""
    optimizer: Optimizer
    t: int
    learning_rate: float
    momentum: float | None = None
    beta1: float | None = None
    beta2: float | None = None
    rho: float | None = None
    epsilon: float | None = None


class InspectionMessage(Out):
    type: Literal["inspection"]
    point: list[float]
    label: float | None
    follow: bool
    input: list[float | None]
    target: list[float | None]
    loss: float | None
    layers: list[InspectionLayer]
    update: InspectionUpdate


class WarpMessage(Out):
    type: Literal["warp"]
    layer: int | None
    units: list[int]
    hidden: list[int]
    horizontal: list[list[list[float | None]]]
    vertical: list[list[list[float | None]]]
    points: list[list[float | None]]
    labels: list[float]
    bounds: list[float | None]
    message: str | None


class Mistake(Out):
    index: int
    label: int
    predicted: int
    confidence: float | None
    input: list[float]


class MistakesMessage(Out):
    type: Literal["mistakes"]
    epoch: int
    count: int
    total: int
    shown: list[Mistake]


class StatusMessage(Out):
    type: Literal["status"]
    state: Literal[STATES]
    message: str


class ErrorMessage(Out):
    type: Literal["error"]
    code: Literal[ERROR_CODES]
    message: str
    field: str | None = None


class RaceMessage(Out):
    """The race as the server accepted it: shared engine config, each lane's optimizer settings, the target."""
    type: Literal["race"]
    config: dict[str, Any]
    lanes: list[dict[str, Any]]
    target_loss: float
    max_epochs: int
    network: Network
    grid_size: int
    speed: int


class RaceLaneState(Out):
    epoch: int
    iteration: int
    train_loss: float | None
    test_loss: float | None
    finished_at: int | None
    diverged: bool


class RaceRow(HistoryRow):
    lane: int


class RaceFrameMessage(Out):
    type: Literal["race_frame"]
    seq: int
    state: Literal[STATES]
    speed: int
    lanes: list[RaceLaneState]
    winner: int | None
    over: bool
    history: list[RaceRow]
    maps: Block | None
    epochs_per_second: float


class RaceHistoryMessage(Out):
    type: Literal["race_history"]
    rows: list[RaceRow]


class OneWeightPoint(Out):
    w: float
    loss: float | None
    slope: float | None
    step: float | None


class Curve(Out):
    w: list[float]
    loss: list[float | None]


class OneWeightPath(Out):
    """Answer to one_weight: the path w_0 … w_k (k ≤ steps; shorter when w ran away), the verdict on the learning
    rate, the first settled step, and L(w) sampled over a range that shows the start, the optimum and the path."""
    type: Literal["one_weight_path"]
    optimum: float
    path: list[OneWeightPoint]
    diverged: bool
    settled_at: int | None
    verdict: Literal[_VERDICTS]
    curve: Curve


class PerceptronRow(Out):
    sum: float
    decision: Bit
    correct: bool


class PerceptronUpdate(Out):
    row: int
    w: list[float]
    new_w: list[float]
    threshold: float
    new_threshold: float


class PerceptronResult(Out):
    """Answer to perceptron: the (learned) weights and threshold, the decision for the inputs with its terms
    w_i·x_i and their sum, every row's sum and decision, and each update the rule made (in order)."""
    type: Literal["perceptron_result"]
    weights: list[float]
    threshold: float
    terms: list[float]
    sum: float
    decision: Bit
    rows: list[PerceptronRow]
    correct: int
    updates: list[PerceptronUpdate]
    mistakes: list[int]


ServerMessage = Annotated[Union[Welcome, ConfigMessage, DataMessage, FrameMessage, HistoryMessage,
                                InspectionMessage, WarpMessage, MistakesMessage, StatusMessage, ErrorMessage,
                                RaceMessage, RaceFrameMessage, RaceHistoryMessage], Field(discriminator="type")]
server_adapter = TypeAdapter(ServerMessage)


def welcome_message(facts: "Spec", session: str, token: str, resumed: bool, view: dict | None = None) -> dict:
    """The first message on a socket: the session's id and resume token (on a class's view socket, the credential
    the page came with, and the `view` it has), and the limits and choices of `facts`."""
    return Welcome(type="welcome", protocol=PROTOCOL_VERSION, session=session, token=token, resumed=resumed,
                   limits=facts.limits, choices=facts.choices, fps=facts.fps,
                   max_message_bytes=facts.max_message_bytes, view=view).model_dump(mode="json", exclude_none=True)


def error_message(code: str, message: str, field: str | None = None) -> dict:
    """An ``error`` reply; a code missing from ERROR_CODES is a bug (ValidationError)."""
    return ErrorMessage(type="error", code=code, message=message, field=field).model_dump(mode="json")


# ------------------------------------------------------------------------------------------ facts for the page
# What the page shows and offers, from here only (served as /spec.js by spec_script). Display labels of every name:
LABELS = {
    "tasks": {"binary": "Binary classification", "multiclass": "Multi-class classification",
              "regression": "Regression"},
    "datasets": {"circle": "Circle", "xor": "XOR", "gauss": "Gaussian", "spiral": "Spiral", "moons": "Moons",
                 "spiral3": "Spiral 3", "blobs": "Blobs", "plane": "Plane", "bumps": "Bumps", "digits": "Digits",
                 "points": "Drawn", "csv": "CSV file"},
    "activations": dict(_activations.LABELS),
    "losses": dict(_losses.LABELS),
    "optimizers": dict(_optimizers.LABELS),
    "regularizations": {"none": "None", "l1": "L1", "l2": "L2"},
    "inits": {"auto": "Auto", "glorot": "Glorot", "he": "He", "zeros": "Zeros"},
    "features": dict(FEATURE_LABELS),
    "settings": {"task": "Task", "dataset": "Data set", "n_points": "Points", "noise": "Noise",
                 "n_classes": "Classes", "train_ratio": "Training data", "features": "Features",
                 "hidden": "Hidden layers", "activation": "Activation",
                 "hidden_activations": "Activation per layer", "output_activation": "Output activation",
                 "loss": "Loss", "init": "Initialisation", "optimizer": "Optimizer",
                 "learning_rate": "Learning rate η", "momentum": "Momentum μ", "beta1": "β₁", "beta2": "β₂",
                 "rho": "Decay ρ", "epsilon": "ε", "batch_size": "Batch size", "regularization": "Regularisation",
                 "reg_rate": "Rate λ", "dropout": "Dropout", "huber_delta": "Huber δ", "learn_bias": "Biases",
                 "seed": "Seed", "grid_size": "Resolution", "unit_size": "Neuron map size", "speed": "Speed"},
    "symbols": {"learning_rate": "η", "momentum": "μ", "beta1": "β₁", "beta2": "β₂", "rho": "ρ", "epsilon": "ε",
                "reg_rate": "λ", "huber_delta": "δ"},
}
# The values a menu offers (each inside its limit; speed 0 = as fast as possible, batch 10,000 = the whole set)
PRESETS = {
    "learning_rate": [1e-5, 1e-4, 1e-3, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
    "reg_rate": [0, 1e-4, 1e-3, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10],
    "dropout": [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
    "batch_size": [1, 2, 5, 10, 20, 30, 50, 100, 10_000],
    "momentum": [0, 0.5, 0.8, 0.9, 0.95, 0.99],
    "beta1": [0.5, 0.8, 0.9, 0.95, 0.99],
    "beta2": [0.9, 0.99, 0.999, 0.9999],
    "rho": [0.5, 0.8, 0.9, 0.95, 0.99],
    "epsilon": [1e-8, 1e-6, 1e-4, 1e-2],
    "huber_delta": [0.1, 0.25, 0.5, 1, 2, 5],
    "noise": [0, 0.05, 0.1, 0.2, 0.3, 0.5],
    "speed": [1, 3, 10, 50, 200, 0],
    "race_speed": [1, 2, 5, 20, 100, 0],
    "grid_size": [16, 32, 48, 64, 100, 128],
    "max_epochs": [100, 200, 500, 1000, 2000, 5000, 10_000],
}
PRESET_LIMITS = {"speed": "epochs_per_frame", "race_speed": "epochs_per_frame", "max_epochs": "race_epochs"}
# the first generated data set of each task (engine order) is the one a change of task picks
DEFAULT_DATASETS = {task: next(name for name, of in DATASETS.items() if of == task) for task in TASKS}
FEATURE_SCALE = PLANE_EXTENT        # x1sq = x1² / 6, x2sq, x1x2 likewise (engine/features.py): within the plane
_WIRE_TYPES = {"4s": "ascii[4]", "I": "u32", "H": "u16", "f": "f32"}


class Setting(Strict):
    default: int | float
    range: Range


class OptimizerFacts(Strict):
    """One optimizer: its label, the settings its update reads (default and [low, high] of each), and the running
    sums it keeps per parameter (m: of the gradient g, s: of g²)."""
    label: str
    settings: dict[Literal[tuple(_config.RANGES)], Setting]
    moments: list[Literal["m", "s"]]


class Labels(Strict):
    """Display labels of every name the page offers, and of the settings (with their maths symbols)."""
    tasks: dict[Task, str]
    datasets: dict[DatasetName, str]
    activations: dict[Activation, str]
    losses: dict[Loss, str]
    optimizers: dict[Optimizer, str]
    regularizations: dict[Regularization, str]
    inits: dict[Init, str]
    features: dict[Feature, str]
    settings: dict[Literal[ENGINE_FIELDS + VIEW_FIELDS + ("speed",)], str]
    symbols: dict[Literal[ENGINE_FIELDS], str]

    @model_validator(mode="after")
    def _complete(self):
        for name, kind in (("tasks", Task), ("datasets", DatasetName), ("activations", Activation),
                           ("losses", Loss), ("optimizers", Optimizer), ("regularizations", Regularization),
                           ("inits", Init), ("features", Feature)):
            missing = set(kind.__args__) - set(getattr(self, name))
            if missing:
                raise ValueError(f"labels.{name} lacks {', '.join(sorted(missing))}")
        return self


class WireField(Strict):
    name: str
    type: Literal[tuple(_WIRE_TYPES.values())]
    offset: int                     # bytes from the start of its header


class FrameLayout(Strict):
    """The binary frames (module docstring), little-endian: header, then (NNP1) P f32 parameters and the blocks
    named by the frame message in block_order, or (NNR1) one output block per lane. A block: its header, then per
    map its map_header and size² u8 codes q, value = lo + q / levels · (hi − lo), row 0 at the top of the plane."""
    magic: Literal[FRAME_MAGIC.decode()]
    race_magic: Literal[RACE_MAGIC.decode()]
    header: list[WireField]
    block_header: list[WireField]
    map_header: list[WireField]
    block_order: list[Literal[BLOCK_ORDER]]
    levels: int


class PlaneFacts(Strict):
    """The plane of the 2-D data sets is [−extent, extent]²; the product features are divided by feature_scale."""
    extent: float
    feature_scale: float


class RaceFacts(Strict):
    """A race's lanes (count, the settings a lane may set, a new page's lanes), target loss, length, speed and the
    largest lane maps a page asks for."""
    lanes: Range
    lane_settings: list[Literal[ENGINE_FIELDS]]
    default_lanes: list[Lane]
    target_loss: float
    max_epochs: int
    speed: int
    max_grid_size: int

    @field_serializer("default_lanes")
    def _set_only(self, lanes: list[Lane]) -> list[dict]:
        return [lane.model_dump(exclude_unset=True) for lane in lanes]


class OneWeightFacts(Strict):
    """The gradient-descent lab (POST /api/one-weight): its starting values, bounds and choices."""
    defaults: dict[str, int | float | str]
    limits: dict[str, Range]
    losses: list[Loss]
    optimizers: list[Optimizer]
    settled: float                  # |w − w*| and the step below this: gradient descent is done
    verdicts: list[Literal[_VERDICTS]]


class PerceptronFacts(Strict):
    """The perceptron lab (POST /api/perceptron): its bounds, learning rate and ways of learning."""
    max_inputs: int
    max_rows: int
    max_weight: float
    learning_rate: float
    learning_rates: Range
    learn: list[str]
    passes: int                     # "until_right" stops after this many passes


class LabFacts(Strict):
    one_weight: OneWeightFacts
    perceptron: PerceptronFacts


class Defaults(Settings):
    """Every setting of a new session: the engine's Config defaults, the server's map sides and speed."""
    speed: _bounded(0, MAX_SPEED, True)


class Spec(Strict):
    """Every fact the page needs from the server, checked: defaults and presets inside their limits, a label for
    every name, each task's default data set of that task."""
    protocol: Literal[PROTOCOL_VERSION]
    defaults: Defaults
    limits: Limits
    choices: Choices
    labels: Labels
    optimizers: dict[Optimizer, OptimizerFacts]
    presets: dict[str, list[int | float]]
    default_datasets: dict[Task, DatasetName]
    plane: PlaneFacts
    leaky_slope: float
    signed_targets: list[Annotated[list[str], Field(min_length=2, max_length=2)]]    # [loss, output]: t = ±1
    frame: FrameLayout
    race: RaceFacts
    labs: LabFacts
    fps: int
    max_message_bytes: int

    @model_validator(mode="after")
    def _consistent(self):
        if set(self.labels.settings) != set(Defaults.model_fields):
            raise ValueError("labels.settings must name every setting of defaults")
        for name, values in self.presets.items():
            low, high = self.limits[PRESET_LIMITS.get(name, name)]
            if not all(low <= v <= high for v in values):
                raise ValueError(f"presets.{name} leaves [{low}, {high}]")
        for task, name in self.default_datasets.items():
            if self.choices.datasets.get(name) != task:
                raise ValueError(f"default_datasets.{task}: {name} is not a {task} data set")
        return self


def spec(settings: ServerSettings | None = None) -> Spec:
    """The facts for the page of a server with `settings` (defaults: ServerSettings())."""
    settings = settings or ServerSettings()
    engine = {k: list(v) if isinstance(v, tuple) else v for k, v in _config.Config().as_dict().items()}
    defaults = Defaults(**engine, grid_size=settings.grid_size, unit_size=settings.unit_size,
                        speed=settings.default_speed)
    return Spec(
        protocol=PROTOCOL_VERSION, defaults=defaults, limits=limits(), choices=choices(), labels=Labels(**LABELS),
        optimizers={name: OptimizerFacts(
            label=LABELS["optimizers"][name], moments=list(_optimizers.MOMENTS[name]),
            settings={key: Setting(default=engine[key], range=list(_config.RANGES[key]))
                      for key in _optimizers.SETTINGS[name]}) for name in OPTIMIZERS},
        presets=PRESETS, default_datasets=DEFAULT_DATASETS,
        plane=PlaneFacts(extent=PLANE_EXTENT, feature_scale=FEATURE_SCALE), leaky_slope=_activations.LEAKY_SLOPE,
        signed_targets=[list(pair) for pair in sorted(_losses.SIGNED_TARGETS)],
        frame=FrameLayout(magic=FRAME_MAGIC.decode(), race_magic=RACE_MAGIC.decode(),
                          header=_wire_fields(FRAME_HEADER), block_header=_wire_fields(BLOCK_HEADER),
                          map_header=_wire_fields(MAP_HEADER), block_order=list(BLOCK_ORDER), levels=LEVELS),
        race=RaceFacts(lanes=[2, MAX_LANES], lane_settings=sorted(_LANE_SETTINGS),
                       default_lanes=[Lane(**lane) for lane in RACE_LANES], target_loss=RACE_TARGET,
                       max_epochs=RaceSetup.model_fields["max_epochs"].default, speed=RACE_SPEED,
                       max_grid_size=RACE_MAX_GRID),
        labs=LabFacts(one_weight=_one_weight_facts(), perceptron=_perceptron_facts()),
        fps=settings.fps, max_message_bytes=MAX_MESSAGE_BYTES)


def spec_script(facts: Spec) -> str:
    """`facts` as a JavaScript module, ``export const SPEC = {…};`` (dumps_script: nothing in it ends the script)."""
    return f"export const SPEC = {dumps_script(facts.model_dump(mode='json'))};\n"


def _wire_fields(layout: tuple) -> list[WireField]:
    offsets = itertools.accumulate((struct.calcsize("<" + code) for _, code in layout), initial=0)
    return [WireField(name=name, type=_WIRE_TYPES[code], offset=offset)
            for (name, code), offset in zip(layout, offsets)]


def _bounds(model: type[BaseModel], name: str) -> list:
    """[low, high] of a bounded field of `model`, from its ge / le constraints."""
    low = high = None
    for constraint in model.model_fields[name].metadata:
        low, high = getattr(constraint, "ge", low), getattr(constraint, "le", high)
    return [low, high]


def _one_weight_facts() -> OneWeightFacts:
    request = OneWeightRequest.model_fields
    starts = {name: p.default for name, p in inspect.signature(_OneWeight).parameters.items()}
    return OneWeightFacts(
        defaults={**starts, "steps": request["steps"].default},
        limits={name: _bounds(OneWeightRequest, name)
                for name in ("w", "x", "target", "learning_rate", "huber_delta", "steps")},
        losses=list(get_args(request["loss"].annotation)), optimizers=list(get_args(request["optimizer"].annotation)),
        settled=_SETTLED, verdicts=list(_VERDICTS))


def _perceptron_facts() -> PerceptronFacts:
    request = PerceptronRequest.model_fields
    return PerceptronFacts(
        max_inputs=PERCEPTRON_MAX_INPUTS, max_rows=PERCEPTRON_MAX_ROWS, max_weight=PERCEPTRON_MAX_WEIGHT,
        learning_rate=request["learning_rate"].default, learning_rates=_bounds(PerceptronRequest, "learning_rate"),
        learn=list(get_args(request["learn"].annotation)), passes=PERCEPTRON_PASSES)
