"""Synthetic scenarios with planted roles, for testing that role analysis finds what is there.

:func:`planted` builds a one-issue scenario on a 0-100 scale around one archetype, with the
roles its construction implies (the *truth*), from a seed. The background is a majority of
blocs whose members share a position (so no single member decides anything); each archetype
then adds the actors that carry roles:

* ``broker``: two balanced blocs too far apart to hear each other, and an actor between them,
  within reach of both; it is the broker and, holding the balance, the pivot.
* ``spoiler``: two blocs within reach of each other, which would settle together, and a strong
  actor that cares most, within reach of the nearer bloc only: it drags that bloc away and keeps
  the blocs apart (spoiler, Stedman 1997), and does not move (hardliner).
* ``hardliner``: a weak actor at the edge that cares most: it does not move, but pulls little.
* ``follower``: a strong, committed patron away from the majority (a hardliner), and a weak
  actor near it that cares little and ends at the patron's position.
* ``enabler``: a weak actor at the edge that cares most, and near it a strong actor that cares
  less whose votes raise its chances (the enabler; apart, it is also a hardliner); the weak
  actor stands firm (hardliner). Being strong and far from the majority, neither is a spoiler:
  the majority settles with them or without them.
* ``isolate``: an actor that cares intensely about an issue the others barely weigh; carrying
  most of the weight, it also decides the outcome (pivot).

The distances are chosen against the influence model's default confidence (0.3 of the scale).
"""

from __future__ import annotations

import numpy as np

from .io import from_arrays
from .scenario import Scenario

ARCHETYPES = ("broker", "spoiler", "hardliner", "follower", "enabler", "isolate")


def planted(seed: int, archetype: str | None = None) -> tuple[Scenario, dict[str, set[str]]]:
    """A scenario with planted roles and its truth: role -> the ids of the actors that hold it.

    Without ``archetype`` the seed chooses one, cycling through :data:`ARCHETYPES`."""
    rng = np.random.default_rng(seed)
    archetype = archetype or ARCHETYPES[seed % len(ARCHETYPES)]
    pos: list[float] = []
    sal: list[float] = []
    cap: list[float] = []
    truth: dict[str, set[str]] = {}

    def actor(position, salience, capability, roles=()):
        pos.append(float(position))
        sal.append(float(salience))
        cap.append(float(capability))
        for role in roles:
            truth.setdefault(role, set()).add(f"A{len(pos) - 1}")

    def bloc(center, members, salience=(0.3, 0.5)):
        for _ in range(members):
            actor(center, rng.uniform(*salience), rng.uniform(0.8, 1.2))

    k = int(rng.integers(3, 6))  # members per bloc
    majority = rng.uniform(25, 45)
    if archetype == "broker":
        center, gap = rng.uniform(40, 60), rng.uniform(18, 26)
        bloc(center - gap, k)
        bloc(center + gap, k)
        left, right = sum(s * c for s, c in zip(sal[:k], cap[:k])), sum(s * c for s, c in zip(sal[k:], cap[k:]))
        for j in range(k, 2 * k):  # balance the blocs' weights, so that the actor between them holds the balance
            cap[j] *= left / right
        actor(center + rng.uniform(-3, 3), rng.uniform(0.5, 0.7), rng.uniform(1.5, 2.5), ("broker", "pivot"))
    elif archetype == "spoiler":
        near = rng.uniform(35, 55)
        bloc(near, k, salience=(0.25, 0.3))
        bloc(near + rng.uniform(20, 26), k, salience=(0.45, 0.5))
        actor(near - rng.uniform(23, 28), rng.uniform(0.75, 0.8), k * rng.uniform(1.2, 1.5), ("spoiler", "hardliner"))
    elif archetype == "hardliner":
        bloc(majority, k)
        bloc(majority + rng.uniform(-6, 6), k)
        actor(rng.uniform(85, 100), rng.uniform(0.85, 0.95), rng.uniform(0.2, 0.4), ("hardliner",))
    elif archetype == "follower":
        bloc(majority, k)
        bloc(majority + rng.uniform(-6, 6), k)
        patron = rng.uniform(85, 95)
        actor(patron, rng.uniform(0.8, 0.9), rng.uniform(1.2, 1.5), ("hardliner",))
        actor(patron - rng.uniform(12, 20), rng.uniform(0.05, 0.15), rng.uniform(0.2, 0.4), ("follower",))
    elif archetype == "enabler":
        bloc(majority, k)
        bloc(majority + rng.uniform(-6, 6), k)
        edge = rng.uniform(92, 100)
        actor(edge, rng.uniform(0.8, 0.9), rng.uniform(0.3, 0.5), ("hardliner",))
        actor(edge - rng.uniform(5, 12), rng.uniform(0.3, 0.4), rng.uniform(3.5, 4.5),
              ("enabler", "hardliner"))
    elif archetype == "isolate":
        bloc(majority, k, salience=(0.05, 0.15))
        bloc(majority + rng.uniform(-6, 6), k, salience=(0.05, 0.15))
        actor(majority + rng.choice([-1, 1]) * rng.uniform(4, 8), rng.uniform(0.8, 0.95), rng.uniform(2.5, 3.5),
              ("isolate", "pivot"))
    else:
        raise ValueError(f"unknown archetype {archetype!r}; known: {', '.join(ARCHETYPES)}")
    scenario = from_arrays(np.array(pos)[:, None], np.array(sal)[:, None], np.array(cap), issues=["x"],
                           name=f"planted {archetype} (seed {seed})",
                           assumption=f"synthetic scenario with a planted {archetype}, seed {seed}")
    return scenario, truth
