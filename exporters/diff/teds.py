"""TEDS: tree-edit-distance similarity of two tables (PubTabNet, OmniDocBench), with the aligned cell grid.

A table is the tree table -> tr -> td, as in its HTML. Inserting or deleting a node costs
1; renaming costs 1 between different tags or spans, and for two cells the normalised edit distance of their
text. TEDS = 1 - distance / max(nodes of a, nodes of b).

The distance is computed level by level: rows align with rows, cells with cells, each level an
edit-distance alignment whose substitution cost is the distance between the two subtrees. A row may also
align as a group with two or three adjacent rows of the other table, their cells pooled: the row nodes
are inserted and deleted and the cells are kept, which is how the general distance charges a provider that
merges or splits rows (the commonest table error). That is the tree edit distance restricted to such
mappings: equal to the general one for the edits tables get (a cell changed, added or removed; a row
added, removed, merged with its neighbours or split), never below it otherwise (other regroupings are not
considered, so such tables score lower, not higher). `tests/test_diff.py` checks both claims against a
general Zhang-Shasha implementation. Row alignment is banded around the diagonal and widened until the
band provably holds the optimum, so two similar 40x12 tables cost a few milliseconds.

Time and memory are both bounded: the exact alignment stops after BUDGET cell comparisons and stores at most
DP_CELLS cells of any matrix (only its band, as doubles); past either, the bounded alignment takes over,
within DP_CELLS too, and the score is marked approximate. Two 20,000-row tables cost tens of megabytes.
"""

from __future__ import annotations

from array import array
from contextvars import ContextVar
from typing import Callable, NamedTuple

from rapidfuzz.distance import Levenshtein

from normalizer.schema import Table

from .result import CellDiff
from .teds_band import (_INF, DP_CELLS, Band, _cell_limit, _diagonal, _Grid, _infinite,  # noqa: F401  (DP_CELLS)
                        _reach, _stretched)
from .teds_tree import Node, Step, tree  # noqa: F401  (tree: TEDS's public view of a table)


def rename(a: Node, b: Node) -> float:
    if a.tag != b.tag or a.spans != b.spans:
        return 1.0
    if a.tag == "td":
        return Levenshtein.normalized_distance(a.text, b.text)
    return 0.0


def distance(a: Node, b: Node) -> tuple[float, list[tuple[Step, list]]]:
    """(tree edit distance, alignment): the alignment is a list of (step, child alignment) pairs."""
    cost, children = _align(a.children, b.children)
    return rename(a, b) + cost, children


def _align(xs: tuple[Node, ...], ys: tuple[Node, ...]) -> tuple[float, list[tuple[Step, list]]]:
    m, n = len(xs), len(ys)
    if m == 0 or n == 0:
        steps = [(Step("delete", x, None, x.size), []) for x in xs] + [(Step("insert", None, y, y.size), [])
                                                                        for y in ys]
        return float(sum(x.size for x in xs) + sum(y.size for y in ys)), steps
    if xs[0].tag == "td":
        _charge(m * n + _SETUP)
        return _dp(xs, ys, _band(m, n, m + n), {})  # cells: rows are short, no band needed
    memo: dict[tuple[int, int], tuple[float, list]] = {}  # row pairs, aligned once for every pass
    cheapest = min(min(x.size for x in xs), min(y.size for y in ys))
    band = abs(m - n) + 2
    while True:  # rows against rows
        cost, steps = _dp(xs, ys, _band(m, n, band), memo)
        # a path leaving the band goes at least 2 * (band + 1) - |m - n| steps off the diagonal, each a row
        if band >= m + n or cost <= (2 * (band + 1) - abs(m - n)) * cheapest:
            break
        band *= 2
    if cost <= _LEAST_GROUP:  # no path through a group can cost less
        return cost, steps
    # then groups, where one can beat that: a group of k rows against one is k + 1 for k - 1 steps off
    # the diagonal, so the band that must hold the optimum is known from the row-by-row cost
    step = min(cheapest, 2)
    band = min(max(band, int((cost / step + abs(m - n)) / 2) + 1), m + n)
    return _dp(xs, ys, _band(m, n, band), memo, bound=cost)


GROUPS = ((2, 1), (3, 1), (1, 2), (1, 3))  # rows of a against rows of b aligned as one group
_LEAST_GROUP = min(ka + kb for ka, kb in GROUPS)  # the row nodes a group inserts and deletes


