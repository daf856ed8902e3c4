"""Advice for one actor of a scenario as the form edits it: its stakes and its best levers (a job whose
progress the page shows, :mod:`accord.web.jobs`)."""

from __future__ import annotations

import functools

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...advice import advise
from ...experiment import CONSENSUS
from ...errors import AccordError
from ..deps import Files, page
from ..jobs import Job, start
from ..forms import apply_edits, parse_edits, run_options

router = APIRouter()
SAMPLES = 100  # draws of the evidence per reading when the form asks for none
TOP = 5


@router.post("/scenario/{name}/advice", response_class=HTMLResponse)
async def advice(request: Request, name: str, files: Files):
    base = await anyio.to_thread.run_sync(files.scenario, name)
    form = await request.form()
    edits, problems = parse_edits(base, form)
    samples, seed, options = run_options(form)
    problems |= options
    actor = str(form.get("advise", "")).strip()
    if actor not in base.actor_ids:
        problems["advise"] = f"unknown actor {actor!r}; the scenario's actors: {', '.join(base.actor_ids)}"
    if problems:
        return page(request, "_advice.html", 422, problems=problems)

    def render(job: Job) -> HTMLResponse:
        if isinstance(job.error, AccordError):
            return page(request, "_advice.html", 422, problems={"advise": str(job.error)})
        if job.error is not None:
            raise job.error
        res = job.value
        evals = {(e["reading"], e["model"], e["lever"]): e for e in res.evaluations}
        return page(request, "_advice.html", res=res, consensus=CONSENSUS, top=TOP, evals=evals,
                    stakes=[r for r in res.stakes if r["reading"] == CONSENSUS])

    job = request.app.state.jobs.new(f"Advice for {actor}: its levers under every reading", render)
    return await start(request, job, functools.partial(advise, actor=actor, samples=samples or SAMPLES, seed=seed),
                       apply_edits(base, edits))
