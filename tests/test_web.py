"""The dashboard's routes, without a browser (FastAPI's TestClient): listing, editing, forecasts,
roles, runs, uploads and the limits that keep it safe."""

from __future__ import annotations

import re
import shutil

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from accord.io import read_scenario  # noqa: E402
from accord.runner import run_models  # noqa: E402
from accord.web.app import create_app  # noqa: E402

from .conftest import KOREA  # noqa: E402


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "scenarios"
    d.mkdir()
    shutil.copy(KOREA, d / "korea-2018.yaml")
    (d / "broken.yaml").write_text("name: broken\nissues: []\nactors: 3\n", encoding="utf-8")
    (d / "notes.md").write_text("not a scenario", encoding="utf-8")
    return d


@pytest.fixture
def client(folder, tmp_path):
    return TestClient(create_app(folder, tmp_path / "runs.sqlite", max_upload=64 * 1024))


def _forecast(html: str, issue: str, model: str) -> float:
    m = re.search(rf'data-issue="{issue}" data-model="{model}">.*?forecast-value">([-\d.]+)<', html, re.S)
    assert m, f"no forecast of {model} on {issue}"
    return float(m.group(1))


def test_index_lists_scenario_files_and_says_which_cannot_be_read(client):
    html = client.get("/").text
    assert "korea-2018.yaml" in html and "Korea" in html
    assert "broken.yaml" in html and "cannot be read" in html
    assert "notes.md" not in html  # not a scenario file type


def test_scenario_page_shows_every_input_and_its_claims(client):
    sc = read_scenario(KOREA).scenario
    html = client.get("/scenario/korea-2018.yaml").text
    for actor in sc.actors:
        for issue_id, stance in actor.issues.items():
            assert f'name="position:{actor.id}:{issue_id}" value="{stance.position.point:.6g}"' in html
    rus = next(a for a in sc.actors if a.id == "RUS")
    quote = rus.issues["sanctions"].position.claims[0].quote
    assert quote.replace("'", "&#39;").replace('"', "&#34;") in html


def test_forecast_equals_the_models_and_moves_with_an_edit(client):
    sc = read_scenario(KOREA).scenario
    expected = run_models(sc, ["eum", "mean"], {}, 0)
    form = {"model": ["eum", "mean"], "samples": "0", "seed": "0"}
    html = client.post("/scenario/korea-2018.yaml/forecast", data=form).text
    for result in expected:
        for i, issue in enumerate(result.issues):
            assert _forecast(html, issue, result.model) == pytest.approx(result.forecast[i], abs=0.05)
    edited = client.post("/scenario/korea-2018.yaml/forecast", data={**form, "position:RUS:sanctions": "100"})
    assert edited.status_code == 200 and "edited: RUS position on sanctions = 100.00" in edited.text
    assert _forecast(edited.text, "sanctions", "mean") > _forecast(html, "sanctions", "mean")
    assert _forecast(edited.text, "format", "mean") == _forecast(html, "format", "mean")


def test_values_left_as_shown_are_not_edits(client):
    page = client.get("/scenario/korea-2018.yaml").text
    shown = dict(re.findall(r'name="((?:position|salience|capability):[\w:]*)" value="([^"]+)"', page))
    assert shown["capability:RUS:"] == "38.3333"  # six significant digits of 115/3
    html = client.post("/scenario/korea-2018.yaml/forecast", data={"model": "mean", **shown}).text
    assert "edited" not in html


def test_runs_are_recorded_with_the_edit_and_can_be_compared(client):
    form = {"model": "mean", "samples": "0", "seed": "0"}
    first = client.post("/scenario/korea-2018.yaml/forecast", data=form).text
    second = client.post("/scenario/korea-2018.yaml/forecast", data={**form, "position:RUS:sanctions": "100"}).text
    a = re.search(r'href="/runs/([\w-]+)"', first).group(1)
    b = re.search(r'href="/runs/([\w-]+)"', second).group(1)
    listing = client.get("/runs").text
    assert a in listing and b in listing and "RUS.sanctions.position=100" in listing
    page = client.get(f"/runs/compare?a={a}&b={b}").text
    change = re.search(r'<td>sanctions</td>.*?class="num change">([+\-\d.]+)<', page, re.S).group(1)
    assert float(change) > 0 and "different scenarios" in page
    assert client.get(f"/runs/{b}").status_code == 200
    assert client.get("/runs/nonesuch").status_code == 404


def test_monte_carlo_intervals_contain_the_median(client):
    html = client.post("/scenario/korea-2018.yaml/forecast",
                       data={"model": "mean", "samples": "60", "seed": "3"}).text
    assert "60 Monte Carlo samples" in html
    for low, high in re.findall(r'<td class="num">([\d.]+) – ([\d.]+)</td>', html):
        assert float(low) <= float(high)
    assert len(re.findall(r'class="interval"', html)) == 5


def test_bad_edits_are_reported_beside_their_fields_and_nothing_runs(client):
    r = client.post("/scenario/korea-2018.yaml/forecast", data={
        "model": "eum", "position:RUS:sanctions": "500", "salience:RUS:sanctions": "x", "samples": "-1"})
    assert r.status_code == 422
    assert 'id="err-position-RUS-sanctions" hx-swap-oob="true">500 is outside the allowed range: between 0 and 100' \
        in r.text
    assert 'id="err-salience-RUS-sanctions" hx-swap-oob="true">&#39;x&#39; is not a number' in r.text
    assert "samples</code>: -1 is outside 0..2000" in r.text
    assert client.get("/runs").text.count('href="/runs/2') == 0  # nothing recorded
    assert client.post("/scenario/korea-2018.yaml/forecast", data={"samples": "0"}).status_code == 422


