"""The report's content, section by section, as a :class:`~.document.Document`."""

from __future__ import annotations

import numpy as np

from ..explain import fmt
from ..perspectives import CONSENSUS
from ..role_analysis import article
from ..scenario import Actor, Estimate, Issue, Scenario
from ..uncertainty import what_if
from ..views import (RoleRow, bottom_line_view, forecast_table, grouped_notes, model_view, perspective_table, reading,
                     result_view, roles_table)
from . import figures
from .advice import advice_sections
from .build import TORNADO_TOP, Report
from .document import (Cell, Document, Facts, Figure, Heading, Items, Lines, Para, Section, Table, Text, code, em,
                       joined, link, muted, prose, quote, strong, tag, target, text)

def compose(report: Report) -> Document:
    s = report.scenario
    sections = [bottom_line_section(report), run_section(report), scenario_section(s), forecast_section(report),
                trajectory_section(report), roles_section(report), perspectives_section(report),
                sensitivity_section(report), network_section(report), *advice_sections(report)]
    return Document(s.name, text(s.description or ""), sections, scope(report))


def scope(report: Report) -> Text:
    """One line: what the report covers."""
    s = report.scenario
    claims = sum(len(e.claims) for e in s.estimates())
    when = f"{s.date}; " if s.date else ""
    return text(f"{when}{len(s.actors)} actors, {len(s.issues)} issues, {claims} claims from {len(s.sources)} "
                f"sources; {len(report.results)} models ({', '.join(report.models)})")


def facts(report: Report) -> list[tuple[str, Text]]:
    s = report.scenario
    skipped = "; ".join(f"{k['model']} ({k['reason']})" for k in report.skipped)
    rows = [("scenario", text(s.name, muted(f"  ({s.date})") if s.date else "")),
            ("sha256", text(code(s.sha256[:12]), muted(f"  {s.sha256}"))),
            ("accord", text(report.version)),
            ("run", text(report.created.strftime("%Y-%m-%d %H:%M UTC")) if report.created else ()),
            ("seed", text(str(report.seed))),
            ("samples", text(f"{report.samples:,} Monte Carlo samples of the evidence" if report.samples
                             else prose("none (point forecasts; `--samples N` adds intervals)"))),
            ("roles", text(f"{report.role_samples:,} Monte Carlo samples for the roles' confidence")),
            ("models", text(", ".join(report.models), muted(f"; main model: {report.main.model}"))),
            ("skipped", text(skipped)),
            ("command", text(code(report.command)))]
    return [(k, v) for k, v in rows if v]


# -- 0. the bottom line ------------------------------------------------------------------------


def bottom_line_section(report: Report) -> Section:
    """One page before the evidence: per issue, the forecast to believe, with its interval, the
    lock on the status quo, where the models agree and part, and the warnings, in brief; then the
    roles the sources assert, judged under each reading."""
    if report.bottom_line is None:
        return Section("bottom-line", "Bottom line", [Para(text(report.missing.get("bottom line", "")), "note")])
    entries = [b.to_json() for b in report.bottom_line]
    views = [bottom_line_view(e) for e in entries]
    rows: list[list[Cell]] = [[text(strong(v.label)), forecast_cell(v), status_quo_cell(e), models_cell(e),
                               warnings_cell(e)] for e, v in zip(entries, views)]
    bases = sorted({v.basis for v in views})
    unchecked = sorted({v.unchecked for v in views if v.unchecked})
    blocks: list = [
        Para(text("Recommended: ", "; ".join(bases), ", unless the issue's decision rule locks the status quo.")),
        Table(["issue", "forecast [interval]", "status quo", "the models", "unstable"], rows, "lnlll", kind="bottom",
              caption=text(prose(
                  "Status quo: locked when no coalition the decision rule lets win prefers any other point (an "
                  "empty win set; the models' number is then what to expect if the lock breaks); a forecast outside "
                  "the win set is moved into it. Unstable: a move of one position by 2% of the scale shifts the "
                  "forecast by more than 10%, or its Monte Carlo median lies that far from it (the sentences: "
                  "`accord forecast`)."), *(prose(f" {u[0].upper()}{u[1:]}.") for u in unchecked)))]
    blocks += asserted_brief(report)
    return Section("bottom-line", "Bottom line", blocks)


