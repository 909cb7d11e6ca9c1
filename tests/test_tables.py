"""Table reconstruction: HTML, markdown pipe tables, dense rows; repairs; the round-trip property."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exporters import table_to_csv, table_to_html
from normalizer import NormalizeError
from normalizer.errors import Repairs
from normalizer.schema import Cell, Table
from normalizer.tables import from_html, from_markdown, from_rows, grid_problems


def layout(table: Table) -> list[tuple]:
    return [(c.row, c.col, c.row_span, c.col_span, c.text, c.header) for c in table.cells]


def parse(html: str, strict: bool = False):
    repairs = Repairs(strict)
    parsed = from_html(html, repairs, "$.t")
    assert grid_problems(parsed.table) == []
    return parsed, repairs.warnings


def test_thead_rowspan_colspan():
    parsed, warnings = parse('<table><thead><tr><th rowspan="2">Region</th><th colspan="2">Revenue</th></tr>'
                             '<tr><th>2024</th><th>2025</th></tr></thead><tbody><tr><td>North</td><td>1</td>'
                             '<td>2</td></tr></tbody></table>')
    assert warnings == []
    assert (parsed.table.n_rows, parsed.table.n_cols) == (3, 3)
    assert layout(parsed.table) == [
        (0, 0, 2, 1, "Region", True), (0, 1, 1, 2, "Revenue", True), (1, 1, 1, 1, "2024", True),
        (1, 2, 1, 1, "2025", True), (2, 0, 1, 1, "North", False), (2, 1, 1, 1, "1", False),
        (2, 2, 1, 1, "2", False)]


def test_th_outside_thead_is_header_and_entities_breaks_tags_are_text():
    parsed, _ = parse("<TABLE><TR><TH>A &amp; B</TH><td>x<br/>y <b>bold</b>&nbsp;</td></TR></TABLE>")
    assert layout(parsed.table) == [(0, 0, 1, 1, "A & B", True), (0, 1, 1, 1, "x\ny bold", False)]


def test_unclosed_cells_and_rows_like_browsers():
    parsed, _ = parse("<table><tr><td>a<td>b<tr><td>c<td>d</table>")
    assert [c.text for c in parsed.table.cells] == ["a", "b", "c", "d"]


def test_colspan_overflowing_the_grid_is_cut_and_reported():
    parsed, warnings = parse("<table><tr><td colspan=5>wide</td></tr><tr><td>a</td><td>b</td></tr>"
                             "<tr><td>c</td><td>d</td></tr></table>")
    assert parsed.table.n_cols == 2
    assert layout(parsed.table)[0] == (0, 0, 1, 2, "wide", False)
    assert any("colspan=5" in w for w in warnings)


def test_rowspan_past_the_last_row_is_cut():
    parsed, warnings = parse("<table><tr><td rowspan=7>a</td><td>b</td></tr><tr><td>c</td></tr></table>")
    assert layout(parsed.table)[0] == (0, 0, 2, 1, "a", False)
    assert any("rowspan=7" in w for w in warnings)


def test_ragged_rows_are_padded_and_reported():
    parsed, warnings = parse("<table><tr><td>a</td><td>b</td><td>c</td></tr><tr><td>d</td></tr></table>")
    assert parsed.table.n_cols == 3
    assert [(c.row, c.col, c.text) for c in parsed.table.cells][-2:] == [(1, 1, ""), (1, 2, "")]
    assert any("ragged" in w for w in warnings)


def test_bogus_header_rowspan_colliding_with_a_full_row_is_repaired():
    # SoMark's known quirk: header cells claim rowspan=2 while the next row is a complete data row
    parsed, warnings = parse("<table><tr><th rowspan=2>Name</th><th rowspan=2>Qty</th><th>Price</th></tr>"
                             "<tr><td>Widget</td><td>2</td><td>10.00</td></tr></table>")
    assert (parsed.table.n_rows, parsed.table.n_cols) == (2, 3)
    assert [c.row_span for c in parsed.table.cells] == [1, 1, 1, 1, 1, 1]
    assert [c.text for c in parsed.table.cells if c.row == 1] == ["Widget", "2", "10.00"]
    assert sum("collides" in w for w in warnings) == 2


def test_strict_mode_raises_with_the_path_instead_of_repairing():
    with pytest.raises(NormalizeError) as err:
        from_html("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", Repairs(True), "$.pages[0].html")
    assert err.value.path == "$.pages[0].html" and "ragged" in err.value.message


def test_nested_table_becomes_text_of_its_cell_and_caption_is_kept():
    parsed, _ = parse("<table><caption>Cap</caption><tr><td>x<table><tr><td>in</td></tr></table></td>"
                      "<td>y</td></tr></table>")
    assert [c.text for c in parsed.table.cells] == ["x in", "y"]
    assert parsed.caption == "Cap"


def test_hostile_span_is_clamped():
    parsed, warnings = parse('<table><tr><td colspan="99999999">a</td><td rowspan="-3">b</td></tr></table>')
    assert parsed.table.n_cols <= 1001
    assert any("clamped" in w for w in warnings)


def test_no_table_at_all():
    parsed, warnings = parse("<p>nothing</p>")
    assert (parsed.table.n_rows, parsed.table.n_cols) == (0, 0) and warnings


def test_markdown_pipe_table_with_escapes_code_and_markup():
    src = "| a \\| b | `c\\|d` | **bold** |\n|---|:-:|--:|\n| # x | - y | back\\\\slash |\n| 1 |\n"
    repairs = Repairs()
    table = from_markdown(src, repairs, "$.md").table
    assert (table.n_rows, table.n_cols) == (3, 3)
    assert [c.text for c in table.cells] == ["a | b", "c|d", "bold", "# x", "- y", "back\\slash", "1", "", ""]
    assert [c.header for c in table.cells][:3] == [True] * 3
    assert repairs.warnings == []  # GFM pads short rows itself


def test_dense_rows_keep_number_spelling_and_null():
    table = from_rows([["a", 1, 2.5], ["b", None, True]], header_rows=1)
    assert [c.text for c in table.cells] == ["a", "1", "2.5", "b", "", "true"]
    assert [c.header for c in table.cells] == [True] * 3 + [False] * 3


# --- the round-trip property ---------------------------------------------------------------------

@st.composite
def span_layouts(draw) -> Table:
    """Any valid layout: scan slots in order, each free slot starts a rectangle of free slots."""
    n_rows = draw(st.integers(1, 6))
    n_cols = draw(st.integers(1, 6))
    taken = [[False] * n_cols for _ in range(n_rows)]
    cells = []
    text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8)
    header_rows = draw(st.integers(0, n_rows))
    for r in range(n_rows):
        for c in range(n_cols):
            if taken[r][c]:
                continue
            max_w = 1
            while c + max_w < n_cols and not taken[r][c + max_w]:
                max_w += 1
            w = draw(st.integers(1, max_w))
            h = draw(st.integers(1, n_rows - r))
            while any(taken[rr][cc] for rr in range(r, r + h) for cc in range(c, c + w)):
                h -= 1
            for rr in range(r, r + h):
                for cc in range(c, c + w):
                    taken[rr][cc] = True
            cells.append(Cell(row=r, col=c, row_span=h, col_span=w, text=" ".join(draw(text).split()),
                              header=r < header_rows))
    return Table(n_rows=n_rows, n_cols=n_cols, cells=cells)


@settings(max_examples=300, deadline=None)
@given(span_layouts())
def test_any_valid_span_layout_survives_html_and_back(table):
    assert grid_problems(table) == []
    html = table_to_html(table)
    repairs = Repairs(strict=True)
    back = from_html(html, repairs, "$").table
    assert (back.n_rows, back.n_cols) == (table.n_rows, table.n_cols), html
    assert layout(back) == layout(table), html


def test_csv_span_policies():
    table = Table(n_rows=2, n_cols=2, cells=[Cell(row=0, col=0, col_span=2, text='a,"b"'),
                                             Cell(row=1, col=0, text="c"), Cell(row=1, col=1, text="d")])
    assert table_to_csv(table) == '"a,""b""","a,""b"""\r\nc,d\r\n'
    assert table_to_csv(table, "anchor") == '"a,""b""",\r\nc,d\r\n'


def test_a_colspan_running_into_a_rowspan_from_above_is_repaired_not_overlapped():
    repairs = Repairs()
    table = from_html("<table><tr><td>a</td><td rowspan=2>b</td></tr><tr><td colspan=2>c</td></tr></table>",
                      repairs, "$.html").table
    assert not grid_problems(table)
    assert [(c.row, c.col, c.row_span, c.col_span, c.text) for c in table.cells] == \
        [(0, 0, 1, 1, "a"), (0, 1, 1, 1, "b"), (1, 0, 1, 2, "c")]
    assert repairs.warnings == ["$.html: row 0: rowspan=2 of 'b' collides with the complete row 1; cut to 1"]
    with pytest.raises(NormalizeError, match=r"^\$\.html: row 0: rowspan=2"):
        from_html("<table><tr><td>a</td><td rowspan=2>b</td></tr><tr><td colspan=2>c</td></tr></table>",
                  Repairs(True), "$.html")
