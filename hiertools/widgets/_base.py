"""What every explorer shares: a figure rendered into an ipywidgets.Image, sliders, a readout.

The explorers are thin: their callbacks compute with the same formulas the
lessons use (the kernels behind :func:`shrink`, :func:`shrinkage_weights`, ...,
on inputs checked once when the explorer is built) and move the
artists of one matplotlib figure in place, then re-encode it as PNG into an
``ipywidgets.Image``.  That keeps one slider step well under 100 ms and makes the
notebook's stored output deterministic (no live canvas, no ``Output`` capture).
ipywidgets is imported only when an explorer is built.
"""

from __future__ import annotations

import io
import time
from functools import cache

import numpy as np

from .._validation import (check_array, check_consistent_length, check_labels, check_scalar,
                           common_index)

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


def _group_data(*, data, y, group, raw, n, sigma, labels, truth, defaults):
    """Resolve an explorer's input to a dict with raw means, sizes, sigma, labels and truth.

    Accepts a DataFrame of observations (``data``, ``y``, ``group``), or raw group
    means with their sizes and the within-group SD, or nothing: then the lesson's
    own data, ``defaults()`` (a dict with the same keys, from the lesson's module).
    Everything is checked here, once; the explorer's callbacks check nothing.
    """
    from ..pooling import group_summary

    if data is not None:
        if y is None or group is None:
            raise ValueError("With data=..., also pass y= (outcome column) and group= (group "
                             "column).")
        if raw is not None or n is not None:
            raise ValueError("Pass either data= (with y= and group=) or raw= and n=, not both.")
        summary = group_summary(data, y, group)
        if (summary["n"] < 2).all():
            raise ValueError("Every group has one observation, so sigma cannot be estimated; "
                             "pass raw=, n= and sigma= instead.")
        within = (summary["var"].fillna(0) * (summary["n"] - 1)).sum() / (summary["n"] - 1).sum()
        raw, n = summary["mean"].to_numpy(), summary["n"].to_numpy(float)
        sigma = float(np.sqrt(within)) if sigma is None else sigma
        labels = [str(i) for i in summary.index] if labels is None else labels
        if len(raw) < 2:
            raise ValueError(f"group={group!r} has 1 group in data; an explorer needs at least "
                             "2 groups to pool.")
    elif raw is None:
        if n is not None or sigma is not None or labels is not None or truth is not None:
            raise ValueError("n=, sigma=, labels= and truth= describe raw=; pass raw= too "
                             "(or data=, y= and group=).")
        return dict(defaults())
    else:
        if n is None or sigma is None:
            raise ValueError("With raw=..., also pass n= (group sizes) and sigma= (within-group "
                             "SD).")
        common_index(raw=raw, n=n, truth=truth)
        raw = check_array(raw, "raw", min_size=2)
    n = check_array(n, "n", positive=True)
    check_consistent_length(raw=raw, n=n)
    sigma = check_scalar(sigma, "sigma", minimum=0, strict_min=True)
    if labels is None:
        labels = [str(i) for i in range(1, raw.size + 1)]
    else:
        labels = check_labels(labels, "labels", raw.size)
    if truth is not None:
        truth = check_array(truth, "truth")
        check_consistent_length(raw=raw, truth=truth)
    return {"raw": raw, "n": n, "sigma": sigma, "labels": labels, "truth": truth}
