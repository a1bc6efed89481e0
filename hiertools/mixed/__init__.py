"""Linear mixed models with one grouping factor: varying intercepts and varying slopes.

Fitting philosophy.  The data are reduced once, in one vectorized pass, to
per-group sufficient statistics (``np.bincount`` on integer group codes), so
everything after that pass costs time in the number of groups, not rows.  As in
lme4 (Bates et al. 2015, section 3) the fixed effects and the residual variance
are profiled out and only the relative covariance factor Λ(θ) is optimized:
one parameter for varying intercepts, three (a lower Cholesky factor relative
to sigma) for correlated intercepts and slopes.  With one grouping factor the
penalized least-squares system is block diagonal with 1 × 1 or 2 × 2 blocks, so
one evaluation of the profiled criterion and of its exact gradient is a few
matrix-vector products over per-group arrays.  Predictors are centred and
scaled internally (an exact reparametrization; results are reported on the
original scale).  Boundary fits (a between-group SD of zero, a correlation of
±1) are legitimate answers, reported as ``singular=True`` as lme4 does.

One module per step, in the order a fit runs through them:

``reduction``   argument checks and the one pass over the rows (sufficient statistics)
``likelihood``  the profiled ML / REML criterion and its gradient (the math is there)
``optimizer``   minimizing the criterion over θ, boundary fits included
``fit``         ``fit_varying_intercepts`` / ``fit_varying_slopes``: the result on the
                original scale
``result``      ``MixedModelResult`` (accessors, summary, display, predict)
"""

from __future__ import annotations

from .fit import fit_varying_intercepts, fit_varying_slopes
from .result import MixedModelResult, ModelSummary

__all__ = ["fit_varying_intercepts", "fit_varying_slopes", "MixedModelResult", "ModelSummary"]
