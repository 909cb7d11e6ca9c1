"""Laying table cells out on a grid, and checking one: every slot of the n_rows x n_cols grid covered by exactly one
cell, whatever the raw rows asked for (spans past the grid, ragged rows, the bogus header rowspan some providers
emit), each repair reported through `repairs`. The table readers (`tables`) and the canonical check use it.
"""

from __future__ import annotations

from typing import NamedTuple

from .errors import Repairs
from .schema import Cell, Table

MAX_SPAN = 1000  # the HTML spec's colspan limit; also keeps a hostile rowspan from exploding the grid
MAX_GRID_FLOOR = 65_536  # grid slots any table may have, whatever its cell count (see `grid_limit`)


class _RawCell(NamedTuple):
    text: str
    row_span: int  # 0 = to the end of the table, as in HTML
    col_span: int
    header: bool


# --- grid placement -------------------------------------------------------------------------------

def place(rows: list[list[_RawCell]], repairs: Repairs, path: str) -> Table:
    """Lay raw rows out on a grid the way HTML does, repairing what cannot fit."""
    if not any(rows):  # rows without a cell: no column, so no grid (as canonical JSON requires)
        return Table(n_rows=0, n_cols=0, cells=[])
    quick = _place_consistent(rows)
    if quick is not None:
        return quick
    rows[:] = [[_RawCell(*c) for c in row] for row in rows]
    _clamp_spans(rows, repairs, path)  # before anything sizes a grid from the spans
    bounded = _bounded(rows, repairs, path)
    if bounded is not None:
        return bounded
    if all(c.row_span == 1 and c.col_span == 1 for row in rows for c in row):
        return _place_plain(rows, repairs, path)
    return _place_spanned(rows, repairs, path)


def _place_spanned(rows: list[list[_RawCell]], repairs: Repairs, path: str) -> Table:
    """The rows laid out cell by cell on an owner grid, as HTML does, each overflow cut and reported, the slots
    no cell reached padded with empty cells."""
    n_rows = len(rows)
    _clamp_spans(rows, repairs, path)
    widest_own = _widest_own(rows)
    n_cols = _grid_width(rows, widest_own)
    owner: list[list[Cell | None]] = [[None] * n_cols for _ in range(n_rows)]
    cells: list[Cell] = []
    for r, row in enumerate(rows):
        carried = sum(1 for c in range(n_cols) if owner[r][c] is not None)
        if carried and sum(c.col_span for c in row) + carried > widest_own:
            _cut_rowspans_into(r, owner, cells, repairs, path)
        col = 0
        for raw in row:
            while col < n_cols and owner[r][col] is not None:
                col += 1
            if col >= n_cols:
                repairs(path, f"row {r}: cell {raw.text[:30]!r} lies past the table's {n_cols} columns",
                        "appended to the row's last cell")
                _append_text(owner[r][n_cols - 1], raw.text)
                continue
            row_span = n_rows - r if raw.row_span == 0 else raw.row_span
            if r + row_span > n_rows:
                repairs(path, f"row {r}: rowspan={row_span} runs past the last row", f"cut to {n_rows - r}")
                row_span = n_rows - r
            col_span = raw.col_span
            free = 0
            while free < col_span and col + free < n_cols and owner[r][col + free] is None:
                free += 1
            if free < col_span:
                repairs(path, f"row {r}: colspan={col_span} at column {col} overflows the table's "
                              f"{n_cols} columns", f"cut to {free}")
                col_span = free
            row_span = _fit_rows(owner, r, col, col_span, row_span, repairs, path)
            cell = Cell(row=r, col=col, row_span=row_span, col_span=col_span, text=raw.text, header=raw.header)
            cells.append(cell)
            for rr in range(r, r + row_span):
                slots = owner[rr]
                for cc in range(col, col + col_span):
                    slots[cc] = cell
            col += col_span
    _pad(owner, cells, n_cols, repairs, path)
    cells.sort(key=lambda c: (c.row, c.col))
    return Table(n_rows=n_rows, n_cols=n_cols, cells=cells)


def _pad(owner: list[list[Cell | None]], cells: list[Cell], n_cols: int, repairs: Repairs, path: str) -> None:
    """An empty cell in every slot no cell covers (reported once)."""
    padded = 0
    for r, slots in enumerate(owner):
        for c in range(n_cols):
            if slots[c] is None:
                cell = Cell(row=r, col=c)
                slots[c] = cell
                cells.append(cell)
                padded += 1
    if padded:
        _report_padding(padded, n_cols, repairs, path)


def grid_limit(n_cells: int) -> int:
    """The most grid slots a table of `n_cells` cells may lay out: spans and ragged rows may pad a grid, but
    not beyond what its content can explain, so a table costs what its input costs."""
    return max(16 * n_cells, MAX_GRID_FLOOR)


