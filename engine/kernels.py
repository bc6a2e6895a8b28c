"""Compiled kernels: forward pass, loss and output error, backward pass, and a training chunk.

All take the flat parameter vector w (P,), the layout table (L, 7) and per-example unit buffers z, a, d, mask
(U,) — so they compile once whatever the network's shape. For one example x (n0,):
  forward   z_l = a_{l−1} · W_l + b_l,  a_l = f_l(z_l)   (a_0 = x)
  backward  δ_L = ∂L/∂z_L;  ∂L/∂W_l = a_{l−1}ᵀ δ_l;  ∂L/∂b_l = δ_l;  δ_{l−1} = (δ_l · W_lᵀ) ⊙ f'_{l−1}(z_{l−1})
Dropout (training only) multiplies a hidden unit by mask = keep/(1−p), keep ~ Bernoulli(1−p).
"""
import math

import numpy as np
from .jit import kernel

from .activations import SOFTMAX, TANH, activate, derivative, tanh
from .layout import ACT, B_OFF, IN_UNIT, N_IN, N_OUT, OUT_UNIT, W_OFF
from .losses import BCE, CCE, HINGE, HUBER, KL, MSE, PERCEPTRON
from .optimizers import update
from .settings import H_DROPOUT, H_HUBER, H_L1, H_L2, I_BATCH, I_LEARN_BIAS, I_LOSS, I_OPTIMIZER, I_T


@kernel
def _offsets(table, l):
    """Layer l's offsets as unsigned integers: indexing with them skips negative-index handling, which
    roughly halves the cost of these small loops. Keep every index expression unsigned (no int literals)."""
    return (np.uint64(table[l, W_OFF]), np.uint64(table[l, B_OFF]), np.uint64(table[l, N_IN]),
            np.uint64(table[l, N_OUT]), np.uint64(table[l, IN_UNIT]), np.uint64(table[l, OUT_UNIT]))


@kernel
def forward(w, table, x, z, a, mask, dropout):
    """Fill z and a (U,) for input x (n0,); hidden units are dropped with probability `dropout` (0 = off,
    and then mask is not touched)."""
    for i in range(np.uint64(table[0, N_IN])):
        z[i] = x[i]
        a[i] = x[i]
    last = table.shape[0] - 1
    for l in range(last + 1):
        w0, b0, n_in, n_out, u_in, u_out = _offsets(table, l)
        act = table[l, ACT]
        for j in range(n_out):
            z[u_out + j] = w[b0 + j]
        for i in range(n_in):
            v = a[u_in + i]
            row = w0 + i * n_out
            for j in range(n_out):
                z[u_out + j] += v * w[row + j]
        if act == SOFTMAX:
            top = z[u_out]
            for j in range(n_out):
                top = max(top, z[u_out + j])
            total = 0.0
            for j in range(n_out):
                e = math.exp(z[u_out + j] - top)
                a[u_out + j] = e
                total += e
            for j in range(n_out):
                a[u_out + j] /= total
        elif act == TANH:
            for j in range(n_out):
                a[u_out + j] = tanh(z[u_out + j])
        else:
            for j in range(n_out):
                a[u_out + j] = activate(act, z[u_out + j])
        if l < last and dropout > 0.0:
            scale = 1.0 / (1.0 - dropout)
            for j in range(n_out):
                keep = 0.0 if np.random.random() < dropout else scale
                mask[u_out + j] = keep
                a[u_out + j] *= keep


@kernel
def output_error(table, z, a, d, t, loss, huber_delta):
    """Loss L of one example with targets t (K,); writes δ = ∂L/∂z into d for the output units. Returns L."""
    l = table.shape[0] - 1
    act, u, k = table[l, ACT], table[l, OUT_UNIT], table[l, N_OUT]
    total = 0.0
    if loss == BCE:
        zz = z[u]
        total = max(zz, 0.0) - t[0] * zz + math.log1p(math.exp(-abs(zz)))
        d[u] = a[u] - t[0]
    elif loss == PERCEPTRON:
        d[u] = a[u] - t[0]
        total = d[u] * z[u]
    elif loss == HINGE:
        margin = t[0] * z[u]
        total = max(0.0, 1.0 - margin)
        d[u] = -t[0] if margin < 1.0 else 0.0
    elif (loss == CCE or loss == KL) and act == SOFTMAX:
        top = z[u]
        for j in range(1, k):
            top = max(top, z[u + j])
        lse = 0.0
        for j in range(k):
            lse += math.exp(z[u + j] - top)
        lse = top + math.log(lse)
        for j in range(k):
            total += t[j] * (lse - z[u + j])
            if loss == KL and t[j] > 0.0:
                total += t[j] * math.log(t[j])
            d[u + j] = a[u + j] - t[j]
    else:
        # MSE or Huber: dL/da, then through the activation (softmax by its Jacobian).
        for j in range(k):
            r = a[u + j] - t[j]
            if loss == HUBER and abs(r) > huber_delta:
                total += huber_delta * (abs(r) - 0.5 * huber_delta)
                d[u + j] = huber_delta if r > 0.0 else -huber_delta
            else:
                total += 0.5 * r * r
                d[u + j] = r
        if act == SOFTMAX:
            dot = 0.0
            for j in range(k):
                dot += a[u + j] * d[u + j]
            for j in range(k):
                d[u + j] = a[u + j] * (d[u + j] - dot)
        else:
            for j in range(k):
                d[u + j] *= derivative(act, z[u + j], a[u + j])
    return total


