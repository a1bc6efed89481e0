"""Lesson 05 · Fully Bayesian: eight schools on a grid, priors on τ, Gibbs sampling, checks.

Everything the notebook and its checks must agree on is defined here once: the data, the
priors compared, the exercises' settings, and the exact answers, computed on the grid of
:func:`hiertools.tau_posterior` (never from a random sample, so they are the same in every
session).  Learners may answer from their own posterior draws; the precision each exercise
states is chosen so that the suggested number of draws passes with near certainty.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from scipy import special

from .._kernels import normal
from ..bayes import tau_posterior
from ..data import load
from ._core import NotAnswered, Precision, Unreadable, Wrong, as_number, exercise, judge_number

#: The data of the lesson, with the schools as index.
DATASET = "eight_schools"
#: The priors on tau the lesson compares: label -> (prior, scale) for ht.tau_posterior.
PRIORS = {
    "uniform": ("uniform", None),
    "half-Cauchy(25)": ("half-cauchy", 25.0),
    "half-normal(10)": ("half-normal", 10.0),
    "inverse-gamma(0.001, 0.001)": ("inverse-gamma", 0.001),
}
#: Exercise 1: P(tau < TAU_CUT | y).
TAU_CUT = 5.0
#: Exercise 2: P(theta_A > theta_C | y).
SCHOOL_1, SCHOOL_2 = "A", "C"
#: Exercise 3: P(school A is the best | y).
SCHOOL_BEST = "A"
#: Draws the lesson suggests for Monte-Carlo answers (post.sample is exact and fast).
SUGGESTED_DRAWS = 200_000
#: Exercise 4: the prior predictive check (prior on tau, spread of the effects in points).
SPREAD_PRIOR = ("half-cauchy", 25.0)
SPREAD_LIMIT = 100.0


@cache
def schools():
    return load(DATASET).set_index("school")


@cache
def posterior(label: str = "uniform"):
    """The exact posterior of the lesson's data under one of PRIORS."""
    prior, scale = PRIORS[label]
    data = schools()
    return tau_posterior(data["y"], data["se"], prior, scale=scale)


def _grid_weights(post):
    """Trapezoid weights of p(tau | y) on the grid (they sum to 1)."""
    w = post.density * normal.trapezoid_weights(post.tau)
    return w / w.sum()


def _moments(post):
    """E(theta | tau, y), var(theta_j | tau, y), B_j(tau) and V_mu(tau) on the grid."""
    se2 = post.se**2
    mu_hat, v_mu, _ = normal.conditionals(post.y, se2, post.tau)
    mean, var = normal.theta_given_tau(post.y, se2, post.tau, mu_hat, v_mu)
    return mean, var, se2 / (se2 + post.tau[:, None] ** 2), v_mu


def prob_tau_below(cut: float = TAU_CUT, label: str = "uniform") -> float:
    """P(tau < cut | y), exact on the grid (the density is linear between grid points)."""
    post = posterior(label)
    i = int(np.searchsorted(post.tau, cut, side="right") - 1)
    s = cut - post.tau[i]
    slope = (post.density[i + 1] - post.density[i]) / (post.tau[i + 1] - post.tau[i])
    return float(post._cdf[i] + post.density[i] * s + slope * s**2 / 2)


def _index(label):
    return list(schools().index).index(label)


