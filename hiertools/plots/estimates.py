"""Raw and partially pooled group estimates seen whole: by group size, and as a distribution.

Two figures that put the no-pooling and the partially pooled estimates of many
groups side by side, where an arrow per group would pile up:

- :func:`plot_estimates_by_size` -- Gelman & Hill's figures 12.1 and 12.3a: each
  estimate with a bar of ±1 standard error against the group size (log axis,
  jittered), no pooling on the left and partial pooling on the right, on a shared
  y axis;
- :func:`plot_group_distribution` -- in the spirit of McElreath's figure 13.2: the
  fitted population distribution :math:`N(\\hat\\mu, \\hat\\tau^2)` over histograms
  of the raw and of the shrunk estimates.  The raw estimates spread wider than
  :math:`\\hat\\tau` (their spread includes sampling noise), the shrunk ones
  narrower (each is pulled toward :math:`\\hat\\mu`).
"""

from __future__ import annotations

import numpy as np

from .._validation import check_array, check_consistent_length, check_scalar
from ._common import COLORS, _new_axes, _plain_log_axis

__all__ = ["plot_estimates_by_size", "plot_group_distribution"]


def _standard_errors(se, name: str, size: int) -> np.ndarray:
    """One standard error per group: an array, or one number for every group."""
    if np.ndim(se) == 0:
        return np.full(size, check_scalar(se, name, minimum=0.0))
    return check_array(se, name, nonnegative=True)


def _bars(x, center, half):
    return [np.array([[xi, c - h], [xi, c + h]]) for xi, c, h in zip(x, center, half)]


