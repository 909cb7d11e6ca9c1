"""`docnorm export`: every export target, one output (or one per table) per input."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

import msgspec

from exporters.corpus.runner import Crashed, Outcome, Unreadable, UsageError, input_failed, jobs_wanted, map_jobs, \
    one_pool, read, run, tally
from exporters.formats import EXPORTS, ExportSettings, OptionError, option_fields, options_for
from exporters.named_files import NamedFile, unique_name
from normalizer import normalize_all
from normalizer.schema import Document

from .common import add_command, add_inputs, as_bytes, check_writable, counts, errors_file, goes_to_folder, \
    make_folder, print_summary, one_input, source_arg, stdin_once, stem_of, write_file
from .inputs import expand, outputs_under
from .joined import joined_inputs


EXAMPLES_EXPORT = [
    "docnorm export result.json --to md -o result.md",
    "docnorm export result.json --to tables-csv -o tables/",
    "docnorm export results/ --to md -o markdown/ --glob '*_v2.json'",
    "docnorm export result.json --to html --source report.pdf -o report.html",
    "docnorm export results/ --to omnidocbench-md -o predictions/",
]


def no_content(docs: list[Document], to: str) -> str | None:
    """Why `docs` have nothing to export as `to` (jobs pending or failed, for a format that holds only content),
    or None. A corpus export skips such an input; a single file so exported is an error.

    >>> from normalizer.schema import Document, Job
    >>> no_content([Document(provider="somark", format="somark", job=Job(status="queued"))], "md")
    'the job is queued; it has no content to export as md (--to html or json show its status)'
    """
    empty = [d for d in docs if not d.blocks and d.job.status != "succeeded"]
    if not (EXPORTS[to].content_only and docs and len(empty) == len(docs)):
        return None
    job = empty[0].job
    return (f"the job is {job.status}{': ' + job.error if job.error else ''}; it has no content to export as {to} "
            f"(--to html or json show its status)")


def _rendered(docs: list[Document], to: str, settings: ExportSettings) -> list[str | bytes]:
    """Every output of an export of `docs`; a job without content, for a content-only format, is an Unreadable
    naming its status."""
    why = no_content(docs, to)
    if why is not None:
        raise Unreadable(why)
    outputs: list[str | bytes] = []
    for doc in docs:
        out = EXPORTS[to].write(doc, settings)
        outputs += out if isinstance(out, list) else [out]
    return outputs


def _read_and_render(data: bytes, to: str, settings: ExportSettings) -> tuple[list[Document], list[str | bytes]]:
    docs = normalize_all(data)
    return docs, _rendered(docs, to, settings)


def _export_job(job: tuple[str | bytes, str, str, str, ExportSettings]) -> Outcome:
    """One input exported beside its mirrored place: `BASE.md`, or `BASE-1.csv`, `BASE-2.csv`… for several."""
    source, name, base, to, settings = job
    suffix = EXPORTS[to].suffix
    docs = normalize_all(read(source))
    why = no_content(docs, to)
    if why is not None:
        return counts(docs, skipped=[(name, why)])
    outputs = _rendered(docs, to, settings)
    if EXPORTS[to].named:  # written by the parent in input order (`_run_named`): two inputs may name one file
        return counts(docs, records=[(name, os.path.dirname(base), outputs)])
    many = EXPORTS[to].per_table or len(outputs) > 1
    for n, text in enumerate(outputs, 1):
        write_file(f"{base}-{n}{suffix}" if many else base + suffix, as_bytes(text))
    return counts(docs)


@one_pool()  # --join reads, then writes: both passes on the same worker processes
def cmd_export(args: argparse.Namespace) -> int:
    items = expand(args.files, args.glob)
    errors = errors_file(args)
    settings = _settings(args)
    if not items:
        raise UsageError("no result files found in " + ", ".join(args.files))
    sources, read_status = stdin_once(items), 0
    if args.join:  # the pages of each source joined first (viewer/cli/joined.py); then one input per source
        read_status, items, sources = joined_inputs(items, sources, None, False, jobs_wanted(args.jobs), errors)
        if not items:
            return read_status
    if goes_to_folder(args, items):
        if not args.output:
            raise UsageError("exporting several files needs -o DIRECTORY")
        _folder_not_file(args.output, EXPORTS[args.to].suffix, f"{len(items)} inputs, one output each")
        make_folder(args.output)
        used: set[str] = set()
        jobs = [(source, item.path, outputs_under(args.output, item.rel, "", used), args.to,
                 msgspec.structs.replace(settings, source_name=None if item.path == "-" else item.rel,
                                         images_dir=_images_dir(args.to, item.path)))
                for item, source in zip(items, sources)]
        if EXPORTS[args.to].named:
            status, summary = _run_named(jobs, jobs_wanted(args.jobs), errors)
        else:
            status, summary, _ = run(_export_job, jobs, jobs_wanted(args.jobs), "export", errors)
        print_summary(summary, items)
        return max(status, read_status)
    name = items[0].path
    target = EXPORTS[args.to]
    settings = msgspec.structs.replace(settings, images_dir=_images_dir(args.to, name))
    if target.named:
        settings = msgspec.structs.replace(settings, source_name=None if name == "-" else name)
        if args.output:
            make_folder(args.output)
    elif args.output and target.per_table:
        _folder_not_file(args.output, target.suffix, f"--to {args.to} writes one file per table")
    elif args.output and not os.path.isdir(args.output):
        check_writable(args.output)
    got = one_input(name, lambda: _read_and_render(read(sources[0]), args.to, settings))
    if got is None:
        return 1
    docs, outputs = got
    suffix = target.suffix
    if target.named:
        return _write_named_here(outputs, args, name) or read_status
    if target.per_table or len(outputs) > 1:
        return _write_many(outputs, args, name, suffix, len(docs)) or read_status
    payload = outputs[0] if outputs else ""
    if args.output:
        write_file(args.output, as_bytes(payload))
    elif isinstance(payload, bytes):
        if args.to == "xlsx" and sys.stdout.isatty():
            raise UsageError("--to xlsx writes a workbook: give -o FILE.xlsx")
        sys.stdout.buffer.write(payload)
        sys.stdout.buffer.flush()
    else:
        sys.stdout.write(payload)
    return read_status


def _images_dir(to: str, path: str) -> str | None:
    """Where an HTML export finds the figure images a result names (beside it), to embed them: a report written
    elsewhere, or sent alone, still shows them."""
    return os.path.dirname(os.path.abspath(path)) if to == "html" and path != "-" else None


def _write_many(outputs: list[str | bytes], args: argparse.Namespace, name: str, suffix: str, n_docs: int) -> int:
    """Several outputs (one per table, or per document): numbered files in -o DIRECTORY, or stdout for one."""
    if len(outputs) == 1 and not args.output and isinstance(outputs[0], str):
        sys.stdout.write(outputs[0])
        return 0
    what = f"holds {n_docs} documents" if n_docs > 1 else f"has {len(outputs)} tables"
    if not args.output:
        raise UsageError(f"{name} {what}: give -o DIRECTORY for one file each")
    _folder_not_file(args.output, suffix, f"{name} {what}, one file each")
    make_folder(args.output)
    stem = stem_of(name)
    for i, text in enumerate(outputs, 1):
        write_file(os.path.join(args.output, f"{stem}-{i}{suffix}"), as_bytes(text))
    if not outputs:
        print(f"docnorm: {name}: no tables to export", file=sys.stderr)
    return 0


def _folder_not_file(output: str, suffix: str, why: str) -> None:
    """-o for several outputs must be a folder: a name ending in the target's suffix that is no folder yet is
    taken for a file name (a folder `out.docling.json` is never made)."""
    if not os.path.isdir(output) and output.lower().endswith(suffix.lower()):
        raise UsageError(f"-o {output}: {why}; this names a file: give -o DIRECTORY")


def _run_named(jobs: list[Any], workers: int, errors: str | None) -> tuple[int, Any]:
    """A named target over several inputs: the jobs render on every core and this process writes their files as
    they come back, in input order, each into its input's mirrored folder; a name met again there gets -2, -3…
    (`unique_name`), the same for any -j. A file that cannot be written is its input's failure."""
    used: dict[str, set[str]] = {}

    def written(outcomes: Any) -> Any:
        for outcome in outcomes:
            for name, folder, files in outcome.records:
                try:
                    _write_named(files, folder, used.setdefault(folder, set()))
                except UsageError as exc:
                    outcome.failures = [*outcome.failures, (name, str(exc))]
            outcome.records = []
            yield outcome
    got = map_jobs(_export_job, jobs, workers)
    outcomes = (input_failed(job, g.message) if isinstance(g, Crashed) else g for job, g in zip(jobs, got))
    status, summary, _ = tally(written(outcomes), "export", errors, bar=len(jobs) > 1)
    return status, summary


