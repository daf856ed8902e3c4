"""A scenario's report, as ``accord report`` writes it."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from ..deps import Files

router = APIRouter()


@router.get("/scenario/{name}/report", response_class=HTMLResponse)
def report(name: str, files: Files):
    # A GET changes nothing: the report's runs are not recorded (`accord report` records them).
    from ...report import build, render_html  # matplotlib: loaded only for a report

    return HTMLResponse(render_html(build(files.scenario(name), command=f"accord serve: report {name}")))
