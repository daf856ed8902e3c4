"""The model contract as a battery of checks, for this package's models and for plug-ins.

In the spirit of scikit-learn's ``check_estimator``: a model written anywhere passes
:func:`check_model` if it keeps the contract of :class:`accord.models.Model`, and then works
in every command and analysis (forecast, Monte Carlo on worker processes, roles, backtests,
reports, the dashboard). A plug-in author runs three lines::

    from accord.testing import check_model
    from mypkg import MyModel
    check_model(MyModel)

In a pytest suite, :func:`parametrize_with_checks` makes one test per model and check::

    @parametrize_with_checks([MyModel])
    def test_contract(model, check):
        check(model)

Each check takes a model instance and raises ``AssertionError`` saying what is wrong; it runs
the model on small scenarios built here (:data:`SCENARIOS`), never on files.

>>> from accord.models import get_model
>>> check_model(get_model("median"))
>>> [check.__name__ for check in CHECKS][:3]
['check_protocol', 'check_deterministic_for_a_seed', 'check_run_equals_solve']
"""

from __future__ import annotations

import atexit
import json
import multiprocessing
import pickle
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache
from typing import Any

import numpy as np
from pydantic import BaseModel

from .errors import NotApplicable, UsageError
from .io import from_arrays
from .models import Model, Result, get_model
from .models.base import FINAL, refusal
from .roles import measure
from .scenario import Scenario
from .uncertainty import monte_carlo, sample_inputs

__all__ = ["CHECKS", "SCENARIOS", "check_model", "checks", "parametrize_with_checks"]

Check = Callable[[Model], None]


def _scenario(positions, salience, capability, **kwargs: Any) -> Scenario:
    return from_arrays(positions, salience, capability, name="synthetic", assumption="a conformance test case",
                       **kwargs)


#: Every model must take ``small``: four actors on two issues, every stance present, saliences
#: shares of each actor's attention, one capability per actor, reference points and a decision
#: rule (simple majority). The others probe the declared
#: requirements: a model takes each or refuses it through ``check``.
SCENARIOS: dict[str, Scenario] = {
    "small": _scenario([[10, 80], [40, 20], [90, 35], [60, 55]], [[0.7, 0.2], [0.5, 0.5], [0.3, 0.1], [0.2, 0.8]],
                       [3, 2, 4, 1], reference=[30, 50], decision={"rule": "majority"}),
    "an absent stance": _scenario([[10, 80], [40, 20], [90, float("nan")], [60, 55]],
                                  [[0.7, 0.2], [0.5, 0.5], [0.3, 0.0], [0.2, 0.8]], [3, 2, 4, 1],
                                  reference=[30, 50], decision={"rule": "majority"}),
    "one issue": _scenario([[10], [40], [90]], [[0.7], [0.5], [0.3]], [3, 2, 4]),
    "one actor": _scenario([[10, 80]], [[0.5, 0.5]], [2]),
    "saliences over 1": _scenario([[10, 80], [40, 20], [90, 35]], [[0.9, 0.8], [0.5, 0.5], [0.3, 0.1]], [3, 2, 4]),
    "an actor without salience": _scenario([[10, 80], [40, 20], [90, 35]], [[0.0, 0.0], [0.5, 0.5], [0.3, 0.1]],
                                           [3, 2, 4]),
}
SMALL = SCENARIOS["small"]


def _moved(scenario: Scenario, scales: list[tuple[float, float]]) -> Scenario:
    """The scenario with issue i's numbers moved affinely from [0, 100] onto ``scales[i]``."""
    data = scenario.canonical()
    for issue, (lo, hi) in zip(data["issues"], scales):
        issue["scale"] = {"min": lo, "max": hi}
        if "reference" in issue:
            issue["reference"]["value"] = lo + (hi - lo) * issue["reference"]["value"] / 100
    for actor in data["actors"]:
        for issue_id, stance in actor["issues"].items():
            lo, hi = scales[scenario.issue_ids.index(issue_id)]
            stance["position"]["value"] = lo + (hi - lo) * stance["position"]["value"] / 100
    return Scenario.model_validate(data)


