"""MinerU 3's `*_content_list_v2.json`: one list per page, each item `{type, content: {...}, bbox?, sub_type?, anchor?}`
with its text as lists of typed spans (MinerU's output-files reference, "Content List V2", and the writers
`make_blocks_to_content_list_v2` of its pipeline, VLM and Office backends).

The frame it reads: `bbox` is `[x0, y0, x1, y1]` on the 0-1000 grid per axis with a top-left origin, as in
`content_list.json` (`mineru.py`); the Office backend writes no boxes. The outer list's position is the page
(page 1 first; a page with nothing on it is an empty list and stays a page). Spans are joined into the block's
text (`equation_inline` as `$…$`, a `hyperlink` by its `content`); spans that carry more than text (a URL,
styles, children, another span type) are kept in `extra["spans"]`. Titles become headings of their `level`,
captions and footnotes of images, tables, charts, code and algorithms become caption and footnote blocks linked
to them, list and index items become list items at their `ilevel`.
"""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from ..build import PageBlocks, compact, finish
from ..errors import Repairs
from ..geometry import checked_box
from ..kit import heading_level, kind_of, list_level, read_table
from ..schema import Block, Document, Image, Job, Page
from ..typed import Raw, as_json, decode_as, present_getter
from .mineru import GRID, PROVIDER

FORMAT = "mineru.v2"
KINDS = {"title": "heading", "paragraph": "paragraph", "equation_interline": "formula", "image": "figure",
         "chart": "figure", "table": "table", "code": "code", "algorithm": "code", "list": "list_item",
         "index": "list_item", "page_header": "header", "page_footer": "footer", "page_number": "page_number",
         "page_aside_text": "other", "page_footnote": "footnote"}
# the content field holding an item's own text, by item type (the others have none, or are read below)
TEXT_FIELD = {"title": "title_content", "paragraph": "paragraph_content", "code": "code_content",
              "algorithm": "algorithm_content", "page_header": "page_header_content",
              "page_footer": "page_footer_content", "page_number": "page_number_content",
              "page_aside_text": "page_aside_text_content", "page_footnote": "page_footnote_content"}
# the (caption, footnote) fields of the item types that have them
NOTE_FIELDS = {"image": ("image_caption", "image_footnote"), "table": ("table_caption", "table_footnote"),
               "chart": ("chart_caption", "chart_footnote"), "code": ("code_caption", "code_footnote"),
               "algorithm": ("algorithm_caption", "algorithm_footnote")}
# span type -> how its content reads in the block's text
SPAN_TEXT = {"equation_inline": "${}$"}
PLAIN_SPANS = frozenset({"text", "phonetic", "md"})
# content fields with no canonical home, kept in the block's extra when present
KEPT = ("level", "math_type", "content", "table_type", "table_nest_level", "code_language", "list_type",
        "attribute")


class Span(Raw, kw_only=True):
    type: str | None = None
    content: str | None = None
    url: Any = UNSET
    style: Any = UNSET
    children: Any = UNSET


Spans = list[Span] | str | None  # a bare string: a writer that skipped the span list


class Source(Raw, kw_only=True):
    path: str | None = None


class Item(Raw, kw_only=True):
    item_type: str | None = None
    item_content: Spans = None
    ilevel: int | None = None
    prefix: str | None = None
    anchor: str | None = None


class Content(Raw, kw_only=True):
    title_content: Spans = None
    paragraph_content: Spans = None
    page_header_content: Spans = None
    page_footer_content: Spans = None
    page_number_content: Spans = None
    page_aside_text_content: Spans = None
    page_footnote_content: Spans = None
    code_content: Spans = None
    algorithm_content: Spans = None
    level: int | None = None
    math_content: str | None = None
    math_type: str | None = None
    image_source: Source | None = None
    content: str | None = None
    html: str | None = None
    table_type: str | None = None
    table_nest_level: Any = None
    code_language: str | None = None
    list_type: str | None = None
    attribute: str | None = None
    list_items: list[Item] | None = None
    image_caption: Spans = None
    image_footnote: Spans = None
    table_caption: Spans = None
    table_footnote: Spans = None
    chart_caption: Spans = None
    chart_footnote: Spans = None
    code_caption: Spans = None
    code_footnote: Spans = None
    algorithm_caption: Spans = None
    algorithm_footnote: Spans = None


class Entry(Raw, kw_only=True):
    type: str | None = None
    content: Content | None = None
    bbox: Any = None
    sub_type: str | None = None
    anchor: str | None = None


Shape = list[list[Entry | None] | None]  # pages of items; the pipeline writes null for a type it does not know
_EMPTY = Content()
_entry_extras = present_getter(("type", "sub_type", "anchor"))
_content_extras = present_getter(KEPT)


