"""Training: fresh random examples every epoch (or a fixed set), honest held-out evaluation."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from .errors import ConfigError
from .framing import Framing, framing_for
from .models import get_model_spec, options_dict
from .runs import Run, resolve_task
from .tasks import Task
from .tokenizer import Tokenizer
from .train_config import TrainConfig


def default_run_dir(config: TrainConfig) -> Path:
    task = Path(config.task).stem
    return Path("runs") / f"{task}-{config.model}-{datetime.now():%Y%m%d-%H%M%S}"


def train(
    config: TrainConfig | None = None,
    out: str | Path | None = None,
    *,
    verbose: int | str = "auto",
    echo: Callable[[str], None] = print,
    overwrite: bool = False,
    **changes: Any,
) -> Run:
    """Train a model as ``config`` says (fields may be changed by keyword) and save a run directory."""
    config = (config or TrainConfig()).replace(**changes)
    task = resolve_task(config.task, config.task_options)
    spec = get_model_spec(config.model)
    options = spec.make_options(config.model_options)
    tokenizer = Tokenizer.for_task(task)
    framing = framing_for(spec, options, task, tokenizer)
    run_dir = Path(out) if out else default_run_dir(config)
    _prepare(run_dir, overwrite)

    # the resolved configuration first: even an interrupted run can be repeated
    resolved = config.replace(
        task_options=task.config.as_dict(),
        model_options=options_dict(options),
    )
    (run_dir / "config.toml").write_text(resolved.to_toml())
    tokenizer.save(run_dir / "tokenizer.json")

    keras.utils.set_random_seed(config.seed)
    held = task.split({"val": config.val_size, "test": config.test_size}, seed=config.seed + 1)
    (run_dir / "test.txt").write_text("\n".join(held["test"].inputs.tolist()) + "\n")
    held_out = np.concatenate([held["val"].inputs, held["test"].inputs])
    source_task = task
    if config.train_numbers != "task":
        source_task = resolve_task(task.name, {**task.config.as_dict(), "numbers": config.train_numbers})
    data = TrainingData(source_task, framing, config, held_out)

    strategy = tf.distribute.MirroredStrategy() if config.distribute == "mirrored" else tf.distribute.get_strategy()
    with strategy.scope():
        model = spec.build(framing.shapes(), options)
        rate = config.learning_rate
        if config.lr_half_life:
            rate = keras.optimizers.schedules.ExponentialDecay(rate, config.lr_half_life, 0.5)
        model.compile(
            optimizer=keras.optimizers.Adam(rate, clipnorm=config.clipnorm or None),
            loss=framing.loss,
            metrics=framing.metrics(),
            jit_compile=config.jit,
        )

    val_x, val_y = framing.arrays(held["val"].inputs, held["val"].targets)
    callbacks = [
        ExactMatch(framing, held["val"].inputs, held["val"].targets),
        StopAt(config.target, config.max_minutes),
        keras.callbacks.ModelCheckpoint(
            run_dir / "model.keras", monitor="val_exact_match", mode="max", save_best_only=True
        ),
        keras.callbacks.CSVLogger(str(run_dir / "history.csv")),
    ]
    if config.patience:
        callbacks.append(
            keras.callbacks.EarlyStopping(monitor="val_exact_match", mode="max", patience=config.patience)
        )
    if config.tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(str(run_dir / "tensorboard")))

    if config.train_size:
        x, y = data.fixed_arrays()
        source = {"x": x, "y": y, "batch_size": config.batch_size, "shuffle": True}
    else:
        source = {"x": data}
    started = time.perf_counter()
    history = model.fit(
        **source,
        epochs=config.epochs,
        validation_data=(val_x, val_y),
        callbacks=callbacks,
        verbose=verbose,
    )
    seconds = time.perf_counter() - started

    run = Run(run_dir, resolved, task, tokenizer, keras.saving.load_model(run_dir / "model.keras"))
    report = run.evaluate()
    summary = {
        **report.to_dict(),
        "epochs": len(history.history.get("loss", [])),
        "train_seconds": round(seconds, 2),
        "examples_seen": data.seen,
    }
    (run_dir / "metrics.json").write_text(json.dumps(summary, indent=2) + "\n")
    echo(f"\ntrained {config.model} on {task.name} for {summary['epochs']} epochs ({seconds:.1f} s, "
         f"{data.seen:,} examples); run saved to {run_dir}")
    echo(report.format())
    return run


def _prepare(run_dir: Path, overwrite: bool) -> None:
    if run_dir.exists() and any(run_dir.iterdir()) and not overwrite:
        raise ConfigError(f"{run_dir} already holds files; choose another --out or pass --overwrite")
    run_dir.mkdir(parents=True, exist_ok=True)


class TrainingData(keras.utils.PyDataset):
    """Fresh random examples every epoch, never one of the held-out expressions."""

    def __init__(self, task: Task, framing: Framing, config: TrainConfig, held_out: np.ndarray) -> None:
        super().__init__()
        self.task, self.framing, self.config, self.held_out = task, framing, config, held_out
        self.rng = np.random.default_rng([config.seed, 2])
        self.seen = 0
        self._fixed = None
        if config.train_size == 0:
            self._refill()

    def _refill(self) -> None:
        n = self.config.steps_per_epoch * self.config.batch_size
        batch = self.task.sample(n, self.rng, exclude=self.held_out)
        self.x, self.y = self.framing.arrays(batch.inputs, batch.targets)
        self.seen += n

    def fixed_arrays(self):
        """A fixed training set of ``train_size`` distinct examples (instead of fresh ones)."""
        if self._fixed is None:
            batch = self.task.sample(self.config.train_size, self.rng, exclude=self.held_out, unique=True)
            self._fixed = self.framing.arrays(batch.inputs, batch.targets)
            self.seen = self.config.train_size
        return self._fixed

    def __len__(self) -> int:
        return self.config.steps_per_epoch

    def __getitem__(self, index: int):
        part = slice(index * self.config.batch_size, (index + 1) * self.config.batch_size)
        x = tuple(a[part] for a in self.x) if isinstance(self.x, tuple) else self.x[part]
        return x, self.y[part]

    def on_epoch_end(self) -> None:
        self._refill()


class ExactMatch(keras.callbacks.Callback):
    """Adds ``val_exact_match`` (whole answers right, decoded as in prediction) to the epoch logs."""

    def __init__(self, framing: Framing, inputs: np.ndarray, targets: np.ndarray) -> None:
        super().__init__()
        self.framing, self.inputs, self.targets = framing, inputs, targets

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        predictions = self.framing.predict(self.model, self.inputs)
        if logs is not None:
            logs["val_exact_match"] = float(np.mean(predictions == self.targets))


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
