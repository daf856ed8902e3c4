"""DEU importer, backtests and the accord forecaster, on the DEU III development split."""

from __future__ import annotations

import csv
import json
import math
from datetime import date

import numpy as np
import pytest

from accord.backtest import cluster_bootstrap, conformal_halfwidth, cross_validate, forecast, outcomes, scores
from accord.errors import InputError
from accord.io import read_scenario, write_scenario
from accord.io.deu import PERIODS, parse_date, read_deu
from accord.models.accord import Accord

from .conftest import ROOT, make_scenario

DEV = ROOT / "data" / "deu3" / "deu3-dev.csv"


@pytest.fixture(scope="module")
def dev():
    return read_deu(DEV)


def small(tmp_path, rows, header="prnr,prname,isnr,proc,counvte,intro,finact,pcom,pep,pde,pfr,pmt,scom,sep,sde,sfr,"
                                 "smt,rp,out"):
    path = tmp_path / "deu.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


# -- the importer ----------------------------------------------------------------------------


def test_the_dev_split_reads_as_documented(dev):
    assert len(dev.issues) == 251 and len(dev.proposals()) == 94
    assert int((~np.isnan(outcomes(dev))).sum()) == 241
    periods = [i.period for i in dev.issues]
    assert periods.count("EU-15 votes") == 131 and periods.count("EU-25 Nice votes") == 30
    assert periods.count("EU-27 Nice votes") == 71 and periods.count("Lisbon population shares (2016 figures)") == 19


def test_council_capabilities_follow_the_treaty_period_of_the_final_act(dev):
    by_id = {i.issue: i for i in dev.issues}

    def caps(issue_id):
        s = dev.scenario(by_id[issue_id])
        return dict(zip(s.actor_ids, s.inputs().capability[:, 0]))

    eu15 = caps("d00032i1")  # final act 30 May 2001
    assert eu15["de"] == 10 and eu15["lu"] == 2 and eu15["com"] == 10 and eu15["ep"] == 10
    nice = caps("d05182i1")  # final act 13 April 2006
    assert nice["de"] == 29 and nice["pl"] == 27 and nice["mt"] == 3 and nice["com"] == 29
    lisbon = caps("d160070i1")  # final act 9 July 2018
    assert lisbon["de"] == 15.93 and lisbon["mt"] == 0.08 and lisbon["ep"] == 15.93


def test_dates_as_the_file_writes_them():
    assert parse_date("26-01-00") == date(2000, 1, 26)
    assert parse_date("14-12-1999") == date(1999, 12, 14)
    assert parse_date("2014-07-04") == date(2004, 7, 14)  # a spreadsheet's rendering of 14-07-04
    assert parse_date("1930-05-01") == date(2001, 5, 30)
    assert parse_date("999") is None and parse_date("") is None and parse_date("31-02-01") is None


def test_every_proposal_date_agrees_with_its_proposal_number(dev):
    for issue in dev.issues:
        year = int(issue.proposal[1:3])
        year += 1900 if year >= 50 else 2000
        intro = parse_date(next(r for r in csv.DictReader(DEV.open()) if r["isnr"] == issue.issue)["intro"])
        assert 0 <= intro.year - year <= 1, issue.issue


def test_missing_codes_and_uncoded_saliences_are_said_not_guessed(tmp_path):
    path = small(tmp_path, ["p1,x,p1i1,COD,QMV,01-02-00,01-06-01,100,999,0,40,,80,50,20,,,0,60"])
    data = read_deu(path)
    issue = data.issues[0]
    assert set(issue.position) == {"com", "de", "fr"}  # ep's 999 is a missing code; mt is not coded
    assert issue.salience["fr"] == pytest.approx((80 + 20) / 2)  # uncoded: the mean of the coded actors
    messages = " ".join(w.message for w in data.warnings)
    assert "1 values outside 0-100" in messages and "p1i1" not in messages and "1 coded positions" in messages
    scenario = data.scenario(issue)
    stance = scenario.actor("fr").issues["p1i1"]
    assert stance.salience.assumption and "mean" in stance.salience.assumption
    assert scenario.issues[0].outcome.point == 60 and scenario.issues[0].reference.point == 0


