"""A corpus as Parquet tables, one per entity, for DuckDB, pandas, Polars or Spark.

Tables (schema version 1; README "Dataset" lists every column) and the keys that join them:

    documents  doc_id (= "SOURCE#INDEX"), source, doc_index, provider, format, file_name, job_id, job_status,
               job_error, page_count, block_count, table_count, warning_count
    pages      doc_id, page -> width, height, unit, ok, error, is_scan, confidence
    blocks     doc_id, block_id -> seq (reading order), page, kind, level, parent, text, x0, y0, x1, y1, confidence
    cells      doc_id, block_id, row, col -> row_span, col_span, text, header, confidence
    chunks     doc_id, chunk_id -> seq, kind, text, headings, block_ids, locations (page and box each)
    lines      doc_id, block_id, line -> page, text, x0..y1, top, bottom, confidence
    words      doc_id, block_id, line, word -> page, text, x0..y1, confidence
    warnings   doc_id, seq -> message
    failures   source -> error (inputs that did not normalize)

Rows are built column by column from our own structs (no per-row dicts), written as row groups as they fill:
memory stays bounded by one batch of inputs whatever the corpus size. Each batch of inputs writes one part file
per table (`OUT/TABLE/PART.parquet`), and `OUT/_manifest.parquet` records each input's path, size, mtime, hash
and part, so a re-run skips unchanged inputs and rewrites only the parts that held changed or removed ones.

A run can be killed at any point (`begin_run` / `commit_run`): new parts are written into `OUT/.staging/` (which
no reader of `OUT/TABLE/*.parquet` sees), so a part cut off before its footer never reaches a table; only when
every part is written are the changed inputs' old rows dropped, the staged parts moved into their tables and the
manifest replaced (each step an atomic rename). The manifest is the record of what the tables hold: the next run
first deletes every staged file and every part the manifest does not name, so a run killed anywhere and run
again ends with the tables a clean run writes, and the previous dataset stays readable meanwhile.
"""

from __future__ import annotations

import os
from typing import Any, Iterable

from normalizer.errors import shown
from normalizer.schema import Document

from ..content_hash import bytes_hash, file_hash
from ..optional import need

SCHEMA_VERSION = 1
INSTALL = "pip install 'docnorm[dataset]'   # or: pip install pyarrow"
MANIFEST = "_manifest.parquet"
STAGING = ".staging"  # new parts, until the run commits them
SCHEMA_PART = "part-schema.parquet"
ROW_GROUP = 65_536  # rows buffered per table before they are written

# table -> [(column, type name)]; types: str, int, float, bool, strs (list of str), ints (list of int), locations
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
MANIFEST_COLUMNS = [("path", "str"), ("size", "int"), ("mtime_ns", "int"), ("hash", "str"), ("part", "str"),
                    ("documents", "int")]


def require() -> None:
    """ImportError with the pip command when pyarrow is missing (checked before any work)."""
    _pa()


def _pa() -> Any:
    need("pyarrow.parquet", INSTALL, "the Parquet dataset needs pyarrow")  # the writer
    return need("pyarrow", INSTALL)


def arrow_schema(columns: list[tuple[str, str]]) -> Any:
    pa = _pa()
    location = pa.struct([("page", pa.int32()), ("x0", pa.float64()), ("y0", pa.float64()), ("x1", pa.float64()),
                          ("y1", pa.float64())])
    types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
             "strs": pa.list_(pa.string()), "ints": pa.list_(pa.int32()), "locations": pa.list_(location)}
    return pa.schema([(name, types[kind]) for name, kind in columns],
                     metadata={b"docnorm.schema_version": str(SCHEMA_VERSION).encode()})


def _box(bbox: list[float] | None) -> tuple[Any, Any, Any, Any]:
    return (bbox[0], bbox[1], bbox[2], bbox[3]) if bbox and len(bbox) == 4 else (None, None, None, None)


