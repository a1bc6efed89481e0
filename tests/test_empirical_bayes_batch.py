"""Many maps at once: estimate_tau_batch, shrink_batch, james_stein_batch; and tau_loglik.

Expected values come from independent computations: closed forms for equal standard errors,
scipy's multivariate normal density (maximized over mu numerically, integrated over mu by
quadrature, or evaluated on mu-free contrasts), the one-map functions called in a loop, and
the noncentral chi-square distribution for James-Stein's risk.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, stats

import hiertools as ht

METHODS = ["REML", "ML", "moments", "rough"]


def random_maps(seed, n_maps, n_groups, tau):
    """Maps with unequal known standard errors, many of them near or at tau_hat = 0."""
    rng = np.random.default_rng(seed)
    se = rng.uniform(0.3, 2.0, size=(n_maps, n_groups))
    y = rng.normal(1.0, tau, size=(n_maps, n_groups)) + rng.normal(0.0, se)
    return y, se


# --- the criterion, computed independently --------------------------------------------------------

def dense_ml(tau, y, se):
    """max over mu of scipy's multivariate normal log density, mu found numerically."""
    cov = np.diag(tau**2 + se**2)

    def negative(mu):
        return -stats.multivariate_normal(mean=np.full(y.size, mu), cov=cov).logpdf(y)

    res = optimize.minimize_scalar(negative, bracket=(y.min(), y.max()),
                                   options={"xtol": 1e-12})
    return -res.fun


def gls_ml(tau, y, se):
    """scipy's normal log density at mu = the precision-weighted mean (the textbook maximizer)."""
    sd = np.sqrt(tau**2 + se**2)
    return stats.norm.logpdf(y, loc=np.average(y, weights=sd**-2), scale=sd).sum()


def dense_reml(tau, y, se):
    """log of the multivariate normal density integrated over mu (flat prior), by quadrature."""
    cov = np.diag(tau**2 + se**2)
    center = np.average(y, weights=1 / (tau**2 + se**2))
    scale = 1 / np.sqrt(np.sum(1 / (tau**2 + se**2)))
    peak = stats.multivariate_normal(mean=np.full(y.size, center), cov=cov).logpdf(y)

    def density(mu):  # relative to the peak, so quad integrates numbers of order one
        return np.exp(stats.multivariate_normal(mean=np.full(y.size, mu), cov=cov).logpdf(y)
                      - peak)

    value, _ = integrate.quad(density, center - 40 * scale, center + 40 * scale,
                              epsabs=0, epsrel=1e-12, limit=200)
    return peak + np.log(value)


def contrast_reml(tau, y, se):
    """Log density of the mu-free contrasts y_j - y_{j+1}: REML up to a constant in tau."""
    k = np.eye(y.size)[:-1] - np.eye(y.size)[1:]
    cov = k @ np.diag(tau**2 + se**2) @ k.T
    return stats.multivariate_normal(mean=np.zeros(y.size - 1), cov=cov).logpdf(k @ y)


# --- tau_loglik ----------------------------------------------------------------------------------

def test_tau_loglik_ml_is_the_normal_density_maximized_over_mu():
    y, se = random_maps(1, 1, 6, 1.0)
    for tau in (0.0, 0.4, 2.5):
        assert ht.tau_loglik(tau, y[0], se[0], method="ML") == pytest.approx(
            dense_ml(tau, y[0], se[0]), abs=1e-8)
        assert gls_ml(tau, y[0], se[0]) == pytest.approx(dense_ml(tau, y[0], se[0]), abs=1e-8)


def test_tau_loglik_reml_is_the_density_integrated_over_mu():
    schools = ht.load("eight_schools")
    y, se = schools["y"].to_numpy(float), schools["se"].to_numpy(float)
    for tau in (0.0, 3.0, 10.0, 40.0):
        assert ht.tau_loglik(tau, y, se, method="REML") == pytest.approx(
            dense_reml(tau, y, se), abs=1e-8)


def test_tau_loglik_reml_differences_match_the_density_of_contrasts():
    y, se = random_maps(2, 1, 7, 0.8)
    grid = np.array([0.0, 0.3, 1.0, 4.0])
    ours = ht.tau_loglik(grid, y[0], se[0], method="reml")
    contrasts = np.array([contrast_reml(t, y[0], se[0]) for t in grid])
    np.testing.assert_allclose(ours - ours[0], contrasts - contrasts[0], atol=1e-10)


