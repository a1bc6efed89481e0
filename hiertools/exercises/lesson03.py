"""Lesson 03 · Shrinkage: the formula by hand, its Bayesian reading, and the explorer.

The lesson reuses lesson 02's model (``log_radon ~ floor + (1 | county)``, REML) for
everything on radon: the by-hand shrinkage, the exercises and the explorer, which
shows the floor-adjusted county means :math:`\\bar y_j = \\mathrm{mean}_j(\\text{log
radon} - \\hat\\beta\\,\\text{floor})` with that model's :math:`\\hat\\tau` and
:math:`\\hat\\sigma`, so its starting picture is the fitted model's county intercepts.
The simulation section treats the fitted :math:`\\hat\\mu, \\hat\\tau, \\hat\\sigma` as
the known truth and the 85 counties' sizes as the design.  The district figure is
lesson 01's twelve districts.
"""

from __future__ import annotations

import copy
from functools import cache

import numpy as np

from ..data import load
from ..pooling import group_summary
from ..shrinkage import shrink
from ..widgets._lessons import register_defaults
from ._core import (
    Precision,
    Wrong,
    as_choice,
    as_labels,
    as_number,
    as_whole_number,
    exercise,
    judge_number,
)
from ._shared import FIT, SIGMA, districts, fits, fitted

#: The county of the worked example and of the first exercises.
COUNTY = "LAC QUI PARLE"
#: ... as the lesson writes it.
COUNTY_NAME = "Lac qui Parle"
#: The posterior-SD exercise: a county measured this many times (no county has this size).
POSTERIOR_N = 20
#: The weight a county's own data should reach (exercise).
TARGET_WEIGHT = 0.9
#: The simulation section: counties with at most this many homes are "small".
SMALL_N = 5
#: The simulation section: how many data sets, and the seed the lesson uses.
SIMULATION = {"n_datasets": 10_000, "seed": 3}
#: The simulation exercise: counties more alike (tau times this factor), the smallest counties.
EXERCISE_TAU_FACTOR = 0.5
EXERCISE_SMALL_N = 2
#: The read-the-figure exercise: districts larger than this (n_j: thousands of person-years).
LARGE_DISTRICT = 40
#: The explorer's y axis.
EXPLORER_YLABEL = "county intercept, log(pCi/L)"
#: Predict-then-check: what shrinkage does for the small counties in the simulation.
PREDICTIONS = {
    "a": "it brings every small county closer to its truth, in every data set",
    "b": "it lowers their total squared error in nearly every data set, but single counties "
         "often end up farther from their truth",
    "c": "it wins about half the time",
    "d": "it usually makes the estimates worse: shrinkage adds bias",
}


def _fitted():
    """tau, sigma and the county's n from lesson 02's model, as lesson 03 uses them."""
    fit = fits()[0]
    return float(fit.group_sd["Intercept"]), float(fit.sigma), int(fit.group_sizes[COUNTY])


@cache
def _adjusted_means():
    """The floor-adjusted county means (a DataFrame with n, mean, var) of lesson 02's model."""
    fit = fits()[0]
    beta = float(fit.fixed_effects[FIT["x"]])
    radon = load("radon")
    adjusted = radon.assign(adjusted=radon[FIT["y"]] - beta * radon[FIT["x"]])
    return group_summary(adjusted, "adjusted", FIT["group"])


def explorer_defaults() -> dict:
    """What ``ht.shrinkage_explorer()`` shows with no arguments: the 85 counties.

    The floor-adjusted county means with tau and sigma of lesson 02's model, so the
    explorer starts exactly at the fitted model's county intercepts.
    """
    summary = _adjusted_means()
    tau, sigma, _ = _fitted()
    return {"raw": summary["mean"].to_numpy(), "n": summary["n"].to_numpy(float),
            "sigma": sigma, "tau": tau, "labels": list(summary.index), "ylabel": EXPLORER_YLABEL}


register_defaults("shrinkage", "03", explorer_defaults)


def _error_ratio_formula(tau_factor: float = EXERCISE_TAU_FACTOR,
                         small_n: int = EXERCISE_SMALL_N) -> float:
    """E(total squared error, shrunk) / E(total squared error, raw) over the small counties.

    With mu, tau, sigma known, the shrunk estimate is the posterior mean: its expected
    squared error is the posterior variance w_j sigma²/n_j; the raw mean's is sigma²/n_j.
    """
    tau, sigma, _ = _fitted()
    tau = tau_factor * tau
    n = fits()[0].group_sizes.to_numpy(float)
    n = n[n <= small_n]
    w = tau**2 / (tau**2 + sigma**2 / n)
    return float((w * sigma**2 / n).sum() / (sigma**2 / n).sum())


