"""Readable terminal output: forecasts per issue, problems, run lists.

Everything here reads the JSON document (:mod:`accord.runner`) and the scenario, never a
model, so a stored run prints exactly as it did when it was made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .errors import Problem
from .scenario import Issue, Scenario


def reading(issue: Issue, value: float | None) -> str:
    """The issue's labelled anchor nearest to a value, in words."""
    if value is None:
        return "no forecast"
    if not issue.scale.anchors:
        return ""
    near = min(issue.scale.anchors, key=lambda a: abs(a.value - value))
    close = abs(near.value - value) <= 0.1 * (issue.scale.max - issue.scale.min)
    return f"{'≈' if close else 'nearest:'} {near.label} ({near.value:g})"


def forecast_tables(scenario: Scenario, doc: dict[str, Any]) -> Group:
    parts: list[Any] = []
    runs = doc["runs"]
    for issue in scenario.issues:
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
        table.add_column("model")
        table.add_column("forecast", justify="right")
        table.add_column("rounds", justify="right")
        table.add_column("reading")
        uncertain = any("median" in f for run in runs for f in run["forecast"])
        if uncertain:
            table.add_column("median [q05, q95]", justify="right")
            table.add_column(f"over samples, {issue.scale.min:g}–{issue.scale.max:g}")
        for run in runs:
            row = next((f for f in run["forecast"] if f["issue"] == issue.id), {})
            value = row.get("value")
            rounds = max((r["round"] for r in run["summary"]), default=0)
            cells = [run["model"], "—" if value is None else f"{value:.2f}", str(rounds), reading(issue, value)]
            if uncertain:
                cells += [f"{row['median']:.1f} [{row['q05']:.1f}, {row['q95']:.1f}]" if "median" in row else "",
                          row.get("histogram", "")]
            table.add_row(*cells)
        scale = f"{issue.scale.min:g}–{issue.scale.max:g}"
        ref = f", reference point {issue.reference.point:g}" if issue.reference else ""
        title = f"[bold]{escape(issue.label or issue.id)}[/bold]  [dim]({escape(issue.id)}; scale {scale}{ref})[/dim]"
        parts.append(Panel(table, title=title, title_align="left", expand=False))
    notes = [f"{run['model']}: {note}" for run in runs for note in grouped_notes(run.get("notes", []))]
    from .uncertainty import what_if

    notes += [f"what-if: {what_if(row)}" for row in next((r["overrides"] for r in runs if "overrides" in r), [])]
    if notes:
        parts.append(Text("\n".join(notes), style="yellow"))
    parts.append(Text("`accord models` says what each model computes; `accord explain FILE -m MODEL` tells a run "
                      "round by round; `accord roles FILE` says who brokers, spoils, follows or holds out; "
                      "`accord backtest data/deu3/deu3-dev.csv` scores the models against real EU outcomes; "
                      "`accord report FILE -o report.html` writes it all up to send; `accord serve` opens the "
                      "dashboard (extra `web`)",
                      style="dim"))
    return Group(*parts)


def grouped_notes(notes: Sequence[str]) -> list[str]:
    """Notes of the form "issue: text" that say the same for several issues, as one line."""
    issues_by_text: dict[str, list[str]] = {}
    for note in notes:
        issue, sep, text = note.partition(": ")
        key = text if sep else note
        issues_by_text.setdefault(key, []).append(issue if sep else "")
    return [f"{', '.join(i for i in issues if i)}: {text}" if any(issues) else text
            for text, issues in issues_by_text.items()]


def print_forecast(console: Console, scenario: Scenario, doc: dict[str, Any], store_path: str | None = None) -> None:
    n_a, n_i = len(scenario.actors), len(scenario.issues)
    sha = doc["scenario"]["sha256"][:12]
    console.print(f"[bold]{escape(scenario.name)}[/bold]: {n_a} actors, {n_i} issues  [dim]sha256 {sha}[/dim]")
    console.print(forecast_tables(scenario, doc))
    ids = [r["run_id"] for r in doc["runs"] if r.get("run_id")]
    if ids and store_path:
        console.print(f"[dim]recorded as {', '.join(ids)} in {store_path}; `accord runs show ID` reprints a run[/dim]")


def print_problems(console: Console, problems: Sequence[Problem], title: str | None = None) -> None:
    if title:
        console.print(title, style="bold red" if any(p.severity == "error" for p in problems) else "bold yellow")
    for p in problems:
        style = "red" if p.severity == "error" else "yellow"
        console.print(Text(f"  {p.severity}: ", style=style) + Text(str(p)))


