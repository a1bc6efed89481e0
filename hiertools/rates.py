"""Rates from counts: beta–binomial and gamma–Poisson empirical Bayes, funnel limits, ranks.

Lesson 07's estimators.  A unit (hospital, district) ``i`` has a count and an exposure:

======================  ==================  ================================================
code                    symbol              meaning
======================  ==================  ================================================
``events``, ``n``       :math:`r_i, n_i`    deaths out of operations (binomial)
``observed``,           :math:`y_i, E_i`    observed cases, cases expected at the reference
``expected``                                rate (Poisson)
``alpha``, ``beta``     :math:`\\alpha,\\beta`  hyperparameters of the prior of the true rates
``raw``                 :math:`r_i/n_i`,    no-pooling estimate (proportion, or SMR)
                        :math:`y_i/E_i`
``weight``              :math:`w_i`         how much the unit's own data count
``shrunk``              posterior mean      the empirical-Bayes (partially pooled) estimate
======================  ==================  ================================================

Models (both conjugate, so every posterior is available in closed form):

* beta–binomial: :math:`r_i \\mid \\theta_i \\sim \\text{Bin}(n_i, \\theta_i)`,
  :math:`\\theta_i \\sim \\text{Beta}(\\alpha, \\beta)`; posterior
  :math:`\\text{Beta}(\\alpha + r_i, \\beta + n_i - r_i)`, whose mean is
  :math:`w_i\\,r_i/n_i + (1 - w_i)\\,\\alpha/(\\alpha+\\beta)` with
  :math:`w_i = n_i/(\\alpha + \\beta + n_i)` (BDA3 §5.3);
* gamma–Poisson: :math:`y_i \\mid \\theta_i \\sim \\text{Poisson}(E_i\\theta_i)`,
  :math:`\\theta_i \\sim \\text{Gamma}(\\alpha, \\text{rate } \\beta)`; posterior
  :math:`\\text{Gamma}(\\alpha + y_i, \\beta + E_i)`, whose mean is
  :math:`w_i\\,y_i/E_i + (1 - w_i)\\,\\alpha/\\beta` with :math:`w_i = E_i/(\\beta + E_i)`
  (Clayton & Kaldor 1987).

Empirical Bayes estimates (α, β) from the marginal distribution of the counts
(beta–binomial, negative binomial), by the method of moments or by maximum marginal
likelihood, and plugs them in.  When the counts vary no more than chance allows, both
methods put the prior's variance at 0 (α, β infinite): every unit is then estimated by
the pooled rate -- complete pooling, the analogue of τ̂ = 0 in lesson 04.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special

from ._validation import (
    check_array,
    check_bool,
    check_consistent_length,
    check_counts,
    check_option,
    check_scalar,
    group_labels,
)

__all__ = ["RateFit", "DispersionTest", "fit_beta_binomial", "fit_gamma_poisson",
           "funnel_limits", "overdispersion_test", "rank_summary"]

RATE_METHODS = ("ML", "moments")

#: Below this prior size (alpha + beta, or the gamma shape) the marginal log-likelihood is
#: computed to about 1e-9: it can then be compared with the binomial / Poisson limit.  Above
#: it, log-gamma differences of numbers near the size lose digits (at 1e8 about 1e-6), so a
#: comparison of the two likelihoods there says nothing; whether the limit is the maximum is
#: then read off the likelihood's slope at the limit (`_boundary_slope_*`).
_ACCURATE_SIZE = 1e6
#: Gradient tolerance of the marginal-likelihood maximization (on the unconstrained scale).
_GTOL = 1e-10


def _stats():
    """`scipy.stats`, imported on first use: at import time it would add about 20 MB to every
    learner's kernel and a third of a second to `import hiertools`, for lessons that never
    use it."""
    from scipy import stats

    return stats


# --- the fitted model -----------------------------------------------------------------------

@dataclass(frozen=True)
class RateFit:
    """An empirical-Bayes fit of rates from counts (see :func:`fit_beta_binomial`).

    Attributes
    ----------
    model : str
        ``"beta-binomial"`` or ``"gamma-Poisson"``.
    method : str
        ``"ML"`` or ``"moments"``.
    alpha, beta : float
        Hyperparameters of the prior of the true rates (``inf`` when the counts show
        no extra-chance variation: complete pooling).
    prior_mean : float
        The rate every unit is shrunk toward: α/(α+β), or α/β.
    prior_sd : float
        The spread of the true rates under the fitted prior (0 for complete pooling).
    loglik : float
        The marginal log-likelihood at (α, β), counts' combinatorial constants included.
    estimates : pandas.DataFrame
        One row per unit: the count and exposure, ``raw``, ``weight``, ``shrunk``
        (posterior mean), ``sd`` (posterior SD), ``lower`` and ``upper`` (equal-tailed
        posterior interval at ``level``), and the posterior's two parameters.
    level : float
        Coverage of the intervals in ``estimates``.
    """

    model: str
    method: str
    alpha: float
    beta: float
    prior_mean: float
    prior_sd: float
    loglik: float
    estimates: pd.DataFrame = field(repr=False)
    level: float = 0.95

    @property
    def pooled(self) -> bool:
        """True when the fit is complete pooling (no variation between units beyond chance)."""
        return not np.isfinite(self.alpha)

    def posterior(self):
        """The per-unit posteriors as one frozen scipy distribution (vectorized over units)."""
        a, b = self._posterior_parameters()
        if self.model == "beta-binomial":
            return _stats().beta(a, b)
        return _stats().gamma(a, scale=1.0 / b)

    def _posterior_parameters(self):
        cols = list(self.estimates.columns[-2:])
        return self.estimates[cols[0]].to_numpy(), self.estimates[cols[1]].to_numpy()

    def interval(self, level: float = 0.95) -> pd.DataFrame:
        """Equal-tailed posterior intervals (columns ``lower``, ``upper``), one row per unit."""
        level = check_scalar(level, "level", minimum=0, maximum=1, strict_min=True,
                             strict_max=True)
        if self.pooled:
            point = np.full(len(self.estimates), self.prior_mean)
            return pd.DataFrame({"lower": point, "upper": point}, index=self.estimates.index)
        dist = self.posterior()
        return pd.DataFrame({"lower": dist.ppf((1 - level) / 2),
                             "upper": dist.ppf((1 + level) / 2)}, index=self.estimates.index)

    def sample(self, draws: int = 4000, *, seed: int = 0) -> pd.DataFrame:
        """Draws of every unit's true rate from its posterior (rows: draws; columns: units).

        Vectorized: one call to numpy's generator for all draws and units.
        """
        draws = check_scalar(draws, "draws", integer=True, minimum=1)
        rng = np.random.default_rng(check_scalar(seed, "seed", integer=True, minimum=0))
        shape = (draws, len(self.estimates))
        if self.pooled:
            values = np.full(shape, self.prior_mean)
        else:
            a, b = self._posterior_parameters()
            if self.model == "beta-binomial":
                values = rng.beta(a, b, size=shape)
            else:
                values = rng.gamma(a, 1.0 / b, size=shape)
        # a new array, referenced nowhere else: the frame takes it without a copy
        return pd.DataFrame(values, columns=self.estimates.index.copy(), copy=False)

    def summary(self) -> str:
        """The hyperparameters and the fit in a few lines of text."""
        size = "inf (complete pooling)" if self.pooled else f"{self.alpha + self.beta:.4g}"
        if self.model == "beta-binomial":
            prior = f"Beta(alpha={self.alpha:.4g}, beta={self.beta:.4g}); alpha + beta = {size}"
        else:
            prior = f"Gamma(shape={self.alpha:.4g}, rate={self.beta:.4g})"
        return (f"{self.model} empirical Bayes ({self.method}), {len(self.estimates)} units\n"
                f"prior of the true rates: {prior}\n"
                f"prior mean {self.prior_mean:.4g}, prior SD {self.prior_sd:.4g}; "
                f"marginal log-likelihood {self.loglik:.4f}")

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        head = "<br>".join(html.escape(line) for line in self.summary().splitlines())
        return f"<p>{head}</p>" + self.estimates.to_html(float_format=lambda v: f"{v:.4g}")


# --- validation -------------------------------------------------------------------------------

def _binomial_inputs(events, n, labels):
    r = check_counts(events, "events")
    size = check_counts(n, "n")
    check_consistent_length(events=r, n=size)
    if np.any(size == 0):
        raise ValueError("n must be >= 1 for every unit; drop units with no cases.")
    if np.any(r > size):
        bad = int(np.flatnonzero(r > size)[0])
        raise ValueError(f"events cannot exceed n: unit {bad} has events={r[bad]:g} > "
                         f"n={size[bad]:g}; check the order of the arguments (events, n).")
    return r, size, group_labels(labels, r.size, events=events, n=n)


def _poisson_inputs(observed, expected, labels):
    y = check_counts(observed, "observed")
    e = check_array(expected, "expected")
    check_consistent_length(observed=y, expected=e)
    if np.any(e <= 0):
        raise ValueError("expected must be > 0 for every unit (it is the count expected at the "
                         "reference rate); drop units with no population at risk.")
    return y, e, group_labels(labels, y.size, observed=observed, expected=expected)


# --- maximum marginal likelihood, and its boundary ------------------------------------------------

def _minimize_from(negative, starts):
    """The best of BFGS runs of `negative` (value and gradient) from each start: the marginal
    likelihoods of both models can have a flat ridge toward complete pooling, so one start
    may stop far from another's optimum."""
    runs = [optimize.minimize(negative, x, jac=True, method="BFGS",
                              options={"gtol": _GTOL, "maxiter": 2000}) for x in starts]
    return min(runs, key=lambda res: res.fun)


