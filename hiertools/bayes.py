"""Fully Bayesian inference for the normal hierarchical model with known standard errors.

The model and its notation (code name → symbol)::

    y      y_j     estimate of group j, j = 1..J    y_j | θ_j ~ N(θ_j, σ_j²)
    se     σ_j     its known standard error
    theta  θ_j     the group's true value           θ_j | μ, τ ~ N(μ, τ²)
    mu     μ       the population mean              p(μ) ∝ 1 (flat)
    tau    τ       the population SD, τ ≥ 0         p(τ): the ``prior`` argument

Two ways to the posterior, which the tests hold against each other:

*Exact, on a grid* (:func:`tau_posterior`; BDA3 §5.4).  With μ integrated out,

.. math:: p(\\tau \\mid y) \\propto p(\\tau)\\, V_\\mu^{1/2} \\prod_j (\\sigma_j^2+\\tau^2)^{-1/2}
          \\exp\\Big(-\\frac{(y_j-\\hat\\mu)^2}{2(\\sigma_j^2+\\tau^2)}\\Big)          \\qquad (5.21)

with :math:`\\hat\\mu = \\sum_j y_j/(\\sigma_j^2+\\tau^2) \\,/\\, \\sum_j 1/(\\sigma_j^2+\\tau^2)`
and :math:`V_\\mu^{-1} = \\sum_j 1/(\\sigma_j^2+\\tau^2)`; then
:math:`\\mu \\mid \\tau, y \\sim N(\\hat\\mu, V_\\mu)` (5.20) and, writing
:math:`B_j = \\sigma_j^2/(\\sigma_j^2+\\tau^2)`,
:math:`\\theta_j \\mid \\mu, \\tau, y \\sim N((1-B_j)y_j + B_j\\mu,\\,(1-B_j)\\sigma_j^2)` (5.17).
Hence :math:`E(\\theta_j\\mid\\tau,y) = (1-B_j)y_j + B_j\\hat\\mu` and
:math:`\\operatorname{var}(\\theta_j\\mid\\tau,y) = (1-B_j)\\sigma_j^2 + B_j^2 V_\\mu`, and the
laws of total expectation and variance over :math:`p(\\tau\\mid y)` give
:math:`E(\\theta_j\\mid y)` and :math:`\\operatorname{sd}(\\theta_j\\mid y)`.

Identities used.  The factor after :math:`p(\\tau)` in (5.21) is the *restricted*
likelihood of τ, so the REML estimate of :func:`~hiertools.estimate_tau` is the mode of
:math:`p(\\tau \\mid y)` under the uniform prior.  It tends to a positive constant as
τ → 0 and falls like :math:`\\tau^{1-J}` as τ → ∞.  So a uniform prior on τ gives a
proper posterior only for J ≥ 3 (and a finite posterior mean of τ only for J ≥ 4), and a
flat prior on log τ, :math:`p(\\tau) \\propto 1/\\tau`, never does: its integral diverges
at 0 whatever the data.

*By MCMC* (:func:`sample_posterior`): a Gibbs sampler, all chains advancing together as
numpy arrays, in the centred (θ) or non-centred (θ_j = μ + τ η_j) parametrization; with
the uniform prior every step is an exact conditional draw (BDA3 §11.6), with the other
priors τ takes a random-walk Metropolis step on log τ.  :func:`rhat`, :func:`ess` and
:func:`mcse` are the convergence diagnostics of Vehtari et al. (2021), written to agree
with ArviZ on the same arrays.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from ._validation import (_short, check_array, check_consistent_length, check_option,
                          check_scalar, common_index)

__all__ = ["TauPosterior", "tau_posterior", "sample_posterior", "rhat", "ess", "mcse"]

#: Priors on τ by name.  "inverse-gamma" is IG(ε, ε) on τ², kept to show Gelman's (2006) trap.
PRIORS = ("uniform", "half-cauchy", "half-normal", "inverse-gamma")
#: Names of improper priors, refused with the reason.
IMPROPER = ("log-uniform", "jeffreys")
PARAMETRIZATIONS = ("centered", "noncentered")

#: Grid step in v, where τ = c·sinh(v): spacing c·h near 0 and a relative step h in the
#: tail.  With h = 0.001 the trapezoid rule matches adaptive quadrature to about 1e-6
#: (tests/test_bayes.py).
GRID_STEP = 0.001
#: The grid ends where the probability beyond it (and its share of E(τ)) is below this.
TAIL_MASS = 1e-12
#: The grid is first laid out to this many times the data's scale, then cut by TAIL_MASS.
GRID_REACH = 1e9
#: sample_posterior: with progress=None a bar appears when (warm-up + draws) times
#: max(1, chains·J/1000) reaches this (about a second or more on a laptop).
PROGRESS_WORK = 20_000
#: sample_posterior: iterations per block of random numbers (and per progress-bar update).
BLOCK = 250
#: Metropolis on log τ: acceptance rate aimed at while adapting the step during warm-up.
TARGET_ACCEPT = 0.44


# --- validation ------------------------------------------------------------------------------

def _rng(seed) -> np.random.Generator:
    """A numpy Generator from a seed (a whole number >= 0) or a Generator passed through."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_scalar(seed, "seed", integer=True, minimum=0))


def _check_data(y, se):
    """y, se as float arrays (se > 0, same length, at least 2 groups) and the input's index."""
    index = common_index(y=y, se=se)
    y = check_array(y, "y")
    se = check_array(se, "se", positive=True, allow_scalar=True)
    if se.ndim == 0:  # one standard error for every group
        se = np.full(y.shape, float(se))
    check_consistent_length(y=y, se=se)
    if y.size < 2:
        raise ValueError(f"y has {y.size} group; the hierarchical model needs at least 2 groups "
                         "to say anything about tau.")
    if index is not None and len(index) != y.size:
        index = None
    return y, se, index


