"""Fixtures of the engine tests."""

import pytest

from .dense_reference import read_reference


@pytest.fixture(scope="session")
def reference():
    """The stored reference values (tests/data/lme4_reference.json)."""
    return read_reference()
