"""Lesson 06 · Varying slopes: the sleep study, its fits, the explorer's defaults and the checks.

The lesson fits ``reaction ~ days + (days | subject)`` by REML three ways: with days
counted from day 0 as in lme4's example (``fit``), with days centred at the middle
of the study (``fit_centred``), and on days 2-9 counted from day 2, the baseline
(``fit_baseline``; days 0 and 1 were adaptation and training in the original study).
The fits are made once per session.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
from scipy import integrate, special

from .._kernels import regression
from ..data import load
from ..mixed import fit_varying_slopes
from ..widgets._lessons import register_defaults
from ._core import Precision, Unreadable, Wrong, as_labels, as_number, exercise, judge_number

#: The data and the model of the lesson (arguments of ht.fit_varying_slopes).
DATASET = "sleepstudy"
FIT = {"y": "reaction", "x": "days", "group": "subject"}
#: Exercises 1-2: days are centred here (the middle of days 0-9).
CENTRE_DAY = 4.5
#: Exercises 3-4: the baseline day; days 0 and 1 were adaptation and training (Belenky et al. 2003).
BASELINE_DAY = 2
#: Exercise 5: simulated studies the learner is asked to run (the check allows for their noise).
SIMULATED_STUDIES = 4000
#: Exercise 6: how many subjects the learner names.
N_AWAY = 2
#: Axis labels of the lesson's figures and of its explorer.
XLABEL = "day of the study"
YLABEL = "reaction time (ms)"
INTERCEPT_LABEL = "intercept: reaction time at day 0 (ms)"
SLOPE_LABEL = "slope (ms per day)"
#: The subject the explorer highlights first: the only one whose own line falls.
EXPLORER_FOCUS = 335

_WORDS = {"up": "up", "higher": "up", "increase": "up", "increases": "up", "goes up": "up",
          "down": "down", "lower": "down", "decrease": "down", "decreases": "down",
          "goes down": "down", "unchanged": "unchanged", "same": "unchanged",
          "stays the same": "unchanged", "no change": "unchanged"}


@cache
def _sleep():
    return load(DATASET)


def sleep():
    """A fresh copy of the sleep study (the cached frame is never handed out)."""
    return _sleep().copy()


@cache
def fits():
    """(fit, fit_centred, fit_baseline), REML, fitted once."""
    data = _sleep()
    fit = fit_varying_slopes(data, **FIT)
    centred = data.assign(days_centred=data["days"] - CENTRE_DAY)
    fit_centred = fit_varying_slopes(centred, FIT["y"], "days_centred", FIT["group"])
    fit_baseline = fit_varying_slopes(_baseline_rows(data, BASELINE_DAY), FIT["y"],
                                      "days_from_baseline", FIT["group"])
    return fit, fit_centred, fit_baseline


def _baseline_rows(data, first_day):
    rows = data.loc[data["days"] >= first_day]
    return rows.assign(days_from_baseline=rows["days"] - first_day)


@cache
def _variants():
    """Fits of the typical wrong turns of exercise 3, for the table of mistakes."""
    data = _sleep()
    later = data.loc[data["days"] >= BASELINE_DAY]
    not_shifted = fit_varying_slopes(later, **FIT)  # days 2-9, still counted from day 0
    off_by_one = fit_varying_slopes(_baseline_rows(data, BASELINE_DAY + 1), FIT["y"],
                                    "days_from_baseline", FIT["group"])
    return not_shifted, off_by_one


def _own_lines(data, x=FIT["x"]):
    """Each subject's own least-squares (intercept, slope), as a DataFrame."""
    stats = regression.slope_stats(data, FIT["y"], x, FIT["group"])
    return pd.DataFrame(regression.own_lines(stats), index=stats.labels, columns=["Intercept", x])


def explorer_defaults() -> dict:
    """What ``ht.slopes_explorer()`` shows with no arguments: the 18 subjects."""
    return {"data": sleep(), **FIT, "xlabel": XLABEL, "ylabel": YLABEL,
            "intercept_label": INTERCEPT_LABEL, "slope_label": SLOPE_LABEL,
            "focus": EXPLORER_FOCUS}


register_defaults("slopes", "06", explorer_defaults)


