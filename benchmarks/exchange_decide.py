"""The exchange model's two arithmetics against decide-exchange-model's own runs.

    python benchmarks/exchange_decide.py

For each case stored in tests/data/decide_exchange_cases.json (decide's runs of random cases,
10 rounds; see the file's "source"): the largest difference over the rounds from decide
(outcomes of the preferences, exchanges carried out, final positions) and the first round
that differs by more than 1e-6, for ``preset=decide`` and for the float default, and the time
of each (best of 3).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _measure import best_time  # noqa: E402
from accord.models import get_model  # noqa: E402
from tests.decide_cases import DECIDE_RUNS, deviations, random_case  # noqa: E402

ATOL = 1e-6


def first_apart(devs: list[float]) -> str:
    return next((str(r) for r, d in enumerate(devs, 1) if d > ATOL), "-")


def main() -> None:
    print(f"{'case':<12} {'size':>6} {'ties':>5} | {'decide: max dev':>15} {'apart':>5} {'s':>6} | "
          f"{'float: max dev':>14} {'apart':>5} {'s':>6}")
    agree = {"decide": 0, "float": 0}
    tie_free = 0
    for case in DECIDE_RUNS:
        twins = case.get("twins", False)
        scenario = random_case(case["seed"], twins)
        cells = []
        for preset in ("decide", "float"):
            devs = deviations(case, preset)
            model = get_model("exchange")(preset=preset)
            seconds, _ = best_time(lambda m=model, sc=scenario: m.run(sc, seed=0), 3)
            cells.append(f"{max(devs):>15.1e} {first_apart(devs):>5} {seconds:>6.2f}")
            if not twins:
                agree[preset] += max(devs) <= ATOL
        tie_free += not twins
        name = f"{case['seed']}{' twins' if twins else ''}"
        print(f"{name:<12} {case['actors']:>3}x{case['issues']:<2} {case.get('ties', 0):>5} | {cells[0]} | {cells[1]}")
    for preset, count in agree.items():
        print(f"preset={preset}: {count} of {tie_free} tie-free cases within {ATOL:g} of decide in every round "
              f"({100 * count / tie_free:.0f}%)")
    print("(with ties, decide drew its coins as preset=decide draws them: one a tie, from default_rng(0))")


if __name__ == "__main__":
    main()
