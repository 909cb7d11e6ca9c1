"""Pairing the blocks of two documents (see the package's docstring for the method)."""

from __future__ import annotations

import bisect
from typing import Any, Callable

from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel, Levenshtein

from normalizer.schema import Block, Document

from .assign import assignment
from .result import DiffOptions, Pair
from .structure import teds_s
from .teds import table_diff
from .texts import pair_texts
from .texts import squeeze as _squeeze


def _norm(block: Block) -> str:
    return _squeeze(block.text)


def _by_page(blocks: list[Block]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for i, block in enumerate(blocks):
        out.setdefault(block.page, []).append(i)
    return out


Frame = dict[int, tuple[float, float]]
Raw = list[tuple[list[int], list[int]]]  # pairs of block-index lists: ([i], [j]), or a split ([i], [j, k])


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

    def anchor(self, pairs: Raw) -> None:
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


class _Matcher:
    """The pairing of the blocks `ia` of A with the blocks `ib` of B (a page, or the whole document): its state,
    shared by its passes, is both sides' blocks, their page-relative boxes (none without frames), the options,
    the blocks of B already taken and where each block of A is expected among those of B."""

    def __init__(self, blocks_a: list[Block], blocks_b: list[Block], ia: list[int], ib: list[int], geo_a: Frame,
                 geo_b: Frame, options: DiffOptions) -> None:
        self.a, self.b, self.ia, self.ib, self.options = blocks_a, blocks_b, ia, ib, options
        self.rel_a = {i: _rel(blocks_a[i], geo_a) for i in ia}
        self.rel_b = {j: _rel(blocks_b[j], geo_b) for j in ib}
        self.taken: set[int] = set()
        self.places = _Places(ia, ib)

    def pairs(self) -> Raw:
        """Identical texts first (anchors), then window by window, then what moved far; splits and inline
        captions join their pairs last."""
        pairs, rest_a = self.identical()
        rest_b = [j for j in self.ib if j not in self.taken]
        for wa, wb in _windows(rest_a, rest_b, self.options.window):
            pairs += self.assign(wa, [j for j in wb if j not in self.taken])
        if len(pairs) < min(len(self.ia), len(self.ib)):  # blocks that moved out of their window
            paired_a = {i for xs, _ in pairs for i in xs}
            pairs += self.far([i for i in rest_a if i not in paired_a], [j for j in rest_b if j not in self.taken])
        self.splits(pairs)
        self.inline_captions(pairs)
        return pairs

    def score(self, i: int, j: int) -> float:
        """How alike block i of A and block j of B are (text, and boxes when both sides have them)."""
        return _score(self.a[i], self.b[j], self.rel_a[i], self.rel_b[j], self.options)

    def identical(self) -> tuple[Raw, list[int]]:
        """Blocks with the same text, paired first; and the blocks of `ia` left.

        A text found once on each side pairs at once and is an anchor. A repeated text (a running header, a
        footer, an empty figure) pairs each occurrence with the free one nearest to where the anchors put it,
        nearest first: page 21's header pairs with page 21's, not with the first one left."""
        blocks_a, blocks_b, taken, places = self.a, self.b, self.taken, self.places
        pairs: Raw = []
        nearest: Raw = []  # repeated texts: anchors for what follows, not each other
        rest_a = self.ia
        for key in _SAME_TEXT:
            groups_a: dict[Any, list[int]] = {}
            groups_b: dict[Any, list[int]] = {}
            for i in rest_a:
                groups_a.setdefault(key(blocks_a[i]), []).append(i)
            for j in self.ib:
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

    def far(self, left_a: list[int], left_b: list[int]) -> Raw:
        """Leftovers paired best-first by the pairing score; candidates found by text (rapidfuzz, in C).

        Each leftover of A is compared with the leftovers of B around its proportional place, as many as
        `options.far_budget` comparisons allow in all (every one of them when that many fit): linear cost."""
        if not left_a or not left_b:
            return []
        options, taken, places = self.options, self.taken, self.places
        texts_b = [_norm(self.b[j]) for j in left_b]
        reach = max(options.far_budget // len(left_a), options.window) // 2
        cutoff = options.min_score * 100
        found = []
        for n, i in enumerate(left_a):
            want = places.expected(i)
            lo = max(int(n * len(left_b) / len(left_a)) - reach, 0)
            for _, _, k in process.extract(_norm(self.a[i]), texts_b[lo:lo + 2 * reach], scorer=fuzz.ratio,
                                           limit=3, score_cutoff=cutoff):
                j = left_b[lo + k]
                score = self.score(i, j)
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

    def assign(self, wa: list[int], wb: list[int]) -> Raw:
        """One window's pairs: the assignment of least total cost, a pair's cost its score and its distance from
        where the anchors expect it."""
        if not wa or not wb:
            return []
        options, taken, places = self.options, self.taken, self.places
        scores = [[self.score(i, j) for j in wb] for i in wa]
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

    def splits(self, pairs: Raw) -> None:
        """An unpaired block next to a paired one joins its pair when their texts together match better."""
        blocks_a, blocks_b, ia, ib = self.a, self.b, self.ia, self.ib
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

    def inline_captions(self, pairs: Raw) -> None:
        """A caption one provider gives as a block of its own and the other inside its figure (LlamaCloud's image
        `caption`): the caption block joins its figure's pair, so the two captions are compared with each other
        instead of one counting as changed and the other as found on one side only."""
        blocks_a, blocks_b, ia, ib = self.a, self.b, self.ia, self.ib
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


def _score(x: Block, y: Block, p: list[float] | None, q: list[float] | None, options: DiffOptions) -> float:
    overlap = _iou(p, q)
    if not (x.text.strip() and y.text.strip()):  # a block without text (a figure): judged by where it sits
        return overlap if overlap is not None else float(x.kind == y.kind and not x.text.strip() and not y.text.strip())
    text = fuzz.ratio(_norm(x), _norm(y)) / 100.0
    if overlap is None:
        return text
    return options.text_weight * text + (1 - options.text_weight) * overlap


def _pairs(a: Document, b: Document, raw: Raw, geo_a: Frame,
           geo_b: Frame) -> list[Pair]:
    out: list[Pair] = []
    paired_a = {i for xs, _ in raw for i in xs}
    paired_b = {j for _, ys in raw for j in ys}
    for xs, ys in raw:
        x, y = a.blocks[xs[0]], b.blocks[ys[0]]
        text_a, text_b, _ = pair_texts([a.blocks[i] for i in xs], [b.blocks[j] for j in ys])  # LaTeX for formulas
        pair = Pair(status="same", a=[a.blocks[i].id for i in xs], b=[b.blocks[j].id for j in ys],
                    page_a=x.page, page_b=y.page, kind_a=x.kind, kind_b=y.kind,
                    iou=_iou(_rel(x, geo_a), _rel(y, geo_b)) if x.page == y.page else None)
        same_text = " ".join(text_a.split()) == " ".join(text_b.split())
        pair.text_similarity = 1.0 if same_text else Levenshtein.normalized_similarity(text_a, text_b)
        if x.table is not None and y.table is not None and len(xs) == len(ys) == 1:
            pair.teds, pair.cells, pair.teds_approximate = table_diff(x.table, y.table)
            pair.teds_s = teds_s(x.table, y.table)
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