def _check_prior(prior, scale, n_groups):
    """The canonical prior name and its scale, or a clear error (improper priors explained)."""
    if isinstance(prior, str) and prior.lower().replace("_", "-") in IMPROPER + ("flat-log",):
        raise ValueError(
            f"prior={prior!r} (flat on log tau, p(tau) ∝ 1/tau) gives an improper posterior: "
            "the likelihood of tau tends to a positive constant as tau -> 0, so the integral "
            "of likelihood/tau diverges at 0 whatever the data. Use a proper prior instead, "
            "e.g. prior='half-cauchy', scale=25 (Gelman 2006) or prior='half-normal', or "
            "prior='uniform' (proper here with 3 or more groups).")
    prior = check_option(prior, "prior", PRIORS)
    if prior == "uniform":
        if scale is not None:
            raise ValueError("prior='uniform' is flat on [0, inf) and takes no scale; pass "
                             "scale=None (or choose prior='half-normal' or 'half-cauchy').")
        if n_groups < 3:
            raise ValueError(f"prior='uniform' gives an improper posterior with {n_groups} "
                             "groups (the likelihood of tau falls only like tau^(1-J)); it "
                             "needs 3 or more. Use prior='half-cauchy' with a scale instead.")
        return prior, None
    if scale is None:
        what = ("epsilon, the shape and rate of IG(epsilon, epsilon) on tau², e.g. scale=1"
                if prior == "inverse-gamma" else
                "the prior's scale in the units of y, e.g. scale=25 as in Gelman (2006)")
        raise ValueError(f"prior={prior!r} needs scale=: {what}.")
    return prior, check_scalar(scale, "scale", minimum=0, strict_min=True)


def _log_prior(tau, prior, scale):
    """log p(τ) up to a constant (-inf where the density is 0)."""
    tau = np.asarray(tau, dtype=float)
    if prior == "uniform":
        return np.zeros_like(tau)
    if prior == "half-cauchy":
        return -np.log1p((tau / scale) ** 2)
    if prior == "half-normal":
        return -0.5 * (tau / scale) ** 2
    # inverse-gamma(ε, ε) on τ², as a density of τ: 2τ·(τ²)^(-ε-1)·exp(-ε/τ²)
    positive = np.where(tau > 0, tau, 1.0)
    return np.where(tau > 0, -(2 * scale + 1) * np.log(positive) - scale / positive**2, -np.inf)


# --- the exact posterior on a grid -----------------------------------------------------------

def _mu_given_tau(y, se2, tau):
    """μ̂(τ), the precision 1/V_μ(τ) = Σ_j 1/(se_j² + τ²), and its terms 1/(se_j² + τ²).

    `y` has shape (..., J) and `tau` shape (G,); μ̂ has shape (..., G), the precision (G,),
    the terms (G, J).
    """
    prec = 1.0 / (se2 + np.asarray(tau, dtype=float)[:, None] ** 2)   # (G, J)
    total = prec.sum(axis=-1)                                          # (G,)
    return (y[..., None, :] * prec).sum(axis=-1) / total, total, prec


def _conditionals(y, se2, tau):
    """μ̂(τ), V_μ(τ) and log p(y | τ) (flat prior on μ, constants dropped) for each τ.

    `y` has shape (..., J) and `tau` shape (G,); results have shape (..., G).
    """
    mu_hat, total, prec = _mu_given_tau(y, se2, tau)
    v = se2 + np.asarray(tau, dtype=float)[:, None] ** 2              # (G, J)
    resid2 = (y[..., None, :] - mu_hat[..., None]) ** 2
    loglik = (-0.5 * np.log(total) - 0.5 * np.log(v).sum(axis=-1)
              - 0.5 * (resid2 * prec).sum(axis=-1))
    return mu_hat, 1.0 / total, loglik


def _theta_given_tau(y, se2, tau, mu_hat, v_mu):
    """E(θ_j | τ, y) and var(θ_j | τ, y), shape (G, J)."""
    shrink = se2 / (se2 + np.asarray(tau)[:, None] ** 2)                # B_j
    mean = (1 - shrink) * y + shrink * mu_hat[:, None]
    var = (1 - shrink) * se2 + shrink**2 * v_mu[:, None]
    return mean, var


def _grid(y, se, prior, scale):
    """τ = c·sinh(v): fine near 0, geometric in the tail, out to GRID_REACH × the data's scale."""
    spread = max(float(se.max()), float(np.ptp(y)), scale or 0.0)
    c = 0.25 * float(se.min())
    if prior == "inverse-gamma":  # resolve the prior's spike near sqrt(2ε/(2ε+1))
        c = min(c, 0.1 * np.sqrt(2 * scale / (2 * scale + 1)))
    elif scale is not None:
        c = min(c, 0.25 * scale)
    v_max = np.arcsinh(GRID_REACH * spread / c)
    return c * np.sinh(np.arange(0.0, v_max + GRID_STEP, GRID_STEP))


def _trapezoid_weights(x):
    """w with sum(w * f) = the trapezoid rule for ∫ f dx on the nodes x."""
    dx = np.diff(x)
    w = np.zeros_like(x)
    w[:-1] += dx / 2
    w[1:] += dx / 2
    return w


def _freeze(*arrays):
    for a in arrays:
        if isinstance(a, np.ndarray):
            a.flags.writeable = False
        elif isinstance(a, pd.Series | pd.DataFrame):
            a.to_numpy().flags.writeable = False


