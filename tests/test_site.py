"""The course website (``python -m hiertools site``): built warning-free, complete, offline.

One build per test session (module fixture, about 10-25 s), then plain file checks and one
pass of headless chromium over every page (served by an http.server thread on 127.0.0.1):
no request to any other host, images decode and have alt text, math is typeset, internal
links resolve, no horizontal scrolling at 390 px. Screenshots of every page at 1280 px,
390 px and in dark mode go to tests/artifacts/site/.
"""

from __future__ import annotations

import functools
import html
import html.parser
import http.server
import json
import os
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml

from hiertools.build import solution_lines

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts" / "site"
#: An address for the launch links of the test build (the real one lives in pyproject.toml).
REPOSITORY = "https://github.com/example-org/partial-pooling"
LESSONS = sorted(p.name for p in (REPO / "solutions").glob("*.ipynb"))
MAX_BYTES = 30 * 1024 * 1024

# Without the [site] extra the module skips locally; under CI=true it fails to import (as
# tests/reference.py and the browser fixture do): a site that silently stops being tested is a
# test that cannot fail.
if os.environ.get("CI") == "true":
    import jupyter_book  # noqa: F401
else:
    pytest.importorskip("jupyter_book", reason='the site needs pip install -e ".[site]"')


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site, built as `python -m hiertools site` builds it (warnings are errors)."""
    from hiertools.site import build_site

    return build_site(tmp_path_factory.mktemp("site") / "site", root=REPO,
                      repository=REPOSITORY, quiet=True)


def page_text(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def lesson_page(name: str) -> str:
    return f"lessons/{Path(name).stem}.html"


# --------------------------------------------------------------------------- the build
def test_every_page_is_built_and_the_site_is_small(site):
    expected = ["index.html", "instructors.html", "notation.html", "datasets.html", "api.html",
                *map(lesson_page, LESSONS)]
    missing = [p for p in expected if not (site / p).is_file()]
    assert not missing, f"pages missing: {missing}"
    assert len(LESSONS) == 8
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    assert size <= MAX_BYTES, f"the site is {size / 2**20:.1f} MiB, more than 30 MiB"


def test_home_page_links_every_lesson_and_reference_page(site):
    text = page_text(site, "index.html")
    for name in LESSONS:
        assert f'href="{lesson_page(name)}"' in text, f"home page does not link {name}"
    for name in ("instructors.html", "notation.html", "datasets.html", "api.html"):
        assert f'href="{name}' in text
    assert "Course map" in text


def test_solutions_are_folded_and_their_markers_gone(site):
    import nbformat

    for name in LESSONS:
        text = page_text(site, lesson_page(name))
        assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text, name
        nb = nbformat.read(REPO / "solutions" / name, as_version=4)
        details = re.findall(r"<details.*?</details>", text, flags=re.S)
        folded = " ".join(details)
        answers = [c for c in nb.cells if "### BEGIN SOLUTION" in c.source]
        assert len(re.findall(r"Show solution", text)) >= len(answers), name
        for cell in answers:
            for line in solution_lines(cell.source):
                if cell.cell_type == "code":
                    # highlighted code is split into spans: compare a plain word of the line
                    word = max(re.findall(r"[A-Za-z_]{4,}", line) or [""], key=len)
                    assert word in re.sub(r"<[^>]+>", "", folded), f"{name}: {line!r} not folded"
                else:
                    assert "Show solution" in text


def test_check_feedback_is_folded_because_it_explains_the_answer(site):
    """A solved check's feedback gives the answer away ("right, and not obvious: the larger
    district moves ..."): seen open on lesson 01's page above the explorer it asks about."""
    from hiertools.site import FEEDBACK_SHOW

    for name in LESSONS:
        text = page_text(site, lesson_page(name))
        boxes = text.count('class="ht-feedback')
        if not boxes:
            continue
        details = re.findall(r"<details.*?</details>", text, flags=re.S)
        outside = re.sub(r"<details.*?</details>", "", text, flags=re.S)
        assert 'class="ht-feedback' not in outside, f"{name}: a check's feedback is not folded"
        assert sum(d.count('class="ht-feedback') for d in details) == boxes, name
        assert html.unescape(text).count(FEEDBACK_SHOW) == boxes, name


