"""RAGFlow HTTP API: document lists (HTTP and legacy key names), the chunks of one document, retrieval.

RAGFlow stores chunks, not layouts (PROVIDERS.md §5). Each chunk becomes a canonical `Chunk` with its
positions as locations, and also blocks (one per page the chunk touches) so that exporters and the
viewer can show the document. Positions are `[page, x0, x1, top, bottom]`: 1-based pages, PDF points,
x's first; RAGFlow never says how big a page is, so `Page.width/height` stay null.
"""

from __future__ import annotations

import datetime
from operator import itemgetter
from typing import Any

from msgspec import UNSET

from .. import tables
from ..build import PageBlocks, compact, finish, take_retrieval
from ..errors import Repairs, describe
from ..geometry import finite_numbers, union
from ..kit import kind_of, read_table, status_of
from ..schema import BBox, Block, Chunk, Document, Image, Job, Location, Page
from ..typed import Raw, decode_as, present, present_getter

PROVIDER = "ragflow"

# `run`: the HTTP API's names and the legacy API's digit strings (common/constants.py::TaskStatus).
RUN_NAMES = {"0": "UNSTART", "1": "RUNNING", "2": "CANCEL", "3": "DONE", "4": "FAIL", "5": "SCHEDULE"}
RUN_STATUS = {"UNSTART": "queued", "SCHEDULE": "queued", "RUNNING": "running", "CANCEL": "cancelled",
              "DONE": "succeeded", "FAIL": "failed"}

# `doc_type_kwd` -> block kind ("" is what retrieval returns for plain text).
CHUNK_KINDS = {"text": "paragraph", "": "paragraph", "table": "table", "image": "figure", "video": "figure"}

# Legacy (DB) column names -> the HTTP API's names (document_api.py::map_doc_keys).
LEGACY_KEYS = {"kb_id": "dataset_id", "parser_id": "chunk_method", "token_num": "token_count",
               "chunk_num": "chunk_count"}


# --- raw shape ------------------------------------------------------------------------------------

class RDoc(Raw, kw_only=True):
    id: str | None = None
    name: str | None = None
    run: str | None = None
    progress: float | None = None
    progress_msg: str | None = None
    create_date: str | None = None
    update_date: str | None = None
    create_time: int | None = None
    update_time: int | None = None
    thumbnail: Any = UNSET
    dataset_id: Any = UNSET
    kb_id: Any = UNSET
    chunk_method: Any = UNSET
    parser_id: Any = UNSET
    pipeline_id: Any = UNSET
    parser_config: Any = UNSET
    source_type: Any = UNSET
    type: Any = UNSET
    created_by: Any = UNSET
    location: Any = UNSET
    size: Any = UNSET
    token_count: Any = UNSET
    token_num: Any = UNSET
    chunk_count: Any = UNSET
    chunk_num: Any = UNSET
    process_begin_at: Any = UNSET
    process_duration: Any = UNSET
    suffix: Any = UNSET
    status: Any = UNSET
    meta_fields: Any = UNSET


DOC_EXTRA = tuple(f for f in RDoc.__struct_fields__ if f not in
                  ("rest", "id", "name", "run", "progress", "progress_msg", "create_date", "update_date",
                   "create_time", "update_time"))


class RChunk(Raw, kw_only=True):
    id: str | None = None
    content: str | None = None
    document_id: str | None = None
    docnm_kwd: str | None = None
    document_keyword: str | None = None
    doc_type_kwd: str | None = None
    image_id: str | None = None
    positions: list[Any] | None = None
    important_keywords: Any = UNSET
    questions: Any = UNSET
    tag_kwd: Any = UNSET
    dataset_id: Any = UNSET
    available: Any = UNSET
    tag_feas: Any = UNSET
    content_ltks: Any = UNSET
    similarity: Any = UNSET
    vector_similarity: Any = UNSET
    term_similarity: Any = UNSET
    mom_id: Any = UNSET
    row_id: Any = UNSET
    highlight: Any = UNSET
    document_metadata: Any = UNSET


CHUNK_EXTRA = ("important_keywords", "questions", "tag_kwd", "dataset_id", "available", "tag_feas", "content_ltks",
               "similarity", "vector_similarity", "term_similarity", "mom_id", "row_id", "highlight",
               "document_metadata")


class Data(RDoc, kw_only=True):
    """`data` of every response: a list (`docs`, `chunks`), one document (update-document), or a parsing
    status `{progress, status}`, whose fields are a document's."""

    total: int | None = None
    docs: list[RDoc] | None = None
    chunks: list[RChunk] | None = None
    doc: RDoc | None = None
    doc_aggs: list[Any] | None = None


