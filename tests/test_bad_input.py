"""Malformed scenario files, in every format: each problem is reported with the file, the line
and the field, what is wrong and what is allowed; every problem of a file at once; exit status
2; never a traceback.

Each case writes a small file, runs ``accord validate`` on it and checks that the expected
messages appear *on the expected lines* of the output (``file:line: ...``).
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import accord.io._files
from accord.cli import app
from accord.errors import InputError
from accord.io import read_scenario

LOCAL = "http://127.0.0.1:8000"  # the dashboard answers its own host and origin only

NO_LINE = None  # for problems of the whole file, in formats without lines, or of a missing file


def validate(path, *options: str):
    return CliRunner().invoke(app, ["validate", str(path), *options])


def output(result) -> str:
    """stdout and stderr together, whether or not the installed Click mixes them in ``output``."""
    text = result.output
    try:
        err = result.stderr
    except ValueError:  # Click versions that mix the streams refuse to give stderr apart
        err = ""
    return text if err in text else text + err


def entries(out: str) -> list[str]:
    """The problems printed, each on one line again: the console folds long lines at its width."""
    return [" ".join(part.split()) for part in re.split(r"\n(?=  (?:error|warning): )", out)]


def assert_rejected(result, path, expected) -> str:
    """Exit status 2, no traceback, and each (line, text) of ``expected`` reported on its line.

    Returns the output with its white space collapsed (as the expected texts are compared).
    """
    out = output(result)
    assert result.exit_code == 2, out
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in out
    lines = entries(out)
    for line, text in expected:
        where = f"{path.name}:{line}: " if line is not NO_LINE else f"{path.name}: "
        text = " ".join(text.split())
        assert any(where in ln and text in ln for ln in lines), f"missing {where}...{text}\n{out}"
    return " ".join(out.split())


def assert_accepted(result) -> str:
    out = output(result)
    assert result.exit_code == 0, out
    assert "ok:" in out
    return out


# -- YAML -----------------------------------------------------------------------------------

YAML = """\
name: Tax talks
assumption: invented numbers for a test
issues:
  - id: tax
    scale: {min: 0, max: 100}
actors:
  - id: A
    capability: 10
    issues:
      tax: {position: 20, salience: 0.5}
  - id: B
    capability: 5
    issues:
      tax: {position: 80, salience: 0.4}
"""


def edited(text: str, *edits: tuple[str, str]) -> str:
    """A valid file's text with each ``(old, new)`` replaced; each ``old`` occurs exactly once."""
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


