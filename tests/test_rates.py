"""Rates from counts: each estimator against an independent computation.

Expected values come from scipy's own distributions (betabinom, nbinom, binom, beta, gamma),
brute-force grids and a different optimizer, closed forms written out here, numerical
integration, and scipy's chi-square test of a contingency table -- never from hiertools.
"""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, stats

import hiertools as ht

SURGICAL = ht.load("surgical").set_index("hospital")
R = SURGICAL["deaths"].to_numpy()
N = SURGICAL["operations"].to_numpy()


def _lip():
    lip = ht.load("lip_cancer").set_index("district")
    expected = lip["person_years"] * lip["cases"].sum() / lip["person_years"].sum()
    return lip["cases"], expected


# --- beta-binomial ------------------------------------------------------------------------------

def _betabinom_loglik(a, b):
    return stats.betabinom.logpmf(R, N, a, b).sum()


def test_beta_binomial_ml_maximizes_scipys_betabinom_likelihood():
    fit = ht.fit_beta_binomial(SURGICAL["deaths"], SURGICAL["operations"], method="ML")
    # a different optimizer on a different scale, from a different start
    res = optimize.minimize(lambda x: -_betabinom_loglik(*np.exp(x)), np.log([2.0, 30.0]),
                            method="Nelder-Mead",
                            options={"xatol": 1e-11, "fatol": 1e-13, "maxiter": 20_000})
    alpha, beta = np.exp(res.x)
    assert fit.alpha == pytest.approx(alpha, rel=1e-5)
    assert fit.beta == pytest.approx(beta, rel=1e-5)
    assert fit.loglik == pytest.approx(_betabinom_loglik(fit.alpha, fit.beta), abs=1e-9)
    # and a brute-force grid around it finds nothing higher
    a_grid = fit.alpha * np.linspace(0.8, 1.2, 81)
    b_grid = fit.beta * np.linspace(0.8, 1.2, 81)
    grid = stats.betabinom.logpmf(R[:, None, None], N[:, None, None], a_grid[None, :, None],
                                  b_grid[None, None, :]).sum(axis=0)
    assert grid.max() <= fit.loglik + 1e-9


def test_beta_binomial_moments_match_the_formula_by_hand():
    fit = ht.fit_beta_binomial(R, N, method="moments")
    # Pearson's X^2 of the 2 x J table from scipy, then rho-hat written out
    x2 = stats.chi2_contingency(np.array([R, N - R]), correction=False)[0]
    total, k = N.sum(), len(N)
    rho = (x2 - (k - 1)) / (total - (N**2).sum() / total - (k - 1))
    p = R.sum() / total
    assert fit.alpha == pytest.approx(p * (1 / rho - 1), rel=1e-12)
    assert fit.beta == pytest.approx((1 - p) * (1 / rho - 1), rel=1e-12)
    assert fit.prior_mean == pytest.approx(p, rel=1e-12)


def test_beta_binomial_posteriors_are_the_conjugate_betas():
    fit = ht.fit_beta_binomial(SURGICAL["deaths"], SURGICAL["operations"])
    a, b = fit.alpha, fit.beta
    hospital_a = fit.estimates.loc["A"]  # 0 deaths in 47 operations
    post = stats.beta(a + 0, b + 47)
    assert hospital_a["shrunk"] == pytest.approx(a / (a + b + 47), rel=1e-12)
    assert (hospital_a["lower"], hospital_a["upper"]) == pytest.approx(post.ppf([0.025, 0.975]))
    assert hospital_a["sd"] == pytest.approx(post.std())
    # the posterior mean is the shrinkage formula: w * raw + (1 - w) * prior mean
    est = fit.estimates
    w = est["n"] / (a + b + est["n"])
    assert np.allclose(est["shrunk"], w * est["raw"] + (1 - w) * a / (a + b), rtol=1e-12)
    assert np.allclose(est["weight"], w)
    assert fit.prior_sd == pytest.approx(stats.beta(a, b).std())
    interval = fit.interval(0.5)
    assert np.allclose(interval["upper"], stats.beta(a + R, b + N - R).ppf(0.75))


