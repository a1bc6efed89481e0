"""The generic machinery of the exercise checks.

``ht.check(exercise, answer)`` returns a :class:`Feedback`: *correct*, or which
part is off and a hint that points the way without giving the answer away.

Design.  Each lesson's module (``lesson01``, ``lesson02``, ...) registers its
exercises with :func:`exercise`: a title, a *checker* and a ladder of hints.  A
checker receives the learner's answer and

* turns it into the expected type with the coercion helpers below (``as_number``,
  ``as_series``, ...), which raise :class:`Unreadable` -- the only way to say
  "could not read your answer";
* raises :class:`Wrong` with what is off (often from a table of typical mistakes,
  :func:`reject_known_mistakes`) when the answer is incorrect;
* returns a short "why this is right" message when it is correct.

Any other exception raised inside a checker is a bug in the course, not in the
answer, and is reported as such (status ``"error"``).

Hints come in tiers: the first wrong attempt gets the first hint (a conceptual
nudge), later wrong attempts get the later ones (the last is the recipe); the
value itself is never shown.  :func:`hint` gives any tier on request.

Numeric answers are judged at a *stated precision* (:class:`Precision`): the
exercise text says, e.g., "2 decimals are enough", and the check accepts every
answer within half a unit of that last decimal -- exactly the answers that round
to the right value.
"""

from __future__ import annotations

import html
import math
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from difflib import get_close_matches

import numpy as np
import pandas as pd

from .._validation import check_bool, check_option, check_scalar

__all__ = ["Feedback", "Hint", "Precision", "check", "hint", "list_exercises"]

_ICONS = {"correct": "✓", "incorrect": "✗", "not answered": "✎", "invalid": "⚠",
          "error": "⚠", "hint": "ℹ"}
# Light backgrounds with an explicit dark text colour on the box and on every element inside it
# that has colours of its own (code spans): readable in JupyterLab's light and dark themes and
# on a static web page with no JupyterLab CSS (contrast well above WCAG AA's 4.5:1).
_COLORS = {"correct": "#e6f4ea", "incorrect": "#fdecea", "not answered": "#eef3fb",
           "invalid": "#fff4e5", "error": "#f3e5f5", "hint": "#eef3fb"}
_TEXT_COLOR = "#1f2328"
_CODE_BACKGROUND = "#ffffff"
_NUMBER_WORDS = {1: "1 decimal", 2: "2 decimals", 3: "3 decimals", 4: "4 decimals"}

# A float computed two ways (by the learner, by the check) can differ in the last bits; an
# answer exactly half a unit away from the expected value still counts as rounded right.
_ROUNDING_SLACK = 1e-9

_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def _markup(text: str) -> str:
    """`text` as HTML: escaped, with Markdown code spans (```obs```) as ``<code>``.

    >>> _markup("the seed's `grand` & <b>")
    'the seed&#x27;s <code style="...">grand</code> &amp; &lt;b&gt;'
    """
    return _CODE_SPAN.sub(
        lambda m: f'<code style="color:{_TEXT_COLOR};background-color:{_CODE_BACKGROUND};'
                  'padding:0 3px;border-radius:3px;font-size:inherit;'
                  f'font-family:var(--jp-code-font-family, monospace)">{m.group(1)}</code>',
        html.escape(str(text)))


def _box(kind: str, css_class: str, inner: str) -> str:
    """A feedback box: its own background and text colour, whatever the page's theme."""
    return (f'<div class="ht-feedback {css_class}" style="background-color:{_COLORS[kind]};'
            f'color:{_TEXT_COLOR};padding:6px 10px;border-radius:4px">{inner}</div>')


