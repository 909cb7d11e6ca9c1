"""Reconstructed tables: HTML with rowspan/colspan, and CSV under a span policy."""

from __future__ import annotations

import csv
import io
import re
from html import escape
from typing import Literal

from normalizer.schema import Table

SpanPolicy = Literal["html", "repeat", "anchor"]


def table_to_html(table: Table) -> str:
    """A `<table>` whose spans are explicit; header rows (all cells `header`) go in `<thead>`; text escaped.

    Example:
        >>> from normalizer.schema import Cell, Table
        >>> table_to_html(Table(n_rows=1, n_cols=2, cells=[Cell(row=0, col=0, col_span=2, text="a&b")]))
        '<table><tbody><tr><td colspan="2">a&amp;b</td></tr></tbody></table>'
    """
    rows: list[list[str]] = [[] for _ in range(table.n_rows)]
    for cell in sorted(table.cells, key=lambda c: (c.row, c.col)):
        tag = "th" if cell.header else "td"
        attrs = (f' rowspan="{cell.row_span}"' if cell.row_span > 1 else "") + \
                (f' colspan="{cell.col_span}"' if cell.col_span > 1 else "")
        text = escape(cell.text).replace("\n", "<br>")
        rows[cell.row].append(f"<{tag}{attrs}>{text}</{tag}>")
    head_rows = header_rows(table)
    parts = ["<table>"]
    if head_rows:
        parts.append("<thead>" + "".join(f"<tr>{''.join(r)}</tr>" for r in rows[:head_rows]) + "</thead>")
    parts.append("<tbody>" + "".join(f"<tr>{''.join(r)}</tr>" for r in rows[head_rows:]) + "</tbody>")
    parts.append("</table>")
    return "".join(parts)


def header_rows(table: Table) -> int:
    """Leading rows made only of header cells (cells spanning down from them included)."""
    by_row: dict[int, list[bool]] = {}
    for cell in table.cells:
        by_row.setdefault(cell.row, []).append(cell.header)
    n = 0
    while n < table.n_rows and by_row.get(n) and all(by_row[n]):
        n += 1
    # a header cell spanning below the header block would split across thead/tbody: stop before it
    while n > 0 and any(c.header and c.row < n < c.row + c.row_span for c in table.cells):
        n -= 1
    return n


def grid(table: Table, span_policy: SpanPolicy = "repeat") -> list[list[str]]:
    """The table as a dense grid of texts; covered slots repeat the text (`repeat`) or stay empty."""
    out = [[""] * table.n_cols for _ in range(table.n_rows)]
    for cell in table.cells:
        for r in range(cell.row, min(cell.row + cell.row_span, table.n_rows)):
            for c in range(cell.col, min(cell.col + cell.col_span, table.n_cols)):
                if span_policy == "repeat" or (r == cell.row and c == cell.col):
                    out[r][c] = cell.text
    return out


def table_to_csv(table: Table, span_policy: SpanPolicy = "repeat", *, raw: bool = False) -> str:
    """CSV (RFC 4180 quoting). CSV has no spans: `html` falls back to `anchor`.

    A cell that a spreadsheet would run as a formula is written with a leading `'`, as OWASP recommends: one
    that starts with `=`, `+`, `-`, `@`, a tab or a carriage return, unless it is a plain number that Excel and
    LibreOffice read as a number without evaluating anything (`inert`); `raw=True` writes every cell as it is.

    Example:
        >>> from normalizer.schema import Cell, Table
        >>> table_to_csv(Table(n_rows=1, n_cols=2, cells=[Cell(row=0, col=0, text="=1+1"), Cell(row=0, col=1, text="-3")]))
        "'=1+1,-3\\r\\n"
    """
    rows = grid(table, "repeat" if span_policy == "repeat" else "anchor")
    if not raw:
        rows = [[inert(text) for text in row] for row in rows]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows(rows)
    return buf.getvalue()


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A signed plain number, the only thing starting with + or - that is left as it is: digits, either grouped
# in threes by one separator with the other as the decimal mark ("1,204.5", "1.204,5") or ungrouped with
# either mark ("3.1", "3,1"), and an optional percent sign right after. Nothing else: no spaces (a space is
# Excel's intersection operator: "+1 2" is a formula), exponents, currency, brackets or second signs.
_PLAIN_NUMBER = tuple(re.compile(pattern) for pattern in (
    r"[+-][0-9]+(?:[.,][0-9]+)?%?",                 # 3, 3.1, 3,1
    r"[+-][0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?%?",  # 1,204 and 1,204.5
    r"[+-][0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?%?",  # 1.204 and 1.204,5
))


def inert(text: str) -> str:
    """A CSV cell no spreadsheet runs as a formula: `text` with a leading `'` when it starts with a formula
    trigger (`=`, `+`, `-`, `@`, tab, carriage return), unless it is a signed plain number (`_PLAIN_NUMBER`),
    which Excel and LibreOffice read as that number ("+7.8%" is 0.078, not a formula), so it is left as it is.

    Example:
        >>> [inert(t) for t in ("+7.8%", "-1,204.5", "+7.8%+A1", "+1 2", "=1+1", "plain")]
        ['+7.8%', '-1,204.5', "'+7.8%+A1", "'+1 2", "'=1+1", 'plain']
    """
    if text.startswith(_FORMULA_START) and not any(p.fullmatch(text) for p in _PLAIN_NUMBER):
        return "'" + text
    return text


_inert = inert  # the name exporters.diff.corpus imports
