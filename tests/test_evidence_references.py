"""The evidence scan's rules for who meets whom, whose stance a noun names, which words name an
issue beyond its terms (cues of several words, the head of a term named before), idioms that are
no cues, and the author under a headline: each on constructed sentences, where it must fire and
where it must not."""

from __future__ import annotations

import pytest

from accord.evidence import scan
from accord.evidence.lexicon import vocabulary
from accord.scenario import Scenario

from .test_evidence_generalise import _parser, deal, links


def scenario(terms: list[str], toward_min: list[str], toward_max: list[str]) -> Scenario:
    """The actors of :func:`deal` with one issue of the given lexicon."""
    raw = deal().canonical()
    raw["issues"][0]["lexicon"] = {"terms": terms, "toward_min": toward_min, "toward_max": toward_max}
    return Scenario.model_validate(raw)


def found(s: Scenario, text: str, parser=None) -> list[tuple[str, str]]:
    return sorted({(c.actor, c.stance) for c in scan(s, {"a.txt": text}, parser=parser)})


# -- meetings --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "The Prime Minister met with Macron and Merkel to discuss the deal.",
    "The Prime Minister held phone calls with Macron and Merkel about the deal.",
])
def test_those_one_meets_take_part_in_what_the_meeting_is_about(text):
    assert {a for a, _, _ in links(text)} == {"GBR", "FRA", "DEU"}


@pytest.mark.parametrize("text", [
    "I spoke to Merkel, and the Prime Minister will uphold the deal.",
    "The Prime Minister had a good, detailed discussion with Merkel about the deal.",
    "The Prime Minister agreed with Merkel the terms of the deal.",
])
def test_other_forms_of_meeting(text):
    assert "DEU" in {a for a, _, _ in links(text)}


def test_a_meeting_named_in_passing_is_no_meeting_of_its_parties():
    """'in meetings with Merkel': a circumstance, Merkel is not the one who speaks."""
    assert {a for a, _, _ in links("The Prime Minister repeated her support for the deal in meetings with Merkel.")} \
        == {"GBR"}


def test_the_leaders_after_a_meeting_are_those_who_met():
    """Not the United States, whose decision they met about."""
    text = ("PM meetings\n\nThe Prime Minister met with Macron and Merkel to discuss the decision by the United "
            "States to withdraw from the deal.\n\nThe leaders committed to uphold the deal.")
    leaders = [c for c in scan(deal(), {"a.txt": text}) if c.sentence.startswith("The leaders")]
    assert sorted((c.actor, c.stance) for c in leaders) == [("DEU", "max"), ("FRA", "max"), ("GBR", "max")]


def test_a_group_stays_the_topic_across_paragraphs():
    """'The leaders' opening a paragraph after a paragraph that ended on 'they': the same group."""
    text = ("PM calls\n\nThe Prime Minister spoke with Macron and Merkel about the talks.\n\n"
            "The leaders discussed the talks. They agreed to meet again.\n\nThe leaders committed to uphold the deal.")
    last = [c for c in scan(deal(), {"a.txt": text}) if c.sentence.startswith("The leaders committed")]
    assert sorted(c.actor for c in last) == ["DEU", "FRA", "GBR"]


def test_a_paragraph_of_several_sentences_without_a_group_is_not_looked_back_to():
    text = ("PM calls\n\nThe Prime Minister spoke with Macron and Merkel about the talks. The talks went well."
            "\n\nThe leaders committed to uphold the deal.")
    assert [c for c in scan(deal(), {"a.txt": text}) if c.sentence.startswith("The leaders")] == []


# -- whose stance a noun names ------------------------------------------------------------------------

@pytest.mark.parametrize("mode", ["lexical", "parse"])
def test_a_decision_by_another_actor_is_its_own(mode):
    """'to discuss the decision by the US to withdraw': the withdrawal is the US's, not the PM's."""
    text = "The Prime Minister met with Merkel to discuss the decision by the United States to withdraw from the deal."
    got = found(deal(), text, _parser() if mode == "parse" else None)
    assert ("USA", "min") in got and ("GBR", "none") in got and ("DEU", "none") in got


def test_welcoming_another_actors_decision_takes_it_up():
    assert ("FRA", "max") in found(deal(), "France welcomed the decision of Germany to uphold the deal.")


@pytest.mark.parametrize("text, holds", [
    ("The deal makes no difference to the British assessment.", True),  # a stance of its own
    ("The deal makes no difference to the British economy.", False),  # a circumstance
])
def test_a_name_before_a_stance_noun_holds_it(text, holds):
    assert ("GBR" in {a for a, _, _ in links(text)}) is holds


# -- idioms ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, stance", [
    ("France will work on the deal to this end.", "none"),  # a purpose
    ("France will keep the deal until the end of the year.", "max"),  # a time
    ("France wants to end the deal.", "min"),  # a cue
])
def test_end_in_an_idiom_is_no_cue(text, stance):
    s = scenario(["deal"], ["end*"], ["keep"])
    assert found(s, text) == [("FRA", stance)]


@pytest.mark.parametrize("text, stance", [
    ("France stressed the importance of the deal.", "max"),  # "important" is the cue
    ("France showed reluctant support for the deal.", "min"),  # "reluctance" is the cue
    ("France imported the deal.", "none"),  # no member of the family
])
def test_a_cue_reads_in_its_adjective_and_its_noun(text, stance):
    s = scenario(["deal"], ["reluctance"], ["important"])
    assert found(s, text) == [("FRA", stance)]


