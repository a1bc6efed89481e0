"""Every figure of the lessons listed here carries alt text, written once in cell metadata.

The key path is MyST-NB's own cell option, ``metadata["mystnb"]["image"]["alt"]``, so the
notebook and the website say the same thing.  The alt text says what the figure shows a
reader (a sentence), not how it looks.  Lessons join the list as their alt text is written.
"""

import nbformat
import pytest

from hiertools.build import repo_root

WITH_ALT_TEXT = ["01_three_ways.ipynb", "02_varying_intercepts.ipynb", "03_shrinkage.ipynb",
                 "04_empirical_bayes.ipynb", "05_fully_bayesian.ipynb",
                 "06_varying_slopes.ipynb", "07_ranking_hospitals.ipynb",
                 "appendix_coming_from_r.ipynb"]


def _figure_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"
            and any("image/png" in o.get("data", {}) for o in c.get("outputs", []))]


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
