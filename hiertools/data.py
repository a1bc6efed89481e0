"""Datasets shipped with the course, and the source text's simulated districts.

Every dataset is a small CSV file inside the package, so the course works
offline.  A registry (``datasets/registry.json``) holds, per dataset, a
description, the meaning and units of each column, the source, the licence and
a SHA-256 checksum that :func:`load` verifies.  :func:`load` always returns a
fresh DataFrame: changing it never changes what the next call returns.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from io import BytesIO
from typing import NamedTuple

import numpy as np
import pandas as pd

from ._validation import check_bool, check_option, check_scalar

__all__ = ["load", "list_datasets", "dataset_info", "simulate_districts", "simulate_maps",
           "SimulatedMaps"]

_PACKAGE_DATA = resources.files("hiertools") / "datasets"


@cache
def _registry() -> dict:
    return json.loads((_PACKAGE_DATA / "registry.json").read_text(encoding="utf-8"))


@cache
def _read_verified(name: str) -> pd.DataFrame:
    raw = (_PACKAGE_DATA / f"{name}.csv").read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    expected = _registry()[name]["sha256"]
    if digest != expected:  # pragma: no cover - only if the installed file was damaged
        raise RuntimeError(
            f"The shipped file {name}.csv does not match its checksum; reinstall hiertools "
            f"(pip install --force-reinstall -e .)."
        )

    return pd.read_csv(BytesIO(raw))


def list_datasets() -> list[str]:
    """Names of the datasets shipped with hiertools, sorted.

    Returns
    -------
    list of str
        The names :func:`load` and :func:`dataset_info` accept.

    See Also
    --------
    load, dataset_info

    Examples
    --------
    >>> import hiertools as ht
    >>> ht.list_datasets()
    ['baseball', 'eight_schools', 'lip_cancer', 'radon', 'sleepstudy', 'surgical']
    """
    return sorted(_registry())


def _check_name(name) -> str:
    """The shipped dataset's name in its canonical spelling (``"Radon"`` is ``"radon"``)."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a string such as 'radon', got {name!r}; see "
                        "ht.list_datasets().")
    return check_option(name, "name", list_datasets())


def load(name: str) -> pd.DataFrame:
    """Load a shipped dataset as a new pandas DataFrame.

    Parameters
    ----------
    name : str
        One of :func:`list_datasets`: ``"radon"``, ``"sleepstudy"``,
        ``"eight_schools"``, ``"baseball"``, ``"surgical"`` or ``"lip_cancer"`` (case
        does not matter).

    Returns
    -------
    pandas.DataFrame
        A fresh copy; modify it freely.

    Raises
    ------
    ValueError
        If `name` is unknown; the message lists the valid names and suggests the closest.
    TypeError
        If `name` is not a string.

    See Also
    --------
    dataset_info : description, column meanings, source and licence.

    Examples
    --------
    >>> import hiertools as ht
    >>> radon = ht.load("radon")
    >>> radon.shape, radon["county"].nunique()
    ((919, 4), 85)
    >>> ht.load("eight_schools")["y"].tolist()
    [28, 8, -3, 7, -1, 1, 18, 12]
    """
    return _read_verified(_check_name(name)).copy(deep=True)


def dataset_info(name: str) -> dict:
    """Provenance note of a dataset: title, description, columns, source, licence, references.

    Parameters
    ----------
    name : str
        One of :func:`list_datasets` (case does not matter).

    Returns
    -------
    dict
        A fresh copy with keys ``title``, ``description``, ``columns`` (name -> meaning and
        units), ``source``, ``license``, ``references`` and ``sha256``.

    Raises
    ------
    ValueError
        If `name` is unknown; the message lists the valid names and suggests the closest.

    See Also
    --------
    load : the data themselves.

    Examples
    --------
    >>> import hiertools as ht
    >>> print(ht.dataset_info("radon")["columns"]["floor"][:40])
    level of the home where radon was measur
    """
    return json.loads(json.dumps(_registry()[_check_name(name)]))  # a deep copy


