"""What the review page's script draws: one page of the truth as JSON (its frame, the page image's address, its
blocks in reading order with their place in the document), the history's counts and the truth's etag, the
version the next edit is based on. Every string is the truth's own; the script puts them in the page as text.
"""

from __future__ import annotations

from typing import Any, Callable

from exporters.pages.frame import SourcePage, frame
from normalizer.schema import KINDS, Block, Document

from .history import started_from, summary
from .truths import Opened


def page_numbers(doc: Document) -> list[int]:
    """The truth's page numbers, in order (a truth without pages has the pages its blocks name).

    Example:
        >>> page_numbers(Document(provider="t", format="docnorm", blocks=[Block(id="a", page=3, kind="paragraph")]))
        [3]
    """
    return [p.number for p in doc.pages] or sorted({b.page for b in doc.blocks}) or [1]


def chosen_page(doc: Document, wanted: int | None) -> int:
    """The page to show: `wanted` when the truth has it, else its first.

    Example:
        >>> from normalizer.schema import Page
        >>> chosen_page(Document(provider="t", format="docnorm", pages=[Page(number=1), Page(number=2)]), 9)
        1
    """
    numbers = page_numbers(doc)
    return wanted if wanted in numbers else numbers[0]


def block_json(block: Block, at: int, caption_of: dict[str, str]) -> dict[str, Any]:
    """A block as the page edits it: what can be changed, and its place `at` in the reading order."""
    table = None
    if block.table is not None:
        table = {"n_rows": block.table.n_rows, "n_cols": block.table.n_cols,
                 "cells": [{"row": c.row, "col": c.col, "row_span": c.row_span, "col_span": c.col_span,
                            "text": c.text, "header": c.header} for c in block.table.cells]}
    return {"id": block.id, "kind": block.kind, "text": block.text, "level": block.level, "bbox": block.bbox,
            "at": at, "captions": block.captions, "caption_of": caption_of.get(block.id), "table": table}


def page_payload(opened: Opened, stem: str, number: int, image: Callable[[int], tuple[str | None, SourcePage | None]]
                 ) -> dict[str, Any]:
    """Page `number` of the truth for the review page; `image(number)` gives the source page's image address
    and shape (None, None without a source).

    Example:
        >>> from normalizer.schema import Page
        >>> doc = Document(provider="t", format="docnorm", pages=[Page(number=1, width=600, height=800)],
        ...                blocks=[Block(id="a", page=1, kind="paragraph", text="x", bbox=[1, 2, 3, 4])])
        >>> p = page_payload(Opened(doc, "e1"), "rep", 1, lambda n: (None, None))
        >>> p["page"]["width"], p["blocks"][0]["at"], p["etag"]
        (600, 0, 'e1')
    """
    doc = opened.doc
    caption_of = {c: b.id for b in doc.blocks for c in b.captions}
    blocks = [block_json(b, at, caption_of) for at, b in enumerate(doc.blocks) if b.page == number]
    url, source = image(number)
    page = next((p for p in doc.pages if p.number == number), None)
    width, height, sized = frame(page, [b for b in doc.blocks if b.page == number], source) if page is not None \
        else (1000.0, 1294.0, False)
    started = started_from(doc)
    return {"stem": stem, "etag": opened.etag, "history": summary(doc), "pages": page_numbers(doc),
            "page": {"number": number, "width": width, "height": height, "sized": sized, "image": url},
            "blocks": blocks, "kinds": list(KINDS), "count": len(doc.blocks),
            "started_from": {k: started.get(k) for k in ("file", "index", "provider")} if started else None}
