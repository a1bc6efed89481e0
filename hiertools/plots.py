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
from .pooling import _regression_lines

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


def _marker_sizes(n, reference=None, smallest=10.0, largest=220.0):
    """Marker areas proportional to group size; the largest group (or `reference`) gets `largest`."""
    n = np.asarray(n, dtype=float)
    reference = n.max() if reference is None else reference
    return np.clip(largest * n / reference, smallest, None)


def _plain_log_axis(axis) -> None:
    """Log scale with ticks at 1, 2, 5, 10, 20, ... written as plain numbers."""
    from matplotlib.ticker import LogLocator, NullFormatter, StrMethodFormatter

    axis.axes.set_xscale("log") if axis.axis_name == "x" else axis.axes.set_yscale("log")
    axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0), numticks=15))
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
    raw_points = ax.scatter(n, raw, s=sizes, facecolors="none", edgecolors=COLORS["no pooling"],
                            linewidths=1.3, zorder=3, label="raw estimate (no pooling)")
    heads = ax.scatter(n, pooled, s=18, marker="o", color=partial, zorder=4,
                       label="partially pooled estimate")
    artists = {"arrows": arrows, "heads": heads, "raw": raw_points}
    if truth is not None:
        truth = as_float_array(truth, "truth")
        check_same_length(raw=raw, truth=truth)
        artists["truth"] = ax.scatter(n, truth, s=25, marker="x", color=COLORS["truth"],
                                      zorder=5, label="truth")
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
    ax.hiertools_size_reference = float(n.max())
    return ax


def update_shrinkage(ax, raw, pooled, n, mu=None) -> None:
    """Move the artists of a :func:`plot_shrinkage` Axes in place (used by the widgets)."""
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

__all__ += ["plot_county_panel", "plot_caterpillar"]


def _check_fit(fit, name: str = "fit"):
    from .mixed import MixedModelResult

    if not isinstance(fit, MixedModelResult):
        raise TypeError(f"{name} must be a fitted model from ht.fit_varying_intercepts (or "
                        f"ht.fit_varying_slopes), got {type(fit).__name__}.")
    return fit


