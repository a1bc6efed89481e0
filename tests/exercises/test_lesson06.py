"""Lesson 06's exercise checks: right answers (rounded as stated) pass, typical mistakes are named.

Expected values are computed here without the mixed-model engine: from lme4's published
variance components for the sleep study (tests/data/lme4_reference.json), and from the fact
that every subject has the same days, so REML's fixed effects are the pooled least-squares
line and, inside the parameter space, REML's Σ̂ is the moment estimate
Cov(own lines) − σ̂²(Z'Z)⁻¹ with σ̂² the pooled within-subject residual variance.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hiertools as ht
from hiertools.exercises import lesson06
from tests.exercises.support import (
    assert_exercises_state_their_precision,
    assert_feedback_never_reveals,
    assert_right_answers_pass,
    notebook_calls,
)
from tests.test_slopes import dense_blup, polyfit_lines

SLEEP = ht.load("sleepstudy")
_REFERENCE = json.loads((Path(__file__).parent.parent / "data" / "lme4_reference.json")
                        .read_text())["published"]
_VARCORR = _REFERENCE["sleepstudy_slopes_REML_varcorr"]["values"]
SD_A, SD_B = _VARCORR["group_sd"]
RHO, SIGMA = _VARCORR["group_corr"], _VARCORR["sigma"]
COV = np.array([[SD_A**2, RHO * SD_A * SD_B], [RHO * SD_A * SD_B, SD_B**2]])
FIXED = np.array(_REFERENCE["sleepstudy_slopes_REML_barr"]["values"]["fixed_effects"])


def _corr(cov):
    return cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])


def centred_rho(c=4.5):
    """rho of the same Sigma with the origin of x moved to c: T Sigma T', T = [[1, c], [0, 1]]."""
    t = np.array([[1.0, c], [0.0, 1.0]])
    return _corr(t @ COV @ t.T)


def moment_fit(first_day):
    """(pooled slope, Sigma, sigma) for days >= first_day counted from first_day, by moments."""
    rows = SLEEP[SLEEP["days"] >= first_day].assign(t=lambda d: d["days"] - first_day)
    slope, _ = np.polyfit(rows["t"], rows["reaction"], 1)
    own = polyfit_lines(rows, "reaction", "t", "subject")
    fitted = rows["subject"].map(own["Intercept"]) + rows["subject"].map(own["t"]) * rows["t"]
    sigma2 = ((rows["reaction"] - fitted) ** 2).sum() / (len(rows) - 2 * own.shape[0])
    t = np.arange(10 - first_day, dtype=float)
    z = np.column_stack([np.ones_like(t), t])
    return slope, np.cov(own.to_numpy().T) - sigma2 * np.linalg.inv(z.T @ z), np.sqrt(sigma2)


def simulated_share(studies=20_000, seed=99):
    """Share of simulated studies whose 18 own lines correlate negatively (np.polyfit fits)."""
    rng = np.random.default_rng(seed)
    days = np.arange(10.0)
    lines = rng.multivariate_normal(FIXED, COV, size=studies * 18)
    y = lines[:, :1] + lines[:, 1:] * days + rng.normal(0, SIGMA, (studies * 18, 10))
    slope, intercept = np.polyfit(days, y.T, 1)
    a = intercept.reshape(studies, 18) - intercept.reshape(studies, 18).mean(1, keepdims=True)
    b = slope.reshape(studies, 18) - slope.reshape(studies, 18).mean(1, keepdims=True)
    return float(np.mean((a * b).sum(axis=1) < 0))  # the sign of the correlation


def away_labels():
    _, coefs = dense_blup(SLEEP, "reaction", "days", "subject", COV, SIGMA)
    own = polyfit_lines(SLEEP, "reaction", "days", "subject")
    mask = (own["days"] < FIXED[1]) & (coefs["days"] < own["days"])
    return [str(label) for label in own.index[mask]]


SHARE = simulated_share()
RIGHT_ANSWERS = {
    "06-predict-centring": "up" if centred_rho() > RHO else "down",
    "06-centred-rho": centred_rho(),
    "06-baseline-slope": moment_fit(2)[0],
    "06-baseline-rho": _corr(moment_fit(2)[1]),
    "06-wrong-sign-share": SHARE,
    "06-away-from-average": away_labels(),
}


def test_independent_values_are_what_the_lesson_says():
    # the numbers the brief and the lesson quote, from computations that share no code
    assert RIGHT_ANSWERS["06-predict-centring"] == "up"
    assert RIGHT_ANSWERS["06-centred-rho"] == pytest.approx(0.75, abs=0.005)
    assert RIGHT_ANSWERS["06-baseline-slope"] == pytest.approx(11.4, abs=0.05)
    assert RIGHT_ANSWERS["06-baseline-rho"] == pytest.approx(0.18, abs=0.005)
    assert RIGHT_ANSWERS["06-away-from-average"] == ["309", "310"]
    # the check's exact value (Hotelling's density) agrees with the simulation
    assert lesson06.wrong_sign_share() == pytest.approx(SHARE, abs=0.01)


