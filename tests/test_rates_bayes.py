"""ht.beta_binomial_posterior against computations that share none of its code.

Expected values come from scipy: the posterior written with scipy.special.betaln (not the
package's Stirling-series log rising factorials) and integrated by adaptive quadrature
(scipy.integrate.quad, nested) over (log(α/β), log(α+β)); the log rising factorial against an
explicit sum of logs; draws against the grid's exact moments within Monte Carlo error.
"""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, special, stats

import hiertools as ht
from hiertools import rates_bayes

S = ht.load("surgical").set_index("hospital")
R, N = S["deaths"].to_numpy(), S["operations"].to_numpy()


@pytest.fixture(scope="module")
def post():
    return ht.beta_binomial_posterior(S["deaths"], S["operations"])


def _log_post(u, v, r=R, n=N):
    """log p(u, v | r) up to a constant, from scipy's log-beta function (BDA3 eq. 5.8 times
    the Jacobian alpha * beta)."""
    mean, size = special.expit(u), np.exp(v)
    a, b = mean * size, (1 - mean) * size
    return (-2.5 * np.log(a + b) + np.log(a) + np.log(b)
            + np.sum(special.betaln(a + r, b + n - r) - special.betaln(a, b)))


@pytest.fixture(scope="module")
def quadrature():
    """Normalizer and three posterior means by nested adaptive quadrature, over u in
    [-8, 3] and v in [-6, 26] (beyond v = 26 the tail holds about 5e-8 of the mass, and
    differences of scipy's betaln lose digits at larger alpha + beta)."""
    shift = _log_post(-2.46, 4.44)

    def integral(g):
        def inner(v):
            return integrate.quad(lambda u: np.exp(_log_post(u, v) - shift) * g(u, v), -8, 3,
                                  points=[-2.9, -2.46, -2.0], limit=200, epsabs=1e-13,
                                  epsrel=1e-9)[0]
        return integrate.quad(inner, -6, 26, points=[2.0, 3.5, 4.4, 5.5, 8.0], limit=400,
                              epsabs=0, epsrel=1e-9)[0]

    with warnings.catch_warnings():
        # quad reports round-off where the integrand is a narrow ridge (large v); its own
        # error estimates stay far below the tolerances asserted below
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        z = integral(lambda u, v: 1.0)
        means = {"theta_A": integral(lambda u, v: (np.exp(v) * special.expit(u))
                                     / (np.exp(v) + 47)) / z,
                 "log_size": integral(lambda u, v: v) / z,
                 "mean": integral(lambda u, v: special.expit(u)) / z}
    return means


def test_posterior_means_agree_with_quadrature(post, quadrature):
    assert post.theta_mean["A"] == pytest.approx(quadrature["theta_A"], rel=2e-5)
    assert post.mean == pytest.approx(quadrature["mean"], rel=2e-5)
    log_size = post.hyperparameters().loc["log(alpha+beta)", "mean"]
    assert log_size == pytest.approx(quadrature["log_size"], abs=2e-4)


def test_the_grid_holds_the_mass_and_refining_it_changes_nothing(post):
    assert post.edge_mass < rates_bayes.EDGE_MASS
    du, dv = post.logit_mean[1] - post.logit_mean[0], post.log_size[1] - post.log_size[0]
    assert post.density.sum() * du * dv == pytest.approx(1.0, abs=1e-12)
    finer = ht.beta_binomial_posterior(R, N, grid=320)
    np.testing.assert_allclose(finer.theta_mean, post.theta_mean.to_numpy(), rtol=1e-5)
    np.testing.assert_allclose(finer.theta_sd, post.theta_sd.to_numpy(), rtol=1e-4)


@pytest.mark.parametrize("r, n", [
    ([3, 5, 4, 6], [40, 40, 40, 40]),                 # no more spread than chance
    ([0, 1, 9, 20, 2], [20, 20, 20, 25, 30]),          # a lot of spread
    ([1, 0], [10, 10]),                                # two units, one with 0 < r < n
])
def test_edge_mass_is_negligible_for_other_data(r, n):
    result = ht.beta_binomial_posterior(r, n)
    assert result.edge_mass < rates_bayes.EDGE_MASS
    assert np.all((result.theta_mean > 0) & (result.theta_mean < 1))