def prob_greater(first: str = SCHOOL_1, second: str = SCHOOL_2, label: str = "uniform",
                 tau_fixed: float | None = None) -> float:
    """P(theta_first > theta_second | y), integrated over tau (or at a fixed tau).

    Given tau, theta_a - theta_b is normal: mean E_a - E_b, variance
    var_a + var_b - 2 B_a B_b V_mu (the two share mu).
    """
    a, b = _index(first), _index(second)
    if tau_fixed is not None:

        post = posterior(label)
        se2 = post.se**2
        tau = np.array([float(tau_fixed)])
        mu_hat, v_mu, _ = normal.conditionals(post.y, se2, tau)
        mean, var = normal.theta_given_tau(post.y, se2, tau, mu_hat, v_mu)
        shrink, weights = se2 / (se2 + tau[:, None] ** 2), np.ones(1)
    else:
        post = posterior(label)
        mean, var, shrink, v_mu = _moments(post)
        weights = _grid_weights(post)
    diff = mean[:, a] - mean[:, b]
    sd = np.sqrt(np.maximum(var[:, a] + var[:, b] - 2 * shrink[:, a] * shrink[:, b] * v_mu, 0))
    # at tau = 0 the two effects coincide (sd = 0); the limit tau -> 0 of the probability is 1/2
    z = np.divide(diff, sd, out=np.zeros_like(diff), where=sd > 0)
    return float(weights @ special.ndtr(z))


@cache
def prob_best(school: str = SCHOOL_BEST, label: str = "uniform") -> float:
    """P(theta_school is the largest | y), by quadrature.

    Given tau and mu the theta_j are independent normals, so
    P(best | mu, tau) = ∫ φ_a(t) ∏_{j≠a} Φ((t − m_j)/s_j) dt (Gauss–Hermite in t); then
    Gauss–Hermite over mu | tau, y, and over tau the midpoint rule in u = tau/(tau + c),
    which covers [0, inf) with 400 points.
    """
    post = posterior(label)
    prior, scale = PRIORS[label]
    c = 10.0
    u = (np.arange(400) + 0.5) / 400
    tau = c * u / (1 - u)
    se2, y, a = post.se**2, post.y, _index(school)
    mu_hat, v_mu, loglik = normal.conditionals(y, se2, tau)
    logw = loglik + normal.log_prior(tau, prior, scale) + np.log(c / (1 - u) ** 2)
    weights = np.exp(logw - logw.max())
    weights /= weights.sum()
    x_mu, w_mu = np.polynomial.hermite_e.hermegauss(30)
    x_t, w_t = np.polynomial.hermite_e.hermegauss(40)
    w_mu, w_t = w_mu / w_mu.sum(), w_t / w_t.sum()
    shrink = se2 / (se2 + tau[:, None] ** 2)                                 # (G, J)
    sd = np.sqrt((1 - shrink) * se2)                                        # (G, J)
    total = np.zeros(tau.size)
    for xm, wm in zip(x_mu, w_mu):
        mu = mu_hat + np.sqrt(v_mu) * xm                                    # (G,)
        mean = (1 - shrink) * y + shrink * mu[:, None]                      # (G, J)
        t = mean[:, a, None] + sd[:, a, None] * x_t                         # (G, T)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (t[:, :, None] - mean[:, None, :]) / sd[:, None, :]        # (G, T, J)
        z = np.where(sd[:, None, :] > 0, z, np.where(t[:, :, None] >= mean[:, None, :],
                                                     np.inf, -np.inf))
        cdf = special.ndtr(z)
        cdf[:, :, a] = 1.0
        total += wm * (cdf.prod(axis=2) @ w_t)
    return float(weights @ total)


def prob_spread_above(limit: float = SPREAD_LIMIT, prior=SPREAD_PRIOR, n_groups: int = 8):
    """Prior predictive P(max_j theta_j − min_j theta_j > limit) for theta_j = mu + tau z_j.

    The range R of J standard normals has P(R <= r) = J ∫ φ(x) (Φ(x + r) − Φ(x))^(J−1) dx;
    then average P(R > limit / tau) over the prior of tau (half-Cauchy or half-normal).
    """
    name, scale = prior
    # tau = scale * tan(pi/2 * q) (half-Cauchy) or scale * Φ^-1((1 + q)/2) (half-normal):
    # midpoints in q average over the prior exactly as it is
    q = (np.arange(4000) + 0.5) / 4000
    tau = scale * (np.tan(np.pi / 2 * q) if name == "half-cauchy"
                   else special.ndtri((1 + q) / 2))
    x, wx = np.polynomial.legendre.leggauss(200)
    x, wx = 8 * x, 8 * wx                                                    # x in [-8, 8]
    r = limit / tau
    # the integrand on the (tau, x) grid, 4000 x 200, in one array computed in place (a
    # check must not raise a learner's peak memory by several such arrays)
    inside = x[None, :] + r[:, None]
    special.ndtr(inside, out=inside)
    inside -= special.ndtr(x)[None, :]
    np.power(inside, n_groups - 1, out=inside)
    inside *= np.exp(-x**2 / 2)
    inside /= np.sqrt(2 * np.pi)
    inside *= n_groups
    below = inside @ wx
    return float(np.mean(1 - np.clip(below, 0, 1)))


