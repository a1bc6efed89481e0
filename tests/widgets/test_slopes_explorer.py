"""The varying-slopes explorer: starts at the fit, follows the formula, blits, validates.

Expected lines come from the dense GLS/BLUP computation in tests/test_slopes.py and from
numpy.polyfit, not from the explorer's own kernel.
"""

import numpy as np
import pandas as pd
import pytest

import hiertools as ht
from tests.test_slopes import dense_blup, polyfit_lines, unbalanced
from tests.widgets.test_explorers import _count_draws

SLEEP = ht.load("sleepstudy")
FIT = ht.fit_varying_slopes(SLEEP, "reaction", "days", "subject")
SLIDERS = ["ht-slider-sd-intercept", "ht-slider-sd-slope", "ht-slider-rho", "ht-slider-sigma"]


def _plane(explorer):
    return explorer.figure_view.figure.axes[0]


def _heads(explorer):
    return np.array(_plane(explorer).hiertools_artists["arrows"].get_segments())[:, 1]


def test_defaults_to_the_sleep_study_at_the_reml_fit():
    explorer = ht.slopes_explorer()
    sd_a, sd_b = FIT.group_sd
    starts = [sd_a, sd_b, FIT.group_corr, FIT.sigma]
    for css, start in zip(SLIDERS, starts):
        slider = explorer.control(css)
        assert slider.value == pytest.approx(start, abs=slider.step / 2), css
        assert slider.min <= slider.value <= slider.max
    # at the start the arrows are exactly the fit's: own lines -> group_coefs
    segments = np.array(_plane(explorer).hiertools_artists["arrows"].get_segments())
    np.testing.assert_allclose(segments[:, 0], polyfit_lines(SLEEP, "reaction", "days",
                                                             "subject"), rtol=1e-9)
    np.testing.assert_allclose(segments[:, 1], FIT.group_coefs.to_numpy(), rtol=1e-10)
    plane, lines = explorer.figure_view.figure.axes
    assert plane.get_xlabel() == "intercept: reaction time at day 0 (ms)"
    assert plane.get_ylabel() == "slope (ms per day)"
    assert lines.get_xlabel() == "day of the study" and lines.get_ylabel() == "reaction time (ms)"
    assert explorer.control("ht-dropdown-group").value == "335"
    text = explorer.control("ht-readout").value
    assert "subject 335" in text and "σ_α = 24.74" in text and "ρ = 0.066" in text
    assert "ht-figure" in explorer.figure_view.image._dom_classes
    assert repr(explorer) == "<Varying-slopes explorer: move the sliders to explore>"


def test_estimates_follow_the_formula_and_return_to_the_fit():
    explorer = ht.slopes_explorer()
    sd_a, sd_b, rho, sigma = (explorer.control(css) for css in SLIDERS)
    sd_a.value, sd_b.value, rho.value, sigma.value = 40.0, 3.0, -0.6, 35.0
    cov = ht.slopes_cov(40.0, 3.0, -0.6)
    beta, coefs = dense_blup(SLEEP, "reaction", "days", "subject", cov, 35.0)
    np.testing.assert_allclose(_heads(explorer), coefs.to_numpy(), rtol=1e-9)
    ellipse = _plane(explorer).hiertools_artists["ellipses"][-1].get_xydata() - beta
    q = np.einsum("ij,jk,ik->i", ellipse, np.linalg.inv(cov), ellipse)
    np.testing.assert_allclose(q, -2 * np.log(0.05), rtol=1e-9)
    lines = explorer.figure_view.figure.axes[1]
    j = list(FIT.group_sizes.index).index(335)
    ys = lines.get_lines()[-1].get_ydata()  # the chosen subject's partially pooled line
    np.testing.assert_allclose(ys, coefs.iloc[j, 0] + coefs.iloc[j, 1] * np.array([0, 9]))
    assert "ρ = -0.600" in explorer.control("ht-readout").value
    # back to the start values: the slider shows rounded numbers, the model uses the fit's
    for slider in (sd_a, sd_b, rho, sigma):
        slider.value = slider.hiertools_start
    np.testing.assert_allclose(_heads(explorer), FIT.group_coefs.to_numpy(), rtol=1e-10)


