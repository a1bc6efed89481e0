"""Small array helpers shared by the result objects and the explorers' frames (see
:mod:`hiertools._kernels`)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def freeze(*arrays) -> None:
    """Make each numpy array, and the values of each Series or DataFrame, read-only (in place)."""
    for a in arrays:
        if isinstance(a, np.ndarray):
            a.flags.writeable = False
        elif isinstance(a, pd.Series | pd.DataFrame):
            a.to_numpy().flags.writeable = False


def frozen_copy(values) -> np.ndarray:
    """A read-only float copy of `values` (the caller's array is neither kept nor changed)."""
    array = np.array(values, dtype=float)
    array.flags.writeable = False
    return array
