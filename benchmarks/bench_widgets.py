"""How long one slider step of each explorer takes, in the kernel (compute + draw + PNG).

Run: python benchmarks/bench_widgets.py
Prints the median and 95th percentile redraw time per explorer and per slider, in ms, and the
same step done the naive way (a full figure redraw and PNG encode) as a baseline measured in the
same run, so the ratio says what blitting saves.
"""

import io
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

import hiertools as ht  # noqa: E402


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


def main():
    rows = []
    for name, build, sliders in [
        ("pooling_explorer", ht.pooling_explorer, ["ht-slider-trust"]),
        ("shrinkage_explorer", ht.shrinkage_explorer,
         ["ht-slider-tau", "ht-slider-sigma", "ht-slider-n"]),
        ("slopes_explorer", ht.slopes_explorer,
         ["ht-slider-sd-intercept", "ht-slider-sd-slope", "ht-slider-rho", "ht-slider-sigma"]),
    ]:
        explorer = build()
        for css in sliders:
            slider = explorer.control(css)
            before = len(explorer.redraw_times_ms)
            for value in _steps(slider):
                slider.value = value
            times = np.array(explorer.redraw_times_ms[before:])
            rows.append((name, css, len(times), np.median(times), np.percentile(times, 95)))
        baseline = _full_redraw_ms(explorer)
        rows.append((name, "naive full redraw (baseline)", 10, baseline, baseline))
    print(f"{'explorer':20s} {'slider':30s} {'steps':>5s} {'median ms':>10s} {'p95 ms':>8s}")
    for name, css, count, median, p95 in rows:
        print(f"{name:20s} {css:30s} {count:5d} {median:10.1f} {p95:8.1f}")


if __name__ == "__main__":
    main()
