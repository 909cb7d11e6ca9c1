"""`docnorm diff`: two results of one document, or two folders document by document."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from exporters.corpus.runner import Crashed, UsageError, jobs_wanted, map_jobs
from normalizer.errors import failure_message, shown

from .common import add_command, check_writable, one_document, one_input, source_arg, write_file
from .inputs import corpus_files, is_pattern


EXAMPLES_DIFF = [
    "docnorm diff llamaparse.json somark.json --html report.html",
    "docnorm diff llamaparse.json somark.json --html report.html --source report.pdf",
    "docnorm diff llamaparse/ somark/ --html corpus.html --csv pairs.csv",
    "docnorm diff 'llamaparse/**/*.json' 'somark/2026-*/*.json' --json corpus.json",
]


def _is_corpus(spec: str) -> bool:
    """A folder, or a glob pattern that is not a file's own name."""
    return os.path.isdir(spec) or is_pattern(spec)


def _file_entries(job: tuple[str, str]) -> list[Any]:
    """Every document of one result file, as corpus entries (a file that does not normalize is an entry too);
    in a worker process, so the files of a corpus load on every core."""
    from exporters.diff.corpus import entries_of
    from normalizer import load
    base, rel = job
    try:
        return entries_of(rel, load(os.path.join(base, rel)))
    except Exception as exc:  # any exception is this file's failure: an entry that says why
        return entries_of(rel, None, failure_message(exc))


def _diff_pair(job: tuple[str, str, Any, Any, str | None, int]) -> Any:
    """One pair of a corpus diff, in a worker process: both documents loaded, compared, its row (and report)."""
    from exporters.diff import diff, to_diff_html
    from exporters.diff.corpus import row_of
    from normalizer import load
    folder_a, folder_b, a, b, report_dir, n = job
    doc_a = load(os.path.join(folder_a, a.path))[a.index]
    doc_b = load(os.path.join(folder_b, b.path))[b.index]
    result = diff(doc_a, doc_b)
    row = row_of(a, b, doc_a, doc_b, result)
    if report_dir is not None:
        name = f"{n:04d}.html"
        with open(os.path.join(report_dir, name), "w", encoding="utf-8") as fh:
            fh.write(to_diff_html(result, doc_a, doc_b, sources=(a.path, b.path)))
        row.report = f"{os.path.basename(report_dir)}/{name}"
    return row


def cmd_diff_folders(args: argparse.Namespace) -> int:
    """Two folders of results: pairs by source document, every pair on every core, a summary and reports."""
    from exporters.diff.corpus import entries_of, failed_row, pair_entries, summarize, to_corpus_csv, \
        to_corpus_html, to_corpus_json
    for output in (args.json, args.html, args.csv):
        if output:
            check_writable(output)
    (base_a, files_a), (base_b, files_b) = corpus_files(args.a), corpus_files(args.b)
    for spec, found in ((args.a, files_a), (args.b, files_b)):
        if not found:
            raise UsageError(f"no result files found in {spec}")
    report_dir = None
    if args.html:
        report_dir = os.path.splitext(args.html)[0] + "_pairs"
        os.makedirs(report_dir, exist_ok=True)
    workers = jobs_wanted(args.jobs)  # loading and comparing alike, on every core (the batch commands' pool)
    files = [(base_a, f) for f in files_a] + [(base_b, f) for f in files_b]
    loaded = [entries_of(rel, None, got.message) if isinstance(got, Crashed) else got
              for (_, rel), got in zip(files, map_jobs(_file_entries, files, workers))]
    entries_a = [e for entries in loaded[:len(files_a)] for e in entries]
    entries_b = [e for entries in loaded[len(files_a):] for e in entries]
    pairs, only_a, only_b = pair_entries([e for e in entries_a if e.error is None],
                                         [e for e in entries_b if e.error is None])
    rows = [failed_row(a, b, got.message) if isinstance(got, Crashed) else got for (a, b), got in
            zip(pairs, map_jobs(_diff_pair, [(base_a, base_b, a, b, report_dir, n)
                                             for n, (a, b) in enumerate(pairs, 1)], workers))]
    result = summarize(args.a, args.b, entries_a, entries_b, rows, only_a, only_b)
    for entry in result.failed:
        print(f"docnorm: {shown(entry.path)}: {entry.error}", file=sys.stderr)
    for row in rows:
        if row.note and row.note.startswith("could not compare"):
            print(f"docnorm: {shown(row.a)} / {shown(row.b)}: {row.note}", file=sys.stderr)
    for row in rows:
        if row.warning:
            print(f"docnorm: warning: {shown(row.a)} / {shown(row.b)}: {row.warning}", file=sys.stderr)
    _print_corpus_summary(result)
    if args.json:
        write_file(args.json, to_corpus_json(result) + b"\n")
    if args.csv:
        write_file(args.csv, to_corpus_csv(result).encode())
    if args.html:
        write_file(args.html, to_corpus_html(result).encode())
    failed = len(result.failed) + sum(1 for row in rows if (row.note or "").startswith("could not compare"))
    return 1 if failed else 0  # as for the batch commands: 1 when some input failed, the rest reported


