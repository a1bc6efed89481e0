"""The profiled criterion: ML deviance or REML criterion as a function of θ, with its gradient.

Everything here works on the sufficient statistics of :mod:`.reduction`, on the
internal scale (y centred, predictors centred and scaled to unit variance).

Glossary (code name: symbol)
----------------------------
``theta``        θ, the covariance parameters: 1 (intercepts) or 3 (slopes) numbers
``n_varying``    q, the number of varying terms: 1 (intercept) or 2 (intercept, slope)
``n_fixed``      p, the number of fixed effects (columns of X, intercept included)
``n_aug``        p + 1, columns of the augmented matrix [X y]
``cross``        C = [X y]'[X y], the global cross-products ((p+1) × (p+1))
``ztz``          M_j = Z_j'Z_j, per group (q × q)
``ztx, zty``     A_j = Z_j'[X_j y_j], per group (q × (p+1))
``gamma``        γ(θ): the entries of G that the criterion needs (see below)
``n_gamma``      the length of γ: 1 (q = 1) or 4 (q = 2)
``n_pairs``      (p+1)(p+2)/2, the entries (a, b), a ≤ b, of a symmetric (p+1) × (p+1) matrix
``det``, ``w``   d_j = det(I + M_j G) and w_j = 1 / d_j
``det_coefs``    e_j, with d_j = 1 + e_j·γ
``features``     F_j, with A_j' G (I + M_j G)⁻¹ A_j = (F_j·γ) / d_j, one row per pair
``multiplicity`` the number of groups behind each column of ``det_coefs`` and ``features``
``omega``        Ω(θ) = C − H(θ) = [X y]'(I + Z G Z')⁻¹[X y]
``r2``           r²(θ), the penalized residual sum of squares
``resid_df``     n (ML) or n − p (REML)

The model and what is profiled out
----------------------------------
For observation i of group j, y = Xβ + Zb + ε with b_j ~ N(0, σ²G) and
ε ~ N(0, σ²I).  As in lme4 (Bates, Mächler, Bolker & Walker 2015, "Fitting
linear mixed-effects models using lme4", JSS 67(1), section 3) G is written
through the relative covariance factor Λ(θ), lower triangular, G = ΛΛ'::

    q = 1:  Λ = [θ1]                       G = θ1²
    q = 2:  Λ = [[θ1, 0], [θ2, θ3]]        G = [[θ1², θ1θ2], [θ1θ2, θ2² + θ3²]]

For fixed θ, β̂(θ) is generalized least squares and σ̂²(θ) = r²(θ) / resid_df
in closed form, so both are profiled out and only θ is optimized.  With
V = σ²(I + ZGZ') and the Woodbury identity,

    Ω(θ) = C − H(θ),   H(θ) = Σ_j A_j' G (I + M_j G)⁻¹ A_j,

and the lower Cholesky factor R of Ω holds R_X' in its leading p × p block
(lme4's R_X'R_X = X'(I + ZGZ')⁻¹X = Ω_XX) and √r²(θ) in its last diagonal
entry (the Schur complement of Ω_XX).  By Sylvester's identity lme4's
log|L_θ|² = log det(I + Λ'Z'ZΛ) = Σ_j log d_j.  With no prior weights
(W = I) the two criteria of the paper's section 3.4 are

    ML,   eq. (34):  Σ_j log d_j + n [1 + log(2π r²(θ) / n)]
    REML, eq. (41):  Σ_j log d_j + log det Ω_XX + (n − p) [1 + log(2π r²(θ) / (n − p))]

and the reported log-likelihood is −½ × criterion (lme4's ``logLik``).

Why REML needs an offset
------------------------
The internal X is the original one times a triangular matrix U whose diagonal
holds 1 and 1/scale_k (centring and scaling the predictors).  That changes
log det(X'V⁻¹X) by −2 Σ_k log(scale_k) and nothing else: the ML criterion is
unchanged, and the REML criterion on the original scale is the internal one
plus 2 Σ_k log(scale_k).  :mod:`.reduction` computes that offset
(``reml_offset``) and the fit adds it back before reporting the REML
log-likelihood.  (Centring, the off-diagonal part of U, and centring y, which
only moves the intercept, change neither criterion.)

Per-group 2 × 2 identities
--------------------------
For 2 × 2 matrices M and G (q = 2)

    det(I + MG) = 1 + tr(MG) + det M det G,
    G adj(I + MG) = G + det G adj M,

the second because adj(I + MG) = (1 + tr MG) I − MG and, by Cayley-Hamilton,
GMG = tr(MG) G − det G adj M.  So with γ = (G00, G01, G11, det G)

    d_j = 1 + e_j·γ,                   e_j = (m00, 2 m01, m11, det M_j),
    G (I + M_j G)⁻¹ = (G + det G adj M_j) / d_j,

and entry (a, b) of A_j'(G + det G adj M_j)A_j is F_j,ab·γ with, for the
columns α = A_j[:, a] and β = A_j[:, b],

    F_j,ab = (α0β0, α0β1 + α1β0, α1β1, m11 α0β0 − m01 (α0β1 + α1β0) + m00 α1β1).

For q = 1, γ = (θ1²), e_j = (n_j) and F_j,ab = α_a α_b.  So H(θ) = Σ_j F_j·γ / d_j
is a few matrix-vector products over precomputed per-group arrays; for q = 1,
d_j depends on the group only through n_j, so groups of equal size are summed
once (``multiplicity`` counts them).  Only the upper triangle of the symmetric
(p+1) × (p+1) matrices is stored ("pairs").

The gradient
------------
Differentiate in γ, then chain through γ(θ).  With w_j = 1 / d_j,

    ∂ Σ_j log d_j / ∂γ_c = Σ_j e_jc w_j,
    ∂H / ∂γ_c = Σ_j F_jc w_j − Σ_l γ_l Σ_j F_jl e_jc w_j²,
    ∂r² / ∂γ_c = −a' (∂H/∂γ_c) a,  a = (−β̂, 1)   (β̂ minimizes the quadratic form),
    ∂ log det Ω_XX / ∂γ_c = −tr(Ω_XX⁻¹ ∂H_XX/∂γ_c),

so ∂criterion/∂γ_c = Σ_j e_jc w_j + resid_df (∂r²/∂γ_c) / r² [− tr(Ω_XX⁻¹ ∂H_XX/∂γ_c)
for REML], and ∂criterion/∂θ = (∂criterion/∂γ)(∂γ/∂θ).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .reduction import _SufficientStats


def _gamma(theta: np.ndarray, with_jacobian: bool):
    """γ (m, n_gamma) and ∂γ/∂θ (m, n_gamma, n_theta) for a batch of θ (m, n_theta)."""
    if theta.shape[1] == 1:
        return theta * theta, (2.0 * theta)[:, :, None] if with_jacobian else None
    t1, t2, t3 = theta.T
    t11, t33 = t1 * t1, t3 * t3
    gamma = np.array([t11, t1 * t2, t2 * t2 + t33, t11 * t33]).T
    if not with_jacobian:
        return gamma, None
    jac = np.zeros((theta.shape[0], 4, 3))
    jac[:, 0, 0] = 2.0 * t1
    jac[:, 1, 0], jac[:, 1, 1] = t2, t1
    jac[:, 2, 1], jac[:, 2, 2] = 2.0 * t2, 2.0 * t3
    jac[:, 3, 0], jac[:, 3, 2] = 2.0 * t1 * t33, 2.0 * t11 * t3
    return gamma, jac


def relative_covariance(theta) -> np.ndarray:
    """G = ΛΛ' (q × q) for one θ."""
    if len(theta) == 1:
        return np.array([[theta[0] * theta[0]]])
    t1, t2, t3 = theta
    return np.array([[t1 * t1, t1 * t2], [t1 * t2, t2 * t2 + t3 * t3]])


