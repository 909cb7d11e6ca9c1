"""marker: the JSON `marker_single --output_format json` writes, a tree of blocks (`Document` -> `Page` -> blocks,
groups holding blocks), each `{id, block_type, html, polygon, bbox, children, section_hierarchy, images}`.

The frame it reads: `bbox` `[x0, y0, x1, y1]` (else the corners of `polygon`) in PDF points with the origin at the
page's top left, as ours; a page's size is its own box. Pages are numbered by the `/page/N/` of their ids (from 0),
else by their order. Text is the visible text of each block's `html` (never its markup); tables are read from the
HTML; a `SectionHeader`'s level is its `<hN>`; groups (`ListGroup`, `FigureGroup`, `TableGroup`, `PictureGroup`)
give their children in order, captions linked to the figure or table of their group.
"""

from __future__ import annotations

import re
from typing import Any

from ..build import BlockIds, compact, finish, link_captions
from ..errors import Repairs, describe
from ..geometry import checked_box, points_box
from ..kit import kind_of, read_table
from ..schema import Block, Document, Job, Line, Page
from ..tables import cell_text
from ..typed import Raw, as_json, decode_as

PROVIDER = "marker"
FORMAT = "marker"
KINDS = {
    "Text": "paragraph", "TextInlineMath": "paragraph", "SectionHeader": "heading", "ListItem": "list_item",
    "Table": "table", "TableOfContents": "toc", "Picture": "figure", "Figure": "figure", "Caption": "caption",
    "Footnote": "footnote", "Equation": "formula", "Code": "code", "PageHeader": "header", "PageFooter": "footer",
    "Handwriting": "paragraph", "Form": "other", "ComplexRegion": "other", "Reference": "other", "Line": "paragraph",
    "Span": "paragraph",
}
GROUPS = {"ListGroup", "FigureGroup", "TableGroup", "PictureGroup"}
_PAGE_ID = re.compile(r"^/page/(\d{1,6})/")
_HEADING = re.compile(r"<h([1-6])\b", re.I)
MAX_DEPTH = 64


class MBlock(Raw, kw_only=True):
    id: str | None = None
    block_type: str | None = None
    html: str | None = None
    polygon: Any = None
    bbox: Any = None
    children: list["MBlock"] | None = None
    section_hierarchy: Any = None
    images: Any = None


class MarkerJson(Raw, kw_only=True):
    block_type: str | None = None
    children: list[MBlock] | None = None
    metadata: Any = None
    id: str | None = None
    html: str | None = None
    polygon: Any = None
    bbox: Any = None


def _box(b: MBlock, repairs: Repairs, path: str) -> list[float] | None:
    if b.bbox is not None:
        return checked_box(b.bbox, repairs, f"{path}.bbox")
    poly = b.polygon
    if poly is None:
        return None
    box = points_box(poly)
    if box is None:
        repairs(f"{path}.polygon", f"expected a list of [x, y] corners of finite numbers, found {describe(poly)}",
                "no box; kept in extra")
    return box


def _unread(b: MBlock, bbox: list[float] | None) -> dict[str, Any]:
    """The block's `bbox` and `polygon` as they came, each unless it is the box read (the polygon of a box is
    its four corners, clockwise from the top left: what marker writes for every upright block)."""
    out = {}
    if b.bbox is not None and bbox is None:
        out["bbox"] = b.bbox
    if b.polygon is not None and (bbox is None or b.polygon != _corners(bbox)):
        out["polygon"] = b.polygon
    return out


