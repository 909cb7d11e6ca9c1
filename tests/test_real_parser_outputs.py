"""The open-source parsers' outputs (tests/data/parsers/, samples/docling/, provenance in PROVENANCE.md beside them):
Docling schema 1.0.0's `cref` refs and `document_index` tables and unstructured's `<thead>` rows without `<tr>`, each
written by the parser's own code; and MinerU's middle.json cross-page merges (a paragraph, a reference list, a table
and its footnote) and model.json read as `mineru.model` (told apart from OmniDocBench's annotation), on files written
by hand in the exact shape MinerU's code writes (no MinerU output under a licence we can ship was found)."""

from __future__ import annotations

import copy
import json
from collections import Counter

import pytest

from exporters import to_json
from normalizer import NormalizeError, detect, load, normalize, normalize_all
from normalizer.errors import Repairs
from normalizer import sniffers
from normalizer.providers import mineru_model
from normalizer.tables import from_html

from .conftest import DATA, SAMPLES

REAL = DATA / "parsers"
PG9 = SAMPLES / "docling" / "2305.03393v1-pg9.json"
REDP = REAL / "docling_redp5110_sampled.v1.0.0.json"
WIKI = REAL / "docling_core_wiki.v1.0.0.json"
IRS = REAL / "unstructured_IRS-2023-Form-1095-A.pdf.json"
MIDDLE = REAL / "mineru_handmade_thinning.middle.json"
CLI_MODEL = REAL / "mineru_handmade_two_column.model.json"
REPORT_MODEL = REAL / "mineru_handmade_report_zh.model.json"
MODEL_SAMPLE = SAMPLES / "mineru" / "overtopping_model.json"
OMNIDOCBENCH = DATA / "omnidocbench" / "OmniDocBench_demo.json"


def _inside(box, frame, slack=3.0):
    return frame[0] - slack <= box[0] <= box[2] <= frame[2] + slack and frame[1] - slack <= box[1] <= box[3] <= frame[3] + slack


# --- Docling schema 1.0.0 ------------------------------------------------------------------------------------

def test_docling_1_0_0_cref_refs_give_the_body_order_captions_and_boxes():
    raw = json.loads(PG9.read_text())
    assert raw["version"] == "1.0.0" and raw["body"]["children"][0] == {"cref": "#/texts/0"}
    doc, = load(PG9)
    assert doc.warnings == []  # each ref was once "expected a $ref …; skipped", and every item an orphan
    assert [b.extra["self_ref"] for b in doc.blocks] == [c["cref"] for c in raw["body"]["children"]]
    assert [b.kind for b in doc.blocks] == ["header", "header", "paragraph", "heading", "paragraph", "caption",
                                            "table", "heading", "paragraph", "paragraph"]
    caption, table = doc.blocks[5], doc.blocks[6]
    assert table.captions == [caption.id] and caption.text.startswith("Table 1. HPO performed in OTSL")
    assert (table.table.n_rows, table.table.n_cols) == (7, 8) and table.extra["parent"] == "#/body"
    page = doc.pages[0]
    assert (page.width, page.height, page.unit) == (612.0, 792.0, "pt")
    for b in doc.blocks:  # BOTTOMLEFT boxes turned over: every one on the page, in the body's top-to-bottom order
        assert _inside(b.bbox, [0, 0, 612, 792])
    assert [round(b.bbox[1]) for b in doc.blocks if b.kind != "header"] == sorted(
        round(b.bbox[1]) for b in doc.blocks if b.kind != "header")
    first = raw["tables"][0]["data"]["table_cells"][0]["bbox"]
    assert table.table.cells[0].bbox == pytest.approx([first["l"], 792 - first["t"], first["r"], 792 - first["b"]])
    assert all(_inside(c.bbox, table.bbox) for c in table.table.cells if c.bbox) and \
        sum(1 for c in table.table.cells if c.bbox) > 40


