"""The `docnorm` command line (DESIGN.md, "Command line")."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Iterable

import msgspec

from normalizer import detect, normalize_all
from normalizer.schema import Document, encode, json_schema

from .batch import Crashed, Item, Outcome, Unreadable, UsageError, corpus_files, expand, failure, is_pattern, \
    jobs_wanted, map_jobs, outputs_under, read, run, shown
from exporters.formats import EXPORTS, ExportSettings



def _fail(name: str, error: BaseException) -> None:
    """One line on stderr: `docnorm: FILE: $.path: message`, or `docnorm: FILE: message` for the whole file."""
    print(f"docnorm: {shown(name)}: {failure(error)}", file=sys.stderr)


def _canonical_bytes(docs: list[Document], indent: int = 0) -> bytes:
    payload = encode(docs[0]) if len(docs) == 1 else b"[" + b",".join(encode(d) for d in docs) + b"]"
    return (msgspec.json.format(payload, indent=indent) if indent else payload) + b"\n"


def _stdin_once(items: list[Item]) -> list[str | bytes]:
    """Each item's input for a job: its path, or for `-` the bytes of standard input (read here, once)."""
    if sum(1 for i in items if i.path == "-") > 1:
        raise UsageError("'-' (standard input) can be given once")
    return [sys.stdin.buffer.read() if i.path == "-" else i.path for i in items]


def _counts(docs: list[Document], **more: Any) -> Outcome:
    return Outcome(documents=len(docs), pages=sum(len(d.pages) for d in docs),
                   warnings=sum(len(d.warnings) for d in docs), **more)


# A job raises for its input's failure: `run` reports any exception (or a dead worker) as that input's failure.

def _detect_job(job: tuple[str | bytes, str]) -> Outcome:
    source, name = job
    return Outcome(lines=[f"{shown(name)}\t{detect(read(source))}"])


def cmd_detect(args: argparse.Namespace) -> int:
    items = expand(args.files, args.glob)
    if not items:
        raise UsageError("no result files found in " + ", ".join(args.files))
    names = [i.path for i in items]
    status, summary, _ = run(_detect_job, list(zip(_stdin_once(items), names)), jobs_wanted(args.jobs), "detect",
                             _errors_file(args))
    _summarize(summary, items)
    return status


def _normalize_job(job: tuple[str | bytes, str, str, str | None, bool, int]) -> Outcome:
    """One input normalized and written to `target` (by the worker itself: only counts come back)."""
    source, name, target, fmt, strict, indent = job
    docs = normalize_all(read(source), format=fmt, strict=strict)
    _write(target, _canonical_bytes(docs, indent))
    return _counts(docs)


def _batch(args: argparse.Namespace, items: list[Item]) -> bool:
    """Whether the inputs go to a folder (several files, or any found in a folder, pattern or list) rather than
    one file or standard output."""
    return len(items) != 1 or not items[0].named or bool(args.output and os.path.isdir(args.output))


def _errors_file(args: argparse.Namespace) -> str | None:
    """--errors PATH, checked and emptied before any work (each pass of the run appends its failures)."""
    if args.errors:
        _writable(args.errors)
        _write(args.errors, b"")
    return args.errors


def _summarize(summary: Any, items: list[Item]) -> None:
    if len(items) > 1:
        print(summary.line(), file=sys.stderr)


def cmd_normalize(args: argparse.Namespace) -> int:
    items = expand(args.files, args.glob)
    errors = _errors_file(args)
    if not items:
        raise UsageError("no result files found in " + ", ".join(args.files))
    if not _batch(args, items):
        if args.output:
            _writable(args.output)
        try:
            docs = normalize_all(read(_stdin_once(items)[0]), format=args.format, strict=args.strict)
        except Exception as exc:  # any exception is this file's failure (normalizer.failure_message)
            _fail(items[0].path, exc)
            return 1
        if len(docs) != 1:
            print(f"docnorm: {items[0].path}: holds {len(docs)} documents; written as a JSON array", file=sys.stderr)
        payload = _canonical_bytes(docs, args.indent)
        if args.output:
            _write(args.output, payload)
        else:
            sys.stdout.buffer.write(payload)
        return 0
    if not args.output:
        raise UsageError("normalizing several files needs -o DIRECTORY")
    _folder(args.output)
    used: set[str] = set()
    jobs = [(source, item.path, outputs_under(args.output, item.rel, ".docnorm.json", used), args.format, args.strict,
             args.indent) for item, source in zip(items, _stdin_once(items))]
    status, summary, _ = run(_normalize_job, jobs, jobs_wanted(args.jobs), "normalize", errors)
    _summarize(summary, items)
    return status


