"""Readable terminal output: forecasts per issue, roles, backtest scores, problems.

Everything here lays out the view models of :mod:`accord.views`, built from the JSON document
(:mod:`accord.runner`) and the scenario, never from a model, so a stored run prints as it did
when it was made.
"""

from __future__ import annotations

import re

from collections.abc import Sequence
from typing import Any

import numpy as np
from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .errors import Problem
from .scenario import Scenario
from .uncertainty import what_if
from .views import (backtest_table, bottom_line_view, forecast_table, perspective_table, roles_table, run_notes,
                    run_view, what_ifs)


def forecast_tables(scenario: Scenario, doc: dict[str, Any], draws: Sequence[np.ndarray | None] = ()) -> Group:
    """One panel per issue: each run's forecast, rounds and reading; with Monte Carlo, the median,
    the 5%-95% range and a histogram of the samples (``draws[k]``: the samples of ``doc["runs"][k]``)."""
    parts: list[Any] = []
    runs = [run_view(run, draws[k] if k < len(draws) else None) for k, run in enumerate(doc["runs"])]
    table = forecast_table(scenario, runs)
    uncertain = any(m.median is not None for f in table for m in f.models)
    for f in table:
        issue = f.issue
        grid = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
        grid.add_column("model")
        grid.add_column("forecast", justify="right")
        grid.add_column("rounds", justify="right")
        grid.add_column("reading")
        if uncertain:
            grid.add_column("median [q05, q95]", justify="right")
            grid.add_column(f"over samples, {issue.scale.min:g}–{issue.scale.max:g}")
        for m in f.models:
            cells = [m.model, "—" if m.value is None else f"{m.value:.2f}", str(m.rounds), m.reading]
            if uncertain:
                cells += [f"{m.median:.1f} [{m.q05:.1f}, {m.q95:.1f}]" if m.median is not None else "", m.histogram]
            grid.add_row(*cells)
        scale = f"{issue.scale.min:g}–{issue.scale.max:g}"
        ref = f", reference point {issue.reference.point:g}" if issue.reference else ""
        title = f"[bold]{escape(f.label)}[/bold]  [dim]({escape(issue.id)}; scale {scale}{ref})[/dim]"
        parts.append(Panel(grid, title=title, title_align="left", expand=False))
    notes = [f"{model}: {note}" for model, note in run_notes(runs)]
    notes += [f"what-if: {what_if(row)}" for row in what_ifs(runs)]
    if notes:
        parts.append(Text("\n".join(notes), style="yellow"))
    parts.append(Text("`accord models` says what each model computes; `accord explain FILE -m MODEL` tells a run "
                      "round by round; `accord roles FILE` says who brokers, spoils, follows or holds out; "
                      "`accord backtest data/deu3/deu3-dev.csv` scores the models against real EU outcomes; "
                      "`accord report FILE -o report.html` writes it all up to send; `accord serve` opens the "
                      "dashboard (extra `web`)",
                      style="dim"))
    return Group(*parts)


def print_forecast(console: Console, scenario: Scenario, doc: dict[str, Any], store_path: str | None = None,
                   draws: Sequence[np.ndarray | None] = ()) -> None:
    """The forecast document as panels (see :func:`forecast_tables`), with where its runs are recorded."""
    n_a, n_i = len(scenario.actors), len(scenario.issues)
    sha = doc["scenario"]["sha256"][:12]
    console.print(f"[bold]{escape(scenario.name)}[/bold]: {n_a} actors, {n_i} issues  [dim]sha256 {sha}[/dim]")
    console.print(forecast_tables(scenario, doc, draws))
    ids = [r["run_id"] for r in doc["runs"] if r.get("run_id")]
    if ids and store_path:
        console.print(f"[dim]recorded as {', '.join(ids)} in {store_path}; `accord runs show ID` reprints a run[/dim]")
    if doc.get("bottom_line"):
        console.print(bottom_line_panel(doc["bottom_line"]))


