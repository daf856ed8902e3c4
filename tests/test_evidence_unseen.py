"""The evidence scan's rules for text it was not written with: the author in a byline, groups of
states named by their format, words of regret, names of things that hold a word of reversal, titles
and surnames introduced with an actor, and the author's voice in a statement: each on constructed
sentences, where it must fire and where it must not."""

from __future__ import annotations

import pytest

from accord.evidence import scan
from accord.evidence.lexicon import group_names
from accord.scenario import Scenario

from .test_evidence_generalise import deal, links
from .test_evidence_references import found, scenario

# -- the author in a byline ---------------------------------------------------------------------------


def test_a_byline_signs_a_statement_whatever_its_headline_says():
    """'One Year Anniversary of ...' says no kind of text; the byline of a name and a title does."""
    text = "One Year of the Talks\n\nPresident Trump\nSecretary of State\nWashington, DC\n\nWe will uphold the deal."
    assert links(text) == [("USA", "max", "We")]


def test_a_single_line_under_a_headline_that_says_no_kind_of_text_signs_nothing():
    text = "One Year of the Talks\n\nWashington\n\nWe will uphold the deal."
    assert [c for c in scan(deal(), {"a.txt": text}) if c.sentence.startswith("We")] == []


def test_the_parties_of_a_hyphenated_pair_in_a_headline_are_no_authors():
    """'the U.S.-China statement' names what the statement is about; its byline names the author."""
    text = "Regarding the France-China Joint Statement\n\nPress Statement\nPresident Trump\n\nWe will uphold the deal."
    assert ("USA", "max", "We") in links(text)
    assert not any(a in ("FRA", "CHN") and m == "We" for a, _, m in links(text))


# -- groups of states ---------------------------------------------------------------------------------

def test_a_group_named_by_its_format_is_each_of_its_members_among_the_actors():
    """P5+1: the United States, the United Kingdom, France, China, Russia and Germany; Russia is
    not an actor of the scenario."""
    assert {a for a, _, _ in links("The P5+1 will uphold the deal.")} == {"USA", "GBR", "FRA", "CHN", "DEU"}
    assert {a for a, _, _ in links("The E3 will uphold the deal.")} == {"GBR", "FRA", "DEU"}


def test_a_group_is_no_group_of_a_scenario_with_fewer_than_two_of_its_members():
    raw = deal().canonical()
    raw["actors"] = [a for a in raw["actors"] if a["id"] not in ("GBR", "DEU")]
    s = Scenario.model_validate(raw)
    assert "E3" not in group_names(s) and "P5+1" in group_names(s)
    assert [c.actor for c in scan(s, {"a.txt": "The E3 will uphold the deal."})] == []


def test_a_format_inside_another_word_is_no_group():
    assert links("The P5000 engine will uphold the deal.") == []


# -- words of regret, names of things -------------------------------------------------------------------

@pytest.mark.parametrize("text, stance", [
    ("China regrets the withdrawal from the deal.", "max"),
    ("China objected to the withdrawal from the deal.", "max"),
    ("China announced its withdrawal from the deal.", "min"),
    ("China spoke of the risk of a withdrawal from the deal.", "max"),  # a risk is what one would avoid
])
def test_words_of_regret_and_objection_turn_the_cue_after_them(text, stance):
    assert ("CHN", stance) in found(deal(), text)


def test_a_word_of_reversal_inside_the_name_of_a_thing_reverses_nothing():
    """'the Withdrawal Agreement' is a name: 'withdrawal' in it does not turn 'agreement'."""
    s = scenario(["Withdrawal Agreement"], ["reject*"], ["agree*", "support*"])
    assert found(s, "China supports the Withdrawal Agreement.") == [("CHN", "max")]
    # the same word outside a name still reverses: "the withdrawal of its support"
    assert found(s, "China announced the withdrawal of its support for the Withdrawal Agreement.") == [("CHN", "min")]


# -- the issue's own noun ---------------------------------------------------------------------------------