_approximate: ContextVar[bool] = ContextVar("teds_approximate", default=False)


def _band(m: int, n: int, band: int) -> Band:
    """The diagonal band when it fits the cell limit; else, in the bounded alignment, the widest stretched band
    that fits, and in the exact one an _OverBudget (the bounded alignment takes over)."""
    limit = _cell_limit(m, n)
    if (m + 1) * (min(n + 1, 2 * band + 1) + 2) <= limit:  # what the band stores at most
        return _diagonal(m, n, band)
    if not _approximate.get():
        raise _OverBudget
    return _stretched(m, n, limit)


def _dp(xs: tuple[Node, ...], ys: tuple[Node, ...], band: Band, sub: dict[tuple[int, int], tuple[float, list]],
        bound: float | None = None) -> tuple[float, list[tuple[Step, list]]]:
    """Edit-distance alignment within `band`; with a `bound` (a cost already reached) also row groups that can
    beat it."""
    m, n = len(xs), len(ys)
    D = _Grid(band)
    at = D.get
    lows, highs = band.lo, band.hi
    grouped: dict[tuple[int, int, int, int], tuple[float, list]] = {}
    if bound is not None:  # a group costs at least its row nodes and its cell-count difference, and the
        before_a, before_b = [0], [0]  # rest of the path at least the remaining cell-count difference
        for x in xs:
            before_a.append(before_a[-1] + len(x.children))
        for y in ys:
            before_b.append(before_b[-1] + len(y.children))
        rest = before_a[-1] - before_b[-1]
    inf = _INF
    prev = [inf] * (_reach(band, 0) + 3)  # row 0 starts at column 0
    prev[1] = 0.0
    for j in range(1, highs[0] + 1):
        prev[j + 1] = prev[j] + ys[j - 1].size
    D.store(prev)
    for i in range(1, m + 1):
        x = xs[i - 1]
        lo, hi = lows[i], highs[i]
        po, ro = 1 - lows[i - 1], 1 - lo  # column j of the previous row is prev[j + po], of this row row[j + ro]
        row = [inf] * (_reach(band, i) - lo + 3)
        if lo == 0:
            row[1] = prev[po] + x.size
        for j in range(max(1, lo), hi + 1):
            y = ys[j - 1]
            best = prev[j + po] + x.size
            if row[j - 1 + ro] + y.size < best:
                best = row[j - 1 + ro] + y.size
            diagonal = prev[j - 1 + po]
            if bound is not None:
                least = abs(rest - before_a[i] + before_b[j])
            # a substitution can only help when it starts below the current best (and, in the pass for
            # groups, when it can end below the bound)
            if diagonal < best and ((i, j) in sub or bound is None or diagonal + least + abs(
                    len(x.children) - len(y.children)) <= bound + 1e-9):
                pair = sub.get((i, j)) or sub.setdefault((i, j), _pair(x, y))
                if diagonal + pair[0] < best:
                    best = diagonal + pair[0]
            if bound is not None:
                for ka, kb in GROUPS:
                    if ka <= i and kb <= j and at(i - ka, j - kb) + ka + kb + least + abs(
                            before_a[i] - before_a[i - ka] - before_b[j] + before_b[j - kb]) < min(best, bound):
                        g = grouped[(i, j, ka, kb)] = _group(xs[i - ka:i], ys[j - kb:j])
                        if at(i - ka, j - kb) + g[0] < best:
                            best = at(i - ka, j - kb) + g[0]
            row[j + ro] = best
        D.store(row)
        prev = row
    return at(m, n), _trace(xs, ys, at, sub, grouped)


