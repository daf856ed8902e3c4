"""The DEU format: *Decision-making in the European Union* (DEU I-III) issue tables.

Source: Arregui & Perarnaud (2022), "A new dataset on legislative decision-making in the
European Union: the DEU III dataset", *Journal of European Public Policy* 29(1):12-22,
doi:10.1080/13501763.2021.1991983; data doi:10.34810/data53, licence CC BY 4.0.

One row per issue (comma-separated, header first): ``prnr`` proposal, ``prname`` its short
name, ``isnr`` issue, ``proc`` procedure (COD co-decision, CNS consultation), ``counvte``
Council voting rule (``QMV...`` or ``Unan``), ``intro`` and ``finact`` the dates of the
proposal and the final act, ``p<actor>`` position (0-100) and ``s<actor>`` salience (0-100)
for the Commission (``com``), the Parliament (``ep``) and the member states, ``rp`` the
reference point and ``out`` the outcome. How the file is read, and what is chosen:

* **Missing data.** A blank cell is "not coded"; a value outside 0-100 (999 and the like) is
  a missing-data code and is read as not coded, and the reader says where. An actor takes
  part in an issue when its position is coded. A coded position whose salience is not coded
  gets the mean salience of the issue's coded actors, stated as an assumption on the stance
  and counted in the reader's warnings. Text where a number belongs is an error.
* **Dates** are ``dd-mm-yy``, ``dd-mm-yyyy`` or, in cells a spreadsheet has converted,
  ``19dd-mm-yy`` / ``20dd-mm-yy`` (the ISO-looking form holds the day in its first four
  digits: ``2014-07-04`` is 14 July 2004, and ``1930-05-01`` 30 May 2001; read so, every
  proposal date agrees with the year in its proposal number). ``999`` means unknown.
* **Capabilities** (``capabilities=``): a modelling choice, applied alike to every model.

  - ``equal``: every actor 1.
  - ``council`` (default): a member state's Council votes in force on the date of the final
    act (else of the proposal), from the treaty table :data:`PERIODS`: the EU-12 and EU-15
    votes, the EU-25's transitional votes of 1 May - 31 Oct 2004, the Nice votes from 1 Nov
    2004 (with Romania and Bulgaria from 2007, Croatia from July 2013), and from 1 Nov 2014
    the population share in percent (Lisbon's double majority). The Commission and the
    Parliament each get the weight of the largest member state (Germany's), as much of the
    literature does (Thomson et al. 2006). A member state coded on an act adopted before it
    joined is an error: it had no vote. Without a final act's date, the proposal's dates the
    issue, but not before a coded member state joined (its position shows the issue was
    decided when it had a vote): then the latest such accession, with a warning.
  - ``procedure``: as ``council``, but under consultation (CNS) the Parliament, whose
    opinion does not bind, is left out; under co-decision (COD) it weighs as the largest
    member state.

Each weighting cites the treaty article that set it. Population shares: Council Decision
(EU, Euratom) 2015/2393 (figures for 2016), the midpoint of the Lisbon-period proposals of
DEU III.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..errors import InputError, Problem
from ..scenario import Scenario
from ._files import csv_records, decode, number, read_bytes

MEMBERS = ("at", "be", "bu", "cr", "cy", "cz", "dk", "ee", "fi", "fr", "de", "el", "hu", "ie", "it", "lv", "lt",
           "lu", "mt", "nl", "pl", "pt", "ro", "si", "sk", "es", "se", "uk")
INSTITUTIONS = ("com", "ep")
ACTORS = INSTITUTIONS + MEMBERS
NAMES = {
    "com": "European Commission", "ep": "European Parliament", "at": "Austria", "be": "Belgium",
    "bu": "Bulgaria", "cr": "Croatia", "cy": "Cyprus", "cz": "Czech Republic", "dk": "Denmark", "ee": "Estonia",
    "fi": "Finland", "fr": "France", "de": "Germany", "el": "Greece", "hu": "Hungary", "ie": "Ireland",
    "it": "Italy", "lv": "Latvia", "lt": "Lithuania", "lu": "Luxembourg", "mt": "Malta", "nl": "Netherlands",
    "pl": "Poland", "pt": "Portugal", "ro": "Romania", "si": "Slovenia", "sk": "Slovakia", "es": "Spain",
    "se": "Sweden", "uk": "United Kingdom",
}
REQUIRED = ("prnr", "isnr", "proc", "counvte", "out")
PROCEDURES = ("COD", "CNS")
REGIMES = ("equal", "council", "procedure")

EU12_VOTES = {"de": 10, "fr": 10, "it": 10, "uk": 10, "es": 8, "be": 5, "el": 5, "nl": 5, "pt": 5, "dk": 3, "ie": 3,
              "lu": 2}
EU15_VOTES = EU12_VOTES | {"at": 4, "se": 4, "fi": 3}
EU25_TRANSITIONAL_VOTES = EU15_VOTES | {"pl": 8, "cz": 5, "hu": 5, "ee": 3, "lv": 3, "lt": 3, "si": 3, "sk": 3,
                                        "cy": 2, "mt": 2}
NICE_VOTES = {"de": 29, "fr": 29, "it": 29, "uk": 29, "es": 27, "pl": 27, "ro": 14, "nl": 13, "be": 12, "cz": 12,
              "el": 12, "hu": 12, "pt": 12, "at": 10, "bu": 10, "se": 10, "cr": 7, "dk": 7, "ie": 7, "lt": 7,
              "sk": 7, "fi": 7, "cy": 4, "ee": 4, "lv": 4, "lu": 4, "si": 4, "mt": 3}
POPULATION_2016 = {"de": 15.93, "fr": 13.04, "uk": 12.73, "it": 12.07, "es": 9.12, "pl": 7.47, "ro": 3.90,
                   "nl": 3.37, "be": 2.21, "el": 2.13, "cz": 2.05, "pt": 2.04, "hu": 1.94, "se": 1.92, "at": 1.69,
                   "bu": 1.42, "dk": 1.11, "fi": 1.08, "sk": 1.06, "ie": 0.91, "cr": 0.83, "lt": 0.57, "si": 0.41,
                   "lv": 0.39, "ee": 0.26, "cy": 0.17, "lu": 0.11, "mt": 0.08}


@dataclass(frozen=True)
class Weighting:
    """The Council's weighting of the member states from a day on, and the article that set it."""

    start: date
    name: str
    source: str
    weights: dict[str, float]
    #: The qualified majority: the share of the votes needed (the article's quota over the total).
    threshold: float


