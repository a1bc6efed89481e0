"""Empirical Bayes: estimating the between-group spread τ from the data, and James–Stein.

The setting is the normal hierarchical model with known standard errors,

.. math:: y_j \\mid \\theta_j \\sim N(\\theta_j, s_j^2), \\qquad \\theta_j \\sim N(\\mu, \\tau^2),

so that marginally :math:`y_j \\sim N(\\mu, \\tau^2 + s_j^2)`.  Estimating μ and τ
from this marginal distribution and plugging them into the shrinkage formula is
empirical Bayes.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from ._validation import as_float_array, check_choice, check_same_length

__all__ = ["estimate_tau", "james_stein"]

TAU_METHODS = ("REML", "ML", "moments", "rough")


def _neg_loglik(tau: float, y: np.ndarray, se2: np.ndarray, reml: bool) -> float:
    v = tau**2 + se2
    p = 1.0 / v
    mu = np.sum(p * y) / np.sum(p)
    value = 0.5 * np.sum(np.log(v)) + 0.5 * np.sum(p * (y - mu) ** 2)
    if reml:
        value += 0.5 * np.log(np.sum(p))
    return float(value)


def estimate_tau(y, se, method: str = "REML") -> float:
    """Estimate the between-group standard deviation τ from estimates with known errors.

    Parameters
    ----------
    y : array_like
        Group estimates :math:`y_j` (at least 2; ``"moments"``/``"REML"`` need 2+).
    se : float or array_like
        Their standard errors :math:`s_j > 0` (one value for all, or one per group).
    method : {"REML", "ML", "moments", "rough"}
        ``"REML"`` and ``"ML"`` maximize the (restricted) marginal likelihood of
        :math:`y_j \\sim N(\\mu, \\tau^2 + s_j^2)` over τ ≥ 0.  ``"moments"`` is the
        bias-corrected method of moments, :math:`\\hat\\tau^2 = \\max(0,\\,
        \\operatorname{var}(y) - \\overline{s^2})`.  ``"rough"`` is the seed's
        :math:`\\sqrt{\\operatorname{var}(y)}`, which counts sampling noise as
        between-group spread and so overstates τ.

    Returns
    -------
    float
        :math:`\\hat\\tau \\ge 0`.  REML, ML and moments can all be exactly 0.

    Notes
    -----
    The REML criterion maximized is

    .. math:: -\\tfrac12\\sum_j \\log(\\tau^2+s_j^2) - \\tfrac12\\log\\sum_j
              \\frac{1}{\\tau^2+s_j^2} - \\tfrac12 \\sum_j \\frac{(y_j-\\hat\\mu)^2}{\\tau^2+s_j^2},

    with :math:`\\hat\\mu` the precision-weighted mean; ML drops the middle term.

    References
    ----------
    Gelman, A. et al. (2013). *Bayesian Data Analysis*, 3rd ed., section 5.4.

    See Also
    --------
    shrink, james_stein

    Examples
    --------
    >>> import hiertools as ht
    >>> schools = ht.load("eight_schools")
    >>> ht.estimate_tau(schools["y"], schools["se"], method="REML")
    0.0
    >>> round(ht.estimate_tau(schools["y"], schools["se"], method="rough"), 2)
    10.44
    """
    check_choice(method, TAU_METHODS, "method")
    y = as_float_array(y, "y")
    if y.size < 2:
        raise ValueError(f"y needs at least 2 groups to estimate a spread, got {y.size}.")
    se = as_float_array(se, "se", allow_scalar=True, positive=True)
    if se.ndim:
        check_same_length(y=y, se=se)
    se2 = np.broadcast_to(se**2, y.shape)
    if method == "rough":
        return float(np.sqrt(np.var(y, ddof=1)))
    if method == "moments":
        return float(np.sqrt(max(0.0, np.var(y, ddof=1) - np.mean(se2))))
    reml = method == "REML"
    upper = 10.0 * (np.ptp(y) + np.sqrt(se2.max()))
    result = optimize.minimize_scalar(_neg_loglik, bounds=(0.0, upper), method="bounded",
                                      args=(y, se2, reml), options={"xatol": 1e-10})
    tau = float(result.x)
    # the maximum may sit on the boundary tau = 0, which a bounded search only approaches
    if _neg_loglik(0.0, y, se2, reml) <= _neg_loglik(tau, y, se2, reml):
        tau = 0.0
    return tau


def james_stein(y, sigma, target="mean"):
    """Positive-part James–Stein estimates of several means.

    Parameters
    ----------
    y : array_like
        Observed group means :math:`y_j`, each with the same known standard error.
    sigma : float
        That standard error.
    target : "mean" or float
        Shrink toward the grand mean of `y` (needs 4+ groups to shrink at all)
        or toward a fixed number (needs 3+).

    Returns
    -------
    numpy.ndarray

    Notes
    -----
    Toward the grand mean :math:`\\bar y`:

    .. math:: \\hat\\theta_j = \\bar y + \\left(1 - \\frac{(J-3)\\sigma^2}{\\sum_k (y_k-\\bar y)^2}\\right)_+ (y_j - \\bar y);

    toward a fixed *c*, replace :math:`\\bar y` by *c* and *J − 3* by *J − 2*.
    For J ≥ 3 (fixed target) or J ≥ 4 (grand mean) this has lower expected total
    squared error than the raw :math:`y_j` whatever the true means are.

    References
    ----------
    James, W. and Stein, C. (1961). Estimation with quadratic loss. *Proc. Fourth
    Berkeley Symposium* 1, 361-379.  Efron, B. and Morris, C. (1975). Data analysis
    using Stein's estimator and its generalizations. *JASA* 70, 311-319.

    Examples
    --------
    >>> import hiertools as ht
    >>> ht.james_stein([1.0, 2.0, 3.0, 6.0], sigma=1.0).round(3)
    array([1.143, 2.071, 3.   , 5.786])
    """
    y = as_float_array(y, "y")
    sigma = float(as_float_array(sigma, "sigma", allow_scalar=True, positive=True))
    if isinstance(target, str):
        check_choice(target, ["mean"], "target")
        center, dof = float(y.mean()), y.size - 3
    else:
        center, dof = float(as_float_array(target, "target", allow_scalar=True)), y.size - 2
    if y.size < 3:
        raise ValueError(f"y needs at least 3 groups for James-Stein, got {y.size}.")
    spread = float(np.sum((y - center) ** 2))
    factor = 0.0 if spread == 0 else max(0.0, 1.0 - dof * sigma**2 / spread)
    return center + factor * (y - center)
