"""Tables for analysts: a table as a pandas DataFrame, and every table of a document as an Excel workbook.

Both are optional (`pip install 'docnorm[pandas]'`, `'docnorm[xlsx]'`) and imported only when used.
"""

from __future__ import annotations

import io
import re
from typing import Any, Literal

from normalizer.schema import Block, Document, Table

from .joined import caption_ids, logical_blocks
from .optional import need_extra

SpanPolicy = Literal["repeat", "anchor"]
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")  # characters Excel refuses in a sheet name
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters an XLSX cell cannot hold


def grid(table: Table, span_policy: SpanPolicy = "repeat") -> list[list[str]]:
    """The table as rows of strings: a spanned cell's text in every slot it covers (`repeat`) or only in its
    top-left one (`anchor`)."""
    rows = [["" for _ in range(table.n_cols)] for _ in range(table.n_rows)]
    for c in table.cells:
        for r in range(c.row, min(c.row + c.row_span, table.n_rows)):
            for k in range(c.col, min(c.col + c.col_span, table.n_cols)):
                if span_policy == "repeat" or (r, k) == (c.row, c.col):
                    rows[r][k] = c.text
    return rows


def header_rows(table: Table) -> int:
    """How many leading rows are header rows: rows every cell of which is marked header."""
    covered: dict[int, list[bool]] = {}
    for c in table.cells:
        for r in range(c.row, min(c.row + c.row_span, table.n_rows)):
            covered.setdefault(r, []).append(c.header)
    n = 0
    while n < table.n_rows - 1 and covered.get(n) and all(covered[n]):
        n += 1
    return n


def table_to_dataframe(table: Table, header: Literal["multiindex", "flat"] = "multiindex",
                       span_policy: SpanPolicy = "repeat") -> Any:
    """The table as a pandas DataFrame: its header rows as the columns (a MultiIndex for several header rows with
    `multiindex`, one "Upper / Lower" label per column with `flat`), the other rows as data; spanned body cells
    filled by `span_policy`. Header spans are always repeated (a column label names every column it covers).

    Example:
        >>> df = table_to_dataframe(block.table)
        >>> df.columns.tolist()   # [('Segment', ''), ('Revenue', '2024'), ('Revenue', '2025')]
    """
    pd = need_extra("pandas", "pandas", "pandas")
    h = header_rows(table)
    labels, body = grid(table, "repeat")[:h], grid(table, span_policy)[h:]
    if h == 0:
        columns: Any = pd.RangeIndex(table.n_cols)
    elif h == 1 or header == "flat":
        columns = pd.Index([" / ".join(dict.fromkeys(p for p in parts if p)) for parts in zip(*labels)])
    else:
        columns = pd.MultiIndex.from_arrays(labels)
    return pd.DataFrame(body, columns=columns)


def _sheet_name(caption: str, n: int, used: set[str]) -> str:
    name = _SHEET_BAD.sub(" ", caption).strip().strip("'")[:28] or f"Table {n}"
    base, k = name, 2
    while name.lower() in used:
        name = f"{base[:25]} ({k})"
        k += 1
    used.add(name.lower())
    return name


def _put(sheet: Any, row: int, col: int, text: str | int, bold: bool = False) -> None:
    """A cell that is always a string (or one of our own counts): text starting with '=' stays text (openpyxl
    would write a formula), characters a workbook cannot hold are left out."""
    cell = sheet.cell(row=row, column=col)
    if isinstance(text, int):
        cell.value = text
    else:
        cell.value = _CONTROL.sub("", text)
        cell.data_type = "s"
    if bold:
        from openpyxl.styles import Font
        cell.font = Font(bold=True)


def to_xlsx(doc: Document) -> bytes:
    """Every logical table (continued tables joined) on a sheet of its own, named after its caption, spans as
    merged cells, header rows bold and frozen; a first sheet lists each table with its page(s) and caption."""
    openpyxl = need_extra("openpyxl", "xlsx", "openpyxl")
    book = openpyxl.Workbook()
    index = book.active
    index.title = "Tables"
    for k, label in enumerate(("table", "sheet", "page", "caption", "rows", "columns"), 1):
        _put(index, 1, k, label, bold=True)
    index.freeze_panes = "A2"
    texts = {b.id: b.text for b in doc.blocks}
    used = {"tables"}
    n = 0
    blocks = doc.blocks
    position = {b.id: i for i, b in enumerate(blocks)}
    for block, table in logical_blocks(blocks):
        if block.kind != "table" or table is None:
            continue
        n += 1
        caption = " ".join(texts[i] for i in caption_ids(blocks, position[block.id]) if i in texts)
        sheet = book.create_sheet(_sheet_name(caption, n, used))
        h = header_rows(table)
        covered: set[tuple[int, int]] = set()  # slots a span already holds: a cell overlapping one is not merged
        for c in sorted(table.cells, key=lambda c: (c.row, c.col)):
            if (c.row, c.col) in covered:
                continue
            _put(sheet, c.row + 1, c.col + 1, c.text, bold=c.header and c.row < max(h, 1))
            rows = range(c.row, min(c.row + c.row_span, table.n_rows))
            cols = range(c.col, min(c.col + c.col_span, table.n_cols))
            slots = {(r, k) for r in rows for k in cols}
            if len(slots) > 1 and not slots & covered:
                sheet.merge_cells(start_row=c.row + 1, start_column=c.col + 1, end_row=rows[-1] + 1,
                                  end_column=cols[-1] + 1)
                covered |= slots
        if h:
            sheet.freeze_panes = sheet.cell(row=h + 1, column=1).coordinate
        pages = _pages(block, blocks, position)
        for k, value in enumerate((n, sheet.title, pages, caption, table.n_rows, table.n_cols), 1):
            _put(index, n + 1, k, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pages(block: Block, blocks: list[Block], position: dict[str, int]) -> str:
    """The page a table is on, or first-last for one continued over several."""
    last = block.page
    if block.table is not None and block.table.continued == "begin":
        for later in blocks[position[block.id] + 1:]:
            if later.table is not None and later.table.continued in ("inner", "end"):
                last = later.page
                if later.table.continued == "end":
                    break
    return str(block.page) if last == block.page else f"{block.page}-{last}"
