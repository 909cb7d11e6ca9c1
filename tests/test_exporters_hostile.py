"""A document the normalizer accepts goes through every exporter, however extreme its values: page numbers past
64 bits, boxes reaching 1e308, empty and 20,000-column tables, control characters and U+FFFF; the table diff stays
small in memory whatever the size of its tables; formulas stay math in Markdown; CSV leaves only plain numbers
raw."""

from __future__ import annotations

import csv
import io
import json
import random
import tracemalloc

import pytest
from markdown_it import MarkdownIt

from exporters import diff, table_to_csv, to_markdown
from exporters.formats import EXPORTS, ExportSettings
from normalizer import load, normalize
from normalizer.schema import Block, Cell, Document, Page, Table

from .conftest import leaves, sample_files
from .test_diff import reference_teds

BIG = 2**64
MB = 1 << 20


def _table_doc(table: Table, caption: str | None = None) -> Document:
    blocks = [Block(id="c", page=1, kind="caption", text=caption)] if caption is not None else []
    return Document(provider="t", format="docnorm", pages=[Page(number=1)],
                    blocks=blocks + [Block(id="t", page=1, kind="table", text="t", table=table)])


def _column(texts: list[str]) -> Table:
    return Table(n_rows=len(texts), n_cols=1, cells=[Cell(row=r, col=0, text=t) for r, t in enumerate(texts)])


