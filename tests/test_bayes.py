"""Fully Bayesian tools against independent computations.

- p(tau | y) on the grid against adaptive quadrature of the likelihood with mu integrated
  numerically (scipy.integrate.quad), never via eq. 5.21's closed form;
- E(theta_j | y), sd(theta_j | y) against quadrature over tau of the moments of a dense
  Gaussian posterior of (theta, mu) given tau (a (J+1)x(J+1) precision matrix, inverted);
- the Gibbs sampler's quantiles against the grid within Monte-Carlo error (ESS-based);
- rhat / ess / mcse against ArviZ on the same arrays.
"""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, optimize, stats

import hiertools as ht
from tests.reference import reference

Y = np.array([28.0, 8, -3, 7, -1, 1, 18, 12])
SE = np.array([15.0, 10, 16, 11, 9, 11, 10, 18])
PRIORS = {"uniform": None, "half-cauchy": 25.0, "half-normal": 10.0, "inverse-gamma": 1.0}


def _log_prior(t, prior, scale):
    if prior == "uniform":
        return 0.0
    if prior == "half-cauchy":
        return stats.halfcauchy.logpdf(t, scale=scale)
    if prior == "half-normal":
        return stats.halfnorm.logpdf(t, scale=scale)
    # IG(eps, eps) on tau^2, transformed to tau: p(tau) = p_IG(tau^2) * 2 tau
    return stats.invgamma.logpdf(t**2, scale, scale=scale) + np.log(2 * t) if t > 0 else -np.inf


def _likelihood(t, y=Y, se=SE):
    """p(y | tau) with mu integrated numerically over the real line (times a constant).

    The integrand in mu is a smooth bump; the trapezoid rule over +-12 SDs on 4001 points
    converges geometrically (checked against scipy.integrate.quad at a few tau values).
    """
    sd = np.sqrt(se**2 + t**2)
    width = 12 * sd.max()
    center = np.average(y, weights=1 / sd**2)
    mu = np.linspace(center - width, center + width, 4001)
    log_f = stats.norm.logpdf(y[:, None], mu, sd[:, None]).sum(axis=0) + 30
    return np.trapezoid(np.exp(log_f), mu)


def test_mu_integral_of_the_reference_against_adaptive_quadrature():
    for t in (0.0, 3.0, 50.0, 2000.0):
        sd = np.sqrt(SE**2 + t**2)
        f = lambda mu: np.exp(stats.norm.logpdf(Y, mu, sd).sum() + 30)  # noqa: E731, B023 (used at once)
        want = integrate.quad(f, -np.inf, np.inf, epsabs=0, epsrel=1e-12, limit=200,
                              points=None)[0] if t < 100 else integrate.quad(
            f, 8 - 12 * sd.max(), 8 + 12 * sd.max(), epsabs=0, epsrel=1e-12, limit=200)[0]
        assert _likelihood(t) == pytest.approx(want, rel=1e-9)


class Quadrature:
    """The posterior of tau by adaptive quadrature, independent of hiertools."""

    def __init__(self, prior="uniform", scale=None, y=Y, se=SE):
        self.y, self.se = y, se
        self.f = lambda t: _likelihood(t, y, se) * np.exp(_log_prior(t, prior, scale))
        self.peak = 1.0 if prior != "inverse-gamma" else np.sqrt(scale)
        self.z = self.integrate(self.f)

    def integrate(self, g, upper=np.inf):
        parts = [(0, self.peak), (self.peak, upper)] if upper > self.peak else [(0, upper)]
        return sum(integrate.quad(g, a, b, epsabs=0, epsrel=1e-11, limit=500)[0]
                   for a, b in parts)

    def density(self, t):
        return self.f(t) / self.z

    def mean(self):
        return self.integrate(lambda t: t * self.f(t)) / self.z

    def cdf(self, q):
        return self.integrate(self.f, q) / self.z

    def quantile(self, p):
        return optimize.brentq(lambda q: self.cdf(q) - p, 1e-6, 500, xtol=1e-12)


