"""Lesson 05's exercise checks, with the right answers recomputed independently here.

The checks compute their answers on hiertools' grid (lesson05.prob_*); the values here come from
adaptive quadrature (scipy.integrate.quad) of the likelihood with mu integrated numerically and
dense Gaussian moments of (theta, mu) given tau (tests/test_bayes.py), never from those functions.
"""

import ast

import numpy as np
import pytest
from scipy import integrate, special, stats

import hiertools as ht
from hiertools.exercises import lesson05
from tests.exercises.support import assert_feedback_never_reveals, assert_right_answers_pass
from tests.test_bayes import SE, Quadrature, Y

A, C = 0, 2  # schools A and C


def _dense(t):
    """Mean vector and covariance of theta | tau, y (mu integrated, flat prior), dense."""
    J = Y.size
    t = max(t, 1e-9)
    Q = np.zeros((J + 1, J + 1))
    Q[:J, :J] = np.diag(1 / SE**2 + 1 / t**2)
    Q[:J, J] = Q[J, :J] = -1 / t**2
    Q[J, J] = J / t**2
    cov = np.linalg.inv(Q)
    return (cov @ np.concatenate([Y / SE**2, [0.0]]))[:J], cov[:J, :J]


def _p_a_beats_c(quad):
    def f(t):
        mean, cov = _dense(t)
        sd = np.sqrt(cov[A, A] + cov[C, C] - 2 * cov[A, C])
        return special.ndtr((mean[A] - mean[C]) / sd) * quad.f(t)

    return quad.integrate(f) / quad.z


def _p_a_best(quad):
    """Given tau and mu the thetas are independent: P(A on top) by a fine trapezoid in t,
    Gauss-Legendre over mu | tau, y, adaptive quadrature over tau."""
    x, wx = np.polynomial.legendre.leggauss(32)

    def given_tau(t):
        t = max(t, 1e-9)
        v = SE**2 + t**2
        v_mu = 1 / np.sum(1 / v)
        mu_hat = v_mu * np.sum(Y / v)
        mus = mu_hat + 9 * np.sqrt(v_mu) * x
        w_mu = 9 * wx * stats.norm.pdf(9 * x)                        # (32,)
        prec = 1 / SE**2 + 1 / t**2
        sd = 1 / np.sqrt(prec)
        means = (Y / SE**2 + mus[:, None] / t**2) / prec            # (32, J)
        grid = means[:, A, None] + sd[A] * np.linspace(-10, 10, 1201)   # (32, T)
        dens = stats.norm.pdf(grid, means[:, A, None], sd[A])
        others = np.prod([special.ndtr((grid - means[:, j, None]) / sd[j])
                          for j in range(Y.size) if j != A], axis=0)
        return w_mu @ np.trapezoid(dens * others, grid, axis=1)

    return sum(integrate.quad(lambda t: given_tau(t) * quad.f(t), a, b, epsabs=0, epsrel=1e-8,
                              limit=200)[0] for a, b in [(0, 1), (1, np.inf)]) / quad.z


def _p_spread_above(limit=100.0, scale=25.0, J=8):
    """P(tau * range of 8 standard normals > limit), tau ~ half-Cauchy(scale): nested quad."""
    x = np.linspace(-9, 9, 3601)

    def range_cdf(r):  # P(range <= r), the trapezoid rule over x (smooth, fast-decaying)
        inside = stats.norm.cdf(x + r) - stats.norm.cdf(x)
        return J * np.trapezoid(stats.norm.pdf(x) * inside ** (J - 1), x)

    def g(t):
        return (1 - range_cdf(limit / t)) * stats.halfcauchy.pdf(t, scale=scale)

    return sum(integrate.quad(g, a, b, epsabs=1e-10, limit=200)[0]
               for a, b in [(0, 25), (25, 250), (250, np.inf)])


_QUAD = Quadrature()
RIGHT_ANSWERS = {
    "05-p-tau-below-5": _QUAD.cdf(lesson05.TAU_CUT),
    "05-a-beats-c": _p_a_beats_c(_QUAD),
    "05-a-best": _p_a_best(_QUAD),
    "05-prior-spread": _p_spread_above(),
}


@pytest.fixture(scope="module")
def right_answers():
    return RIGHT_ANSWERS


def test_exact_answers_of_the_checks_agree_with_independent_quadrature(right_answers):
    assert lesson05.prob_tau_below() == pytest.approx(right_answers["05-p-tau-below-5"], abs=1e-6)
    assert lesson05.prob_greater() == pytest.approx(right_answers["05-a-beats-c"], abs=1e-6)
    assert lesson05.prob_best() == pytest.approx(right_answers["05-a-best"], abs=1e-5)
    assert lesson05.prob_spread_above() == pytest.approx(right_answers["05-prior-spread"],
                                                         abs=1e-5)


def test_right_answers_pass_as_computed_and_rounded_as_stated(right_answers):
    single = {k: v for k, v in right_answers.items() if k != "05-a-beats-c"}
    assert_right_answers_pass(single)
    p = right_answers["05-a-beats-c"]
    for value in (p, round(p, 2)):
        assert ht.check("05-a-beats-c", {"predicted": 0.9, "computed": value})


