"""Seeded fuzzing of every sample: mutations aimed at each class of hostile input, through the whole product.

Each case mutates one sample (JSON: a value swapped for a hostile one, a key dropped or added, an item
repeated; text and bytes: cut, spliced or salted) and feeds it, as bytes and as parsed JSON, in both modes, to
`normalize_all`. The contract: nothing but `NormalizeError` is raised, and every accepted document round-trips
through canonical JSON and goes through every exporter, the diff and the viewer's page layout, each case within
1 s and 200 MB.

CI runs a few hundred cases; DOCNORM_FUZZ_LONG=20000 (any number) runs that many, and DOCNORM_FUZZ_SEED picks
another seed.
"""

from __future__ import annotations

import json
import os
import random
import time
import tracemalloc
from typing import Any

import pytest

from exporters import table_to_csv, table_to_html, to_chunks_jsonl, to_html, to_json, to_markdown, to_text
from exporters.diff import diff, to_diff_html, to_diff_json
from normalizer import NormalizeError, normalize, normalize_all
from viewer.layout import search, slice_views, summary

from .conftest import sample_files

CASES = int(os.environ.get("DOCNORM_FUZZ_LONG", "300"))
SEED = int(os.environ.get("DOCNORM_FUZZ_SEED", "20261129"))
SAMPLES = sample_files()
SECONDS, MEGABYTES = 1.0, 200

_deep: Any = []
for _ in range(3000):
    _deep = [_deep]

HOSTILE: list[Any] = [
    None, True, 0, -1, 2**70, -(2**63), 1e308, 1.5, "", "x", "0", "-3", "NaN", "inf", "1e999", "9" * 5000,
    "a\ud800b", "\udfff", "\x00\x01\x7f", "<script>alert(1)</script>", "<<<\n\f", "x" * 200_000,
    "<table><tr><td colspan=\"99999999\">x</td></tr></table>",
    "<table>" + ("<tr>" + "<td colspan=1000>x</td>" * 60 + "</tr>") * 2 + "<tr><td>y</td></tr>" * 60 + "</table>",
    "<table><tr><td rowspan=0>a</td><td>b</td></tr><tr></tr></table>", "| a | b |\n|---|---|\n| c |",
    "$$\\frac{1}{0}$$", "[x](javascript:alert(1))", "=HYPERLINK(\"http://evil.example\")", "title_999",
    [], {}, [None], [[1]], [1, 2, 3], [0, 0, -5, -5], [1e308, 1e308, 1e308, 1e308], {"a": None},
    {"x": None, "y": 1, "w": None, "h": 2}, [[0, 1], [2]], [[5, 5], [5, 5]], float("nan"), float("inf"), _deep,
]


def _paths(value: Any, prefix: tuple = ()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:50]):
            yield from _paths(v, prefix + (i,))


def _mutate_json(raw: Any, rng: random.Random) -> Any:
    paths = list(_paths(raw))
    target = rng.choice(paths)
    op = rng.choice(["replace", "replace", "replace", "delete", "unknown", "repeat"]) if target else "replace"
    if not target:
        return rng.choice(HOSTILE)
    raw = json.loads(json.dumps(raw))  # a fresh copy
    parent = raw
    for key in target[:-1]:
        parent = parent[key]
    key = target[-1]
    if op == "delete":
        del parent[key]
    elif op == "unknown" and isinstance(parent[key], dict):
        parent[key]["zz_unknown"] = rng.choice(HOSTILE)
    elif op == "repeat" and isinstance(parent, list):
        parent.insert(key, parent[key])
    else:
        parent[key] = rng.choice(HOSTILE)
    return raw


def _mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    op = rng.choice(["cut", "splice", "salt"])
    at = rng.randrange(max(len(data), 1))
    if op == "cut":
        return data[:at]
    if op == "splice":
        return data[:at] + rng.choice([b"\xff\xfe", b"\\ud800", b"[" * 2000, b"\f<<<\n", b"\x00", b"{"]) + data[at:]
    return bytes(b ^ 0x20 if rng.random() < 0.001 else b for b in data)


def _inputs(rng: random.Random) -> tuple[str, list[Any]]:
    path = rng.choice(SAMPLES)
    data = path.read_bytes()
    name = f"{path.parent.name}/{path.name}"
    if path.suffix == ".json" and rng.random() < 0.8:
        mutated = _mutate_json(json.loads(data), rng)
        try:
            as_bytes = json.dumps(mutated, ensure_ascii=False, allow_nan=False).encode("utf-8", "surrogatepass")
        except (ValueError, RecursionError):
            as_bytes = b'{"unserialisable": true}'
        return name, [as_bytes, mutated]
    return name, [_mutate_bytes(data, rng)]


def _through_everything(doc) -> None:
    assert normalize(to_json(doc)) == doc
    to_markdown(doc), to_html(doc), to_text(doc), to_chunks_jsonl(doc)
    for block in doc.blocks:
        if block.table is not None:
            table_to_csv(block.table), table_to_html(block.table)
    result = diff(doc, doc)
    to_diff_json(result), to_diff_html(result, doc, doc)
    slice_views(doc, 0), summary(doc), search(doc, "a")


def _run(raw: Any, strict: bool) -> None:
    try:
        docs = normalize_all(raw, strict=strict)
    except NormalizeError as exc:
        assert exc.path.startswith("$") and exc.message
        return
    for doc in docs:
        _through_everything(doc)


@pytest.mark.parametrize("case", range(CASES))
def test_fuzz_case(case):
    rng = random.Random(SEED * 1_000_003 + case)
    name, inputs = _inputs(rng)
    for raw in inputs:
        for strict in (False, True):
            tracemalloc.start()
            start = time.perf_counter()
            try:
                _run(raw, strict)
            finally:
                elapsed = time.perf_counter() - start
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            assert elapsed < SECONDS * 3, (name, elapsed)  # tracemalloc makes Python about 2-3x slower
            assert peak < MEGABYTES * 2**20, (name, peak)
