"""The package's layers: what may import what, and where an import may sit.

* The core never imports lesson content; lesson modules never import each other.
* A private name (``_x``) crosses a module boundary only out of a private module: the
  declared internal layer (``hiertools/_kernels``, the unvalidated numeric kernels),
  ``hiertools/_validation.py``, or a subpackage's shared internals (``plots/_common.py``,
  ``widgets/_base.py``, ``exercises/_core.py``, ...); the exceptions are listed below with
  their reasons.
* Imports sit at module level, so the dependency graph is in plain sight, except the
  imports listed below whose import time (measured) or whose absence (the doctor runs on
  the standard library alone) justifies a lazy import.
* No widget or plot function is a wall of code.

Imports are read from the source with ``ast`` (module-level and function-local alike), so
an import hidden inside a function is found too.
"""

import ast
import re
from pathlib import Path

import pytest

import hiertools as ht

PACKAGE = Path(ht.__file__).resolve().parent
#: ``hiertools/__init__.py`` re-exports ``ht.check``, ``ht.hint``, ... from the exercises
#: package: the public façade is the one place that ties content to the core.
FACADE = PACKAGE / "__init__.py"
#: Lines of code (docstring, blank and comment lines not counted) a function may have.
MAX_LINES = 120


def _modules():
    return sorted(p for p in PACKAGE.rglob("*.py")
                  if "exercises" not in p.relative_to(PACKAGE).parts)


def _imported(path: Path) -> set[str]:
    """Absolute names of every module `path` imports, at any depth of its code."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(path, node)
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_the_import_reader_sees_relative_and_function_local_imports():
    spot = PACKAGE / "widgets" / "pooling.py"
    found = _imported(spot)
    assert "hiertools.widgets._lessons" in found  # relative, module level
    assert "hiertools._kernels.normal" in found  # relative, a module of a package
    assert "ipywidgets" in found  # inside a function


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_outside_exercises_imports_lesson_content(path):
    if path == FACADE:
        pytest.skip("the public façade re-exports ht.check and friends")
    content = sorted(name for name in _imported(path)
                     if name == "hiertools.exercises" or name.startswith("hiertools.exercises."))
    assert not content, f"{path.relative_to(PACKAGE)} imports {content}"


def _code_lines(node: ast.FunctionDef, lines: list[str]) -> int:
    skip = set()
    first = node.body[0]
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(
            first.value.value, str):
        skip = set(range(first.lineno, first.end_lineno + 1))
    code = [lines[i - 1].strip() for i in range(node.lineno, node.end_lineno + 1) if i not in skip]
    return sum(1 for line in code if line and not line.startswith("#"))


def test_no_widget_or_plot_function_is_over_120_lines_of_code():
    long = {}
    for folder in ("widgets", "plots"):
        for path in sorted((PACKAGE / folder).glob("*.py")):
            source = path.read_text(encoding="utf-8")
            lines = source.splitlines()
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    count = _code_lines(node, lines)
                    if count > MAX_LINES:
                        long[f"{folder}/{path.name}:{node.name}"] = count
    assert not long, long


# --- private names, lesson modules, function-local imports ----------------------------------------

#: Modules whose private names other modules may import, beyond private modules (`_x.py`)
#: and the internal layer: (importer, source) -> why.
PRIVATE_IMPORT_EXCEPTIONS = {
    ("hiertools/mixed/fit.py", "hiertools.mixed.likelihood"):
        "the mixed-model engine's stages (reduction, likelihood, optimizer, fit) share one "
        "private interface; hiertools.mixed re-exports the public face",
    ("hiertools/mixed/fit.py", "hiertools.mixed.optimizer"): "the mixed-model engine's stages",
    ("hiertools/mixed/fit.py", "hiertools.mixed.reduction"): "the mixed-model engine's stages",
    ("hiertools/mixed/likelihood.py", "hiertools.mixed.reduction"):
        "the mixed-model engine's stages",
    ("hiertools/mixed/optimizer.py", "hiertools.mixed.likelihood"):
        "the mixed-model engine's stages",
    ("hiertools/doctor.py", "hiertools.data"):
        "the doctor checks the installed data files against the very registry the loader uses",
}

#: Third-party modules a function may import lazily: the extra time of importing them after
#: `import hiertools` (best of three, `python -X importtime`, on the 2-core course machine) is
#: paid only by the calls that need them.
LAZY_MODULES = {
    "matplotlib": "0.21 s (pyplot); only drawing needs it, and `import hiertools` must not",
    "ipywidgets": "0.05 s; only an explorer's shell needs it",
    "traitlets": "comes with ipywidgets; only an explorer's shell needs it",
    "PIL": "0.007 s (PIL.Image); only encoding an explorer's frame needs it",
    "scipy.stats": "0.24 s and about 20 MB per kernel; a handful of checks and diagnostics use it",
    "tqdm": "0.01 s, and tqdm.auto imports ipywidgets; only a long sampler run shows a bar",
    "nbformat": "1.0 s (jsonschema); only building notebooks or the site needs it",
    "nbclient": "1.0 s; only building notebooks needs it",
    "nbconvert": "1.4 s; only building notebooks needs it",
    "yaml": "0.009 s; only staging the website needs it",
    "jupyter_book": "1.2 s (jupyter_book.sphinx: Sphinx, MyST-NB); only building the website "
                    "needs it",
    "jupyter_client": "0.05 s; the doctor reports it when it is missing, so it must not be "
                      "needed to start",
    "jupyter_core": "the doctor reports it when it is missing, so it must not be needed to start",
    "tomllib": "in the standard library from Python 3.11 only: tried, with a 3.10 fallback",
    "subprocess": "the command line starts on the standard library alone; `lab` alone needs it",
}

#: Modules whose function-local imports are all deliberate: the command line starts on the
#: standard library alone, so `python -m hiertools doctor` can say what is missing.
LAZY_FILES = {
    "__main__.py": "the command line imports hiertools (and its commands) only once the "
                   "standard library has started it, so the doctor runs in a broken install",
    "doctor.py": "the doctor runs when hiertools itself cannot be imported",
}


def _all_modules():
    return sorted(PACKAGE.rglob("*.py"))


def _rel(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def _absolute(path: Path, node: ast.ImportFrom) -> str:
    package = ".".join(("hiertools", *path.relative_to(PACKAGE).with_suffix("").parts))
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    if not node.level:
        return node.module
    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _private_imports(path: Path) -> list[tuple[str, str]]:
    """(source module, name) for every private name `path` imports from another module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = _absolute(path, node)
            found += [(module, alias.name) for alias in node.names if _is_private(alias.name)]
    return found


