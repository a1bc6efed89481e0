"""Benchmark of ht.estimate_tau_batch against one ht.estimate_tau call per map.

    python benchmarks/bench_tau_batch.py

Prints, for 2,000 simulated maps of the seed's setup (districts of 3 to 59 people, sigma = 3)
with J = 12 and J = 85 districts and tau = 0.5: the time of ``estimate_tau_batch`` on all maps
(best of 3) for REML and ML, the time of ``estimate_tau`` map by map (on 200 maps, scaled to
2,000), the ratio, and the largest difference between the two on those 200 maps.  Goal: the
whole sampling-distribution study of lesson 04 (2,000 maps x 4 settings x 4 methods) in well
under a second of estimation.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import numpy as np

if importlib.util.find_spec("hiertools") is None:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hiertools.data import simulate_maps
from hiertools.empirical_bayes import estimate_tau, estimate_tau_batch

MAPS, LOOPED = 2000, 200


def best_of(fn, k: int = 3) -> float:
    best = float("inf")
    for _ in range(k):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    print(f"{'J':>3} {'method':>6} {'batch (s)':>10} {'loop (s)':>9} {'speed-up':>9} "
          f"{'max |diff|':>11}")
    for n_districts in (12, 85):
        maps = simulate_maps(MAPS, n_districts, tau=0.5, seed=1)
        for method in ("REML", "ML"):
            batch = best_of(lambda: estimate_tau_batch(maps.raw, maps.se, method=method))
            t0 = time.perf_counter()
            looped = np.array([estimate_tau(maps.raw[r], maps.se[r], method=method)
                               for r in range(LOOPED)])
            loop = (time.perf_counter() - t0) * MAPS / LOOPED
            diff = np.abs(looped - estimate_tau_batch(maps.raw[:LOOPED], maps.se[:LOOPED],
                                                      method=method)).max()
            print(f"{n_districts:>3} {method:>6} {batch:>10.3f} {loop:>9.2f} {loop / batch:>8.0f}x "
                  f"{diff:>11.1e}")


if __name__ == "__main__":
    main()
