"""Figures of a fitted mixed model: group panel, caterpillar plot, group-level predictor."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import special

from .._kernels import regression
from .._validation import (
    check_bool,
    check_column,
    check_frame,
    check_group_column,
    check_option,
    check_scalar,
)
from ._common import COLORS, _check_fit, _new_axes, _nice_sizes

__all__ = ["plot_group_panel", "plot_county_panel", "plot_caterpillar",
           "plot_group_predictor"]


def _check_panel(data, fit, groups, y, x, group, jitter, ncols, seed, xticklabels):
    """Validate plot_group_panel's arguments; return them resolved (fit's columns by default)."""
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
    if isinstance(groups, str) or not hasattr(groups, "__iter__"):
        raise TypeError(f"groups must be a list of group labels, e.g. [{groups!r}], "
                        f"got {type(groups).__name__}.")
    groups = list(groups)
    if not groups:
        raise ValueError("groups is empty; pass at least one group label.")
    known = set(data[group])
    unknown = [c for c in groups if c not in known]
    if unknown:
        examples = sorted(map(str, known))[:3]
        raise ValueError(f"groups: {unknown[:3]!r} not found in column {group!r} of data; "
                         f"labels look like {examples}.")
    not_fitted = [c for c in groups if c not in set(fit.random_effects.index)]
    if not_fitted:
        raise ValueError(f"groups: {not_fitted[:3]!r} are not groups of the fit; was it "
                         "fitted to this data?")
    jitter = check_scalar(jitter, "jitter", minimum=0)
    ncols = check_scalar(ncols, "ncols", integer=True, minimum=1)
    seed = check_scalar(seed, "seed", integer=True, minimum=0)
    if xticklabels is not None:
        distinct = data[x].nunique()
        if isinstance(xticklabels, str | bytes) or not hasattr(xticklabels, "__iter__"):
            raise TypeError(f"xticklabels must be a list of tick labels, e.g. ['basement', "
                            f"'first floor'], got {xticklabels!r}.")
        xticklabels = [str(label) for label in xticklabels]
        if len(xticklabels) != distinct:
            raise ValueError(f"xticklabels has {len(xticklabels)} labels but x={x!r} has "
                             f"{distinct} distinct values; pass one label per value.")
    return fit, groups, y, x, group, jitter, ncols, seed, xticklabels


def _group_panel_lines(data: pd.DataFrame, fit, groups, y: str, x: str, group: str) -> dict:
    """The three lines of every panel of :func:`plot_group_panel`, computed once.

    Returns a dict with ``"ends"`` (the two x values every line is drawn between),
    ``"complete pooling"`` (its y at the ends), and ``"no pooling"`` and
    ``"partial pooling"`` (arrays of shape (len(groups), 2)).  Complete and no pooling
    are :func:`hiertools._kernels.regression.regression_lines` (fitted once, not per panel); the
    partial-pooling lines are one ``fit.predict`` over two rows per group, with the
    fit's other predictors held at each group's mean.
    """
    cp_a, cp_b, np_a, np_b = regression.regression_lines(data, y, x, group)
    x_all = data[x].to_numpy(dtype=float)
    ends = np.array([x_all.min(), x_all.max()])
    newdata = pd.DataFrame(index=range(2 * len(groups)))
    if fit.x:
        means = data.groupby(group, sort=False)[list(fit.x)].mean().loc[groups]
        for name in fit.x:
            newdata[name] = np.repeat(means[name].to_numpy(float), 2)
    newdata[x] = np.tile(ends, len(groups))
    newdata[group] = np.repeat(np.array(groups, dtype=object), 2)
    partial = fit.predict(newdata).to_numpy().reshape(len(groups), 2)
    no_pooling = np_a.loc[groups].to_numpy()[:, None] + np_b * ends
    return {"ends": ends, "complete pooling": cp_a + cp_b * ends, "no pooling": no_pooling,
            "partial pooling": partial}


_PANEL_STYLE = {
    "complete pooling": {"color": COLORS["complete pooling"], "linestyle": "--", "linewidth": 1.3},
    "no pooling": {"color": COLORS["no pooling"], "linewidth": 1.6},
    "partial pooling": {"color": COLORS["partial pooling"], "linewidth": 2.0},
}


def _panel_axes(axes, count, ncols):
    """(axes, own_grid): the given Axes (at least `count`) or a new grid of `ncols` columns."""
    if axes is None:
        import matplotlib.pyplot as plt

        nrows = -(-count // ncols)
        _, grid = plt.subplots(nrows, ncols, figsize=(2.3 * ncols + 0.6, 2.3 * nrows + 0.9),
                               sharex=True, sharey=True, layout="constrained", squeeze=False)
        axes = grid.ravel()
        for ax in axes[count:]:
            ax.set_visible(False)
        return axes, True
    axes = np.asarray(axes, dtype=object).ravel()
    if len(axes) < count:
        raise ValueError(f"axes has {len(axes)} Axes but groups has {count} "
                         "groups; pass one Axes per group.")
    return axes, False


def plot_group_panel(data: pd.DataFrame, fit, groups, *, y=None, x=None, group=None,
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
    groups : sequence of labels
        The groups to draw, one panel each, in this order.
    y, x, group : str, optional
        Column names; default: the fit's response, its first predictor and its
        grouping column.  Other predictors of the fit (e.g. a group-level one) are
        held at the group's mean in the partial-pooling line.
    axes : array of matplotlib.axes.Axes, optional
        At least ``len(groups)`` Axes; default: a new figure with `ncols`
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

    Notes
    -----
    The lines are computed once for all panels (``_group_panel_lines``): the two
    least-squares fits once, the partial-pooling lines with one ``fit.predict`` call.

    References
    ----------
    .. [1] Gelman, A. and Hill, J. (2007). *Data Analysis Using Regression and
       Multilevel/Hierarchical Models*, fig. 12.4. Cambridge University Press.

    Examples
    --------
    >>> import hiertools as ht
    >>> radon = ht.load("radon")
    >>> fit = ht.fit_varying_intercepts(radon, "log_radon", "county", x="floor")
    >>> axes = ht.plot_group_panel(radon, fit, ["LAC QUI PARLE", "ST LOUIS"], ncols=2)
    >>> axes[0].get_title(), len(axes[0].lines)
    ('LAC QUI PARLE (n=2)', 3)
    """
    from matplotlib.lines import Line2D

    fit, groups, y, x, group, jitter, ncols, seed, xticklabels = _check_panel(
        data, fit, groups, y, x, group, jitter, ncols, seed, xticklabels)
    axes, own_grid = _panel_axes(axes, len(groups), ncols)
    fig = axes[0].figure
    lines = _group_panel_lines(data, fit, groups, y, x, group)
    ends = lines["ends"]
    distinct = np.unique(data[x].to_numpy(dtype=float))
    rng = np.random.default_rng(seed)
    rows_of = data.groupby(group, sort=False).indices
    n_of = fit.group_sizes
    for k, (ax, label) in enumerate(zip(axes, groups)):
        rows = data.iloc[rows_of[label]]
        xs = rows[x].to_numpy(dtype=float)
        points = ax.scatter(xs + rng.uniform(-jitter, jitter, size=len(xs)), rows[y],
                            s=12, color="0.15", alpha=0.55, linewidths=0, zorder=3,
                            label="one measurement")
        drawn = {}
        for name, style in _PANEL_STYLE.items():
            ys = lines[name] if name == "complete pooling" else lines[name][k]
            drawn[name] = ax.plot(ends, ys, **style, label=name)[0]
        ax.set_title(f"{label} (n={n_of[label]})", fontsize="medium")
        if len(distinct) <= 5:
            ax.set_xticks(distinct, xticklabels if xticklabels is not None
                          else [f"{v:g}" for v in distinct])
        ax.grid(alpha=0.3)
        ax.hiertools_artists = {"points": points, **drawn}
    used = axes[: len(groups)]
    for i, ax in enumerate(used):
        if own_grid is False or i + ncols >= len(groups):
            ax.set_xlabel(x if xlabel is None else xlabel)
            ax.xaxis.set_tick_params(labelbottom=True)
        if own_grid is False or i % ncols == 0:
            ax.set_ylabel(y if ylabel is None else ylabel)
    pad = 0.35 * (ends[1] - ends[0]) if ends[1] > ends[0] else 0.5
    used[0].set_xlim(ends[0] - pad, ends[1] + pad)
    handles = [Line2D([], [], marker="o", linestyle="", color="0.15", alpha=0.55,
                      label="one measurement")]
    handles += [Line2D([], [], label=name, **kw) for name, kw in _PANEL_STYLE.items()]
    fig.legend(handles=handles, loc="outside lower center", ncol=4, frameon=False,
               fontsize="small")
    if title:
        fig.suptitle(title)
    return used


