"""Table reconstruction shared by every converter: HTML, markdown pipe tables and dense rows -> cells.

The result always satisfies the canonical invariant: every slot of the n_rows x n_cols grid is covered by
exactly one cell. Whatever had to be bent to get there (spans past the grid, ragged rows, the known bogus
header rowspan) is repaired and reported through `repairs`, with the JSON path of the source.
"""

from __future__ import annotations

import html as _html
import re
from typing import Any, Iterable, NamedTuple

from .errors import Repairs
from .schema import Cell, Table

MAX_SPAN = 1000  # the HTML spec's colspan limit; also keeps a hostile rowspan from exploding the grid
MAX_GRID_FLOOR = 65_536  # grid slots any table may have, whatever its cell count (see `grid_limit`)


class ParsedTable(NamedTuple):
    table: Table
    caption: str | None


class _RawCell(NamedTuple):
    text: str
    row_span: int  # 0 = to the end of the table, as in HTML
    col_span: int
    header: bool


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
        fragment = _html.unescape(fragment)
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
        else:
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


# --- grid placement -------------------------------------------------------------------------------

def place(rows: list[list[_RawCell]], repairs: Repairs, path: str) -> Table:
    """Lay raw rows out on a grid the way HTML does, repairing what cannot fit."""
    n_rows = len(rows)
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
    padded = 0
    for r in range(n_rows):
        for c in range(n_cols):
            if owner[r][c] is None:
                cell = Cell(row=r, col=c)
                owner[r][c] = cell
                cells.append(cell)
                padded += 1
    if padded:
        _report_padding(padded, n_cols, repairs, path)
    cells.sort(key=lambda c: (c.row, c.col))
    return Table(n_rows=n_rows, n_cols=n_cols, cells=cells)


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


def plain_text(table: Table) -> str:
    """Rows on lines, cells separated by tabs: the table's text for search, diff and plain exports."""
    lines: list[list[str]] = [[] for _ in range(table.n_rows)]
    for cell in table.cells:
        lines[cell.row].append(cell.text)
    return "\n".join("\t".join(line).replace("\n", " ") for line in lines)
