"""Figures of lesson 01's ideas: several estimators side by side, and the funnel plot."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import (
    check_array,
    check_consistent_length,
    check_labels,
    check_scalar,
    common_index,
)
from ..pooling import normal_funnel_limits
from ._common import COLORS, _new_axes

__all__ = ["plot_funnel", "plot_pooling"]


def plot_funnel(estimates, n, *, sigma, center=None, levels=(0.95, 0.998), labels=None,
                n_labels=3, outside=None, ax=None, ylabel="raw estimate", title=None):
    """Funnel plot: raw group estimates against group size, with control limits.

    If all groups had the same true value ``center``, each group of size *n*
    would fall inside :math:`\\text{center} \\pm z\\,\\sigma/\\sqrt{n}` with the
    given probability (95% for ``level=0.95``); the limits are
    :func:`hiertools.pooling.normal_funnel_limits`.  The limits narrow as *n* grows,
    so the most extreme raw estimates (highest *and* lowest) are expected among
    the smallest groups.  When the true values do differ (τ > 0), more groups
    than ``1 - level`` fall outside, and mostly large ones: their narrow limits
    leave no room for a real difference (``outside=`` marks them).

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
    levels : sequence of float
        Coverage probabilities of the limits drawn, each between 0 and 1 (at most 3).
    labels : array_like, optional
        Group labels, one per group; the ``n_labels`` highest and lowest estimates are
        annotated.
    n_labels : int
        How many of the highest and of the lowest estimates to annotate (>= 0).
    outside : float, optional
        One of `levels`: mark the groups outside those limits (filled ring) and
        count them in the legend.
    ax : matplotlib.axes.Axes, optional
    ylabel, title : str

    Returns
    -------
    matplotlib.axes.Axes
        With ``ax.hiertools_artists["outside"]`` (the marked points) when
        `outside` is given.

    Raises
    ------
    TypeError, ValueError
        If an argument is not numeric, out of range, or not one value per group.

    See Also
    --------
    plot_shrinkage : where partial pooling moves those extreme estimates.

    Examples
    --------
    >>> import hiertools as ht
    >>> d = ht.simulate_districts(300, seed=7)
    >>> ax = ht.plot_funnel(d["raw"], d["n"], sigma=3.0, outside=0.95)
    >>> ax.get_xlabel()
    'group size $n_j$'
    >>> len(ax.hiertools_artists["outside"].get_offsets()) <= 300
    True
    """
    common_index(estimates=estimates, n=n, labels=labels)
    est = check_array(estimates, "estimates")
    n = check_array(n, "n", positive=True)
    check_consistent_length(estimates=est, n=n)
    sigma = check_scalar(sigma, "sigma", minimum=0, strict_min=True)
    center = float(np.average(est, weights=n)) if center is None else check_scalar(center,
                                                                                    "center")
    if isinstance(levels, str) or not hasattr(levels, "__iter__"):
        raise TypeError(f"levels must be a sequence of probabilities, e.g. (0.95, 0.998), "
                        f"got {levels!r}.")
    levels = sorted(check_scalar(level, "levels", minimum=0, maximum=1, strict_min=True,
                                 strict_max=True) for level in levels)
    if not 1 <= len(levels) <= 3:
        raise ValueError(f"levels has {len(levels)} entries; pass 1 to 3 probabilities, e.g. "
                         "(0.95, 0.998).")
    n_labels = check_scalar(n_labels, "n_labels", integer=True, minimum=0)
    if labels is not None:
        labels = check_labels(labels, "labels", est.size)
    if outside is not None:
        outside = check_scalar(outside, "outside", minimum=0, maximum=1, strict_min=True,
                               strict_max=True)
        if outside not in levels:
            raise ValueError(f"outside={outside!r} must be one of levels={tuple(levels)!r}, "
                             "the limits that are drawn.")
    ax = _new_axes(ax, (7, 4))

    grid = np.linspace(n.min(), n.max(), 200)
    ax.axhline(center, color=COLORS["complete pooling"], linewidth=1, label="overall mean")
    for level, style in zip(levels, ["--", ":", "-."]):
        lower, upper = normal_funnel_limits(grid, sigma, center, level)
        ax.plot(grid, upper, color="0.4", linestyle=style, linewidth=1,
                label=f"{100 * level:g}% limits if all groups had the same value")
        ax.plot(grid, lower, color="0.4", linestyle=style, linewidth=1)
    ax.scatter(n, est, s=14, color=COLORS["no pooling"], alpha=0.7, zorder=3,
               label="raw estimate")
    if outside is not None:
        lower, upper = normal_funnel_limits(n, sigma, center, outside)
        far = (est < lower) | (est > upper)
        ax.hiertools_artists = {"outside": ax.scatter(
            n[far], est[far], s=46, facecolors="none", edgecolors=COLORS["highlight"],
            linewidths=1.4, zorder=4,
            label=f"outside the {100 * outside:g}% limits: {far.sum()} of {n.size}")}
    if labels is not None and n_labels > 0:
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
    # below the axes, where it covers no data
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, fontsize="small",
              frameon=False)
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
        Group sizes, one per row (paired by position); rows are then sorted by size and
        labelled with it.
    truth : array_like, optional
        True values (simulated data), one per row, drawn as green crosses.
    ax : matplotlib.axes.Axes, optional
    xlabel, title : str

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError
        If `estimates` is not a DataFrame or a column is not numeric.
    ValueError
        If `estimates` is empty, holds NaN, or `n` / `truth` do not have one value per row.

    See Also
    --------
    plot_shrinkage : the same estimates as arrows, placed by group size.

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
    if estimates.shape[0] == 0 or estimates.shape[1] == 0:
        raise ValueError(f"estimates is empty (shape {estimates.shape}); pass one row per "
                         "group and one column per estimator.")
    values = {column: check_array(estimates[column], f"estimates[{column!r}]")
              for column in estimates.columns}
    common_index(n=n, truth=truth)
    labels = [str(i) for i in estimates.index]
    order = np.arange(len(estimates))
    if n is not None:
        n = check_array(n, "n", positive=True)
        check_consistent_length(estimates=estimates.index, n=n)
        order = np.argsort(n, kind="stable")
        labels = [f"{labels[i]} (n={n[i]:.0f})" for i in range(len(labels))]
    if truth is not None:
        truth = check_array(truth, "truth")
        check_consistent_length(estimates=estimates.index, truth=truth)
    ax = _new_axes(ax, (6.5, 0.32 * len(estimates) + 1.2))
    rows = np.arange(len(estimates))
    markers = {"no pooling": "o", "partial pooling": "D", "complete pooling": "|"}
    for column in estimates.columns:
        ax.scatter(values[column][order], rows, marker=markers.get(column, "s"), s=40,
                   color=COLORS.get(column), label=column, zorder=3)
    if truth is not None:
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
