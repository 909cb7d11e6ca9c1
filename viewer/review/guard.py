"""What a write must show before review mode reads it: the viewer runs with a truth folder, the request is a
POST of JSON from this viewer's own page (the CSRF token issued with the page, in a header no other site can
set without the browser asking first; an Origin, when sent, naming this host), and its body is at most
MAX_BODY bytes. The token is one per app (`secrets.token_urlsafe`), made when the app is.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Any
from urllib.parse import urlsplit

import msgspec
from flask import Flask, current_app, request
from msgspec import Meta, Struct

from normalizer.errors import DocnormError

MAX_BODY = 1 << 20          # bytes of one edit request, at most
TOKEN = "docnorm.review.csrf"
HEADER = "X-CSRF-Token"


class Denied(DocnormError):
    """A request review mode refuses before reading it; `status` is the HTTP status it answers."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class Posted(Struct, forbid_unknown_fields=True, kw_only=True):
    """An edit request's body: the result reviewed (file and index), the truth's version the edit is based on,
    the page shown and the edit itself (checked by `edit_types.edit_from`)."""
    f: Annotated[str, Meta(min_length=1, max_length=4096)]
    i: Annotated[int, Meta(ge=0, le=1_000_000)] = 0
    base: Annotated[str, Meta(max_length=64)] = ""
    page: Annotated[int, Meta(ge=1, le=10_000_000)] | None = None
    edit: Any = None


def issue_token(app: Flask) -> str:
    """The app's CSRF token, made once per app."""
    return app.extensions.setdefault(TOKEN, secrets.token_urlsafe(32))


def token() -> str:
    """The current app's CSRF token (what the review page carries)."""
    return issue_token(current_app)


def posted(writable: bool) -> Posted:
    """The request's body, once every check passed; `Denied` with the status to answer otherwise."""
    if not writable:
        raise Denied(403, "this viewer is read-only: start it with `docnorm serve DIR --truth TRUTH_DIR` to review")
    if not hmac.compare_digest(request.headers.get(HEADER, "").encode(), token().encode()):
        raise Denied(403, "missing or wrong CSRF token: reload the page")
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc.lower() != (request.host or "").lower():
        raise Denied(403, "a request from another site is refused")
    if request.mimetype != "application/json":
        raise Denied(415, "expected a JSON body (Content-Type: application/json)")
    length = request.content_length
    if length is None:
        raise Denied(411, "expected a Content-Length")
    if length > MAX_BODY:
        raise Denied(413, f"an edit request is at most {MAX_BODY} bytes, this one is {length}")
    try:
        return msgspec.json.decode(request.get_data(cache=False)[:MAX_BODY], type=Posted)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise Denied(400, f"malformed request: {exc}") from None
