"""The shrinkage explorer: sliders for tau, sigma and one group's size.

Compute (:func:`shrinkage_data` once, :func:`shrinkage_frame` per slider value), draw
(:func:`draw_shrinkage`), and the ipywidgets shell (:func:`shrinkage_explorer`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .._kernels import normal
from .._validation import check_scalar
from ..plots import COLORS, plot_shrinkage, update_shrinkage
from ..plots._common import _plain_log_axis
from ._base import (
    TEXT_PT,
    Control,
    _Canvas,
    _dropdown,
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

__all__ = ["ShrinkageData", "ShrinkageFrame", "shrinkage_data", "shrinkage_frame",
           "draw_shrinkage", "shrinkage_explorer"]

#: Size of the explorer's figure, inches (at 80 dpi: 740 x 400 px; see _base.MAX_WIDTH_PX).
FIGSIZE = (9.25, 5.0)
_CAPTION = (
    "Left: each arrow runs from a group's raw mean (circle, area ∝ n) to its partially "
    "pooled estimate w·ȳ + (1 − w)·μ̂ (arrowhead); dashed: μ̂. The fraction of the way it "
    "travels, 1 − w, depends only on n and σ/τ; the distance also on how far ȳ starts from "
    "μ̂. Right: w(n) = τ²/(τ² + σ²/n), the weight on a group's own mean; dotted: w = ½, "
    "reached at n = σ²/τ².")


@dataclass(frozen=True)
class ShrinkageData:
    """The shrinkage explorer's data, checked once, with its starting τ and chosen group."""

    raw: np.ndarray
    n: np.ndarray
    sigma: float
    tau: float
    labels: tuple
    ylabel: str
    focus: int
    n_max: int
    grid: np.ndarray
    ylim: tuple


@dataclass(frozen=True)
class ShrinkageFrame:
    """What the shrinkage explorer shows at one setting.

    Made by :func:`~hiertools.widgets.shrinkage_frame`, drawn by
    :func:`~hiertools.widgets.draw_shrinkage`.
    """

    data: ShrinkageData
    tau: float
    sigma: float
    focus: int
    n: np.ndarray
    mu: float
    estimates: np.ndarray
    weights: np.ndarray
    curve: np.ndarray
    n_half: float
    readout: str
    alt: str


def shrinkage_data(raw=None, n=None, sigma=None, *, tau=None, data=None, y=None, group=None,
                   labels=None, focus=None, ylabel=None) -> ShrinkageData:
    """Check the shrinkage explorer's input once; see :func:`~hiertools.shrinkage_explorer`."""
    groups = _group_data(data=data, y=y, group=group, raw=raw, n=n, sigma=sigma, labels=labels,
                         truth=None)
    raw, n, sigma, labels = groups["raw"], groups["n"], groups["sigma"], groups["labels"]
    if tau is None:
        tau = normal.estimate_tau(raw, (sigma / np.sqrt(n)) ** 2, "REML")
    tau = check_scalar(tau, "tau", minimum=0)
    if focus is None:
        smallest = np.flatnonzero(n == n.min())
        focus_index = int(smallest[np.argmax(np.abs(raw[smallest] - raw.mean()))])
    elif str(focus) in labels:
        focus_index = labels.index(str(focus))
    else:
        raise ValueError(f"focus={focus!r} is not one of the group labels, e.g. {labels[:3]}.")
    n_max = int(max(100, 2 * n.max()))
    spread = np.ptp(raw) if np.ptp(raw) > 0 else 1.0
    raw, n, grid = _frozen(raw, n, np.geomspace(1, n_max * 1.25, 200))
    return ShrinkageData(raw=raw, n=n, sigma=float(sigma), tau=float(tau), labels=tuple(labels),
                         ylabel="estimate" if ylabel is None else str(ylabel), focus=focus_index,
                         n_max=n_max, grid=grid,
                         ylim=(float(raw.min() - 0.08 * spread), float(raw.max() + 0.08 * spread)))


