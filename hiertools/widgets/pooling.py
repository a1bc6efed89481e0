"""The pooling explorer: one slider from complete pooling through partial to no pooling."""

from __future__ import annotations

import time

import numpy as np

from ._base import _explorer_base, _FigureView, _group_data, _readout, _slider

__all__ = ["pooling_explorer"]


def _tau_for_trust(trust: float, sigma: float, n_typical: float) -> float:
    """τ at which a group of size n_typical puts weight `trust` on its own mean."""
    if trust >= 1.0:
        return np.inf
    return sigma / np.sqrt(n_typical) * np.sqrt(trust / (1.0 - trust))


def pooling_explorer(raw=None, n=None, sigma=None, *, data=None, y=None, group=None,
                     labels=None, truth=None, ylabel=None):
    """One slider from complete pooling through partial pooling to no pooling.

    The slider sets how much a typical (median-sized) group trusts its own data:
    its shrinkage weight *w*, from 0 (complete pooling: every estimate is the
    overall mean) to 1 (no pooling: every estimate is the group's raw mean).
    Behind it is the between-group SD :math:`\\tau = (\\sigma/\\sqrt{n}) \\sqrt{w/(1-w)}`;
    every group's estimate is ``ht.shrink(raw, n, tau, sigma)``.  The slider starts
    at the empirical-Bayes (REML) estimate of τ.

    Parameters
    ----------
    raw, n, sigma : optional
        Raw group means, group sizes and within-group SD.  With no arguments,
        the seed's twelve simulated districts (with their true rates).
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
        The explorer: a slider (CSS class ``ht-slider-trust``), a readout and the figure.

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
    from ..empirical_bayes import _estimate_tau
    from ..exercises.lesson01 import explorer_defaults
    from ..plots import plot_shrinkage, update_shrinkage
    from ..shrinkage import _pooled_mean, _shrink, _weights

    groups = _group_data(data=data, y=y, group=group, raw=raw, n=n, sigma=sigma, labels=labels,
                         truth=truth, defaults=explorer_defaults)
    raw, n, sigma, truth = groups["raw"], groups["n"], groups["sigma"], groups["truth"]
    ylabel = ylabel if ylabel is not None else groups.get("ylabel", "estimate")
    n_typical = float(np.median(n))
    tau_hat = _estimate_tau(raw, (sigma / np.sqrt(n)) ** 2, "REML")
    trust_hat = float(_weights(tau_hat, sigma, n_typical))

    view = _FigureView()
    ax = view.figure.add_subplot()
    start = _shrink(raw, n, tau_hat, sigma)
    plot_shrinkage(raw, start, n, mu=_pooled_mean(raw, n, tau_hat, sigma), truth=truth, ax=ax,
                   ylabel=ylabel, title="Where each group's estimate goes as pooling changes")
    low, high = min(raw.min(), 0 if truth is None else np.min(truth)), raw.max()
    pad = 0.08 * (high - low)
    ax.set_ylim(low - pad, high + pad)
    view.freeze(ax.hiertools_artists.values())

    slider = _slider("FloatSlider", "trust in own data (a median-sized group's weight)",
                     "ht-slider-trust", value=trust_hat, min=0.0, max=1.0, step=0.01,
                     readout_format=".2f")
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
                         f"&nbsp;|&nbsp; weights on own data: {spread}")
        view.render(started)

    slider.observe(redraw, names="value")
    redraw()
    return _explorer_base()([slider, readout, view.image], title="Pooling explorer",
                            figure_view=view)
