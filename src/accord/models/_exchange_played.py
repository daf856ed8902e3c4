"""A round of the exchange model as played, whatever its arithmetic (floats in
:mod:`accord.models.exchange`, decide's decimals in :mod:`accord.models._exchange_decimal`):
the executed exchanges, the voting positions they leave, their externalities, and the rows of
the model's tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..scenario import Inputs


def outcome(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Weighted mean per issue (last axis) over the actors present (the axis before; any axes
    before it are samples, each summed as alone: actor by actor, in order)."""
    present = ~np.isnan(x)
    total = np.where(present, w, 0.0).sum(-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, np.where(present, w * x, 0.0).sum(-2) / total, np.nan)


@dataclass
class Played:
    """A round as played, whatever the arithmetic: its start (positions X0 on 0..100, saliences S,
    weights W, outcomes O) and its executed exchanges in order, as arrays (exchanges, 2) over the
    sides I (column 0, supplies the pair's second issue) and J: actor, supply issue, start x0,
    voting position y, and the supply issue's outcome before (nbs0) and after (nbs1) as the
    exchange saw it; its gain, and the pair of groups that traded (inner: 0 for a-d, 1 for b-c)."""

    X0: np.ndarray
    S: np.ndarray
    W: np.ndarray
    O: np.ndarray
    actor: np.ndarray
    supply: np.ndarray
    x0: np.ndarray
    y: np.ndarray
    nbs0: np.ndarray
    nbs1: np.ndarray
    gain: np.ndarray
    inner: np.ndarray

    def externalities(self) -> np.ndarray:
        """Per actor: own gains, and the effects of the others' exchanges on it (inner and outer
        to the trading groups, positive and negative), over this round's exchanges at once."""
        ext = np.zeros((self.X0.shape[0], 5))
        n_ex = self.gain.size
        if not n_ex:
            return ext
        nbs0, nbs1 = self.nbs0, self.nbs1
        # Sums by np.bincount: in the order given, as np.add.at adds, and much faster.
        ext[:, 0] = np.bincount(self.actor.ravel(), np.repeat(self.gain, 2), minlength=len(ext))
        p, q = self.supply[:, 1], self.supply[:, 0]  # J supplies the pair's first issue p, I the second q
        x_p, x_q = self.X0[:, p].T, self.X0[:, q].T  # (exchanges, actors)
        effect = (self.S[:, p].T * (np.abs(nbs0[:, 1:2] - x_p) - np.abs(nbs1[:, 1:2] - x_p))
                  + self.S[:, q].T * (np.abs(nbs0[:, 0:1] - x_q) - np.abs(nbs1[:, 0:1] - x_q)))
        bystander = ~np.isnan(effect)
        bystander[np.arange(n_ex), self.actor[:, 0]] = False
        bystander[np.arange(n_ex), self.actor[:, 1]] = False
        group = (x_p <= self.O[p][:, None]).astype(int) + 2 * (x_q <= self.O[q][:, None])
        inner = np.where(self.inner[:, None] == 0, (group == 0) | (group == 3), (group == 1) | (group == 2))
        col = np.where(inner, np.where(effect > 0, 1, 2), np.where(effect > 0, 3, 4))
        rows, actors = np.nonzero(bystander)
        flat = actors * ext.shape[1] + col[rows, actors]
        ext[:, 1:] = np.bincount(flat, effect[rows, actors], minlength=ext.size).reshape(ext.shape)[:, 1:]
        return ext

    def voting_positions(self) -> np.ndarray:
        """Each actor's position after its last exchange of the round on each issue (0..100)."""
        y = self.X0.copy()
        for e in range(self.gain.size):
            for side in (0, 1):
                y[self.actor[e, side], self.supply[e, side]] = self.y[e, side]
        return y

    def report(self, rnd: int, y: np.ndarray, inputs: Inputs, rows: dict) -> None:
        """Append this round's exchanges, voting positions and externalities, on the issues' own scales
        (each value computed over all rows at once, as for one row)."""
        actors, issues = np.array(inputs.actors, dtype=object), np.array(inputs.issues, dtype=object)
        unit = (inputs.scale_max - inputs.scale_min) / 100.0
        back = lambda v, k: v * unit[k] + inputs.scale_min[k]  # noqa: E731
        columns: dict[str, Any] = {"round": [rnd] * self.gain.size}
        for side, who in ((0, "i"), (1, "j")):
            k = self.supply[:, side]
            columns |= {f"actor_{who}": actors[self.actor[:, side]], f"supply_issue_{who}": issues[k],
                        f"demand_issue_{who}": issues[self.supply[:, 1 - side]],
                        f"move_{who}": (self.y[:, side] - self.x0[:, side]) * unit[k],
                        f"voting_position_{who}": back(self.y[:, side], k)}
        columns["gain"] = self.gain
        rows["exchanges"].extend(dict(zip(columns, row)) for row in zip(*columns.values()))
        vote = outcome(y, self.W)
        k, a = np.nonzero(~np.isnan(y.T))  # issue by issue, actors in order
        rows["voting"].extend({"round": rnd, "issue": issue, "actor": actor, "voting_position": position,
                               "voting_outcome": result}
                              for issue, actor, position, result in zip(issues[k], actors[a], back(y[a, k], k),
                                                                        back(vote[k], k)))
        for a, (own, ip, ineg, op, oneg) in enumerate(self.externalities()):
            actor = actors[a]
            rows["externalities"].append({"round": rnd, "actor": actor, "own": own, "inner_positive": ip,
                                          "inner_negative": ineg, "outer_positive": op, "outer_negative": oneg})
