"""What an evaluation returns: one entry per prediction set, ranked, each with its scores, per kind and per page.

Every score is 0..1. Under the docnorm protocol higher is better for all of them; OmniDocBench's own metrics
keep their sense (an edit distance: lower is better) and their names, so its dashboards read them.
"""

from __future__ import annotations

from typing import Any, Literal

from msgspec import Struct

Protocol = Literal["docnorm", "omnidocbench"]

# What each summary score measures, one sentence each: the report, the viewer and `--help` show these.
MEANINGS: dict[str, str] = {
    "overall": "The ranking score: the mean of the scores below that the protocol ranks by.",
    "content": "How much of the truth's text the prediction has, matched block to block whatever the order "
               "(1 - edit cost / characters).",
    "segmentation": "How often blocks had to be split or merged to match the truth (1: never).",
    "reading_order": "How close the prediction's order of the matched blocks is to the truth's "
                     "(1 - normalized edit distance).",
    "teds": "Tables: tree-edit-distance similarity of structure and cell text (TEDS).",
    "teds_s": "Tables: the same with cell text ignored, structure only (TEDS-S).",
    "layout": "Boxes: F1 of predicted boxes overlapping a truth box of the same kind (IoU at least 0.5), "
              "page-relative.",
    "text_edit": "OmniDocBench: text blocks' normalized edit distance, mean over pages (lower is better).",
    "formula_edit": "OmniDocBench: display formulas' normalized edit distance, mean over pages (lower is better).",
    "table_teds": "OmniDocBench: tables' TEDS over all tables.",
    "table_teds_s": "OmniDocBench: tables' TEDS with cell text ignored.",
    "table_edit": "OmniDocBench: tables' HTML normalized edit distance, mean over pages (lower is better).",
    "reading_order_edit": "OmniDocBench: reading order's normalized edit distance, mean over pages "
                          "(lower is better).",
    "grounding": "Beside the ranking, no truth needed: the share of the predictions' text found under their own "
                 "boxes in their source PDFs (docnorm audit), mean over the documents whose PDF is beside them.",
}
DOCNORM_SCORES = ("overall", "content", "segmentation", "reading_order", "teds", "teds_s", "layout")
OMNIDOCBENCH_SCORES = ("overall", "text_edit", "formula_edit", "table_teds", "table_teds_s", "table_edit",
                       "reading_order_edit")


class KindScore(Struct, kw_only=True):
    """One block kind of the truth against the prediction."""

    kind: str
    truth: int                       # blocks of this kind in the truth
    predicted: int                   # blocks of this kind in the prediction
    content: float | None = None     # mean text similarity of the truth's blocks of this kind (0 for one missed)
    precision: float | None = None   # layout: share of predicted boxes of this kind that match a truth box
    recall: float | None = None      # layout: share of truth boxes of this kind that a predicted box matches


class BlockError(Struct, kw_only=True):
    """A difference worth showing: a truth block missed or changed, a predicted block the truth has not."""

    status: Literal["missed", "extra", "changed", "split", "merged"]
    kind: str
    truth: str = ""                  # the truth's text (cut for the report)
    predicted: str = ""              # the prediction's text (cut)
    similarity: float = 0.0


class PageResult(Struct, kw_only=True):
    """One truth page scored against its prediction (`missing`: none was found, scored as an empty page)."""

    key: str                         # the page's name: its image stem, or `source#page`
    truth_file: str | None = None    # the truth file it came from (for links to the viewer)
    truth_page: int = 1
    prediction_file: str | None = None
    prediction_page: int | None = None
    missing: bool = False
    scores: dict[str, float | None] = {}
    errors: list[BlockError] = []


class Entry(Struct, kw_only=True):
    """One prediction set (a PRED argument): its summary scores, per kind and per page (worst first)."""

    name: str
    path: str
    rank: int = 0
    scores: dict[str, float | None] = {}
    kinds: list[KindScore] = []
    pages: list[PageResult] = []
    missing: list[str] = []          # truth pages with no prediction (scored as empty)
    unmatched: list[str] = []        # predicted pages no truth page has
    failures: list[tuple[str, str]] = []   # (file, why) for prediction files that could not be read
    truth_failures: list[tuple[str, str]] = []   # the same for the truth's files
    metric_result: dict[str, Any] | None = None   # OmniDocBench's own layout, under its protocol
    notes: list[str] = []


class EvalResult(Struct, kw_only=True):
    """A whole run: the truth, the protocol, the entries ranked best first."""

    protocol: Protocol
    truth: str
    pages: int                       # truth pages scored
    entries: list[Entry] = []
    failures: list[tuple[str, str]] = []   # truth files that could not be read
    notes: list[str] = []
