"""Lesson 07 · Capstone: which hospitals are really the worst?  Data settings and graded checks.

The lesson's data are the BUGS "Surgical" hospitals (``load("surgical")``) and the
Scottish lip cancer districts (``load("lip_cancer")``).  Everything the notebook and the
checks must agree on -- the fits, the hospitals compared, the points of each graded
part -- is defined once here.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy import integrate

from ..data import load
from ..rates import fit_beta_binomial, fit_gamma_poisson, funnel_limits
from ._core import Precision, Wrong, as_number, as_whole_number, exercise, judge_number

#: Funnel plot: the coverage of the limits the learner reads (exercise 1).
FUNNEL_LEVEL = 0.95
#: The hospital with 0 deaths (exercises 2 and 3) and the mortality threshold of exercise 3.
HOSPITAL = "A"
THRESHOLD = 0.05
#: Exercise 4 compares these two hospitals' true mortality, by simulation with at least
#: this many draws (the exercise text asks for it).
PAIR = ("H", "B")
DRAWS_4 = 100_000
#: Exercise 5: a district with 0 cases (the Scottish counterpart of hospital A), whose
#: shrunk SMR is asked for.
DISTRICT = "Tweeddale"
#: Points of each graded part, by nbgrader grade_id (the notebook's points table shows these).
POINTS = {"check-07-outside": 2, "check-07-weight-a": 2, "check-07-a-below": 3,
          "check-07-h-above-b": 3, "check-07-zero-cases": 3, "ex07-headline": 2}


@cache
def _surgical():
    return load("surgical").set_index("hospital")


@cache
def surgical_fit(method: str = "ML"):
    """The lesson's beta-binomial fit of the twelve hospitals."""
    s = _surgical()
    return fit_beta_binomial(s["deaths"], s["operations"], method=method)


def lip_expected(lip):
    """Expected cases: person-years times the overall rate (internal standardization)."""
    return lip["person_years"] * lip["cases"].sum() / lip["person_years"].sum()


@cache
def lip_fit(method: str = "ML"):
    """The lesson's gamma-Poisson fit of the 56 Scottish districts."""
    lip = load("lip_cancer").set_index("district")
    return fit_gamma_poisson(lip["cases"], lip_expected(lip), method=method)


def _posterior(fit, label):
    from scipy import stats  # on first use: importing it costs every kernel about 20 MB

    row = fit.estimates.loc[label]
    return stats.beta(row["posterior_a"], row["posterior_b"])


# --- exercises ----------------------------------------------------------------------------------

@exercise("07-outside", f"Hospitals outside the {FUNNEL_LEVEL:.0%} funnel limits",
          precision=Precision(decimals=0),
          hints=["count the points beyond either dashed line, above or below the funnel.",
                 "a hospital is outside when its death rate is above the upper or below the "
                 "lower 95% limit at its number of operations; compare r/n with "
                 "ht.funnel_limits(n, target, 0.95)."])
def _check_outside(answer):
    s = _surgical()
    raw = s["deaths"] / s["operations"]
    target = s["deaths"].sum() / s["operations"].sum()
    lower, upper = funnel_limits(s["operations"], target, FUNNEL_LEVEL)
    expected = int(((raw > upper) | (raw < lower)).sum())
    value = as_whole_number(answer)
    if value == expected:
        return "one of them below the funnel, the others above: far more than chance allows."
    lower_998, upper_998 = funnel_limits(s["operations"], target, 0.998)
    if value == int(((raw > upper_998) | (raw < lower_998)).sum()):
        raise Wrong("that is the count outside the 99.8% limits (dotted); the question asks "
                    "about the 95% limits (dashed).")
    # two hospitals sit within a few hundredths of a percentage point of the lower 95% line
    settle = ("Where a point seems to sit on a line, the figure cannot settle it: compare its "
              "rate with its limits, ht.funnel_limits(operations, pooled, 0.95).")
    if value == int((raw > upper).sum()):
        raise Wrong("you counted only the hospitals above the funnel; points below the lower "
                    f"limit are outside too. {settle}")
    # a unit at 0 events just left of where the lower limit starts looks as if it touched it
    edge = [label for label, rate, low in zip(s.index, raw, lower) if rate == 0 and low <= 0]
    if edge and value == expected + len(edge):
        n_edge = int(s.loc[edge[0], "operations"])
        p_zero = (1 - target) ** n_edge
        raise Wrong(f"if you counted hospital {edge[0]} (0 deaths in {n_edge}): it sits where "
                    f"the lower 95% limit begins, but it is inside. At {n_edge} operations even "
                    f"0 deaths is not unusually low: its probability at the pooled rate, "
                    f"{p_zero:.3f}, is above the 0.025 the lower limit cuts off, so the lower "
                    f"limit is still below 0 there (the line starts a few operations to the "
                    f"right). Count the points strictly beyond a line. {settle}")
    raise Wrong(f"that is not the number of points outside the 95% limits. {settle}")


