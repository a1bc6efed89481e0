"""What a shared hub needs to know: each lesson's peak kernel memory, and a room on one machine.

    python benchmarks/bench_kernels.py solutions       # every solved notebook: time, memory
    python benchmarks/bench_kernels.py solutions --cells 5 --only 03 05
    python benchmarks/bench_kernels.py memory          # every lesson, one at a time
    python benchmarks/bench_kernels.py room            # lesson 02 in 10 kernels at once
    python benchmarks/bench_kernels.py room --kernels 4 --lesson 05

``memory`` executes every notebook in ``lessons/`` top to bottom in a fresh kernel (as a
learner's "Run All" does; exercise stubs raise and execution goes on) and prints the wall time
and the kernel's peak resident memory (``VmHWM``, or ``ru_maxrss`` without ``/proc``, read
inside the kernel after the last cell).  Goal: <= 300 MB per lesson, a typical per-learner limit
on a JupyterHub.

``solutions`` does the same for every notebook in ``solutions/``: what a learner who finishes
every exercise runs (the student copies stop at each exercise, so ``memory`` reports less).  It
prints each notebook's wall time (kernel start included, as a learner's "Restart and Run All"),
the kernel's start-up time (until the first cell begins) and its peak resident memory
(``VmHWM`` of the kernel process, from ``/proc/self/status``; ``ru_maxrss`` where there is no
``/proc``); ``--cells N`` adds each notebook's N slowest cells, timed by the kernel's own
messages, and the N cells that raised its peak most (VmHWM noted after every cell by an IPython
``post_run_cell`` hook).  Goal: every solved notebook <= 15 s and <= 300 MB on a 2-core machine;
the exit status is 1 when a notebook is over either.  ``tests/test_run_all.py`` asserts the
memory goal (not the time: a loaded machine is slow without the notebook being so).

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
import datetime
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MB = 300
LIMIT_SECONDS = 15

# Appended to a notebook: the kernel's own peak resident set size (VmHWM), in MB.
_PEAK_CELL = """
import resource, sys
try:
    with open("/proc/self/status") as _status:
        _peak = next(int(l.split()[1]) for l in _status if l.startswith("VmHWM:")) * 2**10
except OSError:
    _peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin"
                                                                  else 2**10)
print("PEAK_MB", round(_peak / 2**20, 1))
"""


# Put first in a notebook: after every cell, the kernel notes its VmHWM (MB) in `_bench_hwm`,
# so the report can say which cell raised the peak.
_TRACE_CELL = """
def _bench_vmhwm():
    try:
        with open("/proc/self/status") as status:
            return next(int(l.split()[1]) for l in status if l.startswith("VmHWM:")) / 1024
    except OSError:
        return float("nan")
_bench_hwm = []
get_ipython().events.register("post_run_cell", lambda result: _bench_hwm.append(_bench_vmhwm()))
"""
_TRACE_PRINT = """
print("HWM_TRACE", _bench_hwm)
"""


def _notebooks(folder: str = "lessons") -> list[Path]:
    return sorted((ROOT / folder).glob("*.ipynb"))


def _seconds(cell, start: str, end: str) -> float:
    """Seconds between two of the timestamps nbclient records in a cell's metadata."""
    stamps = cell.metadata.get("execution", {})
    if start not in stamps or end not in stamps:
        return float("nan")
    parse = datetime.datetime.fromisoformat
    return (parse(stamps[end].rstrip("Z")) - parse(stamps[start].rstrip("Z"))).total_seconds()


def _run(path: Path, *, with_peak: bool = False, timeout: int = 600, timing: bool = False,
         trace: bool = False):
    """Execute a copy of `path` in a fresh kernel; returns (notebook, seconds, peak MB).

    With `timing`, each cell's metadata keeps nbclient's timestamps and the notebook's
    metadata gets ``bench_started`` (when the kernel was asked to start, same clock).  With
    `trace`, each code cell's metadata gets ``bench_hwm``: the kernel's VmHWM (MB) after it.
    """
    nb = nbformat.read(path, as_version=4)
    if trace:
        nb.cells.insert(0, nbformat.v4.new_code_cell(_TRACE_CELL))
        nb.cells.append(nbformat.v4.new_code_cell(_TRACE_PRINT))
    if with_peak:
        nb.cells.append(nbformat.v4.new_code_cell(_PEAK_CELL))
    with tempfile.TemporaryDirectory(prefix="hiertools-bench-") as folder:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=True,
                                record_timing=timing, resources={"metadata": {"path": folder}})
        nb.metadata["bench_started"] = datetime.datetime.now(datetime.timezone.utc).isoformat()
        started = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - started
    if trace:
        text = "".join(o.get("text", "") for o in nb.cells[-2 if with_peak else -1].outputs)
        values = eval(text.split("HWM_TRACE", 1)[1]) if "HWM_TRACE" in text else []
        code = [c for c in nb.cells[1:] if c.cell_type == "code"]
        for cell, value in zip(code, values[1:]):
            cell.metadata["bench_hwm"] = value
        del nb.cells[0]
        del nb.cells[-2 if with_peak else -1]
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


