"""Figures of the fully Bayesian view: p(τ | y), θ given τ, MCMC traces, intervals side by side."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import check_array, check_bool, check_chains, check_option, check_scalar
from ..bayes import TauPosterior
from ._common import COLORS, _new_axes

__all__ = ["plot_tau_posterior", "plot_theta_given_tau", "plot_trace", "plot_intervals"]

#: Colours for several curves on one Axes (Okabe-Ito, after the course palette's own).
_CYCLE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
          "#882255"]


def _check_posterior(post, name="posterior"):
    if not isinstance(post, TauPosterior):
        raise TypeError(f"{name} must be a result of ht.tau_posterior, got "
                        f"{type(post).__name__}.")
    return post


def plot_tau_posterior(posterior, *, ax=None, tau_max=None, tau_min=None, mark=True,
                       xlabel="τ, between-group SD", units=None, title=None):
    """The posterior density of τ, for one prior or several (a dict of label → result).

    Parameters
    ----------
    posterior : TauPosterior or dict of str → TauPosterior
        From :func:`~hiertools.tau_posterior`.  Several are drawn as curves on one Axes,
        labelled by the dict's keys.
    ax : matplotlib.axes.Axes, optional
    tau_max : float, optional
        Right end of the x axis; default: the largest 99.5% quantile.
    tau_min : float, optional
        Draw τ on a log scale from `tau_min` to `tau_max`, and the density of log τ,
        τ·p(τ | y), so that equal areas are still equal probabilities.  Use it to see
        posteriors that pile up near 0.
    mark : bool
        For a single posterior, mark its mean (dashed) and median (dotted).
    xlabel, units : str
        Axis label and the units of τ (the units of y), appended in brackets.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import hiertools as ht
    >>> s = ht.load("eight_schools")
    >>> ax = ht.plot_tau_posterior(ht.tau_posterior(s["y"], s["se"]), units="points")
    >>> ax.get_xlabel()
    'τ, between-group SD (points)'
    """
    curves = posterior if isinstance(posterior, dict) else {"posterior": posterior}
    for label, post in curves.items():
        _check_posterior(post, f"posterior[{label!r}]")
    ax = _new_axes(ax, (7, 3.8))
    mark = check_bool(mark, "mark")
    if tau_min is not None:
        tau_min = check_scalar(tau_min, "tau_min", minimum=0, strict_min=True)
    if tau_max is None:
        tau_max = max(float(p.quantile(0.995)) for p in curves.values())
    else:
        tau_max = check_scalar(tau_max, "tau_max", minimum=tau_min or 0, strict_min=True)
    log = tau_min is not None
    for (label, post), color in zip(curves.items(), _CYCLE):
        inside = (post.tau <= tau_max * 1.02) & (post.tau >= (tau_min or 0) / 1.02)
        height = post.density * post.tau if log else post.density
        ax.plot(post.tau[inside], height[inside], color=color, lw=2,
                label=label if len(curves) > 1 else None)
    if log:
        ax.set_xscale("log")
        ax.set_xlim(tau_min, tau_max)
        ax.set_ylim(bottom=0)
        ax.set_xlabel(xlabel + (f" ({units}, log scale)" if units else " (log scale)"))
        ax.set_ylabel("posterior density of log τ, τ·p(τ | y)")
        if len(curves) > 1:
            ax.legend(frameon=False)
        if title:
            ax.set_title(title)
        return ax
    if mark and len(curves) == 1:
        post = next(iter(curves.values()))
        at = np.interp([post.tau_mean, post.tau_median], post.tau, post.density)
        ax.vlines(post.tau_mean, 0, at[0], color=COLORS["complete pooling"], ls="--",
                  label=f"mean {post.tau_mean:.2f}")
        ax.vlines(post.tau_median, 0, at[1], color=COLORS["complete pooling"], ls=":",
                  label=f"median {post.tau_median:.2f}")
    ax.set_xlim(0, tau_max)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(xlabel + (f" ({units})" if units else ""))
    ax.set_ylabel("posterior density" + (f" (per {units[:-1] if units.endswith('s') else units})"
                                         if units else ""))
    if len(curves) > 1 or mark:
        ax.legend(frameon=False)
    if title:
        ax.set_title(title)
    return ax


def plot_theta_given_tau(posterior, *, stat="mean", ax=None, tau_max=None, labels=None,
                         xlabel="τ, between-group SD", ylabel=None, units=None, title=None):
    """E(θ_j | τ, y) or sd(θ_j | τ, y) against τ, one line per group (BDA3 figures 5.6, 5.7).

    At τ = 0 every group gets the complete-pooling estimate; as τ grows each line
    heads for the group's own estimate y_j (mean) or its standard error (sd).  The
    posterior density of τ is shaded underneath, to show which τ values matter.

    Parameters
    ----------
    posterior : TauPosterior
    stat : {"mean", "sd"}
    ax : matplotlib.axes.Axes, optional
    tau_max : float, optional
        Right end of the τ axis; default: the 99% posterior quantile.
    labels : sequence of str, optional
        Group labels written at the right end of each line; default: the posterior's
        labels (its input's index) or 0, 1, ...
    xlabel, ylabel, units, title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import hiertools as ht
    >>> schools = ht.load("eight_schools")
    >>> post = ht.tau_posterior(schools["y"], schools["se"])
    >>> ax = ht.plot_theta_given_tau(post, stat="sd")
    >>> len(ax.get_lines()) >= 8
    True
    """
    post = _check_posterior(posterior)
    stat = check_option(stat, "stat", ("mean", "sd"))
    ax = _new_axes(ax, (6, 4))
    if tau_max is None:
        tau_max = float(post.quantile(0.99))
    else:
        tau_max = check_scalar(tau_max, "tau_max", minimum=0, strict_min=True)
    grid = np.linspace(0, tau_max, 300)
    mean, sd = post.conditional(grid)
    values = mean if stat == "mean" else sd
    if labels is None:
        labels = [str(c) for c in values.columns]
    colors = (_CYCLE * (len(labels) // len(_CYCLE) + 1))[: len(labels)]
    for j, color in enumerate(colors):
        ax.plot(grid, values.iloc[:, j], color=color, lw=1.6)
    _label_line_ends(ax, grid[-1], values.iloc[-1].to_numpy(), labels, colors)
    # the posterior of tau, scaled to the lower fifth of the panel
    low, high = ax.get_ylim()
    shade = np.interp(grid, post.tau, post.density)
    base = low if stat == "mean" else 0.0
    ax.fill_between(grid, base, base + 0.2 * (high - base) * shade / shade.max(),
                    color=COLORS["complete pooling"], alpha=0.15, lw=0,
                    label="p(τ | y), rescaled")
    ax.set_xlim(0, tau_max * 1.08)
    if stat == "sd":
        ax.set_ylim(bottom=0)
    ax.set_xlabel(xlabel + (f" ({units})" if units else ""))
    default = r"E($\theta_j$ | τ, y)" if stat == "mean" else r"sd($\theta_j$ | τ, y)"
    ax.set_ylabel((ylabel or default) + (f" ({units})" if units else ""))
    ax.legend(frameon=False, loc="upper left")
    if title:
        ax.set_title(title)
    return ax


def _label_line_ends(ax, x, ends, labels, colors):
    """Write each line's label at its right end; lines ending together share one label,
    and labels closer than 4% of the axis height are pushed apart."""
    low, high = ax.get_ylim()
    gap = 0.045 * (high - low)
    order = np.argsort(ends)
    groups = []  # [position, [labels], color]
    for j in order:
        if groups and abs(ends[j] - groups[-1][3]) < 1e-6 * (high - low):
            groups[-1][1].append(str(labels[j]))
            continue
        groups.append([ends[j], [str(labels[j])], colors[j], ends[j]])
    positions = [g[0] for g in groups]
    for i in range(1, len(positions)):  # push upward until no two labels collide
        positions[i] = max(positions[i], positions[i - 1] + gap)
    shift = max(0.0, positions[-1] - high + gap / 2) if positions else 0.0
    for (_, names, color, _), pos in zip(groups, positions):
        ax.annotate(", ".join(sorted(names)), (x, pos - shift), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=9, color=color)


def plot_trace(draws, column=None, *, ax=None, ylabel=None,
               xlabel="iteration (after warm-up)", title=None, log=False):
    """Trace plot: one line per chain of one parameter's draws.

    Parameters
    ----------
    draws : array_like, shape (chains, draws), or pandas.DataFrame
        One row per chain; or the DataFrame that :func:`~hiertools.sample_posterior`
        returns, with `column` naming the parameter.
    column : str, optional
        The parameter's column when `draws` is a DataFrame of draws.
    ax : matplotlib.axes.Axes, optional
    ylabel : str, optional
        Default: `column`, or ``"value"``.
    xlabel, title : str
    log : bool
        Log-scale the y axis (useful for a scale parameter such as τ near 0).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> draws = np.random.default_rng(0).normal(size=(4, 200))
    >>> ax = ht.plot_trace(draws, ylabel="mu")
    >>> len(ax.get_lines())
    4
    """
    x = check_chains(draws, "draws", column)
    log = check_bool(log, "log")
    if ylabel is None:
        ylabel = column if column is not None else "value"
    ax = _new_axes(ax, (7, 2.6))
    for chain, color in zip(x, _CYCLE * (x.shape[0] // len(_CYCLE) + 1)):
        ax.plot(np.arange(chain.size), chain, color=color, lw=0.6, alpha=0.8)
    if log:
        ax.set_yscale("log")
    ax.set_xlim(0, x.shape[1] - 1)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    return ax


def plot_intervals(intervals, *, ax=None, xlabel="estimate", reference=None, title=None):
    """Interval estimates of every group, several methods side by side.

    Parameters
    ----------
    intervals : dict of str → pandas.DataFrame
        One DataFrame per method, indexed by group, with columns ``lower``,
        ``estimate`` and ``upper``; groups are drawn top to bottom in the order of the
        first DataFrame.
    ax : matplotlib.axes.Axes, optional
    xlabel : str
        Say the units.
    reference : float, optional
        A vertical line (e.g. 0, or the complete-pooling estimate).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd, hiertools as ht
    >>> eb = pd.DataFrame({"lower": [0.0, 1.0], "estimate": [1.0, 2.0], "upper": [2.0, 3.0]},
    ...                   index=["A", "B"])
    >>> ax = ht.plot_intervals({"EB": eb, "Bayes": eb * 1.2}, xlabel="effect")
    >>> ax.get_xlabel()
    'effect'
    """
    if not isinstance(intervals, dict) or not intervals:
        raise TypeError("intervals must be a non-empty dict of label -> DataFrame with columns "
                        "lower, estimate, upper.")
    for label, frame in intervals.items():
        if not isinstance(frame, pd.DataFrame) or not {"lower", "estimate",
                                                      "upper"} <= set(frame.columns):
            raise ValueError(f"intervals[{label!r}] must be a DataFrame with columns lower, "
                             "estimate and upper.")
    groups = list(next(iter(intervals.values())).index)
    ax = _new_axes(ax, (7, 0.5 * len(groups) + 1.2))
    k = len(intervals)
    offsets = (np.arange(k) - (k - 1) / 2) * 0.22
    colors = [COLORS["no pooling"], COLORS["complete pooling"], COLORS["partial pooling"],
              COLORS["truth"], COLORS["highlight"]]
    for (label, frame), dy, color in zip(intervals.items(), offsets, colors * 2):
        frame = frame.reindex(groups)
        pos = np.arange(len(groups)) + dy
        ax.hlines(pos, check_array(frame["lower"], "lower"), check_array(frame["upper"], "upper"),
                  color=color, lw=2, label=label)
        ax.plot(frame["estimate"], pos, "o", color=color, ms=4)
    if reference is not None:
        ax.axvline(check_scalar(reference, "reference"), color="#999999", lw=0.8, ls="--",
                   zorder=0)
    ax.set_yticks(np.arange(len(groups)), [str(g) for g in groups])
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title:
        ax.set_title(title)
    return ax
