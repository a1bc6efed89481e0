"""hiertools — datasets, estimators, figures, explorers and exercise checks for *Partial Pooling*.

The package follows the course: data, the three ways of pooling, shrinkage,
empirical Bayes, mixed models, plots, widgets and exercises, each in its own
module or subpackage.  Lesson content -- each lesson's data settings, its
explorer's defaults and its exercise checks -- lives in one module per lesson
under ``hiertools.exercises``; everything else is generic.  Everything public is re-exported here, so lessons need one line::

    import hiertools as ht

Estimators are plain functions of DataFrames and arrays and return pandas
objects; fitted models are immutable results that display as tables in a
notebook.  Figures draw on an Axes you pass (or a new one) and return it.
Widgets import ipywidgets only when you build one.
"""

from .data import dataset_info, list_datasets, load, simulate_districts
from .empirical_bayes import estimate_tau, james_stein
from .exercises import Feedback, check, hint, list_exercises
from .mixed import MixedModelResult, fit_varying_intercepts, fit_varying_slopes
from .plots import (plot_caterpillar, plot_county_panel, plot_funnel, plot_pooling,
                    plot_shrinkage)
from .plots import plot_estimates_by_size, plot_group_distribution, plot_group_predictor
from .pooling import complete_pooling, group_summary, no_pooling, partial_pooling
from .shrinkage import pooled_mean, shrink, shrinkage_weights
from .widgets import pooling_explorer, shrinkage_explorer

__version__ = "0.1.0"

__all__ = [
    # data
    "load", "list_datasets", "dataset_info", "simulate_districts",
    # pooling
    "group_summary", "complete_pooling", "no_pooling", "partial_pooling",
    # shrinkage
    "shrinkage_weights", "shrink", "pooled_mean",
    # empirical Bayes
    "estimate_tau", "james_stein",
    # mixed models
    "fit_varying_intercepts", "fit_varying_slopes", "MixedModelResult",
    # plots
    "plot_shrinkage", "plot_funnel", "plot_pooling",
    "plot_county_panel", "plot_caterpillar",
    "plot_group_predictor", "plot_estimates_by_size", "plot_group_distribution",
    # widgets
    "pooling_explorer", "shrinkage_explorer",
    # exercise checks
    "check", "hint", "list_exercises", "Feedback",
]
