"""The grounding audit beside the other scores: `docnorm diff` and `docnorm eval` audit each result against the
PDF found for it and show its grounding next to their scores; without a PDF (or with --no-audit) nothing is
added."""

from __future__ import annotations

import json
import shutil

import pytest

from exporters import to_json
from exporters.eval import evaluate_sets
from exporters.eval.tables import leaderboard, score_names
from viewer.cli import main

from .test_audit import PG9, _doc, flipped


@pytest.fixture
def pair(tmp_path):
    """The real Docling result, a y-flipped copy and the PDF both record, in one folder."""
    shutil.copy(PG9[0], tmp_path / "original.json")
    shutil.copy(PG9[1], tmp_path / PG9[1].name)
    (tmp_path / "flipped.json").write_bytes(to_json(flipped(_doc(PG9[0]))))
    return tmp_path


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCNORM_CACHE", str(tmp_path / "cache"))


def test_diff_prints_writes_and_reports_each_side_s_grounding(pair, capsys):
    assert main(["diff", str(pair / "original.json"), str(pair / "flipped.json"), "--json", str(pair / "d.json"),
                 "--html", str(pair / "d.html")]) == 0
    out = capsys.readouterr().out
    assert "grounding          A 1.000 (frame ok)" in out
    assert "B 0.250 (frame y-flipped: 1.000 after the repair)" in out
    grounding = json.loads((pair / "d.json").read_text())["grounding"]
    assert grounding["a"]["score"] == 1.0 and grounding["b"]["frame"] == "y-flipped"
    assert grounding["b"]["source"].endswith(PG9[1].name)
    html = (pair / "d.html").read_text()
    assert 'class="score-grounding"' in html and "B: 0.250 (frame y-flipped: 1.000 after the repair)" in html


def test_diff_without_a_pdf_or_with_no_audit_adds_nothing(pair, capsys):
    (pair / PG9[1].name).unlink()
    assert main(["diff", str(pair / "original.json"), str(pair / "flipped.json"), "--json", str(pair / "d.json")]) == 0
    assert "grounding" not in capsys.readouterr().out and "grounding" not in json.loads((pair / "d.json").read_text())
    assert main(["diff", str(pair / "original.json"), str(pair / "flipped.json"), "--source", str(PG9[1]),
                 "--no-audit", "--json", str(pair / "d.json")]) == 0
    assert "grounding" not in capsys.readouterr().out and "grounding" not in json.loads((pair / "d.json").read_text())


def test_diff_with_a_source_audits_both_sides_against_it(pair, tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.move(pair / "flipped.json", elsewhere / "flipped.json")  # no PDF beside it: --source is used for both
    assert main(["diff", str(pair / "original.json"), str(elsewhere / "flipped.json"), "--source", str(PG9[1])]) == 0
    assert "B 0.250 (frame y-flipped" in capsys.readouterr().out


def test_eval_adds_a_grounding_column_beside_the_ranking(pair, tmp_path):
    truth = tmp_path / "truth"
    truth.mkdir()
    shutil.copy(PG9[0], truth / "pg9.json")
    good, bad = tmp_path / "good", tmp_path / "bad"
    for folder, name in ((good, "original.json"), (bad, "flipped.json")):
        folder.mkdir()
        shutil.copy(pair / name, folder / name)
        shutil.copy(PG9[1], folder / PG9[1].name)
    result = evaluate_sets(str(truth), [str(good), str(bad)])
    scores = {e.name: e.scores for e in result.entries}
    assert scores["good"]["grounding"] == 1.0 and scores["bad"]["grounding"] == pytest.approx(0.25, abs=0.01)
    assert score_names(result)[-1] == "grounding"
    assert scores["good"]["overall"] > scores["bad"]["overall"]  # layout ranks it; grounding is only beside
    table = leaderboard(result)
    assert table.splitlines()[0].split()[-3:] == ["grounding", "pages", "missing"]
    assert any("grounding audited on 1 of 1 document(s)" in n for n in result.notes)
    plain = evaluate_sets(str(truth), [str(good)], audit=False)
    assert "grounding" not in plain.entries[0].scores and "grounding" not in score_names(plain)
    assert plain.entries[0].scores["overall"] == scores["good"]["overall"]


def test_eval_on_the_command_line_prints_grounding_unless_told_not_to(pair, tmp_path, capsys):
    truth = tmp_path / "truth.json"
    shutil.copy(PG9[0], truth)
    assert main(["eval", str(truth), str(pair / "flipped.json")]) == 0
    out = capsys.readouterr().out
    assert "grounding" in out.splitlines()[0] and "0.250" in out.splitlines()[1]
    assert main(["eval", str(truth), str(pair / "flipped.json"), "--no-audit"]) == 0
    assert "grounding" not in capsys.readouterr().out
