"""``accord evidence``: find claims in articles, review them, merge them into a scenario, score the finding."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import InputError, Problem, UsageError
from ..io import atomic_write, write_scenario
from ..scenario import Scenario
from . import JsonOpt, TextsOpt, app, guarded, load, out

evidence_app = typer.Typer(no_args_is_help=True,
                           help="Find claims in articles, review them, merge them into a scenario.")
app.add_typer(evidence_app, name="evidence")
ArticlesArg = Annotated[list[Path], typer.Argument(help="plain-text articles (UTF-8)", show_default=False)]
ScenarioOpt = Annotated[str, typer.Option("--scenario", "-s", help="scenario whose actors and issues to look for")]
SemanticOpt = Annotated[bool, typer.Option(
    "--semantic/--lexical", help="rank with the sentence embedding too (needs the `text` extra)")]
ParseOpt = Annotated[bool, typer.Option(
    "--parse/--no-parse", help="read subjects, objects and clauses with a dependency parse (needs the `nlp` extra)")]
ProposeOpt = Annotated[Optional[float], typer.Option(
    "--propose-at", min=-1.0, max=1.0,
    help="with --semantic: also propose links no lexicon word marks, from this similarity up (e.g. 0.6)")]


def _scan(articles: list[Path], scenario: Scenario, semantic: bool, propose_at: float | None = None,
          parse: bool = False):
    from ..evidence import read_articles, scan

    return scan(scenario, read_articles(articles), _ranker(semantic, propose_at), _parser(parse))


def _parser(parse: bool):
    """The dependency parser that ``--parse`` asks for, or None."""
    if not parse:
        return None
    from ..evidence.syntax import ParserUnavailable, load_parser

    try:
        return load_parser()
    except ParserUnavailable as exc:
        raise UsageError(str(exc)) from None


def _ranker(semantic: bool, propose_at: float | None = None):
    """The sentence-embedding ranker that ``--semantic`` asks for, or None."""
    if not semantic:
        if propose_at is not None:
            raise UsageError("--propose-at needs --semantic: the links are proposed by the sentence embedding")
        return None
    from ..evidence.embedding import EmbeddingUnavailable
    from ..evidence.semantic import SemanticRanker

    try:
        return SemanticRanker(propose_at=propose_at)
    except EmbeddingUnavailable as exc:
        raise UsageError(str(exc)) from None


@evidence_app.command("scan")
@guarded
def evidence_scan(articles: ArticlesArg, scenario: ScenarioOpt, semantic: SemanticOpt = False,
                  propose_at: ProposeOpt = None, parse: ParseOpt = False, as_json: JsonOpt = False,
                  top: Annotated[int, typer.Option(min=0, help="show only the best N (0: all)")] = 0) -> None:
    """Find the sentences that tie an actor to an issue: candidate claims with a stance hint, best first."""
    loaded = load(scenario, None)
    found = _scan(articles, loaded.scenario, semantic, propose_at, parse)
    shown = found[:top] if top else found
    if as_json:
        keys = ("article", "actor", "issue", "sentence", "start", "end", "stance", "score")
        doc = {"candidates": [{**{k: c.to_dict()[k] for k in keys}, **c.to_dict()} for c in shown]}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        return
    table = Table(title=f"{len(found)} candidate claims in {len(articles)} article(s)", show_lines=False,
                  caption="actor°: the speaker's link (see the note of `evidence review`); stance*: the direction "
                          "the article gives the actor elsewhere")
    for col in ("score", "actor", "issue", "stance", "article", "sentence"):
        table.add_column(col, overflow="fold")
    for c in shown:
        table.add_row(f"{c.score:.2f}", c.actor + ("°" if c.via == "speaker" else ""), c.issue,
                      c.stance + ("*" if c.stance_from == "article" else ""), f"{c.article}:{c.start}",
                      escape(c.sentence if len(c.sentence) < 160 else c.sentence[:159] + "…"))
    out.print(table)


@evidence_app.command("review")
@guarded
def evidence_review(articles: ArticlesArg, scenario: ScenarioOpt,
                    output: Annotated[Path, typer.Option("--output", "-o", help="review file to write (.yaml, .csv)")],
                    semantic: SemanticOpt = False, propose_at: ProposeOpt = None, parse: ParseOpt = False) -> None:
    """Write the candidates to a review file: accept or reject each, set its value, trim its quote."""
    from ..evidence.review import dumps_review, review_format, review_rows

    fmt = review_format(output)
    loaded = load(scenario, None)
    rows = review_rows(loaded.scenario, _scan(articles, loaded.scenario, semantic, propose_at, parse))
    atomic_write(output, dumps_review(rows, fmt).encode("utf-8"))
    out.print(f"wrote {len(rows)} candidates to {output}; then: accord evidence apply {output} --scenario "
              f"{scenario} -o NEW.yaml")


@evidence_app.command("apply")
@guarded
def evidence_apply(review: Annotated[Path, typer.Argument(help="the edited review file")], scenario: ScenarioOpt,
                   output: Annotated[Path, typer.Option("--output", "-o", help="scenario file to write (YAML)")],
                   texts: TextsOpt = None) -> None:
    """Merge the accepted claims into the scenario, checking every quote against its article."""
    from ..evidence.review import apply_review

    loaded = load(scenario, None, texts)
    if output.resolve() == loaded.path.resolve():
        raise InputError([Problem("writing over the scenario would lose its comments: give another -o file",
                                  str(output))])
    merged, report = apply_review(loaded.scenario, review, list(texts or []), loaded.path.parent)
    write_scenario(merged, output, "yaml")
    for line in report:
        out.print(f"  {escape(line)}")
    out.print(f"{len(report)} accepted claims merged; wrote {output} (sha256 {merged.sha256[:12]})")


@evidence_app.command("eval")
@guarded
def evidence_eval(labels: Annotated[Path, typer.Argument(help="labels file (see accord.evidence.evaluate)")],
                  scenario: ScenarioOpt, texts: TextsOpt = None, semantic: SemanticOpt = False,
                  propose_at: ProposeOpt = None, parse: ParseOpt = False, as_json: JsonOpt = False) -> None:
    """Precision and recall of the scan's actor-issue links, and its stance accuracy, against hand labels."""
    from ..evidence.evaluate import evaluate, find_articles, labelled_articles, read_labels

    loaded = load(scenario, None)
    paths = find_articles(labelled_articles(labels), [labels.parent, *(texts or [])])
    found = _scan(paths, loaded.scenario, semantic, propose_at, parse)
    texts_by_name = {p.name: p.read_text(encoding="utf-8-sig") for p in paths if p.is_file()}
    gold = read_labels(labels, texts_by_name, set(loaded.scenario.actor_ids), set(loaded.scenario.issue_ids))
    result = {"labels_file": str(labels), "scenario": loaded.scenario.sha256, "semantic": semantic,
              "propose_at": propose_at, "parse": parse, **evaluate(found, gold)}
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        return
    for key in ("labels", "candidates", "matched", "precision", "recall", "stance_accuracy", "average_precision"):
        out.print(f"{key:17} {result[key]}")
    out.print(f"{'recall by mention':17} {result['recall_by_mention']}")
    for issue, r in result["by_issue"].items():
        out.print(f"  {issue:16} labels {r['labels']:3}  precision {r['precision']}  recall {r['recall']}")