def test_every_problem_of_the_file_at_once(tmp_path):
    path = small(tmp_path, [
        "p1,x,p1i1,COD,QMV,01-02-00,01-06-01,high,0,0,40,,80,50,20,,,0,60",
        "p1,x,p1i1,COD,QMV,01-02-00,01-06-01,100,0,0,40,,80,50,20,,,0,60",
        "p2,y,p2i1,OLP,QMV,01-02-00,01-06-01,100,0,0,40,,80,50,20,,,0,60",
        "p3,z,p3i1,CNS,majority,xx,999,100,0,0,40,50,80,50,20,10,10,0,60",
    ])
    with pytest.raises(InputError) as exc:
        read_deu(path)
    text = "\n".join(str(p) for p in exc.value.problems)
    assert ":2: column pcom: must be a number 0-100 or blank, got 'high'" in text
    assert ":3: column isnr: issue 'p1i1' again (first on line 2)" in text
    assert ":4: column proc: procedure 'OLP' is not one of: COD, CNS" in text
    assert ":5: column counvte: voting rule 'majority' is not QMV or Unan" in text
    assert ":5: column finact: no date" in text
    with pytest.raises(InputError) as exc:
        read_deu(small(tmp_path, ["p1,x,p1i1,COD,QMV,01-02-00,01-06-01,100,0,0,40,50,80,50,20,10,10,0,60"]))
    assert ("column pmt: Malta is coded, but it joined the EU on 1 May 2004, after the final act (finact "
            "'01-06-01', 1 Jun 2001): it had no Council votes then") in str(exc.value.problems[0])
    assert len(read_deu(small(tmp_path, ["p1,x,p1i1,COD,QMV,01-02-00,01-06-01,100,0,0,40,50,80,50,20,10,10,0,60"]),
                        "equal").issues) == 1


# -- Council votes by treaty period ------------------------------------------------------------

#: (first day, members, total votes): the treaties' totals, against which each table is summed.
TREATY_TOTALS = {
    "EU-12 votes": (date(1986, 1, 1), 12, 76),  # qualified majority 54
    "EU-15 votes": (date(1995, 1, 1), 15, 87),  # 62
    "EU-25 transitional votes": (date(2004, 5, 1), 25, 124),  # 88
    "EU-25 Nice votes": (date(2004, 11, 1), 25, 321),  # 232
    "EU-27 Nice votes": (date(2007, 1, 1), 27, 345),  # 255
    "EU-28 Nice votes": (date(2013, 7, 1), 28, 352),  # 260
    "Lisbon population shares (2016 figures)": (date(2014, 11, 1), 28, 100),  # percent, rounded
}


def test_each_vote_table_has_the_treaty_total():
    assert [w.name for w in PERIODS] == list(TREATY_TOTALS)
    for w in PERIODS:
        start, members, total = TREATY_TOTALS[w.name]
        assert (w.start, len(w.weights)) == (start, members), w.name
        assert sum(w.weights.values()) == pytest.approx(total, abs=0.05), w.name
        assert "art." in w.source


COUNCIL_COLUMNS = ("com", "de", "lu", "at", "pl", "mt", "ro", "cr")


def council_file(tmp_path, rows, name="deu.csv"):
    """A DEU file of issues decided on given days, each coding the listed actors (position 50, salience 50)."""
    header = "prnr,prname,isnr,proc,counvte,intro,finact," + ",".join(f"p{a}" for a in COUNCIL_COLUMNS) + "," + \
             ",".join(f"s{a}" for a in COUNCIL_COLUMNS) + ",rp,out"
    lines = []
    for k, (intro, finact, coded) in enumerate(rows):
        cells = [("50" if a in coded else "") for a in COUNCIL_COLUMNS]
        lines.append(f"p{k},x,p{k}i1,COD,QMV,{intro},{finact}," + ",".join(cells * 2) + ",0,50")
    path = tmp_path / name
    path.write_text(header + "\n" + "\n".join(lines) + "\n")
    return path


