"""What every explorer shares: a figure rendered to PNG, its controls, the ipywidgets shell.

Each explorer is three layers (ArviZ's split of computing from drawing):

* a **compute** function (``pooling_frame``, ``shrinkage_frame``, ``slopes_frame``): slider
  values and data in, a frozen frame out -- the arrays the figure shows, the readout and
  an alt-text sentence; no matplotlib;
* a **draw** function (``draw_pooling``, ...): a frame onto an Axes (``ax=None`` makes a
  figure), returning the Axes; called again on the same Axes it moves the artists it
  made, in place, so a slider step redraws nothing else;
* a thin **ipywidgets shell** (``pooling_explorer``, ...) that wires its sliders to the two.

The notebook explorer and the website's frames (:func:`explorer_frames`) render through
the same :class:`_Canvas`: the figure is drawn once and frozen, then each step redraws
only the moving artists over the cached background (blitting) and is encoded as a
palette PNG.  The same frame therefore gives the same bytes in both.  The inputs are
checked once, when the data are prepared; compute and draw check nothing (the hot path).
ipywidgets is imported only when an explorer is built.

Static view.  Every explorer's display output also carries a PNG of its figure as it
was displayed (``image/png`` beside ipywidgets' view in ``_repr_mimebundle_``).  A
frontend with the widget manager (JupyterLab, Notebook 7, VS Code) shows the live
widget; a static renderer that cannot run widgets (GitHub, an unexecuted preview)
falls back to the picture, so a reader who has not run the notebook still sees the
explorer's figure.

Text size.  An explorer is read on a projector at 100-125% browser zoom.  Its figure is
rendered at ``DPI`` dots per inch and shown at its own pixel width, so text of *p* points
is ``p * DPI / 72`` CSS pixels tall at 100%; every text of an explorer figure is at least
``TEXT_PT`` points (12.2 px at 100%), and no figure is wider than ``MAX_WIDTH_PX``, so that
where JupyterLab scales it down to fit (125% zoom with the file browser open) its text is
still 12 device pixels.
"""

from __future__ import annotations

import base64
import io
import time
from dataclasses import dataclass
from functools import cache

import numpy as np

from .._kernels.arrays import frozen_copy
from .._validation import (
    check_array,
    check_consistent_length,
    check_labels,
    check_scalar,
    common_index,
)
from ..pooling import group_summary

#: Dots per inch of every explorer figure; it is shown at its own pixel width.
DPI = 80
#: Smallest text of an explorer figure, in points: 11 pt at 80 dpi is 12.2 CSS px at 100% zoom.
TEXT_PT = 11.0
#: Titles, in points.
TITLE_PT = 12.5
#: Widest explorer figure, px.  Measured in JupyterLab 4 on a 1280-px-wide screen with the
#: file browser open: the output area is 848 CSS px wide at 100% zoom and 592 at 125%, and a
#: wider image is scaled down to fit.  At 740 px a figure is shown unscaled at 100% and at
#: 592/740 of its size at 125%, where 11-pt text is then 12.2 device px (15.3 unscaled).
MAX_WIDTH_PX = 740


@dataclass(frozen=True)
class Control:
    """One slider of an explorer: how the shell builds it and the website labels its frames.

    ``label`` is the slider's label as plain text (``html_label`` as the slider shows it,
    when it uses HTML); ``format`` is a ``str.format`` template for a value
    (``"{:.2f}"``); ``grid`` is the teaching values the website renders, default included.
    """

    name: str
    label: str
    css: str
    minimum: float
    maximum: float
    step: float
    default: float
    format: str
    grid: tuple
    tooltip: str = ""
    html_label: str | None = None
    integer: bool = False

    def as_dict(self) -> dict:
        return {"label": self.label, "default": self.default, "grid": list(self.grid),
                "format": self.format, "help": self.tooltip}


def _grid(minimum, maximum, default, count=21, integer=False, geometric=False, decimals=2):
    """`count` teaching values from `minimum` to `maximum` on the slider grid, default included."""
    if geometric:
        values = np.geomspace(max(minimum, 1), maximum, count)
    else:
        values = np.linspace(minimum, maximum, count)
    values = np.round(values) if integer else np.round(values, decimals)
    values = sorted({*(int(v) if integer else float(v) for v in values), default})
    return tuple(values)


