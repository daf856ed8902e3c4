"""A scenario file uploaded into the folder: checked first, added only if valid."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import HTMLResponse

from ...errors import Problem
from ..deps import Files, compute, page
from ..uploads import accept_upload, read_limited

router = APIRouter()


@router.post("/upload", response_class=HTMLResponse)
async def upload(request: Request, file: UploadFile, files: Files):
    max_upload = request.app.state.max_upload
    data = await read_limited(file, max_upload)
    name = Path(file.filename or "").name
    if data is None:
        return page(request, "_upload.html", 413, name=name,
                    problems=[Problem(f"the file is larger than {max_upload // 1024} KB", name)], lines=[])
    # parsed in a worker thread: a file slow to read holds up no other request
    problems, lines, fmt = await compute(request, accept_upload, files.path, name, data)
    status = 422 if problems else 200
    return page(request, "_upload.html", status, name=name, problems=problems, lines=lines, fmt=fmt)
