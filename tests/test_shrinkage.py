"""The shrinkage formula, by hand and as properties."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import hiertools as ht


def test_weights_by_hand():
    # w = tau^2 / (tau^2 + sigma^2 / n): 1 / (1 + 4/1), 1 / (1 + 4/4), 1 / (1 + 4/16)
    np.testing.assert_allclose(ht.shrinkage_weights(1.0, 2.0, [1, 4, 16]), [0.2, 0.5, 0.8])
    assert ht.shrinkage_weights(0.0, 2.0, 10) == 0.0
    assert ht.shrinkage_weights(np.inf, 2.0, 10) == 1.0
    assert isinstance(ht.shrinkage_weights(1.0, 1.0, 3), float)


def test_weights_broadcast():
    w = ht.shrinkage_weights(np.array([[0.5], [1.0]]), 1.0, np.array([1, 2, 4]))
    assert w.shape == (2, 3)


def test_shrink_by_hand():
    # mu = 5: 5 + 0.5 * (0 - 5) and 5 + (100/101) * (10 - 5)
    out = ht.shrink([0.0, 10.0], n=[1, 100], tau=1.0, sigma=1.0, mu=5.0)
    np.testing.assert_allclose(out, [2.5, 5 + 500 / 101])


def test_default_mu_is_the_precision_weighted_mean():
    raw, n = np.array([1.0, 4.0, 7.0]), np.array([2, 8, 32])
    precision = 1 / (0.5**2 + 1.5**2 / n)
    mu = np.sum(precision * raw) / precision.sum()
    w = 0.5**2 / (0.5**2 + 1.5**2 / n)
    np.testing.assert_allclose(ht.shrink(raw, n, 0.5, 1.5), mu + w * (raw - mu))
    assert ht.pooled_mean(raw, n, 0.5, 1.5) == pytest.approx(mu)


def test_limits_complete_and_no_pooling():
    raw, n = np.array([1.0, 4.0, 7.0]), np.array([2, 8, 32])
    np.testing.assert_allclose(ht.shrink(raw, n, 0.0, 1.0), np.average(raw, weights=n))
    np.testing.assert_allclose(ht.shrink(raw, n, np.inf, 1.0), raw)


def test_shrink_keeps_series_index_and_does_not_mutate():
    raw = pd.Series([1.0, 9.0], index=["x", "y"])
    out = ht.shrink(raw, [3, 3], 1.0, 2.0)
    assert isinstance(out, pd.Series) and out.index.tolist() == ["x", "y"]
    assert raw.tolist() == [1.0, 9.0]


def test_known_standard_errors_via_n_equals_one():
    y, se = np.array([28.0, 8.0, -3.0]), np.array([15.0, 10.0, 16.0])
    w = 10.0**2 / (10.0**2 + se**2)
    np.testing.assert_allclose(ht.shrink(y, 1, 10.0, se, mu=5.0), 5 + w * (y - 5))


def test_bad_input_messages():
    with pytest.raises(ValueError, match="tau must be"):
        ht.shrinkage_weights(-1.0, 1.0, 3)
    with pytest.raises(ValueError, match="sigma must be > 0"):
        ht.shrinkage_weights(1.0, 0.0, 3)
    with pytest.raises(ValueError, match="n must be > 0"):
        ht.shrink([1.0, 2.0], [0, 3], 1.0, 1.0)
    with pytest.raises(ValueError, match="Lengths differ: raw has 2, n has 3"):
        ht.shrink([1.0, 2.0], [1, 2, 3], 1.0, 1.0)
    with pytest.raises(ValueError, match="raw contains NaN"):
        ht.shrink([1.0, np.nan], [1, 2], 1.0, 1.0)
    with pytest.raises(TypeError, match="raw must be"):
        ht.shrink("abc", [1], 1.0, 1.0)


def test_one_group_needs_mu():
    with pytest.raises(ValueError, match="Pass mu="):
        ht.shrink([9.0], [8], tau=1, sigma=3)
    # with mu given, one group shrinks as the formula says: w = 1 / (1 + 9/8)
    np.testing.assert_allclose(ht.shrink([9.0], [8], tau=1, sigma=3, mu=5.0),
                               5 + (8 / 17) * 4)


def test_a_series_anywhere_gives_a_series_with_its_index():
    n = pd.Series([1, 4], index=["a", "b"])
    w = ht.shrinkage_weights(1.0, 2.0, n)
    assert isinstance(w, pd.Series) and w.index.tolist() == ["a", "b"]
    np.testing.assert_allclose(w, [0.2, 0.5])
    out = ht.shrink([1.0, 9.0], n, 1.0, 2.0)
    assert isinstance(out, pd.Series) and out.index.tolist() == ["a", "b"]
    assert isinstance(ht.shrink([1.0, 9.0], [1, 4], 1.0, 2.0), np.ndarray)


def test_series_with_different_indexes_are_refused():
    raw = pd.Series([1.0, 9.0], index=["a", "b"])
    n = pd.Series([4, 1], index=["b", "a"])
    with pytest.raises(ValueError, match=r"raw and n are Series with different indexes.*reindex"):
        ht.shrink(raw, n, 1.0, 2.0)
    out = ht.shrink(raw, n.reindex(raw.index), 1.0, 2.0)  # the fix the message suggests
    np.testing.assert_allclose(out, ht.shrink([1.0, 9.0], [1, 4], 1.0, 2.0))


# --- properties (hypothesis) ---------------------------------------------------------------------

finite = st.floats(-1e3, 1e3, allow_nan=False)
taus = st.floats(0, 1e3)
sigmas = st.floats(0.01, 100)
sizes = st.integers(1, 10_000)


@st.composite
def groups(draw, min_size=2):
    """Raw means and their group sizes, one per group."""
    raw = draw(st.lists(finite, min_size=min_size, max_size=20))
    n = draw(st.lists(sizes, min_size=len(raw), max_size=len(raw)))
    return np.array(raw), np.array(n)


@given(tau=st.one_of(taus, st.just(np.inf)), sigma=sigmas, n=sizes)
def test_weights_lie_between_zero_and_one(tau, sigma, n):
    assert 0.0 <= ht.shrinkage_weights(tau, sigma, n) <= 1.0


@given(tau=st.floats(0.01, 100), sigma=sigmas, n=sizes)
def test_weights_increase_with_group_size(tau, sigma, n):
    w_small, w_large = ht.shrinkage_weights(tau, sigma, [n, n + 1])
    assert 0 <= w_small <= w_large <= 1


@given(taus=st.lists(taus, min_size=2, max_size=2), sigma=sigmas, n=sizes)
def test_weights_increase_with_tau(taus, sigma, n):
    low, high = sorted(taus)
    assert ht.shrinkage_weights(low, sigma, n) <= ht.shrinkage_weights(high, sigma, n)


@given(data=groups(), tau=taus, sigma=sigmas)
def test_estimates_lie_between_raw_and_the_pooled_mean(data, tau, sigma):
    raw, n = data
    mu = ht.pooled_mean(raw, n, tau, sigma)
    est = ht.shrink(raw, n, tau, sigma)
    slack = 1e-9 * (1 + np.abs(raw) + abs(mu))
    assert np.all(np.minimum(raw, mu) - slack <= est)
    assert np.all(est <= np.maximum(raw, mu) + slack)


@given(data=groups(), sigma=sigmas)
def test_tau_zero_is_complete_pooling_at_the_n_weighted_mean(data, sigma):
    raw, n = data
    overall = np.sum(n * raw) / np.sum(n)  # the mean of all observations
    tolerance = 1e-9 * (1 + np.abs(raw).max())
    assert ht.pooled_mean(raw, n, 0.0, sigma) == pytest.approx(overall, abs=tolerance)
    estimates = ht.shrink(raw, n, 0.0, sigma)
    np.testing.assert_allclose(estimates, overall, rtol=0, atol=tolerance)
    assert np.ptp(estimates) == 0  # exactly one value for every group
    # and a tiny tau is nearly there: every estimate within 1e-6 of the spread of raw
    near = ht.shrink(raw, n, 1e-9 * sigma, sigma)
    np.testing.assert_allclose(near, overall, rtol=0, atol=1e-6 * (1 + np.ptp(raw)))


@given(data=groups(), sigma=sigmas)
def test_tau_infinite_is_no_pooling(data, sigma):
    raw, n = data
    np.testing.assert_array_equal(ht.shrink(raw, n, np.inf, sigma), raw)
    # and a huge tau is nearly there: w >= 1 - 1e-8 for every group here
    np.testing.assert_allclose(ht.shrink(raw, n, 1e6 * sigma, sigma), raw, rtol=0,
                               atol=1e-6 * (1 + np.ptp(raw)))
