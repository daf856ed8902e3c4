"""A scenario's report, as ``accord report`` writes it, of the scenario as the page edits it.

Building a report runs every analysis, which takes seconds: it runs as a job
(:mod:`accord.web.jobs`) whose progress the page shows, then the page opens the finished report,
which is kept (the last few, by the edited scenario's sha256) so that opening it again is instant.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..deps import Files, page
from ..forms import apply_edits, parse_edits
from ..jobs import Job, start, write_whole

router = APIRouter()
KEEP = 8  # reports kept


class Kept:
    """The last :data:`KEEP` finished reports, by the edited scenario's sha256: in this process, and
    with several server processes in their shared folder too, since the page that waited for a
    report reopens it by a request any process may answer."""

    def __init__(self, state: Any) -> None:
        self.memory: OrderedDict[str, str] = state.__dict__.setdefault("reports", OrderedDict())
        self.shared: Path | None = state.shared

    def get(self, sha256: str) -> str | None:
        if sha256 in self.memory:
            self.memory.move_to_end(sha256)
            return self.memory[sha256]
        if self.shared is not None:
            try:
                return (self.shared / f"report-{sha256}.html").read_text(encoding="utf-8")
            except FileNotFoundError:
                return None
        return None

    def put(self, sha256: str, html: str) -> None:
        self.memory[sha256] = html
        while len(self.memory) > KEEP:
            self.memory.popitem(last=False)
        if self.shared is not None:
            write_whole(self.shared / f"report-{sha256}.html", html)
            reports = sorted(self.shared.glob("report-*.html"), key=lambda p: p.stat().st_mtime_ns)
            for old in reports[:max(0, len(reports) - KEEP)]:
                old.unlink(missing_ok=True)


@router.get("/scenario/{name}/report", response_class=HTMLResponse)
async def report(request: Request, name: str, files: Files):
    # A GET changes nothing: the report's runs are not recorded (`accord report` records them).
    # The page's what-if edits ride in the query (position:RUS:sanctions=100), as the form names them.
    base = await anyio.to_thread.run_sync(files.scenario, name)
    edits, problems = parse_edits(base, request.query_params)
    if problems:
        return page(request, "report_problems.html", 422, name=name, problems=problems)
    sc = apply_edits(base, edits)
    kept = Kept(request.app.state)
    html = kept.get(sc.sha256)
    if html is not None:
        return HTMLResponse(html)
    what_if = ", ".join(f"{a}.{i or '*'}.{f}={v:g}" for (f, a, i), v in edits.items())
    command = f"accord serve: report {name}" + (f" with {what_if}" if what_if else "")

    def build_report(progress=None) -> str:
        from ...report import build, render_html  # matplotlib: loaded only for a report

        return render_html(build(sc, command=command, progress=job.stages))

    def render(done: Job) -> HTMLResponse:
        if done.error is not None:
            raise done.error
        kept.put(sc.sha256, done.value)
        # Polled from the waiting page: open the report itself, now kept.
        return HTMLResponse(done.value, headers={"HX-Redirect": str(request.url)})

    job = request.app.state.jobs.new("Building the report", render)
    response = await start(request, job, build_report)
    if response.headers.get("HX-Redirect"):  # done at once: the report itself
        return HTMLResponse(job.value)
    return page(request, "report_wait.html", name=name, job=job)
