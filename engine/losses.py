"""Loss functions L(a, t) per example, which tasks and output activations each fits, and target encoding.

Per example, summed over the K outputs; a batch's loss is the mean over its examples.
  mse         L = ½ Σ_k (a_k − t_k)²                      (regression, binary, multi-class)
  huber       L = Σ_k ½r² if |r| ≤ δ else δ(|r| − ½δ),  r = a_k − t_k   (regression)
  bce         L = −t log σ(z) − (1−t) log(1 − σ(z))        (binary, sigmoid output, t ∈ {0, 1})
  hinge       L = max(0, 1 − t z)                          (binary, linear output, t ∈ {−1, +1})
  cce         L = −Σ_k t_k log p_k                         (multi-class, softmax output)
  kl          L = Σ_k t_k log(t_k / p_k)                   (multi-class, softmax output)
  perceptron  L = (step(z) − t) z                          (binary, step output: the perceptron rule)
"""
import numpy as np

MSE, HUBER, BCE, HINGE, CCE, KL, PERCEPTRON = range(7)
CODES = {"mse": MSE, "huber": HUBER, "bce": BCE, "hinge": HINGE, "cce": CCE, "kl": KL, "perceptron": PERCEPTRON}
LABELS = {"mse": "Squared error (MSE)", "huber": "Huber", "bce": "Binary cross-entropy", "hinge": "Hinge",
          "cce": "Categorical cross-entropy", "kl": "Kullback–Leibler", "perceptron": "Perceptron rule"}  # the page's

ALLOWED: dict[str, dict[str, tuple[str, ...]]] = {
    # task -> loss -> output activations it fits (the first is the default)
    "binary": {"bce": ("sigmoid",), "mse": ("tanh", "sigmoid", "linear"), "hinge": ("linear",),
               "perceptron": ("step",)},
    "multiclass": {"cce": ("softmax",), "kl": ("softmax",), "mse": ("softmax",)},
    "regression": {"mse": ("linear", "tanh", "sigmoid", "relu", "leaky_relu"),
                   "huber": ("linear", "tanh", "sigmoid", "relu", "leaky_relu")},
}
DEFAULT_LOSS = {"binary": "bce", "multiclass": "cce", "regression": "mse"}
SIGNED_TARGETS = {("mse", "tanh"), ("mse", "linear"), ("hinge", "linear")}
"""Binary (loss, output) pairs whose targets are −1/+1 instead of 0/1."""


def default_output(task: str, loss: str) -> str:
    """The natural output activation for a task and loss."""
    return ALLOWED[task][loss][0]


def encode_targets(labels: np.ndarray, task: str, n_classes: int, loss: str, output: str) -> np.ndarray:
    """Labels (N,) -> targets T (N, K): one-hot for multi-class, 0/1 or −1/+1 for binary, the value for regression."""
    n = labels.shape[0]
    if task == "multiclass":
        t = np.zeros((n, n_classes))
        t[np.arange(n), labels.astype(np.int64)] = 1.0
        return t
    t = labels.astype(np.float64).reshape(n, 1).copy()
    if task == "binary" and (loss, output) in SIGNED_TARGETS:
        t = 2.0 * t - 1.0
    return np.ascontiguousarray(t)


def decision_threshold(task: str, loss: str, output: str) -> float:
    """Binary output value at which the predicted class changes from 0 to 1."""
    return 0.0 if (loss, output) in SIGNED_TARGETS else 0.5
