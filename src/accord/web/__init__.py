"""The dashboard of ``accord serve`` (extra ``web``): see :mod:`accord.web.app`."""

from __future__ import annotations

LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
EXTRAS = ("fastapi", "jinja2", "uvicorn", "multipart")  # the modules of the `web` extra


def missing_extras() -> list[str]:
    """The modules of the `web` extra that are not installed (the dashboard needs them all).

    >>> missing_extras()
    []
    """
    from importlib.util import find_spec

    return [m for m in EXTRAS if find_spec(m) is None]


def allowed_hosts(host: str, port: int) -> list[str]:
    """The Host headers a server bound to ``host``:``port`` answers: this machine's loopback
    names and ``host`` itself, with the port (and without it on port 80, where browsers leave it out)."""
    name = f"[{host}]" if ":" in host and not host.startswith("[") else host  # an IPv6 address
    names = [*LOOPBACK, *([name.lower()] if name.lower() not in LOOPBACK else [])]
    return [f"{n}:{port}" for n in names] + (names if port == 80 else [])


#: How ``accord serve --workers N`` tells its worker processes what to serve (see :func:`serve`).
SETTINGS = "ACCORD_DASHBOARD"


def serve(folder: str, host: str = "127.0.0.1", port: int = 8000, store: str | None = None, workers: int = 1) -> None:
    """Serve the dashboard of the scenarios in ``folder`` until interrupted.

    The models run in Python, which runs one thread at a time: a server process uses one core
    however many requests it has. ``workers`` processes share the port (uvicorn's workers), each
    making the same app from :data:`SETTINGS` in its environment; the runs go to the one store.
    """
    import json
    import os

    import uvicorn

    from ..store import DEFAULT_PATH
    from .app import create_app

    hosts = allowed_hosts(host, port)
    if workers == 1:
        app = create_app(folder, store or DEFAULT_PATH, allowed_hosts=hosts)
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    import shutil
    import tempfile

    # A poll may reach another process than the one running its job: they share jobs through a folder.
    shared = tempfile.mkdtemp(prefix="accord-dashboard-")
    os.environ[SETTINGS] = json.dumps({"folder": str(folder), "store": str(store or DEFAULT_PATH), "hosts": hosts,
                                       "shared": shared})
    try:
        uvicorn.run("accord.web.app:from_environment", factory=True, host=host, port=port, workers=workers,
                    log_level="warning")
    finally:
        shutil.rmtree(shared, ignore_errors=True)
