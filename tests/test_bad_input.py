"""One bad-input battery for every public function: wrong type, missing or non-numeric column,
NaN / inf, empty, too few groups, mismatched lengths, unknown options, out-of-range numbers.

The table below says, for each public function, what a valid call looks like and what kind
each argument is (a per-group array, a DataFrame and its columns, an option, a number with
bounds, a flag, a list of labels).  The bad cases are generated from it: each case changes
one thing in the valid call.  Every case must

* raise ``ValueError``, ``TypeError`` or ``KeyError``,
* from hiertools' own code (the traceback's last frame is a file of the package, not of
  numpy, pandas or matplotlib),
* with a message that names the argument (and, for an unknown option, lists the valid ones),
* leaving the caller's objects exactly as they were.

A function added to ``ht.__all__`` without a row here fails
``test_every_public_function_is_in_the_battery``.  The number of cases is printed at the end
of the session (``tests/conftest.py``).
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hiertools as ht
from hiertools.exercises._core import _REGISTRY, reset_attempts

PACKAGE = Path(ht.__file__).resolve().parent

# Public callables that take no arguments or are result types nobody builds by hand.
EXEMPT = {
    "list_datasets": "takes no arguments",
    "TauPosterior": "the result type of ht.tau_posterior",
    "SimulatedMaps": "the result type of ht.simulate_maps",
    "SlopesShrinkage": "the result type of ht.shrink_slopes",
    "RateFit": "the result type of the rate fits; built by them, not by learners",
    "DispersionTest": "the result type of ht.overdispersion_test",
    "BetaBinomialPosterior": "the result type of ht.beta_binomial_posterior",
    "MixedModelResult": "the result type of the fits; built by them, not by learners",
    "Feedback": "the result type of ht.check; built by it, not by learners",
    "Hint": "the result type of ht.hint; built by it, not by learners",
}


# --- the kinds of argument ------------------------------------------------------------------------

@dataclass(frozen=True)
class Arr:
    """A numeric array with one value per group (or one number for all, if `scalar_ok`)."""

    positive: bool = False
    nonnegative: bool = False
    scalar_ok: bool = False      # a single number is valid too (e.g. a common sigma)
    linked: bool = True          # must have the same length as the other linked arrays
    allow_inf: bool = False
    broadcast: bool = False      # any shape that broadcasts (shrinkage_weights)


@dataclass(frozen=True)
class Num:
    """A single number within bounds."""

    minimum: float | None = None
    maximum: float | None = None
    strict: bool = False         # the bounds themselves are invalid
    integer: bool = False
    allow_inf: bool = False


@dataclass(frozen=True)
class Col:
    """A column argument: the column it names in the valid call, and whether it is numeric."""

    column: str
    numeric: bool = True


@dataclass
class Spec:
    """One way of calling a public function, and the kinds of its arguments."""

    function: str
    valid: Callable[[], dict]                 # fresh keyword arguments of a valid call
    groups: int = 0                           # J in the valid call (for per-group arrays)
    min_groups: int = 1
    arrays: dict[str, Arr] = field(default_factory=dict)
    frame: str | None = None                  # the DataFrame argument
    columns: dict[str, Col] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)
    numbers: dict[str, Num] = field(default_factory=dict)
    flags: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()              # lists of group labels, one per group
    extra: list[tuple[str, str, Callable[[dict], dict]]] = field(default_factory=list)
    variant: str = ""                         # names a second way of calling, e.g. "data="


# --- shared data ----------------------------------------------------------------------------------

def _rows() -> pd.DataFrame:
    """Four groups of five rows with a group effect and a slope: enough for every fit."""
    rng = np.random.default_rng(0)
    g = np.repeat(["a", "b", "c", "d"], 5)
    x = np.tile([0.0, 1.0, 2.0, 3.0, 4.0], 4)
    effect = np.repeat([-1.0, 0.0, 0.5, 1.5], 5)
    return pd.DataFrame({"g": g, "x": x, "y": 2.0 + effect + 0.5 * x + rng.normal(0, 0.3, 20)})


ROWS = _rows()
FIT = ht.fit_varying_intercepts(ROWS, "y", "g", x="x")
SLOPES_FIT = ht.fit_varying_slopes(ROWS, "y", "x", "g")
ROWS_U = ROWS.assign(u=ROWS["g"].map({"a": -0.5, "b": 0.1, "c": 0.4, "d": 0.9}))
FIT_U = ht.fit_varying_intercepts(ROWS_U, "y", "g", x=["x", "u"])
SIGMA_COV = {"sd_intercept": 1.0, "sd_slope": 0.2, "rho": 0.3}
SLOPE_NUMBERS = {"sd_intercept": Num(minimum=0), "sd_slope": Num(minimum=0),
                 "rho": Num(minimum=-1, maximum=1)}


def _own_and_pooled():
    own = pd.DataFrame({"Intercept": [1.0, 2.0, 3.0], "x": [0.4, 0.5, 0.7]}, index=list("abc"))
    return {"own": own, "pooled": own * 0.9, "mean": [2.0, 0.5],
            "cov": [[1.0, 0.1], [0.1, 0.04]]}
LESSONS = sorted({key.split("-", 1)[0] for key in _REGISTRY})
LESSON_01_EXERCISES = sorted(key for key in _REGISTRY if key.startswith("01-"))


def _raw_call():
    return {"raw": [1.0, 2.0, 6.0], "n": [3, 10, 40], "tau": 1.0, "sigma": 2.0}


def _estimates():
    return pd.DataFrame({"no pooling": [1.0, 3.0, 5.0], "complete pooling": [3.0, 3.0, 3.0]},
                        index=["a", "b", "c"])


def _with(base: Callable[[], dict], **changes) -> Callable[[], dict]:
    return lambda: {**base(), **changes}


# --- the table ------------------------------------------------------------------------------------

FRAME_COLUMNS = {"y": Col("y"), "group": Col("g", numeric=False)}

TABLE = [
    Spec("load", lambda: {"name": "radon"}, options={"name": ht.list_datasets()}),
    Spec("dataset_info", lambda: {"name": "radon"}, options={"name": ht.list_datasets()}),
    Spec("simulate_districts", lambda: {}, numbers={
        "n_districts": Num(minimum=2, integer=True), "mu": Num(), "tau": Num(minimum=0),
        "sigma": Num(minimum=0), "n_min": Num(minimum=1, integer=True),
        "n_max": Num(minimum=4, integer=True),  # must exceed n_min = 3
        "seed": Num(minimum=0, integer=True)}, flags=("observations",)),
    *[Spec(name, lambda: {"data": ROWS.copy(), "y": "y", "group": "g"}, frame="data",
           columns=FRAME_COLUMNS)
      for name in ("group_summary", "complete_pooling", "no_pooling")],
    Spec("partial_pooling", lambda: {"data": ROWS.copy(), "y": "y", "group": "g"},
         frame="data", columns=FRAME_COLUMNS, min_groups=2, options={"method": ["REML", "ML"]}),
    Spec("shrinkage_weights", lambda: {"tau": 1.0, "sigma": 2.0, "n": [1, 4, 16]}, groups=3,
         arrays={"tau": Arr(nonnegative=True, scalar_ok=True, allow_inf=True, broadcast=True),
                 "sigma": Arr(positive=True, scalar_ok=True, broadcast=True),
                 "n": Arr(positive=True, broadcast=True)},
         extra=[("shapes that do not broadcast", "tau",
                 lambda kw: {**kw, "tau": [1.0, 2.0]})]),
    Spec("pooled_mean", _raw_call, groups=3,
         arrays={"raw": Arr(), "n": Arr(positive=True, scalar_ok=True),
                 "sigma": Arr(positive=True, scalar_ok=True)},
         numbers={"tau": Num(minimum=0, allow_inf=True)}),
    Spec("shrink", _raw_call, groups=3, min_groups=2,
         arrays={"raw": Arr(), "n": Arr(positive=True, scalar_ok=True),
                 "sigma": Arr(positive=True, scalar_ok=True)},
         numbers={"tau": Num(minimum=0, allow_inf=True), "mu": Num()}),
    Spec("estimate_tau", lambda: {"y": [28.0, 8.0, -3.0, 7.0], "se": [15.0, 10.0, 16.0, 11.0]},
         groups=4, min_groups=2, arrays={"y": Arr(), "se": Arr(positive=True, scalar_ok=True)},
         options={"method": ["REML", "ML", "moments", "rough"]}),
    Spec("james_stein", lambda: {"y": [1.0, 2.0, 3.0, 6.0], "se": 1.0}, groups=4, min_groups=4,
         arrays={"y": Arr(), "se": Arr(positive=True, scalar_ok=True)},
         options={"target": ["mean"]}, numbers={"target": Num()},
         extra=[("unequal standard errors", "se",
                 lambda kw: {**kw, "se": [1.0, 1.0, 2.0, 1.0]}),
                ("both se and sigma", "sigma", lambda kw: {**kw, "sigma": 1.0}),
                ("neither se nor sigma", "se", lambda kw: {"y": kw["y"]}),
                ("too few groups toward a fixed target", "y",
                 lambda kw: {**kw, "y": [1.0, 2.0], "target": 0.0})]),
    *[Spec(name, lambda: {"data": ROWS.copy(), "y": "y", "group": "g", "x": "x"},
           frame="data", columns={**FRAME_COLUMNS, "x": Col("x")}, min_groups=2,
           options={"method": ["REML", "ML"]})
      for name in ("fit_varying_intercepts", "fit_varying_slopes")],
    Spec("plot_error_by_size", lambda: {"errors": pd.DataFrame(
             {"no pooling": [3.0, 1.0, 0.2], "partial pooling": [1.5, 0.8, 0.2]},
             index=[3, 10, 50]), "sigma": 3.0},
         numbers={"sigma": Num(minimum=0, strict=True)},
         extra=[("errors not a table", "errors", lambda kw: {**kw, "errors": [1.0, 2.0]}),
                ("a negative error", "errors",
                 lambda kw: {**kw, "errors": kw["errors"].assign(**{"no pooling": -1.0})}),
                ("a text column", "errors",
                 lambda kw: {**kw, "errors": kw["errors"].assign(**{"no pooling": "x"})}),
                ("sizes that are not positive", "errors",
                 lambda kw: {**kw, "errors": kw["errors"].set_axis([0, 10, 50])}),
                ("no rows", "errors", lambda kw: {**kw, "errors": kw["errors"].iloc[:0]})]),
    Spec("plot_estimates_by_size", lambda: {"raw": [1.0, 2.0, 6.0], "pooled": [1.5, 2.2, 5.8],
                                            "n": [3, 10, 40], "raw_se": [1.0, 0.6, 0.3],
                                            "pooled_se": [0.7, 0.5, 0.3]},
         groups=3, arrays={"raw": Arr(), "pooled": Arr(), "n": Arr(positive=True),
                           "raw_se": Arr(nonnegative=True, scalar_ok=True),
                           "pooled_se": Arr(nonnegative=True, scalar_ok=True)},
         numbers={"mu": Num(), "jitter": Num(minimum=0), "seed": Num(minimum=0, integer=True)}),
    Spec("plot_group_distribution", lambda: {"raw": [1.0, 2.0, 6.0, 3.0],
                                             "pooled": [1.5, 2.2, 5.8, 3.0], "mu": 3.0,
                                             "tau": 1.5},
         groups=4, arrays={"raw": Arr(), "pooled": Arr()},
         numbers={"mu": Num(), "tau": Num(minimum=0), "bins": Num(minimum=1, integer=True)}),
    Spec("plot_group_predictor", lambda: {"fit": FIT_U, "data": ROWS_U.copy(),
                                          "predictor": "u"},
         frame="data", columns={"predictor": Col("u")}, flags=("bars",),
         extra=[("fit is not a fitted model", "fit", lambda kw: {**kw, "fit": "fit"}),
                ("a predictor the fit does not have", "predictor",
                 lambda kw: {**kw, "predictor": "x"}),
                ("before is not a fitted model", "before",
                 lambda kw: {**kw, "before": "fit"})]),
    Spec("plot_shrinkage", lambda: {"raw": [1.0, 2.0, 6.0], "pooled": [1.5, 2.2, 5.8],
                                    "n": [3, 10, 40]},
         groups=3, arrays={"raw": Arr(), "pooled": Arr(), "n": Arr(positive=True),
                           "truth": Arr()},
         numbers={"mu": Num()}, flags=("logx",)),
    Spec("plot_funnel", lambda: {"estimates": [1.0, 2.0, 6.0, 3.0], "n": [3, 10, 40, 5],
                                 "sigma": 2.0},
         groups=4, arrays={"estimates": Arr(), "n": Arr(positive=True)}, labels=("labels",),
         numbers={"sigma": Num(minimum=0, strict=True), "center": Num(),
                  "n_labels": Num(minimum=0, integer=True)},
         extra=[("levels not a sequence", "levels", lambda kw: {**kw, "levels": 0.95}),
                ("a level outside (0, 1)", "levels", lambda kw: {**kw, "levels": (0.5, 1.5)}),
                ("four levels", "levels", lambda kw: {**kw, "levels": (0.5, 0.6, 0.7, 0.8)}),
                ("a level that is not a number", "levels",
                 lambda kw: {**kw, "levels": ("high",)})]),
    Spec("plot_pooling", lambda: {"estimates": _estimates()}, groups=3, frame="estimates",
         arrays={"n": Arr(positive=True), "truth": Arr()},
         extra=[("NaN in a column", "estimates",
                 lambda kw: {**kw, "estimates": _estimates().assign(**{"no pooling": np.nan})}),
                ("a text column", "estimates",
                 lambda kw: {**kw, "estimates": _estimates().assign(**{"no pooling": "x"})}),
                ("no columns", "estimates",
                 lambda kw: {**kw, "estimates": _estimates()[[]]})]),
    Spec("plot_group_panel", lambda: {"data": ROWS.copy(), "fit": FIT, "groups": ["a", "b"]},
         frame="data", columns={"y": Col("y"), "x": Col("x"), "group": Col("g", numeric=False)},
         numbers={"ncols": Num(minimum=1, integer=True), "jitter": Num(minimum=0),
                  "seed": Num(minimum=0, integer=True)},
         extra=[("fit is not a fitted model", "fit", lambda kw: {**kw, "fit": {"sigma": 1}}),
                ("groups is one string", "groups", lambda kw: {**kw, "groups": "a"}),
                ("an unknown group", "groups", lambda kw: {**kw, "groups": ["a", "zz"]}),
                ("no groups", "groups", lambda kw: {**kw, "groups": []}),
                ("xticklabels for too few values", "xticklabels",
                 lambda kw: {**kw, "xticklabels": ["low", "high"]})]),
    Spec("plot_caterpillar", lambda: {"fit": FIT}, options={"term": ["Intercept"]},
         numbers={"level": Num(minimum=0, maximum=1, strict=True)},
         extra=[("fit is not a fitted model", "fit", lambda kw: {**kw, "fit": "fit"}),
                ("highlight is one string", "highlight", lambda kw: {**kw, "highlight": "a"}),
                ("an unknown highlighted group", "highlight",
                 lambda kw: {**kw, "highlight": ["zz"]})]),
    Spec("pooling_explorer", lambda: {"raw": [1.0, 2.0, 6.0], "n": [3, 10, 40], "sigma": 2.0},
         groups=3, min_groups=2, arrays={"raw": Arr(), "n": Arr(positive=True), "truth": Arr()},
         numbers={"sigma": Num(minimum=0, strict=True)}, labels=("labels",),
         extra=[("raw without n", "n", lambda kw: {"raw": kw["raw"]})]),
    Spec("pooling_explorer", lambda: {"data": ROWS.copy(), "y": "y", "group": "g"},
         frame="data", columns=FRAME_COLUMNS, min_groups=2, variant="data=",
         extra=[("data without y", "y", lambda kw: {"data": kw["data"], "group": "g"})]),
    Spec("shrinkage_explorer", lambda: {"raw": [1.0, 2.0, 6.0], "n": [3, 10, 40],
                                        "sigma": 2.0, "tau": 1.0},
         groups=3, min_groups=2, arrays={"raw": Arr(), "n": Arr(positive=True)},
         numbers={"sigma": Num(minimum=0, strict=True), "tau": Num(minimum=0)},
         labels=("labels",),
         extra=[("an unknown focus group", "focus", lambda kw: {**kw, "focus": "nowhere"})]),
    Spec("shrinkage_explorer", lambda: {"data": ROWS.copy(), "y": "y", "group": "g"},
         frame="data", columns=FRAME_COLUMNS, min_groups=2, variant="data="),
    Spec("fit_beta_binomial", lambda: {"events": [0, 18, 8, 46], "n": [47, 148, 119, 810]},
         groups=4, min_groups=2,
         arrays={"events": Arr(nonnegative=True), "n": Arr(positive=True)},
         options={"method": ["ML", "moments"]}, labels=("labels",),
         numbers={"level": Num(minimum=0, maximum=1, strict=True)},
         extra=[("more events than trials", "events",
                 lambda kw: {**kw, "events": [0, 180, 8, 46]}),
                ("a fraction of an event", "events",
                 lambda kw: {**kw, "events": [0, 18.5, 8, 46]})]),
    Spec("fit_gamma_poisson", lambda: {"observed": [9, 39, 11, 9], "expected": [1.4, 8.7, 3.0,
                                                                                2.5]},
         groups=4, min_groups=2,
         arrays={"observed": Arr(nonnegative=True), "expected": Arr(positive=True)},
         options={"method": ["ML", "moments"]}, labels=("labels",),
         numbers={"level": Num(minimum=0, maximum=1, strict=True)}),
    Spec("funnel_limits", lambda: {"n": [47, 148, 119, 810], "target": 0.074}, groups=4,
         arrays={"n": Arr(positive=True, scalar_ok=True, linked=False)},
         numbers={"target": Num(minimum=0, maximum=1, strict=True),
                  "level": Num(minimum=0, maximum=1, strict=True),
                  "phi": Num(minimum=1)}),
    Spec("beta_binomial_posterior", lambda: {"deaths": [0, 18, 8, 46],
                                             "trials": [47, 148, 119, 810]},
         groups=4, min_groups=2,
         arrays={"deaths": Arr(nonnegative=True), "trials": Arr(positive=True)},
         options={"prior": ["bda3"]}, labels=("labels",),
         numbers={"grid": Num(minimum=20, integer=True)},
         extra=[("more deaths than trials", "deaths",
                 lambda kw: {**kw, "deaths": [0, 180, 8, 46]}),
                ("a fraction of a death", "deaths",
                 lambda kw: {**kw, "deaths": [0, 18.5, 8, 46]}),
                ("an improper posterior: every unit at 0 or n", "deaths",
                 lambda kw: {**kw, "deaths": [0, 0, 0, 0]})]),
    Spec("overdispersion_test", lambda: {"events": [0, 18, 8, 46], "n": [47, 148, 119, 810]},
         groups=4, min_groups=2,
         arrays={"events": Arr(nonnegative=True), "n": Arr(positive=True)},
         numbers={"target": Num(minimum=0, maximum=1, strict=True)}),
    Spec("rank_summary", lambda: {"draws": pd.DataFrame(
             np.random.default_rng(0).beta(2, 20, size=(50, 4)), columns=list("ABCD"))},
         flags=("highest_first",), numbers={"level": Num(minimum=0, maximum=1, strict=True)},
         extra=[("draws not a table", "draws", lambda kw: {**kw, "draws": "many"}),
                ("one-dimensional draws", "draws", lambda kw: {**kw, "draws": [1.0, 2.0]}),
                ("NaN among the draws", "draws",
                 lambda kw: {**kw, "draws": kw["draws"].where(kw["draws"] > 0.05)}),
                ("no draws", "draws", lambda kw: {**kw, "draws": kw["draws"].iloc[:0]}),
                ("a text column", "draws", lambda kw: {**kw, "draws": kw["draws"].assign(A="x")})]),
    Spec("plot_binomial_funnel", lambda: {"events": [0, 18, 8, 46], "n": [47, 148, 119, 810]},
         groups=4, arrays={"events": Arr(nonnegative=True), "n": Arr(positive=True)},
         labels=("labels",),
         numbers={"target": Num(minimum=0, maximum=1, strict=True),
                  "scale": Num(minimum=0, strict=True), "phi": Num(minimum=1)}),
    Spec("plot_rate_intervals", lambda: {"fit": ht.fit_beta_binomial([0, 18, 8, 46],
                                                                     [47, 148, 119, 810])},
         flags=("sort",), numbers={"scale": Num(minimum=0, strict=True)},
         extra=[("fit is not a rate fit", "fit", lambda kw: {**kw, "fit": FIT})]),
    Spec("plot_rank_intervals", lambda: {"ranks": ht.rank_summary(pd.DataFrame(
             np.random.default_rng(0).beta(2, 20, size=(50, 4)), columns=list("ABCD")))},
         frame="ranks",
         extra=[("ranks without the rank columns", "ranks",
                 lambda kw: {**kw, "ranks": pd.DataFrame({"a": [1.0]})})]),
    Spec("simulate_maps", lambda: {"n_maps": 5}, numbers={
        "n_maps": Num(minimum=1, integer=True), "n_districts": Num(minimum=2, integer=True),
        "mu": Num(), "tau": Num(minimum=0), "sigma": Num(minimum=0),
        "n_min": Num(minimum=1, integer=True), "n_max": Num(minimum=4, integer=True),
        "seed": Num(minimum=0, integer=True)}),
    Spec("estimate_tau_batch", lambda: {"y": [[28.0, 8.0, -3.0, 7.0], [1.0, 2.0, 3.0, 9.0]],
                                        "se": [15.0, 10.0, 16.0, 11.0]},
         options={"method": ["REML", "ML", "moments", "rough"]},
         extra=[("y one-dimensional", "y", lambda kw: {**kw, "y": [1.0, 2.0, 3.0, 4.0]}),
                ("y not numbers", "y", lambda kw: {**kw, "y": "maps"}),
                ("NaN in y", "y", lambda kw: {**kw, "y": [[np.nan, 1.0, 2.0, 3.0]] * 2}),
                ("one group per map", "y", lambda kw: {**kw, "y": [[1.0], [2.0]], "se": 1.0}),
                ("se for three groups", "se", lambda kw: {**kw, "se": [1.0, 2.0, 3.0]}),
                ("se not positive", "se", lambda kw: {**kw, "se": [15.0, 0.0, 16.0, 11.0]}),
                ("se not numbers", "se", lambda kw: {**kw, "se": "small"})]),
    Spec("tau_loglik", lambda: {"tau": [0.0, 5.0, 10.0], "y": [28.0, 8.0, -3.0, 7.0],
                                "se": [15.0, 10.0, 16.0, 11.0]},
         groups=4, min_groups=2, arrays={"y": Arr(), "se": Arr(positive=True, scalar_ok=True)},
         options={"method": ["REML", "ML"]},
         extra=[("a negative tau", "tau", lambda kw: {**kw, "tau": [-1.0, 2.0]}),
                ("tau not numbers", "tau", lambda kw: {**kw, "tau": "grid"}),
                ("NaN in tau", "tau", lambda kw: {**kw, "tau": [np.nan]})]),
    Spec("james_stein_batch", lambda: {"y": [[1.0, 2.0, 3.0, 6.0], [0.0, 1.0, 5.0, 2.0]],
                                       "sigma": 1.0},
         options={"target": ["mean"]}, numbers={"target": Num()},
         extra=[("too few groups toward the mean", "y",
                 lambda kw: {**kw, "y": [[1.0, 2.0, 3.0]]}),
                ("sigma not positive", "sigma", lambda kw: {**kw, "sigma": 0.0}),
                ("sigma not a number", "sigma", lambda kw: {**kw, "sigma": "one"})]),
    Spec("shrink_batch", lambda: {"y": [[1.0, 2.0, 3.0, 6.0], [0.0, 1.0, 5.0, 2.0]],
                                  "se": 1.0, "tau": [0.5, 2.0]},
         extra=[("y one-dimensional", "y", lambda kw: {**kw, "y": [1.0, 2.0, 3.0, 6.0]}),
                ("tau for three maps", "tau", lambda kw: {**kw, "tau": [0.5, 1.0, 2.0]}),
                ("a negative tau", "tau", lambda kw: {**kw, "tau": [-0.5, 2.0]}),
                ("se not positive", "se", lambda kw: {**kw, "se": -1.0})]),
    Spec("plot_sampling_distributions", lambda: {"estimates": {"a": [0.0, 0.5, 1.0],
                                                               "b": [0.2, 0.4, 0.9]},
                                                 "truth": 0.5},
         numbers={"truth": Num(), "bins": Num(minimum=1, integer=True)},
         extra=[("estimates not a table", "estimates", lambda kw: {**kw, "estimates": 3.0}),
                ("NaN among the estimates", "estimates",
                 lambda kw: {**kw, "estimates": {"a": [np.nan, 1.0]}}),
                ("no estimators", "estimates", lambda kw: {**kw, "estimates": {}})]),
    Spec("plot_bias_variance", lambda: {"bias_squared": [0.0, 1.0], "variance": [6.0, 2.0],
                                        "labels": ["raw", "shrunk"]},
         groups=2, arrays={"bias_squared": Arr(nonnegative=True),
                           "variance": Arr(nonnegative=True)}, labels=("labels",)),
    Spec("plot_efron_morris", lambda: {"raw": [0.40, 0.30, 0.20], "shrunk": [0.30, 0.27, 0.24],
                                       "truth": [0.35, 0.28, 0.25]},
         groups=3, arrays={"raw": Arr(), "shrunk": Arr(), "truth": Arr()}, labels=("labels",),
         numbers={"center": Num()}),
    Spec("plot_risk", lambda: {"distance": [0.0, 1.0, 2.0], "risk": [0.5, 0.7, 0.8]},
         groups=3, arrays={"distance": Arr(), "risk": Arr(nonnegative=True),
                           "mcse": Arr(nonnegative=True)}, numbers={"reference": Num()}),
    Spec("plot_tau_likelihood", lambda: {"tau": [0.0, 5.0, 10.0], "loglik": [-30.0, -30.2,
                                                                           -31.0]},
         groups=3, arrays={"tau": Arr(nonnegative=True), "loglik": Arr()},
         extra=[("tau not increasing", "tau", lambda kw: {**kw, "tau": [0.0, 10.0, 5.0]})]),
    Spec("tau_posterior", lambda: {"y": [28.0, 8.0, -3.0, 7.0], "se": [15.0, 10.0, 16.0, 11.0],
                                   "prior": "half-cauchy", "scale": 25.0},
         groups=4, min_groups=2, arrays={"y": Arr(), "se": Arr(positive=True, scalar_ok=True)},
         options={"prior": ["half-cauchy", "half-normal"]},
         extra=[("an improper prior", "prior", lambda kw: {**kw, "prior": "log-uniform"}),
                ("a scale that is not positive", "scale",
                 lambda kw: {**kw, "scale": 0.0}),
                ("a scale that is not a number", "scale", lambda kw: {**kw, "scale": "wide"}),
                ("a scale the uniform prior does not take", "scale",
                 lambda kw: {**kw, "prior": "uniform"}),
                ("a half-Cauchy prior without its scale", "scale",
                 lambda kw: {**kw, "scale": None})]),
    Spec("sample_posterior", lambda: {"y": [28.0, 8.0, -3.0, 7.0],
                                      "se": [15.0, 10.0, 16.0, 11.0], "draws": 50, "chains": 2,
                                      "warmup": 20, "prior": "half-normal", "scale": 10.0},
         groups=4, min_groups=2, arrays={"y": Arr(), "se": Arr(positive=True, scalar_ok=True)},
         options={"prior": ["half-cauchy", "half-normal"],
                  "parametrization": ["centered", "noncentered"]},
         numbers={"draws": Num(minimum=1, integer=True), "chains": Num(minimum=1, integer=True),
                  "warmup": Num(minimum=0, integer=True), "seed": Num(minimum=0, integer=True)}),
    *[Spec(name, lambda: {"x": np.random.default_rng(0).normal(size=(4, 100))},
           extra=[("one chain as a flat list", "x", lambda kw: {**kw, "x": [1.0, 2.0, 3.0]}),
                  ("not numbers", "x", lambda kw: {**kw, "x": "draws"}),
                  ("NaN among the draws", "x",
                   lambda kw: {**kw, "x": np.where(kw["x"] > 2, np.nan, kw["x"])}),
                  ("too few draws per chain", "x", lambda kw: {**kw, "x": kw["x"][:, :2]})])
      for name in ("rhat", "ess", "mcse")],
    Spec("plot_tau_posterior", lambda: {"posterior": ht.tau_posterior(
             [28.0, 8.0, -3.0, 7.0], [15.0, 10.0, 16.0, 11.0])},
         numbers={"tau_max": Num(minimum=0, strict=True)}, flags=("mark",),
         extra=[("posterior is not a result", "posterior",
                 lambda kw: {**kw, "posterior": [1.0, 2.0]})]),
    Spec("plot_theta_given_tau", lambda: {"posterior": ht.tau_posterior(
             [28.0, 8.0, -3.0, 7.0], [15.0, 10.0, 16.0, 11.0])},
         options={"stat": ["mean", "sd"]}, numbers={"tau_max": Num(minimum=0, strict=True)},
         extra=[("posterior is not a result", "posterior",
                 lambda kw: {**kw, "posterior": "post"})]),
    Spec("plot_trace", lambda: {"draws": np.random.default_rng(0).normal(size=(4, 100))},
         flags=("log",),
         extra=[("draws not numbers", "draws", lambda kw: {**kw, "draws": "trace"}),
                ("NaN among the draws", "draws",
                 lambda kw: {**kw, "draws": np.full((2, 10), np.nan)})]),
    Spec("plot_intervals", lambda: {"intervals": {"EB": pd.DataFrame(
             {"lower": [0.0, 1.0], "estimate": [1.0, 2.0], "upper": [2.0, 3.0]},
             index=["A", "B"])}},
         numbers={"reference": Num()},
         extra=[("intervals not a dict", "intervals", lambda kw: {**kw, "intervals": 3}),
                ("a table without its columns", "intervals",
                 lambda kw: {**kw, "intervals": {"EB": pd.DataFrame({"a": [1.0]})}}),
                ("no methods", "intervals", lambda kw: {**kw, "intervals": {}})]),
    Spec("slopes_cov", lambda: dict(SIGMA_COV), numbers=SLOPE_NUMBERS),
    Spec("shrink_slopes", lambda: {"data": ROWS.copy(), "y": "y", "x": "x", "group": "g",
                                   **SIGMA_COV, "sigma": 0.3},
         frame="data", columns={**FRAME_COLUMNS, "x": Col("x")}, min_groups=2,
         numbers={**SLOPE_NUMBERS, "sigma": Num(minimum=0, strict=True)}),
    Spec("plot_covariance_ellipse", lambda: {"mean": [2.0, 0.5],
                                             "cov": [[1.0, 0.1], [0.1, 0.04]]},
         extra=[("mean of three numbers", "mean", lambda kw: {**kw, "mean": [1.0, 2.0, 3.0]}),
                ("mean not numbers", "mean", lambda kw: {**kw, "mean": ["a", "b"]}),
                ("NaN in mean", "mean", lambda kw: {**kw, "mean": [np.nan, 0.5]}),
                ("cov not 2 x 2", "cov", lambda kw: {**kw, "cov": [1.0, 0.1, 0.1, 0.04]}),
                ("cov not symmetric", "cov", lambda kw: {**kw, "cov": [[1.0, 0.5], [0.1, 0.04]]}),
                ("cov not positive semi-definite", "cov",
                 lambda kw: {**kw, "cov": [[1.0, 0.9], [0.9, 0.04]]}),
                ("a level outside (0, 1)", "levels", lambda kw: {**kw, "levels": (0.5, 1.5)})]),
    Spec("plot_slopes_shrinkage", _own_and_pooled,
         extra=[("own with one column", "own",
                 lambda kw: {**kw, "own": kw["own"][["Intercept"]]}),
                ("pooled for fewer groups", "pooled",
                 lambda kw: {**kw, "pooled": kw["pooled"].iloc[:2]}),
                ("NaN in own", "own",
                 lambda kw: {**kw, "own": kw["own"].assign(x=[np.nan, 0.5, 0.7])}),
                ("own not numbers", "own", lambda kw: {**kw, "own": "lines"}),
                ("cov without mean", ("mean", "cov"), lambda kw: {**kw, "mean": None}),
                ("labels for too few groups", "labels", lambda kw: {**kw, "labels": ["a"]})]),
    Spec("plot_slopes_panel", lambda: {"data": ROWS.copy(), "fit": SLOPES_FIT,
                                       "groups": ["a", "b"]},
         frame="data", numbers={"ncols": Num(minimum=1, integer=True)},
         extra=[("fit is not a fitted model", "fit", lambda kw: {**kw, "fit": "fit"}),
                ("a varying-intercepts fit", "fit", lambda kw: {**kw, "fit": FIT}),
                ("an unknown group", "groups", lambda kw: {**kw, "groups": ["a", "zz"]}),
                ("groups is one string", "groups", lambda kw: {**kw, "groups": "a"})]),
    Spec("slopes_explorer", lambda: {"data": ROWS.copy(), "y": "y", "x": "x", "group": "g"},
         frame="data", columns={**FRAME_COLUMNS, "x": Col("x")}, min_groups=2,
         numbers={**SLOPE_NUMBERS, "sigma": Num(minimum=0, strict=True)},
         extra=[("an unknown focus group", "focus", lambda kw: {**kw, "focus": "nowhere"})]),
    # an unknown exercise id lists only its lesson's ids (the near miss is in lesson 01);
    # every id in any case is accepted: tests/exercises/test_core.py
    Spec("check", lambda: {"exercise": "01-complete-pooling", "answer": 4.9},
         options={"exercise": LESSON_01_EXERCISES}, flags=("strict",)),
    Spec("hint", lambda: {"exercise": "01-complete-pooling"},
         options={"exercise": LESSON_01_EXERCISES},
         numbers={"level": Num(minimum=1, integer=True)}),
    Spec("list_exercises", lambda: {"lesson": "01"}, options={"lesson": LESSONS},
         numbers={"lesson": Num(minimum=1, integer=True)}),
]


# --- generating the bad cases ---------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    spec: Spec
    kind: str
    arg: str | tuple[str, ...]            # the argument(s) the message must name (any of them)
    change: Callable[[dict], dict]
    lists: tuple[str, ...] = ()           # for unknown options: what the message must list

    @property
    def id(self) -> str:
        name = self.spec.function + (f"[{self.spec.variant}]" if self.spec.variant else "")
        arg = "|".join(self.arg) if isinstance(self.arg, tuple) else self.arg
        return f"{name}-{arg}-{self.kind}"


def _set(arg, value):
    return lambda kw: {**kw, arg: value}


def _good_array(spec: Spec, arg: str, kw: dict) -> list:
    """The valid call's value of `arg` as a list (a fresh one of length J if it is absent)."""
    value = kw.get(arg)
    if value is None:
        return list(np.linspace(1.0, 2.0, spec.groups))
    return list(np.atleast_1d(np.asarray(value, dtype=float)))


