"""The canonical docnorm document (docs/canonical-model.md: field names are pinned).

Every struct encodes every field, so a canonical file always shows the whole shape; JSON keys equal
attribute names. `forbid_unknown_fields` makes decoding canonical JSON a validation step too.
"""

from __future__ import annotations

from functools import lru_cache
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


class _Canonical(Struct, forbid_unknown_fields=True, kw_only=True, gc=False):
    """Base of the canonical structs. Not tracked by the cyclic collector (`gc=False`): a document is a tree, each
    struct held by one field of its parent, and what links one part to another (`Block.parent`, `captions`,
    `chunk`, `Chunk.block_ids`) is an id, never a reference, so no instance can be part of a reference cycle (each
    class says what it holds). A kept 1,000-page document then costs a full collection only its lists and dicts.
    Never put a struct inside itself (in its own `extra`, say): that cycle would never be freed."""


class Word(_Canonical, kw_only=True):  # acyclic: text, numbers, a box
    text: str
    confidence: float | None = None
    bbox: BBox | None = None


class Line(_Canonical, kw_only=True):  # acyclic: its own words, JSON values in extra
    """A text line. Providers that only know a line's vertical band set `top`/`bottom`, not `bbox`."""

    text: str = ""
    bbox: BBox | None = None
    top: float | None = None
    bottom: float | None = None
    confidence: float | None = None
    words: list[Word] = []
    extra: dict[str, Any] = {}


class Image(_Canonical, kw_only=True):  # acyclic: text, numbers, a box, JSON values in extra
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


class Cell(_Canonical, kw_only=True):  # acyclic: text, numbers, a box
    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    text: str = ""
    bbox: BBox | None = None
    header: bool = False
    confidence: float | None = None


class Table(_Canonical, kw_only=True):  # acyclic: its own cells
    n_rows: int
    n_cols: int
    cells: list[Cell] = []
    continued: Continued | None = None


class Block(_Canonical, kw_only=True):  # acyclic: its own table, image, lines; other blocks by id
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
    ordered: bool | None = None
    list_start: int | None = None
    marker: str | None = None
    language: str | None = None
    url: str | None = None
    chunk: str | None = None
    extra: dict[str, Any] = {}


# Chunk.scores names docnorm knows, in the order they are given: the provider's hybrid score first.
RETRIEVAL_SCORES = ("similarity", "vector_similarity", "term_similarity", "score")


class Location(_Canonical, kw_only=True):  # acyclic: a page number and a box
    page: int
    bbox: BBox | None = None


class Chunk(_Canonical, kw_only=True):  # acyclic: its own locations; blocks by id
    id: str
    text: str = ""
    kind: str = "text"
    headings: list[str] = []
    locations: list[Location] = []
    block_ids: list[str] = []
    keywords: list[str] = []
    scores: dict[str, float] = {}
    extra: dict[str, Any] = {}


class Job(_Canonical, kw_only=True):  # acyclic: text and numbers
    id: str | None = None
    status: Status = "unknown"
    provider_status: str | None = None
    error: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    progress: float | None = None
    page_count: int | None = None


class Page(_Canonical, kw_only=True):  # acyclic: text, numbers, JSON values in extra
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


class Document(_Canonical, kw_only=True):  # acyclic: its own job, pages, blocks, chunks, images
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
    layout_text: bool = False
    warnings: list[str] = []
    extra: dict[str, Any] = {}

    def _repr_html_(self) -> str:
        """Jupyter's view: a summary, then the first page's blocks (escaped text, at most 40)."""
        return _summary_html(self)


