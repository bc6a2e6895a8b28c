"""A plain-NumPy reference network, written from the maths and independent of the engine's kernels.

The network is a list of layers: weights W_l of shape (n_in, n_out), biases b_l of shape (n_out,), activation
names. Everything works on a batch X (N, n0) with targets T (N, K), in float64:

  forward    z_l = a_{l-1} W_l + b_l,   a_l = f_l(z_l),   a_0 = X        (dropout: hidden a_l *= mask_l)
  loss       mean over the batch of the per-example loss L(a_L, t), as documented in engine/losses.py
  backward   the chain rule with the full Jacobian of the output activation:
             dL/dz_L = J_f(z_L)^T dL/da_L;  dL/dW_l = a_{l-1}^T dz_l / N;  dL/db_l = mean dz_l;
             dz_{l-1} = (dz_l W_l^T) * f'_{l-1}(z_{l-1}) [* mask_{l-1}]
  penalty    L1: lambda * sign(W), L2: lambda * W, on weights only
  update     sgd, momentum, adagrad, rmsprop, adam (bias-corrected, t counting updates from 1)

Nothing here imports from engine/, so an error in the kernels cannot hide in the reference.
"""
from dataclasses import dataclass, field

import numpy as np

LEAKY_SLOPE = 0.1
HIDDEN = ("linear", "sigmoid", "tanh", "relu", "leaky_relu")


# ---------------------------------------------------------------------------------------------- activations

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z):
    """Row-wise softmax of z (N, K)."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def activation(name, z):
    """a = f(z) element-wise (softmax row-wise)."""
    if name == "linear":
        return z.copy()
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.where(z > 0, z, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, z, LEAKY_SLOPE * z)
    if name == "step":
        return np.where(z >= 0, 1.0, 0.0)
    if name == "softmax":
        return softmax(z)
    raise ValueError(name)


def derivative(name, z):
    """f'(z) element-wise for the element-wise activations (step: 0; relu and leaky relu: the z > 0 branch at 0)."""
    if name == "linear":
        return np.ones_like(z)
    if name == "sigmoid":
        s = sigmoid(z)
        return s * (1.0 - s)
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return np.where(z > 0, 1.0, 0.0)
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, LEAKY_SLOPE)
    if name == "step":
        return np.zeros_like(z)
    raise ValueError(name)


def output_backprop(name, z, da):
    """dL/dz from dL/da through the output activation: J^T da per row (softmax J = diag(p) - p p^T)."""
    if name == "softmax":
        p = softmax(z)
        jacobians = np.einsum("nj,jk->njk", p, np.eye(p.shape[1])) - np.einsum("nj,nk->njk", p, p)
        return np.einsum("njk,nj->nk", jacobians, da)
    return derivative(name, z) * da


# --------------------------------------------------------------------------------------------------- losses

def per_example_loss(loss, z, a, t, delta=1.0):
    """L (N,) for outputs z, a (N, K) and targets t (N, K), summed over the K outputs, as in engine/losses.py."""
    if loss == "mse":
        return 0.5 * ((a - t) ** 2).sum(axis=1)
    if loss == "huber":
        r = np.abs(a - t)
        return np.where(r <= delta, 0.5 * r ** 2, delta * (r - 0.5 * delta)).sum(axis=1)
    if loss == "bce":
        s = sigmoid(z[:, 0])
        return -t[:, 0] * np.log(s) - (1.0 - t[:, 0]) * np.log(1.0 - s)
    if loss == "hinge":
        return np.maximum(0.0, 1.0 - t[:, 0] * z[:, 0])
    if loss == "cce":
        return -(t * np.log(a)).sum(axis=1)
    if loss == "kl":
        safe_t = np.where(t > 0, t, 1.0)
        return (t * np.log(safe_t / a)).sum(axis=1)
    if loss == "perceptron":
        return (activation("step", z[:, 0]) - t[:, 0]) * z[:, 0]
    raise ValueError(loss)


def loss_gradient_z(loss, output, z, a, t, delta=1.0):
    """dL/dz_L (N, K) of the per-example loss, by the chain rule through the output activation.

    bce, hinge and perceptron are written in terms of z in engine/losses.py, so they are differentiated in z;
    the others are differentiated in a and passed back through f (softmax by its Jacobian)."""
    if loss == "bce":
        # d/dz [-t log s - (1-t) log(1-s)] with ds/dz = s(1-s)
        s = sigmoid(z)
        return (-t / s + (1.0 - t) / (1.0 - s)) * s * (1.0 - s)
    if loss == "hinge":
        return np.where(1.0 - t * z > 0, -t, 0.0)
    if loss == "perceptron":
        return activation("step", z) - t      # step(z) is constant almost everywhere
    if loss == "mse":
        da = a - t
    elif loss == "huber":
        r = a - t
        da = np.where(np.abs(r) <= delta, r, delta * np.sign(r))
    elif loss in ("cce", "kl"):
        da = -t / a                            # the same for both: KL = CCE - sum t log t
    else:
        raise ValueError(loss)
    return output_backprop(output, z, da)


# ---------------------------------------------------------------------------------------------------- network