class Envelope(Raw, kw_only=True):
    code: int | None = None
    message: str | None = None
    data: Data | list[RDoc] | bool | None = None  # a list from upload-documents; an error may say `data: false`


# --- entry points ---------------------------------------------------------------------------------

def _data(env: Envelope) -> Data:
    return env.data if isinstance(env.data, Data) else Data()


def _failed(env: Envelope, format_id: str, repairs: Repairs) -> list[Document]:
    """An error envelope (`code != 0`, nothing listed) is one Document whose job failed with the message."""
    error = f"code {env.code}: {env.message or 'error'}"
    data = env.data.rest if isinstance(env.data, Data) else {} if env.data is None else {"data": env.data}
    doc = Document(provider=PROVIDER, format=format_id, job=Job(status="failed", error=error),
                   extra={"list": compact({"code": env.code, "message": env.message, **data, **env.rest})})
    return [finish(doc, repairs)]


def _is_error(env: Envelope, data: Data) -> bool:
    return env.code not in (0, None) and not data.docs and not data.chunks


def convert_documents(raw: Any, repairs: Repairs) -> list[Document]:
    """A document list (list-documents `{docs}`, or upload-documents' bare list), one document
    (update-document), or a parsing status `{progress, status}`: one Document per document."""
    env = decode_as(raw, Envelope, repairs)
    if isinstance(env.data, list):
        docs, root, data = env.data, "$.data", Data()
    else:
        data = _data(env)
        if _is_error(env, data):
            return _failed(env, "ragflow.documents", repairs)
        if data.docs is not None or data.total is not None:
            docs, root = data.docs or [], "$.data.docs"
        else:  # the document itself, or its parsing status
            return [finish(_document(data, env, {}, repairs, "$.data"), repairs)]
    shared = compact({"total": data.total, "code": env.code, "message": env.message, **data.rest, **env.rest})
    parts = repairs.split([(f"{root}[{i}]",) for i in range(len(docs))])
    return [finish(_document(rdoc, env, shared, part, f"{root}[{i}]"), part)
            for i, (rdoc, part) in enumerate(zip(docs, parts))]


def _document(rdoc: RDoc, env: Envelope, shared: dict[str, Any], repairs: Repairs, path: str) -> Document:
    doc = Document(provider=PROVIDER, format="ragflow.documents", file_name=rdoc.name,
                   job=job_of(rdoc, repairs, path), extra=_doc_extra(rdoc))
    if shared:
        doc.extra["list"] = shared
    elif isinstance(rdoc, Data):  # one document as `data`: the envelope around it
        doc.extra["response"] = compact({"code": env.code, "message": env.message, **env.rest})
    return doc


def convert_chunks(raw: Any, repairs: Repairs) -> list[Document]:
    env = decode_as(raw, Envelope, repairs)
    data = _data(env)
    if _is_error(env, data):
        return _failed(env, "ragflow.chunks", repairs)
    rdoc = data.doc
    chunks = data.chunks or []
    name = rdoc.name if rdoc and rdoc.name else next((c.docnm_kwd for c in chunks if c.docnm_kwd), None)
    job = job_of(rdoc, repairs, "$.data.doc") if rdoc else Job()
    doc = Document(provider=PROVIDER, format="ragflow.chunks", file_name=name, job=job,
                   extra=compact({"doc": _doc_extra(rdoc) if rdoc else None, "total": data.total,
                                  "code": env.code, "message": env.message, **data.rest, **env.rest}))
    _fill(doc, list(enumerate(chunks)), repairs)
    return [finish(doc, repairs)]


def convert_retrieval(raw: Any, repairs: Repairs) -> list[Document]:
    env = decode_as(raw, Envelope, repairs)
    data = _data(env)
    if _is_error(env, data):
        return _failed(env, "ragflow.retrieval", repairs)
    shared = compact({"total": data.total, "doc_aggs": data.doc_aggs, "code": env.code, "message": env.message,
                      **data.rest, **env.rest})
    groups: dict[str | None, list[tuple[int, RChunk]]] = {}
    for i, chunk in enumerate(data.chunks or ()):
        groups.setdefault(chunk.document_id, []).append((i, chunk))
    if not groups:
        return [finish(Document(provider=PROVIDER, format="ragflow.retrieval", extra={"retrieval": shared}),
                       repairs)]
    out = []
    parts = repairs.split([tuple(f"$.data.chunks[{i}]" for i, _ in members) for members in groups.values()])
    for (document_id, members), doc_repairs in zip(groups.items(), parts):
        name = next((c.document_keyword or c.docnm_kwd for _, c in members if c.document_keyword or c.docnm_kwd),
                    None)
        doc = Document(provider=PROVIDER, format="ragflow.retrieval", file_name=name, job=Job(id=document_id),
                       extra={"retrieval": shared})
        _fill(doc, members, doc_repairs)
        out.append(finish(doc, doc_repairs))
    return out


