"""Figures of rates from counts draw what they claim: limits, points, intervals, ranks."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy import stats

import hiertools as ht

S = ht.load("surgical").set_index("hospital")
R, N = S["deaths"], S["operations"]


def test_binomial_funnel_draws_exact_limits_and_marks_units_outside():
    ax = ht.plot_binomial_funnel(R, N, scale=100, ylabel="deaths per 100 operations")
    target = R.sum() / N.sum()
    upper_998 = next(line for line in ax.lines if line.get_label() == "99.8% limits")
    x, y = upper_998.get_data()
    k = np.searchsorted(x, 215)
    assert x[k] == 215  # integer sizes on the grid, including the data's
    # the drawn limit is the exact binomial quantile, interpolated, times the scale
    rp = stats.binom.ppf(0.999, 215, target)
    a = (stats.binom.cdf(rp, 215, target) - 0.999) / stats.binom.pmf(rp, 215, target)
    assert y[k] == pytest.approx(100 * (rp - a) / 215)
    labels = ax.get_legend_handles_labels()[1]
    assert "outside the 99.8% limits" in labels and "95% limits" in labels
    outside = ax.collections[-1].get_offsets()
    assert outside.tolist() == [[215.0, 100 * 31 / 215]]  # hospital H only
    assert [t.get_text() for t in ax.texts] == list("ABCDEFGHIJKL")  # labels from the index
    assert ax.get_ylabel() == "deaths per 100 operations" and ax.get_ylim()[0] == 0
    # the centre line's label gives the proportion, and its value on the scaled axis
    assert "pooled proportion 0.0739 (7.39 per 100)" in labels
    plain = ht.plot_binomial_funnel(R, N, target=0.05).get_legend_handles_labels()[1]
    assert "target proportion 0.05" in plain and not any("pooled" in t for t in plain)


def test_binomial_funnel_draws_a_lower_limit_only_where_it_is_above_zero():
    """At 47 operations even 0 deaths is inside the 95% limits (P(0) = 0.027 > 0.025): the
    lower line must not run along 0 there, where it would seem to pass through hospital A."""
    ax = ht.plot_binomial_funnel(R, N, scale=100)
    target = R.sum() / N.sum()
    for label, level in (("95% limits", 0.95), ("99.8% limits", 0.998)):
        upper = next(line for line in ax.lines if line.get_label() == label)
        lower = ax.lines[ax.lines.index(upper) + 1]
        x, y = lower.get_data()
        drawn = np.isfinite(y)
        assert (y[drawn] > 0).all()
        # the first size drawn is the first where P(0 deaths) < (1 - level) / 2
        first = int(np.ceil(np.log((1 - level) / 2) / np.log(1 - target)))
        assert x[drawn].min() == first
    assert x[drawn].min() > 47


def test_overdispersed_funnel_widens_the_limits_and_flags_fewer():
    phi = ht.overdispersion_test(R, N).phi
    ax = ht.plot_binomial_funnel(R, N, phi=phi)
    target = R.sum() / N.sum()
    line = next(line for line in ax.lines if line.get_label().startswith("99.8% limits"))
    assert "widened by √φ" in line.get_label()
    x, y = line.get_data()
    k = np.searchsorted(x, 215)
    _, plain = ht.funnel_limits(215, target, 0.998)
    assert y[k] == pytest.approx(target + np.sqrt(phi) * (plain - target))
    labels = ax.get_legend_handles_labels()[1]
    assert not any("outside" in text for text in labels)  # nobody beyond the widened 99.8%


def test_binomial_funnel_uses_given_axes_and_validates():
    fig, ax = plt.subplots()
    assert ht.plot_binomial_funnel([1, 2], [10, 20], ax=ax) is ax
    with pytest.raises(ValueError, match="exceed"):
        ht.plot_binomial_funnel([11, 2], [10, 20])
    with pytest.raises(ValueError, match="Lengths differ"):
        ht.plot_binomial_funnel([1, 2], [10])


def test_rate_intervals_show_raw_shrunk_and_interval_per_unit():
    fit = ht.fit_beta_binomial(R, N)
    ax = ht.plot_rate_intervals(fit, scale=100, xlabel="deaths per 100 operations",
                                highlight=["A"])
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    order = np.argsort(fit.estimates["shrunk"].to_numpy())
    assert ticks == [f"{h} ({R[h]}/{N[h]})" for h in fit.estimates.index[order]]
    segments = ax.collections[0].get_segments()
    lowest = fit.estimates.iloc[order[0]]
    assert segments[0][:, 0].tolist() == pytest.approx([100 * lowest["lower"],
                                                        100 * lowest["upper"]])
    bold = [t for t in ax.get_yticklabels() if t.get_fontweight() == "bold"]
    assert [t.get_text() for t in bold] == ["A (0/47)"]
    assert ax.lines[0].get_xdata()[0] == pytest.approx(100 * fit.prior_mean)
    with pytest.raises(TypeError, match="fit"):
        ht.plot_rate_intervals(fit.estimates)


def test_rate_intervals_label_poisson_units_with_observed_and_expected():
    fit = ht.fit_gamma_poisson([3, 9, 1, 12], [2.0, 4.0, 5.0, 3.5], labels=list("wxyz"))
    ax = ht.plot_rate_intervals(fit, sort=False, xlabel="SMR")
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "w (3 / 2.0)"
    assert ax.get_ylabel() == "unit (observed / expected)"


def test_rank_intervals_sorted_with_probabilities():
    draws = np.random.default_rng(1).normal(size=(400, 3)) + [0.0, 3.0, 1.0]
    ranks = ht.rank_summary(draws)
    ax = ht.plot_rank_intervals(ranks, probability_label="P(worst)")
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks == ["0", "2", "1"]  # top row: the unit most often first
    texts = [t.get_text() for t in ax.texts]
    assert texts[-1] == "P(worst)" and texts[2] == f"{ranks.loc[1, 'p_first']:.2f}"
    with pytest.raises(TypeError, match="rank_summary"):
        ht.plot_rank_intervals(draws)


def test_binomial_funnel_labels_do_not_cover_a_neighbouring_point():
    """Lesson 07's funnel: F (196, 6.6%) and I (207, 6.8%) are close; F's label sat on I."""
    fig, ax = plt.subplots(figsize=(8, 4.6), layout="constrained")
    ht.plot_binomial_funnel(R, N, scale=100, ax=ax)
    fig.canvas.draw()
    points = ax.transData.transform(np.column_stack([N, 100 * R / N]))
    radius = 3.5 * fig.dpi / 72  # the unit markers' radius (s=36 points squared), in pixels
    for k, text in enumerate(ax.texts):
        box = text.get_window_extent().expanded(1.0, 1.0)
        for j, (px, py) in enumerate(points):
            if j != k:
                assert not (box.x0 - radius < px < box.x1 + radius
                            and box.y0 - radius < py < box.y1 + radius), (
                    f"label {text.get_text()} covers unit {S.index[j]}")
    plt.close(fig)
