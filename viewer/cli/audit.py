"""`docnorm audit`: is each result's text under its own boxes in the PDF it was made from? (docs/audit.md)"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, NamedTuple

from exporters.corpus.runner import Crashed, UsageError, attempt, jobs_wanted, read
from normalizer import normalize_all
from normalizer.errors import shown
from normalizer.schema import Document

from .common import add_command, canonical_bytes, check_writable, make_folder, source_arg, stdin_once, write_file
from .inputs import Item, expand, outputs_under

EXAMPLES_AUDIT = [
    "docnorm audit result.json --source report.pdf",
    "docnorm audit runs/ --sources pdfs/ --json audit.json --html audit.html --csv audit.csv",
    "docnorm audit flipped.json --source report.pdf --fix-frame -o fixed/",
]


class Done(NamedTuple):
    """One input file's documents and their audits (None: that document failed, already reported)."""
    docs: list[Document]
    audits: list[Any]
    failed: bool


def _where(item: Item) -> tuple[str, str]:
    """(the folder the result was found under, its path below it): a sources tree may mirror a results tree."""
    path = os.path.abspath(item.path)
    rel = item.rel.strip("/") if item.rel != "stdin" else os.path.basename(path)
    tail = os.sep + rel.replace("/", os.sep)
    if path.endswith(tail) and "/" in rel:
        return os.path.realpath(path[:-len(tail)] or os.sep), rel
    return os.path.realpath(os.path.dirname(path)), os.path.basename(path)


def _source(item: Item, doc: Document, given: str | None, sources: tuple[str, ...]) -> str | None:
    """--source, else the document found beside the result or in a --sources folder, as the viewer finds it."""
    if given or item.path == "-":
        return given
    from exporters.pages.sources import find_source
    root, rel = _where(item)
    found = find_source(root, sources, rel, doc)
    return found.path if found else None


def _audit_file(item: Item, data: str | bytes, args: argparse.Namespace, pool: Any, sources: tuple[str, ...]) -> Done:
    """Every document of one input, audited; a document with no source or an unreadable page is reported."""
    from exporters.audit import audit
    from exporters.audit.report import summary_line
    docs = normalize_all(read(data))
    audits: list[Any] = []
    failed = False
    for n, doc in enumerate(docs, 1):
        name = shown(item.path) if len(docs) == 1 else f"{shown(item.path)}#{n}"
        source = _source(item, doc, args.source, sources)
        if source is None:
            print(f"docnorm: {name}: no source document found beside it (give --source PDF or --sources DIR)",
                  file=sys.stderr)
            audits.append(None)
            failed = True
            continue
        got = attempt(lambda d: audit(d, source, pool, name), doc)
        if isinstance(got, Crashed):
            print(f"docnorm: {name}: {got.message}", file=sys.stderr)
            audits.append(None)
            failed = True
            continue
        for page in got.pages:
            if page.status == "error":
                print(f"docnorm: {name}: page {page.page}: {page.error}", file=sys.stderr)
                failed = True
        for note in got.notes:
            if not note.startswith("frame:"):
                print(f"docnorm: {name}: note: {note}", file=sys.stderr)
        print(summary_line(got), flush=True)
        audits.append(got)
    return Done(docs, audits, failed)


def _check(args: argparse.Namespace, items: list[Item]) -> tuple[str, ...]:
    """Every mistake in the call, before any work; the --sources folders as real paths."""
    if not items:
        raise UsageError("no result files found")
    if args.source and len(items) > 1:
        raise UsageError(f"--source names one PDF for one result, and {len(items)} were given: use --sources DIR")
    source_arg(args.source, "audit", True)
    for folder in args.sources or []:
        if not os.path.isdir(folder):
            raise UsageError(f"--sources: no such folder: {folder}")
    for output in (args.json, args.html, args.csv):
        if output:
            check_writable(output)
    if args.fix_frame != bool(args.output):
        raise UsageError("--fix-frame writes the repaired results to a folder: give both --fix-frame and -o DIR")
    if args.output:
        make_folder(args.output)
    return tuple(os.path.realpath(s) for s in args.sources or [])


def cmd_audit(args: argparse.Namespace) -> int:
    from exporters.audit import fix_frame
    from exporters.audit.report import SUMMARY_HEAD
    from exporters.pages.images import PageImages
    items = expand(args.files, args.glob)
    sources = _check(args, items)
    inputs = stdin_once(items)
    pool = PageImages(workers=jobs_wanted(args.jobs), timeout=args.timeout, wait=3600.0)
    audits: list[Any] = []
    failed, used = 0, set()  # type: ignore[var-annotated]
    print(SUMMARY_HEAD)
    try:
        for item, data in zip(items, inputs):
            done = attempt(lambda job: _audit_file(job[0], job[1], args, pool, sources), (item, data))
            if isinstance(done, Crashed):  # any exception is this file's failure; the run goes on
                print(f"docnorm: {shown(item.path)}: {done.message}", file=sys.stderr)
                failed += 1
                continue
            failed += done.failed
            audits += [a for a in done.audits if a is not None]
            if args.output:
                fixed = [fix_frame(d, a) if a is not None else d for d, a in zip(done.docs, done.audits)]
                write_file(outputs_under(args.output, item.rel, ".json", used), canonical_bytes(fixed, 2))
    finally:
        pool.close()
    _write_reports(args, audits)
    return 1 if failed else 0


def _write_reports(args: argparse.Namespace, audits: list[Any]) -> None:
    from exporters.audit.report import to_csv, to_html, to_json
    if args.json:
        write_file(args.json, to_json(audits))
    if args.csv:
        write_file(args.csv, to_csv(audits).encode())
    if args.html:
        write_file(args.html, to_html(audits).encode())


def add_parser(sub: Any) -> None:
    """`docnorm audit` and its arguments."""
    p = add_command(sub, "audit", EXAMPLES_AUDIT, "check each result's text against the PDF under its boxes",
             "Audit results against the PDFs they were made from, no ground truth needed: the share of each "
             "result's text found under its own boxes (score), the coordinate frame (ok, y-flipped, scaled, "
             "shifted, wrong-pages, rotated) with the transform that repairs it and the score after it, the blocks "
             "whose text is not under their box, and the PDF text no block covers. Each source is found as the "
             "viewer finds it (the file name the result records, beside it or in a --sources folder) unless "
             "--source names it. One line per document on standard output; --json, --html, --csv for the detail.")
    p.add_argument("files", nargs="+", metavar="RESULT",
                   help="result files, folders (searched recursively), quoted glob patterns, @LIST or -")
    p.add_argument("--glob", metavar="PATTERN", help="in folders, the files to take (default: *.json and *.txt)")
    p.add_argument("--source", metavar="PDF", help="the PDF the (one) result was made from")
    p.add_argument("--sources", action="append", metavar="DIR", help="a folder of source PDFs (repeatable)")
    p.add_argument("--json", metavar="PATH", help="write every audit as JSON: {documents: [...]}")
    p.add_argument("--html", metavar="PATH", help="write a standalone HTML report")
    p.add_argument("--csv", metavar="PATH", help="write a row per document and per finding as CSV")
    p.add_argument("--fix-frame", action="store_true",
                   help="write each result with the coordinate transform its audit found applied (with -o DIR)")
    p.add_argument("-o", "--output", metavar="DIR", help="the folder --fix-frame writes the results into")
    p.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                   help="PDF reader processes, pages read at once (default 0: every core)")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S",
                   help="seconds one PDF page may take to read (default 10); a page past it is that page's error")
    p.set_defaults(run=cmd_audit)
