"""PaddleOCR's document parsers, their raw shape: the label table and the structs (the converters are in `paddle.py`,
the sniffers in `normalizer/sniffers.py`).

Where each shape comes from (samples/paddle/PROVENANCE.md has the detail):

- a page result `{input_path, page_index, page_count, width, height, model_settings, parsing_res_list, ...}`: what
  `save_to_json` writes for one page of PaddleOCR-VL (PaddleX `pipelines/paddleocr_vl/result.py`, `_to_json`) and
  of PP-StructureV3 (`pipelines/layout_parsing/result_v2.py`, `_to_json`; PaddleOCR's PP-StructureV3 guide lists
  the fields). `res.json` in memory wraps the same object as `{"res": {...}}`; both are read.
- the layout-parsing service's response `{logId, errorCode, errorMsg, result: {layoutParsingResults:
  [{prunedResult, markdown: {text, images, isStart?, isEnd?}, outputImages?, inputImage?}], dataInfo}}` (PaddleX
  `serving/schemas/paddleocr_vl.py`, `pp_structurev3.py`, `infra/models.py`): `prunedResult` is the page result
  without `input_path`; a failed call is `{logId, errorCode, errorMsg}` alone.
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from ..typed import Raw

PROVIDER = "paddle"

# block_label -> kind: every label PaddleX's layout models emit (PP-DocLayout-L/M/S and _plus-L, PP-DocLayoutV2/V3,
# PicoDet-L_layout_17cls, the 3- and 5-class PicoDet and RT-DETR models), the titles PP-StructureV3 relabels
# (`layout_parsing/setting.py`, BLOCK_LABEL_MAP) and the prompt labels PaddleOCR-VL uses without layout detection.
KINDS = {
    # headings (doc_title is level 1, the other titles level 2: the JSON carries no level)
    "doc_title": "heading", "paragraph_title": "heading", "abstract_title": "heading", "reference_title": "heading",
    "refer_title": "heading", "content_title": "heading", "title": "heading",
    # running text
    "text": "paragraph", "abstract": "paragraph", "reference": "paragraph", "reference_content": "paragraph",
    "vertical_text": "paragraph", "ocr": "paragraph", "list": "list_item", "content": "toc",
    # pictures, tables and what is said about them
    "image": "figure", "figure": "figure", "chart": "figure", "flowchart": "figure", "table": "table",
    "figure_title": "caption", "table_title": "caption", "chart_title": "caption",
    "figure_table_chart_title": "caption", "vision_footnote": "caption",
    # formulas and code
    "formula": "formula", "display_formula": "formula", "inline_formula": "formula", "formula_number": "other",
    "algorithm": "code",
    # page furniture and the rest
    "header": "header", "header_image": "header", "footer": "footer", "footer_image": "footer",
    "number": "page_number", "footnote": "footnote", "aside_text": "other", "seal": "seal", "spotting": "other",
    "region": "other",
}
HEADING_LEVELS = {"doc_title": 1}  # every other title: 2
IMAGE_LABELS = frozenset({"image", "figure", "chart", "flowchart", "header_image", "footer_image", "seal"})
# labels whose block has no text of its own when the VL model merged it into a neighbour (never pictures)
TEXT_KINDS = frozenset({"heading", "paragraph", "list_item", "toc", "caption", "formula", "code", "header", "footer",
                        "page_number", "footnote"})


class PBlock(Raw, kw_only=True):
    """One entry of `parsing_res_list`."""
    block_label: str | None = None
    block_content: str | None = None
    block_bbox: Any = None
    block_id: Any = UNSET
    block_order: int | None = None
    group_id: Any = UNSET
    global_block_id: Any = UNSET
    global_group_id: Any = UNSET
    block_polygon_points: Any = UNSET


class DetBox(Raw, kw_only=True):
    """One detection of `layout_det_res.boxes`."""
    cls_id: Any = UNSET
    label: str | None = None
    score: float | None = None
    coordinate: Any = None
    order: Any = UNSET
    polygon_points: Any = UNSET


class LayoutDet(Raw, kw_only=True):
    input_path: Any = UNSET
    page_index: Any = UNSET
    boxes: list[DetBox] | None = None


class DocPre(Raw, kw_only=True):
    """`doc_preprocessor_res`: the page image was turned by `angle` (-1: not classified) and maybe unwarped before
    anything was detected on it."""
    input_path: Any = UNSET
    page_index: Any = UNSET
    model_settings: dict[str, Any] | None = None
    angle: int | float | None = None


# Fields of `overall_ocr_res` read line by line (the parallel lists); the others go to the page's extra as given.
OCR_KEPT = ("input_path", "page_index", "model_settings", "dt_polys", "dt_scores", "text_det_params", "text_type",
            "textline_orientation_angles", "text_rec_score_thresh", "return_word_box", "text_word",
            "text_word_region", "rec_labels")


class OcrRes(Raw, kw_only=True):
    rec_texts: Any = None
    rec_scores: Any = None
    rec_polys: Any = None
    rec_boxes: Any = None
    input_path: Any = UNSET
    page_index: Any = UNSET
    model_settings: Any = UNSET
    dt_polys: Any = UNSET
    dt_scores: Any = UNSET
    text_det_params: Any = UNSET
    text_type: Any = UNSET
    textline_orientation_angles: Any = UNSET
    text_rec_score_thresh: Any = UNSET
    return_word_box: Any = UNSET
    text_word: Any = UNSET
    text_word_region: Any = UNSET
    rec_labels: Any = UNSET


class TableRes(Raw, kw_only=True):
    """One entry of `table_res_list`: the table's HTML, its cells' boxes (in the order of the HTML's cells) and the
    OCR run inside it."""
    pred_html: str | None = None
    cell_box_list: Any = None
    table_ocr_pred: Any = UNSET
    table_region_id: Any = UNSET
    input_path: Any = UNSET
    page_index: Any = UNSET
    block_bbox: Any = UNSET


PAGE_KEPT = ("seal_res_list", "formula_res_list", "chart_res_list", "region_det_res", "text_paragraphs_ocr_res",
             "spotting_res", "imgs_in_doc")


class PageRes(Raw, kw_only=True):
    """One page's result, as `save_to_json` writes it (or wrapped in `res`, as `res.json` holds it)."""
    input_path: str | None = None
    page_index: int | None = None
    page_count: int | None = None
    width: int | float | None = None
    height: int | float | None = None
    model_settings: dict[str, Any] | None = None
    parsing_res_list: list[PBlock] | None = None
    layout_det_res: LayoutDet | None = None
    doc_preprocessor_res: DocPre | None = None
    overall_ocr_res: OcrRes | None = None
    table_res_list: list[TableRes] | None = None
    seal_res_list: Any = UNSET
    formula_res_list: Any = UNSET
    chart_res_list: Any = UNSET
    region_det_res: Any = UNSET
    text_paragraphs_ocr_res: Any = UNSET
    spotting_res: Any = UNSET
    imgs_in_doc: Any = UNSET
    res: PageRes | None = None


class Markdown(Raw, kw_only=True):
    text: str | None = None
    images: dict[str, Any] | None = None
    isStart: Any = UNSET
    isEnd: Any = UNSET


class ParsingResult(Raw, kw_only=True):
    prunedResult: PageRes | None = None
    markdown: Markdown | None = None
    outputImages: Any = UNSET
    inputImage: Any = UNSET


class PageInfo(Raw, kw_only=True):
    width: int | float | None = None
    height: int | float | None = None


class DataInfo(Raw, kw_only=True):
    type: str | None = None
    numPages: int | None = None
    pages: list[PageInfo] | None = None
    width: int | float | None = None
    height: int | float | None = None


class ApiResult(Raw, kw_only=True):
    layoutParsingResults: list[ParsingResult] | None = None
    dataInfo: DataInfo | None = None
    preprocessedImages: Any = UNSET


class Api(Raw, kw_only=True):
    """The service's response; `result` alone (what the documented client keeps) is read too."""
    logId: Any = UNSET
    errorCode: int | None = None
    errorMsg: str | None = None
    result: ApiResult | None = None
    layoutParsingResults: list[ParsingResult] | None = None
    dataInfo: DataInfo | None = None