def _without(weights: dict[str, float], *members: str) -> dict[str, float]:
    return {a: w for a, w in weights.items() if a not in members}


#: The weightings in force, by first day. An enlargement left the votes of the members
#: before it unchanged, so each table extends the one before (or the Nice table, trimmed).
PERIODS = (
    Weighting(date(1986, 1, 1), "EU-12 votes",
              "art. 148(2) EEC as amended by the 1985 Act of Accession (Spain, Portugal), art. 14", EU12_VOTES,
              54 / 76),
    Weighting(date(1995, 1, 1), "EU-15 votes",
              "art. 148(2) EC as amended by the 1994 Act of Accession (Austria, Finland, Sweden), art. 15, adjusted "
              "by Council Decision 95/1/EC, Euratom, ECSC (Norway did not join); art. 205(2) TEC from 1 May 1999",
              EU15_VOTES, 62 / 87),
    Weighting(date(2004, 5, 1), "EU-25 transitional votes",
              "2003 Act of Accession (ten new members), art. 26: until 31 Oct 2004", EU25_TRANSITIONAL_VOTES,
              88 / 124),
    Weighting(date(2004, 11, 1), "EU-25 Nice votes",
              "art. 205(2) TEC as amended by the 2003 Act of Accession, art. 12",
              _without(NICE_VOTES, "ro", "bu", "cr"), 232 / 321),
    Weighting(date(2007, 1, 1), "EU-27 Nice votes",
              "art. 205(2) TEC as amended by the 2005 Act of Accession (Bulgaria, Romania), art. 22; from 1 Dec 2009 "
              "art. 3(3) of Protocol (No 36) on transitional provisions", _without(NICE_VOTES, "cr"),
              255 / 345),
    Weighting(date(2013, 7, 1), "EU-28 Nice votes",
              "art. 3(3) of Protocol (No 36) as amended by the 2012 Act of Accession (Croatia), art. 20", NICE_VOTES,
              260 / 352),
    Weighting(date(2014, 11, 1), "Lisbon population shares (2016 figures)",
              "art. 16(4) TEU and art. 238(3) TFEU (double majority); shares: Council Decision 2015/2393",
              POPULATION_2016, 0.65),
)

