"""The command line: build (on a tiny course in a temp folder), lab, doctor, datasets."""

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from hiertools import build


def _run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "hiertools", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=300)


def test_build_executes_solutions_and_generates_runnable_lessons(tmp_path):
    for folder in ("solutions", "lessons"):
        (tmp_path / folder).mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    exercise = new_code_cell("answer = None\n### BEGIN SOLUTION\nanswer = 6 * 7\n### END SOLUTION")
    exercise.metadata["nbgrader"] = {"solution": True, "grade": False, "grade_id": "t",
                                     "locked": False, "schema_version": 3, "task": False}
    checker = new_code_cell("print('answer is', answer)")
    checker.metadata["tags"] = ["check"]
    nb = new_notebook(cells=[new_markdown_cell("# 01 · Test"), new_code_cell("print(1 + 1)"),
                             exercise, checker, new_code_cell("print('after')")],
                      metadata={"kernelspec": {"name": "python3", "language": "python",
                                               "display_name": "Python 3"}})
    nbformat.write(nb, tmp_path / "solutions" / "01_test.ipynb")

    result = _run("build", cwd=tmp_path)
    assert result.returncode == 0, result.stderr

    solution = nbformat.read(tmp_path / "solutions" / "01_test.ipynb", as_version=4)
    assert solution.cells[1].outputs[0].text == "2\n"
    assert solution.cells[3].outputs[0].text == "answer is 42\n"
    lesson = nbformat.read(tmp_path / "lessons" / "01_test.ipynb", as_version=4)
    assert lesson.cells[2].source == ("answer = None\n# YOUR CODE HERE\nraise NotImplementedError("
                                      '"Replace this line with your answer, then run the check '
                                      'below")')
    assert lesson.cells[2].metadata["tags"] == ["raises-exception"]
    assert lesson.cells[2].outputs == [] and lesson.cells[3].outputs == []
    assert "nbval-skip" in lesson.cells[3].metadata["tags"]
    assert lesson.cells[1].outputs[0].text == "2\n"  # kept, and reproduced by the lesson run
    assert lesson.cells[4].outputs[0].text == "after\n"  # execution went on past the stub
    assert build.solution_leaks(tmp_path) == []

    again = (tmp_path / "lessons" / "01_test.ipynb").read_bytes()
    assert _run("build", "01", cwd=tmp_path).returncode == 0  # deterministic: same bytes
    assert (tmp_path / "lessons" / "01_test.ipynb").read_bytes() == again


def test_build_appendix_builds_the_appendices_alone(tmp_path):
    for folder in ("solutions", "lessons"):
        (tmp_path / folder).mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    kernel = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}}
    for name, title in (("01_test", "# 01 · Test"), ("appendix_notes", "# Appendix · Notes")):
        nb = new_notebook(cells=[new_markdown_cell(title), new_code_cell("print(6 * 7)")],
                          metadata=kernel)
        nbformat.write(nb, tmp_path / "solutions" / f"{name}.ipynb")
    assert [p.name for p in build.notebook_sources(tmp_path)] == ["01_test.ipynb",
                                                                  "appendix_notes.ipynb"]
    result = _run("build", "appendix", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "lessons").iterdir()) == ["appendix_notes.ipynb"]
    lesson = nbformat.read(tmp_path / "lessons" / "appendix_notes.ipynb", as_version=4)
    assert lesson.cells[1].outputs[0].text == "42\n"


def test_build_reports_an_unknown_lesson(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "lessons").mkdir()
    (tmp_path / "pyproject.toml").write_text("")
    result = _run("build", "99", cwd=tmp_path)
    assert result.returncode != 0 and "No solution notebook matches" in result.stderr


def test_doctor_passes_here():
    result = _run("doctor")
    assert result.returncode == 0, result.stdout
    assert "[FAIL]" not in result.stdout and "All good" in result.stdout
    assert "widgets build and draw a figure" in result.stdout


def test_datasets_lists_every_dataset():
    out = _run("datasets").stdout
    for name in ("radon", "sleepstudy", "eight_schools", "baseball", "surgical", "lip_cancer"):
        assert name in out


