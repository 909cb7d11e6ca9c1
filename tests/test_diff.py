"""Diff: pairing, scores (text, TEDS, reading order), details, JSON and HTML report, command line."""

from __future__ import annotations

import json
import subprocess

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from exporters.diff import DiffResult, diff, reading_order, to_diff_html, to_diff_json
from exporters.teds import cell_diff, teds, tree
from normalizer import load
from normalizer.schema import Block, Cell, Document, Page, Table

from .conftest import SAMPLES, sample_files

SAME = SAMPLES / "same_report"


def harbor(provider):
    return load(SAME / f"harbor_q3_{provider}.json")[0]


def grid(rows, header=0):
    return Table(n_rows=len(rows), n_cols=max(len(r) for r in rows),
                 cells=[Cell(row=r, col=c, text=t, header=r < header) for r, row in enumerate(rows)
                        for c, t in enumerate(row)])


# --- an independent tree edit distance (Zhang-Shasha 1989), the reference for TEDS -----------------------

def zhang_shasha(a, b):
    def post(node, out):
        for child in node.children:
            post(child, out)
        out.append(node)
        return out

    def prepare(root):
        nodes = post(root, [])
        index = {id(n): i for i, n in enumerate(nodes)}
        leftmost = []
        for n in nodes:
            first = n
            while first.children:
                first = first.children[0]
            leftmost.append(index[id(first)])
        keyroots = sorted({max(i for i in range(len(nodes)) if leftmost[i] == lm) for lm in set(leftmost)})
        return nodes, leftmost, keyroots

    def rename(x, y):
        if x.tag != y.tag or x.spans != y.spans:
            return 1.0
        return Levenshtein.normalized_distance(x.text, y.text) if x.tag == "td" else 0.0

    na, la, ka = prepare(a)
    nb, lb, kb = prepare(b)
    td = [[0.0] * len(nb) for _ in na]
    for i in ka:
        for j in kb:
            m, n = i - la[i] + 2, j - lb[j] + 2
            fd = [[0.0] * n for _ in range(m)]
            for x in range(1, m):
                fd[x][0] = fd[x - 1][0] + 1
            for y in range(1, n):
                fd[0][y] = fd[0][y - 1] + 1
            for x in range(1, m):
                for y in range(1, n):
                    ii, jj = la[i] + x - 1, lb[j] + y - 1
                    if la[ii] == la[i] and lb[jj] == lb[j]:
                        fd[x][y] = min(fd[x - 1][y] + 1, fd[x][y - 1] + 1, fd[x - 1][y - 1] + rename(na[ii], nb[jj]))
                        td[ii][jj] = fd[x][y]
                    else:
                        p, q = la[ii] - la[i], lb[jj] - lb[j]
                        fd[x][y] = min(fd[x - 1][y] + 1, fd[x][y - 1] + 1, fd[p][q] + td[ii][jj])
    return td[-1][-1]


def reference_teds(x, y):
    a, b = tree(x), tree(y)
    return 1.0 - zhang_shasha(a, b) / max(a.size, b.size)


# --- TEDS -------------------------------------------------------------------------------------------------

def test_teds_of_one_edited_cell_and_one_removed_row_by_hand():
    a = grid([["Region", "2024"], ["North", "abc"], ["South", "7"]])
    b = grid([["Region", "2024"], ["North", "abd"]])
    # nodes: table + 3 rows + 6 cells = 10; remove a row and its 2 cells (3) + rename abc -> abd (1/3)
    assert teds(a, b) == pytest.approx(1 - (3 + 1 / 3) / 10)
    assert reference_teds(a, b) == pytest.approx(1 - (3 + 1 / 3) / 10)


def test_teds_on_a_40_by_12_table_agrees_with_zhang_shasha():
    rows = [[f"h{c}" for c in range(12)]] + [[f"r{r}c{c}" for c in range(12)] for r in range(39)]
    edited = [row[:] for row in rows]
    edited[7][3] = "r7c3x"
    del edited[25]
    a, b = grid(rows, header=1), grid(edited, header=1)
    value, cells = cell_diff(a, b)
    assert value == pytest.approx(reference_teds(a, b)) and value < 1
    assert {"op": "replace", "a": [7, 3], "b": [7, 3], "text_a": "r6c3", "text_b": "r7c3x", "cost": 0.4} in cells
    assert sum(c["op"] == "delete" for c in cells) == 12 and {c["a"][0] for c in cells if c["op"] == "delete"} == {25}