SOURCE = {
    "id": "deu3",
    "title": "A new dataset on legislative decision-making in the European Union: the DEU III dataset",
    "author": "Javier Arregui and Clement Perarnaud",
    "publisher": "Journal of European Public Policy 29(1):12-22 (data: CORA doi:10.34810/data53, CC BY 4.0)",
    "date": "2022",
    "url": "https://doi.org/10.1080/13501763.2021.1991983",
}


@dataclass(frozen=True)
class DeuIssue:
    """One DEU issue as coded: positions and saliences on 0-100, by actor code."""

    issue: str
    proposal: str
    name: str
    procedure: str  # COD or CNS
    rule: str  # QMV or unanimity
    decided: date | None
    line: int
    position: dict[str, float]
    salience: dict[str, float]
    imputed: frozenset[str]  # actors whose salience is the issue's mean
    reference: float | None
    outcome: float | None
    dated_by: str = "finact"  # finact, intro, or accession: see _dated

    @property
    def period(self) -> str:
        weighting = period(self.decided) if self.decided else None
        return weighting.name if weighting else "unknown"


@dataclass
class DeuData:
    """A DEU file read: its issues in file order, the capability regime, and the warnings."""

    path: Path
    issues: list[DeuIssue]
    capabilities: str
    warnings: list[Problem] = field(default_factory=list)

    def proposals(self) -> dict[str, list[DeuIssue]]:
        out: dict[str, list[DeuIssue]] = {}
        for issue in self.issues:
            out.setdefault(issue.proposal, []).append(issue)
        return out

    def scenario(self, issues: DeuIssue | Sequence[DeuIssue]) -> Scenario:
        """One issue, or several issues of one proposal negotiated together, as a scenario."""
        return to_scenario([issues] if isinstance(issues, DeuIssue) else list(issues), self.capabilities,
                           self.path.name)

    def scenarios(self) -> list[Scenario]:
        """One scenario per issue."""
        return [self.scenario(issue) for issue in self.issues]


def sniff(text: str) -> bool:
    header = [h.strip().strip('"') for h in text.lstrip("\ufeff").split("\n", 1)[0].lower().split(",")]
    return {"prnr", "isnr", "out", "pcom"} <= set(header)


def period(day: date) -> Weighting | None:
    """The Council's weighting in force on a day; None before the first in :data:`PERIODS`."""
    in_force = [w for w in PERIODS if w.start <= day]
    return in_force[-1] if in_force else None


def accession(member: str) -> date | None:
    """The day a member state joined, from :data:`PERIODS`; None if it was in the first table."""
    start = next(w.start for w in PERIODS if member in w.weights)
    return start if start > PERIODS[0].start else None


def capability(actor: str, issue: DeuIssue, regime: str) -> float | None:
    """The actor's capability on an issue under a regime; None: left out of the issue."""
    if regime == "equal":
        return 1.0
    weights = period(issue.decided).weights  # type: ignore[arg-type, union-attr]  # read_deu checked the date
    if actor in INSTITUTIONS:
        if regime == "procedure" and actor == "ep" and issue.procedure == "CNS":
            return None
        return float(max(weights.values()))
    return float(weights[actor])