def _peak(fn):
    """(fn's result, the most memory Python held while it ran, above what it held before)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = fn()
        return result, tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


# --- TEDS: memory bounded like its time ---

def test_diff_of_two_20000_row_tables_stays_small_and_exact():
    """The row alignment stored its full rows x rows matrix: 20,000 rows cost 3.1 GB. Only the band is kept."""
    rows = [f"r{i}" for i in range(20_000)]
    edited = [("x" + t[1:] if i in (100, 5_000, 15_000) else t) for i, t in enumerate(rows)]
    del edited[10_000]
    result, peak = _peak(lambda: diff(_table_doc(_column(rows)), _table_doc(_column(edited))))
    pair = next(p for p in result.pairs if p.teds is not None)
    assert peak < 100 * MB
    assert not pair.teds_approximate
    # one row (2 nodes) gone, and one character of "r100", "r5000" and "r15000" changed
    assert pair.teds == pytest.approx(1 - (2 + 1 / 4 + 1 / 5 + 1 / 6) / 40_001, abs=1e-12)


def test_diff_of_two_20000_row_tables_whose_rows_all_differ_stays_small():
    """Past the comparison budget the bounded alignment ran over every row pair (two m x n matrices, and the
    text distances of all pairs at once): MemoryError at 100,000 rows. It now keeps to a band that fits."""
    a = _column([f"a{i}" for i in range(20_000)])
    b = _column([f"b{i}" for i in range(20_000)])
    result, peak = _peak(lambda: diff(_table_doc(a), _table_doc(b)))
    pair = next(p for p in result.pairs if p.teds is not None)
    assert peak < 100 * MB
    assert pair.teds_approximate and 0.0 <= pair.teds <= 1.0


def test_small_tables_keep_their_exact_teds():
    from exporters.diff.teds import table_diff
    rng = random.Random(11)
    for _ in range(20):
        base = [[rng.choice(["a", "bb", "ccc", ""]) for _ in range(rng.randint(1, 4))] for _ in range(rng.randint(1, 9))]
        width = max(len(r) for r in base)
        base = [r + [""] * (width - len(r)) for r in base]
        other = [[t + "x" if rng.random() < 0.2 else t for t in r] for r in base]
        if len(other) > 1:
            del other[rng.randrange(len(other))]
        a = Table(n_rows=len(base), n_cols=width, cells=[Cell(row=r, col=c, text=t) for r, row in enumerate(base)
                                                         for c, t in enumerate(row)])
        b = Table(n_rows=len(other), n_cols=width, cells=[Cell(row=r, col=c, text=t) for r, row in enumerate(other)
                                                          for c, t in enumerate(row)])
        result = table_diff(a, b)
        assert not result.approximate and result.teds == pytest.approx(reference_teds(a, b))


@pytest.mark.parametrize("m, n", [(1, 1), (20_000, 20_000), (100_000, 10), (10, 100_000), (3, 50_000), (999, 1_000)])
def test_the_bounded_band_never_stores_more_than_its_limit(m, n):
    from exporters.diff.teds import _cell_limit, _stretched
    band = _stretched(m, n, _cell_limit(m, n))
    assert band.cells() <= _cell_limit(m, n)
    assert band.lo[0] == 0 and band.hi[m] == n  # a path from corner to corner
    assert all(band.lo[i] <= band.hi[i - 1] + 1 and band.lo[i - 1] <= band.lo[i] for i in range(1, m + 1))


def test_the_exact_attempt_is_charged_for_each_alignment_it_sets_up(monkeypatch):
    """2,000 rows of two cells, all different: 62,500 small cell alignments (8 s) before the budget ran out, when
    only their 4 comparisons each were charged."""
    from exporters.diff import teds
    calls = []
    real = teds._dp
    monkeypatch.setattr(teds, "_dp", lambda *a, **k: calls.append(1) or real(*a, **k))
    a = Table(n_rows=2_000, n_cols=2, cells=[Cell(row=r, col=c, text=f"a{r}.{c}") for r in range(2_000) for c in range(2)])
    b = Table(n_rows=2_000, n_cols=2, cells=[Cell(row=r, col=c, text=f"b{r}.{c}") for r in range(2_000) for c in range(2)])
    assert teds.table_diff(a, b).approximate
    assert len(calls) <= teds.BUDGET // (4 + teds._SETUP) + 10


def test_teds_is_never_negative():
    """54 one-cell rows against 21 three-cell rows: the row-to-row alignment costs more than the larger tree,
    and the score was -0.18."""
    from exporters.diff.teds import teds
    a = _column(["a"] * 54)
    b = Table(n_rows=21, n_cols=3, cells=[Cell(row=r, col=c, text="b") for r in range(21) for c in range(3)])
    assert teds(a, b) == 0.0


# --- JSON writers: any page number the canonical reader accepts ---

def _big_doc() -> Document:
    raw = {"schema": "docnorm/1", "provider": "t", "format": "docnorm", "file_name": "big.pdf",
           "pages": [{"number": BIG}],
           "blocks": [{"id": "b", "page": BIG, "kind": "paragraph", "text": "x", "bbox": [0, 0, 1, 1]}],
           "chunks": [{"id": "c", "text": "x", "locations": [{"page": BIG, "bbox": [0, 0, 1, 1]}],
                       "scores": {"score": 2**80}}]}
    return normalize(json.dumps(raw).encode())


def _numbers(value):
    return (leaf for leaf in leaves(value) if isinstance(leaf, int))


@pytest.mark.parametrize("target", ["json", "chunks", "docling", "elements", "langchain-jsonl"])
@pytest.mark.parametrize("unit", ["chunk", "page", "block"])
def test_json_writers_write_page_numbers_past_64_bits(target, unit):
    """orjson refused them: `--to langchain-jsonl` failed with "Integer exceeds 64-bit range"."""
    out = EXPORTS[target].write(_big_doc(), ExportSettings(unit=unit))
    text = out.decode() if isinstance(out, bytes) else out
    values = [json.loads(line) for line in text.split("\n") if line.strip()]
    assert BIG in set(_numbers(values))


def test_langchain_records_keep_the_page_and_the_score_as_given():
    line = json.loads(EXPORTS["langchain-jsonl"].write(_big_doc(), ExportSettings()).splitlines()[0])
    assert line["metadata"]["page"] == BIG and line["metadata"]["pages"] == [BIG] and line["metadata"]["score"] == 2**80


# --- XLSX: whatever a table holds ---

def _book(doc: Document):
    openpyxl = pytest.importorskip("openpyxl")
    from exporters.spreadsheets import to_xlsx
    return openpyxl.load_workbook(io.BytesIO(to_xlsx(doc)))


def test_xlsx_shows_characters_a_workbook_cannot_hold():
    """U+FFFF made openpyxl raise; control characters were silently dropped. Both are shown now."""
    text = "a\x00b\x1f\uffff\ufffe\ud800c\td\ne"
    book = _book(_table_doc(Table(n_rows=1, n_cols=1, cells=[Cell(row=0, col=0, text=text)]), caption="cap\x01\uffff"))
    sheet = book.worksheets[1]
    assert sheet["A1"].value == "a\u2400b\u241f\ufffd\ufffd\ufffdc\td\ne"
    assert book["Tables"]["D2"].value == "cap\u2401\ufffd"


def test_xlsx_splits_a_table_wider_than_a_sheet_and_says_so():
    cells = [Cell(row=0, col=c, text=f"h{c}", header=True) for c in range(20_000)]
    cells += [Cell(row=1, col=0, col_span=20_000, text="all")]
    book = _book(_table_doc(Table(n_rows=2, n_cols=20_000, cells=cells), caption="Wide"))
    assert book.sheetnames == ["Tables", "Wide p1", "Wide p2"]
    first, second = book["Wide p1"], book["Wide p2"]
    assert (first.max_column, second.max_column) == (16_384, 3_616)
    assert first["A1"].value == "h0" and second["A1"].value == "h16384" and second["A2"].value == "all"
    assert [str(r) for r in first.merged_cells.ranges] == ["A2:XFD2"]  # the span clipped to each sheet
    assert [str(r) for r in second.merged_cells.ranges] == ["A2:EIB2"]
    index = book["Tables"]
    assert index["G1"].value == "note" and "columns 16,385-20,000" in index["G3"].value
    assert [index[f"B{r}"].value for r in (2, 3)] == ["Wide p1", "Wide p2"]


def test_xlsx_splits_a_table_taller_than_a_sheet(monkeypatch):
    """The same rule for rows (1,048,576 a sheet), shown here with a 3-row sheet."""
    from exporters import spreadsheets
    monkeypatch.setattr(spreadsheets, "MAX_ROWS", 3)
    cells = [Cell(row=0, col=0, text="head", header=True)] + [Cell(row=r, col=0, text=f"r{r}") for r in range(1, 5)]
    cells += [Cell(row=5, col=0, row_span=2, text="tall")]
    book = _book(_table_doc(Table(n_rows=7, n_cols=1, cells=cells), caption="T"))
    assert book.sheetnames == ["Tables", "T p1", "T p2", "T p3"]
    assert [book[n]["A1"].value for n in book.sheetnames[1:]] == ["head", "r3", "tall"]
    assert book["T p1"].freeze_panes == "A2" and "rows 4-6" in book["Tables"]["G3"].value


def test_xlsx_cuts_a_cell_longer_than_excel_holds_and_says_so():
    book = _book(_table_doc(Table(n_rows=1, n_cols=1, cells=[Cell(row=0, col=0, text="x" * 40_000)])))
    value = book.worksheets[1]["A1"].value
    assert len(value) <= 32_767 and value.startswith("x" * 32_000) and "more characters" in value


def test_xlsx_merges_many_spans_without_comparing_each_with_all_earlier(monkeypatch):
    """openpyxl's merge_cells checks a new range against every earlier one: 65,536 spans ran for hours."""
    pytest.importorskip("openpyxl")
    from openpyxl.worksheet.cell_range import CellRange
    compared = []
    real = CellRange.__le__
    monkeypatch.setattr(CellRange, "__le__", lambda self, other: compared.append(1) or real(self, other))
    table = Table(n_rows=4_000, n_cols=1, cells=[Cell(row=2 * r, col=0, row_span=2, text=str(r)) for r in range(2_000)])
    sheet = _book(_table_doc(table)).worksheets[1]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert len(merged) == 2_000 and {"A1:A2", "A3999:A4000"} <= merged
    assert len(compared) < 100


