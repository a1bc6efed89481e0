"""Lesson 02's figures (county panel, caterpillar plot) and exercise checks.

The figures are tested on what they draw -- the lines' coordinates against an independent
least-squares computation, the intervals against the fit's conditional SDs, the labels -- and
the checks on correct answers, the typical mistakes and robustness to odd input.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import hiertools as ht
from hiertools.checks import LESSON02

RADON = ht.load("radon")
FIT = ht.fit_varying_intercepts(RADON, "log_radon", "county", x="floor")
FIT_U = ht.fit_varying_intercepts(RADON, "log_radon", "county", x=["floor", "log_uranium"])
EIGHT = ["LAC QUI PARLE", "AITKIN", "KOOCHICHING", "DOUGLAS", "CLAY", "STEARNS", "RAMSEY",
         "ST LOUIS"]


def _lstsq_lines():
    """lm(log_radon ~ floor) and lm(log_radon ~ floor + factor(county) - 1), by hand."""
    y = RADON["log_radon"].to_numpy()
    floor = RADON["floor"].to_numpy(float)
    cp = np.linalg.lstsq(np.column_stack([np.ones_like(floor), floor]), y, rcond=None)[0]
    counties = sorted(RADON["county"].unique())
    dummies = (RADON["county"].to_numpy()[:, None] == np.array(counties)[None, :]).astype(float)
    coef = np.linalg.lstsq(np.column_stack([floor, dummies]), y, rcond=None)[0]
    return cp, pd.Series(coef[1:], index=counties), coef[0]


# --- county panel ------------------------------------------------------------------------------

def test_county_panel_draws_three_lines_and_the_data_per_county():
    axes = ht.plot_county_panel(RADON, FIT, EIGHT, xlabel="floor",
                                ylabel="log radon, log(pCi/L)")
    assert len(axes) == 8
    (cp_a, cp_b), np_a, np_b = _lstsq_lines()
    coefs = FIT.group_coefs
    for ax, county in zip(axes, EIGHT):
        n = int((RADON["county"] == county).sum())
        assert ax.get_title() == f"{county} (n={n})"
        assert len(ax.lines) == 3
        artists = ax.hiertools_artists
        assert len(artists["points"].get_offsets()) == n
        # the points are the county's data, jittered sideways only
        np.testing.assert_allclose(np.sort(artists["points"].get_offsets()[:, 1]),
                                   np.sort(RADON.loc[RADON["county"] == county, "log_radon"]))
        x, cp = artists["complete pooling"].get_data()
        np.testing.assert_allclose(x, [0, 1])
        np.testing.assert_allclose(cp, cp_a + cp_b * np.array([0, 1]))
        np.testing.assert_allclose(artists["no pooling"].get_ydata(),
                                   np_a[county] + np_b * np.array([0, 1]), rtol=1e-8)
        np.testing.assert_allclose(artists["partial pooling"].get_ydata(),
                                   coefs.loc[county, "Intercept"]
                                   + coefs.loc[county, "floor"] * np.array([0, 1]))
        assert artists["complete pooling"].get_linestyle() == "--"
    assert axes[0].get_ylabel() == "log radon, log(pCi/L)" and axes[1].get_ylabel() == ""
    assert all(ax.get_xlabel() == "floor" for ax in axes[4:])
    assert [t.get_text() for t in axes[0].figure.legends[0].get_texts()] == [
        "one measurement", "complete pooling", "no pooling", "partial pooling"]


def test_county_panel_is_deterministic_and_holds_other_predictors_at_the_county_mean():
    a = ht.plot_county_panel(RADON, FIT_U, ["AITKIN"], ncols=1)
    b = ht.plot_county_panel(RADON, FIT_U, ["AITKIN"], ncols=1)
    np.testing.assert_array_equal(a[0].hiertools_artists["points"].get_offsets(),
                                  b[0].hiertools_artists["points"].get_offsets())
    u = RADON.loc[RADON["county"] == "AITKIN", "log_uranium"].iloc[0]
    fe, re = FIT_U.fixed_effects, FIT_U.random_effects.loc["AITKIN", "Intercept"]
    np.testing.assert_allclose(a[0].hiertools_artists["partial pooling"].get_ydata(),
                               fe["Intercept"] + re + fe["log_uranium"] * u
                               + fe["floor"] * np.array([0, 1]))


def test_county_panel_uses_given_axes_and_validates():
    fig, grid = plt.subplots(1, 2)
    axes = ht.plot_county_panel(RADON, FIT, ["AITKIN", "CLAY"], axes=grid)
    assert list(axes) == list(grid)
    with pytest.raises(TypeError, match="counties must be a list"):
        ht.plot_county_panel(RADON, FIT, "AITKIN")
    with pytest.raises(ValueError, match="not found in column 'county'"):
        ht.plot_county_panel(RADON, FIT, ["Aitkin"])
    with pytest.raises(ValueError, match="axes has 1 Axes"):
        ht.plot_county_panel(RADON, FIT, ["AITKIN", "CLAY"], axes=[grid[0]])
    with pytest.raises(TypeError, match="fit must be a fitted model"):
        ht.plot_county_panel(RADON, "fit", ["AITKIN"])
    with pytest.raises(ValueError, match="is not a column of data"):
        ht.plot_county_panel(RADON, FIT, ["AITKIN"], y="radon")


# --- caterpillar -------------------------------------------------------------------------------

def test_caterpillar_draws_sorted_intervals_of_the_right_width():
    ax = ht.plot_caterpillar(FIT, highlight=EIGHT, xlabel="county intercept, log(pCi/L)")
    artists = ax.hiertools_artists
    order = artists["order"]
    coef = FIT.group_coefs["Intercept"][order].to_numpy()
    sd = FIT.random_effects_sd["Intercept"][order].to_numpy()
    assert len(order) == 85 and np.all(np.diff(coef) >= 0)
    points = artists["points"].get_offsets()
    np.testing.assert_allclose(points[:, 0], coef)
    np.testing.assert_allclose(points[:, 1], np.arange(85))
    segments = artists["intervals"].get_segments()
    assert len(segments) == 85
    for seg, c, s in zip(segments, coef, sd):
        np.testing.assert_allclose(seg[:, 0], [c - 1.959964 * s, c + 1.959964 * s], rtol=1e-6)
    # marker area grows with n; the line is at the fixed intercept
    n = FIT.group_sizes[order].to_numpy()
    sizes = artists["points"].get_sizes()
    assert sizes[np.argmax(n)] > sizes[np.argmin(n)]
    assert artists["center"].get_xdata()[0] == pytest.approx(FIT.fixed_effects["Intercept"])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[order.index("LAC QUI PARLE")] == "LAC QUI PARLE (2)"
    assert ax.get_xlabel() == "county intercept, log(pCi/L)"
    assert ax.get_ylabel() == "county (sorted by estimate), n"
    bold = [t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"]
    assert len(bold) == 8


def test_caterpillar_level_and_validation():
    fig, ax = plt.subplots()
    assert ht.plot_caterpillar(FIT, ax=ax, level=0.5) is ax
    seg = ax.hiertools_artists["intervals"].get_segments()[0]
    sd = FIT.random_effects_sd["Intercept"][ax.hiertools_artists["order"][0]]
    assert seg[1, 0] - seg[0, 0] == pytest.approx(2 * 0.6744898 * sd, rel=1e-6)
    with pytest.raises(ValueError, match="level must be between 0 and 1"):
        ht.plot_caterpillar(FIT, level=95)
    with pytest.raises(ValueError, match="term='floor' does not vary"):
        ht.plot_caterpillar(FIT, term="floor")
    with pytest.raises(TypeError, match="fit must be a fitted model"):
        ht.plot_caterpillar(RADON)
    with pytest.raises(ValueError, match="not groups of the fit"):
        ht.plot_caterpillar(FIT, highlight=["ATLANTIS"])


def test_lesson02_plots_never_call_show(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() called"))
    ht.plot_county_panel(RADON, FIT, EIGHT)
    ht.plot_caterpillar(FIT)


# --- checks ------------------------------------------------------------------------------------

def _icc(fit):
    tau, sigma = fit.group_sd["Intercept"], fit.sigma
    return tau**2 / (tau**2 + sigma**2)


def test_icc_check():
    tau, sigma = FIT_U.group_sd["Intercept"], FIT_U.sigma
    assert ht.check("02-icc", _icc(FIT_U))
    assert ht.check("02-icc", round(_icc(FIT_U), 3))
    assert "without log uranium" in ht.check("02-icc", _icc(FIT)).message
    assert "standard deviations" in ht.check("02-icc", tau / (tau + sigma)).message
    assert "within" in ht.check("02-icc", sigma**2 / (tau**2 + sigma**2)).message
    assert "percentage" in ht.check("02-icc", 100 * _icc(FIT_U)).message
    assert ht.check("02-icc", np.nan).status == "invalid"


def test_county_prediction_check():
    county = LESSON02["county_prediction"]
    pred = FIT.predict(pd.DataFrame({"county": [county], "floor": [1]}))
    assert ht.check("02-county-prediction", pred)  # a one-element Series is accepted
    fe, re = FIT.fixed_effects, FIT.random_effects.loc[county, "Intercept"]
    assert ht.check("02-county-prediction", fe["Intercept"] + re + fe["floor"])
    assert "average (or new) county" in ht.check("02-county-prediction", fe.sum()).message
    assert "basement" in ht.check("02-county-prediction", fe["Intercept"] + re).message
    _, np_a, np_b = _lstsq_lines()
    assert "no-pooling" in ht.check("02-county-prediction", np_a[county] + np_b).message
    assert "pCi/L" in ht.check("02-county-prediction", np.exp(pred.iloc[0])).message


def test_new_county_interval_check():
    u = LESSON02["new_county_log_uranium"]
    fe = FIT_U.fixed_effects
    tau, sigma = FIT_U.group_sd["Intercept"], FIT_U.sigma
    center, sd = fe["Intercept"] + fe["log_uranium"] * u, np.sqrt(tau**2 + sigma**2)
    right = np.exp([center - 1.96 * sd, center + 1.96 * sd])
    assert ht.check("02-new-county-interval", tuple(right))
    assert ht.check("02-new-county-interval", pd.Series(right))
    assert "log scale" in ht.check("02-new-county-interval",
                                   [center - 1.96 * sd, center + 1.96 * sd]).message
    narrow = np.exp([center - 1.96 * sigma, center + 1.96 * sigma])
    assert "tau²" in ht.check("02-new-county-interval", narrow).message
    wide = np.exp([center - 1.96 * (tau + sigma), center + 1.96 * (tau + sigma)])
    assert "added the SDs" in ht.check("02-new-county-interval", wide).message
    assert ht.check("02-new-county-interval", right[::-1]).status == "invalid"
    assert ht.check("02-new-county-interval", [1.0, 2.0, 3.0]).status == "invalid"


def test_moved_most_check():
    _, np_a, _ = _lstsq_lines()
    moved = (np_a - FIT.group_coefs["Intercept"]).abs()
    top = moved.nlargest(5)
    assert ht.check("02-moved-most", top)  # a Series indexed by county works
    assert ht.check("02-moved-most", list(top.index))
    assert ht.check("02-moved-most", RADON[RADON["county"].isin(top.index)]
                    .drop_duplicates("county"))
    farthest = FIT.random_effects["Intercept"].abs().nlargest(5).index
    assert "*moved*" in ht.check("02-moved-most", list(farthest)).message
    assert ht.check("02-moved-most", list(top.index[:4]) + ["LAKE"]).message.startswith("4 of")
    assert ht.check("02-moved-most", ["Lake"] * 5).status == "invalid"


def test_lesson02_feedback_never_reveals_the_expected_value():
    county = LESSON02["county_prediction"]
    pred = float(FIT.predict(pd.DataFrame({"county": [county], "floor": [1]})).iloc[0])
    secrets = [f"{_icc(FIT_U):.3f}", f"{_icc(FIT_U):.2f}", f"{pred:.2f}"]
    for exercise, answer in [("02-icc", 0.5), ("02-icc", _icc(FIT)),
                             ("02-county-prediction", 1.0),
                             ("02-new-county-interval", (1.0, 2.0)),
                             ("02-moved-most", ["LAKE"] * 5)]:
        feedback = ht.check(exercise, answer)
        text = repr(feedback) + feedback._repr_html_()
        assert not any(secret in text for secret in secrets), (exercise, text)
