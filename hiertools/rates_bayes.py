"""The fully Bayesian beta–binomial model on a grid (BDA3 §5.3, the rat tumours).

Lesson 07's empirical-Bayes fits (:mod:`hiertools.rates`) plug in one estimate of the
hyperparameters (α, β), as lesson 04 did with τ̂; lesson 05 showed that the plug-in ignores
their uncertainty.  Here (α, β) get a prior and are integrated out, exactly as BDA3 does
for the rat tumours.

======================  =====================  ==========================================
code                    symbol                 meaning
======================  =====================  ==========================================
``deaths``, ``trials``  :math:`r_j, n_j`       events out of trials in unit j
``alpha``, ``beta``     :math:`\\alpha,\\beta`  the Beta prior of the true rates θ_j
``logit_mean``          :math:`u`              :math:`\\log(\\alpha/\\beta)`, the logit of the
                                               prior mean :math:`\\alpha/(\\alpha+\\beta)`
``log_size``            :math:`v`              :math:`\\log(\\alpha+\\beta)`, the log of the
                                               prior's "number of trials"
======================  =====================  ==========================================

The model and the prior (BDA3 §5.3):

.. math:: r_j \\mid \\theta_j \\sim \\text{Bin}(n_j, \\theta_j), \\quad
          \\theta_j \\mid \\alpha, \\beta \\sim \\text{Beta}(\\alpha, \\beta), \\quad
          p(\\alpha, \\beta) \\propto (\\alpha+\\beta)^{-5/2},

that is, uniform on :math:`(\\alpha/(\\alpha+\\beta), (\\alpha+\\beta)^{-1/2})`.  With the
θ_j integrated out,

.. math:: p(\\alpha, \\beta \\mid r) \\propto p(\\alpha, \\beta) \\prod_j
          \\frac{B(\\alpha + r_j, \\beta + n_j - r_j)}{B(\\alpha, \\beta)},

and on the grid's scale, :math:`(u, v) = (\\log(\\alpha/\\beta), \\log(\\alpha+\\beta))`, the
density gains the Jacobian :math:`\\alpha\\beta`.  Given (α, β) the θ_j are
independent :math:`\\text{Beta}(\\alpha + r_j, \\beta + n_j - r_j)`, so every
summary of θ_j is a sum over the grid of closed-form conditional moments.

Identities used.  :math:`\\log B(\\alpha + r, \\beta + s) - \\log B(\\alpha, \\beta) =
R(\\alpha, r) + R(\\beta, s) - R(\\alpha+\\beta, r+s)` with the log rising factorial
:math:`R(x, k) = \\log\\Gamma(x+k) - \\log\\Gamma(x)`, computed by Stirling's series for
x ≥ 10 so that it keeps its digits when α + β is in the millions (differences of
:math:`\\log\\Gamma` would not).  As α + β → ∞ the likelihood tends to the binomial one at
the prior mean, so the density of v falls only like :math:`e^{-v/2}` — proper, but with
a long upper tail: the posterior mean of α + β (and of α, β) is infinite for any data, and
the grid must reach far (``EDGE_MASS``).  As α + β → 0 the density behaves like
:math:`(\\alpha+\\beta)^{J' - 1/2}`, with J' the number of units with 0 < r_j < n_j: the
posterior is proper only when J' ≥ 1.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special

from ._kernels.arrays import freeze
from ._validation import (
    check_consistent_length,
    check_counts,
    check_option,
    check_scalar,
    check_seed,
    group_labels,
)

__all__ = ["BetaBinomialPosterior", "beta_binomial_posterior"]

BB_PRIORS = ("bda3",)
#: The grid is cut so that at most this share of the posterior mass lies outside it (on all
#: four sides together, estimated on a wide preliminary grid); tests/test_rates_bayes.py
#: checks the mass in the grid's outermost cells against it.
EDGE_MASS = 1e-7
#: Points of the preliminary grid (u, v) that finds where the mass is.
_SCOUT = (161, 321)
#: Stirling's series is used for the log rising factorial from this argument on (its
#: truncation error there is below 1e-9).
_STIRLING_FROM = 10.0
#: `BetaBinomialPosterior.sample` draws this many values (rows times units) per block.
_SAMPLE_BLOCK = 2**16


# --- the density ----------------------------------------------------------------------------------

def _log_rising(x, k):
    """R(x, k) = log Γ(x + k) − log Γ(x) for x > 0, k ≥ 0, accurate for large x too."""
    x, k = np.broadcast_arrays(np.asarray(x, dtype=float), np.asarray(k, dtype=float))
    out = np.empty(x.shape)
    small = x < _STIRLING_FROM
    xs, ks = x[small], k[small]
    out[small] = special.gammaln(xs + ks) - special.gammaln(xs)
    xl, kl = x[~small], k[~small]
    y = xl + kl
    # (y − ½) log y − (x − ½) log x − k, plus the series 1/(12x) − 1/(360x³) + 1/(1260x⁵)
    out[~small] = (kl * np.log(xl) + (y - 0.5) * np.log1p(kl / xl) - kl
                   + (1 / y - 1 / xl) / 12 - (1 / y**3 - 1 / xl**3) / 360
                   + (1 / y**5 - 1 / xl**5) / 1260)
    return out


def _log_density(u, v, r, s, count):
    """log p(u, v | r) up to a constant; `r`, `s` = n − r and `count` are the distinct
    (r, s) pairs and how many units share each (the sufficient statistics)."""
    u, v = np.broadcast_arrays(np.asarray(u, dtype=float), np.asarray(v, dtype=float))
    log_a = v + special.log_expit(u)
    log_b = v + special.log_expit(-u)
    a, b, size = np.exp(log_a), np.exp(log_b), np.exp(v)
    total = -2.5 * v + log_a + log_b                      # prior × Jacobian αβ
    for rk, sk, ck in zip(r, s, count):
        total = total + ck * (_log_rising(a, rk) + _log_rising(b, sk) - _log_rising(size, rk + sk))
    return total


def _mode(r, s, count):
    """The posterior mode in (u, v), best of Nelder–Mead runs from a few starts."""
    p = r @ count / ((r + s) @ count)
    u0 = float(special.logit(np.clip(p, 1e-6, 1 - 1e-6)))
    best = None
    for v0 in (np.log(3.0), np.log(30.0), np.log(1000.0)):
        res = optimize.minimize(lambda x: -float(_log_density(x[0], x[1], r, s, count)),
                                [u0, v0], method="Nelder-Mead",
                                options={"xatol": 1e-6, "fatol": 1e-9, "maxiter": 4000})
        if best is None or res.fun < best.fun:
            best = res
    return best.x


def _cell_masses(u, v, r, s, count):
    logd = _log_density(u[:, None], v[None, :], r, s, count)
    mass = np.exp(logd - logd.max())
    return logd, mass / mass.sum()


def _box(r, s, count):
    """Limits (u_lo, u_hi, v_lo, v_hi) outside which less than EDGE_MASS of the posterior lies.

    A preliminary grid around the mode is widened on any side whose outer cells still hold
    mass, then each axis is cut at its EDGE_MASS/8 tail quantiles and padded by one step.
    """
    u0, v0 = _mode(r, s, count)
    lo_u, hi_u, lo_v, hi_v = u0 - 8.0, u0 + 8.0, v0 - 15.0, v0 + 60.0
    for _ in range(8):
        u = np.linspace(lo_u, hi_u, _SCOUT[0])
        v = np.linspace(lo_v, hi_v, _SCOUT[1])
        _, mass = _cell_masses(u, v, r, s, count)
        mu, mv = mass.sum(axis=1), mass.sum(axis=0)
        edge = EDGE_MASS / 1e3
        grow = [mu[:3].sum() > edge, mu[-3:].sum() > edge, mv[:3].sum() > edge,
                mv[-3:].sum() > edge]
        if not any(grow):
            break
        width_u, width_v = hi_u - lo_u, hi_v - lo_v
        lo_u, hi_u = lo_u - grow[0] * width_u, hi_u + grow[1] * width_u
        lo_v, hi_v = lo_v - grow[2] * width_v, hi_v + grow[3] * width_v
    else:
        raise RuntimeError("beta_binomial_posterior: the grid did not capture the posterior; "
                           "please report this with your data.")
    cut = EDGE_MASS / 8

    def limits(grid, marginal):
        step = grid[1] - grid[0]
        cum = np.cumsum(marginal)
        first = int(np.searchsorted(cum, cut))                   # mass below: < cut
        last = int(np.searchsorted(cum, 1 - cut))                # mass above: < cut
        return grid[max(first - 1, 0)] - step, grid[min(last + 1, grid.size - 1)] + step

    return (*limits(u, mu), *limits(v, mv))


# --- the result -----------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class BetaBinomialPosterior:
    """The posterior of the beta–binomial model on a grid; made by :func:`beta_binomial_posterior`.

    Attributes
    ----------
    logit_mean, log_size : numpy.ndarray
        The grid's axes: cell centres in :math:`u = \\log(\\alpha/\\beta)` and
        :math:`v = \\log(\\alpha+\\beta)`, evenly spaced.
    density : numpy.ndarray
        :math:`p(u, v \\mid r)` at the cell centres, shape ``(len(logit_mean),
        len(log_size))``, normalized so that ``density.sum() * du * dv == 1``.
    prior : str
    mean : float
        :math:`E(\\alpha/(\\alpha+\\beta) \\mid r)`, the posterior mean of the population's
        mean rate.
    size_median : float
        The posterior median of α + β (its posterior mean is infinite: see the module).
    theta_mean, theta_sd : pandas.Series
        :math:`E(\\theta_j \\mid r)` and :math:`\\operatorname{sd}(\\theta_j \\mid r)`, one per
        unit, integrated over (α, β).
    edge_mass : float
        The share of the posterior mass in the grid's outermost cells (its first and last
        rows and columns): a check that the grid reaches far enough.
    deaths, trials : numpy.ndarray
        The data.
    """

    logit_mean: np.ndarray
    log_size: np.ndarray
    density: np.ndarray
    prior: str
    mean: float
    size_median: float
    theta_mean: pd.Series
    theta_sd: pd.Series
    edge_mass: float
    deaths: np.ndarray
    trials: np.ndarray
    labels: pd.Index = field(repr=False, default=None)

    # -- the grid as cells -------------------------------------------------------------------------

    @property
    def _steps(self):
        return self.logit_mean[1] - self.logit_mean[0], self.log_size[1] - self.log_size[0]

    def _cells(self):
        """(α, β, mass) of every cell with mass, flattened."""
        du, dv = self._steps
        mass = (self.density * du * dv).ravel()
        u, v = np.meshgrid(self.logit_mean, self.log_size, indexing="ij")
        keep = mass > 0
        size = np.exp(v.ravel()[keep])
        mean = special.expit(u.ravel()[keep])
        return mean * size, (1 - mean) * size, mass[keep]

    # -- summaries ---------------------------------------------------------------------------------

    def hyperparameters(self) -> pd.DataFrame:
        """Posterior median and 95% interval of α/(α+β), α+β, log(α/β) and log(α+β)."""
        du, dv = self._steps
        q = [0.025, 0.5, 0.975]
        u = _grid_quantile(self.logit_mean, self.density.sum(axis=1) * du * dv, q)
        v = _grid_quantile(self.log_size, self.density.sum(axis=0) * du * dv, q)
        rows = {"alpha/(alpha+beta)": special.expit(u), "alpha+beta": np.exp(v),
                "log(alpha/beta)": u, "log(alpha+beta)": v}
        table = pd.DataFrame(rows, index=["2.5%", "50%", "97.5%"]).T
        table.insert(0, "mean", [self.mean, np.inf, self._mean_of(self.logit_mean, 1),
                                 self._mean_of(self.log_size, 0)])
        return table

    def _mean_of(self, axis_values, axis):
        du, dv = self._steps
        return float(self.density.sum(axis=axis) @ axis_values * du * dv)

    def theta_quantile(self, q) -> pd.Series:
        """Posterior quantile q of every θ_j: the mixture over the grid of the Beta
        conditionals (cells holding all but 1e-10 of the mass), inverted by Newton's method
        kept inside a shrinking bracket (to about 1e-10)."""
        q = check_scalar(q, "q", minimum=0, maximum=1, strict_min=True, strict_max=True)
        a, b, mass = self._cells()
        order = np.argsort(mass)[::-1]
        keep = order[:int(np.searchsorted(np.cumsum(mass[order]), 1 - 1e-10)) + 1]
        a, b, mass = a[keep], b[keep], mass[keep] / mass[keep].sum()
        r, s = self.deaths, self.trials - self.deaths
        pa, pb = a[:, None] + r, b[:, None] + s
        log_norm = special.betaln(pa, pb)
        lo, hi = np.zeros(r.size), np.ones(r.size)
        z = special.ndtri(q)
        x = np.clip(self.theta_mean.to_numpy() + z * self.theta_sd.to_numpy(), 1e-9, 1 - 1e-9)
        for _ in range(60):
            cdf = mass @ special.betainc(pa, pb, x)
            below = cdf < q
            lo, hi = np.where(below, x, lo), np.where(below, hi, x)
            pdf = mass @ np.exp((pa - 1) * np.log(x) + (pb - 1) * np.log1p(-x) - log_norm)
            with np.errstate(divide="ignore", invalid="ignore"):
                step = x - (cdf - q) / pdf
            inside = np.isfinite(step) & (step > lo) & (step < hi)
            new = np.where(inside, step, (lo + hi) / 2)
            if np.all(np.abs(new - x) < 1e-11):
                x = new
                break
            x = new
        return pd.Series(x, index=self.labels.copy(), name=f"q{q:g}")

    def summary(self, level: float = 0.95) -> pd.DataFrame:
        """Per unit: deaths, trials, raw rate, posterior mean and SD of θ_j, and its
        equal-tailed interval at `level`."""
        level = check_scalar(level, "level", minimum=0, maximum=1, strict_min=True,
                             strict_max=True)
        lo, hi = (1 - level) / 2, (1 + level) / 2
        return pd.DataFrame({
            "deaths": self.deaths, "trials": self.trials, "raw": self.deaths / self.trials,
            "mean": self.theta_mean.to_numpy(), "sd": self.theta_sd.to_numpy(),
            f"{100 * lo:g}%": self.theta_quantile(lo).to_numpy(),
            f"{100 * hi:g}%": self.theta_quantile(hi).to_numpy()}, index=self.labels.copy())

    def sample(self, draws: int = 4000, seed=0) -> pd.DataFrame:
        """Independent draws of (α, β, θ_1..θ_J) from the posterior.

        As BDA3 §5.3: a grid cell by its probability, a point uniformly within the cell
        (the "jitter"), then every θ_j from its Beta(α + r_j, β + n_j − r_j).

        Parameters
        ----------
        draws : int
        seed : int or numpy.random.Generator

        Returns
        -------
        pandas.DataFrame
            Columns ``alpha``, ``beta``, then ``theta[<label>]`` for every unit; one row
            per draw.
        """
        draws = check_scalar(draws, "draws", integer=True, minimum=1)
        rng = check_seed(seed)
        alpha, beta = self._sample_hyperparameters(draws, rng)
        r, s = self.deaths, self.trials - self.deaths
        names = ["alpha", "beta", *(f"theta[{label}]" for label in self.labels)]
        # One column-major array that the frame takes without a copy; the Betas are drawn a
        # block of rows at a time (numpy draws a broadcast call element by element in C order,
        # so the draws are those of one call) to keep the (draws, J) parameter arrays small.
        values = np.empty((draws, len(names)), order="F")
        values[:, 0], values[:, 1] = alpha, beta
        step = max(1, _SAMPLE_BLOCK // r.size)
        for start in range(0, draws, step):
            rows = slice(start, start + step)
            values[rows, 2:] = rng.beta(alpha[rows, None] + r, beta[rows, None] + s)
        return pd.DataFrame(values, columns=names, copy=False)

    def _sample_hyperparameters(self, draws, rng):
        """(α, β) of `draws` draws: a grid cell by its probability, then a point uniformly
        within it.  A function of its own so that its (draws,) intermediates are freed before
        the sample's frame is allocated."""
        du, dv = self._steps
        mass = (self.density * du * dv).ravel()
        cell = rng.choice(mass.size, size=draws, p=mass / mass.sum())
        iu, iv = np.unravel_index(cell, self.density.shape)
        u = self.logit_mean[iu] + du * (rng.uniform(size=draws) - 0.5)
        v = self.log_size[iv] + dv * (rng.uniform(size=draws) - 0.5)
        size, mean = np.exp(v), special.expit(u)
        return mean * size, (1 - mean) * size

    # -- display -----------------------------------------------------------------------------------

    def _headline(self) -> str:
        h = self.hyperparameters()
        return (f"beta-binomial posterior (prior {self.prior}: p(alpha, beta) ∝ "
                f"(alpha+beta)^(-5/2)), {self.deaths.size} units, grid "
                f"{self.logit_mean.size} x {self.log_size.size}\n"
                f"alpha/(alpha+beta): mean {self.mean:.4g}, 95% interval "
                f"{h.loc['alpha/(alpha+beta)', '2.5%']:.4g} to "
                f"{h.loc['alpha/(alpha+beta)', '97.5%']:.4g}\n"
                f"alpha+beta: median {self.size_median:.4g}, 95% interval "
                f"{h.loc['alpha+beta', '2.5%']:.4g} to {h.loc['alpha+beta', '97.5%']:.4g}")

    def __repr__(self) -> str:
        return self._headline()

    def _repr_html_(self) -> str:
        head = "<br>".join(html.escape(line) for line in self._headline().splitlines())
        return f"<p>{head}</p>" + self.summary().to_html(float_format=lambda x: f"{x:.4g}")