def plot_estimates_by_size(raw, pooled, n, *, raw_se, pooled_se, mu=None, axes=None,
                           jitter=0.06, seed=0, ylabel="estimate",
                           titles=("no pooling ± 1 SE", "partial pooling ± 1 SE"), title=None):
    """Two panels: no-pooling and partially pooled estimates ±1 SE against group size.

    Each group is a dot with a bar of ±1 standard error, placed at its size
    :math:`n_j` on a log axis.  Many groups share a size, so the sizes are
    jittered: multiplied by :math:`e^{u}`, :math:`u \\sim U(-\\text{jitter},
    \\text{jitter})`, the same factor in both panels, so a group sits at the same
    x in both.  The panels share the y axis: the small groups' raw estimates
    spread far and wide with long bars, their partially pooled estimates huddle
    around :math:`\\hat\\mu` with shorter ones.

    Parameters
    ----------
    raw, pooled : array_like
        No-pooling and partially pooled estimates, one per group.
    n : array_like
        Group sizes.
    raw_se, pooled_se : array_like or float
        Their standard errors (for no pooling typically :math:`\\sigma/\\sqrt{n_j}`;
        for partial pooling the conditional SD of the group effect).
    mu : float, optional
        The value shrunk toward; a dashed line in both panels.
    axes : sequence of two matplotlib.axes.Axes, optional
        Default: a new figure with two panels sharing the y axis.
    jitter : float
        Half-width of the jitter on the log scale (default 0.06, i.e. ±6%).
    seed : int
        Seed of the jitter (the figure is the same every time).
    ylabel : str
        Label of the estimate axis; say the units.
    titles : pair of str
        Titles of the two panels, also their legend entries (say what the bars are).
    title : str, optional
        Title of the whole figure.

    Returns
    -------
    numpy.ndarray of matplotlib.axes.Axes
        The two Axes.  Each has ``ax.hiertools_artists`` with ``"points"`` (a
        scatter), ``"bars"`` (a LineCollection of the ±1 SE bars) and ``"mu"`` (the
        line, if `mu` is given), in the order of the groups.

    See Also
    --------
    plot_shrinkage : one arrow per group from raw to pooled (for a dozen groups).
    plot_group_distribution : the same estimates as two histograms.

    References
    ----------
    .. [1] Gelman, A. and Hill, J. (2007). *Data Analysis Using Regression and
       Multilevel/Hierarchical Models*, figs. 12.1 and 12.3. Cambridge University Press.

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> d = ht.simulate_districts()
    >>> pooled = ht.shrink(d["raw"], d["n"], tau=1.0, sigma=3.0)
    >>> se = 3.0 / np.sqrt(d["n"])
    >>> left, right = ht.plot_estimates_by_size(d["raw"], pooled, d["n"], raw_se=se,
    ...                                         pooled_se=se / 2)
    >>> left.get_ylim() == right.get_ylim()
    True
    """
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    raw = check_array(raw, "raw")
    pooled = check_array(pooled, "pooled")
    n = check_array(n, "n", positive=True)
    check_consistent_length(raw=raw, pooled=pooled, n=n)
    raw_se = _standard_errors(raw_se, "raw_se", raw.size)
    pooled_se = _standard_errors(pooled_se, "pooled_se", raw.size)
    check_consistent_length(raw=raw, raw_se=raw_se, pooled_se=pooled_se)
    jitter = check_scalar(jitter, "jitter", minimum=0.0, maximum=0.5)
    seed = check_scalar(seed, "seed", integer=True, minimum=0)
    mu = None if mu is None else check_scalar(mu, "mu")
    if isinstance(titles, str) or len(titles) != 2:
        raise ValueError(f"titles must be two strings (left, right), got {titles!r}.")

    own = axes is None
    if own:
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True, layout="constrained")
    else:
        axes = np.asarray(axes, dtype=object).ravel()
        if axes.size != 2:
            raise ValueError(f"axes must be two Axes (left, right), got {axes.size}.")
    fig = axes[0].figure
    x = n * np.exp(np.random.default_rng(seed).uniform(-jitter, jitter, size=n.size))
    colors = (COLORS["no pooling"], COLORS["partial pooling"])
    for ax, est, se, color, panel_title in zip(axes, (raw, pooled), (raw_se, pooled_se),
                                               colors, titles):
        bars = LineCollection(_bars(x, est, se), colors=color, linewidths=0.9, alpha=0.45,
                              zorder=2)
        ax.add_collection(bars)
        points = ax.scatter(x, est, s=14, color=color, zorder=3, linewidths=0)
        artists = {"points": points, "bars": bars}
        if mu is not None:
            artists["mu"] = ax.axhline(mu, color=COLORS["complete pooling"], linestyle="--",
                                       linewidth=1, zorder=1)
        _plain_log_axis(ax.xaxis)
        ax.set_xlim(n.min() / 1.25, n.max() * 1.25)
        ax.set_xlabel("group size $n_j$ (log scale, jittered)")
        ax.set_title(panel_title)
        ax.grid(alpha=0.3)
        ax.hiertools_artists = artists
    axes[0].set_ylabel(ylabel)
    low = min((raw - raw_se).min(), (pooled - pooled_se).min())
    high = max((raw + raw_se).max(), (pooled + pooled_se).max())
    pad = 0.04 * (high - low) if high > low else 0.5
    for ax in axes:
        ax.set_ylim(low - pad, high + pad)
    handles = [Line2D([], [], color=c, marker="o", markersize=4, linewidth=0.9, label=str(t))
               for c, t in zip(colors, titles)]
    if mu is not None:
        handles.append(Line2D([], [], color=COLORS["complete pooling"], linestyle="--",
                              linewidth=1, label="value shrunk toward (μ)"))
    if own:
        fig.legend(handles=handles, loc="outside lower center", ncol=len(handles),
                   frameon=False, fontsize="small")
    else:
        axes[1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                       frameon=False, fontsize="small", borderaxespad=0.0)
    if title:
        fig.suptitle(title)
    return axes


