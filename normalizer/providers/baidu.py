"""Baidu document parser: the task submit/query response, and the downloaded `parse_result` JSON.

PROVIDERS.md §3. Layouts come in reading order with `[x, y, w, h]` boxes in the raster of `meta`; tables
are `cells` plus a `matrix` of cell indexes in which a merged cell's index repeats over the rectangle it
covers; captions and the heading tree are linked by layout id.
"""

from __future__ import annotations

import re
from typing import Any

from msgspec import UNSET

from .. import tables
from ..build import FURNITURE, PageBlocks, compact, finish, formula_latex, section_tree, zero_based_page
from ..errors import Repairs, describe
from ..geometry import checked_box, clean_xywh
from ..kit import heading_level, kind_of, read_table, status_of
from ..schema import Block, Chunk, Document, Image, Job, Location, Page
from ..typed import Raw, as_json, decode_as, present, present_getter, rest_of
from .baidu_matrix import from_matrix

PROVIDER = "baidu"

# layout `type` -> kind. Classic parser and the PaddleOCR-VL variant (PP-DocLayout labels).
KINDS = {
    "para": "paragraph", "text": "paragraph", "title": "heading", "table": "table", "image": "figure",
    "contents": "toc", "seal": "seal", "formula": "formula", "head_tail": "header",
    # PaddleOCR-VL
    "chart": "figure", "doc_title": "heading", "paragraph_title": "heading", "figure_title": "caption",
    "display_formula": "formula", "inline_formula": "formula", "formula_number": "other", "header": "header",
    "footer": "footer", "header_image": "header", "footer_image": "footer", "number": "page_number",
    "abstract": "paragraph", "algorithm": "code", "aside_text": "other", "content": "toc", "footnote": "footnote",
    "reference": "paragraph", "reference_content": "paragraph", "vertical_text": "paragraph",
}
# `sub_type` refines the kind; `title_n` is a heading of level n.
SUB_KINDS = {"image_title": "caption", "table_title": "caption", "chart": "figure", "figure": "figure",
             "QR_code": "barcode", "Bar_code": "barcode"}
HEADING_LEVELS = {"doc_title": 1, "paragraph_title": 2}
_TITLE_N = re.compile(r"title_(\d{1,9})$")  # bounded: int() refuses more than 4,300 digits

STATUS = {"pending": "queued", "processing": "running", "running": "running", "success": "succeeded",
          "failed": "failed"}
CONTINUED = {"begin": "begin", "inner": "inner", "end": "end", "": None}


# --- raw shape ------------------------------------------------------------------------------------

# A box `[x, y, w, h]`: decoded as four floats in C on clean input; anything else reaches checked_box as given.
Position = tuple[float, float, float, float]


class Layout(Raw, kw_only=True):
    layout_id: str | None = None
    text: str | None = None
    position: Position | None = None
    type: str | None = None
    sub_type: str | None = None
    parent: str | None = None
    children: list[str] | None = None
    polygon: Any = UNSET
    table_html: Any = UNSET


class BCell(Raw, kw_only=True):
    layout_id: str | None = None
    text: str | None = None
    position: Position | None = None
    type: Any = UNSET
    sub_type: Any = UNSET


class BTable(Raw, kw_only=True):
    layout_id: str | None = None
    markdown: str | None = None
    table_title_id: str | list[str] | None = None
    position: Any = None
    cells: list[BCell] | None = None
    matrix: list[list[int]] | None = None
    merge_table: str | None = None


class BImage(Raw, kw_only=True):
    layout_id: str | None = None
    image_title_id: str | list[str] | None = None
    position: Any = None
    content_layouts: Any = UNSET
    data_url: str | None = None
    image_description: Any = UNSET


class Meta(Raw, kw_only=True):
    page_width: float | None = None
    page_height: float | None = None
    is_scan: bool | None = None
    page_angle: float | None = None
    page_type: Any = UNSET
    sheet_name: Any = UNSET


class BPage(Raw, kw_only=True):
    page_id: Any = UNSET
    page_num: int | None = None
    text: str | None = None
    layouts: list[Layout] | None = None
    tables: list[BTable] | None = None
    images: list[BImage] | None = None
    meta: Meta | None = None


class ChunkPosition(Raw, kw_only=True):
    box: Any = None
    page_num: int | None = None


class ChunkMeta(Raw, kw_only=True):
    title: list[str] | None = None
    position: list[ChunkPosition] | None = None


class BChunk(Raw, kw_only=True):
    chunk_id: str | None = None
    content: str | None = None
    type: str | None = None
    meta: ChunkMeta | None = None


class Result(Raw, kw_only=True):
    file_name: str | None = None
    file_id: Any = UNSET
    pages: list[BPage] | None = None
    chunks: list[BChunk] | None = None


