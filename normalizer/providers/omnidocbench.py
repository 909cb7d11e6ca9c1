"""OmniDocBench: the benchmark's annotation JSON (v1.5), the ground truth of one page image per entry.

The file is a list of page entries `{layout_dets, page_info, extra: {relation}}` (a single entry is read too). Each
entry becomes one Document of one page: `file_name` is `page_info.image_path`, the page is `px` sized by
`page_info.width`/`height` (its `page_no` in the source PDF and its `page_attribute` in `Page.extra`).

The frame it reads: `poly` is four corners `[x0, y0, x1, y1, x2, y2, x3, y3]` in image pixels, top-left origin; the
box is their min/max (a polygon that is not that upright box is kept in extra as it came).

Reading order: the blocks with a numeric `order` by that order (equal orders in input order), then the blocks
OmniDocBench leaves without one (headers, footers, page numbers, abandoned text: outside its reading order, as
its `tools/json2md.py` and evaluation treat them) in input order.

Kinds (`KINDS`), from OmniDocBench's README and its code (`dataset/end2end_dataset.py`, `tools/json2md.py`,
`tools/visualization.py`): the README's block categories as named there (`reference`, a bibliography entry, is a
paragraph; `abandon`, content the evaluation drops, is `other`); `code_algorithm` and `circuit_*`, which the
evaluation code knows, as code, figure, caption, footnote; every category naming a mask (`text_mask`,
`table_mask`, `need_mask`: regions blanked out, skipped by the visualiser like `abandon`) is `other`. The
category always stays in `extra.category_type`, with `anno_id`, `order`, `ignore`, `attribute` and the rest.

Relations (`extra.relation`, each kept verbatim in `Document.extra.relation`): `parent_son` links a figure or table
(the source) to its caption (`captions`, and `extra.of` on the caption), footnote or sub-figure (`extra.of`);
`truncated` joins a text block continued in another (`extra.truncated_with` on both, the ids of the others).
OmniDocBench relates no `equation_caption` (an equation's number): it is linked to the formula just before it in
reading order, else the one just after. A block whose parts were annotated one by one (`merge_list`, e.g. list
items of one paragraph) is the whole: its `text`, the parts' spans as its lines (`Line.extra.part`), the parts
themselves in `extra.merge_list` without their spans. `line_with_spans` become lines: one per span with its box,
its text (an inline formula's `latex`) and its category.
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from ..build import PageBlocks, compact, finish, formula_latex
from ..errors import Repairs, describe
from ..geometry import finite_numbers
from ..kit import heading_level, kind_of, read_table
from ..schema import BBox, Block, Document, Job, Line, Page
from ..typed import Raw, as_json, decode_as, present_getter, rest_of

PROVIDER = "omnidocbench"
FORMAT = "omnidocbench"
KINDS = {
    "title": "heading", "text_block": "paragraph", "figure": "figure", "figure_caption": "caption",
    "figure_footnote": "footnote", "table": "table", "table_caption": "caption", "table_footnote": "footnote",
    "equation_isolated": "formula", "equation_caption": "caption", "header": "header", "footer": "footer",
    "page_number": "page_number", "page_footnote": "footnote", "abandon": "other", "code_txt": "code",
    "code_txt_caption": "caption", "reference": "paragraph",
    # known to the evaluation code, not the README
    "code_algorithm": "code", "code_algorithm_caption": "caption", "circuit_diagram": "figure",
    "circuit_caption": "caption", "circuit_footnote": "footnote",
    # regions masked out of the page image
    "text_mask": "other", "table_mask": "other", "need_mask": "other",
}
SON_KINDS = ("caption", "footnote")


class Span(Raw, kw_only=True):
    category_type: str | None = None
    poly: Any = None
    text: str | None = None
    latex: str | None = None
    ignore: Any = UNSET


class Det(Raw, kw_only=True):
    category_type: str | None = None
    poly: Any = None
    text: str | None = None
    latex: str | None = None
    html: str | None = None
    line_with_spans: list[Span] | None = None
    merge_list: list["Det"] | None = None
    anno_id: Any = UNSET
    order: Any = UNSET
    ignore: Any = UNSET
    attribute: Any = UNSET
    table_edit_status: Any = UNSET


class PageInfo(Raw, kw_only=True):
    image_path: str | None = None
    width: Any = None
    height: Any = None
    page_no: Any = UNSET
    page_attribute: Any = UNSET


class Relation(Raw, kw_only=True):
    source_anno_id: Any = None
    target_anno_id: Any = None
    relation_type: str | None = None
    relation: str | None = None  # the README's spelling; the data says relation_type


class PageExtra(Raw, kw_only=True):
    relation: list[Relation] | None = None


class Entry(Raw, kw_only=True):
    layout_dets: list[Det] | None = None
    page_info: PageInfo | None = None
    extra: PageExtra | None = None


Shape = list[Entry] | Entry


def convert(raw: Any, repairs: Repairs) -> list[Document]:
    """One Document per page entry (OmniDocBench scores page images one by one, and predictions come per page),
    each with the repairs made under its part of the input.

    Example:
        >>> docs = convert(b'[{"layout_dets": [{"category_type": "title", "poly": [0, 0, 9, 0, 9, 5, 0, 5], '
        ...                b'"order": 1, "anno_id": 0, "text": "Intro"}], "page_info": {"image_path": "p.jpg", '
        ...                b'"width": 100, "height": 200}}]', Repairs())
        >>> docs[0].file_name, docs[0].blocks[0].kind, docs[0].blocks[0].bbox
        ('p.jpg', 'heading', [0.0, 0.0, 9.0, 5.0])
    """
    got = decode_as(raw, Shape, repairs)  # type: ignore[arg-type]
    if isinstance(got, list):
        entries, roots = got, [f"$[{i}]" for i in range(len(got))]
    else:
        entries, roots = [got], ["$"]
    parts = repairs.split([(root,) for root in roots])
    return [_page_doc(e, root, part) for e, root, part in zip(entries, roots, parts)]


def _page_doc(e: Entry, root: str, repairs: Repairs) -> Document:
    info = e.page_info or PageInfo()
    if e.page_info is None:
        repairs.note(f"{root}.page_info", "expected the page's {image_path, width, height}, found none; "
                                          "the page has no size")
    page = Page(number=1, unit="px")
    page.width = _size(info.width, repairs, f"{root}.page_info.width", page.extra, "width")
    page.height = _size(info.height, repairs, f"{root}.page_info.height", page.extra, "height")
    _PAGE_EXTRAS(info, page.extra)
    doc = Document(provider=PROVIDER, format=FORMAT, file_name=info.image_path,
                   job=Job(status="succeeded", page_count=1), pages=[page])
    dets = e.layout_dets or []
    out = PageBlocks(1, doc.blocks)
    by_anno: dict[Any, Block] = {}
    for i in _reading_order(dets, repairs, root):
        block = _block(out, dets[i], repairs, f"{root}.layout_dets[{i}]")
        _remember(by_anno, dets[i], block, repairs, f"{root}.layout_dets[{i}].anno_id")
    _parts_name_their_whole(dets, by_anno)
    relations = e.extra.relation if e.extra is not None else None
    _relate(relations or [], by_anno, repairs, f"{root}.extra.relation")
    _equation_captions(doc.blocks)
    doc.extra = compact({"relation": [as_json(r) for r in relations] if relations is not None else None,
                         **rest_of(e.extra, "extra."), **e.rest})
    return finish(doc, repairs)


_PAGE_EXTRAS = present_getter(("page_no", "page_attribute"))


def _size(value: Any, repairs: Repairs, path: str, extra: dict[str, Any], name: str) -> float | None:
    """A page side in pixels; None (with a repair, the value kept in extra) for anything but a positive number."""
    if value is None:
        return None
    if finite_numbers((value,)) and value > 0:
        return float(value)
    repairs(path, f"expected a positive number of pixels, found {describe(value)}", "no size; kept in extra")
    extra[name] = value
    return None


def _reading_order(dets: list[Det], repairs: Repairs, root: str) -> list[int]:
    """The indexes of `dets` in reading order: numeric `order`s ascending (ties in input order), then the rest."""
    ordered: list[tuple[float, int]] = []
    unordered: list[int] = []
    for i, det in enumerate(dets):
        order = det.order
        if order is UNSET or order is None:
            unordered.append(i)
        elif finite_numbers((order,)):
            ordered.append((order, i))
        else:
            repairs(f"{root}.layout_dets[{i}].order", f"expected a number or null, found {describe(order)}",
                    "placed after the ordered blocks; kept in extra")
            unordered.append(i)
    ordered.sort()
    return [i for _, i in ordered] + unordered


def _key(anno_id: Any) -> Any:
    """An `anno_id` usable to look a block up (an integer or a string), else None."""
    return anno_id if type(anno_id) is int or type(anno_id) is str else None


def _parts_name_their_whole(dets: list[Det], by_anno: dict[Any, Block]) -> None:
    """A merged part's anno_id names the block it was merged into (unless a block of its own has it)."""
    for det in dets:
        whole = by_anno.get(_key(det.anno_id))
        for part in det.merge_list or () if whole is not None else ():
            key = _key(part.anno_id)
            if key is not None and key not in by_anno:
                by_anno[key] = whole


