"""Minimizing the profiled criterion over theta."""

from __future__ import annotations

import math

import numpy as np

from .likelihood import _Profile


def _newton(prof: _Profile, theta, fixed=None, maxiter=100):
    """Minimize the criterion over theta >= lower by projected Newton steps.

    The gradient is exact; the Hessian is finite-differenced from gradients at
    n_theta nearby points, evaluated in the same batch as the step-length candidates
    of the previous step; eigenvalues are made positive (so every step is a descent
    direction) and the best downhill candidate of a backtracking set is taken.
    Coordinates in `fixed` stay where they are.  Returns theta, value, converged.
    """
    lower = prof.lower
    n = theta.size
    fixed = np.zeros(n, bool) if fixed is None else fixed
    movable = np.flatnonzero(~fixed)
    nm = movable.size
    alphas = np.array([1.0, 0.5, 0.2, 0.05, 1e-2, 1e-3])
    na = alphas.size
    rows = np.arange(nm)

    def around(th):
        hstep = 1e-6 * np.maximum(np.abs(th[movable]), 1e-2)
        pts = np.repeat(th[None], nm, axis=0)
        pts[rows, movable] += hstep
        return pts, hstep

    pts, hstep = around(theta)
    fv, gv = prof.batch(np.vstack([theta[None], pts]), grad=True)
    f, gr, gp = float(fv[0]), gv[0], gv[1:]
    converged = False
    for _ in range(maxiter):
        hess = (gp[:, movable] - gr[movable]) / hstep[:, None]
        active = (theta[movable] <= lower[movable]) & (gr[movable] > 0)
        free = np.flatnonzero(~active)
        gfree = gr[movable][free]
        if free.size == 0 or np.max(np.abs(gfree)) < 1e-10 * max(1.0, abs(f)):
            converged = True
            break
        hess = hess[np.ix_(free, free)]
        hess = 0.5 * (hess + hess.T)
        evals, evecs = np.linalg.eigh(hess)
        floor = 1e-8 * max(1.0, float(np.abs(evals).max()))
        evals = np.maximum(np.abs(evals), floor)
        step = np.zeros(n)
        step[movable[free]] = -evecs @ ((evecs.T @ gfree) / evals)
        if np.max(np.abs(step)) < 1e-10 * (1.0 + float(np.max(np.abs(theta)))):
            converged = True  # the Newton step is below rounding: at the optimum already
            break
        cands = np.maximum(theta[None] + alphas[:, None] * step[None], lower)
        pts, hnext = around(cands[0])
        # gradients only where they may be needed: the full step and its Hessian points
        fv, gv = prof.batch(np.vstack([cands[:1], pts, cands[1:]]), grad=1 + nm)
        fv = np.concatenate([fv[:1], fv[1 + nm:], fv[1:1 + nm]])
        gp_next = gv[1:]
        better = np.flatnonzero(fv[:na] < f)
        if better.size == 0:
            # no decrease along the Newton direction: one steepest-descent try, else stop
            sd = np.zeros(n)
            sd[movable[free]] = -gfree / max(1.0, float(np.abs(evals).max()))
            cands = np.maximum(theta[None] + alphas[:, None] * sd[None], lower)
            fv = prof.batch(cands)
            better = np.flatnonzero(fv < f)
            if better.size == 0:
                converged = bool(np.max(np.abs(step)) < 1e-7 * (1.0 + np.max(np.abs(theta))))
                break
            i = -1  # force a fresh gradient and Hessian below
            j = int(better[0])
            new, f_new = cands[j], float(fv[j])
        else:
            i = int(better[0])
            new, f_new = cands[i], float(fv[i])
        moved = float(np.max(np.abs(new - theta)))
        decrease = f - f_new
        theta, f = new, f_new
        if i == 0:
            gr, gp, hstep = gv[0], gp_next, hnext
        else:
            pts, hstep = around(theta)
            gv = prof.batch(np.vstack([theta[None], pts]), grad=True)[1]
            gr, gp = gv[0], gv[1:]
        if moved < 1e-13 * (1.0 + float(np.max(np.abs(theta)))) or decrease < 1e-15 * abs(f):
            converged = True
            break
    # Polish.  Near the optimum the criterion changes by less than its own rounding
    # error, so function values can no longer tell a better theta from a worse one
    # (which is where the loop above stops), but the exact gradient still can.  Newton
    # steps on the interior coordinates, with the Hessian of the last iterate (gr, gp
    # and hstep belong to the current theta), kept while they shrink the gradient:
    # this takes the gradient from ~1e-8 to ~1e-13 and makes the optimum reproducible
    # to ~1e-14 under rounding-level changes of the data (e.g. shifting y).
    inner = np.flatnonzero(theta[movable] > lower[movable])
    if inner.size:
        cols = movable[inner]
        hess = (gp[np.ix_(inner, cols)] - gr[cols]) / hstep[inner, None]
        try:
            inverse = np.linalg.inv(0.5 * (hess + hess.T))
        except np.linalg.LinAlgError:
            inverse = None
        for _ in range(3 if inverse is not None else 0):
            gnorm = float(np.max(np.abs(gr[cols])))
            if gnorm < 1e-13 * max(1.0, abs(f)):
                break
            cand = theta.copy()
            cand[cols] -= inverse @ gr[cols]
            if np.any(cand < lower):
                break
            fc, gc = prof.batch(cand[None], grad=True)
            if np.max(np.abs(gc[0][cols])) >= gnorm or fc[0] > f + 1e-12 * max(1.0, abs(f)):
                break
            theta, f, gr = cand, float(fc[0]), gc[0]
    return theta, f, converged


