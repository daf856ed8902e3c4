"""The evidence scan beyond the seeds: speakers, group references, names of things, the optional
dependency parse, proposed terms, and the figures on the held-out texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.evidence import scan, sentences
from accord.evidence.discourse import speakers
from accord.evidence.evaluate import evaluate, labelled_articles, read_labels
from accord.evidence.lexicon import vocabulary
from accord.io import read_scenario
from accord.scenario import Scenario

from .conftest import KOREA, ROOT

HELDOUT = ROOT / "data" / "evidence" / "heldout"


def deal() -> Scenario:
    """Four states and one issue, a deal (kept: max; left: min)."""
    actors = [("USA", "United States", ["Trump", "President Trump", "the President"]),
              ("GBR", "United Kingdom", ["the Prime Minister", "PM"]), ("FRA", "France", ["Macron"]),
              ("DEU", "Germany", ["Merkel"]), ("EU", "European Union", ["Juncker"]), ("CHN", "China", []),
              ("PRK", "North Korea", [])]
    raw = {"name": "deal", "assumption": "test",
           "issues": [{"id": "deal", "scale": {"min": 0, "max": 100},
                       "lexicon": {"terms": ["deal", "agreement", "sanction*"],
                                   "toward_min": ["withdraw*", "sanction*", "leave"],
                                   "toward_max": ["uphold*", "keep", "commit*", "lift*"]}}],
           "actors": [{"id": i, "name": n, "aliases": a, "capability": 1,
                       "issues": {"deal": {"position": 50, "salience": 0.5}}} for i, n, a in actors]}
    return Scenario.model_validate(raw)


def links(text: str, parser=None) -> list[tuple[str, str, str]]:
    return sorted((c.actor, c.stance, c.mention) for c in scan(deal(), {"a.txt": text}, parser=parser))


# -- speakers ---------------------------------------------------------------------------------------

def test_first_person_of_a_statement_is_its_author():
    assert links("PM statement on the talks\n\nWe will uphold the deal.") == [("GBR", "max", "We")]


def test_the_topic_of_a_statement_is_not_its_author():
    """'Statement on North Korea': North Korea is what it is about, the author is not named."""
    assert links("Statement on North Korea\n\nWe will uphold the deal.") == []


def test_a_news_story_has_no_author():
    """Without a word saying what kind of text it is, the headline's actor is no author."""
    found = scan(deal(), {"a.txt": "China and the talks\n\nWe will uphold the deal."})
    assert [c for c in found if c.sentence.startswith("We")] == []


@pytest.mark.parametrize("text", [
    'Juncker said: "The talks ended. We will uphold the deal."',
    '"We will uphold the deal. The talks ended," said Juncker.',
    'Juncker spoke in Brussels.\n"We will uphold the deal. The talks ended," he said.',
])
def test_first_person_in_a_quotation_is_its_speaker(text):
    assert links(text) == [("EU", "max", "We")]


def test_a_quotation_runs_on_across_sentences_of_its_paragraph():
    s = speakers('Juncker said: "The talks ended. We keep the deal. Our aim holds."\nWe left.',
                 vocabulary(deal()).actors)
    opening = 'Juncker said: "The talks ended. We'
    assert s.at(len(opening) - 2) == "EU" and s.at(len(opening) + 20) == "EU"
    assert s.author is None and s.at(len('Juncker said: "The talks ended. We keep the deal. Our aim holds."\n')) is None


def test_they_and_the_leaders_are_the_actors_of_the_sentence_before():
    text = ("The Prime Minister held calls with Macron and Merkel. They agreed to uphold the deal. "
            "The leaders committed to the deal.")
    found = scan(deal(), {"a.txt": text})
    assert sorted((c.actor, c.stance) for c in found if c.sentence.startswith("They")) == [
        ("DEU", "max"), ("FRA", "max"), ("GBR", "max")]
    assert sorted(c.actor for c in found if c.sentence.startswith("The leaders")) == ["DEU", "FRA", "GBR"]


def test_he_is_the_actor_named_before():
    assert ("USA", "min", "He") in links("Trump spoke on Tuesday. He said he would withdraw from the deal.")


def test_us_is_not_the_united_states_and_the_us_is():
    """'us' (a pronoun) is an object; 'the US' is a name (case tells them apart)."""
    assert links("The deal binds us.") == []
    s = Scenario.model_validate(deal().canonical() | {})
    assert [c.actor for c in scan(s, {"a.txt": "The US will withdraw from the deal."})] == ["USA"]


