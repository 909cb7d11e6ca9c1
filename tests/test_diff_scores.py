"""The diff's three scores mean what they say: content (text matched whatever its order), segmentation (blocks
split or merged to match), reading order (1 - the normalized edit distance of the matched blocks' orders); tables
TEDS and TEDS-S; a figure's text repeating its caption; two documents that share almost nothing.

The documents are real provider results (samples/) or built from their paragraphs."""

from __future__ import annotations

import json
import random
import subprocess

import msgspec
import pytest

from exporters.diff import diff, to_diff_html, to_diff_json
from exporters.diff.content import CANDIDATES, match, units
from normalizer import load
from normalizer.errors import DocnormError
from normalizer.schema import Block, Cell, Document, Page, Table

from .conftest import SAMPLES, sample_files

SAME = SAMPLES / "same_report"
UNRELATED = SAMPLES / "mineru" / "overtopping_content_list.json"


def harbor(provider: str) -> Document:
    return load(SAME / f"harbor_q3_{provider}.json")[0]


def real_paragraphs(n: int) -> list[str]:
    """The first n distinct paragraphs (40 characters or more) of the samples, in file order."""
    found: list[str] = []
    for path in sample_files():
        try:
            docs = load(path)
        except DocnormError:
            continue
        for doc in docs:
            for block in doc.blocks:
                text = " ".join(block.text.split())
                if block.kind in ("paragraph", "list_item") and len(text) >= 40 and text not in found:
                    found.append(text)
    assert len(found) >= n
    return found[:n]


