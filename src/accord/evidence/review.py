"""The analyst's review: candidates out to a file, accepted claims back into the scenario.

:func:`write_review` writes the candidates of a scan to a YAML or CSV file, one row each, with
the columns an analyst fills in: ``decision`` (``accept`` or ``reject``), ``field``
(``position``, ``salience``, ``capability`` or ``reference``), ``value``, ``quote`` (the
sentence, to be cut down to the words that back the value) and ``note``. Any column may be
edited: a candidate that names the wrong actor is corrected rather than rejected, and rows may
be copied (one sentence backing two numbers) or added by hand.

:func:`apply_review` merges the accepted rows into the scenario. Every row is checked first
and all problems are reported at once, with the row's line: known actor, issue and source;
a number inside the field's range; and the quote found verbatim (up to spacing) in its
article. A claim lands where the field says; a value that rested only on an assumption now
rests on the claims (the assumption is replaced, and said so); a claim already present is
not added twice. The scenario is validated as a whole before it is written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..checks import build, normalize_space
from ..errors import InputError, Problem
from ..io._files import csv_records, decode, number, number_problem, read_bytes
from ..io.native import parse as parse_yaml
from ..scenario import Scenario
from .scan import Candidate

FIELDS = ("position", "salience", "capability", "reference")
DECISIONS = ("accept", "reject", "")
COLUMNS = ("id", "decision", "field", "value", "actor", "issue", "source", "quote", "note",
           "article", "stance", "score", "start", "end", "sentence")
_HELP = """\
# accord evidence review: one row per candidate claim.
# For each row set `decision` to accept or reject. For an accepted row set `value` (the number
# the quote backs, on the issue's scale; salience in [0, 1]), `field` (position, salience,
# capability or reference), and cut `quote` down to the words that back it: it must stay
# verbatim. Edit actor, issue or source if the scan got them wrong; copy a row to use one
# sentence twice. Then: accord evidence apply THIS_FILE --scenario SCENARIO -o OUT.yaml
"""


@dataclass
class Row:
    line: int | None
    data: dict[str, Any]

    def get(self, key: str) -> Any:
        value = self.data.get(key)
        return value.strip() if isinstance(value, str) else value


def source_of(scenario: Scenario, article: str) -> str:
    """The id of the scenario's source whose text is this article, or '' if none is."""
    name = Path(article).name
    return next((s.id for s in scenario.sources if s.text and Path(s.text).name == name), "")


def review_rows(scenario: Scenario, candidates: list[Candidate]) -> list[dict[str, Any]]:
    return [{
        "id": k + 1, "decision": "", "field": "position", "value": None, "actor": c.actor, "issue": c.issue,
        "source": source_of(scenario, c.article), "quote": c.sentence, "note": caveat(c), "article": c.article,
        "stance": c.stance, "score": c.score, "start": c.start, "end": c.end, "sentence": c.sentence,
    } for k, c in enumerate(candidates)]


def caveat(c: Candidate) -> str:
    """What the reviewer should know of how the scan read a candidate ('' for a plain one)."""
    said = []
    if c.via == "speaker":
        said.append("the speaker's link: the sentence " + ("names the speaker only as 'I' or 'we'" if c.mention
                                                           else "does not name the actor"))
    if c.stance_from == "article":
        said.append("direction from the article's other links of this actor and issue")
    return "; ".join(said)


def dumps_review(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in rows)
        return buf.getvalue()
    return _HELP + yaml.safe_dump({"candidates": rows}, sort_keys=False, allow_unicode=True, width=100)


def review_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".csv":
        return "csv"
    raise InputError([Problem("a review file is .yaml, .yml or .csv", str(path))])


def read_review(path: Path) -> list[Row]:
    name = str(path)
    text = decode(read_bytes(path), name)
    if review_format(path) == "csv":
        records = csv_records(text, name)
        if not records:
            raise InputError([Problem("the review file is empty", name)])
        header = [h.strip() for h in records[0][1]]
        missing = [c for c in ("decision", "field", "value", "actor", "issue", "source", "quote", "article")
                   if c not in header]
        if missing:
            raise InputError([Problem(f"missing column(s): {', '.join(missing)}", name, records[0][0])])
        return [Row(line, dict(zip(header, cells))) for line, cells in records[1:] if any(c.strip() for c in cells)]
    raw, locate, problems = parse_yaml(text, name)
    if problems:
        raise InputError(problems)
    rows = raw.get("candidates") if isinstance(raw, dict) else None
    if not isinstance(rows, list):
        raise InputError([Problem("a review file is a mapping with a list `candidates`", name)])
    return [Row(locate(("candidates", k))[0], r if isinstance(r, dict) else {}) for k, r in enumerate(rows)]


