"""Interactive explorers (ipywidgets).

The explorers are thin: their callbacks call the same public functions the
lessons use (:func:`shrink`, :func:`shrinkage_weights`, ...) and move the
artists of one matplotlib figure in place, then re-encode it as PNG into an
``ipywidgets.Image``.  That keeps one slider step well under 100 ms and makes the
notebook's stored output deterministic (no live canvas, no ``Output`` capture).

ipywidgets is imported only when an explorer is built, so ``import hiertools``
stays light.  Every explorer works with no arguments (it then shows the lesson's
own data), accepts the learner's data, and returns the container it displays.
Each has CSS classes (``ht-explorer``, ``ht-figure``, ``ht-readout`` and one per
slider) that the browser tests select on.
"""

from __future__ import annotations

import io
import time
from functools import cache

import numpy as np

from ._validation import as_float_array, check_same_length

__all__ = ["pooling_explorer", "shrinkage_explorer"]


@cache
def _explorer_base():
    import ipywidgets as widgets

    class Explorer(widgets.VBox):
        """A VBox that remembers its figure and reports its redraw times."""

        def __init__(self, children, *, title: str, figure_view: _FigureView, **kwargs):
            super().__init__(children, **kwargs)
            self._title = title
            self.figure_view = figure_view
            self.add_class("ht-explorer")

        def control(self, css_class: str):
            """The widget inside this explorer that carries `css_class` (e.g. "ht-slider-tau")."""
            stack = list(self.children)
            while stack:
                widget = stack.pop(0)
                if css_class in getattr(widget, "_dom_classes", ()):
                    return widget
                stack.extend(getattr(widget, "children", ()))
            raise ValueError(f"No control with CSS class {css_class!r} in this explorer.")

        @property
        def redraw_times_ms(self) -> list[float]:
            """Wall-clock milliseconds of each redraw so far (compute + draw + PNG)."""
            return list(self.figure_view.times_ms)

        def __repr__(self) -> str:  # a stable text form for stored notebook outputs
            return f"<{self._title}: move the sliders to explore>"

    return Explorer


class _FigureView:
    """A matplotlib Figure rendered to PNG bytes inside an ipywidgets.Image."""

    def __init__(self, figsize=(7.5, 4.2), dpi=80):
        import ipywidgets as widgets
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.figure)
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{figsize[0] * dpi:.0f}px"))
        self.image.add_class("ht-figure")
        self.times_ms: list[float] = []
        self._background = None
        self._animated: list = []

    def render(self, started: float | None = None) -> None:
        """Encode the figure as PNG into the Image; only moving artists are redrawn."""
        from PIL import Image

        canvas = self.figure.canvas
        if self._background is None:
            canvas.draw()
        else:
            canvas.restore_region(self._background)
            for artist in self._animated:
                artist.axes.draw_artist(artist)
        buffer = io.BytesIO()
        Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA",
                         0, 1).save(buffer, format="png", compress_level=1)
        self.image.value = buffer.getvalue()
        if started is not None:
            self.times_ms.append(1000 * (time.perf_counter() - started))

    def freeze(self, animated) -> None:
        """Fix the layout and cache everything but the `animated` artists as a background.

        Later renders redraw only the animated artists over the cached background
        (blitting), so the axes, ticks and legend are drawn once.
        """
        self.figure.canvas.draw()
        self.figure.set_layout_engine("none")
        self._animated = list(animated)
        for artist in self._animated:
            artist.set_animated(True)
        self.figure.canvas.draw()
        self._background = self.figure.canvas.copy_from_bbox(self.figure.bbox)


def _slider(kind, description, css, width="520px", **kwargs):
    import ipywidgets as widgets

    slider = getattr(widgets, kind)(description=description, continuous_update=True,
                                    style={"description_width": "initial"},
                                    layout=widgets.Layout(width=width), **kwargs)
    slider.add_class("ht-slider")
    slider.add_class(css)
    return slider


def _readout():
    import ipywidgets as widgets

    label = widgets.HTML()
    label.add_class("ht-readout")
    return label


