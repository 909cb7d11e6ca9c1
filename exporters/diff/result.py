"""What a diff returns: its options and result structs (encoded as they are by `to_diff_json`).

The result structs are not tracked by the cyclic collector (`gc=False`): a result is a tree of new values (ids,
texts, numbers), it refers to neither document, so none can be part of a reference cycle; each class says what it
holds. A diff of 1,000 pages keeps ~20,000 pairs that later collections then do not walk."""

from __future__ import annotations

from typing import Literal

from msgspec import Struct

Status = Literal["same", "changed", "split", "only_a", "only_b"]


class CellDiff(Struct, kw_only=True, gc=False):  # acyclic: row numbers and texts
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


class Side(Struct, kw_only=True, gc=False):  # acyclic: a name and counts
    file_name: str | None
    provider: str
    format: str
    pages: int
    blocks: int


class Pair(Struct, kw_only=True, gc=False):  # acyclic: block ids, texts, its own cell diffs
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
    teds_s: float | None = None             # TEDS-S: the same tree edit distance with cell text ignored
    cells: list[CellDiff] = []              # table cell differences over the aligned grid


class PageScore(Struct, kw_only=True, gc=False):  # acyclic: numbers
    page: int
    content: float                         # the content score of the blocks counted on this page (see Scores)
    blocks_a: int
    blocks_b: int


class Scores(Struct, kw_only=True, gc=False):  # acyclic: numbers, counts by name, sentences
    """The diff's scores, each 0..1 and higher when more alike (`MEANINGS` says what each measures); None when it
    cannot be scored: `note` says why for all of them, `warning` for segmentation and reading order."""

    content: float | None                  # 1 - edit cost of the order-free matching / all characters
    segmentation: float | None             # 1 - (splits + merges) / matched blocks
    splits: int                            # extra blocks of B where one block of A matched several
    merges: int                            # extra blocks of A where several matched one block of B
    reading_order: float | None            # 1 - normalized edit distance between the matched blocks' orders
    teds: float | None                     # tables: mean TEDS (structure and cell text)
    teds_s: float | None                   # tables: mean TEDS-S (structure only)
    tables_compared: int
    counts: dict[str, int]
    kinds_a: dict[str, int]
    kinds_b: dict[str, int]
    note: str | None = None                # why there are no scores (a failed or pending side, no text at all)
    warning: str | None = None             # the two look like different documents (content below 0.2)
    meanings: dict[str, str] = {}          # what each score measures, in one sentence (MEANINGS)


# What each score measures, in one sentence: every place that shows a score shows its sentence.
MEANINGS = {
    "content": "Share of the text found on both sides, whatever its order: "
               "1 − (characters edited or left unmatched) ÷ all characters.",
    "segmentation": "How alike the text is cut into blocks: 1 − (blocks split or merged to match) ÷ matched blocks.",
    "reading_order": "How alike the matched blocks' order is: 1 − the normalized edit distance of the two orders "
                     "(below 0.5: mostly reordered).",
    "teds": "Tables, structure and cell text: mean tree-edit-distance similarity (TEDS) of the paired tables.",
    "teds_s": "Tables, structure only: the same with the cell text ignored (TEDS-S).",
}
LABELS = {"content": "content", "segmentation": "segmentation", "reading_order": "reading order",
          "teds": "tables TEDS", "teds_s": "tables TEDS-S"}


class DiffResult(Struct, kw_only=True, gc=False):  # acyclic: its own sides, scores, pages, pairs
    a: Side
    b: Side
    mode: Literal["page", "global"]
    scores: Scores
    pages: list[PageScore]
    pairs: list[Pair]