def simulate_districts(n_districts: int = 12, *, mu: float = 5.0, tau: float = 1.6,
                       sigma: float = 3.0, n_min: int = 3, n_max: int = 60, seed: int = 1,
                       observations: bool = False) -> pd.DataFrame:
    """Simulate disease rates in small districts, exactly as the course's source text does.

    District sizes are drawn uniformly from ``n_min`` to ``n_max - 1``, true rates
    from :math:`N(\\mu, \\tau^2)`, and each district's raw (no-pooling) mean from
    :math:`N(\\text{true}_j, \\sigma^2 / n_j)`, in that order from
    ``numpy.random.default_rng(seed)``.  With the defaults this reproduces the
    source text's twelve districts to the last digit.

    Parameters
    ----------
    n_districts : int
        Number of districts J (at least 2).
    mu, tau : float
        Mean and standard deviation (>= 0) of the true district rates.
    sigma : float
        Standard deviation (>= 0) of one observation around its district's true rate.
    n_min, n_max : int
        District sizes are drawn from ``n_min, ..., n_max - 1`` (so ``n_max > n_min >= 1``).
    seed : int
        Seed for ``numpy.random.default_rng`` (a whole number >= 0).
    observations : bool
        If False (default), one row per district: ``district``, ``n``, ``true``,
        ``raw``.  If True, one row per observation (``district``, ``y``) of the
        *same* districts: the district table is drawn first, exactly as above,
        then each observation's noise :math:`e_{ij} \\sim N(0, \\sigma^2)`,
        which is centred within its district and added to the district's raw
        mean, :math:`y_{ij} = \\text{raw}_j + e_{ij} - \\bar e_j`.  So
        ``rows.groupby("district")["y"].mean()`` equals the table's ``raw`` (to
        floating-point rounding), and the rows are a draw from the model's
        distribution of observations given those district means (for normal data
        the centred noise is independent of its mean).  The district table
        itself is the same with or without ``observations``.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    TypeError
        If a count or the seed is not a whole number, or a parameter not a number.
    ValueError
        If a parameter is out of range (NaN, a negative SD, ``n_max <= n_min``, ...).

    Examples
    --------
    >>> import hiertools as ht
    >>> d = ht.simulate_districts()
    >>> print(round(d["raw"].mean(), 3))
    5.038
    >>> d.loc[d["n"].idxmin(), ["n", "raw"]].round(2).tolist()
    [4.0, 6.99]
    >>> rows = ht.simulate_districts(observations=True)
    >>> len(rows) == int(d["n"].sum())
    True
    >>> float(rows.groupby("district")["y"].mean()["D05"].round(2))  # the table's raw rate
    6.99
    """
    n_districts = check_scalar(n_districts, "n_districts", integer=True, minimum=2)
    mu = check_scalar(mu, "mu")
    tau = check_scalar(tau, "tau", minimum=0)
    sigma = check_scalar(sigma, "sigma", minimum=0)
    n_min = check_scalar(n_min, "n_min", integer=True, minimum=1)
    n_max = check_scalar(n_max, "n_max", integer=True)
    if n_max <= n_min:
        raise ValueError(f"n_max must be greater than n_min={n_min} (sizes are drawn from n_min "
                         f"to n_max - 1), got n_max={n_max}.")
    seed = check_scalar(seed, "seed", integer=True, minimum=0)
    observations = check_bool(observations, "observations")

    rng = np.random.default_rng(seed)
    n = rng.integers(n_min, n_max, size=n_districts)
    true = rng.normal(mu, tau, size=n_districts)
    width = len(str(n_districts))
    labels = [f"D{j + 1:0{width}d}" for j in range(n_districts)]
    raw = true + rng.normal(0.0, sigma / np.sqrt(n))
    if observations:
        # the rows behind the table: noise centred within each district, added to its raw mean
        which = np.repeat(np.arange(n_districts), n)
        noise = rng.normal(0.0, sigma, size=int(n.sum()))
        noise -= (np.bincount(which, weights=noise) / n)[which]
        return pd.DataFrame({"district": np.repeat(labels, n), "y": raw[which] + noise})
    return pd.DataFrame({"district": labels, "n": n, "true": true, "raw": raw})


class SimulatedMaps(NamedTuple):
    """Many simulated maps of districts, one map per row (see :func:`simulate_maps`).

    All four arrays have shape ``(maps, districts)``.
    """

    n: np.ndarray
    """District sizes :math:`n_{rj}`."""
    true: np.ndarray
    """True district rates :math:`\\theta_{rj} \\sim N(\\mu, \\tau^2)`."""
    raw: np.ndarray
    """Raw (no-pooling) means :math:`\\bar y_{rj} \\sim N(\\theta_{rj}, \\sigma^2/n_{rj})`."""
    se: np.ndarray
    """Their standard errors :math:`\\sigma/\\sqrt{n_{rj}}`."""


def simulate_maps(n_maps: int, n_districts: int = 12, *, mu: float = 5.0, tau: float = 1.6,
                  sigma: float = 3.0, n_min: int = 3, n_max: int = 60,
                  seed: int = 1) -> SimulatedMaps:
    """The source text's simulation repeated on many maps at once, for simulation studies.

    Each map is drawn as in :func:`simulate_districts` -- sizes uniform on ``n_min, ...,
    n_max - 1``, true rates from :math:`N(\\mu, \\tau^2)`, raw means from
    :math:`N(\\text{true}, \\sigma^2/n)` -- but all maps come from one generator in
    three whole-array draws (sizes, then true rates, then noise), so map 0 is not
    the source text's twelve districts.

    Parameters
    ----------
    n_maps : int
        Number of maps (rows), at least 1.
    n_districts : int
        Districts per map J (columns), at least 2.
    mu, tau, sigma, n_min, n_max
        As in :func:`simulate_districts`.
    seed : int
        Seed for ``numpy.random.default_rng``.

    Returns
    -------
    SimulatedMaps
        A named tuple ``(n, true, raw, se)`` of arrays of shape ``(n_maps, n_districts)``.

    See Also
    --------
    simulate_districts : one map, as a DataFrame.
    estimate_tau_batch : τ̂ for every map at once.

    Examples
    --------
    >>> import hiertools as ht
    >>> maps = ht.simulate_maps(1000, 12, tau=0.5, seed=3)
    >>> maps.raw.shape
    (1000, 12)
    >>> bool(maps.n.min() >= 3 and maps.n.max() <= 59)
    True
    """
    n_maps = check_scalar(n_maps, "n_maps", integer=True, minimum=1)
    n_districts = check_scalar(n_districts, "n_districts", integer=True, minimum=2)
    mu = check_scalar(mu, "mu")
    tau = check_scalar(tau, "tau", minimum=0)
    sigma = check_scalar(sigma, "sigma", minimum=0, strict_min=True)
    n_min = check_scalar(n_min, "n_min", integer=True, minimum=1)
    n_max = check_scalar(n_max, "n_max", integer=True, minimum=n_min + 1)
    seed = check_scalar(seed, "seed", integer=True, minimum=0)
    rng = np.random.default_rng(seed)
    shape = (n_maps, n_districts)
    n = rng.integers(n_min, n_max, size=shape)
    true = rng.normal(mu, tau, size=shape)
    se = sigma / np.sqrt(n)
    raw = true + rng.normal(0.0, se)
    return SimulatedMaps(n, true, raw, se)
