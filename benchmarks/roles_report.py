"""Benchmark of the commands that run models many times: roles and the report, on Korea.

    python benchmarks/roles_report.py           # roles with 100 samples, the report with 200
    python benchmarks/roles_report.py --quick   # roles only, 20 samples

``accord roles`` runs, per sample of the evidence, the model and its n counterfactuals (the
scenario without each actor): 100 x (n + 1) runs, all a job's samples together. The report
runs every model, Monte Carlo (200 samples per model), the roles (100 samples), the readings,
the tornado and the stability check; its row is broken down by stage, so that what dominates
is a number. Times are the best of 3 (the report: of 1) in this process, without start-up.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

from _measure import best_time, peak_mib  # noqa: E402
from accord.cli import bundled  # noqa: E402
from accord.io import read_scenario  # noqa: E402
from accord.role_analysis import analyse  # noqa: E402


def korea():
    return read_scenario(bundled("korea-2018")).scenario


def roles_rows(samples: int = 100, repeats: int = 3) -> list[dict]:
    """``accord roles`` on Korea: the analysis with ``samples`` samples (default model: influence)."""
    scenario = korea()
    runs = samples * (len(scenario.actors) + 1)
    seconds, _ = best_time(lambda: analyse(scenario, samples=samples, seed=0), repeats)
    peak = peak_mib(lambda: analyse(scenario, samples=samples, seed=0))
    return [{"work": f"accord roles on Korea, {samples} samples", "seconds": seconds,
             "target_s": 2.0 if samples == 100 else None, "peak_mib": peak, "operations": runs,
             "unit": "model runs", "rate": runs / seconds}]


def report_rows(samples: int = 200) -> list[dict]:
    """``accord report`` on Korea with ``samples`` Monte Carlo samples: the computation (build), once,
    with the seconds of each stage (the stages of its progress bars)."""
    from accord.report import build

    stages: dict[str, float] = {}
    clock = {"stage": None, "start": time.perf_counter()}

    def progress(label: str):
        now = time.perf_counter()
        if clock["stage"] is not None:
            stages[clock["stage"]] = stages.get(clock["stage"], 0.0) + now - clock["start"]
        clock.update(stage=label, start=now)
        return None

    scenario = korea()
    start = time.perf_counter()
    build(scenario, samples=samples, seed=0, progress=progress)
    seconds = time.perf_counter() - start
    progress("end")
    return [{"work": f"accord report on Korea, --samples {samples}", "seconds": seconds,
             "target_s": 5.0 if samples == 200 else None, "stages": stages}]


def rows(quick: bool = False) -> list[dict]:
    return roles_rows(20, 1) if quick else roles_rows() + report_rows()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print(f"{'work':<40} {'time (s)':>9} {'target':>7} {'peak MiB':>9}  detail")
    for row in rows(args.quick):
        target = f"{row['target_s']:g}" if row.get("target_s") else "-"
        peak = f"{row['peak_mib']:.1f}" if "peak_mib" in row else "-"
        detail = (f"{row['operations']:,} {row['unit']}, {row['rate']:,.0f}/s" if "rate" in row else
                  ", ".join(f"{k} from {v:.2f} s" for k, v in row["stages"].items()))
        print(f"{row['work']:<40} {row['seconds']:>9.3f} {target:>7} {peak:>9}  {detail}")


if __name__ == "__main__":
    main()
