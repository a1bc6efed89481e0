"""Input validation: the one layer every public function goes through, once, at the door.

Errors are part of the interface (in the spirit of scikit-learn's ``check_scalar`` and
``check_consistent_length``): each validator raises ``TypeError`` (wrong kind of thing) or
``ValueError`` (right kind, wrong value) with a message that names the argument, shows the
value that was wrong and says what to do instead.  Validators return the cleaned value
(a float, a float array, the canonical spelling of an option, a random Generator, a
varying-slopes data set's sufficient statistics), so a public function validates its
arguments once and hands them to the unvalidated kernels of :mod:`hiertools._kernels`.
Every check that more than one module needs lives here; nothing here mutates its input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from difflib import get_close_matches

import numpy as np
import pandas as pd

from ._kernels import regression

__all__ = ["check_frame", "check_column", "check_group_column", "check_array", "check_scalar",
           "check_bool", "check_consistent_length", "check_labels", "group_labels",
           "check_numbers", "check_maps", "check_map_se", "check_cov", "check_counts",
           "check_seed", "check_option", "check_chains", "check_slope_data",
           "common_index", "like_input"]


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- DataFrames and their columns ---------------------------------------------------------------

def check_frame(data, name: str = "data") -> pd.DataFrame:
    """Return `data` if it is a non-empty DataFrame, else raise saying how to make one."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"{name} must be a pandas DataFrame, got {type(data).__name__}; "
            f"build one with pandas.DataFrame({{...}}) or load one with ht.load(name)."
        )
    if len(data) == 0:
        raise ValueError(f"{name} is empty (0 rows); pass a DataFrame with data in it.")
    return data


def check_column(data: pd.DataFrame, column, arg: str, *, numeric: bool = True,
                 finite: bool = True) -> None:
    """Check that `column` exists in `data` (and is numeric, and finite, if asked)."""
    if not isinstance(column, str | int) or isinstance(column, bool):
        raise TypeError(f"{arg} must be a column name (a string), got {_short(column)}.")
    if column not in data.columns:
        close = get_close_matches(str(column), [str(c) for c in data.columns], n=1)
        guess = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"{arg}={column!r} is not a column of data.{guess} The columns are "
            f"{list(data.columns)}."
        )
    if numeric:
        values = data[column]
        if values.dtype == bool:
            return
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_complex_dtype(values):
            raise TypeError(
                f"{arg}={column!r} must be a numeric column, but it has dtype {values.dtype}; "
                f"convert it, e.g. data[{column!r}].astype(float) or pandas.to_numeric()."
            )
        if not finite:
            return
        ok = np.isfinite(values.to_numpy(dtype=float))
        if not ok.all():
            bad = int((~ok).sum())
            raise ValueError(
                f"{arg}={column!r} has {bad} missing or infinite value(s); drop or impute them "
                f"first, e.g. data.dropna(subset=[{column!r}])."
            )


def check_group_column(data: pd.DataFrame, column, arg: str = "group") -> None:
    """Check that the grouping column exists and has no missing labels."""
    check_column(data, column, arg, numeric=False)
    if data[column].isna().any():
        raise ValueError(
            f"{arg}={column!r} has missing labels; drop those rows first, "
            f"e.g. data.dropna(subset=[{column!r}])."
        )


# --- numbers and arrays of numbers --------------------------------------------------------------

