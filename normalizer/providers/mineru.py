"""MinerU: `*_content_list.json`, the flat list of content blocks in reading order, and `*_middle.json`, the
per-page block / line / span tree in PDF points (pipeline and VLM backends; `convert_middle`, below).

The frame it reads: `bbox` is `[x0, y0, x1, y1]` on a 0-1000 grid per axis, top-left origin (MinerU's output
files reference), so each page is a 1000 x 1000 frame of no unit (its shape is not the page's: the viewer's aspect
check says so against the real page). `page_idx` counts from 0. `text_level` n >= 1 makes a heading of level n;
`image_caption`/`img_caption`, `table_caption` and `code_caption` become caption blocks linked to their figure,
table or code; footnotes become footnote blocks after them; `table_body` is read as HTML; `list_items` become list
items; the VLM backend's discarded blocks (header, footer, page number, aside text, page footnote) keep their kinds.
In middle.json, lines MinerU's paragraph merge moved from a later page (every span marked `cross_page`, the block they
left empty and marked `lines_deleted`) keep their text in the block MinerU moved them to, once; their boxes are on
the page they came from, so they are kept in the line's extra, not given as boxes on this page.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from msgspec import UNSET, field

from ..build import BlockIds, compact, finish, formula_latex
from ..errors import Repairs, describe
from ..geometry import checked_box, finite_numbers
from ..kit import heading_level, kind_of, read_table
from ..schema import Block, Document, Image, Job, Line, Page
from ..typed import Raw, as_json, decode_as, present_getter

PROVIDER = "mineru"
FORMAT = "mineru"
GRID = 1000.0
KINDS = {"text": "paragraph", "title": "heading", "image": "figure", "chart": "figure", "table": "table",
         "equation": "formula", "interline_equation": "formula", "code": "code", "algorithm": "code",
         "list": "list_item", "ref_text": "paragraph", "header": "header", "footer": "footer",
         "page_number": "page_number", "aside_text": "other", "page_footnote": "footnote", "phonetic": "other",
         "discarded": "other"}


class Entry(Raw, kw_only=True):
    type: str | None = None
    sub_type: str | None = None
    text: str | None = None
    text_level: int | None = None
    text_format: str | None = None
    bbox: Any = None
    page_idx: int | None = None
    img_path: str | None = None
    image_caption: list[str] | None = None
    img_caption: list[str] | None = None
    image_footnote: list[str] | None = None
    img_footnote: list[str] | None = None
    table_caption: list[str] | None = None
    table_footnote: list[str] | None = None
    table_body: str | None = None
    code_body: str | None = None
    code_caption: list[str] | None = None
    chart_caption: list[str] | None = None
    chart_footnote: list[str] | None = None
    list_items: list[str] | None = None
    angle: Any = UNSET


Shape = list[Entry]  # what a content list decodes into


class _Pages:
    """Blocks appended page by page with ids `p{page}-b{i}` (the list may return to an earlier page)."""

    def __init__(self, doc: Document):
        self.doc = doc
        self.ids = BlockIds()
        self.opened: set[int] = set()

    def open(self, page: int, size: list[Any] | None = None, extra: dict[str, Any] | None = None) -> None:
        """The page, made once: on MinerU's 0-1000 grid, or (middle.json) its own size in PDF points."""
        if page in self.opened:
            return
        self.opened.add(page)
        if size is not None:
            self.doc.pages.append(Page(number=page, width=size[0], height=size[1], unit="pt", extra=extra or {}))
        else:
            self.doc.pages.append(Page(number=page, width=GRID, height=GRID, extra={"grid": "0-1000 per axis",
                                                                                **(extra or {})}))

    def add(self, page: int, **fields: Any) -> Block:
        self.open(page)
        block = Block(id=self.ids(page), page=page, **fields)
        self.doc.blocks.append(block)
        return block


_ENTRY_EXTRAS = present_getter(("type", "sub_type", "text_format", "angle"))


