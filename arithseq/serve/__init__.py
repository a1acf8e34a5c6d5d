"""``arithseq serve``: a local web page and JSON API for trained runs (the optional ``serve`` extra)."""

from __future__ import annotations

from ..errors import ConfigError


def require() -> None:
    """Refuse clearly when the optional web libraries are not installed."""
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            f"arithseq serve needs the 'serve' extra ({exc.name} is not installed): pip install 'arithseq[serve]'"
        ) from None


def serve(runs: list, host: str = "127.0.0.1", port: int = 8000, **limits) -> None:
    """Serve ``runs`` (loaded :class:`~arithseq.Run` objects) until interrupted."""
    require()
    import uvicorn

    from .app import create_app

    app = create_app(runs, **limits)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        app.state.close()
