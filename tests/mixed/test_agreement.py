"""The engine against references: the independent dense likelihood, published lme4 output,
statsmodels MixedLM (live) and closed forms."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from hiertools.data import load
from hiertools.mixed import fit_varying_intercepts, fit_varying_slopes

from .dense_reference import ALL_MODELS, Dense
from .support import PUBLISHED_RTOL, RTOL, assert_rel, fit_model


@pytest.mark.parametrize("method", ["REML", "ML"])
@pytest.mark.parametrize("key", list(ALL_MODELS))
def test_agrees_with_dense_reference(reference, key, method):
    ref = reference["dense"][f"{key}/{method}"]
    fit = fit_model(key, method)
    assert fit.method == method
    assert_rel(fit.fixed_effects, ref["fixed_effects"], what="fixed effects")
    assert_rel(fit.fixed_effects_se, ref["fixed_effects_se"], what="fixed-effect SEs")
    assert_rel(fit.group_sd, ref["group_sd"], what="group SDs")
    assert_rel(fit.sigma, ref["sigma"], what="sigma")
    assert_rel(fit.loglik, ref["loglik"], rtol=1e-7, what="loglik")
    if len(fit.varying) == 2:
        assert_rel(fit.group_corr, ref["group_corr"], what="correlation")
    else:
        assert math.isnan(fit.group_corr)
    assert [str(v) for v in fit.random_effects.index] == ref["labels"]
    # conditional modes: compare on the scale of their own spread (a mode can be ~0)
    re = fit.random_effects.to_numpy()
    re_ref = np.array(ref["random_effects"])
    scale = np.abs(re_ref).max(axis=0)
    np.testing.assert_allclose(re / scale, re_ref / scale, rtol=0, atol=RTOL)
    assert_rel(fit.random_effects_sd, ref["random_effects_sd"], what="conditional SDs")
    assert not fit.singular
    assert fit.converged


def test_published_lme4_values(reference):
    for entry in reference["published"].values():
        fit = fit_model(entry["model"], entry["method"])
        for field, value in entry["values"].items():
            digits = entry["decimals"][field] if isinstance(entry["decimals"], dict) \
                else entry["decimals"]
            if field == "fixed_effects":
                got = fit.fixed_effects.to_numpy()
            elif field == "fixed_effects_se":
                got = fit.fixed_effects_se.to_numpy()
            elif field == "group_sd":
                got = fit.group_sd.to_numpy()
            elif field == "reml_criterion":
                got = fit.deviance
            else:
                got = getattr(fit, field)
            tol = np.maximum(0.5 * 10.0 ** -digits, PUBLISHED_RTOL * np.abs(value))
            assert np.all(np.abs(np.asarray(got) - value) <= tol * (1 + 1e-9)), \
                (entry["model"], entry["method"], field, got, value)


def test_dense_reference_reproducible_live():
    """Re-derive the sleep-study ML reference right now (180 rows: fast)."""
    dense = Dense(load("sleepstudy"), "reaction", "subject", ["days"], "days")
    fit = fit_varying_slopes(load("sleepstudy"), "reaction", "days", "subject", method="ML")
    # the dense log-likelihood at the engine's estimates equals the engine's loglik ...
    sd, corr = fit.group_sd.to_numpy(), fit.group_corr
    l11, l21 = sd[0], corr * sd[1]
    l22 = sd[1] * math.sqrt(1 - corr ** 2)
    par = np.array([math.log(fit.sigma), math.log(l11), l21, math.log(l22)])
    assert dense.loglik(par, reml=False) == pytest.approx(fit.loglik, rel=1e-10)
    # ... and no nearby parameter value does better (the engine found the optimum)
    for i in range(4):
        for h in (-1e-3, 1e-3):
            moved = par.copy()
            moved[i] += h
            assert dense.loglik(moved, reml=False) < fit.loglik
    summary = dense.summary(par, reml=False)
    assert_rel(fit.fixed_effects, summary["fixed_effects"], rtol=1e-8)
    assert_rel(fit.random_effects, summary["random_effects"], rtol=1e-6)
    assert_rel(fit.random_effects_sd, summary["random_effects_sd"], rtol=1e-8)


@pytest.mark.parametrize("model, method", [("radon_floor", "REML"), ("radon_floor", "ML"),
                                           ("sleepstudy_intercepts", "REML")])
def test_loglik_on_statsmodels_scale_live(model, method):
    """statsmodels MixedLM, fitted now, converges on these models; its llf (same constants
    as lme4's logLik, REML included) must equal ours, and ours must not be lower.  This
    is what lets the benchmark compare the two objective values."""
    import statsmodels.formula.api as smf

    ds, y, group, xs, _ = ALL_MODELS[model]
    data = load(ds)
    fit = fit_model(model, method)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = smf.mixedlm(f"{y} ~ {' + '.join(xs)}", data, groups=data[group]).fit(
            reml=method == "REML")
    assert sm.converged
    assert fit.loglik >= sm.llf - 1e-9
    assert fit.loglik == pytest.approx(sm.llf, abs=1e-6)
    assert_rel(fit.fixed_effects, np.asarray(sm.fe_params), rtol=1e-6)
    assert fit.sigma ** 2 == pytest.approx(sm.scale, rel=1e-5)


def test_shrinkage_formula_intercepts():
    """Conditional modes equal w_j (ybar_j - mu) for the intercept-only model."""
    data = load("radon")
    fit = fit_varying_intercepts(data, "log_radon", "county")
    tau, sigma = fit.group_sd["Intercept"], fit.sigma
    stats = data.groupby("county")["log_radon"].agg(["mean", "count"])
    w = tau ** 2 / (tau ** 2 + sigma ** 2 / stats["count"])
    expected = w * (stats["mean"] - fit.fixed_effects["Intercept"])
    assert_rel(fit.random_effects["Intercept"], expected, rtol=1e-9)
    assert_rel(fit.random_effects_sd["Intercept"], np.sqrt(w * sigma ** 2 / stats["count"]),
               rtol=1e-9)
    assert isinstance(fit.random_effects, pd.DataFrame)
