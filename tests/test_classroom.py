"""A real nbgrader round trip, as an instructor runs it: release every lesson, autograde three
kinds of submission, read the grades.

In a temporary course directory: ``nbgrader generate_assignment`` on the solution notebooks;
then ``nbgrader autograde`` on three students' submissions:

* ``solved`` -- the solution notebooks themselves: full marks on every autograded cell;
* ``blank`` -- the untouched student version: zero on every graded cell, and no crash;
* ``slip`` -- the solutions with one typical wrong answer per lesson: exactly that exercise's
  check points lost, nothing else.

The check cells are the autograded tests: under nbgrader (which sets ``NBGRADER_EXECUTION``)
``ht.check`` raises unless the answer is right.  Points live in the solution notebooks'
nbgrader metadata.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from hiertools import build

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "partial_pooling"

# One typical wrong answer per lesson: (exercise grade_id, the answer cell's new source).
SLIPS = {
    "01": ("ex01-complete-pooling",
           "complete_pool = obs.groupby('district')['y'].mean().mean()  # mean of the means"),
    "02": ("ex02-above-action-level",
           "p_above = stats.norm.sf(np.log(4), loc=mu, scale=sigma)  # forgets the county"),
    "03": ("ex03-posterior-sd",
           "posterior_sd = np.sqrt(tau**2 + sigma**2 / 20)  # variances added"),
    "04": ("ex04-moments-by-hand",
           "tau_moments = areas['raw'].std(ddof=1)  # the rough estimate"),
    "05": ("ex05-p-tau-below-5",
           "p_tau_below_5 = np.trapezoid(post.density[post.tau >= 5], post.tau[post.tau >= 5])"),
    "06": ("ex06-centred-rho", "rho_centred = fit.group_corr  # forgot to centre"),
    "07": ("ex07-weight-a", "answer = (fit.alpha + fit.beta) / (fit.alpha + fit.beta + 47)"),
}

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("nbgrader") is None and os.environ.get("CI") != "true",
    reason="nbgrader is not installed (pip install -e '.[test]' installs it)")


def _with_venv_on_path() -> dict:
    """nbgrader runs the `alembic` command of its environment, so that must be on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")])}


def _nbgrader(*args, cwd):
    command = [sys.executable, "-m", "nbgrader", *args, "--force", "--log-level=WARN"]
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900,
                            env=_with_venv_on_path())
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def _graded_points(nb) -> dict[str, float]:
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}


def _autograded(nb) -> dict[str, float]:
    """grade_id -> points of the autograded test cells (the check cells)."""
    return {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
            for c in nb.cells
            if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
            and not c.metadata["nbgrader"].get("solution")}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    saved = os.environ["PATH"]
    os.environ["PATH"] = _with_venv_on_path()["PATH"]
    try:
        yield _release_and_autograde(tmp_path_factory)
    finally:
        os.environ["PATH"] = saved


def _release_and_autograde(tmp_path_factory):
    """Release every lesson, autograde three submissions; returns (gradebook rows, sources)."""
    course = tmp_path_factory.mktemp("course")
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        "c.CourseDirectory.course_id = 'partial-pooling'\n"
        "c.ExecutePreprocessor.timeout = 300\n"
        "c.Execute.timeout = 300\n")
    source = course / "source" / ASSIGNMENT
    source.mkdir(parents=True)
    solutions = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
    for path in solutions:
        shutil.copy(path, source / path.name)
    _nbgrader("generate_assignment", ASSIGNMENT, cwd=course)
    release = course / "release" / ASSIGNMENT

    def submit(student, make):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        for path in solutions:
            nbformat.write(make(path), folder / path.name)

    submit("solved", lambda p: nbformat.read(source / p.name, as_version=4))
    submit("blank", lambda p: nbformat.read(release / p.name, as_version=4))

    def slip(path):
        nb = nbformat.read(source / path.name, as_version=4)
        grade_id, wrong = SLIPS[path.name[:2]]
        cell = next(c for c in nb.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
        cell.source = wrong
        return nb

    submit("slip", slip)
    _nbgrader("autograde", ASSIGNMENT, cwd=course)

    from nbgrader.api import Gradebook

    rows = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in ("solved", "blank", "slip"):
            for path in solutions:
                notebook = gradebook.find_submission_notebook(path.stem, ASSIGNMENT, student)
                rows[student, path.name] = {g.name: (g.score, g.max_score, g.auto_score,
                                                     g.needs_manual_grade)
                                            for g in notebook.grades}
    return rows, {p.name: nbformat.read(p, as_version=4) for p in solutions}


def test_every_lesson_has_autograded_points_in_its_metadata():
    for path in sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        tests = _autograded(nb)
        checks = [c for c in nb.cells if build.is_check(c)]
        assert tests and len(tests) == len(checks), f"{path.name}: every check cell is graded"
        assert all(points > 0 for points in tests.values())


def test_solved_submission_gets_full_marks(graded):
    rows, sources = graded
    for name, nb in sources.items():
        for grade_id, points in _autograded(nb).items():
            score, max_score, _, _ = rows["solved", name][grade_id]
            assert (score, max_score) == (points, points), (name, grade_id)


def test_blank_submission_scores_zero_everywhere_without_crashing(graded):
    rows, sources = graded
    for name, nb in sources.items():
        grades = rows["blank", name]
        assert set(grades) == set(_graded_points(nb)), name  # every graded cell was graded
        for grade_id, (score, _, auto, manual) in grades.items():
            assert (score or 0) == 0 and (auto or 0) == 0, (name, grade_id, score)
            assert not manual, (name, grade_id)  # unchanged answers need no human


def test_one_typical_slip_loses_exactly_that_exercises_points(graded):
    rows, sources = graded
    for name, nb in sources.items():
        slipped = "check-" + SLIPS[name[:2]][0].removeprefix("ex")
        for grade_id, points in _autograded(nb).items():
            score, _, _, _ = rows["slip", name][grade_id]
            assert score == (0 if grade_id == slipped else points), (name, grade_id, score)
