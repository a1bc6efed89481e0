"""The course as a website: ``python -m hiertools site [--out DIR] [--serve]``.

Jupyter Book 1.x (Sphinx + MyST-NB) renders the *stored* outputs of ``solutions/``;
nothing is executed.  The build works in two folders under the course folder's
``_build/`` (git-ignored, nothing generated is committed):

``_build/site-source/``
    what Sphinx reads, generated on every build: ``_config.yml`` and ``_toc.yml``,
    the home page (the README's introduction and course map), the eight notebooks
    (solution cells folded behind "Show solution", nbgrader markers removed, a
    "run this lesson" box under the title), the instructor guide, the notation page
    (copied from the maintained ``book/notation.md``), the datasets page (from
    ``hiertools/datasets/registry.json``) and the API reference (autodoc of the
    names in ``hiertools.__all__``), plus the site's CSS and JavaScript from ``book/``
    and a trimmed copy of MathJax 3 (from the ``django-static-mathjax`` package).
``_build/site/`` (or ``--out DIR``)
    the HTML: open ``index.html``, copy the folder to any static host or a USB stick.

Every page is served by the site itself: MathJax, the theme's fonts and icons are
local and the ipywidgets JavaScript (which MyST-NB loads from a CDN) is turned off,
so a stored explorer view shows the picture stored beside it.

Explorers: a stored explorer view shows its stored picture and a note on where it moves.
When ``hiertools.widgets`` provides ``explorer_controls(name)`` and
``explorer_frames(name, control)``, each explorer becomes a slider per control over frames
rendered at build time by those functions (`explorer_html`, ``book/_static/explorer.js``).

The repository's address (for Binder and nbgitpuller links) is set in one place,
``[project.urls] Repository`` of ``pyproject.toml``; a GitHub Actions build that
lacks it uses the repository it runs in (``GITHUB_REPOSITORY``).  Without either,
lessons link to their student notebook only.
"""

from __future__ import annotations

import copy
import functools
import http.server
import importlib.util
import inspect
import json
import os
import re
import shutil
import sys
import time
from html import escape
from pathlib import Path
from urllib.parse import quote

import hiertools

from . import widgets
from .build import BEGIN, END, is_answer_cell, repo_root

#: The default output folder, relative to the course folder.
DEFAULT_OUT = Path("_build") / "site"
#: Where the generated Sphinx sources go, relative to the course folder.
SOURCE_DIR = Path("_build") / "site-source"
#: The maintained sources of the site that are not notebooks (notation page, CSS, JS).
BOOK_DIR = "book"
#: Branch that Binder and nbgitpuller open.
BRANCH = "main"
#: The MathJax 3 files the site serves: the TeX-to-HTML component, the TeX extensions
#: it loads on demand, the web fonts it draws with, and the licence.
MATHJAX_FILES = ["es5/tex-chtml.js", "es5/input/tex/extensions", "es5/output/chtml/fonts/woff-v2",
                 "LICENSE"]
SOLUTION_SHOW, SOLUTION_HIDE = "Show solution", "Hide solution"
#: The stored feedback of a solved exercise's check explains the answer ("right, and not
#: obvious: the larger district moves ..."), so it is folded too.
FEEDBACK_SHOW, FEEDBACK_HIDE = "Show the check's feedback", "Hide the check's feedback"
_CHECK_CALL = re.compile(r"\bht\.check\(")
TITLE = "Partial Pooling"
FOOTER = ('Course text: <a href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>. '
          'Code: MIT. Cite it with the repository\'s <code>CITATION.cff</code>.')


class SiteError(RuntimeError):
    """The site could not be built (a missing tool, or Sphinx reported warnings)."""


# --------------------------------------------------------------------------- the address
def repository_url(root: Path) -> str | None:
    """The repository's address: pyproject's ``[project.urls] Repository``, else GitHub's.

    Returns None when neither is known (a local build of an unpublished clone).
    """
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = None
    if tomllib is not None:
        urls = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8")
                             ).get("project", {}).get("urls", {})
        for key, value in urls.items():
            if key.lower() in ("repository", "source", "source code"):
                return value.rstrip("/").removesuffix(".git")
    github = os.environ.get("GITHUB_REPOSITORY")
    return f"https://github.com/{github}" if github else None


