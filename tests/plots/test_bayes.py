"""Figures of the Bayesian lesson draw what they claim, on the Axes given, with labelled axes."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import hiertools as ht

SCHOOLS = ht.load("eight_schools").set_index("school")
POST = ht.tau_posterior(SCHOOLS["y"], SCHOOLS["se"])


def teardown_function():
    plt.close("all")


def test_tau_posterior_plot_draws_the_density_and_marks_mean_and_median():
    ax = ht.plot_tau_posterior(POST, units="SAT points")
    x, y = ax.lines[0].get_data()
    np.testing.assert_allclose(y, np.interp(x, POST.tau, POST.density))
    assert ax.get_xlim() == (0, pytest.approx(POST.quantile(0.995)))
    assert ax.get_xlabel() == "τ, between-group SD (SAT points)"
    assert "per SAT point" in ax.get_ylabel()
    labels = ax.get_legend_handles_labels()[1]
    assert labels == [f"mean {POST.tau_mean:.2f}", f"median {POST.tau_median:.2f}"]


def test_several_posteriors_one_curve_each_and_the_log_view_keeps_areas():
    other = ht.tau_posterior(SCHOOLS["y"], SCHOOLS["se"], "half-normal", scale=10)
    ax = ht.plot_tau_posterior({"uniform": POST, "half-normal": other}, tau_max=30)
    assert len(ax.lines) == 2 and ax.get_legend_handles_labels()[1] == ["uniform", "half-normal"]
    ax = ht.plot_tau_posterior({"uniform": POST}, tau_min=1e-3, tau_max=50)
    assert ax.get_xscale() == "log"
    x, y = ax.lines[0].get_data()
    # tau * p(tau) is the density of log tau: it integrates to 1 over log tau
    np.testing.assert_allclose(y, x * np.interp(x, POST.tau, POST.density))
    assert np.trapezoid(y, np.log(x)) == pytest.approx(1, abs=0.01)


def test_theta_given_tau_lines_start_at_complete_pooling_and_share_labels():
    fig, (ax1, ax2) = plt.subplots(1, 2)
    ht.plot_theta_given_tau(POST, ax=ax1, tau_max=30)
    ht.plot_theta_given_tau(POST, stat="sd", ax=ax2, tau_max=30, units="points")
    w = 1 / SCHOOLS["se"] ** 2
    complete = np.sum(w * SCHOOLS["y"]) / w.sum()
    assert len(ax1.lines) == 8
    for line in ax1.lines:
        assert line.get_ydata()[0] == pytest.approx(complete)
    for line, s in zip(ax2.lines, SCHOOLS["se"]):
        assert line.get_ydata()[0] == pytest.approx(1 / np.sqrt(w.sum()))
        assert line.get_ydata()[-1] < s
    texts = sorted(t.get_text() for t in ax2.texts)
    # schools D and F (se 11) and B and G (se 10) have identical sd lines: one label each
    assert "D, F" in texts and "B, G" in texts and len(texts) == 6
    assert ax2.get_ylabel() == "sd($\\theta_j$ | τ, y) (points)"


def test_trace_plot_one_line_per_chain():
    x = np.random.default_rng(0).normal(size=(3, 50))
    ax = ht.plot_trace(x, ylabel="mu (points)")
    assert len(ax.lines) == 3 and ax.get_ylabel() == "mu (points)"
    np.testing.assert_allclose(ax.lines[1].get_ydata(), x[1])
    assert ht.plot_trace(np.exp(x), log=True).get_yscale() == "log"


def test_interval_plot_draws_every_method_for_every_group():
    frame = pd.DataFrame({"estimate": [1.0, 2.0], "lower": [0.0, 1.0], "upper": [2.0, 3.0]},
                         index=["a", "b"])
    ax = ht.plot_intervals({"one": frame, "two": frame + 1}, xlabel="effect (points)",
                           reference=0)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert ax.get_legend_handles_labels()[1] == ["one", "two"]
    assert ax.get_xlabel() == "effect (points)"


@pytest.mark.parametrize("call, error", [
    (lambda: ht.plot_tau_posterior("post"), TypeError),
    (lambda: ht.plot_theta_given_tau(POST, stat="median"), ValueError),
    (lambda: ht.plot_trace(np.zeros((2, 2))), ValueError),
    (lambda: ht.plot_intervals({"x": pd.DataFrame({"a": [1]})}), ValueError),
    (lambda: ht.plot_intervals([]), TypeError),
])
def test_plots_reject_bad_input(call, error):
    with pytest.raises(error):
        call()


def test_plots_draw_on_the_axes_given():
    fig, ax = plt.subplots()
    assert ht.plot_tau_posterior(POST, ax=ax) is ax
    assert ht.plot_theta_given_tau(POST, ax=ax) is ax
