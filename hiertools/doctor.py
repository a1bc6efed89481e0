"""``python -m hiertools doctor``: can this environment run the course?  One line per check.

Made for the first minutes of a workshop: everyone in the room runs it, and each failing
line says what to do.  The checks, in order: the Python version (and which Python is
running); every runtime package at its lowest supported version; a Python kernel for the
notebooks; JupyterLab's widget extension (without it the explorers show as text); the
shipped datasets against their checksums; a model fit; an explorer that builds and draws.
The exit status is 0 only when every check passes.

The doctor starts with the standard library alone, because the first mistake a room makes
is running it with the wrong Python (the system ``python3`` instead of the course's
``.venv/bin/python``): then it names the Python that is running and what to type instead,
and skips the checks that need the missing packages.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import json
import os
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
#: where the README's set-up (``python3 -m venv .venv``) puts the course's Python and pip
VENV_BIN = ".venv\\Scripts\\" if os.name == "nt" else ".venv/bin/"


def course_folder() -> Path | None:
    """The course folder this copy of hiertools lives in (an editable install), else None."""
    folder = Path(__file__).resolve().parent.parent
    if (folder / "pyproject.toml").is_file() and (folder / "solutions").is_dir():
        return folder
    return None


def in_course_venv() -> bool:
    """Whether the running Python is the course folder's ``.venv``."""
    folder = course_folder()
    return folder is not None and Path(sys.prefix).resolve() == (folder / ".venv").resolve()


def python_command() -> str:
    """The running Python as a fix names it: ``.venv/bin/python`` in the course's venv."""
    return f"{VENV_BIN}python" if in_course_venv() else "python"


def pip_command() -> str:
    """The running Python's pip as a fix names it: ``.venv/bin/pip`` in the course's venv."""
    return f"{VENV_BIN}pip" if in_course_venv() else "python -m pip"


def install_fix(command: str = "doctor") -> str:
    """What to do when this Python lacks the course's packages: one sentence.

    In the course's venv: reinstall the course into it.  Outside it, the likely mistake
    is the wrong Python: name the one that is running and the one to use instead.
    """
    folder = course_folder()
    if in_course_venv():
        return reinstall()
    here = f"this is {sys.executable}, not the course's Python"
    use = f"`{VENV_BIN}python -m hiertools {command}`"
    if folder is not None and (folder / ".venv").is_dir():
        return f"{here}: run {use} (from the course folder)"
    if (Path(sys.prefix) / "conda-meta").is_dir():
        return (f"{here}: `conda activate partial-pooling` (made by `conda env create -f "
                f"environment.yml`), then `python -m hiertools {command}`")
    if folder is None:
        return (f"{here}: install the course into the Python you run it with: "
                f"`python -m pip install -e .` (from the course folder)")
    return (f"{here}: make it (from the course folder) with `python3 -m venv .venv && "
            f"{VENV_BIN}pip install -e .`, then run {use}")


def reinstall() -> str:
    """Install the course (again) into the running Python."""
    return f"{pip_command()} install -e . (from the course folder)"


def missing_modules() -> list[str]:
    """The distributions whose module this Python cannot find (a quick look: no import)."""
    return [name for module, (name, _) in REQUIRED.items()
            if importlib.util.find_spec(module) is None]


def _starting_command_line() -> bool:
    """Whether ``python -m hiertools ...`` is starting.

    Python imports the package (its ``__init__``) before running ``hiertools.__main__``;
    while it looks for that module, ``sys.argv[0]`` is ``"-m"`` (documented under ``-m``).
    """
    return sys.argv[:1] == ["-m"] and any(
        arg.endswith("hiertools") or arg.startswith(("hiertools.", "-mhiertools."))
        for arg in getattr(sys, "orig_argv", ["hiertools"]))


def import_failed(error: ImportError) -> ImportError:
    """Handle an ImportError raised while ``import hiertools`` imports its modules.

    While ``python -m hiertools`` starts, return it: the command line then reports what
    is missing (the doctor as a ``[FAIL]`` line) instead of a traceback.  Anywhere else a
    missing runtime package raises ModuleNotFoundError naming the running Python and the
    doctor; any other ImportError is raised unchanged.
    """
    if _starting_command_line():
        return error
    name = getattr(error, "name", None) or ""
    if isinstance(error, ModuleNotFoundError) and name.split(".")[0] in REQUIRED:
        raise ModuleNotFoundError(
            f"No module named '{name}': hiertools needs it, and this Python "
            f"({sys.executable}) does not have it. From the course folder, run "
            f"`{VENV_BIN}python -m hiertools doctor`: it says what to do.", name=name) from None
    raise error


