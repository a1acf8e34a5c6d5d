"""The ``arithseq`` Typer app: shared arguments and options, and how errors reach people."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ..errors import ArithseqError

app = typer.Typer(
    help="Teach neural networks arithmetic as sequence-to-sequence learning, and measure how well they learn it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

GLOBAL = {"verbose": False, "debug": False}  # the options given before the command
QUIET_LEVEL = 2  # the TF_CPP_MIN_LOG_LEVEL that hides TensorFlow's C++ notes and warnings


@app.callback()
def options(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show TensorFlow's own start-up and log messages.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="On an error, show the Python traceback too (for bug reports).")] = False,
) -> None:
    """Teach neural networks arithmetic as sequence-to-sequence learning, and measure how well they learn it."""
    GLOBAL["verbose"] = verbose
    GLOBAL["debug"] = debug


TaskArg = Annotated[str, typer.Argument(help="A task name (see `arithseq tasks`) or a task .toml file.")]
SetOpt = Annotated[
    Optional[list[str]],
    typer.Option("--set", "-s", help="Override a task option, KEY=VALUE (repeatable), e.g. -s terms=2-4 -s largest=100."),
]
ParamOpt = Annotated[
    Optional[list[str]],
    typer.Option("--param", "-p", help="Override a model option, KEY=VALUE (repeatable), e.g. -p units=64."),
]
RunArg = Annotated[Path, typer.Argument(help="A run directory written by `arithseq train`.")]

TrustOpt = Annotated[
    bool,
    typer.Option("--trust", help="Allow the run to execute the Python files it carries (custom operators): only for runs you trust."),
]
UnfinishedOpt = Annotated[
    bool,
    typer.Option("--allow-unfinished", help="Open a run that did not finish, from its best model so far (with a warning)."),
]


def open_run(path: Path, trust: bool = False, allow_unfinished: bool = False):
    """``load_run`` for the CLI: a warning on stderr when the run is unfinished."""
    quiet_tensorflow()
    from ..evaluation import load_run

    run = load_run(path, trust=trust, allow_unfinished=allow_unfinished)
    if run.unfinished:
        typer.echo(f"warning: {path} did not finish; using its best model so far", err=True)
    return run


# Expressions may start with "-"; don't let click read them as options.
EXPRESSION_ARGS = {"ignore_unknown_options": True}


def reports_errors(fn: Callable) -> Callable:
    """Print arithseq errors as one clear message and exit with status 2, without a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ArithseqError as exc:
            if GLOBAL["debug"]:
                raise
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        except OSError as exc:  # a disk full, a permission refused, a path that is not there
            if GLOBAL["debug"]:
                raise
            where = f" {exc.filename}" if exc.filename else ""
            typer.echo(f"error:{where}: {exc.strerror or exc}", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper


@contextlib.contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """``advance(done, total)`` drawing a progress bar on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        job = progress.add_task(label, total=None)
        yield lambda done, total: progress.update(job, completed=done, total=total or None)


def quiet_tensorflow() -> None:
    """Import TensorFlow and find its devices with C-level stderr muted: its start-up chatter
    (CUDA probes, CPU feature notes) is not for people using the CLI. Python errors still show."""
    level = _log_level(os.environ.get("TF_CPP_MIN_LOG_LEVEL"))
    if GLOBAL["verbose"] or (level is not None and level < QUIET_LEVEL):
        return  # the user asked for TensorFlow's messages (--verbose, or a log level below ours)
    # a higher level is kept, but it does not reach absl's and CUDA's start-up lines: muted below all the same
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = str(max(level or 0, QUIET_LEVEL))
    if "tensorflow" in sys.modules:
        return
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            import tensorflow as tf

            tf.config.list_physical_devices()
            tf.get_logger().setLevel("ERROR")  # retracing notes and deprecations are not for CLI users
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _log_level(text: str | None) -> int | None:
    """TF_CPP_MIN_LOG_LEVEL as a number; None when unset or not a number."""
    try:
        return None if text is None else int(text.strip())
    except ValueError:
        return None
