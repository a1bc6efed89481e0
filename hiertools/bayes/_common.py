"""What the grid posterior and the sampler share: the names of the priors on τ and their
validation, the check of (y, se), and the array their draws are written into.

The priors' log densities are kernels (:mod:`hiertools._kernels.normal`); a seed becomes a
random generator in :func:`hiertools._validation.check_seed`."""

from __future__ import annotations

import numpy as np

from .._validation import (
    check_array,
    check_consistent_length,
    check_option,
    check_scalar,
    common_index,
)

#: Priors on τ by name.  "inverse-gamma" is IG(ε, ε) on τ², kept to show Gelman's (2006) trap.
PRIORS = ("uniform", "half-cauchy", "half-normal", "inverse-gamma")
#: Names of improper priors, refused with the reason.
IMPROPER = ("log-uniform", "jeffreys")
PARAMETRIZATIONS = ("centered", "noncentered")


def _check_data(y, se):
    """y, se as float arrays (se > 0, same length, at least 2 groups) and the input's index."""
    index = common_index(y=y, se=se)
    y = check_array(y, "y")
    se = check_array(se, "se", positive=True, allow_scalar=True)
    if se.ndim == 0:  # one standard error for every group
        se = np.full(y.shape, float(se))
    check_consistent_length(y=y, se=se)
    if y.size < 2:
        raise ValueError(f"y has {y.size} group; the hierarchical model needs at least 2 groups "
                         "to say anything about tau.")
    if index is not None and len(index) != y.size:
        index = None
    return y, se, index


def _check_prior(prior, scale, n_groups):
    """The canonical prior name and its scale, or a clear error (improper priors explained)."""
    if isinstance(prior, str) and prior.lower().replace("_", "-") in IMPROPER + ("flat-log",):
        raise ValueError(
            f"prior={prior!r} (flat on log tau, p(tau) ∝ 1/tau) gives an improper posterior: "
            "the likelihood of tau tends to a positive constant as tau -> 0, so the integral "
            "of likelihood/tau diverges at 0 whatever the data. Use a proper prior instead, "
            "e.g. prior='half-cauchy', scale=25 (Gelman 2006) or prior='half-normal', or "
            "prior='uniform' (proper here with 3 or more groups).")
    prior = check_option(prior, "prior", PRIORS)
    if prior == "uniform":
        if scale is not None:
            raise ValueError("prior='uniform' is flat on [0, inf) and takes no scale; pass "
                             "scale=None (or choose prior='half-normal' or 'half-cauchy').")
        if n_groups < 3:
            raise ValueError(f"prior='uniform' gives an improper posterior with {n_groups} "
                             "groups (the likelihood of tau falls only like tau^(1-J)); it "
                             "needs 3 or more. Use prior='half-cauchy' with a scale instead.")
        return prior, None
    if scale is None:
        what = ("epsilon, the shape and rate of IG(epsilon, epsilon) on tau², e.g. scale=1"
                if prior == "inverse-gamma" else
                "the prior's scale in the units of y, e.g. scale=25 as in Gelman (2006)")
        raise ValueError(f"prior={prior!r} needs scale=: {what}.")
    return prior, check_scalar(scale, "scale", minimum=0, strict_min=True)


def _empty_draws(draws: int, groups: int, *leading: str):
    """(values, names): an unfilled column-major array of shape (draws, leading + groups) and
    its column names, the `leading` ones then theta[0], theta[1], ...

    The samplers write their draws straight into it (each column is contiguous) and make the
    frame of draws from it without a copy, so that a large sample costs its own size once at
    its peak, not two or three times.
    """
    names = [*leading, *(f"theta[{j}]" for j in range(groups))]
    return np.empty((draws, len(names)), order="F"), names
