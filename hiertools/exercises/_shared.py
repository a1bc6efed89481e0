"""What more than one lesson uses: the source text's districts and the radon fits.

Lesson modules never import each other; a setting or a cached fit that two lessons must
agree on is defined once here and imported by each (lessons 01, 03 and 04 use the
districts and their σ, lessons 02 and 03 the two radon models).  Each lesson module
re-exports what it uses, so ``lesson01.SIGMA`` and ``lesson02.fits`` still name them.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .._kernels import regression
from ..data import load, simulate_districts
from ..empirical_bayes import estimate_tau
from ..mixed import fit_varying_intercepts
from ..shrinkage import pooled_mean

# --- lesson 01's districts (also in lessons 03 and 04) ------------------------------------------

#: Within-district SD of one observation in the source text's simulation (``sigma = 3.0`` there).
SIGMA = 3.0
#: The source text's twelve districts: ``simulate_districts()`` with its defaults.
DISTRICTS: dict = {}
#: The larger map of section 3: 300 areas whose true rates differ little.
AREAS = {"n_districts": 300, "tau": 0.5, "seed": 2}


@cache
def _districts() -> pd.DataFrame:
    return simulate_districts(**DISTRICTS)


def districts() -> pd.DataFrame:
    """The source text's twelve districts (a fresh copy)."""
    return _districts().copy()


@cache
def fitted() -> tuple[float, float]:
    """(tau_hat, mu_hat): REML tau of the twelve districts and the precision-weighted mean."""
    d = _districts()
    tau_hat = estimate_tau(d["raw"], SIGMA / np.sqrt(d["n"]), method="REML")
    return tau_hat, pooled_mean(d["raw"], d["n"], tau_hat, SIGMA)


# --- lesson 02's radon models (also in lesson 03) -----------------------------------------------

#: The data and the two models of lesson 02 (arguments of ht.fit_varying_intercepts).
DATASET = "radon"
FIT = {"y": "log_radon", "group": "county", "x": "floor"}
FIT_U = {"y": "log_radon", "group": "county", "x": ["floor", "log_uranium"]}


@cache
def fits():
    """(fit, fit_u, (cp_intercept, cp_slope, np_intercepts, np_slope)), fitted once."""
    radon = load(DATASET)
    fit = fit_varying_intercepts(radon, **FIT)
    fit_u = fit_varying_intercepts(radon, **FIT_U)
    return fit, fit_u, regression.regression_lines(radon, FIT["y"], FIT["x"], FIT["group"])
