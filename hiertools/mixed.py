"""Linear mixed models with one grouping factor: varying intercepts and varying slopes.

Fitting philosophy.  The data are reduced once, in one vectorized pass, to
per-group sufficient statistics: the group sizes and the sums and
cross-products of the design columns and the response (``np.bincount`` on
integer group codes), plus the global cross-products :math:`X'X`, :math:`X'y`
and :math:`y'y`.  Everything after that pass works on arrays with one entry per
group, so its cost grows with the number of groups, not the number of rows.
As in lme4 (Bates et al. 2015, section 3) the fixed effects and the residual
variance are profiled out and only the relative covariance factor
:math:`\\Lambda(\\theta)` is optimized: one parameter for varying intercepts,
three (a lower Cholesky factor relative to sigma) for correlated intercepts
and slopes.  With one grouping factor the penalized least-squares system is
block diagonal with 1x1 or 2x2 blocks, and with the 2x2 identities
:math:`\\det(I + MG) = 1 + \\operatorname{tr}(MG) + \\det M \\det G` and
:math:`G\\operatorname{adj}(I + MG) = G + \\det G \\operatorname{adj} M` every
per-group quantity is linear in a handful of precomputed per-group features
divided by one per-group determinant.  One evaluation of the profiled deviance
and of its exact gradient is then a few matrix-vector products.  Predictors are
centred and scaled internally (an exact reparameterization; results are
reported on the original scale).  Boundary fits (a between-group SD of zero, a
correlation of +-1) are legitimate answers, reported as ``singular=True``
exactly as lme4 does.
"""

from __future__ import annotations

import html
import math
from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize

from ._validation import check_choice, check_column, check_frame, check_group_column

__all__ = ["fit_varying_intercepts", "fit_varying_slopes", "MixedModelResult"]

_METHODS = ("REML", "ML")
_SINGULAR_TOL = 1e-4  # lme4's isSingular() tolerance on theta


# --------------------------------------------------------------------------------------
# Result object
# --------------------------------------------------------------------------------------


class _Summary(str):
    """A string that displays as itself (no quotes) at the prompt."""

    def __repr__(self) -> str:  # pragma: no cover - trivial
        return str(self)


def _frozen_copy(obj):
    return obj.copy(deep=True)


