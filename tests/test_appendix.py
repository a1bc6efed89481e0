"""The appendix "Coming from R": its printed comparisons say what its prose says.

The quoted lme4 numbers are checked against the recorded published values in
tests/test_notebooks.py; here, the *hiertools* side: the stored outputs agree with the quotes
at the precision the prose claims, and the one model the appendix shows without a published
lme4 value (the districts, y ~ 1 + (1 | district)) is checked against a REML criterion written
out from its closed form and maximized with scipy, sharing no code with hiertools.mixed.
"""

import json
import re
from functools import cache

import nbformat
import numpy as np
from scipy import optimize

import hiertools as ht
from hiertools.build import repo_root

NOTEBOOK = repo_root() / "solutions" / "appendix_coming_from_r.ipynb"


@cache
def _cells():  # read once: every test below looks at the same stored notebook
    return nbformat.read(NOTEBOOK, as_version=4).cells


def _printed(snippet):
    cell = next(c for c in _cells() if c.cell_type == "code" and snippet in c.source)
    return "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                   for o in cell.outputs)


def _prose():
    return " ".join(" ".join(c.source for c in _cells() if c.cell_type == "markdown").split())


def _one_way_reml(data, y, group):
    """(tau, sigma, REML log-likelihood on lme4's scale) of y_ij = mu + a_j + e_ij.

    For group j with n_j rows, mean ybar_j and within sum of squares W_j, V_j = s2 I + t2 11':
    log|V_j| = (n_j - 1) log s2 + log(s2 + n_j t2),
    r'V_j^-1 r = W_j / s2 + n_j (ybar_j - mu)^2 / (s2 + n_j t2),
    X'V^-1 X = sum_j n_j / (s2 + n_j t2); mu is its GLS estimate.
    """
    g = data.groupby(group)[y]
    n, ybar = g.size().to_numpy(float), g.mean().to_numpy()
    within = float(((data[y] - g.transform("mean")) ** 2).sum())
    total = n.sum()

    def minus_two_loglik(log_sd):
        t2, s2 = np.exp(2 * log_sd)
        v = s2 + n * t2
        info = np.sum(n / v)
        mu = np.sum(n * ybar / v) / info
        return ((total - 1) * np.log(2 * np.pi) + np.sum((n - 1) * np.log(s2) + np.log(v))
                + within / s2 + np.sum(n * (ybar - mu) ** 2 / v) + np.log(info))

    start = np.log([ybar.std(), np.sqrt(within / (total - len(n)))])
    res = optimize.minimize(minus_two_loglik, start, method="Nelder-Mead",
                            options={"xatol": 1e-12, "fatol": 1e-12, "maxiter": 10_000})
    tau, sigma = np.exp(res.x)
    return tau, sigma, -0.5 * res.fun


def test_districts_fit_is_the_closed_form_reml_optimum():
    obs = ht.simulate_districts(observations=True)
    tau, sigma, loglik = _one_way_reml(obs, "y", "district")
    fit = ht.fit_varying_intercepts(obs, "y", "district")
    assert np.isclose(fit.group_sd["Intercept"], tau, rtol=1e-5)
    assert np.isclose(fit.sigma, sigma, rtol=1e-5)
    assert np.isclose(fit.loglik, loglik, rtol=1e-8)
    table = _printed("obs = ht.simulate_districts(observations=True)")
    assert re.search(rf"districts, y ~ 1 \+ \(1 \| district\)\s+{tau:.4f}\s+{sigma:.4f}", table)


def test_districts_prose_quotes_the_printed_numbers():
    """The paragraph on the districts quotes the numbers its cell prints, at the same rounding."""
    obs = ht.simulate_districts(observations=True)
    tau, sigma, _ = _one_way_reml(obs, "y", "district")
    table = ht.simulate_districts()
    tau_01 = ht.estimate_tau(table["raw"], 3.0 / np.sqrt(table["n"]), method="REML")
    printed, prose = _printed("tau_01 = ht.estimate_tau"), _prose()
    for value in (f"{tau:.3f}", f"{sigma:.3f}", f"{tau_01:.3f}", f"{table['true'].std():.3f}"):
        assert value in printed and value in prose, value


def _table(snippet):
    text = _printed(snippet)
    rows = {}
    for line in text.splitlines()[1:]:
        *name, quoted, ours = line.split()
        rows[" ".join(name)] = (quoted, ours)
    return rows


def test_quoted_and_computed_columns_agree_at_the_printed_precision():
    radon = _table('fit = ht.fit_varying_intercepts(radon, "log_radon", "county", x="floor")')
    assert len(radon) == 4 and all(q == o for q, o in radon.values())
    sleep = _table("slopes = ht.fit_varying_slopes")
    assert len(sleep) == 7
    differ = {name for name, (q, o) in sleep.items() if q != o}
    assert differ == {"SD intercept", "correlation"}  # the two the prose names
    prose = _prose()
    for name in differ:
        quoted, ours = sleep[name]
        assert f"{quoted} against {ours}" in prose
        assert abs(float(ours) / float(quoted) - 1) < 1e-6
    # the dense reference the prose quotes: a third optimum, 6th significant digit apart
    dense = json.loads((repo_root() / "tests" / "data" / "lme4_reference.json").read_text())
    corr = dense["dense"]["sleepstudy_slopes/REML"]["group_corr"]
    assert f"correlation of {corr:.8f}, differing from both in the 6th significant digit" in prose
    for printed in sleep["correlation"]:
        digits, reference = printed.lstrip("0.")[:6], f"{corr:.8f}".lstrip("0.")[:6]
        assert digits[:5] == reference[:5] and digits[5] != reference[5]
    ml = _printed('method="ML")\nprint(f"lme4 (quoted): logLik')
    assert re.fullmatch(r"lme4 \(quoted\): logLik -876;  hiertools: -876\n", ml)
    intercepts = _printed("intercepts = ht.fit_varying_intercepts(sleep")
    for line in intercepts.splitlines():
        numbers = re.findall(r"\d+\.\d+", line)
        assert len(numbers) == 2 and numbers[0] == numbers[1], line

