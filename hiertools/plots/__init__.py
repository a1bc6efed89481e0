"""Figures of the course.

Every ``plot_*`` function takes data (or a fitted result), draws on ``ax`` if one
is given or on a new Axes otherwise, and returns the Axes.  None calls
``plt.show()``: the notebook decides when to show.  Computation happens in the
estimators; these functions only draw, and they speak of groups and estimates,
never of a particular lesson's counties or districts (labels and units are
arguments).  The artists a widget needs to move are kept on the Axes
(``ax.hiertools_artists``) so the widget can update them in place instead of
redrawing from scratch.  One module per idea of the course, in its order:

- ``pooling``: several estimators side by side (:func:`plot_pooling`) and the funnel
  plot (:func:`plot_funnel`);
- ``accuracy``: mean squared error by group size over replicates (:func:`plot_error_by_size`);
- ``shrinkage``: the shrinkage figure (:func:`plot_shrinkage`);
- ``estimates``: raw and partially pooled estimates of many groups, against group size
  (:func:`plot_estimates_by_size`) and as distributions under the fitted population
  curve (:func:`plot_group_distribution`);
- ``mixed``: a fitted model's group panel (:func:`plot_group_panel`), caterpillar
  plot (:func:`plot_caterpillar`) and group intercepts against a group-level predictor
  (:func:`plot_group_predictor`);
- ``empirical_bayes``: sampling distributions of estimators
  (:func:`plot_sampling_distributions`), bias and variance (:func:`plot_bias_variance`),
  Efron & Morris's three rows (:func:`plot_efron_morris`), risk curves (:func:`plot_risk`)
  and the likelihood of τ (:func:`plot_tau_likelihood`);
- ``bayes``: the posterior of τ (:func:`plot_tau_posterior`), θ given τ
  (:func:`plot_theta_given_tau`), MCMC traces (:func:`plot_trace`) and interval
  estimates side by side (:func:`plot_intervals`);
- ``slopes``: varying slopes -- the 2-D shrinkage figure (:func:`plot_slopes_shrinkage`),
  covariance ellipses (:func:`plot_covariance_ellipse`) and the per-group panel with
  each group's own line (:func:`plot_slopes_panel`);
- ``rates``: rates from counts -- the binomial funnel plot with exact limits
  (:func:`plot_binomial_funnel`), shrunk rates with intervals (:func:`plot_rate_intervals`)
  and rank intervals (:func:`plot_rank_intervals`).
"""

from ._common import COLORS
from .accuracy import plot_error_by_size
from .bayes import plot_intervals, plot_tau_posterior, plot_theta_given_tau, plot_trace
from .empirical_bayes import (
    plot_bias_variance,
    plot_efron_morris,
    plot_risk,
    plot_sampling_distributions,
    plot_tau_likelihood,
)
from .estimates import plot_estimates_by_size, plot_group_distribution
from .mixed import (  # noqa: F401 -- plot_county_panel: deprecated alias, not in __all__
    plot_caterpillar,
    plot_county_panel,
    plot_group_panel,
    plot_group_predictor,
)
from .pooling import plot_funnel, plot_pooling
from .rates import plot_binomial_funnel, plot_rank_intervals, plot_rate_intervals
from .shrinkage import plot_shrinkage, update_shrinkage
from .slopes import (
    plot_covariance_ellipse,
    plot_slopes_panel,
    plot_slopes_shrinkage,
    update_slopes_shrinkage,
)

__all__ = ["COLORS",
           "plot_pooling", "plot_funnel", "plot_error_by_size", "plot_shrinkage",
           "update_shrinkage", "plot_estimates_by_size", "plot_group_distribution",
           "plot_group_panel", "plot_caterpillar", "plot_group_predictor",
           "plot_sampling_distributions", "plot_bias_variance", "plot_efron_morris", "plot_risk",
           "plot_tau_likelihood",
           "plot_tau_posterior", "plot_theta_given_tau", "plot_trace", "plot_intervals",
           "plot_slopes_shrinkage", "update_slopes_shrinkage", "plot_covariance_ellipse",
           "plot_slopes_panel",
           "plot_binomial_funnel", "plot_rate_intervals", "plot_rank_intervals"]
