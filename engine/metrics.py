"""Fitting metrics from network outputs: accuracy and confusion matrix, or RMSE and R²."""
import numpy as np


def predicted_classes(outputs: np.ndarray, threshold: float) -> np.ndarray:
    """Outputs (N, K) -> class per example (N,): argmax for K > 1, else 1 where the output ≥ threshold."""
    if outputs.shape[1] > 1:
        return outputs.argmax(axis=1)
    return (outputs[:, 0] >= threshold).astype(np.int64)


def classification(outputs: np.ndarray, labels: np.ndarray, n_classes: int, threshold: float) -> dict:
    """accuracy = mean(pred == label); confusion[i, j] = count of label i predicted as j, (K, K) int."""
    pred = predicted_classes(outputs, threshold)
    truth = labels.astype(np.int64)
    confusion = np.bincount(truth * n_classes + pred, minlength=n_classes * n_classes)
    accuracy = float(np.count_nonzero(pred == truth) / truth.size) if truth.size else None
    return {"accuracy": accuracy, "confusion": confusion.reshape(n_classes, n_classes).tolist()}


def regression(outputs: np.ndarray, targets: np.ndarray) -> dict:
    """RMSE = √mean((y−t)²); R² = 1 − Σ(y−t)² / Σ(t−mean t)² (None when undefined)."""
    if targets.size == 0:
        return {"rmse": None, "r2": None}
    residual = outputs[:, 0] - targets
    spread = float(((targets - targets.mean()) ** 2).sum())
    sse = float((residual ** 2).sum())
    return {"rmse": float(np.sqrt(sse / targets.size)), "r2": 1.0 - sse / spread if spread > 0 else None}
