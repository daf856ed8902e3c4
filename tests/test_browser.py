"""The dashboard in a real browser: Playwright driving Debian's chromium against a live server.

Skipped where chromium is not installed, unless ACCORD_REQUIRE_BROWSER=1 (set by CI, which
installs it), where its absence fails. Screenshots of each step are saved in the folder named
by ACCORD_ARTIFACTS (default ``test-artifacts/``) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
playwright = pytest.importorskip("playwright.sync_api")

from .conftest import KOREA, ROOT  # noqa: E402

CHROMIUM = os.environ.get("ACCORD_CHROMIUM", "/usr/bin/chromium")
#: The flags that let chromium run headless here: as root, without a GPU, and without the
#: background connections a closed network refuses.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-quic", "--no-first-run"]
ARTIFACTS = Path(os.environ.get("ACCORD_ARTIFACTS", ROOT / "test-artifacts"))

pytestmark = pytest.mark.slow


def _require_browser() -> None:
    if Path(CHROMIUM).exists():
        return
    message = f"chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("ACCORD_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dashboard on a free loopback port, over a folder holding the Korea scenario."""
    import uvicorn

    from accord.web.app import create_app

    _require_browser()
    root = tmp_path_factory.mktemp("dashboard")
    (root / "scenarios").mkdir()
    shutil.copy(KOREA, root / "scenarios" / "korea-2018.yaml")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(root / "scenarios", root / "runs.sqlite")
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline:
            pytest.fail("the dashboard did not start")
        time.sleep(0.05)
    yield {"url": f"http://127.0.0.1:{port}", "folder": root / "scenarios"}
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    failed: list[str] = []
    pg.on("requestfailed", lambda r: failed.append(r.url))
    yield pg
    context.close()
    assert not failed, f"requests failed (the dashboard must need no network): {failed}"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _sanctions_eum(page) -> float:
    cell = page.locator('#forecast-table tr[data-issue="sanctions"][data-model="eum"] .forecast-value')
    return float(cell.inner_text())


def _text_height(page, selector: str) -> float:
    """The height on screen, in CSS pixels, of the first text matching ``selector``."""
    return page.locator(selector).first.evaluate("e => e.getBoundingClientRect().height")


def test_the_analysts_task_forecast_first_then_why_then_what_if(server, page):
    """Open the scenario: the forecast and its bottom line are there without a click, charts
    readable; then the roles (with progress); then a what-if edit, its forecast and its report."""
    page.goto(server["url"] + "/")
    page.click("text=korea-2018.yaml")
    # 1. the forecast, unasked: the bottom line first, above the inputs
    page.wait_for_selector("#bottom-line article.bottom-line")
    top_of = lambda sel: page.locator(sel).first.evaluate("e => e.getBoundingClientRect().top")  # noqa: E731
    assert top_of("#bottom-line") < top_of("#whatif")
    assert page.locator("#bottom-line article.bottom-line").count() == 5
    # readable charts: numbers on the axis and actors' names at the page's text size
    assert _text_height(page, "svg.chart text.tick") >= 11
    assert _text_height(page, "svg.chart g.actor text") >= 11
    assert page.locator("svg.chart").first.evaluate("e => e.getBoundingClientRect().width") >= 700
    shot(page, "1-opened-forecast-first")

    # 2. why: the roles, with a progress bar while the samples run
    page.click("#roles-button")
    page.wait_for_selector("#roles progress, #roles-table", timeout=30_000)
    page.wait_for_selector("#roles-table", timeout=120_000)
    page.locator("#roles-result").scroll_into_view_if_needed()
    shot(page, "2-roles")

    # 3. what if: Russia's sanctions position at 100 under eum
    for name in page.locator('input[name="model"]:checked').evaluate_all("boxes => boxes.map(b => b.value)"):
        page.uncheck(f'input[name="model"][value="{name}"]')
    page.check('input[name="model"][value="eum"]')
    page.click("#run-button")
    page.wait_for_selector('#forecast-table tr[data-model="eum"]')
    before = _sanctions_eum(page)

    page.locator("details.evidence").first.click()  # a value's claims open beside it
    assert page.locator("details.evidence[open] q").first.inner_text()

    page.fill('input[name="position:RUS:sanctions"]', "100")
    assert "position%3ARUS%3Asanctions=100" in page.get_attribute("#report-link", "href")
    page.click("#run-button")
    page.wait_for_selector("text=edited: RUS position on sanctions = 100.00")
    after = _sanctions_eum(page)
    assert after != before
    page.locator("#bottom-line").scroll_into_view_if_needed()
    shot(page, "3-forecast-after-edit")

    with page.expect_popup() as popup:
        page.click("#report-of-run")
    report = popup.value
    report.wait_for_selector("progress, #bottom-line")  # the report's progress while it is built
    report.wait_for_selector("text=RUS.sanctions.position=100", timeout=240_000)
    shot(report, "4-report-of-the-edit")
    report.close()


def test_keyboard_reaches_the_run_button_and_the_skip_link(server, page):
    page.goto(server["url"] + "/scenario/korea-2018.yaml")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "run-button":
            break
    else:
        pytest.fail("the Run button is not reached by Tab")


def test_a_bad_edit_is_shown_beside_its_field_and_goes_when_fixed(server, page):
    page.goto(server["url"] + "/scenario/korea-2018.yaml")
    page.wait_for_selector("#bottom-line")
    page.fill('input[name="salience:RUS:sanctions"]', "3")
    page.click("#run-button")
    error = page.locator("#err-salience-RUS-sanctions")
    error.wait_for()
    assert "outside the allowed range: between 0 and 1" in error.inner_text()
    assert page.get_attribute('input[name="salience:RUS:sanctions"]', "aria-invalid") == "true"
    assert page.locator("#run-errors").count() == 1
    shot(page, "5-bad-edit")
    page.fill('input[name="salience:RUS:sanctions"]', "0.3")
    assert page.locator("#run-errors").count() == 0 and error.inner_text() == ""