def _corners(box: list[float]) -> list[list[float]]:
    x0, y0, x1, y1 = box
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def convert(raw: Any, repairs: Repairs) -> list[Document]:
    d = decode_as(raw, MarkerJson, repairs)
    doc = Document(provider=PROVIDER, format=FORMAT, job=Job(status="succeeded"))
    for k, page in enumerate(d.children or ()):
        path = f"$.children[{k}]"
        m = _PAGE_ID.match(page.id or "")
        number = int(m.group(1)) + 1 if m else k + 1
        box = _box(page, repairs, path)
        doc.pages.append(Page(number=number, width=box[2] if box else None, height=box[3] if box else None,
                              unit="pt" if box else None,
                              extra=compact({"id": page.id, "block_type": page.block_type, "images": page.images,
                                             "html": page.html or None,
                                             "section_hierarchy": page.section_hierarchy,
                                             **_unread(page, box if box and box[:2] == [0.0, 0.0] else None),
                                             **page.rest})))
        ids = BlockIds()  # per Page object: a page number given twice repeats its ids, which finish() repairs
        for n, child in enumerate(page.children or ()):
            _walk(doc, child, number, f"{path}.children[{n}]", None, 0, ids, repairs)
    seen: set[int] = set()
    doc.pages = [p for p in sorted(doc.pages, key=lambda p: p.number) if not (p.number in seen or seen.add(p.number))]
    doc.job.page_count = len(doc.pages)
    link_captions(doc.blocks)
    doc.extra = compact({**doc.extra, "metadata": d.metadata, "id": d.id, "block_type": d.block_type, "html": d.html,
                         "polygon": d.polygon, "bbox": d.bbox, **d.rest})
    return [finish(doc, repairs)]


def _walk(doc: Document, b: MBlock, page: int, path: str, group: str | None, depth: int, ids: BlockIds,
          repairs: Repairs) -> None:
    """A block, or a group's children in order (groups nested past MAX_DEPTH are noted; the sanitizer's JSON
    nesting limit bounds the recursion)."""
    word = b.block_type or ""
    if word in GROUPS or (word == "Page" and depth):
        if depth == MAX_DEPTH:  # said once; the sanitizer's JSON nesting limit bounds the recursion itself
            repairs(path, f"expected groups nested at most {MAX_DEPTH} deep", "deeper groups read as one")
        for n, child in enumerate(b.children or ()):
            _walk(doc, child, page, f"{path}.children[{n}]", word if word in GROUPS else group, depth + 1, ids,
                  repairs)
        doc.extra.setdefault("groups", []).append(compact({  # a group has no block of its own: kept here
            "id": b.id, "block_type": word, "html": b.html or None, "bbox": b.bbox, "polygon": b.polygon,
            "section_hierarchy": b.section_hierarchy or None, "images": b.images or None, **b.rest}))
        return
    kind = KINDS.get(word) or kind_of(word, KINDS, repairs, f"{path}.block_type", what="block type")
    html = b.html or ""
    bbox = _box(b, repairs, path)
    extra: dict[str, Any] = {"block_type": word}
    if b.id is not None:
        extra["id"] = b.id
    if group is not None:
        extra["group"] = group
    if b.section_hierarchy:  # an empty hierarchy or image map says nothing
        extra["section_hierarchy"] = b.section_hierarchy
    if b.images:
        extra["images"] = b.images
    extra.update(_unread(b, bbox))
    if b.rest:
        extra.update(compact(b.rest))
    block = Block(id=ids(page), page=page, kind=kind, bbox=bbox, html=html or None,  # type: ignore[arg-type]
                  extra=extra)
    if kind == "table":
        read = read_table(repairs, html=(html, f"{path}.html"))
        block.table, block.text = read.table, read.text
    else:
        block.text = cell_text(html)
    if kind == "heading":
        m = _HEADING.search(html)
        block.level = int(m.group(1)) if m else 1
    elif kind == "list_item":
        block.level = 1
    elif kind == "formula":
        block.latex = block.text or None
    for n, c in enumerate(b.children or ()):  # a block's own lines or cells (and their spans): the canonical lines
        block.lines.append(_line(c, repairs, f"{path}.children[{n}]"))
    doc.blocks.append(block)


def _line(c: MBlock, repairs: Repairs, path: str) -> Line:
    """A block's child (a `Line`, a table's `TableCell`) as a line: every field it has is kept, the box read."""
    bbox = _box(c, repairs, path)
    return Line(text=cell_text(c.html or ""), bbox=bbox, extra=compact({
        "block_type": c.block_type, "id": c.id, "html": c.html, "polygon": c.polygon,
        "bbox": c.bbox if bbox is None else None, "section_hierarchy": c.section_hierarchy or None,
        "images": c.images or None, "children": [_plain(x) for x in c.children] if c.children else None, **c.rest}))


def _plain(b: MBlock) -> dict[str, Any]:
    """A span kept whole in extra, its own children too (the sanitizer's nesting limit bounds the depth)."""
    out = as_json(b)
    if b.children:
        out["children"] = [_plain(c) for c in b.children]
    return out
