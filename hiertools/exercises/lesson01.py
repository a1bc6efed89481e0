"""Lesson 01 · Three ways to handle groups: its data, its explorer's defaults, its checks.

The lesson's data are the source text's twelve simulated districts (``simulate_districts()``
with its defaults), the same districts one row per observation (whose district means
are exactly the table's raw rates), a larger map of 300 areas, and a replicate
simulation of the source text's setup (2,000 maps of twelve districts) that turns "one lucky
draw" into "how often, and by how much".  Everything the notebook, the checks and the
pooling explorer need to agree on is defined once: here, or (the districts, their σ
and the fitted τ̂ and μ̂, which lessons 03 and 04 use too) in :mod:`._shared`.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from ..data import simulate_districts
from ..empirical_bayes import estimate_tau_batch
from ..shrinkage import shrinkage_weights
from ..widgets._lessons import register_defaults
from ._core import Precision, Wrong, as_labels, as_number, as_series, exercise, judge_number
from ._shared import AREAS, DISTRICTS, SIGMA, _districts, districts, fitted  # noqa: F401 -- lesson01.districts and friends, as before

#: The replicate simulation of section 2: the source text's setup (J = 12, n from 3 to 59,
#: sigma = 3, mu = 5, tau = 1.6), many times over, with this seed.
REPLICATES = {"maps": 2000, "tau": 1.6, "seed": 1}
#: The simulate exercise: the same replicates with true rates that differ little.
SIMULATE_TAU = 0.5
#: The predict-then-check exercise: which of these two districts moves farther?
PREDICT_PAIR = ("D07", "D09")
#: The read-the-figure exercise: the funnel plot's outer limits.
FUNNEL_LEVEL = 0.998
#: Exercise 7's new district: its size and raw rate.
NEW_DISTRICT = {"n": 8, "raw": 9.0}
#: How many extreme areas exercise 4 asks for.
N_EXTREME = 10
#: The units of the districts' rates, for axis labels.  Each observation is read as the
#: case count of one block of 1,000 person-years, so n_j is thousands of person-years.
RATE_LABEL = "disease rate (cases per 1,000 person-years)"

_SHARE = Precision(decimals=2)
#: How far (in Monte Carlo standard errors of the difference between two independent runs
#: of 2,000 maps) a share may lie from the default-seed share and still be what a right
#: simulation of *other* maps gives: the check then asks whether the seed was kept.
_OTHER_MAPS_SES = 4


@cache
def _observations() -> pd.DataFrame:
    return simulate_districts(**DISTRICTS, observations=True)


@cache
def _areas() -> pd.DataFrame:
    return simulate_districts(**AREAS)


def simulate_maps(tau: float, maps: int = REPLICATES["maps"], seed: int = REPLICATES["seed"]):
    """(n, true, raw), each of shape (maps, 12): the source text's simulation, `maps` times.

    The notebook writes the same four lines out (section 2); a test checks they agree.
    """
    rng = np.random.default_rng(seed)
    n = rng.integers(3, 60, size=(maps, 12))
    true = rng.normal(5, tau, size=(maps, 12))
    raw = true + rng.normal(0, SIGMA / np.sqrt(n))
    return n, true, raw


def pool_maps(n, raw) -> tuple[np.ndarray, np.ndarray]:
    """(estimates, tau): partial pooling of every map (row), with its REML tau.

    The REML fit of every map, then the shrinkage formula for all maps at once.  The
    notebook writes the same lines out with one ``estimate_tau`` call per map (lesson 01
    keeps the loop; lesson 04 introduces the batch); ``estimate_tau_batch`` runs a single
    map through the same code, so the numbers are identical, in about 1% of the time (the
    check recomputes 2,000 maps per value of tau it needs).
    """
    se2 = SIGMA**2 / n
    tau = estimate_tau_batch(raw, np.sqrt(se2))
    precision = 1 / (tau[:, None] ** 2 + se2)
    mu = (precision * raw).sum(axis=1, keepdims=True) / precision.sum(axis=1, keepdims=True)
    return mu + tau[:, None] ** 2 * precision * (raw - mu), tau


@cache
def _losses(tau: float) -> dict:
    """Shares of maps in which partial pooling's total squared error exceeds no pooling's."""
    n, true, raw = simulate_maps(tau)
    partial, _ = pool_maps(n, raw)
    error_raw, error_partial = (raw - true) ** 2, (partial - true) ** 2
    rough = raw.var(axis=1, ddof=1, keepdims=True)  # the source text's own recipe
    grand = raw.mean(axis=1, keepdims=True)
    source_recipe = grand + rough / (rough + SIGMA**2 / n) * (raw - grand)
    lost = error_partial.sum(axis=1) > error_raw.sum(axis=1)
    return {"lost": float(lost.mean()),
            "won": float(1 - lost.mean()),
            "districts": float((error_partial > error_raw).mean()),
            "source recipe": float((((source_recipe - true) ** 2).sum(axis=1)
                                  > error_raw.sum(axis=1)).mean())}


def explorer_defaults() -> dict:
    """What ``ht.pooling_explorer()`` shows with no arguments: the twelve districts."""
    d = _districts()
    return {"raw": d["raw"].to_numpy(), "n": d["n"].to_numpy(float), "sigma": SIGMA,
            "labels": list(d["district"]), "truth": d["true"].to_numpy(), "ylabel": RATE_LABEL}


register_defaults("pooling", "01", explorer_defaults)


def _outside(areas: pd.DataFrame, level: float, center: float | None = None) -> set[str]:
    """Labels of the areas outside the funnel's `level` limits around `center`."""
    from scipy import stats

    if center is None:
        center = np.average(areas["raw"], weights=areas["n"])
    z = stats.norm.ppf(0.5 + level / 2)
    far = (areas["raw"] - center).abs() > z * SIGMA / np.sqrt(areas["n"])
    return set(areas.loc[far, "district"])


