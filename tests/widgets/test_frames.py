"""Compute, then draw: the shell's figure is draw(compute(value)); the website's frames are
the notebook explorer's images; every text is large enough for a projector; alt text.

Expected images are rendered independently of the shell (a fresh figure drawn from the
compute function's frame) and compared as PNG bytes rendered the same way, or as the
artists' data.
"""

import subprocess
import sys

import numpy as np
import pytest
from matplotlib.text import Text

import hiertools as ht
from hiertools.widgets import (
    draw_pooling,
    draw_shrinkage,
    draw_slopes,
    explorer_controls,
    explorer_frames,
    pooling,
    shrinkage,
    slopes,
)
from hiertools.widgets._base import DPI, MAX_WIDTH_PX, _Canvas
from hiertools.widgets._lessons import lesson_defaults

# explorer name -> (shell, module, data function, {control: (css class, a value to move to)})
EXPLORERS = {
    "pooling": (ht.pooling_explorer, pooling, pooling.pooling_data,
                {"trust": ("ht-slider-trust", 0.25)}),
    "shrinkage": (ht.shrinkage_explorer, shrinkage, shrinkage.shrinkage_data,
                  {"tau": ("ht-slider-tau", 0.12), "sigma": ("ht-slider-sigma", 1.4),
                   "n": ("ht-slider-n", 40)}),
    "slopes": (ht.slopes_explorer, slopes, slopes.slopes_data,
               {"sd_intercept": ("ht-slider-sd-intercept", 40.0),
                "sd_slope": ("ht-slider-sd-slope", 2.0), "rho": ("ht-slider-rho", -0.8),
                "sigma": ("ht-slider-sigma", 45.0)}),
}
CASES = [(name, control) for name, spec in EXPLORERS.items() for control in spec[3]]


@pytest.fixture(scope="module")
def shells():
    return {name: spec[0]() for name, spec in EXPLORERS.items()}


def _frame(name, data, settings):
    if name == "pooling":
        return pooling.pooling_frame(data, settings["trust"])
    if name == "shrinkage":
        return shrinkage.shrinkage_frame(data, settings["tau"], settings["sigma"], settings["n"])
    return slopes.slopes_frame(data, *(settings[k] for k in slopes._NAMES))


def _fresh_png(name, frame):
    """draw(frame) on a new figure of the explorer's size, frozen and rendered as the shell does."""
    module = EXPLORERS[name][1]
    canvas = _Canvas(module.FIGSIZE)
    if name == "pooling":
        axes = [draw_pooling(frame, canvas.figure.add_subplot())]
        animated = list(axes[0].hiertools_artists.values())
    elif name == "shrinkage":
        axes = draw_shrinkage(frame, canvas.figure.subplots(1, 2, width_ratios=[1.6, 1]))
        animated = [*axes[0].hiertools_artists.values(), *axes[1].hiertools_artists.values()]
    else:
        axes = draw_slopes(frame, canvas.figure.subplots(1, 2, width_ratios=[1.15, 1]))
        animated = slopes._animated(axes)
    canvas.freeze(animated)
    return canvas.png(), canvas.figure


def _artist_data(figure):
    """Every moving artist's data, in figure order (segments, offsets, line data, texts)."""
    out = []
    for ax in figure.axes:
        for artist in ax.get_children():
            if hasattr(artist, "get_segments"):
                out.append([np.asarray(s) for s in artist.get_segments()])
            elif hasattr(artist, "get_offsets"):
                out.append(np.asarray(artist.get_offsets()))
            elif hasattr(artist, "get_xydata"):
                out.append(np.asarray(artist.get_xydata()))
        out.append(ax.get_title())
    return out


