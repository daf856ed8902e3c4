"""The roles of a scenario as the form edits it, with their confidence from the evidence; the
samples run as a job whose progress the page shows (:mod:`accord.web.jobs`)."""

from __future__ import annotations

import functools

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...errors import AccordError
from ...role_analysis import SAMPLES, analyse
from ...views import roles_table
from ..deps import Files, page
from ..forms import apply_edits, parse_edits
from ..jobs import Job, start

router = APIRouter()


@router.post("/scenario/{name}/roles", response_class=HTMLResponse)
async def roles(request: Request, name: str, files: Files):
    base = await anyio.to_thread.run_sync(files.scenario, name)
    form = await request.form()
    edits, problems = parse_edits(base, form)
    if problems:
        return page(request, "_roles.html", 422, problems=problems)

    def render(job: Job) -> HTMLResponse:
        if isinstance(job.error, AccordError):
            return page(request, "_roles.html", 422, problems={"model": str(job.error)})
        if job.error is not None:
            raise job.error
        return page(request, "_roles.html", res=job.value, rows=roles_table(base, job.value.roles))

    job = request.app.state.jobs.new("Roles: running the model on samples of the evidence", render)
    return await start(request, job, functools.partial(analyse, samples=SAMPLES, seed=0), apply_edits(base, edits))
