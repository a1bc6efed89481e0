"""Exercise checks: correct answers pass, typical mistakes get specific feedback, nothing leaks."""

import numpy as np
import pandas as pd
import pytest

import hiertools as ht
from hiertools.checks import LESSON01_AREAS

OBS = ht.simulate_districts(observations=True)
DISTRICTS = ht.simulate_districts()


def _no_pool():
    return OBS.groupby("district")["y"].mean()


def test_every_exercise_reports_not_answered_for_none():
    for exercise in ht.list_exercises():
        feedback = ht.check(exercise, None)
        assert feedback.status == "not answered" and not feedback


@pytest.mark.parametrize("wrong", ["text", 3, [1, 2], pd.DataFrame({"a": [1], "b": [2]}),
                                   pd.Series([np.nan] * 12), object(), {"a": 1}])
def test_wrong_types_never_raise(wrong):
    for exercise in ht.list_exercises():
        feedback = ht.check(exercise, wrong)
        assert feedback.status in ("incorrect", "invalid"), (exercise, wrong, feedback)


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
    areas = ht.simulate_districts(**LESSON01_AREAS)
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


def test_feedback_never_reveals_the_expected_value():
    tau = ht.estimate_tau(DISTRICTS["raw"], 3 / np.sqrt(DISTRICTS["n"]))
    mu = ht.pooled_mean(DISTRICTS["raw"], DISTRICTS["n"], tau, 3.0)
    w = tau**2 / (tau**2 + 9 / 8)
    secrets = [f"{OBS['y'].mean():.2f}", f"{w * 9 + (1 - w) * mu:.2f}"]
    for exercise, answer in [("01-complete-pooling", 1.0), ("01-new-district", 1.0),
                             ("01-no-pooling", _no_pool() + 1)]:
        text = repr(ht.check(exercise, answer)) + ht.check(exercise, answer)._repr_html_()
        assert not any(secret in text for secret in secrets)


def test_strict_mode_for_autograders():
    with pytest.raises(AssertionError, match="INCORRECT"):
        ht.check("01-complete-pooling", 0.0, strict=True)
    assert ht.check("01-complete-pooling", OBS["y"].mean(), strict=True)


def test_unknown_exercise():
    with pytest.raises(ValueError, match="01-no-pooling"):
        ht.check("01-nope", 1)


# lesson 03: expected values recomputed here from the published radon fit (COURSE.md reference
# values: county SD 0.3282, residual SD 0.7556) and Lac qui Parle's two homes
TAU, SIGMA, N_LQP = 0.3282, 0.7556, 2


def test_half_weight_tau_check():
    assert ht.check("03-half-weight-tau", SIGMA / np.sqrt(N_LQP))
    assert "tau squared" in ht.check("03-half-weight-tau", SIGMA**2 / N_LQP).message
    assert "one home" in ht.check("03-half-weight-tau", SIGMA).message


def test_posterior_sd_check():
    expected = 1 / np.sqrt(1 / TAU**2 + N_LQP / SIGMA**2)
    assert ht.check("03-posterior-sd", expected)
    assert "variance" in ht.check("03-posterior-sd", expected**2).message
    assert "add precisions" in ht.check("03-posterior-sd", np.sqrt(TAU**2 + SIGMA**2 / 2)).message
    assert "no pooling" in ht.check("03-posterior-sd", SIGMA / np.sqrt(2)).message


def test_n_for_weight_check():
    exact = 9 * SIGMA**2 / TAU**2  # w >= 0.9  <=>  n >= 9 sigma^2 / tau^2 = 47.7
    assert ht.check("03-n-for-weight", int(np.ceil(exact)))
    assert ht.check("03-n-for-weight", np.int64(np.ceil(exact)))
    assert "round up" in ht.check("03-n-for-weight", int(np.floor(exact))).message
    assert ht.check("03-n-for-weight", exact).status == "invalid"
    assert "one half" in ht.check("03-n-for-weight", int(np.ceil(SIGMA**2 / TAU**2))).message
