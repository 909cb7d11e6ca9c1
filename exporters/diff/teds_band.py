"""The band of a TEDS alignment: which cells of its edit-distance matrix are computed and stored (only those, as
doubles), so that memory stays within DP_CELLS whatever the tables (`teds`)."""

from __future__ import annotations

from array import array
from typing import NamedTuple

# DP cells one alignment may hold (8 bytes each: rows of doubles kept only inside their band), besides a few
# a row, so that the band of any table fits. Past it the exact alignment gives way to the bounded one, and the
# bounded one narrows its band to fit: two 100,000-row tables cost megabytes, not the 80 GB of a full matrix.
DP_CELLS = 1_000_000
_INF = float("inf")


class Band(NamedTuple):
    """The DP cells computed: row i holds columns lo[i]..hi[i] (every other cell is infinite, never stored)."""
    lo: array
    hi: array

    def cells(self) -> int:
        """Cells stored: each row's window, its padding (`_reach`) and its two guards."""
        return sum(_reach(self, i) - self.lo[i] + 3 for i in range(len(self.lo)))


def _cell_limit(m: int, n: int) -> int:
    return max(DP_CELLS, 8 * (m + n + 2))  # a band a few cells wide always fits: memory linear in the tables


def _diagonal(m: int, n: int, band: int) -> Band:
    """Within `band` of the main diagonal (every column once the band reaches max(m, n))."""
    if band >= max(m, n):
        return Band(array("q", [0]) * (m + 1), array("q", [n]) * (m + 1))
    return Band(array("q", (max(0, i - band) for i in range(m + 1))),
                array("q", (min(n, i + band) for i in range(m + 1))))


def _stretched(m: int, n: int, limit: int) -> Band:
    """Around the diagonal from (0, 0) to (m, n), as wide as `limit` cells allow (two cells each side at least).
    Each row's window reaches the next row's start, so a path from corner to corner always exists: a valid
    edit script, which may cost more than the optimum when rows moved further than the band (a lower TEDS)."""
    if m == 0:
        return Band(array("q", [0]), array("q", [n]))
    side = max(2, (limit - 2 * n - n // m - 1) // (2 * (m + 1)) - 2)  # windows, padding and guards fit
    return Band(array("q", (max(0, i * n // m - side) for i in range(m + 1))),
                array("q", (min(n, (i + 1) * n // m + side) for i in range(m + 1))))


def _reach(band: Band, i: int) -> int:
    """The last column row i stores: its own last, or one before the next row's (a band steeper than the
    diagonal), so that the next row reads its upper neighbours without a bounds check (the extra cells are
    infinite)."""
    hi = band.hi[i]
    return max(hi, band.hi[i + 1] - 1) if i + 1 < len(band.hi) else hi


def _infinite(width: int) -> array:
    """A row of `width` infinite doubles."""
    return _INF_CELL * width


_INF_CELL = array("d", [_INF])


class _Grid:
    """A DP matrix stored as its band: row i as an array of doubles for columns lo[i]..hi[i] between two
    infinite guards (index j - lo[i] + 1), so every neighbour the recurrences read is in reach."""

    __slots__ = ("band", "rows")

    def __init__(self, band: Band):
        self.band = band
        self.rows: list[array] = []

    def store(self, row: list[float]) -> None:
        """The next row, computed as a list (the fastest to read and write) and kept as doubles (8 bytes a
        cell, not a pointer and a float object)."""
        self.rows.append(array("d", row))

    def get(self, i: int, j: int) -> float:
        if not 0 <= i < len(self.rows):
            return _INF
        k = j - self.band.lo[i] + 1
        row = self.rows[i]
        return row[k] if 0 <= k < len(row) else _INF
