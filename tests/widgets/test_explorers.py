"""Explorers: thin, in place, and importing hiertools does not import ipywidgets.

Wall-clock time is measured in benchmarks/bench_widgets.py, not here (shared CI machines are
too noisy for timing assertions).  These tests assert the structure that makes a slider step
fast: no full canvas draw after the first, only the moving artists redrawn over a cached
background, and the same artists updated in place.
"""

import subprocess
import sys

import numpy as np
import pytest

import hiertools as ht


def test_import_hiertools_does_not_import_ipywidgets():
    code = "import sys, hiertools; print('ipywidgets' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_pooling_explorer_defaults_to_the_seed_districts_and_starts_at_tau_hat():
    explorer = ht.pooling_explorer()
    slider = explorer.control("ht-slider-trust")
    d = ht.simulate_districts()
    tau_hat = ht.estimate_tau(d["raw"], 3 / np.sqrt(d["n"]))
    assert slider.value == pytest.approx(ht.shrinkage_weights(tau_hat, 3.0, np.median(d["n"])),
                                         abs=0.005)
    assert "ht-explorer" in explorer._dom_classes
    assert repr(explorer) == "<Pooling explorer: move the sliders to explore>"
    ylabel = explorer.figure_view.figure.axes[0].get_ylabel()
    assert ylabel == "disease rate (cases per 1,000 person-years)"


def test_pooling_explorer_moves_arrows_in_place_to_both_limits():
    explorer = ht.pooling_explorer()
    slider = explorer.control("ht-slider-trust")
    ax = explorer.figure_view.figure.axes[0]
    arrows = ax.hiertools_artists["arrows"]
    image, d = explorer.figure_view.image, ht.simulate_districts()

    slider.value = 0.0  # complete pooling: every arrow ends on the n-weighted mean
    ends = np.array([seg[1][1] for seg in arrows.get_segments()])
    np.testing.assert_allclose(ends, np.average(d["raw"], weights=d["n"]))
    assert "complete pooling" in _readout(explorer)
    picture = image.value

    slider.value = 1.0  # no pooling: arrows of length zero
    assert ax.hiertools_artists["arrows"] is arrows  # same artist, updated in place
    lengths = [abs(seg[1][1] - seg[0][1]) for seg in arrows.get_segments()]
    assert max(lengths) == 0 and "no pooling" in _readout(explorer)
    assert image.value != picture


def _readout(explorer):
    return explorer.control("ht-readout").value


def test_pooling_explorer_readout_gives_distance_and_fraction_of_the_farthest_movers():
    explorer = ht.pooling_explorer()
    d = ht.simulate_districts()
    raw, n = d["raw"].to_numpy(), d["n"].to_numpy(float)
    tau = ht.estimate_tau(raw, 3 / np.sqrt(n))
    w = tau**2 / (tau**2 + 9 / n)  # by hand
    mu = np.sum(raw / (tau**2 + 9 / n)) / np.sum(1 / (tau**2 + 9 / n))
    distance = (1 - w) * np.abs(raw - mu)
    top = np.argsort(-distance)[:3]
    text = _readout(explorer)
    for j in top:
        assert (f"<b>{d['district'][j]}</b> (n = {n[j]:g}) {distance[j]:.2f}, "
                f"{1 - w[j]:.2f} of the way") in text
    # lesson 01's point: D07 (n = 49) moves farther than D09 (n = 17), a smaller fraction
    assert list(d["district"][top]) == ["D05", "D06", "D07"]
    assert "D09" not in text.split("moves farthest")[1]
    explorer.control("ht-slider-trust").value = 1.0
    assert "no group moves" in _readout(explorer)


def test_pooling_explorer_layout_short_label_and_legend_outside_the_axes():
    explorer = ht.pooling_explorer()
    slider = explorer.control("ht-slider-trust")
    assert len(slider.description) <= 20 and slider.description_allow_html
    assert "median-sized group" in slider.tooltip and "complete pooling" in slider.tooltip
    assert "median-sized group" in explorer.control("ht-caption").value
    figure = explorer.figure_view.figure
    ax = figure.axes[0]
    assert ax.get_legend() is None and len(figure.legends) == 1
    renderer = figure.canvas.get_renderer()
    legend_box = figure.legends[0].get_window_extent(renderer)
    assert legend_box.y1 <= ax.get_window_extent(renderer).y0  # below the data area
    names = {t.get_text() for t in ax.texts}
    assert {"D05", "D07", "D09"} <= names  # groups named beside their raw means