def _group_data(data, y, group, raw, n, sigma, labels, default):
    """Resolve an explorer's input to (raw means, sizes, sigma, labels, truth).

    Accepts a DataFrame of observations (``data``, ``y``, ``group``), or raw group
    means with their sizes and the within-group SD, or nothing (then ``default()``).
    """
    from .pooling import group_summary

    if data is not None:
        if y is None or group is None:
            raise ValueError("With data=..., also pass y= (outcome column) and group= (group column).")
        summary = group_summary(data, y, group)
        if (summary["n"] < 2).all():
            raise ValueError("Every group has one observation, so sigma cannot be estimated; "
                             "pass raw=, n= and sigma= instead.")
        within = (summary["var"].fillna(0) * (summary["n"] - 1)).sum() / (summary["n"] - 1).sum()
        sigma = float(np.sqrt(within)) if sigma is None else sigma
        return (summary["mean"].to_numpy(), summary["n"].to_numpy(float), float(sigma),
                [str(i) for i in summary.index], None)
    if raw is None:
        return default()
    raw = as_float_array(raw, "raw")
    if n is None or sigma is None:
        raise ValueError("With raw=..., also pass n= (group sizes) and sigma= (within-group SD).")
    n = as_float_array(n, "n", positive=True)
    check_same_length(raw=raw, n=n)
    sigma = float(as_float_array(sigma, "sigma", allow_scalar=True, positive=True))
    if labels is None:
        labels = [str(i) for i in range(1, raw.size + 1)]
    else:
        labels = [str(label) for label in labels]
        if len(labels) != raw.size:
            raise ValueError(f"labels has {len(labels)} entries but raw has {raw.size}; "
                             "pass one label per group.")
    return raw, n, sigma, labels, None


def _seed_districts():
    from .data import simulate_districts

    d = simulate_districts()
    return (d["raw"].to_numpy(), d["n"].to_numpy(float), 3.0, list(d["district"]),
            d["true"].to_numpy())


def _tau_for_trust(trust: float, sigma: float, n_typical: float) -> float:
    """τ at which a group of size n_typical puts weight `trust` on its own mean."""
    if trust >= 1.0:
        return np.inf
    return sigma / np.sqrt(n_typical) * np.sqrt(trust / (1.0 - trust))


def pooling_explorer(raw=None, n=None, sigma=None, *, data=None, y=None, group=None,
                     truth=None, ylabel=None):
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
    truth : array_like, optional
        True group values to draw (simulated data).
    ylabel : str, optional
        Label of the estimate axis (say the units); default: the seed districts' rate
        with no arguments, else "estimate".

    Returns
    -------
    ipywidgets.VBox
        The explorer: a slider (CSS class ``ht-slider-trust``), a readout and the figure.
    """
    import ipywidgets as widgets

    from .empirical_bayes import estimate_tau
    from .plots import plot_shrinkage, update_shrinkage
    from .shrinkage import pooled_mean, shrink, shrinkage_weights

    if ylabel is None:
        ylabel = ("disease rate (cases per 1,000 per year)" if raw is None and data is None
                  else "estimate")
    raw, n, sigma, labels, default_truth = _group_data(data, y, group, raw, n, sigma, None,
                                                       _seed_districts)
    truth = default_truth if truth is None else as_float_array(truth, "truth")
    n_typical = float(np.median(n))
    tau_hat = estimate_tau(raw, sigma / np.sqrt(n), method="REML")
    trust_hat = float(shrinkage_weights(tau_hat, sigma, n_typical))

    view = _FigureView()
    ax = view.figure.add_subplot()
    start = shrink(raw, n, tau_hat, sigma)
    plot_shrinkage(raw, start, n, mu=pooled_mean(raw, n, tau_hat, sigma), truth=truth, ax=ax,
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
        mu = pooled_mean(raw, n, tau, sigma)
        estimates = shrink(raw, n, tau, sigma, mu=mu)
        update_shrinkage(ax, raw, estimates, n, mu=mu)
        w = shrinkage_weights(tau, sigma, n)
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


def _radon_counties():
    """Lesson 03's own data: county means of log radon and the REML fit of the intercept model."""
    from .data import load
    from .mixed import fit_varying_intercepts
    from .pooling import group_summary

    radon = load("radon")
    summary = group_summary(radon, "log_radon", "county")
    fit = fit_varying_intercepts(radon, "log_radon", "county")
    return (summary["mean"].to_numpy(), summary["n"].to_numpy(float), float(fit.sigma),
            list(summary.index), None), float(fit.group_sd["Intercept"])


