"""Keras callbacks of a training run: exact match on held-out data by stratum, when to stop, the best model."""

from __future__ import annotations

import csv
import io
import math
import time
from pathlib import Path

import keras

from ..errors import TrainingError
from ..evaluation.metrics import Tally
from ..evaluation.strata import Worst
from ..models.framing import Framing
from ..tasks import Batch, Task
from ..files import atomic_text
from .checkpoints import save_model


class HeldOutExactMatch(keras.callbacks.Callback):
    """Adds ``val_exact_match`` (whole answers right, decoded as in prediction), ``val_worst_exact``
    (the same in the validation set's weakest stratum) and ``val_char_accuracy`` to the epoch logs."""

    def __init__(self, task: Task, framing: Framing, batch: Batch) -> None:
        super().__init__()
        self.task, self.framing, self.batch = task, framing, batch
        self.target_ids = None if batch.targets is None else framing.tokenizer.encode(batch.targets, "output")
        self.worst: Worst | None = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        tally = Tally(self.task, "validation set")
        ids = self.framing.predict_ids(self.model, self.batch)
        if ids is None:
            tally.add(self.batch, self.framing.predict(self.model, self.batch))
        else:
            tally.add(self.batch, self.framing.tokenizer.decode(ids, "output"), ids, self.target_ids)
        if hasattr(self.framing, "step_accuracy"):
            tally.add_steps(*self.framing.step_accuracy(self.model, self.batch))
        report = tally.report()
        self.worst = report.worst
        if logs is not None:
            logs["val_exact_match"] = report.exact_match
            logs["val_worst_exact"] = self.worst.exact_match if self.worst else report.exact_match
            if report.char_accuracy is not None:
                logs["val_char_accuracy"] = report.char_accuracy
            if report.steps_right is not None:
                logs["val_steps_right"] = report.steps_right


class StopOnNaN(keras.callbacks.Callback):
    """Raises :class:`TrainingError` when an epoch's loss is NaN or infinite: the model diverged, and
    going on would save it as if it had learned (its answers all wrong). Runs first at each epoch's end."""

    def __init__(self, learning_rate: float, where: Path) -> None:
        super().__init__()
        self.learning_rate, self.where = learning_rate, where

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        loss = float((logs or {}).get("loss", 0.0))
        if not math.isfinite(loss):
            self.model.stop_training = True
            raise TrainingError(
                f"training diverged: the loss became {loss} in epoch {epoch + 1} (learning rate {self.learning_rate:g}); "
                f"lower the learning rate (--lr) or clip gradients (-t clipnorm=1); no finished run was written "
                f"(what was saved is in {self.where}; --overwrite starts again)"
            )


class Progress(keras.callbacks.Callback):
    """Adds ``seconds`` (training time so far) and ``examples_seen`` to the epoch logs: learning
    curves against wall time and data, in history.csv."""

    def __init__(self, per_epoch: int, seconds_before: float = 0.0) -> None:
        super().__init__()
        self.per_epoch, self.seconds_before = per_epoch, seconds_before
        self.seconds = seconds_before
        self.started = time.perf_counter()

    def on_train_begin(self, logs=None) -> None:
        self.started = time.perf_counter() - self.seconds_before  # a resumed run goes on counting

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.seconds = time.perf_counter() - self.started
        if logs is not None:
            logs["seconds"] = round(self.seconds, 3)
            logs["examples_seen"] = float(self.per_epoch * (epoch + 1))


class History(keras.callbacks.Callback):
    """``history.csv``, rewritten whole (atomically) after every epoch; a resumed run keeps the rows of
    the epochs its checkpoint holds and drops any written after it."""

    def __init__(self, path: Path, epochs_done: int) -> None:
        super().__init__()
        self.path = path
        self.rows: list[dict] = []
        if epochs_done and path.is_file():
            with path.open(newline="", encoding="utf-8") as fh:
                self.rows = list(csv.DictReader(fh))[:epochs_done]

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.rows.append({"epoch": epoch, **{k: v for k, v in (logs or {}).items() if _scalar(v)}})
        columns = list(dict.fromkeys(key for row in self.rows for key in row))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows(self.rows)
        atomic_text(self.path, out.getvalue())


def _scalar(value) -> bool:
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False


class EpochLines(keras.callbacks.Callback):
    """One plain line per epoch, for logs and pipes (no progress-bar control characters)."""

    def __init__(self, echo, epochs: int, held_out: HeldOutExactMatch) -> None:
        super().__init__()
        self.echo, self.epochs, self.held_out = echo, epochs, held_out

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        worst = self.held_out.worst
        parts = [f"epoch {epoch + 1}/{self.epochs}", f"loss {logs.get('loss', float('nan')):.4g}"]
        if "val_exact_match" in logs:
            parts.append(f"val exact {logs['val_exact_match']:.2%}")
        if worst is not None:
            parts.append(f"worst {worst.group} {worst.label} {worst.exact_match:.2%}")
        parts.append(f"{logs.get('seconds', 0.0):.1f} s")
        self.echo("  ".join(parts))


class StopAt(keras.callbacks.Callback):
    """Stops when every validation stratum (or, with ``stop_on="mean"``, the mean) reaches ``target``
    after ``min_epochs``, or after ``minutes``."""

    def __init__(
        self, target: float, minutes: float, min_epochs: int = 0, stop_on: str = "worst", seconds_before: float = 0.0
    ) -> None:
        super().__init__()
        self.target, self.minutes, self.min_epochs = target, minutes, min_epochs
        self.key = "val_worst_exact" if stop_on == "worst" else "val_exact_match"
        self.seconds_before = seconds_before
        self.started = time.perf_counter()

    def on_train_begin(self, logs=None) -> None:
        self.started = time.perf_counter() - self.seconds_before

    def _out_of_time(self) -> bool:
        return bool(self.minutes) and time.perf_counter() - self.started > 60 * self.minutes

    def on_train_batch_end(self, batch, logs=None) -> None:
        if self._out_of_time():
            self.model.stop_training = True

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        # checked here too: the held-out figures (a slow decoding loop) run after the epoch's last
        # batch, and a limit passed during them would otherwise start one more epoch and its figures
        reached = self.target and logs and logs.get(self.key, 0.0) >= self.target
        if (reached and epoch + 1 >= self.min_epochs) or self._out_of_time():
            self.model.stop_training = True


class BestModel(keras.callbacks.Callback):
    """Saves the model whenever its weakest validation stratum, then its mean (the other way round
    with ``stop_on="mean"``), is at least as good as before: on a tie the later, longer-trained model
    is kept."""

    def __init__(self, path: Path, stop_on: str = "worst", best: tuple[float, float] | None = None, state: dict | None = None) -> None:
        super().__init__()
        self.path = path
        self.keys = ("val_worst_exact", "val_exact_match")[:: 1 if stop_on == "worst" else -1]
        self.best = tuple(best) if best else None
        self.state = state  # the checkpoint's state: it keeps the best score for a resumed run

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        score = tuple(logs.get(key, 0.0) for key in self.keys)
        if self.best is None or score >= self.best:
            self.best = score
            save_model(self.model, self.path)
            if self.state is not None:
                self.state["best"] = list(score)
