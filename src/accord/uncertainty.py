"""Uncertainty from the evidence: input distributions drawn from claims, and Monte Carlo.

Each number of a scenario becomes a distribution built from its evidence:

* with claims, a mixture in which every *source* weighs the same: a draw picks a source, then
  one of its claims, then a value: uniform on the claim's ``low``..``high`` where it gives a
  range, else the claim's value spread by the default below;
* an explicit ``value`` or an assumption (no claims): the value spread by the default;
* an explicit ``value`` over claims whose consensus differs (the analyst's assumption, a what-if:
  a ``value:`` above the claims in a file, an edit in the dashboard): the claims' mixture moved
  so that its consensus is the value, each claim's numbers shifted by ``value - consensus``.
  The sources' spread stays the uncertainty of the input, since an edit moves where an input
  is, not how well it is known (as for a value without claims, whose spread follows it). Where
  the shifted claims would leave the allowed range, their distances from the value are scaled
  down by the least factor that keeps them in it, so the value stays the centre
  (:func:`evidence`; :func:`overrides` lists such inputs and how they are drawn).

Default spreads (``Spreads``): positions +/- 5% of the issue's scale, saliences +/- 0.05,
capabilities +/- 10% of the value, each uniform and truncated to what is allowed (the scale,
[0, 1], >= 0): values are drawn from the part of the interval inside the allowed range, never
clamped onto its edge. With ``correlate="source"`` a draw picks one source for the whole
sample, so each sample is one analyst's reading throughout (where it has one), which keeps
the correlations a source's judgements carry.

Sampling, running and summarising are separate (as in SALib): :func:`sample_inputs` draws,
:func:`monte_carlo` runs any model over the draws (batched where the model can), and
:func:`summarise` reads quantiles. Every draw comes from one seed: equal seeds, equal results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from .models import Model
from .scenario import Claim, Estimate, Inputs, Scenario
from .stats import QUANTILES, fmt, summarise  # noqa: F401  (quantiles are computed in the core; re-exported)


@dataclass(frozen=True)
class Spreads:
    position: float = 0.05  # share of the issue's scale, each side
    salience: float = 0.05  # absolute, each side
    capability: float = 0.10  # share of the value, each side


DEFAULT_SPREADS = Spreads()


@dataclass(frozen=True)
class Draws:
    """n sampled scenarios' numbers, shaped (samples, actors, issues) and (samples, issues)."""

    position: np.ndarray
    salience: np.ndarray
    capability: np.ndarray
    reference: np.ndarray
    stream: tuple | None = None  # (seed, key, start) of the samples' own randomness, for batched forms

    def inputs(self, base: Inputs, k: int) -> Inputs:
        return replace(base, position=self.position[k], salience=self.salience[k], capability=self.capability[k],
                       reference=self.reference[k])

    def __len__(self) -> int:
        return self.position.shape[0]

    def part(self, start: int, stop: int) -> Draws:
        """Samples ``start`` to ``stop`` (a job's share of a design drawn whole).

        >>> from accord.io import from_arrays
        >>> draws = sample_inputs(from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 1]), 10)
        >>> len(draws.part(4, 8)), bool((draws.part(4, 8).position == draws.position[4:8]).all())
        (4, True)
        """
        return Draws(self.position[start:stop], self.salience[start:stop], self.capability[start:stop],
                     self.reference[start:stop])


