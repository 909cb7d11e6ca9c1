"""What LlamaCloud v2 and LlamaParse v1 share: layout labels, job statuses, and the item rules on top of them."""

from __future__ import annotations

from typing import Any

from .. import tables
from ..build import formula_latex, heading_level
from ..errors import Repairs
from ..schema import Table

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


def text_kind(extra: dict, md: str | None, value: str | None) -> tuple[str, str | None]:
    """(kind, latex) of a `text` item: `$$…$$` markdown is a formula whatever its label says."""
    latex = formula_latex(md) if md and "$$" in md else None
    if latex is not None:
        return "formula", latex
    kind = label_kind(extra, TEXT_LABEL_KINDS, "paragraph")
    return kind, value if kind == "formula" else None


def table_of(html: str | None, md: str | None, rows: list[list[Any]] | None, repairs: Repairs, path: str,
             extra: dict[str, Any]) -> Table:
    """The item's table from its richest representation; the provider's grid is kept when it disagrees."""
    parsed = tables.from_any(html, md, rows, repairs, path)
    if parsed is None:
        return Table(n_rows=0, n_cols=0)
    if parsed.caption is not None:
        extra["caption"] = parsed.caption
    if rows and (parsed.table.n_rows, parsed.table.n_cols) != (len(rows), max(len(r) for r in rows)):
        extra["rows"] = rows
    return parsed.table
