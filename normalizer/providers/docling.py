"""Docling: a DoclingDocument JSON (docling-core's schema, as `DoclingDocument.save_as_json` writes it).

Headings: a `title` is level 1 and a `section_header` of level n is level n + 1 (Docling's sections start under
the title). The frame it reads: each item's `prov[].bbox` is `{l, t, r, b, coord_origin}` in the page's units (points for a
PDF), with its origin TOPLEFT (y down, as ours) or BOTTOMLEFT (y up: `t` is the top's height above the page
bottom), converted here with the page height from `pages`. Reading order is the body tree walked depth first
through its JSON-pointer `$ref`s (the deprecated `furniture` root too); an item no tree reaches is kept, at the
end, with a note. Tables are `TableData` cells placed at their row and column offsets with their spans; list
items take their depth from the nesting of `list` groups; a picture's or table's `captions` link its captions.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

from msgspec import UNSET, field

from ..build import FURNITURE, BlockIds, compact, finish
from ..detect import Probe
from ..errors import Repairs, describe
from ..geometry import checked_box, finite_numbers
from ..kit import kind_of, list_level
from ..schema import Block, Document, Job, Page, Table
from ..tables import grid_limit, place, plain_text
from ..typed import Raw, as_json, decode_as, present, rest_of

PROVIDER = "docling"
FORMAT = "docling"
KINDS = {
    "title": "heading", "section_header": "heading", "text": "paragraph", "paragraph": "paragraph",
    "reference": "paragraph", "list_item": "list_item", "caption": "caption", "footnote": "footnote",
    "page_header": "header", "page_footer": "footer", "formula": "formula", "code": "code", "picture": "figure",
    "chart": "figure", "table": "table", "document_index": "toc", "checkbox_selected": "paragraph",
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


class Box(Raw, kw_only=True):
    l: Any = None
    t: Any = None
    r: Any = None
    b: Any = None
    coord_origin: str | None = None


class Prov(Raw, kw_only=True):
    page_no: int | None = None
    bbox: Box | None = None
    charspan: Any = UNSET


class DCell(Raw, kw_only=True):
    bbox: Box | None = None
    row_span: int | None = None
    col_span: int | None = None
    start_row_offset_idx: int | None = None
    end_row_offset_idx: int | None = None
    start_col_offset_idx: int | None = None
    end_col_offset_idx: int | None = None
    text: str | None = None
    column_header: bool | None = None
    row_header: bool | None = None
    row_section: bool | None = None
    fillable: Any = UNSET


class TableData(Raw, kw_only=True):
    table_cells: list[DCell] | None = None
    num_rows: int | None = None
    num_cols: int | None = None
    grid: Any = UNSET
    orientation: Any = UNSET


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
                pointer = ref.cref or ""
                if pointer in seen:
                    continue
                found = self.items.get(pointer)
                if found is None:
                    self.repairs(f"{parent_path}.children[{k}]", "expected a $ref to an item of this document, "
                                 f"found {describe(pointer)}", "skipped")
                    continue
                seen.add(pointer)
                item, item_path = found
                if ref.rest:
                    self.kept.setdefault(pointer, {})["ref"] = dict(ref.rest)
                deeper = depth + 1 if item.label in ("list", "ordered_list") or item.name == "list" else depth
                if not pointer.startswith("#/groups/"):
                    out.append((item, item_path, depth))
                elif item.rest or (item.parent and item.parent.rest) or item.prov:
                    self.kept.setdefault(pointer, {})["group"] = compact({
                        **item.rest, "parent_rest": dict(item.parent.rest) if item.parent and item.parent.rest else None,
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

    def table(self, data: TableData | None, page: int, path: str) -> Table:
        """Cells at their offsets: laid out row by row with empty cells where nothing covers a slot, so the
        grid placement (and its repairs and bounds) keeps every cell where Docling put it. What a canonical cell
        has no field for is left in `self.cell_extra`, by the cell's place in `table_cells`."""
        cells = [c for c in (data.table_cells if data else None) or ()]
        self.cell_extra: dict[int, dict[str, Any]] = {}
        if not cells:
            return Table(n_rows=0, n_cols=0)
        at = [(c.start_row_offset_idx or 0, c.start_col_offset_idx or 0, c) for c in cells]
        n_rows = max(max(r for r, _, _ in at) + 1, data.num_rows or 0)  # type: ignore[union-attr]
        n_cols = max(max(k for _, k, _ in at) + 1, data.num_cols or 0)  # type: ignore[union-attr]
        boxed: set[int] = set()  # cells whose box a canonical cell holds
        if n_rows * n_cols > grid_limit(len(cells)) or min(min(r, k) for r, k, _ in at) < 0:
            self.repairs(f"{path}.data", f"expected cell offsets from 0 within a grid for {len(cells)} cells, found "
                                         f"{n_rows} x {n_cols}", "cells laid out in their order")
            rows = [[(c.text or "", 1, 1, bool(c.column_header or c.row_header)) for _, _, c in sorted(at, key=_pos)]]
            table = place(rows, self.repairs, f"{path}.data.table_cells")
        else:
            table = place(_rows(at, n_rows, n_cols), self.repairs, f"{path}.data.table_cells")
            boxes = {(r, k): (n, c) for n, (r, k, c) in enumerate(at)}
            for cell in table.cells:  # each cell's own box, where Docling gives one
                found = boxes.get((cell.row, cell.col))
                if found is not None and found[1].bbox is not None and found[1].text == cell.text:
                    cell.bbox = self.box(found[1].bbox, page, f"{path}.data.table_cells[{found[0]}].bbox")
                    if cell.bbox is not None:
                        boxed.add(found[0])
        self.cell_extra = {k: _cell_extra(c, k in boxed) for k, c in enumerate(cells)
                           # most cells carry nothing more: not even looked at
                           if c.rest or c.bbox is not None or c.row_section or c.fillable is not UNSET}
        return table


