"""The Python API for notebooks: labelled inputs (from_arrays with pandas), labelled outputs
(accord.forecast, monte_carlo, roles, bottom_line) and their HTML views."""

import numpy as np
import pandas as pd
import pytest

import accord
from accord.errors import InputError
from accord.uncertainty import monte_carlo as bare_monte_carlo, sample_inputs, summarise

KOREA = "scenarios/korea-2018.yaml"


@pytest.fixture
def frames():
    pos = pd.DataFrame({"sanctions": [10.0, 62.5, np.nan], "format": [15.0, 65.0, 40.0]}, index=["USA", "CHN", "RUS"])
    sal = pd.DataFrame({"format": [0.1, 0.3, 0.2], "sanctions": [0.3, 0.25, 0.2]}, index=["RUS", "USA", "CHN"])
    cap = pd.Series({"RUS": 40.0, "CHN": 87.5, "USA": 100.0})
    return pos, sal, cap


def test_dataframes_are_aligned_by_label(frames):
    pos, sal, cap = frames
    sc = accord.from_arrays(pos, sal, cap, reference=pd.Series({"sanctions": 20.0}))
    assert sc.actor_ids == ("USA", "CHN", "RUS") and sc.issue_ids == ("sanctions", "format")
    usa = sc.actor("USA")
    assert usa.capability.point == 100.0
    assert (usa.issues["sanctions"].position.point, usa.issues["sanctions"].salience.point) == (10.0, 0.25)
    assert usa.issues["format"].salience.point == 0.3
    assert "sanctions" not in sc.actor("RUS").issues  # NaN: absent
    assert sc.issue("sanctions").reference.point == 20.0 and sc.issue("format").reference is None


def test_dataframes_give_the_arrays_result(frames):
    pos, sal, cap = frames
    labelled = accord.from_arrays(pos, sal, cap)
    sal_in_order = sal.loc[pos.index, pos.columns]
    plain = accord.from_arrays(pos.to_numpy(), sal_in_order.to_numpy(), cap[pos.index].to_numpy(),
                               actors=list(pos.index), issues=list(pos.columns))
    assert labelled.sha256 == plain.sha256


def test_numpy_arrays_still_work():
    sc = accord.from_arrays(np.array([[10.0, 80], [60, 20]]), np.array([[0.6, 0.4], [0.5, 0.5]]), np.array([1, 2]),
                            actors=np.array(["A", "B"]))
    assert sc.actor_ids == ("A", "B") and sc.issue_ids == ("i0", "i1")
    assert accord.from_arrays([[10.0]], [[0.5]], [1]).actor_ids == ("A0",)


def problems(*args, **kwargs) -> list[str]:
    with pytest.raises(InputError) as caught:
        accord.from_arrays(*args, **kwargs)
    return [str(p) for p in caught.value.problems]


def test_mismatched_labels_are_named_all_at_once(frames):
    pos, sal, cap = frames
    found = problems(pos, sal.rename(index={"CHN": "PRC"}), cap.rename(index={"RUS": "Russia"}))
    assert found == [
        "salience: no row for actor CHN; actor PRC not among the rows of position (the rows of position: USA, CHN, "
        "RUS)",
        "capability: no such actor: Russia (the actors are the rows of position: USA, CHN, RUS)",
        "capability: no value for actor RUS (the actors are the rows of position: USA, CHN, RUS)",
    ]
    assert problems(pos, sal.drop(columns="format"), cap) == [
        "salience: no column for issue format (the columns of position: sanctions, format)"]
    assert problems(pos, sal, cap, reference={"tariffs": 3}) == [
        "reference: no such issue: tariffs (the issues are the columns of position: sanctions, format)"]


def test_mismatched_shapes_are_errors_not_index_errors():
    assert problems([[10.0, 20.0]], [[0.5]], [1]) == [
        "salience: is 1 x 1; position is 1 x 2 (actors x issues): give one value per actor and issue"]
    assert problems([[10.0], [20.0]], [[0.5], [0.5]], [1]) == [
        "capability: 1 values for 2 actors (the rows of position): give one per actor"]
    assert problems([[10.0]], [[0.5]], [1], actors=["A", "B"]) == ["actors: 2 actor names for the 1 rows of position"]
    assert problems([10.0], [0.5], [1])[0] == "position: has 1 dimension(s); give a table of actors x issues"
    assert problems([["x"]], [[0.5]], [1]) == [
        "position: not numbers: could not convert string to float: 'x'; give numbers (NaN for an absent actor)"]


def test_labels_given_twice_must_agree(frames):
    pos, sal, cap = frames
    assert problems(pos, sal, cap, actors=["A", "B", "C"]) == [
        "position: the names given as actors= (A, B, C) differ from the labels of position (USA, CHN, RUS); "
        "give them once"]
    assert accord.from_arrays(pos, sal, cap, actors=["USA", "CHN", "RUS"]).actor_ids == ("USA", "CHN", "RUS")
    doubled = pos.set_axis(["USA", "USA", "RUS"], axis=0)
    assert "position: repeated actor labels: USA (each actor once)" in problems(doubled, sal, cap)