def convert(raw: Any, repairs: Repairs) -> list[Document]:
    entries = decode_as(raw, Shape, repairs)
    doc = Document(provider=PROVIDER, format=FORMAT, job=Job(status="succeeded"))
    pages = _Pages(doc)
    blocks = doc.blocks
    for i, e in enumerate(entries):
        page = e.page_idx + 1 if e.page_idx is not None and e.page_idx >= 0 else (
            repairs(f"$[{i}].page_idx", "expected a page index from 0", "used page 1") or 1)
        pages.open(page)
        word = e.sub_type if e.type == "code" and e.sub_type else e.type or ""
        kind = KINDS.get(word) or kind_of(word, KINDS, repairs, f"$[{i}].type", what="content type")
        extra: dict[str, Any] = {}
        _ENTRY_EXTRAS(e, extra)
        bbox = None
        if e.bbox is not None:
            bbox = checked_box(e.bbox, repairs, lambda i=i: f"$[{i}].bbox")
            if bbox is None:
                extra["bbox"] = e.bbox
        text = e.code_body if kind == "code" and e.code_body is not None else e.text or ""
        if kind == "list_item" and e.list_items is not None:
            for k, item in enumerate(e.list_items):
                pages.add(page, kind="list_item", text=item, level=1, bbox=bbox if k == 0 else None,
                          extra={**extra, "item": k} if k else extra)
            continue
        if kind == "paragraph" and e.text_level:
            kind = "heading"
        block = Block(id=pages.ids(page), page=page, kind=kind, text=text, bbox=bbox, extra=extra)  # type: ignore[arg-type]
        blocks.append(block)
        if kind == "heading":
            block.level = heading_level(e.text_level, repairs, f"$[{i}].text_level")
        elif kind == "formula":
            block.latex = formula_latex(text) or text.strip().strip("$").strip() or None
        elif kind == "figure":
            block.image = Image(url=e.img_path, page=page, bbox=bbox) if e.img_path else None
        elif kind == "table":
            read = read_table(repairs, html=(e.table_body, f"$[{i}].table_body"))
            block.table, block.html = read.table, e.table_body
            block.text = read.text
            if e.img_path:
                block.image = Image(url=e.img_path, page=page, bbox=bbox)
        if e.img_path and kind != "figure" and kind != "table":
            extra["img_path"] = e.img_path
        if any(_NOTE_FIELDS(e)):
            _notes(pages, block, e, extra)
    doc.pages.sort(key=lambda p: p.number)
    doc.job.page_count = len(doc.pages)
    return [finish(doc, repairs)]


_NOTE_FIELDS = attrgetter("image_caption", "img_caption", "table_caption", "code_caption", "chart_caption",
                          "image_footnote", "img_footnote", "table_footnote", "chart_footnote")


def _notes(pages: "_Pages", block: Block, e: Entry, extra: dict[str, Any]) -> None:
    """Captions and footnotes as blocks after the one they describe, linked to it."""
    if e.img_caption is not None and e.image_caption is not None:  # both spellings: the newer one is read
        extra["img_caption"] = e.img_caption
    if e.img_footnote is not None and e.image_footnote is not None:
        extra["img_footnote"] = e.img_footnote
    for caption in (e.image_caption or e.img_caption or []) + (e.table_caption or []) + (e.code_caption or []) + \
            (e.chart_caption or []):
        block.captions.append(pages.add(block.page, kind="caption", text=caption, extra={"of": block.id}).id)
    for note in (e.image_footnote or e.img_footnote or []) + (e.table_footnote or []) + (e.chart_footnote or []):
        pages.add(block.page, kind="footnote", text=note, extra={"of": block.id})


# --- middle.json ------------------------------------------------------------------------------------

class MSpan(Raw, kw_only=True):
    bbox: Any = None
    type: str | None = None
    content: str | None = None
    img_path: str | None = None
    image_path: str | None = None
    html: str | None = None
    score: Any = UNSET


class MLine(Raw, kw_only=True):
    bbox: Any = None
    spans: list[MSpan] | None = None


class MBlock(Raw, kw_only=True):
    type: str | None = None
    sub_type: str | None = None
    bbox: Any = None
    lines: list[MLine] | None = None
    blocks: list["MBlock"] | None = None
    index: Any = UNSET
    level: int | None = None
    angle: Any = UNSET


class MPage(Raw, kw_only=True):
    page_idx: int | None = None
    page_size: Any = None
    para_blocks: list[MBlock] | None = None
    discarded_blocks: list[MBlock] | None = None
    preproc_blocks: Any = UNSET
    layout_bboxes: Any = UNSET
    images: Any = UNSET
    tables: Any = UNSET
    interline_equations: Any = UNSET


class Middle(Raw, kw_only=True):
    pdf_info: list[MPage] | None = None
    backend: str | None = field(default=None, name="_backend")
    version_name: str | None = field(default=None, name="_version_name")


