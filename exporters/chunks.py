"""Chunks for retrieval: the provider's own when it made them, otherwise heading-aware chunks from the blocks.

Derived chunks never cross a heading, carry their section path as `headings`, stay under `max_chars` where a
single block allows it, and split a long table only between rows (its header rows repeated in every part).
With `max_tokens` they are sized in a tokenizer's tokens instead (`exporters.token_chunks`).
"""

from __future__ import annotations

from typing import Any, Callable

from msgspec import Struct

from normalizer.kinds import FURNITURE, row as kind_row
from normalizer.geometry import union
from normalizer.schema import Block, Chunk, Document, Location, Table, encode

from .joined import logical_blocks
from .markdown import gfm_table
from .tables import header_rows


class ChunkOptions(Struct, frozen=True, kw_only=True):
    max_chars: int = 2000        # soft limit: one paragraph longer than this stays whole
    furniture: bool = False      # page headers/footers are left out of chunks
    prefer_provider: bool = True  # use `Document.chunks` when the provider made chunks
    max_tokens: int = 0          # > 0: chunks of at most this many tokens, derived from the blocks (max_chars and
    #                              the provider's chunks are then not used); 0: sized in characters
    overlap: int = 0             # with max_tokens: a chunk repeats the last words (at most this many tokens) of
    #                              the chunk before it under the same heading

    def __post_init__(self) -> None:
        if self.max_chars < 1 or self.max_tokens < 0 or self.overlap < 0:
            raise ValueError("max_chars must be at least 1, max_tokens and overlap at least 0")
        if self.max_tokens and self.overlap >= self.max_tokens:
            raise ValueError(f"overlap ({self.overlap}) must be less than max_tokens ({self.max_tokens})")



class _Builder:
    def __init__(self, options: ChunkOptions):
        self.options = options
        self.chunks: list[Chunk] = []
        self.parts: list[str] = []
        self.blocks: list[Block] = []
        self.size = 0
        self.table_chunks: list[Chunk] = []  # the last table's chunks: later fragments of it join them

    def take_captions(self, ids: list[str]) -> list[Block]:
        """Pending caption blocks that belong to the table about to be emitted (they travel with it)."""
        taken = [b for b in self.blocks if b.id in ids]
        if taken:
            keep = [(p, b) for p, b in zip(self.parts, self.blocks) if b.id not in ids]
            self.parts, self.blocks = [p for p, _ in keep], [b for _, b in keep]
            self.size = sum(len(p) + 2 for p in self.parts)
        return taken

    def continue_table(self, block: Block) -> None:
        for chunk in self.table_chunks:
            chunk.block_ids.append(block.id)
            chunk.locations = _merge(chunk.locations, _locations([block]))

    def flush(self, headings: list[str]) -> None:
        if self.parts:
            self.emit("\n\n".join(self.parts), "text", headings, self.blocks)
        self.parts, self.blocks, self.size = [], [], 0

    def emit(self, text: str, kind: str, headings: list[str], blocks: list[Block]) -> None:
        self.chunks.append(Chunk(id=f"c{len(self.chunks)}", text=text, kind=kind, headings=list(headings),
                                 locations=_locations(blocks), block_ids=[b.id for b in blocks]))

    def add(self, text: str, block: Block, headings: list[str]) -> None:
        if self.parts and self.size + len(text) + 2 > self.options.max_chars:
            self.flush(headings)
        self.parts.append(text)
        self.blocks.append(block)
        self.size += len(text) + 2


def _merge(a: list[Location], b: list[Location]) -> list[Location]:
    pages = {loc.page for loc in a}
    return a + [loc for loc in b if loc.page not in pages]


def _locations(blocks: list[Block]) -> list[Location]:
    """One location per page the chunk touches, with the union of its blocks' boxes there."""
    by_page: dict[int, list[list[float]]] = {}
    for b in blocks:
        boxes = by_page.setdefault(b.page, [])
        if b.bbox:
            boxes.append(b.bbox)
    return [Location(page=p, bbox=union(boxes)) for p, boxes in by_page.items()]


