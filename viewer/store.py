"""The served folder: which files may be read, and their documents, cached by (path, size, mtime).

Read-only by construction: nothing here opens a file for writing. A path from a request is resolved
against the root and refused unless it is a relative path, without `..`, to a regular `.json`/`.txt`
file whose real location (symlinks followed) is inside the root; an image a figure names, the same
way, with an image suffix.
"""

from __future__ import annotations

import gc
import os
import threading
from collections import OrderedDict
from typing import NamedTuple

from normalizer import NormalizeError, load
from normalizer.schema import Document

SUFFIXES = (".json", ".txt")
# Images a figure may name next to its result file. Not SVG: it can carry script.
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp"}
IMAGE_SUFFIXES = tuple(IMAGE_TYPES)


class Refused(Exception):
    """A path the viewer will not serve (outside the root, not a result file, or missing)."""


class Loaded(NamedTuple):
    docs: list[Document]
    error: str | None  # "$.path: message" when the file does not normalize


class Store:
    def __init__(self, root: str, capacity: int = 64):
        self.root = os.path.realpath(root)
        self.capacity = capacity
        self._cache: OrderedDict[str, tuple[tuple[int, int], Loaded]] = OrderedDict()
        self._lock = threading.Lock()

    def resolve(self, rel: str, suffixes: tuple[str, ...] = SUFFIXES) -> str:
        """The real path of `rel`, a file with one of `suffixes`, or `Refused`."""
        if not rel or "\x00" in rel or rel.startswith(("/", "\\")) or os.path.isabs(rel) or ":" in rel[:3]:
            raise Refused("expected a path relative to the served folder")
        parts = rel.replace("\\", "/").split("/")
        if ".." in parts:
            raise Refused("'..' is not allowed")
        real = os.path.realpath(os.path.join(self.root, *parts))
        if os.path.commonpath([real, self.root]) != self.root:
            raise Refused("the path leads outside the served folder")
        if not (real if suffixes == SUFFIXES else real.lower()).endswith(suffixes) or not os.path.isfile(real):
            raise Refused("no such result file" if suffixes == SUFFIXES else "no such file")
        return real

    def files(self) -> list[str]:
        """Every result file under the root (relative, '/'-separated, sorted); links that lead out are skipped."""
        found = []
        for folder, dirs, names in os.walk(self.root, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in names:
                if name.startswith(".") or not name.endswith(SUFFIXES):
                    continue
                rel = os.path.relpath(os.path.join(folder, name), self.root).replace(os.sep, "/")
                try:
                    self.resolve(rel)
                except Refused:
                    continue
                found.append(rel)
        return sorted(found)

    def load(self, rel: str) -> Loaded:
        real = self.resolve(rel)
        try:
            st = os.stat(real)
        except OSError:  # deleted (or made unreadable) since it was listed
            raise Refused("no such result file") from None
        key = (st.st_size, st.st_mtime_ns)
        with self._lock:
            hit = self._cache.get(real)
            if hit is not None and hit[0] == key:
                self._cache.move_to_end(real)
                return hit[1]
        try:
            loaded = Loaded(load(real), None)
        except NormalizeError as exc:  # the message may name the file: by its path in the folder, not on disk
            loaded = Loaded([], f"{exc.path}: {exc.message}".replace(real, rel))
        except (OSError, UnicodeError, RecursionError, MemoryError) as exc:  # unreadable, not malformed
            loaded = Loaded([], f"$: cannot read the file ({type(exc).__name__})")
        # A cached document is a large, long-lived, acyclic tree: keep the collector from walking it on every
        # request (frozen objects are still freed by reference counting once evicted).
        gc.freeze()
        with self._lock:
            self._cache[real] = (key, loaded)
            self._cache.move_to_end(real)
            while len(self._cache) > self.capacity:
                self._cache.popitem(last=False)
        return loaded

    def document(self, rel: str, index: int) -> Document:
        loaded = self.load(rel)
        if loaded.error is not None:
            raise Refused(loaded.error)
        if not 0 <= index < len(loaded.docs):
            raise Refused(f"the file holds {len(loaded.docs)} document(s); there is no document {index}")
        return loaded.docs[index]
