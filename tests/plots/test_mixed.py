"""Figures of a fitted mixed model: the group panel and the caterpillar plot.

They are tested on what they draw -- the lines' coordinates against an independent
least-squares computation, the intervals against the fit's conditional SDs, the labels.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import hiertools as ht

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

def test_group_panel_draws_three_lines_and_the_data_per_county():
    axes = ht.plot_group_panel(RADON, FIT, EIGHT, xlabel="floor",
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


def test_group_panel_is_deterministic_and_holds_other_predictors_at_the_county_mean():
    a = ht.plot_group_panel(RADON, FIT_U, ["AITKIN"], ncols=1)
    b = ht.plot_group_panel(RADON, FIT_U, ["AITKIN"], ncols=1)
    np.testing.assert_array_equal(a[0].hiertools_artists["points"].get_offsets(),
                                  b[0].hiertools_artists["points"].get_offsets())
    u = RADON.loc[RADON["county"] == "AITKIN", "log_uranium"].iloc[0]
    fe, re = FIT_U.fixed_effects, FIT_U.random_effects.loc["AITKIN", "Intercept"]
    np.testing.assert_allclose(a[0].hiertools_artists["partial pooling"].get_ydata(),
                               fe["Intercept"] + re + fe["log_uranium"] * u
                               + fe["floor"] * np.array([0, 1]))


def test_group_panel_uses_given_axes_and_validates():
    fig, grid = plt.subplots(1, 2)
    axes = ht.plot_group_panel(RADON, FIT, ["AITKIN", "CLAY"], axes=grid)
    assert list(axes) == list(grid)
    with pytest.raises(TypeError, match="groups must be a list"):
        ht.plot_group_panel(RADON, FIT, "AITKIN")
    with pytest.raises(ValueError, match="not found in column 'county'"):
        ht.plot_group_panel(RADON, FIT, ["Aitkin"])
    with pytest.raises(ValueError, match="axes has 1 Axes"):
        ht.plot_group_panel(RADON, FIT, ["AITKIN", "CLAY"], axes=[grid[0]])
    with pytest.raises(TypeError, match="fit must be a fitted model"):
        ht.plot_group_panel(RADON, "fit", ["AITKIN"])
    with pytest.raises(ValueError, match="is not a column of data"):
        ht.plot_group_panel(RADON, FIT, ["AITKIN"], y="radon")


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
    ht.plot_group_panel(RADON, FIT, EIGHT)
    ht.plot_caterpillar(FIT)


# --- group-level predictor (Gelman & Hill fig. 12.6) -------------------------------------------

def test_group_predictor_draws_the_uranium_models_intercepts_on_its_line():
    ax = ht.plot_group_predictor(FIT_U, RADON, "log_uranium", before=FIT,
                                 xlabel="soil uranium, log(ppm)",
                                 ylabel="county intercept, log(pCi/L)")
    artists = ax.hiertools_artists
    counties = list(FIT_U.group_sizes.index)
    u = RADON.groupby("county")["log_uranium"].first()[counties].to_numpy()
    # each county's basement prediction in the uranium model, through fit.predict
    basement = pd.DataFrame({"county": counties, "floor": 0.0, "log_uranium": u})
    alpha = FIT_U.predict(basement).to_numpy()
    points = artists["points"].get_offsets()
    np.testing.assert_allclose(points[:, 0], u)
    np.testing.assert_allclose(points[:, 1], alpha, rtol=1e-10)
    sd = FIT_U.random_effects_sd["Intercept"][counties].to_numpy()
    for seg, x, a, s in zip(artists["bars"].get_segments(), u, alpha, sd):
        np.testing.assert_allclose(seg, [[x, a - s], [x, a + s]], rtol=1e-10)
    fe = FIT_U.fixed_effects
    x, y = artists["line"].get_data()
    np.testing.assert_allclose(x, [u.min(), u.max()])
    np.testing.assert_allclose(y, fe["Intercept"] + fe["log_uranium"] * np.array(x))
    # arrows from the floor-only intercepts to these, a hair to the left of the bars
    start = FIT.predict(basement.drop(columns="log_uranium")).to_numpy()
    assert len(artists["arrows"]) == 85
    for arrow, s, a, ux in zip(artists["arrows"], start, alpha, u):
        (x0, y0), (x1, y1) = arrow.xyann, arrow.xy
        assert x0 == x1 and 0 < ux - x0 < 0.02
        np.testing.assert_allclose([y0, y1], [s, a], rtol=1e-10)
    assert ax.get_xlabel() == "soil uranium, log(ppm)"
    assert ax.get_ylabel() == "county intercept, log(pCi/L)"
    ax.figure.canvas.draw()  # the legend is outside the data area
    assert ax.get_legend().get_window_extent().x0 >= ax.get_window_extent().x1


def test_group_predictor_without_bars_draws_the_arrows_alone_and_visibly():
    """bars=False: no ±1 SD bars; the arrows run at the dots' x, from the floor-only intercept
    to the uranium model's, over the line and the dots, darker than with bars."""
    with_bars = ht.plot_group_predictor(FIT_U, RADON, "log_uranium", before=FIT)
    ax = ht.plot_group_predictor(FIT_U, RADON, "log_uranium", before=FIT, bars=False)
    artists = ax.hiertools_artists
    assert "bars" not in artists and "bars" in with_bars.hiertools_artists
    assert not any(type(c).__name__ == "LineCollection" for c in ax.collections)
    counties = list(FIT_U.group_sizes.index)
    u = RADON.groupby("county")["log_uranium"].first()[counties].to_numpy()
    basement = pd.DataFrame({"county": counties, "floor": 0.0, "log_uranium": u})
    alpha, start = FIT_U.predict(basement).to_numpy(), FIT.predict(basement).to_numpy()
    np.testing.assert_allclose(artists["points"].get_offsets(), np.column_stack([u, alpha]),
                               rtol=1e-10)
    assert len(artists["arrows"]) == 85
    for arrow, s, a, ux in zip(artists["arrows"], start, alpha, u):
        (x0, y0), (x1, y1) = arrow.xyann, arrow.xy
        assert x0 == x1 == ux
        np.testing.assert_allclose([y0, y1], [s, a], rtol=1e-10)
    arrow, old = artists["arrows"][0], with_bars.hiertools_artists["arrows"][0]
    assert arrow.get_zorder() > max(artists["line"].get_zorder(), artists["points"].get_zorder())
    assert arrow.arrow_patch.get_mutation_scale() > old.arrow_patch.get_mutation_scale()
    dark = np.mean(arrow.arrow_patch.get_edgecolor()[:3])
    assert dark < np.mean(old.arrow_patch.get_edgecolor()[:3])
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "group intercept" and "± 1 SD" not in " ".join(labels)
    plt.close("all")


