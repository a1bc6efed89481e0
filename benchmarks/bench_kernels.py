"""What a shared hub needs to know: each lesson's peak kernel memory, and a room on one machine.

    python benchmarks/bench_kernels.py memory          # every lesson, one at a time
    python benchmarks/bench_kernels.py room            # lesson 02 in 10 kernels at once
    python benchmarks/bench_kernels.py room --kernels 4 --lesson 05

``memory`` executes every notebook in ``lessons/`` top to bottom in a fresh kernel (as a
learner's "Run All" does; exercise stubs raise and execution goes on) and prints the wall time
and the kernel's peak resident memory (``ru_maxrss``, read inside the kernel after the last
cell).  Goal: <= 300 MB per lesson, a typical per-learner limit on a JupyterHub.

``room`` executes one lesson in N kernels at once (threads driving nbclient, one kernel process
each) and once alone, and checks that every run finishes and reproduces the lone run's text
outputs exactly, and that no run wrote into the package, ``lessons/`` or ``solutions/`` (a
shared file on a hub); it prints the wall time of the lone run and of the room, so the ratio says
how much a full room slows each learner down on this machine.

Runs never write into the repository: every notebook is executed from a copy in a temporary
folder.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MB = 300

# Appended to a notebook: the kernel's own peak resident set size, in MB.
_PEAK_CELL = """
import resource, sys
_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print("PEAK_MB", round(_peak / (2**20 if sys.platform == "darwin" else 2**10), 1))
"""


def _notebooks() -> list[Path]:
    return sorted((ROOT / "lessons").glob("*.ipynb"))


def _run(path: Path, *, with_peak: bool = False, timeout: int = 600):
    """Execute a copy of `path` in a fresh kernel; returns (notebook, seconds, peak MB)."""
    nb = nbformat.read(path, as_version=4)
    if with_peak:
        nb.cells.append(nbformat.v4.new_code_cell(_PEAK_CELL))
    with tempfile.TemporaryDirectory(prefix="hiertools-bench-") as folder:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                                resources={"metadata": {"path": folder}})
        started = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - started
    peak = None
    if with_peak:
        text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
        peak = float(text.split("PEAK_MB")[1]) if "PEAK_MB" in text else float("nan")
    return nb, seconds, peak


def _text_outputs(nb) -> list:
    """The parts of the outputs that nbval compares: text, not images or timings."""
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                found.append(out.text)
            elif out.output_type in ("execute_result", "display_data"):
                found.append(out.data.get("text/plain"))
            elif out.output_type == "error":
                found.append(out.ename)
    return found


def memory() -> int:
    print(f"Peak kernel memory per lesson, executed top to bottom (goal <= {LIMIT_MB} MB)")
    print(f"{'notebook':36s} {'seconds':>8s} {'peak MB':>8s}")
    worst = 0.0
    for path in _notebooks():
        _, seconds, peak = _run(path, with_peak=True)
        worst = max(worst, peak)
        print(f"{path.name:36s} {seconds:8.1f} {peak:8.0f}")
    print(f"largest: {worst:.0f} MB -> {'within' if worst <= LIMIT_MB else 'OVER'} the "
          f"{LIMIT_MB} MB budget")
    return 0 if worst <= LIMIT_MB else 1


def _files_written(folders) -> dict:
    """Path -> modification time of every file under `folders` (to see what a run wrote)."""
    return {f: f.stat().st_mtime_ns for folder in folders for f in folder.rglob("*")
            if f.is_file() and "__pycache__" not in f.parts}


def room(lesson: str, kernels: int) -> int:
    matches = [p for p in _notebooks() if p.name.startswith(lesson)]
    if not matches:
        raise SystemExit(f"No lesson notebook starts with {lesson!r}; see lessons/.")
    path = matches[0]
    import hiertools

    watched = [Path(hiertools.__file__).parent, ROOT / "lessons", ROOT / "solutions"]
    before = _files_written(watched)
    alone, alone_seconds, _ = _run(path)
    reference = _text_outputs(alone)

    results: list = [None] * kernels

    def learner(i: int) -> None:
        try:
            results[i] = _run(path)
        except Exception as error:  # record, report below
            results[i] = error

    threads = [threading.Thread(target=learner, args=(i,)) for i in range(kernels)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started

    failed = [r for r in results if isinstance(r, Exception)]
    differ = sum(_text_outputs(r[0]) != reference for r in results if not isinstance(r, Exception))
    slowest = max((r[1] for r in results if not isinstance(r, Exception)), default=float("nan"))
    print(f"{path.name}: alone {alone_seconds:.1f} s; {kernels} kernels at once: wall "
          f"{wall:.1f} s (slowest learner {slowest:.1f} s, {wall / alone_seconds:.1f}x alone)")
    print(f"finished: {kernels - len(failed)}/{kernels}; text outputs identical to the lone "
          f"run: {kernels - len(failed) - differ}/{kernels - len(failed)}")
    for error in failed:
        print(f"  failed: {type(error).__name__}: {error}")
    after = _files_written(watched)
    written = sorted(str(f.relative_to(ROOT)) if f.is_relative_to(ROOT) else str(f)
                     for f in after if before.get(f) != after[f])
    print("files written into the package, lessons/ or solutions/ by the runs: "
          + (", ".join(written) if written else "none"))
    return 0 if not failed and not differ and not written else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("memory", help="peak kernel memory and time of every lesson")
    room_cmd = sub.add_parser("room", help="one lesson in many kernels at once")
    room_cmd.add_argument("--lesson", default="02", help="lesson number (default 02)")
    room_cmd.add_argument("--kernels", type=int, default=10, help="kernels at once (default 10)")
    args = parser.parse_args(argv)
    if args.what == "memory":
        return memory()
    return room(args.lesson, args.kernels)


if __name__ == "__main__":
    sys.exit(main())
