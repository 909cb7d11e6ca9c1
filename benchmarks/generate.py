"""Synthetic, realistic-shaped provider results for the benchmark (deterministic, no I/O)."""

from __future__ import annotations

import orjson

_WORDS = ("revenue grew in every region while operating costs stayed flat and the board "
          "approved a dividend of forty cents per share payable in the third quarter").split()


def _sentence(i: int, n: int = 14) -> str:
    return " ".join(_WORDS[(i + k * 7) % len(_WORDS)] for k in range(n)).capitalize() + "."


def _box(x: float, y: float, w: float, h: float, label: str, end: int) -> dict:
    return {"x": x, "y": y, "w": w, "h": h, "confidence": 0.93, "label": label,
            "start_index": 0, "end_index": end}


def _table(p: int) -> dict:
    body = "".join(
        f"<tr><td>Region {r}</td><td>{100 + r + p}.5</td><td>{200 + r}.0</td></tr>" for r in range(6))
    html = ('<table><thead><tr><th rowspan="2">Region</th><th colspan="2">Revenue</th></tr>'
            f"<tr><th>2024</th><th>2025</th></tr></thead><tbody>{body}</tbody></table>")
    rows = [["Region", "Revenue", ""], ["", "2024", "2025"]]
    rows += [[f"Region {r}", 100 + r + p + 0.5, 200.0 + r] for r in range(6)]
    csv = "\n".join(",".join(str(c) for c in row) for row in rows)
    return {"type": "table", "md": html, "html": html, "csv": csv, "rows": rows,
            "bbox": [_box(72.0, 400.0, 460.0, 120.0, "table", len(html))]}


def llamacloud_v2(pages: int = 1000, items_per_page: int = 20) -> bytes:
    """A completed `GET /api/v2/parse/{id}?expand=items,markdown,text,metadata` response."""
    out_pages, md_pages, text_pages, meta_pages = [], [], [], []
    for p in range(1, pages + 1):
        items: list[dict] = [
            {"type": "header", "md": "ACME Corp annual report",
             "bbox": [_box(72.0, 28.0, 200.0, 10.0, "page_header", 23)],
             "items": [{"type": "text", "md": "ACME Corp annual report", "value": "ACME Corp annual report",
                        "bbox": [_box(72.0, 28.0, 200.0, 10.0, "page_header", 23)]}]},
            {"type": "heading", "level": 2, "md": f"## Section {p}", "value": f"Section {p}",
             "bbox": [_box(72.0, 60.0, 150.0, 16.0, "paragraph_title", 10)]},
            _table(p),
            {"type": "list", "ordered": False, "md": "- first point\n- second point",
             "bbox": [_box(72.0, 540.0, 200.0, 30.0, "text", 28)],
             "items": [{"type": "text", "md": "first point", "value": "first point",
                        "bbox": [_box(84.0, 540.0, 100.0, 12.0, "text", 11)]},
                       {"type": "text", "md": "second point", "value": "second point",
                        "bbox": [_box(84.0, 556.0, 100.0, 12.0, "text", 12)]}]},
        ]
        y = 90.0
        for i in range(items_per_page - len(items)):
            s = _sentence(p * 31 + i)
            items.append({"type": "text", "md": s, "value": s,
                          "bbox": [_box(72.0, y, 460.0, 14.0, "text", len(s))]})
            y += 18.0
        out_pages.append({"page_number": p, "page_width": 612.0, "page_height": 792.0,
                          "success": True, "items": items})
        md = "\n\n".join(it["md"] for it in items if it["type"] not in ("header", "footer"))
        md_pages.append({"page_number": p, "markdown": md, "success": True,
                         "header": "ACME Corp annual report", "footer": None})
        text_pages.append({"page_number": p, "text": md})
        meta_pages.append({"page_number": p, "confidence": 0.95, "printed_page_number": str(p)})
    doc = {
        "job": {"id": "pjb-bench", "project_id": "proj-bench", "status": "COMPLETED",
                "created_at": "2026-09-01T10:00:00Z", "updated_at": "2026-09-01T10:05:00Z",
                "name": "bench.pdf", "tier": "agentic"},
        "items": {"pages": out_pages},
        "markdown": {"pages": md_pages},
        "text": {"pages": text_pages},
        "metadata": {"pages": meta_pages},
    }
    return orjson.dumps(doc)