class TaskResult(Raw, kw_only=True):
    task_id: str | None = None
    status: str | None = None
    task_error: str | dict[str, Any] | None = None
    markdown_url: str | None = None
    parse_result_url: str | None = None


class Task(Raw, kw_only=True):
    log_id: str | int | None = None
    error_code: int | None = None
    error_msg: str | None = None
    result: TaskResult | None = None


# --- baidu.task -----------------------------------------------------------------------------------

def convert_task(raw: Any, repairs: Repairs) -> list[Document]:
    task = decode_as(raw, Task, repairs)
    result = task.result or TaskResult()
    word = result.status
    error = _task_error(result.task_error)
    # no status: a submit response, accepted and not started; an unknown word is not terminal: running
    status = status_of(word, STATUS, repairs, "$.result.status", default="queued" if result.task_id else "unknown",
                       unknown="running")
    if task.error_code not in (0, None):
        status, error = "failed", f"error_code {task.error_code}: {task.error_msg or 'error'}"
    job = Job(id=result.task_id, status=status, provider_status=word,  # type: ignore[arg-type]
              error=error if status == "failed" or error else None)
    doc = Document(provider=PROVIDER, format="baidu.task", job=job, extra=compact({
        "log_id": task.log_id, "error_code": task.error_code, "error_msg": task.error_msg or None,
        "markdown_url": result.markdown_url, "parse_result_url": result.parse_result_url,
        "task_error": result.task_error if isinstance(result.task_error, dict) else None,
        **rest_of(result, "result_"), **task.rest}))
    return [finish(doc, repairs)]


def _task_error(value: str | dict[str, Any] | None) -> str | None:
    if isinstance(value, dict):
        msg = value.get("error_msg") or value.get("message")
        code = value.get("error_code")
        return " ".join(str(p) for p in (code, msg) if p not in (None, "")) or None
    return value or None


# --- baidu.result ---------------------------------------------------------------------------------

def convert_result(raw: Any, repairs: Repairs) -> list[Document]:
    result = decode_as(raw, Result, repairs)
    doc = Document(provider=PROVIDER, format="baidu.result", file_name=result.file_name,
                   job=Job(status="succeeded"), extra=present(result, ("file_id",)))
    parents: dict[str, str | None] = {}  # block id -> the provider's parent layout id
    ids: dict[str, str] = {}  # layout id -> block id
    for i, bp in enumerate(result.pages or ()):
        _page(doc, bp, ids, parents, repairs, f"$.pages[{i}]")
    for i, bc in enumerate(result.chunks or ()):
        doc.chunks.append(_chunk(bc, i, repairs, f"$.chunks[{i}]"))
    doc.job.page_count = len(doc.pages) or None
    section_tree(doc.blocks)
    _check_heading_tree(doc.blocks, ids, parents, repairs)
    return [finish(doc, repairs, sections=False)]


def _page(doc: Document, bp: BPage, ids: dict[str, str], parents: dict[str, str | None],
          repairs: Repairs, path: str) -> None:
    number = zero_based_page(bp.page_num, len(doc.pages) + 1, repairs, f"{path}.page_num")
    meta = bp.meta or Meta()
    page = Page(number=number, width=meta.page_width, height=meta.page_height,
                unit="px" if meta.page_width and meta.page_height else None, rotation=meta.page_angle,
                is_scan=meta.is_scan, text=bp.text,
                extra=compact({**present(bp, ("page_id",)), **present(meta, ("page_type", "sheet_name")),
                               **rest_of(meta, "meta_"), **bp.rest}))
    doc.pages.append(page)
    tables_by_id = {t.layout_id: (j, t) for j, t in enumerate(bp.tables or ())}
    images_by_id = {m.layout_id: (j, m) for j, m in enumerate(bp.images or ())}
    out = PageBlocks(number, doc.blocks)
    captions: list[tuple[Block, str | list[str] | None, str]] = []
    for j, layout in enumerate(bp.layouts or ()):
        block = _layout_block(layout, page, out, repairs, path, j)
        if layout.layout_id:
            if layout.layout_id in ids:
                repairs.note(f"{path}.layouts[{j}].layout_id", f"layout id {layout.layout_id!r} appears twice; "
                                                               "links use the first")
            else:
                ids[layout.layout_id] = block.id
        parents[block.id] = layout.parent or None
        if block.kind == "table" and layout.layout_id in tables_by_id:
            k, table = tables_by_id.pop(layout.layout_id)
            _fill_table(block, table, repairs, f"{path}.tables[{k}]")
            captions.append((block, table.table_title_id, f"{path}.tables[{k}].table_title_id"))
        elif block.kind in ("figure", "barcode") and layout.layout_id in images_by_id:
            k, image = images_by_id.pop(layout.layout_id)
            _fill_image(block, image, number)
            captions.append((block, image.image_title_id, f"{path}.images[{k}].image_title_id"))
    for k, table in tables_by_id.values():  # content entries with no reading-order layout: keep them last
        tpath = f"{path}.tables[{k}]"
        repairs(f"{tpath}.layout_id", f"expected a layout with id {table.layout_id!r}, found none",
                "appended the table at the end of the page")
        block = out.add(kind="table", bbox=checked_box(table.position, repairs, f"{tpath}.position", xywh_order=True),
                        extra=compact({"layout_id": table.layout_id}))
        _fill_table(block, table, repairs, tpath)
        captions.append((block, table.table_title_id, f"{tpath}.table_title_id"))
    for k, image in images_by_id.values():
        ipath = f"{path}.images[{k}]"
        repairs(f"{ipath}.layout_id", f"expected a layout with id {image.layout_id!r}, found none",
                "appended the image at the end of the page")
        block = out.add(kind="figure", bbox=checked_box(image.position, repairs, f"{ipath}.position", xywh_order=True),
                        extra=compact({"layout_id": image.layout_id}))
        _fill_image(block, image, number)
        captions.append((block, image.image_title_id, f"{ipath}.image_title_id"))
    for block, refs, cpath in captions:
        _link_captions(block, refs, ids, repairs, cpath)