def test_tau_loglik_keeps_the_shape_of_tau_and_a_series_index():
    schools = ht.load("eight_schools")
    grid = np.linspace(0, 20, 12).reshape(3, 4)
    out = ht.tau_loglik(grid, schools["y"], schools["se"])
    assert out.shape == (3, 4)
    assert isinstance(ht.tau_loglik(5.0, schools["y"], schools["se"]), float)
    series = pd.Series([0.0, 5.0], index=["zero", "five"])
    got = ht.tau_loglik(series, schools["y"], schools["se"], method="ML")
    assert list(got.index) == ["zero", "five"]
    assert got["five"] == ht.tau_loglik(5.0, schools["y"], schools["se"], method="ML")
    np.testing.assert_array_equal(series, [0.0, 5.0])  # input untouched


def test_tau_loglik_peaks_where_estimate_tau_says():
    y, se = random_maps(3, 1, 20, 1.5)
    for method in ("REML", "ML"):
        tau_hat = ht.estimate_tau(y[0], se[0], method=method)
        grid = tau_hat + np.linspace(-0.05, 0.05, 101)
        values = ht.tau_loglik(grid, y[0], se[0], method=method)
        assert abs(grid[np.argmax(values)] - tau_hat) <= 0.001


def test_tau_loglik_rejects_bad_input():
    with pytest.raises(ValueError, match="tau must be finite and >= 0"):
        ht.tau_loglik(-1.0, [1.0, 2.0], 1.0)
    with pytest.raises(ValueError, match="tau must be finite"):
        ht.tau_loglik([0.0, np.nan], [1.0, 2.0], 1.0)
    with pytest.raises(TypeError, match="tau must be a number"):
        ht.tau_loglik("big", [1.0, 2.0], 1.0)
    with pytest.raises(ValueError, match="method='moments' is not supported"):
        ht.tau_loglik(1.0, [1.0, 2.0], 1.0, method="moments")
    with pytest.raises(ValueError, match="Lengths differ"):
        ht.tau_loglik(1.0, [1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="se must be > 0"):
        ht.tau_loglik(1.0, [1.0, 2.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="y has 1 value"):
        ht.tau_loglik(1.0, [1.0], 1.0)


# --- estimate_tau_batch --------------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_batch_agrees_with_estimate_tau_map_by_map(method):
    for seed, n_groups, tau in [(10, 2, 1.0), (11, 4, 0.3), (12, 12, 0.5), (13, 40, 0.2),
                                (14, 12, 2.0)]:
        y, se = random_maps(seed, 80, n_groups, tau)
        batch = ht.estimate_tau_batch(y, se, method=method)
        one_by_one = np.array([ht.estimate_tau(y[r], se[r], method=method)
                               for r in range(len(y))])
        np.testing.assert_allclose(batch, one_by_one, rtol=0, atol=1e-6)
        assert (batch >= 0).all()


@pytest.mark.parametrize("method, ddof", [("REML", 1), ("ML", 0)])
def test_batch_equal_standard_errors_have_closed_forms_and_exact_zeros(method, ddof):
    # with equal se, REML gives max(0, var(y, ddof=1) - se^2) and ML max(0, var(y, ddof=0) - se^2)
    rng = np.random.default_rng(20)
    y = rng.normal(0.0, 1.3, size=(3000, 7))
    expected = np.sqrt(np.maximum(0.0, y.var(axis=1, ddof=ddof) - 1.0))
    got = ht.estimate_tau_batch(y, 1.0, method=method)
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)
    assert (expected == 0).mean() > 0.2  # the boundary is well represented ...
    np.testing.assert_array_equal(got == 0, expected == 0)  # ... and hit exactly


@pytest.mark.parametrize("method", ["REML", "ML"])
def test_batch_estimate_is_the_global_maximum_of_the_dense_criterion(method):
    y, se = random_maps(30, 8, 6, 0.6)
    tau_hat = ht.estimate_tau_batch(y, se, method=method)
    assert 0 < (tau_hat == 0).sum() < len(y)  # both kinds of map are tested
    criterion = gls_ml if method == "ML" else contrast_reml
    grid = np.concatenate([np.linspace(0, 0.05, 26), np.linspace(0.05, 10, 200)])
    for r in range(len(y)):
        at_hat = criterion(tau_hat[r], y[r], se[r])
        best_on_grid = max(criterion(t, y[r], se[r]) for t in grid)
        assert at_hat >= best_on_grid - 1e-9
        if tau_hat[r] == 0:  # a boundary maximum: the criterion falls as tau leaves 0
            assert criterion(1e-3, y[r], se[r]) < at_hat


def test_batch_se_can_be_one_number_one_per_group_or_one_per_cell():
    y, _ = random_maps(40, 50, 5, 1.0)
    per_group = np.array([0.5, 1.0, 1.5, 2.0, 2.5])
    a = ht.estimate_tau_batch(y, per_group)
    b = ht.estimate_tau_batch(y, np.tile(per_group, (50, 1)))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ht.estimate_tau_batch(y, 1.0),
                                  ht.estimate_tau_batch(y, np.ones(5)))