def _enlarge_text(figure, minimum: float = TEXT_PT, title: float = TITLE_PT) -> None:
    """Every text of `figure` at least `minimum` points (titles `title`), for a projector."""
    from matplotlib.text import Text

    for ax in figure.axes:
        ax.tick_params(labelsize=minimum)  # also ticks made later, at draw time
        ax.title.set_fontsize(title)
    for text in figure.findobj(Text):
        if text.get_fontsize() < minimum:
            text.set_fontsize(minimum)


def _encode_png(canvas) -> bytes:
    """The canvas as a palette PNG (256 colours, fast octree): under half of RGBA's bytes.

    zlib level 3, not 6: on the pooling explorer's frame 0.7 against 1.5 ms for 15 against
    13 KB (bench_widgets.py), which keeps a step no slower than the RGBA frames of before
    (level 1, 37 KB) while sending less than half their bytes.
    """
    from PIL import Image

    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()
    image.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE).save(
        buffer, format="png", compress_level=3)
    return buffer.getvalue()


class _Canvas:
    """A matplotlib Figure that renders to PNG bytes, redrawing only its moving artists.

    No ipywidgets: the website's frames are rendered with it too.
    """

    def __init__(self, figsize, dpi: int = DPI):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        FigureCanvasAgg(self.figure)
        self._background = None
        self._animated: list = []

    @property
    def width_px(self) -> int:
        return int(round(self.figure.get_figwidth() * self.figure.dpi))

    def freeze(self, animated) -> None:
        """Fix the layout and cache everything but the `animated` artists as a background.

        Later renders redraw only the animated artists over the cached background
        (blitting), so the axes, ticks and legend are drawn once.
        """
        _enlarge_text(self.figure)
        self.figure.canvas.draw()
        self.figure.set_layout_engine("none")
        self._animated = list(animated)
        for artist in self._animated:
            artist.set_animated(True)
        self.figure.canvas.draw()
        self._background = self.figure.canvas.copy_from_bbox(self.figure.bbox)

    def blit(self) -> None:
        """Render the figure as it is now (only the animated artists, once frozen)."""
        canvas = self.figure.canvas
        if self._background is None:
            canvas.draw()
        else:
            canvas.restore_region(self._background)
            for artist in self._animated:
                artist.axes.draw_artist(artist)

    def png(self) -> bytes:
        """The figure as it is now, as PNG bytes (only the animated artists are redrawn)."""
        self.blit()
        return _encode_png(self.figure.canvas)


@cache
def _image_class():
    """ipywidgets.Image whose tooltip reaches the page as the ``<img>``'s ``title``.

    ipywidgets 8 (8.1.9 checked) has no ``alt`` for an Image.  Its ``tooltip`` is written
    to the element's ``title`` by the front end only when the model's ``description`` is
    empty, and an Image has no ``description`` at all, so a tooltip on a plain Image
    breaks the view ("Could not create a view", reading the length of undefined).  An
    empty synced ``description`` makes the front end set ``title``, which browsers and
    screen readers use as the image's accessible name when it has no ``alt``.
    """
    import ipywidgets as widgets
    import traitlets

    class AltImage(widgets.Image):
        description = traitlets.Unicode("").tag(sync=True)

    return AltImage