def test_roles_are_shown_with_explanations(client):
    html = client.post("/scenario/korea-2018.yaml/roles", data={}).text
    assert 'id="roles-table"' in html
    assert re.search(r"<td>Russia</td><td>(negotiator|broker|spoiler|enabler|hardliner)", html)


def test_only_files_of_the_folder_can_be_opened(client):
    for path in ("/scenario/..%2Fruns.sqlite", "/scenario/notes.md", "/scenario/%2Fetc%2Fpasswd",
                 "/static/..%2Fapp.py"):
        assert client.get(path).status_code == 404, path
    assert client.get("/scenario/broken.yaml").status_code == 422


def test_upload_of_a_valid_scenario_adds_it(client, folder):
    r = client.post("/upload", files={"file": ("copy.yaml", KOREA.read_bytes(), "application/yaml")})
    assert r.status_code == 200 and 'id="upload-ok"' in r.text
    assert (folder / "copy.yaml").read_bytes() == KOREA.read_bytes()
    again = client.post("/upload", files={"file": ("copy.yaml", KOREA.read_bytes(), "application/yaml")})
    assert again.status_code == 422 and "already in the folder" in again.text


def test_upload_errors_stand_beside_their_lines_and_nothing_is_written(client, folder):
    bad = KOREA.read_text(encoding="utf-8").replace("value: 0.15\n", "value: 1.9\n", 1)
    line = next(k for k, text in enumerate(bad.splitlines(), 1) if "value: 1.9" in text)
    r = client.post("/upload", files={"file": ("bad.yaml", bad.encode(), "application/yaml")})
    assert r.status_code == 422
    row = re.search(rf'<tr class="has-problem" id="line-{line}">(.*?)</tr>', r.text, re.S)
    assert row and "1.9" in row.group(1) and "salience" in row.group(1), r.text[:2000]
    assert not (folder / "bad.yaml").exists()


@pytest.mark.parametrize("name", ["../evil.yaml", "run.sh", ".hidden.yaml", ""])
def test_upload_names_are_restricted(client, folder, name):
    r = client.post("/upload", files={"file": (name, b"name: x\n", "text/plain")})
    assert r.status_code == 422
    assert sorted(p.name for p in folder.iterdir()) == ["broken.yaml", "korea-2018.yaml", "notes.md"]


def test_upload_size_is_limited(client, folder):
    r = client.post("/upload", files={"file": ("big.yaml", b"#" * (64 * 1024 + 1), "application/yaml")})
    assert r.status_code == 413 and "larger than 64 KB" in r.text
    assert not (folder / "big.yaml").exists()


def test_an_oversized_body_is_refused_before_it_is_read(client):
    r = client.post("/upload", content=b"x" * (200 * 1024), headers={"content-type": "multipart/form-data; boundary=b"})
    assert r.status_code == 413


def test_pages_need_no_network(client):
    for path in ("/", "/scenario/korea-2018.yaml", "/runs"):
        html = client.get(path).text
        assert not re.search(r'(src|href)="(https?:)?//', html), path
    assert client.get("/static/htmx.min.js").status_code == 200


def test_serve_refuses_a_missing_folder(cli):
    code, _, stderr = cli("serve", "no-such-folder")
    assert code == 2 and "not a folder" in stderr


def test_the_report_is_served_and_its_runs_recorded(client):
    html = client.get("/scenario/korea-2018.yaml/report").text
    assert html.startswith("<!DOCTYPE html>") and "Korean peninsula diplomacy, 2018" in html
    assert "accord serve: report korea-2018.yaml" in client.get("/runs").text


def test_serve_without_the_web_extra_says_how_to_install_it(cli, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "fastapi" else real(name, *a))
    code, _, stderr = cli("serve", ".")
    assert code == 2 and "needs the `web` extra (fastapi missing)" in stderr and "accord[web]" in stderr


def test_an_edit_moves_the_monte_carlo_draws_with_it(client, tmp_path):
    from accord.store import RunStore

    def interval(html: str) -> tuple[float, float]:
        m = re.search(r'data-issue="sanctions" data-model="mean">.*?<td class="num">([\d.]+) – ([\d.]+)</td>', html,
                      re.S)
        return float(m.group(1)), float(m.group(2))

    form = {"model": "mean", "samples": "200", "seed": "3"}
    plain = client.post("/scenario/korea-2018.yaml/forecast", data=form).text
    edited = client.post("/scenario/korea-2018.yaml/forecast", data={**form, "position:RUS:sanctions": "5"}).text
    # Russia's position, 61.7 by its claims, set to 5: the point forecast moves, and the interval with it.
    point, (low, high) = _forecast(edited, "sanctions", "mean"), interval(edited)
    assert point < _forecast(plain, "sanctions", "mean") and low <= point <= high
    assert high < interval(plain)[1]
    assert "RUS position on sanctions = 5 over claims (consensus 61.67)" in edited
    run_id = re.search(r'href="/runs/([\w-]+)"', edited).group(1)
    (override,) = RunStore(tmp_path / "runs.sqlite").get(run_id).result["overrides"]
    assert override["input"] == "RUS position on sanctions" and override["value"] == 5
    # the roles' confidence is drawn the same way, and says so
    roles = client.post("/scenario/korea-2018.yaml/roles", data={"position:RUS:sanctions": "5"}).text
    assert "what-if: RUS position on sanctions = 5 over claims" in roles