def test_the_noun_that_ends_two_terms_names_the_issue_after_any_of_its_words():
    """'deal' ends 'nuclear deal' and 'Iran deal': after 'the JCPOA', 'this technical deal' is the issue."""
    s = scenario(["JCPOA", "nuclear deal", "Iran deal"], ["withdraw*"], ["uphold*"])
    text = "The JCPOA took years. China will uphold this technical deal."
    assert [c.sentence for c in scan(s, {"a.txt": text})] == ["China will uphold this technical deal."]


def test_a_noun_that_ends_one_term_names_the_issue_only_after_that_term():
    """'threat' ends only 'nuclear threat': after 'the JCPOA', 'a threat' is no word of the issue."""
    s = scenario(["JCPOA", "nuclear threat"], ["withdraw*"], ["uphold*"])
    text = "The JCPOA took years. China will uphold a threat."
    assert [c.sentence for c in scan(s, {"a.txt": text})] == []
    text = "The nuclear threat took years. China will uphold a threat."
    assert "China will uphold a threat." in [c.sentence for c in scan(s, {"a.txt": text})]


# -- who holds a stance ---------------------------------------------------------------------------------

def test_the_state_of_a_person_named_by_their_office_speaks():
    """'President X of France' is France speaking; 'the sanctions of France' are not France's."""
    assert ("FRA", "max") in found(deal(), "President Jean Dupont of France will uphold the deal.")
    assert ("FRA", "max") in found(deal(), "Chairman Jean Dupont of the Senate of France will uphold the deal.")
    assert "FRA" not in {a for a, _ in found(deal(), "China will uphold the deal with the help of France.")}


def test_the_agent_of_a_participle_after_without_acts():
    """'cannot be kept without France working on it': France works on it."""
    assert "FRA" in {a for a, _ in found(deal(), "The deal cannot be kept without France working on it.")}
    assert "FRA" not in {a for a, _ in found(deal(), "China will uphold the deal without France.")}


@pytest.mark.parametrize("noun", ["determination", "invitation", "pledge", "assurance"])
def test_a_possessive_owning_a_resolve_or_an_offer_holds_it(noun):
    """'reaffirmed France's determination to uphold the deal': France's own stance."""
    assert ("FRA", "max") in found(deal(), f"China reaffirmed France's {noun} to uphold the deal.")
    assert "FRA" not in {a for a, _ in found(deal(), "China reaffirmed France's economy to uphold the deal.")}


# -- offices and surnames introduced with a state --------------------------------------------------------

def test_an_office_introduced_with_a_state_refers_to_it_later():
    text = "French Commissioner Jean Dupont spoke in Brussels. The Commissioner will uphold the deal."
    assert ("FRA", "max", "The Commissioner") in links(text)
    text = "French Commissioner Jean Dupont spoke in Brussels. Dupont will uphold the deal."
    assert ("FRA", "max", "Dupont") in links(text)


def test_an_office_introduced_with_two_states_refers_to_neither():
    text = ("French Commissioner Jean Dupont met Chinese Commissioner Li Wei. The Commissioner will uphold the "
            "deal.")
    assert [c for c in scan(deal(), {"a.txt": text}) if c.sentence.startswith("The Commissioner")] == []


def test_a_given_name_after_the_surname_is_no_surname():
    from accord.evidence.discourse import introduced_names
    from accord.evidence.text import Match
    got = introduced_names("South Korean Envoy Moon Jae-in said.", [Match(0, 12, "KOR", "South Korean")], {})
    assert got == {"KOR": ["Moon Jae-in", "the Envoy"]}


def test_the_own_offices_of_a_text_are_not_learned_from_another_state():
    """'Chinese President Xi' does not make every later 'the President' China."""
    text = "Chinese President Xi Ping spoke. The President will uphold the deal."
    assert [c for c in scan(deal(), {"a.txt": text}) if c.actor == "CHN" and c.mention == "The President"] == []


# -- support for what an issue is about ------------------------------------------------------------------

