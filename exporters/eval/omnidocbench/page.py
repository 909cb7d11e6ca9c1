"""One page as OmniDocBench's end-to-end dataset builds it (`dataset/end2end_dataset.py`): the ground truth's
truncated blocks merged, tables paired first, everything else quick-matched, the pairs sorted into text
blocks, display formulas and reading order.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from .extract import md_tex_filter
from .lines import TEXT_CATEGORIES
from .normalize import clear_caches
from .quick import match_quick
from .quick_parts import OverBudget, Work
from .simple import match_simple

MIX = ('text_block', 'title', 'code_txt', 'code_txt_caption', 'reference', 'equation_caption', 'figure_caption',
       'figure_footnote', 'table_caption', 'table_footnote', 'code_algorithm', 'code_algorithm_caption', 'header',
       'footer', 'page_footnote', 'page_number', 'equation_isolated', 'circuit_diagram', 'circuit_caption',
       'circuit_footnote')
TEXT_IGNORED = ('figure_caption', 'figure_footnote', 'table_caption', 'table_footnote', 'code_algorithm',
                'code_algorithm_caption', 'header', 'footer', 'page_footnote', 'page_number', 'equation_caption')
QUICK_BUDGET = 30_000_000   # one page's quick match, in window comparisons (OmniDocBench allows it 30 seconds)


class PageMatch(NamedTuple):
    """What one page contributes: its text, formula, circuit and table pairs, and its reading-order sample."""

    text: list[dict]
    formula: list[dict]
    circuit: list[dict]
    latex_tables: list[dict]
    html_tables: list[dict]
    order: dict


def page_elements(page: dict) -> dict[str, list[dict]]:
    """The ground truth's blocks by category, the blocks of each `truncated` relation merged into one (its
    text the texts in order, filed under the first block's category, after the others).

    Example:
        >>> page = {"layout_dets": [{"anno_id": 1, "category_type": "text_block", "order": 1, "text": "Hel"},
        ...                         {"anno_id": 2, "category_type": "text_block", "order": 2, "text": "lo"}],
        ...         "extra": {"relation": [{"relation_type": "truncated", "source_anno_id": 1, "target_anno_id": 2}]}}
        >>> [b["text"] for b in page_elements(page)["text_block"]]
        ['Hello']
    """
    groups: list[list] = []
    truncated: dict = {}
    for relation in (page.get("extra") or {}).get("relation", []):
        if relation.get("relation_type") != "truncated":
            continue
        source, target = relation["source_anno_id"], relation["target_anno_id"]
        truncated[source] = truncated[target] = ""
        joined = False
        for group in groups:
            if source in group or target in group:
                group += [source, target]
                joined = True
        if not joined:
            groups.append([source, target])
    elements: defaultdict[str, list[dict]] = defaultdict(list)
    for item in page.get("layout_dets", []):
        if item.get("anno_id") not in truncated:
            elements[item["category_type"]].append(item)
        else:
            truncated[item["anno_id"]] = item
    for group in groups:
        blocks = sorted((truncated[key] for key in group if isinstance(truncated[key], dict)),
                        key=lambda block: block["order"])
        if blocks:
            elements[blocks[0]["category_type"]].append({
                "category_type": blocks[0]["category_type"], "order": blocks[0]["order"],
                "anno_id": blocks[0]["anno_id"], "text": "".join(b.get("text", "") for b in blocks),
                "merge_list": blocks})
    return elements


def _by_order(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda item: item["order"] if item.get("order") else 0)


def match_page(page: dict, prediction: str, img: str, notes: list[str]) -> PageMatch:
    """OmniDocBench's `process_get_matched_elements` for one page.

    Why: the unit OmniDocBench scores; a page's pairs are independent of every other page.

    Example:
        >>> page = {"layout_dets": [{"anno_id": 1, "category_type": "text_block", "order": 1, "text": "Hello"}],
        ...         "page_info": {"image_path": "p.jpg"}}
        >>> match = match_page(page, "Hello", "p.jpg", [])
        >>> [(t["gt"], t["pred"], t["edit"]) for t in match.text], match.order["edit"]
        ([('Hello', 'Hello', 0.0)], 0.0)
    """
    clear_caches()   # normalisations are remembered within a page, never across pages
    predicted = md_tex_filter(prediction, notes)
    elements = page_elements(page)
    mix = [item for kind, items in predicted.items() if kind not in ("html_table", "latex_table", "md2html_table")
           for item in items]
    gt_mix = _by_order([item for kind in MIX for item in elements.get(kind, [])])
    latex_tables: list[dict] = []
    html_tables: list[dict] = []
    if elements.get("table"):
        latex_tables, html_tables, leftover = _tables(_by_order(elements["table"]), predicted, img)
        mix += leftover or []
    try:
        pairs = match_quick(gt_mix, mix, img, Work(QUICK_BUDGET))
    except OverBudget:
        notes.append(f"{img}: quick match ran over its budget of {QUICK_BUDGET:,} comparisons; matched by one "
                     "assignment instead, as OmniDocBench does when its 30-second timeout strikes")
        pairs, _ = match_simple(gt_mix, mix, "text_all", img)
    except ValueError:   # overlapping merges: OmniDocBench's whole run stops on this page
        notes.append(f"{img}: quick match found overlapping merges (OmniDocBench stops there); matched by one "
                     "assignment instead")
        pairs, _ = match_simple(gt_mix, mix, "text_all", img)
    text = [p for p in pairs if p.get("gt_category_type") in TEXT_CATEGORIES]
    formula = [p for p in pairs if p.get("gt_category_type") == "equation_isolated" and p["gt_idx"] != [""]]
    circuit = [p for p in pairs if p.get("gt_category_type") == "circuit_diagram" and p["gt_idx"] != [""]]
    text = [p for p in text if p["gt_category_type"] not in TEXT_IGNORED]
    return PageMatch(text, formula, circuit, latex_tables, html_tables, order_pair(text, img) if text else {})


def _tables(gt_tables: list[dict], predicted: dict, img: str) -> tuple[list[dict], list[dict], list | None]:
    latex, html = predicted.get("latex_table", []), predicted.get("html_table", [])
    if not latex and not html:
        pairs, leftover = match_simple(gt_tables, [], "html_table", img)
        return [], [p for p in pairs if p["gt_idx"] != [""]], leftover
    if len(latex) > len(html):
        pairs, leftover = match_simple(gt_tables, latex, "latex_table", img)
        return [p for p in pairs if p["gt_idx"] != [""]], [], leftover
    pairs, leftover = match_simple(gt_tables, html, "html_table", img)
    return [], [p for p in pairs if p["gt_idx"] != [""]], leftover


def order_pair(text_pairs: list[dict], img: str) -> dict:
    """OmniDocBench's reading-order sample: the ground-truth orders of the matched blocks, sorted by where the
    prediction put them, against all the ground-truth orders sorted.

    Example:
        >>> order_pair([{"gt_position": [1], "pred_position": 20}, {"gt_position": [2], "pred_position": 5}], "p")
        {'gt': [1, 2], 'pred': [2, 1], 'img_id': 'p', 'edit': 1.0}
    """
    from rapidfuzz.distance import Levenshtein
    matched = [(p["gt_position"], p["pred_position"]) for p in text_pairs
               if p["gt_position"] != [""] and p["pred_position"] != ""]
    gt_all = [p["gt_position"] for p in text_pairs if p["gt_position"] != [""]]
    pred = [x for pair in sorted(matched, key=lambda m: m[1]) for x in pair[0] if x]
    gt = sorted(x for positions in gt_all for x in positions if x)
    if not pred and not gt:
        return {}
    return {"gt": gt, "pred": pred, "img_id": img, "edit": Levenshtein.distance(gt, pred) / max(len(pred), len(gt))}
