"""The report's advice section: per actor advised (``build(..., advise=[...])``), its stakes per
issue with the claims behind them, and its best levers per reading (:mod:`accord.advice`)."""

from __future__ import annotations

from typing import Any

from ..advice import Advice
from ..experiment import CONSENSUS
from .document import Cell, Heading, Lines, Para, Section, Table, Text, muted, prose, quote, strong, text

TOP = 5  # levers per reading


def advice_sections(report: Any) -> list[Section]:
    """One section for all actors advised; none when the report advises no actor."""
    advised: list[Advice] = getattr(report, "advice", None) or []
    notes = [Para(text(why), "note") for what, why in report.missing.items() if what.startswith("advice for")]
    if not advised and not notes:
        return []
    blocks: list = [Para(prose(
        "What each actor advised has at stake and what it can do, in its own utility "
        "U(f) = −Σ s·|x − f|/range over its position x and salience s (Bueno de Mesquita 2002, 2009). Each lever "
        "is run again through the models on the same draws of the evidence; its gain per unit of change is the "
        "gain in U divided by the moves it makes as shares of their scale (a veto counts 1), the interval the "
        "5%–95% range over the draws. A lever is `mixed` when its expected gain is positive under one model or "
        "source's reading and negative under another."))]
    for advice in advised:
        blocks += _actor_blocks(advice)
    blocks += notes
    return [Section("advice", "Advice", blocks)]


def _interval(s: dict[str, float]) -> str:
    expected = s["mean"]  # the average over the draws (not the model of that name)
    if expected is None:  # no outcome in any draw
        return "—"
    return f"{expected:+.3f} [{s['q05']:+.3f}, {s['q95']:+.3f}]"


def _claims(ev: dict[str, Any] | None) -> Cell:
    if ev is None:
        return text("—")
    lines: list[Text] = [text(strong(f"{c['value']:.4g}"), " ", quote(c["quote"]), muted(f" {c['source']}"))
                         for c in ev["claims"]]
    if not ev["claims"]:
        lines.append(text(muted(f"assumed: {ev['assumption'] or 'no evidence recorded'}")))
    return Lines(tuple(lines))


def _actor_blocks(advice: Advice) -> list:
    blocks: list = [Heading(f"{advice.name} ({advice.actor})", f"advice-{advice.actor}"),
                    Para(text(f"Models {', '.join(advice.models)}; {advice.samples:,} draws of the evidence per "
                              f"reading, seed {advice.seed}; a lever moves {advice.step:g} of the scale."))]
    rows: list[list[Cell]] = []
    for r in (r for r in advice.stakes if r["reading"] == CONSENSUS):
        over = r.get("forecast_over_status_quo")
        rows.append([text(strong(r["issue"])), text(r["model"]), text(f"{r['position']:.4g}"),
                     text(f"{r['salience']:.3g}"), text("—" if r["status_quo"] is None else f"{r['status_quo']:.4g}"),
                     text("—" if r["forecast"] is None else f"{r['forecast']:.1f}"),
                     text(_interval(r["loss_at_forecast"])),
                     text("—" if over is None else _interval(over))])
    blocks.append(Table(["issue", "model", "x", "s", "status quo", "forecast", "loss at forecast", "forecast over "
                         "status quo"], rows, "llrrrrrr", kind="compact",
                        caption=text("Stakes (consensus): the loss s·|x − f|/range if the forecast holds, and what "
                                     "the forecast gains over the status quo [5%–95%].")))
    ev_rows: list[list[Cell]] = [[text(strong(issue)), _claims(ev["position"]), _claims(ev["salience"]),
                                  _claims(ev["status_quo"])] for issue, ev in advice.evidence.items()]
    blocks.append(Table(["issue", "position", "salience", "status quo"], ev_rows, "llll", kind="wide",
                        caption=text("The claims behind the stakes.")))
    evals = {(e["reading"], e["model"], e["lever"]): e for e in advice.evaluations}
    for reading in advice.readings:
        lever_rows: list[list[Cell]] = []
        for k, row in enumerate(advice.best(reading, TOP), start=1):
            cells = [text("—") if (e := evals.get((reading, m, row["lever"]))) is None
                     else text(_interval(e["per_unit"])) for m in advice.models]
            robust = (text("robust") if row["robust"] else
                      text(strong("mixed"), ": hurts under " + ", ".join(row["mixed"]["hurts"])))
            lever_rows.append([text(str(k)), text(row["label"]), *cells, robust])
        title = "consensus" if reading == CONSENSUS else f"if {reading} is right"
        blocks.append(Table(["#", "lever", *advice.models, "robustness"], lever_rows,
                            "rl" + "r" * len(advice.models) + "l", kind="compact",
                            caption=text(f"Best levers, {title}: expected gain per unit of change [5%–95%].")))
    return blocks