def test_lesson_pages_link_the_student_notebook_and_the_launch_options(site):
    for name in LESSONS:
        text = page_text(site, lesson_page(name))
        downloads = re.findall(r'href="([^"]*_downloads/[^"]+)"', text)
        assert downloads, f"{name}: no download link"
        target = (site / "lessons" / unquote(downloads[0])).resolve()
        assert target.name == name
        assert target.read_bytes() == (REPO / "lessons" / name).read_bytes()
        binder = ("https://mybinder.org/v2/gh/example-org/partial-pooling/HEAD"
                  f"?urlpath=lab/tree/lessons/{name}")
        assert f'href="{binder}"' in text, f"{name}: no Binder link"
        assert ("repo=https%3A%2F%2Fgithub.com%2Fexample-org%2Fpartial-pooling&amp;branch=main"
                f"&amp;urlpath=lab%2Ftree%2Fpartial-pooling%2Flessons%2F{name}") in text


def test_datasets_page_comes_from_the_registry(site):
    registry = json.loads((REPO / "hiertools" / "datasets" / "registry.json").read_text())
    text = page_text(site, "datasets.html")
    for name, info in registry.items():
        assert info["sha256"] in text, f"{name}: checksum missing"
        assert f'id="dataset-{name.replace("_", "-")}"' in text


def test_api_page_documents_every_public_name(site):
    import hiertools

    text = page_text(site, "api.html")
    missing = [n for n in hiertools.__all__ if f'id="hiertools.{n}"' not in text]
    assert not missing, f"not in the API reference: {missing}"
    assert "math notranslate" in text  # the docstrings' formulas are rendered as math


def test_every_page_states_the_licences_in_its_footer(site):
    for page in site.rglob("*.html"):
        if page.parent.name == "_static":  # the theme's template fragments, not pages
            continue
        text = page.read_text(encoding="utf-8")
        assert "CC BY 4.0" in text and "MIT" in text, f"{page.name}: no licence in the footer"


def test_stored_figures_are_opaque_so_dark_mode_keeps_them_legible(site):
    from PIL import Image

    pictures = sorted((site / "_images").glob("*.png"))
    assert pictures
    for picture in pictures:
        with Image.open(picture) as im:
            alpha = im.convert("RGBA").getchannel("A")
            assert alpha.getextrema()[0] == 255, f"{picture.name} has transparent pixels"


def test_nothing_on_the_site_is_loaded_from_another_host_by_its_html(site):
    """Scripts, styles, fonts and images are all local (the browser test watches requests too)."""
    pattern = re.compile(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="(https?:)?//', re.I)
    for page in site.rglob("*.html"):
        match = pattern.search(page.read_text(encoding="utf-8"))
        assert not match, f"{page.relative_to(site)} loads {match.group(0)}"
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert (site / "_static" / "mathjax" / "LICENSE").is_file()


# --------------------------------------------------------------------------- repo files
def test_notation_page_names_only_lessons_that_exist():
    text = (REPO / "book" / "notation.md").read_text(encoding="utf-8")
    links = re.findall(r"\[(?:\d\d|appendix)[^\]]*\]\(", text)
    named = set(re.findall(r"\b(\d\d)\b", " ".join(links)))
    named |= set(re.findall(r"lessons/(\d\d)_", text))
    numbers = {n[:2] for n in LESSONS if n[:2].isdigit()}
    assert named, "the notation page names no lesson"
    assert named <= numbers, f"lessons named but missing: {named - numbers}"
    for link in re.findall(r"\]\((lessons/[^)#]+)", text):
        assert (REPO / "solutions" / Path(link).with_suffix(".ipynb").name).is_file(), link
    rows = [line for line in text.splitlines() if line.startswith("| $")]
    assert len(rows) >= 20, "the notation table lists fewer than 20 symbols"


def test_citation_file_is_valid_cff():
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):
        assert cff.get(key), f"CITATION.cff lacks {key}"
    assert all(isinstance(a, dict) and (a.get("name") or a.get("family-names"))
               for a in cff["authors"])
    assert cff.get("license") in ("MIT", ["MIT", "CC-BY-4.0"], ["CC-BY-4.0", "MIT"])


