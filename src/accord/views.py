"""View models: what the terminal, the report and the dashboard show, built once from results.

Plain dataclasses of numbers and words, no layout: :mod:`accord.render` prints them as tables
in the terminal, :mod:`accord.report` writes them as HTML or Markdown, the dashboard's templates
as HTML. A run read back from its JSON document (:func:`run_view`) gives the same view as the
:class:`~accord.models.Result` it was made from (:func:`result_view`), so a stored run shows as
it did when it was made.

Where a front end needs to know something of one model (which model the report leads with,
which the dashboard ticks, which table records who challenged whom), it asks
:func:`model_view`: one table, :data:`MODEL_VIEWS`, with a generic answer for every other
model, so that a model added as a plug-in shows everywhere with no change here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .checks import find_text
from .models import Result, applicable, registry
from .result import records
from .scenario import Issue, Scenario

if TYPE_CHECKING:
    import pandas as pd  # imported where a table is built: start-up need not pay for it

# -- words and marks ---------------------------------------------------------------------------


def reading(issue: Issue, value: float | None) -> str:
    """The issue's labelled anchor nearest to a value, in words.

    >>> import accord
    >>> issue = accord.read_scenario("scenarios/korea-2018.yaml").scenario.issue("sanctions")
    >>> reading(issue, 48.0)
    '≈ sanctions kept but eased step by step in return for DPRK steps (50)'
    >>> reading(issue, None)
    'no forecast'
    """
    if value is None:
        return "no forecast"
    if not issue.scale.anchors:
        return ""
    near = min(issue.scale.anchors, key=lambda a: abs(a.value - value))
    close = abs(near.value - value) <= 0.1 * (issue.scale.max - issue.scale.min)
    return f"{'≈' if close else 'nearest:'} {near.label} ({near.value:g})"


def grouped_notes(notes: Sequence[str]) -> list[str]:
    """Notes of the form "issue: text" that say the same for several issues, as one line.

    >>> grouped_notes(["a: no rounds", "b: no rounds", "converged"])
    ['a, b: no rounds', 'converged']
    """
    issues_by_text: dict[str, list[str]] = {}
    for note in notes:
        issue, sep, text = note.partition(": ")
        key = text if sep else note
        issues_by_text.setdefault(key, []).append(issue if sep else "")
    return [f"{', '.join(i for i in issues if i)}: {text}" if any(issues) else text
            for text, issues in issues_by_text.items()]


def histogram(values: np.ndarray, lo: float, hi: float, bins: int = 20) -> str:
    """A one-line text histogram of values over [lo, hi] (NaN left out), the fullest bin a full block.

    >>> histogram(np.array([1.0, 1.0, 9.0, np.nan]), 0, 10, bins=5)
    '█   ▄'
    """
    counts, _ = np.histogram(values[~np.isnan(values)], bins=bins, range=(lo, hi))
    blocks = " ▁▂▃▄▅▆▇█"
    top = counts.max() or 1
    return "".join(blocks[int(round(8 * c / top))] if c else " " for c in counts)


# -- runs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunView:
    """What every view needs of one model's run, whether fresh or read back from the store.

    ``forecast`` maps an issue to its forecast ``value`` and, with Monte Carlo, the ``median``
    and quantiles of the samples; ``draws`` are the samples' forecasts (samples x issues) when
    they are at hand (a stored run keeps only their summary).
    """

    model: str
    forecast: dict[str, dict[str, float | None]]
    rounds: int
    notes: tuple[str, ...] = ()
    overrides: tuple[dict[str, Any], ...] = ()
    run_id: str | None = None
    draws: np.ndarray | None = None


def run_view(entry: dict[str, Any], draws: np.ndarray | None = None) -> RunView:
    """The view of a run from its JSON entry (``doc["runs"][k]``; see :mod:`accord.runner`).

    >>> import accord
    >>> sc = accord.read_scenario("scenarios/korea-2018.yaml").scenario
    >>> view = run_view(accord.get_model("mean")().run(sc).to_json())
    >>> view.model, view.rounds, round(view.forecast["sanctions"]["value"], 2)
    ('mean', 0, 44.7)
    """
    forecast = {row["issue"]: {k: v for k, v in row.items() if k != "issue"} for row in entry["forecast"]}
    rounds = max((r["round"] for r in entry.get("summary", [])), default=0)
    return RunView(entry["model"], forecast, rounds, tuple(entry.get("notes", [])),
                   tuple(entry.get("overrides", [])), entry.get("run_id"), draws)


def result_view(result: Result, run_id: str | None = None) -> RunView:
    """The view of a fresh result; its Monte Carlo draws, if any, come with it.

    >>> import accord
    >>> sc = accord.read_scenario("scenarios/korea-2018.yaml").scenario
    >>> result_view(accord.get_model("eum")().run(sc)).rounds
    5
    """
    forecast = {row["issue"]: {k: v for k, v in row.items() if k != "issue"}
                for row in records(result.forecast_frame())}
    unc = result.uncertainty or {}
    return RunView(result.model, forecast, result.n_rounds, tuple(result.notes), tuple(unc.get("overrides") or ()),
                   run_id, unc.get("forecasts"))


def draws_of(results: Sequence[Result]) -> list[np.ndarray | None]:
    """Each result's Monte Carlo forecasts (samples x issues), None for a result without.

    >>> import accord
    >>> sc = accord.read_scenario("scenarios/korea-2018.yaml").scenario
    >>> draws_of(accord.runner.run_models(sc, ["mean"]))
    [None]
    """
    return [r.uncertainty["forecasts"] if r.uncertainty else None for r in results]


# -- forecasts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelForecast:
    """One model's forecast of one issue: the point, and over Monte Carlo samples the median,
    the 5% and 95% quantiles and a text histogram (when the samples are at hand)."""

    model: str
    value: float | None
    rounds: int
    reading: str
    median: float | None = None
    q05: float | None = None
    q95: float | None = None
    histogram: str = ""
    run_id: str | None = None
    row: int = 0  # the run's place among the runs shown


@dataclass(frozen=True)
class IssueForecasts:
    """An issue with every model's forecast of it (the issue's scale and reference point on ``issue``)."""

    issue: Issue
    models: list[ModelForecast]

    @property
    def label(self) -> str:
        return self.issue.label or self.issue.id


def forecast_table(scenario: Scenario, runs: Sequence[RunView]) -> list[IssueForecasts]:
    """Per issue of the scenario, in its order, each run's forecast, in the runs' order.

    >>> import accord
    >>> sc = accord.read_scenario("scenarios/korea-2018.yaml").scenario
    >>> table = forecast_table(sc, [result_view(r) for r in accord.runner.run_models(sc, ["mean", "median"])])
    >>> table[0].label, [(m.model, round(m.value, 1)) for m in table[0].models]
    ('UN sanctions on the DPRK', [('mean', 44.7), ('median', 61.7)])
    """
    out = []
    for i, issue in enumerate(scenario.issues):
        models = []
        for k, run in enumerate(runs):
            row = run.forecast.get(issue.id, {})
            value = row.get("value")
            marks = ""
            if run.draws is not None:
                marks = histogram(run.draws[:, i], issue.scale.min, issue.scale.max)
            elif "histogram" in row:  # a run stored before the histogram left the JSON document
                marks = str(row["histogram"])
            models.append(ModelForecast(run.model, value, run.rounds, reading(issue, value), row.get("median"),
                                        row.get("q05"), row.get("q95"), marks, run.run_id, k))
        out.append(IssueForecasts(issue, models))
    return out


def run_notes(runs: Sequence[RunView]) -> list[tuple[str, str]]:
    """(model, note) of every run, notes that say the same for several issues grouped.

    >>> run_notes([RunView("eum", {}, 5, ("a: stops early", "b: stops early"))])
    [('eum', 'a, b: stops early')]
    """
    return [(run.model, note) for run in runs for note in grouped_notes(run.notes)]


def what_ifs(runs: Sequence[RunView]) -> list[dict[str, Any]]:
    """The inputs set over their claims (see :func:`accord.uncertainty.overrides`), from the first
    run that lists them: every run of one scenario lists the same.

    >>> what_ifs([RunView("mean", {}, 0)])
    []
    """
    return list(next((run.overrides for run in runs if run.overrides), ()))


# -- models: the one place where a view depends on which model ran ------------------------------


@dataclass(frozen=True)
class ModelView:
    """How the front ends speak of a model; the defaults serve any model not in :data:`MODEL_VIEWS`.

    ``about``: the model in a few words, for a sentence such as "measured on the run of influence
    (...)". ``recommended``: why it leads the report when it runs (empty: it leads only when it
    runs first). ``ticked``: chosen by default on the dashboard. ``challenges``: the pairs
    (challenger, challenged) its result records, and what they mean, for the actors' network.
    """

    about: str = "the model"
    recommended: str = ""
    ticked: bool = False
    challenges: Callable[[Result], pd.DataFrame | None] | None = None
    challenge_meaning: str = ""


def _accepted_demands(result: Result) -> pd.DataFrame | None:
    if "offers" not in result.tables:
        return None
    offers = result.table_frame("offers")
    return offers.loc[offers["accepted"].astype(bool), ["other", "actor"]]


def _challenges(result: Result) -> pd.DataFrame | None:
    return result.table_frame("challenges")[["initiator", "target"]] if "challenges" in result.tables else None


MODEL_VIEWS: dict[str, ModelView] = {
    "accord": ModelView(recommended="the recommended forecaster: the compromise model with intervals calibrated on "
                                    "EU negotiations", ticked=True),
    "influence": ModelView("the social influence model (Friedkin & Johnsen 1990, with bounded confidence)"),
    "eum": ModelView(
        "the expected utility model", ticked=True, challenges=_accepted_demands,
        challenge_meaning="accepted demands in the expected utility model's run, from the actor making the demand to "
                          "the actor giving way, over all rounds and issues"),
    "smp": ModelView("KTAB's spatial model of politics", challenges=_challenges,
                     challenge_meaning="challenges in the spatial model's run, from initiator to target, over all "
                                       "turns"),
    "exchange": ModelView("the exchange model"),
}


def model_view(name: str) -> ModelView:
    """What the front ends say of a model (a generic view for a model not in :data:`MODEL_VIEWS`).

    >>> model_view("eum").about, model_view("a-plug-in").about
    ('the expected utility model', 'the model')
    """
    return MODEL_VIEWS.get(name, ModelView())


def main_result(results: Sequence[Result]) -> Result:
    """The result a report leads with: the recommended model's when it ran, else the first.

    >>> import accord
    >>> sc = accord.read_scenario("scenarios/korea-2018.yaml").scenario
    >>> main_result(accord.runner.run_models(sc, ["mean", "accord"])).model
    'accord'
    """
    return next((r for r in results if model_view(r.model).recommended), results[0])


def challenge_pairs(results: Sequence[Result]) -> tuple[pd.DataFrame | None, str | None, str]:
    """(pairs challenger -> challenged, model, what they mean) from the first result whose model
    records challenges, or (None, None, why there are none).

    >>> import accord
    >>> sc = accord.read_scenario("scenarios/korea-2018.yaml").scenario
    >>> pairs, model, _ = challenge_pairs(accord.runner.run_models(sc, ["mean", "smp"]))
    >>> model, list(pairs.columns)
    ('smp', ['initiator', 'target'])
    """
    for result in results:
        view = model_view(result.model)
        pairs = view.challenges(result) if view.challenges is not None else None
        if pairs is not None:
            return pairs, result.model, view.challenge_meaning
    recorders = [name for name, view in MODEL_VIEWS.items() if view.challenges is not None]
    return None, None, f"none of the models run records challenges ({' and '.join(recorders)} do)"


@dataclass(frozen=True)
class ModelChoice:
    """A registered model offered for a scenario: ``why`` it cannot take it (None if it can), and
    whether it is ticked by default."""

    name: str
    why: str | None
    ticked: bool


def applicable_models(scenario: Scenario) -> list[ModelChoice]:
    """Every registered model, with why it cannot take the scenario (None if it can), from the
    models' declared requirements (:meth:`accord.models.Model.check`): nothing is solved.

    >>> import accord
    >>> sc = accord.read_scenario("scenarios/korea-2018.yaml").scenario
    >>> [(m.name, m.why, m.ticked) for m in applicable_models(sc)][:2]
    [('mean', None, False), ('median', None, False)]
    """
    reasons = applicable(registry(), scenario)
    return [ModelChoice(name, why, why is None and model_view(name).ticked) for name, why in reasons.items()]


# -- roles -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleRow:
    """A role that holds: the actor, the issue and the actor it is played towards (``other``:
    the patron followed or the actor backed), with their names; its score and confidence."""

    actor: str
    actor_name: str
    role: str
    issue: str
    issue_label: str
    score: float
    confidence: float | None
    other: str | None
    other_name: str
    explanation: str


def roles_table(scenario: Scenario, roles: Sequence[dict[str, Any]]) -> list[RoleRow]:
    """The roles that hold (``RoleAnalysis.roles``) as rows, with the scenario's names.

    >>> import accord
    >>> from accord.role_analysis import analyse
    >>> sc = accord.read_scenario("scenarios/korea-2018.yaml").scenario
    >>> row = roles_table(sc, analyse(sc, samples=0).roles)[0]
    >>> row.actor_name, row.role, row.issue_label
    ('United States', 'pivot', 'UN sanctions on the DPRK')
    """
    names = {a.id: a.name or a.id for a in scenario.actors}
    labels = {i.id: i.label or i.id for i in scenario.issues}
    return [RoleRow(r["actor"], names.get(r["actor"], r["actor"]), r["role"], r["issue"],
                    labels.get(r["issue"], r["issue"]), r["score"], r["confidence"], r["other"],
                    names.get(r["other"], r["other"] or ""), r["explanation"]) for r in roles]


# -- perspectives ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PerspectiveRow:
    """One model's forecasts of one issue under each reading (by name), and their spread."""

    issue: str
    model: str
    values: dict[str, float]
    spread: float


