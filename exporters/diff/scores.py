"""The diff's scores: text similarity (page by page, or by what was aligned), reading order, table TEDS, counts."""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from normalizer.schema import Document

from .align import _by_page, _norm
from .result import PageScore, Pair, Scores, Side


def _page_text(doc: Document) -> dict[int, str]:
    texts: dict[int, list[str]] = {}
    for block in doc.blocks:
        texts.setdefault(block.page, []).append(_norm(block))
    return {page: "\n".join(parts) for page, parts in texts.items()}


def _page_scores(a: Document, b: Document) -> tuple[list[PageScore], float]:
    """Similarity page by page, and over the document: 1 - the summed edit distances / the summed lengths."""
    ta, tb = _page_text(a), _page_text(b)
    count_a, count_b = _by_page(a.blocks), _by_page(b.blocks)
    numbers = sorted({p.number for p in a.pages} | {p.number for p in b.pages} | set(ta) | set(tb))
    out = []
    dist = total = 0
    for n in numbers:
        x, y = ta.get(n, ""), tb.get(n, "")
        d, longest = Levenshtein.distance(x, y), max(len(x), len(y))
        dist, total = dist + d, total + longest
        out.append(PageScore(page=n, similarity=1.0 - d / longest if longest else 1.0,
                             blocks_a=len(count_a.get(n, ())), blocks_b=len(count_b.get(n, ()))))
    return out, 1.0 - dist / total if total else 1.0


def _aligned_scores(a: Document, b: Document, pairs: list[Pair]) -> tuple[list[PageScore], float]:
    """Similarity from the aligned pairs: each pair's texts against each other, a block on one side only against
    nothing. Pages are A's: a block only in B counts on the page of the pair before it in reading order."""
    text_a = {blk.id: _norm(blk) for blk in a.blocks}
    text_b = {blk.id: _norm(blk) for blk in b.blocks}
    numbers = [p.number for p in a.pages] or [p.number for p in b.pages]
    dist: dict[int, int] = {n: 0 for n in numbers}
    longest: dict[int, int] = {n: 0 for n in numbers}
    count_b: dict[int, int] = {n: 0 for n in numbers}
    page = numbers[0] if numbers else 1
    for pair in pairs:
        x = "\n".join(text_a[i] for i in pair.a)
        y = "\n".join(text_b[j] for j in pair.b)
        if pair.page_a is not None:
            page = pair.page_a
        d = len(x) + len(y) if not (x and y) else (0 if x == y else Levenshtein.distance(x, y))
        dist[page] = dist.get(page, 0) + d
        longest[page] = longest.get(page, 0) + max(len(x), len(y))
        count_b[page] = count_b.get(page, 0) + len(pair.b)
    count_a = _by_page(a.blocks)
    out = [PageScore(page=n, similarity=1.0 - dist[n] / longest[n] if longest[n] else 1.0,
                     blocks_a=len(count_a.get(n, ())), blocks_b=count_b.get(n, 0)) for n in sorted(dist)]
    total = sum(longest.values())
    return out, 1.0 - sum(dist.values()) / total if total else 1.0


def _no_content(a: Document, b: Document) -> str | None:
    """Why the two cannot be compared: a side without blocks (a failed, pending or status-only result)."""
    empty = [(name, doc) for name, doc in (("A", a), ("B", b)) if not doc.blocks]
    if not empty:
        return None
    return "no content to compare: " + "; ".join(
        f"{name} is {doc.job.status}" + (f" ({doc.job.error})" if doc.job.error else "") + " and has no blocks"
        for name, doc in empty)


def _scores(a: Document, b: Document, raw: list[tuple[list[int], list[int]]], pairs: list[Pair],
            text_similarity: float) -> Scores:
    tables = [p.teds for p in pairs if p.teds is not None]
    counts = {"blocks_a": len(a.blocks), "blocks_b": len(b.blocks),
              "matched": sum(1 for p in pairs if p.a and p.b)}
    for status in ("same", "changed", "split", "only_a", "only_b"):
        counts[status] = sum(1 for p in pairs if p.status == status)
    note = _no_content(a, b)
    return Scores(text_similarity=None if note else text_similarity,
                  reading_order=None if note else reading_order([(xs[0], ys[0]) for xs, ys in raw]), note=note,
                  teds=sum(tables) / len(tables) if tables else None, tables_compared=len(tables),
                  counts=counts, kinds_a=kind_counts(a), kinds_b=kind_counts(b))


def kind_counts(doc: Document) -> dict[str, int]:
    """Blocks per kind, sorted by kind."""
    out: dict[str, int] = {}
    for block in doc.blocks:
        out[block.kind] = out.get(block.kind, 0) + 1
    return dict(sorted(out.items()))


def reading_order(pairs: list[tuple[int, int]]) -> float:
    """1 - the share of paired blocks whose order differs between A and B (Kendall-style, O(n log n))."""
    seq = [j for _, j in sorted(pairs)]
    n = len(seq)
    if n < 2:
        return 1.0
    return 1.0 - _inversions(seq) / (n * (n - 1) / 2)


def _inversions(seq: list[int]) -> int:
    if len(seq) < 2:
        return 0
    mid = len(seq) // 2
    left, right = seq[:mid], seq[mid:]
    count = _inversions(left) + _inversions(right)
    left.sort()
    right.sort()
    i = j = 0
    while i < len(left) and j < len(right):
        if left[i] <= right[j]:
            i += 1
        else:
            count += len(left) - i
            j += 1
    return count


def _side(doc: Document) -> Side:
    return Side(file_name=doc.file_name, provider=doc.provider, format=doc.format, pages=len(doc.pages),
                blocks=len(doc.blocks))