def _dense_theta_moments(t, y=Y, se=SE):
    """Mean and variance of theta | tau, y from the joint Gaussian of (theta, mu) (flat mu)."""
    J = y.size
    Q = np.zeros((J + 1, J + 1))
    Q[:J, :J] = np.diag(1 / se**2 + 1 / t**2)
    Q[:J, J] = Q[J, :J] = -1 / t**2
    Q[J, J] = J / t**2
    b = np.concatenate([y / se**2, [0.0]])
    cov = np.linalg.inv(Q)
    return (cov @ b)[:J], np.diag(cov)[:J]


@pytest.fixture(scope="module")
def quad_uniform():
    return Quadrature()


def test_tau_density_mean_median_against_quadrature(quad_uniform):
    post = ht.tau_posterior(Y, SE)
    idx = np.searchsorted(post.tau, [0.0, 0.5, 3.0, 8.0, 25.0, 120.0])
    want = np.array([quad_uniform.density(t) for t in post.tau[idx]])
    np.testing.assert_allclose(post.density[idx], want, rtol=1e-6)
    assert post.tau_mean == pytest.approx(quad_uniform.mean(), rel=1e-6)
    assert post.tau_median == pytest.approx(quad_uniform.quantile(0.5), rel=1e-6)
    np.testing.assert_allclose(post.quantile([0.05, 0.95]),
                               [quad_uniform.quantile(0.05), quad_uniform.quantile(0.95)],
                               rtol=1e-5)
    assert np.trapezoid(post.density, post.tau) == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("prior", ["half-cauchy", "half-normal", "inverse-gamma"])
def test_other_priors_against_quadrature(prior):
    post = ht.tau_posterior(Y, SE, prior, scale=PRIORS[prior])
    quad = Quadrature(prior, PRIORS[prior])
    assert post.tau_mean == pytest.approx(quad.mean(), rel=1e-5)
    assert post.tau_median == pytest.approx(quad.quantile(0.5), rel=1e-5)


def test_gelmans_trap_small_epsilon_posterior_follows_epsilon():
    """IG(eps, eps) on tau^2: the posterior median of tau moves with eps (Gelman 2006)."""
    medians = [ht.tau_posterior(Y, SE, "inverse-gamma", scale=eps).tau_median
               for eps in (0.01, 0.001, 0.0001)]
    assert medians[0] > 1.5 * medians[1] > 0 and medians[1] > 1.5 * medians[2] > 0
    quad = Quadrature("inverse-gamma", 0.01)
    assert medians[0] == pytest.approx(quad.quantile(0.5), rel=1e-4)


def test_theta_moments_against_quadrature_of_dense_gaussian(quad_uniform):
    post = ht.tau_posterior(Y, SE)
    m1 = np.array([quad_uniform.integrate(lambda t, j=j: _dense_theta_moments(max(t, 1e-9))[0][j]
                                          * quad_uniform.f(t)) for j in range(8)]) / quad_uniform.z
    m2 = np.array([quad_uniform.integrate(
        lambda t, j=j: (lambda m, v: v[j] + m[j] ** 2)(*_dense_theta_moments(max(t, 1e-9)))
        * quad_uniform.f(t)) for j in range(8)]) / quad_uniform.z
    np.testing.assert_allclose(post.theta_mean, m1, rtol=1e-6)
    np.testing.assert_allclose(post.theta_sd, np.sqrt(m2 - m1**2), rtol=1e-6)


def test_conditional_moments_are_the_dense_gaussians():
    post = ht.tau_posterior(Y, SE)
    mean, sd = post.conditional([0.5, 5.0, 40.0])
    for t in (0.5, 5.0, 40.0):
        m, v = _dense_theta_moments(t)
        np.testing.assert_allclose(mean.loc[t], m, rtol=1e-9)
        np.testing.assert_allclose(sd.loc[t], np.sqrt(v), rtol=1e-9)
    # at tau = 0 every theta_j equals mu: complete pooling
    mean0, sd0 = post.conditional(0.0)
    w = 1 / SE**2
    np.testing.assert_allclose(mean0.iloc[0], np.sum(w * Y) / w.sum())
    np.testing.assert_allclose(sd0.iloc[0], 1 / np.sqrt(w.sum()))