def forecast_cell(v) -> Lines:
    """The recommended forecast, and the models' own when the decision rule changed it."""
    return Lines((text(strong(v.headline)),) + ((text(muted(v.unconstrained)),) if v.unconstrained else ()))


def status_quo_cell(e: dict) -> Lines:
    """Locked, and by whom; or the win set the forecast must lie in; or not analysed."""
    if e["win_set"] is None:
        return Lines((text(muted("not analysed (no decision rule or no status quo)")),))
    q = f"{e['status_quo']:g}"
    if not e["win_set"]:
        return Lines((text(strong("locked"), f" at {q} by {', '.join(e['locked_by'])}"),
                      text(muted("empty win set"))))
    where = " ∪ ".join(f"({a:.3g}, {b:.3g})" for a, b in e["win_set"])
    lines = [text(f"open: {q} can be replaced by {where}")]
    if e["unconstrained"]:
        lines.append(text(muted("clipped into it" if e["unconstrained"]["value"] != e["recommended"]
                                else "interval cut to it")))
    return Lines(tuple(lines))


def models_cell(e: dict) -> Lines:
    """Where the models agree and part, the outliers and the results that are not forecasts, in brief."""
    tabled = [m for m in e["models"] if m["status"] == "forecast"]
    if e["spread"] is None:
        lines = [text("no model gives a forecast")]
    else:
        lo, hi = e["spread"]
        lines = [text(f"{len(tabled)} {'agree' if e['agree'] else 'part'}: {lo:.1f} to {hi:.1f}")]
    if e["outliers"]:
        lines.append(text("outliers: " + ", ".join(f"{m['model']} {m['value']:.1f}" for m in e["outliers"])))
    odd = [m for m in e["models"] if m["status"] != "forecast"]
    if odd:
        lines.append(text(muted("; ".join(f"{m['model']}: {m['status']}" for m in odd))))
    return Lines(tuple(lines))


def warnings_cell(e: dict) -> Lines:
    """Each unstable forecast in a few words (the sentences are in ``accord forecast``)."""
    lines = []
    for u in e["unstable"]:
        if u["kind"] == "move":
            where = "" if u["moved"] == e["issue"] else f" on {u['moved']}"
            lines.append(text(strong(u["model"]), f": {u['actor']}{where} {u['step']:+.3g} moves it {u['shift']:.1f}"))
        else:
            lines.append(text(strong(u["model"]), f": Monte Carlo median {u['median']:.1f} vs {u['value']:.1f}"))
    return Lines(tuple(lines) or (text(muted("none")),))


def asserted_brief(report: Report) -> list:
    """The roles the sources assert, each judged under the consensus (with its Monte Carlo
    standing), under its source's own reading and under the others', on the issue it is about."""
    res = report.roles
    if res is None:
        return [Para(text(report.missing.get("roles", "")), "note")]
    judged = [c for c in res.comparison if c.get("readings")]
    if not judged:
        return []
    who = names(report.scenario)
    sources = list(dict.fromkeys(r["reading"] for c in judged for r in c["readings"] if r["reading"] != CONSENSUS))
    rows: list[list[Cell]] = []
    for c in judged:
        claim = (f"{who.get(c['actor'], c['actor'])} {'is' if c['asserted'] else 'is not'} {article(c['role'])}"
                 + (f" of {who.get(c['of'], c['of'])}" if c["of"] else ""))
        by = {r["reading"]: r for r in c["readings"]}
        consensus = by.get(CONSENSUS)
        cells: list[Cell] = [text(strong(claim)), text(c.get("judged_on") or ""),
                             text(consensus["status"] if consensus else c["status"])]
        for src in sources:
            r = by.get(src)
            said = "—" if r is None else ("holds" if r["holds"] else "does not hold")
            cells.append(text(strong(said), muted(" (its own)")) if r is not None and r["own"] else text(said))
        rows.append(cells)
    return [Heading("The roles the sources assert, under each reading", "bottom-roles"),
            Table(["assertion", "on", "consensus", *sources], rows, "lll" + "l" * len(sources), kind="compact",
                  caption=text(f"Measured on {res.model}: the consensus with its confidence from "
                               f"{report.role_samples:,} samples of the evidence; each source's reading on its own "
                               "numbers. Details in ", link("Roles", "#roles-asserted"), "."))]