def _slope(terms) -> float:
    """Half the sum of `terms`, set to 0 when it is within rounding of 0 (terms cancel)."""
    total = 0.5 * float(np.sum(terms))
    return 0.0 if abs(total) <= 1e-12 * float(np.sum(np.abs(terms))) else total


def _pooled(size, loglik, limit_loglik, slope) -> bool:
    """Is complete pooling (size = inf) the maximum of the marginal likelihood?

    The likelihood's slope in 1/size at the limit decides near the limit: ``slope > 0``
    means a finite size fits better, so the maximum is interior.  With ``slope <= 0`` the
    limit is a local maximum; an interior optimum beats it only when the optimizer found
    one at a size where the likelihood is computed accurately and it is higher there.
    Deciding by comparing likelihoods alone fails near the limit: a run that drifts to a
    size of 1e8 evaluates the likelihood with errors of about 1e-6, which can exceed the
    true difference from the limit (about slope / size).
    """
    if slope > 0:
        return False
    return not (size <= _ACCURATE_SIZE and loglik > limit_loglik + 1e-9 * (1 + abs(limit_loglik)))


# --- beta-binomial ------------------------------------------------------------------------------

def _bb_loglik(alpha, beta, r, n) -> float:
    const = special.gammaln(n + 1) - special.gammaln(r + 1) - special.gammaln(n - r + 1)
    return float(np.sum(const + special.betaln(alpha + r, beta + n - r)
                        - special.betaln(alpha, beta)))


