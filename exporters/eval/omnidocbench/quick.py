"""OmniDocBench's `match_gt2pred_quick` (`utils/match_quick.py`): a page's ground-truth blocks and predicted items
matched, with the ignored categories (captions, headers, footers, page numbers...) matched first and apart.

Two quirks are kept on purpose, since OmniDocBench's figures depend on them: while it labels the matched pairs,
it removes an unmatched inline formula from the list it is walking, so the pair after it is skipped (left
without a category, it is dropped from the scores); and positions, attributes and predicted categories are read
from the unfiltered item lists with filtered indices (see `lines.py`).
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from .lines import IGNORED, category, edit_matrix, gt_pred_lines, split_gt_arrays, split_pred_arrays
from .quick_pairs import (convert_final_matches, fuzzy_match_unmatched, merge_duplicates_add_unmatched,
                          merge_matches, process_matches, recalculate_edit_distances)
from .quick_parts import Work, cal_final_match


def _position(item: dict):
    return item.get("order") if item.get("order") else item.get("position", [""])[0]


def _single(gt_idx, gt, pred_idx, pred, gt_item, pred_item, norm_gt, norm_pred, gt_cat, edit, img):
    return {"gt_idx": gt_idx, "gt": gt, "pred_idx": pred_idx, "pred": pred,
            "gt_position": [_position(gt_item)] if gt_item is not None else [""],
            "pred_position": pred_item["position"][0] if pred_item is not None else "",
            "norm_gt": norm_gt, "norm_pred": norm_pred, "gt_category_type": gt_cat,
            "pred_category_type": category(pred_item) if pred_item is not None else "",
            "gt_attribute": [gt_item.get("attribute", {})] if gt_item is not None else [{}], "edit": edit,
            "img_id": img}


def match_quick(gt_items: list[dict], pred_items: list[dict], img: str, work: Work) -> list[dict]:
    """OmniDocBench's `match_gt2pred_quick`: the matched pairs of one page (dicts with its keys).

    Why: the pairs decide every text, formula and reading-order score.

    Example:
        >>> from .quick_parts import Work
        >>> pairs = match_quick([{"category_type": "text_block", "text": "Hello world", "order": 1}],
        ...                     [{"category_type": "text_all", "content": "Hello word", "position": [0, 10]}],
        ...                     "p.jpg", Work(10**6))
        >>> [(p["gt"], p["pred"], round(p["edit"], 2)) for p in pairs]
        [('Hello world', 'Hello word', 0.1)]
    """
    gt_items = split_gt_arrays(gt_items)
    order = sorted(enumerate(pred_items), key=lambda pair: (
        pair[1].get("fine_category_type") == "equation_inline", pair[1]["position"][0], pair[0]))
    lines = gt_pred_lines(gt_items, split_pred_arrays([item for _, item in order]), None)
    gt_items, pred_items = lines.gt_items, lines.pred_items
    if not lines.norm_gt:
        return [_single([""], "", [p], lines.pred[p], None, pred_items[p], "", lines.norm_pred[p], "", 1, img)
                for p in range(len(lines.norm_pred))]
    if not lines.norm_pred:
        return [_single([g], lines.gt[g], [""], "", gt_items[g], None, lines.norm_gt[g], "", lines.gt_cat[g], 1, img)
                for g in range(len(lines.norm_gt))]
    if len(lines.norm_gt) == 1 and len(lines.norm_pred) == 1:
        a, b = lines.norm_gt[0], lines.norm_pred[0]
        work.charge(1)
        edit = edit_matrix([a], [b])[0][0] if max(len(a), len(b)) else 0.0
        return [_single([0], lines.gt[0], [0], lines.pred[0], gt_items[0], pred_items[0], a, b, lines.gt_cat[0],
                        float(edit), img)]
    ignored, rest = _split_ignored(lines)
    ignore_results, taken = _match_ignored(work, lines, ignored, img) if ignored["norm"] else ([], [])
    pred_keep = [p for p in range(len(lines.norm_pred)) if p not in taken]
    results = _match_rest(work, lines, rest, pred_keep, img)
    return results + ignore_results


def _split_ignored(lines) -> tuple[dict, dict]:
    ignored = {"norm": [], "ori": [], "items": [], "idx": [], "cat": []}
    rest = {"norm": [], "ori": [], "items": [], "idx": [], "cat": []}
    for i, norm in enumerate(lines.norm_gt):
        side = ignored if lines.gt_cat[i] in IGNORED else rest
        side["norm"].append(norm)
        side["ori"].append(lines.gt[i])
        side["items"].append(lines.gt_items[i])
        side["idx"].append(i)
        side["cat"].append(lines.gt_cat[i])
    return ignored, rest


def _match_ignored(work: Work, lines, ign: dict, img: str) -> tuple[list[dict], list[int]]:
    """The ignored categories, matched to any prediction within 0.25 (a prediction may serve several)."""
    matrix = edit_matrix(ign["norm"], lines.norm_pred)
    work.charge(matrix.size)
    hits = np.argwhere(matrix < 0.25)
    taken = [int(h[1]) for h in hits]
    preds = {"norm": [lines.norm_pred[p] for p in taken], "ori": [lines.pred[p] for p in taken],
             "items": [lines.pred_items[p] for p in taken]}
    found = {int(h[0]): {"pred_indices": [k], "edit_distance": matrix[h[0]][h[1]]} for k, h in enumerate(hits)}
    final = merge_matches(found, {})
    recalculate_edit_distances(final, ign["norm"], preds["norm"])
    converted = convert_final_matches(final, ign["norm"], preds["norm"])
    merged = merge_duplicates_add_unmatched(converted, len(ign["norm"]), ign["ori"])
    for entry in merged:   # OmniDocBench removes entries from the list it walks: the next one is skipped
        _label_ignored(entry, merged, ign, preds, img)
    _original_indices(merged, ign["idx"], taken)
    return merged, taken


def _label_ignored(entry: dict, merged: list[dict], ign: dict, preds: dict, img: str) -> None:
    entry["gt_idx"] = entry["gt_idx"] if isinstance(entry["gt_idx"], list) else [entry["gt_idx"]]
    entry["pred_idx"] = entry["pred_idx"] if isinstance(entry["pred_idx"], list) else [entry["pred_idx"]]
    has_gt, has_pred = entry["gt_idx"] != [""], entry["pred_idx"] != [""]
    entry["gt_position"] = [_position(ign["items"][i]) for i in entry["gt_idx"]] if has_gt else [""]
    entry["pred_position"] = preds["items"][entry["pred_idx"][0]]["position"][0] if has_pred else ""
    entry["gt"] = "".join(ign["ori"][i] for i in entry["gt_idx"]) if has_gt else ""
    entry["pred"] = "".join(preds["ori"][i] for i in entry["pred_idx"]) if has_pred else ""
    entry["norm_gt"] = "".join(ign["norm"][i] for i in entry["gt_idx"]) if has_gt else ""
    entry["norm_pred"] = "".join(preds["norm"][i] for i in entry["pred_idx"]) if has_pred else ""
    if has_gt:
        entry["gt_category_type"] = _majority([ign["cat"][i] for i in entry["gt_idx"]])
    else:
        entry["gt_category_type"] = ""
        entry["pred_category_type"] = category(preds["items"][entry["pred_idx"][0]]) if has_pred else ""
        if entry["pred_category_type"] == "equation_inline":
            merged.remove(entry)
    entry["pred_category_type"] = category(preds["items"][entry["pred_idx"][0]]) if has_pred else ""
    entry["gt_attribute"] = [ign["items"][i].get("attribute", {}) for i in entry["gt_idx"]] if has_gt else [{}]
    entry["img_id"] = img


def _majority(categories: list[str]) -> str:
    kept = [c for c in categories if c not in IGNORED]
    return Counter(kept or categories).most_common(1)[0][0]


def _match_rest(work: Work, lines, rest: dict, pred_keep: list[int], img: str) -> list[dict]:
    preds = {"norm": [lines.norm_pred[p] for p in pred_keep], "ori": [lines.pred[p] for p in pred_keep],
             "items": [lines.pred_items[p] for p in pred_keep]}
    cost = edit_matrix(rest["norm"], preds["norm"])
    work.charge(cost.size)
    matched_cols, rows, costs = cal_final_match(work, cost, rest["norm"], preds["norm"])
    matches, unmatched_gt, _ = process_matches(matched_cols, rows, costs, len(rest["norm"]))
    fuzzy = fuzzy_match_unmatched(work, unmatched_gt, rest["norm"], preds["norm"])
    final = merge_matches(matches, fuzzy)
    recalculate_edit_distances(final, rest["norm"], preds["norm"])
    converted = convert_final_matches(final, rest["norm"], preds["norm"])
    merged = merge_duplicates_add_unmatched(converted, len(rest["norm"]), rest["ori"])
    for entry in merged:   # OmniDocBench removes entries from the list it walks: the next one is skipped
        _label_rest(entry, merged, rest, preds, img)
    _original_indices(merged, rest["idx"], pred_keep)
    return merged


def _label_rest(entry: dict, merged: list[dict], rest: dict, preds: dict, img: str) -> None:
    if entry["gt_idx"] != [""]:
        entry["gt_category_type"] = _majority([rest["cat"][i] for i in entry["gt_idx"]])
    else:
        entry["gt_category_type"] = ""
        has_pred = entry["pred_idx"] != [""]
        entry["pred_category_type"] = category(preds["items"][entry["pred_idx"][0]]) if has_pred else ""
        if entry["pred_category_type"] == "equation_inline":
            merged.remove(entry)
    entry["gt_idx"] = entry["gt_idx"] if isinstance(entry["gt_idx"], list) else [entry["gt_idx"]]
    entry["pred_idx"] = entry["pred_idx"] if isinstance(entry["pred_idx"], list) else [entry["pred_idx"]]
    has_gt, has_pred = entry["gt_idx"] != [""], entry["pred_idx"] != [""]
    entry["gt_position"] = [_position(rest["items"][i]) for i in entry["gt_idx"]] if has_gt else [""]
    entry["pred_position"] = preds["items"][entry["pred_idx"][0]]["position"][0] if has_pred else ""
    formula = entry["gt_category_type"] == "equation_isolated"
    entry["gt"] = _joined(rest["ori"], entry["gt_idx"], formula) if has_gt else ""
    entry["pred_category_type"] = category(preds["items"][entry["pred_idx"][0]]) if has_pred else ""
    entry["gt_attribute"] = [rest["items"][i].get("attribute", {}) for i in entry["gt_idx"]] if has_gt else [{}]
    entry["img_id"] = img
    entry["pred"] = (_joined(preds["ori"], entry["pred_idx"], "equation" in entry["pred_category_type"])
                     if has_pred else "")
    if entry["gt_category_type"] == "circuit_diagram" and len(entry["gt_idx"]) > 1:
        entry["gt"] = "\n".join(rest["ori"][i].strip() for i in entry["gt_idx"])
    if "circuit_diagram" in entry["pred_category_type"] and len(entry["pred_idx"]) > 1 and has_pred:
        entry["pred"] = "\n".join(preds["ori"][i].strip() for i in entry["pred_idx"])
    entry["norm_gt"] = "".join(rest["norm"][i] for i in entry["gt_idx"]) if has_gt else ""
    entry["norm_pred"] = "".join(preds["norm"][i] for i in entry["pred_idx"]) if has_pred else ""


def _joined(lines: list[str], idx: list[int], formula: bool) -> str:
    """Lines joined; several formulas as one `array` (OmniDocBench's `.strip('$$')` strips every `$`)."""
    if formula and len(idx) > 1:
        rows = " \\\\ ".join("{" + lines[i].strip("$$").strip("\n") + "}" for i in idx)
        return "\\begin{array}{l} " + rows + " \\end{array}"
    return "".join(lines[i] for i in idx)


def _original_indices(merged: list[dict], gt_index: list, pred_index: list) -> None:
    """Each entry's indices into the filtered lists turned back into the page's own (both passes end so)."""
    for entry in merged:
        if isinstance(entry["gt_idx"], list) and entry["gt_idx"] != [""]:
            entry["gt_idx"] = [gt_index[i] for i in entry["gt_idx"]]
        if isinstance(entry["pred_idx"], list) and entry["pred_idx"] != [""]:
            entry["pred_idx"] = [int(pred_index[i]) for i in entry["pred_idx"]]
