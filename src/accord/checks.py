"""Validation of scenarios: every problem of a file, each with its place, at once.

Readers of every format turn a file into the same plain data (the shape of the YAML form)
plus a *locator* that maps a field path to a line (and column) of the file. :func:`build`
then runs two passes over it and reports their problems together:

1. the shape (pydantic): keys, types, finite numbers, required fields;
2. the rules that tie parts together: unique ids, known actor, issue and source ids,
   positions inside their issue's scale, salience in [0, 1], capability >= 0, evidence for
   every value, and quotes found verbatim in the sources' texts where those are available.

The second pass reads the raw data defensively, so it runs even where the first failed.
A reader that finds a value wrong (a cell that is not a number, say) reports it itself, puts a
:class:`Reported` in its place and passes its problems on to :func:`build`: the rest of the
file is still checked, and each problem is reported once.
"""

from __future__ import annotations

import math
import re
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import InputError, Problem
from .scenario import Scenario, parse_number

Loc = tuple[Any, ...]
# A locator maps a field path to (line, column label); either may be None.
Locator = Callable[[Loc], tuple[int | None, str | None]]


def no_locator(loc: Loc) -> tuple[int | None, str | None]:
    return None, None


@dataclass(frozen=True)
class Reported:
    """Stands in the raw data for a value whose problem the reader has already reported."""

    text: str


def build(
    raw: Any,
    *,
    file: str | None = None,
    locate: Locator = no_locator,
    base_dir: Path | None = None,
    texts: Iterable[Path] = (),
    reported: Sequence[Problem] = (),
    root: Path | None = None,
) -> tuple[Scenario, list[Problem]]:
    """Validate raw scenario data; return the scenario and its warnings, or raise InputError.

    ``base_dir`` is where a source's ``text`` file is looked up first; ``texts`` are further
    folders (``--texts``) searched for it, or for ``<source id>.txt`` when no file is named.
    ``root``, when given, is the one folder texts may be read from (a server's): a text whose
    path, links followed, leads out of it is an error, and never read.
    ``reported`` are the problems the reader found; they are reported with these checks' own.
    """
    found: list[tuple[Loc, str, str]] = []  # (path, message, severity)
    scenario = None
    if not isinstance(raw, dict):
        found.append(((), "a scenario is a mapping with `name`, `issues` and `actors`", "error"))
    else:
        try:
            scenario = Scenario.model_validate(raw)
        except ValidationError as exc:
            found.extend((tuple(e["loc"]), _message(e), "error") for e in exc.errors())
        found.extend((loc, msg, "error") for loc, msg in _rules(raw))
        found.extend(_quotes(raw, base_dir, list(texts), root))
    skip = list(_reported(raw))
    found = [f for f in found if not any(f[0][: len(s)] == s for s in skip)]
    problems = _dedupe([
        *reported, *(Problem(msg, file, *_place(raw, loc, locate), severity=sev) for loc, msg, sev in found)
    ])
    errors = [p for p in problems if p.severity == "error"]
    if errors or scenario is None:
        raise InputError(errors or problems)
    return scenario, problems


def _reported(raw: Any, loc: Loc = ()) -> Iterable[Loc]:
    """The paths of the values a reader reported: problems at or under them would repeat it."""
    if isinstance(raw, Reported):
        yield loc
    elif isinstance(raw, dict):
        for key, value in raw.items():
            yield from _reported(value, loc + (key,))
    elif isinstance(raw, list):
        for k, value in enumerate(raw):
            yield from _reported(value, loc + (k,))


# -- pass 1: shape --------------------------------------------------------------------------


def _message(err: dict[str, Any]) -> str:
    kind, loc, value = err["type"], err["loc"], err.get("input")
    if kind == "missing":
        return "required, but missing"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = f"; allowed: {', '.join(allowed)}" if allowed else ""
        return f"unknown key `{loc[-1]}`{hint}"
    if kind == "finite_number":
        return f"must be a finite number, got {value!r}"
    if kind in ("float_type", "float_parsing"):
        return f"must be a number, got {_clip(repr(value))}"
    if kind in ("string_type", "invalid_key"):
        hint = f' (put it in quotes: "{value}")' if isinstance(value, (int, float)) else ""
        return f"{'keys ' if kind == 'invalid_key' else ''}must be text, got {_clip(repr(value))}{hint}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        if "claims" in _allowed_keys(loc):
            return (f"must be a number, or a mapping with `value`, `claims` or `assumption`; got {_kind(value)}"
                    + _yaml_number_hint(value))
        return f"must be a mapping of keys to values, got {_kind(value)}"
    if kind == "list_type":
        return f"must be a list, got {_kind(value)}"
    if kind == "too_short" and loc and loc[-1] in ("issues", "actors"):
        return f"the scenario has no {loc[-1]}: at least one is needed"
    if kind == "string_too_short":
        return "must not be empty"
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