@dataclass(frozen=True)
class Feedback:
    """The outcome of one check: status, what is off, and a hint.

    Truthy only when correct, so an autograder cell can say ``assert ht.check(...)``.

    Attributes
    ----------
    exercise : str
        The exercise id.
    status : str
        ``"correct"``, ``"incorrect"``, ``"not answered"``, ``"invalid"`` (the answer
        could not be read as the expected type) or ``"error"`` (the check itself failed:
        a bug in the course, not in the answer).
    message : str
        What is right, or what is off.
    hint : str
        A hint for the next attempt (empty when correct).
    hint_level : int
        Which tier of the exercise's hints `hint` is (1 = the first nudge).
    """

    exercise: str
    status: str
    message: str
    hint: str = ""
    hint_level: int = 0

    def __bool__(self) -> bool:
        return self.status == "correct"

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def __repr__(self) -> str:
        text = f"{_ICONS[self.status]} [{self.exercise}] {self.status.upper()}: {self.message}"
        return text + (f"\n   Hint: {self.hint}" if self.hint else "")

    def _repr_html_(self) -> str:
        hint = f"<br><b>Hint:</b> {_markup(self.hint)}" if self.hint else ""
        return _box(self.status, f'ht-feedback-{self.status.replace(" ", "-")}',
                    f"{_ICONS[self.status]} <b>{html.escape(self.exercise)} — {self.status}</b>: "
                    f"{_markup(self.message)}{hint}")


@dataclass(frozen=True)
class Precision:
    """How precise a numeric answer must be: a number of decimals or of significant figures.

    An answer is accepted when it lies within half a unit of the last stated digit
    of the expected value: 0.28 is accepted for 0.2837 at two decimals (|0.28 - 0.2837| <=
    0.005), and so is 0.279, which is just as close although it is not the rounded value.

    Examples
    --------
    >>> from hiertools.exercises import Precision
    >>> p = Precision(decimals=2)
    >>> p.phrase, p.accepts(0.28, 0.2837), p.accepts(0.279, 0.2837), p.accepts(0.27, 0.2837)
    ('2 decimals are enough', True, True, False)
    >>> Precision(decimals=1).phrase
    '1 decimal is enough'
    >>> Precision(significant=3).accepts(0.534, 0.53393)
    True
    """

    decimals: int | None = None
    significant: int | None = None

    def __post_init__(self):
        if (self.decimals is None) == (self.significant is None):
            raise ValueError("Precision needs exactly one of decimals= or significant=.")

    def tolerance(self, expected: float) -> float:
        """Half a unit of the last stated digit of `expected`."""
        if self.decimals is not None:
            unit = 10.0 ** -self.decimals
        else:
            magnitude = math.floor(math.log10(abs(expected))) if expected else 0
            unit = 10.0 ** (magnitude - self.significant + 1)
        return 0.5 * unit * (1 + _ROUNDING_SLACK)

    def accepts(self, value: float, expected: float) -> bool:
        return bool(abs(value - expected) <= self.tolerance(expected))

    @property
    def phrase(self) -> str:
        """The sentence the exercise text uses, e.g. ``"2 decimals are enough"``."""
        if self.decimals is not None:
            if self.decimals == 0:
                return "give a whole number"
            verb = "is" if self.decimals == 1 else "are"
            return f"{_NUMBER_WORDS.get(self.decimals, f'{self.decimals} decimals')} {verb} enough"
        if self.significant == 1:
            return "1 significant figure is enough"
        return f"{self.significant} significant figures are enough"


class Wrong(Exception):
    """Raised by a checker: the answer is incorrect; the message says what is off."""


class Unreadable(Exception):
    """Raised by answer coercion only: the answer is not of the expected type or shape."""


class NotAnswered(Exception):
    """Raised by answer coercion when part of a structured answer is still empty (None).

    The learner has not finished yet: the check says what is missing, with status
    ``"not answered"``, and it is not counted as a wrong attempt.
    """


@dataclass(frozen=True)
class Exercise:
    """A registered exercise: its id, title, checker, tiered hints and stated precision."""

    key: str
    title: str
    checker: Callable[[object], str]
    hints: tuple[str, ...]
    precision: Precision | None = None


_REGISTRY: dict[str, Exercise] = {}
_WRONG_ATTEMPTS: Counter = Counter()


def exercise(key: str, title: str, *, hints: Iterable[str], precision: Precision | None = None):
    """Register the decorated function as the checker of exercise `key`.

    `hints` run from a conceptual nudge (shown after the first wrong attempt) to the
    recipe (shown only after repeated wrong attempts); none may state the answer.
    """
    hints = tuple(hints)
    if not hints:
        raise ValueError(f"exercise {key!r} needs at least one hint.")

    def register(checker):
        if key in _REGISTRY and _REGISTRY[key].checker.__qualname__ != checker.__qualname__:
            raise ValueError(f"exercise id {key!r} is registered twice.")
        _REGISTRY[key] = Exercise(key, title, checker, hints, precision)
        return checker

    return register


