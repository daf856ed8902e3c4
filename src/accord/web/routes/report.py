"""A scenario's report, as ``accord report`` writes it, of the scenario as the page edits it.

Building a report runs every analysis, which takes seconds: it runs as a job
(:mod:`accord.web.jobs`) whose progress the page shows, then the page opens the finished report,
which is kept (the last few, by the edited scenario's sha256) so that opening it again is instant.
"""

from __future__ import annotations

from collections import OrderedDict

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..deps import Files, page
from ..forms import apply_edits, parse_edits
from ..jobs import Job, start

router = APIRouter()
KEEP = 8  # reports kept


@router.get("/scenario/{name}/report", response_class=HTMLResponse)
async def report(request: Request, name: str, files: Files):
    # A GET changes nothing: the report's runs are not recorded (`accord report` records them).
    # The page's what-if edits ride in the query (position:RUS:sanctions=100), as the form names them.
    base = await anyio.to_thread.run_sync(files.scenario, name)
    edits, problems = parse_edits(base, request.query_params)
    if problems:
        return page(request, "report_problems.html", 422, name=name, problems=problems)
    sc = apply_edits(base, edits)
    kept: OrderedDict[str, str] = request.app.state.__dict__.setdefault("reports", OrderedDict())
    if sc.sha256 in kept:
        kept.move_to_end(sc.sha256)
        return HTMLResponse(kept[sc.sha256])
    what_if = ", ".join(f"{a}.{i or '*'}.{f}={v:g}" for (f, a, i), v in edits.items())
    command = f"accord serve: report {name}" + (f" with {what_if}" if what_if else "")

    def build_report(progress=None) -> str:
        from ...report import build, render_html  # matplotlib: loaded only for a report

        return render_html(build(sc, command=command, progress=job.stages))

    def render(done: Job) -> HTMLResponse:
        if done.error is not None:
            raise done.error
        kept[sc.sha256] = done.value
        while len(kept) > KEEP:
            kept.popitem(last=False)
        # Polled from the waiting page: open the report itself, now kept.
        return HTMLResponse(done.value, headers={"HX-Redirect": str(request.url)})

    job = request.app.state.jobs.new("Building the report", render)
    response = await start(request, job, build_report)
    if response.headers.get("HX-Redirect"):  # done at once: the report itself
        return HTMLResponse(kept[sc.sha256])
    return page(request, "report_wait.html", name=name, job=job)