class Columns:
    """Each table's rows so far, column by column."""

    def __init__(self) -> None:
        self.data = {table: {name: [] for name, _ in cols} for table, cols in COLUMNS.items()}

    def rows(self, table: str) -> int:
        return len(self.data[table][COLUMNS[table][0][0]])

    def _add(self, table: str, *values: Any) -> None:
        for column, value in zip(self.data[table].values(), values):
            column.append(value)

    def add(self, doc: Document, source: str, index: int) -> None:
        """Every row of one document."""
        doc_id = f"{source}#{index}"
        add = self._add
        add("documents", doc_id, source, index, doc.provider, doc.format, doc.file_name, doc.job.id, doc.job.status,
            doc.job.error, len(doc.pages), len(doc.blocks), sum(1 for b in doc.blocks if b.kind == "table"),
            len(doc.warnings), SCHEMA_VERSION)
        for p in doc.pages:
            add("pages", doc_id, p.number, p.width, p.height, p.unit, p.ok, p.error, p.is_scan, p.confidence)
        for seq, b in enumerate(doc.blocks):
            add("blocks", doc_id, b.id, seq, b.page, b.kind, b.level, b.parent, b.text, *_box(b.bbox), b.confidence)
            if b.table is not None:
                for c in b.table.cells:
                    add("cells", doc_id, b.id, c.row, c.col, c.row_span, c.col_span, c.text, c.header, c.confidence)
            for n, ln in enumerate(b.lines):
                add("lines", doc_id, b.id, n, b.page, ln.text, *_box(ln.bbox), ln.top, ln.bottom, ln.confidence)
                for k, w in enumerate(ln.words):
                    add("words", doc_id, b.id, n, k, b.page, w.text, *_box(w.bbox), w.confidence)
        for seq, c in enumerate(doc.chunks):
            locations = [{"page": loc.page, **dict(zip(("x0", "y0", "x1", "y1"), _box(loc.bbox)))}
                         for loc in c.locations]
            add("chunks", doc_id, c.id, seq, c.kind, c.text, c.headings, c.block_ids, locations)
        for seq, message in enumerate(doc.warnings):
            add("warnings", doc_id, seq, message)

    def add_all(self, docs: list[Document], source: str, first: int = 0) -> None:
        """Every row of every document of one input (numbered from `first`), or none of them: an input that fails
        part-way leaves no half of its rows behind (its failure is a `failures` row instead)."""
        sizes = {table: self.rows(table) for table in COLUMNS}
        try:
            for index, doc in enumerate(docs, first):
                self.add(doc, source, index)
        except BaseException:
            for table, size in sizes.items():
                for column in self.data[table].values():
                    del column[size:]
            raise

    def fail(self, source: str, error: str) -> None:
        self._add("failures", source, error)

    def take(self, table: str) -> Any:
        """The table's rows as an Arrow table, emptied here. A value Arrow refuses (a string holding a lone
        surrogate, an integer past 64 bits: both reach a document built from parsed JSON) is written in the
        nearest form it takes (the character escaped, the integer null) rather than losing the row group."""
        pa = _pa()
        data = self.data[table]
        schema = arrow_schema(COLUMNS[table])
        try:
            out = pa.Table.from_pydict(data, schema=schema)
        except (UnicodeError, OverflowError, pa.ArrowException):
            out = pa.Table.from_pydict({name: [_arrow_safe(v) for v in column] for name, column in data.items()},
                                       schema=schema)
        for column in data.values():
            column.clear()
        return out


_INT64 = 1 << 63