def _bounded(rows: list[list[_RawCell]], repairs: Repairs, path: str) -> Table | None:
    """None when the grid the rows ask for fits `grid_limit`; else the table laid out with its spans ignored
    or, when even that does not fit, one cell per row holding the row's texts (a repair either way)."""
    n_cells = sum(len(row) for row in rows)
    limit = grid_limit(n_cells)
    widest = max(sum(c[2] for c in row) for row in rows)
    if len(rows) * widest <= limit:
        return None
    widest_plain = max(len(row) for row in rows)
    if len(rows) * widest_plain <= limit:
        repairs(path, f"expected spans that fit a grid of at most {limit} slots for {n_cells} cells, found "
                      f"spans {len(rows)} x {widest} wide", "spans ignored")
        return place([[(c[0], 1, 1, c[3]) for c in row] for row in rows], repairs, path)
    repairs(path, f"expected a grid of at most {limit} slots for {n_cells} cells, found rows up to "
                  f"{widest_plain} cells wide over {len(rows)} rows", "each row kept as one cell of tab-separated texts")
    return Table(n_rows=len(rows), n_cols=1, cells=[
        Cell(row=r, col=0, text="\t".join(c[0] for c in row), header=bool(row) and all(c[3] for c in row))
        for r, row in enumerate(rows)])


def _place_consistent(rows: list[list[_RawCell]]) -> Table | None:
    """HTML placement for a table whose spans fit exactly; None at the first thing needing a repair.

    The hot path of every HTML table: rows may be plain tuples in _RawCell's field order.
    """
    n_rows = len(rows)
    if all(rs == 1 and cs == 1 for row in rows for _, rs, cs, _ in row):
        n_cols = len(rows[0])
        if any(len(row) != n_cols for row in rows):
            return None
        return Table(n_rows=n_rows, n_cols=n_cols, cells=[
            Cell(row=r, col=c, text=text, header=header) for r, row in enumerate(rows)
            for c, (text, _, _, header) in enumerate(row)])
    n_cols = max(sum(c[2] for c in row) for row in rows)
    if n_rows * n_cols > MAX_GRID_FLOOR and n_rows * n_cols > grid_limit(sum(map(len, rows))):
        return None  # checked before the grid is allocated: `place` bounds it
    carry = [0] * n_cols  # rows each column is still covered for, counting the current one
    cells = []
    for r, row in enumerate(rows):
        col = 0
        for text, rs, cs, header in row:
            while col < n_cols and carry[col]:
                col += 1
            if rs < 1 or cs < 1 or col + cs > n_cols or r + rs > n_rows or cs > MAX_SPAN:
                return None
            if cs == 1:
                carry[col] = rs
            elif any(carry[col + 1:col + cs]):
                return None  # the colspan runs into a cell carried down from above
            else:
                carry[col:col + cs] = [rs] * cs
            cells.append(Cell(row=r, col=col, row_span=rs, col_span=cs, text=text, header=header))
            col += cs
        if 0 in carry:
            return None  # ragged, or a rowspan collides: let `place` repair it
        carry = [c - 1 for c in carry]
    return Table(n_rows=n_rows, n_cols=n_cols, cells=cells)


def _place_plain(rows: list[list[_RawCell]], repairs: Repairs, path: str) -> Table:
    n_cols = max(len(row) for row in rows)
    cells = [Cell(row=r, col=c, text=raw.text, header=raw.header) for r, row in enumerate(rows)
             for c, raw in enumerate(row)]
    padded = sum(n_cols - len(row) for row in rows)
    if padded:
        cells += [Cell(row=r, col=c) for r, row in enumerate(rows) for c in range(len(row), n_cols)]
        cells.sort(key=lambda c: (c.row, c.col))
        _report_padding(padded, n_cols, repairs, path)
    return Table(n_rows=len(rows), n_cols=n_cols, cells=cells)


def _report_padding(padded: int, n_cols: int, repairs: Repairs, path: str) -> None:
    repairs(path, f"ragged rows: {padded} slot(s) covered by no cell",
            f"added empty cells so every row has {n_cols} columns")


def _clamp_spans(rows: list[list[_RawCell]], repairs: Repairs, path: str) -> None:
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if not (1 <= cell.col_span <= MAX_SPAN and 0 <= cell.row_span <= MAX_SPAN):
                repairs(path, f"row {r} cell {c}: expected spans in 1..{MAX_SPAN}, found "
                              f"rowspan={cell.row_span} colspan={cell.col_span}", "clamped")
                row[c] = cell._replace(col_span=min(max(cell.col_span, 1), MAX_SPAN),
                                       row_span=min(max(cell.row_span, 0), MAX_SPAN))


def _widest_own(rows: list[list[_RawCell]]) -> int:
    """The widest row by its own colspans, ignoring one lone row that is wider only through colspans."""
    own = [sum(c.col_span for c in row) for row in rows]
    top = max(own)
    if len(rows) > 1 and own.count(top) == 1:
        second = max(w for w in own if w != top) if any(w != top for w in own) else top
        if len(rows[own.index(top)]) <= second:
            return second
    return top


