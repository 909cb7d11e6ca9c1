"""Reading unstructured's elements JSON: its three coordinate systems, documents per file, tables from HTML, levels;
and every sample taken to elements and back."""

from __future__ import annotations

import copy
import json

import pytest

from exporters.elements import to_elements
from normalizer import detect, load, normalize

from .conftest import SAMPLES, sample_files

SAMPLE = SAMPLES / "unstructured" / "supplier_audit_hi_res.json"
RAW = json.loads(SAMPLE.read_text())
DOCS = [(f"{p.parent.name}/{p.name}#{i}", d) for p in sample_files() for i, d in enumerate(load(p)) if d.blocks]


def test_detected_and_read_with_levels_tables_captions_and_confidence():
    assert detect(SAMPLE.read_bytes()) == "unstructured"
    doc, = load(SAMPLE)
    assert doc.file_name == "supplier_audit_2025.pdf" and not doc.warnings
    assert [(b.text, b.level) for b in doc.blocks if b.kind == "heading"][:2] == [("Supplier audit report 2025", 1),
                                                                                  ("1. Scope", 2)]
    table = next(b for b in doc.blocks if b.kind == "table")
    assert (table.table.n_rows, table.table.n_cols) == (5, 3) and table.confidence == 0.94
    assert {(c.row, c.col, c.row_span, c.col_span) for c in table.table.cells if c.row_span > 1 or c.col_span > 1} \
        == {(0, 0, 2, 1), (0, 1, 1, 2)}
    assert table.captions == [doc.blocks[doc.blocks.index(table) - 1].id]
    paragraph = doc.blocks[3]
    assert paragraph.extra["emphasized_text_contents"] == ["Leeds plant"] and paragraph.extra["element_id"]
    assert [p.width for p in doc.pages] == [1700.0, 1700.0] and doc.pages[0].unit == "px"


@pytest.mark.parametrize("system, points, layout, expected", [
    ("PixelSpace", [[10, 20], [10, 60], [110, 60], [110, 20]], (200, 100), [10, 20, 110, 60]),
    ("PointSpace", [[10, 80], [10, 40], [110, 40], [110, 80]], (200, 100), [10, 20, 110, 60]),  # y up
    ("RelativeCoordinateSystem", [[0.1, 0.8], [0.1, 0.4], [0.5, 0.4], [0.5, 0.8]], (1, 1), [0.1, 0.2, 0.5, 0.6]),
])
def test_each_coordinate_system_lands_in_our_frame(system, points, layout, expected):
    doc = normalize([{"type": "NarrativeText", "element_id": "a" * 32, "text": "x", "metadata": {
        "page_number": 1, "coordinates": {"points": points, "system": system, "layout_width": layout[0],
                                          "layout_height": layout[1]}}}])
    assert doc.blocks[0].bbox == pytest.approx(expected)


def test_one_document_per_file_in_the_order_they_appear():
    raw = copy.deepcopy(RAW)
    for e in raw[5:9]:
        e["metadata"]["filename"] = "other.pdf"
    docs = load_bytes(raw)
    assert [d.file_name for d in docs] == ["supplier_audit_2025.pdf", "other.pdf"]
    assert sum(len(d.blocks) for d in docs) == len(RAW)


def load_bytes(raw):
    from normalizer import normalize_all
    return normalize_all(json.dumps(raw).encode())


def test_malformed_points_and_a_missing_height_cost_the_box_not_the_element():
    raw = copy.deepcopy(RAW)
    raw[1]["metadata"]["coordinates"]["points"] = [[1, "x"], [2]]
    raw[2]["metadata"]["coordinates"]["system"] = "PointSpace"
    del raw[2]["metadata"]["coordinates"]["layout_height"]
    doc = normalize(raw)
    assert doc.blocks[1].bbox is None and doc.blocks[1].extra["coordinates"]["points"] == [[1, "x"], [2]]
    assert doc.blocks[2].bbox is None and len(doc.warnings) == 2


@pytest.mark.parametrize("name, doc", DOCS, ids=[n for n, _ in DOCS])
def test_our_documents_go_to_elements_and_back(name, doc):
    back = normalize(to_elements(doc))
    assert len(back.blocks) == len(doc.blocks)
    for a, b in zip(doc.blocks, back.blocks):
        assert b.page == a.page and b.text == (a.latex if a.kind == "formula" and a.latex else a.text)
        assert b.kind == {"toc": "paragraph", "seal": "figure", "barcode": "figure", "link": "paragraph",
                          "other": "paragraph"}.get(a.kind, a.kind)
        if a.bbox:
            assert b.bbox == pytest.approx(a.bbox)
        if a.table is not None and a.table.cells:
            assert [(c.row, c.col, c.row_span, c.col_span, c.text) for c in b.table.cells] == \
                [(c.row, c.col, c.row_span, c.col_span, c.text) for c in a.table.cells]
        if a.kind == "heading":
            assert b.level == min(a.level or 1, 6)
