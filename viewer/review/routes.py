"""Review mode's routes: the review page of a result, its truth as JSON, the edits (POST), the Scores panel.

The truth a request reaches is always the one of the result it names (a file of the served folder, resolved by
the store): its file name comes from that result's source stem, never from the request. Without `--truth` the
page answers 404 and every write 403. Every write passes `guard.posted` first (CSRF token, JSON, bounded body).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from typing import Any, Callable

from flask import Blueprint, Response, current_app, g, render_template, request, url_for

from exporters.pages.frame import SourcePage

from ..routes.common import json_response, number, source_status
from ..state import state
from ..store import Refused
from . import history
from .edit_types import Edit, EditRefused, edit_from
from .guard import Denied, Posted, issue_token, posted, token
from .names import source_stem, truth_file_name
from .payload import chosen_page, page_payload
from .scores import MAX_RESULTS, Result, ScoreCache, same_source, score_rows
from .truths import Conflict, NotSaved, Opened, Truths, TruthUnreadable

bp = Blueprint("review", __name__)
SCORES = "docnorm.review.scores"


@bp.record_once
def _setup(setup: Any) -> None:
    issue_token(setup.app)
    setup.app.extensions[SCORES] = ScoreCache()


def truths() -> Truths | None:
    """The viewer's truth folder, or None when it runs read-only."""
    return getattr(state(), "truth", None)


@bp.app_context_processor
def review_marks() -> dict[str, Any]:
    """For every page: whether review mode is on, and `has_truth(row)` for the index's rows."""
    folder = truths()

    def has_truth(row: dict[str, Any]) -> bool:
        if folder is None or row.get("error") is not None or not row.get("file"):
            return False
        if "review_stems" not in g:
            g.review_stems = folder.stems()
        return source_stem(row.get("name"), row["file"]) in g.review_stems
    return {"review_on": folder is not None, "has_truth": has_truth}


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _result(rel: str, index: int) -> tuple[Any, str]:
    """The reviewed result (a document of the served folder) and its source stem."""
    doc = state().store.document(rel, index)
    return doc, source_stem(doc.file_name, rel)


def _images(rel: str, index: int, doc: Any) -> Callable[[int], tuple[str | None, SourcePage | None]]:
    """Each page's source image address and shape, from the reviewed result's source."""
    info = source_status(rel, doc).info

    def image(page: int) -> tuple[str | None, SourcePage | None]:
        if info is None or not 1 <= page <= len(info.sizes) or min(info.sizes[page - 1]) <= 0:
            return None, None
        return (url_for("pages.page_image", f=rel, i=index, p=page, w=1400),
                SourcePage(info.sizes[page - 1], info.kind))
    return image


def _payload(rel: str, index: int, doc: Any, stem: str, opened: Opened, page: int | None) -> Response:
    return json_response(page_payload(opened, stem, chosen_page(opened.doc, page), _images(rel, index, doc)))


@bp.get("/review")
def review() -> str:
    """The review page of a result: its truth (or the offer to start one from it) over the page image."""
    folder = truths()
    if folder is None:
        raise Refused("review mode is off: start the viewer with `docnorm serve DIR --truth TRUTH_DIR`")
    rel, index = request.args.get("f", ""), number(request.args.get("i"), "a document number", default=0)
    doc, stem = _result(rel, index)
    error = None
    try:
        opened = folder.open(stem)
    except TruthUnreadable as exc:
        opened, error = None, str(exc)
    page = number(request.args.get("page"), "a page number", default=0) or None
    return render_template("review.html.j2", doc=doc, rel=rel, index=index, stem=stem, truth=opened,
                           truth_name=truth_file_name(stem), error=error, csrf=token(), folder=folder.folder,
                           page=chosen_page(opened.doc if opened else doc, page),
                           started=history.started_from(opened.doc) if opened else None)


@bp.get("/review/api/truth")
def truth_page() -> Response:
    """One page of the result's truth as the review page draws it (404 without a truth)."""
    folder = _folder_or_404()
    rel, index = request.args.get("f", ""), number(request.args.get("i"), "a document number", default=0)
    doc, stem = _result(rel, index)
    opened = folder.open(stem)
    if opened is None:
        raise Refused("this source has no truth yet")
    return _payload(rel, index, doc, stem, opened, number(request.args.get("page"), "a page number", default=0))


