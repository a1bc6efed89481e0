"""``python -m hiertools doctor``: can this environment run the course?  One line per check.

Made for the first minutes of a workshop: everyone in the room runs it, and each failing
line says what to do.  The checks, in order: the Python version; every runtime package at
its lowest supported version; a Python kernel for the notebooks; JupyterLab's widget
extension (without it the explorers show as text); the shipped datasets against their
checksums; a model fit; an explorer that builds and draws.  The exit status is 0 only when
every check passes.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import json
import platform
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: module -> (distribution to install, lowest version); pyproject.toml lists the same packages
REQUIRED = {"numpy": ("numpy", "1.24"), "pandas": ("pandas", "2.0"),
            "matplotlib": ("matplotlib", "3.7"), "scipy": ("scipy", "1.10"),
            "ipywidgets": ("ipywidgets", "8.0"), "jupyterlab": ("jupyterlab", "4.0"),
            "ipykernel": ("ipykernel", "6.0"), "PIL": ("pillow", "9.0"),
            "tqdm": ("tqdm", "4.60")}
#: the JupyterLab extension that renders ipywidgets (shipped by the jupyterlab_widgets package)
WIDGET_EXTENSION = "@jupyter-widgets/jupyterlab-manager"
REINSTALL = "pip install -e . (from the course folder)"


@dataclass(frozen=True)
class Result:
    """One line of the report: did the check pass, what it found, and the fix if it failed."""

    ok: bool
    text: str
    fix: str = ""

    def __str__(self) -> str:
        return f"[{'ok' if self.ok else 'FAIL'}] {self.text}" + ("" if self.ok else
                                                                 f"  -> {self.fix}")


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def check_python() -> Iterator[Result]:
    yield Result(sys.version_info >= (3, 10), f"Python {platform.python_version()}",
                 "install Python 3.10 or newer")


def check_packages() -> Iterator[Result]:
    for module_name, (name, minimum) in REQUIRED.items():
        try:
            importlib.import_module(module_name)
            version = importlib.metadata.version(name)
        except (ImportError, importlib.metadata.PackageNotFoundError):
            yield Result(False, f"{name} missing", REINSTALL)
            continue
        yield Result(_version_tuple(version) >= _version_tuple(minimum), f"{name} {version}",
                     f"pip install -U '{name}>={minimum}'")


def check_kernel() -> Iterator[Result]:
    try:
        from jupyter_client.kernelspec import KernelSpecManager
    except ImportError:
        yield Result(False, "jupyter_client missing", REINSTALL)
        return
    kernels = KernelSpecManager().find_kernel_specs()
    yield Result("python3" in kernels, "a Python kernel for the notebooks",
                 "python -m ipykernel install --user")


def _labextension_dirs() -> list[Path]:
    from jupyter_core.paths import jupyter_path

    return [Path(p) for p in jupyter_path("labextensions")]


def check_widget_extension() -> Iterator[Result]:
    found = [d for d in _labextension_dirs()
             if (d / WIDGET_EXTENSION / "package.json").is_file()]
    version = ""
    if found:
        meta = json.loads((found[0] / WIDGET_EXTENSION / "package.json").read_text())
        version = f" {meta.get('version', '')}"
    yield Result(bool(found), f"JupyterLab widget extension{version}" if found else
                 "JupyterLab widget extension not found (the explorers would show as text)",
                 "pip install -U ipywidgets jupyterlab_widgets, then restart JupyterLab")


def check_datasets() -> Iterator[Result]:
    from .data import _PACKAGE_DATA, _registry

    damaged = []
    for name, entry in sorted(_registry().items()):
        try:
            raw = (_PACKAGE_DATA / f"{name}.csv").read_bytes()
        except OSError:
            damaged.append(f"{name} (missing)")
            continue
        if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
            damaged.append(f"{name} (checksum mismatch)")
    yield Result(not damaged, f"{len(_registry())} datasets match their checksums" if not
                 damaged else f"damaged datasets: {', '.join(damaged)}",
                 "pip install --force-reinstall -e . (from the course folder)")


def check_model_fit() -> Iterator[Result]:
    import hiertools as ht

    started = time.perf_counter()
    ht.fit_varying_intercepts(ht.load("radon"), "log_radon", "county", x="floor")
    yield Result(True, f"hiertools {ht.__version__}: a model fits "
                       f"({1000 * (time.perf_counter() - started):.0f} ms)")


def check_explorer() -> Iterator[Result]:
    import hiertools as ht

    # the explorers draw on their own Agg canvas: matplotlib's backend is left alone
    explorer = ht.pooling_explorer()
    yield Result(len(explorer.figure_view.image.value) > 0, "widgets build and draw a figure",
                 "pip install -U ipywidgets matplotlib pillow")


CHECKS: tuple[Callable[[], Iterator[Result]], ...] = (
    check_python, check_packages, check_kernel, check_widget_extension, check_datasets,
    check_model_fit, check_explorer)


def run_checks() -> list[Result]:
    """Every check's results; a check that crashes is reported as a failure, never raised."""
    results = []
    for check in CHECKS:
        try:
            results.extend(check())
        except Exception as error:  # report, don't crash: this is a diagnostic tool
            results.append(Result(False, f"{check.__name__.removeprefix('check_')} failed: "
                                         f"{type(error).__name__}: {error}", REINSTALL))
    return results


def doctor(stream=None) -> int:
    """Print one line per check to `stream` (stdout); return 0 if all pass, 1 otherwise."""
    stream = sys.stdout if stream is None else stream
    results = run_checks()
    for result in results:
        print(result, file=stream)
    problems = sum(not r.ok for r in results)
    print("All good: start with `python -m hiertools lab`." if not problems
          else f"{problems} problem(s); fix them, then run `python -m hiertools doctor` again.",
          file=stream)
    return 1 if problems else 0
