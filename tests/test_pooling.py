"""Complete, no and partial pooling, checked against hand computations."""

import numpy as np
import pandas as pd
import pytest

import hiertools as ht

TOY = pd.DataFrame({"g": ["b", "a", "a", "b", "b", "c"], "y": [4.0, 1.0, 3.0, 5.0, 6.0, 10.0]})


def test_group_summary_by_hand():
    s = ht.group_summary(TOY, "y", "g")
    assert s.index.tolist() == ["a", "b", "c"]
    assert s["n"].tolist() == [2, 3, 1]
    assert s["mean"].tolist() == [2.0, 5.0, 10.0]
    assert s["var"].iloc[:2].tolist() == [2.0, 1.0] and np.isnan(s["var"].iloc[2])


def test_complete_pooling_is_the_mean_of_all_observations():
    est = ht.complete_pooling(TOY, "y", "g")
    assert est.index.tolist() == ["a", "b", "c"]
    assert np.allclose(est, 29.0 / 6)  # not the mean of the means (17/3)


def test_no_pooling_is_each_groups_mean():
    assert ht.no_pooling(TOY, "y", "g").to_dict() == {"a": 2.0, "b": 5.0, "c": 10.0}


def test_estimators_do_not_mutate_input():
    before = TOY.copy()
    ht.group_summary(TOY, "y", "g")
    ht.complete_pooling(TOY, "y", "g")
    ht.no_pooling(TOY, "y", "g")
    pd.testing.assert_frame_equal(TOY, before)


def test_any_hashable_labels_sorted_as_pandas_sorts():
    df = pd.DataFrame({"g": [3, 1, 2, 1], "y": [1.0, 2.0, 3.0, 4.0]})
    assert ht.no_pooling(df, "y", "g").index.tolist() == [1, 2, 3]


@pytest.mark.parametrize("call", [ht.group_summary, ht.complete_pooling, ht.no_pooling])
def test_bad_input_names_the_argument(call):
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        call({"y": [1.0]}, "y", "g")
    with pytest.raises(ValueError, match="y='z' is not a column"):
        call(TOY, "z", "g")
    with pytest.raises(ValueError, match="group='h' is not a column"):
        call(TOY, "y", "h")
    with pytest.raises(TypeError, match="must be a numeric column"):
        call(TOY.assign(y=TOY["y"].astype(str)), "y", "g")
    with pytest.raises(ValueError, match="missing or infinite"):
        call(TOY.assign(y=[1.0, np.nan, 2, 3, 4, 5]), "y", "g")
    with pytest.raises(ValueError, match="missing labels"):
        call(TOY.assign(g=["a", None, "a", "b", "b", "c"]), "y", "g")


def test_partial_pooling_is_the_shrinkage_formula_at_the_fitted_variances():
    radon = ht.load("radon")
    fit = ht.fit_varying_intercepts(radon, "log_radon", "county")
    summary = ht.group_summary(radon, "log_radon", "county")
    by_formula = ht.shrink(summary["mean"], summary["n"], tau=fit.group_sd["Intercept"],
                           sigma=fit.sigma)
    est = ht.partial_pooling(radon, "log_radon", "county")
    assert est.index.equals(summary.index)
    np.testing.assert_allclose(est, by_formula, rtol=1e-7)
    # and it sits between no pooling and complete pooling for every county
    raw, overall = summary["mean"], fit.fixed_effects["Intercept"]
    assert ((est - raw) * (est - overall) <= 1e-12).all()


def test_partial_pooling_rejects_unknown_method():
    with pytest.raises(ValueError, match="method='OLS' is not supported"):
        ht.partial_pooling(TOY, "y", "g", method="OLS")
    with pytest.raises(ValueError, match="Did you mean 'REML'"):
        ht.partial_pooling(TOY, "y", "g", method="RMEL")


def test_partial_pooling_methods_are_case_insensitive_like_the_fits():
    radon = ht.load("radon")
    for method in ("REML", "ML"):
        pd.testing.assert_series_equal(ht.partial_pooling(radon, "log_radon", "county",
                                                          method=method.lower()),
                                       ht.partial_pooling(radon, "log_radon", "county",
                                                          method=method))
    assert ht.fit_varying_intercepts(radon, "log_radon", "county", method="ml").method == "ML"
