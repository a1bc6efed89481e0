"""Shrinkage: the partial-pooling estimate as a precision-weighted average.

For a group with :math:`n_j` observations, raw mean :math:`\\bar y_j`, between-group
SD :math:`\\tau` and within-group SD :math:`\\sigma`, the partially pooled estimate is

.. math:: \\hat\\alpha_j = w_j \\bar y_j + (1 - w_j)\\,\\mu, \\qquad
          w_j = \\frac{\\tau^2}{\\tau^2 + \\sigma^2 / n_j}.

:math:`w_j` is the *reliability* of group *j*'s own data: the share of the
variance of :math:`\\bar y_j` that is real between-group signal rather than
sampling noise.  It is also the posterior mean of :math:`\\alpha_j` under the
prior :math:`N(\\mu, \\tau^2)` and the likelihood :math:`\\bar y_j \\sim N(\\alpha_j, \\sigma^2/n_j)`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validation import as_float_array, check_same_length

__all__ = ["shrinkage_weights", "shrink", "pooled_mean"]


def _nonnegative_scalar_or_array(value, name):
    arr = np.asarray(value) if not isinstance(value, str | bytes) else value
    if isinstance(arr, np.ndarray) and arr.ndim == 0:
        try:
            v = float(arr)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a number, got {value!r}.") from None
        if np.isnan(v) or v < 0:
            raise ValueError(f"{name} must be a number >= 0 (np.inf allowed), got {value!r}.")
        return np.float64(v)
    try:
        out = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a number or an array of numbers, got {value!r}.") from None
    if np.isnan(out).any() or (out < 0).any():
        raise ValueError(f"{name} must be >= 0 everywhere and not NaN; got {value!r}.")
    return out


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
    numpy.ndarray or float
        :math:`w = \\tau^2 / (\\tau^2 + \\sigma^2 / n)`, between 0 (complete pooling)
        and 1 (no pooling).

    Notes
    -----
    :math:`w_j` is the reliability of :math:`\\bar y_j` (the between-group share of
    its variance).  It is one half exactly when :math:`n_j = \\sigma^2/\\tau^2`.

    See Also
    --------
    shrink : apply the weights.

    Examples
    --------
    >>> import hiertools as ht
    >>> ht.shrinkage_weights(tau=1.0, sigma=2.0, n=[1, 4, 16])
    array([0.2, 0.5, 0.8])
    """
    tau = _nonnegative_scalar_or_array(tau, "tau")
    sigma = _nonnegative_scalar_or_array(sigma, "sigma")
    n = _nonnegative_scalar_or_array(n, "n")
    if np.any(sigma == 0):
        raise ValueError("sigma must be > 0: with no within-group noise there is nothing to shrink.")
    if np.any(n == 0):
        raise ValueError("n must be > 0 for every group (a group needs at least one observation).")
    noise = sigma**2 / n
    with np.errstate(invalid="ignore"):
        w = np.where(np.isinf(tau), 1.0, tau**2 / (tau**2 + noise))
    return w if w.ndim else float(w)


def pooled_mean(raw, n, tau, sigma) -> float:
    """Precision-weighted mean of the group means, the GLS estimate of μ.

    Notes
    -----
    :math:`\\hat\\mu = \\sum_j p_j \\bar y_j / \\sum_j p_j` with
    :math:`p_j = 1 / (\\tau^2 + \\sigma^2/n_j)`, the precision of :math:`\\bar y_j` as an
    estimate of μ.  With τ = 0 this is the mean of all observations; as τ → ∞ it
    becomes the unweighted mean of the group means.

    Examples
    --------
    >>> import hiertools as ht
    >>> ht.pooled_mean([1.0, 4.0], n=[1, 2], tau=0.0, sigma=1.0)
    3.0
    """
    raw = as_float_array(raw, "raw")
    n = as_float_array(n, "n", allow_scalar=True, positive=True)
    shrinkage_weights(tau, sigma, n)  # validates tau, sigma, n
    tau = float(tau) if np.ndim(tau) == 0 else np.asarray(tau, float)
    if np.all(np.isinf(tau)):
        return float(raw.mean())
    precision = 1.0 / (np.asarray(tau, float) ** 2 + np.asarray(sigma, float) ** 2 / n)
    return float(np.sum(precision * raw) / np.sum(precision * np.ones_like(raw)))


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
        Between-group standard deviation τ ≥ 0.
    sigma : float or array_like
        Within-group standard deviation σ > 0.
    mu : float, optional
        Value to shrink toward.  Default: the precision-weighted mean
        (:func:`pooled_mean`), which is what a fitted varying-intercept model uses.

    Returns
    -------
    numpy.ndarray or pandas.Series
        :math:`\\hat\\alpha_j = w_j \\bar y_j + (1 - w_j)\\mu`; a Series with `raw`'s
        index if `raw` is a Series.  `raw` is not modified.

    See Also
    --------
    shrinkage_weights, partial_pooling, fit_varying_intercepts

    Examples
    --------
    >>> import hiertools as ht
    >>> ht.shrink([0.0, 10.0], n=[1, 100], tau=1.0, sigma=1.0, mu=5.0)
    array([2.5       , 9.95049505])
    """
    index = raw.index if isinstance(raw, pd.Series) else None
    values = as_float_array(raw, "raw")
    n_arr = as_float_array(n, "n", allow_scalar=True, positive=True)
    sigma_arr = np.asarray(sigma, dtype=float) if not isinstance(sigma, str | bytes) else sigma
    if np.ndim(n_arr):
        check_same_length(raw=values, n=n_arr)
    if np.ndim(sigma_arr):
        check_same_length(raw=values, sigma=sigma_arr)
    w = shrinkage_weights(tau, sigma, n_arr)
    if mu is None:
        mu = pooled_mean(values, n_arr, tau, sigma)
    else:
        mu = float(as_float_array(mu, "mu", allow_scalar=True))
    out = mu + w * (values - mu)
    out = np.broadcast_to(out, values.shape).copy()
    return pd.Series(out, index=index, name="partial_pooling") if index is not None else out