def _canonical(theta):
    """lme4's sign convention: theta1 >= 0 and theta3 >= 0 (same G = Lambda Lambda')."""
    theta = np.array(theta, dtype=float)
    if theta[0] < 0:
        theta[0] = -theta[0]
        if theta.size == 3:
            theta[1] = -theta[1]
    if theta.size == 3:
        theta[2] = abs(theta[2])
    return theta + 0.0  # no negative zeros


def _moment_start(prof: _Profile):
    """Method-of-moments start for varying slopes: spread of the per-group OLS lines.

    Sigma_b ~ Cov(beta_j) - sigma_w^2 mean(M_j^{-1}), with sigma_w^2 the pooled
    within-group residual variance (computable from the sufficient statistics, since
    sum_j y_j'y_j = y'y).  Returns theta = chol(Sigma_b / sigma_w^2), or None.
    """
    red = prof.red
    m, v = red.ztz, red.zty
    m00, m01, m11 = m[:, 0, 0], m[:, 0, 1], m[:, 1, 1]
    det = m00 * m11 - m01 * m01
    ok = det > 1e-8 * m00 * m11
    if ok.sum() < 3:
        return None
    b0 = (m11 * v[:, 0] - m01 * v[:, 1])[ok] / det[ok]
    b1 = (m00 * v[:, 1] - m01 * v[:, 0])[ok] / det[ok]
    fitted = float((v[ok, 0] * b0 + v[ok, 1] * b1).sum())
    fitted += float((v[~ok, 0] ** 2 / m00[~ok]).sum())
    dfw = red.n - 2 * int(ok.sum()) - int((~ok).sum())
    rss = red.a0[-1, -1] - fitted
    if dfw <= 0 or not rss > 0:
        return None
    s2 = rss / dfw
    inv_mean = np.array([[np.mean(m11[ok] / det[ok]), -np.mean(m01[ok] / det[ok])],
                         [-np.mean(m01[ok] / det[ok]), np.mean(m00[ok] / det[ok])]])
    sb = np.cov(np.stack([b0, b1])) - s2 * inv_mean
    evals, evecs = np.linalg.eigh(sb)
    evals = np.maximum(evals, 1e-2 * max(float(evals.max()), 1e-4 * s2))
    g0 = (evecs * evals) @ evecs.T / s2
    return np.array(_chol2(g0))


def _optimize(prof: _Profile):
    """Global start from a log grid along lme4's default direction, then Newton."""
    if prof.n_theta == 1:
        direction = np.ones(1)
    else:
        direction = np.array([1.0, 0.0, 1.0])
    scales = np.concatenate([[0.0], np.logspace(-3, 3, 25)])
    vals = prof.batch(scales[:, None] * direction[None])
    while np.argmin(vals) == len(scales) - 1 and scales[-1] < 1e10:
        more = scales[-1] * np.logspace(0.5, 3, 6)
        scales = np.concatenate([scales, more])
        vals = np.concatenate([vals, prof.batch(more[:, None] * direction[None])])
    kbest = int(np.argmin(vals))
    start = max(scales[kbest], scales[1]) * direction
    if prof.n_theta == 3:
        mstart = _moment_start(prof)
        if mstart is not None and prof.batch(mstart[None])[0] < vals[kbest]:
            start, kbest = mstart, -1
    if 2 <= kbest < len(scales) - 1 and np.all(np.isfinite(vals[kbest - 1:kbest + 2])):
        # vertex of the parabola through the three best grid values, in log(scale)
        u = np.log(scales[kbest - 1:kbest + 2])
        fl, fm, fr = vals[kbest - 1:kbest + 2]
        denom = fl - 2 * fm + fr
        if denom > 0:
            vertex = u[1] + 0.5 * (u[1] - u[0]) * (fl - fr) / denom
            start = math.exp(min(max(vertex, u[0]), u[2])) * direction
    theta, fval, ok = _newton(prof, start)
    # boundary candidates, as lme4 reaches them: a bounded coordinate exactly 0
    bounded = [0] if prof.n_theta == 1 else [0, 2]
    for c in bounded:
        if abs(theta[c]) < 1e-3:
            cand = theta.copy()
            cand[c] = 0.0
            fixed = np.zeros(prof.n_theta, bool)
            fixed[c] = True
            if prof.n_theta > 1:
                cand, fc, okc = _newton(prof, cand, fixed=fixed)
            else:
                fc, okc = float(prof.batch(cand[None])[0]), True
            if fc <= fval + 1e-10 * max(1.0, abs(fval)):
                theta, fval, ok = cand, fc, okc
    # snap coordinates that are zero up to rounding (the criterion is flat, ~theta^2, there)
    for i in range(prof.n_theta):
        if theta[i] != 0.0 and abs(theta[i]) < 1e-5:
            cand = theta.copy()
            cand[i] = 0.0
            fc = float(prof.batch(cand[None])[0])
            if fc <= fval + 1e-10 * max(1.0, abs(fval)):
                theta, fval = cand, min(fc, fval)
    theta = _canonical(theta)
    if prof.n_theta == 3 and theta[0] == 0.0:
        # theta2 and theta3 then only enter through theta2^2 + theta3^2: canonical form
        theta = np.array([0.0, 0.0, math.hypot(theta[1], theta[2])])
    return theta, fval, bool(ok)


def _chol2(gm):
    """Lower Cholesky factor of a 2x2 positive semi-definite matrix (no failure at rank 1)."""
    t1 = math.sqrt(max(gm[0, 0], 0.0))
    t2 = gm[1, 0] / t1 if t1 > 0 else 0.0
    t3 = math.sqrt(max(gm[1, 1] - t2 * t2, 0.0))
    return t1, t2, t3