def _binomial_loglik(p, r, n) -> float:
    return float(np.sum(_stats().binom.logpmf(r, n, p)))


def _bb_moments(r, n):
    """(alpha, beta) by moments; see fit_beta_binomial's Notes."""
    p = r.sum() / n.sum()
    total, k = n.sum(), r.size
    x2 = np.sum((r - n * p) ** 2 / (n * p * (1 - p)))
    rho = (x2 - (k - 1)) / (total - np.sum(n**2) / total - (k - 1))
    if rho <= 0:
        return np.inf, np.inf
    if rho >= 1:
        raise ValueError("The moment estimate of the intra-unit correlation is >= 1, so no "
                         "beta prior matches these counts; use method='ML'.")
    size = 1 / rho - 1
    return p * size, (1 - p) * size


def _bb_boundary_slope(r, n) -> float:
    """d loglik / d(1/M) at M = alpha + beta = inf, the mean at the pooled rate p.

    Expanding the beta-binomial log-likelihood in 1/M gives the binomial one plus
    ``s / M``, with ``s = 1/2 sum[r(r-1)/p + (n-r)(n-r-1)/(1-p) - n(n-1)]`` (whose
    expectation is 0 for binomial counts).  ``s <= 0``: the likelihood still rises toward
    M = inf, so complete pooling is a local maximum; ``s > 0``: a finite M fits better.
    """
    p = r.sum() / n.sum()
    terms = np.concatenate([r * (r - 1) / p, (n - r) * (n - r - 1) / (1 - p), -n * (n - 1.0)])
    return _slope(terms)


def _bb_ml(r, n, start):
    """(alpha, beta) maximizing the beta-binomial marginal likelihood over (logit mu, log size),
    or (inf, inf) when the binomial limit (complete pooling) is the maximum."""

    def negative(theta):
        mu, size = special.expit(theta[0]), np.exp(theta[1])
        a, b = mu * size, (1 - mu) * size
        value = -_bb_loglik(a, b, r, n)
        common = special.digamma(a + b) - special.digamma(a + b + n)
        da = np.sum(special.digamma(a + r) - special.digamma(a) + common)
        db = np.sum(special.digamma(b + n - r) - special.digamma(b) + common)
        grad = -np.array([(da - db) * size * mu * (1 - mu), da * a + db * b])
        return value, grad

    p = r.sum() / n.sum()
    mu0, size0 = start
    best = _minimize_from(negative, [[special.logit(mu0), np.log(size0)],
                                     [special.logit(p), np.log(10.0)],
                                     [special.logit(p), np.log(1000.0)]])
    mu, size = special.expit(best.x[0]), np.exp(best.x[1])
    if _pooled(size, -best.fun, _binomial_loglik(p, r, n), _bb_boundary_slope(r, n)):
        return np.inf, np.inf
    return mu * size, (1 - mu) * size