@exercise("07-weight-a", f"Weight of hospital {HOSPITAL}'s own data",
          precision=Precision(decimals=2),
          hints=["in the beta-binomial model the prior counts like alpha + beta extra "
                 "operations; what share of the evidence are the hospital's own?",
                 "w = n / (alpha + beta + n) with n = 47 and alpha, beta from the ML fit."])
def _check_weight_a(answer):
    fit = surgical_fit("ML")
    n = float(_surgical().loc[HOSPITAL, "operations"])
    size = fit.alpha + fit.beta
    judge_number(as_number(answer), n / (size + n), Precision(decimals=2), mistakes=[
        (size / (size + n), "that is the weight of the prior (1 - w); the question asks for "
                            "the weight of the hospital's own 47 operations."),
        (n / (fit.beta + n), "you used beta alone; the prior's weight is alpha + beta "
                             "'operations', deaths and survivals together."),
        (n / (size + n) * 100, "give the weight as a share between 0 and 1, not a percentage."),
        (n / (surgical_fit("moments").alpha + surgical_fit("moments").beta + n),
         "that is the weight under the moments fit; use the ML fit."),
    ], otherwise="that is not the weight of the hospital's own data")
    return "its 47 operations count for less than a third: the rest comes from the other hospitals."


@exercise("07-a-below", f"P(hospital {HOSPITAL}'s true mortality < {THRESHOLD:.0%})",
          precision=Precision(decimals=2),
          hints=[f"after 0 deaths in 47 operations hospital {HOSPITAL}'s posterior is a Beta "
                 "distribution; which function of a distribution gives P(theta < c)?",
                 "posterior Beta(alpha + 0, beta + 47) from the ML fit; P(theta < 0.05) is its "
                 "CDF at 0.05: stats.beta.cdf(0.05, a, b)."])
def _check_a_below(answer):
    from scipy import stats

    fit = surgical_fit("ML")
    post = _posterior(fit, HOSPITAL)
    expected = float(post.cdf(THRESHOLD))
    value = as_number(answer)
    if not 0 <= value <= 1:
        raise Wrong("a probability lies between 0 and 1.")
    prior = stats.beta(fit.alpha, fit.beta)
    moments = surgical_fit("moments")
    judge_number(value, expected, Precision(decimals=2), mistakes=[
        (1 - expected, "that is P(theta > 5%): the question asks for the probability of a "
                       "rate below 5%."),
        (1.0, "0 deaths does not make a true rate of 0 certain: 47 operations leave room for "
              "a rate of a few percent. (If you took the CDF at 5, write 5% as 0.05: the rates "
              "are proportions.)"),
        (0.0, "a probability of about 0 would put A's rate almost surely above 5%. If you used "
              "Beta(alpha + 47, beta): the 47 operations without a death are survivals, and "
              "survivals are added to beta; deaths (here 0) are added to alpha."),
        (float(prior.cdf(THRESHOLD)), "that is the prior probability, before hospital A's own "
                                      "47 operations are counted."),
        (float(stats.beta(moments.alpha, moments.beta + 47).cdf(THRESHOLD)),
         "that uses the moments fit; use the ML fit."),
        (float(stats.beta(1, 48).cdf(THRESHOLD)), "that is a flat Beta(1, 1) prior (no "
                                                   "pooling): use the fitted prior."),
    ], otherwise=f"that is not the posterior probability that {HOSPITAL}'s rate is below 5%")
    return ("about even odds: after 0 deaths in 47 operations, A's true rate is about as likely "
            "to be above 5% as below it; 'the best in the country' is far from sure.")


def p_first_above_second(fit, first: str, second: str) -> float:
    """P(theta_first > theta_second) under independent posteriors, by numerical integration."""
    a, b = _posterior(fit, first), _posterior(fit, second)
    value, _ = integrate.quad(lambda t: a.pdf(t) * b.cdf(t), 0, 1, limit=200,
                              points=[0.05, 0.1, 0.15, 0.2])
    return float(value)


