"""LlamaCloud v2 `GET /api/v2/parse/{job_id}` (any `expand` subset, pre-1.0 `bBox`/`startIndex` too)."""

from __future__ import annotations

import re
from typing import Any, Callable

from ..build import PageBlocks, compact, finish, link_captions
from ..errors import NormalizeError, Repairs, describe
from ..geometry import union
from ..kit import list_level, status_of
from ..schema import BBox, Block, Document, Image, Job, Line, Page
from ..typed import decode_as
from .llama_common import (V2_STATUS, box, box_detail, heading_block, other_block, table_block,
                           text_block)
# The raw structs are their own module; their names stay importable from here (the registry's shape, the tests).
from .llamacloud_v2_shape import (ImageBox, ImageMeta, ImagesMeta, Item, ItemsPage, ItemsPages, JobV2,  # noqa: F401
                                  MarkdownPage, MarkdownPages, Metadata, MetadataPage, Response, TextPage, TextPages)

PROVIDER = "llamacloud"


# --- conversion -----------------------------------------------------------------------------------

def convert(raw: Any, repairs: Repairs) -> list[Document]:
    resp = decode_as(raw, Response, repairs)
    if resp.job is None:
        raise NormalizeError("$.job", "expected the job object, found it missing")
    pages: dict[int, Page] = {}
    blocks: list[Block] = []
    if resp.items is not None:
        _items_pages(resp.items, pages, blocks, repairs)
    if resp.markdown is not None:
        _markdown_pages(resp.markdown, pages, repairs)
    if resp.text is not None:
        for i, tp in enumerate(resp.text.pages):
            page = _page(pages, tp.page_number, i, "$.text", repairs)
            page.text = tp.text
            _keep(page.extra, "text_page", tp.rest)
    if resp.metadata is not None:
        _metadata_pages(resp.metadata, pages, repairs)
    _continued_tables(blocks, repairs)
    link_captions(blocks)
    doc = Document(
        provider=PROVIDER, format="llamacloud.v2", file_name=resp.job.name, job=_job(resp.job, pages, repairs),
        pages=[pages[n] for n in sorted(pages)], blocks=blocks,
        images=_images(resp.images_content_metadata, repairs) if resp.images_content_metadata else [],
        markdown=resp.markdown_full, text=resp.text_full, extra=_document_extra(resp),
    )
    return [finish(doc, repairs)]


def _keep(extra: dict[str, Any], key: str, value: Any) -> None:
    if value:
        extra[key] = value


def _job(job: JobV2, pages: dict[int, Page], repairs: Repairs) -> Job:
    return Job(id=job.id, status=status_of(job.status, V2_STATUS, repairs, "$.job.status", fold=str.upper),
               provider_status=job.status, error=job.error_message, created_at=job.created_at,
               updated_at=job.updated_at, page_count=len(pages) or None)


def _document_extra(resp: Response) -> dict[str, Any]:
    job = resp.job
    assert job is not None
    extra = compact({
        "job": compact({"project_id": job.project_id, "tier": job.tier, "usage": job.usage,
                        "user_metadata": job.user_metadata, **job.rest}) or None,
        "document_metadata": resp.metadata.document if resp.metadata else None,
        "metadata": resp.metadata.rest or None if resp.metadata else None,
        "images_total_count": resp.images_content_metadata.total_count if resp.images_content_metadata else None,
        "images_content_metadata": (resp.images_content_metadata.rest or None) if resp.images_content_metadata else None,
        "result_content_metadata": resp.result_content_metadata,
        "forms": resp.forms,
        "job_metadata": resp.job_metadata,
        "raw_parameters": resp.raw_parameters,
        "items": (resp.items.rest or None) if resp.items else None,
        "markdown": (resp.markdown.rest or None) if resp.markdown else None,
        "text": (resp.text.rest or None) if resp.text else None,
    })
    extra.update(resp.rest)
    return extra


