"""The normal hierarchical model with known variances: shrinkage, τ̂ and the grid posterior.

Kernels only (see :mod:`hiertools._kernels`): clean float arrays in, arrays out, no
checks.  The public functions that call them -- :func:`hiertools.shrink`,
:func:`hiertools.estimate_tau`, :func:`hiertools.tau_posterior` and their relatives --
validate their arguments first; the explorers and the exercise checks call them on data
they checked once.

Notation: ``raw`` = group means :math:`\\bar y_j` with sizes ``n`` and within-group SD
``sigma``; ``y`` = group estimates with squared standard errors ``se2`` (``s2`` for a
(maps, groups) array of them); ``tau`` = the between-group SD τ and ``v`` = τ².
"""

from __future__ import annotations

import numpy as np

# --- shrinkage: w_j, the precision-weighted mean and the partially pooled means ---------------

def weights(tau, sigma, n):
    """w = tau^2 / (tau^2 + sigma^2 / n), broadcast; tau = inf gives 1."""
    tau2 = np.square(tau)
    with np.errstate(invalid="ignore"):  # inf / inf where tau is infinite; replaced by 1
        return np.where(np.isinf(tau2), 1.0, tau2 / (tau2 + np.square(sigma) / n))


def pooled_mean(raw, n, tau, sigma) -> float:
    """Precision-weighted mean of `raw`; the plain mean when tau is infinite."""
    if np.isinf(tau):
        return float(raw.mean())
    precision = np.broadcast_to(1.0 / (tau**2 + np.square(sigma) / n), raw.shape)
    return float(np.dot(precision, raw) / precision.sum())


def shrink(raw, n, tau, sigma, mu=None) -> np.ndarray:
    """w raw + (1 - w) mu, with mu the precision-weighted mean unless given.

    Written as the weighted average (not mu + w (raw - mu)) so that the limits are exact:
    w = 1 returns raw and w = 0 returns mu, to the last bit.
    """
    if mu is None:
        mu = pooled_mean(raw, n, tau, sigma)
    w = weights(tau, sigma, n)
    return w * raw + (1.0 - w) * mu


# --- tau-hat: REML, ML, moments and rough, one map or many at once ---------------------------
#
# Simulation studies (lesson 04) estimate tau on thousands of simulated maps.  One scalar
# optimization per map would take seconds per setting; the functions below treat a 2-D array,
# one map per row, in a handful of whole-array passes.
#
# Notation (code name -> symbol):
#   y  (R, J)  group estimates y_rj of map r           s2 (R, J)  their known variances s_rj^2
#   v          tau^2, the between-group variance       p = 1/(v + s2)  precision of y_rj as an
#   mu_hat     sum(p y) / sum(p), the GLS mean                          estimate of mu
#   r = y - mu_hat                                      J  groups per map
#
# Criteria (log densities, constants included; Harville 1977, JASA 72, 320-338):
#   ML:    l(v)   = -1/2 [ sum log(2 pi (v + s2)) + sum p r^2 ]
#            (the normal log density of y at mu = mu_hat: the profile log-likelihood)
#   REML:  l_R(v) = -1/2 [ sum log(v + s2) + log sum p + sum p r^2 + (J - 1) log(2 pi) ]
#            (= log of the likelihood integrated over mu with a flat prior)
# Scores in v (mu_hat is a maximizer, so its own derivative drops out):
#   dl/dv   = 1/2 [ sum p^2 r^2 - sum p ]
#   dl_R/dv = dl/dv + 1/2 sum p^2 / sum p
# At v = 0 a non-positive score together with the best grid point at tau = 0 is the
# Karush-Kuhn-Tucker condition for the boundary maximum: there tau_hat = 0 exactly.

#: Grid points per map for locating the maximum before refining it (spaced as (k/K)^2 over
#: [0, upper], so dense near tau = 0 where zero / non-zero is decided).
GRID_POINTS = 48
#: Safeguarded Newton steps on the score in v = tau^2 within the bracket the grid found;
#: Newton converges quadratically, so a dozen steps reach machine precision, and the loop
#: stops as soon as every map has converged.
NEWTON_STEPS = 40
#: A map has converged when its Newton step is below this fraction of (1 + v).
NEWTON_TOLERANCE = 1e-13