def roles_report(console: Console, scenario: Scenario, result, run_id: str | None) -> None:
    """The roles that hold, with their explanations, then the sources' assertions beside them."""
    from .role_analysis import article

    conf = f"confidence from {result.samples:,} samples of the evidence" if result.samples else "no Monte Carlo"
    console.print(f"[bold]{escape(scenario.name)}[/bold]: roles under [bold]{result.model}[/bold] ({conf})"
                  + (f"  [dim]run {run_id}[/dim]" if run_id else ""))
    table = Table(show_edge=False, pad_edge=False)
    for col, justify in (("actor", "left"), ("role", "left"), ("issue", "left"), ("score", "right"),
                         ("confidence", "right"), ("of", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for row in result.roles:
        table.add_row(row["actor"], row["role"], row["issue"], f"{row['score']:.2f}",
                      "" if row["confidence"] is None else f"{row['confidence']:.0%}", row["other"] or "")
    console.print(table if result.roles else "No role holds (score >= 0.5) for any actor.")
    for note in result.notes:
        console.print(f"[dim]note: {escape(note)}[/dim]")
    console.print("\n[bold]Why[/bold]")
    for row in result.roles:
        console.print(f"- {escape(row['explanation'])}")
    if result.comparison:
        console.print("\n[bold]Computed roles beside the roles the sources assert[/bold]")
        for c in result.comparison:
            claim = (f"{c['actor']} {'is' if c['asserted'] else 'is not'} {article(c['role'])}"
                     + (f" of {c['of']}" if c["of"] else "") + (f" on {c['issue']}" if c["issue"] else ""))
            quotes = "; ".join(f"{q['source']}: \u201c{q['quote']}\u201d" for q in c["quotes"])
            console.print(f"- [bold]{escape(claim)}[/bold] ({escape(quotes)}): [bold]{c['verdict']}[/bold]. "
                          f"{escape(c['why'])}")



def _num(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def backtest_report(console: Console, doc: dict[str, Any]) -> None:
    """The backtest's scores: one row per model, then the groups, coverage and cross-validation."""
    data = doc["data"]
    console.print(f"[bold]{escape(data['file'])}[/bold]: {data['issues']} issues of {data['proposals']} proposals, "
                  f"{data['with_outcome']} with a recorded outcome; capabilities: {data['capabilities']}")
    table = Table(box=None, header_style="bold", pad_edge=False)
    for col in ("model", "n", "MAE", "RMSE", "median AE", "within 10", "vs mean", "95% CI"):
        table.add_column(col, justify="left" if col == "model" else "right")
    groups = [(key, g) for key in ("procedure", "rule") for g in doc["models"][0][f"by_{key}"]]
    for _, g in groups:
        table.add_column(f"MAE {g}", justify="right")
    for m in doc["models"]:
        ci = "—" if m["ci_low"] is None else f"[{m['ci_low']:+.2f}, {m['ci_high']:+.2f}]"
        delta = "—" if m["delta_vs_mean"] is None else f"{m['delta_vs_mean']:+.2f}"
        table.add_row(m["model"], str(m["n"]), _num(m["mae"]), _num(m["rmse"]), _num(m["median_ae"], 1),
                      "—" if m["within10"] is None else f"{m['within10']:.0%}", delta, ci,
                      *(_num(m[f"by_{key}"].get(g, {}).get("mae")) for key, g in groups))
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
    if any("coverage" in m for m in doc["models"]):
        cov = Table("model", "in 50% interval", "mean width", "in 80% interval", "mean width", box=None,
                    header_style="bold", title=f"Monte Carlo intervals ({doc['samples']:,} samples of the inputs)")
        for m in doc["models"]:
            c = m.get("coverage")
            if c:
                cov.add_row(m["model"], *(x for lv in ("0.5", "0.8") for x in (
                    "—" if c[lv]["share"] is None else f"{c[lv]['share']:.0%}", _num(c[lv]["width"], 1))))
        console.print(cov)
    cv = doc.get("cross_validation")
    if cv:
        console.print(f"accord under proposal-grouped {cv['folds']}-fold cross-validation ({cv['repeats']} "
                      f"repeats, {cv['n']} issues): MAE {cv['mae']:.2f} (no fitted parameter in the point forecast); "
                      f"its 50% interval holds {cv['coverage']['0.5']:.1%} of outcomes (mean width "
                      f"{cv['width']['0.5']:.1f}), its 80% interval {cv['coverage']['0.8']:.1%} (width "
                      f"{cv['width']['0.8']:.1f}).")
