"""Diff: pairing, scores (content, segmentation, reading order, TEDS), details, JSON and HTML report, command line
(the three scores on their own cases: test_diff_scores.py)."""

from __future__ import annotations

import json
import subprocess

import html5lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from exporters.diff import CellDiff, DiffResult, diff, reading_order, to_diff_html, to_diff_json
from exporters.diff.teds import cell_diff, teds, tree
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
    assert CellDiff(op="replace", a=[7, 3], b=[7, 3], text_a="r6c3", text_b="r7c3x", cost=0.4) in cells
    assert sum(c.op == "delete" for c in cells) == 12 and {c.a[0] for c in cells if c.op == "delete"} == {25}


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
    """Rows map to rows in our distance: an upper bound of the general one (a lower TEDS, at least 0: one row of
    four empty cells against three rows of one scores -1/7 by the formula)."""
    a, b = grid(x), grid(y)
    assert teds(a, b) <= max(reference_teds(a, b), 0.0) + 1e-9


def _edited(x, data):
    """One edit a table really gets from a provider."""
    y = [row[:] for row in x]
    op = data.draw(st.sampled_from(["edit", "add_cell", "drop_cell", "add_row", "drop_row", "merge", "split"]))
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
    elif op == "merge" and r + 1 < len(y):  # two or three rows read as one
        k = data.draw(st.integers(2, min(3, len(y) - r)))
        y[r:r + k] = [[c for row in y[r:r + k] for c in row]]
    elif op == "split" and len(y[r]) > 1:  # one row read as two
        cut = data.draw(st.integers(1, len(y[r]) - 1))
        y[r:r + 1] = [y[r][:cut], y[r][cut:]]
    return y


@settings(max_examples=300, deadline=None)
@given(rows_of, st.data())
def test_teds_equals_the_general_tree_edit_distance_for_table_edits(x, data):
    """Edits a table really gets (a cell changed, added or removed; a row added, removed, merged or split): exact."""
    a, b = grid(x), grid(_edited(x, data))
    assert teds(a, b) == pytest.approx(reference_teds(a, b))
    assert teds(b, a) == pytest.approx(reference_teds(b, a))


@settings(max_examples=150, deadline=None)
@given(rows_of, st.data())
def test_teds_is_bounded_by_the_general_distance_after_several_edits(x, data):
    """Edits composed may make regroupings cheaper than the ones considered: never more similarity, though."""
    y = x
    for _ in range(data.draw(st.integers(2, 4))):
        y = _edited(y, data)
    a, b = grid(x), grid(y)
    assert teds(a, b) <= reference_teds(a, b) + 1e-9


def test_cell_labels_count_from_one():
    from exporters.diff import cell_label
    assert cell_label(CellDiff(op="replace", a=[0, 2], b=[0, 2], cost=1.0)) == "row 1 col 3"
    assert cell_label(CellDiff(op="replace", a=[0, 2], b=[1, 2], cost=1.0)) == "row 1 col 3 / row 2 col 3"
    assert cell_label(CellDiff(op="delete", a=[4, 0], b=None, cost=1.0)) == "row 5 col 1 only in A"
    assert cell_label(CellDiff(op="insert", a=None, b=[4, 0], cost=1.0)) == "row 5 col 1 only in B"
    assert cell_label(CellDiff(op="regroup", a=[1], b=[1, 2])) == "row 2 of A is rows 2-3 of B"


def test_rows_merged_by_a_provider_score_as_the_general_distance_with_the_regrouping_reported():
    a = grid([["Item", "Qty"], ["Bolts", "12"], ["(M8, zinc)", ""], ["Nuts", "40"]])
    b = grid([["Item", "Qty"], ["Bolts", "12", "(M8, zinc)", ""], ["Nuts", "40"]])
    # 13 nodes: the two row nodes and the merged one are replaced (3), every cell kept
    value, cells = cell_diff(a, b)
    assert value == pytest.approx(1 - 3 / 13) == pytest.approx(reference_teds(a, b))
    assert cells == [CellDiff(op="regroup", a=[1, 2], b=[1], cost=3.0)]
    split_value, split_cells = cell_diff(b, a)
    assert split_value == value and split_cells[0].a == [1] and split_cells[0].b == [1, 2]


# --- pairing and scores -----------------------------------------------------------------------------------

