"""Canonical Document -> DoclingDocument JSON (docling-core's schema, version 1.10.0), for pipelines built on Docling.

Written straight from our structs as msgspec structs that the cyclic collector does not track, encoded in C
(building docling-core's pydantic objects would cost many times the conversion, and make docling-core a
dependency); only what differs from docling-core's defaults is written. A flat body in reading order, as
Docling's own converter makes it, with
- headings as Docling ranks them: a top-level heading (level 1) is a `title`, a level-L heading a `section_header`
  of level L - 1 (Docling's sections start under the title, and its Markdown writes them so: `#` for the title,
  `##` for level 1); paragraphs as `text`, footnotes, captions, formulas (`formula`, the LaTeX as text), code;
- list items in `list` groups, nested: a deeper item opens a group under the item before it;
- tables as `TableData`: every cell with its offsets and spans, `column_header` from our header flag;
- figures, seals and barcodes as `picture` items, their captions linked (`captions` refs);
- page headers, footers and page numbers as `page_header`/`page_footer` items on the furniture content layer (in
  the body, in reading order: docling-core deprecates the separate furniture root);
- provenance on every item with a box: 1-based `page_no`, the box with an explicit `TOPLEFT` origin in the
  page's own units, the text's `charspan`; every page in `pages` with its size (the frame the viewer draws when
  the provider gives none).
What Docling cannot hold (confidences, lines and words, chunks, job status, a table continued across pages as
one table) is listed in the README; `extra` fields are not carried.
"""

from __future__ import annotations

from typing import Any

import msgspec

from normalizer.kinds import row as kind_row
from normalizer.schema import Block, Document

from .joined import caption_ids
from .pages.frame import page_frames

VERSION = "1.10.0"


class Ref(msgspec.Struct, gc=False):
    ref: str = msgspec.field(name="$ref")


class Box(msgspec.Struct, gc=False):
    l: float
    t: float
    r: float
    b: float
    coord_origin: str = "TOPLEFT"


class Span(msgspec.Struct, array_like=True, gc=False):
    """`[start, end]` without a tuple: nothing here is a container the collector must track."""
    start: int
    end: int


class Prov(msgspec.Struct, gc=False):
    page_no: int
    bbox: Box
    charspan: Span


class OneProv(msgspec.Struct, array_like=True, gc=False):
    """The `[prov]` list of an item with a box, as a struct (an untracked one-element array)."""
    prov: Prov


class Cell(msgspec.Struct, omit_defaults=True, gc=False):
    start_row_offset_idx: int
    end_row_offset_idx: int
    start_col_offset_idx: int
    end_col_offset_idx: int
    text: str
    row_span: int = 1
    col_span: int = 1
    column_header: bool = False
    bbox: Box | None = None


class Data(msgspec.Struct, gc=False):
    table_cells: tuple[Cell, ...]  # tuples, not lists: a tuple of untracked structs leaves the collector alone
    num_rows: int
    num_cols: int


class Item(msgspec.Struct, omit_defaults=True, gc=False):
    """Any node of the tree (text, table, picture, group): the fields its kind uses, the rest left out."""
    self_ref: str
    parent: Ref
    label: str
    children: Any = ()  # a list once something is added (most items never have children: no list for them)
    content_layer: str = "body"
    prov: OneProv | None = None  # written as [prov]; no box, no provenance
    orig: str | None = None
    text: str | None = None
    level: int | None = None
    enumerated: bool | None = None
    marker: str | None = None
    name: str | None = None
    captions: list[Ref] = []
    data: Data | None = None


class Root(msgspec.Struct, gc=False):
    self_ref: str
    children: list[Ref]
    content_layer: str
    name: str = "_root_"
    label: str = "unspecified"


class Size(msgspec.Struct, gc=False):
    width: float
    height: float


class PageItem(msgspec.Struct, gc=False):
    size: Size
    page_no: int


class DoclingJson(msgspec.Struct, gc=False):
    schema_name: str
    version: str
    name: str
    furniture: Root
    body: Root
    groups: list[Item]
    texts: list[Item]
    pictures: list[Item]
    tables: list[Item]
    key_value_items: list[Any]
    form_items: list[Any]
    pages: dict[str, PageItem]


_ENCODER = msgspec.json.Encoder()


