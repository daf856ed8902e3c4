"""Benchmark of the expected utility model: time and peak memory by number of actors.

    python benchmarks/eum.py            # the table of the issue's targets
    python benchmarks/eum.py --quick    # small sizes only

Synthetic single-issue scenarios (seed 20240601): positions U[0, 100] rounded to 0.1,
capability U[0.05, 1], salience U[0.1, 1], as in the reference notes. Each case runs exactly
10 rounds; the time is the best of several repeats, the peak memory is what numpy and Python
allocate during one run (tracemalloc). Run it with one thread: OMP_NUM_THREADS=1.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from accord.io import from_arrays  # noqa: E402
from _measure import best_time, peak_mib  # noqa: E402
from accord.models import get_model  # noqa: E402


def synthetic(n: int, seed: int = 20240601):
    rng = np.random.default_rng(seed)
    x = np.round(rng.uniform(0, 100, n), 1)
    c = rng.uniform(0.05, 1, n)
    s = rng.uniform(0.1, 1, n)
    return from_arrays(x[:, None], s[:, None], c, name=f"synthetic-{n}", assumption="synthetic benchmark data")


def measure(n: int, preset: str, repeats: int, offers: str = "auto") -> tuple[float, float, float]:
    scenario = synthetic(n)
    model = get_model("eum")(preset=preset, rounds=10, offers=offers)
    model.run(scenario)  # warm caches and imports
    seconds, result = best_time(lambda: model.run(scenario), repeats)
    return seconds, peak_mib(lambda: model.run(scenario)), float(result.forecast[0])


#: The issue's rows: (actors, preset, target in seconds).
TARGETS = [(200, "paper", 0.05), (1000, "paper", 1.0)]


def rows(quick: bool = False) -> list[dict]:
    """The EUM rows of the benchmark table: 10 rounds on one issue, best of 5 (2 for 1,000 actors).

    Work: each round evaluates every ordered pair twice (the risk stage with r = 1, then the
    offers), each pair's probability from prefix sums over the voters: 2 n (n - 1) pairs a round.
    """
    out = []
    for n, preset, target in TARGETS:
        if quick and n > 200:
            continue
        seconds, peak, forecast = measure(n, preset, 5 if n <= 200 else 2)
        pairs = 10 * 2 * n * (n - 1)
        out.append({"work": f"EUM {n} actors x 10 rounds", "seconds": seconds, "target_s": target,
                    "peak_mib": peak, "operations": pairs, "unit": "pair evaluations",
                    "rate": pairs / seconds, "forecast": forecast})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only n <= 200")
    args = parser.parse_args()
    cases = [(10, "paper", "-"), (14, "scholz-code", "<= 0.020 s"), (50, "paper", "-"), (200, "paper", "<= 0.25 s"),
             (1000, "paper", "<= 10 s")]
    if args.quick:
        cases = [c for c in cases if c[0] <= 200]
    print("time and peak memory of 10 rounds; 'kernel' columns record no offers table (offers=none)")
    print(f"{'actors':>6}  {'preset':<12} {'time (s)':>9} {'peak MiB':>9} {'kernel s':>9} {'kernel MiB':>10} "
          f"{'forecast':>9}  target")
    for n, preset, target in cases:
        repeats = 5 if n <= 200 else 2
        seconds, peak, forecast = measure(n, preset, repeats)
        kernel, kernel_peak, _ = measure(n, preset, repeats, offers="none")
        print(f"{n:>6}  {preset:<12} {seconds:>9.4f} {peak:>9.1f} {kernel:>9.4f} {kernel_peak:>10.1f} "
              f"{forecast:>9.3f}  {target}")


if __name__ == "__main__":
    main()
