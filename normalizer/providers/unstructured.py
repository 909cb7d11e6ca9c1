"""unstructured: the elements JSON `elements_to_json` writes (and the Unstructured API returns), a list of
`{type, element_id, text, metadata}`.

The frames it reads (`metadata.coordinates`, four corner points): `PixelSpace` is top-left with y down (our
frame, in pixels); `PointSpace` is Cartesian, y up from the page bottom (turned over with `layout_height`, in
points); `RelativeCoordinateSystem` is Cartesian on a 1 x 1 page (turned over, on a 1 x 1 page). A list holding
several files' elements (a folder partitioned at once) gives one Document per `metadata.filename`, in the order
they first appear. Tables are read from `text_as_html`; `category_depth` gives heading and list levels;
`detection_class_prob` the confidence; every other metadata field is kept in the block's extra.
"""

from __future__ import annotations

from typing import Any

from ..build import BlockIds, compact, finish, link_captions
from ..errors import Repairs, describe
from ..geometry import checked_box, finite_numbers, points_box
from ..kit import kind_of, read_table
from ..schema import Block, Document, Job, Page
from ..typed import Raw, decode_as

PROVIDER = "unstructured"
FORMAT = "unstructured"
KINDS = {
    "Title": "heading", "Headline": "heading", "Subheadline": "heading", "Section-header": "heading",
    "NarrativeText": "paragraph", "Text": "paragraph", "UncategorizedText": "paragraph", "Paragraph": "paragraph",
    "Abstract": "paragraph", "Address": "paragraph", "EmailAddress": "paragraph", "CompositeElement": "paragraph",
    "Threading": "paragraph", "Value": "paragraph", "Field-Name": "paragraph", "Form": "other",
    "FormKeysValues": "other", "ListItem": "list_item", "List-item": "list_item", "BulletedText": "list_item",
    "List": "list_item", "Table": "table", "TableChunk": "table", "Image": "figure", "Picture": "figure",
    "Figure": "figure", "FigureCaption": "caption", "Caption": "caption", "Formula": "formula",
    "CodeSnippet": "code", "Header": "header", "Page-header": "header", "Footer": "footer", "Page-footer": "footer",
    "Footnote": "footnote", "PageNumber": "page_number", "PageBreak": "other", "Link": "link",
    "Checked": "paragraph", "Unchecked": "paragraph", "CheckBoxChecked": "paragraph",
    "CheckBoxUnchecked": "paragraph", "RadioButtonChecked": "paragraph", "RadioButtonUnchecked": "paragraph",
}
_CARTESIAN = {"PointSpace", "RelativeCoordinateSystem"}
_UNIT = {"PixelSpace": "px", "PointSpace": "pt"}


class Coordinates(Raw, kw_only=True):
    points: Any = None
    system: str | None = None
    layout_width: float | None = None
    layout_height: float | None = None


class Metadata(Raw, kw_only=True):
    page_number: int | None = None
    filename: str | None = None
    coordinates: Coordinates | None = None
    parent_id: str | None = None
    category_depth: int | None = None
    detection_class_prob: float | None = None
    text_as_html: str | None = None


class Element(Raw, kw_only=True):
    type: str | None = None
    element_id: str | None = None
    text: str | None = None
    metadata: Metadata | None = None


Shape = list[Element]  # what the input decodes into


def _box(c: Coordinates, repairs: Repairs, i: int) -> list[float] | None:
    """Element `i`'s corner points as our box (its JSON path is spelled out only for a repair)."""
    points = c.points
    try:  # the usual four corners, unpacked at once (a per-point check costs more than the rest of the element)
        (a, b), (p, q), (r, s), (t, u) = points
        corners = (a, b, p, q, r, s, t, u)
    except (TypeError, ValueError):
        corners = None
    if corners is not None and finite_numbers(corners):
        x0, x1, y0, y1 = min(a, p, r, t), max(a, p, r, t), min(b, q, s, u), max(b, q, s, u)
    else:
        box = points_box(points)
        if box is None:
            repairs(f"$[{i}].metadata.coordinates.points", "expected a list of [x, y] points of finite numbers, "
                                                           f"found {describe(points)}", "no box; kept in extra")
            return None
        x0, y0, x1, y1 = box
    if c.system in _CARTESIAN:
        height = 1.0 if c.system == "RelativeCoordinateSystem" else c.layout_height
        if not height:
            repairs(f"$[{i}].metadata.coordinates.layout_height", f"expected the page height to turn a {c.system} box over, found "
                                             f"{describe(c.layout_height)}", "no box; kept in extra")
            return None
        y0, y1 = height - y1, height - y0
    return checked_box([x0, y0, x1, y1], repairs, lambda: f"$[{i}].metadata.coordinates.points")


