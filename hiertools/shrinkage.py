"""Shrinkage: the partial-pooling estimate as a precision-weighted average.

For a group with :math:`n_j` observations, raw mean :math:`\\bar y_j`, between-group
SD :math:`\\tau` and within-group SD :math:`\\sigma`, the partially pooled estimate is

.. math:: \\hat\\alpha_j = w_j \\bar y_j + (1 - w_j)\\,\\mu, \\qquad
          w_j = \\frac{\\tau^2}{\\tau^2 + \\sigma^2 / n_j}.

:math:`w_j` is the *reliability* of group *j*'s own data: the share of the
variance of :math:`\\bar y_j` that is real between-group signal rather than
sampling noise.  It is also the posterior mean of :math:`\\alpha_j` under the
prior :math:`N(\\mu, \\tau^2)` and the likelihood
:math:`\\bar y_j \\sim N(\\alpha_j, \\sigma^2/n_j)`.

The public functions check their arguments once and call the kernels ``weights``,
``pooled_mean`` and ``shrink`` of :mod:`hiertools._kernels.normal`, which take clean float
arrays; the explorers call the kernels directly, so a slider step checks nothing twice.
"""

from __future__ import annotations

import numpy as np

from ._kernels import normal
from ._validation import (
    check_array,
    check_consistent_length,
    check_scalar,
    common_index,
    like_input,
)

__all__ = ["shrinkage_weights", "shrink", "pooled_mean"]


# --- checks shared by the public functions -------------------------------------------------------

def _check_groups(raw, n, tau, sigma, *, min_groups: int = 1):
    """raw, n, tau, sigma as clean floats (n and sigma: a scalar or one per group)."""
    raw_arr = check_array(raw, "raw", min_size=min_groups)
    n_arr = check_array(n, "n", allow_scalar=True, positive=True)
    tau = check_scalar(tau, "tau", minimum=0, allow_inf=True)
    sigma_arr = check_array(sigma, "sigma", allow_scalar=True, positive=True)
    check_consistent_length(raw=raw_arr, n=n_arr, sigma=sigma_arr)
    return raw_arr, n_arr, tau, sigma_arr


def shrinkage_weights(tau, sigma, n):
    """Weight each group's own mean gets in the partial-pooling estimate.

    Parameters
    ----------
    tau : float or array_like
        Between-group standard deviation, τ ≥ 0 (``np.inf`` gives no pooling).
    sigma : float or array_like
        Within-group standard deviation, σ > 0.
    n : int or array_like
        Group sizes, :math:`n_j > 0`.  All three broadcast against each other.

    Returns
    -------
    float, numpy.ndarray or pandas.Series
        :math:`w = \\tau^2 / (\\tau^2 + \\sigma^2 / n)`, between 0 (complete pooling)
        and 1 (no pooling): a float for scalar arguments, an array otherwise, and a
        Series with the index of a Series argument (one value per group).

    Raises
    ------
    TypeError
        If an argument is not a number or an array of numbers.
    ValueError
        If τ < 0, σ ≤ 0, some :math:`n_j \\le 0`, a value is NaN, or the shapes do not
        broadcast.

    See Also
    --------
    shrink : apply the weights.

    Notes
    -----
    :math:`w_j` is the reliability of :math:`\\bar y_j` (the between-group share of
    its variance).  It is one half exactly when :math:`n_j = \\sigma^2/\\tau^2`.

    Examples
    --------
    >>> import hiertools as ht
    >>> ht.shrinkage_weights(tau=1.0, sigma=2.0, n=[1, 4, 16])
    array([0.2, 0.5, 0.8])
    """
    index = common_index(tau=tau, sigma=sigma, n=n)
    tau_arr = check_array(tau, "tau", allow_scalar=True, ndim=None, nonnegative=True,
                          allow_inf=True)
    sigma_arr = check_array(sigma, "sigma", allow_scalar=True, ndim=None, positive=True)
    n_arr = check_array(n, "n", allow_scalar=True, ndim=None, positive=True)
    try:
        np.broadcast_shapes(tau_arr.shape, sigma_arr.shape, n_arr.shape)
    except ValueError:
        raise ValueError(f"tau, sigma and n do not broadcast together (shapes {tau_arr.shape}, "
                         f"{sigma_arr.shape}, {n_arr.shape}); pass scalars or arrays of one "
                         "length.") from None
    w = normal.weights(tau_arr, sigma_arr, n_arr)
    return like_input(w, index, "weight") if w.ndim else float(w)