def test_rho_of_one_and_an_sd_of_zero_are_allowed():
    explorer = ht.slopes_explorer()
    explorer.control("ht-slider-rho").value = 1.0
    heads = _heads(explorer)
    sd_a, sd_b = FIT.group_sd  # the SD sliders still sit at the start: the fit's exact values
    beta, coefs = dense_blup(SLEEP, "reaction", "days", "subject",
                             ht.slopes_cov(sd_a, sd_b, 1.0), FIT.sigma)
    np.testing.assert_allclose(heads, coefs.to_numpy(), rtol=1e-8)
    explorer.control("ht-slider-sd-slope").value = 0.0
    heads = _heads(explorer)
    np.testing.assert_allclose(heads[:, 1], heads[0, 1])  # one common slope


def test_choosing_a_subject_moves_the_right_panel():
    explorer = ht.slopes_explorer()
    explorer.control("ht-dropdown-group").value = "308"
    lines = explorer.figure_view.figure.axes[1]
    assert lines.get_title() == "subject 308"
    points = lines.collections[1].get_offsets()
    rows = SLEEP[SLEEP["subject"] == 308]
    np.testing.assert_allclose(points, rows[["days", "reaction"]].to_numpy())
    own = polyfit_lines(SLEEP, "reaction", "days", "subject").loc[308]
    np.testing.assert_allclose(lines.get_lines()[-2].get_ydata(),
                               own["Intercept"] + own["days"] * np.array([0, 9]), rtol=1e-9)
    assert "subject 308" in explorer.control("ht-readout").value


def test_steps_blit_without_a_full_redraw(monkeypatch):
    explorer = ht.slopes_explorer()
    plane = _plane(explorer)
    artists = dict(plane.hiertools_artists)
    counts = _count_draws(explorer, monkeypatch)
    steps = 0
    for css, value in zip(SLIDERS, [30.0, 4.0, -0.5, 20.0]):
        explorer.control(css).value = value
        steps += 1
    explorer.control("ht-dropdown-group").value = "309"
    steps += 1
    assert counts == {"draw": 0, "restore_region": steps}
    assert plane.hiertools_artists["arrows"] is artists["arrows"]
    for key in ("arrows", "heads", "mean"):
        assert artists[key].get_animated(), key
    assert all(line.get_animated() for line in artists["ellipses"])
    assert len(explorer.redraw_times_ms) == steps + 1


def test_accepts_learner_data_and_returns_the_container():
    data = unbalanced().loc[lambda t: t["g"] != "g0"]  # g0 has one row: no own line
    before = data.copy()
    explorer = ht.slopes_explorer(data, "y", "x", "g", xlabel="x (units)", ylabel="y (units)")
    pd.testing.assert_frame_equal(data, before)
    fit = ht.fit_varying_slopes(data, "y", "x", "g")
    np.testing.assert_allclose(_heads(explorer), fit.group_coefs.to_numpy(), rtol=1e-8)
    plane, lines = explorer.figure_view.figure.axes
    assert plane.get_xlabel() == "intercept: y at x = 0" and lines.get_ylabel() == "y (units)"
    assert explorer.control("ht-dropdown-group").options == tuple(f"g{k}" for k in range(1, 8))
    explorer = ht.slopes_explorer(data, "y", "x", "g", rho=-0.5, sd_slope=0.2, focus="g3")
    assert explorer.control("ht-slider-rho").value == -0.5
    assert explorer.control("ht-dropdown-group").value == "g3"


@pytest.mark.parametrize("args, kwargs, error, match", [
    ((SLEEP,), {}, ValueError, "also pass y=, x=, group="),
    ((), {"y": "reaction"}, ValueError, "y= was given without data="),
    ((SLEEP, "reaction", "days", "subject"), {"focus": "nobody"}, ValueError, "focus='nobody'"),
    ((SLEEP, "reaction", "days", "subject"), {"rho": 2.0}, ValueError, "rho must be <= 1"),
    ((SLEEP, "reaction", "days", "subject"), {"sigma": 0}, ValueError, "sigma must be > 0"),
    ((SLEEP, "reaction", "day", "subject"), {}, ValueError, "x='day' is not a column"),
    ((unbalanced(), "y", "x", "g"), {}, ValueError, r"group\(s\) \['g0'\] have fewer than two"),
    (("sleep", "reaction", "days", "subject"), {}, TypeError, "data must be a pandas DataFrame"),
])
def test_validation_names_the_argument(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        ht.slopes_explorer(*args, **kwargs)
