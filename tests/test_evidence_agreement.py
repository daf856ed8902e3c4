"""Two readers' labels: agreement, disputes, and the gold labels a third reader's decisions make."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.errors import InputError
from accord.evidence.agreement import (
    Decision,
    adjudicate,
    agreement,
    cohen_kappa,
    disputes,
    labels_document,
    links,
    read_decisions,
)
from accord.evidence.evaluate import Label, read_labels
from accord.io import read_scenario

from .conftest import KOREA, ROOT, shared

EVIDENCE = ROOT / "tests" / "data" / "evidence"
TEXT = "Russia backs the talks. China agrees with Russia on sanctions. Japan is silent."


def label(quote: str, actor: str, issue: str, stance: str = "none", borderline: bool = False) -> Label:
    at = TEXT.index(quote)
    return Label("a.txt", at, at + len(quote), actor, issue, stance, "name", borderline=borderline)


# -- Cohen's kappa on the textbook tables --------------------------------------------------------


def test_kappa_of_the_textbook_two_by_two_table():
    """50 items, both say yes 20, both no 15, split 5 and 10: p_o = 0.7, p_e = 0.5, kappa = 0.4."""
    x = ["yes"] * 25 + ["no"] * 25
    y = ["yes"] * 20 + ["no"] * 5 + ["yes"] * 10 + ["no"] * 15
    assert cohen_kappa(x, y) == pytest.approx(0.4)


def test_kappa_is_zero_at_chance_and_undefined_without_variety():
    assert cohen_kappa(["min", "min", "max", "max"], ["min", "max", "min", "max"]) == 0.0
    assert cohen_kappa(["none", "none"], ["none", "none"]) is None  # p_e = 1: nothing to beat
    assert cohen_kappa([], []) is None


# -- links, agreement and disputes on a small text ----------------------------------------------


def test_two_quotes_of_one_sentence_are_one_link():
    first = [label("Russia backs", "RUS", "format", "max")]
    second = [label("backs the talks", "RUS", "format", "max")]
    r = agreement(first, second, {"a.txt": TEXT})
    assert (r["first"], r["second"], r["both"], r["f1"], r["stance_agreement"]) == (1, 1, 1, 1.0, 1.0)
    assert disputes(first, second, {"a.txt": TEXT}) == []


def test_agreement_counts_links_and_stances():
    first = [label("Russia backs", "RUS", "format", "max"), label("China agrees", "CHN", "sanctions", "min"),
             label("China agrees", "RUS", "sanctions", "min", borderline=True)]
    second = [label("Russia backs", "RUS", "format", "max"), label("on sanctions", "CHN", "sanctions", "max"),
              label("Japan is silent", "JPN", "format", "none")]
    r = agreement(first, second, {"a.txt": TEXT})
    assert (r["first"], r["second"], r["both"]) == (3, 3, 2)
    assert r["f1"] == pytest.approx(2 * 2 / 6, abs=1e-4)
    assert r["stance_agreement"] == 0.5
    assert r["sure_first_found"] == 1.0  # both sure links of the first reader are the second's too
    found = disputes(first, second, {"a.txt": TEXT})
    assert [(d["actor"], d["issue"]) for d in found] == [("CHN", "sanctions"), ("RUS", "sanctions"),
                                                          ("JPN", "format")]
    assert found[0]["first_reader"]["stance"] == "min" and found[0]["second_reader"]["stance"] == "max"
    assert found[1]["second_reader"] is None and found[2]["first_reader"] is None
    assert found[0]["sentence"] == "China agrees with Russia on sanctions."


def test_gold_is_the_agreed_links_and_the_kept_disputes():
    first = [label("Russia backs", "RUS", "format", "max", borderline=True),
             label("China agrees", "CHN", "sanctions", "min"), label("China agrees", "RUS", "sanctions", "min")]
    second = [label("Russia backs", "RUS", "format", "max"), label("on sanctions", "CHN", "sanctions", "max"),
              label("Japan is silent", "JPN", "format", "none")]
    arts = {"a.txt": TEXT}
    by = {(k[2], k[3]): k for k in links(first + second, arts)}
    assert {(d["actor"], d["issue"]) for d in disputes(first, second, arts)} == \
        {("CHN", "sanctions"), ("RUS", "sanctions"), ("JPN", "format")}
    decisions = {by["CHN", "sanctions"]: Decision(True, "max", borderline=False),
                 by["RUS", "sanctions"]: Decision(False), by["JPN", "format"]: Decision(True, "none")}
    gold = {(g.actor, g.issue): g for g in adjudicate(first, second, decisions, arts)}
    assert set(gold) == {("RUS", "format"), ("CHN", "sanctions"), ("JPN", "format")}
    assert not gold["RUS", "format"].borderline  # one reader's doubt, the other's finding: sure
    assert (gold["CHN", "sanctions"].stance, gold["CHN", "sanctions"].borderline) == ("max", False)
    assert gold["JPN", "format"].borderline


def test_every_undecided_and_every_stray_decision_is_named():
    first = [label("Russia backs", "RUS", "format", "max"), label("China agrees", "CHN", "sanctions", "min")]
    second = [label("Japan is silent", "JPN", "format", "none"), label("Russia backs", "RUS", "format", "max")]
    arts = {"a.txt": TEXT}
    by = {(k[2], k[3]): k for k in links(first + second, arts)}
    with pytest.raises(InputError) as exc:
        adjudicate(first, second, {by["RUS", "format"]: Decision(False)}, arts, "d.yaml")
    messages = [p.message for p in exc.value.problems]
    assert len(messages) == 3
    assert sum("no decision on the disputed link" in m for m in messages) == 2
    assert any("RUS/format" in m and "not in dispute" in m for m in messages)


def test_decisions_file_errors_are_reported_together_with_their_lines(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text("disputes:\n"
                    "- {id: 1, article: a.txt, sentence: 'Japan is silent.', actor: JPN, issue: format,\n"
                    "   decision: {link: true, stance: up}}\n"
                    "- {id: 2, article: a.txt, sentence: 'Not a sentence.', actor: JPN, issue: format,\n"
                    "   decision: {link: false}}\n"
                    "- {id: 3, article: a.txt, sentence: 'Japan is silent.', actor: CHN, issue: format,\n"
                    "   decision: null}\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_decisions(path, {"a.txt": TEXT})
    got = [(p.line, p.message) for p in exc.value.problems]
    assert [line for line, _ in got] == [2, 4, 6]
    assert "'up' is not one of: min, max, none" in got[0][1]
    assert "must name a link" in got[1][1] and "`decision` needs `link" in got[2][1]


@given(st.lists(st.tuples(st.sampled_from(["Russia backs", "China agrees", "Japan is silent"]),
                          st.sampled_from(["RUS", "CHN", "JPN"]), st.sampled_from(["format", "sanctions"]),
                          st.sampled_from(["min", "max", "none"])), max_size=8),
       st.lists(st.tuples(st.sampled_from(["the talks", "on sanctions", "Japan"]),
                          st.sampled_from(["RUS", "CHN", "JPN"]), st.sampled_from(["format", "sanctions"]),
                          st.sampled_from(["min", "max", "none"])), max_size=8))
def test_f1_is_symmetric_and_a_reader_agrees_with_itself(a, b):
    arts = {"a.txt": TEXT}
    first, second = [label(*x) for x in a], [label(*x) for x in b]
    ab, ba = agreement(first, second, arts), agreement(second, first, arts)
    assert ab["f1"] == ba["f1"] and ab["second_precision"] == ba["second_recall"]
    self = agreement(first, first, arts)
    assert self["f1"] in (1.0, None) and self["stance_agreement"] in (1.0, None)
    assert disputes(first, first, arts) == []
    # the agreed links alone, when every dispute is dropped
    drop = {k: Decision(False) for k in {(d["article"], _start(d["sentence"]), d["actor"], d["issue"])
                                         for d in disputes(first, second, arts)}}
    gold = links(adjudicate(first, second, drop, arts), arts)
    fa, fb = links(first, arts), links(second, arts)
    assert set(gold) == {k for k in fa.keys() & fb.keys() if fa[k].stance == fb[k].stance}


def _start(sentence: str) -> int:
    return TEXT.index(sentence)


# -- the seed articles: the readers' agreement and the adjudication reproduce the gold -------------


def _seed_labels(name: str):
    seeds = ("000_8bf56d11d85b02f4.txt", "002_1d1c7875d32019aa.txt", "004_b11194f2b58300be.txt")
    articles = {n: shared("seeds", n).read_text(encoding="utf-8") for n in seeds}
    s = read_scenario(KOREA).scenario
    return read_labels(EVIDENCE / name, articles, set(s.actor_ids), set(s.issue_ids)), articles


def test_the_seed_readers_agree_as_the_guide_reports():
    first, articles = _seed_labels("seed-labels-first-reader.yaml")
    second, _ = _seed_labels("seed-labels-second-reader.yaml")
    r = agreement(first, second, articles)
    assert (r["first"], r["second"], r["both"], r["f1"], r["stance_agreement"]) == (110, 115, 100, 0.8889, 0.91)
    assert r["stance_kappa"] == pytest.approx(0.81, abs=0.005)
    assert len(disputes(first, second, articles)) == 34


def test_the_seed_adjudication_makes_the_seed_gold_labels(tmp_path):
    first, articles = _seed_labels("seed-labels-first-reader.yaml")
    second, _ = _seed_labels("seed-labels-second-reader.yaml")
    gold_now, _ = _seed_labels("seed-labels.yaml")
    gold = adjudicate(first, second, read_decisions(EVIDENCE / "seed-labels-adjudication.yaml", articles), articles)
    stances = lambda labels: {k: lab.stance for k, lab in links(labels, articles).items()}  # noqa: E731
    assert len(gold) == 102 and stances(gold) == stances(gold_now)
    # written as a labels file, it reads back as the same links
    path = tmp_path / "gold.yaml"
    path.write_text(labels_document(gold, articles, "gold"), encoding="utf-8")
    s = read_scenario(KOREA).scenario
    again = read_labels(path, articles, set(s.actor_ids), set(s.issue_ids))
    assert stances(again) == stances(gold)
    assert {k: lab.borderline for k, lab in links(again, articles).items()} == \
        {k: lab.borderline for k, lab in links(gold, articles).items()}


def test_agree_and_adjudicate_from_the_command_line(cli, tmp_path):
    seeds = shared("seeds")
    first, second = EVIDENCE / "seed-labels-first-reader.yaml", EVIDENCE / "seed-labels-second-reader.yaml"
    code, stdout, _ = cli("evidence", "agree", first, second, "-s", KOREA, "--texts", seeds,
                          "--disputes", tmp_path / "d.yaml")
    assert code == 0 and "f1                 0.8889" in stdout and "disputes           34" in stdout
    code, _, stderr = cli("evidence", "adjudicate", first, second, tmp_path / "d.yaml", "-s", KOREA,
                          "--texts", seeds, "-o", tmp_path / "gold.yaml")
    assert code == 2 and stderr.count("`decision` needs `link") == 34 and not (tmp_path / "gold.yaml").exists()
    code, stdout, _ = cli("evidence", "adjudicate", first, second, EVIDENCE / "seed-labels-adjudication.yaml",
                          "-s", KOREA, "--texts", seeds, "-o", tmp_path / "gold.yaml")
    assert code == 0 and "wrote 102 links" in stdout
    code, stdout, _ = cli("evidence", "agree", EVIDENCE / "seed-labels.yaml", tmp_path / "gold.yaml", "-s", KOREA,
                          "--texts", seeds)
    assert code == 0 and "f1                 1.0" in stdout
