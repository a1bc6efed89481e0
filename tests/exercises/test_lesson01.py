"""Lesson 01's exercise checks: right answers (rounded as stated) pass, typical mistakes are named."""

import numpy as np
import pandas as pd
import pytest

import hiertools as ht
from hiertools.exercises import lesson01
from tests.exercises.support import assert_feedback_never_reveals, assert_right_answers_pass

OBS = ht.simulate_districts(observations=True)
DISTRICTS = ht.simulate_districts()


def _no_pool():
    return OBS.groupby("district")["y"].mean()


def test_no_pooling_check():
    assert ht.check("01-no-pooling", _no_pool())
    assert ht.check("01-no-pooling", _no_pool().to_frame())  # a one-column frame is accepted
    wrong = _no_pool().copy()
    wrong.iloc[0] += 0.1
    feedback = ht.check("01-no-pooling", wrong)
    assert feedback.status == "incorrect" and "1 of 12" in feedback.message
    same = pd.Series(OBS["y"].mean(), index=_no_pool().index)
    assert "complete pooling" in ht.check("01-no-pooling", same).message
    assert "index" in ht.check("01-no-pooling", _no_pool().reset_index(drop=True)).message


def test_complete_pooling_check_catches_the_mean_of_means():
    assert ht.check("01-complete-pooling", OBS["y"].mean())
    feedback = ht.check("01-complete-pooling", _no_pool().mean())
    assert not feedback and "average of the 12 district means" in feedback.message


def test_extremes_check():
    areas = ht.simulate_districts(**lesson01.AREAS)
    center = np.average(areas["raw"], weights=areas["n"])
    far = areas.loc[(areas["raw"] - center).abs().sort_values().index[::-1][:10], "district"]
    assert ht.check("01-extremes", list(far))
    assert ht.check("01-extremes", areas[areas["district"].isin(far)])  # a DataFrame works too
    highest = areas.nlargest(10, "raw")["district"].tolist()
    assert "either direction" in ht.check("01-extremes", highest).message
    assert ht.check("01-extremes", list(far)[:9]).status == "invalid"


def test_new_district_check_names_the_misconception():
    tau = ht.estimate_tau(DISTRICTS["raw"], 3 / np.sqrt(DISTRICTS["n"]))
    mu = ht.pooled_mean(DISTRICTS["raw"], DISTRICTS["n"], tau, 3.0)
    w = tau**2 / (tau**2 + 9 / 8)  # by hand
    assert ht.check("01-new-district", w * 9 + (1 - w) * mu)
    assert "50/50" in ht.check("01-new-district", (9 + mu) / 2).message
    assert "swapped" in ht.check("01-new-district", (1 - w) * 9 + w * mu).message
    assert "no pooling" in ht.check("01-new-district", 9.0).message


def _new_district():
    tau = ht.estimate_tau(DISTRICTS["raw"], 3 / np.sqrt(DISTRICTS["n"]))
    mu = ht.pooled_mean(DISTRICTS["raw"], DISTRICTS["n"], tau, 3.0)
    w = tau**2 / (tau**2 + 9 / 8)  # by hand
    return w * 9 + (1 - w) * mu


RIGHT_ANSWERS = {
    "01-no-pooling": _no_pool(),
    "01-complete-pooling": OBS["y"].mean(),
    "01-new-district": _new_district(),
}


def test_right_answers_pass_as_computed_and_rounded_as_stated():
    assert_right_answers_pass({k: v for k, v in RIGHT_ANSWERS.items() if np.ndim(v) == 0})
    assert ht.check("01-no-pooling", _no_pool().round(3))


def test_feedback_never_reveals_the_expected_value():
    assert_feedback_never_reveals(RIGHT_ANSWERS, {"01-complete-pooling": 1.0,
                                                  "01-new-district": 1.0})


def test_notebook_uses_the_lessons_settings_and_states_precision():
    from tests.exercises.support import assert_exercises_state_their_precision, notebook_calls

    calls = notebook_calls("01_three_ways.ipynb", "simulate_districts")
    areas = lesson01.AREAS
    assert ((areas["n_districts"],), {"tau": areas["tau"], "seed": areas["seed"]}) in calls
    assert ((), dict(lesson01.DISTRICTS)) in calls
    assert ((), {**lesson01.DISTRICTS, "observations": True}) in calls
    assert_exercises_state_their_precision("01_three_ways.ipynb")