def launch_links(repository: str | None, notebook: str) -> dict:
    """Binder and nbgitpuller addresses for ``lessons/<notebook>`` of `repository`.

    >>> links = launch_links("https://github.com/someone/partial-pooling", "01_three_ways.ipynb")
    >>> links["binder"]
    'https://mybinder.org/v2/gh/someone/partial-pooling/HEAD?urlpath=lab/tree/lessons/01_three_ways.ipynb'
    >>> links["nbgitpuller_query"]
    'repo=https%3A%2F%2Fgithub.com%2Fsomeone%2Fpartial-pooling&branch=main&urlpath=lab%2Ftree%2Fpartial-pooling%2Flessons%2F01_three_ways.ipynb'
    >>> launch_links(None, "01_three_ways.ipynb")
    {}
    """
    if not repository:
        return {}
    name = repository.rstrip("/").rsplit("/", 1)[-1]
    links = {"repository": repository}
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+)", repository)
    if match:
        links["binder"] = (f"https://mybinder.org/v2/gh/{match[1]}/{match[2]}/HEAD"
                           f"?urlpath=lab/tree/lessons/{notebook}")
    urlpath = quote(f"lab/tree/{name}/lessons/{notebook}", safe="")
    links["nbgitpuller_query"] = (f"repo={quote(repository, safe='')}&branch={BRANCH}"
                                  f"&urlpath={urlpath}")
    return links


# --------------------------------------------------------------------------- notebooks
def _fence(text: str, char: str = ":") -> str:
    """A MyST directive fence longer than any run of `char` in `text`."""
    longest = max((len(m) for m in re.findall(f"{re.escape(char)}+", text)), default=0)
    return char * max(3, longest + 1)


