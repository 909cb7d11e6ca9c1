"""The public entry points: detect, normalize, normalize_all, load."""

from __future__ import annotations

import gc
import os
from contextlib import contextmanager
from typing import Any, Iterator

from . import registry, sanitize
from .detect import probe
from .errors import NormalizeError, Repairs
from .schema import Document


def detect(raw: Any) -> str:
    """The format id of `raw` (bytes, str, or parsed JSON)."""
    with _bounded_depth():
        return registry.detect(probe(_clean(raw, Repairs()))).id


def normalize_all(raw: Any, *, format: str | None = None, strict: bool = False) -> list[Document]:
    """Every Document `raw` holds (an SDK list or a document list gives several)."""
    repairs = Repairs(strict)
    # A converter builds one large tree without cycles: collector passes over it find nothing and, on a
    # 1,000-page result, cost about a third of the run. Pause the collector while the tree is built.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with _bounded_depth():
            raw = _clean(raw, repairs)
            seen = probe(raw)
            found = registry.forced(format, seen) if format else registry.detect(seen)
            if isinstance(seen, str) and not isinstance(raw, str):
                raw = seen  # decoded text
            return found.convert(raw, repairs)
    finally:
        if was_enabled:
            gc.enable()


def _clean(raw: Any, repairs: Repairs) -> Any:
    """The input as every later step may assume it: UTF-8-able text, finite numbers, bounded nesting."""
    if isinstance(raw, (bytes, bytearray, memoryview)):
        return sanitize.clean_bytes(bytes(raw), repairs)
    if isinstance(raw, str):
        return sanitize.clean_text(raw, repairs)
    if isinstance(raw, (dict, list)):
        return sanitize.clean_parsed(raw, repairs)
    return raw


@contextmanager
def _bounded_depth() -> Iterator[None]:
    """JSON nested deeper than the decoders can follow is bad input, not a crash."""
    try:
        yield
    except RecursionError:
        raise NormalizeError("$", "expected JSON of reasonable depth, found nesting too deep") from None


def normalize(raw: Any, *, format: str | None = None, strict: bool = False) -> Document:
    """The one Document `raw` holds; `NormalizeError` when it holds several (use `normalize_all`)."""
    docs = normalize_all(raw, format=format, strict=strict)
    if len(docs) != 1:
        raise NormalizeError("$", f"expected one document, found {len(docs)}; use normalize_all")
    return docs[0]


def load(path: str | os.PathLike[str]) -> list[Document]:
    """Every Document in a saved file: raw provider JSON, canonical JSON, or LLMWhisperer text."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise NormalizeError("$", f"cannot read {os.fspath(path)!r}: {exc.strerror}") from None
    docs = normalize_all(data)
    name = os.path.basename(os.fspath(path))
    for doc in docs:
        if doc.file_name is None and doc.format == "whisperer.text":
            doc.file_name = name
    return docs
