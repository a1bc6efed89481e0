"""The pooling explorer: one slider from complete pooling through partial to no pooling.

Compute (:func:`pooling_data` once, :func:`pooling_frame` per slider value), draw
(:func:`draw_pooling`), and the ipywidgets shell (:func:`pooling_explorer`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .._kernels import normal
from ..plots import plot_shrinkage, update_shrinkage
from ..plots._common import _new_axes
from ._base import (
    TEXT_PT,
    Control,
    _Canvas,
    _enlarge_text,
    _explorer_base,
    _FigureView,
    _frozen,
    _grid,
    _group_data,
    _readout,
    _slider,
)
from ._lessons import lesson_defaults

__all__ = ["PoolingData", "PoolingFrame", "pooling_data", "pooling_frame", "draw_pooling",
           "pooling_explorer"]

#: Up to this many groups are named in the figure, beside their raw means.
_MAX_NAMED = 20
#: Size of the explorer's figure, inches (at 80 dpi: 720 x 400 px; see _base.MAX_WIDTH_PX).
FIGSIZE = (9.0, 5.0)
#: The slider's step; within half a step of the fitted w, the fitted τ̂ itself is used.
_STEP = 0.01


@dataclass(frozen=True)
class PoolingData:
    """The pooling explorer's data, checked once: groups, sizes, σ, labels and the fitted τ̂."""

    raw: np.ndarray
    n: np.ndarray
    sigma: float
    labels: tuple
    truth: np.ndarray | None
    ylabel: str
    n_typical: float
    tau_hat: float
    trust_hat: float
    ylim: tuple


@dataclass(frozen=True)
class PoolingFrame:
    """What the pooling explorer shows at one slider value.

    Made by :func:`~hiertools.widgets.pooling_frame`, drawn by
    :func:`~hiertools.widgets.draw_pooling`.
    """

    data: PoolingData
    trust: float
    tau: float
    mu: float
    estimates: np.ndarray
    weights: np.ndarray
    readout: str
    alt: str


def pooling_data(raw=None, n=None, sigma=None, *, data=None, y=None, group=None, labels=None,
                 truth=None, ylabel=None) -> PoolingData:
    """Check the pooling explorer's input once and fit τ̂ (REML).

    See :func:`~hiertools.pooling_explorer`.
    """
    groups = _group_data(data=data, y=y, group=group, raw=raw, n=n, sigma=sigma, labels=labels,
                         truth=truth)
    raw, n, sigma, truth = groups["raw"], groups["n"], groups["sigma"], groups["truth"]
    n_typical = float(np.median(n))
    tau_hat = float(normal.estimate_tau(raw, (sigma / np.sqrt(n)) ** 2, "REML"))
    low, high = min(raw.min(), 0 if truth is None else np.min(truth)), raw.max()
    pad = 0.08 * (high - low) if high > low else 1.0
    raw, n = _frozen(raw, n)
    truth = None if truth is None else _frozen(truth)[0]
    return PoolingData(raw=raw, n=n, sigma=float(sigma), labels=tuple(groups["labels"]),
                       truth=truth, ylabel="estimate" if ylabel is None else str(ylabel),
                       n_typical=n_typical, tau_hat=tau_hat,
                       trust_hat=float(normal.weights(tau_hat, sigma, n_typical)),
                       ylim=(float(low - pad), float(high + pad)))


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


def _alt(d: PoolingData, trust, tau, at_fit, mu, estimates, w) -> str:
    """One sentence (or three) saying what the frame shows and how it differs from the start."""
    shown = f"{d.raw.size} groups' estimates of {d.ylabel}, placed by group size"
    if trust == 0:
        what = (f"Complete pooling (w = 0): all {shown}, sit on the overall mean {mu:.2f}; each "
                "arrow runs the whole way from the group's raw mean.")
    elif trust == 1:
        what = f"No pooling (w = 1): all {shown}, stay on their raw means; no arrow moves."
    else:
        small, large = int(np.argmin(d.n)), int(np.argmax(d.n))
        far = int(np.argmax(np.abs(estimates - d.raw)))
        what = (f"Partial pooling at w = {trust:.2f} (τ = {tau:.2f}"
                f"{', the fitted value' if at_fit else ''}): {shown}, move from their raw means "
                f"toward the overall mean {mu:.2f}; the smallest group, {d.labels[small]} "
                f"(n = {d.n[small]:g}), goes {1 - w[small]:.2f} of the way and the largest, "
                f"{d.labels[large]} (n = {d.n[large]:g}), {1 - w[large]:.2f}; "
                f"{d.labels[far]} travels farthest, {abs(estimates[far] - d.raw[far]):.2f}.")
    if at_fit:
        return what
    more = "more" if trust < d.trust_hat else "less"
    return f"{what} That is {more} pooling than at the fitted w = {d.trust_hat:.2f}."


