"""Benchmark of Stokman's exchange model (exchange): exchanges, time and peak memory of 10 rounds.

    python benchmarks/exchange.py          # synthetic 100 x 5 and 200 x 5, and decide's cases
    python benchmarks/exchange.py --quick  # without 200 x 5

Synthetic scenarios follow the reference notes' generator (seed 42): integer positions
U{0..100}, salience U(0.1, 1), one power per actor U(0.05, 1) on all issues. decide's cases
are read from ../shared/data/decide/ when present. Time is the best of repeats (the machine
may be shared: best-of-N is the least disturbed run).

Work: the candidate exchanges of the first round (M, up to K(K-1)/8 n^2) and the exchanges
executed over all rounds (E). A round costs O(M) to build and evaluate the candidates and
O(E (h + log M)) to execute them, h the candidates that share an actor-issue with an executed
one (recomputed; with the extra "fast" the whole round is compiled and, from 3,000
candidates, picks from a heap).

``rows(quick)`` returns the table as dicts (for benchmarks/all.py).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from _measure import best_time, peak_mib  # noqa: E402
from accord.io import from_arrays, read_scenario  # noqa: E402
from accord.models import get_model  # noqa: E402
from accord.models.exchange import Round  # noqa: E402
from accord.stats import relative_weight  # noqa: E402

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "decide"


def synthetic(n: int, issues: int, seed: int = 42):
    rng = np.random.default_rng(seed)
    pos = rng.integers(0, 101, (n, issues))
    sal = rng.uniform(0.1, 1.0, (n, issues))
    power = rng.uniform(0.05, 1.0, n)
    return from_arrays(pos, sal, power, name=f"synthetic {n}x{issues}", assumption="synthetic benchmark data")


def candidates(scenario) -> int:
    """The candidate exchanges of the first round."""
    inputs = scenario.inputs()
    x = np.where(inputs.present, (inputs.position - inputs.scale_min) * 100.0 / (inputs.scale_max - inputs.scale_min),
                 np.nan)
    w = relative_weight(inputs.capability, inputs.salience, inputs.present)
    return Round(x, inputs.salience, w, 0.0, "order", np.random.default_rng(0)).M


def measure(scenario, repeats: int):
    model = get_model("exchange")(rounds=10)
    seconds, result = best_time(lambda: model.run(scenario, seed=0), repeats)
    return len(result.table_frame("exchanges")), seconds, peak_mib(lambda: model.run(scenario, seed=0))


def rows(quick: bool = False) -> list[dict]:
    """One dict per case: scenario, size, first-round candidates, exchanges, seconds (best of repeats),
    peak MiB, target."""
    out = []
    for name, scenario, target, repeats in cases(quick):
        count, seconds, peak = measure(scenario, repeats)
        out.append({"scenario": name, "size": f"{len(scenario.actors)} x {len(scenario.issues)}",
                    "candidates": candidates(scenario), "exchanges": count, "seconds": seconds, "peak_mib": peak,
                    "target": target})
    return out


def cases(quick: bool) -> list[tuple]:
    cases = []
    for name, target in (("cop21.csv", "<= 0.2 s (decide: ~30 s)"), ("copenhagen.csv", "-"), ("sample_data.txt", "-")):
        if (SHARED / name).exists():
            cases.append((name, read_scenario(SHARED / name).scenario, target, 3))
    cases.append(("synthetic 100 x 5", synthetic(100, 5), "<= 0.3 s (decide: ~190 s a round)", 3))
    if not quick:
        cases.append(("synthetic 200 x 5", synthetic(200, 5), "<= 10 s (decide: hours)", 1))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(f"{'scenario':<20} {'actors x issues':>15} {'candidates':>10} {'exchanges':>9} {'time (s)':>9} "
          f"{'peak MiB':>9}  target")
    for r in rows(args.quick):
        print(f"{r['scenario']:<20} {r['size']:>15} {r['candidates']:>10} {r['exchanges']:>9} {r['seconds']:>9.3f} "
              f"{r['peak_mib']:>9.1f}  {r['target']}")


if __name__ == "__main__":
    main()