def fit_beta_binomial(events, n, method: str = "ML", *, labels=None,
                      level: float = 0.95) -> RateFit:
    """Beta–binomial empirical Bayes: shrink proportions :math:`r_i/n_i` toward a fitted Beta prior.

    Parameters
    ----------
    events : array_like of int
        Events per unit :math:`r_i` (e.g. deaths), ``0 <= events <= n``.
    n : array_like of int
        Trials per unit :math:`n_i \\ge 1` (e.g. operations).
    method : {"ML", "moments"}
        How the hyperparameters are estimated (case-insensitive): maximum marginal
        likelihood, or the method of moments (see Notes).
    labels : sequence, optional
        Unit labels; default: the index of `events` if it is a pandas Series.
    level : float
        Coverage of the posterior intervals in ``estimates`` (default 0.95).

    Returns
    -------
    RateFit
        ``estimates`` has columns ``events``, ``n``, ``raw``, ``weight``, ``shrunk``,
        ``sd``, ``lower``, ``upper``, ``posterior_a``, ``posterior_b``.

    See Also
    --------
    fit_gamma_poisson, overdispersion_test, funnel_limits, rank_summary

    Notes
    -----
    The marginal distribution of :math:`r_i` is beta–binomial,

    .. math:: \\ell(\\alpha,\\beta) = \\sum_i \\log\\binom{n_i}{r_i}
              + \\log B(\\alpha + r_i, \\beta + n_i - r_i) - \\log B(\\alpha, \\beta),

    maximized over :math:`\\mu = \\alpha/(\\alpha+\\beta)` and :math:`M = \\alpha+\\beta`
    (BFGS on logit μ and log M, analytic gradient).  As :math:`M \\to \\infty` it tends to
    the binomial likelihood at the pooled rate; when that limit is at least as high,
    the fit is complete pooling (α = β = ∞).

    Moments.  With :math:`\\hat p = \\sum r_i/N`, :math:`N = \\sum n_i`, and
    :math:`\\rho = 1/(\\alpha+\\beta+1)` (the intra-unit correlation), the Pearson
    statistic :math:`X^2 = \\sum_i (r_i - n_i\\hat p)^2/(n_i\\hat p(1-\\hat p))` has expectation
    :math:`(J-1)(1-\\rho) + \\rho(N - \\sum n_i^2/N)` (to first order in the pooled
    rate).  Solving for ρ gives

    .. math:: \\hat\\rho = \\frac{X^2 - (J-1)}{N - \\sum_i n_i^2/N - (J-1)},
              \\qquad \\hat\\alpha + \\hat\\beta = 1/\\hat\\rho - 1,

    truncated at :math:`\\hat\\rho = 0` (complete pooling); the prior mean is :math:`\\hat p`.
    So the moment estimate is driven by the same :math:`X^2` as
    :func:`overdispersion_test`: no extra-chance spread, no shrinkage target spread.

    References
    ----------
    Gelman, A. et al. (2013). *Bayesian Data Analysis*, 3rd ed., §5.3 (rat tumours).
    Kleinman, J. C. (1973). Proportions with extraneous variance: single and independent
    samples. *JASA* 68, 46–54.

    Examples
    --------
    >>> import hiertools as ht
    >>> s = ht.load("surgical").set_index("hospital")
    >>> fit = ht.fit_beta_binomial(s["deaths"], s["operations"], method="ML")
    >>> round(fit.prior_mean, 4), round(fit.alpha + fit.beta, 1)
    (0.0765, 107.9)
    >>> fit.estimates.loc["A", ["raw", "shrunk"]].round(4).tolist()
    [0.0, 0.0533]
    """
    method = check_option(method, "method", RATE_METHODS)
    level = check_scalar(level, "level", minimum=0, maximum=1, strict_min=True, strict_max=True)
    r, size, index = _binomial_inputs(events, n, labels)
    if r.size < 2:
        raise ValueError(f"events needs at least 2 units to estimate a spread, got {r.size}.")
    if r.sum() == 0 or r.sum() == size.sum():
        raise ValueError("events are all 0 (or all equal to n): the pooled rate is 0 (or 1) "
                         "and there is no spread to estimate.")
    if method == "ML":
        p = r.sum() / size.sum()
        try:
            alpha, beta = _bb_moments(r, size)
        except ValueError:  # no beta prior matches the moments; ML may still have one
            alpha = beta = 0.5
        start = (p, alpha + beta if np.isfinite(alpha) else 100.0)
        alpha, beta = _bb_ml(r, size, start)
    else:
        alpha, beta = _bb_moments(r, size)
    if np.isfinite(alpha):
        mean = alpha / (alpha + beta)
        prior_sd = float(np.sqrt(mean * (1 - mean) / (alpha + beta + 1)))
        loglik = _bb_loglik(alpha, beta, r, size)
        post = (alpha + r, beta + size - r)
        posterior = (post, size / (alpha + beta + size), _stats().beta(*post))
    else:
        mean, prior_sd = float(r.sum() / size.sum()), 0.0
        loglik, posterior = _binomial_loglik(mean, r, size), None
    return _rate_fit("beta-binomial", method, alpha, beta, mean, prior_sd, loglik,
                     {"events": r, "n": size}, r / size, posterior,
                     ("posterior_a", "posterior_b"), level, index)


def _rate_fit(model, method, alpha, beta, mean, prior_sd, loglik, data, raw, posterior,
              names, level, index) -> RateFit:
    """Assemble a RateFit; `posterior` is (parameters, weights, frozen scipy distribution),
    or None for complete pooling (every unit at the prior mean, with no spread)."""
    if posterior is None:
        params = (np.full(raw.size, np.inf),) * 2
        weight, sd = np.zeros(raw.size), np.zeros(raw.size)
        shrunk = lower = upper = np.full(raw.size, mean)
    else:
        params, weight, dist = posterior
        shrunk, sd = dist.mean(), dist.std()
        lower, upper = dist.ppf((1 - level) / 2), dist.ppf((1 + level) / 2)
    estimates = pd.DataFrame({**data, "raw": raw, "weight": weight, "shrunk": shrunk, "sd": sd,
                              "lower": lower, "upper": upper, names[0]: params[0],
                              names[1]: params[1]}, index=index)
    return RateFit(model, method, float(alpha), float(beta), float(mean), prior_sd, loglik,
                   estimates, level)


