"""Shared fixtures: where the samples, goldens and provider examples and captures live.

Every file a test reads is inside the repository: the provider examples and real captures are in
tests/data/providers/ (their origin and licence in PROVENANCE.md there), so a fresh clone runs every test.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLDEN = Path(__file__).resolve().parent / "golden"
DATA = Path(__file__).resolve().parent / "data"
SHARED = DATA / "providers"  # examples/ (synthetic, from the providers' API docs) and real/ (saved captures)

# Flip to True locally to rewrite the golden files, then review every diff by eye before committing.
# `test_regeneration_is_off` keeps CI from ever regenerating silently.
REGENERATE = False


def sample_files(provider: str | None = None) -> list[Path]:
    base = SAMPLES / provider if provider else SAMPLES
    return sorted(p for p in base.rglob("*") if p.is_file() and p.suffix in (".json", ".txt"))


def shared_files(prefix: str) -> list[Path]:
    """The provider examples and captures under tests/data/providers whose name starts with prefix."""
    files = sorted(p for p in SHARED.glob("*/*") if p.name.startswith(prefix) and p.suffix in (".json", ".txt"))
    assert files, f"no {prefix}* file under {SHARED}"  # an empty list would skip its tests silently
    return files


def leaves(value: Any) -> Iterator[Any]:
    """Every value (not key) in a JSON value that is neither an object nor an array."""
    if isinstance(value, dict):
        for v in value.values():
            yield from leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v)
    else:
        yield value


def strings(value: Any) -> Iterator[str]:
    """Every string value (not key) in a JSON value."""
    return (leaf for leaf in leaves(value) if isinstance(leaf, str))


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
    """tests/data/providers: part of the repository, so never skipped (a missing folder is a failure)."""
    assert SHARED.is_dir(), f"{SHARED} is missing from the checkout"
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