def _trace(xs: tuple[Node, ...], ys: tuple[Node, ...], at: Callable[[int, int], float],
           sub: dict[tuple[int, int], tuple[float, list]],
           grouped: dict[tuple[int, int, int, int], tuple[float, list]]) -> list[tuple[Step, list]]:
    """The steps of the alignment `_dp` filled in (`at(i, j)` its cost), walked back from the end."""
    m, n = len(xs), len(ys)
    steps: list[tuple[Step, list]] = []
    i, j = m, n
    while i or j:
        here = at(i, j)
        if i and j and (i, j) in sub and here == at(i - 1, j - 1) + sub[(i, j)][0]:
            cost, children = sub[(i, j)]
            steps.append((Step("equal" if cost == 0 else "replace", xs[i - 1], ys[j - 1], cost), children))
            i, j = i - 1, j - 1
        elif group := next((k for k in GROUPS if (i, j, *k) in grouped and
                            here == at(i - k[0], j - k[1]) + grouped[(i, j, *k)][0]), None):
            _, children = grouped[(i, j, *group)]
            steps.append((Step("regroup", xs[i - group[0]], ys[j - group[1]], float(sum(group))), children))
            i, j = i - group[0], j - group[1]
        elif i and here == at(i - 1, j) + xs[i - 1].size:
            steps.append((Step("delete", xs[i - 1], None, xs[i - 1].size), []))
            i -= 1
        else:
            steps.append((Step("insert", None, ys[j - 1], ys[j - 1].size), []))
            j -= 1
    steps.reverse()
    return steps


def _group(xs: tuple[Node, ...], ys: tuple[Node, ...]) -> tuple[float, list]:
    """Every row node of both groups inserted or deleted, their cells aligned as one sequence."""
    cells_a = tuple(c for x in xs for c in x.children)
    cells_b = tuple(c for y in ys for c in y.children)
    cost, steps = _align(cells_a, cells_b)
    return len(xs) + len(ys) + cost, steps


def _pair(x: Node, y: Node) -> tuple[float, list]:
    if x.tag == "td" or not x.children and not y.children:
        return rename(x, y), []
    if x.key == y.key:
        return 0.0, [(Step("equal", cx, cy, 0.0), []) for cx, cy in zip(x.children, y.children)]
    return distance(x, y)


# Cell comparisons the exact alignment may make before the bounded one takes over: about half a second, so a
# pair of 300 x 30 tables scores within a second whatever their rows look like.
BUDGET = 250_000
_SETUP = 8  # what setting up one cell alignment costs, in cell comparisons: 62,500 alignments of 2 x 2 cells
#             took 8 s when only their 4 comparisons each were charged


class _OverBudget(Exception):
    pass


_remaining: ContextVar[float] = ContextVar("teds_budget", default=float("inf"))


def _charge(comparisons: int) -> None:
    left = _remaining.get() - comparisons
    if left < 0:
        raise _OverBudget
    _remaining.set(left)


class TableDiff(NamedTuple):
    teds: float
    cells: list[CellDiff]        # the cell-by-cell differences over the aligned grid (equal cells left out)
    approximate: bool        # the bounded alignment was used: the score is a lower bound of the exact TEDS


def table_diff(a: Table, b: Table, budget: float = BUDGET, structure: bool = False) -> TableDiff:
    """TEDS with its cell differences (`structure`: TEDS-S, cell text ignored). Exact while the alignment stays
    within `budget` cell comparisons (the common edits: cells changed, rows added, removed, merged or split);
    past it, rows are aligned by their joined text and only the aligned pairs are compared exactly: a valid
    edit script, so an upper bound of the distance and a lower bound of TEDS, marked approximate."""
    ta, tb = tree(a, structure), tree(b, structure)
    if ta.key == tb.key:
        return TableDiff(1.0, [], False)
    token = _remaining.set(budget)
    try:
        if _first_pass_cost(ta, tb) > budget:  # past the budget at the first pass already: bounded at once
            raise _OverBudget
        d, steps = distance(ta, tb)
        approximate = False
    except _OverBudget:
        _remaining.set(float("inf"))
        d, steps = _bounded(ta, tb)
        approximate = True
    finally:
        _remaining.reset(token)
    out: list[CellDiff] = []
    _walk(steps, out)
    # at least 0: the general distance is at most the larger tree, but rows aligned only one to one or in
    # groups of up to three can cost more (54 one-cell rows against 21 three-cell rows scored -0.18)
    return TableDiff(max(0.0, 1.0 - d / max(ta.size, tb.size)), out, approximate)


