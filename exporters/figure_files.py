"""The figure images a result names that sit beside it, read so that a report sent alone carries them (the HTML
export writes them as data: URLs; its Content-Security-Policy allows `img-src data:` and nothing remote).

A reference is read only when it is a relative path (no scheme, not absolute) whose real location, symlinks
followed, is inside the result's folder, a regular file of at most `MAX_BYTES` whose first bytes say it is a PNG,
JPEG, GIF or WebP image (the suffix is not trusted). Anything else stays as the export writes it without: a link
or a placeholder.
"""

from __future__ import annotations

import os
import re
import stat
from typing import Callable

from normalizer.kinds import row as kind_row
from normalizer.schema import Document

from .html import data_url

MAX_BYTES = 20 << 20  # one figure; a larger file is left as a link
MAX_TOTAL = 200 << 20  # all figures of one document

# (media type, does this start of a file say it is one)
MAGIC: tuple[tuple[str, Callable[[bytes], bool]], ...] = (
    ("image/png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ("image/jpeg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ("image/gif", lambda head: head[:6] in (b"GIF87a", b"GIF89a")),
    ("image/webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def media_type(head: bytes) -> str | None:
    """The image type the first bytes of a file say, or None.

    >>> media_type(b"\\x89PNG\\r\\n\\x1a\\n...."), media_type(b"<svg>")
    ('image/png', None)
    """
    return next((mime for mime, says in MAGIC if says(head)), None)


def _inside(folder: str, reference: str) -> str | None:
    """The file a relative reference names inside `folder` (its real path), or None."""
    if not reference or _SCHEME.match(reference) or reference.startswith(("/", "\\")) or "\x00" in reference:
        return None
    root = os.path.realpath(folder)
    path = os.path.realpath(os.path.join(root, reference))
    return path if path.startswith(root + os.sep) else None


def _read(path: str) -> bytes | None:
    """The file's bytes; None for what is not a regular file (a FIFO is opened without waiting for a writer,
    and never read) or is larger than MAX_BYTES."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        try:
            data = fh.read(MAX_BYTES + 1)
        except OSError:
            return None
    return data if len(data) <= MAX_BYTES else None


def local_images(doc: Document, folder: str) -> dict[str, str]:
    """Each figure reference of `doc` found as an image inside `folder` -> its data: URL.

    Example:
        >>> from normalizer import load
        >>> doc = load("samples/same_report/harbor_q3_llamacloud_v2.json")[0]
        >>> [(ref, url[:22]) for ref, url in local_images(doc, "samples/same_report").items()]
        [('page_2_image_1.png', 'data:image/png;base64,')]
    """
    found: dict[str, str] = {}
    total = 0
    for block in doc.blocks:
        reference = block.image.url if block.image and kind_row(block.kind).draws_as == "figure" else None
        if not reference or reference in found:
            continue
        path = _inside(folder, reference)
        data = _read(path) if path else None
        mime = media_type(data[:16]) if data else None
        if data is None or mime is None or total + len(data) > MAX_TOTAL:
            continue
        total += len(data)
        found[reference] = data_url(data, mime)
    return found
