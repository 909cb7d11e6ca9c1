"""TEDS: tree-edit-distance similarity of two tables (PubTabNet, OmniDocBench), with the aligned cell grid.

A table is the tree table -> tr -> td, as in its HTML. Inserting or deleting a node costs
1; renaming costs 1 between different tags or spans, and for two cells the normalised edit distance of their
text. TEDS = 1 - distance / max(nodes of a, nodes of b).

The distance is computed level by level: rows align with rows, cells with cells, each level an
edit-distance alignment whose substitution cost is the distance between the two subtrees. That is the
tree edit distance restricted to mappings that keep cells inside mapped rows: equal to the general one for
the edits tables get (cells changed, added or removed; rows added or removed), never below it otherwise
(dissolving a row to regroup its cells elsewhere is not considered, so such tables score lower, not higher).
`tests/test_diff.py` checks both claims against a general Zhang-Shasha implementation. Row alignment is banded around the diagonal and widened until the band provably holds the
optimum, so two similar 40x12 tables cost a few milliseconds.
"""

from __future__ import annotations

from typing import NamedTuple

from rapidfuzz.distance import Levenshtein

from normalizer.schema import Cell, Table



class Node(NamedTuple):
    tag: str  # table, thead, tbody, tr, td
    text: str
    spans: tuple[int, int]
    children: tuple["Node", ...]
    size: int  # nodes in this subtree
    cell: Cell | None
    key: tuple  # the subtree's content (equal keys: distance 0), independent of where the cells sit


def tree(table: Table) -> Node:
    """table -> tr -> td. Header marking is left out: providers disagree on it far more than on the table
    (Baidu marks none), and a thead/tbody split would charge every row for it."""
    rows: list[list[Cell]] = [[] for _ in range(table.n_rows)]
    for cell in table.cells:
        rows[cell.row].append(cell)
    trs = tuple(_node("tr", "", (1, 1), tuple(_node("td", c.text, (c.row_span, c.col_span), (), c)
                                              for c in sorted(row, key=lambda c: c.col))) for row in rows)
    return _node("table", "", (1, 1), trs)


def _node(tag: str, text: str, spans: tuple[int, int], children: tuple[Node, ...], cell: Cell | None = None) -> Node:
    return Node(tag, text, spans, children, 1 + sum(c.size for c in children), cell,
                (tag, text, spans, tuple(c.key for c in children)))


def rename(a: Node, b: Node) -> float:
    if a.tag != b.tag or a.spans != b.spans:
        return 1.0
    if a.tag == "td":
        return Levenshtein.normalized_distance(a.text, b.text)
    return 0.0


class Step(NamedTuple):
    op: str  # equal | replace | insert | delete
    a: Node | None
    b: Node | None
    cost: float


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
        return _dp(xs, ys, m + n)  # cells: rows are short, no band needed
    cheapest = min(min(x.size for x in xs), min(y.size for y in ys))
    band = abs(m - n) + 2
    while True:
        cost, steps = _dp(xs, ys, band)
        # a path leaving the band uses at least 2 * (band + 1) - |m - n| insertions and deletions
        if band >= m + n or cost <= (2 * (band + 1) - abs(m - n)) * cheapest:
            return cost, steps
        band *= 2


def _dp(xs: tuple[Node, ...], ys: tuple[Node, ...], band: int) -> tuple[float, list[tuple[Step, list]]]:
    m, n = len(xs), len(ys)
    inf = float("inf")
    D = [[inf] * (n + 1) for _ in range(m + 1)]
    sub: dict[tuple[int, int], tuple[float, list]] = {}
    D[0][0] = 0.0
    for j in range(1, min(n, band) + 1):
        D[0][j] = D[0][j - 1] + ys[j - 1].size
    for i in range(1, m + 1):
        x = xs[i - 1]
        lo, hi = max(1, i - band), min(n, i + band)
        row, prev = D[i], D[i - 1]
        if i <= band:
            row[0] = prev[0] + x.size
        for j in range(lo, hi + 1):
            y = ys[j - 1]
            best = prev[j] + x.size
            if row[j - 1] + y.size < best:
                best = row[j - 1] + y.size
            if prev[j - 1] < best:  # a substitution can only help when it starts below the current best
                pair = sub[(i, j)] = _pair(x, y)
                if prev[j - 1] + pair[0] < best:
                    best = prev[j - 1] + pair[0]
            row[j] = best
    steps: list[tuple[Step, list]] = []
    i, j = m, n
    while i or j:
        if i and j and (i, j) in sub and D[i][j] == D[i - 1][j - 1] + sub[(i, j)][0]:
            cost, children = sub[(i, j)]
            steps.append((Step("equal" if cost == 0 else "replace", xs[i - 1], ys[j - 1], cost), children))
            i, j = i - 1, j - 1
        elif i and D[i][j] == D[i - 1][j] + xs[i - 1].size:
            steps.append((Step("delete", xs[i - 1], None, xs[i - 1].size), []))
            i -= 1
        else:
            steps.append((Step("insert", None, ys[j - 1], ys[j - 1].size), []))
            j -= 1
    steps.reverse()
    return D[m][n], steps


def _pair(x: Node, y: Node) -> tuple[float, list]:
    if x.tag == "td" or not x.children and not y.children:
        return rename(x, y), []
    if x.key == y.key:
        return 0.0, [(Step("equal", cx, cy, 0.0), []) for cx, cy in zip(x.children, y.children)]
    return distance(x, y)


def teds(a: Table, b: Table) -> float:
    ta, tb = tree(a), tree(b)
    d, _ = distance(ta, tb)
    return 1.0 - d / max(ta.size, tb.size)


def cell_diff(a: Table, b: Table) -> tuple[float, list[dict]]:
    """TEDS and the cell-by-cell differences over the aligned grid (equal cells left out)."""
    ta, tb = tree(a), tree(b)
    d, steps = distance(ta, tb)
    out: list[dict] = []
    _walk(steps, out)
    return 1.0 - d / max(ta.size, tb.size), out


def _walk(steps: list[tuple[Step, list]], out: list[dict]) -> None:
    for step, children in steps:
        node = step.a or step.b
        if node is None:
            continue
        if node.tag == "td":
            if step.op != "equal":
                out.append(_cell_entry(step))
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


def _cell_entry(step: Step) -> dict:
    a, b = step.a.cell if step.a else None, step.b.cell if step.b else None
    return {"op": step.op, "a": [a.row, a.col] if a else None, "b": [b.row, b.col] if b else None,
            "text_a": a.text if a else None, "text_b": b.text if b else None, "cost": round(step.cost, 4)}
