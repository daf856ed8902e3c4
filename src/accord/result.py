"""What a model run produces, and its JSON contract entry (``runs[]`` of ``accord forecast --json``).

A :class:`Result` holds numbers labelled by round, actor and issue, and model-specific tables;
:meth:`Result.to_json` writes the entry every tool reads and :meth:`Result.from_json` reads it
back, so that a stored run can be explained and reported without computing it again. This
module is part of the core: it imports only the scenario, the statistics and the errors.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np

from .errors import NotApplicable, UsageError
from .scenario import Inputs, Scenario
from .stats import QUANTILES, summarise, weighted_mean, weighted_median

if TYPE_CHECKING:
    import pandas as pd  # imported where a table is built: start-up need not pay for it

Table: TypeAlias = "pd.DataFrame | list[dict[str, Any]]"


@dataclass
class Result:
    """What a model run produces, labelled by round, actor and issue.

    ``positions[r, a, i]`` is actor ``a``'s position on issue ``i`` after round ``r``; round 0
    holds the inputs, so a model without rounds has one. ``forecast[i]`` is the predicted
    outcome of issue ``i``. ``tables`` hold model-specific records, as pandas DataFrames or
    lists of dicts; ``notes`` plain-language remarks (convergence, cycles, degenerate cases).

    >>> from accord.io import from_arrays
    >>> inputs = from_arrays([[10], [60]], [[0.5], [0.5]], [1, 3]).inputs()
    >>> result = Result.static(inputs, [47.5])
    >>> result.n_rounds, result.forecast_frame().to_dict("records")
    (0, [{'issue': 'i0', 'value': 47.5}])
    """

    actors: tuple[str, ...]
    issues: tuple[str, ...]
    forecast: np.ndarray
    positions: np.ndarray
    weight: np.ndarray
    tables: dict[str, Table] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    model: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    #: Monte Carlo over the evidence, if run: {"samples": n, "correlate": ..., "forecasts": (n, issues),
    #: "scale": (min, max), "overrides": [...]} (see :func:`accord.uncertainty.overrides`). A run read
    #: back from JSON has the recorded "quantiles" in place of the forecasts.
    uncertainty: dict[str, Any] | None = None
    #: The weighted mean and median per round and issue as recorded, for a run read back from JSON
    #: without its scenario (whose weights are then unknown); None otherwise.
    recorded_summary: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def static(cls, inputs: Inputs, forecast: Any, **kwargs: Any) -> Result:
        """The result of a model without rounds: positions are the inputs (round 0)."""
        return cls(inputs.actors, inputs.issues, np.asarray(forecast, float), inputs.position[None].copy(),
                   inputs.weight, **kwargs)

    @property
    def n_rounds(self) -> int:
        return int(self.positions.shape[0]) - 1

    def summary_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Capability x salience weighted mean and weighted median of positions, per round and issue."""
        if self.recorded_summary is not None:
            return self.recorded_summary
        pos = np.moveaxis(self.positions, 1, -1)  # round, issue, actor
        w = np.broadcast_to(self.weight.T, pos.shape)
        return weighted_mean(pos, w), weighted_median(pos, w)

    def quantiles(self) -> dict[str, np.ndarray] | None:
        """Per issue, the Monte Carlo forecast's quantiles (:data:`accord.stats.QUANTILES`), or None
        without Monte Carlo."""
        if self.uncertainty is None:
            return None
        if "forecasts" in self.uncertainty:
            return summarise(self.uncertainty["forecasts"])
        return dict(self.uncertainty["quantiles"])

    # -- tidy tables ----------------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """Positions as a tidy table: one row per round, issue and actor present."""
        import pandas as pd

        r, a, i = np.nonzero(~np.isnan(self.positions))
        return pd.DataFrame({
            "round": r,
            "issue": np.asarray(self.issues, dtype=object)[i],
            "actor": np.asarray(self.actors, dtype=object)[a],
            "position": self.positions[r, a, i],
        }).sort_values(["round", "issue", "actor"], kind="stable", key=_order(self)).reset_index(drop=True)

    def forecast_frame(self) -> pd.DataFrame:
        """Per issue: the forecast, and with Monte Carlo its median and quantiles over the samples."""
        import pandas as pd

        frame = pd.DataFrame({"issue": list(self.issues), "value": self.forecast})
        quantiles = self.quantiles()
        if quantiles is not None:
            for name, values in quantiles.items():
                frame[name] = values
        return frame

    def summary_frame(self) -> pd.DataFrame:
        import pandas as pd

        mean, median = self.summary_arrays()
        rounds, issues = np.indices(mean.shape)
        return pd.DataFrame({
            "round": rounds.ravel(),
            "issue": np.asarray(self.issues, dtype=object)[issues.ravel()],
            "mean": mean.ravel(),
            "median": median.ravel(),
        })

    def table_frame(self, name: str, columns: Sequence[str] = ()) -> pd.DataFrame:
        """A model-specific table as a DataFrame, with at least ``columns`` (a table without rows,
        read back from JSON, has no columns until asked for them).

        >>> Result((), (), np.zeros(0), np.zeros((1, 0, 0)), np.zeros((0, 0)), tables={"offers": []}
        ...        ).table_frame("offers", ["round", "actor"]).columns.tolist()
        ['round', 'actor']
        """
        import pandas as pd

        table = self.tables[name]
        frame = table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)
        missing = [c for c in columns if c not in frame.columns]
        return frame.reindex(columns=[*frame.columns, *missing]) if missing else frame

    def table(self, name: str) -> list[dict[str, Any]]:
        """A model-specific table as JSON-ready records."""
        table = self.tables[name]
        if not isinstance(table, list):  # a DataFrame
            return records(table)
        return [{c: _plain(v) for c, v in row.items()} for row in table]

    def _repr_html_(self) -> str:
        """Jupyter's view: the forecast per issue (with Monte Carlo quantiles when run) and the notes."""
        from html import escape

        frame = self.forecast_frame()
        if self.uncertainty is not None:
            frame = frame[["issue", "value", "q05", "median", "q95"]]
        title = f"{self.model or 'model'}: forecast of {len(self.issues)} issue(s), {len(self.actors)} actors" + (
            f", {self.n_rounds} rounds" if self.n_rounds else "")
        notes = "".join(f"<li>{escape(n)}</li>" for n in self.notes)
        table = frame.to_html(index=False, float_format=lambda x: f"{x:.4g}", na_rep="", border=0)
        return f"<div><p><b>{escape(title)}</b></p>{table}{f'<ul>{notes}</ul>' if notes else ''}</div>"

    # -- the JSON contract ------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The run as the JSON contract's ``runs[]`` entry (without ``run_id``): the records of
        :meth:`forecast_frame`, :meth:`to_frame` and :meth:`summary_frame`, built without pandas
        (a forecast is recorded on every command; pandas would double its start-up)."""
        forecast = self._forecast_records()
        missing = [row["issue"] for row in forecast if any(v is None for v in row.values())]
        if missing:  # e.g. Monte Carlo samples of which none could be computed
            raise NotApplicable(f"model {self.model} gives no forecast for issue {', '.join(missing)}: its result "
                                "holds values that are not finite numbers")
        return {
            "model": self.model,
            "params": self.params,
            "seed": self.seed,
            "forecast": forecast,
            "rounds": self._round_records(),
            "summary": self._summary_records(),
            "tables": {name: self.table(name) for name in self.tables},
            "notes": list(self.notes),
            **({"samples": self.uncertainty["samples"], "correlate": self.uncertainty["correlate"]}
               if self.uncertainty else {}),
            # inputs whose value is set over their claims, and how the samples draw them (what-ifs)
            **({"overrides": self.uncertainty["overrides"]} if self.uncertainty and self.uncertainty.get("overrides")
               else {}),
        }

    def _forecast_records(self) -> list[dict[str, Any]]:
        quantiles = self.quantiles() or {}
        return [{"issue": issue, "value": _plain(self.forecast[k]), **{q: _plain(v[k]) for q, v in quantiles.items()}}
                for k, issue in enumerate(self.issues)]

    def _round_records(self) -> list[dict[str, Any]]:
        """Rows by round, then issue and actor in the scenario's order (as :meth:`to_frame`)."""
        by_issue = np.moveaxis(self.positions, 2, 1)  # round, issue, actor
        r, i, a = np.nonzero(~np.isnan(by_issue))
        return [{"round": rr, "issue": self.issues[ii], "actor": self.actors[aa], "position": _plain(p)}
                for rr, ii, aa, p in zip(r.tolist(), i.tolist(), a.tolist(), by_issue[r, i, a].tolist())]

    def _summary_records(self) -> list[dict[str, Any]]:
        mean, median = self.summary_arrays()
        return [{"round": r, "issue": issue, "mean": _plain(mean[r, k]), "median": _plain(median[r, k])}
                for r in range(mean.shape[0]) for k, issue in enumerate(self.issues)]

    @classmethod
    def from_json(cls, doc: dict[str, Any], inputs: Inputs | Scenario | None = None) -> Result:
        """The run of a JSON contract entry (:meth:`to_json`; a stored run's
        :attr:`accord.store.RunRecord.result`), for explaining and reporting it without running
        the model again.

        Forecast, positions (from ``rounds``), tables (as DataFrames), notes, model, parameters,
        seed and the Monte Carlo summary (samples, quantiles, overrides; the draws themselves are
        not recorded) come back as they were written. The weights, the exact list of actors
        (an actor without any stance has no row) and the scale need the run's scenario: pass it
        (or its inputs), as the store keeps it; without it, the weights are unknown (NaN), the
        summary is the recorded one, and actors come in the order the rounds list them.

        >>> from accord.io import from_arrays
        >>> scenario = from_arrays([[10, 80], [60, 20]], [[0.5, 0.2], [0.5, 0.4]], [1, 3])
        >>> run = Result.static(scenario.inputs(), [47.5, 30.0], notes=["static"])
        >>> back = Result.from_json(run.to_json(), scenario)
        >>> back.to_json() == run.to_json(), back.forecast.tolist(), back.notes
        (True, [47.5, 30.0], ['static'])
        """
        import pandas as pd

        issues = tuple(row["issue"] for row in doc["forecast"])
        rounds = pd.DataFrame(doc["rounds"], columns=["round", "issue", "actor", "position"])
        if isinstance(inputs, Scenario):
            inputs = inputs.inputs()
        if inputs is not None:
            _check_labels(doc, issues, rounds, inputs)
            actors = inputs.actors
        else:
            actors = _actor_order(rounds, issues)
        a_index = {a: k for k, a in enumerate(actors)}
        i_index = {i: k for k, i in enumerate(issues)}
        n_rounds = int(rounds["round"].max()) + 1 if len(rounds) else 1
        positions = np.full((n_rounds, len(actors), len(issues)), np.nan)
        positions[rounds["round"].to_numpy(int), rounds["actor"].map(a_index).to_numpy(int),
                  rounds["issue"].map(i_index).to_numpy(int)] = rounds["position"].to_numpy(float)
        result = cls(actors, issues, np.array([row["value"] for row in doc["forecast"]], dtype=float), positions,
                     inputs.weight if inputs is not None else np.full((len(actors), len(issues)), np.nan),
                     tables={name: pd.DataFrame(rows) for name, rows in doc.get("tables", {}).items()},
                     notes=list(doc.get("notes", [])), model=doc.get("model", ""), params=dict(doc.get("params", {})),
                     seed=doc.get("seed"), uncertainty=_recorded_uncertainty(doc, issues, inputs))
        if inputs is None:
            result.recorded_summary = _recorded_summary(doc, n_rounds, i_index)
        return result


