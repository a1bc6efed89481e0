"""Every public name documents itself as numpydoc says, in numpydoc's order.

``help(ht.partial_pooling)`` should read like a short lecture that starts with how to call
the function: Parameters first, then Returns, Raises, See Also, Notes (the formula),
References and Examples (which run as doctests).
"""

import inspect
import re

import pytest

import hiertools as ht

# numpydoc's order of sections (numpydoc.readthedocs.io, "Sections")
ORDER = ["Parameters", "Attributes", "Returns", "Yields", "Receives", "Other Parameters",
         "Raises", "Warns", "Warnings", "See Also", "Notes", "References", "Examples"]
PUBLIC = [name for name in ht.__all__ if callable(getattr(ht, name))]


def sections(obj) -> list[str]:
    doc = inspect.getdoc(obj) or ""
    return re.findall(r"^([A-Z][A-Za-z ]+)\n-{3,}\s*$", doc, flags=re.M)


@pytest.mark.parametrize("name", PUBLIC)
def test_sections_are_known_and_in_numpydoc_order(name):
    found = sections(getattr(ht, name))
    unknown = [s for s in found if s not in ORDER]
    assert not unknown, f"{name}: unknown section(s) {unknown}"
    assert found == sorted(found, key=ORDER.index), f"{name}: sections in the order {found}"
    assert len(found) == len(set(found)), f"{name}: a section appears twice"


@pytest.mark.parametrize("name", [n for n in PUBLIC if inspect.isfunction(getattr(ht, n))])
def test_functions_say_how_to_call_them_what_they_return_and_show_an_example(name):
    function = getattr(ht, name)
    found = set(sections(function))
    if inspect.signature(function).parameters:
        assert "Parameters" in found, f"{name} has no Parameters section"
    assert {"Returns", "Examples"} <= found, f"{name}: sections {sorted(found)}"


def test_help_of_partial_pooling_shows_parameters_before_notes():
    text = inspect.getdoc(ht.partial_pooling)
    assert text.index("Parameters\n---") < text.index("Notes\n---")
