"""`docnorm dataset`: a corpus as Parquet tables (exporters.corpus.build), on local processes or a Ray cluster."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from exporters.corpus.runner import UsageError

from .common import add_command, add_inputs, errors_file, make_folder
from .inputs import expand


EXAMPLES_DATASET = [
    "docnorm dataset bucket/ -o corpus.parquet/",
    "docnorm dataset @inputs.txt -o corpus.parquet/ -j 8",
    "docnorm dataset s3://bucket/results/ -o out/ --engine ray --address ray://head:10001",
]


def cmd_dataset(args: argparse.Namespace) -> int:
    """A corpus as Parquet tables (exporters.corpus.build): the checks of the call, then `build_dataset`."""
    from exporters.corpus import dataset
    from exporters.corpus.build import build_dataset
    items = expand(args.files, args.glob)
    if any(i.path == "-" for i in items):
        raise UsageError("dataset reads files (its manifest keys them by path), not standard input")
    if not items:
        raise UsageError("no result files found in " + ", ".join(args.files))
    errors = errors_file(args)
    try:
        dataset.require()
        if args.engine == "ray":
            from exporters.corpus.dataset_ray import require
            require()
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    make_folder(args.output)
    try:
        done = build_dataset([i.path for i in items], args.output, engine=args.engine, workers=args.jobs,
                             errors_path=errors, address=args.address)
    except (ValueError, OSError) as exc:  # a dataset of another schema version, a folder that cannot be written
        raise UsageError(f"-o {args.output}: {exc}") from None
    print(done.summary.line(), file=sys.stderr)
    print(f"docnorm: {done.unchanged:,} input(s) unchanged since the last run, {done.read:,} read, "
          f"{done.replaced:,} replaced or removed; tables in {args.output}", file=sys.stderr)
    return done.status


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