def _check_labels(doc: dict[str, Any], issues: tuple[str, ...], rounds: pd.DataFrame, inputs: Inputs) -> None:
    """The scenario given must be the run's: the same issues in the same order, and every actor of its rounds."""
    if issues != inputs.issues:
        raise UsageError(f"the run of model {doc.get('model')!r} has issues {', '.join(issues)}, the scenario given "
                         f"{', '.join(inputs.issues)}: read a run back with the scenario it was run on")
    unknown = sorted(set(rounds["actor"]) - set(inputs.actors))
    if unknown:
        raise UsageError(f"the run of model {doc.get('model')!r} has actors the scenario given lacks: "
                         f"{', '.join(unknown)}; read a run back with the scenario it was run on")


def _actor_order(rounds: pd.DataFrame, issues: tuple[str, ...]) -> tuple[str, ...]:
    """The actors in the one order consistent with each issue's list of them (rows keep the
    scenario's order within an issue), ties broken by first appearance."""
    first = rounds[rounds["round"] == 0]
    seen = list(dict.fromkeys(first["actor"]))
    before: dict[str, set[str]] = {a: set() for a in seen}
    for _, group in first.groupby("issue", sort=False):
        names = list(group["actor"])
        for earlier, later in zip(names, names[1:]):
            before[later].add(earlier)
    order: list[str] = []
    while len(order) < len(seen):
        order.append(next(a for a in seen if a not in order and before[a] <= set(order)))
    return tuple(order)


