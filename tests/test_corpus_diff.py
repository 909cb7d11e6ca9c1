"""`docnorm diff DIR_A DIR_B`: results paired by the source document they were made from, each pair scored, the
unpaired listed, and a report of them all."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pytest

from exporters.diff.corpus import Entry, key_of, pair_entries
from normalizer import load

from .conftest import SAMPLES


def _folders(tmp_path):
    a, b = tmp_path / "llama", tmp_path / "somark"
    a.mkdir(), b.mkdir()
    # recorded file name: both made from harbor_q3_2025.pdf, saved under different names
    shutil.copy(SAMPLES / "same_report" / "harbor_q3_llamacloud_v2.json", a / "job-17.json")
    (b / "deep").mkdir()
    shutil.copy(SAMPLES / "same_report" / "harbor_q3_somark.json", b / "deep" / "result-3.json")
    # no recorded name: paired by the result's file stem
    shutil.copy(SAMPLES / "whisperer" / "sales.text.txt", a / "sales.txt")
    shutil.copy(SAMPLES / "whisperer" / "sales.text.txt", b / "sales.txt")
    # one side only, and a file that does not normalize
    shutil.copy(SAMPLES / "llamacloud" / "annual_report_v2.json", a / "annual.json")
    shutil.copy(SAMPLES / "somark" / "bare_outputs.json", b / "other.json")
    (b / "broken.json").write_text('{"job": {"id": ')
    return a, b


def test_results_pair_by_the_document_they_were_made_from_then_by_stem():
    assert key_of(load(SAMPLES / "same_report" / "harbor_q3_baidu.json")[0], "x.json") == "harbor_q3_2025"
    pairs, only_a, only_b = pair_entries([Entry(path="a/x.json", key="k1"), Entry(path="a/y.json", key="k2")],
                                         [Entry(path="b/k.json", key="k2"), Entry(path="b/z.json", key="k3")])
    assert [(p[0].path, p[1].path) for p in pairs] == [("a/y.json", "b/k.json")]
    assert [e.path for e in only_a] == ["a/x.json"] and [e.path for e in only_b] == ["b/z.json"]


def test_two_folders_are_compared_document_by_document(tmp_path):
    a, b = _folders(tmp_path)
    out = subprocess.run(["docnorm", "diff", str(a), str(b), "--json", str(tmp_path / "c.json"),
                          "--csv", str(tmp_path / "c.csv"), "--html", str(tmp_path / "c.html"), "-j", "2"],
                         capture_output=True, text=True, timeout=120)
    # broken.json failed: reported on stderr and exit status 1, as the batch commands do; the rest is compared
    assert out.returncode == 1 and out.stderr.startswith("docnorm: broken.json: $: expected JSON"), out.stderr
    assert "2 pairs" in out.stdout
    result = json.loads((tmp_path / "c.json").read_text())
    keys = {r["key"]: r for r in result["rows"]}
    assert set(keys) == {"harbor_q3_2025", "sales"}
    harbor = keys["harbor_q3_2025"]
    assert (harbor["a"], harbor["b"]) == ("job-17.json", "deep/result-3.json") and 0.99 < harbor["content"] < 1
    assert harbor["segmentation"] == pytest.approx(1 - 1 / 13) and harbor["reading_order"] == 1.0
    assert harbor["teds_mean"] < 1 and harbor["teds_s_mean"] == 1.0 and harbor["kinds_a"]["heading"] == 3
    assert keys["sales"]["content"] == 1.0 and keys["sales"]["warning"] is None
    assert "text_similarity" not in harbor  # replaced by the three scores
    assert set(result["meanings"]) == {"content", "segmentation", "reading_order", "teds", "teds_s"}
    assert [e["path"] for e in result["only_a"]] == ["annual.json"]
    assert [e["path"] for e in result["only_b"]] == ["other.json"]
    assert [e["path"] for e in result["failed"]] == ["broken.json"] and result["b"]["failures"] == 1
    assert result["rows"][0]["key"] == "harbor_q3_2025"  # worst first
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text())))
    assert [r["key"] for r in rows] == ["harbor_q3_2025", "sales"] and rows[1]["content"] == "1.0000"
    assert list(rows[0])[3:9] == ["content", "segmentation", "reading_order", "teds_mean", "teds_s_mean", "teds_worst"]
    html = (tmp_path / "c.html").read_text()
    assert "Corpus diff:" in html and ">content</text>" in html and ">document pairs</text>" in html
    for label in (">segmentation</text>", ">reading order</text>", ">mean table TEDS-S</text>", "whatever its order"):
        assert label in html
    assert "mean content" in out.stdout and "mean reading order" in out.stdout
    link = harbor["report"]
    assert f'<a href="{link}">harbor_q3_2025</a>' in html and (tmp_path / link).read_text().startswith("<!DOCTYPE html>")
    assert "annual.json" in html and "broken.json" in html


def test_a_folder_and_a_file_is_a_usage_error(tmp_path):
    out = subprocess.run(["docnorm", "diff", str(SAMPLES / "somark"), str(SAMPLES / "somark" / "bare_outputs.json")],
                         capture_output=True, text=True)
    assert out.returncode == 2 and "give two of one kind" in out.stderr


def test_two_glob_patterns_are_compared_like_folders(tmp_path):
    """Quoted patterns pick the files of each side (`**` crossing folders); paths are shown relative to the
    folder the matches share."""
    a, b = _folders(tmp_path)
    out = subprocess.run(["docnorm", "diff", f"{a}/*.json", f"{b}/**/result-*.json", "--json", str(tmp_path / "g.json"),
                          "-j", "1"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads((tmp_path / "g.json").read_text())
    assert [(r["key"], r["a"], r["b"]) for r in result["rows"]] == [("harbor_q3_2025", "job-17.json", "result-3.json")]
    assert [e["path"] for e in result["only_a"]] == ["annual.json"] and result["only_b"] == []  # sales.txt not matched
    none = subprocess.run(["docnorm", "diff", f"{a}/*.nothing", f"{b}/*.json"], capture_output=True, text=True)
    assert none.returncode == 2 and "no file matches this pattern" in none.stderr
