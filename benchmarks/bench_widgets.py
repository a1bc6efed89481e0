"""How long one slider step of each explorer takes, in the kernel (compute + draw + PNG).

Run: python benchmarks/bench_widgets.py
Prints, per explorer and per slider, the median and 95th percentile redraw time in ms (the
shell's own timer: compute + draw + PNG encode + widget update), then the stages of a step
measured apart on the same canvas -- compute (the frame: arrays, readout, alt text), draw
(moving the artists in place), blit (redrawing them over the cached background), PNG
encode -- and the PNG bytes per frame, which is
what is sent to the browser.  The same step done the naive way (a full figure redraw and
an RGBA PNG encode) is measured in the same run as a baseline, so the ratio says what
blitting and the palette PNG save.
"""

import io
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np

import hiertools as ht

EXPLORERS = [
    ("pooling", ht.pooling_explorer, ["ht-slider-trust"]),
    ("shrinkage", ht.shrinkage_explorer, ["ht-slider-tau", "ht-slider-sigma", "ht-slider-n"]),
    ("slopes", ht.slopes_explorer,
     ["ht-slider-sd-intercept", "ht-slider-sd-slope", "ht-slider-rho", "ht-slider-sigma"]),
]


def _steps(slider, count=40):
    values = np.linspace(slider.min, slider.max, count)
    return [type(slider.value)(round(float(v), 2)) for v in values]


def _full_redraw_ms(explorer, repeats=10):
    figure = explorer.figure_view.figure
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        figure.canvas.draw()
        figure.savefig(io.BytesIO(), format="png")
        times.append(1000 * (time.perf_counter() - started))
    return float(np.median(times))


def _stages(name):
    """Median ms of compute, draw, blit and PNG encode over the grid of each slider, and bytes."""
    from hiertools.widgets import _base, explorer_controls, frames

    data = frames._default_data(name)
    controls = frames._controls(name, data)
    canvas, axes = frames._MODULES[name]._canvas(data)
    draw = {"pooling": ht.widgets.draw_pooling, "shrinkage": ht.widgets.draw_shrinkage,
            "slopes": ht.widgets.draw_slopes}[name]
    times = {"compute": [], "draw": [], "blit": [], "PNG": []}
    sizes = []
    for key, spec in explorer_controls(name).items():
        for value in spec["grid"]:
            settings = {k: c.default for k, c in controls.items()}
            settings[key] = value
            t0 = time.perf_counter()
            frame = frames._frame(name, data, settings)
            t1 = time.perf_counter()
            draw(frame, axes)
            t2 = time.perf_counter()
            canvas.blit()
            t3 = time.perf_counter()
            png = _base._encode_png(canvas.figure.canvas)  # canvas.png() is blit + this
            t4 = time.perf_counter()
            times["compute"].append(t1 - t0)
            times["draw"].append(t2 - t1)
            times["blit"].append(t3 - t2)
            times["PNG"].append(t4 - t3)
            sizes.append(len(png))
    return {k: 1000 * float(np.median(v)) for k, v in times.items()}, sizes


def print_stages():
    """Print the stages of a step for each explorer (also used by bench_browser.py)."""
    print(f"{'explorer':10s} {'compute ms':>10s} {'draw ms':>8s} {'blit ms':>8s} "
          f"{'PNG ms':>7s} {'frames':>6s} {'KB median':>9s} {'KB max':>7s}")
    for name, _, _ in EXPLORERS:
        stage, sizes = _stages(name)
        print(f"{name:10s} {stage['compute']:10.1f} {stage['draw']:8.1f} {stage['blit']:8.1f} "
              f"{stage['PNG']:7.1f} {len(sizes):6d} {np.median(sizes) / 1000:9.1f} "
              f"{max(sizes) / 1000:7.1f}")


def main():
    rows = []
    for name, build, sliders in EXPLORERS:
        explorer = build()
        for css in sliders:
            slider = explorer.control(css)
            before = len(explorer.redraw_times_ms)
            for value in _steps(slider):
                slider.value = value
            times = np.array(explorer.redraw_times_ms[before:])
            rows.append((f"{name}_explorer", css, len(times), np.median(times),
                         np.percentile(times, 95)))
        baseline = _full_redraw_ms(explorer)
        rows.append((f"{name}_explorer", "naive full redraw (baseline)", 10, baseline, baseline))
    print(f"{'explorer':20s} {'slider':30s} {'steps':>5s} {'median ms':>10s} {'p95 ms':>8s}")
    for name, css, count, median, p95 in rows:
        print(f"{name:20s} {css:30s} {count:5d} {median:10.1f} {p95:8.1f}")
    print()
    print_stages()


if __name__ == "__main__":
    main()