def _print_corpus_summary(result: Any) -> None:
    """Both sides' counts, the mean of each score over the pairs (with what it measures) and the worst pairs."""
    from exporters.diff.corpus import SCORES
    from exporters.diff.result import MEANINGS
    print(f"{'':18} {'A':>10} {'B':>10}")
    print(f"{'documents':18} {result.a.documents:>10} {result.b.documents:>10}")
    print(f"{'failures':18} {result.a.failures:>10} {result.b.failures:>10}")
    print(f"{'pages':18} {result.a.pages:>10} {result.b.pages:>10}")
    print(f"{'only here':18} {len(result.only_a):>10} {len(result.only_b):>10}")
    print(f"{len(result.rows)} pairs; over the pairs scored:")
    for name, label, meaning in SCORES:
        scored = [getattr(r, name) for r in result.rows if getattr(r, name) is not None]
        if scored:
            print(f"  {label if label.startswith('mean') else 'mean ' + label:<22} {sum(scored) / len(scored):.4f}  "
                  f"{MEANINGS[meaning]}")
    print("worst content first:")
    for row in result.rows[:5]:
        ts = f"{row.content:.4f}" if row.content is not None else row.note or "–"
        print(f"  {ts:>8}  {row.key}" + ("  (look like different documents)" if row.warning else ""))


def cmd_diff(args: argparse.Namespace) -> int:
    if _is_corpus(args.a) and _is_corpus(args.b):
        return cmd_diff_folders(args)
    if _is_corpus(args.a) != _is_corpus(args.b):
        raise UsageError("diff compares two files, or two folders (or patterns): give two of one kind")
    from exporters.diff import diff, to_diff_html, to_diff_json
    source = source_arg(args.source, "--html", True)
    docs = []
    for output in (args.json, args.html):
        if output:
            check_writable(output)
    for path in (args.a, args.b):
        doc = one_input(path, lambda: one_document(path))
        if doc is None:
            return 1
        docs.append(doc)
    result = diff(*docs)
    s, c = result.scores, result.scores.counts
    rows = [("", "A", "B"), ("file", args.a, args.b),
            ("provider", f"{result.a.provider} ({result.a.format})", f"{result.b.provider} ({result.b.format})"),
            ("pages", result.a.pages, result.b.pages), ("blocks", c["blocks_a"], c["blocks_b"]),
            ("only here", c["only_a"], c["only_b"])]
    width = max(len(str(r[1])) for r in rows)
    for label, x, y in rows:
        print(f"{label:<18} {str(x):<{width}}  {y}")
    _print_scores(s)
    print(f"{'blocks':<18} {c['matched']} paired: {c['same']} same, {c['changed']} changed, {c['split']} split")
    grounded = None if args.no_audit else _groundings((args.a, args.b), docs, source)
    if grounded is not None:
        from exporters.audit.beside import MEANING, shown as grounding_shown
        print(f"{'grounding':<18} A {grounding_shown(grounded[0])}\n{'':<18} B {grounding_shown(grounded[1])}\n"
              f"{'':<18}   {MEANING}")
    if args.json:
        body = to_diff_json(result)
        if grounded is not None:  # the audit beside the scores: {"grounding": {"a": …, "b": …}} added to the object
            import msgspec
            body = body[:-1] + b',"grounding":' + msgspec.json.encode({"a": grounded[0], "b": grounded[1]}) + b"}"
        write_file(args.json, body + b"\n")
    if args.html:
        pages = None
        if source is not None:
            from exporters.pages.render import embedded_pages
            pages = embedded_pages(docs[0], source, compare=docs[1])
        write_file(args.html, to_diff_html(result, *docs, sources=(args.a, args.b), page_images=pages,
                                           grounding=grounded).encode())
    return 0


