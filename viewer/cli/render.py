"""`docnorm render`: each page's boxes over the real page, as PNG."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from exporters.corpus.runner import UsageError
from normalizer.errors import failure_message
from normalizer.schema import Document

from .common import add_command, make_folder, one_document, one_input, source_arg, stem_of, write_file


EXAMPLES_RENDER = [
    "docnorm render result.json --source report.pdf --pages 1-3 -o pages/ --numbers",
    "docnorm render llamaparse.json --compare somark.json --source report.pdf -o compare/",
]


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
    from exporters.pages.render import render_pages
    doc = one_input(args.file, lambda: one_document(args.file))
    other = one_input(args.compare, lambda: one_document(args.compare)) if args.compare else None
    if doc is None or (args.compare and other is None):
        return 1
    given = source_arg(args.source, "render", True)
    if not doc.pages:  # a status-only result (a pending or failed job): no source would help
        job = doc.job
        print(f"docnorm: {args.file}: the result has no pages to draw (the job is {job.status}"
              f"{': ' + job.error if job.error else ''})", file=sys.stderr)
        return 1
    numbers = _page_numbers(args.pages, doc)
    source, bad_source = _checked_source(given, args.file, doc, numbers)
    if given is not None and source is None:
        return 1
    make_folder(args.output)
    stem = stem_of(args.file.rsplit("#", 1)[0] if not os.path.exists(args.file) else args.file)
    print(f"docnorm: {args.file}: drawing {len(numbers)} page(s) over "
          f"{source or 'blank pages (no source document found beside it; give --source)'}", file=sys.stderr)
    if other is not None:
        theirs = {p.number for p in other.pages}
        for n in [n for n in numbers if n not in theirs]:
            print(f"docnorm: {args.compare}: has no page {n}; page {n} skipped", file=sys.stderr)
        numbers = [n for n in numbers if n in theirs]
    from tqdm import tqdm
    titles = (os.path.basename(args.file), os.path.basename(args.compare or ""))
    failed = bad_source
    with tqdm(total=len(numbers), desc="render", unit="page", file=sys.stderr, leave=False, disable=None) as bar:
        while numbers:  # a page that fails is reported and the rest are drawn (the generator starts again after it)
            done = 0
            try:
                for n, png in render_pages(doc, numbers, source, width=args.width, numbers=args.numbers,
                                           labels=args.labels, compare=other, titles=titles):
                    write_file(os.path.join(args.output, f"{stem}-p{n}.png"), png)
                    done += 1
                    bar.update()
            except UsageError:
                raise
            except Exception as exc:  # any exception is this page's failure
                failed += 1
                bar.write(f"docnorm: {args.file}: page {numbers[done]}: {failure_message(exc)}", file=sys.stderr)
                done += 1
                bar.update()
            numbers = numbers[done:]
    return 1 if failed else 0


def _checked_source(given: str | None, spec: str, doc: Document, numbers: list[int]) -> tuple[str | None, int]:
    """The source to draw over and whether it falls short (1) or not (0), each shortfall said on stderr: a
    --source that cannot be read (None: nothing is drawn), one with fewer pages than the result (those pages are
    drawn blank). A source found beside the result that cannot be read is left out, with a warning."""
    from exporters.pages.images import SourceError, default_pool
    source = given or _found_source(spec, doc)
    if source is None:
        return None, 0
    try:
        info = default_pool().info(source)
    except SourceError as exc:
        if given is None:
            print(f"docnorm: {spec}: the source found beside it, {source}, cannot be drawn ({exc}); drawing over "
                  "blank pages", file=sys.stderr)
            return None, 0
        print(f"docnorm: --source {source}: {exc}; nothing drawn", file=sys.stderr)
        return None, 1
    missing = [n for n in numbers if not 1 <= n <= len(info.sizes)]
    if missing:
        print(f"docnorm: {spec}: the source {source} has {len(info.sizes)} page(s); page(s) "
              f"{', '.join(map(str, missing[:12]))}{'…' if len(missing) > 12 else ''} drawn over blank pages "
              "(is it the document this result was made from?)", file=sys.stderr)
    return source, 1 if missing and given is not None else 0


def _found_source(spec: str, doc: Document) -> str | None:
    """The source the viewer would show: by the recorded file name or the result's name, beside the result."""
    from exporters.pages.sources import find_source
    path = spec if os.path.exists(spec) else spec.rsplit("#", 1)[0]
    if path == "-":
        return None
    folder = os.path.realpath(os.path.dirname(os.path.abspath(path)))
    found = find_source(folder, (), os.path.basename(path), doc)
    return found.path if found else None


def add_parser(sub: Any) -> None:
    """`docnorm render` and its arguments."""
    p = add_command(sub, "render", EXAMPLES_RENDER, "draw each page's boxes over the real page, as PNG",
             "Draw the boxes of a result over its source document's pages (or blank pages when there is none), one "
             "PNG per page, coloured by kind; with --compare, two results side by side under their labels A and B, "
             "coloured same / changed / only in one, with the key. Without --source, the source is looked for beside "
             "the result as the viewer does. Exit 1 when a --source cannot be read or has fewer pages than the "
             "result, or the result has no pages (a pending or failed job).")
    p.add_argument("file", metavar="FILE", help="a saved result (FILE#N picks the N-th document of several)")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="the folder to write FILE-pN.png into")
    p.add_argument("--source", metavar="DOC", help="the PDF or page image the result was made from")
    p.add_argument("--pages", metavar="LIST", help="the pages to draw, e.g. 1-3,7 (default: all)")
    p.add_argument("--compare", metavar="B", help="a second result of the same document, drawn beside")
    p.add_argument("--numbers", action="store_true", help="number the blocks in reading order")
    p.add_argument("--labels", action="store_true", help="write each block's kind at its box")
    p.add_argument("--width", type=int, default=1200, metavar="PX", help="page width in pixels (default 1200)")
    p.set_defaults(run=cmd_render)