YAML_CASES = [
    # syntax
    ("syntax", edited(YAML, ("{min: 0, max: 100}", "{min: 0, max: 100")), [(6, "YAML syntax error")]),
    ("tab-indent", edited(YAML, ("  - id: B", "\t- id: B")), [(11, "YAML syntax error: found character '\\t'")]),
    ("two-documents", YAML + "---\nname: again\n", [(15, "expected a single document")]),
    ("unsafe-tag", edited(YAML, ("position: 20", "position: !!python/object/apply:os.system [ls]")),
     [(10, "cannot read value: the tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed")]),
    ("unknown-scalar-tag", edited(YAML, ("position: 20", "position: !!python/name:os.system 20")),
     [(10, "cannot read value '20': could not determine a constructor")]),
    ("impossible-date", edited(YAML, ("name: Tax talks", "name: Tax talks\ndate: 2018-13-45")),
     [(2, "cannot read value '2018-13-45'")]),
    ("fullwidth-date", edited(YAML, ("name: Tax talks", 'name: Tax talks\ndate: "\uff12\uff10\uff11\uff18"')),
     [(2, "date: dates are written YYYY, YYYY-MM or YYYY-MM-DD")]),
    ("merge-key", edited(YAML, ("    capability: 5\n", "    <<: {capability: 5}\n")), [(12, "merge keys")]),
    ("nested-too-deep", "name: x\nissues: " + "[" * 60 + "]" * 60 + "\n", [(2, "nested more than 50 levels")]),
    ("not-a-mapping", "- tax\n- vat\n", [(1, "a scenario is a mapping with `name`, `issues` and `actors`")]),
    # missing and unknown keys
    ("issue-without-scale", edited(YAML, ("    scale: {min: 0, max: 100}\n", "")),
     [(4, "issues[tax].scale: required, but missing")]),
    ("stance-without-salience", edited(YAML, ("tax: {position: 20, salience: 0.5}", "tax: {position: 20}")),
     [(10, "actors[A].issues.tax.salience: required, but missing")]),
    ("actor-without-capability", edited(YAML, ("    capability: 5\n", "")),
     [(13, "actors[B].issues.tax: no capability: give the actor a `capability`, or this stance one")]),
    ("unknown-actor-key", edited(YAML, ("    capability: 10\n", "    capability: 10\n    power: 3\n")),
     [(9, "unknown key `power`; allowed: id, name, aliases, description, capability, issues")]),
    ("unknown-top-key", edited(YAML, ("name: Tax talks", "name: Tax talks\ndescripton: typo")),
     [(2, "unknown key `descripton`; allowed: name, date, description, assumption, sources, issues")]),
    ("unknown-stance-key", edited(YAML, ("salience: 0.5}", "salience: 0.5, sal: 1}")),
     [(10, "unknown key `sal`; allowed: position, salience, capability, note")]),
    # unknown ids
    ("stance-on-undeclared-issue", edited(YAML, ("tax: {position: 80", "vat: {position: 80")),
     [(14, "actors[B].issues.vat: unknown issue `vat`; known issues: tax")]),
    ("claim-of-unknown-source",
     edited(YAML, ("capability: 10", "capability: {claims: [{source: nyt, quote: big, value: 10}]}")),
     [(8, "unknown source `nyt`; known sources: none are declared")]),
    # duplicates
    ("duplicate-issue-id", edited(YAML, ("actors:", "  - id: tax\n    scale: {min: 0, max: 1}\nactors:")),
     [(6, "issues[tax].id: duplicate id `tax` (also issues[0]); ids must be unique")]),
    ("duplicate-actor-id", edited(YAML, ("  - id: B", "  - id: A")), [(11, "duplicate id `A` (also actors[0])")]),
    ("duplicate-yaml-key", edited(YAML, ("    capability: 5\n", "    capability: 5\n    capability: 6\n")),
     [(13, "duplicate key `capability` (the first is on line 12)")]),
    # numbers
    ("text-for-number", edited(YAML, ("position: 20", "position: abc")),
     [(10, "actors[A].issues.tax.position: must be a number, or a mapping with `value`, `claims` or "
           "`assumption`; got text 'abc'")]),
    ("nan", edited(YAML, ("position: 20", "position: .nan")), [(10, "must be a finite number, got nan")]),
    ("inf", edited(YAML, ("capability: 10", "capability: .inf")), [(8, "must be a finite number, got inf")]),
    ("minus-inf", edited(YAML, ("salience: 0.4", "salience: {value: -.inf, assumption: guess}")),
     [(14, "must be a finite number, got -inf")]),
    ("yes-for-number", edited(YAML, ("salience: 0.5", "salience: yes")), [(10, "got a true/false value")]),
    ("exponent-read-as-text", edited(YAML, ("capability: 10", "capability: 1e5")),
     [(8, "YAML reads 1e5 as text: write 100000.0")]),
    ("number-in-quotes", edited(YAML, ("position: 20", 'position: "20"')), [(10, "write the number without quotes")]),
    ("underscore-in-quoted-value", edited(YAML, ("capability: 10", 'capability: {value: "1_0", assumption: x}')),
     [(8, "actors[A].capability.value: must be a number, got '1_0' (write digits with an optional sign, decimal "
          "point and exponent, such as 12, -0.5 or 1.5e3)")]),
    ("fullwidth-digit-in-quoted-value", edited(YAML, ("{min: 0, max: 100}", '{min: "０", max: 100}')),
     [(5, "issues[tax].scale.min: must be a number, got '０'")]),
    ("underscore-number-in-quotes", edited(YAML, ("position: 20", 'position: "2_0"')),
     [(10, "must be a number, or a mapping with `value`, `claims` or `assumption`; got text '2_0'")]),
    ("number-for-id", edited(YAML, ("id: A", "id: 5")),
     [(7, 'actors[0].id: must be text, got 5 (put it in quotes: "5")')]),
    # ranges
    ("position-outside-scale", edited(YAML, ("position: 20", "position: 120")),
     [(10, "actors[A].issues.tax.position: position 120 is outside the issue's scale [0, 100]")]),
    ("claim-outside-scale",
     edited(YAML, ("position: 80", "position: {value: 50, claims: [{source: s, quote: q, value: 500}]}"),
            ("issues:\n  - id: tax", "sources: [{id: s, title: T}]\nissues:\n  - id: tax")),
     [(15, "position 500 is outside the issue's scale [0, 100]")]),
    ("source-url-not-web",
     edited(YAML, ("issues:\n  - id: tax",
                   'sources: [{id: s, title: T, url: "javascript:alert(1)"}]\nissues:\n  - id: tax')),
     [(3, "sources[s].url: must be a web address (scheme http or https), got 'javascript:alert(1)'")]),
    ("reference-outside-scale", edited(YAML, ("{min: 0, max: 100}\n", "{min: 0, max: 100}\n    reference: -5\n")),
     [(6, "issues[tax].reference: reference point -5 is outside the issue's scale [0, 100]")]),
    ("anchor-outside-scale",
     edited(YAML, ("{min: 0, max: 100}", "{min: 0, max: 100, anchors: [{value: 150, label: all}]}")),
     [(5, "150 is outside the scale [0, 100]")]),
    ("scale-reversed", edited(YAML, ("{min: 0, max: 100}", "{min: 100, max: 0}")),
     [(5, "scale `min` (100) must be below `max` (0)")]),
    ("salience-as-percentage", edited(YAML, ("salience: 0.5", "salience: 65")),
     [(10, "65 is outside the allowed salience range [0, 1]"), (10, "looks like a percentage, write 0.65")]),
    ("salience-negative", edited(YAML, ("salience: 0.4", "salience: -0.1")),
     [(14, "-0.1 is outside the allowed salience range [0, 1]")]),
    ("capability-negative", edited(YAML, ("capability: 10", "capability: -3")),
     [(8, "actors[A].capability: capability -3 is negative; capabilities are >= 0")]),
    ("stance-capability-negative", edited(YAML, ("salience: 0.5}", "salience: 0.5, capability: -1}")),
     [(10, "capability -1 is negative")]),
    # empty scenarios
    ("empty-file", "", [(NO_LINE, "the file is empty")]),
    ("only-comments", "# to do\n", [(NO_LINE, "the file is empty")]),
    ("no-actors", YAML.split("actors:")[0] + "actors: []\n",
     [(6, "the scenario has no actors: at least one is needed")]),
    ("no-issues", edited(YAML, ("issues:\n  - id: tax\n    scale: {min: 0, max: 100}\n", "issues: []\n")),
     [(3, "the scenario has no issues: at least one is needed")]),
    ("no-actors-key", YAML.split("actors:")[0], [(1, "actors: required, but missing")]),
    # encoding
    ("latin-1", edited(YAML, ("name: Tax talks", "name: Caf\xe9 talks")).encode("latin-1"),
     [(1, "not UTF-8 text: byte 0xe9"), (1, "save the file as UTF-8")]),
]


@pytest.mark.parametrize("content, expected", [c[1:] for c in YAML_CASES], ids=[c[0] for c in YAML_CASES])
def test_bad_yaml(tmp_path, content, expected):
    path = tmp_path / "talks.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    assert_rejected(validate(path), path, expected)


