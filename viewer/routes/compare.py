"""Two documents side by side, and two folders document by document."""

from __future__ import annotations

from typing import Any

import msgspec
from flask import Blueprint, Response, render_template, request, url_for

from exporters.diff import LABELS, MEANINGS, cell_label, diff, page_by_page, to_diff_html
from exporters.diff.report import score_rows
from normalizer.errors import failure_message
from normalizer.schema import Document

from ..layout import SLICE, compare_sides
from ..state import state
from ..store import Refused
from .common import backdrops, document_of, images_beside, json_response, number, source_status
from .downloads import attachment

bp = Blueprint("compare", __name__)


CELLS_SHOWN = 40  # table differences listed under a compared table; the HTML report has them all


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
    a, b = document_of(fa, int(ia)), document_of(fb, int(ib))  # or review mode's truth (`truth:…`)
    return fa, int(ia), a, fb, int(ib), b


def cached_diff(key: tuple, a: Document, b: Document, start: int | None = None) -> Any:
    """The diff of two documents (or, with `start`, of the slice of pages from there), cached while neither
    file changes."""
    diffs: dict[tuple, Any] = state().diffs
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
    full = state().diffs.get(key)
    if _paged(a, b):  # the first screen waits for its own pages only; the scores of the whole come after
        shown = cached_diff(key + (start,), a, b, start)
        result = full[2] if full and full[0] is a and full[1] is b else None
    else:
        shown = result = cached_diff(key, a, b)
    status = (source_status(fa, a), source_status(fb, b))
    sides = compare_sides(shown, (a, b), start, (images_beside(fa), images_beside(fb)),
                          (backdrops(fa, ia, status[0]), backdrops(fb, ib, status[1])))
    rows = score_rows(result.scores) if result else [(name, LABELS[name], "…", MEANINGS[name]) for name in MEANINGS]
    return render_template("compare.html.j2", result=result, shown=shown, sides=sides, fa=fa, ia=ia, fb=fb, ib=ib,
                           sources=status, score_rows=rows,
                           start=start, slice=SLICE, total=total, zip=zip, cell_label=cell_label,
                           cells_shown=CELLS_SHOWN)


@bp.get("/api/compare/summary")
def compare_summary() -> Response:
    """The whole documents' scores, for a compare view that showed its first slice before them: each score, and
    the rows the view shows (score, label, value as shown, what it measures)."""
    fa, ia, a, fb, ib, b = compared()
    s = cached_diff((fa, ia, fb, ib), a, b).scores
    return json_response({"content": s.content, "segmentation": s.segmentation, "splits": s.splits,
                          "merges": s.merges, "reading_order": s.reading_order, "teds": s.teds, "teds_s": s.teds_s,
                          "counts": s.counts, "note": s.note, "warning": s.warning, "rows": score_rows(s)})


@bp.get("/folders")
def folders() -> str:
    """Two folders of the served folder compared document by document: paired by the source document each
    result records, worst first, each row opening the side-by-side compare."""
    from exporters.diff.corpus import entries_of, failed_row, pair_entries, row_of, summarize
    files = state().store.files()
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
            loaded = state().store.load(rel)
            entries += entries_of(rel, loaded.docs if loaded.error is None else None, loaded.error)
        sides.append(entries)
    pairs, only_a, only_b = pair_entries(*[[e for e in side if e.error is None] for side in sides])
    rows = []
    for a, b in pairs:
        doc_a, doc_b = state().store.document(a.path, a.index), state().store.document(b.path, b.index)
        try:  # cached as the compare view keys it: opening the row reuses this diff
            row = row_of(a, b, doc_a, doc_b, cached_diff((a.path, a.index, b.path, b.index), doc_a, doc_b))
        except Exception as exc:  # any exception is this pair's failure: a row that says why, the others go on
            row = failed_row(a, b, failure_message(exc))
        row.report = url_for(".compare", a=a.path, ai=a.index, b=b.path, bi=b.index)
        rows.append(row)
    result = summarize(fa, fb, sides[0], sides[1], rows, only_a, only_b)
    return render_template("folders.html.j2", choices=choices, fa=fa, fb=fb, result=result, meanings=MEANINGS,
                           labels=LABELS)


def _ancestors(path: str) -> list[str]:
    """Every folder above a served file: a/b/x.json -> a, a/b."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[:k]) for k in range(1, len(parts) + 1)]


@bp.get("/compare/report")
def compare_report() -> Response:
    fa, ia, a, fb, ib, b = compared()
    result = cached_diff((fa, ia, fb, ib), a, b)
    return Response(to_diff_html(result, a, b, sources=(fa, fb)), mimetype="text/html",
                    headers={"Content-Disposition": attachment("diff.html")})
