"""Figures of rates from counts: the binomial funnel, shrunk rates with intervals, rank intervals.

The computations live in :mod:`hiertools.rates` (exact funnel limits, the empirical-Bayes
fits, posterior ranks); these functions only draw them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import (
    check_array,
    check_bool,
    check_consistent_length,
    check_labels,
    check_scalar,
)
from ..rates import RateFit, funnel_limits
from ._common import COLORS, _new_axes

__all__ = ["plot_binomial_funnel", "plot_rate_intervals", "plot_rank_intervals"]

_LIMIT_STYLES = ["--", ":", "-."]


def plot_binomial_funnel(events, n, *, target=None, levels=(0.95, 0.998), phi: float = 1.0,
                         labels=None, scale: float = 1.0, ax=None,
                         xlabel="number of cases $n$", ylabel="observed proportion",
                         title=None):
    """Funnel plot of proportions with exact binomial control limits (Spiegelhalter 2005).

    Each unit's proportion :math:`r_i/n_i` is plotted against its size :math:`n_i`; the
    limits (:func:`hiertools.funnel_limits`, exact binomial quantiles with Spiegelhalter's
    interpolation) show where a unit whose true proportion is ``target`` would fall with
    probability ``level``.  Units outside the outermost limits are drawn in pink.  A
    lower limit is drawn only where it is above 0: at smaller sizes even 0 events is
    not unusually low, so no unit there can fall below it.

    Parameters
    ----------
    events, n : array_like of int
        Events and trials per unit.
    target : float, optional
        The centre line; default the pooled proportion :math:`\\sum r_i / \\sum n_i`.
    levels : tuple of float
        Coverages of the limits drawn (default 95% and 99.8%).
    phi : float
        Overdispersion factor (>= 1): the limits are widened by √φ around the target
        (Spiegelhalter 2005, §6; see :func:`hiertools.funnel_limits`).  Default 1: the
        binomial limits.
    labels : sequence, optional
        Unit labels, written next to each point (default: the index of `events` if it
        is a Series; none if it is not).
    scale : float
        Multiply proportions by this on the y axis (e.g. 100 for percentages); say
        so in `ylabel`.
    ax : matplotlib.axes.Axes, optional
    xlabel, ylabel, title : str

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import hiertools as ht
    >>> s = ht.load("surgical")
    >>> ax = ht.plot_binomial_funnel(s["deaths"], s["operations"], labels=s["hospital"])
    >>> ax.get_xlabel()
    'number of cases $n$'
    """
    r = check_array(events, "events", nonnegative=True)
    size = check_array(n, "n", positive=True)
    check_consistent_length(events=r, n=size)
    if np.any(r > size):
        raise ValueError("events cannot exceed n; check the order of the arguments (events, n).")
    if labels is None and isinstance(events, pd.Series) and not isinstance(events.index,
                                                                          pd.RangeIndex):
        labels = events.index
    if labels is not None:
        labels = check_labels(labels, "labels", r.size)
    scale = check_scalar(scale, "scale", minimum=0, strict_min=True)
    centre = "pooled" if target is None else "target"
    target = r.sum() / size.sum() if target is None else check_scalar(
        target, "target", minimum=0, maximum=1, strict_min=True, strict_max=True)
    phi = check_scalar(phi, "phi", minimum=1)
    widened = f", widened by √φ = {np.sqrt(phi):.2g}" if phi != 1 else ""
    ax = _new_axes(ax, (7.5, 4.5))

    grid = np.unique(np.round(np.geomspace(max(1.0, 0.8 * size.min()), 1.1 * size.max(), 400)))
    outer_lower = outer_upper = None
    for level, style in zip(sorted(levels), _LIMIT_STYLES):
        lower, upper = funnel_limits(grid, target, level, phi=phi)
        kwargs = {"color": "0.35", "linestyle": style, "linewidth": 1.1}
        ax.plot(grid, scale * upper, label=f"{100 * level:g}% limits{widened}", **kwargs)
        ax.plot(grid, scale * np.where(lower > 0, lower, np.nan), **kwargs)
        outer_lower, outer_upper = funnel_limits(size, target, level, phi=phi)
    ax.axhline(scale * target, color=COLORS["complete pooling"], linewidth=1,
               label=f"{centre} proportion {target:.3g}"
                     + (f" ({scale * target:.3g} per {scale:g})" if scale != 1 else ""))
    raw = r / size
    outside = (raw > outer_upper) | (raw < outer_lower)
    ax.scatter(size[~outside], scale * raw[~outside], s=36, color=COLORS["no pooling"],
               zorder=3, label="unit")
    if outside.any():
        ax.scatter(size[outside], scale * raw[outside], s=48, color=COLORS["highlight"],
                   edgecolor="black", linewidth=0.6, zorder=4,
                   label=f"outside the {100 * max(levels):g}% limits")
    ax.set_ylim(bottom=0)
    if labels is not None:
        # A label goes up and right of its point, unless a neighbour sits there (lesson 07's
        # F and I): then up and left.  Distances in points, from the limits drawn so far.
        where = ax.transData.transform(np.column_stack([size, scale * raw]))
        where = where * 72 / ax.figure.dpi
        for k, (x, y, text) in enumerate(zip(size, scale * raw, labels)):
            dx, dy = (where - where[k]).T
            crowded = np.any((dx > 0) & (dx < 22) & (dy > -6) & (dy < 16))
            ax.annotate(text, (x, y), xytext=(-5, 3) if crowded else (5, 3),
                        textcoords="offset points", ha="right" if crowded else "left",
                        fontsize="small")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.legend(loc="upper right", fontsize="small", frameon=False)
    ax.grid(alpha=0.3)
    return ax


def _row_labels(fit: RateFit) -> list[str]:
    est = fit.estimates
    if fit.model == "beta-binomial":
        return [f"{label} ({int(r)}/{int(n)})" for label, r, n in
                zip(est.index, est["events"], est["n"])]
    return [f"{label} ({int(y)} / {e:.1f})" for label, y, e in
            zip(est.index, est["observed"], est["expected"])]


def plot_rate_intervals(fit: RateFit, *, sort: bool = True, scale: float = 1.0,
                        highlight=None, ax=None, xlabel="rate", title=None):
    """Caterpillar plot of an empirical-Bayes rate fit: raw rate, shrunk rate and its interval.

    One row per unit: an open orange circle at the raw rate (no pooling), a blue
    diamond at the shrunk rate (posterior mean) with its posterior interval, and a
    dashed line at the prior mean everything is shrunk toward.

    Parameters
    ----------
    fit : RateFit
        From :func:`hiertools.fit_beta_binomial` or :func:`hiertools.fit_gamma_poisson`.
    sort : bool
        Order rows by the shrunk rate (default) rather than as in the data.
    scale : float
        Multiply rates by this on the x axis (e.g. 100 for percentages).
    highlight : sequence of labels, optional
        Units whose row labels are drawn in bold pink.
    ax : matplotlib.axes.Axes, optional
    xlabel, title : str

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import hiertools as ht
    >>> s = ht.load("surgical").set_index("hospital")
    >>> fit = ht.fit_beta_binomial(s["deaths"], s["operations"])
    >>> ax = ht.plot_rate_intervals(fit, scale=100, xlabel="deaths per 100 operations")
    >>> len(ax.get_yticks())
    12
    """
    if not isinstance(fit, RateFit):
        raise TypeError("fit must be a result of ht.fit_beta_binomial or ht.fit_gamma_poisson, "
                        f"got {type(fit).__name__}.")
    scale = check_scalar(scale, "scale", minimum=0, strict_min=True)
    sort = check_bool(sort, "sort")
    est = fit.estimates
    order = np.argsort(est["shrunk"].to_numpy(), kind="stable") if sort else np.arange(len(est))
    rows = np.arange(len(est))
    labels = np.array(_row_labels(fit), dtype=object)[order]
    ax = _new_axes(ax, (7.0, 0.3 * len(est) + 1.4))
    pick = est.iloc[order]
    ax.hlines(rows, scale * pick["lower"], scale * pick["upper"], color=COLORS["partial pooling"],
              linewidth=2, alpha=0.55, label=f"{100 * fit.level:g}% posterior interval")
    ax.scatter(scale * pick["raw"], rows, s=36, facecolor="white",
               edgecolor=COLORS["no pooling"], linewidth=1.5, zorder=3,
               label="raw rate (no pooling)")
    ax.scatter(scale * pick["shrunk"], rows, s=36, marker="D", color=COLORS["partial pooling"],
               zorder=4, label="shrunk rate (posterior mean)")
    ax.axvline(scale * fit.prior_mean, color=COLORS["complete pooling"], linestyle="--",
               linewidth=1, label="prior mean")
    ax.set_yticks(rows, labels)
    if highlight is not None:
        marked = {str(h) for h in highlight}
        for tick, label in zip(ax.get_yticklabels(), pick.index):
            if str(label) in marked:
                tick.set_color(COLORS["highlight"])
                tick.set_fontweight("bold")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("unit (events / size)" if fit.model == "beta-binomial"
                  else "unit (observed / expected)")
    right = ax.get_xlim()[1]
    ax.set_xlim(-0.02 * right, right)  # room for a raw rate of exactly 0
    if title:
        ax.set_title(title)
    ax.legend(loc="lower right", fontsize="small", frameon=True, framealpha=0.9)
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_rank_intervals(ranks: pd.DataFrame, *, ax=None, xlabel="rank (1 = highest)",
                        title=None, probability_label="P(rank 1)"):
    """Rank intervals: each unit's posterior mean rank and rank interval, with P(rank 1).

    Parameters
    ----------
    ranks : pandas.DataFrame
        The result of :func:`hiertools.rank_summary` (columns ``mean_rank``, ``lower``,
        ``upper``, ``p_first``), one row per unit.
    ax : matplotlib.axes.Axes, optional
    xlabel, title : str
    probability_label : str
        How the right-hand column of probabilities is headed (e.g. "P(worst)").

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> draws = np.random.default_rng(1).normal(size=(500, 4)) + [0, 1, 2, 3]
    >>> ax = ht.plot_rank_intervals(ht.rank_summary(draws))
    >>> ax.get_xlabel()
    'rank (1 = highest)'
    """
    if not isinstance(ranks, pd.DataFrame) or not {"mean_rank", "lower", "upper",
                                                    "p_first"} <= set(ranks.columns):
        raise TypeError("ranks must be the DataFrame returned by ht.rank_summary "
                        "(columns mean_rank, lower, upper, p_first).")
    if ranks.empty:
        raise ValueError("ranks is empty (0 units); pass the result of ht.rank_summary(draws).")
    pick = ranks.sort_values("mean_rank", ascending=False, kind="stable")
    rows = np.arange(len(pick))
    units = len(pick)
    ax = _new_axes(ax, (7.0, 0.3 * units + 1.4))
    ax.hlines(rows, pick["lower"], pick["upper"], color=COLORS["partial pooling"], linewidth=6,
              alpha=0.35, label="95% rank interval")
    ax.scatter(pick["mean_rank"], rows, color=COLORS["partial pooling"], zorder=3, s=30,
               label="posterior mean rank")
    ax.set_yticks(rows, [str(label) for label in pick.index])
    ax.set_xticks(np.arange(1, units + 1))
    ax.set_xlim(0.5, units + 0.5)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("unit")
    for row, p in zip(rows, pick["p_first"]):
        ax.annotate(f"{p:.2f}", (1.0, row), xycoords=("axes fraction", "data"),
                    xytext=(8, 0), textcoords="offset points", va="center",
                    fontsize="small")
    ax.annotate(probability_label, (1.0, 1.0), xycoords="axes fraction", xytext=(8, 4),
                textcoords="offset points", fontsize="small", fontweight="bold")
    if title:
        ax.set_title(title, loc="left")
    ax.legend(loc="lower left", fontsize="small", frameon=True, framealpha=0.9)
    ax.grid(axis="x", alpha=0.3)
    return ax
