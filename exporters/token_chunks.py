"""Chunks sized in tokens (`ChunkOptions.max_tokens`), in the manner of Docling's hybrid chunker and unstructured's
`by_title`: the document's structure first, then the tokenizer's budget.

- A chunk never crosses a heading and carries its heading path, pages, block ids and boxes (the union of its
  blocks' boxes on each page it touches).
- Small neighbours under one heading are merged up to `max_tokens`; a block longer than that is cut at sentences,
  then words (then characters, for one word longer than the budget), each piece keeping its block's id and box.
- A table is never merged with text and never cut inside a row: one too big for a chunk is cut between rows, its
  caption and header rows repeated in each part (the caption goes first when room runs short, then the header).
  A single row bigger than the budget is a chunk of its own, flagged `extra.oversize`.
- `overlap` N: each text chunk after the first of a run under one heading starts with the last words of the
  chunk before it, at most N tokens (`extra.overlap_chars` says how many characters of its text they are).
  Tables are not overlapped: their header rows are repeated instead.
- Every chunk's `extra.tokens` is its text's count; no chunk exceeds `max_tokens` but a flagged row (or, with a
  limit of a token or two, a single character counted as more).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from normalizer.kinds import FURNITURE, row as kind_row
from normalizer.schema import Block, Chunk, Table

from .joined import logical_blocks
from .markdown import gfm_table
from .tables import header_rows
from .token_count import Counter
from .token_split import counted_pieces, tail

if TYPE_CHECKING:
    from normalizer.schema import Document

    from .chunks import ChunkOptions

BREAK, JOIN = "\n\n", " "  # between blocks; between the pieces of one block


class Piece(NamedTuple):
    text: str
    tokens: int
    block: Block
    first: bool  # the block's first piece (the one after it continues the block: joined with a space)


class _Out:
    """The chunks made so far, numbered in order."""

    def __init__(self) -> None:
        self.chunks: list[Chunk] = []

    def emit(self, text: str, kind: str, headings: list[str], blocks: list[Block], extra: dict) -> Chunk:
        from .chunks import _locations
        unique = list({b.id: b for b in blocks}.values())
        chunk = Chunk(id=f"c{len(self.chunks)}", text=text, kind=kind, headings=list(headings),
                      locations=_locations(unique), block_ids=[b.id for b in unique], extra=extra)
        self.chunks.append(chunk)
        return chunk


def _joined(pieces: list[Piece]) -> str:
    return "".join((BREAK if p.first else JOIN) + p.text if n else p.text for n, p in enumerate(pieces))


def _text_run(pieces: list[Piece], headings: list[str], options: "ChunkOptions", count: Counter, out: _Out) -> None:
    """Consecutive pieces under one heading merged greedily up to the budget, each chunk after the first led by
    the overlap taken from the one before it; a chunk counted over the budget gives back its last piece."""
    limit, sep = options.max_tokens, count(BREAK)
    previous, i = "", 0
    while i < len(pieces):
        lead = tail(previous, options.overlap, count) if previous else ""
        lead += (BREAK if pieces[i].first else JOIN) if lead else ""
        room = limit - (count(lead) if lead else 0)
        group, total = [pieces[i]], pieces[i].tokens
        i += 1
        while i < len(pieces) and total + sep + pieces[i].tokens <= room:
            group.append(pieces[i])
            total += sep + pieces[i].tokens
            i += 1
        text = lead + _joined(group)
        tokens = group[0].tokens if len(group) == 1 and not lead else count(text)  # a lone piece is counted
        while tokens > limit and (len(group) > 1 or lead):
            if len(group) > 1:
                group.pop()
                i -= 1
            else:
                lead = ""
            text = lead + _joined(group)
            tokens = count(text)
        extra = {"tokens": tokens, **({"overlap_chars": len(lead)} if lead else {}),
                 **({"oversize": True} if tokens > limit else {})}
        out.emit(text, "text", headings, [p.block for p in group], extra)
        previous = text


def _table_parts(table: Table, caption: str, limit: int, count: Counter) -> list[tuple[str, int, bool]]:
    """(text, tokens, oversize) for each part of a table: rows packed under the caption and header rows."""
    lines = gfm_table(table, "repeat").split("\n")
    head_n = max(header_rows(table), 1) + 1  # the header rows and the delimiter line
    head = "\n".join(lines[:head_n])
    leads = [caption + head, head, ""] if caption else [head, ""]  # dropped in turn when a row does not fit
    rows = lines[head_n:]
    if not rows:
        return [_counted(leads[0], limit, count)]
    lead_tokens = count(leads[0]) + 1
    parts: list[tuple[str, int, bool]] = []
    group: list[str] = []
    total = 0
    for row in rows:
        n = count(row) + 1
        if group and lead_tokens + total + n <= limit:
            group.append(row)
            total += n
            continue
        if group:
            parts += _rows_part(leads, group, limit, count)
        if lead_tokens + n <= limit:
            group, total = [row], n
        else:
            parts.append(_lonely_row(row, leads, limit, count))
            group, total = [], 0
    if group:
        parts += _rows_part(leads, group, limit, count)
    return parts


def _counted(text: str, limit: int, count: Counter) -> tuple[str, int, bool]:
    n = count(text)
    return text, n, n > limit


def _rows_part(leads: list[str], rows: list[str], limit: int, count: Counter) -> list[tuple[str, int, bool]]:
    """The rows under the first lead, halved while the whole counts over the budget (tokens can merge across
    a line break); a row over it even alone goes under a shorter lead."""
    text, n, over = _counted(leads[0] + "\n" + "\n".join(rows), limit, count)
    if not over:
        return [(text, n, False)]
    if len(rows) == 1:
        return [_lonely_row(rows[0], leads[1:], limit, count)]
    half = len(rows) // 2
    return _rows_part(leads, rows[:half], limit, count) + _rows_part(leads, rows[half:], limit, count)


def _lonely_row(row: str, leads: list[str], limit: int, count: Counter) -> tuple[str, int, bool]:
    """One row under the first lead it fits under; alone, and flagged, when it does not fit even so."""
    for lead in leads:
        text, n, over = _counted(lead + "\n" + row if lead else row, limit, count)
        if not over:
            return text, n, False
    return _counted(row, limit, count)


def token_chunks(doc: "Document", options: "ChunkOptions", count: Counter) -> list[Chunk]:
    """The document's chunks sized by `count` (the module says how). `to_chunks` calls it when
    `options.max_tokens` is set.

    Example:
        >>> from normalizer import load
        >>> from exporters.chunks import ChunkOptions
        >>> from exporters.token_count import count_words
        >>> doc = load("samples/same_report/harbor_q3_baidu.json")[0]
        >>> [(c.kind, c.extra["tokens"]) for c in token_chunks(doc, ChunkOptions(max_tokens=60), count_words)]
        [('text', 29), ('table', 53), ('table', 37), ('text', 13), ('text', 32)]
    """
    out = _Out()
    path: list[tuple[int, str]] = []  # (level, heading text)
    pieces: list[Piece] = []
    table_chunks: list[Chunk] = []  # the last table's chunks: fragments continuing it join them
    budget = max(options.max_tokens - (options.overlap + count(BREAK) if options.overlap else 0), 1)
    for block, table in logical_blocks(doc.blocks):
        if block.kind in FURNITURE and not options.furniture:
            continue
        headings = [text for _, text in path]
        if block.kind == "heading":
            _text_run(pieces, headings, options, count, out)
            pieces = []
            level = block.level or 1
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, block.text))
        elif block.kind == "table" and table is None:
            _continue(table_chunks, block)
        elif block.kind == "table":
            captions = list({p.block.id: p.block for p in pieces if p.block.id in block.captions}.values())
            taken = {b.id for b in captions}
            _text_run([p for p in pieces if p.block.id not in taken], headings, options, count, out)
            pieces = []
            if table.n_rows:
                caption = "".join(b.text + BREAK for b in captions)
                blocks = captions + [block]
                table_chunks = [out.emit(text, "table", headings, blocks, {"tokens": n, **({"oversize": True}
                                if over else {})}) for text, n, over in _table_parts(table, caption,
                                                                                     options.max_tokens, count)]
        else:
            text = block.latex if kind_row(block.kind).text_from == "latex" and block.latex else block.text
            pieces += [Piece(t, k, block, n == 0) for n, (t, k) in enumerate(counted_pieces(text, budget, count))]
    _text_run(pieces, [text for _, text in path], options, count, out)
    return out.chunks


def _continue(table_chunks: list[Chunk], block: Block) -> None:
    """A fragment joined into the table before it: its id and place go on that table's chunks."""
    from .chunks import _locations, _merge
    for chunk in table_chunks:
        chunk.block_ids.append(block.id)
        chunk.locations = _merge(chunk.locations, _locations([block]))