@dataclass(frozen=True, eq=False)
class TauPosterior:
    """The exact posterior of the normal hierarchical model, computed on a grid of τ.

    Made by :func:`tau_posterior`; read-only.

    Attributes
    ----------
    tau : numpy.ndarray
        The grid, from 0 out to where less than 1e-12 of the probability lies beyond.
    density : numpy.ndarray
        :math:`p(\\tau \\mid y)` at the grid points, normalized so that the trapezoid rule
        on the grid gives 1: ``np.trapezoid(density, tau) == 1``.
    prior : str
    scale : float or None
        The prior's scale (ε for ``"inverse-gamma"``).
    tau_mean, tau_median : float
        :math:`E(\\tau\\mid y)` (``inf`` when it does not exist: uniform prior, J = 3) and
        the posterior median.
    theta_mean, theta_sd : numpy.ndarray or pandas.Series
        :math:`E(\\theta_j\\mid y)` and :math:`\\operatorname{sd}(\\theta_j\\mid y)`, integrated
        over τ; a Series on the input's index when y or se was one.
    y, se : numpy.ndarray
        The data.
    """

    tau: np.ndarray
    density: np.ndarray
    prior: str
    scale: float | None
    tau_mean: float
    tau_median: float
    theta_mean: object
    theta_sd: object
    y: np.ndarray
    se: np.ndarray
    labels: pd.Index | None = field(default=None, repr=False)
    _cdf: np.ndarray = field(default=None, repr=False)
    _mu_hat: np.ndarray = field(default=None, repr=False)
    _v_mu: np.ndarray = field(default=None, repr=False)

    def __repr__(self) -> str:
        prior = self.prior if self.scale is None else f"{self.prior}({self.scale:g})"
        return (f"TauPosterior(J={self.y.size}, prior={prior}, tau_mean={self.tau_mean:.4g}, "
                f"tau_median={self.tau_median:.4g}, grid of {self.tau.size} points up to "
                f"{self.tau[-1]:.4g})")

    # -- probabilities and quantiles -----------------------------------------------------------

    def quantile(self, q):
        """Posterior quantile(s) of τ: the inverse of the grid's CDF (density linear between
        grid points, as in the trapezoid rule)."""
        q = np.asarray(check_array(q, "q", allow_scalar=True), dtype=float)
        if ((q < 0) | (q > 1)).any():
            raise ValueError(f"q must lie in [0, 1], got {_short(q.tolist())}.")
        return _inverse_cdf(self.tau, self._cdf, q, self.density)

    def conditional(self, tau):
        """E(θ_j | τ, y) and sd(θ_j | τ, y) at the given τ values (BDA3 figures 5.6 and 5.7).

        Returns
        -------
        mean, sd : pandas.DataFrame
            One row per τ (the index), one column per group.
        """
        tau = check_array(tau, "tau", allow_scalar=True, nonnegative=True)
        tau = np.atleast_1d(tau)
        mu_hat, v_mu, _ = _conditionals(self.y, self.se**2, tau)
        mean, var = _theta_given_tau(self.y, self.se**2, tau, mu_hat, v_mu)
        columns = self.labels if self.labels is not None else pd.RangeIndex(self.y.size)
        index = pd.Index(tau, name="tau")
        return (pd.DataFrame(mean, index=index, columns=columns),
                pd.DataFrame(np.sqrt(var), index=index, columns=columns))

    def theta_quantile(self, q):
        """Posterior quantile q of every θ_j, exact on the grid (a mixture of normals over τ).

        Returns an array (a Series on the input's index) of J values.
        """
        q = check_scalar(q, "q", minimum=0, maximum=1, strict_min=True, strict_max=True)
        weights = self.density * _trapezoid_weights(self.tau)
        keep = weights > 1e-16 * weights.max()
        tau, weights = self.tau[keep], weights[keep] / weights[keep].sum()
        mean, var = _theta_given_tau(self.y, self.se**2, tau, self._mu_hat[keep],
                                     self._v_mu[keep])
        sd = np.sqrt(var)
        lo = (mean - 10 * sd).min(axis=0)
        hi = (mean + 10 * sd).max(axis=0)
        for _ in range(60):  # bisection, all groups at once: 2^-60 of the bracket
            mid = (lo + hi) / 2
            cdf = weights @ special.ndtr((mid - mean) / sd)
            below = cdf < q
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        return self._like_groups((lo + hi) / 2)

    def _like_groups(self, values, name=None):
        if self.labels is None:
            return values
        return pd.Series(values, index=self.labels.copy(), name=name)

    # -- draws ---------------------------------------------------------------------------------

    def sample(self, draws: int = 4000, seed=0) -> pd.DataFrame:
        """Independent draws of (τ, μ, θ) from the exact posterior.

        τ by inverse CDF from the grid (linear interpolation between grid points),
        then μ | τ, y and θ | μ, τ, y from their normal distributions (5.20, 5.17).

        Parameters
        ----------
        draws : int
        seed : int or numpy.random.Generator

        Returns
        -------
        pandas.DataFrame
            Columns ``tau``, ``mu``, ``theta[0]``, ..., one row per draw.
        """
        draws = check_scalar(draws, "draws", integer=True, minimum=1)
        rng = _rng(seed)
        tau = _inverse_cdf(self.tau, self._cdf, rng.uniform(size=draws), self.density)
        se2 = self.se**2
        mu_hat, total = _mu_given_tau(self.y, se2, tau)[:2]   # let the (draws, J) terms go
        mu = mu_hat + np.sqrt(1.0 / total) * rng.standard_normal(draws)
        # θ = (1 − B) y + B μ + sqrt((1 − B) se²) z, built in place: three (draws, J)
        # arrays at most, so that 200,000 draws fit in a hub kernel's memory
        shrink = se2 / (se2 + tau[:, None] ** 2)
        keep = 1 - shrink
        theta = keep * self.y
        shrink *= mu[:, None]
        theta += shrink
        del shrink
        keep *= se2
        noise = rng.standard_normal((draws, self.y.size))
        noise *= np.sqrt(keep, out=keep)
        theta += noise
        del keep, noise
        return _draws_frame(tau=tau, mu=mu, theta=theta)

    # -- display -------------------------------------------------------------------------------

    def summary(self) -> pd.DataFrame:
        """Per group: y, se, posterior mean and sd of θ_j, and its 95% interval."""
        table = pd.DataFrame({
            "y": self.y, "se": self.se,
            "mean": np.asarray(self.theta_mean), "sd": np.asarray(self.theta_sd),
            "2.5%": np.asarray(self.theta_quantile(0.025)),
            "97.5%": np.asarray(self.theta_quantile(0.975)),
        }, index=self.labels if self.labels is not None else pd.RangeIndex(self.y.size))
        table.index.name = table.index.name or "group"
        return table

    def _repr_html_(self) -> str:
        prior = self.prior if self.scale is None else f"{self.prior}, scale {self.scale:g}"
        head = (f"<p><b>Posterior of the normal hierarchical model</b> (J = {self.y.size}, "
                f"flat prior on μ, {html.escape(prior)} prior on τ): "
                f"E(τ | y) = {self.tau_mean:.4g}, median {self.tau_median:.4g}, "
                f"95% interval {self.quantile(0.025):.4g} to {self.quantile(0.975):.4g}.</p>")
        return head + self.summary().to_html(float_format=lambda v: f"{v:.4g}")