@dataclass
class Net:
    weights: list          # W_l (n_in, n_out)
    biases: list           # b_l (n_out,)
    activations: list      # name per layer after the input

    def copy(self):
        return Net([w.copy() for w in self.weights], [b.copy() for b in self.biases], list(self.activations))


def forward(net, x, masks=None):
    """Lists zs, acts of (N, n_l) per layer after the input, acts[-1] = output; masks[l] (N, n_l) for hidden l."""
    zs, acts = [], []
    a = np.asarray(x, dtype=np.float64)
    last = len(net.weights) - 1
    for l, (w, b, name) in enumerate(zip(net.weights, net.biases, net.activations)):
        z = a @ w + b
        a = activation(name, z)
        if masks is not None and l < last:
            a = a * masks[l]
        zs.append(z)
        acts.append(a)
    return zs, acts


def loss_and_gradients(net, x, t, loss, delta=1.0, masks=None):
    """Mean loss over the batch and its gradients: (loss, [dW_l], [db_l], deltas [dz_l (N, n_l)], zs, acts)."""
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    n = x.shape[0]
    zs, acts = forward(net, x, masks)
    value = per_example_loss(loss, zs[-1], acts[-1], t, delta).mean()
    dz = loss_gradient_z(loss, net.activations[-1], zs[-1], acts[-1], t, delta)
    grads_w, grads_b, deltas = [None] * len(net.weights), [None] * len(net.weights), [None] * len(net.weights)
    for l in range(len(net.weights) - 1, -1, -1):
        deltas[l] = dz
        a_in = x if l == 0 else acts[l - 1]
        grads_w[l] = a_in.T @ dz / n
        grads_b[l] = dz.sum(axis=0) / n
        if l > 0:
            dz = (dz @ net.weights[l].T) * derivative(net.activations[l - 1], zs[l - 1])
            if masks is not None:
                dz = dz * masks[l - 1]
    return value, grads_w, grads_b, deltas, zs, acts


def add_penalty(net, grads_w, kind, rate):
    """Gradients of the regulariser added to the weight gradients (biases are not penalised)."""
    if kind == "l1":
        return [g + rate * np.sign(w) for g, w in zip(grads_w, net.weights)]
    if kind == "l2":
        return [g + rate * w for g, w in zip(grads_w, net.weights)]
    return list(grads_w)


# ------------------------------------------------------------------------------------------------- optimizers

@dataclass
class Optimizer:
    """One optimizer's state over a list of parameter arrays; step() applies one update as in engine/optimizers.py."""
    name: str
    lr: float
    momentum: float = 0.9
    beta1: float = 0.9
    beta2: float = 0.999
    rho: float = 0.9
    eps: float = 1e-8
    t: int = 0
    state: dict = field(default_factory=dict)

    def step(self, params, grads):
        """params, grads: lists of arrays; params are updated in place."""
        self.t += 1
        for i, (p, g) in enumerate(zip(params, grads)):
            m = self.state.setdefault(("m", i), np.zeros_like(p))
            s = self.state.setdefault(("s", i), np.zeros_like(p))
            if self.name == "sgd":
                p -= self.lr * g
            elif self.name == "momentum":
                m[:] = self.momentum * m - self.lr * g
                p += m
            elif self.name == "adagrad":
                s += g * g
                p -= self.lr * g / (np.sqrt(s) + self.eps)
            elif self.name == "rmsprop":
                s[:] = self.rho * s + (1 - self.rho) * g * g
                p -= self.lr * g / (np.sqrt(s) + self.eps)
            elif self.name == "adam":
                m[:] = self.beta1 * m + (1 - self.beta1) * g
                s[:] = self.beta2 * s + (1 - self.beta2) * g * g
                m_hat = m / (1 - self.beta1 ** self.t)
                s_hat = s / (1 - self.beta2 ** self.t)
                p -= self.lr * m_hat / (np.sqrt(s_hat) + self.eps)
            else:
                raise ValueError(self.name)


def train_step(net, opt, x, t, loss, delta=1.0, reg="none", rate=0.0, masks=None):
    """One optimizer update of net on the batch (x, t); returns the batch's mean data loss."""
    value, gw, gb, *_ = loss_and_gradients(net, x, t, loss, delta, masks)
    gw = add_penalty(net, gw, reg, rate)
    params = [p for pair in zip(net.weights, net.biases) for p in pair]
    grads = [g for pair in zip(gw, gb) for g in pair]
    opt.step(params, grads)
    return value


def dropout_masks(sizes, n_examples, rate, seed):
    """Keep factors per hidden layer (n_examples, n_l): 0 with probability `rate`, else 1/(1 - rate).

    Drawn like the engine's kernel: a Mersenne Twister seeded with `seed`, one uniform per hidden unit, example
    by example and layer by layer (numba's np.random follows NumPy's legacy RandomState)."""
    rng = np.random.RandomState(seed)
    hidden = sizes[1:-1]
    masks = [np.empty((n_examples, n)) for n in hidden]
    for e in range(n_examples):
        for l, n in enumerate(hidden):
            for j in range(n):
                masks[l][e, j] = 0.0 if rng.random_sample() < rate else 1.0 / (1.0 - rate)
    return masks
