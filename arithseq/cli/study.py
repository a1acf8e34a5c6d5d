"""``arithseq study``: how a trained run does on settings it never saw."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import ConfigError
from ..options import parse_assignments
from .app import (
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
from .learning import TrainOpt

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


@study_app.command()
@reports_errors
def seeds(
    task: Annotated[Optional[str], typer.Argument(help="Task name or .toml task file (default: addition).")] = None,
    seeds_: Annotated[str, typer.Option("--seeds", help="How many seeds (3: seeds 0, 1, 2) or which (0,4,7).")] = "3",
    recipe_name: Annotated[Optional[str], typer.Option("--recipe", help="The task's recipe to train (default: its default recipe).")] = None,
    sets: SetOpt = None,
    params: ParamOpt = None,
    training: TrainOpt = None,
    digits: Annotated[Optional[str], typer.Option(help="Also exact match at these digits per number, e.g. 20,100.")] = None,
    terms: Annotated[Optional[str], typer.Option(help="Also exact match at these numbers of terms, e.g. 6,8.")] = None,
    carry_chains: Annotated[bool, typer.Option("--carry-chains", help="Also carry chains at each of --digits (a carry through D/2 to D-1 columns summing to 9).")] = False,
    exhaustive: Annotated[bool, typer.Option("--exhaustive", help="Also every problem of the task (tasks of at most a few million problems).")] = False,
    n: Annotated[int, typer.Option("-n", "--count", min=1, help="Problems per length setting.")] = 500,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Folder for the runs (OUT/seed-S), seeds.json and seeds.png (default runs/seeds-TASK-RECIPE).")] = None,
    overwrite: Annotated[bool, typer.Option(help="Replace runs already at OUT/seed-S.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Train the same recipe with several seeds and print each figure's minimum, median and maximum
    (held-out exact match, its worst stratum, and the settings asked for), with a plot."""
    from ..evaluation.study import parse_settings
    from ..files import atomic_text
    from ..training.recipes import recommended
    from ..training.seeds import parse_seeds

    chosen = parse_seeds(seeds_)
    name = task or "addition"
    config = recommended(name, recipe_name).override(
        task_options=parse_assignments(sets or [], "--set"),
        model_options=parse_assignments(params or [], "--param"),
        train=parse_assignments(training or [], "--training"),
    )
    settings = dict(
        digits=parse_settings(digits, "digits", 1, 1000) if digits else [],
        terms=parse_settings(terms, "terms", 1, 64) if terms else [],
    )
    if carry_chains and not settings["digits"]:
        raise ConfigError("--carry-chains needs --digits: the digit counts of the chains to try")
    folder = out or Path("runs") / f"seeds-{Path(name).stem}-{config.recipe or config.model}"
    quiet_tensorflow()
    from ..report.plots import seeds_plot
    from ..training.seeds import seed_study

    study = seed_study(
        config, chosen, folder, carry_chains=carry_chains, exhaustive=exhaustive, n=n, overwrite=overwrite,
        echo=typer.echo, **settings,
    )
    atomic_text(folder / "seeds.json", json.dumps(study.to_dict(), indent=2) + "\n")
    path = seeds_plot(study, f"{Path(name).stem}, recipe {config.recipe or '-'}", folder / "seeds.png")
    typer.echo(json.dumps(study.to_dict(), indent=2) if as_json else study.format())
    typer.echo(f"plot written to {path}")