def _grid_width(rows: list[list[_RawCell]], widest_own: int) -> int:
    """Columns of the grid: the widest row, unless one lone row is wider only through its colspans.

    Simulates placement with rowspans carried down (and the bogus-rowspan cut applied, as `place`
    will), recording each row's width and the fewest columns its cells could fit in.
    """
    remaining: list[int] = []  # per column: rows still covered from above
    widths: list[int] = []
    fewest: list[int] = []
    n_rows = len(rows)
    for r, row in enumerate(rows):
        carried = sum(1 for rem in remaining if rem > 0)
        if carried and sum(c.col_span for c in row) + carried > widest_own:
            remaining = [0] * len(remaining)
            carried = 0
        col = 0
        for raw in row:
            while col < len(remaining) and remaining[col] > 0:
                col += 1
            span = n_rows - r if raw.row_span == 0 else raw.row_span
            end = col + raw.col_span
            if end > len(remaining):
                remaining.extend([0] * (end - len(remaining)))
            for cc in range(col, end):
                remaining[cc] = max(remaining[cc], span)
            col = end
        widths.append(max(col, max((c + 1 for c, rem in enumerate(remaining) if rem > 0), default=0)))
        fewest.append(len(row) + carried)
        remaining = [rem - 1 if rem > 0 else 0 for rem in remaining]
    top = max(widths)
    if n_rows > 1 and widths.count(top) == 1:
        second = max(w for w in widths if w != top) if any(w != top for w in widths) else top
        if fewest[widths.index(top)] <= second:
            return second
    return top


def _fit_rows(owner: list[list[Cell | None]], r: int, col: int, col_span: int, row_span: int,
              repairs: Repairs, path: str) -> int:
    for rr in range(r + 1, r + row_span):
        if any(owner[rr][cc] is not None for cc in range(col, col + col_span)):
            repairs(path, f"row {r}: rowspan={row_span} at column {col} overlaps another cell", f"cut to {rr - r}")
            return rr - r
    return row_span


def _cut_rowspans_into(r: int, owner: list[list[Cell | None]], cells: list[Cell], repairs: Repairs,
                       path: str) -> None:
    """A complete row under cells that claim to span into it: their rowspans are bogus (a SoMark quirk).

    Each cell is cut where it stands (not replaced by a copy): `owner` and `cells` keep pointing at the same
    object, so a later repair of it finds it, at no search through `cells`."""
    for cell in {id(c): c for c in owner[r] if c is not None}.values():
        new_span = r - cell.row
        repairs(path, f"row {cell.row}: rowspan={cell.row_span} of {cell.text[:30]!r} collides with the "
                      f"complete row {r}", f"cut to {new_span}")
        for rr in range(r, min(cell.row + cell.row_span, len(owner))):
            for cc in range(cell.col, cell.col + cell.col_span):
                if owner[rr][cc] is cell:
                    owner[rr][cc] = None
        cell.row_span = new_span


def _append_text(target: Cell | None, text: str) -> None:
    """Text past the table's last column joins the row's last cell (changed in place, as `_cut_rowspans_into`)."""
    if target is not None and text:
        target.text = f"{target.text} {text}".strip()


def grid_problems(table: Table) -> list[str]:
    """Why `table` breaks the canonical invariant (empty when every slot is covered exactly once).

    The cost is the grid's, never the spans': a cell is walked only over the part of it inside the grid, and
    only up to its first slot another cell covers (one problem per cell says so)."""
    seen: dict[tuple[int, int], int] = {}
    problems = []
    n_rows, n_cols = table.n_rows, table.n_cols
    for i, cell in enumerate(table.cells):
        row, col, row_span, col_span = cell.row, cell.col, cell.row_span, cell.col_span
        if row_span < 1 or col_span < 1:
            problems.append(f"cell {i} has span {row_span}x{col_span}")
            continue
        if not (0 <= row and row + row_span <= n_rows and 0 <= col and col + col_span <= n_cols):
            problems.append(f"cell {i} at ({row},{col}) spanning {row_span}x{col_span} runs outside the "
                            f"{n_rows}x{n_cols} grid")
        clash = _cover(seen, i, range(max(row, 0), min(row + row_span, n_rows)),
                       range(max(col, 0), min(col + col_span, n_cols)))
        if clash is not None:
            problems.append(clash)
    missing = n_rows * n_cols - len(seen)
    if missing > 0 and not problems:  # after a clash the count says nothing more
        problems.append(f"{missing} slot(s) covered by no cell")
    return problems


def _cover(seen: dict[tuple[int, int], int], i: int, rows: range, cols: range) -> str | None:
    """Marks cell `i`'s slots in `seen`, stopping at the first one already taken (which it names)."""
    for r in rows:
        for c in cols:
            other = seen.setdefault((r, c), i)
            if other != i:
                return f"cells {other} and {i} both cover ({r},{c})"
    return None