def bottom_line_panel(entries: Sequence[dict[str, Any]]) -> Panel:
    """The bottom line (:mod:`accord.bottomline`): per issue, the recommended forecast with its
    interval, the lock on the status quo, where the models agree and part, and the warnings."""
    views = [bottom_line_view(entry) for entry in entries]
    one_basis = len({v.basis for v in views}) == 1
    lines = Text(f"Recommended: {views[0].basis}\n" if one_basis else "", style="dim")
    unchecked = {v.unchecked for v in views if v.unchecked}
    lines.append("".join(f"{u}\n" for u in sorted(unchecked)) + "\n", style="dim")
    for k, v in enumerate(views):
        if k:
            lines.append("\n")
        lines.append(f"{v.label}: ", style="bold")
        lines.append(v.headline, style="bold green" if not v.warnings else "bold yellow")
        lines.append("\n" if one_basis else f"  {v.basis}\n", style="dim")
        said = [(v.locked, "bold"), (v.constraint, ""), (v.unconstrained, ""), (v.agreement, "")]
        for line, style in [(line, style) for line, style in said if line]:
            lines.append(f"  {line}\n", style=style)
        for line in v.outliers:
            lines.append(f"  outlier, {line}\n")
        for line in v.not_forecasts:
            lines.append(f"  not a forecast, {line}\n", style="dim")
        for line in v.warnings:
            lines.append(f"  warning: {line}\n", style="yellow")
    return Panel(lines, title="[bold]Bottom line[/bold]", title_align="left", expand=False)


def print_problems(console: Console, problems: Sequence[Problem], title: str | None = None) -> None:
    if title:
        console.print(title, style="bold red" if any(p.severity == "error" for p in problems) else "bold yellow")
    for p in problems:
        style = "red" if p.severity == "error" else "yellow"
        console.print(Text(f"  {p.severity}: ", style=style) + Text(str(p)))


def actor_verdicts(console: Console, scenario: Scenario, result, actor: str, run_id: str | None) -> None:
    """One actor: the roles it plays, then each role the sources assert of it, judged under the
    consensus (with its Monte Carlo standing) and under each source's reading, one column a reading."""
    names = {a.id: a.name or a.id for a in scenario.actors}
    conf = f"confidence from {result.samples:,} samples of the evidence" if result.samples else "no Monte Carlo"
    console.print(f"[bold]{escape(names[actor])}[/bold] in {escape(scenario.name)}: roles under "
                  f"[bold]{result.model}[/bold] ({conf})" + (f"  [dim]run {run_id}[/dim]" if run_id else ""))
    plays = [r for r in roles_table(scenario, result.roles) if r.actor == actor]
    console.print("  plays: " + ("; ".join(
        f"{r.role}{f' of {r.other_name}' if r.other else ''} on {r.issue_label}"
        + ("" if r.confidence is None else f" ({r.confidence:.0%})") for r in plays) or "no role (score >= 0.5)"))
    judged = [c for c in result.comparison if c["actor"] == actor]
    if not judged:
        console.print(f"No source asserts a role of {escape(names[actor])}.")
        return
    readings = list(dict.fromkeys(r["reading"] for c in judged for r in c.get("readings") or []))
    table = Table(title=f"The roles the sources assert of {escape(names[actor])}: does each reading agree?",
                  title_justify="left", show_edge=False, pad_edge=False,
                  caption="agrees: the reading's numbers bear the assertion out; own: the asserting source's "
                          "reading; the consensus with how often the role holds over samples of the evidence",
                  caption_justify="left")
    for col in ("assertion", "by", "on", *readings):
        table.add_column(col)
    for c in judged:
        claim = (f"{'' if c['asserted'] else 'not '}{c['role']}" + (f" of {c['of']}" if c["of"] else ""))
        by = {r["reading"]: r for r in c.get("readings") or []}
        cells = [_verdict_cell(by[r]) if r in by else c["verdict"] for r in readings]
        table.add_row(escape(claim), escape(", ".join(c["sources"])), escape(c.get("judged_on") or "—"),
                      *map(escape, cells))
    console.print(table)
    for c in judged:
        if not c.get("readings"):
            console.print(f"[dim]{escape(c['role'])}: {escape(c['why'])}[/dim]")