def _table_parts(table: Table, max_chars: int) -> list[str]:
    """The table as GFM text, split between rows so each part fits; header rows head every part.

    A GFM row's line depends on that row alone, so the table is rendered once and its lines are packed.
    """
    lines = gfm_table(table, "repeat").split("\n")
    head = max(header_rows(table), 1) + 1  # the header rows plus the delimiter line
    head_lines, body_lines = lines[:head], lines[head:]
    if len(lines) <= head + 1 or sum(len(line) + 1 for line in lines) - 1 <= max_chars:
        return ["\n".join(lines)]
    parts: list[str] = []
    part: list[str] = []
    size = sum(len(line) + 1 for line in head_lines) - 1
    for line in body_lines:
        if part and size + 1 + len(line) > max_chars:
            parts.append("\n".join(head_lines + part))
            part, size = [], sum(len(line_) + 1 for line_ in head_lines) - 1
        part.append(line)
        size += 1 + len(line)
    parts.append("\n".join(head_lines + part))
    return parts


def derive_chunks(doc: Document, options: ChunkOptions = ChunkOptions()) -> list[Chunk]:
    out = _Builder(options)
    path: list[tuple[int, str]] = []  # (level, heading text)
    for block, table in logical_blocks(doc.blocks):
        if block.kind in FURNITURE and not options.furniture:
            continue
        headings = [text for _, text in path]
        if block.kind == "heading":
            out.flush(headings)
            level = block.level or 1
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, block.text))
            continue
        if block.kind == "table":
            if table is None:
                out.continue_table(block)  # a fragment joined into the table before it
                continue
            captions = out.take_captions(block.captions)
            out.flush(headings)
            out.table_chunks = []
            if table.n_rows == 0:
                continue
            prefix = "".join(c.text + "\n\n" for c in captions)
            for part in _table_parts(table, options.max_chars):
                out.emit(prefix + part, "table", headings, captions + [block])
                out.table_chunks.append(out.chunks[-1])
            continue
        text = block.latex if kind_row(block.kind).text_from == "latex" and block.latex else block.text
        if text:
            out.add(text, block, headings)
    out.flush([text for _, text in path])
    return out.chunks


Tokenizer = str | Callable[[str], Any] | None


def to_chunks(doc: Document, options: ChunkOptions = ChunkOptions(), tokenizer: Tokenizer = None) -> list[Chunk]:
    """Chunks for retrieval: the provider's own when it made them, else heading-aware chunks from the blocks
    (never across a heading, tables split between rows with their header repeated); with `options.max_tokens`,
    chunks of at most that many tokens (exporters/token_chunks.py says how they are cut and merged).

    Args:
        doc: a canonical Document.
        options: size limit (characters, or tokens), overlap, furniture, whether the provider's chunks are preferred.
        tokenizer: what counts tokens when `max_tokens` is set: a callable (text -> tokens), a tiktoken encoding
            name, a Hugging Face `tokenizers` JSON file, or None for words and punctuation
            (`exporters.token_count.counter`).

    Example:
        >>> doc = normalize(open("samples/llamacloud/annual_report_v2.json", "rb").read())
        >>> to_chunks(doc)[0].headings
        ['Annual Report 2025', '1. Letter to shareholders']
        >>> sized = to_chunks(doc, ChunkOptions(max_tokens=40), tokenizer=str.split)
        >>> max(len(c.text.split()) for c in sized) <= 40
        True
    """
    if options.max_tokens:
        from .token_chunks import token_chunks
        from .token_count import counter
        return token_chunks(doc, options, counter(tokenizer))
    if doc.chunks and options.prefer_provider:
        return doc.chunks
    return derive_chunks(doc, options)


def to_chunks_jsonl(doc: Document, options: ChunkOptions = ChunkOptions(), tokenizer: Tokenizer = None) -> str:
    """`to_chunks` as JSON lines: one canonical `Chunk` object per line.

    Example:
        >>> doc = normalize(open("samples/llamacloud/annual_report_v2.json", "rb").read())
        >>> to_chunks_jsonl(doc).count("\\n") == len(to_chunks(doc))
        True
    """
    return "".join(encode(chunk).decode() + "\n" for chunk in to_chunks(doc, options, tokenizer))