def _rows(at: list[tuple[int, int, DCell]], n_rows: int, n_cols: int) -> list[list[Any]]:
    """Raw rows for `place`: each row's cells in column order, an empty cell in each slot that neither a cell
    nor a span from above covers."""
    covered: set[tuple[int, int]] = set()
    by_row: dict[int, list[tuple[int, DCell]]] = {}
    for r, k, c in at:
        by_row.setdefault(r, []).append((k, c))
    rows = []
    for r in range(n_rows):
        row, col = [], 0
        for k, c in sorted(by_row.get(r, []), key=lambda x: x[0]):
            while col < k:
                if (r, col) not in covered:
                    row.append(("", 1, 1, False))
                col += 1
            row_span = max(c.row_span or (c.end_row_offset_idx or r + 1) - r, 1)
            col_span = max(c.col_span or (c.end_col_offset_idx or k + 1) - k, 1)
            row.append((c.text or "", row_span, col_span, bool(c.column_header or c.row_header)))
            _cover(covered, range(r + 1, min(r + row_span, n_rows)), range(k, min(k + col_span, n_cols)))
            col = k + col_span
        rows.append(row)
    return rows


def _cell_extra(c: DCell, boxed: bool) -> dict[str, Any]:
    """A table cell's fields with no canonical home; its box too when no canonical cell holds it (unreadable, or
    the cell was moved by a repair)."""
    box = c.bbox
    return compact({**c.rest, "coord_origin": box.coord_origin if box else None,
                    "bbox_rest": dict(box.rest) if box and box.rest else None,
                    "bbox": {"l": box.l, "t": box.t, "r": box.r, "b": box.b} if box and not boxed else None,
                    **present(c, ("fillable",)), "row_section": c.row_section or None})


def _cover(covered: set[tuple[int, int]], rows: range, cols: range) -> None:
    """Marks the slots a cell's spans reach below its row, up to the first one another cell already reached:
    overlapping spans are cut by the placement anyway, and each slot is marked once, so spans that cover each
    other cost the grid's size, not their cells times the grid's."""
    for rr in rows:
        for kk in cols:
            if (rr, kk) in covered:
                return
            covered.add((rr, kk))


def _key_number(key: str) -> int | None:
    """A `pages` key as a page number from 1: ASCII digits, not too many (`int()` refuses "²", which `isdigit`
    takes for a digit, and more than 4,300 digits)."""
    if key.isascii() and key.isdigit() and len(key) < 19 and int(key) > 0:
        return int(key)
    return None


def _pos(x: tuple[int, int, Any]) -> tuple[int, int]:
    return x[0], x[1]


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
        refs = [r.cref for r in item.captions if r.cref]
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
    if item.parent is not None and item.parent.cref is not None:
        extra["parent"] = item.parent.cref
    if provs and provs[0].bbox is not None and provs[0].bbox.coord_origin is not None:
        extra["coord_origin"] = provs[0].bbox.coord_origin
    if item.content_layer is not None and item.content_layer != "body":
        extra["content_layer"] = item.content_layer
    if item.orig is not None and item.orig != item.text:
        extra["orig"] = item.orig
    if provs:
        _prov_extras(item, provs, bbox, extra)
    if item.captions and any(r.rest for r in item.captions):
        extra["caption_refs_rest"] = [dict(r.rest) for r in item.captions]
    if item.parent is not None and item.parent.rest:
        extra["parent_rest"] = dict(item.parent.rest)
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
        block.table = reader.table(item.data, page, path)
        block.text = plain_text(block.table)
        cells = {str(k): v for k, v in reader.cell_extra.items() if v}
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


def sniff(p: Probe) -> bool:
    """`{"schema_name": "DoclingDocument", …}`."""
    return p["schema_name"].value == "DoclingDocument"