class _Builder:
    def __init__(self, doc: Document):
        self.doc = doc
        self.out: dict[str, list[Item]] = {"texts": [], "tables": [], "pictures": [], "groups": []}
        self.body = Root("#/body", [], "body")
        self.body_ref = Ref("#/body")
        self.by_id: dict[str, Item] = {}
        self.lists: list[tuple[int, Item, Ref]] = []  # open list groups: (depth, group, its ref)
        self.last_item: tuple[Item, Ref] | None = None  # the list item a deeper level nests under

    def _next(self, kind: str) -> str:
        return f"#/{kind}/{len(self.out[kind])}"

    def _prov(self, b: Block, text: str) -> OneProv | None:
        if not b.bbox:
            return None
        l, t, r, bottom = b.bbox
        return OneProv(Prov(b.page, Box(l, t, r, bottom), Span(0, len(text))))

    def _list_parent(self, b: Block) -> tuple[Item | Root, Ref]:
        """The list group a list item goes in: the open one of its depth, a new one nested under the previous
        item when it goes deeper, a new one in the body after anything else."""
        depth = max(b.level or 1, 1)
        while self.lists and self.lists[-1][0] > depth:
            self.lists.pop()
        if self.lists and self.lists[-1][0] == depth:
            return self.lists[-1][1], self.lists[-1][2]
        parent, parent_ref = (self.last_item if self.lists and self.last_item is not None
                              else (self.body, self.body_ref))
        ref = self._next("groups")
        group = Item(ref, parent_ref, "list", name="list")
        self.out["groups"].append(group)
        _adopt(parent, Ref(ref))
        self.lists.append((depth, group, Ref(ref)))
        return group, self.lists[-1][2]

    def block(self, b: Block) -> None:
        if b.kind != "list_item":
            self.lists, self.last_item = [], None
        parent, parent_ref = self.body, self.body_ref  # furniture too, by its layer (the root is deprecated)
        meaning = kind_row(b.kind)
        layer = "furniture" if meaning.furniture else "body"
        if b.kind == "table" and b.table is not None:
            kind = "tables"
            item = Item(self._next(kind), parent_ref, "table", content_layer=layer, prov=self._prov(b, ""),
                        data=self._table(b))
        elif meaning.docling == "picture" or b.kind == "table":
            kind = "pictures"
            item = Item(self._next(kind), parent_ref, "picture", content_layer=layer, prov=self._prov(b, ""))
        else:
            kind = "texts"
            text = b.latex if meaning.text_from == "latex" and b.latex else b.text
            label, level, enumerated, marker = meaning.docling, None, None, None
            if b.kind == "list_item":
                parent, parent_ref = self._list_parent(b)
                label, enumerated, marker = "list_item", bool(b.ordered), b.marker or "-"
            elif b.kind == "heading" and (b.level or 1) <= 1:
                label = "title"  # Docling's levels start under the title: our level L is its L - 1
            elif b.kind == "heading":
                level = min(max((b.level or 1) - 1, 1), 100)
            item = Item(self._next(kind), parent_ref, label, content_layer=layer, prov=self._prov(b, text), orig=text,
                        text=text, level=level, enumerated=enumerated, marker=marker)
        self.out[kind].append(item)
        ref = Ref(item.self_ref)
        _adopt(parent, ref)
        if b.kind == "list_item":
            self.last_item = (item, ref)
        self.by_id[b.id] = item

    def _table(self, b: Block) -> Data:
        t = b.table
        return Data(tuple([Cell(c.row, c.row + c.row_span, c.col, c.col + c.col_span, c.text, c.row_span, c.col_span,
                                c.header, Box(*c.bbox) if c.bbox else None)
                           for c in t.cells]), t.n_rows, t.n_cols)  # type: ignore[union-attr]

    def captions(self) -> None:
        """Captions linked to their picture or table (`joined.caption_ids`)."""
        for n, b in enumerate(self.doc.blocks):
            item = self.by_id.get(b.id)
            if item is not None and item.label in ("table", "picture"):
                item.captions = [Ref(self.by_id[i].self_ref) for i in caption_ids(self.doc.blocks, n)
                                 if i in self.by_id]

    def pages(self) -> dict[str, PageItem]:
        return {str(n): PageItem(Size(width, height), n) for n, (width, height, _) in page_frames(self.doc).items()}


def _adopt(parent: Item | Root, ref: Ref) -> None:
    if type(parent.children) is not list:
        parent.children = list(parent.children)
    parent.children.append(ref)


def to_docling(doc: Document) -> bytes:
    """The document as DoclingDocument JSON (docling-core schema 1.10.0), loadable with
    `DoclingDocument.model_validate_json`.

    Example:
        >>> from docling_core.types.doc import DoclingDocument
        >>> DoclingDocument.model_validate_json(to_docling(doc)).export_to_markdown()
    """
    builder = _Builder(doc)
    for b in doc.blocks:
        builder.block(b)
    builder.captions()
    name = doc.file_name or doc.job.id or "document"
    out = builder.out
    return _ENCODER.encode(DoclingJson(
        "DoclingDocument", VERSION, name.rsplit(".", 1)[0] or name, Root("#/furniture", [], "furniture"),
        builder.body, out["groups"], out["texts"], out["pictures"], out["tables"], [], [], builder.pages()))
