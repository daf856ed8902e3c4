"""The dashboard of ``accord serve`` (extra ``web``): see :mod:`accord.web.app`."""

from __future__ import annotations


def serve(folder: str, host: str = "127.0.0.1", port: int = 8000, store: str | None = None) -> None:
    """Serve the dashboard of the scenarios in ``folder`` until interrupted."""
    import uvicorn

    from ..store import DEFAULT_PATH
    from .app import create_app

    uvicorn.run(create_app(folder, store or DEFAULT_PATH), host=host, port=port, log_level="warning")
