"""Tables continued across pages (`Table.continued` begin/inner/end) joined into one logical table."""

from __future__ import annotations

from typing import Iterator

from normalizer.schema import Block, Cell, Table


def join(tables: list[Table]) -> Table:
    """Stack fragments' rows; narrower fragments are padded with empty cells so the grid stays exact."""
    n_cols = max((t.n_cols for t in tables), default=0)
    cells: list[Cell] = []
    offset = 0
    for t in tables:
        for c in t.cells:
            cells.append(Cell(row=c.row + offset, col=c.col, row_span=c.row_span, col_span=c.col_span,
                              text=c.text, bbox=c.bbox, header=c.header and offset == 0, confidence=c.confidence))
        for r in range(t.n_rows):
            for col in range(t.n_cols, n_cols):
                cells.append(Cell(row=r + offset, col=col))
        offset += t.n_rows
    cells.sort(key=lambda c: (c.row, c.col))
    return Table(n_rows=offset, n_cols=n_cols, cells=cells)


def logical_blocks(blocks: list[Block], join_continued: bool = True) -> Iterator[tuple[Block, Table | None]]:
    """Each block with the table to show for it: a `begin` fragment carries the joined table, and the
    `inner`/`end` fragments it absorbed yield `None` (they are shown as part of it)."""
    absorbed: set[str] = set()
    for i, block in enumerate(blocks):
        if block.id in absorbed:
            yield block, None
            continue
        table = block.table
        if join_continued and table is not None and table.continued == "begin":
            parts = [table]
            for j in range(i + 1, len(blocks)):
                later = blocks[j]
                if later.table is None or later.table.continued not in ("inner", "end"):
                    continue
                parts.append(later.table)
                absorbed.add(later.id)
                if later.table.continued == "end":
                    break
            table = join(parts) if len(parts) > 1 else table
        yield block, table


def caption_ids(blocks: list[Block], n: int) -> list[str]:
    """The captions of block `n` (a table or figure): the ids the provider linked, else a caption block just
    before or after it on the same page."""
    block = blocks[n]
    if block.captions:
        return list(block.captions)
    return [blocks[k].id for k in (n - 1, n + 1) if 0 <= k < len(blocks)
            and blocks[k].kind == "caption" and blocks[k].page == block.page][:1]

