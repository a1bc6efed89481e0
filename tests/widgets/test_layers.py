"""The core never imports lesson content, and no widget or plot function is a wall of code.

Imports are read from the source with ``ast`` (module-level and function-local alike), so
an import hidden inside a function is found too.
"""

import ast
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
    package = ".".join(("hiertools", *path.relative_to(PACKAGE).with_suffix("").parts))
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_the_import_reader_sees_relative_and_function_local_imports(tmp_path):
    spot = PACKAGE / "widgets" / "pooling.py"
    found = _imported(spot)
    assert "hiertools.widgets._lessons" in found  # relative, module level
    assert "hiertools.shrinkage._shrink" in found  # relative, inside a function


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
