"""MinerU's `model.json` (`*_model.json`, the pipeline backend's raw model output, MinerU 0.x to 2.x): one entry per
page, `{"layout_dets": [...], "page_info": {"page_no", "width", "height"}}`, each detection
`{category_id, poly, score}` with the `latex` of a formula, the `html` of a table or the `text` of an OCR line.

The frame it reads: `poly` is the four corners `[x0, y0, x1, y0, x1, y1, x0, y1]` in pixels of the page image the
models ran on (`page_info.width` x `height`; MinerU 2 renders at 200 dpi), top-left origin: pages in `px`;
`page_no` counts from 0. A polygon that is no upright rectangle is boxed and kept in extra as it came.

Category ids are MinerU's `CategoryId` (`mineru/utils/enum_class.py`, the DocLayout-YOLO classes 0-9 and the formula
and OCR models' 13-16): the layout regions become blocks (`KINDS`; the id stays in `extra.category_id`) and their
scores confidences; the span detections (`SPANS`: OCR text 15 and low-score text 16, inline formulas 13 as `$…$`,
isolated formulas 14 as their LaTeX) are read into the region holding half or more of them, as its lines (spans on
one line joined), so a text region has the text of its OCR lines and a formula region (8) the LaTeX of its formula
(14). A span no region holds is a block of its own. Captions, footnotes and equation numbers are tied to the
nearest figure, table or formula (`TIES`), as MinerU ties them by distance.

Reading order: model.json has none (MinerU orders blocks later, in middle.json); blocks are read in the order of
`reading_order` (an XY cut that keeps columns whole), a block without a box after the page's others.
"""

from __future__ import annotations

from typing import Any

from ..build import PageBlocks, compact, finish, zero_based_page
from ..errors import Repairs, describe
from ..geometry import checked_box, finite_numbers
from ..kit import kind_of, read_table
from ..reading_order import reading_order
from ..schema import BBox, Block, Document, Job, Line, Page, Word
from ..typed import Raw, decode_as
from .mineru import PROVIDER

FORMAT = "mineru.model"
KINDS = {"0": "heading", "1": "paragraph", "2": "other", "3": "figure", "4": "caption", "5": "table",
         "6": "caption", "7": "footnote", "8": "formula", "9": "caption", "101": "footnote",
         # span categories, as the block of a span no region holds
         "13": "formula", "14": "formula", "15": "paragraph", "16": "paragraph"}
SPANS = frozenset({13, 14, 15, 16})  # read into the region that holds them
TIES = {4: "figure", 6: "table", 7: "table", 9: "formula", 101: "figure"}  # caption/footnote id -> what it belongs to
PAIRS = 250_000  # span x region (and caption x subject) pairs looked at on one page; past it, no ties are made


class Det(Raw, kw_only=True):
    category_id: int | None = None
    poly: Any = None
    score: float | None = None
    latex: str | None = None
    html: str | None = None
    text: str | None = None


class PageInfo(Raw, kw_only=True):
    page_no: int | None = None
    width: float | None = None
    height: float | None = None


class MPage(Raw, kw_only=True):
    layout_dets: list[Det] | None = None
    page_info: PageInfo | None = None


Shape = list[MPage]  # what the input decodes into


def convert(raw: Any, repairs: Repairs) -> list[Document]:
    """One Document: a `px` page per entry, its detections as blocks in reading order.

    Example:
        >>> doc, = convert(b'[{"layout_dets": [{"category_id": 0, "poly": [10, 10, 90, 10, 90, 30, 10, 30], '
        ...                b'"score": 0.95}, {"category_id": 15, "poly": [12, 12, 80, 12, 80, 28, 12, 28], '
        ...                b'"score": 1.0, "text": "Results"}], "page_info": {"page_no": 0, "width": 100, '
        ...                b'"height": 100}}]', Repairs())
        >>> b = doc.blocks[0]
        >>> b.kind, b.text, b.bbox, b.confidence
        ('heading', 'Results', [10.0, 10.0, 90.0, 30.0], 0.95)
    """
    pages = decode_as(raw, Shape, repairs)
    doc = Document(provider=PROVIDER, format=FORMAT, job=Job(status="succeeded", page_count=len(pages)))
    for k, mp in enumerate(pages):
        info = mp.page_info or PageInfo()
        number = zero_based_page(info.page_no, k + 1, repairs, f"$[{k}].page_info.page_no")
        sized = finite_numbers((info.width, info.height)) and info.width > 0 and info.height > 0  # type: ignore[operator]
        if not sized and (info.width is not None or info.height is not None):
            repairs(f"$[{k}].page_info", f"expected a width and height in pixels, found {info.width!r} x "
                                         f"{info.height!r}", "page of no size; the values are kept in extra")
        doc.pages.append(Page(number=number, width=info.width if sized else None,
                              height=info.height if sized else None, unit="px" if sized else None,
                              extra=compact({"width": None if sized else info.width,
                                             "height": None if sized else info.height, **info.rest, **mp.rest})))
        _page(PageBlocks(number, doc.blocks), mp.layout_dets or [], repairs, f"$[{k}].layout_dets")
    doc.pages.sort(key=lambda p: p.number)
    return [finish(doc, repairs)]


