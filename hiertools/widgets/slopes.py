"""The varying-slopes explorer: sliders for the two SDs and the correlation of Σ, and for σ.

Compute (:func:`slopes_data` once, :func:`slopes_frame` per slider value), draw
(:func:`draw_slopes`), and the ipywidgets shell (:func:`slopes_explorer`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from .._kernels import regression
from .._validation import check_scalar, check_slope_data
from ..mixed import fit_varying_slopes
from ..plots import COLORS, plot_slopes_shrinkage, update_slopes_shrinkage
from ..slopes import slopes_cov
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
    _readout,
    _slider,
)
from ._lessons import lesson_defaults

__all__ = ["SlopesData", "SlopesFrame", "slopes_data", "slopes_frame", "draw_slopes",
           "slopes_explorer"]

#: Size of the explorer's figure, inches (at 80 dpi: 740 x 480 px; see _base.MAX_WIDTH_PX).
FIGSIZE = (9.25, 6.0)
#: Shares of N2(beta, Sigma) inside the plane's ellipses.
LEVELS = (0.5, 0.95)
_NAMES = ("sd_intercept", "sd_slope", "rho", "sigma")


def _step(top: float) -> float:
    """A slider step of about 1/300 of the range, a power of ten."""
    return 10.0 ** math.floor(math.log10(top / 300.0))


def _decimals(step: float) -> int:
    return max(0, -int(round(math.log10(step))))


@dataclass(frozen=True)
class SlopesData:
    """The slopes explorer's data, checked once: sufficient statistics, own lines, the fit."""

    stats: object
    own: np.ndarray
    labels: tuple
    group: str
    start: dict
    controls: dict
    xs: np.ndarray
    ys: np.ndarray
    codes: np.ndarray
    ends: np.ndarray
    names: dict
    focus: int
    limits: dict


@dataclass(frozen=True)
class SlopesFrame:
    """What the slopes explorer shows at one setting.

    Made by :func:`~hiertools.widgets.slopes_frame`, drawn by
    :func:`~hiertools.widgets.draw_slopes`.
    """

    data: SlopesData
    values: dict
    cov: np.ndarray
    beta: np.ndarray
    coefs: np.ndarray
    ellipses: tuple
    focus: int
    lines: np.ndarray
    readout: str
    alt: str


def _check_input(data, y, x, group):
    if data is None:
        given = [name for name, value in (("y", y), ("x", x), ("group", group))
                 if value is not None]
        raise ValueError(f"{given[0]}= was given without data=; pass the DataFrame as data= "
                         "too (or no arguments for the lesson's data).")
    missing = [name for name, value in (("y", y), ("x", x), ("group", group)) if value is None]
    if missing:
        raise ValueError(f"With data=..., also pass {', '.join(m + '=' for m in missing)} "
                         "(the outcome, predictor and group column names).")


def _start(data, y, x, group, given) -> dict:
    fit = fit_varying_slopes(data, y, x, group)
    start = {"sd_intercept": float(fit.group_sd.iloc[0]), "sd_slope": float(fit.group_sd.iloc[1]),
             "rho": 0.0 if math.isnan(fit.group_corr) else float(fit.group_corr),
             "sigma": float(fit.sigma)}
    for name, value in given.items():
        if value is not None:
            low, strict = {"rho": (-1, False), "sigma": (0, True)}.get(name, (0, False))
            start[name] = check_scalar(value, name, minimum=low, strict_min=strict,
                                       maximum=1 if name == "rho" else None)
    return start


def _controls(start, own, ys) -> dict[str, Control]:
    def top_of(name, fallback):
        reference = start[name] if start[name] > 0 else fallback
        step = _step(3.0 * reference)
        return math.ceil(3.0 * reference / step) * step

    def make(name, label, css, top, minimum=0.0, step=None):
        step = _step(top) if step is None else step
        decimals = _decimals(step)
        value = min(max(round(start[name], decimals), minimum), top)
        return Control(name, label, css, minimum, top, step, value, f"{{:.{decimals}f}}",
                       _grid(minimum, top, value, 21 if name == "rho" else 25, decimals=decimals))

    sigma_top = top_of("sigma", float(np.std(ys)) + 1e-12)
    return {
        "sd_intercept": make("sd_intercept", "σ_α (SD of intercepts)", "ht-slider-sd-intercept",
                             top_of("sd_intercept", float(np.std(own[:, 0])) + 1e-12)),
        "sd_slope": make("sd_slope", "σ_β (SD of slopes)", "ht-slider-sd-slope",
                         top_of("sd_slope", float(np.std(own[:, 1])) + 1e-12)),
        "rho": make("rho", "ρ (correlation)", "ht-slider-rho", 1.0, minimum=-1.0, step=0.01),
        "sigma": make("sigma", "σ (residual SD)", "ht-slider-sigma", sigma_top,
                      minimum=_step(sigma_top)),
    }