@pytest.mark.parametrize("max_cues, min_cues, text, stance", [
    (["uphold*"], ["leave"], "France supports the deal.", "max"),  # support points where "uphold" does
    (["uphold*"], ["leave"], "France does not support the deal.", "min"),  # and turns with a negation
    (["leave"], ["uphold*"], "France welcomed the deal.", "min"),  # the scale the other way round
    (["uphold*"], ["support*"], "France welcomed the deal.", "none"),  # both ends hold one: neither
    (["lift*"], ["tighten*"], "France supports the deal.", "none"),  # neither end holds one
    (["protect* the peace"], ["temporary"], "France supports the deal.", "none"),  # a phrase is not its verb
])
def test_words_of_support_point_where_the_issues_own_words_of_support_do(max_cues, min_cues, text, stance):
    assert found(scenario(["deal"], min_cues, max_cues), text) == [("FRA", stance)]


# -- words that name an issue beyond its terms ---------------------------------------------------------

@pytest.mark.parametrize("text, actors", [
    ("Germany will work closely with France.", ["DEU"]),  # a cue of two content words names the issue
    ("Germany is close to France.", []),  # a cue of one word does not
    ("Germany will pull out of France.", []),  # nor a phrasal verb: one content word
])
def test_a_cue_of_several_content_words_names_its_issue(text, actors):
    s = scenario(["partnership"], ["pull* out"], ["close*", "work closely"])
    assert sorted({a for a, _ in found(s, text)}) == actors


def test_the_vocabulary_lists_the_cues_that_name_an_issue():
    v = vocabulary(scenario(["partnership"], ["pull* out", "take back control"], ["close*", "work closely"]))
    assert sorted(v.named_by["deal"]) == ["work closely"]


@pytest.mark.parametrize("text, actors", [
    # after "the political declaration", "that declaration" and "a long declaration" name it too
    ("France backs the political declaration. Germany said that declaration must be kept.", ["DEU", "FRA"]),
    ("France backs the political declaration.\n\nGermany signed a long, detailed declaration.", ["DEU", "FRA"]),
    # not before the term is named, not as what an actor owns, not with a function word between
    ("Germany said that declaration must be kept. France backs the political declaration.", ["FRA"]),
    ("France backs the political declaration. Germany keeps its declaration.", ["FRA"]),
    ("France backs the political declaration. Germany spoke of the end of declarations.", ["FRA"]),
])
def test_the_head_of_a_term_named_before_names_the_same_thing(text, actors):
    s = scenario(["political declaration"], ["reject*"], ["keep*", "back*"])
    assert sorted({a for a, _ in found(s, text)}) == actors


def test_a_head_shared_by_two_issues_or_an_actors_name_names_nothing():
    raw = deal().canonical()
    raw["issues"].append({**raw["issues"][0], "id": "other", "lexicon": {"terms": ["trade deal"]}})
    raw["issues"][0]["lexicon"] = {"terms": ["nuclear deal", "Paris regime", "three parties"]}
    for a in raw["actors"]:
        a["issues"]["other"] = a["issues"]["deal"]
    raw["actors"][2]["aliases"] = ["Macron", "the regime"]
    v = vocabulary(Scenario.model_validate(raw))
    assert v.heads["deal"] == {} and v.heads["other"] == {}


# -- the author under a headline ------------------------------------------------------------------------

def test_the_author_of_a_statement_may_be_named_in_its_byline():
    text = "Press Availability\n\nPresident Trump\nWashington\n\nWe will uphold the deal."
    assert links(text) == [("USA", "max", "We")]


def test_a_line_of_prose_under_the_headline_is_no_byline():
    text = ("Press Availability\n\nPresident Trump spoke to reporters today about the many things that matter.\n\n"
            "We will uphold the deal.")
    assert [c for c in scan(deal(), {"a.txt": text}) if c.sentence.startswith("We")] == []


@pytest.mark.parametrize("text, stance", [
    ("China denounced the sanctions.", "max"),  # to denounce sanctions is to move toward lifting them
    ("China condemned the withdrawal from the deal.", "max"),
    ("China imposed the sanctions.", "min"),
])
def test_words_of_condemnation_turn_the_cue_after_them(text, stance):
    assert ("CHN", stance) in found(deal(), text)


# -- what a possessive owns ---------------------------------------------------------------------------------

def two_issues() -> Scenario:
    raw = deal().canonical()
    raw["issues"].append({**raw["issues"][0], "id": "missiles", "lexicon": {"terms": ["missile programme"]}})
    for a in raw["actors"]:
        a["issues"]["missiles"] = a["issues"]["deal"]
    return Scenario.model_validate(raw)


def test_a_possessive_owning_any_issues_word_is_what_the_sentence_is_about():
    """'the deal does not cover North Korea's missile programme': nothing of what Pyongyang wants."""
    got = {(c.actor, c.issue) for c in scan(two_issues(), {"a.txt":
           "France said the deal does not cover North Korea's missile programme."})}
    assert got == {("FRA", "deal"), ("FRA", "missiles")}


def test_the_speakers_own_is_the_speakers_stance():
    s = scenario(["Brexit deal"], ["reject*"], ["right"])
    assert found(s, "PM statement on the talks\n\nOur Brexit deal is the right one.") == [("GBR", "max")]
    assert found(s, "France welcomed Germany's Brexit deal.") == [("FRA", "none")]