def test_group_predictor_validates():
    with pytest.raises(ValueError, match="is not a fixed effect"):
        ht.plot_group_predictor(FIT, RADON, "log_uranium")
    with pytest.raises(ValueError, match="varies within group"):
        ht.plot_group_predictor(FIT_U, RADON, "floor")
    with pytest.raises(ValueError, match="not a column"):
        ht.plot_group_predictor(FIT_U, RADON, "uranium")
    with pytest.raises(ValueError, match="grouping column"):
        ht.plot_group_predictor(FIT_U, RADON.rename(columns={"county": "c"}), "log_uranium")
    with pytest.raises(TypeError, match="before must be a fitted model"):
        ht.plot_group_predictor(FIT_U, RADON, "log_uranium", before=RADON)
    with pytest.raises(TypeError, match="fit must be a fitted model"):
        ht.plot_group_predictor(RADON, RADON, "log_uranium")


def test_group_panel_fits_once_not_per_panel(monkeypatch):
    """Eight panels: one fit.predict and one least-squares fit, not one per panel."""
    from hiertools._kernels import regression
    from hiertools.mixed import MixedModelResult

    calls = {"predict": 0, "lines": 0}
    predict, lines = MixedModelResult.predict, regression.regression_lines

    def counted_predict(self, newdata):
        calls["predict"] += 1
        return predict(self, newdata)

    def counted_lines(*args):
        calls["lines"] += 1
        return lines(*args)

    monkeypatch.setattr(MixedModelResult, "predict", counted_predict)
    monkeypatch.setattr(regression, "regression_lines", counted_lines)
    ht.plot_group_panel(RADON, FIT, EIGHT)
    assert calls == {"predict": 1, "lines": 1}
    plt.close("all")


def test_plot_county_panel_is_a_deprecated_alias_of_plot_group_panel():
    with pytest.warns(DeprecationWarning, match="plot_group_panel"):
        old = ht.plot_county_panel(RADON, FIT, ["AITKIN", "CLAY"], ncols=2)
    new = ht.plot_group_panel(RADON, FIT, ["AITKIN", "CLAY"], ncols=2)
    for a, b in zip(old, new):
        assert a.get_title() == b.get_title()
        for key in ("complete pooling", "no pooling", "partial pooling"):
            np.testing.assert_array_equal(a.hiertools_artists[key].get_xydata(),
                                          b.hiertools_artists[key].get_xydata())
        np.testing.assert_array_equal(a.hiertools_artists["points"].get_offsets(),
                                      b.hiertools_artists["points"].get_offsets())
    assert "plot_county_panel" not in ht.__all__ and "plot_group_panel" in ht.__all__
    plt.close("all")