def shrinkage_explorer(raw=None, n=None, sigma=None, *, tau=None, data=None, y=None, group=None,
                       labels=None, focus=None, ylabel="estimate"):
    """Sliders for τ, σ and one group's size; watch the estimates, weights and arrows move.

    Left: every group's arrow from its raw mean to its partially pooled estimate
    :math:`w_j\\bar y_j + (1-w_j)\\hat\\mu`, placed by group size.  Right: the weight curve
    :math:`w(n) = \\tau^2/(\\tau^2 + \\sigma^2/n)` with every group on it; it crosses one
    half at :math:`n = \\sigma^2/\\tau^2`.  The chosen group is highlighted in both, and its
    size can be changed with the last slider.

    Parameters
    ----------
    raw, n, sigma : optional
        Raw group means, group sizes and within-group SD.  With no arguments, the
        85 Minnesota counties' mean log radon (lesson 03's data), with σ and τ from
        the REML fit of the varying-intercept model.
    tau : float, optional
        Starting between-group SD; default: estimated (REML).
    data, y, group : optional
        Alternatively, a DataFrame of observations with outcome and group columns.
    labels : list, optional
        Group labels for `raw`.
    focus : optional
        Label of the group to highlight first; default: the smallest group farthest
        from the mean.
    ylabel : str
        Label of the estimate axis.

    Returns
    -------
    ipywidgets.VBox
        Sliders (CSS classes ``ht-slider-tau``, ``ht-slider-sigma``, ``ht-slider-n``), a
        group dropdown (``ht-dropdown-group``), a readout and the figure.
    """
    import ipywidgets as widgets

    from .empirical_bayes import estimate_tau
    from .plots import COLORS, _plain_log_axis, plot_shrinkage, update_shrinkage
    from .shrinkage import pooled_mean, shrink, shrinkage_weights

    default_tau = None
    if raw is None and data is None:
        (raw, n0, sigma, labels, _), default_tau = _radon_counties()
        ylabel = "mean log radon, log(pCi/L)" if ylabel == "estimate" else ylabel
    else:
        raw, n0, sigma, labels, _ = _group_data(data, y, group, raw, n, sigma, labels, None)
    if tau is None:
        tau = default_tau if default_tau is not None else estimate_tau(raw, sigma / np.sqrt(n0))
    tau = float(as_float_array(tau, "tau", allow_scalar=True, nonnegative=True))
    if focus is None:
        smallest = np.flatnonzero(n0 == n0.min())
        focus_index = int(smallest[np.argmax(np.abs(raw[smallest] - raw.mean()))])
    elif str(focus) in labels:
        focus_index = labels.index(str(focus))
    else:
        raise ValueError(f"focus={focus!r} is not one of the group labels, e.g. {labels[:3]}.")

    n_max = int(max(100, 2 * n0.max()))
    n = n0.copy()
    view = _FigureView(figsize=(10, 4.2))
    left, right = view.figure.subplots(1, 2, width_ratios=[1.6, 1])
    plot_shrinkage(raw, shrink(raw, n, tau, sigma), n, mu=pooled_mean(raw, n, tau, sigma),
                   ax=left, ylabel=ylabel, title="Raw means shrink toward μ̂: small groups travel farthest")
    left.set_xlim(0.8, n_max * 1.25)
    spread = np.ptp(raw)
    left.set_ylim(raw.min() - 0.08 * spread, raw.max() + 0.08 * spread)
    focus_head = left.scatter([n[focus_index]], [raw[focus_index]], s=90, facecolors="none",
                              edgecolors=COLORS["highlight"], linewidths=2.2, zorder=6)
    grid = np.geomspace(1, n_max * 1.25, 200)
    curve, = right.plot(grid, shrinkage_weights(tau, sigma, grid), color=COLORS["partial pooling"],
                        label="w(n) = τ² / (τ² + σ²/n)")
    dots = right.scatter(n, shrinkage_weights(tau, sigma, n), s=14,
                         color=COLORS["partial pooling"], zorder=3, label="groups")
    focus_dot = right.scatter([n[focus_index]], [0.5], s=90, facecolors="none",
                              edgecolors=COLORS["highlight"], linewidths=2.2, zorder=4,
                              label="chosen group")
    right.axhline(0.5, color="0.6", linestyle=":", linewidth=1)
    half = right.axvline(1.0, color="0.6", linestyle=":", linewidth=1, label="w = ½ at n = σ²/τ²")
    _plain_log_axis(right.xaxis)
    right.set_xlim(0.8, n_max * 1.25)
    right.set_ylim(-0.02, 1.02)
    right.set_xlabel("group size $n$ (log scale)")
    right.set_ylabel("weight on the group's own mean, $w$")
    right.set_title("Weight = reliability of own data")
    right.legend(loc="lower right", fontsize="small", frameon=False)
    right.grid(alpha=0.3)
    view.freeze([*left.hiertools_artists.values(), focus_head, curve, dots, focus_dot, half])

    style = {"readout_format": ".2f", "continuous_update": True}
    tau_slider = _slider("FloatSlider", "τ (between-group SD)", "ht-slider-tau", width="430px",
                         value=round(tau, 2), min=0.0, max=round(max(3 * tau, np.std(raw), 0.1), 2),
                         step=0.01, **{k: v for k, v in style.items() if k != "continuous_update"})
    sigma_slider = _slider("FloatSlider", "σ (within-group SD)", "ht-slider-sigma",
                           width="430px", value=round(sigma, 2), min=round(max(0.05 * sigma, 0.01), 2),
                           max=round(3 * sigma, 2), step=0.01, readout_format=".2f")
    group_box = widgets.Dropdown(options=labels, value=labels[focus_index],
                                 description="chosen group", style={"description_width": "initial"},
                                 layout=widgets.Layout(width="300px"))
    group_box.add_class("ht-dropdown-group")
    n_slider = _slider("IntSlider", "its size n", "ht-slider-n", width="430px",
                       value=int(n[focus_index]), min=1, max=n_max, step=1)
    readout = _readout()
    state = {"focus": focus_index, "busy": False}

    def redraw(change=None):
        if state["busy"]:
            return
        started = time.perf_counter()
        j = state["focus"]
        n[j] = n_slider.value
        tau_now, sigma_now = float(tau_slider.value), float(sigma_slider.value)
        mu = pooled_mean(raw, n, tau_now, sigma_now)
        estimates = shrink(raw, n, tau_now, sigma_now, mu=mu)
        w = shrinkage_weights(tau_now, sigma_now, n)
        update_shrinkage(left, raw, estimates, n, mu=mu)
        focus_head.set_offsets([[n[j], estimates[j]]])
        curve.set_ydata(shrinkage_weights(tau_now, sigma_now, grid))
        dots.set_offsets(np.column_stack([n, w]))
        focus_dot.set_offsets([[n[j], w[j]]])
        n_half = sigma_now**2 / tau_now**2 if tau_now > 0 else np.inf
        half.set_xdata([min(n_half, 1e9)] * 2)
        half_text = f"{n_half:.1f}" if np.isfinite(n_half) else "∞ (τ = 0: complete pooling)"
        readout.value = (f"<b>{labels[j]}</b>: n = {n[j]:g}, raw mean {raw[j]:.2f} → "
                         f"partially pooled {estimates[j]:.2f}, weight {w[j]:.2f} on its own mean"
                         f" &nbsp;|&nbsp; μ̂ = {mu:.2f} &nbsp;|&nbsp; weight ½ at n = σ²/τ² = "
                         f"{half_text}")
        view.render(started)

    def choose(change):
        n[state["focus"]] = n0[state["focus"]]  # the previous group gets its real size back
        state["focus"] = labels.index(change["new"])
        state["busy"] = True
        n_slider.value = int(n0[state["focus"]])
        state["busy"] = False
        redraw()

    for slider in (tau_slider, sigma_slider, n_slider):
        slider.observe(redraw, names="value")
    group_box.observe(choose, names="value")
    redraw()
    controls = widgets.HBox([widgets.VBox([tau_slider, sigma_slider],
                                          layout=widgets.Layout(margin="0 24px 0 0")),
                             widgets.VBox([group_box, n_slider])],
                            layout=widgets.Layout(flex_flow="row wrap"))
    return _explorer_base()([controls, readout, view.image], title="Shrinkage explorer",
                            figure_view=view)
