"""Fitting metrics from network outputs: accuracy and confusion matrix, or RMSE and R²."""
import numpy as np

from .jit import kernel


def predicted_classes(outputs: np.ndarray, threshold: float) -> np.ndarray:
    """Outputs (N, K) -> class per example (N,): argmax for K > 1, else 1 where the output ≥ threshold."""
    if outputs.shape[1] > 1:
        return outputs.argmax(axis=1)
    return (outputs[:, 0] >= threshold).astype(np.int64)


def classification(outputs: np.ndarray, labels: np.ndarray, n_classes: int, threshold: float) -> dict:
    """accuracy = mean(pred == label); confusion[i, j] = count of label i predicted as j, (K, K) int; pred as in
    predicted_classes (one compiled pass: this runs with every frame)."""
    confusion = np.zeros((n_classes, n_classes), dtype=np.int64)
    right = _confusion(outputs, labels, threshold, confusion)
    return {"accuracy": right / labels.size if labels.size else None, "confusion": confusion.tolist()}


@kernel
def _confusion(outputs, labels, threshold, confusion):
    """confusion[label, pred] += 1 per row of outputs (N, K), pred as predicted_classes makes it (argmax, where a
    NaN counts as the largest and the first largest wins; 1 where the one output ≥ threshold); returns how many
    rows have pred == label."""
    k = outputs.shape[1]
    right = 0
    for r in range(outputs.shape[0]):
        if k > 1:
            pred = 0
            for j in range(1, k):
                v, top = outputs[r, j], outputs[r, pred]
                if v > top or (v != v and top == top):
                    pred = j
        else:
            pred = 1 if outputs[r, 0] >= threshold else 0
        truth = np.int64(labels[r])
        if not (0 <= truth < confusion.shape[0] and pred < confusion.shape[1]):
            raise ValueError("a label or an output is not one of the classes")
        confusion[truth, pred] += 1
        right += truth == pred
    return right


def regression(outputs: np.ndarray, targets: np.ndarray) -> dict:
    """RMSE = √mean((y−t)²); R² = 1 − Σ(y−t)² / Σ(t−mean t)² (None when undefined)."""
    if targets.size == 0:
        return {"rmse": None, "r2": None}
    residual = outputs[:, 0] - targets
    spread = float(((targets - targets.mean()) ** 2).sum())
    sse = float((residual ** 2).sum())
    return {"rmse": float(np.sqrt(sse / targets.size)), "r2": 1.0 - sse / spread if spread > 0 else None}
