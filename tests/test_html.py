"""HTML exporter: valid HTML5, tables that parse back to the same cells, every provider string inert."""

from __future__ import annotations

import html5lib
import pytest

from exporters import HtmlOptions, to_html
from exporters.joined import logical_blocks
from normalizer import load
from normalizer.errors import Repairs
from normalizer.tables import from_html

from .conftest import SAMPLES, compare_golden, sample_files

JSON_SAMPLES = sample_files()


def documents() -> list:
    """A list, not a generator: pytest 9 deprecates iterators as parameters."""
    return [pytest.param(path, i, doc, id=f"{path.parent.name}/{path.stem}{'-' + str(i) if i else ''}")
            for path in JSON_SAMPLES for i, doc in enumerate(load(path))]


@pytest.mark.parametrize("path,index,doc", documents())
def test_golden_html(path, index, doc):
    compare_golden(f"{path.parent.name}/{path.stem}{'-' + str(index) if index else ''}.html", to_html(doc))


@pytest.mark.parametrize("path,index,doc", documents())
def test_valid_html5_with_a_section_per_page_and_block_attributes(path, index, doc):
    out = to_html(doc)
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    tree = parser.parse(out)  # raises on any HTML5 parse error
    sections = tree.findall(".//section")
    assert [s.get("data-page") for s in sections] == [str(p.number) for p in doc.pages]
    rendered = {e.get("data-block"): e.get("data-kind") for e in tree.iter() if e.get("data-block")}
    furniture_hidden = {b.id for b in doc.blocks if b.kind in ("header", "footer", "page_number")} \
        if not HtmlOptions().furniture else set()
    absorbed = {b.id for b, t in logical_blocks(doc.blocks) if b.kind == "table" and t is None}
    expected = {b.id: b.kind for b in doc.blocks if b.id not in furniture_hidden | absorbed}
    assert rendered == expected


@pytest.mark.parametrize("path,index,doc", documents())
def test_tables_parse_back_to_the_same_cells(path, index, doc):
    out = to_html(doc)
    for block, table in logical_blocks(doc.blocks):
        if table is None or table.n_rows == 0:
            continue
        start = out.index(f'<table data-block="{block.id}"')
        fragment = out[start:out.index("</table>", start) + len("</table>")]
        back = from_html(fragment, Repairs(strict=True), "$").table
        assert back.n_rows == table.n_rows and back.n_cols == table.n_cols
        assert [(c.row, c.col, c.row_span, c.col_span, c.text) for c in back.cells] == \
               [(c.row, c.col, c.row_span, c.col_span, c.text) for c in table.cells]


def test_failed_page_shows_its_error():
    doc = load(SAMPLES / "llamacloud" / "failed_page_v2.json")[0]
    assert '<section class="page failed" data-page="2">' in to_html(doc)
    assert "This page failed: Page processing timed out after 120 s" in to_html(doc)


def test_hostile_payloads_come_out_inert():
    doc = load(SAMPLES / "llamacloud" / "hostile_payloads_v2.json")[0]
    out = to_html(doc)
    tree = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(out)
    assert [e.tag for e in tree.iter() if e.tag in ("script", "img", "svg", "iframe", "object")] == []
    for element in tree.iter():
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            assert "javascript:" not in value.lower(), (element.tag, name, value)
    assert "<script" not in out and "<img" not in out and "&lt;script&gt;" in out
    cells = [c.text for b in doc.blocks if b.table for c in b.table.cells]
    assert cells[:3] == ["Name", "Value", '">']  # provider markup in cells is dropped, never run or shown
    # the payloads are still there, as visible text
    text = "".join(tree.find(".//main").itertext())
    for visible in ["</h1><script>alert('h')</script>", "\"><img src=x onerror=alert('p')>",
                    "<script>alert('page error')</script>"]:
        assert visible in text
