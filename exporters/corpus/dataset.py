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

Rows are built column by column from our own structs (`rows.Columns`: no Python object per row), made Arrow arrays
from their buffers (`arrow_arrays`: no process of a run imports pandas) and written as row groups as they fill:
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
from .arrow_arrays import INSTALL, arrow_array, load_pyarrow
from .rows import COLUMNS, SCHEMA_VERSION, Columns, arrow_schema, arrow_table

__all__ = ["COLUMNS", "INSTALL", "SCHEMA_VERSION", "Columns", "PartWriter", "arrow_schema", "begin_run", "commit_run",
           "drop_inputs", "ensure_tables", "manifest_row", "plan", "read_manifest", "require", "staging",
           "write_manifest"]

MANIFEST = "_manifest.parquet"
STAGING = ".staging"  # new parts, until the run commits them
SCHEMA_PART = "part-schema.parquet"
ROW_GROUP = 65_536  # rows buffered per table before they are written
MANIFEST_COLUMNS = [("path", "str"), ("size", "int"), ("mtime_ns", "int"), ("hash", "str"), ("part", "str"),
                    ("documents", "int")]


def require() -> None:
    """ImportError with the pip command when pyarrow is missing (checked before any work)."""
    load_pyarrow()


def _read(path: str) -> Any:
    """A Parquet file as a table (`ParquetFile.read`: `parquet.read_table` would import pandas)."""
    return load_pyarrow().parquet.ParquetFile(path).read()


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
                    writer = self._writers[table] = load_pyarrow().parquet.ParquetWriter(
                        os.path.join(folder, self.part + ".parquet"), arrow_schema(COLUMNS[table]), compression="zstd")
                writer.write_table(self.columns.take(table), row_group_size=ROW_GROUP)

    def close(self) -> None:
        self._flush()
        for writer in self._writers.values():
            writer.close()


def ensure_tables(out: str) -> None:
    """Every table's folder with an empty part holding its schema: a query over a table no input has rows for
    yet (say, `failures`) reads zero rows instead of finding no files."""
    pa = load_pyarrow()
    for table, columns in COLUMNS.items():
        path = os.path.join(out, table, SCHEMA_PART)
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            pa.parquet.write_table(pa.Table.from_batches([], schema=arrow_schema(columns)), path + ".part")
            os.replace(path + ".part", path)  # whole or not at all


def read_manifest(out: str) -> dict[str, dict[str, Any]]:
    """The previous run's manifest, by input path (empty for a new dataset); a dataset of another schema version
    is refused, not mixed."""
    path = os.path.join(out, MANIFEST)
    if not os.path.exists(path):
        return {}
    table = _read(path)
    version = (table.schema.metadata or {}).get(b"docnorm.schema_version", b"?").decode()
    if version != str(SCHEMA_VERSION):
        raise ValueError(f"{out} holds a dataset of schema version {version}; this docnorm writes version "
                         f"{SCHEMA_VERSION}: write to a new folder")
    return {row["path"]: row for row in table.to_pylist()}


def write_manifest(out: str, rows: Iterable[dict[str, Any]]) -> None:
    rows = sorted(rows, key=lambda r: r["path"])
    data = {name: [r[name] for r in rows] for name, _ in MANIFEST_COLUMNS}
    tmp = os.path.join(out, MANIFEST + ".part")
    load_pyarrow().parquet.write_table(arrow_table(data, MANIFEST_COLUMNS), tmp)
    os.replace(tmp, os.path.join(out, MANIFEST))


def drop_inputs(out: str, stale: dict[str, list[dict[str, Any]]]) -> None:
    """Remove the rows of `stale` inputs (by part: the manifest rows of inputs changed or gone) from their old
    part files, rewriting only those parts; a part left empty is deleted."""
    pa = load_pyarrow()
    import pyarrow.compute as pc
    for part, rows in stale.items():
        doc_ids = arrow_array([f"{r['path']}#{i}" for r in rows for i in range(r["documents"])], "str", pa.string())
        sources = arrow_array([r["path"] for r in rows], "str", pa.string())
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
    data = _read(path)
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
