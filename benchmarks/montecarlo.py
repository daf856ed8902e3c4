"""Benchmark of Monte Carlo over the evidence: samples per second per model, 1 and 2 workers.

    python benchmarks/montecarlo.py           # the Korea scenario, every model
    python benchmarks/montecarlo.py --quick   # fewer samples

Each model runs alone on N samples of the bundled Korea 2018 scenario (seed 0, batches of
1,000, or of N/2 for small N), in this process and on 2 worker processes; the time includes
drawing the samples. Machines shared with other work give noisy rates: rerun, and read the best.

``rows(quick)`` returns the first table as dicts, ``batched_rows()`` the batched forms of
exchange and SMP on Korea (samples/s of ``solve_batch`` against solving sample by sample, best
of 3, and whether the forecasts are identical), for benchmarks/all.py.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from _measure import best_time, peak_mib  # noqa: E402
from accord.cli import bundled  # noqa: E402
from accord.io import read_scenario  # noqa: E402
from accord.models import get_model  # noqa: E402
from accord.runner import add_uncertainty, run_models  # noqa: E402
from accord.uncertainty import sample_inputs  # noqa: E402

# samples per model: enough for a stable rate, few enough for the slow models
SAMPLES = {"mean": 100_000, "median": 100_000, "nash": 2_000, "eum": 2_000, "exchange": 1_000, "smp": 1_000}


def rate(scenario, model: str, samples: int, pool) -> float:
    results = run_models(scenario, [model], seed=0)
    start = time.perf_counter()
    # at least two batches, so that two workers have work
    add_uncertainty(scenario, results, samples, 0, pool=pool, batch=min(1000, max(1, samples // 2)))
    return samples / (time.perf_counter() - start)


def ten_thousand(scenario) -> None:
    """The issue's figures: 10,000 samples in this process, best of 3, default and larger batches."""
    print("\n10,000 samples in this process (best of 3 s)")
    print(f"{'model':<9} {'batches of 1,000':>17} {'batches of 5,000':>17}")
    for model in ("mean", "median", "eum"):
        results = run_models(scenario, [model], seed=0)
        cells = [best_time(lambda b=b, r=results: add_uncertainty(scenario, r, 10_000, 0, batch=b), 3)[0]
                 for b in (1000, 5000)]
        print(f"{model:<9} {cells[0]:>17.3f} {cells[1]:>17.3f}")


def eum_rows(quick: bool = False) -> list[dict]:
    """The Monte Carlo rows of the benchmark table: Korea, 10,000 samples (1,000 with ``quick``) in this
    process, batches of 1,000, best of 3; the time includes drawing the samples. Work: the samples'
    runs, each issue of each sample one EUM run."""
    scenario = read_scenario(bundled("korea-2018")).scenario
    samples = 1_000 if quick else 10_000
    out = []
    for model, target in (("eum", 0.5), ("influence", None)):
        results = run_models(scenario, [model], seed=0)
        seconds, _ = best_time(lambda r=results: add_uncertainty(scenario, r, samples, 0, batch=1000), 3)
        peak = peak_mib(lambda r=results: add_uncertainty(scenario, r, samples, 0, batch=1000))
        out.append({"work": f"Monte Carlo, Korea, {samples:,} samples, {model}", "seconds": seconds,
                    "target_s": target if samples == 10_000 else None, "peak_mib": peak, "operations": samples,
                    "unit": "samples", "rate": samples / seconds})
    return out


def rows(quick: bool = False, models: tuple[str, ...] = tuple(SAMPLES)) -> list[dict]:
    """One dict per model: samples, samples/s on 1 worker and on 2 worker processes."""
    scenario = read_scenario(bundled("korea-2018")).scenario
    out = []
    with ProcessPoolExecutor(2) as pool:
        for model in models:
            n = SAMPLES[model] // 10 if quick else SAMPLES[model]
            one, two = rate(scenario, model, n, None), rate(scenario, model, n, pool)
            out.append({"model": model, "samples": n, "per_s_1_worker": one, "per_s_2_workers": two})
    return out


def batched_rows(samples: int = 1000, alone: int = 30) -> list[dict]:
    """exchange and SMP on Korea: ``samples`` by the batched form (solve_batch) against ``alone``
    solved one by one (the path without it), samples/s best of 3, and whether the forecasts are
    identical."""
    scenario = read_scenario(bundled("korea-2018")).scenario
    base, draws = scenario.inputs(), sample_inputs(scenario, samples, seed=0)
    out = []
    for name in ("exchange", "smp"):
        model = get_model(name)()
        model.solve_batch(base, draws.part(0, 2))  # compiled kernels loaded before timing
        batched_s, batched = best_time(lambda m=model: m.solve_batch(base, draws), 3)
        part = draws.part(0, alone)
        single_s, single = best_time(lambda m=model, p=part: one_by_one(m, base, p), 3)
        out.append({"model": name, "samples": samples, "batched_per_s": samples / batched_s,
                    "one_by_one_per_s": alone / single_s, "identical": bool((batched[:alone] == single).all())})
    return out


def one_by_one(model, base, draws):
    return np.array([model.evaluate(draws.inputs(base, j), np.random.default_rng(
        np.random.SeedSequence(0, spawn_key=(j,)))).forecast for j in range(len(draws))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--models", default=",".join(SAMPLES), help="comma-separated models (default: all)")
    args = parser.parse_args()
    print(f"{'model':<9} {'samples':>8} {'1 worker (samples/s)':>21} {'2 workers (samples/s)':>22} {'speed-up':>9}")
    for r in rows(args.quick, tuple(args.models.split(","))):
        one, two = r["per_s_1_worker"], r["per_s_2_workers"]
        print(f"{r['model']:<9} {r['samples']:>8} {one:>21,.0f} {two:>22,.0f} {two / one:>8.2f}x")
    print(f"\n{'batched form':<13} {'samples':>8} {'batched (samples/s)':>20} {'one by one (samples/s)':>23} "
          f"{'identical':>9}")
    for r in batched_rows(200 if args.quick else 1000):
        print(f"{r['model']:<13} {r['samples']:>8} {r['batched_per_s']:>20,.0f} {r['one_by_one_per_s']:>23,.0f} "
              f"{str(r['identical']):>9}")
    ten_thousand(read_scenario(bundled("korea-2018")).scenario)


if __name__ == "__main__":
    main()
