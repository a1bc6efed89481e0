"""Gibbs sampling of the normal hierarchical model, all chains advancing together as numpy
arrays, centred or non-centred (BDA3 §11.6).  See :mod:`hiertools.bayes`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from .._kernels import normal
from .._validation import _short, check_option, check_scalar, check_seed
from ._common import PARAMETRIZATIONS, _check_data, _check_prior, _empty_draws

__all__ = ["sample_posterior"]

#: sample_posterior: with progress=None a bar appears when (warm-up + draws) times
#: max(1, chains·J/1000) reaches this (about a second or more on a laptop).
PROGRESS_WORK = 20_000
#: sample_posterior: iterations per block of random numbers (and per progress-bar update).
BLOCK = 250
#: Metropolis on log τ: acceptance rate aimed at while adapting the step during warm-up.
TARGET_ACCEPT = 0.44


def _want_progress(progress, iterations, chains, n_groups) -> bool:
    if progress is None:
        return iterations * max(1.0, chains * n_groups / 1000) >= PROGRESS_WORK
    if not isinstance(progress, bool | np.bool_):
        raise TypeError(f"progress must be True, False or None (automatic), got "
                        f"{_short(progress)}.")
    return bool(progress)


def sample_posterior(y, se, *, draws: int = 2000, chains: int = 4, seed=0,
                     prior: str = "uniform", scale=None, parametrization: str = "noncentered",
                     warmup: int = 1000, progress=None) -> pd.DataFrame:
    """Draw from the posterior of the normal hierarchical model by Gibbs sampling.

    All chains advance together as numpy arrays.  One sweep updates, in order, the
    group effects, μ and τ from their conditional distributions:

    * ``"centered"`` — θ_j | μ, τ, y ~ N((1−B_j)y_j + B_jμ, (1−B_j)σ_j²);
      μ | θ, τ ~ N(mean(θ), τ²/J); and, with the uniform prior,
      τ² | θ, μ ~ Σ(θ_j−μ)² / χ²_{J−1} (BDA3 §11.6).  Near τ = 0 the θ_j are held
      close to μ and μ close to their mean, so the chain sticks.
    * ``"noncentered"`` — θ_j = μ + τη_j with η_j ~ N(0, 1) a priori;
      η_j | μ, τ, y ~ N(τ(y_j−μ)/(σ_j²+τ²), σ_j²/(σ_j²+τ²)); μ | η, τ, y is normal
      (a weighted mean of y_j − τη_j); and, with the uniform prior, τ | η, μ, y is a
      regression slope: normal with precision Σ η_j²/σ_j², truncated to τ ≥ 0.

    With the half-Cauchy, half-normal or inverse-gamma prior, τ instead takes a
    random-walk Metropolis step on log τ, its step size tuned during warm-up to accept
    about 44% of proposals.

    Parameters
    ----------
    y, se : array_like
        Group estimates and their known standard errors (> 0).
    draws : int
        Draws kept per chain, after `warmup` draws that are discarded.
    chains : int
        Independent chains, started from dispersed points.
    seed : int or numpy.random.Generator
    prior, scale
        As in :func:`tau_posterior`.
    parametrization : {"noncentered", "centered"}
    warmup : int
        Iterations discarded at the start of every chain (default 1000).
    progress : bool or None
        Show a ``tqdm`` progress bar (a widget in Jupyter).  None: only on long runs,
        when (warmup + draws) × max(1, chains·J/1000) ≥ 20,000.

    Returns
    -------
    pandas.DataFrame
        Columns ``chain``, ``draw``, ``mu``, ``tau``, ``theta[0]``, ...; chains × draws
        rows, chain by chain.

    See Also
    --------
    tau_posterior, rhat, ess

    References
    ----------
    Gelman, A. et al. (2013). *Bayesian Data Analysis*, 3rd ed., §11.6.
    Betancourt, M. & Girolami, M. (2015). Hamiltonian Monte Carlo for hierarchical
    models. In *Current Trends in Bayesian Methodology with Applications*, 79-101.

    Examples
    --------
    >>> import hiertools as ht
    >>> schools = ht.load("eight_schools")
    >>> draws = ht.sample_posterior(schools["y"], schools["se"], draws=500, seed=1)
    >>> draws.shape
    (2000, 12)
    >>> list(draws.columns[:5])
    ['chain', 'draw', 'mu', 'tau', 'theta[0]']
    """
    y, se, _ = _check_data(y, se)
    prior, scale = _check_prior(prior, scale, y.size)
    parametrization = check_option(parametrization, "parametrization", PARAMETRIZATIONS)
    draws = check_scalar(draws, "draws", integer=True, minimum=1)
    chains = check_scalar(chains, "chains", integer=True, minimum=1)
    warmup = check_scalar(warmup, "warmup", integer=True, minimum=0)
    total = warmup + draws
    show = _want_progress(progress, total, chains, y.size)
    rng = check_seed(seed)

    J, se2 = y.size, se**2
    spread = float(np.sqrt(np.var(y) + se2.mean()))
    # dispersed starting points: mu around the data, tau over two orders of magnitude
    mu = y.mean() + spread * rng.standard_normal(chains)
    tau = spread * np.exp(rng.uniform(np.log(0.05), np.log(2.0), size=chains))
    # Starting group effects were drawn here; every sweep draws them first from (mu, tau), so
    # they were never used.  The draw stays so that a seed gives the same chains as before.
    rng.standard_normal((chains, J))

    # The draws are kept straight in the frame's own column-major array (row = chain * draws +
    # draw), through views shaped (chains, draws) and (chains, draws, J): a sample costs its
    # own size once, not twice (kept arrays, then a frame filled from them).
    values, names = _empty_draws(chains * draws, J, "mu", "tau")
    keep_mu = values[:, 0].reshape(chains, draws)
    keep_tau = values[:, 1].reshape(chains, draws)
    keep_theta = values[:, 2:].T.reshape(J, chains, draws).transpose(1, 2, 0)
    centered = parametrization == "centered"
    step = _centered_step if centered else _noncentered_step
    model = _Model(y, se2, 1.0 / se2, prior, scale, warmup, np.zeros(chains))

    bar = None
    if show:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, desc=f"sampling ({chains} chains)", unit="it")
    try:
        for start in range(0, total, BLOCK):
            n = min(BLOCK, total - start)
            z_groups = rng.standard_normal((n, chains, J))
            z_mu = rng.standard_normal((n, chains))
            z_tau = rng.standard_normal((n, chains))
            u_tau = rng.uniform(size=(n, chains))
            chi2 = rng.chisquare(J - 1, size=(n, chains)) if centered else z_tau
            for k in range(n):
                t = start + k
                theta, mu, tau = step(model, mu, tau, t, z_groups[k], z_mu[k], z_tau[k],
                                      u_tau[k], chi2[k])
                if t >= warmup:
                    keep_mu[:, t - warmup] = mu
                    keep_tau[:, t - warmup] = tau
                    keep_theta[:, t - warmup] = theta
            if bar is not None:
                bar.update(n)
    finally:
        if bar is not None:
            bar.close()
    frame = pd.DataFrame(values, columns=names, copy=False)
    frame.insert(0, "draw", np.tile(np.arange(draws), chains))
    frame.insert(0, "chain", np.repeat(np.arange(chains), draws))
    return frame


@dataclass(frozen=True)
class _Model:
    """What every sweep of the sampler reads: the data, the prior on tau, and the
    Metropolis step size (log of the proposal SD on log tau, one per chain, adapted in
    place during warm-up)."""

    y: np.ndarray
    se2: np.ndarray
    prec: np.ndarray
    prior: str
    scale: float | None
    warmup: int
    log_step: np.ndarray


def _centered_step(m: _Model, mu, tau, t, z_theta, z_mu, z_tau, u_tau, chi2):
    """One sweep on (θ, μ, τ): θ | μ, τ, y; μ | θ, τ; τ | θ, μ (BDA3 §11.6)."""
    shrink = m.se2 / (m.se2 + tau[:, None] ** 2)
    theta = (1 - shrink) * m.y + shrink * mu[:, None] + np.sqrt((1 - shrink) * m.se2) * z_theta
    mu = theta.mean(axis=1) + tau / np.sqrt(m.y.size) * z_mu
    ss = ((theta - mu[:, None]) ** 2).sum(axis=1)
    if m.prior == "uniform":
        tau = np.sqrt(ss / chi2)
    else:
        tau = _metropolis(m, tau, _centered_loglik, (ss, m.y.size), z_tau, u_tau, t)
    return theta, mu, tau


def _centered_loglik(tau, ss, n_groups):
    """log p(θ | μ, τ) as a function of τ: the θ_j are N(μ, τ²)."""
    return -n_groups * np.log(tau) - ss / (2 * tau**2)


def _noncentered_step(m: _Model, mu, tau, t, z_eta, z_mu, z_tau, u_tau, _chi2):
    """One sweep on (η, μ, τ) with θ = μ + τη: η | μ, τ, y; μ | η, τ, y; τ | η, μ, y."""
    t2 = tau[:, None] ** 2
    resid = m.y - mu[:, None]
    eta = tau[:, None] * resid / (m.se2 + t2) + np.sqrt(m.se2 / (m.se2 + t2)) * z_eta
    mu = ((m.y - tau[:, None] * eta) @ m.prec) / m.prec.sum() + z_mu / np.sqrt(m.prec.sum())
    resid = m.y - mu[:, None]
    if m.prior == "uniform":
        info = (eta**2) @ m.prec                      # precision of the slope
        mean = (eta * resid) @ m.prec / info
        sd = 1 / np.sqrt(info)
        # normal(mean, sd) truncated to tau >= 0, by inverse CDF from the top
        tau = mean - sd * special.ndtri(u_tau * special.ndtr(mean / sd))
        # if ndtr(mean/sd) underflows (mean < -37 sd) the truncated normal sits within
        # sd²/|mean| of 0: take 0 rather than inf
        tau = np.clip(np.nan_to_num(tau, nan=0.0, posinf=0.0), 0.0, None)
    else:
        tau = _metropolis(m, tau, _noncentered_loglik, (eta, resid, m.prec), z_tau, u_tau, t)
    return mu[:, None] + tau[:, None] * eta, mu, tau


def _noncentered_loglik(tau, eta, resid, prec):
    """log p(y | η, μ, τ) as a function of τ: y_j ~ N(μ + τη_j, σ_j²)."""
    return -0.5 * (((resid - tau[:, None] * eta) ** 2) @ prec)


def _log_target(m: _Model, tau, loglik, args):
    """Log density of log τ given the rest: prior, likelihood and the Jacobian τ."""
    with np.errstate(divide="ignore"):
        return normal.log_prior(tau, m.prior, m.scale) + loglik(tau, *args) + np.log(tau)


def _metropolis(m: _Model, tau, loglik, args, z, u, t):
    """One random-walk Metropolis step on log τ for every chain (adapting during warm-up)."""
    proposal = tau * np.exp(np.exp(m.log_step) * z)
    accept = np.log(u) < (_log_target(m, proposal, loglik, args)
                          - _log_target(m, tau, loglik, args))
    if t < m.warmup:  # Robbins-Monro: widen after acceptance, narrow after rejection
        m.log_step[:] += (accept - TARGET_ACCEPT) / np.sqrt(t + 1.0)
    return np.where(accept, proposal, tau)
