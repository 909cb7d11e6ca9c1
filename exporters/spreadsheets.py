"""Tables for analysts: a table as a pandas DataFrame, and every table of a document as an Excel workbook.

Both are optional (`pip install 'docnorm[pandas]'`, `'docnorm[xlsx]'`) and imported only when used.
"""

from __future__ import annotations

import io
import re
from typing import Any, Literal, NamedTuple

from normalizer.schema import Block, Document, Table

from .joined import caption_ids, logical_blocks
from .optional import need_extra

SpanPolicy = Literal["repeat", "anchor"]
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")  # characters Excel refuses in a sheet name
# What XML 1.0 (so an XLSX file) cannot hold: C0 controls but tab, line feed and carriage return, surrogates,
# U+FFFE and U+FFFF. openpyxl raises on them (IllegalCharacterError, or on saving).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_ROWS, MAX_COLS = 1_048_576, 16_384  # an Excel sheet's grid (openpyxl writes more; Excel refuses the file)
MAX_TEXT = 32_767  # characters Excel keeps in a cell


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


def visible(text: str) -> str:
    """`text` as a workbook can hold it, nothing silently lost: a control character becomes its Unicode
    control picture (U+0000 -> U+2400 "␀"), a lone surrogate, U+FFFE or U+FFFF the replacement character
    U+FFFD; past MAX_TEXT characters the text is cut, saying how much was left out."""
    if _NOT_XML.search(text):
        text = _NOT_XML.sub(_picture, text)
    if len(text) > MAX_TEXT:
        note = f" … [{{:,}} more characters: Excel holds {MAX_TEXT:,} a cell]"
        kept = MAX_TEXT - len(note.format(len(text)))
        text = text[:kept] + note.format(len(text) - kept)
    return text


def _picture(m: re.Match[str]) -> str:
    code = ord(m.group())
    return chr(0x2400 + code) if code < 0x20 else "\ufffd"


def _sheet_name(caption: str, n: int, used: set[str], suffix: str = "") -> str:
    """A sheet name Excel accepts: no []:*?/\\, no leading or trailing ', at most 31 characters, unique
    ignoring case (and never Excel's reserved "History"), ending with `suffix` (which part of a split table)."""
    name = _SHEET_BAD.sub(" ", visible(caption)).strip().strip("'")[:28 - len(suffix)].rstrip(" '")
    name = (name or f"Table {n}") + suffix
    base, k = name, 2
    while name.lower() in used:
        tag = f" ({k})"
        name = f"{base[:31 - len(tag)].rstrip(chr(39))}{tag}"
        k += 1
    used.add(name.lower())
    return name


def _put(sheet: Any, row: int, col: int, text: str | int, bold: bool = False) -> None:
    """A cell that is always a string (or one of our own counts): text starting with '=' stays text (openpyxl
    would write a formula), characters a workbook cannot hold are shown as `visible` shows them."""
    cell = sheet.cell(row=row, column=col)
    if isinstance(text, int):
        cell.value = text
    else:
        cell.value = visible(text)
        cell.data_type = "s"
    if bold:
        from openpyxl.styles import Font
        cell.font = Font(bold=True)


class Part(NamedTuple):
    """The piece of a table one sheet holds: its rows and columns (all of them unless the table is larger
    than a sheet)."""
    rows: range
    cols: range


def parts(table: Table) -> list[Part]:
    """The table cut into pieces a sheet can hold, MAX_ROWS x MAX_COLS each, row blocks first: one piece for any
    table that fits (an empty table is one empty piece)."""
    return [Part(range(r, min(r + MAX_ROWS, table.n_rows)), range(c, min(c + MAX_COLS, table.n_cols)))
            for r in range(0, max(table.n_rows, 1), MAX_ROWS) for c in range(0, max(table.n_cols, 1), MAX_COLS)]


def _part_note(table: Table, part: Part, k: int, count: int) -> str:
    """Where a piece of a split table comes from, for the index sheet."""
    return (f"part {k} of {count}: rows {part.rows.start + 1:,}-{part.rows.stop:,}, columns "
            f"{part.cols.start + 1:,}-{part.cols.stop:,} of a {table.n_rows:,} x {table.n_cols:,} table "
            f"(an Excel sheet holds {MAX_ROWS:,} rows and {MAX_COLS:,} columns)")


