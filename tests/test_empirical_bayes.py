"""Estimating tau and James-Stein, against closed forms and hand computations."""

import numpy as np
import pandas as pd
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
    with pytest.raises(ValueError, match="Did you mean 'moments'"):
        ht.estimate_tau([1.0, 2.0], 1.0, "moment")
    with pytest.raises(ValueError, match="at least 2 groups"):
        ht.estimate_tau([1.0], 1.0)
    with pytest.raises(ValueError, match="se must be > 0"):
        ht.estimate_tau([1.0, 2.0], [1.0, 0.0])
    with pytest.raises(ValueError, match="Lengths differ"):
        ht.estimate_tau([1.0, 2.0], [1.0, 2.0, 3.0])


def test_estimate_tau_methods_are_case_insensitive():
    y, se = SCHOOLS["y"], SCHOOLS["se"]
    for method in ("REML", "ML", "moments", "rough"):
        assert ht.estimate_tau(y, se, method.lower()) == ht.estimate_tau(y, se, method)
        assert ht.estimate_tau(y, se, method.upper()) == ht.estimate_tau(y, se, method)


def _reml_by_grid(y, se):
    """REML tau by brute force: the restricted log-likelihood on a fine grid, then refined.

    Written out independently of the package: for y_j ~ N(mu, tau^2 + se_j^2), the REML
    log-likelihood is -1/2 [sum log v_j + log sum 1/v_j + sum (y_j - mu_hat)^2 / v_j].
    """
    def loglik(tau):
        v = tau[:, None] ** 2 + se[None, :] ** 2
        w = 1 / v
        mu = (w * y).sum(axis=1) / w.sum(axis=1)
        return -0.5 * (np.log(v).sum(axis=1) + np.log(w.sum(axis=1))
                       + (w * (y - mu[:, None]) ** 2).sum(axis=1))

    grid = np.linspace(0, 20, 20001)
    for _ in range(4):  # zoom in around the best grid point
        best = grid[np.argmax(loglik(grid))]
        step = grid[1] - grid[0]
        grid = np.linspace(max(0.0, best - 2 * step), best + 2 * step, 2001)
    return grid[np.argmax(loglik(grid))]


def test_reml_with_unequal_standard_errors_matches_a_brute_force_search():
    rng = np.random.default_rng(3)
    se = rng.uniform(0.5, 3.0, size=12)
    y = 2.0 + rng.normal(0, 1.5, size=12) + rng.normal(0, se)
    expected = _reml_by_grid(y, se)
    assert expected > 0.1  # an interior optimum, not the boundary
    assert ht.estimate_tau(y, se, "REML") == pytest.approx(expected, abs=1e-6)


def test_moments_with_unequal_standard_errors_is_unbiased_before_truncation():
    # The Notes claim E[var(y, ddof=1)] = tau^2 + mean(se^2) for unequal se: check it over
    # 40,000 simulated maps (the mean's standard error is about 0.01 here), and check that
    # estimate_tau("moments") is the truncated square root of that statistic.
    rng = np.random.default_rng(4)
    tau, se = 1.0, np.linspace(0.5, 2.5, 8)
    y = rng.normal(0, tau, size=(40_000, 8)) + rng.normal(0, se, size=(40_000, 8))
    statistic = y.var(axis=1, ddof=1) - np.mean(se**2)
    assert statistic.mean() == pytest.approx(tau**2, abs=0.04)
    for row, value in zip(y[:20], statistic[:20]):
        assert ht.estimate_tau(row, se, "moments") == pytest.approx(np.sqrt(max(0.0, value)))


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


def test_james_stein_reproduces_efron_and_morris_batting_averages():
    # Efron & Morris (1977), "Stein's paradox in statistics", Scientific American 236(5):
    # 18 players' averages after 45 at-bats, grand mean .265, shrinking factor c = .212;
    # Clemente .400 -> .294, F. Robinson .378 -> .289, Howard .356 -> .285, Johnstone .333 -> .280.
    baseball = ht.load("baseball")
    y = baseball["hits"] / 45
    se = np.sqrt(y.mean() * (1 - y.mean()) / 45)
    js = ht.james_stein(y, se)
    assert round(y.mean(), 3) == 0.265
    factor = (js - y.mean()) / (y - y.mean())
    assert round(float(factor.iloc[0]), 3) == 0.212
    assert js.round(3).tolist()[:4] == [0.294, 0.289, 0.285, 0.280]
    # and, as in their paper, the shrunk averages predict the rest of the season better
    assert ((js - baseball["rest_avg"]) ** 2).sum() < ((y - baseball["rest_avg"]) ** 2).sum()


def test_james_stein_takes_se_or_sigma_and_keeps_the_index():
    y = pd.Series([1.0, 2.0, 3.0, 6.0], index=list("abcd"))
    by_se = ht.james_stein(y, se=1.0)
    assert isinstance(by_se, pd.Series) and by_se.index.tolist() == list("abcd")
    pd.testing.assert_series_equal(by_se, ht.james_stein(y, sigma=1.0))
    pd.testing.assert_series_equal(by_se, ht.james_stein(y, 1.0))
    pd.testing.assert_series_equal(by_se, ht.james_stein(y, [1.0] * 4))
    pd.testing.assert_series_equal(by_se, ht.james_stein(y, 1.0, target="MEAN"))
    assert y.tolist() == [1.0, 2.0, 3.0, 6.0]  # not modified
    assert isinstance(ht.james_stein(y.to_numpy(), 1.0), np.ndarray)


def test_james_stein_three_groups_toward_a_fixed_target():
    y = np.array([1.0, 2.0, 3.0])
    # toward 0 with J = 3: factor 1 - (3 - 2) * 1 / (1 + 4 + 9)
    np.testing.assert_allclose(ht.james_stein(y, 1.0, target=0), (1 - 1 / 14) * y)


def test_james_stein_validates():
    with pytest.raises(ValueError, match="target='median'"):
        ht.james_stein([1.0, 2.0, 3.0, 4.0], 1.0, target="median")
    with pytest.raises(ValueError, match="toward the grand mean needs at least 4"):
        ht.james_stein([1.0, 2.0, 3.0], 1.0)
    with pytest.raises(ValueError, match="toward a fixed target needs at least 3"):
        ht.james_stein([1.0, 2.0], 1.0, target=0.0)
    with pytest.raises(ValueError, match="ht.estimate_tau.*ht.shrink"):
        ht.james_stein([1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 2.0, 1.0])
    with pytest.raises(TypeError, match="got both"):
        ht.james_stein([1.0, 2.0, 3.0, 4.0], se=1.0, sigma=1.0)
    with pytest.raises(TypeError, match="got neither"):
        ht.james_stein([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match="target must be a finite number"):
        ht.james_stein([1.0, 2.0, 3.0, 4.0], 1.0, target=np.nan)
