"""How far the exchange model's outcomes over tie-break seeds lie from decide-exchange-model's.

    python benchmarks/exchange_ties.py

For the road-toll (sample_data) and Copenhagen cases, 10 rounds of equal gain: the farthest
any issue's outcome after round 10 lies outside decide's range over its seeds 0-9, for accord's
seeds 0-9; and, against decide's own 40 seeds, how far accord's 40 seeds reach beyond decide's
extremes and how far the means differ (two sets of 40 seeds). Reference data:
tests/data/decide_outcomes.json; cases from ../shared/data/decide/.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from accord.io import read_scenario
from accord.models import get_model

ROOT = Path(__file__).resolve().parents[1]
DECIDE = json.loads((ROOT / "tests" / "data" / "decide_outcomes.json").read_text())
CASES = ROOT.parent / "shared" / "data" / "decide"


def main() -> None:
    model = get_model("exchange")()
    print(f"{'case':<16} {'seeds':>7} {'beyond decide 0-9':>18} {'beyond decide 0-39':>19} {'mean diff':>10}")
    for name in ("sample_data.txt", "copenhagen.csv"):
        scenario = read_scenario(CASES / name).scenario
        issues = scenario.issue_ids
        for seeds in (range(0, 10), range(0, 40), range(100, 140)):
            ours = np.array([model.run(scenario, seed=s).forecast for s in seeds])
            beyond_10 = beyond_40 = mean_diff = 0.0
            for k, issue in enumerate(issues):
                lo, hi = DECIDE["section3_seeds_0_9"][name][issue]
                low, mean, high = DECIDE["seeds_0_39"][name][issue]
                beyond_10 = max(beyond_10, lo - ours[:, k].min(), ours[:, k].max() - hi)
                beyond_40 = max(beyond_40, low - ours[:, k].min(), ours[:, k].max() - high)
                mean_diff = max(mean_diff, abs(ours[:, k].mean() - mean))
            label = f"{seeds.start}-{seeds.stop - 1}"
            print(f"{name:<16} {label:>7} {beyond_10:>18.2f} {beyond_40:>19.2f} {mean_diff:>10.2f}")


if __name__ == "__main__":
    main()
