"""Hostile and broken input (issue: the error contract holds everywhere). One test per class of input; each
fails on the code before the fix. Fuzzing over every sample and struct is in tests/test_fuzz.py."""

from __future__ import annotations

import copy
import json
import math

import pytest

from exporters import to_chunks_jsonl, to_html, to_json, to_markdown, to_text
from exporters.diff import diff, to_diff_json
from normalizer import NormalizeError, detect, load, normalize, normalize_all

from .conftest import SAMPLES

V2 = SAMPLES / "llamacloud" / "annual_report_v2.json"


def _through_everything(doc):
    """What every accepted document must survive."""
    assert normalize(to_json(doc)) == doc
    to_markdown(doc), to_html(doc), to_text(doc), to_chunks_jsonl(doc)
    to_diff_json(diff(doc, doc))


# 1. nesting depth ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deep_json_bytes_are_a_normalize_error_in_detect_and_normalize(depth):
    raw = b'{"x":' + b"[" * depth + b"]" * depth + b"}"
    for call in (detect, normalize, lambda r: normalize(r, strict=True)):
        with pytest.raises(NormalizeError, match="nesting too deep"):
            call(raw)


def test_deep_parsed_input_is_refused_not_accepted_and_left_unencodable():
    deep: dict = {}
    cur = deep
    for _ in range(5000):
        cur["a"] = {}
        cur = cur["a"]
    with pytest.raises(NormalizeError, match="nested at most 200 levels") as err:
        normalize({"job": {"id": "j", "status": "COMPLETED"}, "unknown": deep})
    assert err.value.path.startswith("$.unknown.a.a")


def test_parsed_input_of_reasonable_depth_is_kept_and_encodes():
    nested: list = []
    cur = nested
    for _ in range(150):
        cur.append([])
        cur = cur[0]
    doc = normalize({"job": {"id": "j", "status": "COMPLETED"}, "unknown": nested})
    _through_everything(doc)


# 5. strings UTF-8 cannot hold ------------------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda: rb'{"job": {"id": "j\ud800", "status": "COMPLETED"}}',
    lambda: '{"job": {"id": "j\ud800", "status": "COMPLETED"}}',
    lambda: {"job": {"id": "j\ud800", "status": "COMPLETED"}},
    lambda: {"job": {"id": "j", "status": "COMPLETED", "note\udfff": "x"}},
], ids=["bytes-escape", "str", "parsed", "parsed-key"])
def test_lone_surrogates_become_replacement_characters_with_a_warning(make):
    raw = make()
    doc = normalize(raw)
    assert any("lone surrogate" in w for w in doc.warnings)
    assert "\ufffd" in to_json(doc).decode()
    _through_everything(doc)
    with pytest.raises(NormalizeError, match="lone surrogate"):
        normalize(make(), strict=True)
    if isinstance(raw, dict):
        assert raw == make()  # the caller's value is not changed


def test_a_surrogate_pair_and_an_escaped_backslash_are_left_alone():
    doc = normalize(rb'{"job": {"id": "\ud83d\ude00 \\ud800", "status": "COMPLETED"}}')
    assert doc.job.id == "\U0001F600 \\ud800" and doc.warnings == []


def test_somark_outputs_json_string_with_a_surrogate():
    raw = json.loads((SAMPLES / "somark" / "meeting_gateway_string_json.json").read_bytes())
    inner = raw["data"]["result"]["outputs"]["json"]
    for bad in (inner.replace("会议纪要", "会议纪要\\ud800"), inner.replace("会议纪要", "会议纪要\ud800")):
        raw["data"]["result"]["outputs"]["json"] = bad  # an escape inside the string's JSON, or the character
        doc = normalize(raw)
        assert any("lone surrogate" in w for w in doc.warnings) and doc.blocks[0].text == "会议纪要\ufffd"
        _through_everything(doc)


def test_text_with_a_surrogate():
    doc = normalize("Total\ud800 due\n<<<\f")
    assert doc.blocks[0].text == "Total\ufffd due" and any("lone surrogate" in w for w in doc.warnings)