#: An issue decided in each period (first and last days where the period has an end), the
#: members then coded, and the capabilities the treaties give them; the Commission weighs as
#: the largest state.
DECIDED = [
    ("15-06-94", {"com": 10, "de": 10, "lu": 2}),
    ("01-01-95", {"com": 10, "de": 10, "lu": 2, "at": 4}),
    ("30-04-04", {"com": 10, "de": 10, "lu": 2, "at": 4}),
    ("01-05-04", {"com": 10, "de": 10, "lu": 2, "at": 4, "pl": 8, "mt": 2}),
    ("13-10-04", {"com": 10, "de": 10, "lu": 2, "at": 4, "pl": 8, "mt": 2}),
    ("31-10-04", {"com": 10, "de": 10, "lu": 2, "at": 4, "pl": 8, "mt": 2}),
    ("01-11-04", {"com": 29, "de": 29, "lu": 4, "at": 10, "pl": 27, "mt": 3}),
    ("31-12-06", {"com": 29, "de": 29, "lu": 4, "at": 10, "pl": 27, "mt": 3}),
    ("01-01-07", {"com": 29, "de": 29, "lu": 4, "at": 10, "pl": 27, "mt": 3, "ro": 14}),
    ("30-06-13", {"com": 29, "de": 29, "lu": 4, "at": 10, "pl": 27, "mt": 3, "ro": 14}),
    ("01-07-13", {"com": 29, "de": 29, "lu": 4, "at": 10, "pl": 27, "mt": 3, "ro": 14, "cr": 7}),
    ("31-10-14", {"com": 29, "de": 29, "lu": 4, "at": 10, "pl": 27, "mt": 3, "ro": 14, "cr": 7}),
    ("01-11-14", {"com": 15.93, "de": 15.93, "lu": 0.11, "at": 1.69, "pl": 7.47, "mt": 0.08, "ro": 3.90, "cr": 0.83}),
]


def test_an_issue_decided_in_each_period_gets_that_periods_votes(tmp_path):
    data = read_deu(council_file(tmp_path, [("01-01-90", day, set(caps)) for day, caps in DECIDED]))
    for issue, (day, caps) in zip(data.issues, DECIDED):
        scenario = data.scenario(issue)
        assert dict(zip(scenario.actor_ids, scenario.inputs().capability[:, 0].tolist())) == caps, day
    assert [i.period for i in data.issues][2:7] == ["EU-15 votes"] + ["EU-25 transitional votes"] * 3 + [
        "EU-25 Nice votes"]
    assert "2003 Act of Accession (ten new members), art. 26" in data.scenario(data.issues[4]).assumption


def test_a_state_coded_on_an_act_adopted_before_it_joined_is_an_error_that_says_why(tmp_path):
    path = council_file(tmp_path, [
        ("01-01-94", "31-12-94", {"de", "at"}),  # Austria joined on 1 Jan 1995
        ("01-01-03", "30-04-04", {"de", "pl"}),  # the day before the 2004 enlargement
        ("01-01-05", "31-12-06", {"de", "ro"}),
        ("01-01-12", "30-06-13", {"de", "cr"}),
        ("01-01-84", "31-12-85", {"de"}),  # before the first table
        ("01-01-85", "999", {"de"}),
    ])
    with pytest.raises(InputError) as exc:
        read_deu(path)
    text = "\n".join(str(p) for p in exc.value.problems)
    assert ":2: column pat: Austria is coded, but it joined the EU on 1 Jan 1995, after the final act (finact " \
           "'31-12-94', 31 Dec 1994): it had no Council votes then; check the position and the date, or use " \
           "--capabilities equal" in text
    assert ":3: column ppl: Poland is coded, but it joined the EU on 1 May 2004" in text
    assert ":4: column pro: Romania is coded, but it joined the EU on 1 Jan 2007" in text
    assert ":5: column pcr: Croatia is coded, but it joined the EU on 1 Jul 2013" in text
    assert ":6: column finact: the issue's date (finact '31-12-85', 31 Dec 1985) is before the first Council " \
           "weighting accord has (EU-12 votes, from 1 Jan 1986)" in text
    assert ":7: column intro: the issue's date (intro '01-01-85', 1 Jan 1985; finact '999' is not a date) is " \
           "before" in text
    assert len(exc.value.problems) == 6
    assert len(read_deu(path, "equal").issues) == 6  # equal capabilities need no membership


