"""Boundary (singular) fits: an SD of exactly 0 or a correlation of exactly +-1, flagged as
lme4's isSingular() flags them, with no NaN anywhere."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from hiertools.data import load
from hiertools.mixed import fit_varying_intercepts, fit_varying_slopes

from .dense_reference import Dense
from .support import assert_rel


def no_between_variance(n_groups=15, size=8, seed=3, slope=False) -> pd.DataFrame:
    """Data whose per-group fits are all identical, so the ML/REML between-group
    covariance is exactly 0 (residuals orthogonal to [1, x] within every group)."""
    rng = np.random.default_rng(seed)
    rows = []
    for j in range(n_groups):
        x = rng.normal(size=size)
        e = rng.normal(size=size)
        basis = np.column_stack([np.ones(size), x]) if slope else np.ones((size, 1))
        e -= basis @ np.linalg.lstsq(basis, e, rcond=None)[0]
        rows.append(pd.DataFrame({"g": f"G{j:02d}", "x": x, "y": 2.0 - 0.5 * x + e}))
    return pd.concat(rows, ignore_index=True)


@pytest.mark.parametrize("method", ["REML", "ML"])
def test_singular_intercepts(method):
    data = no_between_variance()
    fit = fit_varying_intercepts(data, "y", "g", x="x", method=method)
    assert fit.singular
    assert fit.group_sd["Intercept"] == 0.0
    assert fit.theta.iloc[0] == 0.0
    X = np.column_stack([np.ones(len(data)), data["x"]])
    beta, rss = np.linalg.lstsq(X, data["y"].to_numpy(), rcond=None)[:2]
    assert_rel(fit.fixed_effects, beta, rtol=1e-9)
    dof = len(data) - 2 if method == "REML" else len(data)
    assert fit.sigma == pytest.approx(math.sqrt(rss[0] / dof), rel=1e-9)
    assert np.all(fit.random_effects.to_numpy() == 0.0)
    assert np.isfinite(fit.loglik) and np.isfinite(fit.fixed_effects_se).all()
    assert "singular" in str(fit.summary())


@pytest.mark.parametrize("method", ["REML", "ML"])
def test_singular_slopes(method):
    data = no_between_variance(slope=True)
    fit = fit_varying_slopes(data, "y", "x", "g", method=method)
    assert fit.singular
    assert np.all(fit.group_sd.to_numpy() == 0.0)
    assert math.isnan(fit.group_corr)  # as lme4 prints it when an SD is 0
    X = np.column_stack([np.ones(len(data)), data["x"]])
    beta = np.linalg.lstsq(X, data["y"].to_numpy(), rcond=None)[0]
    assert_rel(fit.fixed_effects, beta, rtol=1e-9)
    assert np.isfinite(fit.sigma) and np.isfinite(fit.loglik)
    assert np.isfinite(fit.random_effects.to_numpy()).all()


def test_singular_eight_schools_like():
    """Small groups with little spread: tau-hat at the boundary, no NaN anywhere."""
    rng = np.random.default_rng(0)
    g = np.repeat(np.arange(8), 3)
    y = rng.normal(size=g.size)
    y -= pd.Series(y).groupby(g).transform("mean").to_numpy() * 0.9  # shrink group means
    fit = fit_varying_intercepts(pd.DataFrame({"s": g, "y": y}), "y", "s")
    assert fit.singular and fit.group_sd["Intercept"] == 0.0
    assert np.isfinite(fit.fixed_effects.to_numpy()).all() and np.isfinite(fit.sigma)


@pytest.mark.parametrize("method", ["REML", "ML"])
def test_singular_correlation_minus_one(method):
    """Intercept and slope effects perfectly correlated: the optimum is |rho| = 1 exactly.

    As lme4 reports such fits: correlation -1, both SDs positive, singular; nothing NaN.
    The independent dense likelihood agrees at that point, and its own optimizer, which
    can only approach the boundary from inside (log-parameterized), finds nothing better.
    """
    rng = np.random.default_rng(0)
    n_groups, size = 30, 8
    a = rng.normal(0, 1.0, n_groups)
    g = np.repeat(np.arange(n_groups), size)
    x = np.tile(np.arange(size, dtype=float), n_groups)
    y = 5 + a[g] + (0.5 - 0.4 * a[g]) * x + rng.normal(0, 1.0, n_groups * size)
    data = pd.DataFrame({"g": g, "x": x, "y": y})
    fit = fit_varying_slopes(data, "y", "x", "g", method=method)
    assert fit.singular and fit.group_corr == -1.0
    assert (fit.group_sd.to_numpy() > 0).all()
    assert fit.theta.iloc[2] == 0.0  # rank one: lme4's theta has an exact zero
    assert np.isfinite(fit.fixed_effects.to_numpy()).all() and np.isfinite(fit.sigma)
    assert np.isfinite(fit.random_effects.to_numpy()).all()

    reml = method == "REML"
    dense = Dense(data, "y", "g", ["x"], "x", blocks=True)
    sd = fit.group_sd.to_numpy()
    at_fit = np.array([math.log(fit.sigma), math.log(sd[0]), -sd[1], math.log(1e-12)])
    assert dense.loglik(at_fit, reml) == pytest.approx(fit.loglik, rel=1e-9)
    inside = at_fit.copy()
    inside[2], inside[3] = -0.9 * sd[1], math.log(0.4 * sd[1])  # correlation about -0.9
    _, best = dense.fit(reml, inside)
    assert best <= fit.loglik + 1e-9 * abs(fit.loglik)


@pytest.mark.parametrize("factor, expected", [(1e-4, False), (1.0, False), (1e4, True)])
def test_singular_is_lme4s_rule_on_original_scale_theta(factor, expected):
    """lme4's isSingular(tol=1e-4): a diagonal entry of theta, in the units of the data,
    below 1e-4.  Measuring days in units 1e4 times smaller (x * 1e4) makes the slope's
    theta 2.3e-5 although the fit is the same interior optimum: lme4 calls that singular,
    and so must we, although the internal (scaled) theta is far from the boundary."""
    data = load("sleepstudy")
    base = fit_varying_slopes(data, "reaction", "days", "subject")
    fit = fit_varying_slopes(data.assign(days=data["days"] * factor), "reaction", "days",
                             "subject")
    theta = fit.theta.to_numpy()
    assert fit.singular == bool(theta[0] < 1e-4 or theta[2] < 1e-4) == expected
    # the same optimum in other units: slope SD / factor, correlation unchanged
    assert fit.group_sd["days"] * factor == pytest.approx(base.group_sd["days"], rel=1e-8)
    assert fit.group_corr == pytest.approx(base.group_corr, rel=1e-7)
    assert 0 < abs(fit.group_corr) < 0.5 and (fit.group_sd.to_numpy() > 0).all()
    assert theta[2] == pytest.approx(base.theta.iloc[2] / factor, rel=1e-7)
    assert ("singular" in str(fit.summary())) == expected
