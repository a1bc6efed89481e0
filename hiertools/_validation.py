"""Input validation shared by every public function.

Errors are part of the interface: each one names the argument, shows the value
that was wrong and says what to do instead.  Nothing here mutates its input.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_frame(data, name: str = "data") -> pd.DataFrame:
    """Return `data` if it is a DataFrame, else raise a TypeError saying how to make one."""
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
    if not isinstance(column, str | int):
        raise TypeError(f"{arg} must be a column name (a string), got {_short(column)}.")
    if column not in data.columns:
        raise ValueError(
            f"{arg}={column!r} is not a column of data; the columns are {list(data.columns)}."
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
    check_column(data, column, arg, numeric=False)
    if data[column].isna().any():
        raise ValueError(
            f"{arg}={column!r} has missing labels; drop those rows first, "
            f"e.g. data.dropna(subset=[{column!r}])."
        )


def as_float_array(x, name: str, *, allow_scalar: bool = False, positive: bool = False,
                   nonnegative: bool = False) -> np.ndarray:
    """Convert `x` to a finite float array, with errors that name `name`."""
    if isinstance(x, str | bytes) or x is None:
        raise TypeError(f"{name} must be a number or an array of numbers, got {_short(x)}.")
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be a number or an array of numbers, got {_short(x)}."
        ) from None
    if arr.ndim == 0 and not allow_scalar:
        raise TypeError(f"{name} must be an array of numbers (one per group), got the scalar {x!r}.")
    if arr.ndim > 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}.")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; pass at least one value.")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values; remove or replace them first.")
    if positive and not (arr > 0).all():
        raise ValueError(f"{name} must be > 0, got {_short(x)}.")
    if nonnegative and not (arr >= 0).all():
        raise ValueError(f"{name} must be >= 0, got {_short(x)}.")
    return arr


def check_same_length(**arrays: np.ndarray) -> None:
    sizes = {k: np.shape(v)[0] for k, v in arrays.items() if np.ndim(v) > 0}
    if len(set(sizes.values())) > 1:
        listing = ", ".join(f"{k} has {n}" for k, n in sizes.items())
        raise ValueError(f"Lengths differ: {listing}; pass one value per group in each.")


def check_choice(value, allowed: Sequence[str], name: str) -> str:
    if value not in allowed:
        raise ValueError(f"{name}={value!r} is not supported; choose one of {list(allowed)}.")
    return value
