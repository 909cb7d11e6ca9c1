"""docnorm exporters: canonical Document -> str/bytes.

The exporters load when first used (PEP 562 module attributes): `docnorm normalize` reads the export table in
`exporters.formats` without importing Jinja, rapidfuzz or the diff, and `import exporters` imports no optional
dependency (pandas, openpyxl, LangChain, LlamaIndex load when their writer is called).
"""

from __future__ import annotations

import importlib
from typing import Any

from normalizer.schema import Document, encode

# public name -> the module that defines it
_LAZY = {
    "diff": "exporters.diff", "to_chunks_jsonl": "exporters.chunks", "to_chunks": "exporters.chunks",
    "ChunkOptions": "exporters.chunks", "to_html": "exporters.html", "HtmlOptions": "exporters.html",
    "to_markdown": "exporters.markdown", "MarkdownOptions": "exporters.markdown", "to_text": "exporters.text",
    "TextOptions": "exporters.text", "table_to_html": "exporters.tables", "table_to_csv": "exporters.tables",
    "to_docling": "exporters.docling", "to_elements": "exporters.elements", "to_langchain": "exporters.frameworks",
    "to_llama_index": "exporters.frameworks", "to_langchain_jsonl": "exporters.frameworks",
    "to_xlsx": "exporters.spreadsheets", "table_to_dataframe": "exporters.spreadsheets",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'exporters' has no attribute {name!r}")
    value = importlib.import_module(module)
    value = value if name == "diff" else getattr(value, name)  # the diff module is callable: diff(a, b)
    globals()[name] = value
    return value


def to_json(doc: Document) -> bytes:
    """Canonical JSON: compact UTF-8, every field written. `normalizer.normalize` of it is an equal Document.

    Example:
        >>> from normalizer import normalize
        >>> doc = normalize(open("samples/somark/bare_outputs.json", "rb").read())
        >>> normalize(to_json(doc)) == doc
        True
    """
    return encode(doc)


__all__ = ["diff", "to_chunks_jsonl", "to_chunks", "ChunkOptions", "to_json", "to_html", "HtmlOptions", "to_markdown",
           "to_text", "table_to_html", "table_to_csv", "MarkdownOptions", "TextOptions", "to_docling", "to_elements",
           "to_langchain", "to_llama_index", "to_langchain_jsonl", "to_xlsx", "table_to_dataframe"]