def _as_floats(x, name: str) -> np.ndarray:
    """`x` as a new float array, or a TypeError naming `name` (booleans are not numbers here)."""
    kind = "a number or an array of numbers"
    if isinstance(x, str | bytes | dict | set | pd.DataFrame) or x is None:
        raise TypeError(f"{name} must be {kind}, got {_short(x)}.")
    try:
        if isinstance(x, pd.Series | pd.Index):  # nullable dtypes: pd.NA becomes NaN
            arr = x.to_numpy(dtype=float, na_value=np.nan, copy=True)
        else:
            arr = np.array(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be {kind}, got {_short(x)}.") from None
    if np.asarray(x).dtype == bool:
        raise TypeError(f"{name} must hold numbers, got booleans {_short(x)}; convert them, "
                        f"e.g. {name}.astype(int), if you mean 0 and 1.")
    return arr


def check_array(x, name: str, *, allow_scalar: bool = False, ndim: int | None = 1,
                positive: bool = False, nonnegative: bool = False, allow_inf: bool = False,
                min_size: int = 1) -> np.ndarray:
    """`x` as a float array of finite numbers (a new array; `x` is never changed).

    Parameters
    ----------
    x : array_like
        A list, tuple, numpy array or pandas Series of numbers (a scalar too, if
        `allow_scalar`: then a 0-d array is returned).
    name : str
        The argument's name, for the error message.
    ndim : int or None
        The number of dimensions required (default 1: one value per group); None
        accepts any shape (arguments that broadcast).
    positive, nonnegative : bool
        Require every value to be > 0 (or >= 0).
    allow_inf : bool
        Accept ``np.inf`` (NaN is never accepted).
    min_size : int
        The fewest values accepted.
    """
    arr = _as_floats(x, name)
    if arr.ndim == 0 and not allow_scalar:
        raise TypeError(f"{name} must be an array of numbers (one per group), got the scalar "
                        f"{_short(x)}.")
    if ndim is not None and arr.ndim not in (0, ndim):
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}; pass one "
                         f"value per group, e.g. {name}.ravel().")
    if arr.ndim and arr.size < min_size:
        what = "no values" if arr.size == 0 else f"{arr.size} value(s)"
        raise ValueError(f"{name} has {what}, one per group; at least {min_size} "
                         f"group{'s are' if min_size > 1 else ' is'} needed.")
    bad = np.isnan(arr) if allow_inf else ~np.isfinite(arr)
    if bad.any():
        what = "NaN" if allow_inf else "NaN or infinite values"
        raise ValueError(f"{name} contains {what} ({int(bad.sum())} of {arr.size}); remove or "
                         "replace them first.")
    if positive and not (arr > 0).all():
        raise ValueError(f"{name} must be > 0 everywhere, got {_short(x)}.")
    if nonnegative and not (arr >= 0).all():
        raise ValueError(f"{name} must be >= 0 everywhere, got {_short(x)}.")
    return arr


def check_scalar(value, name: str, *, integer: bool = False, minimum: float | None = None,
                 maximum: float | None = None, strict_min: bool = False,
                 strict_max: bool = False, allow_inf: bool = False):
    """`value` as a float (or an int, with `integer`), within the given bounds.

    A one-element array is not a scalar (say which one you mean); booleans are not
    numbers here.  NaN is never accepted; infinity only with `allow_inf`.
    """
    if isinstance(value, bool | np.bool_) or isinstance(value, str | bytes) or value is None:
        kind = "a whole number" if integer else "a number"
        raise TypeError(f"{name} must be {kind}, got {_short(value)}.")
    if integer:
        if not isinstance(value, int | np.integer):
            if isinstance(value, float | np.floating) and float(value).is_integer():
                value = int(value)
            else:
                raise TypeError(f"{name} must be a whole number, got {_short(value)}.")
        value = int(value)
    else:
        if np.ndim(value) != 0:
            raise TypeError(f"{name} must be a single number, got {_short(value)}.")
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a number, got {_short(value)}.") from None
        if math.isnan(value) or (math.isinf(value) and not allow_inf):
            raise ValueError(f"{name} must be a finite number, got {value}.")
    if minimum is not None and (value < minimum or (strict_min and value == minimum)):
        relation = ">" if strict_min else ">="
        raise ValueError(f"{name} must be {relation} {minimum:g}, got {value!r}.")
    if maximum is not None and (value > maximum or (strict_max and value == maximum)):
        relation = "<" if strict_max else "<="
        raise ValueError(f"{name} must be {relation} {maximum:g}, got {value!r}.")
    return value


def check_bool(value, name: str) -> bool:
    """`value` if it is True or False (numpy's too); a string such as "no" is not."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{name} must be True or False, got {_short(value)}.")
    return bool(value)


def check_consistent_length(**arrays) -> None:
    """All array arguments (scalars and None are ignored) have the same number of values."""
    sizes = {k: len(v) for k, v in arrays.items() if v is not None and np.ndim(v) > 0}
    if len(set(sizes.values())) > 1:
        listing = ", ".join(f"{k} has {n}" for k, n in sizes.items())
        raise ValueError(f"Lengths differ: {listing}; pass one value per group in each.")


def check_labels(labels, name: str, size: int) -> list[str]:
    """`labels` as a list of `size` strings, one per group."""
    if isinstance(labels, str | bytes | dict) or not hasattr(labels, "__iter__"):
        raise TypeError(f"{name} must be a list of group labels, got {_short(labels)}.")
    labels = [str(label) for label in labels]
    if len(labels) != size:
        raise ValueError(f"{name} has {len(labels)} entries but there are {size} groups; "
                         "pass one label per group.")
    return labels


def group_labels(labels, size: int, **inputs) -> pd.Index:
    """The groups' labels: `labels`, else the index of a Series among `inputs`, else 0..size-1."""
    if labels is not None:
        return pd.Index(check_labels(labels, "labels", size))
    index = common_index(**inputs)
    return index.copy() if index is not None else pd.RangeIndex(size)