def _summary_html(doc: Document) -> str:
    tables = sum(1 for b in doc.blocks if b.kind == "table")
    rows = [("provider", f"{doc.provider} ({doc.format})"), ("file", doc.file_name or ""),
            ("job", doc.job.status + (f": {doc.job.error}" if doc.job.error else "")),
            ("pages / blocks / tables", f"{len(doc.pages)} / {len(doc.blocks)} / {tables}"),
            ("warnings", str(len(doc.warnings)))]
    out = ['<div class="docnorm-document"><table>']
    out += [f"<tr><th style='text-align:left'>{k}</th><td style='text-align:left'>{_esc(v)}</td></tr>" for k, v in rows]
    out.append("</table>")
    if doc.pages:
        first = doc.pages[0].number
        shown = [b for b in doc.blocks if b.page == first][:40]
        out.append(f"<p><b>Page {first}</b></p>")
        for b in shown:
            text = f"table {b.table.n_rows} x {b.table.n_cols}" if b.table is not None else b.text[:300]
            out.append(f"<p><code>{b.kind}</code> {_esc(text)}</p>")
    out.append("</div>")
    return "".join(out)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


_encoder = msgspec.json.Encoder()


def encode(doc: Document) -> bytes:
    return _encoder.encode(doc)


def decode(data: bytes | str) -> Document:
    return decoder(Document).decode(data)


@lru_cache(maxsize=None)
def decoder(tp: Any) -> msgspec.json.Decoder:
    """The JSON decoder into `tp`, made on first use: making one resolves every annotation of the structs under
    it (for the canonical model, ~100), which a run that reads only provider JSON never needs.

    Example:
        >>> decoder(list[int]).decode(b"[1, 2]"), decoder(list[int]) is decoder(list[int])
        ([1, 2], True)
    """
    return msgspec.json.Decoder(tp)