def _page(pages: dict[int, Page], number: int | None, index: int, where: str, repairs: Repairs) -> Page:
    if number is None or number < 1:
        repairs(f"{where}.pages[{index}].page_number", f"expected a 1-based page number, found {describe(number)}",
                f"used position {index + 1}")
        number = index + 1
    page = pages.get(number)
    if page is None:
        page = pages[number] = Page(number=number, extra={})
    return page


def _items_pages(items: ItemsPages, pages: dict[int, Page], blocks: list[Block], repairs: Repairs) -> None:
    for pi, ip in enumerate(items.pages):
        page = _page(pages, ip.page_number, pi, "$.items", repairs)
        if ip.page_width is not None or ip.page_height is not None:
            page.width, page.height, page.unit = ip.page_width, ip.page_height, "pt"
        if ip.success is False:
            page.ok = False
            page.error = ip.error or "page failed"
        elif ip.error:
            page.extra["error"] = ip.error
        _keep(page.extra, "revisions", ip.revisions)
        _keep(page.extra, "items_page", ip.rest)
        out = PageBlocks(page.number, blocks)
        for ii, item in enumerate(ip.items):
            _item(item, out, repairs, f"$.items.pages[{pi}].items[{ii}]")


def _markdown_pages(markdown: MarkdownPages, pages: dict[int, Page], repairs: Repairs) -> None:
    for i, mp in enumerate(markdown.pages):
        page = _page(pages, mp.page_number, i, "$.markdown", repairs)
        page.markdown = mp.markdown
        if mp.success is False:
            page.ok = False
            page.error = page.error or mp.error or "page failed"
        extra = compact({"header_markdown": mp.header, "footer_markdown": mp.footer,
                         "line_numbers": mp.line_numbers, **mp.rest})
        if mp.success is not False and mp.error:
            extra["markdown_error"] = mp.error
        page.extra.update(extra)


def _metadata_pages(metadata: Metadata, pages: dict[int, Page], repairs: Repairs) -> None:
    for i, mp in enumerate(metadata.pages):
        page = _page(pages, mp.page_number, i, "$.metadata", repairs)
        page.confidence = mp.confidence
        page.printed_number = mp.printed_page_number
        page.rotation = mp.original_orientation_angle
        page.extra.update(compact({
            "cost_optimized": mp.cost_optimized, "slide_section_name": mp.slide_section_name,
            "speaker_notes": mp.speaker_notes, "triggered_auto_mode": mp.triggered_auto_mode,
            "watermark": mp.watermark, **mp.rest}))


_PAGE_IN_NAME = re.compile(r"page_(\d{1,9})(?!\d)")  # bounded: int() refuses more than 4,300 digits


def _images(meta: ImagesMeta, repairs: Repairs) -> list[Image]:
    out = []
    for i, im in enumerate(meta.images):
        page = _PAGE_IN_NAME.match(im.filename or "")
        b = im.bbox
        extra = compact({"index": im.index, "category": im.category, "size_bytes": im.size_bytes,
                         "bbox": b.rest or None if b else None, **im.rest})
        bbox = box(b, repairs, f"$.images_content_metadata.images[{i}].bbox", extra) if b else None
        out.append(Image(id=im.filename, page=int(page.group(1)) if page else None, name=im.filename,
                         url=im.presigned_url, mime=im.content_type, bbox=bbox, extra=extra))
    return out


# --- items ----------------------------------------------------------------------------------------

