"""Bueno de Mesquita's expected utility model (EUM), as Scholz, Calbert & Smith (2011) write it.

Bueno de Mesquita (1994, ch. 4 of *European Community Decision Making*; 1997, *International
Interactions* 23:235-266); Scholz, Calbert & Smith (2011, *J. Theoretical Politics*
23(4):510-531), referred to below as SCS. Each issue is solved on its own; actors keep one
capability c_i and their salience s_i for the issue; d is the width of the scale.

One round (SCS §3):

1. **Votes** (SCS eq. 1). Voter k's vote between positions a and b, with its risk exponent r_k:
   ``v_k(a:b) = c_k s_k [(|x_k - x_b|/d)^r_k - (|x_k - x_a|/d)^r_k]`` (positive: k prefers a).
2. **Probability of prevailing** (eq. 2). ``P_ij = sum_k max(0, v_k(x_i:x_j)) / den``, with
   ``den = sum_k |v_k(x_i:x_j)|`` (``p_denominator=pair``, the paper) or the sum over every
   voter and every ordered pair of actors (``all-pairs``, the authors' code).
3. **Utilities** (eqs. 3-7), from the perceiver's exponent r: with delta = |x_i - x_j|/d and
   mu the median, ``U_s = 2 - 4(0.5 - 0.5 delta)^r``, ``U_f = 2 - 4(0.5 + 0.5 delta)^r``,
   ``U_b = 2 - 4(0.5 - 0.25(|x_i - mu|/d + delta))^r``, ``U_w = 2 - 4(0.5 + 0.25(...))^r``,
   ``U_sq = 2 - 4(0.5)^r``.
4. **Expected utility of i challenging j** (eq. 8):
   ``E(U_ij) = s_j [P U_s + (1 - P) U_f] + (1 - s_j) U_s - Q U_sq - (1 - Q)[T U_b + (1 - T) U_w]``.
   At r = 1 and Q = 1 this is ``2 delta [1 - 2 s_j (1 - P)]``. The authors' code leaves out
   the (1 - Q) term (``status_quo_terms=omitted``); at the customary Q = 1 both agree.
5. **Risk** (eqs. 9-10). With every r = 1, actor i's danger is ``D_i = sum_j E(U_ji)`` (the
   challenges it faces, ``danger=incoming``; ``outgoing`` sums ``E(U_ij)`` instead); then
   ``R_i = (2 D_i - D_max - D_min) / (D_max - D_min)`` and ``r_i = (1 - R_i/3) / (1 + R_i/3)``,
   so the most threatened actor gets r = 0.5 and the safest r = 2. Where all dangers are
   equal, every actor is risk-neutral (r = 1); the authors' code divides by zero there.
6. **Perception** (SCS §3.4). Receiver i compares e1 = E_i(U_ij) and e2 = E_i(U_ji), both
   with i's exponent (``utility_r=perceiver``; ``challenger`` lets j's own exponent value
   j's challenge): ``e2 > e1 > 0`` conflict that i loses (offer x_j); ``e2 > 0 > e1`` and
   ``e2 > |e1|`` compromise (offer ``x_i + (x_j - x_i)|e1/e2|``); ``e2 > 0 > e1`` and
   ``e2 < |e1|`` capitulation (offer x_j; ``capitulation=never`` reproduces the code's test,
   which can never hold); otherwise no demand.
7. **Choice.** ``offer_rule=smallest-move`` (Bueno de Mesquita: accept the offer that asks the
   smallest move); ``scholz-code``: the nearest conflict, else the compromise with the lowest
   key (|e1| x_i + |e2| x_j)/(|e1| + |e2|), else the nearest capitulation. Moves are
   simultaneous. ``passes=2`` runs the offer stage twice a round, first with every r = 1.

The forecast is the median voter position after the last round: the lower weighted median
with weights c s (``median=weighted``), or the authors' sequential king-of-the-hill contest
among the held positions, in order of first appearance (``king-of-the-hill``; it differs
only on exact ties, which the original breaks by Python's set order). d is the initial
range of positions (``scale=positions``), the issue's scale (``issue``), or the range
recomputed every round (``recomputed``).

**The decision rule** (Bueno de Mesquita 1994: "the outcome depends upon the decision rule in
force"). The median voter forecast is majority rule's outcome (Black 1948). With ``rule=apply``,
an issue whose scenario gives another rule gets that rule's outcome at the last round's positions
(:func:`accord.models.procedural.decided`): under a decider, the decider's position; under
unanimity or a qualified majority, the point of the closed win set of the reference point nearest
the median forecast, or the reference point itself when the win set is empty (deadlock; Tsebelis
2002); without a reference point, the point of the rule's core nearest the median forecast. Under
majority, or where no rule is given, the forecast stays the median; a note says what the rule did
to each issue. ``rule=ignore`` (default) leaves every forecast the median voter position, as the
paper and the authors' code compute it, so that published results are reproduced exactly;
``rule=apply`` is a choice the user makes knowingly.

``preset=paper`` (default) follows the paper; ``preset=scholz-code`` reproduces the authors'
code as ported by J. McKibben: all-pairs denominator, perceiver's r, omitted (1 - Q) terms,
the never-true capitulation test, the code's offer rule and the king-of-the-hill median.
Any parameter given explicitly overrides its preset.

Stopping: ``rounds=N`` runs exactly N rounds. Otherwise rounds run until one of:

* a fixed point: the largest move is at most ``tol`` x d (converged);
* settled: every position lies within ``settle`` x d of every other. Every offer lies between
  two current positions (x_j, or a compromise between x_i and x_j), so no later round can
  leave that band, and neither can the median: the forecast is known to ``settle`` x d. Near
  consensus, rounding moves positions by amounts of order 1e-5 x d round after round (which
  ones depends on the numpy build), so a fixed-point test alone would never fire there;
* a cycle: the positions come back to those of an earlier round (not the last) to within
  ``tol`` x d; its length is reported;
* ``max_rounds``.

All three tests compare differences of positions with a share of the scale, never a
floating-point pattern, so they do not depend on the last bits of the arithmetic.

Cost: P for all pairs comes from prefix sums over voters sorted by position (for a < b the
voters preferring a are those left of the midpoint), O(n^2 log n) time and O(n^2) memory
per round instead of the O(n^3) direct sum (O(n^6) in the authors' code). With the optional
extra "fast" (numba) a round of 48 actors or more, and a large Monte Carlo batch, runs compiled
(:mod:`accord.models._eum_compiled`: one pass per stage, O(n^2) a round), with the same numbers
to the last bit.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..scenario import Inputs
from ..stats import fmt, relative_weight, sequential_sum, weighted_median
from ._cache import ContentCache
from ._eum_compiled import QUADRANTS, Stages, batch_round, batched, stages, stopped_batch
from .base import Model, Result, register
from .procedural import decided

if TYPE_CHECKING:
    import pandas as pd  # imported where a table is built: start-up need not pay for it

PRESETS = {
    "paper": dict(p_denominator="pair", utility_r="perceiver", danger="incoming", offer_rule="smallest-move",
                  capitulation="paper", status_quo_terms="full", median="weighted", scale="positions"),
    "scholz-code": dict(p_denominator="all-pairs", utility_r="perceiver", danger="incoming",
                        offer_rule="scholz-code", capitulation="never", status_quo_terms="omitted",
                        median="king-of-the-hill", scale="positions"),
}


class EUMParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    preset: Literal["paper", "scholz-code"] = "paper"
    rounds: int | None = Field(None, ge=0, description="run exactly this many rounds")
    max_rounds: int = Field(100, ge=1)
    tol: float = Field(1e-6, ge=0, description="converged when the largest move is at most tol x d")
    settle: float = Field(1e-4, ge=0, description="settled when every position lies within settle x d of the "
                          "others (the forecast cannot leave that band)")
    p_denominator: Literal["pair", "all-pairs"] | None = None
    utility_r: Literal["perceiver", "challenger"] | None = None
    danger: Literal["incoming", "outgoing"] | None = None
    offer_rule: Literal["smallest-move", "scholz-code"] | None = None
    capitulation: Literal["paper", "never"] | None = None
    status_quo_terms: Literal["full", "omitted"] | None = None
    median: Literal["weighted", "king-of-the-hill"] | None = None
    scale: Literal["positions", "issue", "recomputed"] | None = None
    passes: Literal[1, 2] = 1
    q: float = Field(1.0, ge=0, le=1, description="probability that nothing changes without a challenge")
    t: float = Field(1.0, ge=0, le=1, description="probability that change would help the challenger")
    rule: Literal["ignore", "apply"] = Field(
        "ignore", description="apply: the forecast is the issue's decision rule's outcome (win set of the reference "
        "point, core, decider) nearest the median; ignore: the median voter position, as published")
    offers: Literal["auto", "all", "accepted", "none"] = Field(
        "auto", description="which offers to record; auto: all up to 100 actors, else the accepted ones")

    def resolved(self) -> dict:
        """Every choice, the preset's where not given explicitly."""
        values = self.model_dump()
        return {k: (PRESETS[self.preset][k] if v is None and k in PRESETS[self.preset] else v)
                for k, v in values.items()}