def test_without_a_final_act_the_proposal_dates_the_issue_but_not_before_a_coded_state_joined(tmp_path):
    """A proposal of 2003 whose final act's date is unknown, with Poland coded: Poland's position
    shows the issue was decided in the EU-25, so the earliest date the coding allows, 1 May 2004."""
    data = read_deu(council_file(tmp_path, [
        ("12-02-03", "999", {"de", "pl"}),
        ("12-02-03", "999", {"de", "at"}),  # the proposal's date: every coded state was a member
        ("12-02-06", "", {"de", "pl", "ro"}),  # Romania joined on 1 Jan 2007
    ]))
    assert [(i.decided, i.dated_by, i.period) for i in data.issues] == [
        (date(2004, 5, 1), "accession", "EU-25 transitional votes"), (date(2003, 2, 12), "intro", "EU-15 votes"),
        (date(2007, 1, 1), "accession", "EU-27 Nice votes")]
    scenario = data.scenario(data.issues[0])
    assert dict(zip(scenario.actor_ids, scenario.inputs().capability[:, 0].tolist())) == {"de": 10, "pl": 8}
    assert "p0i1 dated 2004-05-01: no final act date, and a coded member state joined after the proposal" in \
           scenario.assumption
    warning = next(w.message for w in data.warnings if "no final act date" in w.message)
    assert warning.startswith("2 issues have no final act date") and warning.endswith("(p0i1, p2i1)")


def test_backtest_of_issues_decided_between_may_and_october_2004(cli, tmp_path):
    """The EU-25 voted with the transitional weights of the 2003 Act of Accession, art. 26."""
    path = tmp_path / "may-oct-2004.csv"
    path.write_text(
        "prnr,prname,isnr,proc,counvte,intro,finact,pcom,pep,pde,ppl,pmt,scom,sep,sde,spl,smt,rp,out\n"
        "d03100,x,d03100i1,COD,QMV,12-02-03,13-10-04,100,80,20,0,60,80,50,50,70,40,0,60\n"
        "d03100,x,d03100i2,COD,QMV,12-02-03,13-10-04,0,30,100,80,0,80,50,50,70,40,0,30\n"
        "d03101,y,d03101i1,CNS,Unan,01-03-03,03-05-04,50,,100,20,,60,,40,90,,0,20\n")
    code, out, err = cli("backtest", path, "--format", "deu", "-m", "mean", "--json")
    assert code == 0, err
    doc = json.loads(out)
    caps = {"com": 10, "ep": 10, "de": 10, "pl": 8, "mt": 2}  # art. 26; Nice would give 29, 29, 29, 27, 3
    rows = [({"com": 100, "ep": 80, "de": 20, "pl": 0, "mt": 60}, {"com": 80, "ep": 50, "de": 50, "pl": 70, "mt": 40},
             60), ({"com": 0, "ep": 30, "de": 100, "pl": 80, "mt": 0},
                   {"com": 80, "ep": 50, "de": 50, "pl": 70, "mt": 40}, 30),
            ({"com": 50, "de": 100, "pl": 20}, {"com": 60, "de": 40, "pl": 90}, 20)]
    errors = [abs(sum(caps[a] * s[a] * x[a] for a in x) / sum(caps[a] * s[a] for a in x) - out_)
              for x, s, out_ in rows]
    mean = doc["models"][0]
    assert doc["data"]["issues"] == 3 and mean["n"] == 3
    assert mean["mae"] == pytest.approx(sum(errors) / 3, abs=1e-9)


def test_the_procedure_regime_leaves_the_parliament_out_of_consultation(dev):
    data = read_deu(DEV, "procedure")
    cns = next(i for i in data.issues if i.procedure == "CNS" and "ep" in i.position)
    cod = next(i for i in data.issues if i.procedure == "COD" and "ep" in i.position)
    assert "ep" not in data.scenario(cns).actor_ids and "ep" in data.scenario(cod).actor_ids
    assert set(read_deu(DEV, "equal").scenario(cod).inputs().capability[:, 0]) == {1.0}


