"""The dashboard: scenarios of a folder, edited and forecast in a browser.

Pages are rendered on the server (Jinja2); HTMX, vendored in ``static/``, swaps the parts a
form changes (a forecast, the roles, an upload's verdict), so the dashboard needs no network
and its pages can be tested as plain HTML. :func:`create_app` configures the application and
its safety checks and keeps what the pages share on ``app.state`` (:mod:`.deps`); each page or
group of pages is a router of :mod:`.routes`.

Safety: the dashboard is a web server of this machine, and any page the browser opens may
send it requests. It answers only to its own host names (no DNS rebinding) and takes a POST
only from its own pages (Origin or Referer); a GET changes nothing. It reads nothing outside
its folder: only files listed there open (a name is looked up in the listing, never joined to
a path), a link leading out is not listed, and a source's text is read only from inside it. An
upload is read up to a size limit, parsed in a worker thread by the same readers as the command
line (YAML safely, nothing executed) and written atomically into the folder under a name of
letters, digits, ``-``, ``_`` and ``.``, never over an existing file.
Edits are what-ifs: they change the scenario of a run, not its file, and each run is stored
with the scenario it ran on (so its sha256 differs from the file's) and the edits in its
command line.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import AsyncIterator, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.datastructures import Headers
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from .. import __version__
from ..errors import AccordError
from ..store import DEFAULT_PATH, RunStore
from . import LOOPBACK
from .charts import drawn
from .deps import HERE, MAX_UPLOAD, Folder, fmt
from .jobs import Jobs
from .routes import advice, forecast, index, jobs, report, roles, runs, scenario, upload

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")  # they change nothing, so any page may ask
_HOST = re.compile(r"(\[[0-9a-f:.]+\]|[^:\[\]]+)(?::(\d+))?")


def warm_compiled_kernels() -> None:
    """Load numba (the optional extra "fast") and the expected utility model's compiled kernels
    once, in the background of a server that starts. A server lives long, so loading numba (about
    half a second; compiling the kernels the first time on a machine, seconds) is paid once, and
    every forecast after it runs compiled, which is faster at every size (the same numbers:
    :mod:`accord.models._eum_compiled`). Without numba, nothing happens."""
    from ..io import from_arrays
    from ..models import get_model
    from ..models._jit import _njit
    from ..uncertainty import sample_inputs

    if _njit() is None:
        return
    scenario = from_arrays([[10.0], [60.0], [90.0]], [[0.5], [0.4], [0.6]], [1.0, 2.0, 1.0])
    model = get_model("eum")()
    model.run(scenario)
    model.solve_batch(scenario.inputs(), sample_inputs(scenario, 2, seed=0))


def start_up() -> None:
    """A server's start-up work, in the background: the compiled kernels loaded, then the objects
    made so far (modules, numba's and pandas' internals: most of the process) frozen out of the
    garbage collector's reach (``gc.freeze``; they live as long as the server). A full collection
    then scans only what the requests make: under a burst of 50 forecasts the collector took
    about 2 ms of CPU a request, most of it scanning the start-up's objects again."""
    import gc

    warm_compiled_kernels()
    gc.collect()  # the start-up's garbage first: what is frozen is never freed
    gc.freeze()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    threading.Thread(target=start_up, name="accord-start-up", daemon=True).start()
    yield


