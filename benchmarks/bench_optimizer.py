"""Why hiertools.mixed.optimizer has its own Newton iteration: a comparison with scipy.

    python benchmarks/bench_optimizer.py

For each model, the time of ``hiertools.mixed.optimizer._optimize`` (grid start,
batched Newton steps, polish, boundary) against the same pipeline with the Newton
iteration replaced by ``scipy.optimize.minimize`` (BFGS, L-BFGS-B) on the same
analytic gradient, followed by the same gradient-judged polish.  Printed: best-of-5
time, number of criterion calls, the criterion and theta relative to the Newton
optimum, and the largest gradient entry at the end.  This script uses private
functions on purpose: it measures the optimizer alone, without the pass over the rows.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize

if importlib.util.find_spec("hiertools") is None:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hiertools.data import load
from hiertools.mixed import optimizer as opt
from hiertools.mixed.likelihood import _ProfiledCriterion
from hiertools.mixed.reduction import _reduce


def best_of(fn, k: int) -> float:
    best = float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(k):
            fn()
        best = min(best, (time.perf_counter() - t0) / k)
    return best


def with_scipy(crit, method: str):
    """The optimizer pipeline with scipy in place of the Newton iteration."""
    def fun(theta):
        value, grad = crit.evaluate(theta[None], n_grad=1)
        return float(value[0]), grad[0]

    options = {"gtol": 1e-10} if method == "BFGS" else {"gtol": 1e-12, "ftol": 1e-15}
    res = optimize.minimize(fun, opt._start(crit), jac=True, method=method, options=options)
    free = np.arange(crit.n_theta)
    theta, value = opt._polish(crit, opt._evaluate_point(crit, res.x, free), free)
    theta, value, _ = opt._try_boundary(crit, theta, value, res.success)
    theta, value = opt._snap_to_zero(crit, theta, value)
    return opt._canonical(theta), value


def simulate(n_rows=1_000_000, n_groups=10_000, seed=20240501) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.integers(0, n_groups, size=n_rows)
    x = rng.normal(size=n_rows)
    a, b = rng.normal(0.0, 0.5, size=n_groups), rng.normal(0.0, 0.3, size=n_groups)
    y = 1.0 + a[g] + (2.0 + b[g]) * x + rng.normal(size=n_rows)
    return pd.DataFrame({"g": g, "x": x, "y": y})


def main() -> None:
    radon, sleep, big = load("radon"), load("sleepstudy"), simulate()
    cases = [("radon ~ floor + (1|county)", (radon, "log_radon", "county", ["floor"], None)),
             ("radon ~ floor + (floor|county)", (radon, "log_radon", "county", [], "floor")),
             ("sleepstudy (days|subject)", (sleep, "reaction", "subject", [], "days")),
             ("sleepstudy days + (1|subject)", (sleep, "reaction", "subject", ["days"], None)),
             ("1M rows, (1|g)", (big, "y", "g", ["x"], None)),
             ("1M rows, (x|g)", (big, "y", "g", [], "x"))]
    print(f"{'model':32s} {'optimizer':10s} {'ms':>7s} {'calls':>5s} {'crit - Newton':>14s}"
          f" {'max|dtheta|':>11s} {'max|grad|':>9s}")
    for label, args in cases:
        crit = _ProfiledCriterion(_reduce(*args, "REML"))
        k = 10 if label.startswith("1M") else 100
        newton_theta, newton_value, _ = opt._optimize(crit)
        for name, run in [("Newton", lambda: opt._optimize(crit)[:2]),
                          ("BFGS", lambda: with_scipy(crit, "BFGS")),
                          ("L-BFGS-B", lambda: with_scipy(crit, "L-BFGS-B"))]:
            calls = [0]
            evaluate = crit.evaluate

            def counted(theta, n_grad=0, evaluate=evaluate):
                calls[0] += 1
                return evaluate(theta, n_grad)

            crit.evaluate = counted
            theta, value = run()
            crit.evaluate = evaluate
            grad = np.max(np.abs(crit.evaluate(theta[None], n_grad=1)[1]))
            print(f"{label:32s} {name:10s} {1e3 * best_of(run, k):7.3f} {calls[0]:5d}"
                  f" {value - newton_value:14.2e} {np.max(np.abs(theta - newton_theta)):11.1e}"
                  f" {grad:9.1e}")


if __name__ == "__main__":
    main()