SCENARIOS["other scales"] = _moved(SMALL, [(-50.0, 50.0), (1000.0, 1200.0)])
#: ``small`` with model settings in the file (as KTAB XML carries for smp): they are inputs.
WITH_SETTINGS = SMALL.model_copy(update={"settings": {"smp": {"VotingRule": "Binary", "PCEModel": "MarkovUniform"}}})


def _instance(model: Model | type[Model]) -> Model:
    return model() if isinstance(model, type) else model


def _fresh(model: Model) -> Model:
    """A new instance with the same parameters (a model must not keep state between runs)."""
    return type(model)(**model.get_params())


def _on_scale(scenario: Scenario, forecast: np.ndarray) -> bool:
    inputs = scenario.inputs()
    return bool(np.all((forecast >= inputs.scale_min) & (forecast <= inputs.scale_max)))


def _accepted(model: Model) -> Iterator[tuple[str, Scenario]]:
    for label, scenario in SCENARIOS.items():
        if not model.check(scenario.inputs()):
            yield label, scenario


# -- the checks ---------------------------------------------------------------------------------


def check_protocol(model: Model) -> None:
    """A :class:`~accord.models.Model` with a name, a one-line summary, pydantic ``Params`` whose
    defaults are stable, declared requirements of the right types, and a well-formed result."""
    assert isinstance(model, Model), (f"{type(model).__name__} is not an accord.models.Model: subclass it and "
                                      "define `solve`")
    cls = type(model)
    assert isinstance(getattr(cls, "name", None), str) and cls.name, f"{cls.__name__} has no `name`"
    assert isinstance(getattr(cls, "summary", None), str) and cls.summary.strip(), (
        f"model {cls.name} has no `summary` (one line: what it computes and from which paper)")
    assert isinstance(cls.Params, type) and issubclass(cls.Params, BaseModel), (
        f"model {cls.name}: `Params` must be a pydantic BaseModel")
    assert cls().get_params() == cls().get_params(), f"model {cls.name}: default parameters change between instances"
    assert _fresh(model).get_params() == model.get_params(), (
        f"model {cls.name}: a model rebuilt from get_params() has other parameters")
    for attr in ("min_issues", "min_actors"):
        value = getattr(cls, attr)
        assert isinstance(value, int) and value >= 1, f"model {cls.name}: `{attr}` must be an integer >= 1"
    for attr in ("has_rounds", "needs_all_stances", "needs_salience_shares", "needs_one_capability",
                 "needs_positive_weights"):
        assert isinstance(getattr(cls, attr), bool), f"model {cls.name}: `{attr}` must be True or False"
    assert not [m for m in FINAL if m in vars(cls)], f"model {cls.name} overrides {FINAL}: define `solve` only"
    result = model.run(SMALL, seed=1)
    inputs = SMALL.inputs()
    assert isinstance(result, Result), f"model {cls.name}: solve returns {type(result).__name__}, not a Result"
    assert result.model == cls.name and result.seed == 1, f"model {cls.name}: run does not label its result"
    assert result.actors == inputs.actors and result.issues == inputs.issues, (
        f"model {cls.name}: the result's actors and issues are not the inputs' (in their order)")
    assert result.forecast.shape == (2,), f"model {cls.name}: forecast of shape {result.forecast.shape}, not (issues,)"
    assert result.positions.ndim == 3 and result.positions.shape[1:] == (4, 2), (
        f"model {cls.name}: positions of shape {result.positions.shape}, not (rounds + 1, actors, issues)")
    if not cls.has_rounds:
        assert result.n_rounds == 0, (f"model {cls.name} has {result.n_rounds} rounds but declares has_rounds = "
                                      "False")


def check_deterministic_for_a_seed(model: Model) -> None:
    """Equal seeds give identical results, to the last bit of the JSON."""
    a, b = (json.dumps(_fresh(model).run(SMALL, seed=7).to_json()) for _ in range(2))
    assert a == b, f"model {model.name}: two runs with seed 7 differ; draw every random choice from `rng`"