def _array_cases(spec: Spec, arg: str, kind: Arr) -> list[Case]:
    def edited(edit):
        def change(kw):
            values = _good_array(spec, arg, kw)
            return {**kw, arg: edit(values)}
        return change

    cases = [
        Case(spec, "wrong type: a string", arg, _set(arg, "abc")),
        Case(spec, "wrong type: text values", arg, edited(lambda v: ["a"] * len(v))),
        Case(spec, "wrong type: a dict", arg, edited(lambda v: {"a": 1.0})),
        Case(spec, "NaN", arg, edited(lambda v: [np.nan, *v[1:]])),
        Case(spec, "None inside", arg, edited(lambda v: [None, *v[1:]])),
        Case(spec, "empty", arg, _set(arg, [])),
    ]
    if not kind.allow_inf:
        cases.append(Case(spec, "inf", arg, edited(lambda v: [*v[:-1], np.inf])))
    if kind.positive or kind.nonnegative:
        cases.append(Case(spec, "negative", arg, edited(lambda v: [-1.0, *v[1:]])))
    if not kind.broadcast:
        cases.append(Case(spec, "two-dimensional", arg, edited(lambda v: [v, v])))
    if kind.linked and not kind.broadcast and spec.groups >= 2:
        cases.append(Case(spec, "mismatched length", arg, edited(lambda v: v[:-1]
                                                                  if len(v) > 1 else v * 2)))
    if kind.scalar_ok:
        cases.append(Case(spec, "NaN scalar", arg, _set(arg, float("nan"))))
    else:
        if not kind.broadcast:
            cases.append(Case(spec, "a scalar instead of one per group", arg, _set(arg, 3.0)))
    return cases


