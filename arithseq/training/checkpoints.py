"""Checkpoints for ``--resume``: the model with its optimiser state, and where training stood.

Every ``checkpoint_every`` epochs ``RUN.partial/checkpoint/`` gets ``model.keras``
(weights and optimiser, so the learning-rate schedule goes on where it was) and
``state.json`` (epochs done, the best validation score so far, training seconds,
curriculum level), each written atomically; the manifest is rewritten, unfinished.
The data stream needs no state: epoch ``e`` draws from a generator seeded by ``e``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keras

from ..errors import ArithseqError
from ..evaluation.folders import CHECKPOINT, write_manifest
from ..files import atomic_text

STATE = "state.json"


def save_model(model: keras.Model, path: Path) -> None:
    """``model.save`` to a temporary file beside ``path``, then a rename: never a truncated model."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.keras")
    try:
        model.save(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


class Checkpoint(keras.callbacks.Callback):
    """Saves what resuming needs after every ``every`` epochs."""

    def __init__(self, folder: Path, every: int, state: dict) -> None:
        super().__init__()
        self.folder, self.every, self.state = folder, every, state

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if (epoch + 1) % self.every:
            return
        save_model(self.model, self.folder / CHECKPOINT / "model.keras")
        self.state["epoch"] = epoch + 1
        if logs and "seconds" in logs:
            self.state["seconds"] = logs["seconds"]
        atomic_text(self.folder / CHECKPOINT / STATE, json.dumps(self.state, indent=2) + "\n")
        write_manifest(self.folder, finished=False, epochs=epoch + 1)


def load_checkpoint(folder: Path) -> tuple[keras.Model, dict]:
    """The last checkpoint of an unfinished run: its model (compiled, optimiser state included) and state."""
    state_path, model_path = folder / CHECKPOINT / STATE, folder / CHECKPOINT / "model.keras"
    if not state_path.is_file() or not model_path.is_file():
        raise ArithseqError(
            f"{folder}: no checkpoint yet (the run stopped before its first epoch ended); start it again with --overwrite"
        )
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
        model = keras.saving.load_model(model_path, safe_mode=True)
    except Exception as exc:  # a damaged checkpoint: keras and json raise many types
        raise ArithseqError(f"{folder / CHECKPOINT}: cannot read the checkpoint: {exc}") from None
    if not isinstance(state, dict) or not isinstance(state.get("epoch"), int):
        raise ArithseqError(f"{state_path}: field 'epoch' is missing")
    return model, state
