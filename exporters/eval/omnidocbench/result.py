"""What `evaluate` returns: OmniDocBench's own metric dict, and per page the pairs behind it."""

from __future__ import annotations

from msgspec import Struct


class Pair(Struct, kw_only=True):
    """One matched pair as OmniDocBench scored it: the element it counts in ('text_block', 'display_formula',
    'table'), the categories of both sides, the raw and normalised texts, and its scores."""

    element: str
    gt_category: str
    pred_category: str
    gt: str
    pred: str
    norm_gt: str
    norm_pred: str
    edit: float | None                 # None where both sides are empty (OmniDocBench gives it no score)
    teds: float | None = None          # tables only
    teds_s: float | None = None        # tables only: TEDS with the cell text ignored


class PageResult(Struct, kw_only=True):
    """One page: its key, whether its prediction was missing, each element's edit distance on the page (its
    summed edits over its summed lengths, OmniDocBench's `*_per_page_edit.json`; None where the page has
    nothing of that element), the mean TEDS of its tables, its pairs and its reading-order sequences."""

    key: str
    missing: bool
    edit: dict[str, float | None]
    teds: float | None
    teds_s: float | None
    pairs: list[Pair]
    order_gt: list = []
    order_pred: list = []


class OmniResult(Struct, kw_only=True):
    """`metric_result`: OmniDocBench's `*_metric_result.json`, key for key (text_block, display_formula, table,
    reading_order; each with `all`, `group` by ground-truth attribute and `page` by page attribute);
    `pages`: per page results in the ground truth's order; `missing`: the page keys that had no prediction
    (scored as empty); `notes`: what was not computed or not as OmniDocBench would (CDM, budgets)."""

    metric_result: dict
    pages: list[PageResult]
    missing: list[str]
    notes: list[str]