@dataclass(frozen=True, repr=False, eq=False)
class MixedModelResult:
    """A fitted linear mixed model with one grouping factor (immutable).

    Returned by :func:`fit_varying_intercepts` and :func:`fit_varying_slopes`.
    Every pandas attribute returns a fresh copy, so changing it never changes
    the result.

    Attributes
    ----------
    fixed_effects : pandas.Series
        Estimates of the fixed effects, indexed ``"Intercept"`` then the `x` names
        (lme4's ``fixef``).
    fixed_effects_se : pandas.Series
        Their standard errors, from :math:`\\hat\\sigma^2 (R_X'R_X)^{-1}` (lme4's ``vcov``).
    fixed_effects_cov : pandas.DataFrame
        The full covariance matrix of the fixed effects.
    group_sd : pandas.Series
        Between-group standard deviations, indexed by the varying terms
        (``"Intercept"``, and the slope's name for varying slopes).
    group_corr : float
        Correlation of varying intercepts and slopes; NaN for varying intercepts
        only, and NaN when one of the two SDs is exactly 0 (as lme4 reports).
    sigma : float
        Residual standard deviation.
    random_effects : pandas.DataFrame
        Conditional modes of the group effects, as deviations from the fixed
        effects: one row per group (indexed by the group labels, in pandas'
        sort order), one column per varying term (lme4's ``ranef``).
    random_effects_sd : pandas.DataFrame
        Conditional standard deviations of the group effects, shaped like
        `random_effects` (square roots of lme4's ``condVar`` diagonal).
    group_coefs : pandas.DataFrame
        Per-group coefficients, fixed plus random effects (lme4's ``coef``).
    loglik : float
        Maximized log-likelihood (ML) or REML log-likelihood (REML), on lme4's
        scale: ``logLik()`` in R, i.e. minus half the deviance or REML criterion.
    deviance : float
        ``-2 * loglik``: lme4's deviance (ML) or REML criterion at convergence.
    method : str
        ``"REML"`` or ``"ML"``.
    singular : bool
        True when the fit is on the boundary: a between-group SD of 0 or a
        correlation of +-1 (lme4's ``isSingular``).
    n_obs, n_groups : int
        Numbers of observations and of groups.
    group_sizes : pandas.Series
        Observations per group, :math:`n_j`.
    theta : pandas.Series
        lme4's covariance parameters: the lower Cholesky factor of the between-group
        covariance matrix divided by sigma, in lme4's order and naming.
    y, group : str
        Names of the response and grouping columns.
    x : tuple of str
        Names of the fixed-effect predictors (without the intercept).
    varying : tuple of str
        The varying terms: ``("Intercept",)`` or ``("Intercept", slope)``.
    converged : bool
        Whether the optimizer reported success.
    """

    _fixed_effects: pd.Series = field(repr=False)
    _fixed_effects_cov: pd.DataFrame = field(repr=False)
    _group_sd: pd.Series = field(repr=False)
    group_corr: float
    sigma: float
    _random_effects: pd.DataFrame = field(repr=False)
    _random_effects_sd: pd.DataFrame = field(repr=False)
    loglik: float
    method: str
    singular: bool
    n_obs: int
    n_groups: int
    _group_sizes: pd.Series = field(repr=False)
    _theta: pd.Series = field(repr=False)
    y: str
    group: Hashable
    x: tuple
    varying: tuple
    converged: bool = True

    # -- pandas views (always copies) ---------------------------------------------------
    @property
    def fixed_effects(self) -> pd.Series:
        return _frozen_copy(self._fixed_effects)

    @property
    def fixed_effects_cov(self) -> pd.DataFrame:
        return _frozen_copy(self._fixed_effects_cov)

    @property
    def fixed_effects_se(self) -> pd.Series:
        se = np.sqrt(np.diag(self._fixed_effects_cov.to_numpy()))
        return pd.Series(se, index=self._fixed_effects.index.copy(), name="std_error")

    @property
    def group_sd(self) -> pd.Series:
        return _frozen_copy(self._group_sd)

    @property
    def random_effects(self) -> pd.DataFrame:
        return _frozen_copy(self._random_effects)

    @property
    def random_effects_sd(self) -> pd.DataFrame:
        return _frozen_copy(self._random_effects_sd)

    @property
    def group_sizes(self) -> pd.Series:
        return _frozen_copy(self._group_sizes)

    @property
    def theta(self) -> pd.Series:
        return _frozen_copy(self._theta)

    @property
    def group_coefs(self) -> pd.DataFrame:
        coefs = pd.DataFrame(
            np.tile(self._fixed_effects.to_numpy(), (self.n_groups, 1)),
            index=self._random_effects.index.copy(),
            columns=self._fixed_effects.index.copy(),
        )
        for term in self.varying:
            coefs[term] = coefs[term] + self._random_effects[term].to_numpy()
        return coefs

    @property
    def deviance(self) -> float:
        return -2.0 * self.loglik

    @property
    def n_params(self) -> int:
        """Number of estimated parameters: fixed effects, covariance parameters, sigma."""
        return len(self._fixed_effects) + len(self._theta) + 1

    @property
    def aic(self) -> float:
        return -2.0 * self.loglik + 2.0 * self.n_params

    @property
    def bic(self) -> float:
        return -2.0 * self.loglik + math.log(self.n_obs) * self.n_params

    # -- prediction ----------------------------------------------------------------------
    def predict(self, newdata: pd.DataFrame) -> pd.Series:
        """Predict the response for new rows.

        Rows whose group label was seen in the fit get the fixed effects plus that
        group's conditional modes; rows of a new group (or all rows, when `newdata`
        has no column named like the fitted grouping column) get the fixed effects
        only -- the population-level prediction, since a new group's effect has
        mean zero.

        Parameters
        ----------
        newdata : pandas.DataFrame
            Must hold the fixed-effect predictor columns `x`; may hold the grouping
            column.

        Returns
        -------
        pandas.Series
            One prediction per row, indexed like `newdata`.
        """
        check_frame(newdata, "newdata")
        for name in self.x:
            check_column(newdata, name, "newdata")
        n = len(newdata)
        design = np.ones((n, 1 + len(self.x)))
        for k, name in enumerate(self.x, start=1):
            design[:, k] = newdata[name].to_numpy(dtype=float)
        coefs = np.tile(self._fixed_effects.to_numpy(), (n, 1))
        if self.group in newdata.columns:
            pos = self._random_effects.index.get_indexer(newdata[self.group])
            known = pos >= 0
            names = list(self._fixed_effects.index)
            for term in self.varying:
                k = names.index(term)
                coefs[known, k] += self._random_effects[term].to_numpy()[pos[known]]
        return pd.Series((design * coefs).sum(axis=1), index=newdata.index.copy(),
                         name=f"predicted_{self.y}")

    # -- display -------------------------------------------------------------------------
    def _variance_table(self) -> pd.DataFrame:
        rows = []
        for term in self.varying:
            sd = float(self._group_sd[term])
            rows.append((str(self.group), term, sd ** 2, sd))
        rows.append(("Residual", "", self.sigma ** 2, self.sigma))
        table = pd.DataFrame(rows, columns=["Groups", "Name", "Variance", "Std.Dev."])
        if len(self.varying) == 2:
            corr = ["", "" if math.isnan(self.group_corr) else f"{self.group_corr:.3f}", ""]
            if math.isnan(self.group_corr):
                corr[1] = "NaN"
            table["Corr"] = corr
        return table

    def _fixed_table(self) -> pd.DataFrame:
        se = self.fixed_effects_se
        return pd.DataFrame({"Estimate": self._fixed_effects, "Std. Error": se,
                             "t value": self._fixed_effects / se})

    def _formula(self) -> str:
        rhs = " + ".join(["1", *self.x]) if self.x else "1"
        re = "1" if len(self.varying) == 1 else f"1 + {self.varying[1]}"
        return f"{self.y} ~ {rhs} + ({re} | {self.group})"

    def _criterion_line(self) -> str:
        if self.method == "REML":
            return (f"REML criterion at convergence: {self.deviance:.4f}   "
                    f"(REML log-likelihood {self.loglik:.4f})")
        return (f"log-likelihood: {self.loglik:.4f}   deviance: {self.deviance:.4f}   "
                f"AIC: {self.aic:.4f}   BIC: {self.bic:.4f}")

    def summary(self) -> str:
        """A text table in the style of lme4's ``summary(lmer(...))``.

        Returns
        -------
        str
            Displays as a table at the prompt; ``print()`` it in scripts.
        """
        lines = [
            f"Linear mixed model fit by {self.method} (hiertools)",
            f"Formula: {self._formula()}",
            self._criterion_line(),
            "",
            "Random effects:",
            self._variance_table().to_string(index=False, float_format=lambda v: f"{v:.4f}"),
            f"Number of obs: {self.n_obs}, groups: {self.group}, {self.n_groups}",
            "",
            "Fixed effects:",
            self._fixed_table().to_string(float_format=lambda v: f"{v:.4f}"),
        ]
        if self.singular:
            lines += ["", "boundary (singular) fit: a between-group SD is 0 or the "
                          "correlation is +-1; see Notes in help(fit_varying_slopes)."]
        if not self.converged:
            lines += ["", "Warning: the optimizer did not report convergence."]
        return _Summary("\n".join(lines))

    def __repr__(self) -> str:
        sds = ", ".join(f"{k}={v:.4g}" for k, v in self._group_sd.items())
        return (f"<MixedModelResult {self.method}: {self._formula()}; n_obs={self.n_obs}, "
                f"n_groups={self.n_groups}; group_sd({sds}), sigma={self.sigma:.4g}, "
                f"loglik={self.loglik:.4f}{', singular' if self.singular else ''}>")

    def _repr_html_(self) -> str:
        fixed = self._fixed_table().to_html(float_format=lambda v: f"{v:.4f}")
        varc = self._variance_table().to_html(index=False, float_format=lambda v: f"{v:.4f}")
        flag = ("<p><b>boundary (singular) fit</b>: a between-group SD is 0 or the "
                "correlation is &plusmn;1.</p>" if self.singular else "")
        return (
            f"<div><p><b>Linear mixed model fit by {self.method}</b> "
            f"<code>{html.escape(self._formula())}</code><br>"
            f"{html.escape(self._criterion_line())}<br>"
            f"Number of obs: {self.n_obs}, groups: {html.escape(str(self.group))}, "
            f"{self.n_groups}</p>"
            f"<p><b>Random effects</b></p>{varc}<p><b>Fixed effects</b></p>{fixed}{flag}</div>"
        )


