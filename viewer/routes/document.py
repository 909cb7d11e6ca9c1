"""One document: its view drawn in slices of pages, a block's details, search."""

from __future__ import annotations

import msgspec
from flask import Blueprint, Response, abort, render_template, request

from exporters.formats import EXPORTS

from ..layout import SLICE, has_confidence, kinds, search, slice_of, slice_views, summary, text_index
from ..state import state
from .downloads import download_menu
from .common import backdrops, doc_from_request, doc_index_of, images_beside, json_response, number, source_status

bp = Blueprint("document", __name__)


@bp.get("/view")
def view() -> str:
    rel, i, doc = doc_from_request()
    page = request.args.get("page", "")
    index = doc_index_of(doc)
    start = slice_of(doc, number(page, "a page number"), index) if page else 0
    status = source_status(rel, doc)
    return render_template("document.html.j2", doc=doc, rel=rel, index=i, start=start, slice=SLICE,
                           has_confidence=state().store.derived(doc, "confidence", has_confidence), source=status,
                           views=slice_views(doc, start, locate=images_beside(rel), backdrops=backdrops(rel, i, status),
                                             index=index),
                           kinds=state().store.derived(doc, "kinds", kinds), summary=state().store.derived(doc, "summary", summary),
                           exports=list(EXPORTS), download_menu=download_menu())


@bp.get("/api/slice")
def page_slice() -> Response:
    rel, i, doc = doc_from_request()
    page = request.args.get("page", "")
    index = doc_index_of(doc)
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
    return json_response(msgspec.to_builtins(found))


@bp.get("/api/search")
def find() -> Response:
    rel, i, doc = doc_from_request()
    return json_response(search(doc, request.args.get("q", ""), found=state().store.derived(doc, "text", text_index),
                        index=doc_index_of(doc)))
