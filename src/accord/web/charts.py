"""An issue's scale as the dashboard draws it: the actors where they stand, the status quo, each
model's forecast with its interval, and the recommended forecast, on an axis with numbers.

The geometry is computed here, in the SVG's own units (:data:`WIDTH` wide, text at
:data:`FONT`), so the template only draws; the SVG scales to the page's width, and at the
page's usual width its text is as large as the page's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from markupsafe import Markup

from ..models._cache import ContentCache, keeping
from ..scenario import Scenario
from ..views import IssueForecasts

WIDTH = 960  # the SVG's width in its own units
LEFT, RIGHT = 120, 70  # room for the row labels (models) and for the values
ROW = 26  # one model's row
FONT = 14  # the text's size, in the SVG's units
CHAR = 0.6 * FONT  # a character's width, roughly, to keep labels apart


def nice_ticks(lo: float, hi: float, most: int = 10) -> list[float]:
    """Round numbers along [lo, hi] as an axis labels them: steps of 1, 2, 2.5 or 5 times a power of
    ten, at most ``most`` of them (Heckbert 1990, "Nice numbers for graph labels", *Graphics Gems*).

    >>> nice_ticks(0, 100)
    [0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0]
    >>> nice_ticks(-3, 3)
    [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]
    >>> nice_ticks(1, 7, most=4)
    [2.0, 4.0, 6.0]
    """
    span = hi - lo
    if not span > 0:
        return [float(lo)]
    power = 10.0 ** math.floor(math.log10(span / most))
    step = next(power * m for m in (1, 2, 2.5, 5, 10, 20) if span / (power * m) <= most)
    first = math.ceil(lo / step - 1e-9) * step
    count = int(math.floor((hi - first) / step + 1e-9)) + 1
    return [round(first + k * step, 10) + 0.0 for k in range(count)]


def _levels(xs: Sequence[float], widths: Sequence[float]) -> list[int]:
    """A label level for each label centred at ``xs`` (sorted or not), the lowest at which it does
    not overlap a label already placed: neighbours that stand close are stacked, not overprinted."""
    ends: list[float] = []  # per level, where its last label ends
    out = [0] * len(xs)
    for k in sorted(range(len(xs)), key=lambda k: xs[k]):
        start = xs[k] - widths[k] / 2
        level = next((j for j, end in enumerate(ends) if start > end + 4), len(ends))
        if level == len(ends):
            ends.append(0.0)
        ends[level] = xs[k] + widths[k] / 2
        out[k] = level
    return out


def scale_chart(sc: Scenario, f: IssueForecasts, bottom: dict[str, Any] | None = None) -> dict[str, Any]:
    """The drawing of one issue: every coordinate in the SVG's units.

    >>> import accord
    >>> from accord.views import forecast_table, result_view
    >>> sc = accord.read_scenario("scenarios/korea-2018.yaml").scenario
    >>> table = forecast_table(sc, [result_view(accord.get_model("mean")().run(sc))])
    >>> chart = scale_chart(sc, table[0])
    >>> [t["label"] for t in chart["ticks"]][:3], chart["status_quo"]["label"]
    (['0', '10', '20'], 'status quo 20')
    >>> sorted(a["id"] for a in chart["actors"])
    ['CHN', 'JPN', 'KOR', 'PRK', 'RUS', 'USA']
    >>> [(m["model"], m["text"]) for m in chart["marks"]]
    [('mean', '44.7')]
    """
    issue = f.issue
    lo, hi = issue.scale.min, issue.scale.max
    i = sc.issue_ids.index(issue.id)
    inputs = sc.inputs()

    def x(v: float | None) -> float | None:
        if v is None or not math.isfinite(v):
            return None
        return round(LEFT + (WIDTH - LEFT - RIGHT) * (v - lo) / (hi - lo), 1)

    # The actors: a dot each, its area in proportion to its weight (capability x salience).
    present = np.flatnonzero(inputs.present[:, i]) if inputs.present is not None else np.arange(len(sc.actor_ids))
    weight = inputs.weight[present, i]
    radius = 4 + 8 * np.sqrt(weight / weight.max()) if weight.size and weight.max() > 0 else np.full(len(present), 5.0)
    ax = [x(float(inputs.position[a, i])) for a in present]
    ids = [sc.actor_ids[a] for a in present]
    levels = _levels(ax, [CHAR * len(s) for s in ids])
    top = 8 + (FONT + 4) * (max(levels, default=0) + 1)  # the actors' labels, stacked where they crowd
    actor_y = top + 14
    actors = [{"id": ids[k], "x": ax[k], "r": round(float(radius[k]), 1), "label_y": 8 + FONT + (FONT + 4) * levels[k],
               "value": float(inputs.position[present[k], i]), "weight": float(weight[k])} for k in range(len(present))]

    first_row = actor_y + 34
    marks = []
    for k, m in enumerate(f.models):
        y = first_row + ROW * k
        marks.append({"model": m.model, "y": y, "x": x(m.value), "low": x(m.q05), "high": x(m.q95),
                      "text": "–" if m.value is None or not math.isfinite(m.value) else f"{m.value:.1f}"})
    axis_y = first_row + ROW * len(f.models) + 4
    ticks = [{"x": x(t), "label": f"{t:g}"} for t in nice_ticks(lo, hi)]
    anchors = [{"x": x(a.value), "value": f"{a.value:g}", "label": a.label} for a in issue.scale.anchors]
    reference = issue.reference.point if issue.reference is not None else None
    status_quo = None if reference is None else {"x": x(reference), "label": f"status quo {reference:g}"}
    recommended = None
    if bottom and bottom.get("recommended") is not None:
        recommended = {"x": x(bottom["recommended"]), "low": x(bottom.get("low")), "high": x(bottom.get("high")),
                       "label": f"forecast {bottom['recommended']:.1f}"}
    return {"issue": issue, "width": WIDTH, "height": axis_y + 2 * FONT + 8, "left": LEFT, "right": WIDTH - RIGHT,
            "font": FONT, "actor_y": actor_y, "actors": actors, "marks": marks, "axis_y": axis_y, "ticks": ticks,
            "anchors": anchors, "status_quo": status_quo, "recommended": recommended, "plot_top": actor_y - 16}


#: Charts drawn, by their template and their content (every number and label they show).
_DRAWN = ContentCache(256)


def drawn(template: Any, chart: dict[str, Any]) -> Markup:
    """The SVG of ``chart`` (:func:`scale_chart`) as ``template`` (``_chart.html``) draws it, kept
    by its content: a forecast of an edited scenario draws again only the issues whose chart the
    edit changed (drawing is most of a forecast page's rendering)."""
    with keeping():
        return _DRAWN.get(lambda: (template.name, repr(chart)), lambda: Markup(template.render(c=chart)))
