"""The dashboard: scenarios of a folder, edited and forecast in a browser.

Pages are rendered on the server (Jinja2); HTMX, vendored in ``static/``, swaps the parts a
form changes (a forecast, the roles, an upload's verdict), so the dashboard needs no network
and its pages can be tested as plain HTML.

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

import functools
import math
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import numpy as np
from fastapi import FastAPI, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from .. import __version__
from ..checks import inside
from ..errors import AccordError, InputError, Problem
from ..io import atomic_write, read_scenario
from ..models import registry
from ..runner import add_uncertainty, record, run_applicable, run_models
from ..scenario import NUMBER_SYNTAX, Scenario, parse_number
from ..store import DEFAULT_PATH, RunStore
from . import LOOPBACK

HERE = Path(__file__).parent
SUFFIXES = (".yaml", ".yml", ".csv", ".xlsx", ".xml", ".txt")
MAX_UPLOAD = 2 * 1024 * 1024  # bytes; the largest scenario shipped is ~40 KB
MAX_SAMPLES = 2000  # Monte Carlo draws a request may ask for
ROLE_SAMPLES = 50
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
FIELDS = ("position", "salience", "capability")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")  # they change nothing, so any page may ask
_HOST = re.compile(r"(\[[0-9a-f:.]+\]|[^:\[\]]+)(?::(\d+))?")


@dataclass
class Entry:
    """A file of the scenario folder: its scenario, or why it cannot be read."""

    name: str
    scenario: Scenario | None = None
    format: str | None = None
    problems: tuple[Problem, ...] = ()


class Folder:
    """The scenario files of one folder, each read again when it changes on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cache: dict[str, tuple[tuple[int, int], Entry]] = {}

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
        stat = path.stat()
        key = (stat.st_mtime_ns, stat.st_size)
        cached = self._cache.get(name)
        if cached and cached[0] == key:
            return cached[1]
        try:
            loaded = read_scenario(path, root=self.path)
            entry = Entry(name, loaded.scenario, loaded.format, tuple(loaded.warnings))
        except InputError as exc:
            entry = Entry(name, problems=tuple(exc.errors))
        self._cache[name] = (key, entry)
        return entry

    def scenario(self, name: str) -> Scenario:
        entry = self.get(name)
        if entry.scenario is None:
            raise HTTPException(422, f"{name} is not a valid scenario; open it from the list to see why")
        return entry.scenario