def _grid_quantile(values, masses, q):
    """Quantiles of a distribution given as masses of cells centred at evenly spaced
    `values` (uniform within each cell)."""
    step = values[1] - values[0]
    edges = np.concatenate([[values[0] - step / 2], values + step / 2])
    cum = np.concatenate([[0.0], np.cumsum(masses)])
    cum /= cum[-1]
    return np.interp(q, cum, edges)


# --- the function ---------------------------------------------------------------------------------

def beta_binomial_posterior(deaths, trials, prior: str = "bda3", *, labels=None,
                            grid: int = 200) -> BetaBinomialPosterior:
    """The fully Bayesian beta–binomial model, computed on a grid as in BDA3 §5.3.

    Parameters
    ----------
    deaths : array_like of int
        Events per unit :math:`r_j` (e.g. deaths), ``0 <= deaths <= trials``; at least
        one unit must have ``0 < deaths < trials`` (see Notes).
    trials : array_like of int
        Trials per unit :math:`n_j \\ge 1` (e.g. operations).
    prior : {"bda3"}
        The prior of (α, β): ``"bda3"`` is :math:`p(\\alpha,\\beta) \\propto
        (\\alpha+\\beta)^{-5/2}`, uniform on the prior mean and on
        :math:`(\\alpha+\\beta)^{-1/2}` (BDA3 §5.3).
    labels : sequence, optional
        Unit labels; default the index of `deaths` (or `trials`) if it is a Series.
    grid : int
        Points per axis of the grid (default 200; at least 20).

    Returns
    -------
    BetaBinomialPosterior
        The grid and its density, posterior means and SDs of every θ_j,
        ``summary()``, ``hyperparameters()`` and ``sample(draws, seed=...)``.

    See Also
    --------
    fit_beta_binomial : the empirical-Bayes fit, which plugs in one (α̂, β̂).
    tau_posterior : the same idea for the normal hierarchical model (BDA3 §5.4).
    rank_summary : posterior ranks from ``sample()``'s θ columns.

    Notes
    -----
    The posterior of the hyperparameters on the scale of the grid,
    :math:`u = \\log(\\alpha/\\beta)` and :math:`v = \\log(\\alpha+\\beta)`:

    .. math:: p(u, v \\mid r) \\propto \\alpha\\beta\\,(\\alpha+\\beta)^{-5/2}
              \\prod_j \\frac{B(\\alpha+r_j,\\, \\beta+n_j-r_j)}{B(\\alpha,\\beta)},

    where :math:`\\alpha\\beta` is the Jacobian of :math:`(\\alpha,\\beta)\\mapsto(u,v)`.
    It is evaluated at the centres of an evenly spaced ``grid`` × ``grid`` lattice of
    cells, and every integral is a sum over cells (the midpoint rule).  The lattice is
    placed from the data: a wide preliminary grid around the mode is cut where less than
    ``EDGE_MASS`` (1e-7) of the mass lies outside; ``edge_mass`` reports the mass left in
    the outermost cells.  The upper tail in v is long (the density falls like
    :math:`e^{-v/2}`: the likelihood tends to a constant as α + β → ∞), so the grid
    can reach far (for the twelve hospitals, to α + β ≈ 5e12); the posterior mean of α + β
    is infinite.
    Given (α, β),

    .. math:: E(\\theta_j \\mid \\alpha,\\beta, r) = \\frac{\\alpha + r_j}{\\alpha+\\beta+n_j},

    and :math:`E(\\theta_j\\mid r)` averages it over the grid (the law of total
    expectation; the SD by the law of total variance).  The posterior is proper only
    when some unit has :math:`0 < r_j < n_j`: otherwise the likelihood does not vanish as
    α + β → 0, where the prior piles up.

    References
    ----------
    Gelman, A. et al. (2013). *Bayesian Data Analysis*, 3rd ed., §5.3 (rat tumours).
    CRC Press.

    Examples
    --------
    >>> import hiertools as ht
    >>> s = ht.load("surgical").set_index("hospital")
    >>> post = ht.beta_binomial_posterior(s["deaths"], s["operations"])
    >>> round(post.mean, 3), round(post.size_median)
    (0.08, 74)
    >>> post.theta_mean[["A", "H"]].round(3).tolist()
    [0.047, 0.126]
    >>> post.edge_mass < 1e-7
    True
    >>> post.sample(2, seed=1).columns[:4].tolist()
    ['alpha', 'beta', 'theta[A]', 'theta[B]']
    """
    prior = check_option(prior, "prior", BB_PRIORS)
    grid = check_scalar(grid, "grid", integer=True, minimum=20)
    r = check_counts(deaths, "deaths")
    n = check_counts(trials, "trials")
    check_consistent_length(deaths=r, trials=n)
    if r.size < 2:
        raise ValueError(f"deaths needs at least 2 units, got {r.size}; pass more units (the "
                         "prior of the rates is learned from how the units differ).")
    if np.any(n == 0):
        raise ValueError("trials must be >= 1 for every unit; drop units with no trials.")
    if np.any(r > n):
        bad = int(np.flatnonzero(r > n)[0])
        raise ValueError(f"deaths cannot exceed trials: unit {bad} has deaths={r[bad]:g} > "
                         f"trials={n[bad]:g}; check the order of the arguments (deaths, trials).")
    if not np.any((r > 0) & (r < n)):
        raise ValueError("every unit has deaths = 0 or deaths = trials: with the prior "
                         "(alpha+beta)^(-5/2) the posterior is then improper (the likelihood "
                         "does not vanish as alpha + beta -> 0). Check the data, or use "
                         "ht.fit_beta_binomial.")
    index = group_labels(labels, r.size, deaths=deaths, trials=trials)

    pairs, count = np.unique(np.column_stack([r, n - r]), axis=0, return_counts=True)
    rk, sk = pairs[:, 0].astype(float), pairs[:, 1].astype(float)
    lo_u, hi_u, lo_v, hi_v = _box(rk, sk, count)
    du, dv = (hi_u - lo_u) / grid, (hi_v - lo_v) / grid
    u = lo_u + du * (np.arange(grid) + 0.5)
    v = lo_v + dv * (np.arange(grid) + 0.5)
    _, mass = _cell_masses(u, v, rk, sk, count)
    density = mass / (du * dv)
    edge = float(mass[0].sum() + mass[-1].sum() + mass[1:-1, 0].sum() + mass[1:-1, -1].sum())

    # moments of θ_j, by the laws of total expectation and variance over the cells
    size = np.exp(v)[None, :]
    mean_rate = special.expit(u)[:, None]
    a, b = (mean_rate * size).ravel(), ((1 - mean_rate) * size).ravel()
    w = mass.ravel()
    keep = w > 0
    a, b, w = a[keep], b[keep], w[keep]
    pa, pb = a[:, None] + r, b[:, None] + (n - r)
    cond_mean = pa / (pa + pb)
    cond_var = cond_mean * (1 - cond_mean) / (pa + pb + 1)
    theta_mean = w @ cond_mean
    theta_var = w @ (cond_var + cond_mean**2) - theta_mean**2
    mean = float(w @ (a / (a + b)))
    size_median = float(np.exp(_grid_quantile(v, mass.sum(axis=0), 0.5)))

    result = BetaBinomialPosterior(
        logit_mean=u, log_size=v, density=density, prior=prior, mean=mean,
        size_median=size_median,
        theta_mean=pd.Series(theta_mean, index=index.copy(), name="theta_mean"),
        theta_sd=pd.Series(np.sqrt(np.maximum(theta_var, 0.0)), index=index.copy(),
                           name="theta_sd"),
        edge_mass=edge, deaths=r, trials=n, labels=index)
    freeze(u, v, density, r, n, result.theta_mean, result.theta_sd)
    return result
