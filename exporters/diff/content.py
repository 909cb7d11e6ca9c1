"""The matching behind the diff's three scores: blocks matched by their text alone, whatever their order.

Each block with text is a unit: its text, whitespace squeezed (a block's own caption repeated in it already
removed, `texts.without_repeated_captions`), or a formula's LaTeX without whitespace. The matching runs in
passes, each bounded:

1. identical texts: a text found once on each side pairs at once and is an anchor; a repeated one (a running
   header, a page number) pairs each occurrence with the free one nearest to where the anchors put it;
2. candidates for the rest: first the leftovers of the other side near where the anchors put a unit (NEAR
   either side, compared in C); then, for a unit that found nothing there (a block that moved, a piece of a
   split one), those sharing the most of its RARE rarest words (character 3-grams too for a text of fewer
   than four words: CJK, short labels) in an index of the other side's leftovers, a word found in many places
   looked up only in the POSTING places nearest to where the unit should be, the CANDIDATES best kept: bounded
   work per unit, never all pairs;
3. an optimal assignment (`assign.py`) in each connected group of candidates of up to WINDOW units a side,
   best first in a larger one, maximizing the characters in common (ties: the nearer in the documents). A pair
   is admissible when its normalized Levenshtein similarity is at least SAME, or when the shorter text is a
   piece of the longer (a block the other side split): CONTAINED of its word pairs found in the longer one;
4. merges and splits: a unit left over next to a matched one on its side joins that match (its text joined in
   reading order) when at least half of its characters are found in the partner, so one block of a side may
   match several consecutive blocks of the other (a page given as one block against its paragraphs too);
5. a match whose texts are then not admissible is undone.

The one cost that is not linear is that of comparing two long texts with each other (the edit distance of a
match), as for the pairs the aligner shows.
"""

from __future__ import annotations

import bisect
import functools
import heapq
from collections import Counter
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import Indel, Levenshtein

from normalizer.schema import Document

from .assign import assignment
from .texts import latex_key, squeeze

SAME = 0.5          # least normalized Levenshtein similarity of a match
CONTAINED = 0.8     # or: share of the shorter text's word pairs found in the longer one
WORDY = 6           # ... (word pairs for a text of at least this many words, else character 3-grams,
PIECE = 16          # ... then only when the shorter has at least this many characters
SPREAD = 8          # ... and the longer at most this many times as many)
EXACT = 2000        # a partner this long or shorter: a piece joins its match by the exact edit cost
CELLS = 400_000_000 # character pairs an edit cost is computed over exactly (about 0.1 s); beyond, banded
RARE = 8            # words of a unit looked up in the other side's index
POSTING = 32        # places looked at for one word
CANDIDATES = 6      # candidates a unit keeps
NEAR = 8            # leftovers either side of where a unit should be, compared first
CLOSE = 0.8         # a partner found there this alike spares the unit the index
WINDOW = 40         # largest group of candidates given to the optimal assignment (cubic)
TIE = 0.5           # a partner's distance in the documents (0..1) weighs at most half a character


class Unit(NamedTuple):
    """One block with text: its index among the document's blocks, page, squeezed text and LaTeX."""

    block: int
    page: int
    text: str
    latex: str | None

    @property
    def key(self) -> str:
        return self.latex or self.text


# the positions of the units of A and of B matched together (consecutive on each side)
Group = tuple[tuple[int, ...], tuple[int, ...]]


class Matching(NamedTuple):
    units_a: list[Unit]
    units_b: list[Unit]
    groups: list[Group]   # in A's reading order
    costs: list[int]      # each group's edit cost: characters inserted or deleted (Indel distance)
    weights: list[int]    # each group's characters, both sides


def units(doc: Document) -> list[Unit]:
    """The blocks of a document that have text (or LaTeX), in reading order.

    Example:
        >>> from normalizer import load
        >>> doc, = load("samples/same_report/harbor_q3_somark.json")
        >>> len(units(doc)), units(doc)[0].text
        (13, 'Harbor Logistics — Q3 2025 Report')
    """
    out = []
    for k, block in enumerate(doc.blocks):
        text, latex = squeeze(block.text), latex_key(block)
        if text or latex:
            out.append(Unit(k, block.page, text, latex))
    return out