# --- Markdown: formulas stay math ---

GFM = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
FORMULAS = ["7*7*2 = 98", "a*b*c", "f(x)_{a} + g(y)_{b}", "**x** __y__ ~~z~~", "x\n___\ny", "* * *", "_a_ + _b_",
            r"\*a* \_b_ \\*c*", "x^*_{i}^*", "(*a*)", "~a~ ~~b~~", "a_*b*_c", "x*\u2200*y", "*\u00a0*a*"]


@pytest.mark.parametrize("latex", FORMULAS)
def test_formula_text_cannot_become_emphasis(latex):
    """`7*7*2` inside `$$…$$` rendered as 7<em>7</em>2 in any CommonMark reader."""
    out = to_markdown(Document(provider="t", format="docnorm", pages=[Page(number=1)],
                               blocks=[Block(id="f", page=1, kind="formula", text=latex, latex=latex)]))
    rendered = GFM.render(out)
    assert not any(tag in rendered for tag in ("<em>", "<strong>", "<s>", "<del>", "<hr")), rendered
    assert rendered.count("<p>") == 1
    body = out.split("$$\n", 1)[1].rsplit("\n$$", 1)[0]
    assert "".join(body.replace("{}", "").split()) == "".join(latex.split())  # only spaces were added


@pytest.mark.parametrize("latex", ["T_a, T_b", "n_{product} / n_{NaBH_4}", "RH = 100 * p / p_s", r"\sum_{t} (d_t - s_t)"])
def test_formulas_that_open_nothing_are_written_as_they_are(latex):
    out = to_markdown(Document(provider="t", format="docnorm", pages=[Page(number=1)],
                               blocks=[Block(id="f", page=1, kind="formula", text=latex, latex=latex)]))
    assert out == f"$$\n{latex}\n$$\n"


