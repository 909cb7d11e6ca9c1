"""PaddleOCR: PaddleOCR-VL and PP-StructureV3 page results and their layout-parsing service. Labels, reading order,
frames, confidences, lines, tables, images, the traps real files hold, and bad input field by field."""

from __future__ import annotations

import copy
import json

import pytest

from exporters import to_json
from normalizer import NormalizeError, detect, normalize, normalize_all
from normalizer.providers import paddle
from normalizer.providers.paddle_extras import COMPARISONS, img_src, named_box
from normalizer.tables import grid_problems

from .conftest import SAMPLES

P = SAMPLES / "paddle"
TIDE0, TIDE1 = P / "harbor_tide_gauges_0_res.json", P / "harbor_tide_gauges_1_res.json"
CAFE, INVOICE = P / "harbor_cafe_receipt_res.json", P / "invoice_2025-0417_0_res.json"
LARKSPUR, BERTH, ERROR = P / "larkspur_cargo_api.json", P / "berth3_notice_api.json", P / "api_error_500.json"

# every label PaddleX's layout models and pipelines write (PP-DocLayout-L/M/S, _plus-L, V2, V3, PicoDet 17/5/3
# classes, RT-DETR-H 3 classes, PP-StructureV3's relabelled titles, PaddleOCR-VL's prompt labels)
LABELS = ("doc_title paragraph_title abstract_title reference_title refer_title content_title title text abstract "
          "reference reference_content vertical_text ocr list content image figure chart flowchart table figure_title "
          "table_title chart_title figure_table_chart_title vision_footnote formula display_formula inline_formula "
          "formula_number algorithm header header_image footer footer_image number footnote aside_text seal spotting "
          "region").split()


def page(blocks, **more):
    return {"input_path": "/x/doc.pdf", "page_index": 0, "page_count": 1, "width": 1000, "height": 1400,
            "model_settings": {"use_layout_detection": True}, "parsing_res_list": blocks, **more}


def blk(label, content="x", bbox=(10, 10, 100, 40), order=None, **more):
    return {"block_label": label, "block_content": content, "block_bbox": list(bbox), "block_order": order, **more}


def test_every_layout_label_has_a_kind_and_an_unknown_one_is_other_with_a_repair():
    assert [label for label in LABELS if label not in paddle.KINDS] == []
    doc = normalize(page([blk("text", order=1), blk("brand_new_label", order=2)]))
    assert [b.kind for b in doc.blocks] == ["paragraph", "other"]
    assert doc.warnings == ["$.parsing_res_list[1].block_label: unknown block label 'brand_new_label'; "
                            "kept as kind 'other'"]
    assert doc.blocks[1].extra["block_label"] == "brand_new_label"


def test_the_three_formats_are_told_apart_and_from_baidu():
    assert [detect(p.read_bytes()) for p in (TIDE0, CAFE, INVOICE, LARKSPUR, BERTH, ERROR)] == \
        ["paddle.vl", "paddle.vl", "paddle.structure", "paddle.api", "paddle.api", "paddle.api"]
    assert detect((SAMPLES / "baidu" / "paddle_vl_result.json").read_bytes()) == "baidu.result"
    with pytest.raises(NormalizeError, match="expected paddle.structure input"):
        normalize(TIDE0.read_bytes(), format="paddle.structure")


def test_page_files_are_numbered_by_page_index_and_name_their_source():
    a, b = normalize(TIDE0.read_bytes()), normalize(TIDE1.read_bytes())
    assert [p.number for p in a.pages] == [1] and [p.number for p in b.pages] == [2]
    assert b.blocks[0].id == "p2-b0" and a.file_name == b.file_name == "harbor_tide_gauges.pdf"
    assert a.job.page_count == b.job.page_count == 2
    assert (a.pages[0].width, a.pages[0].height, a.pages[0].unit) == (1191, 1684, "px")
    image = normalize(page([blk("text", order=1)], page_index=None, page_count=None, input_path="C:\\scans\\a.png"))
    assert image.pages[0].number == 1 and image.file_name == "a.png" and image.job.page_count == 1


def test_bad_page_numbers_are_repaired_with_their_path():
    doc = normalize(page([], page_index=-3))
    assert doc.pages[0].number == 1 and doc.warnings[0].startswith("$.page_index: expected a 0-based page number")
    doc = normalize(page([], page_index=4, page_count=2))
    assert doc.job.page_count is None and doc.extra["page_count"] == 2
    assert doc.warnings == ["$.page_count: expected at least 5 pages (this is page 5), found 2; kept in extra"]


