"""What LlamaCloud v2 and LlamaParse v1 share: the box struct, layout labels, job statuses, and the block
builders each version's item handlers call once they have read their own field names (v2 `bbox` lists and
`level`, v1 one `bBox` and `lvl`)."""

from __future__ import annotations

from typing import Any, Callable

from ..build import PageBlocks, formula_latex
from ..errors import Repairs
from ..geometry import box_of_parts
from ..kit import heading_level, read_table
from ..schema import BBox, Block, Line
from ..typed import Raw, as_json


class Box(Raw, kw_only=True):
    """A box `{x, y, w, h}` in page units, top-left origin. Parts may be null in real files (no box then)."""

    x: float | None = None
    y: float | None = None
    w: float | None = None
    h: float | None = None
    confidence: float | None = None
    label: str | None = None
    start_index: int | None = None
    end_index: int | None = None
    startIndex: int | None = None  # v1 and pre-1.0 v2 spelling
    endIndex: int | None = None
    r: float | None = None


def box(b: Any, repairs: Repairs, path: str | Callable[[], str], extra: dict[str, Any]) -> BBox | None:
    """`b` (a struct with x, y, w, h) as corners; None when a part is unknown, the raw box then kept in
    `extra["bbox"]`."""
    bbox = box_of_parts(b.x, b.y, b.w, b.h, repairs, path)
    if bbox is None:
        extra["bbox"] = as_json(b)
    return bbox


def box_detail(b: Box) -> dict[str, Any]:
    """What a box says besides where it is: its layout label, the text span it covers, rotation, unknown keys."""
    detail: dict[str, Any] = {} if b.label is None else {"label": b.label}
    start, end = b.start_index, b.end_index
    if start is None and end is None:
        start, end = b.startIndex, b.endIndex
    if start is not None or end is not None:
        detail["span"] = [start, end]
    if b.r is not None:
        detail["rotation"] = b.r
    if b.rest:
        detail.update(b.rest)
    return detail


# Layout label of a `text` item's box -> a more precise kind. Labels not listed keep the item's own kind.
TEXT_LABEL_KINDS = {
    "formula": "formula",
    "display_formula": "formula",
    "figure_title": "caption",
    "table_title": "caption",
    "chart_title": "caption",
    "figure_caption": "caption",
    "table_caption": "caption",
    "footnote": "footnote",
    "page_number": "page_number",
    "number": "page_number",
    "page_header": "header",
    "header": "header",
    "page_footer": "footer",
    "footer": "footer",
    "seal": "seal",
    "algorithm": "code",
    "code": "code",
    "content": "toc",
    "toc": "toc",
}

# Layout label of an item whose own type is unknown -> its kind (falls back to "other").
OTHER_LABEL_KINDS = {**TEXT_LABEL_KINDS, "chart": "figure", "image": "figure", "figure": "figure",
                     "text": "paragraph", "paragraph_title": "heading", "doc_title": "heading"}

# v2 job.status (PROVIDERS.md §1.6)
V2_STATUS = {"PENDING": "queued", "RUNNING": "running", "COMPLETED": "succeeded", "FAILED": "failed",
             "CANCELLED": "cancelled"}
# v1 job status; PARTIAL_SUCCESS is a success with a warning
V1_STATUS = {"PENDING": "running", "SUCCESS": "succeeded", "PARTIAL_SUCCESS": "succeeded", "ERROR": "failed",
             "CANCELLED": "cancelled"}


def label_kind(extra: dict, table: dict[str, str], default: str) -> str:
    """The kind a box label (kept in `extra["label"]`) implies; a malformed label implies nothing."""
    label = extra.get("label")
    return table.get(label, default) if isinstance(label, str) else default


# --- blocks, once each version has read its own field names -----------------------------------------

def text_block(out: PageBlocks, value: str | None, md: str | None, bbox: BBox | None, confidence: float | None,
               extra: dict[str, Any], lines: list[Line]) -> Block:
    """A `text` item: `$$…$$` markdown is a formula whatever its label says; else the label may refine it."""
    latex = formula_latex(md) if md and "$$" in md else None
    if latex is not None:
        kind = "formula"
    else:
        kind = label_kind(extra, TEXT_LABEL_KINDS, "paragraph")
        latex = value if kind == "formula" else None
    return out.append(Block(id=out.next_id(), page=out.page, kind=kind, text=value if value is not None else (md or ""),
                            bbox=bbox, confidence=confidence, markdown=md, latex=latex, extra=extra, lines=lines))


def heading_block(out: PageBlocks, value: str | None, md: str | None, level: int | None, bbox: BBox | None,
                  confidence: float | None, extra: dict[str, Any], lines: list[Line], repairs: Repairs,
                  level_path: str) -> Block:
    return out.append(Block(
        id=out.next_id(), page=out.page, kind="heading", level=heading_level(level, repairs, level_path),
        text=value if value is not None else (md or "").lstrip("# "), bbox=bbox, confidence=confidence, markdown=md,
        extra=extra, lines=lines))


def table_block(out: PageBlocks, html: str | None, md: str | None, rows: list[list[Any]] | None,
                bbox: BBox | None, confidence: float | None, extra: dict[str, Any], lines: list[Line],
                repairs: Repairs, path: str) -> Block:
    """The item's table from its richest representation; the provider's grid is kept when it disagrees."""
    read = read_table(repairs, html=(html, f"{path}.html"), markdown=(md, f"{path}.md"), rows=(rows, f"{path}.rows"))
    if read.caption is not None:
        extra["caption"] = read.caption
    table = read.table
    if rows and (table.n_rows, table.n_cols) != (len(rows), max(len(r) for r in rows)):
        extra["rows"] = rows
    return out.append(Block(id=out.next_id(), page=out.page, kind="table", text=read.text, table=table, html=html,
                            bbox=bbox, confidence=confidence, markdown=md, extra=extra, lines=lines))


def other_block(out: PageBlocks, type_: str | None, text: str, md: str | None, html: str | None,
                bbox: BBox | None, confidence: float | None, extra: dict[str, Any], lines: list[Line],
                repairs: Repairs, path: str) -> Block:
    """An item of a type with no handler: its box label may still name its kind (the note says which)."""
    kind = label_kind(extra, OTHER_LABEL_KINDS, "other")
    repairs.note(path, f"unknown item type {type_!r}; kept as kind {kind!r}")
    extra["type"] = type_
    return out.append(Block(id=out.next_id(), page=out.page, kind=kind, text=text, html=html, bbox=bbox,
                            confidence=confidence, markdown=md, extra=extra, lines=lines))