def whisperer_retrieve(pages: int) -> bytes:
    """A layout-preserving retrieve: 48 lines a page (paragraphs, a whitespace table), line bands and a
    low-confidence word on every fifth line."""
    lines: list[str] = []
    meta: list[list[int]] = []
    conf: list[list[dict]] = []
    for p in range(pages):
        y = 120
        for i in range(44):
            if i % 6 == 5:
                lines.append("")
                meta.append([0, 0, 0, 0])
                conf.append([])
                continue
            text = ("    " + _sentence(p + i, 10)) if i % 11 else f"   Region {i:<12}{100 + p}.5{'':8}{200 + i}.0"
            lines.append(text)
            y += 60
            meta.append([p, y, 44, 3168])
            word = text.split()[2]
            conf.append([{"text": word, "confidence": 0.71}] if i % 5 == 0 else [])
        lines.append(f"{'':40}Page {p + 1}")
        meta.append([p, y + 200, 40, 3168])
        conf.append([])
        lines[-1] += "\n<<<\f"
        meta.append([0, 0, 0, 0])
        conf.append([])
    text = "\n".join(lines)
    return orjson.dumps({"confidence_metadata": conf, "line_metadata": meta, "metadata": {},
                         "result_text": text, "webhook_metadata": ""})


def ragflow_chunks(pages: int) -> bytes:
    """A chunk list with 20 chunks a page; every tenth chunk a table, every seventh spans two pages."""
    chunks = []
    for p in range(1, pages + 1):
        for i in range(20):
            n = (p - 1) * 20 + i
            top = 40 + i * 36
            positions = [[p, 72, 540, top, top + 30]]
            if i == 19 and p < pages and n % 7 == 0:
                positions.append([p + 1, 72, 540, 20, 40])
            kind = "table" if i % 10 == 3 else "text"
            content = (f"<table><tr><th>Region</th><th>Revenue</th></tr><tr><td>North</td><td>{n}.5</td></tr>"
                       f"<tr><td>South</td><td>{n + 1}.0</td></tr></table>" if kind == "table" else _sentence(n, 30))
            chunks.append({"id": f"{n:032x}", "content": content, "document_id": "d" * 32,
                           "docnm_kwd": "report.pdf", "important_keywords": ["revenue"], "tag_kwd": [],
                           "questions": [], "dataset_id": "e" * 32, "image_id": "", "doc_type_kwd": kind,
                           "available": True, "positions": positions})
    return orjson.dumps({"code": 0, "data": {"total": len(chunks), "chunks": chunks}})