def plot_group_distribution(raw, pooled, *, mu, tau, ax=None, bins=20, xlabel="estimate",
                            title=None):
    """The fitted population distribution over histograms of the raw and shrunk estimates.

    The curve is :math:`N(\\hat\\mu, \\hat\\tau^2)`, the model's distribution of the
    *true* group values.  Over it, two density histograms on the same bins: the
    raw (no-pooling) estimates, which spread wider than the curve because each
    carries its own sampling noise, and the partially pooled ones, which spread
    narrower because each is pulled toward :math:`\\hat\\mu`.  Neither histogram
    is the curve: :math:`\\tau` is the spread of the true values, which neither
    set of estimates shows directly.  The legend gives each set's SD.

    Parameters
    ----------
    raw, pooled : array_like
        No-pooling and partially pooled estimates, one per group.
    mu, tau : float
        The fitted population mean and SD of the group values.
    ax : matplotlib.axes.Axes, optional
    bins : int
        Number of histogram bins, shared by both histograms.
    xlabel : str
        Label of the estimate axis; say the units.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
        With ``ax.hiertools_artists``: ``"raw"`` and ``"pooled"`` (the histograms,
        matplotlib ``StepPatch`` es whose ``get_data()`` gives the densities and the
        shared bin edges) and ``"curve"`` (the normal density).

    See Also
    --------
    plot_estimates_by_size : the same estimates against group size.

    References
    ----------
    .. [1] McElreath, R. (2020). *Statistical Rethinking*, 2nd ed., fig. 13.2. CRC Press.

    Examples
    --------
    >>> import hiertools as ht
    >>> d = ht.simulate_districts(300, seed=7)
    >>> pooled = ht.shrink(d["raw"], d["n"], tau=1.6, sigma=3.0)
    >>> ax = ht.plot_group_distribution(d["raw"], pooled, mu=5.0, tau=1.6)
    >>> len(ax.hiertools_artists["raw"].get_data().values)
    20
    """
    raw = check_array(raw, "raw", min_size=2)
    pooled = check_array(pooled, "pooled", min_size=2)
    check_consistent_length(raw=raw, pooled=pooled)
    mu = check_scalar(mu, "mu")
    tau = check_scalar(tau, "tau", minimum=0.0, strict_min=True)
    bins = check_scalar(bins, "bins", integer=True, minimum=1)
    ax = _new_axes(ax, (7, 3.8))

    edges = np.histogram_bin_edges(np.concatenate([raw, pooled]), bins=bins)
    sd_raw, sd_pooled = raw.std(ddof=1), pooled.std(ddof=1)
    raw_density, _ = np.histogram(raw, bins=edges, density=True)
    pooled_density, _ = np.histogram(pooled, bins=edges, density=True)
    pooled_steps = ax.stairs(pooled_density, edges, fill=True, color=COLORS["partial pooling"],
                             alpha=0.35, label=f"partially pooled estimates (SD {sd_pooled:.2f})")
    raw_steps = ax.stairs(raw_density, edges, color=COLORS["no pooling"], linewidth=1.8,
                          label=f"raw estimates (SD {sd_raw:.2f})")
    low = min(edges[0], mu - 3.5 * tau)
    high = max(edges[-1], mu + 3.5 * tau)
    low, high = low - 0.03 * (high - low), high + 0.03 * (high - low)
    grid = np.linspace(low, high, 400)
    density = np.exp(-0.5 * ((grid - mu) / tau) ** 2) / (tau * np.sqrt(2 * np.pi))  # N(μ, τ²)
    curve, = ax.plot(grid, density, color="0.1", linewidth=1.8,
                     label=f"fitted population N(μ̂, τ̂²), τ̂ = {tau:.2f}")
    center = ax.axvline(mu, color=COLORS["complete pooling"], linestyle="--", linewidth=1,
                        label="μ̂")
    ax.set_xlim(low, high)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    if title:
        ax.set_title(title)
    ax.legend(handles=[raw_steps, pooled_steps, curve, center], loc="upper left",
              bbox_to_anchor=(1.02, 1.0), fontsize="small", frameon=False, borderaxespad=0.0)
    ax.grid(alpha=0.3)
    ax.hiertools_artists = {"raw": raw_steps, "pooled": pooled_steps, "curve": curve}
    return ax
