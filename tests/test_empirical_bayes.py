"""Estimating tau and James-Stein, against closed forms and hand computations."""

import numpy as np
import pytest

import hiertools as ht

SCHOOLS = ht.load("eight_schools")


def test_eight_schools_tau_hat_is_zero_except_rough():
    y, se = SCHOOLS["y"], SCHOOLS["se"]
    assert ht.estimate_tau(y, se, "REML") == 0.0
    assert ht.estimate_tau(y, se, "ML") == 0.0
    # var(y) = 763.5 / 7 = 109.07 < mean(se^2) = 166
    assert ht.estimate_tau(y, se, "moments") == 0.0
    assert ht.estimate_tau(y, se, "rough") == pytest.approx(np.sqrt(763.5 / 7))


def test_equal_standard_errors_have_closed_forms():
    # with equal se, REML gives max(0, var(y, ddof=1) - se^2) and ML max(0, var(y, ddof=0) - se^2)
    rng = np.random.default_rng(0)
    y = rng.normal(0, 3, size=15)
    se = 1.0
    assert ht.estimate_tau(y, se, "REML") == pytest.approx(np.sqrt(y.var(ddof=1) - 1), rel=1e-6)
    assert ht.estimate_tau(y, se, "ML") == pytest.approx(np.sqrt(y.var(ddof=0) - 1), rel=1e-6)
    assert ht.estimate_tau(y, se, "moments") == pytest.approx(np.sqrt(y.var(ddof=1) - 1))


def test_rough_overstates_tau_on_average():
    rng = np.random.default_rng(1)
    rough, reml = [], []
    for _ in range(200):
        se = rng.uniform(0.5, 2.0, size=20)
        y = rng.normal(0, 1.0, size=20) + rng.normal(0, se)
        rough.append(ht.estimate_tau(y, se, "rough"))
        reml.append(ht.estimate_tau(y, se, "REML"))
    assert np.mean(rough) > 1.3 and abs(np.mean(reml) - 1.0) < 0.15


def test_estimate_tau_validates():
    with pytest.raises(ValueError, match="method='Bayes' is not supported"):
        ht.estimate_tau([1.0, 2.0], 1.0, "Bayes")
    with pytest.raises(ValueError, match="at least 2 groups"):
        ht.estimate_tau([1.0], 1.0)
    with pytest.raises(ValueError, match="se must be > 0"):
        ht.estimate_tau([1.0, 2.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="Lengths differ"):
        ht.estimate_tau([1.0, 2.0], [1.0, 2.0, 3.0])


def test_james_stein_by_hand():
    y = np.array([1.0, 2.0, 3.0, 6.0])
    # grand mean 3, sum of squares 14, factor 1 - (4 - 3) / 14
    np.testing.assert_allclose(ht.james_stein(y, 1.0), 3 + (1 - 1 / 14) * (y - 3))
    # toward 0: factor 1 - (4 - 2) / 50
    np.testing.assert_allclose(ht.james_stein(y, 1.0, target=0), (1 - 2 / 50) * y)
    # positive part: a huge sigma shrinks all the way, never past the target
    np.testing.assert_allclose(ht.james_stein(y, 100.0), 3.0)


def test_james_stein_beats_raw_means_on_average():
    rng = np.random.default_rng(2)
    theta = rng.normal(0, 1, size=10)
    y = theta + rng.normal(0, 1, size=(2000, 10))
    js = np.array([ht.james_stein(row, 1.0) for row in y])
    assert ((js - theta) ** 2).sum(axis=1).mean() < ((y - theta) ** 2).sum(axis=1).mean()


def test_james_stein_validates():
    with pytest.raises(ValueError, match="target='median'"):
        ht.james_stein([1.0, 2.0, 3.0], 1.0, target="median")
    with pytest.raises(ValueError, match="at least 3 groups"):
        ht.james_stein([1.0, 2.0], 1.0)
