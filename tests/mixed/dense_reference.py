"""An independent dense reference for the mixed-model engine, and the models it covers.

Reference values live in ``tests/data/lme4_reference.json``; each entry says where it came
from.  Two kinds:

* published lme4 output (cited, tested at the printed precision);
* an independent dense computation, in this file, that shares no code with the engine:
  it builds the marginal covariance V = sigma^2 I + Z (I_J kron Sigma) Z' from the raw
  rows, evaluates the exact ML / REML log-likelihood with numpy.linalg and optimizes it
  over (log sigma, Cholesky of Sigma) with scipy (Nelder-Mead, then BFGS), cross-checked
  against statsmodels MixedLM (``method="powell"``).  Regenerate with
  ``python tests/mixed/dense_reference.py --regenerate`` (takes a few minutes; add
  ``--force`` to recompute entries that are already stored).

The engine's own output is never stored as an expected value.  This module imports
nothing from hiertools but the datasets, so it can also run as a script.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import linalg as sla
from scipy import optimize

if importlib.util.find_spec("hiertools") is None:  # run as a script from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from hiertools.data import load

REF_PATH = Path(__file__).resolve().parents[1] / "data" / "lme4_reference.json"

# the required fits: (key, dataset, y, group, fixed x, varying slope)
MODELS = {
    "radon_intercept_only": ("radon", "log_radon", "county", [], None),
    "radon_floor": ("radon", "log_radon", "county", ["floor"], None),
    "radon_floor_uranium": ("radon", "log_radon", "county", ["floor", "log_uranium"], None),
    "radon_floor_slopes": ("radon", "log_radon", "county", ["floor"], "floor"),
    "sleepstudy_slopes": ("sleepstudy", "reaction", "subject", ["days"], "days"),
    "sleepstudy_intercepts": ("sleepstudy", "reaction", "subject", ["days"], None),
}

MODELS_EXTRA = {
    "simulated_large_slopes": ("simulated_large", "y", "grp", ["x"], "x"),
}

ALL_MODELS = {**MODELS, **MODELS_EXTRA}


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


def dataset(name: str) -> pd.DataFrame:
    return simulated_large() if name == "simulated_large" else load(name)


def read_reference() -> dict:
    return json.loads(REF_PATH.read_text())


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
    ds, y, group, xs, slope = ALL_MODELS[key]
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

    ds, y, group, xs, slope = ALL_MODELS[key]
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
    out = read_reference()
    out.setdefault("dense", {})
    for key in ALL_MODELS:
        for method in ("REML", "ML"):
            name = f"{key}/{method}"
            if name in out["dense"] and not force:
                continue
            ref = dense_reference(key, method)
            diffs, llf = statsmodels_crosscheck(key, method, ref)
            ref["source"] = (
                "independent dense computation (tests/mixed/dense_reference.py: Dense, "
                "blocks=True): marginal covariance V_j = sigma^2 I + Z_j Sigma Z_j' built from "
                "the raw rows of each group, exact (RE)ML log-likelihood by Cholesky, optimized "
                "with scipy Nelder-Mead -> BFGS -> Nelder-Mead over (log sigma, Cholesky of "
                "Sigma); cross-checked with statsmodels MixedLM fit(method='powell')")
            ref["statsmodels_powell_max_rel_diff"] = diffs
            ref["statsmodels_powell_llf"] = llf
            out["dense"][name] = ref
            REF_PATH.write_text(json.dumps(out, indent=1) + "\n")
            print(name, ref["loglik"], diffs, flush=True)


if __name__ == "__main__":  # pragma: no cover
    if "--regenerate" in sys.argv:
        regenerate(force="--force" in sys.argv)
    else:
        print(__doc__)