def test_vl_merged_blocks_keep_their_empty_neighbours_and_say_so():
    raw = json.loads(TIDE0.read_bytes())
    doc = normalize(raw)
    merged, empty = doc.blocks[4], doc.blocks[5]
    assert merged.text == raw["parsing_res_list"][4]["block_content"] and "\n" in merged.text
    assert empty.text == "" and empty.kind == "paragraph" and empty.bbox == [110, 478, 1080, 520]
    assert doc.warnings == ["$.parsing_res_list: 1 block(s) labelled text have an empty block_content (PaddleOCR-VL "
                            "puts neighbouring text blocks' text in the first of them); kept as blocks without text: "
                            "entries 5"]
    pictures = normalize(page([blk("image", ""), blk("table", ""), blk("chart", "")]))
    assert pictures.warnings == []  # a picture has no text of its own: nothing to say


def test_blocks_without_an_order_stay_where_the_list_puts_them():
    doc = normalize(TIDE1.read_bytes())
    assert [b.extra.get("block_order") for b in doc.blocks] == [1, 2, 3, None, None, None, 4, 5, None, None]
    assert [b.kind for b in doc.blocks][3:6] == ["caption", "table", "caption"]
    assert doc.blocks[4].captions == ["p2-b3", "p2-b5"]  # the title above, the source note below


def test_a_block_order_that_disagrees_with_the_list_is_followed():
    blocks = [blk("text", "b", order=2), blk("image", ""), blk("text", "a", order=1), blk("footer", "f")]
    doc = normalize(page(blocks))
    assert [b.text or b.kind for b in doc.blocks] == ["a", "f", "b", "figure"]
    assert doc.warnings[0].startswith("$.parsing_res_list: block_order disagrees with the list's order")


def test_kinds_levels_latex_and_code_of_the_samples():
    doc = normalize(TIDE0.read_bytes())
    by_label = {b.extra["block_label"]: b for b in doc.blocks}
    assert (by_label["doc_title"].kind, by_label["doc_title"].level) == ("heading", 1)
    assert by_label["display_formula"].latex == "h(t)=h_{0}+\\sum_{k}A_{k}\\cos(\\omega_{k}t+\\phi_{k})"
    assert by_label["image"].captions == [by_label["figure_title"].id]
    assert by_label["number"].kind == "page_number" and by_label["formula_number"].kind == "other"
    code = next(b for b in normalize(TIDE1.read_bytes()).blocks if b.kind == "code")
    assert code.text.startswith("#include <iostream>\nint main() {") and code.html is None and code.language is None


def test_vl_tables_are_html_with_spans_entities_and_image_cells():
    table = next(b for b in normalize(TIDE1.read_bytes()).blocks if b.kind == "table")
    cells = {(c.row, c.col): (c.text, c.row_span, c.col_span) for c in table.table.cells}
    assert cells[(0, 0)] == ("Gauge", 2, 1) and cells[(0, 1)] == ("Offset (mm)", 1, 2)
    assert cells[(2, 0)] == ("P4 <north>", 1, 1) and cells[(3, 1)] == ("< 0.1", 1, 1)
    assert cells[(3, 0)] == ("", 1, 1) and 'src="imgs/img_in_table_box_162_540_262_580.jpg"' in table.html
    assert grid_problems(table.table) == [] and table.table.n_rows == 4


def test_vl_16_writes_an_empty_table_res_list_and_the_table_is_read_from_its_html():
    raw = page([blk("table", '<table><tr><td colspan="2">a</td></tr><tr><td>b</td><td>c</td></tr></table>')],
               table_res_list=[])
    assert detect(raw) == "paddle.vl"
    table = normalize(raw).blocks[0]
    assert [(c.text, c.col_span) for c in table.table.cells] == [("a", 2), ("b", 1), ("c", 1)]


def test_confidence_is_the_score_of_the_detection_a_block_came_from():
    raw = json.loads(TIDE0.read_bytes())
    doc = normalize(raw)
    scores = {b["label"] + str(b["order"]): b["score"] for b in raw["layout_det_res"]["boxes"]}
    assert all(b.confidence == scores[b.extra["block_label"] + str(b.extra.get("block_order"))] for b in doc.blocks)
    assert doc.blocks[0].extra["layout_det"] == {"index": 13, "cls_id": 17, "order": 1, "polygon_points": [
        [96.37, 44.185], [612.1233, 44.185], [612.1233, 76.0925], [96.37, 76.0925]]}
    left = doc.pages[0].extra["layout_det_unmatched"]
    assert [(d["index"], d["score"]) for d in left] == [(14, 0.3127)]
    cafe = normalize(CAFE.read_bytes())  # boxes a little off the block's: matched by overlap
    assert [b.confidence for b in cafe.blocks] == [0.9123, 0.935, 0.9651, 0.8873, 0.9402]