def parse_date(text: str) -> date | None:
    """``dd-mm-yy``, ``dd-mm-yyyy`` or a spreadsheet's ``CCdd-mm-yy``; None if unknown (``999``, blank)."""
    s = text.strip()
    if m := re.fullmatch(r"([0-9]{2})-([0-9]{2})-([0-9]{2}|[0-9]{4})", s):
        d, mo, y = (int(g) for g in m.groups())
    elif m := re.fullmatch(r"(?:19|20)([0-9]{2})-([0-9]{2})-([0-9]{2})", s):
        d, mo, y = (int(g) for g in m.groups())
    else:
        return None
    if y < 100:
        y += 1900 if y >= 50 else 2000
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def read_deu(path: str | Path, capabilities: str = "council") -> DeuData:
    """Read a DEU file; raise :class:`~accord.errors.InputError` listing every problem in it."""
    path = Path(path)
    name = str(path)
    if capabilities not in REGIMES:
        raise InputError([Problem(f"unknown capabilities {capabilities!r}; choose one of: {', '.join(REGIMES)}")])
    records = csv_records(decode(read_bytes(path), name), name)
    if not records:
        raise InputError([Problem("the file is empty: a DEU file has a header row and one row per issue", name)])
    header = [h.strip().lower() for h in records[0][1]]
    col = {h: k for k, h in enumerate(header)}
    problems = [Problem(f"missing column `{c}`; a DEU file needs {', '.join(REQUIRED)} and p<actor>/s<actor> "
                        "pairs", name, records[0][0]) for c in REQUIRED if c not in col]
    actors = [a for a in ACTORS if f"p{a}" in col]
    problems += [Problem(f"column `p{a}` has no salience column `s{a}` beside it", name, records[0][0])
                 for a in actors if f"s{a}" not in col]
    if not actors:
        problems.append(Problem("no position columns: expected p<actor> for " + ", ".join(ACTORS), name,
                                records[0][0]))
    if problems:
        raise InputError(problems)
    issues, missing_codes, seen = [], [], {}
    for line, row in records[1:]:
        if not any(c.strip() for c in row):
            continue
        cells = _Row(name, line, row, col, problems, missing_codes)
        issue_id = cells.text("isnr")
        if not issue_id:
            problems.append(Problem("the issue id is empty", name, line, "column isnr"))
        elif issue_id in seen:
            problems.append(Problem(f"issue {issue_id!r} again (first on line {seen[issue_id]})", name, line,
                                    "column isnr"))
        else:
            seen[issue_id] = line
            issue = _issue(cells, issue_id, actors, capabilities)
            if issue is not None:
                issues.append(issue)
    if problems:
        raise InputError(problems)
    return DeuData(path, issues, capabilities, _warnings(issues, missing_codes, name))


@dataclass
class _Row:
    """The cells of one row, read with their problems noted."""

    file: str
    line: int
    row: list[str]
    col: dict[str, int]
    problems: list[Problem]
    missing_codes: list[tuple[int, str, str]]

    def text(self, c: str) -> str:
        k = self.col.get(c)
        return self.row[k].strip() if k is not None and k < len(self.row) else ""

    def value(self, c: str) -> float | None:
        """A 0-100 value; None if blank or a missing-data code (noted) or not a number (a problem)."""
        text = self.text(c)
        if not text:
            return None
        v = number(text)
        if v is None:
            self.problem(f"must be a number 0-100 or blank, got {text!r}", f"column {c}")
        elif not 0 <= v <= 100:
            self.missing_codes.append((self.line, c, text))
            return None
        return v

    def problem(self, message: str, where: str | None = None) -> None:
        self.problems.append(Problem(message, self.file, self.line, where))


