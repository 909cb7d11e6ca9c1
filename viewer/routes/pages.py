"""The real page under the boxes (rendered by the page workers), the images a result names, the kinds' colours."""

from __future__ import annotations

import os

from flask import Blueprint, Response, request

from exporters.pages.images import Busy, SourceError

from ..layout import kinds_css
from ..state import state
from ..store import IMAGE_SUFFIXES, IMAGE_TYPES, Refused
from .common import doc_from_request, number, source_of

bp = Blueprint("pages", __name__)




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
        data = state().pages.page(source.path, page - 1, width)
    except Busy as exc:  # the renderers are taken: say so now rather than hold this thread in their queue
        return Response(str(exc), status=503, mimetype="text/plain", headers={"Retry-After": "2"})
    except SourceError as exc:
        return Response(f"page {page} of {source.name}: {exc}", status=422, mimetype="text/plain")
    return Response(data, mimetype="image/png", headers={"Cache-Control": "private, max-age=600"})


@bp.get("/kinds.css")
def kind_styles() -> Response:
    return Response(kinds_css(), mimetype="text/css", headers={"Cache-Control": "max-age=3600"})


@bp.get("/asset/<path:rel>")
def asset(rel: str) -> Response:
    real = state().store.resolve(rel, IMAGE_SUFFIXES)
    try:
        with open(real, "rb") as fh:  # read here: an unreadable or vanished file is a 404, not a 500
            data = fh.read()
    except OSError:
        raise Refused("the image cannot be read") from None
    return Response(data, mimetype=IMAGE_TYPES[os.path.splitext(real)[1].lower()])
