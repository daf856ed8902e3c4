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
    add_uncertainty(scenario, ["mean", "eum"], results, samples, 3, pool=pool, batch=batch)
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
