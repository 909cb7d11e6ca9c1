"""Every sample's canonical JSON against its reviewed golden file (exports have their own golden tests)."""

from __future__ import annotations

import pytest

from exporters import to_json
from normalizer import load

from .conftest import REGENERATE, compare_golden, pretty, sample_files


def test_regeneration_is_off():
    assert REGENERATE is False, "golden regeneration must never be committed switched on"


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_canonical_json(path):
    docs = load(path)
    payload = b"[" + b",".join(to_json(d) for d in docs) + b"]"
    compare_golden(f"{path.parent.name}/{path.stem}.json", pretty(payload))
