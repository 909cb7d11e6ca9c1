"""PP-StructureV3's parts read onto the blocks: its OCR lines (`overall_ocr_res`: text, box and score of each line,
placed on the smallest block holding the line's centre) and its table results (`table_res_list`: the cells' boxes, in
the order of the table HTML's cells). Placing is bounded like the detections' matching (`COMPARISONS` per page)."""

from __future__ import annotations

import math
from typing import Any

from ..errors import Repairs, describe
from ..schema import BBox, Block, Line
from ..typed import present
from .paddle_extras import COMPARISONS, any_box, score, table_json
from .paddle_shape import OCR_KEPT, OcrRes, TableRes


# --- PP-StructureV3's OCR lines --------------------------------------------------------------------------------

def _column(value: Any, n: int, name: str, path: str, repairs: Repairs) -> list[Any] | None:
    """One of the OCR result's parallel lists, when it has one entry per text; None (with a repair) otherwise."""
    if value is None:
        return None
    if type(value) is not list or len(value) != n:
        repairs(f"{path}.{name}", f"expected a list of {n} (one per rec_texts entry), found {describe(value)}",
                "not used; kept in the page's extra")
        return None
    return value


def ocr_lines(ocr: OcrRes, path: str, repairs: Repairs) -> tuple[list[Line], dict[str, Any]]:
    """The OCR result's lines (text, box, confidence) and what else it holds, for the page's extra.

    Example:
        >>> lines, kept = ocr_lines(OcrRes(rec_texts=["Total"], rec_scores=[0.99], rec_boxes=[[0, 0, 40, 12]],
        ...                                text_type="general"), "$", Repairs())
        >>> (lines[0].text, lines[0].bbox, lines[0].confidence), kept
        (('Total', [0.0, 0.0, 40.0, 12.0], 0.99), {'text_type': 'general'})
    """
    kept = {k: v for k, v in present(ocr, OCR_KEPT).items() if v is not None}
    texts = ocr.rec_texts
    if texts is None:
        return [], kept
    if type(texts) is not list:
        repairs(f"{path}.rec_texts", f"expected a list of texts, found {describe(texts)}", "kept in extra")
        return [], {**kept, "rec_texts": texts, **_given(ocr)}
    n = len(texts)
    columns = {name: _column(getattr(ocr, name), n, name, path, repairs)
               for name in ("rec_scores", "rec_boxes", "rec_polys")}
    kept.update({name: getattr(ocr, name) for name, col in columns.items()
                 if col is None and getattr(ocr, name) is not None})
    lines = []
    for i, text in enumerate(texts):
        lines.append(_line(text, i, columns, path, repairs))
    return lines, kept


def _given(ocr: OcrRes) -> dict[str, Any]:
    return {k: v for k in ("rec_scores", "rec_boxes", "rec_polys") if (v := getattr(ocr, k)) is not None}


def _line(text: Any, i: int, columns: dict[str, list[Any] | None], path: str, repairs: Repairs) -> Line:
    extra: dict[str, Any] = {"index": i}
    if not isinstance(text, str):
        repairs(f"{path}.rec_texts[{i}]", f"expected a string, found {describe(text)}", "kept in the line's extra")
        extra["rec_text"], text = text, ""
    scores, boxes, polys = columns["rec_scores"], columns["rec_boxes"], columns["rec_polys"]
    confidence = score(scores[i]) if scores is not None else None
    if scores is not None and confidence is None:
        repairs(f"{path}.rec_scores[{i}]", f"expected a score in 0..1, found {describe(scores[i])}",
                "kept in the line's extra")
        extra["rec_score"] = scores[i]
    bbox = any_box(boxes[i]) if boxes is not None else None
    poly = polys[i] if polys is not None else None
    if bbox is None:
        if boxes is not None:
            repairs(f"{path}.rec_boxes[{i}]", f"expected four finite numbers, found {describe(boxes[i])}",
                    "kept in the line's extra")
            extra["rec_box"] = boxes[i]
        bbox = any_box(poly)
    if poly is not None and _corners(poly) != _corners(_rect(bbox)):
        extra["rec_poly"] = poly  # a tilted or unreadable polygon: its box alone would not say it
    return Line(text=text, bbox=bbox, confidence=confidence, extra=extra)


def _rect(box: BBox | None) -> list[list[float]]:
    if box is None:
        return []
    return [[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]]


def _corners(poly: Any) -> set[tuple[float, float]]:
    try:
        return {(float(x), float(y)) for x, y in poly}
    except (TypeError, ValueError):
        return set()


