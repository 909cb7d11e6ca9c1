"""OmniDocBench v1.5's end-to-end evaluation (`match_method: quick_match`), reproduced in docnorm's own code.

`evaluate(truth, predictions)` gives the figures OmniDocBench's `pdf_validation.py` writes to
`result/*_metric_result.json` (text blocks, display formulas, tables, reading order; overall, by ground-truth
attribute and by page attribute), and per page the pairs behind them. The Markdown is read as OmniDocBench
reads it (`extract.py`), normalised as it normalises (`normalize.py`, `html.py`), matched as it matches
(`quick.py`, `simple.py`, `lsa.py`: SciPy's assignment, ties broken the same way) and scored as it scores
(`metrics.py`, `teds.py`). What is left out or bounded is said in `OmniResult.notes`: CDM (it needs TeX),
and, on hostile input only, the budgets that keep every page's cost bounded.

The reference is the evaluator at bch9248/OmniDocBench d295eea (OmniDocBench v1.5 plus SPICE netlists for
circuit diagrams); on predictions without ```` ```spice ```` blocks it equals upstream v1.5.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from .result import OmniResult, PageResult, Pair

__all__ = ["evaluate", "load_truth", "load_predictions", "OmniResult", "PageResult", "Pair"]


def evaluate(truth: list[dict], predictions: Mapping[str, str | None], *, skip_missing: bool = False) -> OmniResult:
    """Score predicted Markdown pages against OmniDocBench's ground truth, exactly as OmniDocBench does.

    Why: OmniDocBench's own evaluator needs its environment (SciPy, pandas, APTED...) and minutes; this gives
    the same figures in docnorm, with the pairs of every page for a report.

    Args:
        truth: OmniDocBench page entries as loaded from its JSON (`layout_dets`, `page_info`, `extra`).
        predictions: Markdown by page key, the image file name without its extension (`X.jpg` -> `X`).
            A page without one (absent or None) is scored as an empty prediction and listed in `missing`.
        skip_missing: leave such pages out instead, as OmniDocBench does when a page has no file (they are
            still listed in `missing`).

    Returns:
        An OmniResult: `metric_result` (OmniDocBench's layout, key for key), `pages`, `missing`, `notes`.

    Example:
        >>> truth = [{"layout_dets": [{"anno_id": 0, "category_type": "text_block", "order": 1,
        ...                            "text": "Hello world", "attribute": {"text_language": "text_english"}}],
        ...           "page_info": {"image_path": "page_1.jpg", "page_attribute": {"language": "english"}},
        ...           "extra": {"relation": []}}]
        >>> result = evaluate(truth, {"page_1": "Hello word"})
        >>> round(result.metric_result["text_block"]["all"]["Edit_dist"]["ALL_page_avg"], 3)
        0.1
        >>> evaluate(truth, {}).missing
        ['page_1']
    """
    from .run import evaluate_pages
    return evaluate_pages(truth, predictions, skip_missing)


def load_truth(path: str | os.PathLike) -> list[dict]:
    """OmniDocBench's ground truth (its JSON: a list of page entries).

    Example:
        >>> len(load_truth("tests/data/omnidocbench/OmniDocBench_demo.json"))
        18
    """
    import orjson
    return orjson.loads(Path(path).read_bytes())


def load_predictions(folder: str | os.PathLike) -> dict[str, str]:
    """The predicted pages of a folder by key: each `X.md` (or `X.mmd`, nougat's) under the key `X`; read as
    OmniDocBench reads them (UTF-8, newlines made `\\n`), undecodable bytes replaced.

    Example:
        >>> pages = load_predictions("tests/data/omnidocbench/end2end")
        >>> len(pages), "jiaocaineedrop_Chapter9.pdf_46" in pages
        (18, True)
    """
    found: dict[str, str] = {}
    for suffix in (".mmd", ".md"):   # a .md wins over a .mmd of the same name, as OmniDocBench looks for it first
        for path in sorted(Path(folder).glob(f"*{suffix}")):
            if path.is_file():
                with open(path, encoding="utf-8", errors="replace") as handle:
                    found[path.name[:-len(suffix)]] = handle.read()
    return found
