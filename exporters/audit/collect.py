"""Putting an audit together: every unit judged in the frame as given and, when a repair was found, after it; the
blocks not grounded, worst first; each page's state and score; the PDF text no block covers."""

from __future__ import annotations

from typing import Any

import numpy as np

from normalizer.schema import Block, Document

from ..pages.frame import page_blocks
from ..pages.images import SourceInfo
from .frames import FLOOR, GAIN, Candidate
from .judge import IDENTITY, MARGIN, Frames, Judged, Matrix, PageOf, Unit, _judge, _missed, moved
from .result import GROUNDED, BlockAudit, CellAudit, DocumentAudit, PageAudit, Transform
from .words import PageWords, under

CUT = 300  # characters of a block's text and its PDF text kept in the report


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= CUT else text[:CUT - 1] + "…"


def _share(units: list[Unit], judged: list[Judged]) -> float | None:
    """The units' text found under their boxes, weighted by length; None when none was scored."""
    got = total = 0.0
    for unit, j in zip(units, judged):
        if j.similarity is not None:
            got += j.similarity * len(unit.key)
            total += len(unit.key)
    return round(got / total, 4) if total else None


def _pdf_text(page: PageWords | str, found: np.ndarray) -> str:
    return "" if isinstance(page, str) else _cut(" ".join(page.words[i] for i in found))


def _block_text(block: Block, frames: Frames, page_of: PageOf, m: Matrix, offset: int) -> str:
    """The PDF's words under a table's own box (its cells were judged one by one)."""
    page = page_of(block.page - 1 + offset)
    w, h = frames[block.page]
    if isinstance(page, str) or not block.bbox:
        return ""
    box = (block.bbox[0] / w, block.bbox[1] / h, block.bbox[2] / w, block.bbox[3] / h)
    return _pdf_text(page, under(page, moved(box, m), MARGIN))


def _blocks_of(doc: Document, frames: Frames, units: list[Unit], judged: list[Judged], page_of: PageOf,
              m: Matrix, offset: int) -> tuple[list[BlockAudit], dict[int, list[bool]]]:
    """The blocks not grounded (a table also when some of its cells are not), worst first; and by page, whether
    each block scored there is grounded."""
    groups: dict[int, list[tuple[Unit, Judged]]] = {}
    for unit, j in zip(units, judged):
        if j.similarity is not None:
            groups.setdefault(unit.block, []).append((unit, j))
    out: list[BlockAudit] = []
    by_page: dict[int, list[bool]] = {}
    for n, items in groups.items():
        block = doc.blocks[n]
        weight = sum(len(u.key) for u, _ in items)
        similarity = round(sum(j.similarity * len(u.key) for u, j in items) / weight, 4)  # type: ignore[operator]
        grounded = similarity >= GROUNDED
        by_page.setdefault(block.page, []).append(grounded)
        cells = sorted((CellAudit(row=block.table.cells[u.cell].row, col=block.table.cells[u.cell].col,  # type: ignore
                                  grounded=False, similarity=round(j.similarity, 4),  # type: ignore[arg-type]
                                  text=_cut(block.table.cells[u.cell].text),  # type: ignore[union-attr]
                                  pdf_text=_pdf_text(page_of(j.pdf_index), j.words))
                        for u, j in items if u.cell >= 0 and j.similarity < GROUNDED),  # type: ignore[operator]
                       key=lambda c: c.similarity)
        if grounded and not cells:
            continue
        pdf_text = (_block_text(block, frames, page_of, m, offset) if items[0][0].cell >= 0
                    else _pdf_text(page_of(items[0][1].pdf_index), items[0][1].words))
        out.append(BlockAudit(id=block.id, page=block.page, kind=block.kind, grounded=grounded,
                              similarity=similarity, text=_cut(block.text), pdf_text=pdf_text, cells=cells))
    out.sort(key=lambda b: b.similarity)
    return out, by_page