# --------------------------------------------------------------------------------------
# Input handling and the one pass over the rows
# --------------------------------------------------------------------------------------


def _check_method(method) -> str:
    if isinstance(method, str) and method.upper() in _METHODS:
        return method.upper()
    return check_choice(method, _METHODS, "method")


def _as_names(x) -> list:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    if isinstance(x, list | tuple):
        for name in x:
            if not isinstance(name, str):
                raise TypeError(f"x must be a column name or a list of column names, "
                                f"got the element {name!r}.")
        if len(set(x)) != len(x):
            raise ValueError(f"x={list(x)!r} names a column twice; list each predictor once.")
        return list(x)
    raise TypeError(f"x must be None, a column name or a list of column names, got {x!r}.")


def _factorize(values: pd.Series, arg: str):
    """Integer codes 0..J-1 in pandas' sort order of the labels, labels, and counts."""
    arr = values.to_numpy()
    if arr.dtype.kind in "iu" and len(arr):
        lo, hi = int(arr.min()), int(arr.max())
        span = hi - lo + 1
        if span <= 4 * len(arr) + 1024:
            shifted = arr if lo == 0 else arr - lo
            shifted = shifted.astype(np.intp, copy=False)
            raw = np.bincount(shifted, minlength=span)
            present = raw > 0
            if present.all():
                codes, counts = shifted, raw
                labels = np.arange(lo, hi + 1, dtype=arr.dtype)
            else:
                mapping = np.cumsum(present) - 1
                codes = mapping[shifted]
                counts = raw[present]
                labels = (np.flatnonzero(present) + lo).astype(arr.dtype)
            return codes, pd.Index(labels, name=values.name), counts
    try:
        codes, uniques = pd.factorize(values, sort=True)
    except TypeError as err:
        raise TypeError(
            f"{arg}={values.name!r} has labels that cannot be sorted together ({err}); "
            f"make them one type, e.g. data[{values.name!r}].astype(str)."
        ) from None
    codes = codes.astype(np.intp, copy=False)
    uniques = pd.Index(uniques, name=values.name)
    counts = np.bincount(codes, minlength=len(uniques))
    return codes, uniques, counts


