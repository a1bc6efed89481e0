"""The instructor guide (INSTRUCTORS.md) covers every lesson and agrees with the notebooks.

Per lesson the guide has a table of its sections with their minutes -- the same titles and
minutes as the lesson's headings -- and names exercises by their ids; every id it names must
exist.  It also covers each misconception COURSE.md lists, and gives a one-day and a two-day
schedule that use only lessons that exist.
"""

import re
from pathlib import Path

import nbformat
import pytest

import hiertools as ht

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "INSTRUCTORS.md").read_text(encoding="utf-8")
LESSONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))


def _headings(path):
    """(title, minutes) of a lesson's numbered sections, as its markdown writes them."""
    text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells
                     if c.cell_type == "markdown")
    return [(title.strip(), int(minutes)) for title, minutes in
            re.findall(r"^## \d+ · (.*) · (\d+) min\s*$", text, flags=re.M)]


def _guide_block(number: str) -> str:
    match = re.search(rf"^### {number} · .*?(?=^### \d\d · |^## |\Z)", GUIDE, flags=re.M | re.S)
    assert match, f"INSTRUCTORS.md has no section '### {number} · ...'"
    return match.group(0)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_lesson_has_its_sections_and_minutes_in_the_guide(path):
    block = _guide_block(path.name[:2])
    rows = re.findall(r"^\|\s*\d+\s*·\s*(.*?)\s*\|\s*(\d+)\s*\|", block, flags=re.M)
    assert [(title, int(minutes)) for title, minutes in rows] == _headings(path), (
        f"INSTRUCTORS.md's table for lesson {path.name[:2]} differs from the notebook's headings")
    total = re.search(r"\*\*total\*\*\s*\|\s*\*\*(\d+)\*\*", block)
    assert total and int(total.group(1)) == sum(m for _, m in _headings(path))


def test_every_exercise_id_the_guide_names_exists():
    named = set(re.findall(r"`(\d\d-[a-z0-9-]+)`", GUIDE))
    assert named, "the guide names no exercises"
    assert named <= set(ht.list_exercises()), sorted(named - set(ht.list_exercises()))


def test_the_guide_addresses_each_misconception_of_the_course_design():
    for phrase in ("50/50", "spread of the raw", "adds bias", "dropped", "shrink so much more",
                   "random sample of groups", "per-group OLS", "basement", "log scale"):
        assert phrase in GUIDE, phrase


def test_schedules_and_room_checklist():
    for heading in ("## Setting up the room", "## A one-day workshop", "## A two-day workshop"):
        assert heading in GUIDE, heading
    assert "python -m hiertools doctor" in GUIDE and "follow/" in GUIDE
    days = GUIDE.split("## A one-day workshop")[1]
    numbers = set(re.findall(r"\b(0[1-7])\b", days))
    assert numbers <= {p.name[:2] for p in LESSONS}
