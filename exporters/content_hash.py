"""A file's identity by its bytes, for the page cache and the dataset's manifest alike: 128-bit BLAKE2b, hex."""

from __future__ import annotations

import hashlib


def bytes_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def file_hash(path: str) -> str:
    """The hash of a file's bytes, read a megabyte at a time (a source PDF may be large); OSError if unreadable."""
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
