"""The second half of OmniDocBench's `quick_match`: from the assignment to the list of matched pairs.

Ported statement for statement from `utils/match_quick.py` (`process_matches`, `fuzzy_match_unmatched_items`,
`merge_matches`, `recalculate_edit_distances`, `convert_final_matches`, `merge_duplicates_add_unmatched`),
sets and their iteration order included.
"""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from .lsa import linear_sum_assignment
from .quick_parts import Work, sub_gt_fuzzy


def process_matches(matched_cols: list, rows: list[int], costs: list[float], n_gt: int):
    """OmniDocBench's `process_matches`: assigned pairs kept unless they cost more than 0.7 (then both sides
    are unmatched again), so that a bad pairing does not hide a better one found later.

    Example:
        >>> process_matches([0, [1, 2]], [0, 1], [0.1, 0.9], 3)
        ({0: {'pred_indices': [0], 'edit_distance': 0.1}}, [1, 2], [1, 2])
    """
    matches: dict[int, dict] = {}
    unmatched_gt: list[int] = []
    unmatched_pred: list = []
    for i in range(n_gt):
        if i not in rows:
            unmatched_gt.append(i)
            continue
        at = rows.index(i)
        pred = matched_cols[at]
        span = list(range(pred[0], pred[-1] + 1)) if isinstance(pred, list) else [pred]
        if costs[at] > 0.7:
            unmatched_pred.extend(span)
            unmatched_gt.append(i)
        else:
            matches[i] = {"pred_indices": span, "edit_distance": costs[at]}
            for j in span:
                if j in unmatched_pred:
                    unmatched_pred.remove(j)
    return matches, unmatched_gt, unmatched_pred


def fuzzy_match_unmatched(work: Work, unmatched_gt: list[int], norm_gt: list[str], norm_pred: list[str]):
    """OmniDocBench's `fuzzy_match_unmatched_items`: each prediction (matched or not) gets the unmatched
    ground-truth blocks found inside it (a window within 0.4), which is how a merged paragraph collects its parts.

    Example:
        >>> fuzzy_match_unmatched(Work(10**6), [0], ["abc"], ["xxabcxx"])
        {0: [0]}
    """
    found: dict[int, list[int]] = {}
    for p, pred in enumerate(norm_pred):
        hits = [g for g in unmatched_gt if sub_gt_fuzzy(work, pred, norm_gt[g]) < 0.4]
        if hits:
            found[p] = hits
    return found


def merge_matches(matches: dict[int, dict], fuzzy: dict) -> dict[tuple, dict]:
    """OmniDocBench's `merge_matches`: the assigned and the fuzzy pairs by prediction, each ground-truth block
    given to the first prediction that claims it.

    Example:
        >>> merge_matches({0: {"pred_indices": [1], "edit_distance": 0.2}}, {1: [2]})
        {(1,): {'gt_indices': [0, 2], 'edit_distance': 0.2}}
    """
    final: dict[tuple, dict] = {}
    done: set[int] = set()
    for g, info in matches.items():
        key = tuple(sorted(info["pred_indices"]))
        if key in final:
            if g not in done:
                final[key]["gt_indices"].append(g)
                done.add(g)
        else:
            final[key] = {"gt_indices": [g], "edit_distance": info["edit_distance"]}
            done.add(g)
    for p, gts in fuzzy.items():
        key = (p,) if not isinstance(p, (list, tuple)) else tuple(sorted(p))
        if key in final:
            for g in gts:
                if g not in done:
                    final[key]["gt_indices"].append(g)
                    done.add(g)
        else:
            final[key] = {"gt_indices": [g for g in gts if g not in done], "edit_distance": None}
            done.update(final[key]["gt_indices"])
    return final


def _normalised(a: str, b: str) -> float:
    longest = max(len(a), len(b))
    return Levenshtein.distance(a, b) / longest if longest else 1


def recalculate_edit_distances(final: dict[tuple, dict], norm_gt: list[str], norm_pred: list[str]) -> None:
    """OmniDocBench's `recalculate_edit_distances`: each group's distance, its ground-truth blocks joined
    (against the first of its predictions only, as OmniDocBench does) or its predictions joined by spaces.

    Example:
        >>> final = {(0,): {"gt_indices": [0, 1], "edit_distance": None}}
        >>> recalculate_edit_distances(final, ["ab", "cd"], ["abcd"]); final[(0,)]["edit_distance"]
        0.0
    """
    for key, info in final.items():
        gts = sorted(set(info["gt_indices"]))
        if not gts:
            info["edit_distance"] = 1
        elif len(gts) > 1:
            pred = norm_pred[key[0]] if isinstance(key[0], int) else ""
            info["edit_distance"] = _normalised("".join(norm_gt[g] for g in gts), pred)
        else:
            pred = " ".join(norm_pred[p] for p in key if isinstance(p, int))
            info["edit_distance"] = _normalised(norm_gt[gts[0]], pred)
            info["pred_content"] = pred