def test_teds_counts_spans():
    merged = Table(n_rows=2, n_cols=2, cells=[Cell(row=0, col=0, col_span=2, text="a"), Cell(row=1, col=0, text="b"),
                                               Cell(row=1, col=1, text="c")])
    split = grid([["a", ""], ["b", "c"]])
    assert teds(merged, merged) == 1.0 and teds(merged, split) == pytest.approx(reference_teds(merged, split))
    assert teds(merged, split) < 1


cell_text = st.text(alphabet="abcx", max_size=3)
rows_of = st.lists(st.lists(cell_text, min_size=1, max_size=4), min_size=1, max_size=5)


@settings(max_examples=150, deadline=None)
@given(rows_of, rows_of)
def test_teds_never_claims_more_similarity_than_the_general_tree_edit_distance(x, y):
    """Rows map to rows in our distance: an upper bound of the general one (a lower TEDS)."""
    a, b = grid(x), grid(y)
    assert teds(a, b) <= reference_teds(a, b) + 1e-9


@settings(max_examples=150, deadline=None)
@given(rows_of, st.data())
def test_teds_equals_the_general_tree_edit_distance_for_table_edits(x, data):
    """Edits a table really gets (cells changed, added or removed in a row; rows added or removed): exact."""
    y = [row[:] for row in x]
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["edit", "add_cell", "drop_cell", "add_row", "drop_row"]))
        r = data.draw(st.integers(0, len(y) - 1))
        if op == "edit":
            y[r][data.draw(st.integers(0, len(y[r]) - 1))] = data.draw(cell_text)
        elif op == "add_cell":
            y[r].insert(data.draw(st.integers(0, len(y[r]))), data.draw(cell_text))
        elif op == "drop_cell" and len(y[r]) > 1:
            del y[r][data.draw(st.integers(0, len(y[r]) - 1))]
        elif op == "add_row":
            y.insert(r, data.draw(st.lists(cell_text, min_size=1, max_size=4)))
        elif op == "drop_row" and len(y) > 1:
            del y[r]
    a, b = grid(x), grid(y)
    assert teds(a, b) == pytest.approx(reference_teds(a, b))


# --- pairing and scores -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", sample_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_identical_documents_score_exactly_one_and_all_pair(path):
    for doc in load(path):
        result = diff(doc, doc)
        s = result.scores
        assert (s.text_similarity, s.reading_order) == (1.0, 1.0)
        assert s.teds in (None, 1.0)
        assert s.counts["same"] == s.counts["matched"] == len(doc.blocks)
        assert s.counts["changed"] == s.counts["only_a"] == s.counts["only_b"] == 0
        assert all(p.similarity == 1.0 for p in result.pages)


def test_three_providers_of_one_report_pair_page_by_page():
    llama, somark, baidu = harbor("llamacloud_v2"), harbor("somark"), harbor("baidu")
    r = diff(llama, somark)
    assert r.mode == "page" and r.scores.counts["matched"] == 13
    split = next(p for p in r.pairs if p.status == "split")
    assert split.a == ["p1-b1"] and split.b == ["p1-b1", "p1-b2"]
    table = next(p for p in r.pairs if p.teds is not None)
    assert table.status == "changed" and table.cells == [
        {"op": "replace", "a": [4, 2], "b": [4, 2], "text_a": "431", "text_b": "481", "cost": pytest.approx(1 / 3, abs=1e-4)}]
    assert table.text_diff and ("-", "3") in table.text_diff and ("+", "8") in table.text_diff

    r = diff(llama, baidu)
    only_b = [p for p in r.pairs if p.status == "only_b"]
    assert {(p.page_b, p.kind_b) for p in only_b} == {(1, "header"), (2, "header")}
    only_a = [p for p in r.pairs if p.status == "only_a"]
    assert [(p.a, p.kind_a) for p in only_a] == [(["p2-b4"], "paragraph")]
    heading = next(p for p in r.pairs if p.kind_a == "heading" and p.status == "changed")
    assert heading.text_diff == [("=", "1"), ("-", "."), ("=", " Terminal volumes")]
    assert r.scores.teds == 1.0 and r.scores.reading_order == 1.0
    assert 0.7 < r.scores.text_similarity < 1