def document(texts: list[str], per_page: int = 5, provider: str = "a") -> Document:
    pages = max((len(texts) + per_page - 1) // per_page, 1)
    return Document(provider=provider, format="docnorm", pages=[Page(number=n + 1) for n in range(pages)],
                    blocks=[Block(id=f"p{k // per_page + 1}-b{k % per_page}", page=k // per_page + 1, kind="paragraph",
                                  text=t) for k, t in enumerate(texts)])


# --- content and reading order ----------------------------------------------------------------------------

def test_a_shuffled_copy_has_all_its_content_and_a_reading_order_far_from_the_original():
    texts = real_paragraphs(20)
    shuffled = texts[:]
    random.Random(2).shuffle(shuffled)
    s = diff(document(texts), document(shuffled)).scores
    assert s.content >= 0.99 and s.segmentation == 1.0 and s.warning is None
    assert 1.0 - s.reading_order > 0.5  # the reading order's edit distance
    assert diff(document(texts), document(texts)).scores.reading_order == 1.0


def test_a_real_document_with_its_paragraphs_shuffled_and_retyped_keeps_its_content():
    """Every paragraph of a real result moved and lightly edited (no text identical any more): matched by
    content regardless of order, so content stays near 1 and the reading order says they moved."""
    doc, = load(SAMPLES / "llamacloud" / "annual_report_v2.json")
    blocks = [msgspec.structs.replace(b, text=b.text.replace("e", "é", 1)) for b in doc.blocks]
    random.Random(4).shuffle(blocks)
    s = diff(doc, msgspec.structs.replace(doc, blocks=blocks)).scores
    assert s.content > 0.97 and s.reading_order < 0.6 and s.warning is None


def test_content_is_two_times_the_characters_in_common_over_all_characters():
    """content = 1 - (Indel edits within matches + unmatched characters) / all characters."""
    a = document(["The board approved a dividend of forty cents per share.", "Outlook unchanged for the year."])
    b = document(["The board approved a dividend of fifty cents per share."])
    common = len("The board approved a dividend of f cents per share.")  # LCS: "orty" / "ifty" share 'ty'
    m = match(units(a), units(b))
    assert len(m.groups) == 1 and m.costs[0] == 55 + 55 - 2 * (common + 2)
    total = 55 + 31 + 55
    assert diff(a, b).scores.content == pytest.approx(1 - (m.costs[0] + 31) / total)


# --- segmentation -----------------------------------------------------------------------------------------

def test_a_block_split_in_two_is_one_split_and_keeps_its_content():
    texts = real_paragraphs(20)
    cut = texts[7].index(" ", len(texts[7]) // 2)
    split = texts[:7] + [texts[7][:cut], texts[7][cut + 1:]] + texts[8:]
    s = diff(document(texts), document(split)).scores
    assert s.content == 1.0 and (s.splits, s.merges) == (1, 0) and s.segmentation == pytest.approx(1 - 1 / 21)
    assert s.reading_order == 1.0
    merged = diff(document(split), document(texts)).scores  # the other way round: two blocks merged into one
    assert merged.content == 1.0 and (merged.splits, merged.merges) == (0, 1)


def test_three_providers_of_one_report_split_and_merge_where_they_really_do():
    """SoMark cuts LlamaCloud's first paragraph in two; Baidu keeps it whole."""
    s = diff(harbor("llamacloud_v2"), harbor("somark")).scores
    assert (s.splits, s.merges) == (1, 0) and s.content > 0.99 and s.reading_order == 1.0
    s = diff(harbor("somark"), harbor("baidu")).scores
    assert (s.splits, s.merges) == (0, 1) and s.reading_order == 1.0


def test_a_page_given_as_one_block_matches_its_paragraphs():
    """One provider gives each page as one block, the other its paragraphs: the same content, in the same order,
    cut differently (4 merges a page of 5 paragraphs); and the other way round."""
    texts = real_paragraphs(20)
    fine = document(texts)
    coarse = Document(provider="b", format="docnorm", pages=fine.pages, blocks=[
        Block(id=f"p{n + 1}-b0", page=n + 1, kind="paragraph", text="\n".join(texts[5 * n:5 * n + 5]))
        for n in range(4)])
    s = diff(fine, coarse).scores
    assert s.content == 1.0 and (s.splits, s.merges) == (0, 16) and s.segmentation == pytest.approx(0.2)
    assert s.reading_order == 1.0 and s.warning is None
    s = diff(coarse, fine).scores
    assert s.content == 1.0 and (s.splits, s.merges) == (16, 0) and s.reading_order == 1.0


# --- tables and formulas ----------------------------------------------------------------------------------

def test_teds_s_ignores_cell_text_that_teds_counts():
    """LlamaCloud reads 431 where SoMark reads 481: the same grid (TEDS-S 1), one cell's text differs (TEDS < 1)."""
    r = diff(harbor("llamacloud_v2"), harbor("somark"))
    table = next(p for p in r.pairs if p.teds is not None)
    assert table.teds < 1.0 and table.teds_s == 1.0 and r.scores.teds < r.scores.teds_s == 1.0
    grid = lambda rows: Table(n_rows=len(rows), n_cols=max(len(x) for x in rows),  # noqa: E731
                              cells=[Cell(row=i, col=j, text=t) for i, row in enumerate(rows)
                                     for j, t in enumerate(row)])
    one = lambda rows: Document(provider="t", format="docnorm", pages=[Page(number=1)],  # noqa: E731
                                blocks=[Block(id="p1-b0", page=1, kind="table", text="t", table=grid(rows))])
    merged = diff(one([["North", "512"], ["South", "401"]]), one([["North", "512", "South", "401"]])).scores
    assert merged.teds_s < 1.0 and merged.teds < 1.0  # a wrong grid: both see it


def test_formulas_compare_by_their_latex_whitespace_ignored():
    def formula(latex, text):
        return Document(provider="t", format="docnorm", pages=[Page(number=1)], blocks=[
            Block(id="p1-b0", page=1, kind="formula", text=text, latex=latex)])
    r = diff(formula(r"\frac{a}{b} + c", "$$\\frac{a}{b} + c$$"), formula(r"\frac {a}{b}+c", "a/b + c"))
    assert r.scores.content == 1.0 and [p.status for p in r.pairs] == ["same"]
    r = diff(formula(r"\frac{a}{b} + c", "x"), formula(r"\frac{a}{d} + c", "x"))
    assert r.scores.content < 1.0 and r.pairs[0].status == "changed" and r.pairs[0].text_diff


# --- figures and captions ---------------------------------------------------------------------------------

def test_a_caption_repeated_in_its_figure_is_no_difference():
    """LlamaCloud gives its figure the caption's text and the caption block as well; SoMark an empty figure and the
    caption: the figures are the same, the captions are the same."""
    r = diff(harbor("llamacloud_v2"), harbor("somark"))
    figure = next(p for p in r.pairs if p.kind_a == "figure")
    caption = next(p for p in r.pairs if "p2-b3" in p.a)
    assert figure.status == "same" and figure.b == ["p2-b2"] and caption.status == "same"
    assert r.scores.counts["changed"] == 1  # the table's cell only


def test_a_figure_keeps_its_own_text_beyond_the_repeated_caption():
    def doc(figure_text):
        return Document(provider="t", format="docnorm", pages=[Page(number=1)], blocks=[
            Block(id="p1-b0", page=1, kind="figure", text=figure_text, captions=["p1-b1"]),
            Block(id="p1-b1", page=1, kind="caption", text="Figure 2: Berth occupancy by month")])
    r = diff(doc("Figure 2: Berth occupancy by month\nJan 71% Feb 74%"), doc("Jan 71% Feb 74%"))
    assert r.scores.content == 1.0 and all(p.status == "same" for p in r.pairs)
    r = diff(doc("Figure 2: Berth occupancy by month\nJan 71% Feb 74%"), doc("Jan 71% Feb 77%"))
    figure = next(p for p in r.pairs if p.kind_a == "figure")
    assert figure.status == "changed" and figure.text_similarity > 0.9  # the chart's text, caption left out


# --- documents that share almost nothing --------------------------------------------------------------------

def test_unrelated_documents_are_said_to_look_different_everywhere(tmp_path):
    a, b = harbor("llamacloud_v2"), load(UNRELATED)[0]
    result = diff(a, b)
    s = result.scores
    assert s.content < 0.2 and s.reading_order is None and s.segmentation is None
    assert "look like different documents" in s.warning
    assert json.loads(to_diff_json(result))["scores"]["warning"] == s.warning
    html = to_diff_html(result, a, b)
    assert "<strong>Warning:</strong> A and B look like different documents" in html
    assert "not scored: too little in common" in html
    out = subprocess.run(["docnorm", "diff", str(SAME / "harbor_q3_llamacloud_v2.json"), str(UNRELATED),
                          "--json", str(tmp_path / "d.json"), "--no-audit"], capture_output=True, text=True)
    assert out.returncode == 0 and "docnorm: warning: A and B look like different documents" in out.stderr
    assert "reading order      not scored" in out.stdout and "1.000" not in out.stdout  # no score at all
    assert json.loads((tmp_path / "d.json").read_text())["scores"]["reading_order"] is None


def test_two_results_of_one_document_get_no_warning():
    for x, y in (("llamacloud_v2", "somark"), ("llamacloud_v2", "baidu"), ("somark", "baidu")):
        s = diff(harbor(x), harbor(y)).scores
        assert s.warning is None and s.content > 0.9 and s.reading_order == 1.0, (x, y)


def test_the_json_carries_the_three_scores_and_what_each_measures():
    data = json.loads(to_diff_json(diff(harbor("llamacloud_v2"), harbor("somark"))))["scores"]
    assert {"content", "segmentation", "splits", "merges", "reading_order", "teds", "teds_s", "warning"} <= set(data)
    assert "text_similarity" not in data  # it mixed order and content: replaced by content and reading order
    assert set(data["meanings"]) == {"content", "segmentation", "reading_order", "teds", "teds_s"}
    assert "whatever its order" in data["meanings"]["content"]


# --- bounds -----------------------------------------------------------------------------------------------

def test_the_content_matching_compares_a_bounded_number_of_pairs_per_block(monkeypatch):
    """Every block edited and moved (nothing identical, nothing where it was): the pairs compared grow with the
    blocks, never with their square."""
    from exporters.diff import content
    compared = []
    evaluated = content._evaluated
    monkeypatch.setattr(content, "_evaluated", lambda ua, ub, pairs, where: compared.append(len(pairs)) or
                        evaluated(ua, ub, pairs, where))
    texts = real_paragraphs(40)
    for copies in (5, 20):
        many = [f"{t} ({k})" for k in range(copies) for t in texts]
        moved = [t.replace("e", "é", 1) for t in many]
        random.Random(1).shuffle(moved)
        match(units(document(many)), units(document(moved)))
        assert compared[-1] <= (2 * CANDIDATES + 2) * len(many)


# --- the viewer's compare view, in a real browser ----------------------------------------------------------

def test_the_compare_view_shows_the_three_scores_and_what_they_measure(tmp_path):
    """Playwright driving Debian's Chromium (as tests/test_browser.py): the compare view of two providers' results
    lists content, segmentation and reading order with their sentences and the tables' TEDS and TEDS-S; an
    unrelated pair says it looks like different documents. A screenshot goes to /tmp/compare_scores.png."""
    import os
    import shutil
    playwright_api = pytest.importorskip("playwright.sync_api")
    from .test_browser import ARGS, CHROMIUM, _serve
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    for name in ("harbor_q3_llamacloud_v2.json", "harbor_q3_somark.json"):
        shutil.copy(SAME / name, tmp_path / name)
    shutil.copy(UNRELATED, tmp_path / "overtopping.json")
    with _serve(tmp_path) as url, playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + "/compare?a=harbor_q3_llamacloud_v2.json&b=harbor_q3_somark.json")
        shown = {name: page.locator(f'#diff-scores [data-score="{name}"]').inner_text()
                 for name in ("content", "segmentation", "reading_order", "teds", "teds_s")}
        assert shown["content"] == "0.998" and shown["segmentation"].startswith("0.923 (1 split")
        assert shown["reading_order"] == "1.000" and shown["teds"].startswith("0.982") and shown["teds_s"] == "1.000"
        table = page.locator("#diff-scores").inner_text()
        for label in ("content", "segmentation", "reading order", "tables TEDS", "tables TEDS-S"):
            assert label in table, label
        assert "whatever its order" in page.locator('#diff-scores th.score-content').get_attribute("title")
        page.click(".score-meanings summary")  # one sentence each, folded so the head stays short
        meanings = page.locator(".score-meanings").inner_text()
        for sentence in ("whatever its order", "blocks split or merged", "edit distance of the two orders",
                         "cell text ignored"):
            assert sentence in meanings, sentence
        assert page.locator("#diff-scores").is_visible() and not page.locator("#compare-warning").is_visible()
        page.locator("header.doc-head").screenshot(path="/tmp/compare_scores.png")
        page.goto(url + "/compare?a=harbor_q3_llamacloud_v2.json&b=overtopping.json")
        assert page.locator("#compare-warning").is_visible()
        assert "look like different documents" in page.locator("#compare-warning").inner_text()
        assert page.locator('#diff-scores [data-score="reading_order"]').inner_text().startswith("not scored")
        page.locator("header.doc-head").screenshot(path="/tmp/compare_scores_unrelated.png")
        browser.close()
    assert errors == []


@pytest.mark.parametrize("module", ["exporters.diff.content", "exporters.diff.scores", "exporters.diff.texts",
                                    "exporters.diff.structure", "exporters.diff.report", "exporters.diff"])
def test_the_examples_of_the_diff_modules_run(module, monkeypatch):
    import doctest
    import importlib
    from .conftest import ROOT
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
