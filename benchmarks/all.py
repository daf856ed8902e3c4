"""Every performance target of the project in one table: the time now, the target, the work
done, a lower bound for this machine, and the peak memory.

    python benchmarks/all.py                              # every row (a few minutes on two cores)
    python benchmarks/all.py --quick                      # less work per row: a smoke run
    python benchmarks/all.py --only eum-200 --only help   # some rows
    python benchmarks/all.py --markdown docs/benchmarks.md   # also write the table as a page

Each row runs in its own Python process, so that its peak memory is its own (the largest
resident set, ``getrusage``, of the process that does the work: the row's, or the command or
server it starts). Times are the best of 3 runs for a row whose run takes under 5 s, else of one
(of 5 for the start-up rows, each run in turn with its lower bound, so that both see the same load).

**Lower bounds.** A row's work is counted in the operations any implementation must do at
least once, and its lower bound is that count at a peak rate measured on this machine when the
table is made:

- models and Monte Carlo: *pair evaluations*, one per pair of actors (for the exchange model,
  per pair of actors and pair of issues) per issue (dimension) and round (turn) and run, each at
  least one numpy element operation, at the rate of a fused multiply-add over arrays in cache
  (``a * b + c``, elements per second). The models do more per pair (a probability of success
  sums over third parties), so the ratio overstates how far a row is from what it could be;
- start-up: the time to start Python and import what the command cannot do without (the
  command line's own packages; for a forecast numpy, pydantic, PyYAML and sqlite3 as well;
  for a report pandas and matplotlib), measured the same way as the command;
- the dashboard: two cores serve the requests, so the 95th percentile of N requests sent at
  once is at least 0.95 N c / 2, c the server's CPU a request measured during the burst (the
  time of one request alone where the CPU cannot be read); a p95 of 0.3 s needs c at most
  0.3 x 2 / (0.95 N), 12.6 ms for 50 requests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from _measure import best_time  # noqa: E402

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORES = os.cpu_count() or 1
SLOW = 5.0  # a run longer than this (s) is timed once


@dataclass(frozen=True)
class Row:
    key: str
    work: str
    target: str
    limit: float  # the target in seconds (of the row's time), or in samples per second for a rate
    rate: bool = False  # the row is reported in samples per second (higher is better)


ROWS = [
    Row("help", "`accord --help` (whole process)", "<= 0.3 s", 0.3),
    Row("forecast", "`accord forecast korea-2018 -m mean` (whole process)", "<= 0.5 s", 0.5),
    Row("mc-eum", "Monte Carlo, Korea, 10,000 samples, `eum`", "<= 0.5 s", 0.5),
    Row("mc-exchange", "Monte Carlo, Korea, `exchange`", ">= 1,000 samples/s", 1000, rate=True),
    Row("mc-smp", "Monte Carlo, Korea, `smp`", ">= 500 samples/s", 500, rate=True),
    Row("roles", "`accord roles` on Korea, 100 samples", "<= 2 s", 2.0),
    Row("report", "`accord report` on Korea with `--samples 200`", "<= 5 s", 5.0),
    Row("eum-200", "EUM 200 actors x 10 rounds", "<= 0.05 s", 0.05),
    Row("eum-1000", "EUM 1,000 actors x 10 rounds", "<= 1 s", 1.0),
    Row("smp-200", "SMP 200 actors x 1 dim, full run", "<= 2 s", 2.0),
    Row("exchange-100", "exchange 100 x 5, 10 rounds", "<= 0.3 s", 0.3),
    Row("dashboard", "dashboard, 50 concurrent `eum` forecasts", "p95 <= 0.3 s", 0.3),
]
BY_KEY = {r.key: r for r in ROWS}


# -- peak rates of this machine ------------------------------------------------------------------


def numpy_rate() -> float:
    """Element operations per second of ``a * b + c`` on float64 arrays that fit in cache."""
    rng = np.random.default_rng(0)
    a, b, c = (rng.random(1 << 14) for _ in range(3))
    out = np.empty_like(a)

    def fma() -> None:
        for _ in range(200):
            np.multiply(a, b, out=out)
            np.add(out, c, out=out)

    seconds, _ = best_time(fma, 5)
    return 200 * a.size / seconds


def startup_floor(*modules: str, repeats: int = 3) -> float:
    """Best of ``repeats``: a fresh Python that imports ``modules`` and exits."""
    return timed_process([sys.executable, "-c", "import " + ", ".join(modules) if modules else "pass"], repeats)[0]


def timed_process(cmd: list[str], repeats: int, cwd: str | None = None) -> tuple[float, float]:
    """Best wall time of ``repeats`` runs of a command, and its peak resident memory (MiB)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        done = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        best = min(best, time.perf_counter() - start)
        if done.returncode:
            raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr[-2000:]}")
    return best, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def with_floor(cmd: list[str], modules: tuple[str, ...], repeats: int, cwd: str | None = None
               ) -> tuple[float, float, float]:
    """Best wall times of a command and of its start-up floor (a Python importing ``modules``),
    run in turns so that both see the same load; and the command's peak memory (MiB)."""
    seconds = floor = float("inf")
    for _ in range(repeats):
        seconds = min(seconds, timed_process(cmd, 1, cwd)[0])
        floor = min(floor, startup_floor(*modules, repeats=1))
    return seconds, floor, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def accord_cmd() -> list[str]:
    script = Path(sys.executable).with_name("accord")
    return [str(script)] if script.exists() else [sys.executable, "-m", "accord"]