def _find(exercise) -> Exercise | None:
    """The registered exercise called `exercise` (any case), or None."""
    if isinstance(exercise, str):
        for key, spec in _REGISTRY.items():
            if exercise.strip().lower() == key.lower():
                return spec
    return None


def _unknown_exercise(exercise) -> Exception:
    """The error for an exercise id that is not registered: short, the likely fix first.

    The closest id comes first ("Did you mean ...?"), then only that lesson's ids (the
    lesson is the ``NN`` prefix, else the suggestion's lesson), not all of them.  Built here
    and raised by the public function itself, so the traceback is one frame deep.
    """
    if not isinstance(exercise, str):
        return TypeError(f"exercise must be an exercise id, a string such as "
                         f"'01-complete-pooling' (as written above the check cell), got "
                         f"{exercise!r:.60}.")
    lesson = exercise.strip().split("-", 1)[0]
    ids = {key.lower(): key for key in _REGISTRY}
    own = [key for key in ids if key.startswith(f"{lesson}-")]
    close = (get_close_matches(exercise.strip().lower(), own, n=1, cutoff=0.6)
             or get_close_matches(exercise.strip().lower(), list(ids), n=1, cutoff=0.6))
    guess = ids[close[0]] if close else None
    if not own and guess:
        lesson = guess.split("-", 1)[0]
        own = [key for key in ids if key.startswith(f"{lesson}-")]
    parts = [f"Did you mean {guess!r}?"] if guess else []
    parts.append(f"The exercise {exercise!r:.60} is unknown;")
    if own:
        parts.append(f"lesson {lesson}'s exercises are "
                     + ", ".join(repr(ids[key]) for key in sorted(own)) + ".")
    else:
        parts.append(f"exercise ids start with the lesson number ({', '.join(_lessons())}), "
                     "e.g. '01-complete-pooling'; ht.list_exercises() lists them all.")
    return ValueError(" ".join(parts))


def _lessons() -> list[str]:
    return sorted({key.split("-", 1)[0] for key in _REGISTRY})


def list_exercises(lesson: str | int | None = None) -> dict[str, str]:
    """Exercise ids and titles that :func:`check` knows (optionally of one lesson, e.g. "02").

    Parameters
    ----------
    lesson : str or int, optional
        A lesson number, ``"02"`` or ``2``; default: every lesson.

    Returns
    -------
    dict
        Exercise id -> title, sorted by id.

    Raises
    ------
    ValueError
        If `lesson` has no exercises (the message lists the lessons that have some).

    Examples
    --------
    >>> import hiertools as ht
    >>> "01-no-pooling" in ht.list_exercises()
    True
    >>> list(ht.list_exercises(3))[0]
    '03-half-weight-tau'
    """
    if lesson is not None:

        if not isinstance(lesson, str):
            lesson = f"{check_scalar(lesson, 'lesson', integer=True, minimum=1):02d}"
        lesson = check_option(lesson, "lesson", _lessons(), problem="has no exercises")
    return {key: ex.title for key, ex in sorted(_REGISTRY.items())
            if lesson is None or key.startswith(f"{lesson}-")}


class Hint(str):
    """One hint of an exercise: the text itself (a ``str``), shown in a notebook as a box.

    ``str(hint)`` is the hint's text; ``hint.level`` is its tier and ``hint.levels`` the
    number of tiers; ``hint.last`` says whether it is the last one (the recipe).

    Attributes
    ----------
    exercise : str
        The exercise id.
    level : int
        Which tier this hint is (1 = the first nudge).
    levels : int
        How many tiers the exercise has.
    asked : int
        The tier that was asked for (more than `levels` gives the last one).
    """

    exercise: str
    level: int
    levels: int
    asked: int

    def __new__(cls, text: str, exercise: str, level: int, levels: int, asked: int | None = None):
        self = super().__new__(cls, text)
        self.exercise, self.level, self.levels = exercise, level, levels
        self.asked = level if asked is None else asked
        return self

    @property
    def last(self) -> bool:
        """Whether this is the exercise's last hint (the recipe), with no further one."""
        return self.level == self.levels

    @property
    def note(self) -> str:
        """The call for the next hint, or a sentence saying this is the last one."""
        if not self.last:
            return f'Next hint: `ht.hint("{self.exercise}", level={self.level + 1})`.'
        if self.asked > self.levels:
            return (f"This is the last hint (you asked for hint {self.asked}; this exercise "
                    f"has {self.levels}).")
        return "This is the last hint."

    def __str__(self) -> str:
        return str.__str__(self)

    def __repr__(self) -> str:
        return (f"{_ICONS['hint']} [{self.exercise}] HINT {self.level} of {self.levels}: "
                f"{str(self)}\n   {self.note}")

    def _repr_html_(self) -> str:
        return _box("hint", "ht-hint",
                    f"{_ICONS['hint']} <b>{html.escape(self.exercise)} — hint {self.level} of "
                    f"{self.levels}</b>: {_markup(str(self))}<br><i>{_markup(self.note)}</i>")

    def __reduce__(self):  # copy and pickle keep the attributes
        return (Hint, (str(self), self.exercise, self.level, self.levels, self.asked))