def create_app(folder: str | Path = "scenarios", store: str | Path | None = DEFAULT_PATH,
               max_upload: int = MAX_UPLOAD, allowed_hosts: Iterable[str] = LOOPBACK,
               shared: str | Path | None = None) -> FastAPI:
    """The dashboard of the scenarios in ``folder``; runs are recorded in ``store`` (None: not recorded).

    ``allowed_hosts`` are the Host headers it answers: ``name:port``, or ``name`` for any port.
    ``shared``: a folder the server's processes share long work and finished reports through (see
    :mod:`accord.web.jobs`), given when several processes serve the same port.
    """
    hosts = frozenset(h.lower() for h in allowed_hosts)
    files = Folder(Path(folder).resolve())
    if not files.path.is_dir():
        raise AccordError(f"{folder}: not a folder of scenarios")
    app = FastAPI(title="accord", version=__version__, docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    pages = Jinja2Templates(directory=HERE / "templates")
    pages.env.globals.update(version=__version__, fmt=fmt,
                             chart=lambda c: drawn(pages.env.get_template("_chart.html"), c))
    app.state.folder = files
    app.state.runs = RunStore(store, grouped=True) if store is not None else None
    app.state.pages = pages
    app.state.max_upload = max_upload
    app.state.applicable = {}  # by scenario sha256: the models offered for it (see views.applicable_models)
    app.state.limiter = None  # the worker threads' limiter, made in the event loop that uses it
    app.state.jobs = Jobs(shared)  # long work with progress (roles, Monte Carlo): see .jobs
    app.state.shared = Path(shared) if shared is not None else None
    app.state.pool = ThreadPoolExecutor(os.cpu_count() or 2, thread_name_prefix="accord-job")

    app.add_middleware(Guard, hosts=hosts, max_upload=max_upload)

    for pages_of in (index, scenario, forecast, roles, advice, report, runs, upload, jobs):
        app.include_router(pages_of.router)
    return app


class Guard:
    """The checks every request passes first, as plain ASGI middleware (one call, no task group
    or streams of its own, as the HTTP middleware of Starlette would add to every request).

    A page of another site can make the browser send requests here: by a name of its own that
    resolves to this machine (refused by Host), or by posting a form (refused by Origin). Plain
    text: the headers are not echoed as HTML. An oversized body is refused before it is read:
    the multipart parser would spool it all."""

    def __init__(self, app: Any, hosts: frozenset[str], max_upload: int) -> None:
        self.app, self.hosts, self.max_upload = app, hosts, max_upload

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        refusal = self.refusal(scope) if scope["type"] == "http" else None
        if refusal is not None:
            await refusal(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def refusal(self, scope: dict[str, Any]) -> Response | None:
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if not host_allowed(host, self.hosts):
            return PlainTextResponse(f"this dashboard answers only to {', '.join(sorted(self.hosts))}; "
                                     f"the request was for {host!r}", status_code=400)
        if scope["method"] not in SAFE_METHODS:
            own = f"{scope['scheme']}://{host}".lower()
            origin = headers.get("origin") or origin_of(headers.get("referer", ""))
            if origin.lower() != own:
                return PlainTextResponse(f"a cross-site request is refused: this dashboard takes forms only from "
                                         f"its own pages ({own}), this one came from {origin or 'an unnamed page'}",
                                         status_code=403)
        if scope["method"] == "POST":
            length = headers.get("content-length")
            if length is None or not length.isdigit():
                return HTMLResponse("a request body needs a Content-Length", status_code=411)
            if int(length) > self.max_upload + 64 * 1024:  # the form's own fields and boundaries
                return HTMLResponse(f"the request is larger than {self.max_upload // 1024} KB", status_code=413)
        return None


def from_environment() -> FastAPI:
    """The app that ``accord serve --workers N`` describes in its environment (each worker process
    makes its own; see :func:`accord.web.serve`)."""
    import json
    import os

    from . import SETTINGS

    settings = json.loads(os.environ[SETTINGS])
    return create_app(settings["folder"], settings["store"], allowed_hosts=settings["hosts"],
                      shared=settings.get("shared"))


def host_allowed(host: str, hosts: frozenset[str]) -> bool:
    """Whether a Host header names this server: ``name:port`` allowed as given, or ``name`` for any port.

    >>> hosts = frozenset({"localhost", "dash.lan:8000"})
    >>> host_allowed("localhost:8001", hosts), host_allowed("dash.lan:8000", hosts), host_allowed("dash.lan", hosts)
    (True, True, False)
    """
    m = _HOST.fullmatch(host.lower())
    return m is not None and (m.group(0) in hosts or m.group(1) in hosts)


def origin_of(url: str) -> str:
    """The origin (scheme://host:port) of a page's address, as a browser's Origin header gives it.

    >>> origin_of("http://user@127.0.0.1:8000/scenario/k.yaml")
    'http://127.0.0.1:8000'
    """
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}" if parts.scheme and parts.netloc else ""
