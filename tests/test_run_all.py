"""A learner's "Run All" of every solved notebook fits a hub's per-learner memory limit.

Each notebook in ``solutions/`` (what a learner who finishes every exercise runs) is executed
top to bottom in a fresh kernel, as ``benchmarks/bench_kernels.py solutions`` does, and the
kernel's peak resident memory (``VmHWM``, read inside the kernel after the last cell) must
stay within ``LIMIT_MB``.  Memory is asserted because it is a property of the notebook and
the libraries, the same on a quiet machine and a loaded one; the wall time is reported (in
the test's output and in the assertion message) but not asserted, because a busy CI machine
is slower without the notebook being so -- the benchmark prints both, against the goal of
15 s per notebook on a quiet 2-core machine.  Slow (about a minute for all eight): marked
``slow`` in tests/conftest.py.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_kernels",
                                                  ROOT / "benchmarks" / "bench_kernels.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()
SOLVED = sorted((ROOT / "solutions").glob("*.ipynb"))


def test_every_solved_notebook_is_measured():
    # the benchmark and this test walk the same folder; eight notebooks today
    assert [p.name for p in BENCH._notebooks("solutions")] == [p.name for p in SOLVED]
    assert len(SOLVED) >= 8


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="VmHWM is read from /proc")
@pytest.mark.parametrize("path", SOLVED, ids=[p.stem for p in SOLVED])
def test_run_all_of_a_solved_notebook_stays_within_a_hubs_memory_limit(path):
    nb, seconds, peak = BENCH._run(path, with_peak=True)
    errors = [o.get("ename") for c in nb.cells if c.cell_type == "code"
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: a solved notebook raised {errors}"
    print(f"{path.name}: {seconds:.1f} s (goal {BENCH.LIMIT_SECONDS} s on a quiet 2-core "
          f"machine; not asserted), peak {peak:.0f} MB")
    assert peak <= BENCH.LIMIT_MB, (f"{path.name}: the kernel peaked at {peak:.0f} MB, over the "
                                    f"{BENCH.LIMIT_MB} MB a hub's per-learner limit must hold "
                                    f"({seconds:.1f} s); see benchmarks/bench_kernels.py "
                                    f"solutions --cells 5 --only {path.name[:2]}")
