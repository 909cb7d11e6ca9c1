"""OmniDocBench's end-to-end evaluation (`quick_match`) over a ground truth and a set of predictions.

The order is OmniDocBench's (`End2EndDataset.get_matched_elements`, `End2EndEval`): every page matched; display
formulas matched to a non-formula prediction read as text (pylatexenc) and scored with the text blocks;
LaTeX tables scored as empty (OmniDocBench converts them with LaTeXML, which it does not have either); then
edit distance, TEDS and the groups by attribute, element by element.
"""

from __future__ import annotations

import os
from typing import Mapping

from normalizer.errors import failure_message

from .html import normalized_html_table
from .metrics import edit_dist, label_groups, page_groups, per_page_edit, teds_scores
from .normalize import clean_string, latex_text
from .page import PageMatch, match_page
from .result import OmniResult, PageResult, Pair
from .teds import TooLarge, teds

CDM_NOTE = ("display_formula CDM is not computed: it renders formulas with TeX, which is not installed here; "
            "BLEU and METEOR are not computed either")
ELEMENTS = ("text_block", "display_formula", "table", "reading_order")


def image_name(page: dict) -> str:
    """The page's image file name (OmniDocBench's page identifier, with its extension).

    Example:
        >>> image_name({"page_info": {"image_path": "images/report_3.jpg"}})
        'report_3.jpg'
    """
    return os.path.basename((page.get("page_info") or {}).get("image_path") or "")


def _prediction(predictions: Mapping[str, str | None], img: str) -> str | None:
    """The prediction for an image, looked up as OmniDocBench looks for its file: `X.md`, then `X.mmd` or `X.md`
    without '.pdf' (nougat, marker), then `X.jpg.md` (MinerU)."""
    key = img[:-4]
    for candidate in (key, key.replace(".pdf", ""), img):
        text = predictions.get(candidate)
        if text is not None:
            return str(text).replace("\r\n", "\n").replace("\r", "\n")   # as Python reads a text file
    return None


def evaluate_pages(truth: list[dict], predictions: Mapping[str, str | None], skip_missing: bool = False) -> OmniResult:
    """OmniDocBench's end-to-end evaluation (see `exporters.eval.omnidocbench.evaluate`, which calls it).

    Example:
        >>> evaluate_pages([], {}).metric_result["table"]["all"]
        {'TEDS': {}, 'TEDS_structure_only': {}, 'Edit_dist': {'ALL_page_avg': 'NaN'}}
    """
    notes, missing = [CDM_NOTE], []
    samples: dict[str, list[dict]] = {"text_block": [], "display_formula": [], "table": [], "reading_order": []}
    latex: list[dict] = []
    keys: list[tuple[str, str, bool]] = []
    for page in truth:
        img = image_name(page)
        prediction = _prediction(predictions, img)
        if prediction is None:
            missing.append(img[:-4])
            if skip_missing:
                continue
        match = _match_safely(page, prediction or "", img, notes)
        keys.append((img[:-4], img, prediction is None))
        samples["text_block"] += match.text
        samples["display_formula"] += match.formula
        latex += match.latex_tables
        samples["table"] += match.html_tables
        if match.order:
            samples["reading_order"].append(match.order)
    _formulas_as_text(samples, notes)
    samples["table"] += [_emptied(table) for table in latex]
    _normalise_tables(samples["table"], notes)
    page_info = {image_name(page)[:-4]: (page.get("page_info") or {}).get("page_attribute") or {} for page in truth}
    metric_result = {element: _scored(element, samples[element], page_info, notes) for element in ELEMENTS}
    notes += _version_notes(bool(samples["table"]), bool(samples["text_block"]))
    return OmniResult(metric_result=metric_result, pages=_pages(keys, samples), missing=missing, notes=notes)


def _version_notes(tables: bool, texts: bool) -> list[str]:
    """Where the installed parsers are not the versions OmniDocBench pins (they read broken input differently)."""
    found = []
    if tables:
        from lxml import etree
        if etree.LIBXML_VERSION[:2] != (2, 9):
            found.append(f"tables parsed with libxml2 {'.'.join(map(str, etree.LIBXML_VERSION))} (lxml "
                         f"{'.'.join(map(str, etree.LXML_VERSION[:3]))}); OmniDocBench pins lxml 4.9.1 (libxml2 2.9), "
                         "which reads malformed tag names differently (well-formed tables are read alike)")
    if texts:
        import pylatexenc
        if pylatexenc.__version__ != "3.0alpha000030":
            found.append(f"inline formulas read with pylatexenc {pylatexenc.__version__}; OmniDocBench pins 3.0a30, "
                         "which reads broken LaTeX differently")
    return found


