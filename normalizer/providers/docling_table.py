"""Docling's tables: `TableData` cells placed at their row and column offsets with their spans, each cell's own box
read in the page's frame (TOPLEFT as it is, BOTTOMLEFT turned over, by the reader's `box`).

The raw shape of a box and a table lives here too; `docling.py` reads the rest of a DoclingDocument.
"""

from __future__ import annotations

from typing import Any, Callable

from msgspec import UNSET

from ..build import compact
from ..errors import Repairs
from ..schema import BBox, Table
from ..tables import grid_limit, place
from ..typed import Raw, present


class Box(Raw, kw_only=True):
    l: Any = None
    t: Any = None
    r: Any = None
    b: Any = None
    coord_origin: str | None = None


class DCell(Raw, kw_only=True):
    bbox: Box | None = None
    row_span: int | None = None
    col_span: int | None = None
    start_row_offset_idx: int | None = None
    end_row_offset_idx: int | None = None
    start_col_offset_idx: int | None = None
    end_col_offset_idx: int | None = None
    text: str | None = None
    column_header: bool | None = None
    row_header: bool | None = None
    row_section: bool | None = None
    fillable: Any = UNSET


class TableData(Raw, kw_only=True):
    table_cells: list[DCell] | None = None
    num_rows: int | None = None
    num_cols: int | None = None
    grid: Any = UNSET
    orientation: Any = UNSET


ReadBox = Callable[[Box, int, str], "BBox | None"]  # (box, page, JSON path) -> our box, or None with a repair


def read_table(data: TableData | None, page: int, path: str, box: ReadBox,
               repairs: Repairs) -> tuple[Table, dict[int, dict[str, Any]]]:
    """The table with every cell where Docling put it, and what each cell has that a canonical cell has no field
    for (by the cell's place in `table_cells`): cells are laid out row by row with empty cells where nothing
    covers a slot, so the grid placement (with its repairs and bounds) keeps them at their offsets.

    Example:
        >>> cell = DCell(text="a", start_row_offset_idx=0, start_col_offset_idx=1, col_span=1, row_span=1)
        >>> table, _ = read_table(TableData(table_cells=[cell], num_rows=1, num_cols=2), 1, "$", None, Repairs())
        >>> [(c.col, c.text) for c in table.cells]
        [(0, ''), (1, 'a')]
    """
    cells = [c for c in (data.table_cells if data else None) or ()]
    if not cells:
        return Table(n_rows=0, n_cols=0), {}
    at = [(c.start_row_offset_idx or 0, c.start_col_offset_idx or 0, c) for c in cells]
    n_rows = max(max(r for r, _, _ in at) + 1, data.num_rows or 0)  # type: ignore[union-attr]
    n_cols = max(max(k for _, k, _ in at) + 1, data.num_cols or 0)  # type: ignore[union-attr]
    boxed: set[int] = set()  # cells whose box a canonical cell holds
    if n_rows * n_cols > grid_limit(len(cells)) or min(min(r, k) for r, k, _ in at) < 0:
        repairs(f"{path}.data", f"expected cell offsets from 0 within a grid for {len(cells)} cells, found "
                                f"{n_rows} x {n_cols}", "cells laid out in their order")
        rows = [[(c.text or "", 1, 1, bool(c.column_header or c.row_header)) for _, _, c in sorted(at, key=_pos)]]
        table = place(rows, repairs, f"{path}.data.table_cells")
    else:
        table = place(_rows(at, n_rows, n_cols), repairs, f"{path}.data.table_cells")
        boxes = {(r, k): (n, c) for n, (r, k, c) in enumerate(at)}
        for cell in table.cells:  # each cell's own box, where Docling gives one
            found = boxes.get((cell.row, cell.col))
            if found is not None and found[1].bbox is not None and found[1].text == cell.text:
                cell.bbox = box(found[1].bbox, page, f"{path}.data.table_cells[{found[0]}].bbox")
                if cell.bbox is not None:
                    boxed.add(found[0])
    return table, {k: _cell_extra(c, k in boxed) for k, c in enumerate(cells)
                   # most cells carry nothing more: not even looked at
                   if c.rest or c.bbox is not None or c.row_section or c.fillable is not UNSET}


def _rows(at: list[tuple[int, int, DCell]], n_rows: int, n_cols: int) -> list[list[Any]]:
    """Raw rows for `place`: each row's cells in column order, an empty cell in each slot that neither a cell
    nor a span from above covers."""
    covered: set[tuple[int, int]] = set()
    by_row: dict[int, list[tuple[int, DCell]]] = {}
    for r, k, c in at:
        by_row.setdefault(r, []).append((k, c))
    rows = []
    for r in range(n_rows):
        row, col = [], 0
        for k, c in sorted(by_row.get(r, []), key=lambda x: x[0]):
            while col < k:
                if (r, col) not in covered:
                    row.append(("", 1, 1, False))
                col += 1
            row_span = max(c.row_span or (c.end_row_offset_idx or r + 1) - r, 1)
            col_span = max(c.col_span or (c.end_col_offset_idx or k + 1) - k, 1)
            row.append((c.text or "", row_span, col_span, bool(c.column_header or c.row_header)))
            _cover(covered, range(r + 1, min(r + row_span, n_rows)), range(k, min(k + col_span, n_cols)))
            col = k + col_span
        rows.append(row)
    return rows


def _cell_extra(c: DCell, boxed: bool) -> dict[str, Any]:
    """A table cell's fields with no canonical home; its box too when no canonical cell holds it (unreadable, or
    the cell was moved by a repair)."""
    box = c.bbox
    return compact({**c.rest, "coord_origin": box.coord_origin if box else None,
                    "bbox_rest": dict(box.rest) if box and box.rest else None,
                    "bbox": {"l": box.l, "t": box.t, "r": box.r, "b": box.b} if box and not boxed else None,
                    **present(c, ("fillable",)), "row_section": c.row_section or None})


def _cover(covered: set[tuple[int, int]], rows: range, cols: range) -> None:
    """Marks the slots a cell's spans reach below its row, up to the first one another cell already reached:
    overlapping spans are cut by the placement anyway, and each slot is marked once, so spans that cover each
    other cost the grid's size, not their cells times the grid's."""
    for rr in rows:
        for kk in cols:
            if (rr, kk) in covered:
                return
            covered.add((rr, kk))


def _pos(x: tuple[int, int, Any]) -> tuple[int, int]:
    return x[0], x[1]
