"""The generic check machinery: statuses, tiered hints, stated precision, and bugs reported as bugs."""

import numpy as np
import pandas as pd
import pytest

import hiertools as ht
from hiertools.exercises import LESSON_MODULES, Precision
from hiertools.exercises import _core
import importlib
import pkgutil
import re

import tests.exercises
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
