"""A document's grounding audit, as the viewer's pages ask for it: never computed in the request (the audit runs
in the background, `viewer.audits`); the answer is what is known, or "pending" until it is."""

from __future__ import annotations

from flask import Blueprint, Response, request

from ..audits import payload
from ..state import state
from ..store import Refused
from .common import json_response, number

bp = Blueprint("audit", __name__)

MAX_ASKED = 200  # documents one scores request may ask about: an index page's rows


@bp.get("/api/audit")
def document_audit() -> Response:
    """The document's audit, in full: its verdict, each block's mark, the missed PDF text (queued first when
    not known yet)."""
    rel = request.args.get("f", "")
    index = number(request.args.get("i"), "a document number", default=0)
    state().store.resolve(rel)
    return json_response(payload(state().audits.entry(rel, index, first=True, full=True), full=True))


@bp.get("/api/audit/scores")
def scores() -> Response:
    """The audit scores of the index rows asked for (`d=FILE|INDEX`, repeated), queuing those not known."""
    found = {}
    for asked in request.args.getlist("d")[:MAX_ASKED]:
        rel, _, index = asked.rpartition("|")
        try:
            state().store.resolve(rel)
            found[asked] = payload(state().audits.entry(rel, number(index, "a document number")))
        except Refused as exc:  # one row asked wrongly: that row says so, the others are answered
            found[asked] = {"state": "failed", "reason": str(exc)}
    return json_response(found)