def _folder(path: str) -> None:
    """-o for several outputs: a folder (made when missing), never an existing file."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise UsageError(f"-o {path}: several outputs need a folder, and this is a file")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"-o {path}: cannot make the folder: {exc.strerror or exc}") from None


def _writable(path: str) -> None:
    """-o for one output: a file in a folder that exists (checked before any work is done)."""
    if os.path.isdir(path):
        raise UsageError(f"-o {path}: this is a folder; give a file name")
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise UsageError(f"-o {path}: no such folder: {os.path.dirname(path)}")


def _stem(path: str) -> str:
    name = os.path.basename(path)
    return name.rsplit(".", 1)[0] if "." in name else name


def _write(path: str, payload: bytes) -> None:
    try:
        with open(path, "wb") as fh:
            fh.write(payload)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


# Formats that have nothing to write for a document without content (a failed or pending job).
_CONTENT_ONLY = ("md", "text", "chunks", "tables-html", "tables-csv", "docling", "elements", "langchain-jsonl", "xlsx")


def _bytes(output: str | bytes) -> bytes:
    return output if isinstance(output, bytes) else output.encode()


def _source_arg(path: str | None, needs: str, applies: bool) -> str | None:
    """A --source document, checked before any work: a readable PDF or page image, for an output that uses it."""
    if path is None:
        return None
    from exporters.page_images import SOURCE_SUFFIXES
    if not applies:
        raise UsageError(f"--source is for {needs}: the page images are embedded in the HTML")
    if not os.path.isfile(path):
        raise UsageError(f"--source: no such file: {path}")
    if not path.lower().endswith(SOURCE_SUFFIXES):
        raise UsageError(f"--source: expected a PDF or page image ({', '.join(SOURCE_SUFFIXES)}), found {path}")
    return path


def _rendered(docs: list[Document], to: str, settings: ExportSettings) -> list[str | bytes]:
    """Every output of an export of `docs`; a job without content, for a content-only format, is an Unreadable
    naming its status."""
    empty = [d for d in docs if not d.blocks and d.job.status != "succeeded"]
    if to in _CONTENT_ONLY and docs and len(empty) == len(docs):
        job = empty[0].job
        raise Unreadable(f"the job is {job.status}{': ' + job.error if job.error else ''}; it has no content to "
                         f"export as {to} (--to html or json show its status)")
    outputs: list[str | bytes] = []
    for doc in docs:
        out = EXPORTS[to][2](doc, settings)
        outputs += out if isinstance(out, list) else [out]
    return outputs


def _export_job(job: tuple[str | bytes, str, str, str, ExportSettings]) -> Outcome:
    """One input exported beside its mirrored place: `BASE.md`, or `BASE-1.csv`, `BASE-2.csv`… for several."""
    source, name, base, to, settings = job
    suffix = EXPORTS[to][0]
    docs = normalize_all(read(source))
    outputs = _rendered(docs, to, settings)
    many = to.startswith("tables-") or len(outputs) > 1
    for n, text in enumerate(outputs, 1):
        _write(f"{base}-{n}{suffix}" if many else base + suffix, _bytes(text))
    return _counts(docs)


def cmd_export(args: argparse.Namespace) -> int:
    items = expand(args.files, args.glob)
    errors = _errors_file(args)
    settings = ExportSettings(span_policy=args.span_policy, raw_csv=args.raw_csv, remote_images=args.remote_images,
                              source=_source_arg(args.source, "--to html", args.to == "html"), bom=args.bom,
                              unit=args.unit)
    if not items:
        raise UsageError("no result files found in " + ", ".join(args.files))
    if _batch(args, items):
        if not args.output:
            raise UsageError("exporting several files needs -o DIRECTORY")
        _folder(args.output)
        used: set[str] = set()
        jobs = [(source, item.path, outputs_under(args.output, item.rel, "", used), args.to, settings)
                for item, source in zip(items, _stdin_once(items))]
        status, summary, _ = run(_export_job, jobs, jobs_wanted(args.jobs), "export", errors)
        _summarize(summary, items)
        return status
    name = items[0].path
    if args.output and not args.to.startswith("tables-") and not os.path.isdir(args.output):
        _writable(args.output)
    try:
        docs = normalize_all(read(_stdin_once(items)[0]))
        outputs = _rendered(docs, args.to, settings)
    except UsageError:
        raise
    except Exception as exc:  # any exception is this file's failure (normalizer.failure_message)
        _fail(name, exc)
        return 1
    suffix = EXPORTS[args.to][0]
    if args.to.startswith("tables-") or len(outputs) > 1:
        return _write_many(outputs, args, name, suffix, len(docs))
    payload = outputs[0] if outputs else ""
    if args.output:
        _write(args.output, _bytes(payload))
    elif isinstance(payload, bytes):
        if args.to == "xlsx" and sys.stdout.isatty():
            raise UsageError("--to xlsx writes a workbook: give -o FILE.xlsx")
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(payload)
    return 0


def _write_many(outputs: list[str | bytes], args: argparse.Namespace, name: str, suffix: str, n_docs: int) -> int:
    """Several outputs (one per table, or per document): numbered files in -o DIRECTORY, or stdout for one."""
    if len(outputs) == 1 and not args.output and isinstance(outputs[0], str):
        sys.stdout.write(outputs[0])
        return 0
    if not args.output:
        what = f"holds {n_docs} documents" if n_docs > 1 else f"has {len(outputs)} tables"
        raise UsageError(f"{name} {what}: give -o DIRECTORY for one file each")
    _folder(args.output)
    stem = _stem(name)
    for i, text in enumerate(outputs, 1):
        _write(os.path.join(args.output, f"{stem}-{i}{suffix}"), _bytes(text))
    if not outputs:
        print(f"docnorm: {name}: no tables to export", file=sys.stderr)
    return 0


def _one(spec: str) -> Document:
    """The document `spec` names: a file holding one, or `FILE#N` for the N-th (from 1) of a file holding several."""
    path, pick = spec, ""
    head, _, tail = spec.rpartition("#")
    if head and tail.isascii() and tail.isdigit() and not os.path.exists(spec):
        path, pick = head, tail
    docs = normalize_all(read(path))
    if pick:
        n = int(pick)
        if not 1 <= n <= len(docs):
            raise UsageError(f"{path} holds {len(docs)} document(s); there is no #{n}")
        return docs[n - 1]
    if len(docs) != 1:
        raise UsageError(f"{path} holds {len(docs)} documents; pick one with {path}#1 … {path}#{len(docs)}")
    return docs[0]


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
            counts = _counts(docs)
            outcome.documents += counts.documents
            outcome.pages += counts.pages
            outcome.warnings += counts.warnings
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
    errors = _errors_file(args)
    try:
        dataset.require()
        if args.engine == "ray":
            from exporters.dataset_ray import require
            require()
    except ImportError as exc:
        raise UsageError(str(exc)) from None
    _folder(args.output)
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
        return entries_of(rel, None, failure(exc))


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
            _writable(output)
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
    scored = [r.text_similarity for r in result.rows if r.text_similarity is not None]
    print(f"{'':18} {'A':>10} {'B':>10}")
    print(f"{'documents':18} {result.a.documents:>10} {result.b.documents:>10}")
    print(f"{'failures':18} {result.a.failures:>10} {result.b.failures:>10}")
    print(f"{'pages':18} {result.a.pages:>10} {result.b.pages:>10}")
    print(f"{'only here':18} {len(only_a):>10} {len(only_b):>10}")
    print(f"{len(rows)} pairs; mean text similarity {sum(scored) / len(scored):.4f}" if scored else f"{len(rows)} pairs")
    for row in result.rows[:5]:
        ts = f"{row.text_similarity:.4f}" if row.text_similarity is not None else row.note or "–"
        print(f"  {ts:>8}  {row.key}")
    if args.json:
        _write(args.json, to_corpus_json(result) + b"\n")
    if args.csv:
        _write(args.csv, to_corpus_csv(result).encode())
    if args.html:
        _write(args.html, to_corpus_html(result).encode())
    failed = len(result.failed) + sum(1 for row in rows if (row.note or "").startswith("could not compare"))
    return 1 if failed else 0  # as for the batch commands: 1 when some input failed, the rest reported


def cmd_diff(args: argparse.Namespace) -> int:
    if _is_corpus(args.a) and _is_corpus(args.b):
        return cmd_diff_folders(args)
    if _is_corpus(args.a) != _is_corpus(args.b):
        raise UsageError("diff compares two files, or two folders (or patterns): give two of one kind")
    from exporters.diff import diff, to_diff_html, to_diff_json
    source = _source_arg(args.source, "--html", bool(args.html))
    docs = []
    for output in (args.json, args.html):
        if output:
            _writable(output)
    for path in (args.a, args.b):
        try:
            docs.append(_one(path))
        except UsageError:
            raise
        except Exception as exc:  # any exception is this file's failure (normalizer.failure_message)
            _fail(path, exc)
            return 1
    result = diff(*docs)
    s, c = result.scores, result.scores.counts
    rows = [("", "A", "B"), ("file", args.a, args.b),
            ("provider", f"{result.a.provider} ({result.a.format})", f"{result.b.provider} ({result.b.format})"),
            ("pages", result.a.pages, result.b.pages), ("blocks", c["blocks_a"], c["blocks_b"]),
            ("only here", c["only_a"], c["only_b"])]
    width = max(len(str(r[1])) for r in rows)
    for label, x, y in rows:
        print(f"{label:<18} {str(x):<{width}}  {y}")
    if s.note:
        print(s.note)
    else:
        print(f"{'text similarity':<18} {s.text_similarity:.4f}")
        print(f"{'reading order':<18} {s.reading_order:.4f}")
    print(f"{'table TEDS':<18} " + (f"{s.teds:.4f} ({s.tables_compared} table pairs)" if s.teds is not None
                                     else "no tables paired"))
    print(f"{'blocks':<18} {c['matched']} paired: {c['same']} same, {c['changed']} changed, {c['split']} split")
    if args.json:
        _write(args.json, to_diff_json(result) + b"\n")
    if args.html:
        pages = None
        if source is not None:
            from exporters.render import embedded_pages
            pages = embedded_pages(docs[0], source, compare=docs[1])
        _write(args.html, to_diff_html(result, *docs, sources=(args.a, args.b), page_images=pages).encode())
    return 0


def _page_numbers(spec: str | None, doc: Document) -> list[int]:
    """`--pages 1-3,7` as the document's page numbers it names (all of them without it)."""
    numbers = [p.number for p in doc.pages]
    if not spec:
        return numbers
    wanted: set[int] = set()
    for part in spec.split(","):
        first, _, last = part.strip().partition("-")
        if not (first.isdigit() and (not last or last.isdigit())) or len(part) > 20:
            raise UsageError(f"--pages: expected page numbers and ranges such as 1-3,7, found {part.strip()!r}")
        lo, hi = int(first), int(last or first)
        if hi < lo:
            raise UsageError(f"--pages: the range {part.strip()} runs backwards")
        wanted.update(n for n in numbers if lo <= n <= hi)
    if not wanted:
        raise UsageError(f"--pages {spec}: the document has none of these pages (it has {len(numbers)})")
    return sorted(wanted)


