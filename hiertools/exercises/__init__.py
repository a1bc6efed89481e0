"""Exercises: instant, fair feedback for every lesson's exercises.

The generic machinery -- :class:`Feedback`, :func:`check`, :func:`hint`, the
registry, answer coercion and the tolerance policy (:class:`Precision`) -- lives
in :mod:`hiertools.exercises._core`.  Each lesson has its own module
(``lesson01``, ``lesson02``, ...) that owns the lesson's data settings, its
cached data and fits, its checkers with their tables of typical mistakes, and
the defaults of its explorer.  Lesson modules are found and imported here
automatically, so adding a lesson's exercises touches only that lesson's module.
"""

from __future__ import annotations

import importlib
import pkgutil

from ._core import Feedback, Hint, Precision, check, hint, list_exercises, reset_attempts

__all__ = ["Feedback", "Hint", "Precision", "check", "hint", "list_exercises", "reset_attempts"]

LESSON_MODULES = tuple(sorted(info.name for info in pkgutil.iter_modules(__path__)
                              if info.name.startswith("lesson")))
for _name in LESSON_MODULES:
    importlib.import_module(f"{__name__}.{_name}")
