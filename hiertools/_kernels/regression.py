"""Per-group regression lines: sufficient statistics, own lines, pooled lines, ellipses.

Kernels only (see :mod:`hiertools._kernels`): no checks.  The per-group sums of y on
[1, x] are computed here, once, for the lesson-06 shrinkage of lines
(:func:`hiertools.shrink_slopes`, its explorer and plots) and for the mixed-model
engine's pass over the rows (:mod:`hiertools.mixed.reduction`, which adds them chunk by
chunk on centred columns).

Notation, for group j: ``ztz`` = :math:`A_j = Z_j'Z_j` (with :math:`Z_j = [1, x]`),
``zty`` = :math:`c_j = Z_j'y_j`, ``cov`` = Σ, the covariance of a group's (intercept,
slope) deviation, and σ the residual SD; see :mod:`hiertools.slopes` for the formulas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: A group's own least-squares line needs det(A_j) > 0; a determinant below this share of
#: n_j * sum(x^2) means x (practically) does not vary within the group.
SINGULAR_DESIGN = 1e-12
#: Points on each drawn contour of a bivariate normal.
ELLIPSE_POINTS = 181


# --- per-group sufficient statistics -------------------------------------------------------------

def add_group_sums(codes, block, counts, sums, slope_sums=None, product=None) -> None:
    """Add one block of rows to per-group accumulators, in place.

    `codes` are the rows' group codes 0..J-1 and `block` has one row per column (for
    varying slopes: x first, y last).  Adds the group sizes to `counts` (J,), each
    column's per-group sums to `sums` (columns, J) and, when `slope_sums` (2, J) is given,
    the per-group sums of x·x and x·y to it (`product`: an optional buffer of the block's
    length).  Called once on all rows, or chunk by chunk on a long table.
    """
    span = counts.shape[0]
    counts += np.bincount(codes, minlength=span)
    for i in range(len(block)):
        sums[i] += np.bincount(codes, weights=block[i], minlength=span)
    if slope_sums is None:
        return
    product = np.empty(block.shape[1]) if product is None else product
    for i, other in enumerate((block[0], block[-1])):
        np.multiply(block[0], other, out=product)
        slope_sums[i] += np.bincount(codes, weights=product, minlength=span)


def slope_blocks(n, sx, sxx, sy, sxy):
    """:math:`A_j` (J, 2, 2) and :math:`c_j` (J, 2) of y on [1, x] from the per-group sums."""
    ztz = np.empty((len(n), 2, 2))
    ztz[:, 0, 0], ztz[:, 0, 1], ztz[:, 1, 0], ztz[:, 1, 1] = n, sx, sx, sxx
    return ztz, np.stack([sy, sxy], -1)


@dataclass(frozen=True)
class SlopeStats:
    """Per-group sufficient statistics of y on [1, x]: one vectorized pass over the rows."""

    labels: pd.Index
    ztz: np.ndarray  # (J, 2, 2)
    zty: np.ndarray  # (J, 2)
    x: str

    @property
    def n(self) -> np.ndarray:
        return self.ztz[:, 0, 0]


def slope_stats(data: pd.DataFrame, y: str, x: str, group) -> SlopeStats:
    """Sufficient statistics of `y` on [1, `x`] per group, sorted labels (validated input)."""
    codes, labels = pd.factorize(data[group], sort=True)
    block = np.stack([data[x].to_numpy(dtype=float), data[y].to_numpy(dtype=float)])
    size = len(labels)
    counts, sums, slope_sums = np.zeros(size), np.zeros((2, size)), np.zeros((2, size))
    add_group_sums(codes, block, counts, sums, slope_sums)
    ztz, zty = slope_blocks(counts, sums[0], slope_sums[0], sums[1], slope_sums[1])
    return SlopeStats(pd.Index(labels, name=group), ztz, zty, x)


# --- lines: each group's own, the partially pooled ones, complete and no pooling ----------------

def x_varies(ztz: np.ndarray):
    """Whether x varies among the rows summed in each 2x2 block [[n, Σx], [Σx, Σx²]], and
    the blocks' determinants: the determinant is n² var(x), zero up to rounding
    (SINGULAR_DESIGN, relative to n Σx²) where x takes one value."""
    det = ztz[..., 0, 0] * ztz[..., 1, 1] - ztz[..., 0, 1] ** 2
    return det > SINGULAR_DESIGN * ztz[..., 0, 0] * np.maximum(ztz[..., 1, 1], 1e-300), det


def own_lines(stats: SlopeStats) -> np.ndarray:
    """Each group's own least-squares (intercept, slope); NaN where x does not vary in it."""
    a = stats.ztz
    ok, det = x_varies(a)
    safe = np.where(ok, det, 1.0)
    c = stats.zty
    intercept = (a[:, 1, 1] * c[:, 0] - a[:, 0, 1] * c[:, 1]) / safe
    slope = (a[:, 0, 0] * c[:, 1] - a[:, 0, 1] * c[:, 0]) / safe
    out = np.stack([intercept, slope], -1)
    out[~ok] = np.nan
    return out


