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

    _beta: np.ndarray = field(repr=False)
    _vcov: np.ndarray = field(repr=False)
    _fe_names: tuple = field(repr=False)
    _sd: np.ndarray = field(repr=False)
    group_corr: float
    sigma: float
    _re: np.ndarray = field(repr=False)
    _re_sd: np.ndarray = field(repr=False)
    _labels: pd.Index = field(repr=False)
    _counts: np.ndarray = field(repr=False)
    _theta: np.ndarray = field(repr=False)
    _theta_names: tuple = field(repr=False)
    loglik: float
    method: str
    singular: bool
    n_obs: int
    n_groups: int
    y: str
    group: Hashable
    x: tuple
    varying: tuple
    converged: bool = True

    # -- pandas views: built on access from private read-only arrays (always new objects)
    @property
    def fixed_effects(self) -> pd.Series:
        return pd.Series(self._beta.copy(), index=pd.Index(self._fe_names), name="estimate")

    @property
    def fixed_effects_cov(self) -> pd.DataFrame:
        names = pd.Index(self._fe_names)
        return pd.DataFrame(self._vcov.copy(), index=names, columns=names)

    @property
    def fixed_effects_se(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self._vcov)), index=pd.Index(self._fe_names),
                         name="std_error")

    @property
    def group_sd(self) -> pd.Series:
        return pd.Series(self._sd.copy(), index=pd.Index(list(self.varying)), name="sd")

    @property
    def random_effects(self) -> pd.DataFrame:
        return pd.DataFrame(self._re.copy(), index=self._labels.copy(),
                            columns=pd.Index(list(self.varying)))

    @property
    def random_effects_sd(self) -> pd.DataFrame:
        return pd.DataFrame(self._re_sd.copy(), index=self._labels.copy(),
                            columns=pd.Index(list(self.varying)))

    @property
    def group_sizes(self) -> pd.Series:
        return pd.Series(self._counts.astype(np.int64), index=self._labels.copy(), name="n")

    @property
    def theta(self) -> pd.Series:
        return pd.Series(self._theta.copy(), index=pd.Index(self._theta_names), name="theta")

    @property
    def group_coefs(self) -> pd.DataFrame:
        coefs = np.tile(self._beta, (self.n_groups, 1))
        for k, term in enumerate(self.varying):
            coefs[:, self._fe_names.index(term)] += self._re[:, k]
        return pd.DataFrame(coefs, index=self._labels.copy(), columns=pd.Index(self._fe_names))

    @property
    def deviance(self) -> float:
        return -2.0 * self.loglik

    @property
    def n_params(self) -> int:
        """Number of estimated parameters: fixed effects, covariance parameters, sigma."""
        return len(self._beta) + len(self._theta) + 1

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
        coefs = np.tile(self._beta, (n, 1))
        if self.group in newdata.columns:
            pos = self._labels.get_indexer(newdata[self.group])
            known = pos >= 0
            for j, term in enumerate(self.varying):
                coefs[known, self._fe_names.index(term)] += self._re[pos[known], j]
        return pd.Series((design * coefs).sum(axis=1), index=newdata.index.copy(),
                         name=f"predicted_{self.y}")

    # -- display -------------------------------------------------------------------------
    def _variance_table(self) -> pd.DataFrame:
        rows = []
        for term in self.varying:
            sd = float(self._sd[self.varying.index(term)])
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
        est = self.fixed_effects
        return pd.DataFrame({"Estimate": est, "Std. Error": se, "t value": est / se})

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
        sds = ", ".join(f"{k}={v:.4g}" for k, v in zip(self.varying, self._sd))
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