# sub-block types of a table, image or code block: what each becomes
_PARTS = {"table_body": "body", "image_body": "body", "code_body": "body", "table_caption": "caption",
          "image_caption": "caption", "code_caption": "caption", "table_footnote": "footnote",
          "image_footnote": "footnote"}
_PAGE_EXTRAS = ("preproc_blocks", "layout_bboxes", "images", "tables", "interline_equations")


def _span_text(s: MSpan) -> str:
    text = s.content or ""
    return f"${text}$" if s.type == "inline_equation" and text else text


def _moved(spans: list[MSpan]) -> bool:
    """Whether these spans came from another page: MinerU's paragraph merge moves a paragraph's lines into the
    block it continues (`lines_deleted` on the block they left) and marks each span `cross_page` (its own test,
    `_is_cross_page_line`). Their text stays where MinerU put it; their boxes are on the page they came from."""
    return bool(spans) and all(s.rest.get("cross_page") for s in spans)


def _lines(b: MBlock, repairs: Repairs, path: str) -> list[Line]:
    out = []
    for n, ln in enumerate(b.lines or ()):
        spans = ln.spans or []
        moved = bool(spans and spans[0].rest) and _moved(spans)  # no box on this page: kept as it came in extra
        bbox = checked_box(ln.bbox, repairs, f"{path}.lines[{n}].bbox") if ln.bbox is not None and not moved else None
        out.append(Line(text="".join(_span_text(s) for s in spans), bbox=bbox,
                        extra=compact({"spans": [as_json(s) for s in spans if s.type != "text" or s.rest or
                                                 s.score is not UNSET],
                                       "bbox": ln.bbox if bbox is None else None, "cross_page": moved or None,
                                       **ln.rest}) or {}))
    return out


def _sub_block(sub: MBlock, repairs: Repairs, path: str, **known: Any) -> tuple[list[float] | None, dict[str, Any]]:
    """A sub-block's box, and its extra: its type, `known`, then every other field of its own but its lines (an
    unreadable box as it came, nested blocks whole). A sub-block moved here from another page (a cross-page table's
    footnote, marked `cross_page`; list items whose spans all are) has its box on that page: kept in extra."""
    moved = sub.rest.get("cross_page") is True or _moved([s for ln in sub.lines or () for s in ln.spans or ()])
    bbox = checked_box(sub.bbox, repairs, f"{path}.bbox") if sub.bbox is not None and not moved else None
    return bbox, compact({"type": sub.type, **known, "sub_type": sub.sub_type, "level": sub.level,
                          "index": sub.index if sub.index is not UNSET else None,
                          "angle": sub.angle if sub.angle is not UNSET else None,
                          "bbox": sub.bbox if bbox is None else None,
                          "blocks": [_raw_block(x) for x in sub.blocks] if sub.blocks else None, **sub.rest})


def _raw_block(b: MBlock) -> dict[str, Any]:
    """A block kept whole in extra, as it came (its lines, spans and blocks too)."""
    out = as_json(b)
    if b.lines:
        out["lines"] = [{**as_json(ln), "spans": [as_json(s) for s in ln.spans or ()]} for ln in b.lines]
    if b.blocks:
        out["blocks"] = [_raw_block(x) for x in b.blocks]
    return out


def convert_middle(raw: Any, repairs: Repairs) -> list[Document]:
    m = decode_as(raw, Middle, repairs)
    doc = Document(provider=PROVIDER, format="mineru.middle", job=Job(status="succeeded"))
    pages = _Pages(doc)
    for k, mp in enumerate(m.pdf_info or ()):
        path = f"$.pdf_info[{k}]"
        number = mp.page_idx + 1 if mp.page_idx is not None and mp.page_idx >= 0 else k + 1
        size = _page_size(mp.page_size, repairs, f"{path}.page_size")
        pages.open(number, size, compact({**{n: getattr(mp, n) for n in _PAGE_EXTRAS if getattr(mp, n) is not UNSET},
                                          "page_size": mp.page_size if size is None else None, **mp.rest}))
        for n, b in enumerate(mp.para_blocks or ()):
            _middle_block(pages, number, b, repairs, f"{path}.para_blocks[{n}]", None)
        for n, b in enumerate(mp.discarded_blocks or ()):
            _middle_block(pages, number, b, repairs, f"{path}.discarded_blocks[{n}]", "discarded")
    doc.pages.sort(key=lambda p: p.number)
    doc.job.page_count = len(doc.pages)
    doc.extra = compact({"backend": m.backend, "version_name": m.version_name, **m.rest})
    return [finish(doc, repairs)]


