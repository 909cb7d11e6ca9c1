"""The examples in the public functions' docstrings run and say what they show."""

from __future__ import annotations

import doctest

import pytest

import exporters
import exporters.chunks
import exporters.diff
import exporters.html
import exporters.markdown
import exporters.tables
import exporters.text
import normalizer.api

from .conftest import ROOT

PUBLIC = [normalizer.api.detect, normalizer.api.normalize_all, normalizer.api.normalize, normalizer.api.load,
          exporters.to_json, exporters.markdown.to_markdown, exporters.html.to_html, exporters.text.to_text,
          exporters.chunks.to_chunks, exporters.chunks.to_chunks_jsonl, exporters.tables.table_to_html,
          exporters.tables.table_to_csv, exporters.diff.diff]


@pytest.mark.parametrize("fn", PUBLIC, ids=lambda f: f.__name__)
def test_public_function_has_an_example_that_runs(fn, monkeypatch):
    assert fn.__doc__ and ">>> " in fn.__doc__, f"{fn.__name__} has no example"
    monkeypatch.chdir(ROOT)
    finder = doctest.DocTestFinder()
    globs = {**vars(__import__(fn.__module__, fromlist=["_"])), "normalize": normalizer.api.normalize}
    failures = 0
    for test in finder.find(fn, fn.__name__, globs=globs):
        result = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS).run(test, out=lambda s: print(s))
        failures += result.failed
    assert failures == 0


@pytest.mark.parametrize("module", ["normalizer.errors", "exporters.content_hash", "viewer.state",
                                    "exporters.corpus.build", "normalizer.join", "normalizer.providers.paddle",
                                    "normalizer.providers.paddle_extras", "normalizer.providers.paddle_ocr",
                                    "normalizer.sniffers", "viewer.cli.joined", "exporters.eval", "viewer.routes.evaluate"])
def test_module_examples_run(module, monkeypatch):
    """The examples of the modules whose every public function carries one."""
    import importlib
    monkeypatch.chdir(ROOT)
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