# -- names of things ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, actors", [
    ("The Paris Agreement is a deal.", []),
    ("The Paris climate accord is a deal.", []),
    ("France will uphold the deal in Paris.", ["FRA"]),
    ("France will uphold the deal, the Paris Agreement.", ["FRA"]),
    ("The US-China agreement holds.", ["CHN", "USA"]),
])
def test_a_name_inside_the_name_of_a_thing_is_not_the_actor(text, actors):
    s = Scenario.model_validate(deal().canonical())
    assert sorted({c.actor for c in scan(s, {"a.txt": text})}) == actors


def test_art_is_an_abbreviation():
    assert [x.text for x in sentences("European Council (Art. 50) conclusions, 25 November 2018")] == [
        "European Council (Art. 50) conclusions, 25 November 2018"]


# -- the held-out texts -------------------------------------------------------------------------------

NEGOTIATIONS = {"iran": "iran-2018.yaml", "brexit": "brexit-2018.yaml", "paris": "paris-2015.yaml", "korea": None}


def heldout(name: str, kept: str = "", parser=None) -> dict:
    scenario = HELDOUT / "scenarios" / NEGOTIATIONS[name] if NEGOTIATIONS[name] else KOREA
    s = read_scenario(scenario).scenario
    labels = HELDOUT / f"labels-{name}{'-' + kept if kept else ''}.yaml"
    texts = {n: (HELDOUT / "texts" / n).read_text(encoding="utf-8") for n in labelled_articles(labels)}
    return evaluate(scan(s, texts, parser=parser), read_labels(labels, texts, set(s.actor_ids), set(s.issue_ids)))


@pytest.mark.parametrize("name, counts", [
    # (labels, candidates, matched, right stances) of the lexical scan; see docs: evidence, held-out
    ("iran", (38, 26, 20, 14)),
    ("brexit", (26, 26, 19, 16)),
    ("paris", (35, 30, 27, 26)),
    ("korea", (8, 8, 5, 5)),
])
def test_scan_against_the_heldout_labels(name, counts):
    r = heldout(name)
    right = round((r["stance_accuracy"] or 0) * r["matched"])
    assert (r["labels"], r["candidates"], r["matched"], right) == counts


@pytest.mark.parametrize("name, kept, counts", [
    # the sets kept apart from the changes (data/evidence/heldout/README.md)
    ("iran", "added", (19, 17, 16, 13)),
    ("brexit", "added", (6, 10, 6, 6)),
    ("iran", "fresh", (12, 9, 6, 6)),
    ("brexit", "fresh", (10, 5, 4, 1)),
    ("paris", "fresh", (5, 2, 2, 2)),
    ("brexit", "fresh2", (7, 7, 5, 3)),
    ("korea", "fresh2", (18, 16, 12, 10)),
])
def test_scan_against_the_kept_apart_labels(name, kept, counts):
    r = heldout(name, kept)
    right = round((r["stance_accuracy"] or 0) * r["matched"])
    assert (r["labels"], r["candidates"], r["matched"], right) == counts


@pytest.mark.parametrize("name, kept, articles, links", [
    # the fresh sets, labelled blind to the scanner: pinned so that a later edit shows
    ("iran", "fresh3", 2, 59), ("brexit", "fresh3", 3, 35), ("paris", "fresh3", 2, 25), ("korea", "fresh3", 3, 50),
    ("iran", "fresh5", 4, 80), ("brexit", "fresh5", 4, 42), ("paris", "fresh5", 3, 29), ("korea", "fresh5", 4, 95),
    ("iran", "fresh6", 4, 107), ("brexit", "fresh6", 4, 49), ("paris", "fresh6", 4, 30), ("korea", "fresh6", 4, 90),
    ("iran", "fresh7", 4, 126), ("brexit", "fresh7", 3, 30), ("paris", "fresh7", 4, 47), ("korea", "fresh7", 4, 78),
    ("iran", "fresh8", 4, 41), ("brexit", "fresh8", 4, 35), ("paris", "fresh8", 2, 22), ("korea", "fresh8", 4, 43),
    ("iran", "fresh9", 4, 83), ("brexit", "fresh9", 3, 21), ("paris", "fresh9", 3, 27), ("korea", "fresh9", 4, 52),
])
def test_the_fresh_labels_load_as_committed(name, kept, articles, links):
    scenario = HELDOUT / "scenarios" / NEGOTIATIONS[name] if NEGOTIATIONS[name] else KOREA
    s = read_scenario(scenario).scenario
    path = HELDOUT / f"labels-{name}-{kept}.yaml"
    texts = {n: (HELDOUT / "texts" / n).read_text(encoding="utf-8") for n in labelled_articles(path)}
    assert (len(texts), len(read_labels(path, texts, set(s.actor_ids), set(s.issue_ids)))) == (articles, links)