def _too_few_groups_arrays(spec: Spec) -> list[Case]:
    linked = [a for a, k in spec.arrays.items() if k.linked and not k.broadcast]
    if spec.min_groups < 2 or not linked:
        return []

    def change(kw):
        out = dict(kw)
        for arg in linked:
            if arg in kw and np.ndim(kw[arg]) > 0:
                out[arg] = list(np.asarray(kw[arg], dtype=float)[: spec.min_groups - 1])
        return out

    return [Case(spec, f"too few groups ({spec.min_groups - 1})", tuple(linked), change)]


def _number_cases(spec: Spec, arg: str, kind: Num) -> list[Case]:
    cases = [Case(spec, "wrong type: a string", arg, _set(arg, "abc")),
             Case(spec, "wrong type: a list", arg, _set(arg, [1.0, 2.0])),
             Case(spec, "wrong type: a bool", arg, _set(arg, True)),
             Case(spec, "NaN", arg, _set(arg, float("nan")))]
    if not kind.allow_inf:
        cases.append(Case(spec, "inf", arg, _set(arg, float("inf"))))
    if kind.integer:
        cases.append(Case(spec, "not a whole number", arg, _set(arg, 2.5)))
    if kind.minimum is not None:
        below = kind.minimum if kind.strict else kind.minimum - 1
        cases.append(Case(spec, "below the minimum", arg, _set(arg, below)))
    if kind.maximum is not None:
        above = kind.maximum if kind.strict else kind.maximum + 1
        cases.append(Case(spec, "above the maximum", arg, _set(arg, above)))
    return cases