def _assert_same(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        if isinstance(x, list):
            assert len(x) == len(y)
            for s, t in zip(x, y):
                np.testing.assert_array_equal(s, t)
        elif isinstance(x, str):
            assert x == y
        else:
            np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("name, control", CASES)
def test_the_shell_at_a_value_is_draw_of_compute_and_the_website_frame(shells, name, control):
    shell_fn, _, data_fn, controls = EXPLORERS[name]
    css, value = controls[control]
    explorer = shells[name]
    defaults = {key: spec["default"] for key, spec in explorer_controls(name).items()}
    slider = explorer.control(css)
    slider.value = value
    try:
        shown, alt = explorer.figure_view.image.value, explorer.alt
        # draw(compute(value)) on a fresh figure: same pixels, same artists' data
        frame = _frame(name, data_fn(**lesson_defaults(name)), {**defaults, control: value})
        png, figure = _fresh_png(name, frame)
        assert png == shown
        _assert_same(_artist_data(figure), _artist_data(explorer.figure_view.figure))
        assert frame.alt == alt and frame.readout == explorer.control("ht-readout").value
        # the website's frame at that value is the notebook explorer's image, byte for byte
        ((frame_png, frame_alt),) = explorer_frames(name, control, [value])
        assert frame_png == shown and frame_alt == alt
    finally:
        slider.value = defaults[control]


@pytest.mark.parametrize("name", EXPLORERS)
def test_the_default_frame_is_the_explorer_as_it_opens(name):
    explorer = EXPLORERS[name][0]()
    for control, spec in explorer_controls(name).items():
        ((png, alt),) = explorer_frames(name, control, [spec["default"]])
        assert png == explorer.figure_view.image.value and alt == explorer.alt


@pytest.mark.parametrize("name", EXPLORERS)
def test_controls_describe_the_shells_sliders(name):
    explorer = EXPLORERS[name][0]()
    controls = explorer_controls(name)
    assert list(controls) == list(EXPLORERS[name][3])  # display order
    sliders = [w for w in _walk(explorer) if "ht-slider" in w._dom_classes]
    assert len(sliders) == len(controls)
    for (key, spec), slider in zip(controls.items(), sliders):
        css = EXPLORERS[name][3][key][0]
        assert css in slider._dom_classes
        assert spec["label"] == slider.description.replace("<i>", "").replace("</i>", "")
        assert spec["default"] == slider.value
        assert 20 <= len(spec["grid"]) <= 40 and spec["default"] in spec["grid"]
        assert spec["grid"] == sorted(set(spec["grid"]))
        assert all(slider.min <= v <= slider.max for v in spec["grid"])
        steps = (np.array(spec["grid"]) - slider.min) / slider.step
        np.testing.assert_allclose(steps, np.round(steps), atol=1e-6)  # on the slider's steps
        assert spec["format"].format(spec["default"])  # a str.format template
    if name == "pooling":
        assert controls["trust"]["grid"][0] == 0.0 and controls["trust"]["grid"][-1] == 1.0


def _walk(widget):
    stack = [widget]
    while stack:
        w = stack.pop(0)
        yield w
        stack.extend(getattr(w, "children", ()))


def test_frames_use_the_grid_by_default_and_are_small():
    controls = explorer_controls("pooling")
    frames = explorer_frames("pooling", "trust")
    assert len(frames) == len(controls["trust"]["grid"])
    assert len({png for png, _ in frames}) == len(frames)  # every value draws another picture
    assert frames[0][1].startswith("Complete pooling") and frames[-1][1].startswith("No pooling")
    sizes = [len(png) for png, _ in frames]
    assert max(sizes) < 25_000, sizes  # palette PNG: RGBA at compress level 1 was 36 KB


def test_frames_validate_their_arguments():
    with pytest.raises(ValueError, match="name must be one of"):
        explorer_frames("funnel", "trust")
    with pytest.raises(ValueError, match="control must be one of"):
        explorer_frames("pooling", "tau")
    with pytest.raises(ValueError, match="outside the trust slider's range"):
        explorer_frames("pooling", "trust", [1.5])
    with pytest.raises(ValueError, match="name must be one of"):
        explorer_controls("Pooling!")


def test_frames_do_not_import_ipywidgets():
    code = ("import sys; from hiertools.widgets import explorer_frames; "
            "explorer_frames('pooling', 'trust', [0.5]); print('ipywidgets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# --- text for a projector -------------------------------------------------------------------

#: Smallest text as displayed at 100% browser zoom, CSS px (12 px: readable at the back of a room).
MIN_PX = 12.0


@pytest.mark.parametrize("name", EXPLORERS)
def test_every_text_is_at_least_12_px_as_displayed(name, shells):
    explorer = shells[name]
    figure = explorer.figure_view.figure
    rendered = figure.get_figwidth() * figure.dpi
    displayed = float(explorer.figure_view.image.layout.width.removesuffix("px"))
    assert figure.dpi == DPI and displayed == rendered
    texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
    for ax in figure.axes:
        texts += [t for t in ax.get_xticklabels() + ax.get_yticklabels() if t.get_text()]
    assert len(texts) > 10
    small = {t.get_text(): round(t.get_fontsize() * figure.dpi / 72 * displayed / rendered, 1)
             for t in texts
             if t.get_fontsize() * figure.dpi / 72 * displayed / rendered < MIN_PX}
    assert not small, f"{name}: text below {MIN_PX} px: {small}"


@pytest.mark.parametrize("name", EXPLORERS)
def test_text_stays_12_device_px_where_jupyterlab_scales_the_figure_down(name, shells):
    """At 125% zoom with the file browser open the output area is 592 CSS px wide (measured
    in JupyterLab 4 on a 1280-px screen); a wider figure is scaled to fit."""
    explorer = shells[name]
    figure = explorer.figure_view.figure
    rendered = figure.get_figwidth() * figure.dpi
    assert rendered <= MAX_WIDTH_PX
    smallest_pt = min(t.get_fontsize() for t in figure.findobj(Text) if t.get_text().strip())
    shown = min(1.0, 592 / rendered)
    assert smallest_pt * figure.dpi / 72 * shown * 1.25 >= MIN_PX


# --- alt text -------------------------------------------------------------------------------

def test_alt_text_is_the_images_tooltip_and_says_what_changed(shells):
    explorer = shells["pooling"]
    start = explorer.alt
    assert explorer.figure_view.image.tooltip == start
    assert "the fitted value" in start and "12 groups" in start
    explorer.control("ht-slider-trust").value = 0.2
    try:
        assert "more pooling than at the fitted w = 0.78" in explorer.alt
        assert explorer.figure_view.image.tooltip == explorer.alt
    finally:
        explorer.control("ht-slider-trust").value = explorer_controls("pooling")["trust"]["default"]
    shrink = shells["shrinkage"]
    shrink.control("ht-slider-n").value = 40
    try:
        assert "is given n = 40 instead of its real 1" in shrink.alt
    finally:
        shrink.control("ht-slider-n").value = 1
    rho = shells["slopes"].control("ht-slider-rho")
    rho.value = -0.5
    try:
        assert "Changed from the fit: ρ = -0.50." in shells["slopes"].alt
    finally:
        rho.value = explorer_controls("slopes")["rho"]["default"]
