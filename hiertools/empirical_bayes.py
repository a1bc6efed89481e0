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
import pandas as pd

from ._kernels import normal
from ._validation import (
    check_array,
    check_consistent_length,
    check_map_se,
    check_maps,
    check_numbers,
    check_option,
    check_scalar,
    common_index,
    like_input,
)

__all__ = ["estimate_tau", "james_stein", "estimate_tau_batch", "tau_loglik",
           "james_stein_batch", "shrink_batch"]

TAU_METHODS = ("REML", "ML", "moments", "rough")
#: Known standard errors this close (relative) count as equal for James–Stein: the same
#: value computed two ways (e.g. sigma / sqrt(n) for equal n) may differ in the last bits.
EQUAL_SE_RTOL = 1e-9


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
        ``"rough"`` is the source text's :math:`\\sqrt{\\operatorname{var}(y)}`, which counts
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
    return normal.estimate_tau(y, np.broadcast_to(se**2, y.shape), method)


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

    .. math:: \\hat\\theta_j = \\bar y
              + \\left(1 - \\frac{(J-3)\\sigma^2}{\\sum_k (y_k-\\bar y)^2}\\right)_+
              (y_j - \\bar y);

    toward a fixed target :math:`\\theta_0`, replace :math:`\\bar y` by :math:`\\theta_0` and
    *J − 3* by *J − 2*.  The subscript + (positive part) stops the factor below 0, so no
    estimate overshoots the target.  With :math:`y_j \\sim N(\\theta_j, \\sigma^2)`
    independent and σ known and equal for all groups, this has lower expected total squared
    error (risk) than the raw :math:`y_j` for every configuration of the true
    :math:`\\theta_j`, once J ≥ 4 (grand mean) or J ≥ 3 (fixed target).  Below that the
    factor is 1: nothing shrinks, so those calls are refused.  The guarantee is about the
    expected total: single draws, and single groups, can come out worse.

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


# =================================================================================================
# Many maps at once: the estimators above, vectorized over replicates
# =================================================================================================
#
# Simulation studies (lesson 04) estimate tau on thousands of simulated maps; the kernels
# (hiertools._kernels.normal: tau_rows and its profile criterion) treat a 2-D array, one map
# per row, in a handful of whole-array passes.


def estimate_tau_batch(y, se, method: str = "REML"):
    """Estimate τ separately on each row of a 2-D array: many maps at once.

    The same four estimators as :func:`estimate_tau`, vectorized over maps (rows), for
    simulation studies: on 2,000 maps of 85 groups each, REML takes a fraction of a
    second (``benchmarks/bench_tau_batch.py``).

    Parameters
    ----------
    y : array_like of shape (maps, groups), or pandas.DataFrame
        One map per row: the group estimates :math:`y_{rj}` (at least 2 groups).
    se : float or array_like
        Their known standard errors, :math:`s_{rj} > 0`: one number for all, one per
        group (shape ``(groups,)``) or one per map and group (the shape of `y`).
    method : {"REML", "ML", "moments", "rough"}
        As in :func:`estimate_tau` (case-insensitive).

    Returns
    -------
    numpy.ndarray of shape (maps,), or pandas.Series
        :math:`\\hat\\tau \\ge 0` for each map; a Series on `y`'s index if `y` is a
        DataFrame.  REML, ML and moments give exactly 0 where the maximum (or the
        corrected variance) is on the boundary.

    See Also
    --------
    estimate_tau : one map.
    tau_loglik : the criterion as a function of τ.

    Notes
    -----
    ``"rough"`` and ``"moments"`` are closed forms.  For ``"REML"`` and ``"ML"`` the
    profile criterion (the comment above these functions lists it, with its scores) is
    evaluated on a grid of 49 values of τ per map over the range :func:`estimate_tau`
    searches; the bracket around the best grid point is then refined by Newton's method
    on the score in :math:`v = \\tau^2`, falling back to bisection whenever a step would
    leave the bracket (all maps at once, until every map has converged).
    :math:`\\hat\\tau = 0` exactly where the best grid point is 0 and the score
    :math:`\\partial\\ell/\\partial\\tau^2` at 0 is not positive (the Karush–Kuhn–Tucker
    condition), or where the criterion at 0 is at least as high as at the interior
    candidate.  The tests compare every map with :func:`estimate_tau` and with the
    closed forms for equal standard errors.

    References
    ----------
    Harville, D. A. (1977). Maximum likelihood approaches to variance component
    estimation and to related problems. *JASA* 72, 320–338.

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> y = np.array([[1.0, 3.0, 5.0, 7.0], [2.0, 2.2, 1.8, 2.1]])
    >>> ht.estimate_tau_batch(y, se=1.0, method="REML").round(4)
    array([2.3805, 0.    ])
    >>> round(ht.estimate_tau(y[0], 1.0, method="REML"), 4)
    2.3805
    """
    index = y.index if isinstance(y, pd.DataFrame) else None
    method = check_option(method, "method", TAU_METHODS)
    y = check_maps(y, "y")
    s2 = check_map_se(se, y.shape, "se") ** 2
    return like_input(normal.tau_rows(y, s2, method), index, name="tau_hat")


