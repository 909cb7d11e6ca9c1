"""Results saved one page per file: `normalizer.join` and `--join` on `docnorm normalize` / `docnorm export`."""

from __future__ import annotations

import json
import shutil

import pytest

from exporters import to_json
from normalizer import NormalizeError, join, load, normalize
from normalizer.join import source_key
from viewer.cli import main

from .conftest import SAMPLES

P = SAMPLES / "paddle"
PAGES = [P / "harbor_tide_gauges_0_res.json", P / "harbor_tide_gauges_1_res.json"]


def _page(index, count=3, name="/x/r.pdf", text=None, label="text"):
    return normalize({"input_path": name, "page_index": index, "page_count": count, "width": 100, "height": 100,
                      "parsing_res_list": [{"block_label": label, "block_content": text or f"page {index + 1}",
                                            "block_bbox": [0, 50, 9, 59], "block_order": 1}]})


def test_pages_in_order_ids_renumbered_and_the_inputs_unchanged():
    docs = [load(p)[0] for p in reversed(PAGES)]
    before = [to_json(d) for d in docs]
    doc = join(docs)
    assert [p.number for p in doc.pages] == [1, 2] and doc.job.page_count == 2
    assert [b.page for b in doc.blocks] == sorted(b.page for b in doc.blocks)
    assert len({b.id for b in doc.blocks}) == len(doc.blocks) == 24
    assert [b.id for b in doc.blocks if b.page == 2][:2] == ["p2-b0", "p2-b1"]
    assert [to_json(d) for d in docs] == before
    assert normalize(to_json(doc)) == doc  # canonical, and reads back as itself


def test_links_follow_the_renumbered_blocks_and_the_section_tree_spans_pages():
    doc = join([load(p)[0] for p in PAGES])
    table = next(b for b in doc.blocks if b.kind == "table")
    assert [next(b.text for b in doc.blocks if b.id == c)[:8] for c in table.captions] == ["Table 1:", "Source: "]
    results = next(b for b in doc.blocks if b.text == "2 Results")
    assert results.parent == next(b.id for b in doc.blocks if b.text == "Tide Gauge Calibration in Practice")


def test_the_running_header_of_joined_paddle_pages_is_a_header_and_warnings_name_their_input():
    doc = join([load(p)[0] for p in PAGES])
    assert [b.kind for b in doc.blocks if b.text.startswith("HARBOR SENSOR")] == ["header", "header"]
    assert doc.warnings[0].startswith("input 1 (page 1): $.parsing_res_list: 1 block(s) labelled text")
    assert doc.warnings[-1].startswith("$: expected a paragraph_title to be a heading, found 'HARBOR SENSOR")


def test_gaps_and_duplicates_are_reported():
    doc = join([_page(2, count=4), _page(0, count=4), _page(0, count=4, text="again")])
    assert [p.number for p in doc.pages] == [1, 3] and [b.text for b in doc.blocks] == ["page 1", "page 3"]
    assert doc.warnings == [
        "$: expected each page once, found page 1 in inputs 2 and 3; kept input 2's; dropped input 3's (1 blocks)",
        "$: expected pages 1 to 4, found no pages 2, 4; joined the pages there are"]


def test_inputs_of_different_sources_or_formats_are_noted_and_extras_kept():
    api = load(P / "berth3_notice_api.json")[0]
    doc = join([_page(1, count=2), api])
    assert "the joined inputs differ in format (paddle.api, paddle.vl)" in " ".join(doc.warnings)
    assert doc.pages[1].extra["document_extra"] == {"input_path": "/x/r.pdf"}
    assert doc.pages[0].extra["document_extra"]["dataInfo"]["type"] == "image" and doc.extra == {}


def test_nothing_to_join_is_an_error_and_one_document_is_itself_renumbered():
    with pytest.raises(NormalizeError, match="expected at least one document"):
        join([])
    one = load(P / "larkspur_cargo_api.json")[0]
    assert join([one]).blocks == one.blocks and join([one]).pages == one.pages


def test_worst_job_status_and_markdown_in_page_order():
    ok = load(P / "larkspur_cargo_api.json")[0]
    failed = load(P / "api_error_500.json")[0]
    doc = join([failed, ok])
    assert doc.job.status == "failed" and doc.job.id == failed.job.id and doc.job.page_count == 2


@pytest.mark.parametrize("name,key", [("report_3_res.json", "report"), ("report_res.json", "report"),
                                      ("report_12.json", "report"), ("a_b_7_res.docnorm.json", "a_b"),
                                      ("report.pdf", "report"), ("_3_res.json", "_3"), ("scan_v2.json", "scan_v2")])
def test_source_key(name, key):
    assert source_key(name) == key


def test_normalize_join_writes_one_document_per_source(tmp_path, capsys):
    src = tmp_path / "in"
    src.mkdir()
    for p in PAGES + [P / "invoice_2025-0417_0_res.json"]:
        shutil.copy(p, src / p.name)
    (src / "broken_1_res.json").write_text('{"parsing_res_list": [], "page_index": "one"}')
    out = tmp_path / "out"
    assert main(["normalize", str(src), "--join", "-o", str(out), "--strict"]) == 1  # the broken page failed
    assert sorted(p.name for p in out.iterdir()) == ["harbor_tide_gauges.docnorm.json",
                                                      "invoice_2025-0417.docnorm.json"]
    joined = json.loads((out / "harbor_tide_gauges.docnorm.json").read_bytes())
    assert [p["number"] for p in joined["pages"]] == [1, 2]
    assert "broken_1_res.json: $.page_index" in capsys.readouterr().err


def test_normalize_join_of_named_files_goes_to_one_file_and_export_joins_too(tmp_path):
    target = tmp_path / "one.json"
    assert main(["normalize", *map(str, PAGES), "--join", "-o", str(target)]) == 0
    assert [p["number"] for p in json.loads(target.read_bytes())["pages"]] == [1, 2]
    md = tmp_path / "doc.md"
    assert main(["export", *map(str, reversed(PAGES)), "--join", "--to", "md", "-o", str(md)]) == 0
    text = md.read_text()
    assert text.index("Tide Gauge Calibration") < text.index("2 Results") and "HARBOR SENSOR" not in text