def test_an_older_result_has_no_page_size_and_a_turned_unwarped_page_says_so():
    doc = normalize(CAFE.read_bytes())
    assert (doc.pages[0].width, doc.pages[0].height, doc.pages[0].unit, doc.pages[0].rotation) == \
        (None, None, None, 180)
    assert doc.file_name == "harbor_cafe_receipt.jpg" and "wrapper" not in doc.extra
    assert doc.warnings == [
        "$.res.doc_preprocessor_res.angle: the page image was turned by 180° before layout detection; the boxes are "
        "in the turned image",
        "$.res.doc_preprocessor_res.model_settings.use_doc_unwarping: the page image was unwarped before layout "
        "detection; the boxes are in the unwarped image and may not line up with the source page"]


def test_a_page_turned_by_90_degrees_is_the_turned_image():
    doc = normalize(INVOICE.read_bytes())
    p = doc.pages[0]
    assert (p.width, p.height, p.rotation, p.extra["input_size"]) == (1754, 1241, 90, [1241, 1754])
    assert max(b.bbox[2] for b in doc.blocks) <= p.width and max(b.bbox[3] for b in doc.blocks) <= p.height
    assert doc.warnings == ["$.doc_preprocessor_res.angle: the page image was turned by 90° before layout detection; "
                            "the boxes are in the turned image, so the page is 1754x1241 px (the input was 1241x1754)"]
    pre = {"model_settings": {"use_doc_orientation_classify": True}, "angle": 270}
    kept = normalize(page([blk("text", bbox=(10, 1300, 900, 1390), order=1)], doc_preprocessor_res=pre))
    assert (kept.pages[0].width, kept.pages[0].height, kept.pages[0].rotation) == (1000, 1400, 270)
    assert "boxes fit the given 1000x1400 px only; kept that size" in kept.warnings[0]
    odd = normalize(page([], doc_preprocessor_res={"angle": 45}))
    assert odd.pages[0].rotation is None and odd.warnings[0].startswith("$.doc_preprocessor_res.angle: expected -1")


def test_structure_lines_tables_and_the_rest_of_its_results():
    doc = normalize(INVOICE.read_bytes())
    text = doc.blocks[1]
    assert [(line.text, line.confidence) for line in text.lines] == [
        ("Invoice no. 2025-0417", 0.9962), ("Harbor Supply Co. · 3 Dock Road", 0.9874)]
    seal = next(b for b in doc.blocks if b.kind == "seal")
    assert seal.lines[0].extra["rec_poly"][0] == [1398.0, 812.0]  # a tilted line keeps its polygon
    assert [line["text"] for line in doc.pages[0].extra["ocr_lines"]] == ["COPY"]  # held by no block
    table = next(b for b in doc.blocks if b.kind == "table")
    assert [c.bbox for c in table.table.cells][:2] == [[141.2, 341.7, 962.4, 398.1], [962.4, 341.7, 1299.6, 398.1]]
    assert table.html.startswith("<html><body><table>") and table.extra["table_res"]["index"] == 0
    assert set(table.extra["table_res"]) == {"index", "table_ocr_pred"}  # the HTML and the boxes are used
    assert next(b for b in doc.blocks if b.kind == "formula").latex == "\\text{Total}=\\sum_{i}q_{i}p_{i}=124.50"
    assert {"formula_res_list", "seal_res_list", "region_det_res", "overall_ocr_res"} <= set(doc.pages[0].extra)


def test_table_results_that_do_not_fit_are_kept():
    blocks = [blk("table", "", order=None)]
    doc = normalize(page(blocks, table_res_list=[
        {"pred_html": "<table><tr><td>a</td><td>b</td></tr></table>", "cell_box_list": [[0, 0, 1, 1]]},
        {"pred_html": "<table><tr><td>c</td></tr></table>"}]))
    table = doc.blocks[0]
    assert table.text == "a\tb" and table.extra["table_res"]["cell_box_list"] == [[0, 0, 1, 1]]
    assert doc.pages[0].extra["table_res_unmatched"][0]["index"] == 1
    assert any("expected one box per cell (2)" in w for w in doc.warnings)
    assert any("1 table result(s) match no table block" in w for w in doc.warnings)


