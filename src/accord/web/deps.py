"""What the dashboard's pages share: the scenario folder, the run store, the templates and the
worker threads, kept on ``app.state`` by :func:`~accord.web.app.create_app` and handed to each
route as a FastAPI dependency."""

from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import anyio
import numpy as np
from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from ..checks import inside
from ..errors import AccordError, InputError, Problem
from ..io import read_scenario
from ..scenario import Scenario
from ..store import RunRecord, RunStore
from ..views import ModelChoice, applicable_models

HERE = Path(__file__).parent
SUFFIXES = (".yaml", ".yml", ".csv", ".xlsx", ".xml", ".txt")
MAX_UPLOAD = 2 * 1024 * 1024  # bytes; the largest scenario shipped is ~40 KB


@dataclass
class Entry:
    """A file of the scenario folder: its scenario, or why it cannot be read."""

    name: str
    scenario: Scenario | None = None
    format: str | None = None
    problems: tuple[Problem, ...] = ()


class Folder:
    """The scenario files of one folder, each parsed once per content: a file is parsed again when
    its bytes change (their sha256), however quickly and whatever its size and time stamp say."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cache: dict[str, tuple[str, Entry]] = {}

    def names(self) -> list[str]:
        """The scenario files of the folder: a link leading out of it is not one."""
        return sorted(p.name for p in self.path.iterdir()
                      if p.suffix.lower() in SUFFIXES and not p.name.startswith(".") and inside(p, self.path)
                      and p.is_file())

    def entries(self) -> list[Entry]:
        return [self.get(n) for n in self.names()]

    def get(self, name: str) -> Entry:
        if name not in self.names():  # looked up, never joined: no path outside the folder
            raise HTTPException(404, f"no scenario file {name!r} in the folder")
        path = self.path / name
        key = _digest(path)
        cached = self._cache.get(name)
        if cached and cached[0] == key:
            return cached[1]
        try:
            loaded = read_scenario(path, root=self.path)
            entry = Entry(name, loaded.scenario, loaded.format, tuple(loaded.warnings))
        except InputError as exc:
            entry = Entry(name, problems=tuple(exc.errors))
        try:
            if _digest(path) == key:  # not changed while it was read: the entry is that content's
                self._cache[name] = (key, entry)
        except OSError:
            pass
        return entry

    def scenario(self, name: str) -> Scenario:
        entry = self.get(name)
        if entry.scenario is None:
            raise HTTPException(422, f"{name} is not a valid scenario; open it from the list to see why")
        return entry.scenario


def _digest(path: Path) -> str:
    """The sha256 of a file's bytes (a scenario file is small: reading it costs far less than parsing it)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _folder(request: Request) -> Folder:
    return request.app.state.folder


def _runs(request: Request) -> RunStore | None:
    return request.app.state.runs


#: The scenario folder, and the run store (None: runs are not recorded), as route parameters.
Files = Annotated[Folder, Depends(_folder)]
Runs = Annotated[RunStore | None, Depends(_runs)]


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page (or the part of one that a form swaps) from its template."""
    return request.app.state.pages.TemplateResponse(request, template, context, status_code=status)


async def compute(request: Request, fn, *args):
    """Run a model's work in a worker thread, as many at once as there are cores: the server keeps
    answering (pages, static files) while models run, and runs do not fight over the GIL."""
    state = request.app.state
    if state.limiter is None:  # made in the event loop that uses it
        state.limiter = anyio.CapacityLimiter(os.cpu_count() or 2)
    return await anyio.to_thread.run_sync(fn, *args, limiter=state.limiter)


def offered_models(request: Request, sc: Scenario) -> list[ModelChoice]:
    """The models offered for a scenario, found once per scenario (see :func:`accord.views.applicable_models`)."""
    known = request.app.state.applicable
    if sc.sha256 not in known:
        known[sc.sha256] = applicable_models(sc)
    return known[sc.sha256]


def stored_run(runs: RunStore | None, run_id: str) -> RunRecord:
    """A recorded run, or 404."""
    if runs is None:
        raise HTTPException(404, "runs are not recorded by this dashboard")
    try:
        return runs.get(run_id)
    except AccordError as exc:
        raise HTTPException(404, str(exc)) from None


def fmt(value: Any, digits: int = 1) -> str:
    """A number as the pages print it (``–`` for none).

    >>> fmt(3.14159), fmt(3.14159, 2), fmt(None)
    ('3.1', '3.14', '–')
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, (int, float, np.floating)):
        return f"{value:.{digits}f}"
    return str(value)
