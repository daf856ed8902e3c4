"""The model protocol, the result type and the registry.

A bargaining model is a class with a ``name``, a pydantic ``Params`` class holding its
settings with their defaults, and a ``solve`` method that turns a scenario's numbers
(:class:`~accord.scenario.Inputs`) into a :class:`Result`. Decorated with :func:`register`,
it is available by name to the command line, the run store and every analysis, with no
further wiring: adding a model is adding one module to :mod:`accord.models` (or, from
another package, an entry point in the group ``accord.models``).

Like scikit-learn estimators, models take all settings as constructor arguments, validate
them there and keep them unchanged (``model.params``); running never changes the model.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import NotApplicable, UsageError
from ..scenario import Inputs, Scenario
from ..stats import weighted_mean, weighted_median


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Model(ABC):
    """Base class of bargaining models."""

    name: ClassVar[str]
    #: One line: what the model computes and from which paper.
    summary: ClassVar[str]
    Params: ClassVar[type[BaseModel]] = NoParams

    def __init__(self, **params: Any) -> None:
        try:
            self.params = self.Params(**params)
        except ValidationError as exc:
            raise UsageError(self._param_errors(exc)) from None

    @classmethod
    def _param_errors(cls, exc: ValidationError) -> str:
        allowed = ", ".join(cls.Params.model_fields) or "none"
        lines = []
        for e in exc.errors():
            key = ".".join(map(str, e["loc"])) or "parameters"
            if e["type"] == "extra_forbidden":
                lines.append(f"model {cls.name}: unknown parameter `{key}`; its parameters: {allowed}")
            else:
                lines.append(f"model {cls.name}: parameter `{key}`: {e['msg']} (got {e.get('input')!r})")
        return "\n".join(lines)

    def get_params(self) -> dict[str, Any]:
        return self.params.model_dump(mode="json")

    def run(self, scenario: Scenario, seed: int | None = None) -> Result:
        """Forecast a scenario. ``seed`` drives every random choice; equal seeds give equal results."""
        inputs = scenario.inputs()
        with np.errstate(all="ignore"):  # overflow or 0/0 in a model's arithmetic: the result is checked instead
            result = self.solve(inputs, np.random.default_rng(seed))
        result.model, result.params, result.seed = self.name, self.get_params(), seed
        check_finite(result, inputs)
        return result

    @abstractmethod
    def solve(self, inputs: Inputs, rng: np.random.Generator) -> Result:
        """Compute the result from the scenario's numbers; draw randomness from ``rng`` only."""

    def solve_batch(self, base: Inputs, draws) -> np.ndarray | None:
        """Forecasts (samples, issues) for many sampled inputs at once, or None if the model
        has no batched form (Monte Carlo then solves sample by sample)."""
        return None

    def story(self, result: Result, scenario: Scenario) -> list:
        """The run told round by round, one :class:`accord.explain.Chapter` per issue.

        The default needs only positions and summary; models override it to tell their events.
        """
        from ..explain import generic_story

        return generic_story(result, scenario)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


