"""Empirical Bayes: estimating the between-group spread τ from the data, and James–Stein.

The setting is the normal hierarchical model with known standard errors,

.. math:: y_j \\mid \\theta_j \\sim N(\\theta_j, s_j^2), \\qquad \\theta_j \\sim N(\\mu, \\tau^2),

so that marginally :math:`y_j \\sim N(\\mu, \\tau^2 + s_j^2)`.  Estimating μ and τ
from this marginal distribution and plugging them into the shrinkage formula is
empirical Bayes.  Notation in the code: ``y`` = :math:`y_j`, ``se`` = :math:`s_j`,
``se2`` = :math:`s_j^2`, ``tau`` = :math:`\\tau`.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from ._validation import (check_array, check_consistent_length, check_option, check_scalar,
                          common_index, like_input)

__all__ = ["estimate_tau", "james_stein"]

TAU_METHODS = ("REML", "ML", "moments", "rough")
#: Known standard errors this close (relative) count as equal for James–Stein: the same
#: value computed two ways (e.g. sigma / sqrt(n) for equal n) may differ in the last bits.
EQUAL_SE_RTOL = 1e-9


def _neg_loglik(tau: float, y: np.ndarray, se2: np.ndarray, reml: bool) -> float:
    v = tau**2 + se2
    p = 1.0 / v
    mu = np.sum(p * y) / np.sum(p)
    value = 0.5 * np.sum(np.log(v)) + 0.5 * np.sum(p * (y - mu) ** 2)
    if reml:
        value += 0.5 * np.log(np.sum(p))
    return float(value)


def _estimate_tau(y: np.ndarray, se2: np.ndarray, method: str) -> float:
    """τ̂ from clean arrays (``se2``: squared standard errors, one per group); no checks."""
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


def estimate_tau(y, se, method: str = "REML") -> float:
    """Estimate the between-group standard deviation τ from estimates with known errors.

    Parameters
    ----------
    y : array_like
        Group estimates :math:`y_j`, at least 2.
    se : float or array_like
        Their known standard errors :math:`s_j > 0`: one value for all groups, or one
        per group.
    method : {"REML", "ML", "moments", "rough"}
        Case does not matter.  ``"REML"`` (default) and ``"ML"`` maximize the
        (restricted) marginal likelihood of :math:`y_j \\sim N(\\mu, \\tau^2 + s_j^2)`
        over τ ≥ 0.  ``"moments"`` is the bias-corrected method of moments,
        :math:`\\hat\\tau^2 = \\max(0,\\, \\operatorname{var}(y) - \\overline{s^2})`.
        ``"rough"`` is the seed's :math:`\\sqrt{\\operatorname{var}(y)}`, which counts
        sampling noise as between-group spread and so overstates τ.

    Returns
    -------
    float
        :math:`\\hat\\tau \\ge 0`.  REML, ML and moments can all be exactly 0.

    Raises
    ------
    TypeError
        If `y` or `se` is not numeric, or `method` is not a string.
    ValueError
        If there are fewer than 2 groups, a value is NaN or infinite, some
        :math:`s_j \\le 0`, the lengths differ, or `method` is unknown (the message
        lists the valid ones).

    See Also
    --------
    shrink : plug τ̂ in (with ``n=1, sigma=se``) to get the empirical-Bayes estimates.
    james_stein : the equal-variance special case with a closed form.

    Notes
    -----
    The REML criterion maximized is

    .. math:: -\\tfrac12\\sum_j \\log(\\tau^2+s_j^2) - \\tfrac12\\log\\sum_j
              \\frac{1}{\\tau^2+s_j^2} - \\tfrac12 \\sum_j \\frac{(y_j-\\hat\\mu)^2}{\\tau^2+s_j^2},

    with :math:`\\hat\\mu` the precision-weighted mean; ML drops the middle term.

    The moment estimator assumes independent :math:`y_j` with known :math:`s_j`.
    With :math:`\\operatorname{var}(y) = \\sum_j (y_j - \\bar y)^2 / (J - 1)` (divisor
    J − 1, every group weighted equally),

    .. math:: E[\\operatorname{var}(y)] = \\frac{1}{J}\\sum_j (\\tau^2 + s_j^2)
              = \\tau^2 + \\overline{s^2},

    equal standard errors or not, so :math:`\\operatorname{var}(y) - \\overline{s^2}`
    is unbiased for :math:`\\tau^2`; truncating it at 0 makes it biased upward when τ
    is small.  It does not weight precise groups more, so with very unequal
    :math:`s_j` it is noisier than REML (DerSimonian and Laird's weighted version is
    the usual alternative in meta-analysis).

    References
    ----------
    Gelman, A. et al. (2013). *Bayesian Data Analysis*, 3rd ed., section 5.4.
    DerSimonian, R. and Laird, N. (1986). Meta-analysis in clinical trials.
    *Controlled Clinical Trials* 7, 177-188.

    Examples
    --------
    >>> import hiertools as ht
    >>> schools = ht.load("eight_schools")
    >>> ht.estimate_tau(schools["y"], schools["se"], method="REML")
    0.0
    >>> round(ht.estimate_tau(schools["y"], schools["se"], method="rough"), 2)
    10.44
    """
    method = check_option(method, "method", TAU_METHODS)
    common_index(y=y, se=se)
    y = check_array(y, "y", min_size=2)
    se = check_array(se, "se", allow_scalar=True, positive=True)
    check_consistent_length(y=y, se=se)
    return _estimate_tau(y, np.broadcast_to(se**2, y.shape), method)


def james_stein(y, se=None, target="mean", *, sigma=None):
    """Positive-part James–Stein estimates of several means with one known standard error.

    Parameters
    ----------
    y : array_like or pandas.Series
        Observed group means :math:`y_j`, each with the same known standard error.
    se : float or array_like
        That common standard error σ > 0: a number, or one per group as long as all are
        equal.  May also be passed as ``sigma=`` (exactly one of the two).
    target : "mean" or float
        Shrink toward the grand mean of `y` (needs J ≥ 4 groups) or toward a fixed
        number (needs J ≥ 3).
    sigma : float, keyword-only
        The same as `se` (the name the course's formulas use).

    Returns
    -------
    numpy.ndarray or pandas.Series
        The estimates :math:`\\hat\\theta_j`; a Series with `y`'s index when `y` is a Series.

    Raises
    ------
    TypeError
        If an argument is not numeric, or both or neither of `se` and `sigma` are given.
    ValueError
        If the standard errors differ between groups (James–Stein's guarantee needs one
        common variance: use :func:`estimate_tau` and :func:`shrink` instead), there are
        too few groups for the target, or a value is NaN, infinite or out of range.

    See Also
    --------
    estimate_tau, shrink : empirical Bayes for unequal standard errors.

    Notes
    -----
    Toward the grand mean :math:`\\bar y`:

    .. math:: \\hat\\theta_j = \\bar y + \\left(1 - \\frac{(J-3)\\sigma^2}{\\sum_k (y_k-\\bar y)^2}\\right)_+ (y_j - \\bar y);

    toward a fixed *c*, replace :math:`\\bar y` by *c* and *J − 3* by *J − 2*.  The
    subscript + (positive part) stops the factor below 0, so no estimate overshoots the
    target.  With :math:`y_j \\sim N(\\theta_j, \\sigma^2)` independent and σ known and
    equal for all groups, this has lower expected total squared error (risk) than the
    raw :math:`y_j` for every configuration of the true :math:`\\theta_j`, once
    J ≥ 4 (grand mean) or J ≥ 3 (fixed target).  Below that the factor is 1: nothing
    shrinks, so those calls are refused.  The guarantee is about the expected total:
    single draws, and single groups, can come out worse.

    References
    ----------
    James, W. and Stein, C. (1961). Estimation with quadratic loss. *Proc. Fourth
    Berkeley Symposium* 1, 361-379.  Efron, B. and Morris, C. (1975). Data analysis
    using Stein's estimator and its generalizations. *JASA* 70, 311-319.

    Examples
    --------
    >>> import hiertools as ht
    >>> ht.james_stein([1.0, 2.0, 3.0, 6.0], se=1.0).round(3)
    array([1.143, 2.071, 3.   , 5.786])
    >>> ht.james_stein([1.0, 2.0, 3.0], sigma=1.0, target=0).round(3)
    array([0.929, 1.857, 2.786])
    """
    if (se is None) == (sigma is None):
        raise TypeError("Pass the common known standard error once, as se= (or sigma=); "
                        f"got {'both' if se is not None else 'neither'}.")
    name, value = ("se", se) if se is not None else ("sigma", sigma)
    index = common_index(y=y, **{name: value})
    y_arr = check_array(y, "y")
    s = check_array(value, name, allow_scalar=True, positive=True)
    check_consistent_length(y=y_arr, **{name: s})
    if s.ndim and s.max() - s.min() > EQUAL_SE_RTOL * s.max():
        raise ValueError(
            f"{name} differs between groups ({s.min():g} to {s.max():g}); James-Stein "
            "needs one common known standard error. For unequal errors use empirical "
            f"Bayes: tau = ht.estimate_tau(y, {name}), then ht.shrink(y, n=1, tau=tau, "
            f"sigma={name})."
        )
    s = float(s.max()) if s.ndim else float(s)
    if isinstance(target, str):
        check_option(target, "target", ["mean"])
        center, dof, needed, toward = float(y_arr.mean()), y_arr.size - 3, 4, "the grand mean"
    else:
        center = check_scalar(target, "target")
        dof, needed, toward = y_arr.size - 2, 3, "a fixed target"
    if y_arr.size < needed:
        raise ValueError(
            f"y has {y_arr.size} groups; James-Stein toward {toward} needs at least {needed} "
            f"(with fewer, its shrinkage factor is 1 and it does not beat the raw means)."
        )
    spread = float(np.sum((y_arr - center) ** 2))
    factor = 0.0 if spread == 0 else max(0.0, 1.0 - dof * s**2 / spread)
    return like_input(center + factor * (y_arr - center), index, "james_stein")
