"""Shared by the lesson check tests: rounding a right answer as the lesson asks, and leak checks."""

from __future__ import annotations

import math

import numpy as np

import hiertools as ht
from hiertools.exercises._core import _REGISTRY, reset_attempts


def round_as_stated(value, precision):
    """`value` rounded to the stated precision (element-wise for a pair)."""
    if np.ndim(value):
        return type(value)(round_as_stated(v, precision) for v in value)
    value = float(value)
    if precision.decimals is not None:
        return round(value, precision.decimals)
    digits = precision.significant - 1 - math.floor(math.log10(abs(value)))
    return round(value, digits)


def assert_right_answers_pass(right_answers: dict) -> None:
    """Each right answer passes as computed, and rounded to exactly the stated precision."""
    for key, value in right_answers.items():
        assert ht.check(key, value), (key, value, ht.check(key, value))
        precision = _REGISTRY[key].precision
        if precision is not None:
            rounded = round_as_stated(value, precision)
            assert ht.check(key, rounded), (key, rounded, precision, ht.check(key, rounded))


def expected_texts(value, precision) -> list[str]:
    """How the expected value could appear in a message: at the stated precision and finer."""
    values = np.ravel(np.asarray(value, dtype=float))
    decimals = precision.decimals if precision and precision.decimals is not None else 2
    return [f"{v:.{d}f}" for v in values for d in range(max(decimals, 2), 5)]


def assert_feedback_never_reveals(right_answers: dict, wrong_answers: dict) -> None:
    """Neither the message nor any hint tier of a wrong answer shows the expected value."""
    reset_attempts()
    for key, wrong in wrong_answers.items():
        secrets = expected_texts(right_answers[key], _REGISTRY[key].precision)
        for _ in range(len(_REGISTRY[key].hints) + 1):  # climb every hint tier
            feedback = ht.check(key, wrong)
            assert not feedback
            text = repr(feedback) + feedback._repr_html_()
            assert not any(secret in text for secret in secrets), (key, feedback)
    reset_attempts()


# --- what a lesson notebook says and calls -------------------------------------------------------

def _notebook(name: str):
    import nbformat

    from hiertools.build import repo_root

    return nbformat.read(repo_root() / "solutions" / name, as_version=4)


def notebook_calls(name: str, function: str) -> list[tuple[tuple, dict]]:
    """Every call ``ht.<function>(...)`` in the solution notebook `name`, arguments evaluated.

    Literal arguments become their values; a bare variable name becomes the string
    ``"<name>"`` (e.g. the DataFrame passed in), so settings can be compared as data.
    """
    import ast

    def value(node):
        try:
            return ast.literal_eval(node)
        except ValueError:
            return f"<{ast.unparse(node)}>"

    calls = []
    for cell in _notebook(name).cells:
        if cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == function and ast.unparse(node.func.value) == "ht"):
                calls.append((tuple(value(a) for a in node.args),
                              {k.arg: value(k.value) for k in node.keywords}))
    return calls


def exercise_texts(name: str) -> dict[str, str]:
    """Exercise id -> the markdown that asks it (the markdown cells just before its code cell)."""
    cells, texts = _notebook(name).cells, {}
    for i, cell in enumerate(cells):
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if cell.cell_type == "code" and grade_id.startswith("ex"):
            j, text = i - 1, []
            while j >= 0 and cells[j].cell_type == "markdown":
                text.insert(0, cells[j].source)
                j -= 1
            texts[grade_id.removeprefix("ex")] = "\n".join(text)
    return texts


def assert_exercises_state_their_precision(name: str) -> None:
    """Each numeric exercise's text says how precise the answer must be, as its check judges."""
    texts = exercise_texts(name)
    lesson = name[:2]
    asked = set(ht.list_exercises(lesson))
    assert set(texts) == asked, (
        f"{name}: notebook exercises {sorted(texts)} vs checks {sorted(asked)}")
    for key, text in texts.items():
        precision = _REGISTRY[key].precision
        if precision is not None:
            assert precision.phrase.lower() in " ".join(text.lower().split()), (
                f"{name}: exercise {key} must say '{precision.phrase}' (its check's precision)")


def _names(source: str) -> tuple[set[str], set[str]]:
    """(names a piece of code binds, names it reads), from its syntax tree."""
    import ast

    bound, read = set(), set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store | ast.Del) else read).add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            bound.add(node.name)
        elif isinstance(node, ast.alias):
            bound.add((node.asname or node.name).split(".")[0])
    return bound, read


def assert_exercises_self_contained(name: str) -> None:
    """No cell reads a name that only an earlier exercise's solution defines.

    A learner's answer may be missing or different: a later cell (a check, an explanation,
    another exercise) must work from what the lesson itself defined, or define it again.
    """
    import re

    solution = re.compile(r"### BEGIN SOLUTION\n.*?### END SOLUTION\n?", re.S)
    lesson_names: set[str] = set()      # bound by the lesson's own code (stubs included)
    answer_only: dict[str, str] = {}    # bound only inside an exercise's solution -> its id
    problems = []
    for cell in _notebook(name).cells:
        if cell.cell_type != "code":
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        bound, read = _names(cell.source)
        used = sorted(n for n in read - bound if n in answer_only)
        problems += [f"{grade_id or cell.source[:40]!r} reads {n!r}, defined only in the solution "
                     f"of {answer_only[n]}" for n in used]
        outside = _names(solution.sub("", cell.source))[0] if grade_id else bound
        lesson_names |= outside
        for n in bound - outside - lesson_names:
            answer_only.setdefault(n, grade_id)
        for n in outside:
            answer_only.pop(n, None)
    assert not problems, f"{name}:\n" + "\n".join(problems)