def _write_part(sheet: Any, table: Table, part: Part, h: int) -> None:
    """The cells of one piece, spans as merged cells clipped to it; a cell crossing into the piece from an
    earlier one is written again at its first slot here, so each sheet reads on its own."""
    r0, c0 = part.rows.start, part.cols.start
    covered: set[tuple[int, int]] = set()  # slots a span already holds: a cell overlapping one is not merged
    for c in sorted(table.cells, key=lambda c: (c.row, c.col)):
        rows = range(max(c.row, r0), min(c.row + c.row_span, table.n_rows, part.rows.stop))
        cols = range(max(c.col, c0), min(c.col + c.col_span, table.n_cols, part.cols.stop))
        if not rows or not cols or (rows[0], cols[0]) in covered:
            continue
        _put(sheet, rows[0] - r0 + 1, cols[0] - c0 + 1, c.text, bold=c.header and c.row < max(h, 1))
        slots = {(r, k) for r in rows for k in cols}
        if len(slots) > 1 and not slots & covered:
            _merge(sheet, rows[0] - r0 + 1, cols[0] - c0 + 1, rows[-1] - r0 + 1, cols[-1] - c0 + 1)
            covered |= slots
    if h and r0 == 0 and h < len(part.rows):
        sheet.freeze_panes = sheet.cell(row=h + 1, column=1).coordinate


def _merge(sheet: Any, first_row: int, first_col: int, last_row: int, last_col: int) -> None:
    """A merged range, added as it is: openpyxl's `merge_cells` checks each new range against every earlier
    one (quadratic: a table of 65,536 spanned cells did not finish in 15 minutes) and fills the covered slots
    with MergedCell objects. Ours never overlap (`covered`) and their covered slots hold no cell, so the range
    is all the file needs (openpyxl and Excel read it back as the same merge)."""
    from openpyxl.worksheet.cell_range import CellRange
    from openpyxl.worksheet.merge import MergedCellRange
    where = CellRange(min_row=first_row, min_col=first_col, max_row=last_row, max_col=last_col).coord
    sheet.merged_cells.ranges.add(MergedCellRange(sheet, where))


def to_xlsx(doc: Document) -> bytes:
    """Every logical table (continued tables joined) on a sheet of its own, named after its caption, spans as
    merged cells, header rows bold and frozen; a first sheet lists each table with its page(s) and caption.
    A table larger than a sheet (16,384 columns, 1,048,576 rows) goes on several, each listed with a note
    saying which rows and columns it holds; text a workbook cannot hold is shown as `visible` shows it."""
    openpyxl = need_extra("openpyxl", "xlsx", "openpyxl")
    book = openpyxl.Workbook()
    index = book.active
    index.title = "Tables"
    for k, label in enumerate(INDEX_COLUMNS, 1):
        _put(index, 1, k, label, bold=True)
    index.freeze_panes = "A2"
    texts = {b.id: b.text for b in doc.blocks}
    used = {"tables", "history"}  # Excel reserves "History"
    n = line = 0
    blocks = doc.blocks
    position = {b.id: i for i, b in enumerate(blocks)}
    for block, table in logical_blocks(blocks):
        if block.kind != "table" or table is None:
            continue
        n += 1
        caption = " ".join(texts[i] for i in caption_ids(blocks, position[block.id]) if i in texts)
        pages, h, pieces = _pages(block, blocks, position), header_rows(table), parts(table)
        for k, part in enumerate(pieces, 1):
            sheet = book.create_sheet(_sheet_name(caption, n, used, f" p{k}" if len(pieces) > 1 else ""))
            _write_part(sheet, table, part, h)
            line += 1
            for col, value in enumerate((n, sheet.title, pages, caption, table.n_rows, table.n_cols), 1):
                _put(index, line + 1, col, value)
            if len(pieces) > 1:  # the note column exists only in a workbook that needs it
                _put(index, 1, len(INDEX_COLUMNS) + 1, "note", bold=True)
                _put(index, line + 1, len(INDEX_COLUMNS) + 1, _part_note(table, part, k, len(pieces)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


INDEX_COLUMNS = ("table", "sheet", "page", "caption", "rows", "columns")


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
