"""The served folder: which files may be read, and their documents, cached by (path, size, mtime).

Read-only by construction: nothing here opens a file for writing. A path from a request is resolved
against the root and refused unless it is a relative path, without `..`, to a regular `.json`/`.txt`
file whose real location (symlinks followed) is inside the root; an image a figure names, the same
way, with an image suffix.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from typing import Any, Callable, NamedTuple

from normalizer import failure_message, load
from normalizer.collector import paused
from normalizer.errors import shown
from normalizer.schema import Document

SUFFIXES = (".json", ".txt")
# Images a figure may name next to its result file. Not SVG: it can carry script.
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".webp": "image/webp"}
IMAGE_SUFFIXES = tuple(IMAGE_TYPES)


UNNAMEABLE = "the file name is not valid UTF-8: rename the file to open it in the viewer"


class Refused(Exception):
    """A path the viewer will not serve (outside the root, not a result file, or missing)."""


class Loaded(NamedTuple):
    docs: list[Document]
    error: str | None  # "$.path: message" when the file does not normalize


class Store:
    def __init__(self, root: str, capacity: int = 64, index_budget: float = 0.25):
        self.root = os.path.realpath(root)
        self.capacity = capacity
        self.index_budget = index_budget  # seconds an index request reads files itself before leaving them to the scan
        self._cache: OrderedDict[str, tuple[tuple[int, int], Loaded]] = OrderedDict()
        self._lock = threading.Lock()
        self._summaries: dict[str, tuple[tuple[int, int], list[dict[str, Any]]]] = {}
        self._derived: OrderedDict[int, tuple[Document, dict[str, Any]]] = OrderedDict()
        self._scanning: threading.Thread | None = None

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
        """Every result file under the root (relative, '/'-separated, sorted); links that lead out are skipped.
        Only a link is resolved: a regular file found by a walk that follows no links is inside by construction."""
        found = []
        start = len(self.root.rstrip(os.sep)) + 1
        for folder, dirs, _ in os.walk(self.root, followlinks=False):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            prefix = folder[start:].replace(os.sep, "/") + "/" if len(folder) >= start else ""
            try:
                entries = list(os.scandir(folder))
            except OSError:
                continue
            for entry in entries:
                if entry.name.startswith(".") or not entry.name.endswith(SUFFIXES):
                    continue
                rel = prefix + entry.name
                try:
                    if entry.is_symlink():
                        self.resolve(rel)
                    elif not entry.is_file(follow_symlinks=False):
                        continue
                except (Refused, OSError):
                    continue
                found.append(rel)
        return sorted(found)

    def load(self, rel: str, keep: bool = True) -> Loaded:
        """The file's documents, from the cache while the file is unchanged; `keep=False` reads it without
        caching it (the index scan must not push the documents being viewed out)."""
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
        # A cached document is a large, long-lived, acyclic tree (its structs untracked): read with the collector
        # paused, what it built goes straight to the oldest generation, so no young pass walks the new document
        # (10,000 pages: a tenth of the view).
        with paused():
            try:
                loaded = Loaded(load(real), None)
            except Exception as exc:  # any exception is this file's failure; the message names it by its path here
                loaded = Loaded([], failure_message(exc).replace(real, rel))
        if not keep:
            return loaded
        with self._lock:
            self._cache[real] = (key, loaded)
            self._cache.move_to_end(real)
            while len(self._cache) > self.capacity:
                self._cache.popitem(last=False)
        return loaded

    def summaries(self, files: list[str], budget: float | None = None,
                  budget_bytes: int = 4 << 20) -> tuple[dict[str, list[dict[str, Any]]], int]:
        """The index rows of each file whose summary is known and current (same size and mtime), and how many
        are still being read. Files not summarized yet are read here while `budget` seconds and `budget_bytes`
        last (the bytes bound what one file can cost: a 300 MB result is never read in the request), the rest
        by a background scan: the index shows its first rows at once, however large the folder or its files."""
        from .layout import index_rows
        known: dict[str, list[dict[str, Any]]] = {}
        missing: list[tuple[str, int]] = []
        for rel in files:
            if shown(rel) != rel:  # a name that is not UTF-8 cannot be put in a link: a row that says so
                known[rel] = [{**row, "unlinked": True} for row in index_rows([(shown(rel), Loaded([], UNNAMEABLE))])]
                continue
            try:
                st = os.stat(os.path.join(self.root, rel))
            except OSError:  # gone since the listing: a row of its own, the index stays
                known[rel] = index_rows([(rel, Loaded([], "no such result file"))])
                continue
            hit = self._summaries.get(rel)
            if hit is not None and hit[0] == (st.st_size, st.st_mtime_ns):
                known[rel] = hit[1]
            else:
                missing.append((rel, st.st_size))
        deadline = time.monotonic() + (self.index_budget if budget is None else budget)
        later: list[str] = []  # read by the background scan, in order
        for rel, size in missing:
            if self.scanning or size > budget_bytes or time.monotonic() >= deadline:
                later.append(rel)
                continue
            budget_bytes -= size
            known[rel] = self._summarize(rel)
        if later:
            self._scan(later)
        return known, len(later)

    @property
    def scanning(self) -> bool:
        return self._scanning is not None and self._scanning.is_alive()

    def _scan(self, files: list[str]) -> None:
        with self._lock:
            if self.scanning:
                return
            self._scanning = threading.Thread(target=lambda: [self._summarize(rel) for rel in files], daemon=True,
                                              name="docnorm-index-scan")
            self._scanning.start()

    def _summarize(self, rel: str) -> list[dict[str, Any]]:
        """One file's index rows, cached by its size and mtime (the documents themselves are not kept for it)."""
        from .layout import index_rows
        try:
            st = os.stat(os.path.join(self.root, rel))
            loaded = self.load(rel, keep=False)
            rows = index_rows([(rel, loaded)])
        except Exception as exc:  # whatever one file raises is its own row: the scan and the index go on
            return index_rows([(rel, Loaded([], failure_message(exc)))])
        self._summaries[rel] = ((st.st_size, st.st_mtime_ns), rows)
        return rows

    def derived(self, doc: Document, name: str, make: Callable[[Document], Any]) -> Any:
        """`make(doc)`, computed once per document (the pages' block index, its kinds, …): a slice of a
        10,000-page document costs the slice, not a pass over every block."""
        key = id(doc)
        with self._lock:
            hit = self._derived.get(key)
            if hit is None or hit[0] is not doc:
                hit = self._derived[key] = (doc, {})
                while len(self._derived) > self.capacity:
                    self._derived.popitem(last=False)
            self._derived.move_to_end(key)
            values = hit[1]
        if name not in values:
            values[name] = make(doc)
        return values[name]

    def document(self, rel: str, index: int) -> Document:
        loaded = self.load(rel)
        if loaded.error is not None:
            raise Refused(f"could not read {rel}: {loaded.error}")
        if not 0 <= index < len(loaded.docs):
            raise Refused(f"the file holds {len(loaded.docs)} document(s); there is no document {index}")
        return loaded.docs[index]
