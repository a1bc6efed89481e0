"""Figures of the course.

Every ``plot_*`` function takes data (or a fitted result), draws on ``ax`` if one
is given or on a new Axes otherwise, and returns the Axes.  None calls
``plt.show()``: the notebook decides when to show.  Computation happens in the
estimators; these functions only draw, and they speak of groups and estimates,
never of a particular lesson's counties or districts (labels and units are
arguments).  The artists a widget needs to move are kept on the Axes
(``ax.hiertools_artists``) so the widget can update them in place instead of
redrawing from scratch.  One module per idea of the course:

- ``pooling``: several estimators side by side (:func:`plot_pooling`) and the funnel
  plot (:func:`plot_funnel`);
- ``shrinkage``: the shrinkage figure (:func:`plot_shrinkage`);
- ``mixed``: a fitted model's group panel (:func:`plot_county_panel`), caterpillar
  plot (:func:`plot_caterpillar`) and group intercepts against a group-level predictor
  (:func:`plot_group_predictor`);
- ``estimates``: raw and partially pooled estimates of many groups, against group size
  (:func:`plot_estimates_by_size`) and as distributions under the fitted population
  curve (:func:`plot_group_distribution`).
"""

from ._common import COLORS
from .estimates import plot_estimates_by_size, plot_group_distribution
from .mixed import plot_caterpillar, plot_county_panel, plot_group_predictor
from .pooling import plot_funnel, plot_pooling
from .shrinkage import plot_shrinkage, update_shrinkage

__all__ = ["COLORS", "plot_caterpillar", "plot_county_panel", "plot_funnel", "plot_pooling",
           "plot_shrinkage", "update_shrinkage", "plot_group_predictor",
           "plot_estimates_by_size", "plot_group_distribution"]
