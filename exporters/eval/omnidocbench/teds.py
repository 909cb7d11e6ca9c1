"""TEDS exactly as OmniDocBench computes it (`metrics/table_metric.py`), without APTED.

TEDS = 1 - (tree edit distance) / (elements under the larger table). The tree edit distance is the least cost
of deleting and inserting nodes (1 each) and renaming them (1 between different tags or spans; between two
cells, the edit distance of their content tokens over the longer's length). Any exact algorithm gives the
same distance; this is Zhang and Shasha's, arranged for tables, which are wide and shallow:

- where one of the two subtrees is a single node the distance has a closed form (the subtree's size less one,
  plus the cheapest rename of that node into it), computed for all such pairs at once with numpy;
- the forest distances of the other keyroot pairs run row by row, a whole row at once for large pairs (the
  insertions along a row are a running minimum), in plain Python for small ones.

Cost is bounded: a pair of tables whose node counts multiply past `MAX_PAIRS` is not aligned (`TooLarge`).
"""

from __future__ import annotations

import numpy as np

from .html import Tree, table_tree

MAX_PAIRS = 9_000_000   # node pairs (about 3000 x 3000 nodes: minutes for OmniDocBench's APTED)
_WIDE = 48              # a forest table this wide (or wider) on its longer side runs a row at a time in numpy


class TooLarge(Exception):
    """Two tables too large to align exactly within the budget."""


def teds(pred: str, truth: str, structure_only: bool = False) -> float:
    """OmniDocBench's TEDS of two normalised tables (`normalized_html_table`); 0 where it fails.

    Why: the table score of OmniDocBench, identical, many times faster than APTED.

    Example:
        >>> a = '<html><body><table border="1" ><tr><td>1</td><td>2</td></tr></table></body></html>'
        >>> b = '<html><body><table border="1" ><tr><td>1</td><td>3</td></tr></table></body></html>'
        >>> teds(a, b), teds(a, b, structure_only=True)
        (0.6666666666666667, 1.0)
    """
    if not pred or not truth:
        return 0.0
    try:   # OmniDocBench scores 0 whatever goes wrong (a bare except)
        a, b = table_tree(pred, structure_only), table_tree(truth, structure_only)
        if a is None or b is None:
            return 0.0
        return 1.0 - distance(a, b) / max(a.elements, b.elements)
    except TooLarge:
        raise
    except Exception:
        return 0.0


def distance(a: Tree, b: Tree) -> float:
    """The tree edit distance of two table trees (delete and insert cost 1, rename as TEDS).

    Example:
        >>> from .html import Tree
        >>> leaf = ("td", 1, 1, ("x",))
        >>> distance(Tree([leaf, ("tr", None, None, None)], [0, 0], 2), Tree([leaf], [0], 1))
        1.0
    """
    n1, n2 = len(a.labels), len(b.labels)
    if a.labels == b.labels and a.leftmost == b.leftmost:
        return 0.0
    if n1 * n2 > MAX_PAIRS:
        raise TooLarge(f"{n1} x {n2} nodes")
    ren = _renames(a.labels, b.labels)
    la, lb = np.array(a.leftmost), np.array(b.leftmost)
    td = _closed_forms(ren, la, lb)
    roots_a, roots_b = _inner_keyroots(a.leftmost), _inner_keyroots(b.leftmost)
    flat_a, flat_b = _flat(a.leftmost, roots_a), _flat(b.leftmost, roots_b)
    if flat_a and flat_b:
        _flat_pairs(ren, td, flat_a, flat_b)
    for k1 in roots_a:
        for k2 in roots_b:
            if k1 in flat_a and k2 in flat_b:
                continue
            m, n = k1 - a.leftmost[k1] + 1, k2 - b.leftmost[k2] + 1
            if max(m, n) < _WIDE:
                _forest_small(a.leftmost, b.leftmost, td, ren, k1, k2)
            elif m <= n:
                _forest_rows(la, lb, td, ren, k1, k2)
            else:
                _forest_rows(lb, la, td.T, ren.T, k2, k1)
    return float(td[n1 - 1, n2 - 1])


def _renames(x: list[tuple], y: list[tuple]) -> np.ndarray:
    """Rename cost of every node pair: 1 for different tags or spans, cell content edit distance for cells."""
    kinds: dict[tuple, int] = {}
    kx = np.array([kinds.setdefault(label[:3], len(kinds)) for label in x])
    ky = np.array([kinds.get(label[:3], -1) for label in y])
    ren = np.where(kx[:, None] == ky[None, :], 0.0, 1.0)
    cells_x = [i for i, label in enumerate(x) if label[0] == "td" and label[3]]
    cells_y = [j for j, label in enumerate(y) if label[0] == "td"]
    if cells_x and cells_y:
        _cell_costs(ren, x, y, cells_x, cells_y)
    cells_x = [i for i, label in enumerate(x) if label[0] == "td" and not label[3]]
    cells_y = [j for j, label in enumerate(y) if label[0] == "td" and label[3]]
    if cells_x and cells_y:
        _cell_costs(ren, x, y, cells_x, cells_y)
    return ren


