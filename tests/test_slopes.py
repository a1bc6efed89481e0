"""Shrinkage of intercepts and slopes for a given Σ and σ (hiertools.slopes).

Expected values come from a dense implementation of the same model written here from its
definition -- the marginal covariance V_j = Z_j Σ Z_j' + σ² I built row by row, generalized
least squares with V_j⁻¹, and the BLUP b_j = Σ Z_j' V_j⁻¹ (y_j − X_j β̂) (Henderson; Searle,
Casella & McCulloch 1992, ch. 7) -- and from numpy.polyfit for the least-squares lines.
"""

import numpy as np
import pandas as pd
import pytest

import hiertools as ht

SLEEP = ht.load("sleepstudy")
FIT = ht.fit_varying_slopes(SLEEP, "reaction", "days", "subject")


def dense_blup(data, y, x, group, cov, sigma):
    """(fixed effects, DataFrame of per-group coefficients), by dense matrices per group."""
    cov = np.asarray(cov, float)
    blocks = []
    for label, rows in data.groupby(group, sort=True):
        z = np.column_stack([np.ones(len(rows)), rows[x].to_numpy(float)])
        v = z @ cov @ z.T + sigma**2 * np.eye(len(rows))
        blocks.append((label, z, rows[y].to_numpy(float), np.linalg.inv(v)))
    lhs = sum(z.T @ vi @ z for _, z, _, vi in blocks)
    rhs = sum(z.T @ vi @ yy for _, z, yy, vi in blocks)
    beta = np.linalg.solve(lhs, rhs)
    coefs = {label: beta + cov @ z.T @ vi @ (yy - z @ beta) for label, z, yy, vi in blocks}
    return beta, pd.DataFrame(coefs, index=["Intercept", x]).T


def polyfit_lines(data, y, x, group):
    """Each group's own least-squares (intercept, slope) by numpy.polyfit."""
    out = {}
    for label, rows in data.groupby(group, sort=True):
        slope, intercept = np.polyfit(rows[x], rows[y], 1)
        out[label] = (intercept, slope)
    return pd.DataFrame(out, index=["Intercept", x]).T


def unbalanced(seed=4):
    """Groups of 2 to 15 rows at their own x values (one group with a single row)."""
    rng = np.random.default_rng(seed)
    sizes = [1, 2, 3, 5, 8, 15, 4, 6]
    rows = []
    for j, n in enumerate(sizes):
        xs = rng.uniform(-2, 6, n)
        a, b = rng.multivariate_normal([5.0, 1.0], [[4.0, -0.6], [-0.6, 0.5]])
        rows.append(pd.DataFrame({"g": f"g{j}", "x": xs, "y": a + b * xs + rng.normal(0, 1.5, n)}))
    return pd.concat(rows, ignore_index=True)


def _fitted_args(fit):
    sa, sb = fit.group_sd
    return dict(sd_intercept=sa, sd_slope=sb, rho=fit.group_corr, sigma=fit.sigma)


def test_at_the_fitted_values_it_reproduces_the_fit():
    result = ht.shrink_slopes(SLEEP, "reaction", "days", "subject", **_fitted_args(FIT))
    np.testing.assert_allclose(result.fixed_effects, FIT.fixed_effects, rtol=1e-10)
    np.testing.assert_allclose(result.group_coefs, FIT.group_coefs, rtol=1e-10, atol=1e-8)
    np.testing.assert_allclose(result.group_coefs - FIT.fixed_effects.to_numpy(),
                               FIT.random_effects, atol=1e-8)
    assert list(result.group_coefs.index) == list(FIT.group_coefs.index)
    assert list(result.group_coefs.columns) == ["Intercept", "days"]