def cmd_render(args: argparse.Namespace) -> int:
    """Each page as a PNG: its boxes over the source page (given, or found beside the result as the viewer finds
    it), or over a blank page."""
    from exporters.render import render_pages
    docs = []
    for path in (args.file, args.compare):
        try:
            docs.append(_one(path) if path else None)
        except UsageError:
            raise
        except Exception as exc:  # any exception is this file's failure (normalizer.failure_message)
            _fail(path, exc)
            return 1
    doc, other = docs
    source = _source_arg(args.source, "render", True) or _found_source(args.file, doc)
    numbers = _page_numbers(args.pages, doc)
    _folder(args.output)
    stem = _stem(args.file.rsplit("#", 1)[0] if not os.path.exists(args.file) else args.file)
    print(f"docnorm: {args.file}: drawing {len(numbers)} page(s) over "
          f"{source or 'blank pages (no source document found; give --source)'}", file=sys.stderr)
    if other is not None:
        theirs = {p.number for p in other.pages}
        for n in [n for n in numbers if n not in theirs]:
            print(f"docnorm: {args.compare}: has no page {n}; page {n} skipped", file=sys.stderr)
        numbers = [n for n in numbers if n in theirs]
    from tqdm import tqdm
    failed = 0
    with tqdm(total=len(numbers), desc="render", unit="page", file=sys.stderr, leave=False, disable=None) as bar:
        while numbers:  # a page that fails is reported and the rest are drawn (the generator starts again after it)
            done = 0
            try:
                for n, png in render_pages(doc, numbers, source, width=args.width, numbers=args.numbers,
                                           labels=args.labels, compare=other):
                    _write(os.path.join(args.output, f"{stem}-p{n}.png"), png)
                    done += 1
                    bar.update()
            except UsageError:
                raise
            except Exception as exc:  # any exception is this page's failure
                failed += 1
                bar.write(f"docnorm: {args.file}: page {numbers[done]}: {failure(exc)}", file=sys.stderr)
                done += 1
                bar.update()
            numbers = numbers[done:]
    return 1 if failed else 0


