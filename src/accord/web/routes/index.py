"""The folder's scenario files, each with its size or why it cannot be read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from ..deps import Files, page

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def index(request: Request, files: Files):
    return page(request, "index.html", entries=files.entries(), folder=files.path.name,
                max_upload=request.app.state.max_upload)


@router.get("/favicon.ico")
def favicon():
    return Response(status_code=204)