def test_docling_cref_and_dollar_ref_spellings_read_the_same():
    def respell(value):
        if isinstance(value, dict):
            return {("$ref" if k == "cref" else k): respell(v) for k, v in value.items()}
        return [respell(v) for v in value] if isinstance(value, list) else value
    raw = json.loads(PG9.read_text())
    assert normalize(respell(raw)) == normalize(raw)


def test_docling_a_ref_with_both_spellings_follows_dollar_ref_and_keeps_the_other():
    raw = json.loads(PG9.read_text())
    raw["body"]["children"][2] = {"$ref": "#/texts/2", "cref": "#/texts/9"}
    doc = normalize(raw)
    assert doc.blocks[2].extra["self_ref"] == "#/texts/2" and doc.blocks[2].extra["kept"]["ref"] == {"cref": "#/texts/9"}
    assert "#/texts/9" in to_json(doc).decode()


def test_docling_document_index_is_a_table_with_its_grid():
    doc, = load(REDP)
    assert doc.warnings == [] and doc.extra["version"] == "1.0.0"
    toc = next(b for b in doc.blocks if b.extra["label"] == "document_index")
    assert toc.kind == "table" and toc.page == 2 and (toc.table.n_rows, toc.table.n_cols) == (43, 2)
    assert toc.table.cells[0].text == "Notices" and toc.text.startswith("Notices\t. . .")
    assert sum(1 for c in toc.table.cells if c.bbox) == 82  # the four cells Docling left empty have no box
    raw = json.loads(REDP.read_text())
    items = [i for name in ("texts", "tables", "pictures") for i in raw[name]]
    assert len(doc.blocks) == len(items)  # every item reached through the tree, none orphaned


def test_docling_1_0_0_written_with_dollar_refs_reads_too():
    doc, = load(WIKI)
    assert doc.warnings == [] and doc.file_name == "wiki.pdf"
    assert [b.kind for b in doc.blocks[:3]] == ["paragraph", "heading", "paragraph"] and doc.blocks[1].text == "IBM"
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.table.n_rows > 1 and all(_inside(c.bbox, table.bbox) for c in table.table.cells if c.bbox)


def test_the_docling_sample_finds_its_real_pdf_by_the_name_it_records():
    from exporters.pages.sources import find_source
    doc, = load(PG9)
    root = str(SAMPLES.resolve())
    found = find_source(root, (), "docling/2305.03393v1-pg9.json", doc)
    assert found is not None and found.name == "docling/2305.03393v1-pg9.pdf" and found.rule == "recorded file name"
    assert (SAMPLES / "docling" / "2305.03393v1-pg9.pdf").read_bytes()[:5] == b"%PDF-"


# --- unstructured: <thead> rows without <tr> -------------------------------------------------------------------

def test_unstructured_tables_match_its_own_cell_list():
    """`table_as_cells` is unstructured's own reading of each table: ours, from `text_as_html`, is the same grid."""
    raw = json.loads(IRS.read_text())
    doc, = load(IRS)
    assert doc.warnings == []  # the first table was once a 4 x 12 grid "repaired" with 18 empty cells
    tables = [b for b in doc.blocks if b.kind == "table"]
    elements = [e for e in raw if e["type"] == "Table"]
    assert [(t.table.n_rows, t.table.n_cols) for t in tables] == [(5, 6), (6, 5), (12, 5)]
    for table, element in zip(tables, elements, strict=True):
        ours = sorted((c.col, c.row, c.col_span, c.row_span, c.text) for c in table.table.cells)
        theirs = sorted((c["x"], c["y"], c["w"], c["h"], c["content"]) for c in element["metadata"]["table_as_cells"])
        assert ours == theirs
    assert [c.header for c in tables[0].table.cells if c.col == 0] == [True, True, False, False, False]


