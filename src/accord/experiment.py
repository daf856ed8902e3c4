"""Experiments: sample a design, evaluate models over it on any executor, analyse the arrays.

Every analysis of accord is an experiment in three steps kept apart, as SALib keeps its
samplers, the model runs and its analysers apart (Herman & Usher 2017):

**Sample** a *design*: the inputs to run. :func:`sample` draws Monte Carlo versions of a
scenario's numbers from its evidence (:mod:`accord.uncertainty`); :func:`without_each` gives
the counterfactuals of :mod:`accord.roles` (the scenario without each actor in turn);
:func:`factors` and :func:`swings` the one-at-a-time design of :mod:`accord.sensitivity`;
:func:`readings` each source's reading of :mod:`accord.perspectives`; :func:`proposals` the
DEU issues of :mod:`accord.backtest`, proposal by proposal.

**Evaluate** models over the design, as independent jobs (:func:`evaluate`), in this process,
on local worker processes (``workers``) or on a Dask cluster (``scheduler``; see
:mod:`accord.execution`). A job's randomness comes from the seed and from its place in the
design, never from who computes it or when, so the results are identical whatever the
executor. There are two kinds of design:

* drawn batch by batch: the forecast's Monte Carlo (:func:`monte_carlo`): batch k draws its
  samples from the stream (seed, k), so a batch can be computed anywhere, stored as it
  completes, and an interrupted run resumed from the batches stored (a *sweep*:
  :func:`create_sweep`, :func:`run_sweep`, :func:`open_sweep`, :func:`resume_sweep`,
  :func:`list_sweeps`);
* drawn whole, then split: roles, sensitivity, Sobol indices and backtests keep the streams
  they have always drawn from (all samples drawn at once under the seed, or one stream per DEU
  issue), and only the model runs are split into jobs; how they are split changes nothing.

``progress(done, total)`` is called as jobs complete (in samples, runs or issues: the unit of
the design), for front ends to show a bar.

**Analyse** the evaluated arrays: :func:`quantiles` of Monte Carlo forecasts here; the roles'
confidences, the tornado, the perspectives table and the backtest scores in their modules.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor
from contextlib import ExitStack, contextmanager, nullcontext
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeVar

import numpy as np

from . import whatif
from .errors import StoreError
from .execution import BATCH, batch_sizes, executor, run_batches
from .io.deu import DeuData, DeuIssue
from .models import Model, Result, get_model
from .models._jit import PLANNED
from .scenario import Inputs, Scenario
from .store import RunStore, SweepState, new_sweep_id
from .uncertainty import DEFAULT_SPREADS, Draws, Spreads, overrides, sample_inputs, solve_draws, summarise

T = TypeVar("T")
Progress = Callable[[int, int], None]
CONSENSUS = "consensus"


# -- sample: designs ------------------------------------------------------------------------------


def sample(scenario: Scenario, n: int, seed: int | None = 0, *, spreads: Spreads = DEFAULT_SPREADS,
           correlate: Literal["none", "source"] = "none", key: tuple[int, ...] = ()) -> Draws:
    """n versions of the scenario's numbers drawn from its evidence
    (:func:`accord.uncertainty.sample_inputs`); ``key`` names an independent stream under the seed.

    >>> import accord
    >>> sc = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 2])
    >>> draws = sample(sc, 1000, seed=1)
    >>> draws.position.shape, bool((abs(draws.position[:, 0, 0] - 10) <= 5).all())
    ((1000, 2, 1), True)
    """
    return sample_inputs(scenario, n, seed, spreads, correlate, key)


def batches(samples: int, size: int = BATCH) -> list[int]:
    """The sizes of the batches a Monte Carlo of ``samples`` is cut into (part of what the draws are).

    >>> batches(2500, 1000)
    [1000, 1000, 500]
    """
    return batch_sizes(samples, size)


def without(inputs: Inputs, a: int) -> Inputs:
    """The inputs without actor ``a``: a counterfactual of :mod:`accord.roles`.

    >>> import accord
    >>> base = accord.from_arrays([[10.0], [90.0], [50.0]], [[0.5], [0.5], [0.5]], [1, 2, 3]).inputs()
    >>> without(base, 1).actors, without(base, 1).position.tolist()
    (('A0', 'A2'), [[10.0], [50.0]])
    """
    keep = np.arange(len(inputs.actors)) != a
    return replace(inputs, actors=tuple(x for k, x in enumerate(inputs.actors) if keep[k]),
                   position=inputs.position[keep], salience=inputs.salience[keep], capability=inputs.capability[keep])


def one_issue(inputs: Inputs, i: int) -> Inputs:
    """The inputs of issue ``i`` alone: what a model that forecasts issue by issue
    (:attr:`~accord.models.Model.issue_by_issue`) needs to forecast that issue.

    >>> import accord
    >>> base = accord.from_arrays([[10.0, 20.0], [90.0, 80.0]], [[0.5, 0.5], [0.5, 0.5]], [1, 2]).inputs()
    >>> part = one_issue(base, 1)
    >>> part.issues, part.position.tolist()
    (('i1',), [[20.0], [80.0]])
    >>> part.digest() == base.digest(1) != base.digest()  # the content hash of the issue alone
    True
    """
    cols = [i]
    return replace(inputs, issues=(inputs.issues[i],), position=inputs.position[:, cols],
                   salience=inputs.salience[:, cols], capability=inputs.capability[:, cols],
                   scale_min=inputs.scale_min[cols], scale_max=inputs.scale_max[cols],
                   reference=inputs.reference[cols], rules=inputs.rules[i:i + 1])


def model_key(model: Model, seed: int | None) -> tuple[str, str, str, int | None]:
    """What, besides its inputs, decides a model's result: its class, its parameters and the seed,
    unless it draws no random numbers (:attr:`~accord.models.Model.exact_batch`): then no seed."""
    return (type(model).__module__, type(model).__qualname__, json.dumps(model.get_params(), sort_keys=True),
            None if model.exact_batch else seed)


def without_each(inputs: Inputs) -> list[Inputs]:
    """The inputs without each actor in turn (n counterfactuals for n actors).

    >>> import accord
    >>> base = accord.from_arrays([[10.0], [90.0], [50.0]], [[0.5], [0.5], [0.5]], [1, 2, 3]).inputs()
    >>> [d.actors for d in without_each(base)]
    [('A1', 'A2'), ('A0', 'A2'), ('A0', 'A1')]
    """
    return [without(inputs, a) for a in range(len(inputs.actors))]


@dataclass(frozen=True)
class Factor:
    """One input a sensitivity design moves: ``what`` (position, salience, capability, reference)
    of actor ``actor`` on issue ``issue`` (indices; None where it does not apply), labelled.

    Factors edit the :class:`~accord.scenario.Inputs` arrays directly, not the scenario (see
    :mod:`accord.whatif`): an actor's capability is set on every issue it takes part in.

    >>> import accord
    >>> base = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 2]).inputs()
    >>> Factor("position", 0, 0, "A0 position on i0").set(base, 30.0).position.tolist()
    [[30.0], [90.0]]
    """

    what: str
    actor: int | None
    issue: int | None
    label: str

    def _cells(self, base: Inputs) -> tuple:
        """Where the factor sits in its array, after any sample axis."""
        if self.what == "reference":
            return (self.issue,)
        if self.what == "capability":  # one capability on all the actor's issues
            return self.actor, ~np.isnan(base.position[self.actor])
        return self.actor, self.issue

    def marginal(self, base: Inputs, draws: Draws) -> np.ndarray:
        """The factor's values in each sample of the draws (a capability read on the actor's first issue)."""
        if self.what == "capability":
            first = int(np.flatnonzero(~np.isnan(base.position[self.actor]))[0])
            return draws.capability[:, self.actor, first]
        return getattr(draws, self.what)[(slice(None), *self._cells(base))]

    def set(self, base: Inputs, value: float) -> Inputs:
        """The inputs with this factor at ``value``, all else as in ``base``."""
        arr = getattr(base, self.what).copy()
        arr[self._cells(base)] = value
        return replace(base, **{self.what: arr})

    def set_samples(self, base: Inputs, arrays: dict[str, np.ndarray], values: np.ndarray) -> None:
        """Set the factor in every sample of ``arrays`` (name -> (samples, ...) array) to ``values``."""
        index = (slice(None), *self._cells(base))
        target = arrays[self.what][index]
        arrays[self.what][index] = values.reshape(-1, *([1] * (target.ndim - 1)))


def factors(scenario: Scenario) -> list[Factor]:
    """Every input of the one-at-a-time design: each reference point, then per actor its
    capability and, per issue it takes part in, its position and salience.

    >>> import accord
    >>> sc = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 2])
    >>> [f.label for f in factors(sc)][:3]
    ['A0 capability', 'A0 position on i0', 'A0 salience on i0']
    """
    base = scenario.inputs()
    out = [Factor("reference", None, i, f"reference point of {issue.id}")
           for i, issue in enumerate(scenario.issues) if issue.reference is not None]
    for a, actor in enumerate(scenario.actors):
        if actor.capability is not None:
            out.append(Factor("capability", a, None, f"{actor.id} capability"))
        for i, issue in enumerate(scenario.issues):
            if not np.isnan(base.position[a, i]):
                out += [Factor("position", a, i, f"{actor.id} position on {issue.id}"),
                        Factor("salience", a, i, f"{actor.id} salience on {issue.id}")]
    return out


@dataclass(frozen=True)
class Swing:
    """A factor moved alone from ``low`` to ``high``, and the two inputs that does it."""

    factor: Factor
    low: float
    high: float
    at_low: Inputs
    at_high: Inputs


def swings(scenario: Scenario, draws: Draws, quantiles: tuple[float, float] = (0.05, 0.95)) -> list[Swing]:
    """The one-at-a-time design: each factor at the low and high quantiles of its draws, all
    else at the point values (Saltelli et al. 2008, ch. 1).

    >>> import accord
    >>> sc = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 2])
    >>> s = swings(sc, sample(sc, 4000))[1]
    >>> s.factor.label, round(s.low), round(s.high), float(s.at_high.position[0, 0]) == s.high
    ('A0 position on i0', 5, 14, True)
    """
    base = scenario.inputs()
    out = []
    for factor in factors(scenario):
        lo, hi = np.quantile(factor.marginal(base, draws), quantiles)
        out.append(Swing(factor, float(lo), float(hi), factor.set(base, lo), factor.set(base, hi)))
    return out


def claims_by_source(scenario: Scenario) -> dict[str, int]:
    """How many claims each source makes (every declared source, 0 for those without claims).

    >>> import accord
    >>> claims_by_source(accord.from_arrays([[10.0]], [[0.5]], [1]))
    {}
    """
    counts = {s.id: 0 for s in scenario.sources}
    for est in scenario.estimates():
        for claim in est.claims:
            counts[claim.source] = counts.get(claim.source, 0) + 1
    return counts


def readings(scenario: Scenario) -> dict[str, Scenario]:
    """The consensus and each source's reading (:func:`accord.whatif.reading`), for every source with claims.

    >>> from importlib.resources import files
    >>> import accord
    >>> sc = accord.read_scenario(files("accord") / "scenarios" / "korea-2018.yaml").scenario
    >>> list(readings(sc))
    ['consensus', 'blank2018', 'economy2018', 'lukyanov2018']
    """
    return {CONSENSUS: scenario} | {s: whatif.apply(scenario, whatif.reading(scenario, s))
                                    for s, n in claims_by_source(scenario).items() if n}


def proposals(data: DeuData, per_job: int = 8) -> list[list[tuple[str, list[DeuIssue]]]]:
    """The backtest's design: the DEU proposals with their issues, in file order, ``per_job`` to a job.

    Each issue is a scenario of its own (or, for a model that cannot take one issue alone, the
    proposal's issues together: :func:`accord.backtest.forecast`).

    >>> from pathlib import Path
    >>> from accord.io.deu import read_deu
    >>> data = read_deu(Path(__file__).parents[2] / "data" / "deu3" / "deu3-dev.csv")
    >>> [len(job) for job in proposals(data, 40)]
    [40, 40, 14]
    """
    items = list(data.proposals().items())
    return [items[k:k + per_job] for k in range(0, len(items), per_job)]


# -- evaluate ---------------------------------------------------------------------------------


@contextmanager
def pooled(workers: int = 1, scheduler: str | None = None, pool: Executor | None = None
           ) -> Iterator[Executor | None]:
    """The executor to evaluate on: ``pool`` if given, else :func:`accord.execution.executor`
    (None: this process).

    >>> with pooled(1) as pool:
    ...     pool is None
    True
    """
    with (nullcontext(pool) if pool is not None else executor(workers, scheduler)) as chosen:
        yield chosen


def evaluate(task: Callable[..., T], jobs: Sequence[tuple], *, workers: int = 1, scheduler: str | None = None,
             pool: Executor | None = None, progress: Progress | None = None, sizes: Sequence[int] | None = None,
             done: Mapping[int, T] | None = None, sink: Callable[[int, T], None] | None = None) -> list[T]:
    """``task(*jobs[k])`` for every job, on the executor; the results in job order.

    ``task`` is a module-level function (so that worker processes can import it). Jobs in
    ``done`` (by index) are not run again: their results are taken as they are (a resumed
    experiment). ``sink(k, result)`` sees each new result as it completes, e.g. to store it;
    if it raises, the jobs not yet started are cancelled. ``progress(done, total)`` is called
    after each job, in the units of ``sizes`` (one per job by default), over the jobs run now.

    >>> evaluate(pow, [(2, 3), (3, 2), (10, 0)], done={2: 1})
    [8, 9, 1]
    >>> seen = []
    >>> _ = evaluate(pow, [(2, 3), (3, 2)], sizes=[5, 7], progress=lambda d, t: seen.append((d, t)))
    >>> seen
    [(5, 12), (12, 12)]
    """
    done = dict(done or {})
    sizes = list(sizes) if sizes is not None else [1] * len(jobs)
    todo = [k for k in range(len(jobs)) if k not in done]
    total, finished = sum(sizes[k] for k in todo), 0

    def completed(k_result: tuple[int, T]) -> None:
        nonlocal finished
        k, result = k_result
        if sink is not None:
            sink(k, result)
        done[k] = result
        finished += sizes[k]
        if progress is not None:
            progress(finished, total)

    with pooled(workers, scheduler, pool) as chosen:
        planned = PLANNED.set(total if chosen is None else None)
        try:
            run_batches(_indexed, [(task, k, jobs[k]) for k in todo], chosen, on_result=completed)
        finally:
            PLANNED.reset(planned)
    return [done[k] for k in range(len(jobs))]


def _indexed(task: Callable[..., T], k: int, job: tuple) -> tuple[int, T]:
    return k, task(*job)


def solve_all(model: Model, inputs: Sequence[Inputs], seed: int | None = 0, *, per_job: int = 16,
              workers: int = 1, scheduler: str | None = None, pool: Executor | None = None,
              progress: Progress | None = None) -> np.ndarray:
    """Forecasts (runs, issues) of one model on each of many inputs, each run's randomness from
    ``seed`` itself (one-at-a-time designs: every run is the point run with one input moved).

    >>> import accord
    >>> base = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 1]).inputs()
    >>> solve_all(accord.get_model("mean")(), [base, without(base, 0)]).tolist()
    [[50.0], [90.0]]
    """
    batched = _one_batch(model, inputs)
    if batched is not None:
        if progress is not None:
            progress(len(inputs), len(inputs))
        return batched
    chunks = [list(inputs[k:k + per_job]) for k in range(0, len(inputs), per_job)]
    parts = evaluate(_forecasts, [(model, chunk, seed) for chunk in chunks], workers=workers, scheduler=scheduler,
                     pool=pool, progress=progress, sizes=[len(c) for c in chunks])
    return np.concatenate(parts) if parts else np.empty((0, 0))


def _one_batch(model: Model, inputs: Sequence[Inputs]) -> np.ndarray | None:
    """The forecasts of inputs that differ only in their numbers, solved in one batch in this process
    (faster than any executor) where the model's batched form gives each run's forecast exactly
    (:attr:`~accord.models.Model.exact_batch`); else None."""
    if not model.exact_batch or len(inputs) < 2:
        return None
    first = inputs[0]
    if any(x.actors != first.actors or x.issues != first.issues or not np.array_equal(x.present, first.present)
           or not np.array_equal(x.scale_min, first.scale_min) or not np.array_equal(x.scale_max, first.scale_max)
           or x.settings != first.settings or x.rules != first.rules for x in inputs[1:]):
        return None
    if any(model.check(x) for x in inputs):  # run one by one: the first refused raises as it would alone
        return None
    draws = Draws(*(np.stack([getattr(x, what) for x in inputs])
                    for what in ("position", "salience", "capability", "reference")))
    return model.solve_batch(first, draws)


def _forecasts(model: Model, inputs: Sequence[Inputs], seed: int | None) -> np.ndarray:
    rng_seed = 0 if seed is None else seed
    return np.array([model.evaluate(x, np.random.default_rng(rng_seed)).forecast for x in inputs])


def solve_samples(model: Model, base: Inputs, draws: Draws, seed: int | None = 0, key: tuple[int, ...] = (), *,
                  per_job: int = 100, workers: int = 1, scheduler: str | None = None, pool: Executor | None = None,
                  progress: Progress | None = None) -> np.ndarray:
    """Forecasts (samples, issues) of one model over a design drawn whole
    (:func:`accord.uncertainty.solve_draws`): a model with a batched form solves all samples at
    once in this process (faster than any executor); the others sample by sample, ``per_job``
    to a job, sample j from the stream (seed, key + (j,)) wherever it runs.

    >>> import accord
    >>> sc = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 1])
    >>> draws = sample(sc, 300, seed=2)
    >>> model = accord.get_model("smp")()
    >>> bool((solve_samples(model, sc.inputs(), draws, 2, per_job=64)
    ...       == solve_samples(model, sc.inputs(), draws, 2, per_job=300)).all())
    True
    """
    n = len(draws)
    batched = model.solve_batch(base, replace(draws, stream=(seed, key, 0)))
    if batched is not None:
        if progress is not None:
            progress(n, n)
        return batched
    starts = list(range(0, n, per_job))
    jobs = [(model, base, draws.part(s, s + per_job), seed, key, s) for s in starts]
    parts = evaluate(solve_draws, jobs, workers=workers, scheduler=scheduler, pool=pool, progress=progress,
                     sizes=[min(per_job, n - s) for s in starts])
    return np.concatenate(parts) if parts else np.empty((0, len(base.issues)))


def monte_carlo(scenario: Scenario, specs: Sequence[tuple[str, dict[str, Any]]], samples: int, seed: int | None,
                correlate: str = "none", batch: int | None = None, *, workers: int = 1, scheduler: str | None = None,
                pool: Executor | None = None, progress: Progress | None = None,
                done: Mapping[int, dict[str, np.ndarray]] | None = None,
                sink: Callable[[int, dict[str, np.ndarray]], None] | None = None) -> dict[str, np.ndarray]:
    """Monte Carlo forecasts (samples, issues) of each model (name, params) over the evidence,
    batch by batch: batch k draws ``batch`` samples from the stream (seed, k) and runs every model
    on them, so the models share their draws and the draws do not depend on who computes them.

    ``done`` holds batches already computed (a resumed sweep), ``sink(k, part)`` receives each
    new batch as it completes (to store it); ``progress`` counts samples.

    >>> import accord
    >>> sc = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 1])
    >>> whole = monte_carlo(sc, [("mean", {})], 300, seed=4, batch=100)
    >>> again = monte_carlo(sc, [("mean", {})], 300, seed=4, batch=100, done={0: {"mean": whole["mean"][:100]}})
    >>> whole["mean"].shape, bool((whole["mean"] == again["mean"]).all())
    ((300, 1), True)
    """
    sizes = batches(samples, batch or BATCH)
    jobs = [(scenario, list(specs), size, seed, (k,), correlate) for k, size in enumerate(sizes)]
    if progress is not None and pool is None and workers == 1 and not scheduler:
        progress, steps = _within_batches(progress, [size for k, size in enumerate(sizes) if k not in (done or {})])
        jobs = [(*job, steps(job[2])) for job in jobs]
    parts = evaluate(monte_carlo_batch, jobs, workers=workers, scheduler=scheduler, pool=pool, progress=progress,
                     sizes=sizes, done=done, sink=sink)
    n_issues = len(scenario.issues)
    return {name: (np.concatenate([part[name] for part in parts]) if parts else np.empty((0, n_issues)))
            for name, _ in specs}


def _within_batches(progress: Progress, sizes: list[int]) -> tuple[Progress, Callable[[int], Progress]]:
    """In this process, a batch's progress as its models solve its samples, so that a slow model's
    batch does not leave the bar still: the progress for the batches, and per batch (of a size)
    the callback ``step(solved, of)`` of its sample-model solves."""
    total, finished = sum(sizes), [0]

    def batches_done(done: int, of: int) -> None:
        finished[0] = done
        progress(done, of)

    def steps(size: int) -> Progress:
        return lambda solved, of: progress(finished[0] + size * solved // of, total)
    return batches_done, steps


def monte_carlo_batch(scenario: Scenario, specs: Sequence[tuple[str, dict[str, Any]]], size: int, seed: int | None,
                      key: tuple[int, ...], correlate: str, step: Progress | None = None) -> dict[str, np.ndarray]:
    """One batch: draw ``size`` scenarios under (seed, key) and run every model on them
    (``step(solved, of)``: sample-model solves so far, where a model solves sample by sample).

    >>> import accord
    >>> sc = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 1])
    >>> monte_carlo_batch(sc, [("mean", {})], 5, 0, (0,), "none")["mean"].shape
    (5, 1)
    """
    draws = sample(scenario, size, seed, correlate=correlate, key=key)  # type: ignore[arg-type]
    base = scenario.inputs()
    out = {}
    for m, (name, params) in enumerate(specs):
        tick = None if step is None else (lambda j, m=m: step(m * size + j, len(specs) * size))
        out[name] = solve_draws(get_model(name)(**params), base, draws, seed, key=(*key, 1), step=tick)
    return out


def add_uncertainty(scenario: Scenario, results: Sequence[Result], samples: int, seed: int | None,
                    correlate: str = "none", batch: int | None = None, **evaluation: Any) -> None:
    """Monte Carlo over the evidence for each result (:func:`monte_carlo`), kept as its ``uncertainty``
    (the forecasts, and the inputs set over their claims: :func:`accord.uncertainty.overrides`).

    ``evaluation``: the keyword arguments of :func:`monte_carlo` (workers, scheduler, pool,
    progress, done, sink).

    >>> import accord
    >>> sc = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 1])
    >>> result = accord.get_model("mean")().run(sc)
    >>> add_uncertainty(sc, [result], 200, seed=0)
    >>> result.uncertainty["forecasts"].shape
    (200, 1)
    """
    forecasts = monte_carlo(scenario, [(r.model, r.params) for r in results], samples, seed, correlate, batch,
                            **evaluation)
    base = scenario.inputs()
    what_ifs = overrides(scenario)
    for result in results:
        result.uncertainty = {"samples": samples, "correlate": correlate, "scale": (base.scale_min, base.scale_max),
                              "forecasts": forecasts[result.model], "overrides": what_ifs}


# -- sweeps: Monte Carlo stored batch by batch in a run store, resumable --------------------------


def create_sweep(store: RunStore, scenario: Scenario, spec: dict[str, Any], held: ExitStack) -> str:
    """A new sweep in the store, its lock held until ``held`` closes (so it shows as running).

    ``spec``: models, params (per model), seed, samples, correlate, batch, skipped.

    >>> import tempfile, pathlib, accord
    >>> from accord.store import RunStore
    >>> store = RunStore(pathlib.Path(tempfile.mkdtemp()) / "runs.sqlite")
    >>> sc = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 1])
    >>> spec = {"models": ["mean"], "params": {"mean": {}}, "seed": 0, "samples": 20, "correlate": "none",
    ...         "batch": 10, "skipped": []}
    >>> with ExitStack() as held:
    ...     sweep_id = create_sweep(store, sc, spec, held)
    ...     [s.state for s in list_sweeps(store)]
    ['running']
    >>> [s.state for s in list_sweeps(store)]
    ['interrupted']
    """
    sweep_id = new_sweep_id()
    held.enter_context(store.running_sweep(sweep_id))  # before the sweep exists: never seen unlocked
    store.begin_sweep(sweep_id, scenario, spec, len(batches(spec["samples"], spec["batch"])))
    return sweep_id


def run_sweep(scenario: Scenario, results: Sequence[Result], spec: dict[str, Any], *, store: RunStore | None = None,
              sweep_id: str | None = None, workers: int = 1, scheduler: str | None = None,
              progress: Progress | None = None, done: Mapping[int, dict[str, np.ndarray]] | None = None) -> None:
    """Monte Carlo for the results as ``spec`` says (:func:`add_uncertainty`), each completed batch
    stored in the sweep ``sweep_id`` (when there is one) as it comes; ``done``: the batches stored.

    A store that fails midway raises a :class:`~accord.errors.StoreError` that says how many
    batches are kept and how to finish the sweep.

    >>> import accord
    >>> sc = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 1])
    >>> results = [accord.get_model("mean")().run(sc)]
    >>> run_sweep(sc, results, {"seed": 0, "samples": 30, "correlate": "none", "batch": 10})
    >>> results[0].uncertainty["forecasts"].shape
    (30, 1)
    """
    n_batches = len(batches(spec["samples"], spec["batch"]))
    stored = dict(done or {})

    def sink(k: int, part: dict[str, np.ndarray]) -> None:
        store.save_batch(sweep_id, k, part)  # type: ignore[union-attr, arg-type]
        stored[k] = part

    try:
        add_uncertainty(scenario, results, spec["samples"], spec["seed"], spec["correlate"], spec["batch"],
                        workers=workers, scheduler=scheduler, progress=progress, done=done,
                        sink=sink if store is not None and sweep_id else None)
    except StoreError as exc:
        raise StoreError(f"{exc}; the {len(stored)} of {n_batches} batches stored are kept: "
                         f"`accord sweep resume {sweep_id}` finishes the sweep") from None


@dataclass
class StoredSweep:
    """A sweep as its store holds it: spec, scenario, number of batches, the batches stored, and
    the ids of its runs once it is finished."""

    store: RunStore
    sweep_id: str
    spec: dict[str, Any]
    scenario: Scenario
    batches: int
    done: dict[int, dict[str, np.ndarray]]
    run_ids: list[str] | None

    @property
    def finished(self) -> bool:
        return self.run_ids is not None

    def runs(self) -> list[dict[str, Any]]:
        """The run entries a finished sweep recorded."""
        return [self.store.get(r).result for r in self.run_ids or []]


def open_sweep(store: RunStore, sweep_id: str, held: ExitStack) -> StoredSweep:
    """A sweep as stored; unless finished, its lock is taken and held until ``held`` closes, and
    it is read again under the lock (refused with :class:`~accord.store.SweepRunning` if another
    process runs it).

    >>> import tempfile, pathlib, accord
    >>> from accord.store import RunStore
    >>> store = RunStore(pathlib.Path(tempfile.mkdtemp()) / "runs.sqlite")
    >>> sc = accord.from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 1])
    >>> spec = {"models": ["mean"], "params": {"mean": {}}, "seed": 0, "samples": 20, "correlate": "none",
    ...         "batch": 10, "skipped": []}
    >>> with ExitStack() as held:
    ...     sweep_id = create_sweep(store, sc, spec, held)
    >>> with ExitStack() as held:
    ...     sweep = open_sweep(store, sweep_id, held)
    ...     results = resume_sweep(sweep)
    ...     store.finish_sweep(sweep_id, [store.save(sc, r.to_json()).run_id for r in results])
    >>> [(s.state, s.done) for s in list_sweeps(store)]
    [('complete', 2)]
    """
    spec, scenario, n_batches, done, run_ids = store.sweep(sweep_id)
    if run_ids is None:
        held.enter_context(store.running_sweep(sweep_id))
        spec, scenario, n_batches, done, run_ids = store.sweep(sweep_id)  # as it stands under the lock
    return StoredSweep(store, sweep_id, spec, scenario, n_batches, done, run_ids)


def resume_sweep(sweep: StoredSweep, *, workers: int = 1, scheduler: str | None = None,
                 progress: Progress | None = None) -> list[Result]:
    """The runs of an interrupted sweep, with their Monte Carlo: only the batches not stored are
    computed (and stored); the result is the one the uninterrupted sweep would have given.
    Record them and mark the sweep finished (:meth:`accord.store.RunStore.finish_sweep`) after.
    (Example: :func:`open_sweep`.)
    """
    spec = sweep.spec
    models = [get_model(name)(**spec["params"].get(name, {})) for name in spec["models"]]  # validate all first
    results = [model.run(sweep.scenario, seed=spec["seed"]) for model in models]
    run_sweep(sweep.scenario, results, spec, store=sweep.store, sweep_id=sweep.sweep_id, workers=workers,
              scheduler=scheduler, progress=progress, done=sweep.done)
    return results


def list_sweeps(store: RunStore) -> list[SweepState]:
    """Every sweep of the store, newest first: batches stored, and complete, running or interrupted.
    (Example: :func:`create_sweep`.)"""
    return store.sweeps()


# -- analyse ------------------------------------------------------------------------------------


def quantiles(forecasts: np.ndarray) -> dict[str, np.ndarray]:
    """Per issue, the quantiles q05 ... q95 and the median of Monte Carlo forecasts (NaN ignored).

    >>> q = quantiles(np.arange(101.0)[:, None])
    >>> float(q["q05"][0]), float(q["median"][0]), float(q["q95"][0])
    (5.0, 50.0, 95.0)
    """
    return summarise(forecasts)
