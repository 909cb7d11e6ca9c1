"""Outputs of several files, each named by its writer (a `Target` with `named=True`): the file names come from
provider strings, so every one is made safe here, and only here, before anything is written or zipped.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple


class NamedFile(NamedTuple):
    """One file of a named output: its name (a single path component, made safe) and its content."""
    name: str
    content: str | bytes


_RESERVED = frozenset('/\\:*?"<>|')  # path separators, and what Windows (and so a zip opened there) refuses
_DOTS = re.compile(r"\.{2,}")
MAX_NAME_BYTES = 200  # below every common file system's 255-byte limit, with room for a "-2" and a suffix


def safe_file_name(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """`name` as one harmless file name: written by the command line and zipped by the viewer, a name taken from
    a provider string can neither leave the output folder nor hide or garble itself. Path separators and the
    characters Windows refuses become `_`, control and format characters (line breaks, NUL, bidi overrides) too;
    runs of dots become one dot and leading or trailing dots and spaces go (no `..`, no hidden file); a name
    longer than `limit` UTF-8 bytes is cut before its suffix; an empty name is `_`.

    Example:
        >>> [safe_file_name(n) for n in ("../x.md", "a/b\\\\c.md", "x\\n\\u202e.md", "..", "年报.pdf_0.md")]
        ['_x.md', 'a_b_c.md', 'x__.md', '_', '年报.pdf_0.md']
    """
    kept = "".join("_" if ch in _RESERVED or unicodedata.category(ch)[0] == "C" or ch in "\u2028\u2029" else ch
                   for ch in name)
    kept = _DOTS.sub(".", kept).strip(" .") or "_"
    if len(kept.encode("utf-8")) <= limit:
        return kept
    stem, dot, suffix = kept.rpartition(".")
    if not dot or len(suffix) > 16:
        stem, suffix = kept, ""
    room = max(limit - len(suffix.encode("utf-8")) - len(dot), 1)
    stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .") or "_"
    return stem + (dot + suffix if suffix else "")


def unique_name(name: str, used: set[str]) -> str:
    """`name` made safe, with `-2`, `-3`… before its suffix when an earlier file of the same output (or folder)
    took it, so that no file overwrites another; the name returned is added to `used`.

    Example:
        >>> used = set()
        >>> [unique_name(n, used) for n in ("a.md", "a.md", "A.md", "a/b")]
        ['a.md', 'a-2.md', 'A-3.md', 'a_b']
    """
    name = safe_file_name(name)
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem, dot, suffix = name, "", ""
    candidate, n = name, 2
    while candidate.casefold() in used:  # case folded: two names that differ in case are one file on macOS
        candidate = f"{stem}-{n}{dot}{suffix}"
        n += 1
    used.add(candidate.casefold())
    return candidate
