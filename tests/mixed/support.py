"""Helpers shared by the engine tests: fitting a reference model, comparing, small data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hiertools.mixed import fit_varying_intercepts, fit_varying_slopes

from .dense_reference import ALL_MODELS, dataset

#: Agreement with the independent dense likelihood (relative).  The engine reaches
#: ~1e-6 at worst (the sleep-study correlation, where the dense optimizer's own
#: precision is the limit) and ~1e-7 elsewhere; the project's bar is 2e-5.
RTOL = 1e-5

#: Published lme4 output: printed precision, or this (relative) where lme4's own
#: optimum is less exact than its printout (its optimizer stops ~1e-6 short).
PUBLISHED_RTOL = 1e-4


def fit_model(key: str, method: str):
    """Fit one of the reference models (dense_reference.ALL_MODELS) with the engine."""
    ds, y, group, xs, slope = ALL_MODELS[key]
    data = dataset(ds)
    if slope is None:
        return fit_varying_intercepts(data, y, group, x=xs or None, method=method)
    return fit_varying_slopes(data, y, slope, group, method=method)


def assert_rel(actual, expected, rtol=RTOL, what=""):
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=0, err_msg=what)


def small_simulation(seed: int, n_groups: int = 12, slope_sd: float = 0.5) -> pd.DataFrame:
    """A few dozen rows in unbalanced groups, with varying intercepts and slopes."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(2, 15, size=n_groups)
    g = np.repeat(np.arange(n_groups), sizes)
    x = rng.normal(size=g.size)
    a = rng.normal(0, 1.0, n_groups)
    b = rng.normal(0, slope_sd, n_groups)
    y = 1 + a[g] + (0.5 + b[g]) * x + rng.normal(size=g.size)
    return pd.DataFrame({"g": [f"k{v}" for v in g], "x": x, "y": y})


def both_models(data: pd.DataFrame, group: str = "g"):
    """A varying-intercept fit (REML) and a varying-slope fit (ML) of y on x."""
    return (fit_varying_intercepts(data, "y", group, x="x"),
            fit_varying_slopes(data, "y", "x", group, method="ML"))