class _Reduced:
    """Sufficient statistics of one model, on the internal (centred, scaled) scale.

    ``ztz``: (J, q, q), ``ztx``: (J, q, p), ``zty``: (J, q), ``a0``: (p+1, p+1) =
    [X y]'[X y], plus the maps back to the original scale.
    """

    def __init__(self, data, y, group, xs, slope, method):
        check_frame(data)
        method = _check_method(method)
        check_column(data, y, "y")
        check_group_column(data, group, "group")
        if slope is not None:
            check_column(data, slope, "x")
        for name in xs:
            check_column(data, name, "x")
        for name in [*xs, *([slope] if slope is not None else [])]:
            if name == y:
                raise ValueError(f"x={name!r} is also the response y; a predictor must be a "
                                 f"different column.")
            if name == group:
                raise ValueError(f"x={name!r} is also the grouping column; choose a different "
                                 f"predictor column.")
        if group == y:
            raise ValueError(f"group={group!r} is also the response y; pass the column that "
                             f"labels the groups.")
        self.method = method
        self.y_name, self.group_name = y, group
        names = list(xs) if slope is None else [slope]
        self.x_names = names
        n = len(data)
        p = 1 + len(names)
        if n <= p:
            raise ValueError(f"data has {n} rows but the model has {p} fixed effects; "
                             f"a mixed model needs more rows than fixed effects.")

        codes, labels, counts = _factorize(data[group], "group")
        J = len(labels)
        if J < 2:
            raise ValueError(
                f"group={group!r} has {J} distinct label; a mixed model needs at least two "
                f"groups -- with one group, fit an ordinary regression instead.")
        if counts.max() < 2:
            raise ValueError(
                f"group={group!r} has exactly one observation in every group, so the "
                f"between-group and residual variances cannot be told apart; use a grouping "
                f"column with repeated observations per group.")
        self.labels, self.counts, self.n, self.p, self.J = labels, counts, n, p, J

        # one pass: centre y, centre and scale predictors, bincount per group
        yv = data[y].to_numpy(dtype=float)
        self.y_mean = float(yv.mean())
        yc = yv - self.y_mean
        nf = counts.astype(float)
        means, scales, cols, gsum = [], [], [], []
        for name in names:
            v = data[name].to_numpy(dtype=float)
            m = float(v.mean())
            c = v - m
            s = float(np.sqrt(np.dot(c, c) / n))
            if not s > 1e-12 * max(1.0, abs(m)):
                arg = "x"
                raise ValueError(
                    f"{arg}={name!r} is constant, so it duplicates the intercept "
                    f"(rank-deficient fixed effects); drop it from x.")
            c /= s
            means.append(m)
            scales.append(s)
            cols.append(c)
            gsum.append(np.bincount(codes, weights=c, minlength=J))
        self.means, self.scales = np.array(means), np.array(scales)
        sy = np.bincount(codes, weights=yc, minlength=J)

        # global cross-products of [1, X_s, y_c]
        a0 = np.empty((p + 1, p + 1))
        a0[0, 0] = n
        allcols = [*cols, yc]
        for a, ca in enumerate(allcols, start=1):
            a0[0, a] = a0[a, 0] = ca.sum()
            for b in range(a, p + 1):
                a0[a, b] = a0[b, a] = np.dot(ca, allcols[b - 1])
        xtx = a0[:p, :p]
        corr = xtx / np.sqrt(np.outer(np.diag(xtx), np.diag(xtx)))
        eig = np.linalg.eigvalsh(corr)
        if eig[0] < 1e-10 * eig[-1]:
            raise ValueError(
                f"x={names!r}: the fixed-effect columns are linearly dependent (rank-deficient "
                f"fixed effects); drop the redundant predictor(s).")
        self.a0 = a0

        if slope is None:
            self.q = 1
            self.ztz = nf.reshape(J, 1, 1)
            self.ztx = np.stack([nf, *gsum], axis=1).reshape(J, 1, p)
            self.zty = sy.reshape(J, 1)
        else:
            self.q = 2
            c = cols[0]
            buf = c * c
            sxx = np.bincount(codes, weights=buf, minlength=J)
            np.multiply(c, yc, out=buf)
            sxy = np.bincount(codes, weights=buf, minlength=J)
            del buf
            sx = gsum[0]
            within = sxx - sx * sx / nf
            if not within.sum() > 1e-10 * n:
                raise ValueError(
                    f"x={slope!r} does not vary within any group, so its slope cannot vary "
                    f"by group; use fit_varying_intercepts(data, y, group, x={slope!r}) "
                    f"instead.")
            m = np.empty((J, 2, 2))
            m[:, 0, 0], m[:, 0, 1], m[:, 1, 0], m[:, 1, 1] = nf, sx, sx, sxx
            self.ztz = m
            self.ztx = m  # X = Z = [1, x]
            self.zty = np.stack([sy, sxy], axis=1)

        # back-transformation: X = X_s U^{-1}, beta = U beta_s; same U for Z = [1, x]
        u = np.eye(p)
        u[0, 1:] = -self.means / self.scales
        u[np.arange(1, p), np.arange(1, p)] = 1.0 / self.scales
        self.u = u
        self.uz = u[: self.q, : self.q]
        self.reml_offset = 2.0 * float(np.log(self.scales).sum()) if method == "REML" else 0.0