def _yaml_number_hint(value: Any) -> str:
    x = _value(value) if isinstance(value, str) else None
    if x is None:
        return ""
    if "e" not in value.lower():
        return " (write the number without quotes)"
    # YAML 1.1 reads 1e5 as text: a number with an exponent needs a dot and a sign (1.0e+5)
    mantissa, e, exponent = repr(x).partition("e")
    written = f"{mantissa}.0e{exponent}" if e and "." not in mantissa else repr(x)
    return f" (YAML reads {value.strip()} as text: write {written})"


def _kind(value: Any) -> str:
    kinds = {list: "a list", dict: "a mapping", str: f"text {value!r}", bool: "a true/false value"}
    return kinds.get(type(value), repr(value))


def _allowed_keys(loc: Loc) -> list[str]:
    """The field names of the model found at ``loc`` in the scenario's shape."""
    tp: Any = Scenario
    for part in loc:
        origin = typing.get_origin(tp)
        if isinstance(part, int) and origin is list:
            tp = typing.get_args(tp)[0]
        elif origin is dict:
            tp = typing.get_args(tp)[1]
        elif isinstance(tp, type) and issubclass(tp, BaseModel) and part in tp.model_fields:
            tp = tp.model_fields[part].annotation
        else:
            return []
        tp = _unwrap(tp)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) in (typing.Union, typing.Annotated) or type(tp).__name__ == "UnionType":
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        tp = args[0]
    return tp


# -- pass 2: rules --------------------------------------------------------------------------


def _rules(raw: dict[str, Any]) -> list[tuple[Loc, str]]:
    out: list[tuple[Loc, str]] = []
    covered = isinstance(raw.get("assumption"), str) and raw["assumption"].strip()
    sources = _items(raw, "sources")
    issues = _items(raw, "issues")
    actors = _items(raw, "actors")
    source_ids = _ids(sources, "sources", out)
    scales = {}
    for i, issue in issues:
        scale = issue.get("scale") if isinstance(issue, dict) else None
        lo, hi = (_value(scale.get("min")), _value(scale.get("max"))) if isinstance(scale, dict) else (None, None)
        if lo is not None and hi is not None and lo < hi:
            # the first of duplicate issues counts, as its id is the one stances refer to
            scales.setdefault(_strip(issue.get("id")), (lo, hi))
            anchors = scale.get("anchors")
            for k, anchor in enumerate(anchors if isinstance(anchors, list) else []):
                x = _value(anchor.get("value")) if isinstance(anchor, dict) else None
                if x is not None and not lo <= x <= hi:
                    out.append((("issues", i, "scale", "anchors", k, "value"), _outside(x, lo, hi, "the scale")))
    issue_ids = _ids(issues, "issues", out)
    _ids(actors, "actors", out)

    def estimate(est: Any, loc: Loc, lo: float | None, hi: float | None, what: str) -> None:
        bare = isinstance(est, (int, float)) and not isinstance(est, bool)
        if bare:
            est = {"value": est}
        if not isinstance(est, dict):
            return
        if not est.get("claims") and not est.get("assumption") and not covered and "value" in est:
            out.append((loc, f"{what} {_fmt(est['value'])} has no evidence: add `claims` quoting a source, "
                        "or write it as {value: ..., assumption: <reason>}"))
        _range(est.get("value"), loc if bare else loc + ("value",), lo, hi, what, out)
        for k, claim in enumerate(est.get("claims") or []):
            if not isinstance(claim, dict):
                continue
            cloc = loc + ("claims", k)
            src = claim.get("source")
            if isinstance(src, str) and src.strip() not in source_ids:
                out.append((cloc + ("source",), _unknown_source(src, source_ids)))
            for key in ("value", "low", "high"):
                _range(claim.get(key), cloc + (key,), lo, hi, what, out)

    for i, issue in issues:
        for key, what in (("reference", "reference point"), ("outcome", "outcome")):
            if isinstance(issue, dict) and key in issue:
                lo, hi = scales.get(_strip(issue.get("id")), (None, None))
                estimate(issue[key], ("issues", i, key), lo, hi, what)

    taken = set()
    for a, actor in actors:
        if not isinstance(actor, dict):
            continue
        cap = actor.get("capability")
        if cap is not None:
            estimate(cap, ("actors", a, "capability"), 0, None, "capability")
        stances = actor.get("issues")
        if not isinstance(stances, dict):
            continue
        for issue_id, stance in stances.items():
            loc = ("actors", a, "issues", issue_id)
            key = issue_id.strip() if isinstance(issue_id, str) else issue_id
            if key not in issue_ids:
                known = ", ".join(sorted(map(str, issue_ids))) or "none are declared"
                out.append((loc, f"unknown issue `{issue_id}`; known issues: {known}"))
                continue
            taken.add(key)
            if not isinstance(stance, dict):
                continue
            lo, hi = scales.get(key, (None, None))
            if "position" in stance:
                estimate(stance["position"], loc + ("position",), lo, hi, "position")
            if "salience" in stance:
                estimate(stance["salience"], loc + ("salience",), 0, 1, "salience")
            if stance.get("capability") is not None:
                estimate(stance["capability"], loc + ("capability",), 0, None, "capability")
            elif cap is None:
                out.append((loc, "no capability: give the actor a `capability`, or this stance one"))
    for i, issue in issues:
        ident = _strip(issue.get("id")) if isinstance(issue, dict) else None
        if ident in issue_ids and ident not in taken and actors:
            out.append((("issues", i), f"no actor takes a position on issue `{ident}`"))
    actor_ids = {_strip(a.get("id")) for _, a in actors if isinstance(a, dict)}
    _role_assertions(raw, actor_ids, issue_ids, source_ids, out)
    _decisions(raw, issues, actor_ids, source_ids, bool(covered), out)
    _aliases(actors, out)
    return out


