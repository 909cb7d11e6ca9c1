"""What the document view and the index serve for issue 32, without a browser: search snippets cut at word
boundaries, the index's pager above and below the table, reading-order chips placed off the text, LLMWhisperer's
line text written (escaped) in its bands and every doubtful word marked."""

from __future__ import annotations

import re

import pytest

from exporters import to_json
from normalizer.schema import Block, Document, Line, Page
from viewer import create_app
from viewer.drawing import band_texts, order_chip
from viewer.layout import kinds_css, pager, search, snippet

from .conftest import SAMPLES


@pytest.fixture(scope="module")
def client():
    return create_app(str(SAMPLES)).test_client()


def test_a_snippet_is_cut_at_spaces_with_an_ellipsis_where_cut():
    text = ("Revenue rose in every segment while the board kept the dividend unchanged for the third year running, "
            "as the outlook for next year remains cautious")
    at = text.index("dividend")
    cut = snippet(text, at, at + len("dividend"))
    assert cut.startswith("… ") and cut.endswith(" …") and "dividend" in cut
    assert set(cut[2:-2].split()) <= set(text.split())  # whole words only
    assert snippet("short text", 0, 5) == "short text"
    cjk = "报告显示" * 40  # no spaces: cut where the window ends
    assert snippet(cjk, 80, 82).replace("… ", "").replace(" …", "") in cjk
    doc = Document(provider="t", format="docnorm", pages=[Page(number=1)],
                   blocks=[Block(id="a", page=1, kind="paragraph", text=text)])
    assert search(doc, "DIVIDEND")["hits"][0]["snippet"] == cut


def test_the_pager_names_the_first_the_last_and_the_pages_around():
    assert pager(1, 1) == [1] and pager(2, 3) == [1, 2, 3]
    assert pager(10, 40) == [1, None, 8, 9, 10, 11, 12, None, 40]


def test_the_index_has_its_pager_above_and_below_with_labelled_links(tmp_path, monkeypatch):
    import viewer.layout
    monkeypatch.setattr(viewer.layout, "INDEX_PAGE", 4)
    for n in range(10):
        (tmp_path / f"r{n:02d}.json").write_bytes((SAMPLES / "somark" / "bare_outputs.json").read_bytes())
    app = create_app(str(tmp_path), index_budget=600)
    html = app.test_client().get("/?page=2").get_data(as_text=True)
    navs = re.findall(r'<nav class="index-pages".*?</nav>', html, re.S)
    assert len(navs) == 2 and html.index(navs[0]) < html.index("<table") < html.rindex(navs[1])
    assert "← previous page (1)" in navs[0] and "next page (3) →" in navs[0] and "later" not in html
    assert '<span class="page-number" aria-current="page">2</span>' in navs[0]


def test_reading_order_chips_lie_beside_their_boxes_not_over_them(client):
    html = client.get("/view?f=llamacloud/annual_report_v2.json").get_data(as_text=True)
    page1 = html[html.index('id="page-1"'):html.index('id="page-2"')]
    num = r'"([\d.]+)"'
    boxes, seen = [], set()
    for block, *xywh in re.findall(rf'<rect class="box [^"]*" data-block="([^"]+)" x={num} y={num} width={num} height={num}',
                                   page1):
        if block not in seen:
            seen.add(block)
            boxes.append([float(v) for v in xywh])
    chips = [[float(v) for v in m] for m in re.findall(
        rf'<g class="order-chip k-[\w-]+"><rect x={num} y={num} width={num} height={num}', page1)]
    assert len(chips) == len(boxes) > 10
    for (cx, cy, cw, ch), (x, y, w, h) in zip(chips, boxes):
        assert min(cx + cw, x + w) <= max(cx, x) or min(cy + ch, y + h) <= max(cy, y), ((cx, cy), (x, y))


def test_a_chip_goes_inside_the_corner_only_when_nothing_beside_fits():
    page = (612.0, 792.0)
    assert order_chip(1, "paragraph", (72.0, 100.0, 400.0, 20.0), page).x < 72.0  # the margin on the left
    assert order_chip(1, "paragraph", (0.0, 100.0, 400.0, 20.0), page).x >= 400.0  # on the right
    assert order_chip(1, "paragraph", (0.0, 100.0, 612.0, 20.0), page).y < 100.0  # above
    full = order_chip(1, "paragraph", (0.0, 0.0, 612.0, 792.0), page)
    assert (full.x, full.y) == (0.0, 0.0)  # a box that fills the page: its corner


def test_band_lines_carry_their_text_in_columns_and_escaped(tmp_path):
    lines = [Line(text="   Period        Rent", top=100.0, bottom=140.0),
             Line(text="<img src=x onerror=alert(1)>", top=150.0, bottom=190.0), Line(text="   ", top=200, bottom=240)]
    blocks = [Block(id="b0", page=1, kind="paragraph", text="x", lines=lines)]
    drawn = band_texts(blocks, 600.0)
    assert [t.text for t in drawn] == ["Period        Rent", "<img src=x onerror=alert(1)>"]  # blank lines skipped
    assert drawn[0].x == pytest.approx(3 * drawn[0].length / len("Period        Rent"))  # indent in columns
    (tmp_path / "bands.json").write_bytes(to_json(Document(provider="t", format="docnorm",
                                                           pages=[Page(number=1, height=300.0)], blocks=blocks)))
    html = create_app(str(tmp_path)).test_client().get("/view?f=bands.json").get_data(as_text=True)
    assert '<text class="band-text k-paragraph"' in html and "&lt;img src=x onerror=alert(1)&gt;</text>" in html
    assert "<img src=x" not in html


def test_every_doubtful_whisperer_word_is_marked_whatever_order_the_provider_lists_them(client):
    html = client.get("/view?f=whisperer/lease_retrieve.json&page=3").get_data(as_text=True)
    marked = re.findall(r'<mark class="low-confidence" data-confidence="([\d.]+)"[^>]*>([^<]+)</mark>', html)
    assert ("0.86", "Okafor") in marked and ("0.71", "Lindqvist") in marked  # Okafor was listed after its right neighbour
    assert len(marked) == 5  # every word the provider doubts, on every page


def test_the_kind_styles_hide_chips_and_band_text_with_their_kind():
    css = kinds_css()
    assert "body.hide-paragraph .order-chip.k-paragraph, body.hide-paragraph .band-text.k-paragraph" in css


def test_a_lines_words_are_in_the_order_they_stand_in_it():
    import json
    from normalizer import normalize
    raw = {"result_text": "By: M. Okafor and M. Okafor      By: J. Lindqvist\n",
           "confidence_metadata": [[{"text": "Lindqvist", "confidence": 0.71}, {"text": "Okafor", "confidence": 0.86},
                                    {"text": "Okafor", "confidence": 0.5}, {"text": "Nobody", "confidence": 0.1}]]}
    words = normalize(json.dumps(raw).encode()).blocks[0].lines[0].words
    assert [(w.text, w.confidence) for w in words] == [("Okafor", 0.86), ("Okafor", 0.5), ("Lindqvist", 0.71),
                                                       ("Nobody", 0.1)]  # a word not in the line goes last