def spans_text(spans: Spans) -> str:
    """The text a span list reads as: contents joined, inline equations in `$…$`."""
    if not spans or type(spans) is str:
        return spans or ""
    if len(spans) == 1 and spans[0].type not in SPAN_TEXT:  # the usual: one run of text
        return spans[0].content or ""
    return "".join(SPAN_TEXT[s.type].format(s.content or "") if s.type in SPAN_TEXT else s.content or ""
                    for s in spans)


def _rich_spans(spans: Spans) -> list[dict[str, Any]]:
    """The spans that carry more than their text (kept in `extra`, so a link or a style is not lost)."""
    if type(spans) is str:
        return []
    return [as_json(s) for s in spans or () if s.type not in PLAIN_SPANS or s.rest or s.url is not UNSET
            or s.style is not UNSET or s.children is not UNSET]


def convert(raw: Any, repairs: Repairs) -> list[Document]:
    pages = decode_as(raw, Shape, repairs)
    doc = Document(provider=PROVIDER, format=FORMAT, job=Job(status="succeeded", page_count=len(pages)))
    for k, items in enumerate(pages):
        number = k + 1
        doc.pages.append(Page(number=number, width=GRID, height=GRID, extra={"grid": "0-1000 per axis"}))
        if items is None:
            repairs(f"$[{k}]", "expected a page's list of items, found null", "kept an empty page")
            continue
        out = PageBlocks(number, doc.blocks)
        for i, e in enumerate(items):
            if e is None:
                repairs(f"$[{k}][{i}]", "expected a content item, found null", "skipped it")
                continue
            _item(out, e, repairs, f"$[{k}][{i}]")
    return [finish(doc, repairs)]


def _item(out: PageBlocks, e: Entry, repairs: Repairs, path: str) -> None:
    word = e.type or ""
    kind = KINDS.get(word) or kind_of(word, KINDS, repairs, f"{path}.type", what="content type")
    c = e.content or _EMPTY
    bbox = checked_box(e.bbox, repairs, lambda: f"{path}.bbox") if e.bbox is not None else None
    field = TEXT_FIELD.get(word)
    spans = getattr(c, field) if field else None
    extra: dict[str, Any] = {}
    _entry_extras(e, extra)
    if bbox is None and e.bbox is not None:
        extra["bbox"] = e.bbox
    _content_extras(c, extra)
    if e.content is None:
        repairs(f"{path}.content", "expected the item's content object, found none", "kept the item without text")
    if rich := _rich_spans(spans):
        extra["spans"] = rich
    if kind == "list_item":
        _list(out, c, bbox, extra, repairs, path)
        return
    block = out.append(Block(id=out.next_id(), page=out.page, kind=kind, text=spans_text(spans), bbox=bbox,  # type: ignore[arg-type]
                             extra=extra))
    if kind == "heading":
        block.level = heading_level(c.level, repairs, f"{path}.content.level")
        extra.pop("level", None)
    elif kind == "formula":
        block.latex = c.math_content or None
        block.text = f"$$\n{c.math_content}\n$$" if c.math_content else ""
    elif kind == "table":
        read = read_table(repairs, html=(c.html, f"{path}.content.html"))
        block.table, block.html, block.text = read.table, c.html, read.text
    path_of_image = c.image_source.path if c.image_source is not None else None
    if path_of_image:
        block.image = Image(url=path_of_image, page=out.page, bbox=bbox)
    if c.image_source is not None and c.image_source.rest:
        extra["image_source"] = as_json(c.image_source)
    for role, name in zip(("caption", "footnote"), NOTE_FIELDS.get(word, ())):
        notes = getattr(c, name)
        if notes:
            added = out.add(kind=role, text=spans_text(notes), extra=compact({"of": block.id, "field": name,
                                                                                "spans": _rich_spans(notes) or None}))
            if role == "caption":
                block.captions.append(added.id)


def _list(out: PageBlocks, c: Content, bbox: Any, extra: dict[str, Any], repairs: Repairs, path: str) -> None:
    """Each item a list item, at its `ilevel` (0 is the list's own level); the list's box on the first."""
    for n, item in enumerate(c.list_items or ()):
        level = list_level(item.ilevel + 1 if item.ilevel is not None else 1, repairs,
                           lambda n=n: f"{path}.content.list_items[{n}].ilevel", found=item.ilevel)
        out.add(kind="list_item", text=spans_text(item.item_content), level=level, bbox=bbox if n == 0 else None,
                extra=compact({**extra, "item": n or None, "item_type": item.item_type, "prefix": item.prefix,
                               "item_anchor": item.anchor, "spans": _rich_spans(item.item_content) or None,
                               **item.rest}))
    if not c.list_items:
        out.add(kind="list_item", text="", level=1, bbox=bbox, extra=extra)