# -- 1. the run ---------------------------------------------------------------------------------


def run_section(report: Report) -> Section:
    return Section("run", "This run", [Facts(facts(report)), Para(prose(
        "Everything in this report was computed by accord from the scenario file alone: the same file (the same "
        "sha256), accord version, seed and command give the same numbers, and only the date above changes. "
        "The forecasts are the models' readings of the evidence, not facts about the outcome."))])


# -- 2. the scenario with its evidence ---------------------------------------------------------


def scenario_section(s: Scenario) -> Section:
    claims = sum(len(e.claims) for e in s.estimates())
    assumed = sum(1 for e in s.estimates() if not e.claims)
    blocks = [Para(text(f"{len(s.actors)} actors, {len(s.issues)} issues; {claims} claims quoted from "
                        f"{len(s.sources)} sources, {assumed} values resting on a stated assumption (marked ",
                        tag("assumption"), "). A value backed by claims is the mean over sources of each source's "
                        "mean claim, unless the file sets it."))]
    if s.assumption:
        blocks.append(Para(text("File-wide assumption, covering every bare number: ", em(s.assumption)), "note"))
    if s.sources:
        blocks += [Heading("Sources", "sources"), sources_table(s)]
    blocks.append(Heading("Issues", "issues"))
    for issue in s.issues:
        blocks += issue_blocks(s, issue)
    blocks.append(Heading("Actors", "actors"))
    plain = [a for a in s.actors if not any(e.claims or e.assumption for e in estimates(a))]
    if plain:
        blocks.append(bare_table(s, plain))
    for actor in s.actors:
        if actor in plain:
            continue
        blocks.append(Heading(f"{actor.name or actor.id} ({actor.id})", f"actor-{actor.id}"))
        if actor.description:
            blocks.append(Para(text(actor.description)))
        rows: list[list[Cell]] = []
        if actor.capability is not None:
            rows.append([text(strong("all issues")), text("capability"), value_cell(actor.capability),
                         evidence(s, actor.capability)])
        for issue in s.issues:
            stance = actor.issues.get(issue.id)
            if stance is None:
                continue
            named = [(what, est) for what in ("position", "salience", "capability")
                     if (est := getattr(stance, what)) is not None]
            for k, (what, est) in enumerate(named):
                rows.append([text(strong(issue.label or issue.id)) if k == 0 else text(), text(what),
                             value_cell(est), evidence(s, est)])
        absent = [i.label or i.id for i in s.issues if i.id not in actor.issues]
        blocks.append(Table(["issue", "quantity", "value", "evidence"], rows, "llrl", kind="wide",
                            caption=text(f"Takes no part in: {', '.join(absent)}.") if absent else ()))
    return Section("scenario", "The scenario and its evidence", blocks)


def estimates(actor: Actor) -> list[Estimate]:
    out = [actor.capability] if actor.capability is not None else []
    for stance in actor.issues.values():
        out += [e for e in (stance.position, stance.salience, stance.capability) if e is not None]
    return out


def bare_table(s: Scenario, actors: list[Actor]) -> Table:
    """One table for the actors whose numbers carry no evidence of their own (imported files)."""
    rows: list[list[Cell]] = []
    for actor in actors:
        for k, issue in enumerate(i for i in s.issues if i.id in actor.issues):
            stance, cap = actor.issues[issue.id], s.capability(actor, issue.id)
            rows.append([text(strong(f"{actor.name or actor.id} ({actor.id})") if k == 0 else ""),
                         text(issue.label or issue.id), text(fmt(stance.position.point)),
                         text(fmt(stance.salience.point)), text("—" if cap is None else fmt(cap.point))])
    caption = ("Every number of these actors rests on the file-wide assumption above" if s.assumption
               else "These actors' numbers carry no evidence")
    return Table(["actor", "issue", "position", "salience", "capability"], rows, "llrrr", kind="compact",
                 caption=text(tag("assumption"), f" {caption}: no claims, no assumption of their own."))