def _limits(own, coefs, ellipse, ys, ends) -> dict:
    """Fixed axis limits: room for the ellipses to grow and the dots to travel."""
    pad = 0.12 * np.ptp(np.vstack([own, coefs, ellipse]), axis=0)
    low = np.minimum(own.min(0), ellipse.min(0)) - pad
    high = np.maximum(own.max(0), ellipse.max(0)) + pad
    spread, span = np.ptp(ys), ends[1] - ends[0]
    return {"plane": ((low[0], high[0]), (low[1], high[1])),
            "lines": ((ends[0] - 0.03 * span, ends[1] + 0.03 * span),
                      (ys.min() - 0.1 * spread, ys.max() + 0.1 * spread))}


def slopes_data(data=None, y=None, x=None, group=None, *, sd_intercept=None, sd_slope=None,
                rho=None, sigma=None, focus=None, xlabel=None, ylabel=None, intercept_label=None,
                slope_label=None) -> SlopesData:
    """Check the slopes explorer's input once and fit the model.

    See :func:`~hiertools.slopes_explorer`.
    """
    _check_input(data, y, x, group)
    stats = check_slope_data(data, y, x, group)
    own = regression.own_lines(stats)
    labels = [str(label) for label in stats.labels]
    lacking = [label for label, row in zip(labels, own) if np.isnan(row).any()]
    if lacking:
        raise ValueError(f"data: group(s) {lacking[:3]} have fewer than two distinct values of "
                         f"x={x!r}, so they have no own line to draw an arrow from; drop them "
                         "first.")
    if len(labels) < 2:
        raise ValueError(f"group={group!r} has a single group; varying slopes need several.")
    start = _start(data, y, x, group, {"sd_intercept": sd_intercept, "sd_slope": sd_slope,
                                       "rho": rho, "sigma": sigma})
    cov0 = slopes_cov(start["sd_intercept"], start["sd_slope"], start["rho"])
    beta, coefs, _ = regression.shrink_lines(stats, cov0, start["sigma"])
    if focus is None:
        spread = np.linalg.pinv(cov0 + start["sigma"] ** 2 * np.linalg.inv(stats.ztz.sum(0)
                                                                             / len(labels)))
        deviation = own - beta
        focus_index = int(np.argmax(np.einsum("jk,kl,jl->j", deviation, spread, deviation)))
    elif str(focus) in labels:
        focus_index = labels.index(str(focus))
    else:
        raise ValueError(f"focus={focus!r} is not one of the group labels, e.g. {labels[:3]}.")
    xs, ys = data[x].to_numpy(dtype=float), data[y].to_numpy(dtype=float)
    ends = np.array([xs.min(), xs.max()])
    names = {"x": xlabel or x, "y": ylabel or y, "group": str(group),
             "intercept": intercept_label or f"intercept: {y} at {x} = 0",
             "slope": slope_label or f"slope: change in {y} per unit of {x}"}
    own, xs, ys, ends = _frozen(own, xs, ys, ends)
    return SlopesData(stats=stats, own=own, labels=tuple(labels), group=str(group), start=start,
                      controls=_controls(start, own, ys), xs=xs, ys=ys,
                      codes=stats.labels.get_indexer(data[group]), ends=ends, names=names,
                      focus=focus_index,
                      limits=_limits(own, coefs, regression.ellipse_xy(beta, cov0, LEVELS[-1]), ys,
                                     ends))


