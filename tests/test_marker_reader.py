"""Reading marker's JSON: the page tree, groups, HTML read for text (never echoed), tables, heading levels."""

from __future__ import annotations

import copy
import json

import pytest

from normalizer import NormalizeError, detect, load, normalize

from .conftest import SAMPLES

SAMPLE = SAMPLES / "marker" / "drought_plan.json"
RAW = json.loads(SAMPLE.read_text())


def test_detected_and_read_with_levels_groups_and_lines():
    assert detect(SAMPLE.read_bytes()) == "marker"
    doc, = load(SAMPLE)
    assert not doc.warnings and [(p.number, p.width, p.height) for p in doc.pages] == [(1, 612.0, 792.0), (2, 612.0, 792.0)]
    assert [(b.text, b.level) for b in doc.blocks if b.kind == "heading"] == [
        ("Drought plan 2026", 1), ("1. Triggers", 2), ("2. Demand", 2)]
    paragraph = doc.blocks[2]
    assert paragraph.text.startswith("Reservoir storage stood at 61%") and "<b>" not in paragraph.text
    assert [ln.text for ln in paragraph.lines] == ["Reservoir storage stood at 61% on 1 October, 9 points",
                                                   "below the long-term average."]
    items = [b for b in doc.blocks if b.kind == "list_item"]
    assert [b.extra["group"] for b in items] == ["ListGroup", "ListGroup"] and items[1].text.endswith("ban & media appeal")


def test_tables_captions_and_figures():
    doc, = load(SAMPLE)
    by_id = {b.id: b for b in doc.blocks}
    table = next(b for b in doc.blocks if b.kind == "table")
    assert {(c.row, c.col, c.row_span, c.col_span) for c in table.table.cells if c.row_span > 1 or c.col_span > 1} \
        == {(0, 0, 2, 1), (0, 1, 1, 2)}
    assert by_id[table.captions[0]].text == "Table 1: Storage by reservoir (%)"
    figure = next(b for b in doc.blocks if b.kind == "figure")
    assert by_id[figure.captions[0]].text.startswith("Figure 1")
    assert next(b for b in doc.blocks if b.kind == "formula").latex == "D = \\sum_{t} (d_t - s_t)"


def test_polygons_stand_in_for_a_missing_bbox_and_bad_ones_cost_the_box():
    raw = copy.deepcopy(RAW)
    del raw["children"][0]["children"][1]["bbox"]
    raw["children"][0]["children"][3]["bbox"] = None
    raw["children"][0]["children"][3]["polygon"] = "nowhere"
    doc = normalize(raw)
    assert doc.blocks[1].bbox == [72.0, 64.0, 330.0, 90.0]
    assert doc.blocks[3].bbox is None and any("polygon" in w for w in doc.warnings)


def _nested(groups: int) -> dict:
    raw = copy.deepcopy(RAW)
    inner = {"id": "/page/0/Text/99", "block_type": "Text", "html": "<p>deep</p>", "bbox": [1, 1, 2, 2]}
    for k in range(groups):
        inner = {"id": f"/page/0/ListGroup/{k}", "block_type": "ListGroup", "children": [inner]}
    raw["children"][0]["children"].append(inner)
    return raw


def test_deeply_nested_groups_are_bounded():
    doc = normalize(_nested(80))  # deeper than the walk goes (64), within the JSON nesting limit (200)
    assert any("nested at most 64" in w for w in doc.warnings) and any(b.text == "deep" for b in doc.blocks)
    with pytest.raises(NormalizeError, match="nested at most"):
        normalize(_nested(3000))


OPEN_SOURCE = ["docling/meridian_h1_2025.json", "unstructured/supplier_audit_hi_res.json",
               "mineru/overtopping_content_list.json", "mineru/overtopping_content_list_v2.json",
               "mineru/bridges_middle.json", "marker/drought_plan.json", "same_report/harbor_q3_baidu.json"]


@pytest.mark.parametrize("a", OPEN_SOURCE)
@pytest.mark.parametrize("b", OPEN_SOURCE)
def test_diff_runs_between_any_two_formats(a, b):
    from exporters.diff import diff, to_diff_html
    doc_a, doc_b = load(SAMPLES / a)[0], load(SAMPLES / b)[0]
    result = diff(doc_a, doc_b)
    assert result.a.format != "" and result.scores.counts["blocks_a"] == len(doc_a.blocks)
    if a == b:
        assert result.scores.content == 1.0
    assert to_diff_html(result, doc_a, doc_b).startswith("<!DOCTYPE html>")
