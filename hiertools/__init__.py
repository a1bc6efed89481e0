"""hiertools — datasets, estimators, figures, explorers and exercise checks for *Partial Pooling*.

The package follows the course: data, the three ways of pooling, shrinkage,
empirical Bayes, mixed models (varying intercepts and slopes), fully Bayesian
fits, rates from counts, plots, widgets and exercises, each in its own module or
subpackage.  Lesson content -- each lesson's data settings, its explorer's
defaults and its exercise checks -- lives in one module per lesson under
``hiertools.exercises``; everything else is generic.  Everything public is
re-exported here, so lessons need one line::

    import hiertools as ht

Estimators are plain functions of DataFrames and arrays and return pandas
objects; fitted models are immutable results that display as tables in a
notebook.  Figures draw on an Axes you pass (or a new one) and return it.
Widgets import ipywidgets only when you build one.

Run by a Python without the course's packages, ``import hiertools`` raises a
ModuleNotFoundError that names that Python and ``python -m hiertools doctor``; the
command line itself starts with the standard library alone, so the doctor can say
what is missing.
"""

try:
    from .bayes import TauPosterior, ess, mcse, rhat, sample_posterior, tau_posterior
    from .data import (
        SimulatedMaps,
        dataset_info,
        list_datasets,
        load,
        simulate_districts,
        simulate_maps,
    )
    from .empirical_bayes import (
        estimate_tau,
        estimate_tau_batch,
        james_stein,
        james_stein_batch,
        shrink_batch,
        tau_loglik,
    )
    from .exercises import Feedback, Hint, check, hint, list_exercises
    from .mixed import MixedModelResult, fit_varying_intercepts, fit_varying_slopes
    from .plots import (
        plot_bias_variance,
        plot_binomial_funnel,
        plot_caterpillar,
        plot_county_panel,  # noqa: F401 -- deprecated alias, importable for one release
        plot_covariance_ellipse,
        plot_efron_morris,
        plot_error_by_size,
        plot_estimates_by_size,
        plot_funnel,
        plot_group_distribution,
        plot_group_panel,
        plot_group_predictor,
        plot_intervals,
        plot_pooling,
        plot_rank_intervals,
        plot_rate_intervals,
        plot_risk,
        plot_sampling_distributions,
        plot_shrinkage,
        plot_slopes_panel,
        plot_slopes_shrinkage,
        plot_tau_likelihood,
        plot_tau_posterior,
        plot_theta_given_tau,
        plot_trace,
    )
    from .pooling import complete_pooling, group_summary, no_pooling, partial_pooling
    from .rates import (
        DispersionTest,
        RateFit,
        fit_beta_binomial,
        fit_gamma_poisson,
        funnel_limits,
        overdispersion_test,
        rank_summary,
    )
    from .rates_bayes import BetaBinomialPosterior, beta_binomial_posterior
    from .shrinkage import pooled_mean, shrink, shrinkage_weights
    from .slopes import SlopesShrinkage, shrink_slopes, slopes_cov
    from .widgets import pooling_explorer, shrinkage_explorer, slopes_explorer
except ImportError as _error:  # e.g. pandas missing: this is not the course's Python
    from .doctor import import_failed

    # raises a clear error, except while `python -m hiertools` starts: its doctor then
    # reports what is missing (as a [FAIL] line) and its other commands say it in one line
    _import_error = import_failed(_error)
    del import_failed

__version__ = "0.1.0"

__all__ = [
    # data
    "load", "list_datasets", "dataset_info", "simulate_districts",
    "simulate_maps", "SimulatedMaps",
    # pooling (lesson 01)
    "group_summary", "complete_pooling", "no_pooling", "partial_pooling",
    # shrinkage (lesson 03)
    "shrinkage_weights", "shrink", "pooled_mean",
    # empirical Bayes (lesson 04)
    "estimate_tau", "james_stein",
    "estimate_tau_batch", "james_stein_batch", "shrink_batch", "tau_loglik",
    # fully Bayesian (lesson 05)
    "tau_posterior", "TauPosterior", "sample_posterior", "rhat", "ess", "mcse",
    # mixed models (lessons 02 and 06)
    "fit_varying_intercepts", "fit_varying_slopes", "MixedModelResult",
    # varying slopes: shrinkage for a given covariance (lesson 06)
    "shrink_slopes", "slopes_cov", "SlopesShrinkage",
    # rates from counts (lesson 07)
    "fit_beta_binomial", "fit_gamma_poisson", "RateFit", "funnel_limits",
    "overdispersion_test", "DispersionTest", "rank_summary",
    "beta_binomial_posterior", "BetaBinomialPosterior",
    # plots
    "plot_pooling", "plot_funnel", "plot_error_by_size", "plot_shrinkage",
    "plot_group_panel", "plot_caterpillar",
    "plot_estimates_by_size", "plot_group_distribution", "plot_group_predictor",
    "plot_sampling_distributions", "plot_bias_variance", "plot_efron_morris", "plot_risk",
    "plot_tau_likelihood",
    "plot_tau_posterior", "plot_theta_given_tau", "plot_trace", "plot_intervals",
    "plot_slopes_shrinkage", "plot_covariance_ellipse", "plot_slopes_panel",
    "plot_binomial_funnel", "plot_rate_intervals", "plot_rank_intervals",
    # widgets
    "pooling_explorer", "shrinkage_explorer", "slopes_explorer",
    # exercise checks
    "check", "hint", "list_exercises", "Feedback", "Hint",
]
