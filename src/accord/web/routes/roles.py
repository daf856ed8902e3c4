"""The roles of a scenario as the form edits it, with their confidence from the evidence."""

from __future__ import annotations

import functools

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...role_analysis import SAMPLES, analyse
from ...views import roles_table
from ..deps import Files, compute, page
from ..forms import apply_edits, parse_edits

router = APIRouter()


@router.post("/scenario/{name}/roles", response_class=HTMLResponse)
async def roles(request: Request, name: str, files: Files):
    base = await anyio.to_thread.run_sync(files.scenario, name)
    form = await request.form()
    edits, problems = parse_edits(base, form)
    if problems:
        return page(request, "_roles.html", 422, problems=problems)
    res = await compute(request, functools.partial(analyse, samples=SAMPLES, seed=0), apply_edits(base, edits))
    return page(request, "_roles.html", res=res, rows=roles_table(base, res.roles))
