"""Every export format, by its `--to` name: shared by `docnorm export` and the viewer's downloads."""

from __future__ import annotations

from typing import Callable

from exporters import MarkdownOptions, to_chunks_jsonl, table_to_csv, table_to_html, to_html, to_markdown, to_text
from exporters.joined import logical_blocks
from normalizer.schema import Document, encode


def _tables(doc: Document, render: Callable) -> list[str]:
    return [render(table) for block, table in logical_blocks(doc.blocks) if block.kind == "table" and table]


# name -> (file suffix, MIME type, render one document to text, or to one text per table)
EXPORTS: dict[str, tuple[str, str, Callable[[Document, str], str | list[str]]]] = {
    "md": (".md", "text/markdown", lambda doc, policy: to_markdown(doc, MarkdownOptions(span_policy=policy))),
    "html": (".html", "text/html", lambda doc, policy: to_html(doc)),
    "text": (".txt", "text/plain", lambda doc, policy: to_text(doc)),
    "chunks": (".jsonl", "application/x-ndjson", lambda doc, policy: to_chunks_jsonl(doc)),
    "json": (".json", "application/json", lambda doc, policy: encode(doc).decode() + "\n"),
    "tables-html": (".html", "text/html", lambda doc, policy: _tables(doc, table_to_html)),
    "tables-csv": (".csv", "text/csv", lambda doc, policy: _tables(doc, lambda t: table_to_csv(t, policy))),
}
