"""Fully Bayesian inference for the normal hierarchical model with known standard errors.

The model and its notation (code name → symbol)::

    y      y_j     estimate of group j, j = 1..J    y_j | θ_j ~ N(θ_j, σ_j²)
    se     σ_j     its known standard error
    theta  θ_j     the group's true value           θ_j | μ, τ ~ N(μ, τ²)
    mu     μ       the population mean              p(μ) ∝ 1 (flat)
    tau    τ       the population SD, τ ≥ 0         p(τ): the ``prior`` argument

Two ways to the posterior, which the tests hold against each other:

*Exact, on a grid* (:func:`tau_posterior`; BDA3 §5.4).  With μ integrated out,

.. math:: p(\\tau \\mid y) \\propto p(\\tau)\\, V_\\mu^{1/2} \\prod_j (\\sigma_j^2+\\tau^2)^{-1/2}
          \\exp\\Big(-\\frac{(y_j-\\hat\\mu)^2}{2(\\sigma_j^2+\\tau^2)}\\Big)
          \\qquad (5.21)

with :math:`\\hat\\mu = \\sum_j y_j/(\\sigma_j^2+\\tau^2) \\,/\\, \\sum_j 1/(\\sigma_j^2+\\tau^2)`
and :math:`V_\\mu^{-1} = \\sum_j 1/(\\sigma_j^2+\\tau^2)`; then
:math:`\\mu \\mid \\tau, y \\sim N(\\hat\\mu, V_\\mu)` (5.20) and, writing
:math:`B_j = \\sigma_j^2/(\\sigma_j^2+\\tau^2)`,
:math:`\\theta_j \\mid \\mu, \\tau, y \\sim N((1-B_j)y_j + B_j\\mu,\\,(1-B_j)\\sigma_j^2)` (5.17).
Hence :math:`E(\\theta_j\\mid\\tau,y) = (1-B_j)y_j + B_j\\hat\\mu` and
:math:`\\operatorname{var}(\\theta_j\\mid\\tau,y) = (1-B_j)\\sigma_j^2 + B_j^2 V_\\mu`, and the
laws of total expectation and variance over :math:`p(\\tau\\mid y)` give
:math:`E(\\theta_j\\mid y)` and :math:`\\operatorname{sd}(\\theta_j\\mid y)`.

Identities used.  The factor after :math:`p(\\tau)` in (5.21) is the *restricted*
likelihood of τ, so the REML estimate of :func:`~hiertools.estimate_tau` is the mode of
:math:`p(\\tau \\mid y)` under the uniform prior.  It tends to a positive constant as
τ → 0 and falls like :math:`\\tau^{1-J}` as τ → ∞.  So a uniform prior on τ gives a
proper posterior only for J ≥ 3 (and a finite posterior mean of τ only for J ≥ 4), and a
flat prior on log τ, :math:`p(\\tau) \\propto 1/\\tau`, never does: its integral diverges
at 0 whatever the data.

*By MCMC* (:func:`sample_posterior`): a Gibbs sampler, all chains advancing together as
numpy arrays, in the centred (θ) or non-centred (θ_j = μ + τ η_j) parametrization; with
the uniform prior every step is an exact conditional draw (BDA3 §11.6), with the other
priors τ takes a random-walk Metropolis step on log τ.  :func:`rhat`, :func:`ess` and
:func:`mcse` are the convergence diagnostics of Vehtari et al. (2021), written to agree
with ArviZ on the same arrays.
"""


from .diagnostics import ess, mcse, rhat
from .gibbs import sample_posterior
from .grid import TauPosterior, tau_posterior

__all__ = ["TauPosterior", "tau_posterior", "sample_posterior", "rhat", "ess", "mcse"]
