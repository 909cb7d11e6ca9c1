"""The public entry points: detect, normalize, normalize_all, load."""

from __future__ import annotations

import errno
import os
import stat
from contextlib import contextmanager
from typing import Any, Iterator

from . import registry, sanitize
from .collector import paused
from .detect import file_bytes, named_format, probe, text_of
from .errors import NormalizeError, Repairs
from .schema import Document


def detect(raw: Any) -> str:
    """The format id of a saved result, without converting it.

    Args:
        raw: the result as bytes (what a file holds), str, or parsed JSON (dict or list).

    Returns:
        A format id such as "llamacloud.v2" or "whisperer.text" (see the README's Formats table).

    Raises:
        NormalizeError: the input is no known format (the message describes what it is).

    Example:
        >>> detect(b'{"job": {"id": "pjb-1", "status": "COMPLETED"}}')
        'llamacloud.v2'
    """
    named = named_format(raw)
    with _bounded_depth():
        cleaned = _clean(raw, Repairs())
        if named is not None and text_of(cleaned) is not None:  # a file's name gave it (Markdown): text is enough
            return named
        return registry.detect(probe(cleaned)).id


def normalize_all(raw: Any, *, format: str | None = None, strict: bool = False) -> list[Document]:
    """Every Document a saved result holds: the LlamaParse SDK list, a RAGFlow document list or a retrieval
    response give several, everything else one.

    Args:
        raw: the result as bytes, str, or parsed JSON (never changed).
        format: a format id to read it as instead of detecting it; the input must still have its shape.
        strict: raise at the first thing that needs a repair instead of repairing it and recording a warning.

    Returns:
        The Documents, in the order the input holds them.

    Raises:
        NormalizeError: bad input; `.path` is the JSON path, the message says what was expected and found.

    Example:
        >>> docs = normalize_all(open("samples/llamacloud/quarterly_v1_sdk_list.json", "rb").read())
        >>> [d.format for d in docs]
        ['llamaparse.v1', 'llamaparse.v1']
    """
    repairs = Repairs(strict)
    # A converter builds one large tree without cycles: collector passes over it find nothing and, on a
    # 1,000-page result, cost about a third of the run (normalizer.collector).
    with paused(), _bounded_depth():
        named = named_format(raw)  # a .md file's bytes say Markdown (read_file)
        name = raw.name if named else None
        format = format or named
        raw = _clean(raw, repairs)
        seen = _looked_at(raw, format)
        found = registry.forced(format, seen) if format else registry.detect(seen)
        if isinstance(seen, str) and not isinstance(raw, str):
            raw = seen  # decoded text
        docs = found.convert(raw, repairs)
        for doc in docs if found.text else ():  # text carries no file name: the file's is the document's
            doc.file_name = doc.file_name or name
        return docs


def _looked_at(raw: Any, format: str | None) -> Any:
    """What detection and the converters see: the text itself for a format every text belongs to (Markdown: even
    text that starts like JSON), else `probe`'s view (a lazily decoded JSON value, or the text of a text file)."""
    if format and format in registry.BY_ID and registry.BY_ID[format].any_text:
        text = text_of(raw)
        if text is not None:
            return text
    return probe(raw)


def _clean(raw: Any, repairs: Repairs) -> Any:
    """The input as every later step may assume it: UTF-8 (no byte order mark) that holds only what UTF-8 can,
    finite numbers, bounded nesting."""
    if isinstance(raw, (bytes, bytearray, memoryview)):
        return sanitize.clean_bytes(sanitize.utf8(bytes(raw), repairs), repairs)
    if isinstance(raw, str):
        return sanitize.clean_text(raw[1:] if raw[:1] == "\ufeff" else raw, repairs)
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
    """The one Document a saved result holds (use `normalize_all` for inputs that hold several).

    Args:
        raw: the result as bytes, str, or parsed JSON (never changed).
        format: a format id to read it as instead of detecting it.
        strict: raise instead of repairing.

    Returns:
        The canonical Document; its `warnings` list every repair made.

    Raises:
        NormalizeError: bad input, or an input holding several documents.

    Example:
        >>> doc = normalize(open("samples/somark/bare_outputs.json", "rb").read())
        >>> doc.provider, doc.pages[0].number, doc.blocks[0].kind
        ('somark', 1, 'heading')
    """
    docs = normalize_all(raw, format=format, strict=strict)
    if len(docs) != 1:
        raise NormalizeError("$", f"expected one document, found {len(docs)}; use normalize_all")
    return docs[0]


def read_file(path: str | os.PathLike[str]) -> bytes:
    """A saved file's bytes. Only a regular file is read: a FIFO or a device named `*.json` would block (or never
    end), so it is an OSError at once, like a missing file. The bytes of a file whose name gives its format (a
    `.md` or `.markdown` file: Markdown, which content cannot tell) carry it (`detect.NamedBytes`), so that
    `normalize_all`, `detect` and the command line read them as that format.

    Example:
        >>> len(read_file("samples/whisperer/sales.text.txt")) > 0
        True
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a FIFO, socket or device)")
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return file_bytes(fh.read(), path)
    finally:
        os.close(fd)


def load(path: str | os.PathLike[str]) -> list[Document]:
    """Every Document in a saved file: raw provider JSON, canonical JSON, LLMWhisperer text, or Markdown (a `.md` or
    `.markdown` file).

    Args:
        path: the file.

    Returns:
        Its Documents (`normalize_all` of its bytes); LLMWhisperer text and Markdown get the file's name as
        `file_name`.

    Raises:
        NormalizeError: the file cannot be read or is bad input.

    Example:
        >>> [d.file_name for d in load("samples/whisperer/sales.text.txt")]
        ['sales.text.txt']
    """
    try:
        data = read_file(path)
    except OSError as exc:
        raise NormalizeError("$", f"cannot read {os.fspath(path)!r}: {exc.strerror}") from None
    docs = normalize_all(data)
    name = os.path.basename(os.fspath(path))
    for doc in docs:
        if doc.file_name is None and doc.format in ("whisperer.text", "markdown"):
            doc.file_name = name
    return docs
