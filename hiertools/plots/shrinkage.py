"""The shrinkage figure: an arrow per group from its raw to its partially pooled estimate."""

from __future__ import annotations

from functools import cache

import numpy as np

from .._validation import (
    check_array,
    check_bool,
    check_consistent_length,
    check_labels,
    check_option,
    check_scalar,
    common_index,
)
from ._common import COLORS, _marker_sizes, _new_axes, _plain_log_axis

__all__ = ["plot_shrinkage", "update_shrinkage"]

#: Area (points²) of an arrowhead.
_HEAD_SIZE = 110.0


def _arrow_segments(n, start, end):
    return [np.array([[x, a], [x, b]]) for x, a, b in zip(n, start, end)]


@cache
def _head_shapes():
    """Marker paths for the arrowheads: tip at the origin, pointing up or down; a dot for 0.

    The tip sits on the partially pooled estimate, so the head ends the arrow there.
    """
    from matplotlib.markers import MarkerStyle
    from matplotlib.path import Path

    def marker_path(marker):
        style = MarkerStyle(marker)
        return style.get_path().transformed(style.get_transform())

    up = marker_path(Path([(0.0, 0.0), (-0.45, -1.0), (0.45, -1.0), (0.0, 0.0)], closed=True))
    down = marker_path(Path([(0.0, 0.0), (-0.45, 1.0), (0.45, 1.0), (0.0, 0.0)], closed=True))
    return up, down, marker_path("o")


def _head_paths(start, end) -> list:
    """One arrowhead path per group: up if the estimate moved up, down if down, else a dot."""
    up, down, dot = _head_shapes()
    moved = np.sign(np.asarray(end, dtype=float) - np.asarray(start, dtype=float))
    return [up if m > 0 else down if m < 0 else dot for m in moved]


