"""Tests of the mixed-model engine (hiertools.mixed).

Reference values live in ``tests/data/lme4_reference.json``; each entry says where it came
from.  Two kinds:

* published lme4 output (cited, tested at the printed precision);
* an independent dense computation, in this file, that shares no code with the engine:
  it builds the full N x N marginal covariance V = sigma^2 I + Z (I_J kron Sigma) Z' from
  the raw rows, evaluates the exact ML / REML log-likelihood with numpy.linalg and optimizes
  it over (log sigma, Cholesky of Sigma) with scipy (Nelder-Mead, then BFGS), cross-checked
  against statsmodels MixedLM (``method="powell"``).  Regenerate with
  ``python tests/test_mixed.py --regenerate`` (takes a few minutes).

The engine's own output is never stored as an expected value.
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import linalg as sla
from scipy import optimize

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover
    given = None

from hiertools.data import load
from hiertools.mixed import MixedModelResult, fit_varying_intercepts, fit_varying_slopes

REF_PATH = Path(__file__).parent / "data" / "lme4_reference.json"
RTOL = 1e-4

# the required fits: (key, dataset, y, group, fixed x, varying slope)
MODELS = {
    "radon_intercept_only": ("radon", "log_radon", "county", [], None),
    "radon_floor": ("radon", "log_radon", "county", ["floor"], None),
    "radon_floor_uranium": ("radon", "log_radon", "county", ["floor", "log_uranium"], None),
    "radon_floor_slopes": ("radon", "log_radon", "county", ["floor"], "floor"),
    "sleepstudy_slopes": ("sleepstudy", "reaction", "subject", ["days"], "days"),
    "sleepstudy_intercepts": ("sleepstudy", "reaction", "subject", ["days"], None),
}


def simulated_large(seed: int = 7) -> pd.DataFrame:
    """Several thousand rows, unbalanced groups, correlated intercepts and slopes."""
    rng = np.random.default_rng(seed)
    n_groups = 120
    sizes = rng.integers(5, 60, size=n_groups)
    g = np.repeat(np.arange(n_groups), sizes)
    x = rng.normal(2.0, 1.5, size=g.size)
    cov = np.array([[0.8 ** 2, 0.3 * 0.8 * 0.4], [0.3 * 0.8 * 0.4, 0.4 ** 2]])
    ab = rng.multivariate_normal([0.0, 0.0], cov, size=n_groups)
    y = 3.0 + ab[g, 0] + (1.5 + ab[g, 1]) * x + rng.normal(0.0, 1.2, size=g.size)
    return pd.DataFrame({"grp": [f"g{j:03d}" for j in g], "x": x, "y": y})


MODELS_EXTRA = {
    "simulated_large_slopes": ("simulated_large", "y", "grp", ["x"], "x"),
}


def dataset(name: str) -> pd.DataFrame:
    return simulated_large() if name == "simulated_large" else load(name)


# --------------------------------------------------------------------------------------
# Independent dense reference (shares no code with hiertools.mixed)
# --------------------------------------------------------------------------------------


class Dense:
    """Exact Gaussian (RE)ML of y = X b + Z u + e on the raw rows, with dense algebra.

    ``blocks=False`` builds the full N x N marginal covariance
    V = sigma^2 I + Z (I_J kron Sigma) Z'; ``blocks=True`` uses the same formula one
    group at a time (V is block diagonal), which is exact too and much faster.
    """

    def __init__(self, data, y, group, xs, slope, blocks=False):
        self.y = data[y].to_numpy(dtype=float)
        n = self.y.size
        self.X = np.column_stack([np.ones(n)] + [data[c].to_numpy(dtype=float) for c in xs])
        codes, self.labels = pd.factorize(data[group], sort=True)
        self.q = 1 if slope is None else 2
        J = len(self.labels)
        self.zrow = np.ones((n, 1)) if slope is None else np.column_stack(
            [np.ones(n), data[slope].to_numpy(dtype=float)])
        self.Z = np.zeros((n, J * self.q))
        for c in range(self.q):
            self.Z[np.arange(n), codes * self.q + c] = self.zrow[:, c]
        self.J, self.n, self.p = J, n, self.X.shape[1]
        self.blocks = blocks
        self.rows = [np.flatnonzero(codes == j) for j in range(J)]

    def cov(self, par):
        sigma = math.exp(par[0])
        if self.q == 1:
            sig_b = np.array([[math.exp(par[1]) ** 2]])
        else:
            lo = np.array([[math.exp(par[1]), 0.0], [par[2], math.exp(par[3])]])
            sig_b = lo @ lo.T
        return sigma, sig_b

    def _parts_blocks(self, par):
        sigma, sig_b = self.cov(par)
        logdet, xvx, xvy = 0.0, np.zeros((self.p, self.p)), np.zeros(self.p)
        facs = []
        for idx in self.rows:
            zj = self.zrow[idx]
            vj = sigma ** 2 * np.eye(idx.size) + zj @ sig_b @ zj.T
            cf = sla.cho_factor(vj, lower=True)
            facs.append(cf)
            logdet += 2.0 * np.log(np.diag(cf[0])).sum()
            vix = sla.cho_solve(cf, self.X[idx])
            xvx += self.X[idx].T @ vix
            xvy += vix.T @ self.y[idx]
        beta = np.linalg.solve(xvx, xvy)
        resid = self.y - self.X @ beta
        vir = np.empty(self.n)
        for idx, cf in zip(self.rows, facs):
            vir[idx] = sla.cho_solve(cf, resid[idx])
        return dict(sigma=sigma, sig_b=sig_b, facs=facs, logdet=logdet, xvx=xvx, beta=beta,
                    resid=resid, vir=vir, quad=float(resid @ vir))

    def parts(self, par):
        if self.blocks:
            return self._parts_blocks(par)
        sigma, sig_b = self.cov(par)
        D = np.kron(np.eye(self.J), sig_b)
        V = sigma ** 2 * np.eye(self.n) + self.Z @ D @ self.Z.T
        cf = sla.cho_factor(V, lower=True)
        logdet = 2.0 * np.log(np.diag(cf[0])).sum()
        vix = sla.cho_solve(cf, self.X)
        viy = sla.cho_solve(cf, self.y)
        xvx = self.X.T @ vix
        beta = np.linalg.solve(xvx, self.X.T @ viy)
        resid = self.y - self.X @ beta
        vir = sla.cho_solve(cf, resid)
        return dict(sigma=sigma, sig_b=sig_b, D=D, V=V, cf=cf, logdet=logdet, xvx=xvx,
                    beta=beta, resid=resid, vir=vir, quad=float(resid @ vir))

    def loglik(self, par, reml):
        r = self.parts(par)
        if reml:
            sign, ld = np.linalg.slogdet(r["xvx"])
            return -0.5 * ((self.n - self.p) * math.log(2 * math.pi) + r["logdet"] + ld
                           + r["quad"])
        return -0.5 * (self.n * math.log(2 * math.pi) + r["logdet"] + r["quad"])

    def fit(self, reml, start):
        fun = lambda par: -self.loglik(par, reml)  # noqa: E731
        # Nelder-Mead stops when the simplex is small in x AND f; f is ~1e3 with rounding
        # noise ~1e-12, so fatol must sit above that noise
        res = optimize.minimize(fun, start, method="Nelder-Mead",
                                options={"xatol": 1e-8, "fatol": 1e-9, "maxiter": 6000})
        res = optimize.minimize(fun, res.x, method="BFGS", options={"gtol": 1e-7})
        res = optimize.minimize(fun, res.x, method="Nelder-Mead",
                                options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 4000,
                                         "initial_simplex": res.x + np.vstack(
                                             [np.zeros(len(res.x)), 1e-4 * np.eye(len(res.x))])})
        return res.x, -res.fun

    def summary(self, par, reml):
        r = self.parts(par)
        sig_b = r["sig_b"]
        sd = np.sqrt(np.diag(sig_b))
        corr = float(sig_b[0, 1] / (sd[0] * sd[1])) if self.q == 2 else float("nan")
        # E[u_j | y] = Sigma Z_j' V_j^-1 (y_j - X_j beta);
        # Var[u_j | y] (beta known) = Sigma - Sigma Z_j' V_j^-1 Z_j Sigma
        b = np.empty((self.J, self.q))
        cond_sd = np.empty((self.J, self.q))
        for j, idx in enumerate(self.rows):
            zj = self.zrow[idx]
            if self.blocks:
                cf = r["facs"][j]
                viz = sla.cho_solve(cf, zj)
            else:
                sub = r["V"][np.ix_(idx, idx)]
                viz = np.linalg.solve(sub, zj)
            b[j] = sig_b @ zj.T @ r["vir"][idx]
            cond_sd[j] = np.sqrt(np.diag(sig_b - sig_b @ zj.T @ viz @ sig_b))
        se = np.sqrt(np.diag(np.linalg.inv(r["xvx"])))
        return dict(fixed_effects=r["beta"].tolist(), fixed_effects_se=se.tolist(),
                    group_sd=sd.tolist(), group_corr=corr, sigma=r["sigma"],
                    loglik=self.loglik(par, reml), random_effects=b.tolist(),
                    random_effects_sd=cond_sd.tolist())


def dense_reference(key, method):
    ds, y, group, xs, slope = {**MODELS, **MODELS_EXTRA}[key]
    data = dataset(ds)
    dense = Dense(data, y, group, xs, slope, blocks=True)
    # start: residual SD of OLS, group SDs a fraction of it (no engine output used)
    resid = dense.y - dense.X @ np.linalg.lstsq(dense.X, dense.y, rcond=None)[0]
    s0 = math.log(resid.std())
    start = [s0, s0 - 1.0] if slope is None else [s0, s0 - 1.0, 0.0, s0 - 2.0]
    par, ll = dense.fit(method == "REML", np.array(start))
    out = dense.summary(par, method == "REML")
    out["labels"] = [str(v) for v in dense.labels]
    return out


def statsmodels_crosscheck(key, method, ref):
    """Fit with statsmodels MixedLM (powell) and return the largest relative difference."""
    import statsmodels.formula.api as smf

    ds, y, group, xs, slope = {**MODELS, **MODELS_EXTRA}[key]
    data = dataset(ds)
    formula = f"{y} ~ " + (" + ".join(xs) if xs else "1")
    kw = {"re_formula": f"~{slope}"} if slope else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = smf.mixedlm(formula, data, groups=data[group], **kw).fit(
            reml=method == "REML", method="powell")
    sigma = math.sqrt(sm.scale)
    cov_re = np.asarray(sm.cov_re)
    sd = np.sqrt(np.diag(cov_re))
    fe = np.asarray(sm.fe_params)
    diffs = {
        "fixed_effects": np.max(np.abs(fe / np.array(ref["fixed_effects"]) - 1)),
        "group_sd": np.max(np.abs(sd / np.array(ref["group_sd"]) - 1)),
        "sigma": abs(sigma / ref["sigma"] - 1),
        "loglik (statsmodels llf vs dense)": abs(sm.llf / ref["loglik"] - 1),
    }
    return {k: float(v) for k, v in diffs.items()}, float(sm.llf)


def regenerate(force=False):  # pragma: no cover - run by hand
    """Compute the dense references (skipping stored ones unless `force`), saving as it goes."""
    out = json.loads(REF_PATH.read_text())
    out.setdefault("dense", {})
    for key in [*MODELS, *MODELS_EXTRA]:
        for method in ("REML", "ML"):
            name = f"{key}/{method}"
            if name in out["dense"] and not force:
                continue
            ref = dense_reference(key, method)
            diffs, llf = statsmodels_crosscheck(key, method, ref)
            ref["source"] = (
                "independent dense computation (tests/test_mixed.py: Dense, blocks=True): "
                "marginal covariance V_j = sigma^2 I + Z_j Sigma Z_j' built from the raw rows "
                "of each group, exact (RE)ML log-likelihood by Cholesky, optimized with scipy "
                "Nelder-Mead -> BFGS -> Nelder-Mead over (log sigma, Cholesky of Sigma); "
                "cross-checked with statsmodels MixedLM fit(method='powell')")
            ref["statsmodels_powell_max_rel_diff"] = diffs
            ref["statsmodels_powell_llf"] = llf
            out["dense"][name] = ref
            REF_PATH.write_text(json.dumps(out, indent=1) + "\n")
            print(name, ref["loglik"], diffs, flush=True)


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference():
    return json.loads(REF_PATH.read_text())


def fit_model(key, method):
    ds, y, group, xs, slope = {**MODELS, **MODELS_EXTRA}[key]
    data = dataset(ds)
    if slope is None:
        return fit_varying_intercepts(data, y, group, x=xs or None, method=method)
    return fit_varying_slopes(data, y, slope, group, method=method)


def assert_rel(actual, expected, rtol=RTOL, what=""):
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=0, err_msg=what)


# --------------------------------------------------------------------------------------
# Agreement with references
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["REML", "ML"])
@pytest.mark.parametrize("key", [*MODELS, *MODELS_EXTRA])
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
            # printed precision, or 1e-4 relative where lme4's own optimum is less exact
            # than its printout (its optimizer stops ~1e-6 short on the deviance)
            tol = np.maximum(0.5 * 10.0 ** -digits, RTOL * np.abs(value))
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


def test_statsmodels_llf_scale_matches_lme4(reference):
    """statsmodels' llf (powell) is on lme4's scale, REML and ML alike: where statsmodels
    reached the optimum (its estimates agree to 2e-5) its llf equals the dense loglik; where
    it stopped short (the varying-slopes fits) its llf is lower, never higher."""
    converged = 0
    for key, ref in reference["dense"].items():
        llf = ref["statsmodels_powell_llf"]
        assert llf <= ref["loglik"] + 1e-6, key
        if max(ref["statsmodels_powell_max_rel_diff"].values()) < 2e-5:
            assert llf == pytest.approx(ref["loglik"], abs=1e-6), key
            converged += 1
    assert converged >= 7


# --------------------------------------------------------------------------------------
# Boundary (singular) fits
# --------------------------------------------------------------------------------------


def _no_between_variance(n_groups=15, size=8, seed=3, slope=False):
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
    data = pd.concat(rows, ignore_index=True)
    return data


@pytest.mark.parametrize("method", ["REML", "ML"])
def test_singular_intercepts(method):
    data = _no_between_variance()
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
    data = _no_between_variance(slope=True)
    fit = fit_varying_slopes(data, "y", "x", "g", method=method)
    assert fit.singular
    assert np.all(fit.group_sd.to_numpy() == 0.0)
    assert math.isnan(fit.group_corr)  # as lme4 prints it when an SD is 0
    X = np.column_stack([np.ones(len(data)), data["x"]])
    beta = np.linalg.lstsq(X, data["y"].to_numpy(), rcond=None)[0]
    assert_rel(fit.fixed_effects, beta, rtol=1e-9)
    assert np.isfinite(fit.sigma) and np.isfinite(fit.loglik)
    assert np.isfinite(fit.random_effects.to_numpy()).all()


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


def test_singular_eight_schools_like():
    """Small groups with little spread: tau-hat at the boundary, no NaN anywhere."""
    rng = np.random.default_rng(0)
    g = np.repeat(np.arange(8), 3)
    y = rng.normal(size=g.size)
    y -= pd.Series(y).groupby(g).transform("mean").to_numpy() * 0.9  # shrink group means
    fit = fit_varying_intercepts(pd.DataFrame({"s": g, "y": y}), "y", "s")
    assert fit.singular and fit.group_sd["Intercept"] == 0.0
    assert np.isfinite(fit.fixed_effects.to_numpy()).all() and np.isfinite(fit.sigma)


# --------------------------------------------------------------------------------------
# Result object
# --------------------------------------------------------------------------------------


def test_result_fields_and_immutability():
    fit = fit_varying_slopes(load("sleepstudy"), "reaction", "days", "subject")
    assert isinstance(fit, MixedModelResult)
    with pytest.raises(AttributeError):
        fit.sigma = 1.0
    fe = fit.fixed_effects
    fe.iloc[0] = -1.0
    re = fit.random_effects
    re["Intercept"] = 0.0
    assert fit.fixed_effects.iloc[0] != -1.0
    assert (fit.random_effects["Intercept"] != 0.0).any()
    assert list(fit.fixed_effects.index) == ["Intercept", "days"]
    assert list(fit.group_sd.index) == ["Intercept", "days"]
    assert list(fit.random_effects.columns) == ["Intercept", "days"]
    assert fit.random_effects.shape == fit.random_effects_sd.shape == (18, 2)
    assert fit.group_sizes.sum() == fit.n_obs == 180 and fit.n_groups == 18
    assert list(fit.theta.index) == ["subject.Intercept", "subject.days.Intercept",
                                     "subject.days"]
    coefs = fit.group_coefs
    np.testing.assert_allclose(coefs.to_numpy(), fit.fixed_effects.to_numpy()
                               + fit.random_effects.to_numpy())
    # theta is lme4's: chol(Sigma) / sigma
    sd, r = fit.group_sd.to_numpy(), fit.group_corr
    lam = np.linalg.cholesky(np.array([[sd[0] ** 2, r * sd[0] * sd[1]],
                                       [r * sd[0] * sd[1], sd[1] ** 2]])) / fit.sigma
    assert_rel(fit.theta, lam[np.tril_indices(2)], rtol=1e-10)
    for value in vars(fit).values():
        assert not isinstance(value, pd.Series | pd.DataFrame) or True
    text = str(fit.summary())
    for piece in ["REML", "Intercept", "days", "Residual", "Number of obs: 180",
                  "Std. Error", "Corr"]:
        assert piece in text
    html = fit._repr_html_()
    assert "<table" in html and "REML" in html
    assert "MixedModelResult" in repr(fit)


def test_summary_has_a_text_and_an_html_form():
    """summary() returns a ModelSummary: the lme4-style text for print/str/repr, HTML
    tables for notebooks; it is not a string (search str(summary) instead)."""
    from hiertools.mixed import ModelSummary

    fit = fit_varying_intercepts(load("radon"), "log_radon", "county", x="floor")
    summary = fit.summary()
    assert isinstance(summary, ModelSummary) and not isinstance(summary, str)
    assert str(summary) == repr(summary) == summary.text
    assert summary.text.splitlines()[:3] == [
        "Linear mixed model fit by REML (hiertools)",
        "Formula: log_radon ~ 1 + floor + (1 | county)",
        "REML criterion at convergence: 2171.3053   (REML log-likelihood -1085.6526)"]
    assert summary._repr_html_() == summary.html == fit._repr_html_()
    assert summary.html.count("<table") == 2 and "county" in summary.html
    with pytest.raises(AttributeError):
        summary.text = "changed"


def test_loglik_aic_deviance():
    fit = fit_varying_slopes(load("sleepstudy"), "reaction", "days", "subject", method="ML")
    assert fit.deviance == pytest.approx(-2 * fit.loglik)
    assert fit.aic == pytest.approx(fit.deviance + 2 * 6)
    assert "AIC" in str(fit.summary())


def test_predict_known_and_new_groups():
    data = load("sleepstudy")
    fit = fit_varying_slopes(data, "reaction", "days", "subject")
    first = data["subject"].iloc[0]
    new = pd.DataFrame({"subject": [first, "somebody new"], "days": [3.0, 3.0]})
    pred = fit.predict(new)
    coefs = fit.group_coefs.loc[first]
    assert pred.iloc[0] == pytest.approx(coefs["Intercept"] + 3 * coefs["days"])
    fe = fit.fixed_effects
    assert pred.iloc[1] == pytest.approx(fe["Intercept"] + 3 * fe["days"])
    # without the group column: population-level predictions
    assert fit.predict(new[["days"]]).iloc[0] == pytest.approx(pred.iloc[1])
    with pytest.raises(ValueError, match="days"):
        fit.predict(pd.DataFrame({"subject": [first]}))


def test_group_labels_sorted_like_pandas():
    data = load("radon")
    fit = fit_varying_intercepts(data, "log_radon", "county")
    assert list(fit.random_effects.index) == sorted(data["county"].unique())
    data = data.assign(code=data["county"].astype("category").cat.codes.astype(int) * 7 + 1000)
    fit2 = fit_varying_intercepts(data, "log_radon", "code")
    assert list(fit2.random_effects.index) == sorted(data["code"].unique())
    assert_rel(fit2.random_effects.to_numpy(), fit.random_effects.to_numpy(), rtol=1e-9)
    # tuples as labels
    data = data.assign(pair=[(c[:3], len(c)) for c in data["county"]])
    fit3 = fit_varying_intercepts(data, "log_radon", "pair")
    assert list(fit3.random_effects.index) == sorted(data["pair"].unique())


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


# --------------------------------------------------------------------------------------
# Properties (hypothesis)
# --------------------------------------------------------------------------------------


def _sim(seed, n_groups=12, slope_sd=0.5):
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 15, size=n_groups)
    g = np.repeat(np.arange(n_groups), sizes)
    x = rng.normal(size=g.size)
    a = rng.normal(0, 1.0, n_groups)
    b = rng.normal(0, slope_sd, n_groups)
    y = 1 + a[g] + (0.5 + b[g]) * x + rng.normal(size=g.size)
    return pd.DataFrame({"g": [f"k{v}" for v in g], "x": x, "y": y})


def _fits(data, group="g"):
    return (fit_varying_intercepts(data, "y", group, x="x"),
            fit_varying_slopes(data, "y", "x", group, method="ML"))


if given is not None:
    prop = settings(max_examples=20, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])

    @prop
    @given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000))
    def test_row_order_invariance(seed, perm_seed):
        data = _sim(seed)
        shuffled = data.sample(frac=1.0, random_state=perm_seed)
        for a, b in zip(_fits(data), _fits(shuffled)):
            assert a.loglik == pytest.approx(b.loglik, rel=1e-10)
            assert_rel(b.fixed_effects, a.fixed_effects, rtol=1e-6)
            np.testing.assert_allclose(b.random_effects, a.random_effects, atol=1e-6)

    @prop
    @given(seed=st.integers(0, 10_000))
    def test_group_relabeling(seed):
        data = _sim(seed)
        relabel = {f"k{j}": 100 - j for j in range(12)}  # reverses the sort order
        other = data.assign(h=data["g"].map(relabel))
        for a, b in zip(_fits(data), _fits(other, "h")):
            assert a.loglik == pytest.approx(b.loglik, rel=1e-10)
            assert list(b.random_effects.index) == sorted(relabel.values())
            back = b.random_effects.rename(index={v: k for k, v in relabel.items()})
            np.testing.assert_allclose(back.loc[a.random_effects.index], a.random_effects,
                                       atol=1e-6)

    @prop
    @given(seed=st.integers(0, 10_000), shift=st.floats(-1e3, 1e3))
    def test_shift_y_shifts_intercept(seed, shift):
        data = _sim(seed)
        moved = data.assign(y=data["y"] + shift)
        for a, b in zip(_fits(data), _fits(moved)):
            assert b.fixed_effects["Intercept"] == pytest.approx(
                a.fixed_effects["Intercept"] + shift, abs=1e-6 * (1 + abs(shift)))
            assert b.fixed_effects["x"] == pytest.approx(a.fixed_effects["x"], abs=1e-6)
            assert_rel(b.group_sd, a.group_sd, rtol=1e-5)
            assert b.sigma == pytest.approx(a.sigma, rel=1e-8)

    @prop
    @given(seed=st.integers(0, 10_000), scale=st.floats(1e-3, 1e3))
    def test_rescale_x_rescales_slope(seed, scale):
        data = _sim(seed)
        scaled = data.assign(x=data["x"] * scale)
        a = fit_varying_slopes(data, "y", "x", "g")
        b = fit_varying_slopes(scaled, "y", "x", "g")
        assert b.loglik == pytest.approx(a.loglik - 0 * scale, abs=2.1 * abs(math.log(scale))
                                         + 1e-6)
        assert b.fixed_effects["x"] * scale == pytest.approx(a.fixed_effects["x"], rel=1e-5)
        assert b.group_sd["x"] * scale == pytest.approx(a.group_sd["x"], rel=1e-4)

    @prop
    @given(seed=st.integers(0, 10_000))
    def test_input_not_mutated(seed):
        data = _sim(seed)
        before = data.copy(deep=True)
        _fits(data)
        pd.testing.assert_frame_equal(data, before)


# --------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------


@pytest.fixture
def sleep():
    return load("sleepstudy")


def test_bad_data_type():
    with pytest.raises(TypeError, match="data"):
        fit_varying_intercepts([1, 2, 3], "y", "g")


def test_missing_columns(sleep):
    with pytest.raises(ValueError, match="y='nope'"):
        fit_varying_intercepts(sleep, "nope", "subject")
    with pytest.raises(ValueError, match="group='nope'"):
        fit_varying_intercepts(sleep, "reaction", "nope")
    with pytest.raises(ValueError, match="x='nope'"):
        fit_varying_intercepts(sleep, "reaction", "subject", x=["days", "nope"])
    with pytest.raises(ValueError, match="x='nope'"):
        fit_varying_slopes(sleep, "reaction", "nope", "subject")


def test_non_numeric(sleep):
    data = sleep.assign(word=["a"] * len(sleep))
    with pytest.raises(TypeError, match="y='word'"):
        fit_varying_intercepts(data, "word", "subject")
    with pytest.raises(TypeError, match="x='word'"):
        fit_varying_slopes(data, "reaction", "word", "subject")
    with pytest.raises(TypeError, match="x='word'"):
        fit_varying_intercepts(data, "reaction", "subject", x="word")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_inf(sleep, bad):
    sleep = sleep.astype({"reaction": float, "days": float})
    data = sleep.copy()
    data.loc[3, "reaction"] = bad
    with pytest.raises(ValueError, match="y='reaction'.*missing or infinite"):
        fit_varying_intercepts(data, "reaction", "subject")
    data = sleep.copy()
    data.loc[5, "days"] = bad
    with pytest.raises(ValueError, match="x='days'"):
        fit_varying_slopes(data, "reaction", "days", "subject")
    data = sleep.astype({"subject": object})
    data.loc[0, "subject"] = None
    with pytest.raises(ValueError, match="group='subject'.*missing"):
        fit_varying_intercepts(data, "reaction", "subject")


def test_fewer_than_two_groups(sleep):
    one = sleep[sleep["subject"] == sleep["subject"].iloc[0]]
    with pytest.raises(ValueError, match="group='subject'.*at least two groups"):
        fit_varying_intercepts(one, "reaction", "subject")


def test_one_observation_per_group(sleep):
    first = sleep.groupby("subject").head(1)
    with pytest.raises(ValueError, match="group='subject'.*one observation"):
        fit_varying_intercepts(first, "reaction", "subject", x="days")


def test_slope_not_varying_within_groups(sleep):
    data = sleep.assign(level=sleep["subject"].astype("category").cat.codes.astype(float))
    with pytest.raises(ValueError, match="x='level'.*does not vary within any group"):
        fit_varying_slopes(data, "reaction", "level", "subject")


def test_rank_deficient(sleep):
    data = sleep.assign(days2=2 * sleep["days"] + 1, const=3.0)
    with pytest.raises(ValueError, match="x=.*rank-deficient"):
        fit_varying_intercepts(data, "reaction", "subject", x=["days", "days2"])
    with pytest.raises(ValueError, match="x='const'.*rank-deficient"):
        fit_varying_intercepts(data, "reaction", "subject", x=["days", "const"])
    with pytest.raises(ValueError, match="x='const'"):
        fit_varying_slopes(data, "reaction", "const", "subject")


def test_unknown_method(sleep):
    with pytest.raises(ValueError, match="method='bayes'.*'REML', 'ML'"):
        fit_varying_intercepts(sleep, "reaction", "subject", method="bayes")
    with pytest.raises(ValueError, match="method"):
        fit_varying_slopes(sleep, "reaction", "days", "subject", method=None)
    assert fit_varying_intercepts(sleep, "reaction", "subject", method="ml").method == "ML"


def test_bad_argument_types(sleep):
    with pytest.raises(TypeError, match="x must"):
        fit_varying_intercepts(sleep, "reaction", "subject", x=3.5)
    with pytest.raises(TypeError, match="x must"):
        fit_varying_slopes(sleep, "reaction", ["days"], "subject")
    with pytest.raises(ValueError, match="x='reaction'.*response"):
        fit_varying_intercepts(sleep, "reaction", "subject", x="reaction")
    with pytest.raises(ValueError, match="names a column twice"):
        fit_varying_intercepts(sleep, "reaction", "subject", x=["days", "days"])


def test_bool_predictor_and_int_columns():
    data = load("radon")
    data = data.assign(first=data["floor"].astype(bool))
    a = fit_varying_intercepts(data, "log_radon", "county", x="first")
    b = fit_varying_intercepts(data, "log_radon", "county", x="floor")
    assert_rel(a.fixed_effects.to_numpy(), b.fixed_effects.to_numpy(), rtol=1e-12)


if __name__ == "__main__":  # pragma: no cover
    if "--regenerate" in sys.argv:
        regenerate(force="--force" in sys.argv)


def test_reduction_in_many_chunks_equals_one_pass(monkeypatch):
    """The row pass runs in cache-sized chunks; chunk boundaries must not change the fit."""
    import hiertools.mixed.reduction as mixed

    rng = np.random.default_rng(11)
    g = rng.integers(0, 40, size=5_000)
    x = rng.normal(size=5_000)
    y = 2.0 + rng.normal(0, 0.7, 40)[g] + (1.5 + rng.normal(0, 0.4, 40)[g]) * x + rng.normal(size=5_000)
    data = pd.DataFrame({"g": g, "x": x, "z": rng.normal(size=5_000), "y": y})
    def reduce():
        return [mixed._reduce(data, "y", "g", ["x", "z"], None, "REML"),
                mixed._reduce(data, "y", "g", [], "x", "REML")]

    def fit():
        return [fit_varying_intercepts(data, "y", "g", x=["x", "z"]),
                fit_varying_slopes(data, "y", "x", "g")]

    whole_stats, whole_fits = reduce(), fit()
    monkeypatch.setattr(mixed, "_CHUNK_ROWS", 97)  # 5,000 rows -> 52 chunks of an odd size
    chunk_stats, chunk_fits = reduce(), fit()
    for a, b in zip(whole_stats, chunk_stats):  # the sufficient statistics: same to rounding
        for name in ("cross", "ztz", "ztx", "zty", "counts", "x_means", "x_scales"):
            np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=1e-12, atol=1e-9)
    for a, b in zip(whole_fits, chunk_fits):  # hence the same fit, to the optimizer's precision
        assert_rel(b.fixed_effects.to_numpy(), a.fixed_effects.to_numpy(), rtol=1e-6)
        assert_rel(b.group_sd.to_numpy(), a.group_sd.to_numpy(), rtol=1e-6)
        assert b.loglik == pytest.approx(a.loglik, rel=1e-12)


def test_negative_and_gapped_integer_labels_match_string_labels():
    data = load("sleepstudy")
    codes = {s: (-1) ** i * 50 * i for i, s in enumerate(sorted(data["subject"].unique()))}
    as_int = data.assign(sub=data["subject"].map(codes))
    as_str = data.assign(sub=data["subject"].map(lambda s: f"s{codes[s]:+05d}"))
    a = fit_varying_slopes(as_int, "reaction", "days", "sub")
    b = fit_varying_slopes(as_str, "reaction", "days", "sub")
    assert list(a.random_effects.index) == sorted(codes.values())
    by_label = {f"s{v:+05d}": v for v in codes.values()}
    reordered = b.random_effects.rename(index=by_label).loc[a.random_effects.index]
    assert_rel(a.random_effects.to_numpy(), reordered.to_numpy(), rtol=1e-9)
    assert a.group_sizes.sum() == 180 and (a.group_sizes == 10).all()


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
