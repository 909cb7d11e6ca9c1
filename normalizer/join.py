"""One document from the pages of one source saved one page per file (`NAME_0_res.json`, `NAME_1_res.json`...).

`join(docs)` orders the pages by number, gives the blocks new ids (`p{page}-b{i}`, links that name them rewritten),
rebuilds the section tree across the pages and reports in `warnings` what is not one whole document: a page number
given twice (the first kept, the other dropped with its block count), page numbers missing between 1 and the last
page (or the job's page count), inputs of another provider, format or file name. Each input's own warnings are
kept, prefixed with the input they came from. Grouping the inputs by their source is the caller's (the command
line groups by `file_name`, else by the file's name without its `_N_res.json` / `_N` suffix: `source_key`).
"""

from __future__ import annotations

import os
from typing import Any, Iterable

import msgspec

from .build import section_tree
from .errors import NormalizeError, Repairs
from .schema import Block, Document, Job, Page

STATUS_RANK = ("failed", "cancelled", "running", "queued", "unknown", "succeeded")  # the worst status wins


def source_key(name: str) -> str:
    """The source a per-page file belongs to, from its name: without its extension, a `_res` suffix and a `_N`
    page suffix.

    Example:
        >>> source_key("report_3_res.json"), source_key("scan_12.json"), source_key("photo_res.json")
        ('report', 'scan', 'photo')
    """
    stem = os.path.basename(name)
    if "." in stem:
        stem = stem.rsplit(".", 1)[0]
    if stem.endswith(".docnorm"):
        stem = stem[:-len(".docnorm")]
    if stem.endswith("_res"):
        stem = stem[:-4]
    head, sep, tail = stem.rpartition("_")
    return head if sep and head and tail.isascii() and tail.isdigit() else stem


def join(docs: Iterable[Document]) -> Document:
    """The pages of one source, each read from its own file, as one Document: pages in order, block ids renumbered
    uniquely, gaps and duplicate pages reported in `warnings`.

    Args:
        docs: the documents of one source (each typically of one page), in any order.

    Returns:
        One Document; the inputs are not changed.

    Raises:
        NormalizeError: no document was given.

    Example:
        >>> from normalizer import normalize
        >>> pages = [normalize({"page_index": i, "page_count": 3, "input_path": "r.pdf", "parsing_res_list": [
        ...     {"block_label": "text", "block_content": f"page {i + 1}", "block_bbox": [0, 0, 9, 9]}]})
        ...     for i in (2, 0)]
        >>> doc = join(pages)
        >>> [p.number for p in doc.pages], [b.id for b in doc.blocks], doc.warnings
        ([1, 3], ['p1-b0', 'p3-b0'], ['$: expected pages 1 to 3, found no page 2; joined the pages there are'])
    """
    docs = [msgspec.structs.replace(d) for d in docs]
    if not docs:
        raise NormalizeError("$", "expected at least one document to join, found none")
    repairs = Repairs()
    first = docs[0]
    out = Document(provider=first.provider, format=first.format, file_name=_first(d.file_name for d in docs),
                   job=_job(docs), layout_text=any(d.layout_text for d in docs))
    _differences(docs, repairs)
    kept = _pages(docs, repairs)
    for _, doc in kept:
        _take(out, doc)
    out.pages.sort(key=lambda p: p.number)
    out.blocks.sort(key=lambda b: b.page)  # stable: each page's blocks come from one input, in its order
    _gaps(out, repairs)
    _common_extra(out, docs, kept)
    markdowns = [d.markdown for _, d in sorted(kept, key=_first_page) if d.markdown]
    texts = [d.text for _, d in sorted(kept, key=_first_page) if d.text]
    out.markdown = "\n\n".join(markdowns) or None
    out.text = "\n\n".join(texts) or None
    section_tree(out.blocks)
    if out.provider == "paddle":
        from .providers.paddle_extras import running_headers
        running_headers(out, repairs)
    own = [f"input {n + 1} ({_label(d)}): {w}" for n, d in enumerate(docs) for w in d.warnings]
    out.warnings = own + repairs.collected()
    return out


def _first(values: Iterable[Any]) -> Any:
    return next((v for v in values if v is not None), None)


def _label(doc: Document) -> str:
    numbers = [p.number for p in doc.pages]
    return f"page {numbers[0]}" if len(numbers) == 1 else f"pages {', '.join(map(str, numbers))}" if numbers \
        else "no page"


def _first_page(item: tuple[int, Document]) -> tuple[int, int]:
    return (min((p.number for p in item[1].pages), default=0), item[0])


