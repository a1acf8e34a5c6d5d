"""The learning commands of the ``arithseq`` CLI: models, train, evaluate, predict."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .cli import EXPRESSION_ARGS, SetOpt, app, friendly
from .config import parse_assignments
from .errors import ArithseqError, ConfigError

ParamOpt = Annotated[
    Optional[list[str]],
    typer.Option("--param", "-p", help="Override a model option, KEY=VALUE (repeatable), e.g. -p units=64."),
]
RunArg = Annotated[Path, typer.Argument(help="A run directory written by `arithseq train`.")]


def _quiet_tensorflow() -> None:
    """Import TensorFlow and find its devices with C-level stderr muted: its start-up chatter
    (CUDA probes, CPU feature notes) is not for people using the CLI. Python errors still show."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "tensorflow" in sys.modules:
        return
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            import tensorflow as tf

            tf.config.list_physical_devices()
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@app.command()
@friendly
def models() -> None:
    """List the registered models, their framing and their options with defaults."""
    from .models import get_model_spec, list_models

    for name in list_models():
        spec = get_model_spec(name)
        defaults = ", ".join(f"{f.name}={getattr(spec.options(), f.name)!r}" for f in dataclasses.fields(spec.options))
        typer.echo(f"{name}  [{spec.framing}]  {spec.summary}")
        typer.echo(f"    options: {defaults}")


@app.command()
@friendly
def train(
    task: Annotated[Optional[str], typer.Argument(help="Task name or .toml task file (default: addition).")] = None,
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Model name (see `arithseq models`); default attention.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="A run's config.toml (or any file with [task], [model], [train]).")] = None,
    sets: SetOpt = None,
    params: ParamOpt = None,
    epochs: Annotated[Optional[int], typer.Option(help="Most epochs to train.")] = None,
    steps: Annotated[Optional[int], typer.Option("--steps", help="Batches per epoch.")] = None,
    batch_size: Annotated[Optional[int], typer.Option(help="Examples per batch.")] = None,
    lr: Annotated[Optional[float], typer.Option("--lr", help="Adam learning rate.")] = None,
    lr_half_life: Annotated[Optional[int], typer.Option(help="Steps for the learning rate to halve; 0 keeps it constant.")] = None,
    train_size: Annotated[Optional[int], typer.Option(help="Fixed training set size; 0 draws fresh examples every epoch.")] = None,
    train_numbers: Annotated[Optional[str], typer.Option(help="Training numbers: 'task' (the task's own, default), 'uniform', or 'by-digits' (every digit count equally likely).")] = None,
    val_size: Annotated[Optional[int], typer.Option(help="Validation expressions (never trained on).")] = None,
    test_size: Annotated[Optional[int], typer.Option(help="Test expressions (never trained on).")] = None,
    target: Annotated[Optional[float], typer.Option(help="Stop when validation exact match reaches this share; 0 never.")] = None,
    patience: Annotated[Optional[int], typer.Option(help="Stop after this many epochs without improvement; 0 off.")] = None,
    max_minutes: Annotated[Optional[float], typer.Option(help="Stop training after this many minutes; 0 no limit.")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Seed for data, weights and order: the same seed repeats a run.")] = None,
    jit: Annotated[Optional[bool], typer.Option("--jit/--no-jit", help="Compile with XLA.")] = None,
    distribute: Annotated[Optional[str], typer.Option(help="'none' or 'mirrored' (tf.distribute.MirroredStrategy over local devices).")] = None,
    tensorboard: Annotated[Optional[bool], typer.Option("--tensorboard/--no-tensorboard", help="Write TensorBoard logs to RUN/tensorboard.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Run directory (default runs/TASK-MODEL-TIME).")] = None,
    overwrite: Annotated[bool, typer.Option(help="Allow writing into a non-empty run directory.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Train a model, save a run directory, and print held-out exact match with 20 examples.

    With no arguments: an attention model on 3-digit addition, until 99.5% validation exact match.
    """
    _quiet_tensorflow()
    from .train_config import TrainConfig
    from .training import train as run_training

    base = TrainConfig.from_toml(config) if config else TrainConfig()
    changes: dict = {}
    if task is not None and task != base.task:
        changes.update(task=task, task_options=dict(TrainConfig().task_options))
    if model is not None and model != base.model:
        changes.update(model=model, model_options={})
    if sets:
        changes["task_options"] = {**changes.get("task_options", base.task_options), **parse_assignments(sets)}
    if params:
        changes["model_options"] = {**changes.get("model_options", base.model_options), **parse_assignments(params)}
    given = {
        "epochs": epochs, "steps_per_epoch": steps, "batch_size": batch_size, "learning_rate": lr,
        "lr_half_life": lr_half_life, "train_size": train_size, "train_numbers": train_numbers, "val_size": val_size, "test_size": test_size,
        "target": target, "patience": patience, "max_minutes": max_minutes, "seed": seed, "jit": jit,
        "distribute": distribute, "tensorboard": tensorboard,
    }
    changes.update({k: v for k, v in given.items() if v is not None})
    run_training(base.replace(**changes), out, verbose=0 if quiet else "auto", echo=typer.echo, overwrite=overwrite)


@app.command()
@friendly
def evaluate(
    run: RunArg,
    sets: SetOpt = None,
    n: Annotated[Optional[int], typer.Option("-n", "--count", min=1, help="Fresh examples to draw (default: the run's own test set).")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Seed for the fresh examples.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
) -> None:
    """Exact match, per-character accuracy, RMSE/MAE, invalid outputs and breakdowns for a run.

    Change task options with -s (e.g. -s digits=4 or -s terms=3) to measure length generalisation.
    """
    _quiet_tensorflow()
    from .runs import load_run

    report = load_run(run).evaluate(n, seed, **parse_assignments(sets or []))
    typer.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.format())


@app.command(context_settings=EXPRESSION_ARGS)
@friendly
def predict(
    run: RunArg,
    expressions: Annotated[Optional[list[str]], typer.Argument(help="Expressions; none reads one per line from stdin.")] = None,
) -> None:
    """Print the model's answer for each expression, one per line."""
    _quiet_tensorflow()
    from .runs import load_run, read_lines

    items = expressions or read_lines(sys.stdin)
    if not items:
        raise ConfigError("no expressions given (pass them as arguments or one per line on stdin)")
    loaded = load_run(run)
    for index, expression in enumerate(items, 1):
        try:
            loaded.canonical(expression)
        except ArithseqError as exc:
            source = f"line {index} of stdin" if not expressions else f"expression {index}"
            raise ArithseqError(f"{source}: {exc}") from None
    for answer in loaded.predict(items):
        typer.echo(answer)
