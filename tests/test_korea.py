"""The flagship scenario meets its evidence standard."""

from __future__ import annotations

from accord.io import read_scenario

from .conftest import KOREA, shared

ACTORS = {"USA": "United States", "CHN": "China", "RUS": "Russia", "PRK": "North Korea", "KOR": "South Korea",
          "JPN": "Japan"}


def test_six_parties_and_at_least_four_anchored_issues():
    s = read_scenario(KOREA).scenario
    assert {a.id: a.name for a in s.actors} == ACTORS
    assert len(s.issues) >= 4
    assert {"sanctions", "sequencing", "us_posture", "economic_links"} <= set(s.issue_ids)
    for issue in s.issues:
        assert (issue.scale.min, issue.scale.max) == (0, 100)
        assert {a.value for a in issue.scale.anchors} >= {0, 100}
    assert all(len(a.issues) == len(s.issues) for a in s.actors)  # every party on every issue


def test_every_number_is_quoted_or_a_stated_assumption():
    s = read_scenario(KOREA).scenario
    assert s.assumption is None  # no file-wide blanket for bare numbers
    for actor in s.actors:
        assert actor.capability.claims or actor.capability.assumption, actor.id
        for issue_id, stance in actor.issues.items():
            for what in ("position", "salience"):
                est = getattr(stance, what)
                assert est.claims or est.assumption, (actor.id, issue_id, what)
    assert sum(1 for a in s.actors for st in a.issues.values() for e in (st.position, st.salience) if e.claims) >= 30


def test_disagreeing_sources_keep_their_own_values():
    s = read_scenario(KOREA).scenario
    claims = s.actor("RUS").issues["sanctions"].position.claims
    by_source = {}
    for c in claims:
        by_source.setdefault(c.source, []).append(c)
    assert {"blank2018", "lukyanov2018", "economy2018"} <= set(by_source)
    quotes = " ".join(c.quote for c in claims)
    assert "habitual violator" in quotes and "backed all international sanctions" in quotes
    blank = min(c.point for c in by_source["blank2018"])
    lukyanov = max(c.point for c in by_source["lukyanov2018"])
    assert blank - lukyanov >= 30  # the analyses' readings of Russia differ, and the file says so


def test_quotes_are_verbatim_in_the_seed_texts():
    seeds = shared("seeds")
    loaded = read_scenario(KOREA, texts=[seeds])
    assert loaded.warnings == []  # every source's text was found and every quote matched


def test_consensus_counts_each_source_once():
    from accord.scenario import Estimate

    est = Estimate.model_validate({"claims": [
        {"source": "a", "quote": "q1", "value": 80}, {"source": "a", "quote": "q2", "value": 90},
        {"source": "b", "quote": "q3", "value": 20}, {"source": "c", "quote": "q4", "low": 30, "high": 50}]})
    assert est.point == (85 + 20 + 40) / 3  # not the mean of the four claims
    assert Estimate.model_validate({"value": 7, "claims": [{"source": "a", "quote": "q", "value": 1}]}).point == 7