def test_duplicate_issue_is_checked_against_the_first_scale(tmp_path):
    # the stances refer to the first `tax`: the second one's scale must not raise false alarms
    path = tmp_path / "talks.yaml"
    path.write_text(edited(YAML, ("actors:", "  - id: tax\n    scale: {min: 0, max: 1}\nactors:")))
    out = assert_rejected(validate(path), path, [(6, "duplicate id `tax`")])
    assert "outside" not in out


def test_all_problems_of_a_yaml_file_at_once(tmp_path):
    path = tmp_path / "talks.yaml"
    path.write_text("""\
name: Tax talks
assumption: invented numbers for a test
issues:
  - id: tax
    scale: {min: 0, max: 100}
actors:
  - id: A
    capability: -10
    power: 3
    issues:
      tax: {position: 120, salience: 0.5}
  - id: B
    capability: 5
    capability: 6
    issues:
      tax: {position: 80, salience: 65}
      vat: {position: 10, salience: 0.2}
  - id: A
    capability: 1
    issues:
      tax: {position: .nan, salience: 0.1}
""")
    out = assert_rejected(validate(path), path, [
        (8, "capability -10 is negative"),
        (9, "unknown key `power`"),
        (11, "position 120 is outside the issue's scale [0, 100]"),
        (14, "duplicate key `capability` (the first is on line 13)"),
        (16, "percentage"),
        (17, "unknown issue `vat`"),
        (18, "duplicate id `A`"),
        (21, "must be a finite number"),
    ])
    assert out.count("error:") == 8


# -- evidence -------------------------------------------------------------------------------


def test_a_value_without_evidence_is_refused(tmp_path):
    path = tmp_path / "talks.yaml"
    path.write_text(edited(YAML, ("assumption: invented numbers for a test\n", "")))
    out = assert_rejected(validate(path), path, [
        (7, "actors[A].capability: capability 10 has no evidence: add `claims` quoting a source, or write it "
            "as {value: ..., assumption: <reason>}"),
        (9, "actors[A].issues.tax.salience: salience 0.5 has no evidence"),
        (13, "actors[B].issues.tax.position: position 80 has no evidence"),
    ])
    assert out.count("has no evidence") == 6


def test_a_file_wide_assumption_covers_bare_values(tmp_path):
    path = tmp_path / "talks.yaml"
    path.write_text(YAML)
    assert_accepted(validate(path))


def test_a_value_with_its_own_assumption_needs_no_file_wide_one(tmp_path):
    path = tmp_path / "talks.yaml"
    path.write_text("""\
name: Tax talks
issues:
  - id: tax
    scale: {min: 0, max: 100}
actors:
  - id: A
    capability: {value: 10, assumption: the largest party}
    issues:
      tax:
        position: {value: 20, assumption: its programme}
        salience: {value: 0.5, assumption: a guess}
""")
    assert_accepted(validate(path))


# -- quotes ---------------------------------------------------------------------------------

QUOTED = """\
name: Tax talks
sources:
  - id: art
    title: An article
    text: article.txt
issues:
  - id: tax
    scale: {min: 0, max: 100}
actors:
  - id: A
    capability: {value: 10, assumption: a guess}
    issues:
      tax:
        position:
          claims:
            - {source: art, quote: "the minister's offer is final", value: 20}
        salience:
          claims:
            - {source: art, quote: "talks resume in June", value: 0.5}
"""


def test_a_quote_not_in_its_source_is_refused(tmp_path):
    (tmp_path / "article.txt").write_text("He said the minister’s offer is final,\nand talks resume in May.\n",
                                          encoding="utf-8")
    path = tmp_path / "talks.yaml"
    path.write_text(QUOTED)
    out = assert_rejected(validate(path), path, [
        (16, "quote not found verbatim in the text of `art` (article.txt) (it matches if quotation marks, dashes "
             "or letter case are ignored: copy it exactly)"),
        (19, "actors[A].issues.tax.salience.claims[0].quote: quote not found verbatim in the text of `art` "
             "(article.txt): 'talks resume in June'"),
    ])
    assert out.count("it matches if quotation marks") == 1  # the hint only where it applies


def test_quotes_are_checked_against_texts_given_with_the_texts_option(tmp_path):
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "art.txt").write_text("the minister's offer is final; talks resume in May", encoding="utf-8")
    path = tmp_path / "talks.yaml"
    path.write_text(QUOTED.replace("    text: article.txt\n", ""))
    assert_rejected(validate(path, "--texts", str(texts)), path, [(18, "quote not found verbatim")])


def test_quotes_found_verbatim_are_accepted(tmp_path):
    (tmp_path / "article.txt").write_text("the minister's offer   is\nfinal; talks resume in June", encoding="utf-8")
    path = tmp_path / "talks.yaml"
    path.write_text(QUOTED)
    assert "quotes checked verbatim against the texts of 1 of 1 sources" in assert_accepted(validate(path))


# -- YAML aliases: the size of the file with every alias written out is bounded -------------


def with_aliases(string: str, count: int) -> str:
    """The test scenario with a description of ``string`` and an actor with ``count`` aliases of it."""
    return edited(YAML, ("name: Tax talks", f"name: Tax talks\ndescription: &d {string}"),
                  ("  - id: B\n", "  - id: B\n    aliases: [" + ", ".join(["*d"] * count) + "]\n"))


def test_aliases_that_expand_a_file_far_beyond_its_size_are_refused(tmp_path):
    # 1,000 aliases of a 10,000-character string: a 13 KB file that stands for 10 MB of text
    path = tmp_path / "talks.yaml"
    path.write_text(with_aliases("x" * 10_000, 1_000))
    assert_rejected(validate(path), path, [(NO_LINE, "its aliases (*name) expand it to 10,011,")])
    assert "more than 4 times its own size" in output(validate(path))


def test_a_small_file_that_expands_to_gigabytes_is_refused_at_once(tmp_path):
    import subprocess
    import sys

    # 20,000 aliases of a 100,000-character string: 160 KB on disk, 2 GB written out
    path = tmp_path / "talks.yaml"
    path.write_text(with_aliases("x" * 100_000, 20_000))
    done = subprocess.run([sys.executable, "-m", "accord", "validate", str(path)], capture_output=True, text=True,
                          timeout=120)
    out = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 2, out
    assert "Traceback" not in out
    assert f"{path.name}: its aliases (*name) expand it to 2,000,120," in out