def _internal(module: str) -> bool:
    """The internal layer, _validation, or a private module (its own name starts with _)."""
    return module == "hiertools._kernels" or module.startswith("hiertools._kernels.") or any(
        _is_private(part) for part in module.split(".")[1:])


def test_the_private_import_reader_finds_a_private_name():
    found = _private_imports(PACKAGE / "widgets" / "pooling.py")
    assert ("hiertools.widgets._base", "_frozen") in found
    assert ("hiertools.plots._common", "_new_axes") in found
    assert not _internal("hiertools.shrinkage") and _internal("hiertools._validation")
    assert _internal("hiertools._kernels.normal") and _internal("hiertools.plots._common")


@pytest.mark.parametrize("path", _all_modules(), ids=_rel)
def test_private_names_cross_modules_only_out_of_the_internal_layer(path):
    wrong = sorted({f"{module}.{name}" for module, name in _private_imports(path)
                    if not _internal(module)
                    and (_rel(path), module) not in PRIVATE_IMPORT_EXCEPTIONS})
    assert not wrong, (f"{_rel(path)} imports private names of other modules: {wrong}; move "
                       "the kernel to hiertools/_kernels (or the check to _validation) and "
                       "call it from both")


def test_every_listed_exception_is_still_needed():
    used = {(_rel(path), module) for path in _all_modules()
            for module, _ in _private_imports(path)}
    assert set(PRIVATE_IMPORT_EXCEPTIONS) <= used, set(PRIVATE_IMPORT_EXCEPTIONS) - used


LESSONS = sorted((PACKAGE / "exercises").glob("lesson*.py"))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_no_lesson_module_imports_another(path):
    others = sorted(name for name in _imported(path)
                    if name.startswith("hiertools.exercises.lesson")
                    and not name.startswith(f"hiertools.exercises.{path.stem}"))
    assert not others, (f"{path.name} imports {others}; put what lessons share in "
                        "hiertools/exercises/_shared.py")


def test_there_are_lesson_modules_to_check():
    assert len(LESSONS) >= 7


def _function_local_imports(path: Path):
    """(line number, imported module, the line's text) of every import inside a function."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    found = []
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Import):
                found += [(node.lineno, alias.name, lines[node.lineno - 1])
                          for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                module = _absolute(path, node)
                if node.module is None or module == "scipy":  # `from scipy import stats`
                    found += [(node.lineno, f"{module}.{alias.name}", lines[node.lineno - 1])
                              for alias in node.names]
                else:
                    found.append((node.lineno, module, lines[node.lineno - 1]))
    return sorted(set(found))


def _lazy_allowed(module: str) -> bool:
    return any(module == lazy or module.startswith(lazy + ".") for lazy in LAZY_MODULES)


def _reason_on_line(text: str) -> bool:
    """The import's line says why it is lazy: a comment with words beyond a ``noqa`` code."""
    comment = text.partition("#")[2]
    return bool(re.sub(r"noqa(:\s*[A-Z]+[0-9]+(\s*,\s*[A-Z]+[0-9]+)*)?", "", comment)
                .strip(" -:;,"))


@pytest.mark.parametrize("path", _all_modules(), ids=_rel)
def test_function_local_imports_are_justified(path):
    if path.name in LAZY_FILES:
        pytest.skip(LAZY_FILES[path.name])
    unexplained = [f"line {line}: {text.strip()}"
                   for line, module, text in _function_local_imports(path)
                   if not _lazy_allowed(module) and not _reason_on_line(text)]
    assert not unexplained, (f"{_rel(path)} imports inside functions: {unexplained}; import "
                             "at module level, or say on the line why not (a measured cost)")


def test_the_local_import_reader_finds_lazy_imports():
    found = {module for _, module, _ in _function_local_imports(PACKAGE / "rates.py")}
    assert "scipy.stats" in found
    assert not _lazy_allowed("hiertools.shrinkage") and _lazy_allowed("matplotlib.pyplot")
    assert not _lazy_allowed("matplotlibx")
    assert _reason_on_line("    import x  # noqa: F401 -- 0.3 s, only plotting needs it")
    assert not _reason_on_line("    import x  # noqa: F401")
    assert not _reason_on_line("    import x  # noqa")
    assert not _reason_on_line("    import x")
