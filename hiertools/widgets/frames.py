"""Explorer frames for a page without a kernel: the website renders each explorer this way.

:func:`explorer_controls` lists an explorer's sliders (label, default, teaching grid,
value format); :func:`explorer_frames` renders its figure at chosen values of one slider,
every other slider at its default, with the lesson's default data -- through the same
compute and draw functions, the same figure size and dpi, the same blitting and the same
PNG encoding as the notebook explorer, so a frame is byte for byte the image the notebook
explorer shows at that value.  Nothing here imports ipywidgets.
"""

from __future__ import annotations

from . import pooling, shrinkage, slopes
from ._lessons import lesson_defaults

__all__ = ["explorer_controls", "explorer_frames"]

_MODULES = {"pooling": pooling, "shrinkage": shrinkage, "slopes": slopes}


def _module(name):
    if name not in _MODULES:
        raise ValueError(f"name must be one of {sorted(_MODULES)}, got {name!r}.")
    return _MODULES[name]


def _default_data(name):
    """The explorer's data with its lesson's defaults (what ``ht.<name>_explorer()`` shows)."""
    kwargs = lesson_defaults(name)
    return {"pooling": pooling.pooling_data, "shrinkage": shrinkage.shrinkage_data,
            "slopes": slopes.slopes_data}[name](**kwargs)


def _controls(name, data) -> dict:
    return data.controls if name == "slopes" else _module(name)._controls(data)


def explorer_controls(name: str) -> dict[str, dict]:
    """The sliders of explorer `name`, in display order, with the lesson's default data.

    Parameters
    ----------
    name : {"pooling", "shrinkage", "slopes"}

    Returns
    -------
    dict of str to dict
        One entry per slider (its key is the ``control`` of :func:`explorer_frames`),
        each with ``label`` (the slider's label as plain text), ``default`` (its starting
        value in the lesson), ``grid`` (a list of 20-40 teaching values on the slider's
        own steps, the default included; the pooling slider runs from complete pooling, 0,
        to no pooling, 1), ``format`` (a ``str.format`` template for a value,
        e.g. ``"{:.2f}"``) and ``help`` (one sentence on what the slider sets, the
        notebook slider's tooltip; the website prints it under the slider).

    Examples
    --------
    >>> from hiertools.widgets import explorer_controls
    >>> trust = explorer_controls("pooling")["trust"]
    >>> trust["grid"][0], trust["grid"][-1], trust["format"].format(trust["default"])
    (0.0, 1.0, '0.78')
    """
    _module(name)  # a wrong name: ValueError listing the explorers
    return {key: control.as_dict() for key, control in _controls(name, _default_data(name)).items()}


def explorer_frames(name: str, control: str, values=None) -> list[tuple[bytes, str]]:
    """PNG bytes and alt text of explorer `name`'s figure at each value of one slider.

    Parameters
    ----------
    name : {"pooling", "shrinkage", "slopes"}
    control : str
        A key of :func:`explorer_controls` (e.g. ``"trust"``, ``"tau"``, ``"rho"``).
    values : sequence of numbers, optional
        Slider values; default: the control's ``grid``.  Every other slider stays at its
        default, the lesson's data and chosen group are the notebook explorer's defaults.

    Returns
    -------
    list of (bytes, str)
        For each value, the figure as a palette PNG (the notebook explorer's exact bytes at
        that value) and its alt text (what the frame shows and what the slider changed).

    Examples
    --------
    >>> from hiertools.widgets import explorer_frames
    >>> (png, alt), = explorer_frames("pooling", "trust", [0.0])
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n", alt.startswith("Complete pooling")
    (True, True)
    """
    module = _module(name)
    data = _default_data(name)
    controls = _controls(name, data)
    if control not in controls:
        raise ValueError(f"control must be one of {list(controls)} for the {name} explorer, "
                         f"got {control!r}.")
    spec = controls[control]
    values = list(spec.grid if values is None else values)
    for value in values:
        if not spec.minimum <= value <= spec.maximum:
            raise ValueError(f"values: {value!r} is outside the {control} slider's range "
                             f"[{spec.minimum}, {spec.maximum}].")
    canvas, axes = module._canvas(data)
    draw = {"pooling": pooling.draw_pooling, "shrinkage": shrinkage.draw_shrinkage,
            "slopes": slopes.draw_slopes}[name]
    frames = []
    for value in values:
        settings = {key: c.default for key, c in controls.items()}
        settings[control] = int(value) if spec.integer else float(value)
        frame = _frame(name, data, settings)
        draw(frame, axes)
        frames.append((canvas.png(), frame.alt))
    return frames


def _frame(name, data, settings):
    if name == "pooling":
        return pooling.pooling_frame(data, settings["trust"])
    if name == "shrinkage":
        return shrinkage.shrinkage_frame(data, settings["tau"], settings["sigma"], settings["n"])
    return slopes.slopes_frame(data, *(settings[key] for key in slopes._NAMES))