def _inverse_cdf(grid, cdf, u, density):
    """τ with CDF(τ) = u, exactly for the trapezoid rule's density (linear between points).

    Within a cell the CDF is quadratic, F = F_i + f_i s + slope s²/2, solved for s in the
    form that stays accurate when the slope is near 0.
    """
    u = np.asarray(u, dtype=float)
    i = np.clip(np.searchsorted(cdf, u, side="right") - 1, 0, grid.size - 2)
    width = grid[i + 1] - grid[i]
    slope = (density[i + 1] - density[i]) / width
    r = np.maximum(u - cdf[i], 0.0)
    root = np.sqrt(np.maximum(density[i] ** 2 + 2 * slope * r, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(r > 0, 2 * r / (density[i] + root), 0.0)
    return grid[i] + np.clip(np.nan_to_num(s, nan=0.0, posinf=width), 0.0, width)


def _draws_frame(**columns) -> pd.DataFrame:
    """One row per draw: the named columns, then theta's last axis as theta[0], theta[1], ...

    Filled into one column-major array that the frame then uses without a copy, so that
    a large sample costs its own size once (not three times) at its peak.
    """
    theta = columns.pop("theta")
    groups = theta.shape[-1]
    names = [*columns, *(f"theta[{j}]" for j in range(groups))]
    values = np.empty((theta.size // groups, len(names)), order="F")
    for k, column in enumerate(columns.values()):
        values[:, k] = np.ravel(column)
    values[:, len(columns):] = theta.reshape(-1, groups)
    return pd.DataFrame(values, columns=names, copy=False)


def tau_posterior(y, se, prior: str = "uniform", *, scale=None) -> TauPosterior:
    """The exact posterior of τ (and of μ, θ) in the normal hierarchical model, on a grid.

    Parameters
    ----------
    y : array_like or pandas.Series
        Group estimates :math:`y_j` (at least 2; 3 with the uniform prior).
    se : float, array_like or pandas.Series
        Their known standard errors :math:`\\sigma_j > 0` (one number: the same for all).
    prior : {"uniform", "half-cauchy", "half-normal", "inverse-gamma"}
        Prior on τ; μ always has a flat prior.  ``"uniform"`` is flat on [0, ∞) (BDA3's
        choice for eight schools); ``"half-cauchy"`` and ``"half-normal"`` need `scale`.
        ``"inverse-gamma"`` is IG(ε, ε) on τ² with ε = `scale`: once a default, it is kept
        here to show Gelman's (2006) trap — for small ε the posterior follows ε, not the
        data.  A flat prior on log τ (``"log-uniform"``) is refused: its posterior is
        improper.
    scale : float, optional
        The half-Cauchy or half-normal scale (units of y), or ε.

    Returns
    -------
    TauPosterior

    See Also
    --------
    sample_posterior, estimate_tau

    Notes
    -----
    The grid is :math:`\\tau_i = c\\sinh(ih)` with ``h = GRID_STEP``: evenly spaced (c·h)
    near 0, geometric in the tail, laid out to ``GRID_REACH`` times the data's scale and
    then cut where less than ``TAIL_MASS`` of the probability, and of E(τ), lies beyond.
    All integrals are trapezoid sums on that grid.  For the formulas see the module
    docstring.

    References
    ----------
    Gelman, A. et al. (2013). *Bayesian Data Analysis*, 3rd ed., §5.4. CRC Press.
    Gelman, A. (2006). Prior distributions for variance parameters in hierarchical models.
    *Bayesian Analysis* 1, 515-534.

    Examples
    --------
    >>> import hiertools as ht
    >>> schools = ht.load("eight_schools").set_index("school")
    >>> post = ht.tau_posterior(schools["y"], schools["se"])
    >>> round(post.tau_mean, 2), round(post.tau_median, 2)
    (6.58, 5.24)
    >>> post.theta_mean.round(1).tolist()
    [11.4, 7.9, 6.1, 7.6, 5.1, 6.1, 10.7, 8.5]
    """
    y, se, index = _check_data(y, se)
    prior, scale = _check_prior(prior, scale, y.size)
    se2 = se**2
    tau = _grid(y, se, prior, scale)
    mu_hat, v_mu, loglik = _conditionals(y, se2, tau)
    logpost = loglik + _log_prior(tau, prior, scale)
    dens = np.exp(logpost - logpost.max())
    weights = _trapezoid_weights(tau)
    # cut the far tail: keep the grid up to where mass and E(tau) beyond are negligible
    mass = dens * weights
    tail = np.cumsum(mass[::-1])[::-1] / mass.sum()
    tail_tau = np.cumsum((tau * mass)[::-1])[::-1] / (tau * mass).sum()
    end = int(np.argmax((tail < TAIL_MASS) & (tail_tau < TAIL_MASS))) or tau.size - 1
    keep = slice(0, end + 1)
    tau, dens, mu_hat, v_mu = tau[keep], dens[keep], mu_hat[keep], v_mu[keep]
    weights = _trapezoid_weights(tau)
    dens = dens / (dens @ weights)
    cdf = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) / 2 * np.diff(tau))])

    mean_t, var_t = _theta_given_tau(y, se2, tau, mu_hat, v_mu)
    w = dens * weights
    theta_mean = w @ mean_t
    theta_var = w @ (var_t + mean_t**2) - theta_mean**2
    finite_mean = not (prior == "uniform" and y.size == 3)
    labels = index.copy() if index is not None else None
    result = TauPosterior(
        tau=tau, density=dens, prior=prior, scale=scale,
        tau_mean=float(w @ tau) if finite_mean else float("inf"),
        tau_median=float(_inverse_cdf(tau, cdf, 0.5, dens)),
        theta_mean=theta_mean, theta_sd=np.sqrt(np.maximum(theta_var, 0.0)),
        y=y.copy(), se=se.copy(), labels=labels, _cdf=cdf, _mu_hat=mu_hat, _v_mu=v_mu)
    if labels is not None:
        object.__setattr__(result, "theta_mean", result._like_groups(theta_mean, "theta_mean"))
        object.__setattr__(result, "theta_sd", result._like_groups(result.theta_sd, "theta_sd"))
    _freeze(result.tau, result.density, result.y, result.se, cdf, mu_hat, v_mu,
            result.theta_mean, result.theta_sd)
    return result


