"""The recorded runs: the list, one run, two runs compared."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...views import forecast_table, run_view
from ..deps import Runs, page, stored_run
from ..charts import scale_chart

router = APIRouter()


@router.get("/runs", response_class=HTMLResponse)
def run_list(request: Request, runs: Runs):
    return page(request, "runs.html", records=runs.list(200) if runs else [], stored=runs is not None)


@router.get("/runs/compare", response_class=HTMLResponse)
def compare(request: Request, a: str, b: str, runs: Runs):
    ra, rb = stored_run(runs, a), stored_run(runs, b)
    return page(request, "compare.html", a=ra, b=rb, rows=compare_rows(ra.result, rb.result))


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str, runs: Runs):
    rec = stored_run(runs, run_id)
    sc = runs.scenario(rec.scenario_sha256)
    table = forecast_table(sc, [run_view(rec.result)])
    return page(request, "run.html", rec=rec, sc=sc, table=table, charts=[scale_chart(sc, f) for f in table])


def compare_rows(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Per issue, two runs' forecasts and the change from the first to the second.

    >>> compare_rows({"forecast": [{"issue": "x", "value": 40.0}]}, {"forecast": [{"issue": "x", "value": 55.0}]})
    [{'issue': 'x', 'a': 40.0, 'b': 55.0, 'change': 15.0}]
    """
    fa = {f["issue"]: f["value"] for f in a["forecast"]}
    fb = {f["issue"]: f["value"] for f in b["forecast"]}
    return [{"issue": i, "a": fa.get(i), "b": fb.get(i),
             "change": None if fa.get(i) is None or fb.get(i) is None else fb[i] - fa[i]}
            for i in dict.fromkeys([*fa, *fb])]
