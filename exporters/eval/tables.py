"""An evaluation as text and CSV: the leaderboard the command line prints, and a row per set and page."""

from __future__ import annotations

import csv
import io

from ..tables import inert
from .result import DOCNORM_SCORES, MEANINGS, OMNIDOCBENCH_SCORES, EvalResult

LABELS = {"overall": "overall", "content": "content", "segmentation": "segment.", "reading_order": "order",
          "teds": "TEDS", "teds_s": "TEDS-S", "layout": "layout", "text_edit": "text ED", "formula_edit": "formula ED",
          "table_teds": "TEDS", "table_teds_s": "TEDS-S", "table_edit": "table ED", "reading_order_edit": "order ED",
          "grounding": "grounding"}


def score_names(result: EvalResult) -> tuple[str, ...]:
    """The summary scores of `result`'s protocol, in the order they are shown (and the grounding audit's, when
    some prediction was audited against its PDF).

    Example:
        >>> score_names(EvalResult(protocol="docnorm", truth="t", pages=0))[:3]
        ('overall', 'content', 'segmentation')
    """
    names = OMNIDOCBENCH_SCORES if result.protocol == "omnidocbench" else DOCNORM_SCORES
    audited = any(e.scores.get("grounding") is not None for e in result.entries)
    return names + ("grounding",) if audited else names  # the audit beside the scores, when a PDF was found


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def leaderboard(result: EvalResult) -> str:
    """The ranked sets as an aligned text table, then one line per score saying what it measures.

    Example:
        >>> from exporters.eval import Entry
        >>> print(leaderboard(EvalResult(protocol="docnorm", truth="t", pages=1,
        ...       entries=[Entry(name="mine", path="p", rank=1, scores={"overall": 0.5})])).splitlines()[1])
        1     mine        0.5000  -        -         -       -       -       -       1      0
    """
    names = score_names(result)
    head = ["rank", "prediction"] + [LABELS[n] for n in names] + ["pages", "missing"]
    rows = [[str(e.rank), e.name] + [_number(e.scores.get(n)) for n in names] + [str(len(e.pages) or result.pages),
                                                                                  str(len(e.missing))]
            for e in result.entries]
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    widths[1] = max(widths[1], 10)
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in [head] + rows]
    lines.append("")
    lines += [f"{LABELS[n]:<10} {MEANINGS[n]}" for n in names]
    return "\n".join(lines)


def to_csv(result: EvalResult) -> str:
    """One row per prediction set (page `ALL`) and per page of each, every score a column; no cell can become a
    spreadsheet formula (`exporters.tables.inert`).

    Example:
        >>> to_csv(EvalResult(protocol="docnorm", truth="t", pages=0)).splitlines()[0].split(",")[:4]
        ['rank', 'prediction', 'page', 'missing']
    """
    names = score_names(result)
    page_names = [n for n in names if n != "overall"] if result.protocol == "docnorm" else []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["rank", "prediction", "page", "missing"] + list(names))
    for e in result.entries:
        writer.writerow([e.rank, inert(e.name), "ALL", len(e.missing)] + [_csv_number(e.scores.get(n)) for n in names])
        for page in e.pages:
            values = [_csv_number(page.scores.get(n)) if n in page_names else "" for n in names]
            writer.writerow([e.rank, inert(e.name), inert(page.key), int(page.missing)] + values)
    return out.getvalue()


def _csv_number(value: float | None) -> str:
    return "" if value is None else f"{value:.6f}"


