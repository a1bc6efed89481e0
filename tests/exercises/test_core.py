"""The generic check machinery: statuses, tiered hints, stated precision, bugs reported as bugs."""

import importlib
import pkgutil
import re
import traceback
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hiertools as ht
import tests.exercises
from hiertools.exercises import LESSON_MODULES, Precision, _core
from tests.exercises import test_lesson01

# every lesson's check tests, found like the package finds the lessons' modules
LESSON_TESTS = [importlib.import_module(f"tests.exercises.{info.name}")
                for info in pkgutil.iter_modules(tests.exercises.__path__)
                if info.name.startswith("test_lesson")]


@pytest.fixture(autouse=True)
def _fresh_attempts():
    _core.reset_attempts()
    yield
    _core.reset_attempts()


def test_every_lesson_module_has_exercises_and_a_test_module():
    # lessonNN, sorted; not necessarily contiguous while lessons are written in parallel
    assert all(re.fullmatch(r"lesson\d\d", name) for name in LESSON_MODULES)
    assert list(LESSON_MODULES) == sorted(set(LESSON_MODULES))
    for name in LESSON_MODULES:
        assert ht.list_exercises(name.removeprefix("lesson")), name
    tested = {m.__name__.rsplit(".", 1)[1].removeprefix("test_") for m in LESSON_TESTS}
    assert tested == set(LESSON_MODULES)


def test_every_numeric_exercise_has_a_right_answer_tested_at_its_stated_precision():
    right = {}
    for module in LESSON_TESTS:
        right.update(module.RIGHT_ANSWERS)
    numeric = {key for key, spec in _core._REGISTRY.items() if spec.precision is not None}
    assert numeric <= set(right), f"no rounded right answer tested for {numeric - set(right)}"


def test_every_exercise_reports_not_answered_for_none():
    for exercise in ht.list_exercises():
        feedback = ht.check(exercise, None)
        assert feedback.status == "not answered" and not feedback
        assert feedback.hint == ht.hint(exercise, 1)


@pytest.mark.parametrize("wrong", ["text", 3, [1, 2], pd.DataFrame({"a": [1], "b": [2]}),
                                   pd.Series([np.nan] * 12), object(), {"a": 1}, np.inf,
                                   pd.Series(dtype=float), (), True])
def test_odd_answers_get_a_plain_message_never_an_error(wrong):
    for exercise in ht.list_exercises():
        feedback = ht.check(exercise, wrong)
        assert feedback.status in ("incorrect", "invalid"), (exercise, wrong, feedback)
        assert "Traceback" not in feedback.message


def test_a_broken_checker_is_reported_as_a_bug_not_as_the_learners_fault(monkeypatch):
    spec = _core._REGISTRY["01-complete-pooling"]

    def broken(answer):
        return {}["no such key"]  # a bug in the checker, whatever the answer

    monkeypatch.setitem(_core._REGISTRY, spec.key,
                        _core.Exercise(spec.key, spec.title, broken, spec.hints, spec.precision))
    feedback = ht.check("01-complete-pooling", 4.9)
    assert feedback.status == "error" and not feedback
    assert "bug in the course" in feedback.message and "KeyError" in feedback.message
    assert "could not read your answer" not in feedback.message
    with pytest.raises(RuntimeError, match="bug in the course"):
        ht.check("01-complete-pooling", 4.9, strict=True)


def test_a_half_finished_structured_answer_is_not_answered_and_not_a_wrong_attempt(monkeypatch):
    spec = _core._REGISTRY["01-complete-pooling"]

    def needs_two_parts(answer):
        if answer.get("second") is None:
            raise _core.NotAnswered("fill in the second part too.")
        return "both parts there"

    monkeypatch.setitem(_core._REGISTRY, spec.key, _core.Exercise(
        spec.key, spec.title, needs_two_parts, spec.hints, spec.precision))
    _core.reset_attempts()
    feedback = ht.check("01-complete-pooling", {"first": 1, "second": None})
    assert feedback.status == "not answered" and not feedback
    assert feedback.message == "fill in the second part too." and feedback.hint_level == 1
    assert _core._WRONG_ATTEMPTS[spec.key] == 0
    assert ht.check("01-complete-pooling", {"first": 1, "second": 2}).status == "correct"


def test_only_coercion_says_could_not_read():
    feedback = ht.check("01-complete-pooling", "five")
    assert feedback.status == "invalid" and feedback.message.startswith("could not read")
    feedback = ht.check("01-complete-pooling", 123.0)
    assert feedback.status == "incorrect" and "could not read" not in feedback.message