def _aliases(actors: list[tuple[int, Any]], out: list[tuple[Loc, str]]) -> None:
    """An alias names one actor: a name shared by two would tie a text's mention to either."""
    owner: dict[str, Any] = {}
    for a, actor in actors:
        names = actor.get("aliases") if isinstance(actor, dict) else None
        for k, alias in enumerate(names if isinstance(names, list) else []):
            if not isinstance(alias, str) or not alias.strip():
                continue
            first = owner.setdefault(alias.strip(), actor.get("id"))
            if first != actor.get("id"):
                out.append((("actors", a, "aliases", k), f"alias {alias.strip()!r} is also an alias of `{first}`: "
                            "a mention of it could not be told apart"))


def _role_assertions(raw: dict[str, Any], actor_ids: set, issue_ids: set, source_ids: set,
                     out: list[tuple[Loc, str]]) -> None:
    """Role assertions name known actors, issues and sources."""
    for r, item in _items(raw, "roles"):
        if not isinstance(item, dict):
            continue
        for key, known, what in (("actor", actor_ids, "actors"), ("of", actor_ids, "actors"),
                                 ("issue", issue_ids, "issues")):
            value = item.get(key)
            if isinstance(value, str) and value.strip() not in known:
                out.append((("roles", r, key), f"unknown {what[:-1]} `{value}`; known {what}: "
                            f"{', '.join(sorted(map(str, known))) or 'none'}"))
        for k, quote in enumerate(item.get("evidence") or []):
            src = quote.get("source") if isinstance(quote, dict) else None
            if isinstance(src, str) and src.strip() not in source_ids:
                out.append((("roles", r, "evidence", k, "source"), _unknown_source(src, source_ids)))


