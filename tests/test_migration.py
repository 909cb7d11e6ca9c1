"""Format migration: every sample into DoclingDocument JSON, unstructured elements, LangChain and LlamaIndex, pandas
and Excel, each read back by the target's own library."""

from __future__ import annotations

import html
import io
import json
import re
import sys
import warnings

import pytest

from exporters.docling import to_docling
from exporters.elements import to_elements
from normalizer.kinds import row as kind_row
from exporters.frameworks import records, to_langchain, to_langchain_jsonl, to_llama_index
from exporters.spreadsheets import header_rows, table_to_dataframe, to_xlsx
from normalizer import load
from normalizer.schema import Block, Cell, Document, Page, Table
from viewer.cli import main

from .conftest import SAMPLES, sample_files

DOCS = [(f"{p.parent.name}/{p.name}#{i}", d) for p in sample_files() for i, d in enumerate(load(p))]
ANNUAL = load(SAMPLES / "llamacloud" / "annual_report_v2.json")[0]


def _norm(text: str) -> str:
    """Text as docling-core's Markdown shows it, for comparing: entities and escapes undone, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(text).replace("\\", "")).strip()


@pytest.mark.parametrize("name, doc", DOCS, ids=[n for n, _ in DOCS])
def test_docling_core_loads_every_export_and_its_markdown_has_our_content(name, doc):
    docling = pytest.importorskip("docling_core.types.doc")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # docling-core warns of boxes past the page edge (a provider's own)
        loaded = docling.DoclingDocument.model_validate_json(to_docling(doc))
        markdown = _norm(loaded.export_to_markdown())
    for b in doc.blocks:
        texts = [c.text for c in b.table.cells] if b.table else \
            [b.text] if b.kind in ("heading", "paragraph", "list_item") else []
        for text in texts:
            assert _norm(text) in markdown, (b.id, text)
    assert len(loaded.tables) == sum(1 for b in doc.blocks if b.kind == "table" and b.table)
    assert sorted(int(k) for k in loaded.pages) == [p.number for p in doc.pages]


def test_the_docling_export_keeps_levels_spans_lists_captions_furniture_and_provenance():
    data = json.loads(to_docling(ANNUAL))
    headers = [(t["text"], t.get("level")) for t in data["texts"] if t["label"] == "section_header"]
    assert ("1. Letter to shareholders", 1) in headers  # our level 2: the first level under Docling's title
    assert [t["text"] for t in data["texts"] if t["label"] == "title"] == ["Annual Report 2025"]
    table = data["tables"][0]
    spans = {(c["start_row_offset_idx"], c["start_col_offset_idx"]):  # docling-core's defaults are left out
             (c.get("row_span", 1), c.get("col_span", 1), c.get("column_header", False))
             for c in table["data"]["table_cells"]}
    assert spans[(0, 1)] == (1, 2, True) and spans[(0, 0)] == (2, 1, True)  # "Revenue (EUR m)" over two years
    assert table["captions"] and data["texts"][int(table["captions"][0]["$ref"].rsplit("/", 1)[1])]["label"] == "caption"
    lists = [g for g in data["groups"] if g["label"] == "list"]
    nested = [g for g in lists if g["parent"]["$ref"].startswith("#/texts/")]
    assert lists and nested  # a deeper list item opens a group under the item before it
    furniture = [t for t in data["texts"] if t.get("content_layer") == "furniture"]
    assert furniture and all(t["label"] in ("page_header", "page_footer") for t in furniture)
    prov = data["texts"][1]["prov"][0]
    assert prov["page_no"] == 1 and prov["bbox"]["coord_origin"] == "TOPLEFT" and prov["charspan"][0] == 0
    assert data["pages"]["1"] == {"size": {"width": 612.0, "height": 792.0}, "page_no": 1}


@pytest.mark.parametrize("name, doc", DOCS, ids=[n for n, _ in DOCS])
def test_unstructured_reads_every_elements_export(name, doc):
    staging = pytest.importorskip("unstructured.staging.base")
    elements = staging.elements_from_json(text=to_elements(doc).decode())
    assert len(elements) == len(doc.blocks)
    for element, block in zip(elements, doc.blocks):
        expected = kind_row(block.kind).element
        assert element.category == {"Footnote": "Footer"}.get(expected, expected)
        assert element.metadata.page_number == block.page
        if block.table is not None:
            assert element.metadata.text_as_html.startswith("<table")


def test_elements_carry_coordinates_parents_depth_and_confidence():
    data = json.loads(to_elements(ANNUAL))
    by_id = {e["element_id"]: e for e in data}
    letter = next(e for e in data if e["text"] == "1. Letter to shareholders")
    assert letter["type"] == "Title" and letter["metadata"]["category_depth"] == 1
    child = next(e for e in data if e["metadata"].get("parent_id") == letter["element_id"])
    assert by_id[child["metadata"]["parent_id"]] is letter
    coordinates = letter["metadata"]["coordinates"]
    assert coordinates["system"] == "PointSpace" and coordinates["layout_width"] == 612.0
    assert len(coordinates["points"]) == 4
    somark = load(SAMPLES / "somark" / "oxr_paper_sync.json")[0]
    assert json.loads(to_elements(somark))[0]["metadata"]["coordinates"]["system"] == "PixelSpace"
    assert json.loads(to_elements(ANNUAL)) == data  # ids are stable


def test_records_by_chunk_page_and_block_with_their_metadata():
    chunks = records(ANNUAL, "chunk")
    assert chunks and all(r.metadata["provider"] == "llamacloud" and r.metadata["pages"] for r in chunks)
    assert any(r.metadata["heading_path"] for r in chunks) and all("chunk_id" in r.metadata for r in chunks)
    pages = records(ANNUAL, "page")
    assert [r.metadata["page"] for r in pages] == [1, 2, 3]
    blocks = records(ANNUAL, "block")
    assert len(blocks) == len(ANNUAL.blocks) and blocks[3].metadata["bboxes"][0][0] == blocks[3].metadata["page"]
    ragflow = load(SAMPLES / "ragflow" / "retrieval_two_documents.json")[0]
    assert any("score" in r.metadata for r in records(ragflow, "chunk"))
    lines = to_langchain_jsonl(ANNUAL).splitlines()
    assert len(lines) == len(chunks) and set(json.loads(lines[0])) == {"id", "page_content", "metadata"}
    with pytest.raises(ValueError, match="unit"):
        records(ANNUAL, "sentence")  # type: ignore[arg-type]


def test_langchain_and_llama_index_objects():
    pytest.importorskip("langchain_core")
    pytest.importorskip("llama_index.core")
    from langchain_core.documents import Document as LCDocument
    from llama_index.core.schema import NodeRelationship, TextNode
    docs = to_langchain(ANNUAL, unit="page")
    assert all(isinstance(d, LCDocument) for d in docs) and docs[0].metadata["page"] == 1
    nodes = to_llama_index(ANNUAL)
    assert all(isinstance(n, TextNode) for n in nodes)
    assert nodes[1].relationships[NodeRelationship.PREVIOUS].node_id == nodes[0].node_id
    assert nodes[0].relationships[NodeRelationship.NEXT].node_id == nodes[1].node_id
    assert nodes[0].relationships[NodeRelationship.SOURCE].node_id == ANNUAL.file_name
    assert "bboxes" not in nodes[0].get_content(metadata_mode="embed")


@pytest.mark.parametrize("module, fn, extra", [("langchain_core.documents", to_langchain, "langchain"),
                                               ("llama_index.core.schema", to_llama_index, "llamaindex")])
def test_without_the_library_the_error_gives_the_pip_command(monkeypatch, module, fn, extra):
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImportError, match=re.escape(f"pip install 'docnorm[{extra}]'")):
        fn(ANNUAL)


def _spanned() -> Table:
    return Table(n_rows=4, n_cols=3, cells=[
        Cell(row=0, col=0, row_span=2, text="Segment", header=True), Cell(row=0, col=1, col_span=2, text="Revenue",
                                                                          header=True),
        Cell(row=1, col=1, text="2024", header=True), Cell(row=1, col=2, text="2025", header=True),
        Cell(row=2, col=0, text="North"), Cell(row=2, col=1, row_span=2, text="=SUM(A1)"), Cell(row=2, col=2, text="5"),
        Cell(row=3, col=0, text="South"), Cell(row=3, col=2, text="7")])


def test_a_table_as_a_dataframe_with_a_multiindex_or_flat_header():
    pytest.importorskip("pandas")
    table = _spanned()
    assert header_rows(table) == 2
    df = table_to_dataframe(table)
    assert list(df.columns) == [("Segment", "Segment"), ("Revenue", "2024"), ("Revenue", "2025")]
    assert df.values.tolist() == [["North", "=SUM(A1)", "5"], ["South", "=SUM(A1)", "7"]]
    flat = table_to_dataframe(table, header="flat", span_policy="anchor")
    assert list(flat.columns) == ["Segment", "Revenue / 2024", "Revenue / 2025"]
    assert flat.values.tolist() == [["North", "=SUM(A1)", "5"], ["South", "", "7"]]


def test_xlsx_sheets_merged_spans_bold_frozen_headers_and_no_formulas(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    doc = Document(provider="t", format="docnorm", pages=[Page(number=1)],
                   blocks=[Block(id="c", page=1, kind="caption", text="Table 1: Revenue [EUR m]"),
                           Block(id="t", page=1, kind="table", table=_spanned())])
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(doc)))
    assert book.sheetnames == ["Tables", "Table 1  Revenue  EUR m"]
    index, sheet = book["Tables"], book["Table 1  Revenue  EUR m"]
    assert [c.value for c in index[2]] == [1, "Table 1  Revenue  EUR m", "1", "Table 1: Revenue [EUR m]", 4, 3]
    merged = sorted(str(r) for r in sheet.merged_cells.ranges)
    assert merged == ["A1:A2", "B1:C1", "B3:B4"]  # every span, as in the table
    assert sheet["B3"].value == "=SUM(A1)" and sheet["B3"].data_type == "s"  # text, never a formula
    assert sheet["A1"].font.bold and not sheet["A3"].font.bold and sheet.freeze_panes == "A3"


def test_xlsx_of_every_sample_reads_back_with_every_span(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from exporters.joined import logical_blocks
    for name, doc in DOCS:
        book = openpyxl.load_workbook(io.BytesIO(to_xlsx(doc)))
        tables = [t for b, t in logical_blocks(doc.blocks) if b.kind == "table" and t is not None]
        assert len(book.sheetnames) == len(tables) + 1, name
        for sheet, table in zip(book.worksheets[1:], tables):
            spans = {(c.row + 1, c.col + 1, c.row + c.row_span, c.col + c.col_span) for c in table.cells
                     if c.row_span > 1 or c.col_span > 1}
            got = {(r.min_row, r.min_col, r.max_row, r.max_col) for r in sheet.merged_cells.ranges}
            assert got == spans, name


def test_export_command_writes_each_new_target(tmp_path, capsys):
    source = str(SAMPLES / "llamacloud" / "annual_report_v2.json")
    for target, check in (("docling", lambda b: json.loads(b)["schema_name"] == "DoclingDocument"),
                          ("elements", lambda b: json.loads(b)[0]["type"] == "Header"),
                          ("langchain-jsonl", lambda b: json.loads(b.splitlines()[0])["metadata"]["provider"]),
                          ("xlsx", lambda b: b[:2] == b"PK")):
        out = tmp_path / f"out-{target}"
        assert main(["export", source, "--to", target, "-o", str(out)]) == 0
        assert check(out.read_bytes()), target
    assert main(["export", source, "--to", "tables-csv", "--bom", "-o", str(tmp_path / "csv")]) == 0
    first = sorted((tmp_path / "csv").iterdir())[0].read_bytes()
    assert first.startswith("\ufeff".encode()) and first.count("\ufeff".encode()) == 1


GOLDEN_SAMPLES = ["same_report/harbor_q3_baidu.json", "same_report/harbor_q3_llamacloud_v2.json",
                  "same_report/harbor_q3_somark.json", "llamacloud/annual_report_v2.json", "whisperer/lease_retrieve.json",
                  "ragflow/chunks_agreement.json"]


@pytest.mark.parametrize("sample", GOLDEN_SAMPLES)
def test_golden_docling_elements_and_langchain(sample):
    from .conftest import compare_golden, pretty
    doc = load(SAMPLES / sample)[0]
    stem = sample.rsplit(".", 1)[0]
    compare_golden(f"{stem}.docling.json", pretty(to_docling(doc)))
    compare_golden(f"{stem}.elements.json", pretty(to_elements(doc)))
    compare_golden(f"{stem}.langchain.jsonl", to_langchain_jsonl(doc))
