"""Advice for one actor of a scenario as the form edits it: its stakes and its best levers."""

from __future__ import annotations

import functools

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...advice import advise
from ...experiment import CONSENSUS
from ..deps import Files, compute, page
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
    res = await compute(request, functools.partial(advise, actor=actor, samples=samples or SAMPLES, seed=seed),
                        apply_edits(base, edits))
    evals = {(e["reading"], e["model"], e["lever"]): e for e in res.evaluations}
    return page(request, "_advice.html", res=res, consensus=CONSENSUS, top=TOP, evals=evals,
                stakes=[r for r in res.stakes if r["reading"] == CONSENSUS])
