"""Compare two Documents of the same file: pair their blocks, score text, tables and reading order.

Blocks are paired page by page when both documents have the same pages, across the whole document otherwise.
Identical texts pair first: a text found once on each side at once, a repeated one (running headers)
occurrence by occurrence where those first pairs say it should be. The rest pair by an optimal assignment
in windows along the document, whose cost mixes text similarity, the overlap of the boxes in page-relative
coordinates (the providers' units and page sizes differ) and how far a partner is from where it should be,
with a cut-off so that unrelated blocks stay unpaired. A block that moved out of its window is found by its
text afterwards. A block split in two on the other side is paired with both.
"""

from __future__ import annotations

import bisect
import functools
import sys
import types
from typing import Any, Callable, Literal

import jinja2
import msgspec
from msgspec import Struct
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel, Levenshtein

from normalizer.schema import Block, Document

from .assign import assignment
from .teds import table_diff

Status = Literal["same", "changed", "split", "only_a", "only_b"]


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
    cells: list[dict[str, Any]] = []        # table cell differences over the aligned grid


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


def diff(a: Document, b: Document, options: DiffOptions = DiffOptions()) -> DiffResult:
    """Pair the blocks of two results of the same document and score them.

    Args:
        a, b: the two canonical Documents (any providers).
        options: the pairing's weights, cut-off, window and search budget.

    Returns:
        A DiffResult: both sides, the scores (text similarity, reading order, mean table TEDS, counts), a score
        per page, and every pair (same, changed, split, only in one) with its text and cell differences.

    Example:
        >>> from normalizer import load
        >>> a, = load("samples/same_report/harbor_q3_llamacloud_v2.json")
        >>> b, = load("samples/same_report/harbor_q3_somark.json")
        >>> 0.5 < diff(a, b).scores.text_similarity <= 1.0
        True
    """
    same_pages = bool(a.pages) and [p.number for p in a.pages] == [p.number for p in b.pages]
    geo_a, geo_b = _frames(a), _frames(b)
    raw_pairs: list[tuple[list[int], list[int]]] = []
    if same_pages:
        index_a, index_b = _by_page(a.blocks), _by_page(b.blocks)
        for page in a.pages:
            ia, ib = index_a.get(page.number, []), index_b.get(page.number, [])
            raw_pairs += _match(a.blocks, b.blocks, ia, ib, geo_a, geo_b, True, options)
    else:
        raw_pairs = _match(a.blocks, b.blocks, list(range(len(a.blocks))), list(range(len(b.blocks))), geo_a,
                           geo_b, False, options)
    pairs = _pairs(a, b, raw_pairs, geo_a, geo_b)
    # page by page when both have the same pages; else by what was aligned (7 pages against 1 is not page 1
    # against page 1)
    pages, text_similarity = _page_scores(a, b) if same_pages else _aligned_scores(a, b, pairs)
    return DiffResult(a=_side(a), b=_side(b), mode="page" if same_pages else "global",
                      scores=_scores(a, b, raw_pairs, pairs, text_similarity), pages=pages, pairs=pairs)


def to_diff_json(result: DiffResult) -> bytes:
    """The diff result as JSON (every field of DiffResult)."""
    return msgspec.json.encode(result)


# --- pairing ------------------------------------------------------------------------------------------

def _norm(block: Block) -> str:
    return _squeeze(block.text)


@functools.lru_cache(maxsize=1 << 16)  # pairing asks for each block's text many times
def _squeeze(text: str) -> str:
    return " ".join(text.split())