def perspective_table(forecasts: pd.DataFrame) -> tuple[list[str], list[PerspectiveRow]]:
    """The readings, and per issue and model (in the order run) the forecast under each reading.

    ``forecasts``: ``Perspectives.forecasts`` (reading, model, issue, value).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"reading": ["consensus", "a", "consensus", "a"], "model": ["mean"] * 4,
    ...                       "issue": ["x", "x", "y", "y"], "value": [40.0, 55.0, 10.0, 10.0]})
    >>> readings, rows = perspective_table(frame)
    >>> readings, rows[0].values, rows[0].spread
    (['consensus', 'a'], {'consensus': 40.0, 'a': 55.0}, 15.0)
    """
    readings = list(dict.fromkeys(forecasts["reading"]))
    rows = []
    for issue in dict.fromkeys(forecasts["issue"]):
        part = forecasts[forecasts["issue"] == issue]
        for model in dict.fromkeys(part["model"]):
            values = part[part["model"] == model].set_index("reading")["value"]
            rows.append(PerspectiveRow(issue, model, {r: float(values[r]) for r in readings if r in values},
                                       float(values.max() - values.min())))
    return readings, rows


# -- backtests ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BacktestRow:
    """A model's scores against recorded outcomes (None where nothing could be scored)."""

    model: str
    n: int
    mae: float | None
    rmse: float | None
    median_ae: float | None
    within10: float | None
    delta_vs_mean: float | None
    ci: tuple[float, float] | None
    by_group: list[float | None]  # MAE per group, in the order of ``BacktestTable.groups``
    coverage: dict[str, dict[str, float | None]] | None = None  # level -> share, width


