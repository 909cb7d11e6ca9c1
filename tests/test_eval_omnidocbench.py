"""docnorm's OmniDocBench end-to-end evaluation against OmniDocBench's own evaluator.

Every reference figure here came from OmniDocBench's evaluator (`pdf_validation.py`, `match_method: quick_match`)
at bch9248/OmniDocBench d295eea (v1.5) in its pinned environment (scipy 1.10.1, beautifulsoup4 4.11.1,
lxml 4.9.1, pylatexenc 3.0a30): `tests/data/omnidocbench/make_fixtures.py` made them, and the prediction
sets under `extra/` come from `extra/make_sets.py`.
"""

from __future__ import annotations

import doctest
import importlib
import json
import math
import random
import re

import msgspec
import pytest

from exporters.eval.omnidocbench import evaluate, load_predictions, load_truth

from .conftest import DATA

HERE = DATA / "omnidocbench"
TRUTH = load_truth(HERE / "OmniDocBench_demo.json")
PAGE = "eastmoney_62b4149b1612ce28d20f26cd5c5b2e18f80b26fca6e4452e090376a2fe72eae3.pdf_0"   # text and two tables
MODULES = ["__main__", "extract", "html", "lines", "lsa", "mdtable", "metrics", "normalize", "page", "quick",
           "quick_pairs", "quick_parts", "run", "scan", "simple", "soup", "teds"]


