"""Instant feedback for the exercises.

``ht.check(exercise, answer)`` returns a :class:`Feedback`: *correct*, or which
part is off and a hint that points the way without giving the answer away.  It
never prints the expected value and never lets a traceback from inside the
package reach the learner: a wrong type, shape or a NaN gets a plain message.
``Feedback`` is truthy only when correct, so an autograder test cell can say
``assert ht.check(...)`` (or pass ``strict=True`` to raise with the message).

Expected answers are recomputed here from the same data the lesson uses, with
the package's public functions, so they cannot drift from the lesson.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

__all__ = ["check", "list_exercises", "Feedback"]

_ICONS = {"correct": "✅", "incorrect": "❌", "not answered": "✏️", "invalid": "⚠️"}
_COLORS = {"correct": "#e6f4ea", "incorrect": "#fdecea", "not answered": "#eef3fb",
           "invalid": "#fff4e5"}


@dataclass(frozen=True)
class Feedback:
    """The outcome of one check: status, what is off, and a hint."""

    exercise: str
    status: str
    message: str
    hint: str = ""

    def __bool__(self) -> bool:
        return self.status == "correct"

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def __repr__(self) -> str:
        text = f"{_ICONS[self.status]} [{self.exercise}] {self.status.upper()}: {self.message}"
        return text + (f"\n   Hint: {self.hint}" if self.hint else "")

    def _repr_html_(self) -> str:
        hint = f"<br><b>Hint:</b> {html.escape(self.hint)}" if self.hint else ""
        return (f'<div class="ht-feedback" style="background:{_COLORS[self.status]};'
                f'padding:6px 10px;border-radius:4px">{_ICONS[self.status]} '
                f"<b>{html.escape(self.exercise)} — {self.status}</b>: "
                f"{html.escape(self.message)}{hint}</div>")


@dataclass(frozen=True)
class _Exercise:
    title: str
    checker: Callable[[object], tuple[str, str]]
    hint: str


_EXERCISES: dict[str, _Exercise] = {}


def _exercise(key: str, title: str, hint: str):
    def register(function):
        _EXERCISES[key] = _Exercise(title, function, hint)
        return function

    return register


class _Wrong(Exception):
    """Raised by a checker: the answer is incorrect (status) with a message."""

    def __init__(self, message: str, status: str = "incorrect", hint: str | None = None):
        super().__init__(message)
        self.status, self.hint = status, hint


def list_exercises() -> dict[str, str]:
    """Exercise ids and titles that :func:`check` knows.

    Examples
    --------
    >>> import hiertools as ht
    >>> "01-no-pooling" in ht.list_exercises()
    True
    """
    return {key: ex.title for key, ex in _EXERCISES.items()}


def check(exercise: str, answer, *, strict: bool = False) -> Feedback:
    """Check an exercise answer and say what is right or off, without revealing the answer.

    Parameters
    ----------
    exercise : str
        Exercise id, as written in the lesson (see :func:`list_exercises`).
    answer : object
        Your answer (leave it as ``None`` until you have one).
    strict : bool
        Raise ``AssertionError`` with the feedback unless correct (for autograders).

    Returns
    -------
    Feedback
        Displays as a coloured box in a notebook; truthy only when correct.

    Examples
    --------
    >>> import hiertools as ht
    >>> ht.check("01-complete-pooling", None)
    ✏️ [01-complete-pooling] NOT ANSWERED: ...
    >>> bool(ht.check("01-complete-pooling", "five"))
    False
    """
    if exercise not in _EXERCISES:
        raise ValueError(f"exercise={exercise!r} is unknown; known exercises: "
                         f"{sorted(_EXERCISES)}.")
    spec = _EXERCISES[exercise]
    if answer is None or answer is Ellipsis:
        feedback = Feedback(exercise, "not answered",
                            "no answer yet: replace the `raise NotImplementedError()` line with "
                            "your code and assign the result.", spec.hint)
    else:
        try:
            message = spec.checker(answer)
            feedback = Feedback(exercise, "correct", message)
        except _Wrong as wrong:
            feedback = Feedback(exercise, wrong.status, str(wrong),
                                spec.hint if wrong.hint is None else wrong.hint)
        except Exception as error:  # an answer so odd the checker tripped: still no traceback
            feedback = Feedback(exercise, "invalid",
                                f"could not read your answer ({type(error).__name__}); "
                                "check its type against the exercise text.", spec.hint)
    if strict and not feedback:
        raise AssertionError(repr(feedback))
    return feedback


# --- helpers ---------------------------------------------------------------------------------

def _as_number(answer, what: str) -> float:
    if isinstance(answer, bool) or isinstance(answer, str | bytes):
        raise _Wrong(f"{what} should be a number, got {type(answer).__name__}.", "invalid")
    if isinstance(answer, pd.Series | pd.DataFrame | np.ndarray | list | tuple):
        values = np.asarray(answer, dtype=object).ravel()
        if values.size == 1:
            answer = values[0]
        else:
            raise _Wrong(f"{what} should be a single number, got {values.size} values.", "invalid")
    try:
        value = float(answer)
    except (TypeError, ValueError):
        raise _Wrong(f"{what} should be a number, got {type(answer).__name__}.", "invalid") from None
    if not np.isfinite(value):
        raise _Wrong(f"{what} is {value}; it should be a finite number.", "invalid")
    return value


def _as_series(answer, what: str, expected: pd.Series) -> pd.Series:
    if isinstance(answer, pd.DataFrame):
        if answer.shape[1] != 1:
            raise _Wrong(f"{what} should be a Series (one value per group), but you gave a "
                         f"DataFrame with {answer.shape[1]} columns; select one column.", "invalid")
        answer = answer.iloc[:, 0]
    if not isinstance(answer, pd.Series):
        raise _Wrong(f"{what} should be a pandas Series indexed by group, got "
                     f"{type(answer).__name__}.", "invalid")
    if len(answer) != len(expected):
        raise _Wrong(f"{what} should have one value per group ({len(expected)}), "
                     f"got {len(answer)}.", "invalid")
    if set(map(str, answer.index)) != set(map(str, expected.index)):
        raise _Wrong(f"the index of {what} should be the group labels (e.g. "
                     f"{expected.index[0]!r}); did the labels end up in a column instead?",
                     "invalid")
    answer = answer.copy()
    answer.index = answer.index.map(str)
    try:
        values = answer.reindex(expected.index.map(str)).astype(float)
    except (TypeError, ValueError):
        raise _Wrong(f"{what} should hold numbers.", "invalid") from None
    if values.isna().any():
        raise _Wrong(f"{what} contains NaN for {int(values.isna().sum())} group(s).", "invalid")
    return values


def _reject_known_mistakes(value: float, mistakes, *, atol: float = 0.0, rtol: float = 0.0):
    """Raise with the message of the first typical wrong answer that `value` matches.

    `mistakes` is an exercise's table of misconceptions, in order of priority: pairs of
    (the wrong value -- or a tuple of equivalent ones -- and what it means).
    """
    for wrong, message in mistakes:
        if np.any(np.isclose(value, np.atleast_1d(wrong), atol=atol, rtol=rtol)):
            raise _Wrong(message)


def _labels(answer, what: str) -> list[str]:
    if isinstance(answer, pd.DataFrame):
        column = next((c for c in answer.columns if str(c).lower() in ("district", "group")), None)
        answer = answer[column] if column is not None else answer.index
    elif isinstance(answer, pd.Series):
        answer = answer if answer.dtype == object or answer.dtype == "string" else answer.index
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        raise _Wrong(f"{what} should be a list (or Index) of district labels.", "invalid")
    return [str(a) for a in answer]


# --- lesson 01 ---------------------------------------------------------------------------------
# The data of lesson 01: the seed's districts, observation by observation, and a larger map.
LESSON01_AREAS = {"n_districts": 300, "tau": 0.5, "seed": 2}


def _lesson01_observations() -> pd.DataFrame:
    from .data import simulate_districts

    return simulate_districts(observations=True)


@_exercise("01-no-pooling", "No-pooling estimate of every district's rate",
           "group the rows by district, then average y within each group.")
def _check_no_pooling(answer):
    data = _lesson01_observations()
    expected = data.groupby("district")["y"].mean()
    got = _as_series(answer, "your answer", expected)
    if np.allclose(got, data["y"].mean()):
        raise _Wrong("every district has the same value: that is complete pooling, not no pooling.")
    if not np.allclose(got, expected, rtol=1e-9, atol=1e-9):
        bad = int((~np.isclose(got, expected, rtol=1e-9, atol=1e-9)).sum())
        raise _Wrong(f"{bad} of {len(expected)} districts have the wrong value.")
    return "each district's own mean, computed from its own observations only."


@_exercise("01-complete-pooling", "Complete-pooling estimate (one number for all districts)",
           "complete pooling ignores the districts: use every observation once.")
def _check_complete_pooling(answer):
    data = _lesson01_observations()
    if isinstance(answer, pd.Series) and answer.size > 1 and answer.nunique() == 1:
        answer = answer.iloc[0]
    value = _as_number(answer, "your answer")
    mean_of_means = data.groupby("district")["y"].mean().mean()
    if np.isclose(value, mean_of_means, rtol=1e-9):
        raise _Wrong("that is the average of the 12 district means, which counts a district of "
                     "4 people as much as one of 57. Complete pooling treats every observation "
                     "alike.", hint="average all observations, not the district averages.")
    if not np.isclose(value, data["y"].mean(), rtol=1e-9):
        raise _Wrong("that is not the overall mean of the observations.")
    return "the overall mean of all observations: large districts count more."


@_exercise("01-extremes", "The 10 most extreme areas on the 300-area map",
           "measure each area's distance from the overall mean, take absolute values, and "
           "keep the 10 largest.")
def _check_extremes(answer):
    from .data import simulate_districts

    areas = simulate_districts(**LESSON01_AREAS)
    center = np.average(areas["raw"], weights=areas["n"])
    distance = (areas["raw"] - center).abs()
    expected = set(areas.loc[distance.nlargest(10).index, "district"])
    got = _labels(answer, "your answer")
    if len(got) != 10:
        raise _Wrong(f"give exactly 10 areas, you gave {len(got)}.", "invalid")
    unknown = [g for g in got if g not in set(areas["district"])]
    if unknown:
        raise _Wrong(f"{len(unknown)} label(s) are not areas of the map, e.g. {unknown[0]!r}; "
                     "use the 'district' labels.", "invalid")
    top = set(areas.loc[areas["raw"].nlargest(10).index, "district"])
    if set(got) == top:
        raise _Wrong("those are the 10 highest rates; 'extreme' means far from the mean in "
                     "either direction.")
    right = len(set(got) & expected)
    if right != 10:
        raise _Wrong(f"{right} of your 10 areas are among the 10 most extreme.")
    return "those are the 10 areas farthest from the overall mean. Now look at their sizes."


@_exercise("01-new-district", "Partially pooled estimate for a new district (n = 8, raw 9.0)",
           "find the district's weight w with ht.shrinkage_weights, then average its raw "
           "rate and mu_hat with weights w and 1 - w.")
def _check_new_district(answer):
    from .data import simulate_districts
    from .empirical_bayes import estimate_tau
    from .shrinkage import pooled_mean, shrinkage_weights

    d = simulate_districts()
    tau_hat = estimate_tau(d["raw"], 3.0 / np.sqrt(d["n"]), method="REML")
    mu_hat = pooled_mean(d["raw"], d["n"], tau_hat, 3.0)
    w = shrinkage_weights(tau_hat, 3.0, 8)
    value = _as_number(answer, "your answer")
    _reject_known_mistakes(value, [
        ((9.0 + mu_hat) / 2, "that is the 50/50 average of the raw rate and the overall mean; "
                             "partial pooling weights the district by how reliable its 8 cases "
                             "are."),
        (9.0, "that is the raw rate (no pooling); the estimate should move toward mu_hat."),
        (mu_hat, "that is mu_hat itself (complete pooling); the district's own data should "
                 "count for something."),
        ((1 - w) * 9.0 + w * mu_hat, "the weights are swapped: w goes with the district's own "
                                     "raw rate."),
    ], atol=5e-3)
    if not np.isclose(value, w * 9.0 + (1 - w) * mu_hat, atol=5e-3):
        raise _Wrong("that is not the partially pooled estimate (2 decimals are enough).")
    return "the new district keeps part of its high rate and borrows the rest from the others."


# --- lesson 02 ---------------------------------------------------------------------------------
# (lesson 02 checks go here)
# The data of lesson 02: Minnesota radon, the varying-intercept fit with floor, and the stretch
# section's fit with log uranium as a county-level predictor.
LESSON02 = {"county_prediction": "MILLE LACS", "new_county_log_uranium": 0.5, "n_moved": 5}




@cache
def _lesson02_fits():
    """(fit, fit_u, no/complete-pooling lines), fitted once per session (results are immutable)."""
    from .data import load
    from .mixed import fit_varying_intercepts
    from .pooling import _regression_lines

    radon = load("radon")
    fit = fit_varying_intercepts(radon, "log_radon", "county", x="floor")
    fit_u = fit_varying_intercepts(radon, "log_radon", "county", x=["floor", "log_uranium"])
    return fit, fit_u, _regression_lines(radon, "log_radon", "floor", "county")


def _icc(fit) -> float:
    tau2, sigma2 = float(fit.group_sd["Intercept"]) ** 2, fit.sigma ** 2
    return tau2 / (tau2 + sigma2)


@_exercise("02-icc", "Intraclass correlation of the model with log uranium (fit_u)",
           "the intraclass correlation is a ratio of variances (squared SDs): the between-county "
           "variance over the total variance. Both SDs are attributes of fit_u.")
def _check_icc(answer):
    fit, fit_u, _ = _lesson02_fits()
    value = _as_number(answer, "your answer")
    tau, sigma = float(fit_u.group_sd["Intercept"]), fit_u.sigma

    _reject_known_mistakes(value, [
        (_icc(fit), "that is the intraclass correlation of `fit`, the model without log "
                    "uranium; use fit_u."),
        (100 * _icc(fit_u), "that looks like a percentage; give the share as a fraction between "
                            "0 and 1."),
        ((tau / (tau + sigma), tau / np.hypot(tau, sigma)),
         "you combined standard deviations; the intraclass correlation is a ratio of variances, "
         "so square the SDs first."),
        (sigma ** 2 / (tau ** 2 + sigma ** 2),
         "that is the share of the variance *within* counties (houses around their county); the "
         "intraclass correlation is the share *between* counties."),
        (tau ** 2 / sigma ** 2, "divide the between-county variance by the total variance, "
                                "tau² + sigma², not by sigma² alone."),
    ], atol=1e-3)
    if not 0 <= value <= 1:
        raise _Wrong("a share of variance lies between 0 and 1.")
    if not np.isclose(value, _icc(fit_u), atol=1e-3, rtol=0):
        raise _Wrong("that is not the intraclass correlation of fit_u (3 decimals are enough).")
    return ("about 4% of the remaining variance in log radon lies between counties, once floor "
            "and uranium are accounted for — down from about 16% in `fit`.")


@_exercise("02-county-prediction",
           "Predicted log radon for a first-floor measurement in MILLE LACS (partial pooling)",
           "a known county's line is its own intercept (fixed intercept + its random effect) "
           "plus the floor coefficient times floor = 1; fit.predict() does it for you if you "
           "give it a one-row DataFrame.")
def _check_county_prediction(answer):
    fit, _, (cp_a, cp_b, np_a, np_b) = _lesson02_fits()
    county = LESSON02["county_prediction"]
    value = _as_number(answer, "your answer")
    mu, beta = (float(v) for v in fit.fixed_effects[["Intercept", "floor"]])
    alpha = mu + float(fit.random_effects.loc[county, "Intercept"])
    expected = alpha + beta

    _reject_known_mistakes(value, [
        (np.exp(expected), "that is on the pCi/L scale; the question asks for log radon (the "
                           "model's scale), so leave out the exp()."),
        (alpha, "that is the county's basement level (floor = 0); add the floor effect for a "
                "first-floor measurement."),
        (mu + beta, "that is the prediction for an average (or new) county; MILLE LACS is in the "
                    "data, so its own estimated county effect counts too."),
        ((np_a[county] + np_b, np_a[county] + beta),
         "that uses the no-pooling intercept, which rests on just 2 houses; use the partially "
         "pooled one from the mixed model (fit)."),
        (cp_a + cp_b, "that is the complete-pooling line, which ignores the county altogether."),
        (alpha - mu + beta, "fit.random_effects are deviations from the fixed intercept; add "
                            "fit.fixed_effects['Intercept'] too."),
    ], atol=5e-3)
    if not np.isclose(value, expected, atol=5e-3, rtol=0):
        raise _Wrong("that is not the partial-pooling prediction (3 decimals are enough).")
    return ("the county's partially pooled intercept plus the floor effect: its two houses pull "
            "it only part of the way from the average county.")


def _two_numbers(answer, what: str) -> tuple[float, float]:
    if isinstance(answer, str | bytes | dict) or not hasattr(answer, "__iter__"):
        raise _Wrong(f"{what} should be two numbers (lower, upper), e.g. a tuple, got "
                     f"{type(answer).__name__}.", "invalid")
    try:
        values = np.asarray(list(np.ravel(np.asarray(answer, dtype=object))), dtype=float)
    except (TypeError, ValueError):
        raise _Wrong(f"{what} should hold two numbers.", "invalid") from None
    if values.size != 2:
        raise _Wrong(f"{what} should be two numbers (lower, upper), got {values.size}.", "invalid")
    if not np.isfinite(values).all():
        raise _Wrong(f"{what} contains NaN or infinite values.", "invalid")
    if values[0] >= values[1]:
        raise _Wrong(f"{what} should be (lower, upper), lower end first.", "invalid")
    return float(values[0]), float(values[1])


@_exercise("02-new-county-interval",
           "95% prediction interval (pCi/L) for a basement in a new county with log uranium 0.5",
           "on the log scale: centre = intercept + uranium coefficient × 0.5 (from fit_u); the "
           "SD adds two variances, the house's (sigma²) and the unknown county's (tau²). "
           "Then exponentiate both ends.")
def _check_new_county_interval(answer):
    fit, fit_u, _ = _lesson02_fits()
    lo, hi = _two_numbers(answer, "your answer")
    u = LESSON02["new_county_log_uranium"]
    z = 1.959964
    b0, bu = float(fit_u.fixed_effects["Intercept"]), float(fit_u.fixed_effects["log_uranium"])
    tau, sigma = float(fit_u.group_sd["Intercept"]), fit_u.sigma
    center, sd = b0 + bu * u, float(np.hypot(tau, sigma))

    def matches(c, s, log=False):
        want = np.array([c - z * s, c + z * s])
        want = want if log else np.exp(want)
        return bool(np.allclose([lo, hi], want, rtol=1e-2, atol=0))

    if matches(center, sd, log=True):
        raise _Wrong("that interval is on the log scale; exponentiate both ends to get pCi/L.")
    if matches(center, sigma):
        raise _Wrong("too narrow: that covers only the house-to-house spread (sigma). A new "
                     "county's own effect is unknown too, so its variance tau² adds in.")
    if matches(center, tau + sigma):
        raise _Wrong("too wide: you added the SDs. Independent sources of uncertainty add as "
                     "variances: square, add, then take the square root.")
    if matches(center, tau):
        raise _Wrong("too narrow: that is only the spread of county effects (tau); one house "
                     "also varies around its county's level (sigma).")
    fit_center = float(fit.fixed_effects["Intercept"])
    fit_sd = float(np.hypot(float(fit.group_sd["Intercept"]), fit.sigma))
    if matches(fit_center, fit_sd) or matches(fit_center + bu * u, fit_sd):
        raise _Wrong("that uses `fit`, the model without uranium; this county's uranium is "
                     "known, so use fit_u.")
    if matches(b0, sd):
        raise _Wrong("the centre ignores the county's uranium: add the log_uranium coefficient "
                     "times 0.5.")
    if not matches(center, sd):
        log_mid, log_half = (np.log(lo) + np.log(hi)) / 2, (np.log(hi) - np.log(lo)) / 2
        parts = []
        if not np.isclose(log_mid, center, atol=0.02):
            parts.append("its centre (on the log scale)")
        if not np.isclose(log_half, z * sd, rtol=0.02):
            parts.append("its width")
        raise _Wrong("that is not the 95% prediction interval; check "
                     + (" and ".join(parts) or "both ends") + " (use z = 1.96, not a simulation).")
    return ("a wide interval: even knowing the soil, one house's radon is uncertain by a factor "
            "of about 4.5 either way — mostly house-to-house variation.")


def _county_labels(answer, what: str) -> list[str]:
    if isinstance(answer, pd.DataFrame):
        answer = answer["county"] if "county" in answer.columns else answer.index
    elif isinstance(answer, pd.Series) and pd.api.types.is_numeric_dtype(answer.dtype):
        answer = answer.index
    if isinstance(answer, str | bytes | dict) or not hasattr(answer, "__iter__"):
        raise _Wrong(f"{what} should be a list of county names, got {type(answer).__name__}.",
                     "invalid")
    return [str(a) for a in answer]


@_exercise("02-moved-most", "The 5 counties whose intercept moved most under partial pooling",
           "subtract the partially pooled intercepts from the no-pooling ones, take absolute "
           "values, and keep the 5 largest; give the county names.")
def _check_moved_most(answer):
    fit, _, (_, _, np_a, _) = _lesson02_fits()
    k = LESSON02["n_moved"]
    partial = fit.group_coefs["Intercept"]
    moved = np_a - partial
    expected = set(moved.abs().nlargest(k).index)
    got = _county_labels(answer, "your answer")
    if len(got) != k:
        raise _Wrong(f"give exactly {k} counties, you gave {len(got)}.", "invalid")
    if len(set(got)) != k:
        raise _Wrong("a county appears twice in your answer; list each one once.", "invalid")
    unknown = [g for g in got if g not in set(partial.index)]
    if unknown:
        raise _Wrong(f"{len(unknown)} name(s) are not counties of the data, e.g. {unknown[0]!r}; "
                     "use the county names as written in the data (upper case).", "invalid")
    if set(got) == expected:
        return "right: now look up their sizes n_j (fit.group_sizes)."
    if set(got) == set(moved.nlargest(k).index) or set(got) == set(moved.nsmallest(k).index):
        raise _Wrong("movement counts in either direction: take absolute values.")
    if set(got) == set(fit.random_effects["Intercept"].abs().nlargest(k).index):
        raise _Wrong("those are the counties whose partially pooled intercept is farthest from "
                     "the average county; the question is how far each one *moved* from its "
                     "no-pooling estimate.")
    if set(got) == set((np_a - np_a.mean()).abs().nlargest(k).index):
        raise _Wrong("those are the most extreme no-pooling estimates; the question is how far "
                     "each one moved from no pooling to partial pooling.")
    raise _Wrong(f"{len(set(got) & expected)} of your {k} counties are among the {k} that "
                 "moved most.")


# --- lesson 03 ---------------------------------------------------------------------------------
# (lesson 03 checks go here)
def _lesson03_fit():
    """tau, sigma and Lac qui Parle's n from lesson 02's model, as lesson 03 uses them."""
    fit = _lesson02_fits()[0]
    n_lqp = int(fit.group_sizes["LAC QUI PARLE"])
    return float(fit.group_sd["Intercept"]), float(fit.sigma), n_lqp


@_exercise("03-half-weight-tau", "The tau at which Lac qui Parle's weight is one half",
           "set w = 1/2 in w = tau^2 / (tau^2 + sigma^2 / n) and solve for tau.")
def _check_half_weight_tau(answer):
    _, sigma, n = _lesson03_fit()
    value = _as_number(answer, "your answer")
    _reject_known_mistakes(value, [
        (sigma**2 / n, "that is tau squared; the question asks for tau (a standard deviation)."),
        (sigma, "that would be right for a county with one home; Lac qui Parle has two."),
    ], rtol=1e-4)
    if value < 0:
        raise _Wrong("tau is a standard deviation, so it cannot be negative.", "invalid")
    if not np.isclose(value, sigma / np.sqrt(n), rtol=1e-4):
        raise _Wrong("at that tau the weight is not one half.")
    return "at tau = sigma / sqrt(n) the county's own data and the overall mean count equally."


@_exercise("03-posterior-sd", "Posterior SD of Lac qui Parle's intercept",
           "precisions add: the posterior precision is 1/tau^2 + n/sigma^2.")
def _check_posterior_sd(answer):
    tau, sigma, n = _lesson03_fit()
    value = _as_number(answer, "your answer")
    expected = 1 / np.sqrt(1 / tau**2 + n / sigma**2)
    _reject_known_mistakes(value, [
        (expected**2, "that is the posterior variance; take its square root."),
        (np.sqrt(tau**2 + sigma**2 / n), "that is the SD of the raw mean around mu (variances "
                                         "added); for the posterior, add precisions instead."),
        (sigma / np.sqrt(n), "that is the standard error of the raw mean alone (no pooling); "
                             "the prior adds information too."),
    ], rtol=1e-4)
    if not np.isclose(value, expected, rtol=1e-4):
        raise _Wrong("that is not the posterior standard deviation.")
    return "smaller than both tau and sigma / sqrt(n): prior and data each add information."


@_exercise("03-n-for-weight", "Smallest county size with weight at least 0.9",
           "solve tau^2 / (tau^2 + sigma^2 / n) >= 0.9 for n, then round up to a whole number.")
def _check_n_for_weight(answer):
    tau, sigma, _ = _lesson03_fit()
    value = _as_number(answer, "your answer")
    exact = 9 * sigma**2 / tau**2
    expected = int(np.ceil(exact))
    if value != int(value):
        raise _Wrong("give a whole number of homes.", "invalid",
                     hint="you found where the weight is exactly 0.9; now round up.")
    if int(value) == int(np.floor(exact)):
        raise _Wrong("with that many homes the weight is still just below 0.9; round up.")
    if int(value) == int(np.ceil(sigma**2 / tau**2)):
        raise _Wrong("that is where the weight reaches one half, not 0.9.")
    if int(value) != expected:
        raise _Wrong("at that size the weight is not the first one to reach 0.9.")
    return "that is the smallest county size whose own data get at least 90% of the weight."
