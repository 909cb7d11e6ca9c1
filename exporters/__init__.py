"""docnorm exporters: canonical Document -> str/bytes."""

from normalizer.schema import Document, encode

from . import diff  # the module is callable: diff(a, b) runs diff.diff(a, b)
from .chunks import ChunkOptions, to_chunks, to_chunks_jsonl
from .html import HtmlOptions, to_html
from .markdown import MarkdownOptions, to_markdown
from .tables import table_to_csv, table_to_html
from .text import TextOptions, to_text


def to_json(doc: Document) -> bytes:
    """Canonical JSON: compact UTF-8, every field written. `normalizer.normalize` of it is an equal Document.

    Example:
        >>> from normalizer import normalize
        >>> doc = normalize(open("samples/somark/bare_outputs.json", "rb").read())
        >>> normalize(to_json(doc)) == doc
        True
    """
    return encode(doc)


__all__ = ["diff", "to_chunks_jsonl", "to_chunks", "ChunkOptions", "to_json", "to_html", "HtmlOptions", "to_markdown", "to_text", "table_to_html", "table_to_csv", "MarkdownOptions", "TextOptions"]
