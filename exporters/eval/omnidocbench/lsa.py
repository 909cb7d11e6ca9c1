"""SciPy's `linear_sum_assignment`, step for step, so that ties break as OmniDocBench's do.

OmniDocBench pairs blocks with `scipy.optimize.linear_sum_assignment`; many of its cost matrices have ties
(every unrelated pair costs 1.0), and which optimum SciPy returns decides which blocks are paired. This is
SciPy's own algorithm (the shortest augmenting path of Crouse 2016, as in `rectangular_lsap.cpp`: columns
scanned in reverse order, among equal reduced costs the last free column taken, a matrix with fewer columns
than rows solved transposed), so it returns the same pairs. The inner scan is vectorised with numpy.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def linear_sum_assignment(cost: Sequence[Sequence[float]] | np.ndarray) -> tuple[list[int], list[int]]:
    """The (rows, columns) of a minimum-cost assignment, exactly as SciPy (1.6 and later) returns them.

    Why: OmniDocBench's pairing depends on which of several equally cheap assignments is chosen.

    Example:
        >>> linear_sum_assignment([[1.0, 1.0], [1.0, 1.0]])
        ([0, 1], [0, 1])
        >>> linear_sum_assignment([[0.5], [0.2], [0.9]])
        ([1], [0])
    """
    matrix = np.array(cost, dtype=np.float64, ndmin=2)
    if matrix.ndim != 2:
        raise ValueError("expected a matrix")
    n_rows, n_cols = matrix.shape
    if n_rows == 0 or n_cols == 0:
        return [], []
    transpose = n_cols < n_rows
    if transpose:
        matrix = np.ascontiguousarray(matrix.T)
    if np.isnan(matrix).any() or (matrix == -np.inf).any():
        raise ValueError("matrix contains invalid numeric entries")
    col4row = _solve(matrix)
    if transpose:
        order = np.argsort(col4row, kind="stable")
        return [int(x) for x in col4row[order]], [int(x) for x in order]
    return list(range(len(col4row))), [int(x) for x in col4row]


def _solve(cost: np.ndarray) -> np.ndarray:
    n_rows, n_cols = cost.shape
    u = np.zeros(n_rows)
    v = np.zeros(n_cols)
    path = np.full(n_cols, -1, dtype=np.int64)
    col4row = np.full(n_rows, -1, dtype=np.int64)
    row4col = np.full(n_cols, -1, dtype=np.int64)
    for current in range(n_rows):
        sink, min_val, shortest, rows_seen, cols_seen = _augmenting_path(cost, u, v, path, row4col, current)
        u[current] += min_val
        others = rows_seen.copy()
        others[current] = False
        if others.any():
            u[others] += min_val - shortest[col4row[others]]
        v[cols_seen] -= min_val - shortest[cols_seen]
        j = sink
        while True:
            i = int(path[j])
            row4col[j] = i
            col4row[i], j = j, int(col4row[i])
            if i == current:
                break
    return col4row


def _augmenting_path(cost: np.ndarray, u: np.ndarray, v: np.ndarray, path: np.ndarray, row4col: np.ndarray,
                     i: int) -> tuple[int, float, np.ndarray, np.ndarray, np.ndarray]:
    n_rows, n_cols = cost.shape
    remaining = np.arange(n_cols - 1, -1, -1, dtype=np.int64)
    left = n_cols
    rows_seen = np.zeros(n_rows, dtype=bool)
    cols_seen = np.zeros(n_cols, dtype=bool)
    shortest = np.full(n_cols, np.inf)
    min_val = 0.0
    while True:
        rows_seen[i] = True
        cols = remaining[:left]
        reduced = min_val + cost[i, cols] - u[i] - v[cols]
        better = reduced < shortest[cols]
        if better.any():
            path[cols[better]] = i
            shortest[cols[better]] = reduced[better]
        values = shortest[cols]
        lowest = values.min()
        if lowest == np.inf:
            raise ValueError("cost matrix is infeasible")
        ties = np.flatnonzero(values == lowest)
        free = ties[row4col[cols[ties]] == -1]
        index = int(free[-1]) if len(free) else int(ties[0])
        min_val = float(lowest)
        j = int(cols[index])
        cols_seen[j] = True
        remaining[index] = remaining[left - 1]
        left -= 1
        if row4col[j] == -1:
            return j, min_val, shortest, rows_seen, cols_seen
        i = int(row4col[j])
