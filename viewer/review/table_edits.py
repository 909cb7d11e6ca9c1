"""The table editor's edits: a cell's text, merging and splitting cells (their spans), adding and deleting rows
and columns. Pure functions on the canonical Document like every edit (`edits.apply_edit` runs and checks
them); a table block's text is its cells' (`normalizer.tables.plain_text`), kept so after every edit.
"""

from __future__ import annotations

import msgspec

from normalizer.schema import Block, Cell, Document, Table
from normalizer.tables import plain_text

from .edit_types import (DeleteCol, DeleteRow, EditRefused, InsertCol, InsertRow, MergeCells, SetCell, SplitCell)
from .edits import Done, find, op, replaced

# An axis of the grid: the cell's position and span on it, and the table's size along it.
AXES = {"row": ("row", "row_span", "n_rows"), "col": ("col", "col_span", "n_cols")}
OTHER = {"row": "col", "col": "row"}


def table_of(doc: Document, block_id: str) -> tuple[int, Block, Table]:
    """The table block `block_id`: its position, the block, its table; `EditRefused` for any other block."""
    i = find(doc, block_id)
    b = doc.blocks[i]
    if b.table is None:
        raise EditRefused(f"{block_id[:80]!r} is a {b.kind} without a table: make it a table first")
    return i, b, b.table


def with_table(doc: Document, i: int, table: Table, keep_order: bool = False) -> Document:
    """`doc` with block `i` holding `table` (its cells by row then column, unless `keep_order`) and its text."""
    if not keep_order:
        table = msgspec.structs.replace(table, cells=sorted(table.cells, key=lambda c: (c.row, c.col)))
    return replaced(doc, {i: msgspec.structs.replace(doc.blocks[i], table=table, text=plain_text(table))})


def covering(table: Table, row: int, col: int) -> int:
    """The index of the cell that covers slot (row, col); `EditRefused` outside the grid.

    Example:
        >>> covering(Table(n_rows=2, n_cols=1, cells=[Cell(row=0, col=0, row_span=2, text="a")]), 1, 0)
        0
    """
    for k, c in enumerate(table.cells):
        if c.row <= row < c.row + c.row_span and c.col <= col < c.col + c.col_span:
            return k
    raise EditRefused(f"the table has no cell at row {row}, column {col} (it is {table.n_rows} x {table.n_cols})")


@op(SetCell)
def set_cell(doc: Document, e: SetCell) -> Done:
    """The text of the cell covering a slot; undone by its former text."""
    i, b, table = table_of(doc, e.block)
    k = covering(table, e.row, e.col)
    cell = table.cells[k]
    cells = list(table.cells)
    cells[k] = msgspec.structs.replace(cell, text=e.text)
    plain = b.text == plain_text(table)  # else undo restores the provider's own text too (a splice)
    return Done(with_table(doc, i, msgspec.structs.replace(table, cells=cells), keep_order=True),
                SetCell(block=b.id, row=cell.row, col=cell.col, text=cell.text) if plain else None)


@op(MergeCells)
def merge_cells(doc: Document, e: MergeCells) -> Done:
    """The cells of a rectangle as one spanning cell (their texts joined); refused when a cell crosses its edge."""
    i, b, table = table_of(doc, e.block)
    if e.row + e.rows > table.n_rows or e.col + e.cols > table.n_cols or e.rows * e.cols < 2:
        raise EditRefused(f"merge a rectangle of two slots or more inside the {table.n_rows} x {table.n_cols} grid")
    rows, cols = range(e.row, e.row + e.rows), range(e.col, e.col + e.cols)
    inside, outside = [], []
    for c in table.cells:
        span_r, span_c = range(c.row, c.row + c.row_span), range(c.col, c.col + c.col_span)
        meets = _overlap(span_r, rows) and _overlap(span_c, cols)
        if meets and not (set(span_r) <= set(rows) and set(span_c) <= set(cols)):
            raise EditRefused(f"the cell at row {c.row}, column {c.col} crosses the rectangle's edge: "
                              "take it whole or split it first")
        (inside if meets else outside).append(c)
    inside.sort(key=lambda c: (c.row, c.col))
    boxes = [c.bbox for c in inside]
    merged = Cell(row=e.row, col=e.col, row_span=e.rows, col_span=e.cols,
                  text=" ".join(c.text for c in inside if c.text), header=all(c.header for c in inside),
                  bbox=[min(x[0] for x in boxes), min(x[1] for x in boxes), max(x[2] for x in boxes),
                        max(x[3] for x in boxes)] if all(boxes) else None)  # type: ignore[index]
    return Done(with_table(doc, i, msgspec.structs.replace(table, cells=outside + [merged])))


def _overlap(a: range, b: range) -> bool:
    return a.start < b.stop and b.start < a.stop