def test_outcomes_survive_the_yaml_and_table_forms(dev, tmp_path):
    scenario = dev.scenario(dev.proposals()["d00032"])
    for name in ("s.yaml", "s.csv"):
        write_scenario(scenario, tmp_path / name)
        back = read_scenario(tmp_path / name).scenario
        assert [i.outcome.point for i in back.issues] == [100, 0, 100, 50]


# -- scores --------------------------------------------------------------------------------------


def test_scores_of_known_errors():
    s = scores(np.array([0.0, 5.0, -10.0, 20.0, np.nan]))
    assert s == {"n": 4, "mae": 8.75, "rmse": math.sqrt(525 / 4), "median_ae": 7.5, "within10": 0.75}


def test_cluster_bootstrap():
    clusters = np.repeat(np.arange(20), 3)
    assert cluster_bootstrap(np.full(60, 2.5), clusters) == (2.5, 2.5)
    rng = np.random.default_rng(1)
    effect = np.repeat(rng.normal(0, 1, 20), 3)  # errors shared within a cluster
    lo, hi = cluster_bootstrap(effect, clusters, seed=3)
    assert lo < effect.mean() < hi
    assert cluster_bootstrap(effect, clusters, seed=3) == (lo, hi)
    # resampling issues as if independent would understate the interval threefold in variance
    iid_lo, iid_hi = cluster_bootstrap(effect, np.arange(60), seed=3)
    assert (hi - lo) > 1.4 * (iid_hi - iid_lo)


def test_conformal_halfwidth_is_the_right_order_statistic():
    errors = np.arange(1.0, 10.0)  # n = 9
    assert conformal_halfwidth(errors, 0.5) == 5.0  # ceil(10 x 0.5) = 5th smallest
    assert conformal_halfwidth(errors, 0.8) == 8.0


# -- models on DEU -----------------------------------------------------------------------------


def test_mean_mae_with_equal_capabilities_computed_independently(dev):
    """The compromise model's MAE, from the CSV by a plain loop, against the backtest's."""
    codes = ("com ep at be bu cr cy cz dk ee fi fr de el hu ie it lv lt lu mt nl pl pt ro si sk es se uk").split()
    errors = []
    for row in csv.DictReader(DEV.open()):
        if not row["out"]:
            continue
        coded = [c for c in codes if row["p" + c] != ""]
        known = [float(row["s" + c]) for c in coded if row["s" + c] != ""]
        salience = {c: float(row["s" + c]) if row["s" + c] != "" else sum(known) / len(known) for c in coded}
        forecast_ = sum(salience[c] * float(row["p" + c]) for c in coded) / sum(salience.values())
        errors.append(abs(forecast_ - float(row["out"])))
    data = read_deu(DEV, "equal")
    got = np.abs(forecast(data, "mean").value - outcomes(data))
    assert np.nanmean(got) == pytest.approx(np.mean(errors), abs=1e-9)


@pytest.mark.slow
def test_exchange_trades_within_proposals(dev):
    fc = forecast(dev, "exchange")
    assert len(fc.together) == 77  # the proposals with two issues or more
    single = [p for p, issues in dev.proposals().items() if len(issues) == 1]
    assert all("at least two issues" in fc.reasons[dev.proposals()[p][0].issue] for p in single)


def test_accord_is_frozen_to_its_definition(dev):
    """The point forecast is the compromise model; the half-widths are the dev split's conformal
    half-widths, rounded up to 4 decimals."""
    mean, accord = forecast(dev, "mean"), forecast(dev, "accord")
    np.testing.assert_array_equal(mean.value, accord.value)
    error = np.abs(accord.value - outcomes(dev))
    for level, share in Accord.HALF_WIDTH.items():
        assert share == math.ceil(conformal_halfwidth(error, level) / 100 * 1e4) / 1e4
    scenario = make_scenario([[90.0], [90.0]], [[0.5], [0.5]], [1.0, 2.0], scale=(0.0, 200.0))
    rows = Accord().run(scenario).table("interval")
    assert [(r["level"], r["low"], r["high"]) for r in rows] == [
        (0.5, pytest.approx(90 - 35.24), pytest.approx(90 + 35.24)), (0.8, pytest.approx(90 - 77.86), 167.86)]
    rows = Accord().run(make_scenario([[95.0]], [[1.0]], [1.0])).table("interval")
    assert [(r["low"], r["high"]) for r in rows] == [(95 - 17.62, 100.0), (95 - 38.93, 100.0)]  # cut to the scale


