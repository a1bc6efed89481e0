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
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hiertools as ht
from hiertools.exercises._core import _REGISTRY

PACKAGE = Path(ht.__file__).resolve().parent

# Public callables that take no arguments or are result types nobody builds by hand.
EXEMPT = {
    "list_datasets": "takes no arguments",
    "MixedModelResult": "the result type of the fits; built by them, not by learners",
    "Feedback": "the result type of ht.check; built by it, not by learners",
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
LESSONS = sorted({key.split("-", 1)[0] for key in _REGISTRY})


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
    Spec("plot_county_panel", lambda: {"data": ROWS.copy(), "fit": FIT, "groups": ["a", "b"]},
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
    Spec("check", lambda: {"exercise": "01-complete-pooling", "answer": 4.9},
         options={"exercise": sorted(_REGISTRY)}, flags=("strict",)),
    Spec("hint", lambda: {"exercise": "01-complete-pooling"},
         options={"exercise": sorted(_REGISTRY)}, numbers={"level": Num(minimum=1, integer=True)}),
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
                Case(spec, "non-numeric column", arg, edit(lambda d: d[col.column].astype(str))),
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


@pytest.mark.parametrize("spec", [s for s in TABLE if s.options], ids=lambda s: s.function)
def test_options_are_case_insensitive(spec):
    for arg, valid in spec.options.items():
        for option in valid:
            for spelling in (option.upper(), option.lower()):
                _call(spec, {**spec.valid(), arg: spelling})


def test_every_public_function_is_in_the_battery():
    public = {name for name in ht.__all__ if callable(getattr(ht, name))}
    covered = {spec.function for spec in TABLE}
    missing = public - covered - set(EXEMPT)
    assert not missing, f"add a row to TABLE in tests/test_bad_input.py for {sorted(missing)}"
    assert not (covered - public), f"TABLE names non-public functions {covered - public}"
    assert not (set(EXEMPT) - public), "EXEMPT lists names that are no longer public"