Found = tuple[int, Det, "BBox | None"]  # (index in layout_dets, detection, its box)


def _page(out: PageBlocks, dets: list[Det], repairs: Repairs, path: str) -> None:
    """The page's blocks: its regions and the spans no region holds, in reading order, ties made."""
    regions: list[Found] = []
    spans: list[Found] = []
    for i, d in enumerate(dets):
        found = (i, d, _box(d.poly, repairs, f"{path}[{i}].poly"))
        (spans if d.category_id in SPANS else regions).append(found)
    held = _assign(regions, spans, repairs, path)
    items = regions + [s for s in spans if s[0] not in held]
    boxed = [f for f in items if f[2] is not None]
    order = [boxed[n] for n in reading_order([f[2] for f in boxed])] + [f for f in items if f[2] is None]  # type: ignore[misc]
    inside: dict[int, list[Found]] = {}
    for s in spans:
        if s[0] in held:
            inside.setdefault(held[s[0]], []).append(s)
    start = len(out.blocks)
    for i, d, box in order:
        out.append(_block(out, i, d, box, inside.get(i, []), repairs, f"{path}[{i}]"))
    _tie(out.blocks[start:], [d.category_id for _, d, _ in order], repairs, path)


def _box(poly: Any, repairs: Repairs, path: str) -> BBox | None:
    """The box around a detection's polygon (eight numbers, four corners); None, with a repair, for anything else."""
    if poly is None:
        return None
    if type(poly) is not list or len(poly) != 8 or not finite_numbers(poly):
        repairs(path, f"expected eight finite numbers (four corners), found {describe(poly)}",
                "no box; the value is kept in extra")
        return None
    xs, ys = poly[0::2], poly[1::2]
    return checked_box([min(xs), min(ys), max(xs), max(ys)], repairs, path)


def _upright(poly: Any) -> bool:
    """Whether the polygon is the rectangle its box stands for (MinerU writes them so): then its box says it all."""
    x0, y0, x1, y1, x2, y2, x3, y3 = poly
    return y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0


def _assign(regions: list[Found], spans: list[Found], repairs: Repairs, path: str) -> dict[int, int]:
    """Which region (by index) holds each span: the one covering the largest share of it, at least half."""
    boxed = [r for r in regions if r[2] is not None]
    if len(boxed) * len(spans) > PAIRS:
        repairs.note(path, f"{len(spans)} spans and {len(boxed)} regions on one page: more pairs than {PAIRS}; "
                           "each span kept as a block of its own")
        return {}
    held: dict[int, int] = {}
    for i, _, box in spans:
        if box is None:
            continue
        sx0, sy0, sx1, sy1 = box
        area = (sx1 - sx0) * (sy1 - sy0)
        best, share = None, 0.0
        for k, _, r in boxed:
            rx0, ry0, rx1, ry1 = r  # type: ignore[misc]
            if area <= 0:  # a span of no area: held where it lies
                if rx0 <= sx0 <= rx1 and ry0 <= sy0 <= ry1 and best is None:
                    best = k
                continue
            if rx0 >= sx1 or rx1 <= sx0 or ry0 >= sy1 or ry1 <= sy0:
                continue
            part = ((sx1 if sx1 < rx1 else rx1) - (sx0 if sx0 > rx0 else rx0)) * \
                ((sy1 if sy1 < ry1 else ry1) - (sy0 if sy0 > ry0 else ry0)) / area
            if part >= 0.5 and part > share:
                best, share = k, part
        if best is not None:
            held[i] = best
    return held


def _block(out: PageBlocks, i: int, d: Det, box: BBox | None, spans: list[Found], repairs: Repairs,
           path: str) -> Block:
    cid = d.category_id
    if cid is None:
        repairs(f"{path}.category_id", "expected a category id, found none", "kept as kind 'other'")
        kind = "other"
    else:
        kind = kind_of(str(cid), KINDS, repairs, f"{path}.category_id", what="category id")
    region = cid not in SPANS  # a span's text and LaTeX are its lines (and a formula's LaTeX)
    extra = compact({"category_id": cid, "poly": d.poly if box is None or not _upright(d.poly) else None,
                     "text": d.text if region else None, "latex": d.latex if region and kind != "formula" else None,
                     "html": d.html if kind != "table" else None, **d.rest})
    score = d.score
    if score is not None and not 0 <= score <= 1:
        repairs(f"{path}.score", f"expected a score 0..1, found {score!r}", "no confidence; the score is kept in extra")
        extra["score"], score = score, None
    if not region:  # a span no region holds: a block of its own
        spans = [(i, d, box)]
    lines = _lines(spans)
    block = Block(id=out.next_id(), page=out.page, kind=kind, text="\n".join(ln.text for ln in lines if ln.text),  # type: ignore[arg-type]
                  bbox=box, confidence=score, lines=lines, extra=extra)
    if kind == "heading":
        block.level = 1  # the layout model tells titles from text, not their levels
    elif kind == "formula":
        latex = "\n".join(x for x in [d.latex if region else None] + [s[1].latex for s in spans] if x) or None
        block.latex, block.text = latex, latex or block.text
    elif kind == "table" and d.html is not None:
        read = read_table(repairs, html=(d.html, f"{path}.html"))
        block.table, block.html, block.text = read.table, d.html, read.text
    return block


