"""Markdown never turns provider text into live markup: every string the samples hold, placed in every field
the Markdown exporter writes, renders through markdown-it-py (CommonMark, raw HTML on: the most permissive
reader) as exactly its own text, and formulas render as math source with no link, image, HTML or block."""

from __future__ import annotations

import html
import json
import re

import pytest
from markdown_it import MarkdownIt

from exporters import to_markdown
from normalizer.schema import Block, Cell, Document, Image, Page, Table

from .conftest import sample_files, strings

md = MarkdownIt("commonmark", {"html": True}).enable("table")

HOSTILE = ["x^2 [click me](https://evil.example) ![t](https://evil.example/pixel.png)", "AT&amp;T &#60;b&#62;",
           "[a]: https://evil.example\n[a]", "<script>alert(1)</script>", "<https://evil.example>",
           "line one\n# heading\n> quote\n- item\n1. one\n```\ncode", "*em* _em_ `code` ~~s~~ \\*", "a\n\nb",
           "Setext\n===", "    indented", "| pipe | table |", "&copy; &nbsp; &#x41;"]
PROVIDER_STRINGS = sorted({s for p in sample_files() if p.suffix == ".json"
                           for s in strings(json.loads(p.read_bytes())) if s.strip()} | set(HOSTILE))


def _doc(block: Block) -> Document:
    return Document(provider="t", format="docnorm", pages=[Page(number=1)], blocks=[block])


LIVE = {"a", "img", "script", "style", "iframe", "svg", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol",
        "hr", "pre", "table"}
ALLOWED = {"heading": {"h2"}, "link text": {"a"}, "table cell": {"table"}}  # what the field itself renders as


def _visible(markdown: str, field: str = "paragraph") -> str:
    rendered = md.render(markdown)
    live = {tag for tag in re.findall(r"<([a-z0-9]+)\b", rendered) if tag in LIVE} - ALLOWED.get(field, set())
    assert not live, rendered
    assert rendered.count("<a ") <= (field == "link text"), rendered
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rendered.replace("<br />", "\n"))).split())


def _same(text: str) -> str:
    return " ".join(text.split())


FIELDS = {
    "paragraph": lambda t: Block(id="b", page=1, kind="paragraph", text=t),
    "heading": lambda t: Block(id="b", page=1, kind="heading", level=2, text=t),
    "caption": lambda t: Block(id="b", page=1, kind="caption", text=t),
    "footnote": lambda t: Block(id="b", page=1, kind="footnote", text=t),
    "link text": lambda t: Block(id="b", page=1, kind="link", text=t, url="https://example.com/x"),
    "figure alt": lambda t: Block(id="b", page=1, kind="figure", text=t,
                                  image=Image(url="chart.png", caption=t)),
    "table cell": lambda t: Block(id="b", page=1, kind="table", text=t, table=Table(
        n_rows=2, n_cols=1, cells=[Cell(row=0, col=0, text="head", header=True), Cell(row=1, col=0, text=t)])),
}


@pytest.mark.parametrize("field", sorted(FIELDS))
def test_every_provider_string_renders_as_itself(field):
    wrong = []
    for text in PROVIDER_STRINGS:
        out = to_markdown(_doc(FIELDS[field](text)))
        if field == "figure alt":
            rendered = md.render(out)
            alts = re.findall(r'alt="([^"]*)"', rendered)
            seen = html.unescape(alts[0]) if alts else ""
            ok = _same(seen) == _same(text) and rendered.count("<img") == 1 and "<a" not in rendered
        else:
            seen = _visible(out, field)
            ok = seen == (_same(text) if field != "table cell" else "head " + _same(text))
        if not ok:
            wrong.append((text[:60], seen[:60]))
    assert wrong == []


def test_a_link_url_cannot_break_out_or_define_a_reference():
    block = Block(id="b", page=1, kind="link", text="see", url="https://ok.example/a\n[evil]: https://evil.example \"t\")")
    out = to_markdown(Document(provider="t", format="docnorm", pages=[Page(number=1)],
                               blocks=[block, Block(id="c", page=1, kind="paragraph", text="[evil]")]))
    rendered = md.render(out)
    assert rendered.count("<a ") == 1 and "evil.example\"" not in rendered and "[evil]" in rendered


@pytest.mark.parametrize("text", PROVIDER_STRINGS[:400] + HOSTILE)
def test_formula_text_renders_as_math_source_and_nothing_live(text):
    out = to_markdown(_doc(Block(id="b", page=1, kind="formula", text=text, latex=text)))
    rendered = md.render(out)
    assert re.findall(r"<(a|img|script|style|iframe|svg|h\d|blockquote|ul|ol|hr|pre|table)\b", rendered) == []
    assert rendered.count("<p>") == 1