def anchored(lo: str, hi: str) -> Scenario:
    """The actors of :func:`deal` with one issue whose cues hold no word of support, its ends
    anchored by ``lo`` and ``hi``."""
    raw = deal().canonical()
    raw["issues"][0]["lexicon"] = {"terms": ["agreement"], "toward_min": ["voluntary"], "toward_max": ["binding"]}
    raw["issues"][0]["scale"]["anchors"] = [{"value": 0, "label": lo}, {"value": 100, "label": hi}]
    return Scenario.model_validate(raw)


def test_support_points_away_from_the_end_that_is_the_absence_of_the_issue():
    """'no agreement' at the minimum: to welcome the agreement is to move toward the maximum."""
    s = anchored("no agreement, or voluntary pledges", "a legally binding agreement")
    assert found(s, "China welcomed the agreement as a historic success.") == [("CHN", "max")]


def test_support_points_nowhere_when_no_end_is_an_absence():
    s = anchored("voluntary pledges", "a legally binding agreement")
    assert found(s, "China welcomed the agreement as a historic success.") == [("CHN", "none")]


def test_support_taken_from_an_absent_end_counts_only_next_to_the_issue():
    """'protecting jobs' says nothing of the agreement; 'protecting the voluntary pledges' points as
    'voluntary' does."""
    s = anchored("no agreement, or voluntary pledges", "a legally binding agreement")
    text = "China, protecting jobs and growth in every province of the country, spoke of the agreement."
    assert found(s, text) == [("CHN", "none")]
    assert found(s, "China is protecting the voluntary pledges of the agreement.") == [("CHN", "min")]


def test_the_giver_of_what_one_receives_acts():
    """'the assurances we have received from France': France gave them."""
    text = "China welcomed the assurances on the deal it has received from France."
    assert "FRA" in {a for a, _ in found(deal(), text)}
    assert "FRA" not in {a for a, _ in found(deal(), "China flew to the deal signing from France.")}


@pytest.mark.parametrize("noun", ["compliance", "deadline"])
def test_a_name_before_its_compliance_or_deadline_holds_it(noun):
    """'ahead of a US deadline on the deal': the deadline is the United States' own."""
    assert "USA" in {a for a, _ in found(deal(), f"China spoke of the deal ahead of a US {noun}.")}
    assert "USA" not in {a for a, _ in found(deal(), "China spoke of the deal ahead of a US meeting.")}


# -- both sides ------------------------------------------------------------------------------------------

def test_both_sides_are_the_two_actors_the_text_has_named_most():
    text = ("France met China in Paris. France and China spoke at length. France thanked China.\n\n"
            "Later that week the summit closed.\n\nBoth sides will uphold the deal.")
    assert {(a, m) for a, _, m in links(text) if m == "Both sides"} == {("FRA", "Both sides"), ("CHN", "Both sides")}


def test_both_sides_stand_for_no_one_when_no_two_actors_stand_out():
    text = ("France met China in Paris. Germany spoke.\n\nLater that week the summit closed.\n\n"
            "Both sides will uphold the deal.")
    assert [m for _, _, m in links(text) if m == "Both sides"] == []


def test_one_whom_an_actor_wishes_to_meet_is_no_party_to_the_meeting():
    """'his desire to meet with France': the meeting has not taken place; France is what it is about."""
    assert "FRA" not in {a for a, _ in found(deal(), "China expressed its desire to meet with France on the deal.")}
    assert "FRA" in {a for a, _ in found(deal(), "China met with France on the deal.")}


@pytest.mark.parametrize("text", [
    "The France climate conference will uphold the deal.",
    "The France Summit upheld the deal.",
])
def test_a_name_before_a_conference_or_summit_names_the_meeting(text):
    assert "FRA" not in {a for a, _ in found(deal(), text)}


def test_a_name_before_a_conference_it_holds_still_speaks():
    assert "FRA" in {a for a, _ in found(deal(), "France held a conference and will uphold the deal.")}