def korea():
    from accord.cli import bundled
    from accord.io import read_scenario

    return read_scenario(bundled("korea-2018")).scenario


def pairs_per_run(result, inputs, exchange: bool = False) -> int:
    """Pairs of actors present on each issue, summed over issues and rounds (turns) of a run; for
    the exchange model, pairs of actors times pairs of issues, per round."""
    rounds = result.positions.shape[0] - 1
    present = (~np.isnan(inputs.position)).sum(axis=0)
    if exchange:
        n, m = len(inputs.actors), len(inputs.issues)
        return rounds * n * n * m * m
    return int(rounds * (present.astype(np.int64) ** 2).sum())


# -- the rows: each returns seconds (or samples/s), the work, its unit and how the bound is set ---


def row_help(quick: bool) -> dict:
    seconds, floor, peak = with_floor([*accord_cmd(), "--help"], ("typer", "rich.console", "click"), 1 if quick else 5)
    return {"now": seconds, "work": 1, "unit": "process", "bound": floor, "peak": peak,
            "how": "Python importing typer, rich and click"}


def row_forecast(quick: bool) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        seconds, floor, peak = with_floor([*accord_cmd(), "forecast", "korea-2018", "-m", "mean"],
                                          ("typer", "rich.console", "numpy", "pydantic", "yaml", "sqlite3"),
                                          1 if quick else 5, cwd=tmp)
    return {"now": seconds, "work": 1, "unit": "process", "bound": floor, "peak": peak,
            "how": "Python importing the command line, numpy, pydantic, PyYAML and sqlite3"}


def monte_carlo(model: str, samples: int, warm: int = 50) -> dict:
    """``warm`` samples first (imports, compiled kernels; enough for the batches of the timed
    run to take the same path), and their rate decides the repeats."""
    from montecarlo import rate

    from accord.runner import run_models

    scenario = korea()
    point = run_models(scenario, [model], seed=0)[0]
    rate(scenario, model, min(samples, warm), None)
    repeats = 3 if samples / rate(scenario, model, min(samples, warm), None) < SLOW else 1
    best = max(rate(scenario, model, samples, None) for _ in range(repeats))
    work = samples * pairs_per_run(point, scenario.inputs(), exchange=model == "exchange")
    return {"seconds": samples / best, "samples_per_s": best, "work": work, "unit": "pair evaluations",
            "kind": "numpy", "peak": peak_rss(), "samples": samples}


def row_mc_eum(quick: bool) -> dict:
    found = monte_carlo("eum", 1_000 if quick else 10_000, warm=1_000 if quick else 10_000)  # warm: numba loaded
    return found | {"now": found["seconds"]}


def row_mc_exchange(quick: bool) -> dict:
    found = monte_carlo("exchange", 20 if quick else 200)
    return found | {"now": found["samples_per_s"]}


def row_mc_smp(quick: bool) -> dict:
    found = monte_carlo("smp", 20 if quick else 200)
    return found | {"now": found["samples_per_s"]}


def row_roles(quick: bool) -> dict:
    from accord.runner import run_models

    samples = 10 if quick else 100
    scenario = korea()
    with tempfile.TemporaryDirectory() as tmp:
        seconds, peak = timed_process([*accord_cmd(), "roles", "korea-2018", "--samples", str(samples), "--quiet",
                                       "--no-store"], 1, cwd=tmp)
    point = run_models(scenario, ["influence"], seed=0)[0]
    runs = (samples + 1) * (len(scenario.actors) + 1)  # every sample and the point, with each actor left out
    return {"now": seconds, "work": runs * pairs_per_run(point, scenario.inputs()), "unit": "pair evaluations",
            "kind": "numpy", "peak": peak, "note": f"{runs:,} runs of `influence`, whole process"}


