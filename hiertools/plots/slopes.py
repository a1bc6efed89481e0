"""Varying slopes: the 2-D shrinkage figure, covariance ellipses, and one panel per group.

In a varying-slopes model each group has a line, i.e. a point (intercept, slope)
in a plane.  :func:`plot_slopes_shrinkage` draws, for every group, an arrow in
that plane from its own least-squares line to its partially pooled line, with
the ellipses of the fitted distribution of lines; :func:`plot_covariance_ellipse`
draws such ellipses on their own; :func:`plot_slopes_panel` draws the groups'
data with the complete-, no- and partial-pooling lines, one small plot each.

An ellipse of level p is the set of points z with
:math:`(z - \\mu)'\\Sigma^{-1}(z - \\mu) = q_p`, where :math:`q_p = -2\\log(1 - p)` is the p
quantile of the chi-square distribution with 2 degrees of freedom: it holds a share
p of the bivariate normal :math:`N_2(\\mu, \\Sigma)`.  It is drawn as the image of a
circle of radius :math:`\\sqrt{q_p}` under :math:`V\\Lambda^{1/2}` (Σ = VΛV', from
``numpy.linalg.eigh``), which also works when Σ is singular: the ellipse then
collapses to a segment (a correlation of ±1) or a point.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._kernels import regression
from .._validation import check_array, check_cov, check_labels
from ._common import COLORS, _check_fit, _new_axes
from .mixed import plot_group_panel

__all__ = ["plot_slopes_shrinkage", "update_slopes_shrinkage", "plot_covariance_ellipse",
           "plot_slopes_panel"]



# --- validation ---------------------------------------------------------------------------------

def _check_points(values, name: str) -> np.ndarray:
    """(J, 2) finite floats from a DataFrame with two columns or an array of shape (J, 2)."""
    if isinstance(values, str | bytes) or values is None or isinstance(values, dict | set):
        raise TypeError(f"{name} must be a DataFrame with two columns (intercept, slope) or an "
                        f"array of shape (groups, 2), got {type(values).__name__}.")
    try:
        arr = np.array(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numbers: one (intercept, slope) row per group."
                        ) from None
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{name} must have shape (groups, 2) -- one (intercept, slope) row per "
                         f"group -- got shape {arr.shape}.")
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is empty; pass at least one group.")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values (a group whose x does not vary "
                         "has no least-squares line); drop those groups first.")
    return arr


def _check_mean(mean, name: str = "mean") -> np.ndarray:
    arr = check_array(mean, name)
    if arr.size != 2:
        raise ValueError(f"{name} must be two numbers (intercept, slope), got {arr.size}.")
    return arr


def _check_levels(levels) -> np.ndarray:
    arr = check_array(levels, "levels", allow_scalar=True).ravel()
    if not ((arr > 0) & (arr < 1)).all():
        raise ValueError(f"levels must lie strictly between 0 and 1 (e.g. 0.5, 0.95), got "
                         f"{arr.tolist()}.")
    return arr


# --- geometry -----------------------------------------------------------------------------------

def _segments(start, end):
    return np.stack([start, end], axis=1)


# --- figures ------------------------------------------------------------------------------------

def plot_covariance_ellipse(mean, cov, *, levels=(0.5, 0.95), ax=None, color=None,
                            linestyle="-", label=None):
    """Contours of a bivariate normal N₂(mean, cov) holding the given shares of it.

    Parameters
    ----------
    mean : array_like
        The centre, two numbers.
    cov : array_like
        A 2 x 2 covariance matrix (symmetric, positive semi-definite; a singular one
        draws a segment).
    levels : float or sequence of float
        Shares of the distribution inside each ellipse (default 50% and 95%).
    ax : matplotlib.axes.Axes, optional
    color : optional
        Line colour (default: the partial-pooling blue).
    linestyle : str
        Line style (default solid).
    label : str, optional
        Legend entry, given to the outermost ellipse only.

    Returns
    -------
    matplotlib.axes.Axes
        The ellipses are ``ax.lines[-len(levels):]``, innermost first; the inner
        ones are drawn thinner.

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> ax = ht.plot_covariance_ellipse([0, 0], [[4.0, 0.0], [0.0, 1.0]], levels=0.95)
    >>> x, y = ax.lines[-1].get_data()
    >>> bool(np.allclose(x**2 / 4 + y**2, -2 * np.log(0.05)))
    True
    """
    mean = _check_mean(mean)
    cov = check_cov(cov)
    levels = np.sort(_check_levels(levels))
    ax = _new_axes(ax, (5, 4))
    color = COLORS["partial pooling"] if color is None else color
    for k, level in enumerate(levels):
        xy = regression.ellipse_xy(mean, cov, level)
        outer = k == len(levels) - 1
        ax.plot(xy[:, 0], xy[:, 1], color=color, linestyle=linestyle,
                linewidth=1.4 if outer else 0.9, alpha=0.9 if outer else 0.6,
                label=label if outer else None, zorder=1)
    return ax


def plot_slopes_shrinkage(own, pooled, *, mean=None, cov=None, levels=(0.5, 0.95),
                          noise_cov=None, labels=None, annotate=True, ax=None,
                          xlabel="intercept", ylabel="slope", title=None, legend=True):
    """The 2-D shrinkage figure: an arrow per group from its own line to its pooled line.

    Every group's line is a point (intercept, slope).  Open circles are the groups'
    own least-squares lines (no pooling); an arrow runs from each to the group's
    partially pooled line (a dot).  With `mean` and `cov`, the fitted distribution
    of the groups' lines, :math:`N_2(\\mu, \\Sigma)`, is drawn as ellipses holding 50%
    and 95% of it, and its centre as a cross.  With `noise_cov`, the sampling
    covariance of one group's own line, :math:`\\sigma^2(Z_j'Z_j)^{-1}`, is drawn as a
    dashed ellipse around the centre: the arrows run mostly along the directions
    where it is long compared with Σ.

    Parameters
    ----------
    own, pooled : DataFrame or array_like, shape (groups, 2)
        Own least-squares and partially pooled (intercept, slope), one row per group,
        in the same order (two DataFrames must have the same index).
    mean : array_like, optional
        Centre of the groups' distribution (the fixed effects), two numbers.
    cov : array_like, optional
        Its 2 x 2 covariance Σ (needs `mean`).
    levels : float or sequence of float
        Shares of N₂(mean, cov) inside the ellipses (default 50% and 95%).
    noise_cov : array_like, optional
        A 2 x 2 sampling covariance of one group's own line, drawn at the largest level.
    labels : sequence, optional
        Group labels (default: the index of `own` when it is a DataFrame).
    annotate : bool
        Write each group's label beside its own line's circle (default True).
    ax : matplotlib.axes.Axes, optional
    xlabel, ylabel : str
        Axis labels; say the units (e.g. "intercept: reaction at day 0 (ms)").
    title : str, optional
    legend : bool
        Draw a legend (default True).

    Returns
    -------
    matplotlib.axes.Axes
        With ``ax.hiertools_artists``: ``"arrows"`` (LineCollection, own → pooled),
        ``"own"`` and ``"heads"`` (scatters), and with `mean` ``"mean"`` (a marker),
        with `cov` ``"ellipses"`` (Line2D per level, innermost first), with
        `noise_cov` ``"noise"``, with `annotate` ``"labels"`` (Text per group).

    See Also
    --------
    shrink_slopes : the partially pooled lines for any Σ and σ.
    fit_varying_slopes : Σ̂, σ̂ and the pooled lines estimated.
    plot_shrinkage : the one-dimensional figure of lesson 03.

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> own = np.array([[1.0, 2.0], [3.0, -1.0]])
    >>> pooled = np.array([[1.5, 1.0], [2.5, 0.0]])
    >>> ax = ht.plot_slopes_shrinkage(own, pooled, mean=[2.0, 0.5], cov=np.eye(2),
    ...                               labels=["a", "b"])
    >>> ax.hiertools_artists["arrows"].get_segments()[0].tolist()
    [[1.0, 2.0], [1.5, 1.0]]
    """
    from matplotlib.collections import LineCollection

    own_arr = _check_points(own, "own")
    pooled_arr = _check_points(pooled, "pooled")
    if own_arr.shape != pooled_arr.shape:
        raise ValueError(f"own has {len(own_arr)} groups but pooled has {len(pooled_arr)}; "
                         "pass one row per group in each, in the same order.")
    if isinstance(own, pd.DataFrame) and isinstance(pooled, pd.DataFrame) and not own.index.equals(
            pooled.index):
        raise ValueError("own and pooled have different indexes (groups or their order); "
                         "align them, e.g. pooled.loc[own.index].")
    if labels is None and isinstance(own, pd.DataFrame):
        labels = own.index
    if labels is not None:
        labels = check_labels(labels, "labels", len(own_arr))
    elif annotate:
        labels = [str(k) for k in range(1, len(own_arr) + 1)]
    if cov is not None and mean is None:
        raise ValueError("cov needs mean= too (the centre of the ellipses).")
    if noise_cov is not None and mean is None:
        raise ValueError("noise_cov needs mean= too (the ellipse is drawn around it).")
    mean_arr = None if mean is None else _check_mean(mean)
    cov_arr = None if cov is None else check_cov(cov)
    noise_arr = None if noise_cov is None else check_cov(noise_cov, "noise_cov")
    level_arr = np.sort(_check_levels(levels))
    ax = _new_axes(ax, (7, 5))

    partial, raw = COLORS["partial pooling"], COLORS["no pooling"]
    artists = {}
    if cov_arr is not None:
        plot_covariance_ellipse(mean_arr, cov_arr, levels=level_arr, ax=ax,
                                color=COLORS["complete pooling"],
                                label=" and ".join(f"{100 * p:g}%" for p in level_arr)
                                + " of groups' lines, fitted N₂(μ, Σ)")
        artists["ellipses"] = ax.lines[-len(level_arr):]
    if noise_arr is not None:
        plot_covariance_ellipse(mean_arr, noise_arr, levels=level_arr[-1], ax=ax, color=raw,
                                linestyle="--",
                                label=f"{100 * level_arr[-1]:g}% sampling noise of one group's "
                                      "own line")
        artists["noise"] = ax.lines[-1]
    arrows = LineCollection(_segments(own_arr, pooled_arr), colors=partial, linewidths=1.3,
                            alpha=0.85, zorder=3)
    ax.add_collection(arrows)
    artists["arrows"] = arrows
    artists["own"] = ax.scatter(own_arr[:, 0], own_arr[:, 1], s=34, facecolors="white",
                                edgecolors=raw, linewidths=1.3, zorder=4,
                                label="own least-squares line (no pooling)")
    artists["heads"] = ax.scatter(pooled_arr[:, 0], pooled_arr[:, 1], s=16, color=partial,
                                  zorder=5, label="partially pooled line")
    if mean_arr is not None:
        artists["mean"], = ax.plot([mean_arr[0]], [mean_arr[1]], marker="P", markersize=10,
                                   color=COLORS["complete pooling"], linestyle="",
                                   markeredgecolor="white", zorder=6,
                                   label="centre μ (fixed effects)")
    if annotate:
        artists["labels"] = [ax.annotate(label, (u, v), xytext=(4, 3), textcoords="offset points",
                                         fontsize=7, color="0.3", zorder=7)
                             for label, (u, v) in zip(labels, own_arr)]
    every = [own_arr, pooled_arr] + ([mean_arr[None, :]] if mean_arr is not None else [])
    every += [line.get_xydata() for line in artists.get("ellipses", [])]
    ax.update_datalim(np.concatenate(every))
    ax.autoscale_view()
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend(loc="best", fontsize="small", frameon=True, framealpha=0.85)
    ax.grid(alpha=0.3)
    ax.hiertools_artists = artists
    ax.hiertools_levels = level_arr
    return ax


def update_slopes_shrinkage(ax, own, pooled, mean=None, cov=None) -> None:
    """Move the artists of a :func:`plot_slopes_shrinkage` Axes in place (used by the widgets).

    `own` and `pooled` are (groups, 2) arrays; `mean` and `cov` move the centre and
    the ellipses (when the Axes has them).
    """
    artists = ax.hiertools_artists
    own, pooled = np.asarray(own, float), np.asarray(pooled, float)
    artists["arrows"].set_segments(_segments(own, pooled))
    artists["own"].set_offsets(own)
    artists["heads"].set_offsets(pooled)
    if mean is not None and "mean" in artists:
        artists["mean"].set_data([mean[0]], [mean[1]])
    if cov is not None and "ellipses" in artists:
        for line, level in zip(artists["ellipses"], ax.hiertools_levels):
            xy = regression.ellipse_xy(mean, cov, level)
            line.set_data(xy[:, 0], xy[:, 1])
    for text, point in zip(artists.get("labels", []), own):
        text.xy = tuple(point)


def plot_slopes_panel(data: pd.DataFrame, fit, groups=None, *, ncols=6, xlabel=None,
                      ylabel=None, title=None, figsize=None):
    """One small plot per group: its data and three lines, for a varying-slopes fit.

    Like :func:`plot_group_panel`, with the no-pooling line of a varying-slopes
    model: each group's **own** least-squares line (its own intercept *and* slope).

    * **complete pooling** (dashed grey): one line fitted to all rows;
    * **no pooling** (orange): the group's own least-squares line;
    * **partial pooling** (blue): the fit's line for the group (``fit.group_coefs``).

    Parameters
    ----------
    data : pandas.DataFrame
        The rows the model was fitted to.
    fit : MixedModelResult
        From :func:`fit_varying_slopes`.
    groups : sequence of labels, optional
        The groups to draw, in this order (default: all, in the fit's order).
    ncols : int
        Columns of the grid (default 6).
    xlabel, ylabel : str, optional
        Axis labels (default: the column names); say the units.
    title : str, optional
        Title of the whole figure.
    figsize : (float, float), optional
        Size of the new figure in inches (default: 2 inches per panel).

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        One per group, each with ``ax.hiertools_artists`` (``"points"`` and the three
        lines keyed ``"complete pooling"``, ``"no pooling"``, ``"partial pooling"``).

    See Also
    --------
    plot_group_panel : the same for varying intercepts (common no-pooling slope).
    plot_slopes_shrinkage : the same lines as points in the intercept-slope plane.

    Examples
    --------
    >>> import hiertools as ht
    >>> sleep = ht.load("sleepstudy")
    >>> fit = ht.fit_varying_slopes(sleep, "reaction", "days", "subject")
    >>> axes = ht.plot_slopes_panel(sleep, fit, [308, 335], ncols=2)
    >>> axes[1].get_title()
    '335 (n=10)'
    """
    fit = _check_fit(fit)
    if len(fit.varying) != 2:
        raise ValueError("fit must be a varying-slopes fit (from ht.fit_varying_slopes); for "
                         "varying intercepts use ht.plot_group_panel.")
    if groups is None:
        groups = list(fit.group_sizes.index)
    if isinstance(ncols, bool) or not isinstance(ncols, int | np.integer) or ncols < 1:
        raise ValueError(f"ncols must be a positive whole number, got {ncols!r}.")
    slope = fit.varying[1]
    axes = plot_group_panel(data, fit, groups, x=slope, jitter=0.0, ncols=ncols,
                             xlabel=xlabel, ylabel=ylabel, title=title)
    stats = regression.slope_stats(data, fit.y, slope, fit.group)
    own = pd.DataFrame(regression.own_lines(stats), index=stats.labels)
    for ax, label in zip(axes, groups):
        line = ax.hiertools_artists["no pooling"]
        if np.isnan(own.loc[label]).any():
            line.set_visible(False)
            continue
        ends = np.asarray(line.get_xdata(), dtype=float)
        line.set_ydata(own.loc[label, 0] + own.loc[label, 1] * ends)
    xs = data[slope].to_numpy(dtype=float)
    pad = 0.04 * (xs.max() - xs.min()) if xs.max() > xs.min() else 0.5
    axes[0].set_xlim(xs.min() - pad, xs.max() + pad)
    if np.array_equal(xs, np.round(xs)):  # whole numbers (days, doses): whole-number ticks
        from matplotlib.ticker import MaxNLocator

        axes[0].xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    fig = axes[0].figure
    if figsize is not None:
        fig.set_size_inches(*figsize)
    elif len(groups) > 1:
        nrows = -(-len(groups) // ncols)
        fig.set_size_inches(2.0 * min(ncols, len(groups)) + 0.6, 1.9 * nrows + 1.0)
    return axes
