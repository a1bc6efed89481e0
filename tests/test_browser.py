"""Real-browser tests: do in JupyterLab what a learner does.

One JupyterLab server (private settings, a token, copies of the notebooks in a temp
folder) and one Debian chromium for the whole session, driven by Playwright.

* Every solution notebook with a widget: Run All Cells, no error output anywhere, then
  every control of every explorer (``.ht-explorer``) is moved: a slider by the keyboard
  on its handle and by typing into its number box, a dropdown by picking another option.
  After each move the figure (``.ht-figure``, compared as screenshots) and the readout
  (``.ht-readout``) must change; typing the start value back must bring the start
  readout and figure back.  Screenshots go to ``tests/artifacts/browser/<notebook>/``.
* Every lesson notebook: Run All Cells; the only errors are the ``NotImplementedError``
  of the exercise stubs (cells tagged ``raises-exception``), one per stub.
* Every explorer the lessons show: a slider step, key press to the new figure painted, under
  100 ms median over 20 single steps, timed by the page itself; the medians and each step's
  stages go to ``tests/artifacts/browser/latency.json``.
* Opening a stored notebook and saving it leaves its file byte for byte as it was (JupyterLab
  rewrites a kernelspec it does not recognise and every number through JavaScript); running
  a notebook without widgets and saving it does too.

Without chromium at /usr/bin/chromium or without playwright the tests skip with a
one-line reason; with ``CI=true`` that is a failure instead.
"""

from __future__ import annotations

import json
import re
import shutil
import time
import uuid

import pytest

from tests import browser_support as bs

pytestmark = pytest.mark.browser

