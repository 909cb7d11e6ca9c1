"""Table reconstruction shared by every converter: HTML, markdown pipe tables and dense rows -> cells.

The result always satisfies the canonical invariant: every slot of the n_rows x n_cols grid is covered by
exactly one cell. Whatever had to be bent to get there (spans past the grid, ragged rows, the known bogus
header rowspan) is repaired and reported through `repairs`, with the JSON path of the source.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, NamedTuple

from .errors import Repairs
# The grid is its own module; its names stay importable from here, where the readers have always found them.
from .grid import MAX_GRID_FLOOR, MAX_SPAN, _RawCell, grid_limit, grid_problems, place  # noqa: F401
from .schema import Cell, Table



class ParsedTable(NamedTuple):
    table: Table
    caption: str | None




# --- HTML -----------------------------------------------------------------------------------------

# Every pattern here is linear on any text: a tag's attributes stop at the next "<" as well as at ">", so an
# unterminated tag costs one scan to the next "<", not one to the end of the text per occurrence.
_SPAN = re.compile(r"""\b(rowspan|colspan)\s*=\s*["']?\s*(-?\d+)""", re.I)
_BREAK = re.compile(r"<br\s*/?>|</p\s*>", re.I)
_SPACES = re.compile(r"[ \t\r\f\v]+")
_TABLE_TAG = re.compile(r"<(/?)table\b[^<>]*>?", re.I)
_TH = ("th", "TH", "Th", "tH")


def strip_tags(fragment: str, replacement: str = "") -> str:
    """`fragment` without its tags, comments, and script/style elements (their text too), in one pass.

    A construct that is never closed (`<!--`, `<script`, a `<` with no `>`) keeps the rest as it is, as a
    browser shows text it cannot read as a tag; each closing marker is looked for once, so the cost stays
    linear however many unterminated ones there are.
    """
    if fragment.rfind(">") > fragment.rfind("<") and _SKIPPED_OPENER.search(fragment) is None:
        # every "<" has a ">" after it and nothing is skipped whole: each tag runs to its first ">", which is
        # what the walk below finds, in one C-level pass
        return _TAG.sub(replacement, fragment)
    out: list[str] = []
    lower = fragment.lower()
    missing: set[str] = set()  # closing markers known to be absent after the current position
    i = 0
    while True:
        j = fragment.find("<", i)
        if j < 0:
            out.append(fragment[i:])
            return "".join(out)
        out.append(fragment[i:j])
        closer = ">"
        for opener, element_end in _SKIPPED:
            if lower.startswith(opener, j) and element_end not in missing and \
                    (opener == "<!--" or not lower[j + len(opener):j + len(opener) + 1].isalnum()):
                if lower.find(element_end, j + len(opener)) >= 0:
                    closer = element_end
                    break
                missing.add(element_end)  # never closed: read as a plain tag
        end = -1 if closer in missing else lower.find(closer, j + 1)
        if end < 0:  # a "<" that opens nothing: text
            missing.add(closer)
            out.append("<")
            i = j + 1
            continue
        out.append(replacement)
        i = (end + 1) if closer == ">" else (lower.find(">", end) + 1 or len(fragment))


_SKIPPED = (("<!--", "-->"), ("<script", "</script"), ("<style", "</style"))
_SKIPPED_OPENER = re.compile("|".join(re.escape(opener) for opener, _ in _SKIPPED), re.I)  # any of them, for the shortcut
_TAG = re.compile(r"<[^>]*>")  # used only where every "<" has a ">" after it: linear


def cell_text(fragment: str) -> str:
    """Visible text of an HTML fragment: tags dropped, entities decoded, spaces folded, <br> kept."""
    if "<" in fragment:
        fragment = strip_tags(_BREAK.sub("\n", fragment))
    if "&" in fragment:
        from html import unescape  # here: its entity table is a third of a tiny file's reader imports
        fragment = unescape(fragment)
    fragment = fragment.strip()  # first: a closing </p>'s break is most often the last thing left
    if "\n" in fragment:
        return "\n".join(_SPACES.sub(" ", part).strip() for part in fragment.split("\n"))
    if "  " in fragment or "\t" in fragment or "\r" in fragment or "\f" in fragment or "\v" in fragment:
        return _SPACES.sub(" ", fragment)
    return fragment


def _first_table(source: str) -> tuple[int, str] | None:
    """(start of the first `<table` tag, the table's content up to its `</table`), or None without one."""
    m = _TABLE_TAG.search(source)
    while m is not None and m.group(1):  # a stray closing tag before any table
        m = _TABLE_TAG.search(source, m.end())
    if m is None:
        return None
    close = source.lower().find("</table", m.end())
    return m.start(), source[m.end():close if close >= 0 else len(source)]


def has_html_table(text: str | None) -> bool:
    return bool(text) and "<table" in text.lower()  # type: ignore[union-attr]


# A cell's content runs to the next structural tag; written as an unrolled loop (runs of non-"<" consumed at
# once) because a lazy `.*?` with this lookahead is tried at every character and was most of the parse time.
_TOKENS = re.compile(
    r"<(/?)(thead|tbody|tfoot|tr|caption)\b[^<>]*>"
    r"|<(t[dh])\b([^<>]*)>([^<]*(?:<(?!/?t[dhr]\b|/?t(?:head|body|foot)\b|/?caption\b)[^<]*)*)",
    re.I | re.S)


