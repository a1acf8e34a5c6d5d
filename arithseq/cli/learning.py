"""Commands that need a model: models, train, evaluate, predict."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ConfigError
from ..options import parse_assignments
from .app import EXPRESSION_ARGS, ParamOpt, RunArg, SetOpt, app, quiet_tensorflow, reports_errors

TrainOpt = Annotated[
    Optional[list[str]],
    typer.Option("--training", "-t", help="Override any training option, KEY=VALUE (repeatable), e.g. -t clipnorm=0."),
]


@app.command()
@reports_errors
def models() -> None:
    """List the registered models, their framing and their options with defaults."""
    from ..models import get_model_spec, list_models

    for name in list_models():
        spec = get_model_spec(name)
        defaults = ", ".join(f"{f.name}={getattr(spec.options(), f.name)!r}" for f in dataclasses.fields(spec.options))
        typer.echo(f"{name}  [{spec.framing}]  {spec.summary}")
        typer.echo(f"    options: {defaults}")


@app.command()
@reports_errors
def train(
    task: Annotated[Optional[str], typer.Argument(help="Task name or .toml task file (default: addition).")] = None,
    model: Annotated[Optional[str], typer.Option("--model", "-m", help="Model name (see `arithseq models`); default attention.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="A run's config.toml (or any file with [task], [model], [train]).")] = None,
    sets: SetOpt = None,
    params: ParamOpt = None,
    training: TrainOpt = None,
    epochs: Annotated[Optional[int], typer.Option(help="Most epochs to train.")] = None,
    steps_per_epoch: Annotated[Optional[int], typer.Option("--steps", help="Batches per epoch.")] = None,
    batch_size: Annotated[Optional[int], typer.Option(help="Examples per batch.")] = None,
    learning_rate: Annotated[Optional[float], typer.Option("--lr", help="Adam learning rate.")] = None,
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
    typed = {k: v for k, v in locals().items() if v is not None}
    quiet_tensorflow()
    from ..config import TRAIN_FIELDS, TrainConfig
    from ..training import train as run_training

    base = TrainConfig.from_toml(config) if config else TrainConfig()
    # the typed options are named like the training fields: they join the -t KEY=VALUE overrides
    overrides = {**parse_assignments(training or [], "--training"), **{k: typed[k] for k in TRAIN_FIELDS if k in typed}}
    resolved = base.override(
        task=task,
        model=model,
        task_options=parse_assignments(sets or [], "--set"),
        model_options=parse_assignments(params or [], "--param"),
        train=overrides,
    )
    run_training(resolved, out, verbose=0 if quiet else "auto", echo=typer.echo, overwrite=overwrite)


@app.command()
@reports_errors
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
    quiet_tensorflow()
    from ..evaluation import load_run

    report = load_run(run).evaluate(n, seed, **parse_assignments(sets or []))
    typer.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.format())


@app.command(context_settings=EXPRESSION_ARGS)
@reports_errors
def predict(
    run: RunArg,
    expressions: Annotated[Optional[list[str]], typer.Argument(help="Expressions; none reads one per line from stdin.")] = None,
) -> None:
    """Print the model's answer for each expression, one per line."""
    quiet_tensorflow()
    from ..evaluation import load_run

    items = expressions or [line.strip() for line in sys.stdin if line.strip()]
    if not items:
        raise ConfigError("no expressions given (pass them as arguments or one per line on stdin)")
    for answer in load_run(run).predict(items):
        typer.echo(answer)
