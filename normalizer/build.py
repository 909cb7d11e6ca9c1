"""What every converter needs after mapping its own fields: block ids, the section tree, captions, page numbers."""

from __future__ import annotations

import math
from typing import Any

from .errors import Repairs, describe
from .kinds import FURNITURE  # noqa: F401  (the readers' name for the kinds outside the section flow)
from .schema import RETRIEVAL_SCORES, Block, Chunk, Document


def compact(mapping: dict[str, Any]) -> dict[str, Any]:
    """`mapping` without None values: absent provider fields are not worth an `extra` entry."""
    return {k: v for k, v in mapping.items() if v is not None}


class PageBlocks:
    """Appends blocks of one page to the document's reading order, numbering them `p{page}-b{i}`.

    A converter's per-block hot path builds the Block itself (`Block(id=out.next_id(), page=out.page, ...)`,
    then `out.append`): passing fields on through `add(**fields)` costs as much again as building the Block.
    """

    __slots__ = ("page", "blocks", "start", "prefix")

    def __init__(self, page: int, blocks: list[Block]):
        self.page = page
        self.blocks = blocks
        self.start = len(blocks)  # index of the page's first block
        self.prefix = f"p{page}-b"

    def next_id(self) -> str:
        return self.prefix + str(len(self.blocks) - self.start)

    def append(self, block: Block) -> Block:
        self.blocks.append(block)
        return block

    def add(self, **fields: Any) -> Block:
        return self.append(Block(id=self.next_id(), page=self.page, **fields))


class BlockIds:
    """`p{page}-b{i}` ids for blocks that do not come page after page (a tree or list may return to a page):
    each page counts its own. `ids(page)` is the next id on that page."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count: dict[int, int] = {}

    def __call__(self, page: int) -> str:
        n = self.count.get(page, 0)
        self.count[page] = n + 1
        return f"p{page}-b{n}"


def formula_latex(md: str | None) -> str | None:
    """The LaTeX of a `$$…$$` markdown fragment, or None when `md` is not display math."""
    if not md:
        return None
    s = md.strip()
    if len(s) >= 4 and s.startswith("$$") and s.endswith("$$"):
        return s[2:-2].strip()
    return None


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
    found = [i for i, block in enumerate(blocks) if block.kind == "caption"]
    if not found:  # most pages have none: no pass over every block's links
        return
    claimed = {cid for b in blocks for cid in b.captions}
    for i in found:
        block = blocks[i]
        if block.id in claimed:
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(blocks):
                target = blocks[j]
                if target.page == block.page and target.kind in ("figure", "table"):
                    target.captions = [*target.captions, block.id]
                    claimed.add(block.id)
                    break


def finish(doc: Document, repairs: Repairs, sections: bool = True) -> Document:
    """The last step of every converter: block ids made unique (an input may give a page number twice), the
    section tree (unless the converter built it already) and the repairs made for this document."""
    _unique_ids(doc.blocks, repairs)
    if sections:
        section_tree(doc.blocks)
    doc.warnings = repairs.collected()
    return doc


def zero_based_page(value: int | None, position: int, repairs: Repairs, path: str) -> int:
    """The 1-based page number of a provider's 0-based `value`; its position (1-based), with a repair, when the
    value is missing or negative."""
    if value is not None and value >= 0:
        return value + 1
    repairs(path, f"expected a 0-based page number, found {describe(value)}", f"used position {position}")
    return position


def _unique_ids(blocks: list[Block], repairs: Repairs) -> None:
    """Ids are `p{page}-b{i}` per run of a page's blocks; a page given twice would repeat them. The later
    blocks are renumbered after the page's last id (links made to them by id keep naming the first)."""
    seen: set[str] = set()
    if len(blocks) == len({b.id for b in blocks}):
        return
    next_index: dict[int, int] = {}
    for block in blocks:
        prefix = f"p{block.page}-b"
        index = int(block.id[len(prefix):]) if block.id.startswith(prefix) and block.id[len(prefix):].isdigit() else -1
        next_index[block.page] = max(next_index.get(block.page, 0), index + 1)
    renamed = 0
    for block in blocks:
        if block.id in seen:
            block.id = f"p{block.page}-b{next_index[block.page]}"
            next_index[block.page] += 1
            renamed += 1
        seen.add(block.id)
    repairs("$", f"expected each page once, found blocks of a page given twice ({renamed} block ids repeated)",
            "renumbered the later ones")


def take_retrieval(values: dict[str, Any], chunk: Chunk) -> list[str]:
    """Move a chunk's keywords (`important_keywords`, a list of strings) and retrieval scores (finite numbers named
    in `RETRIEVAL_SCORES`) out of `values` into `chunk.keywords` and `chunk.scores`, so exporters read one typed
    place whoever wrote them; a value of another shape stays where it was. Returns the keys moved.

    Example:
        >>> chunk, extra = Chunk(id="c"), {"similarity": 0.79, "term_similarity": "n/a", "important_keywords": ["x"]}
        >>> take_retrieval(extra, chunk), chunk.scores, chunk.keywords, extra
        (['important_keywords', 'similarity'], {'similarity': 0.79}, ['x'], {'term_similarity': 'n/a'})
    """
    moved = []
    keywords = values.get("important_keywords")
    if not chunk.keywords and isinstance(keywords, list) and all(isinstance(k, str) for k in keywords):
        chunk.keywords = values.pop("important_keywords")
        moved.append("important_keywords")
    for name in RETRIEVAL_SCORES:
        value = values.get(name)
        if name not in chunk.scores and isinstance(value, (int, float)) and not isinstance(value, bool) \
                and math.isfinite(value):
            chunk.scores[name] = float(values.pop(name))
            moved.append(name)
    return moved
