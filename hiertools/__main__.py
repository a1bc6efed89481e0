"""Command line of the course: ``python -m hiertools {lab,build,doctor,datasets}``.

The texts that ``--help`` prints are plain text (below), so a terminal shows no markup.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time

# module -> (package to install, lowest version); pyproject.toml lists the same packages
REQUIRED = {"numpy": ("numpy", "1.24"), "pandas": ("pandas", "2.0"),
            "matplotlib": ("matplotlib", "3.7"), "scipy": ("scipy", "1.10"),
            "ipywidgets": ("ipywidgets", "8.0"), "jupyterlab": ("jupyterlab", "4.0"),
            "ipykernel": ("ipykernel", "6.0"), "PIL": ("pillow", "9.0")}


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def doctor() -> int:
    """Print one line per check; return 0 if the course can run here, 1 otherwise."""
    problems = 0

    def report(ok: bool, text: str, fix: str = "") -> None:
        nonlocal problems
        problems += not ok
        print(f"[{'ok' if ok else 'FAIL'}] {text}" + ("" if ok else f"  -> {fix}"))

    report(sys.version_info >= (3, 10), f"Python {platform.python_version()}",
           "install Python 3.10 or newer")
    for module_name, (name, minimum) in REQUIRED.items():
        try:
            module = importlib.import_module(module_name)
            version = getattr(module, "__version__", "0")
            report(_version_tuple(version) >= _version_tuple(minimum), f"{name} {version}",
                   f"pip install -U '{name}>={minimum}'")
        except ImportError:
            report(False, f"{name} missing", "pip install -e . (from the course folder)")
    try:
        from jupyter_client.kernelspec import KernelSpecManager

        kernels = KernelSpecManager().find_kernel_specs()
        report("python3" in kernels, "a Python kernel for the notebooks",
               "python -m ipykernel install --user")
    except ImportError:
        report(False, "jupyter_client missing", "pip install -e . (from the course folder)")
    try:
        import hiertools as ht

        started = time.perf_counter()
        for dataset in ht.list_datasets():
            ht.load(dataset)
        ht.fit_varying_intercepts(ht.load("radon"), "log_radon", "county", x="floor")
        report(True, f"hiertools {ht.__version__}: datasets load and a model fits "
                     f"({1000 * (time.perf_counter() - started):.0f} ms)")
        # the explorers draw on their own Agg canvas: no need to touch matplotlib's backend
        explorer = ht.pooling_explorer()
        report(len(explorer.figure_view.image.value) > 0, "widgets build and draw a figure",
               "pip install -U ipywidgets matplotlib")
    except Exception as error:  # report, don't crash: this is a diagnostic tool
        report(False, f"hiertools failed: {type(error).__name__}: {error}",
               "pip install -e . (from the course folder)")
    print("All good: start with `python -m hiertools lab`." if not problems
          else f"{problems} problem(s); fix them, then run `python -m hiertools doctor` again.")
    return 1 if problems else 0


def lab(extra: list[str]) -> int:
    """Start JupyterLab on the course, opening lesson 01."""
    import os
    import subprocess

    from .build import repo_root

    root = repo_root()
    command = [sys.executable, "-m", "jupyter", "lab", "lessons/01_three_ways.ipynb", *extra]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        command.append("--allow-root")  # containers (Docker, Binder) often run as root
    print("Starting JupyterLab; stop it with Ctrl+C.", file=sys.stderr)
    try:
        return subprocess.call(command, cwd=root)
    except KeyboardInterrupt:
        return 0


DESCRIPTION = """\
The Partial Pooling course's command line. Start with "python -m hiertools doctor",
then "python -m hiertools lab". "python -m hiertools COMMAND --help" describes a command.
"""

BUILD_DESCRIPTION = """\
Build the course notebooks; solutions/ are the source.

For each solutions/NN_*.ipynb (all of them, or those named): execute it from a fresh
kernel and store its outputs; make the student copy (solution code between
### BEGIN SOLUTION and ### END SOLUTION becomes a stub that raises
NotImplementedError, exercise outputs are cleared); execute the student copy and store
it as lessons/NN_*.ipynb. Run it from inside the course folder.
"""


def main(argv: list[str] | None = None) -> int:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(prog="python -m hiertools", description=DESCRIPTION,
                                     formatter_class=raw)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    lab_cmd = commands.add_parser("lab", help="open the course in JupyterLab at lesson 01",
                                  description="Open the course in JupyterLab at lesson 01; "
                                              "any further arguments go to jupyter lab.")
    lab_cmd.add_argument("extra", nargs=argparse.REMAINDER, help="arguments for jupyter lab")
    build_cmd = commands.add_parser("build", help="execute solutions and regenerate lessons",
                                    description=BUILD_DESCRIPTION, formatter_class=raw)
    build_cmd.add_argument("notebooks", nargs="*", metavar="NN",
                           help="lesson numbers or names, e.g. 01 or 03_shrinkage (default: all)")
    commands.add_parser("doctor", help="check that this environment can run the course",
                        description="Check that this environment can run the course: one "
                                    "line per check, and a fix for anything missing.")
    commands.add_parser("datasets", help="list the shipped datasets with their titles",
                        description="List the datasets shipped with hiertools.")
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["lab"]:  # everything after `lab` belongs to jupyter lab, options included
        return lab(argv[1:])
    args = parser.parse_args(argv)
    if args.command == "build":
        from .build import build

        build(args.notebooks or None)
        return 0
    if args.command == "doctor":
        return doctor()
    import hiertools as ht

    for name in ht.list_datasets():
        print(f"{name:14s} {ht.dataset_info(name)['title']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