def _by_page(blocks: list[Block]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for i, block in enumerate(blocks):
        out.setdefault(block.page, []).append(i)
    return out


Frame = dict[int, tuple[float, float]]


def _frames(doc: Document) -> Frame:
    """Each page's width and height for page-relative boxes: the page size, or the extent of its boxes."""
    frames: Frame = {}
    extent: dict[int, list[float]] = {}
    for block in doc.blocks:
        if block.bbox:
            e = extent.setdefault(block.page, [0.0, 0.0])
            e[0], e[1] = max(e[0], block.bbox[2]), max(e[1], block.bbox[3])
    for page in doc.pages:
        w, h = page.width, page.height
        if not (w and h):
            w, h = extent.get(page.number, (0.0, 0.0))
        if w and h:
            frames[page.number] = (w, h)
    return frames


def _rel(block: Block, frames: Frame) -> list[float] | None:
    if not block.bbox or block.page not in frames:
        return None
    w, h = frames[block.page]
    x0, y0, x1, y1 = block.bbox
    return [x0 / w, y0 / h, x1 / w, y1 / h]


def _iou(p: list[float] | None, q: list[float] | None) -> float | None:
    if p is None or q is None:
        return None
    ix = min(p[2], q[2]) - max(p[0], q[0])
    iy = min(p[3], q[3]) - max(p[1], q[1])
    if ix <= 0 or iy <= 0:
        return 0.0
    inter = ix * iy
    union = (p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - inter
    return inter / union if union > 0 else 0.0


def _match(blocks_a: list[Block], blocks_b: list[Block], ia: list[int], ib: list[int], geo_a: Frame,
           geo_b: Frame, geometry: bool, options: DiffOptions) -> list[tuple[list[int], list[int]]]:
    """Pairs of block-index lists ([i], [j], or a split [i], [j, k]) for the blocks `ia` and `ib`."""
    taken: set[int] = set()
    places = _Places(ia, ib)
    pairs, rest_a = _identical(blocks_a, blocks_b, ia, ib, taken, places)
    rest_b = [j for j in ib if j not in taken]
    rel_a = {i: _rel(blocks_a[i], geo_a) if geometry else None for i in rest_a}
    rel_b = {j: _rel(blocks_b[j], geo_b) if geometry else None for j in rest_b}
    windows = _windows(rest_a, rest_b, options.window)
    for wa, wb in windows:
        pairs += _assign(blocks_a, blocks_b, wa, [j for j in wb if j not in taken], rel_a, rel_b, options, taken,
                         places)
    if len(pairs) < min(len(ia), len(ib)):  # blocks that moved out of their window: best match anywhere
        paired_a = {i for xs, _ in pairs for i in xs}
        pairs += _far(blocks_a, blocks_b, [i for i in rest_a if i not in paired_a],
                      [j for j in rest_b if j not in taken], rel_a, rel_b, options, taken, places)
    _splits(blocks_a, blocks_b, ia, ib, pairs)
    _inline_captions(blocks_a, blocks_b, ia, ib, pairs)
    return pairs


# Across the document, where a partner sits only breaks ties between equally good ones (repeated
# boilerplate): its cost per share of the document it is away from where the anchors expect it.
PLACE_WEIGHT = 0.05

# identical text: same kind first, then any kind
_SAME_TEXT: tuple[Callable[[Block], Any], ...] = (lambda blk: (blk.kind, _norm(blk)), _norm)


class _Places:
    """Where a block of A should sit among the blocks of B: shifted as the nearest anchor (a pair already
    made), else proportionally. Ties between equally good partners go to the nearer one."""

    def __init__(self, ia: list[int], ib: list[int]) -> None:
        self.rank_a = {i: r for r, i in enumerate(ia)}
        self.rank_b = {j: r for r, j in enumerate(ib)}
        self.scale = len(ib) / max(len(ia), 1)
        self.size = max(len(ib), 1)
        self.anchors: list[tuple[int, int]] = []

    def anchor(self, pairs: list[tuple[list[int], list[int]]]) -> None:
        """Pairs made become anchors (by their first blocks)."""
        self.anchors += [(self.rank_a[xs[0]], self.rank_b[ys[0]]) for xs, ys in pairs]
        self.anchors.sort()

    def expected(self, i: int) -> float:
        rank = self.rank_a[i]
        if not self.anchors:
            return rank * self.scale
        at = bisect.bisect_left(self.anchors, (rank, -1))
        near = min(self.anchors[max(at - 1, 0):at + 1], key=lambda anchor: abs(anchor[0] - rank))
        return near[1] + rank - near[0]


def _identical(blocks_a: list[Block], blocks_b: list[Block], ia: list[int], ib: list[int], taken: set[int],
               places: _Places) -> tuple[list[tuple[list[int], list[int]]], list[int]]:
    """Blocks with the same text, paired first; and the blocks of `ia` left.

    A text found once on each side pairs at once and is an anchor. A repeated text (a running header, a
    footer, an empty figure) pairs each occurrence with the free one nearest to where the anchors put it,
    nearest first: page 21's header pairs with page 21's, not with the first one left."""
    pairs: list[tuple[list[int], list[int]]] = []
    nearest: list[tuple[list[int], list[int]]] = []  # repeated texts: anchors for what follows, not each other
    rest_a = ia
    for key in _SAME_TEXT:
        groups_a: dict[Any, list[int]] = {}
        groups_b: dict[Any, list[int]] = {}
        for i in rest_a:
            groups_a.setdefault(key(blocks_a[i]), []).append(i)
        for j in ib:
            if j not in taken:
                groups_b.setdefault(key(blocks_b[j]), []).append(j)
        repeated, unique = [], []
        for text, xs in groups_a.items():
            ys = groups_b.get(text)
            if ys and len(xs) == len(ys) == 1:
                unique.append((xs, ys))
                taken.add(ys[0])
            elif ys:
                repeated.append((xs, ys))
        pairs += unique
        places.anchor(unique)
        found = []
        for xs, ys in repeated:
            ranks = [places.rank_b[j] for j in ys]
            for i in xs:
                want = places.expected(i)
                at = bisect.bisect_left(ranks, want)
                found += [(abs(ranks[k] - want), places.rank_a[i], i, ys[k]) for k in range(max(at - 3, 0), at + 3)
                          if k < len(ranks)]
        paired: set[int] = {i for xs, _ in pairs for i in xs}
        for _, _, i, j in sorted(found):
            if i not in paired and j not in taken:
                paired.add(i)
                taken.add(j)
                pairs.append(([i], [j]))
                nearest.append(pairs[-1])
        rest_a = [i for i in rest_a if i not in paired]
    places.anchor(nearest)
    return pairs, rest_a


def _far(blocks_a: list[Block], blocks_b: list[Block], left_a: list[int], left_b: list[int], rel_a: dict,
         rel_b: dict, options: DiffOptions, taken: set[int], places: _Places) -> list[tuple[list[int], list[int]]]:
    """Leftovers paired best-first by the pairing score; candidates found by text (rapidfuzz, in C).

    Each leftover of A is compared with the leftovers of B around its proportional place, as many as
    `options.far_budget` comparisons allow in all (every one of them when that many fit): linear cost."""
    if not left_a or not left_b:
        return []
    texts_b = [_norm(blocks_b[j]) for j in left_b]
    reach = max(options.far_budget // len(left_a), options.window) // 2
    cutoff = options.min_score * 100
    found = []
    for n, i in enumerate(left_a):
        want = places.expected(i)
        lo = max(int(n * len(left_b) / len(left_a)) - reach, 0)
        for _, _, k in process.extract(_norm(blocks_a[i]), texts_b[lo:lo + 2 * reach], scorer=fuzz.ratio,
                                       limit=3, score_cutoff=cutoff):
            j = left_b[lo + k]
            score = _score(blocks_a[i], blocks_b[j], rel_a[i], rel_b[j], options)
            if score >= options.min_score:
                found.append((PLACE_WEIGHT * abs(places.rank_b[j] - want) / places.size - score, i, j))
    out = []
    done: set[int] = set()
    for _, i, j in sorted(found):
        if i not in done and j not in taken:
            done.add(i)
            taken.add(j)
            out.append(([i], [j]))
    return out


def _windows(xs: list[int], ys: list[int], size: int) -> list[tuple[list[int], list[int]]]:
    """Groups small enough for one assignment; the B side of a group is its proportional span, widened."""
    if len(xs) <= size and len(ys) <= size:
        return [(xs, ys)] if xs and ys else []
    out = []
    step = max(size // 2, 1)
    for start in range(0, len(xs), step):
        part = xs[start:start + step]
        lo = int(start * len(ys) / len(xs)) - step // 2
        hi = int((start + len(part)) * len(ys) / len(xs)) + step // 2
        out.append((part, ys[max(lo, 0):hi]))
    return out


def _assign(blocks_a: list[Block], blocks_b: list[Block], wa: list[int], wb: list[int], rel_a: dict, rel_b: dict,
            options: DiffOptions, taken: set[int], places: _Places) -> list[tuple[list[int], list[int]]]:
    if not wa or not wb:
        return []
    scores = [[_score(blocks_a[i], blocks_b[j], rel_a[i], rel_b[j], options) for j in wb] for i in wa]
    # a partner a window away from where the anchors expect it costs as much as none: it is the far
    # pass's to find, best first, and not forced on a block that has no partner here
    unpaired = 1.0 - options.min_score
    reach = float(options.window)
    ranks = [places.rank_b[j] for j in wb]
    costs = []
    for row, i in zip(scores, wa):
        want = places.expected(i)
        costs.append([1.0 - s + min(abs(rank - want) / reach, 1.0) for s, rank in zip(row, ranks)] +
                     [unpaired] * len(wa))
    out = []
    for r, c in assignment(costs):
        if c < len(wb) and costs[r][c] < unpaired and wb[c] not in taken:
            taken.add(wb[c])
            out.append(([wa[r]], [wb[c]]))
    return out


def _score(x: Block, y: Block, p: list[float] | None, q: list[float] | None, options: DiffOptions) -> float:
    overlap = _iou(p, q)
    if not (x.text.strip() and y.text.strip()):  # a block without text (a figure): judged by where it sits
        return overlap if overlap is not None else float(x.kind == y.kind and not x.text.strip() and not y.text.strip())
    text = fuzz.ratio(_norm(x), _norm(y)) / 100.0
    if overlap is None:
        return text
    return options.text_weight * text + (1 - options.text_weight) * overlap


def _inline_captions(blocks_a: list[Block], blocks_b: list[Block], ia: list[int], ib: list[int],
                     pairs: list[tuple[list[int], list[int]]]) -> None:
    """A caption one provider gives as a block of its own and the other inside its figure (LlamaCloud's image
    `caption`): the caption block joins its figure's pair, so the two captions are compared with each other
    instead of one counting as changed and the other as found on one side only."""
    for side in (1, 0):  # 1: a caption block of B, its figure's partner in A holding the caption inline
        mine, theirs, order = (blocks_b, blocks_a, ib) if side else (blocks_a, blocks_b, ia)
        paired = {k for pair in pairs for k in pair[side]}
        pair_of = {k: n for n, pair in enumerate(pairs) for k in pair[side]}
        index = {mine[k].id: k for k in order}
        for k in order:
            figure = mine[k]
            if figure.kind != "figure" or k not in pair_of:
                continue
            n = pair_of[k]
            partner = [theirs[j] for j in pairs[n][1 - side]]
            if len(partner) != 1 or partner[0].captions or not partner[0].text.strip():
                continue  # the other side's figure has caption blocks of its own, or no caption at all
            for caption_id in figure.captions:
                c = index.get(caption_id)
                if c is not None and c not in paired:
                    pairs[n][side].append(c)
                    paired.add(c)
        # or the inline caption paired with the caption block by its text, leaving that block's figure alone
        owner = {index[cid]: k for k in order if mine[k].kind == "figure" for cid in mine[k].captions if cid in index}
        for pair in pairs:
            ours, other = pair[side], pair[1 - side]
            if len(ours) == 1 and len(other) == 1 and ours[0] in owner and owner[ours[0]] not in paired and \
                    theirs[other[0]].kind == "figure" and not theirs[other[0]].captions:
                figure_index = owner[ours[0]]
                ours.insert(0, figure_index)
                paired.add(figure_index)


def _splits(blocks_a: list[Block], blocks_b: list[Block], ia: list[int], ib: list[int],
            pairs: list[tuple[list[int], list[int]]]) -> None:
    """An unpaired block next to a paired one joins its pair when their texts together match better."""
    for side in (1, 0):  # 1: a block of A split into two of B; 0: the other way round
        order = ib if side else ia
        mine, theirs = (blocks_b, blocks_a) if side else (blocks_a, blocks_b)
        paired = {k: n for n, pair in enumerate(pairs) for k in pair[side]}
        position = {k: p for p, k in enumerate(order)}
        for pos, k in enumerate(order):
            if k in paired:
                continue
            for near in (pos - 1, pos + 1):
                if not 0 <= near < len(order) or order[near] not in paired:
                    continue
                n = paired[order[near]]
                if len(pairs[n][1 - side]) != 1:
                    continue
                other = _norm(theirs[pairs[n][1 - side][0]])
                parts = sorted(pairs[n][side] + [k], key=position.__getitem__)
                joined = " ".join(_norm(mine[x]) for x in parts)
                alone = " ".join(_norm(mine[x]) for x in pairs[n][side])
                if fuzz.ratio(other, joined) >= max(fuzz.ratio(other, alone) + 5, 60):
                    pairs[n][side][:] = parts
                    paired[k] = n
                    break


def _pairs(a: Document, b: Document, raw: list[tuple[list[int], list[int]]], geo_a: Frame,
           geo_b: Frame) -> list[Pair]:
    out: list[Pair] = []
    paired_a = {i for xs, _ in raw for i in xs}
    paired_b = {j for _, ys in raw for j in ys}
    for xs, ys in raw:
        x, y = a.blocks[xs[0]], b.blocks[ys[0]]
        text_a = "\n".join(a.blocks[i].text for i in xs)
        text_b = "\n".join(b.blocks[j].text for j in ys)
        pair = Pair(status="same", a=[a.blocks[i].id for i in xs], b=[b.blocks[j].id for j in ys],
                    page_a=x.page, page_b=y.page, kind_a=x.kind, kind_b=y.kind,
                    iou=_iou(_rel(x, geo_a), _rel(y, geo_b)) if x.page == y.page else None)
        same_text = " ".join(text_a.split()) == " ".join(text_b.split())
        pair.text_similarity = 1.0 if same_text else Levenshtein.normalized_similarity(text_a, text_b)
        if x.table is not None and y.table is not None and len(xs) == len(ys) == 1:
            pair.teds, pair.cells, pair.teds_approximate = table_diff(x.table, y.table)
            same_text = same_text and pair.teds == 1.0
        if len(xs) + len(ys) > 2:
            pair.status = "split"
        elif not same_text:
            pair.status = "changed"
        if not same_text:
            pair.text_diff = text_ops(text_a, text_b)
        out.append(pair)
    out += [Pair(status="only_a", a=[blk.id], b=[], page_a=blk.page, kind_a=blk.kind)
            for i, blk in enumerate(a.blocks) if i not in paired_a]
    out += [Pair(status="only_b", a=[], b=[blk.id], page_b=blk.page, kind_b=blk.kind)
            for j, blk in enumerate(b.blocks) if j not in paired_b]
    _reading_sort(out, a, b)
    return out


def _reading_sort(pairs: list[Pair], a: Document, b: Document) -> None:
    """A's reading order; a block only in B goes right after the A partner of the B block before it."""
    order_a = {blk.id: i for i, blk in enumerate(a.blocks)}
    order_b = {blk.id: j for j, blk in enumerate(b.blocks)}
    partner = {order_b[bid]: order_a[p.a[0]] for p in pairs if p.a for bid in p.b}
    after: dict[str, float] = {}
    last = -0.5
    for j, blk in enumerate(b.blocks):
        if j in partner:
            last = partner[j]
        else:
            after[blk.id] = last + 0.5
    pairs.sort(key=lambda p: (order_a[p.a[0]], 0) if p.a else (after[p.b[0]], order_b[p.b[0]] + 1))


def text_ops(a: str, b: str) -> list[tuple[str, str]]:
    """Character-level differences as ("=" | "-" | "+", text) runs."""
    ops: list[tuple[str, str]] = []
    for op in Indel.opcodes(a, b):
        if op.tag == "equal":
            ops.append(("=", a[op.src_start:op.src_end]))
        elif op.tag == "delete":
            ops.append(("-", a[op.src_start:op.src_end]))
        elif op.tag == "insert":
            ops.append(("+", b[op.dest_start:op.dest_end]))
        else:
            ops.append(("-", a[op.src_start:op.src_end]))
            ops.append(("+", b[op.dest_start:op.dest_end]))
    for k in range(len(ops) - 1):  # a replacement reads as deletion, then insertion
        if ops[k][0] == "+" and ops[k + 1][0] == "-":
            ops[k], ops[k + 1] = ops[k + 1], ops[k]
    return ops


# --- scores -------------------------------------------------------------------------------------------

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



# --- the HTML report ----------------------------------------------------------------------------------

_env = jinja2.Environment(loader=jinja2.PackageLoader("exporters", "templates"), autoescape=True,
                          trim_blocks=True, lstrip_blocks=True)


def _at(position: list[int]) -> str:
    return f"row {position[0] + 1} col {position[1] + 1}"


def _rows(rows: list[int]) -> str:
    return f"row {rows[0] + 1}" if len(rows) == 1 else f"rows {rows[0] + 1}-{rows[-1] + 1}"


def cell_label(entry: dict[str, Any]) -> str:
    """Where a table difference is, for people: rows and columns counted from 1."""
    op, a, b = entry["op"], entry["a"], entry["b"]
    if op == "regroup":
        verb = "are" if len(a) > 1 else "is"
        return f"{_rows(a)} of A {verb} {_rows(b)} of B" if a and b else "rows regrouped"
    if op == "delete":
        return f"{_at(a)} only in A"
    if op == "insert":
        return f"{_at(b)} only in B"
    return _at(a) if a == b else f"{_at(a)} / {_at(b)}"


def to_diff_html(result: DiffResult, a: Document | None = None, b: Document | None = None,
                 sources: tuple[str, str] | None = None) -> str:
    """A standalone report (inline CSS, an SVG chart with named axes and a legend, no script, nothing fetched),
    naming both result files (`sources`, else the source documents' names). With the documents, blocks found
    on one side only show their text too."""
    if sources is None:
        sources = (result.a.file_name or "A", result.b.file_name or "B")
    texts: dict[tuple[str, str], str] = {}
    for status, doc in (("only_a", a), ("only_b", b)):
        if doc is not None:
            texts.update({(status, blk.id): blk.text for blk in doc.blocks})
    return _env.get_template("diff.html.j2").render(
        a=result.a, b=result.b, sources=sources, mode=result.mode, scores=result.scores, chart=_chart(result.pages),
        kinds=sorted(set(result.scores.kinds_a) | set(result.scores.kinds_b)),
        differences=[p for p in result.pairs if p.status != "same"], texts=texts, cell_label=cell_label)


def _chart(pages: list[PageScore]) -> dict[str, Any]:
    width, height, base, left = 1000, 175, 140, 30
    step = (width - left) / max(len(pages), 1)
    bars = [{"page": p.page, "value": p.similarity, "x": left + k * step + step * 0.1, "w": max(step * 0.8, 0.5),
             "y": base - p.similarity * (base - 10), "h": max(p.similarity * (base - 10), 0.5)}
            for k, p in enumerate(pages)]
    return {"width": width, "height": height, "base": base, "bars": bars}


class _CallableModule(types.ModuleType):
    """`from exporters import diff` gives this module, and calling it runs `diff.diff`: the diff is exported where
    the other exporters are, while `exporters.diff.diff` keeps its name (and its module, its other names)."""

    def __call__(self, a: Document, b: Document, options: DiffOptions = DiffOptions()) -> DiffResult:
        return diff(a, b, options)


sys.modules[__name__].__class__ = _CallableModule
