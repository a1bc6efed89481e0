"""Three ways to handle groups: complete, no and partial pooling.

Each estimator takes a DataFrame, the name of the outcome column and the name of
the grouping column, and returns one estimate per group as a ``pandas.Series``
indexed by group label (in the order pandas sorts them).  They all start from
:func:`group_summary`, the groups' sufficient statistics, computed once in a
vectorized pass.  Each public function checks its arguments once and then calls the
private kernel :func:`_group_summary`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

from ._validation import (
    check_array,
    check_column,
    check_frame,
    check_group_column,
    check_option,
    check_scalar,
)
from .mixed import fit_varying_intercepts

__all__ = ["group_summary", "complete_pooling", "no_pooling", "partial_pooling",
           "normal_funnel_limits"]


def _checked(data, y, group) -> pd.DataFrame:
    check_frame(data)
    check_column(data, y, "y")
    check_group_column(data, group, "group")
    if group == y:
        raise ValueError(f"group={group!r} is also the outcome y; pass the column that labels "
                         "the groups.")
    return data


def _group_summary(data: pd.DataFrame, y, group) -> pd.DataFrame:
    """Count, mean and variance of `y` per group (no checks: the public functions check)."""
    grouped = data.groupby(group, sort=True, observed=True)[y]
    out = grouped.agg(["count", "mean", "var"]).rename(columns={"count": "n"})
    out["n"] = out["n"].astype(int)
    return out


def group_summary(data: pd.DataFrame, y: str, group: str) -> pd.DataFrame:
    """Per-group count, mean and variance of `y`.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation.
    y : str
        Name of the numeric outcome column.
    group : str
        Name of the grouping column (any hashable labels).

    Returns
    -------
    pandas.DataFrame
        Indexed by group (sorted), with columns ``n`` (int), ``mean`` and ``var``
        (sample variance, ``ddof=1``; NaN for a group with one observation).

    Raises
    ------
    TypeError
        If `data` is not a DataFrame, or `y` is not a numeric column.
    ValueError
        If a column is missing, `y` has NaN or infinite values, or a group label is missing.

    See Also
    --------
    no_pooling, complete_pooling, partial_pooling : estimators built on it.

    Examples
    --------
    >>> import pandas as pd, hiertools as ht
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "y": [1.0, 3.0, 5.0]})
    >>> ht.group_summary(df, "y", "g")
       n  mean  var
    g
    a  2   2.0  2.0
    b  1   5.0  NaN
    """
    return _group_summary(_checked(data, y, group), y, group)


def complete_pooling(data: pd.DataFrame, y: str, group: str) -> pd.Series:
    """Complete pooling: every group gets the overall mean of all observations.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation.
    y : str
        Name of the numeric outcome column.
    group : str
        Name of the grouping column.

    Returns
    -------
    pandas.Series
        One estimate per group, indexed by group label (sorted).

    See Also
    --------
    no_pooling, partial_pooling

    Notes
    -----
    :math:`\\hat\\alpha_j = \\bar y = \\frac{1}{N}\\sum_{ij} y_{ij}` for every group
    *j*: the mean of all observations, which weights each group by its size
    (not the unweighted mean of the group means).

    Examples
    --------
    >>> import pandas as pd, hiertools as ht
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "y": [1.0, 3.0, 5.0]})
    >>> ht.complete_pooling(df, "y", "g").tolist()
    [3.0, 3.0]
    """
    summary = _group_summary(_checked(data, y, group), y, group)
    overall = float(np.average(summary["mean"], weights=summary["n"]))
    return pd.Series(overall, index=summary.index, name="complete_pooling")


def no_pooling(data: pd.DataFrame, y: str, group: str) -> pd.Series:
    """No pooling: each group's own mean, ignoring all other groups.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation.
    y : str
        Name of the numeric outcome column.
    group : str
        Name of the grouping column.

    Returns
    -------
    pandas.Series
        One estimate per group, indexed by group label (sorted).

    See Also
    --------
    complete_pooling, partial_pooling

    Notes
    -----
    :math:`\\hat\\alpha_j = \\bar y_j`, unbiased but with variance
    :math:`\\sigma^2 / n_j`: wild for small groups.

    Examples
    --------
    >>> import pandas as pd, hiertools as ht
    >>> df = pd.DataFrame({"g": ["a", "a", "b"], "y": [1.0, 3.0, 5.0]})
    >>> ht.no_pooling(df, "y", "g").tolist()
    [2.0, 5.0]
    """
    return _group_summary(_checked(data, y, group), y, group)["mean"].rename("no_pooling")


def partial_pooling(data: pd.DataFrame, y: str, group: str, method: str = "REML") -> pd.Series:
    """Partial pooling: each group's mean shrunk toward the overall mean.

    Fits the varying-intercept model :math:`y_{ij} = \\alpha_j + \\varepsilon_{ij}`,
    :math:`\\alpha_j \\sim N(\\mu, \\tau^2)`, :math:`\\varepsilon_{ij} \\sim N(0, \\sigma^2)`
    by REML or ML (:func:`fit_varying_intercepts`) and returns the estimated
    group intercepts :math:`\\hat\\mu + \\hat b_j`.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation.
    y, group : str
        Outcome and grouping column names.
    method : {"REML", "ML"}
        How τ and σ are estimated (case does not matter: ``"reml"`` works too).

    Returns
    -------
    pandas.Series
        One estimate per group, indexed by group label (sorted).

    Raises
    ------
    ValueError, TypeError
        As :func:`fit_varying_intercepts` (which checks the data), or for an unknown
        `method` (the message lists the valid ones).

    See Also
    --------
    complete_pooling, no_pooling, shrink, fit_varying_intercepts

    Notes
    -----
    The estimate is the precision-weighted compromise

    .. math:: \\hat\\alpha_j = w_j \\bar y_j + (1 - w_j) \\hat\\mu, \\qquad
              w_j = \\frac{\\hat\\tau^2}{\\hat\\tau^2 + \\hat\\sigma^2 / n_j},

    which :func:`shrink` computes from the same ingredients.

    Examples
    --------
    >>> import hiertools as ht
    >>> radon = ht.load("radon")
    >>> est = ht.partial_pooling(radon, "log_radon", "county")
    >>> len(est), bool(est.std() < ht.no_pooling(radon, "log_radon", "county").std())
    (85, True)
    """
    method = check_option(method, "method", ["REML", "ML"])

    fit = fit_varying_intercepts(data, y, group, method=method)
    intercept = fit.fixed_effects["Intercept"]
    return (intercept + fit.random_effects["Intercept"]).rename("partial_pooling")


def normal_funnel_limits(n, sigma: float, center: float, level: float = 0.95):
    """Normal control limits of a funnel plot: where a group of size *n* falls if all are alike.

    If every group had the same true value `center` and one observation has SD
    `sigma`, a group's raw mean of *n* observations is :math:`N(\\text{center},
    \\sigma^2/n)` and falls inside

    .. math::

        \\text{center} \\pm z\\,\\sigma/\\sqrt{n}, \\qquad
        z = \\Phi^{-1}\\big((1 + \\text{level})/2\\big)

    with probability `level`.  :func:`hiertools.funnel_limits` is the exact binomial
    counterpart for proportions; :func:`hiertools.plot_funnel` draws these limits.

    Parameters
    ----------
    n : array_like or float
        Group sizes, ``> 0``.
    sigma : float
        SD of one observation, ``> 0``.
    center : float
        The value every group would share.
    level : float
        Coverage, between 0 and 1 (0.95 gives z = 1.96, 0.998 gives z = 3.09).

    Returns
    -------
    (lower, upper) : tuple of numpy arrays (or floats for a scalar `n`)

    Examples
    --------
    >>> from hiertools.pooling import normal_funnel_limits
    >>> lower, upper = normal_funnel_limits([4, 100], sigma=3.0, center=5.0)
    >>> upper.round(3).tolist(), lower.round(3).tolist()
    ([7.94, 5.588], [2.06, 4.412])
    """
    scalar = np.ndim(n) == 0
    size = check_array(n, "n", allow_scalar=True, positive=True)
    sigma = check_scalar(sigma, "sigma", minimum=0, strict_min=True)
    center = check_scalar(center, "center")
    level = check_scalar(level, "level", minimum=0, maximum=1, strict_min=True, strict_max=True)
    half = special.ndtri(0.5 + level / 2) * sigma / np.sqrt(size)
    lower, upper = center - half, center + half
    return (float(np.ravel(lower)[0]), float(np.ravel(upper)[0])) if scalar else (lower, upper)
