"""Chunks and CSV: goldens per sample; the size limit, section paths, and tables split only between rows."""

from __future__ import annotations

import json

import pytest

from exporters import ChunkOptions, table_to_csv, to_chunks, to_chunks_jsonl
from exporters.joined import logical_blocks
from exporters.tables import grid
from normalizer import Document, load
from normalizer.errors import Repairs
from normalizer.schema import Block, Cell, Chunk, Location, Page, Table
from normalizer.tables import from_markdown

from .conftest import compare_golden, sample_files

SAMPLES = sample_files()


def _name(path, i):
    return f"{path.parent.name}/{path.stem}{'-' + str(i) if i else ''}"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden_chunks_and_csv(path):
    for i, doc in enumerate(load(path)):
        compare_golden(_name(path, i) + ".chunks.jsonl", to_chunks_jsonl(doc))
        tables = [f"# {block.id}\n{table_to_csv(table)}" for block, table in logical_blocks(doc.blocks)
                  if block.kind == "table" and table is not None]
        compare_golden(_name(path, i) + ".tables.csv", "\n".join(tables))


def _doc(blocks):
    return Document(provider="t", format="docnorm", pages=[Page(number=1), Page(number=2)], blocks=blocks)


def test_chunks_respect_the_size_limit_and_headings():
    blocks = [Block(id="h1", page=1, kind="heading", level=1, text="Intro")]
    blocks += [Block(id=f"p{i}", page=1 + i // 5, kind="paragraph", text=f"Sentence number {i} is here.",
                     bbox=[0.0, float(i), 10.0, float(i + 1)]) for i in range(10)]
    blocks.insert(6, Block(id="h2", page=2, kind="heading", level=2, text="Details"))
    chunks = to_chunks(_doc(blocks), ChunkOptions(max_chars=80))
    assert all(len(c.text) <= 80 for c in chunks)
    assert [b for c in chunks for b in c.block_ids] == [f"p{i}" for i in range(10)]  # nothing lost, in order
    assert chunks[0].headings == ["Intro"] and chunks[-1].headings == ["Intro", "Details"]
    assert not any(set(c.block_ids) & {"p4", "p5"} == {"p4", "p5"} for c in chunks)  # a heading splits
    crossing = to_chunks(_doc(blocks[:6] + blocks[7:]), ChunkOptions(max_chars=10_000))
    assert [loc.page for loc in crossing[0].locations] == [1, 2]


def test_long_tables_split_between_rows_with_the_header_repeated():
    n = 30
    cells = [Cell(row=0, col=0, text="Item", header=True), Cell(row=0, col=1, text="Value", header=True)]
    cells += [Cell(row=r, col=c, text=f"r{r}c{c}") for r in range(1, n + 1) for c in range(2)]
    table = Table(n_rows=n + 1, n_cols=2, cells=cells)
    chunks = to_chunks(_doc([Block(id="t", page=1, kind="table", table=table)]), ChunkOptions(max_chars=120))
    assert len(chunks) > 3 and all(c.kind == "table" and c.block_ids == ["t"] for c in chunks)
    body = []
    for c in chunks:
        rows = grid(from_markdown(c.text, Repairs(strict=True), "$").table)
        assert rows[0] == ["Item", "Value"]
        body += rows[1:]
    assert body == [[f"r{r}c0", f"r{r}c1"] for r in range(1, n + 1)]


def test_provider_chunks_are_preferred():
    own = [Chunk(id="x", text="provider chunk", locations=[Location(page=1)])]
    doc = _doc([Block(id="p", page=1, kind="paragraph", text="derived")])
    doc.chunks = own
    assert to_chunks(doc) == own
    assert [c.text for c in to_chunks(doc, ChunkOptions(prefer_provider=False))] == ["derived"]
    line = json.loads(to_chunks_jsonl(doc))
    assert line["id"] == "x" and line["locations"] == [{"page": 1, "bbox": None}]


@pytest.mark.parametrize("text, written", [("=HYPERLINK(\"http://evil.example\",\"x\")", "'=HYPERLINK"), ("+cmd|' /C calc'!A0", "'+cmd"),
                                           ("-2+3+cmd|' /C calc'!A0", "'-2+3"), ("@SUM(A1:A2)", "'@SUM"),
                                           ("\tx", "'\tx"), ("\r=1", "'\r=1"), ("-3.1", "-3.1"), ("+8.9%", "+8.9%"),
                                           ("1,204.0", "1,204.0"), ("plain", "plain")])
def test_csv_cells_a_spreadsheet_would_run_are_neutralized(text, written):
    import csv, io
    from exporters import table_to_csv
    from normalizer.schema import Cell, Table
    table = Table(n_rows=1, n_cols=1, cells=[Cell(row=0, col=0, text=text)])
    assert next(csv.reader(io.StringIO(table_to_csv(table), newline="")))[0].startswith(written)
    assert next(csv.reader(io.StringIO(table_to_csv(table, raw=True), newline="")))[0] == text