def check_numbers(x, name: str, what: str) -> np.ndarray:
    """`x` as a new float array of any shape, or a TypeError saying what `name` must be."""
    if isinstance(x, str | bytes | bool | np.bool_ | dict | set) or x is None:
        raise TypeError(f"{name} must be {what}, got {_short(x)}.")
    try:
        return np.array(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be {what}, got {_short(x)}.") from None


def check_maps(y, name: str = "y") -> np.ndarray:
    """`y` as a finite float array of shape (maps, groups) with at least 2 groups."""
    arr = check_numbers(y, name, "a 2-D array of numbers (one map per row)")
    if arr.ndim != 2:
        raise ValueError(f"{name} must be 2-D (one map per row, one group per column), got "
                         f"shape {arr.shape}; for a single map use estimate_tau, or pass "
                         f"{name}[None, :].")
    if arr.shape[0] < 1 or arr.shape[1] < 2:
        raise ValueError(f"{name} needs at least 1 map and 2 groups per map, got shape "
                         f"{arr.shape}; pass one row per map and one column per group.")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values; remove or replace them first.")
    return arr


def check_map_se(se, shape, name: str = "se") -> np.ndarray:
    """Known standard errors broadcast to `shape`: a number, one per group, or one per cell."""
    arr = check_numbers(se, name, "a number or an array of numbers")
    if arr.ndim > 2 or (arr.ndim >= 1 and arr.shape[-1] != shape[1]) or (
            arr.ndim == 2 and arr.shape[0] != shape[0]):
        raise ValueError(f"{name} has shape {arr.shape}; pass one number, one per group "
                         f"({shape[1]},), or one per map and group {shape}.")
    if not np.isfinite(arr).all() or not (arr > 0).all():
        raise ValueError(f"{name} must be finite and > 0 everywhere; a standard error that is "
                         "0, negative or missing is a data error: fix or drop that group first.")
    return np.broadcast_to(arr, shape)


#: How far a covariance matrix may be from symmetric, or below zero in an eigenvalue, relative
#: to its largest entry, and still count as a covariance (rounding in a computed matrix).
COV_TOLERANCE = 1e-9


def check_cov(cov, name: str = "cov") -> np.ndarray:
    """`cov` as a symmetric 2 x 2 covariance matrix (a new array; symmetrized up to rounding)."""
    if isinstance(cov, str | bytes) or cov is None or isinstance(cov, dict | set):
        raise TypeError(f"{name} must be a 2 x 2 covariance matrix, got {type(cov).__name__}.")
    try:
        arr = np.array(cov, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a 2 x 2 matrix of numbers.") from None
    if arr.shape != (2, 2):
        raise ValueError(f"{name} must be a 2 x 2 matrix, got shape {arr.shape}; build one with "
                         "ht.slopes_cov(sd_intercept, sd_slope, rho).")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values; build it from finite "
                         "numbers, e.g. ht.slopes_cov(sd_intercept, sd_slope, rho).")
    scale = max(np.abs(arr).max(), 1e-300)
    if abs(arr[0, 1] - arr[1, 0]) > COV_TOLERANCE * scale:
        raise ValueError(f"{name} must be symmetric, got {arr.tolist()}; its two off-diagonal "
                         "entries are the same covariance: make them equal.")
    if np.linalg.eigvalsh(arr).min() < -COV_TOLERANCE * scale:
        raise ValueError(f"{name} is not a covariance matrix (it has a negative eigenvalue): "
                         "a correlation must lie between -1 and 1.")
    return (arr + arr.T) / 2


def check_counts(values, name: str) -> np.ndarray:
    """`values` as a float array of whole numbers >= 0 (counts, one per unit)."""
    arr = check_array(values, name, nonnegative=True)
    if not np.all(arr == np.round(arr)):
        raise ValueError(f"{name} must hold whole numbers (counts), got {values!r}; "
                         "pass counts, not rates.")
    return arr


def check_seed(seed) -> np.random.Generator:
    """A numpy Generator from a seed (a whole number >= 0) or a Generator passed through."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_scalar(seed, "seed", integer=True, minimum=0))


# --- options ------------------------------------------------------------------------------------

def check_option(value, name: str, options: Sequence[str], *,
                 problem: str = "is not supported") -> str:
    """The canonical spelling of `value` among `options` (case-insensitive), or a clear error.

    ``check_option("reml", "method", ["REML", "ML"])`` returns ``"REML"``; an unknown
    value lists the valid ones and suggests the closest (`problem` says why it is not
    accepted, e.g. "does not vary by group in this fit").
    """
    if not isinstance(value, str):  # a ValueError too: the value is not one of the options
        raise ValueError(f"{name}={_short(value)} is not supported; {name} must be one of "
                         f"{list(options)} (a string).")
    for option in options:
        if value.lower() == option.lower():
            return option
    close = get_close_matches(value.lower(), [o.lower() for o in options], n=1, cutoff=0.5)
    guess = ""
    if close:
        guess = f" Did you mean {next(o for o in options if o.lower() == close[0])!r}?"
    raise ValueError(f"{name}={value!r} {problem}.{guess} Choose one of {list(options)}.")


# --- draws of a sampler, and the data of a varying-slopes model -------------------------------

def check_chains(x, name="x", column=None) -> np.ndarray:
    """A (chains, draws) float array from an array, or from a draws DataFrame and a column.

    A DataFrame with ``chain`` and ``draw`` columns (what :func:`sample_posterior` returns)
    needs `column`, the parameter to take: it is pivoted to one row per chain.
    """
    if isinstance(x, pd.DataFrame):
        x = _pivot_draws(x, name, column)
    elif column is not None:
        raise TypeError(f"column is for a DataFrame of draws (as ht.sample_posterior returns); "
                        f"{name} is already an array of one parameter: drop column={column!r}.")
    try:
        arr = np.array(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of draws of shape (chains, draws), or "
                        f"ht.sample_posterior's DataFrame with a column name, got "
                        f"{_short(x)}.") from None
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (chains, draws), got shape {arr.shape}; for "
                         "one parameter of ht.sample_posterior's output pass the DataFrame "
                         "and the column, e.g. ht.rhat(draws, 'tau').")
    if arr.shape[1] < 4:
        raise ValueError(f"{name} has {arr.shape[1]} draws per chain; pass at least 4.")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values; a sampler that produced "
                         "them needs a look first (then drop those draws or rerun it).")
    return arr


def _pivot_draws(frame: pd.DataFrame, name: str, column) -> np.ndarray:
    """One parameter of a long draws frame (columns chain, draw, ...) as (chains, draws)."""
    missing = {"chain", "draw"} - set(frame.columns)
    if missing:
        raise ValueError(f"{name} has no {sorted(missing)} column(s): pass "
                         "ht.sample_posterior's DataFrame, or a (chains, draws) array.")
    parameters = [c for c in frame.columns if c not in ("chain", "draw")]
    if column is None:
        raise ValueError(f"{name} is a DataFrame of draws: pass the parameter's column as "
                         f"the second argument, e.g. ({name}, 'tau'); its parameters are "
                         f"{_short(parameters)}.")
    if not isinstance(column, str):
        raise TypeError(f"column must be a column name (str), got {_short(column)}.")
    if column not in parameters:
        raise ValueError(f"column {column!r} is not in {name}; its parameters are "
                         f"{_short(parameters)}.")
    wide = frame.pivot(index="chain", columns="draw", values=column)
    if wide.isna().to_numpy().any():
        raise ValueError(f"{name}'s chains have different draws: every chain needs the same "
                         "draw numbers.")
    return wide.to_numpy(dtype=float)


def check_slope_data(data, y, x, group) -> regression.SlopeStats:
    """The per-group sufficient statistics of `y` on [1, `x`], once the data can give them.

    At least two groups, and `x` must vary; the statistics are the cleaned value.
    """
    check_frame(data)
    check_column(data, y, "y")
    check_column(data, x, "x")
    check_group_column(data, group, "group")
    stats = regression.slope_stats(data, y, x, group)
    if len(stats.labels) < 2:
        raise ValueError(f"group={group!r} has {len(stats.labels)} distinct label; partial "
                         "pooling needs at least two groups to pool across.")
    if not regression.x_varies(stats.ztz.sum(axis=0))[0]:
        raise ValueError(f"x={x!r} takes a single value in data, so no slope can be estimated; "
                         "choose a predictor that varies.")
    return stats


# --- pandas in, pandas out ----------------------------------------------------------------------

def common_index(**values) -> pd.Index | None:
    """The index shared by the pandas Series among `values` (None if there is none).

    Values are paired by position, so two Series with different indexes (other labels,
    or the same labels in another order) would be silently misaligned: that is an error
    that names both arguments and says how to align them.
    """
    series = [(name, v) for name, v in values.items() if isinstance(v, pd.Series)]
    if not series:
        return None
    first, index = series[0][0], series[0][1].index
    for name, value in series[1:]:
        if not value.index.equals(index):
            raise ValueError(
                f"{first} and {name} are Series with different indexes, and values are paired "
                f"by position; align them first, e.g. {name}.reindex({first}.index), or pass "
                f"plain arrays (.to_numpy())."
            )
    return index


def like_input(result, index: pd.Index | None, name: str | None = None):
    """`result` as a Series on `index` when an input was a Series, else as it is."""
    if index is None or np.ndim(result) != 1 or len(result) != len(index):
        return result
    return pd.Series(result, index=index.copy(), name=name)
