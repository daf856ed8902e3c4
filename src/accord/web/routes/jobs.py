"""The state of a long piece of work (:mod:`accord.web.jobs`): its progress, then its result."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from ..jobs import answer

router = APIRouter()


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_state(request: Request, job_id: str):
    job = request.app.state.jobs.get(job_id)
    if job is None:
        raise HTTPException(404, "no such job: it finished and was delivered, or it was dropped; run it again")
    return answer(request, job)
