"""``train()``: a configuration in, a trained model and its run folder out.

The run is written into ``RUN.partial`` (config, tokenizer, held-out sets, history,
the best model, a checkpoint every epoch) and renamed to ``RUN`` when it is
complete; ``resume=True`` continues an interrupted one from its last checkpoint.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import keras
import numpy as np

from ..config import TrainConfig
from ..errors import ConfigError
from ..evaluation.folders import atomic_batch, copy_python, finish, partial_path, prepare, write_manifest
from ..evaluation.runs import DATA_SET, TEST_SET, VALIDATION_SET, Run
from ..evaluation.strata import stratified_sets
from ..files import atomic_text
from ..models import get_model_spec, options_dict
from ..models.framing import framing_for
from ..tasks import Batch, resolve_task
from ..tasks.registry import derived_task
from ..tasks.datatask import DataTask
from ..tokenizer import Tokenizer
from .callbacks import BestModel, EpochLines, HeldOutExactMatch, History, Progress, StopAt, StopOnNaN
from .checkpoints import Checkpoint, load_checkpoint
from .curriculum import Curriculum, StepUp
from .data import TrainingData
from .distributed import describe, fit_multi_worker, strategy_for
from .external import data_task
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
    resume: bool = False,
    **changes: Any,
) -> Run:
    """Train a model as ``config`` says (default: addition's recommended settings; fields may be
    changed by keyword) and save a run folder at ``out``.

    ``verbose``: ``"auto"`` (a progress bar on a terminal, one plain line per epoch otherwise),
    0 (silent), 1 (progress bar) or 2 (plain lines). ``resume``: continue the unfinished run at
    ``out`` (its own configuration; ``config`` is ignored).
    """
    if resume:
        if out is None:
            raise ConfigError("resume needs the run folder to continue (--resume RUN)")
        config = TrainConfig.from_toml(partial_path(Path(out)) / "config.toml")
    else:
        config = (config or recommended()).replace(**changes)
    if config.tensorboard and importlib.util.find_spec("tensorboard") is None:
        raise ConfigError("--tensorboard needs TensorBoard: pip install \"arithseq[tensorboard]\"")
    if config.data and not resume:
        task, data_sets = data_task(config)  # read and checked before anything is created
        config = config.replace(task=task.name, data=str(Path(config.data).resolve()))
    elif config.data:
        task = DataTask.from_batch(config.task, Batch.load(partial_path(Path(out)) / DATA_SET), config.task_options)
    else:
        task = resolve_task(config.task, config.task_options)
    source_task = task  # the training stream's task: a bad mixture is refused before anything is created
    if config.mixture and not config.data:
        source_task = derived_task(task, config.mixture)
    spec = get_model_spec(config.model)
    options = spec.make_options(config.model_options)
    tokenizer = Tokenizer.for_task(task)
    framing = framing_for(spec, options, task, tokenizer)
    run_dir = Path(out) if out else default_run_dir(config)
    folder = prepare(run_dir, overwrite, resume)

    if resume:
        resolved = config
        sets = {"val": Batch.load(folder / VALIDATION_SET), "test": Batch.load(folder / TEST_SET)}
        model, state = load_checkpoint(folder)
    else:
        # the resolved configuration first: even an interrupted run can be repeated
        task_options = config.task_options if config.data else task.config.as_dict()
        if task.config.python:
            task_options["python"] = copy_python(task.config.python, folder)
        resolved = config.replace(task_options=task_options, model_options=options_dict(options))
        atomic_text(folder / "config.toml", resolved.to_toml())
        atomic_text(folder / "tokenizer.json", json.dumps(tokenizer.to_dict(), indent=2) + "\n")
        keras.utils.set_random_seed(config.seed)
        if config.data:
            sets = data_sets
            atomic_batch(task.batch(), folder / DATA_SET)
        else:
            sets = stratified_sets(task, {"val": config.val_size, "test": config.test_size}, seed=config.seed + 1)
        for name, path in (("val", VALIDATION_SET), ("test", TEST_SET)):
            atomic_batch(sets[name], folder / path)
        write_manifest(folder, finished=False, epochs=0)
        model, state = build(spec, options, framing, config), {"epoch": 0, "seconds": 0.0}

    held_out = np.concatenate([sets["val"].inputs, sets["test"].inputs])  # never trained on
    curriculum = None
    if config.curriculum != "none":
        curriculum = Curriculum(source_task, config.curriculum, config.curriculum_style, config.curriculum_threshold)
        curriculum.position = state.get("curriculum", 0)
        state["curriculum"] = curriculum.position
    framing.trains(model)  # before the first epoch is drawn: it may cut batches for this network
    data = TrainingData(source_task, framing, config, held_out, curriculum, epoch=state["epoch"])

    callbacks, held_out_match = _callbacks(config, task, framing, sets["val"], folder, state, curriculum, echo, verbose)
    if config.train_size:
        x, y = data.fixed_arrays()
        source = {"x": x, "y": y, "batch_size": config.batch_size, "shuffle": True}
    else:
        source = {"x": data}
    multi_worker = config.distribute == "multi-worker"
    if multi_worker and resume:
        raise ConfigError(
            f"--resume {run_dir}: a multi-worker run cannot be resumed (its checkpoint holds the chief's "
            "model only); start it again with --overwrite"
        )
    if config.distribute != "none":
        echo(describe(model.distribute_strategy, config.distribute))
    try:
        if multi_worker:  # Keras' fit fails under MultiWorkerMirroredStrategy: our own step, same callbacks
            plain = build(spec, options, framing, config.replace(distribute="none"))
            outcome = fit_multi_worker(
                model, data, config, framing, callbacks, plain, initial_epoch=state["epoch"], verbose=_bar(verbose)
            )
            if not outcome.chief:  # the chief saves the run; this worker's folder keeps only what came before
                echo(f"trained {len(outcome.epoch)} epochs with the other workers; the chief saves the run")
                run = Run(folder, resolved, task, tokenizer, outcome.model)
                run.unfinished = True
                return run
        else:
            model.fit(**source, epochs=config.epochs, initial_epoch=state["epoch"], callbacks=callbacks, verbose=_bar(verbose))
    except KeyboardInterrupt:
        again = "start it again with --overwrite" if multi_worker else f"`arithseq train --resume {run_dir}` continues from the last finished epoch"
        echo(f"\ninterrupted: {again}")
        raise
    return _finish(resolved, task, tokenizer, folder, run_dir, held_out_match, callbacks, echo)


def _bar(verbose: int | str) -> int:
    """Keras' own progress bar only where a person watches a terminal."""
    if verbose == "auto":
        return 1 if sys.stdout.isatty() else 0
    return 1 if verbose == 1 else 0