def _match_safely(page: dict, prediction: str, img: str, notes: list[str]) -> PageMatch:
    """One page's failure is its own: a page that cannot be matched is matched against an empty prediction."""
    try:
        return match_page(page, prediction, img, notes)
    except (Exception, RecursionError, MemoryError) as error:   # noqa: B014 (named: they are the point)
        notes.append(f"{img}: {failure_message(error)}; scored as an empty prediction")
        try:
            return match_page(page, "", img, notes)
        except (Exception, RecursionError, MemoryError) as second:   # noqa: B014
            notes.append(f"{img}: {failure_message(second)}; left out")
            return PageMatch([], [], [], [], [], {})


def _formulas_as_text(samples: dict[str, list[dict]], notes: list[str]) -> None:
    """Display formulas whose match is not a formula are read as text and scored with the text blocks (only if
    there is any text block at all, as in OmniDocBench)."""
    kept, moved = [], []
    for item in samples["display_formula"]:
        if item.get("pred_category_type") in ("equation_inline", "equation_isolated", ""):
            kept.append(item)
            continue
        try:
            item["gt"] = latex_text(item.get("gt"))
        except Exception as error:   # OmniDocBench stops here; the formula is kept as written
            notes.append(f"{item.get('img_id')}: formula not read as text ({failure_message(error)})")
        item["norm_gt"] = clean_string(item["gt"])
        moved.append(item)
    samples["display_formula"] = kept
    if moved and samples["text_block"]:
        samples["text_block"] += moved


def _emptied(table: dict) -> dict:
    return {**{k: ("" if "pred" in k else v) for k, v in table.items()}, "edit": 1}


def _normalise_tables(tables: list[dict], notes: list[str]) -> None:
    for table in tables:
        try:
            table["norm_gt"] = normalized_html_table(table["gt"])
            table["norm_pred"] = normalized_html_table(table["pred"])
        except (Exception, RecursionError) as error:   # noqa: B014
            notes.append(f"{table.get('img_id')}: table HTML not readable ({failure_message(error)}); scored as empty")
            table["norm_gt"] = table.get("norm_gt") if isinstance(table.get("norm_gt"), str) else ""
            table["norm_pred"] = ""


def _scored(element: str, samples: list[dict], page_info: dict, notes: list[str]) -> dict:
    result: dict = {}
    if element == "table":
        result.update(teds_scores(samples, _bounded_teds(notes)))
    result.update(edit_dist(samples))
    return {"all": result, "group": label_groups(samples), "page": page_groups(samples, page_info)}


def _bounded_teds(notes: list[str]):
    def score(pred: str, truth: str, structure_only: bool) -> float:
        try:
            return teds(pred, truth, structure_only)
        except TooLarge as error:
            notes.append(f"a table pair too large to align exactly ({error}); TEDS counted as 0")
            return 0.0
    return score


def _pages(keys: list[tuple[str, str, bool]], samples: dict[str, list[dict]]) -> list[PageResult]:
    edits = {element: per_page_edit(samples[element]) for element in ELEMENTS}
    by_image: dict[str, list[Pair]] = {}
    tables: dict[str, list[tuple[float, float]]] = {}
    for element in ("text_block", "display_formula", "table"):
        for s in samples[element]:
            metric = s.get("metric", {})
            by_image.setdefault(s["img_id"], []).append(Pair(
                element=element, gt_category=str(s.get("gt_category_type") or ""),
                pred_category=str(s.get("pred_category_type") or ""), gt=str(s.get("gt", "")),
                pred=str(s.get("pred", "")), norm_gt=str(s.get("norm_gt") or ""),
                norm_pred=str(s.get("norm_pred") or ""),
                edit=metric.get("Edit_dist"), teds=metric.get("TEDS"), teds_s=metric.get("TEDS_structure_only")))
            if element == "table":
                scores = (metric.get("TEDS", 0.0), metric.get("TEDS_structure_only", 0.0))
                tables.setdefault(s["img_id"], []).append(scores)
    orders = {s["img_id"]: s for s in samples["reading_order"]}
    out = []
    for key, img, was_missing in keys:
        scores = tables.get(img)
        out.append(PageResult(
            key=key, missing=was_missing, edit={element: edits[element].get(img) for element in ELEMENTS},
            teds=sum(t for t, _ in scores) / len(scores) if scores else None,
            teds_s=sum(s for _, s in scores) / len(scores) if scores else None, pairs=by_image.get(img, []),
            order_gt=orders.get(img, {}).get("gt", []), order_pred=orders.get(img, {}).get("pred", [])))
    return out