def _describe(d: SlopesData, values, beta, coefs, j, shrinkage) -> tuple[str, str]:
    """(readout HTML, alt text) of one frame."""
    da, db, ds = (_decimals(d.controls[k].step) for k in ("sd_intercept", "sd_slope", "sigma"))

    def line(c):
        return f"({c[0]:.{da}f}, {c[1]:.{db}f})"

    kept = np.sort(np.linalg.eigvals(shrinkage).real)
    who = f"{d.group} {d.labels[j]}"
    setting = (f"σ_α = {values['sd_intercept']:.{da + 1}f}, "
               f"σ_β = {values['sd_slope']:.{db + 1}f}, ρ = {values['rho']:.3f}")
    readout = (f"Σ: {setting} &nbsp;|&nbsp; σ = {values['sigma']:.{ds + 1}f} &nbsp;|&nbsp;"
               f" centre {line(beta)}<br><b>{who}</b>: own line {line(d.own[j])} → "
               f"partially pooled {line(coefs[j])}; its shrinkage matrix keeps {kept[0]:.2f} and "
               f"{kept[1]:.2f} of a deviation along its two directions")
    alt = (f"Left: each of the {len(d.labels)} {d.group}s' own lines, as (intercept, slope) "
           f"points, is pulled toward the centre {line(beta)} under Σ with {setting} and "
           f"σ = {values['sigma']:.{ds + 1}f}; the ellipses hold 50% and 95% of the "
           f"lines' distribution N₂(μ, Σ) at these values. Right: {who}'s data with its own "
           f"line {line(d.own[j])} and "
           f"its partially pooled line {line(coefs[j])}, over every {d.group}'s pooled line.")
    changed = [f"{d.controls[k].label.split(' (')[0]} = "
               f"{values[k]:.{_decimals(d.controls[k].step)}f}"
               for k in _NAMES if values[k] != d.start[k]]
    if changed:
        alt += " Changed from the fit: " + ", ".join(changed) + "."
    return readout, alt


def slopes_frame(data: SlopesData, sd_intercept, sd_slope, rho, sigma, focus=None) -> SlopesFrame:
    """What the explorer shows at the sliders' Σ (two SDs, ρ) and σ, for group `focus` (a label).

    Pure: no matplotlib.  Within half a slider step of a starting value, the exact
    starting value (the fit's) is used, so the start is exactly the fit's lines.
    """
    d = data
    given = dict(zip(_NAMES, (sd_intercept, sd_slope, rho, sigma)))
    values = {name: (d.start[name] if abs(float(v) - d.controls[name].default)
                     < d.controls[name].step / 2 else float(v)) for name, v in given.items()}
    cov = slopes_cov(values["sd_intercept"], values["sd_slope"], values["rho"])
    beta, coefs, shrinkage = regression.shrink_lines(d.stats, cov, values["sigma"])
    j = d.focus if focus is None else d.labels.index(str(focus))
    ends = d.ends
    # the right panel's lines: every group's pooled line, the centre, the chosen group's own
    # and pooled line, each as its y at the two ends of x
    lines = np.vstack([coefs[:, :1] + coefs[:, 1:] * ends, beta[0] + beta[1] * ends,
                       d.own[j, 0] + d.own[j, 1] * ends, coefs[j, 0] + coefs[j, 1] * ends])
    readout, alt = _describe(d, values, beta, coefs, j, shrinkage[j])
    ellipses = tuple(_frozen(*(regression.ellipse_xy(beta, cov, level) for level in LEVELS)))
    cov, beta, coefs, lines = _frozen(cov, beta, coefs, lines)
    return SlopesFrame(data=d, values=values, cov=cov, beta=beta, coefs=coefs, ellipses=ellipses,
                       focus=j, lines=lines, readout=readout, alt=alt)


def _update(axes, frame: SlopesFrame) -> None:
    """Move the artists :func:`draw_slopes` made (a slider step)."""
    plane, lines_ax = axes
    d, j, art = frame.data, frame.focus, lines_ax.hiertools_artists
    update_slopes_shrinkage(plane, d.own, frame.coefs, frame.beta)
    for line, xy in zip(plane.hiertools_artists["ellipses"], frame.ellipses):
        line.set_data(xy[:, 0], xy[:, 1])
    plane.hiertools_ring.set_offsets(np.vstack([d.own[j], frame.coefs[j]]))
    count = len(d.labels)
    art["everyone"].set_segments(np.stack([np.column_stack([d.ends, row])
                                           for row in frame.lines[:count]]))
    art["centre"].set_ydata(frame.lines[count])
    rows = d.codes == j
    art["points"].set_offsets(np.column_stack([d.xs[rows], d.ys[rows]]))
    art["own"].set_ydata(frame.lines[count + 1])
    art["pooled"].set_ydata(frame.lines[count + 2])
    art["title"].set_text(f"{d.group} {d.labels[j]}")