def _recorded_uncertainty(doc: dict[str, Any], issues: tuple[str, ...], inputs: Inputs | None
                          ) -> dict[str, Any] | None:
    if "samples" not in doc:
        return None
    rows = doc["forecast"]
    unc: dict[str, Any] = {"samples": doc["samples"], "correlate": doc.get("correlate"),
                           "overrides": doc.get("overrides", []),
                           "quantiles": {q: np.array([row[q] for row in rows], dtype=float) for q in QUANTILES}}
    if inputs is not None:
        unc["scale"] = (inputs.scale_min, inputs.scale_max)
    return unc


def _recorded_summary(doc: dict[str, Any], n_rounds: int, i_index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    mean, median = np.full((n_rounds, len(i_index)), np.nan), np.full((n_rounds, len(i_index)), np.nan)
    for row in doc.get("summary", []):
        r, i = row["round"], i_index[row["issue"]]
        mean[r, i] = np.nan if row["mean"] is None else row["mean"]
        median[r, i] = np.nan if row["median"] is None else row["median"]
    return mean, median


def _order(result: Result) -> Callable[[pd.Series], pd.Series]:
    # Keep the scenario's order of issues and actors rather than alphabetical order.
    rank = ({("issue", v): k for k, v in enumerate(result.issues)}
            | {("actor", v): k for k, v in enumerate(result.actors)})

    def key(col: pd.Series) -> pd.Series:
        return col.map(lambda v: rank.get((col.name, v), v)) if col.name in ("issue", "actor") else col
    return key


def _plain(v: Any) -> Any:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if not math.isfinite(v) else float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    return v


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A DataFrame as JSON-ready records: numpy scalars made plain, NaN and infinities None.

    >>> import pandas as pd
    >>> records(pd.DataFrame({"issue": ["a"], "value": [np.nan]}))
    [{'issue': 'a', 'value': None}]
    """
    cols = list(frame.columns)
    columns = [_plain_column(column) for _, column in frame.items()]
    return [dict(zip(cols, row)) for row in zip(*columns)] if cols else [{} for _ in range(len(frame))]


def _plain_column(column: pd.Series) -> list[Any]:
    """A column's values as :func:`_plain` makes them, numbers converted all at once (``tolist``)."""
    values = column.to_numpy()
    if values.dtype.kind in "iub":
        return values.tolist()
    if values.dtype.kind == "f":
        out = values.tolist()
        for k in np.flatnonzero(~np.isfinite(values)):
            out[k] = None
        return out
    if values.dtype == object:  # e.g. strings: one list of Python objects, not one lookup per cell
        return [_plain(v) for v in values.tolist()]
    return [_plain(v) for v in column]