def test_inline_math_in_text_renders_as_itself():
    text = "area $7*7*2$ and $f(x)_{a} + g(y)_{b}$"
    out = to_markdown(Document(provider="t", format="docnorm", pages=[Page(number=1)],
                               blocks=[Block(id="p", page=1, kind="paragraph", text=text)]))
    rendered = GFM.render(out)
    assert "<em>" not in rendered and rendered == f"<p>{text}</p>\n"


# --- CSV: only plain numbers stay raw ---

@pytest.mark.parametrize("text", ["+7.8%", "-3.1", "+8.9%", "-1,204.5", "-1.204,5", "+3,1", "-0", "+12%",
                                  "-1,234,567.89", "1,204.0", "plain", ""])
def test_csv_leaves_plain_numbers_raw(text):
    table = Table(n_rows=1, n_cols=1, cells=[Cell(row=0, col=0, text=text)])
    assert next(csv.reader(io.StringIO(table_to_csv(table), newline="")), [""])[0] == text


@pytest.mark.parametrize("text", ["+7.8%+A1", "+1 2", "-1\n2", "-3.1 ", "+1.2.3", "-1e5", "+.5", "-", "+5–7 %",
                                  "+1,2,3,4", "-2+3", "=1", "@A1", "\t1", "\r1", "+1%%", "-(1)", "-1,23,456"])
def test_csv_neutralizes_everything_else_starting_with_a_trigger(text):
    """`+1 2` was left raw (the old rule allowed spaces: Excel's intersection operator)."""
    table = Table(n_rows=1, n_cols=1, cells=[Cell(row=0, col=0, text=text)])
    assert next(csv.reader(io.StringIO(table_to_csv(table), newline="")))[0] == "'" + text


# --- Every target, every sample and extreme documents ---

HOSTILE = "a\x00b\uffff\ufffe\x01\x1f\x7f\u2028<script>x</script> *x* _y_ $7*7*2$ =1+1 \ud800 [l](javascript:x) end"


def _block(i: int, page: int, kind: str, **fields) -> dict:
    return {"id": f"b{i}", "page": page, "kind": kind, **fields}


def _extreme() -> dict:
    """Canonical JSON at the edges of what the canonical reader accepts."""
    wide = {"n_rows": 1, "n_cols": 20_000, "cells": [{"row": 0, "col": c, "text": f"{c}"} for c in range(20_000)]}
    span = {"n_rows": 1, "n_cols": 20_000, "cells": [{"row": 0, "col": 0, "col_span": 20_000, "text": HOSTILE}]}
    spans = {"n_rows": 2, "n_cols": 3, "cells": [{"row": 0, "col": 0, "row_span": 2, "col_span": 2, "text": HOSTILE,
                                                   "header": True}, {"row": 0, "col": 2, "text": "+7.8%"},
                                                  {"row": 1, "col": 2, "text": "=HYPERLINK(1)"}]}
    return {
        "schema": "docnorm/1", "provider": "t", "format": "docnorm", "file_name": HOSTILE,
        "job": {"id": HOSTILE, "status": "succeeded", "page_count": BIG, "progress": 1.0},
        "pages": [{"number": 1, "width": 1e308, "height": 1e308, "unit": "pt"},
                  {"number": BIG, "width": 5e-324, "height": 1e-300, "unit": "px", "ok": False, "error": HOSTILE},
                  {"number": 10**30, "width": -5, "height": 0}, {"number": 7}],
        "blocks": [
            _block(0, 1, "heading", text=HOSTILE, level=6, bbox=[-1e308, -1e308, 1e308, 1e308]),
            _block(1, BIG, "paragraph", text=HOSTILE, bbox=[0, 0, 1e308, 1e308], confidence=1e308),
            _block(2, 10**30, "list_item", text=HOSTILE, level=64, ordered=True, list_start=-2**62, marker=HOSTILE),
            _block(3, 1, "table", text=HOSTILE, table={"n_rows": 0, "n_cols": 0, "cells": []}),
            _block(4, 1, "table", text="", table=spans),
            _block(5, 1, "table", text="wide", table=wide),
            _block(6, 1, "table", text="span", table=span),
            _block(7, BIG, "formula", text=HOSTILE, latex=HOSTILE, bbox=[1, 1, 1, 1]),
            _block(8, BIG, "figure", text=HOSTILE, image={"url": HOSTILE, "caption": HOSTILE, "page": BIG}),
            _block(9, 1, "code", text=HOSTILE, language=HOSTILE),
            _block(10, 1, "link", text=HOSTILE, url="javascript:" + HOSTILE, extra={"big": BIG, "huge": 10**40}),
            _block(11, 1, "table", text="a", table={"n_rows": 1, "n_cols": 2, "continued": "begin", "cells": [
                {"row": 0, "col": 0, "text": "a"}, {"row": 0, "col": 1, "text": "b"}]}),
            _block(12, BIG, "table", text="b", table={"n_rows": 1, "n_cols": 3, "continued": "end", "cells": [
                {"row": 0, "col": 0, "text": "a"}, {"row": 0, "col": 1, "col_span": 2, "text": "b"}]}),
            _block(13, 1, "caption", text=HOSTILE),
            _block(14, 1, "header", text=HOSTILE), _block(15, 1, "footer", text=HOSTILE),
            _block(16, 1, "page_number", text=str(BIG)),
            _block(17, 7, "other", text="", lines=[{"text": HOSTILE, "top": 1e308, "bottom": 1e308,
                                                    "words": [{"text": "b", "confidence": 1e308}]}]),
            _block(18, 10**30, "paragraph", text=HOSTILE, bbox=[-1e308, -1e308, -1e308, -1e308]),
        ],
        "chunks": [{"id": HOSTILE, "text": HOSTILE, "locations": [{"page": BIG, "bbox": [0, 0, 1e308, 1e308]}],
                    "extra": {"score": BIG, "similarity": 10**40}, "block_ids": ["b1", "nope"], "headings": [HOSTILE]}],
        "images": [{"page": BIG}], "markdown": HOSTILE, "text": HOSTILE, "extra": {"big": BIG, "nested": [[[-BIG]]]},
    }