def _option_cases(spec: Spec, arg: str, valid: list[str]) -> list[Case]:
    near_miss = valid[0] + "x"
    cases = [Case(spec, "unknown option", arg, _set(arg, near_miss), lists=tuple(valid))]
    if arg not in spec.numbers:  # options that are also numbers are covered as numbers
        cases.append(Case(spec, "wrong type: a number", arg, _set(arg, 5)))
    return cases


def _frame_cases(spec: Spec) -> list[Case]:
    frame = spec.frame
    cases = [
        Case(spec, "wrong type: a dict", frame, lambda kw: {**kw, frame: kw[frame].to_dict()}),
        Case(spec, "wrong type: an array", frame,
             lambda kw: {**kw, frame: kw[frame].to_numpy()}),
        Case(spec, "empty", frame, lambda kw: {**kw, frame: kw[frame].iloc[:0]}),
    ]
    for arg, col in spec.columns.items():
        cases += [
            Case(spec, "missing column", arg, _set(arg, "nope")),
            Case(spec, "wrong type: a number as column name", arg, _set(arg, 3.5)),
        ]

        def edit(values, arg=arg, col=col):
            return lambda kw: {**kw, arg: col.column,
                               frame: kw[frame].assign(**{col.column: values(kw[frame])})}

        if col.numeric:
            cases += [
                Case(spec, "non-numeric column", arg,
                     edit(lambda d, c=col.column: d[c].astype(str))),
                Case(spec, "NaN in column", arg,
                     edit(lambda d, c=col.column: d[c].where(d.index != 0, np.nan))),
                Case(spec, "inf in column", arg,
                     edit(lambda d, c=col.column: d[c].where(d.index != 1, np.inf))),
            ]
        else:
            cases.append(Case(spec, "missing group label", arg,
                              edit(lambda d, c=col.column: d[c].where(d.index != 0, None))))
            if spec.min_groups >= 2:
                cases.append(Case(spec, "too few groups (1)", arg, edit(lambda d: "a")))
    return cases