def sources_table(s: Scenario) -> Table:
    rows: list[list[Cell]] = []
    for src in s.sources:
        byline = ", ".join(x for x in (src.author, src.publisher, src.date) if x)
        address = link(src.url, src.url) if src.url else ""
        lines = [text(src.title), text(muted(byline) if byline else ""), text(address)]
        rows.append([text(target(f"src-{src.id}"), strong(src.id)), Lines(tuple(t for t in lines if t))])
    return Table(["id", "source"], rows, kind="wide")


def issue_blocks(s: Scenario, issue: Issue) -> list:
    blocks: list = [Heading(f"{issue.label or issue.id} ({issue.id})", f"issue-{issue.id}")]
    if issue.description:
        blocks.append(Para(text(issue.description)))
    rows: list[list[Cell]] = [[text(f"{a.value:g}"), text(a.label)] for a in issue.scale.anchors]
    blocks.append(Table(["value", "anchor"], rows, "rl", kind="compact",
                        caption=text(f"Scale {issue.scale.min:g} to {issue.scale.max:g}.")))
    if issue.reference is not None:
        blocks.append(Table(["status quo", "evidence"],
                            [[value_cell(issue.reference), evidence(s, issue.reference)]], "rl", kind="wide"))
    return blocks


def value_cell(est: Estimate) -> Text:
    return text(strong(fmt(est.point)))


def evidence(s: Scenario, est: Estimate) -> Cell:
    """The claims behind a value (value, quote, source, how it was read), or its assumption, flagged."""
    lines: list[Text] = []
    for c in est.claims:
        said = fmt(c.value) if c.value is not None else f"{fmt(c.low)}–{fmt(c.high)}"
        if c.value is not None and c.low is not None:
            said += f" ({fmt(c.low)}–{fmt(c.high)})"
        lines.append(text(strong(said), " ", quote(c.quote), " ", link(c.source, f"#src-{c.source}"),
                          muted(f" — {c.note}") if c.note else ""))
    if est.assumption:
        lines.append(text(tag("assumption"), " ", est.assumption))
    elif not est.claims:
        lines.append(text(tag("assumption"), " ", s.assumption or "no evidence recorded"))
    if est.value is not None and est.claims:
        lines.append(text(muted(f"value set by the file to {fmt(est.value)}, not the claims' mean")))
    return Lines(tuple(lines))


# -- 3. forecasts ------------------------------------------------------------------------------


def forecast_section(report: Report) -> Section:
    s, results = report.scenario, report.results
    mc = (f" Below each forecast: the median and the 5%–95% range over {report.samples:,} Monte Carlo samples of "
          "the evidence (every model on the same draws, as `accord forecast --samples` draws them)."
          if report.samples else " Run with `--samples N` for Monte Carlo intervals from the evidence.")
    why = model_view(report.main.model).recommended or "the first model run"
    blocks: list = [Para(text(
        "Each model's forecast of each issue, on the issue's own scale. The main model is ", strong(report.main.model),
        f" ({why}).", prose(mc)))]
    table = forecast_table(s, [result_view(r) for r in results])
    rows: list[list[Cell]] = []
    for k, r in enumerate(results):
        cells: list[Cell] = [text(strong(r.model) if r is report.main else r.model)]
        for f in table:
            m = f.models[k]
            value = text("—" if m.value is None else f"{m.value:.2f}")
            if m.median is not None:
                cells.append(Lines((value, text(muted(f"{m.median:.1f} [{m.q05:.1f}, {m.q95:.1f}]")))))
            else:
                cells.append(value)
        rows.append(cells)
    blocks.append(Table(["model", *[i.label or i.id for i in s.issues]], rows, "l" + "r" * len(s.issues),
                        kind="compact", caption=text("Forecast per model (rows) and issue (columns).")))
    notes = [text(strong(r.model), ": ", note) for r in results for note in grouped_notes(r.notes)]
    if report.skipped:
        notes += [text(strong(k["model"]), " was not run: ", k["reason"]) for k in report.skipped]
    if notes:
        blocks += [Para(text("What the models say about their runs:")), Items(notes)]
    what_ifs = next((r.uncertainty.get("overrides") for r in results if r.uncertainty), None)
    if what_ifs:
        blocks += [Para(text("Inputs set by the file over their claims (what-ifs), and how the samples draw them:")),
                   Items([text(what_if(row)) for row in what_ifs])]
    for i, issue in enumerate(s.issues):
        value = report.main.forecast[i]
        blocks.append(Figure(
            f"forecast-{i}", lambda i=i, issue=issue: figures.forecasts(issue, i, results),
            text(strong(issue.label or issue.id), f": each model's forecast on the {issue.scale.min:g}–"
                 f"{issue.scale.max:g} scale" + (", its anchors labelled on the axis" if issue.scale.anchors else "")
                 + f". The main model ({report.main.model}) forecasts {value:.1f}",
                 text(", ", em(reading(issue, value))) if issue.scale.anchors else "", "."),
            f"Forecasts of {issue.label or issue.id} per model"))
    return Section("forecasts", "Forecasts", blocks)


