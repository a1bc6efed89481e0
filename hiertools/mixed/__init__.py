"""Linear mixed models with one grouping factor: varying intercepts and varying slopes.

Fitting philosophy.  The data are reduced once, in one vectorized pass, to
per-group sufficient statistics: the group sizes and the sums and
cross-products of the design columns and the response (``np.bincount`` on
integer group codes), plus the global cross-products :math:`X'X`, :math:`X'y`
and :math:`y'y`.  Everything after that pass works on arrays with one entry per
group, so its cost grows with the number of groups, not the number of rows.
As in lme4 (Bates et al. 2015, section 3) the fixed effects and the residual
variance are profiled out and only the relative covariance factor
:math:`\\Lambda(\\theta)` is optimized: one parameter for varying intercepts,
three (a lower Cholesky factor relative to sigma) for correlated intercepts
and slopes.  With one grouping factor the penalized least-squares system is
block diagonal with 1x1 or 2x2 blocks, and with the 2x2 identities
:math:`\\det(I + MG) = 1 + \\operatorname{tr}(MG) + \\det M \\det G` and
:math:`G\\operatorname{adj}(I + MG) = G + \\det G \\operatorname{adj} M` every
per-group quantity is linear in a handful of precomputed per-group features
divided by one per-group determinant.  One evaluation of the profiled deviance
and of its exact gradient is then a few matrix-vector products.  Predictors are
centred and scaled internally (an exact reparameterization; results are
reported on the original scale).  Boundary fits (a between-group SD of zero, a
correlation of +-1) are legitimate answers, reported as ``singular=True``
exactly as lme4 does.
"""

from __future__ import annotations

from .fit import fit_varying_intercepts, fit_varying_slopes
from .result import MixedModelResult

__all__ = ["fit_varying_intercepts", "fit_varying_slopes", "MixedModelResult"]