def _label_cases(spec: Spec, arg: str) -> list[Case]:
    labels = [f"g{j}" for j in range(spec.groups)]
    return [Case(spec, "wrong type: a string", arg, _set(arg, "abc")),
            Case(spec, "wrong type: a number", arg, _set(arg, 5)),
            Case(spec, "mismatched length", arg, _set(arg, labels[:-1])),
            Case(spec, "one label too many", arg, _set(arg, [*labels, "extra"]))]


def cases_of(spec: Spec) -> list[Case]:
    cases = []
    for arg, kind in spec.arrays.items():
        cases += _array_cases(spec, arg, kind)
    cases += _too_few_groups_arrays(spec)
    if spec.frame:
        cases += _frame_cases(spec)
    for arg, valid in spec.options.items():
        cases += _option_cases(spec, arg, valid)
    for arg, kind in spec.numbers.items():
        cases += _number_cases(spec, arg, kind)
    for arg in spec.flags:
        cases += [Case(spec, "wrong type: a string", arg, _set(arg, "yes")),
                  Case(spec, "wrong type: a number", arg, _set(arg, 2))]
    for arg in spec.labels:
        cases += _label_cases(spec, arg)
    cases += [Case(spec, description, arg, change) for description, arg, change in spec.extra]
    return cases


