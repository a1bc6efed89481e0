"""The pooling explorer: one slider from complete pooling through partial to no pooling."""

from __future__ import annotations

import time

import numpy as np

from ._base import _explorer_base, _FigureView, _group_data, _readout, _slider

__all__ = ["pooling_explorer"]

#: Up to this many groups are named in the figure, beside their raw means.
_MAX_NAMED = 20


def _tau_for_trust(trust: float, sigma: float, n_typical: float) -> float:
    """τ at which a group of size n_typical puts weight `trust` on its own mean."""
    if trust >= 1.0:
        return np.inf
    return sigma / np.sqrt(n_typical) * np.sqrt(trust / (1.0 - trust))


def _movers(labels, n, raw, estimates, w, count=3) -> str:
    """Readout line: the groups that move farthest, with distance and fraction of the way.

    A group moves the fraction 1 - w_j of the way from its raw mean to mu, a distance
    (1 - w_j) * |raw_j - mu|: the fraction depends on n_j and sigma/tau alone, the
    distance also on how far the group starts from mu.
    """
    distance = np.abs(estimates - raw)
    if distance.max() < 0.005:
        return "no group moves: every estimate is its raw mean"
    parts = [f"<b>{labels[j]}</b> (n = {n[j]:g}) {distance[j]:.2f}, "
             f"{1 - w[j]:.2f} of the way" for j in np.argsort(-distance, kind="stable")[:count]]
    return "moves farthest: " + " &nbsp;·&nbsp; ".join(parts)