# --- gamma-Poisson ------------------------------------------------------------------------------

def _gp_loglik(alpha, beta, y, e) -> float:
    return float(np.sum(special.gammaln(alpha + y) - special.gammaln(alpha) - special.gammaln(y + 1)
                        + alpha * np.log(beta / (beta + e)) + y * np.log(e / (beta + e))))


def _poisson_loglik(m, y, e) -> float:
    return float(np.sum(_stats().poisson.logpmf(y, m * e)))


def _gp_moments(y, e):
    """(alpha, beta) by moments; see fit_gamma_poisson's Notes."""
    m = y.sum() / e.sum()
    total, k = e.sum(), y.size
    s = np.sum((y - m * e) ** 2 / e)
    v = (s - m * (k - 1)) / (total - np.sum(e**2) / total)
    if v <= 0:
        return np.inf, np.inf
    return m**2 / v, m / v


def _gp_boundary_slope(y, e) -> float:
    """d loglik / d(1/alpha) at alpha = inf, the prior mean at the pooled ratio m.

    Expanding the negative-binomial log-likelihood (means mu_i = m E_i) in 1/alpha gives
    the Poisson one plus ``s / alpha`` with ``s = 1/2 sum[(y - mu)^2 - y]``: the counts'
    spread beyond the Poisson variance.  ``s <= 0``: complete pooling is a local maximum.
    """
    mu = e * (y.sum() / e.sum())
    return _slope(np.concatenate([(y - mu) ** 2, -y.astype(float)]))


def _gp_ml(y, e, start):
    """(alpha, beta) maximizing the negative-binomial marginal likelihood over (log mean,
    log shape), or (inf, inf) when the Poisson limit (complete pooling) is the maximum."""

    def negative(theta):
        m, a = np.exp(theta[0]), np.exp(theta[1])
        b = a / m
        value = -_gp_loglik(a, b, y, e)
        da = np.sum(special.digamma(a + y) - special.digamma(a) + np.log(b) - np.log(b + e))
        db = np.sum(a / b - (a + y) / (b + e))
        # alpha = exp(s), beta = exp(s - t): d/dt = -beta * db, d/ds = alpha * da + beta * db
        grad = -np.array([-b * db, a * da + b * db])
        return value, grad

    m0 = y.sum() / e.sum()
    best = _minimize_from(negative, [[np.log(start[0]), np.log(start[1])],
                                     [np.log(m0), np.log(1.0)], [np.log(m0), np.log(100.0)]])
    m, a = np.exp(best.x)
    if _pooled(a, -best.fun, _poisson_loglik(m0, y, e), _gp_boundary_slope(y, e)):
        return np.inf, np.inf
    return a, a / m


