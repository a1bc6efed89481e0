"""Convergence diagnostics of MCMC draws: rank-normalized split-R̂, bulk and mean ESS, and
Monte-Carlo standard errors (Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021), written
to agree with ArviZ on the same arrays."""

from __future__ import annotations

import numpy as np
from scipy import special

from .._validation import check_chains, check_option, check_scalar

__all__ = ["rhat", "ess", "mcse"]


def _split(x):
    """Each chain cut in two halves (the middle draw dropped when the count is odd)."""
    half = x.shape[1] // 2
    return np.concatenate([x[:, :half], x[:, x.shape[1] - half:]], axis=0)


def _z_scale(x):
    """Rank-normalize: ranks over all draws (ties averaged) → normal scores (Blom, 3/8)."""
    from scipy.stats import rankdata

    ranks = rankdata(x, method="average").reshape(x.shape)
    return special.ndtri((ranks - 3 / 8) / (x.size + 1 / 4))


def _rhat_basic(x):
    n = x.shape[1]
    between = n * np.var(x.mean(axis=1), ddof=1)
    within = np.mean(np.var(x, axis=1, ddof=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(np.sqrt((between / within + n - 1) / n))


def _ess_basic(x):
    """ESS of a (chains, draws) array: Geyer's initial monotone sequence (Stan's estimator)."""
    m, n = x.shape
    if np.ptp(x) < np.finfo(float).resolution:
        return float(x.size)
    centred = x - x.mean(axis=1, keepdims=True)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    f = np.fft.rfft(centred, n=size, axis=1)
    acov = np.fft.irfft(f * np.conjugate(f), n=size, axis=1)[:, :n] / n
    mean_var = acov[:, 0].mean() * n / (n - 1)
    var_plus = mean_var * (n - 1) / n + (np.var(x.mean(axis=1), ddof=1) if m > 1 else 0.0)
    rho = 1 - (mean_var - acov.mean(axis=0)) / var_plus
    rho[0] = 1.0
    half = n // 2
    pairs = rho[0:2 * half:2] + rho[1:2 * half:2]          # P_k = rho_2k + rho_2k+1
    # pairs are summed while positive, up to k = n/2 - 2 (n even) or (n - 3)/2 (odd): Stan's
    # and ArviZ's bounds
    k_max = max((n - 3) // 2 if n % 2 else half - 2, 0)
    if pairs[0] <= 0 or k_max == 0:
        stop = 0
    else:
        bad = np.flatnonzero(pairs[1:k_max + 1] <= 0)
        stop = int(bad[0]) + 1 if bad.size else k_max
    even = rho[2 * stop]
    extra = even if (even > 0 or pairs[stop] >= 0) else 0.0
    monotone = np.minimum.accumulate(pairs[:stop]) if stop else np.zeros(0)
    tau_hat = -1.0 + 2.0 * monotone.sum() + extra
    tau_hat = max(tau_hat, 1 / np.log10(x.size))
    return float(x.size / tau_hat)


def rhat(x, column=None) -> float:
    """Rank-normalized split-R̂ of one parameter's draws.

    Parameters
    ----------
    x : array_like, shape (chains, draws), or pandas.DataFrame
        One row per chain (a 1-D array is one chain, split in two); or the DataFrame that
        :func:`sample_posterior` returns, with `column` naming the parameter.
    column : str, optional
        The parameter's column when `x` is a DataFrame of draws (``"tau"``, ``"theta[0]"``).

    Returns
    -------
    float
        The larger of the split-R̂ of the rank-normalized draws (bulk) and of the
        rank-normalized distances from the median (tails).  Values above 1.01 mean the
        chains have not mixed (Vehtari et al. 2021).

    Notes
    -----
    Each chain is cut in two halves; the draws are replaced by normal scores of their
    ranks, :math:`z = \\Phi^{-1}((r - 3/8)/(S + 1/4))`; with W the mean within-half
    variance and B/n the variance of the half means,
    :math:`\\hat R = \\sqrt{((n-1)/n\\,W + B/n)/W}`.  Agrees with ArviZ's
    ``az.rhat(x, method="rank")`` (which needs at least 2 chains).

    References
    ----------
    Vehtari, A., Gelman, A., Simpson, D., Carpenter, B. & Bürkner, P.-C. (2021).
    Rank-normalization, folding, and localization: an improved R̂ for assessing
    convergence of MCMC. *Bayesian Analysis* 16, 667-718.

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> x = np.random.default_rng(0).normal(size=(4, 1000))
    >>> bool(ht.rhat(x) < 1.01), bool(ht.rhat(x + np.arange(4)[:, None]) > 1.5)
    (True, True)
    >>> draws = ht.sample_posterior([28, 8, -3, 7], [15, 10, 16, 11], draws=500, seed=1)
    >>> bool(ht.rhat(draws, "tau") < 1.05)
    True
    """
    x = _split(check_chains(x, column=column))
    folded = np.abs(x - np.median(x))
    return max(_rhat_basic(_z_scale(x)), _rhat_basic(_z_scale(folded)))


def ess(x, column=None, method: str = "bulk") -> float:
    """Effective sample size of one parameter's draws.

    Parameters
    ----------
    x : array_like, shape (chains, draws), or pandas.DataFrame
        As in :func:`rhat`.
    column : str, optional
        The parameter's column when `x` is a DataFrame of draws.
    method : {"bulk", "mean"}
        ``"bulk"`` (default): of the rank-normalized split chains, for the centre of the
        distribution; ``"mean"``: of the draws themselves, for the Monte-Carlo error of the
        mean (:func:`mcse`).

    Returns
    -------
    float
        How many independent draws would give the same precision; can exceed the
        number of draws when successive draws are anticorrelated.

    Notes
    -----
    :math:`\\mathrm{ESS} = MN/\\hat\\tau` with :math:`\\hat\\tau = -1 + 2\\sum_k P_k`, the
    autocorrelations summed in pairs :math:`P_k = \\hat\\rho_{2k} + \\hat\\rho_{2k+1}` while
    positive and made monotone (Geyer's initial monotone sequence), each
    :math:`\\hat\\rho_t` computed across chains (Vehtari et al. 2021, eq. 10).  Agrees with
    ArviZ's ``az.ess(x, method="bulk")`` / ``method="mean"``.

    References
    ----------
    Vehtari et al. (2021), see :func:`rhat`.  Geyer, C. J. (1992). Practical Markov chain
    Monte Carlo. *Statistical Science* 7, 473-483.

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> x = np.random.default_rng(0).normal(size=(4, 1000))
    >>> 3000 < ht.ess(x) < 5000
    True
    """
    method = check_option(method, "method", ("bulk", "mean"))
    x = _split(check_chains(x, column=column))
    return _ess_basic(_z_scale(x) if method == "bulk" else x)


def mcse(x, column=None, prob=None) -> float:
    """Monte-Carlo standard error of the posterior mean (or of a quantile) from MCMC draws.

    Parameters
    ----------
    x : array_like, shape (chains, draws), or pandas.DataFrame
        As in :func:`rhat`.
    column : str, optional
        The parameter's column when `x` is a DataFrame of draws.
    prob : float, optional
        None for the mean: sd / sqrt(ESS of the mean).  A probability for the quantile at
        `prob`: half the width of the ±1 SD interval of the quantile, from the ESS of the
        indicator ``x <= quantile`` (Vehtari et al. 2021, §4.3; as ArviZ's
        ``az.mcse(x, method="quantile", prob=prob)``).

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np, hiertools as ht
    >>> x = np.random.default_rng(0).normal(size=(4, 2500))
    >>> round(ht.mcse(x), 3), round(ht.mcse(x, prob=0.5), 3)
    (0.01, 0.014)
    """
    x = check_chains(x, column=column)
    if prob is None:
        return float(np.std(x, ddof=1) / np.sqrt(ess(x, method="mean")))
    prob = check_scalar(prob, "prob", minimum=0, maximum=1, strict_min=True, strict_max=True)
    if np.ptp(x) < np.finfo(float).resolution:
        return 0.0
    from scipy.stats import beta

    indicator = (x <= np.quantile(x, prob)).astype(float)
    n_eff = _ess_basic(_split(indicator))
    ppf = beta.ppf([0.15865525393145707, 0.8413447460685429],
                   n_eff * prob + 1, n_eff * (1 - prob) + 1)
    ordered = np.sort(x.ravel())
    at = ppf * ordered.size - 1
    lower = ordered[int(np.floor(max(at[0], 0)))]
    upper = ordered[int(np.ceil(min(at[1], ordered.size - 1)))]
    return float((upper - lower) / 2)
