"""A scenario's page: its inputs with their evidence, to edit, and the models that can take it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...scenario import Scenario
from ..deps import Files, offered_models, page
from ..forms import MAX_SAMPLES
from ..uploads import source_lines

router = APIRouter()


@router.get("/scenario/{name}", response_class=HTMLResponse)
def scenario_page(request: Request, name: str, files: Files):
    entry = files.get(name)
    if entry.scenario is None:
        return page(request, "invalid.html", 422, entry=entry, lines=source_lines(files.path / name, entry.problems))
    return page(request, "scenario.html", entry=entry, sc=entry.scenario, table=stance_table(entry.scenario),
                models=offered_models(request, entry.scenario), max_samples=MAX_SAMPLES)


def stance_table(sc: Scenario) -> list[dict[str, Any]]:
    """Per issue, the actors with a stance on it: each one's position and salience, with their evidence."""
    return [{"issue": issue, "rows": [{"actor": actor, "position": actor.issues[issue.id].position,
                                       "salience": actor.issues[issue.id].salience}
                                      for actor in sc.actors if issue.id in actor.issues]}
            for issue in sc.issues]