@dataclass
class Issue:
    """One issue's actors (those present), their fixed attributes, and the current state."""

    x: np.ndarray  # positions
    c: np.ndarray
    s: np.ndarray
    d: float


@register
class EUM(Model):
    name = "eum"
    summary = "expected utility model of Bueno de Mesquita, as Scholz, Calbert & Smith (2011) write it"
    Params = EUMParams
    has_rounds = True
    issue_by_issue = True  # each issue is solved alone (_solve_issue)

    def solve(self, inputs: Inputs, rng: np.random.Generator) -> Result:
        opt = self.params.resolved()
        n_a, n_i = inputs.position.shape
        histories, forecast, notes = [], np.full(n_i, np.nan), []
        risk: dict[str, list] = {k: [] for k in RISK_COLUMNS}
        offers: dict[str, list] = {k: [] for k in OFFER_COLUMNS}
        actors = np.asarray(inputs.actors, dtype=object)
        choices = functools.cache(lambda: json.dumps(opt, sort_keys=True, default=repr))  # a key of the runs kept
        for i, issue in enumerate(inputs.issues):
            present = np.flatnonzero(inputs.present[:, i])
            run = _ISSUE_RUNS.get(lambda i=i: (inputs.digest(i), choices()),
                                  lambda i=i, present=present: _solve_issue(inputs, i, present, opt))
            history = np.full((len(run.positions), n_a), np.nan)
            history[:, present] = run.positions
            histories.append(history)
            forecast[i] = run.median
            notes += [f"{issue}: {note}" for note in run.notes]
            under = _under_rule(inputs, i, present, run.positions[-1], run.median, opt, inputs.reference[i])
            if under is not None and under[0] != run.median:
                forecast[i] = under[0]
                notes.append(f"{issue}: under its decision rule the forecast is {fmt(under[0])} (median voter "
                             f"position {fmt(run.median)}): {under[1]}")
            elif under is not None:
                notes.append(f"{issue}: its decision rule leaves the forecast at the median voter position "
                             f"{fmt(run.median)}")
            names = actors[present]
            for rnd, danger, r in run.risk:
                _extend(risk, round=np.full(len(r), rnd), issue=np.full(len(r), issue, dtype=object), actor=names,
                        danger=danger, r=r)
            for rnd, t in run.offers:
                size = len(t["receiver"])
                _extend(offers, round=np.full(size, rnd), issue=np.full(size, issue, dtype=object),
                        actor=names[t["receiver"]], other=names[t["proposer"]],
                        **{k: t[k] for k in OFFER_COLUMNS[4:]})
        n_rounds = max(len(h) for h in histories)
        positions = np.stack([_pad(h, n_rounds) for h in histories], axis=-1)
        tables = {"risk": _frame(risk), "offers": _frame(offers)}
        return Result(inputs.actors, inputs.issues, forecast, positions, inputs.weight, tables=tables, notes=notes)

    exact_batch = True  # its batch is its single runs, bit for bit (accord.testing checks it)

    def solve_batch(self, base: Inputs, draws) -> np.ndarray | None:
        """Forecasts (samples, issues) for the paper preset's choices, all samples in lockstep.

        The same round as :func:`risk_exponents` and :func:`offer_stage` with a leading sample
        axis, the same prefix sums in the same order, so that each forecast is its single run's to
        the last bit; compiled where numba is installed and the batch is large (S n^2 >= 20,000).
        Each sample stops on its own (convergence, a cycle, or the round limit) and then keeps its
        positions. Other choices return None, and Monte Carlo solves them sample by sample.
        """
        opt = self.params.resolved()
        if (any(opt[k] != v for k, v in PRESETS["paper"].items() if k != "scale") or opt["scale"] == "recomputed"
                or opt["passes"] != 1 or opt["q"] != 1):
            return None
        n_s, _, n_i = draws.position.shape
        out = np.empty((n_s, n_i))
        for i in range(n_i):
            present = ~np.isnan(base.position[:, i])
            x = draws.position[:, present, i]
            s = draws.salience[:, present, i]
            w = _relative_weight_rows(draws.capability[:, present, i], s)
            n = x.shape[1]
            chunk = max(1, 2 ** 22 // max(1, n ** 3))
            for start in range(0, n_s, chunk):
                part = slice(start, start + chunk)
                width = np.full(x[part].shape[0], base.scale_max[i] - base.scale_min[i])
                final = _rounds_batch(x[part].copy(), w[part], s[part], width, opt)
                out[part, i] = weighted_median(final, w[part])
                for k in range(start, start + len(final)) if opt["rule"] == "apply" else ():  # sample by sample
                    sampled = replace(base, capability=draws.capability[k])
                    under = _under_rule(sampled, i, np.flatnonzero(present), final[k - start], out[k, i], opt,
                                        draws.reference[k, i])
                    if under is not None:
                        out[k, i] = under[0]
        return out

    @classmethod
    def interactions(cls, result: Result) -> pd.DataFrame:
        """Each recorded offer: the proposer's demand on the receiver (``accepted`` where the receiver
        took it), worth the challenge's expected utility to the proposer as the receiver sees it."""
        import pandas as pd

        offers = result.table_frame("offers", OFFER_COLUMNS)
        accepted = offers["accepted"].astype(bool).to_numpy()
        return pd.DataFrame({"round": offers["round"], "issue": offers["issue"], "actor": offers["other"],
                             "other": offers["actor"], "kind": np.where(accepted, "accepted", "demand"),
                             "value": offers["e_other"]})


RISK_COLUMNS = ("round", "issue", "actor", "danger", "r")
OFFER_COLUMNS = ("round", "issue", "actor", "other", "quadrant", "e_own", "e_other", "proposed_position", "accepted")


def _extend(table: dict[str, list], **columns: np.ndarray) -> None:
    for k, v in columns.items():
        table[k].append(v)


def _frame(table: dict[str, list]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({k: np.concatenate(v) if v else [] for k, v in table.items()})


def _pad(history: np.ndarray, n: int) -> np.ndarray:
    """An issue that stopped early keeps its last positions in later rounds."""
    if len(history) == n:
        return history
    return np.vstack([history, np.repeat(history[-1:], n - len(history), axis=0)])


#: Each issue's run by its content (the issue's inputs and the model's choices): an edit of a
#: scenario re-solves the issues it touches, not the others (a dashboard forecasting edit after
#: edit). The runs kept are shared, never changed.
_ISSUE_RUNS = ContentCache(256)


@dataclass
class _Run:
    positions: list[np.ndarray]
    median: float
    risk: list[tuple[int, np.ndarray, np.ndarray]]
    offers: list[tuple[int, dict[str, np.ndarray]]]
    notes: list[str]


def _solve_issue(inputs: Inputs, i: int, present: np.ndarray, opt: dict) -> _Run:
    x = inputs.position[present, i].astype(float)
    s = inputs.salience[present, i]
    w = relative_weight(inputs.capability[present, i], s, True)
    span = np.ptp(x) if len(x) else 0.0
    d = {"issue": inputs.scale_max[i] - inputs.scale_min[i]}.get(opt["scale"], span)
    positions, risk, offers, notes = [x.copy()], [], [], []
    if opt["offers"] == "auto":
        opt = {**opt, "offers": "all" if len(x) <= 100 else "accepted"}
        if opt["offers"] == "accepted":
            notes.append(f"the offers table lists accepted offers only ({len(x)} actors make up to "
                         f"{len(x) * (len(x) - 1):,} a round); offers=all records every one")
    if len(x) < 2 or span == 0 or not np.any(w > 0):
        notes.append("fewer than two distinct positions: nothing to negotiate")
        return _Run(positions, _median(x, w, d, opt), risk, offers, notes)
    history = [x]
    limit = opt["rounds"] if opt["rounds"] is not None else opt["max_rounds"]
    stopped = None
    fast = stages(w, s, opt)  # the compiled round where numba is installed: the same numbers, faster

    def geometry(x: np.ndarray, d: float) -> Pairs | Stages:
        return fast.pairs(x, d) if fast else Pairs(x, d)

    for rnd in range(1, limit + 1):
        if opt["scale"] == "recomputed":
            d = np.ptp(x) or d
        pairs = geometry(x, d)
        r, danger = risk_exponents(pairs, w, s, opt)
        risk.append((rnd, danger, r))
        for exponents in ([np.ones_like(r), r] if opt["passes"] == 2 else [r]):
            new, table = offer_stage(pairs, w, s, exponents, opt)
            pairs = geometry(new, d) if opt["passes"] == 2 else pairs
            if table is not None:
                offers.append((rnd, table))
        x = new
        positions.append(x.copy())
        if stopped is None:
            stopped = _stopping(history, x, d, opt)
        history.append(x)
        if stopped and opt["rounds"] is None:
            break
    if stopped:
        notes.append(stopped)
    elif opt["rounds"] is None:
        notes.append(f"not converged after max_rounds={opt['max_rounds']} rounds")
    return _Run(positions, _median(x, w, d, opt), risk, offers, notes)


def _under_rule(inputs: Inputs, i: int, present: np.ndarray, x: np.ndarray, median: float, opt: dict,
                reference: float) -> tuple[float, str] | None:
    """With ``rule=apply``, the forecast of issue i under its decision rule at the positions x of the
    actors ``present`` and why (:func:`accord.models.procedural.decided`); None where the median
    stands: rule ignored, no rule, or majority rule (whose outcome is the median voter's)."""
    rule = inputs.rules[i] if opt["rule"] == "apply" and i < len(inputs.rules) else None
    if rule is None or rule.kind == "majority":
        return None
    actors = tuple(inputs.actors[k] for k in present)
    return decided(rule, actors, x, inputs.capability[present, i], float(reference),
                   float(inputs.scale_min[i]), float(inputs.scale_max[i]), float(median))


def _stopping(history: list[np.ndarray], x: np.ndarray, d: float, opt: dict) -> str | None:
    """Why the run may stop after the round that produced ``x`` (``history``: the states before it)."""
    rnd = len(history)
    if np.max(np.abs(x - history[-1])) <= opt["tol"] * d:
        return f"converged after {rnd} rounds (no position moved by more than tol={opt['tol']:g} of the scale)"
    if np.ptp(x) <= opt["settle"] * d:
        return (f"settled after {rnd} rounds: every position lies within settle={opt['settle']:g} of the scale of "
                f"the others, a band no later round can leave")
    for earlier in range(rnd - 2, -1, -1):
        if np.max(np.abs(x - history[earlier])) <= opt["tol"] * d:
            return (f"positions after round {rnd} repeat those after round {earlier} (to within tol={opt['tol']:g} "
                    f"of the scale): a cycle of length {rnd - earlier}, so the model does not converge")
    return None


# -- kernels --------------------------------------------------------------------------------------


class Pairs:
    """Geometry of every pair of positions, shared by the stages of a round.

    For positions a < b the voters preferring a are those strictly left of the midpoint and
    those preferring b strictly right of it: with voters sorted by position, both are
    contiguous runs ``[lo, hi)``. Found by binary search on one triangle of pairs, O(n^2 log n).
    """

    def __init__(self, x: np.ndarray, d: float) -> None:
        n = len(x)
        self.x, self.d, self.n = x, d, n
        self.order = np.argsort(x, kind="stable")
        self.xs = xs = x[self.order]
        self.inverse = np.argsort(self.order)
        a, b = np.triu_indices(n, 1)  # sorted a <= b
        mid = 0.5 * (xs[a] + xs[b])
        lo = np.zeros((n, n), dtype=np.intp)
        hi = np.zeros((n, n), dtype=np.intp)
        hi[a, b] = np.searchsorted(xs, mid, side="left")  # a's supporters: [0, left)
        lo[b, a] = np.searchsorted(xs, mid, side="right")  # b's supporters: [right, n)
        hi[b, a] = n
        same = xs[a] == xs[b]
        hi[a[same], b[same]] = 0
        lo[b[same], a[same]] = n
        self.lo, self.hi = lo, hi
        self.equal = x[:, None] == x[None, :]
        self.delta = np.abs(x[:, None] - x[None, :]) / d


def prevail_numerators(pairs: Pairs, w: np.ndarray, r: np.ndarray) -> np.ndarray:
    """N[a, b] = sum_k max(0, v_k(x_a : x_b)), the votes for a over b, for every pair of actors.

    With B[k, a] = w_k (|x_k - x_a|/d)^r_k and C its prefix sums over voters sorted by position,
    the votes of a's supporters [lo, hi) are (C[hi, b] - C[lo, b]) - (C[hi, a] - C[lo, a]).
    """
    xs, o = pairs.xs, pairs.order
    base = np.abs(xs[:, None] - xs[None, :]) / pairs.d
    B = w[o, None] * (base if np.all(r == 1.0) else base ** r[o, None])  # u^1 is u: no power to take
    C = np.vstack([np.zeros(pairs.n), np.cumsum(B, axis=0)])
    cols = np.arange(pairs.n)
    lo, hi = pairs.lo, pairs.hi
    num = (C[hi, cols[None, :]] - C[lo, cols[None, :]]) - (C[hi, cols[:, None]] - C[lo, cols[:, None]])
    num = np.maximum(num, 0.0)  # rounding in the prefix sums must not make a vote negative
    return num[np.ix_(pairs.inverse, pairs.inverse)]


def prevail(pairs: Pairs, w: np.ndarray, r: np.ndarray, denominator: str) -> np.ndarray:
    """P[a, b], the probability that a's position prevails over b's (SCS eq. 2)."""
    num = prevail_numerators(pairs, w, r)
    if denominator == "all-pairs":
        total = 2.0 * num.sum()
        return num / total if total > 0 else np.zeros_like(num)
    den = num + num.T
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(den > 0, num / den, 0.5)
    p[pairs.equal] = 0.0
    return p


def _utilities(pairs: Pairs, rho: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """U_s, U_f (pairs) and U_sq (per actor) for actor i valuing with exponent rho[i] (SCS eqs. 3-7)."""
    z = 0.5 * pairs.delta
    if np.all(rho == 1.0):  # the risk stage: no powers needed
        return 2.0 - 4.0 * (0.5 - z), 2.0 - 4.0 * (0.5 + z), np.zeros_like(rho)
    r = rho[:, None]
    return 2.0 - 4.0 * (0.5 - z) ** r, 2.0 - 4.0 * (0.5 + z) ** r, 2.0 - 4.0 * 0.5 ** rho


def expected_utilities(pairs: Pairs, s: np.ndarray, P: np.ndarray, rho: np.ndarray, opt: dict,
                       median: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(e1, e2) with e1[i, j] = E(U_ij), i challenging j, and e2[i, j] = E(U_ji), j challenging i,
    both valued by i with exponent rho[i] (SCS eq. 8)."""
    U_s, U_f, U_sq = _utilities(pairs, rho)
    q = opt["q"]
    sj, si = s[None, :], s[:, None]
    e1 = sj * (P * U_s + (1.0 - P) * U_f) + (1.0 - sj) * U_s - q * U_sq[:, None]
    e2 = si * (P.T * U_s + (1.0 - P.T) * U_f) + (1.0 - si) * U_s - q * U_sq[:, None]
    if opt["status_quo_terms"] == "full" and q < 1:
        x, d, r, t = pairs.x, pairs.d, rho[:, None], opt["t"]
        dist = np.abs(x - median) / d
        for e, challenger in ((e1, dist[:, None]), (e2, dist[None, :])):
            U_b = 2.0 - 4.0 * (0.5 - 0.25 * (challenger + pairs.delta)) ** r
            U_w = 2.0 - 4.0 * (0.5 + 0.25 * (challenger + pairs.delta)) ** r
            e -= (1.0 - q) * (t * U_b + (1.0 - t) * U_w)
    return e1, e2


def risk_exponents(pairs: Pairs | Stages, w: np.ndarray, s: np.ndarray, opt: dict) -> tuple[np.ndarray, np.ndarray]:
    """(r, danger): risk exponents from the dangers computed with every r = 1 (SCS eqs. 9-10)."""
    ones = np.ones(pairs.n)
    if isinstance(pairs, Stages):
        danger = pairs.danger()
    else:
        P = prevail(pairs, w, ones, opt["p_denominator"])
        median = _median(pairs.x, w, pairs.d, opt) if opt["q"] < 1 else None
        E, _ = expected_utilities(pairs, s, P, ones, opt, median)
        np.fill_diagonal(E, 0.0)
        danger = sequential_sum(E.T) if opt["danger"] == "incoming" else sequential_sum(E)
    hi, lo = danger.max(), danger.min()
    if hi == lo:
        return ones, danger
    R = ((2.0 * danger - hi) - lo) / (hi - lo)
    return (1.0 - R / 3.0) / (1.0 + R / 3.0), danger


def offer_stage(pairs: Pairs | Stages, w: np.ndarray, s: np.ndarray, r: np.ndarray, opt: dict
                ) -> tuple[np.ndarray, dict[str, np.ndarray] | None]:
    """Each actor weighs the demands of every other and moves (simultaneously)."""
    if isinstance(pairs, Stages):
        return pairs.offers(r)
    x, n = pairs.x, pairs.n
    P = prevail(pairs, w, r, opt["p_denominator"])
    median = _median(x, w, pairs.d, opt) if opt["q"] < 1 else None
    e1, e2 = expected_utilities(pairs, s, P, r, opt, median)
    if opt["utility_r"] == "challenger":  # j values its own challenge with its own exponent
        e2 = expected_utilities(pairs, s, P, r, opt, median)[0].T
    differ = ~pairs.equal
    conflict = differ & (e2 > e1) & (e1 > 0)
    mixed = differ & ~conflict & (e2 > 0) & (0 > e1)
    compromise = mixed & (e2 > np.abs(e1))
    capitulation = mixed & (e2 < np.abs(e1)) & (opt["capitulation"] == "paper")
    with np.errstate(invalid="ignore", divide="ignore"):
        proposal = np.where(compromise, x[:, None] + (x[None, :] - x[:, None]) * np.abs(e1 / e2),
                            np.broadcast_to(x[None, :], (n, n)))
    quadrant = np.select([conflict, compromise, capitulation], [1, 2, 3], 0)
    choice = _choose(x, e1, e2, quadrant, proposal, opt["offer_rule"], pairs.d)
    moves = choice >= 0
    new = x.copy()
    new[moves] = proposal[np.flatnonzero(moves), choice[moves]]
    if opt["offers"] == "none":
        return new, None
    receiver, proposer = np.nonzero(quadrant)
    table = {
        "receiver": receiver, "proposer": proposer, "quadrant": QUADRANTS[quadrant[receiver, proposer]],
        "e_own": e1[receiver, proposer], "e_other": e2[receiver, proposer],
        "proposed_position": proposal[receiver, proposer], "accepted": choice[receiver] == proposer,
    }
    if opt["offers"] == "accepted":
        table = {k: v[table["accepted"]] for k, v in table.items()}
    return new, table


def _choose(x, e1, e2, quadrant, proposal, rule: str, d: float) -> np.ndarray:
    """Index of the offer each actor accepts (-1: none).

    ``smallest-move``: the offer asking the smallest move; moves within 1e-9 d count as equal,
    and then the more threatening demand (larger e2), then the lower position, wins, so that
    the choice never depends on the order of the actors. ``scholz-code``: as the authors'
    code, ties going to the first actor in file order.
    """
    move = np.abs(proposal - x[:, None])
    if rule == "smallest-move":
        cost = np.where(quadrant > 0, move, np.inf)
        best = cost.min(axis=1, keepdims=True)
        tied = np.isfinite(cost) & (cost <= best + 1e-9 * d)
        threat = np.where(tied, e2, -np.inf)
        tied &= threat >= threat.max(axis=1, keepdims=True)
        choice = np.argmin(np.where(tied, proposal, np.inf), axis=1)
        return np.where(np.isfinite(best[:, 0]), choice, -1)
    a1, a2 = np.abs(e1), np.abs(e2)
    with np.errstate(invalid="ignore", divide="ignore"):
        key = (a1 * x[:, None] + a2 * x[None, :]) / (a1 + a2)
    choice = np.full(len(x), -1)
    # The authors' code: the nearest conflict, else the compromise of lowest key, else a capitulation.
    for kind, cost in ((1, move), (2, key), (3, move)):
        c = np.where(quadrant == kind, cost, np.inf)
        take = (choice < 0) & np.isfinite(c).any(1)
        choice[take] = np.argmin(c[take], axis=1)
    return choice


def _median(x: np.ndarray, w: np.ndarray, d: float, opt: dict) -> float:
    if opt["median"] == "weighted":
        return float(weighted_median(x, w))
    return king_of_the_hill(x, w, d)


def king_of_the_hill(x: np.ndarray, w: np.ndarray, d: float) -> float:
    """The authors' median: each held position (in order of first appearance) challenges the
    incumbent and replaces it if the r = 1 vote sum_k w_k (|x_k - m| - |x_k - p|)/d is positive."""
    candidates = list(dict.fromkeys(x.tolist()))
    m = candidates[0]
    for p in candidates[1:]:
        if sequential_sum(w * (np.abs(x - m) / d - np.abs(x - p) / d)) > 0:
            m = p
    return float(m)


__all__ = ["EUM", "EUMParams", "Pairs", "prevail", "prevail_numerators", "expected_utilities", "risk_exponents",
           "offer_stage", "king_of_the_hill"]


# -- many samples at once (Monte Carlo; EUM.solve_batch) -----------------------------------------------
#
# The round of :func:`risk_exponents` and :func:`offer_stage` for the paper's choices, with a
# leading sample axis: the same prefix sums over voters sorted by position (:class:`Pairs`), the
# same elementwise formulas and the same sequential sums, so that each sample's forecast is its
# single run's to the last bit. Cost per round O(S n^2) values and O(S n^3) comparisons of bytes
# (the binary search for the midpoints, done as counts), memory O(S n^2).


def _relative_weight_rows(capability: np.ndarray, salience: np.ndarray) -> np.ndarray:
    """:func:`accord.stats.relative_weight` of each sample (row) on its own."""
    top = np.max(np.abs(capability), axis=1, keepdims=True, initial=0.0)
    e = np.frexp(np.where(np.isfinite(top), top, 0.0))[1]
    return np.ldexp(capability, -e) * salience


def _rounds_batch(x: np.ndarray, w: np.ndarray, s: np.ndarray, width: np.ndarray, opt: dict) -> np.ndarray:
    n_s, n = x.shape
    span = np.ptp(x, axis=1)
    d = span if opt["scale"] == "positions" else width
    active = (span > 0) & np.any(w > 0, axis=1) & (n >= 2)
    limit = opt["rounds"] if opt["rounds"] is not None else opt["max_rounds"]
    fast = batched(n_s, n)  # compiled where numba is installed: the same numbers, faster
    history = [] if fast else [x.copy()]  # (array code) the states so far, for the test of cycles
    earlier = np.empty((8, n_s, n))  # (compiled) the same: the state before each round
    for rnd in range(limit):
        if not active.any():
            break
        idx = np.flatnonzero(active)
        xa, wa, sa, da = x[idx], w[idx], s[idx], d[idx]
        if fast and opt["rounds"] is None:
            if rnd >= len(earlier):
                earlier = np.concatenate([earlier, np.empty_like(earlier)])
            earlier[rnd] = x
        if fast:
            new = batch_round(xa, wa, sa, da)
        else:
            pairs = _PairsBatch(xa, da)
            new = _offers_batch(pairs, wa, sa, _risk_batch(pairs, wa, sa))
        x[idx] = new
        if opt["rounds"] is None:  # the tests of _stopping, sample by sample
            tol, settle = opt["tol"] * da, opt["settle"] * da
            if fast:
                stop = stopped_batch(new, xa, earlier[:rnd], idx, tol, settle)
            else:
                stop = (np.abs(new - xa).max(axis=1) <= tol) | (np.ptp(new, axis=1) <= settle)
                for past in history[:-1]:
                    stop |= np.abs(new - past[idx]).max(axis=1) <= tol
            active[idx] = ~stop
        if not fast:
            history.append(x.copy())
    return x


class _PairsBatch:
    """:class:`Pairs` of each sample (rows of ``x``; ``d`` per sample)."""

    def __init__(self, x: np.ndarray, d: np.ndarray) -> None:
        n_s, n = x.shape
        self.x, self.d, self.n = x, d, n
        self.order = np.argsort(x, axis=1, kind="stable")
        self.xs = xs = np.take_along_axis(x, self.order, axis=1)
        self.inverse = np.argsort(self.order, axis=1)
        a, b = np.triu_indices(n, 1)
        mid = 0.5 * (xs[:, a] + xs[:, b])  # [S, pair]
        lo = np.zeros((n_s, n, n), dtype=np.intp)
        hi = np.zeros((n_s, n, n), dtype=np.intp)
        # np.searchsorted(xs, mid) on each row: the number of sorted positions below (at or below) mid
        below = (xs[:, :, None] < mid[:, None, :]).sum(axis=1)
        at_or_below = (xs[:, :, None] <= mid[:, None, :]).sum(axis=1)
        same = xs[:, a] == xs[:, b]
        hi[:, a, b] = np.where(same, 0, below)  # a's supporters: [0, left)
        lo[:, b, a] = np.where(same, n, at_or_below)  # b's supporters: [right, n)
        hi[:, b, a] = n
        # Where prevail's four prefix sums C[hi, b], C[lo, b], C[hi, a], C[lo, a] of each pair (a, b)
        # of sorted positions lie in a sample's flattened C [n + 1, n], gathered straight into the
        # actors' own order (pair (i, j) is sorted pair (inverse i, inverse j)).
        inv = self.inverse
        rows = np.arange(n_s)[:, None, None]
        ia, ib = inv[:, :, None], inv[:, None, :]
        start = rows * ((n + 1) * n)
        hi_o, lo_o = hi[rows, ia, ib] * n + start, lo[rows, ia, ib] * n + start
        self.gather = (hi_o + ib, lo_o + ib, hi_o + ia, lo_o + ia)
        self.equal = x[:, :, None] == x[:, None, :]
        self.delta = np.abs(x[:, :, None] - x[:, None, :]) / d[:, None, None]


def _prevail_batch(pairs: _PairsBatch, w: np.ndarray, r: np.ndarray | None) -> np.ndarray:
    """:func:`prevail` (pair denominator) of each sample; ``r`` None: every exponent 1."""
    n_s, n = pairs.x.shape
    xs = pairs.xs
    w_o = np.take_along_axis(w, pairs.order, axis=1)[:, :, None]
    base = np.abs(xs[:, :, None] - xs[:, None, :]) / pairs.d[:, None, None]  # [S, voter, column]
    if r is not None:  # u^1 is u: powers only for exponents other than 1
        base **= np.take_along_axis(r, pairs.order, axis=1)[:, :, None]
    B = w_o * base
    C = np.zeros((n_s, n + 1, n))
    np.cumsum(B, axis=1, out=C[:, 1:])
    hi_b, lo_b, hi_a, lo_a = (np.take(C, k) for k in pairs.gather)
    num = hi_b - lo_b
    num -= hi_a - lo_a
    np.maximum(num, 0.0, out=num)
    den = num + np.swapaxes(num, 1, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(den > 0, num / den, 0.5)
    p[pairs.equal] = 0.0
    return p


def _expected_batch(pairs: _PairsBatch, s: np.ndarray, P: np.ndarray, rho: np.ndarray | None):
    """:func:`expected_utilities` (q = 1) of each sample; ``rho`` None: every exponent 1. A sample
    whose exponents are all 1 takes the formulas without powers, as its single run does."""
    z = 0.5 * pairs.delta
    U_s, U_f = 2.0 - 4.0 * (0.5 - z), 2.0 - 4.0 * (0.5 + z)
    U_sq = np.zeros(pairs.x.shape)
    if rho is not None:
        powered = np.flatnonzero(~np.all(rho == 1.0, axis=1))
        r = rho[powered][:, :, None]
        U_s[powered] = 2.0 - 4.0 * (0.5 - z[powered]) ** r
        U_f[powered] = 2.0 - 4.0 * (0.5 + z[powered]) ** r
        U_sq[powered] = 2.0 - 4.0 * 0.5 ** rho[powered]
    sj, si = s[:, None, :], s[:, :, None]
    Pt = np.swapaxes(P, 1, 2)
    e1 = sj * (P * U_s + (1.0 - P) * U_f) + (1.0 - sj) * U_s - U_sq[:, :, None]
    e2 = si * (Pt * U_s + (1.0 - Pt) * U_f) + (1.0 - si) * U_s - U_sq[:, :, None]
    return e1, e2


def _risk_batch(pairs: _PairsBatch, w: np.ndarray, s: np.ndarray) -> np.ndarray:
    E, _ = _expected_batch(pairs, s, _prevail_batch(pairs, w, None), None)
    n = pairs.n
    E[:, np.arange(n), np.arange(n)] = 0.0
    danger = np.cumsum(E, axis=1)[:, -1, :]  # incoming, summed over challengers in actor order
    hi, lo = danger.max(axis=1, keepdims=True), danger.min(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        R = ((2.0 * danger - hi) - lo) / (hi - lo)
    r = (1.0 - R / 3.0) / (1.0 + R / 3.0)
    return np.where(hi == lo, 1.0, r)


def _offers_batch(pairs: _PairsBatch, w: np.ndarray, s: np.ndarray, r: np.ndarray) -> np.ndarray:
    x, d = pairs.x, pairs.d
    e1, e2 = _expected_batch(pairs, s, _prevail_batch(pairs, w, r), r)
    xi, xj = x[:, :, None], x[:, None, :]
    differ = ~pairs.equal
    conflict = differ & (e2 > e1) & (e1 > 0)
    mixed = differ & ~conflict & (e2 > 0) & (0 > e1)
    compromise = mixed & (e2 > np.abs(e1))
    capitulation = mixed & (e2 < np.abs(e1))
    with np.errstate(invalid="ignore", divide="ignore"):
        proposal = np.where(compromise, xi + (xj - xi) * np.abs(e1 / e2), np.broadcast_to(xj, e1.shape))
    offered = conflict | compromise | capitulation
    cost = np.where(offered, np.abs(proposal - xi), np.inf)
    best = cost.min(axis=2, keepdims=True)
    tied = offered & (cost <= best + 1e-9 * d[:, None, None])
    threat = np.where(tied, e2, -np.inf)
    tied &= threat >= threat.max(axis=2, keepdims=True)
    choice = np.argmin(np.where(tied, proposal, np.inf), axis=2)
    moves = np.isfinite(best[:, :, 0])
    taken = np.take_along_axis(proposal, choice[:, :, None], axis=2)[:, :, 0]
    return np.where(moves, taken, x)