class _FigureView:
    """A :class:`_Canvas` shown in an ipywidgets.Image whose tooltip is the frame's alt text.

    The alt text reaches the page as the ``title`` of the ``<img class="ht-figure">`` (see
    :func:`_image_class`); the readout beside the figure is the longer text alternative.
    """

    def __init__(self, canvas: _Canvas):
        import ipywidgets as widgets

        self.canvas = canvas
        self.figure = canvas.figure
        self.image = _image_class()(format="png",
                                    layout=widgets.Layout(width=f"{canvas.width_px}px"))
        self.image.add_class("ht-figure")
        self.times_ms: list[float] = []

    def render(self, alt: str) -> None:
        """Encode the figure into the Image and its alt text into the Image's tooltip.

        Both go to the page in one message: ipywidgets' ImageView makes a new blob URL for
        the ``<img>`` at every change of its model, so a figure and then its tooltip, sent
        apart, made the page start decoding the figure twice (the first one thrown away).
        """
        with self.image.hold_sync():
            self.image.value = self.canvas.png()
            self.image.tooltip = alt

    def show(self, frame, readout, started: float | None = None) -> None:
        """One step: `frame`'s figure and alt text, then its text into `readout`.

        The figure goes first.  Sent first, the readout kept the page busy while the kernel
        encoded the figure on the same two cores: the slopes explorer's step (the longest
        readout) was 3-11 ms slower end to end in each of four interleaved runs of
        benchmarks/bench_browser.py; the other explorers measured the same either way.
        `started` (``perf_counter()`` at the step's start) adds the step's time to
        :attr:`times_ms`.
        """
        self.render(frame.alt)
        readout.value = frame.readout
        if started is not None:
            self.times_ms.append(1000 * (time.perf_counter() - started))

    def static_png(self) -> str:
        """The figure as shown now, as base64 PNG text for a notebook's ``image/png`` output.

        Re-encoded at full compression: it is stored in the notebook.
        """
        from PIL import Image

        if not self.image.value:
            self.image.value = self.canvas.png()
        buffer = io.BytesIO()
        Image.open(io.BytesIO(self.image.value)).save(buffer, format="png", optimize=True)
        return base64.b64encode(buffer.getvalue()).decode("ascii")


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
            """Wall-clock milliseconds of each redraw so far, in the kernel (compute, draw,
            blit and PNG encode, and handing the figure and readout to ipywidgets)."""
            return list(self.figure_view.times_ms)

        @property
        def alt(self) -> str:
            """The alt text of the figure shown now (also the image's tooltip)."""
            return self.figure_view.image.tooltip

        def __repr__(self) -> str:  # a stable text form for stored notebook outputs
            return f"<{self._title}: move the sliders to explore>"

        def _repr_mimebundle_(self, **kwargs):
            """ipywidgets' bundle (text and widget view) plus a PNG of the current figure."""
            bundle = super()._repr_mimebundle_(**kwargs)
            if bundle is not None:  # None once the widget is closed
                bundle["image/png"] = self.figure_view.static_png()
            return bundle

    return Explorer


def _slider(control: Control, width="520px"):
    """The ipywidgets slider of a :class:`Control`, with its CSS classes."""
    import ipywidgets as widgets

    kind = widgets.IntSlider if control.integer else widgets.FloatSlider
    kwargs = {} if control.integer else {"readout_format": control.format[2:-1]}
    slider = kind(description=control.html_label or control.label, continuous_update=True,
                  style={"description_width": "initial"}, layout=widgets.Layout(width=width),
                  value=control.default, min=control.minimum, max=control.maximum,
                  step=control.step, description_allow_html=control.html_label is not None,
                  tooltip=control.tooltip or None, **kwargs)
    slider.add_class("ht-slider")
    slider.add_class(control.css)
    return slider


def _readout():
    import ipywidgets as widgets

    label = widgets.HTML()
    label.add_class("ht-readout")
    return label


def _dropdown(labels, value, description, width, tooltip=""):
    import ipywidgets as widgets

    box = widgets.Dropdown(options=labels, value=value, description=description,
                           style={"description_width": "initial"},
                           layout=widgets.Layout(width=width))
    box.tooltip = tooltip or None
    box.add_class("ht-dropdown-group")
    return box


def _group_data(*, data, y, group, raw, n, sigma, labels, truth):
    """Resolve an explorer's input to a dict with raw means, sizes, sigma, labels and truth.

    Accepts a DataFrame of observations (``data``, ``y``, ``group``) or raw group
    means with their sizes and the within-group SD.  Everything is checked here,
    once; the explorer's compute and draw functions check nothing.
    """
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
        raise ValueError("n=, sigma=, labels= and truth= describe raw=; pass raw= too "
                         "(or data=, y= and group=).")
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


def _frozen(*arrays):
    """Read-only float copies of `arrays` (a frame is immutable, arrays included)."""
    return [frozen_copy(array) for array in arrays]