def test_theta_quantiles_are_those_of_the_mixture():
    post = ht.tau_posterior(Y, SE)
    draws = post.sample(400_000, seed=11)
    for q in (0.025, 0.975):
        got = post.theta_quantile(q)
        for j in (0, 2):
            col = draws[f"theta[{j}]"].to_numpy()
            se_q = np.sqrt(q * (1 - q) / col.size) / stats.gaussian_kde(col[:20000])(got[j])[0]
            assert abs(np.quantile(col, q) - got[j]) < 5 * se_q


def test_sample_matches_the_grid_and_is_seeded():
    post = ht.tau_posterior(Y, SE)
    a, b = post.sample(200_000, seed=5), post.sample(200_000, seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["tau", "mu"] + [f"theta[{j}]" for j in range(8)]
    n = len(a)
    for p in (0.1, 0.5, 0.9):  # P(tau <= grid quantile) within binomial error
        assert abs((a["tau"] <= post.quantile(p)).mean() - p) < 5 * np.sqrt(p * (1 - p) / n)
    means = a.filter(like="theta").mean().to_numpy()
    sds = a.filter(like="theta").std().to_numpy()
    assert np.all(np.abs(means - post.theta_mean) < 5 * sds / np.sqrt(n))
    assert np.all(np.abs(sds / post.theta_sd - 1) < 5 / np.sqrt(2 * n))


def test_series_in_series_out_and_inputs_not_mutated():
    schools = ht.load("eight_schools").set_index("school")
    y, se = schools["y"].copy(), schools["se"].copy()
    post = ht.tau_posterior(schools["y"], schools["se"])
    pd.testing.assert_series_equal(schools["y"], y)
    pd.testing.assert_series_equal(schools["se"], se)
    assert list(post.theta_mean.index) == list("ABCDEFGH")
    assert list(post.theta_quantile(0.5).index) == list("ABCDEFGH")
    assert list(post.summary().index) == list("ABCDEFGH")
    assert isinstance(ht.tau_posterior(Y, SE).theta_mean, np.ndarray)
    assert "<table" in post._repr_html_() and "TauPosterior" in repr(post)


def test_one_standard_error_for_all_groups():
    a = ht.tau_posterior(Y, 12.0)
    b = ht.tau_posterior(Y, np.full(8, 12.0))
    assert a.tau_mean == b.tau_mean and np.array_equal(a.theta_sd, b.theta_sd)


def test_result_is_read_only():
    post = ht.tau_posterior(Y, SE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        post.tau_mean = 1.0
    with pytest.raises(ValueError):
        post.density[0] = 0.0
    with pytest.raises(ValueError):
        post.tau[0] = 1.0


def test_grid_covers_the_tail():
    post = ht.tau_posterior(Y, SE)
    assert post.tau[0] == 0.0 and post.density[-1] < 1e-8 * post.density.max()
    # probability beyond the grid's end, by quadrature: negligible
    quad = Quadrature()
    assert 1 - quad.cdf(post.tau[-1]) < 1e-9
    # data on a scale 1000 times larger: the grid follows
    big = ht.tau_posterior(1000 * Y, 1000 * SE)
    assert big.tau_mean == pytest.approx(1000 * post.tau_mean, rel=1e-6)


def test_three_groups_uniform_prior_has_no_posterior_mean():
    post = ht.tau_posterior([0.0, 10.0, 30.0], [5.0, 5.0, 5.0])
    assert post.tau_mean == np.inf and np.isfinite(post.tau_median)
    assert np.isfinite(post.theta_mean).all()


@pytest.mark.parametrize("kwargs, match", [
    ({"prior": "log-uniform"}, "improper"),
    ({"prior": "half-cauchy"}, "needs scale"),
    ({"prior": "half-cauchy", "scale": -1.0}, "scale"),
    ({"prior": "uniform", "scale": 3.0}, "no scale"),
    ({"prior": "half-cauchi", "scale": 1.0}, "Did you mean 'half-cauchy'"),
])
def test_prior_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ht.tau_posterior(Y, SE, **kwargs)


def test_log_uniform_error_explains_and_suggests():
    with pytest.raises(ValueError) as info:
        ht.tau_posterior(Y, SE, prior="log-uniform")
    text = str(info.value)
    assert "tau -> 0" in text and "half-cauchy" in text


@pytest.mark.parametrize("function", [ht.tau_posterior, ht.sample_posterior])
@pytest.mark.parametrize("y, se, match", [
    (Y, np.where(np.arange(8) == 2, 0.0, SE), "se must be > 0"),
    (Y, SE[:7], "Lengths differ"),
    (np.where(np.arange(8) == 1, np.nan, Y), SE, "y contains NaN"),
    ([1.0], [1.0], "at least 2 groups"),
    ([1.0, 2.0], [1.0, 1.0], "improper posterior with 2 groups"),
])
def test_bad_data(function, y, se, match):
    with pytest.raises(ValueError, match=match):
        function(y, se)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"draws": 0}, ValueError, "draws"),
    ({"draws": 2.5}, TypeError, "draws"),
    ({"chains": 0}, ValueError, "chains"),
    ({"chains": "4"}, TypeError, "chains"),
    ({"warmup": -1}, ValueError, "warmup"),
    ({"parametrization": "centred"}, ValueError, "Did you mean 'centered'"),
    ({"prior": "half-normal"}, ValueError, "needs scale"),
    ({"progress": "yes"}, TypeError, "progress"),
])
def test_sampler_argument_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        ht.sample_posterior(Y, SE, **kwargs)