def test_pooling_explorer_legend_and_caption_are_readable_from_the_back_of_a_room():
    """Seen in JupyterLab: the legend's arrowhead was the arrowheads' scatter, a few pixels
    across, and the line saying what w means was <small>. The legend now shows a marker
    as large as the raw-estimate circle's, and the caption is at full size."""
    from matplotlib.lines import Line2D

    explorer = ht.pooling_explorer()
    (legend,) = explorer.figure_view.figure.legends
    handles = dict(zip((t.get_text() for t in legend.get_texts()), legend.legend_handles))
    head, circle = handles["partially pooled estimate"], handles["raw estimate (no pooling)"]
    assert isinstance(head, Line2D) and head.get_marker() == "^"
    assert head.get_markersize() >= 0.8 * circle.get_markersize() >= 5
    assert "<small" not in explorer.control("ht-caption").value


@pytest.mark.parametrize("build", [ht.pooling_explorer, ht.shrinkage_explorer])
def test_explorers_display_a_static_png_of_their_first_frame(build):
    import base64
    import io

    from PIL import Image

    explorer = build()
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"] == repr(explorer)  # what nbval compares: stable
    assert "application/vnd.jupyter.widget-view+json" in bundle  # the live widget first
    picture = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))
    live = Image.open(io.BytesIO(explorer.figure_view.image.value))
    assert picture.format == "PNG" and picture.size == live.size
    assert np.array_equal(np.asarray(picture.convert("RGBA")), np.asarray(live.convert("RGBA")))


def test_pooling_explorer_accepts_learner_data():
    rows = ht.simulate_districts(8, seed=3, observations=True)
    explorer = ht.pooling_explorer(data=rows, y="y", group="district")
    assert len(explorer.figure_view.figure.axes[0].hiertools_artists["arrows"].get_segments()) == 8
    explorer = ht.pooling_explorer([1.0, 2.0, 6.0], n=[3, 10, 40], sigma=2.0)
    assert "weights on own data" in _readout(explorer)
    with pytest.raises(ValueError, match="also pass n="):
        ht.pooling_explorer([1.0, 2.0])
    with pytest.raises(ValueError, match="also pass y="):
        ht.pooling_explorer(data=rows)


def _count_draws(explorer, monkeypatch):
    """Count full canvas draws and blits of an explorer's figure from now on."""
    canvas = explorer.figure_view.figure.canvas
    counts = {"draw": 0, "restore_region": 0}
    for method in counts:
        original = getattr(canvas, method)

        def counted(*args, _original=original, _name=method, **kwargs):
            counts[_name] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(canvas, method, counted)
    return counts


def test_pooling_explorer_steps_blit_without_a_full_redraw(monkeypatch):
    explorer = ht.pooling_explorer()
    slider = explorer.control("ht-slider-trust")
    artists = dict(explorer.figure_view.figure.axes[0].hiertools_artists)
    counts = _count_draws(explorer, monkeypatch)
    values = [round(float(v), 2) for v in np.linspace(0, 1, 11)]
    for value in values:
        slider.value = value
    assert counts == {"draw": 0, "restore_region": len(values)}
    assert explorer.figure_view.figure.axes[0].hiertools_artists == artists  # same objects
    assert all(artist.get_animated() for artist in artists.values())