def plot_county_panel(*args, **kwargs):
    """Deprecated alias of :func:`plot_group_panel` (the panel is about any groups).

    .. deprecated:: 0.1
       Use :func:`plot_group_panel`; this name goes in the next release.
    """
    warnings.warn("ht.plot_county_panel is deprecated and will be removed in the next "
                  "release; call ht.plot_group_panel (same arguments).", DeprecationWarning,
                  stacklevel=2)
    return plot_group_panel(*args, **kwargs)


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

    See Also
    --------
    plot_group_panel : the lines of a few groups, with their data.
    plot_pooling : several estimators side by side for a few groups.

    Notes
    -----
    The intervals are conditional on the estimated fixed effects and variance
    parameters (empirical-Bayes intervals), so they are a little too narrow;
    lesson 05 shows how a fully Bayesian fit widens them.

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
    term = check_option(term, "term", list(fit.varying), problem="does not vary by group in "
                        "this fit")
    level = check_scalar(level, "level")
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
    z = special.ndtri(0.5 + level / 2)
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


def plot_group_predictor(fit, data: pd.DataFrame, predictor: str, *, before=None,
                         before_label="moved from the other fit's estimate", bars=True,
                         ax=None, xlabel=None, ylabel=None, title=None):
    """Group intercepts against a group-level predictor, with the fitted line (G&H fig. 12.6).

    For a model whose intercepts follow a group-level predictor :math:`u_j`,

    .. math:: \\alpha_j \\sim N(\\gamma_0 + \\gamma_1 u_j,\\ \\tau^2),

    each group is a dot at :math:`(u_j,\\ \\hat\\gamma_0 + \\hat\\gamma_1 u_j + \\hat b_j)`
    -- its estimated intercept, the line's value plus its own conditional mode
    :math:`\\hat b_j` -- with a bar of ±1 conditional SD of :math:`b_j`, over the
    line :math:`\\hat\\gamma_0 + \\hat\\gamma_1 u`.  The dots lie closer to the line
    than the true intercepts would: each :math:`\\hat b_j` is shrunk toward 0, i.e.
    the group toward the line.  Other predictors are held at 0 (the intercept is
    the expected outcome at x = 0).

    Parameters
    ----------
    fit : MixedModelResult
        A fit whose fixed effects include `predictor`.
    data : pandas.DataFrame
        The rows the model was fitted to (for each group's value of `predictor`).
    predictor : str
        A column of `data` that is constant within each group.
    before : MixedModelResult, optional
        Another fit of the same groups (e.g. without `predictor`): a faint arrow per
        group runs from its intercept in `before` (plus its own `predictor` term, if
        it has one) to the intercept in `fit`.
    before_label : str
        Legend entry of those arrows.
    bars : bool
        Draw the ±1 SD bars (default).  With ``bars=False`` and `before`, the arrows are
        drawn darker, with larger heads, where the bars would be: draw the two on two
        panels when both are wanted, since they overlap.
    ax : matplotlib.axes.Axes, optional
    xlabel, ylabel : str, optional
        Axis labels (default: the predictor's name and "group intercept"); say the units.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        With ``ax.hiertools_artists``: ``"points"`` (scatter), ``"bars"``
        (LineCollection of ±1 SD; only with `bars`), ``"line"`` (the fitted line) and,
        with `before`, ``"arrows"`` (a list of annotations) and ``"start"`` (their
        starting points, drawn a hair to the left of the bars, or at the dots without
        bars), all in the order of ``fit.group_sizes.index``.

    See Also
    --------
    plot_caterpillar : the intercepts sorted, with 95% intervals.

    References
    ----------
    .. [1] Gelman, A. and Hill, J. (2007). *Data Analysis Using Regression and
       Multilevel/Hierarchical Models*, fig. 12.6. Cambridge University Press.

    Examples
    --------
    >>> import hiertools as ht
    >>> radon = ht.load("radon")
    >>> fit_u = ht.fit_varying_intercepts(radon, "log_radon", "county",
    ...                                   x=["floor", "log_uranium"])
    >>> ax = ht.plot_group_predictor(fit_u, radon, "log_uranium")
    >>> len(ax.hiertools_artists["points"].get_offsets())
    85
    >>> fit = ht.fit_varying_intercepts(radon, "log_radon", "county", x="floor")
    >>> ax = ht.plot_group_predictor(fit_u, radon, "log_uranium", before=fit, bars=False)
    >>> sorted(ax.hiertools_artists)
    ['arrows', 'line', 'points', 'start']
    """
    from matplotlib.collections import LineCollection


    fit = _check_fit(fit)
    bars = check_bool(bars, "bars")
    check_frame(data, "data")
    check_column(data, predictor, "predictor")
    if predictor not in fit.x:
        raise ValueError(f"predictor={predictor!r} is not a fixed effect of fit (its "
                         f"predictors are {list(fit.x)}); fit the model with it first.")
    if fit.group not in data.columns:
        raise ValueError(f"data has no column {fit.group!r}, the fit's grouping column; pass "
                         "the rows the model was fitted to.")
    per_group = data.groupby(fit.group)[predictor]
    varying = per_group.nunique()
    if (varying > 1).any():
        raise ValueError(f"predictor={predictor!r} varies within group "
                         f"{varying[varying > 1].index[0]!r}; a group-level predictor has "
                         "one value per group.")
    if before is not None:
        before = _check_fit(before, "before")
        if not before.group_sizes.index.equals(fit.group_sizes.index):
            raise ValueError("before must be a fit of the same groups as fit.")
    labels = fit.group_sizes.index
    u = per_group.first().reindex(labels).to_numpy(dtype=float)
    if np.isnan(u).any():
        raise ValueError("data lacks some groups of the fit; pass the rows it was fitted to.")
    gamma0 = float(fit.fixed_effects["Intercept"])
    gamma1 = float(fit.fixed_effects[predictor])
    alpha = fit.group_coefs["Intercept"].to_numpy() + gamma1 * u
    sd = fit.random_effects_sd["Intercept"].to_numpy()
    ax = _new_axes(ax, (7, 4.4))

    artists = {}
    if before is not None:
        start = before.group_coefs["Intercept"].to_numpy()
        if predictor in before.x:
            start = start + float(before.fixed_effects[predictor]) * u
        # beside the bars, not on them: shifted left by a hair of the x range
        shift = 0.006 * (np.ptp(u) if np.ptp(u) > 0 else 1.0) if bars else 0.0
        # without bars to compete with, the arrows can be dark enough to read their heads
        # (and stop just short of the dot they point at, which stays visible)
        arrow_style = ({"color": "0.45", "alpha": 0.7, "linewidth": 0.8, "mutation_scale": 7,
                        "shrinkB": 0} if bars else
                       {"color": "0.25", "alpha": 0.9, "linewidth": 1.0, "mutation_scale": 10,
                        "shrinkB": 2.5})
        artists["arrows"] = [
            ax.annotate("", xy=(x - shift, b), xytext=(x - shift, a), zorder=1 if bars else 3,
                        arrowprops={"arrowstyle": "-|>", "shrinkA": 0, **arrow_style})
            for x, a, b in zip(u, start, alpha)]
        artists["start"] = ax.scatter(u - shift, start, s=7, color=arrow_style["color"],
                                      alpha=arrow_style["alpha"], zorder=1, linewidths=0)
    handles = []
    if bars:
        artists["bars"] = LineCollection(
            [np.array([[x, a - s], [x, a + s]]) for x, a, s in zip(u, alpha, sd)],
            colors=COLORS["partial pooling"], linewidths=1.0, alpha=0.6, zorder=2,
            label="group intercept ± 1 SD")
        ax.add_collection(artists["bars"])
        handles.append(artists["bars"])
    # without bars the arrows are the point: drawn over small dots and over the line, so
    # that their heads stay visible where they end
    points = ax.scatter(u, alpha, s=16 if bars else 12, color=COLORS["partial pooling"],
                        zorder=3 if bars else 2, linewidths=0,
                        label="group intercept" if not bars else None)
    if not bars:
        handles.append(points)
    ends = np.array([u.min(), u.max()])
    line, = ax.plot(ends, gamma0 + gamma1 * ends, color=COLORS["no pooling"], linewidth=2,
                    zorder=4 if bars else 1.8,
                    label=f"fitted line γ̂₀ + γ̂₁ u (slope {gamma1:.2f})")
    handles.append(line)
    if before is not None:
        from matplotlib.lines import Line2D

        handles.append(Line2D([], [], color=arrow_style["color"], alpha=arrow_style["alpha"],
                              linewidth=arrow_style["linewidth"], marker="^", markersize=4,
                              label=str(before_label)))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="small",
              frameon=False, borderaxespad=0.0)
    ax.set_xlabel(predictor if xlabel is None else xlabel)
    ax.set_ylabel("group intercept" if ylabel is None else ylabel)
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.hiertools_artists = {"points": points, "line": line, **artists}
    return ax