def _issue(cells: _Row, issue_id: str, actors: list[str], capabilities: str) -> DeuIssue | None:
    proc = cells.text("proc").upper()
    if proc not in PROCEDURES:
        cells.problem(f"procedure {cells.text('proc')!r} is not one of: {', '.join(PROCEDURES)}", "column proc")
    vote = cells.text("counvte").lower()
    rule = "QMV" if vote.startswith("qmv") else "unanimity" if vote.startswith("unan") else None
    if rule is None:
        cells.problem(f"voting rule {cells.text('counvte')!r} is not QMV or Unan", "column counvte")
    final_act, proposed = parse_date(cells.text("finact")), parse_date(cells.text("intro"))
    if final_act is None and proposed is None and capabilities != "equal":
        cells.problem(f"no date to tell the Council's weighting: finact {cells.text('finact')!r} and intro "
                      f"{cells.text('intro')!r} are not dd-mm-yy dates; use --capabilities equal, or give a date",
                      "column finact")
    position = {a: v for a in actors if (v := cells.value(f"p{a}")) is not None}
    coded = {a: v for a in actors if (v := cells.value(f"s{a}")) is not None}
    salience = {a: coded[a] for a in position if a in coded}
    imputed = frozenset(a for a in position if a not in coded)
    if not position:
        cells.problem("no actor has a coded position")
        return None
    if imputed:
        if not salience:
            cells.problem("no coded salience for any actor with a position")
            return None
        mean = sum(salience.values()) / len(salience)
        salience |= {a: mean for a in imputed}
    decided, dated_by = _dated(final_act, proposed, position)
    if decided is not None and capabilities != "equal":
        _check_members(cells, position, decided, dated_by)
    return DeuIssue(issue_id, cells.text("prnr") or issue_id, cells.text("prname"), proc, rule or "", decided,
                    cells.line, position, salience, imputed, cells.value("rp"), cells.value("out"), dated_by)


def _dated(final_act: date | None, proposed: date | None, position: dict[str, float]) -> tuple[date | None, str]:
    """The issue's date and where it comes from: the final act's; without it, the proposal's,
    but not before a coded member state joined: its coded position shows the issue was decided
    when it had a vote, so the date is then the latest such accession (the earliest date the
    coding allows)."""
    if final_act is not None or proposed is None:
        return final_act, "finact"
    joined = max((d for a in position if a in MEMBERS and (d := accession(a))), default=proposed)
    return (joined, "accession") if joined > proposed else (proposed, "intro")


def _check_members(cells: _Row, position: dict[str, float], decided: date, dated_by: str) -> None:
    """Every coded member state had Council votes on the issue's date: a state coded on an act
    adopted before it joined had none, so its position or the date is wrong."""
    column = "intro" if dated_by == "intro" else "finact"
    when = f"{column} {cells.text(column)!r}, {_day(decided)}"
    if column == "intro":
        when += f"; finact {cells.text('finact')!r} is not a date"
    weighting = period(decided)
    if weighting is None:
        first = PERIODS[0]
        cells.problem(f"the issue's date ({when}) is before the first Council weighting accord has ({first.name}, from "
                      f"{_day(first.start)}); check the date, or use --capabilities equal", f"column {column}")
        return
    for a in position:
        if a in MEMBERS and a not in weighting.weights:
            cells.problem(f"{NAMES[a]} is coded, but it joined the EU on {_day(accession(a))}, after the final act "
                          f"({when}): it had no Council votes then; check the position and the date, or use "
                          "--capabilities equal", f"column p{a}")


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _warnings(issues: list[DeuIssue], missing_codes: list[tuple[int, str, str]], name: str) -> list[Problem]:
    out = []
    if missing_codes:
        where = ", ".join(f"line {line} {c}={text}" for line, c, text in missing_codes[:5])
        out.append(Problem(f"{len(missing_codes)} values outside 0-100 read as missing-data codes ({where}"
                           f"{', ...' if len(missing_codes) > 5 else ''})", name, severity="warning"))
    n_imputed = sum(len(i.imputed) for i in issues)
    if n_imputed:
        out.append(Problem(f"{n_imputed} coded positions have no coded salience: each gets the mean salience of "
                           f"its issue's coded actors ({sum(1 for i in issues if i.imputed)} issues)", name,
                           severity="warning"))
    dated = [i.issue for i in issues if i.dated_by == "accession"]
    if dated:
        out.append(Problem(f"{len(dated)} issues have no final act date and a proposal date before a coded member "
                           "state joined: each is dated to the latest such accession, the earliest day all its coded "
                           f"members had Council votes ({', '.join(dated)})", name, severity="warning"))
    unscored = [i.issue for i in issues if i.outcome is None]
    if unscored:
        out.append(Problem(f"{len(unscored)} issues have no recorded outcome and cannot be scored: "
                           f"{', '.join(unscored)}", name, severity="warning"))
    return out


