"""The viewer's routes, as one blueprint: an index of the served folder, a document view drawn in slices, downloads,
the compare view. Routes take the file as `?f=` (relative to the root) and the document within it as `?i=`;
view models come from `layout`, the served folder from the app's `docnorm.store`.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
from typing import Any, Callable, NamedTuple
from urllib.parse import quote

import msgspec
import orjson
from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from exporters.diff import cell_label, diff, page_by_page, to_diff_html
from exporters.page_frame import SourcePage
from exporters.page_images import Busy, PageImages, SourceError, SourceInfo
from normalizer.schema import Document, Page

from exporters.formats import EXPORTS, ExportSettings
from .layout import (SLICE, SORTS, Backdrop, Backdrops, DocIndex, compare_sides, doc_index, has_confidence,
                     index_page, kinds, kinds_css, search, slice_of, slice_views, summary, text_index)
from .sources import Source, candidate_names, find_source
from .store import IMAGE_SUFFIXES, IMAGE_TYPES, Refused, Store

bp = Blueprint("viewer", __name__)


KINDS_CSS = kinds_css()
CELLS_SHOWN = 40  # table differences listed under a compared table; the HTML report has them all
STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "unknown")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")  # what a header can carry as it is
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def _store() -> Store:
    return current_app.extensions["docnorm.store"]


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
            _store().resolve(candidate, IMAGE_SUFFIXES)
        except Refused:
            return None
        return url_for(".asset", rel=candidate)
    return locate


def source_of(rel: str, doc: Document) -> Source | None:
    return find_source(_store().root, current_app.extensions["docnorm.sources"], rel, doc)


def _pages() -> PageImages:
    return current_app.extensions["docnorm.pages"]


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
        return SourceStatus(source, _pages().info(source.path), None, [])
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
        return Backdrop(url_for(".page_image", f=rel, i=index, p=page.number),
                        SourcePage(info.sizes[page.number - 1], info.kind))
    return under


@bp.get("/page-image")
def page_image() -> Response:
    """A source page as PNG, `w` pixels wide (snapped); a page that cannot be rendered answers 422 with why."""
    rel, i, doc = doc_from_request()
    page = number(request.args.get("p"), "a page number")
    width = min(number(request.args.get("w"), "a width in pixels", default=1200), 10_000)
    source = source_of(rel, doc)
    if source is None:
        raise Refused("no source document found for this result")
    try:
        data = _pages().page(source.path, page - 1, width)
    except Busy as exc:  # the renderers are taken: say so now rather than hold this thread in their queue
        return Response(str(exc), status=503, mimetype="text/plain", headers={"Retry-After": "2"})
    except SourceError as exc:
        return Response(f"page {page} of {source.name}: {exc}", status=422, mimetype="text/plain")
    return Response(data, mimetype="image/png", headers={"Cache-Control": "private, max-age=600"})


@bp.get("/kinds.css")
def kind_styles() -> Response:
    return Response(KINDS_CSS, mimetype="text/css", headers={"Cache-Control": "max-age=3600"})


@bp.get("/asset/<path:rel>")
def asset(rel: str) -> Response:
    real = _store().resolve(rel, IMAGE_SUFFIXES)
    try:
        with open(real, "rb") as fh:  # read here: an unreadable or vanished file is a 404, not a 500
            data = fh.read()
    except OSError:
        raise Refused("the image cannot be read") from None
    return Response(data, mimetype=IMAGE_TYPES[os.path.splitext(real)[1].lower()])


def doc_from_request():
    rel = request.args.get("f", "")
    index = number(request.args.get("i"), "a document number", default=0)
    return rel, index, _store().document(rel, index)


@bp.get("/")
def index() -> str:
    """Every result file's documents, a page at a time: summaries come from the store's cache (by size and
    mtime), so a warm index of 10,000 files costs a stat per file; files not summarized yet are read for a quarter of a
    second, then in the background while the page shows what is known and refreshes."""
    args = request.args
    provider, status, query = args.get("provider", ""), args.get("status", ""), args.get("q", "")
    sort = args.get("sort", "file") if args.get("sort", "file") in SORTS else "file"
    descending = args.get("dir", "") == "desc"
    files = _store().files()
    known, pending = _store().summaries(files)
    rows = [row for rel in files if rel in known for row in known[rel]]
    providers = sorted({r["provider"] for r in rows if r.get("provider")})
    shown, matched, pages, page = index_page(rows, provider, status, query, sort, descending,
                                             number(args.get("page"), "a page number", default=1))
    here = {"provider": provider, "status": status, "q": query, "sort": sort, "dir": "desc" if descending else ""}

    def link(**change: Any) -> str:
        """This index with `change` applied; defaults (sort by file, ascending, page 1) left out of the URL."""
        wanted = {**here, **change}
        return url_for(".index", **{k: v for k, v in wanted.items() if v and not (k == "sort" and v == "file")})
    return render_template("index.html.j2", rows=shown, providers=providers, statuses=STATUSES, provider=provider,
                           status=status, query=query, sort=sort, descending=descending, matched=matched,
                           pages=pages, page=page,
                           total=len(rows), pending=pending, files=len(files), link=link)


def _index(doc: Document) -> DocIndex:
    return _store().derived(doc, "index", doc_index)


@bp.get("/view")
def view() -> str:
    rel, i, doc = doc_from_request()
    page = request.args.get("page", "")
    index = _index(doc)
    start = slice_of(doc, number(page, "a page number"), index) if page else 0
    status = source_status(rel, doc)
    return render_template("document.html.j2", doc=doc, rel=rel, index=i, start=start, slice=SLICE,
                           has_confidence=_store().derived(doc, "confidence", has_confidence), source=status,
                           views=slice_views(doc, start, locate=images_beside(rel), backdrops=backdrops(rel, i, status),
                                             index=index),
                           kinds=_store().derived(doc, "kinds", kinds), summary=_store().derived(doc, "summary", summary),
                           exports=list(EXPORTS))


@bp.get("/api/slice")
def page_slice() -> Response:
    rel, i, doc = doc_from_request()
    page = request.args.get("page", "")
    index = _index(doc)
    first = slice_of(doc, number(page, "a page number"), index) if page else \
        number(request.args.get("start"), "a position", default=0)
    views = slice_views(doc, first, locate=images_beside(rel), backdrops=backdrops(rel, i, source_status(rel, doc)),
                        index=index)
    html = render_template("slice.html.j2", views=views, start=first, total=len(doc.pages), slice=SLICE)
    return Response(html, mimetype="text/html", headers={"X-Slice-Start": str(first)})


@bp.get("/api/block")
def block() -> Response:
    rel, i, doc = doc_from_request()
    wanted = request.args.get("id", "")
    found = next((b for b in doc.blocks if b.id == wanted), None)
    if found is None:
        abort(404)
    return _json(msgspec.to_builtins(found))


@bp.get("/api/search")
def find() -> Response:
    rel, i, doc = doc_from_request()
    return _json(search(doc, request.args.get("q", ""), found=_store().derived(doc, "text", text_index),
                        index=_index(doc)))


def compared():
    picks = request.args.getlist("pick")
    if picks:
        if len(picks) != 2:
            raise Refused(f"pick two documents to compare, not {len(picks)}")
        (fa, ia), (fb, ib) = (p.rsplit("|", 1) if "|" in p else (p, "0") for p in picks)
    else:
        fa, ia, fb, ib = (request.args.get(k, "") for k in ("a", "ai", "b", "bi"))
        ia, ib = ia or "0", ib or "0"
    ia, ib = str(number(ia, "a document number")), str(number(ib, "a document number"))
    a, b = _store().document(fa, int(ia)), _store().document(fb, int(ib))
    return fa, int(ia), a, fb, int(ib), b


def _cached_diff(key: tuple, a: Document, b: Document, start: int | None = None) -> Any:
    """The diff of two documents (or, with `start`, of the slice of pages from there), cached while neither
    file changes."""
    diffs: dict[tuple, Any] = current_app.extensions["docnorm.diffs"]
    cached = diffs.get(key)
    if cached is None or cached[0] is not a or cached[1] is not b:  # a file changed since: diff again
        if len(diffs) > 64:
            diffs.clear()
        cached = diffs[key] = (a, b, diff(a, b) if start is None else diff(*_window(a, b, start)))
    return cached[2]


def _window(a: Document, b: Document, start: int) -> tuple[Document, Document]:
    """The two documents cut to the pages of one slice: page by page, the pairing of those pages is exactly
    the whole document's."""
    numbers = {p.number for p in a.pages[start:start + SLICE]}
    return tuple(msgspec.structs.replace(doc, pages=[p for p in doc.pages if p.number in numbers],  # type: ignore
                                         blocks=[blk for blk in doc.blocks if blk.page in numbers]) for doc in (a, b))