# --- exercises ----------------------------------------------------------------------------------

def _probability(answer) -> float:
    value = as_number(answer)
    if not 0 <= value <= 1:
        if 1 < value <= 100:
            raise Wrong("a probability lies between 0 and 1; that looks like a percentage.")
        raise Wrong("a probability lies between 0 and 1.")
    return value


@exercise("05-p-tau-below-5", f"P(tau < {TAU_CUT:g} | y) for eight schools, uniform prior on tau",
          precision=Precision(decimals=2),
          hints=["a probability about tau is an area under p(tau | y): which part of the grid "
                 "lies below 5?",
                 "keep the grid points with post.tau <= 5 and integrate the density over them: "
                 "np.trapezoid(post.density[below], post.tau[below]). (Or: the share of "
                 f"{SUGGESTED_DRAWS:,} draws of post.sample with tau < 5.)"])
def _check_p_tau_below(answer):
    post = posterior()
    below = post.tau <= TAU_CUT
    if np.isclose(as_number(answer), np.sum(post.density[below]), rtol=0.01):
        raise Wrong("you added up density values; multiply each by the grid spacing "
                    "(integrate), e.g. with np.trapezoid.")
    value = _probability(answer)
    expected = prob_tau_below()
    judge_number(value, expected, Precision(decimals=2), mistakes=[
        (1 - expected, "that is P(tau > 5 | y), the other side of 5."),
        (prob_tau_below(label="half-Cauchy(25)"),
         "that is the answer under the half-Cauchy(25) prior; the exercise uses the uniform "
         "prior (post from section 2)."),
        (float(np.mean(post.tau <= TAU_CUT)),
         "that is the share of grid points below 5; the grid is not a sample: weight each "
         "point by its density."),
    ], otherwise="that is not the posterior probability that tau is below 5")
    return ("about an even chance: tau = 0 is the single most likely value, yet values above 5 "
            "carry about as much probability as all those below. REML's tau-hat = 0 hides that.")


def _prediction_and_value(answer):
    if not isinstance(answer, dict) or not {"predicted", "computed"} <= set(answer):
        raise Unreadable("give a dict with two entries: {'predicted': your guess made before "
                         "computing, 'computed': the posterior probability}.")
    if answer["computed"] is None:
        raise NotAnswered("no answer yet: write down your prediction, then compute the "
                         "probability and assign it.")
    if answer["predicted"] is None:
        raise NotAnswered("commit to a prediction first (a number between 0 and 1), before "
                         "you compute; then the check tells you how it compares.")
    predicted = as_number(answer["predicted"], "your prediction")
    computed = as_number(answer["computed"], "your computed probability")
    return predicted, computed


@exercise("05-a-beats-c", f"Predict, then compute P(theta_{SCHOOL_1} > theta_{SCHOOL_2} | y)",
          precision=Precision(decimals=2),
          hints=["the two schools share mu and tau; pooling pulls both toward the same mean, so "
                 "their difference shrinks too.",
                 f"draw {SUGGESTED_DRAWS:,} samples with post.sample(..., seed=...), then take "
                 "the share of draws in which the theta[0] column (school A) exceeds the "
                 "theta[2] column (school C)."])