# --- Gibbs sampling --------------------------------------------------------------------------

def _want_progress(progress, iterations, chains, n_groups) -> bool:
    if progress is None:
        return iterations * max(1.0, chains * n_groups / 1000) >= PROGRESS_WORK
    if not isinstance(progress, bool | np.bool_):
        raise TypeError(f"progress must be True, False or None (automatic), got "
                        f"{_short(progress)}.")
    return bool(progress)


def sample_posterior(y, se, *, draws: int = 2000, chains: int = 4, seed=0,
                     prior: str = "uniform", scale=None, parametrization: str = "noncentered",
                     warmup: int = 1000, progress=None) -> pd.DataFrame:
    """Draw from the posterior of the normal hierarchical model by Gibbs sampling.

    All chains advance together as numpy arrays.  One sweep updates, in order, the
    group effects, μ and τ from their conditional distributions:

    * ``"centered"`` — θ_j | μ, τ, y ~ N((1−B_j)y_j + B_jμ, (1−B_j)σ_j²);
      μ | θ, τ ~ N(mean(θ), τ²/J); and, with the uniform prior,
      τ² | θ, μ ~ Σ(θ_j−μ)² / χ²_{J−1} (BDA3 §11.6).  Near τ = 0 the θ_j are held
      close to μ and μ close to their mean, so the chain sticks.
    * ``"noncentered"`` — θ_j = μ + τη_j with η_j ~ N(0, 1) a priori;
      η_j | μ, τ, y ~ N(τ(y_j−μ)/(σ_j²+τ²), σ_j²/(σ_j²+τ²)); μ | η, τ, y is normal
      (a weighted mean of y_j − τη_j); and, with the uniform prior, τ | η, μ, y is a
      regression slope: normal with precision Σ η_j²/σ_j², truncated to τ ≥ 0.

    With the half-Cauchy, half-normal or inverse-gamma prior, τ instead takes a
    random-walk Metropolis step on log τ, its step size tuned during warm-up to accept
    about 44% of proposals.

    Parameters
    ----------
    y, se : array_like
        Group estimates and their known standard errors (> 0).
    draws : int
        Draws kept per chain, after `warmup` draws that are discarded.
    chains : int
        Independent chains, started from dispersed points.
    seed : int or numpy.random.Generator
    prior, scale
        As in :func:`tau_posterior`.
    parametrization : {"noncentered", "centered"}
    warmup : int
        Iterations discarded at the start of every chain (default 1000).
    progress : bool or None
        Show a ``tqdm`` progress bar (a widget in Jupyter).  None: only on long runs,
        when (warmup + draws) × max(1, chains·J/1000) ≥ 20,000.

    Returns
    -------
    pandas.DataFrame
        Columns ``chain``, ``draw``, ``mu``, ``tau``, ``theta[0]``, ...; chains × draws
        rows, chain by chain.

    See Also
    --------
    tau_posterior, rhat, ess

    References
    ----------
    Gelman, A. et al. (2013). *Bayesian Data Analysis*, 3rd ed., §11.6.
    Betancourt, M. & Girolami, M. (2015). Hamiltonian Monte Carlo for hierarchical
    models. In *Current Trends in Bayesian Methodology with Applications*, 79-101.

    Examples
    --------
    >>> import hiertools as ht
    >>> schools = ht.load("eight_schools")
    >>> draws = ht.sample_posterior(schools["y"], schools["se"], draws=500, seed=1)
    >>> draws.shape
    (2000, 12)
    >>> list(draws.columns[:5])
    ['chain', 'draw', 'mu', 'tau', 'theta[0]']
    """
    y, se, _ = _check_data(y, se)
    prior, scale = _check_prior(prior, scale, y.size)
    parametrization = check_option(parametrization, "parametrization", PARAMETRIZATIONS)
    draws = check_scalar(draws, "draws", integer=True, minimum=1)
    chains = check_scalar(chains, "chains", integer=True, minimum=1)
    warmup = check_scalar(warmup, "warmup", integer=True, minimum=0)
    total = warmup + draws
    show = _want_progress(progress, total, chains, y.size)
    rng = _rng(seed)

    J, se2 = y.size, se**2
    spread = float(np.sqrt(np.var(y) + se2.mean()))
    # dispersed starting points: mu around the data, tau over two orders of magnitude
    mu = y.mean() + spread * rng.standard_normal(chains)
    tau = spread * np.exp(rng.uniform(np.log(0.05), np.log(2.0), size=chains))
    # Starting group effects were drawn here; every sweep draws them first from (mu, tau), so
    # they were never used.  The draw stays so that a seed gives the same chains as before.
    rng.standard_normal((chains, J))

    keep_mu = np.empty((chains, draws))
    keep_tau = np.empty((chains, draws))
    keep_theta = np.empty((chains, draws, J))
    centered = parametrization == "centered"
    step = _centered_step if centered else _noncentered_step
    model = _Model(y, se2, 1.0 / se2, prior, scale, warmup, np.zeros(chains))

    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc=f"sampling ({chains} chains)", unit="it")
    try:
        for start in range(0, total, BLOCK):
            n = min(BLOCK, total - start)
            z_groups = rng.standard_normal((n, chains, J))
            z_mu = rng.standard_normal((n, chains))
            z_tau = rng.standard_normal((n, chains))
            u_tau = rng.uniform(size=(n, chains))
            chi2 = rng.chisquare(J - 1, size=(n, chains)) if centered else z_tau
            for k in range(n):
                t = start + k
                theta, mu, tau = step(model, mu, tau, t, z_groups[k], z_mu[k], z_tau[k],
                                      u_tau[k], chi2[k])
                if t >= warmup:
                    keep_mu[:, t - warmup] = mu
                    keep_tau[:, t - warmup] = tau
                    keep_theta[:, t - warmup] = theta
            if bar is not None:
                bar.update(n)
    finally:
        if bar is not None:
            bar.close()
    frame = _draws_frame(mu=keep_mu, tau=keep_tau, theta=keep_theta)
    frame.insert(0, "draw", np.tile(np.arange(draws), chains))
    frame.insert(0, "chain", np.repeat(np.arange(chains), draws))
    return frame


