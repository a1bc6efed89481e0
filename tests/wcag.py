"""WCAG 2.x colour contrast, written from the definitions (not from the package under test).

Relative luminance: https://www.w3.org/TR/WCAG21/#dfn-relative-luminance -- each sRGB
channel c in [0, 1] is linearised as c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055)
** 2.4, and L = 0.2126 R + 0.7152 G + 0.0722 B.  Contrast ratio:
https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio -- (L1 + 0.05) / (L2 + 0.05), lighter over
darker.  Level AA asks for at least 4.5:1 for normal-size text.

>>> round(contrast((0, 0, 0), (255, 255, 255)), 2)
21.0
>>> round(contrast((119, 119, 119), (255, 255, 255)), 2)   # #777 on white: just fails AA
4.48
>>> parse_color("rgba(0, 0, 0, 0.5)"), parse_color("#fdecea"), parse_color("rgb(1,2,3)")
((0.0, 0.0, 0.0, 0.5), (253.0, 236.0, 234.0, 1.0), (1.0, 2.0, 3.0, 1.0))
>>> composite((0, 0, 0, 0.5), (255, 255, 255))
(127.5, 127.5, 127.5)
"""

from __future__ import annotations

import re

AA_NORMAL_TEXT = 4.5


def _linear(channel: float) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(rgb) -> float:
    """Relative luminance of an sRGB colour given as (r, g, b) in 0..255."""
    r, g, b = (_linear(float(v)) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(fg, bg) -> float:
    """WCAG contrast ratio of two opaque colours, 1 to 21."""
    high, low = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def parse_color(text: str) -> tuple[float, float, float, float]:
    """``#rgb``, ``#rrggbb``, ``rgb(...)`` or ``rgba(...)`` as (r, g, b, alpha)."""
    text = text.strip().lower()
    if text.startswith("#"):
        digits = text[1:]
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        if len(digits) != 6:
            raise ValueError(f"not a #rrggbb colour: {text!r}")
        return (*(float(int(digits[i:i + 2], 16)) for i in (0, 2, 4)), 1.0)
    match = re.fullmatch(r"rgba?\(([^)]*)\)", text)
    if not match:
        raise ValueError(f"not a colour this parser reads: {text!r}")
    parts = [float(p) for p in re.split(r"[,\s/]+", match.group(1).strip()) if p]
    return (parts[0], parts[1], parts[2], parts[3] if len(parts) > 3 else 1.0)


def composite(top, bottom) -> tuple[float, float, float]:
    """A colour with alpha `top` painted over the opaque colour `bottom` (r, g, b)."""
    alpha = top[3] if len(top) > 3 else 1.0
    return tuple(alpha * t + (1 - alpha) * b for t, b in zip(top[:3], bottom[:3]))
