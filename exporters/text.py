"""Canonical Document -> plain text in reading order; pages separated by form feeds."""

from __future__ import annotations

from msgspec import Struct

from normalizer.kinds import FURNITURE
from normalizer.schema import Document

from .joined import logical_blocks
from .tables import grid


class TextOptions(Struct, frozen=True, kw_only=True):
    furniture: bool = False  # include page headers, footers, page numbers



def to_text(doc: Document, options: TextOptions = TextOptions()) -> str:
    """Plain text in reading order: blocks separated by blank lines, pages by form feeds, tables as tab-separated
    rows, formulas as their LaTeX.

    Args:
        doc: a canonical Document.
        options: whether page headers and footers are included.

    Example:
        >>> doc = normalize(open("samples/llamacloud/annual_report_v2.json", "rb").read())
        >>> to_text(doc).count("\\f") == len(doc.pages) - 1
        True
    """
    pages: dict[int, list[str]] = {p.number: [] for p in doc.pages}
    for block, table in logical_blocks(doc.blocks):
        if block.kind in FURNITURE and not options.furniture:
            continue
        if block.kind == "table":
            if table is None:
                continue
            text = "\n".join("\t".join(row) for row in grid(table, "anchor")) if table.n_rows else block.text
        elif block.kind == "formula":
            text = block.latex if block.latex is not None else block.text
        else:
            text = block.text
        if text:
            pages.setdefault(block.page, []).append(text)
    return "\f".join("\n\n".join(pages[n]) for n in sorted(pages)) + ("\n" if pages else "")