def plot_county_panel(data: pd.DataFrame, fit, counties, *, y=None, x=None, group=None,
                      axes=None, ncols=4, jitter=0.05, seed=0, xlabel=None, ylabel=None,
                      xticklabels=None, title=None):
    """Gelman & Hill's panel: complete, no and partial pooling lines, one small plot per group.

    Each panel shows one group's observations (jittered sideways so that equal
    values stay visible) and three regression lines of `y` on `x`:

    * **complete pooling** (dashed grey): one line fitted to all rows, ``y ~ 1 + x``;
    * **no pooling** (orange): the group's own intercept with a slope common to all
      groups, ``y ~ x + factor(group) - 1``;
    * **partial pooling** (blue): the fitted mixed model's line for that group
      (fixed effects plus the group's conditional mode, via ``fit.predict``).

    Panels are titled with the group label and its size; with groups ordered
    from small to large the picture shows the small groups' no-pooling lines
    pulled hard toward complete pooling, the large groups' hardly at all.

    Parameters
    ----------
    data : pandas.DataFrame
        The rows the model was fitted to.
    fit : MixedModelResult
        From :func:`fit_varying_intercepts` (or :func:`fit_varying_slopes`).
    counties : sequence of labels
        The groups to draw, one panel each, in this order.
    y, x, group : str, optional
        Column names; default: the fit's response, its first predictor and its
        grouping column.  Other predictors of the fit (e.g. a group-level one) are
        held at the group's mean in the partial-pooling line.
    axes : array of matplotlib.axes.Axes, optional
        At least ``len(counties)`` Axes; default: a new figure with `ncols`
        columns and shared axes.
    ncols : int
        Columns of the new figure's grid (default 4).
    jitter : float
        Half-width of the uniform sideways jitter of the points, in units of `x`.
    seed : int
        Seed of the jitter (the figure is the same every time).
    xlabel, ylabel : str, optional
        Axis labels (default: the column names); say the units.
    xticklabels : sequence of str, optional
        Labels for the ticks at the distinct values of `x` (when it has at most 5).
    title : str, optional
        Title of the whole figure.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        The Axes drawn on (flattened; unused Axes of a new grid are hidden).  Each
        has ``ax.hiertools_artists`` with the ``"points"`` and the three lines
        keyed ``"complete pooling"``, ``"no pooling"``, ``"partial pooling"``.

    See Also
    --------
    plot_caterpillar : every group's intercept with its interval.
    fit_varying_intercepts : the partial-pooling fit drawn here.

    References
    ----------
    .. [1] Gelman, A. and Hill, J. (2007). *Data Analysis Using Regression and
       Multilevel/Hierarchical Models*, fig. 12.4. Cambridge University Press.

    Examples
    --------
    >>> import hiertools as ht
    >>> radon = ht.load("radon")
    >>> fit = ht.fit_varying_intercepts(radon, "log_radon", "county", x="floor")
    >>> axes = ht.plot_county_panel(radon, fit, ["LAC QUI PARLE", "ST LOUIS"], ncols=2)
    >>> axes[0].get_title(), len(axes[0].lines)
    ('LAC QUI PARLE (n=2)', 3)
    """
    from matplotlib.lines import Line2D

    from ._validation import check_column, check_frame, check_group_column

    check_frame(data, "data")
    fit = _check_fit(fit)
    y = fit.y if y is None else y
    group = fit.group if group is None else group
    if x is None:
        if not fit.x:
            raise ValueError("fit has no predictor to draw on the x axis; fit the model with "
                             "x=... or pass x= the column to plot against.")
        x = fit.x[0]
    check_column(data, y, "y")
    check_column(data, x, "x")
    check_group_column(data, group, "group")
    for name in fit.x:
        check_column(data, name, f"the fit's predictor {name!r}")
    if isinstance(counties, str) or not hasattr(counties, "__iter__"):
        raise TypeError(f"counties must be a list of group labels, e.g. [{counties!r}], "
                        f"got {type(counties).__name__}.")
    counties = list(counties)
    if not counties:
        raise ValueError("counties is empty; pass at least one group label.")
    known = set(data[group])
    unknown = [c for c in counties if c not in known]
    if unknown:
        examples = sorted(map(str, known))[:3]
        raise ValueError(f"counties: {unknown[:3]!r} not found in column {group!r} of data; "
                         f"labels look like {examples}.")
    not_fitted = [c for c in counties if c not in set(fit.random_effects.index)]
    if not_fitted:
        raise ValueError(f"counties: {not_fitted[:3]!r} are not groups of the fit; was it "
                         "fitted to this data?")
    jitter = float(as_float_array(jitter, "jitter", allow_scalar=True, nonnegative=True))
    if isinstance(ncols, bool) or not isinstance(ncols, int | np.integer) or ncols < 1:
        raise ValueError(f"ncols must be a positive whole number, got {ncols!r}.")

    own_grid = axes is None
    if own_grid:
        import matplotlib.pyplot as plt

        nrows = -(-len(counties) // ncols)
        fig, grid = plt.subplots(nrows, ncols, figsize=(2.3 * ncols + 0.6, 2.3 * nrows + 0.9),
                                 sharex=True, sharey=True, layout="constrained", squeeze=False)
        axes = grid.ravel()
        for ax in axes[len(counties):]:
            ax.set_visible(False)
    else:
        axes = np.asarray(axes, dtype=object).ravel()
        if len(axes) < len(counties):
            raise ValueError(f"axes has {len(axes)} Axes but counties has {len(counties)} "
                             "groups; pass one Axes per group.")
    fig = axes[0].figure

    cp_a, cp_b, np_a, np_b = _regression_lines(data, y, x, group)
    x_all = data[x].to_numpy(dtype=float)
    ends = np.array([x_all.min(), x_all.max()])
    distinct = np.unique(x_all)
    rng = np.random.default_rng(seed)
    style = {
        "complete pooling": {"color": COLORS["complete pooling"], "linestyle": "--",
                             "linewidth": 1.3},
        "no pooling": {"color": COLORS["no pooling"], "linewidth": 1.6},
        "partial pooling": {"color": COLORS["partial pooling"], "linewidth": 2.0},
    }
    rows_of = data.groupby(group, sort=False).indices
    n_of = fit.group_sizes
    for ax, county in zip(axes, counties):
        rows = data.iloc[rows_of[county]]
        xs = rows[x].to_numpy(dtype=float)
        points = ax.scatter(xs + rng.uniform(-jitter, jitter, size=len(xs)), rows[y],
                            s=12, color="0.15", alpha=0.55, linewidths=0, zorder=3,
                            label="one measurement")
        newdata = pd.DataFrame({name: np.full(2, rows[name].mean()) for name in fit.x})
        newdata[x] = ends
        newdata[group] = [county, county]
        partial = fit.predict(newdata).to_numpy()
        lines = {
            "complete pooling": ax.plot(ends, cp_a + cp_b * ends, **style["complete pooling"],
                                        label="complete pooling")[0],
            "no pooling": ax.plot(ends, np_a[county] + np_b * ends, **style["no pooling"],
                                  label="no pooling")[0],
            "partial pooling": ax.plot(ends, partial, **style["partial pooling"],
                                       label="partial pooling")[0],
        }
        ax.set_title(f"{county} (n={n_of[county]})", fontsize="medium")
        if len(distinct) <= 5:
            ax.set_xticks(distinct, xticklabels if xticklabels is not None
                          else [f"{v:g}" for v in distinct])
        ax.grid(alpha=0.3)
        ax.hiertools_artists = {"points": points, **lines}
    used = axes[: len(counties)]
    for i, ax in enumerate(used):
        bottom = own_grid is False or i + ncols >= len(counties)
        if bottom:
            ax.set_xlabel(x if xlabel is None else xlabel)
            ax.xaxis.set_tick_params(labelbottom=True)
        if own_grid is False or i % ncols == 0:
            ax.set_ylabel(y if ylabel is None else ylabel)
    pad = 0.35 * (ends[1] - ends[0]) if ends[1] > ends[0] else 0.5
    used[0].set_xlim(ends[0] - pad, ends[1] + pad)
    handles = [Line2D([], [], marker="o", linestyle="", color="0.15", alpha=0.55,
                      label="one measurement")]
    handles += [Line2D([], [], label=name, **kw) for name, kw in style.items()]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, frameon=False,
               fontsize="small")
    if title:
        fig.suptitle(title)
    return used


