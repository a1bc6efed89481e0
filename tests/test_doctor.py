"""python -m hiertools doctor: passes here, and each check fails loudly when its thing is broken."""

import importlib.metadata
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hiertools import data, doctor

ROOT = Path(__file__).resolve().parent.parent
#: how the README names the course's venv programs (POSIX; Windows: .venv\Scripts\)
VENV_BIN = ".venv\\Scripts\\" if os.name == "nt" else ".venv/bin/"


def _report() -> tuple[int, str]:
    out = io.StringIO()
    status = doctor.doctor(out)
    return status, out.getvalue()


def test_doctor_passes_here_with_one_line_per_check():
    status, text = _report()
    assert status == 0, text
    here = "python"  # the Python the tests run with, as the README names it
    if Path(sys.prefix).resolve() == (ROOT / ".venv").resolve():
        here = f"{VENV_BIN}python"
    assert "[FAIL]" not in text
    assert text.rstrip().endswith(f"start with `{here} -m hiertools lab`."), text
    assert text.startswith("[ok] Python 3.") and f"({sys.executable})" in text.splitlines()[0]
    for expected in ("Python 3.", "numpy ", "ipywidgets ", "pillow ", "a Python kernel",
                     "JupyterLab widget extension", "datasets match their checksums",
                     "a model fits", "widgets build and draw a figure"):
        assert expected in text, expected


def test_a_missing_package_fails_with_the_install_command(monkeypatch):
    monkeypatch.setattr(doctor, "in_course_venv", lambda: True)
    real = importlib.metadata.version

    def version(name):
        if name == "ipywidgets":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    status, text = _report()
    assert status == 1
    assert (f"[FAIL] ipywidgets missing  -> {VENV_BIN}pip install -e . (from the course folder)"
            in text)
    assert "1 problem(s)" in text
    # the checks that need the packages are not run, and say so on one line
    assert "[skip] not run until the missing packages are installed: kernel, widget extension, "\
           "datasets, model fit, explorer" in text


def test_a_too_old_package_names_the_version_to_install(monkeypatch):
    monkeypatch.setattr(doctor, "in_course_venv", lambda: True)
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "1.0.0" if name == "pandas" else real(name))
    status, text = _report()
    assert status == 1 and f"[FAIL] pandas 1.0.0  -> {VENV_BIN}pip install -U 'pandas>=2.0'" in text


def test_an_absent_widget_extension_fails(monkeypatch, tmp_path):
    monkeypatch.setattr(doctor, "_labextension_dirs", lambda: [tmp_path])
    status, text = _report()
    assert status == 1
    assert "[FAIL] JupyterLab widget extension not found" in text
    assert "pip install -U ipywidgets jupyterlab_widgets" in text


def test_a_corrupted_dataset_fails(monkeypatch, tmp_path):
    copy = tmp_path / "datasets"
    shutil.copytree(data._PACKAGE_DATA, copy)
    with open(copy / "radon.csv", "a") as handle:
        handle.write("EXTRA ROW,0,1.0,0.5\n")
    monkeypatch.setattr(data, "_PACKAGE_DATA", copy)
    status, text = _report()
    assert status == 1
    assert "[FAIL] damaged datasets: radon (checksum mismatch)" in text
    assert "--force-reinstall" in text


def test_a_crashing_check_is_a_failure_not_a_traceback(monkeypatch):
    def broken():
        raise RuntimeError("no display")
        yield  # pragma: no cover

    monkeypatch.setattr(doctor, "CHECKS", (*doctor.CHECKS[:-1], broken))
    status, text = _report()
    assert status == 1 and "[FAIL] broken failed: RuntimeError: no display" in text


def test_the_command_exits_non_zero_on_a_failure():
    """As a room runs it: a package that cannot be imported makes the exit status 1."""
    code = ("import sys; sys.modules['ipywidgets'] = None; "
            "from hiertools.__main__ import main; sys.exit(main(['doctor']))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[FAIL] ipywidgets missing" in result.stdout


# --------------------------------------------------------------------------- the wrong Python
@pytest.fixture(scope="module")
def bare_python(tmp_path_factory):
    """A Python with the standard library only (a new venv without pip), and an environment
    that puts this course folder on its path: the system python3 of a learner who forgot
    `.venv/bin/`."""
    folder = tmp_path_factory.mktemp("bare")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True,
                   timeout=120)
    python = folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")}
    env.update(PYTHONPATH=str(ROOT), PYTHONNOUSERSITE="1")
    probe = subprocess.run([str(python), "-c", "import importlib.util as u; "
                            "print([m for m in ('pandas', 'ipywidgets', 'jupyterlab') "
                            "if u.find_spec(m)])"], capture_output=True, text=True, env=env,
                           timeout=60)
    assert probe.stdout.strip() == "[]", f"not a bare Python: {probe.stdout}{probe.stderr}"
    return python, env


def _bare_run(bare_python, *args):
    python, env = bare_python
    return subprocess.run([str(python), *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)


def test_the_doctor_runs_on_a_bare_python_and_names_it_and_the_fix(bare_python):
    result = _bare_run(bare_python, "-m", "hiertools", "doctor")
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == f"[ok] Python {sys.version.split()[0]} ({bare_python[0]})", lines[0]
    (missing,) = [line for line in lines if line.startswith("[FAIL]")]
    assert missing.startswith("[FAIL] numpy, pandas, matplotlib, scipy, ipywidgets, "
                              "jupyterlab, ipykernel, pillow, tqdm missing  -> ")
    assert f"this is {bare_python[0]}, not the course's Python" in missing
    assert f"`{VENV_BIN}python -m hiertools doctor`" in missing
    assert lines[-2].startswith("[skip] ") and "model fit" in lines[-2]
    assert lines[-1] == "1 problem(s); fix them, then run the doctor again."


@pytest.mark.parametrize("command", ["lab", "build", "datasets"])
def test_the_other_commands_stop_in_one_line_on_a_bare_python(bare_python, command):
    result = _bare_run(bare_python, "-m", "hiertools", command)
    assert result.returncode == 1 and result.stdout == ""
    assert "Traceback" not in result.stderr and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"python -m hiertools {command}: numpy, pandas,")
    assert f"this is {bare_python[0]}, not the course's Python" in result.stderr
    assert f"`{VENV_BIN}python -m hiertools {command}`" in result.stderr


def test_importing_hiertools_on_a_bare_python_names_that_python_and_the_doctor(bare_python):
    result = _bare_run(bare_python, "-c", "import hiertools")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("ModuleNotFoundError: No module named 'numpy': hiertools needs it")
    assert f"({bare_python[0]})" in last and f"`{VENV_BIN}python -m hiertools doctor`" in last


def test_without_a_course_venv_the_fix_makes_one(monkeypatch, tmp_path):
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "solutions").mkdir()
    monkeypatch.setattr(doctor, "course_folder", lambda: tmp_path)
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "some-other-python"))  # not conda either
    fix = doctor.install_fix()
    assert f"this is {sys.executable}, not the course's Python" in fix
    assert f"`python3 -m venv .venv && {VENV_BIN}pip install -e .`" in fix
    assert fix.endswith(f"then run `{VENV_BIN}python -m hiertools doctor`")
    (tmp_path / ".venv").mkdir()  # made, but not the Python that runs
    assert doctor.install_fix("lab").endswith(
        f": run `{VENV_BIN}python -m hiertools lab` (from the course folder)")
