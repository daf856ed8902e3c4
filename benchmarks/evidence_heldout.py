"""The evidence scan on text it was not written with: held-out negotiations and the seeds.

    python benchmarks/evidence_heldout.py [--set main|added|fresh|fresh2|...|fresh9[,...]] [--parse] [--semantic]
        [--errors NEGOTIATION] [--repeats 3]

For each negotiation of data/evidence/heldout (its scenario, texts and hand labels) and for
the three seed articles (../shared/seeds, labels in tests/data/evidence), scans the texts and
scores the candidates against the labels (accord.evidence.evaluate): precision, recall and
stance accuracy, per negotiation and pooled over the held-out ones (matches, candidates and
labels added up). ``--set added`` scores the texts kept apart while the scanner was changed
(labels-*-added.yaml), ``--set fresh`` to ``--set fresh9`` those labelled after a
change (labels-*-fresh.yaml, ..., labels-*-fresh9.yaml: see
data/evidence/heldout/README.md); sets joined by commas (``--set fresh6,fresh7``) are pooled
per negotiation;
``--parse`` scans with the dependency parse (the nlp extra), ``--semantic`` ranks with the
sentence embedding (the text extra; both: the full pipeline). The last line is the best wall
and CPU time of scanning the three seeds (scenario read, articles given as text, models
loaded beforehand; a new ranker each run, so no sentence is embedded from a previous run),
over ``--repeats`` runs. ``--errors`` prints the
false and missed links of one negotiation (only for a negotiation whose texts are no longer
held out: reading them is tuning on them).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from _measure import best_time

from accord.evidence import scan
from accord.evidence.evaluate import evaluate, labelled_articles, read_labels
from accord.io import read_scenario

ROOT = Path(__file__).resolve().parents[1]
HELDOUT = ROOT / "data" / "evidence" / "heldout"
SEEDS = ROOT.parent / "shared" / "seeds"
SETS = ("main", "added", "fresh", "fresh2", "fresh3", "fresh4", "fresh5", "fresh6", "fresh7", "fresh8", "fresh9")
NEGOTIATIONS = {  # name: (scenario, labels stem)
    "iran": (HELDOUT / "scenarios" / "iran-2018.yaml", "labels-iran"),
    "brexit": (HELDOUT / "scenarios" / "brexit-2018.yaml", "labels-brexit"),
    "paris": (HELDOUT / "scenarios" / "paris-2015.yaml", "labels-paris"),
    "korea": (ROOT / "scenarios" / "korea-2018.yaml", "labels-korea"),
}


def score(scenario_path: Path, labels_path: Path, folder: Path, parser=None, ranker=None) -> dict:
    """Scan the labelled articles with the scenario and evaluate against the labels."""
    s = read_scenario(scenario_path).scenario
    texts = {n: (folder / n).read_text(encoding="utf-8-sig") for n in labelled_articles(labels_path)}
    labels = read_labels(labels_path, texts, set(s.actor_ids), set(s.issue_ids))
    return evaluate(scan(s, texts, ranker=ranker(), parser=parser) if ranker else scan(s, texts, parser=parser),
                    labels)


def row(name: str, r: dict) -> str:
    def f(x):
        return "  -  " if x is None else f"{x:.2f}"
    return (f"{name:14s} {r['labels']:6d} {r['candidates']:6d} {r['matched']:6d} {f(r['precision']):>9s} "
            f"{f(r['recall']):>7s} {f(r['stance_accuracy']):>7s} {r['sure_labels']:6d} {f(r['recall_sure']):>7s}")


def pooled(results: list[dict]) -> dict:
    labels = sum(r["labels"] for r in results)
    cands = sum(r["candidates"] for r in results)
    matched = sum(r["matched"] for r in results)
    stance_ok = sum(round((r["stance_accuracy"] or 0) * r["matched"]) for r in results)
    ratio = lambda a, b: a / b if b else None  # noqa: E731
    sure = sum(r["sure_labels"] for r in results)
    sure_found = sum(round((r["recall_sure"] or 0) * r["sure_labels"]) for r in results)
    return {"labels": labels, "candidates": cands, "matched": matched, "precision": ratio(matched, cands),
            "recall": ratio(matched, labels), "stance_accuracy": ratio(stance_ok, matched),
            "sure_labels": sure, "recall_sure": ratio(sure_found, sure)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", type=_sets, default=["main"],
                        help="which held-out labels: main, added (kept apart), "
                             "fresh to fresh9 (after a change); several joined by commas are pooled")
    parser.add_argument("--errors", choices=sorted(NEGOTIATIONS) + ["seeds"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--parse", action="store_true", help="with the dependency parse (the nlp extra)")
    parser.add_argument("--semantic", action="store_true", help="with the sentence embedding (the text extra)")
    args = parser.parse_args()
    nlp = ranker = None
    if args.semantic:
        from accord.evidence.embedding import SentenceEncoder
        from accord.evidence.semantic import SemanticRanker

        encoder = SentenceEncoder.load()
        ranker = lambda: SemanticRanker(encoder)  # noqa: E731  (a new ranker: nothing embedded before)
        print("sentence embedding: all-MiniLM-L6-v2")
    if args.parse:
        from accord.evidence.syntax import load_parser

        nlp = load_parser()
        print(f"dependency parse: {nlp.name}")
    print(f"{'negotiation':14s} {'labels':>6s} {'cands':>6s} {'match':>6s} {'precision':>9s} {'recall':>7s} "
          f"{'stance':>7s} {'sure':>6s} {'R sure':>7s}")
    results = []
    for name, (scenario, stem) in NEGOTIATIONS.items():
        paths = [HELDOUT / f"{stem}{'' if kept == 'main' else '-' + kept}.yaml" for kept in args.set]
        found = [score(scenario, labels, HELDOUT / "texts", nlp, ranker) for labels in paths if labels.exists()]
        if not found:
            continue
        r = found[0] if len(found) == 1 else pooled(found)
        results.append(r)
        print(row(name, r))
        if args.errors == name:
            for each in found:
                _errors(each)
    print(row("held-out", pooled(results)))
    if SEEDS.is_dir():
        seeds = score(ROOT / "scenarios" / "korea-2018.yaml", ROOT / "tests" / "data" / "evidence" / "seed-labels.yaml",
                      SEEDS, nlp, ranker)
        print(row("seeds", seeds))
        if args.errors == "seeds":
            _errors(seeds)
        s = read_scenario(ROOT / "scenarios" / "korea-2018.yaml").scenario
        texts = {p.name: p.read_text(encoding="utf-8-sig") for p in sorted(SEEDS.glob("*.txt"))}
        cpu = []

        def run():
            start = time.process_time()
            scan(s, texts, ranker=ranker() if ranker else None, parser=nlp)
            cpu.append(time.process_time() - start)

        seconds, _ = best_time(run, args.repeats)
        print(f"scan of the {len(texts)} seeds: {seconds:.2f} s wall, {min(cpu):.2f} s CPU (best of {args.repeats})")


def _sets(value: str) -> list[str]:
    """One set or several joined by commas (pooled per negotiation): ``fresh6,fresh7``."""
    names = value.split(",")
    unknown = [n for n in names if n not in SETS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown set {', '.join(unknown)}; the sets are {', '.join(SETS)}")
    return names


def _errors(r: dict) -> None:
    for c in r["false_positives"]:
        print(f"   FP {c['actor']}/{c['issue']}/{c['stance']}: {c['sentence']}")
    for m in r["missed"]:
        print(f"   FN {m['actor']}/{m['issue']}/{m['stance']} ({m['mention']}) {m['article']} line {m['line']}")


if __name__ == "__main__":
    main()
