"""Minimum-cost assignment (the Hungarian method, O(n^3)) for the small matrices diff builds per page."""

from __future__ import annotations


def assignment(cost: list[list[float]]) -> list[tuple[int, int]]:
    """Pairs (row, column) of a minimum-cost matching that covers min(rows, columns) of them."""
    n_rows = len(cost)
    n_cols = len(cost[0]) if cost else 0
    if not n_rows or not n_cols:
        return []
    transposed = n_rows > n_cols
    if transposed:  # the method below wants rows <= columns
        cost = [list(col) for col in zip(*cost)]
        n_rows, n_cols = n_cols, n_rows
    inf = float("inf")
    u = [0.0] * (n_rows + 1)
    v = [0.0] * (n_cols + 1)
    match = [0] * (n_cols + 1)  # match[j] = row (1-based) assigned to column j
    way = [0] * (n_cols + 1)
    for i in range(1, n_rows + 1):
        match[0] = i
        j0 = 0
        minv = [inf] * (n_cols + 1)
        used = [False] * (n_cols + 1)
        while True:
            used[j0] = True
            i0 = match[j0]
            delta, j1 = inf, 0
            row = cost[i0 - 1]
            ui0 = u[i0]
            for j in range(1, n_cols + 1):
                if not used[j]:
                    cur = row[j - 1] - ui0 - v[j]
                    if cur < minv[j]:
                        minv[j] = cur
                        way[j] = j0
                    if minv[j] < delta:
                        delta, j1 = minv[j], j
            for j in range(n_cols + 1):
                if used[j]:
                    u[match[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if match[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            match[j0] = match[j1]
            j0 = j1
    pairs = [(match[j] - 1, j - 1) for j in range(1, n_cols + 1) if match[j]]
    return sorted((c, r) for r, c in pairs) if transposed else sorted(pairs)
