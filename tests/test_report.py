"""accord report: the document holds the scenario's evidence and the analyses' own numbers,
is self-contained and deterministic, and says why a section is empty."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from accord.io import read_scenario
from accord.models import get_model
from accord.perspectives import perspectives
from accord.report import build, render_html, write_markdown
from accord.report.figures import svg
from accord.report.network import agreement, challenge_counts
from accord.runner import add_uncertainty, run_applicable, run_models

from .conftest import KOREA, make_scenario

WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
ASSET_ATTRIBUTES = ("src", "href", "xlink:href", "srcset", "data", "poster", "action")

ONE_SOURCE = """\
name: One analyst
sources:
  - {id: solo, title: A single analysis, author: A. Nalyst, date: "2020"}
issues:
  - id: tariff
    label: Tariff level
    scale: {min: 0, max: 10, anchors: [{value: 0, label: free trade}, {value: 10, label: embargo}]}
actors:
  - id: A
    capability: {value: 1, assumption: "equal weights"}
    issues:
      tariff:
        position: {claims: [{source: solo, quote: "A wants the tariff gone", value: 1}]}
        salience: {value: 0.5, assumption: "half its attention"}
  - id: B
    capability: {value: 1, assumption: "equal weights"}
    issues:
      tariff:
        position: {claims: [{source: solo, quote: "B holds out for a high tariff", value: 8}]}
        salience: {value: 0.5, assumption: "half its attention"}