# --------------------------------------------------------------------------------------
# Profiled deviance on the sufficient statistics
# --------------------------------------------------------------------------------------


class _Profile:
    """Profiled deviance (ML) or REML criterion as a function of theta, with gradient.

    Relative covariance G = Lambda Lambda'.  Per group, with M_j = Z_j'Z_j and
    A_j = [Z_j'X_j, Z_j'y_j] (q x (p+1)):

    * d_j = det(I + M_j G) = 1 + e_j . gamma,
    * Lambda (Lambda' M_j Lambda + I)^{-1} Lambda' = N_j / d_j with N_j linear in gamma,

    where gamma = (g) for q = 1 and (g00, g01, g11, det G) for q = 2.  So
    H = sum_j A_j' N_j A_j / d_j = sum_j (F_j . gamma) / d_j with precomputed F_j.
    """

    def __init__(self, red: _Reduced):
        self.red = red
        q, p = red.q, red.p
        J = red.J
        aug = np.concatenate([red.ztx, red.zty[:, :, None]], axis=2)  # (J, q, p+1)
        self.k = p + 1
        iu = np.triu_indices(self.k)
        self.iu = iu
        if q == 1:
            n = red.ztz[:, 0, 0]
            self.e = n.reshape(J, 1)
            outer = aug[:, 0, :, None] * aug[:, 0, None, :]  # (J, k, k)
            feats = outer[:, iu[0], iu[1]][:, :, None]  # (J, K, 1)
        else:
            m = red.ztz
            m00, m01, m11 = m[:, 0, 0], m[:, 0, 1], m[:, 1, 1]
            detm = m00 * m11 - m01 * m01
            self.e = np.stack([m00, 2.0 * m01, m11, detm], axis=1)
            a0_, a1_ = aug[:, 0, :], aug[:, 1, :]
            adj_part = (m11[:, None, None] * a0_[:, :, None] * a0_[:, None, :]
                        - m01[:, None, None] * (a0_[:, :, None] * a1_[:, None, :]
                                                + a1_[:, :, None] * a0_[:, None, :])
                        + m00[:, None, None] * a1_[:, :, None] * a1_[:, None, :])
            basis = [a0_[:, :, None] * a0_[:, None, :],
                     a0_[:, :, None] * a1_[:, None, :] + a1_[:, :, None] * a0_[:, None, :],
                     a1_[:, :, None] * a1_[:, None, :],
                     adj_part]
            feats = np.stack([b[:, iu[0], iu[1]] for b in basis], axis=2)  # (J, K, 4)
        self.L = feats.shape[2]
        self.K = feats.shape[1]
        self.f2 = np.ascontiguousarray(feats.reshape(J, self.K * self.L))
        self.et = np.ascontiguousarray(self.e.T)
        self.a0u = red.a0[iu]
        self.df = red.n - red.p if red.method == "REML" else red.n

    # gamma and its Jacobian from theta
    def gamma(self, theta):
        if self.red.q == 1:
            t = theta[0]
            return np.array([t * t]), np.array([[2.0 * t]])
        t1, t2, t3 = theta
        g = np.array([t1 * t1, t1 * t2, t2 * t2 + t3 * t3, t1 * t1 * t3 * t3])
        jac = np.array([[2 * t1, 0.0, 0.0],
                        [t2, t1, 0.0],
                        [0.0, 2 * t2, 2 * t3],
                        [2 * t1 * t3 * t3, 0.0, 2 * t1 * t1 * t3]])
        return g, jac

    def _sym(self, upper):
        k = self.k
        out = np.zeros((k, k))
        out[self.iu] = upper
        return out + np.triu(out, 1).T

    def evaluate(self, theta, grad=False):
        theta = np.asarray(theta, dtype=float)
        g, jac = self.gamma(theta)
        d = 1.0 + self.e @ g
        if not np.all(d > 0):
            return (np.inf, np.zeros_like(theta)) if grad else np.inf
        w = 1.0 / d
        t = (w @ self.f2).reshape(self.K, self.L)
        h = t @ g
        omega = self._sym(self.a0u - h)
        p = self.red.p
        try:
            r = np.linalg.cholesky(omega)  # lower
        except np.linalg.LinAlgError:
            return (np.inf, np.zeros_like(theta)) if grad else np.inf
        diag = np.diag(r)
        if not np.all(diag > 0):
            return (np.inf, np.zeros_like(theta)) if grad else np.inf
        r2 = diag[p] ** 2
        logdet_l = float(np.log(d).sum())
        dev = logdet_l + self.df * (1.0 + math.log(2.0 * math.pi * r2 / self.df))
        if self.red.method == "REML":
            dev += 2.0 * float(np.log(diag[:p]).sum())
        if not grad:
            return dev
        # gradient w.r.t. gamma, then chain rule to theta
        fg = (self.f2.reshape(-1, self.K, self.L) @ g)  # (J, K)
        second = (fg * (w * w)[:, None]).T @ self.e  # (K, L)
        dh = t - second  # dH/dgamma, upper-triangle entries (K, L)
        rx = r[:p, :p]
        beta = np.linalg.solve(rx.T, np.linalg.solve(rx, omega[:p, p]))
        a = np.append(-beta, 1.0)
        sinv = np.linalg.inv(omega[:p, :p]) if self.red.method == "REML" else None
        dgam = self.et @ w  # d logdet L / d gamma
        for c in range(self.L):
            dhc = self._sym(dh[:, c])
            dr2 = -(a @ dhc @ a)
            dgam[c] += self.df * dr2 / r2
            if sinv is not None:
                dgam[c] -= float(np.sum(sinv * dhc[:p, :p]))
        return dev, dgam @ jac

    def solve(self, theta):
        """Everything at a given theta, on the internal scale."""
        red = self.red
        g, _ = self.gamma(theta)
        d = 1.0 + self.e @ g
        w = 1.0 / d
        h = ((w @ self.f2).reshape(self.K, self.L)) @ g
        omega = self._sym(self.a0u - h)
        p = red.p
        s = omega[:p, :p]
        beta = np.linalg.solve(s, omega[:p, p])
        r2 = float(omega[p, p] - omega[:p, p] @ beta)
        sigma2 = r2 / self.df
        vcov = sigma2 * np.linalg.inv(s)
        resid = red.zty - np.einsum("jqp,p->jq", red.ztx, beta)  # Z_j'(y_j - X_j beta)
        if red.q == 1:
            wmat = (g[0] * w).reshape(-1, 1, 1)
        else:
            t1, t2, t3 = theta
            lam = np.array([[t1, 0.0], [t2, t3]])
            gm = lam @ lam.T
            m = red.ztz
            adj = np.empty_like(m)
            adj[:, 0, 0], adj[:, 1, 1] = m[:, 1, 1], m[:, 0, 0]
            adj[:, 0, 1] = adj[:, 1, 0] = -m[:, 0, 1]
            wmat = (gm[None] + g[3] * adj) * w[:, None, None]
        b = np.einsum("jab,jb->ja", wmat, resid)
        return beta, sigma2, vcov, b, wmat