CASES = [case for spec in TABLE for case in cases_of(spec)]


# --- checking -------------------------------------------------------------------------------------

def _call(spec: Spec, kwargs: dict):
    return getattr(ht, spec.function)(**kwargs)


def assert_unchanged(before, after, where="argument"):
    """Deep comparison of an argument with the copy taken before the call."""
    if isinstance(before, pd.DataFrame):
        pd.testing.assert_frame_equal(after, before, obj=where)
    elif isinstance(before, pd.Series):
        pd.testing.assert_series_equal(after, before, obj=where)
    elif isinstance(before, np.ndarray):
        assert before.dtype == after.dtype and before.shape == after.shape, where
        assert np.array_equal(before, after, equal_nan=before.dtype.kind == "f"), where
    elif isinstance(before, dict):
        assert before.keys() == after.keys(), where
        for key in before:
            assert_unchanged(before[key], after[key], f"{where}[{key!r}]")
    elif isinstance(before, list | tuple):
        assert type(before) is type(after) and len(before) == len(after), where
        for i, (b, a) in enumerate(zip(before, after)):
            assert_unchanged(b, a, f"{where}[{i}]")
    elif isinstance(before, float) and np.isnan(before):
        assert isinstance(after, float) and np.isnan(after), where
    elif isinstance(before, ht.MixedModelResult):
        for name in ("fixed_effects", "random_effects", "group_sd"):
            assert_unchanged(getattr(before, name), getattr(after, name), f"{where}.{name}")
    elif dataclasses.is_dataclass(before):  # other results, e.g. a RateFit: field by field
        for f in dataclasses.fields(before):
            assert_unchanged(getattr(before, f.name), getattr(after, f.name),
                             f"{where}.{f.name}")
    else:
        assert before == after, where