@cache
def _mean_of_ratios() -> float:
    """The average over data sets of the per-data-set ratio (a typical misreading), simulated."""
    fit = fits()[0]
    tau, sigma, _ = _fitted()
    tau = EXERCISE_TAU_FACTOR * tau
    mu = float(fit.fixed_effects["Intercept"])
    n = fit.group_sizes.to_numpy(float)
    n = n[n <= EXERCISE_SMALL_N]
    w = tau**2 / (tau**2 + sigma**2 / n)
    # All 100,000 truths, then all raw means, from one stream (seed 12345), but a block of
    # data sets at a time, so that the check holds no 100,000-row array (it would raise
    # the kernel's peak memory by about 30 MB): `raws` is a copy of the stream where the
    # truths end, found by drawing them once without keeping them.
    datasets, block = 100_000, 10_000
    truths = np.random.default_rng(12345)
    for _ in range(0, datasets, block):
        truths.normal(mu, tau, size=(block, n.size))
    raws, truths = copy.deepcopy(truths), np.random.default_rng(12345)
    total = 0.0
    for _ in range(0, datasets, block):
        truth = truths.normal(mu, tau, size=(block, n.size))
        raw = raws.normal(truth, sigma / np.sqrt(n))
        shrunk = w * raw + (1 - w) * mu
        total += (((shrunk - truth) ** 2).sum(1) / ((raw - truth) ** 2).sum(1)).sum()
    return float(total / datasets)


def _district_moves():
    """Lesson 01's twelve districts: (districts, distance each travelled under shrinkage)."""
    d = districts()
    tau_hat, mu_hat = fitted()
    pooled = shrink(d["raw"].to_numpy(), d["n"].to_numpy(float), tau_hat, SIGMA, mu=mu_hat)
    return d, np.abs(pooled - d["raw"].to_numpy())


# --- exercises ----------------------------------------------------------------------------------

@exercise("03-half-weight-tau", f"The tau at which {COUNTY_NAME}'s weight is one half",
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
        (sigma, f"that would be right for a county with one home; {COUNTY_NAME} has {n}."),
    ], otherwise="at that tau the weight is not one half")
    return "at tau = sigma / sqrt(n) the county's own data and the overall mean count equally."


@exercise("03-posterior-sd", f"Posterior SD of the intercept of a county with {POSTERIOR_N} homes",
          precision=Precision(decimals=2),
          hints=["in section 4 the posterior combines two sources of information; what adds "
                 "up when information is combined?",
                 "precisions add: the posterior precision is 1/tau² + n/sigma² with "
                 f"n = {POSTERIOR_N}; the SD is one over its square root."])
def _check_posterior_sd(answer):
    tau, sigma, n_county = _fitted()
    n = POSTERIOR_N
    expected = 1 / np.sqrt(1 / tau**2 + n / sigma**2)
    judge_number(as_number(answer), expected, Precision(decimals=2), mistakes=[
        (expected**2, "that is the posterior variance; take its square root."),
        (np.sqrt(tau**2 + sigma**2 / n), "that is the SD of the raw mean around mu (variances "
                                         "added); for the posterior, add precisions instead."),
        (sigma / np.sqrt(n), "that is the standard error of the raw mean alone (no pooling); "
                             "the prior adds information too."),
        (1 / np.sqrt(1 / tau**2 + n_county / sigma**2),
         f"that is the posterior SD with {COUNTY_NAME}'s real {n_county} homes; the question "
         f"gives the county {n} homes."),
    ], otherwise="that is not the posterior standard deviation")
    return ("smaller than both tau and sigma / sqrt(n): prior and data each add information. "
            "It does not depend on the county's raw mean, only on n, tau and sigma.")


@exercise("03-n-for-weight", f"Smallest county size with weight at least {TARGET_WEIGHT}",
          precision=Precision(decimals=0),
          hints=["write the weight as a function of n and ask where it first reaches "
                 f"{TARGET_WEIGHT}; n counts homes, so the answer is a whole number.",
                 f"solve tau² / (tau² + sigma²/n) >= {TARGET_WEIGHT} for n: n >= "
                 f"{TARGET_WEIGHT}/(1 − {TARGET_WEIGHT}) × sigma²/tau². That bound is rarely a "
                 "whole number: the answer is the smallest whole number at or above it "
                 "(np.ceil)."])
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


@exercise("03-predict-beats-raw",
          "Predict: how do the shrunk estimates of the small counties compare with their raw "
          "means, over many simulated data sets?",
          hints=["think of two things separately: the total error of all small counties in one "
                 "data set, and the error of one county in one data set.",
                 "shrinkage trades a little bias for a large cut in variance: on average, and "
                 "in total over many groups, that wins; for one group in one draw, the pull "
                 "toward mu can overshoot a truth that happens to lie far from mu."])
