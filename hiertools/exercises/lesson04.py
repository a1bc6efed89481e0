"""Lesson 04 · Empirical Bayes and James–Stein: its simulation settings, cached studies, checks.

The lesson simulates the source text's setup (district sizes n_j from 3 to 59, in thousands of
person-years as in lesson 01; σ = 3, μ = 5) on many maps with ``ht.simulate_maps``,
estimates τ on every map with ``ht.estimate_tau_batch``, applies James–Stein to Efron &
Morris's batting averages, and looks at eight schools.
Every setting the notebook and the checks must agree on is defined once here.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ..data import load, simulate_districts, simulate_maps
from ..empirical_bayes import estimate_tau, estimate_tau_batch, james_stein
from ._core import Precision, Unreadable, Wrong, as_labels, as_number, exercise, judge_number
from ._shared import AREAS, SIGMA

#: Maps per simulated setting.
MAPS = 2000
#: The estimators of tau, in the order the lesson shows them.
METHODS = ("rough", "moments", "ML", "REML")
#: Section 2's sampling-distribution study: (districts J, true tau) -> seed.
STUDY = {(12, 0.5): 401, (12, 1.6): 402, (85, 0.5): 403, (85, 1.6): 404}
#: Exercise 2 (predict, then check): the setting whose share of REML zeros is asked for.
PREDICT_SETTING = (12, 0.5)
#: Exercise 3 (simulate): a setting the lesson does not show.
SIMULATE = {"n_maps": MAPS, "n_districts": 30, "tau": 0.5, "seed": 430}
#: Section 3: what a worse tau_hat costs, J = 12, true tau -> seed (fresh maps, not STUDY's).
COST = {0.5: 411, 1.0: 412, 1.6: 413}
#: Section 3: redraws of the source text's districts' noise for bias and variance.
BIAS_VARIANCE = {"replicates": MAPS, "seed": 420}
#: Section 4: at-bats in Efron & Morris's early sample.
AT_BATS = 45
#: Section 5: Stein's paradox as a risk simulation (sigma = 1).
RISK = {"J": (3, 4, 10, 18), "distances": (0, 1, 2, 5, 10, 20, 40), "draws": 20_000,
        "seed": 440}


@cache
def _study_tau_hat(setting: tuple[int, float]) -> dict[str, np.ndarray]:
    """tau_hat by each method on the MAPS maps of one setting of section 2."""
    n_districts, tau = setting
    maps = simulate_maps(MAPS, n_districts, tau=tau, seed=STUDY[setting])
    return {m: estimate_tau_batch(maps.raw, maps.se, method=m) for m in METHODS}


@cache
def _simulate_exercise() -> dict[str, np.ndarray]:
    maps = simulate_maps(**SIMULATE)
    return {m: estimate_tau_batch(maps.raw, maps.se, method=m) for m in METHODS}


@cache
def _areas_tau_hats() -> dict[str, float]:
    areas = simulate_districts(**AREAS)
    se = SIGMA / np.sqrt(areas["n"].to_numpy(float))
    raw = areas["raw"].to_numpy()
    return {"moments": estimate_tau(raw, se, method="moments"),
            "rough": estimate_tau(raw, se, method="rough"),
            "var": float(np.var(raw, ddof=1)), "var0": float(np.var(raw, ddof=0)),
            "noise": float(np.mean(se**2)), "mean_se": float(np.mean(se))}


@cache
def baseball() -> dict:
    """Efron & Morris's players, their James–Stein estimates and who was hurt."""
    data = load("baseball")
    y = data["avg_45"].to_numpy()
    p_bar = y.mean()
    sigma = np.sqrt(p_bar * (1 - p_bar) / AT_BATS)
    js = np.asarray(james_stein(y, sigma, target="mean"))
    truth = data["rest_avg"].to_numpy()
    hurt = np.abs(js - truth) > np.abs(y - truth)
    return {"players": list(data["player"]), "raw": y, "js": js, "truth": truth,
            "hurt": [p for p, h in zip(data["player"], hurt) if h],
            "best": str(data.loc[data["avg_45"].idxmax(), "player"])}


# --- exercises ----------------------------------------------------------------------------------

@exercise("04-predict-zeros",
          f"Predict: the share of {MAPS:,} maps (J = {PREDICT_SETTING[0]}, tau = "
          f"{PREDICT_SETTING[1]}) where REML gives tau_hat = 0 exactly",
          precision=Precision(decimals=1),
          hints=["REML says tau_hat = 0 when the raw means spread no more than their noise "
                 "alone would make them spread. With tau = 0.5 and 12 districts, how different "
                 "are the real spread and the noise?",
                 "the noise variance of a raw mean is 9/n_j, about 0.5 on average here, twice "
                 "tau² = 0.25; with only 12 districts the sample spread varies a lot from map "
                 "to map. Revise your guess, then read on: section 2 shows the share."])