def tau_loglik(tau, y, se, method: str = "REML"):
    """The (restricted) log-likelihood of τ, with μ profiled (ML) or integrated out (REML).

    The curve whose maximum :func:`estimate_tau` finds; plotted over a wide range of τ it
    shows how much (or how little) the data say about τ.

    Parameters
    ----------
    tau : float or array_like
        Values of τ ≥ 0 (any shape, e.g. a grid).
    y : array_like
        Group estimates :math:`y_j` (at least 2).
    se : float or array_like
        Their known standard errors :math:`s_j > 0` (one for all, or one per group).
    method : {"REML", "ML"}
        Case-insensitive.

    Returns
    -------
    float or numpy.ndarray or pandas.Series
        The criterion at each τ, shaped like `tau` (a Series on `tau`'s index if `tau`
        is a Series).

    See Also
    --------
    estimate_tau : its maximizer.

    Notes
    -----
    With :math:`v_j = \\tau^2 + s_j^2`, :math:`V = \\operatorname{diag}(v)`, :math:`p_j = 1/v_j` and
    :math:`\\hat\\mu = \\sum_j p_j y_j / \\sum_j p_j`,

    .. math:: \\ell_{ML}(\\tau) = \\max_\\mu \\log N(y;\\, \\mu\\mathbf 1,\\, V)
              = -\\tfrac12 \\sum_j \\log(2\\pi v_j) - \\tfrac12 \\sum_j p_j (y_j-\\hat\\mu)^2,

    .. math:: \\ell_{REML}(\\tau) = \\log \\int N(y;\\, \\mu\\mathbf 1,\\, V)\\, d\\mu
              = \\ell_{ML}(\\tau) + \\tfrac12\\log(2\\pi) - \\tfrac12 \\log \\sum_j p_j .

    The REML criterion is the log-likelihood of μ-free contrasts of `y` (Harville 1977);
    integrating μ out with a flat prior gives the same function of τ.  It is also the
    log marginal density of BDA3's §5.4 (flat prior on μ) as a function of τ.

    References
    ----------
    Harville, D. A. (1977). *JASA* 72, 320–338.  Gelman, A. et al. (2013). *Bayesian
    Data Analysis*, 3rd ed., §5.4.

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> schools = ht.load("eight_schools")
    >>> ll = ht.tau_loglik([0.0, 5.0, 10.0], schools["y"], schools["se"], method="REML")
    >>> np.exp(ll - ll[0]).round(3)  # relative to tau = 0, where it is highest
    array([1.   , 0.802, 0.401])
    """
    method = check_option(method, "method", ("REML", "ML"))
    index = tau.index if isinstance(tau, pd.Series) else None
    tau_arr = check_numbers(tau, "tau", "a number or an array of numbers")
    if not np.isfinite(tau_arr).all() or (tau_arr < 0).any():
        raise ValueError("tau must be finite and >= 0 everywhere (it is a standard deviation).")
    y = check_array(y, "y", min_size=2)
    se = check_array(se, "se", allow_scalar=True, positive=True)
    if se.ndim:
        check_consistent_length(y=y, se=se)
    s2 = np.broadcast_to(se**2, y.shape)[None, :]
    flat = tau_arr.ravel()
    values = normal.profile_loglik(flat**2, y[None, :], s2, method == "REML").reshape(tau_arr.shape)
    if index is not None:
        return like_input(values, index, name="loglik")
    return float(values) if values.ndim == 0 else values