def test_monte_carlo_answers_of_the_suggested_size_pass():
    """A learner's own seeded sample of 200,000 draws passes; the precision allows it."""
    post = lesson05.posterior()
    for seed in (0, 1, 2):
        draws = post.sample(lesson05.SUGGESTED_DRAWS, seed=100 + seed)
        theta = draws.filter(like="theta").to_numpy()
        assert ht.check("05-p-tau-below-5", (draws["tau"] < 5).mean())
        assert ht.check("05-a-beats-c", {"predicted": 0.5,
                                         "computed": (theta[:, A] > theta[:, C]).mean()})
        assert ht.check("05-a-best", (theta.argmax(axis=1) == A).mean())
    # and the notebook's figure, read to one decimal, passes
    assert ht.check("05-prior-spread", 0.4) and not ht.check("05-prior-spread", 0.3)


def test_prior_spread_accepts_every_honest_reading_of_the_figure(right_answers):
    """The figure has grid lines every 0.05: where the half-Cauchy curve crosses 100 points
    it reads as 0.60 to 0.65, so 1 - reading runs from 0.35 to 0.40; all of those pass, and
    a reading off by a whole grid step of 0.1 does not."""
    exact = right_answers["05-prior-spread"]
    assert 0.60 <= 1 - exact <= 0.65            # the curve's height at 100 points
    for reading in (0.60, 0.61, 0.62, 0.63, 0.64, 0.65):
        assert ht.check("05-prior-spread", 1 - reading), reading
    for reading in (0.5, 0.7):
        assert not ht.check("05-prior-spread", 1 - reading), reading
    # the figure is an ECDF of 20,000 prior draws: its height at 100 is within 0.01 of exact
    rng = np.random.default_rng(2024)
    z = rng.standard_normal((20_000, 8))
    spread = np.abs(25 * rng.standard_cauchy(20_000)) * np.ptp(z, axis=1)
    assert np.mean(spread > 100) == pytest.approx(exact, abs=0.01)


def test_typical_mistakes_are_named(right_answers):
    p_tau = right_answers["05-p-tau-below-5"]
    assert "other side" in ht.check("05-p-tau-below-5", 1 - p_tau).message
    post = lesson05.posterior()
    assert "grid spacing" in ht.check("05-p-tau-below-5",
                                      post.density[post.tau <= 5].sum()).message
    assert "percentage" in ht.check("05-p-tau-below-5", 48.0).message
    p = right_answers["05-a-beats-c"]
    no_pooling = stats.norm.cdf(31 / np.hypot(15, 16))
    assert "no-pooling" in ht.check("05-a-beats-c", {"predicted": 0.9,
                                                     "computed": no_pooling}).message
    assert "other way round" in ht.check("05-a-beats-c", {"predicted": 0.9,
                                                          "computed": 1 - p}).message
    assert "tau = 0" in ht.check("05-a-beats-c", {"predicted": 0.9, "computed": 0.5}).message
    assert "1/8" in ht.check("05-a-best", 0.125).message
    assert "*not*" in ht.check("05-a-best", 1 - right_answers["05-a-best"]).message
    assert "*below*" in ht.check("05-prior-spread", 0.6).message


def test_predict_then_check_reports_the_prediction(right_answers):
    p = right_answers["05-a-beats-c"]
    assert "too high" in ht.check("05-a-beats-c", {"predicted": 0.95, "computed": p}).message
    assert "too low" in ht.check("05-a-beats-c", {"predicted": 0.3, "computed": p}).message
    assert "close" in ht.check("05-a-beats-c", {"predicted": p + 0.02, "computed": p}).message
    missing = ht.check("05-a-beats-c", {"predicted": None, "computed": p})
    assert missing.status == "not answered" and "prediction first" in missing.message
    assert ht.check("05-a-beats-c", p).status == "invalid"
    empty = ht.check("05-a-beats-c", {"predicted": None, "computed": None})
    assert empty.status == "not answered" and "no answer yet" in empty.message


def test_feedback_never_reveals_the_expected_value(right_answers):
    assert_feedback_never_reveals(right_answers, {
        "05-p-tau-below-5": 0.9, "05-a-beats-c": {"predicted": 0.9, "computed": 0.1},
        "05-a-best": 0.9, "05-prior-spread": 0.9})


def test_notebook_uses_the_lessons_settings_and_states_precision():
    from tests.exercises.support import _notebook, assert_exercises_state_their_precision

    name = "05_fully_bayesian.ipynb"
    cell = next(c for c in _notebook(name).cells
                if c.cell_type == "code" and c.source.startswith("priors = {"))
    assignment = ast.parse(cell.source).body[0]
    assert ast.literal_eval(assignment.value) == lesson05.PRIORS
    text = "\n".join(c.source for c in _notebook(name).cells)
    assert f"post.sample({lesson05.SUGGESTED_DRAWS:_}" in text
    assert_exercises_state_their_precision(name)


def test_exercises_are_self_contained():
    """No cell needs a learner's answer to an earlier exercise (STYLE: exercises self-contained)."""
    from tests.exercises.support import assert_exercises_self_contained

    assert_exercises_self_contained("05_fully_bayesian.ipynb")
