"""Baidu: task responses, layouts and labels, matrix tables, captions, heading tree, chunks."""

from __future__ import annotations

import json

import pytest

from exporters import to_json
from normalizer import NormalizeError, load, normalize, normalize_all
from normalizer.providers import baidu
from normalizer.providers.baidu import BCell, from_matrix
from normalizer.errors import Repairs
from normalizer.tables import grid_problems

from .conftest import SAMPLES, shared_files

B = SAMPLES / "baidu"

CLASSIC_TYPES = ["para", "table", "head_tail", "image", "contents", "seal", "title", "formula", "text"]
VL_TYPES = ("text table image chart doc_title paragraph_title figure_title display_formula inline_formula "
            "formula_number header footer header_image footer_image number abstract algorithm aside_text content "
            "footnote reference reference_content seal vertical_text").split()


def result(layouts, tables=(), images=(), meta=None, **more):
    page = {"page_id": "p0", "page_num": 0, "text": "", "layouts": layouts, "tables": list(tables),
            "images": list(images), "meta": meta or {"page_width": 1000, "page_height": 1400}}
    return json.dumps({"file_name": "f.pdf", "pages": [page], **more}).encode()


def layout(lid, type_="para", text="x", sub="", parent="", position=(10, 10, 100, 20)):
    return {"layout_id": lid, "text": text, "position": list(position), "type": type_, "sub_type": sub,
            "parent": parent, "children": []}


def table_entry(lid, matrix, n_cells, merge=""):
    return {"layout_id": lid, "markdown": "", "table_title_id": [], "position": [0, 0, 10, 10],
            "cells": [{"layout_id": f"{lid}-c{i}", "text": f"t{i}", "position": [i, 0, 1, 1], "type": "cell",
                       "sub_type": ""} for i in range(n_cells)], "matrix": matrix, "merge_table": merge}


def test_label_tables_cover_both_vocabularies():
    assert [t for t in CLASSIC_TYPES + VL_TYPES if t not in baidu.KINDS] == []
    assert set(baidu.SUB_KINDS) == {"image_title", "table_title", "chart", "figure", "QR_code", "Bar_code"}


def test_vl_labels_map_to_kinds():
    doc = load(B / "paddle_vl_result.json")[0]
    kinds = {b.extra["type"]: (b.kind, b.level) for b in doc.blocks}
    assert kinds["doc_title"] == ("heading", 1) and kinds["paragraph_title"] == ("heading", 2)
    assert kinds["figure_title"][0] == "caption" and kinds["number"][0] == "page_number"
    assert kinds["algorithm"][0] == "code" and kinds["header_image"][0] == "header"
    chart = next(b for b in doc.blocks if b.extra["type"] == "chart")
    assert chart.captions == ["p1-b9"]  # image_title_id given as a plain string
    assert doc.warnings == []  # no parent links at all: nothing to check the section tree against


def test_every_classic_layout_type_and_sub_type_in_the_sample():
    doc = load(B / "annual_report_result.json")[0]
    assert {b.extra["type"] for b in doc.blocks} >= {"para", "text", "title", "table", "head_tail", "image",
                                                      "contents", "seal", "formula"}
    subs = {b.extra.get("sub_type"): b.kind for b in doc.blocks}
    assert subs["title_1"] == "heading" and subs["image_title"] == "caption" and subs["table_title"] == "caption"
    assert subs["chart"] == "figure" and subs["figure"] == "figure" and subs["QR_code"] == "barcode"
    assert subs["Bar_code"] == "barcode"
    assert doc.warnings == []


def test_positions_are_xywh_pages_zero_based_meta_kept():
    doc = load(B / "annual_report_result.json")[0]
    assert [p.number for p in doc.pages] == [1, 2, 3]
    assert doc.blocks[0].bbox == [110, 40, 710, 70]  # [110, 40, 600, 30] as x, y, w, h
    page3 = doc.pages[2]
    assert (page3.width, page3.height, page3.unit, page3.rotation, page3.is_scan) == (1191, 1684, "px", 90, True)
    assert page3.extra["page_type"] == "normal" and page3.extra["page_id"] == "page-2"


def test_head_tail_is_header_or_footer_by_position():
    doc = load(B / "annual_report_result.json")[0]
    furniture = [(b.text, b.kind) for b in doc.blocks if b.extra["type"] == "head_tail"][:2]
    assert furniture == [("星海智能科技股份有限公司 2025 年度报告", "header"), ("第 1 页", "footer")]


def test_matrix_gives_spans_and_the_markdown_is_kept():
    doc = load(B / "annual_report_result.json")[0]
    table = next(b for b in doc.blocks if b.kind == "table")
    cells = {(c.row, c.col): (c.text, c.row_span, c.col_span) for c in table.table.cells}
    assert cells[(0, 0)] == ("指标", 2, 1) and cells[(0, 1)] == ("2024 年", 1, 2) and cells[(0, 3)] == ("2025 年", 1, 2)
    assert cells[(3, 4)] == ("4.4", 1, 1) and grid_problems(table.table) == []
    assert table.markdown.startswith("| 指标 | 2024 年 | 2024 年 |") and table.captions == ["p1-b5"]
    assert table.table.cells[0].bbox == [110, 700, 330, 820]
    assert table.extra["cell_ids"][0] == "l1-6-c0"


def test_cross_page_table_begin_inner_end():
    doc = load(B / "annual_report_result.json")[0]
    assert [b.table.continued for b in doc.blocks if b.kind == "table"] == [None, "begin", "end"]
    pages = [{"page_num": i, "layouts": [layout(f"t{i}", "table")], "tables": [table_entry(f"t{i}", [[0]], 1, m)]}
             for i, m in enumerate(["begin", "inner", "end"])]
    doc = normalize(json.dumps({"file_name": "f", "pages": pages}).encode())
    assert [b.table.continued for b in doc.blocks] == ["begin", "inner", "end"]


