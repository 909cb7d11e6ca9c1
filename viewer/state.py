"""Everything the viewer keeps between requests, in one object: the served folder, the compare cache, the
`--sources` folders, the page renderers and the grounding audits (`create_app` makes it; `state()` is the current app's)."""

from __future__ import annotations

import os
from typing import Any

from flask import current_app

from exporters.pages.images import PageImages

from .audits import Audits
from .review.truths import Truths
from .store import Store


class ViewerState:
    """The viewer over `root`: its `store` of result files, `diffs` (compare results, by (file, index) pair,
    kept while neither file changes), `sources` (real paths of the folders searched for source documents) and
    `pages` (the page renderers; by default two bounded worker processes, caching outside every served folder)
    and `audits` (each document's grounding audit, worked out in the background); `truth`, the truth folder of
    review mode (`--truth`), or None: the viewer is read-only.

    >>> import tempfile; s = ViewerState(tempfile.mkdtemp()); s.sources, s.diffs
    ((), {})
    """

    def __init__(self, root: str, sources: tuple[str, ...] = (), pages: PageImages | None = None,
                 index_budget: float = 0.25, truth: str | None = None):
        self.store = Store(root, index_budget=index_budget)
        self.truth = Truths(truth) if truth else None
        self.diffs: dict[tuple, Any] = {}
        self.sources = tuple(os.path.realpath(s) for s in sources)
        truths = (self.truth.folder,) if self.truth else ()
        self.pages = pages or PageImages(avoid=(self.store.root, *self.sources, *truths))
        self.audits = Audits(self.store, self.sources, self.pages)


def state() -> ViewerState:
    """The current app's ViewerState (inside a request)."""
    return current_app.extensions["docnorm"]