_LAYOUT_EXTRA = present_getter(("polygon", "table_html"))


def _layout_block(layout: Layout, page: Page, out: PageBlocks, repairs: Repairs, pages_path: str, j: int) -> Block:
    """One layout. The hot path of Baidu: JSON paths are only spelled out when something is wrong."""
    word, sub = layout.type or "", layout.sub_type or ""
    kind = KINDS.get(word) or kind_of(word, KINDS, repairs, lambda: f"{pages_path}.layouts[{j}].type",
                                      what="layout type")
    level = None
    if sub:
        title = _TITLE_N.match(sub)
        if title:
            kind, level = "heading", int(title.group(1))
        elif sub in SUB_KINDS and kind in ("paragraph", "figure", "heading", "other"):
            kind = SUB_KINDS[sub]
    if kind == "heading":
        level = heading_level(level or HEADING_LEVELS.get(word, 1), repairs, f"{pages_path}.layouts[{j}].sub_type",
                              found=repr(sub))
    position = layout.position
    bbox = checked_box(position, repairs, lambda: f"{pages_path}.layouts[{j}].position", xywh_order=True)
    if kind == "header" and word == "head_tail":
        kind = _head_or_tail(bbox, page)
    text = layout.text or ""
    extra: dict[str, Any] = {} if layout.layout_id is None else {"layout_id": layout.layout_id}
    extra["type"] = word
    if sub:
        extra["sub_type"] = sub
    if bbox is None and position is not None:
        extra["position"] = list(position) if type(position) is tuple else position
    if layout.parent:
        extra["parent"] = layout.parent
    if layout.children:
        extra["children"] = layout.children
    _LAYOUT_EXTRA(layout, extra)
    latex = None
    if kind == "formula":
        latex = formula_latex(text) or text.strip().strip("$").strip() or None
    return out.append(Block(id=out.next_id(), page=out.page, kind=kind, text=text, level=level,
                            bbox=bbox, latex=latex, extra=extra))


def _head_or_tail(bbox: list[float] | None, page: Page) -> str:
    """A head/tail area is a header in the top half of the page, a footer in the bottom half."""
    if bbox is None or not page.height:
        return "header"
    return "header" if (bbox[1] + bbox[3]) / 2 < page.height / 2 else "footer"


def _keep_position(block: Block, position: Any, key: str) -> None:
    """A table's or image's own `position`, kept in extra unless it is the block's box (as it is when the entry
    repeats its layout's): an unreadable one, or one placing it elsewhere, is not lost."""
    if position is not None and clean_xywh(position) != block.bbox:
        block.extra[key] = list(position) if type(position) is tuple else position


def _fill_image(block: Block, image: BImage, page: int) -> None:
    block.image = Image(id=image.layout_id, page=page, url=image.data_url, bbox=block.bbox)
    extra = present(image, ("content_layouts", "image_description"))
    if not block.text and isinstance(extra.get("image_description"), str):
        block.text = extra.pop("image_description")  # chart analysis: the figure's text, as SoMark gives it
    block.extra.update(extra)
    block.extra.update(rest_of(image, "image_"))
    _keep_position(block, image.position, "image_position")


def _link_captions(block: Block, refs: str | list[str] | None, ids: dict[str, str], repairs: Repairs,
                   path: str) -> None:
    if not refs:
        return
    refs = [refs] if isinstance(refs, str) else refs
    found = [ids[r] for r in refs if r in ids]
    if len(found) < len(refs):
        repairs(path, f"expected layout ids of this document, found {[r for r in refs if r not in ids]!r}",
                "kept in extra")
        block.extra["caption_ids"] = refs
    block.captions = found