def hint(exercise: str, level: int = 1) -> Hint:
    """The hint of tier `level` for an exercise (1 = the first nudge; higher = more explicit).

    Parameters
    ----------
    exercise : str
        Exercise id, as written in the lesson (see :func:`list_exercises`).
    level : int
        The tier, 1 or more; beyond the last tier, the last (the recipe), which then
        says that it is the last.

    Returns
    -------
    Hint
        The hint: a ``str`` (its text) that displays as a box in a notebook and says
        whether it is the last one.  It never states the answer.

    Raises
    ------
    ValueError
        If `exercise` is unknown (the message suggests the closest id and lists that
        lesson's ids) or `level` < 1.

    Examples
    --------
    >>> import hiertools as ht
    >>> ht.hint("01-complete-pooling")
    ℹ [01-complete-pooling] HINT 1 of 2: complete pooling ignores the districts altogether.
       Next hint: `ht.hint("01-complete-pooling", level=2)`.
    >>> ht.hint("01-complete-pooling", level=3).note
    'This is the last hint (you asked for hint 3; this exercise has 2).'
    >>> str(ht.hint("01-complete-pooling")) == ht.hint("01-complete-pooling")
    True
    """
    spec = _find(exercise)
    if spec is None:
        raise _unknown_exercise(exercise)
    level = check_scalar(level, "level", integer=True, minimum=1)
    given = min(level, len(spec.hints))
    return Hint(spec.hints[given - 1], spec.key, given, len(spec.hints), asked=level)


def check(exercise: str, answer, *, strict: bool | None = None) -> Feedback:
    """Check an exercise answer and say what is right or off, without revealing the answer.

    Parameters
    ----------
    exercise : str
        Exercise id, as written in the lesson (see :func:`list_exercises`).
    answer : object
        Your answer (leave it as ``None`` until you have one).
    strict : bool, optional
        For autograders: raise ``AssertionError`` with the feedback unless the answer is
        correct (``RuntimeError`` if the check itself failed).  Default: strict exactly
        when nbgrader is executing the notebook (``nbgrader autograde`` and ``nbgrader
        validate`` set the environment variable ``NBGRADER_EXECUTION``), so a lesson's
        check cell is both the learner's feedback and the autograder's test.

    Returns
    -------
    Feedback
        Displays as a coloured box in a notebook; truthy only when correct.  Each wrong
        attempt in a session makes the next hint more explicit.

    Raises
    ------
    ValueError
        If `exercise` is unknown (never for a wrong or unreadable answer: those are
        feedback); the message starts with the closest id ("Did you mean ...?") and
        lists that lesson's ids.  ``TypeError`` if `exercise` is not a string.
    AssertionError, RuntimeError
        When strict (explicitly, or under nbgrader), as described above.

    Examples
    --------
    >>> import hiertools as ht
    >>> ht.check("01-complete-pooling", None)
    ✎ [01-complete-pooling] NOT ANSWERED: ...
    >>> bool(ht.check("01-complete-pooling", "five"))
    False
    """
    spec = _find(exercise)
    if spec is None:  # raised here, so the learner's traceback is short
        raise _unknown_exercise(exercise)
    if strict is None:  # nbgrader sets NBGRADER_EXECUTION while it autogrades or validates
        strict = bool(os.environ.get("NBGRADER_EXECUTION"))
    strict = check_bool(strict, "strict")
    if answer is None or answer is Ellipsis:
        feedback = _with_hint(spec, "not answered",
                              "no answer yet: write your code in the exercise's cell, where it "
                              "says `# YOUR CODE HERE`, and assign the result.", attempts=1)
    else:
        try:
            feedback = Feedback(spec.key, "correct", spec.checker(answer))
        except Wrong as wrong:
            _WRONG_ATTEMPTS[spec.key] += 1
            feedback = _with_hint(spec, "incorrect", str(wrong))
        except NotAnswered as missing:
            feedback = _with_hint(spec, "not answered", str(missing),
                                  attempts=max(1, _WRONG_ATTEMPTS[spec.key]))
        except Unreadable as unreadable:
            feedback = _with_hint(spec, "invalid", f"could not read your answer: {unreadable}",
                                  attempts=max(1, _WRONG_ATTEMPTS[spec.key]))
        except Exception as error:  # a bug in the checker, never the learner's fault
            feedback = Feedback(spec.key, "error",
                                f"the check itself failed ({type(error).__name__}: {error}). "
                                "This is a bug in the course, not in your answer: please report "
                                "it to the course maintainers with this message.")
    if strict and not feedback:
        raise (RuntimeError if feedback.status == "error" else AssertionError)(repr(feedback))
    return feedback


