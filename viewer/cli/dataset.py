"""`docnorm dataset`: a corpus as Parquet tables, on local processes or a Ray cluster."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from exporters.corpus.runner import Outcome, UsageError, failure, jobs_wanted, run
from normalizer import normalize_all
from normalizer.errors import shown
from normalizer.schema import Document

from .common import add_command, add_inputs, counts, errors_file, make_folder
from .inputs import expand, read


EXAMPLES_DATASET = [
    "docnorm dataset bucket/ -o corpus.parquet/",
    "docnorm dataset @inputs.txt -o corpus.parquet/ -j 8",
    "docnorm dataset s3://bucket/results/ -o out/ --engine ray --address ray://head:10001",
]


def _dataset_job(job: tuple[str, str, list[str]]) -> Outcome:
    """One batch of inputs written as one staged part of the dataset (by the worker: only counts and manifest
    rows come back). Any exception of one input is that input's `failures` row; the part goes on."""
    from exporters.dataset import PartWriter, manifest_row, staging
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
                outcome.failures.append((path, failure(exc)))
                writer.fail(shown(path), failure(exc))
            these = counts(docs)
            outcome.documents += these.documents
            outcome.pages += these.pages
            outcome.warnings += these.warnings
            outcome.records.append(manifest_row(path, data, part, len(docs)))
    finally:
        writer.close()
    return outcome


def _dataset_lost(job: tuple[str, str, list[str]], message: str) -> Outcome:
    """A part whose job raised or whose worker died: its inputs become `failures` rows of a part written here
    (over whatever half of the part was staged), so none is in neither table."""
    from exporters.dataset import PartWriter, manifest_row, staging
    out, part, paths = job
    writer = PartWriter(staging(out), part)
    for path in paths:
        writer.fail(shown(path), message)
    writer.close()
    return Outcome(files=len(paths), failures=[(path, message) for path in paths],
                   records=[manifest_row(path, None, part, 0) for path in paths])


def cmd_dataset(args: argparse.Namespace) -> int:
    """A corpus as Parquet tables (exporters.dataset): only inputs new or changed since the last run are read;
    a run killed at any point and run again ends with the tables of a clean run."""
    import time as _time
    import uuid

    from exporters import dataset
    items = expand(args.files, args.glob)
    if any(i.path == "-" for i in items):
        raise UsageError("dataset reads files (its manifest keys them by path), not standard input")
    if not items:
        raise UsageError("no result files found in " + ", ".join(args.files))
    errors = errors_file(args)
    try:
        dataset.require()
        if args.engine == "ray":
            from exporters.dataset_ray import require
            require()
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    make_folder(args.output)
    try:
        old = dataset.read_manifest(args.output)
    except (ValueError, OSError) as exc:
        raise UsageError(f"-o {args.output}: {exc}") from None
    dataset.begin_run(args.output, old)
    paths = list(dict.fromkeys(os.path.normpath(i.path) for i in items))
    kept, todo, stale = dataset.plan(paths, old)
    dataset.ensure_tables(args.output)
    if args.engine == "ray":
        from exporters.dataset_ray import run_on_ray
        status, summary, records = run_on_ray(todo, args.output, args.address, errors)
    else:
        workers = jobs_wanted(args.jobs)
        size = max(1, min(256, -(-len(todo) // (4 * workers))))
        stamp = f"part-{_time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"  # never an earlier run's name
        jobs = [(args.output, f"{stamp}-{n:05d}", todo[k:k + size]) for n, k in enumerate(range(0, len(todo), size))]
        lost: list[str] = []  # the inputs of parts whose worker died: read again one part each, in a second pass

        def read_again(job: tuple[str, str, list[str]], why: str) -> Outcome:
            lost.extend(job[2])
            return Outcome(files=0)
        status, summary, records = run(_dataset_job, jobs, workers, "dataset", errors, crashed=read_again)
        if lost:
            again = [(args.output, f"{stamp}-alone-{n:05d}", [path]) for n, path in enumerate(lost)]
            status2, summary2, records2 = run(_dataset_job, again, workers, "dataset", errors, crashed=_dataset_lost,
                                              isolate=True)
            status, summary, records = max(status, status2), summary.plus(summary2), records + records2
    dataset.commit_run(args.output, stale, kept + records)
    print(summary.line(), file=sys.stderr)
    print(f"docnorm: {len(kept):,} input(s) unchanged since the last run, {len(todo):,} read, "
          f"{sum(len(r) for r in stale.values()):,} replaced or removed; tables in {args.output}", file=sys.stderr)
    return status


def add_parser(sub: Any) -> None:
    """`docnorm dataset` and its arguments."""
    p = add_command(sub, "dataset", EXAMPLES_DATASET,
                    "write a corpus as Parquet tables (documents, pages, blocks, cells, …)",
             "Normalize a corpus into Parquet tables, one folder per entity, joined by doc_id (README: Dataset). A "
             "re-run into the same folder reads only inputs that changed (a manifest keyed by path, size and hash) "
             "and replaces their rows.")
    add_inputs(p)
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="the dataset folder (made if missing)")
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="local processes (default), or a Ray cluster (pip install 'docnorm[ray]')")
    p.add_argument("--address", metavar="ADDR", help="with --engine ray: the cluster to join (default: a local Ray)")
    p.set_defaults(run=cmd_dataset)