def test_ocr_columns_of_the_wrong_length_are_not_used_but_kept():
    ocr = {"rec_texts": ["a", 7], "rec_scores": [0.9], "rec_boxes": [[0, 0, 5, 5], [0, 0, 5, 5]]}
    doc = normalize(page([blk("text", bbox=(0, 0, 10, 10), order=1)], overall_ocr_res=ocr))
    assert [(line.text, line.confidence) for line in doc.blocks[0].lines] == [("a", None), ("", None)]
    assert doc.blocks[0].lines[1].extra["rec_text"] == 7
    assert doc.pages[0].extra["overall_ocr_res"]["rec_scores"] == [0.9]
    assert any(w.startswith("$.overall_ocr_res.rec_scores: expected a list of 2") for w in doc.warnings)


def test_the_service_response_is_one_document_with_a_page_per_result():
    doc = normalize(LARKSPUR.read_bytes())
    assert (doc.format, doc.job.id, doc.job.status, doc.job.page_count) == \
        ("paddle.api", "7f3c9e1a-52b4-4d3e-9a61-0c2f6b8e4d10", "succeeded", 2)
    assert [(p.number, p.width, p.height) for p in doc.pages] == [(1, 1191, 1684), (2, 1191, 1684)]
    assert doc.pages[0].markdown.startswith("## Port of Larkspur") and doc.pages[1].extra["inputImage"].endswith(".jpg")
    picture = next(b for b in doc.blocks if b.extra["block_label"] == "image")
    assert picture.image.url.endswith("/markdown_0/imgs/img_in_image_box_150_880_1040_1280.jpg")
    assert doc.images[0].bbox == picture.bbox
    chart = next(b for b in doc.blocks if b.extra["block_label"] == "chart")
    assert chart.kind == "figure" and chart.text.startswith("Quarter | Tonnage (kt)")


def test_a_paragraph_title_at_the_top_of_every_page_is_the_running_header():
    doc = normalize(LARKSPUR.read_bytes())
    assert [(b.page, b.kind) for b in doc.blocks if b.text.startswith("Port of Larkspur")] == \
        [(1, "header"), (2, "header")]
    assert doc.warnings == ["$: expected a paragraph_title to be a heading, found 'Port of Larkspur — Annual Cargo "
                            "Review 2025' at the top of pages 1, 2; read as the page's running header"]
    assert next(b for b in doc.blocks if b.text == "Outlook").parent == "p1-b1"  # the section tree spans pages
    one = normalize(TIDE0.read_bytes())  # one page says nothing about recurring: it stays a heading
    assert one.blocks[0].kind == "heading"


def test_a_running_header_on_pages_of_unknown_size_is_the_block_above_all_others():
    from normalizer import join
    pages = [normalize(page([blk("paragraph_title", "Harbor  note", bbox=(10, 5, 300, 30), order=1),
                             blk("text", f"body {k}", bbox=(10, 40, 300, 90), order=2)],
                            page_index=k, page_count=2, width=None, height=None)) for k in (0, 1)]
    doc = join(pages)
    assert [b.kind for b in doc.blocks] == ["header", "paragraph", "header", "paragraph"]
    lower = [normalize(page([blk("text", "first", bbox=(10, 5, 300, 30), order=1),
                             blk("paragraph_title", "Harbor note", bbox=(10, 40, 300, 70), order=2)],
                            page_index=k, page_count=2, width=None, height=None)) for k in (0, 1)]
    assert [b.kind for b in join(lower).blocks] == ["paragraph", "heading", "paragraph", "heading"]


def test_service_images_given_as_base64_and_its_page_flags_are_kept():
    doc = normalize(BERTH.read_bytes())
    assert doc.images[0].url is None and doc.images[0].extra["data"].startswith("/9j/")
    assert doc.blocks[2].image.name == "imgs/img_in_image_box_60_200_600_640.jpg"
    assert (doc.pages[0].extra["isStart"], doc.pages[0].extra["isEnd"]) == (True, True)
    assert [line.text for b in doc.blocks for line in b.lines] == ["Berth 3 notice board",
                                                                    "Crane maintenance Tuesday 06:00–10:00."]


