"""Compare two Documents of the same file: pair their blocks for display, and score content, segmentation,
reading order and tables.

The scores (`Scores`; `MEANINGS` says each in one sentence) come from a matching of the blocks by their text
alone, whatever their order (`content.py`): identical texts occurrence by occurrence, the rest by an optimal
assignment among candidates that share rare words, a block split or merged on the other side matched with the
consecutive blocks it became.

- content = 1 - (characters inserted or deleted within the matches + characters of the blocks left unmatched)
  / all characters of both sides; that is 2 x characters in common / all characters (1: the same text, in any
  order and any blocks). A formula is compared by its LaTeX (whitespace ignored) when both sides have it; a
  block's text that repeats its own caption is compared without the repetition.
- segmentation = 1 - (splits + merges) / matched blocks: a block of one side matched by n blocks of the other
  is n - 1 splits (B cut it) or merges (B joined them).
- reading order = 1 - the normalized edit distance between the orders of the matched blocks in A and in B, the
  edits being moves (normalized Indel distance: the share of matched blocks that must move); a shuffled copy
  scores below 0.5.
- tables: the mean TEDS (structure and cell text) and TEDS-S (structure alone) of the paired tables.

When content is below 0.2 the two look like different documents: `Scores.warning` says so, and segmentation
and reading order are None (a handful of page numbers in the same order is no agreement).

The pairs shown (same, changed, split, only in one) are the aligner's (`align.py`), which uses the boxes too.
Blocks are paired page by page when both documents have the same pages, across the whole document otherwise.
Identical texts pair first: a text found once on each side at once, a repeated one (running headers)
occurrence by occurrence where those first pairs say it should be. The rest pair by an optimal assignment
in windows along the document, whose cost mixes text similarity, the overlap of the boxes in page-relative
coordinates (the providers' units and page sizes differ) and how far a partner is from where it should be,
with a cut-off so that unrelated blocks stay unpaired. A block that moved out of its window is found by its
text afterwards. A block split in two on the other side is paired with both.
"""

from __future__ import annotations

import sys
import types

import msgspec

from normalizer.collector import paused
from normalizer.schema import Document

from .align import _by_page, _frames, _Matcher, _pairs, text_ops
from .content import match, units
from .report import cell_label, to_diff_html
from .result import LABELS, MEANINGS, CellDiff, DiffOptions, DiffResult, PageScore, Pair, Scores, Side, Status
from .scores import _pages, _scores, _side, kind_counts, reading_order, segmentation
from .texts import without_repeated_captions

__all__ = ["diff", "DiffOptions", "DiffResult", "Pair", "PageScore", "Scores", "Side", "Status", "CellDiff",
           "to_diff_json", "to_diff_html", "cell_label", "block_marks", "MARKS", "kind_counts", "reading_order",
           "segmentation", "text_ops", "MEANINGS", "LABELS"]


@paused()  # the collector would walk both documents again and again while the pairs are built, finding nothing
def diff(a: Document, b: Document, options: DiffOptions = DiffOptions()) -> DiffResult:
    """Pair the blocks of two results of the same document and score them.

    Args:
        a, b: the two canonical Documents (any providers).
        options: the pairing's weights, cut-off, window and search budget.

    Returns:
        A DiffResult: both sides, the scores (content, segmentation, reading order, mean table TEDS and TEDS-S,
        counts, a warning for documents that look different), content by page, and every pair (same, changed,
        split, only in one) with its text and cell differences.

    Example:
        >>> from normalizer import load
        >>> a, = load("samples/same_report/harbor_q3_llamacloud_v2.json")
        >>> b, = load("samples/same_report/harbor_q3_somark.json")
        >>> s = diff(a, b).scores
        >>> 0.99 < s.content < 1.0, s.splits, s.reading_order
        (True, 1, 1.0)
    """
    a, b = without_repeated_captions(a), without_repeated_captions(b)
    same_pages = page_by_page(a, b)
    geo_a, geo_b = _frames(a), _frames(b)
    raw_pairs: list[tuple[list[int], list[int]]] = []
    if same_pages:
        index_a, index_b = _by_page(a.blocks), _by_page(b.blocks)
        for page in a.pages:
            ia, ib = index_a.get(page.number, []), index_b.get(page.number, [])
            raw_pairs += _Matcher(a.blocks, b.blocks, ia, ib, geo_a, geo_b, options).pairs()
    else:  # boxes on differently split pages are not comparable: paired by text and place alone
        raw_pairs = _Matcher(a.blocks, b.blocks, list(range(len(a.blocks))), list(range(len(b.blocks))), {}, {},
                             options).pairs()
    pairs = _pairs(a, b, raw_pairs, geo_a, geo_b)
    matching = match(units(a), units(b))
    pages, content = _pages(a, b, matching, same_pages)
    return DiffResult(a=_side(a), b=_side(b), mode="page" if same_pages else "global",
                      scores=_scores(a, b, matching, pairs, content), pages=pages, pairs=pairs)


MARKS = {"same": "same", "changed": "changed", "split": "changed"}  # a pair's status as drawn; else: only in one


def block_marks(result: DiffResult) -> tuple[dict[str, str], dict[str, str]]:
    """Each block's mark on side A and on side B (same, changed, only), as the compare view and `render_page`
    colour them."""
    marks: tuple[dict[str, str], dict[str, str]] = ({}, {})
    for pair in result.pairs:
        mark = MARKS.get(pair.status, "only")
        for side, ids in zip(marks, (pair.a, pair.b)):
            side.update(dict.fromkeys(ids, mark))
    return marks


def page_by_page(a: Document, b: Document) -> bool:
    """Whether the diff pairs page by page (both have the same pages), so that a slice of pages diffs as the
    whole document's pairing of those pages; else it pairs across the whole document."""
    return bool(a.pages) and [p.number for p in a.pages] == [p.number for p in b.pages]


def to_diff_json(result: DiffResult) -> bytes:
    """The diff result as JSON (every field of DiffResult), for scripts and dashboards to read the scores.

    Example:
        >>> import json
        >>> from normalizer import load
        >>> a, = load("samples/same_report/harbor_q3_llamacloud_v2.json")
        >>> sorted(json.loads(to_diff_json(diff(a, a)))["scores"])[:4]
        ['content', 'counts', 'kinds_a', 'kinds_b']
    """
    return msgspec.json.encode(result)


class _CallableModule(types.ModuleType):
    """`from exporters import diff` gives this module, and calling it runs `diff.diff`: the diff is exported where
    the other exporters are, while `exporters.diff.diff` keeps its name (and its module, its other names)."""

    def __call__(self, a: Document, b: Document, options: DiffOptions = DiffOptions()) -> DiffResult:
        return diff(a, b, options)


sys.modules[__name__].__class__ = _CallableModule
