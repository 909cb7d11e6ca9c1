"""Docling: a DoclingDocument JSON (docling-core's schema, as `DoclingDocument.save_as_json` writes it).

Headings: a `title` is level 1 and a `section_header` of level n is level n + 1 (Docling's sections start under
the title). The frame it reads: each item's `prov[].bbox` is `{l, t, r, b, coord_origin}` in the page's units (points for a
PDF), with its origin TOPLEFT (y down, as ours) or BOTTOMLEFT (y up: `t` is the top's height above the page
bottom), converted here with the page height from `pages`. Reading order is the body tree walked depth first
through its JSON-pointer refs (the deprecated `furniture` root too); an item no tree reaches is kept, at the end,
with a note. A ref is `{"$ref": …}` as `save_as_json` writes it, or `{"cref": …}` as schema 1.0.0 to 1.4.0 files
saved without aliases spell it (docling's own ground truth of those versions). Tables (`table`, and
`document_index`, Docling's table of contents) are `TableData` cells placed at their row and column offsets with
their spans (`docling_table.py`); list items take their depth from the nesting of `list` groups; a picture's or
table's `captions` link its captions, wherever the tree puts them (1.0.0 puts a table's caption in the body
before the table: it stays there, linked).
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from msgspec import UNSET, field

from ..build import FURNITURE, BlockIds, compact, finish
from ..errors import Repairs, describe
from ..geometry import checked_box, finite_numbers
from ..kit import kind_of, list_level
from ..schema import Block, Document, Job, Page
from ..tables import plain_text
from ..typed import Raw, as_json, decode_as, present, rest_of
from .docling_table import Box, TableData, read_table

PROVIDER = "docling"
FORMAT = "docling"
KINDS = {
    "title": "heading", "section_header": "heading", "text": "paragraph", "paragraph": "paragraph",
    "reference": "paragraph", "list_item": "list_item", "caption": "caption", "footnote": "footnote",
    "page_header": "header", "page_footer": "footer", "formula": "formula", "code": "code", "picture": "figure",
    "chart": "figure", "table": "table", "document_index": "table", "checkbox_selected": "paragraph",
    "checkbox_unselected": "paragraph", "handwritten_text": "paragraph", "form": "other",
    "key_value_region": "other", "grading_scale": "other", "empty_value": "other", "marker": "other",
    "field_region": "other", "field_heading": "heading", "field_item": "other", "field_key": "paragraph",
    "field_value": "paragraph", "field_hint": "paragraph", "unspecified": "other",
}
_ITEM_EXTRAS = ("references", "footnotes", "image", "annotations", "meta", "formatting", "hyperlink", "source",
                "comments")  # kept in extra as they are
_item_extras = attrgetter(*_ITEM_EXTRAS)
_NONE_GIVEN = (UNSET,) * len(_ITEM_EXTRAS)
COLLECTIONS = ("texts", "tables", "pictures", "groups", "key_value_items", "form_items")


# --- raw shape ------------------------------------------------------------------------------------

class Ref(Raw, kw_only=True):
    cref: str | None = field(default=None, name="$ref")
    plain: str | None = field(default=None, name="cref")  # schema 1.0.0 to 1.4.0 as docling's own tests saved it

    @property
    def pointer(self) -> str | None:
        """The item it points at, however it was spelled (`$ref`, or `cref` as pydantic wrote it unaliased)."""
        return self.cref if self.cref is not None else self.plain

    @property
    def more(self) -> dict[str, Any] | None:
        """What the ref holds besides its pointer (unknown keys, a `cref` beside a `$ref`), or None."""
        if self.plain is not None and self.cref is not None:
            return {**self.rest, "cref": self.plain}
        return dict(self.rest) if self.rest else None


class Prov(Raw, kw_only=True):
    page_no: int | None = None
    bbox: Box | None = None
    charspan: Any = UNSET


class Item(Raw, kw_only=True):
    self_ref: str | None = None
    parent: Ref | None = None
    children: list[Ref] | None = None
    content_layer: str | None = None
    label: str | None = None
    name: str | None = None
    prov: list[Prov] | None = None
    orig: str | None = None
    text: str | None = None
    level: int | None = None
    enumerated: bool | None = None
    marker: str | None = None
    code_language: str | None = None
    captions: list[Ref] | None = None
    references: Any = UNSET
    footnotes: Any = UNSET
    image: Any = UNSET
    data: TableData | None = None
    annotations: Any = UNSET
    meta: Any = UNSET
    formatting: Any = UNSET
    hyperlink: Any = UNSET
    source: Any = UNSET
    comments: Any = UNSET


class Size(Raw, kw_only=True):
    width: float | None = None
    height: float | None = None


class DPage(Raw, kw_only=True):
    size: Size | None = None
    page_no: int | None = None
    image: Any = UNSET


class Origin(Raw, kw_only=True):
    mimetype: str | None = None
    binary_hash: Any = None
    filename: str | None = None
    uri: str | None = None


class DoclingJson(Raw, kw_only=True):
    schema_name: str | None = None
    version: str | None = None
    name: str | None = None
    origin: Origin | None = None
    furniture: Item | None = None
    body: Item | None = None
    groups: list[Item] | None = None
    texts: list[Item] | None = None
    pictures: list[Item] | None = None
    tables: list[Item] | None = None
    key_value_items: list[Item] | None = None
    form_items: list[Item] | None = None
    field_regions: list[Item] | None = None
    field_items: list[Item] | None = None
    pages: dict[str, DPage] | None = None


# --- conversion -----------------------------------------------------------------------------------

class _Reader:
    def __init__(self, d: DoclingJson, repairs: Repairs):
        self.d, self.repairs = d, repairs
        self.items: dict[str, tuple[Item, str]] = {}  # "#/texts/3" -> (item, its JSON path)
        for name in COLLECTIONS + ("field_regions", "field_items"):
            for i, item in enumerate(getattr(d, name) or ()):
                self.items[f"#/{name}/{i}"] = (item, f"$.{name}[{i}]")
        self.heights: dict[int, float] = {}

    def order(self) -> list[tuple[Item, str, int]]:
        """(item, path, list depth) in reading order: the body tree, then the furniture root, depth first; an
        item reached twice counts once; items no tree reaches, at the end. What groups and references carry
        besides the tree (fields Docling added since) is kept in `self.kept`, by the item it leads to."""
        self.kept: dict[str, dict[str, Any]] = {}
        out: list[tuple[Item, str, int]] = []
        seen: set[str] = set()
        for root, path in ((self.d.body, "$.body"), (self.d.furniture, "$.furniture")):
            if root is None:
                continue
            # (ref, the parent's JSON path, the ref's place among its children, list depth): a ref's own path is
            # spelled out only for a repair
            stack = [(ref, path, k, 0) for k, ref in enumerate(root.children or ())][::-1]
            while stack:
                ref, parent_path, k, depth = stack.pop()
                pointer = ref.pointer or ""
                if pointer in seen:
                    continue
                found = self.items.get(pointer)
                if found is None:
                    self.repairs(f"{parent_path}.children[{k}]", "expected a $ref to an item of this document, "
                                 f"found {describe(pointer)}", "skipped")
                    continue
                seen.add(pointer)
                item, item_path = found
                if ref.rest or ref.plain is not None and ref.cref is not None:
                    self.kept.setdefault(pointer, {})["ref"] = ref.more
                deeper = depth + 1 if item.label in ("list", "ordered_list") or item.name == "list" else depth
                if not pointer.startswith("#/groups/"):
                    out.append((item, item_path, depth))
                elif item.rest or (item.parent and item.parent.more) or item.prov:
                    self.kept.setdefault(pointer, {})["group"] = compact({
                        **item.rest, "parent_rest": item.parent.more if item.parent else None,
                        "prov": len(item.prov or ()) or None})
                if item.children:
                    stack += [(r, item_path, k, deeper) for k, r in enumerate(item.children)][::-1]
        orphans = [p for p in self.items if p not in seen and not p.startswith("#/groups/")]
        if orphans:
            self.repairs.note("$", f"{len(orphans)} item(s) no tree reaches ({', '.join(orphans[:3])}"
                                   f"{'…' if len(orphans) > 3 else ''}); kept after the rest")
            out += [(self.items[p][0], self.items[p][1], 0) for p in orphans]
        return out

    def box(self, b: Box | None, page: int, path: str) -> list[float] | None:
        """A Docling box in our frame (top-left origin): a BOTTOMLEFT one turned over with the page height."""
        if b is None:
            return None
        origin = b.coord_origin
        if origin == "BOTTOMLEFT" or (origin is not None and origin != "TOPLEFT" and origin.upper() == "BOTTOMLEFT"):
            height = self.heights.get(page)
            if height is None:
                self.repairs(path, "expected the page's height to turn a BOTTOMLEFT box over, found no page size",
                             "no box; kept in extra")
                return None
            raw = [b.l, b.t, b.r, b.b]
            if finite_numbers(raw):  # else the box check says what was found
                raw = [b.l, height - b.t, b.r, height - b.b]
        else:
            raw = [b.l, b.t, b.r, b.b]
        return checked_box(raw, self.repairs, path)


def _key_number(key: str) -> int | None:
    """A `pages` key as a page number from 1: ASCII digits, not too many (`int()` refuses "²", which `isdigit`
    takes for a digit, and more than 4,300 digits)."""
    if key.isascii() and key.isdigit() and len(key) < 19 and int(key) > 0:
        return int(key)
    return None


def convert(raw: Any, repairs: Repairs) -> list[Document]:
    d = decode_as(raw, DoclingJson, repairs)
    reader = _Reader(d, repairs)
    doc = Document(provider=PROVIDER, format=FORMAT, job=Job(status="succeeded"),
                   file_name=(d.origin.filename if d.origin else None) or d.name)
    left_out: dict[str, Any] = {}
    for key, p in sorted(((k, v) for k, v in (d.pages or {}).items() if isinstance(v, DPage)),
                         key=lambda kv: kv[1].page_no or 0):
        number = p.page_no if p.page_no and p.page_no > 0 else _key_number(key)
        if number is None:
            repairs(f"$.pages.{key}.page_no", f"expected a page number from 1, found {describe(p.page_no)}",
                    "page left out (kept in the document's extra); its items keep their own page numbers")
            left_out[key] = compact({**as_json(p), "size": as_json(p.size) if p.size else None})
            continue
        size = p.size or Size()
        doc.pages.append(Page(number=number, width=size.width, height=size.height,
                              unit="pt" if size.width and size.height else None,
                              extra=compact({**present(p, ("image",)), **rest_of(size, "size_"), **p.rest,
                                             "key": key if key != str(number) else None})))
        if size.height:
            reader.heights[number] = size.height
    ids = BlockIds()
    items = reader.order()
    for item, path, depth in items:
        doc.blocks.append(_block(item, path, depth, reader, ids, repairs))
    known = {p.number for p in doc.pages}
    for n in sorted({b.page for b in doc.blocks} - known):
        doc.pages.append(Page(number=n))
    doc.pages.sort(key=lambda p: p.number)
    # captions by the typed refs (not from extra, where an unreadable field is kept under its own name)
    by_ref = {item.self_ref: b.id for (item, _, _), b in zip(items, doc.blocks) if item.self_ref}
    for (item, _, _), b in zip(items, doc.blocks):
        if not item.captions:
            continue
        refs = [r.pointer for r in item.captions if r.pointer]
        b.captions = [by_ref[r] for r in refs if r in by_ref]
        if len(b.captions) < len(refs):
            b.extra["caption_refs"] = refs
    doc.job.page_count = len(doc.pages)
    roots = {name: compact({"self_ref": root.self_ref, "name": root.name, "label": root.label,
                            "content_layer": root.content_layer, **root.rest})
             for name, root in (("body", d.body), ("furniture", d.furniture)) if root is not None}
    groups = {p: v for p, v in reader.kept.items() if p.startswith("#/groups/")}  # no block to keep them in
    doc.extra = compact({"schema_name": d.schema_name, "version": d.version, "name": d.name, "roots": roots or None,
                         "groups": groups or None,
                         "origin": {k: v for k, v in (("mimetype", d.origin.mimetype),
                                                      ("binary_hash", d.origin.binary_hash),
                                                      ("uri", d.origin.uri)) if v is not None} or None
                         if d.origin else None, **rest_of(d.origin, "origin_"), "pages_left_out": left_out or None,
                         **d.rest})
    return [finish(doc, repairs)]


def _block(item: Item, path: str, depth: int, reader: _Reader, ids: BlockIds,
           repairs: Repairs) -> Block:
    label = item.label or "unspecified"
    kind = KINDS.get(label) or kind_of(label, KINDS, repairs, f"{path}.label", what="item label")
    provs = item.prov or []
    page = provs[0].page_no if provs and provs[0].page_no and provs[0].page_no > 0 else 1
    bbox = reader.box(provs[0].bbox, provs[0].page_no or 0, f"{path}.prov[0].bbox") if provs else None
    # unrolled: this runs once per item, and most fields are absent
    extra: dict[str, Any] = {"label": label}
    if item.self_ref is not None:
        extra["self_ref"] = item.self_ref
    if item.parent is not None and item.parent.pointer is not None:
        extra["parent"] = item.parent.pointer
    if provs and provs[0].bbox is not None and provs[0].bbox.coord_origin is not None:
        extra["coord_origin"] = provs[0].bbox.coord_origin
    if item.content_layer is not None and item.content_layer != "body":
        extra["content_layer"] = item.content_layer
    if item.orig is not None and item.orig != item.text:
        extra["orig"] = item.orig
    if provs:
        _prov_extras(item, provs, bbox, extra)
    if item.captions and any(r.rest or r.plain is not None and r.cref is not None for r in item.captions):
        extra["caption_refs_rest"] = [r.more or {} for r in item.captions]
    if item.parent is not None and (item.parent.rest or item.parent.plain is not None and item.parent.cref is not None):
        extra["parent_rest"] = item.parent.more
    if item.self_ref in reader.kept:
        extra["kept"] = reader.kept[item.self_ref]
    values = _item_extras(item)
    if values != _NONE_GIVEN:  # one C-level comparison for the common item that has none of them
        extra.update((name, value) for name, value in zip(_ITEM_EXTRAS, values) if value is not UNSET)
    if item.rest:
        extra.update(item.rest)
    if item.code_language is not None and kind != "code":
        extra["code_language"] = item.code_language
    if item.data is not None:
        extra.update(present(item.data, ("grid", "orientation")))
        extra.update(item.data.rest)
    text = item.text or ""
    block = Block(id=ids(page), page=page, kind=kind, text=text, bbox=bbox, extra=extra)  # type: ignore[arg-type]
    if kind == "heading":
        block.level = 1 if label == "title" else min(max(item.level or 1, 1) + 1, 6)  # its sections start under the title
    elif kind == "list_item":
        block.level = list_level(depth, repairs, path, found=f"{depth} nested list groups")
        block.ordered, block.marker = item.enumerated, item.marker
    elif kind == "code":
        block.language = item.code_language
    elif kind == "formula":
        block.latex = text or None
    elif kind == "table" and item.data is not None:
        block.table, cell_extra = read_table(item.data, page, path, reader.box, repairs)
        block.text = plain_text(block.table)
        cells = {str(k): v for k, v in cell_extra.items() if v}
        if cells:
            extra["cells"] = cells  # by position in table_cells: what a canonical Cell has no field for
    if kind in FURNITURE and item.content_layer not in (None, "furniture"):
        extra["content_layer"] = item.content_layer
    return block


def _prov_extras(item: Item, provs: list, bbox: list[float] | None, extra: dict[str, Any]) -> None:
    """What an item's provenance holds beyond its first box: a first box that could not be read, the other pages'
    boxes, and the provenance fields no canonical field takes."""
    if bbox is None and provs[0].bbox is not None:
        extra["bbox"] = {"l": provs[0].bbox.l, "t": provs[0].bbox.t, "r": provs[0].bbox.r, "b": provs[0].bbox.b,
                         "coord_origin": provs[0].bbox.coord_origin}
    if len(provs) > 1:
        extra["more_prov"] = [{"page_no": p.page_no, "bbox": None if p.bbox is None else
                               [p.bbox.l, p.bbox.t, p.bbox.r, p.bbox.b, p.bbox.coord_origin]} for p in provs[1:]]
    for k, prov in enumerate(provs):
        if prov.rest or (prov.bbox is not None and prov.bbox.rest) or prov.charspan is not UNSET and k == 0 and \
                prov.charspan != [0, len(item.text or "")]:
            extra.setdefault("prov_rest", {})[str(k)] = compact({**prov.rest, **present(prov, ("charspan",)),
                                                           "bbox_rest": dict(prov.bbox.rest) if prov.bbox and
                                                           prov.bbox.rest else None})