def plot_caterpillar(fit, *, term="Intercept", level=0.95, ax=None, highlight=None,
                     highlight_label="highlighted", xlabel=None, title=None):
    """Caterpillar plot: every group's estimate with its interval, sorted, one row per group.

    Each group's coefficient -- the fixed effect plus the group's conditional
    mode, ``fit.group_coefs[term]`` -- is a dot on its own row, with a bar of
    :math:`\\pm z\\,\\mathrm{sd}_j` where :math:`\\mathrm{sd}_j` is the conditional SD
    of the group effect (``fit.random_effects_sd[term]``).  Rows are sorted by the
    estimate and labelled with the group and its size :math:`n_j`; dot area grows
    with :math:`n_j`.  The wide bars of the small groups -- and how close to the
    overall line their dots sit -- stand out.

    Parameters
    ----------
    fit : MixedModelResult
        From :func:`fit_varying_intercepts` or :func:`fit_varying_slopes`.
    term : str
        The varying term to draw (default ``"Intercept"``).
    level : float
        Coverage of the intervals, between 0 and 1 (default 0.95, z = 1.96).
    ax : matplotlib.axes.Axes, optional
        Default: a new figure tall enough for one readable row per group.
    highlight : sequence of labels, optional
        Groups to mark with a ring and a bold label.
    highlight_label : str
        Legend entry for the highlighted groups.
    xlabel : str, optional
        Label of the estimate axis (default: names the term); say the units.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        With ``ax.hiertools_artists``: ``"points"`` (scatter, in row order),
        ``"intervals"`` (LineCollection, in row order), ``"center"`` (the fixed
        effect's line) and ``"order"`` (the group labels, bottom row first).

    Notes
    -----
    The intervals are conditional on the estimated fixed effects and variance
    parameters (empirical-Bayes intervals), so they are a little too narrow;
    lesson 05 shows how a fully Bayesian fit widens them.

    See Also
    --------
    plot_county_panel : the lines of a few groups, with their data.
    plot_pooling : several estimators side by side for a few groups.

    Examples
    --------
    >>> import hiertools as ht
    >>> fit = ht.fit_varying_intercepts(ht.load("radon"), "log_radon", "county", x="floor")
    >>> ax = ht.plot_caterpillar(fit)
    >>> len(ax.hiertools_artists["intervals"].get_segments())
    85
    >>> ax.get_ylabel()
    'county (sorted by estimate), n'
    """
    from matplotlib.collections import LineCollection

    fit = _check_fit(fit)
    if term not in fit.varying:
        raise ValueError(f"term={term!r} does not vary by group in this fit; choose one of "
                         f"{list(fit.varying)}.")
    level = float(as_float_array(level, "level", allow_scalar=True))
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1 (e.g. 0.95), got {level}.")
    if highlight is not None:
        if isinstance(highlight, str) or not hasattr(highlight, "__iter__"):
            raise TypeError(f"highlight must be a list of group labels, e.g. [{highlight!r}], "
                            f"got {type(highlight).__name__}.")
        highlight = list(highlight)
        missing = [h for h in highlight if h not in set(fit.group_sizes.index)]
        if missing:
            raise ValueError(f"highlight: {missing[:3]!r} are not groups of the fit.")
    z = stats.norm.ppf(0.5 + level / 2)
    coef = fit.group_coefs[term]
    sd = fit.random_effects_sd[term]
    n = fit.group_sizes
    order = coef.sort_values(kind="stable").index
    values, half = coef[order].to_numpy(), z * sd[order].to_numpy()
    n_max = float(n.max())
    sizes = 4.0 + 120.0 * n[order].to_numpy() / n_max
    rows = np.arange(len(order))
    ax = _new_axes(ax, (8, 0.115 * len(order) + 1.4))

    center = float(fit.fixed_effects[term])
    line = ax.axvline(center, color=COLORS["complete pooling"], linestyle="--", linewidth=1,
                      zorder=1, label=f"fixed effect: the average {fit.group}")
    intervals = LineCollection([np.array([[v - h, r], [v + h, r]])
                                for r, v, h in zip(rows, values, half)],
                               colors=COLORS["partial pooling"], linewidths=1.2, alpha=0.45,
                               zorder=2, label=f"{100 * level:g}% interval")
    ax.add_collection(intervals)
    points = ax.scatter(values, rows, s=sizes, color=COLORS["partial pooling"],
                        edgecolors="white", linewidths=0.4, zorder=3)
    ax.set_yticks(rows, [f"{label} ({n[label]})" for label in order], fontsize=6.5)
    if highlight:
        marked = [k for k, label in enumerate(order) if label in set(highlight)]
        ax.scatter(values[marked], rows[marked], s=sizes[marked] + 40, facecolors="none",
                   edgecolors=COLORS["highlight"], linewidths=1.4, zorder=4,
                   label=str(highlight_label))
        for k in marked:
            tick = ax.get_yticklabels()[k]
            tick.set_fontweight("bold")
            tick.set_color(COLORS["highlight"])
    handles = [line, intervals] + ([ax.collections[-1]] if highlight else [])
    for size in _nice_sizes(n_max):
        handles.append(ax.scatter([], [], s=4.0 + 120.0 * size / n_max,
                                  color=COLORS["partial pooling"], label=f"n = {size}"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
              frameon=False, borderaxespad=0.0)
    ax.set_ylim(-1, len(order))
    ax.set_xlim((values - half).min() - 0.1, (values + half).max() + 0.1)
    ax.set_ylabel(f"{fit.group} (sorted by estimate), n")
    ax.set_xlabel(xlabel if xlabel is not None else
                  f"{fit.group} {term.lower()}: fixed + random effect")
    if title:
        ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    ax.hiertools_artists = {"points": points, "intervals": intervals, "center": line,
                            "order": list(order)}
    return ax


def _nice_sizes(largest) -> list[int]:
    """Group sizes for a marker-size legend: 1, 10, 100, ... up to `largest`."""
    return [10 ** k for k in range(int(np.log10(largest)) + 1)]