def _verdict_cell(reading: dict[str, Any]) -> str:
    """A reading's verdict on an assertion, in brief: "disagrees (own)", "agrees, holds in 71 of 100"."""
    found = re.search(r"holds in (\d+ of \d+)", reading["status"])
    return (reading["verdict"] + (" (own)" if reading["own"] else "")
            + (f"; the role holds in {found.group(1)}" if found else ""))


def roles_report(console: Console, scenario: Scenario, result, run_id: str | None) -> None:
    """The roles that hold, with their explanations, then the sources' assertions beside them."""
    from .role_analysis import article  # the analyses' modules load with the command that runs them

    conf = f"confidence from {result.samples:,} samples of the evidence" if result.samples else "no Monte Carlo"
    console.print(f"[bold]{escape(scenario.name)}[/bold]: roles under [bold]{result.model}[/bold] ({conf})"
                  + (f"  [dim]run {run_id}[/dim]" if run_id else ""))
    rows = roles_table(scenario, result.roles)
    table = Table(show_edge=False, pad_edge=False)
    for col, justify in (("actor", "left"), ("role", "left"), ("issue", "left"), ("score", "right"),
                         ("confidence", "right"), ("of", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(row.actor, row.role, row.issue, f"{row.score:.2f}",
                      "" if row.confidence is None else f"{row.confidence:.0%}", row.other or "")
    console.print(table if rows else "No role holds (score >= 0.5) for any actor.")
    for note in result.notes:
        console.print(f"[dim]note: {escape(note)}[/dim]")
    console.print("\n[bold]Why[/bold]")
    for row in rows:
        console.print(f"- {escape(row.explanation)}")
    if result.comparison:
        console.print("\n[bold]Computed roles beside the roles the sources assert[/bold]")
        console.print(_readings_table(result.comparison))
        for c in result.comparison:
            claim = (f"{c['actor']} {'is' if c['asserted'] else 'is not'} {article(c['role'])}"
                     + (f" of {c['of']}" if c["of"] else "") + (f" on {c['issue']}" if c["issue"] else ""))
            quotes = "; ".join(f"{q['source']}: \u201c{q['quote']}\u201d" for q in c["quotes"])
            console.print(f"- [bold]{escape(claim)}[/bold] ({escape(quotes)}): [bold]{c['verdict']}[/bold]. "
                          f"{escape(c['why'])}")


def _readings_table(comparison) -> Table:
    """Each assertion's verdict under its source's own reading, the other sources' readings and the
    consensus (with its Monte Carlo standing), on the issue it is judged on."""
    table = Table(show_edge=False, pad_edge=False)
    for col in ("assertion", "on", "own reading", "other readings", "consensus"):
        table.add_column(col)
    for c in comparison:
        claim = f"{c['actor']} {'' if c['asserted'] else 'not '}{c['role']}" + (f" of {c['of']}" if c["of"] else "")
        rows = c.get("readings") or []
        sources = [r for r in rows if r["reading"] != "consensus"]
        own = "; ".join(f"{r['reading']}: {r['verdict']}" for r in sources if r["own"])
        others = "; ".join(f"{r['reading']}: {r['verdict']}" for r in sources if not r["own"])
        consensus = next((f"{r['verdict']} ({r['status']})" for r in rows if r["reading"] == "consensus"), c["verdict"])
        on = (c.get("judged_on") or "") + ("" if c["issue"] else " (no issue named)")
        table.add_row(escape(claim), escape(on), escape(own), escape(others), escape(consensus))
    return table


def perspectives_report(console: Console, scenario: Scenario, result, threshold: float,
                        run_ids: dict[str, list[str | None]], store_path: str) -> None:
    """Per issue, each model's forecast under each reading; then the gaps wider than ``threshold``
    and the inputs on which the sources depart most from the consensus."""
    from .perspectives import CONSENSUS

    readings, rows = perspective_table(result.forecasts)
    console.print(f"[bold]{escape(scenario.name)}[/bold]: the forecast if each source is right "
                  f"(its own values where it states them, the consensus elsewhere)")
    console.print("claims per source: " + ", ".join(f"{k} {v}" for k, v in result.claims.items()))
    for issue in scenario.issues:
        table = Table(box=None, header_style="bold", title=escape(issue.label or issue.id), title_justify="left")
        table.add_column("model")
        for r in readings:
            table.add_column(r, justify="right")
        table.add_column("spread", justify="right")
        for row in (row for row in rows if row.issue == issue.id):
            cells = [f"{row.values[r]:.1f}" if r in row.values else "—" for r in readings]
            table.add_row(row.model, *cells, f"{row.spread:.1f}")
        console.print(table)
    spread = result.spread()
    wide = spread[spread["spread"] > threshold]
    if len(wide):
        issues = list(dict.fromkeys(wide["issue"]))
        console.print(f"\n[bold]The readings lead to forecasts more than {threshold:g} points apart on {len(issues)} "
                      f"of {len(scenario.issues)} issues[/bold] ({', '.join(issues)}):")
        for row in wide.head(8).itertuples(index=False):
            console.print(f"  {row.issue} under {row.model}: {row.spread:.1f} points, from {row.lowest} to "
                          f"{row.highest}")
    else:
        console.print(f"\n[bold]No two readings lead to forecasts more than {threshold:g} points apart[/bold] "
                      "under these models: the forecast does not hinge on which source is right.")
    if len(result.inputs):
        console.print("\nInputs on which the sources depart most from the consensus:")
        for row in result.inputs.head(8).itertuples(index=False):
            where = f" on {row.issue}" if row.issue else ""
            console.print(f"  {row.reading}: {row.actor}'s {row.what}{where} {row.value:.3g} "
                          f"(consensus {row.consensus:.3g})")
    if run_ids.get(CONSENSUS) and run_ids[CONSENSUS][0]:
        console.print(f"[dim]runs recorded in {store_path}[/dim]")


def sensitivity_report(console: Console, err: Console, scenario: Scenario, model: str, result, what_ifs: list[dict],
                       top: int, indices, sobol_n: int, inputs: int) -> None:
    """Per issue, the ``top`` inputs by swing as a tornado table; the Sobol indices, if computed; and
    (on ``err``) a warning for each forecast locked on one actor's position."""
    console.print(f"[bold]{escape(scenario.name)}[/bold] under [bold]{model}[/bold]: each input moved alone from the "
                  "5% to the 95% quantile of its evidence")
    for row in what_ifs:
        console.print(f"[yellow]what-if:[/yellow] {escape(what_if(row))}")
    for issue in scenario.issues:
        part = result.top(issue.id, top)
        table = Table(box=None, header_style="bold", title=escape(issue.label or issue.id), title_justify="left")
        for name in ("input", "low → high", "forecast", "swing", ""):
            table.add_column(name, justify="right" if name in ("swing",) else "left")
        widest = max(part["swing"].max(), 1e-12)
        for row in part.itertuples(index=False):
            bar = "█" * int(round(20 * row.swing / widest)) if row.swing > 0 else ""
            table.add_row(escape(row.input), f"{row.low:.3g} → {row.high:.3g}",
                          f"{row.forecast_low:.1f} → {row.forecast_high:.1f}", f"{row.swing:.2f}", bar)
        console.print(table)
    if indices is not None and len(indices):
        console.print(f"\nSobol indices (first order S1, total ST; ± 95% bootstrap) over the {inputs} inputs of "
                      f"largest swing, {sobol_n} base samples:")
        for issue in scenario.issues:
            part = indices[indices["issue"] == issue.id].sort_values("ST", ascending=False).head(4)
            cells = "; ".join(f"{r.input} S1 {r.S1:.2f}±{r.S1_conf:.2f} ST {r.ST:.2f}±{r.ST_conf:.2f}"
                              for r in part.itertuples(index=False))
            console.print(f"  {escape(issue.id)}: {escape(cells)}")
    for row in result.locked.itertuples(index=False):
        err.print(f"[yellow]warning:[/yellow] the {model} forecast of {row.issue} is locked on {row.actor}'s "
                  f"position {row.position:g}: almost no other input moves it, so small swings here are not "
                  "robustness")


def _num(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def backtest_report(console: Console, doc: dict[str, Any]) -> None:
    """The backtest's scores: one row per model, then the groups, coverage and cross-validation."""
    data = doc["data"]
    console.print(f"[bold]{escape(data['file'])}[/bold]: {data['issues']} issues of {data['proposals']} proposals, "
                  f"{data['with_outcome']} with a recorded outcome; capabilities: {data['capabilities']}")
    scores = backtest_table(doc)
    table = Table(box=None, header_style="bold", pad_edge=False)
    for col in ("model", "n", "MAE", "RMSE", "median AE", "within 10", "vs mean", "95% CI"):
        table.add_column(col, justify="left" if col == "model" else "right")
    for g in scores.groups:
        table.add_column(f"MAE {g}", justify="right")
    for m in scores.rows:
        ci = "—" if m.ci is None else f"[{m.ci[0]:+.2f}, {m.ci[1]:+.2f}]"
        delta = "—" if m.delta_vs_mean is None else f"{m.delta_vs_mean:+.2f}"
        table.add_row(m.model, str(m.n), _num(m.mae), _num(m.rmse), _num(m.median_ae, 1),
                      "—" if m.within10 is None else f"{m.within10:.0%}", delta, ci, *(_num(v) for v in m.by_group))
    console.print(table)
    console.print("vs mean: the mean paired difference of absolute errors to the compromise model on the same "
                  f"issues (negative: better), with a {doc['bootstrap']:,}-resample bootstrap over proposals.")
    for m in doc["models"]:
        if m["unscored"]["issues"]:
            example = m["unscored"]["examples"][0]["reason"] if m["unscored"]["examples"] else ""
            console.print(f"[yellow]note:[/yellow] {m['model']} leaves {m['unscored']['issues']} issues with an "
                          f"outcome unscored (e.g. {escape(example)})")
        if m["unscored"]["proposals_together"]:
            console.print(f"note: {m['model']} forecast the issues of {m['unscored']['proposals_together']} "
                          "proposals together (it cannot take an issue alone)")
    if any(m.coverage is not None for m in scores.rows):
        cov = Table("model", "in 50% interval", "mean width", "in 80% interval", "mean width", box=None,
                    header_style="bold", title=f"Monte Carlo intervals ({doc['samples']:,} samples of the inputs)")
        for m in scores.rows:
            c = m.coverage
            if c:
                cov.add_row(m.model, *(x for lv in ("0.5", "0.8") for x in (
                    "—" if c[lv]["share"] is None else f"{c[lv]['share']:.0%}", _num(c[lv]["width"], 1))))
        console.print(cov)
    cv = doc.get("cross_validation")
    if cv:
        console.print(f"accord under proposal-grouped {cv['folds']}-fold cross-validation ({cv['repeats']} "
                      f"repeats, {cv['n']} issues): MAE {cv['mae']:.2f} (no fitted parameter in the point forecast); "
                      f"its 50% interval holds {cv['coverage']['0.5']:.1%} of outcomes (mean width "
                      f"{cv['width']['0.5']:.1f}), its 80% interval {cv['coverage']['0.8']:.1%} (width "
                      f"{cv['width']['0.8']:.1f}).")
