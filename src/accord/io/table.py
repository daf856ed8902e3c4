"""The table format: one row per actor and issue, as analysts keep it in a spreadsheet.

Columns (names case-insensitive, any order):

=============  ========  ===========================================================
column         needed    meaning
=============  ========  ===========================================================
actor          yes       actor id (alias: ``stakeholder``)
position       yes       position on the issue's scale
salience       yes       in [0, 1]
capability     yes       >= 0 (aliases: ``power``, ``influence``); may differ by issue
issue          no        issue id; without this column the table is one issue, ``x``
issue_min      no        lower end of the issue's scale
issue_max      no        upper end of the issue's scale
reference      no        the issue's reference point (status quo)
outcome        no        the issue's recorded outcome, once known (for backtests)
actor_name     no        display name of the actor
issue_label    no        display label of the issue
scenario_name  no        the scenario's name (also ``scenario_date``,
                         ``scenario_description``)
=============  ========  ===========================================================

Issue columns (``issue_min``, ``issue_max``, ``reference``, ``outcome``, ``issue_label``) and
``actor_name`` must agree across the rows of an issue or actor, and the scenario columns
across all rows. Without ``issue_min`` and ``issue_max`` an issue's scale is the range of its
positions, and the reader says so.

A CSV file written by accord keeps the scenario's name, date and description in the columns
``scenario_name``, ``scenario_date`` and ``scenario_description`` of its first row (they may
be repeated on other rows, or left blank there), so that it is a plain
table that any CSV reader (``pandas.read_csv``, a spreadsheet) reads as it is. ``# key:
value`` lines at the top of a CSV file (``name``, ``description``, ``date``, ``assumption``),
as earlier versions wrote them, are still read. An XLSX file keeps them in a sheet named
``scenario`` and the rows in the first other sheet. Evidence (claims and sources) has no
place in a table: use the YAML form to keep it.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

from ..checks import Reported
from ..errors import InputError, Problem
from ..scenario import Scenario
from ._files import csv_records, number, number_problem

REQUIRED = ("actor", "position", "salience", "capability")
SCENARIO_COLUMNS = {"scenario_name": "name", "scenario_date": "date", "scenario_description": "description"}
OPTIONAL = ("issue", "issue_min", "issue_max", "reference", "outcome", "actor_name", "issue_label", *SCENARIO_COLUMNS)
ALIASES = {"stakeholder": "actor", "power": "capability", "influence": "capability"}
META_KEYS = ("name", "description", "date", "assumption")
DEFAULT_ISSUE = "x"


def sniff(text: str) -> bool:
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            header = {c.strip().strip('"').lower() for c in re.split("[,;\t]", line)}
            # actor and position make a table; the reader then names any other column missing
            return {ALIASES.get(c, c) for c in header} >= {"actor", "position"}
    return False


# -- reading ----------------------------------------------------------------------------------


def parse(text: str, file: str) -> tuple[dict[str, Any], Any, list[Problem]]:
    meta: dict[str, str] = {}
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # as csv_records counts them
    start = 0
    while start < len(lines) and (not lines[start].strip() or lines[start].lstrip().startswith("#")):
        body = lines[start].strip().lstrip("#").strip()
        if ":" in body:
            key, _, value = body.partition(":")
            if key.strip().lower() in META_KEYS:
                meta[key.strip().lower()] = value.strip()
        start += 1
    first = lines[start] if start < len(lines) else ""
    delimiter = "," if "," in first else ";" if ";" in first else "\t" if "\t" in first else ","
    rows = csv_records("\n".join(lines[start:]), file, start + 1, delimiter=delimiter)
    return from_rows(rows, meta, file)


def parse_xlsx(data: bytes, file: str) -> tuple[dict[str, Any], Any, list[Problem]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise InputError([Problem(f"not a readable XLSX workbook ({type(exc).__name__}: {exc})", file)]) from None
    meta: dict[str, str] = {}
    sheets = book.sheetnames
    for sheet in book.worksheets:
        # read-only mode trusts a sheet's recorded size (<dimension>), which programs that write
        # XLSX files leave stale: without this, the rows beyond it would be dropped unread
        sheet.reset_dimensions()
    if "scenario" in sheets:
        for row in book["scenario"].iter_rows(values_only=True):
            if row and row[0] is not None and str(row[0]).strip().lower() in META_KEYS and len(row) > 1:
                meta[str(row[0]).strip().lower()] = "" if row[1] is None else str(row[1])
    data_sheets = [s for s in sheets if s != "scenario"]
    if not data_sheets:
        raise InputError([Problem("the workbook has no sheet of rows", file)])
    rows = [
        (n, ["" if v is None else v for v in row])
        for n, row in enumerate(book[data_sheets[0]].iter_rows(values_only=True), start=1)
    ]
    book.close()
    return from_rows(rows, meta, file)


def from_rows(rows: list[tuple[int, list[Any]]], meta: dict[str, str], file: str):
    problems: list[Problem] = []
    rows = [(n, r) for n, r in rows if any(str(c).strip() for c in r)]
    if not rows:
        raise InputError([Problem("the table is empty: a header row and one row per actor and issue are needed", file)])
    head_line, header = rows[0]
    columns: dict[str, int] = {}
    allowed = REQUIRED + OPTIONAL
    for k, cell in enumerate(header):
        name = str(cell).strip().lower()
        if not name:
            continue
        name = ALIASES.get(name, name)
        if name not in allowed:
            problems.append(Problem(f"unknown column `{cell}`; allowed: {', '.join(allowed)}", file, head_line))
        elif name in columns:
            problems.append(Problem(f"duplicate column `{cell}`", file, head_line))
        else:
            columns[name] = k
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        problems.append(Problem(f"missing column{plural}: {', '.join(missing)}", file, head_line))
    if problems:
        raise InputError(problems)
    if len(rows) == 1:
        raise InputError([Problem("the table has a header but no rows: the scenario is empty", file, head_line)])
    width = max(k for k, c in enumerate(header) if str(c).strip()) + 1

    where: dict[tuple[Any, ...], tuple[int, str | None]] = {}
    actors: dict[str, dict[str, Any]] = {}
    issues: dict[str, dict[str, Any]] = {}
    first_row: dict[tuple[str, str], int] = {}
    caps: dict[str, list[tuple[int, Any]]] = {}

    def cell(row: list[Any], col: str) -> Any:
        k = columns.get(col)
        value = row[k] if k is not None and k < len(row) else ""
        return value.strip() if isinstance(value, str) else value

    def num(row: list[Any], col: str, line: int) -> Any:
        value = cell(row, col)
        x = number(value)
        if x is None:
            problems.append(Problem(f"{col} {number_problem(value)}", file, line, f"column {col}"))
            return Reported(str(value))
        return x

    scenario_cells: dict[str, tuple[str, int]] = {}
    for line, row in rows[1:]:
        filled = [k for k, c in enumerate(row) if str(c).strip()]
        if filled[-1] >= width:
            # more values than columns: a delimiter inside an unquoted value has shifted the row
            problems.append(Problem(f"the row has {filled[-1] + 1} fields but the header has {width} columns; "
                                    "a value holding the delimiter must be in quotes", file, line))
            continue
        actor_id = str(cell(row, "actor"))
        issue_id = str(cell(row, "issue")) if "issue" in columns else DEFAULT_ISSUE
        if not actor_id or not issue_id:
            problems.append(Problem(f"{'actor' if not actor_id else 'issue'} is empty", file, line))
            continue
        if (actor_id, issue_id) in first_row:
            problems.append(Problem(f"duplicate row for actor `{actor_id}` on issue `{issue_id}` "
                                    f"(first on line {first_row[actor_id, issue_id]})", file, line))
            continue
        first_row[actor_id, issue_id] = line
        for col in SCENARIO_COLUMNS:
            k = columns.get(col)
            if k is None or k >= len(row) or not str(row[k]).strip():
                continue
            value = str(row[k]) if col == "scenario_description" else str(row[k]).strip()  # kept as written
            known, at = scenario_cells.setdefault(col, (value, line))
            if known != value:
                problems.append(Problem(f"{col} {value!r} differs from {known!r} on line {at}: a table holds one "
                                        "scenario", file, line, f"column {col}"))
        if issue_id not in issues:
            issues[issue_id] = {"id": issue_id, "_line": line, "_positions": []}
        issue = issues[issue_id]
        for col in ("issue_min", "issue_max", "reference", "outcome", "issue_label"):
            if col not in columns or cell(row, col) in ("", None):
                continue
            value = str(cell(row, col)) if col == "issue_label" else num(row, col, line)
            known = issue.get(col, value)
            if known != value and not isinstance(known, Reported) and not isinstance(value, Reported):
                problems.append(Problem(f"{col} {value!r} differs from {issue[col]!r} given for issue `{issue_id}` "
                                        f"on line {issue['_line']}", file, line, f"column {col}"))
            issue.setdefault(col, value)
        actor = actors.setdefault(actor_id, {"id": actor_id, "issues": {}, "_line": line})
        if "actor_name" in columns and cell(row, "actor_name") not in ("", None):
            name = str(cell(row, "actor_name"))
            if actor.setdefault("name", name) != name:
                problems.append(Problem(f"actor_name {name!r} differs from {actor['name']!r} given for actor "
                                        f"`{actor_id}` on line {actor['_line']}", file, line, "column actor_name"))
        stance = {"position": num(row, "position", line), "salience": num(row, "salience", line)}
        caps.setdefault(actor_id, []).append((line, num(row, "capability", line)))
        actor["issues"][issue_id] = stance
        if isinstance(stance["position"], float):
            issue["_positions"].append(stance["position"])
        a = list(actors).index(actor_id)
        for col in ("position", "salience", "capability"):
            where[("actors", a, "issues", issue_id, col)] = (line, col)
        where[("actors", a, "issues", issue_id)] = (line, None)
        where[("actors", a)] = (actor["_line"], "actor")

    warnings: list[Problem] = []
    # One capability per actor when all its rows agree, else one per stance.
    for a, (actor_id, actor) in enumerate(actors.items()):
        values = caps[actor_id]
        if len({repr(v) for _, v in values}) == 1:
            actor["capability"] = values[0][1]
            where[("actors", a, "capability")] = (values[0][0], "capability")
        else:
            for (_, v), stance in zip(values, actor["issues"].values()):
                stance["capability"] = v
    issue_list = []
    for i, (issue_id, issue) in enumerate(issues.items()):
        out: dict[str, Any] = {"id": issue_id}
        if "issue_label" in issue:
            out["label"] = issue["issue_label"]
        lo, hi = issue.get("issue_min"), issue.get("issue_max")
        if lo is None or hi is None:
            pos = issue["_positions"]
            if lo is None and hi is None and pos and min(pos) < max(pos):
                lo, hi = min(pos), max(pos)
                warnings.append(Problem(
                    f"issue `{issue_id}` has no issue_min/issue_max: its scale is taken as the range of its "
                    f"positions [{lo:g}, {hi:g}]; add the columns to set it", file, issue["_line"], severity="warning"))
            else:
                problems.append(Problem(f"issue `{issue_id}` needs both issue_min and issue_max (its positions do "
                                        "not span a range to take the scale from)", file, issue["_line"]))
                lo, hi = Reported(""), Reported("")  # no scale to check its positions against
        out["scale"] = {"min": lo, "max": hi}
        for col in ("reference", "outcome"):
            if col in issue:
                out[col] = issue[col]
                where[("issues", i, col)] = (issue["_line"], col)
        where[("issues", i)] = (issue["_line"], None)
        where[("issues", i, "scale")] = (issue["_line"], "issue_min")
        issue_list.append(out)
    for actor in actors.values():
        actor.pop("_line")
    for col, (value, line) in scenario_cells.items():
        key = SCENARIO_COLUMNS[col]
        if meta.get(key, value) != value:
            problems.append(Problem(f"{col} {value!r} differs from the `{key}: {meta[key]}` line above the table",
                                    file, line, f"column {col}"))
        meta[key] = value
    raw = {
        "name": meta.get("name") or Path(file).stem,
        **{k: meta[k] for k in ("date", "description") if meta.get(k)},
        "assumption": meta.get("assumption") or f"values from the table {Path(file).name}, which records no evidence",
        "issues": issue_list,
        "actors": list(actors.values()),
    }

    def locate(loc: tuple[Any, ...]) -> tuple[int | None, str | None]:
        return where.get(loc, (None, None))

    return raw, locate, problems + warnings


# -- writing ----------------------------------------------------------------------------------


def rows(scenario: Scenario) -> tuple[list[str], list[list[Any]]]:
    has_label = any(i.label for i in scenario.issues)
    has_name = any(a.name for a in scenario.actors)
    has_ref = any(i.reference for i in scenario.issues)
    has_out = any(i.outcome for i in scenario.issues)
    header = ["actor"] + (["actor_name"] if has_name else []) + ["issue"] + (["issue_label"] if has_label else [])
    header += ["issue_min", "issue_max"] + (["reference"] if has_ref else [])
    header += (["outcome"] if has_out else []) + ["position", "salience", "capability"]
    out = []
    for actor in scenario.actors:
        for issue in scenario.issues:
            stance = actor.issues.get(issue.id)
            if stance is None:
                continue
            cap = scenario.capability(actor, issue.id)
            row: list[Any] = [actor.id] + ([actor.name or ""] if has_name else []) + [issue.id]
            row += [issue.label or ""] if has_label else []
            row += [issue.scale.min, issue.scale.max]
            row += [issue.reference.point if issue.reference else ""] if has_ref else []
            row += [issue.outcome.point if issue.outcome else ""] if has_out else []
            row += [stance.position.point, stance.salience.point, cap.point if cap else ""]
            out.append(row)
    return header, out


def lost(scenario: Scenario, fmt: str) -> list[Problem]:
    """Warnings for what a table-like format cannot hold."""
    out = []
    n_claims = sum(len(e.claims) for e in scenario.estimates())
    if scenario.sources or n_claims:
        out.append(f"{len(scenario.sources)} sources and {n_claims} claims (the evidence); each value keeps "
                   "only its consensus")
    if any(e.assumption for e in scenario.estimates()):
        out.append("per-value assumptions")
    if any(i.scale.anchors for i in scenario.issues) and fmt != "decide":
        out.append("the labelled anchor points of the scales")
    if any(a.description for a in scenario.actors) and fmt == "table":
        out.append("actor descriptions")
    if scenario.settings and fmt != "yaml":
        out.append(f"model settings ({', '.join(scenario.settings)})")
    ruled = [i.id for i in scenario.issues if scenario.decision_rule(i) is not None]
    if ruled:
        out.append(f"decision rules (issues {', '.join(ruled)})")
    return [Problem(f"the {fmt} format has no place for {what}: they are not written; keep the YAML form "
                    "to keep them", severity="warning") for what in out]


def _meta(scenario: Scenario) -> list[tuple[str, str]]:
    pairs = [("name", scenario.name), ("date", scenario.date), ("description", scenario.description)]
    return [(k, " ".join(str(v).split())) for k, v in pairs if v]


def write(scenario: Scenario) -> tuple[bytes, list[Problem]]:
    """A plain CSV table: the scenario's name, date and description in columns of their own,
    filled on the first row, so that any CSV reader takes the file as it is."""
    header, body = rows(scenario)
    meta = [(f"scenario_{k}", str(v)) for k, v in
            (("name", scenario.name), ("date", scenario.date), ("description", scenario.description)) if v]
    header += [k for k, _ in meta]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows([[repr(v) if isinstance(v, float) else v for v in row] + [v if k == 0 else "" for _, v in meta]
                 for k, row in enumerate(body)])
    return buf.getvalue().encode("utf-8"), lost(scenario, "table")


def write_xlsx(scenario: Scenario) -> tuple[bytes, list[Problem]]:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "stances"
    header, body = rows(scenario)
    sheet.append(header)
    for row in body:
        sheet.append(row)
    meta = book.create_sheet("scenario")
    for pair in _meta(scenario):
        meta.append(list(pair))
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue(), lost(scenario, "table")