def _groundings(specs: tuple[str, str], docs: list[Any], source: str | None) -> tuple[Any, Any] | None:
    """Each side audited against --source (a PDF), else the PDF found beside it; None when neither has one."""
    from exporters.audit.beside import grounding, grounding_beside
    if source is not None and not source.lower().endswith(".pdf"):
        return None  # a page image has no text layer
    found = []
    for spec, doc in zip(specs, docs):
        path = spec if os.path.exists(spec) or "#" not in spec else spec.rpartition("#")[0]
        got = one_input(spec, lambda: grounding(doc, source) if source else grounding_beside(doc, path))
        found.append(got)
    return None if found == [None, None] else (found[0], found[1])


def _print_scores(s: Any) -> None:
    """The scores, one a line with what each measures; a note or a warning (different documents) on stderr
    too, where a script running many diffs sees it."""
    from exporters.diff.report import score_rows
    if s.note:
        print(s.note)
    if s.warning:
        print(f"docnorm: warning: {s.warning}", file=sys.stderr)
    for _, label, value, meaning in score_rows(s):
        print(f"{label:<18} {value}\n{'':<18}   {meaning}")


def add_parser(sub: Any) -> None:
    """`docnorm diff` and its arguments."""
    p = add_command(sub, "diff", EXAMPLES_DIFF, "compare two results of the same document",
             "Pair the blocks of two results of the same document and score their content (text matched whatever "
             "its order), segmentation, reading order and tables (TEDS, TEDS-S). "
             "A file holding several documents takes #N to pick one (from 1). Two folders are compared document by "
             "document, paired by the source file each result records (else the result's file name); so are two quoted "
             "glob patterns ('llamaparse/**/*.json').")
    p.add_argument("a", metavar="A", help="a saved result, FILE#N, a folder of results or a quoted glob pattern")
    p.add_argument("b", metavar="B", help="a saved result, FILE#N, a folder of results or a quoted glob pattern")
    p.add_argument("--html", metavar="PATH", help="write a standalone HTML report (folders: and one per pair)")
    p.add_argument("--json", metavar="PATH", help="write the scores and pairs as JSON")
    p.add_argument("--csv", metavar="PATH", help="folders: write a row of scores per pair as CSV")
    p.add_argument("-j", "--jobs", type=int, default=0, metavar="N", help="folders: pairs compared at once "
                   "(default: every core)")
    p.add_argument("--source", metavar="DOC", help="the PDF or page image both results were made from: each side "
                   "is audited against it (else against the PDF found beside it), and with --html each page pair is "
                   "embedded with its boxes coloured same / changed / only in one")
    p.add_argument("--no-audit", action="store_true", help="do not audit the two results against their source PDF")
    p.set_defaults(run=cmd_diff)
