"""accord in a notebook: one function per task, each taking a scenario and returning labelled results.

:func:`forecast`, :func:`monte_carlo`, :func:`roles` and :func:`bottom_line` do what the
commands ``accord forecast``, ``accord forecast --samples``, ``accord roles`` and the bottom
line of ``accord forecast`` do, with the same models, seeds and numbers, but return objects
with pandas tables (issues, actors and models as labels) and a compact HTML table in Jupyter.
A scenario is a :class:`~accord.scenario.Scenario` (e.g. from :func:`accord.from_arrays`) or
the path of a scenario file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .bottomline import SLOW, STEP, IssueBottomLine, local_sensitivity, status_quo
from .bottomline import bottom_line as _bottom_line
from .experiment import add_uncertainty
from .io import read_scenario
from .models import Result
from .role_analysis import DEFAULT_MODEL, SAMPLES, RoleAnalysis, analyse
from .runner import run_forecast
from .scenario import Scenario

ScenarioLike = Scenario | str | os.PathLike


def _scenario(scenario: ScenarioLike) -> Scenario:
    return scenario if isinstance(scenario, Scenario) else read_scenario(scenario).scenario


def _html(title: str, frame: pd.DataFrame, notes: Sequence[str] = (), index: bool = False) -> str:
    """A heading line, a table with numbers to four significant digits, and notes: what Jupyter shows."""
    table = frame.to_html(index=index, float_format=lambda x: f"{x:.4g}", na_rep="", border=0,
                          classes="accord", escape=True)
    from html import escape

    lines = "".join(f"<li>{escape(n)}</li>" for n in notes)
    return f"<div><p><b>{escape(title)}</b></p>{table}{f'<ul>{lines}</ul>' if lines else ''}</div>"


@dataclass
class Forecast:
    """Every chosen model's run on a scenario (``results``), and the models skipped with their reasons."""

    scenario: Scenario
    results: list[Result]
    skipped: list[dict[str, str]] = field(default_factory=list)

    def __getitem__(self, model: str) -> Result:
        for result in self.results:
            if result.model == model:
                return result
        raise KeyError(f"no run of model {model!r}; the runs are: {', '.join(self.models)}")

    @property
    def models(self) -> list[str]:
        return [r.model for r in self.results]

    def to_frame(self) -> pd.DataFrame:
        """One row per model and issue: the point forecast (``value``) and, with Monte Carlo, its quantiles."""
        frames = [r.forecast_frame().assign(model=r.model) for r in self.results]
        frame = pd.concat(frames, ignore_index=True)
        return frame[["model", "issue", *[c for c in frame.columns if c not in ("model", "issue")]]]

    def table(self) -> pd.DataFrame:
        """The point forecasts, issues x models."""
        table = self.to_frame().pivot(index="issue", columns="model", values="value")
        return table.reindex(index=list(self.scenario.issue_ids), columns=self.models)

    def __repr__(self) -> str:
        return f"<Forecast of {self.scenario.name}: issues x models>\n{self.table().round(4)}"

    def _repr_html_(self) -> str:
        notes = [f"{s['model']} skipped: {s['reason']}" for s in self.skipped]
        return _html(f"Forecast of {self.scenario.name}: issues x models", self.table(), notes, index=True)


def forecast(scenario: ScenarioLike, models: Sequence[str] | None = None, *,
             params: dict[str, dict[str, Any]] | None = None, seed: int | None = 0, samples: int = 0,
             correlate: str = "none") -> Forecast:
    """Forecast each issue under each model (``accord forecast``): by default every model that can
    take the scenario; ``params`` per model, e.g. ``{"eum": {"preset": "scholz-code"}}``. With
    ``samples``, Monte Carlo over the evidence adds each forecast's quantiles.

    >>> import accord
    >>> fc = accord.forecast("scenarios/korea-2018.yaml", ["mean", "median"])
    >>> fc.table().round(1)  # doctest: +NORMALIZE_WHITESPACE
    model           mean  median
    issue
    sanctions       44.7    61.7
    sequencing      52.6    50.0
    us_posture      63.5    76.7
    economic_links  55.4    60.0
    format          46.4    45.0
    """
    sc = _scenario(scenario)
    results, skipped = run_forecast(sc, models, params, seed)
    if samples:
        add_uncertainty(sc, results, samples, seed, correlate)
    return Forecast(sc, results, skipped)