"""


@pytest.fixture(scope="module")
def korea():
    return read_scenario(KOREA).scenario


@pytest.fixture(scope="module")
def report(korea):
    return build(korea, role_samples=2, created=WHEN)


@pytest.fixture(scope="module")
def page(report):
    return render_html(report)


def section(page: str, anchor: str) -> str:
    return re.search(rf'<section id="{anchor}">(.*?)</section>', page, re.S).group(1)


def rows(table_html: str) -> list[list[str]]:
    """The body rows of an HTML table, each cell's text without tags (lines of a cell joined by |;
    the no-break spaces that hold an interval together read as spaces)."""
    body = re.search(r"<tbody>(.*?)</tbody>", table_html, re.S).group(1)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return [[html.unescape(re.sub(r"<[^>]+>", "", c.replace('</div><div class="line">', "|"))).replace("\xa0", " ")
             for c in row] for row in cells]


# -- content ----------------------------------------------------------------------------------


def test_every_actor_issue_source_quote_and_assumption_is_in_the_page(korea, page):
    for actor in korea.actors:
        assert html.escape(actor.name) in page and f"({actor.id})" in page
    for issue in korea.issues:
        assert html.escape(issue.label) in page and f'id="issue-{issue.id}"' in page
        for anchor in issue.scale.anchors:
            assert html.escape(anchor.label) in page
    for source in korea.sources:
        assert html.escape(source.title) in page and f'id="src-{source.id}"' in page
    quotes = [c.quote for e in korea.estimates() for c in e.claims]
    assumptions = [e.assumption for e in korea.estimates() if e.assumption]
    assert len(quotes) == 74 and assumptions
    for words in quotes + assumptions:
        assert f"{html.escape(words)}" in page, words


def test_the_header_says_how_to_reproduce_the_run(korea, page):
    run = section(page, "run")
    for fact in (korea.sha256[:12], "2024-05-01 12:00 UTC", "<dt>seed</dt><dd>0</dd>", "accord.report.build("):
        assert fact in run
    assert "main model: accord" in run


def test_the_forecast_table_holds_the_runners_numbers(korea, page):
    results, _ = run_applicable(korea, seed=0)
    table = rows(section(page, "forecasts"))
    assert [r[0] for r in table] == [r.model for r in results]
    for row, result in zip(table, results):
        assert row[1:] == [f"{v:.2f}" for v in result.forecast]


def test_monte_carlo_intervals_are_those_of_forecast_samples(korea):
    models = ["mean", "median"]
    page = render_html(build(korea, models=models, samples=40, seed=3, role_samples=0, created=WHEN))
    expected = run_models(korea, models, seed=3)
    add_uncertainty(korea, expected, 40, 3)
    for row, result in zip(rows(section(page, "forecasts")), expected):
        frame = result.forecast_frame()
        assert row[1:] == [f"{f.value:.2f}|{f.median:.1f} [{f.q05:.1f}, {f.q95:.1f}]"
                           for f in frame.itertuples(index=False)]
    assert "40 Monte Carlo samples" in page


def test_perspectives_show_each_sources_reading(korea, report, page):
    expected = perspectives(read_scenario(KOREA).scenario, ["accord"])
    table = rows(section(page, "perspectives"))
    readings = ["consensus", "blank2018", "economy2018", "lukyanov2018"]
    for row, issue in zip(table, korea.issues):
        values = expected.forecasts[expected.forecasts["issue"] == issue.id].set_index("reading")["value"]
        assert row[1:5] == [f"{values[r]:.1f}" for r in readings]
    # The readings differ: each is its own scenario, not the consensus's numbers under another name.
    assert any(float(row[5]) > 1 for row in table)


def test_roles_and_their_explanations_are_those_of_the_analysis(report, page):
    roles = section(page, "roles")
    assert report.roles.model == "influence" and report.roles.samples == 2
    assert "2 Monte Carlo samples" in roles
    names = {a.id: a.name for a in report.scenario.actors}
    table = rows(roles)
    assert [(r[0], r[1]) for r in table] == [(names[r["actor"]], r["role"]) for r in report.roles.roles]
    for r in report.roles.roles:
        assert html.escape(r["explanation"].partition(" Behind it: ")[2]) in roles


def test_one_figure_per_issue_for_forecasts_and_sensitivity_then_trajectories_and_network(korea, page):
    n = len(korea.issues)
    names = re.findall(r'<figure id="fig-([\w-]+)">', page)
    assert names == ([f"forecast-{i}" for i in range(n)] + ["trajectories"]
                     + [f"tornado-{i}" for i in range(n)] + ["network"])
    assert page.count("<svg ") == len(names)
    assert "under <strong>eum</strong>" not in page and "round of <strong>eum</strong>" in page


# -- self-contained and deterministic ----------------------------------------------------------


def test_the_page_fetches_nothing(page):
    assert "<script" not in page and "@import" not in page and not re.search(r"url\(\s*['\"]?(https?:)?//", page)
    for tag, attrs in re.findall(r"<([\w:-]+)(\s[^>]*)?>", page):
        for name, value in re.findall(r'\s([\w:-]+)="([^"]*)"', attrs or ""):
            if name in ASSET_ATTRIBUTES and tag != "a":
                assert not re.match(r"(https?:)?//", value), (tag, name, value)
    links = re.findall(r'<a href="(https?://[^"]+)"', page)
    assert links and all('rel="noreferrer"' in page.split(f'href="{u}"', 1)[1][:30] for u in links)


@pytest.mark.slow
def test_the_same_inputs_and_seed_give_the_same_bytes(korea, report, page):
    again = render_html(build(korea, role_samples=2, created=WHEN))
    assert again == page
    later = render_html(replace(report, created=datetime(2030, 1, 1, tzinfo=timezone.utc)))
    differ = [(a, b) for a, b in zip(page.splitlines(), later.splitlines()) if a != b]
    assert len(differ) == 1 and "<dt>run</dt>" in differ[0][0]


def test_svg_figures_are_deterministic_and_their_ids_unique_per_figure():
    from accord.report.figures import canvas

    def draw():
        fig = canvas(3, 2)
        fig.add_subplot().plot([0, 1], [1, 0], marker="o")
        return fig

    one, two = svg(draw(), "a"), svg(draw(), "a")
    assert one == two and one.startswith("<svg") and "<metadata>" not in one
    ids = re.findall(r'id="([^"]+)"', one)
    assert ids and all(i.startswith("a-") for i in ids)
    assert set(re.findall(r'href="#([^"]+)"', one)) <= set(ids)


# -- Markdown --------------------------------------------------------------------------------


def test_markdown_writes_its_figures_and_refers_to_them_relatively(tmp_path):
    scenario = make_scenario(np.array([[10.0, 80.0], [60.0, 20.0], [90.0, 50.0]]), np.full((3, 2), 0.4),
                             [1.0, 2.0, 3.0], actors=["A", "B", "C"], issues=["x", "y"])
    report = build(scenario, models=["mean", "eum"], role_samples=0, created=WHEN)
    written = write_markdown(report, tmp_path / "out" / "report.md")
    text = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(images) == 2 * 2 + 2 == len(written) - 1
    for ref in images:
        assert not Path(ref).is_absolute() and ref.startswith("report_files/")
        assert (tmp_path / "out" / ref).read_text(encoding="utf-8").startswith("<svg")
    assert "| **mean** | 66.67 | 45.00 |" in text  # (1*10 + 2*60 + 3*90) / 6, (1*80 + 2*20 + 3*50) / 6
    assert "2024-05-01 12:00 UTC" in text
    png = write_markdown(report, tmp_path / "png" / "r.md", image_format="png")
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in png[1:])


DOLLARS = ONE_SOURCE.replace("label: Tariff level", "label: Tariff $5^ to $6_ a ton").replace(
    "label: free trade}", "label: '$\\frac{$ free'}").replace("label: embargo}", "label: cut to $1^^2$}").replace(
    "  - id: B\n", "  - id: B$\n    name: US$ fund\n")


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_dollar_signs_in_labels_are_text_not_tex(tmp_path, cli, fmt):
    # matplotlib reads $...$ as mathtext: "$\\frac{$" would raise, "$5^ to $" would be typeset
    (tmp_path / "d.yaml").write_text(DOLLARS, encoding="utf-8")
    code, out, err = cli("report", "d.yaml", "-o", f"d.{fmt}", "--model", "mean", "--model", "eum",
                         "--role-samples", "0")
    assert code == 0, err
    text = (tmp_path / f"d.{fmt}").read_text(encoding="utf-8")
    figures = "".join(p.read_text(encoding="utf-8") for p in sorted((tmp_path / "d_files").glob("*.svg"))) \
        if fmt == "md" else text
    for words in ("Tariff $5^ to $6_ a ton", "cut to $1^^2$", "US$ fund"):  # drawn as written
        assert html.escape(words, quote=False) in figures, words
    if fmt == "md":  # and taken literally by Markdown renderers that read $...$ as TeX
        prose = re.sub(r'<a id="[^"]*"></a>', "", text).replace("\\$", "")  # ids are not rendered
        assert "Tariff \\$5^ to \\$6_ a ton" in text and "$" not in prose
    report = build(read_scenario(tmp_path / "d.yaml").scenario, models=["mean"], role_samples=0, created=WHEN)
    pngs = write_markdown(report, tmp_path / "png" / "d.md", image_format="png")[1:]
    assert pngs and all(p.read_bytes()[:4] == b"\x89PNG" for p in pngs)


# -- sections that cannot be made ----------------------------------------------------------------


def test_a_scenario_with_one_source_says_why_there_are_no_perspectives(tmp_path, cli):
    (tmp_path / "one.yaml").write_text(ONE_SOURCE, encoding="utf-8")
    code, out, err = cli("report", "one.yaml", "-o", "one.html", "--model", "mean", "--role-samples", "0")
    assert code == 0, err
    page = (tmp_path / "one.html").read_text(encoding="utf-8")
    perspectives_html = section(page, "perspectives")
    assert "one source only (solo)" in perspectives_html and "at least two sources" in perspectives_html
    assert "<table" not in perspectives_html
    trajectories = section(page, "trajectories")
    assert "has rounds" in trajectories and "<figure" not in trajectories
    assert "B holds out for a high tariff" in page and "free trade" in page


# -- the command ---------------------------------------------------------------------------------


def test_the_command_writes_html_with_its_command_line(tmp_path, cli, monkeypatch):
    args = ["report", str(KOREA), "-o", "r.htm", "-m", "accord", "-m", "smp", "--role-samples", "0"]
    monkeypatch.setattr("sys.argv", ["accord", *args])  # what the shell would have passed
    code, out, _ = cli(*args)
    assert code == 0 and "wrote r.htm" in out
    page = (tmp_path / "r.htm").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "main model: accord" in page
    assert "<dt>command</dt><dd><code>accord report " in page and " -m smp --role-samples 0</code>" in page
    assert "round of <strong>smp</strong>" in page  # accord has no rounds: the trajectories are smp's


def test_the_command_writes_markdown_beside_its_figures(tmp_path, cli):
    code, out, _ = cli("report", KOREA, "-o", "doc/r.md", "-m", "mean", "--role-samples", "0")
    assert code == 0
    assert (tmp_path / "doc" / "r.md").is_file() and len(list((tmp_path / "doc" / "r_files").glob("*.svg"))) == 11


@pytest.mark.parametrize("args, message", [
    (["-o", "r.pdf"], "name it .html, .htm or .md"),
    (["-o", "r.html", "--format", "pdf"], "--format 'pdf': choose html or md"),
    (["-o", "r.html", "--model", "nope"], "unknown model 'nope'"),
])
def test_bad_choices_are_errors_with_exit_status_2(cli, args, message):
    code, _, err = cli("report", KOREA, *args)
    assert code == 2 and message in " ".join(err.split()) and "Traceback" not in err


def test_a_missing_scenario_is_reported_not_raised(cli):
    code, _, err = cli("report", "missing.yaml", "-o", "r.html")
    assert code == 2 and "missing.yaml" in err and "Traceback" not in err


# -- the network -------------------------------------------------------------------------------


def test_agreement_is_one_minus_the_salience_weighted_distance():
    s = make_scenario(np.array([[0.0, 50.0], [100.0, 50.0], [50.0, 0.0]]),
                      np.array([[0.2, 0.6], [0.2, 0.6], [0.4, 0.2]]), [1.0, 1.0, 1.0])
    a = agreement(s.inputs())
    assert a[0, 1] == pytest.approx(1 - (0.2 * 1.0 + 0.6 * 0.0) / 0.8)  # apart on the minor issue only
    assert a[0, 2] == pytest.approx(1 - (0.3 * 0.5 + 0.4 * 0.5) / 0.7)
    assert np.allclose(a, a.T, equal_nan=True) and np.isnan(np.diag(a)).all()


def test_challenges_are_the_accepted_demands_of_the_expected_utility_model(korea):
    eum = get_model("eum")().run(korea, seed=0)
    counts, model, _ = challenge_counts([get_model("mean")().run(korea), eum], eum.actors)
    offers = eum.table_frame("offers")
    accepted = offers[offers["accepted"]]
    assert model == "eum" and counts.sum() == len(accepted) > 0
    row = accepted.iloc[0]
    assert counts[eum.actors.index(row["other"]), eum.actors.index(row["actor"])] >= 1


@pytest.mark.slow
def test_the_report_records_its_runs_unless_told_not_to(tmp_path, cli):
    code, out, _ = cli("report", KOREA, "-o", "r.html", "-m", "mean", "-m", "eum", "--role-samples", "0",
                       "--store", "runs.sqlite")
    assert code == 0 and "runs recorded in runs.sqlite" in out
    from accord.store import RunStore

    assert sorted(r.model for r in RunStore(tmp_path / "runs.sqlite").list()) == ["eum", "mean"]
    code, out, _ = cli("report", KOREA, "-o", "s.html", "-m", "mean", "--role-samples", "0", "--no-store")
    assert code == 0 and "recorded" not in out and not (tmp_path / ".accord").exists()


@pytest.mark.parametrize("href", ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)",
                                  "data:text/html,<script>alert(1)</script>", "file:///etc/passwd", "//evil.example/"])
def test_only_web_addresses_and_anchors_become_links(href):
    from accord.report import html as to_html
    from accord.report import markdown as to_markdown
    from accord.report.document import link

    assert "<a" not in to_html.span(link(href, href)) and "javascript:alert" not in to_html.span(link("x", href))
    assert "](" not in to_markdown.span(link("x", href))


def test_web_addresses_and_anchors_stay_links():
    from accord.report import html as to_html
    from accord.report import markdown as to_markdown
    from accord.report.document import link

    assert to_html.span(link("s", "https://example.org/a?b=1&c=2")) == \
        '<a href="https://example.org/a?b=1&amp;c=2" rel="noreferrer">s</a>'
    assert to_html.span(link("s", "#src-s")) == '<a href="#src-s">s</a>'
    assert to_markdown.span(link("s", "http://example.org/")) == "[s](http://example.org/)"


def test_a_source_url_that_is_not_a_web_address_is_plain_text_in_the_report(korea):
    from accord.report.html import table
    from accord.report.sections import sources_table

    bad = [s.model_copy(update={"url": "javascript:alert(1)"}) for s in korea.sources]  # past the reader's check
    html = table(sources_table(korea.model_copy(update={"sources": bad})))
    assert "javascript:alert(1)" in html and 'href="javascript' not in html


def test_the_report_and_the_dashboard_ask_the_views_what_to_say_of_a_model():
    """No model's name is tested in the report or the dashboard (its code and its templates), and the
    report does not borrow the terminal's renderer: model-specific choices live in one table of
    accord.views, with a generic answer for any other model."""
    import ast

    import accord
    from accord.models import registry
    from accord.views import main_result, model_view

    root = Path(accord.__file__).parent
    names = set(registry())
    found = []
    for path in sorted([*(root / "report").rglob("*.py"), *(root / "web").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == "render":
                found.append(f"{path.name}: imports {node.module}")
            if isinstance(node, ast.Compare):
                found += [f"{path.name}:{node.lineno}: tests the model name {c.value!r}" for c in ast.walk(node)
                          if isinstance(c, ast.Constant) and c.value in names]
    for path in sorted((root / "web" / "templates").glob("*.html")):
        found += [f"{path.name}: names model {m.group(1)!r}" for m in re.finditer(r"""['"]([\w-]+)['"]""",
                                                                                   path.read_text(encoding="utf-8"))
                  if m.group(1) in names]
    assert not found, found
    korea = read_scenario(KOREA).scenario
    assert main_result(run_models(korea, ["mean", "accord"])).model == "accord"
    assert main_result(run_models(korea, ["mean", "median"])).model == "mean"  # no recommended model: the first
    assert model_view("a-plug-in").about == "the model" and not model_view("a-plug-in").ticked