def _found_source(spec: str, doc: Document) -> str | None:
    """The source the viewer would show: by the recorded file name or the result's name, beside the result."""
    from .sources import find_source
    path = spec if os.path.exists(spec) else spec.rsplit("#", 1)[0]
    if path == "-":
        return None
    folder = os.path.realpath(os.path.dirname(os.path.abspath(path)))
    found = find_source(folder, (), os.path.basename(path), doc)
    return found.path if found else None


SERVER_THREADS = 8  # requests served at once; the rest wait in waitress's queue, not in threads of their own


def cmd_serve(args: argparse.Namespace) -> int:
    """The viewer behind waitress (a production WSGI server, pure Python): a bounded thread pool, idle
    connections closed, no server or Python version in the headers. A file is served with its folder and
    opened at once."""
    target = args.dir
    if os.path.isfile(target):
        root, first = os.path.dirname(os.path.abspath(target)), os.path.basename(target)
    elif os.path.isdir(target):
        root, first = target, ""
    else:
        raise UsageError(f"no such folder or file: {target}")
    for folder in args.sources:
        if not os.path.isdir(folder):
            raise UsageError(f"--sources: no such folder: {folder}")
    from .app import create_app  # Flask is only imported when serving
    app = create_app(root, hosts=(args.host,), sources=tuple(args.sources))
    import threading  # the page renderers start beside the server: a first page image need not wait for them
    threading.Thread(target=app.extensions["docnorm.pages"].warm, daemon=True).start()
    try:
        server = make_server(app, args.host, args.port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    from urllib.parse import quote
    url = f"http://{_url_host(args.host)}:{server.effective_port}/" + (f"view?f={quote(first)}" if first else "")
    print(f"docnorm: serving {os.path.abspath(root)} at {url} (Ctrl+C to stop)", file=sys.stderr)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    return 0


def make_server(app: Any, host: str, port: int) -> Any:
    """waitress over `app`: SERVER_THREADS workers; idle connections (up to 500, each a socket in the event
    loop, not a thread) are closed after 30 s; no Server header."""
    from waitress import create_server
    return create_server(app, host=host, port=port, threads=SERVER_THREADS, ident="", channel_timeout=30,
                         connection_limit=500, clear_untrusted_proxy_headers=True)


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def cmd_schema(args: argparse.Namespace) -> int:
    import orjson
    sys.stdout.buffer.write(orjson.dumps(json_schema(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
    return 0


def _formats_help() -> str:
    from normalizer.registry import FORMATS
    return "format ids (--format):\n" + "\n".join(f"  {f.id:<19} {f.expects}" for f in FORMATS)


def _exports_help() -> str:
    return "targets (--to):\n" + "\n".join(f"  {name:<12} {EXPORT_HELP[name]}" for name in EXPORTS)


EXPORT_HELP = {
    "md": "Markdown (CommonMark + GFM tables; spanned tables as HTML unless --span-policy)",
    "html": "one standalone HTML page, a section per page",
    "text": "plain text in reading order, pages separated by form feeds",
    "chunks": "JSON lines: the provider's chunks, or heading-aware chunks from the blocks",
    "json": "canonical docnorm JSON",
    "tables-html": "one HTML file per logical table (-o DIRECTORY)",
    "tables-csv": "one CSV file per logical table (-o DIRECTORY)",
    "docling": "DoclingDocument JSON (docling-core's schema)",
    "elements": "unstructured's elements JSON",
    "langchain-jsonl": "JSON lines {id, page_content, metadata}: LangChain Documents (--unit chunk|page|block)",
    "xlsx": "an Excel workbook: a sheet per logical table, merged cells for spans (pip install openpyxl)",
}

EXAMPLES = {
    "detect": ["docnorm detect result.json", "docnorm detect results/ -j 4"],
    "normalize": ["docnorm normalize result.json --indent 2", "docnorm normalize a.json b.json -o canonical/",
                  "docnorm normalize bucket/ -o canonical/ --errors failed.jsonl",
                  "docnorm normalize @list.txt -o canonical/ -j 8      # list.txt: one path a line"],
    "export": ["docnorm export result.json --to md -o result.md", "docnorm export result.json --to tables-csv -o tables/",
               "docnorm export results/ --to md -o markdown/ --glob '*_v2.json'",
               "docnorm export result.json --to html --source report.pdf -o report.html"],
    "diff": ["docnorm diff llamaparse.json somark.json --html report.html",
             "docnorm diff llamaparse.json somark.json --html report.html --source report.pdf",
             "docnorm diff llamaparse/ somark/ --html corpus.html --csv pairs.csv",
             "docnorm diff 'llamaparse/**/*.json' 'somark/2026-*/*.json' --json corpus.json"],
    "dataset": ["docnorm dataset bucket/ -o corpus.parquet/", "docnorm dataset @inputs.txt -o corpus.parquet/ -j 8",
                "docnorm dataset s3://bucket/results/ -o out/ --engine ray --address ray://head:10001"],
    "render": ["docnorm render result.json --source report.pdf --pages 1-3 -o pages/ --numbers",
               "docnorm render llamaparse.json --compare somark.json --source report.pdf -o compare/"],
    "serve": ["docnorm serve results/", "docnorm serve results/report.json --port 8080",
              "docnorm serve results/ --sources ~/scans --sources ~/pdfs"],
    "schema": ["docnorm schema > docnorm.schema.json", "docnorm schema | python -m json.tool"],
}


def _add(sub: Any, name: str, summary: str, description: str, epilog: str = "") -> argparse.ArgumentParser:
    examples = "examples:\n" + "\n".join(f"  {line}" for line in EXAMPLES[name])
    return sub.add_parser(name, help=summary, description=description,
                          epilog=(epilog + "\n\n" if epilog else "") + examples,
                          formatter_class=argparse.RawDescriptionHelpFormatter)


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("docnorm")
    except Exception:  # not installed as a distribution (run from a checkout)
        return "0.1.0"


def _inputs(p: argparse.ArgumentParser) -> None:
    """The arguments every corpus command takes: what to read, on how many cores, where failures go."""
    p.add_argument("files", nargs="+", metavar="INPUT",
                   help="result files, folders (searched recursively), quoted glob patterns ('runs/**/*.json'), "
                        "@LIST (a file of paths, one a line; @- reads it from standard input) or - (a result on "
                        "standard input)")
    p.add_argument("--glob", metavar="PATTERN", help="in folders, the files to take (default: *.json and *.txt)")
    p.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                   help="processes (default 0: every core); the files written are the same for any N")
    p.add_argument("--errors", metavar="PATH", help="write each failure as a JSON line {file, error}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="docnorm", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Normalize, export, view and compare the JSON that document-parsing services return "
                    "(LlamaCloud/LlamaParse, SoMark, Baidu, LLMWhisperer, RAGFlow).",
        epilog="Run 'docnorm COMMAND --help' for a command's options and examples.")
    parser.add_argument("--version", action="version", version=f"docnorm {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = _add(sub, "detect", "print FILE<TAB>format id for each file",
             "Print the format id of each saved result, one 'FILE<TAB>id' line per file.", _formats_help())
    _inputs(p)
    p.set_defaults(run=cmd_detect)
    p = _add(sub, "normalize", "write canonical JSON",
             "Read saved results and write canonical docnorm JSON: one file to standard output or -o FILE, "
             "several (or a folder's) into -o DIRECTORY, mirroring the input tree as NAME.docnorm.json.",
             _formats_help())
    _inputs(p)
    p.add_argument("-o", "--output", metavar="PATH", help="output file (one input) or directory (several)")
    p.add_argument("--format", metavar="ID", help="read the input as this format id instead of detecting it")
    p.add_argument("--strict", action="store_true", help="fail on anything that would need a repair")
    p.add_argument("--indent", type=int, default=0, metavar="N", help="indent the JSON by N spaces (default: compact)")
    p.set_defaults(run=cmd_normalize)
    p = _add(sub, "export", "render as Markdown, HTML, text, chunks, JSON or tables",
             "Render saved results in another format: one file to standard output or -o FILE, several (or a "
             "folder's) into -o DIRECTORY, mirroring the input tree.", _exports_help())
    _inputs(p)
    p.add_argument("--to", required=True, choices=list(EXPORTS), metavar="TARGET", help="one of the targets below")
    p.add_argument("-o", "--output", metavar="PATH", help="output file, or directory when there are several")
    p.add_argument("--span-policy", choices=["html", "repeat", "anchor"], default="html",
                   help="tables with merged cells: html (lossless, default), repeat the text, or anchor it top-left")
    p.add_argument("--raw-csv", action="store_true",
                   help="write CSV cells as they are (by default a cell a spreadsheet would run as a formula gets a leading ')")
    p.add_argument("--remote-images", action="store_true",
                   help="HTML: show images from other hosts (by default a link: opening the page fetches nothing)")
    p.add_argument("--source", metavar="DOC", help="HTML: the PDF or page image the result was made from; each "
                   "page is embedded beside its content with the boxes drawn over it")
    p.add_argument("--bom", action="store_true", help="CSV: start with a UTF-8 byte order mark (Excel then reads "
                   "the file as UTF-8)")
    p.add_argument("--unit", choices=["chunk", "page", "block"], default="chunk",
                   help="langchain-jsonl: one record per chunk (default), page or block")
    p.set_defaults(run=cmd_export)
    p = _add(sub, "diff", "compare two results of the same document",
             "Pair the blocks of two results of the same document and score text, tables and reading order. "
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
    p.add_argument("--source", metavar="DOC", help="with --html: the PDF or page image both results were made "
                   "from; each page pair is embedded with its boxes coloured same / changed / only in one")
    p.set_defaults(run=cmd_diff)
    p = _add(sub, "dataset", "write a corpus as Parquet tables (documents, pages, blocks, cells, …)",
             "Normalize a corpus into Parquet tables, one folder per entity, joined by doc_id (README: Dataset). A "
             "re-run into the same folder reads only inputs that changed (a manifest keyed by path, size and hash) "
             "and replaces their rows.")
    _inputs(p)
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="the dataset folder (made if missing)")
    p.add_argument("--engine", choices=["local", "ray"], default="local",
                   help="local processes (default), or a Ray cluster (pip install 'docnorm[ray]')")
    p.add_argument("--address", metavar="ADDR", help="with --engine ray: the cluster to join (default: a local Ray)")
    p.set_defaults(run=cmd_dataset)
    p = _add(sub, "render", "draw each page's boxes over the real page, as PNG",
             "Draw the boxes of a result over its source document's pages (or blank pages when there is none), one "
             "PNG per page, coloured by kind; with --compare, two results side by side, coloured same / changed / "
             "only in one. Without --source, the source is looked for beside the result as the viewer does.")
    p.add_argument("file", metavar="FILE", help="a saved result (FILE#N picks the N-th document of several)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="the folder to write FILE-pN.png into")
    p.add_argument("--source", metavar="DOC", help="the PDF or page image the result was made from")
    p.add_argument("--pages", metavar="LIST", help="the pages to draw, e.g. 1-3,7 (default: all)")
    p.add_argument("--compare", metavar="B", help="a second result of the same document, drawn beside")
    p.add_argument("--numbers", action="store_true", help="number the blocks in reading order")
    p.add_argument("--labels", action="store_true", help="write each block's kind at its box")
    p.add_argument("--width", type=int, default=1200, metavar="PX", help="page width in pixels (default 1200)")
    p.set_defaults(run=cmd_render)
    p = _add(sub, "serve", "browse saved results in a web browser",
             "Serve a folder of saved results (or one file, opened at once) in the viewer.")
    p.add_argument("dir", metavar="DIR", help="a folder of saved results, or one result file")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--sources", action="append", default=[], metavar="DIR",
                   help="a folder of source documents (PDF or page images) to show under the boxes; may be "
                        "repeated (a result's own folder is always searched)")
    p.set_defaults(run=cmd_serve)
    p = _add(sub, "schema", "print the JSON Schema of the canonical document",
             "Print the JSON Schema (2020-12) of canonical docnorm JSON.")
    p.set_defaults(run=cmd_schema)
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.command is None:  # `docnorm` alone: the whole help
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except UsageError as exc:
        print(f"docnorm: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
