"""Reading MinerU's content_list.json: the 0-1000 grid, heading levels, captions and footnotes as blocks linked to
what they describe, lists, code, discarded blocks."""

from __future__ import annotations

import json

import pytest

from normalizer import NormalizeError, detect, load, normalize

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
                                             ({"type": "sticker"}, "content type"),
                                             ({"text_level": 9}, "heading level")])
def test_bad_entries_cost_a_repair(change, problem):
    raw = json.loads(SAMPLE.read_text())
    raw[2].update(change)
    doc = normalize(raw)
    assert len(doc.blocks) >= len(RAW) and any(problem in w for w in doc.warnings)


def test_the_older_img_caption_spelling():
    doc = normalize([{"type": "image", "img_path": "images/a.jpg", "img_caption": ["Fig. 1. Old spelling"],
                      "img_footnote": ["note"], "page_idx": 0}])
    assert [b.kind for b in doc.blocks] == ["figure", "caption", "footnote"] and doc.blocks[0].captions
    both = normalize([{"type": "image", "img_path": "images/a.jpg", "image_caption": ["new"], "img_caption": ["old"],
                       "image_footnote": ["new note"], "img_footnote": ["old note"], "page_idx": 0}])
    assert [b.text for b in both.blocks] == ["", "new", "new note"]
    assert (both.blocks[0].extra["img_caption"], both.blocks[0].extra["img_footnote"]) == (["old"], ["old note"])


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


V2 = SAMPLES / "mineru" / "overtopping_content_list_v2.json"


def _span(text, kind="text", **more):
    return {"type": kind, "content": text, **more}


def _page(*items):
    return [{"type": t, "content": c, **more} for t, c, more in items]


def test_content_list_v2_reads_as_the_same_document_as_content_list():
    """MinerU 3 writes both files for one run: each block of the one is a block of the other, at the same place."""
    assert detect(V2.read_bytes()) == "mineru.v2"
    v1, = load(SAMPLE)
    v2, = load(V2)
    assert not v2.warnings and [(p.number, p.width, p.height) for p in v2.pages] == [(1, 1000.0, 1000.0), (2, 1000.0, 1000.0)]

    def seen(doc):  # v2 lists a page's discarded blocks after its flow, and joins code lines with spaces
        return sorted((b.page, b.kind, " ".join(b.text.split()), b.level, b.bbox or []) for b in doc.blocks)
    assert seen(v2) == seen(v1)
    by_id = {b.id: b for b in v2.blocks}
    table = next(b for b in v2.blocks if b.kind == "table")
    assert [by_id[c].text for c in table.captions] == ["Table 1 Fitted coefficients by crest width"]
    assert (0, 0, 2, 1) in {(c.row, c.col, c.row_span, c.col_span) for c in table.table.cells}
    assert table.extra["table_type"] == "complex_table" and table.image.url == "images/e1a0c4d2.jpg"
    code = next(b for b in v2.blocks if b.kind == "code")
    assert code.extra["type"] == "algorithm" and by_id[code.captions[0]].text == "Algorithm 1 Fitting procedure"
    formula = next(b for b in v2.blocks if b.kind == "formula")
    assert formula.latex == "q / \\sqrt{g H_{m0}^3} = a \\exp(-b R_c / H_{m0})" and formula.extra["math_type"] == "latex"


def test_v2_spans_join_into_text_and_what_text_cannot_hold_is_kept():
    link = _span("the data", "hyperlink", url="https://example.org/d",
                 children=[_span("the ", style=["bold"]), _span("data")])
    doc = normalize([_page(("paragraph", {"paragraph_content": [_span("Fit "), _span("q = a e^{-b}", "equation_inline"),
                                                                _span(" to "), link]}, {"bbox": [10, 20, 990, 60]}),
                           ("title", {"title_content": [_span("3 Discussion")], "level": 3}, {"anchor": "_Toc12"}))])
    para, title = doc.blocks
    assert para.text == "Fit $q = a e^{-b}$ to the data" and para.bbox == [10.0, 20.0, 990.0, 60.0]
    assert [s["type"] for s in para.extra["spans"]] == ["equation_inline", "hyperlink"]
    assert para.extra["spans"][1]["url"] == "https://example.org/d" and len(para.extra["spans"][1]["children"]) == 2
    assert (title.kind, title.level, title.text, title.extra["anchor"]) == ("heading", 3, "3 Discussion", "_Toc12")
    assert "level" not in title.extra and not doc.warnings
    bare = normalize([[{"type": "paragraph", "content": {"paragraph_content": "a writer's bare string"}}]])
    assert bare.blocks[0].text == "a writer's bare string" and not bare.warnings


