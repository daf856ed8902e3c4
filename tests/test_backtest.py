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
from accord.io.deu import parse_date, read_deu
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
    assert periods.count("EU-15 votes (Amsterdam)") == 131 and periods.count("Nice votes") == 101
    assert periods.count("Lisbon population shares (2016 figures)") == 19


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
    assert "Malta is coded but has no Council votes under the EU-15 votes" in str(exc.value.problems[0])
    assert len(read_deu(small(tmp_path, ["p1,x,p1i1,COD,QMV,01-02-00,01-06-01,100,0,0,40,50,80,50,20,10,10,0,60"]),
                        "equal").issues) == 1


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