def fit_gamma_poisson(observed, expected, method: str = "ML", *, labels=None,
                      level: float = 0.95) -> RateFit:
    """Gamma–Poisson empirical Bayes: shrink ratios :math:`y_i/E_i` (e.g. SMRs) to a Gamma prior.

    Parameters
    ----------
    observed : array_like of int
        Observed counts :math:`y_i \\ge 0`.
    expected : array_like
        Expected counts :math:`E_i > 0` at the reference rate (e.g. population at
        risk times the overall rate), so that :math:`y_i/E_i` is the standardized
        ratio (SMR) and the true relative risks :math:`\\theta_i` are near 1.
    method : {"ML", "moments"}
        Maximum marginal (negative-binomial) likelihood, or the method of moments.
    labels : sequence, optional
        Unit labels; default: the index of `observed` if it is a pandas Series.
    level : float
        Coverage of the posterior intervals (default 0.95).

    Returns
    -------
    RateFit
        ``estimates`` has columns ``observed``, ``expected``, ``raw`` (the SMR),
        ``weight``, ``shrunk``, ``sd``, ``lower``, ``upper``, ``posterior_shape``,
        ``posterior_rate``.

    See Also
    --------
    fit_beta_binomial, rank_summary

    Notes
    -----
    Marginally :math:`y_i` is negative binomial:

    .. math:: \\ell(\\alpha,\\beta) = \\sum_i \\log\\Gamma(\\alpha+y_i) - \\log\\Gamma(\\alpha)
              - \\log y_i! + \\alpha\\log\\frac{\\beta}{\\beta+E_i}
              + y_i\\log\\frac{E_i}{\\beta+E_i},

    maximized over the prior mean :math:`m = \\alpha/\\beta` and shape α (BFGS on their
    logs, analytic gradient); as α → ∞ it tends to the Poisson likelihood at the pooled
    ratio, reported as complete pooling (α = β = ∞) when that limit is at least as high.

    Moments.  With :math:`\\hat m = \\sum y_i/\\sum E_i` and :math:`T = \\sum E_i`, the
    statistic :math:`S = \\sum_i (y_i - \\hat m E_i)^2/E_i` has expectation
    :math:`m(J-1) + v(T - \\sum E_i^2/T)`,
    where :math:`v` is the prior variance of :math:`\\theta_i`; so

    .. math:: \\hat v = \\frac{S - \\hat m(J-1)}{T - \\sum_i E_i^2/T}, \\qquad
              \\hat\\alpha = \\hat m^2/\\hat v, \\quad \\hat\\beta = \\hat m/\\hat v,

    truncated at :math:`\\hat v = 0` (complete pooling).  This is Clayton & Kaldor's
    moment idea with the exact small-sample correction; Marshall's (1991) global estimator
    :math:`s^2 - \\hat m/\\bar E` is a close relative.

    References
    ----------
    Clayton, D. and Kaldor, J. (1987). Empirical Bayes estimates of age-standardized
    relative risks for use in disease mapping. *Biometrics* 43, 671–681.
    Marshall, R. J. (1991). Mapping disease and mortality rates using empirical Bayes
    estimators. *Applied Statistics* 40, 283–294.

    Examples
    --------
    >>> import hiertools as ht
    >>> lip = ht.load("lip_cancer").set_index("district")
    >>> expected = lip["person_years"] * lip["cases"].sum() / lip["person_years"].sum()
    >>> fit = ht.fit_gamma_poisson(lip["cases"], expected, method="ML")
    >>> round(fit.alpha, 3), round(fit.beta, 3)
    (1.502, 0.982)
    >>> fit.estimates.loc["Skye-Lochalsh", ["raw", "shrunk"]].round(2).tolist()
    [8.88, 5.26]
    >>> ht.fit_gamma_poisson([3, 5, 4], [4.0, 4.0, 4.0]).pooled  # no extra-chance spread
    True
    """
    method = check_option(method, "method", RATE_METHODS)
    level = check_scalar(level, "level", minimum=0, maximum=1, strict_min=True, strict_max=True)
    y, e, index = _poisson_inputs(observed, expected, labels)
    if y.size < 2:
        raise ValueError(f"observed needs at least 2 units to estimate a spread, got {y.size}.")
    if y.sum() == 0:
        raise ValueError("observed counts are all 0: the pooled ratio is 0 and there is no "
                         "spread to estimate.")
    alpha, beta = _gp_moments(y, e)
    if method == "ML":
        m = y.sum() / e.sum()
        alpha, beta = _gp_ml(y, e, (m, alpha if np.isfinite(alpha) else 10.0))
    if np.isfinite(alpha):
        mean, prior_sd = alpha / beta, float(np.sqrt(alpha) / beta)
        loglik = _gp_loglik(alpha, beta, y, e)
        post = (alpha + y, beta + e)
        posterior = (post, e / (beta + e), _stats().gamma(post[0], scale=1 / post[1]))
    else:
        mean, prior_sd = float(y.sum() / e.sum()), 0.0
        loglik, posterior = _poisson_loglik(mean, y, e), None
    return _rate_fit("gamma-Poisson", method, alpha, beta, mean, prior_sd, loglik,
                     {"observed": y, "expected": e}, y / e, posterior,
                     ("posterior_shape", "posterior_rate"), level, index)


# --- funnel limits and overdispersion -----------------------------------------------------------

