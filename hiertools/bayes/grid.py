"""The exact posterior of the normal hierarchical model on a grid (BDA3 §5.4): p(τ | y),
then μ and θ given τ.  See :mod:`hiertools.bayes` for the model and its notation."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from .._kernels import normal
from .._kernels.arrays import freeze
from .._validation import _short, check_array, check_scalar, check_seed
from ._common import _check_data, _check_prior, _empty_draws

__all__ = ["TauPosterior", "tau_posterior"]

#: Grid step in v, where τ = c·sinh(v): spacing c·h near 0 and a relative step h in the
#: tail.  With h = 0.001 the trapezoid rule matches adaptive quadrature to about 1e-6
#: (tests/test_bayes.py).
GRID_STEP = 0.001
#: The grid ends where the probability beyond it (and its share of E(τ)) is below this.
TAIL_MASS = 1e-12
#: The grid is first laid out to this many times the data's scale, then cut by TAIL_MASS.
GRID_REACH = 1e9
#: `TauPosterior.sample` computes this many values (rows times groups) per block.
_SAMPLE_BLOCK = 2**16


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
        mu_hat, v_mu, _ = normal.conditionals(self.y, self.se**2, tau)
        mean, var = normal.theta_given_tau(self.y, self.se**2, tau, mu_hat, v_mu)
        columns = self.labels if self.labels is not None else pd.RangeIndex(self.y.size)
        index = pd.Index(tau, name="tau")
        return (pd.DataFrame(mean, index=index, columns=columns),
                pd.DataFrame(np.sqrt(var), index=index, columns=columns))

    def theta_quantile(self, q):
        """Posterior quantile q of every θ_j, exact on the grid (a mixture of normals over τ).

        Returns an array (a Series on the input's index) of J values.
        """
        q = check_scalar(q, "q", minimum=0, maximum=1, strict_min=True, strict_max=True)
        weights = self.density * normal.trapezoid_weights(self.tau)
        keep = weights > 1e-16 * weights.max()
        tau, weights = self.tau[keep], weights[keep] / weights[keep].sum()
        mean, var = normal.theta_given_tau(self.y, self.se**2, tau, self._mu_hat[keep],
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
        rng = check_seed(seed)
        se2 = self.se**2
        # Straight into the frame's own column-major array, a block of rows at a time, so that
        # no (draws, J) intermediate is ever held: 200,000 draws cost little more than the
        # frame's own 16 MB.  Row by row the arithmetic is the same as on whole arrays, and
        # numpy draws in C order whatever the block size, so the draws do not depend on it.
        step = max(1, _SAMPLE_BLOCK // self.y.size)
        blocks = [slice(start, start + step) for start in range(0, draws, step)]
        values, names = _empty_draws(draws, self.y.size, "tau", "mu")
        tau, mu, theta = values[:, 0], values[:, 1], values[:, 2:]
        u = rng.uniform(size=draws)
        for rows in blocks:
            tau[rows] = _inverse_cdf(self.tau, self._cdf, u[rows], self.density)
        z = rng.standard_normal(draws)
        for rows in blocks:
            mu_hat, total = normal.mu_given_tau(self.y, se2, tau[rows])[:2]
            mu[rows] = mu_hat + np.sqrt(1.0 / total) * z[rows]
        del u, z
        for rows in blocks:
            # θ = (1 − B) y + B μ + sqrt((1 − B) se²) z
            shrink = se2 / (se2 + tau[rows, None] ** 2)
            keep = 1 - shrink
            block = keep * self.y
            shrink *= mu[rows, None]
            block += shrink
            keep *= se2
            noise = rng.standard_normal((block.shape[0], self.y.size))
            noise *= np.sqrt(keep, out=keep)
            block += noise
            theta[rows] = block
        return pd.DataFrame(values, columns=names, copy=False)

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
    mu_hat, v_mu, loglik = normal.conditionals(y, se2, tau)
    logpost = loglik + normal.log_prior(tau, prior, scale)
    dens = np.exp(logpost - logpost.max())
    weights = normal.trapezoid_weights(tau)
    # cut the far tail: keep the grid up to where mass and E(tau) beyond are negligible
    mass = dens * weights
    tail = np.cumsum(mass[::-1])[::-1] / mass.sum()
    tail_tau = np.cumsum((tau * mass)[::-1])[::-1] / (tau * mass).sum()
    end = int(np.argmax((tail < TAIL_MASS) & (tail_tau < TAIL_MASS))) or tau.size - 1
    keep = slice(0, end + 1)
    tau, dens, mu_hat, v_mu = tau[keep], dens[keep], mu_hat[keep], v_mu[keep]
    weights = normal.trapezoid_weights(tau)
    dens = dens / (dens @ weights)
    cdf = np.concatenate([[0.0], np.cumsum((dens[1:] + dens[:-1]) / 2 * np.diff(tau))])

    mean_t, var_t = normal.theta_given_tau(y, se2, tau, mu_hat, v_mu)
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
    freeze(result.tau, result.density, result.y, result.se, cdf, mu_hat, v_mu,
            result.theta_mean, result.theta_sd)
    return result