# --- documents and jobs ---------------------------------------------------------------------------

def job_of(rdoc: RDoc, repairs: Repairs, path: str) -> Job:
    """The job of a document: `run` (a name or a digit string), or a parsing status's `status` word."""
    word, where = rdoc.run, f"{path}.run"
    if word is None and isinstance(rdoc.status, str) and rdoc.status.strip().upper() in RUN_STATUS:
        word, where = rdoc.status, f"{path}.status"  # a parsing-status response; a document's status is "0"/"1"
    status = status_of(word, RUN_STATUS, repairs, where, fold=_run_name, what="run state")
    progress = rdoc.progress
    if progress is not None and progress < 0 and status != "failed":
        repairs.note(f"{path}.progress", f"progress -1 means failed, but run is {word!r}; status set to failed")
        status = "failed"
    error = None
    if status == "failed":
        errors = [ln.strip() for ln in (rdoc.progress_msg or "").splitlines() if "[ERROR]" in ln]
        error = "\n".join(errors) or rdoc.progress_msg or None
    return Job(id=rdoc.id, status=status, provider_status=word, error=error,  # type: ignore[arg-type]
               created_at=rdoc.create_date or _iso(rdoc.create_time),
               updated_at=rdoc.update_date or _iso(rdoc.update_time),
               progress=progress if progress is not None and 0 <= progress <= 1 else None)


def _run_name(word: str) -> str:
    return RUN_NAMES.get(word, word.upper())


def _iso(ms: int | None) -> str | None:
    if ms is None:
        return None
    try:
        return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def _doc_extra(rdoc: RDoc) -> dict[str, Any]:
    """Every document field without a canonical home, legacy column names spelled as the HTTP API does."""
    given = present(rdoc, DOC_EXTRA)
    # a legacy name takes the HTTP name unless the response has both (upload-documents does): nothing overwritten
    extra = {k if LEGACY_KEYS.get(k, k) in given else LEGACY_KEYS[k]: v for k, v in given.items()}
    extra.update(compact({"progress": rdoc.progress, "progress_msg": rdoc.progress_msg,
                          "create_time": rdoc.create_time, "update_time": rdoc.update_time}))
    return extra


# --- chunks -> pages, blocks, chunks --------------------------------------------------------------

def positions_of(raw: list[Any] | None, repairs: Repairs, i: int) -> tuple[list[Location], list[Any]]:
    """`[page, x0, x1, top, bottom]` entries of chunk `i` as locations; entries that are not, returned to keep in
    extra."""
    locations: list[Location] = []
    bad: list[Any] = []
    for j, pos in enumerate(raw or ()):
        if pos == "":
            continue  # the documented `[""]` of a chunk without positions
        if type(pos) is list and len(pos) == 5:
            page, x0, x1, top, bottom = pos
            if finite_numbers(pos) and page >= 1:
                if x0 > x1:
                    x0, x1 = x1, x0
                if top > bottom:
                    top, bottom = bottom, top
                locations.append(Location(page=int(page), bbox=[float(x0), float(top), float(x1), float(bottom)]))
                continue
        repairs(f"{_chunk_path(i)}.positions[{j}]", f"expected [page >= 1, x0, x1, top, bottom], found {describe(pos)}",
                "kept in the chunk's extra")
        bad.append(pos)
    return locations, bad


def _chunk_path(i: int) -> str:
    return f"$.data.chunks[{i}]"