# --------------------------------------------------------------------------------------
# Optimization
# --------------------------------------------------------------------------------------


def _optimize_1d(prof: _Profile):
    """Profiled criterion over theta >= 0: log grid to bracket, then bounded Brent."""
    grid = np.concatenate([[0.0], np.logspace(-4, 4, 33)])
    vals = np.array([prof.evaluate([t]) for t in grid])
    while np.argmin(vals) == len(grid) - 1 and grid[-1] < 1e12:
        more = grid[-1] * np.logspace(0.25, 2, 8)
        grid = np.concatenate([grid, more])
        vals = np.concatenate([vals, [prof.evaluate([t]) for t in more]])
    k = int(np.argmin(vals))
    lo = grid[max(k - 1, 0)]
    hi = grid[min(k + 1, len(grid) - 1)]
    res = optimize.minimize_scalar(lambda t: prof.evaluate([t]), bounds=(lo, hi),
                                   method="bounded",
                                   options={"xatol": 1e-13 * max(1.0, hi), "maxiter": 500})
    best_t, best_f = float(res.x), float(res.fun)
    # polish with Newton steps on the exact gradient (finite-differenced for curvature)
    for _ in range(5):
        if best_t <= 0:
            break
        f0, g0 = prof.evaluate([best_t], grad=True)
        h = 1e-6 * max(best_t, 1e-3)
        _, g1 = prof.evaluate([best_t + h], grad=True)
        curv = (g1[0] - g0[0]) / h
        if not curv > 0:
            break
        step = -g0[0] / curv
        cand = max(best_t + step, 0.0)
        fc = prof.evaluate([cand])
        if fc <= best_f:
            best_t, best_f = cand, fc
        if abs(step) < 1e-14 * max(1.0, best_t):
            break
    if vals[0] <= best_f:
        best_t, best_f = 0.0, float(vals[0])
    return np.array([best_t]), best_f, bool(res.success)