def _arrow_safe(value: Any) -> Any:
    """`value` as Arrow takes it: strings as valid UTF-8 (lone surrogates escaped), integers within 64 bits."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, bool) or not isinstance(value, int):
        return [_arrow_safe(v) for v in value] if isinstance(value, list) else \
            {k: _arrow_safe(v) for k, v in value.items()} if isinstance(value, dict) else value
    return value if -_INT64 <= value < _INT64 else None


class PartWriter:
    """One batch's part file per table (made only for tables that get rows), row groups flushed as they fill."""

    def __init__(self, out: str, part: str):
        self.out, self.part = out, part
        self.columns = Columns()
        self._writers: dict[str, Any] = {}

    def add(self, doc: Document, source: str, index: int) -> None:
        self.add_all([doc], source, first=index)

    def add_all(self, docs: list[Document], source: str, first: int = 0) -> None:
        """Every document of one input (numbered from `first`), all of its rows or none."""
        self.columns.add_all(docs, source, first)
        self._flush(full_only=True)

    def fail(self, source: str, error: str) -> None:
        self.columns.fail(source, error)

    def _flush(self, full_only: bool = False) -> None:
        for table in COLUMNS:
            rows = self.columns.rows(table)
            if rows and (rows >= ROW_GROUP or not full_only):
                writer = self._writers.get(table)
                if writer is None:
                    folder = os.path.join(self.out, table)
                    os.makedirs(folder, exist_ok=True)
                    writer = self._writers[table] = _pa().parquet.ParquetWriter(
                        os.path.join(folder, self.part + ".parquet"), arrow_schema(COLUMNS[table]), compression="zstd")
                writer.write_table(self.columns.take(table), row_group_size=ROW_GROUP)

    def close(self) -> None:
        self._flush()
        for writer in self._writers.values():
            writer.close()


def ensure_tables(out: str) -> None:
    """Every table's folder with an empty part holding its schema: a query over a table no input has rows for
    yet (say, `failures`) reads zero rows instead of finding no files."""
    pa = _pa()
    for table, columns in COLUMNS.items():
        path = os.path.join(out, table, SCHEMA_PART)
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            pa.parquet.write_table(arrow_schema(columns).empty_table(), path + ".part")
            os.replace(path + ".part", path)  # whole or not at all


def read_manifest(out: str) -> dict[str, dict[str, Any]]:
    """The previous run's manifest, by input path (empty for a new dataset); a dataset of another schema version
    is refused, not mixed."""
    path = os.path.join(out, MANIFEST)
    if not os.path.exists(path):
        return {}
    pa = _pa()
    table = pa.parquet.read_table(path)
    version = (table.schema.metadata or {}).get(b"docnorm.schema_version", b"?").decode()
    if version != str(SCHEMA_VERSION):
        raise ValueError(f"{out} holds a dataset of schema version {version}; this docnorm writes version "
                         f"{SCHEMA_VERSION}: write to a new folder")
    return {row["path"]: row for row in table.to_pylist()}


def write_manifest(out: str, rows: Iterable[dict[str, Any]]) -> None:
    pa = _pa()
    rows = sorted(rows, key=lambda r: r["path"])
    data = {name: [r[name] for r in rows] for name, _ in MANIFEST_COLUMNS}
    tmp = os.path.join(out, MANIFEST + ".part")
    pa.parquet.write_table(pa.Table.from_pydict(data, schema=arrow_schema(MANIFEST_COLUMNS)), tmp)
    os.replace(tmp, os.path.join(out, MANIFEST))


def drop_inputs(out: str, stale: dict[str, list[dict[str, Any]]]) -> None:
    """Remove the rows of `stale` inputs (by part: the manifest rows of inputs changed or gone) from their old
    part files, rewriting only those parts; a part left empty is deleted."""
    pa = _pa()
    import pyarrow.compute as pc
    for part, rows in stale.items():
        doc_ids = pa.array([f"{r['path']}#{i}" for r in rows for i in range(r["documents"])], pa.string())
        sources = pa.array([r["path"] for r in rows], pa.string())
        for table in COLUMNS:
            for path in _part_files(out, table, part):
                _drop_rows(pa, pc, path, *(("source", sources) if table == "failures" else ("doc_id", doc_ids)))


def _part_files(out: str, table: str, part: str) -> list[str]:
    """A part's files in a table: PART.parquet (local engine) or PART-*.parquet (one per Ray block)."""
    import glob
    folder = os.path.join(out, table)
    return [p for p in [os.path.join(folder, part + ".parquet")] if os.path.exists(p)] + \
        sorted(glob.glob(os.path.join(glob.escape(folder), glob.escape(part) + "-*.parquet")))