def _check_a_beats_c(answer):
    predicted, computed = _prediction_and_value(answer)
    if not 0 <= predicted <= 1:
        raise Unreadable("your prediction should be a probability, between 0 and 1.")
    value = _probability(computed)
    expected = prob_greater()
    no_pooling = float(special.ndtr((28 - (-3)) / np.hypot(15, 16)))
    judge_number(value, expected, Precision(decimals=2), mistakes=[
        (1 - expected, f"that is P(theta_{SCHOOL_2} > theta_{SCHOOL_1} | y): the comparison "
                       "is the other way round."),
        (no_pooling, "that is the no-pooling answer, from y and se alone; the hierarchical "
                     "posterior pulls both schools toward the common mean."),
        (0.5, "at tau = 0 (the empirical-Bayes fit) every school has the same effect, so 0.5; "
              "the fully Bayesian answer averages over all plausible tau."),
        (prob_greater(tau_fixed=float(posterior().tau_mean)),
         "that fixes tau at its posterior mean; average over the posterior of tau instead "
         "(draws of tau, mu and theta together)."),
    ], otherwise="that is not the posterior probability that school A's effect exceeds school C's")
    gap = predicted - value
    if abs(gap) <= 0.05:
        verdict = "your prediction was close"
    elif gap > 0:
        verdict = (f"your prediction was {gap:.2f} too high — the usual surprise: with raw "
                   "estimates 28 and −3 it feels certain, but pooling shrinks both toward the "
                   "mean")
    else:
        verdict = f"your prediction was {-gap:.2f} too low: the data still favour school A"
    return (f"{verdict}. No pooling would say {no_pooling:.2f}; complete pooling (tau = 0) "
            "says 0.50; the posterior lies between.")


@exercise("05-a-best", f"P(school {SCHOOL_BEST} has the largest effect | y) (simulate)",
          precision=Precision(decimals=2),
          hints=["for each posterior draw of the eight thetas, ask which school is on top; "
                 "the probability is the share of draws in which it is school A.",
                 f"draws = post.sample({SUGGESTED_DRAWS:_}, seed=...); theta = "
                 "draws.filter(like='theta').to_numpy(); the share of rows where "
                 "theta.argmax(axis=1) == 0."])
def _check_a_best(answer):
    value = _probability(answer)
    expected = prob_best()
    raw_best = 1.0  # school A has the largest raw estimate
    judge_number(value, expected, Precision(decimals=2), mistakes=[
        (raw_best, "school A has the largest raw estimate, but the question is about the "
                   "posterior: in how many draws is its theta the largest?"),
        (1 / 8, "1/8 would mean all schools are equally likely to be best; count the draws in "
                "which school A's theta is the largest."),
        (1 - expected, "that is the probability that school A is *not* the best."),
    ], otherwise="that is not the posterior probability that school A is the best")
    return ("school A is the single most likely 'best' school, yet it is the best in only about "
            "a quarter of the draws: ranking schools by their raw estimates overstates what the "
            "data say.")


@exercise("05-prior-spread", "Read the figure: prior probability that the eight effects spread "
                             f"over more than {SPREAD_LIMIT:g} points (half-Cauchy(25))",
          precision=Precision(decimals=1),
          hints=["the curve gives, for each spread, the share of prior draws at or below it; "
                 "you want the share above 100.",
                 "find 100 on the x axis, read the half-Cauchy(25) curve's height there, and "
                 "subtract it from 1."])
def _check_prior_spread(answer):
    value = _probability(answer)
    expected = prob_spread_above()
    judge_number(value, expected, Precision(decimals=1), mistakes=[
        (1 - expected, "that is the share of prior draws *below* 100 points (the curve's "
                       "height); the question asks for the share above."),
        (prob_spread_above(prior=("half-normal", 10.0)),
         "that is the half-normal(10) curve; read the half-Cauchy(25) one."),
    ], otherwise="read the half-Cauchy(25) curve at 100 points again")
    return ("a prior under which more than a third of 'sets of eight schools' differ by over "
            "100 SAT points is generous for coaching effects — nearly harmless here, because the "
            "data make such spreads very unlikely, but worth knowing before you call a prior "
            "'weak'.")