def _paged(a: Document, b: Document) -> bool:
    """Long documents with the same pages: the compare view pairs the slice it shows first."""
    return len(a.pages) > SLICE and page_by_page(a, b)


@bp.get("/compare")
def compare() -> str:
    fa, ia, a, fb, ib, b = compared()
    start = number(request.args.get("start"), "a position", default=0)
    total = max(len(a.pages), len(b.pages))
    key = (fa, ia, fb, ib)
    full = current_app.extensions["docnorm.diffs"].get(key)
    if _paged(a, b):  # the first screen waits for its own pages only; the scores of the whole come after
        shown = _cached_diff(key + (start,), a, b, start)
        result = full[2] if full and full[0] is a and full[1] is b else None
    else:
        shown = result = _cached_diff(key, a, b)
    status = (source_status(fa, a), source_status(fb, b))
    sides = compare_sides(shown, (a, b), start, (images_beside(fa), images_beside(fb)),
                          (backdrops(fa, ia, status[0]), backdrops(fb, ib, status[1])))
    return render_template("compare.html.j2", result=result, shown=shown, sides=sides, fa=fa, ia=ia, fb=fb, ib=ib,
                           sources=status,
                           start=start, slice=SLICE, total=total, zip=zip, cell_label=cell_label,
                           cells_shown=CELLS_SHOWN)


