"""``arithseq study``: how a trained run does on settings it never saw."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ConfigError
from .app import RunArg, TrustOpt, UnfinishedOpt, app, open_run, progress_bar, reports_errors

study_app = typer.Typer(help="Studies of a trained run: does it work beyond what it was trained on?", no_args_is_help=True)
app.add_typer(study_app, name="study")


@study_app.command()
@reports_errors
def length(
    run: RunArg,
    digits: Annotated[Optional[str], typer.Option(help="Digits per number to try, e.g. 1-100 or 1,5,10,20,100.")] = None,
    terms: Annotated[Optional[str], typer.Option(help="Numbers per expression to try, e.g. 2-10.")] = None,
    carry_chains: Annotated[bool, typer.Option("--carry-chains", help="Also carry chains for each digit count D (two-number sums): a carry made in one column passes through D/2 to D-1 columns whose digits sum to exactly 9.")] = False,
    n: Annotated[int, typer.Option("-n", "--count", min=1, help="Problems per setting (a stratified sample).")] = 500,
    seed: Annotated[int, typer.Option(help="Seed of the samples.")] = 0,
    plot: Annotated[Optional[Path], typer.Option(help="Where to write the PNG plot (default RUN/plots/length.png).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
    trust: TrustOpt = False,
    allow_unfinished: UnfinishedOpt = False,
) -> None:
    """Exact match on numbers of each digit count, on each number of terms and on carry chains,
    settings inside training marked; prints a table and writes a plot of exact match against length."""
    from ..evaluation.study import format_study, length_study, parse_settings
    from ..report.plots import length_plot

    if not digits and not terms and not carry_chains:
        raise ConfigError("nothing to study: give --digits, --terms or --carry-chains")
    loaded = open_run(run, trust, allow_unfinished)
    with progress_bar("studying") as advance:
        rows = length_study(
            loaded,
            parse_settings(digits, "digits", 1, 1000) if digits else [],
            parse_settings(terms, "terms", 1, 64) if terms else [],
            carry_chains,
            n,
            seed,
            advance,
        )
    path = length_plot(rows, f"{loaded.task.name}, {loaded.config.model}", plot or run / "plots" / "length.png")
    if as_json:
        typer.echo(json.dumps({"rows": [r.to_dict() for r in rows], "plot": str(path)}, indent=2))
    else:
        typer.echo(format_study(rows))
        typer.echo(f"plot written to {path}")
