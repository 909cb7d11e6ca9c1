"""The audit beside other scores: `docnorm diff` and `docnorm eval` show how much of each result's text is under
its own boxes in the source PDF, when the source is found beside the result (docs/audit.md)."""

from __future__ import annotations

import os

from msgspec import Struct

from normalizer.schema import Document

from ..pages.images import PageImages, SourceError, default_pool
from ..pages.sources import find_source

MEANING = "the share of the result's text found under its own boxes in the source PDF (docnorm audit)"


class Grounding(Struct, kw_only=True):
    """One result's audit in brief: its source, score, frame and the score after the frame's repair."""
    source: str
    score: float | None
    frame: str
    score_after: float | None = None


def grounding(doc: Document, source: str, pool: PageImages | None = None) -> Grounding:
    """`doc` audited against `source`, in brief.

    Example:
        >>> from normalizer import load
        >>> g = grounding(load("samples/docling/2305.03393v1-pg9.json")[0], "samples/docling/2305.03393v1-pg9.pdf")
        >>> g.score, g.frame
        (1.0, 'ok')
    """
    from . import audit
    report = audit(doc, source, pool or default_pool())
    return Grounding(source=source, score=report.score, frame=report.frame, score_after=report.score_after)


def grounding_beside(doc: Document, path: str, pool: PageImages | None = None) -> Grounding | None:
    """`grounding` against the PDF found beside the result file `path` (as the viewer finds it: the file name the
    result records, else the result's own stem); None when there is none, it is an image, or it cannot be read.

    Example:
        >>> from normalizer import load
        >>> path = "samples/same_report/harbor_q3_llamacloud_v2.json"
        >>> grounding_beside(load(path)[0], path).frame
        'ok'
        >>> grounding_beside(load("samples/somark/oxr_paper_sync.json")[0], "samples/somark/oxr_paper_sync.json") is None
        True
    """
    real = os.path.realpath(path)
    found = find_source(os.path.dirname(real), (), os.path.basename(real), doc)
    if found is None or not found.path.lower().endswith(".pdf"):
        return None
    try:
        return grounding(doc, found.path, pool)
    except SourceError:
        return None


def shown(g: Grounding | None) -> str:
    """A result's grounding as the command line and reports show it.

    Example:
        >>> shown(Grounding(source="a.pdf", score=0.41, frame="y-flipped", score_after=0.98))
        '0.410 (frame y-flipped: 0.980 after the repair)'
        >>> shown(None)
        'no source PDF found'
    """
    if g is None:
        return "no source PDF found"
    if g.score is None:
        return "nothing scored (no text layer or no boxed text)"
    if g.frame in ("ok", "unknown"):
        return f"{g.score:.3f} (frame {g.frame})"
    after = f"{g.score_after:.3f}" if g.score_after is not None else "–"
    return f"{g.score:.3f} (frame {g.frame}: {after} after the repair)"
