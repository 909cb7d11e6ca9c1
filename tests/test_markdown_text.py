"""Markdown and text exporters: goldens per sample, and Markdown that parses back to the same content."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from exporters import MarkdownOptions, to_markdown, to_text
from exporters.markdown import escape, gfm_table
from exporters.tables import grid
from normalizer import Document, load
from normalizer.errors import Repairs
from normalizer.schema import Block, Cell, Page, Table
from normalizer.tables import from_markdown

from .conftest import ROOT, compare_golden, sample_files

SAMPLES = sample_files()
md = MarkdownIt("commonmark").enable("table")


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden_markdown_and_text(path):
    for i, doc in enumerate(load(path)):
        suffix = f"-{i}" if i else ""
        compare_golden(f"{path.parent.name}/{path.stem}{suffix}.md", to_markdown(doc))
        compare_golden(f"{path.parent.name}/{path.stem}{suffix}.txt", to_text(doc))


def _doc(*blocks: Block) -> Document:
    return Document(provider="test", format="docnorm", pages=[Page(number=1)], blocks=list(blocks))


def _visible(markdown: str) -> str:
    """The text a reader sees once CommonMark has rendered `markdown`."""
    rendered = md.render(markdown)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered.replace("<br />", "\n"))).strip()


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="&"), min_size=1, max_size=30)
       .map(lambda s: " ".join(s.split())).filter(bool))
def test_escaped_paragraph_text_renders_as_itself(text):
    assert _visible(to_markdown(_doc(Block(id="b", page=1, kind="paragraph", text=text)))) == text


cell_text = st.text(st.sampled_from(list("ab |\\#-*_`[]<>1.\n")), max_size=8).map(
    lambda s: "\n".join(" ".join(line.split()) for line in s.split("\n")).strip())


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.data())
def test_gfm_tables_parse_back_to_the_same_grid(n_rows, n_cols, data):
    texts = [[data.draw(cell_text) for _ in range(n_cols)] for _ in range(n_rows)]
    table = Table(n_rows=n_rows, n_cols=n_cols, cells=[
        Cell(row=r, col=c, text=texts[r][c], header=r == 0) for r in range(n_rows) for c in range(n_cols)])
    back = from_markdown(gfm_table(table, "repeat"), Repairs(strict=True), "$").table
    assert grid(back) == texts


def test_spanned_tables_follow_the_span_policy():
    table = Table(n_rows=2, n_cols=2, cells=[Cell(row=0, col=0, col_span=2, text="wide", header=True),
                                             Cell(row=1, col=0, text="a"), Cell(row=1, col=1, text="b")])
    doc = _doc(Block(id="t", page=1, kind="table", table=table))
    assert to_markdown(doc).startswith('<table><thead><tr><th colspan="2">wide</th>')
    repeat = to_markdown(doc, MarkdownOptions(span_policy="repeat"))
    anchor = to_markdown(doc, MarkdownOptions(span_policy="anchor"))
    assert grid(from_markdown(repeat, Repairs(True), "$").table) == [["wide", "wide"], ["a", "b"]]
    assert grid(from_markdown(anchor, Repairs(True), "$").table) == [["wide", ""], ["a", "b"]]


def test_kinds_render_as_markdown_constructs():
    doc = _doc(
        Block(id="h", page=1, kind="heading", level=2, text="1. Intro #1"),
        Block(id="l1", page=1, kind="list_item", level=1, text="one", ordered=True),
        Block(id="l2", page=1, kind="list_item", level=2, text="- nested"),
        Block(id="c", page=1, kind="code", text="x = 1\n```", language="python"),
        Block(id="f", page=1, kind="formula", latex="E = mc^2"),
        Block(id="hd", page=1, kind="header", text="Running head"),
        Block(id="k", page=1, kind="link", text="site", url="javascript:alert(1)"),
    )
    out = to_markdown(doc, MarkdownOptions(heading_offset=1))
    assert out == ("### 1. Intro \\#1\n\n1. one\n   - \\- nested\n\n````python\nx = 1\n```\n````\n\n"
                   "$$\nE = mc^2\n$$\n\nsite\n")
    tokens = [t.type for t in md.parse(out)]
    assert tokens.count("ordered_list_open") == 1 and tokens.count("bullet_list_open") == 1
    assert "Running head" in to_markdown(doc, MarkdownOptions(furniture=True))
    assert to_markdown(doc, MarkdownOptions(page_breaks=True)).startswith("<!-- page 1 -->\n\n")
    assert "javascript" not in out


def test_continued_tables_are_joined_unless_asked_not_to():
    first = Table(n_rows=2, n_cols=2, continued="begin", cells=[
        Cell(row=0, col=0, text="h1", header=True), Cell(row=0, col=1, text="h2", header=True),
        Cell(row=1, col=0, text="a"), Cell(row=1, col=1, text="b")])
    rest = Table(n_rows=1, n_cols=2, continued="end", cells=[Cell(row=0, col=0, text="c"), Cell(row=0, col=1, text="d")])
    doc = Document(provider="t", format="docnorm", pages=[Page(number=1), Page(number=2)], blocks=[
        Block(id="t1", page=1, kind="table", table=first), Block(id="t2", page=2, kind="table", table=rest)])
    joined = to_markdown(doc)
    assert grid(from_markdown(joined, Repairs(True), "$").table) == [["h1", "h2"], ["a", "b"], ["c", "d"]]
    assert joined.count("|---|") == 1
    assert to_markdown(doc, MarkdownOptions(join_continued=False)).count("|---|") == 2
    assert to_text(doc) == "h1\th2\na\tb\nc\td\f\n"


def test_text_pages_are_form_feed_separated():
    doc = load(ROOT / "samples" / "llamacloud" / "annual_report_v2.json")[0]
    text = to_text(doc)
    assert text.count("\f") == len(doc.pages) - 1
    assert "Nordwind Holding AG · Annual Report 2025" not in text  # page furniture left out by default


def test_escape_is_idempotent_in_meaning():
    assert _visible(escape("1. not a list\n# not a heading")) == "1. not a list\n# not a heading"


def test_failed_page_leaves_a_trace():
    doc = load(next(p for p in SAMPLES if p.stem == "failed_page_v2"))[0]
    out = to_markdown(doc)
    assert "<!-- page 2 failed: Page processing timed out after 120 s -->" in out
    assert out.index("north wing") < out.index("page 2 failed") < out.index("Signed")


def test_hostile_markdown_renders_inert():
    doc = load(next(p for p in SAMPLES if p.stem == "hostile_payloads_v2"))[0]
    rendered = md.render(to_markdown(doc))  # CommonMark with raw HTML allowed, the most permissive reader
    assert re.findall(r"<(script|img|svg|iframe)\b", rendered) == []
    assert "javascript:" not in re.sub(r"<code>.*?</code>", "", rendered, flags=re.S)
    assert re.findall(r"<[a-z]+[^>]*\son\w+=", rendered) == []


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_sample_tables_parse_back_from_markdown(path):
    from exporters.joined import logical_blocks
    for doc in load(path):
        expected = [grid(t, "repeat") for b, t in logical_blocks(doc.blocks) if b.kind == "table" and t and t.n_rows]
        out = to_markdown(doc, MarkdownOptions(span_policy="repeat"))
        found = []
        for token in md.parse(out):
            if token.type == "table_open":
                start, end = token.map
                source = "\n".join(out.splitlines()[start:end])
                found.append(grid(from_markdown(source, Repairs(strict=True), "$").table))
        assert found == expected


def test_indented_layout_text_stays_a_paragraph():
    """LLMWhisperer keeps page layout: a centred title must not turn into a code block."""
    block = Block(id="b", page=1, kind="paragraph", text="          ANNUAL REPORT\n   Region    Revenue")
    out = md.render(to_markdown(_doc(block)))
    assert "<pre>" not in out and "ANNUAL REPORT" in out and "Region    Revenue" in out
