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


finite = st.floats(-1e3, 1e3, allow_nan=False)


@given(raw=st.lists(finite, min_size=2, max_size=20), tau=st.floats(0, 100),
       sigma=st.floats(0.01, 100), data=st.data())
def test_estimates_lie_between_raw_and_mu(raw, tau, sigma, data):
    n = data.draw(st.lists(st.integers(1, 1000), min_size=len(raw), max_size=len(raw)))
    raw = np.array(raw)
    mu = ht.pooled_mean(raw, n, tau, sigma)
    est = ht.shrink(raw, n, tau, sigma)
    assert np.all((est - raw) * (est - mu) <= 1e-6 * (1 + np.abs(raw) + abs(mu)) ** 2)


@given(tau=st.floats(0.01, 100), sigma=st.floats(0.01, 100), n=st.integers(1, 10_000))
def test_weights_increase_with_group_size(tau, sigma, n):
    w_small, w_large = ht.shrinkage_weights(tau, sigma, [n, n + 1])
    assert 0 <= w_small <= w_large <= 1
