"""The viewer's grounding audits (docs/audit.md): each document audited against its source PDF in the background,
never in a request. The PDF's pages are read by the page workers (the same deadline, memory cap and disk cache as
page images); what the audit found is kept here, by the result file's size and mtime, so a document is audited
once while its file is unchanged. A request only looks: `entry` answers what is known, or `None` (queued)."""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict, deque
from typing import TYPE_CHECKING, Any, NamedTuple

from exporters.pages.images import PageImages, SourceError
from normalizer.errors import failure_message
from normalizer.schema import Document

from exporters.pages.sources import find_source
from .store import Refused, Store

if TYPE_CHECKING:  # the audit (numpy, rapidfuzz) is imported when the first document is audited
    from exporters.audit import DocumentAudit

Key = tuple[str, int]  # (result file, document index)
MAX_PAGES = 1_000  # a longer document's pages' words would hold tens of megabytes: the command line audits it


class AuditEntry(NamedTuple):
    """What the viewer knows of one document's audit. `state`: "done" (a report), "none" (nothing to audit: no
    source found, an image source, no pages; `reason` says which) or "failed" (`reason` says why)."""
    state: str
    reason: str = ""
    source: str = ""  # the source as shown (relative to the served folder, or sources:…)
    score: float | None = None
    frame: str = ""
    report: DocumentAudit | None = None  # kept for the last documents looked at only (see Audits)
    marks: dict[str, str] = {}  # block id -> "grounded" | "not-grounded" | "cells" (a table some of whose cells are not)


def block_marks(doc: Document, report: DocumentAudit, frames: dict[int, tuple[float, float]]) -> dict[str, str]:
    """Each scored block's mark: grounded, not grounded, or a grounded table with cells that are not. Blocks the
    audit does not score (figures, formulas, boxless or empty blocks) have none.

    Example:
        >>> from exporters.audit import BlockAudit
        >>> from normalizer.schema import Block
        >>> doc = Document(provider="x", format="docnorm", blocks=[
        ...     Block(id="a", page=1, kind="paragraph", text="Hello", bbox=[0, 0, 5, 5]),
        ...     Block(id="b", page=1, kind="paragraph", text="World", bbox=[0, 5, 5, 9]),
        ...     Block(id="c", page=1, kind="figure", text="", bbox=[0, 0, 9, 9])])
        >>> bad = BlockAudit(id="b", page=1, kind="paragraph", grounded=False, similarity=0.1, text="World", pdf_text="")
        >>> block_marks(doc, DocumentAudit(file=None, source=None, score=0.5, frame="ok", blocks=[bad]), {1: (10.0, 10.0)})
        {'a': 'grounded', 'b': 'not-grounded'}
    """
    from exporters.audit.judge import units_of
    listed = {b.id: ("not-grounded" if not b.grounded else "cells") for b in report.blocks}
    scored = dict.fromkeys(doc.blocks[u.block].id for u in units_of(doc, frames))
    return {block_id: listed.get(block_id, "grounded") for block_id in scored}