def wrong_sign_share() -> float:
    """Probability that the 18 subjects' own lines correlate negatively, under the fitted model.

    Under the model every subject's own least-squares line is an independent draw
    from :math:`N_2(\\mu, \\Sigma + \\sigma^2 (Z'Z)^{-1})` (all subjects have days 0-9), so
    the correlation of the 18 lines has the exact null-free distribution of a sample
    correlation (Hotelling 1953, eq. 5.8 form with the Gauss hypergeometric function);
    integrating its density over [-1, 0] gives the share of studies in which it is
    negative although the model's ρ is positive.
    """
    fit = fits()[0]
    sa, sb = fit.group_sd
    cov = np.array([[sa**2, fit.group_corr * sa * sb], [fit.group_corr * sa * sb, sb**2]])
    days = np.arange(10.0)
    design = np.column_stack([np.ones_like(days), days])
    total = cov + fit.sigma**2 * np.linalg.inv(design.T @ design)
    rho = total[0, 1] / np.sqrt(total[0, 0] * total[1, 1])
    n = fit.n_groups
    log_const = (np.log(n - 2) + special.gammaln(n - 1) - special.gammaln(n - 0.5)
                 - 0.5 * np.log(2 * np.pi) + (n - 1) / 2 * np.log1p(-rho**2))

    def density(r):
        return np.exp(log_const + (n - 4) / 2 * np.log1p(-r * r) - (n - 1.5) * np.log1p(-rho * r)
                      ) * special.hyp2f1(0.5, 0.5, n - 0.5, (1 + rho * r) / 2)

    return float(integrate.quad(density, -1.0, 0.0, epsabs=1e-12)[0])


def away_from_average() -> list[str]:
    """Subjects whose own slope is below the average and whose pooled slope is lower still."""
    fit = fits()[0]
    own = _own_lines(_sleep())["days"]
    pooled = fit.group_coefs["days"]
    centre = fit.fixed_effects["days"]
    away = own.index[(own < centre) & (pooled < own)]
    return [str(label) for label in away]


# --- exercises ----------------------------------------------------------------------------------

def _direction(answer) -> str:
    if not isinstance(answer, str):
        raise Unreadable(f"give one word: 'up', 'down' or 'unchanged', got "
                         f"{type(answer).__name__}.")
    word = " ".join(answer.strip().lower().split())
    if word not in _WORDS:
        raise Unreadable(f"{answer!r} is not one of 'up', 'down' or 'unchanged'.")
    return _WORDS[word]


@exercise("06-predict-centring", f"Predict: does rho-hat go up or down when days are centred at "
          f"{CENTRE_DAY}?",
          hints=[f"after centring, a subject's intercept is its reaction time at day {CENTRE_DAY}, "
                 f"alpha_j + {CENTRE_DAY} beta_j. Do subjects with steep slopes tend to have a "
                 "high or a low value there?",
                 f"Cov(alpha + {CENTRE_DAY} beta, beta) = rho sigma_alpha sigma_beta "
                 f"+ {CENTRE_DAY} sigma_beta²: is the added term positive or negative?"])
def _check_predict_centring(answer):
    fit, fit_centred, _ = fits()
    word = _direction(answer)
    change = fit_centred.group_corr - fit.group_corr
    happened = "up" if change > 0.005 else "down" if change < -0.005 else "unchanged"
    if word != happened:
        raise Wrong(f"that is not what the refit shows ('{word}'). Commit to it anyway and run "
                    "exercise 2; then see section 4 for why.")
    return ("right: the new intercept carries the slope inside it, so steeper subjects get "
            "higher intercepts. Exercise 2 measures by how much.")


@exercise("06-centred-rho", f"rho-hat with days centred at {CENTRE_DAY}",
          precision=Precision(decimals=2),
          hints=["make a new column in which day 4.5 is zero, and fit the same model with it as x.",
                 f"sleep.assign(days_centred=sleep['days'] - {CENTRE_DAY}), then "
                 "ht.fit_varying_slopes(..., 'reaction', 'days_centred', 'subject') and read its "
                 "group_corr."])
def _check_centred_rho(answer):
    fit, fit_centred, _ = fits()
    own = _own_lines(_sleep())
    level = own["Intercept"] + CENTRE_DAY * own["days"]
    sa, sb = fit_centred.group_sd
    judge_number(as_number(answer), fit_centred.group_corr, Precision(decimals=2), mistakes=[
        (fit.group_corr, "that is rho-hat with days counted from day 0; fit the model to the "
                         "centred column."),
        (np.corrcoef(level, own["days"])[0, 1],
         "that is the correlation of the subjects' own least-squares lines (centred); the "
         "question asks for the model's rho-hat, group_corr."),
        (fit_centred.group_corr * sa * sb, "that is a covariance; give the correlation."),
    ], otherwise="that is not rho-hat of the centred model")
    return ("the same model, only the origin of x moved: the correlation between intercepts and "
            "slopes depends on where x = 0 is.")


@exercise("06-baseline-slope", "Average slope on days 2-9, counted from day 2",
          precision=Precision(decimals=2),
          hints=["days 0 and 1 were adaptation and training: drop them, and count the days from "
                 "the baseline so that day 2 becomes 0.",
                 f"keep the rows with days >= {BASELINE_DAY}, add a column "
                 f"days - {BASELINE_DAY}, fit ht.fit_varying_slopes with it as x, and read the "
                 "fixed effect of that column."])
