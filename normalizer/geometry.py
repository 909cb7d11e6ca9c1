"""Boxes at the boundary: every provider frame becomes `[x0, y0, x1, y1]`, top-left origin, page units.

The hot paths (`clean_box`, `clean_xywh`) accept only what needs no repair; `checked_box` judges and reports
the rest. A box with an unknown component (null, text, NaN, a boolean, an integer past the float range) is no
box: callers keep the raw value in extra. Sums start from 0.0 so that an integer no float can hold raises
`OverflowError` (caught) instead of passing the `* 0 == 0` test and failing later in `float()`; booleans are
refused by type, since Python counts `true` as 1.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable

from .errors import Repairs, describe
from .schema import BBox


def xywh(x: float, y: float, w: float, h: float) -> BBox | None:
    """`[x, y, w, h]` of finite numbers -> `[x0, y0, x1, y1]` in corner order; None when a corner is not finite
    (1e308 + 1e308 overflows)."""
    x1, y1 = x + w, y + h
    if not finite_numbers((x, y, x1, y1)):
        return None
    return [min(x, x1), min(y, y1), max(x, x1), max(y, y1)]


def union(boxes: Iterable[BBox]) -> BBox | None:
    boxes = list(boxes)
    if not boxes:
        return None
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


def finite_numbers(values: Any) -> bool:
    """Whether every value of a list or tuple is a finite number and no boolean: their sum times zero is 0 only
    then (NaN, inf, text, lists and null all fail; an integer past the float range raises), in one C-level pass;
    a sum that overflowed (1e308 + 1e308) looks at each value."""
    try:
        if sum(values, 0.0) * 0 == 0:
            return bool not in map(type, values)
        return all(type(v) is not bool and math.isfinite(v) for v in values)
    except (TypeError, OverflowError):
        return False


def points_box(points: Any) -> BBox | None:
    """The box around a polygon's `[x, y]` corners; None unless there is at least one corner and every corner
    is two finite numbers."""
    if type(points) is not list or not points:
        return None
    xs, ys = [], []
    for point in points:
        if type(point) is not list or len(point) != 2:
            return None
        xs.append(point[0])
        ys.append(point[1])
    if not (finite_numbers(xs) and finite_numbers(ys)):
        return None
    return [float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys))]


def _no_bool(a: Any, b: Any, c: Any, d: Any) -> bool:
    return type(a) is not bool and type(b) is not bool and type(c) is not bool and type(d) is not bool


def clean_box(values: Any) -> BBox | None:
    """The hot path of `checked_box`: four finite numbers already in corner order, as floats; None for
    anything else (missing, malformed, reversed), which `checked_box` then judges and reports."""
    if type(values) is list and len(values) == 4:
        a, b, c, d = values
        try:
            if sum(values, 0.0) * 0 == 0 and a <= c and b <= d and _no_bool(a, b, c, d):
                return [float(a), float(b), float(c), float(d)]
        except (TypeError, OverflowError):
            pass
    return None


def clean_xywh(values: Any) -> BBox | None:
    """`clean_box` for `[x, y, w, h]` boxes: four finite numbers with no negative size, as corners. A tuple is
    what a typed decode gave: four floats already."""
    if type(values) is tuple:
        x, y, w, h = values
        x1, y1 = x + w, y + h
        if (x + y + x1 + y1) * 0 == 0 and w >= 0 and h >= 0:  # the corners' sum: an overflow is no box
            return [x, y, x1, y1]
        return None
    if type(values) is list and len(values) == 4:
        x, y, w, h = values
        try:
            x1, y1 = x + w, y + h
            if (x + y + x1 + y1) * 0.0 == 0 and w >= 0 and h >= 0 and _no_bool(x, y, w, h):
                return [float(x), float(y), float(x1), float(y1)]
        except (TypeError, OverflowError):
            pass
    return None


def checked_box(values: Any, repairs: Repairs, path: str | Callable[[], str], *,
                xywh_order: bool = False) -> BBox | None:
    """A provider's 4-number box as `[x0, y0, x1, y1]` (from `[x, y, w, h]` when `xywh_order`); None, with a
    repair, when it is not four finite numbers. Reversed corners are put in order silently: same rectangle.

    Called once per block: `path` may be a function giving the JSON path, spelled out only for a repair.
    """
    if values is None:
        return None
    box = clean_xywh(values) if xywh_order else clean_box(values)
    if box is not None:
        return box
    if callable(path):
        path = path()
    try:
        a, b, c, d = values
    except (TypeError, ValueError):
        a = b = c = d = None
    if a is None or not finite_numbers(values) or (xywh_order and not finite_numbers((a + c, b + d))):
        repairs(path, f"expected four finite numbers, found {describe(values)}", "no box; the value is kept in extra")
        return None
    if xywh_order:
        c, d = a + c, b + d
    return [float(min(a, c)), float(min(b, d)), float(max(a, c)), float(max(b, d))]


def box_of_parts(x: Any, y: Any, w: Any, h: Any, repairs: Repairs, path: str | Callable[[], str]) -> BBox | None:
    """An `{x, y, w, h}` object's box. A part that is missing, null or not finite makes it no box (None, with a
    repair at that part's path): a box with an unknown corner is not invented at 0. A negative size is
    read as the same rectangle drawn the other way."""
    if type(x) is float and type(y) is float and type(w) is float and type(h) is float:
        x1, y1 = x + w, y + h  # the hot path: the typed decode gave four floats, finite corners, no negative size
        if (x + y + x1 + y1) * 0 == 0 and w >= 0 and h >= 0:
            return [x, y, x1, y1]
    parts = (x, y, w, h)
    if finite_numbers(parts):
        corners = xywh(x, y, w, h)
        if corners is not None:
            return [float(v) for v in corners]
        where = path() if callable(path) else path
        repairs(where, f"expected a box whose corners are finite, found x={x!r}, y={y!r}, w={w!r}, h={h!r}",
                "no box; the raw box is kept in extra")
        return None
    where = path() if callable(path) else path
    for name, value in zip("xywh", parts):
        if not finite_numbers((value,)):
            repairs(f"{where}.{name}", f"expected a number, found {describe(value)}",
                    "no box; the raw box is kept in extra")
            break
    return None