def _write_named(files: list[NamedFile], folder: str, used: set[str]) -> None:
    for file in files:
        write_file(os.path.join(folder, unique_name(file.name, used)), as_bytes(file.content))


def _write_named_here(files: list[NamedFile], args: argparse.Namespace, name: str) -> int:
    """The files of a named target into -o DIRECTORY under their names (made safe); a single file may go to
    standard output."""
    if not args.output:
        if len(files) == 1 and isinstance(files[0].content, str):
            sys.stdout.write(files[0].content)
            return 0
        raise UsageError(f"{name}: --to {args.to} writes {len(files)} files: give -o DIRECTORY for them")
    _write_named(files, args.output, set())
    if not files:
        print(f"docnorm: {name}: no pages to export", file=sys.stderr)
    return 0


def _exports_help() -> str:
    """The targets and each one's options (--opt NAME=VALUE), from the export registry."""
    lines = ["targets (--to), with their options (--opt NAME=VALUE):"]
    for name, target in EXPORTS.items():
        needs = f" (pip install 'docnorm[{target.extra}]')" if target.extra else ""
        lines.append(f"  {name:<16} {target.help}{needs}")
        for option, kind, choices, default in option_fields(target):
            values = "|".join(map(str, choices)) if choices else kind
            lines.append(f"  {'':<16}   --opt {option}={values} (default {default})")
    return "\n".join(lines)


