"""LlamaParse v1 `/result/json` (object, or the Python SDK's list of them) and the v1 job status."""

from __future__ import annotations

from typing import Any, Callable

from msgspec import field

from ..build import PageBlocks, compact, finish, link_captions
from ..errors import Repairs, describe
from ..geometry import xywh
from ..kit import status_of
from ..schema import BBox, Block, Document, Image, Job, Line, Page
from ..typed import Raw, decode_as
from .llama_common import V1_STATUS, Box, box, heading_block, other_block, table_block, text_block

PROVIDER = "llamacloud"
FORMAT = "llamaparse.v1"


# --- raw shape (PROVIDERS.md §1.5) ----------------------------------------------------------------

class ItemLine(Raw, kw_only=True):
    md: str | None = None
    text: str | None = None
    bBox: Box | None = None
    startIndex: int | None = None
    endIndex: int | None = None


class Item(Raw, kw_only=True):
    type: str | None = None
    lvl: int | None = None
    value: str | None = None
    md: str | None = None
    bBox: Box | None = None
    layoutAwareBbox: list[Box] | None = None
    lines: list[ItemLine] | None = None
    rows: list[list[str | int | float | None]] | None = None
    csv: str | None = None
    html: str | None = None
    isPerfectTable: bool | None = None


class PageImage(Raw, kw_only=True):
    name: str | None = None
    x: float | None = None
    y: float | None = None
    width: float | None = None
    height: float | None = None
    original_width: float | None = None  # a canonical Image size is a float: 2**63 + 1 would not read back
    original_height: float | None = None
    rotation: float | None = None
    type: str | None = None
    ocr: list[Any] | None = None


class Layout(Raw, kw_only=True):
    image: str | None = None
    confidence: float | None = None
    label: str | None = None
    bbox: Box | None = None
    isLikelyNoise: bool | None = None


class V1Page(Raw, kw_only=True):
    page: int | None = None
    text: str | None = None
    md: str | None = None
    images: list[PageImage] | None = None
    charts: list[Any] | None = None
    tables: list[Any] | None = None
    layout: list[Layout] | None = None
    items: list[Item] = field(default_factory=list)
    status: str | None = None
    links: list[Any] | None = None
    width: float | None = None
    height: float | None = None
    triggeredAutoMode: bool | None = None
    parsingMode: str | None = None
    structuredData: Any = None
    noStructuredContent: bool | None = None
    noTextContent: bool | None = None
    isAudioTranscript: bool | None = None
    durationInSeconds: float | None = None
    slideSpeakerNotes: str | None = None
    slideSectionName: str | None = None
    confidence: float | None = None
    printedPageNumber: str | None = None
    pageHeaderMarkdown: str | None = None
    pageFooterMarkdown: str | None = None
    originalOrientationAngle: float | None = None
    costOptimized: bool | None = None


class Result(Raw, kw_only=True):
    pages: list[V1Page] | None = None
    job_metadata: dict[str, Any] | None = None
    job_id: str | None = None
    file_path: str | None = None
    # the job status response {id, status, error_code?, error_message?}
    id: str | None = None
    status: str | None = None
    error_code: str | int | None = None
    error_message: str | None = None


# --- conversion -----------------------------------------------------------------------------------

Shape = list[Result] | Result  # the SDK's list, or one /result/json object (or job status)


def convert(raw: Any, repairs: Repairs) -> list[Document]:
    parsed = decode_as(raw, Shape, repairs)
    if isinstance(parsed, list):  # the SDK's list: each entry a document with the repairs made under it
        parts = repairs.split([(f"$[{i}]",) for i in range(len(parsed))])
        return [_document(result, part, f"$[{i}]") for i, (result, part) in enumerate(zip(parsed, parts))]
    return [_document(parsed, repairs, "$")]


