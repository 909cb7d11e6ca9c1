"""Repairing a result's coordinate frame with the transform its audit found: every box (blocks, lines, words,
cells, chunk locations, images) moved, page numbers shifted, page sizes swapped for a quarter turn, and the repair
written in `Document.warnings`."""

from __future__ import annotations

from typing import Any

from msgspec.structs import replace

from normalizer.schema import Block, Chunk, Document, Image, Line, Page

from .judge import moved
from .result import DocumentAudit, Transform

Size = tuple[float, float]


class _Mover:
    """Moves boxes of one page frame to the repaired frame, in the page's own units."""

    def __init__(self, transform: Transform, frames: dict[int, Size]):
        self.m = tuple(transform.matrix)
        self.swap, self.offset, self.frames = transform.swap_size, transform.page_offset, frames

    def box(self, bbox: list[float] | None, page: int | None) -> list[float] | None:
        frame = self.frames.get(page) if page is not None else None
        if bbox is None or frame is None:
            return bbox
        w, h = frame
        nw, nh = (h, w) if self.swap else (w, h)
        u = moved((bbox[0] / w, bbox[1] / h, bbox[2] / w, bbox[3] / h), self.m)  # type: ignore[arg-type]
        return [round(u[0] * nw, 4), round(u[1] * nh, 4), round(u[2] * nw, 4), round(u[3] * nh, 4)]

    def band(self, line: Line, page: int) -> Line:
        """A line known only by its vertical band: moved when the repair keeps y a function of y alone."""
        frame = self.frames.get(page)
        if frame is None or line.top is None or line.bottom is None or self.swap:
            return line
        d, f = self.m[3], self.m[5]
        ends = sorted(((d * line.top / frame[1] + f) * frame[1], (d * line.bottom / frame[1] + f) * frame[1]))
        return replace(line, top=round(ends[0], 4), bottom=round(ends[1], 4))

    def line(self, line: Line, page: int) -> Line:
        words = [replace(w, bbox=self.box(w.bbox, page)) for w in line.words]
        return self.band(replace(line, bbox=self.box(line.bbox, page), words=words), page)

    def block(self, b: Block) -> Block:
        changes: dict[str, Any] = dict(page=b.page + self.offset, bbox=self.box(b.bbox, b.page),
                                       lines=[self.line(ln, b.page) for ln in b.lines])
        if b.table is not None:
            changes["table"] = replace(b.table, cells=[replace(c, bbox=self.box(c.bbox, b.page))
                                                       for c in b.table.cells])
        return replace(b, **changes)

    def chunk(self, c: Chunk) -> Chunk:
        return replace(c, locations=[replace(loc, page=loc.page + self.offset, bbox=self.box(loc.bbox, loc.page))
                                     for loc in c.locations])

    def image(self, i: Image) -> Image:
        return replace(i, page=None if i.page is None else i.page + self.offset, bbox=self.box(i.bbox, i.page))

    def page(self, p: Page) -> Page:
        size = (p.height, p.width) if self.swap else (p.width, p.height)
        return replace(p, number=p.number + self.offset, width=size[0], height=size[1])


def fix_frame(doc: Document, report: DocumentAudit) -> Document:
    """The document with the transform its audit found applied, the repair recorded in its warnings; the document
    itself when the frame was ok. Why: a result in a wrong frame is still a good result once moved, and the
    audit already knows how. Block ids are kept (they are names, referenced elsewhere).

    Example:
        >>> from normalizer.schema import Block, Page
        >>> from exporters.audit.result import PageAudit
        >>> doc = Document(provider="x", format="docnorm", pages=[Page(number=1, width=100, height=200, unit="pt")],
        ...                blocks=[Block(id="p1-b0", page=1, kind="paragraph", text="t", bbox=[10, 20, 30, 40])])
        >>> report = DocumentAudit(file=None, source=None, score=0.1, frame="y-flipped", score_after=1.0,
        ...     transform=Transform(matrix=[1, 0, 0, -1, 0, 1], text="y -> page height - y"),
        ...     pages=[PageAudit(page=1, pdf_page=1, status="ok", frame=[100, 200])])
        >>> fixed = fix_frame(doc, report)
        >>> fixed.blocks[0].bbox, fixed.warnings[0].split(":")[0]
        ([10.0, 160.0, 30.0, 180.0], '$.pages')
    """
    t = report.transform
    if t is None:
        return doc
    frames = {p.page: (p.frame[0], p.frame[1]) for p in report.pages if len(p.frame) == 2 and min(p.frame) > 0}
    mover = _Mover(t, frames)
    note = (f"$.pages: the boxes were not over their text in {report.source or 'the source'} (frame {report.frame}, "
            f"audit score {report.score if report.score is not None else 'none'}); every box, page number and size "
            f"was moved: {t.text} (score after: {report.score_after})")
    return replace(doc, pages=[mover.page(p) for p in doc.pages], blocks=[mover.block(b) for b in doc.blocks],
                   chunks=[mover.chunk(c) for c in doc.chunks], images=[mover.image(i) for i in doc.images],
                   warnings=doc.warnings + [note])