def test_beta_binomial_without_extra_variation_is_complete_pooling():
    n = np.array([100, 200, 300, 400])
    r = np.array([10, 20, 30, 40])  # identical proportions: X^2 = 0
    for method in ("ML", "moments"):
        fit = ht.fit_beta_binomial(r, n, method=method)
        assert fit.pooled and fit.alpha == np.inf and fit.prior_sd == 0
        assert np.allclose(fit.estimates["shrunk"], 0.1)
        assert (fit.estimates["weight"] == 0).all()
        assert fit.loglik == pytest.approx(stats.binom.logpmf(r, n, 0.1).sum())
        assert (fit.sample(10, seed=1).to_numpy() == 0.1).all()
        assert np.allclose(fit.interval().to_numpy(), 0.1)


def test_beta_binomial_keeps_the_index_and_does_not_mutate_inputs():
    deaths, operations = SURGICAL["deaths"].copy(), SURGICAL["operations"].copy()
    fit = ht.fit_beta_binomial(deaths, operations)
    assert list(fit.estimates.index) == list("ABCDEFGHIJKL")
    assert deaths.equals(SURGICAL["deaths"]) and operations.equals(SURGICAL["operations"])
    plain = ht.fit_beta_binomial(list(R), list(N), labels=list("abcdefghijkl"))
    assert list(plain.estimates.index) == list("abcdefghijkl")
    assert ht.fit_beta_binomial(R, N).estimates.index.equals(pd.RangeIndex(12))
    assert ht.fit_beta_binomial(R, N, method="ml").method == "ML"


def test_sample_draws_from_the_posteriors_and_is_seeded():
    fit = ht.fit_beta_binomial(SURGICAL["deaths"], SURGICAL["operations"])
    draws = fit.sample(20_000, seed=3)
    assert draws.shape == (20_000, 12) and list(draws.columns) == list("ABCDEFGHIJKL")
    assert draws.equals(fit.sample(20_000, seed=3))
    se = fit.estimates["sd"] / np.sqrt(20_000)
    assert (np.abs(draws.mean() - fit.estimates["shrunk"]) < 5 * se).all()


def test_summary_and_display():
    fit = ht.fit_beta_binomial(SURGICAL["deaths"], SURGICAL["operations"])
    assert "beta-binomial empirical Bayes (ML), 12 units" in fit.summary()
    assert "<table" in fit._repr_html_() and repr(fit) == fit.summary()
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.alpha = 1.0  # frozen


# --- gamma-Poisson ------------------------------------------------------------------------------

def test_gamma_poisson_ml_maximizes_scipys_negative_binomial_likelihood():
    y, e = _lip()
    fit = ht.fit_gamma_poisson(y, e, method="ML")

    def loglik(a, b):  # y ~ NegBin(size a, prob b / (b + E))
        return stats.nbinom.logpmf(y, a, b / (b + e)).sum()

    res = optimize.minimize(lambda x: -loglik(*np.exp(x)), np.log([3.0, 3.0]),
                            method="Nelder-Mead",
                            options={"xatol": 1e-11, "fatol": 1e-13, "maxiter": 20_000})
    assert fit.alpha == pytest.approx(np.exp(res.x[0]), rel=1e-5)
    assert fit.beta == pytest.approx(np.exp(res.x[1]), rel=1e-5)
    assert fit.loglik == pytest.approx(loglik(fit.alpha, fit.beta), abs=1e-9)


def test_gamma_poisson_moments_match_the_formula_by_hand():
    y, e = _lip()
    y, e = y.to_numpy(float), e.to_numpy()
    fit = ht.fit_gamma_poisson(y, e, method="moments")
    m = y.sum() / e.sum()
    s = sum((yi - m * ei) ** 2 / ei for yi, ei in zip(y, e))
    v = (s - m * (len(y) - 1)) / (e.sum() - (e**2).sum() / e.sum())
    assert fit.alpha == pytest.approx(m**2 / v, rel=1e-12)
    assert fit.beta == pytest.approx(m / v, rel=1e-12)


