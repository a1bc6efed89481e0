"""Benchmark of the mixed-model engine (hiertools.mixed), as ratios measured in one run.

    python benchmarks/bench_engine.py            # full run (1,000,000 rows x 10,000 groups)
    python benchmarks/bench_engine.py --quick    # smaller simulated data, fewer repeats

Prints, from a single run on this machine:

1. engine vs statsmodels ``MixedLM`` on radon (``log_radon ~ floor + (1 | county)``) and the
   sleep study (``reaction ~ days + (days | subject)``), both by REML: statsmodels' default fit
   and ``method="powell"`` (the fit it needs to reach the optimum); the speed-up and the
   difference of the two objective values (positive = hiertools found the higher
   likelihood).  Goal: >= 50x faster.
2. on simulated data (seeded) with one predictor, the engine's time -- called with a
   DataFrame, as a user would -- divided by the time of one ``np.bincount(g, weights=y)``
   pass over the same rows.  Goal: <= 10x for intercepts, <= 20x for slopes.
3. peak extra memory of a fit (tracemalloc) relative to the bytes of the input columns.
   Goal: < 3x.

Timings are best-of-k with ``time.perf_counter``.  The first line printed is the
machine's load average: other processes (on a shared machine) make the ratios noisy,
so compare runs made at a load near 0.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

if importlib.util.find_spec("hiertools") is None:  # run from a checkout without installing
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hiertools.data import load
from hiertools.mixed import fit_varying_intercepts, fit_varying_slopes


def best_of(fn, k: int) -> float:
    best = float("inf")
    for _ in range(k):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def simulate(n_rows: int, n_groups: int, seed: int = 20240501) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    g = rng.integers(0, n_groups, size=n_rows)
    x = rng.normal(size=n_rows)
    a = rng.normal(0.0, 0.5, size=n_groups)
    b = rng.normal(0.0, 0.3, size=n_groups)
    y = 1.0 + a[g] + (2.0 + b[g]) * x + rng.normal(size=n_rows)
    return pd.DataFrame({"g": g, "x": x, "y": y})


def statsmodels_rows(k: int) -> list[tuple]:
    import statsmodels.formula.api as smf

    rows = []
    cases = [
        ("radon: log_radon ~ floor + (1|county)", load("radon"),
         lambda d: fit_varying_intercepts(d, "log_radon", "county", x="floor"),
         lambda d: smf.mixedlm("log_radon ~ floor", d, groups=d["county"])),
        ("sleepstudy: reaction ~ days + (days|subject)", load("sleepstudy"),
         lambda d: fit_varying_slopes(d, "reaction", "days", "subject"),
         lambda d: smf.mixedlm("reaction ~ days", d, groups=d["subject"], re_formula="~days")),
    ]
    for label, data, ours, theirs in cases:
        t_ours = best_of(lambda: ours(data), 5 * k)
        ll_ours = ours(data).loglik
        for fit_kw, name in [({}, "default"), ({"method": "powell"}, "powell")]:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t_sm = best_of(lambda: theirs(data).fit(reml=True, **fit_kw), k)
                sm = theirs(data).fit(reml=True, **fit_kw)
            # statsmodels' llf is on lme4's scale (REML included; checked in the tests)
            ll_sm = sm.llf
            rows.append((label, f"statsmodels {name}", t_ours, t_sm, t_sm / t_ours,
                         ll_ours - ll_sm))
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller data, fewer repeats")
    args = parser.parse_args(argv)
    n_rows, n_groups, k = (100_000, 1_000, 3) if args.quick else (1_000_000, 10_000, 5)
    if hasattr(os, "getloadavg"):
        print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    print("1. engine vs statsmodels MixedLM (REML); goal >= 50x")
    print(f"{'data':46s} {'baseline':22s} {'ours ms':>8s} {'theirs ms':>10s} {'speed-up':>9s}"
          f" {'loglik ours-theirs':>19s}")
    for label, base, t_o, t_s, ratio, dll in statsmodels_rows(k):
        print(f"{label:46s} {base:22s} {1e3 * t_o:8.2f} {1e3 * t_s:10.1f} {ratio:8.0f}x"
              f" {dll:19.2e}")

    print(f"\n2. {n_rows:,} rows x {n_groups:,} groups, one predictor; "
          "goal <= 10x (intercepts), <= 20x (slopes)")
    data = simulate(n_rows, n_groups)
    # The baseline: one bincount over plain (writable) arrays of the same rows.  pandas' columns
    # are read-only views (copy-on-write), and np.bincount copies read-only input first, so
    # a bincount straight on the DataFrame's columns is slower; it is printed for context.
    g = data["g"].to_numpy().copy()
    y = data["y"].to_numpy().copy()
    fit_varying_intercepts(data, "y", "g", x="x")  # warm-up
    fit_varying_slopes(data, "y", "x", "g")
    t_bin = best_of(lambda: np.bincount(g, weights=y), 3 * k)
    t_df = best_of(lambda: np.bincount(data["g"].to_numpy(), weights=data["y"].to_numpy()), 3 * k)
    t_int = best_of(lambda: fit_varying_intercepts(data, "y", "g", x="x"), k)
    t_slo = best_of(lambda: fit_varying_slopes(data, "y", "x", "g"), k)
    print(f"   baseline, one np.bincount(g, weights=y) pass: {1e3 * t_bin:7.2f} ms "
          f"(on the DataFrame's read-only columns: {1e3 * t_df:.2f} ms)")
    for name, t in [("fit_varying_intercepts(x='x'):", t_int),
                    ("fit_varying_slopes(x='x'):", t_slo)]:
        print(f"   {name:31s}{1e3 * t:7.2f} ms = {t / t_bin:5.1f}x baseline")

    print("\n3. peak extra memory during a fit (tracemalloc); goal < 3x the input columns")
    nbytes = sum(data[c].to_numpy().nbytes for c in ["g", "x", "y"])
    for name, fn in [("intercepts", lambda: fit_varying_intercepts(data, "y", "g", x="x")),
                     ("slopes", lambda: fit_varying_slopes(data, "y", "x", "g"))]:
        tracemalloc.start()
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"   {name:10s}: peak extra {(peak - base) / 2**20:7.1f} MiB = "
              f"{(peak - base) / nbytes:4.2f}x the input columns ({nbytes / 2**20:.1f} MiB)")


if __name__ == "__main__":
    main()