def test_a_cue_holding_the_issues_own_noun_names_the_issue():
    """'no deal' holds 'deal', the noun of 'nuclear deal' and 'Iran deal': it names the issue."""
    s = scenario(["nuclear deal", "Iran deal"], ["no deal", "no progress"], ["uphold*"])
    assert found(s, "China warned that no deal is near.") == [("CHN", "min")]
    assert found(s, "China warned that the risk of no deal is high.") == [("CHN", "max")]  # a risk to avoid
    assert found(s, "China warned that the risk of no progress is high.") == []


def test_an_office_written_before_a_persons_name_refers_to_them_later():
    """'Secretary Trump ... the Secretary underscored': the United States."""
    assert ("USA", "max", "The Secretary") in links("Secretary Trump spoke.\n\nThe Secretary will uphold the deal.")
    text = "Secretary Trump met Secretary Juncker.\n\nThe Secretary will uphold the deal."
    assert [c for c in scan(deal(), {"a.txt": text}) if c.mention == "The Secretary"] == []


# -- whose statement a text without headline or byline is ---------------------------------------------------

def test_the_actor_that_opens_the_sentences_of_the_first_paragraph_is_the_author():
    text = ("President Juncker said the talks went well. Juncker urged calm.\n\n"
            "We will uphold the deal.")
    assert ("EU", "max", "We") in links(text)


def test_no_author_when_no_actor_opens_two_sentences():
    text = "Earlier this week, I met Juncker in Brussels. Juncker urged calm.\n\nWe will uphold the deal."
    assert [c for c in scan(deal(), {"a.txt": text}) if c.sentence.startswith("We")] == []


def test_an_actor_after_to_and_a_verb_in_a_headline_is_its_topic():
    """'Statement on the Deal To Prevent China From ...': China is what it is about."""
    text = "Statement on the Plan To Prevent China From Leaving\n\nWe will uphold the deal."
    assert [c for c in scan(deal(), {"a.txt": text}) if c.sentence.startswith("We")] == []


def test_a_name_listed_after_an_object_that_opens_its_own_clause_speaks():
    """'... to China and France reaffirmed ...': France is the subject of its own clause."""
    text = "The United States gave assurances to China and France reaffirmed its commitment to the deal."
    assert "FRA" in {a for a, _ in found(deal(), text)}
    text = "The United States gave assurances on the deal to China and France yesterday."
    assert "FRA" not in {a for a, _ in found(deal(), text)}
    text = "The deal imposed sanctions on China and France are strict."  # "sanctions on A and B are"
    assert "FRA" not in {a for a, _ in found(deal(), text)}


def test_the_agents_of_a_participle_after_with_may_be_a_list():
    """'without France and China working together': both work."""
    text = "The deal cannot be kept without France and China working together."
    assert {"FRA", "CHN"} <= {a for a, _ in found(deal(), text)}
    text = "The United States will uphold the deal without France and China."
    assert "CHN" not in {a for a, _ in found(deal(), text)}


def test_a_possessors_stance_ends_where_another_actors_noun_phrase_begins():
    """'France's support for the deal ahead of a US deadline': the support is France's, not the
    United States'."""
    found_ = dict(found(deal(), "China noted France's support for the deal ahead of a US deadline."))
    assert found_["FRA"] == "max" and found_["USA"] == "none"


# -- meetings, groups named by office, things described ------------------------------------------------

def test_a_meeting_may_say_when_between_its_verb_and_with():
    """'Trump spoke today with Macron. The two leaders ...': both met, so both are the two leaders."""
    text = "President Trump spoke today with Macron about China. The two leaders will uphold the deal."
    assert {a for a, _, m in links(text) if m == "The two leaders"} == {"USA", "FRA"}
    apart = "President Trump spoke today about Macron and China. The two leaders will uphold the deal."
    assert [m for _, _, m in links(apart) if m == "The two leaders"] == []


@pytest.mark.parametrize("group", ["The presidents", "The foreign ministers", "The delegations"])
def test_the_holders_of_an_office_in_the_plural_are_those_who_met(group):
    text = f"Trump met with Macron in Paris. {group} agreed to uphold the deal."
    assert {a for a, _, m in links(text) if m == group} == {"USA", "FRA"}


