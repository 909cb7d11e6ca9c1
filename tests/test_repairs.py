"""Bad input in real shapes: each gets a NormalizeError naming the JSON path, or a recorded repair."""

from __future__ import annotations

import json

import pytest

from normalizer import NormalizeError, normalize

from .conftest import SAMPLES

REPORT = json.loads((SAMPLES / "llamacloud" / "annual_report_v2.json").read_bytes())
V1 = json.loads((SAMPLES / "llamacloud" / "quarterly_v1.json").read_bytes())


def mutated(base, path, value=None, delete=False):
    raw = json.loads(json.dumps(base))
    target = raw
    for key in path[:-1]:
        target = target[key]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return json.dumps(raw).encode()


def test_clean_input_takes_the_fast_path_with_no_warnings():
    assert normalize(json.dumps(REPORT)).warnings == []


def test_wrong_type_is_repaired_kept_in_extra_and_reported_with_its_path():
    data = mutated(REPORT, ["items", "pages", 0, "items", 1, "level"], "two")
    doc = normalize(data)
    heading = doc.blocks[1]
    assert heading.level == 1 and heading.extra["level"] == "two"
    assert doc.warnings == ["$.items.pages[0].items[1].level: expected integer or null, found string 'two'; "
                            "kept in extra"]
    with pytest.raises(NormalizeError) as err:
        normalize(data, strict=True)
    assert err.value.path == "$.items.pages[0].items[1].level"
    assert "expected integer or null" in err.value.message and "found string 'two'" in err.value.message


def test_numeric_string_is_read_as_number():
    doc = normalize(mutated(REPORT, ["items", "pages", 0, "page_width"], "612"))
    assert doc.pages[0].width == 612.0
    assert doc.warnings == ["$.items.pages[0].page_width: expected number, found string '612'; read as 612.0"]


def test_null_where_a_list_belongs():
    data = mutated(REPORT, ["items", "pages", 0, "items", 4, "items"], None)
    doc = normalize(data)
    assert doc.warnings == ["$.items.pages[0].items[4].items: expected array, found null; used []"]
    assert [b.text for b in doc.blocks if b.kind == "list_item"] == [REPORT["items"]["pages"][0]["items"][4]["md"]]
    with pytest.raises(NormalizeError) as err:
        normalize(data, strict=True)
    assert err.value.path == "$.items.pages[0].items[4].items"
    doc = normalize(mutated(REPORT, ["images_content_metadata", "images"], None))
    assert doc.images == [] and doc.warnings == [
        "$.images_content_metadata.images: expected array, found null; used []"]


def test_a_bad_list_element_moves_to_extra_and_the_rest_survive():
    data = mutated(REPORT, ["items", "pages", 1, "items", 0], "not an item")
    doc = normalize(data)
    page2 = [b for b in doc.blocks if b.page == 2]
    assert len(page2) == 2  # the table and the code block remain
    assert doc.pages[1].extra["items_page"] == {"items[0]": "not an item"}
    assert doc.warnings == ["$.items.pages[1].items[0]: expected object, found string 'not an item'; moved to extra"]


def test_unknown_keys_are_kept_not_dropped():
    raw = json.loads(json.dumps(REPORT))
    raw["items"]["pages"][0]["items"][1]["font_size"] = 24
    raw["job"]["region"] = "eu"
    raw["brand_new_section"] = {"x": 1}
    doc = normalize(json.dumps(raw))
    assert doc.blocks[1].extra["font_size"] == 24
    assert doc.extra["job"]["region"] == "eu" and doc.extra["brand_new_section"] == {"x": 1}
    assert doc.warnings == []  # keeping an unknown key is not a repair


def test_missing_page_number_uses_position():
    doc = normalize(mutated(V1, ["pages", 1, "page"], delete=True))
    assert [p.number for p in doc.pages] == [1, 2]
    assert doc.warnings == ["$.pages[1].page: expected a 1-based page number, found null; used position 2"]
    with pytest.raises(NormalizeError, match=r"\$\.pages\[1\]\.page"):
        normalize(mutated(V1, ["pages", 1, "page"], delete=True), strict=True)


def test_heading_level_out_of_range():
    doc = normalize(mutated(REPORT, ["items", "pages", 0, "items", 1, "level"], 9))
    assert doc.blocks[1].level == 6 and "clamped" in doc.warnings[0]


def test_overlapping_spans_in_provider_html_are_repaired_with_the_item_path():
    html = "<table><tr><td rowspan=2>a</td><td>b</td></tr><tr><td colspan=2>c</td></tr></table>"
    raw = json.loads(json.dumps(REPORT))
    raw["items"]["pages"][0]["items"][7]["html"] = html
    doc = normalize(json.dumps(raw))
    table = next(b for b in doc.blocks if b.kind == "table").table
    assert (table.n_rows, table.n_cols) == (2, 2)
    assert doc.warnings == ["$.items.pages[0].items[7].html: row 0: rowspan=2 of 'a' collides with the complete "
                            "row 1; cut to 1"]
    with pytest.raises(NormalizeError) as err:
        normalize(json.dumps(raw), strict=True)
    assert err.value.path == "$.items.pages[0].items[7].html"


def test_structural_errors():
    lenient = normalize(b'{"job": {"id": "x", "status": "COMPLETED"}, "items": 5}')
    assert lenient.extra["items"] == 5 and lenient.warnings == [
        "$.items: expected object or null, found integer 5; kept in extra"]
    with pytest.raises(NormalizeError) as err:
        normalize(b'{"job": {"id": "x", "status": "COMPLETED"}, "items": 5}', strict=True)
    assert err.value.path == "$.items"
    with pytest.raises(NormalizeError, match="malformed"):
        normalize(b'{"job": {"id": "x", "status": "COMPL')
    with pytest.raises(NormalizeError, match="format id"):
        normalize(b"{}", format="nope")
    with pytest.raises(NormalizeError, match="expected a known provider format, found an object with keys"):
        normalize(b'{"hello": 1}')


def test_unknown_status_word_is_noted_not_fatal():
    doc = normalize(b'{"job": {"id": "x", "status": "THINKING"}}', strict=True)
    assert (doc.job.status, doc.job.provider_status) == ("unknown", "THINKING")
    assert doc.warnings == ["$.job.status: unknown status 'THINKING'; mapped to unknown"]
