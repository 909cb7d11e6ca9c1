"""SoMark: envelopes, both vocabularies, idx order, captions, tables, cross-page continuation."""

from __future__ import annotations

import json

import pytest

from normalizer import NormalizeError, load, normalize, normalize_all
from normalizer.providers import somark

from .conftest import SAMPLES, shared_files

S = SAMPLES / "somark"

CLOUD_TYPES = ("title text choice table figure stamp code equation cs figure_caption table_caption blank reference "
               "footnote cate header footer sidebar sider").split()
OXR_TYPES = ["Text", "Title", "Caption", "Footnote", "Formula", "Table", "Picture", "Page-header", "Page-footer",
             "Stamp", "Chemical Structure", "Code Block", "Chemical Equation"]


def envelope(blocks, status="SUCCESS", merge=False, **page):
    pages = [{"page_num": 0, "page_size": {"w": 1000, "h": 1400}, "blocks": blocks, "merge_content_from_pre_page": merge,
              **page}]
    return json.dumps({"code": 0, "message": "ok", "data": {"task_id": "t", "status": status, "metadata": {"page_num": 1},
                                                            "result": {"outputs": {"json": {"pages": pages}}}}}).encode()


def block(idx, type_="text", content="x", **more):
    return {"idx": idx, "type": type_, "bbox": [10, 10 + idx, 100, 20 + idx], "content": content, "format": "text",
            "captions": [], "img_url": "", **more}


def test_label_table_covers_every_documented_type():
    missing = [t for t in CLOUD_TYPES + OXR_TYPES if t.lower() not in somark.KINDS]
    assert missing == []
    assert somark.KINDS["stamp"] == "seal" and somark.KINDS["cate"] == "toc" and somark.KINDS["cs"] == "figure"
    assert somark.KINDS["picture"] == "figure" and somark.KINDS["page-header"] == "header"


def test_every_cloud_block_type_in_the_sample():
    doc = load(S / "annual_report_async_check.json")[0]
    seen = {b.extra["type"] for b in doc.blocks}
    assert set(CLOUD_TYPES) - {"sider"} <= seen
    kinds = {b.extra["type"]: b.kind for b in doc.blocks}
    assert kinds["choice"] == "paragraph" and kinds["blank"] == "other" and kinds["equation"] == "formula"


def test_unknown_type_is_other_with_a_warning_never_an_error():
    doc = load(S / "annual_report_async_check.json")[0]
    sample = next(b for b in doc.blocks if b.text == "SAMPLE")
    assert sample.kind == "other" and sample.extra["type"] == "watermark"
    assert any("unknown block type 'watermark'" in w for w in doc.warnings)
    strict = normalize(envelope([block(0, "watermark")]), strict=True)  # a note, not a repair
    assert strict.blocks[0].kind == "other" and strict.warnings


def test_pages_are_zero_based_and_metadata_page_num_is_a_count():
    doc = load(S / "annual_report_async_check.json")[0]
    assert [p.number for p in doc.pages] == [1, 2, 3] and doc.job.page_count == 3
    assert (doc.pages[0].width, doc.pages[0].height, doc.pages[0].unit) == (1241, 1754, "px")
    pending = load(S / "status_processing_oxr.json")[0]
    assert pending.job.page_count == 48 and pending.pages == []


def test_blocks_are_read_in_idx_order():
    doc = load(S / "annual_report_async_check.json")[0]
    page3 = [b for b in doc.blocks if b.page == 3]
    assert [b.extra["idx"] for b in page3] == sorted(b.extra["idx"] for b in page3)
    assert page3[0].kind == "table"


def test_title_levels_build_the_section_tree():
    doc = load(S / "annual_report_async_check.json")[0]
    headings = [(b.text, b.level) for b in doc.blocks if b.kind == "heading"]
    assert headings[:3] == [("2025 年度报告", 1), ("第一节 经营概况", 2), ("第二节 财务报表", 2)]
    para = next(b for b in doc.blocks if b.text.startswith("报告期内"))
    assert next(b for b in doc.blocks if b.id == para.parent).text == "第一节 经营概况"


def test_captions_link_by_idx_and_images_code_display_are_kept():
    doc = load(S / "annual_report_async_check.json")[0]
    table = next(b for b in doc.blocks if b.kind == "table")
    assert [next(c for c in doc.blocks if c.id == i).text for i in table.captions] == ["表 1 主要产品销量"]
    figure = next(b for b in doc.blocks if b.extra["type"] == "figure")
    assert figure.image.url.endswith("/0_8.png") and figure.text.startswith("折线图")
    code = next(b for b in doc.blocks if b.kind == "code")
    assert code.language == "python"
    gateway = load(S / "meeting_gateway_string_json.json")[0]
    assert all(b.extra["display"] is True for b in gateway.blocks)


