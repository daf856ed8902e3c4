"""KTAB's SMP scenario files: CSV (read and written) and XML (read).

CSV layout (KTAB ``SMPModel::csvRead``)::

    <scenario name>, <description>, <number of actors>, <number of dimensions>,
    Actor, Description, Power, <dim> Position, <dim> Salience, ...
    <actor>, <description>, <capability>, <position>, <salience>, ...

KTAB positions and saliences are on 0-100 and an actor's saliences sum to at most 100; accord
reads each dimension as an issue on a 0-100 scale and divides saliences by 100. The XML form
(``smpSchema.xsd``) adds the PRNG seed, the nine model options (``ModelParameters``) and the
accommodation matrix (``IdealAdjustment``); these are kept in the scenario's
``settings.smp``.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import xml.parsers.expat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..checks import Reported
from ..errors import InputError, Problem
from ..scenario import Scenario
from ._files import csv_records, from_percent, number, number_problem, to_percent
from .table import lost

MAX_CAPABILITY = 1e8  # KTAB's own bound
OPTIONS = ("VictoryProbModel", "PCEModel", "StateTransitions", "VotingRule", "BigRAdjust", "BigRRange",
           "ThirdPartyCommit", "InterVecBrgn", "BargnModel")


def sniff(text: str) -> bool:
    lines = [ln for ln in text.splitlines() if ln.strip()][:2]
    if len(lines) < 2:
        return False
    first = [c.strip() for c in next(csv.reader([lines[0]]))]  # a quoted description may hold commas
    return (len(first) >= 4 and number(first[2]) is not None and number(first[3]) is not None
            and lines[1].strip().lower().startswith("actor"))


def sniff_xml(text: str) -> bool:
    return "<Scenario" in text[:2000]


# -- CSV --------------------------------------------------------------------------------------


def parse(text: str, file: str) -> tuple[dict[str, Any], Any, list[Problem]]:
    problems: list[Problem] = []
    rows = [(n, [c.strip() for c in row]) for n, row in csv_records(text, file)]
    rows = [(n, _trim(r)) for n, r in rows if any(r)]
    if len(rows) < 2:
        raise InputError([Problem("a KTAB CSV needs a first line `name, description, actors, dimensions` and a "
                                  "header line `Actor, Description, Power, ...`", file)])
    (l1, first), (l2, header) = rows[0], rows[1]
    if len(first) < 4:
        raise InputError([Problem("the first line must be `name, description, number of actors, number of "
                                  "dimensions`", file, l1)])
    n_actors, n_dims = number(first[2]), number(first[3])
    for label, value, raw in (("number of actors", n_actors, first[2]), ("number of dimensions", n_dims, first[3])):
        if value is None or value != int(value) or value < 1:
            problems.append(Problem(f"{label} must be a whole number >= 1, got {raw!r}", file, l1))
    pairs = header[3:]
    if len(pairs) % 2 or not pairs:
        problems.append(Problem("after Actor, Description and Power the header needs a Position and a Salience "
                                "column for each dimension", file, l2))
    if problems:
        raise InputError(problems)
    dims = [_dim_name(pairs[2 * k], k) for k in range(len(pairs) // 2)]
    if len(dims) != n_dims:
        problems.append(Problem(f"the first line says {int(n_dims)} dimensions but the header has {len(dims)}",
                                file, l2))
    if len(set(dims)) != len(dims):
        problems.append(Problem(f"dimension names repeat: {', '.join(dims)}", file, l2))
    body = rows[2:]
    if len(body) != n_actors:
        problems.append(Problem(f"the first line says {int(n_actors)} actors but {len(body)} actor rows follow",
                                file, l1))
    where: dict[tuple[Any, ...], tuple[int, str | None]] = {}
    actors = []
    for line, row in body:
        if len(row) != 3 + 2 * len(dims):
            problems.append(Problem(f"expected {3 + 2 * len(dims)} fields (actor, description, power and a position "
                                    f"and salience per dimension), found {len(row)}", file, line))
            continue
        a = len(actors)
        actor: dict[str, Any] = {"id": row[0], "issues": {}}
        if row[1]:
            actor["name"] = row[1]  # KTAB's "Description" holds the full name ("XJ": "Xi Jinping")
        cap = _num(row[2], 0, MAX_CAPABILITY, "power", line, file, problems, header[2])
        actor["capability"] = cap
        where[("actors", a)] = (line, "Actor")
        where[("actors", a, "capability")] = (line, header[2])
        total = 0.0
        for k, dim in enumerate(dims):
            pos = _num(row[3 + 2 * k], 0, 100, "position", line, file, problems, header[3 + 2 * k])
            sal = _num(row[4 + 2 * k], 0, 100, "salience", line, file, problems, header[4 + 2 * k])
            total += sal if isinstance(sal, float) else 0.0
            actor["issues"][dim] = {"position": pos, "salience": from_percent(sal) if isinstance(sal, float) else sal}
            where[("actors", a, "issues", dim, "position")] = (line, header[3 + 2 * k])
            where[("actors", a, "issues", dim, "salience")] = (line, header[4 + 2 * k])
        if total > 100 + 1e-9:
            problems.append(Problem(f"the saliences of actor `{row[0]}` sum to {total:g}; KTAB allows at most 100",
                                    file, line))
        actors.append(actor)
    raw = {
        "name": first[0] or Path(file).stem,
        **({"description": first[1]} if first[1] else {}),
        "assumption": f"values from the KTAB file {Path(file).name}, which records no evidence",
        "issues": [{"id": d, "scale": {"min": 0.0, "max": 100.0}} for d in dims],
        "actors": actors,
    }
    return raw, lambda loc: where.get(loc, (None, None)), problems


def _trim(row: list[str]) -> list[str]:
    while row and not row[-1]:
        row = row[:-1]
    return row


def _dim_name(column: str, k: int) -> str:
    name = re.sub(r"\s*position\s*$", "", column, flags=re.IGNORECASE).strip()
    return name or f"dim{k}"


def _num(text: str, lo: float, hi: float, what: str, line: int, file: str, problems: list[Problem],
         column: str | None = None) -> Any:
    x = number(text)
    col = f"column {column}" if column else None
    if x is None:
        problems.append(Problem(f"{what} {number_problem(text)}", file, line, col))
        return Reported(text)
    if not lo <= x <= hi:
        problems.append(Problem(f"{what} {x:g} is outside KTAB's range [{lo:g}, {hi:g}]", file, line, col))
        return Reported(text)
    return x


def write(scenario: Scenario) -> tuple[bytes, list[Problem]]:
    problems, warnings = [], lost(scenario, "KTAB")
    inputs = scenario.inputs()
    for a, actor in enumerate(scenario.actors):
        missing = [i for i in scenario.issue_ids if i not in actor.issues]
        if missing:
            problems.append(Problem(f"KTAB needs every actor on every dimension: `{actor.id}` has no stance on "
                                    f"{', '.join(missing)}"))
        caps = {repr(c) for c in inputs.capability[a] if c == c}
        if len(caps) > 1:
            problems.append(Problem(f"KTAB has one capability per actor: `{actor.id}` has different ones by issue"))
        if inputs.salience[a].sum() > 1 + 1e-9:
            problems.append(Problem(f"KTAB allows an actor's saliences to sum to at most 100: `{actor.id}` sums to "
                                    f"{100 * inputs.salience[a].sum():g}"))
    if problems:
        raise InputError(problems)
    for issue in scenario.issues:
        if (issue.scale.min, issue.scale.max) != (0, 100):
            warnings.append(Problem(f"issue `{issue.id}` is on [{issue.scale.min:g}, {issue.scale.max:g}]; KTAB "
                                    "positions are 0-100, so its positions are mapped linearly onto 0-100",
                                    severity="warning"))
        if issue.reference:
            warnings.append(Problem(f"KTAB has no reference point: that of `{issue.id}` is not written",
                                    severity="warning"))
        if issue.outcome:
            warnings.append(Problem(f"KTAB has no recorded outcome: that of `{issue.id}` is not written",
                                    severity="warning"))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([scenario.name, scenario.description or "", len(scenario.actors), len(scenario.issues)])
    header = ["Actor", "Description", "Power"]
    for issue in scenario.issues:
        header += [f"{issue.id} Position", f"{issue.id} Salience"]
    w.writerow(header)
    span = inputs.scale_max - inputs.scale_min
    position = 100 * (inputs.position - inputs.scale_min) / span
    for a, actor in enumerate(scenario.actors):
        row = [actor.id, actor.name or actor.description or "", _decimal(float(inputs.capability[a, 0]))]
        for i in range(len(scenario.issues)):
            row += [_decimal(float(position[a, i])), _decimal(float(to_percent(float(inputs.salience[a, i]))))]
        w.writerow(row)
    return buf.getvalue().encode("utf-8"), warnings


def _decimal(x: float) -> str:
    """A number to 15 significant digits, as many as a double holds for certain (DBL_DIG): any
    number written with 15 digits or fewer comes out as it was read, while the noise of the
    arithmetic behind a mean or a rescaled position (38.333333333333336, 19.999999999999998)
    does not appear."""
    return format(x, ".15g")


# -- XML (read only) ---------------------------------------------------------------------------


@dataclass
class _Element:
    tag: str
    line: int
    text: str = ""
    children: list[_Element] = field(default_factory=list)

    def all(self, tag: str) -> list[_Element]:
        return [c for c in self.children if c.tag == tag]

    def one(self, tag: str) -> _Element | None:
        found = self.all(tag)
        return found[0] if found else None


def _xml_tree(data: bytes, file: str) -> _Element:
    parser = xml.parsers.expat.ParserCreate()
    root = _Element("", 0)
    stack = [root]

    def start(tag: str, attrs: dict[str, str]) -> None:
        el = _Element(tag, parser.CurrentLineNumber)
        stack[-1].children.append(el)
        stack.append(el)

    def end(tag: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        stack[-1].text += text

    def entity(*args: Any) -> None:  # refusing entity definitions rules out entity-expansion bombs
        raise InputError([Problem("XML entity declarations are not allowed", file, parser.CurrentLineNumber)])

    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    parser.EntityDeclHandler = entity
    try:
        parser.Parse(_xml_input(data, file), True)
    except xml.parsers.expat.ExpatError as exc:
        raise InputError([Problem(f"XML syntax error: {xml.parsers.expat.errors.messages[exc.code]}", file,
                                  exc.lineno)]) from None
    except (LookupError, ValueError) as exc:  # an encoding expat asked Python for and could not use
        raise InputError([Problem(f"cannot read the XML file's encoding ({exc}); save it as UTF-8", file)]) from None
    if not root.children:
        raise InputError([Problem("the XML file has no elements", file)])
    return root.children[0]


_DECLARED = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']""")
_EXPAT_READS = {"utf-8", "utf-16", "iso8859-1", "ascii"}  # codecs.lookup names of expat's own decoders
_UTF32 = ((b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\x00<", "utf-32-be"),
          (b"<\x00\x00\x00", "utf-32-le"))  # byte-order marks, then "<" alone (XML 1.0, appendix F)


def _xml_input(data: bytes, file: str) -> bytes | str:
    """The file as expat should get it: the bytes, if expat decodes their encoding itself
    (UTF-8, UTF-16, Latin-1, ASCII); else the text, decoded by Python's codec for the encoding
    the file declares or (UTF-32) starts with, so that every encoding Python knows is read."""
    codec = next((c for mark, c in _UTF32 if data.startswith(mark)), None)
    declared = _DECLARED.match(data.lstrip(b"\xef\xbb\xbf \t\r\n")) if codec is None else None
    if declared:
        name = declared.group(1).decode("ascii")
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            raise InputError([Problem(f"the XML declaration names the encoding {name!r}, which is not known; save "
                                      "the file as UTF-8", file, 1)]) from None
    if codec is None or codec in _EXPAT_READS:
        return data
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].decode(codec, errors="replace").count("\n") + 1
        raise InputError([Problem(f"not valid {codec} text: byte {exc.start} ({exc.reason}) cannot be decoded; save "
                                  "the file as UTF-8", file, line)]) from None