def from_html(source: str, repairs: Repairs, path: str) -> ParsedTable:
    """The first `<table>` of `source`; a table nested in a cell stays text of that cell."""
    found = _first_table(source)
    if found is None:
        repairs(path, "expected an HTML <table>, found none", "made an empty table")
        return ParsedTable(Table(n_rows=0, n_cols=0), None)
    start, body = found
    if "<table" in body or "<TABLE" in body or _TABLE_TAG.search(body):
        body = _outer_table_body(source, start)
    rows: list[list[_RawCell]] = []
    row: list[_RawCell] | None = None
    caption: str | None = None
    in_head = False
    for closing, tag, cell_tag, attrs, inner in _TOKENS.findall(body):
        if cell_tag:
            if row is None:
                row = []
                rows.append(row)
            row_span = col_span = 1
            if attrs and "span" in attrs:
                for name, number in _SPAN.findall(attrs):
                    value = int(number) if len(number) < 10 else MAX_SPAN + 1  # no 5,000-digit int()
                    if name.lower() == "rowspan":
                        row_span = value
                    else:
                        col_span = value
            # plain tuples here; `place` only builds _RawCell (same fields) on its slow path
            # a plain cell (no tag, entity or odd space: the common case) only needs strip()
            plain = inner.isprintable() and "<" not in inner and "&" not in inner and "  " not in inner
            row.append((inner.strip() if plain else cell_text(inner), row_span, col_span,
                        in_head or cell_tag in _TH))  # type: ignore[arg-type]
            continue
        tag = tag.lower()
        if tag == "tr":
            row = None
            if not closing:
                row = []
                rows.append(row)
        elif tag == "caption":
            if not closing:
                caption = cell_text(_caption_text(body))
        else:  # a section's start or end also ends an open row, as in a browser: cells written straight into a
            # <thead> with no <tr> (unstructured's text_as_html does it) are that section's own row
            row = None
            in_head = tag == "thead" and not closing
    return ParsedTable(place(rows, repairs, path), caption)


def _caption_text(body: str) -> str:
    """The content of the table's `<caption>` element (to its closing tag, or the end)."""
    lower = body.lower()
    start = lower.find("<caption")
    open_end = lower.find(">", start)
    if open_end < 0:
        return ""
    close = lower.find("</caption", open_end)
    return body[open_end + 1:close if close >= 0 else len(body)]


def _outer_table_body(source: str, start: int) -> str:
    """The outer table's content when tables nest: each inner table is flattened to its text."""
    depth = 0
    out: list[str] = []
    last = start
    inner_start = -1
    for m in _TABLE_TAG.finditer(source, start):
        a, b = m.start(), m.end()
        if not m.group(1):
            depth += 1
            if depth == 1:
                last = b
            elif depth == 2:
                out.append(source[last:a])
                inner_start = a
        else:
            depth -= 1
            if depth == 1 and inner_start >= 0:
                out.append(" " + cell_text(strip_tags(source[inner_start:b], " ")) + " ")
                last = b
            elif depth == 0:
                out.append(source[last:a])
                return "".join(out)
    out.append(source[last:])
    return "".join(out)


# --- markdown pipe tables -------------------------------------------------------------------------

_md: Any = None  # markdown-it-py, loaded the first time a pipe table is read (it is a third of the import time)


def from_markdown(source: str, repairs: Repairs, path: str) -> ParsedTable:
    """The first GFM pipe table in `source` (parsed by markdown-it-py, so escapes and code spans hold)."""
    global _md
    if _md is None:
        from markdown_it import MarkdownIt
        _md = MarkdownIt("commonmark").enable("table")
    rows: list[list[_RawCell]] = []
    in_table = header = False
    for token in _md.parse(source):
        kind = token.type
        if kind == "table_open":
            if rows:
                break
            in_table = True
        elif kind == "table_close":
            break
        elif not in_table:
            continue
        elif kind == "thead_open":
            header = True
        elif kind == "thead_close":
            header = False
        elif kind == "tr_open":
            rows.append([])
        elif kind == "inline":
            rows[-1].append(_RawCell(_inline_text(token), 1, 1, header))
    if not rows:
        repairs(path, "expected a markdown pipe table, found none", "made an empty table")
    return ParsedTable(place(rows, repairs, path), None)


def _inline_text(token: Any) -> str:
    parts = []
    for child in token.children or ():
        if child.type == "html_inline" and _BREAK.fullmatch(child.content.strip()):
            parts.append("\n")  # GFM cells cannot hold a newline; exporters write <br>
        elif child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts).strip()


# --- dense rows -----------------------------------------------------------------------------------

def from_rows(rows: Iterable[Iterable[Any]], header_rows: int = 0, repairs: Repairs | None = None,
              path: str = "$") -> Table:
    """A dense grid (no spans). Numbers keep their JSON spelling; null becomes an empty cell. Short rows are
    padded, unless that would pad past `grid_limit` (one long row over thousands of empty ones): then, given
    `repairs`, the rows are laid out as `place` bounds them."""
    grid = [[_scalar_text(v) for v in row] for row in rows]
    n_cols = max((len(row) for row in grid), default=0)
    if n_cols == 0:  # rows without a value: no grid
        return Table(n_rows=0, n_cols=0)
    if repairs is not None and len(grid) * n_cols > grid_limit(sum(map(len, grid))):
        return place([[(text, 1, 1, r < header_rows) for text in row] for r, row in enumerate(grid)], repairs, path)
    cells = [Cell(row=r, col=c, text=row[c] if c < len(row) else "", header=r < header_rows)
             for r, row in enumerate(grid) for c in range(n_cols)]
    return Table(n_rows=len(grid), n_cols=n_cols, cells=cells)


def _scalar_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


# --- helpers for every converter ------------------------------------------------------------------

def plain_text(table: Table) -> str:
    """Rows on lines, cells separated by tabs: the table's text for search, diff and plain exports."""
    lines: list[list[str]] = [[] for _ in range(table.n_rows)]
    for cell in table.cells:
        lines[cell.row].append(cell.text)
    return "\n".join("\t".join(line).replace("\n", " ") for line in lines)