def _alt(d, tau, sigma, j, n, mu, estimates, w, n_half) -> str:
    right = ("the weight on a group's own mean is 0 at every size" if tau == 0 else
             f"the weight on a group's own mean rises with its size and reaches ½ at "
             f"n = {n_half:.1f}")
    how = ("all the way (complete pooling)" if tau == 0 else
           "the small groups the largest fraction of the way")
    text = (f"Left: {d.raw.size} groups' raw means, placed by group size, move toward "
            f"μ̂ = {mu:.2f} at τ = {tau:.2f} and σ = {sigma:.2f}, {how}; "
            f"the chosen group {d.labels[j]} (n = {n[j]:g}) puts weight "
            f"w = {w[j]:.2f} on its own mean and moves from {d.raw[j]:.2f} to "
            f"{estimates[j]:.2f}. Right: {right}.")
    changes = []
    for name, value, start in (("τ", tau, d.tau), ("σ", sigma, d.sigma)):
        if round(value, 2) != round(start, 2):
            more = (value < start) == (name == "τ")
            changes.append(f"{name} is {'below' if value < start else 'above'} its starting "
                           f"{start:.2f}, so {'more' if more else 'less'} pooling")
    if n[j] != d.n[j]:
        changes.append(f"{d.labels[j]} is given n = {n[j]:g} instead of its real {d.n[j]:g}")
    return text + ("" if not changes else " Changed: " + "; ".join(changes) + ".")


def shrinkage_frame(data: ShrinkageData, tau: float, sigma: float, n=None,
                    focus=None) -> ShrinkageFrame:
    """What the explorer shows at τ, σ, and size `n` of the chosen group `focus` (a label).

    Pure: no matplotlib.  Default `focus`: the data's; default `n`: that group's real size.
    """
    d = data
    j = d.focus if focus is None else d.labels.index(str(focus))
    sizes = d.n.copy()
    sizes[j] = d.n[j] if n is None else n
    tau, sigma = float(tau), float(sigma)
    mu = float(normal.pooled_mean(d.raw, sizes, tau, sigma))
    estimates = normal.shrink(d.raw, sizes, tau, sigma, mu)
    w = normal.weights(tau, sigma, sizes)
    n_half = sigma**2 / tau**2 if tau > 0 else np.inf
    half_text = f"{n_half:.1f}" if np.isfinite(n_half) else "∞ (τ = 0: complete pooling)"
    readout = (f"<b>{d.labels[j]}</b>: n = {sizes[j]:g}, raw mean {d.raw[j]:.2f} → "
               f"{estimates[j]:.2f}, weight w = {w[j]:.2f} &nbsp;|&nbsp; μ̂ = {mu:.2f}"
               f" &nbsp;|&nbsp; w = ½ at n = σ²/τ² = {half_text}")
    sizes, estimates, w, curve = _frozen(sizes, estimates, w, normal.weights(tau, sigma, d.grid))
    return ShrinkageFrame(data=d, tau=tau, sigma=sigma, focus=j, n=sizes, mu=mu,
                          estimates=estimates, weights=w, curve=curve, n_half=float(n_half),
                          readout=readout,
                          alt=_alt(d, tau, sigma, j, sizes, mu, estimates, w, n_half))


def _update(axes, frame: ShrinkageFrame) -> None:
    """Move the artists :func:`draw_shrinkage` made (a slider step)."""
    left, right = axes
    d, j, art = frame.data, frame.focus, right.hiertools_artists
    update_shrinkage(left, d.raw, frame.estimates, frame.n, mu=frame.mu)
    art["focus head"].set_offsets([[frame.n[j], frame.estimates[j]]])
    art["curve"].set_ydata(frame.curve)
    art["dots"].set_offsets(np.column_stack([frame.n, frame.weights]))
    art["focus dot"].set_offsets([[frame.n[j], frame.weights[j]]])
    art["half"].set_xdata([min(frame.n_half, 1e9)] * 2)


def _legend_handles():
    from matplotlib.lines import Line2D

    marker = {"linestyle": "", "markersize": 8}
    return [
        Line2D([], [], marker="o", markerfacecolor="none", markeredgecolor=COLORS["no pooling"],
               markeredgewidth=1.3, label="raw mean", **marker),
        Line2D([], [], marker="^", color=COLORS["partial pooling"], label="partially pooled",
               markersize=8),
        Line2D([], [], color=COLORS["complete pooling"], linestyle="--", linewidth=1, label="μ̂"),
        Line2D([], [], marker="o", markerfacecolor="none", markeredgecolor=COLORS["highlight"],
               markeredgewidth=2.2, label="chosen group", **marker),
        Line2D([], [], color=COLORS["partial pooling"], marker="o", markersize=4,
               label="w(n), groups"),
        Line2D([], [], color="0.6", linestyle=":", linewidth=1, label="w = ½"),
    ]