# -- the first screen: the bottom line -----------------------------------------------------------


def test_the_page_opens_with_the_bottom_line_then_the_description_and_the_contents(korea, page):
    body = page[page.index("<body>"):]
    order = [body.index(mark) for mark in ('<p class="scope">', '<section id="bottom-line">', '<p class="lead">',
                                           '<nav class="toc"', '<section id="run">')]
    assert order == sorted(order)
    assert "6 actors, 5 issues" in re.search(r'<p class="scope">(.*?)</p>', body).group(1)
    first = rows(section(page, "bottom-line"))
    sanctions = first[0]
    assert sanctions[0] == "UN sanctions on the DPRK"
    assert sanctions[1] == "20.0 (status quo)|if the lock breaks: 44.7 [5.8, 83.6]"
    assert sanctions[2] == "locked at 20 by USA|empty win set"
    assert [r[0] for r in first[:len(korea.issues)]] == [i.label for i in korea.issues]


def test_the_bottom_line_states_each_source_assertion_under_every_reading(korea, report, page):
    brief = section(page, "bottom-line")
    table = brief[brief.index('id="bottom-roles"'):]
    head = re.findall(r'<th scope="col">(.*?)</th>', table)
    assert head == ["assertion", "on", "consensus", "economy2018", "blank2018", "lukyanov2018"]
    judged = [c for c in report.roles.comparison if c.get("readings")]
    found = rows(table)
    assert len(found) == len(judged)
    spoiler = next(r for r in found if r[0] == "Russia is a spoiler")
    assert spoiler[1] == "sanctions" and spoiler[3].endswith("(its own)")


