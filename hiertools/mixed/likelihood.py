"""The profiled deviance / REML criterion on the sufficient statistics, with its gradient."""

from __future__ import annotations

import numpy as np

from .reduction import _Reduced


class _Profile:
    """Profiled deviance (ML) or REML criterion as a function of theta, with gradient.

    Relative covariance G = Lambda Lambda'.  Per group, with M_j = Z_j'Z_j and
    A_j = [Z_j'X_j, Z_j'y_j] (q x (p+1)):

    * d_j = det(I + M_j G) = 1 + e_j . gamma,
    * Lambda (Lambda' M_j Lambda + I)^{-1} Lambda' = N_j / d_j with N_j linear in gamma,

    where gamma = (g) for q = 1 and (g00, g01, g11, det G) for q = 2.  So
    H = sum_j A_j' N_j A_j / d_j = sum_j (F_j . gamma) / d_j with precomputed F_j, and
    Omega = [X y]'[X y] - H is the Schur complement whose Cholesky factor holds R_X and
    the penalized residual sum of squares r^2.  All methods take a batch of m thetas.
    """

    def __init__(self, red: _Reduced):
        self.red = red
        q, p = red.q, red.p
        J = red.J
        aug = np.concatenate([red.ztx, red.zty[:, :, None]], axis=2)  # (J, q, p+1)
        self.k = k = p + 1
        iu = np.triu_indices(k)
        if q == 1:
            self.e = red.ztz[:, 0, 0].reshape(J, 1)
            a = aug[:, 0, :]
            feats = (a[:, iu[0]] * a[:, iu[1]])[:, :, None]  # (J, K, 1)
        else:
            m = red.ztz
            m00, m01, m11 = m[:, 0, 0], m[:, 0, 1], m[:, 1, 1]
            detm = m00 * m11 - m01 * m01
            self.e = np.stack([m00, 2.0 * m01, m11, detm], axis=1)
            a0_, a1_ = aug[:, 0, iu[0]], aug[:, 1, iu[0]]
            b0_, b1_ = aug[:, 0, iu[1]], aug[:, 1, iu[1]]
            cross = a0_ * b1_ + a1_ * b0_
            feats = np.stack([a0_ * b0_, cross, a1_ * b1_,
                              m11[:, None] * a0_ * b0_ - m01[:, None] * cross
                              + m00[:, None] * a1_ * b1_], axis=2)  # (J, K, 4)
        self.K, self.L = feats.shape[1], feats.shape[2]
        self.e_groups = self.e
        self.mult = None
        if q == 1:
            # d_j = 1 + theta^2 n_j depends on the group only through n_j: sum the features
            # of groups of equal size once, so an evaluation costs O(#distinct sizes)
            sizes, inv = np.unique(self.e[:, 0], return_inverse=True)
            flat = feats.reshape(J, -1)
            feats = np.stack([np.bincount(inv, weights=flat[:, c], minlength=sizes.size)
                              for c in range(flat.shape[1])], axis=1).reshape(sizes.size, -1, 1)
            self.e = sizes.reshape(-1, 1)
            self.mult = np.bincount(inv, minlength=sizes.size).astype(float)
            J = sizes.size
        self.J_eff = J
        self.f2t = np.ascontiguousarray(feats.reshape(J, self.K * self.L).T)  # (K*L, J)
        self.et = np.ascontiguousarray(self.e.T)
        if self.mult is not None:
            self.et = self.et * self.mult
        # map from upper-triangle entries to full symmetric (k, k)
        full = np.empty((k, k), dtype=np.intp)
        full[iu] = np.arange(self.K)
        full[(iu[1], iu[0])] = np.arange(self.K)
        self.full = full.ravel()
        self.a0u = red.a0[iu]
        self.df = red.n - p if red.method == "REML" else red.n
        self.n_theta = 1 if q == 1 else 3
        # The criterion depends on theta only through G = Lambda Lambda', which is unchanged
        # by theta -> -theta (q = 1) and by the sign flips (t1, t2) -> (-t1, -t2) and
        # t3 -> -t3 (q = 2).  So theta is optimized without bounds and mapped to lme4's
        # canonical form (t1, t3 >= 0) afterwards: no projection ever parks the iterate on
        # the boundary t = 0, where the gradient vanishes by symmetry.
        self.lower = np.full(self.n_theta, -np.inf)

    def gamma(self, theta, jac=True):
        """gamma (m, L) and d gamma / d theta (m, L, n_theta) for thetas (m, n_theta)."""
        if self.red.q == 1:
            return theta * theta, (2.0 * theta)[:, :, None] if jac else None
        t1, t2, t3 = theta.T
        g = np.empty((theta.shape[0], 4))
        t11, t33 = t1 * t1, t3 * t3
        g[:, 0], g[:, 1], g[:, 2], g[:, 3] = t11, t1 * t2, t2 * t2 + t33, t11 * t33
        if not jac:
            return g, None
        jm = np.zeros((theta.shape[0], 4, 3))
        jm[:, 0, 0] = 2 * t1
        jm[:, 1, 0], jm[:, 1, 1] = t2, t1
        jm[:, 2, 1], jm[:, 2, 2] = 2 * t2, 2 * t3
        jm[:, 3, 0], jm[:, 3, 2] = 2 * t1 * t33, 2 * t11 * t3
        return g, jm

    def batch(self, theta, grad=0):
        """Criterion (m,) at thetas (m, n_theta) and, for the first `grad` rows (all if
        True), its gradient (grad, n_theta)."""
        theta = np.atleast_2d(np.asarray(theta, dtype=float))
        mb, k, p, K, L = theta.shape[0], self.k, self.red.p, self.K, self.L
        ng = mb if grad is True else int(grad)
        g, jac = self.gamma(theta, ng > 0)
        d = self.e @ g.T
        d += 1.0  # (J, m); >= 1 for every theta, as det(I + M G) with M, G p.s.d.
        w = 1.0 / d
        t = (self.f2t @ w).T.reshape(mb, K, L)
        h = (t @ g[:, :, None])[:, :, 0]
        omega = (self.a0u - h)[:, self.full].reshape(mb, k, k)
        try:
            r = np.linalg.cholesky(omega)
            ok = None
        except np.linalg.LinAlgError:  # pragma: no cover - only for numerically degenerate data
            r = np.zeros_like(omega)
            ok = np.ones(mb, bool)
            for i in range(mb):
                try:
                    r[i] = np.linalg.cholesky(omega[i])
                except np.linalg.LinAlgError:
                    ok[i] = False
                    r[i] = np.eye(k)
        diag = np.diagonal(r, axis1=1, axis2=2)
        r2 = diag[:, p] ** 2
        logs = np.log(diag)
        logd = np.log(d)
        logdet = logd.sum(axis=0) if self.mult is None else self.mult @ logd
        dev = logdet + self.df * (1.0 + np.log(2.0 * np.pi / self.df) + 2 * logs[:, p])
        if self.red.method == "REML":
            dev += 2.0 * logs[:, :p].sum(axis=1)
        if ok is not None:  # pragma: no cover
            dev[~ok] = np.inf
        if ng == 0:
            return dev
        # d H / d gamma_c = sum_j F_jc w_j - sum_l gamma_l sum_j F_jl e_jc w_j^2
        J = self.J_eff
        g, w, t, omega, r2 = g[:ng], w[:, :ng], t[:ng], omega[:ng], r2[:ng]
        w2e = (self.e[:, :, None] * (w * w)[:, None, :]).reshape(J, L * ng)
        q = (self.f2t @ w2e).reshape(K, L, L, ng)
        second = np.einsum("klcm,ml->mkc", q, g)
        dh = (t - second)[:, self.full, :].reshape(ng, k, k, L)
        sinv = np.linalg.inv(omega[:, :p, :p])
        beta = (sinv @ omega[:, :p, p:])[:, :, 0]
        a = np.concatenate([-beta, np.ones((ng, 1))], axis=1)
        dr2 = -np.einsum("ma,mabl,mb->ml", a, dh, a)
        dgam = (self.et @ w).T + self.df * dr2 / r2[:, None]
        if self.red.method == "REML":
            dgam -= np.einsum("mab,mabl->ml", sinv, dh[:, :p, :p, :])
        grads = (dgam[:, None, :] @ jac[:ng])[:, 0, :]
        if ok is not None:  # pragma: no cover
            grads[~ok[:ng]] = 0.0
        return dev, grads

    def solve(self, theta):
        """Everything at one theta, on the internal scale."""
        red = self.red
        theta = np.asarray(theta, dtype=float)
        g = self.gamma(theta[None], False)[0][0]
        h = (self.f2t @ (1.0 / (1.0 + self.e @ g))).reshape(self.K, self.L) @ g
        w = 1.0 / (1.0 + self.e_groups @ g)
        omega = (self.a0u - h)[self.full].reshape(self.k, self.k)
        p = red.p
        s = omega[:p, :p]
        sinv = np.linalg.inv(s)
        beta = sinv @ omega[:p, p]
        r2 = float(omega[p, p] - omega[:p, p] @ beta)
        sigma2 = r2 / self.df
        vcov = sigma2 * sinv
        resid = red.zty - red.ztx @ beta  # Z_j'(y_j - X_j beta), (J, q)
        if red.q == 1:
            wmat = (g[0] * w).reshape(-1, 1, 1)
        else:
            t1, t2, t3 = theta
            gm = np.array([[t1 * t1, t1 * t2], [t1 * t2, t2 * t2 + t3 * t3]])
            m = red.ztz
            adj = np.empty_like(m)
            adj[:, 0, 0], adj[:, 1, 1] = m[:, 1, 1], m[:, 0, 0]
            adj[:, 0, 1] = adj[:, 1, 0] = -m[:, 0, 1]
            wmat = (gm[None] + g[3] * adj) * w[:, None, None]
        if red.q == 1:
            b = wmat[:, 0, :] * resid
        else:
            b = np.stack([wmat[:, 0, 0] * resid[:, 0] + wmat[:, 0, 1] * resid[:, 1],
                          wmat[:, 1, 0] * resid[:, 0] + wmat[:, 1, 1] * resid[:, 1]], axis=1)
        return beta, sigma2, vcov, b, wmat