def _boxes(item: Item, repairs: Repairs, path: str) -> tuple[BBox | None, float | None, dict[str, Any]]:
    """The item's box list -> one bbox (their union), a confidence, and the per-box detail worth keeping."""
    boxes = item.bbox or item.bBox
    if not boxes:
        return None, None, dict(item.rest)
    key = "bbox" if item.bbox else "bBox"
    if len(boxes) == 1:
        b = boxes[0]
        detail = box_detail(b)
        bbox = box(b, repairs, lambda: f"{path}.{key}[0]", detail)
        detail.update(item.rest)
        return bbox, b.confidence, detail
    parts, known = [], []
    for k, b in enumerate(boxes):
        part: dict[str, Any] = {}
        corners = box(b, repairs, lambda: f"{path}.{key}[{k}]", part)  # an unknown box leaves its raw self
        if corners is not None:
            part["bbox"] = corners
            known.append(corners)
        part["confidence"] = b.confidence
        part.update(box_detail(b))
        parts.append(part)
    confidences = [b.confidence for b in boxes if b.confidence is not None]
    bbox = union(known)
    # each share divided first: the sum of two confidences near 1e308 overflows to inf, which JSON cannot hold
    mean = sum(c / len(confidences) for c in confidences) if confidences else None
    return bbox, mean, {"boxes": parts, **item.rest}


def _item(item: Item, out: PageBlocks, repairs: Repairs, path: str) -> None:
    handler = _ITEM_KINDS.get(item.type or "")
    if handler is None:
        bbox, confidence, extra = _boxes(item, repairs, path)
        _keep_unhandled(item, extra)
        other_block(out, item.type, _plain(item), item.md, item.html, bbox, confidence, extra, [], repairs,
                    f"{path}.type")
        return
    handler(item, out, repairs, path)


def _text(item: Item, out: PageBlocks, repairs: Repairs, path: str) -> None:
    bbox, confidence, extra = _boxes(item, repairs, path)
    text_block(out, item.value, item.md, bbox, confidence, extra, [])


def _heading(item: Item, out: PageBlocks, repairs: Repairs, path: str) -> None:
    bbox, confidence, extra = _boxes(item, repairs, path)
    heading_block(out, item.value, item.md, item.level, bbox, confidence, extra, [], repairs, f"{path}.level")


def _table(item: Item, out: PageBlocks, repairs: Repairs, path: str) -> None:
    bbox, confidence, extra = _boxes(item, repairs, path)
    table_block(out, item.html, item.md, item.rows, bbox, confidence, extra, [], repairs, path)
    extra.update(compact({"csv": item.csv, "merged_from_pages": item.merged_from_pages,
                          "merged_into_page": item.merged_into_page, "parse_concerns": item.parse_concerns}))


def _list(item: Item, out: PageBlocks, repairs: Repairs, path: str, depth: int = 1) -> None:
    level = list_level(depth, repairs, path, found=f"{depth} nested lists")  # the JSON nesting bound bounds depth
    bbox, confidence, extra = _boxes(item, repairs, path)
    container = compact({"md": item.md, "bbox": bbox, "ordered": item.ordered, "confidence": confidence, **extra})
    first = True
    for i, sub in enumerate(item.items or ()):
        sub_path = f"{path}.items[{i}]"
        if sub.type == "list":
            _list(sub, out, repairs, sub_path, depth + 1)
            continue
        sub_bbox, sub_confidence, sub_extra = _boxes(sub, repairs, sub_path)
        if sub.type not in (None, "text"):
            sub_extra["type"] = sub.type
            _keep_unhandled(sub, sub_extra)
        if first:
            sub_extra["list"] = container
            first = False
        out.append(Block(id=out.next_id(), page=out.page, kind="list_item", level=level, text=_plain(sub),
                         bbox=sub_bbox, confidence=sub_confidence, markdown=sub.md, ordered=item.ordered,
                         extra=sub_extra))
    if first:  # a list with no items of its own: keep it as one item so nothing is lost
        out.append(Block(id=out.next_id(), page=out.page, kind="list_item", level=level, text=item.md or "",
                         bbox=bbox, confidence=confidence, markdown=item.md, ordered=item.ordered,
                         extra={"list": container}))


def _plain(item: Item) -> str:
    for text in (item.value, item.text, item.caption, item.md):
        if text is not None:
            return text
    return ""