def _cell_costs(ren: np.ndarray, x: list[tuple], y: list[tuple], ix: list[int], iy: list[int]) -> None:
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import cdist
    tokens = _Tokens()
    sx, sy = [tokens.text(x[i][3]) for i in ix], [tokens.text(y[j][3]) for j in iy]
    if tokens.clash:
        dist = np.array([[Levenshtein.distance(list(x[i][3]), list(y[j][3])) for j in iy] for i in ix], dtype=float)
    else:
        dist = cdist(sx, sy, scorer=Levenshtein.distance, dtype=np.int64).astype(float)
    longest = np.maximum(np.array([len(x[i][3]) for i in ix])[:, None], np.array([len(y[j][3]) for j in iy])[None, :])
    block = np.ix_(ix, iy)
    same = ren[block] == 0.0
    ren[block] = np.where(same, dist / np.maximum(longest, 1), 1.0)


class _Tokens:
    """Cell tokens as one character each (tags to private-use characters), so that rapidfuzz compares strings."""

    def __init__(self) -> None:
        self.codes: dict[str, str] = {}
        self.clash = False

    def text(self, tokens: tuple) -> str:
        out = []
        for token in tokens:
            if len(token) == 1:
                self.clash |= ord(token) >= 0xF0000
                out.append(token)
            else:
                out.append(self.codes.setdefault(token, chr(0xF0000 + len(self.codes) % 0x1FFFD)))
        self.clash |= len(self.codes) >= 0x1FFFD
        return "".join(out)