def test_licence_files_and_readme_state_the_licences():
    assert "MIT License" in (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "Attribution 4.0" in (REPO / "LICENSE-text.md").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "python -m hiertools site" in readme and "CC BY 4.0" in readme
    assert "CITATION.cff" in readme


def test_pages_workflow_builds_with_the_tested_command_and_deploys_main():
    flow = yaml.safe_load((REPO / ".github" / "workflows" / "site.yml").read_text())
    triggers = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert triggers["push"]["branches"] == ["main"]
    assert flow["permissions"]["pages"] == "write" and flow["permissions"]["id-token"] == "write"
    steps = [s for job in flow["jobs"].values() for s in job["steps"]]
    runs = " ".join(s.get("run", "") for s in steps)
    assert "python -m hiertools site --out _build/site" in runs
    assert 'pip install -e ".[site]"' in runs
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    for action in ("actions/checkout", "actions/setup-python", "actions/upload-pages-artifact",
                   "actions/deploy-pages"):
        assert action in uses, f"the workflow does not use {action}"
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/site"


# --------------------------------------------------------------------------- the browser
class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.ids.add(value)


@functools.lru_cache(maxsize=None)
def _ids(path: Path) -> frozenset:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return frozenset(parser.ids)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def browsed(site, browser):
    """Every page opened once in headless chromium; what it saw, per page."""
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                   if not p.relative_to(site).as_posix().startswith("_static/"))
    seen = {}
    try:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        for name in pages:
            page = context.new_page()
            requests, errors = [], []
            page.on("request", lambda r, out=requests: out.append(r.url))
            page.on("pageerror", lambda e, out=errors: out.append(str(e)))
            page.goto(base + name, wait_until="load", timeout=60_000)
            page.evaluate("""async () => {  // wait until MathJax has typeset the page
                if (!document.querySelector('.math')) return;
                for (let i = 0; i < 600 && !(window.MathJax && MathJax.startup
                     && MathJax.startup.promise); i++) await new Promise(r => setTimeout(r, 50));
                await MathJax.startup.promise;
            }""")
            info = page.evaluate("""() => ({
                images: [...document.images].map(i => ({src: i.currentSrc || i.src,
                    ok: i.complete && i.naturalWidth > 0,
                    alt: (i.getAttribute('alt') || '').trim()})),
                math: document.querySelectorAll('.math').length,
                untypeset: [...document.querySelectorAll('.math')].filter(
                    m => !m.querySelector('mjx-container') && !m.closest('mjx-container')
                         && m.tagName !== 'MJX-CONTAINER').length,
                raw: /\\\\\\(|\\\\\\[/.test(document.querySelector('main') ?
                    document.querySelector('main').innerText : ''),
                links: [...document.querySelectorAll('a[href]')].map(a => a.href),
            })""")
            slug = name.replace("/", "_").removesuffix(".html")
            page.screenshot(path=str(ARTIFACTS / f"{slug}-1280.png"))
            page.evaluate("document.documentElement.dataset.theme = 'dark'")
            first = page.query_selector(".cell_output img")
            if first:
                first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / f"{slug}-1280-dark.png"))
            page.evaluate("document.documentElement.dataset.theme = 'light'; window.scrollTo(0, 0)")
            page.set_viewport_size({"width": 390, "height": 844})
            page.wait_for_timeout(200)
            info["overflow"] = page.evaluate(
                "document.documentElement.scrollWidth - window.innerWidth")
            page.screenshot(path=str(ARTIFACTS / f"{slug}-390.png"))
            page.set_viewport_size({"width": 1280, "height": 900})
            info["requests"], info["errors"] = requests, errors
            seen[name] = info
            page.close()
        context.close()
    finally:
        server.shutdown()
        server.server_close()
    return {"base": base, "pages": seen, "site": site}


@pytest.mark.browser
def test_pages_request_nothing_but_localhost(browsed):
    foreign = {name: sorted({urlparse(u).netloc for u in info["requests"]
                             if urlparse(u).hostname not in ("127.0.0.1", "localhost")
                             and not u.startswith(("data:", "blob:"))})
               for name, info in browsed["pages"].items()}
    foreign = {k: v for k, v in foreign.items() if v}
    assert not foreign, f"pages asked other hosts: {foreign}"
    assert sum(len(i["requests"]) for i in browsed["pages"].values()) > len(browsed["pages"])


@pytest.mark.browser
def test_pages_raise_no_javascript_errors(browsed):
    errors = {k: v["errors"] for k, v in browsed["pages"].items() if v["errors"]}
    assert not errors


@pytest.mark.browser
def test_every_image_decodes(browsed):
    broken = {k: [i["src"] for i in v["images"] if not i["ok"]]
              for k, v in browsed["pages"].items()}
    assert not {k: v for k, v in broken.items() if v}
    assert sum(len(v["images"]) for v in browsed["pages"].values()) >= 40


@pytest.mark.browser
def test_every_math_element_is_typeset(browsed):
    pages = browsed["pages"]
    assert sum(v["math"] for v in pages.values()) > 100
    bad = {k: v["untypeset"] for k, v in pages.items() if v["untypeset"] or v["raw"]}
    assert not bad, f"math left as TeX: {bad}"