def somark(pages: int) -> bytes:
    """An async_check success: 20 blocks a page (titles, text, an HTML table with spans, a figure and captions)."""
    out = []
    for p in range(pages):
        blocks = []
        for i in range(20):
            kind = ("title" if i % 10 == 0 else "table" if i == 7 else "table_caption" if i == 6 else
                    "figure" if i == 12 else "text")
            content = (_table(p)["html"] if kind == "table" else f"Section {p}.{i}" if kind == "title"
                       else _sentence(p + i, 24))
            blocks.append({"idx": i, "type": kind, "bbox": [104, 60 + i * 80, 1136, 130 + i * 80],
                           "content": content, "format": "html" if kind == "table" else "text",
                           "captions": [6] if kind == "table" else [], "img_url": "",
                           **({"title_level": 1 + i // 10} if kind == "title" else {})})
        out.append({"page_num": p, "page_size": {"w": 1241, "h": 1754}, "merge_content_from_pre_page": False,
                    "blocks": blocks})
    return orjson.dumps({"code": 0, "message": "ok", "data": {
        "task_id": "t" * 32, "status": "SUCCESS", "file_name": "bench.pdf",
        "metadata": {"page_num": pages, "file_type": ".pdf"},
        "result": {"file_name": "bench.pdf", "outputs": {"json": {"pages": out}}}}})


def baidu_result(pages: int) -> bytes:
    """A parse_result: 20 layouts a page with a heading tree and a 9x3 matrix table with merged header cells."""
    out = []
    for p in range(pages):
        layouts = []
        head = f"l{p}-0"
        for i in range(20):
            lid = f"l{p}-{i}"
            kind, sub = ("title", "title_1") if i == 0 else ("table", "") if i == 7 else ("para", "")
            layouts.append({"layout_id": lid, "text": "" if kind == "table" else _sentence(p + i, 24),
                            "position": [149, 60 + i * 80, 893, 70], "type": kind, "sub_type": sub,
                            "parent": "" if i == 0 else head, "children": []})
        texts = ["Region", "Revenue", "2024", "2025"] + [f"{v}" for r in range(6) for v in (f"Region {r}", 100 + r, 200 + r)]
        cells = [{"layout_id": f"l{p}-7-c{k}", "text": t, "position": [149 + (k % 3) * 300, 620 + k * 10, 300, 30],
                  "type": "cell", "sub_type": ""} for k, t in enumerate(texts)]
        matrix = [[0, 1, 1], [0, 2, 3]] + [[4 + 3 * r, 5 + 3 * r, 6 + 3 * r] for r in range(6)]
        out.append({"page_id": f"page-{p}", "page_num": p, "text": "", "layouts": layouts,
                    "tables": [{"layout_id": f"l{p}-7", "markdown": "", "table_title_id": [],
                                "position": [149, 620, 893, 300], "cells": cells, "matrix": matrix,
                                "merge_table": ""}],
                    "images": [], "meta": {"page_width": 1191, "page_height": 1684, "is_scan": False,
                                           "page_angle": 0, "page_type": "normal", "sheet_name": ""}})
    return orjson.dumps({"file_name": "bench.pdf", "file_id": "file-1", "pages": out})


def docling(pages: int) -> bytes:
    """A DoclingDocument of the LlamaCloud benchmark document (our Docling export of it: 20 items and a spanned
    table a page, every item with its provenance)."""
    import os
    import sys
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from exporters.docling import to_docling
    from normalizer import normalize
    return to_docling(normalize(llamacloud_v2(pages)))


def unstructured(pages: int) -> bytes:
    """The LlamaCloud benchmark document as unstructured elements (our elements export of it)."""
    import os
    import sys
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from exporters.elements import to_elements
    from normalizer import normalize
    return to_elements(normalize(llamacloud_v2(pages)))


def mineru(pages: int) -> bytes:
    """The LlamaCloud benchmark document as a MinerU content list: boxes on the 0-1000 grid, headings with
    text_level, tables as HTML table_body."""
    import os
    import sys
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from exporters.tables import table_to_html
    from normalizer import normalize
    doc = normalize(llamacloud_v2(pages))
    kinds = {"heading": "text", "paragraph": "text", "list_item": "text", "table": "table", "figure": "image",
             "caption": "text", "formula": "equation", "header": "header", "footer": "footer"}
    out = []
    for b in doc.blocks:
        entry = {"type": kinds.get(b.kind, "text"), "page_idx": b.page - 1}
        if b.bbox:
            entry["bbox"] = [round(b.bbox[0] / 0.612), round(b.bbox[1] / 0.792), round(b.bbox[2] / 0.612),
                             round(b.bbox[3] / 0.792)]
        if b.kind == "table" and b.table is not None:
            entry["table_body"] = table_to_html(b.table)
        else:
            entry["text"] = b.text
        if b.kind == "heading":
            entry["text_level"] = b.level or 1
        out.append(entry)
    return orjson.dumps(out)


def mineru_v2(pages: int) -> bytes:
    """The MinerU content list as MinerU 3's content_list_v2.json: a list per page, text as span lists, headings
    as titles with their level, tables as HTML."""
    types = {"text": "paragraph", "table": "table", "image": "image", "equation": "equation_interline",
             "header": "page_header", "footer": "page_footer"}
    out: list[list[dict]] = [[] for _ in range(pages)]
    for e in orjson.loads(mineru(pages)):
        kind = "title" if e.get("text_level") else types[e["type"]]
        if kind == "table":
            content = {"html": e["table_body"], "table_caption": [], "table_footnote": [], "table_type": "complex_table"}
        elif kind == "equation_interline":
            content = {"math_content": e["text"], "math_type": "latex"}
        elif kind == "image":
            content = {"image_source": {"path": ""}, "image_caption": [], "image_footnote": []}
        else:
            content = {f"{kind}_content": [{"type": "text", "content": e["text"]}]}
            if kind == "title":
                content["level"] = e["text_level"]
        out[e["page_idx"]].append({"type": kind, "content": content, "bbox": e["bbox"]})
    return orjson.dumps(out)


def mineru_model(pages: int) -> bytes:
    """The LlamaCloud benchmark document as MinerU's model.json: each block a layout detection (its category id)
    on a 200 dpi page image, its text as an OCR line (category 15) inside it, tables with their HTML."""
    import os
    import sys
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from exporters.tables import table_to_html
    from normalizer import normalize
    doc = normalize(llamacloud_v2(pages))
    ids = {"heading": 0, "paragraph": 1, "list_item": 1, "table": 5, "figure": 3, "caption": 4, "formula": 8,
           "header": 2, "footer": 2}
    scale = 200 / 72
    out = [{"layout_dets": [], "page_info": {"page_no": p, "width": 1700, "height": 2200}} for p in range(pages)]
    for b in doc.blocks:
        if not b.bbox:
            continue
        x0, y0, x1, y1 = (round(v * scale, 1) for v in b.bbox)
        poly = [x0, y0, x1, y0, x1, y1, x0, y1]
        det = {"category_id": ids.get(b.kind, 1), "poly": poly, "score": 0.97}
        if b.table is not None:
            det["html"] = table_to_html(b.table)
        dets = out[b.page - 1]["layout_dets"]
        dets.append(det)
        if b.table is None:
            dets.append({"category_id": 15, "poly": poly, "score": 0.99, "text": b.text})
    return orjson.dumps(out)


def marker(pages: int) -> bytes:
    """The LlamaCloud benchmark document as marker JSON: a Page per page, each block's text as HTML, tables as
    HTML tables, headings as <hN>."""
    import html
    import os
    import sys
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from exporters.tables import table_to_html
    from normalizer import normalize
    doc = normalize(llamacloud_v2(pages))
    types = {"heading": "SectionHeader", "list_item": "ListItem", "table": "Table", "figure": "Picture",
             "caption": "Caption", "formula": "Equation", "header": "PageHeader", "footer": "PageFooter"}
    by_page: dict[int, list] = {}
    for b in doc.blocks:
        kind = types.get(b.kind, "Text")
        body = table_to_html(b.table) if b.table is not None else (
            f"<h{b.level or 1}>{html.escape(b.text)}</h{b.level or 1}>" if kind == "SectionHeader"
            else f"<p>{html.escape(b.text)}</p>")
        by_page.setdefault(b.page, []).append({"id": f"/page/{b.page - 1}/{kind}/{len(by_page.get(b.page, []))}",
                                               "block_type": kind, "html": body, "bbox": b.bbox,
                                               "polygon": None, "children": None})
    return orjson.dumps({"block_type": "Document", "children": [
        {"id": f"/page/{p.number - 1}/Page/0", "block_type": "Page", "html": "", "bbox": [0, 0, 612, 792],
         "children": by_page.get(p.number, [])} for p in doc.pages]})


_PADDLE_LABELS = {"heading": "paragraph_title", "paragraph": "text", "list_item": "text", "table": "table",
                  "figure": "image", "caption": "figure_title", "formula": "display_formula", "header": "header",
                  "footer": "footer"}
_PADDLE_UNORDERED = {"table", "image", "figure_title", "header", "footer"}


def _paddle_pages(pages: int, structure: bool) -> list[dict]:
    """The LlamaCloud benchmark document as PaddleOCR page results (PDF points at 2x: 1224 x 1584 px): a block and a
    layout detection per block, null `block_order` where the pipelines leave it; PP-StructureV3's also with an OCR
    line per text block and each table's cell boxes."""
    import os
    import sys
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from exporters.tables import table_to_html
    from normalizer import normalize
    doc = normalize(llamacloud_v2(pages))
    out = [{"input_path": "/bench/bench.pdf", "page_index": p, "page_count": pages, "width": 1224, "height": 1584,
            "model_settings": {"use_doc_preprocessor": False, "use_layout_detection": True,
                               "format_block_content": False} if not structure else
            {"use_doc_preprocessor": False, "use_table_recognition": True, "use_formula_recognition": True},
            "parsing_res_list": [], "layout_det_res": {"input_path": None, "page_index": None, "boxes": []}}
           for p in range(pages)]
    if structure:
        for page in out:
            page["overall_ocr_res"] = {"rec_texts": [], "rec_scores": [], "rec_polys": [], "rec_boxes": []}
            page["table_res_list"] = []
    for b in doc.blocks:
        if not b.bbox:
            continue
        page = out[b.page - 1]
        label = _PADDLE_LABELS.get(b.kind, "text")
        box = [round(v * 2) for v in b.bbox]
        items = page["parsing_res_list"]
        order = None if label in _PADDLE_UNORDERED else sum(1 for i in items if i["block_order"] is not None) + 1
        content = table_to_html(b.table) if b.table is not None else b.text
        items.append({"block_label": label, "block_content": content, "block_bbox": box, "block_id": len(items),
                      "block_order": order})
        page["layout_det_res"]["boxes"].append({"cls_id": 22, "label": label, "score": 0.9512,
                                                "coordinate": [v + 0.25 for v in box]})
        if structure and b.table is not None:
            page["table_res_list"].append({"pred_html": content, "cell_box_list": [box] * len(b.table.cells)})
        elif structure:
            ocr = page["overall_ocr_res"]
            ocr["rec_texts"].append(b.text)
            ocr["rec_scores"].append(0.9871)
            ocr["rec_polys"].append([[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]])
            ocr["rec_boxes"].append(box)
    return out


def paddle_vl_pages(pages: int) -> list[bytes]:
    """The benchmark document as PaddleOCR-VL's `save_to_json` files: one page result per file."""
    return [orjson.dumps(page) for page in _paddle_pages(pages, structure=False)]


def paddle_structure_pages(pages: int) -> list[bytes]:
    """… as PP-StructureV3's page files, with OCR lines and table cell boxes."""
    return [orjson.dumps(page) for page in _paddle_pages(pages, structure=True)]


def paddle_api(pages: int) -> bytes:
    """… as the layout-parsing service's response for PaddleOCR-VL: a `layoutParsingResults` entry per page."""
    results = []
    for page in _paddle_pages(pages, structure=False):
        page.pop("input_path")
        page["page_index"] = page["page_count"] = None
        md = "\n\n".join(b["block_content"] for b in page["parsing_res_list"])
        results.append({"prunedResult": page, "markdown": {"text": md, "images": {}}})
    return orjson.dumps({"logId": "bench", "errorCode": 0, "errorMsg": "Success", "result": {
        "layoutParsingResults": results,
        "dataInfo": {"numPages": pages, "pages": [{"width": 1224, "height": 1584}] * pages, "type": "pdf"}}})
