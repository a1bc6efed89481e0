"""python -m hiertools doctor: passes here, and each check fails loudly when its thing is broken."""

import importlib.metadata
import io
import shutil
import subprocess
import sys

import pytest

from hiertools import data, doctor


def _report() -> tuple[int, str]:
    out = io.StringIO()
    status = doctor.doctor(out)
    return status, out.getvalue()


def test_doctor_passes_here_with_one_line_per_check():
    status, text = _report()
    assert status == 0, text
    assert "[FAIL]" not in text and text.rstrip().endswith("start with `python -m hiertools lab`.")
    for expected in ("Python 3.", "numpy ", "ipywidgets ", "pillow ", "a Python kernel",
                     "JupyterLab widget extension", "datasets match their checksums",
                     "a model fits", "widgets build and draw a figure"):
        assert expected in text, expected


def test_a_missing_package_fails_with_the_install_command(monkeypatch):
    real = importlib.metadata.version

    def version(name):
        if name == "ipywidgets":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    status, text = _report()
    assert status == 1
    assert "[FAIL] ipywidgets missing  -> pip install -e ." in text
    assert "1 problem(s)" in text


def test_a_too_old_package_names_the_version_to_install(monkeypatch):
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "1.0.0" if name == "pandas" else real(name))
    status, text = _report()
    assert status == 1 and "[FAIL] pandas 1.0.0  -> pip install -U 'pandas>=2.0'" in text


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