def test_batch_keeps_a_dataframe_index_and_leaves_input_alone():
    y, se = random_maps(41, 4, 6, 1.0)
    frame = pd.DataFrame(y, index=["a", "b", "c", "d"])
    copy = frame.copy()
    got = ht.estimate_tau_batch(frame, se, method="reml")
    assert isinstance(got, pd.Series) and list(got.index) == ["a", "b", "c", "d"]
    pd.testing.assert_frame_equal(frame, copy)
    np.testing.assert_allclose(got.to_numpy(), ht.estimate_tau_batch(y, se))


def test_batch_rejects_bad_input_naming_the_argument():
    y = np.ones((3, 4))
    with pytest.raises(ValueError, match="y must be 2-D"):
        ht.estimate_tau_batch(np.ones(4), 1.0)
    with pytest.raises(ValueError, match="at least 1 map and 2 groups"):
        ht.estimate_tau_batch(np.ones((3, 1)), 1.0)
    with pytest.raises(ValueError, match="y contains NaN"):
        ht.estimate_tau_batch(np.array([[1.0, np.nan]]), 1.0)
    with pytest.raises(TypeError, match="y must be a 2-D array"):
        ht.estimate_tau_batch("maps", 1.0)
    with pytest.raises(ValueError, match="se has shape"):
        ht.estimate_tau_batch(y, np.ones(3))
    with pytest.raises(ValueError, match="se must be finite and > 0"):
        ht.estimate_tau_batch(y, 0.0)
    with pytest.raises(TypeError, match="se must be a number"):
        ht.estimate_tau_batch(y, True)
    with pytest.raises(ValueError, match="method='Bayes' is not supported"):
        ht.estimate_tau_batch(y, 1.0, method="Bayes")


# --- shrink_batch --------------------------------------------------------------------------------

def test_shrink_batch_agrees_with_shrink_row_by_row():
    y, se = random_maps(50, 30, 9, 1.0)
    tau = ht.estimate_tau_batch(y, se, method="REML")
    got = ht.shrink_batch(y, se, tau)
    for r in range(len(y)):
        np.testing.assert_allclose(got[r], ht.shrink(y[r], 1, tau=tau[r], sigma=se[r]),
                                   rtol=0, atol=1e-12)


def test_shrink_batch_limits_and_a_hand_computation():
    y = np.array([[0.0, 10.0], [2.0, 6.0]])
    # tau = 0: the precision-weighted mean; precisions 1 and 1/4 -> (0 * 1 + 10 / 4) / 1.25 = 2
    np.testing.assert_allclose(ht.shrink_batch(y[:1], [1.0, 2.0], 0.0), [[2.0, 2.0]])
    # tau = inf: nothing moves
    np.testing.assert_array_equal(ht.shrink_batch(y, 1.0, np.inf), y)
    # tau = 1, se = 1: weight 1/2 toward the mean of the row
    np.testing.assert_allclose(ht.shrink_batch(y, 1.0, [1.0, 1.0]), [[2.5, 7.5], [3.0, 5.0]])


def test_shrink_batch_rejects_bad_tau():
    y = np.ones((3, 4))
    with pytest.raises(ValueError, match="tau has shape"):
        ht.shrink_batch(y, 1.0, [1.0, 2.0])
    with pytest.raises(ValueError, match="tau must be >= 0"):
        ht.shrink_batch(y, 1.0, -1.0)
    with pytest.raises(TypeError, match="tau must be a number"):
        ht.shrink_batch(y, 1.0, "REML")


# --- james_stein_batch ---------------------------------------------------------------------------

