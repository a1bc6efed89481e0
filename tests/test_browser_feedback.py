"""Real-browser test: the exercise feedback boxes are readable in JupyterLab's light AND dark theme.

A private JupyterLab server on a small notebook of check cells (correct, wrong, not answered,
unreadable, a hint) and on a copy of solutions/01 (its stored feedback, shown as untrusted,
sanitized HTML).  For each theme -- picked as a learner does, Settings > Theme -- the test runs
the check cells and measures, for every element with text in every feedback box, the computed
text colour against the background actually painted under it (semi-transparent layers composited
up to the first opaque one): WCAG 2.x contrast of at least 4.5:1 (AA).  Screenshots of the boxes
go to ``tests/artifacts/browser/feedback/``.
"""

from __future__ import annotations

import shutil
import uuid

import nbformat
import pytest

from tests import browser_support as bs
from tests import wcag

pytestmark = pytest.mark.browser

OUTDIR = bs.ARTIFACTS / "feedback"
CELLS = [
    "import hiertools as ht",
    'ht.check("01-complete-pooling", None)',                       # not answered
    'ht.check("01-complete-pooling", 0.0)',                        # incorrect (hint 1)
    'ht.check("01-complete-pooling", 0.0)',                        # incorrect (hint 2, `obs`)
    'ht.check("01-complete-pooling", "five")',                     # invalid
    'ht.check("01-complete-pooling", ht.simulate_districts(observations=True)["y"].mean())',
    'ht.hint("01-complete-pooling", level=2)',                     # the last hint
]
STATUSES = {"ht-feedback-not-answered", "ht-feedback-incorrect", "ht-feedback-invalid",
            "ht-feedback-correct", "ht-hint"}

# Every element with its own text inside every feedback box: its colour and the colours of the
# backgrounds under it, innermost first (the page's own background last).
_MEASURE_JS = """() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    return Array.from(panel.querySelectorAll('.ht-feedback'), (box, i) => {
        const els = [box, ...box.querySelectorAll('*')].filter(el =>
            Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()));
        return {box: i, classes: box.className, items: els.map(el => {
            const layers = [];
            for (let e = el; e; e = e.parentElement)
                layers.push(getComputedStyle(e).backgroundColor);
            layers.push(getComputedStyle(document.documentElement).backgroundColor);
            return {tag: el.tagName.toLowerCase(), text: el.textContent.trim().slice(0, 40),
                    color: getComputedStyle(el).color, layers};
        })};
    });
}"""


def _painted(layers):
    """The opaque colour painted under an element: its layers composited bottom-up."""
    colour = (255.0, 255.0, 255.0)  # the canvas, under everything
    for layer in reversed(layers):
        colour = wcag.composite(wcag.parse_color(layer), colour)
    return colour


def _low_contrast(boxes):
    problems = []
    for box in boxes:
        for item in box["items"]:
            fg, bg = wcag.parse_color(item["color"]), _painted(item["layers"])
            ratio = wcag.contrast(wcag.composite(fg, bg), bg)
            item["contrast"] = round(ratio, 2)
            if ratio < wcag.AA_NORMAL_TEXT:
                problems.append(f"  box {box['box']} ({box['classes']}) <{item['tag']}> "
                                f"{item['text']!r}: {item['color']} on rgb{tuple(map(round, bg))}"
                                f" = {ratio:.2f}:1")
    return problems


@pytest.fixture(scope="module")
def lab(browser, tmp_path_factory):
    root = tmp_path_factory.mktemp("feedback-lab")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                 "language": "python"}
    nbformat.write(nb, root / "checks.ipynb")
    shutil.copy(bs.REPO / "solutions" / "01_three_ways.ipynb", root / "stored.ipynb")
    with bs.running_lab(root) as server:
        yield server


@pytest.fixture(scope="module", autouse=True)
def _outdir():
    shutil.rmtree(OUTDIR, ignore_errors=True)
    OUTDIR.mkdir(parents=True)


def _set_theme(page, theme):
    bs.menu(page, "Settings", "Theme")
    page.locator(f".lm-Menu-itemLabel:text-is('{theme}')").click()
    light = "true" if theme == "JupyterLab Light" else "false"
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'",
                           timeout=30_000)
    page.wait_for_timeout(500)  # the theme's stylesheet applied


@pytest.mark.parametrize("theme", ["JupyterLab Dark", "JupyterLab Light"])
def test_feedback_boxes_have_aa_contrast_in_the_theme(theme, browser, lab):
    tag = theme.split()[-1].lower()
    context = browser.new_context(viewport={"width": 1100, "height": 1400},
                                  device_scale_factor=1, reduced_motion="reduce")
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        # 1. stored outputs, as a learner opening a solution sees them (sanitized HTML)
        bs.open_notebook(page, lab, "stored.ipynb", workspace=f"s{uuid.uuid4().hex[:8]}")
        _set_theme(page, theme)
        stored = page.evaluate(_MEASURE_JS)
        assert len(stored) >= 7, f"solutions/01: {len(stored)} stored feedback boxes rendered"
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .ht-feedback")
        panel.first.scroll_into_view_if_needed()
        panel.first.screenshot(path=str(OUTDIR / f"{tag}_stored_correct.png"))
        problems = _low_contrast(stored)

        # 2. check cells run in this theme: every kind of box
        bs.open_notebook(page, lab, "checks.ipynb", workspace=f"c{uuid.uuid4().hex[:8]}")
        bs.run_all_and_wait(page)
        boxes = page.evaluate(_MEASURE_JS)
        kinds = {c for box in boxes for c in box["classes"].split()} & STATUSES
        assert kinds == STATUSES, f"feedback boxes shown: {kinds}"
        code = [i for box in boxes for i in box["items"] if i["tag"] == "code"]
        assert code, "no code span rendered as <code> in the feedback"
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .ht-feedback")
        for i in range(panel.count()):
            panel.nth(i).scroll_into_view_if_needed()
            panel.nth(i).screenshot(path=str(OUTDIR / f"{tag}_{i + 1}.png"))
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").screenshot(
            path=str(OUTDIR / f"{tag}_notebook.png"))
        problems += _low_contrast(boxes)
        assert not problems, f"{theme}: text below 4.5:1 in feedback boxes:\n" + "\n".join(
            problems)
        worst = min(i["contrast"] for box in stored + boxes for i in box["items"])
        print(f"\n{theme}: {len(stored)} stored + {len(boxes)} live boxes, lowest contrast "
              f"{worst}:1")
    finally:
        context.close()
        lab.shutdown_kernels()