@pytest.mark.parametrize("html, shape", [
    ("<table><thead><th>a</th><th>b</th></thead><thead><th>c</th><th>d</th></thead><tr><td>1</td><td>2</td></tr>"
     "</table>", (3, 2)),
    ("<table><thead><th>a</th><th>b</th></thead><tbody><td>1</td><td>2</td></tbody></table>", (2, 2)),
    ("<table><thead><tr><th>a</th><th>b</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody></table>", (2, 2)),
])
def test_a_table_section_ends_the_row_it_holds(html, shape):
    repairs = Repairs()
    table = from_html(html, repairs, "$").table
    assert (table.n_rows, table.n_cols) == shape and repairs.collected() == []


# --- MinerU middle.json: the cross-page paragraph merge ---------------------------------------------------------

def _span_text(span):
    text = span.get("content") or ""
    return f"${text}$" if span.get("type") == "inline_equation" and text else text


def _raw_blocks(page):
    def walk(block):
        yield block
        for sub in block.get("blocks") or ():
            yield from walk(sub)
    for block in page["para_blocks"] + page.get("discarded_blocks", []):
        yield from walk(block)


def test_middle_every_merged_line_once_where_mineru_put_it_its_box_kept_for_its_own_page():
    raw = json.loads(MIDDLE.read_text())
    doc, = load(MIDDLE)
    assert doc.warnings == [] and [p.number for p in doc.pages] == [1, 2, 3, 4]
    want = Counter("".join(_span_text(s) for s in line["spans"]) for page in raw["pdf_info"]
                   for block in _raw_blocks(page) for line in block.get("lines") or ())
    assert Counter(ln.text for b in doc.blocks for ln in b.lines) == want  # each line once, no more
    emptied = [b for b in doc.blocks if b.extra.get("lines_deleted")]
    assert [(b.page, b.kind, b.text, b.lines) for b in emptied] == [
        (2, "paragraph", "", []), (3, "footnote", "", []), (3, "paragraph", "", []), (4, "list_item", "", [])]
    moved = [(b, ln) for b in doc.blocks for ln in b.lines if ln.extra.get("cross_page")]
    raw_moved = [line for page in raw["pdf_info"] for block in _raw_blocks(page) for line in block.get("lines") or ()
                 if line["spans"] and all(s.get("cross_page") for s in line["spans"])]
    assert len(moved) == len(raw_moved) == 9
    by_id = {b.id: b for b in doc.blocks}
    receivers = list(dict.fromkeys(b.id for b, _ in moved))  # the paragraph page 2 continues, the list page 4 does
    assert [(by_id[r].page, by_id[r].kind) for r in receivers] == [(1, "paragraph"), (3, "list_item")]
    assert [ln.extra["bbox"] for _, ln in moved] == [line["bbox"] for line in raw_moved]  # the later page's boxes
    assert all(ln.bbox is None for _, ln in moved)
    merged = next(b for b in doc.blocks if b.text.startswith("In the two calibration years"))  # merged on its page
    assert len(merged.lines) == 8 and all(ln.bbox is not None and not ln.extra.get("cross_page") for ln in merged.lines)
    for b in doc.blocks:  # every other line box on its block's page
        for ln in b.lines:
            assert ln.bbox is None or _inside(ln.bbox, [0, 0, 612, 792]), (b.id, ln.bbox)


def test_middle_a_table_continued_on_the_next_page_is_one_table_its_moved_footnote_read_once():
    raw = json.loads(MIDDLE.read_text())
    doc, = load(MIDDLE)
    first, rest = [b for b in doc.blocks if b.kind == "table"]
    assert (first.page, rest.page) == (2, 3)
    assert (first.table.n_rows, first.table.n_cols) == (7, 5) and first.table.cells[-1].text == "—"  # page 3's rows
    assert rest.text == "" and rest.table.n_rows == 0 and rest.extra["body"][0]["lines_deleted"] is True
    footnote = next(b for b in doc.blocks if b.kind == "footnote" and b.text)
    raw_footnote = next(sub for sub in raw["pdf_info"][2]["preproc_blocks"][0]["blocks"]
                        if sub["type"] == "table_footnote")
    assert footnote.page == 2 and footnote.extra["of"] == first.id and footnote.extra["cross_page"] is True
    assert footnote.bbox is None and footnote.extra["bbox"] == raw_footnote["bbox"]  # its box is on page 3
    assert [b.text for b in doc.blocks].count(footnote.text) == 1


