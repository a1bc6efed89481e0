"""Raw and pooled estimates of many groups: by group size (two panels) and as distributions.

Tested on what they draw: point and bar coordinates against the inputs, the jitter's bounds,
shared axes, histogram heights against numpy, the curve against the normal density.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy import stats

import hiertools as ht

D = ht.simulate_districts(300, seed=7)
RAW, N = D["raw"].to_numpy(), D["n"].to_numpy(float)
SE = 3.0 / np.sqrt(N)
POOLED = ht.shrink(RAW, N, tau=0.8, sigma=3.0)
POOLED_SE = 1 / np.sqrt(1 / 0.8**2 + 1 / SE**2)


def test_estimates_by_size_draws_each_group_with_its_bar_in_both_panels():
    left, right = ht.plot_estimates_by_size(RAW, POOLED, N, raw_se=SE, pooled_se=POOLED_SE,
                                            mu=4.9, ylabel="rate (cases per 1,000)")
    for ax, est, se in ((left, RAW, SE), (right, POOLED, POOLED_SE)):
        points = ax.hiertools_artists["points"].get_offsets()
        np.testing.assert_allclose(points[:, 1], est)
        bars = ax.hiertools_artists["bars"].get_segments()
        assert len(bars) == N.size
        for seg, e, s, x in zip(bars, est, se, points[:, 0]):
            np.testing.assert_allclose(seg, [[x, e - s], [x, e + s]])
        assert ax.get_xscale() == "log"
        assert ax.hiertools_artists["mu"].get_ydata()[0] == 4.9
        assert ax.get_xlabel().startswith("group size")
    # jittered by at most ±6% (log scale), the same factor in both panels
    x_left = left.hiertools_artists["points"].get_offsets()[:, 0]
    x_right = right.hiertools_artists["points"].get_offsets()[:, 0]
    np.testing.assert_array_equal(x_left, x_right)
    assert np.all(np.abs(np.log(x_left / N)) <= 0.06) and np.any(x_left != N)
    # one shared y axis that holds every bar
    assert left.get_ylim() == right.get_ylim()
    low, high = left.get_ylim()
    assert low < min((RAW - SE).min(), (POOLED - POOLED_SE).min())
    assert high > max((RAW + SE).max(), (POOLED + POOLED_SE).max())
    assert left.get_ylabel() == "rate (cases per 1,000)" and right.get_ylabel() == ""
    assert [left.get_title(), right.get_title()] == ["no pooling ± 1 SE", "partial pooling ± 1 SE"]
    # the legend sits below the panels, outside the data
    legend = left.figure.legends[0]
    left.figure.canvas.draw()
    assert legend.get_window_extent().y1 <= left.get_window_extent().y0 + 1


def test_estimates_by_size_is_deterministic_takes_axes_and_validates():
    first = ht.plot_estimates_by_size(RAW, POOLED, N, raw_se=SE, pooled_se=0.5, seed=3)
    second = ht.plot_estimates_by_size(RAW, POOLED, N, raw_se=SE, pooled_se=0.5, seed=3)
    np.testing.assert_array_equal(first[0].hiertools_artists["points"].get_offsets(),
                                  second[0].hiertools_artists["points"].get_offsets())
    segs = first[1].hiertools_artists["bars"].get_segments()
    np.testing.assert_allclose([s[1, 1] - s[0, 1] for s in segs], 1.0)  # a scalar SE for all
    fig, axes = plt.subplots(1, 2)
    assert list(ht.plot_estimates_by_size(RAW, POOLED, N, raw_se=SE, pooled_se=SE,
                                          axes=axes)) == list(axes)
    with pytest.raises(ValueError, match="Lengths differ"):
        ht.plot_estimates_by_size(RAW, POOLED[:-1], N, raw_se=SE, pooled_se=SE)
    with pytest.raises(ValueError, match="raw_se"):
        ht.plot_estimates_by_size(RAW, POOLED, N, raw_se=-SE, pooled_se=SE)
    with pytest.raises(ValueError, match="axes must be two"):
        ht.plot_estimates_by_size(RAW, POOLED, N, raw_se=SE, pooled_se=SE, axes=[axes[0]])
    with pytest.raises(ValueError, match="titles"):
        ht.plot_estimates_by_size(RAW, POOLED, N, raw_se=SE, pooled_se=SE, titles="one")


def test_group_distribution_draws_both_histograms_and_the_fitted_curve():
    ax = ht.plot_group_distribution(RAW, POOLED, mu=5.0, tau=0.8, bins=15,
                                    xlabel="rate (cases per 1,000)")
    artists = ax.hiertools_artists
    raw_heights, edges, _ = artists["raw"].get_data()
    pooled_heights, pooled_edges, _ = artists["pooled"].get_data()
    np.testing.assert_array_equal(edges, pooled_edges)  # shared bins
    assert len(edges) == 16
    np.testing.assert_allclose(raw_heights, np.histogram(RAW, bins=edges, density=True)[0])
    np.testing.assert_allclose(pooled_heights, np.histogram(POOLED, bins=edges, density=True)[0])
    x, y = artists["curve"].get_data()
    np.testing.assert_allclose(y, stats.norm.pdf(x, 5.0, 0.8))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == f"raw estimates (SD {RAW.std(ddof=1):.2f})"
    assert labels[1] == f"partially pooled estimates (SD {POOLED.std(ddof=1):.2f})"
    assert "τ̂ = 0.80" in labels[2]
    assert ax.get_xlabel() == "rate (cases per 1,000)" and ax.get_ylabel() == "density"
    # the legend is outside the data area, to the right
    ax.figure.canvas.draw()
    assert ax.get_legend().get_window_extent().x0 >= ax.get_window_extent().x1


def test_group_distribution_validates():
    with pytest.raises(ValueError, match="tau"):
        ht.plot_group_distribution(RAW, POOLED, mu=5.0, tau=0.0)
    with pytest.raises(ValueError, match="Lengths differ"):
        ht.plot_group_distribution(RAW, POOLED[:-1], mu=5.0, tau=1.0)
    with pytest.raises(TypeError, match="mu"):
        ht.plot_group_distribution(RAW, POOLED, mu="five", tau=1.0)


def test_estimate_plots_never_call_show(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() called"))
    ht.plot_estimates_by_size(RAW, POOLED, N, raw_se=SE, pooled_se=SE)
    ht.plot_group_distribution(RAW, POOLED, mu=5.0, tau=1.0)
    plt.close("all")