def _callbacks(config, task, framing, val: Batch, folder: Path, state: dict, curriculum, echo, verbose) -> tuple[list, HeldOutExactMatch]:
    held_out_match = HeldOutExactMatch(task, framing, val)
    per_epoch = config.train_size or config.steps_per_epoch * config.batch_size
    best = BestModel(folder / "model.keras", config.stop_on, state.get("best"), state)
    callbacks = [
        StopOnNaN(config.learning_rate, folder),
        held_out_match,
        Progress(per_epoch, state.get("seconds", 0.0)),
        StopAt(config.target, config.max_minutes, config.min_epochs, config.stop_on, state.get("seconds", 0.0)),
        best,
        History(folder / "history.csv", state["epoch"]),
        Checkpoint(folder, config.checkpoint_every, state),
    ]
    if curriculum is not None:
        callbacks.insert(2, StepUp(curriculum, framing, val, echo, state))  # after the held-out figures
    if verbose == 2 or (verbose == "auto" and not sys.stdout.isatty()):
        callbacks.append(EpochLines(echo, config.epochs, held_out_match))
    if config.patience:
        callbacks.append(keras.callbacks.EarlyStopping(monitor="val_worst_exact", mode="max", patience=config.patience))
    if config.tensorboard:
        callbacks.append(keras.callbacks.TensorBoard(str(folder / "tensorboard")))
    return callbacks, held_out_match


def _finish(resolved, task, tokenizer, folder: Path, run_dir: Path, held_out_match, callbacks, echo) -> Run:
    progress = next(c for c in callbacks if isinstance(c, Progress))
    history = next(c for c in callbacks if isinstance(c, History))
    epochs, seconds = len(history.rows), progress.seconds
    run = Run(folder, resolved, task, tokenizer, keras.saving.load_model(folder / "model.keras", safe_mode=True))
    report = run.evaluate()
    seen = progress.per_epoch * epochs
    summary = {**report.to_dict(), "epochs": epochs, "train_seconds": round(seconds, 2), "examples_seen": seen}
    atomic_text(folder / "metrics.json", json.dumps(summary, indent=2) + "\n")
    finish(folder, run_dir)
    run.path = run_dir
    echo(f"\ntrained {resolved.model} on {task.name} for {epochs} epochs ({seconds:.1f} s, "
         f"{seen:,} examples); run saved to {run_dir}")
    echo(report.format())
    lagging = held_out_match.worst
    if resolved.target and lagging is not None and lagging.exact_match < resolved.target:
        echo(f"warning: a stratum lags behind the target {resolved.target:.2%}: validation {lagging.describe()}")
    return run


def build(spec, options, framing, config: TrainConfig) -> keras.Model:
    """The model, compiled in the strategy ``config.distribute`` asks for; no XLA across workers (no
    XLA kernel gathers the embedding's sparse gradients between them)."""
    strategy = strategy_for(config)
    with strategy.scope():
        model = spec.build(framing.shapes(), options)
        rate = config.learning_rate
        if config.lr_half_life:
            rate = keras.optimizers.schedules.ExponentialDecay(rate, config.lr_half_life, 0.5)
        model.compile(
            optimizer=keras.optimizers.Adam(rate, clipnorm=config.clipnorm or None),
            loss=framing.loss,
            metrics=framing.metrics(),
            jit_compile=config.jit and config.distribute != "multi-worker",
        )
    return model
