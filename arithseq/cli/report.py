"""Pages and tables people look at: ``arithseq report`` (one run) and ``arithseq compare`` (several)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import ArithseqError
from .app import RunArg, TrustOpt, UnfinishedOpt, app, open_run, progress_bar, reports_errors

COLUMNS = ("run", "task", "model", "format", "samples seen", "train time", "exact match", "worst stratum", "exhaustive")


@app.command()
@reports_errors
def report(
    run: RunArg,
    exhaustive: Annotated[bool, typer.Option("--exhaustive/--no-exhaustive", help="Judge every problem of the task when it has at most a few million (default), or only the run's stratified test set.")] = True,
    trust: TrustOpt = False,
    allow_unfinished: UnfinishedOpt = False,
) -> None:
    """Write RUN/report.html: one self-contained page (open it in any browser) with the headline figures,
    learning curves, a heat map of exact match by digit counts, every stratum, the worst-predicted
    examples and the configuration; the plots also go to RUN/plots/*.png."""
    from ..report.html import write_report

    loaded = open_run(run, trust, allow_unfinished)
    with progress_bar("evaluating") as advance:
        path = write_report(loaded, exhaustive=exhaustive, progress=advance)
    typer.echo(f"report written to {path}")


@app.command()
@reports_errors
def compare(
    runs: Annotated[list[Path], typer.Argument(help="Run directories written by `arithseq train`.")],
    plot: Annotated[Path, typer.Option("--plot", help="Where to write the PNG plot of validation exact match against wall time.")] = Path("compare.png"),
    exhaustive: Annotated[bool, typer.Option("--exhaustive", help="Also judge each run on every problem of its task (tasks of at most a few million problems; loads the models).")] = False,
) -> None:
    """One table of several runs (task, model, format, samples seen, training time, exact match, worst
    stratum) from their metrics.json, and one plot of their validation exact match against wall time."""
    from ..tasks.enumeration import LIMIT

    rows, curves, missing = [], [], []
    for path in runs:
        summary = _summary(path)
        row = _row(path, summary)
        if exhaustive:
            row.append(_exhaustive(path, summary["size"], LIMIT))
        else:
            row.append("-")
        rows.append(row)
        curve = _curve(path)
        if curve is None:
            missing.append(str(path))
        else:
            curves.append((str(path), *curve))
    typer.echo(_table(rows))
    if not exhaustive:
        typer.echo(f"(exhaustive: pass --exhaustive to judge every problem of tasks with at most {LIMIT:,})")
    for name in missing:
        typer.echo(f"note: {name} has no validation exact match per epoch in history.csv; it is not in the plot")
    if curves:
        from ..report.plots import compare_plot

        typer.echo(f"plot written to {compare_plot(curves, plot)}")
    else:
        typer.echo("no plot written: none of the runs has a learning curve")


def _summary(path: Path) -> dict[str, Any]:
    """A run's configuration and final metrics, read from its files (no model loaded)."""
    from ..config import TrainConfig
    from ..tasks import resolve_task

    if not path.is_dir():
        raise ArithseqError(f"{path}: no such run directory")
    for name in ("config.toml", "metrics.json"):
        if not (path / name).exists():
            raise ArithseqError(f"{path}: missing {name}; is this a finished arithseq run directory?")
    config = TrainConfig.from_toml(path / "config.toml")
    try:
        metrics = json.loads((path / "metrics.json").read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ArithseqError(f"{path / 'metrics.json'}: not valid JSON ({exc})") from None
    if not isinstance(metrics, dict):
        raise ArithseqError(f"{path / 'metrics.json'}: expected a JSON object")
    # a run trained on a data file has no task to rebuild by name: its pairs are all there is
    size = None if config.data else resolve_task(config.task, config.task_options).size
    return {"config": config, "metrics": metrics, "size": size}


def _row(path: Path, summary: dict[str, Any]) -> list[str]:
    from ..evaluation.strata import percent

    config, metrics = summary["config"], summary["metrics"]
    model = config.model
    encoding = config.model_options.get("input_encoding")
    if encoding:
        model += f" ({encoding})"
    worst = metrics.get("worst")
    worst_text = "-"
    if isinstance(worst, dict) and {"group", "stratum", "exact_match", "n"} <= set(worst):
        worst_text = f"{worst['group']} {worst['stratum']}: {percent(float(worst['exact_match']))} (n={int(worst['n']):,})"
    exact = metrics.get("exact_match")
    seen = metrics.get("examples_seen")
    seconds = metrics.get("train_seconds")
    return [
        str(path),
        Path(config.task).stem,
        model,
        describe_format(config.task_options),
        f"{int(seen):,}" if isinstance(seen, (int, float)) else "-",
        f"{seconds:,.1f} s" if isinstance(seconds, (int, float)) else "-",
        percent(float(exact)) if isinstance(exact, (int, float)) else "-",
        worst_text,
    ]


def describe_format(options: dict[str, Any]) -> str:
    """How a task's problems are written for the model: ``text``, ``columns, reversed in+out, padded terms``."""
    parts = [str(options.get("input_format", "text"))]
    ins, outs = bool(options.get("reverse_input")), bool(options.get("reverse_output"))
    if ins or outs:
        parts.append("reversed " + ("in+out" if ins and outs else "in" if ins else "out"))
    if options.get("pad_terms"):
        parts.append("padded terms")
    elif options.get("align_terms"):
        parts.append("aligned terms")
    target = options.get("target", "answer")
    if target != "answer":
        parts.append(f"target {target}")
    return ", ".join(parts)


def _exhaustive(path: Path, size: int | None, limit: int) -> str:
    if size is None:  # no language to enumerate; its own test set is already in "exact match"
        return "n/a (data file)"
    if size > limit:
        return f"n/a ({size:,} problems)"
    from ..evaluation.strata import percent

    with progress_bar(f"evaluating {path}") as advance:
        result = open_run(path).evaluate(exhaustive=True, progress=advance)
    return f"{percent(result.exact_match)} of {result.n:,}"


def _curve(path: Path) -> tuple[list[float], list[float]] | None:
    from ..report.plots import read_history

    history_path = path / "history.csv"
    if not history_path.exists():
        return None
    history = read_history(history_path)
    pairs = [(x, y) for x, y in zip(history.get("seconds", []), history.get("val_exact_match", []))
             if not (math.isnan(x) or math.isnan(y))]
    if not pairs:
        return None
    return [x for x, _ in pairs], [y for _, y in pairs]


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(COLUMNS, *rows)]
    lines = ["  ".join(f"{cell:<{w}}" for cell, w in zip(line, widths)).rstrip() for line in [list(COLUMNS), *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