def convert(raw: Any, repairs: Repairs) -> list[Document]:
    elements = decode_as(raw, Shape, repairs)
    docs: dict[str | None, Document] = {}
    pages: dict[tuple[str | None, int], Page] = {}
    ids: dict[str | None, BlockIds] = {}  # per file: each file's document numbers its own pages
    for i, el in enumerate(elements):
        meta = el.metadata or Metadata()
        doc = docs.get(meta.filename)
        if doc is None:
            doc = docs[meta.filename] = Document(provider=PROVIDER, format=FORMAT, file_name=meta.filename,
                                                 job=Job(status="succeeded"))
        word = el.type or ""
        kind = KINDS.get(word) or kind_of(word, KINDS, repairs, f"$[{i}].type", what="element type")
        page = meta.page_number if meta.page_number and meta.page_number > 0 else 1
        c = meta.coordinates
        bbox = _box(c, repairs, i) if c is not None and c.points is not None else None
        _page(doc, pages, meta.filename, page, c)
        extra: dict[str, Any] = {"type": word}  # unrolled: once per element
        if el.element_id is not None:
            extra["element_id"] = el.element_id
        if meta.parent_id is not None:
            extra["parent_id"] = meta.parent_id
        if meta.category_depth is not None:
            extra["category_depth"] = meta.category_depth
        if c is not None:
            extra["coordinates"] = {"system": c.system} if bbox is not None and not c.rest and c.system else \
                compact({"system": c.system, "points": c.points if bbox is None else None, **c.rest})
        if meta.rest:
            extra.update(meta.rest)
        if el.rest:
            extra.update(el.rest)
        next_id = ids.get(meta.filename) or ids.setdefault(meta.filename, BlockIds())
        block = Block(id=next_id(page), page=page, kind=kind, text=el.text or "", bbox=bbox,  # type: ignore[arg-type]
                      confidence=meta.detection_class_prob, extra=extra)
        if kind in ("heading", "list_item"):
            block.level = min(max((meta.category_depth or 0) + 1, 1), 6)
        elif kind == "formula":
            block.latex = block.text or None
        elif kind == "table":
            read = read_table(repairs, html=(meta.text_as_html, f"$[{i}].metadata.text_as_html"))
            if read.source is not None:
                block.table, block.html = read.table, meta.text_as_html
        if kind != "table" and meta.text_as_html is not None:
            extra["text_as_html"] = meta.text_as_html
        doc.blocks.append(block)
    out = []
    for doc in docs.values():
        doc.pages.sort(key=lambda p: p.number)
        doc.job.page_count = len(doc.pages)
        link_captions(doc.blocks)  # a FigureCaption names no element: it belongs to the figure or table beside it
        out.append(finish(doc, repairs))
    return out or [finish(Document(provider=PROVIDER, format=FORMAT, job=Job(status="succeeded")), repairs)]


def _page(doc: Document, pages: dict[tuple[str | None, int], Page], name: str | None, number: int,
          c: Coordinates | None) -> None:
    """The page, made when first seen, sized by the first layout width and height given for it."""
    page = pages.get((name, number))
    if page is None:
        page = pages[name, number] = Page(number=number)
        doc.pages.append(page)
    if page.width is None and c is not None and c.layout_width and c.layout_height:
        relative = c.system == "RelativeCoordinateSystem"
        page.width, page.height = (1.0, 1.0) if relative else (c.layout_width, c.layout_height)
        page.unit = _UNIT.get(c.system or "")  # type: ignore[assignment]
