"""How close estimators come to the truth, by group size, over simulated replicates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._validation import check_array, check_scalar
from ._common import COLORS, _new_axes

__all__ = ["plot_error_by_size"]

_MARKERS = {"no pooling": "o", "partial pooling": "D", "complete pooling": "s"}


def plot_error_by_size(errors: pd.DataFrame, *, sigma=None, ax=None,
                       ylabel="mean squared error", xlabel="group size $n_j$", title=None):
    """Mean squared error against group size, one set of points per estimator.

    In the style of McElreath's Figure 13.3: simulate many data sets where the
    truth is known, score every group's estimate by its squared error, average
    over the replicates for each group size, and plot the averages against size.

    Parameters
    ----------
    errors : pandas.DataFrame
        Indexed by group size; one column per estimator (e.g. ``"no pooling"``,
        ``"partial pooling"``) holding the mean squared error of groups of that
        size over the replicates.
    sigma : float, optional
        Standard deviation of one observation: draws :math:`\\sigma^2/n`, the
        expected squared error of a raw mean of *n* observations.
    ax : matplotlib.axes.Axes, optional
    ylabel, xlabel, title : str
        Say the units of the squared error in `ylabel`.

    Returns
    -------
    matplotlib.axes.Axes

    See Also
    --------
    plot_pooling, plot_shrinkage

    References
    ----------
    McElreath, R. (2020). *Statistical Rethinking*, 2nd ed., section 13.2, Figure 13.3.

    Examples
    --------
    >>> import pandas as pd, hiertools as ht
    >>> mse = pd.DataFrame({"no pooling": [3.0, 0.3], "partial pooling": [1.0, 0.28]},
    ...                    index=[3, 30])
    >>> ax = ht.plot_error_by_size(mse, sigma=3.0)
    >>> ax.get_legend_handles_labels()[1]
    ['no pooling', 'partial pooling', '$\\\\sigma^2/n$: expected error of a raw mean']
    """
    if not isinstance(errors, pd.DataFrame):
        raise TypeError("errors must be a DataFrame indexed by group size with one column per "
                        f"estimator, got {type(errors).__name__}.")
    if errors.shape[1] == 0:
        raise ValueError("errors has no columns; pass one column per estimator, e.g. "
                         "'no pooling' and 'partial pooling'.")
    sizes = check_array(errors.index, "errors.index (group sizes)", positive=True)
    columns = {column: check_array(errors[column], f"errors[{column!r}]", nonnegative=True)
               for column in errors.columns}
    ax = _new_axes(ax, (7, 4))
    order = np.argsort(sizes, kind="stable")
    for column, values in columns.items():
        ax.plot(sizes[order], values[order], marker=_MARKERS.get(column, "^"), markersize=4,
                linestyle="none", color=COLORS.get(column), label=str(column), zorder=3)
    if sigma is not None:
        sigma = check_scalar(sigma, "sigma", minimum=0, strict_min=True)
        grid = np.linspace(sizes.min(), sizes.max(), 200)
        ax.plot(grid, sigma**2 / grid, color=COLORS["no pooling"], linewidth=1,
                linestyle="--", label="$\\sigma^2/n$: expected error of a raw mean", zorder=2)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper right", fontsize="small", frameon=False)
    ax.grid(alpha=0.3)
    return ax
