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
    """A scenario from numbers, for notebooks, simulations and benchmarks; validated as any file is.

    ``position`` and ``salience`` are (actors x issues): numpy arrays, nested lists, or pandas
    DataFrames whose index names the actors and whose columns name the issues. ``capability``
    has one value per actor: a sequence, or a Series (or dict) keyed by actor; ``reference`` one
    value per issue, likewise (None or NaN: no reference point). Labelled inputs are aligned by
    label, whatever their order; labels that do not match, shapes that do not agree and values
    that are not numbers are reported together, naming the argument. A NaN position leaves an
    actor out of an issue. ``decision`` is the scenario's decision rule, as in a file
    (``{"rule": "majority"}``).

    >>> import pandas as pd
    >>> pos = pd.DataFrame({"sanctions": [10.0, 62.5]}, index=["USA", "CHN"])
    >>> sal = pd.DataFrame({"sanctions": [0.9, 0.6]}, index=["CHN", "USA"])   # any order: aligned by label
    >>> sc = from_arrays(pos, sal, pd.Series({"CHN": 80, "USA": 100}))
    >>> sc.actor_ids, sc.issue_ids, sc.actor("USA").issues["sanctions"].salience.point
    (('USA', 'CHN'), ('sanctions',), 0.6)
    >>> from_arrays(pos, sal, {"USA": 100})
    Traceback (most recent call last):
    ...
    accord.errors.InputError: 1 problem found:
      capability: no value for actor CHN (the actors are the rows of position: USA, CHN)
    """
    import numpy as np

    problems: list[Problem] = []
    pos, actors, issues = _matrix("position", position, actors, issues, None, problems)
    sal = _matrix("salience", salience, actors, issues, pos.shape if pos is not None else None, problems)[0]
    if pos is None:  # without a table of positions, nothing else can be checked against it
        raise InputError(problems)
    n_a, n_i = pos.shape
    cap = _vector("capability", capability, actors, n_a, "actor", "the rows of position", problems)
    ref = None if reference is None else _vector("reference", reference, issues, n_i, "issue",
                                                 "the columns of position", problems, missing_ok=True)
    if problems or sal is None or cap is None:
        raise InputError(problems)
    actors = list(actors) if actors is not None else [f"A{a}" for a in range(n_a)]
    issues = list(issues) if issues is not None else [f"i{i}" for i in range(n_i)]
    raw = {
        "name": name,
        "assumption": assumption,
        "issues": [{"id": issues[i], "scale": {"min": float(scale[0]), "max": float(scale[1])},
                    **({"reference": float(ref[i])} if ref is not None and not np.isnan(ref[i]) else {})}
                   for i in range(n_i)],
        "actors": [{"id": actors[a], "capability": float(cap[a]),
                    "issues": {issues[i]: {"position": float(pos[a, i]), "salience": float(sal[a, i])}
                               for i in range(n_i) if not np.isnan(pos[a, i])}}
                   for a in range(n_a)],
        **({"decision": decision} if decision is not None else {}),
    }
    return build(raw)[0]


def _pandas():
    """pandas if it is loaded: a labelled input can only be a pandas object if it is (import stays cheap)."""
    import sys

    return sys.modules.get("pandas")


def _labels(what: str, given, found: list[str], kind: str, problems: list[Problem]) -> list[str]:
    """Labels read from a pandas axis (``found``), checked against ``actors=``/``issues=`` where both are given."""
    if len(set(found)) != len(found):
        repeated = sorted({x for x in found if found.count(x) > 1})
        problems.append(Problem(f"repeated {kind} labels: {', '.join(repeated)} (each {kind} once)", field=what))
    if given is not None and list(map(str, given)) != found:
        problems.append(Problem(f"the names given as {kind}s= ({', '.join(map(str, given))}) differ from the "
                                f"labels of {what} ({', '.join(found)}); give them once", field=what))
    return found