_BOX = "[x0, y0, x1, y1]: top-left origin, y down, in the page's own units (Page.unit)"
# What each field means (docs/canonical-model.md), written into the JSON Schema.
FIELD_DOCS: dict[str, dict[str, str]] = {
    "Document": {
        "": "One parsed document: its job, pages, blocks in reading order, chunks and images.",
        "schema": 'Schema version, "docnorm/1".', "provider": "The parsing service (llamacloud, somark, baidu, "
        "llmwhisperer, ragflow).", "format": "The format id the input was read as (e.g. llamacloud.v2).",
        "file_name": "The source document's file name, as the provider recorded it.", "job": "The parsing job.",
        "pages": "Pages, in order.", "blocks": "Layout blocks in reading order across the whole document.",
        "chunks": "Retrieval chunks the provider made.", "images": "Images the provider listed for the document.",
        "markdown": "The provider's own full markdown, verbatim.", "text": "The provider's own full text, verbatim.",
        "layout_text": "Whether lines keep the page's layout in their spacing (LLMWhisperer's layout mode): "
                       "exporters show them in a monospace face.",
        "warnings": "Every repair made while reading the input: 'JSON path: what was expected and found; what "
                    "was done'.", "extra": "Provider fields with no canonical home, verbatim."},
    "Job": {
        "": "The parsing job's state.", "id": "The provider's job (task) id.",
        "status": "queued, running, succeeded, failed, cancelled or unknown.",
        "provider_status": "The provider's own status word, verbatim.", "error": "Why the job failed.",
        "created_at": "When the job was created (ISO 8601, as given).", "updated_at": "When the job last changed.",
        "progress": "0..1, or null when unknown.", "page_count": "Pages the job covers."},
    "Page": {
        "": "One page.", "number": "1-based page number.", "width": "Page width in `unit`; null when unknown.",
        "height": "Page height in `unit`; null when unknown.", "unit": "pt (PDF points), px (raster pixels) or "
        "null when unknown.", "rotation": "Rotation in degrees, as detected.", "ok": "False when the provider "
        "failed this page (the rest of the document is kept).", "error": "Why the page failed.",
        "is_scan": "Whether the page is a scan.", "printed_number": "The page number printed on the page.",
        "confidence": "The provider's confidence for the page, 0..1.", "text": "The page's text, verbatim.",
        "markdown": "The page's markdown, verbatim.", "extra": "Provider page fields with no canonical home."},
    "Block": {
        "": "One layout block.", "id": "Unique id, p{page}-b{index}.", "page": "1-based page number.",
        "kind": "heading, paragraph, list_item, table, figure, caption, formula, code, header, footer, page_number, "
                "footnote, toc, seal, barcode, link or other.", "text": "The block's text.",
        "level": "A heading's level (1..6) or a list item's nesting depth (from 1).", "bbox": _BOX + "; null when "
        "unknown.", "confidence": "The provider's confidence, 0..1.", "parent": "Id of the nearest enclosing "
        "heading (the section tree).", "markdown": "The provider's markdown fragment, verbatim.",
        "html": "The provider's HTML fragment, verbatim (never rendered).", "latex": "A formula's LaTeX.",
        "table": "A table block's cells.", "image": "A figure's image.", "captions": "Ids of caption blocks.",
        "lines": "Text lines, with their boxes or vertical bands.",
        "ordered": "A list item's list: numbered (true), bulleted (false) or null when the provider does not say.",
        "list_start": "The number a numbered list starts at, on its items; null: from 1.",
        "marker": "A list item's marker as printed (1., a), •), when the provider gives it.",
        "language": "A code block's programming language.", "url": "A link's target (never fetched by docnorm).",
        "chunk": "Id of the provider's chunk this block was cut from (Document.chunks).",
        "extra": "Provider block fields with no canonical home."},
    "Table": {
        "": "A table: every slot of the n_rows x n_cols grid is covered by exactly one cell.",
        "n_rows": "Rows of the grid.", "n_cols": "Columns of the grid.", "cells": "The cells, by row then column.",
        "continued": "begin, inner or end for a table split across pages (exporters join them); null otherwise."},
    "Cell": {
        "": "One table cell.", "row": "0-based grid row of its top-left slot.", "col": "0-based grid column of its "
        "top-left slot.", "row_span": "Rows covered (from 1).", "col_span": "Columns covered (from 1).",
        "text": "The cell's text.", "bbox": _BOX + ".", "header": "Whether it is a header cell.",
        "confidence": "The provider's confidence, 0..1."},
    "Chunk": {
        "": "A retrieval chunk.", "id": "The chunk's id.", "text": "Its text.", "kind": "text, table, image, …, as "
        "the provider says.", "headings": "The section path it lies under.", "locations": "Where it lies: a page and "
        "box per page it touches.", "block_ids": "The blocks it was made from.",
        "keywords": "Keywords the provider attached to it.", "scores": "Retrieval scores by the provider's name for "
        "them (similarity, vector_similarity, term_similarity, ...), best-known first.",
        "extra": "Provider chunk fields with no canonical home."},
    "Location": {"": "A place on a page.", "page": "1-based page number.", "bbox": _BOX + "."},
    "Line": {
        "": "A text line.", "text": "The line's text.", "bbox": _BOX + ".", "top": "Top of the line's vertical band "
        "(providers that know only vertical extents).", "bottom": "Bottom of the line's vertical band.",
        "confidence": "The provider's confidence, 0..1.", "words": "Words, with their confidence.",
        "extra": "Provider line fields."},
    "Word": {"": "A word.", "text": "The word.", "confidence": "The provider's confidence, 0..1.",
             "bbox": _BOX + "."},
    "Image": {
        "": "An image the provider extracted.", "id": "The provider's id for it.", "page": "1-based page number.",
        "name": "Its file name.", "url": "Where the provider put it (never fetched by docnorm).",
        "mime": "Its media type.", "bbox": _BOX + ".", "width": "Its width in pixels.", "height": "Its height in "
        "pixels.", "caption": "Its caption.", "extra": "Provider image fields."},
}


def json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of canonical JSON, every field described, boxes exactly four numbers."""
    schema = msgspec.json.schema(Document)
    for name, definition in schema["$defs"].items():
        docs = FIELD_DOCS.get(name, {})
        if "" in docs:
            definition["description"] = docs[""]
        for field_name, prop in definition.get("properties", {}).items():
            if field_name in docs:
                prop["description"] = docs[field_name]
            if field_name == "bbox":
                for option in prop.get("anyOf", [prop]):
                    if option.get("type") == "array":
                        option["minItems"] = option["maxItems"] = 4
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:docnorm:schema:docnorm/1",
            "title": "docnorm canonical document (docnorm/1)",
            "description": "What docnorm writes for any provider's result: pages, blocks with boxes in reading "
                           "order, tables with explicit spans, chunks and job status. Coordinates: " + _BOX + ".",
            **schema}
