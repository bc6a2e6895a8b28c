"""Compiled kernels: forward pass, loss and output error, backward pass, and a training chunk.

All take the flat parameter vector w (P,), the layout table (L, 7) and unit buffers z, a, d, mask — so they compile
once whatever the network's shape. The buffers hold a block of nb examples unit-major (unit u of example b at
u·nb + b), so every inner loop runs over the block's examples and vectorises; each example's sums are still added in
the same order as one example at a time. For one example x (n0,):
  forward   z_l = a_{l−1} · W_l + b_l,  a_l = f_l(z_l)   (a_0 = x)
  backward  δ_L = ∂L/∂z_L;  ∂L/∂W_l = a_{l−1}ᵀ δ_l;  ∂L/∂b_l = δ_l;  δ_{l−1} = (δ_l · W_lᵀ) ⊙ f'_{l−1}(z_{l−1})
Dropout (training only) multiplies a hidden unit by mask = keep/(1−p), keep ~ Bernoulli(1−p).
"""
import math

import numpy as np
from .jit import kernel

from .activations import SOFTMAX, TANH, activate, derivative, tanh_into
from .layout import ACT, B_OFF, IN_UNIT, N_IN, N_OUT, OUT_UNIT, W_OFF
from .losses import BCE, CCE, HINGE, HUBER, KL, MSE, PERCEPTRON
from .optimizers import update
from .settings import H_DROPOUT, H_HUBER, H_L1, H_L2, I_BATCH, I_LEARN_BIAS, I_LOSS, I_OPTIMIZER, I_T


BLOCK_EXAMPLES = 32
BLOCK_FLOATS = 8192
# train_chunk's cursor (int64, CURSOR_SIZE): where the chunk stands and why it stopped
C_EPOCH, C_EXAMPLE, C_BUDGET, C_STOPPED = range(4)
CURSOR_SIZE = 4
# rows of the unit buffer buf (BUF_ROWS, units · block): pre-activations, activations, errors δ, dropout mask
Z_ROW, A_ROW, DELTA_ROW, MASK_ROW = range(4)
BUF_ROWS = 4