def test_a_unit_mean_agrees_with_quadrature_on_small_data():
    """Few, small units: the posterior sits at small alpha + beta, far from the hospitals'."""
    r, n = np.array([0, 1, 9, 20, 2]), np.array([20, 20, 20, 25, 30])
    result = ht.beta_binomial_posterior(r, n)
    mode = optimize.minimize(lambda x: -_log_post(*x, r, n), [-0.7, 0.0],
                             method="Nelder-Mead").x
    shift = _log_post(*mode, r, n)

    def integral(g):
        def inner(v):
            return integrate.quad(lambda u: np.exp(_log_post(u, v, r, n) - shift) * g(u, v),
                                  -12, 8, points=[mode[0] - 1, mode[0], mode[0] + 1],
                                  limit=200, epsabs=1e-14, epsrel=1e-10)[0]
        return integrate.quad(inner, -10, 30, points=mode[1] + np.array([-2, -1, 0, 1, 3, 6]),
                              limit=400, epsabs=1e-13, epsrel=1e-10)[0]

    z = integral(lambda u, v: 1.0)
    expected = integral(lambda u, v: (np.exp(v) * special.expit(u) + 9)
                        / (np.exp(v) + 20)) / z
    assert result.theta_mean.iloc[2] == pytest.approx(expected, rel=1e-6)


def test_log_rising_factorial_against_a_sum_of_logs():
    for x in (0.3, 9.99, 10.0, 57.5, 3e3, 2e7, 4e12):
        for k in (0, 1, 7, 46):
            exact = float(np.sum(np.log(x + np.arange(k))))
            assert rates_bayes._log_rising(x, k) == pytest.approx(exact, rel=1e-12, abs=1e-10)


def test_draws_match_the_grid(post):
    draws = post.sample(100_000, seed=3)
    assert list(draws.columns) == ["alpha", "beta", *(f"theta[{h}]" for h in S.index)]
    theta = draws.filter(like="theta[")
    se = post.theta_sd.to_numpy() / np.sqrt(len(draws))
    assert np.all(np.abs(theta.mean().to_numpy() - post.theta_mean.to_numpy()) < 5 * se)
    share = draws["alpha"] / (draws["alpha"] + draws["beta"])
    assert abs(share.mean() - post.mean) < 5 * share.std() / np.sqrt(len(draws))
    # the posterior's own 2.5% quantile of theta_A leaves about 2.5% of the draws below it
    below = (draws["theta[A]"] < post.theta_quantile(0.025)["A"]).mean()
    assert abs(below - 0.025) < 5 * np.sqrt(0.025 * 0.975 / len(draws))
    again = post.sample(100_000, seed=3)
    pd.testing.assert_frame_equal(draws, again)


def test_quantiles_invert_the_mixture_cdf(post):
    """theta_quantile: the grid's own mixture CDF, evaluated directly, gives q back."""
    du, dv = post.logit_mean[1] - post.logit_mean[0], post.log_size[1] - post.log_size[0]
    u, v = np.meshgrid(post.logit_mean, post.log_size, indexing="ij")
    mass = (post.density * du * dv).ravel()
    a = (special.expit(u) * np.exp(v)).ravel()
    b = (special.expit(-u) * np.exp(v)).ravel()
    for q in (0.025, 0.5, 0.975):
        x = post.theta_quantile(q)
        for j, h in enumerate(S.index):
            cdf = mass @ stats.beta.cdf(x[h], a + R[j], b + N[j] - R[j])
            assert cdf == pytest.approx(q, abs=1e-7)


def test_improper_posterior_is_refused():
    with pytest.raises(ValueError, match="improper"):
        ht.beta_binomial_posterior([0, 0, 0], [10, 20, 30])


