"""Every pattern docnorm runs over provider text is linear: a megabyte of the text most likely to make it
backtrack costs well under a second (a quadratic pattern takes minutes on these)."""

from __future__ import annotations

import time

import pytest

from exporters import to_markdown
from exporters.markdown import escape, safe_url
from normalizer import normalize
from normalizer.errors import Repairs
from normalizer.providers import somark
from normalizer.schema import Block, Document, Page
from normalizer.tables import cell_text, from_html, strip_tags

MB = 1_000_000


def _formula(text: str) -> str:
    return to_markdown(Document(provider="t", format="docnorm", pages=[Page(number=1)],
                                blocks=[Block(id="b", page=1, kind="formula", text=text)]))


CASES = {
    "strip_tags unterminated comments": (strip_tags, "<!--" * (MB // 4)),
    "strip_tags unterminated scripts": (strip_tags, "<script " * (MB // 8)),
    "strip_tags lone angles": (strip_tags, "<" * MB),
    "cell_text tags and spaces": (cell_text, ("<b " + " " * 20) * (MB // 23)),
    "from_html unterminated td": (lambda t: from_html(t, Repairs(), "$"), "<table>" + "<td " * (MB // 4)),
    "from_html unterminated tr": (lambda t: from_html(t, Repairs(), "$"), "<table>" + "<tr" * (MB // 3)),
    "from_html nested tables": (lambda t: from_html(t, Repairs(), "$"), "<table>" * (MB // 7)),
    "from_html spans": (lambda t: from_html(t, Repairs(), "$"), "<table><tr><td " + "colspan = " * (MB // 10)),
    "somark image markdown": (lambda t: somark._MD_IMAGE.sub("", t), "![" * (MB // 2)),
    "somark image markdown urls": (lambda t: somark._MD_IMAGE.sub("", t), "![a](b c" * (MB // 8)),
    "markdown escape": (escape, ("\n  " + "#" * 5 + " " * 20) * (MB // 28)),
    "markdown entities": (escape, "&" + "a" * 30 + "&" * 10 * (MB // 41)),
    "markdown url": (safe_url, "https://x/" + "a " * (MB // 2)),
    "markdown formula": (_formula, ("](&" + "x" * 10 + "\n  -") * (MB // 17)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_megabyte_of_adversarial_text_is_linear(name):
    fn, text = CASES[name]
    start = time.perf_counter()
    fn(text)
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("raw", [b"a" * 40_000, b'{"result_text": "' + b"a" * 100_000 + b'"}'], ids=["text", "json"])
def test_one_line_inputs_from_the_audit_are_quick(raw):
    start = time.perf_counter()
    try:
        normalize(raw)
    except Exception as exc:  # plain text without separators is refused: what matters is how fast
        assert type(exc).__name__ == "NormalizeError"
    assert time.perf_counter() - start < 1.0