def block_size(n_units: int) -> int:
    """Examples per block for a network of n_units units: up to 32, fewer for wide networks so that each
    buffer row stays within 8192 floats (64 KiB)."""
    return max(1, min(BLOCK_EXAMPLES, BLOCK_FLOATS // max(n_units, 1)))


@kernel
def _offsets(table, l):
    """Layer l's offsets as unsigned integers: indexing with them skips negative-index handling, which
    roughly halves the cost of these small loops. Keep every index expression unsigned (no int literals)."""
    return (np.uint64(table[l, W_OFF]), np.uint64(table[l, B_OFF]), np.uint64(table[l, N_IN]),
            np.uint64(table[l, N_OUT]), np.uint64(table[l, IN_UNIT]), np.uint64(table[l, OUT_UNIT]))


@kernel
def draw_masks(table, nb, mask, dropout):
    """Dropout keep factors (0 or 1/(1−p)) of every hidden unit of a block of nb examples, drawn example by
    example, layer by layer (one draw per hidden unit of each example, in that order)."""
    for b in range(nb):
        for l in range(table.shape[0] - 1):
            u, n_out = table[l, OUT_UNIT], table[l, N_OUT]
            scale = 1.0 / (1.0 - dropout)
            for j in range(n_out):
                mask[(u + j) * nb + b] = 0.0 if np.random.random() < dropout else scale


@kernel
def forward(w, table, nb, z, a, mask, dropout):
    """Forward pass of a block of nb examples whose inputs are in z and a (units 0..n0−1): fills z and a of
    every other unit; hidden units are multiplied by their mask when dropout > 0 (masks from draw_masks)."""
    last = table.shape[0] - 1
    nbu = np.uint64(nb)
    for l in range(last + 1):
        w0, b0, n_in, n_out, u_in, u_out = _offsets(table, l)
        act = table[l, ACT]
        lo, hi = u_out * nbu, (u_out + n_out) * nbu
        for j in range(n_out):
            bias = w[b0 + j]
            for b in range(lo + j * nbu, lo + (j + np.uint64(1)) * nbu):
                z[b] = bias
        for i in range(n_in):
            src = (u_in + i) * nbu
            row = w0 + i * n_out
            for j in range(n_out):
                wij = w[row + j]
                dst = lo + j * nbu
                for b in range(nbu):
                    z[dst + b] += wij * a[src + b]
        if act == SOFTMAX:
            _softmax(table[l, OUT_UNIT], table[l, N_OUT], nb, z, a)
        elif act == TANH:
            tanh_into(z, a, lo, hi)
        else:
            for p in range(lo, hi):
                a[p] = activate(act, z[p])
        if l < last and dropout > 0.0:
            for p in range(lo, hi):
                a[p] *= mask[p]


@kernel
def _softmax(u, k, nb, z, a):
    """a = softmax(z) over units u..u+k−1, for each of the nb examples of the block."""
    for b in range(nb):
        top = z[u * nb + b]
        for j in range(k):
            top = max(top, z[(u + j) * nb + b])
        total = 0.0
        for j in range(k):
            e = math.exp(z[(u + j) * nb + b] - top)
            a[(u + j) * nb + b] = e
            total += e
        for j in range(k):
            a[(u + j) * nb + b] /= total


@kernel
def output_error(table, z, a, d, targets, r, loss, huber_delta, b, nb):
    """Loss L of example b of the block, whose targets are t = targets[r] (K,); writes δ = ∂L/∂z into d for its
    output units. Returns L."""
    t = targets[r]
    l = table.shape[0] - 1
    act, u, k = table[l, ACT], table[l, OUT_UNIT] * nb + b, table[l, N_OUT]
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
            top = max(top, z[u + j * nb])
        lse = 0.0
        for j in range(k):
            lse += math.exp(z[u + j * nb] - top)
        lse = top + math.log(lse)
        for j in range(k):
            total += t[j] * (lse - z[u + j * nb])
            if loss == KL and t[j] > 0.0:
                total += t[j] * math.log(t[j])
            d[u + j * nb] = a[u + j * nb] - t[j]
    else:
        # MSE or Huber: dL/da, then through the activation (softmax by its Jacobian).
        for j in range(k):
            p = u + j * nb
            r = a[p] - t[j]
            if loss == HUBER and abs(r) > huber_delta:
                total += huber_delta * (abs(r) - 0.5 * huber_delta)
                d[p] = huber_delta if r > 0.0 else -huber_delta
            else:
                total += 0.5 * r * r
                d[p] = r
        if act == SOFTMAX:
            dot = 0.0
            for j in range(k):
                dot += a[u + j * nb] * d[u + j * nb]
            for j in range(k):
                d[u + j * nb] = a[u + j * nb] * (d[u + j * nb] - dot)
        else:
            for j in range(k):
                p = u + j * nb
                d[p] *= derivative(act, z[p], a[p])
    return total


@kernel
def backward(w, table, nb, z, a, d, mask, dropout, g):
    """From δ of the output units in d, fill δ of every hidden unit and add ∂L/∂w of each example of the block
    into g (P,), example after example. With dropout > 0, mask holds the forward pass's keep factors."""
    nbu = np.uint64(nb)
    for l in range(table.shape[0] - 1, -1, -1):
        w0, b0, n_in, n_out, u_in, u_out = _offsets(table, l)
        lo = u_out * nbu
        for j in range(n_out):
            acc = g[b0 + j]
            for b in range(lo + j * nbu, lo + (j + np.uint64(1)) * nbu):
                acc += d[b]
            g[b0 + j] = acc
        for i in range(n_in):
            src = (u_in + i) * nbu
            row = w0 + i * n_out
            for j in range(n_out):
                dst = lo + j * nbu
                acc = g[row + j]
                for b in range(nbu):
                    acc += a[src + b] * d[dst + b]
                g[row + j] = acc
        if l == 0:
            continue
        prev_act = table[l - 1, ACT]
        for i in range(n_in):
            src = (u_in + i) * nbu
            row = w0 + i * n_out
            for b in range(src, src + nbu):
                d[b] = 0.0
            for j in range(n_out):
                wij = w[row + j]
                dst = lo + j * nbu
                for b in range(nbu):
                    d[src + b] += wij * d[dst + b]
            if dropout == 0.0 and prev_act == TANH:
                for b in range(src, src + nbu):
                    d[b] *= 1.0 - a[b] * a[b]
            else:
                for b in range(src, src + nbu):
                    keep = mask[b] if dropout > 0.0 else 1.0
                    if keep == 0.0:
                        d[b] = 0.0
                    elif prev_act == TANH:
                        d[b] *= keep - a[b] * a[b] / keep
                    else:
                        d[b] = d[b] * keep * derivative(prev_act, z[b], a[b] / keep)


@kernel
def _load(x, rows, start, nb, z, a):
    """Inputs of the block: z = a = x[rows[start + b]] for b < nb, unit-major (unit i of example b at i·nb + b)."""
    for b in range(nb):
        r = rows[start + b]
        for i in range(x.shape[1]):
            z[i * nb + b] = x[r, i]
            a[i * nb + b] = x[r, i]


@kernel
def _block_size(table, buf):
    """Examples per block: as many as buf's rows hold (at least one)."""
    last = table.shape[0] - 1
    return max(buf.shape[1] // (table[last, OUT_UNIT] + table[last, N_OUT]), 1)


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
def _count_nonfinite(w):
    """How many entries of w are infinite or NaN (w − w is 0 exactly for finite w; an integer sum vectorises)."""
    count = 0
    for p in range(w.shape[0]):
        count += not (w[p] - w[p] == 0.0)
    return count


@kernel
def train_chunk(w, g, m, s, table, x, t, orders, seeds, hp, ip, buf, epoch_loss, cursor):
    """Train over orders (E, n) of example indices, in batches of ip[I_BATCH], from cursor[C_EPOCH] epochs and
    cursor[C_EXAMPLE] examples into the chunk, until cursor[C_BUDGET] batches are done or the orders end.

    Each batch: g = mean over its examples of ∂L/∂w, plus the penalty's gradient; then one optimizer update.
    epoch_loss[e] receives the mean training loss seen during epoch e of the chunk (with dropout, weights moving).
    seeds (E,) seed the dropout masks of each batch. On return cursor holds the position reached;
    cursor[C_STOPPED] is 1 when a non-finite loss or weight stopped training, else 0.
    """
    n_epochs, n = orders.shape
    batch = min(max(ip[I_BATCH], 1), n)
    dropout = hp[H_DROPOUT]
    z, a, d, mask = buf[Z_ROW], buf[A_ROW], buf[DELTA_ROW], buf[MASK_ROW]
    block = _block_size(table, buf)
    budget = cursor[C_BUDGET]
    done = 0
    cursor[C_STOPPED] = 0
    while cursor[C_EPOCH] < n_epochs and done < budget:
        e, start = cursor[C_EPOCH], cursor[C_EXAMPLE]
        stop = min(start + batch, n)
        if dropout > 0.0:
            np.random.seed((seeds[e] + start) & 0x7FFFFFFF)
        g[:] = 0.0
        total = 0.0
        for pos in range(start, stop, block):
            nb = min(block, stop - pos)
            _load(x, orders[e], pos, nb, z, a)
            if dropout > 0.0:
                draw_masks(table, nb, mask, dropout)
            forward(w, table, nb, z, a, mask, dropout)
            for b in range(nb):
                total += output_error(table, z, a, d, t, orders[e, pos + b], ip[I_LOSS], hp[H_HUBER], b, nb)
            backward(w, table, nb, z, a, d, mask, dropout, g)
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
        finite = math.isfinite(total) and _count_nonfinite(w) == 0
        if stop == n:
            epoch_loss[e] /= n
            cursor[C_EPOCH] = e + 1
            cursor[C_EXAMPLE] = 0
        else:
            cursor[C_EXAMPLE] = stop
        if not finite:
            cursor[C_STOPPED] = 1
            break


@kernel
def evaluate(w, table, x, t, loss, huber_delta, out, buf):
    """Outputs out (N, K) for inputs x (N, n0) without dropout; returns the mean loss against targets t (N, K)."""
    z, a, d, mask = buf[Z_ROW], buf[A_ROW], buf[DELTA_ROW], buf[MASK_ROW]
    block = _block_size(table, buf)
    rows = np.arange(x.shape[0])
    last = table.shape[0] - 1
    u, k = table[last, OUT_UNIT], table[last, N_OUT]
    total = 0.0
    for start in range(0, x.shape[0], block):
        nb = min(block, x.shape[0] - start)
        _load(x, rows, start, nb, z, a)
        forward(w, table, nb, z, a, mask, 0.0)
        for b in range(nb):
            total += output_error(table, z, a, d, t, start + b, loss, huber_delta, b, nb)
            for j in range(k):
                out[start + b, j] = a[(u + j) * nb + b]
    return total / max(x.shape[0], 1)


@kernel
def example_gradient(w, table, x, t, loss, huber_delta, g, buf):
    """One example's loss, with z, a, δ (U,) left in buf rows 0–2 and ∂L/∂w written to g (P,) (no dropout,
    no penalty)."""
    z, a, d, mask = buf[Z_ROW], buf[A_ROW], buf[DELTA_ROW], buf[MASK_ROW]
    for i in range(x.shape[0]):
        z[i] = x[i]
        a[i] = x[i]
    forward(w, table, 1, z, a, mask, 0.0)
    value = output_error(table, z, a, d, t.reshape((1, t.shape[0])), 0, loss, huber_delta, 0, 1)
    g[:] = 0.0
    backward(w, table, 1, z, a, d, mask, 0.0, g)
    return value
