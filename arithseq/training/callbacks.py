"""Keras callbacks of a training run: exact match on held-out data, and when to stop."""

from __future__ import annotations

import time

import keras
import numpy as np

from ..models.framing import Framing
from ..tasks import Batch


class ExactMatch(keras.callbacks.Callback):
    """Adds ``val_exact_match`` (whole answers right, decoded as in prediction) to the epoch logs."""

    def __init__(self, framing: Framing, batch: Batch) -> None:
        super().__init__()
        self.framing, self.batch = framing, batch

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        predictions = self.framing.predict(self.model, self.batch)
        if logs is not None:
            logs["val_exact_match"] = float(np.mean(predictions == self.batch.targets))


class StopAt(keras.callbacks.Callback):
    """Stops when validation exact match reaches ``target``, or after ``minutes``."""

    def __init__(self, target: float, minutes: float) -> None:
        super().__init__()
        self.target, self.minutes = target, minutes
        self.started = time.perf_counter()

    def on_train_begin(self, logs=None) -> None:
        self.started = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None) -> None:
        if self.minutes and time.perf_counter() - self.started > 60 * self.minutes:
            self.model.stop_training = True

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.target and logs and logs.get("val_exact_match", 0.0) >= self.target:
            self.model.stop_training = True
