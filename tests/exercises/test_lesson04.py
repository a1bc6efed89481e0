"""Lesson 04's exercise checks, against values recomputed here by other routes."""

import ast

import numpy as np
import pytest

import hiertools as ht
from hiertools.exercises import lesson04
from tests.exercises.support import (
    _notebook,
    assert_exercises_state_their_precision,
    assert_feedback_never_reveals,
    assert_right_answers_pass,
    notebook_calls,
)

NOTEBOOK = "04_empirical_bayes.ipynb"


def _reml_zero_share(n_maps, n_districts, tau, seed):
    """Share of maps whose REML estimate of tau is exactly 0, from the criterion written out here.

    Not ht.estimate_tau: it runs one map through the batch kernel the check uses.  The REML
    log-likelihood in t = tau² is -1/2 [sum log v_j + log sum 1/v_j + sum (y_j - mu_hat)²/v_j]
    with v_j = s_j² + t; its maximum is at t = 0 when the score there,
    -sum p_j + sum p_j² / sum p_j + sum p_j² (y_j - mu_hat)² (times 1/2, p_j = 1/s_j²), is <= 0
    and no t on a fine grid up to 100 (tau = 10, twenty times the truth) does better.
    """
    maps = ht.simulate_maps(n_maps, n_districts, tau=tau, seed=seed)
    y, s2 = maps.raw, maps.se**2

    def reml(t):
        v = s2[:, None, :] + t[None, :, None]
        p = 1 / v
        mu = (p * y[:, None, :]).sum(-1) / p.sum(-1)
        return -0.5 * (np.log(v).sum(-1) + np.log(p.sum(-1))
                       + (p * (y[:, None, :] - mu[..., None]) ** 2).sum(-1))

    p0 = 1 / s2
    mu0 = (p0 * y).sum(1) / p0.sum(1)
    score0 = -p0.sum(1) + (p0**2).sum(1) / p0.sum(1) + (p0**2 * (y - mu0[:, None]) ** 2).sum(1)
    grid = np.geomspace(1e-4, 100.0, 300)
    best = np.max([reml(chunk).max(1) for chunk in np.array_split(grid, 10)], axis=0)
    return float(np.mean((score0 <= 0) & (reml(np.zeros(1))[:, 0] >= best)))


def _moments_by_hand():
    areas = ht.simulate_districts(300, tau=0.5, seed=2)  # lesson 01's AREAS
    noise = np.mean(9.0 / areas["n"].to_numpy(float))
    variance = np.var(areas["raw"].to_numpy(), ddof=1)
    return float(np.sqrt(max(0.0, variance - noise))), areas


def _hurt_players_by_hand():
    data = ht.load("baseball")
    y, later = data["avg_45"].to_numpy(), data["rest_avg"].to_numpy()
    p_bar = y.mean()
    factor = 1 - (len(y) - 3) * p_bar * (1 - p_bar) / 45 / np.sum((y - p_bar) ** 2)
    js = p_bar + factor * (y - p_bar)
    return sorted(data.loc[np.abs(js - later) > np.abs(y - later), "player"])


PREDICT_SHARE = _reml_zero_share(2000, 12, 0.5, 401)
SIMULATE_SHARE = _reml_zero_share(2000, 30, 0.5, 430)
MOMENTS, AREAS = _moments_by_hand()
HURT = _hurt_players_by_hand()

RIGHT_ANSWERS = {
    "04-predict-zeros": PREDICT_SHARE,
    "04-moments-by-hand": MOMENTS,
    "04-simulate-zeros": SIMULATE_SHARE,
}


def test_the_independent_values_are_what_the_lesson_says():
    # Efron & Morris's two: Swoboda and Rodriguez (the lesson's text names them)
    assert HURT == ["Ellie Rodriguez", "Ron Swoboda"]
    assert 0.05 < PREDICT_SHARE < 0.25 and SIMULATE_SHARE < PREDICT_SHARE
    assert 0.45 < MOMENTS < 0.55  # the map's true tau is 0.5


def test_right_answers_pass_as_computed_and_rounded_as_stated():
    assert_right_answers_pass(RIGHT_ANSWERS)
    assert ht.check("04-hurt-players", HURT)
    assert ht.check("04-hurt-players", HURT[::-1])  # order does not matter
    assert ht.check("04-hurt-players", np.array(HURT))
    # a learner's prediction typed as a percentage-looking share, and a share from a count
    assert ht.check("04-predict-zeros", round(PREDICT_SHARE, 1))
    assert ht.check("04-simulate-zeros", np.int64(round(SIMULATE_SHARE * 2000)) / 2000)


def test_predict_zeros_says_which_way_the_guess_is_off():
    assert "more often than you predicted" in ht.check("04-predict-zeros", 0.0).message
    assert "less often than you predicted" in ht.check("04-predict-zeros", 0.5).message
    feedback = ht.check("04-predict-zeros", 14)
    assert feedback.status == "invalid" and "not a percentage" in feedback.message