def draw_shrinkage(frame: ShrinkageFrame, ax=None):
    """Draw a shrinkage frame on two Axes `ax` (default: a new figure); return them.

    `frame` is a :class:`~hiertools.widgets.shrinkage.ShrinkageFrame`.

    On Axes this function drew before, it moves its artists in place (the explorer's
    slider step) and checks nothing.
    """
    if ax is not None and getattr(ax[1], "hiertools_explorer", None) == "shrinkage":
        _update(ax, frame)
        return ax
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.figure(figsize=FIGSIZE, layout="constrained").subplots(1, 2, width_ratios=[1.6, 1])
    left, right = ax
    d, j = frame.data, frame.focus
    plot_shrinkage(d.raw, frame.estimates, frame.n, mu=frame.mu, ax=left, ylabel=d.ylabel,
                   title="Raw mean → partially pooled estimate", legend=None)
    left.set_xlim(0.8, d.n_max * 1.25)
    left.set_ylim(*d.ylim)
    ring = {"s": 130, "facecolors": "none", "edgecolors": COLORS["highlight"], "linewidths": 2.2}
    art = {"focus head": left.scatter([frame.n[j]], [frame.estimates[j]], zorder=6, **ring)}
    art["curve"], = right.plot(d.grid, frame.curve, color=COLORS["partial pooling"])
    art["dots"] = right.scatter(frame.n, frame.weights, s=14, color=COLORS["partial pooling"],
                                zorder=3)
    art["focus dot"] = right.scatter([frame.n[j]], [frame.weights[j]], zorder=4, **ring)
    right.axhline(0.5, color="0.6", linestyle=":", linewidth=1)
    art["half"] = right.axvline(min(frame.n_half, 1e9), color="0.6", linestyle=":", linewidth=1)
    _plain_log_axis(right.xaxis)
    right.set_xlim(0.8, d.n_max * 1.25)
    right.set_ylim(-0.02, 1.02)
    right.set_xlabel("group size $n$ (log scale)")
    right.set_ylabel("weight on own mean, $w$")
    right.set_title("Weight = reliability of own data")
    right.grid(alpha=0.3)
    # short entries, below the panels where no data can hide behind them; the caption
    # under the figure gives the long form
    handles = _legend_handles()
    left.figure.legend(handles=handles, loc="outside lower center", ncol=3,
                       fontsize=TEXT_PT, frameon=False, columnspacing=1.2, handletextpad=0.4)
    _enlarge_text(left.figure)
    right.hiertools_artists = art
    right.hiertools_explorer = "shrinkage"
    return np.array([left, right], dtype=object)


def _controls(d: ShrinkageData) -> dict[str, Control]:
    tau, sigma = round(d.tau, 2), round(d.sigma, 2)
    tau_max = round(max(3 * d.tau, float(np.std(d.raw)), 0.1), 2)
    sigma_min, sigma_max = round(max(0.05 * d.sigma, 0.01), 2), round(3 * d.sigma, 2)
    size = int(d.n[d.focus])
    return {
        "tau": Control("tau", "τ (between)", "ht-slider-tau", 0.0, tau_max, 0.01, tau, "{:.2f}",
                       _grid(0.0, tau_max, tau, 25),
                       tooltip="τ: the SD of the true group means (between groups)"),
        "sigma": Control("sigma", "σ (within)", "ht-slider-sigma", sigma_min, sigma_max, 0.01,
                         sigma, "{:.2f}", _grid(sigma_min, sigma_max, sigma, 25),
                         tooltip="σ: the SD of one observation around its group's mean "
                                 "(within groups)"),
        "n": Control("n", "its n", "ht-slider-n", 1, d.n_max, 1, size, "{:d}",
                     _grid(1, d.n_max, size, 25, integer=True, geometric=True),
                     tooltip="n: the chosen group's size (its raw mean stays the same)",
                     integer=True),
    }


def _canvas(d: ShrinkageData):
    """The explorer's figure at the default values, frozen for in-place steps."""
    canvas = _Canvas(FIGSIZE)
    controls = _controls(d)
    frame = shrinkage_frame(d, controls["tau"].default, controls["sigma"].default)
    axes = draw_shrinkage(frame, canvas.figure.subplots(1, 2, width_ratios=[1.6, 1]))
    left, right = axes
    canvas.freeze([*left.hiertools_artists.values(), *right.hiertools_artists.values()])
    return canvas, axes


