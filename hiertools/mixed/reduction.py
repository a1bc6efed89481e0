"""Input checks and the one pass over the rows that reduces them to sufficient statistics."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .._validation import check_choice, check_column, check_frame, check_group_column

_METHODS = ("REML", "ML")


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
