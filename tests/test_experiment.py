"""The experiment layer: jobs on any executor give the analyses' results unchanged, with progress."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from accord.backtest import backtest, forecast
from accord.errors import StoreError
from accord.experiment import evaluate, factors, monte_carlo, run_sweep, sample, solve_samples, swings
from accord.io import read_scenario
from accord.io.deu import read_deu
from accord.models import get_model
from accord.perspectives import perspectives
from accord.role_analysis import analyse
from accord.sensitivity import sobol, tornado

from .conftest import KOREA, ROOT, make_scenario

DEV = ROOT / "data" / "deu3" / "deu3-dev.csv"


@pytest.fixture(scope="module")
def korea():
    return read_scenario(KOREA).scenario


@pytest.fixture(scope="module")
def dev():
    return read_deu(DEV)


def record(calls: list):
    def progress(done: int, total: int) -> None:
        calls.append((done, total))

    return progress


def steady(calls: list[tuple[int, int]], total: int) -> bool:
    """Progress rose to the total, never past it, with one total throughout."""
    done = [d for d, _ in calls]
    return bool(calls) and done == sorted(done) and done[-1] == total and {t for _, t in calls} == {total}


# -- evaluate -------------------------------------------------------------------------------------


def test_jobs_done_are_not_run_again_and_new_ones_are_sunk_as_they_complete():
    sunk, calls = [], []
    results = evaluate(divmod, [(7, 2), (9, 4), (5, 5)], done={1: "stored"}, sizes=[3, 100, 4],
                       sink=lambda k, r: sunk.append((k, r)), progress=record(calls))
    assert results == [(3, 1), "stored", (1, 0)]
    assert sunk == [(0, (3, 1)), (2, (1, 0))]
    assert calls == [(3, 7), (7, 7)]  # the units of the jobs run now


@pytest.mark.slow
def test_on_processes_jobs_come_back_in_order(korea):
    jobs = [(korea, [("mean", {}), ("smp", {})], 20, 3, (k,), "none") for k in range(3)]
    from accord.experiment import monte_carlo_batch

    local = evaluate(monte_carlo_batch, jobs)
    remote = evaluate(monte_carlo_batch, jobs, workers=2)
    for a, b in zip(local, remote):
        assert a.keys() == b.keys() and all(np.array_equal(a[m], b[m]) for m in a)


def test_a_sweep_whose_store_fails_says_what_is_kept(korea, tmp_path):
    from contextlib import ExitStack

    from accord.experiment import create_sweep
    from accord.store import RunStore

    store = RunStore(tmp_path / "runs.sqlite")
    results = [get_model("mean")().run(korea)]
    spec = {"models": ["mean"], "params": {"mean": {}}, "seed": 0, "samples": 30, "correlate": "none", "batch": 10,
            "skipped": []}
    saved = store.save_batch

    def full_after_one(sweep_id, k, part):
        if k > 0:
            raise StoreError(f"cannot write the run store {store.path}: no space left on device")
        saved(sweep_id, k, part)

    store.save_batch = full_after_one
    with ExitStack() as held:
        sweep_id = create_sweep(store, korea, spec, held)
        with pytest.raises(StoreError) as caught:
            run_sweep(korea, results, spec, store=store, sweep_id=sweep_id)
    assert str(caught.value).endswith(f"no space left on device; the 1 of 3 batches stored are kept: "
                                      f"`accord sweep resume {sweep_id}` finishes the sweep")


def test_monte_carlo_counts_samples(korea):
    calls = []
    forecasts = monte_carlo(korea, [("mean", {})], 250, 1, batch=100, progress=record(calls))
    assert forecasts["mean"].shape == (250, 5) and calls == [(100, 250), (200, 250), (250, 250)]


# -- designs ------------------------------------------------------------------------------------


def test_factors_set_the_inputs_the_tornado_names(korea):
    base = korea.inputs()
    by_label = {f.label: f for f in factors(korea)}
    rus, sanctions = korea.actor_ids.index("RUS"), korea.issue_ids.index("sanctions")
    moved = by_label["RUS position on sanctions"].set(base, 3.0)
    assert moved.position[rus, sanctions] == 3.0 and base.position[rus, sanctions] != 3.0
    assert np.array_equal(np.delete(moved.position, rus, 0), np.delete(base.position, rus, 0), equal_nan=True)
    capable = by_label["RUS capability"].set(base, 7.0)
    assert (capable.capability[rus][korea.inputs().present[rus]] == 7.0).all()
    design = swings(korea, sample(korea, 500, 0))
    assert [s.factor.label for s in design] == list(by_label) and all(s.low <= s.high for s in design)


def test_solve_samples_splits_unbatched_models_without_changing_them():
    sc = make_scenario([[10.0, 80.0], [60.0, 20.0], [90.0, 50.0]], [[0.6, 0.4], [0.5, 0.5], [0.3, 0.7]], [1, 2, 1])
    from accord.uncertainty import monte_carlo as serial

    draws = sample(sc, 60, 5)
    model = get_model("exchange")(p=0.3, rounds=2)  # REX: no batched form, and randomness of its own
    assert model.solve_batch(sc.inputs(), draws) is None
    whole = serial(model, sc, draws, 5, key=(2,))
    calls = []
    split = solve_samples(model, sc.inputs(), draws, 5, key=(2,), per_job=16, progress=record(calls))
    assert np.array_equal(whole, split) and calls == [(16, 60), (32, 60), (48, 60), (60, 60)]


# -- every analysis: the same result on one process or two ----------------------------------------


@pytest.mark.slow
def test_roles_on_two_processes_are_the_roles_on_one(korea):
    calls = []
    one = analyse(korea, samples=10, seed=2, progress=record(calls))
    two = analyse(korea, samples=10, seed=2, workers=2)
    assert json.dumps(one.to_json(), sort_keys=True) == json.dumps(two.to_json(), sort_keys=True)
    assert steady(calls, 10) and len(calls) == 10  # in process: sample by sample


@pytest.mark.slow
def test_backtest_on_two_processes_is_the_backtest_on_one(dev):
    calls = []
    one = backtest(dev, ["median", "nash", "accord"], seed=5, samples=3, progress=record(calls))
    two = backtest(dev, ["median", "nash", "accord"], seed=5, samples=3, workers=2)
    assert json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)
    assert one["cross_validation"]["n"] == 241
    assert steady(calls, 4 * len(dev.issues))  # mean (the baseline) and three models, every issue


@pytest.mark.slow
def test_forecasts_of_proposals_together_on_two_processes(dev):
    """The exchange model trades across a proposal's issues: parts put together in the file's order."""
    part = replace(dev, issues=dev.issues[:60])
    one, two = forecast(part, "exchange", seed=1), forecast(part, "exchange", seed=1, workers=2)
    assert one.together and one.together == two.together
    assert np.array_equal(one.value, two.value, equal_nan=True)
    assert list(one.reasons.items()) == list(two.reasons.items())


@pytest.mark.slow
def test_sensitivity_on_two_processes_is_the_sensitivity_on_one(korea):
    calls = []
    model = get_model("eum")()
    one = tornado(model, korea, 3, progress=record(calls))
    two = tornado(model, korea, 3, workers=2)
    assert one.swings.equals(two.swings) and one.locked.equals(two.locked)
    assert steady(calls, 1 + 2 * len(factors(korea)))  # the point run and both ends of every swing
    pytest.importorskip("SALib")
    smp = get_model("smp")()  # sample by sample: the runs are split into jobs
    sc = make_scenario([[10.0, 80.0], [60.0, 20.0], [90.0, 50.0]], [[0.3, 0.2], [0.25, 0.25], [0.2, 0.3]], [1, 2, 1])
    small = tornado(smp, sc, 3, samples=500)
    s1 = sobol(smp, sc, small, n=64, inputs=3, seed=3)  # 320 runs: 4 jobs
    s2 = sobol(smp, sc, small, n=64, inputs=3, seed=3, workers=2)
    assert len(s1) == 6 and s1.equals(s2)


@pytest.mark.slow
def test_perspectives_on_two_processes_are_the_perspectives_on_one(korea):
    calls = []
    one = perspectives(korea, ["mean", "eum"], seed=4, progress=record(calls))
    two = perspectives(korea, ["mean", "eum"], seed=4, workers=2)
    assert one.to_json() == two.to_json()
    assert [name for name, _, _ in one.runs] == [name for name, _, _ in two.runs]
    assert steady(calls, 4)


def test_monte_carlo_in_process_shows_progress_within_a_batch_and_the_same_forecasts():
    sc = make_scenario([[10.0, 80.0], [60.0, 20.0], [90.0, 50.0]], [[0.6, 0.4], [0.5, 0.5], [0.3, 0.7]], [1, 2, 1])
    calls = []
    specs = [("mean", {}), ("exchange", {"p": 0.3, "rounds": 2})]  # REX exchange: solved sample by sample
    shown = monte_carlo(sc, specs, 40, 3, batch=20, progress=record(calls))
    silent = monte_carlo(sc, specs, 40, 3, batch=20)
    assert all(np.array_equal(shown[m], silent[m]) for m, _ in specs)
    done = [d for d, _ in calls]
    assert done == sorted(done) and calls[-1] == (40, 40) and all(t == 40 for _, t in calls)
    assert len(set(done)) > 4  # the bar moves inside each batch of 20, not only when a batch completes