def match(ua: list[Unit], ub: list[Unit]) -> Matching:
    """Match two documents' units by content, regardless of order (see the module's docstring for how).

    Example:
        >>> u = lambda k, t: Unit(k, 1, t, None)
        >>> m = match([u(0, "Throughput rose by four percent, while dwell time fell."), u(1, "Outlook for Q4")],
        ...           [u(0, "Outlook for Q4"), u(1, "Throughput rose by four percent,"),
        ...            u(2, "while dwell time fell.")])
        >>> m.groups, m.costs
        ([((0,), (1, 2)), ((1,), (0,))], [0, 0])
    """
    groups, left_a, left_b, where = _identical(ua, ub)
    edges = _evaluated(ua, ub, _candidates(ua, ub, left_a, left_b, where), where[0])
    groups += _assigned(edges, len(ua), len(ub))
    _grow(groups, ua, ub)
    kept, costs, weights = [], [], []
    for group in groups:
        sa, sb = _strings(ua, ub, group)
        if len(group[0]) + len(group[1]) == 2 and sa == sb or _worth(sa, sb) is not None:
            kept.append(group)
            costs.append(_cost(sa, sb))
            weights.append(len(sa) + len(sb))
    _pieces.cache_clear()  # a long text's pieces are not kept past its diff
    order = sorted(range(len(kept)), key=lambda n: kept[n][0][0])
    return Matching(ua, ub, [kept[n] for n in order], [costs[n] for n in order], [weights[n] for n in order])


Where = tuple[list[float], list[float]]  # where each unit of A should sit among B's, and each of B among A's


def _expected(size: int, other: int, anchors: list[tuple[int, int]]) -> list[float]:
    """Where each of `size` units should sit among the `other` side's: shifted as the nearest anchor (a pair of
    identical texts), else proportionally. One sweep along the anchors, in order."""
    if not anchors:
        return [r * other / max(size, 1) for r in range(size)]
    anchors = sorted(anchors)
    out, k = [], 0
    for r in range(size):
        while k + 1 < len(anchors) and anchors[k + 1][0] <= r:
            k += 1
        near = anchors[k]
        if k + 1 < len(anchors) and abs(anchors[k + 1][0] - r) < abs(near[0] - r):
            near = anchors[k + 1]
        out.append(near[1] + r - near[0])
    return out


def _identical(ua: list[Unit], ub: list[Unit]) -> tuple[list[Group], list[int], list[int], Where]:
    """Same texts; the units of A and of B left; where each unit should sit on the other side. A text found once
    on each side pairs at once and anchors the rest; a repeated one (a running header, a page number) pairs each
    occurrence with the free one nearest to where the anchors put it, nearest first, so that a header missing
    from one page shifts no other."""
    where_a: dict[str, list[int]] = {}
    where_b: dict[str, list[int]] = {}
    for i, unit in enumerate(ua):
        where_a.setdefault(unit.key, []).append(i)
    for j, unit in enumerate(ub):
        where_b.setdefault(unit.key, []).append(j)
    pairs: list[tuple[int, int]] = []
    repeated = []
    for key, xs in where_a.items():
        ys = where_b.get(key)
        if ys and len(xs) == len(ys) == 1:
            pairs.append((xs[0], ys[0]))
        elif ys:
            repeated.append((xs, ys))
    expected = _expected(len(ua), len(ub), pairs)
    found = []
    for xs, ys in repeated:
        for i in xs:
            at = bisect.bisect_left(ys, expected[i])
            found += [(abs(ys[k] - expected[i]), i, ys[k]) for k in range(max(at - 3, 0), min(at + 3, len(ys)))]
    paired_a, paired_b = {i for i, _ in pairs}, {j for _, j in pairs}
    for _, i, j in sorted(found):
        if i not in paired_a and j not in paired_b:
            paired_a.add(i)
            paired_b.add(j)
            pairs.append((i, j))
    where = (_expected(len(ua), len(ub), pairs), _expected(len(ub), len(ua), [(j, i) for i, j in pairs]))
    return ([((i,), (j,)) for i, j in pairs], [i for i in range(len(ua)) if i not in paired_a],
            [j for j in range(len(ub)) if j not in paired_b], where)


def _grams(text: str) -> set[str]:
    """What candidates are found by: the words of a text, and its character 3-grams when it has fewer than four
    words (a CJK text has no spaces; a short label few words)."""
    words = text.casefold().split()
    if len(words) >= 4:
        return set(words)
    joined = "".join(words)
    return set(words) | {joined[k:k + 3] for k in range(len(joined) - 2)}


