"""SoMark (cloud API, gateways, the open-source OXR server): every envelope, both block vocabularies.

PROVIDERS.md §2. Pages count from 0 (`metadata.page_num` is a page *count*), boxes are `[x0, y0, x1, y1]`
pixels of `page_size`, blocks are read in `idx` order, captions are linked by `idx`, and a page flag says
its first block continues the previous page.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable

from msgspec import UNSET

from ..build import FURNITURE, PageBlocks, compact, finish, zero_based_page
from ..errors import NormalizeError, Repairs
from ..geometry import checked_box
from ..kit import heading_level, kind_of, read_table, status_of
from ..sanitize import At, clean_bytes
from ..schema import BBox, Block, Document, Image, Job, Page
from ..typed import Raw, decode_as, present, rest_of

PROVIDER = "somark"
FORMAT = "somark"

# Block `type` -> kind, both vocabularies (cloud lower-case words, OXR capitalised labels), matched
# case-insensitively. Unknown types become `other` with a warning.
KINDS = {
    # cloud API (SoMark's own converters: SUPPORTED_TYPES + FILTERED_TYPES)
    "title": "heading", "text": "paragraph", "choice": "paragraph", "table": "table", "figure": "figure",
    "stamp": "seal", "code": "code", "equation": "formula", "cs": "figure", "figure_caption": "caption",
    "table_caption": "caption", "blank": "other", "reference": "paragraph", "footnote": "footnote",
    "cate": "toc", "header": "header", "footer": "footer", "sidebar": "other", "sider": "other",
    # open-source OXR
    "caption": "caption", "formula": "formula", "picture": "figure", "page-header": "header",
    "page-footer": "footer", "chemical structure": "figure", "code block": "code", "chemical equation": "formula",
}

STATUS = {"queuing": "queued", "processing": "running", "success": "succeeded", "failed": "failed"}

# Linear: alt text and title stop at the next bracket or parenthesis, so an unterminated `![` scans only to the next.
_MD_IMAGE = re.compile(r"!\[[^\[\]]*\]\(\s*([^()\s]+)[^()\[\]]*\)?")


# --- raw shape ------------------------------------------------------------------------------------

class SBlock(Raw, kw_only=True):
    idx: int | None = None
    type: str | None = None
    bbox: Any = None
    content: str | None = None
    format: str | None = None
    captions: list[int | str] | None = None
    img_url: str | None = None
    title_level: int | None = None
    display: Any = UNSET
    code_language: str | None = None


class PageSize(Raw, kw_only=True):
    w: float | None = None
    h: float | None = None


class SPage(Raw, kw_only=True):
    page_num: int | None = None
    page_size: PageSize | None = None
    merge_content_from_pre_page: bool | None = None
    blocks: list[SBlock] | None = None
    unattached_formula_numbering: Any = UNSET


class JsonOutput(Raw, kw_only=True):
    pages: list[SPage] | None = None


class Outputs(Raw, kw_only=True):
    markdown: str | None = None
    json: JsonOutput | str | None = None
    zip: Any = UNSET


class Result(Raw, kw_only=True):
    file_name: str | None = None
    outputs: Outputs | None = None
    imgs: Any = UNSET


class Metadata(Raw, kw_only=True):
    page_num: int | None = None
    file_type: Any = UNSET


class Data(Raw, kw_only=True):
    task_id: str | None = None
    record_id: Any = UNSET
    status: str | None = None
    file_name: str | None = None
    metadata: Metadata | None = None
    result: Result | None = None
    error: str | None = None


class Envelope(Raw, kw_only=True):
    """`{code, message, data}` (plus `warnings`, and `usage` from gateways), or a bare `outputs.json`."""

    code: int | None = None
    message: str | None = None
    data: Data | None = None
    warnings: Any = UNSET
    usage: Any = UNSET
    pages: list[SPage] | None = None


# --- conversion -----------------------------------------------------------------------------------

def convert(raw: Any, repairs: Repairs) -> list[Document]:
    env = decode_as(raw, Envelope, repairs)
    data = env.data or Data()
    result = data.result
    outputs = result.outputs if result else None
    pages = env.pages
    json_path = "$"
    json_output = None
    if outputs is not None and outputs.json is not None:
        json_path = "$.data.result.outputs.json"
        json_output = _json_output(outputs.json, repairs, json_path)
        pages = json_output.pages
    doc = Document(provider=PROVIDER, format=FORMAT, job=_job(env, data, repairs),
                   file_name=data.file_name or (result.file_name if result else None),
                   markdown=outputs.markdown if outputs else None)
    for i, sp in enumerate(pages or ()):
        _page(doc, sp, repairs, f"{json_path}.pages[{i}]")
    if doc.job.page_count is None and doc.pages:
        doc.job.page_count = len(doc.pages)
    doc.extra = compact({
        "code": env.code, "message": env.message, **present(env, ("warnings", "usage")),
        **present(data, ("record_id",)), "file_type": data.metadata.file_type if data.metadata and
        data.metadata.file_type is not UNSET else None,
        **rest_of(data.metadata, "metadata_"),
        **(present(result, ("imgs",)) if result else {}), **({"result_file_name": result.file_name}
                                                             if result and result.file_name != doc.file_name else {}),
        **(present(outputs, ("zip",)) if outputs else {}),
        **rest_of(result, "result_"), **rest_of(outputs, "outputs_"), **rest_of(data, "data_"),
        **rest_of(json_output, "json_"),
        "json": outputs.json if outputs and isinstance(outputs.json, str) and not doc.pages else None})
    return [finish(doc, repairs)]


def _json_output(value: JsonOutput | str, repairs: Repairs, path: str) -> JsonOutput:
    """`outputs.json`, which some deliveries carry as a JSON *string*."""
    if not isinstance(value, str):
        return value
    try:  # its text passes the checks any input passes (a lone surrogate escape, say)
        return decode_as(clean_bytes(value.encode(), At(repairs, path)), JsonOutput, repairs, path)
    except NormalizeError as exc:
        repairs(path, f"expected JSON text, found {exc.message}", "no pages; the string is kept in extra")
        return JsonOutput()


def _job(env: Envelope, data: Data, repairs: Repairs) -> Job:
    word = data.status
    # sync and gateway responses carry no status: a result means it finished
    has_result = data.result is not None or env.pages is not None
    status = status_of(word, STATUS, repairs, "$.data.status", default="succeeded" if has_result else "unknown")
    error = data.error
    if env.code not in (0, None):
        status, error = "failed", f"code {env.code}: {env.message or 'error'}"
    if data.error and status == "succeeded" and (data.result is None or data.result.outputs is None):
        status = "failed"
    meta = data.metadata
    return Job(id=data.task_id, status=status, provider_status=word, error=error,  # type: ignore[arg-type]
               page_count=meta.page_num if meta else None)


def _page(doc: Document, sp: SPage, repairs: Repairs, path: str) -> None:
    number = zero_based_page(sp.page_num, len(doc.pages) + 1, repairs, f"{path}.page_num")
    size = sp.page_size
    page = Page(number=number, width=size.w if size else None, height=size.h if size else None,
                unit="px" if size and size.w and size.h else None,
                extra=compact({"merge_content_from_pre_page": sp.merge_content_from_pre_page or None,
                               **present(sp, ("unattached_formula_numbering",)),
                               **rest_of(size, "page_size_"), **sp.rest}))
    doc.pages.append(page)
    raw_blocks = sp.blocks or []
    out = PageBlocks(number, doc.blocks)
    by_idx: dict[int, str] = {}
    pending_captions: list[tuple[Block, list[int | str], int]] = []
    for i in _idx_order(raw_blocks):
        sb = raw_blocks[i]
        block = _block(sb, out, repairs, path, i)
        idx = sb.idx
        if idx is not None:
            if idx in by_idx:
                repairs.note(f"{path}.blocks[{i}].idx", f"idx {idx} appears twice on the page; captions use the first")
            else:
                by_idx[idx] = block.id
        if sb.captions:
            pending_captions.append((block, sb.captions, i))
    for block, refs, i in pending_captions:
        found = [_caption_target(by_idx, r) for r in refs]
        missing = [r for r, target in zip(refs, found) if target is None]
        if missing:
            repairs(f"{path}.blocks[{i}].captions", f"expected idx of blocks on this page, found {missing!r}",
                    "kept in extra")
            block.extra["captions"] = refs
        block.captions = [target for target in found if target is not None]
    if sp.merge_content_from_pre_page and out.start < len(doc.blocks):
        _continue_from_previous(doc, out.start, repairs, f"{path}.merge_content_from_pre_page")


def _idx_order(raw_blocks: list[SBlock]) -> Iterable[int]:
    """Positions in `idx` order (blocks without one last, as given); usually the order they came in."""
    idxs = [sb.idx for sb in raw_blocks]
    if None not in idxs and all(a < b for a, b in zip(idxs, idxs[1:])):
        return range(len(raw_blocks))
    return sorted(range(len(raw_blocks)), key=lambda i: (0, idxs[i]) if idxs[i] is not None else (1, 0))


def _caption_target(by_idx: dict[int, str], ref: int | str) -> str | None:
    """The block id an idx reference names; a reference written as a string matches the same digits."""
    if type(ref) is int:
        return by_idx.get(ref)
    return next((bid for idx, bid in by_idx.items() if str(idx) == ref), None)


_MARGINAL = FURNITURE | {"footnote", "seal"}  # furniture and stamps sit between a block and its continuation


def _continue_from_previous(doc: Document, first: int, repairs: Repairs, path: str) -> None:
    """The page's first block continues the previous page's last block: tables become one logical table."""
    page = doc.blocks[first].page
    blocks = doc.blocks
    block = next((blocks[i] for i in range(first, len(blocks)) if blocks[i].kind not in _MARGINAL), None)
    before = next((blocks[i] for i in range(first - 1, -1, -1) if blocks[i].kind not in _MARGINAL
                   and blocks[i].page < page), None)
    if block is None or before is None:
        repairs.note(path, "the page says it continues the previous page, but there is no block to join")
        return
    block.extra["continues"] = before.id
    if block.table is not None and before.table is not None:
        before.table.continued = "inner" if before.table.continued in ("inner", "end") else "begin"
        block.table.continued = "end"


def _block(sb: SBlock, out: PageBlocks, repairs: Repairs, path: str, i: int) -> Block:
    """One layout block. The hot path of SoMark: JSON paths are only spelled out when something is wrong."""
    word = sb.type or ""
    kind = KINDS.get(word) or kind_of(word, KINDS, repairs, lambda: f"{path}.blocks[{i}].type")
    raw_box = sb.bbox
    bbox = checked_box(raw_box, repairs, lambda: f"{path}.blocks[{i}].bbox")
    # unrolled (a present_getter costs a third of this function on 20,000 blocks)
    extra: dict[str, Any] = {"type": word}
    if sb.idx is not None:
        extra["idx"] = sb.idx
    if sb.format is not None:
        extra["format"] = sb.format
    if bbox is None and raw_box is not None:
        extra["bbox"] = raw_box
    if sb.title_level is not None:
        extra["title_level"] = sb.title_level
    if sb.display is not UNSET:
        extra["display"] = sb.display
    if sb.rest:
        extra.update(sb.rest)
    content = sb.content or ""
    image = Image(url=sb.img_url, page=out.page, bbox=bbox) if sb.img_url else None
    special = _BY_KIND.get(kind)
    if special is None:
        return out.append(Block(id=out.next_id(), page=out.page, kind=kind, text=content, bbox=bbox, image=image,
                                language=sb.code_language, extra=extra,
                                markdown=content if sb.format == "markdown" else None))
    fields = special(kind, sb, content, bbox, image, extra, out.page, repairs, f"{path}.blocks[{i}]")
    return out.append(Block(id=out.next_id(), page=out.page, bbox=bbox, language=sb.code_language, extra=extra,
                            **fields))


# Kinds with more to them than text: each gives the Block fields besides id, page, bbox and extra.

def _heading(kind: str, sb: SBlock, content: str, bbox: BBox | None, image: Image | None, extra: dict[str, Any],
             page: int, repairs: Repairs, path: str) -> dict[str, Any]:
    return {"kind": "heading", "text": content, "image": image,
            "level": heading_level(sb.title_level, repairs, f"{path}.title_level")}


def _formula(kind: str, sb: SBlock, content: str, bbox: BBox | None, image: Image | None, extra: dict[str, Any],
             page: int, repairs: Repairs, path: str) -> dict[str, Any]:
    latex = content.strip().strip("$").strip() if sb.format in (None, "latex") else None
    return {"kind": "formula", "text": content, "latex": latex, "image": image}


def _figure(kind: str, sb: SBlock, content: str, bbox: BBox | None, image: Image | None, extra: dict[str, Any],
            page: int, repairs: Repairs, path: str) -> dict[str, Any]:
    markdown = content if sb.format == "markdown" else None
    if image is None:  # OXR pictures carry the link as markdown `![](url)`
        m = _MD_IMAGE.search(content) if markdown is not None else None
        image = Image(url=m.group(1) if m else None, page=page, bbox=bbox)
    if markdown is not None:
        content = _MD_IMAGE.sub("", content).strip()
    return {"kind": kind, "text": content, "markdown": markdown, "image": image}


def _table(kind: str, sb: SBlock, content: str, bbox: BBox | None, image: Image | None, extra: dict[str, Any],
           page: int, repairs: Repairs, path: str) -> dict[str, Any]:
    where = f"{path}.content"
    read = read_table(repairs, html=(content, where), markdown=(content, where))
    if read.caption:
        extra["caption"] = read.caption
    if read.source is None:  # a table delivered as an image (`element_formats.table=image`) or empty
        return {"kind": "table", "image": image, "markdown": content or None, "text": content, "table": read.table}
    return {"kind": "table", "image": image, read.source: content, "text": read.text, "table": read.table}


_BY_KIND: dict[str, Callable[..., dict[str, Any]]] = {
    "heading": _heading,
    "formula": _formula,
    "figure": _figure,
    "seal": _figure,
    "table": _table,
}
