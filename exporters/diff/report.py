"""The diff as a standalone HTML report."""

from __future__ import annotations

from typing import Any

from normalizer.schema import Document

from ..html import data_url
from ..jinja_env import env as _env
from .result import LABELS, MEANINGS, CellDiff, DiffResult, PageScore, Scores


def _at(position: list[int]) -> str:
    return f"row {position[0] + 1} col {position[1] + 1}"


def _rows(rows: list[int]) -> str:
    return f"row {rows[0] + 1}" if len(rows) == 1 else f"rows {rows[0] + 1}-{rows[-1] + 1}"


def cell_label(entry: CellDiff) -> str:
    """Where a table difference is, for people: rows and columns counted from 1."""
    op, a, b = entry.op, entry.a, entry.b
    if op == "regroup":
        verb = "are" if len(a) > 1 else "is"
        return f"{_rows(a)} of A {verb} {_rows(b)} of B" if a and b else "rows regrouped"
    if op == "delete":
        return f"{_at(a)} only in A"
    if op == "insert":
        return f"{_at(b)} only in B"
    return _at(a) if a == b else f"{_at(a)} / {_at(b)}"


def to_diff_html(result: DiffResult, a: Document | None = None, b: Document | None = None,
                 sources: tuple[str, str] | None = None, page_images: dict[int, bytes] | None = None,
                 grounding: tuple[Any, Any] | None = None) -> str:
    """A standalone report (inline CSS, an SVG chart with named axes and a legend, no script, nothing fetched),
    naming both result files (`sources`, else the source documents' names). With the documents, blocks found
    on one side only show their text too; with `page_images` (`exporters.pages.render.embedded_pages(a, source,
    compare=b)`), each page pair over the source document, embedded; with `grounding` (each side's
    `exporters.audit.beside.Grounding`, or None), how much of each side's text is under its boxes in the PDF.

    Example:
        >>> from normalizer import load
        >>> from exporters.diff import diff
        >>> a, = load("samples/same_report/harbor_q3_llamacloud_v2.json")
        >>> 'class="score-reading_order"' in to_diff_html(diff(a, a), a, a)
        True
    """
    if sources is None:
        sources = (result.a.file_name or "A", result.b.file_name or "B")
    texts: dict[tuple[str, str], str] = {}
    for status, doc in (("only_a", a), ("only_b", b)):
        if doc is not None:
            texts.update({(status, blk.id): blk.text for blk in doc.blocks})
    return _env.get_template("diff.html.j2").render(
        a=result.a, b=result.b, sources=sources, mode=result.mode, scores=result.scores, chart=_chart(result.pages),
        score_rows=score_rows(result.scores),
        kinds=sorted(set(result.scores.kinds_a) | set(result.scores.kinds_b)),
        differences=[p for p in result.pairs if p.status != "same"], texts=texts, cell_label=cell_label,
        pages=[(n, data_url(png)) for n, png in sorted((page_images or {}).items())],
        grounding=_grounding_rows(grounding))


def _grounding_rows(grounding: tuple[Any, Any] | None) -> tuple[list[str], str] | None:
    """Each side's grounding as shown, and what it measures; None when neither side was audited."""
    if grounding is None:
        return None
    from ..audit.beside import MEANING, shown
    return [f"{side}: {shown(g)}" for side, g in zip("AB", grounding)], MEANING


def score_rows(scores: Scores) -> list[tuple[str, str, str, str]]:
    """The scores as shown beside each other everywhere (report, command line, viewer): (field, label, value,
    what it measures), with why a score is missing in place of its value.

    Example:
        >>> from normalizer import load
        >>> from exporters.diff import diff
        >>> a, = load("samples/same_report/harbor_q3_llamacloud_v2.json")
        >>> [(label, value) for _, label, value, _ in score_rows(diff(a, a).scores)][:2]
        [('content', '1.000'), ('segmentation', '1.000 (0 split, 0 merged)')]
    """
    def shown(value: float | None, missing: str) -> str:
        return missing if value is None else f"{value:.3f}"
    unscored = "not scored: " + ("see the note" if scores.note else "too little in common")
    tables = f" ({scores.tables_compared} table pair{'s' if scores.tables_compared != 1 else ''})"
    values = {"content": shown(scores.content, "not scored: see the note"),
              "segmentation": shown(scores.segmentation, unscored) + (
                  f" ({scores.splits} split, {scores.merges} merged)" if scores.segmentation is not None else ""),
              "reading_order": shown(scores.reading_order, unscored),
              "teds": shown(scores.teds, "no tables paired") + (tables if scores.teds is not None else ""),
              "teds_s": shown(scores.teds_s, "no tables paired")}
    return [(name, LABELS[name], values[name], MEANINGS[name]) for name in MEANINGS]


def _chart(pages: list[PageScore]) -> dict[str, Any]:
    width, height, base, left = 1000, 175, 140, 30
    step = (width - left) / max(len(pages), 1)
    bars = [{"page": p.page, "value": p.content, "x": left + k * step + step * 0.1, "w": max(step * 0.8, 0.5),
             "y": base - p.content * (base - 10), "h": max(p.content * (base - 10), 0.5)}
            for k, p in enumerate(pages)]
    return {"width": width, "height": height, "base": base, "bars": bars}


