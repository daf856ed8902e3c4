"""The model contract and the registry.

A bargaining model is a class with a ``name``, a pydantic ``Params`` class holding its
settings with their defaults, declared requirements (what it cannot take), and one hook,
``solve``, that turns a scenario's numbers (:class:`~accord.scenario.Inputs`) into a
:class:`~accord.result.Result`. Decorated with :func:`register`, it is available by name to
the command line, the run store and every analysis, with no further wiring: adding a model
is adding one module to :mod:`accord.models` (or, from another package, an entry point in
the group ``accord.models``). :func:`accord.testing.check_model` tells whether a model keeps
the contract.

Like scikit-learn estimators, models take all settings as constructor arguments, validate
them there and keep them unchanged (``model.params``); running never changes the model.
Models emit numbers and tables; the words that tell a run come from :mod:`accord.narrate`.

>>> from accord.io import from_arrays
>>> one_issue = from_arrays([[10], [90]], [[0.5], [0.5]], [1, 1]).inputs()
>>> get_model("exchange")().check(one_issue)
['needs at least two issues: actors trade across issues']
>>> applicable(["mean", "exchange"], one_issue)
{'mean': None, 'exchange': 'model exchange needs at least two issues: actors trade across issues'}
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import NotApplicable, UsageError
from ..result import Result, records
from ..scenario import Inputs, Scenario

if TYPE_CHECKING:
    import pandas as pd  # imported where a table is built: start-up need not pay for it

__all__ = ["INTERACTION_COLUMNS", "Model", "NoParams", "Result", "applicable", "check_finite", "get_model",
           "interactions", "records", "refusal", "register", "registered", "registry"]


class NoParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


#: Methods the contract implements once for every model: a model defines ``solve`` instead.
FINAL = ("run", "evaluate", "run_batch", "evaluate_many")
#: The standard table of who challenges whom (:func:`interactions`).
INTERACTION_COLUMNS = ("round", "issue", "actor", "other", "kind", "value")


class Model(ABC):
    """Base class of bargaining models.

    A model declares what it cannot take in class attributes; :meth:`check` reads them, so
    that a caller knows without solving whether the model can take a scenario, and :meth:`run`
    refuses what ``check`` refuses. ``solve`` raises :class:`~accord.errors.NotApplicable`
    only for what shows while solving.
    """

    name: ClassVar[str]
    #: One line: what the model computes and from which paper.
    summary: ClassVar[str]
    Params: ClassVar[type[BaseModel]] = NoParams
    #: Whether positions move over rounds; a model without them returns the inputs as its one round.
    has_rounds: ClassVar[bool] = False
    #: Whether each issue's forecast depends on that issue's inputs alone, so that an analysis
    #: moving one issue's inputs may solve that issue apart (:mod:`accord.advice`). Not a
    #: requirement: a model that trades across issues (exchange, SMP) leaves it False.
    issue_by_issue: ClassVar[bool] = False
    #: Whether :meth:`solve_batch` gives each sample exactly the forecast of its single run, whatever
    #: the generator (the model draws no random numbers): then any design of inputs of one shape
    #: (sensitivity, stability) may be solved in one batch (:func:`accord.experiment.solve_all`).
    exact_batch: ClassVar[bool] = False

    # -- declared requirements (each reason of check() completes "model NAME ...") ------------
    #: The fewest issues the model takes (the exchange model trades across two or more).
    min_issues: ClassVar[int] = 1
    #: The fewest actors the model takes.
    min_actors: ClassVar[int] = 1
    #: Every actor takes a stance on every issue (as in a policy space: SMP).
    needs_all_stances: ClassVar[bool] = False
    #: An actor's saliences are shares of its attention: they sum to at most 1 over the issues (SMP).
    needs_salience_shares: ClassVar[bool] = False
    #: One capability per actor, the same on every issue (SMP).
    needs_one_capability: ClassVar[bool] = False
    #: Every actor has a positive capability and some salience (SMP).
    needs_positive_weights: ClassVar[bool] = False
    #: Why the model needs what it declares, by attribute name: said after the reason.
    because: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        final = [m for m in FINAL if m in vars(cls)]
        if final:
            raise TypeError(f"model class {cls.__name__} defines {', '.join(final)}: a model defines `solve` "
                            "only, and accord runs it (run checks the declared requirements first, then labels and "
                            "checks the result); declare what it cannot take (min_issues, needs_all_stances, ...) "
                            "or extend `check`")
        if "story" in vars(cls):
            raise TypeError(f"model class {cls.__name__} defines story: a run is told by a narrator of "
                            "accord.narrate (accord.narrate.narrator(name) registers one), not by the model")

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

    def check(self, inputs: Inputs) -> list[str]:
        """Why the model cannot take these inputs (empty: it can), from its declared requirements.

        Cheap: it reads the declarations and the inputs' shape, and never solves. A model with a
        requirement the declarations cannot say extends it (``super().check(inputs) + [...]``),
        each reason completing the sentence "model NAME ...".
        """
        return requirement_problems(type(self), inputs)

    def run(self, scenario: Scenario, seed: int | None = None) -> Result:
        """Forecast a scenario. ``seed`` drives every random choice; equal seeds give equal results.

        Refuses (:class:`~accord.errors.NotApplicable`) what :meth:`check` refuses, and a
        result that is not finite (:func:`check_finite`).
        """
        inputs = scenario.inputs()
        result = self.evaluate(inputs, np.random.default_rng(seed))
        result.seed = seed
        check_finite(result, inputs)
        return result

    def evaluate(self, inputs: Inputs, rng: np.random.Generator | int | None = None) -> Result:
        """Solve inputs the model can take: :meth:`check` first (NotApplicable with its reasons),
        then ``solve``, and the result labelled with the model and its parameters. What analyses
        call on sampled or edited inputs; unlike :meth:`run`, it leaves non-finite values to them.
        """
        reasons = self.check(inputs)
        if reasons:
            raise NotApplicable(refusal(self.name, reasons))
        if not isinstance(rng, np.random.Generator):
            rng = np.random.default_rng(rng)
        with np.errstate(all="ignore"):  # overflow or 0/0 in a model's arithmetic: the result is checked instead
            result = self.solve(inputs, rng)
        result.model, result.params = self.name, self.get_params()
        return result

    def evaluate_many(self, runs: Sequence[Inputs], seed: int | None = None) -> list[Result]:
        """:meth:`evaluate` on each of many inputs, each run with a generator of its own from ``seed``,
        all checked first. Inputs of one shape go together through the model's lockstep form
        (:meth:`solve_runs`) where it has one; the results are those of :meth:`evaluate`."""
        for inputs in runs:
            reasons = self.check(inputs)
            if reasons:
                raise NotApplicable(refusal(self.name, reasons))
        groups: dict[tuple[int, ...], list[int]] = {}
        for k, inputs in enumerate(runs):
            groups.setdefault(inputs.position.shape, []).append(k)
        out: list[Result | None] = [None] * len(runs)
        for ks in groups.values():
            with np.errstate(all="ignore"):
                solved = self.solve_runs([runs[k] for k in ks]) if len(ks) > 1 else None
            if solved is None:
                solved = [self.evaluate(runs[k], np.random.default_rng(seed)) for k in ks]
            for k, result in zip(ks, solved):
                result.model, result.params = self.name, self.get_params()
                out[k] = result
        return out  # type: ignore[return-value]

    def solve_runs(self, runs: Sequence[Inputs]) -> list[Result] | None:
        """Results of many inputs of one shape at once, identical to :meth:`solve` on each, or None
        if the model has no lockstep form. Only models that draw no random numbers have one."""
        return None

    @abstractmethod
    def solve(self, inputs: Inputs, rng: np.random.Generator) -> Result:
        """Compute the result from the scenario's numbers; draw randomness from ``rng`` only.

        Called on inputs that :meth:`check` accepts: it need not test the declared requirements.
        """

    def solve_batch(self, base: Inputs, draws: Any) -> np.ndarray | None:
        """Forecasts (samples, issues) for many sampled inputs at once, or None if the model
        has no batched form (Monte Carlo then solves sample by sample)."""
        return None

    @classmethod
    def interactions(cls, result: Result) -> pd.DataFrame | None:
        """The run's challenges as the standard table (:func:`interactions`), or None if the
        model records none. Models that record who challenges whom override it."""
        return None

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"


# -- declared requirements ------------------------------------------------------------------------

_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _count(n: int, noun: str) -> str:
    return f"{_NUMBERS[n] if 0 <= n < len(_NUMBERS) else n} {noun}{'' if n == 1 else 's'}"


def _listed(items: list[str], limit: int = 10) -> str:
    return ", ".join(items[:limit]) + (" ..." if len(items) > limit else "")


def requirement_problems(cls: type[Model], inputs: Inputs) -> list[str]:
    """The reasons ``cls``'s declared requirements give for refusing ``inputs`` (see :meth:`Model.check`)."""
    def why(attr: str) -> str:
        return f": {cls.because[attr]}" if attr in cls.because else ""

    reasons = []
    n_actors, n_issues = inputs.position.shape
    present = inputs.present
    if n_issues < cls.min_issues:
        reasons.append(f"needs at least {_count(cls.min_issues, 'issue')}{why('min_issues')}")
    if n_actors < cls.min_actors:
        reasons.append(f"needs at least {_count(cls.min_actors, 'actor')}{why('min_actors')}")
    if cls.needs_all_stances and not present.all():
        absent = [f"{inputs.actors[a]} on {inputs.issues[i]}" for a, i in zip(*np.nonzero(~present))]
        reasons.append(f"needs a stance of every actor on every issue{why('needs_all_stances')} "
                       f"(missing: {_listed(absent)})")
    salience = np.where(present, inputs.salience, 0.0).sum(axis=1)
    if cls.needs_salience_shares:
        over = [f"{a}'s sum to {s:.3g}" for a, s in zip(inputs.actors, salience) if s > 1 + 1e-9]
        if over:
            reasons.append("needs saliences that are shares of an actor's attention, summing to at most 1 over its "
                           f"issues{why('needs_salience_shares')} ({_listed(over)})")
    capability = np.where(present, inputs.capability, np.nan)
    if cls.needs_one_capability:
        spread = np.nanmax(capability, axis=1, initial=-np.inf) - np.nanmin(capability, axis=1, initial=np.inf)
        differ = [a for a, d in zip(inputs.actors, spread) if d > 0 and np.isfinite(d)]
        if differ:
            reasons.append(f"needs one capability per actor, the same on every issue{why('needs_one_capability')} "
                           f"({_listed(differ)} {'has' if len(differ) == 1 else 'have'} different capabilities by "
                           "issue)")
    if cls.needs_positive_weights:
        zero = [f"{a} has zero {'salience on every issue' if s <= 0 else 'capability'}"
                for a, s, c in zip(inputs.actors, salience, capability) if s <= 0 or (c <= 0).any()]
        if zero:
            reasons.append(f"needs a positive capability and some salience of every actor"
                           f"{why('needs_positive_weights')} ({_listed(zero)})")
    return reasons