def shrinkage_explorer(raw=None, n=None, sigma=None, *, tau=None, data=None, y=None, group=None,
                       labels=None, focus=None, ylabel=None):
    """Sliders for τ, σ and one group's size; watch the estimates, weights and arrows move.

    Left: every group's arrow from its raw mean to its partially pooled estimate
    :math:`w_j\\bar y_j + (1-w_j)\\hat\\mu`, placed by group size.  Right: the weight curve
    :math:`w(n) = \\tau^2/(\\tau^2 + \\sigma^2/n)` with every group on it; it crosses one
    half at :math:`n = \\sigma^2/\\tau^2`.  The chosen group is highlighted in both, and its
    size can be changed with the last slider.  The *fraction* of the way a group travels,
    :math:`1 - w_j`, depends only on :math:`n_j` and :math:`\\sigma/\\tau`; the *distance*,
    :math:`(1 - w_j)|\\bar y_j - \\hat\\mu|`, also on how far its raw mean starts from
    :math:`\\hat\\mu`.  The legend sits below the panels, so no data hide behind it; a line
    under the figure spells out what the short legend entries mean.

    Parameters
    ----------
    raw, n, sigma : optional
        Raw group means, group sizes and within-group SD.  With no arguments, the data
        lesson 03 registers: the 85 Minnesota counties' floor-adjusted mean log radon,
        with σ and τ of the REML fit of ``log_radon ~ floor + (1 | county)`` (lesson 02's
        model), so the explorer starts at that model's county intercepts.
    tau : float, optional
        Starting between-group SD; default: estimated (REML).
    data, y, group : optional
        Alternatively, a DataFrame of observations with outcome and group columns.
    labels : list, optional
        Group labels for `raw`.
    focus : optional
        Label of the group to highlight first; default: the smallest group farthest
        from the mean.
    ylabel : str, optional
        Label of the estimate axis (say the units); default: lesson 03's with no
        arguments, else "estimate".

    Returns
    -------
    ipywidgets.VBox
        Sliders (CSS classes ``ht-slider-tau``, ``ht-slider-sigma``, ``ht-slider-n``), a
        group dropdown (``ht-dropdown-group``), a readout (``ht-readout``), the figure
        (``ht-figure``, its alt text as tooltip) and a caption (``ht-caption``).

    Raises
    ------
    TypeError, ValueError
        If the data are not numeric, hold NaN, have fewer than 2 groups, the arguments
        do not have one value per group, τ < 0, or `focus` is not a group label.

    See Also
    --------
    pooling_explorer : one slider from complete to no pooling.
    shrinkage_weights, shrink : what the sliders recompute.
    hiertools.widgets.shrinkage_frame, hiertools.widgets.draw_shrinkage : what one slider step
        computes and draws.

    Examples
    --------
    >>> import hiertools as ht
    >>> explorer = ht.shrinkage_explorer([1.0, 2.0, 6.0], n=[3, 10, 40], sigma=2.0, tau=1.0)
    >>> explorer.control("ht-slider-tau").value
    1.0
    """
    import ipywidgets as widgets

    kwargs = dict(raw=raw, n=n, sigma=sigma, data=data, y=y, group=group, labels=labels)
    if all(value is None for value in kwargs.values()):
        kwargs = lesson_defaults("shrinkage")
    for name, value in (("tau", tau), ("focus", focus), ("ylabel", ylabel)):
        if value is not None:
            kwargs[name] = value
    d = shrinkage_data(**kwargs)
    canvas, axes = _canvas(d)
    view = _FigureView(canvas)
    controls = _controls(d)
    sliders = {name: _slider(control, width="400px") for name, control in controls.items()}
    group_box = _dropdown(list(d.labels), d.labels[d.focus], "group", "300px",
                          "the chosen group, ringed in pink in both panels")
    caption = widgets.HTML(_CAPTION, layout=widgets.Layout(width=f"{canvas.width_px}px"))
    caption.add_class("ht-caption")
    readout = _readout()
    state = {"busy": False}

    def redraw(change=None):
        if state["busy"]:
            return
        started = time.perf_counter()
        frame = shrinkage_frame(d, sliders["tau"].value, sliders["sigma"].value,
                                sliders["n"].value, group_box.value)
        draw_shrinkage(frame, axes)
        view.show(frame, readout, started)

    def choose(change):
        state["busy"] = True  # the slider shows the new group's real size, then one redraw
        sliders["n"].value = int(d.n[d.labels.index(change["new"])])
        state["busy"] = False
        redraw()

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    group_box.observe(choose, names="value")
    redraw()
    controls_box = widgets.HBox([widgets.VBox([sliders["tau"], sliders["sigma"]],
                                              layout=widgets.Layout(margin="0 24px 0 0")),
                                 widgets.VBox([group_box, sliders["n"]])],
                                layout=widgets.Layout(flex_flow="row wrap"))
    return _explorer_base()([controls_box, readout, view.image, caption],
                            title="Shrinkage explorer", figure_view=view)