def _check_predict_zeros(answer):
    value = as_number(answer, "your prediction")
    if not 0 <= value <= 1:
        raise Unreadable("give a share between 0 and 1 (e.g. 0.3 for 30%), not a percentage.")
    share = float(np.mean(_study_tau_hat(PREDICT_SETTING)["REML"] == 0))
    if Precision(decimals=1).accepts(value, share):
        return ("a good prediction: zero estimates of tau are not rare when tau is small "
                "against the noise and there are few groups.")
    if value < share:
        raise Wrong("the simulation finds REML at zero more often than you predicted: a "
                    "boundary estimate is not a rare accident here (1 decimal is enough).")
    raise Wrong("the simulation finds REML at zero less often than you predicted: the data "
                "usually do show some spread beyond the noise (1 decimal is enough).")


@exercise("04-moments-by-hand",
          "The bias-corrected moments estimate of tau for lesson 01's map of "
          f"{AREAS['n_districts']} areas, by hand",
          precision=Precision(decimals=3),
          hints=["the spread of the raw means is the real spread plus the noise; take the "
                 "noise out, and remember that a negative variance is not allowed.",
                 "tau_hat² = max(0, var(raw, ddof=1) − mean(sigma²/n)) with sigma = 3, the "
                 "mean taken over the areas; tau_hat is its square root."])
def _check_moments_by_hand(answer):
    stats = _areas_tau_hats()
    value = as_number(answer)
    if value < 0:
        raise Wrong("tau is a standard deviation, so it cannot be negative.")
    precision = Precision(decimals=3)
    judge_number(value, stats["moments"], precision, mistakes=[
        (stats["rough"], "that is the rough estimate, the SD of the raw means: it still counts "
                         "the sampling noise as spread between areas."),
        (stats["moments"] ** 2, "that is tau_hat squared, a variance; give tau, its square "
                                "root."),
        (0.0, "zero would mean the noise explains all of the spread; did you subtract sigma² "
              "of a single observation instead of the noise of a raw mean, sigma²/n?"),
        (np.sqrt(max(0.0, stats["var0"] - stats["noise"])),
         "close, but that variance divides by J; use the sample variance (ddof=1), whose "
         "expectation is tau² plus the mean noise."),
        (np.sqrt(max(0.0, stats["var"] - stats["mean_se"] ** 2)),
         "you squared the mean standard error; subtract the mean of the squared standard "
         "errors, sigma²/n, instead."),
    ], otherwise="that is not the bias-corrected moments estimate")
    return ("the spread of the raw means minus their average noise: close to the map's true "
            "tau of 0.5, while the rough estimate is far above it.")


@exercise("04-simulate-zeros",
          f"Simulate: the share of maps with REML tau_hat = 0 at J = "
          f"{SIMULATE['n_districts']}, tau = {SIMULATE['tau']}",
          precision=Precision(decimals=2),
          hints=["simulate the maps with the settings given in the exercise, estimate tau on "
                 "every map at once, then count the exact zeros.",
                 f"maps = ht.simulate_maps({SIMULATE['n_maps']}, {SIMULATE['n_districts']}, "
                 f"tau={SIMULATE['tau']}, seed={SIMULATE['seed']}); then "
                 "ht.estimate_tau_batch(maps.raw, maps.se, method='REML'); the share is the "
                 "mean of (tau_hat == 0)."])
def _check_simulate_zeros(answer):
    value = as_number(answer)
    if not 0 <= value <= 1:
        raise Unreadable("give a share between 0 and 1, not a percentage or a count.")
    tau_hat = _simulate_exercise()
    share = {m: float(np.mean(t == 0)) for m, t in tau_hat.items()}
    twelve = float(np.mean(_study_tau_hat(PREDICT_SETTING)["REML"] == 0))
    judge_number(value, share["REML"], Precision(decimals=2), mistakes=[
        (share["moments"], "that is the share for the moments estimator; the question asks "
                           "about REML."),
        (share["ML"], "that is the share for ML; the question asks about REML."),
        (twelve, "that is the share at J = 12 from section 2; simulate the J = 30 maps."),
    ], otherwise="that is not the share of REML zeros on those maps (did you use the seed "
                 "given?)")
    return ("between the shares at J = 12 and J = 85: more groups, more information about "
            "tau, fewer boundary estimates.")


@exercise("04-hurt-players", "The players whose James–Stein estimate was worse than their "
                             "first-45 average",
          hints=["a player is hurt when his James–Stein point (middle row) is farther from "
                 "his rest-of-season point (bottom row) than his first-45 point (top row).",
                 "compare |js − rest_avg| with |avg_45 − rest_avg| player by player and keep "
                 "the names where the first is larger."])
def _check_hurt_players(answer):
    bb = baseball()
    got = set(as_labels(answer, "your answer", columns=("player",), known=bb["players"]))
    if not got:
        raise Unreadable("your list is empty; give the names of the players shrinkage hurt.")
    expected = set(bb["hurt"])
    if got == expected:
        return ("both were below-average hitters early whose rest-of-season averages stayed "
                "close to where they started: pulling them up toward the grand mean moved them "
                "away from their truth.")
    if bb["best"] in got:
        raise Wrong(f"{bb['best']} gained little from shrinking, but he was not hurt: his "
                    "James–Stein estimate is (slightly) closer to his rest-of-season average.")
    right = len(got & expected)
    if right == len(got):
        raise Wrong(f"every player you listed was hurt, but {len(expected) - right} more "
                    "were too.")
    raise Wrong(f"{len(got) - right} of the players you listed got better, not worse, with "
                "James–Stein.")
