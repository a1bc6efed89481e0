"""The fitted model: :class:`MixedModelResult`, its summary, display and predictions.

A result holds read-only numpy arrays, the group labels as a pandas Index
(whose values cannot be assigned) and plain Python values; every Series and
DataFrame attribute is built on access (a fresh copy each time), so a result
cannot be changed through what it hands out.
"""

from __future__ import annotations

import html
import math
from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._validation import check_column, check_frame


def _float_format(value: float) -> str:
    return f"{value:.4f}"


@dataclass(frozen=True)
class ModelSummary:
    """The summary of a fitted model, as lme4-style text and as HTML tables.

    ``print(summary)``, ``str(summary)`` and the prompt show the text; a notebook
    shows the HTML.  It is not a string: search or slice ``str(summary)`` (or
    ``summary.text``), e.g. ``"singular" in str(fit.summary())``.

    Attributes
    ----------
    text : str
        The table as text, in the layout of lme4's ``summary(lmer(...))``.
    html : str
        The same content as HTML tables.
    """

    text: str
    html: str = field(repr=False)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return self.text

    def _repr_html_(self) -> str:
        return self.html


@dataclass(frozen=True, repr=False, eq=False)
class MixedModelResult:
    """A fitted linear mixed model with one grouping factor (immutable).

    Returned by :func:`fit_varying_intercepts` and :func:`fit_varying_slopes`.
    Every pandas attribute returns a fresh copy, so changing it never changes
    the result.

    Attributes
    ----------
    fixed_effects : pandas.Series
        Estimates of the fixed effects, indexed ``"Intercept"`` then the `x` names
        (lme4's ``fixef``).
    fixed_effects_se : pandas.Series
        Their standard errors, from :math:`\\hat\\sigma^2 (R_X'R_X)^{-1}` (lme4's ``vcov``).
    fixed_effects_cov : pandas.DataFrame
        The full covariance matrix of the fixed effects.
    group_sd : pandas.Series
        Between-group standard deviations, indexed by the varying terms
        (``"Intercept"``, and the slope's name for varying slopes).
    group_corr : float
        Correlation of varying intercepts and slopes; NaN for varying intercepts
        only, and NaN when one of the two SDs is exactly 0 (as lme4 reports).
    sigma : float
        Residual standard deviation.
    random_effects : pandas.DataFrame
        Conditional modes of the group effects, as deviations from the fixed
        effects: one row per group (indexed by the group labels, in pandas'
        sort order), one column per varying term (lme4's ``ranef``).
    random_effects_sd : pandas.DataFrame
        Conditional standard deviations of the group effects, shaped like
        `random_effects` (square roots of lme4's ``condVar`` diagonal).
    group_coefs : pandas.DataFrame
        Per-group coefficients, fixed plus random effects (lme4's ``coef``).
    loglik : float
        Maximized log-likelihood (ML) or REML log-likelihood (REML), on lme4's
        scale: ``logLik()`` in R, i.e. minus half the deviance or REML criterion.
    deviance : float
        ``-2 * loglik``: lme4's deviance (ML) or REML criterion at convergence.
    method : str
        ``"REML"`` or ``"ML"``.
    singular : bool
        lme4's ``isSingular()``: True when a diagonal entry of `theta` (the
        Cholesky factor of the between-group covariance relative to sigma, in the
        units of the data) is below 1e-4.  Boundary fits -- a between-group SD of
        0 or a correlation of +-1 -- are singular; so is a slope whose SD is tiny
        in the units of its predictor (rescale the predictor to avoid that).
    n_obs, n_groups : int
        Numbers of observations and of groups.
    group_sizes : pandas.Series
        Observations per group, :math:`n_j`.
    theta : pandas.Series
        lme4's covariance parameters: the lower Cholesky factor of the between-group
        covariance matrix divided by sigma, in lme4's order and naming.
    y, group : str
        Names of the response and grouping columns.
    x : tuple of str
        Names of the fixed-effect predictors (without the intercept).
    varying : tuple of str
        The varying terms: ``("Intercept",)`` or ``("Intercept", slope)``.
    converged : bool
        Whether the optimizer reported success.
    """

    _beta: np.ndarray = field(repr=False)
    _vcov: np.ndarray = field(repr=False)
    _fe_names: tuple = field(repr=False)
    _sd: np.ndarray = field(repr=False)
    group_corr: float
    sigma: float
    _re: np.ndarray = field(repr=False)
    _re_sd: np.ndarray = field(repr=False)
    _labels: pd.Index = field(repr=False)
    _counts: np.ndarray = field(repr=False)
    _theta: np.ndarray = field(repr=False)
    _theta_names: tuple = field(repr=False)
    loglik: float
    method: str
    singular: bool
    n_obs: int
    n_groups: int
    y: str
    group: Hashable
    x: tuple
    varying: tuple
    converged: bool = True

    # -- pandas views: built on access from private read-only arrays (always new objects)
    @property
    def fixed_effects(self) -> pd.Series:
        return pd.Series(self._beta.copy(), index=pd.Index(self._fe_names), name="estimate")

    @property
    def fixed_effects_cov(self) -> pd.DataFrame:
        names = pd.Index(self._fe_names)
        return pd.DataFrame(self._vcov.copy(), index=names, columns=names)

    @property
    def fixed_effects_se(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self._vcov)), index=pd.Index(self._fe_names),
                         name="std_error")

    @property
    def group_sd(self) -> pd.Series:
        return pd.Series(self._sd.copy(), index=pd.Index(list(self.varying)), name="sd")

    @property
    def random_effects(self) -> pd.DataFrame:
        return pd.DataFrame(self._re.copy(), index=self._labels.copy(),
                            columns=pd.Index(list(self.varying)))

    @property
    def random_effects_sd(self) -> pd.DataFrame:
        return pd.DataFrame(self._re_sd.copy(), index=self._labels.copy(),
                            columns=pd.Index(list(self.varying)))

    @property
    def group_sizes(self) -> pd.Series:
        return pd.Series(self._counts.astype(np.int64), index=self._labels.copy(), name="n")

    @property
    def theta(self) -> pd.Series:
        return pd.Series(self._theta.copy(), index=pd.Index(self._theta_names), name="theta")

    @property
    def group_coefs(self) -> pd.DataFrame:
        coefs = np.tile(self._beta, (self.n_groups, 1))
        for k, term in enumerate(self.varying):
            coefs[:, self._fe_names.index(term)] += self._re[:, k]
        return pd.DataFrame(coefs, index=self._labels.copy(), columns=pd.Index(self._fe_names))

    @property
    def deviance(self) -> float:
        return -2.0 * self.loglik

    @property
    def n_params(self) -> int:
        """The number of estimated parameters (fixed effects, covariance parameters and sigma)."""
        return len(self._beta) + len(self._theta) + 1

    @property
    def aic(self) -> float:
        return -2.0 * self.loglik + 2.0 * self.n_params

    @property
    def bic(self) -> float:
        return -2.0 * self.loglik + math.log(self.n_obs) * self.n_params

    # -- prediction ----------------------------------------------------------------------
    def predict(self, newdata: pd.DataFrame) -> pd.Series:
        """Predict the response for new rows.

        Rows whose group label was seen in the fit get the fixed effects plus that
        group's conditional modes; rows of a new group (or all rows, when `newdata`
        has no column named like the fitted grouping column) get the fixed effects
        only -- the population-level prediction, since a new group's effect has
        mean zero.

        Parameters
        ----------
        newdata : pandas.DataFrame
            Must hold the fixed-effect predictor columns `x`; may hold the grouping
            column.

        Returns
        -------
        pandas.Series
            One prediction per row, indexed like `newdata`.
        """
        check_frame(newdata, "newdata")
        for name in self.x:
            check_column(newdata, name, "newdata")
        n = len(newdata)
        design = np.ones((n, 1 + len(self.x)))
        for k, name in enumerate(self.x, start=1):
            design[:, k] = newdata[name].to_numpy(dtype=float)
        coefs = np.tile(self._beta, (n, 1))
        if self.group in newdata.columns:
            pos = self._labels.get_indexer(newdata[self.group])
            known = pos >= 0
            for j, term in enumerate(self.varying):
                coefs[known, self._fe_names.index(term)] += self._re[pos[known], j]
        return pd.Series((design * coefs).sum(axis=1), index=newdata.index.copy(),
                         name=f"predicted_{self.y}")

    # -- display -------------------------------------------------------------------------
    def _variance_table(self) -> pd.DataFrame:
        rows = []
        for term in self.varying:
            sd = float(self._sd[self.varying.index(term)])
            rows.append((str(self.group), term, sd ** 2, sd))
        rows.append(("Residual", "", self.sigma ** 2, self.sigma))
        table = pd.DataFrame(rows, columns=["Groups", "Name", "Variance", "Std.Dev."])
        if len(self.varying) == 2:
            corr = ["", "" if math.isnan(self.group_corr) else f"{self.group_corr:.3f}", ""]
            if math.isnan(self.group_corr):
                corr[1] = "NaN"
            table["Corr"] = corr
        return table

    def _fixed_table(self) -> pd.DataFrame:
        se = self.fixed_effects_se
        est = self.fixed_effects
        return pd.DataFrame({"Estimate": est, "Std. Error": se, "t value": est / se})

    def _formula(self) -> str:
        rhs = " + ".join(["1", *self.x]) if self.x else "1"
        re = "1" if len(self.varying) == 1 else f"1 + {self.varying[1]}"
        return f"{self.y} ~ {rhs} + ({re} | {self.group})"

    def _criterion_line(self) -> str:
        if self.method == "REML":
            return (f"REML criterion at convergence: {self.deviance:.4f}   "
                    f"(REML log-likelihood {self.loglik:.4f})")
        return (f"log-likelihood: {self.loglik:.4f}   deviance: {self.deviance:.4f}   "
                f"AIC: {self.aic:.4f}   BIC: {self.bic:.4f}")

    def _notes(self) -> list[str]:
        notes = []
        if self.singular:
            notes.append("boundary (singular) fit: a between-group SD is 0 or the "
                         "correlation is +-1; see Notes in help(fit_varying_slopes).")
        if not self.converged:
            notes.append("Warning: the optimizer did not report convergence.")
        return notes

    def summary(self) -> ModelSummary:
        """The fit as tables in the style of lme4's ``summary(lmer(...))``.

        Returns
        -------
        ModelSummary
            ``print()`` it for the text; a notebook displays it as HTML tables.
        """
        variances, fixed = self._variance_table(), self._fixed_table()
        lines = [
            f"Linear mixed model fit by {self.method} (hiertools)",
            f"Formula: {self._formula()}",
            self._criterion_line(),
            "",
            "Random effects:",
            variances.to_string(index=False, float_format=_float_format),
            f"Number of obs: {self.n_obs}, groups: {self.group}, {self.n_groups}",
            "",
            "Fixed effects:",
            fixed.to_string(float_format=_float_format),
        ]
        for note in self._notes():
            lines += ["", note]
        notes = "".join(f"<p>{html.escape(note)}</p>" for note in self._notes())
        page = (
            f"<div><p><b>Linear mixed model fit by {self.method}</b> "
            f"<code>{html.escape(self._formula())}</code><br>"
            f"{html.escape(self._criterion_line())}<br>"
            f"Number of obs: {self.n_obs}, groups: {html.escape(str(self.group))}, "
            f"{self.n_groups}</p>"
            f"<p><b>Random effects</b></p>"
            f"{variances.to_html(index=False, float_format=_float_format)}"
            f"<p><b>Fixed effects</b></p>{fixed.to_html(float_format=_float_format)}"
            f"{notes}</div>"
        )
        return ModelSummary("\n".join(lines), page)

    def __repr__(self) -> str:
        sds = ", ".join(f"{k}={v:.4g}" for k, v in zip(self.varying, self._sd))
        return (f"<MixedModelResult {self.method}: {self._formula()}; n_obs={self.n_obs}, "
                f"n_groups={self.n_groups}; group_sd({sds}), sigma={self.sigma:.4g}, "
                f"loglik={self.loglik:.4f}{', singular' if self.singular else ''}>")

    def _repr_html_(self) -> str:
        return self.summary().html