def test_heldout_texts_are_listed_with_their_licence():
    readme = (HELDOUT / "README.md").read_text(encoding="utf-8")
    for text in sorted((HELDOUT / "texts").glob("*.txt")):
        row = next((line for line in readme.splitlines() if line.startswith(f"| {text.name}")), None)
        assert row is not None and row.count("|") == 7 and "http" in row, text.name


# -- the dependency parse (the nlp extra) ---------------------------------------------------------------

def _parser():
    from accord.evidence.syntax import ParserUnavailable, load_parser

    try:
        return load_parser()
    except ParserUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def parser():
    return _parser()


def test_the_object_of_a_verb_holds_no_stance(parser):
    """'China condemns North Korea': the lexical rules read a present-tense verb's object as a
    party; the parse does not."""
    text = "China condemns North Korea over the deal."
    assert links(text) == [("CHN", "none", "China"), ("PRK", "none", "North Korea")]
    assert links(text, parser) == [("CHN", "none", "China")]


def test_the_subject_of_a_passive_with_an_actor_as_agent_is_the_patient(parser):
    text = "North Korea was sanctioned by the United States."
    assert ("PRK", "min", "North Korea") in links(text)
    assert links(text, parser) == [("USA", "min", "United States")]


@pytest.mark.parametrize("mode", ["lexical", "parse"])
def test_cues_in_another_actors_decision_are_not_the_speakers(mode):
    """'We take note of President Trump's decision to withdraw': the withdrawal is Trump's."""
    text = "PM statement on the talks\n\nWe take note of President Trump's decision to withdraw from the deal."
    assert links(text, _parser() if mode == "parse" else None) == [
        ("GBR", "none", "We"), ("USA", "min", "President Trump's")]


@pytest.mark.parametrize("mode", ["lexical", "parse"])
def test_agreeing_to_another_actors_demand_takes_its_direction(mode):
    text = "China agreed to North Korea's demand to uphold the deal."
    assert ("CHN", "max", "China") in links(text, _parser() if mode == "parse" else None)


@pytest.mark.parametrize("name", ["iran", "brexit", "paris", "korea"])
def test_the_parse_keeps_the_heldout_figures(parser, name):
    lexical, parsed = heldout(name), heldout(name, parser=parser)
    assert parsed["matched"] >= lexical["matched"] and parsed["precision"] >= lexical["precision"] - 1e-9


def test_scan_cli_without_a_parser_says_how_to_install_it(monkeypatch, tmp_path):
    from typer.testing import CliRunner

    from accord.cli import app
    from accord.evidence import syntax

    monkeypatch.setattr(syntax, "MODELS", ("no_such_pipeline",))
    article = tmp_path / "a.txt"
    article.write_text("Russia wants sanctions eased.", encoding="utf-8")
    r = CliRunner().invoke(app, ["evidence", "scan", str(article), "-s", str(KOREA), "--parse"])
    assert r.exit_code != 0 and "accord[nlp]" in r.output and "Traceback" not in r.output


# -- proposed terms (the text extra) ---------------------------------------------------------------------

class _Words:
    """A stand-in encoder: a phrase is the normalised count of its words, each word a dimension of
    its own (a hash), so similarity is shared words (no model needed)."""

    def encode(self, texts):
        import zlib

        import numpy as np

        out = np.zeros((len(texts), 4096))
        for k, t in enumerate(texts):
            for w in t.lower().replace(".", " ").split():
                out[k, zlib.crc32(w.encode()) % 4096] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def test_terms_proposes_phrases_near_an_issue_and_not_in_its_lexicon():
    from accord.evidence.terms import phrases, propose_terms

    s = deal()
    text = "Trump will end the war games. China wants the deal. The weather was fine."
    assert set(phrases(s, {"a": text})) == {"end", "war", "games", "war games"}
    enc = _Words()
    s2 = Scenario.model_validate(deal().canonical() | {"issues": [
        {**deal().canonical()["issues"][0], "description": "war games"}]})
    found = propose_terms(s2, {"a": text}, encoder=enc, at=0.5)
    assert [(t.issue, t.phrase) for t in found] == [("deal", "war games"), ("deal", "games"), ("deal", "war")]
    assert all(t.phrase != "deal" for t in found)  # already a term


def test_paths_in_readme_exist():
    assert Path(HELDOUT / "README.md").exists()


