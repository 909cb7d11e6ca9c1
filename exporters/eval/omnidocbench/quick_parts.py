"""The steps of OmniDocBench's `quick_match` (`utils/match_quick.py`), ported statement for statement.

Predicted paragraphs that one ground-truth block was split into are merged first (`deal_with_truncated`), the
blocks are then paired by an optimal assignment, pairs costing more than 0.7 undone, leftover ground truth
found inside a longer prediction by sliding a window over it, and what is still left paired off at cost 1.
The list and set operations are OmniDocBench's own, in its order: which of several equal candidates wins
depends on them (a set's iteration order, a list mutated while it is read), so they are kept as they are.
The sliding windows are exact but pruned (an edit distance is only computed up to the best one so far), and
all the comparisons of one page count against a budget (OmniDocBench gives a page 30 seconds instead).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import Levenshtein

from .lines import edit_matrix
from .lsa import linear_sum_assignment


JUDGE_COST = 20   # a merge test costs OmniDocBench about as much as twenty window comparisons


class OverBudget(Exception):
    """A page's matching took more comparisons than its budget (OmniDocBench's 30-second timeout)."""


class Work:
    """The comparisons a page may still make, and the window minima already computed."""

    def __init__(self, budget: int) -> None:
        self.left = budget
        self.windows: dict[tuple[str, str, int], int] = {}
        self.counts: dict[str, Counter] = {}
        self.fuzzy: dict[tuple[str, str], float | bool] = {}

    def charge(self, count: int) -> None:
        """Count some work against the page's budget; OverBudget once it is spent (the caller falls back).

        Example:
            >>> Work(5).charge(3)
        """
        self.left -= count
        if self.left < 0:
            raise OverBudget

    def window_min(self, long: str, short: str, limit: int) -> int:
        """The least edit distance between `short` and a window of `long` as long as `short`, exact up to
        `limit` (limit + 1 when it is larger: the callers only compare it with a threshold).

        Example:
            >>> Work(100).window_min("the cat sat", "cut", 2), Work(100).window_min("the cat sat", "dog", 1)
            (1, 2)
        """
        key = (long, short, limit)
        if key not in self.windows:
            self.charge(len(long) - len(short) + 1)
            if short in long:
                self.windows[key] = 0
            elif len(short) - self._shared(long, short) > limit:
                self.windows[key] = limit + 1   # no window shares enough characters with short
            else:
                self.windows[key] = _window_min(long, short, limit)
        return self.windows[key]

    def _shared(self, long: str, short: str) -> int:
        """How many characters of short (as a multiset) occur in long: a window of long the length of short is
        at least that many minus the length away from it, since each kept character needs its equal."""
        counts = [self.counts.get(text) or self.counts.setdefault(text, Counter(text)) for text in (long, short)]
        return sum(min(n, counts[0][c]) for c, n in counts[1].items())


@lru_cache(maxsize=4096)
def _largest(length: int, threshold: float, strict: bool) -> int:
    """The largest edit count d with d / length <= threshold (< threshold if strict), in float arithmetic."""
    d = int(threshold * length) + 1
    while d >= 0 and (d / length >= threshold if strict else d / length > threshold):
        d -= 1
    return d


_WINDOW_CHARS = 2_000_000   # characters of windows handed to rapidfuzz at once


def _window_min(long: str, short: str, limit: int) -> int:
    from rapidfuzz.process import extractOne
    width, count = len(short), len(long) - len(short) + 1
    best = limit + 1
    step = max(1, _WINDOW_CHARS // max(width, 1))
    for start in range(0, count, step):
        windows = [long[i:i + width] for i in range(start, min(count, start + step))]
        found = extractOne(short, windows, scorer=Levenshtein.distance, score_cutoff=best - 1)
        if found is not None:
            best = min(best, int(found[1]))
        if best == 0:
            break
    return best


def _ratio(a: str, b: str) -> float:
    return Levenshtein.distance(a, b) / max(len(a), len(b))


def sub_pred_fuzzy(work: Work, gt: str, pred: str, threshold: float = 0.6) -> float | bool:
    """OmniDocBench's `sub_pred_fuzzy_matching` (the best window of gt for pred, over pred's length): is this
    prediction a piece of that block? Exact up to the threshold it is compared with (above it, some value above).

    Example:
        >>> sub_pred_fuzzy(Work(100), "hello world", "wor1d"), sub_pred_fuzzy(Work(100), "ab", "abc")
        (0.2, False)
    """
    key = (gt, pred)
    found = work.fuzzy.get(key)
    if found is None:
        found = work.fuzzy[key] = (work.window_min(gt, pred, _largest(len(pred), threshold, strict=False)) / len(pred)
                                   if len(gt) >= len(pred) > 0 else False)
    return found


def sub_gt_fuzzy(work: Work, pred: str, gt: str, threshold: float = 0.4) -> float:
    """OmniDocBench's `sub_gt_fuzzy_matching`: is this block a piece of that prediction? Exact below the
    threshold it is compared with.

    Example:
        >>> sub_gt_fuzzy(Work(100), "hello world", "wor1d")
        0.2
    """
    if len(pred) >= len(gt) > 0:
        return work.window_min(pred, gt, _largest(len(gt), threshold, strict=True)) / len(gt)
    return 1


def judge_pred_merge(work: Work, gt: str, preds: list[str], threshold: float = 0.6) -> tuple[bool, bool]:
    """OmniDocBench's `judge_pred_merge`: should the last prediction join the ones before it to match this
    block (and may more follow)?

    Example:
        >>> judge_pred_merge(Work(10**6), "one two three four", ["one two", "three four"])
        (True, True)
    """
    if len(preds) == 1:
        return False, False
    current, merged = " ".join(preds[:-1]), " ".join(preds)
    work.charge(JUDGE_COST + len(preds))   # OmniDocBench slides a window for every one of them, every time
    if _ratio(gt, merged) > _ratio(gt, current):
        return False, False
    for pred in preds[:-1]:
        dist = sub_pred_fuzzy(work, gt, pred)
        if dist is False or dist > threshold:
            return False, False
    added = sub_pred_fuzzy(work, gt, preds[-1])
    if added is False:
        return False, False
    return added < threshold, len(merged) <= len(gt)


def _merged_run(work: Work, gt: str, norm_pred: list[str], start: int, masked: set[int]) -> int:
    step = 1
    merged = [norm_pred[start]]
    while start + step not in masked and start + step < len(norm_pred):
        merged.append(norm_pred[start + step])
        flag, go_on = judge_pred_merge(work, gt, merged)
        if not flag:
            break
        step += 1
        if not go_on:
            break
    return step


def deal_with_truncated(work: Work, cost: np.ndarray, norm_gt: list[str], norm_pred: list[str]):
    """OmniDocBench's `deal_with_truncated`: predicted paragraphs merged where together they are closer to a
    ground-truth block left unpaired (a block the model split in two); the cost matrix, lines and index groups.

    Example:
        >>> import numpy as np
        >>> deal_with_truncated(Work(10**6), np.array([[0.5, 0.6]]), ["one two three"], ["one two", "three"])[2]
        [[0, 1]]
    """
    first = np.argwhere(cost < 0.25)
    masked_gt = {int(i[0]) for i in first}
    masked_pred = {int(i[1]) for i in first}
    free_pred = [j for j in range(cost.shape[1]) if j not in masked_pred]
    subsets, subset_costs = [], []
    for g in (i for i in range(cost.shape[0]) if i not in masked_gt):
        candidates, costs = [], []
        for p in free_pred:
            step = _merged_run(work, norm_gt[g], norm_pred, p, masked_pred)
            candidates.append(list(range(p, p + step)))
            work.charge(JUDGE_COST)
            costs.append(_ratio(norm_gt[g], " ".join(norm_pred[p:p + step])))
        if costs and candidates[costs.index(min(costs))]:
            subsets.append(candidates[costs.index(min(costs))])
            subset_costs.append(min(costs))
    final = get_final_subset(subsets, subset_costs)
    if not final:
        return cost, norm_pred, range(len(norm_pred))
    index_list = merge_lists_with_sublists(range(len(norm_pred)), final)
    lines = [" ".join(norm_pred[x[0]:x[-1] + 1]) if isinstance(x, list) else norm_pred[x] for x in index_list]
    return edit_matrix(norm_gt, lines), lines, index_list


def get_final_subset(subsets: list[list[int]], costs: list[float]) -> list[list[int]]:
    """OmniDocBench's `get_final_subset`: among overlapping merge candidates, the run of disjoint ones with the
    least average cost.

    Example:
        >>> get_final_subset([[0, 1], [1, 2], [4, 5]], [0.3, 0.1, 0.2])
        [[1, 2], [4, 5]]
    """
    if not subsets or not costs:
        return []
    pairs = sorted([(a, b) for a, b in zip(subsets, costs)], key=lambda x: x[0][0])
    groups: defaultdict[int, list] = defaultdict(list)
    group = 0
    groups[group].append(pairs[0])
    for item in pairs[1:]:
        if any(idx in subset[0] for subset in groups[group] for idx in item[0]):
            groups[group].append(item)
        else:
            group += 1
            groups[group].append(item)
    final: list[list[int]] = []
    for members in groups.values():
        if len(members) == 1:
            final.append(members[0][0])
        else:
            final.extend(_best_path(members))
    return final


def _best_path(members: list) -> list[list[int]]:
    paths: defaultdict[int, list] = defaultdict(list)
    paths[0].append(members[0])
    for subset in members[1:]:
        new_path = True
        for key, items in paths.items():
            is_dup = is_same = False
            for item in items:   # the list may change while it is read, as in OmniDocBench
                if item[0] == subset[0]:
                    is_dup = is_same = True
                    if item[1] > subset[1]:
                        paths[key].pop(paths[key].index(item))
                        paths[key].append(subset)
                elif any(a == b for a in item[0] for b in subset[0]):
                    is_dup = True
            if not is_dup:
                paths[key].append(subset)
                new_path = False
            if is_same:
                new_path = False
        if new_path:
            paths[len(paths)].append(subset)
    best_cost, best = float("inf"), []
    for path in paths.values():
        average = sum(i[1] for i in path) / len(path)
        if average < best_cost:
            best, best_cost = [i[0] for i in path], average
    return best


def merge_lists_with_sublists(main: range, subs: list[list[int]]) -> list:
    """OmniDocBench's `merge_lists_with_sublists`: the prediction indices with each merged run as one list.

    Example:
        >>> merge_lists_with_sublists(range(4), [[1, 2]])
        [0, [1, 2], 3]
    """
    out: list = list(main)
    for sub in subs:
        at = out.index(sub[0])   # ValueError on overlapping merges: OmniDocBench stops the whole run there
        for _ in sub:
            out.pop(at)
        out.insert(at, sub)
    return out


def cal_final_match(work: Work, cost: np.ndarray, norm_gt: list[str], norm_pred: list[str]):
    """OmniDocBench's `cal_final_match`: split predictions merged, then one optimal assignment; the matched
    prediction (index or merged run) of each assigned row, the rows, and their costs.

    Example:
        >>> import numpy as np
        >>> cal_final_match(Work(10**6), np.array([[0.0, 1.0], [1.0, 0.1]]), ["ab", "cd"], ["ab", "ce"])
        ([0, 1], [0, 1], [0.0, 0.1])
    """
    new_cost, _, index_list = deal_with_truncated(work, cost, norm_gt, norm_pred)
    rows, cols = linear_sum_assignment(new_cost)
    return [index_list[c] for c in cols], rows, [float(new_cost[r][c]) for r, c in zip(rows, cols)]
