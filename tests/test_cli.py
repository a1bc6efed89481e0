"""The command line: build (on a tiny course in a temp folder), doctor, datasets."""

import subprocess
import sys

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from hiertools import build


def _run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "hiertools", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_build_executes_solutions_and_generates_runnable_lessons(tmp_path):
    for folder in ("solutions", "lessons"):
        (tmp_path / folder).mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    exercise = new_code_cell("answer = None\n### BEGIN SOLUTION\nanswer = 6 * 7\n### END SOLUTION")
    exercise.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "t",
                                     "locked": False, "schema_version": 3, "task": False}
    checker = new_code_cell("print('answer is', answer)")
    checker.metadata["tags"] = ["check"]
    nb = new_notebook(cells=[new_markdown_cell("# 01 · Test"), new_code_cell("print(1 + 1)"),
                             exercise, checker, new_code_cell("print('after')")],
                      metadata={"kernelspec": {"name": "python3", "language": "python",
                                               "display_name": "Python 3"}})
    nbformat.write(nb, tmp_path / "solutions" / "01_test.ipynb")

    result = _run("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr

    solution = nbformat.read(tmp_path / "solutions" / "01_test.ipynb", as_version=4)
    assert solution.cells[1].outputs[0].text == "2\n"
    assert solution.cells[3].outputs[0].text == "answer is 42\n"
    lesson = nbformat.read(tmp_path / "lessons" / "01_test.ipynb", as_version=4)
    assert lesson.cells[2].source == "answer = None\n# YOUR CODE HERE\nraise NotImplementedError()"
    assert lesson.cells[2].metadata["tags"] == ["raises-exception"]
    assert lesson.cells[2].outputs == [] and lesson.cells[3].outputs == []
    assert "nbval-skip" in lesson.cells[3].metadata["tags"]
    assert lesson.cells[1].outputs[0].text == "2\n"  # kept, and reproduced by the lesson run
    assert lesson.cells[4].outputs[0].text == "after\n"  # execution went on past the stub
    assert build.solution_leaks(tmp_path) == []

    again = (tmp_path / "lessons" / "01_test.ipynb").read_bytes()
    assert _run("build", "01", cwd=tmp_path).returncode == 0  # deterministic: same bytes
    assert (tmp_path / "lessons" / "01_test.ipynb").read_bytes() == again


def test_build_reports_an_unknown_lesson(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "lessons").mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    result = _run("build", "99", cwd=tmp_path)
    assert result.returncode != 0 and "No solution notebook matches" in result.stderr


def test_doctor_passes_here():
    result = _run("doctor")
    assert result.returncode == 0, result.stdout
    assert "[FAIL]" not in result.stdout and "All good" in result.stdout
    assert "widgets build and draw a figure" in result.stdout


def test_datasets_lists_every_dataset():
    out = _run("datasets").stdout
    for name in ("radon", "sleepstudy", "eight_schools", "baseball", "surgical"):
        assert name in out


def test_help_is_plain_text_and_every_command_describes_itself():
    top = _run("--help")
    assert top.returncode == 0
    assert "``" not in top.stdout and "doctor" in top.stdout
    for command in ("lab", "build", "doctor", "datasets"):
        result = _run(command, "--help") if command != "lab" else None
        if result is None:  # `lab` hands every argument to jupyter lab, --help included
            continue
        assert result.returncode == 0 and "``" not in result.stdout
        usage, _, rest = result.stdout.partition("\n\n")
        assert rest.split("\n", 1)[0].strip() and not rest.startswith("positional"), (
            f"`{command} --help` has no description")
    assert "solutions/" in _run("build", "--help").stdout


def test_doctor_leaves_matplotlibs_backend_alone(monkeypatch, capsys):
    import matplotlib

    from hiertools.doctor import doctor

    monkeypatch.setattr(matplotlib, "use", lambda *a, **k: pytest.fail("doctor switched the "
                                                                       "matplotlib backend"))
    backend = matplotlib.get_backend()
    assert doctor() == 0
    assert matplotlib.get_backend() == backend
    assert "widgets build and draw a figure" in capsys.readouterr().out
