"""The empirical-Bayes figures draw what they claim; never plt.show()."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import StepPatch

import hiertools as ht
from hiertools.plots._common import COLORS

RNG = np.random.default_rng(0)
EST = {"a": np.maximum(0.0, RNG.normal(0.4, 0.4, 400)), "b": RNG.normal(1.0, 0.2, 400)}


def test_sampling_distributions_rows_means_truth_and_zero_spikes():
    fig, ax = plt.subplots()
    assert ht.plot_sampling_distributions(EST, truth=0.5, ax=ax, xlabel="tau_hat") is ax
    rows = ax.hiertools_rows
    assert rows["a"]["base"] == 1 and rows["b"]["base"] == 0  # first estimator on top
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    share = np.mean(EST["a"] == 0)
    assert share > 0.1 and rows["a"]["zero_share"] == share and rows["b"]["zero_share"] == 0
    bar = rows["a"]["zero_bar"]
    assert rows["b"]["zero_bar"] is None
    assert bar.get_y() == 1.0
    assert bar.get_x() + bar.get_width() / 2 == pytest.approx(0.0)
    assert "exactly 0 (bar area = share)" in ax.get_legend_handles_labels()[1]
    means = [line for line in ax.lines if line.get_marker() == "D"]
    np.testing.assert_allclose([m.get_xdata()[0] for m in means],
                               [EST["a"].mean(), EST["b"].mean()])
    truth = [line for line in ax.lines if line.get_label() == "truth"]
    assert truth[0].get_xdata()[0] == 0.5
    note = rows["a"]["zero_note"]
    assert note.get_text() == f"{share:.1%} exactly 0" and rows["b"]["zero_note"] is None
    assert ax.get_xlabel() == "tau_hat"
    ax = ht.plot_sampling_distributions(EST, zero_text="{count} of {total} at 0")
    assert [t.get_text() for t in ax.texts] == [f"{np.sum(EST['a'] == 0)} of 400 at 0"]
    assert not ht.plot_sampling_distributions(EST, zero_text="").texts


def test_sampling_distributions_draw_the_zeros_on_the_histograms_density_scale():
    """The bar at 0 is one bin wide and as tall as a histogram bar holding the same count.

    Expected heights come from np.histogram and the share, not from the plotting code.
    """
    x = np.concatenate([np.zeros(300), np.linspace(0.05, 0.95, 700)])   # 30% at exactly 0
    ax = ht.plot_sampling_distributions({"x": x}, value_range=(0, 1), bins=10)
    bar = ax.hiertools_rows["x"]["zero_bar"]
    assert bar.get_width() == pytest.approx(0.1)                # one bin wide
    counts, _ = np.histogram(x[x != 0], bins=np.linspace(0, 1, 11))
    stairs = [p for p in ax.patches if isinstance(p, StepPatch)]
    heights = stairs[0].get_path().vertices[:, 1]
    # 300 zeros against at most 70 values in any bin: the zero bar is the tallest; it fills
    # the row (0.8) and a histogram bin of c values is c / 300 of it
    assert bar.get_height() == pytest.approx(0.8)
    assert heights.max() == pytest.approx(0.8 * counts.max() / 300)
    # areas in units of density: 0.3 at zero, 0.7 under the histogram
    scale = ax.hiertools_density_scale
    assert bar.get_height() * bar.get_width() / scale == pytest.approx(0.3)
    assert np.sum(0.8 * counts / 300 * 0.1) / scale == pytest.approx(0.7)
    # the note sits in the left margin (axes fraction 0, text to its left), beside its row
    note = ax.hiertools_rows["x"]["zero_note"]
    assert note.xycoords == ("axes fraction", "data") and note.xy[0] == 0.0
    assert note.get_ha() == "right" and 0 <= note.xy[1] < 0.3
    assert note.get_text() == "30.0% exactly 0"


def test_sampling_distributions_share_a_height_scale_and_take_a_range():
    ax = ht.plot_sampling_distributions(pd.DataFrame(EST), value_range=(0, 2), bins=20)
    stairs = [p for p in ax.patches if isinstance(p, StepPatch)]
    tops = [p.get_path().vertices[:, 1].max() - base for p, base in zip(stairs[::2], [1, 0])]
    zero = ax.hiertools_rows["a"]["zero_bar"].get_height()
    assert max(*tops, zero) == pytest.approx(0.8)  # the tallest bar of all rows fills a row
    # one density scale for every row: a bar's height / its density is the same everywhere
    width = 0.1
    densities = [np.histogram(v[v != 0], bins=np.linspace(0, 2, 21))[0].max() / (400 * width)
                 for v in EST.values()]
    np.testing.assert_allclose(np.array(tops) / densities, ax.hiertools_density_scale)
    assert zero / (np.mean(EST["a"] == 0) / width) == pytest.approx(ax.hiertools_density_scale)
    assert ax.get_xlim() == pytest.approx((-0.1, 2.1))
    with pytest.raises(ValueError, match="value_range must be"):
        ht.plot_sampling_distributions(EST, value_range=(2, 0))
    with pytest.raises(TypeError, match="estimates must be a dict"):
        ht.plot_sampling_distributions([1.0, 2.0])
    with pytest.raises(ValueError, match=r"estimates\['a'\] contains NaN"):
        ht.plot_sampling_distributions({"a": [1.0, np.nan]})


def test_bias_variance_bars_stack_to_the_total():
    ax = ht.plot_bias_variance([0.0, 1.0, 0.5], [5.5, 1.8, 2.3], ["raw", "REML", "rough"],
                               xlabel="squared error")
    bias, variance = ax.containers
    widths = [b.get_width() for b in bias] + [b.get_width() for b in variance]
    assert widths == pytest.approx([0.0, 1.0, 0.5, 5.5, 1.8, 2.3])
    assert [b.get_x() for b in variance] == pytest.approx([0.0, 1.0, 0.5])
    assert [t.get_text() for t in ax.texts] == ["5.50", "2.80", "2.80"]
    positions = {t.get_text(): y for t, y in zip(ax.get_yticklabels(), ax.get_yticks())}
    assert positions == {"raw": 2, "REML": 1, "rough": 0}  # first label on top
    with pytest.raises(ValueError, match="labels has 2 entries"):
        ht.plot_bias_variance([0.0, 1.0, 0.5], [1.0, 1.0, 1.0], ["x", "y"])
    with pytest.raises(ValueError, match="variance must be >= 0"):
        ht.plot_bias_variance([0.0], [-1.0], ["x"])


def test_efron_morris_joins_each_group_across_three_rows():
    raw, shrunk, truth = [0.4, 0.2, 0.3], [0.32, 0.26, 0.29], [0.35, 0.22, 0.25]
    ax = ht.plot_efron_morris(raw, shrunk, truth, labels=["p", "q", "r"], highlight=["q", "r"],
                              center=0.27, xlabel="average")
    joins = [line for line in ax.lines if len(line.get_xdata()) == 3]
    assert len(joins) == 3
    for line, a, b, c in zip(joins, raw, shrunk, truth):
        assert list(line.get_xdata()) == [a, b, c]
        assert list(line.get_ydata()) == [2.0, 1.0, 0.0]
    colors = [line.get_color() for line in joins]
    assert colors.count(COLORS["highlight"]) == 2
    assert sorted(t.get_text() for t in ax.texts) == ["q", "r"]
    offsets = sorted(t.xyann[1] for t in ax.texts)
    assert offsets[0] != offsets[1]  # neighbours' names are staggered
    positions = {t.get_text(): y for t, y in zip(ax.get_yticklabels(), ax.get_yticks())}
    assert positions == {"raw estimate": 2, "shrunk estimate": 1, "truth": 0}
    with pytest.raises(ValueError, match="highlight has label"):
        ht.plot_efron_morris(raw, shrunk, truth, labels=["p", "q", "r"], highlight=["z"])
    with pytest.raises(TypeError, match="highlight must be a list"):
        ht.plot_efron_morris(raw, shrunk, truth, labels=["p", "q", "r"], highlight="q")
    with pytest.raises(ValueError, match="needs labels"):
        ht.plot_efron_morris(raw, shrunk, truth, highlight=["p"])
    with pytest.raises(ValueError, match="Lengths differ"):
        ht.plot_efron_morris(raw, shrunk[:2], truth)


def test_risk_error_bars_are_two_standard_errors_and_one_reference_line():
    fig, ax = plt.subplots()
    ht.plot_risk([0, 1, 2], [0.3, 0.5, 0.6], [0.01, 0.02, 0.03], label="J = 4", reference=1.0,
                 ax=ax)
    ht.plot_risk([0, 1, 2], [0.2, 0.4, 0.5], [0.01, 0.01, 0.01], label="J = 10", reference=1.0,
                 ax=ax)
    caps = ax.containers[0].lines[2][0].get_segments()
    np.testing.assert_allclose([seg[:, 1] for seg in caps],
                               [[0.28, 0.32], [0.46, 0.54], [0.54, 0.66]])
    assert sum(line.get_label() == "raw means" for line in ax.lines) == 1
    with pytest.raises(ValueError, match="Lengths differ"):
        ht.plot_risk([0, 1], [0.3], None)


def test_tau_likelihood_is_relative_and_marks_estimates_on_the_curve():
    grid = np.linspace(0, 3, 31)
    ax = ht.plot_tau_likelihood(grid, 5.0 - (grid - 1.0) ** 2, estimates={"hat": 1.0, "x": 2.0},
                                xlabel="tau (units)")
    curve = ax.lines[0]
    np.testing.assert_allclose(curve.get_ydata(), np.exp(-(grid - 1.0) ** 2))
    marks = [(line.get_xdata()[0], line.get_ydata()[0]) for line in ax.lines[1:]]
    np.testing.assert_allclose(marks, [(1.0, 1.0), (2.0, np.exp(-1.0))], rtol=1e-3)
    assert [t.get_text() for t in ax.texts] == ["hat = 1.0", "x = 2.0"]
    assert ax.get_ylabel() == "relative likelihood" and ax.get_xlabel() == "tau (units)"
    with pytest.raises(ValueError, match="tau must be >= 0"):
        ht.plot_tau_likelihood([-1.0, 1.0], [0.0, 0.0])


def test_risk_curves_on_one_axes_get_different_colours():
    fig, ax = plt.subplots()
    for _ in range(3):
        ht.plot_risk([0, 1], [0.5, 0.6], ax=ax)
    colors = [c.lines[0].get_color() for c in ax.containers]
    assert len(set(colors)) == 3
