"""The docnorm protocol: each truth page against its prediction with what OmniDocBench cannot use, the boxes.

A page pair is diffed (exporters/diff: blocks matched by text whatever their order, merges and splits allowed),
giving content, segmentation, reading order, TEDS and TEDS-S; layout pairs boxes of the same kind by overlap
in page-relative coordinates (IoU at least 0.5, best first). A truth page with no prediction is scored against
an empty page. Page scores are averaged over pages; per kind, over the truth's blocks.
"""

from __future__ import annotations

from typing import Iterable

import msgspec

from normalizer.kinds import FURNITURE
from normalizer.schema import Document

from ..diff import diff
from ..diff.align import _frames, _iou
from .result import BlockError, Entry, KindScore, PageResult
from .sets import PageRef, Side, pair

IOU = 0.5            # a predicted box matches a truth box of its kind at this overlap or more
LAYOUT_BUDGET = 250_000   # box comparisons per kind and page, at most (layout is not scored beyond)
SHOWN_ERRORS = 30    # errors kept per page for the report, worst first
CUT = 300            # characters of a text kept in an error
PAGE_SCORES = ("content", "segmentation", "reading_order", "teds", "teds_s", "layout")


def one_page(ref: PageRef, furniture: bool = False) -> Document:
    """The page `ref` names as a document of its own (its blocks, its page, nothing of the rest); page furniture
    (running headers, footers, page numbers) left out unless `furniture`: OmniDocBench ignores it too, and a
    parser that drops it has lost nothing of the document."""
    doc = ref.doc
    blocks = [b for b in doc.blocks if b.page == ref.number and (furniture or b.kind not in FURNITURE)]
    return msgspec.structs.replace(doc, pages=[p for p in doc.pages if p.number == ref.number], blocks=blocks,
                                   chunks=[])


def _empty(truth: Document) -> Document:
    return Document(provider="none", format="none", pages=list(truth.pages))


class _Tally:
    """Per kind: blocks on each side, summed similarity of the truth's blocks, boxes matched."""

    def __init__(self) -> None:
        self.rows: dict[str, list[float]] = {}  # kind -> [truth, predicted, similarity, truth boxes, pred boxes, hits]

    def row(self, kind: str) -> list[float]:
        return self.rows.setdefault(kind, [0, 0, 0.0, 0, 0, 0])

    def scores(self) -> list[KindScore]:
        out = []
        for kind, (truth, predicted, similar, t_boxes, p_boxes, hits) in sorted(self.rows.items()):
            out.append(KindScore(kind=kind, truth=int(truth), predicted=int(predicted),
                                 content=similar / truth if truth else None,
                                 precision=hits / p_boxes if p_boxes else None,
                                 recall=hits / t_boxes if t_boxes else None))
        return out


def _layout(truth: Document, pred: Document, tally: _Tally) -> float | None:
    """F1 of boxes matched kind by kind (page-relative, IoU >= IOU, greedy best first); None without boxes."""
    ft, fp = _frames(truth), _frames(pred)
    if not ft or not fp:
        return None
    (wt, ht), (wp, hp) = next(iter(ft.values()), (1.0, 1.0)), next(iter(fp.values()), (1.0, 1.0))
    boxes_t: dict[str, list[list[float]]] = {}
    boxes_p: dict[str, list[list[float]]] = {}
    for blocks, boxes, (w, h) in ((truth.blocks, boxes_t, (wt, ht)), (pred.blocks, boxes_p, (wp, hp))):
        for b in blocks:
            if b.bbox:
                boxes.setdefault(b.kind, []).append([b.bbox[0] / w, b.bbox[1] / h, b.bbox[2] / w, b.bbox[3] / h])
    if not boxes_t or not boxes_p:
        return None
    hits = total_t = total_p = 0
    for kind in boxes_t.keys() | boxes_p.keys():
        ts, ps = boxes_t.get(kind, []), boxes_p.get(kind, [])
        matched = _matched(ts, ps)
        if matched is None:
            return None
        row = tally.row(kind)
        row[3] += len(ts)
        row[4] += len(ps)
        row[5] += matched
        hits, total_t, total_p = hits + matched, total_t + len(ts), total_p + len(ps)
    return 2 * hits / (total_t + total_p) if total_t + total_p else None


def _matched(ts: list[list[float]], ps: list[list[float]]) -> int | None:
    if len(ts) * len(ps) > LAYOUT_BUDGET:
        return None
    candidates = sorted(((iou, i, j) for i, t in enumerate(ts) for j, p in enumerate(ps)
                         if (iou := _iou(t, p) or 0.0) >= IOU), reverse=True)
    used_t: set[int] = set()
    used_p: set[int] = set()
    for _, i, j in candidates:
        if i not in used_t and j not in used_p:
            used_t.add(i)
            used_p.add(j)
    return len(used_t)