def test_shrinkage_explorer_defaults_to_lesson_02s_model_and_its_county_intercepts():
    """The default explorer shows lesson 02's floor model, so it starts at its intercepts."""
    explorer = ht.shrinkage_explorer()
    fit = ht.fit_varying_intercepts(ht.load("radon"), "log_radon", "county", x="floor")
    tau = explorer.control("ht-slider-tau").value
    assert tau == pytest.approx(fit.group_sd["Intercept"], abs=0.005)
    assert explorer.control("ht-slider-sigma").value == pytest.approx(fit.sigma, abs=0.005)
    left, right = explorer.figure_view.figure.axes
    arrows = left.hiertools_artists["arrows"].get_segments()
    assert len(arrows) == 85
    # the arrows end on the fitted model's county intercepts (the sliders start at the fit)
    labels = explorer.control("ht-dropdown-group").options
    np.testing.assert_allclose([seg[1][1] for seg in arrows],
                               fit.group_coefs["Intercept"][list(labels)], atol=0.02)
    assert right.get_xlabel().startswith("group size") and "weight" in right.get_ylabel()
    assert left.get_ylabel() == "county intercept, log(pCi/L)"
    # starts on a smallest county (n = 1)
    assert explorer.control("ht-slider-n").value == 1
    assert "μ̂ = 1.46" in explorer.control("ht-readout").value


def test_shrinkage_explorer_layout_keeps_legends_off_the_data():
    explorer = ht.shrinkage_explorer()
    figure = explorer.figure_view.figure
    left, right = figure.axes
    assert left.get_legend() is None and right.get_legend() is None
    (legend,) = figure.legends
    box = legend.get_window_extent()
    assert all(box.y1 <= ax.get_window_extent().y0 for ax in (left, right))  # below both
    assert all(len(t.get_text()) <= 18 for t in legend.get_texts())  # short entries
    # the long form is a caption under the figure; the title claims no rule about distance
    caption = explorer.control("ht-caption").value
    assert "1 − w" in caption and "distance" in caption and "σ²/τ²" in caption
    assert "farthest" not in left.get_title() + right.get_title()
    for css in ("ht-slider-tau", "ht-slider-sigma", "ht-slider-n", "ht-dropdown-group"):
        assert explorer.control(css).tooltip


def test_shrinkage_explorer_legend_stays_clear_when_a_group_is_large_and_sigma_large():
    explorer = ht.shrinkage_explorer()
    explorer.control("ht-slider-sigma").value = explorer.control("ht-slider-sigma").max
    explorer.control("ht-slider-n").value = explorer.control("ht-slider-n").max
    figure = explorer.figure_view.figure
    legend = figure.legends[0].get_window_extent()
    for ax in figure.axes:
        for artist in ax.hiertools_artists.values() if hasattr(ax, "hiertools_artists") else ():
            if hasattr(artist, "get_offsets"):
                shown = ax.transData.transform(artist.get_offsets())
                assert (shown[:, 1] > legend.y1).all()


def test_shrinkage_explorer_estimates_follow_the_formula():
    raw, n = np.array([1.0, 2.0, 6.0]), np.array([3, 10, 40])
    explorer = ht.shrinkage_explorer(raw, n=n, sigma=2.0, tau=1.0, labels=["a", "b", "c"],
                                     focus="a")
    tau, sigma = explorer.control("ht-slider-tau"), explorer.control("ht-slider-sigma")
    size, group = explorer.control("ht-slider-n"), explorer.control("ht-dropdown-group")
    left, right = explorer.figure_view.figure.axes
    tau.value, sigma.value, size.value = 0.5, 1.5, 12
    expected_n = np.array([12, 10, 40])
    ends = np.array([seg[1][1] for seg in left.hiertools_artists["arrows"].get_segments()])
    np.testing.assert_allclose(ends, ht.shrink(raw, expected_n, 0.5, 1.5))
    dots = right.collections[0].get_offsets()
    np.testing.assert_allclose(dots[:, 1], ht.shrinkage_weights(0.5, 1.5, expected_n))
    text = explorer.control("ht-readout").value
    assert "<b>a</b>: n = 12" in text and "σ²/τ² = 9.0" in text
    group.value = "c"  # the previous group gets its real size back; the slider shows c's size
    assert size.value == 40
    xs = [seg[0][0] for seg in left.hiertools_artists["arrows"].get_segments()]
    assert xs == [3, 10, 40]
    tau.value = 0.0
    assert "complete pooling" in explorer.control("ht-readout").value