def _settings(args: argparse.Namespace) -> ExportSettings:
    """The export's settings, every --opt checked against the target's options before any work."""
    options = {}
    for item in args.opt:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--opt {item}: expected NAME=VALUE")
        options[name.strip()] = value
    settings = ExportSettings(span_policy=args.span_policy, raw_csv=args.raw_csv, remote_images=args.remote_images,
                              source=source_arg(args.source, "--to html", args.to == "html"), bom=args.bom,
                              unit=args.unit, options=_token_options(args, options),
                              tokenizer=_tokenizer_arg(args, options))
    try:
        options_for(EXPORTS[args.to], settings)
    except OptionError as exc:
        raise UsageError(f"--to {args.to}: {exc}") from None
    return settings


def _token_options(args: argparse.Namespace, options: dict[str, str]) -> dict[str, str]:
    """--max-tokens N and --overlap N: the chunks target's options max_tokens and overlap (as --opt gives them)."""
    for flag, name in (("--max-tokens", "max_tokens"), ("--overlap", "overlap")):
        value = getattr(args, name)
        if value is None:
            continue
        if args.to != "chunks":
            raise UsageError(f"{flag} is for --to chunks")
        if options.get(name, str(value)) != str(value):
            raise UsageError(f"{flag} {value} and --opt {name}={options[name]} disagree: give one")
        options[name] = str(value)
    if args.overlap is not None and options.get("max_tokens", "0") in ("", "0"):
        raise UsageError("--overlap repeats tokens between chunks sized with --max-tokens N: give both")
    return options


def _tokenizer_arg(args: argparse.Namespace, options: dict[str, str]) -> str | None:
    """--tokenizer NAME, loaded once here so that a name or file that cannot be read is a mistake in the call
    (exit 2) before any work; the workers load it again (cached once per process)."""
    if args.tokenizer is None:
        return None
    if args.to != "chunks" or options.get("max_tokens", "0") in ("", "0"):
        raise UsageError("--tokenizer counts the tokens of --to chunks --max-tokens N: give both")
    from exporters.token_count import TokenizerError, counter
    try:
        counter(args.tokenizer)
    except (TokenizerError, ImportError) as exc:
        raise UsageError(str(exc)) from None
    return args.tokenizer


def add_parser(sub: Any) -> None:
    """`docnorm export` and its arguments."""
    p = add_command(sub, "export", EXAMPLES_EXPORT,
                    "render as Markdown, HTML, text, chunks, JSON or tables",
             "Render saved results in another format: one file to standard output or -o FILE, several (or a "
             "folder's) into -o DIRECTORY, mirroring the input tree.", _exports_help)
    add_inputs(p)
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
    p.add_argument("--opt", action="append", default=[], metavar="NAME=VALUE",
                   help="an option of the target (listed below with its values); may be repeated")
    p.add_argument("--unit", choices=["chunk", "page", "block"], default="chunk",
                   help="langchain-jsonl: one record per chunk (default), page or block")
    p.add_argument("--join", action="store_true", help="join results saved one page per file (NAME_0_res.json, "
                   "NAME_1_res.json…) into one document per source before exporting")
    p.add_argument("--max-tokens", type=int, metavar="N", help="chunks: at most N tokens each, derived from the "
                   "blocks (tables cut between rows, header repeated; the same as --opt max_tokens=N)")
    p.add_argument("--overlap", type=int, metavar="N", help="chunks: repeat the last words (at most N tokens) of "
                   "the chunk before, under the same heading (--opt overlap=N)")
    p.add_argument("--tokenizer", metavar="NAME", help="chunks: what counts tokens: a tiktoken encoding name "
                   "(cl100k_base…) or a Hugging Face tokenizer.json file (default: words and punctuation)")
    p.set_defaults(run=cmd_export)
