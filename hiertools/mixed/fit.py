"""The public fit functions and the assembly of their result on the original scale."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .likelihood import _Profile
from .optimizer import _chol2, _optimize
from .reduction import _as_names, _Reduced
from .result import MixedModelResult

_SINGULAR_TOL = 1e-4  # lme4's isSingular() tolerance on theta


def _readonly(arr) -> np.ndarray:
    arr = np.array(arr, dtype=float, copy=True)
    arr.flags.writeable = False
    return arr


def _fit(red: _Reduced) -> MixedModelResult:
    prof = _Profile(red)
    theta_s, fval, ok = _optimize(prof)
    beta_s, sigma2, vcov_s, b_s, wmat = prof.solve(theta_s)
    sigma = math.sqrt(sigma2)

    u, uz = red.u, red.uz
    beta = u @ beta_s
    beta[0] += red.y_mean
    vcov = u @ vcov_s @ u.T
    if red.q == 1:
        t = float(theta_s[0])
        gm = np.array([[t * t]])
        b = b_s
        cond_var = sigma2 * wmat[:, 0, 0].reshape(-1, 1)
        theta_out = [t]
        theta_names = (f"{red.group_name}.Intercept",)
        singular = t < _SINGULAR_TOL
        corr = float("nan")
        varying = ("Intercept",)
    else:
        t1, t2, t3 = theta_s
        lam = np.array([[t1, 0.0], [t2, t3]])
        gm = uz @ (lam @ lam.T) @ uz.T
        b = b_s @ uz.T
        # diagonal of U_z W_j U_z' (U_z upper triangular)
        w00, w01, w11 = wmat[:, 0, 0], wmat[:, 0, 1], wmat[:, 1, 1]
        u00, u01, u11 = uz[0, 0], uz[0, 1], uz[1, 1]
        cond_var = sigma2 * np.stack([u00 * u00 * w00 + 2 * u00 * u01 * w01 + u01 * u01 * w11,
                                      u11 * u11 * w11], axis=1)
        theta_out = list(_chol2(gm))
        slope = red.x_names[0]
        theta_names = (f"{red.group_name}.Intercept", f"{red.group_name}.{slope}.Intercept",
                       f"{red.group_name}.{slope}")
        # singular: rank-deficient covariance (judged on the scale-free internal theta)
        singular = bool(t1 < _SINGULAR_TOL or t3 < _SINGULAR_TOL)
        if gm[0, 0] > 0 and gm[1, 1] > 0:
            corr = float(np.clip(gm[0, 1] / math.sqrt(gm[0, 0] * gm[1, 1]), -1.0, 1.0))
            if t3 == 0.0:
                corr = math.copysign(1.0, corr)
        else:
            corr = float("nan")
        varying = ("Intercept", slope)
    return MixedModelResult(
        _beta=_readonly(beta),
        _vcov=_readonly(vcov),
        _fe_names=("Intercept", *red.x_names),
        _sd=_readonly(sigma * np.sqrt(np.maximum(np.diag(gm), 0.0))),
        group_corr=corr,
        sigma=float(sigma),
        _re=_readonly(b),
        _re_sd=_readonly(np.sqrt(np.maximum(cond_var, 0.0))),
        _labels=red.labels,
        _counts=_readonly(red.counts),
        _theta=_readonly(theta_out),
        _theta_names=theta_names,
        loglik=float(-0.5 * (fval + red.reml_offset)),
        method=red.method,
        singular=bool(singular),
        n_obs=int(red.n),
        n_groups=int(red.J),
        y=red.y_name,
        group=red.group_name,
        x=tuple(red.x_names),
        varying=varying,
        converged=bool(ok),
    )


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
    names = _as_names(x)
    return _fit(_Reduced(data, y, group, names, None, method))


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
    return _fit(_Reduced(data, y, group, [], x, method))