def _decisions(raw: dict[str, Any], issues: list[tuple[int, Any]], actor_ids: set, source_ids: set, covered: bool,
               out: list[tuple[Loc, str]]) -> None:
    """Decision rules name known actors and sources, and are backed by quotes or an assumption."""
    places = [(("decision",), raw.get("decision"))]
    places += [(("issues", i, "decision"), issue.get("decision")) for i, issue in issues if isinstance(issue, dict)]
    for loc, rule in places:
        if not isinstance(rule, dict):
            continue
        named = [(key, k, a) for key in ("vetoes",) for k, a in enumerate(rule.get(key) or [])
                 if isinstance(rule.get(key), list)]
        named += [("decider", None, rule["decider"])] if rule.get("decider") is not None else []
        votes = rule.get("votes")
        named += [("votes", a, a) for a in votes] if isinstance(votes, dict) else []
        for key, k, actor in named:
            if isinstance(actor, str) and actor.strip() not in actor_ids:
                out.append((loc + ((key,) if k is None else (key, k)), f"unknown actor `{actor}` in `{key}`; known "
                            f"actors: {', '.join(sorted(map(str, actor_ids))) or 'none'}"))
        claims = rule.get("claims")
        for k, quote in enumerate(claims if isinstance(claims, list) else []):
            src = quote.get("source") if isinstance(quote, dict) else None
            if isinstance(src, str) and src.strip() not in source_ids:
                out.append((loc + ("claims", k, "source"), _unknown_source(src, source_ids)))
        if not claims and not rule.get("assumption") and not covered:
            out.append((loc, f"decision rule `{rule.get('rule')}` has no evidence: add `claims` quoting a source "
                        "that states it, or an `assumption`"))


def _unknown_source(src: str, source_ids: set) -> str:
    return f"unknown source `{src}`; known sources: {', '.join(sorted(source_ids)) or 'none are declared'}"


def _items(raw: dict[str, Any], key: str) -> list[tuple[int, Any]]:
    value = raw.get(key)
    return list(enumerate(value)) if isinstance(value, list) else []


def _strip(ident: Any) -> Any:
    """An id as the rules compare it; None for a list or mapping (the shape pass reports those)."""
    if isinstance(ident, str):
        return ident.strip()
    return ident if isinstance(ident, (int, float)) else None


def _ids(items: list[tuple[int, Any]], key: str, out: list[tuple[Loc, str]]) -> set[Any]:
    seen: dict[Any, int] = {}
    for n, item in items:
        ident = _strip(item.get("id")) if isinstance(item, dict) else None
        if ident is None:
            continue
        if ident in seen:
            out.append(((key, n, "id"), f"duplicate id `{ident}` (also {key}[{seen[ident]}]); ids must be unique"))
        else:
            seen[ident] = n
    return set(seen)


def _value(x: Any) -> float | None:
    """A finite number as the shape pass reads it (a number in quotes too), else None."""
    if isinstance(x, str):
        return parse_number(x)
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    try:
        value = float(x)
    except OverflowError:  # an integer of 400 digits
        return None
    return value if math.isfinite(value) else None


def _fmt(x: Any) -> str:
    value = _value(x)
    return f"{value:g}" if value is not None else _clip(repr(x))


def _outside(x: float, lo: float | None, hi: float | None, what: str) -> str:
    lo_s = "-inf" if lo is None else f"{lo:g}"
    hi_s = "inf" if hi is None else f"{hi:g}"
    return f"{x:g} is outside {what} [{lo_s}, {hi_s}]"


def _range(x: Any, loc: Loc, lo: float | None, hi: float | None, what: str, out: list[tuple[Loc, str]]) -> None:
    x = _value(x)
    if x is None or ((lo is None or x >= lo) and (hi is None or x <= hi)):
        return
    if what == "salience":
        msg = _outside(x, lo, hi, "the allowed salience range")
        if 1 < x <= 100:
            msg += f"; salience is a share in [0, 1]: this looks like a percentage, write {x / 100:g}"
    elif what == "capability":
        msg = f"capability {x:g} is negative; capabilities are >= 0"
    else:
        msg = f"{what} " + _outside(x, lo, hi, "the issue's scale")
    out.append((loc, msg))


# -- quotes ---------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_TYPOGRAPHIC = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


def normalize_space(text: str) -> str:
    """Collapse runs of white space: quotes are compared verbatim up to line breaks and spacing."""
    return _SPACE.sub(" ", text).strip()


