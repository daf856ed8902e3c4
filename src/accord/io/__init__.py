"""Reading and writing scenarios in every supported format.

======  ==========================  =====================  ==========================
format  files                       read                   write
======  ==========================  =====================  ==========================
yaml    ``.yaml`` ``.yml``          yes (native form)      yes
table   ``.csv`` ``.xlsx``          yes                    yes
ktab    ``.csv`` ``.xml`` (KTAB)    yes (CSV and XML)      CSV
decide  ``.txt`` ``.csv``           yes                    yes
deu     ``.csv`` (DEU I-III)        one issue per scenario  no
======  ==========================  =====================  ==========================

:func:`read_scenario` detects the format from the file's extension and first lines when it
is unambiguous, and otherwise asks for ``format``. Every reader turns its file into the same
plain data and locator, and :func:`accord.checks.build` validates it, so every format gets
the same checks and the same error messages. A reader raises at once only when it cannot make
sense of the file; the problems of single values it passes on, to be reported with the rest.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from ..checks import build
from ..errors import InputError, Problem, WriteError
from ..scenario import Scenario
from .deu import read_deu
from ._files import decode, read_bytes

FORMATS = ("yaml", "table", "ktab", "decide", "deu")


@dataclass
class Loaded:
    """A scenario read from a file, with the format it was read as and any warnings."""

    scenario: Scenario
    format: str
    path: Path
    warnings: list[Problem] = field(default_factory=list)


def _module(fmt: str) -> ModuleType:
    """The module that reads and writes a format, imported when a file of that format comes."""
    return importlib.import_module(f".{'native' if fmt == 'yaml' else fmt}", __name__)


def detect_format(path: Path, data: bytes) -> str:
    """The format of a file, from its extension and content; raises when it is ambiguous."""
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix in (".xlsx", ".xlsm"):
        return "table"
    if suffix == ".xml":  # before decoding: XML declares its own encoding, which expat reads
        return "ktab"
    text = "" if data.startswith(b"PK") else decode(data, str(path))[:8192]
    if not data.startswith(b"PK") and not text.strip():
        raise InputError([Problem("the file is empty: a scenario needs issues and actors", str(path))])
    from . import decide, deu, ktab, native, table  # each reader is imported when a file needs it

    if ktab.sniff_xml(text):
        return "ktab"
    hits = [name for name, sniff in (("decide", decide.sniff), ("ktab", ktab.sniff), ("table", table.sniff),
                                     ("yaml", native.sniff), ("deu", deu.sniff)) if sniff(text)]
    if len(hits) == 1:
        return hits[0]
    raise InputError([Problem(
        "cannot tell the file's format" + (f" (it could be {' or '.join(hits)})" if hits else "")
        + f"; give --format, one of: {', '.join(FORMATS)}", str(path))])


def read_scenario(path: str | os.PathLike[str], format: str | None = None, *,
                  texts: Iterable[str | os.PathLike[str]] = (), root: str | os.PathLike[str] | None = None) -> Loaded:
    """Read and validate a scenario file; raise :class:`~accord.errors.InputError` listing every problem.

    ``root`` confines the sources' texts to one folder (the dashboard's): they are looked up
    there instead of beside the file, and a path leading out of it is refused, never read.
    """
    path = Path(path)
    if format is not None and format not in FORMATS:
        raise InputError([Problem(f"unknown format {format!r}; choose one of: {', '.join(FORMATS)}")])
    data = read_bytes(path)
    fmt = format or detect_format(path, data)
    if fmt == "deu":
        return _one_deu_issue(path)
    name, reader = str(path), _module(fmt)
    if fmt == "table" and (path.suffix.lower() in (".xlsx", ".xlsm") or data.startswith(b"PK")):
        raw, locate, notes = reader.parse_xlsx(data, name)
    elif fmt == "ktab" and (path.suffix.lower() == ".xml" or data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"<")):
        raw, locate, notes = reader.parse_xml(data, name)
    else:
        raw, locate, notes = reader.parse(decode(data, name), name)
    scenario, warnings = build(raw, file=name, locate=locate, base_dir=Path(root) if root else path.parent,
                               texts=[Path(t) for t in texts], reported=notes, root=Path(root) if root else None)
    return Loaded(scenario, fmt, path, warnings)


def _one_deu_issue(path: Path) -> Loaded:
    """A DEU file of one issue as a scenario; a file of several says how to read them."""
    from .deu import read_deu

    data = read_deu(path)
    if len(data.issues) != 1:
        raise InputError([Problem(
            f"a DEU file holds one scenario per issue and this one has {len(data.issues)}: `accord backtest FILE "
            "--format deu` scores them all, `accord convert FILE DIR --format deu` writes each as a YAML file",
            str(path))])
    return Loaded(data.scenarios()[0], "deu", path, data.warnings)


def from_arrays(position, salience, capability, *, actors=None, issues=None, scale=(0.0, 100.0), reference=None,
                name: str = "from arrays", assumption: str = "values given as arrays, with no evidence recorded",
                decision: dict | None = None) -> Scenario:
    """A scenario from numbers: ``position`` and ``salience`` are (actors x issues) arrays (NaN
    positions leave an actor out of an issue), ``capability`` one value per actor; ``decision``
    the scenario's decision rule, as in a file (``{"rule": "majority"}``). Validated as any
    file is; for notebooks, simulations and benchmarks.
    """
    import numpy as np

    position, salience = np.asarray(position, float), np.asarray(salience, float)
    n_a, n_i = position.shape
    actors = list(actors or [f"A{a}" for a in range(n_a)])
    issues = list(issues or [f"i{i}" for i in range(n_i)])
    raw = {
        "name": name,
        "assumption": assumption,
        "issues": [{"id": issues[i], "scale": {"min": float(scale[0]), "max": float(scale[1])},
                    **({"reference": float(reference[i])}
                       if reference is not None and reference[i] is not None else {})}
                   for i in range(n_i)],
        "actors": [{"id": actors[a], "capability": float(capability[a]),
                    "issues": {issues[i]: {"position": float(position[a, i]), "salience": float(salience[a, i])}
                               for i in range(n_i) if not np.isnan(position[a, i])}}
                   for a in range(n_a)],
        **({"decision": decision} if decision is not None else {}),
    }
    return build(raw)[0]


def encode_scenario(scenario: Scenario, format: str, *, xlsx: bool = False) -> tuple[bytes, list[Problem]]:
    """The bytes of a scenario written in ``format``, and warnings for what that format cannot hold."""
    if format == "table":
        writer = _module(format)
        return writer.write_xlsx(scenario) if xlsx else writer.write(scenario)
    if format in ("yaml", "ktab", "decide"):
        return _module(format).write(scenario)
    raise InputError([Problem(f"cannot write format {format!r}; choose one of: {', '.join(FORMATS[:-1])}")])


def format_for_output(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix in (".xlsx", ".csv"):
        return "table"
    if suffix == ".txt":
        return "decide"
    raise InputError([Problem(f"cannot tell which format to write from the name {path.name!r}; give --to, one of: "
                              f"{', '.join(FORMATS)}")])


def write_scenario(scenario: Scenario, path: str | os.PathLike[str], format: str | None = None) -> list[Problem]:
    """Write a scenario atomically (a temporary file renamed into place); return the warnings."""
    path = Path(path)
    fmt = format or format_for_output(path)
    data, warnings = encode_scenario(scenario, fmt, xlsx=path.suffix.lower() == ".xlsx")
    atomic_write(path, data)
    return warnings


_UMASK = os.umask(0o022)  # read once, at import (os.umask is process-wide, unsafe to toggle under threads) ...
os.umask(_UMASK)  # ... and put back


def atomic_write(path: Path, data: bytes) -> None:
    """Write all of ``data`` or nothing: a reader never sees a half-written file."""
    with staged_write(path, data):
        pass


@contextmanager
def staged_write(path: Path, data: bytes) -> Iterator[None]:
    """Write ``data`` to a synced temporary file beside ``path``, run the body, then rename it into place.

    If the body raises, ``path`` is left as it was; so is it if the disk is full or the folder
    read-only, which raise :class:`~accord.errors.WriteError` naming the file.
    """
    tmp = None
    try:
        tmp = _stage(path, data)
        yield
        try:
            os.replace(tmp, path)
            tmp = None
            _sync_folder(path.parent)
        except OSError as exc:
            raise _write_error(path, exc) from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _stage(path: Path, data: bytes) -> str:
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_UMASK)  # as an ordinary new file would be, not mkstemp's 0600
        return tmp
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise _write_error(path, exc) from None


def _sync_folder(folder: Path) -> None:
    # a rename is durable once its folder is synced; where folders cannot be opened, the rename stands as it is
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_error(path: Path, exc: OSError) -> WriteError:
    reason = exc.strerror or str(exc)
    kept = "; the file is unchanged" if path.is_file() else "; nothing was written"
    return WriteError(f"cannot write {path}: {reason[:1].lower()}{reason[1:]}{kept}")


__all__ = ["FORMATS", "Loaded", "read_scenario", "read_deu", "write_scenario", "encode_scenario", "detect_format",
           "from_arrays"]