def sample_inputs(scenario: Scenario, n: int, seed: int | None = 0, spreads: Spreads = DEFAULT_SPREADS,
                  correlate: Literal["none", "source"] = "none", key: tuple[int, ...] = ()) -> Draws:
    """Draw n versions of the scenario's numbers from their evidence.

    ``key`` names an independent stream under ``seed`` (a batch's index), so that batches drawn
    anywhere are the same.
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))
    base = scenario.inputs()
    n_a, n_i = base.position.shape
    sources = [s.id for s in scenario.sources]
    reader = rng.integers(0, len(sources), n) if correlate == "source" and sources else None
    position, salience, capability = (np.repeat(a[None], n, axis=0).copy()
                                      for a in (base.position, base.salience, base.capability))
    reference = np.repeat(base.reference[None], n, axis=0).copy()
    span = base.scale_max - base.scale_min
    for i, issue in enumerate(scenario.issues):
        lo, hi = base.scale_min[i], base.scale_max[i]
        if issue.reference:
            reference[:, i] = _draw(issue.reference, n, rng, spreads.position * span[i], lo, hi, sources, reader)
        for a, actor in enumerate(scenario.actors):
            stance = actor.issues.get(issue.id)
            if stance is None:
                continue
            position[:, a, i] = _draw(stance.position, n, rng, spreads.position * span[i], lo, hi, sources, reader)
            salience[:, a, i] = _draw(stance.salience, n, rng, spreads.salience, 0.0, 1.0, sources, reader)
            if stance.capability is not None:
                cap = stance.capability
                capability[:, a, i] = _draw(cap, n, rng, spreads.capability * cap.point, 0.0, np.inf, sources, reader)
    _keep_shares(scenario, base, salience, rng, spreads, sources, reader)
    for a, actor in enumerate(scenario.actors):  # one capability per actor: the same draw on every issue
        if actor.capability is None:
            continue
        draw = _draw(actor.capability, n, rng, spreads.capability * actor.capability.point, 0.0, np.inf, sources,
                     reader)
        own = np.array([actor.issues.get(i.id) is not None and actor.issues[i.id].capability is None
                        for i in scenario.issues])
        capability[:, a, own] = draw[:, None]
    return Draws(position, salience, capability, reference)


def _keep_shares(scenario: Scenario, base: Inputs, salience: np.ndarray, rng: np.random.Generator, spreads: Spreads,
                 sources: list[str], reader: np.ndarray | None, tries: int = 1000) -> None:
    """Where an actor's saliences are shares of its attention (they sum to at most 1 in the
    scenario), draws are conditioned on staying so: samples whose sum exceeds 1 are drawn again
    (rejection), never rescaled."""
    for a, actor in enumerate(scenario.actors):
        if base.salience[a].sum() > 1 + 1e-9:
            continue
        cells = [(i, actor.issues[issue.id]) for i, issue in enumerate(scenario.issues) if issue.id in actor.issues]
        for _ in range(tries):
            over = np.flatnonzero(salience[:, a].sum(axis=1) > 1)
            if not over.size:
                break
            # Several i.i.d. candidates per rejected sample at once; each takes its first valid one.
            k = 8
            who = None if reader is None else np.repeat(reader[over], k)
            candidates = np.zeros((over.size * k, salience.shape[2]))
            for i, stance in cells:
                candidates[:, i] = _draw(stance.salience, over.size * k, rng, spreads.salience, 0.0, 1.0, sources,
                                         who)
            valid = (candidates.sum(axis=1) <= 1).reshape(over.size, k)
            found = valid.any(axis=1)
            first = np.argmax(valid, axis=1)
            rows = np.arange(over.size) * k + first
            for i, _stance in cells:
                salience[over[found], a, i] = candidates[rows[found], i]
        else:
            raise ValueError(f"could not draw saliences of {actor.id} summing to at most 1 in {tries} tries")


def _draw(est: Estimate, n: int, rng: np.random.Generator, spread: float, lo: float, hi: float,
          sources: list[str], reader: np.ndarray | None) -> np.ndarray:
    """n values of one estimate (see the module docstring)."""
    if not est.claims:  # one interval for every sample: its ends computed once, the same numbers
        point = np.float64(est.point)
        return _uniform(rng, point - spread, point + spread, lo, hi, n)
    by_source: dict[str, list] = {}
    for claim in evidence(est, lo, hi)[0]:
        by_source.setdefault(claim.source, []).append(claim)
    names = list(by_source)
    pick = rng.integers(0, len(names), n)
    if reader is not None:  # the sample's source, where it has claims on this number
        own = np.array([names.index(sources[r]) if sources[r] in by_source else -1 for r in reader])
        pick = np.where(own >= 0, own, pick)
    if len(names) == 1 and len(by_source[names[0]]) == 1:  # one claim: every sample draws from it
        claim, = by_source[names[0]]
        rng.integers(0, 1, n)  # the choice of claim, drawn as below (the stream stays the same)
        return _uniform(rng, np.float64(claim.low if claim.low is not None else claim.point - spread),
                        np.float64(claim.high if claim.high is not None else claim.point + spread), lo, hi, n)
    low, high = np.empty(n), np.empty(n)
    for s, name in enumerate(names):
        claims = by_source[name]
        mask = pick == s
        which = rng.integers(0, len(claims), int(mask.sum()))
        lows = np.array([c.low if c.low is not None else c.point - spread for c in claims])
        highs = np.array([c.high if c.high is not None else c.point + spread for c in claims])
        low[mask], high[mask] = lows[which], highs[which]
    return _uniform(rng, low, high, lo, hi)


def evidence(est: Estimate, lo: float, hi: float) -> tuple[list[Claim], float]:
    """The claims an estimate is drawn from, and the factor its sources' spread is narrowed by.

    The claims themselves, unless a value is set over them (:attr:`Estimate.overrides`): then
    every number x of every claim becomes ``value + k (x - consensus)``, with k = 1 where all
    stay in [lo, hi], else the largest k that keeps them there (the value is inside, so k >= 0).
    The map is affine, so the new claims' consensus is the value.
    """
    if not est.overrides:
        return est.claims, 1.0
    value, centre = est.value, est.consensus
    k = 1.0
    for claim in est.claims:
        for x in (claim.value, claim.low, claim.high):
            if x is None or x == centre:
                continue
            room = (hi - value) if x > centre else (value - lo)
            k = min(k, room / abs(x - centre))

    def move(x: float | None) -> float | None:
        return None if x is None else value + k * (x - centre)

    return [c.model_copy(update={"value": move(c.value), "low": move(c.low), "high": move(c.high)})
            for c in est.claims], k


def overrides(scenario: Scenario) -> list[dict]:
    """The inputs with a value set over their claims, and how the Monte Carlo draws each (for
    the output and the run record)."""
    rows = []
    for label, actor, issue, what, est, lo, hi in _estimates(scenario):
        if not est.overrides:
            continue
        shift, narrowed = est.value - est.consensus, evidence(est, lo, hi)[1]
        sampled = f"its claims shifted by {'+' if shift > 0 else ''}{fmt(shift)} to centre on {fmt(est.value)}"
        if narrowed < 1:
            allowed = f"{lo:g}..{hi:g}" if np.isfinite(hi) else f">= {lo:g}"
            sampled += f", their spread narrowed to {narrowed:.0%} to stay within {allowed}"
        rows.append({"input": label, "actor": actor, "issue": issue, "what": what, "value": est.value,
                     "consensus": est.consensus, "shift": shift, "narrowed": narrowed, "sampled": sampled})
    return rows


def what_if(row: dict) -> str:
    """One override of :func:`overrides` in words."""
    return (f"{row['input']} = {fmt(row['value'])} over claims (consensus {fmt(row['consensus'])}): "
            f"the samples draw it from {row['sampled']}")


def _estimates(scenario: Scenario):
    """(label, actor, issue, what, estimate, lo, hi) of every sampled input, with its allowed range."""
    for issue in scenario.issues:
        if issue.reference:
            yield (f"reference point of {issue.id}", None, issue.id, "reference", issue.reference, issue.scale.min,
                   issue.scale.max)
    for actor in scenario.actors:
        if actor.capability:
            yield f"{actor.id} capability", actor.id, None, "capability", actor.capability, 0.0, np.inf
        for issue_id, stance in actor.issues.items():
            scale = scenario.issue(issue_id).scale
            yield (f"{actor.id} position on {issue_id}", actor.id, issue_id, "position", stance.position, scale.min,
                   scale.max)
            yield f"{actor.id} salience on {issue_id}", actor.id, issue_id, "salience", stance.salience, 0.0, 1.0
            if stance.capability:
                yield (f"{actor.id} capability on {issue_id}", actor.id, issue_id, "capability", stance.capability,
                       0.0, np.inf)


def _uniform(rng: np.random.Generator, low: np.ndarray | np.float64, high: np.ndarray | np.float64, lo: float,
             hi: float, n: int | None = None) -> np.ndarray:
    """Uniform on [low, high] cut to [lo, hi]: draws fall in the part of the interval that is allowed.
    ``low`` and ``high`` per sample, or one interval for ``n`` samples."""
    a, b = np.maximum(low, lo), np.minimum(high, hi)
    return a + (b - a) * rng.random(np.shape(low) if n is None else n)


def monte_carlo(model: Model, scenario: Scenario, draws: Draws, seed: int | None = 0,
                key: tuple[int, ...] = ()) -> np.ndarray:
    """Forecasts (samples, issues) of one model over the draws; sample j's randomness from its own
    stream (seed, key + (j,))."""
    return solve_draws(model, scenario.inputs(), draws, seed, key)


def solve_draws(model: Model, base: Inputs, draws: Draws, seed: int | None = 0, key: tuple[int, ...] = (),
                start: int = 0, *, step: Callable[[int], None] | None = None) -> np.ndarray:
    """Forecasts (samples, issues) of one model over draws of ``base``'s numbers: batched where the
    model can, else sample by sample, sample j drawing from the stream (seed, key + (start + j,)),
    so that the draws ``start`` onward of a larger design are solved as they would be in it.
    ``step(j)`` is told, now and then, that j samples are solved (a progress bar within a batch).

    >>> from accord.io import from_arrays
    >>> from accord.models import get_model
    >>> sc = from_arrays([[10.0], [90.0]], [[0.5], [0.5]], [1, 1])
    >>> draws, smp = sample_inputs(sc, 20, 1), get_model("smp")()
    >>> whole = solve_draws(smp, sc.inputs(), draws, 1)
    >>> bool((solve_draws(smp, sc.inputs(), draws.part(12, 20), 1, start=12) == whole[12:]).all())
    True
    """
    n = len(draws)
    batched = model.solve_batch(base, replace(draws, stream=(seed, key, start)))
    if batched is not None:
        return batched
    out = np.empty((n, len(base.issues)))
    for j in range(n):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(*key, start + j)))
        out[j] = model.evaluate(draws.inputs(base, j), rng).forecast
        if step is not None and ((j + 1) % max(1, n // 100) == 0 or j + 1 == n):
            step(j + 1)
    return out
