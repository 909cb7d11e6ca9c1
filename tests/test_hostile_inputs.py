"""Hostile inputs that once crashed a reader or lost a field: each is now a `NormalizeError` or a recorded repair,
read at the cost of its size. One section per class; each test fails on the code before its fix."""

from __future__ import annotations

import ast
import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from exporters import to_json
from normalizer import NormalizeError, detect, normalize, normalize_all
from normalizer.errors import Repairs
from normalizer.geometry import box_of_parts, checked_box, clean_box, clean_xywh, finite_numbers, points_box
from normalizer.schema import Cell, Table
from normalizer.tables import grid_problems, place

from .conftest import ROOT, SAMPLES, sample_files

BIG = 10 ** 400  # no float holds it; JSON (and msgspec, and Python's json) carry it as an integer
DOCLING = SAMPLES / "docling" / "meridian_h1_2025.json"
MARKER = SAMPLES / "marker" / "drought_plan.json"
MIDDLE = SAMPLES / "mineru" / "bridges_middle.json"
WHISPER_TEXT = SAMPLES / "whisperer" / "sales.text.txt"


def _each(raw: Any) -> list:
    """Both modes: each gives documents (lenient: every repair recorded) or a NormalizeError, nothing else."""
    out = []
    for strict in (False, True):
        try:
            out.append(normalize_all(raw, strict=strict))
        except NormalizeError as exc:
            out.append(exc)
    return out


def _round_trips(docs: list) -> None:
    for doc in docs:
        assert normalize_all(to_json(doc)) == [doc]


# 1. spans past any grid in canonical JSON ----------------------------------------------------------------

def _canonical_with_table() -> dict:
    doc = normalize(DOCLING.read_bytes())
    return json.loads(to_json(doc))


@pytest.mark.parametrize("field", ["col_span", "row_span"])
@pytest.mark.parametrize("value", [2 ** 64, 2 ** 31, BIG])
def test_a_canonical_span_past_the_grid_is_refused_without_walking_it(field, value):
    data = _canonical_with_table()
    block = next(b for b in data["blocks"] if b["table"])
    block["table"]["cells"][0][field] = value
    with pytest.raises(NormalizeError, match=r"\.table\.cells: expected cells covering every grid slot") as err:
        normalize(json.dumps(data))
    assert "runs outside" in str(err.value)


@pytest.mark.parametrize("size", [(10 ** 12, 0), (0, 10 ** 12), (BIG, 0)])
def test_a_canonical_grid_of_no_slots_but_countless_rows_is_refused(size):
    # no slot to cover, so no cell is wrong: only the size, which every exporter would loop over
    data = _canonical_with_table()
    block = next(b for b in data["blocks"] if b["table"])
    block["table"].update(n_rows=size[0], n_cols=size[1], cells=[])
    with pytest.raises(NormalizeError, match=r"\.table: expected a grid of at most 65536 slots for 0 cells"):
        normalize(json.dumps(data))


def test_rows_without_a_cell_make_no_grid():
    assert place([[], []], Repairs(), "$.t") == Table(n_rows=0, n_cols=0)
    data = json.loads((SAMPLES / "baidu" / "matrix_repairs_result.json").read_bytes())
    data["pages"][0]["tables"][0]["matrix"] = [[], []]
    lenient, strict = _each(json.dumps(data).encode())
    assert isinstance(strict, NormalizeError) and strict.message == "expected rows of cell indexes, found 2 empty row(s)"
    table = next(b.table for b in lenient[0].blocks if b.table)
    assert not grid_problems(table) and table.n_cols > 0
    _round_trips(lenient)


def test_grid_problems_names_each_bad_cell_once_however_large_its_span():
    # a 2 x 2 grid under three cells that each claim 2**64 x 2**64 slots: a problem per cell, not per slot
    table = Table(n_rows=2, n_cols=2, cells=[Cell(row=0, col=0, row_span=2 ** 64, col_span=2 ** 64)] * 3)
    problems = grid_problems(table)
    assert 1 <= len(problems) <= 6 and all("cell" in p for p in problems)
    assert grid_problems(Table(n_rows=1, n_cols=2, cells=[Cell(row=0, col=0, col_span=2)])) == []


