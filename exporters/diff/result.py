"""What a diff returns: its options and result structs (encoded as they are by `to_diff_json`)."""

from __future__ import annotations

from typing import Literal

from msgspec import Struct

Status = Literal["same", "changed", "split", "only_a", "only_b"]


class CellDiff(Struct, kw_only=True):
    """One difference between two aligned tables: a cell replaced, inserted or deleted (row, col from 0), or
    rows regrouped (`a`/`b` list the rows of each side)."""

    op: Literal["replace", "insert", "delete", "regroup"]
    a: list[int] | None
    b: list[int] | None
    text_a: str | None = None
    text_b: str | None = None
    cost: float = 0.0


class DiffOptions(Struct, frozen=True, kw_only=True):
    text_weight: float = 0.7      # share of text similarity in the pairing score where both blocks have boxes
    min_score: float = 0.45       # pairs scoring below this stay unpaired
    window: int = 60              # largest block group handed to one assignment (bounds the cubic cost)
    far_budget: int = 2_000_000   # text comparisons for blocks that left their window (bounds that pass)


class Side(Struct, kw_only=True):
    file_name: str | None
    provider: str
    format: str
    pages: int
    blocks: int


class Pair(Struct, kw_only=True):
    status: Status
    a: list[str]
    b: list[str]
    page_a: int | None = None
    page_b: int | None = None
    kind_a: str | None = None
    kind_b: str | None = None
    text_similarity: float | None = None
    iou: float | None = None
    text_diff: list[tuple[str, str]] = []   # ("=" | "-" | "+", text), character level
    teds: float | None = None
    teds_approximate: bool = False          # tables too large to align exactly in time: a lower bound
    cells: list[CellDiff] = []              # table cell differences over the aligned grid


class PageScore(Struct, kw_only=True):
    page: int
    similarity: float
    blocks_a: int
    blocks_b: int


class Scores(Struct, kw_only=True):
    text_similarity: float | None          # None when a side has no content to compare
    reading_order: float | None
    teds: float | None
    tables_compared: int
    counts: dict[str, int]
    kinds_a: dict[str, int]
    kinds_b: dict[str, int]
    note: str | None = None                # why there are no scores (a failed or pending side)


class DiffResult(Struct, kw_only=True):
    a: Side
    b: Side
    mode: Literal["page", "global"]
    scores: Scores
    pages: list[PageScore]
    pairs: list[Pair]