def james_stein_batch(y, sigma, target="mean"):
    """Positive-part James–Stein estimates for many replicates at once (along the last axis).

    :func:`james_stein` for an array whose last axis holds the J groups and whose
    leading axes index replicates (simulated data sets, configurations, ...): each
    row is shrunk separately, all rows in one pass.

    Parameters
    ----------
    y : array_like of shape (..., J)
        Observed group means; every one has the same known standard error.
    sigma : float
        That standard error, σ > 0.
    target : "mean" or float
        Shrink each row toward its own mean (needs J ≥ 4: with J = 3 the factor
        J − 3 is 0 and nothing is shrunk) or toward a fixed number (needs J ≥ 3).

    Returns
    -------
    numpy.ndarray
        Same shape as `y` (a DataFrame in, a DataFrame out with its index and columns).

    See Also
    --------
    james_stein : one set of groups.

    Notes
    -----
    Row by row, with :math:`\\bar y` the row mean and :math:`S = \\sum_j (y_j-\\bar y)^2`,

    .. math:: \\hat\\theta_j = \\bar y + \\Big(1 - \\frac{(J-3)\\sigma^2}{S}\\Big)_+ (y_j-\\bar y);

    toward a fixed target :math:`\\theta_0`, :math:`\\bar y \\to \\theta_0` and
    :math:`J - 3 \\to J - 2`.  A row with :math:`S = 0` is returned as it is (it already sits
    on the target).

    References
    ----------
    James, W. and Stein, C. (1961). *Proc. Fourth Berkeley Symposium* 1, 361–379.
    Efron, B. and Morris, C. (1973). Stein's estimation rule and its competitors -- an
    empirical Bayes approach. *JASA* 68, 117–130.

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> y = np.array([[1.0, 2.0, 3.0, 6.0], [0.0, 0.2, 0.4, 0.6]])
    >>> ht.james_stein_batch(y, sigma=1.0).round(3)  # the second row shrinks all the way
    array([[1.143, 2.071, 3.   , 5.786],
           [0.3  , 0.3  , 0.3  , 0.3  ]])
    """
    frame = y if isinstance(y, pd.DataFrame) else None
    values = check_numbers(y, "y", "an array of numbers (groups along the last axis)")
    if values.ndim < 1:
        raise ValueError("y must have at least one axis: the groups, along the last axis.")
    if not np.isfinite(values).all():
        raise ValueError("y contains NaN or infinite values; remove or replace them first.")
    if isinstance(sigma, bool | np.bool_) or np.ndim(sigma) != 0:
        raise TypeError(f"sigma must be one number (the common known standard error), got "
                        f"{sigma!r}.")
    sigma = float(check_array(sigma, "sigma", allow_scalar=True, positive=True))
    J = values.shape[-1]
    if isinstance(target, str):
        check_option(target, "target", ["mean"])
        if J < 4:
            raise ValueError(f"y has J = {J} groups; toward their own mean James-Stein needs "
                             "J >= 4 (with J = 3 the factor J - 3 is 0 and it shrinks nothing). "
                             "Shrink toward a fixed number instead (target=0.0, say), which "
                             "needs J >= 3.")
        center, dof = values.mean(axis=-1, keepdims=True), J - 3
    else:
        if isinstance(target, bool | np.bool_) or np.ndim(target) != 0:
            raise TypeError(f"target must be 'mean' or one number, got {target!r}.")
        center = float(check_array(target, "target", allow_scalar=True))
        dof = J - 2
        if J < 3:
            raise ValueError(f"y has J = {J} groups; toward a fixed number James-Stein needs "
                             "J >= 3.")
    deviation = values - center
    spread = (deviation**2).sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore"):
        factor = np.where(spread > 0, np.maximum(0.0, 1.0 - dof * sigma**2 / spread), 1.0)
    out = center + factor * deviation
    if frame is not None:
        return pd.DataFrame(out, index=frame.index.copy(), columns=frame.columns.copy())
    return out


def shrink_batch(y, se, tau):
    """Partially pooled estimates on many maps at once, each map with its own τ.

    Row by row, the shrinkage of :func:`shrink` for estimates with known standard
    errors: each :math:`y_{rj}` moves toward its map's precision-weighted mean.

    Parameters
    ----------
    y : array_like of shape (maps, groups)
        One map per row.
    se : float or array_like
        Known standard errors, > 0: one number, one per group, or the shape of `y`.
    tau : float or array_like of shape (maps,)
        τ ≥ 0 for every map (e.g. from :func:`estimate_tau_batch`), or one for all;
        ``np.inf`` leaves a map's estimates unshrunk.

    Returns
    -------
    numpy.ndarray of shape (maps, groups)

    See Also
    --------
    shrink : one map, by group sizes and σ.

    Notes
    -----
    With :math:`w_{rj} = \\tau_r^2/(\\tau_r^2 + s_{rj}^2)` and
    :math:`\\hat\\mu_r = \\sum_j p_{rj} y_{rj} / \\sum_j p_{rj}`,
    :math:`p_{rj} = 1/(\\tau_r^2 + s_{rj}^2)`:

    .. math:: \\hat\\theta_{rj} = \\hat\\mu_r + w_{rj}\\,(y_{rj} - \\hat\\mu_r).

    With τ = 0 every estimate is the precision-weighted mean (complete pooling).

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> y = np.array([[0.0, 10.0], [0.0, 10.0]])
    >>> ht.shrink_batch(y, se=1.0, tau=[0.0, 1.0])
    array([[5. , 5. ],
           [2.5, 7.5]])
    """
    y = check_maps(y, "y")
    s2 = check_map_se(se, y.shape, "se") ** 2
    tau = check_numbers(tau, "tau", "a number or one number per map")
    if tau.ndim > 1 or (tau.ndim == 1 and tau.size != y.shape[0]):
        raise ValueError(f"tau has shape {tau.shape}; pass one number, or one per map "
                         f"({y.shape[0]},).")
    if np.isnan(tau).any() or (tau < 0).any():
        raise ValueError("tau must be >= 0 everywhere (np.inf allowed: no shrinkage).")
    tau2 = np.broadcast_to(tau, (y.shape[0],))[:, None] ** 2
    unshrunk = np.isinf(tau2[:, 0])
    tau2 = np.where(np.isinf(tau2), 0.0, tau2)
    p = 1.0 / (tau2 + s2)
    mu = (p * y).sum(axis=1, keepdims=True) / p.sum(axis=1, keepdims=True)
    out = mu + tau2 * p * (y - mu)
    out[unshrunk] = y[unshrunk]
    return out