def _optimize_2d(prof: _Profile):
    """Profiled criterion over (theta1 >= 0, theta2, theta3 >= 0), lme4's bounds."""
    bounds = [(0.0, None), (None, None), (0.0, None)]

    def fun(th):
        return prof.evaluate(th, grad=True)

    best = None
    starts = [np.array([1.0, 0.0, 1.0]), np.array([0.3, 0.0, 0.3]), np.array([3.0, 0.0, 3.0])]
    ok = False
    for k, start in enumerate(starts):
        res = optimize.minimize(fun, start, jac=True, method="L-BFGS-B", bounds=bounds,
                                options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000})
        if np.isfinite(res.fun) and (best is None or res.fun < best[1] - 1e-9):
            best = (res.x.copy(), float(res.fun))
            ok = bool(res.success) or ok
        elif best is not None and abs(res.fun - best[1]) <= 1e-9 and k >= 1:
            break  # two starts agree: done
        if k == 0 and res.success and np.isfinite(res.fun):
            # second start only to guard against a local optimum; stop if it agrees
            continue
    theta, fval = best
    # boundary candidates, as lme4 reaches them: theta1 = 0 or theta3 = 0 exactly
    for fixed in (0, 2):
        if theta[fixed] < 1e-3:
            free = [i for i in range(3) if i != fixed]
            sub_bounds = [bounds[i] for i in free]

            def sub(th, fixed=fixed, free=free):
                full = np.zeros(3)
                full[free] = th
                f, gr = prof.evaluate(full, grad=True)
                return f, gr[free]

            res = optimize.minimize(sub, theta[free], jac=True, method="L-BFGS-B",
                                    bounds=sub_bounds,
                                    options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 2000})
            if np.isfinite(res.fun) and res.fun <= fval + 1e-9:
                theta = np.zeros(3)
                theta[free] = res.x
                fval = float(res.fun)
    if theta[0] == 0.0:
        # theta2 and theta3 then only enter through theta2^2 + theta3^2: canonical form
        theta = np.array([0.0, 0.0, math.hypot(theta[1], theta[2])])
    return theta, fval, ok


# --------------------------------------------------------------------------------------
# Assembling the result
# --------------------------------------------------------------------------------------