@dataclass(frozen=True)
class _Model:
    """What every sweep of the sampler reads: the data, the prior on tau, and the
    Metropolis step size (log of the proposal SD on log tau, one per chain, adapted in
    place during warm-up)."""

    y: np.ndarray
    se2: np.ndarray
    prec: np.ndarray
    prior: str
    scale: float | None
    warmup: int
    log_step: np.ndarray


def _centered_step(m: _Model, mu, tau, t, z_theta, z_mu, z_tau, u_tau, chi2):
    """One sweep on (θ, μ, τ): θ | μ, τ, y; μ | θ, τ; τ | θ, μ (BDA3 §11.6)."""
    shrink = m.se2 / (m.se2 + tau[:, None] ** 2)
    theta = (1 - shrink) * m.y + shrink * mu[:, None] + np.sqrt((1 - shrink) * m.se2) * z_theta
    mu = theta.mean(axis=1) + tau / np.sqrt(m.y.size) * z_mu
    ss = ((theta - mu[:, None]) ** 2).sum(axis=1)
    if m.prior == "uniform":
        tau = np.sqrt(ss / chi2)
    else:
        tau = _metropolis(m, tau, _centered_loglik, (ss, m.y.size), z_tau, u_tau, t)
    return theta, mu, tau


def _centered_loglik(tau, ss, n_groups):
    """log p(θ | μ, τ) as a function of τ: the θ_j are N(μ, τ²)."""
    return -n_groups * np.log(tau) - ss / (2 * tau**2)


def _noncentered_step(m: _Model, mu, tau, t, z_eta, z_mu, z_tau, u_tau, _chi2):
    """One sweep on (η, μ, τ) with θ = μ + τη: η | μ, τ, y; μ | η, τ, y; τ | η, μ, y."""
    t2 = tau[:, None] ** 2
    resid = m.y - mu[:, None]
    eta = tau[:, None] * resid / (m.se2 + t2) + np.sqrt(m.se2 / (m.se2 + t2)) * z_eta
    mu = ((m.y - tau[:, None] * eta) @ m.prec) / m.prec.sum() + z_mu / np.sqrt(m.prec.sum())
    resid = m.y - mu[:, None]
    if m.prior == "uniform":
        info = (eta**2) @ m.prec                      # precision of the slope
        mean = (eta * resid) @ m.prec / info
        sd = 1 / np.sqrt(info)
        # normal(mean, sd) truncated to tau >= 0, by inverse CDF from the top
        tau = mean - sd * special.ndtri(u_tau * special.ndtr(mean / sd))
        # if ndtr(mean/sd) underflows (mean < -37 sd) the truncated normal sits within
        # sd²/|mean| of 0: take 0 rather than inf
        tau = np.clip(np.nan_to_num(tau, nan=0.0, posinf=0.0), 0.0, None)
    else:
        tau = _metropolis(m, tau, _noncentered_loglik, (eta, resid, m.prec), z_tau, u_tau, t)
    return mu[:, None] + tau[:, None] * eta, mu, tau


def _noncentered_loglik(tau, eta, resid, prec):
    """log p(y | η, μ, τ) as a function of τ: y_j ~ N(μ + τη_j, σ_j²)."""
    return -0.5 * (((resid - tau[:, None] * eta) ** 2) @ prec)