class _GroupCodes:
    """Integer group codes 0..J-1 in pandas' sort order of the labels, served chunk by chunk.

    Integer labels in a compact range are turned into codes (label - min) inside
    each chunk, so no full-length code array is ever stored; other labels are
    factorized by pandas.  Labels without rows are dropped by :meth:`finish`.
    """

    def __init__(self, values: pd.Series, arg: str):
        arr = values.to_numpy()
        self.name, self.offset = values.name, None
        if arr.dtype.kind in "iu" and len(arr):
            lo, hi = int(arr.min()), int(arr.max())
            if hi - lo + 1 <= 4 * len(arr) + 1024 and -(2**62) < lo and hi < 2**62:
                self.raw, self.offset, self.span, self.dtype = arr, lo, hi - lo + 1, arr.dtype
                return
        try:
            codes, uniques = pd.factorize(values, sort=True)
        except TypeError as err:
            raise TypeError(
                f"{arg}={values.name!r} has labels that cannot be sorted together ({err}); "
                f"make them one type, e.g. data[{values.name!r}].astype(str)."
            ) from None
        self.raw, self.span = codes.astype(np.intp, copy=False), len(uniques)
        self.labels = pd.Index(uniques, name=values.name)

    def chunk(self, rows: slice, buffer: np.ndarray) -> np.ndarray:
        if self.offset is None:
            return self.raw[rows]
        out = buffer[: len(self.raw[rows])]
        np.subtract(self.raw[rows], self.offset, out=out, dtype=np.intp, casting="unsafe")
        return out

    def finish(self, counts: np.ndarray):
        """Labels and a mask of the codes that have rows (None when all do)."""
        if self.offset is None:
            return self.labels, None
        present = counts > 0
        labels = (np.flatnonzero(present) + self.offset).astype(self.dtype)
        return pd.Index(labels, name=self.name), None if present.all() else present


def _finite_column(data: pd.DataFrame, name, arg: str) -> tuple[np.ndarray, float]:
    """An (already type-checked) numeric column as floats, and its mean; NaN or inf is an error.

    Finiteness is read off the sum (any NaN or inf makes it non-finite), so the
    values are passed over once; the element-wise check only words the error.
    """
    values = data[name].to_numpy(dtype=float)
    mean = float(values.mean())
    if not math.isfinite(mean):
        check_column(data, name, arg)  # raises, naming the count of bad values
        raise ValueError(f"{arg}={name!r} is too large in magnitude to sum; rescale it.")
    return values, mean


# rows per chunk of the reduction pass: small enough to stay in cache
_CHUNK = 1 << 16


