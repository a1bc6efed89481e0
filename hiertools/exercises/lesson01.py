"""Lesson 01 · Three ways to handle groups: its data, its explorer's defaults, its checks.

The lesson's data are the seed's twelve simulated districts (``simulate_districts()``
with its defaults), the same districts one row per observation, and a larger map of
300 areas.  Everything the notebook, the checks and the pooling explorer need to
agree on is defined once here.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from ._core import (Precision, Wrong, as_labels, as_number, as_series, exercise, judge_number)

#: Within-district SD of one observation in the seed's simulation (``sigma = 3.0`` there).
SIGMA = 3.0
#: The seed's twelve districts: ``simulate_districts()`` with its defaults.
DISTRICTS: dict = {}
#: The larger map of section 3: 300 areas whose true rates differ little.
AREAS = {"n_districts": 300, "tau": 0.5, "seed": 2}
#: Exercise 4's new district: its size and raw rate.
NEW_DISTRICT = {"n": 8, "raw": 9.0}
#: How many extreme areas exercise 3 asks for.
N_EXTREME = 10
#: The units of the districts' rates, for axis labels.
RATE_LABEL = "disease rate (cases per 1,000 person-years)"


@cache
def _districts() -> pd.DataFrame:
    from ..data import simulate_districts

    return simulate_districts(**DISTRICTS)


def districts() -> pd.DataFrame:
    """The seed's twelve districts (a fresh copy)."""
    return _districts().copy()


@cache
def _observations() -> pd.DataFrame:
    from ..data import simulate_districts

    return simulate_districts(**DISTRICTS, observations=True)


@cache
def _areas() -> pd.DataFrame:
    from ..data import simulate_districts

    return simulate_districts(**AREAS)


@cache
def fitted() -> tuple[float, float]:
    """(tau_hat, mu_hat): REML tau of the twelve districts and the precision-weighted mean."""
    from ..empirical_bayes import estimate_tau
    from ..shrinkage import pooled_mean

    d = _districts()
    tau_hat = estimate_tau(d["raw"], SIGMA / np.sqrt(d["n"]), method="REML")
    return tau_hat, pooled_mean(d["raw"], d["n"], tau_hat, SIGMA)


def explorer_defaults() -> dict:
    """What ``ht.pooling_explorer()`` shows with no arguments: the twelve districts."""
    d = _districts()
    return {"raw": d["raw"].to_numpy(), "n": d["n"].to_numpy(float), "sigma": SIGMA,
            "labels": list(d["district"]), "truth": d["true"].to_numpy(), "ylabel": RATE_LABEL}


# --- exercises ----------------------------------------------------------------------------------

@exercise("01-no-pooling", "No-pooling estimate of every district's rate",
          precision=Precision(decimals=3),
          hints=["no pooling uses each district's own observations and nothing else.",
                 "group the rows of `obs` by district, then take the mean of y within each "
                 "group; the result is a Series indexed by district."])
def _check_no_pooling(answer):
    data = _observations()
    expected = data.groupby("district")["y"].mean()
    got = as_series(answer, expected)
    precision = Precision(decimals=3)
    if np.allclose(got, data["y"].mean()):
        raise Wrong("every district has the same value: that is complete pooling, not no pooling.")
    off = [k for k in expected.index if not precision.accepts(got[k], expected[k])]
    if off:
        raise Wrong(f"{len(off)} of {len(expected)} districts have the wrong value "
                    f"({precision.phrase}).")
    return "each district's own mean, computed from its own observations only."


@exercise("01-complete-pooling", "Complete-pooling estimate (one number for all districts)",
          precision=Precision(decimals=3),
          hints=["complete pooling ignores the districts altogether.",
                 "every observation counts once: average the y column of `obs` over all rows."])
def _check_complete_pooling(answer):
    data = _observations()
    if isinstance(answer, pd.Series) and answer.size > 1 and answer.nunique() == 1:
        answer = answer.iloc[0]
    value = as_number(answer)
    judge_number(value, data["y"].mean(), Precision(decimals=3), mistakes=[
        (data.groupby("district")["y"].mean().mean(),
         "that is the average of the 12 district means, which counts a district of 4 people as "
         "much as one of 57. Complete pooling treats every observation alike."),
    ], otherwise="that is not the overall mean of the observations")
    return "the overall mean of all observations: large districts count more."


@exercise("01-extremes", f"The {N_EXTREME} most extreme areas on the 300-area map",
          hints=["'extreme' means far from the overall mean, above or below it.",
                 "compute each area's distance |raw - overall mean|, then keep the labels of "
                 f"the {N_EXTREME} largest distances (nlargest)."])
def _check_extremes(answer):
    areas = _areas()
    center = np.average(areas["raw"], weights=areas["n"])
    distance = (areas["raw"] - center).abs()
    expected = set(areas.loc[distance.nlargest(N_EXTREME).index, "district"])
    got = as_labels(answer, columns=("district", "group"), count=N_EXTREME,
                    known=areas["district"])
    if set(got) == set(areas.loc[areas["raw"].nlargest(N_EXTREME).index, "district"]):
        raise Wrong(f"those are the {N_EXTREME} highest rates; 'extreme' means far from the "
                    "mean in either direction.")
    right = len(set(got) & expected)
    if right != N_EXTREME:
        raise Wrong(f"{right} of your {N_EXTREME} areas are among the {N_EXTREME} most extreme.")
    return f"those are the {N_EXTREME} areas farthest from the overall mean. Now look at their sizes."


@exercise("01-new-district", "Partially pooled estimate for a new district (n = 8, raw 9.0)",
          precision=Precision(decimals=2),
          hints=["partial pooling is a weighted average of the district's own rate and the "
                 "overall mean; how much weight does a district of 8 cases earn?",
                 "w = tau_hat² / (tau_hat² + sigma²/n) (or ht.shrinkage_weights); the estimate "
                 "is w × raw + (1 − w) × mu_hat."])
def _check_new_district(answer):
    from ..shrinkage import shrinkage_weights

    tau_hat, mu_hat = fitted()
    raw, n = NEW_DISTRICT["raw"], NEW_DISTRICT["n"]
    w = shrinkage_weights(tau_hat, SIGMA, n)
    judge_number(as_number(answer), w * raw + (1 - w) * mu_hat, Precision(decimals=2), mistakes=[
        ((raw + mu_hat) / 2, "that is the 50/50 average of the raw rate and the overall mean; "
                             f"partial pooling weights the district by how reliable its {n} "
                             "cases are."),
        (raw, "that is the raw rate (no pooling); the estimate should move toward mu_hat."),
        (mu_hat, "that is mu_hat itself (complete pooling); the district's own data should "
                 "count for something."),
        ((1 - w) * raw + w * mu_hat, "the weights are swapped: w goes with the district's own "
                                     "raw rate."),
    ], otherwise="that is not the partially pooled estimate")
    return "the new district keeps part of its high rate and borrows the rest from the others."