def _cut(text: str) -> str:
    return text if len(text) <= CUT else text[:CUT] + "…"


def _errors(result: object, truth: Document, pred: Document, tally: _Tally) -> list[BlockError]:
    """Per kind similarity of the truth's blocks, and the differences worth showing, worst first."""
    text_t = {b.id: b for b in truth.blocks}
    text_p = {b.id: b for b in pred.blocks}
    errors: list[BlockError] = []
    for b in truth.blocks:
        tally.row(b.kind)[0] += 1
    for b in pred.blocks:
        tally.row(b.kind)[1] += 1
    for p in result.pairs:  # type: ignore[attr-defined]
        similarity = 1.0 if p.status == "same" else (p.text_similarity or 0.0) if p.a and p.b else 0.0
        for block_id in p.a:
            tally.row(text_t[block_id].kind)[2] += similarity
        if p.status == "same":
            continue
        status = {"only_a": "missed", "only_b": "extra"}.get(p.status, p.status)
        if p.status == "split" and len(p.a) > 1:
            status = "merged"
        kind = (p.kind_a or p.kind_b or "other")
        errors.append(BlockError(status=status, kind=kind, similarity=similarity,  # type: ignore[arg-type]
                                 truth=_cut("\n".join(text_t[i].text for i in p.a)),
                                 predicted=_cut("\n".join(text_p[i].text for i in p.b))))
    errors.sort(key=lambda e: (e.similarity, -len(e.truth) - len(e.predicted)))
    return errors[:SHOWN_ERRORS]


def score_page(truth: PageRef, predicted: PageRef | None, tally: _Tally, furniture: bool = False) -> PageResult:
    """One truth page against its prediction (an empty page when there is none).

    Example:
        >>> from exporters.eval.sets import read_side
        >>> t = read_side(["tests/data/omnidocbench/mds/jiaocaineedrop_jiaocai_needrop_en_1898.md"]).pages[0]
        >>> score_page(t, t, _Tally()).scores["content"]
        1.0
    """
    page_t = one_page(truth, furniture)
    page_p = one_page(predicted, furniture) if predicted is not None else _empty(page_t)
    result = diff(page_t, page_p)
    s = result.scores
    scores = {"content": s.content if s.content is not None else (0.0 if page_t.blocks else None),
              "segmentation": s.segmentation, "reading_order": s.reading_order, "teds": s.teds, "teds_s": s.teds_s,
              "layout": _layout(page_t, page_p, tally) if predicted is not None else None}
    if predicted is None:  # nothing predicted: every score the truth page gives a chance at is 0
        has = {"reading_order": len(page_t.blocks) > 1, "teds": any(b.table for b in page_t.blocks),
               "layout": any(b.bbox for b in page_t.blocks)}
        scores.update({key: 0.0 for key, given in has.items() if given})
        if has["teds"]:
            scores["teds_s"] = 0.0
    return PageResult(key=truth.key, truth_file=truth.file, truth_page=truth.number,
                      prediction_file=predicted.file if predicted else None,
                      prediction_page=predicted.number if predicted else None, missing=predicted is None,
                      scores=scores, errors=_errors(result, page_t, page_p, tally))


def mean(values: Iterable[float | None]) -> float | None:
    """The mean of the values that are not None; None when there are none.

    Example:
        >>> mean([1.0, None, 0.5]), mean([None])
        (0.75, None)
    """
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def evaluate(truth: Side, predicted: Side, name: str, path: str, furniture: bool = False) -> Entry:
    """A prediction set scored against the truth under the docnorm protocol: per page (worst first), per kind,
    and the means; `overall` ranks it (the mean of content, reading order and, where the pages have them,
    TEDS and layout). Page furniture counts only with `furniture`.

    Example:
        >>> from exporters.eval.sets import read_side, files_of
        >>> t = read_side(files_of("tests/data/omnidocbench/mds"))
        >>> evaluate(t, t, "itself", "mds").scores["content"]
        1.0
    """
    pairs, unmatched = pair(truth.pages, predicted.pages)
    tally = _Tally()
    pages = [score_page(t, p, tally, furniture) for t, p in pairs]
    scores = {key: mean(page.scores.get(key) for page in pages) for key in PAGE_SCORES}
    scores["overall"] = mean(scores[k] for k in ("content", "reading_order", "teds", "layout"))
    pages.sort(key=lambda page: (page.scores.get("content") if page.scores.get("content") is not None else 2.0,
                                 page.key))
    return Entry(name=name, path=path, scores={"overall": scores.pop("overall"), **scores}, kinds=tally.scores(),
                 pages=pages, missing=[t.key for t, p in pairs if p is None], unmatched=unmatched,
                 failures=predicted.failures, truth_failures=truth.failures)