@pytest.mark.parametrize("method", ["REML", "ML"])
def test_reproduces_an_unbalanced_fit(method):
    data = unbalanced()
    fit = ht.fit_varying_slopes(data, "y", "x", "g", method=method)
    result = ht.shrink_slopes(data, "y", "x", "g", **_fitted_args(fit))
    np.testing.assert_allclose(result.fixed_effects, fit.fixed_effects, rtol=1e-8)
    np.testing.assert_allclose(result.group_coefs, fit.group_coefs, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("sa, sb, rho, sigma", [(20.0, 4.0, -0.7, 30.0), (5.0, 9.0, 0.9, 10.0),
                                                (30.0, 0.0, 0.0, 25.0), (10.0, 3.0, 1.0, 20.0)])
def test_matches_a_dense_computation_for_any_sigma(sa, sb, rho, sigma):
    cov = np.array([[sa**2, rho * sa * sb], [rho * sa * sb, sb**2]])
    for data, names in [(SLEEP, ("reaction", "days", "subject")), (unbalanced(), ("y", "x", "g"))]:
        scale = 1.0 if data is SLEEP else 0.1
        beta, coefs = dense_blup(data, *names, cov * scale**2, sigma * scale)
        result = ht.shrink_slopes(data, *names, sd_intercept=sa * scale, sd_slope=sb * scale,
                                  rho=rho, sigma=sigma * scale)
        np.testing.assert_allclose(result.fixed_effects, beta, rtol=1e-9)
        np.testing.assert_allclose(result.group_coefs, coefs, rtol=1e-9, atol=1e-9)


def test_shrinkage_matrix_is_sigma_over_sigma_plus_noise():
    sa, sb, rho, sigma = 20.0, 5.0, 0.3, 25.0
    result = ht.shrink_slopes(SLEEP, "reaction", "days", "subject", sd_intercept=sa,
                              sd_slope=sb, rho=rho, sigma=sigma)
    cov = ht.slopes_cov(sa, sb, rho)
    z = np.column_stack([np.ones(10), np.arange(10.0)])
    expected = cov @ np.linalg.inv(cov + sigma**2 * np.linalg.inv(z.T @ z))
    for s in result.shrinkage:
        np.testing.assert_allclose(s, expected, rtol=1e-10)
    own = polyfit_lines(SLEEP, "reaction", "days", "subject")
    np.testing.assert_allclose(result.own_lines, own, rtol=1e-9)
    beta = result.fixed_effects.to_numpy()
    np.testing.assert_allclose(result.group_coefs, beta + (own.to_numpy() - beta) @ expected.T,
                               rtol=1e-9)


def test_limits_complete_pooling_no_pooling_and_a_correlation_of_one():
    args = ("reaction", "days", "subject")
    complete = ht.shrink_slopes(SLEEP, *args, sd_intercept=0, sd_slope=0, rho=0, sigma=25.0)
    slope, intercept = np.polyfit(SLEEP["days"], SLEEP["reaction"], 1)
    np.testing.assert_allclose(complete.group_coefs, np.tile([intercept, slope], (18, 1)),
                               rtol=1e-10)
    nothing = ht.shrink_slopes(SLEEP, *args, sd_intercept=50, sd_slope=10, rho=0, sigma=1e-4)
    np.testing.assert_allclose(nothing.group_coefs, polyfit_lines(SLEEP, *args), rtol=1e-6)
    # rho = +1: every deviation from the centre lies along (sd_intercept, sd_slope)
    line = ht.shrink_slopes(SLEEP, *args, sd_intercept=20, sd_slope=5, rho=1.0, sigma=25.0)
    deviation = line.group_coefs.to_numpy() - line.fixed_effects.to_numpy()
    np.testing.assert_allclose(deviation[:, 0] * 5 - deviation[:, 1] * 20, 0, atol=1e-8)


def test_own_lines_are_nan_where_x_does_not_vary_and_results_are_copies():
    data = pd.DataFrame({"g": ["a", "a", "b", "b", "b", "c"], "x": [1.0, 1.0, 0.0, 1.0, 2.0, 3.0],
                         "y": [1.0, 2.0, 0.5, 1.5, 3.0, 2.0]})
    before = data.copy()
    result = ht.shrink_slopes(data, "y", "x", "g", sd_intercept=1, sd_slope=0.5, rho=0,
                              sigma=1)
    pd.testing.assert_frame_equal(data, before)  # input not mutated
    own = result.own_lines
    assert own.loc["a"].isna().all() and own.loc["c"].isna().all()
    np.testing.assert_allclose(own.loc["b"], np.polyfit([0, 1, 2], [0.5, 1.5, 3.0], 1)[::-1])
    beta, coefs = dense_blup(data, "y", "x", "g", ht.slopes_cov(1, 0.5, 0), 1.0)
    np.testing.assert_allclose(result.group_coefs, coefs, rtol=1e-10)
    coefs, shrinkage = result.group_coefs, result.shrinkage
    coefs.iloc[0, 0] = 99.0
    shrinkage[0, 0, 0] = 99.0
    assert result.group_coefs.iloc[0, 0] != 99.0 and result.shrinkage[0, 0, 0] != 99.0
    assert "3 groups" in repr(result) and "<table" in result._repr_html_()


def test_slopes_cov():
    np.testing.assert_allclose(ht.slopes_cov(3.0, 2.0, -0.5), [[9.0, -3.0], [-3.0, 4.0]])
    with pytest.raises(ValueError, match="rho must be <= 1"):
        ht.slopes_cov(1.0, 1.0, 1.5)
    with pytest.raises(ValueError, match="sd_slope must be >= 0"):
        ht.slopes_cov(1.0, -1.0, 0.0)
    with pytest.raises(TypeError, match="sd_intercept must be a number"):
        ht.slopes_cov("1", 1.0, 0.0)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"sigma": 0.0}, ValueError, "sigma must be > 0"),
    ({"sigma": float("nan")}, ValueError, "sigma must be a finite number"),
    ({"rho": -1.2}, ValueError, "rho must be >= -1"),
    ({"sd_intercept": -3.0}, ValueError, "sd_intercept must be >= 0"),
    ({"y": "speed"}, ValueError, "y='speed' is not a column"),
    ({"x": "subject_name"}, ValueError, "x='subject_name' is not a column"),
    ({"group": "patient"}, ValueError, "group='patient' is not a column"),
    ({"data": [1, 2, 3]}, TypeError, "data must be a pandas DataFrame"),
])
def test_bad_input_names_the_argument(kwargs, error, match):
    args = dict(data=SLEEP, y="reaction", x="days", group="subject", sd_intercept=20.0,
                sd_slope=5.0, rho=0.0, sigma=25.0)
    args.update(kwargs)
    with pytest.raises(error, match=match):
        ht.shrink_slopes(**args)


def test_a_predictor_that_never_varies_is_an_error():
    data = SLEEP.assign(constant=1.0)
    with pytest.raises(ValueError, match="x='constant' takes a single value"):
        ht.shrink_slopes(data, "reaction", "constant", "subject", sd_intercept=1, sd_slope=1,
                         rho=0, sigma=1)
