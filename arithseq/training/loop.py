"""``train()``: a configuration in, a trained model and its run directory out."""

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

from ..config import TrainConfig
from ..errors import ConfigError
from ..evaluation.runs import TEST_SET, Run
from ..evaluation.strata import stratified_sets
from ..models import get_model_spec, options_dict
from ..models.framing import framing_for
from ..tasks import resolve_task
from ..tokenizer import Tokenizer
from .callbacks import BestModel, HeldOutExactMatch, Progress, StopAt
from .curriculum import Curriculum, StepUp
from .data import TrainingData
from .recipes import recommended


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
    """Train a model as ``config`` says (default: addition's recommended settings; fields may be
    changed by keyword) and save a run directory."""
    config = (config or recommended()).replace(**changes)
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
    sets = stratified_sets(task, {"val": config.val_size, "test": config.test_size}, seed=config.seed + 1)
    sets["test"].save(run_dir / TEST_SET)
    held_out = np.concatenate([sets["val"].inputs, sets["test"].inputs])  # never trained on
    source_task = task
    if config.mixture:
        source_task = resolve_task(task.name, {**task.config.as_dict(), **config.mixture})
    curriculum = None
    if config.curriculum != "none":
        curriculum = Curriculum(source_task, config.curriculum, config.curriculum_style, config.curriculum_threshold)
    data = TrainingData(source_task, framing, config, held_out, curriculum)

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

    held_out_match = HeldOutExactMatch(task, framing, sets["val"])
    per_epoch = config.train_size or config.steps_per_epoch * config.batch_size
    callbacks = [
        held_out_match,
        Progress(per_epoch),
        StopAt(config.target, config.max_minutes, config.min_epochs, config.stop_on),
        BestModel(run_dir / "model.keras", config.stop_on),
        keras.callbacks.CSVLogger(str(run_dir / "history.csv")),
    ]
    if curriculum is not None:
        callbacks.insert(1, StepUp(curriculum, framing, sets["val"], echo))
    if config.patience:
        callbacks.append(
            keras.callbacks.EarlyStopping(monitor="val_worst_exact", mode="max", patience=config.patience)
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
        callbacks=callbacks,
        verbose=verbose,
    )
    seconds = time.perf_counter() - started

    run = Run(run_dir, resolved, task, tokenizer, keras.saving.load_model(run_dir / "model.keras"))
    report = run.evaluate()
    epochs = len(history.history.get("loss", []))
    seen = per_epoch * epochs
    summary = {**report.to_dict(), "epochs": epochs, "train_seconds": round(seconds, 2), "examples_seen": seen}
    (run_dir / "metrics.json").write_text(json.dumps(summary, indent=2) + "\n")
    echo(f"\ntrained {config.model} on {task.name} for {epochs} epochs ({seconds:.1f} s, "
         f"{seen:,} examples); run saved to {run_dir}")
    echo(report.format())
    lagging = held_out_match.worst
    if config.target and lagging is not None and lagging.exact_match < config.target:
        echo(f"warning: a stratum lags behind the target {config.target:.2%}: validation {lagging.describe()}")
    return run


def _prepare(run_dir: Path, overwrite: bool) -> None:
    if run_dir.exists() and any(run_dir.iterdir()) and not overwrite:
        raise ConfigError(f"{run_dir} already holds files; choose another --out or pass --overwrite")
    run_dir.mkdir(parents=True, exist_ok=True)
