"""The dataset's tables (schema version 1: their columns and types) and a document's rows, built column by column.

A document's rows go into each table a column at a time (`map` over its blocks, lines or cells, C loops with no
Python object per row), and `Columns.take` makes each column an Arrow array from its buffers (`arrow_arrays`): no
dict, tuple or call per row, and no pandas.
"""

from __future__ import annotations

from itertools import chain, repeat
from operator import attrgetter, itemgetter
from typing import Any, Iterable

from normalizer.schema import Block, Document, Line

from .arrow_arrays import arrow_array, box_arrays, load_pyarrow

SCHEMA_VERSION = 1

# table -> [(column, type name)]; types: str, int, float, bool, strs (list of str), locations (list of
# {page, x0, y0, x1, y1})
COLUMNS: dict[str, list[tuple[str, str]]] = {
    "documents": [("doc_id", "str"), ("source", "str"), ("doc_index", "int"), ("provider", "str"), ("format", "str"),
                  ("file_name", "str"), ("job_id", "str"), ("job_status", "str"), ("job_error", "str"),
                  ("page_count", "int"), ("block_count", "int"), ("table_count", "int"), ("warning_count", "int"),
                  ("schema_version", "int")],
    "pages": [("doc_id", "str"), ("page", "int"), ("width", "float"), ("height", "float"), ("unit", "str"),
              ("ok", "bool"), ("error", "str"), ("is_scan", "bool"), ("confidence", "float")],
    "blocks": [("doc_id", "str"), ("block_id", "str"), ("seq", "int"), ("page", "int"), ("kind", "str"),
               ("level", "int"), ("parent", "str"), ("text", "str"), ("x0", "float"), ("y0", "float"),
               ("x1", "float"), ("y1", "float"), ("confidence", "float")],
    "cells": [("doc_id", "str"), ("block_id", "str"), ("row", "int"), ("col", "int"), ("row_span", "int"),
              ("col_span", "int"), ("text", "str"), ("header", "bool"), ("confidence", "float")],
    "chunks": [("doc_id", "str"), ("chunk_id", "str"), ("seq", "int"), ("kind", "str"), ("text", "str"),
               ("headings", "strs"), ("block_ids", "strs"), ("locations", "locations")],
    "lines": [("doc_id", "str"), ("block_id", "str"), ("line", "int"), ("page", "int"), ("text", "str"),
              ("x0", "float"), ("y0", "float"), ("x1", "float"), ("y1", "float"), ("top", "float"),
              ("bottom", "float"), ("confidence", "float")],
    "words": [("doc_id", "str"), ("block_id", "str"), ("line", "int"), ("word", "int"), ("page", "int"),
              ("text", "str"), ("x0", "float"), ("y0", "float"), ("x1", "float"), ("y1", "float"),
              ("confidence", "float")],
    "warnings": [("doc_id", "str"), ("seq", "int"), ("message", "str")],
    "failures": [("source", "str"), ("error", "str")],
}
_SCHEMAS: dict[tuple[tuple[str, str], ...], Any] = {}
SIDES = ("x0", "y0", "x1", "y1")  # a box's columns: kept as the boxes themselves until the table is made


def arrow_schema(columns: list[tuple[str, str]]) -> Any:
    """The Arrow schema of a table's columns, the schema version in its metadata.

    >>> arrow_schema(COLUMNS["warnings"]).names
    ['doc_id', 'seq', 'message']
    """
    key = tuple(columns)
    if key not in _SCHEMAS:
        pa = load_pyarrow()
        location = pa.struct([("page", pa.int32()), ("x0", pa.float64()), ("y0", pa.float64()),
                              ("x1", pa.float64()), ("y1", pa.float64())])
        types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
                 "strs": pa.list_(pa.string()), "locations": pa.list_(location)}
        _SCHEMAS[key] = pa.schema([(name, types[kind]) for name, kind in columns],
                                  metadata={b"docnorm.schema_version": str(SCHEMA_VERSION).encode()})
    return _SCHEMAS[key]


