"""MinerU: `*_content_list.json`, the flat list of content blocks in reading order (pipeline and VLM backends).

The frame it reads: `bbox` is `[x0, y0, x1, y1]` on a 0-1000 grid per axis, top-left origin (MinerU's output
files reference), so each page is a 1000 x 1000 frame of no unit (its shape is not the page's: the viewer's aspect
check says so against the real page). `page_idx` counts from 0. `text_level` n >= 1 makes a heading of level n;
`image_caption`/`img_caption`, `table_caption` and `code_caption` become caption blocks linked to their figure,
table or code; footnotes become footnote blocks after them; `table_body` is read as HTML; `list_items` become list
items; the VLM backend's discarded blocks (header, footer, page number, aside text, page footnote) keep their kinds.
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from ..build import compact, finish, formula_latex
from ..detect import Probe
from ..errors import Repairs
from ..geometry import checked_box
from ..kit import kind_of, read_table
from ..schema import Block, Document, Image, Job, Page
from ..typed import Raw, decode_as

PROVIDER = "mineru"
FORMAT = "mineru"
GRID = 1000.0
KINDS = {"text": "paragraph", "title": "heading", "image": "figure", "chart": "figure", "table": "table",
         "equation": "formula", "interline_equation": "formula", "code": "code", "algorithm": "code",
         "list": "list_item", "ref_text": "paragraph", "header": "header", "footer": "footer",
         "page_number": "page_number", "aside_text": "other", "page_footnote": "footnote", "phonetic": "other",
         "discarded": "other"}


class Entry(Raw, kw_only=True):
    type: str | None = None
    sub_type: str | None = None
    text: str | None = None
    text_level: int | None = None
    text_format: str | None = None
    bbox: Any = None
    page_idx: int | None = None
    img_path: str | None = None
    image_caption: list[str] | None = None
    img_caption: list[str] | None = None
    image_footnote: list[str] | None = None
    img_footnote: list[str] | None = None
    table_caption: list[str] | None = None
    table_footnote: list[str] | None = None
    table_body: str | None = None
    code_body: str | None = None
    code_caption: list[str] | None = None
    list_items: list[str] | None = None
    angle: Any = UNSET


def sniff(p: Probe) -> bool:
    """A list whose first entry has a `type` and a `page_idx` (MinerU's content list)."""
    first = p[0]
    return p.is_(list) and first.is_(dict) and {"type", "page_idx"} <= first.keys()


class _Pages:
    """Blocks appended page by page with ids `p{page}-b{i}` (the list may return to an earlier page)."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.count: dict[int, int] = {}

    def add(self, page: int, **fields: Any) -> Block:
        if page not in self.count:
            self.count[page] = 0
            self.doc.pages.append(Page(number=page, width=GRID, height=GRID, extra={"grid": "0-1000 per axis"}))
        block = Block(id=f"p{page}-b{self.count[page]}", page=page, **fields)
        self.count[page] += 1
        self.doc.blocks.append(block)
        return block


def convert(raw: Any, repairs: Repairs) -> list[Document]:
    entries = decode_as(raw, list[Entry], repairs)
    doc = Document(provider=PROVIDER, format=FORMAT, job=Job(status="succeeded"))
    pages = _Pages(doc)
    for i, e in enumerate(entries):
        path = f"$[{i}]"
        page = e.page_idx + 1 if e.page_idx is not None and e.page_idx >= 0 else (
            repairs(f"{path}.page_idx", "expected a page index from 0", "used page 1") or 1)
        word = e.sub_type if e.type == "code" and e.sub_type else e.type or ""
        kind = KINDS.get(word) or kind_of(word, KINDS, repairs, f"{path}.type", what="content type")
        bbox = checked_box(e.bbox, repairs, f"{path}.bbox") if e.bbox is not None else None
        extra: dict[str, Any] = compact({"type": e.type, "sub_type": e.sub_type, "text_format": e.text_format,
                                         "bbox": e.bbox if bbox is None and e.bbox is not None else None,
                                         "angle": e.angle if e.angle is not UNSET else None, **e.rest})
        captions = (e.image_caption or e.img_caption or []) + (e.table_caption or []) + (e.code_caption or [])
        footnotes = (e.image_footnote or e.img_footnote or []) + (e.table_footnote or [])
        if e.img_caption is not None and e.image_caption is not None:
            extra["img_caption"] = e.img_caption
        text = e.code_body if kind == "code" and e.code_body is not None else e.text or ""
        if kind == "list_item" and e.list_items is not None:
            for k, item in enumerate(e.list_items):
                pages.add(page, kind="list_item", text=item, level=1, bbox=bbox if k == 0 else None,
                          extra={**extra, "item": k} if k else extra)
            continue
        if kind == "paragraph" and e.text_level:
            kind = "heading"
        block = pages.add(page, kind=kind, text=text, bbox=bbox, extra=extra)
        if kind == "heading":
            block.level = min(max(e.text_level or 1, 1), 6)
        elif kind == "formula":
            block.latex = formula_latex(text) or text.strip().strip("$").strip() or None
        elif kind == "figure":
            block.image = Image(url=e.img_path, page=page, bbox=bbox) if e.img_path else None
        elif kind == "table":
            read = read_table(repairs, html=(e.table_body, f"{path}.table_body"))
            block.table, block.html = read.table, e.table_body
            block.text = read.text
            if e.img_path:
                block.image = Image(url=e.img_path, page=page, bbox=bbox)
        if kind != "figure" and kind != "table" and e.img_path:
            extra["img_path"] = e.img_path
        for caption in captions:
            block.captions.append(pages.add(page, kind="caption", text=caption, extra={"of": block.id}).id)
        for note in footnotes:
            pages.add(page, kind="footnote", text=note, extra={"of": block.id})
    doc.pages.sort(key=lambda p: p.number)
    doc.job.page_count = len(doc.pages)
    return [finish(doc, repairs)]
