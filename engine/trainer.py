"""The Trainer: one network, its data and its optimizer state over time.

Python owns the loop: each call runs the compiled kernel over a bounded chunk (whole epochs or k batches),
then checks for divergence. Randomness (initial weights, the shuffle of every epoch, dropout seeds) comes from
generators seeded by `config.seed`, so the same seed and the same calls reproduce a run bit for bit.
"""
import math

import numpy as np

from . import activations, losses, optimizers
from .config import DATA, LIVE, MAX_CLASSES, MAX_PARAMS, Config, ConfigError
from .divergence import LossWatch, nonfinite_report
from .datasets import LIMITS as DATA_LIMITS, PLANE_EXTENT, TASKS, DataError, Dataset, _name_problem, \
    from_points, generate, parse_csv, split
from .features import feature_matrix
from .grid import grid_inputs, unit_maps
from .kernels import (A_ROW, BUF_ROWS, C_BUDGET, C_EPOCH, C_EXAMPLE, C_STOPPED, CURSOR_SIZE, DELTA_ROW, Z_ROW,
                      add_penalty, block_size, evaluate, example_gradient, train_chunk)
from .layout import OUT_UNIT, build_layout, init_params, init_schemes
from .metrics import classification, regression
from .passes import Passes, PassKey
from .settings import (H_BETA1, H_BETA2, H_DROPOUT, H_EPSILON, H_HUBER, H_L1, H_L2, H_LR, H_MOMENTUM, H_RHO,
                       H_SIZE, I_BATCH, I_LEARN_BIAS, I_LOSS, I_OPTIMIZER, I_OUTPUT, I_SIZE, I_T)

MAX_WEIGHT = 1e6
HISTORY_LIMIT = 2000
STATE_VERSION = 1
MAX_COUNT = 2**53 - 1       # counters (epoch, iteration, examples seen, optimizer steps) stay exact in JSON


