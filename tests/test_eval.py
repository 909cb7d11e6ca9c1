"""`docnorm eval` under the docnorm protocol: pairing, the three scores, missing and empty predictions, ranking,
and the command line (real files: OmniDocBench's demo annotations and Markdown, the providers' samples)."""

from __future__ import annotations

import json
import random
import shutil

import msgspec
import pytest

from exporters.eval import evaluate_sets
from exporters.eval.sets import files_of, read_side
from normalizer import load
from normalizer.schema import Block, encode
from viewer.cli import main

from .conftest import DATA, SAMPLES

OMNI = DATA / "omnidocbench"
TRUTH = OMNI / "OmniDocBench_demo.json"
NEWSPAPER = "newspaper_5e266dfd9c498cab274e12a7b4a75755_4"  # 20 paragraphs on one page


def _truth_page(key: str):
    return next(p for p in read_side([str(TRUTH)]).pages if p.key == key).doc


def _write(path, doc) -> str:
    path.write_bytes(encode(doc))
    return str(path)


def test_a_shuffled_copy_scores_full_content_and_a_poor_reading_order(tmp_path):
    truth = _truth_page(NEWSPAPER)
    blocks = list(truth.blocks)
    random.Random(7).shuffle(blocks)
    shuffled = msgspec.structs.replace(truth, blocks=blocks)
    (tmp_path / "truth").mkdir(), (tmp_path / "pred").mkdir()
    result = evaluate_sets(_write(tmp_path / "truth" / "t.json", truth), [_write(tmp_path / "pred" / "p.json", shuffled)])
    scores = result.entries[0].scores
    assert scores["content"] >= 0.99
    assert 1 - scores["reading_order"] > 0.5  # the reading order's edit distance
    assert result.entries[0].missing == []


def test_merges_and_splits_keep_the_content_and_cost_segmentation(tmp_path):
    truth = _truth_page(NEWSPAPER)
    paragraphs = [i for i, b in enumerate(truth.blocks) if b.kind == "paragraph" and len(b.text) > 40]
    a, b, c = paragraphs[0], paragraphs[1], paragraphs[4]
    blocks = list(truth.blocks)
    merged = msgspec.structs.replace(blocks[a], text=blocks[a].text + blocks[b].text)
    half = len(blocks[c].text) // 2
    first = msgspec.structs.replace(blocks[c], text=blocks[c].text[:half])
    second = Block(id="split-2", page=blocks[c].page, kind="paragraph", text=blocks[c].text[half:])
    edited = [x for i, x in enumerate(blocks) if i not in (a, b, c)]
    edited[a:a] = [merged]
    at = next(i for i, x in enumerate(edited) if x.id == blocks[c - 1].id) + 1
    edited[at:at] = [first, second]
    pred = msgspec.structs.replace(truth, blocks=edited)
    entry = evaluate_sets(_write(tmp_path / "t.json", truth), [_write(tmp_path / "p.json", pred)]).entries[0]
    assert entry.scores["content"] >= 0.98
    assert entry.scores["segmentation"] < 1.0
    statuses = {e.status for page in entry.pages for e in page.errors}
    assert {"merged", "split"} <= statuses


def test_a_missing_page_is_scored_as_empty_and_listed(tmp_path):
    pred = tmp_path / "pred"
    shutil.copytree(OMNI / "mds", pred)
    gone = sorted(pred.glob("*.md"))[0]
    gone.unlink()
    (pred / (gone.stem + ".md")).exists()
    entry = evaluate_sets(str(TRUTH), [str(pred)]).entries[0]
    assert entry.missing == [gone.stem]
    page = next(p for p in entry.pages if p.key == gone.stem)
    assert page.missing and page.scores["content"] == 0.0 and page.scores["reading_order"] == 0.0
    assert entry.pages[0].key == gone.stem  # worst first


def test_an_empty_prediction_scores_zero_and_ranks_last(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    for md in (OMNI / "mds").glob("*.md"):
        (empty / md.name).write_text("")
    result = evaluate_sets(str(TRUTH), [str(OMNI / "end2end"), str(empty), str(OMNI / "mds")], workers=1)
    assert [e.name for e in result.entries] == ["mds", "end2end", "empty"]
    assert [e.rank for e in result.entries] == [1, 2, 3]
    assert result.entries[2].scores["content"] == 0.0 and result.entries[2].missing == []
    assert result.entries[0].scores["content"] > 0.95 > result.entries[1].scores["content"]


def test_any_provider_result_can_be_the_truth():
    same = SAMPLES / "same_report"
    result = evaluate_sets(str(same / "harbor_q3_llamacloud_v2.json"),
                           [str(same / "harbor_q3_somark.json"), str(same / "harbor_q3_baidu.json")], workers=1)
    assert {e.name for e in result.entries} == {"harbor_q3_somark.json", "harbor_q3_baidu.json"}
    for entry in result.entries:
        assert entry.missing == [] and entry.scores["content"] > 0.5
        assert entry.scores["layout"] is not None  # both sides have boxes
    truth_pages = len(load(same / "harbor_q3_llamacloud_v2.json")[0].pages)
    assert result.pages == truth_pages


def test_the_command_line_prints_the_leaderboard_and_writes_json_and_csv(tmp_path, capsys):
    out_json, out_csv = tmp_path / "e.json", tmp_path / "e.csv"
    code = main(["eval", str(TRUTH), str(OMNI / "end2end"), str(OMNI / "mds"), "-j", "1",
                 "--json", str(out_json), "--csv", str(out_csv)])
    printed = capsys.readouterr().out
    assert code == 0
    lines = printed.splitlines()
    assert lines[0].split()[:3] == ["rank", "prediction", "overall"]
    assert lines[1].split()[:2] == ["1", "mds"] and lines[2].split()[:2] == ["2", "end2end"]
    assert "reading order" not in lines[0] and any(line.startswith("content ") for line in lines)
    data = json.loads(out_json.read_text())
    assert data["protocol"] == "docnorm" and [e["name"] for e in data["entries"]] == ["mds", "end2end"]
    rows = out_csv.read_text().splitlines()
    assert len(rows) == 1 + 2 * (1 + 18)


def test_a_prediction_file_that_cannot_be_read_is_reported_and_the_rest_scored(tmp_path, capsys):
    pred = tmp_path / "pred"
    shutil.copytree(OMNI / "end2end", pred)
    (pred / "broken.json").write_text('{"layout_dets": [')
    code = main(["eval", str(TRUTH), str(pred), "-j", "1"])
    captured = capsys.readouterr()
    assert code == 1 and "broken.json" in captured.err
    assert captured.out.splitlines()[1].split()[:2] == ["1", "pred"]


@pytest.mark.parametrize("argv, message", [
    (["eval", "no/such/truth", "x"], "no such file or folder"),
    (["eval", str(TRUTH), str(OMNI / "mds"), "--name", "a", "--name", "b"], "2 label(s) for 1"),
])
def test_mistakes_in_the_call_exit_2_before_any_work(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
