"""``accord advise``: what one actor has at stake on each issue, and its best levers."""

from __future__ import annotations

import sys
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..advice import DEFAULT_MODELS, STEP, Advice, advise as compute, check_actor
from ..execution import progress_bar
from ..experiment import CONSENSUS
from ..runner import dumps, parse_params
from ..scenario import Scenario
from . import (FormatOpt, JsonOpt, ParamOpt, QuietOpt, SchedulerOpt, SeedOpt, WorkersOpt, app, guarded, load,
               out)


@app.command()
@guarded
def advise(
    file: Annotated[str, typer.Argument(help="scenario file (any format `accord forecast` reads), or a bundled "
                                             "scenario's name such as korea-2018", show_default=False)],
    actor: Annotated[str, typer.Argument(help="the id of the actor to advise", show_default=False)],
    model: Annotated[Optional[list[str]], typer.Option(
        "--model", "-m", help=f"model (repeatable; default: {', '.join(DEFAULT_MODELS)})")] = None,
    param: ParamOpt = None,
    samples: Annotated[int, typer.Option(
        "--samples", "-n", min=0, help="Monte Carlo draws of the evidence per reading (0: point values only)")] = 100,
    seed: SeedOpt = 0,
    step: Annotated[float, typer.Option(help="a lever's move, as a share of the scale (salience: of [0, 1])")] = STEP,
    top: Annotated[int, typer.Option(min=1, help="levers shown per reading")] = 5,
    as_json: JsonOpt = False,
    fmt: FormatOpt = None,
    quiet: QuietOpt = False,
    workers: WorkersOpt = 1,
    scheduler: SchedulerOpt = None,
) -> None:
    """What ACTOR has at stake on each issue, and its levers ranked by gain per unit of change,
    under every model and every source's reading."""
    scenario = load(file, fmt).scenario
    check_actor(scenario, actor)
    names = model or list(DEFAULT_MODELS)
    with progress_bar(1, "readings", quiet or as_json) as advance:
        advice = compute(scenario, actor, model, parse_params(names, param or []), samples, seed, step,
                         workers=workers, scheduler=scheduler, progress=advance)
    if as_json:
        sys.stdout.write(dumps({"scenario": {"name": scenario.name, "sha256": scenario.sha256},
                                **advice.to_json()}) + "\n")
        return
    advice_report(out, scenario, advice, top)


# -- the terminal's tables ------------------------------------------------------------------------


def _interval(s: dict[str, float], digits: int = 3, sign: str = "+") -> str:
    if s["mean"] is None:  # no outcome in any draw
        return "—"
    return f"{s['mean']:{sign}.{digits}f} [{s['q05']:{sign}.{digits}f}, {s['q95']:{sign}.{digits}f}]"


def _loss(s: dict[str, float]) -> str:
    if s["mean"] is None:
        return "—"
    return f"{s['mean']:.3f} [{s['q05']:.2f}–{s['q95']:.2f}]"


def _claims(ev: dict[str, Any] | None) -> str:
    """The claims behind a number, as `source value` pairs (one per source: the mean of its claims)."""
    if ev is None:
        return ""
    if not ev["claims"]:
        return "assumed" if ev["assumption"] else ""
    by_source: dict[str, list[float]] = {}
    for c in ev["claims"]:
        by_source.setdefault(c["source"], []).append(c["value"])
    return " · ".join(f"{s} {sum(v) / len(v):.4g}" for s, v in by_source.items())


def stakes_table(scenario: Scenario, advice: Advice, reading: str = CONSENSUS) -> Table:
    table = Table(title=f"What {escape(advice.name)} has at stake ({reading}): its position x and salience s, the "
                        "status quo q, the forecast f; the loss s·|x−f|/range if an outcome holds [5–95%]",
                  title_justify="left", header_style="bold")
    for col, right in (("issue", False), ("x", True), ("s", True), ("q", True), ("loss at q", True),
                       ("model", False), ("f [5–95%]", True), ("loss at f", True), ("f over q", True)):
        table.add_column(col, justify="right" if right else "left")
    rows = [r for r in advice.stakes if r["reading"] == reading]
    for issue in scenario.issue_ids:
        for k, r in enumerate(r for r in rows if r["issue"] == issue):
            f, first, has_q = r["forecast_samples"], k == 0, "loss_at_status_quo" in r
            table.add_row(
                escape(issue) if first else "", f"{r['position']:.4g}" if first else "",
                f"{r['salience']:.3g}" if first else "",
                ("—" if r["status_quo"] is None else f"{r['status_quo']:.4g}") if first else "",
                (_loss(r["loss_at_status_quo"]) if has_q else "—") if first else "",
                r["model"], "—" if r["forecast"] is None or f["mean"] is None else
                f"{r['forecast']:.1f} [{f['q05']:.0f}–{f['q95']:.0f}]", _loss(r["loss_at_forecast"]),
                (f"{r['forecast_over_status_quo']['mean']:+.3f}"
                 if has_q and r["forecast_over_status_quo"]["mean"] is not None else "—"))
    return table


def evidence_table(scenario: Scenario, advice: Advice) -> Table:
    """The claims behind each number of the stakes: per source, the mean of its claims."""
    table = Table(title=f"The evidence behind {escape(advice.name)}'s numbers (per source: the mean of its claims; "
                        "`--json` quotes them)", title_justify="left", header_style="bold")
    for col in ("issue", "position x", "salience s", "status quo q"):
        table.add_column(col)
    for issue, ev in advice.evidence.items():
        table.add_row(escape(issue), *(escape(_claims(ev[k])) for k in ("position", "salience", "status_quo")))
    return table


