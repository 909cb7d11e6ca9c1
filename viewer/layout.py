"""What the document view draws for a page: its frame, block rectangles, line bands and rendered content.

Pure functions over canonical Documents; the template turns them into SVG and HTML (escaping every string).
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

import msgspec
from markupsafe import Markup

from exporters.diff import kind_counts
from exporters.html import HtmlOptions, render_block
from normalizer.schema import Block, Document, Page

SLICE = 10  # pages rendered per request
LETTER_ASPECT = 8.5 / 11  # width / height assumed when only the height is known (LLMWhisperer)
DEFAULT_FRAME = (1000.0, 1294.0)  # a Letter-shaped frame for pages with no size and no boxes
_OPTIONS = HtmlOptions(join_continued=False)  # each fragment stays on its own page


class Rect(NamedTuple):
    block: str
    kind: str
    x: float
    y: float
    w: float
    h: float
    band: bool  # a line band (full page width, vertical extent only)


class PageView(NamedTuple):
    number: int
    ok: bool
    error: str | None
    width: float
    height: float
    sized: bool  # True when the provider gave the page size, False when the frame is inferred
    rects: list[Rect]
    content: list[Markup]
    ids: list[str]  # the block id of each content entry


def page_blocks(doc: Document) -> dict[int, list[Block]]:
    by_page: dict[int, list[Block]] = {}
    for block in doc.blocks:
        by_page.setdefault(block.page, []).append(block)
    return by_page


def frame(page: Page, blocks: list[Block]) -> tuple[float, float, bool]:
    """(width, height, sized): the page size when known, else the extent of what is drawn on it."""
    if page.width and page.height:
        return page.width, page.height, True
    right = max((b.bbox[2] for b in blocks if b.bbox), default=0.0)
    bottom = max([b.bbox[3] for b in blocks if b.bbox] + [ln.bottom for b in blocks for ln in b.lines
                                                          if ln.bottom is not None], default=0.0)
    if page.height:
        return max(page.height * LETTER_ASPECT, right), page.height, False
    if page.unit == "pt":  # RAGFlow: PDF points, page box unknown; at least a Letter page
        right, bottom = max(right, 612.0), max(bottom, 792.0)
    if not right or not bottom:
        return DEFAULT_FRAME[0], DEFAULT_FRAME[1], False
    return right * 1.04, bottom * 1.04, False


# A figure's image reference -> a URL the viewer may show, or None (not found, or not to be fetched).
Locate = Callable[[str], "str | None"]


def _no_images(url: str) -> None:
    return None


def _shown(block: Block, locate: Locate) -> Block:
    """The block as the viewer renders it: its image reference replaced by what `locate` allows."""
    if block.kind != "figure" or block.image is None or not block.image.url:
        return block
    return msgspec.structs.replace(block, image=msgspec.structs.replace(block.image, url=locate(block.image.url)))


def page_view(page: Page, blocks: list[Block], locate: Locate = _no_images) -> PageView:
    width, height, sized = frame(page, blocks)
    rects: list[Rect] = []
    content: list[Markup] = []
    for b in blocks:
        if b.bbox:
            x0, y0, x1, y1 = b.bbox
            rects.append(Rect(b.id, b.kind, x0, y0, max(x1 - x0, 1.0), max(y1 - y0, 1.0), False))
        else:
            for ln in b.lines:
                if ln.top is not None and ln.bottom is not None:
                    rects.append(Rect(b.id, b.kind, 0.0, ln.top, width, max(ln.bottom - ln.top, 1.0), True))
        html = render_block(_shown(b, locate), b.table, _OPTIONS)
        content.append(Markup(html) if html is not None else Markup(""))  # escaped by the exporter
    return PageView(page.number, page.ok, page.error, width, height, sized, rects, content, [b.id for b in blocks])


def slice_views(doc: Document, start: int, count: int = SLICE, locate: Locate = _no_images) -> list[PageView]:
    """Views of pages `start`..`start+count-1` (positions in `doc.pages`, 0-based)."""
    by_page = page_blocks(doc)
    return [page_view(p, by_page.get(p.number, []), locate) for p in doc.pages[start:start + count]]


def slice_of(doc: Document, page_number: int) -> int:
    """The slice start (a position in `doc.pages`) that shows page `page_number`."""
    for i, p in enumerate(doc.pages):
        if p.number == page_number:
            return i - i % SLICE
    return 0


def kinds(doc: Document) -> list[tuple[str, int]]:
    return list(kind_counts(doc).items())


def search(doc: Document, query: str, limit: int = 200) -> list[dict[str, Any]]:
    """Blocks whose text (or table cells) contain `query`, case-insensitively, in reading order."""
    needle = query.casefold().strip()
    if not needle:
        return []
    position = {p.number: i for i, p in enumerate(doc.pages)}
    hits = []
    for b in doc.blocks:
        text = b.text.casefold()
        at = text.find(needle)
        if at < 0:
            continue
        snippet = b.text[max(at - 40, 0): at + len(needle) + 40]
        hits.append({"block": b.id, "page": b.page, "kind": b.kind, "snippet": snippet,
                     "slice": position.get(b.page, 0) // SLICE * SLICE})
        if len(hits) >= limit:
            break
    return hits


def summary(doc: Document) -> dict[str, Any]:
    return {"provider": doc.provider, "format": doc.format, "status": doc.job.status, "pages": len(doc.pages),
            "blocks": len(doc.blocks), "tables": sum(1 for b in doc.blocks if b.kind == "table"),
            "warnings": len(doc.warnings), "failed_pages": sum(1 for p in doc.pages if not p.ok)}