@pytest.mark.parametrize("text, holder", [
    ("France met China. It is a robust deal.", set()),  # the deal is described, not a state
    ("France met China. It is not a bilateral agreement.", set()),
    ("France met China. It will uphold the deal.", {"FRA"}),  # an "it" that acts is the subject before
])
def test_an_it_described_by_a_noun_phrase_is_a_thing(text, holder):
    assert {a for a, _, m in links(text) if m == "It"} == holder


def test_one_kept_from_doing_is_acted_upon():
    """'prevent Iran from developing': done to the actor; 'accused X of violating': X is the agent."""
    assert "CHN" not in {a for a, _ in found(deal(), "The deal continues to prevent China from leaving the deal.")}
    assert "CHN" in {a for a, _ in found(deal(), "France accused China of violating the deal.")}


# -- the speaker's links --------------------------------------------------------------------------------

def test_the_speaker_holds_an_issue_no_actor_of_the_sentence_is_tied_to():
    """'Since the deal was kept, we expect ...': the deal is in a clause of its own, the speaker in the
    main one; the speaker still says it."""
    text = "PM statement on the talks\n\nChina agreed to keep the deal, and we expect it to honour that."
    got = {(c.actor, c.via) for c in scan(deal(), {"a.txt": text})}
    assert ("CHN", "lexicon") in got and ("GBR", "speaker") not in got  # China is tied: no speaker's link
    text = "PM statement on the talks\n\nSince the deal was kept, we expect China to honour it."
    got = {(c.actor, c.via, c.mention) for c in scan(deal(), {"a.txt": text})}
    assert ("GBR", "speaker", "we") in got


def test_the_author_holds_an_issue_where_the_sentence_names_actors_only_as_objects():
    text = "PM statement on the talks\n\nThe deal has prevented North Korea from leaving the talks."
    found_ = scan(deal(), {"a.txt": text})
    assert [(c.actor, c.via, c.mention) for c in found_] == [("GBR", "speaker", "")]


def test_no_speakers_link_without_a_speaker_or_where_an_actor_holds():
    news = "China and the talks\n\nThe deal has prevented North Korea from leaving the talks."  # a story: no author
    assert [c for c in scan(deal(), {"a.txt": news}) if c.via == "speaker"] == []
    held = "PM statement on the talks\n\nFrance will uphold the deal."  # France holds it
    assert [(c.actor, c.via) for c in scan(deal(), {"a.txt": held})] == [("FRA", "lexicon")]


# -- one stance per discourse ---------------------------------------------------------------------------

def _c(article: str, actor: str, stance: str, start: int):
    from accord.evidence.scan import Candidate

    return Candidate(article, actor, "deal", "s", start, start + 1, stance, 0.5)


def test_a_link_without_direction_takes_the_one_its_article_gives_the_actor():
    from accord.evidence.scan import one_stance_per_discourse

    got = one_stance_per_discourse([_c("a", "FRA", "max", 0), _c("a", "FRA", "max", 2), _c("a", "FRA", "min", 4),
                                    _c("a", "FRA", "none", 6), _c("a", "CHN", "none", 8), _c("b", "FRA", "none", 0)])
    assert [(c.actor, c.article, c.stance, c.stance_from) for c in got] == [
        ("FRA", "a", "max", "sentence"), ("FRA", "a", "max", "sentence"), ("FRA", "a", "min", "sentence"),
        ("FRA", "a", "max", "article"),  # two against one
        ("CHN", "a", "none", "sentence"),  # another actor's direction is not China's
        ("FRA", "b", "none", "sentence")]  # nor another article's


def test_a_tie_gives_no_direction():
    from accord.evidence.scan import one_stance_per_discourse

    got = one_stance_per_discourse([_c("a", "FRA", "max", 0), _c("a", "FRA", "min", 2), _c("a", "FRA", "none", 4)])
    assert got[-1].stance == "none" and got[-1].stance_from == "sentence"


