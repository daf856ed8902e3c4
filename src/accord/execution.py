"""Running batches of work on any ``concurrent.futures.Executor``, with the same results everywhere.

Work is cut into batches of a fixed size, and each batch draws its randomness from its own
seed, derived from the run's seed and the batch's index (``numpy.random.SeedSequence.spawn``).
Who computes a batch (this process, local worker processes, a Dask cluster) therefore never
changes what it computes: results are identical whatever the executor and the number of
workers. Batches come back in any order and are reassembled by index.

``executor(workers, scheduler)``: None (in this process), a ``ProcessPoolExecutor`` for
``workers > 1``, or a Dask distributed cluster's executor for a scheduler address
(``Client(address).get_executor()``; the optional extra "cluster").
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, as_completed
from contextlib import contextmanager
from typing import Any

import numpy as np

from .errors import UsageError

BATCH = 1000  # samples per batch: large enough to batch well, small enough to spread over workers


def batch_seeds(seed: int | None, n_batches: int) -> list[np.random.SeedSequence]:
    return np.random.SeedSequence(seed).spawn(n_batches)


def batch_sizes(total: int, size: int = BATCH) -> list[int]:
    return [min(size, total - start) for start in range(0, total, size)]


@contextmanager
def executor(workers: int = 1, scheduler: str | None = None) -> Iterator[Executor | None]:
    """The executor to use: None (in process), local processes, or a Dask cluster."""
    if scheduler:
        try:
            from distributed import Client
        except ImportError:
            raise UsageError("--scheduler needs Dask: pip install 'accord[cluster]'") from None
        client = Client(scheduler)
        try:
            yield client.get_executor()
        finally:
            client.close()
    elif workers > 1:
        from concurrent.futures import ProcessPoolExecutor  # its module loads multiprocessing: only when used

        with ProcessPoolExecutor(workers) as pool:
            yield pool
    else:
        yield None


def run_batches(task: Callable[..., Any], jobs: Sequence[tuple], pool: Executor | None = None,
                progress: Callable[[int], None] | None = None,
                on_result: Callable[[Any], None] | None = None) -> list[Any]:
    """``task(*job)`` for every job, in this process or on ``pool``; results in job order.

    ``on_result`` sees each result as soon as it completes (in completion order), e.g. to store it.
    """
    results: list[Any] = [None] * len(jobs)

    def finish(k: int, value: Any) -> None:
        results[k] = value
        if on_result:
            on_result(value)
        if progress:
            progress(1)

    if pool is None:
        for k, job in enumerate(jobs):
            finish(k, task(*job))
        return results
    futures = {pool.submit(task, *job): k for k, job in enumerate(jobs)}
    try:
        for future in as_completed(futures):
            finish(futures[future], future.result())
    except BaseException:
        # a failed batch, a result that cannot be stored, Ctrl-C: stop at once rather than compute
        # every queued batch for nothing (the batches already stored are kept)
        for future in futures:
            future.cancel()
        raise
    return results


@contextmanager
def stage_bars(quiet: bool = False) -> Iterator[Callable[[str], Callable[[int, int], None] | None]]:
    """Progress bars for work done in stages (a report: samples, roles, readings, tornado), one bar
    a stage: yields ``stage(label)``, which gives that stage's ``progress(done, total)`` callback."""
    if quiet or not sys.stderr.isatty():
        yield lambda label: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  transient=True) as bar:
        tasks: dict[str, Any] = {}

        def stage(label: str) -> Callable[[int, int], None]:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=None)
            return lambda done, of: bar.update(tasks[label], completed=done, total=of)
        yield stage


@contextmanager
def progress_bar(total: int, label: str, quiet: bool = False) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on a terminal (completed/total, time left); nothing when quiet or piped.

    Yields the ``progress(done, total)`` callback every analysis takes (:mod:`accord.experiment`).
    """
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done, of: bar.update(task, completed=done, total=of)