def test_captions_from_string_or_list_and_images():
    doc = load(B / "annual_report_result.json")[0]
    chart = next(b for b in doc.blocks if b.extra.get("sub_type") == "chart")
    assert chart.captions == ["p2-b3"] and chart.image.url.endswith("/page-1/l2-2.png")
    assert chart.text == "饼图：华东 41%、华南 35%、华北 24%。"
    assert chart.extra["content_layouts"][0]["text"] == "华东 41%"


def test_chunks_titles_and_one_based_locations():
    doc = load(B / "annual_report_result.json")[0]
    chunk = doc.chunks[2]
    assert chunk.kind == "table" and chunk.headings == ["二、渠道与门店", "2.1 门店分布"]
    assert [(loc.page, loc.bbox) for loc in chunk.locations] == [(2, [110, 1300, 1050, 1480]), (3, [90, 120, 1030, 240])]


def test_a_chunk_position_without_a_page_is_kept_as_its_json():
    # found by the mutation test: the position struct itself went into extra and could not be encoded
    raw = json.loads((B / "annual_report_result.json").read_bytes())
    position = raw["chunks"][2]["meta"]["position"][0]
    del position["page_num"]
    position["note"] = "kept"
    doc = normalize(json.dumps(raw))
    chunk = doc.chunks[2]
    assert chunk.extra["position"] == [{"box": position["box"], "note": "kept"}]
    assert [loc.page for loc in chunk.locations] == [3]
    assert json.loads(to_json(doc))["chunks"][2]["extra"]["position"] == chunk.extra["position"]


def test_heading_tree_disagreement_is_reported():
    layouts = [layout("h1", "title", "A", "title_1"), layout("h2", "title", "B", "title_2", parent="h1"),
               layout("p", "para", "text", parent="h1")]  # the section tree says "B", the provider says "A"
    doc = normalize(result(layouts))
    assert doc.blocks[2].parent == "p1-b1"
    assert any("heading tree differs" in w and "provider parent p1-b0, section tree p1-b1" in w for w in doc.warnings)


def test_a_non_rectangular_matrix_is_repaired_or_raised_with_the_slot():
    doc = load(B / "matrix_repairs_result.json")[0]
    table = doc.blocks[1].table
    assert grid_problems(table) == [] and (table.n_rows, table.n_cols) == (4, 3)
    assert [(c.row, c.col, c.text) for c in table.cells if c.text == "A"] == [(0, 0, "A"), (1, 0, "A")]
    assert [c.text for c in table.cells if c.row == 3] == ["unplaced", "", ""]
    with pytest.raises(NormalizeError) as err:
        normalize((B / "matrix_repairs_result.json").read_bytes(), strict=True)
    assert err.value.path == "$.pages[0].tables[0].matrix[2]"


@pytest.mark.parametrize("matrix,slot", [
    ([[0, 1], [1, 0]], "$.t.matrix[1][1]"),       # 0 covers a diagonal
    ([[0, 0, 0], [0, 1, 0]], "$.t.matrix[1][0]"),  # 0 wraps round 1
    ([[0, 5]], "$.t.matrix[0][1]"),                # index past the cells
])
def test_matrix_problems_name_the_slot(matrix, slot):
    cells = [BCell(text="a"), BCell(text="b")]
    with pytest.raises(NormalizeError) as err:
        from_matrix(cells, matrix, Repairs(strict=True), "$.t")
    assert err.value.path == slot
    table = from_matrix(cells, matrix, Repairs(), "$.t")
    assert grid_problems(table) == []


def test_table_without_a_layout_is_appended_not_dropped():
    doc = normalize(result([layout("a")], tables=[table_entry("orphan", [[0, 1]], 2)]))
    assert [b.kind for b in doc.blocks] == ["paragraph", "table"]
    assert any("appended the table" in w for w in doc.warnings)


@pytest.mark.parametrize("name,status,error", [
    ("task_submit.json", "queued", None), ("task_pending.json", "queued", None),
    ("task_running.json", "running", None), ("task_success.json", "succeeded", None),
    ("task_failed_error_object.json", "failed", "216202 文件大小超过限制"),
    ("task_error_code.json", "failed", "error_code 282018: service busy"),
])
def test_task_responses(name, status, error):
    doc = load(B / name)[0]
    assert (doc.format, doc.job.status, doc.job.error) == ("baidu.task", status, error) and doc.pages == []


def test_task_links_kept_and_processing_and_unknown_words():
    doc = load(B / "task_success.json")[0]
    assert doc.extra["parse_result_url"].startswith("https://") and doc.extra["markdown_url"].endswith("REDACTED")
    for word, status in (("processing", "running"), ("converting", "running")):
        got = normalize(json.dumps({"log_id": "1", "error_code": 0, "result": {"task_id": "t", "status": word}}))
        assert got.job.status == status


@pytest.mark.parametrize("path", shared_files("baidu_"), ids=lambda p: p.name)
def test_shared_examples_and_real_capture(path):
    for doc in normalize_all(path.read_bytes()):
        assert doc.provider == "baidu" and doc.warnings == []


def test_shared_result_example(shared_dir):
    doc = normalize((shared_dir / "examples" / "baidu_parse_result.json").read_bytes())
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert [t.table.continued for t in tables] == ["begin", "end"]
    assert {(c.row, c.col, c.row_span, c.col_span) for c in tables[0].table.cells} >= {(0, 0, 2, 1), (0, 1, 1, 2)}