def test_sampler_output_shape_seed_and_warmup():
    a = ht.sample_posterior(Y, SE, draws=300, chains=3, seed=4, warmup=100)
    b = ht.sample_posterior(Y, SE, draws=300, chains=3, seed=4, warmup=100)
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["chain", "draw", "mu", "tau"] + [f"theta[{j}]" for j in range(8)]
    assert len(a) == 900 and a["chain"].tolist() == [0] * 300 + [1] * 300 + [2] * 300
    assert a["draw"].tolist()[:3] == [0, 1, 2] and (a["tau"] >= 0).all()
    c = ht.sample_posterior(Y, SE, draws=300, chains=3, seed=5, warmup=100)
    assert not np.allclose(a["mu"], c["mu"])


def _chains(frame, column):
    return frame.pivot(index="chain", columns="draw", values=column).to_numpy()


@pytest.mark.parametrize("parametrization, prior", [
    ("noncentered", "uniform"), ("centered", "uniform"), ("noncentered", "half-cauchy"),
    ("noncentered", "half-normal"), ("noncentered", "inverse-gamma"),
    ("centered", "half-normal"),
])
def test_gibbs_quantiles_agree_with_the_grid_within_monte_carlo_error(parametrization, prior):
    scale = PRIORS[prior]
    post = ht.tau_posterior(Y, SE, prior, scale=scale)
    draws = ht.sample_posterior(Y, SE, draws=6000, chains=4, seed=21, prior=prior, scale=scale,
                                parametrization=parametrization, progress=False)
    tau = _chains(draws, "tau")
    assert ht.rhat(tau) < 1.05
    for p in (0.1, 0.5, 0.9):
        assert abs(np.quantile(tau, p) - post.quantile(p)) < 4.5 * ht.mcse(tau, prob=p) + 1e-3
    for j in (0, 2, 6):
        theta = _chains(draws, f"theta[{j}]")
        assert abs(theta.mean() - post.theta_mean[j]) < 4.5 * ht.mcse(theta)
    mu = _chains(draws, "mu")
    grid_mu = post.sample(200_000, seed=1)["mu"]
    assert abs(mu.mean() - grid_mu.mean()) < 4.5 * np.hypot(ht.mcse(mu), grid_mu.std() / 450)


