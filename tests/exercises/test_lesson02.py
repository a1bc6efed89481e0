"""Lesson 02's exercise checks: right answers (rounded as stated) pass, typical mistakes are named.

Expected values are computed here independently of the checks: the probabilities from the
published lme4 estimates of the radon model (COURSE.md reference values) by the normal tail
and by one-dimensional quadrature over the county level, the caterpillar answer from the
shrinkage formula on the floor-adjusted county means.
"""

import math

import numpy as np
import pandas as pd
from scipy import integrate, special

import hiertools as ht
from hiertools.exercises import lesson02
from tests.exercises.support import assert_feedback_never_reveals, assert_right_answers_pass
from tests.plots.test_mixed import FIT, FIT_U, RADON, _lstsq_lines

# published: intercept 1.4616, county SD 0.3282, residual SD 0.7556 (lme4, 4 decimals)
MU, TAU, SIGMA, BETA = 1.4616, 0.3282, 0.7556, -0.6930
LEVEL = math.log(4.0)


def _upper(x, center, sd):
    """P(N(center, sd²) > x), from the complementary error function."""
    return 0.5 * special.erfc((x - center) / (sd * math.sqrt(2)))


SD_READING = math.hypot(TAU, SIGMA)  # one house: county spread and reading noise


def _above(center=MU, sd=SD_READING):
    return _upper(LEVEL, center, sd)


def _both_above():
    """∫ N(a; mu, tau²) P(one reading > level | a)² da: two houses sharing county level a."""
    def integrand(a):
        return math.exp(-0.5 * ((a - MU) / TAU) ** 2) / (TAU * math.sqrt(2 * math.pi)) * \
            _upper(LEVEL, a, SIGMA) ** 2
    value, _ = integrate.quad(integrand, MU - 12 * TAU, MU + 12 * TAU, epsabs=1e-12)
    return value


def _smallest_excluding():
    """Smallest n_j with |alpha_j - mu| > 1.96 sd_j, from the shrinkage formula (lesson 03)."""
    mu, beta = FIT.fixed_effects["Intercept"], FIT.fixed_effects["floor"]
    tau, sigma = FIT.group_sd["Intercept"], FIT.sigma
    adjusted = (RADON["log_radon"] - beta * RADON["floor"]).groupby(RADON["county"])
    n, ybar = adjusted.size(), adjusted.mean()
    w = tau**2 / (tau**2 + sigma**2 / n)
    alpha = w * ybar + (1 - w) * mu
    sd = 1 / np.sqrt(1 / tau**2 + n / sigma**2)
    return int(n[(alpha - mu).abs() > 1.96 * sd].min()), n, alpha, sd, mu


def test_predict_above_half_check():
    assert ht.check("02-predict-above-half", "more")
    assert ht.check("02-predict-above-half", " More ")
    feedback = ht.check("02-predict-above-half", "less")
    assert not feedback and "median" in feedback.message
    assert ht.check("02-predict-above-half", "maybe").status == "invalid"
    assert ht.check("02-predict-above-half", 0.5).status == "invalid"


def test_above_action_level_check():
    right = _above()
    assert abs(right - 0.5364) < 5e-4  # just above one half: 4 pCi/L is below the median
    assert ht.check("02-above-action-level", right)
    assert "sigma alone" in ht.check("02-above-action-level", _above(sd=SIGMA)).message
    assert "tau alone" in ht.check("02-above-action-level", _above(sd=TAU)).message
    assert "added the SDs" in ht.check("02-above-action-level", _above(sd=TAU + SIGMA)).message
    assert "below" in ht.check("02-above-action-level", 1 - right).message
    assert "first-floor" in ht.check("02-above-action-level", _above(center=MU + BETA)).message
    assert "log(4)" in ht.check("02-above-action-level",
                                _upper(4.0, MU, math.hypot(TAU, SIGMA))).message
    rounded = _upper(LEVEL, 1.46, math.hypot(0.33, 0.76))
    assert "rounded" in ht.check("02-above-action-level", rounded).message
    assert "percentage" in ht.check("02-above-action-level", 100 * right).message