@dataclass
class MonteCarlo:
    """Monte Carlo over the evidence: every model run on the same ``n`` draws of the scenario's numbers.

    ``samples`` has one row per sample, issue and model (a MultiIndex ``sample, issue, model``)
    and the column ``forecast``; :meth:`summary` gives the point forecast and the quantiles.
    """

    scenario: Scenario
    forecast: Forecast
    samples: pd.DataFrame
    seed: int | None
    correlate: str

    @property
    def n(self) -> int:
        return int(self.samples.index.get_level_values("sample").max()) + 1 if len(self.samples) else 0

    def summary(self) -> pd.DataFrame:
        """Per issue and model: the point forecast, the samples' median and quantiles q05 ... q95."""
        frame = self.forecast.to_frame().rename(columns={"value": "point"})
        return frame.set_index(["issue", "model"]).reindex(
            pd.MultiIndex.from_product([list(self.scenario.issue_ids), self.forecast.models],
                                       names=["issue", "model"]))

    def wide(self) -> pd.DataFrame:
        """The samples as a table: one row per sample, one column per (model, issue)."""
        return self.samples["forecast"].unstack(["model", "issue"])

    def __repr__(self) -> str:
        return (f"<MonteCarlo of {self.scenario.name}: {self.n} samples (seed {self.seed})>\n"
                f"{self.summary()[['point', 'q05', 'median', 'q95']].round(4)}")

    def _repr_html_(self) -> str:
        cols = ["point", "q05", "median", "q95"]
        return _html(f"Monte Carlo of {self.scenario.name}: {self.n} samples (seed {self.seed}); "
                     "the point forecast and the 5%, 50% and 95% quantiles", self.summary()[cols], index=True)


def monte_carlo(scenario: ScenarioLike, models: Sequence[str] | None = None, *, samples: int = 1000,
                seed: int | None = 0, correlate: str = "none",
                params: dict[str, dict[str, Any]] | None = None) -> MonteCarlo:
    """Draw ``samples`` versions of the scenario from its evidence and run every model on each
    (``accord forecast --samples``; :mod:`accord.uncertainty` says how inputs are drawn):
    labelled samples and a summary. ``correlate="source"`` makes each sample one source's reading.

    >>> import accord
    >>> mc = accord.monte_carlo("scenarios/korea-2018.yaml", ["mean"], samples=200, seed=1)
    >>> list(mc.samples.index.names), len(mc.samples)
    (['sample', 'issue', 'model'], 1000)
    >>> mc.summary().loc["sanctions", ["point", "q05", "median", "q95"]].round(1)  # doctest: +NORMALIZE_WHITESPACE
           point   q05  median   q95
    model
    mean    44.7  39.4    44.5  48.7
    """
    fc = forecast(scenario, models, params=params, seed=seed, samples=samples, correlate=correlate)
    issues, names = list(fc.scenario.issue_ids), fc.models
    draws = np.stack([r.uncertainty["forecasts"] for r in fc.results], axis=-1) if fc.results and samples \
        else np.empty((0, len(issues), len(names)))
    index = pd.MultiIndex.from_product([range(draws.shape[0]), issues, names], names=["sample", "issue", "model"])
    return MonteCarlo(fc.scenario, fc, pd.DataFrame({"forecast": draws.ravel()}, index=index), seed, correlate)


