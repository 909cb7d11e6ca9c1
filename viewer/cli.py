"""The `docnorm` command line (DESIGN.md, "Command line")."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Iterable, Iterator, Sequence, TypeVar

import orjson

from normalizer import NormalizeError, detect, normalize_all
from normalizer.schema import Document, encode, json_schema

from .exports import EXPORTS, ExportSettings

T = TypeVar("T")


class UsageError(Exception):
    pass


def _fail(name: str, error: Exception) -> None:
    if isinstance(error, NormalizeError):
        print(f"docnorm: {name}: {error.path}: {error.message}", file=sys.stderr)
    else:
        print(f"docnorm: {name}: $: {error}", file=sys.stderr)


def progress(items: Sequence[T], label: str) -> Iterator[T]:
    """Yield `items`, drawing a progress bar on stderr when it is a terminal and there is real work."""
    total = len(items)
    show = total > 1 and sys.stderr.isatty()
    for i, item in enumerate(items, 1):
        yield item
        if show:
            filled = 30 * i // total
            sys.stderr.write(f"\r{label} [{'#' * filled}{'.' * (30 - filled)}] {i}/{total}")
            sys.stderr.flush()
    if show:
        sys.stderr.write("\n")


def _read(path: str) -> bytes:
    """A file's bytes; `-` is standard input."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise NormalizeError("$", f"cannot read file: {exc.strerror}") from None


def _canonical_bytes(docs: list[Document]) -> bytes:
    payload = encode(docs[0]) if len(docs) == 1 else b"[" + b",".join(encode(d) for d in docs) + b"]"
    return payload + b"\n"


def cmd_detect(args: argparse.Namespace) -> int:
    status = 0
    for path in args.files:
        try:
            print(f"{path}\t{detect(_read(path))}")
        except NormalizeError as exc:
            _fail(path, exc)
            status = 1
    return status


def cmd_normalize(args: argparse.Namespace) -> int:
    files: list[str] = args.files
    many = len(files) > 1
    if many and not args.output:
        raise UsageError("normalizing several files needs -o DIRECTORY")
    if many:
        os.makedirs(args.output, exist_ok=True)
    status = 0
    used: set[str] = set()
    for path in progress(files, "normalize"):
        try:
            docs = normalize_all(_read(path), format=args.format, strict=args.strict)
        except NormalizeError as exc:
            _fail(path, exc)
            status = 1
            continue
        payload = _canonical_bytes(docs)
        if many:
            target = _unique(os.path.join(args.output, _stem(path) + ".docnorm.json"), used)
            _write(target, payload)
        elif args.output:
            _write(args.output, payload)
        else:
            sys.stdout.buffer.write(payload)
    return status


def _stem(path: str) -> str:
    name = os.path.basename(path)
    return name.rsplit(".", 1)[0] if "." in name else name


def _unique(target: str, used: set[str]) -> str:
    """Two inputs with the same name (from different folders) must not overwrite each other."""
    base, n = target, 2
    while target in used:
        target = base.replace(".docnorm.json", f"-{n}.docnorm.json")
        n += 1
    used.add(target)
    return target