def estimate_tau(y: np.ndarray, se2: np.ndarray, method: str) -> float:
    """τ̂ from clean arrays (``se2``: squared standard errors, one per group); no checks.

    One map is one row of the many-maps kernel :func:`tau_rows` (below), so a single
    estimate and a simulation study use the same optimizer -- and both return exactly 0
    where the maximum is on the boundary τ = 0 (the score there is checked, not only
    function values that differ at the level of rounding).
    """
    return float(tau_rows(y[None, :], np.asarray(se2, dtype=float)[None, :], method)[0])


def profile_loglik(v, y, s2, reml: bool) -> np.ndarray:
    """l(v) or l_R(v) (constants included) for each row; v has shape (R,)."""
    p = 1.0 / (v[:, None] + s2)
    sum_p = p.sum(axis=1)
    mu = (p * y).sum(axis=1) / sum_p
    quad = (p * (y - mu[:, None]) ** 2).sum(axis=1)
    logdet = -np.log(p).sum(axis=1)
    if reml:
        return -0.5 * (logdet + np.log(sum_p) + quad + (y.shape[1] - 1) * np.log(2 * np.pi))
    return -0.5 * (logdet + quad + y.shape[1] * np.log(2 * np.pi))


def tau_scores(v, y, s2, reml: bool):
    """First and second derivatives of l(v) (or l_R(v)) in v, for each row; v has shape (R,).

    With p = 1/(v + s2), r = y - mu_hat and the derivative of mu_hat included,
    dl/dv = 1/2 [sum p^2 r^2 - sum p] and
    d2l/dv2 = 1/2 [sum p^2 - 2 sum p^3 r^2 + 2 (sum p^2 r)^2 / sum p];
    REML adds 1/2 sum p^2 / sum p and 1/2 [(sum p^2 / sum p)^2 - 2 sum p^3 / sum p].
    """
    p = 1.0 / (v[:, None] + s2)
    sum_p = p.sum(axis=1)
    r = y - ((p * y).sum(axis=1) / sum_p)[:, None]
    p2 = p * p
    p2r = p2 * r
    sum_p2 = p2.sum(axis=1)
    score = 0.5 * ((p2r * r).sum(axis=1) - sum_p)
    curvature = 0.5 * (sum_p2 - 2 * (p * p2r * r).sum(axis=1) + 2 * p2r.sum(axis=1) ** 2 / sum_p)
    if reml:
        ratio = sum_p2 / sum_p
        score += 0.5 * ratio
        curvature += 0.5 * (ratio**2 - 2 * (p * p2).sum(axis=1) / sum_p)
    return score, curvature


