"""The canonical docnorm document (DESIGN.md, "Canonical document": field names are pinned).

Every struct encodes every field, so a canonical file always shows the whole shape; JSON keys equal
attribute names. `forbid_unknown_fields` makes decoding canonical JSON a validation step too.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from msgspec import Struct, field

SCHEMA = "docnorm/1"

Kind = Literal[
    "heading", "paragraph", "list_item", "table", "figure", "caption", "formula", "code", "header",
    "footer", "page_number", "footnote", "toc", "seal", "barcode", "link", "other",
]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]

Status = Literal["queued", "running", "succeeded", "failed", "cancelled", "unknown"]
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]

Continued = Literal["begin", "inner", "end"]
Unit = Literal["pt", "px"]

# [x0, y0, x1, y1], top-left origin, y down, in the page's own units.
BBox = list[float]


class _Canonical(Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class Word(_Canonical, kw_only=True):
    text: str
    confidence: float | None = None
    bbox: BBox | None = None


class Line(_Canonical, kw_only=True):
    """A text line. Providers that only know a line's vertical band set `top`/`bottom`, not `bbox`."""

    text: str = ""
    bbox: BBox | None = None
    top: float | None = None
    bottom: float | None = None
    confidence: float | None = None
    words: list[Word] = []
    extra: dict[str, Any] = {}


class Image(_Canonical, kw_only=True):
    id: str | None = None
    page: int | None = None
    name: str | None = None
    url: str | None = None
    mime: str | None = None
    bbox: BBox | None = None
    width: float | None = None
    height: float | None = None
    caption: str | None = None
    extra: dict[str, Any] = {}


class Cell(_Canonical, kw_only=True):
    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    text: str = ""
    bbox: BBox | None = None
    header: bool = False
    confidence: float | None = None


class Table(_Canonical, kw_only=True):
    n_rows: int
    n_cols: int
    cells: list[Cell] = []
    continued: Continued | None = None


class Block(_Canonical, kw_only=True):
    id: str
    page: int
    kind: Kind
    text: str = ""
    level: int | None = None
    bbox: BBox | None = None
    confidence: float | None = None
    parent: str | None = None
    markdown: str | None = None
    html: str | None = None
    latex: str | None = None
    table: Table | None = None
    image: Image | None = None
    captions: list[str] = []
    lines: list[Line] = []
    extra: dict[str, Any] = {}


class Location(_Canonical, kw_only=True):
    page: int
    bbox: BBox | None = None


class Chunk(_Canonical, kw_only=True):
    id: str
    text: str = ""
    kind: str = "text"
    headings: list[str] = []
    locations: list[Location] = []
    block_ids: list[str] = []
    extra: dict[str, Any] = {}


class Job(_Canonical, kw_only=True):
    id: str | None = None
    status: Status = "unknown"
    provider_status: str | None = None
    error: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    progress: float | None = None
    page_count: int | None = None


class Page(_Canonical, kw_only=True):
    number: int
    width: float | None = None
    height: float | None = None
    unit: Unit | None = None
    rotation: float | None = None
    ok: bool = True
    error: str | None = None
    is_scan: bool | None = None
    printed_number: str | None = None
    confidence: float | None = None
    text: str | None = None
    markdown: str | None = None
    extra: dict[str, Any] = {}


class Document(_Canonical, kw_only=True):
    schema: str = SCHEMA
    provider: str
    format: str
    file_name: str | None = None
    job: Job = field(default_factory=Job)
    pages: list[Page] = []
    blocks: list[Block] = []
    chunks: list[Chunk] = []
    images: list[Image] = []
    markdown: str | None = None
    text: str | None = None
    warnings: list[str] = []
    extra: dict[str, Any] = {}


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(Document)
_list_decoder = msgspec.json.Decoder(list[Document])


def encode(doc: Document) -> bytes:
    return _encoder.encode(doc)


def decode(data: bytes | str) -> Document:
    return _decoder.decode(data)


def json_schema() -> dict[str, Any]:
    return msgspec.json.schema(Document)
