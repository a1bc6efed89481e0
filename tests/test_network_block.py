"""Notebook kernels started by the tests cannot reach the network; loopback still works.

The repository's conftest.py installs ``tests/kernel_startup/no_network.py`` as an IPython
startup script for the session.  These tests start kernels the two ways the test suite
does -- nbclient (as the build and these tests do) and nbval's own ``RunningKernel`` -- and
check from inside them that a public address is refused with our message, while a
connection to a server on 127.0.0.1 goes through.
"""

import os
import socket

from nbformat.v4 import new_code_cell, new_notebook

PROBE = """\
import errno, socket
results = {"flag": getattr(socket, "hiertools_network_blocked", False)}
for name, attempt in {
    "create_connection": lambda: socket.create_connection(("93.184.215.14", 80), timeout=2),
    "connect": lambda: socket.socket().connect(("1.1.1.1", 53)),
    "connect_v6": lambda: socket.socket(socket.AF_INET6).connect(("2606:4700:4700::1111", 53)),
    "getaddrinfo": lambda: socket.getaddrinfo("example.com", 443),
    "sendto": lambda: socket.socket(type=socket.SOCK_DGRAM).sendto(b"x", ("8.8.8.8", 53)),
}.items():
    try:
        attempt()
        results[name] = "connected"
    except OSError as error:
        results[name] = "blocked" if "blocked" in str(error) else f"other error: {error}"
results["connect_ex"] = socket.socket().connect_ex(("1.1.1.1", 53)) == errno.ENETUNREACH

server = socket.create_server(("127.0.0.1", 0))
client = socket.create_connection(server.getsockname(), timeout=2)
peer, _ = server.accept()
client.sendall(b"ping")
results["loopback"] = peer.recv(4).decode()
results["localhost"] = socket.getaddrinfo("localhost", 80)[0][4][0] in ("127.0.0.1", "::1")
for s in (client, peer, server):
    s.close()
print(results)
"""

EXPECTED = {"flag": True, "create_connection": "blocked", "connect": "blocked",
            "connect_v6": "blocked", "getaddrinfo": "blocked", "sendto": "blocked",
            "connect_ex": True, "loopback": "ping", "localhost": True}


def test_the_session_points_kernels_at_the_blocking_startup_script():
    startup = os.path.join(os.environ["IPYTHONDIR"], "profile_default", "startup")
    assert os.listdir(startup) == ["00-no-network.py"]
    assert not getattr(socket, "hiertools_network_blocked", False), (
        "the test process itself must stay unpatched (only its kernels are blocked)")


def test_a_notebook_kernel_cannot_reach_the_network_but_loopback_works(tmp_path):
    from nbclient import NotebookClient

    nb = new_notebook(cells=[new_code_cell(PROBE)],
                      metadata={"kernelspec": {"name": "python3", "language": "python",
                                               "display_name": "Python 3"}})
    NotebookClient(nb, timeout=60, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert eval(text) == EXPECTED  # noqa: S307 - the dict printed by our own probe


def test_nbvals_own_kernel_is_blocked_too(tmp_path):
    from nbval.kernel import CURRENT_ENV_KERNEL_NAME, RunningKernel

    kernel = RunningKernel(CURRENT_ENV_KERNEL_NAME, cwd=str(tmp_path))  # as --nbval-current-env
    try:
        msg_id = kernel.execute_cell_input(PROBE, allow_stdin=False)
        kernel.await_reply(msg_id, timeout=60)
        text = ""
        while True:
            msg = kernel.get_message(stream="iopub", timeout=10)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                text += msg["content"]["text"]
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
    finally:
        kernel.stop()
    assert eval(text) == EXPECTED  # noqa: S307 - the dict printed by our own probe