# --- tables from cells + matrix -------------------------------------------------------------------

def _fill_table(block: Block, bt: BTable, repairs: Repairs, path: str) -> None:
    block.markdown = bt.markdown if bt.markdown and not tables.has_html_table(bt.markdown) else None
    block.html = bt.markdown if tables.has_html_table(bt.markdown) else None
    continued = CONTINUED.get(bt.merge_table or "")
    if bt.merge_table and continued is None:
        repairs.note(f"{path}.merge_table", f"unknown merge_table {bt.merge_table!r}; not treated as continued")
        block.extra["merge_table"] = bt.merge_table
    if bt.matrix:
        table = from_matrix(bt.cells or [], bt.matrix, repairs, path)
    else:
        table = read_table(repairs, markdown=(bt.markdown, f"{path}.markdown")).table
        if bt.cells:
            repairs(f"{path}.matrix", "expected a matrix placing the cells, found none",
                    "table rebuilt from its markdown; cells kept in extra")
            block.extra["cells"] = [as_json(c) for c in bt.cells]
    if bt.cells:  # what a canonical Cell has no field for: the cells' layout ids, and any type but "cell"
        block.extra["cell_ids"] = [c.layout_id for c in bt.cells]
        odd = {str(i): present(c, ("type", "sub_type")) for i, c in enumerate(bt.cells)
               if c.rest or (c.type, c.sub_type) not in (("cell", ""), ("cell", UNSET), (UNSET, UNSET))}
        if odd:
            block.extra["cell_types"] = odd
    _keep_position(block, bt.position, "table_position")
    table.continued = continued  # type: ignore[assignment]
    block.table = table
    block.text = tables.plain_text(table)
    block.extra.update(rest_of(bt, "table_"))


# --- chunks and the heading tree ------------------------------------------------------------------

def _chunk(bc: BChunk, index: int, repairs: Repairs, path: str) -> Chunk:
    meta = bc.meta or ChunkMeta()
    locations = []
    unread: dict[str, Any] = {}  # boxes that could not be read, by position index
    for k, pos in enumerate(meta.position or ()):
        if pos.page_num is None or pos.page_num < 0:
            repairs(f"{path}.meta.position[{k}].page_num", f"expected a 0-based page number, found "
                                                           f"{describe(pos.page_num)}", "location dropped; kept in extra")
            continue
        bbox = checked_box(pos.box, repairs, f"{path}.meta.position[{k}].box", xywh_order=True)
        if bbox is None and pos.box is not None:
            unread[str(k)] = pos.box
        locations.append(Location(page=pos.page_num + 1, bbox=bbox))
    return Chunk(id=bc.chunk_id or f"chunk-{index}", text=bc.content or "", kind=bc.type or "text",
                 headings=list(meta.title or ()), locations=locations,
                 extra=compact({"position": [as_json(p) for p in meta.position or ()
                                             if p.page_num is None or p.page_num < 0] or None,
                                "position_rest": {str(k): p.rest for k, p in enumerate(meta.position or ()) if p.rest
                                                  and p.page_num is not None and p.page_num >= 0} or None,
                                "position_box": unread or None, **rest_of(meta, "meta_"), **bc.rest}))


def _check_heading_tree(blocks: list[Block], ids: dict[str, str], parents: dict[str, str | None],
                        repairs: Repairs) -> None:
    """Compare the provider's `parent` links with the generic section tree; report where they differ."""
    if not any(parents.values()):
        return  # this result carries no tree (the PaddleOCR-VL parser gives none)
    kinds = {b.id: b.kind for b in blocks}
    differ = []
    page, heading_on_page = 0, False
    for block in blocks:
        if block.page != page:
            page, heading_on_page = block.page, False
        if block.kind in FURNITURE:
            continue
        given = parents.get(block.id)
        theirs = ids.get(given) if given else None
        above_first_heading = not heading_on_page
        heading_on_page = heading_on_page or block.kind == "heading"
        if not given and above_first_heading:
            continue  # Baidu builds its tree page by page: up to a page's first heading, "" is not a claim
        if given and theirs is None:
            differ.append(f"{block.id}: parent {given!r} is not a layout of this document")
        elif theirs != block.parent and (theirs is None or kinds.get(theirs) == "heading"):
            differ.append(f"{block.id}: provider parent {theirs}, section tree {block.parent}")
    if differ:
        repairs.note("$.pages", f"the provider's heading tree differs from the section tree in {len(differ)} "
                                f"place(s); kept the section tree: " + "; ".join(differ[:5])
                     + ("; …" if len(differ) > 5 else ""))