@dataclass(frozen=True)
class Result:
    """One line of the report: did the check pass, what it found, and the fix if it failed.

    A skipped line (checks that could not run) is neither a pass nor a problem.
    """

    ok: bool
    text: str
    fix: str = ""
    skipped: bool = False

    def __str__(self) -> str:
        if self.skipped:
            return f"[skip] {self.text}"
        return f"[{'ok' if self.ok else 'FAIL'}] {self.text}" + ("" if self.ok else
                                                                 f"  -> {self.fix}")


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:3]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def _installed_version(module_name: str, name: str) -> str | None:
    """The installed version of distribution `name`, or None when its module cannot be
    imported (not installed, or installed for another Python)."""
    try:
        importlib.import_module(module_name)
        return importlib.metadata.version(name)
    except (ImportError, importlib.metadata.PackageNotFoundError):
        return None


def missing_packages() -> list[str]:
    """The runtime distributions whose module this Python cannot import."""
    return [name for module_name, (name, _) in REQUIRED.items()
            if _installed_version(module_name, name) is None]


def check_python() -> Iterator[Result]:
    yield Result(sys.version_info >= (3, 10),
                 f"Python {platform.python_version()} ({sys.executable})",
                 "install Python 3.10 or newer")


def check_packages() -> Iterator[Result]:
    missing = []
    for module_name, (name, minimum) in REQUIRED.items():
        version = _installed_version(module_name, name)
        if version is None:
            missing.append(name)
            continue
        yield Result(_version_tuple(version) >= _version_tuple(minimum), f"{name} {version}",
                     f"{pip_command()} install -U '{name}>={minimum}'")
    if missing:
        yield Result(False, f"{', '.join(missing)} missing", install_fix())


def check_kernel() -> Iterator[Result]:
    try:
        from jupyter_client.kernelspec import KernelSpecManager
    except ImportError:
        yield Result(False, "jupyter_client missing", reinstall())
        return
    kernels = KernelSpecManager().find_kernel_specs()
    yield Result("python3" in kernels, "a Python kernel for the notebooks",
                 f"{python_command()} -m ipykernel install --user")


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
                 f"{pip_command()} install -U ipywidgets jupyterlab_widgets, then restart "
                 "JupyterLab")


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
                 f"{pip_command()} install --force-reinstall -e . (from the course folder)")


def check_model_fit() -> Iterator[Result]:
    import hiertools as ht

    error = getattr(ht, "_import_error", None)  # set only while `python -m hiertools` starts
    if error is not None:
        raise error
    started = time.perf_counter()
    ht.fit_varying_intercepts(ht.load("radon"), "log_radon", "county", x="floor")
    yield Result(True, f"hiertools {ht.__version__}: a model fits "
                       f"({1000 * (time.perf_counter() - started):.0f} ms)")


def check_explorer() -> Iterator[Result]:
    import hiertools as ht

    # the explorers draw on their own Agg canvas: matplotlib's backend is left alone
    explorer = ht.pooling_explorer()
    yield Result(len(explorer.figure_view.image.value) > 0, "widgets build and draw a figure",
                 f"{pip_command()} install -U ipywidgets matplotlib pillow")


CHECKS: tuple[Callable[[], Iterator[Result]], ...] = (
    check_python, check_packages, check_kernel, check_widget_extension, check_datasets,
    check_model_fit, check_explorer)
#: the checks that need only the standard library; the others need the runtime packages
STANDALONE = (check_python, check_packages)


def _label(check: Callable) -> str:
    name = check.__name__
    return name[len("check_"):] if name.startswith("check_") else name


def run_checks() -> list[Result]:
    """Every check's results; a check that crashes is reported as a failure, never raised.

    When a runtime package is missing, the checks that need the packages are not run (they
    would only fail for the same reason): one ``[skip]`` line names them.
    """
    results = []
    missing = missing_packages()
    skipped = []
    for check in CHECKS:
        if missing and check not in STANDALONE:
            skipped.append(_label(check).replace("_", " "))
            continue
        try:
            results.extend(check())
        except Exception as error:  # report, don't crash: this is a diagnostic tool
            results.append(Result(False, f"{_label(check)} failed: "
                                         f"{type(error).__name__}: {error}", reinstall()))
    if skipped:
        results.append(Result(False, f"not run until the missing packages are installed: "
                                     f"{', '.join(skipped)}", skipped=True))
    return results


def doctor(stream=None) -> int:
    """Print one line per check to `stream` (stdout); return 0 if all pass, 1 otherwise."""
    stream = sys.stdout if stream is None else stream
    results = run_checks()
    for result in results:
        print(result, file=stream)
    problems = sum(not r.ok and not r.skipped for r in results)
    again = f"`{python_command()} -m hiertools doctor`" if in_course_venv() else "the doctor"
    print(f"All good: start with `{python_command()} -m hiertools lab`." if not problems
          else f"{problems} problem(s); fix them, then run {again} again.", file=stream)
    return 1 if problems else 0
