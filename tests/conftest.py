"""Shared test setup: a non-interactive matplotlib backend, and closing figures after each test."""

import matplotlib

matplotlib.use("Agg")

import os
import sys

import matplotlib.pyplot as plt
import pytest


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, driven by Playwright, for every browser test of the session.

    One for all: Playwright's sync API cannot start a second instance while one runs, so
    JupyterLab's tests, the feedback-colour tests and the website's tests share this one.
    Without chromium or playwright the tests skip with the reason; under CI=true they fail.
    """
    from tests import browser_support as bs

    reason = bs.browser_unavailable_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {reason}", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(bs.CHROMIUM),
                                              args=bs.CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


#: Test files (and every notebook) that take more than a few seconds: the notebooks under
#: nbval, JupyterLab in chromium, the website build and its browser checks, the nbgrader round
#: trip, building a wheel, the command line in subprocesses (building notebooks, starting
#: JupyterLab), each solved notebook's Run All in a fresh kernel (its peak memory).
#: `pytest -m "not slow"` leaves them out for a quick loop while developing; the README's test
#: command and .ci/run run everything.
SLOW_FILES = {"test_browser.py", "test_browser_feedback.py", "test_classroom.py",
              "test_packaging.py", "test_cli.py", "test_site.py", "test_run_all.py"}


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: real-browser tests (JupyterLab + chromium)")


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.suffix == ".ipynb" or item.path.name in SLOW_FILES:
            item.add_marker(pytest.mark.slow)


def pytest_terminal_summary(terminalreporter):
    """Say how many cases the bad-input battery ran (when it was part of the session)."""
    battery = sys.modules.get("tests.test_bad_input")
    if battery is not None:
        functions = {spec.function for spec in battery.TABLE}
        terminalreporter.write_line(
            f"bad-input battery: {len(battery.CASES)} generated cases over {len(functions)} "
            f"public functions ({len(battery.TABLE)} ways of calling them)")