def test_boxes_in_different_units_pair_by_page_relative_overlap():
    r = diff(harbor("llamacloud_v2"), harbor("somark"))  # points vs 150-dpi pixels
    figure = next(p for p in r.pairs if p.kind_a == "figure")
    assert figure.b == ["p2-b2"] and figure.iou == pytest.approx(1.0, abs=0.02)


def _doc(pages, blocks):
    return Document(provider="t", format="docnorm", pages=[Page(number=n, width=100, height=100) for n in pages],
                    blocks=blocks)


def _b(bid, page, text, box=None, kind="paragraph"):
    return Block(id=bid, page=page, kind=kind, text=text, bbox=box)


def test_unrelated_blocks_stay_unpaired():
    a = _doc([1], [_b("a", 1, "The quarterly dividend is forty cents.")])
    b = _doc([1], [_b("b", 1, "Zebra crossings near schools get new lights.")])
    assert [p.status for p in diff(a, b).pairs] == ["only_a", "only_b"]


def test_different_page_lists_pair_across_the_document():
    a = _doc([1, 2], [_b("a1", 1, "alpha beta gamma"), _b("a2", 2, "delta epsilon zeta")])
    b = _doc([1], [_b("b1", 1, "alpha beta gamma"), _b("b2", 1, "delta epsilon zeta!")])
    r = diff(a, b)
    assert r.mode == "global" and [(p.a, p.b, p.status) for p in r.pairs] == [
        (["a1"], ["b1"], "same"), (["a2"], ["b2"], "changed")]


def test_reading_order_agreement():
    assert reading_order([(0, 0), (1, 1), (2, 2)]) == 1.0
    assert reading_order([(0, 2), (1, 1), (2, 0)]) == 0.0
    assert reading_order([(0, 1), (1, 0), (2, 2), (3, 3)]) == pytest.approx(1 - 1 / 6)
    texts = ["one two three", "four five six", "seven eight nine"]
    a = _doc([1], [_b(f"a{i}", 1, t) for i, t in enumerate(texts)])
    b = _doc([1], [_b(f"b{i}", 1, t) for i, t in enumerate(reversed(texts))])
    assert diff(a, b).scores.reading_order == 0.0


def test_json_round_trips_and_the_report_is_standalone_valid_html():
    import msgspec
    a, b = harbor("llamacloud_v2"), harbor("baidu")
    result = diff(a, b)
    assert msgspec.json.decode(to_diff_json(result), type=DiffResult) == result
    report = to_diff_html(result, a, b)
    html5lib.HTMLParser(strict=True).parse(report)
    assert "<script" not in report and "http" not in report.split("<body>")[0].replace("http-equiv", "")
    assert '<svg class="chart"' in report and report.count('<rect class="') == len(result.pages)
    assert "<del>.</del>" in report and "Management will report again in February 2026." in report


def test_report_escapes_provider_text():
    a = _doc([1], [_b("a", 1, "<script>alert(1)</script> safe")])
    b = _doc([1], [_b("b", 1, "<img src=x onerror=alert(2)> safe")])
    report = to_diff_html(diff(a, b), a, b)
    assert "<script>alert" not in report and "<img src=x" not in report and "<img" not in report
    assert report.count("&lt;") >= 2 and "alert(" in report  # the text is there, inert


def test_command_line(tmp_path):
    out = subprocess.run(["docnorm", "diff", str(SAME / "harbor_q3_llamacloud_v2.json"),
                          str(SAME / "harbor_q3_somark.json"), "--json", str(tmp_path / "d.json"),
                          "--html", str(tmp_path / "d.html")], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "text similarity    0.94" in out.stdout and "table TEDS" in out.stdout
    assert json.loads((tmp_path / "d.json").read_text())["scores"]["counts"]["split"] == 1
    assert (tmp_path / "d.html").read_text().startswith("<!DOCTYPE html>")
    bad = subprocess.run(["docnorm", "diff", str(SAMPLES / "ragflow" / "documents_http.json"),
                          str(SAME / "harbor_q3_somark.json")], capture_output=True, text=True)
    assert bad.returncode == 1 and "expected one document to compare, found 5" in bad.stderr
