"""What the document view draws over a page besides the boxes: each block's reading-order number on a chip placed
beside its box (never over its first letters), and the text of each line LLMWhisperer knows only by its vertical
extent, written into its band so the page drawing reads like the page.

Pure functions over numbers and canonical lines; the template escapes every string.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

from normalizer.schema import Block

Box = tuple[float, float, float, float]  # x, y, width, height


class Chip(NamedTuple):
    """A reading-order number and the rectangle of its chip, in page units."""
    number: int
    kind: str
    x: float
    y: float
    w: float
    h: float
    size: float  # the number's font size


# Where a chip of size (w, h) goes beside a box, in order of preference: the first that lies on the page wins;
# failing all, the box's own corner. Left of the box is the page margin for most blocks.
_PLACES: tuple[tuple[str, Callable[[Box, float, float, float], tuple[float, float]]], ...] = (
    ("left", lambda b, w, h, gap: (b[0] - w - gap, b[1])),
    ("right", lambda b, w, h, gap: (b[0] + b[2] + gap, b[1])),
    ("above", lambda b, w, h, gap: (b[0], b[1] - h - gap)),
)


def order_chip(number: int, kind: str, box: Box, page: tuple[float, float]) -> Chip:
    """The chip for block `number` of a page (`page` its width and height): beside its box where the page has
    room, so the number never hides the block's first letters; inside the box's corner only when nothing else fits.

    >>> [round(v, 1) for v in order_chip(3, "paragraph", (72.0, 100.0, 300.0, 40.0), (612.0, 792.0))[2:4]]  # margin
    [57.9, 100.0]
    >>> order_chip(3, "paragraph", (0.0, 0.0, 612.0, 40.0), (612.0, 792.0))[2:4]  # full width, at the top: inside
    (0.0, 0.0)
    """
    size = page[0] / 55
    w, h, gap = size * (0.62 * len(str(number)) + 0.5), size * 1.3, size * 0.15
    for _, place in _PLACES:
        x, y = place(box, w, h, gap)
        if 0 <= x and x + w <= page[0] and 0 <= y and y + h <= page[1]:
            return Chip(number, kind, x, y, w, h, size)
    return Chip(number, kind, box[0], box[1], w, h, size)


class LineText(NamedTuple):
    """A line's text drawn in its band: where it starts, its baseline, its size and the width it is fitted to."""
    kind: str
    x: float
    y: float
    size: float
    length: float
    text: str


_MIN_COLUMNS = 60  # a page of short lines is not stretched across the page


def band_texts(blocks: list[Block], width: float) -> list[LineText]:
    """The text of every line drawn as a band (a block without a box whose lines have a vertical extent), laid out
    in character columns: a page `width` wide holds its longest line (at least 60 columns), so the columns of a
    layout-preserving text line up in the drawing as they do in the text.

    >>> from normalizer.schema import Line
    >>> line = Line(text="   Period      Rent", top=100.0, bottom=140.0)
    >>> band_texts([Block(id="b", page=1, kind="paragraph", text="Period      Rent", lines=[line])], 600.0)
    [LineText(kind='paragraph', x=30.0, y=132.8, size=32.0, length=160.0, text='Period      Rent')]
    """
    lines = [(b.kind, ln) for b in blocks if not b.bbox for ln in b.lines
             if ln.top is not None and ln.bottom is not None and ln.text.strip()
             and 0 < ln.bottom - ln.top < math.inf]  # a band with no height (or none finite) has no room for text
    if not lines:
        return []
    column = width / max(max(len(ln.text.rstrip()) for _, ln in lines) + 2, _MIN_COLUMNS)  # a margin on the right
    out = []
    for kind, ln in lines:
        text = ln.text.rstrip()
        indent = len(text) - len(text.lstrip())
        height = ln.bottom - ln.top  # type: ignore[operator]
        out.append(LineText(kind, indent * column, ln.bottom - height * 0.18, height * 0.8,  # type: ignore[operator]
                            (len(text) - indent) * column, text[indent:]))
    return out