def test_gamma_poisson_posteriors_are_the_conjugate_gammas():
    y, e = _lip()
    fit = ht.fit_gamma_poisson(y, e)
    skye = fit.estimates.loc["Skye-Lochalsh"]
    post = stats.gamma(fit.alpha + 9, scale=1 / (fit.beta + e["Skye-Lochalsh"]))
    assert skye["shrunk"] == pytest.approx(post.mean(), rel=1e-12)
    assert (skye["lower"], skye["upper"]) == pytest.approx(post.ppf([0.025, 0.975]))
    w = e / (fit.beta + e)
    assert np.allclose(fit.estimates["shrunk"], w * y / e + (1 - w) * fit.alpha / fit.beta)


def test_gamma_poisson_without_extra_variation_is_complete_pooling():
    fit = ht.fit_gamma_poisson([4, 4, 4, 4], [4.0, 4.0, 4.0, 4.0], method="ML")
    assert fit.pooled and np.allclose(fit.estimates["shrunk"], 1.0)
    assert ht.fit_gamma_poisson([4, 4, 4, 4], [4.0, 4.0, 4.0, 4.0], method="moments").pooled


# --- funnel limits ------------------------------------------------------------------------------

def _limit_by_hand(n, theta, p):
    """Spiegelhalter (2005, A.1.1), from the binomial pmf written out with math.comb."""
    pmf = [math.comb(n, k) * theta**k * (1 - theta) ** (n - k) for k in range(n + 1)]
    cdf = np.cumsum(pmf)
    rp = int(np.argmax(cdf >= p))
    a = (cdf[rp] - p) / pmf[rp]
    return (rp - a) / n


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_funnel_limits_follow_spiegelhalters_interpolation(level):
    theta = R.sum() / N.sum()
    lower, upper = ht.funnel_limits(N, theta, level)
    for k, n in enumerate(N):
        assert lower[k] == pytest.approx(_limit_by_hand(int(n), theta, (1 - level) / 2),
                                         abs=1e-9)
        assert upper[k] == pytest.approx(_limit_by_hand(int(n), theta, (1 + level) / 2),
                                         abs=1e-9)


def test_funnel_limits_have_the_stated_tail_probability_between_neighbouring_counts():
    theta, tail = 0.074, 0.001
    for n in (20, 47, 148, 810, 5000):
        _, upper = ht.funnel_limits(n, theta, 0.998)
        # a unit is above the limit iff its count is >= ceil(n * upper); the probability of
        # that lies between the tail probabilities of the two counts around the limit
        r_above = math.ceil(n * upper)
        assert stats.binom.sf(r_above, n, theta) <= tail <= stats.binom.sf(r_above - 1, n, theta)
    # for large n the exact limits approach the normal approximation
    lower, upper = ht.funnel_limits(100_000, theta, 0.95)
    half = 1.959964 * math.sqrt(theta * (1 - theta) / 100_000)
    assert (lower, upper) == pytest.approx((theta - half, theta + half), abs=2e-5)


@pytest.mark.parametrize("level", [0.95, 0.998])
def test_overdispersed_limits_widen_the_exact_ones_by_root_phi_around_the_target(level):
    """Spiegelhalter (2005, 6.1): theta0 + sqrt(phi) (limit - theta0), from the limits by hand."""
    theta, phi = R.sum() / N.sum(), 3.2
    lower, upper = ht.funnel_limits(N, theta, level, phi=phi)
    for k, n in enumerate(N):
        for got, p in ((lower[k], (1 - level) / 2), (upper[k], (1 + level) / 2)):
            by_hand = theta + math.sqrt(phi) * (_limit_by_hand(int(n), theta, p) - theta)
            assert got == pytest.approx(by_hand, abs=1e-9)
    # phi = 1 is the binomial funnel; for large n, the normal limits widened by sqrt(phi)
    assert ht.funnel_limits(N, theta, level, phi=1.0)[1] == pytest.approx(
        ht.funnel_limits(N, theta, level)[1], abs=0)
    z = stats.norm.ppf((1 + level) / 2)
    _, far = ht.funnel_limits(100_000, theta, level, phi=phi)
    assert far == pytest.approx(theta + z * math.sqrt(phi * theta * (1 - theta) / 100_000),
                                abs=5e-5)