@dataclass(frozen=True)
class BacktestTable:
    groups: list[str]  # legislative procedures, then decision rules
    rows: list[BacktestRow] = field(default_factory=list)


def backtest_table(doc: dict[str, Any]) -> BacktestTable:
    """The scores of a backtest's JSON document (:func:`accord.backtest.backtest`), one row per model.

    >>> doc = {"models": [{"model": "mean", "n": 2, "mae": 3.0, "rmse": 3.5, "median_ae": 3.0, "within10": 1.0,
    ...                    "delta_vs_mean": None, "ci_low": None, "ci_high": None,
    ...                    "by_procedure": {"COD": {"mae": 3.0}}, "by_rule": {}}]}
    >>> table = backtest_table(doc)
    >>> table.groups, table.rows[0].by_group
    (['COD'], [3.0])
    """
    keys = [(key, g) for key in ("procedure", "rule") for g in doc["models"][0][f"by_{key}"]]
    rows = [BacktestRow(m["model"], m["n"], m["mae"], m["rmse"], m["median_ae"], m["within10"], m["delta_vs_mean"],
                        None if m["ci_low"] is None else (m["ci_low"], m["ci_high"]),
                        [m[f"by_{key}"].get(g, {}).get("mae") for key, g in keys], m.get("coverage"))
            for m in doc["models"]]
    return BacktestTable([g for _, g in keys], rows)