def shrink_lines(stats: SlopeStats, cov: np.ndarray, sigma: float):
    """GLS fixed effects (2,), partially pooled coefficients (J, 2) and S_j = K_j A_j (J, 2, 2)."""
    a, c = stats.ztz, stats.zty
    eye = np.eye(2)
    gain = np.linalg.solve(cov @ a + sigma**2 * eye, np.broadcast_to(cov, a.shape))  # K_j
    ak = a @ gain
    lhs = (a - ak @ a).sum(axis=0)
    rhs = (c - np.einsum("jkl,jl->jk", ak, c)).sum(axis=0)
    beta = np.linalg.solve(lhs, rhs)
    residual = c - a @ beta
    coefs = beta + np.einsum("jkl,jl->jk", gain, residual)
    return beta, coefs, gain @ a


def regression_lines(data: pd.DataFrame, y: str, x: str, group: str):
    """Complete-pooling and no-pooling least-squares lines of `y` on `x`.

    Complete pooling is ``y ~ 1 + x`` (one line for all groups); no pooling is
    ``y ~ x + factor(group) - 1`` (one intercept per group, a common slope), computed
    from group means: the common slope is the within-group regression slope
    :math:`\\sum (x - \\bar x_j)(y - \\bar y_j) / \\sum (x - \\bar x_j)^2` and each
    intercept is :math:`\\bar y_j - \\hat\\beta \\bar x_j` (the same least-squares fit as
    the indicator-column design, without building it).  Returns
    ``(cp_intercept, cp_slope, np_intercepts, np_slope)`` with `np_intercepts` a Series
    indexed by group label (sorted).
    """
    yv = data[y].to_numpy(dtype=float)
    xv = data[x].to_numpy(dtype=float)
    xc, yc = xv - xv.mean(), yv - yv.mean()
    cp_slope = float(np.dot(xc, yc) / np.dot(xc, xc))
    cp_intercept = float(yv.mean() - cp_slope * xv.mean())
    grouped = pd.DataFrame({"x": xv, "y": yv, "g": data[group].to_numpy()}).groupby("g")
    means = grouped[["x", "y"]].mean()
    within_x = xv - grouped["x"].transform("mean").to_numpy()
    within_y = yv - grouped["y"].transform("mean").to_numpy()
    np_slope = float(np.dot(within_x, within_y) / np.dot(within_x, within_x))
    intercepts = (means["y"] - np_slope * means["x"]).rename_axis(group)
    return cp_intercept, cp_slope, intercepts, np_slope


# --- the contour of a bivariate normal -----------------------------------------------------------

def ellipse_xy(mean, cov, level, num: int = ELLIPSE_POINTS) -> np.ndarray:
    """(num, 2) points on the level-`level` contour of N2(mean, cov); closed (last = first)."""
    radius = np.sqrt(-2.0 * np.log1p(-level))
    values, vectors = np.linalg.eigh(cov)
    t = np.linspace(0.0, 2.0 * np.pi, num)
    circle = np.stack([np.cos(t), np.sin(t)])
    return np.asarray(mean) + (radius * vectors @ (np.sqrt(np.clip(values, 0, None))[:, None]
                                                   * circle)).T