def test_funnel_limits_scalar_in_scalar_out():
    lower, upper = ht.funnel_limits(47, 0.074)
    assert isinstance(lower, float) and lower < 0 < upper  # even 0 deaths is not unusual


# --- overdispersion ----------------------------------------------------------------------------

def test_overdispersion_statistic_is_pearsons_chi_square():
    test = ht.overdispersion_test(SURGICAL["deaths"], SURGICAL["operations"])
    x2, p, dof, _ = stats.chi2_contingency(np.array([R, N - R]), correction=False)
    assert test.statistic == pytest.approx(x2, rel=1e-12)
    assert test.df == dof == 11 and test.p_value == pytest.approx(p, rel=1e-9)
    assert test.phi == pytest.approx(x2 / 12)
    assert list(test.z.index) == list("ABCDEFGHIJKL")
    given = ht.overdispersion_test(R, N, target=0.08)
    z = (R / N - 0.08) / np.sqrt(0.08 * 0.92 / N)
    assert given.df == 12 and given.statistic == pytest.approx((z**2).sum())


# --- ranks --------------------------------------------------------------------------------------

def test_probability_of_ranking_first_matches_numerical_integration():
    fit = ht.fit_beta_binomial(SURGICAL["deaths"], SURGICAL["operations"])
    est = fit.estimates
    dists = [stats.beta(a, b) for a, b in zip(est["posterior_a"], est["posterior_b"])]

    def p_max(i):  # P(theta_i is the largest) = integral of f_i(t) * prod_j F_j(t)
        def integrand(t):
            value = dists[i].pdf(t)
            for j, d in enumerate(dists):
                if j != i:
                    value *= d.cdf(t)
            return value
        return integrate.quad(integrand, 0, 1, limit=200, points=[0.05, 0.1, 0.15, 0.2])[0]

    exact = np.array([p_max(i) for i in range(12)])
    assert exact.sum() == pytest.approx(1.0, abs=1e-6)
    draws = 200_000
    ranks = ht.rank_summary(fit.sample(draws, seed=11))
    se = np.sqrt(exact * (1 - exact) / draws) + 1e-12
    assert (np.abs(ranks["p_first"].to_numpy() - exact) < 5 * se + 1e-6).all()


def test_rank_summary_by_hand():
    draws = np.array([[0.3, 0.2, 0.1], [0.1, 0.3, 0.2], [0.3, 0.1, 0.2], [0.3, 0.2, 0.1]])
    summary = ht.rank_summary(pd.DataFrame(draws, columns=["x", "y", "z"]), level=0.5)
    assert list(summary.index) == ["x", "y", "z"]
    assert summary["p_first"].tolist() == [0.75, 0.25, 0.0]
    assert summary["mean_rank"].tolist() == [1.5, 2.0, 2.5]
    low = ht.rank_summary(draws, highest_first=False)
    assert low["p_first"].tolist() == [0.25, 0.25, 0.5]


