"""Judging a result's text against the PDF's: what is scored (units), how alike two texts are, one unit under a
transform, and the PDF text no box covers.

A unit is a block with text and a box, or a table cell with both (a table whose cells have no boxes is one unit,
compared as a bag of words: a table's order of reading is not the PDF's). Figures, formulas, barcodes and seals
are not expected to say what the PDF's text layer says and are left out. Everything is in fractions of the page
(`words`), so a transform (`Transform.matrix`) moves a box before its words are looked up.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np
from rapidfuzz.distance import Levenshtein

from normalizer.schema import Block, Document

from ..pages.frame import drawn_boxes
from .result import MissedLine
from .words import Box, PageWords, normalize_text, under, union

NOT_TEXT = frozenset({"figure", "formula", "barcode", "seal"})  # not expected in the PDF's text layer
MARGIN = 0.004  # a box is widened by this fraction of its page each side (about 3 pt on a Letter page)
MAX_KEY = 20_000  # characters of a text compared (the edit distance costs their product / 64)
TRIM_LINES = 2  # a box that holds more text than its block may lose this many lines at either end
MAX_MISSED = 1000  # missed lines listed per document (the share counts them all)
IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

Matrix = tuple[float, float, float, float, float, float]
Frames = dict[int, tuple[float, float]]
PageOf = Callable[[int], "PageWords | str"]  # a PDF page (0-based) -> its words, or why there are none


class Unit(NamedTuple):
    block: int  # index in doc.blocks
    cell: int  # index in its table's cells; -1 for the block itself
    page: int  # the result's page number
    box: Box  # fractions of that page's frame
    key: str  # its text normalized (`bag`: its words' keys sorted)
    bag: bool


class Judged(NamedTuple):
    similarity: float | None  # None: its PDF page has no words to judge it by
    words: np.ndarray  # the PDF words under its box
    pdf_index: int


def _fractions(bbox: list[float] | tuple, frame: tuple[float, float]) -> Box:
    w, h = frame
    return bbox[0] / w, bbox[1] / h, bbox[2] / w, bbox[3] / h


def _bag(text: str) -> str:
    return "".join(sorted(normalize_text(t) for t in text.split()))


def _area(box: list[float] | tuple) -> float:
    return max(box[2] - box[0], 0.0) * max(box[3] - box[1], 0.0)


def _boxed_cells(block: Block) -> list:
    """A table's cells with text and a box of their own (a box as large as the table's is none: some providers
    give every cell the table's box)."""
    if block.table is None or not block.bbox:
        return []
    whole = _area(block.bbox) * 0.9
    return [(k, c) for k, c in enumerate(block.table.cells)
            if c.bbox and normalize_text(c.text) and (_area(c.bbox) < whole or len(block.table.cells) == 1)]


def units_of(doc: Document, frames: Frames) -> list[Unit]:
    """Every block and cell the audit scores, in reading order, boxes as fractions of their page's frame: what
    is expected to be in the PDF's text layer (not figures, formulas, barcodes, seals; not boxless blocks).

    Example:
        >>> from normalizer.schema import Block
        >>> doc = Document(provider="x", format="docnorm", blocks=[
        ...     Block(id="a", page=1, kind="paragraph", text="Hello, world", bbox=[10, 20, 30, 40]),
        ...     Block(id="b", page=1, kind="formula", text="x^2", bbox=[0, 0, 5, 5])])
        >>> [(u.key, u.box) for u in units_of(doc, {1: (100.0, 200.0)})]
        [('helloworld', (0.1, 0.1, 0.3, 0.2))]
    """
    units: list[Unit] = []
    for n, b in enumerate(doc.blocks):
        frame = frames.get(b.page)
        if frame is None or b.kind in NOT_TEXT or not b.bbox:
            continue
        boxed = _boxed_cells(b)
        if boxed:
            units += [Unit(n, k, b.page, _fractions(c.bbox, frame), normalize_text(c.text), False)
                      for k, c in boxed]  # type: ignore[arg-type]
        elif b.table is not None and b.text.strip():
            units.append(Unit(n, -1, b.page, _fractions(b.bbox, frame), _bag(b.text), True))
        elif normalize_text(b.text):
            units.append(Unit(n, -1, b.page, _fractions(b.bbox, frame), normalize_text(b.text), False))
    return units


def moved(box: Box, m: Matrix) -> Box:
    """`box` (fractions) under the transform `m`: its four corners moved, the box around them; how every
    candidate frame and the repair move a box.

    Example:
        >>> moved((0.1, 0.2, 0.3, 0.4), (1.0, 0.0, 0.0, -1.0, 0.0, 1.0))  # y -> 1 - y
        (0.1, 0.6, 0.3, 0.8)
    """
    if m == IDENTITY:
        return box
    a, b, c, d, e, f = m
    corners = [(x, y) for x in (box[0], box[2]) for y in (box[1], box[3])]
    xs = [a * x + b * y + e for x, y in corners]
    ys = [c * x + d * y + f for x, y in corners]
    return min(xs), min(ys), max(xs), max(ys)