def _folder_or_404() -> Truths:
    folder = truths()
    if folder is None:
        raise Refused("review mode is off")
    return folder


def _write(action: Callable[[Truths, Posted, Any, str], Opened]) -> Response:
    """A write: checked (`guard.posted`), made, answered with the page's new state, or refused with why."""
    try:
        body = posted(truths() is not None)
        doc, stem = _result(body.f, body.i)
        opened = action(truths(), body, doc, stem)  # type: ignore[arg-type]
        return _payload(body.f, body.i, doc, stem, opened, body.page)
    except Denied as exc:
        return _refusal(exc.status, str(exc))
    except Conflict as exc:
        return _refusal(409, str(exc), conflict=True, etag=exc.etag)
    except (EditRefused, TruthUnreadable, NotSaved) as exc:
        return _refusal({EditRefused: 400, TruthUnreadable: 422}.get(type(exc), 500), str(exc))
    except (Refused, LookupError) as exc:
        return _refusal(404, str(exc))


def _refusal(status: int, message: str, **more: Any) -> Response:
    response = json_response({"error": message, **more})
    response.status_code = status
    return response


def _source_digest(rel: str) -> str:
    with open(state().store.resolve(rel), "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


@bp.post("/review/api/start")
def start() -> Response:
    """The truth of the result's source, made from this result when there is none yet (else opened)."""
    def begin(folder: Truths, body: Posted, doc: Any, stem: str) -> Opened:
        origin = history.Started(body.f, body.i, _source_digest(body.f))
        return folder.start(stem, lambda: history.start(doc, origin, _now()))[0]
    return _write(begin)


def _changed(step: Callable[[Any, Posted], Any]) -> Callable[[Truths, Posted, Any, str], Opened]:
    def change(folder: Truths, body: Posted, doc: Any, stem: str) -> Opened:
        return folder.change(stem, body.base, lambda truth: step(truth, body))
    return change


@bp.post("/review/api/edit")
def edit() -> Response:
    """One edit on the truth, based on the version `base` names; logged with its inverse, saved at once."""
    def step(truth: Any, body: Posted) -> Any:
        change: Edit = edit_from(body.edit)
        return history.edit(truth, change, _now())
    return _write(_changed(step))


@bp.post("/review/api/undo")
def undo() -> Response:
    """The last edit undone (and logged), based on the version `base` names."""
    return _write(_changed(lambda truth, body: history.undo(truth, _now())))


@bp.post("/review/api/redo")
def redo() -> Response:
    """The last undone edit made again (and logged), based on the version `base` names."""
    return _write(_changed(lambda truth, body: history.redo(truth, _now())))


@bp.get("/review/api/scores")
def scores() -> Response:
    """Every result of the truth's source in the served folder, scored against the truth as it is now."""
    folder = _folder_or_404()
    rel, index = request.args.get("f", ""), number(request.args.get("i"), "a document number", default=0)
    _, stem = _result(rel, index)
    opened = folder.open(stem)
    if opened is None:
        raise Refused("this source has no truth yet")
    store = state().store
    known, pending = store.summaries(store.files())
    found = same_source([row for rows in known.values() for row in rows], stem, folder.folder, store.root)
    results = []
    for file, i in found[:MAX_RESULTS]:
        try:
            results.append(Result(file, i, store.document(file, i)))
        except Refused:  # changed or removed since it was summarized
            continue

    def compare(result: Result) -> str:
        return url_for("compare.compare", a=folder.name(stem), ai=0, b=result.file, bi=result.index)
    key = (stem, opened.etag) + tuple((r.file, r.index, id(r.doc)) for r in results)
    rows = current_app.extensions[SCORES].get(key, lambda: score_rows(opened.doc, stem, results, compare))
    return json_response({"etag": opened.etag, "rows": rows, "pending": pending,
                          "more": max(0, len(found) - MAX_RESULTS)})