def check_run_equals_solve(model: Model) -> None:
    """``run`` on a scenario with model settings gives what ``solve`` gives on its inputs (as
    Monte Carlo, roles and sensitivity call it), on a fresh instance."""
    ran = model.run(WITH_SETTINGS, seed=3)
    solved = _fresh(model).solve(WITH_SETTINGS.inputs(), np.random.default_rng(3))
    np.testing.assert_array_equal(ran.forecast, solved.forecast,
                                  err_msg=f"model {model.name}: run and solve give different forecasts")
    np.testing.assert_array_equal(ran.positions, solved.positions,
                                  err_msg=f"model {model.name}: run and solve give different positions")


def check_forecasts_on_the_scale(model: Model) -> None:
    """Every forecast lies on its issue's scale, whatever the scale."""
    for label, scenario in _accepted(model):
        forecast = model.run(scenario, seed=0).forecast
        inputs = scenario.inputs()
        assert _on_scale(scenario, forecast), (
            f"model {model.name} forecasts {forecast.tolist()} on scenario '{label}', off the scales "
            f"{list(zip(inputs.scale_min.tolist(), inputs.scale_max.tolist()))}")


def check_round_zero_is_the_inputs(model: Model) -> None:
    """``positions[0]`` holds the inputs; an actor absent from an issue stays absent (NaN) in every round."""
    for label, scenario in _accepted(model):
        result = model.run(scenario, seed=0)
        inputs = scenario.inputs()
        np.testing.assert_array_equal(result.positions[0], inputs.position,
                                      err_msg=f"model {model.name}: positions[0] are not the inputs on '{label}'")
        absent = np.broadcast_to(~inputs.present, result.positions.shape)
        assert np.isnan(result.positions[absent]).all(), (
            f"model {model.name} gives positions to actors absent from an issue on '{label}'")


def check_actor_order_does_not_matter(model: Model) -> None:
    """The forecast does not depend on the order in which the scenario lists its actors."""
    base = model.run(SMALL, seed=0).forecast
    for order in ([3, 2, 1, 0], [1, 3, 0, 2]):
        data = SMALL.canonical()
        data["actors"] = [data["actors"][k] for k in order]
        got = _fresh(model).run(Scenario.model_validate(data), seed=0).forecast
        np.testing.assert_allclose(got, base, rtol=1e-12, err_msg=f"model {model.name}: listing the actors in the "
                                   f"order {order} changes the forecast")


def check_bad_parameters_refused_by_name(model: Model) -> None:
    """An unknown parameter is a UsageError that names it and lists the model's parameters."""
    try:
        type(model)(no_such_parameter=1)
    except UsageError as exc:
        assert "unknown parameter `no_such_parameter`" in str(exc), (
            f"model {model.name}: the error for an unknown parameter does not name it: {exc}")
    else:
        raise AssertionError(f"model {model.name} accepts an unknown parameter `no_such_parameter`: its Params "
                             "must forbid extra fields (model_config = ConfigDict(extra='forbid'))")


def check_batched_equals_unbatched(model: Model) -> None:
    """Where the model has a batched form (``solve_batch``), it gives what solving each sample does."""
    draws = sample_inputs(SMALL, 8, seed=0)
    base = SMALL.inputs()
    batched = model.solve_batch(base, draws)
    if batched is None:
        return
    one_by_one = np.array([model.solve(draws.inputs(base, j), np.random.default_rng(
        np.random.SeedSequence(0, spawn_key=(j,)))).forecast for j in range(8)])
    assert np.shape(batched) == one_by_one.shape, (f"model {model.name}: solve_batch returns shape "
                                                   f"{np.shape(batched)}, not (samples, issues) {one_by_one.shape}")
    np.testing.assert_allclose(batched, one_by_one, rtol=1e-12, atol=1e-9,
                               err_msg=f"model {model.name}: solve_batch differs from solving sample by sample")
    if model.exact_batch:  # declared exact: designs are solved in one batch (accord.experiment.solve_all)
        np.testing.assert_array_equal(batched, one_by_one, err_msg=f"model {model.name} declares exact_batch, "
                                      "but solve_batch differs from solving sample by sample in the last bits")