def test_middle_a_moved_footnote_and_moved_list_items_keep_their_box_in_extra():
    raw = {"pdf_info": [{"page_idx": 0, "page_size": [600, 800], "para_blocks": [
        {"type": "table", "bbox": [10, 600, 590, 790], "blocks": [
            {"type": "table_body", "bbox": [10, 600, 590, 780], "lines": [{"bbox": [10, 600, 590, 780], "spans": [
                {"type": "table", "html": "<table><tr><td>a</td></tr><tr><td>b</td></tr></table>"}]}]},
            {"type": "table_footnote", "bbox": [10, 40, 300, 60], "cross_page": True, "lines": [
                {"bbox": [10, 40, 300, 60], "spans": [{"type": "text", "content": "Source: survey",
                                                       "bbox": [10, 40, 300, 60]}]}]}]},
        {"type": "list", "bbox": [10, 10, 590, 60], "blocks": [
            {"type": "text", "bbox": [10, 10, 590, 30], "lines": [{"bbox": [10, 10, 590, 30], "spans": [
                {"type": "text", "content": "[1] First.", "bbox": [10, 10, 590, 30]}]}]},
            {"type": "text", "bbox": [10, 70, 590, 90], "lines": [{"bbox": [10, 70, 590, 90], "spans": [
                {"type": "text", "content": "[2] Moved.", "bbox": [10, 70, 590, 90], "cross_page": True}]}]}]}]},
        {"page_idx": 1, "page_size": [600, 800], "para_blocks": [
            {"type": "table", "bbox": [10, 20, 590, 60], "blocks": [
                {"type": "table_body", "bbox": [10, 20, 590, 30], "lines": [], "lines_deleted": True},
                {"type": "table_footnote", "bbox": [10, 40, 300, 60], "lines": [], "lines_deleted": True}]},
            {"type": "list", "bbox": [10, 70, 590, 90], "blocks": [], "lines_deleted": True}]}]}
    doc = normalize(raw)
    footnote = next(b for b in doc.blocks if b.kind == "footnote" and b.text)
    assert footnote.page == 1 and footnote.bbox is None and footnote.extra["bbox"] == [10, 40, 300, 60]
    first, moved = [b for b in doc.blocks if b.kind == "list_item" and b.text]
    assert first.bbox == [10.0, 10.0, 590.0, 30.0] and moved.bbox is None and moved.extra["item_bbox"] == [10, 70, 590, 90]
    assert [b.text for b in doc.blocks].count("Source: survey") == 1 and not doc.warnings


# --- MinerU model.json -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [CLI_MODEL, REPORT_MODEL, MODEL_SAMPLE], ids=lambda p: p.name)
def test_model_json_is_detected_and_every_detection_is_read_once(path):
    assert detect(path.read_bytes()) == "mineru.model"
    raw = json.loads(path.read_text())
    doc, = load(path)
    assert [(p.number, p.width, p.height, p.unit) for p in doc.pages] == [
        (p["page_info"]["page_no"] + 1, p["page_info"]["width"], p["page_info"]["height"], "px") for p in raw]
    def span_text(d):
        return {13: f"${d.get('latex')}$" if d.get("latex") else "", 14: d.get("latex") or ""}.get(
            d["category_id"], d.get("text") or "")
    want = Counter(span_text(d) for p in raw for d in p["layout_dets"] if d["category_id"] in mineru_model.SPANS)
    got = Counter(t for b in doc.blocks for ln in b.lines for t in ([w.text for w in ln.words] or [ln.text]) if t)
    assert got == Counter({t: n for t, n in want.items() if t})  # each OCR line and formula once, in a line
    regions = sum(1 for p in raw for d in p["layout_dets"] if d["category_id"] not in mineru_model.SPANS)
    assert regions <= len(doc.blocks) and all(b.extra["category_id"] is not None for b in doc.blocks)
    assert all(b.confidence is not None and 0 <= b.confidence <= 1 for b in doc.blocks)


