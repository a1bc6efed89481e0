"""Every figure of the lessons listed here carries alt text, written once in cell metadata.

The key path is MyST-NB's own cell option, ``metadata["mystnb"]["image"]["alt"]``, so the
notebook and the website say the same thing.  The alt text says what the figure shows a
reader (a sentence), not how it looks.  Lessons join the list as their alt text is written.
"""

import re

import nbformat
import pytest

from hiertools.build import repo_root

VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"

WITH_ALT_TEXT = ["01_three_ways.ipynb", "02_varying_intercepts.ipynb", "03_shrinkage.ipynb",
                 "04_empirical_bayes.ipynb", "05_fully_bayesian.ipynb",
                 "06_varying_slopes.ipynb", "07_ranking_hospitals.ipynb",
                 "appendix_coming_from_r.ipynb"]


def _shows_a_picture(output, state) -> bool:
    """An image/png output, or a widget view whose models hold an image (an explorer's frame)."""
    data = output.get("data", {})
    if "image/png" in data:
        return True
    seen, todo = set(), [data.get(VIEW, {}).get("model_id")]
    while todo:  # the view's model and every model it refers to
        model_id = todo.pop()
        if model_id in seen or model_id not in state:
            continue
        seen.add(model_id)
        if state[model_id].get("model_name") == "ImageModel":
            return True
        todo += re.findall(r"IPY_MODEL_([0-9a-f]{32})", str(state[model_id].get("state", {})))
    return False


def _figure_cells(nb):
    state = nb.metadata.get("widgets", {}).get(STATE, {}).get("state", {})
    return [c for c in nb.cells if c.cell_type == "code"
            and any(_shows_a_picture(o, state) for o in c.get("outputs", []))]


def test_a_widget_view_holding_an_image_is_a_figure():
    """A stored explorer counts even without an image/png fallback; a progress bar does not."""
    a, b, c = "a" * 32, "b" * 32, "c" * 32
    state = {a: {"model_name": "VBoxModel", "state": {"children": [f"IPY_MODEL_{b}"]}},
             b: {"model_name": "ImageModel", "state": {}},
             c: {"model_name": "HBoxModel", "state": {"children": []}}}
    view = {"data": {VIEW: {"model_id": a}, "text/plain": "<explorer>"}}
    bar = {"data": {VIEW: {"model_id": c}, "text/plain": "sampling"}}
    assert _shows_a_picture(view, state) and not _shows_a_picture(bar, state)
    assert _shows_a_picture({"data": {"image/png": "iVBOR"}}, {})
    assert not _shows_a_picture({"output_type": "stream", "text": "x"}, state)


@pytest.mark.parametrize("name", WITH_ALT_TEXT)
def test_every_figure_has_a_sentence_of_alt_text(name):
    for folder in ("solutions", "lessons"):
        nb = nbformat.read(repo_root() / folder / name, as_version=4)
        for cell in _figure_cells(nb):
            alt = cell.metadata.get("mystnb", {}).get("image", {}).get("alt", "")
            assert isinstance(alt, str) and len(alt.split()) >= 12 and alt.endswith("."), (
                f"{folder}/{name}: a figure without a sentence of alt text:\n{cell.source[:200]}")


def test_the_lessons_have_figures_to_describe():
    nb = nbformat.read(repo_root() / "solutions" / WITH_ALT_TEXT[0], as_version=4)
    assert len(_figure_cells(nb)) >= 4  # three figures and the explorer's stored picture