def test_hints_climb_a_ladder_from_nudge_to_recipe():
    key = "03-posterior-sd"
    tiers = _core._REGISTRY[key].hints
    assert len(tiers) >= 2 and tiers[0] != tiers[-1]
    first = ht.check(key, 10.0)
    second = ht.check(key, 11.0)
    third = ht.check(key, 12.0)
    assert (first.hint, first.hint_level) == (tiers[0], 1)
    assert (second.hint, second.hint_level) == (tiers[1], 2)
    assert third.hint == tiers[-1]
    assert ht.hint(key) == tiers[0] and ht.hint(key, level=2) == tiers[1]
    assert ht.hint(key, level=99) == tiers[-1]
    with pytest.raises(ValueError, match="level"):
        ht.hint(key, level=0)


def test_every_exercise_has_a_nudge_before_its_recipe():
    for key, spec in _core._REGISTRY.items():
        assert len(spec.hints) >= 2, f"{key}: give a nudge first, the recipe later"
        assert len(set(spec.hints)) == len(spec.hints), key


def test_strict_mode_for_autograders():
    with pytest.raises(AssertionError, match="INCORRECT"):
        ht.check("01-complete-pooling", 0.0, strict=True)
    right = test_lesson01.RIGHT_ANSWERS["01-complete-pooling"]
    assert ht.check("01-complete-pooling", right, strict=True)


def test_unknown_exercise_suggests_the_closest_id():
    with pytest.raises(ValueError, match="Did you mean '01-no-pooling'"):
        ht.check("01-no-poling", 1)
    with pytest.raises(ValueError, match="unknown"):
        ht.hint("99-nothing")


@pytest.mark.parametrize("precision, expected, accepted, rejected", [
    (Precision(decimals=2), 0.2797, [0.28, 0.2797, 0.2846], [0.27, 0.29, 0.2848]),
    (Precision(decimals=3), 0.53429, [0.534, 0.5343], [0.535, 0.533]),
    (Precision(significant=2), 21.66, [22.0, 21.7, 21.2], [21.0, 23.0]),
    (Precision(significant=2), 0.9463, [0.95, 0.9413], [0.94, 0.96]),
    (Precision(decimals=0), 48.0, [48], [47, 49]),
])
def test_precision_accepts_answers_within_half_a_unit_of_the_last_digit(precision, expected,
                                                                      accepted, rejected):
    """So the expected value rounded as stated always passes, and nothing much farther."""
    for value in accepted:
        assert precision.accepts(value, expected), value
    for value in rejected:
        assert not precision.accepts(value, expected), value


def test_precision_phrase_and_validation():
    assert Precision(decimals=2).phrase == "2 decimals are enough"
    assert Precision(decimals=1).phrase == "1 decimal is enough"
    assert Precision(significant=3).phrase == "3 significant figures are enough"
    assert Precision(decimals=0).phrase == "give a whole number"
    with pytest.raises(ValueError):
        Precision()
    with pytest.raises(ValueError):
        Precision(decimals=2, significant=2)


def test_feedback_is_exported_and_displays():
    feedback = ht.check("01-complete-pooling", None)
    assert isinstance(feedback, ht.Feedback)
    assert "ht-feedback" in feedback._repr_html_()
    for status in _core._ICONS:
        assert all(ord(ch) < 0x2800 for ch in _core._ICONS[status])  # in DejaVu Sans, no emoji