def test_two_basements_check_and_the_lessons_simulation():
    right, one = _both_above(), _above()
    assert right > one**2  # houses in one county are positively correlated (the ICC)
    assert ht.check("02-two-basements", right)
    assert "independent" in ht.check("02-two-basements", one**2).message
    assert "one basement" in ht.check("02-two-basements", one).message
    assert "at least one" in ht.check("02-two-basements", 2 * one - right).message
    # the simulation the exercise asks for lands within its stated precision
    sim = lesson02.SIMULATION
    rng = np.random.default_rng(sim["seed"])
    level = rng.normal(FIT.fixed_effects["Intercept"], FIT.group_sd["Intercept"],
                       size=sim["n_counties"])
    readings = rng.normal(level[:, None], FIT.sigma, size=(sim["n_counties"], 2))
    simulated = np.mean((readings > LEVEL).all(axis=1))
    assert abs(simulated - right) < 3e-3
    assert ht.check("02-two-basements", simulated)
    assert ht.check("02-two-basements", round(simulated, 2))


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
    assert f"{np.exp(1.96 * sd):.1f}" in ht.check("02-new-county-interval", tuple(right)).message


def test_excluding_mu_check_reads_the_caterpillar_plot():
    smallest, n, alpha, sd, mu = _smallest_excluding()
    assert smallest == 9  # LAKE and FREEBORN, both 9 homes
    assert ht.check("02-excluding-mu", smallest)
    assert ht.check("02-excluding-mu", np.int64(smallest))
    # FARIBAULT (6 homes) ends right on the line: a reader who counts it is told so
    gap = (alpha - mu).abs() - 1.96 * sd
    touching = gap[(gap <= 0) & (gap > -0.01)]
    assert "FARIBAULT" in touching.index
    assert "FARIBAULT" in ht.check("02-excluding-mu", int(n["FARIBAULT"])).message
    assert "reach the dashed line" in ht.check("02-excluding-mu", 2).message
    assert "largest" in ht.check("02-excluding-mu", 116).message
    assert ht.check("02-excluding-mu", 9.5).status == "invalid"
    # the praise states only what the data show: no county under 9 homes excludes mu
    assert "none with fewer than 9 does" in ht.check("02-excluding-mu", smallest).message
    assert not ((n < smallest) & ((alpha - mu).abs() > 1.96 * sd)).any()


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


def test_moved_most_are_small_counties_but_not_every_small_county_moves_far():
    """Exercise 6b's figure and written answer: the five have 1 to 3 homes; others barely move."""
    _, np_a, _ = _lstsq_lines()
    moved = (np_a - FIT.group_coefs["Intercept"]).abs()
    sizes = RADON.groupby("county").size()
    assert sizes[moved.nlargest(5).index].between(1, 3).all()
    assert (moved[sizes <= 3] < 0.1).any()


def _new_county_interval():
    u = lesson02.NEW_COUNTY_LOG_URANIUM
    fe = FIT_U.fixed_effects
    center = fe["Intercept"] + fe["log_uranium"] * u
    sd = np.sqrt(FIT_U.group_sd["Intercept"] ** 2 + FIT_U.sigma**2)
    return tuple(np.exp([center - 1.96 * sd, center + 1.96 * sd]))


RIGHT_ANSWERS = {
    "02-above-action-level": _above(),
    "02-two-basements": _both_above(),
    "02-new-county-interval": _new_county_interval(),
    "02-excluding-mu": _smallest_excluding()[0],
}


def test_right_answers_pass_as_computed_and_rounded_as_stated():
    assert_right_answers_pass(RIGHT_ANSWERS)


def test_feedback_never_reveals_the_expected_value():
    assert_feedback_never_reveals(RIGHT_ANSWERS, {
        "02-above-action-level": _above(sd=SIGMA), "02-two-basements": _above() ** 2,
        "02-new-county-interval": (1.0, 2.0), "02-excluding-mu": 2})
    feedback = ht.check("02-moved-most", ["LAKE"] * 5)
    assert feedback.status == "invalid"


def test_notebook_uses_the_lessons_settings_and_states_precision():
    from tests.exercises.support import assert_exercises_state_their_precision, notebook_calls

    fits = notebook_calls("02_varying_intercepts.ipynb", "fit_varying_intercepts")
    for spec in (lesson02.FIT, lesson02.FIT_U):
        assert (("<radon>", spec["y"], spec["group"]), {"x": spec["x"]}) in fits
    assert (("radon",), {}) in notebook_calls("02_varying_intercepts.ipynb", "load")
    assert_exercises_state_their_precision("02_varying_intercepts.ipynb")
    # the simulation exercise asks for the module's number of counties and seed
    from tests.exercises.support import exercise_texts

    text = exercise_texts("02_varying_intercepts.ipynb")["02-two-basements"]
    assert f"{lesson02.SIMULATION['n_counties']:,}" in text
    assert f"default_rng({lesson02.SIMULATION['seed']})" in text