# --- bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize("call, error, match", [
    (lambda: ht.fit_beta_binomial([5, 60], [50, 50]), ValueError, "events cannot exceed n"),
    (lambda: ht.fit_beta_binomial([-1, 3], [50, 50]), ValueError, "events"),
    (lambda: ht.fit_beta_binomial([1.5, 3], [50, 50]), ValueError, "whole numbers"),
    (lambda: ht.fit_beta_binomial([1, 3, 4], [50, 50]), ValueError, "Lengths differ"),
    (lambda: ht.fit_beta_binomial([1, 3], [0, 50]), ValueError, "n must be >= 1"),
    (lambda: ht.fit_beta_binomial([1, np.nan], [50, 50]), ValueError, "events"),
    (lambda: ht.fit_beta_binomial([0, 0], [50, 50]), ValueError, "all 0"),
    (lambda: ht.fit_beta_binomial([3], [50]), ValueError, "at least 2"),
    (lambda: ht.fit_beta_binomial("deaths", [50]), TypeError, "events"),
    (lambda: ht.fit_beta_binomial([1, 3], [50, 50], method="REML"), ValueError, "method"),
    (lambda: ht.fit_beta_binomial([1, 3], [50, 50], labels=["a"]), ValueError, "labels"),
    (lambda: ht.fit_beta_binomial([1, 3], [50, 50], level=1.5), ValueError, "level"),
    (lambda: ht.fit_gamma_poisson([1, 3], [0.0, 2.0]), ValueError, "expected must be > 0"),
    (lambda: ht.fit_gamma_poisson([1, -3], [1.0, 2.0]), ValueError, "observed"),
    (lambda: ht.fit_gamma_poisson([1, 3], [1.0, 2.0, 3.0]), ValueError, "Lengths differ"),
    (lambda: ht.fit_gamma_poisson([0, 0], [1.0, 2.0]), ValueError, "all 0"),
    (lambda: ht.fit_gamma_poisson([1, 3], [1.0, 2.0], method="moment"), ValueError, "moments"),
    (lambda: ht.funnel_limits([10, 20], 1.2), ValueError, "target"),
    (lambda: ht.funnel_limits([10.5, 20], 0.1), ValueError, "whole numbers"),
    (lambda: ht.funnel_limits([0, 20], 0.1), ValueError, "n must be > 0"),
    (lambda: ht.funnel_limits([10, 20], 0.1, level=95), ValueError, "level"),
    (lambda: ht.funnel_limits([10, 20], 0.1, phi=0.5), ValueError, "phi"),
    (lambda: ht.funnel_limits([10, 20], 0.1, phi="3.2"), TypeError, "phi"),
    (lambda: ht.overdispersion_test([3, 60], [50, 50]), ValueError, "events cannot exceed n"),
    (lambda: ht.rank_summary([1.0, 2.0]), ValueError, "2-D"),
    (lambda: ht.rank_summary([[1.0, np.nan]]), ValueError, "NaN"),
    (lambda: ht.rank_summary([["a", "b"]]), TypeError, "draws"),
    (lambda: ht.rank_summary([[1.0, 2.0]], highest_first="yes"), TypeError, "highest_first"),
])
def test_bad_input_raises_a_clear_error_naming_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_sample_validates_its_arguments():
    fit = ht.fit_beta_binomial(R, N)
    with pytest.raises(TypeError, match="draws"):
        fit.sample(10.5)
    with pytest.raises(ValueError, match="draws"):
        fit.sample(0)
    with pytest.raises(ValueError, match="level"):
        fit.interval(0)


def test_gamma_poisson_ml_is_statsmodels_negative_binomial_regression():
    """The gamma-Poisson marginal is NB2 regression on an intercept, offset log E (R's glm.nb)."""
    import warnings

    import statsmodels.api as sm

    y, e = _lip()
    fit = ht.fit_gamma_poisson(y, e, method="ML")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        nb2 = sm.NegativeBinomial(y.to_numpy(), np.ones((len(y), 1)), offset=np.log(e.to_numpy()),
                                  loglike_method="nb2").fit(disp=0, method="bfgs", maxiter=1000,
                                                            gtol=1e-10)
    intercept, dispersion = nb2.params
    assert fit.prior_mean == pytest.approx(np.exp(intercept), rel=1e-5)
    assert fit.alpha == pytest.approx(1 / dispersion, rel=1e-5)  # gamma shape = NB size
    assert fit.loglik == pytest.approx(nb2.llf, abs=1e-6)


