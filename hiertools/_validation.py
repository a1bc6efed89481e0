"""Input validation: the one layer every public function goes through, once, at the door.

Errors are part of the interface (in the spirit of scikit-learn's ``check_scalar`` and
``check_consistent_length``): each validator raises ``TypeError`` (wrong kind of thing) or
``ValueError`` (right kind, wrong value) with a message that names the argument, shows the
value that was wrong and says what to do instead.  Validators return the cleaned value
(a float, a float array, the canonical spelling of an option), so a public function
validates its arguments once and hands them to unvalidated private kernels.  Nothing here
mutates its input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from difflib import get_close_matches

import numpy as np
import pandas as pd

__all__ = ["check_frame", "check_column", "check_group_column", "check_array", "check_scalar",
           "check_consistent_length", "check_option", "check_labels", "index_of", "like_input"]


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

def check_array(x, name: str, *, allow_scalar: bool = False, positive: bool = False,
                nonnegative: bool = False, min_size: int = 1) -> np.ndarray:
    """`x` as a finite, one-dimensional float array (a new array; `x` is never changed).

    Parameters
    ----------
    x : array_like
        A list, tuple, numpy array or pandas Series of numbers (a scalar too, if
        `allow_scalar`: then a 0-d array is returned).
    name : str
        The argument's name, for the error message.
    positive, nonnegative : bool
        Require every value to be > 0 (or >= 0).
    min_size : int
        The fewest values accepted.
    """
    if isinstance(x, str | bytes) or x is None or isinstance(x, dict | set):
        raise TypeError(f"{name} must be a number or an array of numbers, got {_short(x)}.")
    try:
        arr = np.array(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a number or an array of numbers, got {_short(x)}."
        ) from None
    if arr.ndim == 0 and not allow_scalar:
        raise TypeError(f"{name} must be an array of numbers (one per group), got the scalar "
                        f"{_short(x)}.")
    if arr.ndim > 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}; pass one "
                         f"value per group, e.g. {name}.ravel().")
    if arr.ndim == 1 and arr.size < min_size:
        raise ValueError(f"{name} has {arr.size} value(s); pass at least {min_size}.")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values; remove or replace them first.")
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


def check_consistent_length(**arrays) -> None:
    """All array arguments (scalars are ignored) have one value per group, the same number."""
    sizes = {k: len(v) for k, v in arrays.items() if v is not None and np.ndim(v) > 0}
    if len(set(sizes.values())) > 1:
        listing = ", ".join(f"{k} has {n}" for k, n in sizes.items())
        raise ValueError(f"Lengths differ: {listing}; pass one value per group in each.")


def check_labels(labels, name: str, size: int) -> list[str]:
    """`labels` as a list of `size` strings, one per group."""
    if isinstance(labels, str | bytes) or not hasattr(labels, "__iter__"):
        raise TypeError(f"{name} must be a list of group labels, got {_short(labels)}.")
    labels = [str(label) for label in labels]
    if len(labels) != size:
        raise ValueError(f"{name} has {len(labels)} entries but there are {size} groups; "
                         "pass one label per group.")
    return labels


# --- options ------------------------------------------------------------------------------------

def check_option(value, name: str, options: Sequence[str]) -> str:
    """The canonical spelling of `value` among `options` (case-insensitive), or a clear error.

    ``check_option("reml", "method", ["REML", "ML"])`` returns ``"REML"``; an unknown
    value lists the valid ones and suggests the closest.
    """
    if isinstance(value, str):
        for option in options:
            if value.lower() == option.lower():
                return option
        close = get_close_matches(value.lower(), [o.lower() for o in options], n=1)
        if close:
            suggestion = next(o for o in options if o.lower() == close[0])
            raise ValueError(f"{name}={value!r} is not supported. Did you mean {suggestion!r}? "
                             f"Choose one of {list(options)}.")
    raise ValueError(f"{name}={_short(value)} is not supported; choose one of {list(options)}.")


# --- pandas in, pandas out ----------------------------------------------------------------------

def index_of(*values) -> pd.Index | None:
    """The index of the first pandas Series among `values` (None if there is none)."""
    return next((v.index for v in values if isinstance(v, pd.Series)), None)


def like_input(result: np.ndarray, index: pd.Index | None, name: str | None = None):
    """`result` as a Series on `index` when the input was a Series, else as it is."""
    if index is None or np.ndim(result) == 0:
        return result
    return pd.Series(result, index=index.copy(), name=name)


# Earlier names, kept while the package moves to the ones above.
as_float_array = check_array
check_same_length = check_consistent_length


def check_choice(value, allowed: Sequence[str], name: str) -> str:  # old argument order
    return check_option(value, name, allowed)