def test_overlapping_cells_are_named_once_each():
    cells = [Cell(row=0, col=0, row_span=3, col_span=3) for _ in range(50)]
    problems = grid_problems(Table(n_rows=3, n_cols=3, cells=cells))
    assert len(problems) == 49 and problems[0] == "cells 0 and 1 both cover (0,0)"


def test_docling_cells_whose_spans_cover_each_other_are_repaired():
    data = json.loads(DOCLING.read_bytes())
    cells = data["tables"][0]["data"]["table_cells"]
    for k, cell in enumerate(cells):
        cell.update(row_span=2 ** 40, col_span=2 ** 40, end_row_offset_idx=2 ** 40, end_col_offset_idx=2 ** 40)
    lenient, strict = _each(json.dumps(data).encode())
    assert isinstance(strict, NormalizeError)
    table = next(b.table for b in lenient[0].blocks if b.table)
    assert not grid_problems(table) and any("span" in w for w in lenient[0].warnings)
    _round_trips(lenient)


def test_negative_docling_offsets_keep_the_cell():
    data = json.loads(DOCLING.read_bytes())
    cell = data["tables"][0]["data"]["table_cells"][0]
    cell["start_row_offset_idx"] = -3
    doc = normalize(json.dumps(data))
    table = next(b.table for b in doc.blocks if b.table)
    assert cell["text"] in {c.text for c in table.cells}
    assert any("offsets from 0" in w for w in doc.warnings)


# 2. no StopIteration: placement repairs that meet the same cell twice --------------------------------------

def test_a_docling_colspan_past_the_table_is_repaired_not_a_stop_iteration():
    data = json.loads(DOCLING.read_bytes())
    data["tables"][0]["data"]["table_cells"][0]["col_span"] = 3
    lenient, strict = _each(json.dumps(data).encode())
    assert isinstance(strict, NormalizeError) and strict.path.startswith("$.tables[0].data.table_cells")
    (doc,) = lenient
    table = next(b.table for b in doc.blocks if b.table)
    assert not grid_problems(table)
    assert any("lies past" in w for w in doc.warnings) and any("collides" in w for w in doc.warnings)
    _round_trips(lenient)


def test_a_cell_given_text_past_the_grid_and_then_cut_is_the_same_cell():
    # "Mode" spans 2 rows x 3 columns of a 3-column table: "H1" lies past it (appended to it), then row 1 is
    # complete, so its rowspan is cut: both repairs meet the same cell (once a copy, a StopIteration)
    rows = [[("Mode", 2, 3, True), ("H1", 1, 2, True), ("H2", 1, 1, True)], [("2024", 1, 1, True), ("2025", 1, 1, True)],
            [("Rail", 1, 1, False), ("118", 1, 1, False), ("131", 1, 1, False)]]
    repairs = Repairs()
    table = place(rows, repairs, "$.t")
    assert not grid_problems(table)
    first = table.cells[0]
    assert (first.text, first.row_span, first.col_span) == ("Mode H1 H2", 1, 3)
    assert sum("lies past" in w for w in repairs.warnings) == 2 and any("collides" in w for w in repairs.warnings)


_SOURCES = ("normalizer", "exporters", "viewer")


def _next_without_default(tree: ast.AST) -> list[int]:
    """Lines of `next(x)` calls (one argument, or only unpacked ones): a StopIteration that leaks out of a
    function, or becomes a RuntimeError inside a generator."""
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "next"
            and (len(node.args) < 2 or any(isinstance(a, ast.Starred) for a in node.args))]


def _generators_calling_dunder_next(tree: ast.AST) -> list[int]:
    """Lines of `.__next__()` calls inside generator functions (where a StopIteration ends the generator
    silently, or raises RuntimeError)."""
    out = []
    for fn in ast.walk(tree):
        if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        body = list(ast.walk(fn))
        if not any(isinstance(n, (ast.Yield, ast.YieldFrom)) for n in body):
            continue
        out += [n.lineno for n in body if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                and n.func.attr == "__next__"]
    return out


