"""What a grounding audit returns (docs/audit.md): per document its score, its coordinate frame and the transform
that repairs it, the blocks whose text is not under their box, the PDF text no block covers, and each page's
state. Encoded as is for `docnorm audit --json`.
"""

from __future__ import annotations

from typing import Literal

from msgspec import Struct

Frame = Literal["ok", "y-flipped", "scaled", "shifted", "wrong-pages", "rotated", "unknown"]
PageStatus = Literal["ok", "no text layer", "no such page", "error"]

GROUNDED = 0.6  # a block (or cell) whose similarity reaches this is grounded
FRAMES: tuple[str, ...] = ("ok", "y-flipped", "scaled", "shifted", "wrong-pages", "rotated", "unknown")


class Transform(Struct, kw_only=True):
    """The repair of a coordinate frame. `matrix` [a, b, c, d, e, f] maps a box's corners as fractions of its page
    (u = x / width, v = y / height): u' = a u + b v + e, v' = c u + d v + f; with `swap_size` the page's width
    and height trade places (a quarter turn); `page_offset` is added to every page number."""

    matrix: list[float]
    page_offset: int = 0
    swap_size: bool = False
    text: str = ""  # what it does, in words: "y -> page height - y"


class CellAudit(Struct, kw_only=True):
    """A table cell whose text is not under its box."""

    row: int
    col: int
    grounded: bool
    similarity: float
    text: str
    pdf_text: str


class BlockAudit(Struct, kw_only=True):
    """A block whose text (or some of whose cells' text) is not under its box."""

    id: str
    page: int
    kind: str
    grounded: bool
    similarity: float  # 0..1: its text against the PDF text under its box (a table: its cells', by length)
    text: str  # its text, cut to 300 characters
    pdf_text: str  # the PDF's text under its box, cut the same
    cells: list[CellAudit] = []  # a table's cells that are not grounded, worst first


class MissedLine(Struct, kw_only=True):
    """PDF text that no block's box covers: a run of words on one line."""

    page: int  # the result's page (after the repair, when there is one)
    pdf_page: int
    bbox: list[float]  # in the result page's own units and frame (after the repair)
    text: str


class PageAudit(Struct, kw_only=True):
    """One page of the result."""

    page: int
    pdf_page: int | None  # the PDF page it was read against (None: there is none)
    status: PageStatus
    score: float | None = None  # None: nothing on it to score (no text layer, no boxed text)
    blocks: int = 0  # blocks and cells scored on it
    grounded: int = 0
    frame: list[float] = []  # the [width, height] its boxes were read in (the page's size, else the viewer's frame)
    error: str | None = None


class DocumentAudit(Struct, kw_only=True):
    """One result audited against its PDF."""

    file: str | None
    source: str | None
    score: float | None  # the share of the result's text found under its own boxes, 0..1 (None: nothing scored)
    frame: Frame
    transform: Transform | None = None
    score_after: float | None = None  # the score with the transform applied (the score itself when frame is ok)
    blocks: list[BlockAudit] = []  # not grounded, worst first (judged after the repair, when there is one)
    blocks_scored: int = 0
    blocks_grounded: int = 0
    missed: list[MissedLine] = []
    missed_share: float | None = None  # the share of the PDF's text (on the result's pages) no block covers
    pages: list[PageAudit] = []
    notes: list[str] = []
