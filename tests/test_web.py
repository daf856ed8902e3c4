"""The dashboard's routes, without a browser (FastAPI's TestClient): listing, editing, forecasts,
roles, runs, uploads and the limits that keep it safe. The client speaks to the server as a
browser on the same machine does: Host 127.0.0.1:8000, and the page's own Origin on a POST."""

from __future__ import annotations

import contextlib
import re
import shutil
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient  # noqa: E402

from accord.io import read_scenario  # noqa: E402
from accord.runner import run_models  # noqa: E402
from accord.store import RunStore  # noqa: E402
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


ORIGIN = "http://127.0.0.1:8000"


@pytest.fixture
def client(folder, tmp_path):
    return TestClient(create_app(folder, tmp_path / "runs.sqlite", max_upload=64 * 1024), base_url=ORIGIN,
                      headers={"Origin": ORIGIN})


def settled(client, response):
    """The finished answer of a request that may run as a job (accord.web.jobs): a quick one answers
    at once, a long one with a progress bar that polls ``/jobs/{id}`` until it is done."""
    for _ in range(600):
        m = re.search(r'hx-get="(/jobs/[\w-]+)"', response.text)
        if not m:
            return response
        assert "<progress" in response.text
        time.sleep(0.1)
        response = client.get(m.group(1))
    raise AssertionError("the job did not finish in a minute")


def post(client, url: str, **kwargs):
    """A POST from the page, followed to its finished answer."""
    return settled(client, client.post(url, **kwargs))


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
    html = post(client, "/scenario/korea-2018.yaml/forecast", data=form).text
    for result in expected:
        for i, issue in enumerate(result.issues):
            assert _forecast(html, issue, result.model) == pytest.approx(result.forecast[i], abs=0.05)
    edited = post(client, "/scenario/korea-2018.yaml/forecast", data={**form, "position:RUS:sanctions": "100"})
    assert edited.status_code == 200 and "edited: RUS position on sanctions = 100.00" in edited.text
    assert _forecast(edited.text, "sanctions", "mean") > _forecast(html, "sanctions", "mean")
    assert _forecast(edited.text, "format", "mean") == _forecast(html, "format", "mean")


def test_values_left_as_shown_are_not_edits(client):
    page = client.get("/scenario/korea-2018.yaml").text
    shown = dict(re.findall(r'name="((?:position|salience|capability):[\w:]*)" value="([^"]+)"', page))
    assert shown["capability:RUS:"] == "38.3333"  # six significant digits of 115/3
    html = post(client, "/scenario/korea-2018.yaml/forecast", data={"model": "mean", **shown}).text
    assert "edited" not in html


def test_runs_are_recorded_with_the_edit_and_can_be_compared(client):
    form = {"model": "mean", "samples": "0", "seed": "0"}
    first = post(client, "/scenario/korea-2018.yaml/forecast", data=form).text
    second = post(client, "/scenario/korea-2018.yaml/forecast", data={**form, "position:RUS:sanctions": "100"}).text
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
    html = post(client, "/scenario/korea-2018.yaml/forecast",
                       data={"model": "mean", "samples": "60", "seed": "3"}).text
    assert "60 Monte Carlo samples" in html
    for low, high in re.findall(r'<td class="num">([\d.]+)&nbsp;–&nbsp;([\d.]+)</td>', html):
        assert float(low) <= float(high)
    assert len(re.findall(r'class="interval"', html)) == 5


def test_bad_edits_are_reported_beside_their_fields_and_nothing_runs(client):
    r = post(client, "/scenario/korea-2018.yaml/forecast", data={
        "model": "eum", "position:RUS:sanctions": "500", "salience:RUS:sanctions": "x", "samples": "-1"})
    assert r.status_code == 422
    assert 'id="err-position-RUS-sanctions" hx-swap-oob="true">500 is outside the allowed range: between 0 and 100' \
        in r.text
    assert 'id="err-salience-RUS-sanctions" hx-swap-oob="true">&#39;x&#39; is not a number' in r.text
    assert "samples</code>: -1 is outside 0..2000" in r.text
    assert client.get("/runs").text.count('href="/runs/2') == 0  # nothing recorded
    assert post(client, "/scenario/korea-2018.yaml/forecast", data={"samples": "0"}).status_code == 422


