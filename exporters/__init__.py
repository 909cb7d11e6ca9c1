"""docnorm exporters: canonical Document -> str/bytes."""

from normalizer.schema import Document, encode

from .tables import table_to_csv, table_to_html


def to_json(doc: Document) -> bytes:
    """Canonical JSON (decode it with `normalizer.normalize` to get an equal Document back)."""
    return encode(doc)


__all__ = ["to_json", "table_to_html", "table_to_csv"]