def arrow_table(data: dict[str, list[Any]], columns: list[tuple[str, str]]) -> Any:
    """Columns of Python values as an Arrow table of `columns` (arrays built from their buffers: no pandas).

    >>> arrow_table({"source": ["a.json"], "error": ["$: expected JSON"]}, COLUMNS["failures"]).num_rows
    1
    >>> arrow_table({"doc_id": ["a#0"], "seq": [0], "message": ["$.pages: a page without a number"]},
    ...             COLUMNS["warnings"]).column("message").to_pylist()
    ['$.pages: a page without a number']
    """
    schema = arrow_schema(columns)
    arrays = {name: arrow_array(data[name], kind, schema.field(name).type) for name, kind in columns
              if name not in SIDES}
    if "bbox" in data:
        arrays.update(zip(SIDES, box_arrays(data["bbox"], schema.field("x0").type)))
    return load_pyarrow().Table.from_arrays([arrays[name] for name, _ in columns], schema=schema)


def _stored(columns: list[tuple[str, str]]) -> list[str]:
    """The lists a table's rows are kept in: its columns, a box's four sides kept as the box (`bbox`)."""
    names = [name for name, _ in columns if name not in SIDES]
    return names + ["bbox"] if len(names) < len(columns) else names


def _each(items: list[Any], field: str) -> Iterable[Any]:
    return map(attrgetter(field), items)


def _spread(values: Iterable[Any], counts: list[int]) -> Iterable[Any]:
    """Each value repeated as many times as its count says: a block's id on each of its lines."""
    return chain.from_iterable(map(repeat, values, counts))