def names(message: str, arg: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(arg)}(?![A-Za-z0-9_])", message) is not None


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_refused_clearly(case):
    kwargs = case.change(case.spec.valid())
    snapshot = copy.deepcopy(kwargs)
    with pytest.raises((ValueError, TypeError, KeyError)) as info:
        _call(case.spec, kwargs)
    last = Path(str(info.traceback[-1].path)).resolve()
    assert last.is_relative_to(PACKAGE), (
        f"raised by {last}, not by hiertools: {info.type.__name__}: {info.value}")
    message = str(info.value)
    expected = case.arg if isinstance(case.arg, tuple) else (case.arg,)
    assert any(names(message, arg) for arg in expected), (
        f"the message does not name {' or '.join(expected)}: {message}")
    for option in case.lists:
        assert repr(option) in message, f"the message does not list {option!r}: {message}"
    for key in snapshot:
        assert_unchanged(snapshot[key], kwargs[key], key)


@pytest.mark.parametrize("spec", TABLE, ids=[s.function + s.variant for s in TABLE])
def test_the_valid_call_works_and_changes_nothing(spec):
    kwargs = spec.valid()
    snapshot = copy.deepcopy(kwargs)
    _call(spec, kwargs)
    for key in snapshot:
        assert_unchanged(snapshot[key], kwargs[key], key)


