"""What every command shares: reporting a failed input, writing outputs, checking the call before any work."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Callable, TypeVar

import msgspec

from exporters.corpus.runner import Outcome, UsageError, read
from normalizer import normalize_all
from normalizer.errors import failure_message, shown
from normalizer.schema import Document, encode

from .inputs import Item

T = TypeVar("T")


def one_input(name: str, read_it: Callable[[], T]) -> T | None:
    """`read_it()`, or None once its failure is reported: any exception is this input's failure (a mistake in the
    call, `UsageError`, still ends the command with exit 2). The single-file commands read their inputs here."""
    try:
        return read_it()
    except UsageError:
        raise
    except Exception as exc:  # any exception is this file's failure (normalizer.failure_message)
        report_failure(name, exc)
        return None


def report_failure(name: str, error: BaseException) -> None:
    """One line on stderr: `docnorm: FILE: $.path: message`, or `docnorm: FILE: message` for the whole file."""
    print(f"docnorm: {shown(name)}: {failure_message(error)}", file=sys.stderr)


def canonical_bytes(docs: list[Document], indent: int = 0) -> bytes:
    payload = encode(docs[0]) if len(docs) == 1 else b"[" + b",".join(encode(d) for d in docs) + b"]"
    return (msgspec.json.format(payload, indent=indent) if indent else payload) + b"\n"


def stdin_once(items: list[Item]) -> list[str | bytes]:
    """Each item's input for a job: its path, or for `-` the bytes of standard input (read here, once)."""
    if sum(1 for i in items if i.path == "-") > 1:
        raise UsageError("'-' (standard input) can be given once")
    return [sys.stdin.buffer.read() if i.path == "-" else i.path for i in items]


def counts(docs: list[Document], **more: Any) -> Outcome:
    return Outcome(documents=len(docs), pages=sum(len(d.pages) for d in docs),
                   warnings=sum(len(d.warnings) for d in docs), **more)


def goes_to_folder(args: argparse.Namespace, items: list[Item]) -> bool:
    """Whether the inputs go to a folder (several files, or any found in a folder, pattern or list) rather than
    one file or standard output."""
    return len(items) != 1 or not items[0].named or bool(args.output and os.path.isdir(args.output))


def errors_file(args: argparse.Namespace) -> str | None:
    """--errors PATH, checked and emptied before any work (each pass of the run appends its failures)."""
    if args.errors:
        check_writable(args.errors)
        write_file(args.errors, b"")
    return args.errors


def print_summary(summary: Any, items: list[Item], done: str | None = None) -> None:
    """The run's summary line on stderr, for a run over several inputs (`done`: what the command made of them,
    when it is not documents and pages)."""
    if len(items) > 1:
        print(summary.line(done), file=sys.stderr)


def formats_found(found: list[str], shown: int = 6) -> str:
    """What detect did, for its summary: the format ids found with their files, most first (the first `shown`).

    >>> formats_found(["somark", "docling", "somark"])
    'in 2 format(s): somark 2, docling 1'
    >>> formats_found(list("abcdefgh"), shown=2)
    'in 8 format(s): a 1, b 1 and 6 more'
    """
    from collections import Counter
    tally = Counter(found).most_common()
    more = f" and {len(tally) - shown} more" if len(tally) > shown else ""
    return f"in {len(tally)} format(s): " + ", ".join(f"{fmt} {n:,}" for fmt, n in tally[:shown]) + more


def make_folder(path: str) -> None:
    """-o for several outputs: a folder (made when missing), never an existing file."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise UsageError(f"-o {path}: several outputs need a folder, and this is a file")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"-o {path}: cannot make the folder: {exc.strerror or exc}") from None


def check_writable(path: str) -> None:
    """-o for one output: a file in a folder that exists (checked before any work is done)."""
    if os.path.isdir(path):
        raise UsageError(f"-o {path}: this is a folder; give a file name")
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        raise UsageError(f"-o {path}: no such folder: {os.path.dirname(path)}")


def stem_of(path: str) -> str:
    name = os.path.basename(path)
    return name.rsplit(".", 1)[0] if "." in name else name


def write_file(path: str, payload: bytes) -> None:
    try:
        with open(path, "wb") as fh:
            fh.write(payload)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None


def as_bytes(output: str | bytes) -> bytes:
    return output if isinstance(output, bytes) else output.encode()


def source_arg(path: str | None, needs: str, applies: bool) -> str | None:
    """A --source document, checked before any work: a readable PDF or page image, for an output that uses it."""
    if path is None:
        return None
    from exporters.pages.images import SOURCE_SUFFIXES
    if not applies:
        raise UsageError(f"--source is for {needs}: the page images are embedded in the HTML")
    if not os.path.isfile(path):
        raise UsageError(f"--source: no such file: {path}")
    if not path.lower().endswith(SOURCE_SUFFIXES):
        raise UsageError(f"--source: expected a PDF or page image ({', '.join(SOURCE_SUFFIXES)}), found {path}")
    return path


def one_document(spec: str) -> Document:
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


def add_command(sub: Any, name: str, examples: list[str], summary: str, description: str,
                epilog: str | Callable[[], str] = "") -> argparse.ArgumentParser:
    """A command's parser, its examples under its help (`docnorm COMMAND --help`). A callable `epilog` is called
    only when the help is shown (the export targets' options import their writers: no other command pays that)."""
    examples = "examples:\n" + "\n".join(f"  {line}" for line in examples)
    parser = sub.add_parser(name, help=summary, description=description, epilog=examples,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    if epilog:
        def format_help() -> str:
            parser.epilog = (epilog() if callable(epilog) else epilog) + "\n\n" + examples
            return argparse.ArgumentParser.format_help(parser)
        parser.format_help = format_help  # type: ignore[method-assign]
    return parser


def add_inputs(p: argparse.ArgumentParser) -> None:
    """The arguments every corpus command takes: what to read, on how many cores, where failures go."""
    p.add_argument("files", nargs="+", metavar="INPUT",
                   help="result files, folders (searched recursively), quoted glob patterns ('runs/**/*.json'), "
                        "@LIST (a file of paths, one a line; @- reads it from standard input) or - (a result on "
                        "standard input)")
    p.add_argument("--glob", metavar="PATTERN", help="in folders, the files to take (default: *.json and *.txt)")
    p.add_argument("-j", "--jobs", type=int, default=0, metavar="N",
                   help="processes (default 0: every core); the files written are the same for any N")
    p.add_argument("--errors", metavar="PATH", help="write each failure as a JSON line {file, error}")
