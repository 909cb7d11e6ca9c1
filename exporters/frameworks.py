"""Canonical Document -> LangChain `Document`s and LlamaIndex `TextNode`s, and the same records as JSON lines.

One record per chunk (the provider's chunks, else heading-aware chunks derived from the blocks), per page or per
block (`unit`). Each record's metadata: `source` (the file name the result records), `provider`, `format`,
`page` (the first) and `pages`, `bboxes` (`[page, x0, y0, x1, y1]` each, top-left origin in the page's units),
`heading_path` (the headings above it), `block_ids`, and for chunks `chunk_id` and the provider's retrieval
`score` when it gave one. LangChain and LlamaIndex are optional (`pip install 'docnorm[langchain]'` /
`'docnorm[llamaindex]'`) and imported only when asked for; the JSON lines need neither.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

import msgspec

from normalizer.collector import paused
from normalizer.schema import Block, Document

from .chunks import to_chunks
from .optional import need_extra
from .pages.frame import page_blocks

Unit = Literal["chunk", "page", "block"]


class Record(NamedTuple):
    id: str
    text: str
    metadata: dict[str, Any]


def _headings(doc: Document) -> dict[str, list[str]]:
    """Each block's heading path: the texts of the headings above it in the section tree."""
    by_id = {b.id: b for b in doc.blocks}
    paths: dict[str, list[str]] = {}
    for b in doc.blocks:
        path, parent, seen = [], b.parent, set()
        while parent in by_id and parent not in seen:
            seen.add(parent)
            path.append(by_id[parent].text)
            parent = by_id[parent].parent
        paths[b.id] = path[::-1]
    return paths


def _base(doc: Document) -> dict[str, Any]:
    return {"source": doc.file_name, "provider": doc.provider, "format": doc.format}


def _boxes(blocks: list[Block]) -> list[list[float]]:
    return [[b.page, *b.bbox] for b in blocks if b.bbox]


@paused()
def records(doc: Document, unit: Unit = "chunk") -> list[Record]:
    """The document as (id, text, metadata) records, one per chunk, page or block."""
    if unit not in ("chunk", "page", "block"):
        raise ValueError(f"expected unit 'chunk', 'page' or 'block', found {unit!r}")
    base, paths = _base(doc), _headings(doc)
    stem = doc.file_name or doc.job.id or "document"
    if unit == "block":
        return [Record(f"{stem}#{b.id}", b.text, {**base, "page": b.page, "pages": [b.page], "bboxes": _boxes([b]),
                                                   "heading_path": paths[b.id], "block_ids": [b.id], "kind": b.kind})
                for b in doc.blocks]
    if unit == "page":
        out = []
        by_page = page_blocks(doc)
        for p in doc.pages:
            blocks = by_page.get(p.number, [])
            out.append(Record(f"{stem}#page-{p.number}", "\n\n".join(b.text for b in blocks if b.text),
                              {**base, "page": p.number, "pages": [p.number], "bboxes": _boxes(blocks),
                               "heading_path": paths[blocks[0].id] if blocks else [],
                               "block_ids": [b.id for b in blocks]}))
        return out
    by_id = {b.id: b for b in doc.blocks}
    out = []
    for c in to_chunks(doc):
        pages = sorted({loc.page for loc in c.locations})
        meta = {**base, "page": pages[0] if pages else None, "pages": pages,
                "bboxes": [[loc.page, *loc.bbox] for loc in c.locations if loc.bbox],
                "heading_path": list(c.headings) or (paths[c.block_ids[0]] if c.block_ids and c.block_ids[0] in by_id
                                                     else []),
                "block_ids": list(c.block_ids), "chunk_id": c.id}
        score = next(iter(c.scores.values()), None)  # the provider's first-named (hybrid) score
        if score is not None:
            meta["score"] = score
        out.append(Record(f"{stem}#{c.id}", c.text, meta))
    return out


@paused()  # a record per block: the collector would walk every record made so far, finding nothing
def to_langchain(doc: Document, unit: Unit = "chunk") -> list[Any]:
    """LangChain `Document`s (langchain_core.documents), one per chunk, page or block, with the metadata above."""
    documents = need_extra("langchain_core.documents", "langchain", "langchain-core")
    return [documents.Document(page_content=r.text, metadata=r.metadata, id=r.id) for r in records(doc, unit)]


@paused()
def to_llama_index(doc: Document, unit: Unit = "chunk") -> list[Any]:
    """LlamaIndex `TextNode`s, one per chunk, page or block, each with the metadata above (boxes and block ids
    kept out of what is embedded and shown to the model) and SOURCE / PREVIOUS / NEXT relationships."""
    schema = need_extra("llama_index.core.schema", "llamaindex", "llama-index-core")
    rel, info = schema.NodeRelationship, schema.RelatedNodeInfo
    found = records(doc, unit)
    source = doc.file_name or doc.job.id or "document"
    nodes = []
    for n, r in enumerate(found):
        links = {rel.SOURCE: info(node_id=source)}
        if n:
            links[rel.PREVIOUS] = info(node_id=found[n - 1].id)
        if n + 1 < len(found):
            links[rel.NEXT] = info(node_id=found[n + 1].id)
        hidden = ["bboxes", "block_ids", "chunk_id", "score"]
        nodes.append(schema.TextNode(id_=r.id, text=r.text, metadata=r.metadata, relationships=links,
                                     excluded_embed_metadata_keys=hidden, excluded_llm_metadata_keys=hidden))
    return nodes


@paused()
def to_langchain_jsonl(doc: Document, unit: Unit = "chunk") -> str:
    """The records as JSON lines `{"id", "page_content", "metadata"}` (LangChain's Document fields), for users
    of neither library."""
    return "".join(_ENCODER.encode({"id": r.id, "page_content": r.text, "metadata": r.metadata}).decode() + "\n"
                   for r in records(doc, unit))


# msgspec, not orjson: orjson refuses integers past 64 bits ("Integer exceeds 64-bit range"), and the canonical
# model accepts any page number >= 1 and keeps a provider's score as it was given.
_ENCODER = msgspec.json.Encoder()