def test_accord_intervals_hold_their_share_under_cross_validation(dev):
    cv = cross_validate(dev, repeats=5)
    assert cv["n"] == 241 and cv["mae"] == pytest.approx(23.5796, abs=1e-4)
    assert abs(cv["coverage"]["0.5"] - 0.5) < 0.03 and abs(cv["coverage"]["0.8"] - 0.8) < 0.03


@pytest.mark.slow
def test_backtest_json(cli):
    code, out, err = cli("backtest", DEV, "--format", "deu", "-m", "mean", "-m", "median", "-m", "exchange",
                         "-m", "accord", "--json")
    assert code == 0, err
    doc = json.loads(out)
    models = {m["model"]: m for m in doc["models"]}
    assert list(models) == ["mean", "median", "exchange", "accord"]
    for m in models.values():
        assert {"model", "n", "mae", "rmse", "median_ae", "within10", "delta_vs_mean", "ci_low", "ci_high"} <= set(m)
    assert models["mean"]["mae"] == pytest.approx(23.5796, abs=1e-4) and models["mean"]["n"] == 241
    assert models["mean"]["delta_vs_mean"] == 0 and models["mean"]["ci_low"] == models["mean"]["ci_high"] == 0
    med = models["median"]
    assert med["delta_vs_mean"] == pytest.approx(med["mae"] - models["mean"]["mae"])
    assert 0 < med["ci_low"] < med["delta_vs_mean"] < med["ci_high"]
    assert models["exchange"]["n"] == 224 and models["exchange"]["unscored"]["issues"] == 17
    assert set(models["mean"]["by_procedure"]) == {"COD", "CNS"} and set(models["mean"]["by_rule"]) == {
        "QMV", "unanimity"}
    n_cod = models["mean"]["by_procedure"]["COD"]["n"]
    assert n_cod + models["mean"]["by_procedure"]["CNS"]["n"] == 241
    assert doc["cross_validation"]["n"] == 241 and doc["data"]["sha256"]
    runs = [json.loads(cli("backtest", DEV, "-m", "median", "--samples", "20", "--seed", "7", "--json")[1])
            for _ in range(2)]
    assert runs[0] == runs[1]  # same file and seed: the same document
    cover = runs[0]["models"][0]["coverage"]
    assert cover["0.5"]["n"] == 241 and 0 <= cover["0.5"]["share"] <= cover["0.8"]["share"] <= 1
    assert cover["0.5"]["width"] < cover["0.8"]["width"]


def test_backtest_reports_bad_input_without_a_traceback(cli, tmp_path):
    bad = small(tmp_path, ["p1,x,p1i1,COD,QMV,01-02-00,01-06-01,high,0,0,40,,80,50,20,,,0,60"])
    code, _, err = cli("backtest", bad)
    assert code == 2 and "must be a number 0-100 or blank" in err and "Traceback" not in err
    code, _, err = cli("backtest", DEV, "--capabilities", "gdp")
    assert code == 2 and "unknown capabilities 'gdp'" in err


@pytest.mark.slow
def test_a_deu_file_converts_to_one_scenario_per_issue(cli, tmp_path):
    code, out, err = cli("convert", DEV, "issues", "--format", "deu")
    assert code == 0 and "wrote 251 scenarios" in out
    one = read_scenario(tmp_path / "issues" / "d00032i1.yaml").scenario
    assert one.issue_ids == ("d00032i1",) and one.issues[0].outcome.point == 100 and one.sources[0].id == "deu3"
    code, _, err = cli("forecast", DEV)  # detected as DEU: one scenario per issue, so not a forecast input
    assert code == 2 and "one scenario per issue" in err and "accord backtest" in err
    single = tmp_path / "one.csv"
    single.write_text("\n".join(DEV.read_text().splitlines()[:2]) + "\n")
    assert read_scenario(single).scenario.issue_ids == ("d00032i1",)
