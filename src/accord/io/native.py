"""accord's native scenario format: YAML, written and read by people.

Read with PyYAML's safe loader only (no object construction from tags). The file is composed
into nodes first so that every value keeps its line number for error messages, and so that
duplicate keys, which YAML parsers otherwise resolve silently to the last, are reported (the
first is kept, and the rest of the file is still checked).

Aliases (``*name``) repeat a value without repeating its text, so a small file can stand for
an enormous one ("billion laughs"): a few kilobytes of nested aliases, or a thousand aliases
of one long string. Before any value is built, the size the file would have with every alias
written out is measured on the node graph (each node once, so the check is linear in the
file), and a file that expands beyond :data:`EXPANSION` times its own size is refused. Every
YAML file accord reads goes through :func:`parse`.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..checks import Reported
from ..errors import InputError, Problem
from ..scenario import Scenario

MAX_NODES = 1_000_000  # values, aliases written out; a real scenario has a few thousand
#: A file may expand through its aliases to this many times its own size in characters (a
#: file without aliases expands to at most about 1.5 times: its text plus one per value) ...
EXPANSION = 4
#: ... or to this many characters, if more: a small file may use aliases freely.
MIN_EXPANDED = 1_000_000
MAX_DEPTH = 50  # a scenario nests 8 levels; deeper is a mistake, and would exhaust the stack
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


def sniff(text: str) -> bool:
    """A YAML scenario's first line that is not a comment opens a mapping (``name: ...``)."""
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            return line.strip() == "---" or bool(re.match(r"^[A-Za-z_]+:(\s|$)", line))
    return False


#: libyaml's parser when PyYAML has it: composing a 40 kB scenario takes 3 ms instead of 60 ms.
#: A file it refuses is composed again by the Python parser, whose messages name the character.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _compose(text: str) -> tuple[Any, yaml.Node | None]:
    """The file's node graph, and the loader that made it (to build its scalars)."""
    if _FAST_LOADER is not None:
        loader = _FAST_LOADER(text)
        try:
            return loader, loader.get_single_node()
        except (yaml.YAMLError, RecursionError):
            pass  # the Python parser's message follows
        finally:
            loader.dispose()
    loader = yaml.SafeLoader(text)
    try:
        return loader, loader.get_single_node()
    finally:
        loader.dispose()