def convert_final_matches(final: dict[tuple, dict], norm_gt: list[str], norm_pred: list[str]) -> list[dict]:
    """OmniDocBench's `convert_final_matches`: one entry per ground-truth block of each group, then what is left
    paired off by one more assignment at cost 1 (or the leftover predictions as one entry).

    Example:
        >>> [(e["gt_idx"], e["pred_idx"], e["edit"]) for e in convert_final_matches(
        ...     {(0,): {"gt_indices": [0], "edit_distance": 0.0}}, ["ab", "zz"], ["ab", "yy"])]
        [(0, [0], 0.0), (1, [1], 1)]
    """
    out: list[dict] = []
    all_gt = set(range(len(norm_gt)))
    all_pred = set(range(len(norm_pred)))
    for key, info in final.items():
        pred = " ".join(norm_pred[p] for p in key if isinstance(p, int))
        out += [{"gt_idx": int(g), "gt": norm_gt[g], "pred_idx": list(key), "pred": pred,
                 "edit": info["edit_distance"]} for g in sorted(set(info["gt_indices"]))]
    matched_gt = set().union(*[set(info["gt_indices"]) for info in final.values()])
    unmatched_gt = all_gt - matched_gt
    unmatched_pred = all_pred - set(p for key in final for p in key if isinstance(p, int))
    if unmatched_pred and unmatched_gt:
        gts, preds = list(unmatched_gt), list(unmatched_pred)
        matrix = [[_normalised(norm_gt[g], norm_pred[p]) for p in preds] for g in gts]
        rows, cols = linear_sum_assignment(matrix)
        out += [{"gt_idx": int(gts[i]), "gt": norm_gt[gts[i]], "pred_idx": [preds[j]], "pred": norm_pred[preds[j]],
                 "edit": 1} for i, j in zip(rows, cols)]
    elif unmatched_pred:
        out.append({"gt_idx": "", "gt": "", "pred_idx": list(unmatched_pred),
                    "pred": " ".join(norm_pred[p] for p in unmatched_pred), "edit": 1})
    elif not unmatched_pred:
        out += [{"gt_idx": int(g), "gt": norm_gt[g], "pred_idx": "", "pred": "", "edit": 1} for g in unmatched_gt]
    return out


def merge_duplicates_add_unmatched(converted: list[dict], n_gt: int, gt_lines: list[str]) -> list[dict]:
    """OmniDocBench's `merge_duplicates_add_unmatched`: entries of the same predictions merged into one, and the
    ground-truth blocks still unmatched added alone (their texts joined as OmniDocBench joins them).

    Example:
        >>> one = {"gt_idx": 0, "gt": "a", "pred_idx": [0], "pred": "ab", "edit": 0.5}
        >>> merged = merge_duplicates_add_unmatched([one, {**one, "gt_idx": 1, "gt": "b"}], 3, ["a", "b", "c"])
        >>> [(m["gt_idx"], m["gt"], m["pred_idx"]) for m in merged]
        [([0, 1], 'ab', [0]), ([2], 'c', [''])]
    """
    merged: list[dict] = []
    seen_pred: set[tuple] = set()
    seen_gt: set = set()
    for entry in converted:
        key = tuple(entry["pred_idx"]) if isinstance(entry["pred_idx"], list) else (entry["pred_idx"],)
        if key in seen_pred or key == ("",):
            continue
        out = {"gt_idx": [entry["gt_idx"]], "gt": entry["gt"], "pred_idx": entry["pred_idx"], "pred": entry["pred"],
               "edit": entry["edit"]}
        for other in converted:
            other_key = tuple(other["pred_idx"]) if isinstance(other["pred_idx"], list) else (other["pred_idx"],)
            if other_key == key and other is not entry:
                out["gt_idx"].append(other["gt_idx"])
                out["gt"] += other["gt"]
                seen_gt.add(other["gt_idx"])
        merged.append(out)
        seen_pred.add(key)
        seen_gt.add(entry["gt_idx"])
    merged += [{"gt_idx": [g], "gt": gt_lines[g], "pred_idx": [""], "pred": "", "edit": 1}
               for g in range(n_gt) if g not in seen_gt]
    return merged