def refusal(name: str, reasons: Iterable[str]) -> str:
    """The message of a model's refusal: "model NAME reason; reason"."""
    return f"model {name} " + "; ".join(reasons)


def applicable(models: Iterable[str | type[Model] | Model], inputs: Inputs | Scenario) -> dict[str, str | None]:
    """For each model (a name, a class run with its defaults, or an instance), None if it can
    take the inputs, else why not: the message its ``run`` would refuse them with. Solves
    nothing, so the command line and the dashboard can ask before running (see the module's
    example). A model may still find while solving that it cannot give a forecast.
    """
    if isinstance(inputs, Scenario):
        inputs = inputs.inputs()
    out: dict[str, str | None] = {}
    for model in models:
        instance = get_model(model)() if isinstance(model, str) else model() if isinstance(model, type) else model
        reasons = instance.check(inputs)
        out[instance.name] = refusal(instance.name, reasons) if reasons else None
    return out


def interactions(result: Result) -> pd.DataFrame:
    """Who challenges whom in a run, as one standard table whatever the model.

    Columns :data:`INTERACTION_COLUMNS`: ``round``; ``issue`` (None where an interaction spans
    every issue, as SMP's challenges do); ``actor``, who makes the challenge or demand;
    ``other``, whom it is made to; ``kind``; ``value``, what the challenge is worth to its maker
    as the model reckons it. Kinds: ``challenge`` (SMP: an initiator's chosen challenge; value,
    its expected gain), ``demand`` and ``accepted`` (EUM: an offer made, and one the other
    accepted; value, the maker's expected utility of the challenge as the other perceives it).
    Computed from the run's own tables, so it works on a run read back from JSON
    (:meth:`~accord.result.Result.from_json`); it is not stored in the JSON. Empty for a model
    that records no challenges.
    """
    cls = registry().get(result.model)
    table = cls.interactions(result) if cls is not None else None
    if table is None:
        import pandas as pd

        return pd.DataFrame({c: pd.Series(dtype=float if c in ("round", "value") else object)
                             for c in INTERACTION_COLUMNS})
    return table.loc[:, list(INTERACTION_COLUMNS)].reset_index(drop=True)


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


