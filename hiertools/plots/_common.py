"""What every figure of the course shares: the palette, axes creation, marker sizes, log axes."""

from __future__ import annotations

import numpy as np

from ..mixed import MixedModelResult

# One palette for the whole course (colour-blind safe, Okabe & Ito).
COLORS = {
    "no pooling": "#D55E00",
    "partial pooling": "#0072B2",
    "complete pooling": "#555555",
    "truth": "#009E73",
    "highlight": "#CC79A7",
}


def _new_axes(ax, figsize):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _marker_sizes(n, reference=None, smallest=10.0, largest=220.0):
    """Marker areas proportional to group size; the largest (or `reference`) gets `largest`."""
    n = np.asarray(n, dtype=float)
    reference = n.max() if reference is None else reference
    return np.clip(largest * n / reference, smallest, None)


def _plain_log_axis(axis) -> None:
    """Log scale with ticks at 1, 2, 5, 10, 20, ... written as plain numbers."""
    from matplotlib.ticker import LogLocator, NullFormatter, StrMethodFormatter

    axis.axes.set_xscale("log") if axis.axis_name == "x" else axis.axes.set_yscale("log")
    axis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0), numticks=15))
    axis.set_major_formatter(StrMethodFormatter("{x:g}"))
    axis.set_minor_formatter(NullFormatter())


def _nice_sizes(largest) -> list[int]:
    """Group sizes for a marker-size legend: 1, 10, 100, ... up to `largest`."""
    return [10 ** k for k in range(int(np.log10(largest)) + 1)]


def _check_fit(fit, name: str = "fit"):
    if not isinstance(fit, MixedModelResult):
        raise TypeError(f"{name} must be a fitted model from ht.fit_varying_intercepts (or "
                        f"ht.fit_varying_slopes), got {type(fit).__name__}.")
    return fit