def _lines(spans: list[Found]) -> list[Line]:
    """Spans as lines: those that share half the height of a line join it, left to right; lines top to bottom."""
    rows: list[list[Found]] = []
    for s in sorted(spans, key=lambda f: (f[2][1], f[2][0]) if f[2] else (0.0, 0.0)):
        box = s[2]
        if rows and box is not None and rows[-1][-1][2] is not None:
            top = min(f[2][1] for f in rows[-1])  # type: ignore[index]
            bottom = max(f[2][3] for f in rows[-1])  # type: ignore[index]
            if min(box[3], bottom) - max(box[1], top) >= 0.5 * min(box[3] - box[1], bottom - top) > 0:
                rows[-1].append(s)
                continue
        rows.append([s])
    return [_line(sorted(row, key=lambda f: f[2][0] if f[2] else 0.0)) for row in rows]


def _line(row: list[Found]) -> Line:
    texts = [_span_text(d) for _, d, _ in row]
    boxes = [b for _, _, b in row if b is not None]
    kept = [compact({"category_id": d.category_id if d.category_id != 15 else None,
                     "poly": d.poly if b is None or not _upright(d.poly) else None,
                     "latex": d.latex if d.category_id not in (13, 14) else None,
                     "text": d.text if d.category_id in (13, 14) else None,
                     "score": d.score if _score(d) is None else None, **d.rest}) for _, d, b in row]
    line = Line(text=_join(texts), extra={"spans": kept} if any(kept) else {})
    if len(boxes) == len(row):
        line.bbox = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes),
                     max(b[3] for b in boxes)]
    if len(row) == 1:
        line.confidence = _score(row[0][1])
    else:
        line.words = [Word(text=t, confidence=_score(d), bbox=b) for t, (_, d, b) in zip(texts, row)]
    return line


def _score(d: Det) -> float | None:
    return d.score if d.score is not None and 0 <= d.score <= 1 else None


def _span_text(d: Det) -> str:
    if d.category_id == 13:
        return f"${d.latex}$" if d.latex else ""
    if d.category_id == 14:
        return d.latex or ""
    return d.text or ""


def _join(texts: list[str]) -> str:
    """A line's spans joined: with a space between words of a spaced script, none where either side is CJK."""
    out = ""
    for t in texts:
        if not t:
            continue
        if out and not (_cjk(out[-1]) or _cjk(t[0])):
            out += " "
        out += t
    return out


def _cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" or "\uff00" <= ch <= "\uffef" or \
        "\u3000" <= ch <= "\u303f"


def _tie(blocks: list[Block], cids: list[int | None], repairs: Repairs, path: str) -> None:
    """Each caption, footnote and equation number linked to the nearest block of what it belongs to (`TIES`)."""
    ties = [(b, TIES[cid]) for b, cid in zip(blocks, cids) if cid in TIES and b.bbox is not None]
    if not ties:
        return
    by_kind: dict[str, list[Block]] = {}
    for b in blocks:
        if b.bbox is not None:
            by_kind.setdefault(b.kind, []).append(b)
    if len(ties) * len(blocks) > PAIRS:
        repairs.note(path, f"{len(ties)} captions and footnotes among {len(blocks)} blocks on one page: more pairs "
                           f"than {PAIRS}; left unlinked")
        return
    for block, want in ties:
        subjects = by_kind.get(want)
        if subjects:
            near = min(subjects, key=lambda b: _gap(b.bbox, block.bbox))  # type: ignore[arg-type]  # first of equals
            if block.kind == "caption":
                near.captions.append(block.id)
            else:
                block.extra["of"] = near.id


def _gap(a: BBox, b: BBox) -> tuple[bool, float]:
    """How far apart two boxes are: first whether they share no row and no column (a caption sits above or below
    what it captions, an equation number beside its formula), then the squared distance between them."""
    dx = max(0.0, a[0] - b[2], b[0] - a[2])
    dy = max(0.0, a[1] - b[3], b[1] - a[3])
    return dx > 0 and dy > 0, dx * dx + dy * dy
