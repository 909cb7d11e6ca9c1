"""Baidu's tables as it gives them: `cells` plus a `matrix` of cell indexes in which a merged cell's index repeats
over the rectangle it covers; every way a matrix can fail to be that (ragged, out of range, not a rectangle, too
large, cells it never places) is repaired and reported."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import tables
from ..errors import Repairs
from ..geometry import checked_box
from ..schema import Cell, Table

if TYPE_CHECKING:
    from .baidu import BCell


def from_matrix(cells: list[BCell], matrix: list[list[int]], repairs: Repairs, path: str) -> Table:
    """Cells placed by a matrix of indexes: each index must cover one rectangle of the grid.

    Problems (lenient): a ragged row is padded with empty cells; an index out of range becomes an empty
    cell; an index whose slots are not one rectangle keeps the rectangle at its first slot and its other
    slots become cells of their own holding the same text. Strict mode raises at the first such slot.
    """
    n_rows = len(matrix)
    n_cols = max(len(row) for row in matrix)
    unfit = _unfit(matrix, n_rows, n_cols)
    if unfit is not None:
        repairs(f"{path}.matrix", unfit, "cells laid out row by row")
        return _unplaced(cells, matrix, repairs, path)
    slots: dict[int, list[tuple[int, int]]] = {}
    loose: list[Cell] = []
    for r, row in enumerate(matrix):
        if len(row) < n_cols:
            repairs(f"{path}.matrix[{r}]", f"expected {n_cols} columns, found {len(row)}", "padded with empty cells")
            loose.extend(Cell(row=r, col=c) for c in range(len(row), n_cols))
        for c, index in enumerate(row):
            if not 0 <= index < len(cells):
                repairs(f"{path}.matrix[{r}][{c}]", f"expected a cell index 0..{len(cells) - 1}, found {index}",
                        "an empty cell")
                loose.append(Cell(row=r, col=c))
                continue
            slots.setdefault(index, []).append((r, c))
    placed: list[Cell] = []
    for index, covered in slots.items():
        r0, c0 = covered[0]
        source = cells[index]
        text = source.text or ""
        bbox = checked_box(source.position, repairs, lambda: f"{path}.cells[{index}].position", xywh_order=True)
        if len(covered) == 1:  # most cells: one slot
            placed.append(Cell(row=r0, col=c0, text=text, bbox=bbox))
            continue
        rows = {r for r, _ in covered}
        cols = {c for _, c in covered}
        r1, c1 = max(rows), max(cols)
        if min(rows) == r0 and min(cols) == c0 and len(covered) == (r1 - r0 + 1) * (c1 - c0 + 1):
            placed.append(Cell(row=r0, col=c0, row_span=r1 - r0 + 1, col_span=c1 - c0 + 1, text=text, bbox=bbox))
            continue
        placed += _not_a_rectangle(index, covered, text, bbox, repairs, path)
    unused = [i for i in range(len(cells)) if i not in slots]
    if unused:  # nothing dropped: cells the matrix never places become one more row
        repairs(f"{path}.cells[{unused[0]}]", f"expected every cell placed by the matrix, found {len(unused)} not",
                "their text is appended as a last row")
        width = max(n_cols, 1)
        texts = [cells[i].text or "" for i in unused]
        texts = texts[: width - 1] + ["\n".join(texts[width - 1:])] if len(texts) > width else \
            texts + [""] * (width - len(texts))
        loose.extend(Cell(row=n_rows, col=c, text=t) for c, t in enumerate(texts))
        n_rows, n_cols = n_rows + 1, width
    out = placed + loose
    out.sort(key=lambda cell: (cell.row, cell.col))
    return Table(n_rows=n_rows, n_cols=n_cols, cells=out)


def _not_a_rectangle(index: int, covered: list[tuple[int, int]], text: str, bbox: list[float] | None,
                     repairs: Repairs, path: str) -> list[Cell]:
    """The cells of an index whose slots are not one rectangle: the largest rectangle growing from its first slot,
    and each other slot a cell of its own holding the same text (a repair)."""
    r0, c0 = covered[0]
    inside = set(covered)
    width = 1
    while (r0, c0 + width) in inside:
        width += 1
    height = 1
    while all((r0 + height, c0 + k) in inside for k in range(width)):
        height += 1
    rect = {(r0 + i, c0 + k) for i in range(height) for k in range(width)}
    stray = [s for s in covered if s not in rect]
    repairs(f"{path}.matrix[{stray[0][0]}][{stray[0][1]}]",
            f"expected index {index} to cover one rectangle, found {len(covered)} slots that do not",
            f"kept the {height}x{width} rectangle at ({r0},{c0}); the other slots became cells of their own")
    return [Cell(row=r0, col=c0, row_span=height, col_span=width, text=text, bbox=bbox),
            *(Cell(row=r, col=c, text=text) for r, c in stray)]


def _unfit(matrix: list[list[int]], n_rows: int, n_cols: int) -> str | None:
    """Why the matrix cannot be padded into a grid (no column at all, or far more slots than indexes), or None."""
    n_slots = sum(len(row) for row in matrix)
    if n_cols == 0:
        return f"expected rows of cell indexes, found {n_rows} empty row(s)"
    if n_rows * n_cols > tables.grid_limit(n_slots):
        return f"expected rows that fit a grid of at most {tables.grid_limit(n_slots)} slots for {n_slots} " \
               f"indexes, found {n_rows} x {n_cols}"
    return None


def _unplaced(cells: list[BCell], matrix: list[list[int]], repairs: Repairs, path: str) -> Table:
    """A matrix too ragged to pad into a grid: each row's cells in order (an index repeated beside itself once,
    one out of range as an empty cell), the cells it never names as a last row, laid out as HTML rows are."""
    def text(index: int) -> str:
        return (cells[index].text or "") if 0 <= index < len(cells) else ""

    rows = [[(text(i), 1, 1, False) for k, i in enumerate(row) if k == 0 or row[k - 1] != i] for row in matrix]
    named = {i for row in matrix for i in row}
    rest = [(c.text or "", 1, 1, False) for i, c in enumerate(cells) if i not in named]
    return tables.place(rows + [rest] if rest else rows, repairs, f"{path}.matrix")