def fold_markdown_solution(source: str) -> str:
    """Markdown with each BEGIN/END SOLUTION block folded into a "Show solution" dropdown.

    >>> print(fold_markdown_solution("Why?\\n### BEGIN SOLUTION\\nBecause.\\n### END SOLUTION"))
    Why?
    :::{dropdown} Show solution
    Because.
    :::
    """
    out, block, inside = [], [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker == BEGIN:
            inside, block = True, []
        elif marker == END:
            fence = _fence("\n".join(block))
            out += [f"{fence}{{dropdown}} {SOLUTION_SHOW}", *block, fence]
            inside = False
        elif inside:
            block.append(line)
        else:
            out.append(line)
    return "\n".join(out)


def strip_markers(source: str) -> str:
    """Code without nbgrader's BEGIN/END SOLUTION lines (the solution code stays)."""
    return "\n".join(line for line in source.splitlines() if line.strip() not in (BEGIN, END))


def _launch_cell(nbformat, repository: str | None, notebook: str):
    links = launch_links(repository, notebook)
    lines = [":::{admonition} Run this lesson yourself",
             ":class: tip run-this-lesson",
             "This page shows the solved lesson, each solution folded under its exercise. "
             "The student version has the exercises open for you to fill in:",
             "",
             f"- {{download}}`Download the student notebook <../student/{notebook}>` "
             f"(`lessons/{notebook}`) and open it in JupyterLab "
             "(`python -m hiertools lab`, see the home page)."]
    if "binder" in links:
        lines.append(f"- [Launch it on Binder]({links['binder']}) (free, in your browser; "
                     "the first start takes a few minutes).")
    if "nbgitpuller_query" in links:
        lines += ["- Open it on your own JupyterHub (nbgitpuller): give the hub's address, "
                  "e.g. `https://hub.example.org`.",
                  "",
                  '  <form class="nbgitpuller-launch" '
                  f'data-query="{escape(links["nbgitpuller_query"])}">'
                  '<label>JupyterHub address <input type="url" name="hub" required '
                  'placeholder="https://hub.example.org"></label> '
                  '<button type="submit">Open on my hub</button></form>']
    lines.append(":::")
    return nbformat.v4.new_markdown_cell("\n".join(lines))


def site_notebook(nb, notebook: str, repository: str | None = None,
                  static: Path | None = None):
    """The notebook as the website shows it; `nb` is not changed.

    Solution cells (nbgrader ``solution: true`` or the BEGIN/END SOLUTION markers)
    are folded: code cells lose the marker lines and hide behind "Show solution"
    (MyST-NB's ``hide-cell``), markdown answers go into a dropdown.  The output of every
    ``ht.check(...)`` cell (the solved answer's feedback, which explains it) is folded
    behind "Show the check's feedback" (``hide-output``).  A "run this
    lesson" box follows the title cell.
    """
    import nbformat

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.cell_type == "code" and _CHECK_CALL.search(cell.source) and cell.get("outputs"):
            tags = cell.metadata.setdefault("tags", [])
            if "hide-output" not in tags:
                tags.append("hide-output")
            options = cell.metadata.setdefault("mystnb", {})
            options["code_prompt_show"], options["code_prompt_hide"] = FEEDBACK_SHOW, FEEDBACK_HIDE
        if not is_answer_cell(cell):
            continue
        if cell.cell_type == "code":
            cell.source = strip_markers(cell.source)
            tags = cell.metadata.setdefault("tags", [])
            if "hide-cell" not in tags:
                tags.append("hide-cell")
            options = cell.metadata.setdefault("mystnb", {})
            options["code_prompt_show"], options["code_prompt_hide"] = SOLUTION_SHOW, SOLUTION_HIDE
        elif BEGIN in cell.source:
            cell.source = fold_markdown_solution(cell.source)
        else:  # a stripped answer cell: fold it whole
            fence = _fence(cell.source)
            cell.source = f"{fence}{{dropdown}} {SOLUTION_SHOW}\n{cell.source}\n{fence}"
    for index in reversed(range(len(nb.cells))):
        name = explorer_name(nb.cells[index])
        if name:
            moving = _explorer_outputs(nb.cells[index], name, static)
            nb.cells.insert(index + 1, nbformat.v4.new_markdown_cell(
                f"*{SLIDER_NOTE if moving else EXPLORER_NOTE}*"))
    title = next((i for i, c in enumerate(nb.cells)
                  if c.cell_type == "markdown" and c.source.lstrip().startswith("# ")), 0)
    nb.cells.insert(title + 1, _launch_cell(nbformat, repository, notebook))
    nb.metadata.pop("widgets", None)  # the widget state is for JupyterLab, not for this page
    return nb


# --------------------------------------------------------------------------- explorers
_WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
_EXPLORER_CALL = re.compile(r"\b(\w+)_explorer\(")
EXPLORER_NOTE = ("On this page the explorer above is a picture of its first view. In JupyterLab "
                 "(`python -m hiertools lab`) or on Binder (see *Run this lesson yourself* at the "
                 "top) its sliders move it.")
SLIDER_NOTE = ("Move the slider: each position shows the figure the notebook's explorer draws at "
               "that value, the other controls at their defaults. For every slider at once, open "
               "the lesson in JupyterLab or on Binder (see *Run this lesson yourself*).")


def explorer_name(cell) -> str | None:
    """The explorer a code cell shows (``pooling`` for ``ht.pooling_explorer()``), if any."""
    if cell.cell_type != "code":
        return None
    stored = any(_WIDGET_VIEW in out.get("data", {}) for out in cell.get("outputs", []))
    match = _EXPLORER_CALL.search(cell.source)
    return match[1] if stored and match else None


def explorer_html(name: str, controls: dict, frames: dict, static: Path) -> str:
    """A slider per control that swaps pre-rendered frames: the static page's explorer.

    `controls` is ``explorer_controls(name)`` ({control: {"label", "default", "grid",
    "format", "help"}}, the format a ``str.format`` template such as ``"{:.2f}"``, the
    optional help a sentence printed under the slider: the figure alone does not say
    what e.g. "its n" sets); `frames` maps each control to
    ``explorer_frames(name, control)``, a list of (PNG bytes, alt text) in grid order.  The
    PNGs are written under `static`
    (``_static/explorers/<name>/``); the returned HTML is a notebook output for a page
    in ``lessons/``, run by ``book/_static/explorer.js``.
    """
    folder = static / "explorers" / name
    folder.mkdir(parents=True, exist_ok=True)
    parts = [f'<div class="ht-explorer" data-explorer="{escape(name)}">']
    for control, spec in controls.items():
        grid, shown = list(spec["grid"]), frames[control]
        if len(shown) != len(grid):
            raise SiteError(f"{name} explorer: {len(shown)} frames for {len(grid)} values of "
                            f"{control}")
        start = min(range(len(grid)), key=lambda k: abs(grid[k] - spec["default"]))
        entries = []
        for k, (png, alt) in enumerate(shown):
            (folder / f"{control}-{k:02d}.png").write_bytes(png)
            entries.append({"src": f"../_static/explorers/{name}/{control}-{k:02d}.png",
                            "alt": alt, "value": spec.get("format", "{:g}").format(grid[k])})
        first = entries[start]
        data = escape(json.dumps(entries))
        parts += [f'<figure class="ht-explorer-control" data-frames="{data}">',
                  f'<img src="{first["src"]}" alt="{escape(first["alt"])}">',
                  f'<figcaption><label>{escape(spec["label"])} <input type="range" min="0" '
                  f'max="{len(grid) - 1}" step="1" value="{start}"></label> '
                  f'<output>{escape(first["value"])}</output>'
                  + (f'<span class="ht-explorer-help">{escape(spec["help"])}</span>'
                     if spec.get("help") else "")
                  + '</figcaption></figure>']
    parts.append("</div>")
    return "\n".join(parts)


def _explorer_outputs(cell, name: str, static: Path | None) -> bool:
    """Replace the stored widget view by moving frames when the widgets can draw them.

    The hook for ``hiertools.widgets.explorer_controls`` / ``explorer_frames`` (the
    explorers' compute-and-draw split); until they exist, the cell keeps its stored
    picture and this returns False.
    """
    controls_of = getattr(widgets, "explorer_controls", None)
    frames_of = getattr(widgets, "explorer_frames", None)
    if static is None or controls_of is None or frames_of is None:
        return False
    controls = controls_of(name)
    frames = {control: frames_of(name, control) for control in controls}
    html = explorer_html(name, controls, frames, static)
    import nbformat

    cell.outputs = [nbformat.v4.new_output(
        "display_data", data={"text/html": html, "text/plain": f"<{name} explorer>"})]
    return True


# --------------------------------------------------------------------------- pages
def home_page(readme: str) -> str:
    """The home page: the README's introduction, its set-up and its course map."""
    sections = re.split(r"(?m)^(?=## )", readme)
    keep = [sections[0]] + [s for s in sections[1:]
                            if s.startswith(("## Start", "## Course map"))]
    text = "".join(keep).rstrip() + "\n"
    text = text.replace("](INSTRUCTORS.md)", "](instructors.md)")
    text += (
        "\n## On this site\n\n"
        "- The eight notebooks above, solved, with each solution folded under its exercise.\n"
        "- [The instructor guide](instructors.md): timings, misconceptions, room set-up.\n"
        "- [Notation](notation.md): every symbol of the course, where it first appears and where "
        "a later lesson uses it differently.\n"
        "- [Datasets](datasets.md): what each shipped dataset is, its source, licence and "
        "checksum.\n"
        "- [API reference](api.md): every public function of `hiertools`, with its formula "
        "and an example.\n\n"
        "## Licence and citation\n\n"
        "The course text is under [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/), "
        "the code under the MIT licence; the datasets keep their own licences (see "
        "[Datasets](datasets.md)). To cite the course, use the repository's "
        "`CITATION.cff`.\n")
    return text


def instructors_page(text: str) -> str:
    return text


def _md_cell(text) -> str:
    """Text for a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def datasets_page(registry: dict) -> str:
    """The datasets page, from the registry (hiertools/datasets/registry.json)."""
    lines = ["# Datasets", "",
             "Every dataset ships inside `hiertools` (`ht.load(name)` reads it offline and "
             "verifies its SHA-256). `ht.dataset_info(name)` gives the same information in "
             "a notebook.", "",
             "| name | title | rows | licence |", "|---|---|---|---|"]
    for name, info in registry.items():
        lines.append(f"| [`{name}`](#dataset-{name.replace('_', '-')}) | "
                     f"{_md_cell(info.get('title', ''))} | {info.get('rows', '')} | "
                     f"{_md_cell(info.get('license', ''))} |")
    for name, info in registry.items():
        lines += ["", f"(dataset-{name.replace('_', '-')})=",
                  f"## `{name}`: {info.get('title', '')}", "",
                  info.get("description", ""), "",
                  f"**Load it:** `ht.load(\"{name}\")` ({info.get('rows', '?')} rows)", "",
                  "| column | meaning |", "|---|---|"]
        for column, meaning in info.get("columns", {}).items():
            lines.append(f"| `{column}` | {_md_cell(meaning)} |")
        lines += ["", f"**Source:** {info.get('source', '')}", "",
                  f"**Licence:** {info.get('license', '')}", "",
                  f"**SHA-256:** `{info.get('sha256', '')}`"]
        if info.get("references"):
            lines += ["", "**References:**", ""]
            lines += [f"- {ref}" for ref in info["references"]]
    return "\n".join(lines) + "\n"


#: API reference sections: module of the object -> heading, in the course's order.
API_SECTIONS = [
    ("hiertools.data", "Data"),
    ("hiertools.pooling", "Pooling (lesson 01)"),
    ("hiertools.shrinkage", "Shrinkage (lesson 03)"),
    ("hiertools.empirical_bayes", "Empirical Bayes (lesson 04)"),
    ("hiertools.bayes", "Fully Bayesian (lesson 05)"),
    ("hiertools.mixed", "Mixed models (lessons 02 and 06)"),
    ("hiertools.slopes", "Varying slopes (lesson 06)"),
    ("hiertools.rates", "Rates from counts (lesson 07)"),
    ("hiertools.rates_bayes", "Rates from counts (lesson 07)"),
    ("hiertools.plots", "Figures"),
    ("hiertools.widgets", "Explorers"),
    ("hiertools.exercises", "Exercise checks"),
]


def api_page() -> str:
    """The API reference: autodoc of every name in ``hiertools.__all__``, by topic."""
    groups: dict[str, list[str]] = {heading: [] for _, heading in API_SECTIONS}
    for name in hiertools.__all__:
        obj = getattr(hiertools, name)
        module = getattr(obj, "__module__", "")
        heading = next((h for prefix, h in API_SECTIONS
                        if module == prefix or module.startswith(prefix + ".")), None)
        if heading is None:
            raise SiteError(f"hiertools.{name} (module {module}) has no section in "
                            "hiertools/site.py API_SECTIONS; add one")
        groups[heading].append(name)
    lines = ["# API reference", "",
             "Every public name of `hiertools` (`import hiertools as ht`), from its docstring: "
             "what it computes, the formula in its Notes and an example that runs.", "",
             "```{eval-rst}", ".. module:: hiertools", "   :no-index:", "",
             ".. currentmodule:: hiertools", "```"]
    for heading, names in groups.items():
        if not names:
            continue
        lines += ["", f"## {heading}", "", "```{eval-rst}"]
        for name in names:
            obj = getattr(hiertools, name)
            if inspect.isclass(obj):
                lines += [f".. autoclass:: {name}", "   :members:", ""]
            else:
                lines += [f".. autofunction:: {name}", ""]
        lines.append("```")
    lines += ["", "## Explorers, computed apart from drawing", "",
              "Each explorer is a compute function (slider values to a frame: arrays, readout, "
              "alt text), a draw function (a frame onto an Axes) and a thin ipywidgets shell; the "
              "website's frames come from `explorer_frames`, with the same two functions.", "",
              "```{eval-rst}", ".. currentmodule:: hiertools.widgets", ""]

    for name in widgets.__all__:
        if name not in hiertools.__all__:
            lines += [f".. autofunction:: hiertools.widgets.{name}", ""]
    for module, frame in (("pooling", "PoolingFrame"), ("shrinkage", "ShrinkageFrame"),
                          ("slopes", "SlopesFrame")):
        lines += [f".. autoclass:: hiertools.widgets.{module}.{frame}", ""]
    lines += [".. autofunction:: hiertools.pooling.normal_funnel_limits", "", "```"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- Sphinx hooks
_FOOTNOTE = re.compile(r"\[(\d+)\](?=_)|(?<=\.\. )\[(\d+)\]")


def number_footnotes(app, what, name, obj, options, lines) -> None:
    """Make a docstring's numbered references (``[1]_``, ``.. [1]``) unique on its page.

    numpydoc's References sections number from 1 in every docstring; on the API page
    they share one document, where a second ``[1]`` is a duplicate target.  Each
    becomes an auto-numbered footnote named after its function (``[#plot_x-1]``).

    >>> lines = ["See [1]_.", "", ".. [1] Gelman, A. (2007)."]
    >>> number_footnotes(None, "function", "hiertools.plot_x", None, None, lines)
    >>> lines
    ['See [#plot_x-1]_.', '', '.. [#plot_x-1] Gelman, A. (2007).']
    """
    short = name.rsplit(".", 1)[-1]
    for i, line in enumerate(lines):
        lines[i] = _FOOTNOTE.sub(lambda m: f"[#{short}-{m[1] or m[2]}]", line)


def _serve_mathjax(app, config) -> None:
    # MathJax's files join the static files here, not in _config.yml: Jupyter Book adds a
    # <script> for every .js file of the static paths it is given, MathJax's extensions too.
    config.html_static_path.append(str(Path(app.srcdir) / "_mathjax"))


def _unique_scripts(app, pagename, templatename, context, doctree) -> None:
    # Jupyter Book sets up sphinx-thebe and sphinx-togglebutton twice, so their inline
    # <script>s appear twice; a repeated `const THEBE_JS_URL` is a JavaScript error.
    seen, unique = set(), []
    for script in context.get("script_files", []):
        attributes = getattr(script, "attributes", None) or {}
        key = (getattr(script, "filename", script) or "",
               tuple(sorted((k, str(v)) for k, v in attributes.items() if v is not None)))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique


def setup(app):
    """Sphinx extension hooks of the course site (``hiertools.site`` in extensions)."""
    app.connect("html-page-context", _unique_scripts, priority=900)
    app.connect("autodoc-process-docstring", number_footnotes)
    app.connect("config-inited", _serve_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# --------------------------------------------------------------------------- the book
def book_config(repository: str | None) -> dict:
    """Jupyter Book's ``_config.yml`` for the site."""
    return {
        "title": TITLE,
        "author": "the Partial Pooling authors",
        "copyright": f"{time.gmtime().tm_year}",
        "only_build_toc_files": True,
        "exclude_patterns": ["student/*", "_mathjax/*"],
        "execute": {"execute_notebooks": "off"},
        "parse": {"myst_enable_extensions": ["colon_fence", "dollarmath", "substitution",
                                             "tasklist"],
                  "myst_url_schemes": ["mailto", "http", "https"]},
        "html": {"use_multitoc_numbering": False, "extra_footer": FOOTER,
                 "home_page_in_navbar": True,
                 "use_repository_button": bool(repository)},
        "repository": {"url": repository or "", "branch": BRANCH},
        "launch_buttons": {"binderhub_url": "", "jupyterhub_url": "", "thebe": False},
        "sphinx": {
            "extra_extensions": ["sphinx.ext.autodoc", "sphinx.ext.napoleon", "hiertools.site"],
            "config": {
                "nitpicky": True,
                # numpy, pandas and matplotlib types in docstrings cannot link offline (no
                # intersphinx inventories are fetched): they show as plain names.
                "nitpick_ignore_regex": [
                    ["py:class", r"(numpy|pandas|matplotlib|scipy|ipywidgets)\..+"]],
                "html_copy_source": False,
                "html_show_sourcelink": False,
                "mathjax_path": "mathjax/tex-chtml.js",
                # ipywidgets' JavaScript comes from a CDN: off. A stored explorer view then
                # shows the PNG stored beside it (widget views are dropped for HTML).
                "nb_ipywidgets_js": {},
                "nb_mime_priority_overrides": [
                    ["html", "application/vnd.jupyter.widget-view+json", None],
                    ["html", "application/vnd.jupyter.widget-state+json", None],
                ],
                "nb_merge_streams": True,
                "napoleon_numpy_docstring": True,
                "napoleon_google_docstring": False,
                "napoleon_use_param": False,
                "napoleon_use_rtype": False,
                "autodoc_typehints": "none",
                "autodoc_member_order": "bysource",
                # the theme's options in full (this dict replaces the one Jupyter Book makes
                # from the html: and repository: sections above)
                "html_theme_options": {"use_download_button": False,
                                       "use_fullscreen_button": False,
                                       "extra_footer": FOOTER,
                                       "home_page_in_toc": True,
                                       "repository_url": repository or "",
                                       "repository_branch": BRANCH,
                                       "use_repository_button": bool(repository),
                                       "search_bar_text": "Search the course...",
                                       "launch_buttons": {}},
                "version": hiertools.__version__,
            },
        },
    }


def toc(lessons: list[str]) -> dict:
    return {"format": "jb-book", "root": "index",
            "parts": [{"caption": "Lessons", "chapters": [{"file": f"lessons/{Path(n).stem}"}
                                                          for n in lessons]},
                      {"caption": "Reference", "chapters": [{"file": "instructors"},
                                                            {"file": "notation"},
                                                            {"file": "datasets"},
                                                            {"file": "api"}]}]}


def _copy_mathjax(dest: Path) -> None:
    """Copy the MathJax files the site needs into `dest`/mathjax (once per version)."""
    spec = importlib.util.find_spec("mathjax")
    if spec is None or spec.origin is None:
        raise SiteError("MathJax is missing: pip install -e \".[site]\" (the "
                        "django-static-mathjax package ships it)")
    source = Path(spec.origin).parent / "static" / "mathjax"
    stamp = dest / "mathjax" / ".version"
    version = json.loads((source / "package.json").read_text(encoding="utf-8"))["version"]
    if stamp.is_file() and stamp.read_text() == version:
        return
    shutil.rmtree(dest / "mathjax", ignore_errors=True)
    for item in MATHJAX_FILES:
        src = source / item
        target = dest / "mathjax" / item.removeprefix("es5/")
        if src.is_dir():
            shutil.copytree(src, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    stamp.write_text(version)


def _write(path: Path, text: str) -> None:
    """Write `text` unless the file already holds it (so Sphinx rebuilds only what changed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def stage(root: Path, source: Path, repository: str | None) -> list[str]:
    """Write the Sphinx sources of the site into `source`; returns the lesson notebooks."""
    import nbformat
    import yaml

    lessons = sorted(p.name for p in (root / "solutions").glob("*.ipynb"))
    lessons.sort(key=lambda n: (n.startswith("appendix"), n))
    for name in lessons:
        nb = nbformat.read(root / "solutions" / name, as_version=4)
        _write(source / "lessons" / name,
               nbformat.writes(site_notebook(nb, name, repository, source / "_static")))
        student = root / "lessons" / name
        if student.is_file():
            _write(source / "student" / name, student.read_text(encoding="utf-8"))
    _write(source / "index.md", home_page((root / "README.md").read_text(encoding="utf-8")))
    _write(source / "instructors.md",
           instructors_page((root / "INSTRUCTORS.md").read_text(encoding="utf-8")))
    registry = json.loads((root / "hiertools" / "datasets" / "registry.json")
                          .read_text(encoding="utf-8"))
    _write(source / "datasets.md", datasets_page(registry))
    _write(source / "api.md", api_page())
    book = root / BOOK_DIR
    _write(source / "notation.md", (book / "notation.md").read_text(encoding="utf-8"))
    for asset in sorted((book / "_static").glob("*")):
        _write(source / "_static" / asset.name, asset.read_text(encoding="utf-8"))
    _copy_mathjax(source / "_mathjax")
    _write(source / "_config.yml", yaml.safe_dump(book_config(repository), sort_keys=False))
    _write(source / "_toc.yml", yaml.safe_dump(toc(lessons), sort_keys=False))
    return lessons


def build_site(out: Path | str | None = None, *, root: Path | str | None = None,
               repository: str | None = None, quiet: bool = False) -> Path:
    """Build the website into `out` (default ``_build/site``); returns the folder.

    Warnings are errors (``-W -n --keep-going``): a broken link, a missing anchor or
    a docstring Sphinx cannot read fails the build, after reporting every problem.
    `repository` overrides the address from pyproject.toml (see `repository_url`).
    """
    try:
        from jupyter_book.sphinx import build_sphinx
    except ImportError as exc:
        raise SiteError('The site needs Jupyter Book: pip install -e ".[site]"') from exc
    root = Path(root) if root is not None else repo_root()
    out = Path(out) if out is not None else root / DEFAULT_OUT
    source = root / SOURCE_DIR
    repository = repository or repository_url(root)
    stage(root, source, repository)
    if not repository and not quiet:
        print("No repository address (pyproject.toml [project.urls] Repository): lessons "
              "link to their student notebook but not to Binder or a JupyterHub.",
              file=sys.stderr)
    # Sphinx writes into the source folder's html/ (MyST-NB puts its image files beside
    # the output folder, so this keeps them in _build/); the result is then copied to `out`.
    html = source / "html"
    status = build_sphinx(str(source), str(html.resolve()), path_config=str(source / "_config.yml"),
                          doctreedir=str((source / ".doctrees").resolve()), noconfig=True,
                          warningiserror=True, keep_going=True, quiet=quiet,
                          freshenv=True, force_all=True,
                          confoverrides={"nitpicky": True, "latex_individualpages": False})
    if status != 0:
        raise SiteError(f"the site build reported warnings or errors (status {status}); "
                        "see the messages above")
    _publish(html, out)
    return out


def _publish(html: Path, out: Path) -> None:
    """Copy the built `html` folder to `out`, replacing an earlier site there (only a site)."""
    if out.resolve() == html.resolve():
        return
    if out.exists():
        if any(out.iterdir()) and not (out / ".buildinfo").is_file():
            raise SiteError(f"{out} is not empty and holds no site built by this command; "
                            "choose another --out folder")
        shutil.rmtree(out)
    shutil.copytree(html, out)


def site_size(folder: Path) -> int:
    """Bytes of all files under `folder`."""
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def serve(folder: Path, port: int = 8000, host: str = "127.0.0.1") -> None:
    """Serve `folder` on http://host:port/ until Ctrl+C (localhost only by default)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        url = f"http://{host}:{server.server_address[1]}/"
        print(f"Serving the course site at {url} (only this computer can open it); "
              "stop with Ctrl+C.", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


def main(out: str | None = None, serve_it: bool = False, port: int = 8000) -> int:
    """The ``site`` command: build, report, and serve if asked."""
    start = time.perf_counter()
    try:
        folder = build_site(out, quiet=True)
    except SiteError as exc:
        print(f"site: {exc}", file=sys.stderr)
        return 1
    pages = len(list(folder.rglob("*.html")))
    print(f"Built {pages} pages into {folder} ({site_size(folder) / 1e6:.1f} MB) in "
          f"{time.perf_counter() - start:.0f} s; open {folder / 'index.html'}")
    if serve_it:
        serve(folder, port)
    return 0
