"""Commands that need a model: models, train, evaluate, predict."""

from __future__ import annotations

import dataclasses
import itertools
import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer

from ..errors import ConfigError
from ..options import parse_assignments
from .app import (
    EXPRESSION_ARGS,
    ParamOpt,
    RunArg,
    SetOpt,
    TrustOpt,
    UnfinishedOpt,
    app,
    open_run,
    progress_bar,
    quiet_tensorflow,
    reports_errors,
)

TrainOpt = Annotated[
    Optional[list[str]],
    typer.Option("--training", "-t", help="Override any training option, KEY=VALUE (repeatable), e.g. -t clipnorm=0."),
]
PREDICT_CHUNK = 1 << 16  # lines answered at a time: output streams, memory stays bounded
WARNINGS_SHOWN = 10

MixOpt = Annotated[
    Optional[list[str]],
    typer.Option(
        "--mix",
        help="How training examples are drawn, KEY=VALUE (repeatable): numbers=uniform|by-digits|by-digits:0.5, term_weights=2=1,3=3, carry_chains=0.1, "
        "operators=..., brackets=..., negation=..., and for a decoding loop's steps easy_steps=0.2, balance_steps=0.002, practice_steps=1. "
        "Held-out sets are unaffected.",
    ),
]


@app.command()
@reports_errors
def models() -> None:
    """List the registered models, their framing and their options with defaults."""
    quiet_tensorflow()
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
    config: Annotated[Optional[Path], typer.Option("--config", "-c", help="A run's config.toml (or any file with \\[task], \\[model], \\[train]).")] = None,
    sets: SetOpt = None,
    params: ParamOpt = None,
    training: TrainOpt = None,
    data: Annotated[Optional[Path], typer.Option("--data", help="Train on question/answer pairs from a file (TSV, CSV, JSONL, or alternating question and answer lines) instead of a task.")] = None,
    val_data: Annotated[Optional[Path], typer.Option("--val-data", help="Validation pairs (default: a tenth of --data, at most --val-size).")] = None,
    test_data: Annotated[Optional[Path], typer.Option("--test-data", help="Test pairs (default: a tenth of --data, at most --test-size).")] = None,
    mix: MixOpt = None,
    recipe_name: Annotated[Optional[str], typer.Option("--recipe", help="Start from this recipe of the task (format, model, mixture, schedule); `arithseq tasks` lists them, the default marked.")] = None,
    no_recipe: Annotated[bool, typer.Option("--no-recipe", help="Start from the generic defaults instead of a recipe.")] = False,
    epochs: Annotated[Optional[int], typer.Option(help="Most epochs to train.")] = None,
    steps_per_epoch: Annotated[Optional[int], typer.Option("--steps", help="Batches per epoch.")] = None,
    batch_size: Annotated[Optional[int], typer.Option(help="Examples per batch.")] = None,
    learning_rate: Annotated[Optional[float], typer.Option("--lr", help="Adam learning rate.")] = None,
    lr_half_life: Annotated[Optional[int], typer.Option(help="Steps for the learning rate to halve; 0 keeps it constant.")] = None,
    train_size: Annotated[Optional[int], typer.Option(help="Fixed training set size; 0 draws fresh examples every epoch.")] = None,
    val_size: Annotated[Optional[int], typer.Option(help="Validation expressions (never trained on).")] = None,
    test_size: Annotated[Optional[int], typer.Option(help="Test expressions (never trained on).")] = None,
    target: Annotated[Optional[float], typer.Option(help="Stop when every validation stratum's exact match reaches this share; 0 never.")] = None,
    min_epochs: Annotated[Optional[int], typer.Option(help="Train at least this many epochs before stopping at the target.")] = None,
    stop_on: Annotated[Optional[str], typer.Option(help="What must reach the target: 'worst' (every validation stratum, default) or 'mean'.")] = None,
    curriculum: Annotated[Optional[str], typer.Option(help="'digits' or 'terms': start with short numbers or few terms and step up (Zaremba & Sutskever); 'none' (default).")] = None,
    curriculum_style: Annotated[Optional[str], typer.Option(help="'naive' (the current level only) or 'mixed' (every batch also holds easier levels, default).")] = None,
    curriculum_threshold: Annotated[Optional[float], typer.Option(help="Validation exact match at a level that moves the curriculum up (default 0.95).")] = None,
    patience: Annotated[Optional[int], typer.Option(help="Stop after this many epochs without improvement; 0 off.")] = None,
    max_minutes: Annotated[Optional[float], typer.Option(help="Stop training after this many minutes; 0 no limit.")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Seed for data, weights and order: the same seed repeats a run.")] = None,
    jit: Annotated[Optional[bool], typer.Option("--jit/--no-jit", help="Compile with XLA.")] = None,
    distribute: Annotated[Optional[str], typer.Option(help="'none'; 'mirrored' (tf.distribute.MirroredStrategy over the local GPUs, or the logical CPUs without one); 'multi-worker' (MultiWorkerMirroredStrategy over the workers TF_CONFIG names: run the same command on each; worker 0 saves the run).")] = None,
    tensorboard: Annotated[Optional[bool], typer.Option("--tensorboard/--no-tensorboard", help="Write TensorBoard logs to RUN/tensorboard.")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Run directory (default runs/TASK-MODEL-TIME).")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace the run at --out (only once the new one is complete).")] = False,
    resume: Annotated[Optional[Path], typer.Option(help="Continue the interrupted run at this path (Ctrl-C, kill -9) from its last checkpoint, with its own configuration.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
    report: Annotated[bool, typer.Option("--report/--no-report", help="Write RUN/report.html and RUN/plots/ at the end (see `arithseq report`).")] = True,
) -> None:
    """Train a model, save a run directory, and print held-out exact match, the worst stratum and examples.

    With no arguments: 3-digit addition with its recommended settings (column-pair input, a GRU
    writing one digit per column), until every validation stratum is entirely right. A task's default
    recipe applies to `arithseq train TASK`, another with --recipe NAME (e.g. single-pass: the network
    writes the whole answer in one decode, no decoding loop); every option here overrides them.
    """
    typed = {k: v for k, v in locals().items() if v is not None}
    from ..config import TRAIN_FIELDS, TrainConfig
    from ..training.recipes import recommended

    resolved = None  # --resume trains with the run's own configuration
    if resume is None:
        if config:
            base = TrainConfig.from_toml(config)
        elif data is not None:
            base = TrainConfig(task="data")  # no task's recipe: the format is the file's
        else:
            if no_recipe and recipe_name:
                raise ConfigError("--recipe and --no-recipe contradict each other: give one")
            base = TrainConfig(task=task or "addition") if no_recipe else recommended(task or "addition", recipe_name)
        for key, path in (("data", data), ("val_data", val_data), ("test_data", test_data)):
            if path is not None:
                typed[key] = str(path)
        # the typed options are named like the training fields: they join the -t KEY=VALUE overrides
        overrides = {**parse_assignments(training or [], "--training"), **{k: typed[k] for k in TRAIN_FIELDS if k in typed}}
        resolved = base.override(  # checked here, before TensorFlow's seconds of start-up
            task=task,
            model=model,
            task_options=parse_assignments(sets or [], "--set"),
            model_options=parse_assignments(params or [], "--param"),
            mixture=parse_assignments(mix or [], "--mix"),
            train=overrides,
        )
    quiet_tensorflow()
    from ..training import train as run_training

    if resolved is None:
        trained = run_training(None, resume, resume=True, verbose=0 if quiet else "auto", echo=typer.echo)
    else:
        trained = run_training(resolved, out, verbose=0 if quiet else "auto", echo=typer.echo, overwrite=overwrite)
    if report:
        from ..report.html import write_report

        with progress_bar("writing the report") as advance:
            page = write_report(trained, progress=advance)
        typer.echo(f"report written to {page}")


@app.command()
@reports_errors
def evaluate(
    run: RunArg,
    sets: SetOpt = None,
    n: Annotated[Optional[int], typer.Option("-n", "--count", min=1, help="Fresh examples to draw (default: the run's own test set).")] = None,
    seed: Annotated[Optional[int], typer.Option(help="Seed for the fresh examples.")] = None,
    exhaustive: Annotated[bool, typer.Option("--exhaustive", help="Every problem of the task (up to a few million; larger tasks fall back to a stratified sample, and say so).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    trust: TrustOpt = False,
    allow_unfinished: UnfinishedOpt = False,
) -> None:
    """Exact match, its worst stratum, per-character accuracy, RMSE/MAE, invalid outputs and breakdowns.

    Without options: the run's own stratified held-out test set. --exhaustive: every problem.
    Change task options with -s (e.g. -s digits=4 or -s terms=3) to measure length generalisation.
    """
    loaded = open_run(run, trust, allow_unfinished)
    with progress_bar("evaluating") as advance:
        report = loaded.evaluate(n, seed, exhaustive=exhaustive, progress=advance, **parse_assignments(sets or []))
    typer.echo(json.dumps(report.to_dict(), indent=2) if as_json else report.format())


@app.command(context_settings=EXPRESSION_ARGS)
@reports_errors
def predict(
    run: RunArg,
    expressions: Annotated[Optional[list[str]], typer.Argument(help="Expressions; none reads one per line from stdin.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Refuse expressions outside the training range instead of answering them with a warning.")] = False,
    trust: TrustOpt = False,
    allow_unfinished: UnfinishedOpt = False,
) -> None:
    """Print the model's answer to each expression, one line each, batch by batch.

    A blank or bad line keeps its place as an empty output line; each bad line gets an error on
    stderr with its line number and text, and the exit status is 2 when any line failed. Expressions
    outside the training range (numbers, terms, operators) are answered with a warning on stderr.
    A run that writes a scratchpad prints its answer in reading order, then the scratchpad as the
    network wrote it: `100  (99+1=001)`.
    """
    lines = iter(expressions) if expressions else (line.rstrip("\r\n") for line in sys.stdin)
    where = "expression" if expressions else "line"
    loaded = open_run(run, trust, allow_unfinished)
    failed = warned = seen = 0
    with progress_bar("predicting") as advance:
        while chunk := list(itertools.islice(lines, PREDICT_CHUNK)):
            filled = [i for i, text in enumerate(chunk) if text.strip()]
            result = loaded.answer([chunk[i] for i in filled], strict=strict)
            for k, error in result.errors:
                typer.echo(f"error: {where} {seen + filled[k] + 1}: {error}", err=True)
            for k, message in result.warnings:
                if warned < WARNINGS_SHOWN:
                    typer.echo(f"warning: {where} {seen + filled[k] + 1}: {message}", err=True)
                warned += 1
            failed += len(result.errors)
            answers = [""] * len(chunk)
            for k, text in result.answers.items():
                answers[filled[k]] = text
            if getattr(loaded.task, "scratchpad", False) and result.answers:
                answers = _with_scratchpads(loaded.task.config, answers)
            sys.stdout.write("\n".join(answers) + "\n")
            sys.stdout.flush()
            seen += len(chunk)
            advance(seen, 0)
    if seen == 0:
        raise ConfigError("no expressions given (pass them as arguments or one per line on stdin)")
    if warned > WARNINGS_SHOWN:
        typer.echo(f"warning: {warned - WARNINGS_SHOWN:,} more {where}s outside the training range", err=True)
    if failed:
        typer.echo(f"error: {failed:,} of {seen:,} {where}s could not be answered", err=True)
        raise typer.Exit(2)


def _with_scratchpads(config, written: list[str]) -> list[str]:
    """A scratchpad run's lines: the answer in reading order first (what a script reads), then the
    scratchpad as the network wrote it (``100  (99+1=001)`` for a reversed one)."""
    from ..tasks.steps import final_answers

    answers = final_answers(np.array(written, dtype=str), config.target, config.reverse_output).tolist()
    return [f"{answer}  ({text})" if text else "" for answer, text in zip(answers, written)]
