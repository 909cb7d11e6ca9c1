"""Every ```python snippet of the README and of docs/ runs as written, in a fresh folder where `samples/` is at
hand (as in a clone): an example that passes `load()`'s list where one document is wanted fails here."""

from __future__ import annotations

import re

import pytest

from .conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```python\n(.*?)^```$", re.M | re.S)


def snippets() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.append((f"{page.relative_to(ROOT)}:{line}", m.group(1)))
    return found


def test_the_readme_has_python_snippets_to_run():
    assert len([s for s in snippets() if s[0].startswith("README.md")]) >= 3


@pytest.mark.parametrize("where,code", snippets(), ids=[w for w, _ in snippets()])
def test_snippet_runs_as_written(where, code, tmp_path, monkeypatch, capsys):
    (tmp_path / "samples").symlink_to(ROOT / "samples", target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    exec(compile(code, where, "exec"), {"__name__": "__readme__"})
