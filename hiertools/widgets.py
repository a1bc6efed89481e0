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

__all__ = ["pooling_explorer"]


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


def _slider(kind, description, css, **kwargs):
    import ipywidgets as widgets

    slider = getattr(widgets, kind)(description=description, continuous_update=True,
                                    style={"description_width": "initial"},
                                    layout=widgets.Layout(width="520px"), **kwargs)
    slider.add_class("ht-slider")
    slider.add_class(css)
    return slider


def _readout():
    import ipywidgets as widgets

    label = widgets.HTML()
    label.add_class("ht-readout")
    return label


def _districts_data(data, y, group, raw, n, sigma):
    """Resolve the explorer's input: a DataFrame of observations, or raw means with n and sigma."""
    from .pooling import group_summary

    if data is not None:
        if y is None or group is None:
            raise ValueError("With data=..., also pass y= (outcome column) and group= (group column).")
        summary = group_summary(data, y, group)
        if (summary["n"] < 2).all():
            raise ValueError("Every group has one observation, so sigma cannot be estimated; "
                             "pass raw=, n= and sigma= instead.")
        within = (summary["var"].fillna(0) * (summary["n"] - 1)).sum() / (summary["n"] - 1).sum()
        return (summary["mean"].to_numpy(), summary["n"].to_numpy(float), float(np.sqrt(within)),
                [str(i) for i in summary.index], None)
    if raw is None:
        from .data import simulate_districts

        d = simulate_districts()
        return (d["raw"].to_numpy(), d["n"].to_numpy(float), 3.0, list(d["district"]),
                d["true"].to_numpy())
    raw = as_float_array(raw, "raw")
    if n is None or sigma is None:
        raise ValueError("With raw=..., also pass n= (group sizes) and sigma= (within-group SD).")
    n = as_float_array(n, "n", positive=True)
    check_same_length(raw=raw, n=n)
    sigma = float(as_float_array(sigma, "sigma", allow_scalar=True, positive=True))
    return raw, n, sigma, [str(i) for i in range(1, raw.size + 1)], None


def _tau_for_trust(trust: float, sigma: float, n_typical: float) -> float:
    """τ at which a group of size n_typical puts weight `trust` on its own mean."""
    if trust >= 1.0:
        return np.inf
    return sigma / np.sqrt(n_typical) * np.sqrt(trust / (1.0 - trust))


def pooling_explorer(raw=None, n=None, sigma=None, *, data=None, y=None, group=None,
                     truth=None, ylabel="rate"):
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
    ylabel : str
        Label of the estimate axis.

    Returns
    -------
    ipywidgets.VBox
        The explorer: a slider (CSS class ``ht-slider-trust``), a readout and the figure.
    """
    import ipywidgets as widgets

    from .empirical_bayes import estimate_tau
    from .plots import plot_shrinkage, update_shrinkage
    from .shrinkage import pooled_mean, shrink, shrinkage_weights

    raw, n, sigma, labels, default_truth = _districts_data(data, y, group, raw, n, sigma)
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

    slider = _slider("FloatSlider", f"trust in own data (typical group, n = {n_typical:g})",
                     "ht-slider-trust", value=round(trust_hat, 2), min=0.0, max=1.0, step=0.01,
                     readout_format=".2f")
    readout = _readout()

    def redraw(change=None):
        started = time.perf_counter()
        trust = float(slider.value)
        tau = _tau_for_trust(trust, sigma, n_typical)
        estimates = shrink(raw, n, tau, sigma)
        mu = pooled_mean(raw, n, tau, sigma)
        update_shrinkage(ax, raw, estimates, n, mu=mu)
        w = shrinkage_weights(tau, sigma, n)
        if trust == 0:
            mode = "<b>complete pooling</b>: every group gets the overall mean"
        elif trust == 1:
            mode = "<b>no pooling</b>: every group keeps its raw mean"
        else:
            mode = "<b>partial pooling</b>" + (" (the fitted τ̂)" if abs(trust - trust_hat) < 0.006
                                               else "")
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
