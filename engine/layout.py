"""Parameter layout: every weight and bias of the network in one flat float64 vector.

Layer l maps n_in → n_out units with z = a_in · W + b, W of shape (n_in, n_out) (rows = units the connections
leave, columns = units they reach), stored row-major at table[l, W_OFF], followed by b (n_out,) at table[l, B_OFF].
Gradients and optimizer moments use the same layout, so a kernel's signature never depends on depth or width.
Units (inputs, hidden, outputs) are numbered 0..U−1 in one per-example buffer; layer l reads units
[IN_UNIT, IN_UNIT + n_in) and writes [OUT_UNIT, OUT_UNIT + n_out).
"""
from dataclasses import dataclass

import numpy as np

W_OFF, B_OFF, N_IN, N_OUT, ACT, IN_UNIT, OUT_UNIT = range(7)


@dataclass(frozen=True)
class Layout:
    sizes: tuple[int, ...]          # (n_inputs, hidden..., n_outputs)
    activations: tuple[int, ...]    # activation code of each layer after the input, len(sizes) − 1
    table: np.ndarray               # (L, 7) int64, columns W_OFF … OUT_UNIT

    @property
    def n_layers(self) -> int:
        return self.table.shape[0]

    @property
    def n_params(self) -> int:
        last = self.table[-1]
        return int(last[B_OFF] + last[N_OUT])

    @property
    def n_units(self) -> int:
        return sum(self.sizes)

    def weights(self, params: np.ndarray, layer: int) -> np.ndarray:
        """View of layer `layer`'s weight matrix (n_in, n_out) inside params."""
        w0, _, n_in, n_out = self.table[layer, :4]
        return params[w0:w0 + n_in * n_out].reshape(n_in, n_out)

    def bias(self, params: np.ndarray, layer: int) -> np.ndarray:
        """View of layer `layer`'s bias vector (n_out,) inside params."""
        b0, n_out = self.table[layer, B_OFF], self.table[layer, N_OUT]
        return params[b0:b0 + n_out]

    def weight_mask(self) -> np.ndarray:
        """(P,) bool: True for weights, False for biases (biases are not regularised)."""
        mask = np.zeros(self.n_params, dtype=bool)
        for w0, b0, *_ in self.table:
            mask[w0:b0] = True
        return mask


def build_layout(sizes, activations) -> Layout:
    """Offsets for a network with layer sizes (n0, …, nL) and one activation code per non-input layer."""
    sizes = tuple(int(s) for s in sizes)
    rows, offset, unit = [], 0, 0
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        rows.append((offset, offset + n_in * n_out, n_in, n_out, int(activations[l]), unit, unit + n_in))
        offset += n_in * n_out + n_out
        unit += n_in
    return Layout(sizes, tuple(int(a) for a in activations), np.array(rows, dtype=np.int64).reshape(-1, 7))


def init_schemes(config) -> tuple[str, ...]:
    """The initialisation of each layer after the input: the chosen one, or for "auto" He before a ReLU-like
    activation (it keeps the variance of a half-silenced layer) and Glorot before any other."""
    if config.init != "auto":
        return (config.init,) * len(config.layer_activations)
    return tuple("he" if act in ("relu", "leaky_relu") else "glorot" for act in config.layer_activations)


def init_params(layout: Layout, schemes, rng: np.random.Generator) -> np.ndarray:
    """Fresh parameters (P,): biases 0; layer l's weights W_l (n_in, n_out) ~ N(0, σ²) with σ² = 2/(n_in+n_out)
    (glorot), 2/n_in (he), or all 0 (zeros), by schemes[l] (one name per layer after the input)."""
    params = np.zeros(layout.n_params)
    for l, scheme in zip(range(layout.n_layers), schemes, strict=True):
        n_in, n_out = layout.sizes[l], layout.sizes[l + 1]
        if scheme == "zeros":
            continue
        var = 2.0 / n_in if scheme == "he" else 2.0 / (n_in + n_out)
        layout.weights(params, l)[:] = rng.normal(0.0, np.sqrt(var), size=(n_in, n_out))
    return params