def parse_xml(data: bytes, file: str) -> tuple[dict[str, Any], Any, list[Problem]]:
    top = _xml_tree(data, file)
    problems: list[Problem] = []
    if top.tag != "Scenario":
        raise InputError([Problem(f"the root element is <{top.tag}>; a KTAB scenario's is <Scenario>", file, top.line)])
    where: dict[tuple[Any, ...], tuple[int, str | None]] = {}

    def text(el: _Element | None, tag: str, required: bool = True) -> str:
        child = el.one(tag) if el is not None else None
        if child is None or not child.text.strip():
            if required:
                problems.append(Problem(f"<{tag}> is missing or empty", file, (child or el or top).line))
            return ""
        return child.text.strip()

    dims_el = top.one("Dimensions")
    dims = [d.text.strip() for d in dims_el.all("dName")] if dims_el is not None else []
    if not dims:
        problems.append(Problem("<Dimensions> must list at least one <dName>", file, (dims_el or top).line))
    settings: dict[str, Any] = {}
    seed = text(top, "prngSeed", required=False)
    if seed:
        if re.fullmatch("[0-9]+", seed):  # str.isdigit() would take fullwidth and other digits
            settings["seed"] = int(seed)
        else:
            problems.append(Problem(f"<prngSeed> must be a whole number, got {seed!r}", file, top.one("prngSeed").line))
    params = top.one("ModelParameters")
    if params is not None:
        for child in params.children:
            if child.tag not in OPTIONS:
                problems.append(Problem(f"unknown model parameter <{child.tag}>; KTAB's are: {', '.join(OPTIONS)}",
                                        file, child.line))
            else:
                settings[child.tag] = child.text.strip()
    actors = []
    actors_el = top.one("Actors")
    for el in actors_el.all("Actor") if actors_el is not None else []:
        a = len(actors)
        name = text(el, "name")
        where[("actors", a)] = (el.line, None)
        actor: dict[str, Any] = {"id": name or Reported(""), "issues": {}}
        if text(el, "description", required=False):
            actor["name"] = text(el, "description", required=False)
        cap_el = el.one("capability")
        actor["capability"] = _num(text(el, "capability"), 0, MAX_CAPABILITY, "capability",
                                   (cap_el or el).line, file, problems)
        where[("actors", a, "capability")] = ((cap_el or el).line, None)
        pos_el, sal_el = el.one("Position"), el.one("Salience")
        coords = pos_el.all("dCoord") if pos_el is not None else []
        sals = sal_el.all("dSal") if sal_el is not None else []
        if len(coords) != len(dims) or len(sals) != len(dims):
            problems.append(Problem(f"actor `{name}` has {len(coords)} dCoord and {len(sals)} dSal values; "
                                    f"{len(dims)} dimensions need {len(dims)} of each", file, el.line))
            continue
        for dim, c, s in zip(dims, coords, sals):
            pos = _num(c.text, 0, 100, "position", c.line, file, problems)
            sal = _num(s.text, 0, 100, "salience", s.line, file, problems)
            actor["issues"][dim] = {"position": pos, "salience": from_percent(sal) if isinstance(sal, float) else sal}
            where[("actors", a, "issues", dim, "position")] = (c.line, None)
            where[("actors", a, "issues", dim, "salience")] = (s.line, None)
        actors.append(actor)
    if actors_el is None or not actors:
        problems.append(Problem("<Actors> must hold at least one <Actor>", file, (actors_el or top).line))
    adjust = top.one("IdealAdjustment")
    if adjust is not None:
        pairs = []
        names = {a["id"] for a in actors}
        for pair in adjust.all("iaPair"):
            who, ref, w = text(pair, "adjustingIdeal"), text(pair, "referencePos"), text(pair, "adjust")
            for role, value in (("adjustingIdeal", who), ("referencePos", ref)):
                if value and value not in names:
                    problems.append(Problem(f"<{role}> names unknown actor `{value}`", file, pair.line))
            weight = _num(w, 0, 1, "adjust", pair.line, file, problems)
            pairs.append({"actor": who, "reference": ref, "weight": weight})
        settings["accommodation"] = pairs
    raw = {
        "name": text(top, "name", required=False) or Path(file).stem,
        **({"description": text(top, "desc", required=False)} if text(top, "desc", required=False) else {}),
        "assumption": f"values from the KTAB file {Path(file).name}, which records no evidence",
        "issues": [{"id": d, "scale": {"min": 0.0, "max": 100.0}} for d in dims],
        "actors": actors,
        **({"settings": {"smp": settings}} if settings else {}),
    }
    return raw, lambda loc: where.get(loc, (None, None)), problems