# -- scenarios ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceSummary:
    """How much of a scenario rests on evidence: its counts, and the sources whose quotes were
    checked verbatim against their texts."""

    actors: int
    issues: int
    stances: int
    claims: int
    sources: int
    assumed: int  # values that rest on a stated assumption of their own and no claim
    checked: list[str]


def evidence_summary(scenario: Scenario, folder: Path, texts: Sequence[Path] = ()) -> EvidenceSummary:
    """The counts ``accord validate`` prints; quotes are looked up in ``texts`` and beside the file (``folder``).

    >>> import accord
    >>> s = evidence_summary(accord.read_scenario("scenarios/korea-2018.yaml").scenario, Path("scenarios"))
    >>> s.actors, s.issues, s.sources, s.checked
    (6, 5, 3, [])
    """
    estimates = list(scenario.estimates())
    checked = [src.id for src in scenario.sources if find_text(src.model_dump(), folder, list(texts))]
    return EvidenceSummary(len(scenario.actors), len(scenario.issues), sum(len(a.issues) for a in scenario.actors),
                           sum(len(e.claims) for e in estimates), len(scenario.sources),
                           sum(1 for e in estimates if e.assumption and not e.claims), checked)


# -- the bottom line ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BottomLineView:
    """An issue's bottom line in words (:mod:`accord.bottomline`), from its JSON entry
    (``doc["bottom_line"][k]``): the recommended forecast, whether the status quo is locked,
    where the models agree and part, the results that are not forecasts, and the warnings."""

    issue: str
    label: str
    headline: str
    basis: str
    locked: str | None
    agreement: str
    not_forecasts: list[str]
    outliers: list[str]
    warnings: list[str]
    #: What the decision rule made of the models' recommendation (locked, clipped), and that recommendation.
    constraint: str | None = None
    unconstrained: str | None = None
    unchecked: str | None = None


