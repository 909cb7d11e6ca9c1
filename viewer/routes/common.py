"""What the viewer's areas share: reading a request's numbers and document, the source under a result's pages, JSON that no provider string can turn into markup."""

from __future__ import annotations

from typing import Any, Callable, NamedTuple
import posixpath
import re

import msgspec
from flask import Response, request, url_for

from exporters.pages.frame import SourcePage
from exporters.pages.images import SourceError, SourceInfo
from normalizer.schema import Document, Page

from ..layout import Backdrop, Backdrops, DocIndex, doc_index
from ..review.history import started_file
from ..review.names import source_stem
from ..review.truths import PREFIX as TRUTH_PREFIX, TruthUnreadable
from exporters.pages.sources import Source, candidate_names, find_source
from ..state import state
from ..store import IMAGE_SUFFIXES, Refused


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def number(value: str | None, what: str, default: int | None = None) -> int:
    """A request's whole number: ASCII digits only (no '²', no sign), at most 9 of them; `Refused` otherwise."""
    if value in (None, "") and default is not None:
        return default
    if value is None or not (value.isascii() and value.isdigit() and len(value) <= 9):
        raise Refused(f"expected {what} (a whole number), found {str(value)[:20]!r}")
    return int(value)


def images_beside(rel: str) -> Callable[[str], str | None]:
    """A figure names its image relative to its result file: shown when the served folder has it there.
    Remote images are not fetched: the page would tell their server who is looking, and when."""
    base = posixpath.dirname(rel)

    def locate(url: str) -> str | None:
        url = url.strip()
        if not url or _SCHEME.match(url) or url.startswith(("/", "\\")):  # remote, data: or absolute
            return None
        candidate = posixpath.normpath(posixpath.join(base, url))
        try:
            state().store.resolve(candidate, IMAGE_SUFFIXES)
        except Refused:
            return None
        return url_for("pages.asset", rel=candidate)
    return locate


def source_of(rel: str, doc: Document) -> Source | None:
    if rel.startswith(TRUTH_PREFIX):  # a truth's source is the one of the result it started from
        rel = started_file(doc) or source_stem(doc.file_name, rel[len(TRUTH_PREFIX):]) + ".json"
    return find_source(state().store.root, state().sources, rel, doc)


class SourceStatus(NamedTuple):
    """What the document view says about the source: which file it shows, or why none."""
    source: Source | None
    info: SourceInfo | None
    error: str | None
    looked_for: list[str]


def source_status(rel: str, doc: Document) -> SourceStatus:
    source = source_of(rel, doc)
    if source is None:
        return SourceStatus(None, None, None, [n for n, _ in candidate_names(doc, rel)][:4])
    try:
        return SourceStatus(source, state().pages.info(source.path), None, [])
    except SourceError as exc:
        return SourceStatus(source, None, str(exc), [])


def backdrops(rel: str, index: int, status: SourceStatus) -> Backdrops:
    """Each page's source page (by number: page n is the source's n-th), when the source has one."""
    info = status.info
    if info is None:
        return lambda page: None

    def under(page: Page) -> Backdrop | None:
        if not 1 <= page.number <= len(info.sizes) or min(info.sizes[page.number - 1]) <= 0:
            return None
        return Backdrop(url_for("pages.page_image", f=rel, i=index, p=page.number),
                        SourcePage(info.sizes[page.number - 1], info.kind))
    return under


def doc_from_request():
    rel = request.args.get("f", "")
    index = number(request.args.get("i"), "a document number", default=0)
    return rel, index, document_of(rel, index)


def document_of(rel: str, index: int) -> Document:
    """A document a page names: a file of the served folder, or in review mode a truth of the truth folder named
    `truth:<stem>.truth.json` (read here, written only by review mode); `Refused` for anything else."""
    truths = state().truth
    if truths is not None and rel.startswith(TRUTH_PREFIX):
        try:
            return truths.document(rel)
        except (LookupError, TruthUnreadable) as exc:
            raise Refused(str(exc)) from None
    return state().store.document(rel, index)


def doc_index_of(doc: Document) -> DocIndex:
    return state().store.derived(doc, "index", doc_index)


def json_response(payload: Any) -> Response:
    """JSON with <, >, & escaped as \\u escapes, so that no provider string can ever be read as markup. msgspec,
    not orjson: orjson refuses integers past 64 bits, and the canonical model accepts any page number >= 1."""
    body = _JSON.encode(payload).replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")
    return Response(body, mimetype="application/json")


_JSON = msgspec.json.Encoder()
