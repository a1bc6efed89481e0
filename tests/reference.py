"""Outside references that tests compare against (ArviZ, tomli on Python 3.10, ...).

`reference("arviz")` imports the module; where it is missing the test is skipped locally, but
under ``CI=true`` that is a failure: a second opinion that silently stops running is a test
that cannot fail.  (The browser tests treat a missing chromium the same way.)
"""

import importlib
import os

import pytest


def reference(name: str):
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        message = f"{name} is needed as a reference here ({exc}); pip install -e '.[test]'"
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {message}", pytrace=False)
        pytest.skip(message)