class Audits:
    """The audits of the served documents: a queue worked by one background thread (the page workers read the
    PDFs; several pages of one document at once), what was found kept by (file, index) while the file is
    unchanged. Full reports (each block's PDF text, the missed lines) are kept for the last `reports` documents,
    scores for up to `capacity`; at most `queued` documents wait (the oldest requests are dropped first).

    Example:
        >>> import tempfile
        >>> from viewer.store import Store
        >>> audits = Audits(Store("samples"), (), PageImages(cache_dir=tempfile.mkdtemp()))
        >>> audits.entry("docling/2305.03393v1-pg9.json", 0) is None   # queued: the view never waits for it
        True
        >>> audits.wait("docling/2305.03393v1-pg9.json", 0, 60).frame
        'ok'
    """

    def __init__(self, store: Store, sources: tuple[str, ...], pages: PageImages, capacity: int = 20_000,
                 reports: int = 8, queued: int = 1_000):
        self.store, self.sources, self.pages = store, sources, pages
        self.capacity, self.reports, self.queued = capacity, reports, queued
        self._known: OrderedDict[Key, tuple[tuple[int, int], AuditEntry]] = OrderedDict()
        self._waiting: deque[Key] = deque()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._running: Key | None = None

    def entry(self, rel: str, index: int, first: bool = False, full: bool = False) -> AuditEntry | None:
        """What is known of this document's audit, current for its file (with its full report when `full`); else
        None, and it is queued (`first`: ahead of the others, the document being viewed before the index's rows)."""
        key, stamp = (rel, index), self._stamp(rel)
        with self._lock:
            hit = self._known.get(key)
            if hit is not None and hit[0] == stamp and not (full and hit[1].state == "done" and hit[1].report is None):
                self._known.move_to_end(key)
                return hit[1]
            self._queue(key, first)
        return None

    def wait(self, rel: str, index: int, timeout: float) -> AuditEntry | None:
        """`entry`, waiting up to `timeout` seconds for it (for tests and the command line, never a request)."""
        deadline = time.monotonic() + timeout
        while (found := self.entry(rel, index, first=True, full=True)) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return found

    def _stamp(self, rel: str) -> tuple[int, int]:
        try:
            st = os.stat(self.store.resolve(rel))
        except (Refused, OSError):
            return (-1, -1)
        return (st.st_size, st.st_mtime_ns)

    def _queue(self, key: Key, first: bool) -> None:
        """Queue `key` (once); a full queue takes no more index rows (they ask again), and makes room at its
        end for a document being viewed."""
        if key == self._running:  # being audited now
            return
        if key in self._waiting:
            if not first:
                return
            self._waiting.remove(key)
        if first:
            self._waiting.appendleft(key)
            while len(self._waiting) > self.queued:
                self._waiting.pop()
        elif len(self._waiting) < self.queued:
            self._waiting.append(key)
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._work, daemon=True, name="docnorm-audits")
            self._thread.start()
        self._wake.notify()

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._waiting and not self._wake.wait(timeout=30):
                    self._thread = None
                    return
                if not self._waiting:
                    continue
                key = self._running = self._waiting.popleft()
            stamp = self._stamp(key[0])
            found = self._attempt(*key)
            self._keep(key, stamp, found)

    def _keep(self, key: Key, stamp: tuple[int, int], found: AuditEntry) -> None:
        with self._lock:
            self._running = None
            self._known[key] = (stamp, found)
            self._known.move_to_end(key)
            with_report = [k for k, (_, e) in self._known.items() if e.report is not None]
            for old in with_report[:-self.reports]:  # scores stay, reports of older documents go
                s, e = self._known[old]
                self._known[old] = (s, e._replace(report=None))
            while len(self._known) > self.capacity:
                self._known.popitem(last=False)

    def _attempt(self, rel: str, index: int) -> AuditEntry:
        """One document's audit; whatever it raises is this document's failure, the queue goes on."""
        try:
            return self._audit(rel, index)
        except (SourceError, Refused) as exc:
            return AuditEntry("failed", str(exc))
        except BaseException as exc:  # noqa: B036 - the rule: any exception is this document's failure
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            return AuditEntry("failed", failure_message(exc))

    def _audit(self, rel: str, index: int) -> AuditEntry:
        loaded = self.store.load(rel, keep=False)
        if loaded.error is not None or not 0 <= index < len(loaded.docs):
            return AuditEntry("none", loaded.error or "no such document")
        doc = loaded.docs[index]
        if not doc.pages and not doc.blocks:
            return AuditEntry("none", "no pages: the result carries a job status only")
        if len(doc.pages) > MAX_PAGES:
            return AuditEntry("none", f"{len(doc.pages):,} pages: more than the viewer audits in the background "
                                      f"({MAX_PAGES:,}); docnorm audit does it")
        source = find_source(self.store.root, self.sources, rel, doc)
        if source is None:
            return AuditEntry("none", "no source document found")
        info = self.pages.info(source.path)
        if info.kind != "pdf":
            return AuditEntry("none", "the source is an image: it has no text layer", source.name)
        from exporters.audit import audit, frames_of
        report = audit(doc, source.path, pool=self.pages, name=rel if index == 0 else f"{rel}#{index + 1}")
        marks = block_marks(doc, report, frames_of(doc, info))
        return AuditEntry("done", "", source.name, report.score, report.frame, report, marks)


def payload(found: AuditEntry | None, full: bool = False) -> dict[str, Any]:
    """The JSON the viewer's pages read: the state, and with `full` the report's verdict, each block's mark, the
    blocks not grounded (their PDF text) and the missed PDF text by page, in each page's own frame.

    Example:
        >>> payload(None)
        {'state': 'pending'}
        >>> payload(AuditEntry("none", "no source document found"))
        {'state': 'none', 'reason': 'no source document found'}
    """
    if found is None:
        return {"state": "pending"}
    if found.state != "done":
        return {"state": found.state, "reason": found.reason}
    head = {"state": "done", "source": found.source, "score": found.score, "frame": found.frame}
    report = found.report
    if not full or report is None:
        return head
    missed: dict[int, list[Any]] = {}
    for line in report.missed:
        missed.setdefault(line.page, []).append([*line.bbox, line.text])
    moved = report.transform
    return {**head, "score_after": report.score_after, "transform": moved.text if moved else "",
            "matrix": moved.matrix if moved else None, "page_offset": moved.page_offset if moved else 0,
            "swap_size": moved.swap_size if moved else False,
            "blocks_scored": report.blocks_scored, "blocks_grounded": report.blocks_grounded,
            "missed_share": report.missed_share, "missed_lines": len(report.missed), "notes": report.notes,
            "marks": found.marks,
            "blocks": {b.id: {"similarity": b.similarity, "pdf_text": b.pdf_text,
                              "cells": [[c.row, c.col, c.similarity, c.text, c.pdf_text] for c in b.cells]}
                       for b in report.blocks},
            "pages": {p.page: {"frame": p.frame, "status": p.status, "score": p.score} for p in report.pages},
            "missed": missed}
