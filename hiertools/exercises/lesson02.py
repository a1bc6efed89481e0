r"""Lesson 02 · Varying intercepts: Minnesota radon, its two fits, and the exercise checks.

The lesson fits ``log_radon ~ floor + (1 | county)`` (``fit``) and, in its stretch
section, ``log_radon ~ floor + log_uranium + (1 | county)`` (``fit_u``), both by REML.
The fits are made once per session (in :mod:`._shared`) and shared with lesson 03's
checks and explorer.

Predictions for a basement in a county that was not surveyed use the predictive
distribution of one log reading, :math:`N(\hat\mu,\ \hat\sigma^2 + \hat\tau^2)`,
with the estimates of ``fit`` plugged in (their own uncertainty is left out, as the
lesson says).
"""

from __future__ import annotations

import numpy as np

from ._core import (
    Precision,
    Wrong,
    as_choice,
    as_labels,
    as_number,
    as_pair,
    as_whole_number,
    exercise,
    judge_number,
)
from ._shared import DATASET, FIT, FIT_U, fits  # noqa: F401 -- lesson02.FIT_U etc., as before

#: The EPA's action level for indoor radon, pCi/L.
ACTION_LEVEL = 4.0
#: The simulation exercise: how many new counties (two basements each), and the seed.
SIMULATION = {"n_counties": 1_000_000, "seed": 7}
#: Exercise: soil uranium of the new county, log(ppm).
NEW_COUNTY_LOG_URANIUM = 0.5
#: Exercise: how many counties that moved most.
N_MOVED = 5
#: The eight counties of Gelman & Hill's panel, smallest sample first.
EIGHT_COUNTIES = ["LAC QUI PARLE", "AITKIN", "KOOCHICHING", "DOUGLAS",
                  "CLAY", "STEARNS", "RAMSEY", "ST LOUIS"]
#: The normal quantile the lesson uses for 95% intervals.
Z95 = 1.96


def _new_county(fit):
    """(mu, tau, sigma) of `fit`: a new county's basement readings are N(mu, sigma² + tau²)."""
    return (float(fit.fixed_effects["Intercept"]), float(fit.group_sd["Intercept"]),
            float(fit.sigma))


def _above(level_log, center, sd) -> float:
    from scipy import stats

    return float(stats.norm.sf(level_log, loc=center, scale=sd))


def _both_above(level_log, mu, tau, sigma) -> float:
    """P(two readings in the same new county both exceed `level_log`): bivariate normal."""
    from scipy import stats

    var, cov = tau**2 + sigma**2, tau**2
    # P(Y1 > a, Y2 > a) = P(-Y1 < -a, -Y2 < -a)
    return float(stats.multivariate_normal(mean=[-mu, -mu], cov=[[var, cov], [cov, var]])
                 .cdf([-level_log, -level_log]))


# --- exercises ----------------------------------------------------------------------------------

@exercise("02-predict-above-half",
          f"Predict: will more or less than half of the basements in a new county read above "
          f"{ACTION_LEVEL:g} pCi/L?",
          hints=["what does exp(mu-hat) = 4.31 pCi/L describe for a basement: the mean reading "
                 "or the median one?",
                 "on the log scale a new county's basement readings are normal and centred at "
                 f"mu-hat, so half of them lie above exp(mu-hat); compare that with "
                 f"{ACTION_LEVEL:g} pCi/L."])
def _check_predict_above_half(answer):
    fit = fits()[0]
    mu, tau, sigma = _new_county(fit)
    choice = as_choice(answer, ["more", "less"])
    median = np.exp(mu)
    mean = np.exp(mu + (tau**2 + sigma**2) / 2)
    if choice == "less":
        raise Wrong(f"not what the model says. exp(mu-hat) = {median:.2f} pCi/L is the *median* "
                    "basement reading in a new county (the centre of a normal on the log scale), "
                    f"so half the readings lie above {median:.2f} and more than half above "
                    f"{ACTION_LEVEL:g}. If you read {median:.2f} as the mean and reasoned that a "
                    "right-skewed distribution has most of its readings below its mean: that is "
                    f"true of the mean, which is higher here, exp(mu + (sigma² + tau²)/2) = "
                    f"{mean:.2f} pCi/L.")
    return (f"more than half: {ACTION_LEVEL:g} pCi/L lies below the median reading "
            f"exp(mu-hat) = {median:.2f} pCi/L. The next exercise says how much more.")


@exercise("02-above-action-level",
          f"P(a basement in a new county reads above {ACTION_LEVEL:g} pCi/L), from the model",
          precision=Precision(decimals=3),
          hints=["work on the log scale: one basement reading in a new county is normal; what "
                 "are its centre and its SD, and where does the action level sit on that scale?",
                 "centre mu, SD sqrt(sigma² + tau²) (a new county's own effect is unknown, and "
                 "the house varies around it); the answer is the normal upper tail beyond "
                 f"log({ACTION_LEVEL:g}): scipy.stats.norm.sf(np.log({ACTION_LEVEL:g}), mu, sd)."])
