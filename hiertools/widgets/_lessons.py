"""Which data an explorer shows when it is called with no arguments.

The explorers are generic: they take data and labels.  Lesson content lives in the
lesson modules under :mod:`hiertools.exercises`, and each lesson module that owns an
explorer's defaults registers them here when it is imported (``import hiertools``
imports them all).  The dependency runs one way: lessons import this module, never
the reverse, so no module outside ``hiertools.exercises`` imports lesson content.
"""

from __future__ import annotations

from collections.abc import Callable

#: explorer name -> (lesson, a function returning the explorer's keyword arguments)
_DEFAULTS: dict[str, tuple[str, Callable[[], dict]]] = {}

EXPLORERS = ("pooling", "shrinkage", "slopes")


def register_defaults(explorer: str, lesson: str, defaults: Callable[[], dict]) -> None:
    """Make ``defaults()`` (keyword arguments of the explorer) what `explorer` shows by default.

    Parameters
    ----------
    explorer : {"pooling", "shrinkage", "slopes"}
    lesson : str
        The lesson that owns the data (e.g. ``"01"``), named in error messages.
    defaults : callable
        Called with no arguments each time a default explorer is built; returns the
        explorer's keyword arguments (its data, labels and starting values).
    """
    if explorer not in EXPLORERS:
        raise ValueError(f"explorer must be one of {EXPLORERS}, got {explorer!r}.")
    if not callable(defaults):
        raise TypeError(f"defaults must be a function returning the explorer's keyword "
                        f"arguments, got {type(defaults).__name__}.")
    _DEFAULTS[explorer] = (str(lesson), defaults)


def lesson_defaults(explorer: str) -> dict:
    """The keyword arguments `explorer` uses when called with none (a fresh dict)."""
    if explorer not in _DEFAULTS:
        raise RuntimeError(f"No lesson has registered data for the {explorer} explorer; "
                           "import hiertools.exercises (import hiertools does), or pass your "
                           "own data.")
    return dict(_DEFAULTS[explorer][1]())
