"""Lesson 02's exercise checks: right answers (rounded as stated) pass, typical mistakes are named."""

import numpy as np
import pandas as pd

import hiertools as ht
from hiertools.exercises import lesson02
from tests.exercises.support import assert_feedback_never_reveals, assert_right_answers_pass
from tests.plots.test_mixed import FIT, FIT_U, RADON, _lstsq_lines


def _icc(fit):
    tau, sigma = fit.group_sd["Intercept"], fit.sigma
    return tau**2 / (tau**2 + sigma**2)


def test_icc_check():
    tau, sigma = FIT_U.group_sd["Intercept"], FIT_U.sigma
    assert ht.check("02-icc", _icc(FIT_U))
    assert ht.check("02-icc", round(_icc(FIT_U), 3))
    assert "without log uranium" in ht.check("02-icc", _icc(FIT)).message
    assert "standard deviations" in ht.check("02-icc", tau / (tau + sigma)).message
    assert "within" in ht.check("02-icc", sigma**2 / (tau**2 + sigma**2)).message
    assert "percentage" in ht.check("02-icc", 100 * _icc(FIT_U)).message
    assert ht.check("02-icc", np.nan).status == "invalid"


def test_county_prediction_check():
    county = lesson02.COUNTY_PREDICTION
    pred = FIT.predict(pd.DataFrame({"county": [county], "floor": [1]}))
    assert ht.check("02-county-prediction", pred)  # a one-element Series is accepted
    fe, re = FIT.fixed_effects, FIT.random_effects.loc[county, "Intercept"]
    assert ht.check("02-county-prediction", fe["Intercept"] + re + fe["floor"])
    assert "average (or new) county" in ht.check("02-county-prediction", fe.sum()).message
    assert "basement" in ht.check("02-county-prediction", fe["Intercept"] + re).message
    _, np_a, np_b = _lstsq_lines()
    assert "no-pooling" in ht.check("02-county-prediction", np_a[county] + np_b).message
    assert "pCi/L" in ht.check("02-county-prediction", np.exp(pred.iloc[0])).message


def test_new_county_interval_check():
    u = lesson02.NEW_COUNTY_LOG_URANIUM
    fe = FIT_U.fixed_effects
    tau, sigma = FIT_U.group_sd["Intercept"], FIT_U.sigma
    center, sd = fe["Intercept"] + fe["log_uranium"] * u, np.sqrt(tau**2 + sigma**2)
    right = np.exp([center - 1.96 * sd, center + 1.96 * sd])
    assert ht.check("02-new-county-interval", tuple(right))
    assert ht.check("02-new-county-interval", pd.Series(right))
    assert "log scale" in ht.check("02-new-county-interval",
                                   [center - 1.96 * sd, center + 1.96 * sd]).message
    narrow = np.exp([center - 1.96 * sigma, center + 1.96 * sigma])
    assert "tau²" in ht.check("02-new-county-interval", narrow).message
    wide = np.exp([center - 1.96 * (tau + sigma), center + 1.96 * (tau + sigma)])
    assert "added the SDs" in ht.check("02-new-county-interval", wide).message
    assert ht.check("02-new-county-interval", right[::-1]).status == "invalid"
    assert ht.check("02-new-county-interval", [1.0, 2.0, 3.0]).status == "invalid"


def test_moved_most_check():
    _, np_a, _ = _lstsq_lines()
    moved = (np_a - FIT.group_coefs["Intercept"]).abs()
    top = moved.nlargest(5)
    assert ht.check("02-moved-most", top)  # a Series indexed by county works
    assert ht.check("02-moved-most", list(top.index))
    assert ht.check("02-moved-most", RADON[RADON["county"].isin(top.index)]
                    .drop_duplicates("county"))
    farthest = FIT.random_effects["Intercept"].abs().nlargest(5).index
    assert "*moved*" in ht.check("02-moved-most", list(farthest)).message
    assert ht.check("02-moved-most", list(top.index[:4]) + ["LAKE"]).message.startswith("4 of")
    assert ht.check("02-moved-most", ["Lake"] * 5).status == "invalid"


def _new_county_interval():
    u = lesson02.NEW_COUNTY_LOG_URANIUM
    fe = FIT_U.fixed_effects
    center = fe["Intercept"] + fe["log_uranium"] * u
    sd = np.sqrt(FIT_U.group_sd["Intercept"] ** 2 + FIT_U.sigma**2)
    return tuple(np.exp([center - 1.96 * sd, center + 1.96 * sd]))


RIGHT_ANSWERS = {
    "02-icc": _icc(FIT_U),
    "02-county-prediction": float(FIT.predict(pd.DataFrame(
        {"county": [lesson02.COUNTY_PREDICTION], "floor": [1]})).iloc[0]),
    "02-new-county-interval": _new_county_interval(),
}


def test_right_answers_pass_as_computed_and_rounded_as_stated():
    assert_right_answers_pass(RIGHT_ANSWERS)


def test_feedback_never_reveals_the_expected_value():
    assert_feedback_never_reveals(RIGHT_ANSWERS, {
        "02-icc": _icc(FIT), "02-county-prediction": 1.0,
        "02-new-county-interval": (1.0, 2.0)})
    feedback = ht.check("02-moved-most", ["LAKE"] * 5)
    assert feedback.status == "invalid"


def test_notebook_uses_the_lessons_settings_and_states_precision():
    from tests.exercises.support import assert_exercises_state_their_precision, notebook_calls

    fits = notebook_calls("02_varying_intercepts.ipynb", "fit_varying_intercepts")
    for spec in (lesson02.FIT, lesson02.FIT_U):
        assert (("<radon>", spec["y"], spec["group"]), {"x": spec["x"]}) in fits
    assert (("radon",), {}) in notebook_calls("02_varying_intercepts.ipynb", "load")
    assert_exercises_state_their_precision("02_varying_intercepts.ipynb")
