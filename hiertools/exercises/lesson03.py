"""Lesson 03 · Shrinkage: the formula by hand, its Bayesian reading, and the explorer.

The lesson reuses lesson 02's model (``log_radon ~ floor + (1 | county)``) for the
by-hand shrinkage and the exercises; its explorer shows the plain county means with
tau and sigma from the model *without* floor.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ._core import Precision, Wrong, as_number, as_whole_number, exercise, judge_number
from .lesson02 import fits

#: The county of the worked example and of exercises 1 and 2.
COUNTY = "LAC QUI PARLE"
#: Exercise 3: the weight a county's own data should reach.
TARGET_WEIGHT = 0.9
#: The explorer's model: county means of log radon, no predictor.
EXPLORER_FIT = {"y": "log_radon", "group": "county", "x": None}
EXPLORER_YLABEL = "mean log radon, log(pCi/L)"


def _fitted():
    """tau, sigma and the county's n from lesson 02's model, as lesson 03 uses them."""
    fit = fits()[0]
    return float(fit.group_sd["Intercept"]), float(fit.sigma), int(fit.group_sizes[COUNTY])


@cache
def _explorer_data():
    from ..data import load
    from ..mixed import fit_varying_intercepts
    from ..pooling import group_summary

    radon = load("radon")
    summary = group_summary(radon, EXPLORER_FIT["y"], EXPLORER_FIT["group"])
    fit = fit_varying_intercepts(radon, **EXPLORER_FIT)
    return summary, float(fit.sigma), float(fit.group_sd["Intercept"])


def explorer_defaults() -> dict:
    """What ``ht.shrinkage_explorer()`` shows with no arguments: the 85 counties."""
    summary, sigma, tau = _explorer_data()
    return {"raw": summary["mean"].to_numpy(), "n": summary["n"].to_numpy(float),
            "sigma": sigma, "tau": tau, "labels": list(summary.index), "ylabel": EXPLORER_YLABEL}


# --- exercises ----------------------------------------------------------------------------------

@exercise("03-half-weight-tau", f"The tau at which {COUNTY.title()}'s weight is one half",
          precision=Precision(decimals=3),
          hints=["the weight is one half when the county's own noise and the between-county "
                 "variance are equal.",
                 "set tau² = sigma² / n and solve for tau (a standard deviation, so take the "
                 "square root)."])
def _check_half_weight_tau(answer):
    _, sigma, n = _fitted()
    value = as_number(answer)
    if value < 0:
        raise Wrong("tau is a standard deviation, so it cannot be negative.")
    judge_number(value, sigma / np.sqrt(n), Precision(decimals=3), mistakes=[
        (sigma**2 / n, "that is tau squared; the question asks for tau (a standard deviation)."),
        (sigma, f"that would be right for a county with one home; {COUNTY.title()} has {n}."),
    ], otherwise="at that tau the weight is not one half")
    return "at tau = sigma / sqrt(n) the county's own data and the overall mean count equally."


@exercise("03-posterior-sd", f"Posterior SD of {COUNTY.title()}'s intercept",
          precision=Precision(decimals=2),
          hints=["in section 4 the posterior combines two sources of information; what adds "
                 "up when information is combined?",
                 "precisions add: the posterior precision is 1/tau² + n/sigma²; the SD is one "
                 "over its square root."])
def _check_posterior_sd(answer):
    tau, sigma, n = _fitted()
    expected = 1 / np.sqrt(1 / tau**2 + n / sigma**2)
    judge_number(as_number(answer), expected, Precision(decimals=2), mistakes=[
        (expected**2, "that is the posterior variance; take its square root."),
        (np.sqrt(tau**2 + sigma**2 / n), "that is the SD of the raw mean around mu (variances "
                                         "added); for the posterior, add precisions instead."),
        (sigma / np.sqrt(n), "that is the standard error of the raw mean alone (no pooling); "
                             "the prior adds information too."),
    ], otherwise="that is not the posterior standard deviation")
    return "smaller than both tau and sigma / sqrt(n): prior and data each add information."


@exercise("03-n-for-weight", f"Smallest county size with weight at least {TARGET_WEIGHT}",
          precision=Precision(decimals=0),
          hints=["write the weight as a function of n and ask where it first reaches "
                 f"{TARGET_WEIGHT}; n counts homes, so it is a whole number.",
                 f"solve tau² / (tau² + sigma²/n) >= {TARGET_WEIGHT} for n: n >= "
                 f"{TARGET_WEIGHT}/(1 − {TARGET_WEIGHT}) × sigma²/tau²; then take the smallest "
                 "whole number at or above that bound."])
def _check_n_for_weight(answer):
    tau, sigma, _ = _fitted()
    value = as_whole_number(answer)
    bound = TARGET_WEIGHT / (1 - TARGET_WEIGHT) * sigma**2 / tau**2
    expected = int(np.ceil(bound))
    if value == expected:
        return (f"that is the smallest county size whose own data get at least "
                f"{TARGET_WEIGHT:.0%} of the weight.")
    if value == int(np.floor(bound)):
        raise Wrong(f"with that many homes the weight is still just below {TARGET_WEIGHT}; "
                    "you need the first whole number at or above the bound.")
    if value == int(np.ceil(sigma**2 / tau**2)):
        raise Wrong(f"that is where the weight reaches one half, not {TARGET_WEIGHT}.")
    raise Wrong(f"at that size the weight is not the first one to reach {TARGET_WEIGHT}.")
