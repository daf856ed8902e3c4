"""The analyses print what they printed when the golden files were written (see tests/golden.py)."""

from __future__ import annotations

import json
import math

import pytest

from .golden import COMMANDS, GOLDEN, run


def same(a: object, b: object, path: str = "") -> list[str]:
    """Where two JSON documents differ: floats to 1e-12 relative, everything else exactly."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{path}: keys {sorted(a.keys() ^ b.keys())}"]
        return [d for k in a for d in same(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items, golden {len(b)}"]
        return [d for k, (x, y) in enumerate(zip(a, b)) for d in same(x, y, f"{path}[{k}]")]
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return [] if math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12) else [f"{path}: {a!r}, golden {b!r}"]
    return [] if a == b else [f"{path}: {a!r}, golden {b!r}"]


@pytest.mark.slow
@pytest.mark.usefixtures("in_empty_folder")
@pytest.mark.parametrize("name", COMMANDS)
def test_output_is_the_golden_one(name):
    golden = json.loads((GOLDEN / f"{name}.json").read_text())
    differences = same(run(name), golden)
    assert not differences, "\n".join(differences[:20])