def test_nested_aliases_are_counted_once_per_node():
    from accord.io.native import expanded_size, parse

    # ten levels of ten aliases each: 10**10 strings, measured from 21 nodes
    lines = ["a0: &a0 xxxxxxxxx"] + [f"a{k}: &a{k} [{', '.join([f'*a{k - 1}'] * 10)}]" for k in range(1, 11)]
    import yaml

    node = yaml.SafeLoader("\n".join(lines)).get_single_node()
    values, chars = expanded_size(node.value[-1][1], "f.yaml")
    assert values == sum(10**k for k in range(11)) and chars == 10 * 10**10 + 2 * sum(10**k for k in range(10))
    with pytest.raises(InputError, match="expand it to more than 1,000,000 values"):
        parse("\n".join(lines), "f.yaml")


def test_an_alias_inside_its_own_value_is_refused(tmp_path):
    path = tmp_path / "talks.yaml"
    path.write_text(edited(YAML, ("name: Tax talks", "name: Tax talks\ndescription: &loop [a, *loop]")))
    assert_rejected(validate(path), path, [(2, "an alias (*name) refers to a value that contains it")])


def test_aliases_used_as_people_use_them_are_accepted(tmp_path):
    path = tmp_path / "talks.yaml"
    path.write_text(edited(YAML, ("    scale: {min: 0, max: 100}\n", "    scale: &s {min: 0, max: 100}\n  - id: vat\n"
                                  "    scale: *s\n"),
                           ("tax: {position: 80, salience: 0.4}",
                                                          "tax: {position: 80, salience: 0.4}\n      vat: *st"),
                           ("tax: {position: 20, salience: 0.5}",
                            "tax: {position: 20, salience: 0.5}\n      vat: &st {position: 20, salience: 0.4}")))
    assert_accepted(validate(path))


def test_a_dashboard_upload_is_read_with_the_same_bounds(tmp_path):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from accord.web.app import create_app

    folder = tmp_path / "scenarios"
    folder.mkdir()
    client = TestClient(create_app(folder, tmp_path / "runs.sqlite", max_upload=64 * 1024), base_url=LOCAL,
                        headers={"Origin": LOCAL})
    bomb = with_aliases("x" * 10_000, 1_000).encode()  # 13 KB, under the upload limit
    r = client.post("/upload", files={"file": ("bomb.yaml", bomb, "application/yaml")})
    assert r.status_code == 422 and "its aliases (*name) expand it to 10,011," in " ".join(r.text.split())
    assert not (folder / "bomb.yaml").exists()


def test_dashboard_edits_take_plain_decimals_only(tmp_path):
    pytest.importorskip("fastapi")
    import html

    from fastapi.testclient import TestClient

    from accord.web.app import create_app

    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "talks.yaml").write_text(YAML)
    client = TestClient(create_app(folder, tmp_path / "runs.sqlite"), base_url=LOCAL, headers={"Origin": LOCAL})
    r = client.post("/scenario/talks.yaml/forecast", data={
        "model": "mean", "position:A:tax": "3_0", "salience:B:tax": "\uff10.5", "seed": "\uff17"})
    text = html.unescape(r.text)
    assert r.status_code == 422
    assert "'3_0' is not a number: write digits with an optional sign" in text
    assert "'\uff10.5' is not a number" in text and "'\uff17' is not a whole number" in text
    ok = client.post("/scenario/talks.yaml/forecast", data={"model": "mean", "position:A:tax": " 30 "})
    assert ok.status_code == 200


def test_a_labels_file_is_read_with_the_same_bounds(tmp_path):
    from accord.cli import app

    labels = tmp_path / "labels.yaml"
    labels.write_text("words: &w " + "x" * 10_000 + "\narticles: [" + ", ".join(["*w"] * 1_000) + "]\n")
    scenario = tmp_path / "talks.yaml"
    scenario.write_text(YAML)
    result = CliRunner().invoke(app, ["evidence", "eval", str(labels), "--scenario", str(scenario)])
    assert_rejected(result, labels, [(NO_LINE, "its aliases (*name) expand it to 10,01")])


# -- table CSV ------------------------------------------------------------------------------

TABLE = """\
actor,issue,position,salience,capability,issue_min,issue_max
A,tax,20,0.5,10,0,100
B,tax,80,0.4,5,0,100
C,tax,50,0.3,7,0,100
"""