@pytest.mark.slow
def test_roles_are_shown_with_explanations(client):
    html = post(client, "/scenario/korea-2018.yaml/roles", data={}).text
    assert 'id="roles-table"' in html
    assert re.search(r"<td>Russia</td><td>(negotiator|broker|spoiler|enabler|hardliner)", html)
    # every assertion of the sources, judged under the consensus and under each source's reading
    sc = read_scenario(KOREA).scenario
    assertions = re.findall(r'<tr data-actor="(\w+)" data-role="(\w+)">(.*?)</tr>', html, re.S)
    assert len(assertions) == len(sc.roles) == 8
    for _, _, cells in assertions:
        verdicts = re.findall(r'<td class="verdict[^"]*">(.*?)</td>', cells, re.S)
        words = r"holds|fragile|agrees|disagrees|not assessed"
        assert len(verdicts) == 4 and all(re.search(words, v) for v in verdicts)


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


@pytest.mark.slow
def test_the_report_is_served_and_its_get_writes_nothing(client, tmp_path):
    before = RunStore(tmp_path / "runs.sqlite").list(1000)
    html = settled(client, client.get("/scenario/korea-2018.yaml/report")).text  # built as a job
    assert html.startswith("<!DOCTYPE html>") and "Korean peninsula diplomacy, 2018" in html
    assert RunStore(tmp_path / "runs.sqlite").list(1000) == before == []


def test_serve_without_the_web_extra_says_how_to_install_it(cli, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "fastapi" else real(name, *a))
    code, _, stderr = cli("serve", ".")
    assert code == 2 and "needs the `web` extra (fastapi missing)" in stderr and "accord[web]" in stderr


@pytest.mark.slow
def test_an_edit_moves_the_monte_carlo_draws_with_it(client, tmp_path):
    from accord.store import RunStore

    def interval(html: str) -> tuple[float, float]:
        m = re.search(r'data-issue="sanctions" data-model="mean">.*?<td class="num">([\d.]+)&nbsp;–&nbsp;([\d.]+)</td>',
                      html, re.S)
        return float(m.group(1)), float(m.group(2))

    form = {"model": "mean", "samples": "200", "seed": "3"}
    plain = post(client, "/scenario/korea-2018.yaml/forecast", data=form).text
    edited = post(client, "/scenario/korea-2018.yaml/forecast", data={**form, "position:RUS:sanctions": "5"}).text
    # Russia's position, 61.7 by its claims, set to 5: the point forecast moves, and the interval with it.
    point, (low, high) = _forecast(edited, "sanctions", "mean"), interval(edited)
    assert point < _forecast(plain, "sanctions", "mean") and low <= point <= high
    assert high < interval(plain)[1]
    assert "RUS position on sanctions = 5 over claims (consensus 61.67)" in edited
    run_id = re.search(r'href="/runs/([\w-]+)"', edited).group(1)
    (override,) = RunStore(tmp_path / "runs.sqlite").get(run_id).result["overrides"]
    assert override["input"] == "RUS position on sanctions" and override["value"] == 5
    # the roles' confidence is drawn the same way, and says so
    roles = post(client, "/scenario/korea-2018.yaml/roles", data={"position:RUS:sanctions": "5"}).text
    assert "what-if: RUS position on sanctions = 5 over claims" in roles


# -- the server is a local web server: confined to its folder, to its host, to its own pages ---

LEAK = """\
name: Leak
assumption: invented numbers for a test
sources:
  - id: s
    title: a file of the server
    text: {text}
issues:
  - id: tax
    scale: {{min: 0, max: 100}}
actors:
  - id: A
    capability: {{claims: [{{source: s, quote: "{quote}", value: 10}}]}}
    issues:
      tax: {{position: 20, salience: 0.5}}
"""


