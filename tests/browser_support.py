"""Helpers for the real-browser tests (tests/test_browser.py).

A private JupyterLab server on copies of the notebooks, Debian's chromium driven by
Playwright, and the few page actions a learner does: open a notebook, Run All Cells,
wait for the kernel, move a slider, type into its number box.

Nothing here imports playwright at import time, so collecting the test suite (and
``--doctest-modules``) works on a machine without it.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts" / "browser"
CHROMIUM = Path(os.environ.get("HT_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
EXPLORER_CALL = re.compile(r"\b\w+_explorer\(")
STUB = "raise NotImplementedError("  # every stub: hiertools.build.STUB_RAISE, then its message


# --------------------------------------------------------------------------- discovery
def read_nb(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def source(cell: dict) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def _is_explorer_view(out: dict) -> bool:
    """A stored widget view of an explorer (its text repr names it), not e.g. a tqdm bar."""
    data = out.get("data", {})
    text = data.get("text/plain", "")
    text = "".join(text) if isinstance(text, list) else text
    return WIDGET_MIME in data and "explorer" in text.lower()


def explorer_cells(nb: dict) -> int:
    """Number of code cells that show an explorer (stored explorer view or an `*_explorer(` call).

    Other widgets (lesson 05's tqdm progress bar is an ipywidgets view too) do not count.

    >>> bar = {"data": {WIDGET_MIME: {}, "text/plain": "sampling:   0%|          | 0/10"}}
    >>> view = {"data": {WIDGET_MIME: {}, "text/plain": "<Pooling explorer: move the sliders>"}}
    >>> cell = lambda out, src="": {"cell_type": "code", "source": src, "outputs": [out]}
    >>> explorer_cells({"cells": [cell(bar), cell(view), cell({}, "ht.slopes_explorer()")]})
    2
    """
    count = 0
    for cell in code_cells(nb):
        stored = any(_is_explorer_view(out) for out in cell.get("outputs", []))
        if stored or EXPLORER_CALL.search(source(cell)):
            count += 1
    return count


def widget_notebooks() -> list[str]:
    """Solution notebooks (file names) that have a widget."""
    return [p.name for p in sorted((REPO / "solutions").glob("*.ipynb"))
            if explorer_cells(read_nb(p))]


def lesson_notebooks() -> list[str]:
    return [p.name for p in sorted((REPO / "lessons").glob("*.ipynb"))]


# --------------------------------------------------------------------------- availability
def browser_unavailable_reason() -> str | None:
    """None when the browser tests can run here, else a one-line reason."""
    if not CHROMIUM.exists():
        return (f"browser tests need Debian's chromium at {CHROMIUM} "
                "(apt-get install -y chromium fonts-dejavu-core)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        return f"browser tests need the playwright package from PyPI ({exc})"
    return None


# --------------------------------------------------------------------------- the server
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


@dataclass
class LabServer:
    """A JupyterLab server started for the tests; stopped by its own Popen handle."""

    root: Path
    port: int = field(default_factory=_free_port)
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str, workspace: str) -> str:
        # A fresh named workspace per page: no tabs restored from an earlier test.
        return f"{self.base}/lab/workspaces/{workspace}/tree/{path}?token={self.token}"

    def api(self, method: str, path: str, timeout: float = 5):
        req = urllib.request.Request(f"{self.base}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def start(self, timeout: float = 60) -> None:
        private = self.root / ".private"
        settings = private / "lab-settings"
        # No news / update pop-up over the page; every cell attached to the DOM.
        _write_json(settings / "@jupyterlab/apputils-extension/notification.jupyterlab-settings",
                    {"fetchNews": "false", "checkForUpdates": False})
        _write_json(settings / "@jupyterlab/notebook-extension/tracker.jupyterlab-settings",
                    {"windowingMode": "none"})
        env = dict(os.environ)
        env.update({
            "JUPYTERLAB_SETTINGS_DIR": str(settings),
            "JUPYTERLAB_WORKSPACES_DIR": str(private / "workspaces"),
            "JUPYTER_CONFIG_DIR": str(private / "config"),
            "JUPYTER_DATA_DIR": str(private / "data"),
            "JUPYTER_RUNTIME_DIR": str(private / "runtime"),
            "IPYTHONDIR": str(private / "ipython"),
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])),
        })
        for d in ("workspaces", "config", "data", "runtime", "ipython"):
            (private / d).mkdir(parents=True, exist_ok=True)
        self.log_path = private / "lab.log"
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
             "--ip", "127.0.0.1", "--port", str(self.port), "--ServerApp.port_retries=0",
             f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={self.root}",
             "--LabApp.news_url=", "--ServerApp.open_browser=False"],
            cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.process.returncode}:\n"
                                   + self.log_tail())
            try:
                self.api("GET", "/api/status", timeout=2)
                return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                time.sleep(0.25)
        raise RuntimeError(f"JupyterLab not ready after {timeout:.0f} s:\n" + self.log_tail())

    def log_tail(self, lines: int = 30) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def shutdown_kernels(self) -> None:
        """Delete every session and kernel of this server (frees the CPU between notebooks)."""
        try:
            for session in self.api("GET", "/api/sessions"):
                self.api("DELETE", f"/api/sessions/{session['id']}", timeout=10)
            for kernel in self.api("GET", "/api/kernels"):
                self.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=10)
        except (urllib.error.URLError, OSError):
            pass

    def stop(self) -> None:
        """Stop the server by its own process handle: kernels, then terminate, wait, kill."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.shutdown_kernels()
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


def copy_notebooks(root: Path) -> None:
    for folder in ("solutions", "lessons", "follow"):
        shutil.copytree(REPO / folder, root / folder,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))