def _document(result: Result, repairs: Repairs, root: str) -> Document:
    blocks: list[Block] = []
    images: list[Image] = []
    pages = [_page(p, i, blocks, images, repairs, f"{root}.pages[{i}]") for i, p in enumerate(result.pages or ())]
    link_captions(blocks)
    doc = Document(provider=PROVIDER, format=FORMAT, file_name=result.file_path,
                   job=_job(result, pages, repairs, root), pages=pages, blocks=blocks, images=images,
                   extra=compact({"job_metadata": result.job_metadata, "error_code": result.error_code,
                                  **result.rest}))
    return finish(doc, repairs)


def _job(result: Result, pages: list[Page], repairs: Repairs, root: str) -> Job:
    word = result.status
    if word is not None and word.upper() == "PARTIAL_SUCCESS":
        repairs.note(f"{root}.status", "PARTIAL_SUCCESS: some pages may be missing")
    status = status_of(word, V1_STATUS, repairs, f"{root}.status", fold=str.upper,
                       default="succeeded" if result.pages is not None else "unknown")
    meta = result.job_metadata or {}
    page_count = meta.get("job_pages") if type(meta.get("job_pages")) is int else None  # not a bool
    return Job(id=result.job_id or result.id, status=status, provider_status=word, error=result.error_message,  # type: ignore[arg-type]
               page_count=page_count if page_count is not None else (len(pages) or None))


def _page(vp: V1Page, index: int, blocks: list[Block], images: list[Image], repairs: Repairs,
          path: str) -> Page:
    number = vp.page
    if number is None or number < 1:
        repairs(f"{path}.page", f"expected a 1-based page number, found {describe(number)}", f"used position {index + 1}")
        number = index + 1
    ok = vp.status is None or vp.status.upper() == "OK"
    page = Page(number=number, width=vp.width, height=vp.height, rotation=vp.originalOrientationAngle, ok=ok,
                error=None if ok else vp.status, printed_number=vp.printedPageNumber or None,
                confidence=vp.confidence, text=vp.text, markdown=vp.md)
    page.extra = compact({
        "status": vp.status, "printed_number": vp.printedPageNumber if vp.printedPageNumber == "" else None,
        "layout": [_layout(lay, vp) for lay in vp.layout] if vp.layout else None,
        "charts": vp.charts or None, "tables": vp.tables or None, "links": vp.links or None,
        "header_markdown": vp.pageHeaderMarkdown or None, "footer_markdown": vp.pageFooterMarkdown or None,
        "triggered_auto_mode": vp.triggeredAutoMode, "parsing_mode": vp.parsingMode,
        "structured_data": vp.structuredData, "no_structured_content": vp.noStructuredContent,
        "no_text_content": vp.noTextContent, "is_audio_transcript": vp.isAudioTranscript,
        "duration_in_seconds": vp.durationInSeconds, "slide_speaker_notes": vp.slideSpeakerNotes,
        "slide_section_name": vp.slideSectionName, "cost_optimized": vp.costOptimized, **vp.rest})
    page.extra.pop("printed_number", None)
    for im in vp.images or ():
        images.append(_image(im, number, repairs))
    out = PageBlocks(number, blocks)
    for ii, item in enumerate(vp.items):
        _ITEM_KINDS.get(item.type or "", _other)(item, out, repairs, f"{path}.items[{ii}]")
    return page


def _layout(lay: Layout, vp: V1Page) -> dict[str, Any]:
    """A layout region, its normalised 0-1 box converted to page units (kept as given when it cannot be)."""
    b = lay.bbox
    parts = (b.x, b.y, b.w, b.h) if b is not None else None
    bbox = None
    if parts is not None and None not in parts and vp.width and vp.height:
        bbox = xywh(b.x * vp.width, b.y * vp.height, b.w * vp.width, b.h * vp.height)  # type: ignore[operator,union-attr]
    return compact({"label": lay.label, "confidence": lay.confidence, "bbox": bbox,
                    "bbox_normalized": None if bbox or parts is None else list(parts),
                    "image": lay.image, "is_likely_noise": lay.isLikelyNoise,
                    **({"bbox_" + k: v for k, v in b.rest.items()} if b is not None else {}), **lay.rest})


