"""Everything the viewer keeps between requests, in one object: the served folder, the compare cache, the
`--sources` folders and the page renderers (`create_app` makes it; `state()` is the current app's)."""

from __future__ import annotations

import os
from typing import Any

from flask import current_app

from exporters.pages.images import PageImages

from .store import Store


class ViewerState:
    """The viewer over `root`: its `store` of result files, `diffs` (compare results, by (file, index) pair,
    kept while neither file changes), `sources` (real paths of the folders searched for source documents) and
    `pages` (the page renderers; by default two bounded worker processes, caching outside every served folder).

    >>> import tempfile; s = ViewerState(tempfile.mkdtemp()); s.sources, s.diffs
    ((), {})
    """

    def __init__(self, root: str, sources: tuple[str, ...] = (), pages: PageImages | None = None,
                 index_budget: float = 0.25):
        self.store = Store(root, index_budget=index_budget)
        self.diffs: dict[tuple, Any] = {}
        self.sources = tuple(os.path.realpath(s) for s in sources)
        self.pages = pages or PageImages(avoid=(self.store.root, *self.sources))


def state() -> ViewerState:
    """The current app's ViewerState (inside a request)."""
    return current_app.extensions["docnorm"]