# --- the complete-pooling boundary --------------------------------------------------------------
# Whether the maximum marginal likelihood sits at complete pooling (size = inf) is decided by the
# likelihood, checked here against scipy's betabinom / nbinom: on the boundary, nothing at a
# finite size fits better than the binomial / Poisson limit; just inside it, a finite size does.
# The "boundary" cases below were reported as finite fits at sizes near 1e8 before the fix (the
# likelihood comparison there is lost in rounding), on numpy 2.4.6 / scipy 1.17.1.

GP_BOUNDARY = [([4, 4, 4, 4], [4.0] * 4), ([2, 6, 3, 5], [4.0] * 4), ([2, 6, 2, 6], [4.0] * 4),
               ([9, 14, 4, 7, 14, 7], [14.77, 11.28, 6.26, 4.05, 19.43, 10.81]),
               ([22, 12], [15.43, 12.34]), ([11, 27, 6, 20], [10.62, 15.92, 6.61, 15.61]),
               ([3, 5, 1, 11, 4, 5, 6], [3.24, 7.85, 2.78, 12.39, 5.95, 6.02, 6.48])]
BB_BOUNDARY = [([10, 20, 30, 40], [100, 200, 300, 400]), ([7, 13, 10, 10], [20] * 4),
               ([13, 6], [27, 17]), ([10, 9, 0, 5], [29, 29, 1, 19]),
               ([10, 4, 7, 6, 4, 7], [22, 6, 19, 16, 10, 14])]
GP_INSIDE = [([1, 7, 4, 4], [4.0] * 4), ([0, 8, 4, 4], [4.0] * 4)]
BB_INSIDE = [([6, 14, 10, 10], [20] * 4), ([1, 9, 5, 5], [10] * 4)]


def _nb_profile(y, e):
    """-max over the mean of the negative-binomial log-likelihood, as a function of log shape."""
    y, e = np.asarray(y), np.asarray(e, float)

    def at(log_shape):
        a = np.exp(log_shape)
        inner = optimize.minimize_scalar(
            lambda lm: -stats.nbinom.logpmf(y, a, a / (a + np.exp(lm) * e)).sum(),
            bounds=(-5, 5), method="bounded", options={"xatol": 1e-10})
        return inner.fun
    return at


def _bb_profile(r, n):
    r, n = np.asarray(r), np.asarray(n)

    def at(log_size):
        m = np.exp(log_size)
        inner = optimize.minimize_scalar(
            lambda z: -stats.betabinom.logpmf(r, n, m / (1 + np.exp(-z)),
                                              m / (1 + np.exp(z))).sum(),
            bounds=(-10, 10), method="bounded", options={"xatol": 1e-10})
        return inner.fun
    return at


@pytest.mark.parametrize("y, e", GP_BOUNDARY)
def test_gamma_poisson_on_the_boundary_is_complete_pooling(y, e):
    y, e = np.array(y), np.array(e)
    fit = ht.fit_gamma_poisson(y, e, method="ML")
    limit = stats.poisson.logpmf(y, e * y.sum() / e.sum()).sum()
    assert fit.pooled and fit.alpha == np.inf
    assert fit.loglik == pytest.approx(limit, abs=1e-12)
    # no finite shape from 0.01 to 1e5 fits better than the Poisson limit
    profile = _nb_profile(y, e)
    assert min(-profile(s) for s in np.linspace(np.log(0.01), np.log(1e5), 60)) < limit + 1e-9