@exercise("07-h-above-b", f"P(hospital {PAIR[0]}'s true mortality > hospital {PAIR[1]}'s)",
          precision=Precision(decimals=2),
          hints=["simulate: draw each hospital's true rate many times from its posterior and "
                 "count how often one beats the other.",
                 f"draws = fit.sample(100_000, seed=...) (or rng.beta with each posterior's "
                 f"two parameters); answer = (draws['{PAIR[0]}'] > draws['{PAIR[1]}']).mean()."])
def _check_h_above_b(answer):
    """Judged against the exact probability, allowing the learner's Monte Carlo error.

    A right simulation with DRAWS_4 draws lies within 3 Monte Carlo standard errors
    (about 0.004) of the exact value; rounded to the 2 decimals asked for it can then be
    0.76 as well as 0.77.  So an answer is accepted within half a unit of the second
    decimal *plus* 3 standard errors of a DRAWS_4-draw estimate.
    """
    fit = surgical_fit("ML")
    expected = p_first_above_second(fit, *PAIR)
    value = as_number(answer)
    if not 0 <= value <= 1:
        raise Wrong("a probability lies between 0 and 1.")
    praise = (f"{PAIR[0]} is probably worse than {PAIR[1]}, but far from certainly: the funnel "
              "flagged both, and the data cannot say which is worse with confidence.")
    mc_se = float(np.sqrt(expected * (1 - expected) / DRAWS_4))
    if abs(value - expected) <= Precision(decimals=2).tolerance(expected) + 3 * mc_se:
        return praise
    # P(second > first) from a small simulation lands a few Monte Carlo errors from 1 - expected
    if abs(value - (1 - expected)) <= 0.03:
        raise Wrong(f"that looks like P({PAIR[1]} > {PAIR[0]}); swap the comparison (with "
                    f"{DRAWS_4:,} draws the share is then good to 2 decimals).")
    judge_number(value, expected, Precision(decimals=2), mistakes=[
        (1.0, "comparing raw rates (or posterior means) gives a yes/no answer; the question "
              "asks how sure we can be, so compare draws."),
        (0.5, "overlapping intervals do not make it a coin toss; count the draws."),
    ], otherwise=f"that is not the probability; did you use enough draws ({DRAWS_4:,})?")
    return praise


@exercise("07-zero-cases", f"Shrunk SMR of {DISTRICT}, a district with 0 cases",
          precision=Precision(decimals=2),
          hints=["the posterior mean of a gamma-Poisson model is a weighted average of the "
                 "district's SMR (here 0) and the prior mean; how much does an expected count "
                 "of about 1.4 weigh against the prior?",
                 "(alpha + observed) / (beta + expected) with alpha, beta from the ML "
                 "gamma-Poisson fit lip_ml and the district's row of lip (cases, expected)."])
def _check_zero_cases(answer):
    fit = lip_fit("ML")
    row = fit.estimates.loc[DISTRICT]
    moments = lip_fit("moments").estimates.loc[DISTRICT]
    judge_number(as_number(answer), row["shrunk"], Precision(decimals=2), mistakes=[
        (row["raw"], "that is the raw SMR (observed / expected): 0 cases in six years do not "
                     "make a true risk of 0; shrink it toward the prior mean."),
        (moments["shrunk"], "that is the moments fit; use the ML fit lip_ml."),
        ((fit.alpha + row["observed"]) / (fit.alpha + row["expected"]),
         "the prior adds beta (not alpha) to the expected count."),
        (fit.prior_mean, "that is the prior mean itself (complete pooling)."),
        ((fit.beta + row["observed"]) / (fit.alpha + row["expected"]),
         "you swapped alpha and beta: the shape alpha is added to the observed count, the rate "
         "beta to the expected count (the prior mean is alpha / beta)."),
        (row["weight"], "that is the weight w of the district's own data; the shrunk SMR is "
                        "w * SMR + (1 - w) * prior mean."),
    ], otherwise="that is not the district's shrunk SMR")
    return (f"like hospital A: 0 cases where about {row['expected']:.1f} were expected do not "
            f"mean zero risk; with so little expected, the estimate moves about "
            f"{round(10 * (1 - row['weight'])) * 10:.0f}% of the way from 0 to the prior mean.")
