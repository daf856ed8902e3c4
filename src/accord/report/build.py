"""Everything a report shows, computed once by the existing analyses (:func:`build`)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TypeVar

from .. import __version__
from ..advice import Advice
from ..advice import advise as advice_for
from ..bottomline import SLOW, Institutional, IssueBottomLine, bottom_line, local_sensitivity, status_quo
from ..errors import AccordError
from ..experiment import Progress
from ..models import Result, get_model
from ..perspectives import Perspectives, claims_by_source, perspectives
from ..role_analysis import DEFAULT_MODEL as ROLE_MODEL
from ..role_analysis import SAMPLES as ROLE_SAMPLES
from ..role_analysis import RoleAnalysis, analyse
from ..runner import add_uncertainty, run_chosen
from ..scenario import Scenario
from ..sensitivity import Tornado, tornado
from ..views import main_result
from .network import Network, network

TORNADO_TOP = 8  # inputs shown per issue

T = TypeVar("T")


@dataclass
class Report:
    """A scenario with its runs and analyses; ``missing`` says, per section, why it could not be produced."""

    scenario: Scenario
    results: list[Result]
    skipped: list[dict[str, str]]
    seed: int | None
    samples: int
    role_samples: int
    command: str
    created: datetime | None
    version: str
    main: Result
    trajectory: Result | None = None
    roles: RoleAnalysis | None = None
    perspectives: Perspectives | None = None
    tornado: Tornado | None = None
    network: Network | None = None
    bottom_line: list[IssueBottomLine] | None = None
    advice: list[Advice] = field(default_factory=list)  # the actors advised (accord.advice), if any
    missing: dict[str, str] = field(default_factory=dict)

    @property
    def models(self) -> list[str]:
        return [r.model for r in self.results]


def build(scenario: Scenario, *, models: Sequence[str] | None = None, params: dict[str, dict[str, Any]] | None = None,
          samples: int = 0, seed: int | None = 0, role_samples: int = ROLE_SAMPLES, correlate: str = "none",
          command: str | None = None, created: datetime | None = None, workers: int = 1,
          scheduler: str | None = None, progress: Callable[[str], Progress | None] | None = None,
          institutions: Institutional | None = None, advise: Sequence[str] = ()) -> Report:
    """Run the models (every applicable one by default), Monte Carlo with ``samples`` > 0, and every analysis.

    ``created`` is the time printed in the header (default: now, UTC); pass a fixed time for
    byte-identical output. ``command`` is the command line printed for reproduction. Every
    analysis runs on ``workers`` local processes or a Dask ``scheduler`` (the same results
    whatever runs them); ``progress(stage)`` gives each stage's ``progress(done, total)``
    callback (:func:`accord.execution.stage_bars`). ``institutions`` (default:
    :func:`accord.bottomline.status_quo`) gives each issue's status quo under its decision rule,
    which locks or bounds the bottom line's recommendation (:func:`accord.bottomline.bottom_line`).
    ``advise``: actors to advise (:func:`accord.advice.advise`, its default models, ``samples``
    draws or 100).
    """
    params = params or {}
    stage = progress or (lambda label: None)
    run = {"workers": workers, "scheduler": scheduler}
    results, skipped = run_chosen(scenario, list(models) if models else None, params, seed)
    if samples:
        add_uncertainty(scenario, results, samples, seed, correlate, progress=stage(f"{samples:,} samples"), **run)
    main = main_result(results)
    report = Report(scenario, results, skipped, seed, samples, role_samples,
                    command or _call(models, samples, seed), created or datetime.now(timezone.utc), __version__, main)
    report.trajectory = next((r for r in [main, *results] if r.n_rounds > 0), None)
    if report.trajectory is None:
        report.missing["trajectories"] = (f"None of the models run ({', '.join(report.models)}) has rounds: "
                                          "trajectories need eum, smp, exchange or influence.")
    report.roles = _attempt(report, "roles", lambda: analyse(
        scenario, get_model(ROLE_MODEL)(**params.get(ROLE_MODEL, {})), role_samples, seed, progress=stage("roles"),
        **run))
    readings = [s for s, n in claims_by_source(scenario).items() if n]
    if len(readings) > 1:
        report.perspectives = _attempt(report, "perspectives", lambda: perspectives(
            scenario, report.models, params, seed, progress=stage("readings"), **run))
    else:
        report.missing["perspectives"] = (
            f"The scenario's claims come from {_sources(readings)}: perspectives set one source's reading beside "
            "another's, so they need claims from at least two sources.")
    report.tornado = _attempt(report, "sensitivity", lambda: tornado(
        get_model(main.model)(**params.get(main.model, {})), scenario, seed, progress=stage("tornado"), **run))
    report.network = _attempt(report, "network", lambda: network(scenario, results))
    report.bottom_line = _attempt(report, "bottom line", lambda: bottom_line(
        scenario, [r.to_json() for r in results],
        local_sensitivity(scenario, results, seed=seed, progress=stage("stability"), **run),
        status_quo if institutions is None else institutions, sorted(SLOW)))
    for actor in advise:
        found = _attempt(report, f"advice for {actor}", functools.partial(
            advice_for, scenario, actor, samples=samples or 100, seed=seed, progress=stage(f"advice for {actor}"),
            **run))
        if found is not None:
            report.advice.append(found)
    return report


def _attempt(report: Report, section: str, compute: Callable[[], T]) -> T | None:
    """The analysis, or None with the reason recorded when it cannot be made for this scenario."""
    try:
        return compute()
    except (AccordError, ValueError) as exc:
        report.missing[section] = f"This section could not be produced: {exc}"
        return None


def _sources(readings: list[str]) -> str:
    if not readings:
        return "no source (every value rests on an assumption)"
    return f"one source only ({readings[0]})"


def _call(models: Sequence[str] | None, samples: int, seed: int | None) -> str:
    return f"accord.report.build(scenario, models={list(models) if models else None}, samples={samples}, seed={seed})"
