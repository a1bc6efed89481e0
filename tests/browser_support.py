"""Helpers for the real-browser tests (tests/test_browser.py).

A private JupyterLab server on copies of the notebooks, Debian's chromium driven by
Playwright, and the few page actions a learner does: open a notebook, Run All Cells,
wait for the kernel, move a slider, type into its number box.

Nothing here imports playwright at import time, so collecting the test suite (and
``--doctest-modules``) works on a machine without it.
"""

from __future__ import annotations

import contextlib
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from hiertools.__main__ import _encryption_options

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
    #: The checkout whose hiertools the kernels import (benchmarks compare two checkouts).
    repo: Path = REPO
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
            "PYTHONPATH": os.pathsep.join(filter(None, [str(self.repo), env.get("PYTHONPATH")])),
        })
        for d in ("workspaces", "config", "data", "runtime", "ipython"):
            (private / d).mkdir(parents=True, exist_ok=True)
        self.log_path = private / "lab.log"
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
             "--ip", "127.0.0.1", "--port", str(self.port), "--ServerApp.port_retries=0",
             f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={self.root}",
             "--LabApp.news_url=", "--ServerApp.open_browser=False",
             *_encryption_options()],  # kernels as `python -m hiertools lab` starts them
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


@contextlib.contextmanager
def running_lab(root: Path, **kwargs) -> Iterator[LabServer]:
    """A JupyterLab serving `root` for the duration of the block, then stopped by its own
    process handle (kernels, terminate, wait, kill) however the block ends."""
    server = LabServer(root, **kwargs)
    try:
        server.start()
        yield server
    finally:
        server.stop()


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


# --------------------------------------------------------------------------- slider latency
#: Installed before JupyterLab's own scripts (``context.add_init_script``).  It keeps, on the
#: page's wall clock (``performance.timeOrigin + performance.now()``; the kernel's clock too, on
#: one machine), the time of every key press, of every message sent on a kernel's websocket and,
#: for every message received, its arrival, size and the kernel's header (type, date); and for
#: every new explorer figure, when its ``src`` was set, when the image was decoded and when the
#: next frame was painted.  ``arm()`` empties the log before a step; ``settled(ms)`` resolves
#: with the log once a new figure is painted and the kernel is idle again (no polling from
#: Python: that would load the machine it measures).
LATENCY_INIT_JS = r"""(() => {
    const wall = () => performance.timeOrigin + performance.now();
    const latin1 = new TextDecoder('latin1');
    const log = {keys: [], sent: [], received: [], figures: []};
    let waiting = null;
    const poke = () => { if (waiting) waiting(); };
    window.__htLatency = {
        arm() { for (const list of Object.values(log)) list.length = 0; },
        settled(timeout) {
            return new Promise(resolve => {
                const finish = timedOut => { waiting = null; resolve({...log, timedOut}); };
                const timer = setTimeout(() => finish(true), timeout);
                waiting = () => {
                    const idle = log.received.some(m => m.type === 'status'
                                                        && m.status === 'idle');
                    if (idle && log.figures.length
                            && log.figures.every(f => f.painted !== null)) {
                        clearTimeout(timer);
                        finish(false);
                    }
                };
                poke();
            });
        },
    };
    document.addEventListener('keydown', () => log.keys.push(wall()), true);
    const kernelDate = s => {  // "2026-12-07T10:20:33.123456Z" to ms since the epoch
        const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)?$/.exec(s || '');
        return m ? Date.parse(m[1] + (m[3] || 'Z')) + 1000 * parseFloat(m[2] || '0') : null;
    };
    const Native = window.WebSocket;
    class Spy extends Native {
        constructor(...args) {
            super(...args);
            if (!String(args[0]).includes('/api/kernels/')) return;
            this.addEventListener('message', ev => {
                const data = ev.data;
                const size = typeof data === 'string' ? data.length : data.byteLength;
                const head = typeof data === 'string' ? data.slice(0, 4096)
                    : latin1.decode(new Uint8Array(data, 0, Math.min(size, 4096)));
                const type = /"msg_type":\s*"(\w+)"/.exec(head);
                const date = /"date":\s*"([^"]+)"/.exec(head);
                const state = /"execution_state":\s*"(\w+)"/.exec(head);
                log.received.push({t: performance.timeOrigin + ev.timeStamp, size,
                    type: type && type[1], kernel: kernelDate(date && date[1]),
                    status: state && state[1]});
                setTimeout(poke, 0);
            });
        }
        send(data) {
            if (String(this.url).includes('/api/kernels/'))
                log.sent.push({t: wall(), size: typeof data === 'string' ? data.length
                                                                        : data.byteLength});
            return super.send(data);
        }
    }
    window.WebSocket = Spy;
    new MutationObserver(records => {
        for (const r of records) {
            const img = r.target;
            if (!(img instanceof HTMLImageElement)) continue;
            if (!img.classList.contains('ht-figure')) continue;
            const entry = {src: wall(), decoded: null, painted: null};
            log.figures.push(entry);
            img.decode().then(() => {
                entry.decoded = wall();
                requestAnimationFrame(() => setTimeout(() => {
                    entry.painted = wall();
                    poke();
                }, 0));
            }, err => { entry.error = String(err); entry.decoded = entry.painted = -1; poke(); });
        }
    }).observe(document, {subtree: true, attributes: true, attributeFilter: ['src']});
})();"""

