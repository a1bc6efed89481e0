"""Benchmark of the fully Bayesian tools (hiertools.bayes), timings measured in one run.

    python benchmarks/bench_bayes.py

Prints, for eight schools (J = 8), best-of-k wall times with ``time.perf_counter``:

1. ``tau_posterior`` (the exact grid posterior, uniform and half-Cauchy priors) and
   ``TauPosterior.sample(4000)``.  Goal: milliseconds.
2. ``sample_posterior`` with 4 chains x 2,000 draws (+ 1,000 warm-up), non-centred and
   centred, uniform prior (exact Gibbs) and half-Cauchy (Metropolis step for tau).
   Goal: well under a second on 2 cores.
3. the same sampler with the chains run one after another (chains=1, four times), to show
   what advancing the chains together as arrays buys.
4. ``rhat`` and ``ess`` of one parameter (4 x 2,000), and ArviZ's on the same array when
   ArviZ is installed.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

if importlib.util.find_spec("hiertools") is None:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hiertools as ht

Y = np.array([28.0, 8, -3, 7, -1, 1, 18, 12])
SE = np.array([15.0, 10, 16, 11, 9, 11, 10, 18])


def best(f, repeat=7):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    rows = []
    post = ht.tau_posterior(Y, SE)
    rows.append(("tau_posterior, uniform prior", best(lambda: ht.tau_posterior(Y, SE))))
    rows.append(("tau_posterior, half-Cauchy(25)",
                 best(lambda: ht.tau_posterior(Y, SE, "half-cauchy", scale=25))))
    rows.append(("TauPosterior.sample(4000)", best(lambda: post.sample(4000, seed=1))))
    for par in ("noncentered", "centered"):
        rows.append((f"sample_posterior, 4 x 2,000, {par}, uniform",
                     best(lambda par=par: ht.sample_posterior(
                         Y, SE, parametrization=par, progress=False), repeat=5)))
    rows.append(("sample_posterior, 4 x 2,000, noncentered, half-Cauchy(25)",
                 best(lambda: ht.sample_posterior(Y, SE, prior="half-cauchy", scale=25,
                                                  progress=False), repeat=5)))
    one_by_one = best(lambda: [ht.sample_posterior(Y, SE, chains=1, seed=s, progress=False)
                               for s in range(4)], repeat=5)
    rows.append(("  the same 4 chains one after another (chains=1, x4)", one_by_one))
    draws = ht.sample_posterior(Y, SE, progress=False)
    tau = draws.pivot(index="chain", columns="draw", values="tau").to_numpy()
    rows.append(("rhat(4 x 2,000)", best(lambda: ht.rhat(tau))))
    rows.append(("ess(4 x 2,000)", best(lambda: ht.ess(tau))))
    if importlib.util.find_spec("arviz") is not None:
        start = time.perf_counter()
        import arviz as az
        rows.append(("  import arviz (once)", time.perf_counter() - start))
        rows.append(("  az.rhat(4 x 2,000, method='rank')",
                     best(lambda: az.rhat(tau, method="rank"))))
        rows.append(("  az.ess(4 x 2,000, method='bulk')",
                     best(lambda: az.ess(tau, method="bulk"))))
    width = max(len(name) for name, _ in rows)
    for name, seconds in rows:
        shown = f"{seconds * 1e3:8.1f} ms"
        print(f"{name:<{width}}  {shown}")


if __name__ == "__main__":
    main()
