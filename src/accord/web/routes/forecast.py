"""A forecast of a scenario as the form edits it: the chosen models, with Monte Carlo if asked."""

from __future__ import annotations

import math
from typing import Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...bottomline import SLOW, bottom_line, local_sensitivity, status_quo
from ...errors import AccordError
from ...models import registry
from ...runner import add_uncertainty, record, run_models
from ...scenario import Scenario
from ...store import RunStore
from ...views import IssueForecasts, bottom_line_view, forecast_table, run_view
from ..deps import Files, Runs, compute, page
from ..forms import apply_edits, parse_edits, run_options

router = APIRouter()


@router.post("/scenario/{name}/forecast", response_class=HTMLResponse)
async def forecast(request: Request, name: str, files: Files, runs: Runs):
    base = await anyio.to_thread.run_sync(files.scenario, name)
    form = await request.form()
    edits, problems = parse_edits(base, form)
    models = [m for m in form.getlist("model") if m in registry()]
    samples, seed, more = run_options(form)
    problems.update(more)
    if not models:
        problems["model"] = "choose at least one model"
    if problems:
        return page(request, "_forecast.html", 422, problems=problems, sc=base)
    sc = apply_edits(base, edits)
    command = f"accord serve: forecast {name} -m {' -m '.join(models)} --seed {seed} --samples {samples}" + (
        " with " + ", ".join(f"{a}.{i or '*'}.{f}={v:g}" for (f, a, i), v in edits.items()) if edits else "")
    try:
        doc = await compute(request, run_and_record, sc, models, seed, samples, runs, command)
    except AccordError as exc:
        return page(request, "_forecast.html", 422, problems={"model": str(exc)}, sc=base)
    table = forecast_table(sc, [run_view(r) for r in doc["runs"]])
    return page(request, "_forecast.html", sc=sc, doc=doc, edits=edits, table=table,
                bottom=[bottom_line_view(b) for b in doc["bottom_line"]],
                charts=[scale_chart(f, len(doc["runs"])) for f in table], samples=samples)


def run_and_record(sc: Scenario, models: list[str], seed: int, samples: int, runs: RunStore | None,
                   command: str) -> dict[str, Any]:
    """Run the models (with Monte Carlo when ``samples`` > 0), record the runs, return the JSON
    document with its bottom line (:mod:`accord.bottomline`)."""
    results = run_models(sc, models, {}, seed)
    if samples:
        add_uncertainty(sc, results, samples, seed)
    doc = record(sc, results, runs, command)
    doc["bottom_line"] = [b.to_json() for b in bottom_line(sc, doc["runs"], local_sensitivity(sc, results, seed=seed),
                                                          status_quo, sorted(SLOW))]
    return doc


def scale_chart(f: IssueForecasts, rows: int) -> dict[str, Any]:
    """An issue's scale with each model's forecast (and 90% interval) as an SVG draws it: coordinates
    in percent of the scale, one row per run.

    >>> import accord
    >>> from accord.views import result_view
    >>> sc = accord.read_scenario("scenarios/korea-2018.yaml").scenario
    >>> table = forecast_table(sc, [result_view(accord.get_model("mean")().run(sc))])
    >>> [(m["model"], m["x"], m["low"]) for m in scale_chart(table[0], 1)["marks"]]
    [('mean', 44.7, None)]
    """
    issue = f.issue

    def at(v: float | None, lo: float = issue.scale.min, hi: float = issue.scale.max) -> float | None:
        return None if v is None or not math.isfinite(v) else round(100 * (v - lo) / (hi - lo), 2)

    marks = [{"model": m.model, "value": m.value, "x": at(m.value), "row": m.row, "low": at(m.q05),
              "high": at(m.q95)} for m in f.models]
    anchors = [{"x": at(a.value), "label": a.label} for a in issue.scale.anchors]
    return {"issue": issue, "marks": marks, "anchors": anchors, "rows": rows}