def test_moments_by_hand_recognizes_typical_mistakes():
    raw, n = AREAS["raw"].to_numpy(), AREAS["n"].to_numpy(float)
    rough = np.std(raw, ddof=1)
    assert "rough estimate" in ht.check("04-moments-by-hand", rough).message
    assert "squared" in ht.check("04-moments-by-hand", MOMENTS**2).message
    assert "sigma²/n" in ht.check("04-moments-by-hand", 0.0).message
    ddof0 = np.sqrt(np.var(raw) - np.mean(9 / n))
    assert "ddof=1" in ht.check("04-moments-by-hand", ddof0).message
    mean_se = np.sqrt(np.var(raw, ddof=1) - np.mean(3 / np.sqrt(n)) ** 2)
    assert "mean of the squared" in ht.check("04-moments-by-hand", mean_se).message
    assert "cannot be negative" in ht.check("04-moments-by-hand", -0.3).message


def test_simulate_zeros_recognizes_other_estimators_and_settings():
    maps = ht.simulate_maps(2000, 30, tau=0.5, seed=430)
    variance = maps.raw.var(axis=1, ddof=1)
    moments_share = np.mean(variance <= np.mean(maps.se**2, axis=1))  # the closed form
    assert "moments" in ht.check("04-simulate-zeros", moments_share).message
    assert "J = 12" in ht.check("04-simulate-zeros", PREDICT_SHARE).message
    assert ht.check("04-simulate-zeros", 2.3).status == "invalid"


def test_hurt_players_feedback():
    assert "Clemente" in ht.check("04-hurt-players", HURT + ["Roberto Clemente"]).message
    assert "more were too" in ht.check("04-hurt-players", HURT[:1]).message
    assert "got better" in ht.check("04-hurt-players", ["Max Alvis", HURT[0]]).message
    unknown = ht.check("04-hurt-players", ["Babe Ruth"])
    assert unknown.status == "invalid" and "not in the data" in unknown.message
    assert ht.check("04-hurt-players", []).status == "invalid"
    # Swoboda ended below his early average: shrinking moved him away, not past
    assert "away from their truth" in ht.check("04-hurt-players", HURT).message


def test_feedback_never_reveals_the_expected_value():
    assert_feedback_never_reveals(RIGHT_ANSWERS, {"04-predict-zeros": 0.9,
                                                  "04-moments-by-hand": 0.9,
                                                  "04-simulate-zeros": 0.9})
    for tier in range(1, 4):  # no hint names a hurt player
        assert not any(name in ht.hint("04-hurt-players", tier) for name in HURT)


def _notebook_constants(name: str) -> dict:
    """Module-level literal assignments (NAME = literal) in the solution notebook's code cells."""
    found = {}
    for cell in _notebook(name).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                names = ([target] if isinstance(target, ast.Name)
                         else target.elts if isinstance(target, ast.Tuple) else [])
                try:
                    value = ast.literal_eval(node.value)
                except ValueError:
                    continue
                if isinstance(target, ast.Name):
                    found[target.id] = value
                elif isinstance(value, tuple) and len(value) == len(names):
                    found.update({n.id: v for n, v in zip(names, value)})
    return found


def test_notebook_uses_the_lessons_settings_and_states_precision():
    constants = _notebook_constants(NOTEBOOK)
    assert constants["SEEDS"] == lesson04.STUDY
    assert constants["COST_SEEDS"] == lesson04.COST
    assert constants["METHODS"] == list(lesson04.METHODS)
    assert constants["draws"] == lesson04.RISK["draws"]
    calls = notebook_calls(NOTEBOOK, "simulate_maps")
    simulate = lesson04.SIMULATE
    assert ((simulate["n_maps"], simulate["n_districts"]),
            {"tau": simulate["tau"], "seed": simulate["seed"]}) in calls
    assert ((lesson04.MAPS, "<J>"), {"tau": "<tau>", "seed": "<seed>"}) in calls
    assert ((lesson04.MAPS, 12), {"tau": "<tau>", "seed": "<seed>"}) in calls
    assert ((300,), {"tau": 0.5, "seed": 2}) in notebook_calls(NOTEBOOK, "simulate_districts")
    assert {"tau": 0.5, "seed": 2} == {k: v for k, v in lesson04.AREAS.items()
                                       if k != "n_districts"}
    source = "\n".join(c.source for c in _notebook(NOTEBOOK).cells if c.cell_type == "code")
    assert f"default_rng({lesson04.BIAS_VARIANCE['seed']})" in source
    assert f"default_rng({lesson04.RISK['seed']})" in source
    assert "np.array([0, 1, 2, 5, 10, 20, 40])" in source
    assert tuple(lesson04.RISK["distances"]) == (0, 1, 2, 5, 10, 20, 40)
    assert_exercises_state_their_precision(NOTEBOOK)


@pytest.mark.parametrize("setting", list(lesson04.STUDY))
def test_the_cached_study_matches_the_batch_estimator_on_the_same_maps(setting):
    n_districts, tau = setting
    maps = ht.simulate_maps(lesson04.MAPS, n_districts, tau=tau, seed=lesson04.STUDY[setting])
    cached = lesson04._study_tau_hat(setting)
    for method in lesson04.METHODS:
        np.testing.assert_array_equal(cached[method],
                                      ht.estimate_tau_batch(maps.raw, maps.se, method=method))
