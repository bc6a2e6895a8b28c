"""The test examples a classifier gets wrong, with what it answered: the raw material of the "mistakes" view.

For the digits these are the 8×8 images a learner can look at and judge: is the true label even readable?
"""
import numpy as np

from . import losses
from .config import ConfigError
from .metrics import predicted_classes
from .trainer import Trainer

MAX_SHOWN = 48


def misclassified(trainer: Trainer, limit: int = 24) -> dict:
    """Test examples whose predicted class differs from their label, in test-set order.

    Outputs Y (N_test, K) come from the network without dropout; predicted = argmax_k Y (or Y ≥ threshold for one
    output) and confidence = the output of the predicted class (for one output: y or 1 − y).
    Returns {'count': wrong examples, 'total': N_test, 'shown': up to `limit` of them as
    {'index': row in the data set, 'label', 'predicted', 'confidence', 'input': raw inputs (D,)}}.
    """
    c = trainer.config
    if c.task == "regression":
        raise ConfigError("mistakes are shown for classification only")
    if not isinstance(limit, int) or not 0 <= limit <= MAX_SHOWN:
        raise ConfigError(f"limit must be between 0 and {MAX_SHOWN}")
    outputs, _ = trainer.outputs("test")
    labels = trainer.data.labels[trainer.test_idx]
    threshold = losses.decision_threshold(c.task, c.loss, c.output_activation)
    predicted = predicted_classes(outputs, threshold)
    if outputs.shape[1] > 1:
        confidence = outputs[np.arange(len(predicted)), predicted]
    else:
        confidence = np.where(predicted == 1, outputs[:, 0], 1.0 - outputs[:, 0])
    wrong = np.flatnonzero(predicted != labels)
    shown = []
    for i in wrong[:limit]:
        index = int(trainer.test_idx[i])
        shown.append({"index": index, "label": int(labels[i]), "predicted": int(predicted[i]),
                      "confidence": float(confidence[i]), "input": trainer.data.points[index].tolist()})
    return {"count": int(wrong.size), "total": int(labels.size), "shown": shown}