def _remember(by_anno: dict[Any, Block], det: Det, block: Block, repairs: Repairs, path: str) -> None:
    key = _key(det.anno_id)
    if key is None:
        return
    if key in by_anno:
        repairs.note(path, f"anno_id {key!r} is given twice; relations name the first")
        return
    by_anno[key] = block


_DET_EXTRAS = present_getter(("anno_id", "order", "ignore", "attribute", "table_edit_status"))


def _block(out: PageBlocks, det: Det, repairs: Repairs, path: str) -> Block:
    word = det.category_type or ""
    kind = KINDS.get(word) or ("other" if "mask" in word else
                               kind_of(word, KINDS, repairs, f"{path}.category_type", what="category"))
    bbox, unread = _box(det.poly, repairs, f"{path}.poly")
    extra: dict[str, Any] = {"category_type": det.category_type} if det.category_type is not None else {}
    _DET_EXTRAS(det, extra)
    extra.update(unread)
    block = out.append(Block(id=out.next_id(), page=1, kind=kind, bbox=bbox, html=det.html,  # type: ignore[arg-type]
                             extra=extra))
    if kind == "formula":
        source = det.latex if det.latex is not None else det.text or ""
        block.text = source
        block.latex = formula_latex(source) or source.strip().strip("$").strip() or None
        if det.latex is not None and det.text is not None:
            extra["text"] = det.text
    elif kind == "table":
        if not det.html:
            repairs.note(f"{path}.html", "expected the table's HTML, found none; an empty table")
        read = read_table(repairs, html=(det.html, f"{path}.html"))
        block.table, block.text = read.table, read.text
        extra.update(compact({"latex": det.latex, "text": det.text}))
    else:
        block.text = det.text or ""
        if det.latex is not None:
            extra["latex"] = det.latex
    if kind == "heading":
        block.level = heading_level(None, repairs, path)
    block.lines = [_line(s, repairs, f"{path}.line_with_spans[{n}]") for n, s in enumerate(det.line_with_spans or ())]
    if det.merge_list:
        extra["merge_list"] = [_part(block, k, part, repairs, f"{path}.merge_list[{k}]")
                               for k, part in enumerate(det.merge_list)]
    return block