def _pages_of(frames: Frames, units: list[Unit], judged: list[Judged], page_of: PageOf, offset: int,
             grounded: dict[int, list[bool]]) -> list[PageAudit]:
    """Each result page: the PDF page it was read against and its state; its score from its units."""
    per_page: dict[int, tuple[list[Unit], list[Judged]]] = {}
    for unit, j in zip(units, judged):
        mine = per_page.setdefault(unit.page, ([], []))
        mine[0].append(unit)
        mine[1].append(j)
    out = []
    for number, (w, h) in sorted(frames.items()):
        index = number - 1 + offset
        page = page_of(index)
        flags = grounded.get(number, [])
        common: dict[str, Any] = dict(page=number, frame=[round(w, 2), round(h, 2)], blocks=len(flags),
                                      grounded=sum(flags))
        if isinstance(page, str):
            status = "no such page" if page == "no such page" else "error"
            out.append(PageAudit(pdf_page=None if status == "no such page" else index + 1, status=status,  # type: ignore
                                 error=None if status == "no such page" else page, **common))
        elif not page.words:
            out.append(PageAudit(pdf_page=index + 1, status="no text layer", **common))
        else:
            mine = per_page.get(number, ([], []))
            out.append(PageAudit(pdf_page=index + 1, status="ok", score=_share(*mine), **common))
    return out


def _notes(pages: list[PageAudit], info: SourceInfo) -> list[str]:
    notes = []
    if info.kind != "pdf":
        notes.append("the source is an image: it has no text layer, nothing can be scored")
    scans = [p.page for p in pages if p.status == "no text layer"]
    if scans and info.kind == "pdf":
        notes.append(f"{len(scans)} page(s) have no text layer (scanned?): their blocks are not scored "
                     f"(page {', '.join(map(str, scans[:10]))}{' …' if len(scans) > 10 else ''})")
    return notes


def _assemble(doc: Document, name: str | None, source: str, info: SourceInfo, frames: Frames, units: list[Unit],
             page_of: PageOf, chosen: Candidate | None, notes: list[str]) -> DocumentAudit:
    """The audit of one document, judged after the repair when one was kept."""
    before = [_judge(u, page_of, IDENTITY, 0) for u in units]
    score = _share(units, before)
    after, score_after = before, score
    if chosen is not None:
        after = [_judge(u, page_of, chosen.matrix, chosen.offset) for u in units]
        score_after = _share(units, after)
        if score_after is None or score_after < (score or 0.0) + GAIN / 2:
            notes.append(f"frame: {chosen.frame} scored {score_after} on every block, not clearly better: kept as given")
            chosen, after, score_after = None, before, score
    frame = chosen.frame if chosen else "unknown" if score is None or score < FLOOR else "ok"
    if frame == "unknown" and score is not None:
        notes.append(f"the text is not under the boxes (score {score}) in the frame as given nor in any frame "
                     "tried: is this the PDF the result was made from?")
    m, offset = (chosen.matrix, chosen.offset) if chosen else (IDENTITY, 0)
    swap = bool(m[1] or m[2])
    blocks, grounded = _blocks_of(doc, frames, units, after, page_of, m, offset)
    pages = _pages_of(frames, units, after, page_of, offset, grounded)
    lines, lost, total = _missed(page_blocks(doc), frames, page_of, m, offset, swap)
    transform = Transform(matrix=[round(v, 6) for v in m], page_offset=offset, swap_size=swap,
                          text=chosen.text) if chosen else None
    return DocumentAudit(file=name, source=source, score=score, frame=frame,  # type: ignore[arg-type]
                         transform=transform, score_after=score_after, blocks=blocks,
                         blocks_scored=sum(len(v) for v in grounded.values()),
                         blocks_grounded=sum(sum(v) for v in grounded.values()), missed=lines,
                         missed_share=round(lost / total, 4) if total else None, pages=pages,
                         notes=notes + _notes(pages, info))