# -- registry ---------------------------------------------------------------------------------

_REGISTRY: dict[str, type[Model]] = {}


def register(cls: type[Model]) -> type[Model]:
    """Class decorator: make a model available by its ``name``."""
    if cls.name in _REGISTRY and _REGISTRY[cls.name] is not cls:
        raise ValueError(f"a model named {cls.name!r} is already registered ({_REGISTRY[cls.name].__module__})")
    _REGISTRY[cls.name] = cls
    return cls


@contextmanager
def registered(cls: type[Model]) -> Iterator[type[Model]]:
    """Register a model for the length of a ``with`` block (a test, a notebook), then remove it.

    >>> class Zero(Model):
    ...     name, summary = "zero", "forecasts the bottom of every scale"
    ...     def solve(self, inputs, rng):
    ...         return Result.static(inputs, inputs.scale_min)
    >>> with registered(Zero):
    ...     "zero" in registry()
    True
    >>> "zero" in registry()
    False
    """
    already = _REGISTRY.get(cls.name) is cls
    register(cls)
    try:
        yield cls
    finally:
        if not already and _REGISTRY.get(cls.name) is cls:
            del _REGISTRY[cls.name]


def registry() -> dict[str, type[Model]]:
    """Every model by name, in one order whatever was imported first: the baselines, the other
    models of this package by module name, then plug-ins by name."""
    from . import BASELINES, load_all

    load_all()

    def rank(item: tuple[str, type[Model]]) -> tuple:
        module = item[1].__module__
        if not module.startswith(f"{__package__}."):  # a plug-in's module, whatever its name
            return (2, item[0])
        module = module.removeprefix(f"{__package__}.")
        return (0, BASELINES.index(module), "") if module in BASELINES else (1, module, item[0])
    return dict(sorted(_REGISTRY.items(), key=rank))


def get_model(name: str) -> type[Model]:
    models = registry()
    if name not in models:
        raise UsageError(f"unknown model {name!r}; available: {', '.join(models)}")
    return models[name]