def test_shrinkage_explorer_steps_blit_without_a_full_redraw(monkeypatch):
    explorer = ht.shrinkage_explorer()
    tau, sigma = explorer.control("ht-slider-tau"), explorer.control("ht-slider-sigma")
    size = explorer.control("ht-slider-n")
    counts = _count_draws(explorer, monkeypatch)
    tau.value, sigma.value, size.value = 0.5, 1.0, 30
    assert counts == {"draw": 0, "restore_region": 3}
    assert len(explorer.redraw_times_ms) == 4  # the first draw and three steps


def test_shrinkage_explorer_validates():
    with pytest.raises(ValueError, match="focus='nowhere'"):
        ht.shrinkage_explorer([1.0, 2.0], n=[2, 3], sigma=1.0, focus="nowhere")
    with pytest.raises(ValueError, match="labels has 1 entries"):
        ht.shrinkage_explorer([1.0, 2.0], n=[2, 3], sigma=1.0, labels=["a"])
    with pytest.raises(ValueError, match="tau must be >= 0"):
        ht.shrinkage_explorer([1.0, 2.0], n=[2, 3], sigma=1.0, tau=-1)


def test_control_names_the_missing_class():
    with pytest.raises(ValueError, match="ht-slider-nope"):
        ht.pooling_explorer().control("ht-slider-nope")


def _forbid_validation(monkeypatch):
    """From now on, any call of a validator from hiertools._validation fails the test."""
    import sys

    def forbidden(name):
        def fail(*args, **kwargs):
            pytest.fail(f"a slider step called the validator {name}")
        return fail

    for module_name, module in list(sys.modules.items()):
        if not module_name.startswith("hiertools") or module is None:
            continue
        for attr, value in list(vars(module).items()):
            if callable(value) and getattr(value, "__module__", "") == "hiertools._validation":
                monkeypatch.setattr(module, attr, forbidden(attr))


def test_slider_steps_check_nothing_twice(monkeypatch):
    """Inputs are checked once, when an explorer is built; a step runs the kernels only."""
    pooling, shrinkage = ht.pooling_explorer(), ht.shrinkage_explorer()
    _forbid_validation(monkeypatch)
    before = pooling.figure_view.image.value
    pooling.control("ht-slider-trust").value = 0.3
    assert pooling.figure_view.image.value != before
    before = shrinkage.figure_view.image.value
    shrinkage.control("ht-slider-tau").value = 0.2
    shrinkage.control("ht-slider-sigma").value = 1.0
    shrinkage.control("ht-slider-n").value = 7
    shrinkage.control("ht-dropdown-group").value = shrinkage.control("ht-dropdown-group").options[3]
    assert shrinkage.figure_view.image.value != before
    with pytest.raises(pytest.fail.Exception, match="validator"):  # the trap does work
        ht.shrink([1.0, 2.0], [1, 2], 1.0, 1.0)


@pytest.mark.parametrize("build, css", [
    (ht.pooling_explorer, "ht-slider-trust"), (ht.shrinkage_explorer, "ht-slider-tau"),
    (ht.shrinkage_explorer, "ht-slider-n"), (ht.slopes_explorer, "ht-slider-rho"),
    (ht.slopes_explorer, "ht-dropdown-group")])
def test_a_step_sends_the_figure_and_its_alt_text_to_the_page_in_one_message(build, css):
    """ipywidgets' ImageView makes a new blob URL for the <img> at every change of its model:
    the figure and then its alt text, sent apart, made the page decode each figure twice (the
    first one thrown away; seen in chromium by tests/test_browser.py's latency test)."""
    explorer = build()
    image, sent = explorer.figure_view.image, []
    image._send = lambda msg, buffers=None: sent.append((msg, buffers))
    control = explorer.control(css)
    before = (image.value, image.tooltip)
    if css == "ht-dropdown-group":
        control.value = next(option for option in control.options if option != control.value)
    else:
        control.value = control.max
    assert (image.value, image.tooltip) != before
    assert image.tooltip != before[1]  # the alt text changed too, so both had to be sent
    assert len(sent) == 1, [msg for msg, _ in sent]
    msg, buffers = sent[0]
    assert msg["method"] == "update" and msg["state"]["tooltip"] == image.tooltip
    assert msg["buffer_paths"] == [["value"]] and bytes(buffers[0]) == image.value