def _first_pass_cost(a: Node, b: Node) -> float:
    """About the cell comparisons of the first banded pass: a row equal to one within the band of the other
    is paired at no cost (and steers the path), so only the other rows are charged, each against the band.
    The rows of b within the band are kept as a sliding count of their keys, so this costs O(m + n) however
    wide the band (100,000 rows against 10 made it a band of 100,000 scanned for every row)."""
    xs, ys = a.children, b.children
    band = abs(len(xs) - len(ys)) + 2
    keys = [hash(y.key) for y in ys]
    window: dict[int, int] = {}
    lo, hi, changed = 0, 0, 0  # window holds keys[lo:hi]
    for i, x in enumerate(xs):
        while hi < min(len(keys), i + band + 1):
            window[keys[hi]] = window.get(keys[hi], 0) + 1
            hi += 1
        while lo < min(i - band, hi):
            left = window.pop(keys[lo]) - 1
            if left:
                window[keys[lo]] = left
            lo += 1
        changed += hash(x.key) not in window
    return changed * (2 * band + 1) * (a.size / max(len(xs), 1)) * (b.size / max(len(ys), 1))


def _bounded(a: Node, b: Node) -> tuple[float, list[tuple[Step, list]]]:
    """Rows aligned by an edit-distance pass whose substitution cost is estimated from the rows' joined texts
    (one C call per block of rows); the exact subtree distance is then computed for the aligned pairs only.
    The pass covers every row pair while that fits DP_CELLS, else a band around the diagonal that does."""
    xs, ys = a.children, b.children
    m, n = len(xs), len(ys)
    token = _approximate.set(True)  # cell alignments of the pairs narrow their band too, never raise
    try:
        band = _band(m, n, m + n)
        estimate, D = _estimates(xs, ys, band), _Grid(band)
        _forward(xs, ys, band, estimate, D)
        total, steps = _backward(xs, ys, estimate, D)
        return rename(a, b) + total, steps
    finally:
        _approximate.reset(token)


_BLOCK = 1 << 18  # row pairs whose estimates are computed in one call (a few megabytes)


def _estimates(xs: tuple[Node, ...], ys: tuple[Node, ...], band: Band) -> _Grid:
    """Each row pair's estimated distance inside the band, its texts' normalised distance times the larger
    row's size (0 for equal rows), stored like the DP matrix: row i of the grid holds row i of a against the
    rows of b in its window (1-based, as the DP numbers them). Rows go to cdist in blocks of about _BLOCK
    pairs (a steep band's rows are wide, so a block may be one row)."""
    import numpy as np
    from rapidfuzz.process import cdist  # many pairs' text distances in one C++ call (numpy-backed)

    text_a = ["\t".join(c.text for c in x.children) for x in xs]
    text_b = ["\t".join(c.text for c in y.children) for y in ys]
    size_a = np.array([x.size for x in xs], dtype=np.int64)
    size_b = np.array([y.size for y in ys], dtype=np.int64)
    out = _Grid(band)
    out.rows.append(array("d"))
    start, m = 1, len(xs)
    while start <= m:
        first, stop = max(1, band.lo[start]), start + 1
        while stop <= m and (stop + 1 - start) * (band.hi[stop] - first + 1) <= _BLOCK:
            stop += 1
        last = band.hi[stop - 1]
        near = cdist(text_a[start - 1:stop - 1], text_b[first - 1:last], scorer=Levenshtein.normalized_distance,
                     workers=-1) * np.maximum(size_a[start - 1:stop - 1, None], size_b[None, first - 1:last])
        for i in range(start, stop):
            lo, hi = band.lo[i], band.hi[i]
            begin = max(1, lo)
            row = _infinite(1 + begin - lo)
            row.frombytes(near[i - start, begin - first:hi - first + 1].astype(np.float64).tobytes())
            row.append(_INF)
            out.rows.append(row)
        start = stop
    return out


def _forward(xs: tuple[Node, ...], ys: tuple[Node, ...], band: Band, estimate: _Grid, D: _Grid) -> None:
    """The DP over the band: a pair at its estimate, a row deleted or inserted at its size. The loop runs over
    a row's own index k (column lo + k - 1), small numbers that cost no allocation, whatever the column."""
    size_b = [y.size for y in ys]
    prev = [_INF] * (_reach(band, 0) + 3)
    prev[1] = 0.0
    for j in range(1, band.hi[0] + 1):
        prev[j + 1] = prev[j] + size_b[j - 1]
    D.store(prev)
    for i in range(1, len(xs) + 1):
        x_size, costs = xs[i - 1].size, estimate.rows[i]
        lo, hi = band.lo[i], band.hi[i]
        shift = lo - band.lo[i - 1]  # row k is previous row k + shift
        row = [_INF] * (_reach(band, i) - lo + 3)
        if lo == 0:
            row[1] = prev[1 + shift] + x_size
        begin = max(1, lo)
        for k, y_size in zip(range(begin - lo + 1, hi - lo + 2), size_b[begin - 1:hi]):
            best = prev[k + shift - 1] + costs[k]
            if prev[k + shift] + x_size < best:
                best = prev[k + shift] + x_size
            if row[k - 1] + y_size < best:
                best = row[k - 1] + y_size
            row[k] = best
        D.store(row)
        prev = row


