"""The chosen hyperparameters of a run, their allowed ranges, and validation before anything is allocated.

`Config` is an immutable record; `Config.validate()` turns names into a checked record or raises `ConfigError`
with a message that names the allowed range. `LIVE` fields change without touching weights; `DATA` fields
regenerate the data set; every other field rebuilds the network.
"""
import math
import numbers
from dataclasses import asdict, dataclass, fields, replace

from . import activations, losses, optimizers
from .datasets import DATASETS, LIMITS as DATA_LIMITS
from .features import FEATURES, validate as validate_features

MAX_HIDDEN_LAYERS = 16
MAX_WIDTH = 256
MAX_CLASSES = 10
MAX_PARAMS = 200_000
TASKS = ("binary", "multiclass", "regression")
INITS = ("auto", "glorot", "he", "zeros")
REGULARIZATIONS = ("none", "l1", "l2")
# name -> (low, high) inclusive, for the numeric fields
RANGES = {
    "learning_rate": (0.0, 100.0), "momentum": (0.0, 0.999), "beta1": (0.0, 0.999), "beta2": (0.0, 0.99999),
    "rho": (0.0, 0.999), "epsilon": (1e-12, 1.0), "reg_rate": (0.0, 10.0), "dropout": (0.0, 0.9),
    "huber_delta": (1e-3, 100.0), "noise": (0.0, DATA_LIMITS["max_noise"]), "train_ratio": (0.1, 0.9),
    "n_points": (DATA_LIMITS["min_points"], DATA_LIMITS["max_points"]), "n_classes": (2, MAX_CLASSES),
    "batch_size": (1, 10_000), "seed": (0, 2**31 - 1),
}
LIVE = frozenset({"learning_rate", "momentum", "beta1", "beta2", "rho", "epsilon", "regularization", "reg_rate",
                  "dropout", "huber_delta", "batch_size", "optimizer", "learn_bias"})
DATA = frozenset({"dataset", "n_points", "noise", "n_classes", "train_ratio", "seed"})


class ConfigError(ValueError):
    """A configuration outside what the engine allows; the message says what is allowed."""