class _Reduced:
    """Sufficient statistics of one model, on the internal (centred, scaled) scale.

    ``ztz``: (J, q, q), ``ztx``: (J, q, p), ``zty``: (J, q), ``a0``: (p+1, p+1) =
    [X y]'[X y], plus the maps back to the original scale.
    """

    def __init__(self, data, y, group, xs, slope, method):
        check_frame(data)
        method = _check_method(method)
        check_column(data, y, "y", finite=False)
        check_group_column(data, group, "group")
        if slope is not None:
            check_column(data, slope, "x", finite=False)
        for name in xs:
            check_column(data, name, "x", finite=False)
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

        yv, self.y_mean = _finite_column(data, y, "y")
        columns = [_finite_column(data, name, "x") for name in names]
        means = np.array([m for _, m in columns])
        source = _GroupCodes(data[group], "group")

        # One pass over the rows, in cache-sized chunks (no full-length temporaries):
        # centred y and x, their per-group sums (bincount) and global cross-products.
        span, k = source.span, len(names)
        counts = np.zeros(span)
        sy = np.zeros(span)
        gsum = np.zeros((k, span))
        sxx = np.zeros(span) if slope is not None else None
        sxy = np.zeros(span) if slope is not None else None
        cross = np.zeros((k + 1, k + 1))  # [x_1 .. x_k, y] centred, unscaled
        size = min(n, max(_CHUNK, 8 * span))
        code_buf = np.empty(size, dtype=np.intp)
        centred = np.empty((k + 1, size))
        product = np.empty(size) if slope is not None else None
        for first in range(0, n, size):
            rows = slice(first, min(first + size, n))
            m = rows.stop - rows.start
            codes = source.chunk(rows, code_buf)
            block = centred[:, :m]
            for a_, (values, mean) in enumerate([*columns, (yv, self.y_mean)]):
                np.subtract(values[rows], mean, out=block[a_])
            counts += np.bincount(codes, minlength=span)
            sy += np.bincount(codes, weights=block[k], minlength=span)
            for a_ in range(k):
                gsum[a_] += np.bincount(codes, weights=block[a_], minlength=span)
            cross += block @ block.T
            if slope is not None:
                np.multiply(block[0], block[0], out=product[:m])
                sxx += np.bincount(codes, weights=product[:m], minlength=span)
                np.multiply(block[0], block[k], out=product[:m])
                sxy += np.bincount(codes, weights=product[:m], minlength=span)
        del code_buf, centred, product

        labels, present = source.finish(counts)
        if present is not None:  # integer labels with gaps: keep the groups that have rows
            counts, sy, gsum = counts[present], sy[present], gsum[:, present]
            if slope is not None:
                sxx, sxy = sxx[present], sxy[present]
        counts = counts.astype(np.int64)
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
        nf = counts.astype(float)

        # scale the predictors to unit variance, on the sums (exact reparameterization)
        scales = np.sqrt(np.diag(cross)[:k] / n)
        for a_, name in enumerate(names):
            if not scales[a_] > 1e-12 * max(1.0, abs(means[a_])):
                raise ValueError(
                    f"x={name!r} is constant, so it duplicates the intercept "
                    f"(rank-deficient fixed effects); drop it from x.")
        self.means, self.scales = means, scales
        factor = np.append(1.0 / scales, 1.0)
        cross *= np.outer(factor, factor)
        gsum = list(gsum / scales[:, None])
        if slope is not None:
            sxx, sxy = sxx / scales[0] ** 2, sxy / scales[0]

        # global cross-products of [1, X_s, y_c]
        a0 = np.empty((p + 1, p + 1))
        a0[0, 0] = n
        for a_, gs in enumerate([*gsum, sy], start=1):
            a0[0, a_] = a0[a_, 0] = gs.sum()
        a0[1:, 1:] = cross
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
    H = sum_j A_j' N_j A_j / d_j = sum_j (F_j . gamma) / d_j with precomputed F_j, and
    Omega = [X y]'[X y] - H is the Schur complement whose Cholesky factor holds R_X and
    the penalized residual sum of squares r^2.  All methods take a batch of m thetas.
    """

    def __init__(self, red: _Reduced):
        self.red = red
        q, p = red.q, red.p
        J = red.J
        aug = np.concatenate([red.ztx, red.zty[:, :, None]], axis=2)  # (J, q, p+1)
        self.k = k = p + 1
        iu = np.triu_indices(k)
        if q == 1:
            self.e = red.ztz[:, 0, 0].reshape(J, 1)
            a = aug[:, 0, :]
            feats = (a[:, iu[0]] * a[:, iu[1]])[:, :, None]  # (J, K, 1)
        else:
            m = red.ztz
            m00, m01, m11 = m[:, 0, 0], m[:, 0, 1], m[:, 1, 1]
            detm = m00 * m11 - m01 * m01
            self.e = np.stack([m00, 2.0 * m01, m11, detm], axis=1)
            a0_, a1_ = aug[:, 0, iu[0]], aug[:, 1, iu[0]]
            b0_, b1_ = aug[:, 0, iu[1]], aug[:, 1, iu[1]]
            cross = a0_ * b1_ + a1_ * b0_
            feats = np.stack([a0_ * b0_, cross, a1_ * b1_,
                              m11[:, None] * a0_ * b0_ - m01[:, None] * cross
                              + m00[:, None] * a1_ * b1_], axis=2)  # (J, K, 4)
        self.K, self.L = feats.shape[1], feats.shape[2]
        self.e_groups = self.e
        self.mult = None
        if q == 1:
            # d_j = 1 + theta^2 n_j depends on the group only through n_j: sum the features
            # of groups of equal size once, so an evaluation costs O(#distinct sizes)
            sizes, inv = np.unique(self.e[:, 0], return_inverse=True)
            flat = feats.reshape(J, -1)
            feats = np.stack([np.bincount(inv, weights=flat[:, c], minlength=sizes.size)
                              for c in range(flat.shape[1])], axis=1).reshape(sizes.size, -1, 1)
            self.e = sizes.reshape(-1, 1)
            self.mult = np.bincount(inv, minlength=sizes.size).astype(float)
            J = sizes.size
        self.J_eff = J
        self.f2t = np.ascontiguousarray(feats.reshape(J, self.K * self.L).T)  # (K*L, J)
        self.et = np.ascontiguousarray(self.e.T)
        if self.mult is not None:
            self.et = self.et * self.mult
        # map from upper-triangle entries to full symmetric (k, k)
        full = np.empty((k, k), dtype=np.intp)
        full[iu] = np.arange(self.K)
        full[(iu[1], iu[0])] = np.arange(self.K)
        self.full = full.ravel()
        self.a0u = red.a0[iu]
        self.df = red.n - p if red.method == "REML" else red.n
        self.n_theta = 1 if q == 1 else 3
        # The criterion depends on theta only through G = Lambda Lambda', which is unchanged
        # by theta -> -theta (q = 1) and by the sign flips (t1, t2) -> (-t1, -t2) and
        # t3 -> -t3 (q = 2).  So theta is optimized without bounds and mapped to lme4's
        # canonical form (t1, t3 >= 0) afterwards: no projection ever parks the iterate on
        # the boundary t = 0, where the gradient vanishes by symmetry.
        self.lower = np.full(self.n_theta, -np.inf)

    def gamma(self, theta, jac=True):
        """gamma (m, L) and d gamma / d theta (m, L, n_theta) for thetas (m, n_theta)."""
        if self.red.q == 1:
            return theta * theta, (2.0 * theta)[:, :, None] if jac else None
        t1, t2, t3 = theta.T
        g = np.empty((theta.shape[0], 4))
        t11, t33 = t1 * t1, t3 * t3
        g[:, 0], g[:, 1], g[:, 2], g[:, 3] = t11, t1 * t2, t2 * t2 + t33, t11 * t33
        if not jac:
            return g, None
        jm = np.zeros((theta.shape[0], 4, 3))
        jm[:, 0, 0] = 2 * t1
        jm[:, 1, 0], jm[:, 1, 1] = t2, t1
        jm[:, 2, 1], jm[:, 2, 2] = 2 * t2, 2 * t3
        jm[:, 3, 0], jm[:, 3, 2] = 2 * t1 * t33, 2 * t11 * t3
        return g, jm

    def batch(self, theta, grad=0):
        """Criterion (m,) at thetas (m, n_theta) and, for the first `grad` rows (all if
        True), its gradient (grad, n_theta)."""
        theta = np.atleast_2d(np.asarray(theta, dtype=float))
        mb, k, p, K, L = theta.shape[0], self.k, self.red.p, self.K, self.L
        ng = mb if grad is True else int(grad)
        g, jac = self.gamma(theta, ng > 0)
        d = self.e @ g.T
        d += 1.0  # (J, m); >= 1 for every theta, as det(I + M G) with M, G p.s.d.
        w = 1.0 / d
        t = (self.f2t @ w).T.reshape(mb, K, L)
        h = (t @ g[:, :, None])[:, :, 0]
        omega = (self.a0u - h)[:, self.full].reshape(mb, k, k)
        try:
            r = np.linalg.cholesky(omega)
            ok = None
        except np.linalg.LinAlgError:  # pragma: no cover - only for numerically degenerate data
            r = np.zeros_like(omega)
            ok = np.ones(mb, bool)
            for i in range(mb):
                try:
                    r[i] = np.linalg.cholesky(omega[i])
                except np.linalg.LinAlgError:
                    ok[i] = False
                    r[i] = np.eye(k)
        diag = np.diagonal(r, axis1=1, axis2=2)
        r2 = diag[:, p] ** 2
        logs = np.log(diag)
        logd = np.log(d)
        logdet = logd.sum(axis=0) if self.mult is None else self.mult @ logd
        dev = logdet + self.df * (1.0 + np.log(2.0 * np.pi / self.df) + 2 * logs[:, p])
        if self.red.method == "REML":
            dev += 2.0 * logs[:, :p].sum(axis=1)
        if ok is not None:  # pragma: no cover
            dev[~ok] = np.inf
        if ng == 0:
            return dev
        # d H / d gamma_c = sum_j F_jc w_j - sum_l gamma_l sum_j F_jl e_jc w_j^2
        J = self.J_eff
        g, w, t, omega, r2 = g[:ng], w[:, :ng], t[:ng], omega[:ng], r2[:ng]
        w2e = (self.e[:, :, None] * (w * w)[:, None, :]).reshape(J, L * ng)
        q = (self.f2t @ w2e).reshape(K, L, L, ng)
        second = np.einsum("klcm,ml->mkc", q, g)
        dh = (t - second)[:, self.full, :].reshape(ng, k, k, L)
        sinv = np.linalg.inv(omega[:, :p, :p])
        beta = (sinv @ omega[:, :p, p:])[:, :, 0]
        a = np.concatenate([-beta, np.ones((ng, 1))], axis=1)
        dr2 = -np.einsum("ma,mabl,mb->ml", a, dh, a)
        dgam = (self.et @ w).T + self.df * dr2 / r2[:, None]
        if self.red.method == "REML":
            dgam -= np.einsum("mab,mabl->ml", sinv, dh[:, :p, :p, :])
        grads = (dgam[:, None, :] @ jac[:ng])[:, 0, :]
        if ok is not None:  # pragma: no cover
            grads[~ok[:ng]] = 0.0
        return dev, grads

    def solve(self, theta):
        """Everything at one theta, on the internal scale."""
        red = self.red
        theta = np.asarray(theta, dtype=float)
        g = self.gamma(theta[None], False)[0][0]
        h = (self.f2t @ (1.0 / (1.0 + self.e @ g))).reshape(self.K, self.L) @ g
        w = 1.0 / (1.0 + self.e_groups @ g)
        omega = (self.a0u - h)[self.full].reshape(self.k, self.k)
        p = red.p
        s = omega[:p, :p]
        sinv = np.linalg.inv(s)
        beta = sinv @ omega[:p, p]
        r2 = float(omega[p, p] - omega[:p, p] @ beta)
        sigma2 = r2 / self.df
        vcov = sigma2 * sinv
        resid = red.zty - red.ztx @ beta  # Z_j'(y_j - X_j beta), (J, q)
        if red.q == 1:
            wmat = (g[0] * w).reshape(-1, 1, 1)
        else:
            t1, t2, t3 = theta
            gm = np.array([[t1 * t1, t1 * t2], [t1 * t2, t2 * t2 + t3 * t3]])
            m = red.ztz
            adj = np.empty_like(m)
            adj[:, 0, 0], adj[:, 1, 1] = m[:, 1, 1], m[:, 0, 0]
            adj[:, 0, 1] = adj[:, 1, 0] = -m[:, 0, 1]
            wmat = (gm[None] + g[3] * adj) * w[:, None, None]
        if red.q == 1:
            b = wmat[:, 0, :] * resid
        else:
            b = np.stack([wmat[:, 0, 0] * resid[:, 0] + wmat[:, 0, 1] * resid[:, 1],
                          wmat[:, 1, 0] * resid[:, 0] + wmat[:, 1, 1] * resid[:, 1]], axis=1)
        return beta, sigma2, vcov, b, wmat


# --------------------------------------------------------------------------------------
# Optimization: start from a batched grid, then projected Newton steps
# --------------------------------------------------------------------------------------


def _newton(prof: _Profile, theta, fixed=None, maxiter=100):
    """Minimize the criterion over theta >= lower by projected Newton steps.

    The gradient is exact; the Hessian is finite-differenced from gradients at
    n_theta nearby points, evaluated in the same batch as the step-length candidates
    of the previous step; eigenvalues are made positive (so every step is a descent
    direction) and the best downhill candidate of a backtracking set is taken.
    Coordinates in `fixed` stay where they are.  Returns theta, value, converged.
    """
    lower = prof.lower
    n = theta.size
    fixed = np.zeros(n, bool) if fixed is None else fixed
    movable = np.flatnonzero(~fixed)
    nm = movable.size
    alphas = np.array([1.0, 0.5, 0.2, 0.05, 1e-2, 1e-3])
    na = alphas.size
    rows = np.arange(nm)

    def around(th):
        hstep = 1e-6 * np.maximum(np.abs(th[movable]), 1e-2)
        pts = np.repeat(th[None], nm, axis=0)
        pts[rows, movable] += hstep
        return pts, hstep

    pts, hstep = around(theta)
    fv, gv = prof.batch(np.vstack([theta[None], pts]), grad=True)
    f, gr, gp = float(fv[0]), gv[0], gv[1:]
    converged = False
    for _ in range(maxiter):
        hess = (gp[:, movable] - gr[movable]) / hstep[:, None]
        active = (theta[movable] <= lower[movable]) & (gr[movable] > 0)
        free = np.flatnonzero(~active)
        gfree = gr[movable][free]
        if free.size == 0 or np.max(np.abs(gfree)) < 1e-10 * max(1.0, abs(f)):
            converged = True
            break
        hess = hess[np.ix_(free, free)]
        hess = 0.5 * (hess + hess.T)
        evals, evecs = np.linalg.eigh(hess)
        floor = 1e-8 * max(1.0, float(np.abs(evals).max()))
        evals = np.maximum(np.abs(evals), floor)
        step = np.zeros(n)
        step[movable[free]] = -evecs @ ((evecs.T @ gfree) / evals)
        if np.max(np.abs(step)) < 1e-10 * (1.0 + float(np.max(np.abs(theta)))):
            converged = True  # the Newton step is below rounding: at the optimum already
            break
        cands = np.maximum(theta[None] + alphas[:, None] * step[None], lower)
        pts, hnext = around(cands[0])
        # gradients only where they may be needed: the full step and its Hessian points
        fv, gv = prof.batch(np.vstack([cands[:1], pts, cands[1:]]), grad=1 + nm)
        fv = np.concatenate([fv[:1], fv[1 + nm:], fv[1:1 + nm]])
        gp_next = gv[1:]
        better = np.flatnonzero(fv[:na] < f)
        if better.size == 0:
            # no decrease along the Newton direction: one steepest-descent try, else stop
            sd = np.zeros(n)
            sd[movable[free]] = -gfree / max(1.0, float(np.abs(evals).max()))
            cands = np.maximum(theta[None] + alphas[:, None] * sd[None], lower)
            fv = prof.batch(cands)
            better = np.flatnonzero(fv < f)
            if better.size == 0:
                converged = bool(np.max(np.abs(step)) < 1e-7 * (1.0 + np.max(np.abs(theta))))
                break
            i = -1  # force a fresh gradient and Hessian below
            j = int(better[0])
            new, f_new = cands[j], float(fv[j])
        else:
            i = int(better[0])
            new, f_new = cands[i], float(fv[i])
        moved = float(np.max(np.abs(new - theta)))
        decrease = f - f_new
        theta, f = new, f_new
        if i == 0:
            gr, gp, hstep = gv[0], gp_next, hnext
        else:
            pts, hstep = around(theta)
            gv = prof.batch(np.vstack([theta[None], pts]), grad=True)[1]
            gr, gp = gv[0], gv[1:]
        if moved < 1e-13 * (1.0 + float(np.max(np.abs(theta)))) or decrease < 1e-15 * abs(f):
            converged = True
            break
    # Polish.  Near the optimum the criterion changes by less than its own rounding
    # error, so function values can no longer tell a better theta from a worse one
    # (which is where the loop above stops), but the exact gradient still can.  Newton
    # steps on the interior coordinates, with the Hessian of the last iterate (gr, gp
    # and hstep belong to the current theta), kept while they shrink the gradient:
    # this takes the gradient from ~1e-8 to ~1e-13 and makes the optimum reproducible
    # to ~1e-14 under rounding-level changes of the data (e.g. shifting y).
    inner = np.flatnonzero(theta[movable] > lower[movable])
    if inner.size:
        cols = movable[inner]
        hess = (gp[np.ix_(inner, cols)] - gr[cols]) / hstep[inner, None]
        try:
            inverse = np.linalg.inv(0.5 * (hess + hess.T))
        except np.linalg.LinAlgError:
            inverse = None
        for _ in range(3 if inverse is not None else 0):
            gnorm = float(np.max(np.abs(gr[cols])))
            if gnorm < 1e-13 * max(1.0, abs(f)):
                break
            cand = theta.copy()
            cand[cols] -= inverse @ gr[cols]
            if np.any(cand < lower):
                break
            fc, gc = prof.batch(cand[None], grad=True)
            if np.max(np.abs(gc[0][cols])) >= gnorm or fc[0] > f + 1e-12 * max(1.0, abs(f)):
                break
            theta, f, gr = cand, float(fc[0]), gc[0]
    return theta, f, converged


def _canonical(theta):
    """lme4's sign convention: theta1 >= 0 and theta3 >= 0 (same G = Lambda Lambda')."""
    theta = np.array(theta, dtype=float)
    if theta[0] < 0:
        theta[0] = -theta[0]
        if theta.size == 3:
            theta[1] = -theta[1]
    if theta.size == 3:
        theta[2] = abs(theta[2])
    return theta + 0.0  # no negative zeros


def _moment_start(prof: _Profile):
    """Method-of-moments start for varying slopes: spread of the per-group OLS lines.

    Sigma_b ~ Cov(beta_j) - sigma_w^2 mean(M_j^{-1}), with sigma_w^2 the pooled
    within-group residual variance (computable from the sufficient statistics, since
    sum_j y_j'y_j = y'y).  Returns theta = chol(Sigma_b / sigma_w^2), or None.
    """
    red = prof.red
    m, v = red.ztz, red.zty
    m00, m01, m11 = m[:, 0, 0], m[:, 0, 1], m[:, 1, 1]
    det = m00 * m11 - m01 * m01
    ok = det > 1e-8 * m00 * m11
    if ok.sum() < 3:
        return None
    b0 = (m11 * v[:, 0] - m01 * v[:, 1])[ok] / det[ok]
    b1 = (m00 * v[:, 1] - m01 * v[:, 0])[ok] / det[ok]
    fitted = float((v[ok, 0] * b0 + v[ok, 1] * b1).sum())
    fitted += float((v[~ok, 0] ** 2 / m00[~ok]).sum())
    dfw = red.n - 2 * int(ok.sum()) - int((~ok).sum())
    rss = red.a0[-1, -1] - fitted
    if dfw <= 0 or not rss > 0:
        return None
    s2 = rss / dfw
    inv_mean = np.array([[np.mean(m11[ok] / det[ok]), -np.mean(m01[ok] / det[ok])],
                         [-np.mean(m01[ok] / det[ok]), np.mean(m00[ok] / det[ok])]])
    sb = np.cov(np.stack([b0, b1])) - s2 * inv_mean
    evals, evecs = np.linalg.eigh(sb)
    evals = np.maximum(evals, 1e-2 * max(float(evals.max()), 1e-4 * s2))
    g0 = (evecs * evals) @ evecs.T / s2
    return np.array(_chol2(g0))


def _optimize(prof: _Profile):
    """Global start from a log grid along lme4's default direction, then Newton."""
    if prof.n_theta == 1:
        direction = np.ones(1)
    else:
        direction = np.array([1.0, 0.0, 1.0])
    scales = np.concatenate([[0.0], np.logspace(-3, 3, 25)])
    vals = prof.batch(scales[:, None] * direction[None])
    while np.argmin(vals) == len(scales) - 1 and scales[-1] < 1e10:
        more = scales[-1] * np.logspace(0.5, 3, 6)
        scales = np.concatenate([scales, more])
        vals = np.concatenate([vals, prof.batch(more[:, None] * direction[None])])
    kbest = int(np.argmin(vals))
    start = max(scales[kbest], scales[1]) * direction
    if prof.n_theta == 3:
        mstart = _moment_start(prof)
        if mstart is not None and prof.batch(mstart[None])[0] < vals[kbest]:
            start, kbest = mstart, -1
    if 2 <= kbest < len(scales) - 1 and np.all(np.isfinite(vals[kbest - 1:kbest + 2])):
        # vertex of the parabola through the three best grid values, in log(scale)
        u = np.log(scales[kbest - 1:kbest + 2])
        fl, fm, fr = vals[kbest - 1:kbest + 2]
        denom = fl - 2 * fm + fr
        if denom > 0:
            vertex = u[1] + 0.5 * (u[1] - u[0]) * (fl - fr) / denom
            start = math.exp(min(max(vertex, u[0]), u[2])) * direction
    theta, fval, ok = _newton(prof, start)
    # boundary candidates, as lme4 reaches them: a bounded coordinate exactly 0
    bounded = [0] if prof.n_theta == 1 else [0, 2]
    for c in bounded:
        if abs(theta[c]) < 1e-3:
            cand = theta.copy()
            cand[c] = 0.0
            fixed = np.zeros(prof.n_theta, bool)
            fixed[c] = True
            if prof.n_theta > 1:
                cand, fc, okc = _newton(prof, cand, fixed=fixed)
            else:
                fc, okc = float(prof.batch(cand[None])[0]), True
            if fc <= fval + 1e-10 * max(1.0, abs(fval)):
                theta, fval, ok = cand, fc, okc
    # snap coordinates that are zero up to rounding (the criterion is flat, ~theta^2, there)
    for i in range(prof.n_theta):
        if theta[i] != 0.0 and abs(theta[i]) < 1e-5:
            cand = theta.copy()
            cand[i] = 0.0
            fc = float(prof.batch(cand[None])[0])
            if fc <= fval + 1e-10 * max(1.0, abs(fval)):
                theta, fval = cand, min(fc, fval)
    theta = _canonical(theta)
    if prof.n_theta == 3 and theta[0] == 0.0:
        # theta2 and theta3 then only enter through theta2^2 + theta3^2: canonical form
        theta = np.array([0.0, 0.0, math.hypot(theta[1], theta[2])])
    return theta, fval, bool(ok)


# --------------------------------------------------------------------------------------
# Assembling the result
# --------------------------------------------------------------------------------------


def _chol2(gm):
    """Lower Cholesky factor of a 2x2 positive semi-definite matrix (no failure at rank 1)."""
    t1 = math.sqrt(max(gm[0, 0], 0.0))
    t2 = gm[1, 0] / t1 if t1 > 0 else 0.0
    t3 = math.sqrt(max(gm[1, 1] - t2 * t2, 0.0))
    return t1, t2, t3


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