def bottom_line_view(entry: dict[str, Any]) -> BottomLineView:
    """The words of one issue's bottom line.

    >>> import accord
    >>> from accord.bottomline import bottom_line
    >>> from accord.runner import run_models
    >>> sc = accord.read_scenario("scenarios/korea-2018.yaml").scenario
    >>> runs = [r.to_json() for r in run_models(sc, ["accord", "nash"])]
    >>> view = bottom_line_view(bottom_line(sc, runs)[0].to_json())
    >>> view.headline, view.not_forecasts[0][:40]
    ('44.7 [5.8, 83.6]', 'nash: deadlock (actors stand on both sid')
    >>> from accord.bottomline import status_quo
    >>> locked = bottom_line_view(bottom_line(sc, runs, institutions=status_quo)[0].to_json())
    >>> locked.headline, locked.unconstrained
    ('20.0 (status quo)', 'if the lock breaks: 44.7 [5.8, 83.6]')
    >>> locked.locked
    'locked at the status quo (20) by USA: no winning coalition prefers any other point (the win set is empty)'
    """
    e = entry
    headline = interval(e["recommended"], e["low"], e["high"])
    if e.get("win_set") == [] and e["recommended"] is not None:
        headline = f"{e['recommended']:.1f} (status quo)"
    unconstrained = None
    if e.get("unconstrained"):
        u = e["unconstrained"]
        unconstrained = (f"{'if the lock breaks' if e.get('win_set') == [] else 'the models'}: "
                         f"{interval(u['value'], u['low'], u['high'])}")
    unchecked = (f"stability not checked for {', '.join(e['unchecked'])} (slow: every move is a full run; "
                 "`accord forecast --stability-all` checks it)" if e.get("unchecked") else None)
    locked = None
    if e.get("locked_by"):
        at = f" ({e['status_quo']:g})" if e.get("status_quo") is not None else ""
        locked = f"locked at the status quo{at} by {', '.join(e['locked_by'])}"
        if e.get("win_set") == []:
            locked += ": no winning coalition prefers any other point (the win set is empty)"
    elif e.get("locked_by") == []:
        locked = "not locked at the status quo"
    tabled = [m for m in e["models"] if m["status"] == "forecast"]
    if e["spread"] is None:
        agreement = "no model gives a forecast"
    else:
        lo, hi = e["spread"]
        names = f"the {len(tabled)} models" if len(tabled) > 1 else tabled[0]["model"]
        agreement = (f"{names} {'agree' if e['agree'] else 'part'}: forecasts from {lo:.1f} to {hi:.1f}"
                     if len(tabled) > 1 else f"one model forecasts: {names}, {lo:.1f}")
    return BottomLineView(
        e["issue"], e["label"], headline, e["basis"], locked, agreement,
        [f"{m['model']}: {m['status']} ({m['why']})" for m in e["models"] if m["status"] != "forecast"],
        [f"{m['model']}: {m['value']:.1f}, {m['why']}" for m in e["outliers"]], list(e["warnings"]),
        None if e.get("win_set") == [] else e.get("constraint") or None, unconstrained, unchecked)


def interval(value: float | None, low: float | None, high: float | None) -> str:
    """A forecast with its interval, as the bottom line writes it: "44.7 [5.8, 83.6]".

    >>> interval(44.71, 5.77, 83.63), interval(20.0, None, None), interval(None, None, None)
    ('44.7 [5.8, 83.6]', '20.0', 'no forecast')
    """
    if value is None:
        return "no forecast"
    return f"{value:.1f}" if low is None or high is None else f"{value:.1f} [{low:.1f}, {high:.1f}]"