def decision_rule(issue: DeuIssue) -> dict | None:
    """The issue's decision rule from its coding (None without a date to tell the votes).

    The Commission proposes; the Council adopts by a qualified majority of the member states'
    treaty votes (:data:`PERIODS`, whatever the capability regime: the rule is the treaty's)
    or by unanimity (``counvte``); under co-decision (COD) the Parliament's consent is needed
    too, a veto. Under QMV the threshold is the period's quota over the votes of the member
    states coded on the issue (the others' votes are unknown to the data); from Nov 2014 the
    population quota of 65% stands for Lisbon's double majority (its 55% of states is left out).
    """
    weighting = period(issue.decided) if issue.decided else None
    members = [a for a in issue.position if a in MEMBERS]
    vetoes = ["ep"] if issue.procedure == "COD" and "ep" in issue.position else []
    why = (f"DEU codes procedure {issue.procedure} and Council vote {issue.rule}"
           + ("; under co-decision the Parliament's consent is needed" if vetoes else ""))
    if issue.rule == "unanimity" and members:
        return {"rule": "unanimity", "vetoes": members + vetoes, "assumption": why + "; every member state votes"}
    if issue.rule != "QMV" or weighting is None or not members:
        return None
    return {"rule": "qualified", "threshold": weighting.threshold, "vetoes": vetoes,
            "votes": {a: float(weighting.weights[a]) for a in members},
            "assumption": f"{why}; votes and quota ({weighting.threshold:.4g} of the votes): {weighting.name}, "
                          f"{weighting.source}"}


def to_scenario(issues: list[DeuIssue], regime: str, file: str) -> Scenario:
    """A scenario of DEU issues (one, or a proposal's), validated as any file is."""
    from ..checks import build

    first = issues[0]
    regimes = {i.period for i in issues} if regime != "equal" else {"equal capabilities"}
    treaties = sorted({f"{w.name}: {w.source}" for i in issues if regime != "equal" and (w := period(i.decided))})
    raw = {
        "name": f"DEU {first.proposal}" + (f" {first.issue}" if len(issues) == 1 else "")
                + (f": {first.name}" if first.name else ""),
        **({"date": first.decided.isoformat()} if first.decided else {}),
        "description": f"{first.procedure}, {first.rule} in the Council; capabilities: {regime} "
                       f"({'; '.join(sorted(regimes))})",
        "assumption": f"positions and saliences as coded by DEU (file {file}, lines "
                      f"{', '.join(str(i.line) for i in issues)}); capabilities by the `{regime}` regime of "
                      "accord.io.deu" + "".join(f"; {t}" for t in treaties)
                      + "".join(f"; {i.issue} dated {i.decided}: no final act date, and a coded member state joined "
                                "after the proposal" for i in issues if i.dated_by == "accession"),
        "sources": [SOURCE],
        "issues": [{"id": i.issue, "label": i.name or i.issue, "scale": {"min": 0.0, "max": 100.0},
                    **({"reference": i.reference} if i.reference is not None else {}),
                    **({"outcome": i.outcome} if i.outcome is not None else {}),
                    **({"decision": rule} if (rule := decision_rule(i)) else {})} for i in issues],
        "actors": [],
    }
    for a in ACTORS:
        stances = {}
        for i in issues:
            if a not in i.position or (cap := capability(a, i, regime)) is None:
                continue
            salience = i.salience[a] / 100
            stances[i.issue] = {"position": i.position[a], "capability": cap, "salience": (
                {"value": salience, "assumption": "salience not coded: the mean of the issue's coded actors"}
                if a in i.imputed else salience)}
        if stances:
            raw["actors"].append({"id": a, "name": NAMES[a], "issues": stances})
    return build(raw, file=file)[0]
