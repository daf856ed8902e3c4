"""Benchmark of KTAB's Spatial Model of Politics (smp): turns, time and peak memory of full runs.

    python benchmarks/smp.py           # synthetic 50 x 3 and 200 x 1, and the shipped KTAB files
    python benchmarks/smp.py --quick   # without 200 x 1

Synthetic scenarios follow the reference notes' generator (seed 20240601): capability
U(10, 200), positions U(0, 100), a total salience U(0.75, 0.99) split at random over the
dimensions. Shipped files are read from ../shared/data/ktab/ when present. Each run goes to
KTAB's stopping rule; time is the best of repeats (the machine may be shared: best-of-N is
the least disturbed run), peak memory from tracemalloc.

Work: turns x n^3, the third-party terms of every contest of every turn (the O(n^3) part that
dominates; the PCE over all positions adds O(n^3), the rest O(n^2 d) a turn). ``rows(quick)``
returns the table as dicts (for benchmarks/all.py).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from _measure import best_time, peak_mib  # noqa: E402
from accord.io import from_arrays, read_scenario  # noqa: E402
from accord.models import get_model  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ktab"


def synthetic(n: int, dims: int, seed: int = 20240601):
    rng = np.random.default_rng(seed)
    cap = rng.uniform(10, 200, n)
    pos = rng.uniform(0, 100, (n, dims))
    total = rng.uniform(0.75, 0.99, n)
    split = rng.dirichlet(np.ones(dims), n)
    sal = np.floor(1e4 * total[:, None] * split) / 1e4  # keeps every sum at most 1
    return from_arrays(pos, sal, cap, name=f"synthetic {n}x{dims}", assumption="synthetic benchmark data")


def measure(scenario, repeats: int):
    model = get_model("smp")()
    seconds, result = best_time(lambda: model.run(scenario), repeats)
    return result.positions.shape[0] - 1, seconds, peak_mib(lambda: model.run(scenario))


def cases(quick: bool) -> list[tuple]:
    cases = [("synthetic 50 x 3", synthetic(50, 3), "<= 0.5 s (KTAB: ~36 s CPU)", 3)]
    if not quick:
        cases.append(("synthetic 200 x 1", synthetic(200, 1), "<= 2 s (KTAB: hours)", 3))
    for name, target in (("dummyData_6Dim.csv", "<= 0.2 s (KTAB: 3.6 s)"), ("dummyData_3Dim.csv", "-"),
                         ("SOE-Pol-Comp.csv", "-"), ("dummyData-a040.csv", "-"), ("dummyData-a160.csv", "-")):
        if (SHARED / name).exists():
            cases.append((name, read_scenario(SHARED / name).scenario, target, 3))
    return cases


def rows(quick: bool = False) -> list[dict]:
    """One dict per case: scenario, size, turns, work (turns x n^3 third-party terms), seconds
    (best of repeats), peak MiB, target."""
    out = []
    for name, scenario, target, repeats in cases(quick):
        turns, seconds, peak = measure(scenario, repeats)
        out.append({"scenario": name, "size": f"{len(scenario.actors)} x {len(scenario.issues)}", "turns": turns,
                    "work": turns * len(scenario.actors) ** 3, "seconds": seconds, "peak_mib": peak, "target": target})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(f"{'scenario':<22} {'actors x dims':>13} {'turns':>5} {'turns x n^3':>12} {'time (s)':>9} {'peak MiB':>9}"
          "  target")
    for r in rows(args.quick):
        print(f"{r['scenario']:<22} {r['size']:>13} {r['turns']:>5} {r['work']:>12,} {r['seconds']:>9.3f} "
              f"{r['peak_mib']:>9.1f}  {r['target']}")


if __name__ == "__main__":
    main()