@pytest.mark.browser
def test_every_internal_link_resolves(browsed):
    site, base = browsed["site"], browsed["base"]
    broken = []
    for name, info in browsed["pages"].items():
        for href in info["links"]:
            if not href.startswith(base):
                continue
            url = urlparse(href)
            target = site / unquote(url.path[len(urlparse(base).path):])
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{name} -> {href}")
            elif (url.fragment and target.suffix == ".html"
                  and unquote(url.fragment) not in _ids(target)):
                broken.append(f"{name} -> {href} (no such anchor)")
    assert not broken, "\n".join(broken[:20])


@pytest.mark.browser
def test_no_page_scrolls_sideways_on_a_phone(browsed):
    wide = {k: v["overflow"] for k, v in browsed["pages"].items() if v["overflow"] > 1}
    assert not wide, f"pages wider than 390 px by: {wide}"


@pytest.mark.browser
def test_every_image_has_alt_text(browsed):
    """Figures' alt text comes from the notebook (cell metadata mystnb.image.alt)."""
    def described(image) -> bool:  # docutils puts the file's path in alt when none is given
        name = Path(urlparse(image["src"]).path).name
        return bool(image["alt"]) and name not in image["alt"] and not image["alt"].endswith(".png")

    missing = {k: [Path(urlparse(i["src"]).path).name for i in v["images"] if not described(i)]
               for k, v in browsed["pages"].items()}
    missing = {k: v for k, v in missing.items() if v}
    assert not missing, f"images without alt text: {missing}"


# --------------------------------------------------------------------------- explorers
def test_every_explorer_moves_on_its_page(site):
    import nbformat

    from hiertools.site import SLIDER_NOTE, explorer_name
    from hiertools.widgets import explorer_controls

    shown = []
    for name in LESSONS:
        nb = nbformat.read(REPO / "solutions" / name, as_version=4)
        explorers = [explorer_name(c) for c in nb.cells if explorer_name(c)]
        text = page_text(site, lesson_page(name))
        assert "application/vnd.jupyter.widget-view+json" not in text, name
        assert text.count(SLIDER_NOTE.split(":")[0]) == len(explorers), name
        for explorer in explorers:
            sliders = text.count(f'data-explorer="{explorer}"')
            assert sliders == 1, f"{name}: the {explorer} explorer is on the page {sliders} times"
            frames = sorted((site / "_static" / "explorers" / explorer).glob("*.png"))
            grids = explorer_controls(explorer).values()
            assert len(frames) == sum(len(c["grid"]) for c in grids), explorer
        shown += explorers
    assert sorted(shown) == ["pooling", "shrinkage", "slopes"]


@pytest.mark.browser
def test_each_slider_position_shows_the_notebook_explorers_figure_at_that_value(browsed,
                                                                              browser):
    """Move every slider of every explorer in chromium: the image shown at a position is,
    byte for byte, what explorer_frames renders at that value with the explorers' own
    compute and draw (tests/widgets prove those equal the notebook explorer's figure), its
    alt text says what the frame shows, and the value shown is the grid's."""
    site = browsed["site"]
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        _move_every_slider(browser, site, base)
    finally:
        server.shutdown()
        server.server_close()


