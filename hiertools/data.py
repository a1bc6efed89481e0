"""Datasets shipped with the course, and the seed's simulated districts.

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

import numpy as np
import pandas as pd

from ._validation import check_bool, check_option, check_scalar

__all__ = ["load", "list_datasets", "dataset_info", "simulate_districts"]

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
    from io import BytesIO

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
    ['baseball', 'eight_schools', 'radon', 'sleepstudy', 'surgical']
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
        ``"eight_schools"``, ``"baseball"`` or ``"surgical"`` (case does not matter).

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
    """Simulate disease rates in small districts, exactly as the course's seed text does.

    District sizes are drawn uniformly from ``n_min`` to ``n_max - 1``, true rates
    from :math:`N(\\mu, \\tau^2)`, and each district's raw (no-pooling) mean from
    :math:`N(\\text{true}_j, \\sigma^2 / n_j)`, in that order from
    ``numpy.random.default_rng(seed)``.  With the defaults this reproduces the
    seed's twelve districts to the last digit.

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
        ``raw``.  If True, one row per observation (``district``, ``y``) for the
        same districts (same ``n`` and true rates), each observation drawn
        from :math:`N(\\text{true}_j, \\sigma^2)`.

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
    if observations:
        district = np.repeat(labels, n)
        y = np.repeat(true, n) + rng.normal(0.0, sigma, size=int(n.sum()))
        return pd.DataFrame({"district": district, "y": y})
    raw = true + rng.normal(0.0, sigma / np.sqrt(n))
    return pd.DataFrame({"district": labels, "n": n, "true": true, "raw": raw})
