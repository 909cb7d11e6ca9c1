"""The diff's scores, from the content matching (`content.py`): content (overall and by page), segmentation,
reading order; the tables' mean TEDS and TEDS-S from the pairs; counts; and the warning for two documents that
share almost nothing."""

from __future__ import annotations

import bisect

from normalizer.schema import Document

from .content import Matching
from .result import MEANINGS, PageScore, Pair, Scores, Side

DIFFERENT = 0.2  # content below this: the two look like different documents


def _pages(a: Document, b: Document, m: Matching, same_pages: bool) -> tuple[list[PageScore], float | None]:
    """Content by page and over the document. A match counts on the page of its first block of A, a block of A
    left over on its own page; a block of B left over on its own page when both have the same pages, else on the
    page of the match before it in B's reading order."""
    cost: dict[int, int] = {}
    weight: dict[int, int] = {}

    def add(page: int, c: int, w: int) -> None:
        cost[page], weight[page] = cost.get(page, 0) + c, weight.get(page, 0) + w

    partner_page: dict[int, int] = {}
    matched_a: set[int] = set()
    for (xs, ys), c, w in zip(m.groups, m.costs, m.weights):
        page = m.units_a[xs[0]].page
        add(page, c, w)
        matched_a.update(xs)
        partner_page.update(dict.fromkeys(ys, page))
    for i, unit in enumerate(m.units_a):
        if i not in matched_a:
            add(unit.page, len(unit.key), len(unit.key))
    numbers = [p.number for p in a.pages] or [p.number for p in b.pages] or [1]
    unit_of = {u.block: j for j, u in enumerate(m.units_b)}
    count_b: dict[int, int] = {}
    current = numbers[0]
    for k, blk in enumerate(b.blocks):
        j = unit_of.get(k)
        if j in partner_page:
            current = partner_page[j]  # type: ignore[index]
        page = blk.page if same_pages else current
        count_b[page] = count_b.get(page, 0) + 1
        if j is not None and j not in partner_page:
            add(page, len(m.units_b[j].key), len(m.units_b[j].key))
    count_a: dict[int, int] = {}
    for blk in a.blocks:
        count_a[blk.page] = count_a.get(blk.page, 0) + 1
    pages = set(numbers) | set(weight)
    if same_pages:
        pages |= set(count_a) | set(count_b) | {p.number for p in b.pages}
    out = [PageScore(page=n, content=1.0 - cost.get(n, 0) / weight[n] if weight.get(n) else 1.0,
                     blocks_a=count_a.get(n, 0), blocks_b=count_b.get(n, 0)) for n in sorted(pages)]
    total = sum(weight.values())
    return out, 1.0 - sum(cost.values()) / total if total else None


def reading_order(pairs: list[tuple[int, int]]) -> float | None:
    """How alike two orders of the same matched blocks are: 1 - their normalized edit distance, where the edits
    are moves (rapidfuzz's normalized Indel distance of the two orders, = the share of blocks that must be moved
    to put B's order into A's). Pairs are (position in A, position in B); None when there is nothing to order.

    Example:
        >>> reading_order([(0, 0), (1, 1), (2, 2), (3, 3)]), reading_order([(0, 1), (1, 0), (2, 2), (3, 3)])
        (1.0, 0.75)
    """
    if not pairs:
        return None
    tails: list[int] = []  # the longest increasing subsequence of B's positions in A's order, O(n log n)
    for _, j in sorted(pairs):
        at = bisect.bisect_left(tails, j)
        tails[at:at + 1] = [j]
    return len(tails) / len(pairs)


def segmentation(m: Matching) -> tuple[float | None, int, int]:
    """(score, splits, merges): a block of A matched by n consecutive blocks of B is n - 1 splits, n blocks of A
    matched by one of B n - 1 merges; the score is 1 - (splits + merges) / the matched blocks of the side with
    more of them. None when nothing matched.

    Example:
        >>> from .content import Matching
        >>> segmentation(Matching([], [], [((0,), (0, 1)), ((1,), (2,))], [0, 0], [10, 10]))
        (0.6666666666666667, 1, 0)
    """
    splits = sum(len(ys) - 1 for xs, ys in m.groups if len(xs) == 1)
    merges = sum(len(xs) - 1 for xs, ys in m.groups if len(ys) == 1)
    blocks = max(sum(len(xs) for xs, _ in m.groups), sum(len(ys) for _, ys in m.groups))
    return (1.0 - (splits + merges) / blocks if blocks else None), splits, merges


def _no_content(a: Document, b: Document) -> str | None:
    """Why the two cannot be compared: a side without blocks (a failed, pending or status-only result)."""
    empty = [(name, doc) for name, doc in (("A", a), ("B", b)) if not doc.blocks]
    if not empty:
        return None
    return "no content to compare: " + "; ".join(
        f"{name} is {doc.job.status}" + (f" ({doc.job.error})" if doc.job.error else "") + " and has no blocks"
        for name, doc in empty)


def _scores(a: Document, b: Document, m: Matching, pairs: list[Pair], content: float | None) -> Scores:
    tables = [p for p in pairs if p.teds is not None]
    counts = {"blocks_a": len(a.blocks), "blocks_b": len(b.blocks),
              "matched": sum(1 for p in pairs if p.a and p.b)}
    for status in ("same", "changed", "split", "only_a", "only_b"):
        counts[status] = sum(1 for p in pairs if p.status == status)
    note = _no_content(a, b)
    if note is None and content is None:
        note = "no text to compare: neither side's blocks hold any"
    seg, splits, merges = segmentation(m)
    order = reading_order([(xs[0], ys[0]) for xs, ys in m.groups])
    warning = None
    if note is None and content is not None and content < DIFFERENT:
        warning = (f"A and B look like different documents: only {content:.1%} of their text matches (content "
                   f"{content:.3f}), so their segmentation and reading order are not scored")
    scored = note is None and warning is None
    return Scores(content=None if note else content, segmentation=seg if scored else None, splits=splits,
                  merges=merges, reading_order=order if scored else None,
                  teds=_mean([p.teds for p in tables]), teds_s=_mean([p.teds_s for p in tables]),
                  tables_compared=len(tables), counts=counts, kinds_a=kind_counts(a), kinds_b=kind_counts(b),
                  note=note, warning=warning, meanings=dict(MEANINGS))


def _mean(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def kind_counts(doc: Document) -> dict[str, int]:
    """Blocks per kind, sorted by kind: what each side found, shown beside the scores.

    Example:
        >>> from normalizer import load
        >>> kind_counts(load("samples/same_report/harbor_q3_baidu.json")[0])["header"]
        2
    """
    out: dict[str, int] = {}
    for block in doc.blocks:
        out[block.kind] = out.get(block.kind, 0) + 1
    return dict(sorted(out.items()))


def _side(doc: Document) -> Side:
    return Side(file_name=doc.file_name, provider=doc.provider, format=doc.format, pages=len(doc.pages),
                blocks=len(doc.blocks))
