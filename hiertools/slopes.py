"""Shrinkage in two dimensions: varying intercepts and slopes for a *given* Σ and σ.

A fitted varying-slopes model (:func:`fit_varying_slopes`) estimates the
between-group covariance Σ and the residual SD σ and reports each group's
partially pooled line.  This module answers the what-if question behind the
lesson 06 explorer: *which* lines would the model report if Σ and σ were
something else?  It works, like the engine, from per-group sufficient statistics
computed once in a vectorized pass.

Notation (code name → symbol), for group j with rows i = 1..n_j:

* ``ztz`` → :math:`A_j = Z_j'Z_j
  = \\begin{pmatrix} n_j & \\sum x \\\\ \\sum x & \\sum x^2 \\end{pmatrix}`
  (here the fixed and the random design are the same, :math:`X_j = Z_j = [1, x]`);
* ``zty`` → :math:`c_j = Z_j'y_j = (\\sum y, \\sum xy)'`;
* ``cov`` → :math:`\\Sigma`, the covariance of a group's (intercept, slope) deviation;
* ``gain`` → :math:`K_j = (\\Sigma A_j + \\sigma^2 I)^{-1}\\Sigma`, which equals
  :math:`(A_j + \\sigma^2\\Sigma^{-1})^{-1}` when Σ is invertible and stays defined
  when it is not (an SD of 0 or a correlation of ±1).

Given Σ and σ, the marginal model is :math:`y_j \\sim N(X_j\\beta,\\ Z_j\\Sigma Z_j' +
\\sigma^2 I)` and, by the Woodbury identity,
:math:`\\sigma^2 X_j'V_j^{-1}X_j = A_j - A_jK_jA_j` and
:math:`\\sigma^2 X_j'V_j^{-1}y_j = c_j - A_jK_jc_j`, so the generalized least-squares
fixed effects and the conditional modes (BLUPs) are

.. math::

    \\hat\\beta = \\Big(\\sum_j A_j - A_jK_jA_j\\Big)^{-1} \\sum_j (c_j - A_jK_jc_j), \\qquad
    \\hat b_j = K_j\\,(c_j - A_j\\hat\\beta)

(Henderson's mixed-model equations; e.g. Searle, Casella & McCulloch 1992, ch. 7).
With :math:`\\hat\\theta_j^{\\rm OLS} = A_j^{-1}c_j` the group's own least-squares line and
:math:`N_j = \\sigma^2A_j^{-1}` its sampling covariance, the partially pooled line is

.. math::

    \\hat\\beta + \\hat b_j = \\hat\\beta + S_j(\\hat\\theta_j^{\\rm OLS} - \\hat\\beta), \\qquad
    S_j = K_jA_j = \\Sigma(\\Sigma + N_j)^{-1},

the matrix version of lesson 03's weight :math:`w_j = \\tau^2/(\\tau^2 + \\sigma^2/n_j)`.
At a fit's own Σ̂ and σ̂ these are exactly the fit's ``fixed_effects`` and
``group_coefs`` (REML's fixed effects are the GLS estimate given its Σ̂).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._kernels import regression
from ._validation import check_scalar, check_slope_data

__all__ = ["shrink_slopes", "slopes_cov", "SlopesShrinkage"]

def slopes_cov(sd_intercept, sd_slope, rho) -> np.ndarray:
    """The between-group covariance matrix Σ of (intercept, slope) from two SDs and ρ.

    Parameters
    ----------
    sd_intercept, sd_slope : float
        Between-group standard deviations :math:`\\sigma_\\alpha, \\sigma_\\beta \\ge 0`.
    rho : float
        Their correlation, between -1 and 1.

    Returns
    -------
    numpy.ndarray
        :math:`\\Sigma = \\begin{pmatrix}\\sigma_\\alpha^2 & \\rho\\sigma_\\alpha\\sigma_\\beta\\\\
        \\rho\\sigma_\\alpha\\sigma_\\beta & \\sigma_\\beta^2\\end{pmatrix}`, shape (2, 2).

    Examples
    --------
    >>> import hiertools as ht
    >>> ht.slopes_cov(3.0, 2.0, -0.5)
    array([[ 9., -3.],
           [-3.,  4.]])
    """
    sa = check_scalar(sd_intercept, "sd_intercept", minimum=0)
    sb = check_scalar(sd_slope, "sd_slope", minimum=0)
    rho = check_scalar(rho, "rho", minimum=-1, maximum=1)
    return np.array([[sa * sa, rho * sa * sb], [rho * sa * sb, sb * sb]])


@dataclass(frozen=True, repr=False, eq=False)
class SlopesShrinkage:
    """Partially pooled lines for a given Σ and σ (immutable; returned by :func:`shrink_slopes`).

    Every attribute returns a fresh copy, so changing it never changes the result.

    Attributes
    ----------
    fixed_effects : pandas.Series
        The centre the groups are pulled toward: generalized least-squares estimates
        of ``"Intercept"`` and the slope, given Σ and σ.
    group_coefs : pandas.DataFrame
        One row per group (sorted labels), columns ``"Intercept"`` and the slope's
        name: fixed effects plus the group's conditional mode, like ``fit.group_coefs``.
    own_lines : pandas.DataFrame
        Each group's own least-squares line (no pooling), shaped like `group_coefs`;
        NaN for a group whose x does not vary.
    shrinkage : numpy.ndarray
        Shape (groups, 2, 2): the matrices :math:`S_j` with
        ``group_coefs = fixed_effects + S_j (own_lines - fixed_effects)``, in the
        order of the rows of `group_coefs`.
    cov, sigma :
        The Σ (2 x 2 array) and σ used.
    """

    _beta: np.ndarray
    _coefs: np.ndarray
    _own: np.ndarray
    _shrinkage: np.ndarray
    _labels: pd.Index
    _names: tuple
    _cov: np.ndarray
    sigma: float

    @property
    def fixed_effects(self) -> pd.Series:
        return pd.Series(self._beta.copy(), index=pd.Index(self._names), name="fixed_effects")

    @property
    def group_coefs(self) -> pd.DataFrame:
        return pd.DataFrame(self._coefs.copy(), index=self._labels.copy(),
                            columns=pd.Index(self._names))

    @property
    def own_lines(self) -> pd.DataFrame:
        return pd.DataFrame(self._own.copy(), index=self._labels.copy(),
                            columns=pd.Index(self._names))

    @property
    def shrinkage(self) -> np.ndarray:
        return self._shrinkage.copy()

    @property
    def cov(self) -> np.ndarray:
        return self._cov.copy()

    def __repr__(self) -> str:
        sa, sb = np.sqrt(np.diag(self._cov))
        rho = self._cov[0, 1] / (sa * sb) if sa * sb > 0 else float("nan")
        return (f"<SlopesShrinkage: {len(self._labels)} groups; sd_intercept={sa:.4g}, "
                f"sd_slope={sb:.4g}, rho={rho:.3g}, sigma={self.sigma:.4g}>")

    def _repr_html_(self) -> str:
        return (f"<p>{repr(self)[1:-1].replace('<', '&lt;')}</p>"
                + self.group_coefs.to_html(float_format=lambda v: f"{v:.4f}"))


def shrink_slopes(data: pd.DataFrame, y: str, x: str, group, *, sd_intercept, sd_slope, rho,
                  sigma) -> SlopesShrinkage:
    """Partially pooled intercepts and slopes of every group, for a given Σ and σ.

    The same computation a fitted varying-slopes model does at its own estimates,
    here for any between-group SDs, correlation and residual SD you choose: the
    fixed effects by generalized least squares, then each group's line pulled from
    its own least-squares line toward them by the matrix
    :math:`S_j = \\Sigma(\\Sigma + \\sigma^2 A_j^{-1})^{-1}`.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation; never modified.
    y, x : str
        Outcome column and the predictor whose slope varies by group.
    group : str
        Grouping column.
    sd_intercept, sd_slope : float
        Between-group SDs of the intercepts and of the slopes (>= 0).
    rho : float
        Correlation of intercepts and slopes, in [-1, 1].
    sigma : float
        Residual (within-group) SD, > 0.

    Returns
    -------
    SlopesShrinkage
        With ``fixed_effects``, ``group_coefs`` (like ``fit.group_coefs``),
        ``own_lines`` (each group's least-squares line) and ``shrinkage`` (the
        matrices :math:`S_j`).

    See Also
    --------
    fit_varying_slopes : estimates Σ and σ (REML or ML).
    shrink : the one-dimensional version, :math:`w_j = \\tau^2/(\\tau^2 + \\sigma^2/n_j)`.
    slopes_cov : Σ from two SDs and a correlation.

    Notes
    -----
    With :math:`A_j = Z_j'Z_j`, :math:`c_j = Z_j'y_j` and
    :math:`K_j = (\\Sigma A_j + \\sigma^2 I)^{-1}\\Sigma`:

    .. math::

        \\hat\\beta = \\Big(\\sum_j A_j - A_jK_jA_j\\Big)^{-1}\\sum_j (c_j - A_jK_jc_j), \\qquad
        \\hat\\beta + \\hat b_j = \\hat\\beta + K_j(c_j - A_j\\hat\\beta).

    Σ = 0 gives complete pooling (one least-squares line for everyone); as σ → 0
    every group with two or more distinct x keeps its own line.  At the Σ̂ and σ̂ of
    :func:`fit_varying_slopes` the result equals the fit's ``fixed_effects`` and
    ``group_coefs``.

    References
    ----------
    .. [1] Searle, S. R., Casella, G. and McCulloch, C. E. (1992). *Variance
       Components*, ch. 7. Wiley.
    .. [2] Gelman, A. and Hill, J. (2007). *Data Analysis Using Regression and
       Multilevel/Hierarchical Models*, ch. 13. Cambridge University Press.

    Examples
    --------
    >>> import hiertools as ht
    >>> sleep = ht.load("sleepstudy")
    >>> pooled = ht.shrink_slopes(sleep, "reaction", "days", "subject", sd_intercept=25.0,
    ...                           sd_slope=6.0, rho=0.0, sigma=25.0)
    >>> pooled.group_coefs.loc[308].round(2)
    Intercept    252.65
    days          19.86
    Name: 308, dtype: float64
    >>> complete = ht.shrink_slopes(sleep, "reaction", "days", "subject", sd_intercept=0.0,
    ...                             sd_slope=0.0, rho=0.0, sigma=25.0)
    >>> complete.fixed_effects.round(3)
    Intercept    251.405
    days          10.467
    Name: fixed_effects, dtype: float64
    """
    stats = check_slope_data(data, y, x, group)
    cov = slopes_cov(sd_intercept, sd_slope, rho)
    sigma = check_scalar(sigma, "sigma", minimum=0, strict_min=True)
    beta, coefs, shrinkage = regression.shrink_lines(stats, cov, sigma)
    return SlopesShrinkage(beta, coefs, regression.own_lines(stats), shrinkage, stats.labels.copy(),
                           ("Intercept", x), cov, float(sigma))
