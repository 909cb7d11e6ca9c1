"""The lines OmniDocBench compares (`utils/match.py`, `get_gt_pred_lines`), their cost matrix, and the splitting
of one-column `array` formulas into one formula per row (`utils/match_quick.py`).

A quirk kept on purpose: the lines whose text or normal form is empty are dropped, but OmniDocBench goes on
indexing the unfiltered item lists with the filtered indices (for positions, attributes and the predicted
category), so an empty block shifts what the blocks after it are said to be. The same happens here.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

from .normalize import normalize_spice, normalized_formula, text_norm
from .scan import first_array

TEXT_CATEGORIES = ('text_block', 'title', 'code_txt', 'code_txt_caption', 'reference', 'equation_caption',
                   'figure_caption', 'figure_footnote', 'table_caption', 'table_footnote', 'code_algorithm',
                   'code_algorithm_caption', 'header', 'footer', 'page_footnote', 'page_number', 'circuit_caption',
                   'circuit_footnote')
IGNORED = ('figure_caption', 'figure_footnote', 'table_caption', 'table_footnote', 'code_algorithm',
           'code_algorithm_caption', 'header', 'footer', 'page_footnote', 'page_number', 'equation_caption',
           'circuit_caption', 'circuit_footnote')
_ROW_BREAK = re.compile(r"\\\\")


class Lines(NamedTuple):
    """The compared lines of a page: ground truth and prediction, raw and normalised, with the unfiltered items."""

    gt: list[str]
    norm_gt: list
    gt_cat: list[str]
    pred: list[str]
    norm_pred: list[str]
    gt_items: list[dict]
    pred_items: list[dict]


def category(item: dict) -> str:
    """An item's fine category if it has one, else its category (OmniDocBench's `get_pred_category_type`).

    Example:
        >>> category({"category_type": "text_all", "fine_category_type": "code"})
        'code'
    """
    return item.get("fine_category_type") or item["category_type"]


def gt_pred_lines(gt_items: list[dict], pred_items: list[dict], line_type: str | None) -> Lines:
    """OmniDocBench's `get_gt_pred_lines`: the raw and normalised lines of both sides, empty ones dropped.

    Why: every matcher compares these lines, never the items themselves.

    Example:
        >>> lines = gt_pred_lines([{"category_type": "text_block", "text": "A b."}],
        ...                       [{"category_type": "text_all", "content": "a b"}], None)
        >>> lines.norm_gt, lines.norm_pred
        (['Ab'], ['ab'])
    """
    if line_type in ("html_table", "latex_table"):
        gt, norm_gt, cats = _table_gt(gt_items, line_type)
        pred = [str(item["content"]) for item in pred_items]
        norm_pred = pred
    else:
        gt, norm_gt, cats = _mixed_gt(gt_items)
        pred, norm_pred = [], []
        for item in pred_items:
            content = str(item["content"])
            kind = item["category_type"]
            pred.append(content)
            norm_pred.append(text_norm(content) if kind == "text_all" else normalized_formula(content)
                             if kind == "equation_isolated" else normalize_spice(content)
                             if kind == "circuit_diagram" else content)
    kept = [(a, b, c) for a, b, c in zip(gt, norm_gt, cats) if a and b]
    kept_pred = [(a, b) for a, b in zip(pred, norm_pred) if a and b]
    return Lines([a for a, _, _ in kept], [b for _, b, _ in kept], [c for _, _, c in kept],
                 [a for a, _ in kept_pred], [b for _, b in kept_pred], gt_items, pred_items)


def _table_gt(gt_items: list[dict], line_type: str) -> tuple[list[str], list, list[str]]:
    gt, html, cats = [], [], []
    for item in gt_items:
        cats.append(category(item))
        if item.get("content"):
            gt.append(str(item["content"]))
            html.append(str(item["content"]))
        elif line_type == "html_table":
            gt.append(str(item.get("html", "")))
        else:
            gt.append(str(item.get("latex", "")))
            html.append(str(item.get("html", "")))
    return (html, gt, cats) if line_type == "latex_table" else (gt, gt, cats)


def _mixed_gt(gt_items: list[dict]) -> tuple[list[str], list, list[str]]:
    gt, norm, cats = [], [], []
    for item in gt_items:
        kind = item["category_type"]
        if item.get("content"):
            gt.append(str(item["content"]))
            norm.append(text_norm(str(item["content"])) if kind == "text_all" else item["content"])
        elif kind in TEXT_CATEGORIES:
            gt.append(str(item.get("text", "")))
            norm.append(text_norm(gt[-1]))
        elif kind == "circuit_diagram":
            gt.append(str(item.get("text", item.get("spice", ""))))
            norm.append(normalize_spice(gt[-1]) if "spice" in item and not item.get("text") else text_norm(gt[-1]))
        elif kind == "equation_isolated":
            gt.append(str(item.get("latex", "")))
            norm.append(normalized_formula(gt[-1]))
        else:
            continue
        cats.append(category(item))
    return gt, norm, cats


def edit_matrix(gt_lines: list, pred_lines: list) -> np.ndarray:
    """Normalised edit distance of every ground-truth line to every predicted line (0 for two empty lines).

    Example:
        >>> edit_matrix(["abc"], ["abd", ""]).tolist()
        [[0.3333333333333333, 1.0]]
    """
    if not gt_lines or not pred_lines:
        return np.zeros((len(gt_lines), len(pred_lines)))
    from rapidfuzz.distance import Levenshtein
    from rapidfuzz.process import cdist
    return cdist(gt_lines, pred_lines, scorer=Levenshtein.normalized_distance, dtype=np.float64)


def _one_column(spec: str) -> bool:
    spec = re.sub(r"\s+|\|", "", spec)   # spec holds no '}', so OmniDocBench's @{..} and !{..} removals never apply
    return len(spec) == 1 and spec in "lcr"


def _rows(body: str) -> list[str]:
    return [row.strip() for row in _ROW_BREAK.split(body) if row.strip()]


def split_gt_arrays(items: list[dict]) -> list[dict]:
    """Ground-truth formulas that are a one-column `array`, one item per row (orders 7.1, 7.2, ...); a formula
    whose array has no row is dropped, as OmniDocBench drops it.

    Example:
        >>> split_gt_arrays([{"category_type": "equation_isolated", "order": 7,
        ...                   "latex": "\\\\begin{array}{l} a=1 \\\\\\\\ b=2 \\\\end{array}"}])[1]["order"]
        7.2
    """
    out: list[dict] = []
    for item in items:
        found = (first_array(item.get("latex") or "")
                 if item.get("category_type") == "equation_isolated" and "\\begin{array" in (item.get("latex") or "")
                 else None)
        if found is None or not _one_column(found[0]):
            out.append(item)
            continue
        base = float(item.get("order") or 0)
        out += [{**item, "latex": f"\\[{row}\\]", "order": round(base + k / 10, 1)}
                for k, row in enumerate(_rows(found[1]), start=1)]
    return out


def split_pred_arrays(items: list[dict]) -> list[dict]:
    """Predicted formulas that are a one-column `array`, one item per row, each with its own position.

    Example:
        >>> rows = split_pred_arrays([{"category_type": "equation_isolated", "position": [10, 60],
        ...                            "content": "\\\\[\\\\begin{array}{l} a=1 \\\\\\\\ b=2 \\\\end{array}\\\\]"}])
        >>> [(r["content"], r["position"]) for r in rows]
        [('\\\\[a=1\\\\]', [29, 31]), ('\\\\[b=2\\\\]', [36, 38])]
    """
    out: list[dict] = []
    for item in items:
        content = item.get("content") or ""
        found = (first_array(content) if item.get("category_type") == "equation_isolated"
                 and "\\begin{array" in content else None)
        if found is None or not _one_column(found[0]):
            out.append(item)
            continue
        spec, body, body_start = found
        key = "position" if "position" in item else "positions"
        search_from = 0
        for row in _rows(body):
            at = body.find(row, search_from)
            at = search_from if at == -1 else at
            search_from = at + len(row)
            start = item[key][0] + body_start + at
            out.append({**item, "content": f"\\[{row.strip()}\\]", key: [start, start + len(row) - 1]})
    return out