def test_v2_lists_keep_item_levels_prefixes_and_anchors_and_empty_pages_stay_pages():
    items = [{"item_type": "text", "ilevel": 0, "prefix": "1.", "item_content": [_span("Scope")], "anchor": "_Toc1"},
             {"item_type": "text", "ilevel": 1, "prefix": "    -", "item_content": [_span("Flumes")]}]
    doc = normalize([[], _page(("index", {"list_type": "text_list", "list_items": items}, {})), []])
    assert [p.number for p in doc.pages] == [1, 2, 3] and doc.job.page_count == 3
    assert [(b.page, b.kind, b.text, b.level) for b in doc.blocks] == [(2, "list_item", "Scope", 1),
                                                                       (2, "list_item", "Flumes", 2)]
    assert doc.blocks[0].extra["item_anchor"] == "_Toc1" and doc.blocks[1].extra["prefix"] == "    -"


@pytest.mark.parametrize("page, problem", [
    ([None], "found null"),
    ([{"type": "sticker", "content": {"paragraph_content": [_span("x")]}}], "content type"),
    ([{"type": "paragraph", "content": {"paragraph_content": [_span("x")]}, "bbox": [1, "y", 2, 3]}], "bbox"),
    ([{"type": "paragraph", "content": {"paragraph_content": [{"type": "text", "content": 5}]}}], "content"),
    ([{"type": "list", "content": {"list_items": [{"ilevel": 500, "item_content": [_span("deep")]}]}}], "list depth"),
    ([{"type": "title", "content": {"title_content": [_span("T")], "level": 9}}], "heading level"),
])
def test_v2_bad_items_cost_a_repair_and_keep_what_they_hold(page, problem):
    doc = normalize([_page(("paragraph", {"paragraph_content": [_span("first")]}, {})) + page])
    assert doc.blocks[0].text == "first" and any(problem in w for w in doc.warnings), doc.warnings
    if page[0] is not None:
        assert len(doc.blocks) == 2


def test_v2_is_told_past_blank_pages_and_null_items():
    item = {"type": "paragraph", "content": {"paragraph_content": [_span("x")]}}
    assert detect([[], [None, None, item]]) == "mineru.v2"
    doc = normalize([[], [None, item]])
    assert [(b.page, b.text) for b in doc.blocks] == [(2, "x")] and any("[1][0]" in w for w in doc.warnings)


def test_v2_items_without_content_are_kept_with_a_repair():
    doc = normalize([[{"type": "table", "content": {"html": "<table><tr><td>a</td></tr></table>"}},
                      {"type": "paragraph", "bbox": [0, 0, 10, 10]}]])
    assert [b.kind for b in doc.blocks] == ["table", "paragraph"] and doc.blocks[1].bbox == [0.0, 0.0, 10.0, 10.0]
    assert any("content" in w and "[0][1]" in w for w in doc.warnings)


@pytest.mark.parametrize("raw", [[[]], [[1, 2]], [["a"]], [[{"type": "text"}]], [[[]]]])
def test_v2_is_not_claimed_for_other_lists_of_lists(raw):
    with pytest.raises(NormalizeError):
        normalize(raw)
    with pytest.raises(NormalizeError, match="mineru.v2"):
        normalize(raw, format="mineru.v2")


def test_chart_captions_and_footnotes_of_the_vlm_content_list():
    doc = normalize([{"type": "chart", "img_path": "images/c.jpg", "content": "| a | b |", "chart_caption": ["Fig. 3"],
                      "chart_footnote": ["Source: survey"], "page_idx": 0}])
    chart, caption, footnote = doc.blocks
    assert (chart.kind, caption.kind, footnote.kind) == ("figure", "caption", "footnote")
    assert chart.captions == [caption.id] and footnote.extra["of"] == chart.id and chart.extra["content"] == "| a | b |"


def test_middle_title_levels_out_of_range_cost_a_repair():
    raw = json.loads(MIDDLE.read_text())
    title = next(b for b in raw["pdf_info"][0]["para_blocks"] if b["type"] == "title")
    title["level"] = 12
    doc = normalize(raw)
    assert any("level" in w and "found 12" in w for w in doc.warnings)
    assert 6 in [b.level for b in doc.blocks if b.kind == "heading"]