def _fill(doc: Document, chunks: list[tuple[int, RChunk]], repairs: Repairs) -> None:
    """Chunks, and a block per page fragment of each chunk, in reading order (by page, then chunk order).

    The hot loop of RAGFlow (one pass per chunk): JSON paths are only spelled out when something is wrong.
    """
    fragments: list[tuple[int, int, int, RChunk, list[Location], int]] = []
    last_page = 1
    unplaced = 0
    extra_of = present_getter(CHUNK_EXTRA)
    for seq, (i, chunk) in enumerate(chunks):
        locations, bad = positions_of(chunk.positions, repairs, i) if chunk.positions else ([], [])
        cid = chunk.id
        if cid is None:
            cid = f"chunk-{i}"
            repairs(f"{_chunk_path(i)}.id", "expected a chunk id, found none", f"used {cid!r}")
        extra: dict[str, Any] = {}
        if chunk.document_id is not None:
            extra["document_id"] = chunk.document_id
        if chunk.docnm_kwd is not None:
            extra["docnm_kwd"] = chunk.docnm_kwd
        if chunk.document_keyword is not None:
            extra["document_keyword"] = chunk.document_keyword
        if chunk.image_id:
            extra["image_id"] = chunk.image_id
        if chunk.doc_type_kwd is not None:
            extra["doc_type_kwd"] = chunk.doc_type_kwd
        if bad:
            extra["bad_positions"] = bad
        extra_of(chunk, extra)
        canonical = Chunk(id=cid, text=chunk.content or "", kind=chunk.doc_type_kwd or "text", locations=locations,
                          extra=extra)
        take_retrieval(extra, canonical)
        doc.chunks.append(canonical)
        if len(locations) == 1:  # the usual chunk: one box on one page
            page = locations[0].page
            fragments.append((page, seq, 0, chunk, locations, i))
            last_page = page
            continue
        by_page: dict[int, list[Location]] = {}
        for loc in locations:
            by_page.setdefault(loc.page, []).append(loc)
        if not by_page:
            unplaced += 1
            by_page = {last_page: []}
        for k, (page, locs) in enumerate(by_page.items()):
            fragments.append((page, seq, k, chunk, locs, i))
        last_page = max(by_page)
    if unplaced:
        repairs.note("$.data.chunks", f"{unplaced} chunk(s) have no positions; each placed on the page of the "
                                      "chunk before it, without a box")
    fragments.sort(key=itemgetter(0))  # stable: chunk order within a page
    _blocks(doc, fragments, repairs)


def _blocks(doc: Document, fragments: list[tuple[int, int, int, RChunk, list[Location], int]],
            repairs: Repairs) -> None:
    first_block: dict[int, str] = {}
    out: PageBlocks | None = None
    chunks = doc.chunks
    for page, seq, k, chunk, locs, i in fragments:
        if out is None or out.page != page:
            doc.pages.append(Page(number=page, unit="pt"))
            out = PageBlocks(page, doc.blocks)
        canonical = chunks[seq]
        extra: dict[str, Any] = {}
        if len(locs) == 1:
            bbox = list(locs[0].bbox)  # type: ignore[arg-type]
        else:
            bbox = union(loc.bbox for loc in locs)  # type: ignore[misc]
            if locs:
                extra["boxes"] = [loc.bbox for loc in locs]
        if seq in first_block:
            # a later page of a chunk that spans pages: its box, with the text left on the first fragment
            extra["continues"] = first_block[seq]
            block = out.add(kind=_kind(chunk, repairs, i, quiet=True), bbox=bbox, chunk=canonical.id, extra=extra)
        else:
            block = _first_fragment(out, chunk, bbox, extra, repairs, i, canonical.id)
            first_block[seq] = block.id
        canonical.block_ids.append(block.id)


def _kind(chunk: RChunk, repairs: Repairs, i: int, quiet: bool = False) -> str:
    word = chunk.doc_type_kwd or ""
    if quiet:  # a later fragment of a chunk: its first fragment has told about the word already
        kind = CHUNK_KINDS.get(word, "other")
    else:
        kind = kind_of(word, CHUNK_KINDS, repairs, lambda: f"{_chunk_path(i)}.doc_type_kwd", what="chunk type")
    if kind == "table" and not tables.has_html_table(chunk.content):
        return "paragraph"
    return kind


def _first_fragment(out: PageBlocks, chunk: RChunk, bbox: BBox | None, extra: dict[str, Any], repairs: Repairs,
                    i: int, chunk_id: str) -> Block:
    kind = _kind(chunk, repairs, i)
    content = chunk.content or ""
    if kind == "table":
        read = read_table(repairs, html=(content, f"{_chunk_path(i)}.content"))
        block = out.add(kind="table", text=read.text, table=read.table, html=content, bbox=bbox, chunk=chunk_id,
                        extra=extra)
        if read.caption:
            caption = out.add(kind="caption", text=read.caption, bbox=bbox, chunk=chunk_id)
            block.captions = [caption.id]
        return block
    if chunk.doc_type_kwd == "table":
        repairs.note(f"{_chunk_path(i)}.content", "table chunk without an HTML table; kept as a paragraph")
    image = None
    if kind == "figure":
        image = Image(id=chunk.image_id or None, page=out.page, bbox=bbox, caption=content or None)
    return out.append(Block(id=out.next_id(), page=out.page, kind=kind, text=content,
                            image=image, bbox=bbox, chunk=chunk_id, extra=extra))


