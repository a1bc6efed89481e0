"""The public fit functions, and their result assembled on the original scale.

The pipeline: :mod:`.reduction` checks the arguments and reduces the rows to
per-group sufficient statistics (predictors centred and scaled); :mod:`.likelihood`
turns those into the profiled criterion; :mod:`.optimizer` minimizes it over θ;
here everything is mapped back to the units of the data and packed into an
immutable :class:`~.result.MixedModelResult`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._kernels.arrays import frozen_copy
from .likelihood import _ProfiledCriterion, cholesky_2x2, relative_covariance
from .optimizer import _optimize
from .reduction import _as_names, _reduce, _SufficientStats
from .result import MixedModelResult

#: lme4's ``isSingular(tol = 1e-4)``: a fit is singular when a diagonal entry of θ,
#: on the original scale of the predictors, is below this.
_SINGULAR_TOL = 1e-4


def _fit(stats: _SufficientStats) -> MixedModelResult:
    crit = _ProfiledCriterion(stats)
    theta, value, converged = _optimize(crit)
    solution = crit.solve(theta)
    sigma = math.sqrt(solution.sigma2)
    u = stats.to_original
    beta = u @ solution.beta
    beta[0] += stats.y_mean
    if stats.n_varying == 1:
        cov, modes = relative_covariance(theta), solution.modes
        cond_var = solution.cond_cov[:, :, 0]
        theta_out, corr = theta, float("nan")
        theta_names = (f"{stats.group_name}.Intercept",)
        varying = ("Intercept",)
    else:
        cov, modes, cond_var, theta_out, corr = _slopes_on_original_scale(
            theta, solution, u[:2, :2])
        slope, group = stats.x_names[0], stats.group_name
        theta_names = (f"{group}.Intercept", f"{group}.{slope}.Intercept", f"{group}.{slope}")
        varying = ("Intercept", slope)
    # lme4's isSingular(): judged on theta in the units of the data, not the internal one
    diagonal = theta_out[[0]] if len(theta_out) == 1 else theta_out[[0, 2]]
    return MixedModelResult(
        _beta=frozen_copy(beta),
        _vcov=frozen_copy(u @ solution.vcov @ u.T),
        _fe_names=("Intercept", *stats.x_names),
        _sd=frozen_copy(sigma * np.sqrt(np.maximum(np.diag(cov), 0.0))),
        group_corr=corr,
        sigma=sigma,
        _re=frozen_copy(modes),
        _re_sd=frozen_copy(np.sqrt(np.maximum(solution.sigma2 * cond_var, 0.0))),
        _labels=stats.labels,
        _counts=frozen_copy(stats.counts),
        _theta=frozen_copy(theta_out),
        _theta_names=theta_names,
        loglik=float(-0.5 * (value + stats.reml_offset)),
        method=stats.method,
        singular=bool(np.any(diagonal < _SINGULAR_TOL)),
        n_obs=stats.n_obs,
        n_groups=stats.n_groups,
        y=stats.y_name,
        group=stats.group_name,
        x=tuple(stats.x_names),
        varying=varying,
        converged=bool(converged),
    )


def _slopes_on_original_scale(theta, solution, uz):
    """Covariance relative to sigma, conditional modes and variances, θ and the correlation
    of varying intercepts and slopes, in the units of the data.

    With the internal predictor x_s = (x - mean) / scale, the original effects are
    b = U_z b_s (U_z: the top-left 2 x 2 block of the back-transformation), so the
    relative covariance is U_z G U_z' and the conditional covariances U_z W_j U_z'.
    """
    cov = uz @ relative_covariance(theta) @ uz.T
    modes = solution.modes @ uz.T
    # diag(U_z W_j U_z'), written out for the upper-triangular U_z
    w00, w01, w11 = (solution.cond_cov[:, i, j] for i, j in ((0, 0), (0, 1), (1, 1)))
    (u00, u01), u11 = uz[0], uz[1, 1]
    cond_var = np.array([u00 * u00 * w00 + 2 * u00 * u01 * w01 + u01 * u01 * w11,
                         u11 * u11 * w11]).T
    theta_out = np.array(cholesky_2x2(cov))
    rank_one = theta[0] == 0.0 or theta[2] == 0.0
    if rank_one and theta_out[0] > 0:
        theta_out[2] = 0.0  # G is rank-deficient on any scale: exactly, not up to rounding
    if cov[0, 0] > 0 and cov[1, 1] > 0:
        corr = min(max(float(cov[0, 1] / math.sqrt(cov[0, 0] * cov[1, 1])), -1.0), 1.0)
        if rank_one:
            corr = math.copysign(1.0, corr)
    else:
        corr = float("nan")  # as lme4 prints it when an SD is 0
    return cov, modes, cond_var, theta_out, corr


# --------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------


def fit_varying_intercepts(data: pd.DataFrame, y: str, group: str, x=None,
                           method: str = "REML") -> MixedModelResult:
    """Fit a varying-intercept model, ``y ~ x + (1 | group)`` in lme4's notation.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation; never modified.
    y : str
        Response column (numeric, finite).
    group : str
        Column of group labels (any hashable type; reported in pandas' sort order).
    x : None, str or list of str
        Fixed-effect predictors (numeric, finite).  None fits the intercept only.
    method : {"REML", "ML"}
        Restricted (default, as lme4) or full maximum likelihood.

    Returns
    -------
    MixedModelResult
        Immutable result; see its attributes (``fixed_effects``, ``group_sd``,
        ``sigma``, ``random_effects``, ``loglik``, ...), ``summary()`` and
        ``predict()``.

    Raises
    ------
    TypeError
        If `data` is not a DataFrame or a column is not numeric.
    ValueError
        For a missing column, NaN or infinite values, fewer than two groups, only
        one observation per group, rank-deficient fixed effects or an unknown
        `method`.

    See Also
    --------
    fit_varying_slopes : intercepts and the slope of one predictor vary by group.
    hiertools.partial_pooling : the per-group estimates of this model as a Series.
    hiertools.shrinkage_weights : the weights w_j that the conditional modes use.

    Notes
    -----
    The model, for observation :math:`i` in group :math:`j`, is

    .. math::

        y_{ij} = \\beta_0 + x_{ij}'\\beta + \\alpha_j + \\varepsilon_{ij}, \\qquad
        \\alpha_j \\sim N(0, \\tau^2), \\quad \\varepsilon_{ij} \\sim N(0, \\sigma^2),

    with :math:`\\tau` = ``group_sd["Intercept"]`` and :math:`\\sigma` = ``sigma``.
    The estimate maximizes the profiled (REML) likelihood over
    :math:`\\theta = \\tau / \\sigma \\ge 0` as in lme4; :math:`\\hat\\theta = 0`
    is a legitimate (singular) answer.  The conditional modes are
    :math:`\\hat\\alpha_j = w_j (\\bar y_j - \\bar x_j'\\hat\\beta - \\hat\\beta_0)`
    with the shrinkage weight :math:`w_j = \\tau^2 / (\\tau^2 + \\sigma^2 / n_j)`,
    and their conditional SDs are :math:`\\sqrt{w_j \\sigma^2 / n_j}`.  The results
    agree with lme4's ``lmer`` (estimates, ``logLik``, ``ranef``, ``condVar``).

    References
    ----------
    .. [1] Bates, D., Maechler, M., Bolker, B. and Walker, S. (2015). Fitting linear
       mixed-effects models using lme4. *Journal of Statistical Software* 67(1), 1-48.
    .. [2] Gelman, A. and Hill, J. (2007). *Data Analysis Using Regression and
       Multilevel/Hierarchical Models*, ch. 12. Cambridge University Press.

    Examples
    --------
    >>> import hiertools as ht
    >>> from hiertools.mixed import fit_varying_intercepts
    >>> fit = fit_varying_intercepts(ht.load("radon"), "log_radon", "county", x="floor")
    >>> fit.fixed_effects.round(4)
    Intercept    1.4616
    floor       -0.6930
    Name: estimate, dtype: float64
    >>> round(float(fit.group_sd["Intercept"]), 4), round(fit.sigma, 4)
    (0.3282, 0.7556)
    >>> fit.random_effects.shape
    (85, 1)
    """
    return _fit(_reduce(data, y, group, _as_names(x), None, method))


def fit_varying_slopes(data: pd.DataFrame, y: str, x: str, group: str,
                       method: str = "REML") -> MixedModelResult:
    """Fit correlated varying intercepts and slopes, ``y ~ x + (1 + x | group)``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per observation; never modified.
    y : str
        Response column (numeric, finite).
    x : str
        The one predictor whose slope varies by group; it is also a fixed effect.
        It must vary within at least one group.
    group : str
        Column of group labels (any hashable type; reported in pandas' sort order).
    method : {"REML", "ML"}
        Restricted (default, as lme4) or full maximum likelihood.

    Returns
    -------
    MixedModelResult
        With ``group_sd`` indexed ``["Intercept", x]`` and ``group_corr`` the
        correlation of the varying intercepts and slopes.

    Raises
    ------
    TypeError
        If `data` is not a DataFrame or a column is not numeric.
    ValueError
        For a missing column, NaN or infinite values, fewer than two groups, only
        one observation per group, an `x` that does not vary within any group, or
        an unknown `method`.

    See Also
    --------
    fit_varying_intercepts : only the intercept varies by group.

    Notes
    -----
    The model is

    .. math::

        y_{ij} = (\\beta_0 + a_j) + (\\beta_1 + b_j) x_{ij} + \\varepsilon_{ij}, \\qquad
        \\begin{pmatrix} a_j \\\\ b_j \\end{pmatrix} \\sim N_2\\!\\left(0,
        \\begin{pmatrix} \\tau_a^2 & \\rho\\tau_a\\tau_b \\\\
        \\rho\\tau_a\\tau_b & \\tau_b^2 \\end{pmatrix}\\right),

    :math:`\\varepsilon_{ij} \\sim N(0, \\sigma^2)`.  As in lme4 the covariance is
    parameterized by the lower Cholesky factor :math:`\\Lambda` of
    :math:`\\Sigma / \\sigma^2` (``theta`` = its three entries, with
    :math:`\\theta_1, \\theta_3 \\ge 0`) and the profiled criterion is optimized
    over it.  A boundary optimum -- :math:`\\tau_a = 0`, :math:`\\tau_b = 0` or
    :math:`\\rho = \\pm 1` -- is reported with ``singular=True`` (and
    ``group_corr`` NaN when an SD is exactly 0, as lme4 prints it).  The
    conditional modes are :math:`\\hat u_j = \\sigma^{-2}\\, \\mathrm{Var}(u_j \\mid y)\\,
    Z_j'(y_j - X_j\\hat\\beta)` with
    :math:`\\mathrm{Var}(u_j \\mid y) = \\sigma^2 (Z_j'Z_j + \\sigma^2\\Sigma^{-1})^{-1}`.

    References
    ----------
    .. [1] Bates, D., Maechler, M., Bolker, B. and Walker, S. (2015). Fitting linear
       mixed-effects models using lme4. *Journal of Statistical Software* 67(1), 1-48.
    .. [2] Gelman, A. and Hill, J. (2007). *Data Analysis Using Regression and
       Multilevel/Hierarchical Models*, ch. 13. Cambridge University Press.

    Examples
    --------
    >>> import hiertools as ht
    >>> from hiertools.mixed import fit_varying_slopes
    >>> fit = fit_varying_slopes(ht.load("sleepstudy"), "reaction", "days", "subject")
    >>> fit.fixed_effects.round(3)
    Intercept    251.405
    days          10.467
    Name: estimate, dtype: float64
    >>> fit.group_sd.round(2)
    Intercept    24.74
    days          5.92
    Name: sd, dtype: float64
    >>> round(fit.group_corr, 3), round(fit.sigma, 3), round(fit.loglik, 2)
    (0.066, 25.592, -871.81)
    """
    if not isinstance(x, str):
        raise TypeError(f"x must be the name of one predictor column (a string), got {x!r}; "
                        f"for several fixed effects use fit_varying_intercepts.")
    return _fit(_reduce(data, y, group, [], x, method))
