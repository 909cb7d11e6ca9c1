"""Every pattern docnorm runs over provider text is linear: on the text most likely to make it backtrack, the
cost grows with the length of the text, not with its square.

Measured without any wall-clock bound (the machine may be loaded): each function runs on 1/32 and on 1/4 of a
megabyte of the same text, interleaved, and the ratio of their CPU times (the best of three rounds, the collector
paused) must stay near 8, the ratio of the sizes (below 24), where a quadratic pattern gives 64. Load slows both
sides alike. How long a whole megabyte takes is benchmarks/bounds_bench.py's to print."""

from __future__ import annotations

import gc
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


CASES = {  # name: (function, the text of about n characters)
    "strip_tags unterminated comments": (strip_tags, lambda n: "<!--" * (n // 4)),
    "strip_tags unterminated scripts": (strip_tags, lambda n: "<script " * (n // 8)),
    "strip_tags lone angles": (strip_tags, lambda n: "<" * n),
    "cell_text tags and spaces": (cell_text, lambda n: ("<b " + " " * 20) * (n // 23)),
    "from_html unterminated td": (lambda t: from_html(t, Repairs(), "$"), lambda n: "<table>" + "<td " * (n // 4)),
    "from_html unterminated tr": (lambda t: from_html(t, Repairs(), "$"), lambda n: "<table>" + "<tr" * (n // 3)),
    "from_html nested tables": (lambda t: from_html(t, Repairs(), "$"), lambda n: "<table>" * (n // 7)),
    "from_html spans": (lambda t: from_html(t, Repairs(), "$"), lambda n: "<table><tr><td " + "colspan = " * (n // 10)),
    "somark image markdown": (lambda t: somark._MD_IMAGE.sub("", t), lambda n: "![" * (n // 2)),
    "somark image markdown urls": (lambda t: somark._MD_IMAGE.sub("", t), lambda n: "![a](b c" * (n // 8)),
    "markdown escape": (escape, lambda n: ("\n  " + "#" * 5 + " " * 20) * (n // 28)),
    "markdown entities": (escape, lambda n: "&" + "a" * 30 + "&" * 10 * (n // 41)),
    "markdown url": (safe_url, lambda n: "https://x/" + "a " * (n // 2)),
    "markdown formula": (_formula, lambda n: ("](&" + "x" * 10 + "\n  -") * (n // 17)),
}


SMALL, LARGE = MB // 32, MB // 4  # 8 times the text
LINEAR, QUADRATIC, BOUND = 8, 64, 24


def _cpu_per_call(fn, arg, at_least: float = 0.01) -> float:
    """CPU seconds one call takes, over enough calls to fill `at_least` seconds, the collector paused."""
    calls = 0
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        while True:
            fn(arg)
            calls += 1
            spent = time.process_time() - start
            if spent >= at_least:
                return spent / calls
    finally:
        gc.enable()


def growth(fn, make, small: int = SMALL, large: int = LARGE, rounds: int = 3) -> float:
    """How much more CPU time `fn` takes on the large text than on the small one (best of `rounds`, interleaved)."""
    a, b = make(small), make(large)
    best_a = best_b = float("inf")
    for _ in range(rounds):
        best_a = min(best_a, _cpu_per_call(fn, a))
        best_b = min(best_b, _cpu_per_call(fn, b))
    return best_b / best_a


@pytest.mark.parametrize("name", sorted(CASES))
def test_adversarial_text_costs_time_in_proportion_to_its_length(name):
    fn, make = CASES[name]
    ratio = growth(fn, make)
    assert ratio < BOUND, f"{name}: 8x the text took {ratio:.1f}x the time ({LINEAR} linear, {QUADRATIC} quadratic)"


def _normalize(raw: bytes) -> None:
    try:
        normalize(raw)
    except Exception as exc:  # plain text without separators is refused: what matters is how the cost grows
        assert type(exc).__name__ == "NormalizeError"


AUDIT = {"text": lambda n: b"a" * n, "json": lambda n: b'{"result_text": "' + b"a" * n + b'"}'}


@pytest.mark.parametrize("name", sorted(AUDIT))
def test_one_line_inputs_from_the_audit_cost_time_in_proportion_to_their_length(name):
    """A single line of 12,500 and 100,000 characters (the audit found lines like these slow once)."""
    ratio = growth(_normalize, AUDIT[name], 12_500, 100_000)
    assert ratio < BOUND, f"8x the line took {ratio:.1f}x the time ({LINEAR} if linear, {QUADRATIC} if quadratic)"
