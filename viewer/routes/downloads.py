"""A document in any export target, as a download (several files as one zip)."""

from __future__ import annotations

import io
import os
import re
import zipfile
from urllib.parse import quote

from flask import Blueprint, Response, abort, request

from exporters.formats import EXPORTS, ExportSettings, OptionError, option_fields
from exporters.named_files import NamedFile, unique_name

from ..state import state
from .common import doc_from_request

bp = Blueprint("downloads", __name__)


_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")  # what a header can carry as it is


@bp.get("/export/<name>")
def export(name: str) -> Response:
    """The document in target `name`; `opt.NAME=VALUE` query parameters are the target's options (the download
    menu's forms), checked as the command line's `--opt` are: a wrong one is a 400 saying why. A downloaded HTML
    page carries the figure images beside its result (inside the served folder), as the command line's does."""
    if name not in EXPORTS:
        abort(404)
    rel, i, doc = doc_from_request()
    target = EXPORTS[name]
    policy = request.args.get("span_policy", "html")
    options = {key[4:]: value for key, value in request.args.items() if key.startswith("opt.")}
    try:
        out = target.write(doc, ExportSettings(span_policy=policy if policy in ("html", "repeat", "anchor") else "html",
                                               source_name=os.path.basename(rel), options=options,
                                               images_dir=os.path.dirname(state().store.resolve(rel))))
    except OptionError as exc:
        return Response(f"{name}: {exc}", status=400, mimetype="text/plain")
    stem = os.path.splitext(os.path.basename(rel))[0] + (f"-{i}" if i else "")
    if target.named:  # files the writer named (one per page…): a zip of them, under their names made safe
        return Response(_zip_named(out), mimetype=target.media_type,
                        headers={"Content-Disposition": attachment(stem + target.suffix)})
    if isinstance(out, list):  # one file per table: a zip of them
        return Response(_zip(stem, out, target.suffix), mimetype="application/zip",
                        headers={"Content-Disposition": attachment(f"{stem}.tables{target.suffix}.zip")})
    return Response(out, mimetype=target.media_type, headers={"Content-Disposition": attachment(stem + target.suffix)})


def download_menu() -> list[tuple[str, list[tuple[str, str, tuple, object]]]]:
    """Each target with its options, for the document view's download menu."""
    return [(name, option_fields(target)) for name, target in EXPORTS.items()]


def _zip(stem: str, files: list[str], suffix: str) -> bytes:
    """Files numbered from 1 in one zip (names made of the result's stem, so nothing else can be named)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, text in enumerate(files, 1):
            archive.writestr(f"{_SAFE_NAME.sub('_', stem) or 'table'}-{n}{suffix}", text)
    return buffer.getvalue()


def _zip_named(files: list[NamedFile]) -> bytes:
    """Named files in one zip: each name made safe (one path component: nothing can land outside the folder it is
    unpacked into) and unique."""
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.writestr(unique_name(file.name, used), file.content)
    return buffer.getvalue()


def attachment(filename: str) -> str:
    """A Content-Disposition header for any file name (RFC 6266/5987): an ASCII fallback that a header can
    carry, and the real name percent-encoded as UTF-8 (`年报.md` would otherwise make the response fail)."""
    fallback = _SAFE_NAME.sub("_", filename).strip("_") or "download"
    if fallback == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"