def _job(docs: list[Document]) -> Job:
    """The worst status of the inputs' jobs; the first id; the largest page count any of them gives."""
    statuses = [d.job.status for d in docs]
    status = min(statuses, key=lambda s: STATUS_RANK.index(s) if s in STATUS_RANK else len(STATUS_RANK))
    counts = [d.job.page_count for d in docs if d.job.page_count]
    base = next((d.job for d in docs if d.job.status == status), docs[0].job)
    return msgspec.structs.replace(base, id=_first(d.job.id for d in docs), page_count=max(counts, default=None))


def _differences(docs: list[Document], repairs: Repairs) -> None:
    for field in ("provider", "format", "file_name"):
        values = sorted({str(getattr(d, field)) for d in docs})
        if len(values) > 1:
            repairs.note("$", f"the joined inputs differ in {field} ({', '.join(values[:6])}); the first input's kept")


def _pages(docs: list[Document], repairs: Repairs) -> list[tuple[int, Document]]:
    """Each input with the pages it keeps: a page number met again is dropped from the later input (with a repair
    saying how many blocks went with it)."""
    owner: dict[int, int] = {}
    kept = []
    for n, doc in enumerate(docs):
        pages = []
        for page in doc.pages:
            if page.number in owner:
                dropped = sum(1 for b in doc.blocks if b.page == page.number)
                repairs("$", f"expected each page once, found page {page.number} in inputs {owner[page.number] + 1} "
                             f"and {n + 1}", f"kept input {owner[page.number] + 1}'s; dropped input {n + 1}'s "
                                             f"({dropped} blocks)")
                continue
            owner[page.number] = n
            pages.append(msgspec.structs.replace(page))
        numbers = {p.number for p in pages}
        blocks = [b for b in doc.blocks if b.page in numbers]
        kept.append((n, msgspec.structs.replace(doc, pages=pages, blocks=blocks)))
    return kept


def _take(out: Document, doc: Document) -> None:
    """An input's pages, blocks (renumbered per page: a page comes from one input), chunks and images into `out`;
    the links naming a renumbered block follow it."""
    out.pages += doc.pages
    renamed: dict[str, str] = {}
    counts: dict[int, int] = {}
    blocks: list[Block] = []
    for block in sorted(doc.blocks, key=lambda b: b.page):  # stable: each page's reading order kept
        n = counts.get(block.page, 0)
        counts[block.page] = n + 1
        new = msgspec.structs.replace(block, id=f"p{block.page}-b{n}")
        renamed.setdefault(block.id, new.id)  # an id given twice: links named the first
        blocks.append(new)
    for block in blocks:
        block.captions = [renamed.get(c, c) for c in block.captions]
        block.parent = renamed.get(block.parent, block.parent) if block.parent else None
    out.blocks += blocks
    for chunk in doc.chunks:
        out.chunks.append(msgspec.structs.replace(chunk, block_ids=[renamed.get(i, i) for i in chunk.block_ids]))
    out.images += doc.images


def _gaps(out: Document, repairs: Repairs) -> None:
    """The page numbers missing between 1 and the last page (or the job's page count): their count, and the first
    twenty of them (found in at most as many steps as there are pages, however large the numbers)."""
    numbers = [p.number for p in out.pages]
    if not numbers:
        return
    last = max(numbers[-1], out.job.page_count or 0)
    present = {n for n in numbers if 1 <= n <= last}
    count = last - len(present)
    if count <= 0:
        return
    missing: list[int] = []
    k = 1
    while len(missing) < 20 and k <= last:
        if k not in present:
            missing.append(k)
        k += 1
    shown = ", ".join(map(str, missing)) + (f", … ({count} in all)" if count > len(missing) else "")
    repairs("$", f"expected pages 1 to {last}, found no page{'s' if count > 1 else ''} {shown}",
            "joined the pages there are")


def _common_extra(out: Document, docs: list[Document], kept: list[tuple[int, Document]]) -> None:
    """The inputs' document `extra`: what every input has and agrees on, once; the rest on each input's first page
    (`extra.document_extra`), so that nothing is lost."""
    values: dict[str, list[Any]] = {}
    for doc in docs:
        for key, value in doc.extra.items():
            values.setdefault(key, []).append(value)
    common = {k: v[0] for k, v in values.items() if len(v) == len(docs) and all(x == v[0] for x in v)}
    out.extra = common
    for _, doc in kept:
        own = {k: v for k, v in doc.extra.items() if k not in common}
        if own and doc.pages:
            page: Page = doc.pages[0]
            page.extra = {**page.extra, "document_extra": own}
