"""Writing audits: JSON (`{"documents": [...]}`), CSV (a row per document and per finding), a standalone HTML
report, and the one line per document the command line prints."""

from __future__ import annotations

import csv
import io

import msgspec

from ..jinja_env import env
from ..tables import inert
from .result import DocumentAudit

CSV_COLUMNS = ["file", "score", "frame", "score_after", "missed_share", "row", "page", "id", "kind", "similarity",
               "text", "pdf_text"]


def to_json(audits: list[DocumentAudit], indent: int = 2) -> bytes:
    """The audits as `{"documents": [...]}`, each as `DocumentAudit` names its fields (docs/audit.md).

    Example:
        >>> to_json([DocumentAudit(file="a.json", source="a.pdf", score=None, frame="unknown")], 0)[:40]
        b'{"documents":[{"file":"a.json","source":'
    """
    body = msgspec.json.encode({"documents": audits})
    return (msgspec.json.format(body, indent=indent) if indent else body) + b"\n"


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def to_csv(audits: list[DocumentAudit]) -> str:
    """A row per document (`row` = document) and per finding (`block`, `cell` or `missed`), so a spreadsheet
    can sort and filter them; no cell can become a formula (`exporters.tables.inert`).

    Example:
        >>> to_csv([DocumentAudit(file="a.json", source="a.pdf", score=0.5, frame="ok")]).splitlines()[1]
        'a.json,0.5000,ok,,,document,,,,,,'
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for a in audits:
        head = [inert(a.file or ""), _num(a.score), a.frame, _num(a.score_after), _num(a.missed_share)]
        writer.writerow(head + ["document", "", "", "", "", "", ""])
        for b in a.blocks:
            writer.writerow(head + ["block", b.page, inert(b.id), b.kind, _num(b.similarity), inert(b.text),
                                    inert(b.pdf_text)])
            for c in b.cells:
                writer.writerow(head + ["cell", b.page, inert(f"{b.id} r{c.row} c{c.col}"), "cell",
                                        _num(c.similarity), inert(c.text), inert(c.pdf_text)])
        for m in a.missed:
            writer.writerow(head + ["missed", m.page, "", "", "", "", inert(m.text)])
    return out.getvalue()


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def to_html(audits: list[DocumentAudit]) -> str:
    """A standalone report (inline CSS, no script, nothing fetched): the documents' scores and frames, then for
    each its pages, its blocks not grounded beside the PDF text under their boxes, and the text it missed.

    Example:
        >>> html = to_html([DocumentAudit(file="<a>.json", source="a.pdf", score=0.5, frame="y-flipped")])
        >>> html.startswith("<!DOCTYPE html>") and "&lt;a&gt;.json" in html and "<script" not in html
        True
    """
    return env.get_template("audit.html.j2").render(audits=audits, num=lambda v: "—" if v is None else f"{v:.3f}",
                                                    pct=_pct)


def summary_line(a: DocumentAudit) -> str:
    """One line: score, frame, score after the repair, blocks grounded, PDF text missed, the file.

    Example:
        >>> summary_line(DocumentAudit(file="a.json", source="a.pdf", score=0.25, frame="y-flipped", score_after=1.0))
        '0.250  y-flipped   1.000       0/0       —  a.json'
    """
    score = "—" if a.score is None else f"{a.score:.3f}"
    after = "—" if a.score_after is None else f"{a.score_after:.3f}"
    grounded = f"{a.blocks_grounded}/{a.blocks_scored}"
    return f"{score:>5}  {a.frame:<11} {after:>5}  {grounded:>8}  {_pct(a.missed_share):>6}  {a.file or ''}"


SUMMARY_HEAD = f"{'score':>5}  {'frame':<11} {'after':>5}  {'grounded':>8}  {'missed':>6}  file"
