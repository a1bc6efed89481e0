"""Invariance and equivariance of fits (hypothesis), and of the chunked pass over the rows.

Exact identities of the model, checked to near rounding precision:

* row order and group labels do not matter;
* shifting y by c adds c to the intercept and changes nothing else;
* scaling y by s (either sign) scales the fixed effects, the random effects and their SDs
  by s (SDs by |s|), sigma by |s|, and shifts the log-likelihood by -n log|s| (ML) or
  -(n - p) log|s| (REML): the marginal covariance V becomes s^2 V, so log det V gains
  2 n log|s| while the quadratic form r'V^-1 r is unchanged, and REML's log det(X'V^-1 X)
  loses 2 p log|s|;
* scaling the predictor x by s > 0 divides its coefficient (and the slope's SD) by s and
  leaves the ML log-likelihood unchanged, while the REML log-likelihood changes by exactly
  -log s: REML's log det(X'V^-1 X) gains 2 log s when a column of X is scaled by s.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import hiertools.mixed.reduction as reduction
from hiertools.mixed import fit_varying_intercepts, fit_varying_slopes

from .support import assert_rel, both_models, small_simulation

prop = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Equivariance tolerances: the fits are the same optimum up to rounding (~1e-12 observed).
REL = 1e-9
LOGLIK_ABS = 1e-9


def _fit(slopes: bool, data: pd.DataFrame, method: str):
    if slopes:
        return fit_varying_slopes(data, "y", "x", "g", method=method)
    return fit_varying_intercepts(data, "y", "g", x="x", method=method)


def _spread_scale(fit, s):
    """The scale against which random effects and SDs are compared (one can be ~0)."""
    return abs(s) * max(fit.sigma, float(fit.group_sd.max()))


@prop
@given(seed=st.integers(0, 10_000), perm_seed=st.integers(0, 10_000))
def test_row_order_invariance(seed, perm_seed):
    data = small_simulation(seed)
    shuffled = data.sample(frac=1.0, random_state=perm_seed)
    for a, b in zip(both_models(data), both_models(shuffled)):
        assert a.loglik == pytest.approx(b.loglik, rel=1e-10)
        assert_rel(b.fixed_effects, a.fixed_effects, rtol=1e-6)
        np.testing.assert_allclose(b.random_effects, a.random_effects, atol=1e-6)


@prop
@given(seed=st.integers(0, 10_000))
def test_group_relabeling(seed):
    data = small_simulation(seed)
    relabel = {f"k{j}": 100 - j for j in range(12)}  # reverses the sort order
    other = data.assign(h=data["g"].map(relabel))
    for a, b in zip(both_models(data), both_models(other, "h")):
        assert a.loglik == pytest.approx(b.loglik, rel=1e-10)
        assert list(b.random_effects.index) == sorted(relabel.values())
        back = b.random_effects.rename(index={v: k for k, v in relabel.items()})
        np.testing.assert_allclose(back.loc[a.random_effects.index], a.random_effects,
                                   atol=1e-6)


@prop
@given(seed=st.integers(0, 10_000), shift=st.floats(-1e3, 1e3))
@example(seed=73, shift=340.0)  # once needed the gradient-judged polish to reproduce the optimum
def test_shift_y_shifts_intercept(seed, shift):
    data = small_simulation(seed)
    moved = data.assign(y=data["y"] + shift)
    for a, b in zip(both_models(data), both_models(moved)):
        assert b.fixed_effects["Intercept"] == pytest.approx(
            a.fixed_effects["Intercept"] + shift, abs=1e-6 * (1 + abs(shift)))
        assert b.fixed_effects["x"] == pytest.approx(a.fixed_effects["x"], abs=1e-6)
        assert_rel(b.group_sd, a.group_sd, rtol=1e-5)
        assert b.sigma == pytest.approx(a.sigma, rel=1e-8)


@prop
@given(seed=st.integers(0, 10_000), log_scale=st.floats(-3 * math.log(10), 3 * math.log(10)),
       negative=st.booleans(), method=st.sampled_from(["REML", "ML"]))
def test_scale_y_scales_everything(seed, log_scale, negative, method):
    s = math.exp(log_scale) * (-1.0 if negative else 1.0)
    data = small_simulation(seed)
    n, p = len(data), 2
    shift = -(n - p if method == "REML" else n) * math.log(abs(s))
    for slopes in (False, True):
        a = _fit(slopes, data, method)
        b = _fit(slopes, data.assign(y=data["y"] * s), method)
        assert b.loglik == pytest.approx(a.loglik + shift, abs=LOGLIK_ABS)
        assert_rel(b.fixed_effects, s * a.fixed_effects, rtol=REL)
        assert_rel(b.fixed_effects_se, abs(s) * a.fixed_effects_se, rtol=REL)
        assert b.sigma == pytest.approx(abs(s) * a.sigma, rel=REL)
        scale = _spread_scale(a, s)
        np.testing.assert_allclose(b.group_sd / scale, abs(s) * a.group_sd / scale,
                                   rtol=0, atol=REL)
        np.testing.assert_allclose(b.random_effects / scale, s * a.random_effects / scale,
                                   rtol=0, atol=REL)
        np.testing.assert_allclose(b.random_effects_sd / scale,
                                   abs(s) * a.random_effects_sd / scale, rtol=0, atol=REL)
        assert b.singular == a.singular
        if not math.isnan(a.group_corr):
            assert b.group_corr == pytest.approx(a.group_corr, abs=1e-8)


@prop
@given(seed=st.integers(0, 10_000), log_scale=st.floats(-3 * math.log(10), 3 * math.log(10)),
       method=st.sampled_from(["REML", "ML"]), slopes=st.booleans())
def test_rescale_x_rescales_slope(seed, log_scale, method, slopes):
    s = math.exp(log_scale)
    data = small_simulation(seed)
    a = _fit(slopes, data, method)
    b = _fit(slopes, data.assign(x=data["x"] * s), method)
    expected = a.loglik - (math.log(s) if method == "REML" else 0.0)
    assert b.loglik == pytest.approx(expected, abs=LOGLIK_ABS)
    assert b.fixed_effects["x"] * s == pytest.approx(a.fixed_effects["x"], rel=REL)
    assert b.fixed_effects["Intercept"] == pytest.approx(a.fixed_effects["Intercept"],
                                                         rel=REL, abs=REL * a.sigma)
    assert b.sigma == pytest.approx(a.sigma, rel=REL)
    if slopes:
        scale = max(a.sigma, float(a.group_sd.max()))
        assert b.group_sd["x"] * s == pytest.approx(a.group_sd["x"], abs=REL * scale)
        assert b.group_sd["Intercept"] == pytest.approx(a.group_sd["Intercept"],
                                                        abs=REL * scale)
    else:
        assert b.group_sd["Intercept"] == pytest.approx(a.group_sd["Intercept"],
                                                        rel=REL, abs=REL * a.sigma)


@prop
@given(seed=st.integers(0, 10_000))
def test_input_not_mutated(seed):
    data = small_simulation(seed)
    before = data.copy(deep=True)
    both_models(data)
    pd.testing.assert_frame_equal(data, before)


def test_reduction_in_many_chunks_equals_one_pass(monkeypatch):
    """The row pass runs in cache-sized chunks; chunk boundaries must not change the fit."""
    rng = np.random.default_rng(11)
    g = rng.integers(0, 40, size=5_000)
    x = rng.normal(size=5_000)
    y = (2.0 + rng.normal(0, 0.7, 40)[g] + (1.5 + rng.normal(0, 0.4, 40)[g]) * x
         + rng.normal(size=5_000))
    data = pd.DataFrame({"g": g, "x": x, "z": rng.normal(size=5_000), "y": y})

    def reduce():
        return [reduction._reduce(data, "y", "g", ["x", "z"], None, "REML"),
                reduction._reduce(data, "y", "g", [], "x", "REML")]

    def fit():
        return [fit_varying_intercepts(data, "y", "g", x=["x", "z"]),
                fit_varying_slopes(data, "y", "x", "g")]

    whole_stats, whole_fits = reduce(), fit()
    monkeypatch.setattr(reduction, "_CHUNK_ROWS", 97)  # 5,000 rows -> 52 chunks of an odd size
    chunk_stats, chunk_fits = reduce(), fit()
    for a, b in zip(whole_stats, chunk_stats):  # the sufficient statistics: same to rounding
        for name in ("cross", "ztz", "ztx", "zty", "counts", "x_means", "x_scales"):
            np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=1e-12, atol=1e-9)
    for a, b in zip(whole_fits, chunk_fits):  # hence the same fit, to the optimizer's precision
        assert_rel(b.fixed_effects.to_numpy(), a.fixed_effects.to_numpy(), rtol=1e-6)
        assert_rel(b.group_sd.to_numpy(), a.group_sd.to_numpy(), rtol=1e-6)
        assert b.loglik == pytest.approx(a.loglik, rel=1e-12)
