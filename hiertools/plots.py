"""Figures of the course.

Every ``plot_*`` function takes data (or a fitted result), draws on ``ax`` if one
is given or on a new Axes otherwise, and returns the Axes.  None calls
``plt.show()``: the notebook decides when to show.  Computation happens in the
estimators; these functions only draw.  The artists a widget needs to move are
kept on the Axes (``ax.hiertools_artists``) so the widget can update them in
place instead of redrawing from scratch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ._validation import as_float_array, check_same_length

__all__ = ["plot_shrinkage", "plot_funnel", "plot_pooling"]

# One palette for the whole course (colour-blind safe, Okabe & Ito).
COLORS = {
    "no pooling": "#D55E00",
    "partial pooling": "#0072B2",
    "complete pooling": "#555555",
    "truth": "#009E73",
    "highlight": "#CC79A7",
}


def _new_axes(ax, figsize):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _marker_sizes(n, smallest=12.0, largest=220.0):
    n = np.asarray(n, dtype=float)
    if n.max() == n.min():
        return np.full(n.shape, (smallest + largest) / 2)
    return smallest + (largest - smallest) * (n - n.min()) / (n.max() - n.min())


def _plain_log_axis(axis) -> None:
    """Log scale with ticks at 1, 2, 5, 10, 20, ... written as plain numbers."""
    from matplotlib.ticker import LogLocator, NullFormatter, StrMethodFormatter

    axis.axes.set_xscale("log") if axis.axis_name == "x" else axis.axes.set_yscale("log")
    axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(StrMethodFormatter("{x:g}"))
    axis.set_minor_formatter(NullFormatter())


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

    raw = as_float_array(raw, "raw")
    pooled = as_float_array(pooled, "pooled")
    n = as_float_array(n, "n", positive=True)
    check_same_length(raw=raw, pooled=pooled, n=n)
    ax = _new_axes(ax, (7, 4))

    partial = COLORS["partial pooling"]
    sizes = _marker_sizes(n)
    arrows = LineCollection(_arrow_segments(n, raw, pooled), colors=partial, linewidths=1.2,
                            alpha=0.8, zorder=2)
    ax.add_collection(arrows)
    ax.scatter(n, raw, s=sizes, facecolors="none", edgecolors=COLORS["no pooling"],
               linewidths=1.3, zorder=3, label="raw estimate (no pooling)")
    heads = ax.scatter(n, pooled, s=18, marker="o", color=partial, zorder=4,
                       label="partially pooled estimate")
    artists = {"arrows": arrows, "heads": heads}
    if truth is not None:
        truth = as_float_array(truth, "truth")
        check_same_length(raw=raw, truth=truth)
        ax.scatter(n, truth, s=25, marker="x", color=COLORS["truth"], zorder=5, label="truth")
    if mu is not None:
        artists["mu"] = ax.axhline(float(mu), color=COLORS["complete pooling"], linestyle="--",
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
    return ax


def update_shrinkage(ax, raw, pooled, n, mu=None) -> None:
    """Move the arrows of a :func:`plot_shrinkage` Axes in place (used by the widgets)."""
    artists = ax.hiertools_artists
    artists["arrows"].set_segments(_arrow_segments(n, raw, pooled))
    artists["heads"].set_offsets(np.column_stack([n, pooled]))
    if mu is not None and "mu" in artists:
        artists["mu"].set_ydata([mu, mu])


def plot_funnel(estimates, n, *, sigma, center=None, levels=(0.95, 0.998), labels=None,
                n_labels=3, ax=None, ylabel="raw estimate", title=None):
    """Funnel plot: raw group estimates against group size, with control limits.

    If all groups had the same true value ``center``, a group of size *n* would
    fall inside :math:`\\text{center} \\pm z\\,\\sigma/\\sqrt{n}` with the given
    probability.  The limits narrow as *n* grows, so the most extreme raw
    estimates (highest *and* lowest) are expected among the smallest groups.

    Parameters
    ----------
    estimates : array_like
        Raw (no-pooling) estimate per group.
    n : array_like
        Group sizes.
    sigma : float
        Standard deviation of one observation (for a proportion near p,
        use ``sigma = sqrt(p * (1 - p))``).
    center : float, optional
        Centre line; default: the n-weighted mean of the estimates.
    levels : tuple of float
        Coverage probabilities of the limits drawn.
    labels : array_like, optional
        Group labels; the ``n_labels`` highest and lowest estimates are annotated.
    n_labels : int
    ax : matplotlib.axes.Axes, optional
    ylabel, title : str

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import hiertools as ht
    >>> d = ht.simulate_districts(300, seed=7)
    >>> ax = ht.plot_funnel(d["raw"], d["n"], sigma=3.0)
    >>> ax.get_xlabel()
    'group size $n_j$'
    """
    est = as_float_array(estimates, "estimates")
    n = as_float_array(n, "n", positive=True)
    check_same_length(estimates=est, n=n)
    sigma = float(as_float_array(sigma, "sigma", allow_scalar=True, positive=True))
    center = float(np.average(est, weights=n)) if center is None else float(center)
    ax = _new_axes(ax, (7, 4))

    grid = np.linspace(n.min(), n.max(), 200)
    ax.axhline(center, color=COLORS["complete pooling"], linewidth=1, label="overall mean")
    for level, style in zip(sorted(levels), ["--", ":", "-."]):
        z = stats.norm.ppf(0.5 + level / 2)
        half = z * sigma / np.sqrt(grid)
        ax.plot(grid, center + half, color="0.4", linestyle=style, linewidth=1,
                label=f"{100 * level:g}% limits if all groups were equal")
        ax.plot(grid, center - half, color="0.4", linestyle=style, linewidth=1)
    ax.scatter(n, est, s=14, color=COLORS["no pooling"], alpha=0.7, zorder=3,
               label="raw estimate")
    if labels is not None and n_labels > 0:
        labels = np.asarray(labels)
        check_same_length(estimates=est, labels=labels)
        order = np.argsort(est)
        # label the most extreme groups, fanned out so that neighbours do not overlap
        for direction, picks in ((-1, order[:n_labels]), (1, order[::-1][:n_labels])):
            for k, i in enumerate(picks):
                ax.annotate(f"{labels[i]} (n={n[i]:.0f})", (n[i], est[i]),
                            xytext=(18 + 70 * k, direction * (10 + 10 * k)),
                            textcoords="offset points", fontsize="x-small",
                            va="center", arrowprops={"arrowstyle": "-", "color": "0.5",
                                                     "linewidth": 0.6})
    ax.set_xlabel("group size $n_j$")
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right", fontsize="small", frameon=False)
    ax.grid(alpha=0.3)
    return ax


def plot_pooling(estimates: pd.DataFrame, n=None, *, truth=None, ax=None, xlabel="estimate",
                 title=None):
    """Dot plot of several estimators side by side, one row per group.

    Parameters
    ----------
    estimates : pandas.DataFrame
        One row per group, one column per estimator (e.g. ``"no pooling"``,
        ``"partial pooling"``, ``"complete pooling"``); the row labels name the groups.
    n : array_like, optional
        Group sizes; rows are then sorted by size and labelled with it.
    truth : array_like, optional
        True values (simulated data), drawn as green crosses.
    ax : matplotlib.axes.Axes, optional
    xlabel, title : str

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd, hiertools as ht
    >>> est = pd.DataFrame({"no pooling": [1.0, 3.0], "complete pooling": [2.0, 2.0]},
    ...                    index=["a", "b"])
    >>> ax = ht.plot_pooling(est, n=[5, 50])
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['a (n=5)', 'b (n=50)']
    """
    if not isinstance(estimates, pd.DataFrame):
        raise TypeError("estimates must be a DataFrame with one column per estimator, "
                        f"got {type(estimates).__name__}.")
    for column in estimates.columns:
        as_float_array(estimates[column], f"estimates[{column!r}]")
    labels = [str(i) for i in estimates.index]
    order = np.arange(len(estimates))
    if n is not None:
        n = as_float_array(n, "n", positive=True)
        check_same_length(estimates=estimates.to_numpy(), n=n)
        order = np.argsort(n, kind="stable")
        labels = [f"{labels[i]} (n={n[i]:.0f})" for i in range(len(labels))]
    ax = _new_axes(ax, (6.5, 0.32 * len(estimates) + 1.2))
    rows = np.arange(len(estimates))
    markers = {"no pooling": "o", "partial pooling": "D", "complete pooling": "|"}
    for column in estimates.columns:
        values = estimates[column].to_numpy(dtype=float)[order]
        ax.scatter(values, rows, marker=markers.get(column, "s"), s=40,
                   color=COLORS.get(column), label=column, zorder=3)
    if truth is not None:
        truth = as_float_array(truth, "truth")
        ax.scatter(truth[order], rows, marker="x", s=30, color=COLORS["truth"], label="truth",
                   zorder=4)
    ax.set_yticks(rows, [labels[i] for i in order])
    ax.set_xlabel(xlabel)
    ax.set_ylabel("group" + (" (sorted by size)" if n is not None else ""))
    if title:
        ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 - 1.2 / (len(rows) + 4)),
              ncol=4, fontsize="small", frameon=False)
    ax.grid(axis="x", alpha=0.3)
    return ax


# --- lesson 02: county panel and caterpillar plot ---------------------------------------------
# (lesson 02 plots go here)