def pooling_explorer(raw=None, n=None, sigma=None, *, data=None, y=None, group=None,
                     labels=None, truth=None, ylabel=None):
    """One slider from complete pooling through partial pooling to no pooling.

    The slider sets how much a typical (median-sized) group trusts its own data:
    its shrinkage weight *w*, from 0 (complete pooling: every estimate is the
    overall mean) to 1 (no pooling: every estimate is the group's raw mean).
    Behind it is the between-group SD :math:`\\tau = (\\sigma/\\sqrt{n}) \\sqrt{w/(1-w)}`;
    every group's estimate is ``ht.shrink(raw, n, tau, sigma)``.  The slider starts
    at the empirical-Bayes (REML) estimate of τ.

    Each group is drawn as a line segment from its raw mean (open circle, area
    proportional to size) to its partially pooled estimate (an arrowhead pointing the
    way the estimate moved).  The readout
    names the groups that move farthest, with both the *distance* moved,
    :math:`(1-w_j)\\,|\\bar y_j - \\hat\\mu|`, and the *fraction of the way*
    :math:`1 - w_j`: the fraction depends on :math:`n_j` and σ/τ alone (a smaller
    group always moves a larger fraction), the distance also on how far the group
    starts from :math:`\\hat\\mu`.

    Parameters
    ----------
    raw, n, sigma : optional
        Raw group means, group sizes and within-group SD.  With no arguments,
        the source text's twelve simulated districts (with their true rates).
    data, y, group : optional
        Alternatively, a DataFrame of observations with outcome and group columns.
    labels : list, optional
        Group labels for `raw`.
    truth : array_like, optional
        True group values to draw (simulated data).
    ylabel : str, optional
        Label of the estimate axis (say the units); default: lesson 01's with no
        arguments, else "estimate".

    Returns
    -------
    ipywidgets.VBox
        The explorer: a slider (CSS class ``ht-slider-trust``; its short label has the
        long form as a tooltip and in the caption below it), a readout and the figure.
        In a notebook it also displays a PNG of its first frame for static viewers.

    Raises
    ------
    TypeError, ValueError
        If the data are not numeric, hold NaN, have fewer than 2 groups, or the
        arguments do not have one value per group.

    See Also
    --------
    shrinkage_explorer : sliders for τ, σ and one group's size.
    shrink : the estimates the figure shows.

    Examples
    --------
    >>> import hiertools as ht
    >>> explorer = ht.pooling_explorer([1.0, 2.0, 6.0], n=[3, 10, 40], sigma=2.0)
    >>> explorer.control("ht-slider-trust").max
    1.0
    """
    import ipywidgets as widgets

    from ..empirical_bayes import _estimate_tau
    from ..exercises.lesson01 import explorer_defaults
    from ..plots import plot_shrinkage, update_shrinkage
    from ..shrinkage import _pooled_mean, _shrink, _weights

    groups = _group_data(data=data, y=y, group=group, raw=raw, n=n, sigma=sigma, labels=labels,
                         truth=truth, defaults=explorer_defaults)
    raw, n, sigma, truth = groups["raw"], groups["n"], groups["sigma"], groups["truth"]
    labels = groups["labels"]
    ylabel = ylabel if ylabel is not None else groups.get("ylabel", "estimate")
    n_typical = float(np.median(n))
    tau_hat = _estimate_tau(raw, (sigma / np.sqrt(n)) ** 2, "REML")
    trust_hat = float(_weights(tau_hat, sigma, n_typical))

    view = _FigureView(figsize=(7.5, 4.6))
    ax = view.figure.add_subplot()
    start = _shrink(raw, n, tau_hat, sigma)
    plot_shrinkage(raw, start, n, mu=_pooled_mean(raw, n, tau_hat, sigma), truth=truth, ax=ax,
                   ylabel=ylabel, title="Where each group's estimate goes as pooling changes")
    # the legend goes below the axes, where it covers no data
    ax.get_legend().remove()
    view.figure.legend(*ax.get_legend_handles_labels(), loc="outside lower center", ncol=4,
                       fontsize="small", frameon=False)
    if len(labels) <= _MAX_NAMED:  # name each group beside its raw mean (they never move)
        radii = np.sqrt(ax.hiertools_artists["raw"].get_sizes()) / 2  # marker radius, points
        for label, x, value, radius in zip(labels, n, raw, radii):
            ax.annotate(label, (x, value), xytext=(radius + 2, 0), textcoords="offset points",
                        fontsize="x-small", va="center", color="0.3")
    low, high = min(raw.min(), 0 if truth is None else np.min(truth)), raw.max()
    pad = 0.08 * (high - low)
    ax.set_ylim(low - pad, high + pad)
    view.freeze(ax.hiertools_artists.values())

    long_label = (f"Trust in own data: the weight w that a median-sized group (n = "
                  f"{n_typical:g}) puts on its own raw mean. 0 = complete pooling, "
                  "1 = no pooling.")
    slider = _slider("FloatSlider", "trust <i>w</i>", "ht-slider-trust", width="600px",
                     value=trust_hat, min=0.0, max=1.0, step=0.01, readout_format=".2f",
                     description_allow_html=True, tooltip=long_label)
    caption = widgets.HTML(f"<small><i>w</i> = the weight a median-sized group (n = "
                           f"{n_typical:g}) puts on its own raw mean: 0 = complete pooling, "
                           "1 = no pooling.</small>")
    caption.add_class("ht-caption")
    readout = _readout()

    def redraw(change=None):
        started = time.perf_counter()
        trust = float(slider.value)
        # a detent at the fitted value: the browser snaps the slider to its 0.01 grid
        at_fit = abs(trust - trust_hat) <= 0.005
        tau = tau_hat if at_fit else _tau_for_trust(trust, sigma, n_typical)
        mu = _pooled_mean(raw, n, tau, sigma)
        estimates = _shrink(raw, n, tau, sigma, mu)
        update_shrinkage(ax, raw, estimates, n, mu=mu)
        w = _weights(tau, sigma, n)
        if trust == 0:
            mode = "<b>complete pooling</b>: every group gets the overall mean"
        elif trust == 1:
            mode = "<b>no pooling</b>: every group keeps its raw mean"
        else:
            mode = "<b>partial pooling</b>" + (" at the fitted τ̂" if at_fit else "")
        tau_text = "∞" if np.isinf(tau) else f"{tau:.2f}"
        spread = (f"all {w.min():.2f}" if np.ptp(w) < 0.005 else
                  f"{w.min():.2f} (n = {n[w.argmin()]:g}) to {w.max():.2f} (n = {n[w.argmax()]:g})")
        readout.value = (f"{mode} &nbsp;|&nbsp; τ = {tau_text} (fitted τ̂ = {tau_hat:.2f}) "
                         f"&nbsp;|&nbsp; weights on own data: {spread}<br>"
                         + _movers(labels, n, raw, estimates, w))
        view.render(started)

    slider.observe(redraw, names="value")
    redraw()
    return _explorer_base()([slider, caption, readout, view.image], title="Pooling explorer",
                            figure_view=view)