# --- exercises ----------------------------------------------------------------------------------

@exercise("01-predict-farther",
          f"Predict, then check: which moves farther, {PREDICT_PAIR[0]} or {PREDICT_PAIR[1]}?",
          hints=["the distance a district moves is the product of two things: the fraction of "
                 "the way it goes toward mu_hat, and how far from mu_hat it starts.",
                 "for each of the two districts compute 1 - w_j (from its n) and "
                 "|raw_j - mu_hat| (from its raw rate), and multiply them."])
def _check_predict_farther(answer):
    if isinstance(answer, str):
        answer = [answer.strip().upper()]
    got = as_labels(answer, count=1)[0]
    if got not in PREDICT_PAIR:
        raise Wrong(f"answer with one of the two districts, {PREDICT_PAIR[0]!r} or "
                    f"{PREDICT_PAIR[1]!r}.")
    tau_hat, mu_hat = fitted()
    d = _districts().set_index("district").loc[list(PREDICT_PAIR)]
    fraction = 1 - shrinkage_weights(tau_hat, SIGMA, d["n"].to_numpy(float))
    distance = fraction * (d["raw"] - mu_hat).abs().to_numpy()
    farther = PREDICT_PAIR[int(np.argmax(distance))]
    bigger_fraction = PREDICT_PAIR[int(np.argmax(fraction))]
    if got != farther:
        raise Wrong("not this time. The smaller district does move the larger *fraction* of "
                    "the way toward mu_hat, but the distance is that fraction times how far the "
                    "district starts from mu_hat. Compare both factors for the two districts "
                    "in the cell below the explorer.")
    if farther == bigger_fraction:
        return "right: it moves both the larger fraction of the way and the larger distance."
    return ("right, and not obvious: the larger district moves a smaller fraction of the way, "
            "but it starts much farther from mu_hat, so it travels the larger distance. "
            "'The small groups travel farthest' holds for the fraction, not always for the "
            "distance.")


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
    return ("each district's own mean, computed from its own observations only: the raw rates "
            "of the table in section 1.")


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
         "that is the average of the 12 district means (the source text's `grand`), which counts a "
         "district of 4 observations as much as one of 57. Complete pooling treats every "
         "observation alike."),
        (fitted()[1], "that is the precision-weighted mean mu_hat that partial pooling shrinks "
                      "toward. Complete pooling treats every observation alike."),
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
    return (f"those are the {N_EXTREME} areas farthest from the overall mean. "
            "Now look at their sizes.")


@exercise("01-outside-funnel",
          f"Read the funnel: the areas outside its {100 * FUNNEL_LEVEL:g}% limits",
          hints=[f"an area is outside the {100 * FUNNEL_LEVEL:g}% limits when its raw rate is "
                 "farther from the centre line than z standard errors sigma / sqrt(n_j), with "
                 "z the normal quantile for that coverage.",
                 "center = n-weighted mean of areas['raw']; z = "
                 f"scipy.stats.norm.ppf(0.5 + {FUNNEL_LEVEL} / 2); keep the areas with "
                 "|raw - center| > z * 3 / sqrt(n) and list their district labels."])
def _check_outside_funnel(answer):
    areas = _areas()
    got = set(as_labels(answer, columns=("district", "group"), known=areas["district"]))
    expected = _outside(areas, FUNNEL_LEVEL)
    if got == expected:
        sizes = areas.set_index("district").loc[sorted(got), "n"]
        median = areas["n"].median()
        return (f"right. Now look at their sizes: {(sizes >= median).sum()} of {len(sizes)} are "
                f"at least the median size ({median:g}). Say why in the next cell.")
    level = 100 * FUNNEL_LEVEL
    if got == _outside(areas, 0.95):
        raise Wrong(f"those are the areas outside the 95% limits (dashed); the question asks for "
                    f"the {level:g}% limits (dotted), which are wider.")
    labelled = areas.sort_values("raw")["district"]
    if got == set(labelled.head(3)) | set(labelled.tail(3)):
        raise Wrong("those are the areas the figure labels: the most extreme raw rates. They are "
                    "small areas, all inside the dotted limits of the wide mouth of the funnel.")
    if got == _outside(areas, FUNNEL_LEVEL, center=areas["raw"].mean()) != expected:
        raise Wrong("the centre line of the funnel is the n-weighted mean of the raw rates, not "
                    "their plain average.")
    inside = len(got - expected)
    if inside:
        raise Wrong(f"{inside} of your areas lie inside the {level:g}% limits.")
    raise Wrong(f"all your areas are outside the {level:g}% limits, but some are missing; look "
                "above and below the centre line, at every size.")