def _with_hint(spec: Exercise, status: str, message: str, attempts: int | None = None):
    level = min(attempts if attempts is not None else _WRONG_ATTEMPTS[spec.key],
                len(spec.hints))
    level = max(level, 1)
    return Feedback(spec.key, status, message, spec.hints[level - 1], level)


def reset_attempts() -> None:
    """Forget the wrong attempts counted so far (hints start again from the first tier)."""
    _WRONG_ATTEMPTS.clear()


# --- answer coercion: the only source of "could not read your answer" ---------------------------

def as_number(answer, what: str = "your answer") -> float:
    """A single finite number (a one-element array, list or Series is unwrapped)."""
    if isinstance(answer, bool) or isinstance(answer, str | bytes):
        raise Unreadable(f"{what} should be a number, got {type(answer).__name__}.")
    if isinstance(answer, pd.Series | pd.DataFrame | np.ndarray | list | tuple):
        values = np.asarray(answer, dtype=object).ravel()
        if values.size != 1:
            raise Unreadable(f"{what} should be a single number, got {values.size} values.")
        answer = values[0]
    try:
        value = float(answer)
    except (TypeError, ValueError):
        raise Unreadable(f"{what} should be a number, got {type(answer).__name__}.") from None
    if not math.isfinite(value):
        raise Unreadable(f"{what} is {value}; it should be a finite number.")
    return value


def as_whole_number(answer, what: str = "your answer") -> int:
    """A whole number (``47``, ``47.0`` and ``np.int64(47)`` all qualify)."""
    value = as_number(answer, what)
    if value != int(value):
        raise Unreadable(f"{what} should be a whole number, got {value:g}.")
    return int(value)


def as_pair(answer, what: str = "your answer") -> tuple[float, float]:
    """Two finite numbers ``(lower, upper)``, lower first."""
    if isinstance(answer, str | bytes | dict) or not hasattr(answer, "__iter__"):
        raise Unreadable(f"{what} should be two numbers (lower, upper), e.g. a tuple, got "
                         f"{type(answer).__name__}.")
    try:
        values = np.asarray(list(np.ravel(np.asarray(answer, dtype=object))), dtype=float)
    except (TypeError, ValueError):
        raise Unreadable(f"{what} should hold two numbers.") from None
    if values.size != 2:
        raise Unreadable(f"{what} should be two numbers (lower, upper), got {values.size}.")
    if not np.isfinite(values).all():
        raise Unreadable(f"{what} contains NaN or infinite values.")
    if values[0] >= values[1]:
        raise Unreadable(f"{what} should be (lower, upper), lower end first.")
    return float(values[0]), float(values[1])


