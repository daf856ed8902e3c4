"""The state of a long piece of work (:mod:`accord.web.jobs`): its progress, then its result.

A long poll: the answer waits until the job is done or :data:`~accord.web.jobs.POLL_WAIT`
seconds pass."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from ..jobs import answer

router = APIRouter()


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
async def job_state(request: Request, job_id: str):
    job = await request.app.state.jobs.wait(job_id)
    if job is None:
        raise HTTPException(404, "no such job: it finished and was delivered, or it was dropped; run it again")
    return answer(request, job)