@exercise("01-simulate-losses",
          f"Simulate: how often does partial pooling lose when tau = {SIMULATE_TAU}?",
          precision=_SHARE,
          hints=["a map is 'lost' when partial pooling's total squared error over its 12 "
                 "districts is larger than no pooling's; the share is over maps, not districts.",
                 f"n5, true5, raw5 = simulate_maps(tau={SIMULATE_TAU}); partial5, tau5 = "
                 "pool_maps(n5, raw5); compare ((partial5 - true5)**2).sum(axis=1) with "
                 "((raw5 - true5)**2).sum(axis=1) and take the mean of the comparison."])
def _check_simulate_losses(answer):
    """Judged to 2 decimals against the share on the default maps (seed and count kept).

    With the seed fixed, every right simulation draws the same maps and gets the same
    share, so 2 decimals can be asked for although a share of 2,000 maps has a Monte Carlo
    standard error of up to 0.011.  A share a few Monte Carlo standard errors away is
    what a right simulation of other maps gives: the feedback asks about the seed.
    """
    share = _losses(SIMULATE_TAU)
    value = as_number(answer)
    if not 0 <= value <= 1:
        raise Wrong(f"a share lies between 0 and 1, and {value:g} does not; give e.g. 0.25 "
                    "for 25%.")
    right = (f"right. When the true rates differ little (tau = {SIMULATE_TAU}), pooling has "
             "much more noise to remove, and it loses far less often than at tau = "
             f"{REPLICATES['tau']}.")
    if _SHARE.accepts(value, share["lost"]):  # before the table of mistakes, which simulates
        return right
    lost, maps = share["lost"], REPLICATES["maps"]
    other_maps = (_OTHER_MAPS_SES * np.sqrt(2 * lost * (1 - lost) / maps)
                  + _SHARE.tolerance(lost))  # a right share of other maps, rounded as asked
    otherwise = "that is not the share of maps in which partial pooling loses"
    if abs(value - lost) <= other_maps:
        otherwise = ("that is close to the share, but not the share on the default maps. Did "
                     f"you keep the default seed ({REPLICATES['seed']}) and {maps:,} maps? "
                     "Other maps give another share, a few Monte Carlo standard errors away; "
                     "with the default ones everybody's simulation draws the same maps")
    judge_number(value, lost, _SHARE, mistakes=[
        (share["won"], "that is the share of maps partial pooling *wins*; the question asks how "
                       "often it loses."),
        (_losses(REPLICATES["tau"])["lost"],
         f"that is the share for tau = {REPLICATES['tau']} from section 2; simulate with "
         f"tau = {SIMULATE_TAU}."),
        (share["districts"], "that counts districts, not maps: compare each map's *total* "
                             "squared error over its 12 districts."),
        (share["source recipe"], "that is the source text's own recipe (rough tau, "
                                 "unweighted grand mean); use pool_maps, the REML fit of "
                                 "section 2."),
    ], otherwise=otherwise)
    return right


@exercise("01-new-district", "Partially pooled estimate for a new district (n = 8, raw 9.0)",
          precision=Precision(decimals=2),
          hints=["partial pooling is a weighted average of the district's own rate and the "
                 "overall mean; how much weight does a district of 8 observations earn?",
                 "w = tau_hat² / (tau_hat² + sigma²/n) (or ht.shrinkage_weights); the estimate "
                 "is w × raw + (1 − w) × mu_hat."])
def _check_new_district(answer):
    tau_hat, mu_hat = fitted()
    raw, n = NEW_DISTRICT["raw"], NEW_DISTRICT["n"]
    w = shrinkage_weights(tau_hat, SIGMA, n)
    judge_number(as_number(answer), w * raw + (1 - w) * mu_hat, Precision(decimals=2), mistakes=[
        ((raw + mu_hat) / 2, "that is the 50/50 average of the raw rate and the overall mean; "
                             f"partial pooling weights the district by how reliable its {n} "
                             "observations are."),
        (raw, "that is the raw rate (no pooling); the estimate should move toward mu_hat."),
        (mu_hat, "that is mu_hat itself (complete pooling); the district's own data should "
                 "count for something."),
        ((1 - w) * raw + w * mu_hat, "the weights are swapped: w goes with the district's own "
                                     "raw rate."),
    ], otherwise="that is not the partially pooled estimate")
    return "the new district keeps part of its high rate and borrows the rest from the others."