def test_a_failed_call_and_a_bare_result_object():
    doc = normalize(ERROR.read_bytes())
    assert (doc.job.status, doc.job.error, doc.pages) == ("failed", "errorCode 500: Internal Server Error", [])
    bare = json.loads(LARKSPUR.read_bytes())["result"]
    assert normalize(bare).blocks == normalize(LARKSPUR.read_bytes()).blocks
    empty = normalize({"logId": "x", "errorCode": 0, "errorMsg": "Success"}, format="paddle.api")
    assert (empty.job.status, empty.pages) == ("succeeded", [])


def test_format_block_content_fragments():
    settings = {"use_layout_detection": True, "format_block_content": True}
    blocks = [blk("paragraph_title", "### 1.2 Setup", order=1),
              blk("image", '<div style="text-align: center;"><img src="imgs/img_in_image_box_10_10_100_40.jpg" '
                           'alt="Image" width="50%" /></div>'),
              blk("figure_title", '<div style="text-align: center;">Figure 3: Rig &amp; mast</div>\n'),
              blk("text", "Plain & simple <b>not HTML</b>", order=2)]
    doc = normalize(page(blocks, model_settings=settings))
    heading, picture, caption, text = doc.blocks
    assert (heading.text, heading.level, heading.markdown) == ("1.2 Setup", 3, "### 1.2 Setup")
    assert picture.text == "" and picture.image.url == "imgs/img_in_image_box_10_10_100_40.jpg"
    assert picture.html.startswith("<div") and caption.text == "Figure 3: Rig & mast"
    assert text.text == "Plain & simple <b>not HTML</b>"


def test_img_src_and_named_boxes():
    assert img_src("<IMG alt='a' SRC='x.png'>") == "x.png" and img_src("<img src=y.png width=3>") == "y.png"
    assert img_src("<img alt='no source'>") is None and img_src("text") is None
    assert named_box("imgs/img_in_chart_box_1_2_3_4.jpg") == ("chart", (1, 2, 3, 4))
    assert named_box("imgs/img_in_image_box_1_2_3.jpg") is None and named_box("other.jpg") is None


def test_matching_and_line_placing_are_bounded():
    n = 700  # 700 blocks x 700 detections and lines: past the comparisons allowed
    assert n * n > COMPARISONS
    blocks = [blk("text", f"t{k}", bbox=(k, k, k + 5, k + 5), order=k + 1) for k in range(n)]
    boxes = [{"label": "text", "score": 0.5, "coordinate": [k + 0.5, k + 0.5, k + 5.5, k + 5.5]} for k in range(n)]
    ocr = {"rec_texts": ["x"] * n, "rec_boxes": [[k, k, k + 1, k + 1] for k in range(n)]}
    doc = normalize(page(blocks, layout_det_res={"boxes": boxes}, overall_ocr_res=ocr), format="paddle.structure")
    assert len(doc.blocks) == n and any("more than placing lines on blocks compares" in w for w in doc.warnings)
    assert len(doc.pages[0].extra["ocr_lines"]) == n


# --- bad input, field by field ---------------------------------------------------------------------------------

RETYPES = [None, "x", -1.5, True, [], {"a": 1}, [None]]


def _fields(value, path=()):
    """The paths of every object key (in the first item of each list: the others have the same fields)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield path + (key,)
            yield from _fields(item, path + (key,))
    elif isinstance(value, list):
        for k, item in enumerate(value[:1]):
            yield from _fields(item, path + (k,))


def _changed(raw, path, value=None, delete=False):
    raw = copy.deepcopy(raw)
    parent = raw
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return raw


def _read(raw, fmt):
    """Repaired or refused with a JSON path, in both modes, and the output encodes and reads back."""
    for strict in (False, True):
        try:
            for doc in normalize_all(raw, format=fmt, strict=strict):
                assert normalize(to_json(doc)) == doc
        except NormalizeError as exc:
            assert exc.path.startswith("$"), exc.path


@pytest.mark.parametrize("path", [TIDE1, CAFE, INVOICE, LARKSPUR, BERTH, ERROR], ids=lambda p: p.stem)
def test_every_field_deleted_or_retyped_is_repaired_or_refused_with_its_path(path):
    raw = json.loads(path.read_bytes())
    fmt = detect(path.read_bytes())
    fields = list(_fields(raw))
    assert fields
    for field in fields:
        _read(_changed(raw, field, delete=True), fmt)
        for value in RETYPES:
            _read(_changed(raw, field, value), fmt)