# 6. non-finite numbers --------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["NaN", "inf", "-Infinity", "1e999"])
def test_a_non_finite_number_in_text_is_no_number(value):
    raw = json.loads(V2.read_bytes())
    raw["items"]["pages"][0]["items"][0]["bbox"][0]["y"] = value
    doc = normalize(raw)
    block = doc.blocks[0]
    assert block.bbox is None or all(math.isfinite(v) for v in block.bbox)
    assert any("items[0].bbox[0].y" in w for w in doc.warnings)
    _through_everything(doc)


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_floats_in_parsed_input_are_read_as_null_with_a_warning(value):
    raw = json.loads(V2.read_bytes())
    raw["items"]["pages"][0]["items"][0]["bbox"][0]["x"] = value
    raw["job"]["user_metadata"] = {"score": value}
    doc = normalize(raw)
    assert "$.job.user_metadata.score: expected a finite number" in " ".join(doc.warnings)
    assert doc.extra["job"]["user_metadata"] == {"score": None}
    _through_everything(doc)
    with pytest.raises(NormalizeError, match="finite number"):
        normalize(raw, strict=True)


# 4. canonical JSON is validated ---------------------------------------------------------------------------

def _canonical():
    return json.loads(to_json(load(V2)[0]))


def _table_block(doc):
    return next(b for b in doc["blocks"] if b["table"] and b["table"]["n_rows"])


@pytest.mark.parametrize("break_it, where", [
    (lambda d: d["blocks"][0].update(bbox=[1, 2, 3]), "$.blocks[0].bbox"),
    (lambda d: d["blocks"][0].update(bbox=[5, 2, 3, 4]), "$.blocks[0].bbox"),
    (lambda d: _table_block(d)["table"]["cells"][0].update(col=-5), ".table.cells"),
    (lambda d: _table_block(d)["table"]["cells"][0].update(row=50), ".table.cells"),
    (lambda d: _table_block(d)["table"].update(n_rows=10**9), ".table"),
    (lambda d: d["blocks"][0].update(level=10**9), "$.blocks[0].level"),
    (lambda d: next(b for b in d["blocks"] if b["kind"] == "heading").update(level=7), ".level"),
    (lambda d: d["blocks"][1].update(id=d["blocks"][0]["id"]), "$.blocks[1].id"),
    (lambda d: d["pages"][0].update(number=0), "$.pages[0].number"),
    (lambda d: d["job"].update(progress=3), "$.job.progress"),
], ids=["3-number-bbox", "reversed-bbox", "cell-left-of-grid", "cell-below-grid", "huge-grid", "huge-level",
        "heading-level-7", "duplicate-id", "page-0", "progress-3"])
def test_canonical_json_that_breaks_an_invariant_is_refused(break_it, where):
    doc = _canonical()
    break_it(doc)
    for raw in (json.dumps(doc).encode(), doc, [doc]):
        with pytest.raises(NormalizeError) as err:
            normalize_all(raw)
        assert where.lstrip("$") in err.value.path, (err.value.path, err.value.message)


def test_valid_canonical_json_still_round_trips():
    doc = load(V2)[0]
    assert normalize(to_json(doc)) == doc


# 7. forced formats ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, forced", [({"a": 1}, "whisperer.text"), (V2.read_bytes(), "ragflow.documents"),
                                         ((SAMPLES / "baidu" / "task_pending.json").read_bytes(), "baidu.result")])
def test_a_forced_format_is_never_a_crash_nor_an_empty_success(raw, forced):
    for strict in (False, True):
        with pytest.raises(NormalizeError, match=f"expected {forced} input"):
            normalize_all(copy.deepcopy(raw), format=forced, strict=strict)


def test_a_boolean_where_a_count_is_read_is_no_count():
    """Found by the long fuzz run: `job_pages: true` became `page_count: true`, which canonical JSON refuses."""
    raw = json.loads((SAMPLES / "llamacloud" / "null_box_parts_v1.json").read_bytes())
    raw["job_metadata"]["job_pages"] = True
    doc = normalize(raw)
    assert doc.job.page_count == 1
    _through_everything(doc)
