"""A forecast of a scenario as the form edits it: the chosen models, with Monte Carlo if asked."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...bottomline import SLOW, bottom_line, local_sensitivity, status_quo
from ...errors import AccordError
from ...models import registry
from ...runner import add_uncertainty, record, run_models
from ...scenario import Scenario
from ...store import RunStore
from ...views import bottom_line_view, forecast_table, run_view
from ..charts import scale_chart
from ..deps import Files, Runs, page
from ..jobs import Job, start
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

    def render(job: Job) -> HTMLResponse:
        if isinstance(job.error, AccordError):
            return page(request, "_forecast.html", 422, problems={"model": str(job.error)}, sc=base)
        if job.error is not None:
            raise job.error
        doc = job.value
        table = forecast_table(sc, [run_view(r) for r in doc["runs"]])
        bottom = {b["issue"]: b for b in doc["bottom_line"]}
        return page(request, "_forecast.html", sc=sc, doc=doc, edits=edits, table=table,
                    bottom=[bottom_line_view(b) for b in doc["bottom_line"]],
                    charts=[scale_chart(sc, f, bottom.get(f.issue.id)) for f in table], samples=samples,
                    report=report_link(name, edits))

    label = f"Forecast: {len(models)} model{'s' if len(models) != 1 else ''}" + (
        f", {samples} Monte Carlo samples" if samples else "")
    job = request.app.state.jobs.new(label, render)
    return await start(request, job, run_and_record, sc, models, seed, samples, runs, command)


def report_link(name: str, edits: dict[tuple[str, str, str | None], float]) -> str:
    """The address of the report of the scenario as edited: the edits ride in the query, as the form
    names them (``position:RUS:sanctions=100``).

    >>> report_link("korea-2018.yaml", {("position", "RUS", "sanctions"): 100.0})
    '/scenario/korea-2018.yaml/report?position%3ARUS%3Asanctions=100'
    """
    query = urlencode({f"{f}:{a}:{i or ''}": f"{v:g}" for (f, a, i), v in edits.items()})
    return f"/scenario/{quote(name)}/report" + (f"?{query}" if query else "")

def run_and_record(sc: Scenario, models: list[str], seed: int, samples: int, runs: RunStore | None,
                   command: str, progress=None) -> dict[str, Any]:
    """Run the models (with Monte Carlo when ``samples`` > 0; ``progress(done, total)`` counts the
    samples), record the runs, return the JSON document with its bottom line (:mod:`accord.bottomline`)."""
    results = run_models(sc, models, {}, seed)
    if samples:
        add_uncertainty(sc, results, samples, seed, progress=progress)
    doc = record(sc, results, runs, command)
    doc["bottom_line"] = [b.to_json() for b in bottom_line(sc, doc["runs"], local_sensitivity(sc, results, seed=seed),
                                                          status_quo, sorted(SLOW))]
    return doc

