"""Properties every sample must have: nothing dropped, canonical round trip, bad input -> NormalizeError only."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporters import to_json
from normalizer import NormalizeError, normalize, normalize_all
from normalizer.tables import grid_problems

from normalizer.providers import llamacloud_v2, llamaparse_v1

from .conftest import sample_files, strings

# Item-type discriminators become `Block.kind`; every other string, and any type word not listed, must survive.
# Baidu's table cells all say `type: "cell"`: the canonical Cell is that statement.
DISCRIMINATORS = set(llamacloud_v2.ITEM_TYPES) | set(llamaparse_v1.ITEM_TYPES) | {"cell"}


def content_strings(value, key=None):
    if isinstance(value, str):
        if value[:1] in "{[" and (inner := _json_or_none(value)) is not None:
            yield from content_strings(inner, key)  # JSON delivered as a string (SoMark's outputs.json)
        elif not (key == "type" and value in DISCRIMINATORS):
            yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from content_strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from content_strings(v, key)


def _json_or_none(text):
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, (dict, list)) else None

JSON_SAMPLES = [p for p in sample_files() if p.suffix == ".json"]


@pytest.mark.parametrize("path", JSON_SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_input_string_is_conserved(path):
    raw = json.loads(path.read_bytes())
    docs = normalize_all(path.read_bytes())
    haystack = "\x00".join(s for d in docs for s in strings(json.loads(to_json(d))))
    missing = sorted({s for s in content_strings(raw) if s not in haystack})
    assert missing == [], f"input strings not found in the canonical output: {missing[:10]}"


@pytest.mark.parametrize("path", JSON_SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_canonical_round_trip_is_identity(path):
    for doc in normalize_all(path.read_bytes()):
        assert normalize(to_json(doc)) == doc
        assert normalize(json.loads(to_json(doc))) == doc  # parsed JSON too


@pytest.mark.parametrize("path", JSON_SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_output_invariants(path):
    for doc in normalize_all(path.read_bytes()):
        ids = [b.id for b in doc.blocks]
        assert len(ids) == len(set(ids))
        known = set(ids)
        numbers = {p.number for p in doc.pages}
        for b in doc.blocks:
            assert b.page in numbers and b.page >= 1
            assert b.parent is None or b.parent in known
            assert all(c in known for c in b.captions)
            if b.bbox is not None:
                assert b.bbox[0] <= b.bbox[2] and b.bbox[1] <= b.bbox[3]
            if b.kind == "table":
                assert b.table is not None and grid_problems(b.table) == []
            if b.kind == "heading":
                assert 1 <= b.level <= 6


# --- mutation: nothing but NormalizeError, in both modes -------------------------------------------

def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


_REPLACEMENTS = [None, 0, -1, 2**70, 1.5, float("nan"), "", "x", "0", True, [], {}, [None], {"a": None}, [[1]]]


def _mutate(raw, path, op, replacement):
    raw = copy.deepcopy(raw)
    if not path:
        return replacement
    parent = raw
    for key in path[:-1]:
        parent = parent[key]
    if op == "delete":
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return raw


def _check(data):
    for strict in (False, True):
        try:
            for doc in normalize_all(data, strict=strict):
                to_json(doc)
        except NormalizeError as exc:
            assert exc.path.startswith("$"), exc.path


@pytest.mark.parametrize("path", JSON_SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_samples_raise_only_normalize_error(path, data):
    raw = json.loads(path.read_bytes())
    paths = list(_paths(raw))
    target = data.draw(st.sampled_from(paths))
    op = data.draw(st.sampled_from(["delete", "replace"])) if target else "replace"
    replacement = data.draw(st.sampled_from(_REPLACEMENTS))
    mutated = _mutate(raw, target, op, replacement)
    _check(json.dumps(mutated).encode())
    _check(mutated)


@pytest.mark.parametrize("path", JSON_SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
@settings(max_examples=25, deadline=None)
@given(cut=st.floats(0.0, 0.999))
def test_truncated_samples_raise_normalize_error(path, cut):
    data = path.read_bytes().rstrip()
    truncated = data[: int(len(data) * cut)]  # always loses at least the closing bracket
    with pytest.raises(NormalizeError):
        for strict in (False, True):
            normalize_all(truncated, strict=strict)