def create_app(folder: str | Path = "scenarios", store: str | Path | None = DEFAULT_PATH,
               max_upload: int = MAX_UPLOAD, allowed_hosts: Iterable[str] = LOOPBACK) -> FastAPI:
    """The dashboard of the scenarios in ``folder``; runs are recorded in ``store`` (None: not recorded).

    ``allowed_hosts`` are the Host headers it answers: ``name:port``, or ``name`` for any port.
    """
    hosts = frozenset(h.lower() for h in allowed_hosts)
    files = Folder(Path(folder).resolve())
    if not files.path.is_dir():
        raise AccordError(f"{folder}: not a folder of scenarios")
    runs = RunStore(store) if store is not None else None
    app = FastAPI(title="accord", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    pages = Jinja2Templates(directory=HERE / "templates")
    pages.env.globals.update(version=__version__, fmt=_fmt)

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        # Refuse an oversized body before it is read: the multipart parser would spool it all.
        if request.method == "POST":
            length = request.headers.get("content-length")
            if length is None or not length.isdigit():
                return HTMLResponse("a request body needs a Content-Length", status_code=411)
            if int(length) > max_upload + 64 * 1024:  # the form's own fields and boundaries
                return HTMLResponse(f"the request is larger than {max_upload // 1024} KB", status_code=413)
        return await call_next(request)

    @app.middleware("http")
    async def same_site(request: Request, call_next):
        # Registered last, so it runs first. A page of another site can make the browser send
        # requests here: by a name of its own that resolves to this machine (refused by Host),
        # or by posting a form (refused by Origin). Plain text: the headers are not echoed as HTML.
        host = request.headers.get("host", "")
        if not host_allowed(host, hosts):
            return PlainTextResponse(f"this dashboard answers only to {', '.join(sorted(hosts))}; "
                                     f"the request was for {host!r}", status_code=400)
        if request.method not in SAFE_METHODS:
            own = f"{request.url.scheme}://{host}".lower()
            origin = request.headers.get("origin") or origin_of(request.headers.get("referer", ""))
            if origin.lower() != own:
                return PlainTextResponse(f"a cross-site request is refused: this dashboard takes forms only from "
                                         f"its own pages ({own}), this one came from {origin or 'an unnamed page'}",
                                         status_code=403)
        return await call_next(request)

    def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        return pages.TemplateResponse(request, template, context, status_code=status)

    @app.get("/", response_class=HTMLResponse)
    def index(request: Request):
        return page(request, "index.html", entries=files.entries(), folder=files.path.name, max_upload=max_upload)

    @app.get("/scenario/{name}", response_class=HTMLResponse)
    def scenario_page(request: Request, name: str):
        entry = files.get(name)
        if entry.scenario is None:
            return page(request, "invalid.html", 422, entry=entry, lines=_lines(files.path / name, entry.problems))
        return page(request, "scenario.html", entry=entry, sc=entry.scenario, table=stance_table(entry.scenario),
                    models=applicable_models(entry.scenario), max_samples=MAX_SAMPLES)

    @app.post("/scenario/{name}/forecast", response_class=HTMLResponse)
    async def forecast(request: Request, name: str):
        base = await anyio.to_thread.run_sync(files.scenario, name)
        form = await request.form()
        edits, problems = parse_edits(base, form)
        models = [m for m in form.getlist("model") if m in registry()]
        samples, seed, more = _run_options(form)
        problems.update(more)
        if not models:
            problems["model"] = "choose at least one model"
        if problems:
            return page(request, "_forecast.html", 422, problems=problems, sc=base)
        sc = apply_edits(base, edits)
        command = f"accord serve: forecast {name} -m {' -m '.join(models)} --seed {seed} --samples {samples}" + (
            " with " + ", ".join(f"{a}.{i or '*'}.{f}={v:g}" for (f, a, i), v in edits.items()) if edits else "")
        try:
            doc = await compute(_forecast, sc, models, seed, samples, runs, command)
        except AccordError as exc:
            return page(request, "_forecast.html", 422, problems={"model": str(exc)}, sc=base)
        return page(request, "_forecast.html", sc=sc, doc=doc, edits=edits,
                    rows=forecast_rows(sc, doc), charts=forecast_charts(sc, doc), samples=samples)

    @app.post("/scenario/{name}/roles", response_class=HTMLResponse)
    async def roles(request: Request, name: str):
        from ..role_analysis import analyse

        base = await anyio.to_thread.run_sync(files.scenario, name)
        form = await request.form()
        edits, problems = parse_edits(base, form)
        if problems:
            return page(request, "_roles.html", 422, problems=problems)
        res = await compute(functools.partial(analyse, samples=ROLE_SAMPLES, seed=0), apply_edits(base, edits))
        return page(request, "_roles.html", res=res, names=_names(base))

    @app.get("/scenario/{name}/report", response_class=HTMLResponse)
    def report(name: str):
        # A GET changes nothing: the report's runs are not recorded (`accord report` records them).
        from ..report import build, render_html

        return HTMLResponse(render_html(build(files.scenario(name), command=f"accord serve: report {name}")))

    @app.get("/runs", response_class=HTMLResponse)
    def run_list(request: Request):
        return page(request, "runs.html", records=runs.list(200) if runs else [], stored=runs is not None)

    @app.get("/runs/compare", response_class=HTMLResponse)
    def compare(request: Request, a: str, b: str):
        ra, rb = _record(runs, a), _record(runs, b)
        return page(request, "compare.html", a=ra, b=rb, rows=compare_rows(ra.result, rb.result))

    @app.get("/runs/{run_id}", response_class=HTMLResponse)
    def run_page(request: Request, run_id: str):
        rec = _record(runs, run_id)
        sc = runs.scenario(rec.scenario_sha256)
        doc = {"runs": [rec.result]}
        return page(request, "run.html", rec=rec, sc=sc, rows=forecast_rows(sc, doc), charts=forecast_charts(sc, doc))

    @app.post("/upload", response_class=HTMLResponse)
    async def upload(request: Request, file: UploadFile):
        data = await _read_limited(file, max_upload)
        name = Path(file.filename or "").name
        if data is None:
            return page(request, "_upload.html", 413, name=name,
                        problems=[Problem(f"the file is larger than {max_upload // 1024} KB", name)], lines=[])
        # parsed in a worker thread: a file slow to read holds up no other request
        problems, lines, fmt = await compute(accept_upload, files.path, name, data)
        status = 422 if problems else 200
        return page(request, "_upload.html", status, name=name, problems=problems, lines=lines, fmt=fmt)

    @app.get("/favicon.ico")
    def favicon():
        return Response(status_code=204)

    return app


async def compute(fn, *args):
    """Run a model's work in a worker thread, as many at once as there are cores: the server keeps
    answering (pages, static files) while models run, and runs do not fight over the GIL."""
    global _LIMITER
    if _LIMITER is None:  # made in the event loop that uses it
        _LIMITER = anyio.CapacityLimiter(os.cpu_count() or 2)
    return await anyio.to_thread.run_sync(fn, *args, limiter=_LIMITER)


_LIMITER: anyio.CapacityLimiter | None = None


def _forecast(sc: Scenario, models: list[str], seed: int, samples: int, runs: RunStore | None,
              command: str) -> dict[str, Any]:
    """Run the models (with Monte Carlo when ``samples`` > 0), record the runs, return the JSON document."""
    results = run_models(sc, models, {}, seed)
    if samples:
        add_uncertainty(sc, results, samples, seed)
    return record(sc, results, runs, command)


# -- what a page shows ---------------------------------------------------------------------------


_SKIPPED: dict[str, dict[str, str]] = {}  # by scenario sha256: the models that cannot take it, and why


def _skipped(sc: Scenario) -> dict[str, str]:
    if sc.sha256 not in _SKIPPED:
        _SKIPPED[sc.sha256] = {s["model"]: s["reason"] for s in run_applicable(sc)[1]}
    return _SKIPPED[sc.sha256]


def applicable_models(sc: Scenario) -> list[tuple[str, str | None]]:
    """Every registered model, with why it cannot take the scenario (None if it can)."""
    skipped = _skipped(sc)
    return [(name, skipped.get(name)) for name in registry()]


def stance_table(sc: Scenario) -> list[dict[str, Any]]:
    """Per issue, the actors with a stance on it: each one's position and salience, with their evidence."""
    return [{"issue": issue, "rows": [{"actor": actor, "position": actor.issues[issue.id].position,
                                       "salience": actor.issues[issue.id].salience}
                                      for actor in sc.actors if issue.id in actor.issues]}
            for issue in sc.issues]


def forecast_rows(sc: Scenario, doc: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per issue and model: the forecast, its median and 90% interval with Monte Carlo."""
    labels = {i.id: i.label or i.id for i in sc.issues}
    rows = []
    for run in doc["runs"]:
        for f in run["forecast"]:
            rows.append({"issue": f["issue"], "label": labels.get(f["issue"], f["issue"]), "model": run["model"],
                         "value": f["value"], "median": f.get("median"), "low": f.get("q05"), "high": f.get("q95"),
                         "run_id": run.get("run_id")})
    order = {i.id: k for k, i in enumerate(sc.issues)}
    return sorted(rows, key=lambda r: order.get(r["issue"], 0))


def forecast_charts(sc: Scenario, doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Per issue, an SVG scale with each model's forecast (and interval): coordinates in percent."""
    out = []
    for issue in sc.issues:
        def at(v: float | None, lo: float = issue.scale.min, hi: float = issue.scale.max) -> float | None:
            return None if v is None or not math.isfinite(v) else round(100 * (v - lo) / (hi - lo), 2)

        marks = []
        for k, run in enumerate(doc["runs"]):
            f = next((f for f in run["forecast"] if f["issue"] == issue.id), None)
            if f is None:
                continue
            marks.append({"model": run["model"], "value": f["value"], "x": at(f["value"]), "row": k,
                          "low": at(f.get("q05")), "high": at(f.get("q95"))})
        anchors = [{"x": at(a.value), "label": a.label} for a in issue.scale.anchors]
        out.append({"issue": issue, "marks": marks, "anchors": anchors, "rows": len(doc["runs"])})
    return out


def compare_rows(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    fa = {f["issue"]: f["value"] for f in a["forecast"]}
    fb = {f["issue"]: f["value"] for f in b["forecast"]}
    return [{"issue": i, "a": fa.get(i), "b": fb.get(i),
             "change": None if fa.get(i) is None or fb.get(i) is None else fb[i] - fa[i]}
            for i in dict.fromkeys([*fa, *fb])]


# -- edits: what-ifs on a scenario's inputs ------------------------------------------------------


def parse_edits(sc: Scenario, form) -> tuple[dict[tuple[str, str, str | None], float], dict[str, str]]:
    """The inputs a form changes, keyed (field, actor, issue), and the problems, keyed by form field.

    A form field ``position:RUS:sanctions`` holds a position; ``capability:RUS:`` an actor's
    capability. A value equal to the scenario's is not an edit.
    """
    edits, problems = {}, {}
    current = {(f, a, i): v for f, a, i, v in inputs_of(sc)}
    bounds = {i.id: (i.scale.min, i.scale.max) for i in sc.issues}
    for key, raw in form.multi_items():
        parts = key.split(":")
        if len(parts) != 3 or parts[0] not in FIELDS:
            continue
        field, actor, issue = parts[0], parts[1], parts[2] or None
        if (field, actor, issue) not in current:
            problems[key] = "no such input in the scenario"
            continue
        value = parse_number(str(raw))  # plain decimals only, as in files: not 1_0 or fullwidth digits
        if value is None:
            problems[key] = f"{raw!r} is not a number: write {NUMBER_SYNTAX}"
            continue
        lo, hi = {"position": bounds.get(issue or "", (0, 0)), "salience": (0.0, 1.0),
                  "capability": (0.0, math.inf)}[field]
        if not (math.isfinite(value) and lo <= value <= hi):
            problems[key] = (f"{value:g} is not allowed: a capability is a number >= 0" if hi == math.inf
                             else f"{value:g} is outside the allowed range: between {lo:g} and {hi:g}")
            continue
        # the page shows six significant digits: a value left as shown is not an edit
        if not math.isclose(value, current[field, actor, issue], rel_tol=1e-5, abs_tol=1e-9):
            edits[field, actor, issue] = value
    return edits, problems


def inputs_of(sc: Scenario):
    """(field, actor, issue or None, value) of every editable input."""
    for actor in sc.actors:
        if actor.capability is not None:
            yield "capability", actor.id, None, actor.capability.point
        for issue_id, stance in actor.issues.items():
            yield "position", actor.id, issue_id, stance.position.point
            yield "salience", actor.id, issue_id, stance.salience.point
            if stance.capability is not None:
                yield "capability", actor.id, issue_id, stance.capability.point


def apply_edits(sc: Scenario, edits: dict[tuple[str, str, str | None], float]) -> Scenario:
    """The scenario with the edited values set explicitly (the claims stay, for the record)."""
    if not edits:
        return sc
    data = sc.model_dump(mode="json", exclude_none=True)
    for (field, actor, issue), value in edits.items():
        a = next(x for x in data["actors"] if x["id"] == actor)
        target = a if issue is None else a["issues"][issue]
        target[field] = {**target[field], "value": value}
    return Scenario.model_validate(data)


def _run_options(form) -> tuple[int, int, dict[str, str]]:
    problems = {}
    values = {}
    for key, default, lo, hi in (("samples", 0, 0, MAX_SAMPLES), ("seed", 0, 0, 2**32 - 1)):
        raw = str(form.get(key, default)).strip() or str(default)
        if not re.fullmatch(r"[+-]?[0-9]+", raw):  # int() would also take "1_0" and fullwidth digits
            problems[key] = f"{raw!r} is not a whole number"
            continue
        values[key] = int(raw)
        if not lo <= values[key] <= hi:
            problems[key] = f"{values[key]} is outside {lo}..{hi}"
    return values.get("samples", 0), values.get("seed", 0), problems


# -- uploads ---------------------------------------------------------------------------------------


async def _read_limited(file: UploadFile, limit: int) -> bytes | None:
    """The upload's bytes, or None as soon as it exceeds the limit (never read whole)."""
    chunks, size = [], 0
    while chunk := await file.read(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def accept_upload(folder: Path, name: str, data: bytes) -> tuple[list[Problem], list[dict[str, Any]], str | None]:
    """Check an uploaded file and, if valid, add it to the folder: its problems, lines and format."""
    problems, lines, fmt = check_upload(name, data, folder)
    return (problems or _place(folder, name, data)), lines, fmt


def check_upload(name: str, data: bytes, folder: Path) -> tuple[list[Problem], list[dict[str, Any]], str | None]:
    """Problems of an uploaded file, and its lines with each problem beside its line; its sources'
    texts are looked up in ``folder``, where it would be placed, and nowhere else."""
    if not _SAFE_NAME.match(name) or Path(name).suffix.lower() not in SUFFIXES:
        return [Problem(f"a scenario file name is letters, digits, '-', '_' and '.', ending in one of "
                        f"{', '.join(SUFFIXES)}", name or "(no name)")], [], None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            loaded = read_scenario(path, root=folder)
        except InputError as exc:
            problems = [Problem(p.message, name, p.line, p.field, p.severity) for p in exc.errors]
            return problems, _lines(path, problems), None
    return [], [], loaded.format


def _lines(path: Path, problems, context: int = 3) -> list[dict[str, Any]]:
    """The lines of a text file near its problems, each with the problems found on it; a row
    ``{"gap": True}`` stands for lines left out. Binary files (XLSX) give none."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (UnicodeDecodeError, OSError):
        return []
    by_line: dict[int, list[Problem]] = {}
    for p in problems:
        if p.line is not None:
            by_line.setdefault(p.line, []).append(p)
    shown = {k for line in by_line for k in range(line - context, line + context + 1)}
    rows: list[dict[str, Any]] = []
    for k, line in enumerate(text.splitlines(), start=1):
        if k in shown:
            if rows and rows[-1].get("number", 0) != k - 1 or not rows and k > 1:
                rows.append({"gap": True})
            rows.append({"number": k, "text": line, "problems": by_line.get(k, [])})
    return rows


def _place(folder: Path, name: str, data: bytes) -> list[Problem]:
    target = folder / name
    if os.path.lexists(target):  # a link, even a broken one, is not replaced either
        return [Problem("a file of this name is already in the folder; rename the upload", name)]
    atomic_write(target, data)
    return []


def host_allowed(host: str, hosts: frozenset[str]) -> bool:
    """Whether a Host header names this server: ``name:port`` allowed as given, or ``name`` for any port."""
    m = _HOST.fullmatch(host.lower())
    return m is not None and (m.group(0) in hosts or m.group(1) in hosts)


def origin_of(url: str) -> str:
    """The origin (scheme://host:port) of a page's address, as a browser's Origin header gives it."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}" if parts.scheme and parts.netloc else ""


def _record(runs: RunStore | None, run_id: str):
    if runs is None:
        raise HTTPException(404, "runs are not recorded by this dashboard")
    try:
        return runs.get(run_id)
    except AccordError as exc:
        raise HTTPException(404, str(exc)) from None


def _names(sc: Scenario) -> dict[str, str]:
    return {a.id: a.name or a.id for a in sc.actors}


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, (int, float, np.floating)):
        return f"{value:.{digits}f}"
    return str(value)