@kernel
def backward(w, table, z, a, d, mask, dropout, g):
    """From δ of the output units in d, fill δ of every hidden unit and add ∂L/∂w of this example into g (P,).
    With dropout > 0, mask holds the forward pass's keep factors."""
    for l in range(table.shape[0] - 1, -1, -1):
        w0, b0, n_in, n_out, u_in, u_out = _offsets(table, l)
        for j in range(n_out):
            g[b0 + j] += d[u_out + j]
        prev_act = table[l - 1, ACT] if l > 0 else 0
        for i in range(n_in):
            v = a[u_in + i]
            row = w0 + i * n_out
            back = 0.0
            for j in range(n_out):
                dj = d[u_out + j]
                g[row + j] += v * dj
                back += w[row + j] * dj
            if l > 0:
                keep = mask[u_in + i] if dropout > 0.0 else 1.0
                if keep == 0.0:
                    d[u_in + i] = 0.0
                elif prev_act == TANH:
                    d[u_in + i] = back * (keep - v * v / keep)
                else:
                    d[u_in + i] = back * keep * derivative(prev_act, z[u_in + i], v / keep)


@kernel
def add_penalty(w, table, g, l1, l2):
    """g += λ₁ sign(W) + λ₂ W over weights only (biases are not regularised). Returns λ₁Σ|W| + ½λ₂ΣW²."""
    penalty = 0.0
    if l1 == 0.0 and l2 == 0.0:
        return penalty
    for l in range(table.shape[0]):
        for p in range(table[l, W_OFF], table[l, B_OFF]):
            wp = w[p]
            g[p] += l2 * wp + (l1 if wp > 0.0 else (-l1 if wp < 0.0 else 0.0))
            penalty += l1 * abs(wp) + 0.5 * l2 * wp * wp
    return penalty


@kernel
def train_chunk(w, g, m, s, table, x, t, orders, seeds, hp, ip, buf, epoch_loss, cursor):
    """Train over orders (E, n) of example indices, in batches of ip[I_BATCH], from cursor[0] epochs and
    cursor[1] examples into the chunk, until cursor[2] batches are done or the orders end.

    Each batch: g = mean over its examples of ∂L/∂w, plus the penalty's gradient; then one optimizer update.
    epoch_loss[e] receives the mean training loss seen during epoch e of the chunk (with dropout, weights moving).
    seeds (E,) seed the dropout masks of each batch. On return cursor holds the position reached; cursor[3] is 1
    when a non-finite loss or weight stopped training, else 0.
    """
    n_epochs, n = orders.shape
    batch = min(max(ip[I_BATCH], 1), n)
    dropout = hp[H_DROPOUT]
    z, a, d, mask = buf[0], buf[1], buf[2], buf[3]
    budget = cursor[2]
    done = 0
    cursor[3] = 0
    while cursor[0] < n_epochs and done < budget:
        e, start = cursor[0], cursor[1]
        stop = min(start + batch, n)
        if dropout > 0.0:
            np.random.seed((seeds[e] + start) & 0x7FFFFFFF)
        g[:] = 0.0
        total = 0.0
        for pos in range(start, stop):
            row = orders[e, pos]
            forward(w, table, x[row], z, a, mask, dropout)
            total += output_error(table, z, a, d, t[row], ip[I_LOSS], hp[H_HUBER])
            backward(w, table, z, a, d, mask, dropout, g)
        inv = 1.0 / (stop - start)
        for p in range(g.shape[0]):
            g[p] *= inv
        if ip[I_LEARN_BIAS] == 0:
            for l in range(table.shape[0]):
                g[table[l, B_OFF]:table[l, B_OFF] + table[l, N_OUT]] = 0.0
        add_penalty(w, table, g, hp[H_L1], hp[H_L2])
        ip[I_T] += 1
        update(ip[I_OPTIMIZER], w, g, m, s, hp, ip[I_T])
        epoch_loss[e] += total
        done += 1
        finite = math.isfinite(total)
        for p in range(w.shape[0]):
            if not math.isfinite(w[p]):
                finite = False
                break
        if stop == n:
            epoch_loss[e] /= n
            cursor[0] = e + 1
            cursor[1] = 0
        else:
            cursor[1] = stop
        if not finite:
            cursor[3] = 1
            break


@kernel
def evaluate(w, table, x, t, loss, huber_delta, out, buf):
    """Outputs out (N, K) for inputs x (N, n0) without dropout; returns the mean loss against targets t (N, K)."""
    z, a, d, mask = buf[0], buf[1], buf[2], buf[3]
    last = table.shape[0] - 1
    u, k = table[last, OUT_UNIT], table[last, N_OUT]
    total = 0.0
    for r in range(x.shape[0]):
        forward(w, table, x[r], z, a, mask, 0.0)
        total += output_error(table, z, a, d, t[r], loss, huber_delta)
        for j in range(k):
            out[r, j] = a[u + j]
    return total / max(x.shape[0], 1)


@kernel
def example_gradient(w, table, x, t, loss, huber_delta, g, buf):
    """One example's loss, with z, a, δ left in buf rows 0–2 and ∂L/∂w written to g (P,) (no dropout, no penalty)."""
    z, a, d, mask = buf[0], buf[1], buf[2], buf[3]
    forward(w, table, x, z, a, mask, 0.0)
    value = output_error(table, z, a, d, t, loss, huber_delta)
    g[:] = 0.0
    backward(w, table, z, a, d, mask, 0.0, g)
    return value