def row_report(quick: bool) -> dict:
    samples = 10 if quick else 200
    with tempfile.TemporaryDirectory() as tmp:
        seconds, peak = timed_process([*accord_cmd(), "report", "korea-2018", "--samples", str(samples),
                                       "-o", "report.html", "--quiet", "--no-store"]
                                      + (["--role-samples", "10"] if quick else []), 1, cwd=tmp)
    floor = startup_floor("typer", "rich.console", "numpy", "pandas", "pydantic", "yaml", "matplotlib.pyplot")
    return {"now": seconds, "work": samples, "unit": "samples", "bound": floor, "peak": peak,
            "how": "Python importing numpy, pandas, pydantic and matplotlib (the models' part: rows above)"}


def eum_row(n: int) -> dict:
    from eum import synthetic

    from accord.models import get_model

    scenario, model = synthetic(n), get_model("eum")(preset="paper", rounds=10)
    first, _ = best_time(lambda: model.run(scenario), 1)  # also warms caches and imports
    seconds, _ = best_time(lambda: model.run(scenario), 3 if first < SLOW else 1)
    return {"now": seconds, "work": 10 * n * n, "unit": "pair evaluations", "kind": "numpy", "peak": peak_rss(),
            "note": f"{n} actors"}


def row_eum_200(quick: bool) -> dict:
    return eum_row(200)


def row_eum_1000(quick: bool) -> dict:
    return eum_row(250 if quick else 1000)


def row_smp_200(quick: bool) -> dict:
    from smp import measure, synthetic

    n = 50 if quick else 200
    measure(synthetic(5, 1), 1)  # warm up: imports, compiled kernels
    turns, seconds, _ = measure(synthetic(n, 1), 1)
    return {"now": seconds, "work": turns * n * n, "unit": "pair evaluations", "kind": "numpy", "peak": peak_rss(),
            "note": f"{n} actors, {turns} turns"}


def row_exchange_100(quick: bool) -> dict:
    from exchange import measure, synthetic

    n = 30 if quick else 100
    scenario = synthetic(n, 5)
    measure(synthetic(5, 5), 1)  # warm up: imports, compiled kernels
    count, seconds, _ = measure(scenario, 1)
    if seconds < SLOW:
        count, seconds, _ = measure(scenario, 3)
    return {"now": seconds, "work": 10 * n * n * 25, "unit": "pair evaluations", "kind": "numpy",
            "peak": peak_rss(), "note": f"{n} actors, {count:,} exchanges"}


def row_dashboard(quick: bool) -> dict:
    from dashboard_load import load

    n = 8 if quick else 50
    found = load(n, n, "eum", 0, workers=CORES)
    errors = sum(s != 200 for s in found["statuses"])
    if errors:
        raise SystemExit(f"dashboard: {errors} of {n} requests failed")
    alone = min(found["serial"])
    # The 95th request can be answered no sooner than 95% of the burst's work is done on every
    # core: the server's CPU a request (measured in the burst, Linux; else one request alone).
    cpu = sum(found["cpu"]) / n if any(found["cpu"]) else alone
    needed = 0.3 * CORES / (0.95 * n)  # the CPU a request that a p95 of 0.3 s allows
    return {"now": float(np.percentile(found["seconds"], 95)), "work": n, "unit": "requests",
            "bound": 0.95 * n * cpu / CORES, "peak": found["peak_mib"],
            "how": f"0.95 x {n} x {cpu * 1e3:.1f} ms (server CPU a request) / {CORES} cores",
            "note": f"`accord serve --workers {CORES}`; one request alone {alone * 1e3:.0f} ms; p95 <= 0.3 s needs "
                    f"<= {needed * 1e3:.1f} ms of CPU a request" + (
                        "; server CPU by process " + ", ".join(f"{c:.2f} s" for c in found["cpu"] if c > 0)
                        + " (the busiest bounds the p95)" if any(found["cpu"]) else "")}


def peak_rss() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- the table -------------------------------------------------------------------------------------


