"""The shrinkage figure: an arrow per group from its raw to its partially pooled estimate."""

from __future__ import annotations

import numpy as np

from .._validation import (check_array, check_bool, check_consistent_length, check_scalar,
                           common_index)
from ._common import COLORS, _marker_sizes, _new_axes, _plain_log_axis

__all__ = ["plot_shrinkage"]


def _arrow_segments(n, start, end):
    return [np.array([[x, a], [x, b]]) for x, a, b in zip(n, start, end)]


def plot_shrinkage(raw, pooled, n, *, mu=None, truth=None, ax=None, logx=True,
                   ylabel="estimate", title=None):
    """Shrinkage figure: an arrow per group from its raw to its partially pooled estimate.

    Groups are placed by size on the x axis, so the picture shows at a glance that
    the small groups travel farthest.  Open circles mark the raw (no-pooling)
    estimates, their area proportional to group size; arrow heads end at the
    partially pooled estimates.

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
    ax : matplotlib.axes.Axes, optional
    logx : bool
        Log-scale the group-size axis (default True).
    ylabel : str
        Label of the estimate axis; say the units.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        With ``ax.hiertools_artists`` holding the arrows (a LineCollection and a
        scatter of heads) for in-place updates.

    Raises
    ------
    TypeError, ValueError
        If an argument is not numeric, holds NaN, or not one value per group.

    See Also
    --------
    shrink : computes the partially pooled estimates.
    plot_funnel : the raw estimates against group size, with control limits.

    Examples
    --------
    >>> import hiertools as ht
    >>> d = ht.simulate_districts()
    >>> pooled = ht.shrink(d["raw"], d["n"], tau=1.0, sigma=3.0)
    >>> ax = ht.plot_shrinkage(d["raw"], pooled, d["n"])
    >>> len(ax.hiertools_artists["arrows"].get_segments())
    12
    """
    from matplotlib.collections import LineCollection

    common_index(raw=raw, pooled=pooled, n=n, truth=truth)
    raw = check_array(raw, "raw")
    pooled = check_array(pooled, "pooled")
    n = check_array(n, "n", positive=True)
    truth = None if truth is None else check_array(truth, "truth")
    check_consistent_length(raw=raw, pooled=pooled, n=n, truth=truth)
    mu = None if mu is None else check_scalar(mu, "mu")
    logx = check_bool(logx, "logx")
    ax = _new_axes(ax, (7, 4))

    partial = COLORS["partial pooling"]
    sizes = _marker_sizes(n)
    arrows = LineCollection(_arrow_segments(n, raw, pooled), colors=partial, linewidths=1.2,
                            alpha=0.8, zorder=2)
    ax.add_collection(arrows)
    raw_points = ax.scatter(n, raw, s=sizes, facecolors="none", edgecolors=COLORS["no pooling"],
                            linewidths=1.3, zorder=3, label="raw estimate (no pooling)")
    heads = ax.scatter(n, pooled, s=18, marker="o", color=partial, zorder=4,
                       label="partially pooled estimate")
    artists = {"arrows": arrows, "heads": heads, "raw": raw_points}
    if truth is not None:
        artists["truth"] = ax.scatter(n, truth, s=25, marker="x", color=COLORS["truth"],
                                      zorder=5, label="truth")
    if mu is not None:
        artists["mu"] = ax.axhline(mu, color=COLORS["complete pooling"], linestyle="--",
                                   linewidth=1, zorder=1, label="value shrunk toward (μ)")
    if logx:
        _plain_log_axis(ax.xaxis)
    ax.set_xlabel("group size $n_j$" + (" (log scale)" if logx else ""))
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize="small", frameon=False)
    ax.grid(alpha=0.3)
    ax.hiertools_artists = artists
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
    artists["raw"].set_offsets(np.column_stack([n, raw]))
    artists["raw"].set_sizes(_marker_sizes(n, ax.hiertools_size_reference))
    if "truth" in artists:
        truth = artists["truth"].get_offsets()[:, 1]
        artists["truth"].set_offsets(np.column_stack([n, truth]))
    if mu is not None and "mu" in artists:
        artists["mu"].set_ydata([mu, mu])
