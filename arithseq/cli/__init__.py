"""The ``arithseq`` command line: one Typer app (``app``), one module per command group."""

from . import data, learning, report, serve, study  # noqa: F401  (their decorators register the commands on `app`)
from .app import app


def main() -> None:
    app()


__all__ = ["app", "main"]
