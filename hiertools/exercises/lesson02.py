"""Lesson 02 · Varying intercepts: Minnesota radon, its two fits, and the exercise checks.

The lesson fits ``log_radon ~ floor + (1 | county)`` (``fit``) and, in its stretch
section, ``log_radon ~ floor + log_uranium + (1 | county)`` (``fit_u``), both by REML.
The fits are made once per session and shared with lesson 03's checks.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ._core import (Precision, Wrong, as_labels, as_number, as_pair, exercise, judge_number)

#: The data and the two models of the lesson (arguments of ht.fit_varying_intercepts).
DATASET = "radon"
FIT = {"y": "log_radon", "group": "county", "x": "floor"}
FIT_U = {"y": "log_radon", "group": "county", "x": ["floor", "log_uranium"]}
#: Exercise 2: the county whose first-floor prediction is asked for.
COUNTY_PREDICTION = "MILLE LACS"
#: Exercise 3: soil uranium of the new county, log(ppm).
NEW_COUNTY_LOG_URANIUM = 0.5
#: Exercise 4: how many counties that moved most.
N_MOVED = 5
#: The eight counties of Gelman & Hill's panel, smallest sample first.
EIGHT_COUNTIES = ["LAC QUI PARLE", "AITKIN", "KOOCHICHING", "DOUGLAS",
                  "CLAY", "STEARNS", "RAMSEY", "ST LOUIS"]
#: The normal quantile the lesson uses for 95% intervals.
Z95 = 1.96


@cache
def fits():
    """(fit, fit_u, (cp_intercept, cp_slope, np_intercepts, np_slope)), fitted once."""
    from ..data import load
    from ..mixed import fit_varying_intercepts
    from ..pooling import _regression_lines

    radon = load(DATASET)
    fit = fit_varying_intercepts(radon, **FIT)
    fit_u = fit_varying_intercepts(radon, **FIT_U)
    return fit, fit_u, _regression_lines(radon, FIT["y"], FIT["x"], FIT["group"])


def _icc(fit) -> float:
    tau2, sigma2 = float(fit.group_sd["Intercept"]) ** 2, fit.sigma ** 2
    return tau2 / (tau2 + sigma2)


# --- exercises ----------------------------------------------------------------------------------

@exercise("02-icc", "Intraclass correlation of the model with log uranium (fit_u)",
          precision=Precision(decimals=3),
          hints=["the intraclass correlation is the share of the variance that lies between "
                 "counties: a ratio of variances, not of standard deviations.",
                 "square fit_u's county SD (tau) and its residual SD (sigma); the ICC is "
                 "tau² / (tau² + sigma²)."])
def _check_icc(answer):
    fit, fit_u, _ = fits()
    value = as_number(answer)
    tau, sigma = float(fit_u.group_sd["Intercept"]), fit_u.sigma
    outside = not 0 <= value <= 1
    judge_number(value, _icc(fit_u), Precision(decimals=3), mistakes=[
        (_icc(fit), "that is the intraclass correlation of `fit`, the model without log "
                    "uranium; use fit_u."),
        (100 * _icc(fit_u), "that looks like a percentage; give the share as a fraction between "
                            "0 and 1."),
        ((tau / (tau + sigma), tau / np.hypot(tau, sigma)),
         "you combined standard deviations; the intraclass correlation is a ratio of variances, "
         "so square the SDs first."),
        (sigma ** 2 / (tau ** 2 + sigma ** 2),
         "that is the share of the variance *within* counties (houses around their county); the "
         "intraclass correlation is the share *between* counties."),
        (tau ** 2 / sigma ** 2, "divide the between-county variance by the total variance, "
                                "tau² + sigma², not by sigma² alone."),
    ], otherwise="a share of variance lies between 0 and 1" if outside
       else "that is not the intraclass correlation of fit_u")
    return ("about 4% of the remaining variance in log radon lies between counties, once floor "
            "and uranium are accounted for — down from about 16% in `fit`.")


@exercise("02-county-prediction",
          f"Predicted log radon for a first-floor measurement in {COUNTY_PREDICTION} "
          "(partial pooling)",
          precision=Precision(decimals=2),
          hints=["a county in the data has its own (partially pooled) line: its own intercept "
                 "and the common floor slope.",
                 "the county's intercept is fit.fixed_effects['Intercept'] plus its row of "
                 "fit.random_effects; add the floor coefficient times 1. Or give fit.predict() a "
                 "one-row DataFrame with the county and floor = 1."])
def _check_county_prediction(answer):
    fit, _, (cp_a, cp_b, np_a, np_b) = fits()
    county = COUNTY_PREDICTION
    mu, beta = (float(v) for v in fit.fixed_effects[["Intercept", "floor"]])
    alpha = mu + float(fit.random_effects.loc[county, "Intercept"])
    expected = alpha + beta
    n = int(fit.group_sizes[county])
    judge_number(as_number(answer), expected, Precision(decimals=2), mistakes=[
        (np.exp(expected), "that is on the pCi/L scale; the question asks for log radon (the "
                           "model's scale), so leave out the exp()."),
        (alpha, "that is the county's basement level (floor = 0); add the floor effect for a "
                "first-floor measurement."),
        (mu + beta, f"that is the prediction for an average (or new) county; {county} is in the "
                    "data, so its own estimated county effect counts too."),
        ((np_a[county] + np_b, np_a[county] + beta),
         f"that uses the no-pooling intercept, which rests on just {n} houses; use the partially "
         "pooled one from the mixed model (fit)."),
        (cp_a + cp_b, "that is the complete-pooling line, which ignores the county altogether."),
        (alpha - mu + beta, "fit.random_effects are deviations from the fixed intercept; add "
                            "fit.fixed_effects['Intercept'] too."),
    ], otherwise="that is not the partial-pooling prediction")
    return (f"the county's partially pooled intercept plus the floor effect: its {n} houses pull "
            "it only part of the way from the average county.")


@exercise("02-new-county-interval",
          "95% prediction interval (pCi/L) for a basement in a new county with log uranium "
          f"{NEW_COUNTY_LOG_URANIUM}",
          precision=Precision(significant=2),
          hints=["work on the log scale first: where is the centre for this county, and which "
                 "two sources of variation does one new house have?",
                 "centre = intercept + uranium coefficient × u (from fit_u); SD = "
                 "sqrt(sigma² + tau²); the interval is centre ± 1.96 SD, then exponentiate "
                 "both ends."])
def _check_new_county_interval(answer):
    fit, fit_u, _ = fits()
    lo, hi = as_pair(answer)
    precision = Precision(significant=2)
    u = NEW_COUNTY_LOG_URANIUM
    b0, bu = float(fit_u.fixed_effects["Intercept"]), float(fit_u.fixed_effects["log_uranium"])
    tau, sigma = float(fit_u.group_sd["Intercept"]), fit_u.sigma
    center, sd = b0 + bu * u, float(np.hypot(tau, sigma))

    def matches(c, s, log=False):
        want = np.array([c - Z95 * s, c + Z95 * s])
        want = want if log else np.exp(want)
        return precision.accepts(lo, want[0]) and precision.accepts(hi, want[1])

    if matches(center, sd):
        return ("a wide interval: even knowing the soil, one house's radon is uncertain by a "
                "factor of about 4.5 either way — mostly house-to-house variation.")
    fit_center = float(fit.fixed_effects["Intercept"])
    fit_sd = float(np.hypot(float(fit.group_sd["Intercept"]), fit.sigma))
    typical = [
        (matches(center, sd, log=True),
         "that interval is on the log scale; exponentiate both ends to get pCi/L."),
        (matches(center, sigma),
         "too narrow: that covers only the house-to-house spread (sigma). A new county's own "
         "effect is unknown too, so its variance tau² adds in."),
        (matches(center, tau + sigma),
         "too wide: you added the SDs. Independent sources of uncertainty add as variances: "
         "square, add, then take the square root."),
        (matches(center, tau),
         "too narrow: that is only the spread of county effects (tau); one house also varies "
         "around its county's level (sigma)."),
        (matches(fit_center, fit_sd) or matches(fit_center + bu * u, fit_sd),
         "that uses `fit`, the model without uranium; this county's uranium is known, so use "
         "fit_u."),
        (matches(b0, sd), f"the centre ignores the county's uranium: add the log_uranium "
                          f"coefficient times {u}."),
    ]
    for matched, message in typical:
        if matched:
            raise Wrong(message)
    log_mid, log_half = (np.log(lo) + np.log(hi)) / 2, (np.log(hi) - np.log(lo)) / 2
    parts = []
    if not np.isclose(log_mid, center, atol=0.02):
        parts.append("its centre (on the log scale)")
    if not np.isclose(log_half, Z95 * sd, rtol=0.02):
        parts.append("its width")
    raise Wrong("that is not the 95% prediction interval; check "
                + (" and ".join(parts) or "both ends")
                + f" (use z = 1.96, not a simulation; {precision.phrase} for each end).")


@exercise("02-moved-most", f"The {N_MOVED} counties whose intercept moved most under partial "
                           "pooling",
          hints=["'moved' is the distance between a county's no-pooling and its partially "
                 "pooled intercept, in either direction.",
                 "subtract fit.group_coefs['Intercept'] from no_pool, take absolute values, and "
                 f"keep the index of the {N_MOVED} largest (nlargest)."])
def _check_moved_most(answer):
    fit, _, (_, _, np_a, _) = fits()
    k = N_MOVED
    partial = fit.group_coefs["Intercept"]
    moved = np_a - partial
    expected = set(moved.abs().nlargest(k).index)
    got = set(as_labels(answer, columns=("county", "group"), count=k, known=partial.index))
    if got == expected:
        return "right: now look up their sizes n_j (fit.group_sizes)."
    typical = [
        ({*moved.nlargest(k).index} == got or {*moved.nsmallest(k).index} == got,
         "movement counts in either direction: take absolute values."),
        ({*fit.random_effects["Intercept"].abs().nlargest(k).index} == got,
         "those are the counties whose partially pooled intercept is farthest from the average "
         "county; the question is how far each one *moved* from its no-pooling estimate."),
        ({*(np_a - np_a.mean()).abs().nlargest(k).index} == got,
         "those are the most extreme no-pooling estimates; the question is how far each one "
         "moved from no pooling to partial pooling."),
    ]
    for matched, message in typical:
        if matched:
            raise Wrong(message)
    raise Wrong(f"{len(got & expected)} of your {k} counties are among the {k} that moved most.")