@dataclass(frozen=True)
class Config:
    task: str = "binary"
    dataset: str = "circle"
    n_points: int = 500
    noise: float = 0.0
    n_classes: int = 3
    train_ratio: float = 0.5
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (4, 2)
    activation: str = "tanh"
    hidden_activations: tuple[str, ...] | None = None   # one per hidden layer; None = `activation` everywhere
    output_activation: str | None = None                # None = the natural one for task and loss
    loss: str | None = None                             # None = the task's default
    init: str = "auto"
    optimizer: str = "sgd"
    learning_rate: float = 0.03
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    rho: float = 0.9
    epsilon: float = 1e-8
    batch_size: int = 10
    regularization: str = "none"
    reg_rate: float = 0.0
    dropout: float = 0.0
    huber_delta: float = 1.0
    learn_bias: bool = True                             # False freezes every bias at its current value
    seed: int = 0

    def replace(self, **changes) -> "Config":
        """A validated copy with `changes` applied; unknown field names are refused."""
        unknown = set(changes) - {f.name for f in fields(self)}
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **changes).validate()

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def layer_activations(self) -> tuple[str, ...]:
        """Activation name of every layer after the input (hidden layers, then the output)."""
        hidden = self.hidden_activations or (self.activation,) * len(self.hidden)
        return tuple(hidden) + (self.output_activation,)

    def validate(self) -> "Config":
        """Check every field; return a copy with defaults resolved (loss, output activation)."""
        c = self
        _choice("task", c.task, TASKS)
        _choice("dataset", c.dataset, tuple(DATASETS) + ("points", "csv"))
        for name, (low, high) in RANGES.items():
            _number(name, getattr(c, name), low, high, integer=name in ("n_points", "n_classes", "batch_size", "seed"))
        if c.dataset in DATASETS and DATASETS[c.dataset] != c.task:
            raise ConfigError(f"data set {c.dataset!r} is for the {DATASETS[c.dataset]} task, not {c.task}")
        try:
            feats = validate_features(c.features)
        except ValueError as error:
            raise ConfigError(str(error)) from None
        except TypeError:
            raise ConfigError(f"features must be a list of names from: {', '.join(FEATURES)}; "
                              f"got {c.features!r}") from None
        if isinstance(c.hidden, (str, bytes)) or not hasattr(c.hidden, "__len__"):
            raise ConfigError(f"hidden must be a list of layer widths (at most {MAX_HIDDEN_LAYERS} layers of 1 to "
                              f"{MAX_WIDTH} units); got {c.hidden!r}")
        if len(c.hidden) > MAX_HIDDEN_LAYERS:
            raise ConfigError(f"at most {MAX_HIDDEN_LAYERS} hidden layers, got {len(c.hidden)}")
        hidden = tuple(c.hidden)
        for width in hidden:
            _number("hidden layer width", width, 1, MAX_WIDTH, integer=True)
        hidden = tuple(int(w) for w in hidden)
        _choice("activation", c.activation, activations.HIDDEN + ("step",))
        hidden_acts = c.hidden_activations
        if hidden_acts is not None:
            if isinstance(hidden_acts, str) or not hasattr(hidden_acts, "__len__"):
                raise ConfigError(f"hidden_activations must be a list of one name per hidden layer; "
                                  f"got {hidden_acts!r}")
            hidden_acts = tuple(hidden_acts)
            if len(hidden_acts) != len(hidden):
                raise ConfigError(f"hidden_activations needs one name per hidden layer ({len(hidden)})")
            for name in hidden_acts:
                if name == "step":
                    raise ConfigError(STEP_ONLY_PERCEPTRON)
                _choice("hidden activation", name, activations.HIDDEN)
        elif hidden and c.activation == "step":
            raise ConfigError(STEP_ONLY_PERCEPTRON)
        perceptron = c.activation == "step" and not hidden
        if perceptron and (c.task != "binary" or c.loss not in (None, "perceptron")
                           or c.output_activation not in (None, "step")):
            raise ConfigError(STEP_ONLY_PERCEPTRON)
        allowed = losses.ALLOWED[c.task]
        loss = c.loss or ("perceptron" if perceptron else losses.DEFAULT_LOSS[c.task])
        _choice(f"loss for the {c.task} task", loss, tuple(allowed))
        output = c.output_activation or losses.default_output(c.task, loss)
        if output == "step" and (hidden or loss != "perceptron"):
            raise ConfigError(STEP_ONLY_PERCEPTRON)
        if output not in allowed[loss]:
            raise ConfigError(f"the {loss} loss needs output activation {' or '.join(allowed[loss])}, got {output!r}")
        if not isinstance(c.learn_bias, bool):
            raise ConfigError(f"learn_bias must be true or false; got {c.learn_bias!r}")
        _choice("init", c.init, INITS)
        _choice("optimizer", c.optimizer, tuple(optimizers.CODES))
        _choice("regularization", c.regularization, REGULARIZATIONS)
        if c.task == "multiclass" and c.dataset not in ("digits", "csv") and not 2 <= c.n_classes <= MAX_CLASSES:
            raise ConfigError(f"n_classes must be between 2 and {MAX_CLASSES}")
        n_inputs = 64 if c.dataset == "digits" else len(feats)
        sizes = (n_inputs,) + hidden + (MAX_CLASSES,)
        n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
        if n_params > MAX_PARAMS:
            raise ConfigError(f"that network would have {n_params:,} parameters; the limit is {MAX_PARAMS:,}")
        return replace(c, features=feats, hidden=hidden, hidden_activations=hidden_acts, loss=loss,
                       output_activation=output, n_points=int(c.n_points), n_classes=int(c.n_classes),
                       batch_size=int(c.batch_size), seed=int(c.seed),
                       **{k: float(getattr(c, k)) for k in RANGES if k not in
                          ("n_points", "n_classes", "batch_size", "seed")})


STEP_ONLY_PERCEPTRON = (
    "step is the classic perceptron: its slope is zero everywhere, so backpropagation cannot train through it; it "
    "works only as the output of a network with no hidden layers, on the binary task, with the perceptron loss "
    "(the perceptron rule); elsewhere choose linear, sigmoid, tanh, relu or leaky_relu")


def _choice(what: str, value, allowed) -> None:
    if value not in allowed:
        raise ConfigError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")


def _number(what: str, value, low, high, integer: bool) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ConfigError(f"{what} must be a number between {low:g} and {high:g}; got {value!r}")
    if not math.isfinite(value) or not low <= value <= high:
        raise ConfigError(f"{what} must be between {low:g} and {high:g}; got {value!r}")
    if integer and value != int(value):
        raise ConfigError(f"{what} must be a whole number between {low:g} and {high:g}; got {value!r}")