class Trainer:
    """Train a small fully connected network on a data set.

    >>> t = Trainer(Config(dataset="xor", hidden=(8,), learning_rate=0.1))
    >>> t.train(epochs=50).epoch
    50
    """

    def __init__(self, config: Config | None = None, **changes):
        self.config = (config or Config()).replace(**changes)
        self._custom: Dataset | None = None
        self._grid_cache: dict = {}
        self._build_data()
        self._build_network()

    # ---------------------------------------------------------------- building
    def _build_data(self) -> None:
        c = self.config
        if c.dataset in ("points", "csv"):
            if self._custom is None or (c.dataset == "csv") != (self._custom.name == "csv"):
                if c.dataset == "csv":
                    raise ConfigError("load a CSV file first")
                self._custom = from_points(np.zeros((0, 2)), np.zeros(0), c.task,
                                           c.n_classes if c.task == "multiclass" else 2)
            data = self._custom
            if data.task != c.task:
                raise ConfigError(f"these points are for the {data.task} task, not {c.task}")
        else:
            data = generate(c.dataset, c.n_points, c.noise, c.seed, c.n_classes)
        self.data = data
        self.train_idx, self.test_idx = split(len(data.labels), c.train_ratio, c.seed)
        self._prepare_inputs()

    def _prepare_inputs(self) -> None:
        d, c = self.data, self.config
        self.inputs = feature_matrix(d.points, c.features) if d.is_plane else np.ascontiguousarray(d.points)
        self.n_outputs = d.n_classes if c.task == "multiclass" else 1
        self.targets = losses.encode_targets(d.labels, c.task, self.n_outputs, c.loss, c.output_activation)
        self.x_train, self.t_train = self.inputs[self.train_idx], self.targets[self.train_idx]
        self.x_test, self.t_test = self.inputs[self.test_idx], self.targets[self.test_idx]

    def _build_network(self) -> None:
        c = self.config
        sizes = (self.inputs.shape[1],) + c.hidden + (self.n_outputs,)
        if c.output_activation == "step" and self.n_outputs != 1:
            raise ConfigError("a step output needs a single output unit")
        n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
        if n_params > MAX_PARAMS:       # Config.validate counts the plane's features, not a CSV table's columns
            raise ConfigError(f"that network would have {n_params:,} parameters ({sizes[0]} inputs); the limit is "
                              f"{MAX_PARAMS:,}")
        codes = [activations.CODES[a] for a in c.layer_activations]
        self.layout = build_layout(sizes, codes)
        self.params = init_params(self.layout, init_schemes(c), np.random.default_rng([c.seed, 1]))
        self._shuffle_rng = np.random.default_rng([c.seed, 2])
        self._grads = np.zeros_like(self.params)
        self._m = np.zeros_like(self.params)
        self._s = np.zeros_like(self.params)
        self._buf = np.zeros((BUF_ROWS, self.layout.n_units * block_size(self.layout.n_units)))
        self._passes = Passes()
        self._hp = np.zeros(H_SIZE)
        self._ip = np.zeros(I_SIZE, dtype=np.int64)
        self._apply_live()
        self.epoch = 0
        self.iteration = 0
        self.examples_seen = 0
        self._pending: tuple[np.ndarray, int, int] | None = None   # (order, seed, position) of an unfinished epoch
        self.history: list[dict] = []
        self.divergence: dict | None = None
        self._last_good: tuple | None = None
        self._watch: LossWatch | None = None     # restarted by any change; see engine/divergence.py

    def _apply_live(self) -> None:
        c = self.config
        hp, ip = self._hp, self._ip
        hp[H_LR], hp[H_MOMENTUM], hp[H_BETA1], hp[H_BETA2] = c.learning_rate, c.momentum, c.beta1, c.beta2
        hp[H_RHO], hp[H_EPSILON], hp[H_DROPOUT], hp[H_HUBER] = c.rho, c.epsilon, c.dropout, c.huber_delta
        hp[H_L1] = c.reg_rate if c.regularization == "l1" else 0.0
        hp[H_L2] = c.reg_rate if c.regularization == "l2" else 0.0
        ip[I_LOSS] = losses.CODES[c.loss]
        ip[I_OUTPUT] = activations.CODES[c.output_activation]
        ip[I_OPTIMIZER] = optimizers.CODES[c.optimizer]
        ip[I_BATCH] = c.batch_size
        ip[I_LEARN_BIAS] = int(c.learn_bias)

    # ------------------------------------------------------------- configuring
    def configure(self, **changes) -> str:
        """Apply setting changes. Returns 'unchanged', 'live' (weights and optimizer state kept), 'data'
        (new data set and network) or 'network' (new network on the same data). Invalid changes raise
        ConfigError and leave everything as it was."""
        new = self.config.replace(**changes)
        changed = {k for k in changes if getattr(new, k) != getattr(self.config, k)}
        if not changed:
            return "unchanged"
        old = self.config
        self._watch = None
        if changed <= LIVE:
            if self.divergence:
                self.step_back()
            self.config = new
            if "optimizer" in changed:
                self._m[:] = 0.0
                self._s[:] = 0.0
                self._ip[I_T] = 0
            if "learn_bias" in changed and not new.learn_bias:
                self._m[~self.layout.weight_mask()] = 0.0   # frozen biases must not coast on momentum
            self._apply_live()
            return "live"
        self.config = new
        try:
            if changed & DATA:
                self._build_data()
            else:
                self._prepare_inputs()
            self._build_network()
        except Exception:
            self.config = old
            self._build_data()
            raise
        return "data" if changed & DATA else "network"

    def reset(self) -> None:
        """Fresh weights from the seed, counters to zero, same data."""
        self._build_network()

    def set_points(self, points, labels) -> None:
        """Replace the data by hand-placed points (N, 2) with labels (N,); the weights are kept."""
        c = self.config
        data = from_points(points, labels, c.task, c.n_classes if c.task == "multiclass" else 2)
        keep = self.config.dataset == "points"
        self._custom = data
        self.config = self.config.replace(dataset="points")
        self.data = data
        self.train_idx, self.test_idx = split(len(data.labels), c.train_ratio, c.seed)
        self._prepare_inputs()
        self._watch = None
        if not keep:
            self._build_network()

    def load_csv(self, text: str, label_column: str, feature_columns=None) -> Dataset:
        """Train on a CSV table (see datasets.parse_csv); rebuilds the network for its columns."""
        data = parse_csv(text, label_column, feature_columns, self.config.task)
        old = (self._custom, self.config)
        self._custom = data
        try:
            self.configure(dataset="csv", n_classes=max(data.n_classes, 2) if data.task == "multiclass"
                           else self.config.n_classes)
            if old[1].dataset == "csv":
                self._build_data()
                self._build_network()
        except Exception:
            self._custom, self.config = old
            raise
        return data

    # ---------------------------------------------------------------- training
    @property
    def batches_per_epoch(self) -> int:
        """⌈examples ÷ batch size⌉ (0 with no training data)."""
        n = len(self.train_idx)
        return -(-n // min(self.config.batch_size, n)) if n else 0

    def train(self, epochs: int = 1) -> "Trainer":
        """Run whole epochs (finishing an unfinished one counts as one). Stops early on divergence."""
        return self._run(int(epochs), None)

    def train_batches(self, batches: int = 1, record: bool = True) -> "Trainer":
        """Run `batches` iterations (one optimizer update each), crossing epoch boundaries as needed. With
        record=False the chunk ends without its history row and loss check (a pass over the data): the caller
        calls record() later, e.g. after spreading the pass over several evaluate() calls."""
        return self._run(None, int(batches), record)

    def _run(self, epochs: int | None, batches: int | None, record: bool = True) -> "Trainer":
        n = len(self.train_idx)
        if n == 0 or self.divergence is not None:
            return self
        if self._pending is not None and len(self._pending[0]) != n:
            self._pending = None    # the unfinished epoch's shuffle was for a training set of another size
        per_epoch = self.batches_per_epoch
        batch = min(self.config.batch_size, n)
        position = self._pending[2] if self._pending else 0
        if batches is None:
            rows, budget = epochs, np.iinfo(np.int64).max
        else:
            rows, budget = -(-(position // batch + batches) // per_epoch), batches
        if rows <= 0:
            return self
        orders = np.empty((rows, n), dtype=np.int64)
        seeds = np.empty(rows, dtype=np.int64)
        first = 0
        if self._pending is not None:
            orders[0], seeds[0] = self._pending[0], self._pending[1]
            first = 1
        # one shuffle of 0..n−1 per new epoch (the same draws as a permutation(n) call per row)
        orders[first:] = np.arange(n)
        self._shuffle_rng.permuted(orders[first:], axis=1, out=orders[first:])
        seeds[first:] = (self.config.seed * 1_000_003 + (self.epoch + np.arange(first, rows)) * 7919) % (2**31 - 1)
        if self._watch is None:
            self._watch = LossWatch(self.loss("train"), self.iteration, self._know_nothing_loss())
        self._last_good = (self.params.copy(), self._m.copy(), self._s.copy(), int(self._ip[I_T]),
                           self.epoch, self.iteration, self.examples_seen, self._pending)
        epoch_loss = np.zeros(rows)
        cursor = np.zeros(CURSOR_SIZE, dtype=np.int64)
        cursor[C_EXAMPLE], cursor[C_BUDGET] = position, budget
        iterations_before = int(self._ip[I_T])
        train_chunk(self.params, self._grads, self._m, self._s, self.layout.table, self.x_train, self.t_train,
                    orders, seeds, self._hp, self._ip, self._buf, epoch_loss, cursor)
        done_rows, pos = int(cursor[C_EPOCH]), int(cursor[C_EXAMPLE])
        self.iteration += int(self._ip[I_T]) - iterations_before
        self.examples_seen += done_rows * n + pos - position
        self.epoch += done_rows
        self._pending = (orders[done_rows], int(seeds[done_rows]), pos) if pos else None
        if cursor[C_STOPPED] or not np.isfinite(self.params).all():
            self._record()
            self.divergence = nonfinite_report(self.epoch, self.iteration)
        elif record:
            self.record()
        return self

    def record(self) -> None:
        """Write the history row of the parameters as they are and check the loss for an explosion: what a chunk
        trained with record=False left out (one pass over the data, unless evaluate() has made it)."""
        self._record()
        if self.divergence is None and self._watch is not None and self.history and \
                self._watch.exploded(self.history[-1]["train_loss"], self.iteration, self.batches_per_epoch):
            self.divergence = self._watch.report(self.epoch, self.iteration)

    def _know_nothing_loss(self) -> float | None:
        """L₀: the mean training loss of this network with every weight and bias zero (outputs act(0))."""
        out = np.zeros_like(self.t_train)
        value = evaluate(np.zeros_like(self.params), self.layout.table, self.x_train, self.t_train,
                         self._ip[I_LOSS], self._hp[H_HUBER], out, np.zeros_like(self._buf))
        return float(value) if math.isfinite(value) else None

    def step_back(self) -> None:
        """Undo the last chunk: restore the weights, optimizer state and counters from before it."""
        if self._last_good is None:
            return
        params, m, s, t, self.epoch, self.iteration, self.examples_seen, self._pending = self._last_good
        self.params[:], self._m[:], self._s[:] = params, m, s
        self._ip[I_T] = t
        self.divergence = None
        self._watch = None
        self._record()

    # ---------------------------------------------------------------- reading
    def _record(self) -> None:
        if self.history and self.history[-1]["iteration"] == self.iteration:
            return
        self.history.append({"epoch": self.epoch, "iteration": self.iteration,
                             "train_loss": self.loss("train"), "test_loss": self.loss("test")})
        if len(self.history) > HISTORY_LIMIT:
            self.history = self.history[::2]

    def outputs(self, part: str = "train") -> tuple[np.ndarray, float | None]:
        """(outputs (N, K) read-only, mean loss) on the 'train' or 'test' part, without dropout.

        The last pass over each part is kept with what it depends on (engine/passes.py), so the history row
        written after a chunk and the metrics of the frame that follows share one pass over the data."""
        key = self._pass_key(part, self.params.tobytes())
        done = self._passes.kept(part, key)
        if done is None:
            done, _ = self._passes.advance(part, key, self.params, self.layout.table, self._buf, self.n_outputs,
                                           key.x.shape[0])
        return done.out, done.loss

    def _pass_key(self, part: str, params: bytes) -> PassKey:
        """What a pass over `part` depends on, with `params` the parameters' bytes."""
        x, t = (self.x_train, self.t_train) if part == "train" else (self.x_test, self.t_test)
        return PassKey(x, t, int(self._ip[I_LOSS]), float(self._hp[H_HUBER]), params)

    def evaluate(self, rows: int) -> int:
        """Carry the pass that outputs() makes on for at most `rows` more examples (training part, then test),
        keeping the work between calls; returns how many examples are left (0: outputs(), metrics() and record()
        need no pass). So a caller with a time limit can spread the pass of a large network over several calls;
        new parameters or a new loss start it over. The loss, summed by slices, may differ from one pass in the
        last bits."""
        params, left = self.params.tobytes(), 0
        for part in ("train", "test"):
            key = self._pass_key(part, params)
            if self._passes.kept(part, key):
                continue
            begun, used = self._passes.advance(part, key, self.params, self.layout.table, self._buf,
                                               self.n_outputs, rows)
            rows -= used
            left += key.x.shape[0] - begun.done
        return left

    def loss(self, part: str = "train") -> float | None:
        """Mean data loss over the 'train' or 'test' part (None when empty or not finite)."""
        return self.outputs(part)[1]

    def metrics(self) -> dict:
        """Losses and fitting metrics on both parts: accuracy and confusion matrix, or RMSE and R²."""
        c, result = self.config, {}
        threshold = losses.decision_threshold(c.task, c.loss, c.output_activation)
        for part, idx in (("train", self.train_idx), ("test", self.test_idx)):
            out, value = self.outputs(part)
            labels = self.data.labels[idx]
            scores = (classification(out, labels, max(self.data.n_classes, 2), threshold)
                      if c.task != "regression" else regression(out, labels))
            result[part] = {"loss": value, **scores}
        return result

    def counters(self) -> dict:
        return {"epoch": self.epoch, "iteration": self.iteration, "examples_seen": self.examples_seen,
                "batches_per_epoch": self.batches_per_epoch, "batch_in_epoch": (self._pending[2] if self._pending
                                                                               else 0) // max(self.config.batch_size, 1)}

    def predict(self, points) -> np.ndarray:
        """Network outputs (N, K) for raw inputs (N, D): plane points (features applied) or data-set columns."""
        x = np.atleast_2d(np.asarray(points, dtype=np.float64))
        if self.data.is_plane:
            x = feature_matrix(x, self.config.features)
        out = np.zeros((x.shape[0], self.n_outputs))
        evaluate(self.params, self.layout.table, np.ascontiguousarray(x), np.zeros_like(out),
                 self._ip[I_LOSS], self._hp[H_HUBER], out, self._buf)
        return out

    def maps(self, size: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(input maps (n0, G²), unit maps (U − n0, G²)) float32 over the G×G plane grid; None if not a plane."""
        if not self.data.is_plane:
            return None
        key = (size, self.config.features)
        if key not in self._grid_cache:
            self._grid_cache = {key: grid_inputs(size, self.config.features)}
        inputs = self._grid_cache[key]
        out = np.empty((self.layout.n_units - inputs.shape[0], inputs.shape[1]), dtype=np.float32)
        unit_maps(self.params, self.layout.table, inputs, out)
        return inputs, out

    # ------------------------------------------------------------- inspecting
    def inspect(self, point, label=None) -> dict:
        """Every number of one example's forward and backward pass and the update it alone would cause.

        point: raw input (D,); label: its class or target. Returns lists per layer l = 1..L: z, a, delta (n_l,),
        grad_w (n_{l−1}, n_l), grad_b (n_l,), and new_w, new_b after one optimizer step on this example alone
        (with regularisation, without dropout), plus the input a_0 and the loss.

        The step itself: `update` = {optimizer, t (the step's 1-based count), hyperparameters}, and per layer
        step_w, step_b — the gradient the optimizer takes (∂L/∂w plus the L1/L2 penalty's slope; zero for frozen
        biases) — and, for the optimizers that keep them, the moments before and after: m_w, m_b → new_m_w, new_m_b
        (momentum's velocity, Adam's first moment) and s_w, s_b → new_s_w, new_s_b (the running sum or average of g²).
        """
        raw = np.asarray(point, dtype=np.float64).reshape(1, -1)
        x = feature_matrix(raw, self.config.features)[0] if self.data.is_plane else raw[0]
        c = self.config
        if label is None:
            label = 0
        labels = np.array([label], dtype=np.int64 if c.task != "regression" else np.float64)
        t = losses.encode_targets(labels, c.task, self.n_outputs, c.loss, c.output_activation)[0]
        g = np.zeros_like(self.params)
        buf = np.zeros_like(self._buf)
        value = example_gradient(self.params, self.layout.table, np.ascontiguousarray(x), t,
                                 self._ip[I_LOSS], self._hp[H_HUBER], g, buf)
        g_reg = g.copy()
        add_penalty(self.params, self.layout.table, g_reg, self._hp[H_L1], self._hp[H_L2])
        if not c.learn_bias:
            g_reg[~self.layout.weight_mask()] = 0.0
        new, m, s = self.params.copy(), self._m.copy(), self._s.copy()
        step = int(self._ip[I_T]) + 1
        optimizers.update(self._ip[I_OPTIMIZER], new, g_reg, m, s, self._hp, step)
        lay = self.layout
        moments = optimizers.MOMENTS[c.optimizer]
        before = {"m": self._m, "s": self._s}
        after = {"m": m, "s": s}
        result = {"input": x.tolist(), "target": t.tolist(), "loss": float(value), "layers": [],
                  "update": {"optimizer": c.optimizer, "t": step,
                             **{name: float(getattr(c, name)) for name in optimizers.SETTINGS[c.optimizer]}}}
        for l in range(lay.n_layers):
            u, n = lay.table[l, OUT_UNIT], lay.sizes[l + 1]
            layer = {
                "z": buf[Z_ROW, u:u + n].tolist(), "a": buf[A_ROW, u:u + n].tolist(),
                "delta": buf[DELTA_ROW, u:u + n].tolist(),
                "w": lay.weights(self.params, l).tolist(), "b": lay.bias(self.params, l).tolist(),
                "grad_w": lay.weights(g, l).tolist(), "grad_b": lay.bias(g, l).tolist(),
                "step_w": lay.weights(g_reg, l).tolist(), "step_b": lay.bias(g_reg, l).tolist(),
                "new_w": lay.weights(new, l).tolist(), "new_b": lay.bias(new, l).tolist(),
                "activation": c.layer_activations[l]}
            for k in moments:
                layer[f"{k}_w"], layer[f"{k}_b"] = lay.weights(before[k], l).tolist(), lay.bias(before[k], l).tolist()
                layer[f"new_{k}_w"], layer[f"new_{k}_b"] = lay.weights(after[k], l).tolist(), lay.bias(after[k], l).tolist()
            result["layers"].append(layer)
        return result

    # ------------------------------------------------------------- hand edits
    def weights(self, layer: int) -> np.ndarray:
        """Copy of layer `layer`'s weight matrix (n_in, n_out); layers count from 0 after the input."""
        return self.layout.weights(self.params, self._layer(layer)).copy()

    def bias(self, layer: int) -> np.ndarray:
        return self.layout.bias(self.params, self._layer(layer)).copy()

    def set_weight(self, layer: int, source: int, target: int, value: float) -> None:
        """W_layer[source, target] = value."""
        w = self.layout.weights(self.params, self._layer(layer))
        if not (0 <= source < w.shape[0] and 0 <= target < w.shape[1]):
            raise ConfigError(f"layer {layer} has weights [0..{w.shape[0] - 1}, 0..{w.shape[1] - 1}]")
        w[source, target] = _finite_value(value)
        self._watch = None

    def set_bias(self, layer: int, unit: int, value: float) -> None:
        b = self.layout.bias(self.params, self._layer(layer))
        if not 0 <= unit < b.shape[0]:
            raise ConfigError(f"layer {layer} has biases 0..{b.shape[0] - 1}")
        b[unit] = _finite_value(value)
        self._watch = None

    def set_weights(self, layer: int, matrix) -> None:
        """Replace a layer's whole weight matrix (n_in, n_out)."""
        w = self.layout.weights(self.params, self._layer(layer))
        m = np.asarray(matrix, dtype=np.float64)
        if m.shape != w.shape:
            raise ConfigError(f"layer {layer} needs a {w.shape[0]}×{w.shape[1]} matrix, got {m.shape}")
        if not np.isfinite(m).all() or np.abs(m).max(initial=0) > MAX_WEIGHT:
            raise ConfigError(f"weights must be finite numbers within ±{MAX_WEIGHT:g}")
        w[:] = m
        self._watch = None

    def _layer(self, layer: int) -> int:
        if not isinstance(layer, (int, np.integer)) or not 0 <= layer < self.layout.n_layers:
            raise ConfigError(f"layer must be between 0 and {self.layout.n_layers - 1}")
        return int(layer)

    # ----------------------------------------------------------- save / load
    def state_dict(self) -> dict:
        """Everything needed to continue identically, as JSON-able values."""
        custom = self._custom
        return {
            "version": STATE_VERSION, "config": self.config.as_dict(),
            "custom": None if custom is None else {
                "name": custom.name, "points": custom.points.tolist(), "labels": custom.labels.tolist(),
                "task": custom.task, "n_classes": custom.n_classes, "columns": list(custom.columns),
                "class_names": list(custom.class_names), "is_plane": custom.is_plane,
                "scaling": None if custom.scaling is None else [list(part) for part in custom.scaling]},
            "params": self.params.tolist(), "m": self._m.tolist(), "s": self._s.tolist(), "t": int(self._ip[I_T]),
            "epoch": self.epoch, "iteration": self.iteration, "examples_seen": self.examples_seen,
            "pending": None if self._pending is None else [self._pending[0].tolist(), *self._pending[1:]],
            "rng": self._shuffle_rng.bit_generator.state, "history": self.history,
        }

    @classmethod
    def from_state(cls, state: dict) -> "Trainer":
        """Rebuild a trainer saved by state_dict(); it continues exactly as the original would.

        Checked against what the engine allows, so that a state that loads trains: the configuration
        (Config.validate), the custom data set as an upload of it is checked (_saved_data), the parameter count of
        the network built, params, m and s against that network (finite; s never negative), the counters (whole
        numbers from 0 to MAX_COUNT), the unfinished epoch (_saved_pending), the generator's state and the history
        rows (_saved_history). A refusal is a ConfigError, or a DataError for the data set, whose message starts with
        the field at fault."""
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
            raise ConfigError(f"version: not a saved nnplayground state (version {STATE_VERSION})")
        try:
            config = Config(**{k: tuple(v) if isinstance(v, list) else v for k, v in state["config"].items()})
            trainer = cls.__new__(cls)
            trainer.config = config.validate()
            trainer._grid_cache = {}
            trainer._custom = None if state["custom"] is None else _saved_data(state["custom"])
            trainer._build_data()
            trainer._build_network()
            for name, target in (("params", trainer.params), ("m", trainer._m), ("s", trainer._s)):
                target[:] = _saved_vector(name, state[name], target.size, non_negative=name == "s")
            trainer._ip[I_T] = _count("t", state["t"])
            trainer.epoch, trainer.iteration, trainer.examples_seen = (
                _count(name, state[name]) for name in ("epoch", "iteration", "examples_seen"))
            trainer._pending = _saved_pending(state["pending"], len(trainer.train_idx))
            try:
                trainer._shuffle_rng.bit_generator.state = state["rng"]
            except (TypeError, ValueError, OverflowError) as error:
                raise ConfigError(f"rng: not the state of the shuffle generator ({error})") from None
            trainer.history = _saved_history(state["history"])
        except (ConfigError, DataError):
            raise
        except KeyError as error:
            raise ConfigError(f"{error.args[0]}: the saved state has no such field") from None
        except (TypeError, ValueError, OverflowError, AttributeError) as error:
            raise ConfigError(f"the saved state is damaged: {error}") from None
        return trainer


def _count(name: str, value) -> int:
    """A saved counter: a whole number from 0 to MAX_COUNT."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value <= MAX_COUNT:
        raise ConfigError(f"{name}: must be a whole number from 0 to {MAX_COUNT:,}")
    return int(value)


def _saved_vector(name: str, values, size: int, non_negative: bool = False) -> np.ndarray:
    """A saved params, m or s vector: `size` finite numbers (with non_negative, none below 0)."""
    array = np.asarray(values)
    if array.dtype.kind not in "iuf":
        raise ConfigError(f"{name}: must be a list of numbers")
    if array.shape != (size,):
        raise ConfigError(f"{name}: the network needs {size:,} numbers; the saved state has {array.size:,}")
    if not np.isfinite(array).all() or (non_negative and (array < 0).any()):
        raise ConfigError(f"{name}: every number must be finite" + (" and not negative" if non_negative else ""))
    return array


def _saved_pending(pending, n: int) -> tuple | None:
    """The unfinished epoch (order, seed, position) or None: the kernels index the data with the order unchecked,
    so it must be a permutation of the n training rows, and 0 ≤ position < n, 0 ≤ seed < 2³¹."""
    if pending is None:
        return None
    order, seed, position = pending
    order = np.asarray(order)
    if order.dtype.kind not in "iu" or order.shape != (n,) or not np.array_equal(np.sort(order), np.arange(n)) \
            or _count("pending", seed) >= 2**31 or not _count("pending", position) < n:
        raise ConfigError(f"pending: the unfinished epoch's shuffle does not fit the {n} training rows")
    return order.astype(np.int64), int(seed), int(position)


def _saved_history(rows) -> list[dict]:
    """Saved loss-history rows, rebuilt as _record writes them: at most HISTORY_LIMIT rows of exactly epoch and
    iteration (counters) and train_loss and test_loss (finite numbers or None)."""
    if not isinstance(rows, list) or len(rows) > HISTORY_LIMIT:
        raise ConfigError(f"history: must be a list of at most {HISTORY_LIMIT:,} rows")
    history = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or set(row) != {"epoch", "iteration", "train_loss", "test_loss"}:
            raise ConfigError(f"history.{i}: a row has the fields epoch, iteration, train_loss and test_loss")
        for name in ("train_loss", "test_loss"):
            loss = row[name]
            if loss is not None and (isinstance(loss, bool) or not isinstance(loss, (int, float))
                                     or not math.isfinite(loss)):
                raise ConfigError(f"history.{i}.{name}: must be a finite number or null")
        history.append({"epoch": _count(f"history.{i}.epoch", row["epoch"]),
                        "iteration": _count(f"history.{i}.iteration", row["iteration"]),
                        "train_loss": None if row["train_loss"] is None else float(row["train_loss"]),
                        "test_loss": None if row["test_loss"] is None else float(row["test_loss"])})
    return history


def _saved_data(saved: dict) -> Dataset:
    """A saved custom data set, checked as an upload of it is. Hand-placed points ("drawn"): at most max_points
    rows of 2 numbers within the plane, columns x1, x2 and class names "0", "1", …; a CSV table ("csv"): 1 to
    csv_max_rows rows of one finite number per column, 1 to csv_max_columns columns with distinct names fit for a
    CSV header, on the plane exactly when there are two, and its scaling. Labels (N,): class numbers from 0 to
    n_classes − 1 (binary 2 classes, multiclass 2 to MAX_CLASSES, one distinct name each) or, for regression,
    finite targets (1 class, no names)."""
    def refuse(field: str, message: str):
        raise DataError(f"custom.{field}: {message}")

    def numbers(field: str) -> np.ndarray:
        try:
            return np.array(saved[field], dtype=np.float64)
        except (TypeError, ValueError):
            refuse(field, "must be numbers (rows of numbers all of one length)")

    name, task, k = saved["name"], saved["task"], saved["n_classes"]
    if name not in ("drawn", "csv"):
        refuse("name", "must be 'drawn' (hand-placed points) or 'csv'")
    if task not in TASKS:
        refuse("task", f"must be one of {', '.join(TASKS)}")
    drawn, low, high = name == "drawn", *{"binary": (2, 2), "regression": (1, 1)}.get(task, (2, MAX_CLASSES))
    if isinstance(k, bool) or not isinstance(k, int) or not low <= k <= high:
        refuse("n_classes", f"binary data has 2 classes, multiclass 2 to {MAX_CLASSES}, regression 1")
    columns, class_names = tuple(saved["columns"]), tuple(saved["class_names"])
    if drawn and columns != ("x1", "x2"):
        refuse("columns", "hand-placed points have the columns x1 and x2")
    if not 1 <= len(columns) <= DATA_LIMITS["csv_max_columns"]:
        refuse("columns", f"a data set has 1 to {DATA_LIMITS['csv_max_columns']} columns")
    count = 0 if task == "regression" else k
    if len(class_names) != count:
        refuse("class_names", f"needs one name for each of the {count} classes")
    if drawn and class_names != tuple(str(i) for i in range(count)):
        refuse("class_names", "hand-placed points name their classes 0, 1, …")
    for field, names in (("columns", columns), ("class_names", class_names)):
        for i, text in enumerate(names):
            problem = _name_problem(text) if isinstance(text, str) and text else "a name must be text"
            if problem:
                refuse(f"{field}.{i}", problem)
        if len(set(names)) != len(names):
            refuse(field, "a name appears twice")
    points = numbers("points")
    most = DATA_LIMITS["max_points"] if drawn else DATA_LIMITS["csv_max_rows"]
    points = points.reshape(0, len(columns)) if points.size == 0 else points
    if points.ndim != 2 or points.shape[1] != len(columns) or not (0 if drawn else 1) <= len(points) <= most:
        refuse("points", f"needs {0 if drawn else 1} to {most:,} rows of {len(columns)} numbers (one per column)")
    if not (np.abs(points) <= (PLANE_EXTENT if drawn else np.inf)).all():
        refuse("points", "every number must be finite" + (f" and within ±{PLANE_EXTENT:g}" if drawn else ""))
    labels = numbers("labels")
    if labels.shape != (len(points),):
        refuse("labels", f"needs one label for each of the {len(points)} rows")
    if task == "regression" and not np.isfinite(labels).all():
        refuse("labels", "every target must be a finite number")
    if task != "regression" and not ((labels == np.round(labels)) & (labels >= 0) & (labels < k)).all():
        refuse("labels", f"every label must be a class number from 0 to {k - 1}")
    if saved["is_plane"] is not (drawn or len(columns) == 2):
        refuse("is_plane", "data is on the plane exactly when it has two columns")
    if drawn and saved["scaling"] is not None:
        refuse("scaling", "hand-placed points have no scaling")
    return Dataset(points=np.ascontiguousarray(points), task=task, n_classes=k, columns=columns,
                   labels=labels if task == "regression" else labels.astype(np.int64), class_names=class_names,
                   is_plane=saved["is_plane"], name=name,
                   scaling=None if drawn else _saved_scaling(saved["scaling"], len(columns)))


def _finite_value(value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or abs(value) > MAX_WEIGHT:
        raise ConfigError(f"a weight or bias must be a finite number within ±{MAX_WEIGHT:g}")
    return float(value)


def _saved_scaling(saved, n_columns: int) -> tuple:
    """A saved CSV scaling [divisor, scale, offset], each n_columns finite numbers, divisors above 0."""
    try:
        parts = np.asarray(saved, dtype=np.float64)
    except (TypeError, ValueError):
        parts = np.zeros(0)
    if parts.shape != (3, n_columns) or not np.isfinite(parts).all() or not (parts[0] > 0).all():
        raise DataError(f"custom.scaling: needs 3 × {n_columns} finite numbers, divisors above 0")
    return tuple(tuple(part) for part in parts.tolist())