def test_html_table_spans_and_the_bogus_header_rowspan_repair():
    doc = load(S / "annual_report_async_check.json")[0]
    first, quarterly = [b for b in doc.blocks if b.kind == "table"][:2]
    cells = {(c.row, c.col): (c.text, c.row_span, c.col_span) for c in first.table.cells}
    assert cells[(0, 0)] == ("产品线", 2, 1) and cells[(0, 1)] == ("销量（万台）", 1, 2) and cells[(3, 3)] == ("+6.4%", 2, 1)
    assert quarterly.table.n_rows == 3 and all(c.row_span == 1 for c in quarterly.table.cells)
    assert sum("collides with the complete row 1" in w for w in doc.warnings) == 3
    with pytest.raises(NormalizeError) as err:
        normalize(envelope([block(0, "table", quarterly.html, format="html")]), strict=True)
    assert err.value.path == "$.data.result.outputs.json.pages[0].blocks[0].content"


def test_cross_page_table_from_the_page_flag():
    doc = load(S / "annual_report_async_check.json")[0]
    first, second = [b for b in doc.blocks if b.kind == "table"][1:3]
    assert (first.page, first.table.continued, second.page, second.table.continued) == (2, "begin", 3, "end")
    assert second.extra["continues"] == first.id


def test_formats_markdown_latex_and_oxr_pictures():
    doc = load(S / "oxr_paper_sync.json")[0]
    assert doc.job.status == "succeeded" and doc.job.provider_status is None  # sync: no status word
    kinds = [b.kind for b in doc.blocks]
    assert kinds == ["header", "heading", "paragraph", "formula", "figure", "caption", "table", "formula", "figure",
                     "code", "seal", "footnote", "footer"]
    picture = doc.blocks[8]
    assert picture.image.url.endswith("/0_8.png") and picture.text == "" and picture.markdown.startswith("![](")
    table = doc.blocks[6]
    assert (table.table.n_rows, table.table.n_cols) == (3, 3) and table.markdown.startswith("| Run")
    assert doc.blocks[3].latex.startswith("\\mathrm{NaBH_4")
    assert doc.pages[0].extra["unattached_formula_numbering"] == [{"idx": 13, "content": "(2)"}]


def test_outputs_json_as_a_string_and_the_bare_outputs_file_agree():
    gateway = load(S / "meeting_gateway_string_json.json")[0]
    bare = load(S / "bare_outputs.json")[0]
    assert [b.text for b in gateway.blocks] == [b.text for b in bare.blocks]
    assert gateway.extra["usage"]["total_tokens"] == 1000 and gateway.job.status == "succeeded"


def test_outputs_json_string_that_is_not_json_is_kept():
    data = json.dumps({"code": 0, "message": "ok", "data": {"task_id": "t", "result": {"outputs": {"json": "{broken"}}}})
    doc = normalize(data.encode())
    assert doc.pages == [] and doc.extra["json"] == "{broken"
    assert doc.warnings[0].startswith("$.data.result.outputs.json: expected JSON text")
    with pytest.raises(NormalizeError):
        normalize(data.encode(), strict=True)


@pytest.mark.parametrize("name,status,error", [
    ("status_queuing.json", "queued", None),
    ("status_processing_oxr.json", "running", None),
    ("status_failed.json", "failed", "文件已加密，无法解析"),
    ("error_envelope.json", "failed", "code 1108: 账户余额不足"),
])
def test_status_responses(name, status, error):
    doc = load(S / name)[0]
    assert (doc.job.status, doc.job.error) == (status, error) and doc.pages == []


@pytest.mark.parametrize("word,status", [("SUCCESS", "succeeded"), ("success", "succeeded"), ("Queuing", "queued"),
                                         ("PROCESSING", "running"), ("failed", "failed")])
def test_status_is_case_insensitive(word, status):
    assert normalize(envelope([], status=word)).job.status == status


def test_caption_idx_that_does_not_exist_is_repaired():
    data = envelope([block(0, "figure", captions=[7, "1"]), block(1, "figure_caption", "Fig. 1")])
    doc = normalize(data)
    assert doc.blocks[0].captions == ["p1-b1"] and doc.blocks[0].extra["captions"] == [7, "1"]
    with pytest.raises(NormalizeError) as err:
        normalize(data, strict=True)
    assert err.value.path == "$.data.result.outputs.json.pages[0].blocks[0].captions"


def test_bad_bbox_and_missing_page_num_are_repaired():
    bad = block(0, bbox=["a", 1, 2, 3])
    doc = normalize(envelope([bad], page_num=None))
    assert doc.blocks[0].bbox is None and doc.blocks[0].extra["bbox"] == ["a", 1, 2, 3]
    assert doc.pages[0].number == 1 and len(doc.warnings) == 2


@pytest.mark.parametrize("path", shared_files("somark_"), ids=lambda p: p.name)
def test_shared_examples_and_real_capture(path):
    for doc in normalize_all(path.read_bytes()):
        assert doc.provider == "somark" and doc.warnings == []


def test_shared_success_example(shared_dir):
    doc = normalize((shared_dir / "examples" / "somark_async_check_success.json").read_bytes())
    assert len(doc.pages) == 2 and doc.markdown.startswith("ACME")
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.table.n_cols == 3 and table.captions