def pooling_frame(data: PoolingData, trust: float) -> PoolingFrame:
    """What the explorer shows at slider value `trust` (w of a median-sized group).

    Pure: no matplotlib.  Within half a slider step of the fitted w, the fitted τ̂
    itself is used (a detent: the browser snaps the slider to its 0.01 grid).
    """
    d, trust = data, float(trust)
    at_fit = abs(trust - d.trust_hat) <= _STEP / 2
    tau = d.tau_hat if at_fit else _tau_for_trust(trust, d.sigma, d.n_typical)
    mu = float(normal.pooled_mean(d.raw, d.n, tau, d.sigma))
    estimates = normal.shrink(d.raw, d.n, tau, d.sigma, mu)
    w = normal.weights(tau, d.sigma, d.n)
    if trust == 0:
        mode = "<b>complete pooling</b>: every group gets the overall mean"
    elif trust == 1:
        mode = "<b>no pooling</b>: every group keeps its raw mean"
    else:
        mode = "<b>partial pooling</b>" + (" at the fitted τ̂" if at_fit else "")
    tau_text = "∞" if np.isinf(tau) else f"{tau:.2f}"
    n = d.n
    spread = (f"all {w.min():.2f}" if np.ptp(w) < 0.005 else
              f"{w.min():.2f} (n = {n[w.argmin()]:g}) to {w.max():.2f} (n = {n[w.argmax()]:g})")
    readout = (f"{mode} &nbsp;|&nbsp; τ = {tau_text} (fitted τ̂ = {d.tau_hat:.2f}) "
               f"&nbsp;|&nbsp; weights on own data: {spread}<br>"
               + _movers(d.labels, n, d.raw, estimates, w))
    estimates, w = _frozen(estimates, w)
    return PoolingFrame(data=d, trust=trust, tau=float(tau), mu=mu, estimates=estimates,
                        weights=w, readout=readout,
                        alt=_alt(d, trust, tau, at_fit, mu, estimates, w))


def draw_pooling(frame: PoolingFrame, ax=None):
    """Draw a pooling frame on `ax` (default: a new figure); return the Axes.

    `frame` is a :class:`~hiertools.widgets.pooling.PoolingFrame`.

    On an Axes this function drew before, it moves its artists in place (the
    explorer's slider step) and checks nothing.
    """
    d = frame.data
    if getattr(ax, "hiertools_explorer", None) == "pooling":
        update_shrinkage(ax, d.raw, frame.estimates, d.n, mu=frame.mu)
        return ax
    ax = _new_axes(ax, FIGSIZE)
    plot_shrinkage(d.raw, frame.estimates, d.n, mu=frame.mu, truth=d.truth, ax=ax,
                   ylabel=d.ylabel, title="Where each group's estimate goes as pooling changes",
                   legend=None)
    # the legend goes below the axes, where it covers no data; plot_shrinkage's own handles
    # (the scatter of arrowheads would show a head too small to see on a projector)
    ax.figure.legend(handles=ax.hiertools_legend_handles, loc="outside lower center", ncol=4,
                     fontsize=TEXT_PT, frameon=False)
    if len(d.labels) <= _MAX_NAMED:  # name each group beside its raw mean (they never move)
        radii = np.sqrt(ax.hiertools_artists["raw"].get_sizes()) / 2  # marker radius, points
        for label, x, value, radius in zip(d.labels, d.n, d.raw, radii):
            ax.annotate(label, (x, value), xytext=(radius + 2, 0), textcoords="offset points",
                        fontsize=TEXT_PT, va="center", color="0.3")
    ax.set_ylim(*d.ylim)
    _enlarge_text(ax.figure)
    ax.hiertools_explorer = "pooling"
    return ax


def _controls(d: PoolingData) -> dict[str, Control]:
    default = round(d.trust_hat, 2)
    long_label = (f"Trust in own data: the weight w that a median-sized group (n = "
                  f"{d.n_typical:g}) puts on its own raw mean. 0 = complete pooling, "
                  "1 = no pooling.")
    return {"trust": Control("trust", "trust w", "ht-slider-trust", 0.0, 1.0, _STEP, default,
                             "{:.2f}", _grid(0.0, 1.0, default), tooltip=long_label,
                             html_label="trust <i>w</i>")}


def _canvas(d: PoolingData) -> tuple[_Canvas, object]:
    """The explorer's figure at the default slider value, frozen for in-place steps."""
    canvas = _Canvas(FIGSIZE)
    ax = draw_pooling(pooling_frame(d, _controls(d)["trust"].default), canvas.figure.add_subplot())
    canvas.freeze(ax.hiertools_artists.values())
    return canvas, ax


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
    starts from :math:`\\hat\\mu`.  The figure's alt text (its tooltip) says the same
    in a sentence.

    Parameters
    ----------
    raw, n, sigma : optional
        Raw group means, group sizes and within-group SD.  With no arguments, the
        data lesson 01 registers: the source text's twelve simulated districts (with their
        true rates).
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
    hiertools.widgets.pooling_frame, hiertools.widgets.draw_pooling : what one slider step
        computes and draws.

    Examples
    --------
    >>> import hiertools as ht
    >>> explorer = ht.pooling_explorer([1.0, 2.0, 6.0], n=[3, 10, 40], sigma=2.0)
    >>> explorer.control("ht-slider-trust").max
    1.0
    """
    import ipywidgets as widgets

    kwargs = dict(raw=raw, n=n, sigma=sigma, data=data, y=y, group=group, labels=labels,
                  truth=truth)
    if all(value is None for value in kwargs.values()):
        kwargs = lesson_defaults("pooling")
    if ylabel is not None:
        kwargs["ylabel"] = ylabel
    d = pooling_data(**kwargs)
    canvas, ax = _canvas(d)
    view = _FigureView(canvas)
    slider = _slider(_controls(d)["trust"], width="600px")
    caption = widgets.HTML(f"<i>w</i> = the weight a median-sized group (n = "
                           f"{d.n_typical:g}) puts on its own raw mean: 0 = complete pooling, "
                           "1 = no pooling.")  # full size: it says what the slider means
    caption.add_class("ht-caption")
    readout = _readout()

    def redraw(change=None):
        started = time.perf_counter()
        frame = pooling_frame(d, slider.value)
        draw_pooling(frame, ax)
        view.show(frame, readout, started)

    slider.observe(redraw, names="value")
    redraw()
    return _explorer_base()([slider, caption, readout, view.image], title="Pooling explorer",
                            figure_view=view)