_HANDLE_JS = """h => [parseFloat(h.getAttribute('aria-valuenow')),
                     parseFloat(h.getAttribute('aria-valuemin')),
                     parseFloat(h.getAttribute('aria-valuemax'))]"""
#: The stages of a step (:func:`slider_step`), in order; the last is the step's end to end.
STAGES = ("sent", "kernel_start", "kernel_figure", "received", "src", "decoded", "painted")


def slider_step(page, handle, direction: str, timeout: float = 30) -> dict:
    """Press one arrow key on a slider `handle`; time the step from the page's own log.

    Needs :data:`LATENCY_INIT_JS` in the page.  Waits until the new figure is painted and
    the kernel has gone idle again, then returns the stages of the step (:data:`STAGES`),
    in ms from the key press: ``sent`` (the slider's message left the page),
    ``kernel_start`` (the kernel stamped its busy status), ``kernel_figure`` (the kernel
    stamped the message carrying the figure), ``received`` (that message arrived in the
    page), ``src`` (the ``<img>`` got the new figure), ``decoded`` (the image decoded),
    ``painted`` (the first frame after that: the new figure on screen, the step's end to
    end).  Also ``bytes`` (of the figure's message), ``messages`` (non-status messages
    the kernel sent for the step) and ``figures`` (how often the ``<img>`` got a new
    ``src``; one is all it needs).

    The end is on the late side: in chromium 156 the Element Timing API's ``renderTime``
    of a new image came about 3 ms before it (checked on a bare page).
    """
    handle.focus()
    page.evaluate("() => window.__htLatency.arm()")
    page.keyboard.press(direction)
    log = page.evaluate("ms => window.__htLatency.settled(ms)", timeout * 1000)
    if log["timedOut"] or not log["keys"]:
        raise AssertionError(f"{direction}: no new figure painted with the kernel idle within "
                             f"{timeout:.0f} s: {log}")
    key = log["keys"][0]
    # ipywidgets' ImageView makes a new blob URL at every change of its model and revokes
    # the one before (which then fails to decode); the figure on screen is the last.
    shown = log["figures"]
    figure = shown[-1]
    assert figure["painted"] != -1, f"{direction}: the new figure could not be decoded: {shown}"
    new = log["received"]
    image = max((m for m in new if m["type"] == "comm_msg"), key=lambda m: m["size"])
    busy = next((m for m in new if m["status"] == "busy"), None)
    sent = log["sent"][0]["t"] if log["sent"] else None

    def ms(t):
        return None if t is None else t - key

    return {"sent": ms(sent), "kernel_start": ms(busy and busy["kernel"]),
            "kernel_figure": ms(image["kernel"]), "received": ms(image["t"]),
            "src": ms(figure["src"]), "decoded": ms(figure["decoded"]),
            "painted": ms(figure["painted"]), "bytes": image["size"],
            "messages": sum(m["type"] not in (None, "status") for m in new),
            "figures": len(shown)}


