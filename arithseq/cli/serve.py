"""``arithseq serve``: a local page and JSON API for trained runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import ConfigError
from .app import TrustOpt, UnfinishedOpt, app, open_run, reports_errors


@app.command()
@reports_errors
def serve(
    runs: Annotated[list[Path], typer.Argument(help="One or more run directories written by `arithseq train` (the page has a run picker).")],
    host: Annotated[str, typer.Option("--host", help="Address to listen on; the default answers this machine only.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 8000,
    max_chars: Annotated[int, typer.Option("--max-chars", min=1, max=4096, help="Longest expression answered, in characters.")] = 1000,
    max_lines: Annotated[int, typer.Option("--max-lines", min=1, help="Most expressions in one request.")] = 256,
    trust: TrustOpt = False,
    allow_unfinished: UnfinishedOpt = False,
) -> None:
    """Serve a web page for trying RUNS: type expressions, see each answer as the network wrote it, the
    exact value, whether they agree, the probability of every character written, the scratchpad or the
    steps of the decoding loop, and warnings; the run's headline figures, worst stratum and worst examples.

    Beside the page, a JSON API: GET /api/predict?q=EXPR (400 with the message and column for a bad
    expression) and POST /api/predict with {"expressions": [...]} (one result per line, each with its own
    error); ?run=N picks a run; GET /api/runs lists them. /?q=EXPR opens the page answered. Needs the
    optional extra: pip install 'arithseq[serve]'.
    """
    from ..serve import require, serve as run_server

    require()
    loaded = [open_run(path, trust, allow_unfinished) for path in runs]
    if not loaded:
        raise ConfigError("give at least one run directory")
    shown = "localhost" if host == "127.0.0.1" else host
    typer.echo(f"serving {len(loaded)} run{'s' if len(loaded) > 1 else ''} at http://{shown}:{port}/ (Ctrl+C stops)", err=True)
    run_server(loaded, host=host, port=port, max_chars=max_chars, max_lines=max_lines)
