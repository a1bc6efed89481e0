"""Lesson 03's exercise checks.

Expected values are recomputed here from the published radon fit (COURSE.md reference values:
county SD 0.3282, residual SD 0.7556, intercept 1.4616), the counties' sizes counted from the
data, and, for the district figure, the shrinkage formula applied by hand.
"""

import numpy as np

import hiertools as ht
from hiertools.exercises import lesson03
from tests.exercises.support import assert_feedback_never_reveals, assert_right_answers_pass

TAU, SIGMA, MU, N_LQP = 0.3282, 0.7556, 1.4616, 2
SIZES = ht.load("radon").groupby("county").size().to_numpy(float)


def _error_share(tau, small_n):
    """E(shrunk total squared error) / E(raw) with known parameters: posterior variances."""
    n = SIZES[SIZES <= small_n]
    posterior_var = 1 / (1 / tau**2 + n / SIGMA**2)
    return posterior_var.sum() / (SIGMA**2 / n).sum()


def test_half_weight_tau_check():
    assert ht.check("03-half-weight-tau", SIGMA / np.sqrt(N_LQP))
    assert "tau squared" in ht.check("03-half-weight-tau", SIGMA**2 / N_LQP).message
    assert "one home" in ht.check("03-half-weight-tau", SIGMA).message


def test_posterior_sd_check_for_a_county_of_twenty():
    n = lesson03.POSTERIOR_N
    assert n == 20 and n not in SIZES  # not a lookup in fit.random_effects_sd
    expected = 1 / np.sqrt(1 / TAU**2 + n / SIGMA**2)
    assert ht.check("03-posterior-sd", expected)
    assert "variance" in ht.check("03-posterior-sd", expected**2).message
    assert "add precisions" in ht.check("03-posterior-sd", np.sqrt(TAU**2 + SIGMA**2 / n)).message
    assert "no pooling" in ht.check("03-posterior-sd", SIGMA / np.sqrt(n)).message
    lqp = 1 / np.sqrt(1 / TAU**2 + N_LQP / SIGMA**2)
    assert "real 2 homes" in ht.check("03-posterior-sd", lqp).message


def test_n_for_weight_check():
    exact = 9 * SIGMA**2 / TAU**2  # w >= 0.9  <=>  n >= 9 sigma^2 / tau^2 = 47.7
    assert ht.check("03-n-for-weight", int(np.ceil(exact)))
    assert ht.check("03-n-for-weight", np.int64(np.ceil(exact)))
    assert "just below" in ht.check("03-n-for-weight", int(np.floor(exact))).message
    feedback = ht.check("03-n-for-weight", exact)
    assert feedback.status == "invalid" and "whole number" in feedback.message
    assert "exactly" not in feedback.hint  # the hint does not assume a crossing point
    for hint in ht.hint("03-n-for-weight", 1), ht.hint("03-n-for-weight", 2):
        assert "exactly" not in hint and "crossing" not in hint
    # a non-integer answer that is not the bound is not treated as if it were
    off = ht.check("03-n-for-weight", 30.4)
    assert off.status == "invalid" and "bound" not in off.message
    assert "one half" in ht.check("03-n-for-weight", int(np.ceil(SIGMA**2 / TAU**2))).message


def test_predict_beats_raw_check():
    assert ht.check("03-predict-beats-raw", "b") and ht.check("03-predict-beats-raw", "B")
    for wrong, word in (("a", "Not every county"), ("c", "better than half"),
                        ("d", "opposite")):
        feedback = ht.check("03-predict-beats-raw", wrong)
        assert not feedback and word in feedback.message
    assert ht.check("03-predict-beats-raw", "e").status == "invalid"