def test_model_json_formulas_equation_numbers_and_columns():
    doc, = load(CLI_MODEL)
    assert doc.warnings == []
    formulas = [b for b in doc.blocks if b.kind == "formula"]
    assert len(formulas) == 2 and all(b.latex and b.text == b.latex and b.extra["category_id"] == 8 for b in formulas)
    by_id = {b.id: b for b in doc.blocks}
    for formula in formulas:  # each numbered by the equation number on its own row
        number, = [by_id[c] for c in formula.captions]
        assert number.extra["category_id"] == 9 and number.bbox[1] < formula.bbox[3] and formula.bbox[1] < number.bbox[3]
    text = [b for b in doc.blocks if b.extra["category_id"] == 1]
    left = [b for b in text if b.bbox[2] < 850]
    assert text[:len(left)] == left and len(left) == 6  # the left column read whole before the right one
    assert next(b.text for b in text if b.text.startswith("where")).startswith(
        "where $\\lambda$ is the mean arrival rate of passengers")  # an OCR line and the formulas inside it, in order


def test_model_json_tables_captions_and_footnotes():
    doc, = load(REPORT_MODEL)
    by_id = {b.id: b for b in doc.blocks}
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert len(tables) == 8 and sum(1 for t in tables if t.table is not None and t.html) == 7
    first = tables[0]
    assert first.table.cells[0].text == "相对表现" and first.table.n_cols == 4
    footnote = next(b for b in doc.blocks if b.kind == "footnote" and b.extra.get("of") == first.id)
    assert footnote.text.startswith("资料来源")
    captioned = [t for t in tables if t.captions]
    assert captioned and all(by_id[c].extra["category_id"] == 6 for t in captioned for c in t.captions)


def test_model_json_is_not_omnidocbench_and_omnidocbench_is_not_model_json():
    from normalizer.detect import probe
    data = OMNIDOCBENCH.read_bytes()
    assert not sniffers.mineru_model(probe(data)) and detect(data) != "mineru.model"
    with pytest.raises(NormalizeError, match="mineru.model"):
        normalize_all(data, format="mineru.model")
    assert sniffers.mineru_model(probe(CLI_MODEL.read_bytes()))
    one = json.loads(data)[0]  # an OmniDocBench page whose detections are given numeric ids is still refused
    one["layout_dets"][0]["category_id"] = 1
    assert not sniffers.mineru_model(probe(json.dumps([one]).encode()))
    assert detect([{"layout_dets": [], "page_info": {"page_no": 0, "width": 1700, "height": 2200}}]) == "mineru.model"


# mutations: each is a repair naming its JSON path (strict: a NormalizeError), with the value kept
MUTATIONS = [
    ("poly", [1, 2, 3], "$[0].layout_dets[0].poly"),
    ("poly", [0, "x", 9, 0, 9, 5, 0, 5], "$[0].layout_dets[0].poly"),
    ("poly", [0, 0, 10 ** 400, 0, 9, 5, 0, 5], "$[0].layout_dets[0].poly"),
    ("poly", [True, 0, 9, 0, 9, 5, 0, 5], "$[0].layout_dets[0].poly"),
    ("poly", "p", "$[0].layout_dets[0].poly"),
    ("score", 1.5, "$[0].layout_dets[0].score"),
    ("score", "high", "$[0].layout_dets[0].score"),
    ("category_id", 999, "$[0].layout_dets[0].category_id"),
    ("category_id", "title", "$[0].layout_dets[0].category_id"),
    ("category_id", None, "$[0].layout_dets[0].category_id"),
    ("html", 7, "$[0].layout_dets[0].html"),
]