def _check_above_action_level(answer):
    fit = fits()[0]
    mu, tau, sigma = _new_county(fit)
    beta = float(fit.fixed_effects["floor"])
    level = np.log(ACTION_LEVEL)
    sd = float(np.hypot(tau, sigma))
    expected = _above(level, mu, sd)
    value = as_number(answer)
    precision = Precision(decimals=3)
    judge_number(value, expected, precision, mistakes=[
        (100 * expected, "that looks like a percentage; give the probability as a fraction "
                         "between 0 and 1."),
        (1 - expected, f"that is the probability of a reading *below* {ACTION_LEVEL:g} pCi/L; "
                       "the question asks for above."),
        (_above(level, mu, sigma), "that SD is sigma alone, the house-to-house spread. In a "
                                   "new county its own effect is unknown too, so tau² adds to "
                                   "the variance."),
        (_above(level, mu, tau), "that SD is tau alone, the spread of county levels; one house "
                                 "also varies around its county's level (sigma)."),
        (_above(level, mu, tau + sigma), "you added the SDs; independent sources of variation "
                                         "add as variances: sqrt(sigma² + tau²)."),
        (_above(level, mu + beta, sd), "that is for a first-floor reading; the question is "
                                       "about a basement (floor = 0)."),
        (_above(ACTION_LEVEL, mu, sd), f"the model is on the log scale: compare with "
                                       f"log({ACTION_LEVEL:g}), not {ACTION_LEVEL:g}."),
        (_above(level, round(mu, 2), np.hypot(round(tau, 2), round(sigma, 2))),
         "close, but that comes from estimates rounded to 2 decimals; use mu, tau and sigma "
         "at full precision."),
    ], otherwise="that is not the model's probability")
    return ("a little over half: the action level sits just below the median reading, and a "
            "new county's readings spread widely around it (SD sqrt(sigma² + tau²) on the log "
            "scale).")


@exercise("02-two-basements",
          f"Simulate: P(two basements in the same new county both read above "
          f"{ACTION_LEVEL:g} pCi/L)",
          precision=Precision(decimals=2),
          hints=["simulate the model's two steps: first a new county's level, then the houses "
                 "in it. Both basements share the same county.",
                 "alpha = rng.normal(mu, tau, size=N) (one per county); readings = "
                 "rng.normal(alpha[:, None], sigma, size=(N, 2)); the answer is the share of "
                 f"rows where both readings exceed np.log({ACTION_LEVEL:g})."])
def _check_two_basements(answer):
    fit = fits()[0]
    mu, tau, sigma = _new_county(fit)
    level = np.log(ACTION_LEVEL)
    sd = float(np.hypot(tau, sigma))
    one = _above(level, mu, sd)
    both = _both_above(level, mu, tau, sigma)
    value = as_number(answer)
    n = SIMULATION["n_counties"]
    judge_number(value, both, Precision(decimals=2), mistakes=[
        (100 * both, "that looks like a percentage; give a share between 0 and 1."),
        (one**2, "that is what two *independent* houses give (one chance times the other): did "
                 "you draw a new county for each house? Two houses in the same county share "
                 "its level, so they tend to be high together."),
        (one, "that is the chance for one basement (or the same reading used twice); both "
              "basements must read above the level, each with its own house-to-house noise."),
        (2 * one - both, "that is the chance that *at least one* of the two reads above the "
                         "level; the question asks for both."),
    ], otherwise=f"that is not the share the model implies; with {n:,} simulated counties the "
                 "simulation error is about 0.0005, far below the precision asked")
    return (f"more than the {one:.2f}² = {one**2:.2f} two independent houses would give: two "
            "basements in one county share its level, so they are high (or low) together. "
            "That shared part is what the intraclass correlation measures.")


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
                f"factor of about {np.exp(Z95 * sd):.1f} either way — mostly house-to-house "
                "variation.")
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


@exercise("02-excluding-mu",
          "Read the caterpillar plot: how many homes has the smallest county whose 95% interval "
          "excludes the average?",
          precision=Precision(decimals=0),
          hints=["look for the rows whose bar stays clear of the dashed line, on either side; "
                 "each row's label ends with its number of homes. A bar that touches the line "
                 "reaches it.",
                 "a county's interval excludes mu-hat when |alpha_j - mu| > 1.96 sd_j: with "
                 "coef = fit.group_coefs['Intercept'] and sd = fit.random_effects_sd['Intercept'], "
                 "take fit.group_sizes[(coef - mu).abs() > 1.96 * sd].min() to confirm."])
def _check_excluding_mu(answer):
    fit = fits()[0]
    mu = float(fit.fixed_effects["Intercept"])
    coef, sd = fit.group_coefs["Intercept"], fit.random_effects_sd["Intercept"]
    gap = (coef - mu).abs() - Z95 * sd
    sizes = fit.group_sizes
    excluding = sizes[gap > 0]
    value = as_whole_number(answer)
    expected = int(excluding.min())
    if value == expected:
        return (f"right: all {excluding.size} counties whose interval excludes the average have "
                f"{expected} to {excluding.max()} homes; none with fewer than {expected} does: "
                "their intervals are wide and their estimates are pulled most of the way back "
                "toward the average. And not every large county is far from it either.")
    touching = gap[(gap <= 0) & (gap > -0.01)]
    if value in set(sizes[touching.index]):
        county = touching.index[list(sizes[touching.index]).index(value)]
        raise Wrong(f"{county}'s interval ends right on the dashed line (it reaches it by less "
                    "than 0.01); it does not exclude the average. Look for the next smallest.")
    if value < expected:
        raise Wrong("the intervals of counties that small all reach the dashed line; their "
                    "bars are long because they rest on few homes.")
    if value == int(excluding.max()):
        raise Wrong("that is the largest of those counties; the question asks for the smallest.")
    raise Wrong("that is not the size of the smallest county whose interval stays clear of the "
                "line.")


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