def test_monte_carlo_is_labelled_and_matches_the_forecast_run():
    mc = accord.monte_carlo(KOREA, ["mean", "median"], samples=120, seed=3)
    assert mc.samples.index.names == ["sample", "issue", "model"] and mc.n == 120
    assert len(mc.samples) == 120 * 5 * 2
    # the same draws as accord forecast --samples: the summary is the runs' quantiles
    fc = accord.forecast(KOREA, ["mean", "median"], samples=120, seed=3)
    for model in ("mean", "median"):
        drawn = mc.samples.xs(model, level="model")["forecast"].unstack("issue")[list(fc.scenario.issue_ids)]
        np.testing.assert_array_equal(drawn.to_numpy(), fc[model].uncertainty["forecasts"])
        expected = summarise(fc[model].uncertainty["forecasts"])
        got = mc.summary().xs(model, level="model")
        np.testing.assert_array_equal(got["median"].to_numpy(), expected["median"])
        np.testing.assert_array_equal(got["point"].to_numpy(), fc[model].forecast)
    assert mc.wide().shape == (120, 10)
    again = accord.monte_carlo(KOREA, ["mean", "median"], samples=120, seed=3)
    pd.testing.assert_frame_equal(mc.samples, again.samples)


def test_the_old_monte_carlo_functions_still_work():
    sc = accord.read_scenario(KOREA).scenario
    out = bare_monte_carlo(accord.get_model("mean")(), sc, sample_inputs(sc, 30, 0))
    assert out.shape == (30, 5) and set(summarise(out)) >= {"q05", "median", "q95"}


def test_forecast_table_and_lookup():
    fc = accord.forecast(KOREA, ["mean", "nash"])
    assert fc.table().columns.tolist() == ["mean", "nash"]
    assert fc.table().loc["sanctions", "mean"] == pytest.approx(44.7017, abs=1e-4)
    assert fc["nash"].model == "nash"
    with pytest.raises(KeyError, match="the runs are: mean, nash"):
        fc["eum"]
    assert accord.forecast(KOREA).skipped == []  # every model takes Korea
    ruleless = accord.from_arrays([[10.0, 20.0], [90.0, 80.0]], [[0.5, 0.5], [0.5, 0.5]], [1.0, 1.0],
                                  reference=[50.0, 50.0])
    every = accord.forecast(ruleless)
    assert [s["model"] for s in every.skipped] == ["procedural"]
    assert "procedural skipped: model procedural needs a decision rule" in every._repr_html_()


def test_html_views_show_the_numbers():
    sc = accord.read_scenario(KOREA).scenario
    html = sc._repr_html_()
    assert "Korean peninsula diplomacy, 2018: 6 actors, 5 issues, 3 sources" in html
    assert "<th>USA</th><td>100*</td><td>10* (0.3*)</td>" in html
    result = accord.get_model("mean")().run(sc)
    assert "mean: forecast of 5 issue(s), 6 actors" in result._repr_html_()
    assert "<td>44.7</td>" in result._repr_html_()
    mc = accord.monte_carlo(sc, ["mean"], samples=50)
    assert "50 samples (seed 0)" in mc._repr_html_() and "<th>q95</th>" in mc._repr_html_()
    line = accord.bottom_line(sc, ["accord", "nash"], stability=0)
    assert "<th>locked by</th>" in line._repr_html_() and "<td>USA</td>" in line._repr_html_()
    roles = accord.roles(sc, samples=5)
    html = roles._repr_html_()
    assert "Roles in Korean peninsula diplomacy, 2018" in html and "Roles the sources assert" in html
    assert "<td>hardliner</td>" in html


def test_bottom_line_of_a_forecast_made_before():
    fc = accord.forecast(KOREA, ["accord", "nash", "mean"])
    line = accord.bottom_line(fc, stability=0)
    assert len(line) == 5 and line[0].issue == "sanctions"
    assert [(m.model, m.status) for m in line["sanctions"].models] == [
        ("accord", "forecast"), ("nash", "deadlock"), ("mean", "forecast")]
    assert line.to_frame().loc["sanctions", "locked by"] == "USA"


def test_top_level_names_shadow_no_module():
    from accord.roles import ROLES  # the module of role definitions is still importable

    import accord.roles  # noqa: F401  (importing it leaves accord.roles the function)

    assert callable(accord.roles) and accord.roles.__module__ == "accord.api" and "broker" in ROLES
    try:
        advise = accord.advise
    except AttributeError as exc:
        assert "accord.advise is not available" in str(exc)
    else:
        assert callable(advise)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        accord.nothing  # noqa: B018
