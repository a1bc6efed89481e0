"""The continuous-integration files run what the README says (checked mechanically: the
workflow cannot run on this machine)."""

import re
import sys
from pathlib import Path

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
WORKFLOW = yaml.safe_load((ROOT / ".github/workflows/tests.yml").read_text(encoding="utf-8"))


def _start_commands() -> list[str]:
    """The README's set-up commands: the fenced blocks of its Start section."""
    start = README.split("\n## Start\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(?:bash|sh)\n(.*?)\n```", start, flags=re.S)


def _readme_test_command() -> str:
    return next(c for c in _start_commands() if "pytest" in c)


def test_the_readme_starts_with_two_commands_launch_and_test():
    # the set-up is two commands: later sections (instructors' nbgrader steps) may show more
    commands = _start_commands()
    assert len(commands) == 2, commands
    assert "pip install -e ." in next(c for c in commands if "hiertools lab" in c)


def test_the_workflow_runs_the_readme_test_command():
    steps = WORKFLOW["jobs"]["test"]["steps"]
    runs = [step.get("run", "").strip() for step in steps]
    assert _readme_test_command() in runs


def test_the_workflow_runs_on_push_and_weekly_with_ci_set():
    triggers = WORKFLOW[True] if True in WORKFLOW else WORKFLOW["on"]  # YAML 1.1 reads on: as True
    assert "push" in triggers and triggers["schedule"][0]["cron"].split()[-1] == "1"
    job = WORKFLOW["jobs"]["test"]
    assert job["env"]["CI"] == "true"
    versions = job["strategy"]["matrix"]["python-version"]
    assert versions[0] == "3.10", "the oldest Python the package supports (requires-python)"
    assert "chromium" in " ".join(step.get("run", "") for step in job["steps"])


def test_ci_run_calls_the_readme_test_command_verbatim():
    script = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert _readme_test_command() in script.splitlines()


def test_the_test_command_lints_before_it_tests():
    command = _readme_test_command()
    assert "ruff check ." in command
    assert command.index("ruff check .") < command.index("pytest"), command


def test_ruff_checks_pyflakes_pycodestyle_isort_and_bugbear():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    ruff = config["tool"]["ruff"]
    assert {"E", "W", "F", "I", "B"} <= set(ruff["lint"]["select"])
    assert any(dep.startswith("ruff") for dep in config["project"]["optional-dependencies"]["test"])
    assert {"lessons", "follow"} <= set(ruff["extend-exclude"])  # generated, never edited


def test_only_the_shared_fixture_starts_playwright():
    """Playwright's sync API cannot start while another instance runs in the same process, so a
    browser test that starts its own fails when it runs after another browser test in the full
    suite (it passes alone). Every browser test takes the session `browser` of tests/conftest.py."""
    starts = re.compile(r"^\s*with sync_playwright\(\)|sync_playwright\(\)\.start\(", re.M)
    starters = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "tests").rglob("*.py")
                      if starts.search(path.read_text(encoding="utf-8")))
    assert starters == ["tests/conftest.py"], starters