@pytest.mark.parametrize("path", sample_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_identical_documents_score_exactly_one_and_all_pair(path):
    for doc in load(path):
        result = diff(doc, doc)
        s = result.scores
        if not doc.blocks:  # a status-only result: said so, not scored 1.0 over nothing
            assert s.content is None and s.note.startswith("no content to compare: A is ")
            continue
        assert (s.content, s.segmentation, s.reading_order, s.warning) == (1.0, 1.0, 1.0, None)
        assert s.teds in (None, 1.0) and s.teds_s in (None, 1.0) and s.splits == s.merges == 0
        assert s.counts["same"] == s.counts["matched"] == len(doc.blocks)
        assert s.counts["changed"] == s.counts["only_a"] == s.counts["only_b"] == 0
        assert all(p.content == 1.0 for p in result.pages)


def test_three_providers_of_one_report_pair_page_by_page():
    llama, somark, baidu = harbor("llamacloud_v2"), harbor("somark"), harbor("baidu")
    r = diff(llama, somark)
    assert r.mode == "page" and r.scores.counts["matched"] == 13
    split = next(p for p in r.pairs if p.status == "split")
    assert split.a == ["p1-b1"] and split.b == ["p1-b1", "p1-b2"]
    table = next(p for p in r.pairs if p.teds is not None)
    assert table.status == "changed" and len(table.cells) == 1
    cell = table.cells[0]
    assert (cell.op, cell.a, cell.b, cell.text_a, cell.text_b) == ("replace", [4, 2], [4, 2], "431", "481")
    assert cell.cost == pytest.approx(1 / 3, abs=1e-4)
    assert table.text_diff and ("-", "3") in table.text_diff and ("+", "8") in table.text_diff

    r = diff(llama, baidu)
    only_b = [p for p in r.pairs if p.status == "only_b"]
    assert {(p.page_b, p.kind_b) for p in only_b} == {(1, "header"), (2, "header")}
    only_a = [p for p in r.pairs if p.status == "only_a"]
    assert [(p.a, p.kind_a) for p in only_a] == [(["p2-b4"], "paragraph")]
    heading = next(p for p in r.pairs if p.kind_a == "heading" and p.status == "changed")
    assert heading.text_diff == [("=", "1"), ("-", "."), ("=", " Terminal volumes")]
    assert r.scores.teds == 1.0 and r.scores.reading_order == 1.0
    assert 0.9 < r.scores.content < 0.95  # Baidu's running headers and a paragraph it missed


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


def test_repeated_boilerplate_pairs_page_with_page_when_one_side_lacks_a_page():
    # a running header on every page, a footer edited on some of them, a page 1 that B does not have:
    # pairing runs across the document, and each header must still pair with its own page's
    def page(p, tag, edited):
        footer = "Confidential - internal draft" + (", rev. b" if edited and p % 3 == 0 else "")
        return [_b(f"{tag}{p}h", p, "ACME Corp annual report", kind="header"),
                _b(f"{tag}{p}t", p, f"Section {p}: results of the harbour division for period {p * 11}."),
                _b(f"{tag}{p}f", p, footer, kind="footer")]
    a = _doc(list(range(1, 41)), [blk for p in range(1, 41) for blk in page(p, "a", False)])
    b = _doc(list(range(2, 41)), [blk for p in range(2, 41) for blk in page(p, "b", True)])
    r = diff(a, b)
    paired = [(p.a[0][1:], p.b[0][1:]) for p in r.pairs if p.a and p.b]
    assert r.mode == "global" and len(paired) == 39 * 3 and all(x == y for x, y in paired)
    assert r.scores.reading_order == 1.0


def _harbour(n, spelling):
    return [f"Paragraph {i} on {spelling} tonnage, berth {i * 7} and crane {i * 13} in the third quarter."
            for i in range(n)]


def test_an_edited_block_that_moved_far_is_still_paired():
    # Different page lists (global mode) and every block spelled differently, so that no text pairs
    # exactly: block 7 of A, edited, is read last by B, far outside the window proportional alignment gives it
    moved = "The board approved a dividend of forty cents per share, payable in October."
    texts_a, texts_b = _harbour(300, "harbour"), _harbour(300, "harbor")
    a = _doc([1, 2], [_b(f"a{i}", 1 + i // 150, t) for i, t in enumerate(texts_a[:7] + [moved] + texts_a[7:])])
    b = _doc([1], [_b(f"b{i}", 1, t) for i, t in enumerate(texts_b + [moved.replace("forty", "fourty")])])
    r = diff(a, b)
    far = [p for p in r.pairs if "a7" in p.a or "b300" in p.b]
    assert r.mode == "global" and [(p.a, p.b, p.status) for p in far] == [(["a7"], ["b300"], "changed")]
    assert r.scores.counts["only_a"] == r.scores.counts["only_b"] == 0


def test_unrelated_leftovers_stay_unpaired_across_the_document():
    texts_a, texts_b = _harbour(300, "harbour"), _harbour(300, "harbor")
    a = _doc([1, 2], [_b(f"a{i}", 1, t) for i, t in enumerate(texts_a + ["Zebra crossings near the schools"])])
    b = _doc([1], [_b(f"b{i}", 1, t) for i, t in enumerate(["Quarterly dividend of forty cents"] + texts_b)])
    r = diff(a, b)
    assert sorted((p.a, p.b) for p in r.pairs if p.status in ("only_a", "only_b")) == [([], ["b0"]), (["a300"], [])]


def test_reading_order_is_one_less_the_normalized_edit_distance_of_the_two_orders():
    """The edits are moves (insertions and deletions): 1 - rapidfuzz's normalized Indel distance of the orders."""
    from rapidfuzz.distance import Indel
    assert reading_order([(0, 0), (1, 1), (2, 2)]) == 1.0
    assert reading_order([(0, 2), (1, 1), (2, 0)]) == pytest.approx(1 / 3)  # two of three must move
    assert reading_order([(0, 1), (1, 0), (2, 2), (3, 3)]) == 0.75
    assert reading_order([]) is None
    import random
    rng = random.Random(7)
    for n in (5, 17, 60):
        order = list(range(n))
        rng.shuffle(order)
        assert reading_order(list(enumerate(order))) == pytest.approx(1 - Indel.normalized_distance(range(n), order))
    texts = ["one two three", "four five six", "seven eight nine"]
    a = _doc([1], [_b(f"a{i}", 1, t) for i, t in enumerate(texts)])
    b = _doc([1], [_b(f"b{i}", 1, t) for i, t in enumerate(reversed(texts))])
    assert diff(a, b).scores.reading_order == pytest.approx(1 / 3) and diff(a, b).scores.content == 1.0


def test_json_round_trips_and_the_report_is_standalone_valid_html():
    import msgspec
    a, b = harbor("llamacloud_v2"), harbor("baidu")
    result = diff(a, b)
    assert msgspec.json.decode(to_diff_json(result), type=DiffResult) == result
    report = to_diff_html(result, a, b)
    html5lib.HTMLParser(strict=True).parse(report)
    assert "<script" not in report and "http" not in report.split("<body>")[0].replace("http-equiv", "")
    assert '<svg class="chart"' in report and report.count('<rect class="') == len(result.pages)
    assert 'class="score-content"' in report and "whatever its order" in report and "TEDS-S" in report
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
    assert "content            0.998" in out.stdout and "tables TEDS        0.982 (1 table pair)" in out.stdout
    assert "segmentation       0.923 (1 split, 0 merged)" in out.stdout and "reading order      1.000" in out.stdout
    assert "tables TEDS-S      1.000" in out.stdout and out.stderr == ""
    assert json.loads((tmp_path / "d.json").read_text())["scores"]["counts"]["split"] == 1
    assert (tmp_path / "d.html").read_text().startswith("<!DOCTYPE html>")
    bad = subprocess.run(["docnorm", "diff", str(SAMPLES / "ragflow" / "documents_http.json"),
                          str(SAME / "harbor_q3_somark.json")], capture_output=True, text=True)
    assert bad.returncode == 2 and "documents_http.json holds 5 documents; pick one with" in bad.stderr


def test_diff_is_exported_where_the_other_exporters_are():
    """`from exporters import diff` compares two documents, and `exporters.diff.diff` stays what it was."""
    import exporters
    import exporters.diff as module
    from exporters import diff as exported
    from exporters.diff import diff as function
    a, = load(SAME / "harbor_q3_llamacloud_v2.json")
    b, = load(SAME / "harbor_q3_somark.json")
    assert exported(a, b) == function(a, b) and module.diff is function and "diff" in exporters.__all__


def _grid_table(rows):
    return Table(n_rows=len(rows), n_cols=len(rows[0]),
                 cells=[Cell(row=r, col=c, text=t) for r, row in enumerate(rows) for c, t in enumerate(row)])


def _counting_comparisons(monkeypatch) -> list[int]:
    """Counts every node comparison TEDS makes (teds.rename: a cell's text against another's), the work that
    made a 300 x 30 pair take a minute before the budget; the rows' text distances are one C++ call."""
    from exporters.diff import teds
    count = [0]
    rename = teds.rename

    def counted(a, b):
        count[0] += 1
        return rename(a, b)

    monkeypatch.setattr(teds, "rename", counted)
    return count


def test_teds_is_bounded_for_large_tables_and_says_when_it_is_approximate(monkeypatch):
    """Any pair up to 300 x 30 is scored within the budget of cell comparisons (a count, not a clock: the time
    is benchmarks/bounds_bench.py's); past the exact alignment's budget the score is a lower bound, marked
    approximate, and it stays exact for cells edited in place."""
    import random
    from exporters.diff.teds import BUDGET, table_diff
    comparisons = _counting_comparisons(monkeypatch)
    rng = random.Random(3)
    base = [[f"r{r}c{c} {rng.randint(0, 999)}" for c in range(30)] for r in range(300)]
    edited = [[t + "x" if rng.random() < 0.1 else t for t in row] for row in base]
    shuffled = base[:]
    rng.shuffle(shuffled)
    different = [[f"z{r}-{c}" for c in range(30)] for r in range(300)]
    nodes = 1 + 300 + 300 * 30  # the table, its rows, its cells
    for other in (edited, shuffled, different):
        comparisons[0] = 0
        result = table_diff(_grid_table(base), _grid_table(other))
        assert result.approximate
        # the bounded alignment compares each aligned pair once: about one comparison a node, far below the
        # budget (the exact alignment of shuffled rows grows with the square: 1.5 million at 60 rows of 30)
        assert comparisons[0] <= 2 * nodes < BUDGET
        assert 0.0 <= result.teds <= 1.0
    # exact for in-place edits: the same score as the unbounded alignment of a smaller pair
    small_base, small_edit = [row[:12] for row in base[:40]], [row[:12] for row in edited[:40]]
    exact = table_diff(_grid_table(small_base), _grid_table(small_edit), budget=float("inf"))
    bounded = table_diff(_grid_table(small_base), _grid_table(small_edit), budget=0)
    assert bounded.approximate and not exact.approximate and bounded.teds == pytest.approx(exact.teds)
    # a lower bound when rows moved
    small_shuffled = [row[:12] for row in shuffled[:40]]
    exact = table_diff(_grid_table(small_base), _grid_table(small_shuffled), budget=float("inf"))
    bounded = table_diff(_grid_table(small_base), _grid_table(small_shuffled), budget=0)
    assert bounded.teds <= exact.teds + 1e-9


def test_a_large_table_with_a_few_rows_changed_stays_exact(monkeypatch):
    """Rows equal to their counterpart cost no comparison, so a 300 x 30 table with one cell changed and one row
    removed is scored exactly, within the budget of cell comparisons (fast: a count, not a clock), not sent to the
    bounded alignment by its size alone."""
    from exporters.diff.teds import BUDGET, table_diff
    comparisons = _counting_comparisons(monkeypatch)
    base = [[f"r{r}c{c}" for c in range(30)] for r in range(300)]
    edited = [row[:] for row in base]
    edited[150][15] = "changed"
    del edited[40]
    result = table_diff(_grid_table(base), _grid_table(edited))
    assert not result.approximate and comparisons[0] <= BUDGET
    # 9,301 nodes: the removed row (31) and the changed cell's text (7 of 7 characters)
    assert result.teds == pytest.approx(1 - (31 + 1.0) / 9301)
    assert [(c.op, c.a, c.b) for c in result.cells] == ([("delete", [40, col], None) for col in range(30)]
                                                        + [("replace", [150, 15], [149, 15])])


def test_an_approximate_teds_is_shown_as_such(tmp_path):
    from exporters.diff import diff, to_diff_html
    import random
    rng = random.Random(5)
    rows = [[f"r{r}c{c} {rng.randint(0, 99)}" for c in range(30)] for r in range(300)]
    moved = rows[::-1]
    doc = lambda rs: Document(provider="t", format="docnorm", pages=[Page(number=1)],  # noqa: E731
                              blocks=[Block(id="p1-b0", page=1, kind="table", table=_grid_table(rs), text="t")])
    result = diff(doc(rows), doc(moved))
    pair = next(p for p in result.pairs if p.teds is not None)
    assert pair.teds_approximate and "(approximate: rows aligned by their text)" in to_diff_html(result)


def test_pages_that_differ_are_scored_by_what_was_aligned():
    """The same 7-page statement, split into 7 pages by one provider and given as 1 by the other, is as alike
    as its text: not page 1 against page 1."""
    paragraphs = [f"Statement line {k}: opening balance {k * 1000 + 17} EUR, closing balance {k * 999 + 3} EUR."
                  for k in range(35)]
    seven = Document(provider="p", format="docnorm", pages=[Page(number=n) for n in range(1, 8)],
                     blocks=[Block(id=f"p{k // 5 + 1}-b{k % 5}", page=k // 5 + 1, kind="paragraph", text=t)
                             for k, t in enumerate(paragraphs)])
    one = Document(provider="q", format="docnorm", pages=[Page(number=1)],
                   blocks=[Block(id=f"p1-b{k}", page=1, kind="paragraph", text=t.replace("opening", "Opening"))
                           for k, t in enumerate(paragraphs)])
    result = diff(seven, one)
    assert result.mode == "global" and result.scores.content > 0.9
    assert [p.page for p in result.pages] == list(range(1, 8)) and all(p.content > 0.9 for p in result.pages)
    assert sum(p.blocks_b for p in result.pages) == 35


def test_a_failed_side_has_no_scores_but_says_why(tmp_path):
    failed, = load(SAMPLES / "llamacloud" / "pending_job_v2.json")
    report, = load(SAME / "harbor_q3_llamacloud_v2.json")
    result = diff(report, failed)
    assert result.scores.content is None and result.scores.reading_order is None
    assert result.scores.note == "no content to compare: B is queued and has no blocks"
    assert "no content to compare" in to_diff_html(result, report, failed)
    out = subprocess.run(["docnorm", "diff", str(SAME / "harbor_q3_llamacloud_v2.json"),
                          str(SAMPLES / "llamacloud" / "pending_job_v2.json")], capture_output=True, text=True)
    assert out.returncode == 0 and "no content to compare: B is queued" in out.stdout


def test_the_report_names_both_files_labels_its_axes_and_explains_its_colours():
    a, = load(SAME / "harbor_q3_llamacloud_v2.json")
    b, = load(SAME / "harbor_q3_somark.json")
    html = to_diff_html(diff(a, b), a, b, sources=("llama/harbor.json", "somark/harbor.json"))
    assert "<h1>Diff: llama/harbor.json vs somark/harbor.json</h1>" in html
    assert "<th>result file</th><td>llama/harbor.json</td><td>somark/harbor.json</td>" in html
    assert ">page</text>" in html and ">content</text>" in html
    assert "page content at least 0.9" in html and "in B only" in html


def test_an_inline_caption_is_compared_with_the_caption_block():
    """LlamaCloud keeps a figure's caption in the figure; SoMark gives a caption block of its own."""
    caption = "Figure 1: Container throughput by terminal"
    a = Document(provider="llamacloud", format="docnorm", pages=[Page(number=1, width=100, height=100)], blocks=[
        Block(id="p1-b0", page=1, kind="paragraph", text="Throughput rose in the quarter.", bbox=[5, 5, 95, 10]),
        Block(id="p1-b1", page=1, kind="figure", text=caption, bbox=[10, 20, 90, 60])])
    b = Document(provider="somark", format="docnorm", pages=[Page(number=1, width=1000, height=1000)], blocks=[
        Block(id="p1-b0", page=1, kind="paragraph", text="Throughput rose in the quarter.", bbox=[50, 50, 950, 100]),
        Block(id="p1-b1", page=1, kind="figure", text="", bbox=[100, 200, 900, 600], captions=["p1-b2"]),
        Block(id="p1-b2", page=1, kind="caption", text=caption, bbox=[100, 610, 900, 640])])
    result = diff(a, b)
    figure = next(p for p in result.pairs if "p1-b1" in p.a)
    assert figure.b == ["p1-b1", "p1-b2"] and figure.text_similarity == 1.0 and figure.status == "split"
    assert result.scores.counts["only_b"] == 0 and result.scores.counts["changed"] == 0