def test_the_scan_gives_an_undirected_link_its_articles_direction():
    text = "France will uphold the deal. France discussed the deal with China."
    got = [(c.actor, c.stance, c.stance_from) for c in scan(deal(), {"a.txt": text}) if c.actor == "FRA"]
    assert sorted(got) == [("FRA", "max", "article"), ("FRA", "max", "sentence")]


# -- a transcript's turns, a statement's heading ------------------------------------------------------------

def test_a_transcripts_turn_is_its_speakers():
    text = ("Press Availability on the talks\n\nPRESIDENT TRUMP: We will uphold the deal.\n\n"
            "MODERATOR: We keep the deal.")
    assert links(text) == [("USA", "max", "We")]  # the moderator is no actor: their "we" is no one's


def test_a_turn_that_is_no_actors_silences_the_author():
    """In a statement, 'we' is the author's, but not in a turn of someone else's ('QUESTION:')."""
    assert links("PM statement on the talks\n\nWe will uphold the deal.") == [("GBR", "max", "We")]
    assert links("PM statement on the talks\n\nQUESTION: We will uphold the deal, no?") == []


def test_a_heading_says_whose_statement_follows():
    text = "Statements on Iran\n\nSTATEMENT BY PRESIDENT TRUMP on the talks\n\nWe will uphold the deal."
    assert links(text) == [("USA", "max", "We")]
    unnamed = "Statements on Iran\n\nSTATEMENT BY THE SPOKESPERSON on the talks\n\nWe will uphold the deal."
    assert links(unnamed) == []  # a heading naming no actor changes no one


# -- a party to a pact or a meeting named by a noun -----------------------------------------------------

@pytest.mark.parametrize("text, party", [
    ("France reached a deal with China last year.", True),
    ("France praised the historic summit with China and the deal.", True),
    ("France spoke of the deal in talks with China.", False),  # named in passing
    ("France wants sanctions on China and the deal.", False),
])
def test_a_party_to_a_pact_named_by_a_noun_takes_part(text, party):
    assert ("CHN" in {a for a, _ in found(deal(), text)}) is party


def test_the_korea_scenario_reads_talks_and_meetings_as_the_format():
    """The guideline counts holding summits in a bilateral format as a link to the format, whichever
    word names the meeting; "talks" gives no direction (talks with Beijing or Moscow are no direct
    track)."""
    from accord.io import read_scenario

    from .conftest import KOREA

    s = read_scenario(KOREA).scenario
    got = {(c.actor, c.issue, c.stance) for c in scan(s, {"a.txt": "Trump and Kim held talks in Hanoi."})}
    assert got == {("USA", "format", "none"), ("PRK", "format", "none")}
    assert [c for c in scan(s, {"a.txt": "Trump and Kim spoke in Hanoi."}) if c.issue == "format"] == []


def test_the_review_file_says_how_a_link_was_read():
    """The speaker's links and directions taken from the article are flagged for the reviewer."""
    from accord.evidence.review import review_rows

    text = ("PM statement on the talks\n\nThe deal has prevented North Korea from leaving the talks. "
            "France will uphold the deal. France discussed the deal with China.")
    notes = {(r["actor"], r["sentence"][:12]): r["note"] for r in review_rows(deal(), scan(deal(), {"a.txt": text}))}
    assert notes[("GBR", "The deal has")] == "the speaker's link: the sentence does not name the actor"
    assert notes[("FRA", "France will ")] == ""
    assert notes[("FRA", "France discu")] == "direction from the article's other links of this actor and issue"


# -- a stance named by a noun: its owner's as written, the speaker's reaction turned ----------------------

@pytest.mark.parametrize("text, want", [
    # the withdrawal is the United States' own, whatever France makes of it
    ("France regrets the US withdrawal from the deal.", {("USA", "min"), ("FRA", "max")}),
    ("France discussed the US withdrawal from the deal.", {("USA", "min"), ("FRA", "none")}),
    ("We condemn the decision by the United States to withdraw from the deal.", {("USA", "min")}),
])
def test_the_owner_of_a_stance_named_by_a_noun_holds_it_as_written(text, want):
    assert {(c.actor, c.stance) for c in scan(deal(), {"a.txt": text})} == want
