"""decide-exchange-model's tagged input files (``#A/#P/#M/#D``), read and written.

Delimited text (TAB in the shipped files; comma or semicolon also read), fields optionally
in single quotes, each row starting with a tag:

====  =====================================================  ================================
tag   fields after the tag                                   in accord
====  =====================================================  ================================
#A    actor id, full name, comment                           actor id, name, description
#P    issue id, description, comment                         issue id, label, description
#M    issue id, position, meaning                            a scale point; min and max of an
                                                             issue's #M rows set its scale
#D    actor id, issue id, position, salience, power, note    a stance; power is the capability
                                                             on that issue
#O    title                                                  scenario name
#/    text                                                   a comment (skipped)
====  =====================================================  ================================

Saliences are in [0, 1] as in accord. An issue without ``#M`` rows is on 0-100 (decide's
default), and the reader says so. Actors may be absent from issues.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from ..checks import Reported
from ..errors import Problem
from ..scenario import Scenario
from ._files import csv_records, number, number_problem
from .table import lost

TAGS = ("#A", "#P", "#M", "#D", "#O", "#/")


def sniff(text: str) -> bool:
    for line in text.splitlines():
        if line.strip():
            return line.strip().strip("'\"").startswith(TAGS)
    return False


def parse(text: str, file: str) -> tuple[dict[str, Any], Any, list[Problem]]:
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = "\t" if "\t" in first else ";" if ";" in first else ","
    records = csv_records(text, file, delimiter=delimiter, quotechar="'", skipinitialspace=True)
    problems: list[Problem] = []
    title = ""
    actors: dict[str, dict[str, Any]] = {}
    issues: dict[str, dict[str, Any]] = {}
    marks: dict[str, list[tuple[float, str, int]]] = {}
    unread: set[str] = set()  # issues with an unreadable #M row: their scale is unknown
    data: list[tuple[int, list[str]]] = []
    where: dict[tuple[Any, ...], tuple[int, str | None]] = {}
    for line, row in records:
        row = [c.strip() for c in row]
        if not any(row):
            continue
        tag, fields = row[0], row[1:]
        if tag not in TAGS:
            problems.append(Problem(f"unknown row tag {tag!r}; allowed: {', '.join(TAGS)}", file, line))
            continue
        if tag == "#/":
            continue
        if tag == "#O":
            title = " ".join(fields).strip()
            continue
        need = {"#A": 1, "#P": 1, "#M": 2, "#D": 5}[tag]
        if len([f for f in fields[:need] if f]) < need:
            what = {"#A": "an actor id", "#P": "an issue id", "#M": "an issue id and a position",
                    "#D": "actor id, issue id, position, salience and power"}[tag]
            problems.append(Problem(f"a {tag} row needs {what}", file, line))
            continue
        if tag == "#A":
            if fields[0] in actors:
                problems.append(Problem(f"actor `{fields[0]}` is declared twice", file, line))
                continue
            actor = {"id": fields[0], "issues": {}, "_line": line}
            if len(fields) > 1 and fields[1] and fields[1] != fields[0]:
                actor["name"] = fields[1]
            if len(fields) > 2 and " ".join(fields[2:]).strip():
                actor["description"] = " ".join(fields[2:]).strip()
            actors[fields[0]] = actor
        elif tag == "#P":
            if fields[0] in issues:
                problems.append(Problem(f"issue `{fields[0]}` is declared twice", file, line))
                continue
            issue = {"id": fields[0], "_line": line}
            if len(fields) > 1 and fields[1] and fields[1] != fields[0]:
                issue["label"] = fields[1]
            if len(fields) > 2 and " ".join(fields[2:]).strip():
                issue["description"] = " ".join(fields[2:]).strip()
            issues[fields[0]] = issue
        elif tag == "#M":
            x = number(fields[1])
            if x is None:
                problems.append(Problem(f"#M position {number_problem(fields[1])}", file, line))
                unread.add(fields[0])
                continue
            marks.setdefault(fields[0], []).append((x, " ".join(fields[2:]).strip(), line))
        else:
            data.append((line, fields))
    for issue_id, points in marks.items():
        if issue_id not in issues:
            problems.append(Problem(f"#M row for undeclared issue `{issue_id}` (declare it with a #P row)", file,
                                    points[0][2]))
    seen: dict[tuple[str, str], int] = {}
    actor_ids = list(actors)
    for line, fields in data:
        actor_id, issue_id = fields[0], fields[1]
        if actor_id not in actors:
            problems.append(Problem(f"#D row for undeclared actor `{actor_id}` (declare it with a #A row)", file, line))
            continue
        if issue_id not in issues:
            problems.append(Problem(f"#D row for undeclared issue `{issue_id}` (declare it with a #P row)", file, line))
            continue
        if (actor_id, issue_id) in seen:
            problems.append(Problem(f"second #D row for actor `{actor_id}` on issue `{issue_id}` (first on line "
                                    f"{seen[actor_id, issue_id]})", file, line))
            continue
        seen[actor_id, issue_id] = line
        stance: dict[str, Any] = {}
        for key, text in (("position", fields[2]), ("salience", fields[3]), ("capability", fields[4])):
            x = number(text)
            if x is None:
                problems.append(Problem(f"{key} {number_problem(text)}", file, line))
            stance[key] = Reported(text) if x is None else x
        if len(fields) > 5 and " ".join(fields[5:]).strip():
            stance["note"] = " ".join(fields[5:]).strip()
        actors[actor_id]["issues"][issue_id] = stance
        a = actor_ids.index(actor_id)
        for key in ("position", "salience", "capability"):
            where[("actors", a, "issues", issue_id, key)] = (line, None)
        where[("actors", a, "issues", issue_id)] = (line, None)
    warnings = []
    issue_list = []
    for i, (issue_id, issue) in enumerate(issues.items()):
        points = marks.get(issue_id, [])
        if points:
            lo, hi = min(p[0] for p in points), max(p[0] for p in points)
        else:
            lo, hi = 0.0, 100.0
            warnings.append(Problem(f"issue `{issue_id}` has no #M rows: its scale is 0-100, as decide assumes",
                                    file, issue["_line"], severity="warning"))
        scale: dict[str, Any] = {"min": lo, "max": hi}
        if issue_id in unread:
            scale = {"min": Reported(""), "max": Reported("")}
        anchors = [{"value": x, "label": label} for x, label, _ in sorted(points) if label]
        if anchors:
            scale["anchors"] = anchors
        where[("issues", i)] = (issue.pop("_line"), None)
        where[("issues", i, "scale")] = (points[0][2], None) if points else where[("issues", i)]
        issue_list.append({**issue, "scale": scale})
    for a, actor in enumerate(actors.values()):
        where[("actors", a)] = (actor.pop("_line"), None)
    raw = {
        "name": title or Path(file).stem,
        "assumption": f"values from the decide file {Path(file).name}, which records no evidence",
        "issues": issue_list,
        "actors": list(actors.values()),
    }
    return raw, lambda loc: where.get(loc, (None, None)), problems + warnings


def write(scenario: Scenario) -> tuple[bytes, list[Problem]]:
    warnings = lost(scenario, "decide")
    if scenario.description:
        warnings.append(Problem("the decide format has no place for the scenario's description", severity="warning"))
    if any(i.reference for i in scenario.issues):
        warnings.append(Problem("the decide format has no reference points: they are not written", severity="warning"))
    if any(i.outcome for i in scenario.issues):
        warnings.append(Problem("the decide format has no recorded outcomes: they are not written", severity="warning"))
    inputs = scenario.inputs()
    lines = [["#O", scenario.name]]
    for actor in scenario.actors:
        lines.append(["#A", actor.id, actor.name or actor.id, actor.description or ""])
    for issue in scenario.issues:
        lines.append(["#P", issue.id, issue.label or issue.id, issue.description or ""])
        labels = {a.value: a.label for a in issue.scale.anchors}
        points = sorted({issue.scale.min, issue.scale.max, *labels})
        lines += [["#M", issue.id, float(x), labels.get(x, "")] for x in points]
    for a, actor in enumerate(scenario.actors):
        for i, issue in enumerate(scenario.issues):
            stance = actor.issues.get(issue.id)
            if stance is None:
                continue
            row = ["#D", actor.id, issue.id, float(inputs.position[a, i]),
                   float(inputs.salience[a, i]), float(inputs.capability[a, i])]
            if stance.note:
                row.append(stance.note)
            lines.append(row)
    buf = io.StringIO()
    # Text in single quotes (a quote inside doubled), numbers bare: as decide's own files.
    csv.writer(buf, delimiter="\t", quotechar="'", quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(
        [[" ".join(v.split()) if isinstance(v, str) else v for v in row] for row in lines])
    return buf.getvalue().encode("utf-8"), warnings