def test_simulate_error_ratio_check_and_a_simulation_like_the_lessons():
    expected = _error_share(TAU / 2, 2)
    assert ht.check("03-simulate-error-ratio", expected)
    assert "fitted tau" in ht.check("03-simulate-error-ratio", _error_share(TAU, 2)).message
    assert "up to 5" in ht.check("03-simulate-error-ratio", _error_share(TAU / 2, 5)).message
    assert "raw over shrunk" in ht.check("03-simulate-error-ratio", 1 / expected).message
    assert "root-mean-square" in ht.check("03-simulate-error-ratio", np.sqrt(expected)).message
    # a vectorized simulation as the exercise describes, 10,000 data sets
    rng, tau = np.random.default_rng(4), TAU / 2
    w = tau**2 / (tau**2 + SIGMA**2 / SIZES)
    truth = rng.normal(MU, tau, size=(10_000, SIZES.size))
    raw = rng.normal(truth, SIGMA / np.sqrt(SIZES))
    shrunk = w * raw + (1 - w) * MU
    few = SIZES <= 2
    share = (((shrunk - truth)[:, few] ** 2).sum(1).mean()
             / ((raw - truth)[:, few] ** 2).sum(1).mean())
    assert abs(share - expected) < 2e-3
    assert ht.check("03-simulate-error-ratio", share)
    assert ht.check("03-simulate-error-ratio", round(share, 2))
    averaged = (((shrunk - truth)[:, few] ** 2).sum(1) / ((raw - truth)[:, few] ** 2).sum(1)).mean()
    assert "per-data-set ratios" in ht.check("03-simulate-error-ratio", averaged).message


def _district_distances():
    d = ht.simulate_districts()
    se = 3.0 / np.sqrt(d["n"])
    tau = ht.estimate_tau(d["raw"], se, method="REML")
    precision = 1 / (tau**2 + se**2)
    mu = (precision * d["raw"]).sum() / precision.sum()
    w = tau**2 / (tau**2 + se**2)
    return d.assign(moved=((1 - w) * (d["raw"] - mu)).abs())


def test_read_districts_check():
    d = _district_distances()
    large = d[d["n"] > lesson03.LARGE_DISTRICT]
    answer = large.loc[large["moved"].idxmax(), "district"]
    # a large district that travels farther than smaller ones: distance is not fraction
    assert (d.loc[d["n"] < large.loc[large["moved"].idxmax(), "n"], "moved"]
            < large["moved"].max()).any()
    assert ht.check("03-read-districts", answer)
    assert ht.check("03-read-districts", [answer])
    assert "look only" in ht.check("03-read-districts",
                                   d.loc[d["moved"].idxmax(), "district"]).message
    other = large.loc[large["moved"].idxmin(), "district"]
    assert "not the longest" in ht.check("03-read-districts", other).message
    assert ht.check("03-read-districts", "D99").status == "invalid"


RIGHT_ANSWERS = {
    "03-half-weight-tau": SIGMA / np.sqrt(N_LQP),
    "03-posterior-sd": 1 / np.sqrt(1 / TAU**2 + lesson03.POSTERIOR_N / SIGMA**2),
    "03-n-for-weight": int(np.ceil(9 * SIGMA**2 / TAU**2)),
    "03-simulate-error-ratio": _error_share(TAU / 2, 2),
}


def test_right_answers_pass_as_computed_and_rounded_as_stated():
    assert_right_answers_pass(RIGHT_ANSWERS)
    # as a new learner typed them from the lesson's printed digits (issue 8)
    assert ht.check("03-half-weight-tau", 0.534)


def test_feedback_never_reveals_the_expected_value():
    assert_feedback_never_reveals(RIGHT_ANSWERS, {"03-half-weight-tau": 0.9,
                                                  "03-posterior-sd": 0.9,
                                                  "03-simulate-error-ratio": 0.5})


def test_explorer_defaults_are_lesson_02s_model():
    fit = ht.fit_varying_intercepts(ht.load("radon"), "log_radon", "county", x="floor")
    defaults = lesson03.explorer_defaults()
    pooled = ht.shrink(defaults["raw"], defaults["n"], defaults["tau"], defaults["sigma"])
    np.testing.assert_allclose(pooled, fit.group_coefs["Intercept"][defaults["labels"]],
                               rtol=1e-8)
    assert defaults["tau"] == fit.group_sd["Intercept"] and defaults["sigma"] == fit.sigma


def test_notebook_uses_the_lessons_settings_and_states_precision():
    from hiertools.exercises import lesson02
    from tests.exercises.support import assert_exercises_state_their_precision, notebook_calls

    spec = lesson02.FIT  # lesson 03 reuses lesson 02's model
    assert (("<radon>", spec["y"], spec["group"]), {"x": spec["x"]}) in notebook_calls(
        "03_shrinkage.ipynb", "fit_varying_intercepts")
    assert_exercises_state_their_precision("03_shrinkage.ipynb")
