"""Commands about data, no model needed: tasks, generate, solve."""

from __future__ import annotations

import itertools
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import numpy as np
import typer

from ..errors import ConfigError
from ..files import atomic_writer, check_output, check_space
from ..options import check_seed, parse_assignments
from ..tasks import CHUNK, TASKS, Task, get_task, list_tasks
from ..tasks.options import OPTION_HELP
from ..tasks.task import SAMPLE_LIMIT
from .app import EXPRESSION_ARGS, SetOpt, TaskArg, app, reports_errors


def load_task(name: str, sets: list[str] | None) -> Task:
    return get_task(name, **parse_assignments(sets or []))


TASK_COLUMNS = ("task", "grammar", "terms", "values", "ops", "depth", "division", "in/out", "alphabet")


@app.command()
@reports_errors
def tasks() -> None:
    """List the registered tasks with their options, lengths and alphabets."""
    rows = []
    for name in list_tasks():
        task = get_task(name)
        c = task.config
        ops = "all" if c.operators is None else " ".join(k for k, w in c.operators if w > 0)
        rows.append([
            name,
            c.grammar,
            _span(c.terms),
            _span(c.values),
            ops,
            str(c.depth),
            c.division,
            f"{task.max_input_length}/{task.max_output_length}",
            task.alphabet,
        ])
    notes = [(name, f"{TASKS.get(name).description}{_recipes(TASKS.get(name))}") for name in list_tasks()]
    if not sys.stdout.isatty():  # a pipe or a file: every cell whole, no box, no cut to 80 columns
        widths = [max(len(cell) for cell in column) for column in zip(TASK_COLUMNS, *rows)]
        for line in [list(TASK_COLUMNS), *rows]:
            typer.echo(" " + "  ".join(f"{cell:<{w}}" for cell, w in zip(line, widths)).rstrip())
        for name, text in notes:
            typer.echo(f"  {name}: {text}")
        typer.echo("Task options (override with --set KEY=VALUE, or in a .toml file):")
        for key, text in OPTION_HELP.items():
            typer.echo(f"  {key}: {text}")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="arithseq tasks", show_lines=False)
    for column in TASK_COLUMNS:
        table.add_column(column, no_wrap=True)
    for row in rows:
        table.add_row(*row)
    console = Console()
    console.print(table)
    for name, text in notes:
        console.print(f"  [bold]{name}[/bold]: {text}", highlight=False)
    console.print("Task options (override with --set KEY=VALUE, or in a .toml file):")
    for key, text in OPTION_HELP.items():
        console.print(f"  [bold]{key}[/bold]: {text}", highlight=False)


def _recipes(entry) -> str:
    """Each recipe (``--recipe NAME``), the default marked: its model, format and mode, in a few words."""
    lines = []
    for name, recipe in entry.recipes.items():
        options = recipe.get("task_options", {})
        format_ = ", ".join(f"{k}={v}" for k, v in options.items() if k in ("input_format", "target"))
        mode = "decoding loop" if options.get("target") == "steps" else "single pass"
        default = " (default)" if name == entry.default_recipe else ""
        model = recipe.get("model", "attention")
        for key in ("positions", "window", "places"):
            if key in recipe.get("model_options", {}):
                model += f" {key}={str(recipe['model_options'][key]).lower()}"
        values = options.get("values")
        trained = f", numbers {values[0]}-{values[1]}" if values else ""
        detail = model + (f", {format_}" if format_ else "") + trained
        lines.append(f"\n      recipe {name}{default}: {mode}; {detail}")
    return "".join(lines)


def _span(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}-{pair[1]}"


class Format(str, Enum):
    table = "table"
    csv = "csv"
    jsonl = "jsonl"


@app.command()
@reports_errors
def generate(
    task: TaskArg = "addition",
    n: Annotated[int, typer.Option("-n", "--count", min=0, help="How many examples.")] = 10,
    seed: Annotated[Optional[int], typer.Option(help="Random seed; the same seed gives the same data.")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table (to the screen), csv or jsonl.")] = Format.table,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Write to this file (atomically) instead of stdout; an existing file is kept unless --force.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the --out file if it exists.")] = False,
    unique: Annotated[bool, typer.Option(help="No expression twice.")] = False,
    sets: SetOpt = None,
) -> None:
    """Show or write random examples of TASK: the expression, its answer and exact value."""
    check_seed(seed, "--seed")
    if out is not None:
        check_output(out, force, "--out")
    chosen = load_task(task, sets)
    if fmt is Format.table and out is None:
        if n > SAMPLE_LIMIT:
            raise ConfigError(
                f"-n {n:,}: a table holds every example in memory (at most {SAMPLE_LIMIT:,}); "
                "--format csv or jsonl (or --out FILE) streams any number"
            )
        _show(chosen.sample(n, seed, unique=unique))
        return
    if fmt is Format.table:
        fmt = Format.jsonl if out is not None and out.suffix == ".jsonl" else Format.csv
    chunks = chosen.batches(n, seed, unique=unique)
    first = next(chunks, None)  # a refused request (too many unique examples) fails before any output
    chunks = itertools.chain([first] if first is not None else [], chunks)
    if out is None:
        if fmt is Format.csv:
            sys.stdout.write("input,target\n")
        for batch in chunks:
            sys.stdout.write(_lines(batch, fmt))
        return
    if first is not None:  # the first chunk's bytes per line tell the size of the file, checked before it is begun
        size = len(_lines(first, fmt).encode("utf-8")) / len(first) * n
        check_space(out, int(size), f"{n:,} examples to --out")
    _write_atomically(out, chunks, fmt, n)
    typer.echo(f"wrote {n} examples of {chosen.name!r} to {out}", err=True)


def _show(batch) -> None:
    width = max([len(s) for s in batch.inputs] + [10])
    for example in batch:
        typer.echo(f"{example.input:>{width}} = {example.target}")


def _lines(batch, fmt: Format) -> str:
    if fmt is Format.csv:
        rows = np.strings.add(np.strings.add(batch.inputs, ","), batch.targets)
        return "".join(row + "\n" for row in rows.tolist())
    records = (
        json.dumps({"input": e.input, "target": e.target, "value": e.value if isinstance(e.value, int) else e.target})
        for e in batch
    )
    return "".join(r + "\n" for r in records)


def _write_atomically(out: Path, chunks, fmt: Format, n: int) -> None:
    """Write beside ``out`` and rename when complete: a failure or Ctrl-C never clobbers old data."""
    from rich.progress import Progress

    with atomic_writer(out) as fh, Progress(transient=True, disable=n <= 2 * CHUNK or not sys.stderr.isatty()) as progress:
        job = progress.add_task(f"writing {out.name}", total=n)
        if fmt is Format.csv:
            fh.write("input,target\n")
        for batch in chunks:
            fh.write(_lines(batch, fmt))
            progress.advance(job, len(batch))


@app.command(context_settings=EXPRESSION_ARGS)
@reports_errors
def solve(
    task: TaskArg,
    expression: Annotated[str, typer.Argument(help="The expression, e.g. '12+50' (quote it for the shell).")],
    sets: SetOpt = None,
    target: Annotated[bool, typer.Option("--target", help="Print what a network is taught to write instead: the scratchpad of -s target=trace|sums|products, reversed numbers...")] = False,
) -> None:
    """Print the exact answer of EXPRESSION in TASK's language, or where it fails to parse."""
    chosen = load_task(task, sets)
    typer.echo(chosen.target(expression) if target else chosen.answer(expression))
