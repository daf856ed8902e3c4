"""The actors as a network: who agrees with whom, and who challenges whom.

*Agreement* of two actors is one minus the distance of their positions, as a share of each
issue's scale, averaged over the issues both take part in with weights the mean of their two
saliences on the issue: 1 for actors who stand together wherever they care, 0 for actors at
opposite ends of every scale. *Challenges* are read from a model's run where it records them:
the expected utility model's accepted demands (the demanding actor to the one that gives
way), else the spatial model's challenges (initiator to target).

The figure is a *map of agreement*: each actor where a classical (Torgerson) scaling of the
disagreements puts it, so that the distance between two actors is about their disagreement
as a share of the scales and the first axis is the main divide; only the backbone of ties is
drawn (:meth:`Network.ties`), not every pair. The layout is deterministic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..models import Result
from ..scenario import Inputs, Scenario
from ..stats import weighted_mean
from ..views import challenge_pairs


@dataclass(frozen=True)
class Network:
    actors: tuple[str, ...]
    capability: np.ndarray  # per actor: its capability (the mean over issues where it varies)
    weight: np.ndarray  # per actor: capability x salience summed over the issues
    agreement: np.ndarray  # actors x actors in [0, 1]; NaN on the diagonal and where no issue is shared
    challenges: np.ndarray | None  # actors x actors: how often row challenged column; None if no model records it
    challenge_model: str | None
    challenge_meaning: str

    def closest(self, k: int | None = None) -> list[tuple[int, int, float]]:
        """The ``k`` pairs of highest agreement (default: every pair with a shared issue) as (a, b, agreement)."""
        a, b = np.triu_indices(len(self.actors), 1)
        values = self.agreement[a, b]
        keep = np.flatnonzero(np.isfinite(values))
        keep = keep[np.argsort(-values[keep], kind="stable")][:k]
        return [(int(a[j]), int(b[j]), float(values[j])) for j in keep]

    def strongest(self, k: int | None = None) -> list[tuple[int, int, int]]:
        """The ``k`` most frequent challenges (default: one per actor, at most 12) as (from, to, count)."""
        if self.challenges is None:
            return []
        pairs = [(int(a), int(b), int(self.challenges[a, b])) for a, b in zip(*np.nonzero(self.challenges))]
        pairs.sort(key=lambda p: (-p[2], p[0], p[1]))
        return pairs[:min(len(self.actors), 12) if k is None else k]

    def ties(self) -> list[tuple[int, int, float]]:
        """The backbone drawn: the third of the pairs that agree most, and each actor's closest
        ally (so that no actor hangs alone), as (a, b, agreement), closest first.

        >>> agree = np.array([[np.nan, .9, .2, .1], [.9, np.nan, .3, .2], [.2, .3, np.nan, .8], [.1, .2, .8, np.nan]])
        >>> net = Network(("A", "B", "C", "D"), np.ones(4), np.ones(4), agree, None, None, "")
        >>> net.ties()
        [(0, 1, 0.9), (2, 3, 0.8)]
        """
        pairs = self.closest()
        keep = set(pairs[:max(1, len(pairs) // 3)])
        for a in range(len(self.actors)):
            keep |= set([p for p in pairs if a in p[:2]][:1])
        return [p for p in pairs if p in keep]

    def map(self) -> np.ndarray:
        """(actors, 2): the classical scaling of the disagreements (distances about the
        disagreement, a share of the scales; the first axis the main divide)."""
        if len(self.actors) < 2:
            return np.zeros((len(self.actors), 2))
        xy = scaling(self.agreement)
        return np.pad(xy, ((0, 0), (0, 2 - xy.shape[1])))

    def layout(self) -> np.ndarray:
        """(actors, 2) coordinates on the unit circle, allies side by side, the first actor's neighbourhood on top."""
        return circle(self.agreement)


def network(scenario: Scenario, results: Sequence[Result]) -> Network:
    inputs = scenario.inputs()
    challenges, model, meaning = challenge_counts(results, inputs.actors)
    return Network(inputs.actors, capability(inputs), inputs.weight.sum(axis=1), agreement(inputs), challenges, model,
                   meaning)


def agreement(inputs: Inputs) -> np.ndarray:
    """Salience-weighted agreement of every pair of actors (see the module docstring)."""
    x = (inputs.position - inputs.scale_min) / (inputs.scale_max - inputs.scale_min)
    both = inputs.present[:, None, :] & inputs.present[None, :, :]
    weight = np.where(both, (inputs.salience[:, None, :] + inputs.salience[None, :, :]) / 2, 0.0)
    distance = np.where(both, np.abs(x[:, None, :] - x[None, :, :]), 0.0)
    total = weight.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = 1.0 - (weight * distance).sum(axis=-1) / total
    out[total == 0] = np.nan
    np.fill_diagonal(out, np.nan)
    return out


def capability(inputs: Inputs) -> np.ndarray:
    """Each actor's mean capability over its issues (a sum of capabilities of 1e308 would overflow)."""
    c = np.where(inputs.present, inputs.capability, np.nan)
    return weighted_mean(c, np.ones_like(c))


def challenge_counts(results: Sequence[Result], actors: tuple[str, ...]
                     ) -> tuple[np.ndarray | None, str | None, str]:
    """Counts of challenges (row to column) from the first model that records them, with what they mean
    (:func:`accord.views.challenge_pairs`)."""
    pairs, model, meaning = challenge_pairs(results)
    if pairs is None:
        return None, None, meaning
    return _count(pairs.itertuples(index=False), {a: k for k, a in enumerate(actors)}), model, meaning


def _count(pairs, index: dict[str, int]) -> np.ndarray:
    out = np.zeros((len(index), len(index)), dtype=int)
    for source, target in pairs:
        out[index[source], index[target]] += 1
    return out


def circle(agreement: np.ndarray) -> np.ndarray:
    """Places on the unit circle, clockwise from the top, ordered by angle in a 2-D classical scaling."""
    n = len(agreement)
    if n < 3:
        order = np.arange(n)
    else:
        angle = np.arctan2(*scaling(agreement)[:, ::-1].T)
        order = np.argsort(np.round(angle - angle[0], 12) % (2 * np.pi), kind="stable")
    theta = np.pi / 2 - 2 * np.pi * np.arange(n) / max(n, 1)
    out = np.empty((n, 2))
    out[order] = np.column_stack([np.cos(theta), np.sin(theta)])
    return out


def scaling(agreement: np.ndarray, dims: int = 2) -> np.ndarray:
    """Classical scaling of the disagreements (1 - agreement; pairs with no shared issue at the largest)."""
    d = 1.0 - agreement
    d = np.where(np.isnan(d), np.nanmax(d, initial=1.0), d)
    np.fill_diagonal(d, 0.0)
    n = len(d)
    centre = np.eye(n) - 1.0 / n
    b = -0.5 * centre @ (d**2) @ centre
    values, vectors = np.linalg.eigh((b + b.T) / 2)
    top = np.argsort(values, kind="stable")[::-1][:dims]
    coords = vectors[:, top] * np.sqrt(np.clip(values[top], 0.0, None))
    signs = np.sign(coords[np.argmax(np.abs(coords), axis=0), np.arange(coords.shape[1])])
    return coords * np.where(signs == 0, 1.0, signs)