def funnel_limits(n, target: float, level: float = 0.95, *, phi: float = 1.0):
    """Exact binomial control limits of a funnel plot, interpolated as Spiegelhalter (2005) does.

    Parameters
    ----------
    n : array_like or int
        Unit sizes (trials), ``>= 1``.
    target : float
        The proportion every unit would share if all were alike, ``0 < target < 1``.
    level : float
        Coverage: a unit "in control" falls outside the two limits with probability
        about ``1 - level`` (e.g. 0.95 or 0.998).
    phi : float
        Overdispersion factor φ ≥ 1 (e.g. :attr:`DispersionTest.phi`).  The default 1
        gives the binomial limits; with φ > 1 each limit's distance from the target is
        multiplied by √φ (see Notes).

    Returns
    -------
    (lower, upper) : tuple of numpy arrays (or floats for a scalar `n`)
        Limits on the proportion scale.  The lower limit is negative when even 0
        events would not be unusually low: no unit of that size can fall below it.

    Notes
    -----
    For each tail probability *p* (``(1 - level)/2`` and ``(1 + level)/2``) let
    :math:`r_p` be the *p*-quantile of :math:`\\text{Bin}(n, \\theta_0)` (the smallest *r*
    with :math:`F(r) \\ge p`).  Because the binomial is discrete, the limit is
    interpolated between :math:`r_p - 1` and :math:`r_p` (Spiegelhalter 2005, Appendix A.1.1):

    .. math:: \\text{limit} = \\frac{r_p - a}{n}, \\qquad
              a = \\frac{F(r_p) - p}{F(r_p) - F(r_p - 1)}.

    Overdispersion (Spiegelhalter 2005, §6.1).  When the units vary more than the binomial
    allows (:math:`\\hat\\phi = X^2/J` well above 1), the limits are widened around the
    target by the square root of the factor:
    :math:`\\theta_0 + \\sqrt{\\phi}\\,(\\text{limit} - \\theta_0)`.  Spiegelhalter widens
    the normal-approximation limits :math:`\\theta_0 \\pm z\\sqrt{\\phi\\,\\theta_0(1-\\theta_0)/n}`
    this way; here the same factor widens the exact limits, which it matches for large n.
    A point outside them differs from the target by more than the between-unit spread
    of the whole set explains.  (His alternative, an additive random-effects variance
    :math:`\\tau^2` added to :math:`\\theta_0(1-\\theta_0)/n`, widens small units' limits less.)

    References
    ----------
    Spiegelhalter, D. J. (2005). Funnel plots for comparing institutional performance.
    *Statistics in Medicine* 24, 1185–1202.

    Examples
    --------
    >>> import hiertools as ht
    >>> lower, upper = ht.funnel_limits([47, 810], target=0.074, level=0.998)
    >>> upper.round(4).tolist()
    [0.2059, 0.1033]
    >>> wide = ht.funnel_limits([47, 810], target=0.074, level=0.998, phi=4.0)[1]
    >>> wide.round(4).tolist()  # 0.074 + 2 * (upper - 0.074): sqrt(4) = 2
    [0.3378, 0.1326]
    """
    scalar = np.ndim(n) == 0
    size = check_array(n, "n", allow_scalar=True, positive=True)
    if not np.all(size == np.round(size)):
        raise ValueError(f"n must hold whole numbers (trials), got {n!r}.")
    target = check_scalar(target, "target", minimum=0, maximum=1, strict_min=True,
                          strict_max=True)
    level = check_scalar(level, "level", minimum=0, maximum=1, strict_min=True, strict_max=True)
    phi = check_scalar(phi, "phi", minimum=1)
    limits = []
    binom = _stats().binom
    for p in ((1 - level) / 2, (1 + level) / 2):
        rp = binom.ppf(p, size, target)
        a = (binom.cdf(rp, size, target) - p) / binom.pmf(rp, size, target)
        limits.append(target + np.sqrt(phi) * ((rp - a) / size - target))
    lower, upper = limits
    return (float(lower), float(upper)) if scalar else (lower, upper)


@dataclass(frozen=True)
class DispersionTest:
    """Is there more variation between units than chance allows? (see :func:`overdispersion_test`)

    Attributes
    ----------
    statistic : float
        Pearson's :math:`X^2 = \\sum_i z_i^2`.
    df : int
        Degrees of freedom of its chi-square reference distribution.
    p_value : float
        :math:`P(\\chi^2_{df} \\ge X^2)`.
    phi : float
        Spiegelhalter's overdispersion factor :math:`\\hat\\phi = X^2/J` (about 1 without
        overdispersion).
    target : float
        The proportion the units are compared with.
    z : pandas.Series
        Each unit's z-score :math:`(r_i/n_i - \\theta_0)/\\sqrt{\\theta_0(1-\\theta_0)/n_i}`.
    """

    statistic: float
    df: int
    p_value: float
    phi: float
    target: float
    z: pd.Series = field(repr=False)

    def __repr__(self) -> str:
        return (f"overdispersion test: X2 = {self.statistic:.2f} on {self.df} df, "
                f"p = {self.p_value:.3g}; phi = {self.phi:.2f}")


def overdispersion_test(events, n, target: float | None = None) -> DispersionTest:
    """Chi-square test of "all units share one proportion", and the overdispersion factor φ.

    Parameters
    ----------
    events, n : array_like of int
        Events and trials per unit.
    target : float, optional
        The common proportion under the null; default the pooled proportion
        :math:`\\sum r_i/\\sum n_i` (estimated, which costs one degree of freedom).

    Returns
    -------
    DispersionTest

    Notes
    -----
    :math:`X^2 = \\sum_i z_i^2` is Pearson's chi-square statistic of the 2 × J table of
    events and non-events; under the null it is approximately :math:`\\chi^2_{J-1}`
    (:math:`\\chi^2_J` for a given target).  Spiegelhalter (2005, §6) estimates the
    overdispersion factor as :math:`\\hat\\phi = X^2/J`.

    Examples
    --------
    >>> import hiertools as ht
    >>> s = ht.load("surgical")
    >>> ht.overdispersion_test(s["deaths"], s["operations"])
    overdispersion test: X2 = 38.56 on 11 df, p = 6.3e-05; phi = 3.21
    """
    r, size, index = _binomial_inputs(events, n, None)
    estimated = target is None
    if estimated:
        target = r.sum() / size.sum()
        if target in (0.0, 1.0):
            raise ValueError("events are all 0 (or all equal to n): nothing to test.")
    else:
        target = check_scalar(target, "target", minimum=0, maximum=1, strict_min=True,
                              strict_max=True)
    z = (r / size - target) / np.sqrt(target * (1 - target) / size)
    x2 = float(np.sum(z**2))
    df = r.size - 1 if estimated else r.size
    return DispersionTest(x2, df, float(_stats().chi2.sf(x2, df)), x2 / r.size, float(target),
                          pd.Series(z, index=index, name="z"))