def _candidates(ua: list[Unit], ub: list[Unit], left_a: list[int], left_b: list[int],
                where: Where) -> set[tuple[int, int]]:
    """Pairs of leftover units worth comparing. First near where the anchors put each leftover of A (NEAR
    leftovers of B either side, compared in C); then, for the leftovers of either side that found nothing there
    (a block that moved, a piece of a split one), the leftovers of the other side that share the most of its
    rarest words, the nearer first: bounded work per unit, never all pairs."""
    found: set[tuple[int, int]] = set()
    if not left_a or not left_b:
        return found
    keys_b = [ub[j].key for j in left_b]
    near_a, near_b = set(), set()  # units with a close partner nearby: not looked up in the index
    for i in left_a:
        at = max(bisect.bisect_left(left_b, where[0][i]) - NEAR, 0)
        for _, score, k in process.extract(ua[i].key, keys_b[at:at + 2 * NEAR], limit=2, score_cutoff=SAME,
                                           scorer=Levenshtein.normalized_similarity):
            found.add((i, left_b[at + k]))
            if score >= CLOSE:
                near_a.add(i)
                near_b.add(left_b[at + k])
    lone = ([i for i in left_a if i not in near_a], [j for j in left_b if j not in near_b])
    lefts = (left_a, left_b)
    grams = ({i: _grams(ua[i].key) for i in left_a}, {j: _grams(ub[j].key) for j in left_b})
    for side in (0, 1):
        theirs = lefts[1 - side]
        if not lone[side]:
            continue
        index: dict[str, list[int]] = {}
        for k, t in enumerate(theirs):
            for gram in grams[1 - side][t]:
                index.setdefault(gram, []).append(k)
        for m in lone[side]:
            want = bisect.bisect_left(theirs, where[side][m])  # where it should be among the leftovers
            hits: Counter[int] = Counter()
            seen = 0
            for gram in sorted((g for g in grams[side][m] if g in index), key=lambda g: len(index[g]))[:RARE]:
                at = index[gram]
                if len(at) > POSTING:
                    start = max(bisect.bisect_left(at, want) - POSTING // 2, 0)
                    at = at[start:start + POSTING]
                hits.update(at)
                seen += len(at)
                if seen >= 2 * POSTING:
                    break
            for k in heapq.nsmallest(CANDIDATES, hits, key=lambda k: (-hits[k], abs(k - want))):
                found.add((theirs[k], m) if side else (m, theirs[k]))
    return found


def _worth(sa: str, sb: str) -> float | None:
    """What matching two texts is worth, 2 x their characters in common, or None when they are not one block's:
    exact when they are alike (normalized Levenshtein similarity at least SAME, out of reach for lengths too far
    apart; past CELLS character pairs, see `_cost`); estimated from the shared pieces when the shorter is a piece
    of the longer."""
    short, long = sorted((sa, sb), key=len)
    if len(short) >= SAME * len(long):
        if len(sa) * len(sb) <= CELLS:
            if Levenshtein.normalized_similarity(sa, sb, score_cutoff=SAME) >= SAME:
                return len(sa) + len(sb) - Indel.distance(sa, sb)
        else:  # too long to align whole: the bounded edit cost, at most the longer's length (Indel, not Levenshtein)
            cost = _cost(sa, sb)
            if cost <= len(long):
                return len(sa) + len(sb) - cost
    words = len(short.split()) >= WORDY
    if not words and (len(short) < PIECE or len(long) > SPREAD * len(short)):
        return None  # a few characters' 3-grams are found in any long text
    share = _share(short, long, words)
    return 2 * share * len(short) if share >= CONTAINED else None


def _cost(sa: str, sb: str) -> int:
    """The edit cost of a match: characters inserted or deleted (Indel distance). Exact within CELLS character
    pairs; for longer texts, exact while it is small enough for a narrow band (rapidfuzz's cut-off: linear in
    the length), else estimated from the shared pieces (at least what the band ruled out)."""
    if len(sa) * len(sb) <= CELLS:
        return Indel.distance(sa, sb)
    longest, cutoff, above = max(len(sa), len(sb)), 64, 0
    while cutoff * longest <= 16 * CELLS:  # the band's work grows with its width: about 0.1 s at most
        found = Indel.distance(sa, sb, score_cutoff=cutoff)
        if found <= cutoff:
            return found
        above, cutoff = cutoff + 1, cutoff * 4
    short, long = sorted((sa, sb), key=len)
    share = _share(short, long, len(short.split()) >= WORDY)
    return max(above, round(len(sa) + len(sb) - 2 * share * len(short)))


@functools.lru_cache(maxsize=1 << 10)  # a long text is the candidate of many short ones: its pieces once
def _pieces(text: str, words: bool) -> frozenset:
    """A text's word pairs (`words`) or its character 3-grams."""
    if words:
        tokens = text.split()
        return frozenset(zip(tokens, tokens[1:]))
    return frozenset(text[k:k + 3] for k in range(len(text) - 2))


def _share(short: str, long: str, words: bool) -> float:
    """The share of the shorter text's pieces (word pairs, or 3-grams) found in the longer one; linear."""
    mine = _pieces(short, words)
    if not mine:
        return float(short in long)
    return len(mine & _pieces(long, words)) / len(mine)


def _evaluated(ua: list[Unit], ub: list[Unit], pairs: set[tuple[int, int]],
               expected: list[float]) -> dict[tuple[int, int], float]:
    """Each admissible candidate pair's worth, less a tie break for the partner nearer to where the anchors put
    it."""
    edges = {}
    for i, j in pairs:
        x, y = ua[i], ub[j]
        worth = _worth(*((x.latex, y.latex) if x.latex and y.latex else (x.text, y.text)))
        if worth is not None:
            edges[(i, j)] = worth - TIE * min(abs(expected[i] - j) / len(ub), 1.0)
    return edges


def _assigned(edges: dict[tuple[int, int], float], size_a: int, size_b: int) -> list[Group]:
    """The matching of greatest worth: exact (Hungarian) in each connected group of up to WINDOW units a side,
    best first in a larger one."""
    root = list(range(size_a + size_b))  # union-find over A's units, then B's

    def find(x: int) -> int:
        while root[x] != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    for i, j in edges:
        root[find(i)] = find(size_a + j)
    parts: dict[int, list[tuple[int, int]]] = {}
    for edge in edges:
        parts.setdefault(find(edge[0]), []).append(edge)
    out: list[Group] = []
    for part in parts.values():
        rows, cols = sorted({i for i, _ in part}), sorted({j for _, j in part})
        if len(part) == 1:
            out.append(((part[0][0],), (part[0][1],)))
        elif max(len(rows), len(cols)) <= WINDOW:
            cost = [[-edges.get((i, j), 0.0) for j in cols] for i in rows]
            out += [((rows[r],), (cols[c],)) for r, c in assignment(cost) if (rows[r], cols[c]) in edges]
        else:
            taken: set[tuple[int, int]] = set()
            for i, j in sorted(part, key=lambda e: -edges[e]):
                if (0, i) not in taken and (1, j) not in taken:
                    taken |= {(0, i), (1, j)}
                    out.append(((i,), (j,)))
    return out


def _strings(ua: list[Unit], ub: list[Unit], group: Group) -> tuple[str, str]:
    """The texts a group is compared by: LaTeX when every unit has one, else the texts joined by spaces."""
    if len(group[0]) == len(group[1]) == 1:
        x, y = ua[group[0][0]], ub[group[1][0]]
        return (x.latex, y.latex) if x.latex and y.latex else (x.text, y.text)
    if all(u.latex for u in [ua[i] for i in group[0]] + [ub[j] for j in group[1]]):
        return "".join(ua[i].latex for i in group[0]), "".join(ub[j].latex for j in group[1])  # type: ignore[misc]
    return " ".join(ua[i].text for i in group[0]), " ".join(ub[j].text for j in group[1])


def _grow(groups: list[Group], ua: list[Unit], ub: list[Unit]) -> None:
    """Leftover units join the match of a neighbour (on their side, in reading order) when at least half their
    characters are found in its partner: a block split in two, or two merged into one. Every match is one
    unit against one here; one grows on one side only, a span of consecutive units."""
    spans = [[xs[0], xs[0], ys[0], ys[0]] for xs, ys in groups]  # first and last unit of A, of B
    owners = ({xs[0]: n for n, (xs, _) in enumerate(groups)}, {ys[0]: n for n, (_, ys) in enumerate(groups)})
    sizes = (len(ua), len(ub))
    todo = [(side, k) for side in (0, 1) for k in range(sizes[side]) if k not in owners[side]]
    while todo:
        side, k = todo.pop()
        if not 0 <= k < sizes[side] or k in owners[side]:
            continue
        for near in (k - 1, k + 1):
            n = owners[side].get(near)
            if n is None or spans[n][2 - 2 * side] != spans[n][3 - 2 * side]:
                continue  # one block against several, never several against several
            if _joins(ua, ub, spans[n], side, k):
                spans[n][2 * side], spans[n][2 * side + 1] = min(spans[n][2 * side], k), max(spans[n][2 * side + 1], k)
                owners[side][k] = n
                todo += [(side, k - 1), (side, k + 1)]
                break
    groups[:] = [(tuple(range(a0, a1 + 1)), tuple(range(b0, b1 + 1))) for a0, a1, b0, b1 in spans]


def _joins(ua: list[Unit], ub: list[Unit], span: list[int], side: int, k: int) -> bool:
    """Whether at least half of unit k's characters are found in the partner of the match it would join: the
    edit cost with it against without it (itself counted unmatched) while the partner is short, the share of
    its pieces found in the partner beyond EXACT characters (linear)."""
    piece = (ua, ub)[side][k].key
    partner = (ub, ua)[side][span[2 - 2 * side]].text
    if len(partner) > EXACT:
        return _share(piece, partner, len(piece.split()) >= WORDY) >= 0.5
    group = (tuple(range(span[0], span[1] + 1)), tuple(range(span[2], span[3] + 1)))
    mine = tuple(sorted(group[side] + (k,)))
    wider = (mine, group[1]) if side == 0 else (group[0], mine)
    before, after = _strings(ua, ub, group), _strings(ua, ub, wider)
    return Indel.distance(*before) + len(piece) - Indel.distance(*after) >= len(piece)