class Columns:
    """Each table's rows so far, column by column.

    >>> from normalizer import load
    >>> columns = Columns()
    >>> columns.add_all(load("samples/marker/drought_plan.json"), "drought_plan.json")
    >>> columns.rows("documents"), columns.take("documents").column("doc_id")[0].as_py()
    (1, 'drought_plan.json#0')
    """

    def __init__(self) -> None:
        self.data: dict[str, dict[str, list[Any]]] = {table: {name: [] for name in _stored(cols)}
                                                      for table, cols in COLUMNS.items()}

    def rows(self, table: str) -> int:
        return len(self.data[table][COLUMNS[table][0][0]])

    def _extend(self, table: str, **columns: Iterable[Any]) -> None:
        """Rows of `table`, every column given as a sequence of its values."""
        data = self.data[table]
        for name, values in columns.items():
            data[name].extend(values)

    def add(self, doc: Document, source: str, index: int) -> None:
        """Every row of one document."""
        doc_id = f"{source}#{index}"
        kinds = list(_each(doc.blocks, "kind"))
        job = doc.job
        self._extend("documents", doc_id=[doc_id], source=[source], doc_index=[index], provider=[doc.provider],
                     format=[doc.format], file_name=[doc.file_name], job_id=[job.id], job_status=[job.status],
                     job_error=[job.error], page_count=[len(doc.pages)], block_count=[len(doc.blocks)],
                     table_count=[kinds.count("table")], warning_count=[len(doc.warnings)],
                     schema_version=[SCHEMA_VERSION])
        pages = doc.pages
        self._extend("pages", doc_id=[doc_id] * len(pages), page=_each(pages, "number"), width=_each(pages, "width"),
                     height=_each(pages, "height"), unit=_each(pages, "unit"), ok=_each(pages, "ok"),
                     error=_each(pages, "error"), is_scan=_each(pages, "is_scan"),
                     confidence=_each(pages, "confidence"))
        self._blocks(doc.blocks, kinds, doc_id)
        self._cells(doc.blocks, doc_id)
        self._lines([b for b in doc.blocks if b.lines], doc_id)
        chunks = doc.chunks
        self._extend("chunks", doc_id=[doc_id] * len(chunks), chunk_id=_each(chunks, "id"), seq=range(len(chunks)),
                     kind=_each(chunks, "kind"), text=_each(chunks, "text"), headings=_each(chunks, "headings"),
                     block_ids=_each(chunks, "block_ids"), locations=_each(chunks, "locations"))
        self._extend("warnings", doc_id=[doc_id] * len(doc.warnings), seq=range(len(doc.warnings)),
                     message=doc.warnings)

    def _blocks(self, blocks: list[Block], kinds: list[str], doc_id: str) -> None:
        self._extend("blocks", doc_id=[doc_id] * len(blocks), block_id=_each(blocks, "id"), seq=range(len(blocks)),
                     page=_each(blocks, "page"), kind=kinds, level=_each(blocks, "level"),
                     parent=_each(blocks, "parent"), text=_each(blocks, "text"), bbox=_each(blocks, "bbox"),
                     confidence=_each(blocks, "confidence"))

    def _cells(self, blocks: list[Block], doc_id: str) -> None:
        tables = [b for b in blocks if b.table is not None and b.table.cells]
        if not tables:
            return
        counts = [len(b.table.cells) for b in tables]  # type: ignore[union-attr]
        cells = list(chain.from_iterable(b.table.cells for b in tables))  # type: ignore[union-attr]
        self._extend("cells", doc_id=[doc_id] * len(cells), block_id=_spread(_each(tables, "id"), counts),
                     row=_each(cells, "row"), col=_each(cells, "col"), row_span=_each(cells, "row_span"),
                     col_span=_each(cells, "col_span"), text=_each(cells, "text"), header=_each(cells, "header"),
                     confidence=_each(cells, "confidence"))

    def _lines(self, blocks: list[Block], doc_id: str) -> None:
        """The lines of the blocks that have lines, then their words."""
        if not blocks:
            return
        counts = [len(b.lines) for b in blocks]
        lines: list[Line] = list(chain.from_iterable(b.lines for b in blocks))
        self._extend("lines", doc_id=[doc_id] * len(lines), block_id=_spread(_each(blocks, "id"), counts),
                     line=chain.from_iterable(map(range, counts)), page=_spread(_each(blocks, "page"), counts),
                     text=_each(lines, "text"), bbox=_each(lines, "bbox"), top=_each(lines, "top"),
                     bottom=_each(lines, "bottom"), confidence=_each(lines, "confidence"))
        worded = [(b.id, n, b.page, ln.words) for b in blocks for n, ln in enumerate(b.lines) if ln.words]
        if not worded:
            return
        counts = list(map(len, map(itemgetter(3), worded)))
        words = list(chain.from_iterable(map(itemgetter(3), worded)))
        self._extend("words", doc_id=[doc_id] * len(words), block_id=_spread(map(itemgetter(0), worded), counts),
                     line=_spread(map(itemgetter(1), worded), counts), word=chain.from_iterable(map(range, counts)),
                     page=_spread(map(itemgetter(2), worded), counts), text=_each(words, "text"),
                     bbox=_each(words, "bbox"), confidence=_each(words, "confidence"))

    def add_all(self, docs: list[Document], source: str, first: int = 0) -> None:
        """Every row of every document of one input (numbered from `first`), or none of them: an input that fails
        part-way leaves no half of its rows behind (its failure is a `failures` row instead)."""
        sizes = {table: self.rows(table) for table in self.data}  # every column of a table is this long now
        try:
            for index, doc in enumerate(docs, first):
                self.add(doc, source, index)
        except BaseException:
            for table, data in self.data.items():
                for column in data.values():
                    del column[sizes[table]:]
            raise

    def fail(self, source: str, error: str) -> None:
        self._extend("failures", source=[source], error=[error])

    def take(self, table: str) -> Any:
        """The table's rows as an Arrow table, emptied here. A value Arrow refuses (a string holding a lone
        surrogate, an integer past 64 bits: both reach a document built from parsed JSON) is written in the
        nearest form it takes (the character escaped, the integer null) rather than losing the row group."""
        data = self.data[table]
        out = arrow_table(data, COLUMNS[table])
        for column in data.values():
            column.clear()
        return out