@evidence_app.command("terms")
@guarded
def evidence_terms(articles: ArticlesArg, scenario: ScenarioOpt,
                   at: Annotated[float, typer.Option(min=-1.0, max=1.0, help="propose from this similarity up")] = 0.5,
                   top: Annotated[int, typer.Option(min=1, help="at most this many per issue")] = 10,
                   as_json: JsonOpt = False) -> None:
    """Propose issue terms the lexicon lacks: the articles' phrases closest in meaning to an issue
    (needs the `text` extra)."""
    from ..evidence import read_articles
    from ..evidence.embedding import EmbeddingUnavailable
    from ..evidence.terms import propose_terms

    loaded = load(scenario, None)
    try:
        found = propose_terms(loaded.scenario, read_articles(articles), at=at, top=top)
    except EmbeddingUnavailable as exc:
        raise UsageError(str(exc)) from None
    if as_json:
        doc = {"terms": [{"issue": t.issue, "phrase": t.phrase, "similarity": t.similarity, "count": t.count}
                         for t in found]}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        return
    table = Table(title=f"{len(found)} proposed terms (similarity >= {at})")
    for col in ("issue", "phrase", "similarity", "count"):
        table.add_column(col)
    for t in found:
        table.add_row(t.issue, escape(t.phrase), f"{t.similarity:.2f}", str(t.count))
    out.print(table)


