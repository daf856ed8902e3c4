"""The same Monte Carlo results whatever executes the batches."""

from __future__ import annotations

import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest

from accord.execution import batch_sizes, executor, run_batches
from accord.io import read_scenario
from accord.runner import add_uncertainty, run_models

from .conftest import KOREA


def forecasts(pool, batch=400, samples=1000):
    scenario = read_scenario(KOREA).scenario
    results = run_models(scenario, ["mean", "eum"], {"eum": {"rounds": 2}}, seed=3)
    add_uncertainty(scenario, results, samples, 3, pool=pool, batch=batch)
    return np.stack([r.uncertainty["forecasts"] for r in results])


@pytest.fixture(scope="module")
def in_process():
    return forecasts(None)


def test_batches_are_cut_the_same_way_for_every_executor():
    assert batch_sizes(2500, 1000) == [1000, 1000, 500]
    assert batch_sizes(0, 1000) == []


def test_results_come_back_in_job_order_whatever_order_they_finish():
    def slow_first(k):
        time.sleep(0.05 if k == 0 else 0.0)
        return k

    with ThreadPoolExecutor(3) as pool:
        assert run_batches(slow_first, [(k,) for k in range(5)], pool) == [0, 1, 2, 3, 4]


@pytest.mark.slow
def test_local_processes_give_identical_results(in_process):
    with ProcessPoolExecutor(2) as pool:
        np.testing.assert_array_equal(forecasts(pool), in_process)


@pytest.mark.slow
def test_a_dask_cluster_gives_identical_results(in_process):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, processes=False, dashboard_address=None) as cluster:
        with executor(scheduler=cluster.scheduler_address) as pool:
            np.testing.assert_array_equal(forecasts(pool), in_process)


def test_batch_streams_are_independent_of_the_batch_count(in_process):
    # The first batch's draws do not depend on how many batches follow.
    np.testing.assert_array_equal(forecasts(None, samples=400)[:, :400], in_process[:, :400])