def _flat(value, path=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flat(item, f"{path}/{key}")
    else:
        yield path, value


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or abs(a - b) < 1e-9
    return a == b


@pytest.fixture(scope="module")
def results():
    sets = {"end2end": HERE / "end2end", "mds": HERE / "mds"}
    sets.update({name: HERE / "extra" / name for name in ("shuffled", "edited", "styled")})
    return {name: evaluate(TRUTH, load_predictions(folder)) for name, folder in sets.items()}


# The figures the brief gives for the demo, from OmniDocBench's evaluator.
DEMO = {"end2end": {"/text_block/all/Edit_dist/ALL_page_avg": 0.351317,
                    "/text_block/all/Edit_dist/edit_whole": 0.486949,
                    "/display_formula/all/Edit_dist/ALL_page_avg": 0.318945, "/table/all/TEDS/all": 0.783813,
                    "/table/all/TEDS_structure_only/all": 0.911589, "/table/all/Edit_dist/ALL_page_avg": 0.202719,
                    "/reading_order/all/Edit_dist/ALL_page_avg": 0.161337},
        "mds": {"/text_block/all/Edit_dist/ALL_page_avg": 0.0, "/display_formula/all/Edit_dist/ALL_page_avg": 0.002648,
                "/table/all/TEDS/all": 1.0, "/reading_order/all/Edit_dist/ALL_page_avg": 0.0}}


@pytest.mark.parametrize("name", sorted(DEMO))
def test_the_demo_figures(results, name):
    ours = dict(_flat(results[name].metric_result))
    for path, figure in DEMO[name].items():
        assert abs(ours[path] - figure) < 0.01, path
        assert abs(ours[path] - figure) < 1e-6, path   # in fact they agree to the last printed digit


@pytest.mark.parametrize("name", ["end2end", "mds", "shuffled", "edited", "styled"])
def test_every_figure_equals_omnidocbench_key_for_key(results, name):
    """The whole metric_result (overall, by ground-truth attribute, by page attribute) equals the official one;
    for `edited`, whose one left-out page docnorm scores as empty, OmniDocBench was given an empty file."""
    official = json.loads((HERE / "official" / f"{name}_metric_result.json").read_text())
    ours = results[name].metric_result
    assert list(_flat(ours)) and [p for p, _ in _flat(ours)] == [p for p, _ in _flat(official)]
    different = [p for (p, a), (_, b) in zip(_flat(ours), _flat(official)) if not _same(a, b)]
    assert different == []


def test_a_page_without_prediction_is_scored_as_empty_and_listed(results):
    result = results["edited"]
    left_out = "docstructbench_dianzishu_zhongwenzaixian-o.O-61569294.pdf_128"
    assert result.missing == [left_out]
    page = next(p for p in result.pages if p.key == left_out)
    assert page.missing and page.edit["text_block"] == 1.0
    with_empty = evaluate(TRUTH, {**load_predictions(HERE / "extra" / "edited"), left_out: ""})
    assert with_empty.missing == [] and with_empty.metric_result == result.metric_result
    with_none = evaluate(TRUTH, {**load_predictions(HERE / "extra" / "edited"), left_out: None})
    assert with_none.missing == [left_out] and with_none.metric_result == result.metric_result
    skipped = evaluate(TRUTH, load_predictions(HERE / "extra" / "edited"), skip_missing=True)   # OmniDocBench's way
    kept = evaluate([p for p in TRUTH if left_out not in p["page_info"]["image_path"]],
                    load_predictions(HERE / "extra" / "edited"))
    assert skipped.missing == [left_out] and skipped.metric_result == kept.metric_result
    assert [p.key for p in skipped.pages] == [p.key for p in kept.pages]


def test_an_empty_prediction_scores_the_worst_without_failing():
    result = evaluate(TRUTH, {})
    assert len(result.missing) == len(TRUTH)
    figures = result.metric_result
    assert figures["text_block"]["all"]["Edit_dist"]["ALL_page_avg"] == 1.0
    assert figures["table"]["all"]["TEDS"]["all"] == 0.0
    assert figures["reading_order"]["all"]["Edit_dist"]["ALL_page_avg"] == 1.0
    assert evaluate([], {}).metric_result["text_block"]["all"] == {"Edit_dist": {"ALL_page_avg": "NaN"}}
    assert any("CDM" in note for note in result.notes)


def test_pages_carry_the_pairs_behind_the_figures(results):
    page = next(p for p in results["end2end"].pages if p.key == PAGE)
    tables = [pair for pair in page.pairs if pair.element == "table"]
    assert len(tables) == 2 and all(0 <= pair.teds <= 1 for pair in tables)
    assert page.edit["text_block"] is not None and page.order_gt
    texts = [pair for pair in page.pairs if pair.element == "text_block"]
    assert texts and all(pair.gt and pair.gt_category for pair in texts)
    encoded = msgspec.json.encode(results["end2end"])   # the result is plain data
    assert b'"metric_result"' in encoded


def test_the_evaluation_is_deterministic():
    predictions = load_predictions(HERE / "end2end")
    first, second = evaluate(TRUTH, predictions), evaluate(TRUTH, predictions)
    assert msgspec.json.encode(first) == msgspec.json.encode(second)


HOSTILE = {
    "unclosed $$": "$$ x + y " * 3000,
    "table never closed": "<table><tr><td>a</td>" * 2000 + "\n\ntext after",
    "tabular never closed": "\\begin{tabular}{l} a & b \\\\ " * 1500,
    "100k lines": "\n".join(f"line {i} of a very long page" for i in range(100_000)),
    "deep nesting": "<table><tr><td>" * 2000 + "x" + "</td></tr></table>" * 2000,
    "deep tags in a cell": "<table><tr><td>" + "<b>" * 20000 + "x" + "</b>" * 20000 + "</td></tr></table>",
    "deep braces": "$\\frac" + "{" * 5000 + "$ and \\[" + "{" * 5000 + "\\]",
    "unclosed everything": "![a](" * 2000 + "```x\n" * 2000 + "\\(" * 2000 + "<!--" * 2000 + "\\title  {" * 2000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_markdown_gives_a_bounded_result(name, monkeypatch):
    import exporters.eval.omnidocbench.page as page_module
    monkeypatch.setattr(page_module, "QUICK_BUDGET", 300_000)   # the same bound, smaller: the test stays fast
    page = [p for p in TRUTH if p["page_info"]["image_path"][:-4] == PAGE]
    result = evaluate(page, {PAGE: HOSTILE[name]})
    for path, value in _flat(result.metric_result):
        bounded = isinstance(value, (int, float)) and -1.0 <= value <= 1.0 + 1e-9
        assert "sample_count" in path or value == "NaN" or bounded, path
    if name == "100k lines":   # too many paragraphs to match in budget: matched simply, and said so
        assert any("budget" in note for note in result.notes)


def test_a_table_too_long_to_parse_safely_is_scored_as_empty(monkeypatch):
    """Python's HTML parser (which BeautifulSoup, hence OmniDocBench, uses) goes quadratic on some broken markup,
    such as thousands of unclosed attribute quotes: a table's HTML past a length bound is not parsed."""
    import exporters.eval.omnidocbench.html as html_module
    monkeypatch.setattr(html_module, "MAX_TABLE", 20_000)
    page = [p for p in TRUTH if p["page_info"]["image_path"][:-4] == PAGE]
    result = evaluate(page, {PAGE: "<table>" + '<tr><td a="' * 5000 + "</table>"})
    assert any("not readable" in note and "characters" in note for note in result.notes)
    assert result.metric_result["table"]["all"]["TEDS"]["all"] == 0.0


class _Counting(str):
    """A text that counts the characters its `find` looks at: linear work is a small multiple of its length."""

    looked = 0

    def find(self, sub, start=0, end=None):
        end = len(self) if end is None else end
        found = str.find(self, sub, start, end)
        _Counting.looked += max(0, (found + len(sub) if found >= 0 else end) - start)
        return found


@pytest.mark.parametrize("build,call", [
    (lambda n: "$" + " x" * n, lambda scan, t: list(scan.lazy_matches(t, [("$$", "$$"), ("$", "$")]))),
    (lambda n: "\\[ a" * n, lambda scan, t: list(scan.lazy_matches(t, [("\\[", "\\]"), ("$", "$")]))),
    (lambda n: "$ a" * n, lambda scan, t: list(scan.lazy_matches(t, [("$", "$"), ("\\(", "\\)")], dotall=False))),
    (lambda n: "![x" * n, lambda scan, t: scan.image_spans(t)),
    (lambda n: "|" + " " * n, lambda scan, t: scan.pipe_rows(t)),
    (lambda n: "```a\n" * n, lambda scan, t: scan.code_blocks(t)),
    (lambda n: "\\title {" * n, lambda scan, t: scan.braced_command(t, "\\title", False, True)),
    (lambda n: "\\[ x" * n, lambda scan, t: scan.display_bracket(t)),
])
def test_the_linear_scans_stay_linear_where_the_regex_goes_quadratic(build, call):
    """Inputs on which OmniDocBench's lazy patterns re-scan to the end of the text from every opener (quadratic);
    the scans here look at each character a bounded number of times."""
    from exporters.eval.omnidocbench import scan
    text = _Counting(build(20_000))
    _Counting.looked = 0
    call(scan, text)
    assert _Counting.looked <= 4 * len(text) + 100


def _random_text(rng: random.Random) -> str:
    atoms = ["$", "$$", "\\[", "\\]", "\\(", "\\)", "a", " ", "\n", "![", "](", ")", "|", "|\n", "```", "py\n",
             "\\title", "{", "}", " ", "*", "\\section"]
    return "".join(rng.choice(atoms) for _ in range(rng.randint(0, 30)))


@pytest.mark.parametrize("seed", range(4))
def test_the_scans_find_what_the_regexes_find(seed):
    from exporters.eval.omnidocbench import scan
    rng = random.Random(seed)
    display = re.compile(r'\$\$(.*?)\$\$|\\\[(.*?)\\\]|\$(.*?)\$|\\\((.*?)\\\)', re.DOTALL)
    inline = re.compile(r'\$(.*?)\$|\\\((.*?)\\\)')
    for _ in range(500):
        text = _random_text(rng)
        found = [(m.start, m.end) for m in scan.lazy_matches(text, [("$$", "$$"), ("\\[", "\\]"), ("$", "$"),
                                                                     ("\\(", "\\)")])]
        assert found == [m.span() for m in display.finditer(text)], text
        found = [(m.start, m.end) for m in scan.lazy_matches(text, [("$", "$"), ("\\(", "\\)")], dotall=False)]
        assert found == [m.span() for m in inline.finditer(text)], text
        assert scan.image_spans(text) == [m.span() for m in re.finditer(r'!\[.*?\]\(.*?\)', text)], text
        assert scan.pipe_rows(text) == [m.span() for m in re.finditer(r'\|\s*.*?\s*\|\n', text, re.DOTALL)], text
        assert [c[:2] for c in scan.code_blocks(text)] == [m.span() for m in
                                                           re.finditer(r'```(\w+)\n(.*?)```', text, re.DOTALL)], text
        assert scan.braced_command(text, "\\title", False, True) == re.sub(r'\\title\s*\{\s*(.*?)\s*\}', r'\1', text,
                                                                             flags=re.DOTALL), text
        assert scan.braced_command(text, "\\section", True, False) == re.sub(r'\\section\*?\{\s*(.*?)\s*\}', r'\1',
                                                                               text, flags=re.DOTALL), text
        bracket = re.search(r"\\\[(.+?)(?<!\\)\\\]", text)
        assert scan.display_bracket(text) == (bracket.group(1) if bracket else None), text


def test_the_assignment_breaks_ties_as_scipy():
    from exporters.eval.omnidocbench.lsa import linear_sum_assignment
    cases = json.loads((HERE / "lsa_cases.json").read_text())
    assert all(linear_sum_assignment(matrix) == (rows, cols) for matrix, rows, cols in cases)


def test_the_table_tree_is_beautifulsoups():
    """OmniDocBench's BeautifulSoup 4.11 pass over random, mostly broken, markup (newer BeautifulSoup differs on
    `&#0;` and on `<br/>` after `<br>`: OmniDocBench pins 4.11)."""
    from exporters.eval.omnidocbench.html import _soup_cleaned, td_strings
    cases = json.loads((HERE / "soup_cases.json").read_text())
    assert [(_soup_cleaned(markup), td_strings(markup)) for markup, _, _ in cases] == [(s, c) for _, s, c in cases]


def _reference_distance(a, b, rename) -> float:
    """Zhang and Shasha's algorithm as in the textbook, for checking."""
    def keyroots(left):
        return sorted({max(i for i, x in enumerate(left) if x == leaf) for leaf in set(left)})
    td = [[0.0] * len(b.labels) for _ in a.labels]
    for k1 in keyroots(a.leftmost):
        for k2 in keyroots(b.leftmost):
            l1, l2 = a.leftmost[k1], b.leftmost[k2]
            fd = {(l1 - 1, l2 - 1): 0.0}
            for i in range(l1, k1 + 1):
                fd[(i, l2 - 1)] = fd[(i - 1, l2 - 1)] + 1
            for j in range(l2, k2 + 1):
                fd[(l1 - 1, j)] = fd[(l1 - 1, j - 1)] + 1
            for i in range(l1, k1 + 1):
                for j in range(l2, k2 + 1):
                    if a.leftmost[i] == l1 and b.leftmost[j] == l2:
                        fd[(i, j)] = min(fd[(i - 1, j)] + 1, fd[(i, j - 1)] + 1,
                                         fd[(i - 1, j - 1)] + rename(a.labels[i], b.labels[j]))
                        td[i][j] = fd[(i, j)]
                    else:
                        fd[(i, j)] = min(fd[(i - 1, j)] + 1, fd[(i, j - 1)] + 1,
                                         fd[(a.leftmost[i] - 1, b.leftmost[j] - 1)] + td[i][j])
    return td[-1][-1]


def _random_tree(rng: random.Random):
    from exporters.eval.omnidocbench.html import Tree
    labels, leftmost = [], []

    def grow(depth: int) -> int:
        first = len(labels)
        kids = 0 if depth > 2 else rng.choice([0, 1, 2, 3, 4])
        for _ in range(kids):
            grow(depth + 1)
        tag = "td" if not kids and rng.random() < 0.7 else rng.choice(["tr", "table", "b"])
        labels.append((tag, 1, rng.choice([1, 2]), tuple(rng.choice("ab") for _ in range(rng.randint(0, 3))))
                      if tag == "td" else (tag, None, None, None))
        leftmost.append(first if kids else len(labels) - 1)
        return first
    grow(0)
    return Tree(labels, leftmost, len(labels) - 1)


def test_the_tree_edit_distance_is_exact():
    from rapidfuzz.distance import Levenshtein

    from exporters.eval.omnidocbench.teds import distance

    def rename(x, y):
        if x[:3] != y[:3]:
            return 1.0
        if x[0] == "td" and (x[3] or y[3]):
            return Levenshtein.distance(list(x[3]), list(y[3])) / max(len(x[3]), len(y[3]))
        return 0.0
    rng = random.Random(3)
    for _ in range(300):
        a, b = _random_tree(rng), _random_tree(rng)
        assert abs(distance(a, b) - _reference_distance(a, b, rename)) < 1e-9


@pytest.mark.parametrize("name", MODULES)
def test_module_examples_run(name, monkeypatch):
    from .conftest import ROOT
    monkeypatch.chdir(ROOT)
    module = importlib.import_module(f"exporters.eval.omnidocbench.{name}")
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_package_examples_run(monkeypatch):
    from .conftest import ROOT
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(importlib.import_module("exporters.eval.omnidocbench"), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
