"""The house plan holds: the layers import downwards only, and the old import paths keep working (with a
deprecation warning) for one release."""

from __future__ import annotations

import ast
import importlib
import sys
import warnings

import pytest

from .conftest import ROOT

# Each layer may import those below it, never those above: the viewer uses the exporters, the exporters the
# normalizer, the normalizer nothing of ours.
ABOVE = {"normalizer": ("exporters", "viewer"), "exporters": ("viewer",)}


def _imports(path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append(node.module)
    return found


@pytest.mark.parametrize("layer", sorted(ABOVE))
def test_no_import_runs_back_up(layer):
    wrong = [f"{path.relative_to(ROOT)}: {name}" for path in sorted((ROOT / layer).rglob("*.py"))
             for name in _imports(path) if name.split(".")[0] in ABOVE[layer]]
    assert wrong == []


@pytest.mark.parametrize("old,new,name", [("viewer.batch", "exporters.corpus.runner", "run"),
                                          ("exporters.dataset", "exporters.corpus.dataset", "PartWriter"),
                                          ("exporters.dataset_ray", "exporters.corpus.dataset_ray", "run_on_ray"),
                                          ("exporters.page_images", "exporters.pages.images", "SOURCE_SUFFIXES"),
                                          ("exporters.render", "exporters.pages.render", "render_page"),
                                          ("exporters.page_frame", "exporters.pages.frame", "page_blocks"),
                                          ("exporters.page_worker", "exporters.pages.worker", "MAX_PIXELS")])
def test_an_old_import_path_still_works_and_warns(old, new, name):
    sys.modules.pop(old, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(old)
    assert getattr(module, name) is getattr(importlib.import_module(new), name)
    assert any(issubclass(w.category, DeprecationWarning) and new in str(w.message) for w in caught)