# -- 4. trajectories ---------------------------------------------------------------------------


def trajectory_section(report: Report) -> Section:
    r = report.trajectory
    if r is None:
        return Section("trajectories", "Trajectories", [Para(text(report.missing["trajectories"]), "note")])
    why = ("the main model" if r is report.main
           else f"the first model run that has rounds; the main model, {report.main.model}, has none")
    blocks = [Para(text("Every actor's position on each issue after each round of ", strong(r.model),
                        f" ({why}); round 0 is the scenario's positions, the star the model's forecast. It ran "
                        f"{r.n_rounds} round{'s' * (r.n_rounds != 1)}; ",
                        prose(f"`accord explain FILE --model {r.model}` tells the run round by round."))),
              Figure("trajectories", lambda: figures.trajectories(report.scenario, r, names(report.scenario)),
                     text(f"Positions over the rounds of {r.model}, one panel per issue, on the issue's scale "
                          "(ticks at its anchors; dashed: the reference point)."),
                     f"Trajectories of the actors' positions under {r.model}")]
    return Section("trajectories", "Trajectories", blocks)


def names(s: Scenario) -> dict[str, str]:
    return {a.id: a.name or a.id for a in s.actors}


# -- 5. roles ----------------------------------------------------------------------------------


def roles_section(report: Report) -> Section:
    res = report.roles
    if res is None:
        return Section("roles", "Roles", [Para(text(report.missing["roles"]), "note")])
    who = names(report.scenario)
    label = {i.id: i.label or i.id for i in report.scenario.issues}
    roles = roles_table(report.scenario, res.roles)
    conf = (f"confidence: the share of {res.samples} Monte Carlo samples of the evidence in which the role holds "
            f"(the same count as `accord roles` and the dashboard by default)" if res.samples
            else "no Monte Carlo, so no confidence")
    blocks: list = [Para(text(
        "Who pivots, brokers, spoils, enables, follows, holds out or stands alone, measured on the run of ",
        strong(res.model), prose(f" ({model_view(res.model).about}, the default of `accord roles`) and "
                                 "on runs without each actor; a role holds when its score, its weakest condition, is "
                                 f"at least 0.5; {conf}.")))]
    rows: list[list[Cell]] = [[text(r.actor_name), text(r.role), text(r.issue_label), text(f"{r.score:.2f}"),
                               text("—" if r.confidence is None else f"{r.confidence:.0%}"), text(r.other_name)]
                              for r in roles]
    if rows:
        blocks.append(Table(["actor", "role", "issue", "score", "confidence", "of"], rows, "lllrrl", kind="compact",
                            caption=text("The roles that hold; ", em("of"), ": the patron followed or the actor "
                                         "backed.")))
        blocks += [Heading("Why", "roles-why"), Items([explanation(r) for r in roles], "small")]
    else:
        blocks.append(Para(text("No role holds (score at least 0.5) for any actor."), "note"))
    blocks += [Para(text(muted(n)), "note") for n in res.notes]
    if res.comparison:
        items = []
        for c in res.comparison:
            claim = (f"{who[c['actor']]} {'is' if c['asserted'] else 'is not'} {article(c['role'])}"
                     + (f" of {who.get(c['of'], c['of'])}" if c["of"] else "")
                     + (f" on {label[c['issue']]}" if c["issue"] else ""))
            quotes = joined([text(quote(q["quote"]), " ", link(q["source"], f"#src-{q['source']}"))
                             for q in c["quotes"]], "; ")
            readings = "; ".join(f"{r['reading']}{' (its own)' if r['own'] else ''}: {r['verdict']}"
                                 for r in c.get("readings", []))
            items.append(text(strong(claim), " (", quotes, "): the computation ", strong(c["verdict"]), ". ",
                              c["why"], f" Under each reading: {readings}." if readings else ""))
        blocks += [Heading("Computed roles beside the roles the sources assert", "roles-asserted"),
                   Items(items, "small")]
    return Section("roles", "Roles", blocks)