def _part(block: Block, k: int, part: Det, repairs: Repairs, path: str) -> dict[str, Any]:
    """A merged part: its spans become the block's lines, the rest of it is kept as it came."""
    block.lines += [_line(s, repairs, f"{path}.line_with_spans[{n}]", k)
                    for n, s in enumerate(part.line_with_spans or ())]
    return _plain(part)


def _plain(det: Det) -> dict[str, Any]:
    """A block kept whole in extra without its spans (which are lines), its own parts likewise."""
    out = as_json(det)
    out.pop("line_with_spans", None)
    if det.merge_list:
        out["merge_list"] = [_plain(p) for p in det.merge_list]
    return out


def _line(s: Span, repairs: Repairs, path: str, part: int | None = None) -> Line:
    bbox, unread = _box(s.poly, repairs, f"{path}.poly")
    extra = compact({"category_type": s.category_type, "latex": s.latex if s.text is not None else None,
                     "part": part, **unread})
    if s.ignore is not UNSET:
        extra["ignore"] = s.ignore
    extra.update(s.rest)
    return Line(text=s.text if s.text is not None else s.latex or "", bbox=bbox, extra=extra)


def _box(poly: Any, repairs: Repairs, path: str) -> tuple[BBox | None, dict[str, Any]]:
    """The box around a flat polygon `[x0, y0, x1, y1, …]`, and what to keep in extra: the polygon when it is not
    that upright box drawn clockwise from its top left (OmniDocBench's way), or when it cannot be read."""
    if poly is None:
        return None, {}
    if type(poly) is list and len(poly) >= 4 and len(poly) % 2 == 0 and finite_numbers(poly):
        xs, ys = poly[0::2], poly[1::2]
        box = [float(min(xs)), float(min(ys)), float(max(xs)), float(max(ys))]
        upright = poly == [box[0], box[1], box[2], box[1], box[2], box[3], box[0], box[3]]
        return box, {} if upright else {"poly": poly}
    repairs(path, f"expected 8 finite numbers (4 corners x, y), found {describe(poly)}",
            "no box; the value is kept in extra")
    return None, {"poly": poly}


def _relate(relations: list[Relation], by_anno: dict[Any, Block], repairs: Repairs, root: str) -> None:
    """The links each relation states, between the blocks its anno_ids name."""
    for n, r in enumerate(relations):
        word = r.relation_type if r.relation_type is not None else r.relation
        a, b = by_anno.get(_key(r.source_anno_id)), by_anno.get(_key(r.target_anno_id))
        if a is None or b is None or a is b:
            repairs.note(f"{root}[{n}]", f"names anno_ids {r.source_anno_id!r} and {r.target_anno_id!r}, not two "
                                         "blocks of the page; kept in extra only")
        elif word == "parent_son":
            if a.kind in SON_KINDS and b.kind not in SON_KINDS:  # written from the caption to its figure
                a, b = b, a
            b.extra["of"] = a.id
            if b.kind == "caption" and b.id not in a.captions:
                a.captions.append(b.id)
        elif word == "truncated":
            a.extra.setdefault("truncated_with", []).append(b.id)
            b.extra.setdefault("truncated_with", []).append(a.id)
        else:
            repairs.note(f"{root}[{n}]", f"unknown relation {word!r}; kept in extra only")


def _equation_captions(blocks: list[Block]) -> None:
    """An equation's number (never related by OmniDocBench) captions the formula just before it, else just after."""
    for i, block in enumerate(blocks):
        if block.extra.get("category_type") != "equation_caption" or "of" in block.extra:
            continue
        for j in (i - 1, i + 1):
            if 0 <= j < len(blocks) and blocks[j].kind == "formula":
                if block.id not in blocks[j].captions:
                    blocks[j].captions.append(block.id)
                break