def _check_baseline_slope(answer):
    fit, _, fit_baseline = fits()
    _, off_by_one = _variants()
    judge_number(as_number(answer), fit_baseline.fixed_effects.iloc[1], Precision(decimals=2),
                 mistakes=[
        (fit.fixed_effects["days"], "that is the slope fitted to all ten days; drop days 0 and 1 "
                                    "(adaptation and training) first."),
        (off_by_one.fixed_effects.iloc[1], f"that fit starts at day {BASELINE_DAY + 1}; keep day "
                                           f"{BASELINE_DAY}, the baseline, as the first day."),
        (fit_baseline.fixed_effects["Intercept"], "that is the intercept (reaction at baseline); "
                                                  "the question asks for the slope."),
    ], otherwise="that is not the average slope from the baseline on")
    return ("from the baseline on, reaction time grows faster than the all-days fit says: the "
            "two adaptation days pulled the line flatter.")


@exercise("06-baseline-rho", "rho-hat on days 2-9, counted from day 2",
          precision=Precision(decimals=2),
          hints=["the correlation is part of the random-effects table of the fit to days 2-9 "
                 "counted from the baseline; make that fit in this cell, as in exercise 3.",
                 f"in this cell: keep the rows with days >= {BASELINE_DAY}, add a column "
                 f"days_from_baseline = days - {BASELINE_DAY}, fit ht.fit_varying_slopes(..., "
                 "'reaction', 'days_from_baseline', 'subject') and read its group_corr."])
def _check_baseline_rho(answer):
    fit, fit_centred, fit_baseline = fits()
    not_shifted, off_by_one = _variants()
    judge_number(as_number(answer), fit_baseline.group_corr, Precision(decimals=2), mistakes=[
        (fit.group_corr, "that is rho-hat of the fit to all ten days."),
        (not_shifted.group_corr, "that fit drops days 0-1 but still counts days from day 0, so "
                                 "its intercept is a reaction time at a day outside the data; "
                                 "count from the baseline (days - 2)."),
        (off_by_one.group_corr, f"that fit starts at day {BASELINE_DAY + 1}; keep day "
                                f"{BASELINE_DAY}, the baseline."),
        (fit_centred.group_corr, "that is rho-hat with days centred at 4.5 (exercise 2)."),
    ], otherwise="that is not rho-hat of the baseline fit")
    return ("with the intercept at the baseline, rho-hat is small and positive; and from 18 "
            "subjects a correlation is rough (section 5's simulation), so the fit does not show "
            "that subjects who start slower deteriorate faster.")


@exercise("06-wrong-sign-share", "Simulated share of studies whose own lines correlate negatively",
          precision=Precision(decimals=1),
          hints=["each simulated study needs 18 subjects' true lines drawn from N2(mu-hat, "
                 "Sigma-hat), ten noisy days per subject, each subject's own least-squares line, "
                 "and the correlation of the 18 intercepts with the 18 slopes.",
                 "draw coefficients of shape (studies, 18, 2) with rng.multivariate_normal, add "
                 "rng.normal(0, sigma, (studies, 18, 10)) to the lines, fit every line at once "
                 "with the closed form slope = sum((x - x̄)(y - ȳ)) / sum((x - x̄)²), intercept = "
                 "ȳ - slope x̄, then take the mean of (correlation < 0) over studies."])
def _check_wrong_sign_share(answer):
    value = as_number(answer)
    if value > 1:
        raise Wrong("give the share as a fraction between 0 and 1, not a percentage.")
    expected = wrong_sign_share()
    judge_number(value, expected, Precision(decimals=1), mistakes=[
        (1 - expected, "that is the share of studies with a *positive* correlation; the question "
                       "asks how often it comes out negative."),
    ], otherwise="with that many simulated studies, the share should be closer to what the "
                 "model implies; check that every study uses the fitted mu, Sigma and sigma")
    return ("in most studies like this one the subjects' own lines correlate negatively although "
            "the model's rho is positive: their noise is negatively correlated.")


@exercise("06-away-from-average", "Read the 2-D figure: subjects whose slope moves away from "
          "the average",
          hints=["look at the arrows that start below the centre cross (own slope below the "
                 "average) and end even lower: they point down as well as sideways.",
                 "compare, subject by subject, fit.group_coefs['days'] with the own least-squares "
                 "slope: keep the subjects whose own slope is below fit.fixed_effects['days'] "
                 "and whose partially pooled slope is lower still."])
def _check_away_from_average(answer):
    fit = fits()[0]
    known = [str(label) for label in fit.group_sizes.index]
    got = set(as_labels(answer, columns=("subject", "group"), count=N_AWAY, known=known))
    expected = set(away_from_average())
    if got == expected:
        return ("their intercepts are far below average, and pulling an intercept up pulls the "
                "slope down: the shrinkage is a matrix that couples the two.")
    own = {str(label): slope for label, slope in _own_lines(_sleep())["days"].items()}
    wrong_side = sorted(s for s in got - expected if own[s] >= fit.fixed_effects["days"])
    if wrong_side:
        raise Wrong(f"subject {wrong_side[0]}'s own slope is above the average; the question is "
                    "about subjects whose own slope is below it.")
    raise Wrong(f"{len(got & expected)} of your {N_AWAY} subjects end with a slope lower than "
                "their own; look again for arrows that point downward.")