# --------------------------------------------------------------------------- page actions
KERNEL_IDLE = "#jp-main-statusbar >> text=Idle"

_STATUS_JS = """() => {
    const bar = document.querySelector('#jp-main-statusbar');
    return bar ? bar.textContent : '';
}"""


def menu(page, top: str, item: str) -> None:
    page.locator(f".lm-MenuBar-itemLabel:text-is('{top}')").click()
    page.locator(f".lm-Menu-itemLabel:text-is('{item}')").click()


def open_notebook(page, server: LabServer, path: str, workspace: str, timeout_ms=60_000) -> None:
    page.goto(server.url(path, workspace))
    page.locator(".jp-Notebook .jp-Cell").first.wait_for(timeout=timeout_ms)
    page.locator(KERNEL_IDLE).wait_for(timeout=timeout_ms)


# Each code cell's prompt and the first line of its source, in page order.
_CELLS_JS = """() => Array.from(
    document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell'),
    c => [(c.querySelector('.jp-InputPrompt') || {textContent: ''}).textContent.trim(),
          ((c.querySelector('.cm-content') || {textContent: ''}).textContent || '')
              .slice(0, 70)])"""


def run_all_and_wait(page, timeout: float = 600, settle: float = 8) -> list[str]:
    """Clear outputs, Run All Cells, and wait until every cell has run and the kernel is idle.

    "Done" is read from the page, never from a fixed time: every code cell shows an
    execution count, no cell is queued (``[*]``) and the kernel is idle.  A run that an
    error stopped early (JupyterLab skips the rest) is done once nothing has changed for
    `settle` seconds with the kernel idle.  On a loaded machine a notebook may take many
    times its usual time, so the timeout is generous; if it ends, the message names the
    cells still running or queued.  Returns the final input prompts (``[3]:`` ...).
    """
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(
        "() => !Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))"
        ".some(p => /\\d/.test(p.textContent))", timeout=10_000)
    menu(page, "Run", "Run All Cells")
    deadline = time.monotonic() + timeout
    cells: list[list[str]] = []
    last, since, idle_reads = None, time.monotonic(), 0
    while time.monotonic() < deadline:
        cells = page.evaluate(_CELLS_JS)
        prompts = [p for p, _ in cells]
        idle = "Idle" in page.evaluate(_STATUS_JS)
        busy = any("*" in p for p in prompts)
        if prompts != last:
            last, since = prompts, time.monotonic()
        idle_reads = idle_reads + 1 if idle and not busy else 0
        all_ran = prompts and all(re.search(r"\d", p) for p in prompts)
        if idle_reads >= 3 and (all_ran or time.monotonic() - since >= settle):
            return prompts
        time.sleep(0.3)
    running = [f"  code cell {i} {p} {src!r}" for i, (p, src) in enumerate(cells) if "*" in p]
    waiting = [i for i, (p, _) in enumerate(cells) if not re.search(r"[\d*]", p)]
    raise AssertionError(
        f"Run All did not finish within {timeout:.0f} s.\nStill running or queued:\n"
        + ("\n".join(running) or "  none") + f"\nNot run: code cells {waiting}")


def save_and_read(page, nb_path: Path, timeout: float = 20) -> dict:
    """Save the notebook from the page (as a learner does) and read the saved file."""
    before = nb_path.stat().st_mtime_ns
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").first.click(
        position={"x": 5, "y": 5})
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if nb_path.stat().st_mtime_ns != before:
            try:
                return read_nb(nb_path)
            except (json.JSONDecodeError, OSError):
                pass
        time.sleep(0.2)
    raise AssertionError(f"saving {nb_path.name} from the page did not write the file")


def dom_problems(page) -> list[str]:
    """Tracebacks and widget rendering errors visible in the notebook page."""
    return page.evaluate("""() => {
        const found = [];
        const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
        panel.querySelectorAll('.jp-OutputArea-output').forEach(o => {
            const t = o.textContent;
            if (o.dataset.mimeType === 'application/vnd.jupyter.stderr'
                && /Traceback|\\w+Error\\b/.test(t)) found.push(t.slice(0, 400));
            if (/Error displaying widget|Failed to load model class|Model not found/i.test(t))
                found.push(t.slice(0, 400));
        });
        return found;
    }""")


def error_outputs(nb: dict) -> list[tuple[int, dict, dict]]:
    """(code-cell index, cell, output) for every error output in a saved notebook."""
    return [(i, cell, out) for i, cell in enumerate(code_cells(nb))
            for out in cell.get("outputs", []) if out.get("output_type") == "error"]


def wait_stable(page, js: str, arg, timeout: float = 20, quiet: float = 0.6):
    """Wait until page js(arg) has not changed for `quiet` seconds and the kernel is idle."""
    deadline = time.monotonic() + timeout
    last = page.evaluate(js, arg)
    since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = page.evaluate(js, arg)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet and "Idle" in page.evaluate(_STATUS_JS):
            return last
    raise AssertionError(f"value did not settle within {timeout:.0f} s (last: {last!r})")