@pytest.mark.slow
def test_a_killed_sweep_resumes_to_the_identical_result(tmp_path):
    """kill -9 midway through a sweep; `accord sweep resume` finishes it, recomputing nothing stored."""
    import json
    import os
    import signal
    import sqlite3
    import subprocess
    import sys

    args = ["forecast", str(KOREA), "-m", "mean", "-m", "eum", "-p", "rounds=3", "--samples", "1200",
            "--batch-size", "100", "--seed", "11", "--json", "--quiet"]
    cmd = [sys.executable, "-m", "accord"]
    whole = json.loads(subprocess.run([*cmd, *args, "--store", str(tmp_path / "whole.sqlite")], check=True,
                                      capture_output=True, text=True, timeout=300).stdout)

    store = tmp_path / "killed.sqlite"
    victim = subprocess.Popen([*cmd, *args, "--store", str(store)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    stored = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and stored < 3:
        time.sleep(0.05)
        if store.exists():
            try:
                with sqlite3.connect(store) as db:
                    stored = db.execute("SELECT count(*) FROM sweep_batches").fetchone()[0]
            except sqlite3.OperationalError:  # tables not created yet
                pass
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    with sqlite3.connect(store) as db:
        (sweep_id,), = db.execute("SELECT sweep_id FROM sweeps").fetchall()
        before = db.execute("SELECT count(*) FROM sweep_batches").fetchone()[0]
    assert 3 <= before < 12, "the sweep was not interrupted midway"

    listed = subprocess.run([*cmd, "sweep", "list", "--store", str(store)], capture_output=True, text=True, timeout=120)
    assert f"{sweep_id}" in listed.stdout and "interrupted: accord sweep resume" in listed.stdout  # its process died
    resumed = json.loads(subprocess.run([*cmd, "sweep", "resume", sweep_id, "--store", str(store), "--json", "-q"],
                                        check=True, capture_output=True, text=True, timeout=300).stdout)
    with sqlite3.connect(store) as db:
        batches = [b for (b,) in db.execute("SELECT batch FROM sweep_batches WHERE sweep_id = ? ORDER BY batch",
                                            (sweep_id,))]
    assert batches == list(range(12))  # none missing, none twice

    def strip(doc):
        return [{k: v for k, v in run.items() if k != "run_id"} for run in doc["runs"]]

    assert strip(resumed) == strip(whole)
    again = subprocess.run([*cmd, "sweep", "resume", sweep_id, "--store", str(store), "--json", "-q"], check=True,
                           capture_output=True, text=True, timeout=300)
    assert "already finished" in again.stderr and strip(json.loads(again.stdout)) == strip(whole)


def test_a_result_that_cannot_be_kept_stops_the_queued_batches():
    """A sink that fails (a full store) ends the run at once: the queued batches are not computed."""
    import threading

    release, started = threading.Event(), []

    def task(k):
        started.append(k)
        if k:
            release.wait(10)
        return k

    def sink(value):
        raise OSError("the store is full")

    with ThreadPoolExecutor(1) as pool:
        try:
            with pytest.raises(OSError, match="full"):
                run_batches(task, [(k,) for k in range(8)], pool, on_result=sink)
        finally:
            release.set()
    assert started[0] == 0 and len(started) <= 2  # at most the batch under way finishes; the queued never start


def _interrupted_sweep(store_path, samples=300, batch=100, model="mean"):
    """A sweep recorded and left with none of its batches stored, as a killed run leaves it."""
    from accord.store import RunStore, new_sweep_id

    scenario = read_scenario(KOREA).scenario
    spec = {"models": [model], "params": {model: run_models(scenario, [model])[0].params}, "seed": 3,
            "samples": samples, "correlate": "none", "batch": batch, "skipped": []}
    store = RunStore(store_path)
    sweep_id = new_sweep_id()
    store.begin_sweep(sweep_id, scenario, spec, len(batch_sizes(samples, batch)))
    return store, sweep_id


def test_a_running_sweep_is_told_from_an_interrupted_one(cli, tmp_path):
    import json
    import os

    store, sweep_id = _interrupted_sweep(tmp_path / ".accord" / "runs.sqlite")
    code, out, _ = cli("sweep", "list")
    assert code == 0 and f"{sweep_id}" in out and "0/3 batches  interrupted" in out
    with store.running_sweep(sweep_id):  # as the process running it holds it
        code, out, _ = cli("sweep", "list")
        assert code == 0 and f"0/3 batches  running (process {os.getpid()} on" in out
        code, _, err = cli("sweep", "resume", sweep_id)
        assert code == 2 and f"sweep {sweep_id} is running (process {os.getpid()}" in err
        assert "Traceback" not in err and "IntegrityError" not in err
    code, out, err = cli("sweep", "resume", sweep_id, "--json", "-q")
    assert code == 0 and "0 of 3 batches stored; computing the rest" in err
    resumed = json.loads(out)["runs"]
    code, out, _ = cli("sweep", "list")
    assert "3/3 batches  complete" in out and not list(tmp_path.glob(".accord/*.lock"))
    code, out, _ = cli("forecast", KOREA, "-m", "mean", "-n", "300", "--batch-size", "100", "--seed", "3", "--json",
                       "--no-store")
    whole = json.loads(out)["runs"]
    assert [{k: v for k, v in r.items() if k != "run_id"} for r in resumed] == [
        {k: v for k, v in r.items() if k != "run_id"} for r in whole]


@pytest.mark.slow
def test_two_resumes_at_once_one_runs_the_other_is_refused(tmp_path):
    import sqlite3
    import subprocess
    import sys

    from accord import locks

    store, sweep_id = _interrupted_sweep(tmp_path / "runs.sqlite", samples=600, batch=20, model="smp")
    resume = [sys.executable, "-m", "accord", "sweep", "resume", sweep_id, "--store", str(store.path), "-q", "--json"]
    first = subprocess.Popen(resume, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while locks.held(store.path.with_name(f"runs.sqlite.{sweep_id}.lock")) is None and first.poll() is None:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    second = subprocess.run(resume, capture_output=True, text=True, timeout=300)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0 and "computing the rest" in err, err
    assert second.returncode == 2 and f"sweep {sweep_id} is running (process {first.pid}" in second.stderr
    assert "Traceback" not in err + second.stderr and "IntegrityError" not in err + second.stderr
    with sqlite3.connect(store.path) as db:
        batches = [b for (b,) in db.execute("SELECT batch FROM sweep_batches ORDER BY batch")]
    assert batches == list(range(30))

