"""What the document view draws for a page: its frame, block rectangles, line bands and rendered content.

Pure functions over canonical Documents; the template turns them into SVG and HTML (escaping every string).
"""

from __future__ import annotations

import bisect
from typing import Any, Callable, NamedTuple

import msgspec
from markupsafe import Markup

from exporters.diff import MARKS, kind_counts
from exporters.kinds import kind_styles
from exporters.pages.frame import SourcePage, aspect_note, drawn_boxes, frame, page_blocks
from exporters.html import HtmlOptions, for_document, list_ordinals, render_block
from normalizer.schema import Block, Chunk, Document, Page

from .drawing import Chip, LineText, band_texts, order_chip

SLICE = 10  # pages rendered per request
_OPTIONS = HtmlOptions(join_continued=False)  # each fragment stays on its own page

def kinds_css() -> str:
    """The per-kind CSS, made from the kinds table: each kind's colour, its dash, and the rule that hides it."""
    rules = []
    for kind, (colour, dash) in kind_styles():
        rules.append(f".k-{kind} {{ --kind: {colour}; }}")
        if dash:
            rules.append(f".box.k-{kind} {{ stroke-dasharray: {dash}; }}")
        rules.append(f"body.hide-{kind} .box.k-{kind}, body.hide-{kind} .band.k-{kind}, "
                     f"body.hide-{kind} .order-chip.k-{kind}, body.hide-{kind} .band-text.k-{kind} {{ display: none; }}")
    return "\n".join(rules) + "\n"


class Rect(NamedTuple):
    block: str
    kind: str
    x: float
    y: float
    w: float
    h: float
    band: bool  # a line band (full page width, vertical extent only)


class Backdrop(NamedTuple):
    """The source page under a page's boxes: where its image is, and its size and kind."""
    url: str
    source: SourcePage


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
    order: list[Chip]  # each block's place in reading order on the page, on a chip beside its first rectangle
    texts: list[LineText]  # the text of each line drawn as a band
    backdrop: Backdrop | None = None
    aspect_note: str | None = None  # the result's page and the source's page differ in shape


# A figure's image reference -> a URL the viewer may show, or None (not found, or not to be fetched).
Locate = Callable[[str], "str | None"]


def _no_images(url: str) -> None:
    return None


def _shown(block: Block, locate: Locate) -> Block:
    """The block as the viewer renders it: its image reference replaced by what `locate` allows."""
    if block.kind != "figure" or block.image is None or not block.image.url:
        return block
    return msgspec.structs.replace(block, image=msgspec.structs.replace(block.image, url=locate(block.image.url)))


# A page -> the source page to draw under its boxes, or None (no source, or no such page in it).
Backdrops = Callable[[Page], "Backdrop | None"]


def _no_backdrop(page: Page) -> None:
    return None


def page_view(page: Page, blocks: list[Block], locate: Locate = _no_images,
              options: HtmlOptions = _OPTIONS, chunks: dict[str, Chunk] | None = None,
              backdrop: Backdrop | None = None) -> PageView:
    under = backdrop.source if backdrop is not None else None
    width, height, sized = frame(page, blocks, under)
    ordinals = list_ordinals(blocks)
    rects: list[Rect] = []
    content: list[Markup] = []
    for b in blocks:
        band = not b.bbox
        rects += [Rect(b.id, b.kind, x0, y0, max(x1 - x0, 1.0), max(y1 - y0, 1.0), band)
                  for x0, y0, x1, y1 in drawn_boxes(b, width)]
        html = Markup(render_block(_shown(b, locate), b.table, options, ordinals.get(b.id, 1)) or "")  # escaped
        if chunks:
            html = chunk_head(b, chunks) + html
        content.append(html)
    first: dict[str, Rect] = {}
    for r in rects:
        first.setdefault(r.block, r)
    order = [order_chip(n, r.kind, (r.x, r.y, r.w, r.h), (width, height))
             for n, r in enumerate((first.get(b.id) for b in blocks), 1) if r is not None]
    note = aspect_note(width, height, under) if under is not None and sized else None
    return PageView(page.number, page.ok, page.error, width, height, sized, rects, content, [b.id for b in blocks],
                    order, band_texts(blocks, width), backdrop, note)


class DocIndex(NamedTuple):
    """What every slice of a document needs, computed once per document (the store keeps it beside it)."""
    by_page: dict[int, list[Block]]
    position: dict[int, int]  # page number -> its position in doc.pages
    options: HtmlOptions
    chunks: dict[str, Chunk] | None  # heads only for blocks that name their chunk (RAGFlow's)


def doc_index(doc: Document) -> DocIndex:
    position: dict[int, int] = {}
    for i, p in enumerate(doc.pages):
        position.setdefault(p.number, i)
    return DocIndex(page_blocks(doc), position, for_document(doc, _OPTIONS), {c.id: c for c in doc.chunks} or None)