@pytest.fixture
def secret(tmp_path):
    """A file beside the served folder, which the dashboard must never read."""
    path = tmp_path / "secret.txt"
    path.write_text("password=hunter2\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("text", ["ABSOLUTE", "../secret.txt", "sub/../../secret.txt", "/proc/self/environ"])
def test_a_source_text_outside_the_folder_is_refused_and_never_read(client, folder, secret, text):
    text = str(secret) if text == "ABSOLUTE" else text
    verdicts = []
    for k, quote in enumerate(("password=hunter2", "password=wrong")):  # found in the file, and not
        r = client.post("/upload", files={"file": (f"leak{k}.yaml", LEAK.format(text=text, quote=quote).encode(),
                                                   "application/yaml")})
        assert r.status_code == 422, r.text[:500]
        assert f"`{text}` is outside the served folder" in r.text
        assert "quote not found" not in r.text
        verdicts.append(r.text.replace(f"leak{k}.yaml", "leak.yaml"))
    assert verdicts[0] == verdicts[1]  # the verdict says nothing of the file's contents
    assert not (folder / "leak0.yaml").exists()


def test_a_scenario_of_the_folder_cannot_check_its_quotes_against_a_file_outside(client, folder, secret):
    (folder / "leak.yaml").write_text(LEAK.format(text="../secret.txt", quote="password=hunter2"), encoding="utf-8")
    r = client.get("/scenario/leak.yaml")
    assert r.status_code == 422 and "`../secret.txt` is outside the served folder" in r.text
    (folder / "texts").mkdir()
    (folder / "texts" / "s.txt").write_text("password=hunter2", encoding="utf-8")
    (folder / "ok.yaml").write_text(LEAK.format(text="texts/s.txt", quote="password=hunter2"), encoding="utf-8")
    assert client.get("/scenario/ok.yaml").status_code == 200  # a text inside the folder is checked as before


def test_a_link_out_of_the_folder_is_neither_listed_nor_opened(client, folder, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("name: secret\nissues: []\nactors: 3  # password=hunter2\n", encoding="utf-8")
    (folder / "link.yaml").symlink_to(outside)
    (folder / "inside.yaml").symlink_to(folder / "korea-2018.yaml")  # a link within the folder is a file of it
    html = client.get("/").text
    assert "link.yaml" not in html and "inside.yaml" in html
    r = client.get("/scenario/link.yaml")
    assert r.status_code == 404 and "hunter2" not in r.text
    assert client.get("/scenario/link.yaml/report").status_code == 404
    assert client.post("/scenario/link.yaml/forecast", data={"model": "mean"}).status_code == 404


def test_a_cross_site_post_is_refused_and_changes_nothing(client, folder):
    upload = {"file": ("copy.yaml", KOREA.read_bytes(), "application/yaml")}
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"},
                    {"Origin": "http://127.0.0.1:9999"},  # another server of this machine is another site
                    {"Origin": "", "Referer": "http://evil.example/page.html"}, {"Origin": ""}):
        r = client.post("/upload", files=upload, headers=headers)
        assert r.status_code == 403 and "cross-site" in r.text, headers
    assert not (folder / "copy.yaml").exists()
    r = client.post("/upload", files=upload, headers={"Origin": "", "Referer": ORIGIN + "/"})
    assert r.status_code == 200 and (folder / "copy.yaml").exists()


def test_a_foreign_host_is_refused(client, folder, tmp_path):
    for host in ("evil.example", "evil.example:8000", "127.0.0.1.evil.example"):
        r = client.get("/", headers={"Host": host})
        assert r.status_code == 400 and "korea" not in r.text, host
    for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST"):
        assert client.get("/", headers={"Host": host}).status_code == 200, host
    app = create_app(folder, None, allowed_hosts=["dash.example:8080"])
    named = TestClient(app, base_url="http://dash.example:8080", headers={"Origin": "http://dash.example:8080"})
    assert named.get("/").status_code == 200
    assert named.get("/", headers={"Host": "dash.example:8081"}).status_code == 400
    assert named.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 400  # only the hosts given


def test_serve_accepts_the_loopback_names_and_the_host_it_binds_with_its_port():
    from accord.web import allowed_hosts

    assert allowed_hosts("127.0.0.1", 8000) == ["127.0.0.1:8000", "localhost:8000", "[::1]:8000"]
    assert allowed_hosts("::1", 8001) == ["127.0.0.1:8001", "localhost:8001", "[::1]:8001"]
    assert allowed_hosts("dash.lan", 80) == ["127.0.0.1:80", "localhost:80", "[::1]:80", "dash.lan:80",
                                             "127.0.0.1", "localhost", "[::1]", "dash.lan"]


def test_a_javascript_url_is_refused_by_the_reader_and_never_a_link(client, folder):
    bad = KOREA.read_text(encoding="utf-8").replace(
        "url: https://jamestown.org/program/russias-endless-quest-for-recognition-in-korea/",
        'url: "javascript:fetch(\'/upload\')"', 1)
    assert bad != KOREA.read_text(encoding="utf-8")
    (folder / "js.yaml").write_text(bad, encoding="utf-8")
    r = client.get("/scenario/js.yaml")
    assert r.status_code == 422 and "url</code>: must be a web address (scheme http or https)" in r.text
    assert 'href="javascript' not in client.get("/scenario/js.yaml/report").text
    r = client.post("/upload", files={"file": ("js2.yaml", bad.encode(), "application/yaml")})
    assert r.status_code == 422 and "(scheme http or https)" in r.text and not (folder / "js2.yaml").exists()


def test_an_upload_is_parsed_in_a_worker_thread_while_other_requests_are_answered(folder, tmp_path, monkeypatch):
    import threading

    import httpx

    from accord.web import uploads as web

    started, released, outcome = threading.Event(), threading.Event(), {}
    real = web.read_scenario

    def slow(path, *args, **kwargs):  # a file whose parsing takes long: it waits to be released
        if Path(path).name == "slow.yaml":
            started.set()
            outcome["released"] = released.wait(15)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(web, "read_scenario", slow)
    with live(create_app(folder, tmp_path / "runs.sqlite")) as url:
        def upload():
            outcome["upload"] = httpx.post(f"{url}/upload", headers={"Origin": url}, timeout=60, files={
                "file": ("slow.yaml", KOREA.read_bytes(), "application/yaml")}).status_code

        thread = threading.Thread(target=upload)
        thread.start()
        assert started.wait(30)
        listing = httpx.get(f"{url}/", timeout=60)  # answered while the upload is still being parsed
        released.set()
        thread.join(60)
    assert listing.status_code == 200 and "korea-2018.yaml" in listing.text
    assert outcome == {"released": True, "upload": 200}


@contextlib.contextmanager
def live(app):
    """The app served by uvicorn on a free loopback port, in a thread; yields its address."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def test_a_scenario_file_is_parsed_once_and_again_when_its_bytes_change(folder, monkeypatch):
    # Parsed once per content: a second request reads the cache; an edit that keeps the file's size
    # and time stamp (a quick save) is still seen, since the cache is keyed by the bytes' sha256.
    import os

    from accord.web import deps

    parsed = []
    real = deps.read_scenario
    monkeypatch.setattr(deps, "read_scenario", lambda path, **kw: parsed.append(path) or real(path, **kw))
    files = deps.Folder(folder)
    first = files.scenario("korea-2018.yaml")
    assert files.scenario("korea-2018.yaml") is first and len(parsed) == 1
    path = folder / "korea-2018.yaml"
    text, stat = path.read_text(encoding="utf-8"), path.stat()
    line = f"\nname: {first.name}\n"
    assert line in text
    edited = text.replace(line, line[:-2] + "X\n", 1)
    assert len(edited.encode()) == len(text.encode()) and edited != text
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time stamp
    second = files.scenario("korea-2018.yaml")
    assert len(parsed) == 2 and second.name == first.name[:-1] + "X"
