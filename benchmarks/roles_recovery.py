"""Planted roles recovered: precision and recall of every role over seeds of the generator.

    python benchmarks/roles_recovery.py [--seeds 200] [--first 0] [--model influence]

Each seed builds a scenario around one archetype (accord.synthetic.planted) with the roles its
construction implies; the roles computed on it (score >= 0.5) are compared with those, actor
by actor. Prints one row per role and the time taken.
"""

from __future__ import annotations

import argparse
import time

from accord.models import get_model
from accord.roles import MEASURED, recovery


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--model", default="influence")
    args = parser.parse_args()
    start = time.perf_counter()
    table = recovery(get_model(args.model)(), range(args.first, args.first + args.seeds))
    elapsed = time.perf_counter() - start
    print(f"planted roles, seeds {args.first}..{args.first + args.seeds - 1}, model {args.model}")
    print(f"{'role':10s} {'planted':>8s} {'found':>6s} {'right':>6s} {'precision':>10s} {'recall':>7s}")
    for role in MEASURED:
        r = table[role]
        print(f"{role:10s} {r['planted']:8d} {r['found']:6d} {r['right']:6d} {r['precision']:10.3f} {r['recall']:7.3f}")
    print(f"time: {elapsed:.1f} s ({elapsed / args.seeds * 1000:.0f} ms per scenario)")


if __name__ == "__main__":
    main()