def parse(text: str, file: str) -> tuple[Any, Any, list[Problem]]:
    try:
        loader, node = _compose(text)
    except RecursionError:
        raise InputError([Problem(f"values are nested more than {MAX_DEPTH} levels deep; a scenario needs "
                                  "fewer than 10", file)]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark else None
        what = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None) or ""
        if context.startswith("expected"):  # "expected a single document in the stream"
            what = f"{context}, {what}"
        raise InputError([Problem(f"YAML syntax error: {what}", file, line)]) from None
    if node is None:
        raise InputError([Problem("the file is empty; a scenario needs `name`, `issues` and `actors`", file)])
    _check_expansion(node, len(text), file)
    lines: dict[tuple[Any, ...], int] = {}
    problems: list[Problem] = []

    def walk(n: yaml.Node, path: tuple[Any, ...]) -> Any:
        lines.setdefault(path, n.start_mark.line + 1)
        if len(path) > MAX_DEPTH and isinstance(n, (yaml.MappingNode, yaml.SequenceNode)):
            problems.append(Problem(f"values are nested more than {MAX_DEPTH} levels deep", file,
                                    n.start_mark.line + 1))
            return Reported("")
        if isinstance(n, (yaml.MappingNode, yaml.SequenceNode)) and n.tag not in (_MAP, _SEQ):
            # plain mappings and lists only: a tag such as !!python/object asks for an object, never built here
            problems.append(Problem(f"cannot read value: the tag {n.tag!r} is not allowed", file,
                                    n.start_mark.line + 1))
            return Reported("")
        if isinstance(n, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in n.value:
                key = _key(loader, key_node)
                if key is None:
                    problems.append(Problem("a key must be a plain name, not a list or a mapping (`<<` merge keys "
                                            "are not supported: write the keys out)", file,
                                            key_node.start_mark.line + 1))
                    continue
                if key in out:
                    problems.append(Problem(f"duplicate key `{key}` (the first is on line {lines[path + (key,)]})",
                                            file, key_node.start_mark.line + 1))
                    continue
                lines[path + (key,)] = key_node.start_mark.line + 1
                out[key] = walk(value_node, path + (key,))
            return out
        if isinstance(n, yaml.SequenceNode):
            return [walk(v, path + (k,)) for k, v in enumerate(n.value)]
        try:
            return loader.construct_object(n)
        except (yaml.YAMLError, ValueError) as exc:  # an unknown tag, or a date like 2018-13-45
            problems.append(Problem(f"cannot read value {n.value!r}: {getattr(exc, 'problem', exc)}", file,
                                    n.start_mark.line + 1))
            return Reported(str(n.value))

    raw = walk(node, ())

    def locate(loc: tuple[Any, ...]) -> tuple[int | None, str | None]:
        return lines.get(loc), None

    return raw, locate, problems


def _check_expansion(root: yaml.Node, size: int, file: str) -> None:
    """Refuse a file whose aliases, written out, would make it more than :data:`EXPANSION`
    times its size (at least :data:`MIN_EXPANDED` characters) or :data:`MAX_NODES` values."""
    budget = max(EXPANSION * size, MIN_EXPANDED)
    values, chars = expanded_size(root, file)
    if values > MAX_NODES:
        raise InputError([Problem(f"its aliases (*name) expand it to more than {MAX_NODES:,} values; a scenario "
                                  "needs far fewer: write repeated values out instead", file)])
    if chars > budget:
        raise InputError([Problem(
            f"its aliases (*name) expand it to {chars:,} characters, more than {EXPANSION} times its own size "
            f"(the limit is {budget:,}): write repeated values out, or refer to them less often", file)])


def expanded_size(root: yaml.Node, file: str) -> tuple[int, int]:
    """(values, characters) of the file with every alias written out.

    An alias is the very node it names, so the node graph is a DAG that shares subtrees: sizes
    are computed once per node and reused (memoised), which keeps the count linear in the file
    however large the expansion. A node that contains itself expands without end.
    """
    sizes: dict[int, tuple[int, int]] = {}
    open_: set[int] = set()

    def size(n: yaml.Node) -> tuple[int, int]:
        key = id(n)
        if key in sizes:
            return sizes[key]
        if key in open_:
            raise InputError([Problem("an alias (*name) refers to a value that contains it: the value would "
                                      "expand without end", file, n.start_mark.line + 1)])
        if isinstance(n, yaml.ScalarNode):
            sizes[key] = (1, len(n.value) + 1)
            return sizes[key]
        open_.add(key)
        children = [c for pair in n.value for c in pair] if isinstance(n, yaml.MappingNode) else n.value
        values, chars = 1, 2
        for child in children:
            v, c = size(child)
            values, chars = values + v, chars + c
        open_.discard(key)
        sizes[key] = (values, chars)
        return sizes[key]

    try:
        return size(root)
    except RecursionError:
        raise InputError([Problem(f"values are nested more than {MAX_DEPTH} levels deep; a scenario needs "
                                  "fewer than 10", file)]) from None


def load(text: str, file: str) -> Any:
    """A YAML text as plain data (mappings, lists, scalars), read as :func:`parse` reads a
    scenario; raises :class:`InputError` listing the file's problems."""
    raw, _, problems = parse(text, file)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(errors)
    return raw


def _key(loader: Any, node: yaml.Node) -> str | int | float | None:
    """A mapping key as written (``2018`` stays a number, for the checks to report); None if no name."""
    if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:merge":
        return None
    try:
        key = loader.construct_object(node)
    except (yaml.YAMLError, ValueError):
        return str(node.value)
    return key if isinstance(key, (str, int, float)) and not isinstance(key, bool) else str(node.value)


# -- writing ----------------------------------------------------------------------------------


def to_data(scenario: Scenario) -> dict[str, Any]:
    """The scenario as YAML-ready data: fields in reading order, evidence-free numbers bare."""
    data = scenario.canonical()

    def compact(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"value"} and isinstance(node["value"], (int, float)):
                return node["value"]
            return {k: compact(v) for k, v in node.items()}
        if isinstance(node, list):
            return [compact(v) for v in node]
        return node

    # An estimate holding only a value is written bare: the file's `assumption` covers it.
    return compact(data)


def dumps(scenario: Scenario) -> str:
    header = f"# accord scenario: {scenario.name}\n"
    return header + yaml.safe_dump(to_data(scenario), sort_keys=False, allow_unicode=True, width=100)


def write(scenario: Scenario) -> tuple[bytes, list[Problem]]:
    return dumps(scenario).encode("utf-8"), []
