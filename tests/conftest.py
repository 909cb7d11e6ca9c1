"""Shared fixtures: where the samples, goldens and (optional) shared provider captures live."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"
SHARED = ROOT.parent / "shared" / "providers"

# Flip to True locally to rewrite the golden files, then review every diff by eye before committing.
# `test_regeneration_is_off` keeps CI from ever regenerating silently.
REGENERATE = False


def sample_files(provider: str | None = None) -> list[Path]:
    base = SAMPLES / provider if provider else SAMPLES
    return sorted(p for p in base.rglob("*") if p.is_file() and p.suffix in (".json", ".txt"))


def shared_files(prefix: str) -> list[Path]:
    if not SHARED.is_dir():
        return []
    return sorted(p for p in SHARED.glob("*/*") if p.name.startswith(prefix) and p.suffix in (".json", ".txt"))


def strings(value: Any) -> Iterator[str]:
    """Every string value (not key) in a JSON value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def compare_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if REGENERATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))  # bytes: CSV's \r\n must survive
        return
    assert path.exists(), f"missing golden file {path}; set REGENERATE = True in tests/conftest.py, review, commit"
    expected = path.read_bytes().decode("utf-8")
    assert actual == expected, f"output differs from golden {path.name}"


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared/providers is not present")
    return SHARED


def pretty(data: bytes) -> str:
    return json.dumps(json.loads(data), indent=1, ensure_ascii=False, sort_keys=False) + "\n"


@pytest.fixture(autouse=True, scope="session")
def _page_cache(tmp_path_factory):
    """Page images rendered during the tests are cached in a folder of their own, never the user's cache."""
    import os
    folder = tmp_path_factory.mktemp("page-cache")
    old = os.environ.get("DOCNORM_CACHE")
    os.environ["DOCNORM_CACHE"] = str(folder)
    yield folder
    if old is None:
        os.environ.pop("DOCNORM_CACHE", None)
    else:
        os.environ["DOCNORM_CACHE"] = old
