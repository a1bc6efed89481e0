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
- ``accuracy``: how close estimators come to the truth, by group size, over simulated
  replicates (:func:`plot_error_by_size`);
- ``shrinkage``: the shrinkage figure (:func:`plot_shrinkage`);
- ``mixed``: a fitted model's group panel (:func:`plot_county_panel`) and caterpillar
  plot (:func:`plot_caterpillar`).
"""

from ._common import COLORS
from .accuracy import plot_error_by_size
from .mixed import plot_caterpillar, plot_county_panel
from .pooling import plot_funnel, plot_pooling
from .shrinkage import plot_shrinkage, update_shrinkage

__all__ = ["COLORS", "plot_caterpillar", "plot_county_panel", "plot_error_by_size",
           "plot_funnel", "plot_pooling", "plot_shrinkage", "update_shrinkage"]
