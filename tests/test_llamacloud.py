"""LlamaCloud v2 and LlamaParse v1: golden canonical output and the behaviour behind it."""

from __future__ import annotations

import pytest

from normalizer import load, normalize, normalize_all
from normalizer.providers import llamacloud_v2
from normalizer.providers.llama_common import V1_STATUS, V2_STATUS

from .conftest import SAMPLES, shared_files

def doc(name: str):
    return load(SAMPLES / "llamacloud" / f"{name}.json")[0]


def by_text(document, text):
    return next(b for b in document.blocks if b.text == text)


def test_item_types_map_to_kinds():
    d = doc("annual_report_v2")
    kinds = {b.kind for b in d.blocks}
    assert kinds >= {"header", "heading", "paragraph", "list_item", "caption", "table", "formula", "figure", "link",
                     "footer", "code", "footnote"}
    assert set(llamacloud_v2.ITEM_TYPES) == {"text", "heading", "list", "code", "table", "image", "link", "header",
                                             "footer"}  # PROVIDERS.md §1.2: every documented item type
    assert set(V2_STATUS) == {"PENDING", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"}
    assert set(V1_STATUS) == {"PENDING", "SUCCESS", "ERROR", "PARTIAL_SUCCESS", "CANCELLED"}


def test_headings_sections_and_nested_lists():
    d = doc("annual_report_v2")
    title = by_text(d, "Annual Report 2025")
    letter = by_text(d, "1. Letter to shareholders")
    assert (title.kind, title.level, title.parent) == ("heading", 1, None)
    assert (letter.level, letter.parent) == (2, title.id)
    items = [b for b in d.blocks if b.kind == "list_item"]
    assert [(b.text, b.level, b.ordered) for b in items] == [
        ("Grow the service business", 1, True), ("Field service in DACH", 2, False),
        ("Remote monitoring", 2, False), ("Keep net debt below 1.5x EBITDA", 1, True)]
    assert all(b.parent == letter.id for b in items)
    assert items[0].extra["list"]["md"].startswith("1. Grow the service business")
    outlook = by_text(d, "3.1 Outlook by segment")
    assert outlook.page == 3 and outlook.parent == by_text(d, "3. Order book").id
    header = next(b for b in d.blocks if b.kind == "header")
    assert header.parent is None


def test_table_from_html_with_spans_and_the_provider_fragments_kept():
    d = doc("annual_report_v2")
    block = next(b for b in d.blocks if b.kind == "table")
    t = block.table
    assert (t.n_rows, t.n_cols) == (5, 4)
    spans = {(c.text): (c.row, c.col, c.row_span, c.col_span, c.header) for c in t.cells}
    assert spans["Segment"] == (0, 0, 2, 1, True)
    assert spans["Revenue (EUR m)"] == (0, 1, 1, 2, True)
    assert spans["Industrial & Energy"] == (2, 0, 1, 1, False)
    assert spans["Group total"] == (4, 0, 1, 3, False)
    assert block.html.startswith("<table>") and block.extra["csv"].startswith("Segment,")
    assert block.extra["parse_concerns"][0]["type"] == "low_confidence_cell"
    assert block.captions == [by_text(d, "Table 1: Revenue by segment").id]


def test_table_fallbacks_markdown_pipe_then_rows():
    d = doc("annual_report_v2")
    tables = [b for b in d.blocks if b.kind == "table" and b.page == 3]
    stub, pipe, dense = tables
    assert [c.text for c in pipe.table.cells] == ["Segment", "2026 guidance", "Industrial | Energy", "+5–7 %",
                                                  "Consumer", "flat"]
    assert [c.text for c in dense.table.cells] == ["Metric", "Value", "Headcount", "4210", "Sites", ""]
    assert (stub.table.n_rows, stub.table.continued) == (0, "end")


def test_cross_page_table_is_marked_begin_end():
    d = doc("annual_report_v2")
    begin = next(b for b in d.blocks if b.kind == "table" and b.page == 2)
    assert begin.table.continued == "begin" and begin.extra["merged_from_pages"] == [2, 3]


def test_formula_figure_caption_link_footer_code():
    d = doc("annual_report_v2")
    formula = next(b for b in d.blocks if b.kind == "formula")
    assert formula.latex == "\\text{EBIT margin} = \\frac{\\text{EBIT}}{\\text{Revenue}} = 9.8\\%"
    figure = next(b for b in d.blocks if b.kind == "figure")
    caption = next(b for b in d.blocks if b.kind == "caption" and b.text == "Figure 1: Order intake by quarter")
    assert figure.captions == [caption.id]
    assert figure.image.url == "page_1_image_1.png" and figure.image.caption == caption.text
    link = next(b for b in d.blocks if b.kind == "link")
    assert link.url == "https://ir.nordwind.example/esg-2025"
    footer = next(b for b in d.blocks if b.kind == "footer")
    assert [ln.text for ln in footer.lines] == ["1", "Nordwind Holding AG"]
    assert footer.lines[0].extra["label"] == "page_number"
    code = next(b for b in d.blocks if b.kind == "code")
    assert code.language == "sql" and code.text.startswith("SELECT")


def test_boxes_confidence_and_multi_box_detail():
    d = doc("annual_report_v2")
    para = next(b for b in d.blocks if b.text.startswith("Dear shareholders"))
    assert para.bbox == [72.0, 128.0, 540.0, 155.0]
    assert para.confidence == pytest.approx(0.92)
    assert [bx["span"] for bx in para.extra["boxes"]] == [[0, 64], [64, 116]]
    heading = by_text(d, "Annual Report 2025")
    assert heading.bbox == [72.0, 60.0, 372.0, 88.0] and heading.extra == {"label": "doc_title", "span": [0, 18]}


def test_pages_job_metadata_images():
    d = doc("annual_report_v2")
    assert [(p.number, p.width, p.height, p.unit, p.ok) for p in d.pages] == [
        (1, 612.0, 792.0, "pt", True), (2, 612.0, 792.0, "pt", True), (3, 612.0, 792.0, "pt", True)]
    assert d.pages[1].rotation == 90 and d.pages[1].extra["watermark"] == "DRAFT"
    assert d.pages[0].printed_number == "1" and d.pages[0].confidence == 0.95
    assert d.pages[0].extra["header_markdown"].startswith("Nordwind")
    assert d.pages[2].extra["revisions"][0]["author"] == "CFO office"
    assert d.job.status == "succeeded" and d.job.provider_status == "COMPLETED" and d.job.page_count == 3
    assert d.file_name == "nordwind_annual_report_2025.pdf"
    assert d.extra["job"]["user_metadata"] == {"batch": "q4-filings"}
    assert d.extra["document_metadata"]["confidence"] == 0.927
    assert [(i.name, i.page, i.bbox) for i in d.images] == [
        ("page_1_image_1.png", 1, [96.0, 424.0, 516.0, 644.0]), ("page_2.jpg", 2, None)]
    assert d.markdown.startswith("# Annual Report 2025") and d.text.startswith("Annual Report 2025")


def test_failed_page_is_kept_and_marked():
    d = doc("failed_page_v2")
    assert [(p.number, p.ok, p.error) for p in d.pages] == [
        (1, True, None), (2, False, "Page processing timed out after 120 s"), (3, True, None)]
    assert [b.page for b in d.blocks] == [1, 1, 3, 3]
    stamp = d.blocks[-1]
    assert stamp.kind == "seal" and stamp.extra["type"] == "stamp"
    assert any("unknown item type 'stamp'" in w for w in d.warnings)


def test_pending_job_only_response_invents_nothing():
    d = doc("pending_job_v2")
    assert (d.job.status, d.job.provider_status, d.job.page_count) == ("queued", "PENDING", None)
    assert d.pages == [] and d.blocks == [] and d.markdown is None


def test_pre_1_0_spelling():
    d = doc("legacy_bbox_v2alpha")
    heading, para = d.blocks
    assert heading.bbox == [72.0, 60.0, 162.0, 82.0] and heading.extra["span"] == [0, 4]
    assert para.bbox == [72.0, 100.0, 540.0, 140.0]
    assert para.extra["boxes"][1] == {"bbox": [320.0, 100.0, 540.0, 140.0], "confidence": 0.8, "label": "text",
                                      "span": [30, 57], "rotation": 0.5}


def test_v1_object():
    d = doc("quarterly_v1")
    assert d.format == "llamaparse.v1" and d.job.page_count == 2
    heading, para, table, formula = [b for b in d.blocks if b.page == 1]
    assert (heading.kind, heading.level, heading.extra["boxes"][0]["span"]) == ("heading", 1, [0, 22])
    assert para.lines[0].text == "Cash position improved to EUR 412 m." and para.lines[0].bbox == [60.0, 90.0, 360.0, 103.0]
    assert [c.text for c in table.table.cells[:3]] == ["Item", "Q2", "Q3"] and table.table.cells[0].header
    assert table.extra["is_perfect_table"] is True
    assert (formula.kind, formula.latex) == ("formula", "E = mc^2")
    layout = d.pages[0].extra["layout"][0]
    assert layout["bbox"] == pytest.approx([0.098 * 612, 0.063 * 792, (0.098 + 0.457) * 612, (0.063 + 0.033) * 792])
    assert d.pages[0].printed_number == "i" and d.pages[1].printed_number is None
    assert d.images[0].bbox == [350.0, 600.0, 550.0, 720.0] and d.images[0].extra["ocr"][0]["text"] == "Cash EUR m"
    assert d.images[1].extra["type"] == "full_page_screenshot"
    assert d.extra["job_metadata"]["job_pages"] == 2


def test_v1_sdk_list_gives_one_document_per_entry():
    docs = load(SAMPLES / "llamacloud" / "quarterly_v1_sdk_list.json")
    assert [(d.job.id, d.file_name, [p.number for p in d.pages]) for d in docs] == [
        ("5e2d8c1a-0b7f-4c3e-9a6d-1f2e3d4c5b6a", "statements/q3_statement.pdf", [1, 2]),
        ("9c8b7a6f-5e4d-4c3b-8a2f-1e0d9c8b7a6f", "statements/q3_statement.pdf", [3])]
    chart = docs[1].blocks[1]
    assert (chart.kind, chart.extra["type"]) == ("figure", "chart")
    assert docs[0].warnings == [] and docs[1].warnings and docs[1].warnings[0].startswith("$[1].pages[0]")
    with pytest.raises(ValueError):
        normalize((SAMPLES / "llamacloud" / "quarterly_v1_sdk_list.json").read_bytes())


def test_v1_job_status_response():
    d = normalize(b'{"id": "j1", "status": "PARTIAL_SUCCESS"}')
    assert (d.format, d.job.status, d.job.provider_status) == ("llamaparse.v1", "succeeded", "PARTIAL_SUCCESS")
    assert any("PARTIAL_SUCCESS" in w for w in d.warnings)
    assert normalize(b'{"id": "j2", "status": "ERROR", "error_message": "bad pdf"}').job.error == "bad pdf"


@pytest.mark.parametrize("path", shared_files("llamacloud_") + shared_files("llamaparse_"), ids=lambda p: p.name)
def test_shared_examples_and_real_captures_normalize(path):
    docs = normalize_all(path.read_bytes())
    assert docs
    for d in docs:
        assert d.provider == "llamacloud"
        assert not [w for w in d.warnings if "expected" in w], d.warnings


def test_real_puffinparse_capture(shared_dir):
    d = normalize((shared_dir / "real" / "llamaparse_v1_result_json_puffinparse.json").read_bytes())
    assert [p.number for p in d.pages] == [1, 2] and d.pages[0].width == 1000
    assert d.blocks[0].kind == "heading" and d.blocks[0].text == "Hello LiteOCR"
    table = next(b for b in d.blocks if b.kind == "table")
    assert [c.text for c in table.table.cells[:3]] == ["Item", "Qty", "Price"]


def test_lists_nested_past_the_canonical_depth_are_clamped_with_a_repair():
    from exporters import to_json
    item = {"type": "text", "value": "deep"}
    for _ in range(90):
        item = {"type": "list", "items": [item]}
    doc = normalize({"job": {"id": "pjb-1", "status": "COMPLETED"},
                     "items": {"pages": [{"page_number": 1, "items": [item]}]}})
    assert max(b.level for b in doc.blocks) == 64 and doc.blocks[0].text == "deep"
    assert sum("nested lists" in w for w in doc.warnings) == 90 - 64  # one for each list past the bound
    assert normalize(to_json(doc)) == doc