def slice_views(doc: Document, start: int, count: int = SLICE, locate: Locate = _no_images,
                backdrops: Backdrops = _no_backdrop, index: DocIndex | None = None) -> list[PageView]:
    """Views of pages `start`..`start+count-1` (positions in `doc.pages`, 0-based)."""
    index = index or doc_index(doc)
    return [page_view(p, index.by_page.get(p.number, []), locate, index.options, index.chunks, backdrops(p))
            for p in doc.pages[start:start + count]]


def chunk_head(block: Block, chunks: dict[str, Chunk]) -> Markup:
    """Where a provider's chunk begins (RAGFlow's blocks are its chunks' page fragments): its id, keywords and
    retrieval scores, escaped."""
    chunk = chunks.get(block.chunk) if block.chunk is not None else None
    if chunk is None or not chunk.block_ids or chunk.block_ids[0] != block.id:  # shown once, at its first block
        return Markup("")
    parts = [Markup('chunk <span class="chunk-id">{}</span>').format(chunk.id)]
    if chunk.keywords:
        parts.append(Markup("keywords: {}").format(", ".join(chunk.keywords)))
    for score, value in chunk.scores.items():
        parts.append(Markup("{} {:.3f}").format(score.replace("_", " "), value))
    return Markup('<div class="chunk-head">') + Markup(" · ").join(parts) + Markup("</div>")


def slice_of(doc: Document, page_number: int, index: DocIndex | None = None) -> int:
    """The slice start (a position in `doc.pages`) that shows page `page_number`."""
    i = (index or doc_index(doc)).position.get(page_number, 0)
    return i - i % SLICE


def kinds(doc: Document) -> list[tuple[str, int]]:
    return list(kind_counts(doc).items())


def has_confidence(doc: Document) -> bool:
    return any(w.confidence is not None for b in doc.blocks for ln in b.lines for w in ln.words)


class TextIndex(NamedTuple):
    """Every block's text, lowercased and joined in one string (searched by str.find in C, not block by block
    in Python), with where each block starts."""
    text: str
    starts: list[int]


def text_index(doc: Document) -> TextIndex:
    starts, at, parts = [], 0, []
    for b in doc.blocks:
        lowered = b.text.lower().replace("\x00", " ")
        starts.append(at)
        parts.append(lowered)
        at += len(lowered) + 1
    return TextIndex("\x00".join(parts), starts)


def snippet(text: str, start: int, end: int, around: int = 40) -> str:
    """`text[start:end]` with about `around` characters either side, for a search hit: cut at the spaces nearest
    inside that window (a text without spaces there, as CJK, is cut where the window ends), an ellipsis where cut,
    so a hit never shows half a word.

    >>> snippet("the annual report of the group shows revenue by segment and region", 37, 44, around=16)
    '… group shows revenue by segment and …'
    >>> snippet("short text", 0, 5)
    'short text'
    """
    left, right = max(start - around, 0), min(end + around, len(text))
    if left > 0:
        space = next((i for i in range(left, start) if text[i].isspace()), None)
        left = space + 1 if space is not None else left
    if right < len(text):
        space = next((i for i in range(right, end, -1) if text[i].isspace()), None)
        right = space if space is not None else right
    shown = text[left:right].strip()
    return ("… " if left > 0 else "") + shown + (" …" if right < len(text) else "")


