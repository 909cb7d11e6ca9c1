"""docs/ is the design and is kept true: its formats table is the registry's, its canonical model lists exactly
the schema's fields, its links resolve, and no code cites a design outside the repository."""

from __future__ import annotations

import re

import msgspec
import pytest

import normalizer.schema as schema
from normalizer.registry import FORMATS

from .conftest import ROOT

DOCS = ROOT / "docs"


def test_the_formats_table_is_the_registry():
    rows = re.findall(r"^\| `([a-z0-9.]+)` \| `([a-z_]+)` \|", (DOCS / "formats.md").read_text(), re.M)
    assert rows == [(f.id, f.provider) for f in FORMATS]


def _sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    for name, body in re.findall(r"^## (\w+)\n(.*?)(?=^## |\Z)", text, re.M | re.S):
        sections[name] = re.findall(r"^\| `(\w+)` \|", body, re.M)
    return sections


def test_the_canonical_model_lists_every_field_of_every_type():
    sections = _sections((DOCS / "canonical-model.md").read_text())
    types = {name: getattr(schema, name) for name in schema.FIELD_DOCS}
    assert set(types) <= set(sections)
    for name, cls in types.items():
        assert sections[name] == [f.encode_name for f in msgspec.structs.fields(cls)], name


@pytest.mark.parametrize("page", sorted(p.name for p in DOCS.glob("*.md")))
def test_every_link_between_pages_resolves(page):
    text = (DOCS / page).read_text()
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
        assert (DOCS / target).exists(), f"{page} links to {target}"


def test_no_code_cites_a_design_outside_the_repository():
    cited = [f"{p.relative_to(ROOT)}:{n}" for folder in ("normalizer", "exporters", "viewer", "tests", "benchmarks")
             for p in sorted((ROOT / folder).rglob("*.py")) if p.name != "test_docs.py"
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if "DESIGN.md" in line or "../shared" in line]
    assert cited == []