def test_checks_are_strict_under_nbgraders_autograder(monkeypatch):
    """nbgrader sets NBGRADER_EXECUTION while it executes a notebook: a check cell then fails."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(AssertionError, match="INCORRECT"):
        ht.check("01-complete-pooling", 0.0)
    with pytest.raises(AssertionError, match="NOT ANSWERED"):
        ht.check("01-complete-pooling", None)
    assert ht.check("01-complete-pooling", test_lesson01.RIGHT_ANSWERS["01-complete-pooling"])
    assert not ht.check("01-complete-pooling", 0.0, strict=False)  # explicit wins
    monkeypatch.delenv("NBGRADER_EXECUTION")
    assert not ht.check("01-complete-pooling", 0.0)  # a learner gets feedback, no traceback


# --- a misspelt exercise id: the likely fix first, a short message, a short traceback ----------

LESSON_01 = sorted(key for key in _core._REGISTRY if key.startswith("01-"))


CALLS = {"check": lambda name: ht.check(name, 4.9), "hint": lambda name: ht.hint(name),
         "hint-level-2": lambda name: ht.hint(name, level=2)}


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("typo, meant", [("01-complete-poolin", "01-complete-pooling"),
                                         ("01-no-poling", "01-no-pooling"),
                                         ("01-complete_pooling", "01-complete-pooling")])
def test_a_misspelt_exercise_id_says_what_was_meant_first_and_lists_only_its_lesson(call, typo,
                                                                                   meant):
    with pytest.raises(ValueError) as info:
        CALLS[call](typo)
    message = str(info.value)
    assert message.startswith(f"Did you mean {meant!r}?"), message
    listed = re.findall(r"'(\d\d-[a-z0-9_-]+)'", message.split("?", 1)[1])
    assert sorted(set(listed) - {typo}) == LESSON_01, message  # that lesson's ids, all of them
    assert len(message) < 400, len(message)
    # raised by the public function itself: one frame of the package in the traceback, and
    # no "During handling of the above exception ..." chain under it
    frames = [f.name for f in traceback.extract_tb(info.value.__traceback__)
              if "hiertools" in Path(f.filename).parts]
    assert frames == [call.split("-")[0]], frames
    assert info.value.__context__ is None and info.value.__cause__ is None


def test_an_unknown_lesson_prefix_lists_the_lessons_not_every_id():
    with pytest.raises(ValueError) as info:
        ht.check("99-nothing", 1.0)
    message = str(info.value)
    assert "Did you mean" not in message and "unknown" in message
    assert "ht.list_exercises()" in message and "01-no-pooling" not in message
    with pytest.raises(ValueError, match=r"^Did you mean '03-posterior-sd'\? .*lesson 03's"):
        ht.hint("30-posterior-sd")  # lesson digits swapped: the suggestion's lesson is listed


def test_the_exercise_id_first_is_a_type_error_that_names_the_argument():
    with pytest.raises(TypeError, match=r"^exercise must be an exercise id.*got 4\.9"):
        ht.check(4.9, "01-complete-pooling")  # the arguments swapped
    with pytest.raises(TypeError, match="exercise"):
        ht.hint(None)


def test_every_exercise_id_is_accepted_in_any_case_and_with_spaces_around():
    for key in ht.list_exercises():
        for spelling in (key.upper(), f" {key} ", key.title()):
            assert ht.check(spelling, None).exercise == key
            assert ht.hint(spelling).exercise == key


def test_a_misspelt_id_fails_the_check_cell_under_nbgrader_too(monkeypatch):
    """Strict mode (nbgrader) must fail a cell whose answer is not confirmed right: it does."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(ValueError, match="^Did you mean '01-complete-pooling'"):
        ht.check("01-complete-poolin", test_lesson01.RIGHT_ANSWERS["01-complete-pooling"])


def test_a_misspelt_id_in_a_notebook_shows_a_short_traceback(capsys, monkeypatch, tmp_path):
    """What IPython prints (as in a notebook cell): a few lines, the suggestion on the last."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    monkeypatch.setenv("IPYTHONDIR", str(tmp_path))
    config = Config()
    config.HistoryManager.enabled = False
    shell = InteractiveShell.instance(config=config, colors="nocolor")
    try:
        shell.run_cell('import hiertools as ht\nht.check("01-complete-poolin", 4.9)')
        printed = capsys.readouterr()
    finally:
        InteractiveShell.clear_instance()
    lines = (printed.out + printed.err).strip().splitlines()
    assert lines[-1].startswith("ValueError: Did you mean '01-complete-pooling'?"), lines
    assert "_validation.py" not in "\n".join(lines)
    assert len(lines) <= 16, "\n".join(lines)


# --- ht.hint: a displayable hint that says when it is the last ---------------------------------

def test_hint_is_its_text_and_displays_without_quotes():
    from IPython.core.formatters import DisplayFormatter

    key = "03-posterior-sd"
    tiers = _core._REGISTRY[key].hints
    first = ht.hint(key)
    assert isinstance(first, str) and str(first) == tiers[0] and type(str(first)) is str
    assert (first.exercise, first.level, first.levels, first.last) == (key, 1, len(tiers), False)
    data, _ = DisplayFormatter().format(first)
    assert data["text/plain"] == repr(first)
    assert not data["text/plain"].startswith(("'", '"')), data["text/plain"]
    assert f"HINT 1 of {len(tiers)}" in data["text/plain"] and tiers[0] in data["text/plain"]
    assert "ht-hint" in data["text/html"] and "last hint" not in data["text/plain"]
    assert f'ht.hint("{key}", level=2)' in data["text/plain"]  # how to ask for the next one


def test_the_last_hint_says_so_and_so_does_asking_beyond_it():
    key = "03-posterior-sd"
    tiers = _core._REGISTRY[key].hints
    last = ht.hint(key, level=len(tiers))
    assert last.last and last.note == "This is the last hint."
    assert "This is the last hint." in repr(last) and "This is the last hint." in last._repr_html_()
    beyond = ht.hint(key, level=99)
    assert beyond == tiers[-1] and beyond.last and beyond.level == len(tiers)
    assert beyond.note.startswith("This is the last hint") and "99" in beyond.note
    assert "This is the last hint" in beyond._repr_html_()
    for level in range(1, len(tiers)):
        assert not ht.hint(key, level=level).last
        assert "last hint" not in repr(ht.hint(key, level=level))


def test_a_hint_survives_copy_and_pickle():
    import copy
    import pickle

    hint = ht.hint("01-complete-pooling", level=5)
    for clone in (copy.deepcopy(hint), pickle.loads(pickle.dumps(hint))):
        assert clone == hint and repr(clone) == repr(hint) and clone.asked == 5


# --- the HTML of the feedback: code spans as code, escaped, readable without any theme ----------

def _code_free(html_text):
    """The HTML with every <code ...>...</code> element's tags dropped (their text kept)."""
    return re.sub(r"</?code[^>]*>", "", html_text)