def test_centered_sampler_mixes_worse_than_noncentered_for_eight_schools():
    ess = {}
    for par in ("centered", "noncentered"):
        draws = ht.sample_posterior(Y, SE, seed=0, parametrization=par, progress=False)
        ess[par] = ht.ess(_chains(draws, "tau"))
    assert ess["noncentered"] > 5 * ess["centered"]


def test_progress_bar_only_on_long_runs(monkeypatch):
    from hiertools.bayes import gibbs as bayes

    assert not bayes._want_progress(None, 3000, 4, 8)
    assert bayes._want_progress(None, 50_000, 4, 8)
    assert bayes._want_progress(None, 3000, 4, 10_000)
    assert bayes._want_progress(True, 10, 1, 2) and not bayes._want_progress(False, 10**6, 4, 8)
    shown = []

    class FakeBar:
        def __init__(self, total, **kwargs):
            shown.append(total)

        def update(self, n):
            shown.append(n)

        def close(self):
            shown.append("closed")

    import tqdm.auto
    monkeypatch.setattr(tqdm.auto, "tqdm", FakeBar)
    ht.sample_posterior(Y, SE, draws=300, warmup=100, progress=True)
    assert shown[0] == 400 and sum(shown[1:-1]) == 400 and shown[-1] == "closed"


# --- diagnostics against ArviZ ----------------------------------------------------------------

def _test_arrays():
    rng = np.random.default_rng(3)
    arrays = []
    for m, n in [(4, 1000), (2, 7), (3, 101), (4, 4), (1, 50), (8, 333)]:
        x = rng.normal(size=(m, n))
        arrays.append(x)
        ar = x.copy()
        for t in range(1, n):  # strongly autocorrelated AR(1)
            ar[:, t] = 0.95 * ar[:, t - 1] + x[:, t]
        arrays.append(ar)
        anti = x.copy()
        for t in range(1, n):  # anticorrelated: ESS above the number of draws
            anti[:, t] = -0.6 * anti[:, t - 1] + x[:, t]
        arrays.append(anti)
        arrays.append(x + np.arange(m)[:, None])  # chains that disagree
        arrays.append(np.round(x, 1))  # ties
    return arrays


def test_rhat_ess_mcse_agree_with_arviz():
    az = reference("arviz")
    for x in _test_arrays():
        assert ht.ess(x) == pytest.approx(az.ess(x, method="bulk"), rel=1e-6, abs=1e-6)
        assert ht.ess(x, method="mean") == pytest.approx(az.ess(x, method="mean"), rel=1e-6)
        assert ht.mcse(x) == pytest.approx(az.mcse(x, method="mean"), rel=1e-6, abs=1e-9)
        for p in (0.05, 0.5, 0.9):
            assert ht.mcse(x, prob=p) == pytest.approx(
                az.mcse(x, method="quantile", prob=p), rel=1e-6, abs=1e-9)
        if x.shape[0] >= 2:
            assert ht.rhat(x) == pytest.approx(az.rhat(x, method="rank"), abs=1e-6)


def test_diagnostics_on_the_gibbs_output_agree_with_arviz():
    az = reference("arviz")
    draws = ht.sample_posterior(Y, SE, seed=0, parametrization="centered", progress=False)
    tau = _chains(draws, "tau")
    assert ht.rhat(tau) == pytest.approx(az.rhat(tau, method="rank"), abs=1e-6)
    assert ht.ess(tau) == pytest.approx(az.ess(tau, method="bulk"), rel=1e-6)


def test_diagnostics_know_good_from_bad():
    rng = np.random.default_rng(0)
    iid = rng.normal(size=(4, 2000))
    assert ht.rhat(iid) < 1.01 and 6000 < ht.ess(iid) < 10000
    assert ht.rhat(iid + np.array([0, 0, 0, 3.0])[:, None]) > 1.3
    assert ht.ess(np.ones((4, 100))) == 400