def _move_every_slider(browser, site, base):
    from hiertools.widgets import explorer_controls, explorer_frames

    pages = {"pooling": "01_three_ways", "shrinkage": "03_shrinkage", "slopes": "06_varying_slopes"}
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        for explorer, lesson in pages.items():
            page.goto(f"{base}lessons/{lesson}.html", wait_until="load")
            controls = explorer_controls(explorer)
            figures = page.locator(f'[data-explorer="{explorer}"] .ht-explorer-control')
            assert figures.count() == len(controls), explorer
            for j, (control, spec) in enumerate(controls.items()):
                figure = figures.nth(j)
                slider = figure.locator('input[type="range"]')
                start = int(slider.get_attribute("value"))
                assert spec["grid"][start] == spec["default"], (explorer, control)
                last = len(spec["grid"]) - 1
                for k in sorted({0, last // 3, last, start}):
                    slider.focus()
                    slider.press("Home")
                    for _ in range(k):
                        slider.press("ArrowRight")
                    src = figure.locator("img").get_attribute("src")
                    alt = figure.locator("img").get_attribute("alt")
                    shown = (site / "lessons" / src).resolve().read_bytes()
                    png, expected_alt = explorer_frames(explorer, control, [spec["grid"][k]])[0]
                    assert shown == png, f"{explorer}/{control} at position {k}"
                    assert alt == expected_alt and len(alt.split()) >= 8
                    value = figure.locator("output").inner_text()
                    assert value == spec["format"].format(spec["grid"][k])
                    if k == last:
                        shot = ARTIFACTS / f"explorer-{explorer}-{control}.png"
                        figure.screenshot(path=str(shot))
    finally:
        page.close()


@pytest.mark.browser
@pytest.mark.browser
def test_explorer_captions_are_readable_in_light_and_dark_mode(site, browser):
    """Every explorer's label, value and help line against the background painted under it:
    WCAG AA (4.5:1) in the theme's light and dark mode.  (In dark mode the theme's muted grey
    caption on MyST-NB's light output box measured 1.5:1.)"""
    from tests import wcag

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    measure = """() => Array.from(document.querySelectorAll(
        '.ht-explorer-control figcaption label, .ht-explorer-control figcaption output,'
        + ' .ht-explorer-help'), el => {
            const layers = [];
            for (let e = el; e; e = e.parentElement)
                layers.push(getComputedStyle(e).backgroundColor);
            return {text: el.textContent.trim().slice(0, 40), color: getComputedStyle(el).color,
                    layers};
        })"""
    problems, measured = [], 0
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        for lesson in ("01_three_ways", "03_shrinkage", "06_varying_slopes"):
            page.goto(f"{base}lessons/{lesson}.html", wait_until="load")
            for theme in ("light", "dark"):
                page.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
                page.wait_for_timeout(100)
                for item in page.evaluate(measure):
                    background = (255.0, 255.0, 255.0) if theme == "light" else (18.0, 18.0, 18.0)
                    for layer in reversed(item["layers"]):  # page first, innermost last
                        background = wcag.composite(wcag.parse_color(layer), background)
                    ratio = wcag.contrast(wcag.parse_color(item["color"]), background)
                    measured += 1
                    if ratio < wcag.AA_NORMAL_TEXT:
                        problems.append(f"{lesson} {theme}: {item['text']!r} {ratio:.1f}:1")
                page.locator(".ht-explorer").first.screenshot(
                    path=str(ARTIFACTS / f"explorer-caption-{lesson}-{theme}.png"))
        page.close()
    finally:
        server.shutdown()
        server.server_close()
    # two themes x (label + value for each of the 8 sliders + the 4 help lines)
    assert measured == 2 * (2 * 8 + 4), f"{measured} caption texts measured, not 40"
    assert not problems, "explorer captions below 4.5:1:\n" + "\n".join(problems)


def test_explorer_html_writes_a_frame_per_value_and_starts_at_the_default(tmp_path):
    """explorer_html on made-up frames: one file per value, the default shown first."""
    import html as html_lib
    import io

    from PIL import Image

    from hiertools.site import explorer_html

    def png(shade):
        buffer = io.BytesIO()
        Image.new("RGB", (4, 3), (shade, shade, shade)).save(buffer, format="PNG")
        return buffer.getvalue()

    grid = [0.0, 0.5, 1.0, 1.5]
    controls = {"tau": {"label": "τ", "default": 1.0, "grid": grid, "format": "{:.1f}"}}
    frames = {"tau": [(png(10 * k), f"shrinkage at tau = {v}") for k, v in enumerate(grid)]}
    out = explorer_html("shrinkage", controls, frames, tmp_path)
    written = sorted((tmp_path / "explorers" / "shrinkage").glob("*.png"))
    assert [p.name for p in written] == [f"tau-{k:02d}.png" for k in range(4)]
    assert written[3].read_bytes() == frames["tau"][3][0]
    assert 'src="../_static/explorers/shrinkage/tau-02.png"' in out  # the default, 1.0
    assert 'alt="shrinkage at tau = 1.0"' in out and 'value="2"' in out and 'max="3"' in out
    data = json.loads(html_lib.unescape(re.search(r'data-frames="([^"]+)"', out)[1]))
    assert [d["value"] for d in data] == ["0.0", "0.5", "1.0", "1.5"]
    assert 'class="ht-explorer-help"' not in out  # no help given, no empty line

    controls["tau"]["help"] = "τ: the SD of the true group <means>"
    out = explorer_html("shrinkage", controls, frames, tmp_path)
    assert '<span class="ht-explorer-help">τ: the SD of the true group &lt;means&gt;</span>' in out


def test_every_slider_without_a_self_explaining_label_says_what_it_sets():
    """The website prints a control's help under its slider: the pooling and shrinkage
    sliders ("trust w", "its n") mean nothing without it."""
    from hiertools.widgets import explorer_controls

    for name in ("pooling", "shrinkage"):
        for key, spec in explorer_controls(name).items():
            assert len(spec["help"].split()) >= 5, (name, key, spec["help"])
    assert "chosen group" in explorer_controls("shrinkage")["n"]["help"]
