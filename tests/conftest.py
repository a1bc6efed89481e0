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