@pytest.mark.parametrize("field, value, path", MUTATIONS, ids=[f"{f}={v!r}"[:40] for f, v, _ in MUTATIONS])
def test_model_json_hostile_detection_fields_are_repairs_naming_their_path(field, value, path):
    raw = json.loads(MODEL_SAMPLE.read_text())
    raw[0]["layout_dets"][0][field] = value
    doc = normalize(raw, format="mineru.model")
    assert any(w.startswith(path) for w in doc.warnings), doc.warnings
    lines = Counter(ln.text for b in doc.blocks for ln in b.lines)  # no OCR line lost (held, or a block of its own)
    assert lines == Counter(ln.text for b in load(MODEL_SAMPLE)[0].blocks for ln in b.lines)
    if value is not None:
        assert json.dumps(value, separators=(",", ":"), ensure_ascii=False) in to_json(doc).decode()
    if value != 999:  # an unknown category is a note (kept as kind "other"), as every reader's unknown label
        with pytest.raises(NormalizeError):
            normalize(raw, format="mineru.model", strict=True)
    assert normalize(to_json(doc)) == doc


@pytest.mark.parametrize("change, path", [
    (lambda r: r[0]["page_info"].update(width=-5), "$[0].page_info"),
    (lambda r: r[0]["page_info"].update(page_no=-1), "$[0].page_info.page_no"),
    (lambda r: r[0]["page_info"].update(height="tall"), "$[0].page_info.height"),
    (lambda r: r[0].update(layout_dets="none"), "$[0].layout_dets"),
    (lambda r: r[0]["layout_dets"].insert(0, "det"), "$[0].layout_dets[0]"),
])
def test_model_json_hostile_pages_keep_the_rest(change, path):
    raw = json.loads(MODEL_SAMPLE.read_text())
    change(raw)
    doc = normalize(raw, format="mineru.model")
    assert any(w.startswith(path) for w in doc.warnings), doc.warnings
    assert len(doc.pages) == 2 and any(b.page == 2 for b in doc.blocks)
    assert normalize(to_json(doc)) == doc


def test_model_json_crowded_pages_are_bounded():
    many = [{"category_id": 1, "poly": [i, i, i + 5, i, i + 5, i + 5, i, i + 5], "score": 0.9} for i in range(0, 2000, 2)]
    many += [{"category_id": 15, "poly": [i, i, i + 3, i, i + 3, i + 3, i, i + 3], "score": 0.9, "text": "x"}
             for i in range(0, 2000, 2)]
    doc = normalize([{"layout_dets": many, "page_info": {"page_no": 0, "width": 5000, "height": 5000}}])
    assert len(doc.blocks) == 2000 and any("more pairs than" in w for w in doc.warnings)
    assert [b.bbox[1] for b in doc.blocks] == sorted(b.bbox[1] for b in doc.blocks)


def test_model_json_a_span_outside_every_region_is_a_block_and_a_tilted_polygon_is_kept():
    doc, = load(MODEL_SAMPLE)
    orphan = next(b for b in doc.blocks if b.text == "Preprint")
    assert orphan.kind == "paragraph" and orphan.extra["category_id"] == 15 and orphan.confidence == 0.88
    tilted = next(b for b in doc.blocks if "poly" in b.extra)
    assert tilted.extra["poly"] == [60.0, 1300.0, 96.0, 1296.0, 100.0, 1700.0, 64.0, 1704.0]
    assert tilted.bbox == [60.0, 1296.0, 100.0, 1704.0]
    line = next(ln for b in doc.blocks for ln in b.lines if ln.words)
    assert line.text == "Crown walls reduce overtopping, but their effect at low $R_c / H_{m0}$ is uncertain."
    assert [w.confidence for w in line.words] == [1.0, 0.87, 0.98] and line.extra["spans"][1] == {"category_id": 13}


def test_model_json_a_copy_is_read_like_the_original():
    raw = json.loads(CLI_MODEL.read_text())
    assert normalize(copy.deepcopy(raw)) == normalize(CLI_MODEL.read_bytes())