@pytest.mark.parametrize("r, n", BB_BOUNDARY)
def test_beta_binomial_on_the_boundary_is_complete_pooling(r, n):
    r, n = np.array(r), np.array(n)
    fit = ht.fit_beta_binomial(r, n, method="ML")
    limit = stats.binom.logpmf(r, n, r.sum() / n.sum()).sum()
    assert fit.pooled and fit.alpha == np.inf
    assert fit.loglik == pytest.approx(limit, abs=1e-12)
    profile = _bb_profile(r, n)
    assert min(-profile(s) for s in np.linspace(np.log(0.01), np.log(1e5), 60)) < limit + 1e-9


@pytest.mark.parametrize("y, e", GP_INSIDE)
def test_gamma_poisson_just_inside_the_boundary_is_a_finite_fit(y, e):
    y, e = np.array(y), np.array(e)
    fit = ht.fit_gamma_poisson(y, e, method="ML")
    limit = stats.poisson.logpmf(y, e * y.sum() / e.sum()).sum()
    assert not fit.pooled and np.isfinite(fit.alpha)
    assert fit.loglik > limit + 1e-3
    best = optimize.minimize_scalar(_nb_profile(y, e), bounds=(-3, 12), method="bounded",
                                    options={"xatol": 1e-9})
    assert fit.alpha == pytest.approx(np.exp(best.x), rel=1e-5)
    assert fit.loglik == pytest.approx(-best.fun, abs=1e-9)


@pytest.mark.parametrize("r, n", BB_INSIDE)
def test_beta_binomial_just_inside_the_boundary_is_a_finite_fit(r, n):
    r, n = np.array(r), np.array(n)
    fit = ht.fit_beta_binomial(r, n, method="ML")
    limit = stats.binom.logpmf(r, n, r.sum() / n.sum()).sum()
    assert not fit.pooled and np.isfinite(fit.alpha)
    assert fit.loglik > limit + 1e-3
    best = optimize.minimize_scalar(_bb_profile(r, n), bounds=(-3, 12), method="bounded",
                                    options={"xatol": 1e-9})
    assert fit.alpha + fit.beta == pytest.approx(np.exp(best.x), rel=1e-5)
    assert fit.loglik == pytest.approx(-best.fun, abs=1e-9)


def test_beta_binomial_ml_fits_counts_whose_moment_estimate_has_no_beta_prior():
    # rho by moments >= 1 (0 of 3 and 30 of 30): the moments fit refuses, ML still fits
    r, n = np.array([0, 30, 1]), np.array([3, 30, 2])
    with pytest.raises(ValueError, match="method='ML'"):
        ht.fit_beta_binomial(r, n, method="moments")
    fit = ht.fit_beta_binomial(r, n, method="ML")
    assert fit.loglik >= stats.binom.logpmf(r, n, r.sum() / n.sum()).sum()


@pytest.mark.parametrize("highest_first", [True, False])
@pytest.mark.parametrize("level", [0.95, 0.5, 0.999])
def test_rank_summary_equals_the_full_array_of_ranks(monkeypatch, highest_first, level):
    # rank_summary ranks a block of rows at a time and keeps counts; a tiny block forces
    # many blocks (and a short last one).  Brute force: every draw's ranks at once, by a
    # double argsort, summarized by numpy.  Ties (rounded draws) keep the columns' order.
    import hiertools.rates as rates

    monkeypatch.setattr(rates, "_RANK_BLOCK", 35)
    rng = np.random.default_rng(5)
    values = np.round(rng.normal(size=(1001, 7)), 1)
    keys = -values if highest_first else values
    ranks = keys.argsort(axis=1, kind="stable").argsort(axis=1, kind="stable") + 1
    lower, upper = np.quantile(ranks, [(1 - level) / 2, (1 + level) / 2], axis=0,
                               method="inverted_cdf")
    summary = ht.rank_summary(values, highest_first=highest_first, level=level)
    assert summary["mean_rank"].tolist() == ranks.mean(axis=0).tolist()
    assert summary["p_first"].tolist() == (ranks == 1).mean(axis=0).tolist()
    assert summary["lower"].tolist() == lower.tolist()
    assert summary["upper"].tolist() == upper.tolist()