TABLE_CASES = [
    ("not-a-number", edited(TABLE, ("A,tax,20", "A,tax,abc")),
     [(2, "column position: position must be a number, got 'abc'")]),
    ("nan", edited(TABLE, ("0.4,5", "nan,5")), [(3, "column salience: salience must be a finite number, got 'nan'")]),
    ("inf", edited(TABLE, ("0.3,7", "0.3,inf")),
     [(4, "column capability: capability must be a finite number, got 'inf'")]),
    ("underscore", edited(TABLE, ("0.5,10", "0.5,1_0")),
     [(2, "column capability: capability must be a number, got '1_0' (write digits with an optional sign, "
          "decimal point and exponent, such as 12, -0.5 or 1.5e3)")]),
    ("arabic-indic-digits", edited(TABLE, ("A,tax,20", "A,tax,\u0662\u0660")),
     [(2, "column position: position must be a number, got '\u0662\u0660'")]),
    ("fullwidth-digit", edited(TABLE, ("0,100\nB", "0,\uff11\uff10\uff10\nB")),
     [(2, "column issue_max: issue_max must be a number, got '\uff11\uff10\uff10'")]),
    ("infinity-spelt-out", edited(TABLE, ("0.3,7", "0.3,Infinity")),
     [(4, "column capability: capability must be a finite number, got 'Infinity'")]),
    ("overflowing-exponent", edited(TABLE, ("0.3,7", "0.3,1e999")),
     [(4, "column capability: capability must be a finite number, got '1e999'")]),
    ("empty-cell", edited(TABLE, ("B,tax,80", "B,tax,")),
     [(3, "column position: position is empty; a number is needed")]),
    ("duplicate-row", TABLE + "A,tax,30,0.5,10,0,100\n",
     [(5, "duplicate row for actor `A` on issue `tax` (first on line 2)")]),
    ("position-outside-scale", edited(TABLE, ("A,tax,20", "A,tax,120")),
     [(2, "actors[A].issues.tax.position (column position): position 120 is outside the issue's scale [0, 100]")]),
    ("reference-outside-scale", "actor,issue,position,salience,capability,issue_min,issue_max,reference\n"
                                "A,tax,20,0.5,10,0,100,150\nB,tax,80,0.4,5,0,100,150\n",
     [(2, "issues[tax].reference (column reference): reference point 150 is outside the issue's scale [0, 100]")]),
    ("salience-as-percentage", edited(TABLE, ("20,0.5", "20,65")), [(2, "column salience"), (2, "percentage")]),
    ("capability-negative", edited(TABLE, ("0.5,10", "0.5,-10")), [(2, "capability -10 is negative")]),
    ("issue-scale-disagrees", edited(TABLE, ("C,tax,50,0.3,7,0,100", "C,tax,50,0.3,7,10,100")),
     [(4, "issue_min 10.0 differs from 0.0 given for issue `tax` on line 2")]),
    ("no-scale", "actor,position,salience,capability\nA,5,0.5,1\nB,5,0.5,1\n",
     [(2, "issue `x` needs both issue_min and issue_max")]),
    ("header-only", TABLE.splitlines()[0] + "\n", [(1, "the table has a header but no rows")]),
    ("unknown-column", edited(TABLE, ("issue_max", "issue_maks")),
     [(1, "unknown column `issue_maks`; allowed: actor, position, salience, capability, issue, issue_min, issue_max")]),
    ("missing-column", "actor,issue,position,capability\nA,tax,20,10\n", [(1, "missing column: salience")]),
    ("unclosed-quote", edited(TABLE, ("B,tax,80", '"B,tax,80')),
     [(3, 'a quoted field ("...) that starts on this line is never closed')]),
    ("too-many-fields", edited(TABLE, ("B,tax,80,0.4,5,0,100", "B,tax,80,0.4,5,0,100,3,4")),
     [(3, "the row has 9 fields but the header has 7 columns; a value holding the delimiter must be in quotes")]),
    ("latin-1", edited(TABLE, ("B,tax", "B\xe9,tax")).encode("latin-1"), [(3, "not UTF-8 text: byte 0xe9")]),
    ("utf-16-without-bom", TABLE.encode("utf-16-le"), [(1, "it contains NUL bytes")]),
    ("unknown-csv", "a,b,c\n1,2,3\n", [(NO_LINE, "cannot tell the file's format; give --format, one of: yaml, table")]),
    ("empty-file", "", [(NO_LINE, "the file is empty")]),
]


@pytest.mark.parametrize("content, expected", [c[1:] for c in TABLE_CASES], ids=[c[0] for c in TABLE_CASES])
def test_bad_table(tmp_path, content, expected):
    path = tmp_path / "stances.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    assert_rejected(validate(path), path, expected)


def test_all_problems_of_a_table_at_once(tmp_path):
    path = tmp_path / "stances.csv"
    path.write_text(TABLE + "D,tax,50,65,7,0,100\nE,tax,150,0.2,-1,0,100\nA,tax,1,0.1,10,0,100\n")
    out = assert_rejected(validate(path), path, [
        (5, "percentage"), (6, "position 150 is outside"), (6, "capability -1 is negative"), (7, "duplicate row"),
    ])
    assert out.count("error:") == 4