def solutions(only: list[str] | None = None, cells: int = 0) -> int:
    """Time and peak memory of every solved notebook, run top to bottom in a fresh kernel."""
    paths = [p for p in _notebooks("solutions")
             if not only or any(p.name.startswith(o) for o in only)]
    print(f"Solved notebooks executed top to bottom in a fresh kernel (goal <= {LIMIT_SECONDS} s"
          f" and <= {LIMIT_MB} MB each)")
    print(f"{'notebook':36s} {'seconds':>8s} {'start s':>8s} {'peak MB':>8s}")
    total, worst_s, worst_mb, hot = 0.0, 0.0, 0.0, []
    for path in paths:
        nb, seconds, peak = _run(path, with_peak=True, timing=True, trace=bool(cells))
        first = next((c for c in nb.cells if c.cell_type == "code"), None)
        start = float("nan")
        if first is not None and "iopub.execute_input" in first.metadata.get("execution", {}):
            begun = datetime.datetime.fromisoformat(nb.metadata["bench_started"])
            stamp = first.metadata.execution["iopub.execute_input"].rstrip("Z")
            start = (datetime.datetime.fromisoformat(stamp).replace(tzinfo=datetime.timezone.utc)
                     - begun).total_seconds()
        total += seconds
        worst_s, worst_mb = max(worst_s, seconds), max(worst_mb, peak)
        print(f"{path.name:36s} {seconds:8.1f} {start:8.1f} {peak:8.0f}")
        timed = [(_seconds(c, "iopub.execute_input", "shell.execute_reply"), i, c)
                 for i, c in enumerate(nb.cells[:-1]) if c.cell_type == "code"]
        raised, before = [], 0.0
        for i, c in enumerate(nb.cells[:-1]):
            if "bench_hwm" in c.metadata:
                raised.append((c.metadata.bench_hwm - before, i, c))
                before = c.metadata.bench_hwm
        hot.append((path.name, sorted(timed, key=lambda t: -t[0])[:cells],
                    sorted(raised, key=lambda t: -t[0])[:cells]))
    print(f"all: {total:.1f} s; slowest {worst_s:.1f} s, largest {worst_mb:.0f} MB -> "
          f"{'within' if worst_s <= LIMIT_SECONDS and worst_mb <= LIMIT_MB else 'OVER'} the "
          f"goal")
    if cells:
        print(f"\nThe {cells} slowest cells of each (seconds, cell index, first line), and the "
              f"{cells} cells that raised the peak most (MB added to VmHWM):")
        for name, slow, raised in hot:
            print(name)
            for secs, index, cell in slow:
                line = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
                print(f"  {secs:6.2f} s  [{index:2d}] {line[:66]}")
            for mb, index, cell in raised:
                line = next((ln for ln in cell.source.splitlines() if ln.strip()), "")
                print(f"  {mb:+6.0f} MB [{index:2d}] {line[:66]}")
    return 0 if worst_s <= LIMIT_SECONDS and worst_mb <= LIMIT_MB else 1


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
    sol_cmd = sub.add_parser("solutions", help="time and peak memory of every solved notebook")
    sol_cmd.add_argument("--only", nargs="*", help="notebook name prefixes (e.g. 03 05)")
    sol_cmd.add_argument("--cells", type=int, default=0, help="list the N slowest cells of each")
    room_cmd = sub.add_parser("room", help="one lesson in many kernels at once")
    room_cmd.add_argument("--lesson", default="02", help="lesson number (default 02)")
    room_cmd.add_argument("--kernels", type=int, default=10, help="kernels at once (default 10)")
    args = parser.parse_args(argv)
    if args.what == "memory":
        return memory()
    if args.what == "solutions":
        return solutions(args.only, args.cells)
    return room(args.lesson, args.kernels)


if __name__ == "__main__":
    sys.exit(main())
