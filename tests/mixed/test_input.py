"""Bad input: every error names the argument and says what to do; good but unusual input
(booleans, integer columns) works."""

from __future__ import annotations

import numpy as np
import pytest

from hiertools.data import load
from hiertools.mixed import fit_varying_intercepts, fit_varying_slopes

from .support import assert_rel


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
    data = sleep.assign(subject=sleep["subject"].astype(str))
    data.loc[7, "subject"] = np.nan  # string labels: missing ones found by factorize
    with pytest.raises(ValueError, match="group='subject'.*missing"):
        fit_varying_slopes(data, "reaction", "days", "subject")


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


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # numpy's, on the mean
def test_role_size_and_overflow_errors(sleep):
    with pytest.raises(ValueError, match="x='subject' is also the grouping column"):
        fit_varying_intercepts(sleep, "reaction", "subject", x="subject")
    with pytest.raises(ValueError, match="group='reaction' is also the response y"):
        fit_varying_intercepts(sleep, "reaction", "reaction")
    with pytest.raises(ValueError, match="3 rows but the model has 3 fixed effects"):
        fit_varying_intercepts(sleep.head(3).assign(d2=[0.0, 1.0, 5.0]), "reaction",
                               "subject", x=["days", "d2"])
    huge = sleep.assign(reaction=np.full(len(sleep), 1e308))
    with pytest.raises(ValueError, match="y='reaction' is too large in magnitude"):
        fit_varying_intercepts(huge, "reaction", "subject")