def _log_target(m: _Model, tau, loglik, args):
    """Log density of log τ given the rest: prior, likelihood and the Jacobian τ."""
    with np.errstate(divide="ignore"):
        return _log_prior(tau, m.prior, m.scale) + loglik(tau, *args) + np.log(tau)


def _metropolis(m: _Model, tau, loglik, args, z, u, t):
    """One random-walk Metropolis step on log τ for every chain (adapting during warm-up)."""
    proposal = tau * np.exp(np.exp(m.log_step) * z)
    accept = np.log(u) < (_log_target(m, proposal, loglik, args)
                          - _log_target(m, tau, loglik, args))
    if t < m.warmup:  # Robbins-Monro: widen after acceptance, narrow after rejection
        m.log_step[:] += (accept - TARGET_ACCEPT) / np.sqrt(t + 1.0)
    return np.where(accept, proposal, tau)


# --- convergence diagnostics (Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021) -----------

def _check_chains(x, name="x", column=None) -> np.ndarray:
    """A (chains, draws) float array from an array, or from a draws DataFrame and a column.

    A DataFrame with ``chain`` and ``draw`` columns (what :func:`sample_posterior` returns)
    needs `column`, the parameter to take: it is pivoted to one row per chain.
    """
    if isinstance(x, pd.DataFrame):
        x = _pivot_draws(x, name, column)
    elif column is not None:
        raise TypeError(f"column is for a DataFrame of draws (as ht.sample_posterior returns); "
                        f"{name} is already an array of one parameter: drop column={column!r}.")
    try:
        arr = np.array(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of draws of shape (chains, draws), or "
                        f"ht.sample_posterior's DataFrame with a column name, got "
                        f"{_short(x)}.") from None
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (chains, draws), got shape {arr.shape}; for "
                         "one parameter of ht.sample_posterior's output pass the DataFrame "
                         "and the column, e.g. ht.rhat(draws, 'tau').")
    if arr.shape[1] < 4:
        raise ValueError(f"{name} has {arr.shape[1]} draws per chain; pass at least 4.")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values.")
    return arr


def _pivot_draws(frame: pd.DataFrame, name: str, column) -> np.ndarray:
    """One parameter of a long draws frame (columns chain, draw, ...) as (chains, draws)."""
    missing = {"chain", "draw"} - set(frame.columns)
    if missing:
        raise ValueError(f"{name} has no {sorted(missing)} column(s): pass "
                         "ht.sample_posterior's DataFrame, or a (chains, draws) array.")
    parameters = [c for c in frame.columns if c not in ("chain", "draw")]
    if column is None:
        raise ValueError(f"{name} is a DataFrame of draws: pass the parameter's column as "
                         f"the second argument, e.g. ({name}, 'tau'); its parameters are "
                         f"{_short(parameters)}.")
    if not isinstance(column, str):
        raise TypeError(f"column must be a column name (str), got {_short(column)}.")
    if column not in parameters:
        raise ValueError(f"column {column!r} is not in {name}; its parameters are "
                         f"{_short(parameters)}.")
    wide = frame.pivot(index="chain", columns="draw", values=column)
    if wide.isna().to_numpy().any():
        raise ValueError(f"{name}'s chains have different draws: every chain needs the same "
                         "draw numbers.")
    return wide.to_numpy(dtype=float)


def _split(x):
    """Each chain cut in two halves (the middle draw dropped when the count is odd)."""
    half = x.shape[1] // 2
    return np.concatenate([x[:, :half], x[:, x.shape[1] - half:]], axis=0)


def _z_scale(x):
    """Rank-normalize: ranks over all draws (ties averaged) → normal scores (Blom, 3/8)."""
    from scipy.stats import rankdata

    ranks = rankdata(x, method="average").reshape(x.shape)
    return special.ndtri((ranks - 3 / 8) / (x.size + 1 / 4))