def plot_shrinkage(raw, pooled, n, *, mu=None, truth=None, labels=None, ax=None, logx=True,
                   ylabel="estimate", title=None, legend="inside"):
    """Shrinkage figure: an arrow per group from its raw to its partially pooled estimate.

    Groups are placed by size on the x axis.  Open circles mark the raw
    (no-pooling) estimates, their area proportional to group size; each arrow
    runs from there to the partially pooled estimate, where its head points the
    way the estimate moved (a dot if it did not move).  How *far* a group moves
    is :math:`(1 - w_j)\\,|\\bar y_j - \\hat\\mu|`: the fraction :math:`1 - w_j` is
    largest for small groups, the distance also depends on how far the raw
    estimate lies from :math:`\\hat\\mu`.

    Parameters
    ----------
    raw, pooled : array_like
        Raw and partially pooled estimates, one per group.
    n : array_like
        Group sizes (x axis, and marker size).
    mu : float, optional
        The value shrunk toward; drawn as a dashed horizontal line.
    truth : array_like, optional
        True group values (for simulated data), drawn as small green crosses.
    labels : sequence of str, optional
        Group labels, written beside the raw estimates (for a dozen groups or so).
    ax : matplotlib.axes.Axes, optional
    logx : bool
        Log-scale the group-size axis (default True).
    ylabel : str
        Label of the estimate axis; say the units.
    title : str, optional
    legend : {"inside", "outside", None}
        Where the legend goes: the best place inside the axes (default), to the
        right of the axes, where it can never cover data, or nowhere (for a caller
        that draws its own).

    Returns
    -------
    matplotlib.axes.Axes
        With ``ax.hiertools_artists`` holding the arrows (a LineCollection), the
        heads and the raw circles (scatters), and `truth` and `mu` if given, for
        in-place updates with ``hiertools.plots.shrinkage.update_shrinkage``.

    Raises
    ------
    TypeError, ValueError
        If an argument is not numeric, holds NaN, or not one value per group.

    See Also
    --------
    shrink : computes the partially pooled estimates.
    plot_funnel : the raw estimates against group size, with control limits.
    plot_estimates_by_size : the same estimates in two panels, with standard errors;
        better when many groups share a size.

    Examples
    --------
    >>> import hiertools as ht
    >>> d = ht.simulate_districts()
    >>> pooled = ht.shrink(d["raw"], d["n"], tau=1.0, sigma=3.0)
    >>> ax = ht.plot_shrinkage(d["raw"], pooled, d["n"], labels=d["district"])
    >>> len(ax.hiertools_artists["arrows"].get_segments())
    12
    """
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    common_index(raw=raw, pooled=pooled, n=n, truth=truth)
    raw = check_array(raw, "raw")
    pooled = check_array(pooled, "pooled")
    n = check_array(n, "n", positive=True)
    truth = None if truth is None else check_array(truth, "truth")
    check_consistent_length(raw=raw, pooled=pooled, n=n, truth=truth)
    mu = None if mu is None else check_scalar(mu, "mu")
    logx = check_bool(logx, "logx")
    if legend is not None:
        legend = check_option(legend, "legend", ["inside", "outside"])
    if labels is not None:
        labels = check_labels(labels, "labels", raw.size)
    ax = _new_axes(ax, (7, 4))

    partial = COLORS["partial pooling"]
    sizes = _marker_sizes(n)
    arrows = LineCollection(_arrow_segments(n, raw, pooled), colors=partial, linewidths=1.2,
                            alpha=0.8, zorder=2)
    ax.add_collection(arrows)
    raw_points = ax.scatter(n, raw, s=sizes, facecolors="none", edgecolors=COLORS["no pooling"],
                            linewidths=1.3, zorder=3, label="raw estimate (no pooling)")
    heads = ax.scatter(n, pooled, s=_HEAD_SIZE, marker="o", color=partial, linewidths=0,
                       zorder=4, label="partially pooled estimate")
    heads.set_paths(_head_paths(raw, pooled))
    artists = {"arrows": arrows, "heads": heads, "raw": raw_points}
    handles = [Line2D([], [], marker="o", markersize=7, linestyle="", markerfacecolor="none",
                      markeredgecolor=COLORS["no pooling"], markeredgewidth=1.3,
                      label="raw estimate (no pooling)"),
               Line2D([], [], marker="^", markersize=6, color=partial,
                      label="partially pooled estimate")]
    if truth is not None:
        artists["truth"] = ax.scatter(n, truth, s=25, marker="x", color=COLORS["truth"],
                                      zorder=5, label="truth")
        handles.append(artists["truth"])
    if mu is not None:
        artists["mu"] = ax.axhline(mu, color=COLORS["complete pooling"], linestyle="--",
                                   linewidth=1, zorder=1, label="value shrunk toward (μ)")
        handles.append(artists["mu"])
    if labels is not None:
        ax.hiertools_labels = [
            ax.annotate(label, (x, y), xytext=(np.sqrt(s) / 2 + 3, 0), textcoords="offset points",
                        fontsize="x-small", va="center", color="0.25", zorder=6)
            for label, x, y, s in zip(labels, n, raw, sizes)]
    if logx:
        _plain_log_axis(ax.xaxis)
    ax.set_xlabel("group size $n_j$" + (" (log scale)" if logx else ""))
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if legend == "inside":
        ax.legend(handles=handles, loc="best", fontsize="small", frameon=False)
    elif legend == "outside":
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                  fontsize="small", frameon=False, borderaxespad=0.0)
    ax.grid(alpha=0.3)
    ax.hiertools_artists = artists
    ax.hiertools_legend_handles = handles  # for a legend placed by the caller (the explorers)
    ax.hiertools_size_reference = float(n.max())
    return ax


def update_shrinkage(ax, raw, pooled, n, mu=None) -> None:
    """Move the artists of a :func:`plot_shrinkage` Axes in place (used by the widgets).

    The explorers' hot path: it takes the clean float arrays the explorer already
    checked and checks nothing itself.
    """
    artists = ax.hiertools_artists
    artists["arrows"].set_segments(_arrow_segments(n, raw, pooled))
    artists["heads"].set_offsets(np.column_stack([n, pooled]))
    artists["heads"].set_paths(_head_paths(raw, pooled))
    artists["raw"].set_offsets(np.column_stack([n, raw]))
    artists["raw"].set_sizes(_marker_sizes(n, ax.hiertools_size_reference))
    if "truth" in artists:
        truth = artists["truth"].get_offsets()[:, 1]
        artists["truth"].set_offsets(np.column_stack([n, truth]))
    if mu is not None and "mu" in artists:
        artists["mu"].set_ydata([mu, mu])