def test_help_is_plain_text_and_every_command_describes_itself():
    top = _run("--help")
    assert top.returncode == 0
    assert "``" not in top.stdout and "doctor" in top.stdout
    for command in ("lab", "build", "doctor", "datasets"):
        result = _run(command, "--help") if command != "lab" else None
        if result is None:  # `lab` hands every argument to jupyter lab, --help included
            continue
        assert result.returncode == 0 and "``" not in result.stdout
        usage, _, rest = result.stdout.partition("\n\n")
        assert rest.split("\n", 1)[0].strip() and not rest.startswith("positional"), (
            f"`{command} --help` has no description")
    assert "solutions/" in _run("build", "--help").stdout


def test_doctor_leaves_matplotlibs_backend_alone(monkeypatch, capsys):
    import matplotlib

    from hiertools.doctor import doctor

    monkeypatch.setattr(matplotlib, "use", lambda *a, **k: pytest.fail("doctor switched the "
                                                                       "matplotlib backend"))
    backend = matplotlib.get_backend()
    assert doctor() == 0
    assert matplotlib.get_backend() == backend
    assert "widgets build and draw a figure" in capsys.readouterr().out


def test_lab_command_serves_the_course_folder_and_opens_lesson_01():
    from hiertools.__main__ import lab_command

    command, env, root = lab_command(["--port", "9999"])
    assert root == build.repo_root() and (root / "solutions").is_dir()
    assert command[1:4] == ["-m", "jupyter", "lab"]
    assert f"--ServerApp.root_dir={root}" in command
    assert "--LabApp.default_url=/lab/tree/lessons/01_three_ways.ipynb" in command
    # no notebook path argument: that would make JupyterLab serve lessons/ as its root
    assert not any(arg.endswith(".ipynb") and not arg.startswith("--") for arg in command)
    assert command.index("--port") > command.index(f"--ServerApp.root_dir={root}")  # extras last
    course_config = env["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0]
    overrides = json.loads((Path(course_config) / "labconfig" /
                            "default_setting_overrides.json").read_text())
    assert overrides == {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false"},
                         # the Name column gets the sidebar's width: no "05_fully_bayesi…"
                         "@jupyterlab/filebrowser-extension:browser": {
                             "showLastModifiedColumn": False}}


EAVESDROPPING = "without encryption"  # ipykernel 7.4's warning at every unencrypted kernel


def test_lab_gives_kernels_curve_keys_where_jupyter_server_can():
    # the launcher decides from version numbers; the installed classes must agree with it
    from jupyter_client.manager import KernelManager
    from jupyter_server.services.kernels.kernelmanager import MappingKernelManager

    from hiertools.__main__ import lab_command

    option = "--MappingKernelManager.transport_encryption=auto"
    supported = ("transport_encryption" in MappingKernelManager.class_trait_names()
                 and "transport_encryption" in KernelManager.class_trait_names()
                 and __import__("zmq").has("curve"))
    assert (option in lab_command([])[0]) == supported


@pytest.mark.parametrize("old", [("jupyter_server", "2.19.0"), ("jupyter_client", "8.8.0")])
def test_lab_leaves_encryption_to_releases_that_have_it(monkeypatch, old):
    from importlib import metadata

    from hiertools.__main__ import _encryption_options

    real = metadata.version
    monkeypatch.setattr(metadata, "version",
                        lambda name: old[1] if name == old[0] else real(name))
    assert _encryption_options() == []


def test_kernel_encryption_only_where_the_manager_has_the_setting():
    class OldManager:  # jupyter_client < 8.9: no transport_encryption
        @classmethod
        def class_trait_names(cls):
            return ["kernel_name"]

    assert build.kernel_encryption(OldManager) is None
    assert build.kernel_encryption(object) is None


def test_a_build_kernel_does_not_warn_of_eavesdropping(tmp_path, capfd):
    """The kernel writes to the terminal the build runs in (inherited stderr)."""
    nb = new_notebook(cells=[new_code_cell("print(6 * 7)")])
    nb.metadata["kernelspec"] = dict(build.KERNELSPEC)
    ran = build.execute(nb, tmp_path)
    assert ran.cells[0].outputs[0]["text"] == "42\n"
    assert EAVESDROPPING not in capfd.readouterr().err


def _get(url, token):
    """(status, Location header or body) of a GET that does not follow redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    try:
        with opener.open(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Location", "")


def test_lab_starts_at_lesson_01_with_solutions_in_reach_and_no_news_popup(tmp_path):
    """Start the course's JupyterLab for a few seconds, as `python -m hiertools lab` does."""
    import secrets
    import socket
    import time

    from hiertools.__main__ import lab_command

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(8)
    command, env, root = lab_command(["--no-browser", "--ip", "127.0.0.1", "--port", str(port),
                                      "--ServerApp.port_retries=0",
                                      f"--ServerApp.token={token}"])
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                 "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        env[name] = str(tmp_path / name.lower())  # no settings of the user who runs the tests
    log = tmp_path / "lab.log"
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=root, env=env, stdout=out,
                                  stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, log.read_text()
            try:
                if _get(f"{base}/api/status", token)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        status, location = _get(f"{base}/", token)
        assert status == 302 and location.startswith("/lab/tree/lessons/01_three_ways.ipynb")
        status, body = _get(f"{base}/api/contents/solutions", token)
        assert status == 200
        assert "01_three_ways.ipynb" in {item["name"] for item in json.loads(body)["content"]}
        status, body = _get(f"{base}/api/contents/lessons/01_three_ways.ipynb?content=0", token)
        assert status == 200
        status, body = _get(
            f"{base}/lab/api/settings/@jupyterlab/apputils-extension:notification", token)
        settings = json.loads(body)
        assert settings["schema"]["properties"]["fetchNews"]["default"] == "false"
        assert settings["settings"].get("fetchNews", "false") == "false"
        status, body = _get(
            f"{base}/lab/api/settings/@jupyterlab/filebrowser-extension:browser", token)
        column = json.loads(body)["schema"]["properties"]["showLastModifiedColumn"]
        assert column["default"] is False  # the course's default reaches JupyterLab
        # the URL printed in the terminal, which remote and container users copy, opens lesson 01
        printed = re.findall(rf"http://127\.0\.0\.1:{port}(\S*)", log.read_text())
        assert printed and all(p.startswith("/lab/tree/lessons/01_three_ways.ipynb")
                               for p in printed), printed
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _processes_with(marker):
    """Live processes whose command line contains `marker` (a server's unique token)."""
    import psutil

    found = []
    for process in psutil.process_iter(["cmdline"]):
        try:
            if any(marker in arg for arg in process.info["cmdline"] or ()):
                found.append(process)
        except psutil.Error:
            pass
    return found


def _port_is_free(port):
    """Whether a server could listen on `port` now (with SO_REUSEADDR, as JupyterLab binds)."""
    import socket

    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM and exec are POSIX")
def test_terminating_the_launcher_stops_jupyterlab_and_frees_its_port(tmp_path):
    """A script, process manager or hub stops `python -m hiertools lab` with SIGTERM: nothing
    may be left running (an orphaned jupyter-lab would keep the port and make the next
    launch fail)."""
    import secrets
    import signal
    import socket
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(8)
    env = dict(os.environ)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                 "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
        env[name] = str(tmp_path / name.lower())  # no settings of the user who runs the tests
    log = tmp_path / "lab.log"
    with log.open("wb") as out:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "hiertools", "lab", "--no-browser", "--ip", "127.0.0.1",
             "--port", str(port), "--ServerApp.port_retries=0", f"--ServerApp.token={token}"],
            cwd=build.repo_root(), env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120  # a loaded 2-core machine starts JupyterLab slowly
        while True:
            assert launcher.poll() is None, log.read_text()
            try:
                if _get(f"http://127.0.0.1:{port}/api/status", token)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert _processes_with(token), "the server's command line should carry its token"
        launcher.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        while _processes_with(token) or not _port_is_free(port):
            assert time.monotonic() < deadline, (
                f"10 s after SIGTERM to the launcher: still running "
                f"{[p.pid for p in _processes_with(token)]}, port {port} free: "
                f"{_port_is_free(port)}\n{log.read_text()}")
            time.sleep(0.2)
        assert launcher.wait(timeout=5) is not None
    finally:
        for process in _processes_with(token):
            process.kill()
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait(timeout=10)