LabelsArg = Annotated[Path, typer.Argument(help="a reader's labels file (see accord.evidence.evaluate)")]


def _two_readers(first: Path, second: Path, scenario: str, texts: list[Path] | None):
    """Both readers' labels of the articles either labels (the first's order, then the second's)."""
    from ..evidence.evaluate import find_articles, labelled_articles, read_labels

    s = load(scenario, None).scenario
    names = list(dict.fromkeys(labelled_articles(first) + labelled_articles(second)))
    paths = find_articles(names, [first.parent, second.parent, *(texts or [])])
    articles = {p.name: p.read_text(encoding="utf-8-sig") for p in paths if p.is_file()}
    actors, issues = set(s.actor_ids), set(s.issue_ids)
    problems, read = [], []
    for path in (first, second):  # both files' errors at once
        try:
            read.append(read_labels(path, articles, actors, issues))
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return read[0], read[1], articles


@evidence_app.command("agree")
@guarded
def evidence_agree(first: LabelsArg, second: LabelsArg, scenario: ScenarioOpt, texts: TextsOpt = None,
                   disputes: Annotated[Optional[Path], typer.Option(
                       "--disputes", help="write the disagreements here (YAML) for a third reader to decide")] = None,
                   as_json: JsonOpt = False) -> None:
    """How far two readers' labels of the same articles agree: links (F1) and stances (Cohen's kappa)."""
    import yaml

    from ..evidence.agreement import agreement
    from ..evidence.agreement import disputes as find_disputes

    a, b, articles = _two_readers(first, second, scenario, texts)
    result = {"first": str(first), "second": str(second), **agreement(a, b, articles)}
    if disputes is not None:
        found = find_disputes(a, b, articles)
        head = (f"# The disagreements of {first.name} (first reader) and {second.name} (second reader).\n"
                "# Decide each by the guideline: decision: {link: true|false, stance: min|max|none,\n"
                "# borderline: true|false, reason: ...}; then: accord evidence adjudicate.\n")
        atomic_write(disputes, (head + yaml.safe_dump({"disputes": found}, sort_keys=False, allow_unicode=True,
                                                       width=110)).encode("utf-8"))
        result["disputes"] = len(found)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        return
    for key, value in result.items():
        out.print(f"{key:18} {escape(str(value))}")


@evidence_app.command("adjudicate")
@guarded
def evidence_adjudicate(first: LabelsArg, second: LabelsArg,
                        decisions: Annotated[Path, typer.Argument(help="the disputes file, each decision filled in")],
                        scenario: ScenarioOpt,
                        output: Annotated[Path, typer.Option("--output", "-o", help="gold labels file to write")],
                        texts: TextsOpt = None) -> None:
    """The gold labels: the links both readers give alike, and the disputed links the third reader keeps."""
    from ..evidence.agreement import adjudicate, labels_document, read_decisions

    a, b, articles = _two_readers(first, second, scenario, texts)
    gold = adjudicate(a, b, read_decisions(decisions, articles), articles, str(decisions))
    header = (f"Gold labels: the links {first.name} and {second.name} give alike, and the disputed links\n"
              f"kept in {decisions.name} (accord evidence adjudicate).")
    atomic_write(output, labels_document(gold, articles, header).encode("utf-8"))
    out.print(f"wrote {len(gold)} links to {output}")
