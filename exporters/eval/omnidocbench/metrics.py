"""OmniDocBench's metrics and their layout (`metrics/cal_metric.py`, `metrics/show_result.py`): the edit distance
three ways (`ALL_page_avg`: the mean over pages of each page's summed edits over its summed lengths;
`edit_whole`: summed over everything; `edit_sample_avg`: the mean per pair), TEDS and TEDS-S as means over
tables, the means by ground-truth attribute (`group`) and by page attribute (`page`).

Means are taken in pandas' order (pages sorted by name) with numpy's summation, so the figures match
OmniDocBench's to the last digit, without pandas.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

NAN = float("nan")


def _image_name(img_id: str) -> str:
    return img_id if img_id.endswith((".jpg", ".png")) else "_".join(img_id.split("_")[:-1])


def _mean(values: list[float]) -> float:
    """pandas' `mean`: NaN counted as 0 in numpy's (pairwise) sum and left out of the count."""
    array = np.array(values, dtype=float)
    missing = np.isnan(array)
    count = len(values) - int(missing.sum())
    return float(np.where(missing, 0.0, array).sum() / count) if count else NAN


def _ratio(num: float, den: float) -> float:
    return num / den if den else NAN


def _compared(sample: dict) -> tuple:
    gt = sample["norm_gt"] if sample.get("norm_gt") else sample["gt"]
    pred = sample["norm_pred"] if sample.get("norm_pred") else sample["pred"]
    return gt, pred


def edit_dist(samples: list[dict]) -> dict:
    """OmniDocBench's `call_Edit_dist`: each sample's edit distance (stored in it) and the three averages.

    Example:
        >>> samples = [{"gt": "abcd", "pred": "abce", "img_id": "p.jpg"}, {"gt": "xy", "pred": "", "img_id": "q.jpg"}]
        >>> edit_dist(samples)["Edit_dist"]
        {'ALL_page_avg': 0.625, 'edit_whole': 0.5, 'edit_sample_avg': 0.625}
    """
    from rapidfuzz.distance import Levenshtein
    for sample in samples:
        sample["image_name"] = _image_name(sample["img_id"])
        gt, pred = _compared(sample)
        sample["upper_len"] = max(len(pred), len(gt))
        if len(pred) > 0 or len(gt) > 0:
            edits = Levenshtein.distance(pred, gt)
            sample.setdefault("metric", {})["Edit_dist"] = edits / sample["upper_len"]
            sample["Edit_num"] = edits
    if not samples:
        return {"Edit_dist": {"ALL_page_avg": "NaN"}}
    pages: dict[str, list[int]] = {}
    for sample in samples:
        totals = pages.setdefault(sample["image_name"], [0, 0])
        totals[0] += sample.get("Edit_num", 0)
        totals[1] += sample["upper_len"]
    per_page = [_ratio(*pages[name]) for name in sorted(pages)]
    edits = sum(s.get("Edit_num", 0) for s in samples)
    whole = _ratio(edits, sum(s["upper_len"] for s in samples))
    return {"Edit_dist": {"ALL_page_avg": _mean(per_page), "edit_whole": whole,
                          "edit_sample_avg": _mean([s["Edit_num"] / s["upper_len"] if "Edit_num" in s else NAN
                                                    for s in samples])}}


def per_page_edit(samples: list[dict]) -> dict[str, float]:
    """Each page's edit distance (its summed edits over its summed lengths), by image name, as OmniDocBench's
    `*_per_page_edit.json` (after `edit_dist` has annotated the samples).

    Example:
        >>> samples = [{"gt": "ab", "pred": "ab", "img_id": "p.jpg"}]
        >>> _ = edit_dist(samples); per_page_edit(samples)
        {'p.jpg': 0.0}
    """
    pages: dict[str, list[int]] = {}
    for sample in samples:
        totals = pages.setdefault(sample["image_name"], [0, 0])
        totals[0] += sample.get("Edit_num", 0)
        totals[1] += sample["upper_len"]
    return {name: _ratio(*pages[name]) for name in sorted(pages)}


def teds_scores(samples: list[dict], score) -> dict:
    """OmniDocBench's `call_TEDS`: each table's TEDS and TEDS-S (stored in it) and their means.

    Example:
        >>> t = '<html><body><table border="1" ><tr><td>1</td></tr></table></body></html>'
        >>> from .teds import teds
        >>> teds_scores([{"gt": t, "pred": t, "img_id": "p.jpg"}], teds)
        {'TEDS': {'all': 1.0}, 'TEDS_structure_only': {'all': 1.0}}
    """
    full, structure = [], []
    for sample in samples:
        gt, pred = _compared(sample)
        full.append(score(pred, gt, False))
        structure.append(score(pred, gt, True))
        sample.setdefault("metric", {}).update({"TEDS": full[-1], "TEDS_structure_only": structure[-1]})
    if not samples:
        return {"TEDS": {}, "TEDS_structure_only": {}}
    return {"TEDS": {"all": sum(full) / len(full)}, "TEDS_structure_only": {"all": sum(structure) / len(structure)}}


def _sorted(d):
    return {k: _sorted(v) for k, v in sorted(d.items())} if isinstance(d, dict) else d


def label_groups(samples: list[dict]) -> dict:
    """OmniDocBench's `get_full_labels_results`: each metric's mean by ground-truth attribute ('language: x').

    Example:
        >>> label_groups([{"gt_attribute": [{"language": "en"}], "metric": {"Edit_dist": 0.5}}])
        {'Edit_dist': {'language: en': 0.5}, 'sample_count': {'language: en': 1}}
    """
    groups: defaultdict[str, dict[str, list[float]]] = defaultdict(dict)
    for sample in samples:
        if not sample.get("gt_attribute"):
            continue
        labels = {f"{k}: {v}" for anno in sample["gt_attribute"] for k, v in anno.items()}
        for label in sorted(labels):
            for metric, score in sample.get("metric", {}).items():
                groups[label].setdefault(metric, []).append(score)
    result: dict = {"sample_count": {}}
    for label, metrics in groups.items():
        for metric, scores in metrics.items():
            result.setdefault(metric, {})[label] = sum(scores) / len(scores)
            result["sample_count"][label] = len(scores)
    return _sorted(result)


def page_groups(samples: list[dict], page_info: dict[str, dict]) -> dict:
    """OmniDocBench's `get_page_split`: each metric's mean over pages, by page attribute ('ALL',
    'data_source: book', and each special issue not about tables); the edit distance summed within a page.

    Example:
        >>> page_groups([{"img_id": "p.jpg", "gt": "ab", "pred": "ab", "metric": {"Edit_dist": 0.0}}],
        ...             {"p": {"language": "english", "special_issue": ["fuzzy_scan"]}})
        {'Edit_dist': {'ALL': 0.0, 'fuzzy_scan': 0.0, 'language: english': 0.0}}
    """
    rows: defaultdict[str, list[tuple[str, str, float, int]]] = defaultdict(list)
    for sample in samples:
        name = sample["img_id"][:-4] if sample["img_id"].endswith((".jpg", ".png")) else _image_name(sample["img_id"])
        info = page_info.get(name, {})
        if not sample.get("metric"):
            continue
        gt, pred = _compared(sample)
        upper = max(len(gt), len(pred))
        for metric, score in sample["metric"].items():
            rows[metric].append((name, "ALL", score, upper))
            for key, value in info.items():
                if isinstance(value, list):
                    rows[metric] += [(name, issue, score, upper) for issue in value if "table" not in issue]
                else:
                    rows[metric].append((name, f"{key}: {value}", score, upper))
    result = {}
    for metric, entries in rows.items():
        cells: defaultdict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
        for name, attribute, score, upper in entries:
            cells[(name, attribute)].append((score, upper))
        by_attribute: defaultdict[str, list[float]] = defaultdict(list)
        for (name, attribute) in sorted(cells):
            by_attribute[attribute].append(_page_value(cells[(name, attribute)], metric == "Edit_dist"))
        result[metric] = {attribute: _mean(values) for attribute, values in sorted(by_attribute.items())}
    return _sorted(result)


def _page_value(scores: list[tuple[float, int]], weighted: bool) -> float:
    if weighted:
        total = sum(upper for _, upper in scores)
        return _ratio(float(np.sum(np.array([s * u for s, u in scores], dtype=float))), total)
    return _mean([s for s, _ in scores])