EXTREME = {"extreme": _extreme(), "extreme without chunks": {**_extreme(), "chunks": []},
           "nothing": {"schema": "docnorm/1", "provider": "t", "format": "docnorm"}}
SETTINGS = [ExportSettings(), ExportSettings(span_policy="repeat", unit="page", bom=True, raw_csv=True),
            ExportSettings(span_policy="anchor", unit="block", remote_images=True)]


def _every_export(doc: Document, settings: list[ExportSettings]) -> None:
    for target in EXPORTS.values():
        for setting in settings:
            out = target.write(doc, setting)
            assert isinstance(out, (str, bytes, list))
    for name in ("json", "docling", "elements"):  # what they write is JSON, or JSON lines
        json.loads(EXPORTS[name].write(doc, ExportSettings()))
    for name in ("chunks", "langchain-jsonl"):  # lines end at "\n" only (a U+2028 in a string is no line end)
        [json.loads(line) for line in EXPORTS[name].write(doc, ExportSettings()).split("\n") if line]


def _every_function(doc: Document) -> None:
    from exporters.docling import to_docling
    from exporters.elements import to_elements
    from exporters.frameworks import to_langchain, to_llama_index
    from exporters.spreadsheets import table_to_dataframe, to_xlsx
    to_docling(doc), to_elements(doc), to_xlsx(doc)
    for unit in ("chunk", "page", "block"):
        to_langchain(doc, unit)
        to_llama_index(doc, unit)
    for block in doc.blocks:
        if block.table is not None:
            table_to_dataframe(block.table, "flat" if block.table.n_cols > 1_000 else "multiindex", "anchor")


@pytest.fixture(scope="module")
def frameworks():
    for module in ("langchain_core", "llama_index.core", "pandas"):
        pytest.importorskip(module)


@pytest.mark.parametrize("name", sorted(EXTREME))
def test_an_extreme_document_goes_through_every_exporter(name, frameworks):
    doc = normalize(json.dumps(EXTREME[name]).encode())
    _every_export(doc, SETTINGS)
    _every_function(doc)
    from exporters.diff import to_diff_html
    to_diff_html(diff(doc, doc))


def test_an_extreme_document_draws_every_page():
    """A page 5e-324 wide asked for a canvas of 10**26 pixels, boxes reaching 1e308 for coordinates Pillow
    cannot take, and a frame made of boxes left of the origin was negative."""
    pytest.importorskip("PIL")
    from exporters.pages.frame import page_frames
    from exporters.pages.render import render_pages
    doc = normalize(json.dumps(_extreme()).encode())
    for width, height, _ in page_frames(doc).values():
        assert 0 < width < float("inf") and 0 < height < float("inf")
    drawn = dict(render_pages(doc, width=200, numbers=True, labels=True))
    assert sorted(drawn) == sorted(p.number for p in doc.pages) and all(png[:4] == b"\x89PNG" for png in drawn.values())
    assert list(render_pages(doc, [1], width=200, compare=doc))


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_sample_goes_through_every_exporter(path, frameworks):
    for doc in load(path):
        _every_export(doc, SETTINGS[:1])
        _every_function(doc)
