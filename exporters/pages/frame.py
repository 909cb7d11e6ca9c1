"""A page's drawing frame: the coordinate box its blocks are drawn in, for the viewer and `render_page` alike.

The provider's page size when it gives one; else, when the source page is at hand, that page's shape around what
is drawn; else the extent of the boxes (a Letter shape when only the height is known). And the check that a
result's page and its source's agree in shape: a wrong coordinate frame is what a person looking must catch.
"""

from __future__ import annotations

import math
import sys
from typing import NamedTuple

from normalizer.schema import Block, Document, Page

LETTER_ASPECT = 8.5 / 11  # width / height assumed when only the height is known (LLMWhisperer)
DEFAULT_FRAME = (1000.0, 1294.0)  # a Letter-shaped frame for pages with no size and no boxes
ASPECT_TOLERANCE = 0.02  # a result page whose shape differs from its source page's by more is flagged


class SourcePage(NamedTuple):
    size: tuple[float, float]  # in the source's own units
    kind: str  # "pdf" (points) or "image" (pixels)


def frame(page: Page, blocks: list[Block], source: SourcePage | None = None) -> tuple[float, float, bool]:
    """(width, height, sized): the page size when known, else the source page's shape around what is drawn,
    else the extent of what is drawn. Always two positive finite numbers: a size that is not (the canonical
    model accepts a width of 0 or -5) counts as unknown, and boxes all left of or above the origin give the
    default frame."""
    if _positive(page.width) and _positive(page.height):
        return page.width, page.height, True  # type: ignore[return-value]
    if source is not None:
        return _source_frame(page, blocks, source)
    right, bottom = _extent(blocks)
    if _positive(page.height):
        return max(page.height * LETTER_ASPECT, right), page.height, False  # type: ignore[operator,return-value]
    if page.unit == "pt":  # RAGFlow: PDF points, page box unknown; at least a Letter page
        right, bottom = max(right, 612.0), max(bottom, 792.0)
    if right <= 0 or bottom <= 0:
        return DEFAULT_FRAME[0], DEFAULT_FRAME[1], False
    return _grown(right, 1.04), _grown(bottom, 1.04), False


def _positive(value: float | None) -> bool:
    return value is not None and 0 < value and math.isfinite(value)


def _grown(value: float, factor: float) -> float:
    """`value` with a margin, kept finite (a box reaching 1e308 is a legal box)."""
    return min(value * factor, sys.float_info.max)


def page_blocks(doc: Document) -> dict[int, list[Block]]:
    """Each page's blocks, in reading order, by page number: one pass for every page's frame or drawing."""
    by_page: dict[int, list[Block]] = {}
    for block in doc.blocks:
        by_page.setdefault(block.page, []).append(block)
    return by_page


def page_frames(doc: Document) -> dict[int, tuple[float, float, bool]]:
    """Every page's frame (`frame`), by page number."""
    by_page = page_blocks(doc)
    return {p.number: frame(p, by_page.get(p.number, [])) for p in doc.pages}


def drawn_boxes(block: Block, width: float) -> list[tuple[float, float, float, float]]:
    """Where a block is drawn on a page `width` wide: its box, else a full-width band per line known only by its
    vertical extent (LLMWhisperer); the viewer and `render_page` draw the same."""
    if block.bbox:
        return [(block.bbox[0], block.bbox[1], block.bbox[2], block.bbox[3])]
    return [(0.0, ln.top, width, ln.bottom) for ln in block.lines if ln.top is not None and ln.bottom is not None]


def _extent(blocks: list[Block]) -> tuple[float, float]:
    right = max((b.bbox[2] for b in blocks if b.bbox), default=0.0)
    bottom = max([b.bbox[3] for b in blocks if b.bbox] + [ln.bottom for b in blocks for ln in b.lines
                                                          if ln.bottom is not None], default=0.0)
    return right, bottom


def _source_frame(page: Page, blocks: list[Block], source: SourcePage) -> tuple[float, float, bool]:
    """A page with no size takes its source page's shape: PDF points as they are (RAGFlow's boxes are in
    them); otherwise the known height (LLMWhisperer's lines), or the drawn extent, widened to that shape."""
    sw, sh = source.size
    aspect = sw / sh
    if page.unit == "pt" and source.kind == "pdf":
        return sw, sh, False
    if _positive(page.height):
        return _grown(page.height, aspect), page.height, False  # type: ignore[arg-type,return-value]
    right, bottom = _extent(blocks)
    if right <= 0 or bottom <= 0:
        return sw, sh, False
    height = _grown(max(bottom, right / aspect), 1.02)
    return _grown(height, aspect), height, False


def aspect_note(width: float, height: float, source: SourcePage) -> str | None:
    """Why the boxes may not line up: the result's page and the source's differ in shape by more than 2 %."""
    ours, theirs = width / height, source.size[0] / source.size[1]
    if abs(ours / theirs - 1) <= ASPECT_TOLERANCE:
        return None
    unit = "pt" if source.kind == "pdf" else "px"
    return (f"the result's page is {width:g} × {height:g} (width/height {ours:.3f}) but the source page is "
            f"{source.size[0]:g} × {source.size[1]:g} {unit} ({theirs:.3f}): the boxes may be in another frame")