@dataclass
class Result:
    """What a model run produces, labelled by round, actor and issue.

    ``positions[r, a, i]`` is actor ``a``'s position on issue ``i`` after round ``r``; round 0
    holds the inputs, so a model without rounds has one. ``forecast[i]`` is the predicted
    outcome of issue ``i``. ``tables`` hold model-specific records, as pandas DataFrames or
    lists of dicts; ``notes`` plain-language remarks (convergence, cycles, degenerate cases).
    """

    actors: tuple[str, ...]
    issues: tuple[str, ...]
    forecast: np.ndarray
    positions: np.ndarray
    weight: np.ndarray
    tables: dict[str, pd.DataFrame | list[dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    model: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    seed: int | None = None
    #: Monte Carlo over the evidence, if run: {"samples": n, "correlate": ..., "forecasts": (n, issues),
    #: "overrides": [...]} (see :func:`accord.uncertainty.overrides`)
    uncertainty: dict[str, Any] | None = None

    @classmethod
    def static(cls, inputs: Inputs, forecast: np.ndarray, **kwargs: Any) -> Result:
        """The result of a model without rounds: positions are the inputs (round 0)."""
        return cls(inputs.actors, inputs.issues, np.asarray(forecast, float), inputs.position[None].copy(),
                   inputs.weight, **kwargs)

    @property
    def n_rounds(self) -> int:
        return self.positions.shape[0] - 1

    def summary_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Capability x salience weighted mean and weighted median of positions, per round and issue."""
        pos = np.moveaxis(self.positions, 1, -1)  # round, issue, actor
        w = np.broadcast_to(self.weight.T, pos.shape)
        return weighted_mean(pos, w), weighted_median(pos, w)

    # -- tidy tables ----------------------------------------------------------------------

    def to_frame(self) -> pd.DataFrame:
        """Positions as a tidy table: one row per round, issue and actor present."""
        r, a, i = np.nonzero(~np.isnan(self.positions))
        return pd.DataFrame({
            "round": r,
            "issue": np.asarray(self.issues, dtype=object)[i],
            "actor": np.asarray(self.actors, dtype=object)[a],
            "position": self.positions[r, a, i],
        }).sort_values(["round", "issue", "actor"], kind="stable", key=_order(self)).reset_index(drop=True)

    def forecast_frame(self) -> pd.DataFrame:
        """Per issue: the forecast, and with Monte Carlo its median and quantiles over the samples."""
        frame = pd.DataFrame({"issue": list(self.issues), "value": self.forecast})
        if self.uncertainty is not None:
            from ..uncertainty import summarise

            for name, values in summarise(self.uncertainty["forecasts"]).items():
                frame[name] = values
        return frame

    def summary_frame(self) -> pd.DataFrame:
        mean, median = self.summary_arrays()
        rounds, issues = np.indices(mean.shape)
        return pd.DataFrame({
            "round": rounds.ravel(),
            "issue": np.asarray(self.issues, dtype=object)[issues.ravel()],
            "mean": mean.ravel(),
            "median": median.ravel(),
        })

    def table_frame(self, name: str) -> pd.DataFrame:
        """A model-specific table as a DataFrame."""
        table = self.tables[name]
        return table if isinstance(table, pd.DataFrame) else pd.DataFrame(table)

    def table(self, name: str) -> list[dict[str, Any]]:
        """A model-specific table as JSON-ready records."""
        table = self.tables[name]
        if isinstance(table, pd.DataFrame):
            return records(table)
        return [{c: _plain(v) for c, v in row.items()} for row in table]

    def to_json(self) -> dict[str, Any]:
        """The run as the JSON contract's ``runs[]`` entry (without ``run_id``)."""
        forecast = records(self.forecast_frame())
        missing = [row["issue"] for row in forecast if any(v is None for v in row.values())]
        if missing:  # e.g. Monte Carlo samples of which none could be computed
            raise NotApplicable(f"model {self.model} gives no forecast for issue {', '.join(missing)}: its result "
                                "holds values that are not finite numbers")
        return {
            "model": self.model,
            "params": self.params,
            "seed": self.seed,
            "forecast": forecast,
            "rounds": records(self.to_frame()),
            "summary": records(self.summary_frame()),
            "tables": {name: self.table(name) for name in self.tables},
            "notes": list(self.notes),
            **({"samples": self.uncertainty["samples"], "correlate": self.uncertainty["correlate"]}
               if self.uncertainty else {}),
            # inputs whose value is set over their claims, and how the samples draw them (what-ifs)
            **({"overrides": self.uncertainty["overrides"]} if self.uncertainty and self.uncertainty.get("overrides")
               else {}),
        }


def check_finite(result: Result, inputs: Inputs) -> None:
    """A forecast, or a position of an actor present, that is not a finite number is no result:
    refuse it, naming the model, the issues and the likely cause, rather than print null."""
    bad_position = (~np.isfinite(result.positions) & inputs.present[None]).any(axis=(0, 1))
    bad = [i for i in range(len(result.issues)) if not np.isfinite(result.forecast[i]) or bad_position[i]]
    if not bad:
        return
    reasons: dict[str, list[str]] = {}
    for i in bad:
        if not (inputs.weight[:, i] > 0).any():
            why = "no actor gives it any weight (capability x salience is 0 for every actor)"
        else:
            why = "its arithmetic leaves the range of floating-point numbers with " + _extremes(inputs, i)
        reasons.setdefault(why, []).append(f"`{result.issues[i]}`")
    raise NotApplicable(f"model {result.model} gives no forecast for " + "; for ".join(
        f"issue{'s' if len(ids) > 1 else ''} {', '.join(ids)}: {why}" for why, ids in reasons.items()))


def _extremes(inputs: Inputs, i: int) -> str:
    present = inputs.present[:, i]
    c, s = inputs.capability[present, i], inputs.salience[present, i]
    return (f"capabilities {c.min():.3g} to {c.max():.3g}, saliences {s.min():.3g} to {s.max():.3g} and the scale "
            f"{inputs.scale_min[i]:.3g} to {inputs.scale_max[i]:.3g}; values nearer to 1 let it compute (capabilities "
            "divided by the largest, say)")


def _order(result: Result):
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
    cols = list(frame.columns)
    return [{c: _plain(v) for c, v in zip(cols, row)} for row in frame.itertuples(index=False, name=None)]


# -- registry ---------------------------------------------------------------------------------

_REGISTRY: dict[str, type[Model]] = {}


def register(cls: type[Model]) -> type[Model]:
    """Class decorator: make a model available by its ``name``."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"a model named {cls.name!r} is already registered ({_REGISTRY[cls.name].__module__})")
    _REGISTRY[cls.name] = cls
    return cls


def registry() -> dict[str, type[Model]]:
    """Every model by name, in one order whatever was imported first: the baselines, the other
    models of this package by module name, then plug-ins by name."""
    from . import BASELINES, load_all

    load_all()

    def rank(item: tuple[str, type[Model]]) -> tuple:
        module = item[1].__module__.removeprefix(f"{__package__}.")
        if "." in module:  # a plug-in's module
            return (2, item[0])
        return (0, BASELINES.index(module), "") if module in BASELINES else (1, module, item[0])
    return dict(sorted(_REGISTRY.items(), key=rank))


def get_model(name: str) -> type[Model]:
    models = registry()
    if name not in models:
        raise UsageError(f"unknown model {name!r}; available: {', '.join(models)}")
    return models[name]