def test_code_spans_become_code_elements_and_everything_is_escaped():
    out = _core._markup("use `obs.groupby(\"d\")` & <b>not</b> `a<b` or a lone ` tick")
    assert re.findall(r"<code[^>]*>(.*?)</code>", out) == ["obs.groupby(&quot;d&quot;)",
                                                          "a&lt;b"]
    assert "&amp; &lt;b&gt;not&lt;/b&gt;" in out and "a lone ` tick" in out
    assert "<b>" not in _code_free(out)


def test_the_feedback_and_hint_html_shows_code_spans_as_code_never_backticks():
    key = "01-complete-pooling"
    # the average of the district means: a typical mistake whose message names `grand`
    from hiertools.exercises.lesson01 import DISTRICTS

    wrong = ht.simulate_districts(**DISTRICTS)["raw"].mean()
    feedback = ht.check(key, wrong)
    assert "`grand`" in feedback.message  # the text keeps the Markdown ...
    html_text = feedback._repr_html_()
    assert re.search(r"<code[^>]*>grand</code>", html_text)  # ... the HTML shows code
    ht.check(key, wrong)  # a second miss: the recipe, which names `obs`
    html_text = ht.check(key, wrong)._repr_html_()
    assert re.search(r"<code[^>]*>obs</code>", html_text) and "`" not in html_text
    assert re.search(r"<code[^>]*>obs</code>", ht.hint(key, 2)._repr_html_())
    assert "`" not in ht.hint(key, 2)._repr_html_()


class _Styles(__import__("html.parser").parser.HTMLParser):
    """Every element's tag and inline style, with its ancestors' styles."""

    def __init__(self):
        super().__init__()
        self.stack, self.elements = [], []

    def handle_starttag(self, tag, attrs):
        style = dict(attrs).get("style") or ""
        declared = dict(part.split(":", 1) for part in style.split(";") if ":" in part)
        declared = {k.strip(): v.strip() for k, v in declared.items()}
        self.stack.append((tag, declared))
        self.elements.append(list(self.stack))

    def handle_endtag(self, tag):
        if tag not in ("br",):
            while self.stack and self.stack.pop()[0] != tag:
                pass


def _all_boxes():
    text = "a message with `code`, <angle brackets> & an ampersand"
    boxes = [ht.Feedback("01-complete-pooling", status, text, "" if status == "correct" else
                         "a hint with `obs`", 1) for status in _core._ICONS if status != "hint"]
    return boxes + [ht.hint(key, level) for key in ("01-complete-pooling", "03-posterior-sd")
                    for level in (1, 2, 3)]


@pytest.mark.parametrize("box", _all_boxes(), ids=lambda b: getattr(b, "status", "hint"))
def test_every_box_sets_its_own_text_and_background_colours_with_aa_contrast(box):
    """On a page with no JupyterLab CSS (the website), or any theme's text colour, the box
    and every element in it that has a background of its own are readable: both colours are
    set right there, with a contrast of at least 4.5:1 (WCAG AA)."""
    from tests import wcag

    parser = _Styles()
    parser.feed(box._repr_html_())
    root_tag, root = parser.elements[0][0]
    assert root_tag == "div" and "color" in root and "background-color" in root, root
    assert "var(" not in root["color"] + root["background-color"]  # no theme needed
    for chain in parser.elements:
        tag, style = chain[-1]
        if "background" in style:
            raise AssertionError(f"<{tag}> uses the background shorthand; JupyterLab's "
                                 "sanitizer keeps background-color")
        # the nearest colour and background set on this element or an ancestor
        fg = next(s["color"] for _, s in reversed(chain) if "color" in s)
        bg = next(s["background-color"] for _, s in reversed(chain) if "background-color" in s)
        if "background-color" in style:
            assert "color" in style, f"<{tag}> sets a background but not its text colour"
        ratio = wcag.contrast(wcag.parse_color(fg), wcag.parse_color(bg))
        assert ratio >= wcag.AA_NORMAL_TEXT, (tag, fg, bg, ratio)
