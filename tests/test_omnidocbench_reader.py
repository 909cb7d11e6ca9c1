"""OmniDocBench's annotation JSON (v1.5): every page of the real demo file (tests/data/omnidocbench, 18 pages) read
as ground truth: one Document per page image, blocks per kind equal to the annotation's categories, reading order,
tables, formulas, captions and relations, lines with their boxes; bad input repaired or refused with its path."""

from __future__ import annotations

import copy
import json
from collections import Counter
from html.parser import HTMLParser

import pytest

from exporters import to_json
from exporters.formats import EXPORTS, ExportSettings
from normalizer import NormalizeError, detect, load, normalize, normalize_all
from normalizer.providers.omnidocbench import KINDS
from normalizer.tables import grid_problems

from .conftest import DATA

DEMO = DATA / "omnidocbench" / "OmniDocBench_demo.json"
RAW = json.loads(DEMO.read_bytes())
DOCS = load(DEMO)
PAGES = list(zip(RAW, DOCS))
IDS = [page["page_info"]["image_path"][:40] for page in RAW]


def _kind(category: str) -> str:
    return KINDS.get(category, "other")


def test_the_demo_is_detected_and_gives_one_document_per_page_image():
    assert detect(DEMO.read_bytes()) == "omnidocbench" and len(DOCS) == 18 == len(RAW)
    assert detect(json.dumps(RAW[3])) == "omnidocbench"  # one page entry on its own
    assert normalize(json.dumps(RAW[3])).blocks == DOCS[3].blocks
    for page, doc in PAGES:
        info = page["page_info"]
        assert (doc.provider, doc.format, doc.file_name) == ("omnidocbench", "omnidocbench", info["image_path"])
        assert [(p.number, p.width, p.height, p.unit) for p in doc.pages] == [(1, info["width"], info["height"], "px")]
        assert doc.pages[0].extra == {"page_no": info["page_no"], "page_attribute": info["page_attribute"]}
        assert doc.warnings == [] and doc.job.status == "succeeded"


@pytest.mark.parametrize("page, doc", PAGES, ids=IDS)
def test_block_counts_per_kind_equal_the_annotation_categories(page, doc):
    assert Counter(b.kind for b in doc.blocks) == Counter(_kind(d["category_type"]) for d in page["layout_dets"])
    assert Counter(b.extra["category_type"] for b in doc.blocks) == \
        Counter(d["category_type"] for d in page["layout_dets"])
    assert {b.extra["anno_id"] for b in doc.blocks} == {d["anno_id"] for d in page["layout_dets"]}


@pytest.mark.parametrize("page, doc", PAGES, ids=IDS)
def test_blocks_follow_the_annotated_order_then_the_unordered_in_input_order(page, doc):
    ordered = sorted((d["order"], d["anno_id"]) for d in page["layout_dets"] if d["order"] is not None)
    rest = [d["anno_id"] for d in page["layout_dets"] if d["order"] is None]
    assert [b.extra["anno_id"] for b in doc.blocks] == [a for _, a in ordered] + rest
    assert [b.id for b in doc.blocks] == [f"p1-b{i}" for i in range(len(doc.blocks))]


def test_unordered_blocks_are_furniture_and_abandoned_text_kept_with_their_fields():
    unordered = [b for doc in DOCS for b in doc.blocks if "order" not in b.extra]
    assert Counter(b.extra["category_type"] for b in unordered) == \
        {"header": 24, "page_number": 15, "footer": 6, "abandon": 4, "page_footnote": 1}
    block = DOCS[0].blocks[0]
    det = next(d for d in RAW[0]["layout_dets"] if d["anno_id"] == block.extra["anno_id"])
    assert block.extra["ignore"] is False and block.extra["attribute"] == det["attribute"]