def _image(im: PageImage, page: int, repairs: Repairs) -> Image:
    placed = None not in (im.x, im.y, im.width, im.height)
    bbox = xywh(im.x, im.y, im.width, im.height) if placed else None  # type: ignore[arg-type]
    return Image(id=im.name, page=page, name=im.name, bbox=bbox,
                 width=im.original_width, height=im.original_height,
                 extra=compact({"type": im.type, "rotation": im.rotation, "ocr": im.ocr,
                                "placement": None if bbox else [im.x, im.y, im.width, im.height], **im.rest}))


# --- items ----------------------------------------------------------------------------------------

def _fields(item: Item, repairs: Repairs, path: str) -> tuple[BBox | None, float | None, dict[str, Any], list[Line]]:
    """(bbox, confidence, extra, lines) of an item: its one `bBox`, its layout-aware boxes and its lines."""
    b = item.bBox
    extra: dict[str, Any] = {}
    bbox = None
    if b is not None:
        if b.label is not None:
            extra["label"] = b.label
        if b.startIndex is not None or b.endIndex is not None:
            extra["span"] = [b.startIndex, b.endIndex]
        extra.update(b.rest)
        bbox = box(b, repairs, lambda: f"{path}.bBox", extra)
    if item.layoutAwareBbox:
        extra["boxes"] = [_layout_box(lb, repairs, f"{path}.layoutAwareBbox[{k}]")
                          for k, lb in enumerate(item.layoutAwareBbox)]
    extra.update(item.rest)
    lines = [_line(ln, repairs, f"{path}.lines[{k}]") for k, ln in enumerate(item.lines or ())]
    return bbox, b.confidence if b else None, extra, lines


def _layout_box(lb: Box, repairs: Repairs, path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    corners = box(lb, repairs, path, out)
    return compact({"bbox": corners if corners is not None else out["bbox"], "confidence": lb.confidence,
                    "label": lb.label, "span": [lb.startIndex, lb.endIndex], **lb.rest})


def _line(ln: ItemLine, repairs: Repairs, path: str) -> Line:
    extra = compact({"md": ln.md if ln.md != ln.text else None,
                     "span": [ln.startIndex, ln.endIndex] if ln.startIndex is not None else None,
                     "label": ln.bBox.label if ln.bBox else None, **ln.rest})
    b = ln.bBox
    bbox = None
    if b is not None:
        bbox = box(b, repairs, f"{path}.bBox", extra)
        extra.update({"bbox_" + k: v for k, v in b.rest.items()})
    return Line(text=ln.text if ln.text is not None else (ln.md or ""), bbox=bbox, extra=extra)


def _text(item: Item, out: PageBlocks, repairs: Repairs, path: str) -> None:
    bbox, confidence, extra, lines = _fields(item, repairs, path)
    text_block(out, item.value, item.md, bbox, confidence, extra, lines)


def _heading(item: Item, out: PageBlocks, repairs: Repairs, path: str) -> None:
    bbox, confidence, extra, lines = _fields(item, repairs, path)
    heading_block(out, item.value, item.md, item.lvl, bbox, confidence, extra, lines, repairs, f"{path}.lvl")


def _table(item: Item, out: PageBlocks, repairs: Repairs, path: str) -> None:
    bbox, confidence, extra, lines = _fields(item, repairs, path)
    table_block(out, item.html, item.md, item.rows, bbox, confidence, extra, lines, repairs, path)
    extra.update(compact({"csv": item.csv, "is_perfect_table": item.isPerfectTable}))


def _other(item: Item, out: PageBlocks, repairs: Repairs, path: str) -> None:
    bbox, confidence, extra, lines = _fields(item, repairs, path)
    extra.update(compact({"lvl": item.lvl, "rows": item.rows, "csv": item.csv, "is_perfect_table": item.isPerfectTable}))
    other_block(out, item.type, item.value if item.value is not None else (item.md or ""), item.md, item.html, bbox,
                confidence, extra, lines, repairs, f"{path}.type")


_ITEM_KINDS: dict[str, Callable[[Item, PageBlocks, Repairs, str], None]] = {
    "text": _text,
    "heading": _heading,
    "table": _table,
}
ITEM_TYPES = tuple(_ITEM_KINDS)