def _check_predict_beats_raw(answer):
    choice = as_choice(answer, list(PREDICTIONS))
    if choice == "b":
        return ("that is what happens: the next cells count it. In total, shrinkage wins "
                "almost every time; a single county, though, ends up farther from its truth "
                "in a sizeable share of data sets.")
    reasons = {
        "a": "Not every county, not every time: a county whose true intercept happens to lie "
             "far from mu is pulled the wrong way, toward mu. What holds is the average (and "
             "the total over many counties).",
        "c": "Much better than half: in total over the small counties, shrinkage wins in "
             "nearly every data set, because it removes far more variance than the bias it "
             "adds.",
        "d": "The opposite: shrinkage adds a little bias but removes much more variance, so "
             "the total squared error falls, in nearly every data set.",
    }
    raise Wrong(f"not what the simulation shows: {reasons[choice]} Run the next cells to see "
                "the counts.")


@exercise("03-simulate-error-ratio",
          "Simulate: counties more alike (tau halved): the share of the smallest counties' "
          "squared error that shrinkage leaves",
          precision=Precision(decimals=2),
          hints=["change one thing in the simulation above: the truth now varies with tau / 2, "
                 "and the weights use tau / 2 too; then keep only the counties with 1 or 2 "
                 "homes.",
                 "tau_small = tau / 2; w = tau_small**2 / (tau_small**2 + sigma**2 / n); truth = "
                 "rng.normal(mu, tau_small, size=(R, J)); raw = rng.normal(truth, sigma / "
                 "np.sqrt(n)); shrunk = w * raw + (1 - w) * mu; with few = n <= 2, sum the "
                 "squared errors over those columns in each data set (axis=1), average over the "
                 "R data sets, and divide shrunk by raw."])
def _check_simulate_error_ratio(answer):
    expected = _error_ratio_formula()
    value = as_number(answer)
    judge_number(value, expected, Precision(decimals=2), mistakes=[
        (1 / expected, "that is raw over shrunk; the question asks for shrunk over raw (a "
                       "share below 1 means shrinkage helps)."),
        (_error_ratio_formula(tau_factor=1.0), "that is the share with the fitted tau; the "
                                               "question halves tau, in the truth and in the "
                                               "weights."),
        (_error_ratio_formula(small_n=SMALL_N),
         f"that is for all counties with up to {SMALL_N} homes; the question keeps only those "
         f"with at most {EXERCISE_SMALL_N}."),
        (np.sqrt(expected), "that is a ratio of root-mean-square errors; the question asks for "
                            "the ratio of the (total) squared errors."),
        (_mean_of_ratios(), "you averaged the per-data-set ratios; the question asks for the "
                            "ratio of the two averages (average shrunk total over average raw "
                            "total)."),
        (100 * expected, "that looks like a percentage; give the share as a fraction."),
    ], otherwise=f"that is not the share the model implies; with "
                 f"{SIMULATION['n_datasets']:,} data sets the simulation error is below 0.001, "
                 "far below the precision asked")
    return ("when counties are more alike, the overall mean is a better guess for each, so "
            "shrinkage pulls harder and removes even more of the smallest counties' error.")


@exercise("03-read-districts",
          f"Read the district figure: which district larger than n = {LARGE_DISTRICT} travelled "
          "farthest?",
          hints=["the distance a district travels is the length of its arrow; look only at the "
                 f"arrows to the right of n = {LARGE_DISTRICT}.",
                 "compare the arrow lengths of the districts with n > "
                 f"{LARGE_DISTRICT}: the longest belongs to the one whose raw rate lies farthest "
                 "from the dashed line. Give its label, e.g. 'D01'."])
def _check_read_districts(answer):
    d, moved = _district_moves()
    labels = d["district"].to_numpy()
    if isinstance(answer, str):
        answer = [answer]
    got = as_labels(answer, columns=("district", "group"), count=1, known=labels)[0]
    large = d["n"].to_numpy() > LARGE_DISTRICT
    expected = labels[large][np.argmax(moved[large])]
    if got == expected:
        k = int(np.flatnonzero(labels == expected)[0])
        passed = int(((d["n"].to_numpy() < d["n"].iloc[k]) & (moved < moved[k])).sum())
        return (f"{expected}: its raw rate lies far from mu-hat, so even a small fraction "
                f"(1 − w) of that long way is a long way — farther than {passed} smaller "
                "districts travel. The fraction depends only on n and sigma/tau; the distance "
                "also on how far the raw value starts from mu-hat.")
    k = int(np.flatnonzero(labels == got)[0])
    if not large[k]:
        raise Wrong(f"{got} has n = {d['n'].iloc[k]}; look only at the districts larger than "
                    f"n = {LARGE_DISTRICT}.")
    raise Wrong(f"{got}'s arrow is not the longest among the districts larger than "
                f"n = {LARGE_DISTRICT}.")