def test_summary_and_display(post):
    table = post.summary()
    assert list(table.columns) == ["deaths", "trials", "raw", "mean", "sd", "2.5%", "97.5%"]
    assert (table["2.5%"] < table["mean"]).all() and (table["mean"] < table["97.5%"]).all()
    assert "alpha+beta: median" in repr(post) and "<table" in post._repr_html_()
    hyper = post.hyperparameters()
    assert np.isinf(hyper.loc["alpha+beta", "mean"])
    assert post.size_median == pytest.approx(hyper.loc["alpha+beta", "50%"])


def test_result_is_read_only(post):
    with pytest.raises(AttributeError):
        post.mean = 0.5
    with pytest.raises(ValueError):
        post.density[0, 0] = 1.0


def test_sample_does_not_depend_on_the_block_size(monkeypatch):
    # BetaBinomialPosterior.sample draws the Betas a block of rows at a time (memory); the
    # draws must be those of one call, whatever the block: compare a block of 7 values (many
    # blocks, a short last one) with a block larger than the whole sample.
    s = ht.load("surgical").set_index("hospital")
    post = ht.beta_binomial_posterior(s["deaths"], s["operations"])
    monkeypatch.setattr(rates_bayes, "_SAMPLE_BLOCK", 10**9)
    whole = post.sample(1001, seed=3)
    monkeypatch.setattr(rates_bayes, "_SAMPLE_BLOCK", 7 * 12)
    pd.testing.assert_frame_equal(post.sample(1001, seed=3), whole)


def test_sample_is_bda_5_3_written_out_in_one_pass():
    # BDA3 section 5.3 with numpy's generator, in one pass over the whole sample (what the
    # block-wise sampler must reproduce draw for draw): a grid cell by its probability, a
    # uniform point within it, then every theta_j ~ Beta(alpha + r_j, beta + n_j - r_j).
    s = ht.load("surgical").set_index("hospital")
    post = ht.beta_binomial_posterior(s["deaths"], s["operations"])
    du = post.logit_mean[1] - post.logit_mean[0]
    dv = post.log_size[1] - post.log_size[0]
    rng = np.random.default_rng(11)
    mass = (post.density * du * dv).ravel()
    cell = rng.choice(mass.size, size=2500, p=mass / mass.sum())
    iu, iv = np.unravel_index(cell, post.density.shape)
    u = post.logit_mean[iu] + du * (rng.uniform(size=2500) - 0.5)
    v = post.log_size[iv] + dv * (rng.uniform(size=2500) - 0.5)
    alpha, beta = special.expit(u) * np.exp(v), (1 - special.expit(u)) * np.exp(v)
    r, n = s["deaths"].to_numpy(), s["operations"].to_numpy()
    theta = rng.beta(alpha[:, None] + r, beta[:, None] + n - r)
    draws = post.sample(2500, seed=np.random.default_rng(11))
    np.testing.assert_allclose(draws["alpha"], alpha, rtol=1e-13)
    np.testing.assert_allclose(draws["beta"], beta, rtol=1e-13)
    np.testing.assert_allclose(draws.filter(like="theta[").to_numpy(), theta, rtol=1e-12)


def test_a_large_sample_and_its_ranks_cost_about_the_samples_own_size_at_their_peak():
    # lesson 07 draws 200,000 rows of 12 hospitals and ranks them; on a hub every kernel has
    # a fixed memory limit
    import tracemalloc

    s = ht.load("surgical").set_index("hospital")
    post = ht.beta_binomial_posterior(s["deaths"], s["operations"])
    tracemalloc.start()
    try:
        draws = post.sample(200_000, seed=1)
        sample_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        ht.rank_summary(draws)
        rank_peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    size = draws.memory_usage(deep=True).sum()
    mb = 2**20
    assert sample_peak < 1.5 * size, f"sample: peak {sample_peak / mb:.0f} MB, {size / mb:.0f} MB"
    assert rank_peak < 0.3 * size, f"ranks: {rank_peak / mb:.0f} MB beyond the {size / mb:.0f} MB"