def _lines_panel(ax, frame: SlopesFrame) -> dict:
    from matplotlib.collections import LineCollection

    d, count = frame.data, len(frame.data.labels)
    ends, rows = d.ends, d.codes == frame.focus
    art = {"everyone": LineCollection([np.column_stack([ends, row]) for row in frame.lines[:count]],
                                      colors=COLORS["partial pooling"], linewidths=0.8, alpha=0.3,
                                      zorder=1, label="every group, pooled")}
    ax.add_collection(art["everyone"])
    art["centre"], = ax.plot(ends, frame.lines[count], color=COLORS["complete pooling"],
                             linestyle="--", linewidth=1.4, zorder=2, label="centre")
    art["points"] = ax.scatter(d.xs[rows], d.ys[rows], s=18, color="0.15", alpha=0.7, zorder=3,
                               label="its data")
    art["own"], = ax.plot(ends, frame.lines[count + 1], color=COLORS["no pooling"], linewidth=1.8,
                          zorder=4, label="its own line")
    art["pooled"], = ax.plot(ends, frame.lines[count + 2], color=COLORS["partial pooling"],
                             linewidth=2.4, zorder=5, label="its pooled line")
    ax.set_xlim(*d.limits["lines"][0])
    ax.set_ylim(*d.limits["lines"][1])
    ax.set_xlabel(d.names["x"])
    ax.set_ylabel(d.names["y"])
    art["title"] = ax.set_title(f"{d.group} {d.labels[frame.focus]}")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize=TEXT_PT,
              frameon=False, columnspacing=1.0, handlelength=1.5)
    ax.grid(alpha=0.3)
    return art


def draw_slopes(frame: SlopesFrame, ax=None):
    """Draw a slopes frame on two Axes `ax` (default: a new figure); return them.

    `frame` is a :class:`~hiertools.widgets.slopes.SlopesFrame`.

    Left, the intercept-slope plane; right, the chosen group's data and lines.  On Axes
    this function drew before, it moves its artists in place (the explorer's slider
    step) and checks nothing.
    """
    if ax is not None and getattr(ax[1], "hiertools_explorer", None) == "slopes":
        _update(ax, frame)
        return ax
    if ax is None:
        import matplotlib.pyplot as plt

        ax = plt.figure(figsize=FIGSIZE, layout="constrained").subplots(1, 2,
                                                                         width_ratios=[1.15, 1])
    plane, lines_ax = ax
    d, j = frame.data, frame.focus
    plot_slopes_shrinkage(d.own, frame.coefs, mean=frame.beta, cov=frame.cov, labels=d.labels,
                          ax=plane, xlabel=d.names["intercept"], ylabel=d.names["slope"],
                          title="Own lines (circles) pulled to pooled lines (dots)",
                          legend=False)
    art = plane.hiertools_artists
    plane.legend([art["ellipses"][0], art["own"], art["heads"], art["mean"]],
                 ["50%, 95% of N₂(μ, Σ)", "own line (no pooling)", "partially pooled line",
                  "centre μ"], loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2,
                 fontsize=TEXT_PT, frameon=False, columnspacing=1.0, handlelength=1.5)
    plane.set_xlim(*d.limits["plane"][0])
    plane.set_ylim(*d.limits["plane"][1])
    plane.hiertools_ring = plane.scatter(*np.vstack([d.own[j], frame.coefs[j]]).T, s=110,
                                         facecolors="none", edgecolors=COLORS["highlight"],
                                         linewidths=2.0, zorder=8)
    lines_ax.hiertools_artists = _lines_panel(lines_ax, frame)
    _enlarge_text(plane.figure)
    lines_ax.hiertools_explorer = "slopes"
    return np.array([plane, lines_ax], dtype=object)


def _animated(axes) -> list:
    plane, lines_ax = axes
    art = plane.hiertools_artists
    return [art["arrows"], art["heads"], art["mean"], *art["ellipses"], plane.hiertools_ring,
            *lines_ax.hiertools_artists.values()]


def _canvas(d: SlopesData):
    """The explorer's figure at the default values, frozen for in-place steps."""
    canvas = _Canvas(FIGSIZE)
    frame = slopes_frame(d, *(d.controls[name].default for name in _NAMES))
    axes = draw_slopes(frame, canvas.figure.subplots(1, 2, width_ratios=[1.15, 1]))
    canvas.freeze(_animated(axes))
    return canvas, axes