@bp.get("/api/compare/summary")
def compare_summary() -> Response:
    """The whole documents' scores, for a compare view that showed its first slice before them."""
    fa, ia, a, fb, ib, b = compared()
    s = _cached_diff((fa, ia, fb, ib), a, b).scores
    return _json({"text_similarity": s.text_similarity, "reading_order": s.reading_order, "teds": s.teds,
                  "counts": s.counts, "note": s.note})


@bp.get("/folders")
def folders() -> str:
    """Two folders of the served folder compared document by document: paired by the source document each
    result records, worst first, each row opening the side-by-side compare."""
    from exporters.diff.corpus import entries_of, pair_entries, row_of, summarize
    files = _store().files()
    choices = sorted({folder for f in files for folder in _ancestors(f)})
    fa, fb = request.args.get("a", ""), request.args.get("b", "")
    if not (fa and fb):
        return render_template("folders.html.j2", choices=choices, fa=fa, fb=fb, result=None)
    if fa not in choices or fb not in choices:
        raise Refused("expected two folders of the served folder that hold results")
    sides = []
    for folder in (fa, fb):
        entries = []
        for rel in (f for f in files if f.startswith(folder + "/")):  # with its subfolders, as the CLI does
            loaded = _store().load(rel)
            entries += entries_of(rel, loaded.docs if loaded.error is None else None, loaded.error)
        sides.append(entries)
    pairs, only_a, only_b = pair_entries(*[[e for e in side if e.error is None] for side in sides])
    rows = []
    for a, b in pairs:
        doc_a, doc_b = _store().document(a.path, a.index), _store().document(b.path, b.index)
        # cached as the compare view keys it: opening the row reuses this diff
        row = row_of(a, b, doc_a, doc_b, _cached_diff((a.path, a.index, b.path, b.index), doc_a, doc_b))
        row.report = url_for(".compare", a=a.path, ai=a.index, b=b.path, bi=b.index)
        rows.append(row)
    result = summarize(fa, fb, sides[0], sides[1], rows, only_a, only_b)
    return render_template("folders.html.j2", choices=choices, fa=fa, fb=fb, result=result)


def _ancestors(path: str) -> list[str]:
    """Every folder above a served file: a/b/x.json -> a, a/b."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[:k]) for k in range(1, len(parts) + 1)]


@bp.get("/compare/report")
def compare_report() -> Response:
    fa, ia, a, fb, ib, b = compared()
    result = _cached_diff((fa, ia, fb, ib), a, b)
    return Response(to_diff_html(result, a, b, sources=(fa, fb)), mimetype="text/html",
                    headers={"Content-Disposition": attachment("diff.html")})


@bp.get("/export/<name>")
def export(name: str) -> Response:
    if name not in EXPORTS:
        abort(404)
    rel, i, doc = doc_from_request()
    suffix, mime, render = EXPORTS[name]
    policy = request.args.get("span_policy", "html")
    out = render(doc, ExportSettings(span_policy=policy if policy in ("html", "repeat", "anchor") else "html"))
    stem = os.path.splitext(os.path.basename(rel))[0] + (f"-{i}" if i else "")
    if isinstance(out, list):  # one file per table: a zip of them
        return Response(_zip(stem, out, suffix), mimetype="application/zip",
                        headers={"Content-Disposition": attachment(f"{stem}.tables{suffix}.zip")})
    return Response(out, mimetype=mime, headers={"Content-Disposition": attachment(stem + suffix)})



def _zip(stem: str, files: list[str], suffix: str) -> bytes:
    """Files numbered from 1 in one zip (names made of the result's stem, so nothing else can be named)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, text in enumerate(files, 1):
            archive.writestr(f"{_SAFE_NAME.sub('_', stem) or 'table'}-{n}{suffix}", text)
    return buffer.getvalue()


def attachment(filename: str) -> str:
    """A Content-Disposition header for any file name (RFC 6266/5987): an ASCII fallback that a header can
    carry, and the real name percent-encoded as UTF-8 (`年报.md` would otherwise make the response fail)."""
    fallback = _SAFE_NAME.sub("_", filename).strip("_") or "download"
    if fallback == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _json(payload: Any) -> Response:
    """JSON with <, >, & escaped as \\u escapes, so that no provider string can ever be read as markup."""
    body = orjson.dumps(payload).replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")
    return Response(body, mimetype="application/json")