def _ratio(a: str, b: str) -> float:
    """1 - edit distance / the longer length: 1 for the same text, near 0.2 for two unrelated English texts."""
    if not b:
        return 0.0
    return Levenshtein.normalized_similarity(a[:MAX_KEY], b[:MAX_KEY])


def _in_order(key: str, texts: list[str]) -> list[str]:
    """The lines under a box in the order the block's text has them: PDFium orders the lines of a turned page
    its own way. A line (of 4 characters or more) found in the text goes where it is first found; any other
    follows the line before it. Lines of wrong text are found nowhere and keep their order."""
    if len(texts) < 2:
        return texts
    places, last = [], -1.0
    for n, text in enumerate(texts):
        at = key.find(text[:MAX_KEY]) if len(text) >= 4 else -1
        last = float(at) if at >= 0 else last + 1e-6
        places.append((last, n))
    return [texts[n] for _, n in sorted(places)]


def _similarity(unit: Unit, page: PageWords, found: np.ndarray) -> float:
    """How alike the unit's text and the PDF words under its box are, 0..1. A box that holds more text than its
    block (a neighbour's line caught at its top or bottom) is also tried without up to TRIM_LINES lines at either
    end: a few comparisons, not one per span."""
    if unit.bag:
        return _ratio(unit.key, "".join(sorted(page.keys[i] for i in found)))
    lines = np.split(found, np.flatnonzero(np.diff(page.line[found])) + 1) if len(found) else []
    texts = ["".join(page.keys[i] for i in line) for line in lines]
    got = "".join(texts)
    best = _ratio(unit.key, got)
    if best < 0.98 and len(texts) > 1:  # the page's order, or the text's where it differs (a repeated phrase
        ordered = _in_order(unit.key, texts)  # may put a line in the wrong place: the better of the two)
        again = _ratio(unit.key, "".join(ordered))
        if again > best:
            best, texts = again, ordered
    if best >= 0.98 or len(got) <= 1.15 * len(unit.key):
        return best
    for top in range(TRIM_LINES + 1):
        for bottom in range(TRIM_LINES + 1):
            if (top or bottom) and top + bottom < len(texts):
                best = max(best, _ratio(unit.key, "".join(texts[top:len(texts) - bottom])))
    return best


def _judge(unit: Unit, page_of: PageOf, m: Matrix, offset: int) -> Judged:
    """One unit under a transform and a page offset."""
    index = unit.page - 1 + offset
    page = page_of(index)
    if isinstance(page, str) or not page.words:
        return Judged(None, np.zeros(0, dtype=np.int64), index)
    found = under(page, moved(unit.box, m), MARGIN)
    return Judged(_similarity(unit, page, found), found, index)


def _covered(blocks: list[Block], frame: tuple[float, float], page: PageWords, m: Matrix) -> np.ndarray:
    covered = np.zeros(len(page.words), dtype=bool)
    for block in blocks:
        for box in drawn_boxes(block, frame[0]):
            covered[under(page, moved(_fractions(box, frame), m), MARGIN)] = True
    return covered


def _missed(doc_blocks: dict[int, list[Block]], frames: Frames, page_of: PageOf, m: Matrix, offset: int,
           swap: bool) -> tuple[list[MissedLine], int, int]:
    """The PDF's words that no block's box covers, as runs of a line (boxes in the repaired page's units), with
    the characters missed and the characters read on the result's pages."""
    lines: list[MissedLine] = []
    lost = total = 0
    for number, frame in sorted(frames.items()):
        page = page_of(number - 1 + offset)
        if isinstance(page, str) or not page.words:
            continue
        total += page.chars
        shown = (frame[1], frame[0]) if swap else frame
        left = np.flatnonzero(~_covered(doc_blocks.get(number, []), frame, page, m))
        for run in np.split(left, np.flatnonzero((np.diff(left) != 1) | (np.diff(page.line[left]) != 0)) + 1):
            chars = sum(len(page.keys[i]) for i in run)
            if not chars:
                continue
            lost += chars
            if len(lines) < MAX_MISSED:
                x0, y0, x1, y1 = union(page, run)
                lines.append(MissedLine(page=number + offset, pdf_page=number + offset,
                                        bbox=[round(v, 2) for v in (x0 * shown[0], y0 * shown[1],
                                                                    x1 * shown[0], y1 * shown[1])],
                                        text=" ".join(page.words[i] for i in run)))
    return lines, lost, total
