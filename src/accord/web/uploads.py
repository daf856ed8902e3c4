"""Uploads: a scenario file checked by the command line's readers, and added to the folder only if valid."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import UploadFile

from ..errors import InputError, Problem
from ..io import atomic_write, read_scenario
from .deps import SUFFIXES

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


async def read_limited(file: UploadFile, limit: int) -> bytes | None:
    """The upload's bytes, or None as soon as it exceeds the limit (never read whole)."""
    chunks, size = [], 0
    while chunk := await file.read(64 * 1024):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def accept_upload(folder: Path, name: str, data: bytes) -> tuple[list[Problem], list[dict[str, Any]], str | None]:
    """Check an uploaded file and, if valid, add it to the folder: its problems, lines and format."""
    problems, lines, fmt = check_upload(name, data, folder)
    return (problems or _place(folder, name, data)), lines, fmt


def check_upload(name: str, data: bytes, folder: Path) -> tuple[list[Problem], list[dict[str, Any]], str | None]:
    """Problems of an uploaded file, and its lines with each problem beside its line; its sources'
    texts are looked up in ``folder``, where it would be placed, and nowhere else."""
    if not _SAFE_NAME.match(name) or Path(name).suffix.lower() not in SUFFIXES:
        return [Problem(f"a scenario file name is letters, digits, '-', '_' and '.', ending in one of "
                        f"{', '.join(SUFFIXES)}", name or "(no name)")], [], None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            loaded = read_scenario(path, root=folder)
        except InputError as exc:
            problems = [Problem(p.message, name, p.line, p.field, p.severity) for p in exc.errors]
            return problems, source_lines(path, problems), None
    return [], [], loaded.format


def source_lines(path: Path, problems, context: int = 3) -> list[dict[str, Any]]:
    """The lines of a text file near its problems, each with the problems found on it; a row
    ``{"gap": True}`` stands for lines left out. Binary files (XLSX) give none."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (UnicodeDecodeError, OSError):
        return []
    by_line: dict[int, list[Problem]] = {}
    for p in problems:
        if p.line is not None:
            by_line.setdefault(p.line, []).append(p)
    shown = {k for line in by_line for k in range(line - context, line + context + 1)}
    rows: list[dict[str, Any]] = []
    for k, line in enumerate(text.splitlines(), start=1):
        if k in shown:
            if rows and rows[-1].get("number", 0) != k - 1 or not rows and k > 1:
                rows.append({"gap": True})
            rows.append({"number": k, "text": line, "problems": by_line.get(k, [])})
    return rows


def _place(folder: Path, name: str, data: bytes) -> list[Problem]:
    target = folder / name
    if os.path.lexists(target):  # a link, even a broken one, is not replaced either
        return [Problem("a file of this name is already in the folder; rename the upload", name)]
    atomic_write(target, data)
    return []
