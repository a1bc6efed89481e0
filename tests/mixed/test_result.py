"""The result object: fields, immutability, summary, display, prediction, labels."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pandas as pd
import pytest

from hiertools.data import load
from hiertools.mixed import (
    MixedModelResult,
    ModelSummary,
    fit_varying_intercepts,
    fit_varying_slopes,
)

from .support import assert_rel


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
    text = str(fit.summary())
    for piece in ["REML", "Intercept", "days", "Residual", "Number of obs: 180",
                  "Std. Error", "Corr"]:
        assert piece in text
    html = fit._repr_html_()
    assert "<table" in html and "REML" in html
    assert "MixedModelResult" in repr(fit)


def test_result_stores_read_only_arrays_and_plain_values_only():
    """Nothing a result holds can be changed in place: its arrays are read-only, its group
    labels a pandas Index (immutable values), everything else plain Python values; no
    Series or DataFrame is stored (those are built on access, as fresh copies)."""
    fit = fit_varying_slopes(load("sleepstudy"), "reaction", "days", "subject")
    arrays = 0
    for name, value in vars(fit).items():
        assert not isinstance(value, pd.Series | pd.DataFrame), name
        if isinstance(value, np.ndarray):
            assert not value.flags.writeable, name
            with pytest.raises(ValueError):
                value[(0,) * value.ndim] = 0.0
            arrays += 1
        elif isinstance(value, pd.Index):
            assert name == "_labels"
            with pytest.raises(TypeError):
                value[0] = value[1]
        else:
            assert isinstance(value, bool | int | float | str | tuple | Hashable), name
    assert arrays == 7  # beta, vcov, sd, re, re_sd, counts, theta
    assert fit.random_effects.index is not fit.random_effects.index


def test_summary_has_a_text_and_an_html_form():
    """summary() returns a ModelSummary: the lme4-style text for print/str/repr, HTML
    tables for notebooks; it is not a string (search str(summary) instead)."""
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
