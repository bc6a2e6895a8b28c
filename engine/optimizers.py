"""Optimizers: one update of the flat parameter vector w (P,) from its gradient g (P,).

  sgd       w ← w − η g
  momentum  v ← μ v − η g;  w ← w + v
  adagrad   s ← s + g²;  w ← w − η g / (√s + ε)
  rmsprop   s ← ρ s + (1−ρ) g²;  w ← w − η g / (√s + ε)
  adam      m ← β₁m + (1−β₁)g;  s ← β₂s + (1−β₂)g²;  w ← w − η m̂ / (√ŝ + ε),  m̂ = m/(1−β₁ᵗ), ŝ = s/(1−β₂ᵗ)

The batch size picks full-batch gradient descent (batch = all examples), stochastic (batch 1) or mini-batch.
State m, s (P,) shares the parameter layout; t counts updates.
"""
import math

from .jit import kernel

from .settings import H_BETA1, H_BETA2, H_EPSILON, H_LR, H_MOMENTUM, H_RHO

SGD, MOMENTUM, ADAGRAD, RMSPROP, ADAM = range(5)
CODES = {"sgd": SGD, "momentum": MOMENTUM, "adagrad": ADAGRAD, "rmsprop": RMSPROP, "adam": ADAM}
MOMENTS = {"sgd": (), "momentum": ("m",), "adagrad": ("s",), "rmsprop": ("s",), "adam": ("m", "s")}
SETTINGS = {"sgd": ("learning_rate",), "momentum": ("learning_rate", "momentum"),
            "adagrad": ("learning_rate", "epsilon"), "rmsprop": ("learning_rate", "rho", "epsilon"),
            "adam": ("learning_rate", "beta1", "beta2", "epsilon")}
LABELS = {"sgd": "Gradient descent", "momentum": "Momentum", "adagrad": "Adagrad", "rmsprop": "RMSprop",
          "adam": "Adam"}            # what the page shows (served in /spec.js)


@kernel
def update(code, w, g, m, s, hp, t):
    """Apply one step in place; t is the 1-based count of this update (Adam's bias correction)."""
    lr = hp[H_LR]
    eps = hp[H_EPSILON]
    if code == SGD:
        for p in range(w.shape[0]):
            w[p] -= lr * g[p]
    elif code == MOMENTUM:
        mu = hp[H_MOMENTUM]
        for p in range(w.shape[0]):
            m[p] = mu * m[p] - lr * g[p]
            w[p] += m[p]
    elif code == ADAGRAD:
        for p in range(w.shape[0]):
            s[p] += g[p] * g[p]
            w[p] -= lr * g[p] / (math.sqrt(s[p]) + eps)
    elif code == RMSPROP:
        rho = hp[H_RHO]
        for p in range(w.shape[0]):
            s[p] = rho * s[p] + (1.0 - rho) * g[p] * g[p]
            w[p] -= lr * g[p] / (math.sqrt(s[p]) + eps)
    else:
        b1 = hp[H_BETA1]
        b2 = hp[H_BETA2]
        c1 = 1.0 - b1 ** t
        c2 = 1.0 - b2 ** t
        for p in range(w.shape[0]):
            m[p] = b1 * m[p] + (1.0 - b1) * g[p]
            s[p] = b2 * s[p] + (1.0 - b2) * g[p] * g[p]
            w[p] -= lr * (m[p] / c1) / (math.sqrt(s[p] / c2) + eps)
