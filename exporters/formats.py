"""Every export format, by its `--to` name: the one table `docnorm export`, the viewer's downloads and the
golden tests read.

The exporters are imported when a format is rendered, not when this table is read: `docnorm normalize`
starts without them.
"""

from __future__ import annotations

from typing import Callable, Literal

from msgspec import Struct

from normalizer.schema import Document, encode


class ExportSettings(Struct, frozen=True, kw_only=True):
    """What the command line and the viewer let a user choose for an export."""

    span_policy: Literal["html", "repeat", "anchor"] = "html"
    raw_csv: bool = False  # CSV cells that a spreadsheet would run as formulas, written without the leading '
    remote_images: bool = False  # HTML loads images from other hosts when opened
    source: str | None = None  # HTML: the source document, its pages (with the boxes) embedded beside the text
    bom: bool = False  # CSV: a UTF-8 byte order mark first, so Excel reads the file as UTF-8
    unit: Literal["chunk", "page", "block"] = "chunk"  # langchain-jsonl: one record per chunk, page or block


def _markdown(doc: Document, settings: ExportSettings) -> str:
    from exporters import MarkdownOptions, to_markdown
    return to_markdown(doc, MarkdownOptions(span_policy=settings.span_policy))


def _html(doc: Document, settings: ExportSettings) -> str:
    from exporters import HtmlOptions, to_html
    pages = None
    if settings.source is not None:
        from exporters.pages.render import embedded_pages
        pages = embedded_pages(doc, settings.source)
    return to_html(doc, HtmlOptions(remote_images=settings.remote_images), page_images=pages)


def _text(doc: Document, settings: ExportSettings) -> str:
    from exporters import to_text
    return to_text(doc)


def _chunks(doc: Document, settings: ExportSettings) -> str:
    from exporters import to_chunks_jsonl
    return to_chunks_jsonl(doc)


def _json(doc: Document, settings: ExportSettings) -> str:
    return encode(doc).decode() + "\n"


def _tables_html(doc: Document, settings: ExportSettings) -> list[str]:
    """Each table as a small HTML document of its own (with its charset, so a browser reads it right)."""
    from html import escape

    from exporters import table_to_html
    title = escape(doc.file_name or "table")
    return [f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{title} · table {n}</title>\n'
            f"</head>\n<body>\n{html}\n</body>\n</html>\n" for n, html in enumerate(_tables(doc, table_to_html), 1)]


def _tables_csv(doc: Document, settings: ExportSettings) -> list[str]:
    from exporters import table_to_csv
    bom = "\ufeff" if settings.bom else ""
    return _tables(doc, lambda t: bom + table_to_csv(t, settings.span_policy, raw=settings.raw_csv))


def _docling(doc: Document, settings: ExportSettings) -> bytes:
    from exporters.docling import to_docling
    return to_docling(doc) + b"\n"


def _elements(doc: Document, settings: ExportSettings) -> bytes:
    from exporters.elements import to_elements
    return to_elements(doc) + b"\n"


def _langchain_jsonl(doc: Document, settings: ExportSettings) -> str:
    from exporters.frameworks import to_langchain_jsonl
    return to_langchain_jsonl(doc, settings.unit)


def _xlsx(doc: Document, settings: ExportSettings) -> bytes:
    from exporters.spreadsheets import to_xlsx
    return to_xlsx(doc)


def _tables(doc: Document, render: Callable) -> list[str]:
    from exporters.joined import logical_blocks
    return [render(table) for block, table in logical_blocks(doc.blocks) if block.kind == "table" and table]


# name -> (file suffix, MIME type, render one document to text or bytes, or to one text per table)
EXPORTS: dict[str, tuple[str, str, Callable[[Document, ExportSettings], str | bytes | list[str]]]] = {
    "md": (".md", "text/markdown", _markdown),
    "html": (".html", "text/html", _html),
    "text": (".txt", "text/plain", _text),
    "chunks": (".jsonl", "application/x-ndjson", _chunks),
    "json": (".json", "application/json", _json),
    "tables-html": (".html", "text/html", _tables_html),
    "tables-csv": (".csv", "text/csv", _tables_csv),
    "docling": (".docling.json", "application/json", _docling),
    "elements": (".elements.json", "application/json", _elements),
    "langchain-jsonl": (".langchain.jsonl", "application/x-ndjson", _langchain_jsonl),
    "xlsx": (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _xlsx),
}
