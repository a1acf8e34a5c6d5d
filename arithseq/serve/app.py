"""The web page and JSON API of ``arithseq serve``: Starlette routes over one batcher per run.

Starlette (with uvicorn to run it) is small, typed and well kept, and its test client
lets the API be tested without a socket; nothing here needs a larger framework.
Bad input is answered 400 with the message (and the column or line where there is
one); no request can make the server fail with a 500 by what it sends.
"""

from __future__ import annotations

import asyncio
import json
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ..errors import ArithseqError
from ..evaluation.explain import UNSURE, explain, summary
from ..evaluation.runs import Run
from .batcher import Batcher

MAX_CHARS = 1000  # characters of one expression
MAX_LINES = 256  # expressions in one request
STATIC = {"app.js": "text/javascript", "style.css": "text/css"}


class BadRequest(Exception):
    def __init__(self, message: str, **where: Any) -> None:
        super().__init__(message)
        self.body = {"error": message, **where}


def create_app(runs: list[Run], max_chars: int = MAX_CHARS, max_lines: int = MAX_LINES) -> Starlette:
    """The app for ``runs`` (already loaded: each model loads once). Close it with ``app.state.close()``."""
    batchers = [Batcher(lambda lines, run=run: explain(run, lines)) for run in runs]
    summaries = [summary(run) for run in runs]
    page = resources.files(__package__).joinpath("static", "page.html").read_text(encoding="utf-8")
    static = {name: resources.files(__package__).joinpath("static", name).read_bytes() for name in STATIC}

    def pick(request: Request) -> int:
        raw = request.query_params.get("run", "0")
        if not raw.isdigit() or int(raw) >= len(runs):
            raise BadRequest(f"run {raw!r} does not exist: give 0..{len(runs) - 1}", field="run")
        return int(raw)

    def checked(lines: Any) -> list[str]:
        if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
            raise BadRequest("expected a list of expression strings")
        if not lines:
            raise BadRequest("no expressions given")
        if len(lines) > max_lines:
            raise BadRequest(f"{len(lines):,} expressions in one request; at most {max_lines:,}")
        for i, line in enumerate(lines):
            if len(line) > max_chars:
                raise BadRequest(f"expression {i + 1} is {len(line):,} characters long; at most {max_chars:,}", line=i + 1)
            if not line.strip():
                raise BadRequest(f"expression {i + 1} is empty", line=i + 1)
        return lines

    async def answered(index: int, lines: list[str]) -> list[dict[str, Any]]:
        return await asyncio.wrap_future(batchers[index].submit(lines))

    async def home(request: Request) -> Response:
        return HTMLResponse(page.replace("{{UNSURE}}", str(UNSURE)))

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in static:
            return JSONResponse({"error": f"no file {name!r}"}, status_code=404)
        return Response(static[name], media_type=STATIC[name])

    async def list_runs(request: Request) -> Response:
        return JSONResponse({"runs": summaries, "limits": {"chars": max_chars, "lines": max_lines}, "unsure": UNSURE})

    async def predict_get(request: Request) -> Response:
        index = pick(request)
        text = request.query_params.get("q")
        if text is None:
            raise BadRequest("give the expression as ?q=EXPR", field="q")
        (result,) = await answered(index, checked([text]))
        if "error" in result:
            return JSONResponse({"error": result["error"]["message"], "column": result["error"]["column"], "result": result}, status_code=400)
        return JSONResponse(result)

    async def predict_post(request: Request) -> Response:
        index = pick(request)
        try:
            body = json.loads(await request.body())
        except ValueError as exc:
            raise BadRequest(f"the body is not JSON: {exc}") from None
        lines = body.get("expressions") if isinstance(body, dict) else body
        return JSONResponse({"results": await answered(index, checked(lines))})

    async def bad_request(request: Request, exc: BadRequest) -> Response:
        return JSONResponse(exc.body, status_code=400)

    async def failed(request: Request, exc: ArithseqError) -> Response:
        return JSONResponse({"error": str(exc).split("\n")[0]}, status_code=500)

    app = Starlette(
        routes=[
            Route("/", home),
            Route("/static/{name}", asset),
            Route("/api/runs", list_runs),
            Route("/api/predict", predict_get, methods=["GET"]),
            Route("/api/predict", predict_post, methods=["POST"]),
        ],
        exception_handlers={BadRequest: bad_request, ArithseqError: failed},
    )

    def close() -> None:
        for batcher in batchers:
            batcher.close()

    app.state.close = close
    return app