def test_james_stein_batch_agrees_with_james_stein_on_every_row():
    rng = np.random.default_rng(60)
    y = rng.normal(0, 1.5, size=(5, 20, 6))  # two leading axes of replicates
    toward_mean = ht.james_stein_batch(y, 1.0)
    toward_zero = ht.james_stein_batch(y, 1.0, target=0.0)
    assert toward_mean.shape == y.shape
    for i in range(5):
        for r in range(20):
            np.testing.assert_allclose(toward_mean[i, r], ht.james_stein(y[i, r], 1.0),
                                       rtol=0, atol=1e-12)
            np.testing.assert_allclose(toward_zero[i, r],
                                       ht.james_stein(y[i, r], 1.0, target=0.0),
                                       rtol=0, atol=1e-12)


def test_james_stein_batch_by_hand_and_positive_part():
    y = np.array([[1.0, 2.0, 3.0, 6.0]])
    # grand mean 3, sum of squares 14, factor 1 - (4 - 3) / 14
    np.testing.assert_allclose(ht.james_stein_batch(y, 1.0), 3 + (1 - 1 / 14) * (y - 3))
    # toward 0: factor 1 - (4 - 2) / 50
    np.testing.assert_allclose(ht.james_stein_batch(y, 1.0, target=0.0), (1 - 2 / 50) * y)
    # a huge sigma shrinks all the way to the mean, never past it
    np.testing.assert_allclose(ht.james_stein_batch(y, 100.0), 3.0)


def test_james_stein_batch_refuses_too_few_groups_with_a_reason():
    with pytest.raises(ValueError, match="J >= 4.*J - 3 is 0"):
        ht.james_stein_batch(np.ones((2, 3)), 1.0)
    with pytest.raises(ValueError, match="needs J >= 3"):
        ht.james_stein_batch(np.ones((2, 2)), 1.0, target=0.0)
    with pytest.raises(TypeError, match="sigma must be one number"):
        ht.james_stein_batch(np.ones((2, 5)), [1.0, 2.0])
    with pytest.raises(ValueError, match="sigma must be > 0"):
        ht.james_stein_batch(np.ones((2, 5)), 0.0)
    with pytest.raises(ValueError, match="target='median'"):
        ht.james_stein_batch(np.ones((2, 5)), 1.0, target="median")
    with pytest.raises(ValueError, match="NaN"):
        ht.james_stein_batch(np.array([[1.0, np.nan, 2.0, 3.0]]), 1.0)


def test_james_stein_batch_keeps_a_dataframe_and_leaves_input_alone():
    frame = pd.DataFrame(np.arange(12.0).reshape(2, 6), index=["x", "y"], columns=list("abcdef"))
    copy = frame.copy()
    got = ht.james_stein_batch(frame, 2.0)
    assert list(got.index) == ["x", "y"] and list(got.columns) == list("abcdef")
    pd.testing.assert_frame_equal(frame, copy)


def _plain_js_risk(n_groups, distance):
    """Risk of James-Stein toward the mean without the positive part (sigma = 1):
    J - (J - 3)^2 E[1 / chi2'_{J-1}(distance)], the expectation by quadrature."""
    k = n_groups - 1
    inverse, _ = integrate.quad(lambda x: stats.ncx2.pdf(x, k, distance) / x, 0, np.inf,
                                limit=200)
    return n_groups - (n_groups - 3) ** 2 * inverse


def test_james_stein_batch_risk_matches_the_noncentral_chi_square_theory():
    rng = np.random.default_rng(61)
    n_groups, draws = 10, 100_000
    u = np.arange(n_groups) - (n_groups - 1) / 2
    u /= np.linalg.norm(u)
    for distance in (0.0, 40.0):
        theta = np.sqrt(distance) * u
        y = theta + rng.standard_normal((draws, n_groups))
        loss = ((ht.james_stein_batch(y, 1.0) - theta) ** 2).sum(axis=1)
        mcse = loss.std(ddof=1) / np.sqrt(draws)
        plain = _plain_js_risk(n_groups, distance)
        if distance == 0:  # plain James-Stein's risk is exactly 3 there; the positive part is lower
            assert plain == pytest.approx(3.0, abs=1e-6)
            assert loss.mean() < plain - 4 * mcse
        else:  # far from the mean the positive part almost never acts: the two risks agree
            assert abs(loss.mean() - plain) < 4 * mcse
        assert loss.mean() < n_groups  # and both beat the raw means' risk J