class _Cells(HTMLParser):
    """An independent reading of an HTML table: each cell's text and the slots its spans cover."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, int]] = []
        self.text: list[str] | None = None
        self.slots = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            spans = dict(attrs)
            self.slots = int(spans.get("rowspan") or 1) * int(spans.get("colspan") or 1)
            self.text = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.text is not None:
            self.cells.append((" ".join("".join(self.text).split()), self.slots))
            self.text = None

    def handle_data(self, data):
        if self.text is not None:
            self.text.append(data)


def test_tables_have_the_cells_of_their_html():
    tables = [(d, b) for page, doc in PAGES for d, b in _pairs(page, doc) if b.kind == "table"]
    assert len(tables) == 10
    for det, block in tables:
        parser = _Cells()
        parser.feed(det["html"])
        table = block.table
        assert grid_problems(table) == [] and block.html == det["html"]
        assert sorted(" ".join(c.text.split()) for c in table.cells) == sorted(text for text, _ in parser.cells)
        assert table.n_rows * table.n_cols == sum(slots for _, slots in parser.cells)
        assert block.extra["latex"] == det["latex"]  # the table's LaTeX has no canonical home
    first = tables[0][1].table.cells[0]
    assert (first.text, first.row_span, first.header) == ("PAHs compounds", 2, True)


def _pairs(page, doc):
    by_anno = {b.extra["anno_id"]: b for b in doc.blocks}
    return [(d, by_anno[d["anno_id"]]) for d in page["layout_dets"]]


def test_formulas_carry_their_latex_without_the_delimiters():
    formulas = [(d, b) for page, doc in PAGES for d, b in _pairs(page, doc) if b.kind == "formula"]
    assert len(formulas) == 17
    for det, block in formulas:
        assert block.text == det["latex"] and block.latex == det["latex"].strip().removeprefix("$$").removesuffix(
            "$$").strip()
        assert "$$" not in block.latex


def test_relations_link_captions_footnotes_subfigures_and_truncated_text():
    linked = 0
    for page, doc in PAGES:
        by_anno = {b.extra["anno_id"]: b for b in doc.blocks}
        for r in page["extra"]["relation"]:
            source, target = by_anno[r["source_anno_id"]], by_anno[r["target_anno_id"]]
            if r["relation_type"] == "parent_son":
                assert target.extra["of"] == source.id
                assert (target.id in source.captions) == (target.kind == "caption")
            else:
                assert target.id in source.extra["truncated_with"] and source.id in target.extra["truncated_with"]
            linked += 1
        assert doc.extra["relation"] == page["extra"]["relation"]
    assert linked == 26
    sub = DOCS[5].blocks  # a figure made of figures: the parts point at the whole, no caption link
    assert [b.extra.get("of") for b in sub if b.kind == "figure"].count(None) == 1


def test_equation_numbers_caption_the_formula_beside_them():
    doc = DOCS[3]
    numbers = [b for b in doc.blocks if b.extra["category_type"] == "equation_caption"]
    assert len(numbers) == 12
    for caption in numbers:
        formula = doc.blocks[doc.blocks.index(caption) - 1]
        assert formula.kind == "formula" and formula.captions == [caption.id]


@pytest.mark.parametrize("page, doc", PAGES, ids=IDS)
def test_spans_are_lines_with_boxes_and_merged_parts_give_theirs(page, doc):
    for det, block in _pairs(page, doc):
        spans = det.get("line_with_spans") or []
        parts = det.get("merge_list") or []
        assert len(block.lines) == len(spans) + sum(len(p.get("line_with_spans") or []) for p in parts)
        assert all(line.bbox is not None and line.bbox[0] <= line.bbox[2] for line in block.lines)
        texts = [s.get("text", s.get("latex")) for s in spans] + \
            [s.get("text", s.get("latex")) for p in parts for s in p.get("line_with_spans") or []]
        assert [line.text for line in block.lines] == texts
        assert [line.extra["category_type"] for line in block.lines][:len(spans)] == \
            [s["category_type"] for s in spans]
        if parts:
            assert [p["anno_id"] for p in block.extra["merge_list"]] == [p["anno_id"] for p in parts]
            assert all("line_with_spans" not in p for p in block.extra["merge_list"])
        xs, ys = det["poly"][0::2], det["poly"][1::2]
        assert block.bbox == [min(xs), min(ys), max(xs), max(ys)] and "poly" not in block.extra


def test_every_input_string_is_kept_and_the_canonical_json_round_trips():
    for page, doc in PAGES:
        haystack = to_json(doc).decode()
        for value in _strings(page):
            assert json.dumps(value, ensure_ascii=False)[1:-1] in haystack, value[:60]
        assert normalize(to_json(doc)) == doc


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


@pytest.mark.parametrize("index", [0, 3, 5, 6, 14, 16])
def test_a_page_goes_through_every_exporter(index):
    doc = DOCS[index]
    for name, target in EXPORTS.items():
        for settings in (ExportSettings(), ExportSettings(span_policy="repeat", unit="page", raw_csv=True)):
            out = target.write(doc, settings)
            assert isinstance(out, (str, bytes, list)), name
    for name in ("json", "docling", "elements"):
        json.loads(EXPORTS[name].write(doc, ExportSettings()))


# --- bad input ---------------------------------------------------------------------------------------------

def _page(**changes):
    page = copy.deepcopy(RAW[6])
    page.update(changes)
    return page


def test_an_unreadable_poly_order_or_size_is_repaired_with_its_path_and_kept():
    page = _page()
    page["layout_dets"][0]["poly"] = [1, 2, "x"]
    page["layout_dets"][1]["order"] = "first"
    page["page_info"]["width"] = -5
    doc = normalize_all([page])[0]
    assert any(w.startswith("$[0].layout_dets[0].poly: expected 8 finite numbers") for w in doc.warnings)
    assert any(w.startswith("$[0].layout_dets[1].order: expected a number or null") for w in doc.warnings)
    assert any(w.startswith("$[0].page_info.width: expected a positive number") for w in doc.warnings)
    first = next(b for b in doc.blocks if b.extra["anno_id"] == page["layout_dets"][0]["anno_id"])
    assert first.bbox is None and first.extra["poly"] == [1, 2, "x"]
    second = next(b for b in doc.blocks if b.extra["anno_id"] == page["layout_dets"][1]["anno_id"])
    numbered = sum(1 for d in page["layout_dets"] if isinstance(d["order"], int))
    assert second.extra["order"] == "first" and doc.blocks.index(second) == numbered  # first after the ordered
    assert doc.pages[0].extra["width"] == -5
    with pytest.raises(NormalizeError) as err:  # strict: the first repair is an error naming its path
        normalize_all([_page(layout_dets=page["layout_dets"][:1])], strict=True)
    assert err.value.path == "$[0].layout_dets[0].poly"


def test_a_tilted_polygon_keeps_its_corners_beside_its_box():
    page = _page()
    page["layout_dets"][0]["poly"] = [10, 0, 20, 10, 10, 20, 0, 10]
    block = next(b for b in normalize_all([page])[0].blocks if b.extra["anno_id"] == page["layout_dets"][0]["anno_id"])
    assert block.bbox == [0.0, 0.0, 20.0, 20.0] and block.extra["poly"] == [10, 0, 20, 10, 10, 20, 0, 10]


def test_relations_naming_no_block_or_an_unknown_kind_are_noted_and_kept():
    page = _page()
    page["extra"]["relation"] += [{"source_anno_id": 999, "target_anno_id": 0, "relation_type": "parent_son"},
                                  {"source_anno_id": 6, "target_anno_id": 0, "relation_type": "sibling"}]
    doc = normalize_all([page])[0]
    assert any("names anno_ids 999 and 0" in w for w in doc.warnings)
    assert any("unknown relation 'sibling'" in w for w in doc.warnings)
    assert doc.extra["relation"] == page["extra"]["relation"]


def test_unknown_and_mask_categories_become_other_and_a_missing_page_info_is_noted():
    page = _page()
    page["layout_dets"][0]["category_type"] = "table_mask"
    page["layout_dets"][1]["category_type"] = "brand_new"
    del page["page_info"]  # a later page without its info: the first says the format
    doc = normalize_all([RAW[0], page])[1]
    kinds = {b.extra["category_type"]: b.kind for b in doc.blocks}
    assert kinds["table_mask"] == "other" and kinds["brand_new"] == "other"
    assert any("unknown category 'brand_new'" in w for w in doc.warnings)
    assert any(w.startswith("$[1].page_info: expected the page's") for w in doc.warnings)
    assert doc.pages[0].width is None and doc.file_name is None


@pytest.mark.parametrize("bad", [[{"layout_dets": 5, "page_info": {}}], [{"layout_dets": [None], "page_info": {}}],
                                 [{"layout_dets": [], "page_info": []}], [None], {"layout_dets": "x", "page_info": 1},
                                 [{"layout_dets": [{"merge_list": [{"merge_list": 3}], "line_with_spans": [7]}],
                                   "page_info": {"width": True}}]])
def test_broken_shapes_give_a_result_or_a_normalize_error(bad):
    for strict in (False, True):
        try:
            for doc in normalize_all(bad, format="omnidocbench", strict=strict):
                normalize(to_json(doc))
        except NormalizeError as exc:
            assert exc.path.startswith("$")
