"""A file's identity by its bytes, for the page cache and the dataset's manifest alike: 128-bit BLAKE2b, hex."""

from __future__ import annotations

import hashlib
import os

FULL_HASH_LIMIT = 64 << 20  # a source up to this size is hashed whole (~0.1 s); a larger one by samples
_SAMPLE = 1 << 20


def bytes_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def file_hash(path: str) -> str:
    """The hash of a file's bytes, read a megabyte at a time (a source PDF may be large); OSError if unreadable."""
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def source_identity(path: str) -> str:
    """A source document's identity for the page cache, in bounded time: the hash of its bytes up to
    FULL_HASH_LIMIT; past it (a 20 GB file would take a minute to hash in a viewer's request) the hash of its size,
    modification time, inode and three 1 MB samples (start, middle, end), which change whenever the file does in
    any way a renderer could see short of a same-size rewrite that keeps its mtime. OSError if unreadable.

    >>> import tempfile; f = tempfile.NamedTemporaryFile(); _ = f.write(b"%PDF"); f.flush()
    >>> source_identity(f.name) == file_hash(f.name)
    True
    """
    st = os.stat(path)
    if st.st_size <= FULL_HASH_LIMIT:
        return file_hash(path)
    h = hashlib.blake2b(b"%d|%d|%d|%d" % (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev), digest_size=16)
    with open(path, "rb") as fh:
        for start in (0, st.st_size // 2, max(0, st.st_size - _SAMPLE)):
            fh.seek(start)
            h.update(fh.read(_SAMPLE))
    return h.hexdigest()