def pooled_mean(raw, n, tau, sigma) -> float:
    """Precision-weighted mean of the group means, the GLS estimate of μ.

    Parameters
    ----------
    raw : array_like
        The groups' raw means :math:`\\bar y_j`.
    n : int or array_like
        Group sizes :math:`n_j > 0` (one for all, or one per group).
    tau : float
        Between-group standard deviation τ ≥ 0 (``np.inf`` allowed).
    sigma : float or array_like
        Within-group standard deviation σ > 0 (one for all, or one per group).

    Returns
    -------
    float
        :math:`\\hat\\mu`.

    Raises
    ------
    TypeError, ValueError
        If an argument is not numeric, out of range, or the lengths differ.

    See Also
    --------
    shrink : shrinks toward this mean by default.

    Notes
    -----
    :math:`\\hat\\mu = \\sum_j p_j \\bar y_j / \\sum_j p_j` with
    :math:`p_j = 1 / (\\tau^2 + \\sigma^2/n_j)`, the precision of :math:`\\bar y_j` as an
    estimate of μ.  With τ = 0 (and one σ) this is the mean of all observations,
    :math:`\\sum_j n_j \\bar y_j / \\sum_j n_j`; as τ → ∞ it becomes the unweighted mean
    of the group means.

    Examples
    --------
    >>> import hiertools as ht
    >>> ht.pooled_mean([1.0, 4.0], n=[1, 2], tau=0.0, sigma=1.0)
    3.0
    """
    common_index(raw=raw, n=n, sigma=sigma)
    return normal.pooled_mean(*_check_groups(raw, n, tau, sigma))


def shrink(raw, n, tau, sigma, mu=None):
    """Partially pooled estimates: shrink each raw group mean toward μ.

    Parameters
    ----------
    raw : array_like or pandas.Series
        The groups' raw (no-pooling) means :math:`\\bar y_j`.
    n : int or array_like
        Group sizes :math:`n_j` (use ``n=1`` and ``sigma=se`` when each group comes
        with a known standard error instead).
    tau : float
        Between-group standard deviation τ ≥ 0 (``np.inf``: no pooling).
    sigma : float or array_like
        Within-group standard deviation σ > 0 (one for all, or one per group).
    mu : float, optional
        Value to shrink toward.  Default: the precision-weighted mean
        (:func:`pooled_mean`), which is what a fitted varying-intercept model uses;
        it needs at least two groups.

    Returns
    -------
    numpy.ndarray or pandas.Series
        :math:`\\hat\\alpha_j = w_j \\bar y_j + (1 - w_j)\\mu`; a Series with the index
        of `raw` (or of another Series argument) when one is a Series.  No argument is
        modified.

    Raises
    ------
    TypeError
        If an argument is not a number or an array of numbers.
    ValueError
        If a value is NaN or out of range, the lengths differ, Series arguments have
        different indexes, or there is one group and no `mu`: μ estimated from one
        group is that group's own mean, so nothing would move.

    See Also
    --------
    shrinkage_weights, pooled_mean, partial_pooling, fit_varying_intercepts

    Notes
    -----
    This is the posterior mean of :math:`\\alpha_j` under the prior
    :math:`N(\\mu, \\tau^2)` and the likelihood :math:`\\bar y_j \\sim N(\\alpha_j,
    \\sigma^2/n_j)`; :func:`shrinkage_weights` gives the :math:`w_j`.

    Examples
    --------
    >>> import hiertools as ht
    >>> ht.shrink([0.0, 10.0], n=[1, 100], tau=1.0, sigma=1.0, mu=5.0)
    array([2.5       , 9.95049505])
    """
    index = common_index(raw=raw, n=n, sigma=sigma)
    raw_arr, n_arr, tau, sigma_arr = _check_groups(raw, n, tau, sigma)
    if mu is None:
        if raw_arr.size < 2:
            raise ValueError(
                "raw has one group and mu is not given: mu would be estimated from that one "
                "group, i.e. its own mean, so nothing would shrink. Pass mu= the value to "
                "shrink toward (e.g. a prior mean, or the mean of comparable groups)."
            )
    else:
        mu = check_scalar(mu, "mu")
    out = np.broadcast_to(normal.shrink(raw_arr, n_arr, tau, sigma_arr, mu), raw_arr.shape).copy()
    return like_input(out, index, "partial_pooling")