#: (name, start, end): each span of a step is `end` minus `start` (None: the key press).
SPANS = (("page->kernel", None, "kernel_start"), ("kernel", "kernel_start", "kernel_figure"),
         ("kernel->page", "kernel_figure", "received"), ("page", "received", "src"),
         ("decode", "src", "decoded"), ("paint", "decoded", "painted"),
         ("end to end", None, "painted"))


def summarize_steps(steps: list[dict]) -> dict:
    """Median ms of each span (:data:`SPANS`) over `steps`, with the p90 end to end and counts."""
    import statistics

    def span(step, start, end):
        if step[end] is None or (start is not None and step[start] is None):
            return None
        return step[end] - (step[start] if start else 0.0)

    row = {}
    for name, start, end in SPANS:
        values = [v for v in (span(s, start, end) for s in steps) if v is not None]
        row[name] = statistics.median(values) if values else float("nan")
    ends = sorted(s["painted"] for s in steps)
    row["p90"] = ends[round(0.9 * (len(ends) - 1))]
    row["KB"] = statistics.median(s["bytes"] for s in steps) / 1000
    row["messages"] = statistics.median(s["messages"] for s in steps)
    row["srcs"] = max(s["figures"] for s in steps)
    row["steps"] = len(steps)
    return row


class SliderStepper:
    """Single key presses on the sliders of one explorer in the page, in turn.

    Each press moves a slider one step away from the end it last reached, so every step
    changes the figure.  :meth:`step` returns :func:`slider_step`'s stages with the
    slider's CSS class under ``slider``.
    """

    def __init__(self, page, explorer):
        self.page = page
        sliders = explorer.locator(".ht-slider")
        self.handles = [sliders.nth(i).locator(".noUi-handle").element_handle()
                        for i in range(sliders.count())]
        self.names = [next((c for c in sliders.nth(i).get_attribute("class").split()
                            if c.startswith("ht-slider-")), f"slider{i}")
                      for i in range(sliders.count())]
        assert self.handles, "the explorer has no .ht-slider"
        self.directions = ["ArrowRight"] * len(self.handles)
        self.count = 0

    def step(self) -> dict:
        j = self.count % len(self.handles)
        self.count += 1
        now, low, high = self.handles[j].evaluate(_HANDLE_JS)
        if now >= high:
            self.directions[j] = "ArrowLeft"
        elif now <= low:
            self.directions[j] = "ArrowRight"
        result = slider_step(self.page, self.handles[j], self.directions[j])
        result["slider"] = self.names[j]
        return result


def explorer_sources() -> list[tuple[str, str]]:
    """(solution notebook, cell source) of every code cell that shows an explorer.

    Each must be self-contained (it uses no name but ``ht``), so that a notebook of
    ``import hiertools as ht`` and these cells shows every explorer the lessons show.
    """
    import ast

    found = []
    for name in widget_notebooks():
        for cell in code_cells(read_nb(REPO / "solutions" / name)):
            text = source(cell)
            if not EXPLORER_CALL.search(text):
                continue
            names = {node.id for node in ast.walk(ast.parse(text)) if isinstance(node, ast.Name)}
            if names - {"ht"}:
                raise ValueError(f"solutions/{name}: the explorer cell {text!r} uses "
                                 f"{sorted(names - {'ht'})}; measure it in its notebook instead")
            found.append((name, text))
    return found


def write_explorers_notebook(path: Path, sources) -> None:
    """A notebook of ``import hiertools as ht`` and the explorer cells `sources`."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import hiertools as ht\nht.__file__")]
    nb.cells += [nbformat.v4.new_code_cell(text) for text in sources]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