def test_upload_a_malformed_file_and_see_the_error_beside_its_line(server, page, tmp_path):
    bad = tmp_path / "malformed.yaml"
    text = KOREA.read_text(encoding="utf-8").replace("value: 0.15\n", "value: 1.9\n", 1)
    bad.write_text(text, encoding="utf-8")
    page.goto(server["url"] + "/")
    page.set_input_files("#upload-file", str(bad))
    page.click("#upload button[type=submit]")
    row = page.locator("#upload-errors tr.has-problem").first
    row.wait_for()
    assert "1.9" in row.inner_text() and "salience" in row.inner_text()
    row.scroll_into_view_if_needed()
    shot(page, "6-upload-error")
    assert not (server["folder"] / "malformed.yaml").exists()


def test_a_form_of_another_site_cannot_add_a_file(server, page, tmp_path):
    """A page of another site posts a valid scenario to the dashboard: the browser names that
    site in the request's Origin, and the dashboard refuses it; nothing is added."""
    form = (f'<form method="post" enctype="multipart/form-data" action="{server["url"]}/upload">'
            '<input type="file" name="file" id="file"><button type="submit">send</button></form>')
    page.route("http://elsewhere.example/", lambda route: route.fulfill(content_type="text/html", body=form))
    page.goto("http://elsewhere.example/")
    planted = tmp_path / "planted.yaml"
    shutil.copy(KOREA, planted)
    page.set_input_files("#file", str(planted))
    with page.expect_navigation():
        page.click("button")
    assert "a cross-site request is refused" in page.inner_text("body")
    assert not (server["folder"] / "planted.yaml").exists()


def test_the_report_opens_on_the_bottom_line_and_its_numbers_do_not_wrap(browser, tmp_path):
    from datetime import datetime, timezone

    from accord.io import read_scenario
    from accord.report import build, render_html

    _require_browser()
    report = build(read_scenario(KOREA).scenario, role_samples=5, created=datetime(2024, 5, 1, tzinfo=timezone.utc))
    path = tmp_path / "korea.html"
    path.write_text(render_html(report), encoding="utf-8")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(path.as_uri())
    assert page.locator("main > section").first.get_attribute("id") == "bottom-line"
    table = page.locator("#bottom-line table.bottom")
    assert table.bounding_box()["y"] < 900  # the bottom line's table starts on the first screen
    assert table.locator("tbody tr").count() == 5
    cells = page.locator("#bottom-line td.num")
    assert cells.count() == 5
    for k in range(cells.count()):
        cell = cells.nth(k)
        assert cell.evaluate("td => getComputedStyle(td).whiteSpace") == "nowrap"
        # every line of the cell (the forecast, the models' number) holds on one line of text
        heights = cell.locator(".line").evaluate_all(
            "lines => lines.map(l => l.getBoundingClientRect().height / parseFloat(getComputedStyle(l).lineHeight))")
        assert heights and max(heights) < 1.5
    assert "20.0 (status quo)" in cells.first.inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "6-report-first-screen.png"))
    context.close()


def test_the_dashboard_shows_the_bottom_line_first_after_run(server, page):
    page.goto(server["url"] + "/scenario/korea-2018.yaml")
    page.wait_for_selector('#bottom-line .bottom-line[data-issue="sanctions"]', timeout=60_000)  # the page's own
    with page.expect_response(lambda r: r.url.endswith("/forecast") and r.request.method == "POST"):
        page.click("#run-button")
    page.wait_for_selector('#bottom-line .bottom-line[data-issue="sanctions"]', timeout=60_000)
    sanctions = page.locator('#bottom-line .bottom-line[data-issue="sanctions"]')
    assert sanctions.locator("span.recommended").inner_text() == "20.0 (status quo)"
    assert "if the lock breaks" in sanctions.inner_text()
    top = page.locator("#bottom-line").bounding_box()["y"]
    assert top < page.locator("#forecast-table").bounding_box()["y"]
    page.locator("#bottom-line").scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "7-dashboard-bottom-line.png"))
    shot(page, "7-dashboard-after-run-full")


def test_run_pressed_while_the_first_forecast_loads_is_not_overwritten_by_it(server, browser):
    """The page's own forecast and the analyst's Run race: the later-arriving answer to the page
    load must not replace the edited run (the load is aborted when Run is pressed)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    held: list = []
    page.route("**/forecast", lambda route: held.append(route))
    page.goto(server["url"] + "/scenario/korea-2018.yaml")
    deadline = time.monotonic() + 20
    while not held:  # the page load's forecast, held back
        assert time.monotonic() < deadline, "the page did not ask for its forecast"
        page.wait_for_timeout(50)
    page.fill('input[name="position:RUS:sanctions"]', "100")
    page.click("#run-button")
    while len(held) < 2:
        assert time.monotonic() < deadline, "Run did not ask for a forecast"
        page.wait_for_timeout(50)
    held[1].continue_()
    page.wait_for_selector("text=edited: RUS position on sanctions = 100.00", timeout=60_000)
    try:  # the page load's request, now answered late (or already aborted by the browser)
        held[0].continue_()
    except Exception:  # noqa: BLE001 - an aborted request cannot be continued, which is the point
        pass
    page.wait_for_timeout(1500)
    assert page.locator("text=edited: RUS position on sanctions = 100.00").count() == 1
    context.close()
