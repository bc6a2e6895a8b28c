"""nnplayground's numerics: data sets, a flat-parameter network, compiled training kernels and the Trainer.

    from nnplayground.engine import Config, Trainer
    trainer = Trainer(Config(dataset="spiral", hidden=(8, 8), learning_rate=0.03))
    trainer.train(epochs=200)
    trainer.metrics()["test"]["accuracy"]
"""
from .config import Config, ConfigError
from .datasets import DATASETS, DataError, Dataset
from .trainer import Trainer

__all__ = ["Config", "ConfigError", "DATASETS", "DataError", "Dataset", "Trainer"]