def check_monte_carlo_runs(model: Model) -> None:
    """Monte Carlo over the evidence (:func:`accord.uncertainty.monte_carlo`) gives a forecast on
    the scale for every sample."""
    draws = sample_inputs(SMALL, 12, seed=1)
    out = monte_carlo(model, SMALL, draws, seed=1)
    assert out.shape == (12, 2), f"model {model.name}: Monte Carlo gives shape {out.shape}, not (12, 2)"
    assert np.isfinite(out).all() and _on_scale(SMALL, out), (
        f"model {model.name}: Monte Carlo forecasts not finite or off the scale: {out.tolist()}")


def check_roles_run(model: Model) -> None:
    """Roles (:func:`accord.roles.measure`: the run and one without each actor) are measured."""
    measures = measure(model, SMALL.inputs(), seed=0)
    for role, scores in measures.scores.items():
        assert scores.shape == (4, 2), f"model {model.name}: role {role} scores of shape {scores.shape}, not (4, 2)"


def check_requirements_agree_with_solve(model: Model) -> None:
    """``check`` refuses exactly what the model cannot take: ``run`` refuses what it refuses, with
    its reasons; on what it accepts, ``solve`` raises neither NotApplicable nor anything else."""
    for label, scenario in SCENARIOS.items():
        inputs = scenario.inputs()
        reasons = model.check(inputs)
        assert isinstance(reasons, list) and all(isinstance(r, str) and r for r in reasons), (
            f"model {model.name}: check() must return a list of reasons (strings), got {reasons!r}")
        if reasons:
            try:
                model.run(scenario, seed=0)
            except NotApplicable as exc:
                assert str(exc) == refusal(model.name, reasons), (
                    f"model {model.name} refuses '{label}' with {exc}, not with check()'s reasons {reasons}")
            else:
                raise AssertionError(f"model {model.name} runs '{label}' although check() refuses it: {reasons}")
            continue
        try:
            with np.errstate(all="ignore"):
                model.solve(inputs, np.random.default_rng(0))
        except NotApplicable as exc:
            raise AssertionError(f"model {model.name}: check() accepts scenario '{label}', but solve refuses it "
                                 f"({exc}); declare the requirement (min_issues, min_actors, needs_all_stances, "
                                 "needs_salience_shares, needs_one_capability, needs_positive_weights) or extend "
                                 "check()") from None
        except Exception as exc:
            raise AssertionError(f"model {model.name}: check() accepts scenario '{label}', but solve fails with "
                                 f"{type(exc).__name__}: {exc}; declare what the model cannot take") from exc


def _run_elsewhere(model: Model, scenario: Scenario, seed: int) -> np.ndarray:
    return model.run(scenario, seed=seed).forecast


@cache
def _fresh_worker() -> ProcessPoolExecutor:
    # "spawn": a new interpreter that must import the model's module itself, as a worker of
    # `--workers`, a Dask cluster or a later Python's default start method does.
    pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    atexit.register(pool.shutdown)
    return pool


def check_works_in_a_fresh_worker_process(model: Model) -> None:
    """The model, pickled, runs in a new worker process and forecasts there what it forecasts here."""
    try:
        pickle.loads(pickle.dumps(model))
    except Exception as exc:
        raise AssertionError(f"model {model.name} cannot be sent to a worker process ({type(exc).__name__}: "
                             f"{exc}); define its class at the top level of an importable module") from None
    try:
        there = _fresh_worker().submit(_run_elsewhere, model, SMALL, 5).result(timeout=300)
    except Exception as exc:
        if isinstance(exc, BrokenProcessPool):  # the worker died (a model that crashes the interpreter): a new one
            _fresh_worker.cache_clear()
        raise AssertionError(f"model {model.name} fails in a fresh worker process ({type(exc).__name__}: {exc}); "
                             f"its module {type(model).__module__} must be importable there") from None
    np.testing.assert_array_equal(there, model.run(SMALL, seed=5).forecast,
                                  err_msg=f"model {model.name} forecasts otherwise in a worker process")