def test_right_answers_pass_as_computed_and_rounded_as_stated():
    assert_right_answers_pass(RIGHT_ANSWERS)
    assert ht.check("06-away-from-average", [309, 310])  # as numbers, too
    assert ht.check("06-away-from-average", pd.Index([310, 309]))
    assert ht.check("06-predict-centring", " Up ")


def test_predict_check():
    assert not ht.check("06-predict-centring", "down")
    assert "not what the refit shows" in ht.check("06-predict-centring", "unchanged").message
    assert ht.check("06-predict-centring", "sideways").status == "invalid"
    assert ht.check("06-predict-centring", 0.75).status == "invalid"


def test_centred_rho_check_names_typical_mistakes():
    own = polyfit_lines(SLEEP, "reaction", "days", "subject")
    level = own["Intercept"] + 4.5 * own["days"]
    assert "counted from day 0" in ht.check("06-centred-rho", RHO).message
    assert "own least-squares" in ht.check("06-centred-rho",
                                           np.corrcoef(level, own["days"])[0, 1]).message
    t = np.array([[1.0, 4.5], [0.0, 1.0]])
    assert "covariance" in ht.check("06-centred-rho", (t @ COV @ t.T)[0, 1]).message
    assert "2 decimals" in ht.check("06-centred-rho", 0.5).message


def test_baseline_checks_name_typical_mistakes():
    slope_all, _ = np.polyfit(SLEEP["days"], SLEEP["reaction"], 1)
    assert "all ten days" in ht.check("06-baseline-slope", slope_all).message
    later_slope, _, _ = moment_fit(3)
    assert "starts at day 3" in ht.check("06-baseline-slope", later_slope).message
    assert "rho-hat of the fit to all ten days" in ht.check("06-baseline-rho", RHO).message
    # days 2-9 but still counted from day 0: the same Sigma moved back by two days
    slope, cov, _ = moment_fit(2)
    t = np.array([[1.0, -2.0], [0.0, 1.0]])
    message = ht.check("06-baseline-rho", _corr(t @ cov @ t.T)).message
    assert "still counts days from day 0" in message
    assert "starts at day 3" in ht.check("06-baseline-rho", _corr(moment_fit(3)[1])).message
    assert "centred at 4.5" in ht.check("06-baseline-rho", centred_rho()).message


def test_wrong_sign_share_check():
    assert "*positive*" in ht.check("06-wrong-sign-share", 1 - SHARE).message
    assert "percentage" in ht.check("06-wrong-sign-share", 100 * SHARE).message
    assert not ht.check("06-wrong-sign-share", 0.5)
    # a learner's 4,000-study simulation lands within the stated precision
    assert ht.check("06-wrong-sign-share", simulated_share(4000, seed=1))


def test_away_from_average_check():
    assert "above the average" in ht.check("06-away-from-average", ["309", "337"]).message
    assert "1 of your 2" in ht.check("06-away-from-average", ["309", "335"]).message
    assert ht.check("06-away-from-average", ["309"]).status == "invalid"
    assert ht.check("06-away-from-average", ["309", "999"]).status == "invalid"


def test_feedback_never_reveals_the_expected_value():
    assert_feedback_never_reveals(
        {k: v for k, v in RIGHT_ANSWERS.items() if not isinstance(v, str | list)},
        {"06-centred-rho": 0.3, "06-baseline-slope": 9.0, "06-baseline-rho": 0.5,
         "06-wrong-sign-share": 0.2})


def test_explorer_defaults_come_from_the_lesson_module():
    defaults = lesson06.explorer_defaults()
    assert (defaults["y"], defaults["x"], defaults["group"]) == ("reaction", "days", "subject")
    defaults["data"].loc[0, "reaction"] = -1.0  # a copy: the cached data are not touched
    assert lesson06.explorer_defaults()["data"].loc[0, "reaction"] > 0


def test_notebook_uses_the_lessons_settings_and_states_precision():
    calls = notebook_calls("06_varying_slopes.ipynb", "fit_varying_slopes")
    spec = lesson06.FIT
    assert (("<sleep>", spec["y"], spec["x"], spec["group"]), {}) in calls
    assert notebook_calls("06_varying_slopes.ipynb", "slopes_explorer") == [((), {})]
    assert_exercises_state_their_precision("06_varying_slopes.ipynb")


def test_exercises_are_self_contained():
    """No cell needs a learner's answer to an earlier exercise (STYLE: exercises self-contained)."""
    from tests.exercises.support import assert_exercises_self_contained

    assert_exercises_self_contained("06_varying_slopes.ipynb")