def cholesky_2x2(cov) -> tuple[float, float, float]:
    """θ = (Λ00, Λ10, Λ11) of a 2 × 2 positive semi-definite matrix (no failure at rank 1)."""
    t1 = math.sqrt(max(cov[0, 0], 0.0))
    t2 = cov[1, 0] / t1 if t1 > 0 else 0.0
    t3 = math.sqrt(max(cov[1, 1] - t2 * t2, 0.0))
    return t1, t2, t3


def _upper_triangle(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the entries (a, b), a ≤ b, of an n × n matrix ("pairs").

    The same as ``np.triu_indices(n)``, which costs ~10 µs a call: noticeable in a
    fit that takes half a millisecond.
    """
    return (np.array([a for a in range(n) for _ in range(a, n)]),
            np.array([b for a in range(n) for b in range(a, n)]))


def _intercept_features(stats: _SufficientStats, upper):
    """e (1, J) and F (n_pairs, 1, J) for varying intercepts (groups last)."""
    aug = np.concatenate([stats.ztx[:, 0, :], stats.zty], axis=1).T  # (p+1, J)
    return stats.ztz[:, 0, :].T, (aug[upper[0]] * aug[upper[1]])[:, None, :]


def _slope_features(stats: _SufficientStats, upper):
    """e (4, J) and F (n_pairs, 4, J) for varying intercepts and slopes (groups last)."""
    ztz = stats.ztz
    m00, m01, m11 = ztz[:, 0, 0], ztz[:, 0, 1], ztz[:, 1, 1]
    det_coefs = np.array([m00, 2.0 * m01, m11, m00 * m11 - m01 * m01])
    aug = np.concatenate([stats.ztx, stats.zty[:, :, None]], axis=2).transpose(1, 2, 0)
    a0, a1 = aug[0][upper[0]], aug[1][upper[0]]  # α0, α1: the pair's first column (n_pairs, J)
    b0, b1 = aug[0][upper[1]], aug[1][upper[1]]  # β0, β1: its second column
    mixed = a0 * b1 + a1 * b0
    adj = m11 * (a0 * b0) - m01 * mixed + m00 * (a1 * b1)
    return det_coefs, np.stack([a0 * b0, mixed, a1 * b1, adj], axis=1)


def _collapse_equal_sizes(det_coefs, features):
    """Sum the features of groups with equal e_j (q = 1: equal sizes) once each."""
    sizes, which = np.unique(det_coefs[0], return_inverse=True)
    flat = features.reshape(-1, len(which))
    summed = np.stack([np.bincount(which, weights=row, minlength=sizes.size) for row in flat])
    multiplicity = np.bincount(which, minlength=sizes.size).astype(float)
    return sizes[None, :], summed.reshape(*features.shape[:2], sizes.size), multiplicity


def _cholesky_rows(omega: np.ndarray):
    """Lower Cholesky factors of a stack of matrices, and a mask of those that exist."""
    try:
        return np.linalg.cholesky(omega), None
    except np.linalg.LinAlgError:  # pragma: no cover - only for numerically degenerate data
        factors = np.empty_like(omega)
        ok = np.ones(len(omega), bool)
        for i, matrix in enumerate(omega):
            try:
                factors[i] = np.linalg.cholesky(matrix)
            except np.linalg.LinAlgError:
                ok[i], factors[i] = False, np.eye(len(matrix))
        return factors, ok


class _Solution(NamedTuple):
    """Everything at one θ, on the internal scale."""

    beta: np.ndarray       # β̂(θ), (p,)
    sigma2: float          # σ̂²(θ)
    vcov: np.ndarray       # σ̂² Ω_XX⁻¹, the covariance of β̂, (p, p)
    modes: np.ndarray      # conditional modes b̂_j = W_j Z_j'(y_j − X_j β̂), (J, q)
    cond_cov: np.ndarray   # W_j = G (I + M_j G)⁻¹ (so Var(b_j | y) = σ̂² W_j), (J, q, q)


class _ProfiledCriterion:
    """The ML deviance or REML criterion of one model as a function of θ (see the module notes).

    :meth:`evaluate` takes a batch of θ values at once (rows of an array), so the
    optimizer can ask for a step, its backtracking candidates and the points of a
    finite-difference Hessian in one call.
    """

    def __init__(self, stats: _SufficientStats):
        self.stats = stats
        self.reml = stats.method == "REML"
        self.n_fixed = p = stats.n_fixed
        self.n_aug = n_aug = p + 1
        self.n_theta = 1 if stats.n_varying == 1 else 3
        self.resid_df = stats.n_obs - p if self.reml else stats.n_obs
        upper = _upper_triangle(n_aug)
        self.cross_upper = stats.cross[upper]
        # index into the stored upper triangle for every entry of a full (p+1) × (p+1) matrix
        pair_of = np.empty((n_aug, n_aug), dtype=np.intp)
        pair_of[upper] = pair_of[upper[::-1]] = np.arange(len(upper[0]))
        self.pair_index = pair_of.ravel()

        if stats.n_varying == 1:
            det_coefs, features = _intercept_features(stats, upper)
            self.det_coefs_by_group = det_coefs
            det_coefs, features, multiplicity = _collapse_equal_sizes(det_coefs, features)
        else:
            det_coefs, features = _slope_features(stats, upper)
            self.det_coefs_by_group = det_coefs
            multiplicity = np.ones(det_coefs.shape[1])
        # Groups ("rows": groups, or group sizes for q = 1) are the last, contiguous axis.
        self.n_pairs, self.n_gamma, n_rows = features.shape
        self.det_coefs = det_coefs                         # e, (n_gamma, rows)
        self.multiplicity = multiplicity                   # groups per row, (rows,)
        self.counted_det_coefs = det_coefs * multiplicity  # e weighted by the groups it stands for
        self.features = features.reshape(-1, n_rows)       # F, (n_pairs·n_gamma, rows)

    def _full(self, pairs: np.ndarray) -> np.ndarray:
        """(m, n_pairs, ...) upper-triangle entries -> (m, p+1, p+1, ...) symmetric matrices."""
        full = pairs[:, self.pair_index]
        return full.reshape(pairs.shape[0], self.n_aug, self.n_aug, *pairs.shape[2:])

    def evaluate(self, theta, n_grad: int = 0):
        """The criterion at each row of `theta` (m, n_theta); with `n_grad` > 0 also the
        gradient (n_grad, n_theta) at the first `n_grad` rows, returned as a pair."""
        theta = np.atleast_2d(np.asarray(theta, dtype=float))
        m, p = theta.shape[0], self.n_fixed
        gamma, jac = _gamma(theta, n_grad > 0)
        det = gamma @ self.det_coefs
        det += 1.0                    # d_j (m, rows): ≥ 1, as det(I + MG) with M, G p.s.d.
        w = 1.0 / det
        weighted = (w @ self.features.T).reshape(m, self.n_pairs, self.n_gamma)  # Σ_j F_j w_j
        h = (weighted @ gamma[:, :, None])[:, :, 0]
        omega = self._full(self.cross_upper - h)
        factor, ok = _cholesky_rows(omega)
        diag = np.diagonal(factor, axis1=1, axis2=2)
        log_diag = np.log(diag)
        value = np.log(det) @ self.multiplicity + self.resid_df * (
            1.0 + math.log(2.0 * math.pi / self.resid_df) + 2.0 * log_diag[:, p])
        if self.reml:
            value += 2.0 * log_diag[:, :p].sum(axis=1)
        if ok is not None:  # pragma: no cover
            value[~ok] = np.inf
        if n_grad == 0:
            return value
        grad = self._gradient(gamma[:n_grad], jac[:n_grad], w[:n_grad],
                              weighted[:n_grad], omega[:n_grad], diag[:n_grad, p] ** 2)
        if ok is not None:  # pragma: no cover
            grad[~ok[:n_grad]] = 0.0
        return value, grad

    def _gradient(self, gamma, jac, w, weighted, omega, r2):
        """∂criterion/∂θ (m, n_theta), from the pieces of :meth:`evaluate` (module notes)."""
        m, p, n_gamma = gamma.shape[0], self.n_fixed, self.n_gamma
        e_w2 = self.det_coefs[:, None, :] * (w * w)[None, :, :]  # e_jc w_j², (c, m, rows)
        second = (e_w2.reshape(n_gamma * m, -1) @ self.features.T).reshape(
            n_gamma, m, self.n_pairs, n_gamma)                     # Σ_j F_jl e_jc w_j²
        d_h = self._full(weighted - np.einsum("cmkl,ml->mkc", second, gamma))  # ∂H/∂γ_c
        omega_xx_inv = np.linalg.inv(omega[:, :p, :p])
        beta = (omega_xx_inv @ omega[:, :p, p:])[:, :, 0]
        a = np.concatenate([-beta, np.ones((m, 1))], axis=1)
        d_r2 = -np.einsum("ma,mabl,mb->ml", a, d_h, a)
        d_gamma = w @ self.counted_det_coefs.T + self.resid_df * d_r2 / r2[:, None]
        if self.reml:
            d_gamma -= np.einsum("mab,mabl->ml", omega_xx_inv, d_h[:, :p, :p, :])
        return (d_gamma[:, None, :] @ jac)[:, 0, :]

    def value(self, theta) -> float:
        """The criterion at one θ."""
        return float(self.evaluate(np.asarray(theta, dtype=float)[None])[0])

    def solve(self, theta) -> _Solution:
        """β̂, σ̂², their covariance and the conditional modes at one θ (internal scale)."""
        stats, p = self.stats, self.n_fixed
        theta = np.asarray(theta, dtype=float)
        gamma = _gamma(theta[None], False)[0][0]
        w = 1.0 / (1.0 + gamma @ self.det_coefs)
        h = (self.features @ w).reshape(self.n_pairs, self.n_gamma) @ gamma
        omega = self._full((self.cross_upper - h)[None])[0]
        omega_xx_inv = np.linalg.inv(omega[:p, :p])
        beta = omega_xx_inv @ omega[:p, p]
        sigma2 = float(omega[p, p] - omega[:p, p] @ beta) / self.resid_df
        w = 1.0 / (1.0 + gamma @ self.det_coefs_by_group)
        n_groups, q = stats.zty.shape
        resid = stats.zty - (stats.ztx.reshape(-1, p) @ beta).reshape(n_groups, q)
        if q == 1:
            cond_cov = (gamma[0] * w).reshape(-1, 1, 1)
            return _Solution(beta, sigma2, sigma2 * omega_xx_inv, cond_cov[:, 0] * resid,
                             cond_cov)
        # W_j = G (I + M_j G)⁻¹ = (G + det G adj M_j) / d_j; adj M_j = [[m11, -m01], [-m01, m00]]
        ztz, g = stats.ztz, relative_covariance(theta)
        w00 = (g[0, 0] + gamma[3] * ztz[:, 1, 1]) * w
        w01 = (g[0, 1] - gamma[3] * ztz[:, 0, 1]) * w
        w11 = (g[1, 1] + gamma[3] * ztz[:, 0, 0]) * w
        cond_cov = np.array([[w00, w01], [w01, w11]]).transpose(2, 0, 1)
        modes = np.array([w00 * resid[:, 0] + w01 * resid[:, 1],
                          w01 * resid[:, 0] + w11 * resid[:, 1]]).T
        return _Solution(beta, sigma2, sigma2 * omega_xx_inv, modes, cond_cov)