def check_json_contract(model: Model) -> None:
    """The run's JSON contract entry is strict JSON, and :meth:`Result.from_json` reads it back whole."""
    result = model.run(SMALL, seed=2)
    try:
        text = json.dumps(result.to_json(), allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise AssertionError(f"model {model.name}: its run is not strict JSON ({exc}); tables hold numbers, "
                             "strings, booleans or None") from None
    doc = json.loads(text)
    assert list(doc)[:7] == ["model", "params", "seed", "forecast", "rounds", "summary", "tables"], list(doc)
    assert [f["issue"] for f in doc["forecast"]] == ["i0", "i1"]
    assert all(set(r) == {"round", "issue", "actor", "position"} for r in doc["rounds"])
    assert all(set(s) == {"round", "issue", "mean", "median"} for s in doc["summary"])
    first = {s["issue"]: s for s in doc["summary"] if s["round"] == 0}
    inputs = SMALL.inputs()
    np.testing.assert_allclose([first[i]["mean"] for i in inputs.issues], result.summary_arrays()[0][0])
    assert len([r for r in doc["rounds"] if r["round"] == 0]) == 8, "round 0 must list every stance"
    back = Result.from_json(doc, SMALL)
    assert json.dumps(back.to_json(), allow_nan=False) == text, (
        f"model {model.name}: Result.from_json(run.to_json()) does not give the same run back")


CHECKS: tuple[Check, ...] = (
    check_protocol,
    check_deterministic_for_a_seed,
    check_run_equals_solve,
    check_forecasts_on_the_scale,
    check_round_zero_is_the_inputs,
    check_actor_order_does_not_matter,
    check_bad_parameters_refused_by_name,
    check_batched_equals_unbatched,
    check_monte_carlo_runs,
    check_roles_run,
    check_requirements_agree_with_solve,
    check_works_in_a_fresh_worker_process,
    check_json_contract,
)


def checks(model: Model | type[Model]) -> Iterator[Check]:
    """The checks a model must pass (every one of :data:`CHECKS`; the protocol first)."""
    yield from CHECKS


def check_model(model: Model | type[Model]) -> None:
    """Run every check on the model (a class, run with its defaults, or an instance); raise one
    ``AssertionError`` listing each check that fails and why. Returns None when all pass."""
    instance = _instance(model)
    failures = []
    for check in checks(instance):
        try:
            check(instance)
        except AssertionError as exc:
            failures.append(f"{check.__name__}: {exc}")
        except Exception as exc:  # a model that fails outright fails the check
            failures.append(f"{check.__name__}: {type(exc).__name__}: {exc}")
        if failures and check is check_protocol:
            break  # not a model: the other checks would only repeat it
    if failures:
        label = getattr(type(instance), "name", type(instance).__name__)
        raise AssertionError(f"model {label} fails {len(failures)} check{'s' if len(failures) > 1 else ''} of the "
                             "model contract:\n" + "\n".join(f"- {f}" for f in failures))


def parametrize_with_checks(models: Iterable[Model | type[Model] | str] | Mapping[str, type[Model]]) -> Any:
    """A ``pytest.mark.parametrize`` decorator giving a test ``(model, check)`` for every model and
    check, identified as ``name-check``; the test calls ``check(model)``. Models: classes (run
    with their defaults), instances, names, or :func:`accord.models.registry`'s mapping."""
    import pytest

    items = models.values() if isinstance(models, Mapping) else models
    instances = [get_model(m)() if isinstance(m, str) else _instance(m) for m in items]
    cases = [(m, check) for m in instances for check in checks(m)]
    ids = [f"{m.name}-{check.__name__.removeprefix('check_')}" for m, check in cases]
    return pytest.mark.parametrize(("model", "check"), cases, ids=ids)
