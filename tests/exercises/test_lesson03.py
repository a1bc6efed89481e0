"""Lesson 03's exercise checks."""

import numpy as np

import hiertools as ht
from tests.exercises.support import assert_feedback_never_reveals, assert_right_answers_pass

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
    assert "just below" in ht.check("03-n-for-weight", int(np.floor(exact))).message
    feedback = ht.check("03-n-for-weight", exact)
    assert feedback.status == "invalid" and "whole number" in feedback.message
    assert "exactly" not in feedback.hint  # the hint does not assume a crossing point
    assert "one half" in ht.check("03-n-for-weight", int(np.ceil(SIGMA**2 / TAU**2))).message


RIGHT_ANSWERS = {
    "03-half-weight-tau": SIGMA / np.sqrt(N_LQP),
    "03-posterior-sd": 1 / np.sqrt(1 / TAU**2 + N_LQP / SIGMA**2),
    "03-n-for-weight": int(np.ceil(9 * SIGMA**2 / TAU**2)),
}


def test_right_answers_pass_as_computed_and_rounded_as_stated():
    assert_right_answers_pass(RIGHT_ANSWERS)
    # as a new learner typed them from the lesson's printed digits (issue 8)
    assert ht.check("03-posterior-sd", 0.28) and ht.check("03-half-weight-tau", 0.534)


def test_feedback_never_reveals_the_expected_value():
    assert_feedback_never_reveals(RIGHT_ANSWERS, {"03-half-weight-tau": 0.9,
                                                  "03-posterior-sd": 0.9})


def test_notebook_uses_the_lessons_settings_and_states_precision():
    from hiertools.exercises import lesson02
    from tests.exercises.support import assert_exercises_state_their_precision, notebook_calls

    spec = lesson02.FIT  # lesson 03 reuses lesson 02's model
    assert (("<radon>", spec["y"], spec["group"]), {"x": spec["x"]}) in notebook_calls(
        "03_shrinkage.ipynb", "fit_varying_intercepts")
    assert_exercises_state_their_precision("03_shrinkage.ipynb")
