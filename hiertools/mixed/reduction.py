"""Checking the input, and the one pass over the rows that reduces it to sufficient statistics.

The rows are read once, in cache-sized chunks: the response and predictors are
centred (by their means, so large offsets cost no precision), and per-group
sums come from ``np.bincount`` on integer group codes
(:func:`hiertools._kernels.regression.add_group_sums`, the same sums
:func:`hiertools.shrink_slopes` starts from).  What is kept has one
entry per group (n_j, Z_j'Z_j, Z_j'X_j, Z_j'y_j) plus the global
cross-products [X y]'[X y]; everything after this module costs time in the
number of groups, not rows.  The predictors are then scaled to unit variance
on those sums, an exact reparametrization that :mod:`.fit` undoes.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._kernels import regression
from .._validation import check_column, check_frame, check_group_column, check_option

_METHODS = ("REML", "ML")

#: Rows per chunk of the pass over the data: small enough for the chunk's
#: centred columns to stay in cache.
_CHUNK_ROWS = 1 << 16

#: A predictor whose standard deviation is below this fraction of max(1, |mean|)
#: is constant up to rounding, i.e. a copy of the intercept.
_CONSTANT_TOL = 1e-12

#: Fixed-effect columns are rank-deficient when the smallest eigenvalue of their
#: correlation matrix is below this fraction of the largest.
_RANK_TOL = 1e-10

#: A varying slope needs within-group variation of its predictor: the pooled
#: within-group sum of squares (unit-variance scale) must exceed this times n.
_WITHIN_TOL = 1e-10


@dataclass
class _SufficientStats:
    """What the fit needs from the rows, on the internal (centred, scaled) scale.

    ``cross`` is C = [X y]'[X y] ((p+1) × (p+1)); per group j, ``ztz`` is
    Z_j'Z_j (J, q, q), ``ztx`` is Z_j'X_j (J, q, p) and ``zty`` is Z_j'y_j (J, q).
    """

    method: str
    y_name: str
    group_name: Hashable
    x_names: list          # fixed-effect predictors; for varying slopes, [slope]
    n_varying: int         # q: 1 (intercept) or 2 (intercept and slope)
    n_obs: int
    labels: pd.Index
    counts: np.ndarray     # n_j, int64
    y_mean: float
    x_means: np.ndarray
    x_scales: np.ndarray
    cross: np.ndarray
    ztz: np.ndarray
    ztx: np.ndarray
    zty: np.ndarray

    @property
    def n_fixed(self) -> int:
        return 1 + len(self.x_names)

    @property
    def n_groups(self) -> int:
        return len(self.labels)

    @property
    def to_original(self) -> np.ndarray:
        """U with β = U β_internal (plus the mean of y on the intercept); X = X_internal U⁻¹."""
        u = np.eye(self.n_fixed)
        u[0, 1:] = -self.x_means / self.x_scales
        u[np.arange(1, self.n_fixed), np.arange(1, self.n_fixed)] = 1.0 / self.x_scales
        return u

    @property
    def reml_offset(self) -> float:
        """Original-scale REML criterion minus the internal one: 2 Σ log(scale) (0 for ML).

        Scaling column k of X by 1/scale_k changes log det(X'V⁻¹X) by −2 log scale_k;
        see the notes of :mod:`.likelihood`.
        """
        return 2.0 * float(np.log(self.x_scales).sum()) if self.method == "REML" else 0.0


def _reduce(data, y, group, xs: list, slope, method) -> _SufficientStats:
    """Check the arguments and reduce the rows: ``xs`` are the fixed predictors of a
    varying-intercept model, or ``slope`` the one predictor of a varying-slope model."""
    check_frame(data)
    method = check_option(method, "method", _METHODS)
    names = list(xs) if slope is None else [slope]
    series = _checked_columns(data, y, group, names)
    n, p = len(data), 1 + len(names)
    if n <= p:
        raise ValueError(f"data has {n} rows but the model has {p} fixed effects; "
                         f"a mixed model needs more rows than fixed effects.")
    y_column = _finite_values(data, series[y], "y")
    columns = [*(_finite_values(data, series[name], "x") for name in names), y_column]
    source = _GroupCodes(series[group], "group")
    if source.has_missing:
        check_group_column(data, group, "group")  # raises, saying how to drop them
    counts, sums, cross, slope_sums = _row_pass(columns, source, with_slope=slope is not None)
    labels, present = source.finish(counts)
    if present is not None:  # integer labels with gaps: keep the groups that have rows
        counts, sums = counts[present], sums[:, present]
        slope_sums = None if slope_sums is None else slope_sums[:, present]
    _check_group_counts(counts, group)

    means = np.array([mean for _, mean in columns[:-1]])
    scales = _predictor_scales(cross, names, means, n)
    factor = np.append(1.0 / scales, 1.0)
    cross *= np.outer(factor, factor)
    sums[:-1] /= scales[:, None]
    augmented = _augmented_cross(n, sums, cross)
    if p > 2:  # [1, x] centred and scaled is orthogonal: only several predictors can be collinear
        _check_rank(augmented[:p, :p], names)
    if slope_sums is not None:
        slope_sums /= np.array([scales[0] ** 2, scales[0]])[:, None]
    ztz, ztx, zty = _group_blocks(counts, sums, slope_sums, slope, n)
    return _SufficientStats(
        method=method, y_name=y, group_name=group, x_names=names,
        n_varying=1 if slope is None else 2, n_obs=n, labels=labels,
        counts=counts.astype(np.int64), y_mean=y_column[1], x_means=means, x_scales=scales,
        cross=augmented, ztz=ztz, ztx=ztx, zty=zty)


# --------------------------------------------------------------------------------------
# Argument checks
# --------------------------------------------------------------------------------------


def _as_names(x) -> list:
    """The `x` argument of fit_varying_intercepts as a list of column names."""
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


def _column(data: pd.DataFrame, name, arg: str, numeric: bool = True) -> pd.Series:
    """``data[name]``, fetched once; anything unusual goes to check_column for its error."""
    if isinstance(name, str | int) and name in data.columns:
        values = data[name]
        if not numeric or values.dtype.kind in "biuf":
            return values
    check_column(data, name, arg, numeric=numeric, finite=False)  # raises, or accepts the dtype
    return data[name]


def _checked_columns(data: pd.DataFrame, y, group, names: list) -> dict:
    """The response, grouping and predictor columns by name, after checking their roles."""
    series = {y: _column(data, y, "y"), group: _column(data, group, "group", numeric=False)}
    for name in names:
        series[name] = _column(data, name, "x")
    for name in names:
        if name == y:
            raise ValueError(f"x={name!r} is also the response y; a predictor must be a "
                             f"different column.")
        if name == group:
            raise ValueError(f"x={name!r} is also the grouping column; choose a different "
                             f"predictor column.")
    if group == y:
        raise ValueError(f"group={group!r} is also the response y; pass the column that "
                         f"labels the groups.")
    return series


def _finite_values(data: pd.DataFrame, values: pd.Series, arg: str) -> tuple[np.ndarray, float]:
    """A numeric column as floats, and its mean; NaN or inf is an error.

    Finiteness is read off the mean (any NaN or inf makes it non-finite), so the
    values are passed over once; the element-wise check only words the error.
    """
    array = values.to_numpy(dtype=float)
    mean = float(array.mean())
    if not math.isfinite(mean):
        check_column(data, values.name, arg)  # raises, naming the count of bad values
        raise ValueError(f"{arg}={values.name!r} is too large in magnitude to sum; rescale it.")
    return array, mean


def _check_group_counts(counts: np.ndarray, group) -> None:
    if len(counts) < 2:
        raise ValueError(
            f"group={group!r} has {len(counts)} distinct label; a mixed model needs at least "
            f"two groups -- with one group, fit an ordinary regression instead.")
    if counts.max() < 2:
        raise ValueError(
            f"group={group!r} has exactly one observation in every group, so the "
            f"between-group and residual variances cannot be told apart; use a grouping "
            f"column with repeated observations per group.")


def _predictor_scales(cross: np.ndarray, names: list, means: np.ndarray, n: int) -> np.ndarray:
    """Standard deviations of the predictors, from the centred cross-products; 0 is an error."""
    scales = np.sqrt(np.diag(cross)[:-1] / n)
    for name, scale, mean in zip(names, scales, means):
        if not scale > _CONSTANT_TOL * max(1.0, abs(mean)):
            raise ValueError(
                f"x={name!r} is constant, so it duplicates the intercept "
                f"(rank-deficient fixed effects); drop it from x.")
    return scales


def _check_rank(xtx: np.ndarray, names: list) -> None:
    scale = np.sqrt(np.diag(xtx))
    eig = np.linalg.eigvalsh(xtx / np.outer(scale, scale))
    if eig[0] < _RANK_TOL * eig[-1]:
        raise ValueError(
            f"x={names!r}: the fixed-effect columns are linearly dependent (rank-deficient "
            f"fixed effects); drop the redundant predictor(s).")


# --------------------------------------------------------------------------------------
# The pass over the rows
# --------------------------------------------------------------------------------------


class _GroupCodes:
    """Integer group codes 0..J-1 in pandas' sort order of the labels, served chunk by chunk.

    Integer labels in a compact range are turned into codes (label - min) inside
    each chunk, so no full-length code array is ever stored; other labels are
    factorized by pandas.  Codes are always written to a writable buffer or come
    from pandas' own (writable) array: ``np.bincount`` copies read-only input
    (which pandas' column views are) before counting.  Labels without rows are
    dropped by :meth:`finish`.
    """

    def __init__(self, values: pd.Series, arg: str):
        array = values.to_numpy()
        self.name, self.offset, self.has_missing = values.name, None, False
        if array.dtype.kind in "iu" and len(array):
            lo, hi = _min_max(array)
            if hi - lo + 1 <= 4 * len(array) + 1024 and -(2**62) < lo and hi < 2**62:
                self.raw, self.offset, self.span, self.dtype = array, lo, hi - lo + 1, array.dtype
                return
        try:
            codes, uniques = pd.factorize(values, sort=True)
        except TypeError as err:
            raise TypeError(
                f"{arg}={values.name!r} has labels that cannot be sorted together ({err}); "
                f"make them one type, e.g. data[{values.name!r}].astype(str)."
            ) from None
        self.has_missing = bool(len(codes)) and int(codes.min()) < 0  # NaN labels get code -1
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


def _min_max(array: np.ndarray) -> tuple[int, int]:
    """min and max in chunks, so that the second look at each chunk reads it from cache."""
    lo, hi = int(array[0]), int(array[0])
    for first in range(0, len(array), _CHUNK_ROWS):
        chunk = array[first:first + _CHUNK_ROWS]
        lo, hi = min(lo, int(chunk.min())), max(hi, int(chunk.max()))
    return lo, hi


def _row_pass(columns: list, source: _GroupCodes, with_slope: bool):
    """One pass over the rows in chunks (no full-length temporaries).

    `columns` are (values, mean) pairs: the predictors, then y.  Returns the group
    sizes, the per-group sums of the centred columns (one row per column), their
    global cross-products, and for varying slopes the per-group sums of x² and x·y
    (centred; the slope is the first column).
    """
    n, span, n_cols = len(columns[0][0]), source.span, len(columns)
    counts = np.zeros(span)
    sums = np.zeros((n_cols, span))
    cross = np.zeros((n_cols, n_cols))
    slope_sums = np.zeros((2, span)) if with_slope else None
    pairs = [(i, j) for i in range(n_cols) for j in range(i, n_cols)]  # upper triangle
    size = min(n, max(_CHUNK_ROWS, 8 * span))
    code_buffer = np.empty(size, dtype=np.intp)
    centred = np.empty((n_cols, size))
    product = np.empty(size) if with_slope else None
    for first in range(0, n, size):
        rows = slice(first, min(first + size, n))
        codes = source.chunk(rows, code_buffer)
        block = centred[:, : rows.stop - rows.start]
        for i, (values, mean) in enumerate(columns):
            np.subtract(values[rows], mean, out=block[i])
        regression.add_group_sums(codes, block, counts, sums, slope_sums,
                                  None if product is None else product[: block.shape[1]])
        for i, j in pairs:  # one product-sum per entry: a gemm this thin is 4x slower, and
            # einsum, unlike a BLAS dot, never hands a chunk to threads (fragile on busy machines)
            cross[i, j] += np.einsum("i,i->", block[i], block[j])
    for i, j in pairs:
        cross[j, i] = cross[i, j]
    return counts, sums, cross, slope_sums


def _augmented_cross(n: int, sums: np.ndarray, cross: np.ndarray) -> np.ndarray:
    """C = [1 X y]'[1 X y] from the centred (scaled) cross-products and column sums."""
    out = np.empty((len(cross) + 1, len(cross) + 1))
    out[0, 0] = n
    out[0, 1:] = out[1:, 0] = sums.sum(axis=1)
    out[1:, 1:] = cross
    return out


def _group_blocks(counts, sums, slope_sums, slope, n: int):
    """Z_j'Z_j, Z_j'X_j and Z_j'y_j per group (Z_j = 1, or [1, x] for varying slopes)."""
    size = counts.astype(float)
    n_groups = len(size)
    if slope_sums is None:
        ztx = np.concatenate([size[:, None], sums[:-1].T], axis=1)[:, None, :]
        return size.reshape(n_groups, 1, 1), ztx, sums[-1].reshape(n_groups, 1)
    sx, (sxx, sxy) = sums[0], slope_sums
    if not (sxx - sx * sx / size).sum() > _WITHIN_TOL * n:
        raise ValueError(
            f"x={slope!r} does not vary within any group, so its slope cannot vary "
            f"by group; use fit_varying_intercepts(data, y, group, x={slope!r}) instead.")
    ztz, zty = regression.slope_blocks(size, sx, sxx, sums[-1], sxy)
    return ztz, ztz, zty  # X = Z = [1, x]