WIDGET_NOTEBOOKS = bs.widget_notebooks()
LESSON_NOTEBOOKS = bs.lesson_notebooks()


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def lab(browser, tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    bs.copy_notebooks(root)
    with bs.running_lab(root) as server:
        yield server


@pytest.fixture
def page(browser, lab):
    context = browser.new_context(viewport={"width": 1280, "height": 1000},
                                  device_scale_factor=1, reduced_motion="reduce")
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()
        lab.shutdown_kernels()  # each notebook's kernel goes when its test is done


def _open_and_run(page, lab, folder, name):
    """Open a notebook copy, Run All Cells, save it from the page.

    Returns the saved notebook (JSON) and the indices of code cells that did not run.
    """
    bs.open_notebook(page, lab, f"{folder}/{name}", workspace=f"t{uuid.uuid4().hex[:8]}")
    prompts = bs.run_all_and_wait(page)
    not_run = [i for i, p in enumerate(prompts) if not re.search(r"\d", p)]
    return bs.save_and_read(page, lab.root / folder / name), not_run


def _describe(errors):
    return "\n".join(f"  code cell {i}: {out.get('ename')}: {out.get('evalue')}\n"
                     f"    {bs.source(cell)[:120]!r}" for i, cell, out in errors)


# --------------------------------------------------------------------------- solutions
# An explorer's controls: its sliders (class ht-slider) and any dropdown, in page order.
CONTROLS = ".ht-slider, .widget-dropdown"

_SNAPSHOT_JS = """([ex, j]) => {
    const control = ex.querySelectorAll('@CONTROLS@')[j];
    const img = ex.querySelector('.ht-figure');
    const readout = ex.querySelector('.ht-readout');
    const handle = control.querySelector('.noUi-handle');
    const box = control.querySelector('.widget-readout');
    const select = control.querySelector('select');
    return {
        src: img.getAttribute('src'),
        // the frame's alt text: ipywidgets' Image has no alt, the explorer sets its title
        alt: img.getAttribute('title'),
        loaded: img.complete && img.naturalWidth > 0,
        readout: readout ? readout.textContent.trim() : null,
        // a slider's number box writes negatives with U+2212 (d3-format); read them as '-'
        value: box ? box.textContent.trim().replace(/\u2212/g, '-')
                   : (select ? select.value : null),
        min: handle ? parseFloat(handle.getAttribute('aria-valuemin')) : null,
        max: handle ? parseFloat(handle.getAttribute('aria-valuemax')) : null,
    };
}""".replace("@CONTROLS@", CONTROLS)


class Explorer:
    """One `.ht-explorer` in the page and what the test does to its controls."""

    def __init__(self, page, locator, index, outdir):
        self.page, self.loc, self.index, self.outdir = page, locator, index, outdir
        self.handle = locator.element_handle()
        self.figure = locator.locator(".ht-figure").first

    def snapshot(self, j):
        return self.page.evaluate(_SNAPSHOT_JS, [self.handle, j])

    def settle(self, j, before_src, what):
        """Wait for a new figure from the kernel, then for everything to stop changing."""
        try:
            self.page.wait_for_function(
                "([ex, src]) => ex.querySelector('.ht-figure').getAttribute('src') !== src",
                arg=[self.handle, before_src], timeout=15_000)
        except Exception as exc:  # playwright TimeoutError
            raise AssertionError(f"{what}: the figure was never re-rendered "
                                 f"(image src unchanged after 15 s: {exc.__class__.__name__})"
                                 ) from None
        state = bs.wait_stable(self.page, _SNAPSHOT_JS, [self.handle, j])
        assert state["loaded"], f"{what}: the new figure PNG did not load in the browser"
        return state

    def shot(self, name):
        png = self.figure.screenshot(animations="disabled", caret="hide")
        (self.outdir / f"{name}.png").write_bytes(png)
        return png

    def names(self):
        classes = self.loc.locator(CONTROLS).evaluate_all("els => els.map(e => [...e.classList])")
        names = []
        for j, cls in enumerate(classes):
            specific = [c.removeprefix("ht-slider-").removeprefix("ht-")
                        for c in cls if c.startswith("ht-") and c != "ht-slider"]
            names.append(specific[0] if specific else f"control{j + 1}")
        return names

    # -- sliders
    def move_slider(self, j, name, record):
        tag = f"e{self.index + 1}-{name}"
        what = f"explorer {self.index + 1}, slider {name!r}"
        control = self.loc.locator(CONTROLS).nth(j)
        start = self.snapshot(j)
        assert start["loaded"], f"{what}: figure not shown before moving"
        before = self.shot(f"{tag}_before")

        # 1. keyboard on the slider handle, away from the end it sits at
        key = "ArrowLeft" if float(start["value"]) >= start["max"] else "ArrowRight"
        control.locator(".noUi-handle").focus()
        for _ in range(3):
            self.page.keyboard.press(key)
        keyed = self.settle(j, start["src"], f"{what} ({key} x3)")
        after_keys = self.shot(f"{tag}_after_keys")
        assert keyed["value"] != start["value"], f"{what}: {key} did not move the slider"
        assert after_keys != before, f"{what}: figure unchanged after {key} (screenshots equal)"
        assert keyed["readout"] != start["readout"], f"{what}: readout unchanged after {key}"

        # 2. type a value into the number box
        target = self._target(start, keyed)
        typed = self._type(control, target, keyed["src"], f"{what} (typed {target})", j)
        after_typed = self.shot(f"{tag}_after_typed")
        lo, hi = start["min"], start["max"]
        assert abs(float(typed["value"]) - float(target)) <= 0.02 * (hi - lo) + 1e-9, (
            f"{what}: typed {target}, the slider shows {typed['value']}")
        assert after_typed != after_keys, f"{what}: figure unchanged after typing {target}"
        assert typed["readout"] != keyed["readout"], f"{what}: readout unchanged after typing"

        # 3. type the start value back: the start readout and figure come back
        back = self._type(control, start["value"], typed["src"], f"{what} (typed back)", j)
        restored = self.shot(f"{tag}_restored")
        assert back["value"] == start["value"]
        assert back["readout"] == start["readout"], (
            f"{what}: readout differs after returning to {start['value']}:\n"
            f"  {start['readout']}\n  {back['readout']}")
        assert restored == before, f"{what}: figure differs after returning to {start['value']}"
        record.append({"explorer": self.index + 1, "control": name, "kind": "slider",
                       "start": start["value"], "keys": f"{key} x3 -> {keyed['value']}",
                       "typed": f"{target} -> {typed['value']}"})

    @staticmethod
    def _target(start, keyed):
        """A value far from both the start and the keyed value, in the box's own format."""
        lo, hi = start["min"], start["max"]
        decimals = len(start["value"].split(".")[1]) if "." in start["value"] else 0
        now = float(start["value"])
        options = [lo + 0.25 * (hi - lo), lo + 0.75 * (hi - lo)]
        target = max(options, key=lambda v: min(abs(v - now), abs(v - float(keyed["value"]))))
        return f"{target:.{decimals}f}"

    def _type(self, control, text, before_src, what, j):
        box = control.locator(".widget-readout")
        box.click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.type(text)
        self.page.keyboard.press("Enter")
        return self.settle(j, before_src, what)

    # -- dropdowns (any `select` among the explorer's controls)
    def pick_option(self, j, name, record):
        tag = f"e{self.index + 1}-{name}"
        what = f"explorer {self.index + 1}, dropdown {name!r}"
        select = self.loc.locator(CONTROLS).nth(j).locator("select")
        start = self.snapshot(j)
        before = self.shot(f"{tag}_before")
        options = select.locator("option").evaluate_all("os => os.map(o => o.value)")
        other = next((o for o in options if o != start["value"]), None)
        assert other is not None, f"{what}: only one option"
        select.select_option(other)
        picked = self.settle(j, start["src"], f"{what} (picked {other!r})")
        after = self.shot(f"{tag}_after_select")
        assert picked["value"] == other
        assert after != before, f"{what}: figure unchanged after picking {other!r}"
        assert picked["readout"] != start["readout"], f"{what}: readout unchanged"
        select.select_option(start["value"])
        back = self.settle(j, picked["src"], f"{what} (picked back)")
        restored = self.shot(f"{tag}_restored")
        assert back["readout"] == start["readout"], f"{what}: readout differs after picking back"
        assert restored == before, f"{what}: figure differs after picking {start['value']!r} back"
        record.append({"explorer": self.index + 1, "control": name, "kind": "dropdown",
                       "start": start["value"], "picked": other})


@pytest.mark.parametrize("name", WIDGET_NOTEBOOKS)
def test_solution_runs_and_every_explorer_control_changes_the_figure(name, lab, page):
    nb, not_run = _open_and_run(page, lab, "solutions", name)
    errors = bs.error_outputs(nb)
    if errors:
        pytest.fail(f"solutions/{name}: error outputs:\n" + _describe(errors), pytrace=False)
    assert not not_run, f"solutions/{name}: code cells {not_run} did not run"
    problems = bs.dom_problems(page)
    assert not problems, f"solutions/{name}: errors shown in the page:\n" + "\n".join(problems)

    expected = bs.explorer_cells(bs.read_nb(bs.REPO / "solutions" / name))
    explorers = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .ht-explorer")
    assert explorers.count() >= expected, (
        f"solutions/{name}: {expected} explorer cell(s) but {explorers.count()} rendered")

    outdir = bs.ARTIFACTS / name.removesuffix(".ipynb")
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    record: list[dict] = []
    for i in range(explorers.count()):
        explorer = Explorer(page, explorers.nth(i), i, outdir)
        explorer.loc.scroll_into_view_if_needed()
        names = explorer.names()
        assert names, f"solutions/{name}: explorer {i + 1} has no controls ({CONTROLS})"
        assert explorer.snapshot(0)["alt"], (
            f"solutions/{name}: explorer {i + 1}'s figure has no alt text")
        for j, control in enumerate(names):
            has_select = explorer.loc.locator(CONTROLS).nth(j).locator("select").count()
            if has_select:
                explorer.pick_option(j, control, record)
            else:
                explorer.move_slider(j, control, record)
    (outdir / "covered.json").write_text(json.dumps(record, indent=1))
    print(f"\n{name}: " + ", ".join(f"e{r['explorer']}-{r['control']}" for r in record))


# --------------------------------------------------------------------------- lessons
@pytest.mark.parametrize("name", LESSON_NOTEBOOKS)
def test_lesson_runs_with_only_the_exercise_stubs_failing(name, lab, page):
    nb, not_run = _open_and_run(page, lab, "lessons", name)
    cells = bs.code_cells(nb)
    stubs = [i for i, c in enumerate(cells) if bs.STUB in bs.source(c)]
    errors = bs.error_outputs(nb)

    unexpected = [(i, cell, out) for i, cell, out in errors
                  if not (out.get("ename") == "NotImplementedError" and i in stubs
                          and "raises-exception" in cell.get("metadata", {}).get("tags", []))]
    if unexpected:
        pytest.fail(f"lessons/{name}: errors other than the NotImplementedError of a stub "
                    f"tagged raises-exception:\n" + _describe(unexpected), pytrace=False)
    assert not not_run, f"lessons/{name}: code cells {not_run} did not run"
    assert sorted(i for i, _, _ in errors) == stubs, (
        f"lessons/{name}: stubs in code cells {stubs}, NotImplementedError in "
        f"{[i for i, _, _ in errors]}")

    silent_checks = [i for i, c in enumerate(cells)
                     if "check" in c.get("metadata", {}).get("tags", []) and not c.get("outputs")]
    assert not silent_checks, f"lessons/{name}: check cells {silent_checks} gave no feedback"

    problems = [p for p in bs.dom_problems(page) if "NotImplementedError" not in p]
    assert not problems, f"lessons/{name}: errors shown in the page:\n" + "\n".join(problems)
    expected = bs.explorer_cells(bs.read_nb(bs.REPO / "lessons" / name))
    rendered = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .ht-explorer").count()
    assert rendered >= expected, f"lessons/{name}: {expected} explorer(s), {rendered} rendered"


# --------------------------------------------------------------------------- lesson 06
SLOPES_NOTEBOOK = "06_varying_slopes.ipynb"


def test_slopes_explorer_every_slider_changes_the_figure_and_the_readout(lab, page):
    """Lesson 06's explorer in a real browser: it starts at the fit, and each slider of Σ and
    σ, moved by the keyboard and by typing, redraws the figure and rewrites the readout."""
    nb, not_run = _open_and_run(page, lab, "solutions", SLOPES_NOTEBOOK)
    errors = bs.error_outputs(nb)
    assert not errors, f"solutions/{SLOPES_NOTEBOOK}: error outputs:\n" + _describe(errors)
    assert not not_run, f"solutions/{SLOPES_NOTEBOOK}: code cells {not_run} did not run"
    explorers = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .ht-explorer")
    assert explorers.count() == 1

    outdir = bs.ARTIFACTS / "06_slopes_explorer"
    shutil.rmtree(outdir, ignore_errors=True)
    outdir.mkdir(parents=True)
    explorer = Explorer(page, explorers.first, 0, outdir)
    explorer.loc.scroll_into_view_if_needed()
    names = explorer.names()
    sliders = ["sd-intercept", "sd-slope", "rho", "sigma"]
    assert names == [*sliders, "dropdown-group"], names

    start = explorer.snapshot(0)
    assert start["loaded"], "the explorer's figure is not shown"
    for text in ("σ_α = 24.74", "σ_β = 5.922", "ρ = 0.066", "σ = 25.59", "subject 335"):
        assert text in start["readout"], f"start readout lacks {text!r}: {start['readout']}"
    assert start["alt"] and "subject 335's data" in start["alt"], start["alt"]

    record: list[dict] = []
    for j, name in enumerate(sliders):
        explorer.move_slider(j, name, record)  # keys, typed value, typed back: all must redraw
    # the readout says what the slider says
    rho = names.index("rho")
    before = explorer.snapshot(rho)
    typed = explorer._type(explorer.loc.locator(CONTROLS).nth(rho), "-0.80", before["src"],
                           "rho typed -0.80", rho)
    assert "ρ = -0.800" in typed["readout"], typed["readout"]
    alt = explorer.snapshot(rho)["alt"]  # the image's alt text says what the slider changed
    assert "Changed from the fit: ρ = -0.80." in alt, alt
    explorer.shot("e1-rho_minus_0.8")
    explorer._type(explorer.loc.locator(CONTROLS).nth(rho), before["value"], typed["src"],
                   "rho typed back", rho)
    explorer.pick_option(names.index("dropdown-group"), "dropdown-group", record)
    (outdir / "covered.json").write_text(json.dumps(record, indent=1))
    assert [r["control"] for r in record] == [*sliders, "dropdown-group"]


# --------------------------------------------------------------------------- slider latency
#: A slider step, key press to the new figure on screen, must take under this median per
#: explorer: 100 ms is where a step stops feeling instant (issue 19, section 8).  With this test's
#: method on this project's shared 2-core machine while other work ran (load average 2-4), six
#: runs gave medians of 38-57 ms (pooling), 51-78 ms (shrinkage) and 50-74 ms (slopes), p90s of
#: 47-96 ms.  The bound is the goal itself, with that room for a loaded CI box; a full redraw per
#: step (the naive way) fails it: 142, 192 and 202 ms in one run.
STEP_MEDIAN_MS = 100
LATENCY_WARMUP, LATENCY_STEPS = 4, 20


def test_a_slider_step_shows_the_new_figure_within_100_ms_median(lab, page):
    """Every explorer the lessons show, in JupyterLab in chromium: single arrow-key presses on
    its sliders in turn (after a warm-up), each timed by the page itself from the key press to
    the first frame painted after the new figure decoded.  Every step must set the figure once
    (one ``src``, one decode), and each explorer's median must be under STEP_MEDIAN_MS.  The
    medians and each step's stages go to tests/artifacts/browser/latency.json; the stage
    breakdown, also on the kernel side, is benchmarks/bench_browser.py."""
    sources = bs.explorer_sources()
    assert sources, "no solution notebook shows an explorer"
    bs.write_explorers_notebook(lab.root / "latency" / "explorers.ipynb",
                                [text for _, text in sources])
    page.add_init_script(bs.LATENCY_INIT_JS)
    bs.open_notebook(page, lab, "latency/explorers.ipynb", workspace=f"t{uuid.uuid4().hex[:8]}")
    prompts = bs.run_all_and_wait(page)
    assert all(re.search(r"\d", p) for p in prompts), f"not every cell ran: {prompts}"
    explorers = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .ht-explorer")
    assert explorers.count() == len(sources)

    report, lines = {}, []
    for i, (notebook, text) in enumerate(sources):
        label = f"{notebook}: {text.strip()}"
        explorers.nth(i).scroll_into_view_if_needed()
        stepper = bs.SliderStepper(page, explorers.nth(i))
        steps = []
        for k in range(LATENCY_WARMUP + LATENCY_STEPS):
            step = stepper.step()
            if k >= LATENCY_WARMUP:
                steps.append(step)
            time.sleep(0.15)  # separate key presses, as a learner's
        summary = bs.summarize_steps(steps)
        report[label] = {"summary": summary, "steps": steps}
        lines.append(f"{label}: median {summary['end to end']:.0f} ms, p90 {summary['p90']:.0f} "
                     f"ms over {len(steps)} steps (" + ", ".join(
                         f"{name} {summary[name]:.0f}" for name, _, _ in bs.SPANS[:-1]) + ")")
    bs.ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (bs.ARTIFACTS / "latency.json").write_text(json.dumps(report, indent=1))
    print("\n" + "\n".join(lines))

    for label, entry in report.items():
        doubled = [s for s in entry["steps"] if s["figures"] != 1]
        assert not doubled, (f"{label}: {len(doubled)} steps set the figure's src more than "
                             f"once (decoded twice): {doubled[:2]}")
    slow = [line for line, entry in zip(lines, report.values())
            if not entry["summary"]["end to end"] < STEP_MEDIAN_MS]
    assert not slow, f"median slider step over {STEP_MEDIAN_MS} ms:\n" + "\n".join(slow)


# --------------------------------------------------------------------------- files stay clean
# Every lesson (what a learner opens), and one solution and one follow-along copy that once
# differed (widget state, kernelspec); tests/test_notebooks.py checks all of them statically.
OPENED = ([f"lessons/{name}" for name in LESSON_NOTEBOOKS]
          + ["solutions/01_three_ways.ipynb", "follow/05_fully_bayesian.ipynb"])


def _unchanged(path, stored: bytes, saved: bytes) -> str:
    """'' if equal, else the first lines that differ (for the failure message)."""
    import difflib

    if saved == stored:
        return ""
    diff = difflib.unified_diff(stored.decode().splitlines(), saved.decode().splitlines(),
                                "stored", "saved by JupyterLab", lineterm="", n=1)
    return f"{path}: JupyterLab changed the file:\n" + "\n".join(list(diff)[:30])


@pytest.mark.parametrize("path", OPENED)
def test_opening_and_saving_a_notebook_leaves_its_file_unchanged(path, lab, page):
    """Merely opening a notebook must not modify a tracked file (JupyterLab autosaves)."""
    file = lab.root / path
    stored = file.read_bytes()
    bs.open_notebook(page, lab, path, workspace=f"t{uuid.uuid4().hex[:8]}")
    try:  # JupyterLab updates the metadata from the kernel it started: give it the time
        page.locator(".jp-mod-current.jp-mod-dirty").wait_for(timeout=3_000)
    except Exception:  # playwright TimeoutError: nothing changed, as it should be
        pass
    bs.save_and_read(page, file)
    problem = _unchanged(path, stored, file.read_bytes())
    if problem:
        pytest.fail(problem, pytrace=False)


def test_running_a_notebook_without_widgets_and_saving_leaves_its_file_unchanged(lab, page):
    """Run All in JupyterLab gives the outputs the build stored, byte for byte (figures too)."""
    path = "solutions/02_varying_intercepts.ipynb"
    file = lab.root / path
    stored = file.read_bytes()
    assert b"widget-view" not in stored
    bs.open_notebook(page, lab, path, workspace=f"t{uuid.uuid4().hex[:8]}")
    prompts = bs.run_all_and_wait(page)
    assert all(re.search(r"\d", p) for p in prompts), f"{path}: not every cell ran: {prompts}"
    bs.save_and_read(page, file)
    problem = _unchanged(path, stored, file.read_bytes())
    if problem:
        pytest.fail(problem, pytrace=False)