def test_no_next_without_a_default_in_the_product():
    found = []
    for package in _SOURCES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            rel = path.relative_to(ROOT)
            found += [f"{rel}:{line}: next() without a default" for line in _next_without_default(tree)]
            found += [f"{rel}:{line}: __next__() in a generator" for line in _generators_calling_dunder_next(tree)]
    assert not found, "\n".join(found)


def test_the_next_scan_finds_what_it_looks_for():
    tree = ast.parse("def f(xs):\n    return next(iter(xs))\n\ndef g(it):\n    yield it.__next__()\n"
                     "def h(a):\n    return next(*a)\n\ndef ok(xs):\n    return next(iter(xs), None)\n")
    assert _next_without_default(tree) == [2, 7] and _generators_calling_dunder_next(tree) == [5]


# 3. a box number no float can hold, in every format -----------------------------------------------------------

_BOXY = re.compile(r"(?i)^(bbox|bBox|box|position|positions|polygon|points|page_size|coordinates|line_metadata|"
                   r"[ltrbxywh]|width|height|page_width|page_height|layout_width|layout_height)$")


_PAGE_KEYS = {"page", "page_num", "page_no", "page_idx"}  # a page number under a position: any integer will do


def _box_numbers(value: Any, path: tuple = (), boxy: bool = False):
    """Paths of the numbers under a box-like key (in document order)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _box_numbers(v, path + (k,), boxy or bool(_BOXY.match(k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _box_numbers(v, path + (i,), boxy)
    elif boxy and isinstance(value, (int, float)) and not isinstance(value, bool) and path[-1] not in _PAGE_KEYS:
        yield path


def _set(value: Any, path: tuple, new: Any) -> Any:
    value = copy.deepcopy(value)
    target = value
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return value


def _box_seeds() -> dict[str, tuple[str, Any]]:
    """One sample per format id that has box numbers (canonical JSON: a sample's own), as (name, parsed JSON)."""
    seeds: dict[str, tuple[str, Any]] = {}
    for path in sample_files():
        if path.suffix != ".json":
            continue
        data = path.read_bytes()
        parsed = json.loads(data)
        if any(_box_numbers(parsed)):
            seeds.setdefault(detect(data), (path.name, parsed))
    seeds["docnorm"] = ("canonical", json.loads(to_json(normalize(DOCLING.read_bytes()))))
    return seeds


BOX_SEEDS = _box_seeds()


def test_every_format_with_boxes_has_a_seed():
    assert {"docnorm", "docling", "unstructured", "mineru", "mineru.middle", "mineru.v2", "mineru.model", "marker",
            "llamacloud.v2", "ragflow.retrieval", "ragflow.chunks", "somark", "baidu.result", "llamaparse.v1",
            "whisperer.retrieve"} <= set(BOX_SEEDS)


@pytest.mark.parametrize("format_id", sorted(BOX_SEEDS))
@pytest.mark.parametrize("which", ["first", "middle", "last"])
def test_a_box_number_past_the_float_range_is_refused_or_repaired(format_id, which):
    name, parsed = BOX_SEEDS[format_id]
    paths = list(_box_numbers(parsed))
    path = {"first": paths[0], "middle": paths[len(paths) // 2], "last": paths[-1]}[which]
    raw = json.dumps(_set(parsed, path, BIG)).encode()
    for outcome in (*_each(raw), *_each(json.loads(raw))):  # bytes and parsed JSON (a Python int too)
        if isinstance(outcome, NormalizeError):
            continue
        # read: with a repair; not read (a polygon beside its bbox): kept as it came
        kept = str(BIG) in b"".join(to_json(d) for d in outcome).decode()
        assert kept or any(d.warnings for d in outcome), f"{name}: {path} = 10**400 dropped without a word"
        _round_trips(outcome)


def test_an_integer_past_the_float_range_is_no_number_for_the_box_checks():
    assert not finite_numbers([BIG, 0, 1, 1]) and not finite_numbers((1e308, 1e308, BIG))
    assert clean_box([0, 0, BIG, 1]) is None and clean_xywh([0, 0, BIG, 1]) is None
    repairs = Repairs()
    assert checked_box([0, 0, BIG, 1], repairs, "$.b") is None
    assert checked_box([0, 0, BIG, 1], repairs, "$.b", xywh_order=True) is None
    assert box_of_parts(0.0, 0.0, BIG, 1.0, repairs, "$.b") is None
    assert len(repairs.warnings) == 3
    assert finite_numbers([2 ** 64, 1]) and clean_box([0, 0, 2 ** 64, 1]) == [0.0, 0.0, float(2 ** 64), 1.0]


# 4. a marker polygon corner that is not a number ----------------------------------------------------------------

@pytest.mark.parametrize("corner", ["x", None, [1], [1, "x"], ["1", "2"], [True, 2], [BIG, 1], {"x": 1}])
def test_a_marker_polygon_corner_that_is_no_number_is_a_repair(corner):
    data = json.loads(MARKER.read_bytes())
    block = data["children"][0]["children"][1]
    block["bbox"] = None
    block["polygon"] = [[1, 2], corner, [30, 40], [1, 40]]
    lenient, strict = _each(json.dumps(data).encode())
    assert isinstance(strict, NormalizeError) and strict.path == "$.children[0].children[1].polygon"
    doc = lenient[0]
    got = next(b for b in doc.blocks if b.extra.get("id") == block["id"])
    assert got.bbox is None and got.extra["polygon"] == block["polygon"]
    assert any(w.startswith("$.children[0].children[1].polygon: expected a list of [x, y] corners") for w in doc.warnings)
    _round_trips(lenient)


def test_points_box_takes_only_pairs_of_finite_numbers():
    assert points_box([[1, 2], [3, 0.5]]) == [1.0, 0.5, 3.0, 2.0]
    for bad in ([], [[1, 2], [True, 3]], [[1, 2], [3]], [[1, 2], "x"], "xy", [[1, 2], [None, 1]], [[BIG, 1]]):
        assert points_box(bad) is None


def test_unstructured_points_that_are_text_or_booleans_are_no_box():
    data = json.loads((SAMPLES / "unstructured" / "supplier_audit_hi_res.json").read_bytes())
    i, el = next((i, el) for i, el in enumerate(data) if (el["metadata"].get("coordinates") or {}).get("points"))
    el["metadata"]["coordinates"]["system"] = "PointSpace"
    el["metadata"]["coordinates"]["layout_height"] = 792
    for points in ([["a", "b"], ["c", "d"], ["e", "f"], ["g", "h"]], [[0, 0], [0, True], [5, 5], [5, 0]]):
        el["metadata"]["coordinates"]["points"] = points
        lenient, strict = _each(json.dumps(data).encode())
        assert isinstance(strict, NormalizeError) and strict.path == f"$[{i}].metadata.coordinates.points"
        assert lenient[0].blocks[i].bbox is None


# 5. booleans are never numbers where a box or a size is read ------------------------------------------------

@pytest.mark.parametrize("size", [True, [True, 792], [612, False], ["612", 792], [612], [BIG, 792]])
def test_a_mineru_page_size_that_is_not_two_numbers_is_repaired(size):
    data = json.loads(MIDDLE.read_bytes())
    data["pdf_info"][0]["page_size"] = size
    lenient, strict = _each(json.dumps(data).encode())
    assert isinstance(strict, NormalizeError) and strict.path == "$.pdf_info[0].page_size"
    page = lenient[0].pages[0]
    assert page.width == 1000.0 and page.extra["page_size"] == size
    assert any(w.startswith("$.pdf_info[0].page_size: expected [width, height]") for w in lenient[0].warnings)
    _round_trips(lenient)


def test_a_mineru_page_size_of_numbers_is_read_as_floats():
    doc = normalize(MIDDLE.read_bytes())
    assert type(doc.pages[0].width) is float and doc.pages[0].unit == "pt"


@pytest.mark.parametrize("box", [[True, 0, 10, 10], [0, 0, 10, False], [True, True, True, True]])
def test_a_boolean_in_a_box_is_no_number(box):
    assert clean_box(box) is None and clean_xywh(box) is None and not finite_numbers(box)
    repairs = Repairs()
    assert checked_box(box, repairs, "$.bbox") is None and checked_box(box, repairs, "$.p", xywh_order=True) is None
    assert box_of_parts(*box, repairs, "$.q") is None
    assert len(repairs.warnings) == 3


def test_a_boolean_box_corner_is_repaired_in_a_reader():
    data = json.loads((SAMPLES / "mineru" / "overtopping_content_list.json").read_bytes())
    data[0]["bbox"] = [True, 0, 10, 10]
    lenient, strict = _each(json.dumps(data).encode())
    assert isinstance(strict, NormalizeError) and strict.path == "$[0].bbox"
    assert lenient[0].blocks[0].bbox is None and lenient[0].blocks[0].extra["bbox"] == [True, 0, 10, 10]


# 6. every field kept: Docling's pages, marker's table cells ---------------------------------------------------

def test_docling_page_fields_and_size_fields_are_kept():
    data = json.loads(DOCLING.read_bytes())
    key = next(iter(data["pages"]))
    data["pages"][key]["size"]["zz"] = 1
    data["pages"][key]["zz_other"] = 2
    data["pages"][key]["image"] = {"uri": "page.png"}
    doc = normalize(json.dumps(data))
    page = doc.pages[0]
    assert page.width == data["pages"][key]["size"]["width"]  # the pages are read, not skipped
    assert page.extra == {"zz_other": 2, "size_zz": 1, "image": {"uri": "page.png"}}
    assert not doc.warnings


def test_a_docling_page_that_is_no_object_or_has_no_number_is_kept_in_extra():
    data = json.loads(DOCLING.read_bytes())
    data["pages"]["9"] = 5
    data["pages"]["x"] = {"page_no": -1, "size": {"width": 1, "height": 2, "q": 3}}
    data["pages"]["²"] = {"size": {"width": 1, "height": 2}}  # a digit int() does not read
    lenient, strict = _each(json.dumps(data).encode())
    assert isinstance(strict, NormalizeError)
    doc = lenient[0]
    assert doc.extra["pages.9"] == 5
    assert doc.extra["pages_left_out"]["x"] == {"page_no": -1, "size": {"width": 1.0, "height": 2.0, "q": 3}}
    assert "²" in doc.extra["pages_left_out"]
    _round_trips(lenient)


def test_marker_table_cells_keep_every_field():
    data = json.loads(MARKER.read_bytes())
    page = data["children"][0]
    table = next(b for g in page["children"] if g["block_type"] == "TableGroup" for b in g["children"]
                 if b["block_type"] == "Table")
    table["children"] = [{"id": "/page/0/TableCell/9", "block_type": "TableCell", "html": "<th>Year</th>",
                          "polygon": [[1, 2], [3, 2], [3, 4], [1, 4]], "bbox": [1, 2, 3, 4],
                          "section_hierarchy": {"1": "/page/0/SectionHeader/1"}, "images": {"x": "data"},
                          "children": None, "zz_more": 7},
                         {"id": "/page/0/TableCell/10", "block_type": "TableCell", "html": "<td>1</td>",
                          "polygon": None, "bbox": ["bad"], "section_hierarchy": None, "images": None,
                          "children": None}]
    doc = normalize(json.dumps(data))
    block = next(b for b in doc.blocks if b.extra.get("id") == table["id"])
    first, second = block.lines
    assert first.text == "Year" and first.bbox == [1.0, 2.0, 3.0, 4.0]
    assert first.extra["section_hierarchy"] == {"1": "/page/0/SectionHeader/1"}
    assert first.extra["images"] == {"x": "data"} and first.extra["zz_more"] == 7
    assert second.bbox is None and second.extra["bbox"] == ["bad"]


def test_an_unreadable_marker_block_or_page_box_is_kept():
    data = json.loads(MARKER.read_bytes())
    data["children"][0]["bbox"] = "page"
    data["children"][0]["polygon"] = None
    data["children"][0]["children"][1]["bbox"] = [1, "x", 3, 4]
    data["children"][0]["children"][2]["polygon"] = [[0, 0], [9, 1], [9, 9], [0, 9]]  # not its box's corners
    doc = normalize(json.dumps(data))
    assert doc.pages[0].extra["bbox"] == "page" and doc.pages[0].width is None
    blocks = {b.extra.get("id"): b for b in doc.blocks}
    assert blocks[data["children"][0]["children"][1]["id"]].extra["bbox"] == [1, "x", 3, 4]
    assert blocks[data["children"][0]["children"][2]["id"]].extra["polygon"] == [[0, 0], [9, 1], [9, 9], [0, 9]]


# 7. byte order marks and UTF-16/32 ----------------------------------------------------------------------------

def _one_per_format() -> list[Path]:
    seen: dict[str, Path] = {}
    for path in sample_files():
        seen.setdefault(detect(path.read_bytes()), path)
    return sorted(seen.values())


ONE_PER_FORMAT = _one_per_format()


@pytest.mark.parametrize("path", ONE_PER_FORMAT, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_utf8_byte_order_mark_is_read_past(path):
    data = path.read_bytes()
    plain = normalize_all(data)
    assert normalize_all(b"\xef\xbb\xbf" + data) == plain
    assert normalize_all("\ufeff" + data.decode()) == normalize_all(data.decode())
    assert detect(b"\xef\xbb\xbf" + data) == detect(data)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("path", ONE_PER_FORMAT, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_utf16_and_utf32_are_decoded_with_a_note(path, encoding):
    text = path.read_bytes().decode()
    plain = normalize_all(text.encode())
    wide = normalize_all(text.encode(encoding))
    label = encoding.upper() if encoding[-3:] in ("-le", "-be") else encoding.upper() + "-LE"
    for got, want in zip(wide, plain, strict=True):
        note = got.warnings.pop(0)
        assert note.startswith(f"$: read as {label} (told by") and "save results as UTF-8" in note
        assert got == want


def test_the_whisperer_text_loses_its_byte_order_mark_as_bytes_and_as_str():
    data = WHISPER_TEXT.read_bytes()
    first = normalize(data).pages[0].text
    assert not first.startswith("\ufeff")
    assert normalize(b"\xef\xbb\xbf" + data).pages[0].text == first
    assert normalize("\ufeff" + data.decode()).pages[0].text == first


def test_utf16_that_does_not_decode_is_an_error_naming_it():
    with pytest.raises(NormalizeError, match=r"found undecodable UTF-16-LE .*save the result as UTF-8"):
        normalize(b"\xff\xfe{\x00\x00")  # an odd byte at the end
    with pytest.raises(NormalizeError, match="UTF-16 or UTF-32 without a byte order mark"):
        normalize("中文{}".encode("utf-16-le"))  # no mark, and a first character past ASCII: not UTF-8 either
    with pytest.raises(NormalizeError, match="plain text .* zero bytes"):
        normalize("中-{}".encode("utf-16-le"))  # no mark, and bytes that happen to be UTF-8: text with zero bytes


def test_a_lone_surrogate_in_utf16_is_repaired_as_in_utf8():
    raw = '{"status": "processed\ud800"}'.encode("utf-16", "surrogatepass")
    lenient, strict = _each(raw)
    assert isinstance(strict, NormalizeError) and "lone surrogate" in strict.message
    assert any("lone surrogate" in w for w in lenient[0].warnings)


# Found beside them: the same crash classes in other readers ------------------------------------------------

def test_digits_past_what_int_reads_in_a_label_are_no_crash():
    data = json.loads((SAMPLES / "baidu" / "annual_report_result.json").read_bytes())
    data["pages"][0]["layouts"][0]["sub_type"] = "title_" + "9" * 5000  # int() refuses more than 4,300 digits
    doc = normalize(json.dumps(data))
    assert doc.blocks[0].extra["sub_type"] == "title_" + "9" * 5000
    data = json.loads((SAMPLES / "llamacloud" / "annual_report_v2.json").read_bytes())
    data["images_content_metadata"]["images"][0]["filename"] = "page_" + "1" * 5000 + ".png"
    images = normalize(json.dumps(data)).images
    assert images[0].page is None and images[0].name.startswith("page_111")


@pytest.mark.parametrize("status", [[[0, 1], [2]], {}, 7])
def test_a_v1_job_status_that_is_no_word_is_no_crash_in_detection(status):
    with pytest.raises(NormalizeError, match="expected a known provider format"):
        detect({"id": "job-1", "status": status})


def test_a_ragged_baidu_matrix_is_bounded_not_padded():
    data = json.loads((SAMPLES / "baidu" / "matrix_repairs_result.json").read_bytes())
    table = data["pages"][0]["tables"][0]
    table["matrix"] = [list(range(3000))] + [[0]] * 3000  # padded: 9 million empty cells from 6,000 indexes
    lenient, strict = _each(json.dumps(data).encode())
    assert isinstance(strict, NormalizeError) and strict.path == "$.pages[0].tables[0].matrix"
    got = next(b.table for b in lenient[0].blocks if b.table and b.table.n_rows > 3000)
    assert got.n_rows * got.n_cols <= 16 * 6000 and not grid_problems(got)
    assert any("cells laid out row by row" in w for w in lenient[0].warnings)


def test_ragged_llamaparse_rows_are_bounded_not_padded():
    data = json.loads((SAMPLES / "llamacloud" / "quarterly_v1.json").read_bytes())
    item = next(i for i in data["pages"][0]["items"] if i["type"] == "table")
    item.pop("md", None), item.pop("html", None)
    item["rows"] = [list(range(3000))] + [[]] * 3000
    lenient, strict = _each(json.dumps(data).encode())
    assert isinstance(strict, NormalizeError) and strict.path.endswith(".rows")
    table = next(b.table for b in lenient[0].blocks if b.table)
    assert (table.n_rows, table.n_cols) == (3001, 1) and table.cells[0].text.startswith("0\t1\t2")


def test_sums_of_huge_finite_numbers_never_reach_the_document_as_infinity():
    data = json.loads((SAMPLES / "llamacloud" / "annual_report_v2.json").read_bytes())
    item = data["items"]["pages"][0]["items"][0]
    item["bbox"] = [dict(item["bbox"][0], confidence=1.7e308), dict(item["bbox"][0], confidence=1.7e308)]
    doc = normalize(json.dumps(data))
    assert doc.blocks[0].confidence == 1.7e308
    _round_trips([doc])
    data = json.loads((SAMPLES / "whisperer" / "lease_retrieve.json").read_bytes())
    k = next(i for i, band in enumerate(data["line_metadata"]) if any(band[1:]))
    data["line_metadata"][k] = [0, 1.7e308, -1.7e308, 3300]  # its top, base_y - height, overflows
    lenient, strict = _each(json.dumps(data).encode())
    assert isinstance(strict, NormalizeError) and strict.path == f"$.line_metadata[{k}]"
    _round_trips(lenient)


@pytest.mark.parametrize("width", [2 ** 63 + 1, -2 ** 63 - 1, BIG, True])
def test_an_image_size_past_what_a_float_holds_exactly_reads_back(width):
    # an integer field copied into a float one once kept 2**63 + 1 as an int, which read back as a float
    data = json.loads((SAMPLES / "llamacloud" / "quarterly_v1.json").read_bytes())
    data["pages"][0]["images"][0]["original_width"] = width
    lenient, strict = _each(json.dumps(data).encode())
    image = lenient[0].images[0]
    assert image.width is None or type(image.width) is float
    _round_trips(lenient)
