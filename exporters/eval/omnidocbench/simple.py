"""OmniDocBench's `match_gt2pred_simple` (`utils/match.py`): one optimal assignment, nothing merged.

OmniDocBench uses it for the tables of a page (the predicted tables left unmatched give their cells' text
to the text matching) and for the text of a page whose quick match ran out of time.
"""

from __future__ import annotations

import re

from .lines import category, edit_matrix, gt_pred_lines
from .lsa import linear_sum_assignment

_CDOT = re.compile(r"\$\\cdot\$")


def _position(item: dict):
    return item.get("order") if item.get("order") else item.get("position", [""])[0]


def match_simple(gt_items: list[dict], pred_items: list[dict], line_type: str,
                 img: str) -> tuple[list[dict], list | None]:
    """The pairs of a page by one assignment, and (for tables) the text items made of unmatched predicted tables.

    Why: OmniDocBench pairs tables this way, and falls back to it when its quick match times out.

    Example:
        >>> pairs, rest = match_simple([{"category_type": "table", "html": "<table><tr><td>1</td></tr></table>"}],
        ...                            [], "html_table", "p.jpg")
        >>> [(p["gt_idx"], p["pred"], p["edit"]) for p in pairs], rest
        ([([0], '', 1)], None)
    """
    lines = gt_pred_lines(gt_items, pred_items, line_type)
    gt_items, pred_items = lines.gt_items, lines.pred_items
    if not lines.norm_gt:
        if not lines.norm_pred:   # OmniDocBench fails on this (an index out of range); nothing to pair
            return [], None
        preds = range(len(lines.norm_pred))
        return [_entry([""], "", "", "", [""], [{}], list(preds), "".join(lines.pred), "".join(lines.norm_pred),
                       category(pred_items[0]), pred_items[0]["position"][0], 1, img)], None
    if not lines.norm_pred:
        return [_entry([g], lines.gt[g], lines.norm_gt[g], lines.gt_cat[g], [_position(gt_items[g])],
                       [gt_items[g].get("attribute", {})], [""], "", "", "", "", 1, img)
                for g in range(len(lines.norm_gt))], None
    cost = edit_matrix(lines.norm_gt, lines.norm_pred)
    rows, cols = linear_sum_assignment(cost)
    out = []
    for g in range(len(lines.norm_gt)):
        p = cols[rows.index(g)] if g in rows else ""
        out.append(_entry([g], lines.gt[g], lines.norm_gt[g], lines.gt_cat[g], [_position(gt_items[g])],
                          [gt_items[g].get("attribute", {})], [p], lines.pred[p] if p != "" else "",
                          lines.norm_pred[p] if p != "" else "", category(pred_items[p]) if p else "",
                          pred_items[p]["position"][0] if p else "", float(cost[g][p]) if p != "" else 1, img))
    left = [p for p in range(len(lines.norm_pred)) if p not in cols]
    if not left:
        return out, None
    if line_type in ("html_table", "latex_table"):
        return out, [item for p in left for item in _cell_items(pred_items[p])]
    out.append(_entry([""], "", "", "", [""], [{}], left, "".join(lines.pred[p] for p in left),
                      "".join(lines.norm_pred[p] for p in left), category(pred_items[left[0]]),
                      pred_items[left[0]]["position"][0], 1, img))
    return out, None


def _entry(gt_idx, gt, norm_gt, gt_cat, gt_position, gt_attribute, pred_idx, pred, norm_pred, pred_cat,
           pred_position, edit, img) -> dict:
    return {"gt_idx": gt_idx, "gt": gt, "norm_gt": norm_gt, "gt_category_type": gt_cat, "gt_position": gt_position,
            "gt_attribute": gt_attribute, "pred_idx": pred_idx, "pred": pred, "norm_pred": norm_pred,
            "pred_category_type": pred_cat, "pred_position": pred_position, "edit": edit, "img_id": img}


def _cell_items(item: dict) -> list[dict]:
    """The text of each `<td>` of an unmatched predicted table with a single string inside, as a text item
    (BeautifulSoup's `.string`, as OmniDocBench reads it)."""
    from .html import td_strings
    return [{**item, "content": _CDOT.sub("", text).strip(), "category_type": "text_all"}
            for text in td_strings(str(item.get("content")))]