def test_numbers_in_the_bottom_line_never_wrap(page):
    brief = section(page, "bottom-line")
    forecast_cells = re.findall(r'<td class="num">(.*?)</td>', brief, re.S)
    assert len(forecast_cells) == 5  # the forecast column of each issue
    assert "44.7&nbsp;[5.8,&nbsp;83.6]" in forecast_cells[0]
    css = (Path(__file__).parents[1] / "src" / "accord" / "report" / "style.css").read_text()
    assert re.search(r"td\.num \{ white-space: nowrap; \}", css)


def test_the_tornado_axis_is_the_issues_scale_with_its_anchors(korea):
    from accord.report.figures import tornado as draw
    from accord.sensitivity import tornado

    t = tornado(get_model("mean")(), korea, 0)
    issue = korea.issues[0]
    ax = draw(issue, t, 44.7, 8).axes[0]
    lo, hi = ax.get_xlim()
    assert lo < issue.scale.min and hi > issue.scale.max and hi - lo < 1.1 * (issue.scale.max - issue.scale.min)
    assert [float(x) for x in ax.get_xticks()] == [a.value for a in issue.scale.anchors]
    assert ax.get_xticklabels()[0].get_text().startswith("0\n")


def test_the_network_draws_a_backbone_not_every_pair(korea):
    from accord.report.network import network

    net = network(korea, [])
    ties = net.ties()
    pairs = len(korea.actors) * (len(korea.actors) - 1) // 2
    assert len(ties) < pairs / 2
    assert {a for t in ties for a in t[:2]} == set(range(len(korea.actors)))  # nobody hangs alone
    # the backbone holds the closest pairs: United States with Japan, China with Russia
    assert {frozenset(net.actors[k] for k in t[:2]) for t in ties[:2]} == {frozenset({"USA", "JPN"}),
                                                                          frozenset({"CHN", "RUS"})}
