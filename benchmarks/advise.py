"""Benchmark of `accord advise`: the Korea scenario, 100 draws per reading, default models.

    python benchmarks/advise.py            # every actor, best of 3, 1 and 2 workers
    python benchmarks/advise.py --quick    # Russia only, best of 2

Each actor's advice runs every lever (own position, salience, persuasion, coalitions, vetoes)
under the consensus and the three sources' readings, with the default models (mean, median,
eum), 100 draws of the evidence per reading, seed 0; the time includes drawing the samples.
Wall times on a shared machine depend on its load; the CPU time of the one-process run (this
process's, best of the repeats) does much less, and is printed beside them.
"""

from __future__ import annotations

import argparse
import os
import time
from functools import partial

os.environ.setdefault("OMP_NUM_THREADS", "1")

from _measure import best_time  # noqa: E402
from accord.advice import DEFAULT_MODELS, advise  # noqa: E402
from accord.cli import bundled  # noqa: E402
from accord.io import read_scenario  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--samples", type=int, default=100)
    args = parser.parse_args()
    scenario = read_scenario(bundled("korea-2018")).scenario
    actors = ["RUS"] if args.quick else list(scenario.actor_ids)
    repeats = 2 if args.quick else 3
    advise(scenario, "RUS", samples=10)  # warm up: imports, numba
    print(f"accord advise, Korea 2018, models {', '.join(DEFAULT_MODELS)}, {args.samples} draws per reading "
          f"(best of {repeats} s)")
    print(f"{'actor':<6} {'levers':>6} {'1 process':>10} {'its CPU':>8} {'2 workers':>10}")
    totals = [0.0, 0.0, 0.0]
    for actor in actors:
        one, result = best_time(partial(advise, scenario, actor, samples=args.samples), repeats)
        cpu = min(cpu_time(partial(advise, scenario, actor, samples=args.samples)) for _ in range(repeats))
        two, _ = best_time(partial(advise, scenario, actor, samples=args.samples, workers=2), repeats)
        totals = [totals[0] + one, totals[1] + cpu, totals[2] + two]
        print(f"{actor:<6} {len(result.levers):>6} {one:>10.2f} {cpu:>8.2f} {two:>10.2f}")
    print(f"{'all':<6} {'':>6} {totals[0]:>10.2f} {totals[1]:>8.2f} {totals[2]:>10.2f}")


def cpu_time(run) -> float:
    start = time.process_time()
    run()
    return time.process_time() - start


if __name__ == "__main__":
    main()
