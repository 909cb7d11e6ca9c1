"""`docnorm detect` and `docnorm normalize`: format ids, and canonical JSON written one file per input."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from exporters.corpus.runner import Outcome, UsageError, jobs_wanted, one_pool, read, run
from normalizer import detect, normalize_all
from normalizer.errors import shown

from .common import add_command, add_inputs, canonical_bytes, check_writable, counts, errors_file, formats_found, \
    goes_to_folder, make_folder, print_summary, one_input, stdin_once, write_file
from .inputs import expand, outputs_under
from .joined import joined_inputs


EXAMPLES_DETECT = [
    "docnorm detect result.json",
    "docnorm detect results/ -j 4",
]


EXAMPLES_NORMALIZE = [
    "docnorm normalize result.json --indent 2",
    "docnorm normalize a.json b.json -o canonical/",
    "docnorm normalize bucket/ -o canonical/ --errors failed.jsonl",
    "docnorm normalize @list.txt -o canonical/ -j 8      # list.txt: one path a line",
    "docnorm normalize output/ --join -o canonical/      # report_0_res.json, report_1_res.json… -> report",
]


# A job raises for its input's failure: `run` reports any exception (or a dead worker) as that input's failure.

def _detect_job(job: tuple[str | bytes, str]) -> Outcome:
    source, name = job
    found = detect(read(source))
    return Outcome(lines=[f"{shown(name)}\t{found}"], records=[found])


def cmd_detect(args: argparse.Namespace) -> int:
    items = expand(args.files, args.glob)
    if not items:
        raise UsageError("no result files found in " + ", ".join(args.files))
    names = [i.path for i in items]
    status, summary, found = run(_detect_job, list(zip(stdin_once(items), names)), jobs_wanted(args.jobs), "detect",
                                 errors_file(args))
    print_summary(summary, items, formats_found(found))
    return status


def _normalize_job(job: tuple[str | bytes, str, str, str | None, bool, int]) -> Outcome:
    """One input normalized and written to `target` (by the worker itself: only counts come back)."""
    source, name, target, fmt, strict, indent = job
    docs = normalize_all(read(source), format=fmt, strict=strict)
    write_file(target, canonical_bytes(docs, indent))
    return counts(docs)


@one_pool()  # --join reads, then writes: both passes on the same worker processes
def cmd_normalize(args: argparse.Namespace) -> int:
    items = expand(args.files, args.glob)
    errors = errors_file(args)
    if not items:
        raise UsageError("no result files found in " + ", ".join(args.files))
    sources, fmt, read_status = stdin_once(items), args.format, 0
    if args.join:  # the pages of each source joined first; the joined documents are the inputs from here on
        read_status, items, sources = joined_inputs(items, sources, fmt, args.strict, jobs_wanted(args.jobs), errors)
        fmt = None
        if not items:
            return read_status
    if not goes_to_folder(args, items):
        if args.output:
            check_writable(args.output)
        docs = one_input(items[0].path, lambda: normalize_all(read(sources[0]), format=fmt, strict=args.strict))
        if docs is None:
            return 1
        if len(docs) != 1:
            print(f"docnorm: {items[0].path}: holds {len(docs)} documents; written as a JSON array", file=sys.stderr)
        payload = canonical_bytes(docs, args.indent)
        if args.output:
            write_file(args.output, payload)
        else:
            sys.stdout.buffer.write(payload)
        return read_status
    if not args.output:
        raise UsageError("normalizing several files needs -o DIRECTORY")
    make_folder(args.output)
    used: set[str] = set()
    jobs = [(source, item.path, outputs_under(args.output, item.rel, ".docnorm.json", used), fmt, args.strict,
             args.indent) for item, source in zip(items, sources)]
    status, summary, _ = run(_normalize_job, jobs, jobs_wanted(args.jobs), "normalize", errors)
    print_summary(summary, items)
    return max(status, read_status)


def _formats_help() -> str:
    from normalizer.registry import FORMATS
    return "format ids (--format):\n" + "\n".join(f"  {f.id:<19} {f.expects}" for f in FORMATS)


def add_detect_parser(sub: Any) -> None:
    """`docnorm detect` and its arguments."""
    p = add_command(sub, "detect", EXAMPLES_DETECT, "print FILE<TAB>format id for each file",
             "Print the format id of each saved result, one 'FILE<TAB>id' line per file.", _formats_help())
    add_inputs(p)
    p.set_defaults(run=cmd_detect)


def add_normalize_parser(sub: Any) -> None:
    """`docnorm normalize` and its arguments."""
    p = add_command(sub, "normalize", EXAMPLES_NORMALIZE, "write canonical JSON",
             "Read saved results and write canonical docnorm JSON: one file to standard output or -o FILE, "
             "several (or a folder's) into -o DIRECTORY, mirroring the input tree as NAME.docnorm.json.",
             _formats_help())
    add_inputs(p)
    p.add_argument("-o", "--output", metavar="PATH", help="output file (one input) or directory (several)")
    p.add_argument("--format", metavar="ID", help="read the input as this format id instead of detecting it")
    p.add_argument("--strict", action="store_true", help="fail on anything that would need a repair")
    p.add_argument("--indent", type=int, default=0, metavar="N", help="indent the JSON by N spaces (default: compact)")
    p.add_argument("--join", action="store_true", help="join results saved one page per file (NAME_0_res.json, "
                   "NAME_1_res.json…) into one document per source: by file_name, else the name without its _N suffix")
    p.set_defaults(run=cmd_normalize)