def _rhat_basic(x):
    n = x.shape[1]
    between = n * np.var(x.mean(axis=1), ddof=1)
    within = np.mean(np.var(x, axis=1, ddof=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.sqrt((between / within + n - 1) / n))


def _ess_basic(x):
    """ESS of a (chains, draws) array: Geyer's initial monotone sequence (Stan's estimator)."""
    m, n = x.shape
    if np.ptp(x) < np.finfo(float).resolution:
        return float(x.size)
    centred = x - x.mean(axis=1, keepdims=True)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    f = np.fft.rfft(centred, n=size, axis=1)
    acov = np.fft.irfft(f * np.conjugate(f), n=size, axis=1)[:, :n] / n
    mean_var = acov[:, 0].mean() * n / (n - 1)
    var_plus = mean_var * (n - 1) / n + (np.var(x.mean(axis=1), ddof=1) if m > 1 else 0.0)
    rho = 1 - (mean_var - acov.mean(axis=0)) / var_plus
    rho[0] = 1.0
    half = n // 2
    pairs = rho[0:2 * half:2] + rho[1:2 * half:2]          # P_k = rho_2k + rho_2k+1
    # pairs are summed while positive, up to k = n/2 - 2 (n even) or (n - 3)/2 (odd): Stan's
    # and ArviZ's bounds
    k_max = max((n - 3) // 2 if n % 2 else half - 2, 0)
    if pairs[0] <= 0 or k_max == 0:
        stop = 0
    else:
        bad = np.flatnonzero(pairs[1:k_max + 1] <= 0)
        stop = int(bad[0]) + 1 if bad.size else k_max
    even = rho[2 * stop]
    extra = even if (even > 0 or pairs[stop] >= 0) else 0.0
    monotone = np.minimum.accumulate(pairs[:stop]) if stop else np.zeros(0)
    tau_hat = -1.0 + 2.0 * monotone.sum() + extra
    tau_hat = max(tau_hat, 1 / np.log10(x.size))
    return float(x.size / tau_hat)


def rhat(x, column=None) -> float:
    """Rank-normalized split-R̂ of one parameter's draws.

    Parameters
    ----------
    x : array_like, shape (chains, draws), or pandas.DataFrame
        One row per chain (a 1-D array is one chain, split in two); or the DataFrame that
        :func:`sample_posterior` returns, with `column` naming the parameter.
    column : str, optional
        The parameter's column when `x` is a DataFrame of draws (``"tau"``, ``"theta[0]"``).

    Returns
    -------
    float
        The larger of the split-R̂ of the rank-normalized draws (bulk) and of the
        rank-normalized distances from the median (tails).  Values above 1.01 mean the
        chains have not mixed (Vehtari et al. 2021).

    Notes
    -----
    Each chain is cut in two halves; the draws are replaced by normal scores of their
    ranks, :math:`z = \\Phi^{-1}((r - 3/8)/(S + 1/4))`; with W the mean within-half
    variance and B/n the variance of the half means,
    :math:`\\hat R = \\sqrt{((n-1)/n\\,W + B/n)/W}`.  Agrees with ArviZ's
    ``az.rhat(x, method="rank")`` (which needs at least 2 chains).

    References
    ----------
    Vehtari, A., Gelman, A., Simpson, D., Carpenter, B. & Bürkner, P.-C. (2021).
    Rank-normalization, folding, and localization: an improved R̂ for assessing
    convergence of MCMC. *Bayesian Analysis* 16, 667-718.

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> x = np.random.default_rng(0).normal(size=(4, 1000))
    >>> bool(ht.rhat(x) < 1.01), bool(ht.rhat(x + np.arange(4)[:, None]) > 1.5)
    (True, True)
    >>> draws = ht.sample_posterior([28, 8, -3, 7], [15, 10, 16, 11], draws=500, seed=1)
    >>> bool(ht.rhat(draws, "tau") < 1.05)
    True
    """
    x = _split(_check_chains(x, column=column))
    folded = np.abs(x - np.median(x))
    return max(_rhat_basic(_z_scale(x)), _rhat_basic(_z_scale(folded)))


def ess(x, column=None, method: str = "bulk") -> float:
    """Effective sample size of one parameter's draws.

    Parameters
    ----------
    x : array_like, shape (chains, draws), or pandas.DataFrame
        As in :func:`rhat`.
    column : str, optional
        The parameter's column when `x` is a DataFrame of draws.
    method : {"bulk", "mean"}
        ``"bulk"`` (default): of the rank-normalized split chains, for the centre of the
        distribution; ``"mean"``: of the draws themselves, for the Monte-Carlo error of the
        mean (:func:`mcse`).

    Returns
    -------
    float
        How many independent draws would give the same precision; can exceed the
        number of draws when successive draws are anticorrelated.

    Notes
    -----
    :math:`\\mathrm{ESS} = MN/\\hat\\tau` with :math:`\\hat\\tau = -1 + 2\\sum_k P_k`, the
    autocorrelations summed in pairs :math:`P_k = \\hat\\rho_{2k} + \\hat\\rho_{2k+1}` while
    positive and made monotone (Geyer's initial monotone sequence), each
    :math:`\\hat\\rho_t` computed across chains (Vehtari et al. 2021, eq. 10).  Agrees with
    ArviZ's ``az.ess(x, method="bulk")`` / ``method="mean"``.

    References
    ----------
    Vehtari et al. (2021), see :func:`rhat`.  Geyer, C. J. (1992). Practical Markov chain
    Monte Carlo. *Statistical Science* 7, 473-483.

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> x = np.random.default_rng(0).normal(size=(4, 1000))
    >>> 3000 < ht.ess(x) < 5000
    True
    """
    method = check_option(method, "method", ("bulk", "mean"))
    x = _split(_check_chains(x, column=column))
    return _ess_basic(_z_scale(x) if method == "bulk" else x)


def mcse(x, column=None, prob=None) -> float:
    """Monte-Carlo standard error of the posterior mean (or of a quantile) from MCMC draws.

    Parameters
    ----------
    x : array_like, shape (chains, draws), or pandas.DataFrame
        As in :func:`rhat`.
    column : str, optional
        The parameter's column when `x` is a DataFrame of draws.
    prob : float, optional
        None for the mean: sd / sqrt(ESS of the mean).  A probability for the quantile at
        `prob`: half the width of the ±1 SD interval of the quantile, from the ESS of the
        indicator ``x <= quantile`` (Vehtari et al. 2021, §4.3; as ArviZ's
        ``az.mcse(x, method="quantile", prob=prob)``).

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> x = np.random.default_rng(0).normal(size=(4, 2500))
    >>> round(ht.mcse(x), 3), round(ht.mcse(x, prob=0.5), 3)
    (0.01, 0.014)
    """
    x = _check_chains(x, column=column)
    if prob is None:
        return float(np.std(x, ddof=1) / np.sqrt(ess(x, method="mean")))
    prob = check_scalar(prob, "prob", minimum=0, maximum=1, strict_min=True, strict_max=True)
    if np.ptp(x) < np.finfo(float).resolution:
        return 0.0
    from scipy.stats import beta

    indicator = (x <= np.quantile(x, prob)).astype(float)
    n_eff = _ess_basic(_split(indicator))
    ppf = beta.ppf([0.15865525393145707, 0.8413447460685429],
                   n_eff * prob + 1, n_eff * (1 - prob) + 1)
    ordered = np.sort(x.ravel())
    at = ppf * ordered.size - 1
    lower = ordered[int(np.floor(max(at[0], 0)))]
    upper = ordered[int(np.ceil(min(at[1], ordered.size - 1)))]
    return float((upper - lower) / 2)