# --- ranks --------------------------------------------------------------------------------------

def rank_summary(draws, *, highest_first: bool = True, level: float = 0.95) -> pd.DataFrame:
    """Posterior rank of every unit, from joint draws of their true values.

    Parameters
    ----------
    draws : pandas.DataFrame or 2-D array
        One row per draw, one column per unit (e.g. ``RateFit.sample()``).
    highest_first : bool
        Rank 1 is the highest value (e.g. the highest mortality: "the worst"); with
        False, rank 1 is the lowest.
    level : float
        Coverage of the rank interval (default 0.95).

    Returns
    -------
    pandas.DataFrame
        One row per unit: ``mean_rank``, ``lower`` and ``upper`` (equal-tailed rank
        interval, whole numbers), and ``p_first``, the share of draws in which the unit
        ranks first.

    Notes
    -----
    Ranks are computed within each draw (a vectorized double argsort; ties keep the
    columns' order), so every draw ranks the units 1..J exactly once; summaries of those
    ranks give the posterior distribution of each unit's rank (Goldstein & Spiegelhalter
    1996).  Interval ends are quantiles by the inverted empirical CDF, so they are ranks
    that occurred.  The draws are ranked a block of rows at a time and only the counts
    (unit, rank) are kept, so 200,000 draws of 12 units need a few MB beyond the draws
    themselves; the summaries are exactly those of the full (draws, J) array of ranks.

    References
    ----------
    Goldstein, H. and Spiegelhalter, D. J. (1996). League tables and their limitations:
    statistical issues in comparisons of institutional performance. *JRSS A* 159, 385–443.

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> draws = np.array([[3.0, 2.0, 1.0], [3.0, 1.0, 2.0]])
    >>> ht.rank_summary(draws)
       mean_rank  lower  upper  p_first
    0        1.0      1      1      1.0
    1        2.5      2      3      0.0
    2        2.5      2      3      0.0
    """
    columns = draws.columns.copy() if isinstance(draws, pd.DataFrame) else None
    try:
        values = np.asarray(draws, dtype=float)   # no copy of a float frame; never written
    except (TypeError, ValueError):
        raise TypeError("draws must be a DataFrame or a 2-D array of numbers "
                        "(rows: draws, columns: units).") from None
    if values.ndim != 2 or values.shape[0] < 1 or values.shape[1] < 2:
        raise ValueError(f"draws must be 2-D with at least 1 draw and 2 units (rows: draws, "
                         f"columns: units), got shape {values.shape}.")
    if not np.isfinite(values).all():
        raise ValueError("draws contains NaN or infinite values; drop the draws (rows) that "
                         "hold them first.")
    highest_first = check_bool(highest_first, "highest_first")
    level = check_scalar(level, "level", minimum=0, maximum=1, strict_min=True, strict_max=True)
    counts = _rank_counts(values, highest_first)
    draws_n, units = values.shape
    tails = np.array([(1 - level) / 2, (1 + level) / 2])
    lower, upper = _inverted_cdf_ranks(counts, tails)
    index = columns if columns is not None else pd.RangeIndex(units)
    return pd.DataFrame({"mean_rank": counts @ np.arange(1, units + 1) / draws_n,
                         "lower": lower, "upper": upper, "p_first": counts[:, 0] / draws_n},
                        index=index)


#: Rows ranked at once by `_rank_counts`, times the number of units: 0.5 MB per array.
_RANK_BLOCK = 2**16


def _rank_counts(values, highest_first: bool) -> np.ndarray:
    """(J, J) integer counts: row j, column k = draws in which unit j has rank k + 1.

    Ranks are the double stable argsort of each row (of ``-values`` when `highest_first`),
    computed a block of rows at a time so that no (draws, J) array of ranks is ever held.
    """
    draws, units = values.shape
    counts = np.zeros(units * units, dtype=np.int64)
    offsets = np.arange(units) * units
    step = max(1, _RANK_BLOCK // units)
    for start in range(0, draws, step):
        block = values[start:start + step]
        keys = -block if highest_first else block
        ranks = keys.argsort(axis=1, kind="stable").argsort(axis=1, kind="stable")
        ranks += offsets
        counts += np.bincount(ranks.ravel(), minlength=units * units)
    return counts.reshape(units, units)


def _inverted_cdf_ranks(counts, q) -> np.ndarray:
    """Quantiles `q` of every unit's rank from its counts, as ``np.quantile(ranks, q,
    axis=0, method="inverted_cdf")`` of the full array of ranks gives them (same
    arithmetic for the order statistic's position); shape (len(q), J), integers."""
    draws = int(counts[0].sum())
    position = draws * q - 1                      # numpy's virtual index for inverted_cdf
    below = np.floor(position)
    position = np.where(position - below == 0, below, below + 1).astype(np.intp)
    position[position < 0] = 0
    cumulative = counts.cumsum(axis=1)
    # the sorted ranks' element at `position` is the first rank whose count exceeds it
    return np.array([[int(np.searchsorted(row, k, side="right")) + 1 for row in cumulative]
                     for k in position])