def apply_review(scenario: Scenario, review: Path, texts: list[Path], base_dir: Path | None = None
                 ) -> tuple[Scenario, list[str]]:
    """Merge the accepted rows of a review file; return the new scenario and what was done."""
    rows = read_review(review)
    name = str(review)
    problems: list[Problem] = []
    accepted = []
    for row in rows:
        errors = _check_row(row, scenario)
        if not errors and row.get("decision") == "accept":
            errors += _check_quote(row, scenario, [review.parent, *texts, *([base_dir] if base_dir else [])])
        problems += [Problem(e, name, row.line) for e in errors]
        if not errors and row.get("decision") == "accept":
            accepted.append(row)
    if problems:
        raise InputError(problems)
    data = scenario.canonical()
    report = [_merge(data, scenario, row) for row in accepted]
    merged, _ = build(data, file=name)
    return merged, report


def _check_row(row: Row, scenario: Scenario) -> list[str]:
    decision = (row.get("decision") or "").lower()
    if decision not in DECISIONS:
        return [f"`decision` {row.get('decision')!r} is not one of: accept, reject (or empty: undecided)"]
    if decision != "accept":
        return []
    out = []
    field = row.get("field") or "position"
    if field not in FIELDS:
        out.append(f"`field` {field!r} is not one of: {', '.join(FIELDS)}")
    actor, issue = row.get("actor"), row.get("issue")
    if field != "reference" and actor not in scenario.actor_ids:
        out.append(f"unknown actor {actor!r}; known: {', '.join(scenario.actor_ids)}")
    if field != "capability" and issue not in scenario.issue_ids:
        out.append(f"unknown issue {issue!r}; known: {', '.join(scenario.issue_ids)}")
    if row.get("source") not in {s.id for s in scenario.sources}:
        known = ", ".join(s.id for s in scenario.sources) or "none"
        out.append(f"unknown source {row.get('source')!r}: add the article to the scenario's `sources` (with "
                   f"`text: <file>`) or name one of: {known}")
    out += _check_value(row.get("value"), field, issue, scenario)
    return out


def _check_value(value: Any, field: str, issue: str | None, scenario: Scenario) -> list[str]:
    x = None if value is None else number(value)
    if x is None:
        why = number_problem("" if value is None else value)
        return [f"`value` {why}: an accepted row needs the number its quote backs"]
    if field == "salience" and not 0 <= x <= 1:
        return [f"salience {x:g} is outside [0, 1]"]
    if field == "capability" and x < 0:
        return [f"capability {x:g} is below 0"]
    if field in ("position", "reference") and issue in scenario.issue_ids:
        scale = scenario.issue(issue).scale
        if not scale.min <= x <= scale.max:
            return [f"{field} {x:g} is outside the issue's scale [{scale.min:g}, {scale.max:g}]"]
    return []


def _check_quote(row: Row, scenario: Scenario, folders: list[Path]) -> list[str]:
    article = row.get("article") or ""
    source = next(s for s in scenario.sources if s.id == row.get("source"))
    names = [article, *([source.text] if source.text else [])]
    path = next((d / n for n in names if n for d in [Path("."), *folders] if (d / n).is_file()), None)
    if path is None:
        return [f"the article {article or source.text!r} was not found: give its folder with --texts"]
    quote = normalize_space(str(row.get("quote") or ""))
    if not quote:
        return ["`quote` is empty: an accepted row needs the words that back its value"]
    body = normalize_space(decode(read_bytes(path), str(path)))
    if quote not in body:
        return [f"quote not found verbatim in {path.name}: {quote[:70]!r}"]
    return []


def _merge(data: dict[str, Any], scenario: Scenario, row: Row) -> str:
    field = row.get("field") or "position"
    claim = {"source": row.get("source"), "quote": normalize_space(str(row.get("quote"))),
             "value": _number(row.get("value"))}
    if row.get("note"):
        claim["note"] = row.get("note")
    where, holder, key = _target(data, scenario, row, field)
    if holder is None:
        return f"{where}: no stance to add to (give the actor a stance on the issue first); skipped"
    estimate = holder.get(key)
    if estimate is None:
        holder[key] = {"claims": [claim]}
        return f"{where}: new, from this claim"
    if not isinstance(estimate, dict):
        estimate = holder[key] = {"value": estimate}
    claims = estimate.setdefault("claims", [])
    if any((c["source"], c["quote"], c.get("value")) == (claim["source"], claim["quote"], claim["value"])
           for c in claims):
        return f"{where}: claim already present; not added again"
    claims.append(claim)
    if estimate.get("assumption") and len(claims) == 1:
        del estimate["assumption"]
        estimate.pop("value", None)
        return f"{where}: the assumption is replaced by this claim"
    if "value" in estimate:
        return f"{where}: claim added; the explicit value {estimate['value']:g} still decides the number"
    return f"{where}: claim added"


def _target(data: dict[str, Any], scenario: Scenario, row: Row, field: str):
    actor, issue = row.get("actor"), row.get("issue")
    if field == "reference":
        return f"{issue} reference", data["issues"][scenario.issue_ids.index(issue)], "reference"
    entry = data["actors"][scenario.actor_ids.index(actor)]
    if field == "capability":
        return f"{actor} capability", entry, "capability"
    stance = entry.get("issues", {}).get(issue)
    return f"{actor} {issue} {field}", stance, field


def _number(value: Any) -> float | int:
    x = number(value)
    return int(x) if x.is_integer() else x