def tau_rows(y: np.ndarray, s2: np.ndarray, method: str) -> np.ndarray:
    """τ̂ for each row of `y`; the kernel of :func:`hiertools.estimate_tau_batch`."""
    if method == "rough":
        return np.sqrt(np.var(y, axis=1, ddof=1))
    if method == "moments":
        return np.sqrt(np.maximum(0.0, np.var(y, axis=1, ddof=1) - s2.mean(axis=1)))
    reml = method == "REML"
    # 1. locate the global maximum on a grid over the range estimate_tau searches
    upper = 10.0 * (np.ptp(y, axis=1) + np.sqrt(s2.max(axis=1)))
    grid = upper[:, None] * (np.arange(GRID_POINTS + 1) / GRID_POINTS) ** 2  # (R, K+1)
    values = np.column_stack([profile_loglik(grid[:, k] ** 2, y, s2, reml)
                              for k in range(grid.shape[1])])
    best = np.argmax(values, axis=1)
    rows = np.arange(y.shape[0])
    lo = grid[rows, np.maximum(best - 1, 0)] ** 2
    hi = grid[rows, np.minimum(best + 1, GRID_POINTS)] ** 2
    # 2. refine: Newton on the score in v, falling back to bisection whenever a step would
    #    leave the bracket [lo, hi] or the curvature is not negative (rtsafe, vectorized)
    v = grid[rows, best] ** 2
    active = np.ones(v.shape, dtype=bool)
    for _ in range(NEWTON_STEPS):
        score, curvature = tau_scores(v[active], y[active], s2[active], reml)
        idx = np.flatnonzero(active)
        lo[idx] = np.where(score > 0, v[idx], lo[idx])
        hi[idx] = np.where(score > 0, hi[idx], v[idx])
        with np.errstate(divide="ignore", invalid="ignore"):
            newton = v[idx] - score / curvature
        ok = (curvature < 0) & (newton > lo[idx]) & (newton < hi[idx])
        new = np.where(ok, newton, 0.5 * (lo[idx] + hi[idx]))
        done = np.abs(new - v[idx]) <= NEWTON_TOLERANCE * (1.0 + v[idx])
        v[idx] = new
        active[idx[done]] = False
        if not active.any():
            break
    # never worse than the best grid point
    grid_best = grid[rows, best] ** 2
    v = np.where(profile_loglik(v, y, s2, reml) >= values[rows, best], v, grid_best)
    # 3. the boundary: zero exactly where the KKT condition holds at the best grid point
    #    tau = 0, or where the criterion at zero is at least as high as at the candidate
    score0, _ = tau_scores(np.zeros_like(v), y, s2, reml)
    at_zero = (best == 0) & (score0 <= 0)
    at_zero |= profile_loglik(np.zeros_like(v), y, s2, reml) >= profile_loglik(v, y, s2, reml)
    return np.where(at_zero, 0.0, np.sqrt(v))


# --- the grid posterior (BDA3 §5.4): mu and theta given tau, the prior on tau ------------------

def mu_given_tau(y, se2, tau):
    """μ̂(τ), the precision 1/V_μ(τ) = Σ_j 1/(se_j² + τ²), and its terms 1/(se_j² + τ²).

    `y` has shape (..., J) and `tau` shape (G,); μ̂ has shape (..., G), the precision (G,),
    the terms (G, J).
    """
    prec = 1.0 / (se2 + np.asarray(tau, dtype=float)[:, None] ** 2)   # (G, J)
    total = prec.sum(axis=-1)                                          # (G,)
    return (y[..., None, :] * prec).sum(axis=-1) / total, total, prec


def conditionals(y, se2, tau):
    """μ̂(τ), V_μ(τ) and log p(y | τ) (flat prior on μ, constants dropped) for each τ.

    `y` has shape (..., J) and `tau` shape (G,); results have shape (..., G).
    """
    mu_hat, total, prec = mu_given_tau(y, se2, tau)
    v = se2 + np.asarray(tau, dtype=float)[:, None] ** 2              # (G, J)
    resid2 = (y[..., None, :] - mu_hat[..., None]) ** 2
    loglik = (-0.5 * np.log(total) - 0.5 * np.log(v).sum(axis=-1)
              - 0.5 * (resid2 * prec).sum(axis=-1))
    return mu_hat, 1.0 / total, loglik


def theta_given_tau(y, se2, tau, mu_hat, v_mu):
    """E(θ_j | τ, y) and var(θ_j | τ, y), shape (G, J)."""
    shrink = se2 / (se2 + np.asarray(tau)[:, None] ** 2)                # B_j
    mean = (1 - shrink) * y + shrink * mu_hat[:, None]
    var = (1 - shrink) * se2 + shrink**2 * v_mu[:, None]
    return mean, var


def log_prior(tau, prior, scale):
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


def trapezoid_weights(x):
    """w with sum(w * f) = the trapezoid rule for ∫ f dx on the nodes x."""
    dx = np.diff(x)
    w = np.zeros_like(x)
    w[:-1] += dx / 2
    w[1:] += dx / 2
    return w