def roles(scenario: ScenarioLike, model: str = DEFAULT_MODEL, *, samples: int = SAMPLES, seed: int | None = 0,
          workers: int = 1) -> RoleAnalysis:
    """Who pivots, brokers, spoils, enables, follows, holds out or stands alone (``accord roles``):
    the roles that hold with their confidence over ``samples`` draws of the evidence, explained, and
    the roles the sources assert judged (:func:`accord.role_analysis.analyse`).

    >>> import accord
    >>> from accord.synthetic import planted
    >>> scenario, truth = planted(0, "broker")
    >>> found = accord.roles(scenario, samples=10)
    >>> truth["broker"], found.scores_frame().query("holds")[["actor", "role", "confidence"]].values.tolist()
    ({'A10'}, [['A10', 'pivot', 1.0], ['A10', 'broker', 0.4]])
    """
    return analyse(_scenario(scenario), model, samples, seed, workers=workers)


@dataclass
class BottomLine:
    """Per issue, the forecast to believe with its interval, where the models part, and warnings."""

    scenario: Scenario
    issues: list[IssueBottomLine]

    def __iter__(self) -> Iterator[IssueBottomLine]:
        return iter(self.issues)

    def __len__(self) -> int:
        return len(self.issues)

    def __getitem__(self, issue: str | int) -> IssueBottomLine:
        if isinstance(issue, int):
            return self.issues[issue]
        for line in self.issues:
            if line.issue == issue:
                return line
        raise KeyError(f"no issue {issue!r}; the issues are: {', '.join(b.issue for b in self.issues)}")

    def to_frame(self) -> pd.DataFrame:
        """One row per issue: the recommended forecast, its interval, the models' spread, agreement, locks."""
        return pd.DataFrame([{
            "issue": b.issue, "recommended": b.recommended, "low": b.low, "high": b.high,
            "lowest model": b.spread[0] if b.spread else None, "highest model": b.spread[1] if b.spread else None,
            "agree": b.agree,
            "locked by": "not analysed" if b.locked_by is None else ", ".join(b.locked_by) or "nobody",
            "basis": b.basis} for b in self.issues]).set_index("issue")

    def __repr__(self) -> str:
        return f"<BottomLine of {self.scenario.name}>\n{self.to_frame().drop(columns='basis').round(4)}"

    def _repr_html_(self) -> str:
        notes = [f"{b.issue}: {w}" for b in self.issues for w in b.warnings]
        return _html(f"Bottom line of {self.scenario.name}", self.to_frame(), notes, index=True)


def bottom_line(scenario: ScenarioLike | Forecast, models: Sequence[str] | None = None, *, seed: int | None = 0,
                stability: float = STEP, params: dict[str, dict[str, Any]] | None = None) -> BottomLine:
    """The bottom line of a forecast, as ``accord forecast`` ends with it (:mod:`accord.bottomline`):
    of a :class:`Forecast` already made, or of a new one of the scenario. ``stability`` moves each
    position by that share of the scale to flag unstable forecasts (0 leaves the check out); who locks
    an issue at its status quo, or bounds it, comes from its decision rule (:func:`accord.bottomline.status_quo`).

    >>> import accord
    >>> line = accord.bottom_line("scenarios/korea-2018.yaml", ["accord", "mean", "nash"], stability=0)
    >>> sanctions = line["sanctions"]
    >>> sanctions.recommended, sanctions.locked_by  # locked at the status quo by a veto player
    (20.0, ('USA',))
    >>> [round(v, 1) for v in sanctions.unconstrained]  # the models' forecast if the lock breaks
    [44.7, 5.8, 83.6]
    """
    fc = scenario if isinstance(scenario, Forecast) else forecast(scenario, models, params=params, seed=seed)
    sc = fc.scenario
    shifts = local_sensitivity(sc, fc.results, stability, seed) if stability else []
    unchecked = sorted(SLOW) if stability else [r.model for r in fc.results]
    return BottomLine(sc, _bottom_line(sc, [r.to_json() for r in fc.results], shifts, status_quo, unchecked))
