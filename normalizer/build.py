"""What every converter needs after mapping its own fields: block ids, the section tree, captions."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from .errors import Repairs, describe
from .schema import BBox, Block, Document

FURNITURE = frozenset({"header", "footer", "page_number"})  # outside the section flow


def xywh(x: float, y: float, w: float, h: float) -> BBox:
    """`[x, y, w, h]` -> `[x0, y0, x1, y1]` (plain float sums: rounding costs 15% of a large normalize)."""
    return [x, y, x + w, y + h]


def union(boxes: Iterable[BBox]) -> BBox | None:
    boxes = list(boxes)
    if not boxes:
        return None
    return [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]


def compact(mapping: dict[str, Any]) -> dict[str, Any]:
    """`mapping` without None values: absent provider fields are not worth an `extra` entry."""
    return {k: v for k, v in mapping.items() if v is not None}


class PageBlocks:
    """Appends blocks of one page to the document's reading order, numbering them `p{page}-b{i}`.

    A converter's per-block hot path builds the Block itself (`Block(id=out.next_id(), page=out.page, ...)`,
    then `out.append`): passing fields on through `add(**fields)` costs as much again as building the Block.
    """

    __slots__ = ("page", "blocks", "start")

    def __init__(self, page: int, blocks: list[Block]):
        self.page = page
        self.blocks = blocks
        self.start = len(blocks)  # index of the page's first block

    def next_id(self) -> str:
        return f"p{self.page}-b{len(self.blocks) - self.start}"

    def append(self, block: Block) -> Block:
        self.blocks.append(block)
        return block

    def add(self, **fields: Any) -> Block:
        return self.append(Block(id=self.next_id(), page=self.page, **fields))


def formula_latex(md: str | None) -> str | None:
    """The LaTeX of a `$$…$$` markdown fragment, or None when `md` is not display math."""
    if not md:
        return None
    s = md.strip()
    if len(s) >= 4 and s.startswith("$$") and s.endswith("$$"):
        return s[2:-2].strip()
    return None


def heading_level(level: int | None, repairs: Repairs, path: str) -> int:
    if level is not None and not 1 <= level <= 6:
        repairs(path, f"expected a heading level 1..6, found {level}", "clamped")
        level = min(max(level, 1), 6)
    return level or 1


def section_tree(blocks: list[Block]) -> None:
    """Set `Block.parent` to the nearest enclosing heading; a heading closes headings of its level or deeper."""
    stack: list[tuple[int, str]] = []
    for block in blocks:
        if block.kind in FURNITURE:
            block.parent = None
            continue
        if block.kind == "heading":
            level = block.level or 1
            while stack and stack[-1][0] >= level:
                stack.pop()
            block.parent = stack[-1][1] if stack else None
            stack.append((level, block.id))
        else:
            block.parent = stack[-1][1] if stack else None


def link_captions(blocks: list[Block]) -> None:
    """Attach each unclaimed caption block to the adjacent figure or table on its page.

    For providers that emit captions as ordinary blocks with no link: the caption right after (or, failing
    that, right before) a figure/table belongs to it.
    """
    claimed = {cid for b in blocks for cid in b.captions}
    for i, block in enumerate(blocks):
        if block.kind != "caption" or block.id in claimed:
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(blocks):
                target = blocks[j]
                if target.page == block.page and target.kind in ("figure", "table"):
                    target.captions = [*target.captions, block.id]
                    claimed.add(block.id)
                    break


def finish(doc: Document, repairs: Repairs) -> Document:
    section_tree(doc.blocks)
    doc.warnings = list(repairs.warnings)
    return doc


def finite_numbers(values: Any) -> bool:
    """Whether every value is a finite number: their sum times zero is 0 only then (NaN, inf, text, lists and
    null all fail), in one C-level pass."""
    try:
        return sum(values, 0) * 0 == 0
    except TypeError:
        return False


def zero_based_page(value: int | None, position: int, repairs: Repairs, path: str) -> int:
    """The 1-based page number of a provider's 0-based `value`; its position (1-based), with a repair, when the
    value is missing or negative."""
    if value is not None and value >= 0:
        return value + 1
    repairs(path, f"expected a 0-based page number, found {describe(value)}", f"used position {position}")
    return position


def clean_box(values: Any) -> BBox | None:
    """The hot path of `checked_box`: four finite numbers already in corner order, as floats; None for
    anything else (missing, malformed, reversed), which `checked_box` then judges and reports."""
    if type(values) is list and len(values) == 4:
        a, b, c, d = values
        try:
            if sum(values, 0) * 0 == 0 and a <= c and b <= d:
                return [float(a), float(b), float(c), float(d)]
        except TypeError:
            pass
    return None


def clean_xywh(values: Any) -> BBox | None:
    """`clean_box` for `[x, y, w, h]` boxes: four finite numbers with no negative size, as corners."""
    if type(values) is list and len(values) == 4:
        x, y, w, h = values
        try:
            if sum(values, 0) * 0 == 0 and w >= 0 and h >= 0:
                return [float(x), float(y), float(x + w), float(y + h)]
        except TypeError:
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
    if a is None or not finite_numbers(values):
        repairs(path, f"expected four numbers, found {describe(values)}", "no box; the value is kept in extra")
        return None
    if xywh_order:
        c, d = a + c, b + d
    return [float(min(a, c)), float(min(b, d)), float(max(a, c)), float(max(b, d))]
