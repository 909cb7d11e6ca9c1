"""PaddleOCR's document parsers: PaddleOCR-VL (`paddle.vl`), PP-StructureV3 (`paddle.structure`) and their
layout-parsing service (`paddle.api`). The raw shapes and the label table are in `paddle_shape.py`,
the page parts read onto the blocks (detections, OCR lines, table cells, images) in `paddle_extras.py`.

One page per file: `save_to_json` writes `NAME_0_res.json`, `NAME_1_res.json`... A page file is one Document of one
page, numbered by its `page_index` (0-based; an image's result has none and is page 1), its `page_count` the job's;
`normalizer.join` puts the pages of one source together. The service's response is one Document, a page per
`layoutParsingResults` entry (the service renders each page separately: its `page_index` is null).

The frame it reads: `block_bbox` is `[x0, y0, x1, y1]` in pixels of the image the layout model saw, top-left
origin. Page size: `width`/`height` (newer results; older ones have none and leave it unknown), else the service's
`dataInfo`. The image the model saw is the input after `doc_preprocessor_res`: turned by its `angle` (0, 90, 180,
270; -1 when not classified) and, with `use_doc_unwarping`, unwarped. The rotation is `Page.rotation`; turned by 90
or 270 degrees, the page is the turned image (width and height swapped from the input's, unless the boxes only fit
the size as given) and a note says so; unwarping has no inverse, so a note says the boxes are in the unwarped image.

Reading order: `parsing_res_list` is in reading order; `block_order` numbers the ordered blocks (from 1) and is
null for what the pipelines leave out of the order (tables, images, charts, headers, footers, figure titles, aside
text...). When the numbers agree with the list, the list is the order; when they do not, the ordered blocks go by
`block_order` and each block without one stays right after the block it follows in the list (its position among
the ordered ones).

Kinds (`paddle_shape.KINDS`): doc_title a level-1 heading, every other title level 2 (a `format_block_content`
result's leading `#`s give the level). A `paragraph_title` recurring at the top of several pages of one document is
its running header (`paddle_extras.running_headers`, with a repair). Unknown labels are `other`, with a repair.

Text: `block_content` is the block's text as given (never read as HTML: a code block's `#include <iostream>` stays),
except a table's (HTML, read with `kit.read_table`: spans, entities, a cell holding only an `<img>` is an empty
cell and the `<img>` stays in `Block.html`), a picture's `<img>` fragment (`format_block_content`: the fragment in
`Block.html`, its `src` as the image) and, with `format_block_content`, a title's `#`s and a centred `<div>` (the
fragment kept in `Block.markdown`). A formula's LaTeX is its content without `$`/`$$`. PaddleOCR-VL merges
neighbouring text blocks into the first and leaves the others' `block_content` empty: they stay blocks without
text (their boxes are real), and a note names them; no text is moved or made up.

Confidence: the VL model gives none; a block's is the score of the layout detection it came from
(`layout_det_res.boxes`), the detection's other fields in `extra.layout_det`, the unmatched detections in the page's
extra. PP-StructureV3's `overall_ocr_res` gives lines (text, box, score), each on the smallest block holding its
centre (the rest in the page's extra); its `table_res_list` gives the table cells' boxes.
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from .. import tables
from ..build import PageBlocks, compact, finish, link_captions, zero_based_page
from ..errors import Repairs, describe
from ..geometry import checked_box, clean_box
from ..kit import heading_level, kind_of, read_table
from ..schema import Block, Document, Image, Job, Page
from ..typed import decode_as, present, present_getter, rest_of
from .paddle_extras import Detections, deep_json, img_src, info_json, markdown_images, pre_json, running_headers
from .paddle_ocr import attach_tables, line_json, ocr_lines, place_lines
from .paddle_shape import (HEADING_LEVELS, IMAGE_LABELS, KINDS, PAGE_KEPT, PROVIDER, TEXT_KINDS, Api, ApiResult,
                           DataInfo, PageRes, PBlock)

__all__ = ["PROVIDER", "KINDS", "convert_vl", "convert_structure", "convert_api", "read_page", "reading_order",
           "PageRes", "Api"]

FORMAT_VL, FORMAT_STRUCTURE, FORMAT_API = "paddle.vl", "paddle.structure", "paddle.api"
_BLOCK_EXTRA = present_getter(("block_id", "group_id", "global_block_id", "global_group_id", "block_polygon_points"))


def convert_vl(raw: Any, repairs: Repairs) -> list[Document]:
    """A PaddleOCR-VL page result (`save_to_json`, or `res.json`'s `{"res": ...}`) as a Document of one page.

    Example:
        >>> doc, = convert_vl({"page_index": 2, "parsing_res_list": [{"block_label": "doc_title",
        ...     "block_content": "Report", "block_bbox": [10, 10, 200, 40]}]}, Repairs())
        >>> doc.pages[0].number, doc.blocks[0].kind, doc.blocks[0].level
        (3, 'heading', 1)
    """
    return [_page_file(raw, repairs, FORMAT_VL)]


def convert_structure(raw: Any, repairs: Repairs) -> list[Document]:
    """A PP-StructureV3 page result as a Document of one page, with its OCR lines and table cell boxes.

    Example:
        >>> doc, = convert_structure({"parsing_res_list": [{"block_label": "text", "block_content": "Hi",
        ...     "block_bbox": [0, 0, 50, 20]}], "overall_ocr_res": {"rec_texts": ["Hi"], "rec_scores": [0.98],
        ...     "rec_boxes": [[2, 2, 40, 18]]}}, Repairs())
        >>> doc.blocks[0].lines[0].text, doc.blocks[0].lines[0].confidence
        ('Hi', 0.98)
    """
    return [_page_file(raw, repairs, FORMAT_STRUCTURE)]


def _page_file(raw: Any, repairs: Repairs, fmt: str) -> Document:
    top = decode_as(raw, PageRes, repairs)
    pr, root = (top.res, "$.res") if top.res is not None else (top, "$")
    number = 1 if pr.page_index is None else zero_based_page(pr.page_index, 1, repairs, f"{root}.page_index")
    wrapper = dict(top.rest) or None if pr is not top else None  # keys beside "res": kept as they came
    doc = Document(provider=PROVIDER, format=fmt, file_name=_file_name(pr.input_path), job=Job(status="succeeded"),
                   extra=compact({"input_path": pr.input_path, "wrapper": wrapper}))
    read_page(doc, pr, number, root, repairs)
    doc.job.page_count = _page_count(pr.page_count, number, f"{root}.page_count", repairs, doc)
    return finish(doc, repairs)


def _file_name(path: str | None) -> str | None:
    """The source's file name from the pipeline's `input_path` (a POSIX or Windows path)."""
    if not path:
        return None
    return path.replace("\\", "/").rsplit("/", 1)[-1] or None


def _page_count(value: int | None, number: int, path: str, repairs: Repairs, doc: Document) -> int | None:
    """The source's page count (the job covers them all, this file holds one page); an image's result has none."""
    if value is None:
        return 1 if number == 1 else None
    if value < number:
        repairs(path, f"expected at least {number} pages (this is page {number}), found {value}", "kept in extra")
        doc.extra["page_count"] = value
        return None
    return value


def convert_api(raw: Any, repairs: Repairs) -> list[Document]:
    """The layout-parsing service's response (PaddleOCR-VL's or PP-StructureV3's) as one Document, a page per
    `layoutParsingResults` entry; a failed call `{errorCode, errorMsg}` is a failed job with no pages.

    Example:
        >>> doc, = convert_api({"logId": "x", "errorCode": 0, "errorMsg": "Success", "result": {"layoutParsingResults":
        ...     [{"prunedResult": {"parsing_res_list": []}, "markdown": {"text": "# A", "images": {}}}],
        ...     "dataInfo": {"type": "image", "width": 800, "height": 600}}}, Repairs())
        >>> doc.job.status, doc.pages[0].width, doc.pages[0].markdown
        ('succeeded', 800.0, '# A')
    """
    api = decode_as(raw, Api, repairs)
    result, root = (api.result, "$.result") if api.result is not None else \
        (ApiResult(layoutParsingResults=api.layoutParsingResults, dataInfo=api.dataInfo), "$")
    failed = api.errorCode not in (0, None)
    job = Job(id=api.logId if isinstance(api.logId, str) else None, status="failed" if failed else "succeeded",
              provider_status=api.errorMsg, error=f"errorCode {api.errorCode}: {api.errorMsg or 'error'}" if failed
              else None)
    info = result.dataInfo
    doc = Document(provider=PROVIDER, format=FORMAT_API, job=job, extra=compact({
        "logId": None if isinstance(api.logId, str) or api.logId is UNSET else api.logId,
        "errorCode": api.errorCode, "dataInfo": _info_json(info),
        "preprocessedImages": None if result.preprocessedImages is UNSET else result.preprocessedImages,
        **rest_of(result, "result_"), **api.rest}))
    sizes = _sizes(info)
    for i, lp in enumerate(result.layoutParsingResults or ()):
        path = f"{root}.layoutParsingResults[{i}]"
        pr = lp.prunedResult
        if pr is None:
            repairs(f"{path}.prunedResult", "expected the page's result, found none", "kept an empty page")
            pr = PageRes()
        size = sizes[i] if i < len(sizes) and (pr.width is None or pr.height is None) else None
        page, blocks = read_page(doc, pr, i + 1, f"{path}.prunedResult", repairs, size)
        md = lp.markdown
        if md is not None:
            page.markdown = md.text
            doc.images += markdown_images(md.images or {}, page, blocks)
            page.extra.update(compact({"isStart": None if md.isStart is UNSET else md.isStart,
                                       "isEnd": None if md.isEnd is UNSET else md.isEnd, **rest_of(md, "markdown_")}))
        page.extra.update(compact({**present(lp, ("outputImages", "inputImage"))}))
    doc.job.page_count = (info.numPages if info is not None and info.numPages else None) or len(doc.pages) or None
    if len(doc.pages) > 1:
        running_headers(doc, repairs)
    return [finish(doc, repairs)]


def _info_json(info: DataInfo | None) -> dict[str, Any] | None:
    if info is None:
        return None
    return compact({"type": info.type, "numPages": info.numPages, "width": info.width, "height": info.height,
                    "pages": [info_json(p) for p in info.pages] if info.pages is not None else None, **info.rest})


def _sizes(info: DataInfo | None) -> list[tuple[Any, Any]]:
    """Each page's rendered size from `dataInfo`: a PDF's per page, an image's once."""
    if info is None:
        return []
    if info.pages:
        return [(p.width, p.height) for p in info.pages]
    return [(info.width, info.height)]


# --- one page --------------------------------------------------------------------------------------------------

def read_page(doc: Document, pr: PageRes, number: int, path: str, repairs: Repairs,
              size: tuple[Any, Any] | None = None) -> tuple[Page, list[Block]]:
    """One page result's page and blocks, appended to `doc` (`size`: the page's size when the result has none).

    Example:
        >>> doc = Document(provider="paddle", format="paddle.vl")
        >>> page, blocks = read_page(doc, PageRes(width=600, height=800), 1, "$", Repairs())
        >>> page.width, page.unit, blocks
        (600.0, 'px', [])
    """
    settings = pr.model_settings or {}
    page = Page(number=number, extra={})
    _size(page, (pr.width, pr.height) if size is None else size, path, repairs)
    doc.pages.append(page)
    items = pr.parsing_res_list or []
    _frame(page, pr, items, path, repairs)
    out = PageBlocks(number, doc.blocks)
    start = len(doc.blocks)
    dets = Detections(pr.layout_det_res)
    empty = []
    for j in reading_order(items, path, repairs):
        block = _block(out, items[j], f"{path}.parsing_res_list[{j}]", repairs, settings.get("format_block_content")
                       is True)
        found = dets.match(block.extra["block_label"], block.bbox)
        if found is not None:
            dets.give(block, found, repairs, path)
        if not block.text and block.kind in TEXT_KINDS and not block.html:
            empty.append(j)
    blocks = doc.blocks[start:]
    _empty_note(empty, items, path, repairs)
    link_captions(blocks)
    left = attach_tables(pr.table_res_list, blocks, _read_table_into, repairs, f"{path}.table_res_list") \
        if pr.table_res_list else []
    _lines(pr, page, blocks, path, repairs)
    ld = pr.layout_det_res
    page.extra.update(compact({
        "page_index": pr.page_index if pr.page_index is not None and pr.page_index != number - 1 else None,
        "model_settings": pr.model_settings,
        "doc_preprocessor_res": pre_json(pr.doc_preprocessor_res) if pr.doc_preprocessor_res is not None else None,
        "layout_det_res": compact(present(ld, ("input_path", "page_index"))) or None if ld is not None else None,
        "layout_det_unmatched": dets.leftover() or None, "table_res_unmatched": left or None,
        **present(pr, PAGE_KEPT)}))
    if pr.res is not None:  # a result wrapped again inside a result: not read, kept as it came
        repairs.note(f"{path}.res", "a page result nested in a page result is not read; kept in the page's extra")
        page.extra["res"] = deep_json(pr.res)
    return page, blocks


def _size(page: Page, size: tuple[Any, Any], path: str, repairs: Repairs) -> None:
    """The page's pixel size, when both numbers are positive; a bad one is repaired and kept in extra."""
    width, height = (_positive(v) for v in size)
    for name, value, read in (("width", size[0], width), ("height", size[1], height)):
        if value is not None and read is None:
            repairs(f"{path}.{name}", f"expected a positive number of pixels, found {describe(value)}",
                    "page size unknown; kept in extra")
            page.extra[name] = value
    if width is not None and height is not None:
        page.width, page.height, page.unit = width, height, "px"


def _positive(value: Any) -> float | None:
    """A positive finite number as a float (an integer past the float range is none); None for anything else."""
    if type(value) not in (int, float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if 0 < number < float("inf") else None


def _frame(page: Page, pr: PageRes, items: list[PBlock], path: str, repairs: Repairs) -> None:
    """Rotation and unwarping from `doc_preprocessor_res`: the boxes are in the preprocessed image."""
    pre = pr.doc_preprocessor_res
    if pre is None:
        return
    ppath, angle = f"{path}.doc_preprocessor_res", pre.angle
    if angle is not None and angle not in (-1, 0, 90, 180, 270):
        repairs(f"{ppath}.angle", f"expected -1, 0, 90, 180 or 270, found {describe(angle)}", "no rotation recorded")
    elif angle is not None and angle >= 0:
        page.rotation = float(angle)
    if angle in (90, 270) and page.width and page.height and page.width != page.height:
        w, h = page.width, page.height
        if _fits(items, h, w) or not _fits(items, w, h):
            page.width, page.height = h, w
            page.extra["input_size"] = [w, h]
            repairs.note(f"{ppath}.angle", f"the page image was turned by {angle:g}° before layout detection; the "
                                           f"boxes are in the turned image, so the page is {h:g}x{w:g} px (the input "
                                           f"was {w:g}x{h:g})")
        else:
            repairs.note(f"{ppath}.angle", f"the page image was turned by {angle:g}° before layout detection, but the "
                                           f"boxes fit the given {w:g}x{h:g} px only; kept that size")
    elif angle in (90, 180, 270):
        repairs.note(f"{ppath}.angle", f"the page image was turned by {angle:g}° before layout detection; the boxes "
                                       "are in the turned image")
    if (pre.model_settings or {}).get("use_doc_unwarping") is True:
        repairs.note(f"{ppath}.model_settings.use_doc_unwarping", "the page image was unwarped before layout "
                     "detection; the boxes are in the unwarped image and may not line up with the source page")


def _fits(items: list[PBlock], width: float, height: float) -> bool:
    """Whether every readable block box lies within `width` x `height` (one pixel of slack)."""
    boxes = [b for b in (clean_box(i.block_bbox) for i in items) if b is not None]
    return all(b[2] <= width + 1 and b[3] <= height + 1 for b in boxes)


def reading_order(items: list[PBlock], path: str, repairs: Repairs) -> list[int]:
    """The entries' indexes in reading order: the list's own when `block_order` agrees with it; else the ordered
    entries by `block_order`, each entry without one right after the entry it follows in the list.

    Example:
        >>> reading_order([PBlock(block_order=2), PBlock(block_order=None), PBlock(block_order=1)], "$", Repairs())
        [2, 0, 1]
    """
    orders = [b.block_order for b in items]
    given = [o for o in orders if o is not None]
    if all(a < b for a, b in zip(given, given[1:])):
        return list(range(len(items)))
    after: dict[int, list[int]] = {}  # list index of an ordered entry (-1: none yet) -> the unordered ones after it
    last = -1
    for j, o in enumerate(orders):
        if o is None:
            after.setdefault(last, []).append(j)
        else:
            last = j
    out = list(after.get(-1, ()))
    for _, j in sorted((o, j) for j, o in enumerate(orders) if o is not None):
        out.append(j)
        out += after.get(j, ())
    repairs.note(f"{path}.parsing_res_list", "block_order disagrees with the list's order; read by block_order, "
                                             "each block without one kept after the block it follows in the list")
    return out


def _block(out: PageBlocks, b: PBlock, path: str, repairs: Repairs, formatted: bool) -> Block:
    """One `parsing_res_list` entry as a block."""
    word = b.block_label or ""
    kind = KINDS.get(word) or kind_of(word, KINDS, repairs, f"{path}.block_label", what="block label")
    bbox = checked_box(b.block_bbox, repairs, lambda: f"{path}.block_bbox") if b.block_bbox is not None else None
    content = b.block_content or ""
    extra: dict[str, Any] = {}
    _BLOCK_EXTRA(b, extra)
    if "block_label" in extra:  # a label that was no string, kept as it came
        extra["block_label_given"] = extra.pop("block_label")
    extra["block_label"] = word
    if b.block_order is not None:
        extra["block_order"] = b.block_order
    if bbox is None and b.block_bbox is not None:
        extra["block_bbox"] = b.block_bbox
    block = out.append(Block(id=out.next_id(), page=out.page, kind=kind,  # type: ignore[arg-type]
                             text=content, bbox=bbox, extra=extra))
    if kind == "table":
        if tables.has_html_table(content):
            _read_table_into(block, content, f"{path}.block_content", repairs)
    elif kind == "formula":
        block.latex = _latex(content)
    elif word in IMAGE_LABELS and "<img" in content.lower():
        src = img_src(content)
        block.html, block.text = content, ""
        block.image = Image(page=out.page, url=src, bbox=bbox) if src else None
    elif formatted:
        block.markdown, block.text = content, _visible(content, kind)
    if kind == "heading":
        marks = len(content.lstrip()) - len(content.lstrip().lstrip("#")) if formatted else 0
        block.level = heading_level(marks or HEADING_LEVELS.get(word, 2), repairs, f"{path}.block_content",
                                    found=repr(content.lstrip()[:marks]))
    return block


def _visible(content: str, kind: str) -> str:
    """The text of a `format_block_content` fragment: a title without its `#`s, a centred `<div>` without its tags."""
    s = content.strip()
    if kind == "heading" and s.startswith("#"):
        return s.lstrip("#").strip()
    if s.startswith("<div") and s.endswith("</div>"):
        return tables.cell_text(s)
    return content


def _latex(content: str) -> str | None:
    """A formula's LaTeX: its content without the `$$ … $$` or `$ … $` PaddleOCR-VL writes around it."""
    s = content.strip()
    for mark in ("$$", "$"):
        if len(s) >= 2 * len(mark) and s.startswith(mark) and s.endswith(mark):
            return s[len(mark):-len(mark)].strip() or None
    return s or None


def _read_table_into(block: Block, html: str, path: str, repairs: Repairs | None = None) -> None:
    read = read_table(repairs if repairs is not None else Repairs(), html=(html, path))
    block.table, block.html, block.text = read.table, html, read.text
    if read.caption:
        block.extra["table_caption"] = read.caption


def _empty_note(empty: list[int], items: list[PBlock], path: str, repairs: Repairs) -> None:
    if not empty:
        return
    labels = sorted({items[j].block_label or "" for j in empty})
    shown = ", ".join(map(str, empty[:8])) + (", …" if len(empty) > 8 else "")
    repairs.note(f"{path}.parsing_res_list", f"{len(empty)} block(s) labelled {', '.join(labels)} have an empty "
                                             "block_content (PaddleOCR-VL puts neighbouring text blocks' text in the "
                                             f"first of them); kept as blocks without text: entries {shown}")


def _lines(pr: PageRes, page: Page, blocks: list[Block], path: str, repairs: Repairs) -> None:
    """PP-StructureV3's OCR lines onto the blocks; the lines no block holds and the rest of the OCR result in the
    page's extra."""
    if pr.overall_ocr_res is None:
        return
    lines, kept = ocr_lines(pr.overall_ocr_res, f"{path}.overall_ocr_res", repairs)
    unplaced = place_lines(lines, blocks, repairs, f"{path}.overall_ocr_res")
    page.extra.update(compact({"ocr_lines": [line_json(line) for line in unplaced] or None,
                               "overall_ocr_res": kept or None}))