def _drop_rows(pa: Any, pc: Any, path: str, key: str, values: Any) -> None:
    data = pa.parquet.read_table(path)
    kept = data.filter(pc.invert(pc.is_in(data[key], value_set=values)))
    if kept.num_rows == 0:
        os.remove(path)
    elif kept.num_rows != data.num_rows:
        pa.parquet.write_table(kept, path + ".part", compression="zstd", row_group_size=ROW_GROUP)
        os.replace(path + ".part", path)


def staging(out: str) -> str:
    """Where a run writes its parts until `commit_run` moves them into the tables."""
    return os.path.join(out, STAGING)


def begin_run(out: str, manifest: dict[str, dict[str, Any]]) -> None:
    """Undo what a killed run left: its staged parts, half-written rewrites (`*.part`), and every part file that
    the manifest (the record of a finished run) does not name. The tables are then those of the last run that
    finished, and the inputs a killed run read are read again."""
    import shutil
    shutil.rmtree(staging(out), ignore_errors=True)
    parts = {row["part"] for row in manifest.values()}
    for table in COLUMNS:
        folder = os.path.join(out, table)
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:  # only our own files: a part (or a part half rewritten) that no finished run made
            ours = name.endswith((".parquet", ".part"))
            if ours and name != SCHEMA_PART and not (name.endswith(".parquet") and _named_part(name[:-8], parts)):
                os.remove(os.path.join(folder, name))


def _named_part(stem: str, parts: set[str]) -> bool:
    """Whether file stem `stem` belongs to one of `parts`: PART, or PART-TASK-BLOCK as Ray names its files."""
    return stem in parts or any(stem[:end] in parts for end, c in enumerate(stem) if c == "-")


def commit_run(out: str, stale: dict[str, list[dict[str, Any]]], rows: Iterable[dict[str, Any]]) -> None:
    """Make a run's staged parts the dataset's: the changed inputs' old rows dropped, the new parts moved into
    their tables, then the manifest (`rows`) written; each step an atomic rename, and whatever a kill between two
    steps leaves is undone by the next run's `begin_run`."""
    import shutil
    drop_inputs(out, stale)
    staged = staging(out)
    for table in COLUMNS:
        folder = os.path.join(staged, table)
        if os.path.isdir(folder):
            os.makedirs(os.path.join(out, table), exist_ok=True)
            for name in sorted(os.listdir(folder)):
                os.replace(os.path.join(folder, name), os.path.join(out, table, name))
    write_manifest(out, rows)
    shutil.rmtree(staged, ignore_errors=True)


def plan(paths: list[str], old: dict[str, dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str],
                                                                     dict[str, list[dict[str, Any]]]]:
    """What a run must do: the manifest rows of inputs unchanged since the last run (same size and mtime, or
    the same bytes), the inputs to (re)read, and by part the old rows whose inputs changed or are gone."""
    kept: list[dict[str, Any]] = []
    todo: list[str] = []
    stale: dict[str, list[dict[str, Any]]] = {}
    for path in paths:
        row = old.pop(shown(path), None)
        if row is not None:
            try:
                st = os.stat(path)
                same = (st.st_size, st.st_mtime_ns) == (row["size"], row["mtime_ns"]) or \
                    (st.st_size == row["size"] and file_hash(path) == row["hash"])
            except OSError:
                same = False
            if same:
                kept.append({**row, "mtime_ns": st.st_mtime_ns})
                continue
            stale.setdefault(row["part"], []).append(row)
        todo.append(path)
    for row in old.values():  # inputs gone since the last run
        stale.setdefault(row["part"], []).append(row)
    return kept, todo, stale


def manifest_row(path: str, data: bytes | None, part: str, documents: int) -> dict[str, Any]:
    """An input's manifest row: what it was when read (size, mtime, hash of the bytes read) and where its rows are."""
    try:
        st = os.stat(path)
        size, mtime = st.st_size, st.st_mtime_ns
    except OSError:
        size, mtime = -1, -1
    digest = bytes_hash(data) if data is not None else ""
    return {"path": shown(path), "size": size, "mtime_ns": mtime, "hash": digest, "part": part, "documents": documents}