def _backward(xs: tuple[Node, ...], ys: tuple[Node, ...], estimate: _Grid, D: _Grid) -> tuple[float, list]:
    """The path the DP chose, each aligned pair of rows compared exactly: (its distance, its steps)."""
    at = D.get
    steps: list[tuple[Step, list]] = []
    total = 0.0
    i, j = len(xs), len(ys)
    while i or j:
        here = at(i, j)
        if i and j and here == at(i - 1, j - 1) + estimate.get(i, j):
            cost, children = _paired_rows(xs[i - 1], ys[j - 1])
            steps.append((Step("equal" if cost == 0 else "replace", xs[i - 1], ys[j - 1], cost), children))
            total += cost
            i, j = i - 1, j - 1
        elif i and here == at(i - 1, j) + xs[i - 1].size:
            steps.append((Step("delete", xs[i - 1], None, xs[i - 1].size), []))
            total += xs[i - 1].size
            i -= 1
        else:
            steps.append((Step("insert", None, ys[j - 1], ys[j - 1].size), []))
            total += ys[j - 1].size
            j -= 1
    steps.reverse()
    return total, steps


def _paired_rows(x: Node, y: Node) -> tuple[float, list]:
    """Two aligned rows: cell by cell in place when they have as many cells (a valid script, exact unless cells
    shifted within the row), else the exact cell alignment."""
    if x.key == y.key or len(x.children) != len(y.children):
        return _pair(x, y)
    steps = []
    total = rename(x, y)
    for cx, cy in zip(x.children, y.children):
        cost = rename(cx, cy)
        total += cost
        steps.append((Step("equal" if cost == 0 else "replace", cx, cy, cost), []))
    return total, steps


def teds(a: Table, b: Table) -> float:
    """TEDS of two tables (see `table_diff`)."""
    return table_diff(a, b).teds


def cell_diff(a: Table, b: Table) -> tuple[float, list[CellDiff]]:
    """TEDS and the cell-by-cell differences over the aligned grid (equal cells left out)."""
    result = table_diff(a, b)
    return result.teds, result.cells


def _walk(steps: list[tuple[Step, list]], out: list[CellDiff]) -> None:
    for step, children in steps:
        node = step.a or step.b
        if node is None:
            continue
        if node.tag == "td":
            if step.op != "equal":
                out.append(_cell_entry(step))
        elif step.op == "regroup":  # the rows themselves, then the cells they pool
            out.append(_regroup_entry(step, children))
            _walk(children, out)
        elif step.op in ("insert", "delete"):
            for row in _rows(node):
                for cell in row.children:
                    out.append(_cell_entry(Step(step.op, cell if step.a else None, None if step.a else cell, 1.0)))
        else:
            _walk(children, out)


def _rows(node: Node) -> list[Node]:
    if node.tag == "tr":
        return [node]
    return [r for child in node.children for r in _rows(child)]


def _regroup_entry(step: Step, children: list[tuple[Step, list]]) -> CellDiff:
    """Rows of a merged into fewer rows of b, or split into more: `a` and `b` list the row numbers."""
    rows_a = sorted({s.a.cell.row for s, _ in children if s.a is not None and s.a.cell is not None})
    rows_b = sorted({s.b.cell.row for s, _ in children if s.b is not None and s.b.cell is not None})
    return CellDiff(op="regroup", a=rows_a, b=rows_b, cost=round(step.cost, 4))


def _cell_entry(step: Step) -> CellDiff:
    a, b = step.a.cell if step.a else None, step.b.cell if step.b else None
    return CellDiff(op=step.op, a=[a.row, a.col] if a else None, b=[b.row, b.col] if b else None,  # type: ignore[arg-type]
                    text_a=a.text if a else None, text_b=b.text if b else None, cost=round(step.cost, 4))
