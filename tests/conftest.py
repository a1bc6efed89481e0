"""Shared test setup: a non-interactive matplotlib backend, and closing figures after each test."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: real-browser tests (JupyterLab + chromium)")


def pytest_terminal_summary(terminalreporter):
    """Say how many cases the bad-input battery ran (when it was part of the session)."""
    import sys

    battery = sys.modules.get("tests.test_bad_input")
    if battery is not None:
        functions = {spec.function for spec in battery.TABLE}
        terminalreporter.write_line(
            f"bad-input battery: {len(battery.CASES)} generated cases over {len(functions)} "
            f"public functions ({len(battery.TABLE)} ways of calling them)")