def test_a_plural_reference_opening_a_paragraph_looks_back_to_a_one_sentence_paragraph():
    text = ("Talks on the deal\n\nThe Prime Minister met Macron and Merkel in Sofia.\n\n"
            "The leaders committed to the deal.\n\nHe committed to the deal.")
    found = scan(deal(), {"a.txt": text})
    assert sorted(c.actor for c in found if c.sentence.startswith("The leaders")) == ["DEU", "FRA", "GBR"]
    # a singular pronoun looks back within its paragraph only
    assert [c for c in found if c.sentence.startswith("He")] == []


def test_terms_cli_prints_the_proposals(monkeypatch, tmp_path):
    import json

    from typer.testing import CliRunner

    from accord.cli import app
    from accord.evidence import terms

    article = tmp_path / "a.txt"
    article.write_text("Trump will end the war games with Seoul.", encoding="utf-8")
    seen = {}

    def fake(scenario, articles, at, top):
        seen.update(at=at, top=top, articles=sorted(articles))
        return [terms.TermProposal("us_posture", "war games", 0.71, 1)]

    monkeypatch.setattr(terms, "propose_terms", fake)
    r = CliRunner().invoke(app, ["evidence", "terms", str(article), "-s", str(KOREA), "--at", "0.6", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {"terms": [{"issue": "us_posture", "phrase": "war games", "similarity": 0.71,
                                               "count": 1}]}
    assert seen == {"at": 0.6, "top": 10, "articles": ["a.txt"]}


def test_the_parse_keeps_the_seed_figures(parser):
    """With the dependency parse, the seed links are those of the lexical scan (README); the parse
    reads the direction of two more of them right (stance accuracy 0.80 lexical)."""
    from .conftest import shared

    folder = shared("seeds")
    s = read_scenario(KOREA).scenario
    labels = ROOT / "tests" / "data" / "evidence" / "seed-labels.yaml"
    texts = {n: (folder / n).read_text(encoding="utf-8-sig") for n in labelled_articles(labels)}
    r = evaluate(scan(s, texts, parser=parser), read_labels(labels, texts, set(s.actor_ids), set(s.issue_ids)))
    assert (r["labels"], r["candidates"], r["matched"]) == (102, 103, 83)
    assert (r["precision"], r["recall"], r["stance_accuracy"]) == pytest.approx((0.8058, 0.8137, 0.8193))


def test_the_actor_a_deed_named_by_a_noun_comes_from_holds_a_stance():
    """'drew sharp condemnation from China': China condemns; 'relations with China' would not tie it."""
    text = "North Korea's withdrawal from the deal drew sharp condemnation from China."
    assert "CHN" in {actor for actor, _, _ in links(text)}  # the link; its direction is not read here


@pytest.mark.parametrize("text, actors", [
    ("The deal was agreed, with the European Union playing a pivotal role.", ["EU"]),  # agent of a participle
    ("The deal is a major win for China.", ["CHN"]),  # whose gain
    ("The deal was signed on May 8 in London.", []),  # a month, not Theresa May
    ("The deal was signed on 8 May in London.", []),
    ("The deal keeps Northern Ireland in the customs union.", []),  # not Ireland
])
def test_names_and_their_places(text, actors):
    s = Scenario.model_validate(deal().canonical() | {"actors": [
        *deal().canonical()["actors"],
        {"id": "IRL", "name": "Ireland", "capability": 1, "issues": {"deal": {"position": 50, "salience": 0.5}}},
        {"id": "MAY", "name": "Theresa May", "aliases": ["May"], "capability": 1,
         "issues": {"deal": {"position": 50, "salience": 0.5}}}]})
    assert sorted({c.actor for c in scan(s, {"a.txt": text})}) == actors


def test_a_title_case_headline_reads_its_verbs():
    """'... To Prevent North Korea From ...': the object of 'Prevent', as in lower case."""
    assert links("Statement on the Deal To Prevent North Korea From Leaving") == []


def test_a_relative_clause_with_its_own_subject_ties_only_its_words():
    text = "China, in exchange for the lifting of sanctions, agreed to the inspections, which Trump said were weak."
    assert [a for a, _, _ in links(text)] == ["CHN"]


def test_they_continues_the_group_of_the_sentence_before():
    text = ("The Prime Minister held calls with Macron and Merkel. They discussed the North Korea question. "
            "They agreed to uphold the deal.")
    found = scan(deal(), {"a.txt": text})
    assert sorted(c.actor for c in found if c.sentence.startswith("They agreed")) == ["DEU", "FRA", "GBR"]


def test_an_unattributed_quotation_continues_the_one_before():
    text = 'Juncker said: "The talks ended."\n\n"We will uphold the deal."'
    assert links(text) == [("EU", "max", "We")]