def _page_size(size: Any, repairs: Repairs, path: str) -> list[float] | None:
    """`[width, height]` in PDF points as floats; None (with a repair when one was given) for anything else, a
    boolean included: the page is then read on the 0-1000 grid, the value kept in its extra."""
    if type(size) is list and len(size) == 2 and finite_numbers(size):
        return [float(size[0]), float(size[1])]
    if size is not None:
        repairs(path, f"expected [width, height] of finite numbers, found {describe(size)}",
                "page sized as the 0-1000 grid; the value is kept in extra")
    return None


def _middle_block(pages: "_Pages", page: int, b: MBlock, repairs: Repairs, path: str, where: str | None) -> None:
    word = (b.sub_type if b.type == "code" and b.sub_type else b.type) or ""
    if where == "discarded" and word not in KINDS:
        word = "discarded"
    kind = KINDS.get(word) or kind_of(word, KINDS, repairs, f"{path}.type", what="block type")
    bbox = checked_box(b.bbox, repairs, f"{path}.bbox") if b.bbox is not None else None
    extra = compact({"type": b.type, "sub_type": b.sub_type, "where": where, "level": b.level,
                     "index": b.index if b.index is not UNSET else None,
                     "angle": b.angle if b.angle is not UNSET else None,
                     "bbox": b.bbox if bbox is None and b.bbox is not None else None, **b.rest})
    if kind == "list_item" and b.blocks:  # a list: each sub-block one item (lines of its own, if any, the first)
        if b.lines:
            own_lines = _lines(b, repairs, path)
            pages.add(page, kind="list_item", level=1, text="\n".join(ln.text for ln in own_lines), lines=own_lines,
                      bbox=bbox, extra={**extra, "own_lines": True})
        for n, sub in enumerate(b.blocks):
            lines = _lines(sub, repairs, f"{path}.blocks[{n}]")
            bbox, own = _sub_block(sub, repairs, f"{path}.blocks[{n}]")
            pages.add(page, kind="list_item", level=1, text="\n".join(ln.text for ln in lines), lines=lines,
                      bbox=bbox, extra={**extra, **{f"item_{k}": v for k, v in own.items()}})
        return
    parts: dict[str, list[tuple[MBlock, int]]] = {}
    for n, sub in enumerate(b.blocks or ()):
        parts.setdefault(_PARTS.get(sub.type or "", "body"), []).append((sub, n))
    body_lines = _lines(b, repairs, path) + [ln for sub, n in parts.get("body", [])
                                              for ln in _lines(sub, repairs, f"{path}.blocks[{n}]")]
    if parts.get("body") and b.blocks:  # the body sub-blocks' own fields (their lines are the block's)
        extra["body"] = [compact({"type": sub.type, "sub_type": sub.sub_type, "bbox": sub.bbox,
                                  "index": sub.index if sub.index is not UNSET else None,
                                  "angle": sub.angle if sub.angle is not UNSET else None, "level": sub.level,
                                  **sub.rest}) for sub, _ in parts["body"]]
    text = "\n".join(ln.text for ln in body_lines)
    block = pages.add(page, kind=kind, text=text, bbox=bbox, lines=body_lines, extra=extra)
    spans = [s for ln in (b.lines or []) for s in ln.spans or ()] + \
        [s for sub, _ in parts.get("body", []) for ln in sub.lines or () for s in ln.spans or ()]
    if kind == "heading":
        block.level = heading_level(b.level, repairs, f"{path}.level")
    elif kind == "formula":
        block.latex = next((s.content for s in spans if s.content), None)
    elif kind == "table":
        html = next((s.html for s in spans if s.html), None)
        read = read_table(repairs, html=(html, f"{path}.blocks[0].lines[0].spans[0].html"))
        block.table, block.html, block.text = read.table, html, read.text
    if kind in ("figure", "table"):
        url = next((s.image_path or s.img_path for s in spans if s.image_path or s.img_path), None)
        block.image = Image(url=url, page=page, bbox=bbox) if url else None
    for role in ("caption", "footnote"):
        for sub, n in parts.get(role, []):
            lines = _lines(sub, repairs, f"{path}.blocks[{n}]")
            bbox, own = _sub_block(sub, repairs, f"{path}.blocks[{n}]", of=block.id)
            added = pages.add(page, kind=role, text="\n".join(ln.text for ln in lines), lines=lines, bbox=bbox,
                              extra=own)
            if role == "caption":
                block.captions.append(added.id)
