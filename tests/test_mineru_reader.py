"""Reading MinerU's content_list.json: the 0-1000 grid, heading levels, captions and footnotes as blocks linked to
what they describe, lists, code, discarded blocks."""

from __future__ import annotations

import json

import pytest

from normalizer import detect, load, normalize

from .conftest import SAMPLES

SAMPLE = SAMPLES / "mineru" / "overtopping_content_list.json"
RAW = json.loads(SAMPLE.read_text())


def test_detected_and_read_in_order_with_levels_and_the_grid_frame():
    assert detect(SAMPLE.read_bytes()) == "mineru"
    doc, = load(SAMPLE)
    assert not doc.warnings and [p.number for p in doc.pages] == [1, 2]
    assert (doc.pages[0].width, doc.pages[0].height, doc.pages[0].unit) == (1000.0, 1000.0, None)
    assert [(b.text, b.level) for b in doc.blocks if b.kind == "heading"] == [
        ("Wave overtopping at rubble-mound breakwaters with crown walls", 1), ("1 Introduction", 2), ("2 Results", 2)]
    assert [b.text for b in doc.blocks if b.kind == "list_item"] == [
        "Flume tests at 1:30 scale", "Irregular waves, JONSWAP spectrum", "Freeboards from 0.05 to 0.20 m"]
    assert next(b for b in doc.blocks if b.kind == "formula").latex.startswith("q / \\sqrt{g")
    kinds = {b.kind for b in doc.blocks}
    assert {"header", "footnote", "page_number", "other", "code"} <= kinds


def test_captions_and_footnotes_belong_to_their_table_figure_and_code():
    doc, = load(SAMPLE)
    by_id = {b.id: b for b in doc.blocks}
    table = next(b for b in doc.blocks if b.kind == "table")
    assert [by_id[c].text for c in table.captions] == ["Table 1 Fitted coefficients by crest width"]
    assert table.table.n_rows == 4 and (0, 0, 2, 1) in {(c.row, c.col, c.row_span, c.col_span) for c in table.table.cells}
    assert any(b.kind == "footnote" and b.extra.get("of") == table.id for b in doc.blocks)
    figure = next(b for b in doc.blocks if b.kind == "figure")
    assert figure.image.url == "images/9f2d77aa.jpg" and by_id[figure.captions[0]].text.startswith("Fig. 2.")
    code = next(b for b in doc.blocks if b.kind == "code")
    assert code.extra["sub_type"] == "algorithm" and by_id[code.captions[0]].text == "Algorithm 1 Fitting procedure"


@pytest.mark.parametrize("change, problem", [({"bbox": [500, "x", 100, 10]}, "bbox"), ({"page_idx": -3}, "page_idx"),
                                             ({"type": "sticker"}, "content type")])
def test_bad_entries_cost_a_repair(change, problem):
    raw = json.loads(SAMPLE.read_text())
    raw[2].update(change)
    doc = normalize(raw)
    assert len(doc.blocks) >= len(RAW) and any(problem in w for w in doc.warnings)


def test_the_older_img_caption_spelling():
    doc = normalize([{"type": "image", "img_path": "images/a.jpg", "img_caption": ["Fig. 1. Old spelling"],
                      "img_footnote": ["note"], "page_idx": 0}])
    assert [b.kind for b in doc.blocks] == ["figure", "caption", "footnote"] and doc.blocks[0].captions


MIDDLE = SAMPLES / "mineru" / "bridges_middle.json"


def test_middle_json_in_pdf_points_with_lines_spans_and_sub_blocks():
    assert detect(MIDDLE.read_bytes()) == "mineru.middle"
    doc, = load(MIDDLE)
    assert not doc.warnings and [(p.width, p.height, p.unit) for p in doc.pages] == [(612.0, 792.0, "pt")] * 2
    paragraph = doc.blocks[1]
    assert paragraph.text.endswith("bearings within $6 \\, \\mathrm{months}$.") and len(paragraph.lines) == 2
    assert paragraph.lines[1].bbox == [56.0, 115.0, 540.0, 128.0]
    by_id = {b.id: b for b in doc.blocks}
    table = next(b for b in doc.blocks if b.kind == "table")
    assert (table.table.n_rows, table.table.n_cols) == (4, 3) and table.image.url == "b3f1e0.jpg"
    assert by_id[table.captions[0]].text == "Table 1 Condition by bridge type"
    assert [b.text for b in doc.blocks if b.kind == "list_item"] == ["Replace bearings at the Avon crossing",
                                                                   "Re-inspect Mill Lane in October"]
    assert next(b for b in doc.blocks if b.kind == "formula").latex == "R = \\min_i r_i"
    assert [b.kind for b in doc.blocks if b.extra.get("where") == "discarded"] == ["header", "page_number", "other"]
    assert doc.extra == {"backend": "pipeline", "version_name": "2.1.4"}