def search(doc: Document, query: str, limit: int = 200, found: TextIndex | None = None,
           index: DocIndex | None = None) -> dict[str, Any]:
    """Blocks whose text (or table cells) contain `query`, case-insensitively, in reading order: the first
    `limit` as hits (each with a `snippet` cut at words), and how many there are in all (a list that stops at the
    limit says so)."""
    needle = query.lower().strip().replace("\x00", "")
    if not needle:
        return {"query": query, "total": 0, "hits": []}
    found = found or text_index(doc)
    position = (index or doc_index(doc)).position
    hits = []
    total = 0
    at = found.text.find(needle)
    while at >= 0:
        n = bisect.bisect_right(found.starts, at) - 1
        b = doc.blocks[n]
        next_block = found.starts[n + 1] if n + 1 < len(found.starts) else len(found.text) + 1
        total += 1
        if len(hits) < limit:
            offset = at - found.starts[n]
            same_length = next_block - found.starts[n] - 1 == len(b.text)  # lowercasing can change a length
            found_at = (offset, offset + len(needle)) if same_length else (0, 0)
            hits.append({"block": b.id, "page": b.page, "kind": b.kind,
                         "snippet": snippet(b.text, *found_at, around=40 if same_length else 120),
                         "slice": position.get(b.page, 0) // SLICE * SLICE})
        at = found.text.find(needle, next_block)
    return {"query": query, "total": total, "hits": hits}


def summary(doc: Document) -> dict[str, Any]:
    return {"provider": doc.provider, "format": doc.format, "status": doc.job.status, "pages": len(doc.pages),
            "blocks": len(doc.blocks), "tables": sum(1 for b in doc.blocks if b.kind == "table"),
            "warnings": len(doc.warnings), "failed_pages": sum(1 for p in doc.pages if not p.ok)}


def compare_sides(result: Any, docs: tuple[Document, Document], start: int, locators: tuple[Locate, Locate],
                  backdrops: tuple[Backdrops, Backdrops] = (_no_backdrop, _no_backdrop)) -> list[dict[str, Any]]:
    """The compare view's model: for each side, its page views from `start`, each block's mark (same, changed,
    only) and partners on the other side; side A also carries each pair's text diff and table differences."""
    sides = []
    for name, doc, locate, under, mine, theirs in (("a", docs[0], locators[0], backdrops[0], 0, 1),
                                                   ("b", docs[1], locators[1], backdrops[1], 1, 0)):
        status: dict[str, str] = {}
        partners: dict[str, str] = {}
        diffs: dict[str, Any] = {}
        tables: dict[str, Any] = {}
        for pair in result.pairs:
            ids = (pair.a, pair.b)
            for block_id in ids[mine]:
                status[block_id] = MARKS.get(pair.status, "only")
                partners[block_id] = " ".join(ids[theirs])
            if name == "a" and ids[mine]:  # a pair's differences are listed once, under A
                if pair.text_diff:
                    diffs[ids[mine][0]] = pair.text_diff
                if pair.teds is not None:
                    tables[ids[mine][0]] = {"teds": pair.teds, "cells": pair.cells, "approximate": pair.teds_approximate}
        sides.append({"name": name, "views": slice_views(doc, start, locate=locate, backdrops=under), "status": status,
                      "partners": partners, "diffs": diffs, "tables": tables, "job": doc.job,
                      "empty": not doc.blocks})
    return sides


def index_rows(loaded: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """The index's rows for each (file, Loaded): one per document, one of its own for a file that does not
    normalize or holds nothing."""
    rows: list[dict[str, Any]] = []
    for rel, result in loaded:
        if result.error is not None:
            rows.append({"file": rel, "index": 0, "error": result.error, "count": 0})
        elif not result.docs:  # a list with nothing in it (a RAGFlow page past the end) is still a file
            rows.append({"file": rel, "index": 0, "error": None, "count": 0, "empty": True})
        else:
            rows += [{"file": rel, "index": i, "count": len(result.docs), "error": None, "name": doc.file_name,
                      **summary(doc)} for i, doc in enumerate(result.docs)]
    return rows


INDEX_PAGE = 200  # rows per page of the index
SORTS = {"file": ("file", "index"), "provider": ("provider", "file"), "format": ("format", "file"),
         "status": ("status", "file"), "pages": ("pages", "file"), "blocks": ("blocks", "file"),
         "tables": ("tables", "file"), "warnings": ("warnings", "file")}
_TEXT = ("file", "provider", "format", "status", "name")


def index_page(rows: list[dict[str, Any]], provider: str = "", status: str = "", query: str = "",
               sort: str = "file", descending: bool = False, page: int = 1) -> tuple[list[dict[str, Any]], int, int, int]:
    """One page of the index: the rows matching the provider, the status and every word of `query` (in the
    file, provider, format, status or document name), sorted by `sort` (a key of SORTS). Returns the page's
    rows, how many matched, how many pages there are and which one this is (`page` kept within them). Files that do
    not normalize sort by name, last."""
    words = query.lower().split()
    if provider or status:
        rows = [r for r in rows if r["error"] is None and not r.get("empty")
                and (not provider or r["provider"] == provider) and (not status or r["status"] == status)]
    if words:
        rows = [r for r in rows if all(w in " ".join(str(r.get(k) or "") for k in _TEXT).lower() for w in words)]
    first, then = SORTS.get(sort, SORTS["file"])
    good = [r for r in rows if first in r]
    good.sort(key=lambda r: (r[first], r[then], r["index"]), reverse=descending)
    rows = good + sorted((r for r in rows if first not in r), key=lambda r: r["file"])
    pages = max(1, -(-len(rows) // INDEX_PAGE))
    page = min(max(page, 1), pages)
    return rows[(page - 1) * INDEX_PAGE: page * INDEX_PAGE], len(rows), pages, page


def pager(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page numbers the index's pager links to: the first, the last and `around` either side of `page`, a gap
    (None) where numbers are left out, so a folder of 100 pages has a pager of nine links, not a hundred.

    >>> pager(7, 20)
    [1, None, 5, 6, 7, 8, 9, None, 20]
    >>> pager(1, 3)
    [1, 2, 3]
    """
    shown = sorted({1, pages, *range(max(page - around, 1), min(page + around, pages) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - out[-1] > 1:  # type: ignore[operator]
            out.append(None)
        out.append(n)
    return out