def _closed_forms(ren: np.ndarray, la: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """The distance of every pair where one side is a single node: size of the other subtree - 1 + the cheapest
    rename into it (a single node is never cheaper deleted, renaming costs at most 1)."""
    td = np.zeros(ren.shape)
    leaves_a, leaves_b = np.flatnonzero(la == np.arange(len(la))), np.flatnonzero(lb == np.arange(len(lb)))
    sizes_a, sizes_b = np.arange(len(la)) - la + 1, np.arange(len(lb)) - lb + 1
    td[leaves_a, :] = (sizes_b - 1)[None, :] + _subtree_min(ren[leaves_a, :], lb)
    td[:, leaves_b] = (sizes_a - 1)[:, None] + _subtree_min(ren[:, leaves_b].T, la).T
    return td


def _subtree_min(rows: np.ndarray, leftmost: np.ndarray) -> np.ndarray:
    """For each row, the minimum over each node's subtree (a postorder range) of the tree along the columns."""
    out = rows.copy()
    for j in range(rows.shape[1]):
        child = j - 1
        while child >= leftmost[j]:
            np.minimum(out[:, j], out[:, child], out=out[:, j])
            child = leftmost[child] - 1
    return out


def _inner_keyroots(leftmost: list[int]) -> list[int]:
    """Keyroots (the highest node of each leftmost path) that are not single nodes, in postorder."""
    highest: dict[int, int] = {}
    for i, left in enumerate(leftmost):
        highest[left] = i
    return sorted(k for left, k in highest.items() if k != left)


def _flat(leftmost: list[int], keyroots: list[int]) -> dict[int, list[int]]:
    """The keyroots whose children are all single nodes (a table's rows), with their children in order."""
    found = {}
    for k in keyroots:
        children, child = [], k - 1
        while child >= leftmost[k]:
            children.append(child)
            child = leftmost[child] - 1
        if all(leftmost[c] == c for c in children):
            found[k] = children[::-1]
    return found


_BATCH = 2_000_000   # cells of the batched row alignments held at once


def _flat_pairs(ren: np.ndarray, td: np.ndarray, flat_a: dict[int, list[int]], flat_b: dict[int, list[int]]) -> None:
    """The distance of every pair of one-level subtrees (two rows), all at once: the roots renamed and the
    children aligned, or one root deleted and the other renamed into one of its children (all others deleted
    and inserted), or the reverse."""
    keys_b = list(flat_b)
    q = np.array([len(flat_b[k]) for k in keys_b])
    width = int(q.max())
    cols = np.array([flat_b[k] + [0] * (width - len(flat_b[k])) for k in keys_b])
    keys_a = list(flat_a)
    chunk = max(1, _BATCH // max(1, len(keys_b) * (width + 1) * max(len(v) for v in flat_a.values())))
    for start in range(0, len(keys_a), chunk):
        part = keys_a[start:start + chunk]
        p = np.array([len(flat_a[k]) for k in part])
        depth = int(p.max())
        rows = np.array([flat_a[k] + [0] * (depth - len(flat_a[k])) for k in part])
        aligned = _batch_alignment(ren[rows[:, None, :, None], cols[None, :, None, :]], p, q)
        ka, kb = np.array(part), np.array(keys_b)
        both = (p[:, None] + q[None, :]).astype(float)
        mask_a, mask_b = np.arange(depth)[None, :] < p[:, None], np.arange(width)[None, :] < q[:, None]
        into_b = np.where(mask_a[:, :, None], ren[rows][:, :, kb], np.inf).min(axis=1)
        into_a = np.where(mask_b[None, :, :], ren[ka][:, cols], np.inf).min(axis=2)
        td[np.ix_(ka, kb)] = np.minimum(ren[np.ix_(ka, kb)] + aligned, both + np.minimum(into_b, into_a))


def _batch_alignment(sub: np.ndarray, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Edit distance of child sequences for a batch of pairs: sub[i, j, x, y] renames child x into child y,
    deleting or inserting costs 1; pair (i, j) has p[i] and q[j] children."""
    n_a, n_b, depth, width = sub.shape
    steps = np.arange(width + 1, dtype=float)
    fd = np.broadcast_to(steps, (n_a, n_b, width + 1)).copy()
    out = np.zeros((n_a, n_b))
    for x in range(1, depth + 1):
        best = np.minimum(fd[:, :, 1:] + 1.0, fd[:, :, :-1] + sub[:, :, x - 1, :])
        row = np.concatenate((fd[:, :, :1] + 1.0, best), axis=2)
        fd = np.minimum.accumulate(row - steps, axis=2) + steps
        done = p == x
        if done.any():
            ends = np.broadcast_to(q, (int(done.sum()), n_b))[:, :, None]
            out[done] = np.take_along_axis(fd[done], ends, axis=2)[:, :, 0]
    return out


def _forest_small(la: list[int], lb: list[int], td: np.ndarray, ren: np.ndarray, k1: int, k2: int) -> None:
    """Zhang-Shasha's forest distance for one keyroot pair, in plain Python on small blocks."""
    l1, l2 = la[k1], lb[k2]
    m, n = k1 - l1 + 1, k2 - l2 + 1
    block_td = td[l1:k1 + 1, l2:k2 + 1].tolist()
    block_ren = ren[l1:k1 + 1, l2:k2 + 1].tolist()
    lj = [lb[j] - l2 for j in range(l2, k2 + 1)]
    rows = [[float(y) for y in range(n + 1)]]
    for x in range(1, m + 1):
        li = la[l1 + x - 1] - l1
        prev, low = rows[x - 1], rows[li]
        row = [prev[0] + 1.0] + [0.0] * n
        td_row, ren_row = block_td[x - 1], block_ren[x - 1]
        for y in range(1, n + 1):
            if li == 0 and lj[y - 1] == 0:
                value = min(prev[y] + 1.0, row[y - 1] + 1.0, prev[y - 1] + ren_row[y - 1])
                td_row[y - 1] = value
            else:
                value = min(prev[y] + 1.0, row[y - 1] + 1.0, low[lj[y - 1]] + td_row[y - 1])
            row[y] = value
        rows.append(row)
    td[l1:k1 + 1, l2:k2 + 1] = block_td


def _forest_rows(la: np.ndarray, lb: np.ndarray, td: np.ndarray, ren: np.ndarray, k1: int, k2: int) -> None:
    """The same forest distance a row at a time: a row's insertions are a running minimum."""
    l1, l2 = int(la[k1]), int(lb[k2])
    m, n = k1 - l1 + 1, k2 - l2 + 1
    lj = lb[l2:k2 + 1] - l2
    on_path = lj == 0
    path_cols = np.flatnonzero(on_path) + l2
    steps = np.arange(n + 1, dtype=float)
    fd = np.empty((m + 1, n + 1))
    fd[0] = steps
    for x in range(1, m + 1):
        i = l1 + x - 1
        li = int(la[i]) - l1
        prev = fd[x - 1]
        best = fd[li][lj] + td[i, l2:k2 + 1]
        if li == 0:
            best[on_path] = prev[:-1][on_path] + ren[i, path_cols]
        np.minimum(best, prev[1:] + 1.0, out=best)
        row = np.concatenate(([prev[0] + 1.0], best))
        fd[x] = np.minimum.accumulate(row - steps) + steps
        if li == 0:
            td[i, path_cols] = fd[x, 1:][on_path]
