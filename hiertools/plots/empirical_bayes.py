"""Figures of empirical Bayes and James–Stein: sampling distributions, risk, likelihood of τ.

- :func:`plot_sampling_distributions`: several estimators' values over simulated data
  sets, one row each, with the truth, each mean, and the share of exact zeros;
- :func:`plot_bias_variance`: total squared error split into bias² and variance;
- :func:`plot_efron_morris`: three rows of points (raw, shrunk, truth) joined per group,
  in the style of Efron & Morris (1977);
- :func:`plot_risk`: a risk curve with Monte-Carlo error bars;
- :func:`plot_tau_likelihood`: the relative (restricted) likelihood of τ.

All compute nothing statistical themselves: pass them the numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import check_array, check_consistent_length, check_labels, check_scalar
from ._common import COLORS, _new_axes

__all__ = ["plot_sampling_distributions", "plot_bias_variance", "plot_efron_morris",
           "plot_risk", "plot_tau_likelihood"]

#: Colours for a series of estimators, in order (Okabe & Ito: vermillion, orange, sky blue,
#: blue, bluish green, reddish purple, yellow, black).
SERIES_COLORS = ("#D55E00", "#E69F00", "#56B4E9", "#0072B2", "#009E73", "#CC79A7", "#F0E442",
                 "#000000")
#: A light box behind labels drawn over curves and histograms, so they stay readable.
_LABEL_BOX = {"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1.0}
#: Height of the tallest bar in a figure of rows (histogram or point mass; rows are 1 apart).
_ROW_HEIGHT = 0.8


def _finish_rows(ax, xlabel: str, title) -> None:
    """Label a figure of rows (no left spine: the row names are the y axis)."""
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)


def _named_arrays(estimates, name: str) -> dict[str, np.ndarray]:
    """A dict of name -> 1-D finite array, from a dict or the columns of a DataFrame."""
    if isinstance(estimates, pd.DataFrame):
        estimates = {str(c): estimates[c] for c in estimates.columns}
    if not isinstance(estimates, dict) or not estimates:
        raise TypeError(f"{name} must be a dict (or DataFrame) of estimator name -> values, got "
                        f"{type(estimates).__name__}.")
    return {str(k): check_array(v, f"{name}[{k!r}]") for k, v in estimates.items()}


def plot_sampling_distributions(estimates, truth=None, *, ax=None, bins: int = 30,
                                value_range=None, xlabel: str = "estimate", title=None,
                                zero_text: str = "{share:.1%} exactly 0"):
    """Sampling distributions of several estimators, one row each, over simulated data sets.

    Each row is a histogram of one estimator's values, drawn as a density (the rows
    share bins and a height scale, so areas compare).  Values exactly 0 -- where an
    estimator sits on its boundary -- are a point mass, not part of the histogram: they
    are drawn as a black bar at 0, one bin wide, on the *same* density scale (height
    share / bin width), so its area is their share just as the histogram's area is the
    share of the other values.  A quarter of the data sets at 0 is a bar a quarter of
    the row's total area, not a speck.  The tallest bar of all (histogram or zero) fills
    its row.  The count or share at 0 is written in the left margin, under the row's
    name, where it covers nothing.  A black diamond marks each estimator's mean; a
    dashed green line the truth.

    Parameters
    ----------
    estimates : dict of str -> array_like, or pandas.DataFrame
        Estimator name -> its value on each simulated data set.  Rows are drawn top
        to bottom in this order.
    truth : float, optional
        The true value, drawn as a vertical line.
    ax : matplotlib.axes.Axes, optional
    bins : int
        Number of histogram bins over `value_range`.  The bar at 0 is one bin wide, so
        its height depends on the bin width (its area does not).
    value_range : (float, float), optional
        The range the bins cover (default: all values and the truth).  Give several
        panels the same range to compare them.
    xlabel : str
        Say what is estimated, and its units.
    title : str, optional
    zero_text : str
        Format of the note in the left margin of a row with values at 0: ``{share}`` (a
        fraction), ``{count}`` and ``{total}`` are filled in; "" for none.

    Returns
    -------
    matplotlib.axes.Axes
        ``ax.hiertools_rows`` maps each name to its row's baseline, mean, share of zeros,
        the bar drawn at 0 (None without zeros) and its margin note (None without one);
        ``ax.hiertools_density_scale`` is the height of one unit of density.

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> rng = np.random.default_rng(0)
    >>> x = np.maximum(0, rng.normal(0.5, 0.5, size=500))
    >>> ax = ht.plot_sampling_distributions({"truncated": x}, truth=0.5, bins=20)
    >>> row = ax.hiertools_rows["truncated"]
    >>> bool(row["zero_share"] == np.mean(x == 0))
    True
    >>> bar = row["zero_bar"]          # its area, in units of density, is the share at 0
    >>> bool(np.isclose(bar.get_height() * bar.get_width() / ax.hiertools_density_scale,
    ...                 row["zero_share"]))
    True
    """
    estimates = _named_arrays(estimates, "estimates")
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 1:
        raise TypeError(f"bins must be a whole number >= 1, got {bins!r}.")
    ax = _new_axes(ax, (7, 1.0 + 0.9 * len(estimates)))
    everything = np.concatenate(list(estimates.values()))
    low, high = float(everything.min()), float(everything.max())
    if truth is not None:
        truth = check_scalar(truth, "truth")
        low, high = min(low, truth), max(high, truth)
    if value_range is not None:
        value_range = check_array(value_range, "value_range")
        if value_range.size != 2 or not value_range[0] < value_range[1]:
            raise ValueError(f"value_range must be (low, high) with low < high, got "
                             f"{value_range.tolist()}.")
        low, high = float(value_range[0]), float(value_range[1])
    if high == low:
        high = low + 1.0
    edges = np.linspace(low, high, int(bins) + 1)
    width = edges[1] - edges[0]
    densities, zero_densities = {}, {}
    for name, values in estimates.items():
        counts, _ = np.histogram(values[values != 0], bins=edges)
        densities[name] = counts / (values.size * width)
        zero_densities[name] = np.sum(values == 0) / (values.size * width)
    tallest = max(max(d.max() for d in densities.values()), max(zero_densities.values()))
    scale = _ROW_HEIGHT / max(tallest, 1e-300)
    rows = {}
    for i, (name, values) in enumerate(estimates.items()):
        base = len(estimates) - 1 - i
        color = SERIES_COLORS[i % len(SERIES_COLORS)]
        ax.stairs(base + scale * densities[name], edges, baseline=base, fill=True, color=color,
                  alpha=0.35, linewidth=0)
        ax.stairs(base + scale * densities[name], edges, baseline=base, color=color,
                  linewidth=1.2)
        count = int(np.sum(values == 0))
        share = count / values.size
        zero_bar = note = None
        if count:
            zero_bar = ax.bar(0.0, scale * zero_densities[name], width=width, bottom=base,
                              color="black", zorder=4,
                              label="exactly 0 (bar area = share)" if
                              "exactly 0 (bar area = share)" not in
                              ax.get_legend_handles_labels()[1] else None).patches[0]
            if zero_text:
                # in the left margin, under the row's name (a y tick label at base + 0.3)
                note = ax.annotate(zero_text.format(share=share, count=count, total=values.size),
                                   (0.0, base + 0.02), xycoords=("axes fraction", "data"),
                                   xytext=(-6, 0), textcoords="offset points", va="bottom",
                                   ha="right", fontsize="small", annotation_clip=False)
        mean = float(values.mean())
        ax.plot([mean], [base], marker="D", color="black", markersize=6, zorder=5,
                clip_on=False, label="mean" if i == 0 else None)
        rows[name] = {"base": base, "mean": mean, "zero_share": share, "zero_bar": zero_bar,
                      "zero_note": note}
    if truth is not None:
        ax.axvline(truth, color=COLORS["truth"], linestyle="--", linewidth=1.5, zorder=3,
                   label="truth")
    ax.set_yticks([rows[name]["base"] + 0.3 for name in estimates], list(estimates))
    ax.set_ylim(-0.12, len(estimates) - 0.1)
    ax.set_xlim(low - width, high + width)
    _finish_rows(ax, xlabel, title)
    ax.hiertools_rows = rows
    ax.hiertools_density_scale = scale
    return ax


def plot_bias_variance(bias_squared, variance, labels, *, ax=None,
                       xlabel: str = "total squared error", title=None):
    """Total squared error of several estimators as stacked bars: bias² plus variance.

    Parameters
    ----------
    bias_squared, variance : array_like
        Per estimator, the summed squared bias and the summed variance (≥ 0).
    labels : list of str
        Estimator names, drawn top to bottom.
    ax : matplotlib.axes.Axes, optional
    xlabel : str
        Say the units (squared units of the estimate).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        With the total written at the end of each bar.

    Examples
    --------
    >>> import hiertools as ht
    >>> ax = ht.plot_bias_variance([0.0, 1.0], [6.0, 2.0], ["raw", "shrunk"])
    >>> [t.get_text() for t in ax.texts]
    ['6.00', '3.00']
    """
    bias_squared = check_array(bias_squared, "bias_squared", nonnegative=True)
    variance = check_array(variance, "variance", nonnegative=True)
    check_consistent_length(bias_squared=bias_squared, variance=variance)
    labels = check_labels(labels, "labels", bias_squared.size)
    ax = _new_axes(ax, (7, 1.0 + 0.55 * len(labels)))
    rows = np.arange(len(labels))[::-1]
    ax.barh(rows, bias_squared, color=COLORS["highlight"], height=0.6, label="bias²")
    ax.barh(rows, variance, left=bias_squared, color=COLORS["partial pooling"], alpha=0.75,
            height=0.6, label="variance")
    total = bias_squared + variance
    for row, value in zip(rows, total):
        ax.annotate(f"{value:.2f}", (value, row), xytext=(4, 0), textcoords="offset points",
                    va="center", fontsize="small")
    ax.set_yticks(rows, labels)
    ax.set_xlim(0, 1.12 * total.max())
    ax.set_xlabel(xlabel)
    if title:
        ax.set_title(title)
    ax.legend(loc="lower right", frameon=False, fontsize="small")
    ax.grid(axis="x", alpha=0.3)
    return ax


def plot_efron_morris(raw, shrunk, truth, *, labels=None, highlight=(), center=None,
                      row_labels=("raw estimate", "shrunk estimate", "truth"), ax=None,
                      xlabel: str = "estimate", title=None):
    """Three rows of points -- raw, shrunk, truth -- joined by a line per group.

    The figure Efron & Morris (1977) drew for the 1970 batting averages: the top row
    is spread out, the middle row is pulled together, and the bottom row shows
    where the groups really were.  A group whose line bends back between the middle
    and bottom rows was helped by shrinking; one whose shrunk point lies farther
    from its truth than its raw point was hurt.

    Parameters
    ----------
    raw, shrunk, truth : array_like
        One value per group.
    labels : list of str, optional
        Group labels (needed to name highlighted groups).
    highlight : iterable of str
        Labels of groups to draw in the highlight colour and name beside the bottom row.
    center : float, optional
        The value shrunk toward, drawn as a dotted vertical line.
    row_labels : three str
        Names of the rows, top to bottom.
    ax : matplotlib.axes.Axes, optional
    xlabel : str
        What the values are, and their units.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    References
    ----------
    Efron, B. and Morris, C. (1977). Stein's paradox in statistics. *Scientific
    American* 236(5), 119–127.

    Examples
    --------
    >>> import hiertools as ht
    >>> ax = ht.plot_efron_morris([0.1, 0.5], [0.2, 0.4], [0.25, 0.3], labels=["a", "b"],
    ...                           highlight=["b"])
    >>> [t.get_text() for t in ax.texts]
    ['b']
    """
    raw = check_array(raw, "raw")
    shrunk = check_array(shrunk, "shrunk")
    truth = check_array(truth, "truth")
    check_consistent_length(raw=raw, shrunk=shrunk, truth=truth)
    row_labels = check_labels(row_labels, "row_labels", 3)
    if highlight is None:
        highlight = ()
    if isinstance(highlight, str | bytes | dict) or not hasattr(highlight, "__iter__"):
        raise TypeError(f"highlight must be a list of group labels (e.g. ['b']), got "
                        f"{highlight!r}.")
    highlight = [str(h) for h in highlight]
    if labels is not None:
        labels = check_labels(labels, "labels", raw.size)
        unknown = [h for h in highlight if h not in labels]
        if unknown:
            raise ValueError(f"highlight has label(s) not in labels: {unknown}.")
    elif highlight:
        raise ValueError("highlight needs labels= to know which group is which.")
    ax = _new_axes(ax, (8, 4))
    heights = np.array([2.0, 1.0, 0.0])
    marked = set(highlight)
    for j in range(raw.size):
        special = labels is not None and labels[j] in marked
        ax.plot([raw[j], shrunk[j], truth[j]], heights,
                color=COLORS["highlight"] if special else "#9a9a9a",
                linewidth=2.2 if special else 0.9, zorder=3 if special else 1)
    # names of highlighted groups under the bottom row, alternately lower so neighbours
    # do not overlap
    named = sorted((truth[j], labels[j]) for j in range(raw.size)
                   if labels is not None and labels[j] in marked)
    for k, (x, name) in enumerate(named):
        ax.annotate(name, (x, 0.0), xytext=(0, -8 - 11 * (k % 2)), textcoords="offset points",
                    ha="center", va="top", fontsize="small", color=COLORS["highlight"])
    for values, height, color, label in zip(
            (raw, shrunk, truth), heights,
            (COLORS["no pooling"], COLORS["partial pooling"], COLORS["truth"]), row_labels):
        ax.scatter(values, np.full(values.size, height), s=30, color=color, zorder=4,
                   edgecolors="white", linewidths=0.5, label=label)
    if center is not None:
        ax.axvline(check_scalar(center, "center"),
                   color=COLORS["complete pooling"], linestyle=":", linewidth=1, zorder=0,
                   label="value shrunk toward")
    ax.set_yticks(heights, row_labels)
    ax.set_ylim(-0.7, 2.35)
    _finish_rows(ax, xlabel, title)
    return ax


def plot_risk(distance, risk, mcse=None, *, label=None, reference=None, color=None, ax=None,
              xlabel: str = "distance of the truth from the target", ylabel: str = "risk"):
    """A risk curve (expected loss against a feature of the truth) with ±2 MC standard errors.

    Call it once per estimator or setting on the same Axes.

    Parameters
    ----------
    distance : array_like
        x values (e.g. :math:`\\lVert\\theta-\\bar\\theta\\rVert^2/\\sigma^2`).
    risk : array_like
        Simulated risk at each x.
    mcse : array_like, optional
        Monte-Carlo standard errors of `risk`; drawn as error bars of ±2 MCSE.
    label : str, optional
        Legend entry.
    reference : float, optional
        A horizontal line (e.g. the risk of the raw estimates), drawn once per Axes.
    color : str, optional
        Default: the next of the course's series colours on this Axes.
    ax : matplotlib.axes.Axes, optional
    xlabel, ylabel : str

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import hiertools as ht
    >>> ax = ht.plot_risk([0, 1, 2], [0.3, 0.5, 0.6], [0.01, 0.01, 0.01], reference=1.0)
    >>> ax.lines[-1].get_ydata()[0]
    1.0
    """
    distance = check_array(distance, "distance")
    risk = check_array(risk, "risk", nonnegative=True)
    check_consistent_length(distance=distance, risk=risk)
    if mcse is not None:
        mcse = check_array(mcse, "mcse", nonnegative=True)
        check_consistent_length(distance=distance, mcse=mcse)
    ax = _new_axes(ax, (7, 4))
    curves = getattr(ax, "hiertools_curves", 0)
    if color is None:  # the next of the series colours, so curves on one Axes differ
        color = SERIES_COLORS[curves % len(SERIES_COLORS)]
    ax.hiertools_curves = curves + 1
    ax.errorbar(distance, risk, yerr=None if mcse is None else 2 * mcse, marker="o",
                markersize=4, capsize=3, linewidth=1.4, color=color, label=label)
    if reference is not None and not getattr(ax, "hiertools_reference", False):
        reference = check_scalar(reference, "reference")
        ax.axhline(reference, color="black", linestyle="--", linewidth=1.0,
                   label="raw means", zorder=0)
        ax.hiertools_reference = True
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    return ax


def plot_tau_likelihood(tau, loglik, *, estimates=None, label=None, color=None, ax=None,
                        xlabel: str = "τ"):
    """The relative likelihood of τ: exp(ℓ(τ) − max ℓ), from 1 at the maximum toward 0.

    Parameters
    ----------
    tau : array_like
        A grid of τ values (increasing).
    loglik : array_like
        The (restricted) log-likelihood at each, e.g. from :func:`hiertools.tau_loglik`.
    estimates : dict of str -> float, optional
        Values of τ to mark on the curve, labelled (e.g. different estimates).
    label : str, optional
        Legend entry of the curve.
    color : str, optional
    ax : matplotlib.axes.Axes, optional
    xlabel : str
        Say the units of τ.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> grid = np.linspace(0, 3, 31)
    >>> ax = ht.plot_tau_likelihood(grid, -(grid - 1.0) ** 2, estimates={"τ̂": 1.0})
    >>> float(ax.lines[0].get_ydata().max())
    1.0
    """
    tau = check_array(tau, "tau", nonnegative=True)
    loglik = check_array(loglik, "loglik")
    check_consistent_length(tau=tau, loglik=loglik)
    if np.any(np.diff(tau) <= 0):
        raise ValueError("tau must be an increasing grid of values (e.g. np.linspace(0, 30, "
                         "301)), with loglik in the same order.")
    ax = _new_axes(ax, (7, 3.5))
    relative = np.exp(loglik - loglik.max())
    color = color or COLORS["partial pooling"]
    ax.plot(tau, relative, color=color, linewidth=2, label=label)
    for name, value in (estimates or {}).items():
        value = float(check_array(value, f"estimates[{name!r}]", allow_scalar=True))
        height = float(np.interp(value, tau, relative))
        ax.plot([value], [height], marker="o", markersize=7, color=color,
                markeredgecolor="black", zorder=4, clip_on=False)
        high = height > 0.9  # near the top: write the label below the point
        ax.annotate(f"{name} = {value:.1f}", (value, height), xytext=(10, -10 if high else 4),
                    textcoords="offset points", fontsize="small", va="top" if high else "bottom",
                    bbox=_LABEL_BOX)
    ax.set_xlim(float(tau.min()), float(tau.max()))
    ax.set_ylim(0, 1.05)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("relative likelihood")
    ax.grid(alpha=0.3)
    return ax
