"""`build_dataset`: a corpus into the Parquet tables of `dataset`, on local processes or a Ray cluster.

Only inputs new or changed since the last run are read (the manifest); a run killed at any point and run again
ends with the tables of a clean run (`begin_run` / `commit_run`); whatever one input raises is its `failures`
row, and an input that kills its worker outright is found by reading its part again one input at a time.
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any, NamedTuple

from normalizer import normalize_all
from normalizer.errors import failure_message, shown
from normalizer.schema import Document

from .dataset import PartWriter, begin_run, commit_run, ensure_tables, manifest_row, plan, read_manifest, staging
from .runner import Outcome, Summary, chunks, jobs_wanted, one_pool, read, run


class DatasetRun(NamedTuple):
    """What a build did: its exit status (0 all good, 1 some inputs failed), the summary of the inputs read, and
    how many inputs were unchanged since the last run, read, and replaced or removed."""
    status: int
    summary: Summary
    unchanged: int
    read: int
    replaced: int


def build_dataset(paths: list[str], out: str, *, engine: str = "local", workers: int = 0,
                  errors_path: str | None = None, address: str | None = None) -> DatasetRun:
    """Write (or bring up to date) the dataset at `out`, a folder that exists, from the result files `paths`.
    ValueError when `out` holds a dataset of another schema version; ImportError (with the pip command) without
    pyarrow, or Ray for `engine="ray"`.

    >>> import tempfile; out = tempfile.mkdtemp()
    >>> build_dataset(["samples/marker/drought_plan.json"], out).read
    1
    >>> build_dataset(["samples/marker/drought_plan.json"], out).unchanged
    1
    """
    old = read_manifest(out)
    begin_run(out, old)
    kept, todo, stale = plan(list(dict.fromkeys(os.path.normpath(p) for p in paths)), old)
    ensure_tables(out)
    if engine == "ray":
        from .dataset_ray import run_on_ray
        status, summary, records = run_on_ray(todo, out, address, errors_path)
    else:
        status, summary, records = _run_local(todo, out, jobs_wanted(workers), errors_path)
    commit_run(out, stale, kept + records)
    return DatasetRun(status, summary, len(kept), len(todo), sum(len(r) for r in stale.values()))


PART_BYTES = 4 << 20  # the least input a part reads: its fixed cost (nine Parquet files) stays a few percent of it


@one_pool()
def _run_local(todo: list[str], out: str, workers: int, errors_path: str | None) -> tuple[int, Summary, list[Any]]:
    """The inputs in parts of up to 256 on `workers` processes, by bytes, shrinking toward the end (to
    PART_BYTES) so the workers finish together (`runner.chunks`); the inputs of a part whose worker died are read
    again one part each, in an isolated second pass on the same processes, so only the input that kills its
    worker fails."""
    stamp = f"part-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"  # never an earlier run's name
    parts = chunks(todo, workers, most=256, weights=[_size(path) for path in todo], least=PART_BYTES)
    if workers > 1 and len(parts) == 1:  # one part would be read here, in this process: a small corpus goes to the
        parts = [[path] for path in todo]  # workers one input a part, so an input that kills its process fails alone
    jobs = [(out, f"{stamp}-{n:05d}", part) for n, part in enumerate(parts)]
    lost: list[str] = []

    def read_again(job: tuple[str, str, list[str]], why: str) -> Outcome:
        lost.extend(job[2])
        return Outcome(files=0)
    status, summary, records = run(_part_job, jobs, workers, "dataset", errors_path, crashed=read_again, most=1)
    if lost:
        again = [(out, f"{stamp}-alone-{n:05d}", [path]) for n, path in enumerate(lost)]
        status2, summary2, records2 = run(_part_job, again, workers, "dataset", errors_path, crashed=_part_lost,
                                          isolate=True)
        status, summary, records = max(status, status2), summary.plus(summary2), records + records2
    return status, summary, records


def _size(path: str) -> int:
    """An input's bytes, to share the work out (1 for a file that cannot be read: it fails fast)."""
    try:
        return max(1, os.stat(path).st_size)
    except OSError:
        return 1


def _part_job(job: tuple[str, str, list[str]]) -> Outcome:
    """One batch of inputs written as one staged part of the dataset (by the worker: only counts and manifest
    rows come back). Any exception of one input is that input's `failures` row; the part goes on."""
    out, part, paths = job
    writer = PartWriter(staging(out), part)
    outcome = Outcome(files=len(paths))
    try:
        for path in paths:
            data: bytes | None = None
            docs: list[Document] = []
            try:
                data = read(path)
                docs = normalize_all(data)
                writer.add_all(docs, shown(path))
            except Exception as exc:  # any exception is this file's failure: a failures row, the part goes on
                docs = []
                why = failure_message(exc)
                outcome.failures.append((path, why))
                writer.fail(shown(path), why)
            these = Outcome(documents=len(docs), pages=sum(len(d.pages) for d in docs),
                           warnings=sum(len(d.warnings) for d in docs))
            outcome.documents += these.documents
            outcome.pages += these.pages
            outcome.warnings += these.warnings
            outcome.records.append(manifest_row(path, data, part, len(docs)))
    finally:
        writer.close()
    return outcome


def _part_lost(job: tuple[str, str, list[str]], message: str) -> Outcome:
    """A part whose job raised or whose worker died: its inputs become `failures` rows of a part written here
    (over whatever half of the part was staged), so none is in neither table."""
    out, part, paths = job
    writer = PartWriter(staging(out), part)
    for path in paths:
        writer.fail(shown(path), message)
    writer.close()
    return Outcome(files=len(paths), failures=[(path, message) for path in paths],
                   records=[manifest_row(path, None, part, 0) for path in paths])