def _fingerprint(result):
    """What a call returned, in a form two calls can be compared by (==)."""
    if isinstance(result, pd.DataFrame | pd.Series):
        return ("pandas", result.to_json(double_precision=15))
    if isinstance(result, np.ndarray):
        return ("array", result.shape, result.tobytes())
    if hasattr(result, "get_lines") and hasattr(result, "figure"):  # a matplotlib Axes
        fingerprint = ("axes", result.get_title(), result.get_xlabel(), result.get_ylabel(),
                       tuple(line.get_xydata().tobytes() for line in result.get_lines()),
                       tuple(text.get_text() for text in result.texts))
        __import__("matplotlib.pyplot").pyplot.close(result.figure)
        return fingerprint
    if dataclasses.is_dataclass(result):
        return tuple(_fingerprint(getattr(result, f.name)) for f in dataclasses.fields(result))
    if isinstance(result, list | tuple):
        return tuple(_fingerprint(item) for item in result)
    if isinstance(result, dict):
        return tuple((key, _fingerprint(value)) for key, value in result.items())
    if isinstance(result, float) and np.isnan(result):
        return "nan"
    if hasattr(result, "summary"):
        return ("summary", str(result.summary()))
    return ("repr", repr(result))


@pytest.mark.parametrize("spec", [s for s in TABLE if s.options], ids=lambda s: s.function)
def test_options_are_case_insensitive(spec):
    """"REML", "reml" and "Reml" give the same result, not merely no error."""
    for arg, valid in spec.options.items():
        for option in valid:
            results = []
            for spelling in (option, option.upper(), option.lower()):
                reset_attempts()  # a check's hint tier depends on earlier wrong attempts
                results.append(_fingerprint(_call(spec, {**spec.valid(), arg: spelling})))
            assert results[1] == results[0] and results[2] == results[0], (
                f"{spec.function}({arg}={option!r}) differs when spelt "
                f"{option.upper()!r} or {option.lower()!r}")


def test_every_public_function_is_in_the_battery():
    public = {name for name in ht.__all__ if callable(getattr(ht, name))}
    covered = {spec.function for spec in TABLE}
    missing = public - covered - set(EXEMPT)
    assert not missing, f"add a row to TABLE in tests/test_bad_input.py for {sorted(missing)}"
    assert not (covered - public), f"TABLE names non-public functions {covered - public}"
    assert not (set(EXEMPT) - public), "EXEMPT lists names that are no longer public"