def _chol2(gm):
    """Lower Cholesky factor of a 2x2 positive semi-definite matrix (no failure at rank 1)."""
    t1 = math.sqrt(max(gm[0, 0], 0.0))
    t2 = gm[1, 0] / t1 if t1 > 0 else 0.0
    t3 = math.sqrt(max(gm[1, 1] - t2 * t2, 0.0))
    return t1, t2, t3


def _fit(red: _Reduced) -> MixedModelResult:
    prof = _Profile(red)
    if red.q == 1:
        theta_s, fval, ok = _optimize_1d(prof)
    else:
        theta_s, fval, ok = _optimize_2d(prof)
    beta_s, sigma2, vcov_s, b_s, wmat = prof.solve(theta_s)
    sigma = math.sqrt(sigma2)

    u, uz = red.u, red.uz
    beta = u @ beta_s
    beta[0] += red.y_mean
    vcov = u @ vcov_s @ u.T
    fe_names = ["Intercept", *red.x_names]
    varying = ("Intercept",) if red.q == 1 else ("Intercept", red.x_names[0])

    if red.q == 1:
        t = float(theta_s[0])
        gm = np.array([[t * t]])
        b = b_s
        cond_var = sigma2 * wmat[:, 0, 0].reshape(-1, 1)
        theta_out = [t]
        theta_names = [f"{red.group_name}.Intercept"]
        singular = t < _SINGULAR_TOL
        corr = float("nan")
    else:
        t1, t2, t3 = theta_s
        lam = np.array([[t1, 0.0], [t2, t3]])
        gm = uz @ (lam @ lam.T) @ uz.T
        b = b_s @ uz.T
        cov = np.einsum("ab,jbc,dc->jad", uz, wmat, uz)
        cond_var = sigma2 * np.stack([cov[:, 0, 0], cov[:, 1, 1]], axis=1)
        theta_out = list(_chol2(gm))
        slope = red.x_names[0]
        theta_names = [f"{red.group_name}.Intercept", f"{red.group_name}.{slope}.Intercept",
                       f"{red.group_name}.{slope}"]
        # singular: rank-deficient covariance (judged on the scale-free internal theta)
        singular = bool(t1 < _SINGULAR_TOL or t3 < _SINGULAR_TOL)
        if gm[0, 0] > 0 and gm[1, 1] > 0:
            corr = float(np.clip(gm[0, 1] / math.sqrt(gm[0, 0] * gm[1, 1]), -1.0, 1.0))
            if t3 == 0.0:
                corr = math.copysign(1.0, corr)
        else:
            corr = float("nan")
    group_sd = sigma * np.sqrt(np.maximum(np.diag(gm), 0.0))
    loglik = -0.5 * (fval + red.reml_offset)

    labels = red.labels
    ro = lambda arr: arr  # noqa: E731 - pandas objects are copied on every access
    return MixedModelResult(
        _fixed_effects=pd.Series(ro(beta), index=pd.Index(fe_names), name="estimate"),
        _fixed_effects_cov=pd.DataFrame(vcov, index=pd.Index(fe_names),
                                        columns=pd.Index(fe_names)),
        _group_sd=pd.Series(group_sd, index=pd.Index(list(varying)), name="sd"),
        group_corr=corr,
        sigma=float(sigma),
        _random_effects=pd.DataFrame(b, index=labels.copy(), columns=pd.Index(list(varying))),
        _random_effects_sd=pd.DataFrame(np.sqrt(np.maximum(cond_var, 0.0)), index=labels.copy(),
                                        columns=pd.Index(list(varying))),
        loglik=float(loglik),
        method=red.method,
        singular=bool(singular),
        n_obs=int(red.n),
        n_groups=int(red.J),
        _group_sizes=pd.Series(red.counts.astype(np.int64), index=labels.copy(), name="n"),
        _theta=pd.Series(theta_out, index=pd.Index(theta_names), name="theta"),
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
    >>> round(fit.group_sd["Intercept"], 4), round(fit.sigma, 4)
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
    >>> fit.group_sd.round(3)
    Intercept    24.741
    days          5.922
    Name: sd, dtype: float64
    >>> round(fit.group_corr, 3), round(fit.sigma, 3), round(fit.loglik, 2)
    (0.066, 25.592, -871.81)
    """
    if not isinstance(x, str):
        raise TypeError(f"x must be the name of one predictor column (a string), got {x!r}; "
                        f"for several fixed effects use fit_varying_intercepts.")
    return _fit(_Reduced(data, y, group, [], x, method))