def _keep_unhandled(item: Item, extra: dict[str, Any]) -> None:
    """Fields of an item nested where its own type is not rendered (a table inside a list, say)."""
    extra.update(compact({"html": item.html, "csv": item.csv, "rows": item.rows, "url": item.url,
                          "language": item.language, "level": item.level,
                          "items": [_plain(i) for i in item.items] if item.items else None}))


def _code(item: Item, out: PageBlocks, repairs: Repairs, path: str) -> None:
    bbox, confidence, extra = _boxes(item, repairs, path)
    out.append(Block(id=out.next_id(), page=out.page, kind="code", text=_value_or_md(item), bbox=bbox,
                     confidence=confidence, markdown=item.md, language=item.language, extra=extra))


def _value_or_md(item: Item) -> str:
    return item.value if item.value is not None else (item.md or "")


def _image(item: Item, out: PageBlocks, repairs: Repairs, path: str) -> None:
    bbox, confidence, extra = _boxes(item, repairs, path)
    image = Image(id=item.url, page=out.page, name=item.url, url=item.url, caption=item.caption, bbox=bbox)
    out.append(Block(id=out.next_id(), page=out.page, kind="figure", text=item.caption or "", image=image,
                     bbox=bbox, confidence=confidence, markdown=item.md, extra=extra))


def _link(item: Item, out: PageBlocks, repairs: Repairs, path: str) -> None:
    bbox, confidence, extra = _boxes(item, repairs, path)
    out.append(Block(id=out.next_id(), page=out.page, kind="link", text=_plain(item) if item.text is None else item.text,
                     bbox=bbox, confidence=confidence, markdown=item.md, url=item.url, extra=extra))


def _furniture(item: Item, out: PageBlocks, repairs: Repairs, path: str) -> None:
    """A page header/footer: one block, its nested items kept as its lines."""
    bbox, confidence, extra = _boxes(item, repairs, path)
    lines = []
    for i, sub in enumerate(item.items or ()):
        sub_bbox, sub_confidence, sub_extra = _boxes(sub, repairs, f"{path}.items[{i}]")
        if sub.type not in (None, "text"):
            sub_extra["type"] = sub.type
            _keep_unhandled(sub, sub_extra)
        text = _plain(sub)
        if sub.md is not None and sub.md != text:
            sub_extra["md"] = sub.md
        lines.append(Line(text=text, bbox=sub_bbox, confidence=sub_confidence, extra=sub_extra))
    text = "\n".join(line.text for line in lines) if lines else (item.md or "")
    out.append(Block(id=out.next_id(), page=out.page, kind=item.type, text=text, lines=lines, bbox=bbox,  # type: ignore[arg-type]
                     confidence=confidence, markdown=item.md, extra=extra))


_ITEM_KINDS: dict[str, Callable[[Item, PageBlocks, Repairs, str], None]] = {
    "text": _text,
    "heading": _heading,
    "list": _list,
    "code": _code,
    "table": _table,
    "image": _image,
    "link": _link,
    "header": _furniture,
    "footer": _furniture,
}
ITEM_TYPES = tuple(_ITEM_KINDS)


def _continued_tables(blocks: list[Block], repairs: Repairs) -> None:
    """`merged_from_pages` (the whole table, first page) + `merged_into_page` (empty stubs) -> begin/inner/end."""
    starts: dict[int, tuple[Block, int]] = {}
    for b in blocks:
        pages = b.extra.get("merged_from_pages") if b.table is not None else None
        if isinstance(pages, list) and pages and all(type(p) is int for p in pages):
            starts[b.page] = (b, max(pages))
            b.table.continued = "begin"  # type: ignore[union-attr]
    for block in blocks:
        target = block.extra.get("merged_into_page") if block.table is not None else None
        if type(target) is not int:
            continue
        start = starts.get(target)
        if start is None:
            repairs.note(f"$.items (page {block.page})",
                         f"table says it was merged into page {target}, which has no merged table")
            block.table.continued = "inner"  # type: ignore[union-attr]
            continue
        block.table.continued = "end" if block.page >= start[1] else "inner"  # type: ignore[union-attr]