def _write(path: str, payload: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(payload)


def cmd_export(args: argparse.Namespace) -> int:
    try:
        docs = normalize_all(_read(args.file))
    except NormalizeError as exc:
        _fail(args.file, exc)
        return 1
    suffix, _mime, render = EXPORTS[args.to]
    settings = ExportSettings(span_policy=args.span_policy, raw_csv=args.raw_csv, remote_images=args.remote_images)
    outputs: list[str] = []
    for doc in docs:
        out = render(doc, settings)
        outputs += out if isinstance(out, list) else [out]
    if args.to.startswith("tables-") or len(outputs) > 1:
        return _write_many(outputs, args, suffix)
    payload = outputs[0] if outputs else ""
    if args.output:
        _write(args.output, payload.encode())
    else:
        sys.stdout.write(payload)
    return 0


def _write_many(outputs: list[str], args: argparse.Namespace, suffix: str) -> int:
    """Several outputs (one per table, or per document): numbered files in -o DIRECTORY, or stdout for one."""
    if len(outputs) == 1 and not args.output:
        sys.stdout.write(outputs[0])
        return 0
    if not args.output:
        raise UsageError(f"{len(outputs)} outputs need -o DIRECTORY")
    os.makedirs(args.output, exist_ok=True)
    stem = _stem(args.file)
    for i, text in enumerate(outputs, 1):
        _write(os.path.join(args.output, f"{stem}-{i}{suffix}"), text.encode())
    return 0


def _one(path: str) -> Document:
    docs = normalize_all(_read(path))
    if len(docs) != 1:
        raise NormalizeError("$", f"expected one document to compare, found {len(docs)}")
    return docs[0]


def cmd_diff(args: argparse.Namespace) -> int:
    from exporters.diff import diff, to_diff_html, to_diff_json
    docs = []
    for path in (args.a, args.b):
        try:
            docs.append(_one(path))
        except NormalizeError as exc:
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
    print(f"{'text similarity':<18} {s.text_similarity:.4f}")
    print(f"{'reading order':<18} {s.reading_order:.4f}")
    print(f"{'table TEDS':<18} " + (f"{s.teds:.4f} ({s.tables_compared} table pairs)" if s.teds is not None
                                     else "no tables paired"))
    print(f"{'blocks':<18} {c['matched']} paired: {c['same']} same, {c['changed']} changed, {c['split']} split")
    if args.json:
        _write(args.json, to_diff_json(result) + b"\n")
    if args.html:
        _write(args.html, to_diff_html(result, *docs).encode())
    return 0


SERVER_THREADS = 8  # requests served at once; the rest wait in waitress's queue, not in threads of their own


def cmd_serve(args: argparse.Namespace) -> int:
    """The viewer behind waitress (a production WSGI server, pure Python): a bounded thread pool, idle
    connections closed, no server or Python version in the headers."""
    if not os.path.isdir(args.dir):
        raise UsageError(f"not a folder: {args.dir}")
    from .app import create_app  # Flask is only imported when serving
    app = create_app(args.dir, hosts=(args.host,))
    try:
        server = make_server(app, args.host, args.port)
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    print(f"docnorm: serving {os.path.abspath(args.dir)} at http://{_url_host(args.host)}:{server.effective_port}/ "
          "(Ctrl+C to stop)", file=sys.stderr)
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
    sys.stdout.buffer.write(orjson.dumps(json_schema(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="docnorm", description="Normalize document-parsing results.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("detect", help="print FILE<TAB>format id for each file")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.set_defaults(run=cmd_detect)
    p = sub.add_parser("normalize", help="write canonical JSON")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("-o", "--output", metavar="PATH", help="output file (one input) or directory (several)")
    p.add_argument("--format", help="skip detection and read the input as this format id")
    p.add_argument("--strict", action="store_true", help="fail on anything that would need a repair")
    p.set_defaults(run=cmd_normalize)
    p = sub.add_parser("export", help="render as Markdown, HTML, text, canonical JSON or tables")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--to", required=True, choices=sorted(EXPORTS))
    p.add_argument("-o", "--output", metavar="PATH", help="output file, or directory when there are several")
    p.add_argument("--span-policy", choices=["html", "repeat", "anchor"], default="html")
    p.add_argument("--raw-csv", action="store_true",
                   help="write CSV cells as they are (by default a cell a spreadsheet would run as a formula gets a leading ')")
    p.add_argument("--remote-images", action="store_true",
                   help="HTML: show images from other hosts (by default a link: opening the page fetches nothing)")
    p.set_defaults(run=cmd_export)
    p = sub.add_parser("diff", help="compare two results of the same document")
    p.add_argument("a", metavar="A")
    p.add_argument("b", metavar="B")
    p.add_argument("--html", metavar="PATH", help="write a standalone HTML report")
    p.add_argument("--json", metavar="PATH", help="write the scores and pairs as JSON")
    p.set_defaults(run=cmd_diff)
    p = sub.add_parser("serve", help="browse a folder of saved results in a web browser")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(run=cmd_serve)
    p = sub.add_parser("schema", help="print the JSON Schema of the canonical document")
    p.set_defaults(run=cmd_schema)
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        return args.run(args)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"docnorm: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
