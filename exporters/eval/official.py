"""The omnidocbench protocol: a prediction set scored by OmniDocBench v1.5's own rules (`exporters.eval.omnidocbench`).

The truth is OmniDocBench's annotation JSON, read as it is. A prediction is Markdown by page key, as OmniDocBench
reads it: a `.md` file is taken as it is; any other result docnorm reads is first written as OmniDocBench
Markdown (`export --to omnidocbench-md`), one page per file, so every provider can be scored the same way.
"""

from __future__ import annotations

import os
from typing import Any

import orjson

from normalizer import normalize_all
from normalizer.errors import failure_message

from ..corpus.runner import read
from ..omnidocbench_md import to_omnidocbench_md
from .result import BlockError, Entry, KindScore, PageResult
from .sets import MARKDOWN, files_of

ELEMENTS = (("text_block", "text_edit"), ("display_formula", "formula_edit"), ("table", "table_edit"),
            ("reading_order", "reading_order_edit"))
SHOWN_ERRORS = 30
CUT = 300
CDM_NOTE = ("overall = ((1 - text edit) + table TEDS + (1 - formula edit)) / 3: OmniDocBench's overall with "
            "1 - the formula edit distance in place of CDM, which needs TeX")


def read_truth(files: list[str]) -> tuple[list[dict], list[tuple[str, str]]]:
    """OmniDocBench's page entries from its annotation JSON files (a file of another shape is a failure).

    Example:
        >>> pages, failures = read_truth(["tests/data/omnidocbench/OmniDocBench_demo.json"])
        >>> len(pages), failures
        (18, [])
    """
    pages: list[dict] = []
    failures: list[tuple[str, str]] = []
    for file in files:
        try:
            data = orjson.loads(read(file))
        except Exception as exc:  # any exception is this file's failure
            failures.append((file, failure_message(exc)))
            continue
        data = [data] if isinstance(data, dict) else data
        if not isinstance(data, list) or not all(isinstance(p, dict) and "layout_dets" in p and "page_info" in p
                                                 for p in data):
            failures.append((file, "$: expected OmniDocBench annotation JSON (a list of pages with layout_dets "
                                   "and page_info), found another shape; --protocol omnidocbench needs it as truth"))
            continue
        pages += data
    return pages, failures


def read_predictions(files: list[str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Markdown by page key: a `.md` file's text under its stem; any other result written as OmniDocBench
    Markdown, a page per key. The first file to give a key keeps it.

    Example:
        >>> md, failures = read_predictions(["samples/llamacloud/annual_report_v2.json"])
        >>> sorted(md)[0], failures
        ('nordwind_annual_report_2025.pdf_0', [])
    """
    out: dict[str, str] = {}
    failures: list[tuple[str, str]] = []
    for file in files:
        try:
            if file.lower().endswith(MARKDOWN):
                pages = {os.path.basename(file).rpartition(".")[0]: read(file).decode("utf-8", "replace")}
            else:
                pages = {f.name[:-3]: str(f.content) for doc in normalize_all(read(file))
                         for f in to_omnidocbench_md(doc, source_name=file)}
        except Exception as exc:  # any exception is this file's failure
            failures.append((file, failure_message(exc)))
            continue
        for key, text in pages.items():
            out.setdefault(key, text)
    return out, failures


def _metric(result: dict[str, Any], element: str, metric: str, kind: str) -> float | None:
    value = result.get(element, {}).get("all", {}).get(metric, {}).get(kind)
    return float(value) if isinstance(value, (int, float)) else None


def summary(metric_result: dict[str, Any]) -> dict[str, float | None]:
    """The headline figures of OmniDocBench's `metric_result`, and the ranking score (`CDM_NOTE`).

    Example:
        >>> summary({"text_block": {"all": {"Edit_dist": {"ALL_page_avg": 0.2}}}})["text_edit"]
        0.2
    """
    scores: dict[str, float | None] = {}
    for element, name in ELEMENTS:
        scores[name] = _metric(metric_result, element, "Edit_dist", "ALL_page_avg")
    scores["table_teds"] = _metric(metric_result, "table", "TEDS", "all")
    scores["table_teds_s"] = _metric(metric_result, "table", "TEDS_structure_only", "all")
    parts = [1 - v for v in (scores["text_edit"], scores["formula_edit"]) if v is not None]
    parts += [scores["table_teds"]] if scores["table_teds"] is not None else []
    return {"overall": sum(parts) / len(parts) if parts else None, **scores}


def _page(page: Any) -> PageResult:
    scores = {name: page.edit.get(element) for element, name in ELEMENTS}
    scores.update(table_teds=page.teds, table_teds_s=page.teds_s)
    errors = [BlockError(status="missed" if not p.pred else "extra" if not p.gt else "changed",
                         kind=p.gt_category or p.pred_category, truth=p.gt[:CUT], predicted=p.pred[:CUT],
                         similarity=1 - p.edit)
              for p in page.pairs if p.edit is not None and p.edit > 0]
    errors.sort(key=lambda e: e.similarity)
    return PageResult(key=page.key, missing=page.missing, scores=scores, errors=errors[:SHOWN_ERRORS])


def _kinds(pages: list[Any]) -> list[KindScore]:
    tally: dict[str, list[float]] = {}
    for page in pages:
        for p in page.pairs:
            row = tally.setdefault(p.element, [0, 0, 0.0, 0])
            row[0] += bool(p.gt)
            row[1] += bool(p.pred)
            if p.edit is not None:
                row[2] += 1 - p.edit
                row[3] += 1
    return [KindScore(kind=element, truth=int(t), predicted=int(n), content=s / k if k else None)
            for element, (t, n, s, k) in sorted(tally.items())]


def evaluate(truth_files: list[str], prediction_files: list[str], name: str, path: str) -> Entry:
    """A prediction set scored under OmniDocBench's protocol: its `metric_result`, its headline figures, per
    element and per page (worst text first). `path` names the set in the result.

    Example:
        >>> e = evaluate(["tests/data/omnidocbench/OmniDocBench_demo.json"],
        ...              files_of("tests/data/omnidocbench/mds"), "mds", "tests/data/omnidocbench/mds")
        >>> e.scores["text_edit"], e.scores["table_teds"]
        (0.0, 1.0)
    """
    from .omnidocbench import evaluate as omnidocbench
    truth, truth_failures = read_truth(truth_files)
    predictions, failures = read_predictions(prediction_files)
    result = omnidocbench(truth, predictions)
    keys = {p.key for p in result.pages}
    pages = sorted((_page(p) for p in result.pages),
                   key=lambda p: (-(p.scores.get("text_edit") or 0.0), p.key))
    return Entry(name=name, path=path, scores=summary(result.metric_result), kinds=_kinds(result.pages),
                 pages=pages, missing=list(result.missing), unmatched=sorted(k for k in predictions if k not in keys),
                 failures=failures, truth_failures=truth_failures, metric_result=result.metric_result,
                 notes=[*result.notes, CDM_NOTE])