def explanation(row: RoleRow) -> Text:
    """A role's explanation: the measured conditions, then (muted) the inputs and quotes behind it."""
    head, _, behind = row.explanation.partition(" Behind it: ")
    said = f"{row.actor_name} is {article(row.role)} on {row.issue_label}: it "
    head = "It " + head[len(said):] if head.startswith(said) else head
    return text(strong(f"{row.actor_name}, {row.role} on {row.issue_label}."), " ", head,
                muted(" Behind it: " + behind) if behind else "")


# -- 6. perspectives ---------------------------------------------------------------------------


def perspectives_section(report: Report) -> Section:
    p = report.perspectives
    if p is None:
        return Section("perspectives", "Perspectives", [Para(text(report.missing["perspectives"]), "note")])
    s, main = report.scenario, report.main.model
    readings, table = perspective_table(p.forecasts)
    of_main = {row.issue: row for row in table if row.model == main}
    rows: list[list[Cell]] = []
    for issue in s.issues:
        row = of_main[issue.id]
        rows.append([text(issue.label or issue.id), *[text(f"{row.values[r]:.1f}") for r in readings],
                     text(strong(f"{row.spread:.1f}"))])
    blocks: list = [
        Para(text("The forecast if each source is right: each source's own values wherever it states them "
                  "(the mean of its claims on that number), the consensus elsewhere. Claims per source: "
                  + ", ".join(f"{k} {v}" for k, v in p.claims.items()) + ".")),
        Table(["issue", *readings, "spread"], rows, "l" + "r" * (len(readings) + 1), kind="compact",
              caption=text(f"Forecasts of the main model ({main}) per reading; ", em(CONSENSUS),
                           " is the scenario as it stands; spread: highest minus lowest."))]
    spread = p.spread()
    wide = spread[spread["spread"] > 10.0]
    if len(wide):
        blocks.append(Para(text(f"Across all {len(set(spread['model']))} models, the readings lead to forecasts "
                                f"more than 10 points apart on {len(set(wide['issue']))} of {len(s.issues)} "
                                "issues; the widest gaps:")))
        blocks.append(Items([text(strong(f"{r.issue}"), f" under {r.model}: {r.spread:.1f} points, from "
                                  f"{r.lowest} to {r.highest}") for r in wide.head(6).itertuples(index=False)]))
    else:
        blocks.append(Para(text("No two readings lead to forecasts more than 10 points apart under any model run: "
                                "the forecast does not hinge on which source is right.")))
    if len(p.inputs):
        rows = [[text(r.reading), text(r.actor), text(r.what), text(r.issue or "all"), text(f"{r.value:.3g}"),
                 text(f"{r.consensus:.3g}")] for r in p.inputs.head(8).itertuples(index=False)]
        blocks.append(Table(["reading", "actor", "input", "issue", "the source", "consensus"], rows, "llllrr",
                            kind="compact", caption=text("Inputs on which the sources depart most from the "
                                                         "consensus (relative to the scale).")))
    return Section("perspectives", "Perspectives", blocks)


