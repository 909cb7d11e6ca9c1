"""The grounding audit: is a result's text really on its page, under its own boxes? No ground truth needed, only
the PDF the result was made from (docs/audit.md).

Each PDF page is read in the bounded page workers (`exporters.pages.images.PageImages.text`: the same deadline,
memory cap and disk cache as page images), as words with boxes in fractions of the page shown. Each block with
text and a box (a table's cells, where they have boxes) is compared with the words under its box; the document's
score is the share of its text found there. When that share is low, candidate transforms of the boxes are tried
(`frames`) and one is kept when it clearly does better: the frame is named, and the transform that repairs it
is given with the score after it (`fix_frame` applies it). Then the blocks not grounded, worst first, and the PDF
text no box covers.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Iterable

from normalizer.schema import Document, Page

from ..pages.frame import SourcePage, frame, page_blocks
from ..pages.images import PageImages, SourceError, SourceInfo, default_pool
from .collect import _assemble
from .frames import _choose
from .judge import Frames, units_of
from .repair import fix_frame
from .result import GROUNDED, BlockAudit, CellAudit, DocumentAudit, MissedLine, PageAudit, Transform
from .words import PageWords, empty_page, normalize_text, page_words

__all__ = ["audit", "fix_frame", "normalize_text", "DocumentAudit", "BlockAudit", "CellAudit", "MissedLine",
           "PageAudit", "Transform", "GROUNDED", "PageReader"]

MAX_FAILED = 3  # pages of one source that may fail before the rest are not read


class PageReader:
    """A source's pages as words, read on demand (several at once, one thread per page worker) and kept; a page
    that cannot be read is its reason (a string); after MAX_FAILED such pages the rest are not tried, so a hostile
    PDF costs a few deadlines, not one per page.

    Example:
        >>> pool = default_pool()
        >>> pdf = "samples/docling/2305.03393v1-pg9.pdf"
        >>> reader = PageReader(pool, pdf, pool.info(pdf))
        >>> reader(0).words[:2], reader(1)
        (['Optimized', 'Table'], 'no such page')
    """

    def __init__(self, pool: PageImages, source: str, info: SourceInfo):
        self.pool, self.source, self.info = pool, source, info
        self.pages: dict[int, PageWords | str] = {}
        self.failed = 0
        self._lock = threading.Lock()

    def __call__(self, index: int) -> PageWords | str:
        if index not in self.pages:
            self.read([index])
        return self.pages[index]

    def read(self, indices: Iterable[int]) -> None:
        """Read these pages (0-based), those not read yet, at once: a document's pages before they are judged.

        Example:
            >>> pool = default_pool()
            >>> reader = PageReader(pool, "samples/docling/2305.03393v1-pg9.pdf", SourceInfo("pdf", [(612.0, 792.0)]))
            >>> reader.read([0, 5]); sorted(reader.pages)
            [0, 5]
        """
        wanted = sorted({i for i in indices if i not in self.pages})
        for i in [i for i in wanted if not 0 <= i < len(self.info.sizes)]:
            self.pages[i] = "no such page"
        wanted = [i for i in wanted if 0 <= i < len(self.info.sizes)]
        if self.info.kind != "pdf":
            self.pages.update({i: empty_page(self.info.sizes[i]) for i in wanted})
            return
        workers = max(1, min(getattr(self.pool, "workers", 1), len(wanted)))
        if workers == 1:
            for i in wanted:
                self._one(i)
            return
        with ThreadPoolExecutor(workers) as threads:
            list(threads.map(self._one, wanted))

    def _one(self, index: int) -> None:
        with self._lock:
            gave_up = self.failed >= MAX_FAILED
        if gave_up:
            self.pages[index] = f"not read: {MAX_FAILED} pages of this source failed before it"
            return
        try:
            self.pages[index] = page_words(self.pool.text(self.source, index))
        except (SourceError, ValueError) as exc:
            with self._lock:
                self.failed += 1
            self.pages[index] = str(exc) or type(exc).__name__


def frames_of(doc: Document, info: SourceInfo) -> Frames:
    """Each result page's frame (width, height): its own size, else the viewer's frame around its source page;
    the boxes are read as fractions of it.

    Example:
        >>> from normalizer.schema import Page
        >>> doc = Document(provider="x", format="docnorm", pages=[Page(number=1), Page(number=2, width=10, height=20)])
        >>> frames_of(doc, SourceInfo("pdf", [(612.0, 792.0), (612.0, 792.0)]))
        {1: (612.0, 792.0), 2: (10, 20)}
    """
    by_page = page_blocks(doc)
    pages = {p.number: p for p in doc.pages}
    frames: Frames = {}
    for number in sorted(set(pages) | set(by_page)):
        page = pages.get(number) or Page(number=number)
        under = SourcePage(info.sizes[number - 1], info.kind) if 1 <= number <= len(info.sizes) else None
        w, h, _ = frame(page, by_page.get(number, []), under)
        frames[number] = (w, h)
    return frames


def audit(doc: Document, source: str, pool: PageImages | None = None, name: str | None = None) -> DocumentAudit:
    """Audit a result against the PDF it was made from: how much of its text is under its own boxes, in which
    coordinate frame, which blocks are not grounded and what PDF text no block covers. Why: a result can look
    right and be wrong (boxes flipped, text invented or dropped), and no ground truth is needed to catch it.
    A source that cannot be opened raises `SourceError`; a page that cannot be read is that page's `error`.

    Example:
        >>> from normalizer import load
        >>> report = audit(load("samples/docling/2305.03393v1-pg9.json")[0], "samples/docling/2305.03393v1-pg9.pdf")
        >>> report.frame, report.score > 0.95, report.missed_share < 0.05
        ('ok', True, True)
    """
    pool = pool or default_pool()
    info = pool.info(source)
    reader = PageReader(pool, source, info)
    frames = frames_of(doc, info)
    units = units_of(doc, frames)
    reader.read(n - 1 for n in frames)
    chosen, notes = _choose(units, reader, lambda: reader.read(i for n in frames for i in (n - 2, n))) if units \
        else (None, [])
    return _assemble(doc, name if name is not None else doc.file_name, source, info, frames, units, reader, chosen,
                    notes)
