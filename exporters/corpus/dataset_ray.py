"""`docnorm dataset --engine ray`: the same Parquet tables, built on a Ray cluster with Ray Data.

Ray schedules everything (no scheduler of ours): `ray.data.read_binary_files` reads the inputs (local paths, or
any filesystem pyarrow knows, such as `s3://`), one `map_batches` normalizes them into canonical JSON, and for
each table a `map_batches` builds its rows with the local engine's own `Columns` and `write_parquet` writes them
(file names `PART-TASK-BLOCK.parquet`, so the manifest can find an input's part on a re-run). The tables are
row for row the local engine's (a test checks it). With `address`, it joins that cluster (`ray://head:10001`,
or `auto` on a cluster node); without, it starts Ray on this machine with every core.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from typing import Any

import msgspec

from ..content_hash import bytes_hash
from ..optional import need

INSTALL = "pip install 'docnorm[ray]'"


def require() -> None:
    """ImportError with the pip command when Ray Data is missing (checked before any work)."""
    _ray()


def _ray() -> Any:
    need("ray.data", INSTALL, "--engine ray needs Ray Data")
    return need("ray", INSTALL)


def _normalize_batch(batch: dict[str, Any], sources: dict[str, str]) -> dict[str, list]:
    """Raw inputs -> each input's canonical documents (one JSON array), or its error; and its manifest facts."""
    from normalizer import failure_message, normalize_all
    from normalizer.schema import encode
    out: dict[str, list] = {"source": [], "docs": [], "error": [], "hash": [], "documents": [], "pages": [],
                            "warnings": []}
    for data, path in zip(batch["bytes"], batch["path"]):
        data = bytes(data)
        source = sources.get(os.path.abspath(str(path)), str(path))
        try:
            docs = normalize_all(data)
            error = None
        except Exception as exc:  # any exception is this input's failure (a failures row), never the job's
            docs, error = [], failure_message(exc)
        error = error or ""  # a string column throughout: Ray turns a column of None into something else
        out["source"].append(source)
        out["docs"].append(b"[" + b",".join(encode(d) for d in docs) + b"]")
        out["error"].append(error)
        out["hash"].append(bytes_hash(data))
        out["documents"].append(len(docs))
        out["pages"].append(sum(len(d.pages) for d in docs))
        out["warnings"].append(sum(len(d.warnings) for d in docs))
    return out


def _table_batch(batch: dict[str, Any], table: str) -> Any:
    """Canonical documents -> one table's rows (the local engine's Columns, so the rows are the same)."""
    from normalizer import failure_message
    from normalizer.schema import Document

    from .dataset import Columns
    columns = Columns()
    decoder = msgspec.json.Decoder(list[Document])
    for source, docs, error in zip(batch["source"], batch["docs"], batch["error"]):
        if error:
            columns.fail(str(source), str(error))
            continue
        try:
            columns.add_all(decoder.decode(bytes(docs)), str(source))
        except Exception as exc:  # as in the local engine: all of an input's rows, or its failures row
            columns.fail(str(source), failure_message(exc))
    return columns.take(table)


def run_on_ray(paths: list[str], out: str, address: str | None, errors_path: str | None) -> tuple[int, Any, list]:
    """Normalize `paths` on Ray into the dataset at `out`. Returns (exit status, summary, manifest rows)."""
    from .runner import Outcome, Summary, tally

    from .dataset import COLUMNS, manifest_row, staging
    ray = _ray()
    from ray.data.datasource import FilenameProvider
    started = time.perf_counter()
    if not paths:
        return 0, Summary(0, 0, 0, 0, 0, 0.0), []
    part = f"ray-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"

    class Names(FilenameProvider):
        def get_filename_for_block(self, block: Any, write_uuid: str, task_index: int, block_index: int) -> str:
            return f"{part}-{write_uuid}-{task_index:05d}-{block_index:04d}.parquet"

        def get_filename_for_task(self, write_uuid: str, task_index: int) -> str:
            return f"{part}-{write_uuid}-{task_index:05d}.parquet"

    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=address, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True,
                 logging_level=logging.WARNING)
    for name in ("ray", "ray.data"):  # our summary says what happened; Ray's progress lines would bury it
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        sources = {os.path.abspath(p): p for p in paths if "://" not in p}
        canonical = ray.data.read_binary_files(paths, include_paths=True).map_batches(
            _normalize_batch, fn_kwargs={"sources": sources}, batch_size=64).materialize()
        for table in COLUMNS:
            canonical.map_batches(_table_batch, fn_kwargs={"table": table}, batch_format="numpy",
                                  batch_size=64).write_parquet(os.path.join(staging(out), table), filename_provider=Names())
        facts = canonical.select_columns(["source", "error", "hash", "documents", "pages", "warnings"]).take_all()
    finally:
        if started_here:
            ray.shutdown()
    outcomes = (Outcome(documents=int(row["documents"]), pages=int(row["pages"]), warnings=int(row["warnings"]),
                        failures=[(row["source"], row["error"])] if row["error"] else [],
                        records=[{**manifest_row(row["source"], None, part, int(row["documents"])), "hash": row["hash"]}])
                for row in facts)
    return tally(outcomes, "dataset", errors_path, bar=False, started=started)
