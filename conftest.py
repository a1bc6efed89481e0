"""Every kernel a test session starts runs with the network blocked (loopback only).

Loaded by pytest for every test path under this folder -- tests/, hiertools/, and the
notebooks in solutions/ and lessons/ that nbval runs -- this points ``IPYTHONDIR`` at a
temporary IPython folder whose startup script (``tests/kernel_startup/no_network.py``)
refuses non-loopback connections before a notebook's first cell.  Kernels inherit the
variable from this process, so nbval's, nbclient's and the build's kernels are all
covered; the kernels' own channels to the test process use 127.0.0.1 and keep working.
Nothing is added to a kernel's run time but one small import.
"""

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

_STARTUP = Path(__file__).resolve().parent / "tests" / "kernel_startup" / "no_network.py"
_state: dict = {}


def pytest_configure(config):
    ipython_dir = Path(tempfile.mkdtemp(prefix="hiertools-ipython-"))
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    shutil.copyfile(_STARTUP, startup / "00-no-network.py")
    _state.update(previous=os.environ.get("IPYTHONDIR"), folder=ipython_dir)
    os.environ["IPYTHONDIR"] = str(ipython_dir)


def pytest_unconfigure(config):
    if "folder" not in _state:
        return
    if _state["previous"] is None:
        os.environ.pop("IPYTHONDIR", None)
    else:
        os.environ["IPYTHONDIR"] = _state["previous"]
    shutil.rmtree(_state.pop("folder"), ignore_errors=True)


@pytest.fixture(autouse=True)
def _close_figures_after_doctests():
    """Doctests in hiertools/ draw figures too: close them, as tests/conftest.py does for tests."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


# the startup script patches the socket module of the process that imports it: never let
# pytest's doctest collection import it here
collect_ignore = ["tests/kernel_startup"]
