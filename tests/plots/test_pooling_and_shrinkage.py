"""Figures draw what they claim: arrows, points, limits, labels; never plt.show()."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import hiertools as ht

D = ht.simulate_districts()


def test_shrinkage_plot_draws_one_arrow_per_group_from_raw_to_pooled():
    pooled = ht.shrink(D["raw"], D["n"], tau=1.0, sigma=3.0)
    ax = ht.plot_shrinkage(D["raw"], pooled, D["n"], mu=4.9, truth=D["true"])
    segments = ax.hiertools_artists["arrows"].get_segments()
    assert len(segments) == 12
    for seg, n, a, b in zip(segments, D["n"], D["raw"], pooled):
        assert seg[0].tolist() == [n, a] and seg[1].tolist() == [n, b]
    assert ax.get_xscale() == "log"
    assert ax.get_xlabel().startswith("group size") and ax.get_ylabel() == "estimate"
    assert ax.hiertools_artists["mu"].get_ydata()[0] == 4.9
    # marker area grows with group size
    sizes = ax.collections[1].get_sizes()
    assert sizes[np.argmax(D["n"])] > sizes[np.argmin(D["n"])]
    labels = ax.get_legend_handles_labels()[1]
    assert "raw estimate (no pooling)" in labels and "truth" in labels


def test_shrinkage_plot_heads_point_the_way_each_estimate_moved():
    raw = np.array([1.0, 2.0, 3.0])
    pooled = np.array([1.5, 2.0, 2.5])  # up, not at all, down
    ax = ht.plot_shrinkage(raw, pooled, [2, 20, 5])
    heads = ax.hiertools_artists["heads"]
    np.testing.assert_allclose(heads.get_offsets(), [[2, 1.5], [20, 2.0], [5, 2.5]])
    up, dot, down = (p.vertices for p in heads.get_paths())
    # a triangle's tip sits on the pooled estimate (the origin of the marker path)
    assert up[:, 1].max() == 0 and up[:, 1].min() < 0  # body below the tip: points up
    assert down[:, 1].min() == 0 and down[:, 1].max() > 0  # body above: points down
    assert len(dot) > 4  # a circle: no direction when the estimate did not move
    ht.plots.update_shrinkage(ax, raw, [0.5, 2.0, 3.5], [2, 20, 5])  # now down, none, up
    flipped = [p.vertices for p in heads.get_paths()]
    assert flipped[0][:, 1].min() == 0 and flipped[2][:, 1].max() == 0


def test_shrinkage_plot_labels_and_legend_outside():
    pooled = ht.shrink(D["raw"], D["n"], tau=1.0, sigma=3.0)
    ax = ht.plot_shrinkage(D["raw"], pooled, D["n"], labels=D["district"], legend="outside")
    texts = ax.hiertools_labels
    assert [t.get_text() for t in texts] == list(D["district"])
    np.testing.assert_allclose([t.xy for t in texts], np.column_stack([D["n"], D["raw"]]))
    ax.figure.canvas.draw()
    assert ax.get_legend().get_window_extent().x0 >= ax.get_window_extent().x1
    assert ht.plot_shrinkage(D["raw"], pooled, D["n"], legend=None).get_legend() is None
    with pytest.raises(ValueError, match="legend"):
        ht.plot_shrinkage(D["raw"], pooled, D["n"], legend="below")
    with pytest.raises(ValueError, match="labels"):
        ht.plot_shrinkage(D["raw"], pooled, D["n"], labels=["a"])
    plt.close("all")


def test_shrinkage_plot_uses_given_axes_and_validates():
    fig, ax = plt.subplots()
    assert ht.plot_shrinkage([1.0, 2.0], [1.5, 1.8], [3, 30], ax=ax) is ax
    with pytest.raises(ValueError, match="Lengths differ"):
        ht.plot_shrinkage([1.0, 2.0], [1.5], [3, 30])


def test_funnel_limits_follow_sigma_over_root_n():
    ax = ht.plot_funnel(D["raw"], D["n"], sigma=3.0, center=5.0, levels=(0.95,))
    upper = ax.lines[1]
    x, y = upper.get_data()
    np.testing.assert_allclose(y, 5.0 + 1.959964 * 3.0 / np.sqrt(x), rtol=1e-6)
    assert ax.get_xlabel() == "group size $n_j$" and ax.get_ylabel() == "raw estimate"
    points = ax.collections[0].get_offsets()
    assert len(points) == 12


def test_funnel_labels_the_extremes():
    ax = ht.plot_funnel(D["raw"], D["n"], sigma=3.0, labels=D["district"], n_labels=2)
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 4
    top = D.loc[D["raw"].idxmax()]
    assert f"{top['district']} (n={top['n']})" in texts


def test_pooling_plot_rows_sorted_by_size():
    est = pd.DataFrame({"no pooling": D["raw"].to_numpy(), "complete pooling": 5.0},
                       index=D["district"])
    ax = ht.plot_pooling(est, n=D["n"], truth=D["true"])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "D05 (n=4)" and len(labels) == 12
    assert len(ax.collections) == 3
    with pytest.raises(TypeError, match="estimates must be a DataFrame"):
        ht.plot_pooling(D["raw"])


def test_plots_never_call_show(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() called"))
    ht.plot_funnel(D["raw"], D["n"], sigma=3.0)
    ht.plot_shrinkage(D["raw"], D["raw"], D["n"])
    ht.plot_error_by_size(pd.DataFrame({"no pooling": [1.0]}, index=[4]))


def test_funnel_marks_the_groups_outside_the_chosen_limits():
    areas = ht.simulate_districts(300, tau=0.5, seed=2)
    ax = ht.plot_funnel(areas["raw"], areas["n"], sigma=3.0, outside=0.95)
    center = (areas["raw"] * areas["n"]).sum() / areas["n"].sum()
    # outside the 95% limits: |raw - center| > 1.959964 sigma / sqrt(n), by hand
    far = (areas["raw"] - center).abs() > 1.959964 * 3.0 / np.sqrt(areas["n"])
    marked = ax.hiertools_artists["outside"].get_offsets()
    assert len(marked) == far.sum() == 51
    np.testing.assert_allclose(np.sort(marked[:, 0]), np.sort(areas.loc[far, "n"]))
    assert f"outside the 95% limits: {far.sum()} of 300" in ax.get_legend_handles_labels()[1]
    with pytest.raises(ValueError, match="outside=0.9 must be one of levels"):
        ht.plot_funnel(areas["raw"], areas["n"], sigma=3.0, outside=0.9)


def test_funnel_legend_sits_below_the_data():
    fig, ax = plt.subplots(layout="constrained")
    ht.plot_funnel(D["raw"], D["n"], sigma=3.0, ax=ax)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert ax.get_legend().get_window_extent(renderer).y1 <= ax.get_window_extent(renderer).y0


def test_error_by_size_plots_each_estimator_and_the_sigma2_over_n_curve():
    mse = pd.DataFrame({"no pooling": [3.0, 1.0, 0.3], "partial pooling": [1.2, 0.8, 0.29]},
                       index=[30, 3, 9])
    ax = ht.plot_error_by_size(mse, sigma=3.0, ylabel="mean squared error (units²)")
    raw_line, partial_line, curve = ax.lines
    assert raw_line.get_xdata().tolist() == [3, 9, 30]  # sorted by size
    assert raw_line.get_ydata().tolist() == [1.0, 0.3, 3.0]
    assert partial_line.get_label() == "partial pooling"
    x, y = curve.get_data()
    np.testing.assert_allclose(y, 9.0 / x)
    assert ax.get_xlabel() == "group size $n_j$" and ax.get_ylim()[0] == 0
    with pytest.raises(TypeError, match="errors must be a DataFrame"):
        ht.plot_error_by_size(mse["no pooling"])
    with pytest.raises(ValueError, match="errors.index"):
        ht.plot_error_by_size(mse.set_axis([0, 3, 9]))


def test_normal_funnel_limits_are_center_plus_minus_z_sigma_over_root_n():
    from scipy import stats

    from hiertools.pooling import normal_funnel_limits

    n = np.array([3.0, 12.0, 59.0, 300.0])
    for level in (0.95, 0.998):
        lower, upper = normal_funnel_limits(n, 3.0, 5.0, level)
        half = stats.norm.ppf(1 - (1 - level) / 2) * 3.0 / np.sqrt(n)
        np.testing.assert_allclose(upper, 5.0 + half, rtol=1e-12)
        np.testing.assert_allclose(lower, 5.0 - half, rtol=1e-12)
    # the coverage is what it says: a group of size 12 lands inside 99.8% of the time
    inside = stats.norm.cdf(upper[1], 5.0, 3.0 / np.sqrt(12)) - stats.norm.cdf(
        lower[1], 5.0, 3.0 / np.sqrt(12))
    assert inside == pytest.approx(0.998, abs=1e-9)
    assert normal_funnel_limits(4, 2.0, 0.0) == pytest.approx((-1.959964, 1.959964), abs=1e-6)
    with pytest.raises(ValueError, match="level"):
        normal_funnel_limits(n, 3.0, 5.0, level=1.0)
    with pytest.raises(ValueError, match="n"):
        normal_funnel_limits([0, 4], 3.0, 5.0)


def test_funnel_plot_draws_and_marks_with_the_normal_limits():
    from hiertools.pooling import normal_funnel_limits

    d = ht.simulate_districts(300, seed=7)
    ax = ht.plot_funnel(d["raw"], d["n"], sigma=3.0, levels=(0.95,), outside=0.95)
    center = np.average(d["raw"], weights=d["n"])
    line = ax.get_lines()[1]  # after the centre line: the upper 95% limit
    np.testing.assert_allclose(line.get_ydata(),
                               normal_funnel_limits(line.get_xdata(), 3.0, center)[1])
    z = 1.959963984540054
    far = np.abs(d["raw"] - center) > z * 3.0 / np.sqrt(d["n"])  # by hand
    assert len(ax.hiertools_artists["outside"].get_offsets()) == far.sum()
    plt.close("all")