def _matrix(what: str, value, actors, issues, shape, problems: list[Problem]):
    """An (actors x issues) float array from an array or a DataFrame, aligned on the labels known so far;
    with the actors and issues it names (``None`` when still unnamed)."""
    import numpy as np

    pd = _pandas()
    if pd is not None and isinstance(value, pd.DataFrame):
        rows = [str(x) for x in value.index]
        cols = [str(x) for x in value.columns]
        if shape is None:  # the first matrix names actors and issues
            actors = _labels(what, actors, rows, "actor", problems)
            issues = _labels(what, issues, cols, "issue", problems)
        elif actors is not None and issues is not None:
            if not _same(what, rows, actors, "actor", "the rows of position", problems) \
                    or not _same(what, cols, issues, "issue", "the columns of position", problems):
                return None, actors, issues
            value = value.set_axis(rows, axis=0).set_axis(cols, axis=1).loc[list(actors), list(issues)]
        value = value.to_numpy()
    try:
        array = np.asarray(value, float)
    except (TypeError, ValueError) as exc:
        problems.append(Problem(f"not numbers: {exc}; give numbers (NaN for an absent actor)", field=what))
        return None, actors, issues
    if array.ndim != 2:
        problems.append(Problem(f"has {array.ndim} dimension(s); give a table of actors x issues", field=what))
        return None, actors, issues
    if shape is not None and array.shape != shape:
        problems.append(Problem(f"is {array.shape[0]} x {array.shape[1]}; position is {shape[0]} x {shape[1]} "
                                "(actors x issues): give one value per actor and issue", field=what))
        return None, actors, issues
    if shape is None:
        for labels, n, kind, axis in ((actors, array.shape[0], "actor", "rows"),
                                      (issues, array.shape[1], "issue", "columns")):
            if labels is not None and len(labels) != n:
                problems.append(Problem(f"{len(labels)} {kind} names for the {n} {axis} of position",
                                        field=f"{kind}s"))
    return array, actors, issues


def _vector(what: str, value, labels, n: int, kind: str, where: str, problems: list[Problem], missing_ok=False):
    """One float per actor (or issue) from a sequence, or from a Series or dict aligned by label."""
    import numpy as np

    pd = _pandas()
    if isinstance(value, dict) or (pd is not None and isinstance(value, pd.Series)):
        keyed = {str(k): v for k, v in value.items()}
        if labels is None:
            labels = [f"A{a}" for a in range(n)] if kind == "actor" else [f"i{i}" for i in range(n)]
        known = set(map(str, labels))
        extra = [k for k in keyed if k not in known]
        missing = [x for x in map(str, labels) if x not in keyed]
        if extra:
            problems.append(Problem(f"no such {kind}: {', '.join(extra)} (the {kind}s are {where}: "
                                    f"{', '.join(map(str, labels))})", field=what))
        if missing and not missing_ok:
            problems.append(Problem(f"no value for {kind} {', '.join(missing)} (the {kind}s are {where}: "
                                    f"{', '.join(map(str, labels))})", field=what))
        if extra or (missing and not missing_ok):
            return None
        value = [keyed.get(x) for x in map(str, labels)]
    try:
        array = np.asarray([np.nan if v is None else v for v in value], float)
    except (TypeError, ValueError) as exc:
        problems.append(Problem(f"not numbers: {exc}", field=what))
        return None
    if array.ndim != 1 or len(array) != n:
        problems.append(Problem(f"{len(array)} values for {n} {kind}s ({where}): give one per {kind}", field=what))
        return None
    return array


def _same(what: str, found: list[str], expected, kind: str, where: str, problems: list[Problem]) -> bool:
    """Whether a DataFrame's axis holds the same labels as position's (in any order); if not, a problem naming them."""
    missing = [x for x in expected if x not in found]
    extra = [x for x in found if x not in set(expected)]
    if not missing and not extra and len(found) == len(set(found)):
        return True
    parts = [f"no {'row' if kind == 'actor' else 'column'} for {kind} {', '.join(missing)}" if missing else "",
             f"{kind} {', '.join(extra)} not among {where}" if extra else "",
             f"repeated {kind} labels" if len(found) != len(set(found)) else ""]
    problems.append(Problem("; ".join(p for p in parts if p) + f" ({where}: {', '.join(expected)})", field=what))
    return False


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


def atomic_write(path: Path, data: bytes, durable: bool = True) -> None:
    """Write all of ``data`` or nothing: a reader never sees a half-written file. ``durable=False``
    skips the syncs to disk, for scratch files that need not outlive a crash (still whole or absent)."""
    with staged_write(path, data, durable):
        pass


@contextmanager
def staged_write(path: Path, data: bytes, durable: bool = True) -> Iterator[None]:
    """Write ``data`` to a synced temporary file beside ``path``, run the body, then rename it into place.

    If the body raises, ``path`` is left as it was; so is it if the disk is full or the folder
    read-only, which raise :class:`~accord.errors.WriteError` naming the file.
    """
    tmp = None
    try:
        tmp = _stage(path, data, durable)
        yield
        try:
            os.replace(tmp, path)
            tmp = None
            if durable:
                _sync_folder(path.parent)
        except OSError as exc:
            raise _write_error(path, exc) from None
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def _stage(path: Path, data: bytes, durable: bool = True) -> str:
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if durable:
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