def test_a_workbook_reports_bad_cells_by_row(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for line in TABLE.splitlines():
        book.active.append([float(c) if c[0].isdigit() else c for c in line.split(",")])
    book.active["C3"] = "eighty"
    book.active["D4"] = 30
    path = tmp_path / "stances.xlsx"
    book.save(path)
    assert_rejected(validate(path), path, [(3, "column position: position must be a number, got 'eighty'"),
                                           (4, "percentage")])


def test_a_workbook_reads_text_cells_as_plain_decimals_only(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for line in TABLE.splitlines():
        book.active.append([float(c) if c[0].isdigit() else c for c in line.split(",")])
    book.active["C2"] = "1_0"  # text cells: a spreadsheet does not count them as numbers
    book.active["E3"] = "\uff15"
    book.active["C4"] = " 55 "  # a plain decimal in a text cell, spaces around
    path = tmp_path / "stances.xlsx"
    book.save(path)
    assert_rejected(validate(path), path, [(2, "column position: position must be a number, got '1_0'"),
                                           (3, "column capability: capability must be a number, got '\uff15'")])
    book.active["C2"], book.active["E3"] = 10, 5
    book.save(path)
    assert read_scenario(path).scenario.actor("C").issues["tax"].position.point == 55


def test_review_and_deu_files_read_plain_decimals_only(tmp_path):
    from accord.evidence.review import apply_review
    from accord.io import read_deu

    scenario = tmp_path / "talks.yaml"
    scenario.write_text(YAML)
    review = tmp_path / "review.csv"
    review.write_text("decision,field,value,actor,issue,source,quote,article\naccept,position,1_0,A,tax,s,q,a.txt\n")
    with pytest.raises(InputError) as exc:
        apply_review(read_scenario(scenario).scenario, review, [])
    assert "`value` must be a number, got '1_0' (write digits" in str(exc.value)
    deu = tmp_path / "deu.csv"
    deu.write_text("prnr,prname,isnr,proc,counvte,intro,finact,pcom,pep,pde,pfr,pmt,scom,sep,sde,sfr,smt,rp,out\n"
                   "p1,x,p1i1,COD,QMV,01-02-00,01-06-01,1_00,0,0,40,50,80,50,20,10,10,0,60\n")
    with pytest.raises(InputError, match="column pcom: must be a number 0-100 or blank, got '1_00'"):
        read_deu(deu)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_float_written_plainly_reads_back_exactly(x):
    from accord.scenario import parse_number

    assert parse_number(repr(x)) == x and parse_number(f" {x:.17g}\t") == x


@given(st.text(max_size=12))
def test_a_text_is_a_number_only_in_ascii_decimal_syntax(text):
    from accord.scenario import parse_number

    value = parse_number(text)
    if value is not None:
        assert text.strip(" \t\r\n").isascii() and "_" not in text
        assert value == float(text)


@pytest.mark.parametrize("dimension", ["A1:A1", "A1:G2", "A1:C4"])
def test_a_workbook_with_a_stale_size_record_is_read_whole(tmp_path, dimension):
    # a sheet's <dimension> says how large it is; programs that write XLSX leave it stale, and
    # openpyxl's read-only mode trusted it: rows and columns beyond were dropped without a word
    import io
    import zipfile

    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for line in TABLE.splitlines():
        book.active.append([float(c) if c[0].isdigit() else c for c in line.split(",")])
    buf = io.BytesIO()
    book.save(buf)
    path = tmp_path / "stances.xlsx"
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, zipfile.ZipFile(path, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:G4"' in data
                data = data.replace(b'<dimension ref="A1:G4"', f'<dimension ref="{dimension}"'.encode())
            zout.writestr(item, data)
    s = read_scenario(path).scenario
    assert s.actor_ids == ("A", "B", "C")
    assert [s.actor(a).issues["tax"].position.point for a in "ABC"] == [20, 80, 50]
    assert (s.issue("tax").scale.min, s.issue("tax").scale.max) == (0, 100)


def test_a_damaged_workbook(tmp_path):
    path = tmp_path / "stances.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip file")
    assert_rejected(validate(path), path, [(NO_LINE, "not a readable XLSX workbook")])


def test_read_scenario_reports_each_bad_cell_with_its_line(tmp_path):
    path = tmp_path / "stances.csv"
    path.write_text("# name: Tax talks\nactor,issue,position,salience,capability,issue_min,issue_max\n"
                    "A,tax,abc,0.5,10,0,100\nB,tax,80,0.4,5,0,100\nC,tax,50,,7,0,100\n")
    with pytest.raises(InputError) as caught:
        read_scenario(path)
    problems = caught.value.problems
    assert [(p.line, p.field) for p in problems] == [(3, "column position"), (5, "column salience")]
    assert all(p.file == str(path) for p in problems)
    assert "must be a number, got 'abc'" in problems[0].message
    assert "is empty; a number is needed" in problems[1].message
    assert str(caught.value).startswith("2 problems found:")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_a_table_with_a_byte_order_mark_is_read(tmp_path, encoding):
    path = tmp_path / "stances.csv"
    path.write_bytes(TABLE.encode(encoding))
    assert "3 actors, 1 issues" in assert_accepted(validate(path))


def test_a_table_with_old_mac_line_endings_is_read(tmp_path):
    path = tmp_path / "stances.csv"
    path.write_bytes(TABLE.replace("\n", "\r").encode())
    assert "3 actors" in assert_accepted(validate(path))


def test_a_quoted_cell_spanning_lines_keeps_later_line_numbers(tmp_path):
    path = tmp_path / "stances.csv"
    path.write_text('actor,actor_name,issue,position,salience,capability,issue_min,issue_max\n'
                    'A,"Alpha\nparty",tax,20,0.5,10,0,100\nB,Beta,tax,80,0.4,x,0,100\n')
    assert_rejected(validate(path), path, [(4, "capability must be a number, got 'x'")])


# -- KTAB CSV and XML -----------------------------------------------------------------------

KTAB = """\
Demo,"a test",2,2,
Actor,Description,Power,D1 Position,D1 Salience,D2 Position,D2 Salience
A,first,100,20,50,30,40
B,second,50,80,30,70,60
"""

KTAB_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<Scenario>
  <name>Demo</name>
  <Dimensions>
    <dName>D1</dName>
  </Dimensions>
  <Actors>
    <Actor>
      <name>A</name>
      <capability>100</capability>
      <Position><dCoord>20</dCoord></Position>
      <Salience><dSal>50</dSal></Salience>
    </Actor>
    <Actor>
      <name>B</name>
      <capability>50</capability>
      <Position><dCoord>80</dCoord></Position>
      <Salience><dSal>30</dSal></Salience>
    </Actor>
  </Actors>
</Scenario>
"""

KTAB_CASES = [
    ("wrong-field-count", "k.csv", edited(KTAB, ("A,first,100,20,50,30,40", "A,first,100,20,50,30")),
     [(3, "expected 7 fields (actor, description, power and a position and salience per dimension), found 6")]),
    ("actor-count-mismatch", "k.csv", edited(KTAB, ('"a test",2,2', '"a test",3,2')),
     [(1, "the first line says 3 actors but 2 actor rows follow")]),
    ("dimension-count-mismatch", "k.csv", edited(KTAB, ('"a test",2,2', '"a test",2,3')),
     [(2, "the first line says 3 dimensions but the header has 2")]),
    ("salience-sum-over-100", "k.csv", edited(KTAB, ("B,second,50,80,30", "B,second,50,80,60")),
     [(4, "the saliences of actor `B` sum to 120; KTAB allows at most 100")]),
    ("nan-power", "k.csv", edited(KTAB, ("A,first,100", "A,first,nan")),
     [(3, "column Power: power must be a finite number, got 'nan'")]),
    ("underscore-power", "k.csv", edited(KTAB, ("A,first,100", "A,first,1_00")),
     [(3, "column Power: power must be a number, got '1_00'")]),
    ("position-outside-range", "k.csv", edited(KTAB, ("B,second,50,80", "B,second,50,180")),
     [(4, "column D1 Position: position 180 is outside KTAB's range [0, 100]")]),
    ("duplicate-actor", "k.csv", edited(KTAB, ("B,second", "A,second")), [(4, "duplicate id `A`")]),
    ("unclosed-quote", "k.csv", edited(KTAB, ("B,second", 'B,"second')), [(4, "is never closed")]),
    ("xml-syntax", "k.xml", edited(KTAB_XML, ("D1</dName>", "D1</dNam>")), [(5, "XML syntax error: mismatched tag")]),
    ("xml-entity-declaration", "k.xml",
     edited(KTAB_XML, ("<Scenario>", '<!DOCTYPE Scenario [\n<!ENTITY big "aaaaaaaaaa">\n]>\n<Scenario>')),
     [(3, "XML entity declarations are not allowed")]),
    ("xml-external-entity", "k.xml",
     edited(KTAB_XML, ("<Scenario>", '<!DOCTYPE Scenario [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<Scenario>'),
            ("<name>A</name>", "<name>&e;</name>")),
     [(2, "XML entity declarations are not allowed")]),
    ("xml-undefined-entity", "k.xml", edited(KTAB_XML, ("<name>A</name>", "<name>&e;</name>")),
     [(9, "XML syntax error: undefined entity")]),
    ("xml-wrong-root", "k.xml", edited(KTAB_XML, ("<Scenario>", "<Scene>"), ("</Scenario>", "</Scene>")),
     [(2, "the root element is <Scene>; a KTAB scenario's is <Scenario>")]),
    ("xml-salience-outside-range", "k.xml", edited(KTAB_XML, ("<dSal>30", "<dSal>130")),
     [(18, "salience 130 is outside KTAB's range [0, 100]")]),
    ("xml-not-a-number", "k.xml", edited(KTAB_XML, ("<dCoord>20", "<dCoord>twenty")),
     [(11, "position must be a number, got 'twenty'")]),
    ("xml-fullwidth-digits", "k.xml", edited(KTAB_XML, ("<dCoord>20", "<dCoord>\uff12\uff10")),
     [(11, "position must be a number, got '\uff12\uff10'")]),
    ("xml-fullwidth-seed", "k.xml", edited(KTAB_XML, ("<Scenario>", "<Scenario>\n<prngSeed>\uff17</prngSeed>")),
     [(3, "<prngSeed> must be a whole number, got '\uff17'")]),
    ("xml-coordinates-missing", "k.xml", edited(KTAB_XML, ("<Position><dCoord>80</dCoord></Position>", "")),
     [(14, "actor `B` has 0 dCoord and 1 dSal values; 1 dimensions need 1 of each")]),
    ("xml-duplicate-actor", "k.xml", edited(KTAB_XML, ("<name>B</name>", "<name>A</name>")),
     [(14, "duplicate id `A`")]),
]


@pytest.mark.parametrize("name, content, expected", [c[1:] for c in KTAB_CASES], ids=[c[0] for c in KTAB_CASES])
def test_bad_ktab(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert_rejected(validate(path), path, expected)


def test_ktab_counts_in_other_digits_are_not_numbers(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text(edited(KTAB, ('"a test",2,2', '"a test",\uff12,2')), encoding="utf-8")
    assert_rejected(validate(path), path, [(NO_LINE, "cannot tell the file's format")])
    assert_rejected(validate(path, "--format", "ktab"), path,
                    [(1, "number of actors must be a whole number >= 1, got '\uff12'")])


def test_xml_in_the_encoding_it_declares_is_read(tmp_path):
    path = tmp_path / "k.xml"
    text = edited(KTAB_XML, ('encoding="UTF-8"', 'encoding="ISO-8859-1"'),
                  ("<name>Demo</name>", "<name>Caf\xe9</name>"))
    path.write_bytes(text.encode("latin-1"))
    assert "'Café': 2 actors" in assert_accepted(validate(path))


@pytest.mark.parametrize("declared, codec", [("UTF-32", "utf-32"), ("UTF-32LE", "utf-32-le"), ("UTF-32BE", "utf-32-be"),
                                             ("Shift_JIS", "shift_jis"), ("windows-1252", "cp1252"),
                                             ("UTF-16", "utf-16")])
def test_xml_in_any_encoding_python_knows_is_read_whole(tmp_path, declared, codec):
    # expat itself reads only UTF-8, UTF-16, Latin-1 and ASCII: UTF-32 and multi-byte encodings
    # used to give a syntax error or a traceback
    word = "Caf\xe9" if codec == "cp1252" else "\u65e5\u672c"
    text = edited(KTAB_XML, ('encoding="UTF-8"', f'encoding="{declared}"'),
                  ("<name>Demo</name>", f"<name>{word}</name>"), ("<name>A</name>", f"<name>A{word}</name>"))
    path = tmp_path / "k.xml"
    path.write_bytes(text.encode(codec))
    scenario = read_scenario(path).scenario
    assert scenario.name == word and scenario.actor_ids == (f"A{word}", "B")
    assert scenario.actor("B").issues["D1"].position.point == 80


def test_xml_in_an_unknown_or_false_encoding_is_refused_by_name(tmp_path):
    path = tmp_path / "k.xml"
    path.write_text(edited(KTAB_XML, ('encoding="UTF-8"', 'encoding="klingon-8"')), encoding="utf-8")
    assert_rejected(validate(path), path, [(1, "the XML declaration names the encoding 'klingon-8', which is not "
                                               "known; save the file as UTF-8")])
    path.write_text(edited(KTAB_XML, ('encoding="UTF-8"', 'encoding="UTF-32"')), encoding="utf-8")
    assert_rejected(validate(path), path, [(1, "not valid utf-32 text")])


def test_all_problems_of_a_ktab_file_at_once(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text(edited(KTAB, ("A,first,100,20", "A,first,abc,20"),
                           ("B,second,50,80,30,70,60", "A,b,10,80,30,70")))
    assert_rejected(validate(path), path, [(3, "power must be a number, got 'abc'"), (4, "expected 7 fields")])


# -- decide ---------------------------------------------------------------------------------

DECIDE = """\
#A\tA\tAlpha
#A\tB\tBeta
#P\ttax\tTax
#M\ttax\t0
#M\ttax\t100
#D\tA\ttax\t20\t0.5\t10
#D\tB\ttax\t80\t0.4\t5
"""

DECIDE_CASES = [
    ("unknown-tag", edited(DECIDE, ("#M\ttax\t0", "#Q\ttax\t0")),
     [(4, "unknown row tag '#Q'; allowed: #A, #P, #M, #D")]),
    ("undeclared-actor", DECIDE + "#D\tC\ttax\t50\t0.4\t5\n",
     [(8, "#D row for undeclared actor `C` (declare it with a #A row)")]),
    ("undeclared-issue", DECIDE + "#D\tA\tvat\t50\t0.4\t5\n",
     [(8, "#D row for undeclared issue `vat` (declare it with a #P row)")]),
    ("scale-of-undeclared-issue", DECIDE + "#M\tvat\t0\n", [(8, "#M row for undeclared issue `vat`")]),
    ("duplicate-actor", edited(DECIDE, ("#P\ttax", "#A\tA\tAgain\n#P\ttax")), [(3, "actor `A` is declared twice")]),
    ("duplicate-issue", edited(DECIDE, ("#M\ttax\t0\n", "#P\ttax\tTax\n#M\ttax\t0\n")),
     [(4, "issue `tax` is declared twice")]),
    ("duplicate-stance", DECIDE + "#D\tA\ttax\t30\t0.5\t10\n",
     [(8, "second #D row for actor `A` on issue `tax` (first on line 6)")]),
    ("nan", edited(DECIDE, ("20\t0.5", "nan\t0.5")), [(6, "position must be a finite number, got 'nan'")]),
    ("not-a-number", edited(DECIDE, ("0.4\t5", "0.4\tfive")), [(7, "capability must be a number, got 'five'")]),
    ("underscore", edited(DECIDE, ("0.4\t5", "0.4\t0_5")), [(7, "capability must be a number, got '0_5'")]),
    ("arabic-indic-scale-point", edited(DECIDE, ("#M\ttax\t100", "#M\ttax\t\u0661\u0660\u0660")),
     [(5, "#M position must be a number, got '\u0661\u0660\u0660'")]),
    ("bad-scale-point", edited(DECIDE, ("#M\ttax\t100", "#M\ttax\tinf")), [(5, "#M position must be a finite number")]),
    ("salience-as-percentage", edited(DECIDE, ("20\t0.5", "20\t65")), [(6, "percentage")]),
    ("position-outside-scale", edited(DECIDE, ("20\t0.5", "120\t0.5")),
     [(6, "position 120 is outside the issue's scale [0, 100]")]),
    ("short-row", edited(DECIDE, ("#D\tA\ttax\t20\t0.5\t10", "#D\tA\ttax\t20")),
     [(6, "a #D row needs actor id, issue id, position, salience and power")]),
    ("unclosed-quote", edited(DECIDE, ("#A\tB", "#A\t'B")),
     [(2, "a quoted field ('...) that starts on this line is never closed")]),
    ("no-actors", "#P\ttax\tTax\n#M\ttax\t0\n#M\ttax\t100\n", [(NO_LINE, "the scenario has no actors")]),
]


@pytest.mark.parametrize("content, expected", [c[1:] for c in DECIDE_CASES], ids=[c[0] for c in DECIDE_CASES])
def test_bad_decide(tmp_path, content, expected):
    path = tmp_path / "talks.txt"
    path.write_text(content, encoding="utf-8")
    assert_rejected(validate(path), path, expected)


def test_a_bad_scale_point_does_not_bring_false_alarms(tmp_path):
    path = tmp_path / "talks.txt"
    path.write_text(edited(DECIDE, ("#M\ttax\t100", "#M\ttax\tx")), encoding="utf-8")
    out = assert_rejected(validate(path), path, [(5, "#M position must be a number, got 'x'")])
    assert out.count("error:") == 1


# -- files ----------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(accord.io._files, "MAX_BYTES", 100)
    path = tmp_path / "talks.yaml"
    path.write_text(YAML)
    assert_rejected(validate(path), path, [(NO_LINE, f"the file is {len(YAML)} bytes; scenario files are limited "
                                                     "to 100 bytes")])


def test_a_missing_file(tmp_path):
    path = tmp_path / "nowhere.yaml"
    assert_rejected(validate(path), path, [(NO_LINE, "no such file")])


def test_a_folder(tmp_path):
    path = tmp_path / "scenarios.yaml"
    path.mkdir()
    assert_rejected(validate(path), path, [(NO_LINE, "is a folder, not a scenario file")])


def test_an_ambiguous_file_asks_for_the_format(tmp_path):
    path = tmp_path / "talks.csv"
    path.write_text("name,value\nrate,5\n")
    assert_rejected(validate(path), path, [(NO_LINE, "cannot tell the file's format; give --format")])


def test_a_file_matching_two_formats_names_both(tmp_path):
    path = tmp_path / "talks.csv"
    path.write_text("#A,x\nactor,position,salience,capability\n")
    assert_rejected(validate(path), path, [(NO_LINE, "cannot tell the file's format (it could be decide or table); "
                                                     "give --format, one of: yaml, table, ktab, decide")])


def test_the_format_option_overrides_detection(tmp_path):
    path = tmp_path / "talks.csv"
    path.write_text(TABLE)
    assert_rejected(validate(path, "--format", "ktab"), path,
                    [(1, "number of actors must be a whole number >= 1, got 'position'")])


@pytest.mark.parametrize("encoding", ["utf-16", "utf-8-sig"])
def test_yaml_with_a_byte_order_mark_is_read(tmp_path, encoding):
    path = tmp_path / "talks.yaml"
    path.write_bytes(YAML.encode(encoding))
    assert_accepted(validate(path))
