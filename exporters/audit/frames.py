"""Finding a result's coordinate frame: when its text is not under its boxes, is it under boxes moved some way?

Candidates are tried on a sample of the result's units, and one is kept only when it clearly improves the
score: the fixed ones (y flipped, the page turned 90, 180 or 270 degrees, every page one page off) and three fitted
from anchors. An anchor is a block whose text is found, by plain substring search of its key in a PDF page's keys
(its start and end, unique on the page), on its own page or one either side: the PDF box of those words against
the block's box. From the anchors come one scale through the origin (points read as pixels, or a factor of 2),
one offset, and a scale-and-offset per axis (least squares, one pass of outlier rejection); never a search over a
grid of values.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, NamedTuple

import numpy as np

from .judge import IDENTITY, Matrix, PageOf, Unit, _judge
from .words import Box, union, words_of_span

MIN_ANCHOR = 12  # key characters a block needs to be an anchor
PROBE = 24  # characters of a key's start and end searched for
SAMPLE = 240  # units candidates are scored on
CLEAR = 0.9  # a sample scoring this well is in its frame: no candidate is tried
GAIN = 0.2  # a candidate is kept when it beats the frame as given by this much
FLOOR = 0.5  # ... and scores at least this
TIE = 0.02  # candidates within this of the best: the simplest wins
DPIS = (96, 150, 200, 300)  # pixels per inch a pt/px mix-up is named by


class Candidate(NamedTuple):
    frame: str  # its name when it is kept
    matrix: Matrix
    offset: int  # added to the result's page numbers
    text: str  # what it does, in words


class Anchor(NamedTuple):
    offset: int
    doc: Box
    pdf: Box


FIXED = (Candidate("y-flipped", (1.0, 0.0, 0.0, -1.0, 0.0, 1.0), 0, "y -> page height - y"),
         Candidate("rotated", (0.0, 1.0, -1.0, 0.0, 0.0, 1.0), 0, "turned 90 degrees counter-clockwise"),
         Candidate("rotated", (-1.0, 0.0, 0.0, -1.0, 1.0, 1.0), 0, "turned 180 degrees"),
         Candidate("rotated", (0.0, -1.0, 1.0, 0.0, 1.0, 0.0), 0, "turned 90 degrees clockwise"))


def _sample(units: list[Unit]) -> list[Unit]:
    """Up to SAMPLE units spread evenly over the result (very short texts left out: a page number says little)."""
    usable = [u for u in units if len(u.key) >= 4] or units
    step = max(1, len(usable) // SAMPLE)
    return usable[::step][:SAMPLE]


def _weighed(units: list[Unit], page_of: PageOf, m: Matrix, offset: int) -> tuple[float | None, float]:
    """(score, characters scored) of the units under a transform."""
    got = total = 0.0
    for unit in units:
        judged = _judge(unit, page_of, m, offset)
        if judged.similarity is not None:
            got += judged.similarity * len(unit.key)
            total += len(unit.key)
    return (got / total if total else None), total


def _find(key: str, string: str) -> tuple[int, int] | None:
    """Where `key` is in a page's keys: its start found once only, its end after it, the span about its length."""
    head, tail = key[:PROBE], key[-PROBE:]
    start = string.find(head)
    if start < 0 or string.find(head, start + 1) >= 0:
        return None
    at = string.find(tail, start + max(len(key) - PROBE, 0) // 2)
    if at < 0:
        return None
    end = at + len(tail)
    return (start, end) if 0.5 * len(key) <= end - start <= 1.5 * len(key) + PROBE else None


def _anchors(units: list[Unit], page_of: PageOf) -> list[Anchor]:
    """The units whose text is found on exactly one of their page and the pages either side."""
    found: list[Anchor] = []
    for unit in units:
        if unit.cell >= 0 or unit.bag or len(unit.key) < MIN_ANCHOR:
            continue
        hits = []
        for offset in (0, -1, 1):
            page = page_of(unit.page - 1 + offset)
            span = None if isinstance(page, str) or not page.words else _find(unit.key, page.string)
            if span is not None:
                hits.append(Anchor(offset, unit.box, union(page, words_of_span(page, *span))))  # type: ignore
        if len(hits) == 1:
            found.append(hits[0])
    return found


def _line(x: np.ndarray, y: np.ndarray) -> tuple[float, float] | None:
    """y = a x + e by least squares, refitted once without the points far off the first line."""
    if len(x) < 3 or np.ptp(x) < 0.05:
        return None
    a, e = np.polyfit(x, y, 1)
    off = np.abs(y - (a * x + e))
    keep = off <= max(3 * float(np.median(off)), 0.005)
    if 3 <= keep.sum() < len(x) and np.ptp(x[keep]) >= 0.05:
        a, e = np.polyfit(x[keep], y[keep], 1)
    return float(a), float(e)


def _scale_words(k: float) -> str:
    """The fault a scale `k` (result / page) looks like."""
    said = f"the boxes were {k:.3f} times too large" if k > 1 else f"the boxes were {1 / k:.3f} times too small"
    for dpi in DPIS:
        if abs(k / (dpi / 72) - 1) < 0.02:
            return said + f" (pixels at {dpi} dpi given as points)"
        if abs(k * (dpi / 72) - 1) < 0.02:
            return said + f" (points given as pixels at {dpi} dpi)"
    return said


def _densest(values: np.ndarray, tol: float) -> float | None:
    """The middle of the tightest cluster of `values` (the most within `2 tol` of each other): a box wider than
    its text (a heading's box across the column) gives one corner far off, and a median would lean towards it.
    Sorted once, each window found by bisection: n log n."""
    v = np.sort(values[np.isfinite(values)])
    if not len(v):
        return None
    ends = np.searchsorted(v, v + 2 * tol, side="right")
    i = int(np.argmax(ends - np.arange(len(v))))
    return float(np.median(v[i:ends[i]]))


def _fitted(found: list[Anchor], offset: int) -> list[Candidate]:
    """The scale, the offset and the per-axis scale-and-offset the anchors on this page offset agree on, each
    from every anchor's corners (its box against the box of its words on the PDF page)."""
    mine = [a for a in found if a.offset == offset]
    if len(mine) < 2:
        return []
    d, p = np.array([a.doc for a in mine]), np.array([a.pdf for a in mine])
    out = []
    far = p > 0.02  # a corner near the origin says nothing of a scale
    k = _densest(np.log(d[far] / p[far]) if far.any() else np.zeros(0), 0.005)
    if k is not None and abs(k) > 0.01:
        k = float(np.exp(k))
        out.append(Candidate("scaled", (1 / k, 0.0, 0.0, 1 / k, 0.0, 0.0), offset, f"x {1 / k:.4f}: " + _scale_words(k)))
    tu, tv = _densest((p - d)[:, (0, 2)].ravel(), 0.002), _densest((p - d)[:, (1, 3)].ravel(), 0.002)
    if tu is not None and tv is not None and max(abs(tu), abs(tv)) > 0.002:
        out.append(Candidate("shifted", (1.0, 0.0, 0.0, 1.0, tu, tv), offset,
                             f"x {tu:+.4f}, y {tv:+.4f} of the page's width and height"))
    dc, pc = (d[:, :2] + d[:, 2:]) / 2, (p[:, :2] + p[:, 2:]) / 2
    fx, fy = _line(d[:, 0], p[:, 0]), _line(dc[:, 1], pc[:, 1])
    if fx and fy:
        (a, e), (b, f) = fx, fy
        name = "y-flipped" if b < 0 else "scaled" if max(abs(a - 1), abs(b - 1)) > 0.03 else "shifted"
        out.append(Candidate(name, (a, 0.0, 0.0, b, e, f), offset,
                             f"x -> {a:.4f} x {e:+.4f}, y -> {b:.4f} y {f:+.4f} (fractions of the page)"))
    return out


def _candidates(found: list[Anchor]) -> list[Candidate]:
    """Every candidate worth scoring, simplest first."""
    out = [Candidate("wrong-pages", IDENTITY, o, f"page n -> page n {o:+d}") for o in (-1, 1)]
    offsets = Counter(a.offset for a in found)
    usual = max(offsets, key=lambda o: (offsets[o], o == 0)) if offsets else 0
    for offset in dict.fromkeys((0, usual)):
        out += [c._replace(offset=offset, text=c.text + (f", page n -> page n {offset:+d}" if offset else ""))
                for c in FIXED]
        out += _fitted(found, offset)
    return out


def _choose(units: list[Unit], page_of: PageOf, before: Callable[[], None] = lambda: None
           ) -> tuple[Candidate | None, list[str]]:
    """The candidate that clearly repairs the frame, or None when the frame as given is as good as any; and notes
    on what was tried. `before` is called once candidates are to be tried (to read the pages either side at
    once)."""
    some = _sample(units)
    base, weight = _weighed(some, page_of, IDENTITY, 0)
    if base is not None and base >= CLEAR:
        return None, []
    if base is None and not any(page_of(u.page - 1) == "no such page" for u in some):
        return None, []  # no text layer, or no page read: nothing to move boxes over
    base = base or 0.0  # None: the result's pages are past the PDF's (they may be one page off)
    before()
    found = _anchors(some, page_of)
    tried = [(_weighed(some, page_of, c.matrix, c.offset), c) for c in _candidates(found)]
    tried = [(s, c) for (s, w), c in tried if s is not None and w >= 0.5 * weight and w > 0]
    notes = [f"frame: {len(found)} anchor(s) found by text search; the frame as given scores {base:.3f} on "
             f"{len(some)} sampled block(s)"]
    if not tried:
        return None, notes
    best = max(s for s, _ in tried)
    pick_score, pick = next(((s, c) for s, c in tried if s >= best - TIE), tried[0])  # the best always qualifies
    notes.append(f"frame: best candidate {pick.frame} ({pick.text}) scores {pick_score:.3f}")
    if pick_score >= base + GAIN and pick_score >= FLOOR:
        return pick, notes
    return None, notes
