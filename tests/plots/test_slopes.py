"""Varying-slopes figures, tested on what they draw.

The arrows' ends are compared with each subject's numpy.polyfit line and the fit's lines;
the ellipses are checked point by point against the quadratic form
(z − μ)' Σ⁻¹ (z − μ) = −2 log(1 − p) that defines the p-contour of N₂(μ, Σ).
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import hiertools as ht
from tests.test_slopes import polyfit_lines

SLEEP = ht.load("sleepstudy")
FIT = ht.fit_varying_slopes(SLEEP, "reaction", "days", "subject")
SD_A, SD_B = FIT.group_sd
SIGMA_HAT = np.array([[SD_A**2, FIT.group_corr * SD_A * SD_B],
                      [FIT.group_corr * SD_A * SD_B, SD_B**2]])
OWN = polyfit_lines(SLEEP, "reaction", "days", "subject")


def _quadratic_form(points, mean, cov):
    d = points - np.asarray(mean)
    return np.einsum("ij,jk,ik->i", d, np.linalg.inv(cov), d)


def test_arrows_run_from_each_own_line_to_its_pooled_line():
    ax = ht.plot_slopes_shrinkage(OWN, FIT.group_coefs, mean=FIT.fixed_effects, cov=SIGMA_HAT,
                                  xlabel="intercept (ms)", ylabel="slope (ms per day)")
    art = ax.hiertools_artists
    segments = np.array(art["arrows"].get_segments())
    assert segments.shape == (18, 2, 2)
    np.testing.assert_allclose(segments[:, 0], OWN.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(segments[:, 1], FIT.group_coefs.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(art["own"].get_offsets(), OWN.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(art["heads"].get_offsets(), FIT.group_coefs.to_numpy(),
                               rtol=1e-10)
    np.testing.assert_allclose(np.ravel(art["mean"].get_data()), FIT.fixed_effects)
    assert [t.get_text() for t in art["labels"]] == [str(s) for s in OWN.index]
    assert ax.get_xlabel() == "intercept (ms)" and ax.get_ylabel() == "slope (ms per day)"
    # the axes show every circle, dot and the outer ellipse
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    outer = art["ellipses"][-1].get_xydata()
    for points in (OWN.to_numpy(), FIT.group_coefs.to_numpy(), outer):
        assert (points[:, 0] >= x0).all() and (points[:, 0] <= x1).all()
        assert (points[:, 1] >= y0).all() and (points[:, 1] <= y1).all()


@pytest.mark.parametrize("levels", [(0.5, 0.95), (0.8,), 0.99])
def test_ellipses_are_the_contours_of_the_fitted_distribution(levels):
    ax = ht.plot_slopes_shrinkage(OWN, FIT.group_coefs, mean=FIT.fixed_effects, cov=SIGMA_HAT,
                                  levels=levels)
    ellipses = ax.hiertools_artists["ellipses"]
    for line, level in zip(ellipses, sorted(np.atleast_1d(levels))):
        q = _quadratic_form(line.get_xydata(), FIT.fixed_effects, SIGMA_HAT)
        np.testing.assert_allclose(q, -2 * np.log(1 - level), rtol=1e-9)
        # and it goes all the way round: the points span every direction from the centre
        d = line.get_xydata() - FIT.fixed_effects.to_numpy()
        angles = np.arctan2(d[:, 1] / SD_B, d[:, 0] / SD_A)
        assert np.ptp(np.unwrap(angles)) == pytest.approx(2 * np.pi, rel=1e-6)


def test_noise_ellipse_and_a_singular_covariance():
    noise = np.array([[226.0, -35.7], [-35.7, 7.9]])
    ax = ht.plot_slopes_shrinkage(OWN, FIT.group_coefs, mean=FIT.fixed_effects, cov=SIGMA_HAT,
                                  noise_cov=noise, annotate=False)
    q = _quadratic_form(ax.hiertools_artists["noise"].get_xydata(), FIT.fixed_effects, noise)
    np.testing.assert_allclose(q, -2 * np.log(1 - 0.95), rtol=1e-9)
    assert ax.hiertools_artists["noise"].get_linestyle() == "--"
    assert "labels" not in ax.hiertools_artists
    # rho = -1: the ellipse collapses onto the segment mean +- r (sd_a, -sd_b)
    singular = ht.slopes_cov(10.0, 2.0, -1.0)
    ax = ht.plot_covariance_ellipse([0.0, 0.0], singular, levels=0.95)
    points = ax.lines[-1].get_xydata()
    np.testing.assert_allclose(points[:, 0] * 2.0 + points[:, 1] * 10.0, 0.0, atol=1e-9)
    r = np.sqrt(-2 * np.log(0.05))
    assert np.abs(points[:, 0]).max() == pytest.approx(10.0 * r, rel=1e-3)


def test_covariance_ellipse_alone_labels_only_the_outer_one():
    fig, ax = plt.subplots()
    out = ht.plot_covariance_ellipse([1.0, 2.0], [[4.0, 1.0], [1.0, 1.0]], ax=ax,
                                     levels=[0.95, 0.5], label="fitted")
    assert out is ax and len(ax.lines) == 2
    inner, outer = ax.lines
    assert inner.get_label().startswith("_") and outer.get_label() == "fitted"
    for line, level in ((inner, 0.5), (outer, 0.95)):
        q = _quadratic_form(line.get_xydata(), [1.0, 2.0], [[4.0, 1.0], [1.0, 1.0]])
        np.testing.assert_allclose(q, -2 * np.log(1 - level), rtol=1e-9)


def test_update_moves_every_artist_in_place():
    ax = ht.plot_slopes_shrinkage(OWN, FIT.group_coefs, mean=FIT.fixed_effects, cov=SIGMA_HAT)
    art = dict(ax.hiertools_artists)
    pooled = ht.shrink_slopes(SLEEP, "reaction", "days", "subject", sd_intercept=10,
                              sd_slope=2, rho=-0.5, sigma=30)
    cov = ht.slopes_cov(10, 2, -0.5)
    ht.plots.update_slopes_shrinkage(ax, OWN.to_numpy(), pooled.group_coefs.to_numpy(),
                                     pooled.fixed_effects.to_numpy(), cov)
    assert ax.hiertools_artists["arrows"] is art["arrows"]
    ends = np.array(art["arrows"].get_segments())[:, 1]
    np.testing.assert_allclose(ends, pooled.group_coefs.to_numpy())
    q = _quadratic_form(art["ellipses"][0].get_xydata(), pooled.fixed_effects, cov)
    np.testing.assert_allclose(q, -2 * np.log(0.5), rtol=1e-9)


def test_arrays_and_labels_work_too():
    own = np.array([[1.0, 2.0], [3.0, -1.0]])
    pooled = np.array([[1.5, 1.0], [2.5, 0.0]])
    ax = ht.plot_slopes_shrinkage(own, pooled, labels=["a", "b"], legend=False)
    assert [t.get_text() for t in ax.hiertools_artists["labels"]] == ["a", "b"]
    assert ax.get_legend() is None and "mean" not in ax.hiertools_artists
    ax = ht.plot_slopes_shrinkage(own, pooled)
    assert [t.get_text() for t in ax.hiertools_artists["labels"]] == ["1", "2"]


@pytest.mark.parametrize("kwargs, error, match", [
    ({"own": "lines"}, TypeError, "own must be a DataFrame with two columns"),
    ({"own": np.zeros((18, 3))}, ValueError, r"own must have shape \(groups, 2\)"),
    ({"pooled": np.zeros((17, 2))}, ValueError, "own has 18 groups but pooled has 17"),
    ({"pooled": np.full((18, 2), np.nan)}, ValueError, "pooled contains NaN"),
    ({"cov": [[1.0, 2.0], [0.0, 1.0]]}, ValueError, "cov must be symmetric"),
    ({"cov": [[1.0, 2.0], [2.0, 1.0]]}, ValueError, "cov is not a covariance matrix"),
    ({"cov": np.eye(3)}, ValueError, r"cov must be a 2 x 2 matrix"),
    ({"mean": [1.0, 2.0, 3.0]}, ValueError, "mean must be two numbers"),
    ({"mean": None}, ValueError, "cov needs mean="),
    ({"levels": (0.5, 1.0)}, ValueError, "levels must lie strictly between 0 and 1"),
    ({"labels": ["a"]}, ValueError, "labels has 1 entries"),
    ({"noise_cov": "N"}, TypeError, "noise_cov must be a 2 x 2 covariance matrix"),
])
def test_bad_input_names_the_argument(kwargs, error, match):
    args = dict(own=OWN, pooled=FIT.group_coefs, mean=FIT.fixed_effects, cov=SIGMA_HAT)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        ht.plot_slopes_shrinkage(**args)


def test_misaligned_frames_are_an_error():
    with pytest.raises(ValueError, match="different indexes"):
        ht.plot_slopes_shrinkage(OWN, FIT.group_coefs.iloc[::-1])


# --- the per-subject panel --------------------------------------------------------------------

def test_slopes_panel_draws_each_subjects_own_line_and_the_fits():
    axes = ht.plot_slopes_panel(SLEEP, FIT, xlabel="day", ylabel="reaction time (ms)")
    assert len(axes) == 18
    slope, intercept = np.polyfit(SLEEP["days"], SLEEP["reaction"], 1)
    for ax, subject in zip(axes, FIT.group_sizes.index):
        art = ax.hiertools_artists
        assert ax.get_title() == f"{subject} (n=10)"
        xs = np.asarray(art["no pooling"].get_xdata(), float)
        np.testing.assert_allclose(xs, [0, 9])
        np.testing.assert_allclose(art["no pooling"].get_ydata(),
                                   OWN.loc[subject, "Intercept"] + OWN.loc[subject, "days"] * xs,
                                   rtol=1e-9)
        coefs = FIT.group_coefs.loc[subject]
        np.testing.assert_allclose(art["partial pooling"].get_ydata(),
                                   coefs["Intercept"] + coefs["days"] * xs, rtol=1e-10)
        np.testing.assert_allclose(art["complete pooling"].get_ydata(), intercept + slope * xs,
                                   rtol=1e-10)
    assert axes[0].get_ylabel() == "reaction time (ms)" and axes[-1].get_xlabel() == "day"
    assert all(float(t).is_integer() for t in axes[0].get_xticks())


def test_slopes_panel_validates():
    intercepts_only = ht.fit_varying_intercepts(SLEEP, "reaction", "subject", x="days")
    with pytest.raises(ValueError, match="varying-slopes fit"):
        ht.plot_slopes_panel(SLEEP, intercepts_only)
    with pytest.raises(TypeError, match="fit must be a fitted model"):
        ht.plot_slopes_panel(SLEEP, "fit")
    with pytest.raises(ValueError, match="not found in column 'subject'"):
        ht.plot_slopes_panel(SLEEP, FIT, [999])
    with pytest.raises(ValueError, match="ncols must be a positive whole number"):
        ht.plot_slopes_panel(SLEEP, FIT, ncols=0)
    axes = ht.plot_slopes_panel(SLEEP, FIT, [308, 335], ncols=2, figsize=(6, 3))
    assert tuple(axes[0].figure.get_size_inches()) == (6, 3)
    assert isinstance(OWN, pd.DataFrame)