# -- 7. sensitivity ----------------------------------------------------------------------------


def sensitivity_section(report: Report) -> Section:
    t = report.tornado
    if t is None:
        return Section("sensitivity", "Sensitivity", [Para(text(report.missing["sensitivity"]), "note")])
    main = report.main
    blocks: list = [Para(text(
        "Which inputs move the forecasts of ", strong(main.model), prose(
            ": each input (a position, salience, capability or reference point) moved alone from the 5% to the 95% "
            f"quantile of its evidence, all else at the consensus; the {TORNADO_TOP} inputs of largest swing per "
            "issue (`accord sensitivity` prints them all).")))]
    for row in t.locked.itertuples(index=False):
        blocks.append(Para(text(f"The forecast of {row.issue} is locked on {row.actor}'s position {row.position:g}: "
                                "almost no other input moves it, so small swings there are not robustness."), "note"))
    for i, issue in enumerate(report.scenario.issues):
        center = main.forecast[i]
        blocks.append(Figure(
            f"tornado-{i}", lambda issue=issue, center=center: figures.tornado(issue, t, center, TORNADO_TOP),
            text(strong(issue.label or issue.id), f": the forecast ({center:.1f}) with each input at the low "
                 "(blue) and high (orange) end of its evidence; in brackets, the input's two values."),
            f"Sensitivity of the forecast of {issue.label or issue.id}"))
    return Section("sensitivity", "Sensitivity", blocks)


# -- 8. network --------------------------------------------------------------------------------


def network_section(report: Report) -> Section:
    net = report.network
    if net is None:
        return Section("network", "Network of actors", [Para(text(report.missing["network"]), "note")])
    who = names(report.scenario)
    shown = net.strongest()
    challenges = (f"Arrows: the {len(shown)} most frequent {net.challenge_meaning}." if shown else
                  f"No arrows: {net.challenge_meaning}.")
    blocks: list = [
        Para(text("A map of agreement: each actor (a circle sized by its capability) placed so that the distance "
                  "between two actors is about their disagreement, one minus their agreement (the distance of their "
                  "positions as a share of each scale, averaged over the issues both take part in, weighted by the "
                  "mean of their saliences); left to right runs the main divide (a classical scaling). Only the "
                  "backbone is drawn: the third of the pairs that agree most and each actor's closest ally, as "
                  "thick as their agreement. " + challenges)),
        Figure("network", lambda: figures.network(net, who),
               text(f"The actors' map of agreement: {len(net.ties())} ties of the backbone (grey, labelled with "
                    "their agreement)" + (", challenges (red arrows, width ~ count)" if shown else "") + "."),
               "Network of actors")]
    if len(net.actors) <= 12:
        rows: list[list[Cell]] = []
        for a, actor in enumerate(net.actors):
            cells: list[Cell] = [text(strong(who[actor]))]
            cells += [text("" if not np.isfinite(v) else f"{v:.2f}") for v in net.agreement[a]]
            rows.append(cells)
        blocks.append(Table(["", *net.actors], rows, "l" + "r" * len(net.actors), kind="compact",
                            caption=text("Agreement of every pair of actors (1: same positions on every issue both "
                                         "care about; 0: opposite ends).")))
    else:
        pairs = net.closest()
        rows = [[text(who[net.actors[a]]), text(who[net.actors[b]]), text(f"{v:.2f}")]
                for a, b, v in pairs[:8] + pairs[-8:]]
        blocks.append(Table(["actor", "actor", "agreement"], rows, "llr", kind="compact", caption=text(
            f"The 8 pairs that agree most and the 8 that agree least, of {len(pairs)} pairs (1: same positions on "
            "every issue both care about; 0: opposite ends).")))
    if shown:
        total = int(net.challenges.sum())
        blocks.append(Para(text(f"{total} challenges in all ({net.challenge_model}); the most frequent: " + "; ".join(
            f"{who[net.actors[a]]} → {who[net.actors[b]]} {n}" for a, b, n in shown[:8]) + ".")))
    return Section("network", "Network of actors", blocks)