def find_text(source: dict[str, Any], base_dir: Path | None, texts: list[Path],
              root: Path | None = None) -> Path | None:
    """The file holding a source's full text, if it is available here (and inside ``root``, if given)."""
    name = source.get("text")
    candidates = []
    if isinstance(name, str) and name.strip():
        candidates += [d / name for d in ([base_dir] if base_dir else []) + texts]
    sid = source.get("id")
    if isinstance(sid, str):
        candidates += [d / f"{sid.strip()}.txt" for d in texts]
    return next((p for p in candidates if (root is None or inside(p, root)) and p.is_file()), None)


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, resolved (``..`` and links followed), lies in the folder ``root``; a path
    that cannot be resolved (a link loop, a NUL byte) does not."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except (OSError, RuntimeError, ValueError):
        return False


def _quotes(raw: dict[str, Any], base_dir: Path | None, texts: list[Path],
            root: Path | None = None) -> list[tuple[Loc, str, str]]:
    out: list[tuple[Loc, str, str]] = []
    bodies: dict[str, tuple[str, str]] = {}
    for n, src in _items(raw, "sources"):
        if not isinstance(src, dict) or not isinstance(src.get("id"), str):
            continue
        name = src.get("text")
        if root is not None and isinstance(name, str) and name.strip() and not inside((base_dir or root) / name, root):
            # refused whether the file exists or not: the verdict must say nothing of files outside
            out.append((("sources", n, "text"), f"`{name}` is outside the served folder: a source's text must be "
                        "a file inside it (nothing outside is read)", "error"))
            continue
        path = find_text(src, base_dir, texts, root)
        if path is None:
            if src.get("text") and texts:  # asked to check quotes, but this source's text is not there
                out.append((("sources", n, "text"), f"text file `{src['text']}` not found; quotes of this source "
                            "were not checked (give its folder with --texts)", "warning"))
            continue
        try:
            body = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            out.append((("sources", n, "text"), f"cannot read the source text {path.name}: {exc}", "error"))
            continue
        bodies[src["id"].strip()] = (path.name, normalize_space(body))
    if not bodies:
        return out
    for loc, claim in _claims(raw):
        src = claim.get("source")
        quote = claim.get("quote")
        if not isinstance(src, str) or src.strip() not in bodies or not isinstance(quote, str):
            continue
        name, body = bodies[src.strip()]
        q = normalize_space(quote)
        if q and q not in body:
            hint = ""
            if q.translate(_TYPOGRAPHIC).lower() in body.translate(_TYPOGRAPHIC).lower():
                hint = " (it matches if quotation marks, dashes or letter case are ignored: copy it exactly)"
            out.append((loc + ("quote",), f"quote not found verbatim in the text of `{src}` ({name}){hint}: "
                        f"{_clip(q)!r}", "error"))
    return out


def _claims(raw: Any, loc: Loc = ()) -> Iterable[tuple[Loc, dict[str, Any]]]:
    if isinstance(raw, dict):
        for key, value in raw.items():
            if key in ("claims", "evidence") and isinstance(value, list):
                for k, claim in enumerate(value):
                    if isinstance(claim, dict):
                        yield loc + ("claims", k), claim
            else:
                yield from _claims(value, loc + (key,))
    elif isinstance(raw, list):
        for k, value in enumerate(raw):
            yield from _claims(value, loc + (k,))


def _clip(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# -- places ---------------------------------------------------------------------------------


def _place(raw: Any, loc: Loc, locate: Locator) -> tuple[int | None, str | None]:
    line, column = None, None
    for k in range(len(loc), -1, -1):
        line, column = locate(loc[:k])
        if line is not None:
            break
    path = render_path(raw, loc)
    if column:
        path = f"{path} (column {column})" if path else f"column {column}"
    return line, path or None


def render_path(raw: Any, loc: Loc) -> str:
    """``('actors', 2, 'issues', 'sanctions')`` -> ``actors[RUS].issues.sanctions``."""
    out, node = "", raw
    for part in loc:
        if part == "[key]":  # pydantic's mark for a problem with a mapping's key, not its value
            out += " (the key)"
        elif isinstance(part, int) and not isinstance(node, dict):
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            ident = item.get("id") if isinstance(item, dict) else None
            out += f"[{ident.strip()}]" if isinstance(ident, str) and ident.strip() else f"[{part}]"
            node = item
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def _dedupe(problems: Iterable[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        key = (p.line, p.field, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return sorted(out, key=lambda p: (p.severity != "error", p.line or 0))