@pytest.mark.parametrize("function", [ht.rhat, ht.ess, ht.mcse])
def test_diagnostics_errors(function):
    with pytest.raises(ValueError, match="at least 4"):
        function(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="shape"):
        function(np.zeros((2, 4, 5)))
    with pytest.raises(ValueError, match="NaN"):
        function(np.array([[1.0, np.nan, 2.0, 3.0, 4.0]]))
    with pytest.raises(TypeError):
        function("abc")


def test_a_large_posterior_sample_costs_about_its_own_size_at_its_peak():
    # lesson 05 draws 200,000 rows; on a hub every kernel has a fixed memory limit
    import tracemalloc

    schools = ht.load("eight_schools")
    post = ht.tau_posterior(schools["y"], schools["se"])
    tracemalloc.start()
    try:
        draws = post.sample(200_000, seed=1)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    size = draws.memory_usage(deep=True).sum()
    # the frame, plus (draws,) vectors and one block's intermediates: about 1.3 times
    assert peak < 1.5 * size, f"peak {peak / 2**20:.0f} MB for a {size / 2**20:.0f} MB sample"


def test_a_posterior_sample_does_not_depend_on_the_block_size(monkeypatch):
    # TauPosterior.sample builds theta a block of rows at a time (memory); the draws must be
    # those of one pass over the whole array: a block of 5 rows (many blocks, a short last
    # one) against a block larger than the sample
    from hiertools.bayes import grid

    schools = ht.load("eight_schools")
    post = ht.tau_posterior(schools["y"], schools["se"])
    monkeypatch.setattr(grid, "_SAMPLE_BLOCK", 10**9)
    whole = post.sample(1001, seed=3)
    monkeypatch.setattr(grid, "_SAMPLE_BLOCK", 5 * 8)
    pd.testing.assert_frame_equal(post.sample(1001, seed=3), whole)


# --- diagnostics on the sampler's own output -----------------------------------------------------

def test_diagnostics_and_trace_take_the_samplers_dataframe_and_a_column():
    draws = ht.sample_posterior(Y, SE, draws=300, seed=2, progress=False)
    for column in ("tau", "mu", "theta[3]"):
        # by hand, independently of hiertools: one row per chain, draws in order
        wide = np.stack([g.sort_values("draw")[column].to_numpy()
                         for _, g in draws.groupby("chain")])
        assert ht.rhat(draws, column) == ht.rhat(wide)
        assert ht.ess(draws, column) == ht.ess(wide)
        assert ht.ess(draws, column, method="mean") == ht.ess(wide, method="mean")
        assert ht.mcse(draws, column) == ht.mcse(wide)
        assert ht.mcse(draws, column, prob=0.1) == ht.mcse(wide, prob=0.1)
    ax = ht.plot_trace(draws, "tau")
    assert ax.get_ylabel() == "tau" and len(ax.get_lines()) == 4
    by_chain = np.stack([g["tau"].to_numpy() for _, g in draws.groupby("chain")])
    assert all(np.array_equal(line.get_ydata(), row)
               for line, row in zip(ax.get_lines(), by_chain))


def test_a_dataframe_of_draws_without_a_usable_column_says_what_to_pass():
    draws = ht.sample_posterior(Y, SE, draws=50, seed=2, progress=False)
    with pytest.raises(ValueError, match=r"second argument.*'tau'"):
        ht.rhat(draws)
    with pytest.raises(ValueError, match="'sigma' is not in x"):
        ht.ess(draws, "sigma")
    with pytest.raises(TypeError, match="column must be a column name"):
        ht.mcse(draws, 3)
    with pytest.raises(TypeError, match="drop column="):
        ht.rhat(np.zeros((4, 10)), "tau")
    with pytest.raises(ValueError, match="no \\['chain'\\]"):
        ht.rhat(draws.drop(columns="chain"), "tau")
    with pytest.raises(ValueError, match="same draw numbers"):
        ht.rhat(draws[~((draws["chain"] == 1) & (draws["draw"] == 7))], "tau")