def as_series(answer, expected: pd.Series, what: str = "your answer") -> pd.Series:
    """A numeric Series with the same group labels as `expected`, reordered to match it."""
    if isinstance(answer, pd.DataFrame):
        if answer.shape[1] != 1:
            raise Unreadable(f"{what} should be a Series (one value per group), but you gave a "
                             f"DataFrame with {answer.shape[1]} columns; select one column.")
        answer = answer.iloc[:, 0]
    if not isinstance(answer, pd.Series):
        raise Unreadable(f"{what} should be a pandas Series indexed by group, got "
                         f"{type(answer).__name__}.")
    if len(answer) != len(expected):
        raise Unreadable(f"{what} should have one value per group ({len(expected)}), "
                         f"got {len(answer)}.")
    if set(map(str, answer.index)) != set(map(str, expected.index)):
        raise Unreadable(f"the index of {what} should be the group labels (e.g. "
                         f"{expected.index[0]!r}); did the labels end up in a column instead?")
    answer = answer.set_axis(answer.index.map(str))
    try:
        values = answer.reindex(expected.index.map(str)).astype(float)
    except (TypeError, ValueError):
        raise Unreadable(f"{what} should hold numbers.") from None
    if values.isna().any():
        raise Unreadable(f"{what} contains NaN for {int(values.isna().sum())} group(s).")
    return values.set_axis(expected.index)


def as_labels(answer, what: str = "your answer", *, columns=("group",), count: int | None = None,
              known=None) -> list[str]:
    """A list of distinct group labels, from a list, an Index, a Series or a DataFrame.

    A DataFrame gives the first of `columns` it has (else its index); a numeric Series
    gives its index (e.g. the result of ``nlargest``); a Series of labels gives its values.
    With `count`, exactly that many labels are required; with `known`, every label must
    be one of them.
    """
    if isinstance(answer, pd.DataFrame):
        column = next((c for c in answer.columns if str(c).lower() in columns), None)
        answer = answer[column] if column is not None else answer.index
    elif isinstance(answer, pd.Series) and pd.api.types.is_numeric_dtype(answer.dtype):
        answer = answer.index
    if isinstance(answer, str | bytes | dict) or not hasattr(answer, "__iter__"):
        raise Unreadable(f"{what} should be a list of labels, got {type(answer).__name__}.")
    labels = [str(a) for a in answer]
    if count is not None and len(labels) != count:
        raise Unreadable(f"give exactly {count} labels, you gave {len(labels)}.")
    if len(set(labels)) != len(labels):
        raise Unreadable("a label appears twice in your answer; list each one once.")
    if known is not None:
        known = {str(k) for k in known}
        unknown = [label for label in labels if label not in known]
        if unknown:
            example = sorted(known)[0]
            raise Unreadable(f"{len(unknown)} label(s) are not in the data, e.g. {unknown[0]!r}; "
                             f"use the labels as written in the data (like {example!r}).")
    return labels


def as_choice(answer, options, what: str = "your answer") -> str:
    """One of `options` (strings), matched without regard to case or surrounding spaces.

    For *predict, then check* exercises: the learner commits to one of a few named
    outcomes (``"more"``, ``"b"``, ...) before a cell shows what happened.
    """
    if not isinstance(answer, str):
        raise Unreadable(f"{what} should be one of {list(options)} (a string), got "
                         f"{type(answer).__name__}.")
    choice = answer.strip().lower()
    for option in options:
        if choice == option.lower():
            return option
    raise Unreadable(f"{what} should be one of {list(options)}, got {answer!r}.")


# --- judging ------------------------------------------------------------------------------------

def reject_known_mistakes(value: float, mistakes, precision: Precision) -> None:
    """Raise :class:`Wrong` with the message of the first typical mistake `value` matches.

    `mistakes` is an exercise's table of misconceptions, in order of priority: pairs of
    (the wrong value -- or a tuple of equivalent ones -- and what it means).  A mistake
    is matched at the same stated precision as the right answer.
    """
    for wrong, message in mistakes:
        if any(precision.accepts(value, float(w)) for w in np.atleast_1d(wrong)):
            raise Wrong(message)


def judge_number(value: float, expected: float, precision: Precision, *, mistakes=(),
                 otherwise: str = "that is not the expected value") -> None:
    """Accept `value` if it matches `expected` at `precision`; else explain what is off.

    The right answer is tested first, so a typical mistake that happens to lie close
    to it can never mark a right answer wrong.  Then the table of typical mistakes
    (:func:`reject_known_mistakes`); else :class:`Wrong` with `otherwise` and the
    stated precision.
    """
    if precision.accepts(value, expected):
        return
    reject_known_mistakes(value, mistakes, precision)
    raise Wrong(f"{otherwise} ({precision.phrase}).")
