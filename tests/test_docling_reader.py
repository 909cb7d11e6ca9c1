"""Reading DoclingDocument JSON: frames, the tree, tables at their offsets, hostile trees; and every sample taken to
Docling and back."""

from __future__ import annotations

import copy
import json

import pytest

from exporters import to_json
from exporters.docling import to_docling
from normalizer import NormalizeError, detect, load, normalize

from .conftest import SAMPLES, sample_files

SAMPLE = SAMPLES / "docling" / "meridian_h1_2025.json"
RAW = json.loads(SAMPLE.read_text())
# Docling has no label for these kinds: they come back as the nearest it has (README: what Docling cannot hold)
NEAREST = {"toc": "paragraph", "link": "paragraph", "other": "paragraph", "seal": "figure", "barcode": "figure",
           "page_number": "footer"}
DOCS = [(f"{p.parent.name}/{p.name}#{i}", d) for p in sample_files() for i, d in enumerate(load(p))]


def test_detected_as_docling_and_read_in_its_reading_order():
    assert detect(SAMPLE.read_bytes()) == "docling"
    doc = load(SAMPLE)[0]
    assert doc.provider == "docling" and doc.file_name == "meridian_h1_2025.pdf" and not doc.warnings
    assert [b.kind for b in doc.blocks[:8]] == ["header", "heading", "heading", "paragraph", "list_item",
                                                "list_item", "list_item", "list_item"]
    assert [b.level for b in doc.blocks[4:8]] == [1, 2, 2, 1]  # the nesting of the list groups
    assert [b.level for b in doc.blocks if b.kind == "heading"] == [1, 2, 2, 2]  # title, then sections under it


def test_bottomleft_boxes_are_turned_over_with_the_page_height():
    doc = load(SAMPLE)[0]
    title = doc.blocks[1]
    assert title.bbox == [72.0, 70.0, 470.0, 96.0]  # written as t=722, b=696 from the bottom of a 792 pt page
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.bbox == [72.0, 308.0, 540.0, 420.0]
    assert table.table.cells[0].bbox == [74.0, 310.0, 180.0, 340.0]  # a TOPLEFT cell box, as it is
    assert {(c.row, c.col, c.row_span, c.col_span) for c in table.table.cells if c.row_span > 1 or c.col_span > 1} \
        == {(0, 0, 2, 1), (0, 1, 1, 2)}
    assert table.captions == [next(b.id for b in doc.blocks if b.text.startswith("Table 1"))]


def test_a_bottomleft_box_without_a_page_height_is_no_box_with_a_repair():
    raw = copy.deepcopy(RAW)
    del raw["pages"]["1"]["size"]
    doc = normalize(raw)
    assert doc.blocks[1].bbox is None and doc.blocks[1].extra["bbox"]["coord_origin"] == "BOTTOMLEFT"
    assert any("page's height" in w for w in doc.warnings)


def test_hostile_trees_cost_a_note_not_a_crash():
    raw = copy.deepcopy(RAW)
    raw["texts"][1]["children"].append({"$ref": "#/body"})  # a cycle back to the root
    raw["texts"][1]["children"].append({"$ref": "#/texts/999"})  # nowhere
    raw["body"]["children"] = raw["body"]["children"][:3]  # the rest reached by no tree
    doc = normalize(raw)
    assert len(doc.blocks) == len(RAW["texts"]) + len(RAW["tables"]) + len(RAW["pictures"])
    assert any("#/texts/999" in w for w in doc.warnings) and any("no tree reaches" in w for w in doc.warnings)
    deep = copy.deepcopy(RAW)
    groups = [{"self_ref": f"#/groups/{k}", "children": [{"$ref": f"#/groups/{k + 1}"}], "label": "list",
               "name": "list"} for k in range(5000)]
    item = next(i for i, t in enumerate(RAW["texts"]) if t["label"] == "list_item")
    groups[-1]["children"] = [{"$ref": f"#/texts/{item}"}]
    deep["groups"] = groups
    deep["body"]["children"] = [{"$ref": "#/groups/0"}]
    doc = normalize(deep)  # 5,000 nested groups: no recursion, and a depth the canonical bound clamps
    assert doc.blocks[0].kind == "list_item" and doc.blocks[0].level == 64
    assert any("5000 nested list groups" in w for w in doc.warnings) and normalize(to_json(doc)) == doc


def test_table_offsets_beyond_any_grid_are_laid_out_in_order():
    raw = copy.deepcopy(RAW)
    cells = raw["tables"][0]["data"]["table_cells"]
    cells[-1]["start_row_offset_idx"] = 10**9
    doc = normalize(raw)
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.table.n_rows * table.table.n_cols < 10_000 and any("grid" in w for w in doc.warnings)


def test_not_docling_is_refused_by_name():
    with pytest.raises(NormalizeError, match="DoclingDocument"):
        normalize({"schema_name": "Something"}, format="docling")


@pytest.mark.parametrize("name, doc", DOCS, ids=[n for n, _ in DOCS])
def test_our_documents_go_to_docling_and_back(name, doc):
    """Text, headings and their levels, tables with their spans, and every box on its page survive the trip;
    what Docling cannot hold is listed in the README (kinds it has no label for, a figure's own text, the page
    of a block without a box)."""
    back = normalize(to_docling(doc))
    assert back.format == "docling" and len(back.blocks) == len(doc.blocks)
    for a, b in zip(doc.blocks, back.blocks):
        assert NEAREST.get(a.kind, a.kind) == b.kind, (a.id, a.kind, b.kind)
        if a.kind not in ("figure", "seal", "barcode", "table"):
            assert b.text == (a.latex if a.kind == "formula" and a.latex else a.text)
        if a.kind == "heading":
            assert b.level == (a.level or 1)
        if a.bbox:
            assert b.page == a.page and b.bbox == pytest.approx(a.bbox)
        if a.table is not None:
            assert [(c.row, c.col, c.row_span, c.col_span, c.text) for c in b.table.cells] == \
                [(c.row, c.col, c.row_span, c.col_span, c.text) for c in a.table.cells]