@op(SplitCell)
def split_cell(doc: Document, e: SplitCell) -> Done:
    """A spanning cell back into one-slot cells, its text in the first."""
    i, b, table = table_of(doc, e.block)
    k = covering(table, e.row, e.col)
    cell = table.cells[k]
    if cell.row_span == 1 and cell.col_span == 1:
        raise EditRefused(f"the cell at row {cell.row}, column {cell.col} covers one slot already")
    pieces = [Cell(row=r, col=c, text=cell.text if (r, c) == (cell.row, cell.col) else "", header=cell.header)
              for r in range(cell.row, cell.row + cell.row_span) for c in range(cell.col, cell.col + cell.col_span)]
    return Done(with_table(doc, i, msgspec.structs.replace(table, cells=table.cells[:k] + pieces + table.cells[k + 1:])))


def inserted(table: Table, axis: str, at: int) -> Table:
    """`table` with an empty row (or column) at `at`: later cells move on, cells spanning across it grow.

    Example:
        >>> t = Table(n_rows=1, n_cols=2, cells=[Cell(row=0, col=0, text="a"), Cell(row=0, col=1, text="b")])
        >>> [(c.row, c.col, c.text) for c in inserted(t, "row", 0).cells]
        [(1, 0, 'a'), (1, 1, 'b'), (0, 0, ''), (0, 1, '')]
    """
    pos, span, size = AXES[axis]
    opos, ospan, osize = AXES[OTHER[axis]]
    if at > getattr(table, size):
        raise EditRefused(f"a new {axis} goes at 0..{getattr(table, size)}, not {at}")
    cells, covered = [], set()
    for c in table.cells:
        start, length = getattr(c, pos), getattr(c, span)
        if start >= at:
            c = msgspec.structs.replace(c, **{pos: start + 1})
        elif start < at < start + length:
            c = msgspec.structs.replace(c, **{span: length + 1})
            covered.update(range(getattr(c, opos), getattr(c, opos) + getattr(c, ospan)))
        cells.append(c)
    cells += [Cell(**{pos: at, opos: k}) for k in range(getattr(table, osize)) if k not in covered]
    return msgspec.structs.replace(table, cells=cells, **{size: getattr(table, size) + 1})


def deleted(table: Table, axis: str, index: int) -> Table:
    """`table` without row (or column) `index`: its one-slot cells go, cells spanning it shrink, later ones move
    back.

    Example:
        >>> t = Table(n_rows=2, n_cols=1, cells=[Cell(row=0, col=0, text="a"), Cell(row=1, col=0, text="b")])
        >>> [(c.row, c.text) for c in deleted(t, "row", 0).cells]
        [(0, 'b')]
    """
    pos, span, size = AXES[axis]
    n = getattr(table, size)
    if index >= n:
        raise EditRefused(f"the table has no {axis} {index} (it has {n})")
    if n == 1:
        raise EditRefused(f"a table keeps one {axis} at least: delete the block instead")
    cells = []
    for c in table.cells:
        start, length = getattr(c, pos), getattr(c, span)
        if start == index and length == 1:
            continue
        if start <= index < start + length:
            c = msgspec.structs.replace(c, **{span: length - 1})
        elif start > index:
            c = msgspec.structs.replace(c, **{pos: start - 1})
        cells.append(c)
    return msgspec.structs.replace(table, cells=cells, **{size: n - 1})


@op(InsertRow)
def insert_row(doc: Document, e: InsertRow) -> Done:
    """An empty row at `at`; undone by deleting it."""
    i, _, table = table_of(doc, e.block)
    return Done(with_table(doc, i, inserted(table, "row", e.at)), DeleteRow(block=e.block, row=e.at)
                if _plain(doc.blocks[i]) else None)


@op(DeleteRow)
def delete_row(doc: Document, e: DeleteRow) -> Done:
    """A row gone, cells spanning it shrunk."""
    i, _, table = table_of(doc, e.block)
    return Done(with_table(doc, i, deleted(table, "row", e.row)))


@op(InsertCol)
def insert_col(doc: Document, e: InsertCol) -> Done:
    """An empty column at `at`; undone by deleting it."""
    i, _, table = table_of(doc, e.block)
    return Done(with_table(doc, i, inserted(table, "col", e.at)), DeleteCol(block=e.block, col=e.at)
                if _plain(doc.blocks[i]) else None)


@op(DeleteCol)
def delete_col(doc: Document, e: DeleteCol) -> Done:
    """A column gone, cells spanning it shrunk."""
    i, _, table = table_of(doc, e.block)
    return Done(with_table(doc, i, deleted(table, "col", e.col)))


def _plain(b: Block) -> bool:
    """Whether deleting an inserted row gives the block back exactly: its text is its cells' and they are in
    order (else the inverse is a splice of the block as it was)."""
    cells = b.table.cells if b.table else []
    return b.text == plain_text(b.table) and cells == sorted(cells, key=lambda c: (c.row, c.col))  # type: ignore[arg-type]
