"""The install files agree with each other and with what the README promises."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    from tests.reference import reference

    tomllib = reference("tomli")


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower()


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _environment_yml():
    conda, pip = set(), []
    in_pip = False
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("\ndependencies:\n", 1)[1].splitlines():
        stripped = line.strip()
        if stripped.startswith("- pip:"):
            in_pip = True
            continue
        if stripped.startswith("- "):
            item = stripped[2:].strip()
            if in_pip and line.startswith("      "):
                pip.append(item)
            else:
                in_pip = False
                conda.add(_name(item))
    return conda, pip


def test_environment_yml_lists_the_runtime_dependencies():
    runtime = {_name(r) for r in _pyproject()["project"]["dependencies"]}
    conda, pip = _environment_yml()
    assert runtime <= conda, f"missing from environment.yml: {runtime - conda}"
    extra = conda - runtime - {"python", "pip"}
    assert not extra, f"environment.yml has dependencies pyproject.toml lacks: {extra}"
    assert pip == ["-e ."], "environment.yml must install the course package from the repo"


def test_python_versions_agree():
    assert _pyproject()["project"]["requires-python"] == ">=3.10"
    assert "python>=3.10" in (ROOT / "environment.yml").read_text()


def test_datasets_are_shipped_as_package_data():
    data = _pyproject()["tool"]["setuptools"]["package-data"]["hiertools"]
    assert "datasets/*.csv" in data and "datasets/*.json" in data


def test_runtime_dependencies_cover_what_the_package_needs_to_run():
    runtime = {_name(r) for r in _pyproject()["project"]["dependencies"]}
    # ipykernel runs the notebooks; pillow encodes the explorers' PNG figures
    assert {"ipykernel", "pillow"} <= runtime
    from hiertools.doctor import REQUIRED

    assert {package for package, _ in REQUIRED.values()} == runtime, (
        "`python -m hiertools doctor` must check exactly the runtime dependencies")


def test_a_built_wheel_holds_every_subpackage_and_data_file(tmp_path):
    """A regular (not editable) install must have everything: every subpackage, the datasets
    and the course's JupyterLab defaults.  Builds the wheel, as pip would, and looks inside."""
    import subprocess
    import sys
    import zipfile

    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                             "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = tmp_path.glob("hiertools-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in (ROOT / "hiertools").rglob("__init__.py"):
        assert init.relative_to(ROOT).as_posix() in names, init
    for data in [*(ROOT / "hiertools" / "datasets").iterdir(),
                 *(ROOT / "hiertools" / "jupyter").rglob("*.json")]:
        assert data.relative_to(ROOT).as_posix() in names, data


def test_importing_hiertools_leaves_scipy_stats_for_first_use():
    # scipy.stats alone adds about 20 MB to every learner's kernel and a third of a second to
    # the import; lessons 01-06 never need it (benchmarks/bench_kernels.py memory).
    import subprocess

    code = "import sys, hiertools; print('scipy.stats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