def veto_table(advice: Advice) -> Table | None:
    """Where the actor holds a veto: the gain from blocking (the status quo) over the forecast, per model."""
    vetoes = [lev for lev in advice.levers if lev.kind == "veto"]
    if not vetoes:
        return None
    table = Table(title=f"{escape(advice.name)}'s vetoes (decision rules): the gain from blocking, keeping the status "
                        "quo, over the forecast [5–95%]", title_justify="left", header_style="bold")
    table.add_column("issue")
    table.add_column("reading")
    for m in advice.models:
        table.add_column(m, justify="right")
    table.add_column("threat")
    evals = {(e["reading"], e["model"], e["lever"]): e for e in advice.evaluations}
    for lev in vetoes:
        for reading in advice.readings:
            gains = [evals.get((reading, m, lev.key)) for m in advice.models]
            cells = ["—" if e is None else _interval(e["gain"]) for e in gains]
            signs = {e["gain"]["mean"] > 0 for e in gains if e is not None}
            threat = ("credible: blocking beats the forecast" if signs == {True} else
                      "not credible: blocking loses" if signs == {False} else "credible under some models")
            table.add_row(escape(lev.issue), reading, *cells, threat)
    return table

def levers_table(advice: Advice, reading: str, top: int) -> Table:
    title = ("best levers, consensus" if reading == CONSENSUS else f"best levers if {reading} is right")
    table = Table(title=f"{escape(advice.name)}'s {title}: expected gain per unit of change [5–95%]",
                  title_justify="left", header_style="bold")
    table.add_column("#", justify="right")
    table.add_column("lever")
    for m in advice.models:
        table.add_column(m, justify="right")
    table.add_column("robustness")
    evals = {(e["model"], e["lever"]): e for e in advice.evaluations if e["reading"] == reading}
    for k, row in enumerate(advice.best(reading, top), start=1):
        cells = []
        for m in advice.models:
            e = evals.get((m, row["lever"]))
            cells.append("—" if e is None else f"{_interval(e['per_unit'])}\n[dim]helps in {e['helps']:.0%}[/dim]")
        if row["mixed"]:
            note = f"[yellow]mixed: hurts under {escape(', '.join(row['mixed']['hurts']))}[/yellow]"
        else:
            note = "robust: no model or reading says it hurts"
        table.add_row(str(k), escape(row["label"]), *cells, note)
    return table


def reach_table(advice: Advice) -> Table:
    """Per issue: the actor most worth persuading (consensus) and how far it must move; own best move."""
    table = Table(title=f"How far (point values, consensus): the smallest move giving {escape(advice.name)} the most, "
                        "as a share of the scale → its gain", title_justify="left", header_style="bold")
    table.add_column("issue")
    table.add_column("lever")
    for m in advice.models:
        table.add_column(m, justify="right")
    reach = {(r["model"], r["lever"]): r for r in advice.reach if r["reading"] == CONSENSUS}
    ranked = advice.ranking[CONSENSUS]
    def reached(row: dict[str, Any]) -> float:
        return sum(r["gain"] for m in advice.models if (r := reach.get((m, row["lever"]))) is not None)

    for issue in dict.fromkeys(lev.issue for lev in advice.levers):
        for kind in ("persuade", "position"):
            mine = [r for r in ranked if r["kind"] == kind and r["lever"].split(":")[1] == issue]
            if not mine:
                continue
            # the actor most worth persuading (by the ranking); of its own moves, the direction that reaches most
            best = mine[0] if kind == "persuade" else max(mine, key=reached)
            cells = []
            for m in advice.models:
                r = reach.get((m, best["lever"]))
                cells.append("—" if r is None else (f"{r['move']:.2f} → {r['gain']:+.4f}" if r["gain"] > 0
                                                     else "no gain"))
            table.add_row(escape(issue), escape(best["label"]), *cells)
    return table


def advice_report(console: Console, scenario: Scenario, advice: Advice, top: int = 5) -> None:
    console.print(f"[bold]Advice for {escape(advice.name)} ({escape(advice.actor)})[/bold]: models "
                  f"{', '.join(advice.models)}; {advice.samples:,} draws of the evidence per reading, seed "
                  f"{advice.seed}; a lever moves {advice.step:g} of the scale")
    for s in advice.skipped:
        console.print(f"[yellow]skipped {escape(s['model'])}: {escape(s['reason'])}[/yellow]")
    console.print(stakes_table(scenario, advice))
    console.print(evidence_table(scenario, advice))
    vetoes = veto_table(advice)
    if vetoes is not None:
        console.print(vetoes)
    for reading in advice.readings:
        if advice.ranking[reading]:
            console.print(levers_table(advice, reading, top))
    console.print(reach_table(advice))
    console.print("[dim]U(f) = −Σ s_i·|x_i − f_i|/range_i over the actor's true position x and salience s; a lever's "
                  "gain is U(f′) − U(f) on the same draw; per unit: divided by the moves made as shares of their "
                  "scale (a veto counts 1). Levers are designed on the consensus and pulled under every reading; "
                  "'mixed' names the model (reading) under which the expected gain is negative. `--json` gives "
                  "every lever, the claims behind each number and the stakes under every reading.[/dim]")
