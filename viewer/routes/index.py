"""The index of the served folder: one row per document (or per file that could not be read), a page at a time."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request, url_for

from ..layout import SORTS, index_page, pager
from ..state import state
from .common import number

bp = Blueprint("index", __name__)


STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "unknown")


@bp.get("/")
def index() -> str:
    """Every result file's documents, a page at a time: summaries come from the store's cache (by size and
    mtime), so a warm index of 10,000 files costs a stat per file; files not summarized yet are read for a quarter of a
    second, then in the background while the page shows what is known and refreshes."""
    args = request.args
    provider, status, query = args.get("provider", ""), args.get("status", ""), args.get("q", "")
    sort = args.get("sort", "file") if args.get("sort", "file") in SORTS else "file"
    descending = args.get("dir", "") == "desc"
    files = state().store.files()
    known, pending = state().store.summaries(files)
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
                           pages=pages, page=page, pager=pager(page, pages),
                           total=len(rows), pending=pending, files=len(files), link=link)
