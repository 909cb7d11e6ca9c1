"""Canonical Document -> unstructured's elements JSON (what `unstructured.staging.base.elements_to_json` writes and
`elements_from_json` reads), for pipelines built on unstructured.

One element per block in reading order: its type from the block's kind (`Title` with `category_depth` from the
heading level, `NarrativeText`, `ListItem`, `Table` with `text_as_html`, `Image`, `FigureCaption`, `Formula`,
`CodeSnippet`, `Header`, `Footer`, `PageNumber`, `Footnote`, `UncategorizedText`), a stable `element_id`, and
metadata: `page_number`, `filename`, `coordinates` (the box's four corners, `PixelSpace` for pixel pages, y down,
and `PointSpace` for PDF points, which unstructured defines as Cartesian: y up from the page bottom; with the
page's layout width and height), `parent_id` from our section tree,
`category_depth`, `detection_class_prob` from our confidence. What elements cannot hold is in the README.
"""

from __future__ import annotations

import hashlib
import msgspec

from normalizer.kinds import row as kind_row
from normalizer.schema import Document

from .pages.frame import page_frames
from .tables import table_to_html

SYSTEM = {"px": "PixelSpace", "pt": "PointSpace"}


class Coordinates(msgspec.Struct, gc=False):
    points: tuple[tuple[float, float], ...]
    system: str
    layout_width: float
    layout_height: float


class Metadata(msgspec.Struct, omit_defaults=True, gc=False):
    page_number: int
    filename: str | None = None
    coordinates: Coordinates | None = None
    parent_id: str | None = None
    category_depth: int | None = None
    detection_class_prob: float | None = None
    text_as_html: str | None = None


class Element(msgspec.Struct, gc=False):
    type: str
    element_id: str
    text: str
    metadata: Metadata


_ENCODER = msgspec.json.Encoder()


def element_ids(doc: Document) -> dict[str, str]:
    """Stable ids (32 hex digits, as unstructured's are): a keyed hash of the block id, the key made of the
    document's file name and job id, so the same document gives the same ids and two documents different ones."""
    key = hashlib.sha256(f"{doc.file_name or ''}\x00{doc.job.id or ''}".encode()).digest()
    return {b.id: hashlib.blake2b(b.id.encode(), digest_size=16, key=key).hexdigest() for b in doc.blocks}


def to_elements(doc: Document) -> bytes:
    """The document as unstructured elements JSON (a list), readable with `elements_from_json(text=...)`."""
    units = {p.number: p.unit for p in doc.pages}
    frames = {n: (f, units[n]) for n, f in page_frames(doc).items()}
    ids = element_ids(doc)
    name = doc.file_name
    elements = []
    for b in doc.blocks:
        (width, height, _), unit = frames.get(b.page, ((0.0, 0.0, False), None))
        where = None
        if b.bbox:  # a page of unknown units is drawn as the viewer draws it: top left, y down (PixelSpace)
            x0, y0, x1, y1 = b.bbox
            if unit == "pt":  # unstructured's PointSpace is Cartesian: origin bottom left, y up
                y0, y1 = height - y0, height - y1
            where = Coordinates(((x0, y0), (x0, y1), (x1, y1), (x1, y0)), SYSTEM.get(unit, "PixelSpace"), width, height)
        depth = max((b.level or 1) - 1, 0) if b.kind in ("heading", "list_item") else None
        kind = kind_row(b.kind)
        text = b.latex if kind.text_from == "latex" and b.latex else b.text
        elements.append(Element(kind.element, ids[b.id], text, Metadata(
            b.page, name, where, ids.get(b.parent) if b.parent else None, depth, b.confidence,
            table_to_html(b.table) if b.table is not None else None)))
    return _ENCODER.encode(elements)