def slopes_explorer(data=None, y=None, x=None, group=None, *, sd_intercept=None, sd_slope=None,
                    rho=None, sigma=None, focus=None, xlabel=None, ylabel=None,
                    intercept_label=None, slope_label=None):
    """Sliders for Σ (two SDs and ρ) and σ; watch every group's line move in two views.

    Left: the intercept-slope plane -- each group's own least-squares line (open
    circle), an arrow to its partially pooled line (dot), and the 50% and 95%
    ellipses of :math:`N_2(\\hat\\beta, \\Sigma)` around the centre (the GLS fixed
    effects).  Right: the chosen group's data with its own line and its partially
    pooled line, over every group's partially pooled line.  The partially pooled lines
    are :func:`shrink_slopes` at the sliders' values; everything updates in place.

    Parameters
    ----------
    data : pandas.DataFrame, optional
        One row per observation.  With no arguments: the data lesson 06 registers, the
        sleep study (18 subjects, days 0-9, reaction time in ms).
    y, x, group : str, optional
        Outcome, predictor (whose slope varies) and grouping columns; required with
        `data`.
    sd_intercept, sd_slope, rho, sigma : float, optional
        Starting values; default: the REML fit of :func:`fit_varying_slopes`.  At the
        fitted values the partially pooled lines are exactly the fit's.
    focus : optional
        Label of the group to show on the right first (default: the lesson's choice,
        or the group whose own line lies farthest from the centre).
    xlabel, ylabel : str, optional
        Axis labels of the lines panel (x and y); say the units.
    intercept_label, slope_label : str, optional
        Axis labels of the intercept-slope plane.

    Returns
    -------
    ipywidgets.VBox
        Sliders (CSS classes ``ht-slider-sd-intercept``, ``ht-slider-sd-slope``,
        ``ht-slider-rho``, ``ht-slider-sigma``), a group dropdown
        (``ht-dropdown-group``), a readout (``ht-readout``) and the figure
        (``ht-figure``, its alt text as tooltip).

    See Also
    --------
    hiertools.widgets.slopes_frame, hiertools.widgets.draw_slopes : what one slider step
        computes and draws.

    Examples
    --------
    >>> import hiertools as ht
    >>> explorer = ht.slopes_explorer()
    >>> explorer.control("ht-slider-rho").value
    0.07
    """
    import ipywidgets as widgets

    columns = {"data": data, "y": y, "x": x, "group": group}
    if all(value is None for value in columns.values()):
        kwargs = lesson_defaults("slopes")
    else:
        kwargs = columns
    given = {"sd_intercept": sd_intercept, "sd_slope": sd_slope, "rho": rho, "sigma": sigma,
             "focus": focus, "xlabel": xlabel, "ylabel": ylabel,
             "intercept_label": intercept_label, "slope_label": slope_label}
    kwargs.update({name: value for name, value in given.items() if value is not None})
    d = slopes_data(**kwargs)
    canvas, axes = _canvas(d)
    view = _FigureView(canvas)
    sliders = {name: _slider(d.controls[name], width="400px") for name in _NAMES}
    for name, slider in sliders.items():  # the detents: these values mean the exact start
        slider.hiertools_start = d.controls[name].default
        slider.hiertools_decimals = _decimals(d.controls[name].step)
    group_box = _dropdown(list(d.labels), d.labels[d.focus], f"chosen {d.group}", "260px")
    readout = _readout()

    def redraw(change=None):
        started = time.perf_counter()
        frame = slopes_frame(d, *(sliders[name].value for name in _NAMES), group_box.value)
        draw_slopes(frame, axes)
        view.show(frame, readout, started)

    for slider in sliders.values():
        slider.observe(redraw, names="value")
    group_box.observe(redraw, names="value")
    redraw()
    controls = widgets.HBox([widgets.VBox([sliders["sd_intercept"], sliders["sd_slope"]],
                                          layout=widgets.Layout(margin="0 24px 0 0")),
                             widgets.VBox([sliders["rho"], sliders["sigma"]]),
                             group_box],
                            layout=widgets.Layout(flex_flow="row wrap"))
    return _explorer_base()([controls, readout, view.image], title="Varying-slopes explorer",
                            figure_view=view)