def place_lines(lines: list[Line], blocks: list[Block], repairs: Repairs, path: str) -> list[Line]:
    """Each line onto the smallest block whose box holds its centre (the pipeline keeps no such link); returns the
    lines no block holds.

    Example:
        >>> block = Block(id="p1-b0", page=1, kind="paragraph", bbox=[0, 0, 100, 20])
        >>> left = place_lines([Line(text="a", bbox=[2, 2, 50, 18]), Line(text="b", bbox=[0, 40, 9, 50])], [block],
        ...                    Repairs(), "$")
        >>> [line.text for line in block.lines], [line.text for line in left]
        (['a'], ['b'])
    """
    boxed = [b for b in blocks if b.bbox is not None]
    if len(lines) * len(boxed) > COMPARISONS:
        repairs.note(path, f"{len(lines)} OCR lines and {len(boxed)} blocks are more than placing lines on blocks "
                           f"compares ({COMPARISONS:,}); the lines are kept in the page's extra")
        return lines
    unplaced = []
    for line in lines:
        holder = _holder(line.bbox, boxed)
        if holder is None:
            unplaced.append(line)
        else:
            holder.lines.append(line)
    return unplaced


def _holder(box: BBox | None, blocks: list[Block]) -> Block | None:
    if box is None:
        return None
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    best, area = None, math.inf
    for block in blocks:
        b = block.bbox
        if b[0] <= cx <= b[2] and b[1] <= cy <= b[3]:  # type: ignore[index]
            size = (b[2] - b[0]) * (b[3] - b[1])  # type: ignore[index]
            if size < area:
                best, area = block, size
    return best


def line_json(line: Line) -> dict[str, Any]:
    """A line no block holds, for the page's extra.

    Example:
        >>> line_json(Line(text="COPY", bbox=[1, 2, 3, 4], confidence=0.9, extra={"index": 7}))
        {'text': 'COPY', 'bbox': [1, 2, 3, 4], 'confidence': 0.9, 'index': 7}
    """
    out: dict[str, Any] = {"text": line.text, "bbox": line.bbox, "confidence": line.confidence, **line.extra}
    return {k: v for k, v in out.items() if v is not None}


# --- PP-StructureV3's table results ----------------------------------------------------------------------------

def _table_for(entry: TableRes, tables: list[Block], used: set[int]) -> int | None:
    """The table block a `table_res_list` entry belongs to: by region id (the block's `block_id`), by identical
    HTML, else the next table block not yet given one (both lists follow the page's tables in order)."""
    rid = entry.table_region_id
    for k, block in enumerate(tables):
        if k not in used and rid is not None and type(rid) is int and block.extra.get("block_id") == rid:
            return k
    for k, block in enumerate(tables):
        if k not in used and entry.pred_html and block.html == entry.pred_html:
            return k
    return next((k for k in range(len(tables)) if k not in used), None)


def attach_tables(entries: list[TableRes], blocks: list[Block], read: Any, repairs: Repairs,
                  path: str) -> list[dict[str, Any]]:
    """Each table result onto its table block: the cells' boxes (when there is one per cell), the table read from
    `pred_html` when the block holds no HTML, the rest in `extra.table_res`. Returns the entries no block took.

    Example:
        >>> from normalizer.kit import read_table
        >>> def read(block, html, path, repairs):
        ...     block.table, block.html = read_table(repairs, html=(html, path)).table, html
        >>> table = Block(id="p1-b0", page=1, kind="table")
        >>> attach_tables([TableRes(pred_html="<table><tr><td>a</td></tr></table>", cell_box_list=[[0, 0, 9, 9]])],
        ...               [table], read, Repairs(), "$.table_res_list")
        []
        >>> table.table.cells[0].bbox, table.extra
        ([0.0, 0.0, 9.0, 9.0], {'table_res': {'index': 0}})
    """
    tables = [b for b in blocks if b.kind == "table"]
    used: set[int] = set()
    left = []
    for i, entry in enumerate(entries):
        k = _table_for(entry, tables, used) if len(tables) * len(entries) <= COMPARISONS else None
        if k is None:
            left.append({"index": i, **table_json(entry)})
            continue
        used.add(k)
        block, tpath = tables[k], f"{path}[{i}]"
        extra = table_json(entry)
        if block.table is None or not block.table.cells:
            if entry.pred_html:
                read(block, entry.pred_html, f"{tpath}.pred_html", repairs)
        if extra.get("pred_html") == block.html:
            extra.pop("pred_html")
        if _cell_boxes(block, entry.cell_box_list, repairs, f"{tpath}.cell_box_list"):
            extra.pop("cell_box_list")
        block.extra["table_res"] = {"index": i, **extra}
    if left:
        repairs.note(path, f"{len(left)} table result(s) match no table block; kept in the page's extra")
    return left


def _cell_boxes(block: Block, boxes: Any, repairs: Repairs, path: str) -> bool:
    """The cells' boxes, in the order of the table's cells (the order of its HTML); False when they cannot be
    given (the list is kept as it came)."""
    cells = block.table.cells if block.table is not None else []
    if boxes is None or not cells:
        return False
    if type(boxes) is not list or len(boxes) != len(cells):
        repairs.note(path, f"expected one box per cell ({len(cells)}), found {describe(boxes)}; "
                           "the boxes are kept in the table's extra")
        return False
    frames = [any_box(b) for b in boxes]
    if any(f is None for f in frames):
        bad = frames.index(None)
        repairs(f"{path}[{bad}]", f"expected a cell box, found {describe(boxes[bad])}", "boxes kept in extra")
        return False
    for cell, frame in zip(cells, frames):
        cell.bbox = frame
    return True