def run_row(key: str, quick: bool, rates: dict) -> dict:
    """One row in a fresh process: its measures, with the lower bound and the ratio to it."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--row", key] + (["--quick"] if quick else [])
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE)
    if done.returncode:
        return {"key": key, "error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    found = json.loads(done.stdout.strip().splitlines()[-1])
    row = BY_KEY[key]
    seconds = found.get("seconds", found["now"])
    if "bound" not in found:
        found["bound"] = found["work"] / rates["numpy"]
        found["how"] = f"{found['work']:.3g} {found['unit']} at {rates['numpy'] / 1e9:.2f} G element ops/s"
        if row.rate:
            found["how"] += f" over {found['samples']:,} samples"
    found["ratio"] = seconds / found["bound"] if found["bound"] else float("nan")
    found["met"] = None if quick else (found["now"] >= row.limit if row.rate else found["now"] <= row.limit)
    return {"key": key, **found}


def cells(row: Row, found: dict) -> list[str]:
    if "error" in found:
        return [row.work, "failed", row.target, "", found["error"], "", "", ""]
    now = f"{found['now']:,.0f} samples/s" if row.rate else f"{found['now']:.3f} s"
    if row.key == "dashboard":
        now = "p95 " + now
    met = {None: "-", True: "yes", False: "no"}[found["met"]]
    bound = found["bound"] / found["samples"] if row.rate else found["bound"]
    work = f"{found['work']:,} {found['unit']}" + (f" ({found['note']})" if found.get("note") else "")
    per = " per sample" if row.rate else ""
    return [row.work, now, row.target, met, work, f"{bound:.3g} s{per}: {found['how']}", f"{found['ratio']:,.1f}x",
            f"{found['peak']:,.0f}"]


HEADER = ["work", "now", "target", "met", "work done", "lower bound (how)", "ratio to the bound", "peak MiB"]


def machine() -> str:
    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    return (f"{model}, {CORES} cores; Python {platform.python_version()}, numpy {np.__version__}; "
            f"load average at the start {load}")


def markdown(rows: list[tuple[Row, dict]], rates: dict, quick: bool, started: datetime) -> str:
    import accord

    lines = ["# Benchmarks", "",
             "<!-- Generated by `python benchmarks/all.py --markdown docs/benchmarks.md` (make bench); "
             "do not edit by hand. -->", "",
             f"Measured on {started:%Y-%m-%d %H:%M} UTC with accord {accord.__version__}"
             + (" (`--quick`: less work per row than the targets assume)" if quick else "") + ".",
             f"Machine: {machine()}.",
             f"Peak rates measured for the lower bounds: numpy `a * b + c` {rates['numpy'] / 1e9:.2f} G element "
             f"operations/s; a bare Python start {rates['python']:.3f} s.", "",
             "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row, found in rows:
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells(row, found)) + " |")
    doc = (__doc__ or "").split("**Lower bounds.**", 1)[1]
    lines += ["", "**Lower bounds.**" + doc.rstrip(), ""]
    return "\n".join(lines)


def print_table(rows: list[tuple[Row, dict]]) -> None:
    table = [HEADER] + [cells(row, found) for row, found in rows]
    widths = [max(len(r[k]) for r in table) for k in range(len(HEADER))]
    widths[5] = min(widths[5], 60)
    for k, r in enumerate(table):
        print("  ".join(c[:widths[j]].ljust(widths[j]) if j == 5 else c.ljust(widths[j]) for j, c in enumerate(r)))
        if k == 0:
            print("  ".join("-" * w for w in widths))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="less work per row (a smoke run; targets not judged)")
    parser.add_argument("--only", action="append", choices=list(BY_KEY), help="run this row only (repeatable)")
    parser.add_argument("--markdown", type=Path, help="also write the table, machine and date to this page")
    parser.add_argument("--row", choices=list(BY_KEY), help=argparse.SUPPRESS)  # one row, in this process
    args = parser.parse_args()
    if args.row:
        found = globals()[f"row_{args.row.replace('-', '_')}"](args.quick)
        print(json.dumps(found))
        return
    started = datetime.now(UTC)
    rates = {"numpy": numpy_rate(), "python": startup_floor()}
    print(f"{machine()}\nnumpy a * b + c: {rates['numpy'] / 1e9:.2f} G element ops/s; "
          f"bare Python start: {rates['python']:.3f} s\n", flush=True)
    rows = []
    for row in [r for r in ROWS if not args.only or r.key in args.only]:
        print(f"... {row.key}", file=sys.stderr, flush=True)
        rows.append((row, run_row(row.key, args.quick, rates)))
    print_table(rows)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(markdown(rows, rates, args.quick, started), encoding="utf-8")
        print(f"\nwrote {args.markdown}")
    if any("error" in found for _, found in rows):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
